"""PBR maps from a fabric's base colour: a height field from the weave's structure,
a tangent-space normal map and a roughness map; look presets by fabric kind.

The height is the image's luminance with the lighting removed (a high-pass
over a few millimetres): a lit thread is a raised thread. Gradients wrap
around, so the maps tile like the base colour. The normal map follows the
OpenGL convention the renderer uses (green up the image, along the warp).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from garment3d.errors import InvalidRequestError

__all__ = ["LookPreset", "LOOKS", "look_for", "height_from_image", "normal_map", "roughness_map"]


@dataclass(frozen=True)
class LookPreset:
    """Surface look of a kind of fabric: PBR roughness, sheen (strength, lobe width), warp anisotropy, opacity."""

    roughness: float
    sheen: float
    sheen_roughness: float
    anisotropy: float = 0.0
    opacity: float = 1.0
    bump_mm: float = 0.05  # height of the weave relief the normal map shows


LOOKS: dict[str, LookPreset] = {
    "silk_satin": LookPreset(0.32, 0.85, 0.30, anisotropy=0.6, bump_mm=0.01),
    "silk_plain": LookPreset(0.50, 0.55, 0.40, anisotropy=0.15, bump_mm=0.015),
    "silk_crepe": LookPreset(0.62, 0.40, 0.50, bump_mm=0.03),
    "silk_sheer": LookPreset(0.45, 0.50, 0.40, opacity=0.35, bump_mm=0.01),
    "silk_slub": LookPreset(0.48, 0.60, 0.40, anisotropy=0.1, bump_mm=0.04),
    "silk_jacquard": LookPreset(0.40, 0.70, 0.35, anisotropy=0.4, bump_mm=0.03),
    "cotton": LookPreset(0.80, 0.15, 0.70, bump_mm=0.04),
    "linen": LookPreset(0.85, 0.10, 0.80, bump_mm=0.06),
    "denim": LookPreset(0.90, 0.05, 0.90, bump_mm=0.10),
    "wool": LookPreset(0.88, 0.25, 0.80, bump_mm=0.06),
    "knit": LookPreset(0.85, 0.20, 0.60, bump_mm=0.08),
    "synthetic": LookPreset(0.60, 0.30, 0.50, bump_mm=0.04),
}


def look_for(kind: str) -> LookPreset:
    if kind not in LOOKS:
        raise InvalidRequestError(f"unknown fabric kind '{kind}' (known: {', '.join(LOOKS)})")
    return LOOKS[kind]


def height_from_image(rgb: np.ndarray, px_per_cm: float) -> np.ndarray:
    """``(h, w)`` relief in -1..1 from the luminance, lighting above 3 mm removed (wrap-around filters)."""
    grey = np.asarray(rgb, dtype=np.float64)[:, :, :3] @ np.array([0.2126, 0.7152, 0.0722])
    sigma = max(1.0, 0.3 * px_per_cm)
    detail = grey - ndimage.gaussian_filter(grey, sigma, mode="wrap")
    detail = ndimage.gaussian_filter(detail, 0.6, mode="wrap")  # scanner noise is not relief
    spread = np.percentile(np.abs(detail), 98)
    return np.clip(detail / spread, -1.0, 1.0) if spread > 0 else np.zeros_like(detail)


def normal_map(height: np.ndarray, px_per_cm: float, bump_mm: float) -> np.ndarray:
    """``(h, w, 3)`` tangent-space normal map in 0..1 (OpenGL: +x right, +y up the image)."""
    relief_mm = height * bump_mm * 0.5
    pixel_mm = 10.0 / px_per_cm
    # image rows grow downwards; +y of the normal map points up the image
    dx = (np.roll(relief_mm, -1, axis=1) - np.roll(relief_mm, 1, axis=1)) / (2 * pixel_mm)
    dy = -(np.roll(relief_mm, -1, axis=0) - np.roll(relief_mm, 1, axis=0)) / (2 * pixel_mm)
    normal = np.stack([-dx, -dy, np.ones_like(dx)], axis=-1)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    return normal * 0.5 + 0.5


def roughness_map(height: np.ndarray, base: float, spread: float = 0.15) -> np.ndarray:
    """``(h, w)`` roughness in 0..1: raised, lit thread tops smoother than the shadowed interstices."""
    return np.clip(base - spread * height, 0.05, 1.0)
