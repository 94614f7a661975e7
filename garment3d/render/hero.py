"""Hero stills for quotes: the turntable's scene path-traced with Mitsuba 3 on the CPU.

Same figure, garment, framing and camera-fixed light directions as the
turntable, but with physically based light transport: Mitsuba's ``principled``
BSDF with the fabric's roughness (the turntable's GGX width) and anisotropy,
the turntable's Charlie sheen on top (:mod:`garment3d.render.sheen`) and the
fabric's normal map,
large area lights (soft shadows on the figure and in the folds) and light
bouncing between cloth and form. The light is the turntable's, in physical
units (intensities, tints, sky and ground, its diffuse, specular and sheen
balance: see :func:`_studio_scene`), and the stills go through its tone curve,
so a fabric reads as the same colour in both; the backdrop and the floor's
contact shadow are the turntable's, laid behind the traced subject (they do
not light it). Mitsuba's vectorised
``llvm_ad_rgb`` variant runs where a shared LLVM library of version 16 or newer
is found (Dr.Jit's code does not compile on LLVM 15 and older, and the failure
aborts the process, so the version is checked first); otherwise the slower
``scalar_rgb`` variant. The albedo and normals (a second Mitsuba output) guide
the denoiser (:mod:`garment3d.render.denoise`: Intel Open Image Denoise where
installed), which lets a still be traced with a few samples per pixel.

Slow by design (tens of seconds): made on request (quote, share link), not for
every draft. Needs the ``mitsuba`` package (``pip install mitsuba``; the extra
``hero`` adds the denoiser).
"""

from __future__ import annotations

import glob
import logging
import os
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from garment3d.errors import RenderError
from garment3d.export_glb import srgb_to_linear
from garment3d.render.camera import frame_camera, turn_about_axis
from garment3d.render.denoise import denoise, samples_for
from garment3d.render.floor import contact_shadow, shadow_on_screen
from garment3d.render.outputs import save_image
from garment3d.render.scene import CLOTH_SPECULAR, CLOTH_WRAP, TRIM_SPECULAR
from garment3d.render.sheen import register as register_sheen
from garment3d.render.studio import Studio
from garment3d.render.turntable import check_options, figure_for
from garment3d.texture import Surface, garment_surface, load_fabric_image, load_normal_image
from garment3d.trims import garment_trims, trim_look
from garment3d.types import Body, Drape, Fabric, RenderOptions

__all__ = ["HERO_VIEWS", "render_hero_stills"]

log = logging.getLogger(__name__)

HERO_VIEWS = (("front", 0.0), ("three_quarter", 35.0))
# where Linux distributions put the shared LLVM library (Debian/Ubuntu multiarch, Fedora, Arch)
LLVM_LIBRARY_GLOBS = (
    "/usr/lib/*-linux-gnu/libLLVM*.so*",
    "/usr/lib64/libLLVM*.so*",
    "/usr/lib/libLLVM*.so*",
    "/usr/lib/llvm-*/lib/libLLVM*.so*",
)
MIN_LLVM_MAJOR = 16
SHEEN_SCALE = 1.0 / np.pi


