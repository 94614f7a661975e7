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
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from garment3d.pipeline import SampleRequest
from garment3d.types import Measurements

__all__ = [
    "MeasurementsIn", "SampleCreate", "SampleSubmit", "SampleRevise", "SampleLinks", "SampleReport", "SampleOut",
    "SampleList", "FileList", "ParameterInfo", "PatternInfo", "NEST_MEDIA_TYPES", "FabricInfo", "Health",
    "ShareCreate", "ShareOut", "FeedbackIn", "FeedbackOut", "UserCreate", "UserOut", "UserKey", "QuoteCreate",
    "QuoteOut", "InspirationOut", "RetentionOut", "SizeChart", "PatternUploadOut",
    "FigureInfo", "ColorwayInfo", "WorkerOut",
]



def _no_surrogates(text: str) -> str:
    """Reject strings a JSON decoder let through but UTF-8 cannot hold (a lone ``\\ud800``)."""
    if any("\ud800" <= c <= "\udfff" for c in text):
        raise ValueError("contains a lone surrogate (\\ud800-\\udfff), which is not text")
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):
        raise ValueError("contains control characters")
    return text


Text = Annotated[str, AfterValidator(_no_surrogates)]


def Str(min_length: int = 0, max_length: int = 200, **kwargs: Any) -> Any:
    return Annotated[Text, Field(min_length=min_length, max_length=max_length, **kwargs)]


# A JSON number that is finite (Python's json module would accept NaN and Infinity); no numeric strings.
FiniteNumber = Annotated[float, Field(strict=True, allow_inf_nan=False)]
ParameterName = Str(1, 64)
Tag = Str(1, 40)
Gender = Literal["female", "male"]
Figure = Literal["dress_form", "mannequin", "avatar"]  # garment3d.render.figure.FIGURE_STYLES
SkinTone = Literal["porcelain", "light", "medium", "tan", "brown", "deep"]  # garment3d.render.figure.SKIN_TONES
UploadId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]
Quality = Literal["draft", "standard"]
JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]


# --------------------------------------------------------------------------- input


