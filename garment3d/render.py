"""Turntable renders of a draped garment on its mannequin (pyrender, headless EGL).

``render_turntable`` writes ``options.frames`` PNG frames evenly over 360
degrees, an animated WebP or GIF of them, two 1024 px stills (front and a 3/4
view) and the GLB of the scene. One offscreen renderer serves every image; the
model turns about the body's vertical axis (through ``body.landmarks.axis_xz``)
under fixed studio lights, in front of a fixed camera framed once so that the
whole subject stays inside every frame.

Headless OpenGL goes through EGL (``PYOPENGL_PLATFORM=egl``, set in the
renderer factory before OpenGL is first imported; Mesa's llvmpipe without a
GPU). pyrender is imported lazily, so importing this module needs no OpenGL.

Azimuths follow :class:`garment3d.types.Placement`: 0 shows the centre front,
90 the body's left side, 180 the centre back.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from garment3d import export_glb
from garment3d.errors import InvalidRequestError, RenderError
from garment3d.export_glb import srgb_to_linear
from garment3d.texture import Surface, body_surface, garment_surface, load_fabric_image
from garment3d.types import Body, Drape, Fabric, RenderOptions, RenderSet

__all__ = ["Studio", "CameraFraming", "frame_camera", "render_turntable", "render_still", "EGL_PACKAGES"]

log = logging.getLogger(__name__)

EGL_PACKAGES = "libegl1 libegl-mesa0 libgl1-mesa-dri"
ANIMATION_FORMATS = ("webp", "gif")
MAX_SIZE_PX = 4096

# One render at a time per process: EGL contexts and pyrender's GL state are
# not meant to be shared between threads, and parallel llvmpipe renders only
# compete for the same cores.
_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class Studio:
    """Camera, lights and backdrop of the render studio.

    Colours are sRGB display values (0..1). Light levels are in the units of
    pyrender's PBR shader: a white matte surface facing a light of ``pi``
    shows its full colour.
    """

    background_rgb: tuple[float, float, float] = (0.925, 0.918, 0.902)  # warm light grey
    fov_deg: float = 30.0  # vertical field of view of the (square) frame; camera at bust height
    margin: float = 0.08  # share of the half-frame kept clear on every side
    min_pitch_deg: float = 3.0
    max_pitch_deg: float = 15.0
    key_intensity: float = 2.6  # directional, casts shadows, from front-left above
    fill_intensity: float = 1.0  # from front-right, lower
    rim_intensity: float = 1.6  # from behind above, outlines the silhouette
    ambient: float = 0.10
    shadows: bool = True
    mannequin_roughness: float = export_glb.MANNEQUIN_ROUGHNESS
    still_size_px: int = 1024
    stills: tuple[tuple[str, float], ...] = (("still_front", 0.0), ("still_three_quarter", 35.0))  # name, azimuth


def render_turntable(
    drape: Drape,
    body: Body,
    fabric: Fabric,
    options: RenderOptions,
    out_dir: Path,
    *,
    studio: Studio = Studio(),
) -> RenderSet:
    """Render the turntable frames, the animation, the stills and the GLB into ``out_dir``.

    Files: ``frame_000.png``... (``options.size_px`` square), ``turntable.webp``
    (or ``.gif``), ``still_front.png`` and ``still_three_quarter.png``
    (``studio.still_size_px``), ``garment.glb``.
    """
    _check_options(options)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    digits = max(3, len(str(options.frames - 1)))
    started = time.perf_counter()
    # The GLB first: it is quick and reads every fabric image, so a bad file fails before the frames.
    glb = export_glb.write_glb(drape, body, fabric, out_dir / "garment.glb", mannequin_rgb=options.mannequin_rgb)
    with _open_turntable(drape, body, fabric, options.mannequin_rgb, studio) as turntable:
        frames = []
        images = []
        for index in range(options.frames):
            azimuth = 360.0 * index / options.frames
            image = turntable.render(azimuth, options.size_px)
            frames.append(_save_png(image, out_dir / f"frame_{index:0{digits}d}.png"))
            images.append(image)
        stills = tuple(
            _save_png(turntable.render(azimuth, studio.still_size_px), out_dir / f"{name}.png")
            for name, azimuth in studio.stills
        )
    animation = _save_animation(images, out_dir / f"turntable.{options.animation_format}", options.frame_ms)
    log.info("rendered %d frames and %d stills in %.1f s", len(frames), len(stills), time.perf_counter() - started)
    return RenderSet(frames=tuple(frames), animation=animation, glb=glb, stills=stills)


def render_still(
    drape: Drape,
    body: Body,
    fabric: Fabric,
    azimuth_deg: float,
    size_px: int,
    path: Path,
    *,
    mannequin_rgb: tuple[float, float, float] = RenderOptions.mannequin_rgb,
    studio: Studio = Studio(),
) -> Path:
    """Render one square PNG of the subject seen from ``azimuth_deg`` and return its path.

    The framing is the turntable's, so stills of the same drape line up.
    """
    _check_size(size_px, "size_px")
    with _open_turntable(drape, body, fabric, mannequin_rgb, studio) as turntable:
        return _save_png(turntable.render(float(azimuth_deg), size_px), Path(path))


# --------------------------------------------------------------------------- renderer


def _import_pyrender():
    """Import pyrender on the EGL platform, or raise RenderError saying what is missing."""
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    platform = os.environ["PYOPENGL_PLATFORM"]
    try:
        import OpenGL.platform
        import pyrender
    except Exception as exc:  # ImportError, OSError, or PyOpenGL's own errors from ctypes
        raise RenderError(_no_gl_message(platform, exc)) from exc
    loaded = type(OpenGL.platform.PLATFORM).__name__
    if platform == "egl" and "EGL" not in loaded:
        raise RenderError(
            f"OpenGL was imported on the {loaded} platform before the renderer could select EGL; "
            "set PYOPENGL_PLATFORM=egl in the environment before starting Python"
        )
    return pyrender


def _no_gl_message(platform: str, exc: BaseException) -> str:
    hint = f"install the Debian packages {EGL_PACKAGES}" if platform == "egl" else "check the OpenGL setup"
    return f"headless OpenGL is unavailable (PYOPENGL_PLATFORM={platform}): {type(exc).__name__}: {exc}; {hint}"


def _open_renderer(pyrender, size_px: int):
    try:
        return pyrender.OffscreenRenderer(size_px, size_px)
    except Exception as exc:  # EGL/GL errors come as several unrelated exception types
        raise RenderError(_no_gl_message(os.environ.get("PYOPENGL_PLATFORM", ""), exc)) from exc


@contextmanager
def _open_turntable(drape: Drape, body: Body, fabric: Fabric, mannequin_rgb, studio: Studio):
    """A ready :class:`_Turntable`, holding the process-wide render lock until closed."""
    with _RENDER_LOCK:
        turntable = _Turntable(drape, body, fabric, mannequin_rgb, studio)
        try:
            yield turntable
        finally:
            turntable.close()


class _Turntable:
    """A scene of the mannequin and garment, a framed camera and one offscreen renderer."""

    def __init__(self, drape: Drape, body: Body, fabric: Fabric, mannequin_rgb, studio: Studio):
        self.studio = studio
        garment = garment_surface(drape, fabric)
        mannequin = body_surface(body)
        self.axis_xz = np.asarray(body.landmarks.axis_xz, dtype=np.float64).reshape(2)
        self.framing = frame_camera(
            np.vstack([garment.positions, mannequin.positions]), self.axis_xz, body.landmarks.bust_y, studio
        )
        # The fabric normal map goes into the GLB only: at turntable scale its
        # weave is far below a pixel, and pyrender's derivative-based tangents
        # add dark streaks along folds instead of detail.
        fabric_image = load_fabric_image(fabric)
        roughness = float(np.clip(fabric.roughness, 0.0, 1.0))

        started = time.perf_counter()
        pyrender = _import_pyrender()
        self.scene = self._build_scene(pyrender, garment, fabric_image, roughness, mannequin, mannequin_rgb)
        framing = self.framing
        camera = pyrender.PerspectiveCamera(yfov=framing.yfov, aspectRatio=1.0, znear=framing.near, zfar=framing.far)
        self.scene.add(camera, pose=framing.pose)
        self._add_lights(pyrender)
        self.renderer = _open_renderer(pyrender, 64)
        self.flags = pyrender.RenderFlags.SHADOWS_DIRECTIONAL if studio.shadows else pyrender.RenderFlags.NONE
        log.debug("renderer ready in %.2f s", time.perf_counter() - started)

    def close(self) -> None:
        if self.renderer is not None:
            self.renderer.delete()
            self.renderer = None

    def render(self, azimuth_deg: float, size_px: int) -> np.ndarray:
        """(size_px, size_px, 3) uint8 image of the subject seen from ``azimuth_deg``."""
        model_pose = _turn_about_axis(-azimuth_deg, self.axis_xz)
        for node in self.model_nodes:
            self.scene.set_pose(node, model_pose)
        self.renderer.viewport_width = self.renderer.viewport_height = size_px
        try:
            color, _ = self.renderer.render(self.scene, flags=self.flags)
        except Exception as exc:
            raise RenderError(f"rendering azimuth {azimuth_deg:.1f} deg at {size_px} px failed: {exc}") from exc
        return np.ascontiguousarray(color[:, :, :3])

    def _build_scene(self, pyrender, garment: Surface, fabric_image, roughness, mannequin: Surface, mannequin_rgb):
        studio = self.studio
        ambient = np.full(3, studio.ambient)
        scene = pyrender.Scene(bg_color=[*studio.background_rgb, 1.0], ambient_light=ambient)
        repeat = pyrender.Sampler(wrapS=pyrender.GLTF.REPEAT, wrapT=pyrender.GLTF.REPEAT)
        fabric_material = pyrender.MetallicRoughnessMaterial(
            baseColorTexture=pyrender.Texture(source=np.asarray(fabric_image), source_channels="RGB", sampler=repeat),
            metallicFactor=0.0,
            roughnessFactor=roughness,
            doubleSided=False,  # both sides are explicit primitives, each lit from its own side
        )
        cloth = pyrender.Mesh(
            [
                pyrender.Primitive(
                    positions=garment.positions,
                    normals=garment.normals,
                    texcoord_0=garment.uv,
                    indices=garment.faces,
                    material=fabric_material,
                ),
                pyrender.Primitive(
                    positions=garment.positions,
                    normals=-garment.normals,
                    texcoord_0=garment.uv,
                    indices=garment.faces[:, ::-1].copy(),
                    material=fabric_material,
                ),
            ],
            name="garment",
        )
        # The mannequin is drawn with reversed winding and without culling. The
        # colour pass is unchanged (depth test keeps the nearest surface; shading
        # uses the outward normals given here), but pyrender's shadow pass culls
        # faces turned away from the light, so the shadow map keeps the body's far
        # side: the lit side can no longer shadow itself in stripes (shadow acne),
        # which pyrender's fixed depth bias does not prevent on a body seen edge-on.
        mannequin_material = pyrender.MetallicRoughnessMaterial(
            baseColorFactor=[*srgb_to_linear(mannequin_rgb), 1.0],
            metallicFactor=0.0,
            roughnessFactor=studio.mannequin_roughness,
            doubleSided=True,
        )
        figure = pyrender.Mesh(
            [
                pyrender.Primitive(
                    positions=mannequin.positions,
                    normals=mannequin.normals,
                    indices=mannequin.faces[:, ::-1].copy(),
                    material=mannequin_material,
                )
            ],
            name="body",
        )
        self.model_nodes = (scene.add(figure, name="body"), scene.add(cloth, name="garment"))
        return scene

    def _add_lights(self, pyrender) -> None:
        """Key (directional, shadows), fill and rim (point lights, so they cast no shadows)."""
        studio, target = self.studio, self.framing.target
        reach = float(np.linalg.norm(self.framing.pose[:3, 3] - target))
        key = pyrender.DirectionalLight(color=np.ones(3), intensity=studio.key_intensity)
        self.scene.add(key, pose=_look_from(np.array([-0.55, 0.75, 0.85]), np.zeros(3)))
        for direction, intensity in (
            (np.array([0.9, 0.15, 0.7]), studio.fill_intensity),
            (np.array([0.25, 0.7, -1.0]), studio.rim_intensity),
        ):
            position = target + reach * direction / np.linalg.norm(direction)
            # point lights fall off with distance squared: scale to the wanted level at the subject
            light = pyrender.PointLight(color=np.ones(3), intensity=intensity * reach**2)
            self.scene.add(light, pose=_look_from(position, target))


# --------------------------------------------------------------------------- camera


@dataclass(frozen=True)
class CameraFraming:
    """A perspective camera for square frames.

    pose   : (4, 4) float64, camera to world (pyrender convention: looks along -Z, +Y up).
    target : (3,) float64, m, the point on the turntable axis it looks at.
    yfov   : vertical field of view, radians.
    near, far : clip distances, m.
    """

    pose: np.ndarray
    target: np.ndarray
    yfov: float
    near: float
    far: float


def frame_camera(points: np.ndarray, axis_xz: np.ndarray, eye_y: float, studio: Studio = Studio()) -> CameraFraming:
    """Place a camera that keeps ``points`` in frame at every turntable angle.

    The subject turning about the vertical axis through ``axis_xz`` sweeps a
    cylinder (the largest distance of any point from the axis, between the
    lowest and highest point). The camera looks at the axis from +Z, pitched
    down so that it sits near ``eye_y``, at the least distance that keeps a
    polygon around that cylinder inside the frame with ``studio.margin`` clear,
    and with the cylinder centred vertically.

    points : (n, 3) float64, m, everything that must stay in frame.
    """
    points = np.asarray(points, dtype=np.float64)
    radial = np.hypot(points[:, 0] - axis_xz[0], points[:, 2] - axis_xz[1])
    sides = 48
    radius = radial.max() / np.cos(np.pi / sides)  # polygon that encloses the circle
    angles = 2 * np.pi * np.arange(sides) / sides
    ring = np.column_stack(
        [axis_xz[0] + radius * np.sin(angles), np.zeros(sides), axis_xz[1] + radius * np.cos(angles)]
    )
    low, high = ring.copy(), ring.copy()
    low[:, 1], high[:, 1] = points[:, 1].min(), points[:, 1].max()
    hull = np.vstack([low, high])

    yfov = np.radians(studio.fov_deg)
    slope = np.tan(yfov / 2) * (1.0 - studio.margin)
    target_y = 0.5 * (low[0, 1] + high[0, 1])
    pitch = np.radians(studio.min_pitch_deg)
    for _ in range(8):
        distance = _fit_distance(hull, axis_xz, target_y, pitch, slope)
        # centre the subject vertically, then aim the camera height at the eye level
        forward, up = _view_axes(pitch)
        relative = hull - np.array([axis_xz[0], target_y, axis_xz[1]])
        depth = distance + relative @ forward
        screen_y = (relative @ up) / depth
        target_y += 0.5 * (screen_y.max() + screen_y.min()) * distance / np.cos(pitch)
        wanted = np.arcsin(np.clip((eye_y - target_y) / distance, -1.0, 1.0))
        pitch = np.clip(wanted, np.radians(studio.min_pitch_deg), np.radians(studio.max_pitch_deg))
    distance = _fit_distance(hull, axis_xz, target_y, pitch, slope)

    forward, up = _view_axes(pitch)
    target = np.array([axis_xz[0], target_y, axis_xz[1]])
    eye = target - distance * forward
    pose = np.eye(4)
    pose[:3, 0] = (1.0, 0.0, 0.0)
    pose[:3, 1] = up
    pose[:3, 2] = -forward
    pose[:3, 3] = eye
    depths = (hull - eye) @ forward
    near = max(0.01, 0.5 * depths.min())
    far = 2.0 * depths.max()
    log.debug("camera at %s, pitch %.1f deg, distance %.2f m", np.round(eye, 3), np.degrees(pitch), distance)
    return CameraFraming(pose=pose, target=target, yfov=float(yfov), near=float(near), far=float(far))


def _view_axes(pitch: float) -> tuple[np.ndarray, np.ndarray]:
    """Forward and up unit vectors of a camera on +Z looking towards -Z, pitched down by ``pitch``."""
    forward = np.array([0.0, -np.sin(pitch), -np.cos(pitch)])
    up = np.array([0.0, np.cos(pitch), -np.sin(pitch)])
    return forward, up


def _fit_distance(hull: np.ndarray, axis_xz, target_y: float, pitch: float, slope: float) -> float:
    """Least camera-to-target distance with every hull point inside |x|, |y| <= slope * depth."""
    forward, up = _view_axes(pitch)
    relative = hull - np.array([axis_xz[0], target_y, axis_xz[1]])
    along = relative @ forward
    extent = np.maximum(np.abs(relative[:, 0]), np.abs(relative @ up))
    return float(np.max(extent / slope - along))


def _look_from(position: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Pose whose -Z axis points from ``position`` to ``target`` (lights and cameras)."""
    back = position - target
    back = back / np.linalg.norm(back)
    right = np.cross([0.0, 1.0, 0.0], back)
    right = right / np.linalg.norm(right)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = right, np.cross(back, right), back, position
    return pose


