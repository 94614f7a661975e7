"""Fixtures for the render-stage tests (values built in ``render_synthetic.py``)."""

from __future__ import annotations

import pytest
from render_synthetic import LINEN_SCAN, make_body, make_fabric, make_skirt_drape

from garment3d.types import Body, Drape, Fabric


@pytest.fixture(scope="session")
def body() -> Body:
    return make_body()


@pytest.fixture(scope="session")
def skirt_drape() -> Drape:
    return make_skirt_drape()


@pytest.fixture(scope="session")
def linen() -> Fabric:
    return make_fabric(LINEN_SCAN)