class MeasurementsIn(BaseModel):
    """Body measurements in centimetres (stature and horizontal girths), for ``size: "custom"``."""

    model_config = ConfigDict(extra="forbid")

    height: FiniteNumber = Field(description="stature, cm")
    bust: FiniteNumber = Field(description="bust (chest) girth, cm")
    waist: FiniteNumber = Field(description="natural waist girth, cm")
    hip: FiniteNumber = Field(description="hip girth at the fullest part, cm")
    waist_at: Literal["natural", "navel"] = Field(
        default="natural", description="where the waist girth was taken: 'natural' (ISO 8559-1, between the lowest "
                                       "rib and the iliac crest; GB/T 1335) or 'navel' (as ANSUR II measures it)")
    waist_height: FiniteNumber | None = Field(
        default=None, description="natural waist height above the floor, cm (GB/T 1335 control height); "
                                  "omitted: predicted from height and girths")
    cervical_height: FiniteNumber | None = Field(
        default=None, description="back neck point (cervicale) height above the floor, cm; omitted: predicted")
    arm_length: FiniteNumber | None = Field(
        default=None, description="arm length, shoulder point to wrist with the arm hanging, cm (GB/T 1335 "
                                  "control length); omitted: predicted from height and girths")
    thigh: FiniteNumber | None = Field(
        default=None, description="one thigh's girth just below the crotch (gluteal fold), cm; omitted: predicted")
    inside_leg: FiniteNumber | None = Field(
        default=None, description="inside leg, floor to crotch, cm (ISO 8559-1); the body's legs are fitted to it "
                                  "and the control heights not given are predicted given it; omitted: the body's own")


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

    pattern: Str(1, 64) | None = Field(
        default=None, description="library pattern name, see GET /api/v1/patterns (or give pattern_upload)")
    pattern_upload: UploadId | None = Field(
        default=None, description="id of an uploaded pattern (POST /api/v1/patterns) instead of a library name")
    size: Str(1, 32) = Field(description="GB/T 1335 size such as 160/84A, 'custom' with measurements, or for a "
                                         "fixed-size uploaded pattern 'pattern': the body its sidecar names")
    fabric: Str(1, 64) = Field(description="fabric name, see GET /api/v1/fabrics")
    gender: Gender = "female"
    measurements: MeasurementsIn | None = Field(default=None, description="required with size 'custom', else omitted")
    parameters: dict[ParameterName, FiniteNumber] = Field(
        default_factory=dict, max_length=64, description="style parameter overrides by name, in the pattern's units"
    )
    quality: Quality = "standard"
    allow_failed_drape: StrictBool = Field(
        default=False, description="render even if the drape fails its quality gates (for inspection)"
    )
    figure: Figure = Field(default="dress_form", description="what the renders show the garment on, see "
                                                             "GET /api/v1/figures (display only)")
    skin_tone: SkinTone = Field(default="medium", description="skin tone of the avatar figure")
    colorway: Str(1, 40) | None = Field(
        default=None, description="render the fabric in this colour: one of its colorways (GET /api/v1/fabrics/"
                                  "{name}), #rrggbb or a CSS colour name. A revision changing only this reuses "
                                  "the drape: only the render runs")

    @model_validator(mode="after")
    def _one_pattern(self):
        if (self.pattern is None) == (self.pattern_upload is None):
            raise ValueError("give either 'pattern' (a library name) or 'pattern_upload' (an uploaded pattern's id)")
        return self

    def to_request(self, pattern_file: Path | None = None, sidecar: Path | None = None) -> SampleRequest:
        """The pipeline's request for this body (not yet validated); an upload's files are given as paths."""
        measurements = None
        if self.measurements is not None:
            m = self.measurements
            measurements = Measurements(
                height_cm=m.height, bust_cm=m.bust, waist_cm=m.waist, hip_cm=m.hip, gender=self.gender,
                waist_at=m.waist_at, waist_height_cm=m.waist_height, cervical_height_cm=m.cervical_height,
                arm_length_cm=m.arm_length, thigh_cm=m.thigh, inside_leg_cm=m.inside_leg,
            )
        if self.pattern_upload is not None and pattern_file is None:
            raise ValueError("an uploaded pattern's request needs the upload's files (server.pattern_uploads)")
        return SampleRequest(
            pattern=self.pattern or "upload",
            pattern_file=pattern_file,
            sidecar=sidecar,
            size=self.size,
            fabric=self.fabric,
            gender=self.gender,
            measurements=measurements,
            parameters=tuple(sorted(self.parameters.items())),
            quality=self.quality,
            allow_failed_drape=self.allow_failed_drape,
            colorway=self.colorway,
            figure=self.figure,
            skin_tone=self.skin_tone,
        )


# --------------------------------------------------------------------------- input: samples


class SampleMeta(BaseModel):
    """What the design database records beside the request (not an input of the computation)."""

    title: Str(0, 200) = ""
    client: Str(0, 200) = Field(default="", description="the client the sample is for")
    tags: list[Tag] = Field(default_factory=list, max_length=32)
    colours: list[Str(1, 40)] = Field(default_factory=list, max_length=16, description="colour names or #rrggbb")
    priority: Literal["interactive", "batch"] = Field(
        default="interactive", description="'batch' for bulk submissions: with the distributed backend an "
                                           "interactive change goes ahead of every batch job waiting")


class SampleSubmit(SampleCreate, SampleMeta):
    """A new sample: the request plus its design-database fields."""

    def request_part(self) -> dict[str, Any]:
        return SampleCreate.model_validate(self.model_dump(include=set(SampleCreate.model_fields))).model_dump(
            mode="json")

    def meta_part(self) -> dict[str, Any]:
        return self.model_dump(include=set(SampleMeta.model_fields))


class SampleRevise(BaseModel):
    """A revision: the fields to change; everything else is kept from the sample revised."""

    model_config = ConfigDict(extra="forbid")

    pattern: Str(1, 64) | None = None
    pattern_upload: UploadId | None = None
    size: Str(1, 32) | None = None
    fabric: Str(1, 64) | None = None
    gender: Gender | None = None
    measurements: MeasurementsIn | None = None
    parameters: dict[ParameterName, FiniteNumber] | None = Field(default=None, max_length=64)
    quality: Quality | None = None
    allow_failed_drape: StrictBool | None = None
    colorway: Str(1, 40) | None = None
    figure: Figure | None = None
    skin_tone: SkinTone | None = None
    priority: Literal["interactive", "batch"] | None = None
    title: Str(0, 200) | None = None
    client: Str(0, 200) | None = None
    tags: list[Tag] | None = Field(default=None, max_length=32)
    colours: list[Str(1, 40)] | None = Field(default=None, max_length=16)


