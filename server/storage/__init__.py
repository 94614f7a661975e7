"""Artifact storage: content-addressed files behind one small interface (:mod:`.base`).

Backends: :class:`LocalArtifacts` (a folder: the service's own, or a shared one
that workers on other machines mount) and :class:`S3Artifacts` (an
S3-compatible object store). :func:`open_store` picks one from the storage URL
setting; every backend passes the same contract test.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from server.storage.base import SHA256, ArtifactStore, sha256_file
from server.storage.local import LocalArtifacts

__all__ = ["ArtifactStore", "LocalArtifacts", "S3Artifacts", "open_store", "open_settings_store", "sha256_file",
           "SHA256", "StorageURLError"]


class StorageURLError(ValueError):
    """The storage URL is not one this server can use."""


def open_store(url: str, default_root: Path, cache_dir: Path) -> ArtifactStore:
    """The store at ``url``: empty -> the folder ``default_root``; ``file:///PATH`` -> that folder (a shared
    mount); ``s3://BUCKET[/PREFIX]`` -> an object store (downloads cached in ``cache_dir``)."""
    if not url:
        return LocalArtifacts(default_root)
    parts = urlsplit(url)
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise StorageURLError(f"a file storage URL is file:///ABSOLUTE/PATH, not '{url}'")
        return LocalArtifacts(Path(unquote(parts.path)))
    if parts.scheme == "s3":
        from server.storage.s3 import S3Artifacts

        return S3Artifacts(parts.netloc, unquote(parts.path), cache_dir)
    raise StorageURLError(f"the storage URL must be file:///PATH or s3://BUCKET[/PREFIX], not '{url[:80]}'")


def __getattr__(name: str):
    if name == "S3Artifacts":  # boto3 is imported only when an object store is used
        from server.storage.s3 import S3Artifacts

        return S3Artifacts
    raise AttributeError(name)


def open_settings_store(settings) -> ArtifactStore:
    """The store a server or worker with these :class:`~server.settings.ServerSettings` uses."""
    return open_store(settings.storage_url, settings.artifacts_dir, settings.artifact_cache_dir)
