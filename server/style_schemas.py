"""Request and response bodies of published styles, their guardrails and clients' proposals.

The input models check shapes only; what the guardrails mean (parameters of the pattern inside its own ranges,
fabrics and colorways of the library, chart sizes) is checked by :mod:`garment3d.guardrails`, which names the
field (``body.parameters.length.max``) as the rest of the API does. The client's view of a proposal never holds
measurements; the designer's does (their organisation only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from server.schemas import FiniteNumber, JobStatus, MeasurementsIn, ParameterName, Str

__all__ = ["GuardrailsIn", "StyleOut", "ProposalIn", "ChangeOut", "CommentIn", "CommentOut", "ProposalOut",
           "ProposalLinks", "ClientProposalOut", "ClientComment"]

ChangeKind = Literal["look", "shape", "none"]


class FabricChoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fabric: Str(1, 64) = Field(description="a fabric of the library (GET /api/v1/fabrics)")
    colorways: list[Str(1, 40)] = Field(default_factory=list, max_length=24,
                                        description="its colorways the client may pick; empty: its own colour")


class GuardrailsIn(BaseModel):
    """What a client may change from the share link, and by how much."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "parameters": {"length": {"min": 55, "max": 80, "step": 1},
                           "flare": {"choices": {"straight": 4, "A-line": 14, "full": 24}}},
            "fabrics": [{"fabric": "linen_red", "colorways": ["red", "natural", "olive"]}],
            "sizes": ["155/80A", "160/84A", "165/88A"],
            "own_measurements": True,
        }]},
    )

    parameters: dict[ParameterName, dict[Str(1, 40), Any]] = Field(
        default_factory=dict, max_length=64,
        description="style parameters the client may set, by name: {min, max, step?} (a range inside the "
                    "pattern's own, a slider) or {choices: {name: value}} (option buttons)")
    fabrics: list[FabricChoiceIn] = Field(default_factory=list, max_length=12,
                                          description="fabrics (and colorways) the client may choose")
    sizes: list[Str(1, 32)] = Field(default_factory=list, max_length=20,
                                    description="chart sizes the client may pick")
    own_measurements: StrictBool = Field(default=False, description="the client may give their own measurements")


class StyleOut(BaseModel):
    id: str
    sample_id: str = Field(description="the current revision: what clients customise from")
    family_id: str
    guardrails: dict[str, Any] = Field(description="as published, with defaults filled in (e.g. each range's step)")
    created_at: datetime
    updated_at: datetime


class ProposalIn(BaseModel):
    """A client's change: the values they chose; anything left out stays as the style has it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"parameters": {"length": 72}}, {"colorway": "olive"},
        {"measurements": {"height": 165, "bust": 88, "waist": 70, "hip": 96}}]})

    parameters: dict[ParameterName, FiniteNumber] = Field(default_factory=dict, max_length=64)
    fabric: Str(1, 64) | None = None
    colorway: Str(1, 40) | None = Field(default=None, description="one of the fabric's colorways the designer "
                                                                  "offers; null with a fabric: its own colour")
    size: Str(1, 32) | None = Field(default=None, description="a chart size the designer offers")
    measurements: MeasurementsIn | None = Field(default=None, description="the client's own, when the designer "
                                                                          "allows it (instead of a size)")
    author: Str(0, 100) = ""

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(mode="json", exclude={"author"}, exclude_unset=True)
        if self.measurements is not None:
            given["measurements"] = self.measurements.model_dump(mode="json", exclude_none=True)
        return given


class ChangeOut(BaseModel):
    field: str = Field(description="parameters.NAME, fabric, colorway, size or measurements.NAME")
    label: str
    unit: str
    before: float | str | None = Field(description="the style's value")
    after: float | str | None = Field(description="the proposal's value")


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Str(1, 4000)


class CommentOut(BaseModel):
    id: str
    author: str
    text: str
    created_at: datetime


class ProposalLinks(BaseModel):
    sample: str = Field(description="the proposal's revision (a sample)")
    before_after: str = Field(description="PNG: the style's front view beside the proposal's")
    pattern_overlay: str = Field(description="SVG: the pattern pieces before (dashed) and after")
    accept: str
    comments: str


class ProposalOut(BaseModel):
    """A client's proposal as the designer's organisation sees it."""

    id: str
    sample_id: str
    base_sample_id: str = Field(description="the style revision it changes")
    share_id: str
    status: JobStatus = Field(description="of its sample")
    stage: str | None
    progress: float
    error: str | None
    kind: ChangeKind = Field(description="look: colour only, rendered on the kept drape; shape: drafted and "
                                         "draped again")
    author: str
    changes: list[ChangeOut] = Field(description="every field changed from the style, side by side")
    measurements: dict[str, Any] | None = Field(description="the client's own measurements (cm), if given")
    client_approved: bool
    accepted: bool
    accepted_at: datetime | None
    current: bool = Field(description="the style's current revision is this proposal's")
    created_at: datetime
    comments: list[CommentOut]
    links: ProposalLinks


class ClientComment(BaseModel):
    text: str
    created_at: datetime


class ClientProposalOut(BaseModel):
    """A proposal as the link's client sees it: no ids of samples, no measurements."""

    id: str
    status: JobStatus
    stage: str | None
    progress: float
    error: str | None
    kind: ChangeKind
    parameters: dict[str, float] = Field(description="the parameters changed from the style")
    fabric: str
    colorway: str | None
    size: str
    own_measurements: bool
    meta: str = Field(description="fabric and size as the page shows them")
    frames: list[str]
    stills: list[str]
    model: str | None
    feedback: str
    page: str
    client_approved: bool
    accepted: bool
    comments: list[ClientComment]
    created_at: datetime