# --------------------------------------------------------------------------- output


class SampleLinks(BaseModel):
    """Where to find the sample and, once it is done, its files."""

    self: str
    files: str | None = None
    frames: str | None = None
    animation: str | None = None
    model: str | None = None
    pattern: str | None = None
    manifest: str | None = None


class SampleReport(BaseModel):
    """The summary of a finished sample (from the pipeline's ``sample.json``), without file names."""

    size: dict[str, Any] = Field(default_factory=dict, description="label, size system and target measurements (cm)")
    body_measured_cm: dict[str, Any] = Field(default_factory=dict, description="the body's own measurements")
    fabric: str | None = None
    parameters: dict[str, float] = Field(default_factory=dict, description="every style parameter as used")
    drape: dict[str, Any] = Field(default_factory=dict, description="drape quality figures")
    timings_s: dict[str, float] = Field(default_factory=dict, description="seconds per pipeline stage")


class SampleOut(BaseModel):
    id: str
    status: JobStatus
    stage: str | None = Field(description="pipeline stage running or last run")
    progress: float = Field(ge=0, le=1, description="fraction of the whole pipeline done")
    error: str | None = Field(description="why the sample failed, when it did")
    reused: bool = Field(description="served from an earlier identical request's result")
    revision: int
    family_id: str
    parent_id: str | None
    pattern: str
    size: str
    fabric: str
    title: str
    client: str
    tags: list[str]
    colours: list[str]
    approval: Literal["pending", "approved", "changes_requested"]
    request: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    report: SampleReport | None = Field(description="present when status is done")
    links: SampleLinks


class SampleList(BaseModel):
    total: int
    items: list[SampleOut]


class FileList(BaseModel):
    """URLs of every file of a done sample, by kind."""

    id: str
    frames: list[str]
    stills: list[str]
    animation: str | None
    model: str | None
    pattern_svg: str | None
    pattern_pdf: str
    pattern_dxf: str
    manifest: str


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
    label_zh: str = Field(default="", description="the garment's name in Simplified Chinese")
    description: str
    measurements: list[str]
    parameters: list[ParameterInfo]
    thumbnail_url: str = Field(default="", description="URL path of the pattern's PNG thumbnail (pieces at 160/84A)")
    nest_url: str = Field(default="", description="URL path of the graded nest; add ?sizes=155/80A,160/84A,...")


# Graded-nest downloads (GET /api/v1/patterns/{name}/nest.{format}) by format.
NEST_MEDIA_TYPES = {"svg": "image/svg+xml", "dxf": "application/dxf", "pdf": "application/pdf"}


class ColorwayInfo(BaseModel):
    name: str
    hex: str
    swatch_url: str = Field(description="URL path of a PNG of the fabric in this colour")


class FabricInfo(BaseModel):
    name: str
    display_name: str
    display_name_zh: str = ""
    density_gsm: float
    thickness_mm: float
    swatch_url: str = Field(default="", description="URL path of the fabric's swatch (its base colour image, PNG)")
    colorways: list[ColorwayInfo] = Field(default_factory=list)


class FigureInfo(BaseModel):
    """A figure style the renders show the garment on (``figure`` of a sample request)."""

    name: Literal["dress_form", "mannequin", "avatar"]
    label: str
    label_zh: str
    description: str
    skin_tones: list[str] = Field(default_factory=list, description="``skin_tone`` values this style takes")


class SizeChart(BaseModel):
    system: str
    gender: str
    sizes: list[dict[str, Any]]


