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
from typing import TYPE_CHECKING

from garment3d import gates
from garment3d.body.pose import validate_arm_angle
from garment3d.drape_cache import drape_exists, drape_key, load_drape, save_drape
from garment3d.errors import InvalidRequestError, SimulationError
from garment3d.fabrics import load_fabric
from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import resolve_parameters
from garment3d.patterns.svg import write_pattern_svg
from garment3d.render.turntable import check_options as check_render_options
from garment3d.sizes import custom_size, parse_size
from garment3d.types import DrapeReport, Fabric, Measurements, Pattern, RenderOptions, RenderSet, Size

if TYPE_CHECKING:
    from garment3d.patterns.formats.load import LoadedPattern

__all__ = ["SampleRequest", "SampleResult", "QUALITY_PRESETS", "validate_request", "run_sample", "STAGES",
           "PATTERN_SIZE", "drape_key_for", "drape_is_kept"]

log = logging.getLogger(__name__)

STAGES = ("pattern", "body", "mesh", "drape", "render")
PATTERN_SIZE = "pattern"  # the size label meaning "the body a fixed-size pattern file was drafted for"
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
    colorway: str | None = None  # render the fabric in this colour (a colorway name, #rrggbb or CSS name)
    # a pattern file instead of a library name: TOML definition, GarmentCode JSON, or DXF/SVG with a sidecar;
    # with a fixed-size file, size "pattern" samples on the body its sidecar names
    pattern_file: Path | None = None
    sidecar: Path | None = None
    pattern_units: str | None = None  # DXF only: "mm" | "cm" | "inch" | "m"; None detects them


@dataclass(frozen=True)
class ValidatedRequest:
    request: SampleRequest
    size: Size
    fabric: Fabric
    parameters: dict[str, float]
    loaded: LoadedPattern | None = None  # the pattern file, read and checked


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
    loaded = _load_pattern_file(request)
    definition = get_definition(request.pattern) if loaded is None else loaded.definition
    fabric = load_fabric(request.fabric)
    if request.size == PATTERN_SIZE and request.avatar is None:
        size = _pattern_body_size(request, loaded)
    elif request.avatar is not None:
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
    if definition is not None:
        parameters = resolve_parameters(definition, dict(request.parameters))
    elif request.parameters:
        raise InvalidRequestError(f"{loaded.name} is a fixed-size {loaded.kind} pattern: it has no style "
                                  f"parameters ({', '.join(n for n, _ in request.parameters)})")
    else:
        parameters = {}
    validate_arm_angle(request.arm_angle_deg)
    check_render_options(_render_options(request, QUALITY_PRESETS[request.quality]))
    for name in request.colorways:
        load_fabric(name)
    if request.colorway is not None:
        from garment3d.fabric.colour import parse_colour

        parse_colour(request.colorway, {c.name: c.hex for c in fabric.colorways})
    return ValidatedRequest(request=request, size=size, fabric=fabric, parameters=parameters, loaded=loaded)


def _load_pattern_file(request: SampleRequest) -> LoadedPattern | None:
    if request.pattern_file is None:
        if request.sidecar is not None or request.pattern_units is not None:
            raise InvalidRequestError("a sidecar and pattern units go with a pattern file")
        return None
    from garment3d.patterns.formats.load import load_pattern_file  # ezdxf and friends: only when a file is given

    loaded = load_pattern_file(request.pattern_file, sidecar=request.sidecar, units=request.pattern_units)
    loaded.check_sewable()
    return loaded


def _pattern_body_size(request: SampleRequest, loaded: LoadedPattern | None) -> Size:
    """Size "pattern": the body a fixed-size pattern was drafted for, as its sidecar's [body] names it."""
    if loaded is None or not loaded.fixed_size:
        raise InvalidRequestError("size 'pattern' is the body a fixed-size pattern file names; give a size "
                                  "(e.g. 160/84A or custom)")
    if request.measurements is not None:
        raise InvalidRequestError("give either size 'custom' with measurements or size 'pattern', not both")
    if loaded.body is None:
        raise InvalidRequestError(
            f"{loaded.name} is a fixed-size pattern drafted for one body, and nothing says which: give "
            f"--size custom --height --bust --waist --hip (GarmentCode's mean body: 172, 99.8, 84.3, 103.5), "
            f"or a sidecar with a [body] table")
    return Size(label="pattern", system="the pattern's own body", measurements=custom_size(loaded.body).measurements)


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


