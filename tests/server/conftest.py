"""Fixtures for the server tests: settings in a temp folder, an app whose worker is off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import ServerSettings


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: runs the real pipeline behind a real server on localhost (slow)")

@pytest.fixture
def settings(tmp_path: Path) -> ServerSettings:
    return ServerSettings(data_dir=tmp_path / "server-data", run_worker=False)


@pytest.fixture
def client(settings: ServerSettings) -> Iterator[TestClient]:
    """An app whose worker is off: samples stay queued."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client