def render_hero_stills(
    drape: Drape,
    body: Body,
    fabric: Fabric,
    options: RenderOptions,
    out_dir: Path,
    *,
    size_px: int = 1536,
    samples: int | None = None,
    views=HERO_VIEWS,
    studio: Studio = Studio(),
) -> tuple[Path, ...]:
    """Write ``hero_front.png`` and ``hero_three_quarter.png`` (``size_px`` square) into ``out_dir``.

    ``samples`` per pixel: by default what the available denoiser needs for a clean still. With
    ``options.transparent`` the stills are RGBA without the backdrop, the contact shadow kept as a black
    translucent layer under the subject (as the turntable's transparent output); else opaque RGB."""
    check_options(options)
    mi = _import_mitsuba()
    samples = samples_for(samples)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figure = figure_for(drape, body, options)
    garment = garment_surface(drape, fabric)
    trims = garment_trims(drape)
    axis_xz = np.asarray(body.landmarks.axis_xz, dtype=np.float64).reshape(2)
    framing = frame_camera(np.vstack([garment.positions, figure.positions]), axis_xz, body.landmarks.bust_y, studio)
    floor = None
    if studio.ground_shadow and options.ground_shadow:
        floor = contact_shadow(np.vstack([garment.positions, figure.positions]), axis_xz)
    paths = []
    with tempfile.TemporaryDirectory(prefix="garment3d-hero-") as folder:
        folder = Path(folder)
        textures = _write_textures(fabric, folder)
        for name, azimuth in views:
            started = time.perf_counter()
            turn = turn_about_axis(-azimuth, axis_xz)
            scene = _scene(mi, garment, figure, fabric, textures, turn, framing, studio, size_px, samples, folder,
                           trims)
            channels = np.asarray(mi.render(scene), dtype=np.float32)
            traced = time.perf_counter()
            shadow = np.zeros((size_px, size_px))
            if floor is not None:
                shadow = shadow_on_screen(*floor, turn, framing, size_px) * studio.shadow_strength
            coverage = np.clip(channels[..., 3:4], 0.0, 1.0)
            if options.transparent:  # the subject alone (premultiplied: black where the rays missed it)
                subject = denoise(channels[..., :3], channels[..., 4:7], channels[..., 7:10])
                image = _over_shadow(subject, coverage, shadow, studio)
            else:
                colour = channels[..., :3] + (1.0 - coverage) * _backdrop(studio, shadow)  # over the backdrop
                image = _display(denoise(colour, channels[..., 4:7], channels[..., 7:10]), studio)
            paths.append(save_image(image, out_dir / f"hero_{name}.png"))
            log.info("hero still %s: %d px, %d spp in %.1f s (%s; traced in %.1f s, denoised in %.1f s)", name,
                     size_px, samples, time.perf_counter() - started, mi.variant(), traced - started,
                     time.perf_counter() - traced)
    return tuple(paths)


def _import_mitsuba():
    try:
        import mitsuba as mi
    except ImportError as exc:
        raise RenderError("hero stills need the Python package mitsuba (pip install mitsuba)") from exc
    library = llvm_library()
    if library is not None:
        os.environ["DRJIT_LIBLLVM_PATH"] = library
        try:
            mi.set_variant("llvm_ad_rgb")
            return mi
        except (ImportError, AttributeError, RuntimeError) as exc:  # the backend would not start: trace in scalar
            log.warning("Mitsuba's LLVM variant did not start with %s (%s); using scalar_rgb", library, exc)
    mi.set_variant("scalar_rgb")
    return mi


def llvm_library() -> str | None:
    """The path of a shared LLVM library that Dr.Jit can use (major version >= 16), or None.

    ``DRJIT_LIBLLVM_PATH`` is taken when it names a version that new (or no
    version at all: the user chose it); else the newest one found in the usual places.
    """
    chosen = os.environ.get("DRJIT_LIBLLVM_PATH")
    if chosen:
        major = _llvm_major(chosen)
        return chosen if major is None or major >= MIN_LLVM_MAJOR else None
    found = [(major, path) for pattern in LLVM_LIBRARY_GLOBS for path in glob.glob(pattern)
             if (major := _llvm_major(path)) is not None and major >= MIN_LLVM_MAJOR]
    return max(found)[1] if found else None


def _llvm_major(path: str) -> int | None:
    """The LLVM major version in a library's name (``libLLVM-19.so``, ``libLLVM.so.19.1``), or None."""
    match = re.search(r"libLLVM(?:-(\d+)|\.so\.(\d+))", os.path.basename(path))
    if match is None:
        match = re.search(r"llvm-(\d+)", path)
        return int(match.group(1)) if match else None
    return int(match.group(1) or match.group(2))


# --------------------------------------------------------------------------- scene


