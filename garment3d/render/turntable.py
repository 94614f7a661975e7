"""The render stage: a turntable and its files from one drape.

``render_turntable`` writes, by :class:`RenderOptions.outputs`:

=========  ==============================================================
frames     ``frame_000.png`` ... (or ``.webp``), ``size_px`` square
webp       ``turntable.webp`` (animated)
gif        ``turntable.gif`` (shared palette, dithered)
mp4        ``turntable.mp4`` (H.264, yuv420p)
sprite     ``turntable_sprite.png`` (or ``.webp``) + ``turntable_sprite.json``
stills     ``still_front.png``, ``still_side.png``, ``still_back.png``
glb        ``garment.glb``
=========  ==============================================================

and always ``manifest.json``: every file with its kind, pixel size, frame
count and bytes, and the inputs that made them. One headless renderer serves
every image; frames are encoded in worker threads while the next one renders.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from garment3d import export_glb
from garment3d.errors import InvalidRequestError
from garment3d.render.figure import FIGURE_STYLES, SKIN_TONES, Figure, build_figure, garment_limbs
from garment3d.render.gl import open_context
from garment3d.render.outputs import Encoder, Mp4Writer, WebpAnimation, save_image, write_gif, write_sprite_sheet
from garment3d.render.scene import StudioScene
from garment3d.render.studio import Studio
from garment3d.trims import garment_trims
from garment3d.types import Body, Drape, Fabric, RenderOptions, RenderSet

__all__ = [
    "OUTPUT_KINDS",
    "STILL_VIEWS",
    "render_turntable",
    "render_still",
    "open_scene",
    "check_options",
    "PreparedRender",
    "prepare_render",
]

log = logging.getLogger(__name__)

OUTPUT_KINDS = ("frames", "webp", "gif", "mp4", "sprite", "stills", "glb")
STILL_VIEWS = (("front", 0.0), ("side", 90.0), ("back", 180.0))
FRAME_FORMATS = ("png", "webp")
ANIMATION_FORMATS = ("webp", "gif")
MAX_SIZE_PX = 4096
MAX_STILL_PX = 2048

@dataclass
class PreparedRender:
    """The figure and a headless context with its shaders compiled, made ahead (while the cloth drapes).

    Pass it to :func:`render_turntable`, which takes it over; call :meth:`discard`
    if it will not be used.
    """

    figure: Figure
    context: object | None  # a released GLContext, or None where contexts cannot move between threads
    figure_key: tuple

    def discard(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None


def prepare_render(body: Body, options: RenderOptions, fabric: Fabric | None = None, studio: Studio = Studio(),
                   limbs: tuple[str, ...] = ()) -> Future:
    """Start building the figure and the OpenGL context on a worker thread; a Future of :class:`PreparedRender`.

    The render stage's first frame then comes without the context and shader
    set-up; with ``fabric``, a tiny scene is also drawn once in each shading
    variant, so that llvmpipe compiles its machine code now rather than at the
    first frame. Errors (no EGL) surface from the Future.
    """
    check_options(options)

    def work() -> PreparedRender:
        figure = build_figure(body, options.figure, options.skin_tone, options.mannequin_rgb, limbs)
        context = open_context()
        if fabric is not None:
            _warm_up(context, body, fabric, figure, studio, options)
        if context.movable:
            context.release()
        else:
            context.close()
            context = None
        return PreparedRender(figure, context, _figure_key(options, limbs))

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="garment3d-prepare")
    future = executor.submit(work)
    executor.shutdown(wait=False)
    return future


def _warm_up(context, body: Body, fabric: Fabric, figure: Figure, studio: Studio, options: RenderOptions) -> None:
    """Draw a one-triangle garment in every shading variant the render will use (tiny images)."""
    from garment3d.types import DrapeReport, GarmentMesh

    positions = np.array([[0.0, 1.0, 0.2], [0.1, 1.0, 0.2], [0.0, 1.1, 0.2]])
    garment = GarmentMesh(
        panel_names=("warm_up",), rest_uv=positions[:, :2].copy(), positions=positions,
        faces=np.array([[0, 1, 2]], np.int32), panel_of=np.zeros(3, np.int32),
        seam_pairs=np.zeros((0, 2), np.int32), seam_of=np.zeros(0, np.int32), anchor_mask=np.zeros(3, bool),
        spacing_m=0.1,
    )
    report = DrapeReport(0.0, 0, 0.0, 0.0, 0.0, True, 0, 0.0, 0.0, 3)
    drape = Drape(garment=garment, positions=positions, report=report)
    studio = replace(studio, ground_shadow=studio.ground_shadow and options.ground_shadow)
    scene = StudioScene(drape, body, fabric, figure, studio, ctx=context)
    scene.render(0.0, 32, transparent=options.transparent)
    replace_detail = replace(studio, detail_from_px=16)
    scene.studio = replace_detail
    scene.render(0.0, 32, transparent=options.transparent)
    scene.ctx = None  # the context lives on (its objects are freed when it closes)


def _figure_key(options: RenderOptions, limbs: tuple[str, ...]) -> tuple:
    return (options.figure, options.skin_tone, options.mannequin_rgb, tuple(limbs) if options.figure == "dress_form" else ())


def figure_for(drape: Drape, body: Body, options: RenderOptions, prepared: PreparedRender | None = None) -> Figure:
    """The options' figure for this drape (a dress form with the limbs its sleeves or legs need): the
    prepared one when it matches, else built now."""
    limbs = garment_limbs(body, drape.positions) if options.figure == "dress_form" else ()
    if prepared is not None and prepared.figure_key == _figure_key(options, limbs):
        return prepared.figure
    return build_figure(body, options.figure, options.skin_tone, options.mannequin_rgb, limbs)


# One render at a time per process: GL contexts are not shared between threads,
# and parallel llvmpipe renders only compete for the same cores.
_RENDER_LOCK = threading.Lock()


def render_turntable(
    drape: Drape,
    body: Body,
    fabric: Fabric,
    options: RenderOptions,
    out_dir: Path,
    *,
    studio: Studio = Studio(),
    inputs: Mapping | None = None,
    prepared: PreparedRender | None = None,
) -> RenderSet:
    """Render the turntable and write the files ``options.outputs`` asks for into ``out_dir``.

    ``prepared`` (from :func:`prepare_render` with the same options) is taken over and closed.

    ``inputs`` (JSON-able) is recorded in the manifest next to the options, the
    fabric and the drape's size (the pipeline passes the request).
    """
    try:
        check_options(options)
    except InvalidRequestError:
        if prepared is not None:
            prepared.discard()
        raise
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    wanted = set(options.outputs)
    background = studio.background_rgb
    digits = max(3, len(str(options.frames - 1)))
    mp4 = Mp4Writer(out_dir / "turntable.mp4", options.size_px, options.frame_ms, background) if "mp4" in wanted else None
    encoder = Encoder(background, mp4)
    webp = None
    frames: list[Path] = []
    stills: list[Path] = []
    images: list[np.ndarray] = []
    glb = None
    trims = garment_trims(drape)  # once, for the GLB and the images
    try:
        if "glb" in wanted:  # reads every fabric image, so a bad file fails before the frames
            figure = figure_for(drape, body, options, prepared)
            glb_future = encoder.call(
                lambda: export_glb.write_glb(drape, body, fabric, out_dir / "garment.glb", figure=figure, trims=trims)
            )
        with open_scene(drape, body, fabric, options, studio, prepared=prepared, trims=trims) as scene:
            if "webp" in wanted:  # frames compressed as they come, after the first only where they change
                webp = WebpAnimation(encoder.call, scene.changing_rect(options.size_px))
            first = time.perf_counter()
            for index in range(options.frames):
                image = _channels(scene.render(360.0 * index / options.frames, options.size_px,
                                               transparent=options.transparent, rgb=True), options.transparent)
                if index == 0:
                    log.info("first frame %.2f s after the render stage began", time.perf_counter() - started)
                if "frames" in wanted:
                    path = out_dir / f"frame_{index:0{digits}d}.{options.frame_format}"
                    encoder.image(image, path)
                    frames.append(path)
                encoder.video_frame(image)
                if webp is not None:
                    webp.add(image)
                images.append(image)
            if "stills" in wanted:
                for name, azimuth in STILL_VIEWS:
                    image = _channels(scene.render(azimuth, options.still_size_px, transparent=options.transparent,
                                                   rgb=True), options.transparent)
                    path = out_dir / f"still_{name}.png"
                    encoder.image(image, path)
                    stills.append(path)
            log.debug("drew %d images in %.2f s", len(images) + len(stills), time.perf_counter() - first)
        animations = _write_animations(encoder, images, options, out_dir, background, wanted, webp)
        mp4_path = encoder.finish()
        if "glb" in wanted:
            glb = glb_future.result()
    except BaseException:
        encoder.abort()
        raise
    result = RenderSet(
        frames=tuple(frames),
        animation=animations.get(options.animation_format) or animations.get("webp") or animations.get("gif"),
        glb=glb,
        stills=tuple(stills),
        gif=animations.get("gif"),
        webp=animations.get("webp"),
        mp4=mp4_path,
        sprite_sheet=animations.get("sprite"),
        sprite_json=animations.get("sprite_json"),
    )
    manifest = write_manifest(result, out_dir / "manifest.json", options, fabric, drape, inputs)
    log.info("rendered %d frames and %d stills in %.2f s", len(images), len(stills), time.perf_counter() - started)
    return replace(result, manifest=manifest)


def render_still(
    drape: Drape,
    body: Body,
    fabric: Fabric,
    azimuth_deg: float,
    size_px: int,
    path: Path,
    *,
    options: RenderOptions = RenderOptions(),
    studio: Studio = Studio(),
) -> Path:
    """Render one square PNG of the subject seen from ``azimuth_deg`` and return its path.

    The framing is the turntable's, so stills of the same drape line up.
    """
    _check_size(size_px, "size_px", MAX_SIZE_PX)
    check_options(options)
    with open_scene(drape, body, fabric, options, studio) as scene:
        image = scene.render(float(azimuth_deg), size_px, transparent=options.transparent)
    return save_image(_channels(image, options.transparent), Path(path))


@contextmanager
def open_scene(
    drape: Drape, body: Body, fabric: Fabric, options: RenderOptions, studio: Studio = Studio(),
    prepared: PreparedRender | None = None,
    trims=None,
):
    """A ready :class:`StudioScene` with the options' figure, holding the process-wide render lock.

    ``trims``: the drape's :class:`garment3d.trims.Trim` tuple when already made (made here when None)."""
    context = None
    if prepared is not None:
        context, prepared.context = prepared.context, None  # taken over: the scene closes it
    figure = figure_for(drape, body, options, prepared)
    studio = replace(studio, ground_shadow=studio.ground_shadow and options.ground_shadow)
    with _RENDER_LOCK:
        scene = StudioScene(drape, body, fabric, figure, studio, ctx=context, trims=trims)
        try:
            yield scene
        finally:
            scene.close()


