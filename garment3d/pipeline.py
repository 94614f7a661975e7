"""The one orchestration module: request -> pattern -> body -> drape -> render.

The CLI and the server call :func:`validate_request` (fast, before queueing)
and :func:`run_sample`; nothing deeper.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from garment3d.body.pose import validate_arm_angle
from garment3d.errors import InvalidRequestError, SimulationError
from garment3d.fabrics import load_fabric
from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import resolve_parameters
from garment3d.patterns.svg import write_pattern_svg
from garment3d.render.turntable import check_options as check_render_options
from garment3d.sizes import custom_size, parse_size
from garment3d.types import DrapeReport, Fabric, Measurements, Pattern, RenderOptions, RenderSet, Size

__all__ = ["SampleRequest", "SampleResult", "QUALITY_PRESETS", "validate_request", "run_sample", "STAGES"]

log = logging.getLogger(__name__)

STAGES = ("pattern", "body", "mesh", "drape", "render")
ProgressCallback = Callable[[str, float], None]


@dataclass(frozen=True)
class QualityPreset:
    spacing_m: float
    frames: int
    size_px: int


QUALITY_PRESETS = {
    "draft": QualityPreset(spacing_m=0.02, frames=12, size_px=256),
    "standard": QualityPreset(spacing_m=0.01, frames=36, size_px=512),
}


@dataclass(frozen=True)
class SampleRequest:
    """What a designer asks for. ``size`` is a size label or ``"custom"``."""

    pattern: str = "a_line_skirt"
    size: str = "160/84A"
    fabric: str = "linen_red"
    gender: str = "female"
    measurements: Measurements | None = None
    parameters: tuple[tuple[str, float], ...] = ()
    quality: str = "standard"
    allow_failed_drape: bool = False
    arm_angle_deg: float | None = None  # None keeps the body's A-pose
    avatar: Path | None = None  # a client's own body mesh (OBJ/GLB/PLY) instead of a fitted body
    avatar_units: str | None = None  # "mm" | "cm" | "m"; None detects them
    # how the render looks and what it writes (display only: the drape always uses the real body)
    figure: str = "dress_form"  # "dress_form" | "mannequin" | "avatar"
    skin_tone: str = "medium"  # for the avatar figure
    outputs: tuple[str, ...] | None = None  # None: every kind (see garment3d.render.OUTPUT_KINDS)
    transparent: bool = False
    still_size_px: int = 1024
    hero: bool = False  # path-traced front and three-quarter stills (Mitsuba 3, slow: for quotes)
    colorways: tuple[str, ...] = ()  # more fabric names rendered on the same drape, with a contact sheet


@dataclass(frozen=True)
class ValidatedRequest:
    request: SampleRequest
    size: Size
    fabric: Fabric
    parameters: dict[str, float]


@dataclass(frozen=True)
class SampleResult:
    out_dir: Path
    pattern_svg: Path
    render: RenderSet
    report: DrapeReport
    timings: tuple[tuple[str, float], ...]
    summary: Path = field(default=Path())


def validate_request(request: SampleRequest) -> ValidatedRequest:
    """Check everything cheap to check (names, size, measurements, parameters); raise on the first problem."""
    if request.quality not in QUALITY_PRESETS:
        raise InvalidRequestError(f"quality must be one of {', '.join(QUALITY_PRESETS)}, not '{request.quality}'")
    definition = get_definition(request.pattern)
    fabric = load_fabric(request.fabric)
    if request.avatar is not None:
        if not Path(request.avatar).is_file():
            raise InvalidRequestError(f"avatar file '{request.avatar}' does not exist")
        if request.measurements is not None or request.size not in ("avatar", "custom", SampleRequest.size):
            raise InvalidRequestError("with an avatar the size comes from the avatar's own measurements; give no size")
        size = Size(label="avatar", system="avatar", measurements=Measurements(0.0, 0.0, 0.0, 0.0, request.gender))
    elif request.size == "custom":
        if request.measurements is None:
            raise InvalidRequestError("size 'custom' needs measurements (height, bust, waist, hip in cm)")
        size = custom_size(request.measurements)
    else:
        if request.measurements is not None:
            raise InvalidRequestError("give either a size label or size 'custom' with measurements, not both")
        size = parse_size(request.size, request.gender)
    parameters = resolve_parameters(definition, dict(request.parameters))
    validate_arm_angle(request.arm_angle_deg)
    check_render_options(_render_options(request, QUALITY_PRESETS[request.quality]))
    for name in request.colorways:
        load_fabric(name)
    return ValidatedRequest(request=request, size=size, fabric=fabric, parameters=parameters)


class _Stopwatch:
    def __init__(self, progress: ProgressCallback | None):
        self.progress = progress
        self.timings: list[tuple[str, float]] = []

    def run(self, stage: str, work: Callable[[], object]) -> object:
        if self.progress:
            self.progress(stage, 0.0)
        start = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - start
        self.timings.append((stage, seconds))
        log.info("stage %s took %.2f s", stage, seconds)
        if self.progress:
            self.progress(stage, 1.0)
        return result


def run_sample(request: SampleRequest, out_dir: Path, progress: ProgressCallback | None = None) -> SampleResult:
    """Run the whole pipeline and write every output into ``out_dir``."""
    # stages import heavy modules (numba kernels, OpenGL): load them on first use
    from garment3d.body import build_body
    from garment3d.body.avatar import load_avatar
    from garment3d.drape import DrapeOptions, drape
    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.render import render_turntable
    from garment3d.render.turntable import prepare_render

    valid = validate_request(request)
    preset = QUALITY_PRESETS[request.quality]
    out_dir.mkdir(parents=True, exist_ok=True)
    clock = _Stopwatch(progress)

    definition = get_definition(request.pattern)
    if request.avatar is not None:
        # the avatar decides the size: measure it first, then draft the pattern to it
        body = clock.run("body", lambda: load_avatar(request.avatar, units=request.avatar_units, gender=request.gender))
        valid = replace(valid, size=custom_size(body.measured))
    pattern: Pattern = clock.run(
        "pattern", lambda: evaluate(definition, valid.size.measurements, valid.parameters, valid.size.label)
    )
    svg = write_pattern_svg(pattern, out_dir / "pattern.svg")
    if request.avatar is None:
        body = clock.run("body", lambda: build_body(valid.size.measurements, request.arm_angle_deg))
    garment = clock.run("mesh", lambda: mesh_pattern(pattern, body, MeshOptions(spacing_m=preset.spacing_m)))
    drape_progress = (lambda f: progress("drape", f)) if progress else None
    options = _render_options(request, preset)
    warming = prepare_render(body, options, valid.fabric)  # figure, OpenGL context and shaders get ready while the cloth drapes
    try:
        result = clock.run("drape", lambda: drape(garment, body, valid.fabric, DrapeOptions(), drape_progress))
        _enforce_gates(result.report, request.allow_failed_drape)
    except BaseException:
        _discard(warming)
        raise
    inputs = _request_record(request) | {"size_label": valid.size.label}
    render: RenderSet = clock.run(
        "render",
        lambda: render_turntable(result, body, valid.fabric, options, out_dir, inputs=inputs, prepared=warming.result()),
    )
    extras = _render_extras(request, clock, result, body, valid.fabric, options, out_dir)
    timings = tuple(clock.timings)
    summary = _write_summary(out_dir, request, valid, body.measured, result.report, timings, render, svg, extras)
    return SampleResult(out_dir=out_dir, pattern_svg=svg, render=render, report=result.report,
                        timings=timings, summary=summary)


def _discard(warming) -> None:
    try:
        warming.result().discard()
    except Exception:  # the render stage was never reached: its set-up error does not matter
        log.debug("render preparation discarded", exc_info=True)


def _render_options(request: SampleRequest, preset: QualityPreset) -> RenderOptions:
    extra = {} if request.outputs is None else {"outputs": tuple(request.outputs)}
    return RenderOptions(
        frames=preset.frames, size_px=preset.size_px, figure=request.figure, skin_tone=request.skin_tone,
        transparent=request.transparent, still_size_px=request.still_size_px, **extra,
    )


def _render_extras(request, clock, drape_result, body, fabric, options, out_dir) -> dict:
    """Hero stills and colourways, when asked for: file names relative to ``out_dir``."""
    extras: dict = {}
    if request.hero:
        from garment3d.render.hero import render_hero_stills

        stills = clock.run("hero", lambda: render_hero_stills(drape_result, body, fabric, options, out_dir))
        extras["hero_stills"] = [p.name for p in stills]
    if request.colorways:
        from garment3d.render.colorway import render_colorways

        fabrics = [fabric, *(load_fabric(name) for name in request.colorways)]
        batch = clock.run(
            "colorways", lambda: render_colorways(drape_result, body, fabrics, options, out_dir / "colorways")
        )
        extras["colorways"] = [str(p.relative_to(out_dir)) for p in batch.stills]
        extras["colorway_sheet"] = str(batch.contact_sheet.relative_to(out_dir))
    return extras


def _request_record(request: SampleRequest) -> dict:
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(request).items() if k != "measurements"}


def _enforce_gates(report: DrapeReport, allow_failed: bool) -> None:
    problems = []
    if report.max_seam_gap_mm >= 3.0:
        problems.append(f"largest seam gap {report.max_seam_gap_mm:.1f} mm (limit 3 mm)")
    if report.inside_share >= 0.005:
        problems.append(f"{report.inside_share:.1%} of cloth vertices inside the body (limit 0.5%)")
    if report.self_intersections > 0:
        problems.append(f"{report.self_intersections} pairs of cloth triangles pass through each other (limit 0)")
    if not report.settled:
        problems.append(f"the cloth did not settle within {report.simulated_s:.1f} s of simulated time")
    if problems and not allow_failed:
        raise SimulationError("drape failed its quality gates: " + "; ".join(problems))
    for problem in problems:
        log.warning("drape quality gate failed (allowed by request): %s", problem)


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _write_summary(out_dir, request, valid, measured, report, timings, render, svg, extras=None) -> Path:
    summary = {
        "request": _request_record(request),
        "size": {"label": valid.size.label, "system": valid.size.system, "target_cm": asdict(valid.size.measurements)},
        "body_measured_cm": asdict(measured),
        "fabric": valid.fabric.name,
        "parameters": valid.parameters,
        "drape": {k: _jsonable(v) for k, v in asdict(report).items()} | {"passed": report.passed},
        "timings_s": {stage: round(seconds, 3) for stage, seconds in timings},
        "files": {
            "pattern_svg": svg.name,
            "frames": [p.name for p in render.frames],
            "animation": render.animation.name if render.animation else None,
            "glb": render.glb.name if render.glb else None,
            "stills": [p.name for p in render.stills],
            "gif": render.gif.name if render.gif else None,
            "mp4": render.mp4.name if render.mp4 else None,
            "sprite_sheet": render.sprite_sheet.name if render.sprite_sheet else None,
            "sprite_json": render.sprite_json.name if render.sprite_json else None,
            "manifest": render.manifest.name if render.manifest else None,
            **(extras or {}),
        },
    }
    path = out_dir / "sample.json"
    path.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return path
