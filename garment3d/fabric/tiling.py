"""Seamless tiles: how visible a tile's seam is, and making a scan tile without one.

:func:`seam_visibility` measures what a client sees where copies of a tile
meet: the mean colour step (CIE76 ΔE) between the pixels on either side of
the tile's left/right and top/bottom edges (with the tile repeated), against
the mean step between neighbouring pixels inside the tile. A seamless tile
has an edge step no larger than its interior step.

:func:`make_seamless` blends a tile with a copy of itself shifted by about
half a tile, so the edges come from the tile's middle (continuous by nature).
The shift is snapped to the nearest peak of the image's autocorrelation, so
the two copies' threads line up and the blend does not double the weave;
the blend keeps the texture's contrast (variance-preserving weights, as in
Heitz and Neyret 2018, "High-performance by-example noise using a
histogram-preserving blending operator").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from garment3d.fabric.colour import srgb_to_lab

__all__ = ["SeamVisibility", "seam_visibility", "make_seamless"]


@dataclass(frozen=True)
class SeamVisibility:
    """Mean ΔE across the tile's edges (with wrap-around) and between neighbours inside it."""

    edge_step: float
    interior_step: float

    @property
    def ratio(self) -> float:
        return self.edge_step / self.interior_step if self.interior_step > 0 else float("inf")

    @property
    def seamless(self) -> bool:
        return self.edge_step <= self.interior_step


def seam_visibility(rgb: np.ndarray) -> SeamVisibility:
    """Seam figures of an ``(h, w, 3)`` sRGB tile (0..1)."""
    lab = srgb_to_lab(np.asarray(rgb, dtype=np.float64)[:, :, :3])
    across_x = np.linalg.norm(lab[:, 0] - lab[:, -1], axis=-1)
    across_y = np.linalg.norm(lab[0, :] - lab[-1, :], axis=-1)
    inside_x = np.linalg.norm(np.diff(lab, axis=1), axis=-1)
    inside_y = np.linalg.norm(np.diff(lab, axis=0), axis=-1)
    edge = (across_x.sum() + across_y.sum()) / (across_x.size + across_y.size)
    interior = (inside_x.sum() + inside_y.sum()) / (inside_x.size + inside_y.size)
    return SeamVisibility(edge_step=float(edge), interior_step=float(interior))


def make_seamless(rgb: np.ndarray, *layers: np.ndarray) -> np.ndarray | tuple[np.ndarray, ...]:
    """A tile of the same size whose copies meet without a seam; ``(h, w, c)`` values in 0..1.

    ``layers`` (maps of the same scan, e.g. its normal map) get the same shifts
    and weights, so they stay registered with the colour; they are returned after it.
    """
    image = np.asarray(rgb, dtype=np.float64)
    extra = [np.asarray(layer, dtype=np.float64) for layer in layers]
    for axis in (1, 0):
        shift = _aligned_half_shift(image.mean(axis=2), axis)
        image = _blend_axis(image, axis, shift)
        extra = [_blend_axis(layer, axis, shift) for layer in extra]
    image = np.clip(image, 0.0, 1.0)
    return (image, *[np.clip(layer, 0.0, 1.0) for layer in extra]) if layers else image


def _aligned_half_shift(grey: np.ndarray, axis: int) -> int:
    """A shift near half the size along ``axis`` where the image matches itself (weave in phase)
    and whose new edge falls between two similar columns (mid-thread, not on a thread's edge)."""
    size = grey.shape[axis]
    profile = grey - grey.mean(axis=axis, keepdims=True)
    spectrum = np.fft.fft(profile, axis=axis)
    correlation = np.real(np.fft.ifft(spectrum * np.conj(spectrum), axis=axis)).sum(axis=1 - axis)
    window = np.arange(size // 3, size - size // 3 + 1)
    best = correlation[window].max()
    candidates = window[correlation[window] >= best - 0.25 * (best - correlation[window].min())]
    lines = np.moveaxis(grey, axis, 0)  # lines[k] is column (or row) k
    step = np.abs(lines - np.roll(lines, 1, axis=0)).mean(axis=1)  # step[c]: between line c-1 and line c
    # after rolling by s, the tile's edge joins source lines (-s - 1) and (-s)
    return int(candidates[np.argmin(step[(-candidates) % size])])


def _blend_axis(image: np.ndarray, axis: int, shift: int) -> np.ndarray:
    size = image.shape[axis]
    shifted = np.roll(image, shift, axis=axis)
    # weight of the original: 1 in the middle, 0 at both edges (cosine ramps)
    position = (np.arange(size) + 0.5) / size
    weight = np.sin(np.pi * position) ** 2
    shape = [1, 1, 1]
    shape[axis] = size
    weight = weight.reshape(shape)
    mean = image.mean(axis=(0, 1), keepdims=True)
    blended = (image - mean) * weight + (shifted - mean) * (1 - weight)
    return mean + blended / np.sqrt(weight**2 + (1 - weight) ** 2)
