"""Scan import: a photo or flatbed scan of a fabric becomes a true-scale PBR fabric in the library.

Steps (:func:`import_scan`): read the image safely (PNG, JPEG or TIFF, 8 or
16 bit; :mod:`garment3d.fabric.images`), crop, white-balance (against a
neutral patch the user marks, or a grey-world estimate when asked), remove
the lighting gradient (a smooth quadratic fitted to the log luminance is
divided out: flat-fielding), make the tile seamless and measure the seam
before and after, derive normal and roughness maps from the structure, take
the sheen from the fabric's kind, and register the fabric. The physical
size comes from the DPI (given, or the file's own) or the scanned width in
centimetres; the physical values from a library fabric of the same kind
(``like``), as a start to be replaced by a lab measurement.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from garment3d.errors import InvalidRequestError
from garment3d.fabric.colour import linear_to_srgb, srgb_to_linear
from garment3d.fabric.images import read_image
from garment3d.fabric.library import pbr_from_base, register_fabric
from garment3d.fabric.maps import look_for
from garment3d.fabric.properties import FabricRecord, check_name, load_fabric
from garment3d.fabric.tiling import SeamVisibility, make_seamless, seam_visibility

__all__ = ["ScanImport", "ScanResult", "import_scan", "prepare_scan", "DEFAULT_LIKE", "MAX_TILE_PX"]

log = logging.getLogger(__name__)

MAX_TILE_PX = 1024
DEFAULT_LIKE = {
    "silk_satin": "silk_charmeuse", "silk_plain": "silk_habotai", "silk_crepe": "silk_crepe_de_chine",
    "silk_sheer": "silk_organza", "silk_slub": "silk_dupioni", "silk_jacquard": "silk_brocade",
    "cotton": "poplin_grey", "linen": "linen_red", "denim": "denim_indigo", "wool": "wool_crepe",
    "knit": "jersey_cotton", "synthetic": "technical_knit",
}  # fmt: skip


@dataclass(frozen=True)
class ScanImport:
    """What the user says about a scan.

    dpi or width_cm gives the physical size (dpi wins; else the file's DPI).
    crop_px           : (left, top, right, bottom) in the image's pixels, or None for all of it.
    neutral_patch_px  : (left, top, right, bottom) of a white/grey card in the image, or None.
    white_balance     : "patch" (needs neutral_patch_px), "grey_world" or "none"; None picks
                        "patch" when a patch is given, else "none".
    like              : library fabric whose physical values the new one starts from (default by kind).
    """

    name: str
    kind: str
    display_name: str = ""
    dpi: float | None = None
    width_cm: float | None = None
    crop_px: tuple[int, int, int, int] | None = None
    neutral_patch_px: tuple[int, int, int, int] | None = None
    white_balance: str | None = None
    flat_field: bool = True
    like: str | None = None
    composition: str = ""
    construction: str = ""
    source: str = "scan supplied by the user"
    licence: str = "owned by the user"


@dataclass(frozen=True)
class ScanResult:
    record: FabricRecord
    seam_before: SeamVisibility
    seam_after: SeamVisibility
    px_per_cm: float
    white_balance: str


def _box(box, shape, what: str) -> tuple[int, int, int, int]:
    height, width = shape[:2]
    try:
        left, top, right, bottom = (int(v) for v in box)
    except (TypeError, ValueError):
        raise InvalidRequestError(f"{what} must be four whole numbers: left, top, right, bottom") from None
    if not (0 <= left < right <= width and 0 <= top < bottom <= height):
        raise InvalidRequestError(f"{what} ({left}, {top}, {right}, {bottom}) is outside the {width} x {height} image")
    return left, top, right, bottom


def _white_balance(linear: np.ndarray, mode: str, reference: np.ndarray | None) -> np.ndarray:
    """``linear`` scaled per channel so the reference (a neutral patch's mean, or the image's) is grey."""
    if mode == "none":
        return linear
    if mode == "patch":
        pass
    elif mode == "grey_world":
        reference = linear.reshape(-1, 3).mean(axis=0)
    else:
        raise InvalidRequestError(f"white_balance must be 'patch', 'grey_world' or 'none', got {mode!r}")
    if np.any(reference <= 1e-4):
        raise InvalidRequestError("the white-balance reference is black in one channel: mark a lit neutral patch")
    return linear * (reference.mean() / reference)


def _flat_field(linear: np.ndarray) -> np.ndarray:
    """Divide out a smooth quadratic lighting gradient fitted to the log luminance."""
    height, width = linear.shape[:2]
    step = max(1, int(max(height, width) / 128))
    y, x = np.mgrid[0:height:step, 0:width:step]
    u, v = x / width - 0.5, y / height - 0.5
    lum = np.log(np.maximum(linear[::step, ::step] @ np.array([0.2126, 0.7152, 0.0722]), 1e-4))
    basis = np.stack([np.ones_like(u), u, v, u * u, u * v, v * v], axis=-1).reshape(-1, 6)
    coefficients, *_ = np.linalg.lstsq(basis, lum.reshape(-1), rcond=None)
    fy, fx = np.mgrid[0:height, 0:width]
    fu, fv = fx / width - 0.5, fy / height - 0.5
    field = np.stack([np.zeros_like(fu), fu, fv, fu * fu, fu * fv, fv * fv], axis=-1) @ coefficients
    return linear * np.exp(-field)[:, :, None]


def _resample(rgb: np.ndarray, factor: float) -> np.ndarray:
    from PIL import Image

    height, width = rgb.shape[:2]
    size = (max(16, int(round(width * factor))), max(16, int(round(height * factor))))
    channels = [Image.fromarray(rgb[:, :, c].astype(np.float32), mode="F").resize(size, Image.LANCZOS) for c in range(3)]
    return np.clip(np.stack([np.asarray(c) for c in channels], axis=-1), 0, 1)


def _px_per_cm(options: ScanImport, file_dpi, width_px: int) -> float:
    """Pixels per cm: the DPI given, else the width given, else the file's own DPI (often a meaningless 72)."""
    if options.dpi is not None:
        if not 10 <= options.dpi <= 20000:
            raise InvalidRequestError(f"dpi {options.dpi:g} is outside 10-20000")
        return options.dpi / 2.54
    if options.width_cm is not None:
        if not 0.2 <= options.width_cm <= 300:
            raise InvalidRequestError(f"width_cm {options.width_cm:g} is outside 0.2-300 cm")
        return width_px / options.width_cm
    if file_dpi is not None and 150 <= file_dpi[0] <= 20000:
        return file_dpi[0] / 2.54
    raise InvalidRequestError("the scan's physical size is unknown: give its DPI or its width in cm")


def prepare_scan(source: Path | bytes, options: ScanImport, file_name: str | None = None):
    """The seamless, balanced, flat-fielded tile: ``(rgb, px_per_cm, seam_before, seam_after, white_balance)``.

    The crop is taken and brought down to at most :data:`MAX_TILE_PX` first, so
    a large scan costs one resample, not every step at full size.
    """
    image = read_image(source, "scan", file_name)
    pixels = image.pixels
    mode = options.white_balance or ("patch" if options.neutral_patch_px is not None else "none")
    reference = None
    if mode == "patch":  # the patch is marked on the whole image, which the crop may leave out
        if options.neutral_patch_px is None:
            raise InvalidRequestError("white_balance 'patch' needs neutral_patch_px")
        left, top, right, bottom = _box(options.neutral_patch_px, pixels.shape, "neutral patch")
        reference = srgb_to_linear(pixels[top:bottom, left:right]).reshape(-1, 3).mean(axis=0)
    if options.crop_px is not None:
        left, top, right, bottom = _box(options.crop_px, pixels.shape, "crop")
        pixels = pixels[top:bottom, left:right]
        if min(pixels.shape[:2]) < 16:
            raise InvalidRequestError("the crop is smaller than 16 x 16 px")
    px_per_cm = _px_per_cm(options, image.dpi, pixels.shape[1])
    if max(pixels.shape[:2]) > MAX_TILE_PX:
        factor = MAX_TILE_PX / max(pixels.shape[:2])
        pixels = _resample(pixels, factor)
        px_per_cm *= factor
    linear = _white_balance(srgb_to_linear(pixels), mode, reference)
    if options.flat_field:
        linear = _flat_field(linear)
    rgb = np.clip(linear_to_srgb(np.clip(linear, 0, 1)), 0, 1)
    before = seam_visibility(rgb)
    seamless = rgb if before.seamless else make_seamless(rgb)  # a tile that already repeats is left alone
    after = seam_visibility(seamless)
    return seamless, px_per_cm, before, after, mode


def import_scan(
    source: Path | bytes,
    options: ScanImport,
    *,
    file_name: str | None = None,
    fabrics_dir: Path | None = None,
    replace: bool = False,
) -> ScanResult:
    """Import a scan as library fabric ``options.name`` and report the seam before and after tiling."""
    check_name(options.name)
    look = look_for(options.kind)
    like = options.like or DEFAULT_LIKE[options.kind]
    try:
        template = load_fabric(like, fabrics_dir)
    except InvalidRequestError as exc:
        raise InvalidRequestError(f"'like' must name a library fabric to take physical values from: {exc}") from None
    rgb, px_per_cm, before, after, mode = prepare_scan(source, options, file_name)
    height, width = rgb.shape[:2]
    fabric = dataclasses.replace(
        template,
        name=options.name,
        display_name=options.display_name or options.name.replace("_", " "),
        tile_cm=(width / px_per_cm, height / px_per_cm),
        tint=(1.0, 1.0, 1.0),
        roughness=look.roughness,
        sheen=look.sheen,
        sheen_roughness=look.sheen_roughness,
        anisotropy=look.anisotropy,
        opacity=look.opacity,
        composition=options.composition or template.composition,
        construction=options.construction or template.construction,
        colorways=(),
        print_repeat=None,
    )
    derived = "derived from scan.png by garment3d.fabric.maps"
    record = register_fabric(
        fabric,
        pbr_from_base(rgb, px_per_cm, look),
        kind=options.kind,
        image_credits={"scan.png": (options.source, options.licence), "normal.png": (derived, options.licence),
                       "roughness.png": (derived, options.licence)},  # fmt: skip
        sources={"mechanics": f"physical values of library fabric '{like}' (same kind), to be measured",
                 "density_gsm": f"as '{like}'", "tile_cm": f"{px_per_cm * 2.54:.0f} dpi scan"},  # fmt: skip
        fabrics_dir=fabrics_dir,
        replace=replace,
    )
    log.info("imported scan as %s: seam %.2f -> %.2f dE (interior %.2f)", options.name, before.edge_step,
             after.edge_step, after.interior_step)  # fmt: skip
    if not after.seamless:
        log.warning("fabric %s: tile seam still visible (%.2f dE across vs %.2f inside)", options.name,
                    after.edge_step, after.interior_step)  # fmt: skip
    return ScanResult(record, before, after, px_per_cm, mode)