def _turn_about_axis(angle_deg: float, axis_xz: np.ndarray) -> np.ndarray:
    """(4, 4) rotation by ``angle_deg`` about the vertical line through ``axis_xz``."""
    angle = np.radians(angle_deg)
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    pivot = np.array([axis_xz[0], 0.0, axis_xz[1]])
    pose = np.eye(4)
    pose[:3, :3] = rotation
    pose[:3, 3] = pivot - rotation @ pivot
    return pose


# --------------------------------------------------------------------------- files


def _check_size(size_px, name: str) -> None:
    if not isinstance(size_px, (int, np.integer)) or not 16 <= size_px <= MAX_SIZE_PX:
        raise InvalidRequestError(f"{name} must be an integer from 16 to {MAX_SIZE_PX}, got {size_px!r}")


def _check_options(options: RenderOptions) -> None:
    if not isinstance(options.frames, (int, np.integer)) or options.frames < 1:
        raise InvalidRequestError(f"render option frames must be a positive integer, got {options.frames!r}")
    _check_size(options.size_px, "render option size_px")
    if options.animation_format not in ANIMATION_FORMATS:
        raise InvalidRequestError(
            f"render option animation_format must be one of {ANIMATION_FORMATS}, got {options.animation_format!r}"
        )
    if not isinstance(options.frame_ms, (int, np.integer)) or options.frame_ms < 1:
        raise InvalidRequestError(f"render option frame_ms must be a positive integer, got {options.frame_ms!r}")


def _save_png(image: np.ndarray, path: Path) -> Path:
    from PIL import Image

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(path, format="PNG", compress_level=4)
    except OSError as exc:
        raise RenderError(f"could not write image {path}: {exc}") from exc
    return path


def _save_animation(images: list[np.ndarray], path: Path, frame_ms: int) -> Path:
    from PIL import Image

    pictures = [Image.fromarray(image) for image in images]
    if path.suffix == ".webp":
        settings = {"format": "WEBP", "quality": 85, "method": 4, "lossless": False}
    else:
        settings = {"format": "GIF", "optimize": False, "disposal": 1}
    try:
        pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=frame_ms, loop=0, **settings)
    except OSError as exc:
        raise RenderError(f"could not write animation {path}: {exc}") from exc
    return path