def _studio_scene(mi, framing, studio: Studio, size_px: int, samples: int) -> dict:
    """The studio without a subject: camera, the turntable's three lights and its sky and ground light.

    The same light as the turntable's shader, in physical units: a light of
    intensity I there makes a white matte surface facing it show I (before the
    tone curve), which is an irradiance of pi I; an area light of solid angle
    omega gives that with radiance pi I / omega, in the light's tint. The sky
    and the floor's bounce light are an environment of radiance ``studio.sky``
    above the horizon and ``studio.ground`` below it (the turntable's
    hemisphere light). The studio backdrop and the floor's contact shadow are
    not in the traced scene (they would light the subject): emitters are hidden
    from the camera, the film keeps the subject's coverage in alpha, and the
    backdrop goes behind it afterwards (:func:`_backdrop`), as in the turntable.
    """
    T = mi.ScalarTransform4f
    eye, forward, up = framing.pose[:3, 3], -framing.pose[:3, 2], framing.pose[:3, 1]
    target = framing.target
    reach = float(np.linalg.norm(eye - target))
    scene = {
        "type": "scene",
        "integrator": {
            "type": "aov",
            "aovs": "albedo:albedo,normal:sh_normal",
            # three bounces: more add nothing visible to cloth on a form
            "image": {"type": "path", "max_depth": 4, "hide_emitters": True},
        },
        "sensor": {
            "type": "perspective",
            "fov": float(np.degrees(framing.yfov)),
            "fov_axis": "y",
            "near_clip": float(framing.near),
            "far_clip": 100.0,
            "to_world": T().look_at(origin=eye.tolist(), target=target.tolist(), up=up.tolist()),
            # a box filter keeps each pixel's noise its own: the denoiser takes correlated noise for texture
            "film": {"type": "hdrfilm", "width": size_px, "height": size_px, "pixel_format": "rgba",
                     "rfilter": {"type": "box"}},
            "sampler": {"type": "independent", "sample_count": int(samples)},
        },
        "sky": {"type": "envmap", "bitmap": mi.Bitmap(_hemisphere(studio))},
    }
    right = np.cross(forward, up)
    camera_axes = np.column_stack([right, up, -forward])  # camera space -> world
    distance = 2.2 * reach
    for name, light, size in (("key", studio.key, 1.6), ("fill", studio.fill, 1.6), ("rim", studio.rim, 0.9)):
        direction = camera_axes @ (np.asarray(light.direction) / np.linalg.norm(light.direction))
        position = target + distance * direction
        irradiance = np.pi * light.intensity * _wrapped_share(light.softness + CLOTH_WRAP)
        radiance = irradiance * np.asarray(light.tint) / _square_solid_angle(size, distance)
        scene[name] = {
            "type": "rectangle",
            "to_world": T().look_at(origin=position.tolist(), target=target.tolist(), up=[0, 1, 0]).scale(
                [size / 2, size / 2, 1]
            ),
            "emitter": {"type": "area", "radiance": {"type": "rgb", "value": radiance.tolist()}},
        }
    return scene


def _wrapped_share(wrap: float) -> float:
    """How much light the turntable's wrapped diffuse gives the lit half of a shape, against Lambert's cosine.

    Its shader shades a light of softness w as (n.l + w) / (1 + w)^2, which
    spreads the same total light past the terminator: a surface facing the
    light gets less than with Lambert. Averaged over the lit hemisphere of
    normals that is (1/2 + w) / (1 + w)^2 against 1/2.
    """
    wrap = float(np.clip(wrap, 0.0, 0.9))
    return (1.0 + 2.0 * wrap) / (1.0 + wrap) ** 2


def _square_solid_angle(side: float, distance: float) -> float:
    """Solid angle (sr) of a square of ``side`` seen face-on from ``distance`` on its axis."""
    return 4.0 * float(np.arcsin(side * side / (side * side + 4.0 * distance * distance)))


