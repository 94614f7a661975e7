"""The artifact store's contract: content-addressed, written atomically, never a half file."""

from __future__ import annotations

import hashlib
import os

import pytest

from server.storage import LocalArtifacts


def test_put_and_find_by_content(tmp_path):
    store = LocalArtifacts(tmp_path / "a")
    sha, size = store.put_bytes(b"frame")
    assert sha == hashlib.sha256(b"frame").hexdigest() and size == 5
    assert store.path(sha).read_bytes() == b"frame"
    source = tmp_path / "f.bin"
    source.write_bytes(b"frame")
    assert store.put_file(source) == (sha, 5)  # equal content is stored once
    assert sorted(p.name for p in (tmp_path / "a").rglob("*") if p.is_file()) == [sha]


def test_unknown_or_malformed_digests_are_none(tmp_path):
    store = LocalArtifacts(tmp_path)
    assert store.path("0" * 64) is None
    assert store.path("../../etc/passwd") is None


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
