"""/api/v1/.../proposals: the designer's view of clients' proposals, and their answer (accept or comment).

A proposal shows the changed fields side by side with the style's, the style's front view beside the
proposal's (PNG) and the pattern pieces before and after (SVG overlay). Accepting makes the proposal's revision
the style's current one; a comment is shown to the client on their link.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from garment3d.guardrails import changes
from garment3d.patterns import evaluate
from garment3d.types import Pattern
from server.accounts import User
from server.auth import Principal, require
from server.deps import ArtifactsDep, DbDep, QueueDep
from server.errors import PROBLEM_RESPONSES, problem_doc
from server.proposals import Proposal, accept_proposal, add_comment, comments_of, get_proposal, list_proposals
from server.routes.files import FILE_HEADERS, files_of, require_done
from server.routes.samples import SampleDep
from server.samples import Sample, get_sample
from server.style_schemas import ChangeOut, CommentIn, CommentOut, ProposalLinks, ProposalOut
from server.styles import choice_of, definition_of, live_style

__all__ = ["router", "proposal_out"]

router = APIRouter(prefix="/api/v1", tags=["proposals"], responses=PROBLEM_RESPONSES)
_NOT_DONE = {409: problem_doc("the proposal's sample (or the style's) is not done yet")}


def _when(t: float | None) -> datetime | None:
    return datetime.fromtimestamp(t, timezone.utc) if t is not None else None


def _proposal(proposal_id: str, db: DbDep, user: Annotated[User, Depends(require("proposal:read"))]) -> Proposal:
    return get_proposal(db, user.org_id, proposal_id)


ProposalDep = Annotated[Proposal, Depends(_proposal)]


def proposal_out(db, proposal: Proposal) -> ProposalOut:
    sample = get_sample(db, proposal.org_id, proposal.sample_id, include_deleted=True)
    base = get_sample(db, proposal.org_id, proposal.base_sample_id, include_deleted=True)
    definition = definition_of(base)
    found = changes(definition, choice_of(base.request, definition), choice_of(sample.request, definition))
    style = live_style(db, proposal.org_id, base.family_id)
    url = f"/api/v1/proposals/{proposal.id}"
    return ProposalOut(
        id=proposal.id, sample_id=sample.id, base_sample_id=base.id, share_id=proposal.share_id,
        status=sample.status, stage=sample.job.stage, progress=sample.job.progress, error=sample.job.error,
        kind=proposal.kind, author=proposal.author,
        changes=[ChangeOut(field=c.field, label=c.label, unit=c.unit, before=c.before, after=c.after) for c in found],
        measurements=proposal.measurements, client_approved=proposal.client_approved_at is not None,
        accepted=proposal.accepted_at is not None, accepted_at=_when(proposal.accepted_at),
        current=style is not None and style.sample_id == sample.id, created_at=_when(proposal.created_at),
        comments=[CommentOut(id=c.id, author=c.author, text=c.text, created_at=_when(c.created_at))
                  for c in comments_of(db, proposal.id)],
        links=ProposalLinks(sample=f"/api/v1/samples/{sample.id}", before_after=f"{url}/before-after.png",
                            pattern_overlay=f"{url}/pattern-overlay.svg", accept=f"{url}/accept",
                            comments=f"{url}/comments"),
    )


@router.get("/samples/{sample_id}/proposals", response_model=list[ProposalOut])
def proposals_of(sample: SampleDep, db: DbDep, user: Principal("proposal:read")) -> list[ProposalOut]:
    """Every client proposal on the sample's style (any revision of the family), oldest first."""
    return [proposal_out(db, p) for p in list_proposals(db, sample.org_id, sample.family_id)]


@router.get("/proposals/{proposal_id}", response_model=ProposalOut)
def read(proposal: ProposalDep, db: DbDep) -> ProposalOut:
    """One proposal: what changed, side by side with the style, the client's measurements, comments."""
    return proposal_out(db, proposal)


def _front_png(queue, artifacts, sample: Sample) -> bytes:
    require_done(sample)
    frames = files_of(sample).get("frames") or []
    sha = queue.file_sha(sample.job.id, frames[0]) if frames else None
    path = artifacts.path(sha) if sha else None
    if path is None:
        from garment3d.errors import NotFoundError

        raise NotFoundError(f"sample {sample.id} has no front view")
    return path.read_bytes()


@router.get("/proposals/{proposal_id}/before-after.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}} | _NOT_DONE)
def before_after(proposal: ProposalDep, db: DbDep, queue: QueueDep, artifacts: ArtifactsDep) -> Response:
    """The style's front view (left) beside the proposal's (right)."""
    from garment3d.render.compare import before_after_png

    base = get_sample(db, proposal.org_id, proposal.base_sample_id, include_deleted=True)
    sample = get_sample(db, proposal.org_id, proposal.sample_id, include_deleted=True)
    png = before_after_png(_front_png(queue, artifacts, base), _front_png(queue, artifacts, sample),
                           f"style (revision {base.revision})", f"proposal (revision {sample.revision})")
    return Response(png, media_type="image/png", headers=FILE_HEADERS | {
        "Content-Disposition": f'inline; filename="proposal-{proposal.id[:8]}-before-after.png"'})


def _drafted(sample: Sample) -> Pattern:
    from garment3d.pipeline import validate_request
    from server.schemas import SampleCreate

    valid = validate_request(SampleCreate.model_validate(sample.request).to_request())
    return evaluate(definition_of(sample), valid.size.measurements, valid.parameters, valid.size.label,
                    fabric=valid.fabric)


@router.get("/proposals/{proposal_id}/pattern-overlay.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})
def pattern_overlay(proposal: ProposalDep, db: DbDep) -> Response:
    """The pattern pieces of the style (grey, dashed) under the proposal's (green), 1 unit = 1 mm."""
    from garment3d.patterns.overlay import pattern_overlay_svg

    base = get_sample(db, proposal.org_id, proposal.base_sample_id, include_deleted=True)
    sample = get_sample(db, proposal.org_id, proposal.sample_id, include_deleted=True)
    svg = pattern_overlay_svg(_drafted(base), _drafted(sample), f"style (revision {base.revision})",
                              f"proposal (revision {sample.revision})")
    return Response(svg, media_type="image/svg+xml", headers=FILE_HEADERS | {
        "Content-Disposition": f'inline; filename="proposal-{proposal.id[:8]}-pattern-overlay.svg"'})


@router.post("/proposals/{proposal_id}/accept", response_model=ProposalOut, responses=_NOT_DONE)
def accept(proposal: ProposalDep, db: DbDep, user: Principal("proposal:write")) -> ProposalOut:
    """Make the proposal's revision the style's current one: clients customise from it from now on."""
    return proposal_out(db, accept_proposal(db, proposal, user))


@router.post("/proposals/{proposal_id}/comments", status_code=201, response_model=CommentOut)
def comment(proposal: ProposalDep, body: CommentIn, db: DbDep, user: Principal("proposal:write")) -> CommentOut:
    """Answer the client: the comment shows on their link beside the proposal."""
    c = add_comment(db, proposal, user, body.text)
    return CommentOut(id=c.id, author=c.author, text=c.text, created_at=_when(c.created_at))
