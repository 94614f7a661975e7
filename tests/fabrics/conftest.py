"""Fixtures for the fabric library tests: a private copy of the library, images written by Pillow."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from garment3d.settings import get_settings

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="session")
def library_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("library") / "fabrics"
    shutil.copytree(get_settings().fabrics_dir, root)
    return root


@pytest.fixture()
def fabrics_dir(library_copy, tmp_path, monkeypatch) -> Path:
    """The library copy as GARMENT3D_FABRICS_DIR, with a private cache (colorway images)."""
    monkeypatch.setenv("GARMENT3D_FABRICS_DIR", str(library_copy))
    monkeypatch.setenv("GARMENT3D_CACHE_DIR", str(tmp_path / "cache"))
    return library_copy
