"""Client proposals: a change made through a share link of a published style, within its guardrails.

Each change is a new revision of the sample (tagged ``client-proposal``, owned by the designer who published
the style) plus a proposal row saying which link made it, from which revision and with what values. A change
of colour only is a job that reuses the drape (``garment3d.drape_cache``): only the render runs. The client's
own measurements are kept with the proposal and in the revision's request: both are read only through the
organisation's API, never through the link.

Each link is rate-limited: at most ``link_changes_per_hour`` changes in a rolling hour and
``link_active_changes`` changes queued or computing at once (429 with Retry-After beyond either).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from garment3d.errors import NotFoundError
from garment3d.guardrails import Choice, GuardrailError, change_kind, check_choice
from garment3d.pipeline import validate_request
from server.accounts import User, get_user
from server.db.engine import Database, new_id, now
from server.db.tables import jobs, proposal_comments, proposals, samples
from server.errors import ConflictError, RateLimitedError
from server.jobs.queue import JobQueue
from server.samples import Sample, create_sample, get_sample
from server.settings import ServerSettings
from server.shares import Share
from server.styles import Style, as_body_field, choice_of, definition_of, live_style, rules_of, set_current

__all__ = ["Proposal", "Comment", "PROPOSAL_TAG", "propose", "style_of_share",
           "link_proposal", "get_proposal", "list_proposals", "accept_proposal", "add_comment", "comments_of",
           "mark_client_approved", "latest_link_proposal", "purge_proposals"]

PROPOSAL_TAG = "client-proposal"
HOUR_S = 3600.0


@dataclass(frozen=True)
class Proposal:
    id: str
    org_id: str
    style_id: str
    share_id: str
    sample_id: str
    base_sample_id: str
    kind: str
    choice: dict[str, Any]
    measurements: dict[str, Any] | None
    author: str
    created_at: float
    client_approved_at: float | None
    accepted_at: float | None
    accepted_by: str | None


@dataclass(frozen=True)
class Comment:
    id: str
    proposal_id: str
    author: str
    text: str
    created_at: float


def _proposal(row) -> Proposal:
    return Proposal(**{name: getattr(row, name) for name in Proposal.__dataclass_fields__})


def style_of_share(db: Database, share: Share) -> tuple[Style, Sample]:
    """The live style of the link's sample family and its current revision; 404 when the link offers none."""
    shared = get_sample(db, share.org_id, share.sample_id)
    style = live_style(db, share.org_id, shared.family_id)
    if style is None:
        raise NotFoundError("this link does not offer customisation (the designer has not published the style)")
    return style, get_sample(db, share.org_id, style.sample_id)


def latest_link_proposal(db: Database, share_id: str) -> Proposal | None:
    with db.read() as conn:
        row = conn.execute(select(proposals).where(proposals.c.share_id == share_id)
                           .order_by(proposals.c.created_at.desc()).limit(1)).first()
    return _proposal(row) if row else None


def _check_rate(db: Database, settings: ServerSettings, share_id: str) -> None:
    t = now()
    with db.read() as conn:
        recent = conn.execute(select(proposals.c.created_at).where(
            proposals.c.share_id == share_id, proposals.c.created_at > t - HOUR_S)
            .order_by(proposals.c.created_at)).scalars().all()
        active = conn.execute(select(func.count()).select_from(proposals)
                              .join(samples, samples.c.id == proposals.c.sample_id)
                              .join(jobs, jobs.c.id == samples.c.job_id)
                              .where(proposals.c.share_id == share_id, jobs.c.status.in_(("queued", "running")),
                                     samples.c.cancelled.is_(False))).scalar_one()
    if active >= settings.link_active_changes:
        raise RateLimitedError("your previous change is still being prepared; make the next one when it is ready",
                               retry_after_s=5)
    if len(recent) >= settings.link_changes_per_hour:
        wait = max(1, math.ceil(recent[-settings.link_changes_per_hour] + HOUR_S - t))
        raise RateLimitedError(f"this link has made {len(recent)} changes in the last hour, as many as it may; "
                               f"try again in {math.ceil(wait / 60)} min", retry_after_s=wait)