class WorkerOut(BaseModel):
    name: str = Field(description="the worker's name (Celery node name, or the process id of an embedded worker)")
    queues: list[str] = Field(description="the queues it takes jobs from")
    concurrency: int | None = Field(description="jobs it runs at once")


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    workers: Literal["running", "stopped", "disabled"]
    queued: int
    running: int
    backend: Literal["embedded", "celery"] = Field(default="embedded", description="where jobs run")
    storage: str = Field(default="local", description="the artifact store: local (a folder) or s3")
    fleet: list[WorkerOut] = Field(default_factory=list, description="the workers that answered")
    queue_depth: dict[str, int] = Field(
        default_factory=dict, description="messages waiting in each broker queue (drape, render); with the "
                                          "embedded backend, queued jobs in its one queue")
    checked_at: datetime | None = Field(default=None, description="when the broker was last asked (Celery)")


class ShareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_in_days: float = Field(default=14, gt=0, le=365, allow_inf_nan=False)
    colorways: list[Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]] = Field(
        default_factory=list, max_length=12,
        description="revisions of the same sample the client may switch between (other fabrics); empty: this one")
    language: Literal["en", "zh"] | None = Field(default=None, description="viewer language; default: the browser's")


class ShareOut(BaseModel):
    id: str
    sample_id: str
    url: str | None = Field(description="the viewer link; present only in the answer that created it")
    colorways: list[str]
    language: str | None
    created_at: datetime
    expires_at: datetime
    revoked: bool


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["approve", "comment", "changes"]
    author: Str(0, 100) = ""
    text: Str(0, 4000) = ""


class FeedbackOut(BaseModel):
    id: str
    sample_id: str
    kind: str
    author: str
    text: str
    created_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Str(1, 128)
    role: Literal["designer", "sales", "admin"]


class UserOut(BaseModel):
    id: str
    name: str
    role: str
    organisation: str
    key_prefix: str
    created_at: datetime
    disabled: bool


class UserKey(BaseModel):
    user: UserOut
    api_key: str = Field(description="shown once: store it now")


class SizeQuantity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    size: Str(1, 32)
    quantity: int = Field(strict=True, ge=1, le=1_000_000)


class QuoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sizes: list[SizeQuantity] = Field(min_length=1, max_length=20)
    fabric_price_per_m: FiniteNumber | None = Field(default=None, ge=0, le=1e5,
                                                    description="default: the fabric's list price")
    making_cost: FiniteNumber | None = Field(default=None, ge=0, le=1e5, description="per garment; default: setting")
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    fabric_width_cm: FiniteNumber = Field(default=140.0, ge=50, le=400)
    interfacing_price_per_m: FiniteNumber = Field(default=0.0, ge=0, le=1e5,
                                                  description="fusible interfacing, per metre of its roll")
    interfacing_width_cm: FiniteNumber = Field(default=90.0, ge=50, le=400)
    language: Literal["en", "zh"] | None = None
    client: Str(0, 200) | None = None


class QuoteOut(BaseModel):
    id: str
    number: str
    sample_id: str
    created_at: datetime
    currency: str
    total: float
    lines: list[dict[str, Any]]
    pdf_url: str


class InspirationOut(BaseModel):
    id: str
    sample_id: str | None
    title: str
    media_type: str
    palette: list[str]
    url: str
    created_at: datetime


class PatternUploadOut(BaseModel):
    """An uploaded pattern definition, checked and stored; samples name it by ``id`` (``pattern_upload``)."""

    id: str
    name: str = Field(description="the uploaded file's name, made safe")
    kind: Literal["toml", "garmentcode", "dxf", "svg"]
    sidecar: bool = Field(description="a sidecar TOML came with it")
    units: str | None = Field(description="DXF units given at upload (None: what the file states or suggests)")
    fixed_size: bool = Field(description="cut pieces of one size (GarmentCode, DXF, SVG), not a graded definition")
    pieces: list[str]
    body: dict[str, float] | None = Field(description="the body (cm) a fixed-size pattern was drafted for, when "
                                                      "its sidecar names it: sample it with size 'pattern'")
    size: str | None = Field(description="the size of a graded file that is used")
    created_at: datetime


class RetentionOut(BaseModel):
    samples_purged: int
    artifacts_deleted: int
    drapes_deleted: int = Field(default=0, description="kept drapes (colorway reuse) unused for the retention time")