def _hemisphere(studio: Studio) -> np.ndarray:
    """(16, 32, 3) float32 latitude-longitude environment: ``studio.sky`` above the horizon, ground below."""
    image = np.empty((16, 32, 3), np.float32)
    image[:8] = studio.sky
    image[8:] = studio.ground
    return image


def _scene(mi, garment: Surface, figure, fabric, textures, turn, framing, studio: Studio, size_px, samples, folder,
           trims=()):
    scene = _studio_scene(mi, framing, studio, size_px, samples)
    scene["garment"] = _ply_shape(garment, turn, folder / "garment.ply", _cloth_bsdf(fabric, textures))
    for index, part in enumerate(figure.parts):
        bsdf = {
            "type": "principled",
            "base_color": {"type": "rgb", "value": srgb_to_linear(part.rgb).tolist()},
            "roughness": float(part.roughness),
            "specular": _specular(part.specular),
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
                "specular": _specular(TRIM_SPECULAR),
            }
            scene[f"trim_{t}_{index}"] = _ply_shape(part.surface, turn, folder / f"trim_{t}_{index}.ply", bsdf)
    register_sheen(mi)
    try:
        return mi.load_dict(scene)
    except Exception as exc:  # Mitsuba reports scene errors as RuntimeError with its own text
        raise RenderError(f"the hero scene could not be built: {exc}") from exc


def _cloth_bsdf(fabric: Fabric, textures: dict) -> dict:
    principled = {
        "type": "principled",
        "base_color": {"type": "bitmap", "filename": str(textures["base"]), "filter_type": "bilinear"},
        "roughness": _principled_roughness(fabric.roughness),
        "anisotropic": float(np.clip(fabric.anisotropy, 0.0, 1.0)),
        "specular": _specular(CLOTH_SPECULAR),
    }
    sheen = float(np.clip(fabric.sheen, 0.0, 1.0))
    material = principled
    if sheen > 0:  # the turntable's Charlie sheen (principled's own sheen adds next to nothing under front light)
        material = {"type": "cloth_sheen", "inner": principled, "sheen_rgb": _sheen_rgb(fabric).tolist(),
                    "sheen_roughness": float(np.clip(fabric.sheen_roughness, 0.05, 1.0)), "scale": SHEEN_SCALE}
    bsdf = {"type": "twosided", "material": material}
    if "normal" in textures:
        bsdf = {
            "type": "normalmap",
            "normalmap": {"type": "bitmap", "filename": str(textures["normal"]), "raw": True},
            "bsdf": bsdf,
        }
    return bsdf


def _principled_roughness(roughness: float) -> float:
    """Mitsuba's principled ``roughness`` for the turntable's: its shader takes a fabric's roughness as the
    GGX alpha itself, principled squares it (silk's 0.32 traced as 0.1 gave small bright highlight patches)."""
    return float(np.sqrt(np.clip(roughness, 0.05, 1.0)))


def _sheen_rgb(fabric: Fabric) -> np.ndarray:
    """The sheen's colour as the turntable's shader tints it: the fabric's mean colour, 40 % towards white."""
    scan = np.asarray(load_fabric_image(fabric), dtype=np.float64).reshape(-1, 3)[::7] / 255.0
    mean = np.maximum(srgb_to_linear(scan).mean(axis=0), 1e-4)
    return float(np.clip(fabric.sheen, 0.0, 1.0)) * (0.6 * mean / mean.max() + 0.4)


def _diffuse_share(fabric: Fabric) -> float:
    """The share of the cloth's diffuse light the turntable keeps beside its sheen lobe (shaders/common.glsl:
    ``diffuse *= 1 - 0.25 sheen``); Mitsuba's principled sheen adds to an undimmed diffuse lobe."""
    return 1.0 - 0.25 * float(np.clip(fabric.sheen, 0.0, 1.0))