def _merged_request(base: Sample, changes: dict[str, Any], kept: dict[str, Any] | None) -> dict[str, Any]:
    """The base revision's request with the client's fields (everything else is the designer's). Size
    ``custom`` without measurements keeps the link's own measurements (``kept``), never shown back to it."""
    from garment3d.errors import InvalidRequestError
    from server.schemas import SampleCreate

    if changes.get("size") == "custom" and changes.get("measurements") is None:
        if kept is not None:
            changes = changes | {"measurements": kept}
        elif base.request.get("size") == "custom":  # the style's own body, as designed
            changes = {k: v for k, v in changes.items() if k != "size"}
        else:
            raise InvalidRequestError("body.measurements: size 'custom' needs your measurements")
    designed = choice_of(base.request, definition_of(base)).parameters
    merged = dict(base.request)
    merged["parameters"] = dict(base.request.get("parameters") or {}) | {  # a value left as designed adds nothing
        name: value for name, value in (changes.get("parameters") or {}).items() if designed.get(name) != value}
    if "fabric" in changes:
        merged["fabric"] = changes["fabric"]
        merged["colorway"] = changes.get("colorway")  # another fabric: its own colour unless one is named
    elif "colorway" in changes:
        merged["colorway"] = changes["colorway"]
    if changes.get("measurements") is not None:
        merged["size"], merged["measurements"] = "custom", changes["measurements"]
    elif changes.get("size") is not None:
        merged["size"], merged["measurements"] = changes["size"], None
    return SampleCreate.model_validate(merged).model_dump(mode="json")