# --------------------------------------------------------------------------- files


def _write_animations(encoder: Encoder, images, options: RenderOptions, out_dir: Path, background, wanted,
                      webp: WebpAnimation | None) -> dict:
    jobs = {}
    if "gif" in wanted:
        jobs["gif"] = encoder.call(write_gif, images, out_dir / "turntable.gif", options.frame_ms, background)
    if "sprite" in wanted:
        suffix = "webp" if options.frame_format == "webp" else "png"
        jobs["sprite"] = encoder.call(
            write_sprite_sheet, images, out_dir / f"turntable_sprite.{suffix}", out_dir / "turntable_sprite.json",
            min(options.sprite_frame_px, options.size_px), options.frame_ms,
        )
    paths = {}
    if webp is not None:  # its frames are compressed already (or being): only the container is left
        paths["webp"] = webp.write(out_dir / "turntable.webp", options.frame_ms)
    for key, job in jobs.items():
        value = job.result()
        if key == "sprite":
            paths["sprite"], paths["sprite_json"] = value
        else:
            paths[key] = value
    return paths


def write_manifest(result: RenderSet, path: Path, options: RenderOptions, fabric: Fabric, drape: Drape,
                   inputs: Mapping | None) -> Path:
    """``manifest.json``: every output file (kind, pixels, frames, bytes) and what made them."""
    entries = []

    def add(kind: str, file: Path | None, **extra) -> None:
        if file is not None:
            entries.append({"kind": kind, "file": file.name, "bytes": file.stat().st_size, **extra})

    for index, frame in enumerate(result.frames):
        add("frame", frame, width=options.size_px, height=options.size_px,
            azimuth_deg=round(360.0 * index / options.frames, 4))
    for still, (view, azimuth) in zip(result.stills, STILL_VIEWS):
        add("still", still, view=view, azimuth_deg=azimuth, width=options.still_size_px, height=options.still_size_px)
    for kind, file in (("animated_webp", result.webp), ("gif", result.gif), ("mp4", result.mp4)):
        add(kind, file, width=options.size_px, height=options.size_px, frames=options.frames, frame_ms=options.frame_ms)
    if result.sprite_sheet is not None:
        cell = min(options.sprite_frame_px, options.size_px)
        add("sprite_sheet", result.sprite_sheet, frame_width=cell, frame_height=cell, frames=options.frames)
        add("sprite_json", result.sprite_json)
    add("glb", result.glb)
    manifest = {
        "outputs": entries,
        "inputs": {
            "render_options": _jsonable(asdict(options)),
            "fabric": {"name": fabric.name, "tint": list(fabric.tint), "roughness": fabric.roughness,
                       "sheen": fabric.sheen, "anisotropy": fabric.anisotropy},
            "drape": {"vertices": int(len(drape.positions)), "triangles": int(len(drape.garment.faces))},
            **({"request": _jsonable(dict(inputs))} if inputs else {}),
        },
    }
    path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return path


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _channels(image: np.ndarray, transparent: bool) -> np.ndarray:
    return image if transparent else np.ascontiguousarray(image[:, :, :3])


