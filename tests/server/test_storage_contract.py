"""The contract every artifact store passes: the local folder, a shared folder opened by a second "machine",
and an S3-compatible object store (a real moto server on localhost)."""

from __future__ import annotations

import hashlib
import os
import uuid

import pytest
from storage_servers import s3_server

from server.storage import ArtifactStore, LocalArtifacts, open_store


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3_server() as endpoint:
        yield endpoint


def _s3(endpoint: str, bucket: str, cache):
    from server.storage.s3 import S3Artifacts, s3_client

    return S3Artifacts(bucket, "artifacts", cache, client=s3_client(endpoint))


@pytest.fixture(params=["local", "s3"])
def stores(request, tmp_path):
    """Two handles on one store, as the API server and a worker on another machine would open it."""
    if request.param == "local":
        url = f"file://{tmp_path / 'shared'}"
        yield open_store(url, tmp_path / "unused", tmp_path / "c1"), open_store(url, tmp_path / "unused",
                                                                                   tmp_path / "c2")
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = "g3d-" + uuid.uuid4().hex[:12]
        yield _s3(endpoint, bucket, tmp_path / "c1"), _s3(endpoint, bucket, tmp_path / "c2")


def test_put_and_read_back_by_content(stores, tmp_path):
    store, _ = stores
    assert isinstance(store, ArtifactStore)
    sha, size = store.put_bytes(b"frame")
    assert sha == hashlib.sha256(b"frame").hexdigest() and size == 5
    assert store.exists(sha) and store.path(sha).read_bytes() == b"frame"
    source = tmp_path / "f.bin"
    source.write_bytes(b"frame")
    assert store.put_file(source) == (sha, 5)  # equal content is one artifact


def test_what_one_machine_writes_another_reads(stores, tmp_path):
    writer, reader = stores
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(9 << 20))  # above boto3's multipart threshold
    sha, size = writer.put_file(big)
    assert size == 9 << 20
    assert reader.exists(sha) and reader.path(sha).read_bytes() == big.read_bytes()


def test_unknown_or_malformed_digests_are_none(stores):
    store, _ = stores
    for sha in ("0" * 64, "../../etc/passwd", "A" * 64, ""):
        assert store.path(sha) is None and not store.exists(sha)


def test_delete_removes_it_everywhere(stores):
    store, other = stores
    sha, _ = store.put_bytes(b"gone soon")
    assert other.path(sha) is not None  # the other machine has it cached now
    other.delete(sha)
    assert not store.exists(sha) and store.path(sha) is None
    store.delete(sha)  # deleting twice is fine


def test_a_failed_put_stores_nothing(stores, tmp_path):
    store, _ = stores
    with pytest.raises(OSError):
        store.put_file(tmp_path / "no-such-file")
    assert not store.exists(hashlib.sha256(b"").hexdigest())


def test_an_object_that_does_not_hold_its_content_is_not_served(s3_endpoint, tmp_path):
    store = _s3(s3_endpoint, "g3d-" + uuid.uuid4().hex[:12], tmp_path / "c")
    sha, _ = store.put_bytes(b"the real bytes")
    store.client.put_object(Bucket=store.bucket, Key=store._key(sha), Body=b"tampered")
    assert store.path(sha) is None


def test_storage_urls(tmp_path):
    assert isinstance(open_store("", tmp_path / "a", tmp_path / "c"), LocalArtifacts)
    shared = open_store(f"file://{tmp_path / 'nfs'}", tmp_path / "a", tmp_path / "c")
    assert isinstance(shared, LocalArtifacts) and shared.root == tmp_path / "nfs"
    for bad in ("ftp://x/y", "file://host/relative", "s3://"):
        with pytest.raises(ValueError, match="storage URL|bucket"):
            open_store(bad, tmp_path / "a", tmp_path / "c")