def _given(measurements: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if measurements is None else {k: v for k, v in measurements.items() if v is not None}


def _checked_choice(style: Style, base: Sample, request: dict[str, Any]) -> Choice:
    definition = definition_of(base)
    gender = base.request.get("gender") or "female"
    try:
        proposed = choice_of(request, definition, checked=False)
        check_choice(rules_of(style, definition, gender), choice_of(base.request, definition), proposed)
    except GuardrailError as exc:
        raise as_body_field(exc) from None
    return proposed


def propose(db: Database, queue: JobQueue, settings: ServerSettings, share: Share, changes: dict[str, Any],
            author: str = "") -> tuple[Proposal, bool]:
    """A new proposal (a revision queued for computing) from the link's client; False when the change is the
    link's latest proposal again (that one is answered)."""
    style, base = style_of_share(db, share)
    latest = latest_link_proposal(db, share.id)
    request = _merged_request(base, changes, latest.measurements if latest is not None else None)
    proposed = _checked_choice(style, base, request)
    from server.schemas import SampleCreate

    validate_request(SampleCreate.model_validate(request).to_request())  # measurements in human range, ...
    definition = definition_of(base)
    before = choice_of(base.request, definition)
    if latest is not None:
        shown = get_sample(db, share.org_id, latest.sample_id, include_deleted=True)
        if shown.request == request and shown.status not in ("failed", "cancelled"):
            return latest, False
        before = choice_of(shown.request, definition)  # what the client saw: a colour change of it only renders
    _check_rate(db, settings, share.id)
    owner: User = get_user(db, style.created_by)
    meta = {"title": base.title, "client": base.client, "colours": base.colours,
            "tags": list(dict.fromkeys([*base.tags, PROPOSAL_TAG]))}
    sample, _ = create_sample(db, queue, owner, request, meta, parent=base)
    designed = choice_of(base.request, definition).parameters
    choice = {"parameters": {k: v for k, v in proposed.parameters.items() if v != designed.get(k)},
              "fabric": proposed.fabric, "colorway": proposed.colorway, "size": proposed.size}
    proposal_id = new_id()
    with db.write() as conn:
        conn.execute(proposals.insert().values(
            id=proposal_id, org_id=share.org_id, style_id=style.id, share_id=share.id, sample_id=sample.id,
            base_sample_id=base.id, kind=change_kind(before, proposed), choice=choice,
            measurements=_given(request.get("measurements")), author=author, created_at=now()))
    return get_proposal(db, share.org_id, proposal_id), True


def get_proposal(db: Database, org_id: str, proposal_id: str) -> Proposal:
    with db.read() as conn:
        row = conn.execute(select(proposals).where(proposals.c.id == proposal_id[:64],
                                                   proposals.c.org_id == org_id)).first()
    if row is None:
        raise NotFoundError(f"no proposal with id '{proposal_id[:40]}'")
    return _proposal(row)


def link_proposal(db: Database, share: Share, proposal_id: str) -> Proposal:
    """A proposal made through this link (another link's proposals are unknown here)."""
    proposal = get_proposal(db, share.org_id, proposal_id)
    if proposal.share_id != share.id:
        raise NotFoundError(f"no proposal with id '{proposal_id[:40]}'")
    return proposal


def list_proposals(db: Database, org_id: str, family_id: str) -> list[Proposal]:
    """Every proposal on the family's style (withdrawn or republished ones too), oldest first."""
    with db.read() as conn:
        rows = conn.execute(select(proposals).join(samples, samples.c.id == proposals.c.sample_id).where(
            proposals.c.org_id == org_id, samples.c.family_id == family_id).order_by(proposals.c.created_at)).all()
    return [_proposal(row) for row in rows]


def accept_proposal(db: Database, proposal: Proposal, user: User) -> Proposal:
    """The proposal's revision becomes the style's current revision (clients customise from it from now on)."""
    sample = get_sample(db, proposal.org_id, proposal.sample_id)
    if sample.status != "done":
        raise ConflictError(f"proposal {proposal.id} is {sample.status}; accept it once its sample is done")
    set_current(db, proposal.style_id, sample.id)
    with db.write() as conn:
        conn.execute(update(proposals).where(proposals.c.id == proposal.id).values(
            accepted_at=now(), accepted_by=user.id))
    return get_proposal(db, proposal.org_id, proposal.id)


def mark_client_approved(db: Database, proposal: Proposal) -> None:
    with db.write() as conn:
        conn.execute(update(proposals).where(proposals.c.id == proposal.id).values(client_approved_at=now()))


def add_comment(db: Database, proposal: Proposal, user: User, text: str) -> Comment:
    comment_id, t = new_id(), now()
    with db.write() as conn:
        conn.execute(proposal_comments.insert().values(id=comment_id, proposal_id=proposal.id, author_id=user.id,
                                                       text=text, created_at=t))
    return Comment(comment_id, proposal.id, user.name, text, t)


def comments_of(db: Database, proposal_id: str) -> list[Comment]:
    from server.db.tables import users

    with db.read() as conn:
        rows = conn.execute(select(proposal_comments, users.c.name).join(users, users.c.id ==
                                                                         proposal_comments.c.author_id)
                            .where(proposal_comments.c.proposal_id == proposal_id)
                            .order_by(proposal_comments.c.created_at)).all()
    return [Comment(r.id, r.proposal_id, r.name, r.text, r.created_at) for r in rows]


def purge_proposals(conn, sample_ids: list[str], share_ids) -> None:
    """Retention: remove proposals (and their comments) touching purged samples or links, and styles whose
    current revision is purged (inside the retention's transaction)."""
    from sqlalchemy import delete, or_

    from server.db.tables import styles

    gone_styles = select(styles.c.id).where(styles.c.sample_id.in_(sample_ids))
    doomed = select(proposals.c.id).where(or_(proposals.c.sample_id.in_(sample_ids),
                                              proposals.c.base_sample_id.in_(sample_ids),
                                              proposals.c.share_id.in_(share_ids),
                                              proposals.c.style_id.in_(gone_styles)))
    conn.execute(delete(proposal_comments).where(proposal_comments.c.proposal_id.in_(doomed)))
    conn.execute(delete(proposals).where(proposals.c.id.in_(doomed)))
    conn.execute(delete(styles).where(styles.c.id.in_(gone_styles)))
