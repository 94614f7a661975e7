"""Inspiration palettes: 3-8 named colours from a photo, clustered in CIELAB.

The photo is read safely (:mod:`garment3d.fabric.images`), reduced to at most
160 x 160 pixels, and its L*a*b* pixels clustered with k-means (k = 8,
k-means++ seeding, a fixed seed so the same photo gives the same palette).
Clusters closer than ΔE 12 (clearly the same colour to a designer) merge,
clusters under 2 % of the photo are dropped, and the rest are offered
largest first, each with the nearest CSS colour name. A photo of fewer
distinct colours than asked for gives those colours (a flat swatch: one). These become
colorways of a chosen fabric (:func:`palette_colorways`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from garment3d.errors import InvalidRequestError
from garment3d.fabric.colour import colour_name, delta_e, hex_of, lab_to_srgb, srgb_to_lab
from garment3d.fabric.images import read_image
from garment3d.types import Colorway

__all__ = ["PaletteColour", "extract_palette", "palette_from_image", "palette_colorways"]

MIN_COLOURS, MAX_COLOURS = 3, 8
MERGE_DELTA_E = 12.0
MIN_SHARE = 0.02


@dataclass(frozen=True)
class PaletteColour:
    """One colour of a palette: sRGB hex, L*a*b*, nearest CSS name, share of the photo (0..1)."""

    hex: str
    lab: tuple[float, float, float]
    name: str
    share: float


def _small(rgb: np.ndarray, side: int = 160) -> np.ndarray:
    height, width = rgb.shape[:2]
    step = max(1, int(np.ceil(max(height, width) / side)))
    return rgb[::step, ::step]


def extract_palette(rgb: np.ndarray, count: int | None = None) -> list[PaletteColour]:
    """The photo's main colours (``count`` exactly if given, 3-8; else as many as are distinct)."""
    from scipy.cluster.vq import kmeans2

    if count is not None and not MIN_COLOURS <= count <= MAX_COLOURS:
        raise InvalidRequestError(f"a palette has {MIN_COLOURS} to {MAX_COLOURS} colours, not {count}")
    lab = srgb_to_lab(_small(np.asarray(rgb, dtype=np.float64))[:, :, :3]).reshape(-1, 3)
    k = count or MAX_COLOURS
    distinct, inverse = np.unique(np.round(lab * 2) / 2, axis=0, return_inverse=True)
    if len(distinct) <= k:  # a photo of few flat colours: those colours, no clustering
        if count is not None and len(distinct) < count:
            raise InvalidRequestError(f"the photo holds only {len(distinct)} distinct colours, fewer than {count}")
        shares = np.bincount(inverse.ravel(), minlength=len(distinct)) / len(lab)
        groups = [(distinct[i], shares[i]) for i in range(len(distinct))]
        groups = _merge(groups) if count is None else groups
        return [_colour(c, share) for c, share in sorted(groups, key=lambda g: -g[1])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an empty cluster on a photo of few colours is expected
        centres, labels = kmeans2(lab, k, minit="++", seed=1234)
    shares = np.bincount(labels, minlength=k) / len(labels)
    groups = [(centres[i], shares[i]) for i in range(k) if shares[i] > 0]
    if count is None:
        groups = _merge(groups)
        groups = [g for g in groups if g[1] >= MIN_SHARE] or groups
        if len(groups) < MIN_COLOURS:
            groups = _spread(lab, MIN_COLOURS)
    groups.sort(key=lambda g: -g[1])
    return [_colour(centre, share) for centre, share in groups[:MAX_COLOURS]]


def _merge(groups):
    groups = list(groups)
    while len(groups) > 1:
        centres = np.array([g[0] for g in groups])
        distance = delta_e(centres[:, None, :], centres[None, :, :]) + np.eye(len(groups)) * 1e9
        i, j = np.unravel_index(np.argmin(distance), distance.shape)
        if distance[i, j] >= MERGE_DELTA_E:
            break
        (ci, si), (cj, sj) = groups[i], groups[j]
        merged = ((ci * si + cj * sj) / (si + sj), si + sj)
        groups = [g for n, g in enumerate(groups) if n not in (i, j)] + [merged]
    return groups


def _spread(lab: np.ndarray, count: int):
    """A near-uniform photo: ``count`` colours along its lightness, so a palette still has 3."""
    order = np.argsort(lab[:, 0])
    parts = np.array_split(order, count)
    return [(lab[p].mean(axis=0), len(p) / len(lab)) for p in parts]


def _colour(centre: np.ndarray, share: float) -> PaletteColour:
    rgb = lab_to_srgb(centre)
    lab = srgb_to_lab(np.round(rgb * 255) / 255)
    return PaletteColour(hex=hex_of(rgb), lab=tuple(round(float(v), 2) for v in lab), name=colour_name(lab),
                         share=round(float(share), 4))  # fmt: skip


def palette_from_image(source: Path | bytes, count: int | None = None, file_name: str | None = None):
    """Read an inspiration photo safely and extract its palette."""
    return extract_palette(read_image(source, "inspiration photo", file_name).pixels, count)


def palette_colorways(palette: list[PaletteColour]) -> tuple[Colorway, ...]:
    """The palette as colorways (names made unique: 'navy', 'navy 2')."""
    seen: dict[str, int] = {}
    result = []
    for colour in palette:
        seen[colour.name] = seen.get(colour.name, 0) + 1
        name = colour.name if seen[colour.name] == 1 else f"{colour.name} {seen[colour.name]}"
        result.append(Colorway(name=name, hex=colour.hex))
    return tuple(result)