def _specular(f0: float) -> float:
    """Mitsuba's principled ``specular`` for the turntable's reflectance ``f0`` at normal incidence.

    The turntable's shader adds its specular lobe as BRDF x I, where its
    diffuse convention (a white surface facing a light of intensity I shows I)
    makes the light an irradiance of pi I: its highlights carry a pi less light
    than a physical lobe of the same f0 under the hero's lights. The hero
    takes f0 / pi, so both show the same highlights on the same fabric
    (principled: f0 = 0.08 specular).
    """
    return float(np.clip(f0 / np.pi / 0.08, 0.0, 1.0))


def _write_textures(fabric: Fabric, folder: Path) -> dict:
    """The base colour (with the turntable's diffuse share, :func:`_diffuse_share`) and normal map as PNGs."""
    from PIL import Image

    textures = {"base": folder / "base.png"}
    scan = np.asarray(load_fabric_image(fabric), dtype=np.float64) / 255.0
    base = _encode_srgb(srgb_to_linear(scan) * _diffuse_share(fabric))
    Image.fromarray(base).save(textures["base"])
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


def _backdrop(studio: Studio, shadow: np.ndarray) -> np.ndarray:
    """(size_px, size_px, 3) linear radiance that :func:`_display` shows as the turntable's backdrop and floor.

    The backdrop colour, darkened by the turntable's contact shadow as its
    floor shader does (``shadow``: the :func:`shadow_on_screen` image times
    ``studio.shadow_strength``; zeros for none).
    """
    background = np.asarray(studio.background_rgb, dtype=np.float64)
    radiance = np.empty((*shadow.shape, 3), np.float32)
    radiance[...] = _radiance_for(srgb_to_linear(background), studio)
    shaded = shadow > 0  # the shadow's disc only: the inverse curve is slow over millions of pixels
    radiance[shaded] = _radiance_for(srgb_to_linear(background * (1.0 - shadow[shaded][:, None])), studio)
    return radiance


def _over_shadow(subject: np.ndarray, coverage: np.ndarray, shadow: np.ndarray, studio: Studio) -> np.ndarray:
    """(h, w, 4) uint8 straight RGBA: the subject over the contact shadow, no backdrop (the turntable's
    transparent output: its floor draws black with the shadow as alpha, the subject is blended over it in
    display values).

    ``subject`` is the traced linear radiance premultiplied by ``coverage`` (h, w, 1) and
    ``shadow`` (h, w) the shadow's opacity.
    """
    straight = subject / np.maximum(coverage, 1e-3)
    shown = _srgb_curve(_tone_curve(straight, studio))
    alpha = coverage + (1.0 - coverage) * shadow[..., None]
    rgb = coverage * shown / np.maximum(alpha, 1e-6)  # black shadow under the subject's edge
    out = np.concatenate([rgb, alpha], axis=-1)
    return np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)


def _radiance_for(linear: np.ndarray, studio: Studio) -> np.ndarray:
    """Linear radiance that :func:`_display` tone-maps to ``linear`` (the tone curve inverted)."""
    grid = np.linspace(0.0, 20.0, 20001)
    return np.interp(linear, _tone_curve(grid, studio), grid)


def _tone_curve(linear: np.ndarray, studio: Studio) -> np.ndarray:
    """The turntable shader's tone curve (exposure and Narkowicz's ACES fit)."""
    x = linear * studio.exposure * 0.6
    return np.clip((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0)


def _display(linear: np.ndarray, studio: Studio) -> np.ndarray:
    """The turntable shader's tone curve and sRGB encoding, to 8-bit RGB."""
    return _encode_srgb(_tone_curve(linear, studio))


def _encode_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear 0..1 to 8-bit sRGB."""
    return np.clip(np.rint(_srgb_curve(linear) * 255), 0, 255).astype(np.uint8)


def _srgb_curve(linear: np.ndarray) -> np.ndarray:
    """Linear 0..1 to sRGB-encoded 0..1."""
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, linear * 12.92, 1.055 * np.power(linear, 1 / 2.4) - 0.055)
