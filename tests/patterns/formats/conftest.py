"""Fixtures for the pattern-format tests: the A-line skirt and the real sample files."""

from __future__ import annotations

from pathlib import Path

import pytest
from pattern_samples import DATA, skirt

from garment3d.types import Pattern


@pytest.fixture(scope="session")
def skirt_pattern() -> Pattern:
    return skirt()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
