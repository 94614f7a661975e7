"""Hero stills for quotes: the turntable's scene path-traced with Mitsuba 3 on the CPU.

Same figure, garment, framing and camera-fixed light directions as the
turntable, but with physically based light transport: Mitsuba's ``principled``
BSDF with the fabric's sheen, roughness and anisotropy (and its normal map),
large area lights (soft shadows on the figure, in the folds and on the floor),
a floor and a backdrop in the studio colour. The ``scalar_rgb`` variant is used
(``llvm_ad_rgb`` crashes with Debian's LLVM). A joint bilateral filter guided
by the albedo and normals (a second Mitsuba output) takes out the remaining
sampling noise without blurring edges or the weave.

Slow by design (tens of seconds): made on request (quote, share link), not for
every draft. Needs the ``mitsuba`` package (``pip install mitsuba``).
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

import numpy as np

from garment3d.errors import RenderError
from garment3d.export_glb import srgb_to_linear
from garment3d.render.camera import frame_camera, turn_about_axis
from garment3d.render.figure import build_figure
from garment3d.render.outputs import save_image
from garment3d.render.studio import Studio
from garment3d.render.turntable import check_options
from garment3d.texture import Surface, garment_surface, load_fabric_image, load_normal_image
from garment3d.trims import garment_trims, trim_look
from garment3d.types import Body, Drape, Fabric, RenderOptions

__all__ = ["HERO_VIEWS", "render_hero_stills"]

log = logging.getLogger(__name__)

HERO_VIEWS = (("front", 0.0), ("three_quarter", 35.0))


def render_hero_stills(
    drape: Drape,
    body: Body,
    fabric: Fabric,
    options: RenderOptions,
    out_dir: Path,
    *,
    size_px: int = 1536,
    samples: int = 24,
    views=HERO_VIEWS,
    studio: Studio = Studio(),
) -> tuple[Path, ...]:
    """Write ``hero_front.png`` and ``hero_three_quarter.png`` (``size_px`` square) into ``out_dir``."""
    check_options(options)
    mi = _import_mitsuba()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figure = build_figure(body, options.figure, options.skin_tone, options.mannequin_rgb)
    garment = garment_surface(drape, fabric)
    trims = garment_trims(drape)
    axis_xz = np.asarray(body.landmarks.axis_xz, dtype=np.float64).reshape(2)
    framing = frame_camera(np.vstack([garment.positions, figure.positions]), axis_xz, body.landmarks.bust_y, studio)
    paths = []
    with tempfile.TemporaryDirectory(prefix="garment3d-hero-") as folder:
        folder = Path(folder)
        textures = _write_textures(fabric, folder)
        for name, azimuth in views:
            started = time.perf_counter()
            turn = turn_about_axis(-azimuth, axis_xz)
            scene = _scene(mi, garment, figure, fabric, textures, turn, framing, studio, size_px, samples, folder,
                           trims)
            image = _denoised(np.asarray(mi.render(scene), dtype=np.float32))
            paths.append(save_image(_display(image, studio), out_dir / f"hero_{name}.png"))
            log.info("hero still %s: %d px, %d spp in %.1f s", name, size_px, samples, time.perf_counter() - started)
    return tuple(paths)


def _import_mitsuba():
    try:
        import mitsuba as mi
    except ImportError as exc:
        raise RenderError("hero stills need the Python package mitsuba (pip install mitsuba)") from exc
    mi.set_variant("scalar_rgb")
    return mi


# --------------------------------------------------------------------------- scene


def _scene(mi, garment: Surface, figure, fabric, textures, turn, framing, studio: Studio, size_px, samples, folder,
           trims=()):
    T = mi.ScalarTransform4f
    eye, forward, up = framing.pose[:3, 3], -framing.pose[:3, 2], framing.pose[:3, 1]
    target = framing.target
    reach = float(np.linalg.norm(eye - target))
    scene = {
        "type": "scene",
        "integrator": {
            "type": "aov",
            "aovs": "albedo:albedo,normal:sh_normal",
            "image": {"type": "path", "max_depth": 6},
        },
        "sensor": {
            "type": "perspective",
            "fov": float(np.degrees(framing.yfov)),
            "fov_axis": "y",
            "near_clip": float(framing.near),
            "far_clip": 100.0,
            "to_world": T().look_at(origin=eye.tolist(), target=target.tolist(), up=up.tolist()),
            "film": {"type": "hdrfilm", "width": size_px, "height": size_px, "rfilter": {"type": "gaussian"}},
            "sampler": {"type": "independent", "sample_count": int(samples)},
        },
        "sky": {"type": "constant", "radiance": {"type": "rgb", "value": [studio.sky * 0.9] * 3}},
    }
    right = np.cross(forward, up)
    camera_axes = np.column_stack([right, up, -forward])  # camera space -> world
    for name, light, size in (("key", studio.key, 1.6), ("fill", studio.fill, 1.6), ("rim", studio.rim, 0.9)):
        direction = camera_axes @ (np.asarray(light.direction) / np.linalg.norm(light.direction))
        position = target + 2.2 * reach * direction
        area = size * size
        radiance = light.intensity * (2.2 * reach) ** 2 / area * 1.1
        scene[name] = {
            "type": "rectangle",
            "to_world": T().look_at(origin=position.tolist(), target=target.tolist(), up=[0, 1, 0]).scale(
                [size / 2, size / 2, 1]
            ),
            "emitter": {"type": "area", "radiance": {"type": "rgb", "value": [radiance] * 3}},
        }
    # the floor a little darker than the backdrop: lit from above it shows about the backdrop's colour
    backdrop = (0.8 * srgb_to_linear(studio.background_rgb)).tolist()
    scene["floor"] = {
        "type": "rectangle",
        "to_world": T().translate([target[0], 0.0, target[2]]).rotate([1, 0, 0], -90).scale([20, 20, 1]),
        "bsdf": {"type": "diffuse", "reflectance": {"type": "rgb", "value": backdrop}},
    }
    # a lit backdrop behind the subject that shows as the studio colour (through the same tone curve)
    wall = target + 6.0 * forward * np.array([1.0, 0.0, 1.0])
    scene["backdrop"] = {
        "type": "rectangle",
        "to_world": T().look_at(origin=wall.tolist(), target=eye.tolist(), up=[0, 1, 0]).scale([30, 30, 1]),
        "emitter": {"type": "area", "radiance": {"type": "rgb", "value": _backdrop_radiance(studio).tolist()}},
    }
    scene["garment"] = _ply_shape(garment, turn, folder / "garment.ply", _cloth_bsdf(fabric, textures))
    for index, part in enumerate(figure.parts):
        bsdf = {
            "type": "principled",
            "base_color": {"type": "rgb", "value": srgb_to_linear(part.rgb).tolist()},
            "roughness": float(part.roughness),
            "specular": float(min(part.specular * 12.5, 1.0)),
        }
        scene[f"figure_{index}"] = _ply_shape(part.surface, turn, folder / f"figure_{index}.ply", bsdf)
    cloth_rgb = np.asarray(load_fabric_image(fabric), dtype=np.float64).reshape(-1, 3)[::7].mean(axis=0) / 255.0
    for t, trim in enumerate(trims):
        for index, part in enumerate(trim.parts):
            look = trim_look(part.material, cloth_rgb)
            bsdf = {
                "type": "principled",
                "base_color": {"type": "rgb", "value": srgb_to_linear(look.rgb).tolist()},
                "roughness": float(look.roughness),
                "metallic": float(look.metallic),
            }
            scene[f"trim_{t}_{index}"] = _ply_shape(part.surface, turn, folder / f"trim_{t}_{index}.ply", bsdf)
    try:
        return mi.load_dict(scene)
    except Exception as exc:  # Mitsuba reports scene errors as RuntimeError with its own text
        raise RenderError(f"the hero scene could not be built: {exc}") from exc


def _cloth_bsdf(fabric: Fabric, textures: dict) -> dict:
    principled = {
        "type": "principled",
        "base_color": {"type": "bitmap", "filename": str(textures["base"]), "filter_type": "bilinear"},
        "roughness": float(np.clip(fabric.roughness, 0.05, 1.0)),
        "anisotropic": float(np.clip(fabric.anisotropy, 0.0, 1.0)),
        "sheen": float(np.clip(fabric.sheen, 0.0, 1.0)),
        "sheen_tint": 0.6,
        "specular": 0.5,
    }
    bsdf = {"type": "twosided", "material": principled}
    if "normal" in textures:
        bsdf = {
            "type": "normalmap",
            "normalmap": {"type": "bitmap", "filename": str(textures["normal"]), "raw": True},
            "bsdf": bsdf,
        }
    return bsdf


def _write_textures(fabric: Fabric, folder: Path) -> dict:
    textures = {"base": folder / "base.png"}
    load_fabric_image(fabric).save(textures["base"])
    normal = load_normal_image(fabric)
    if normal is not None:
        textures["normal"] = folder / "normal.png"
        normal.save(textures["normal"])
    return textures


def _ply_shape(surface: Surface, turn: np.ndarray, path: Path, bsdf: dict) -> dict:
    positions = surface.positions @ turn[:3, :3].T + turn[:3, 3]
    normals = surface.normals @ turn[:3, :3].T
    _write_ply(path, positions, normals, surface.faces, surface.uv)
    return {"type": "ply", "filename": str(path), "bsdf": bsdf, "face_normals": False}


def _write_ply(path: Path, positions, normals, faces, uv=None) -> None:
    """A binary little-endian PLY with normals and (optionally) texture coordinates."""
    names = ["x", "y", "z", "nx", "ny", "nz"] + (["u", "v"] if uv is not None else [])
    columns = [positions, normals] + ([uv] if uv is not None else [])
    vertices = np.ascontiguousarray(np.hstack(columns), dtype="<f4")
    header = ["ply", "format binary_little_endian 1.0", f"element vertex {len(vertices)}"]
    header += [f"property float {name}" for name in names]
    header += [f"element face {len(faces)}", "property list uchar int vertex_indices", "end_header", ""]
    face_records = np.zeros(len(faces), dtype=[("n", "u1"), ("i", "<i4", (3,))])
    face_records["n"] = 3
    face_records["i"] = faces
    with open(path, "wb") as handle:
        handle.write("\n".join(header).encode("ascii"))
        handle.write(vertices.tobytes())
        handle.write(face_records.tobytes())


# --------------------------------------------------------------------------- image


def _denoised(channels: np.ndarray, radius: int = 5) -> np.ndarray:
    """Joint bilateral filter of the RGB channels, guided by albedo and normals (no blur across edges or weave)."""
    rgb, albedo, normal = channels[..., :3], channels[..., 3:6], channels[..., 6:9]
    # fireflies (a rare light path through a narrow highlight) clamped to the brightest 0.2 %
    level = rgb.mean(axis=2, keepdims=True)
    ceiling = np.percentile(level, 99.8)
    rgb = rgb * np.minimum(1.0, ceiling / np.maximum(level, 1e-6))
    luminance = np.log1p(rgb.mean(axis=2))
    total = np.zeros_like(rgb)
    weights = np.zeros(rgb.shape[:2], dtype=np.float32)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            shifted = lambda a: np.roll(a, (dy, dx), axis=(0, 1))  # noqa: E731
            w = np.exp(-(dx * dx + dy * dy) / (2.0 * (radius / 1.5) ** 2))
            w = w * np.exp(-np.sum((shifted(albedo) - albedo) ** 2, axis=2) / (2 * 0.02**2))
            w = w * np.exp(-np.sum((shifted(normal) - normal) ** 2, axis=2) / (2 * 0.1**2))
            w = w * np.exp(-((shifted(luminance) - luminance) ** 2) / (2 * 0.8**2))
            total += shifted(rgb) * w[..., None]
            weights += w
    return total / np.maximum(weights, 1e-6)[..., None]


def _backdrop_radiance(studio: Studio) -> np.ndarray:
    """Linear radiance that :func:`_display` shows as ``studio.background_rgb`` (the tone curve inverted)."""
    target = srgb_to_linear(studio.background_rgb)
    grid = np.linspace(0.0, 20.0, 20001)
    x = grid * studio.exposure * 0.6
    curve = np.clip((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0)
    return np.interp(target, curve, grid)


def _display(linear: np.ndarray, studio: Studio) -> np.ndarray:
    """The turntable shader's tone curve and sRGB encoding, to 8-bit RGB."""
    x = linear * studio.exposure * 0.6
    mapped = np.clip((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0)
    srgb = np.where(mapped <= 0.0031308, mapped * 12.92, 1.055 * np.power(mapped, 1 / 2.4) - 0.055)
    return np.clip(np.rint(srgb * 255), 0, 255).astype(np.uint8)
