"""Published styles: a sample family with the designer's guardrails, which its share links let clients customise.

One live style per family. Publishing a sample makes it the style's current revision (the one clients start
from); accepting a client's proposal makes that proposal the current revision. The guardrails are stored as the
data :func:`garment3d.guardrails.parse_guardrails` reads, checked when published against the pattern's parameter
schema, the fabric library, the size chart and the published sample's own values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from garment3d.errors import InvalidRequestError, NotFoundError
from garment3d.guardrails import Choice, GuardrailError, Guardrails, parse_guardrails
from garment3d.patterns import PatternDefinition, get_definition
from garment3d.patterns.evaluate import resolve_parameters
from garment3d.types import Measurements
from server.accounts import User
from server.db.engine import Database, new_id, now
from server.db.tables import styles
from server.samples import Sample

__all__ = ["Style", "publish_style", "live_style", "withdraw_style", "set_current", "choice_of", "rules_of",
           "definition_of", "as_body_field"]


@dataclass(frozen=True)
class Style:
    id: str
    org_id: str
    family_id: str
    sample_id: str  # the current revision
    guardrails: dict[str, Any]
    created_by: str
    created_at: float
    updated_at: float


def _style(row) -> Style:
    return Style(id=row.id, org_id=row.org_id, family_id=row.family_id, sample_id=row.sample_id,
                 guardrails=dict(row.guardrails), created_by=row.created_by, created_at=row.created_at,
                 updated_at=row.updated_at)


def as_body_field(error: GuardrailError) -> GuardrailError:
    """The error with its field named as the HTTP body has it (``body.parameters.length``)."""
    if not error.field.startswith("body."):
        error.field = "body." + error.field
        error.args = (f"{error.field}: {str(error).split(': ', 1)[-1]}",)
    return error


def definition_of(sample: Sample) -> PatternDefinition:
    if sample.request.get("pattern_upload"):
        raise InvalidRequestError("pattern_upload: a style is published from a library pattern's sample (an "
                                  "uploaded pattern's parameters cannot be customised yet)")
    return get_definition(sample.request["pattern"])


def choice_of(request: dict[str, Any], definition: PatternDefinition, *, checked: bool = True) -> Choice:
    """What a client can change of a sample request (its parameters with the pattern's defaults filled in;
    ``checked`` False takes the overrides as they are, unknown names and values out of range included, so the
    guardrails can be the ones to refuse them)."""
    m = request.get("measurements")
    measurements = None if m is None else Measurements(
        height_cm=m["height"], bust_cm=m["bust"], waist_cm=m["waist"], hip_cm=m["hip"],
        gender=request.get("gender") or "female", waist_at=m.get("waist_at") or "natural",
        waist_height_cm=m.get("waist_height"), cervical_height_cm=m.get("cervical_height"),
        arm_length_cm=m.get("arm_length"), thigh_cm=m.get("thigh"), inside_leg_cm=m.get("inside_leg"))
    overrides = dict(request.get("parameters") or {})
    parameters = (resolve_parameters(definition, overrides) if checked else
                  {p.name: p.default for p in definition.parameters} | overrides)
    return Choice(parameters=parameters,
                  fabric=request["fabric"], colorway=request.get("colorway"), size=request["size"],
                  measurements=measurements)


def rules_of(style: Style, definition: PatternDefinition, gender: str = "female") -> Guardrails:
    """The style's guardrails (checked when published; read back from their data)."""
    return parse_guardrails(style.guardrails, definition, gender=gender)


def publish_style(db: Database, user: User, sample: Sample, data: dict[str, Any]) -> tuple[Style, bool]:
    """Publish ``sample`` as its family's style with guardrails ``data`` (replacing a live style's); True when new."""
    definition = definition_of(sample)
    try:
        rails = parse_guardrails(data, definition, gender=sample.request.get("gender") or "female",
                                 base=choice_of(sample.request, definition))
    except GuardrailError as exc:
        raise as_body_field(exc) from None
    stored = rails.to_data()
    t = now()
    existing = live_style(db, sample.org_id, sample.family_id)
    with db.write() as conn:
        if existing is None:
            style_id = new_id()
            conn.execute(styles.insert().values(
                id=style_id, org_id=sample.org_id, family_id=sample.family_id, sample_id=sample.id,
                guardrails=stored, created_by=user.id, created_at=t, updated_at=t))
        else:
            style_id = existing.id
            conn.execute(update(styles).where(styles.c.id == style_id).values(
                sample_id=sample.id, guardrails=stored, updated_at=t))
        row = conn.execute(select(styles).where(styles.c.id == style_id)).first()
    return _style(row), existing is None


def live_style(db: Database, org_id: str, family_id: str) -> Style | None:
    with db.read() as conn:
        row = conn.execute(select(styles).where(styles.c.family_id == family_id, styles.c.org_id == org_id,
                                                styles.c.withdrawn_at.is_(None))).first()
    return _style(row) if row else None


def withdraw_style(db: Database, org_id: str, family_id: str) -> None:
    """Share links of the family stop offering customisation (proposals made so far stay)."""
    with db.write() as conn:
        done = conn.execute(update(styles).where(styles.c.family_id == family_id, styles.c.org_id == org_id,
                                                 styles.c.withdrawn_at.is_(None)).values(withdrawn_at=now())).rowcount
    if not done:
        raise NotFoundError("this sample has no published style")


def set_current(db: Database, style_id: str, sample_id: str) -> None:
    with db.write() as conn:
        conn.execute(update(styles).where(styles.c.id == style_id).values(sample_id=sample_id, updated_at=now()))
