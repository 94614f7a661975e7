"""Fixtures for the server tests: settings in a temp folder, databases (SQLite and the real PostgreSQL),
an app whose workers are off, and one API key per role (plus a designer of another organisation)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.settings import ServerSettings

POSTGRES_URL = os.environ.get("GARMENT3D_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: runs the real pipeline behind a real server on localhost (slow)")


def _postgres_schema_url() -> Iterator[str]:
    """A fresh schema in the real PostgreSQL for one test, dropped afterwards."""
    sqlalchemy = pytest.importorskip("sqlalchemy")
    schema = "t_" + uuid.uuid4().hex[:12]
    engine = sqlalchemy.create_engine(POSTGRES_URL)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    except sqlalchemy.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is not reachable ({exc.orig}); .ci/run starts it")
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> Iterator[str]:
    """Each database test runs on SQLite and on the real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def settings(tmp_path: Path) -> ServerSettings:
    return ServerSettings(data_dir=tmp_path / "server-data", run_worker=False)


@pytest.fixture
def any_db_client(settings: ServerSettings, db_url: str) -> Iterator[TestClient]:
    """The app on SQLite or on the real PostgreSQL (parametrised), with a designer's key."""
    from server.accounts import add_user

    with TestClient(create_app(replace(settings, database_url=db_url))) as test_client:
        key = add_user(test_client.app.state.db, "d", "designer", "silk")[1]
        test_client.headers["Authorization"] = f"Bearer {key}"
        yield test_client


@pytest.fixture
def app_client(settings: ServerSettings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def keys(app_client: TestClient) -> dict[str, dict[str, str]]:
    """Authorization headers by role: designer, sales, admin of org 'silk', and 'outsider' (a designer of 'rival')."""
    from server.accounts import add_user

    db = app_client.app.state.db
    headers = {}
    for role in ("designer", "sales", "admin"):
        headers[role] = {"Authorization": f"Bearer {add_user(db, role + '1', role, 'silk')[1]}"}
    headers["outsider"] = {"Authorization": f"Bearer {add_user(db, 'spy', 'designer', 'rival')[1]}"}
    return headers


@pytest.fixture
def client(app_client: TestClient, keys) -> TestClient:
    """The app with the designer's key sent by default; its workers are off (samples stay queued)."""
    app_client.headers.update(keys["designer"])
    return app_client
