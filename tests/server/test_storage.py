"""The local folder store's own guarantees (the shared contract is in test_storage_contract.py)."""

from __future__ import annotations

import hashlib
import os

import pytest

from server.storage import LocalArtifacts


def test_equal_content_is_one_file(tmp_path):
    store = LocalArtifacts(tmp_path / "a")
    sha, _ = store.put_bytes(b"frame")
    source = tmp_path / "f.bin"
    source.write_bytes(b"frame")
    store.put_file(source)
    assert sorted(p.name for p in (tmp_path / "a").rglob("*") if p.is_file()) == [sha]


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    store = LocalArtifacts(tmp_path / "a")
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(3 << 20))

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        store.put_file(source)
    assert [p for p in (tmp_path / "a").rglob("*") if p.is_file()] == []
    assert store.path(hashlib.sha256(source.read_bytes()).hexdigest()) is None
