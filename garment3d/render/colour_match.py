"""How closely two renders of the same view show a garment in the same colour (CIELAB, D65).

Used to hold the path-traced hero stills to the turntable's look: the
turntable is what clients see, so a fabric must read as the same colour in
both. The garment's pixels come from :func:`garment_mask` (the turntable
drawn twice with the cloth in two opposite tints: what changes is cloth);
:func:`garment_colour_match` averages each image's garment pixels in CIELAB
and gives the colour difference of the two averages, CIE76 and CIEDE2000.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from garment3d.errors import RenderError

__all__ = ["ColourMatch", "garment_colour_match", "garment_mask", "srgb_to_lab", "delta_e76", "delta_e2000"]

_D65_WHITE = np.array([0.95047, 1.0, 1.08883])
_SRGB_TO_XYZ = np.array([
    [0.4124564, 0.3575761, 0.1804375],
    [0.2126729, 0.7151522, 0.0721750],
    [0.0193339, 0.1191920, 0.9503041],
])
_MIN_PIXELS = 20


@dataclass(frozen=True)
class ColourMatch:
    """The garment's mean colour in two images of the same view, and how far apart they are.

    ``reference_lab``, ``other_lab``: (3,) mean L*, a*, b* of the garment pixels;
    ``delta_e76`` and ``delta_e2000``: the difference of those two means;
    ``pixels``: how many garment pixels were compared.
    """

    reference_lab: np.ndarray
    other_lab: np.ndarray
    delta_e76: float
    delta_e2000: float
    pixels: int


def srgb_to_lab(rgb) -> np.ndarray:
    """(..., 3) 8-bit sRGB (0..255) to CIELAB (..., 3) float64, D65 white."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _SRGB_TO_XYZ.T / _D65_WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e76(lab1, lab2) -> np.ndarray:
    """CIE76 colour difference: the Euclidean distance in CIELAB."""
    return np.linalg.norm(np.asarray(lab1, dtype=np.float64) - np.asarray(lab2, dtype=np.float64), axis=-1)


def delta_e2000(lab1, lab2) -> np.ndarray:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005), kL = kC = kH = 1."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=np.float64), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=np.float64), -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dl, dc = L2 - L1, c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0.0, dh)
    dH = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2)
    l_bar, cp_bar = (L1 + L2) / 2, (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_bar = np.where(np.abs(h1p - h2p) > 180, np.where(h_sum < 360, h_sum + 360, h_sum - 360), h_sum) / 2
    h_bar = np.where(c1p * c2p == 0, h_sum, h_bar)
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = (-2 * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
           * np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2)))))
    return np.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dH / s_h) ** 2 + r_t * (dc / s_c) * (dH / s_h))


def garment_colour_match(reference, other, mask) -> ColourMatch:
    """Compare the garment's colour in ``other`` with ``reference`` (both (h, w, 3+) uint8 sRGB, same view).

    ``mask``: (h, w) bool, the garment's pixels (:func:`garment_mask`).
    """
    reference, other, mask = np.asarray(reference), np.asarray(other), np.asarray(mask, dtype=bool)
    if reference.shape[:2] != other.shape[:2] or reference.shape[:2] != mask.shape:
        raise RenderError(f"colour match: images {reference.shape[:2]} and {other.shape[:2]} and mask "
                          f"{mask.shape} differ in size")
    pixels = int(mask.sum())
    if pixels < _MIN_PIXELS:
        raise RenderError(f"colour match: the garment covers {pixels} pixels, fewer than {_MIN_PIXELS}")
    lab_reference = srgb_to_lab(reference[..., :3][mask]).mean(axis=0)
    lab_other = srgb_to_lab(other[..., :3][mask]).mean(axis=0)
    return ColourMatch(lab_reference, lab_other, float(delta_e76(lab_reference, lab_other)),
                       float(delta_e2000(lab_reference, lab_other)), pixels)


def garment_mask(scene, azimuth_deg: float, size_px: int, erode_px: int = 2) -> np.ndarray:
    """(size_px, size_px) bool: where a :class:`StudioScene`'s garment shows from ``azimuth_deg``.

    The scene is drawn with the cloth tinted black and then white (its fabric is
    put back after); the pixels that change are cloth. ``erode_px`` trims the
    silhouette, where two renderers' edges differ.
    """
    from scipy.ndimage import binary_erosion

    fabric = scene.fabric
    try:
        scene.set_fabric(dataclasses.replace(fabric, tint=(0.0, 0.0, 0.0), sheen=0.0))
        dark = scene.render(azimuth_deg, size_px, rgb=True).astype(np.int16)
        scene.set_fabric(dataclasses.replace(fabric, tint=(4.0, 4.0, 4.0), sheen=0.0))
        light = scene.render(azimuth_deg, size_px, rgb=True).astype(np.int16)
    finally:
        scene.set_fabric(fabric)
    mask = np.abs(light - dark).max(axis=2) > 24
    return binary_erosion(mask, iterations=erode_px) if erode_px > 0 else mask
