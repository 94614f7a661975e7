"""Who may do what: Bearer API keys, and one table of permissions by role.

Every route under /api/v1 (except health) depends on :func:`require` with
the permission it needs; the role test walks this table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from garment3d.errors import Garment3DError
from server.accounts import User, authenticate

__all__ = ["PERMISSIONS", "require", "Principal", "AuthenticationError", "ForbiddenError", "can"]

PERMISSIONS: dict[str, frozenset[str]] = {
    "catalog:read": frozenset({"designer", "sales", "admin"}),
    "fabric:write": frozenset({"designer", "admin"}),  # import scans / U3M, make prints, palettes
    "pattern:write": frozenset({"designer", "admin"}),  # upload pattern definitions
    "sample:read": frozenset({"designer", "sales", "admin"}),
    "sample:write": frozenset({"designer"}),  # create, revise, cancel, delete, tag
    "share:write": frozenset({"designer"}),
    "feedback:read": frozenset({"designer", "sales"}),
    "style:write": frozenset({"designer"}),  # publish a sample as a style with guardrails, withdraw it
    "proposal:read": frozenset({"designer", "sales"}),  # clients' proposals (and their measurements)
    "proposal:write": frozenset({"designer"}),  # accept a proposal, answer it
    "quote:write": frozenset({"sales"}),
    "quote:read": frozenset({"sales", "admin"}),
    "inspiration:write": frozenset({"designer"}),
    "inspiration:read": frozenset({"designer"}),
    "user:manage": frozenset({"admin"}),
    "retention:manage": frozenset({"admin"}),
}


class AuthenticationError(Garment3DError):
    """No key, or a key that is not (or no longer) valid: 401."""


class ForbiddenError(Garment3DError):
    """A valid key whose role may not do this: 403."""


def can(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def current_user(request: Request) -> User:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise AuthenticationError("send your API key as 'Authorization: Bearer KEY' (garment3d users add makes one)")
    user = authenticate(request.app.state.db, key.strip())
    if user is None:
        raise AuthenticationError("the API key is not valid (revoked, rotated or mistyped)")
    return user


def require(permission: str) -> Callable[..., User]:
    if permission not in PERMISSIONS:
        raise KeyError(permission)

    def dependency(user: Annotated[User, Depends(current_user)]) -> User:
        if not can(user.role, permission):
            allowed = ", ".join(sorted(PERMISSIONS[permission]))
            raise ForbiddenError(f"a {user.role} may not do this ({permission}: {allowed} only)")
        return user

    dependency.__name__ = f"require_{permission.replace(':', '_')}"
    return dependency


def Principal(permission: str):  # noqa: N802 - reads as a type in signatures
    return Annotated[User, Depends(require(permission))]
