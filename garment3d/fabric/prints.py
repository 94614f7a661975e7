"""Print fabrics: a motif (or a full repeat) printed on a base cloth at a chosen repeat size and mode.

The repeat tile is composed from the motif at its physical size:

- ``full_drop``: a plain grid, the tile is the motif;
- ``half_drop``: every other column dropped by half the motif's height,
  the tile is two motifs wide;
- ``mirror``: the motif, its left-right mirror beside it and both mirrored
  upside down below, the tile two motifs wide and high.

The base cloth's weave shows through: the print is multiplied by the base
fabric's relative lightness, and the base's normal and roughness maps are
repeated over the print tile (a whole number of weave tiles fits the repeat,
so the tile stays seamless). The result is a fabric with the base's physical
values whose texture covers the repeat's true size; the renderer lays it
along the grain like any fabric (warp up the image).
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import numpy as np

from garment3d.errors import InvalidRequestError
from garment3d.fabric.colour import srgb_to_lab
from garment3d.fabric.images import read_image
from garment3d.fabric.library import PbrSet, register_fabric
from garment3d.fabric.properties import PRINT_MODES, FabricRecord, check_name, load_record
from garment3d.types import PrintRepeat

__all__ = ["compose_repeat", "make_print_fabric", "MAX_PRINT_PX"]

MAX_PRINT_PX = 2048


def compose_repeat(motif: np.ndarray, mode: str) -> np.ndarray:
    """The repeat tile of ``motif`` ``(h, w, c)`` in ``mode``."""
    if mode == "full_drop":
        return motif
    if mode == "half_drop":
        dropped = np.roll(motif, motif.shape[0] // 2, axis=0)
        return np.concatenate([motif, dropped], axis=1)
    if mode == "mirror":
        top = np.concatenate([motif, motif[:, ::-1]], axis=1)
        return np.concatenate([top, top[::-1, :]], axis=0)
    raise InvalidRequestError(f"print mode must be one of {', '.join(PRINT_MODES)}, got {mode!r}")


def _resize(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    from PIL import Image

    channels = pixels if pixels.ndim == 3 else pixels[:, :, None]
    out = [np.asarray(Image.fromarray(channels[:, :, c].astype(np.float32), mode="F").resize(size, Image.LANCZOS))
           for c in range(channels.shape[2])]  # fmt: skip
    stacked = np.clip(np.stack(out, axis=-1), 0, 1)
    return stacked if pixels.ndim == 3 else stacked[:, :, 0]


def _repeat_over(pixels: np.ndarray, shape: tuple[int, int], copies: tuple[int, int]) -> np.ndarray:
    """``pixels`` tiled ``copies`` (across, down) times over ``shape`` (rows, cols): resampled first, then tiled."""
    rows, cols = shape
    one = _resize(pixels, (max(1, -(-cols // copies[0])), max(1, -(-rows // copies[1]))))
    tiled = np.tile(one, (copies[1], copies[0]) + ((1,) if pixels.ndim == 3 else ()))
    if tiled.shape[:2] != (rows, cols):
        tiled = _resize(tiled, (cols, rows))
    return tiled


def make_print_fabric(
    motif_source: Path | bytes,
    name: str,
    *,
    base: str,
    size_cm: tuple[float, float],
    mode: str,
    display_name: str = "",
    file_name: str | None = None,
    source: str = "print supplied by the user",
    licence: str = "owned by the user",
    fabrics_dir: Path | None = None,
    replace: bool = False,
) -> FabricRecord:
    """Register print fabric ``name``: ``motif_source`` repeated at ``size_cm`` (width, height) in ``mode`` on ``base``."""
    check_name(name)
    if mode not in PRINT_MODES:
        raise InvalidRequestError(f"print mode must be one of {', '.join(PRINT_MODES)}, got {mode!r}")
    width_cm, height_cm = (float(v) for v in size_cm)
    if not (0.5 <= width_cm <= 300 and 0.5 <= height_cm <= 300):
        raise InvalidRequestError(f"the repeat size {width_cm:g} x {height_cm:g} cm must be 0.5-300 cm each way")
    motif_data = motif_source if isinstance(motif_source, (bytes, bytearray)) else Path(motif_source).read_bytes()
    motif = read_image(bytes(motif_data), "print motif", file_name or getattr(motif_source, "name", None)).pixels
    base_record = load_record(base, fabrics_dir)
    base_fabric = base_record.fabric
    tile = compose_repeat(motif.astype(np.float64), mode)
    copies = (tile.shape[1] // motif.shape[1], tile.shape[0] // motif.shape[0])
    tile_cm = (width_cm * copies[0], height_cm * copies[1])
    px_per_cm = min(MAX_PRINT_PX / max(tile_cm), max(tile.shape[1] / tile_cm[0], 40.0))
    shape = (int(round(tile_cm[1] * px_per_cm)), int(round(tile_cm[0] * px_per_cm)))
    printed = _resize(tile, (shape[1], shape[0]))
    weave_copies = tuple(max(1, int(round(t / b))) for t, b in zip(tile_cm, base_fabric.tile_cm))
    base_rgb = read_image(Path(base_fabric.texture_path), "base scan").pixels.astype(np.float64)
    lightness = srgb_to_lab(base_rgb)[..., 0]
    relative = _repeat_over(lightness / max(lightness.mean(), 1e-6) / 2.0, shape, weave_copies) * 2.0
    base_colour = np.clip(printed * relative[:, :, None] ** 0.8, 0, 1)
    normal = _base_map(base_fabric.normal_path, shape, weave_copies, default=(0.5, 0.5, 1.0))
    rough = _base_map(base_fabric.roughness_path, shape, weave_copies, default=None, constant=base_fabric.roughness)
    motif_name = "motif.png"
    fabric = dataclasses.replace(
        base_fabric,
        name=name,
        display_name=display_name or f"{name.replace('_', ' ')} print on {base_fabric.display_name}",
        tile_cm=tile_cm,
        tint=(1.0, 1.0, 1.0),
        colorways=(),
        print_repeat=PrintRepeat(motif_path=Path(motif_name), size_cm=(width_cm, height_cm), mode=mode),
        construction=f"{base_fabric.construction}, printed ({mode.replace('_', ' ')} repeat "
        f"{width_cm:g} x {height_cm:g} cm)",
    )
    credits = {motif_name: (source, licence), "scan.png": (f"{source}, printed on {base}", licence)}
    credits.update({f: (f"from base fabric '{base}'", base_record.image_credits.get(f, ("", "CC0-1.0"))[1])
                    for f in ("normal.png", "roughness.png")})  # fmt: skip
    return register_fabric(
        fabric,
        PbrSet(base_colour, normal, rough, extra={motif_name: _png_bytes(motif)}),
        kind=base_record.kind or "silk_plain",
        image_credits=credits,
        sources={**base_record.sources, "print": f"{mode} repeat {width_cm:g} x {height_cm:g} cm on '{base}'"},
        drape_range=base_record.drape_range,
        fabrics_dir=fabrics_dir,
        replace=replace,
    )


def _png_bytes(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.rint(np.clip(pixels, 0, 1) * 255).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def _base_map(path, shape, copies, default, constant: float | None = None) -> np.ndarray:
    if path is None:
        if default is not None:
            return np.broadcast_to(np.array(default), shape + (3,)).copy()
        return np.full(shape, constant)
    pixels = read_image(Path(path), "base map").pixels.astype(np.float64)
    if default is None:
        pixels = pixels.mean(axis=2)
    return _repeat_over(pixels, shape, copies)