def run_sample(request: SampleRequest, out_dir: Path, progress: ProgressCallback | None = None,
               drape_cache: Path | None = None) -> SampleResult:
    """Run the whole pipeline and write every output into ``out_dir``.

    With ``drape_cache`` (a folder) a drape made before from the same inputs (pattern, body, fabric physics,
    spacing, code: ``garment3d.drape_cache``) is reused: only the render runs, e.g. for another colorway."""
    # stages import heavy modules (numba kernels, OpenGL): load them on first use
    from garment3d.body import build_body
    from garment3d.body.avatar import load_avatar
    from garment3d.drape import DrapeOptions, drape
    from garment3d.fabric.colorway import apply_colorway
    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.render import render_turntable
    from garment3d.render.figure import pattern_limbs
    from garment3d.render.turntable import prepare_render

    valid = validate_request(request)
    preset = QUALITY_PRESETS[request.quality]
    out_dir.mkdir(parents=True, exist_ok=True)
    clock = _Stopwatch(progress)

    if request.avatar is not None:
        # the avatar decides the size: measure it first, then draft the pattern to it
        body = clock.run("body", lambda: load_avatar(request.avatar, units=request.avatar_units, gender=request.gender))
        valid = replace(valid, size=custom_size(body.measured))
    pattern: Pattern = clock.run("pattern", lambda: _draft(request, valid))
    svg = write_pattern_svg(pattern, out_dir / "pattern.svg")
    if request.avatar is None:
        body = clock.run("body", lambda: build_body(valid.size.measurements, request.arm_angle_deg))
    key = _drape_key(request, valid, pattern, preset) if drape_cache is not None else None
    result = load_drape(drape_cache, key) if key is not None else None
    drape_progress = (lambda f: progress("drape", f)) if progress else None
    options = _render_options(request, preset)
    look = valid if request.colorway is None else replace(valid, fabric=apply_colorway(valid.fabric, request.colorway))
    # figure, OpenGL context and shaders get ready while the cloth drapes
    warming = prepare_render(body, options, look.fabric, limbs=pattern_limbs(pattern))
    try:
        if result is None:
            garment = clock.run("mesh", lambda: mesh_pattern(pattern, body, MeshOptions(spacing_m=preset.spacing_m)))
            result = clock.run("drape", lambda: drape(garment, body, valid.fabric, DrapeOptions(), drape_progress))
            if key is not None:
                _keep(drape_cache, key, result)
        else:
            log.info("drape %s reused from %s: no mesh or drape stage", key[:12], drape_cache)
        _enforce_gates(result.report, request.allow_failed_drape)
    except BaseException:
        _discard(warming)
        raise
    valid = look
    inputs = _request_record(request) | {"size_label": valid.size.label}
    render: RenderSet = clock.run(
        "render",
        lambda: render_turntable(result, body, valid.fabric, options, out_dir, inputs=inputs, prepared=warming.result()),
    )
    extras = _render_extras(request, clock, result, body, valid.fabric, options, out_dir)
    timings = tuple(clock.timings)
    reuse = None if key is None else {"key": key, "reused": not any(stage == "drape" for stage, _ in timings)}
    summary = _write_summary(out_dir, request, valid, body.measured, result.report, timings, render, svg, extras,
                             reuse)
    return SampleResult(out_dir=out_dir, pattern_svg=svg, render=render, report=result.report,
                        timings=timings, summary=summary)


def drape_key_for(request: SampleRequest) -> str | None:
    """The key :func:`run_sample` keeps ``request``'s drape under (``garment3d.drape_cache``). Drafts the pattern
    (milliseconds); never meshes or drapes. None for a request with its own avatar (measured from the mesh first)."""
    if request.avatar is not None:
        return None
    valid = validate_request(request)
    return _drape_key(request, valid, _draft(request, valid), QUALITY_PRESETS[request.quality])


def drape_is_kept(request: SampleRequest, drape_cache: Path) -> bool:
    """Whether ``drape_cache`` already holds the drape ``request`` needs, so that only the render would run
    (e.g. a colorway-only change)."""
    key = drape_key_for(request)
    return key is not None and drape_exists(drape_cache, key)


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
def _draft(request: SampleRequest, valid: ValidatedRequest) -> Pattern:
    if valid.loaded is not None:
        return valid.loaded.pattern(valid.size.measurements, valid.parameters, valid.size.label)
    return evaluate(get_definition(request.pattern), valid.size.measurements, valid.parameters, valid.size.label,
                    fabric=valid.fabric)


def _enforce_gates(report: DrapeReport, allow_failed: bool) -> None:
    problems = gates.evaluate(report).problems
    if problems and not allow_failed:
        raise SimulationError("drape failed its quality gates: " + "; ".join(problems))
    for problem in problems:
        log.warning("drape quality gate failed (allowed by request): %s", problem)


def _gates_summary(report: DrapeReport) -> dict:
    verdict = gates.evaluate(report)
    return {"passed": verdict.passed, "gates_failed": list(verdict.failed), "gate_problems": list(verdict.problems)}


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _keep(folder: Path, key: str, result) -> None:
    """Keep the drape for a later colorway-only request; a full disk only costs that reuse."""
    try:
        save_drape(folder, key, result)
    except OSError as exc:
        log.warning("could not keep drape %s in %s: %s", key[:12], folder, exc)


def _drape_key(request: SampleRequest, valid: ValidatedRequest, pattern: Pattern, preset: QualityPreset) -> str:
    from garment3d.drape import DrapeOptions

    return drape_key(pattern, valid.size.measurements, valid.fabric, spacing_m=preset.spacing_m,
                     arm_angle_deg=request.arm_angle_deg, avatar=request.avatar, avatar_units=request.avatar_units,
                     options=DrapeOptions())


def _write_summary(out_dir, request, valid, measured, report, timings, render, svg, extras=None,
                   reuse=None) -> Path:
    summary = {
        "request": _request_record(request),
        "size": {"label": valid.size.label, "system": valid.size.system, "target_cm": asdict(valid.size.measurements)},
        "body_measured_cm": asdict(measured),
        "fabric": valid.fabric.name,
        "parameters": valid.parameters,
        "drape": {k: _jsonable(v) for k, v in asdict(report).items()} | _gates_summary(report)
        | ({"cache": reuse} if reuse is not None else {}),
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
