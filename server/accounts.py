"""Organisations, users and their API keys (stored as sha256 digests; the key itself is shown once).

A key is ``g3d_`` followed by 43 URL-safe characters (256 random bits), so a
plain sha256 is enough to store it: there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select, update

from garment3d.errors import InvalidRequestError, NotFoundError
from server.db.engine import Database, new_id, now
from server.db.tables import organisations, users

__all__ = ["ROLES", "Role", "User", "hash_key", "new_key", "add_user", "authenticate", "list_users",
           "rotate_key", "disable_user", "get_user"]

ROLES = ("designer", "sales", "admin")
Role = Literal["designer", "sales", "admin"]
KEY_PREFIX = "g3d_"


@dataclass(frozen=True)
class User:
    id: str
    org_id: str
    org_name: str
    name: str
    role: Role
    key_prefix: str
    created_at: float
    disabled_at: float | None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def _check(name: str, role: str) -> None:
    if role not in ROLES:
        raise InvalidRequestError(f"role must be one of {', '.join(ROLES)}, not '{role}'")
    if not name.strip() or len(name) > 128:
        raise InvalidRequestError("name must be 1 to 128 characters")


def _org_id(conn, org_name: str) -> str:
    org = conn.execute(select(organisations.c.id).where(organisations.c.name == org_name)).scalar()
    if org is None:
        org = new_id()
        conn.execute(organisations.insert().values(id=org, name=org_name, created_at=now()))
    return org


def add_user(db: Database, name: str, role: str, org_name: str = "default") -> tuple[User, str]:
    """Create a user (and their organisation when new); returns the user and their API key."""
    _check(name, role)
    if not org_name.strip() or len(org_name) > 128:
        raise InvalidRequestError("organisation name must be 1 to 128 characters")
    key = new_key()
    with db.write() as conn:
        org = _org_id(conn, org_name)
        user_id = new_id()
        conn.execute(users.insert().values(id=user_id, org_id=org, name=name, role=role, key_hash=hash_key(key),
                                           key_prefix=key[:10], created_at=now()))
    return get_user(db, user_id), key


def _select():
    return select(users, organisations.c.name.label("org_name")).join(organisations)


def _user(row) -> User:
    return User(id=row.id, org_id=row.org_id, org_name=row.org_name, name=row.name, role=row.role,
                key_prefix=row.key_prefix, created_at=row.created_at, disabled_at=row.disabled_at)


def get_user(db: Database, user_id: str, org_id: str | None = None) -> User:
    query = _select().where(users.c.id == user_id)
    if org_id is not None:
        query = query.where(users.c.org_id == org_id)
    with db.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no user with id '{user_id[:40]}'")
    return _user(row)


def authenticate(db: Database, key: str) -> User | None:
    """The enabled user holding ``key``, or None."""
    with db.read() as conn:
        row = conn.execute(_select().where(users.c.key_hash == hash_key(key), users.c.disabled_at.is_(None))).first()
    return _user(row) if row else None


def list_users(db: Database, org_id: str | None = None) -> list[User]:
    query = _select().order_by(users.c.created_at)
    if org_id is not None:
        query = query.where(users.c.org_id == org_id)
    with db.read() as conn:
        return [_user(row) for row in conn.execute(query)]


def rotate_key(db: Database, user_id: str, org_id: str) -> str:
    """A new key for the user; the old one stops working."""
    get_user(db, user_id, org_id)
    key = new_key()
    with db.write() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(key_hash=hash_key(key), key_prefix=key[:10]))
    return key


def disable_user(db: Database, user_id: str, org_id: str) -> None:
    get_user(db, user_id, org_id)
    with db.write() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(disabled_at=now()))
