"""The local-folder artifact store (also a shared folder that workers on other machines mount).

:class:`LocalArtifacts` keeps each file at ``<root>/<sha[:2]>/<sha>``. A file
is written to a temporary name in the same folder, flushed to disk and renamed
into place (``os.replace`` is atomic), so a reader either finds the whole file
or none: a half-written file is never served. Equal content is stored once.
The database (``artifacts`` and ``job_files``) says which artifacts exist and
what they are; the folder holds bytes only.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from server.storage.base import CHUNK as _CHUNK
from server.storage.base import check_sha

__all__ = ["LocalArtifacts"]


class LocalArtifacts:
    """Content-addressed files under ``root``."""

    kind = "local"

    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _final(self, sha256: str) -> Path:
        return self.root / check_sha(sha256)[:2] / sha256

    def _commit(self, tmp: Path, sha256: str) -> None:
        final = self._final(sha256)
        final.parent.mkdir(exist_ok=True)
        if final.exists():
            tmp.unlink()
        else:
            os.replace(tmp, final)

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        sha = hashlib.sha256(data).hexdigest()
        if self._final(sha).exists():
            return sha, len(data)
        fd, name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        self._commit(Path(name), sha)
        return sha, len(data)

    def put_file(self, path: Path) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        fd, name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        sha = digest.hexdigest()
        self._commit(Path(name), sha)
        return sha, size

    def path(self, sha256: str) -> Path | None:
        try:
            final = self._final(sha256)
        except ValueError:
            return None
        return final if final.is_file() else None

    def exists(self, sha256: str) -> bool:
        return self.path(sha256) is not None

    def delete(self, sha256: str) -> None:
        self._final(sha256).unlink(missing_ok=True)
