"""One engine from the database URL, and the read/write transactions every store uses.

SQLite: WAL, a 30 s busy timeout, and write transactions that take the write
lock up front (``BEGIN IMMEDIATE``): a transaction that read first and then
wrote could otherwise fail at once when another process writes (SQLite does not
wait on a lock upgrade). PostgreSQL: the driver's defaults (read committed).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool, QueuePool

from server.db.tables import SCHEMA_VERSION, meta, metadata

__all__ = ["Database", "make_database", "new_id", "now"]


def new_id() -> str:
    return uuid.uuid4().hex


def now() -> float:
    return time.time()


class Database:
    """An engine with ``read()`` and ``write()`` transactions; creates the tables on first use."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(garment3d_write=True)
            with conn.begin():
                yield conn

    def create_schema(self) -> None:
        metadata.create_all(self.engine)
        with self.write() as conn:
            row = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).first()
            if row is None:
                conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
            elif int(row.value) > SCHEMA_VERSION:
                raise RuntimeError(f"the database has schema version {row.value}; this server knows {SCHEMA_VERSION}")

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_engine(url: str) -> Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                           poolclass=NullPool if memory else QueuePool, **({} if memory else
                                                                            {"pool_size": 8, "max_overflow": 24}))

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode = WAL")  # persistent: once per database file
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("garment3d_write") else "BEGIN")

    return engine


def make_database(url: str, *, create: bool = True) -> Database:
    """The database at ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``), its tables created."""
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url)
    else:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    database = Database(engine)
    if create:
        database.create_schema()
    return database
