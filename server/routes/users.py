"""/api/v1/users: admins manage their organisation's users and keys."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Response

from server.accounts import User, add_user, disable_user, get_user, list_users, rotate_key
from server.auth import Principal
from server.deps import DbDep
from server.errors import PROBLEM_RESPONSES
from server.schemas import UserCreate, UserKey, UserOut

__all__ = ["router", "user_out"]

router = APIRouter(prefix="/api/v1/users", tags=["users"], responses=PROBLEM_RESPONSES)


def user_out(user: User) -> UserOut:
    return UserOut(id=user.id, name=user.name, role=user.role, organisation=user.org_name,
                   key_prefix=user.key_prefix, created_at=datetime.fromtimestamp(user.created_at, timezone.utc),
                   disabled=user.disabled_at is not None)


@router.get("", response_model=list[UserOut])
def users(db: DbDep, admin: Principal("user:manage")) -> list[UserOut]:
    """The organisation's users."""
    return [user_out(u) for u in list_users(db, admin.org_id)]


@router.post("", status_code=201, response_model=UserKey)
def create(body: UserCreate, db: DbDep, admin: Principal("user:manage")) -> UserKey:
    """A new user in the admin's organisation; the answer holds their API key, shown once."""
    user, key = add_user(db, body.name, body.role, admin.org_name)
    return UserKey(user=user_out(user), api_key=key)


@router.post("/{user_id}/key", response_model=UserKey)
def new_key(user_id: str, db: DbDep, admin: Principal("user:manage")) -> UserKey:
    """Replace the user's key (the old one stops working); the new key is shown once."""
    key = rotate_key(db, user_id, admin.org_id)
    return UserKey(user=user_out(get_user(db, user_id, admin.org_id)), api_key=key)


@router.delete("/{user_id}", status_code=204, response_class=Response)
def disable(user_id: str, db: DbDep, admin: Principal("user:manage")) -> Response:
    """Disable the user: their key stops working."""
    disable_user(db, user_id, admin.org_id)
    return Response(status_code=204)
