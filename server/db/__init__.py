"""The database: tables (:mod:`server.db.tables`) and one engine from the database URL (SQLite or PostgreSQL)."""

from server.db.engine import Database, make_database

__all__ = ["Database", "make_database"]
