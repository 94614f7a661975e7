"""Designer side of share links (/api/v1/samples/{id}/shares, /api/v1/shares/{id}) and the client's feedback."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Request

from server.auth import Principal
from server.deps import DbDep
from server.errors import PROBLEM_RESPONSES
from server.routes.samples import SampleDep
from server.shares import Share, create_share, list_feedback, list_shares, revoke_share
from server.schemas import FeedbackOut, ShareCreate, ShareOut

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["shares"], responses=PROBLEM_RESPONSES)


def _when(t: float) -> datetime:
    return datetime.fromtimestamp(t, timezone.utc)


def _out(share: Share, url: str | None = None) -> ShareOut:
    return ShareOut(id=share.id, sample_id=share.sample_id, url=url, colorways=share.colorways,
                    language=share.language, created_at=_when(share.created_at), expires_at=_when(share.expires_at),
                    revoked=share.revoked_at is not None)


@router.post("/samples/{sample_id}/shares", status_code=201, response_model=ShareOut)
def create(sample: SampleDep, body: ShareCreate, request: Request, db: DbDep,
           user: Principal("share:write")) -> ShareOut:
    """A read-only link for a client; ``url`` is shown in this answer only."""
    share, token = create_share(db, user, sample, body.colorways, body.expires_in_days, body.language)
    return _out(share, str(request.base_url).rstrip("/") + f"/s/{token}")


@router.get("/samples/{sample_id}/shares", response_model=list[ShareOut])
def shares_of(sample: SampleDep, db: DbDep, user: Principal("share:write")) -> list[ShareOut]:
    """The sample's links (without their tokens, which are not stored)."""
    return [_out(s) for s in list_shares(db, user.org_id, sample.id)]


@router.delete("/shares/{share_id}", response_model=ShareOut)
def revoke(share_id: str, db: DbDep, user: Principal("share:write")) -> ShareOut:
    """Withdraw a link: it answers 410 from now on."""
    return _out(revoke_share(db, user.org_id, share_id))


@router.get("/samples/{sample_id}/feedback", response_model=list[FeedbackOut])
def feedback_of(sample: SampleDep, db: DbDep, user: Principal("feedback:read")) -> list[FeedbackOut]:
    """Approvals and comments clients left through share links, oldest first."""
    return [FeedbackOut(id=f.id, sample_id=f.sample_id, kind=f.kind, author=f.author, text=f.text,
                        created_at=_when(f.created_at)) for f in list_feedback(db, sample.id)]
