"""An S3-compatible object store (AWS S3, MinIO, Ceph, R2...) as the artifact store.

Objects are ``<prefix><sha[:2]>/<sha>`` in one bucket. A PUT makes an object
appear whole or not at all, so no temporary names are needed. ``path`` downloads
an object into a local cache folder (to a temporary name, checked against its
digest, then renamed), so the routes serve files from disk as with the local
store; the content never changes under a name, so the cache is never stale.

The endpoint and credentials come from boto3's own settings (``AWS_ENDPOINT_URL_S3``,
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION`` or a profile).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from server.storage.base import CHUNK, check_sha, sha256_file

__all__ = ["S3Artifacts", "s3_client"]

log = logging.getLogger(__name__)


def s3_client(endpoint_url: str | None = None) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:  # an optional dependency: only the object store needs it
        raise RuntimeError("an s3:// storage URL needs boto3: pip install 'garment3d[distributed]'") from None
    config = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=60)
    return boto3.client("s3", endpoint_url=endpoint_url, config=config)


def _missing(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code")) in ("404", "NoSuchKey", "NotFound", "NoSuchBucket")


class S3Artifacts:
    """Content-addressed objects in ``bucket`` under ``prefix``; ``cache_dir`` holds downloaded copies."""

    kind = "s3"

    def __init__(self, bucket: str, prefix: str, cache_dir: Path, *, client: Any = None, create_bucket: bool = True):
        if not bucket:
            raise ValueError("an s3:// storage URL names a bucket: s3://BUCKET[/PREFIX]")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.client = client if client is not None else s3_client()
        if create_bucket:
            self._ensure_bucket()

    def __repr__(self) -> str:
        return f"S3Artifacts(s3://{self.bucket}/{self.prefix})"

    def _ensure_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except Exception as exc:
            if not _missing(exc):
                raise
            self.client.create_bucket(Bucket=self.bucket)
            log.info("created bucket %s", self.bucket)

    def _key(self, sha256: str) -> str:
        return f"{self.prefix}{check_sha(sha256)[:2]}/{sha256}"

    def _cached(self, sha256: str) -> Path:
        return self.cache_dir / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        try:
            key = self._key(sha256)
        except ValueError:
            return False
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except Exception as exc:
            if _missing(exc):
                return False
            raise
        return True

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        sha = hashlib.sha256(data).hexdigest()
        if not self.exists(sha):
            self.client.put_object(Bucket=self.bucket, Key=self._key(sha), Body=data)
        return sha, len(data)

    def put_file(self, path: Path) -> tuple[str, int]:
        sha, size = sha256_file(path), Path(path).stat().st_size
        if not self.exists(sha):
            self.client.upload_file(str(path), self.bucket, self._key(sha))  # multipart: still whole or nothing
        return sha, size

    def path(self, sha256: str) -> Path | None:
        try:
            key = self._key(sha256)
        except ValueError:
            return None
        final = self._cached(sha256)
        if final.is_file():
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out:
                try:
                    body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
                except Exception as exc:
                    if _missing(exc):
                        return None
                    raise
                for chunk in iter(lambda: body.read(CHUNK), b""):
                    digest.update(chunk)
                    out.write(chunk)
            if digest.hexdigest() != sha256:
                log.error("object %s in bucket %s does not hold its content (sha256 %s)", key, self.bucket,
                          digest.hexdigest())
                return None
            os.replace(name, final)
            return final
        finally:
            Path(name).unlink(missing_ok=True)

    def read_bytes(self, sha256: str) -> bytes | None:
        path = self.path(sha256)
        return path.read_bytes() if path else None

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(sha256))
        self._cached(sha256).unlink(missing_ok=True)


