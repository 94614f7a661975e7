"""What every artifact store is: content-addressed bytes, put whole or not at all.

An artifact is named by the SHA-256 of its content. ``put_*`` returns
``(sha256, size)``; equal content is stored once. ``path`` gives a local file
holding the artifact (an object store downloads it into a local cache first,
checked against its digest), or None when the store does not have it. A reader
never sees half an artifact. The database says which artifacts exist and what
they are; a store holds bytes only.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = ["ArtifactStore", "SHA256", "CHUNK", "sha256_file", "check_sha"]

SHA256 = re.compile(r"[0-9a-f]{64}")
CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_sha(sha256: str) -> str:
    if not isinstance(sha256, str) or not SHA256.fullmatch(sha256):
        raise ValueError(f"'{str(sha256)[:80]}' is not a sha256 hex digest")
    return sha256


@runtime_checkable
class ArtifactStore(Protocol):
    """The interface every backend implements (and ``tests/server/test_storage_contract.py`` checks)."""

    kind: str  # "local" or "s3", for the health endpoint and the logs

    def put_file(self, path: Path) -> tuple[str, int]: ...
    def put_bytes(self, data: bytes) -> tuple[str, int]: ...
    def path(self, sha256: str) -> Path | None: ...
    def exists(self, sha256: str) -> bool: ...
    def delete(self, sha256: str) -> None: ...