# --------------------------------------------------------------------------- checks


def _check_size(size_px, name: str, largest: int) -> None:
    if not isinstance(size_px, (int, np.integer)) or not 16 <= size_px <= largest:
        raise InvalidRequestError(f"{name} must be an integer from 16 to {largest}, got {size_px!r}")


def check_options(options: RenderOptions) -> None:
    """Raise InvalidRequestError naming the first bad render option."""
    if not isinstance(options.frames, (int, np.integer)) or options.frames < 1:
        raise InvalidRequestError(f"render option frames must be a positive integer, got {options.frames!r}")
    _check_size(options.size_px, "render option size_px", MAX_SIZE_PX)
    _check_size(options.still_size_px, "render option still_size_px", MAX_STILL_PX)
    _check_size(options.sprite_frame_px, "render option sprite_frame_px", MAX_SIZE_PX)
    if options.animation_format not in ANIMATION_FORMATS:
        raise InvalidRequestError(
            f"render option animation_format must be one of {ANIMATION_FORMATS}, got {options.animation_format!r}"
        )
    if not isinstance(options.frame_ms, (int, np.integer)) or options.frame_ms < 1:
        raise InvalidRequestError(f"render option frame_ms must be a positive integer, got {options.frame_ms!r}")
    unknown = [kind for kind in options.outputs if kind not in OUTPUT_KINDS]
    if unknown or isinstance(options.outputs, str):
        raise InvalidRequestError(f"render outputs must be among {', '.join(OUTPUT_KINDS)}; unknown: {unknown or options.outputs!r}")
    if options.frame_format not in FRAME_FORMATS:
        raise InvalidRequestError(f"render option frame_format must be png or webp, got {options.frame_format!r}")
    if options.figure not in FIGURE_STYLES:
        raise InvalidRequestError(f"figure must be one of {', '.join(FIGURE_STYLES)}, got {options.figure!r}")
    if options.skin_tone not in SKIN_TONES:
        raise InvalidRequestError(f"skin tone must be one of {', '.join(SKIN_TONES)}, got {options.skin_tone!r}")
    if "mp4" in options.outputs and options.size_px % 2:
        raise InvalidRequestError(f"MP4 output needs an even size_px (H.264 in yuv420p), got {options.size_px}")
