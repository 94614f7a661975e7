"""/api/v1/samples/{id}/style: the designer publishes a sample as a style with guardrails, reads it, withdraws it.

While a style is published, every share link of the sample's family offers the client the allowed changes.
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Response

from garment3d.errors import NotFoundError
from server.auth import Principal
from server.deps import DbDep
from server.errors import PROBLEM_RESPONSES
from server.routes.samples import SampleDep
from server.style_schemas import GuardrailsIn, StyleOut
from server.styles import Style, live_style, publish_style, withdraw_style

__all__ = ["router", "style_out"]

router = APIRouter(prefix="/api/v1/samples", tags=["styles"], responses=PROBLEM_RESPONSES)


def _when(t: float) -> datetime:
    return datetime.fromtimestamp(t, timezone.utc)


def style_out(style: Style) -> StyleOut:
    return StyleOut(id=style.id, sample_id=style.sample_id, family_id=style.family_id, guardrails=style.guardrails,
                    created_at=_when(style.created_at), updated_at=_when(style.updated_at))


@router.put("/{sample_id}/style", response_model=StyleOut)
def publish(sample: SampleDep, body: GuardrailsIn, db: DbDep, user: Principal("style:write")) -> StyleOut:
    """Publish this sample as its family's style with these guardrails (replacing any published before): it
    becomes the revision clients customise from. 422 names the field the pattern, fabrics or sizes disallow."""
    style, _ = publish_style(db, user, sample, body.model_dump(mode="json"))
    return style_out(style)


@router.get("/{sample_id}/style", response_model=StyleOut)
def read(sample: SampleDep, db: DbDep) -> StyleOut:
    """The family's published style and guardrails (404 when none is published)."""
    style = live_style(db, sample.org_id, sample.family_id)
    if style is None:
        raise NotFoundError(f"sample {sample.id} has no published style")
    return style_out(style)


@router.delete("/{sample_id}/style", status_code=204, response_class=Response)
def withdraw(sample: SampleDep, db: DbDep, user: Principal("style:write")) -> Response:
    """Stop offering customisation on the family's links (proposals made so far stay)."""
    withdraw_style(db, sample.org_id, sample.family_id)
    return Response(status_code=204)
