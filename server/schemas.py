"""Request and response bodies of the HTTP API, split by role.

Input models check shapes and types only (FastAPI answers 422 with its
standard detail when they fail); the garment rules (known pattern and fabric,
size labels, human measurement ranges, parameter ranges) are checked by
:func:`garment3d.pipeline.validate_request`, so the CLI and the API say the
same thing. Output models list exactly what a client may see: no file-system
paths, no raw stored request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from garment3d.pipeline import SampleRequest
from garment3d.types import Measurements

__all__ = [
    "MeasurementsIn",
    "SampleCreate",
    "SampleLinks",
    "SampleAccepted",
    "SampleReport",
    "SampleStatus",
    "FrameList",
    "ParameterInfo",
    "PatternInfo",
    "NEST_MEDIA_TYPES",
    "FabricInfo",
    "Health",
    "ErrorMessage",
]

# A JSON number that is finite (Python's json module would accept NaN and Infinity); no numeric strings.
FiniteNumber = Annotated[float, Field(strict=True, allow_inf_nan=False)]
ParameterName = Annotated[str, Field(min_length=1, max_length=64)]
Gender = Literal["female", "male"]
Quality = Literal["draft", "standard"]
JobStatus = Literal["queued", "running", "done", "failed"]


# --------------------------------------------------------------------------- input


class MeasurementsIn(BaseModel):
    """Body measurements in centimetres (stature and horizontal girths), for ``size: "custom"``."""

    model_config = ConfigDict(extra="forbid")

    height: FiniteNumber = Field(description="stature, cm")
    bust: FiniteNumber = Field(description="bust (chest) girth, cm")
    waist: FiniteNumber = Field(description="natural waist girth, cm")
    hip: FiniteNumber = Field(description="hip girth at the fullest part, cm")


class SampleCreate(BaseModel):
    """What a designer asks for: one garment, one size, one fabric."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"pattern": "a_line_skirt", "size": "160/84A", "fabric": "linen_red", "quality": "draft"},
                {
                    "pattern": "a_line_skirt",
                    "size": "custom",
                    "fabric": "poplin_grey",
                    "gender": "female",
                    "measurements": {"height": 165, "bust": 88, "waist": 70, "hip": 96},
                    "parameters": {"length": 70},
                    "quality": "standard",
                },
            ]
        },
    )

    pattern: str = Field(min_length=1, max_length=64, description="library pattern name, see GET /api/patterns")
    size: str = Field(min_length=1, max_length=32, description="GB/T 1335 size such as 160/84A, or 'custom'")
    fabric: str = Field(min_length=1, max_length=64, description="fabric name, see GET /api/fabrics")
    gender: Gender = "female"
    measurements: MeasurementsIn | None = Field(default=None, description="required with size 'custom', else omitted")
    parameters: dict[ParameterName, FiniteNumber] = Field(
        default_factory=dict, max_length=64, description="style parameter overrides by name, in the pattern's units"
    )
    quality: Quality = "standard"
    allow_failed_drape: bool = Field(
        default=False, description="render even if the drape fails its quality gates (for inspection)"
    )

    def to_request(self) -> SampleRequest:
        """The pipeline's request for this body (not yet validated)."""
        measurements = None
        if self.measurements is not None:
            m = self.measurements
            measurements = Measurements(
                height_cm=m.height, bust_cm=m.bust, waist_cm=m.waist, hip_cm=m.hip, gender=self.gender
            )
        return SampleRequest(
            pattern=self.pattern,
            size=self.size,
            fabric=self.fabric,
            gender=self.gender,
            measurements=measurements,
            parameters=tuple(sorted(self.parameters.items())),
            quality=self.quality,
            allow_failed_drape=self.allow_failed_drape,
        )


# --------------------------------------------------------------------------- output


class SampleLinks(BaseModel):
    """Where to find the sample and, once it is done, its files."""

    self: str
    frames: str | None = None
    animation: str | None = None
    model: str | None = None
    pattern: str | None = None


class SampleAccepted(BaseModel):
    id: str
    status: JobStatus
    links: SampleLinks


class SampleReport(BaseModel):
    """The summary of a finished sample (from the pipeline's ``sample.json``), without file names."""

    size: dict[str, Any] = Field(default_factory=dict, description="label, size system and target measurements (cm)")
    body_measured_cm: dict[str, Any] = Field(default_factory=dict, description="the body's own measurements")
    fabric: str | None = None
    parameters: dict[str, float] = Field(default_factory=dict, description="every style parameter as used")
    drape: dict[str, Any] = Field(default_factory=dict, description="drape quality figures")
    timings_s: dict[str, float] = Field(default_factory=dict, description="seconds per pipeline stage")


class SampleStatus(BaseModel):
    id: str
    status: JobStatus
    stage: str | None = Field(description="pipeline stage running or last run")
    progress: float = Field(ge=0, le=1, description="fraction of the whole pipeline done")
    error: str | None = Field(description="why the sample failed, when it did")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    report: SampleReport | None = Field(description="present when status is done")
    links: SampleLinks


class FrameList(BaseModel):
    id: str
    count: int
    frames: list[str]


class ParameterInfo(BaseModel):
    name: str
    label: str
    unit: str
    default: float
    minimum: float
    maximum: float


class PatternInfo(BaseModel):
    name: str
    label: str
    description: str
    measurements: list[str]
    parameters: list[ParameterInfo]
    thumbnail_url: str = Field(default="", description="URL path of the pattern's PNG thumbnail (pieces at 160/84A)")
    nest_url: str = Field(default="", description="URL path of the graded nest; add ?sizes=155/80A,160/84A,...")


# Graded-nest downloads (GET /api/patterns/{name}/nest.{format}) by format.
NEST_MEDIA_TYPES = {"svg": "image/svg+xml", "dxf": "application/dxf", "pdf": "application/pdf"}


class FabricInfo(BaseModel):
    name: str
    display_name: str
    density_gsm: float
    thickness_mm: float


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    worker: Literal["running", "stopped", "disabled"]
    queued: int
    running: int


class ErrorMessage(BaseModel):
    """Every error the API itself raises has this shape (FastAPI's validation errors carry a list instead)."""

    detail: str
