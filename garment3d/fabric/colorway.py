"""Colorways: the same fabric dyed another colour, keeping its weave shading and sheen.

:func:`recolour` works in CIELAB: the fabric's mean colour moves to the
target, every pixel keeps its offset from the mean (the weave's light and
shade, a shot silk's two yarn colours), with the lightness offsets scaled by
the target's lightness over the fabric's (a dark dye shows less contrast in
absolute terms, as on real cloth) and the chroma offsets halved.

:func:`apply_colorway` returns a new :class:`Fabric` whose only change is
the base-colour image (written once to the cache, keyed by content): the
physical values are untouched, so one drape renders in any number of
colorways without simulating again.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np

from garment3d.fabric.colour import hex_of, lab_to_srgb, parse_colour, srgb_to_lab
from garment3d.fabric.images import read_image, write_png
from garment3d.settings import get_settings
from garment3d.types import Fabric

__all__ = ["recolour", "apply_colorway", "fabric_base_colour"]


def recolour(rgb: np.ndarray, target_rgb: np.ndarray) -> np.ndarray:
    """``(h, w, 3)`` sRGB image recoloured to the sRGB ``target_rgb`` (3,), weave shading kept."""
    lab = srgb_to_lab(np.asarray(rgb, dtype=np.float64)[:, :, :3])
    mean = lab.reshape(-1, 3).mean(axis=0)
    target = srgb_to_lab(np.asarray(target_rgb, dtype=np.float64))
    offset = lab - mean
    contrast = np.clip((target[0] + 8.0) / (mean[0] + 8.0), 0.35, 1.6)
    # keep the shading inside the lightness range the target leaves room for
    spread = np.percentile(np.abs(offset[..., 0]), 99) * contrast
    room = min(target[0], 100.0 - target[0])
    if spread > 0 and room < spread:
        contrast *= max(room, 2.0) / spread
    out = np.empty_like(lab)
    out[..., 0] = target[0] + offset[..., 0] * contrast
    out[..., 1:] = target[1:] + 0.5 * offset[..., 1:]
    return lab_to_srgb(out)


def fabric_base_colour(fabric: Fabric) -> np.ndarray:
    """The fabric's base-colour image as ``(h, w, 3)`` sRGB 0..1, with its tint multiplied in."""
    pixels = read_image(Path(fabric.texture_path), "fabric scan").pixels.astype(np.float64)
    return np.clip(pixels * np.asarray(fabric.tint, dtype=np.float64), 0, 1)


def apply_colorway(fabric: Fabric, colour: str, cache_dir: Path | None = None) -> Fabric:
    """``fabric`` in ``colour`` (``#rrggbb``, one of its colorway names, or a CSS colour name)."""
    palette = {c.name: c.hex for c in fabric.colorways}
    target = parse_colour(colour, palette)
    target_hex = hex_of(target)
    source = Path(fabric.texture_path)
    key = hashlib.sha256(source.read_bytes() + repr(tuple(fabric.tint)).encode() + target_hex.encode()).hexdigest()
    path = Path(cache_dir or get_settings().cache_dir) / "colorways" / f"{fabric.name}-{key[:16]}.png"
    if not path.is_file():
        write_png(recolour(fabric_base_colour(fabric), target), path)
    label = colour if colour in palette else target_hex
    return dataclasses.replace(
        fabric, texture_path=path, tint=(1.0, 1.0, 1.0), display_name=f"{fabric.display_name} ({label})"
    )
