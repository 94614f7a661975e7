"""Client share links: a random token (192 bits) that opens one sample read-only, stored as its sha256.

A link may offer several colorways: revisions of the same sample (same family,
same organisation). It expires, and the designer can revoke it. The token
reveals nothing else: the viewer addresses files by the link and an index
into its colorways, never by sample id.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update

from garment3d.errors import InvalidRequestError, NotFoundError
from server.accounts import User
from server.db.engine import Database, new_id, now
from server.db.tables import feedback, shares
from server.errors import GoneError
from server.samples import Sample, get_sample, set_approval

__all__ = ["Share", "create_share", "open_share", "list_shares", "revoke_share", "add_feedback", "list_feedback",
           "Feedback", "TOKEN"]

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
_APPROVAL = {"approve": "approved", "changes": "changes_requested"}


@dataclass(frozen=True)
class Share:
    id: str
    org_id: str
    sample_id: str
    colorways: list[str]
    language: str | None
    created_at: float
    expires_at: float
    revoked_at: float | None


@dataclass(frozen=True)
class Feedback:
    id: str
    sample_id: str
    share_id: str
    kind: str
    author: str
    text: str
    created_at: float


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _share(row) -> Share:
    return Share(id=row.id, org_id=row.org_id, sample_id=row.sample_id, colorways=list(row.colorways),
                 language=row.language, created_at=row.created_at, expires_at=row.expires_at,
                 revoked_at=row.revoked_at)


def create_share(db: Database, user: User, sample: Sample, colorways: list[str], expires_in_days: float,
                 language: str | None) -> tuple[Share, str]:
    """A new link to ``sample`` (and the chosen revisions of it); returns the share and its token (shown once)."""
    chosen = [sample.id] + [c for c in dict.fromkeys(colorways) if c != sample.id]
    for other in chosen[1:]:
        try:
            revision = get_sample(db, user.org_id, other)
        except NotFoundError:
            raise InvalidRequestError(f"colorways: no sample with id '{other}'") from None
        if revision.family_id != sample.family_id:
            raise InvalidRequestError(f"colorways: sample {other} is not a revision of sample {sample.id}")
    token = secrets.token_urlsafe(24)  # 32 characters, 192 random bits
    t = now()
    share_id = new_id()
    with db.write() as conn:
        conn.execute(shares.insert().values(
            id=share_id, token_hash=_hash(token), org_id=user.org_id, sample_id=sample.id, colorways=chosen,
            language=language, created_by=user.id, created_at=t, expires_at=t + expires_in_days * 86400.0))
        row = conn.execute(select(shares).where(shares.c.id == share_id)).first()
    return _share(row), token


def open_share(db: Database, token: str) -> Share:
    """The live share for ``token``: 404 when unknown, 410 when expired or revoked."""
    if not TOKEN.fullmatch(token):
        raise NotFoundError("no such link")
    with db.read() as conn:
        row = conn.execute(select(shares).where(shares.c.token_hash == _hash(token))).first()
    if row is None:
        raise NotFoundError("no such link")
    if row.revoked_at is not None:
        raise GoneError("this link was withdrawn by the designer")
    if row.expires_at <= now():
        raise GoneError("this link has expired; ask the designer for a new one")
    return _share(row)


def list_shares(db: Database, org_id: str, sample_id: str) -> list[Share]:
    with db.read() as conn:
        rows = conn.execute(select(shares).where(shares.c.org_id == org_id, shares.c.sample_id == sample_id)
                            .order_by(shares.c.created_at)).all()
    return [_share(row) for row in rows]


def revoke_share(db: Database, org_id: str, share_id: str) -> Share:
    with db.write() as conn:
        conn.execute(update(shares).where(shares.c.id == share_id, shares.c.org_id == org_id,
                                          shares.c.revoked_at.is_(None)).values(revoked_at=now()))
        row = conn.execute(select(shares).where(shares.c.id == share_id, shares.c.org_id == org_id)).first()
    if row is None:
        raise NotFoundError(f"no share with id '{share_id[:40]}'")
    return _share(row)


def add_feedback(db: Database, share: Share, sample_id: str, kind: str, author: str, text: str, *,
                 proposal: bool = False) -> Feedback:
    """Feedback on one of the link's colorways, or (``proposal``, checked by the caller) on a revision the
    link's client proposed."""
    if sample_id not in share.colorways and not proposal:
        raise NotFoundError("no such colorway in this link")
    fid = new_id()
    t = now()
    with db.write() as conn:
        conn.execute(feedback.insert().values(id=fid, sample_id=sample_id, share_id=share.id, kind=kind,
                                              author=author, text=text, created_at=t))
    if kind in _APPROVAL:
        set_approval(db, sample_id, _APPROVAL[kind])
    return Feedback(fid, sample_id, share.id, kind, author, text, t)


def list_feedback(db: Database, sample_id: str) -> list[Feedback]:
    with db.read() as conn:
        rows = conn.execute(select(feedback).where(feedback.c.sample_id == sample_id)
                            .order_by(feedback.c.created_at)).all()
    return [Feedback(r.id, r.sample_id, r.share_id, r.kind, r.author, r.text, r.created_at) for r in rows]
