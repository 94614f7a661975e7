"""Procedural fabric images from the weave or knit structure, at the true thread scale.

A woven tile is drawn thread by thread: the weave's lifting plan (which of
warp or weft is on top at each crossing) repeats over the tile; every warp
end and weft pick has its own width, tone and along-the-yarn thickness
(slubs), yarns are shaded as cylinders and dive under where a float ends,
and the gaps between yarns show. A tile holds a whole number of threads and
all noise wraps around, so copies meet exactly; the tile's edges fall in the
middle of a thread, where a textile designer would cut the repeat.

Image axes: x (columns) runs along the weft, y (rows, downwards) along the
warp, as the renderer's texture coordinates expect (warp up the image).

:func:`render_weave` and :func:`render_jersey` return :class:`WovenImage`
(base colour, relief and the pixel density); the library builder
(``tools/build_fabric_library.py``) turns them into PBR sets.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from garment3d.fabric.colour import linear_to_srgb, srgb_to_linear

__all__ = [
    "WeaveSpec",
    "KnitSpec",
    "WovenImage",
    "plain",
    "twill",
    "satin",
    "crepe_weave",
    "render_weave",
    "render_jersey",
    "flower_motif",
]


def plain() -> np.ndarray:
    """Lifting plan of a plain weave: (picks, ends) True where the warp is on top."""
    return np.array([[True, False], [False, True]])


def twill(up: int, down: int) -> np.ndarray:
    """``up``/``down`` twill (3/1 for denim), the diagonal rising to the right."""
    n = up + down
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    return (j + i) % n < up


def satin(harness: int = 8, step: int = 3, warp_faced: bool = True) -> np.ndarray:
    """Satin: one interlacing per thread per repeat, at offsets ``step`` (coprime to ``harness``)."""
    i, j = np.meshgrid(np.arange(harness), np.arange(harness), indexing="ij")
    binding = j == (step * i) % harness
    return ~binding if warp_faced else binding


def crepe_weave(size: int = 8, seed: int = 7) -> np.ndarray:
    """A crepe (granite) weave: an irregular lifting plan with floats of at most two, half warp up."""
    rng = np.random.default_rng(seed)
    base = plain()
    plan = np.tile(base, (size // 2, size // 2))
    flips = rng.random((size, size)) < 0.25
    return plan ^ flips


@dataclass(frozen=True)
class WeaveSpec:
    """A woven cloth: lifting plan, thread counts (per cm), yarn colours (sRGB) and irregularity.

    cover     : share of the thread spacing each yarn fills (warp, weft); below 1 the gaps show.
    tone      : relative spread of the yarns' brightness from thread to thread (warp, weft).
    slub      : relative spread of the yarn's thickness along its length (warp, weft).
    slub_cm   : length over which a yarn's thickness changes.
    crepe     : displacement of the yarn paths, in thread spacings (crepe twist yarns pebble).
    """

    plan: np.ndarray
    ends_per_cm: float
    picks_per_cm: float
    warp_rgb: tuple[float, float, float]
    weft_rgb: tuple[float, float, float]
    cover: tuple[float, float] = (0.9, 0.9)
    tone: tuple[float, float] = (0.05, 0.05)
    slub: tuple[float, float] = (0.05, 0.05)
    slub_cm: float = 0.5
    crepe: float = 0.0
    gap_shade: float = 0.35  # brightness of the gaps relative to the yarns (the cloth's shadowed inside)
    warp_streak: float = 0.0  # denim: ring-dyed warp yarns lighter and darker along their length
    fuzz: float = 0.0  # wool: fibre hairiness
    weft_exposure: float = 1.0  # share of a weft crossing left visible by the warps pressing round it
    dive: float = 0.5  # how much a float darkens where it dives under (low on satins: floats lie flat)
    seed: int = 1
    figure: np.ndarray | None = field(default=None, compare=False)  # (h, w) bool motif: jacquard figure
    figure_plan: np.ndarray | None = field(default=None, compare=False)
    figure_weft_rgb: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class WovenImage:
    """rgb : (h, w, 3) sRGB 0..1; height : (h, w) -1..1 relief; px_per_cm; tile_cm : (width, height)."""

    rgb: np.ndarray
    height: np.ndarray
    px_per_cm: float
    tile_cm: tuple[float, float]


def _periodic_noise(shape: tuple[int, ...], sigma: tuple[float, ...], rng: np.random.Generator) -> np.ndarray:
    """Smooth noise, unit standard deviation, wrapping around every axis."""
    noise = ndimage.gaussian_filter(rng.standard_normal(shape), sigma, mode="wrap")
    std = noise.std()
    return noise / std if std > 0 else noise


def _grid(shape: tuple[int, int], px_per_cm: float) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = shape
    y = (np.arange(rows) + 0.5) / px_per_cm
    x = (np.arange(cols) + 0.5) / px_per_cm
    return np.meshgrid(x, y)


def _tile_shape(tile_cm: tuple[float, float], px_per_cm: float) -> tuple[int, int]:
    return int(round(tile_cm[1] * px_per_cm)), int(round(tile_cm[0] * px_per_cm))


def render_weave(spec: WeaveSpec, tile_cm: tuple[float, float], px_per_cm: float) -> WovenImage:
    """Draw ``tile_cm`` (width along the weft, height along the warp) of ``spec`` at ``px_per_cm``.

    The thread counts over the tile must be whole numbers (choose ``tile_cm`` so).
    """
    n_ends = int(round(tile_cm[0] * spec.ends_per_cm))
    n_picks = int(round(tile_cm[1] * spec.picks_per_cm))
    if abs(n_ends - tile_cm[0] * spec.ends_per_cm) > 1e-6 or abs(n_picks - tile_cm[1] * spec.picks_per_cm) > 1e-6:
        raise ValueError(f"tile {tile_cm} cm does not hold whole threads at {spec.ends_per_cm}x{spec.picks_per_cm}/cm")
    rng = np.random.default_rng(spec.seed)
    shape = _tile_shape(tile_cm, px_per_cm)
    x, y = _grid(shape, px_per_cm)
    a = x * spec.ends_per_cm  # warp coordinate: thread j centred on a = j
    b = y * spec.picks_per_cm  # weft coordinate
    if spec.crepe:
        sigma = 0.8 * px_per_cm / max(spec.ends_per_cm, spec.picks_per_cm) * 1.5
        a = a + spec.crepe * _periodic_noise(shape, (sigma, sigma), rng)
        b = b + spec.crepe * _periodic_noise(shape, (sigma, sigma), rng)
    j = np.rint(a).astype(np.int64)
    i = np.rint(b).astype(np.int64)
    fu, fv = a - j, b - i
    j %= n_ends
    i %= n_picks

    rows, cols = shape
    slub_px = spec.slub_cm * px_per_cm
    warp_along = _periodic_noise((n_ends, rows), (0, slub_px), rng)  # thickness along each end
    weft_along = _periodic_noise((n_picks, cols), (0, slub_px), rng)
    row_index = np.arange(rows)[:, None].repeat(cols, axis=1)
    col_index = np.arange(cols)[None, :].repeat(rows, axis=0)
    warp_half = 0.5 * spec.cover[0] * np.clip(1 + spec.slub[0] * warp_along[j, row_index], 0.3, 1.8)
    weft_half = 0.5 * spec.cover[1] * np.clip(1 + spec.slub[1] * weft_along[i, col_index], 0.3, 1.8)

    warp_up = _lifting(spec, i, j, x, y, px_per_cm)
    in_warp = np.abs(fu) < warp_half
    in_weft = np.abs(fv) < weft_half
    weft_seen = in_weft & (np.abs(fu) < 0.5 * spec.weft_exposure + warp_half - 0.5 * spec.cover[0])
    show_warp = np.where(warp_up, in_warp, in_warp & ~weft_seen)
    show_weft = ~show_warp & in_weft

    warp_shade = _yarn_shade(fu / warp_half, fv, warp_up, _float_continues(spec, i, j, x, y, px_per_cm, axis=0),
                             spec.dive)
    weft_shade = _yarn_shade(fv / weft_half, fu, ~warp_up, _float_continues(spec, i, j, x, y, px_per_cm, axis=1),
                             spec.dive)
    shade = np.where(show_warp, warp_shade, np.where(show_weft, weft_shade, 0.0))
    on_top = np.where(show_warp, warp_up, np.where(show_weft, ~warp_up, False))
    height = np.where(show_warp | show_weft, 0.1 + 0.9 * shade * np.where(on_top, 1.0, 0.45), -0.6)

    colour = _yarn_colours(spec, rng, n_ends, n_picks, i, j, row_index, col_index, show_warp, show_weft, x, y,
                           px_per_cm)  # fmt: skip
    light = np.where(show_warp | show_weft, 0.62 + 0.38 * shade, spec.gap_shade)
    if spec.fuzz:
        hair = _periodic_noise(shape, (0.6, 0.6), rng)
        light = light * (1 + spec.fuzz * 0.12 * hair)
        height = height + spec.fuzz * 0.3 * hair
    rgb = linear_to_srgb(colour * light[:, :, None])
    relief = height - ndimage.uniform_filter(height, size=max(3, int(px_per_cm * 0.3)), mode="wrap")
    relief /= max(1e-9, np.percentile(np.abs(relief), 98))
    return WovenImage(np.clip(rgb, 0, 1), np.clip(relief, -1, 1), px_per_cm, tuple(tile_cm))


def _plan_at(plan: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return plan[i % plan.shape[0], j % plan.shape[1]]


def _figure_at(spec: WeaveSpec, x: np.ndarray, y: np.ndarray, px_per_cm: float, di: int = 0, dj: int = 0):
    """Whether the crossing's thread cell (offset by di picks, dj ends) lies in the jacquard figure."""
    rows, cols = spec.figure.shape
    cx = (np.rint(x * spec.ends_per_cm) + dj) / spec.ends_per_cm
    cy = (np.rint(y * spec.picks_per_cm) + di) / spec.picks_per_cm
    r = (np.floor(cy * px_per_cm).astype(np.int64)) % rows
    c = (np.floor(cx * px_per_cm).astype(np.int64)) % cols
    return spec.figure[r, c]


def _lifting(spec: WeaveSpec, i, j, x, y, px_per_cm, di: int = 0, dj: int = 0) -> np.ndarray:
    up = _plan_at(spec.plan, i + di, j + dj)
    if spec.figure is not None:
        figure = _figure_at(spec, x, y, px_per_cm, di, dj)
        up = np.where(figure, _plan_at(spec.figure_plan, i + di, j + dj), up)
    return up


def _float_continues(spec: WeaveSpec, i, j, x, y, px_per_cm, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """For the yarn on top: does its float continue to the previous / next crossing along the yarn?"""
    here = _lifting(spec, i, j, x, y, px_per_cm)
    if axis == 0:  # warp runs along y: neighbours are the picks above and below
        before = _lifting(spec, i, j, x, y, px_per_cm, di=-1)
        after = _lifting(spec, i, j, x, y, px_per_cm, di=1)
        return (before == here) & here, (after == here) & here
    before = _lifting(spec, i, j, x, y, px_per_cm, dj=-1)
    after = _lifting(spec, i, j, x, y, px_per_cm, dj=1)
    return (before == here) & ~here, (after == here) & ~here


def _yarn_shade(across: np.ndarray, along: np.ndarray, on_top: np.ndarray, continues, dive: float) -> np.ndarray:
    """0..1 brightness of a yarn: a cylinder across it, dipping where a float dives under the crossing yarn."""
    cylinder = np.sqrt(np.clip(1 - across**2, 0, 1))
    before, after = continues
    dive = np.where(along < 0, ~before, ~after) & on_top
    depth = np.where(dive, (np.abs(along) / 0.5) ** 2, 0.0)
    lower = ~on_top
    return cylinder * (1 - dive * depth) * np.where(lower, 0.55, 1.0)


def _yarn_colours(spec, rng, n_ends, n_picks, i, j, row_index, col_index, show_warp, show_weft, x, y, px_per_cm):
    warp_tone = 1 + spec.tone[0] * rng.standard_normal(n_ends)
    weft_tone = 1 + spec.tone[1] * rng.standard_normal(n_picks)
    warp = srgb_to_linear(np.array(spec.warp_rgb))
    weft = srgb_to_linear(np.array(spec.weft_rgb))
    colour = np.empty(i.shape + (3,))
    warp_colour = warp[None, None, :] * warp_tone[j][:, :, None]
    if spec.warp_streak:
        rows = i.shape[0]
        streak = _periodic_noise((n_ends, rows), (0, 0.25 * rows), rng)
        warp_colour = warp_colour * (1 + spec.warp_streak * streak[j, row_index])[:, :, None]
    weft_colour = weft[None, None, :] * weft_tone[i][:, :, None]
    if spec.figure is not None and spec.figure_weft_rgb is not None:
        figure = _figure_at(spec, x, y, px_per_cm)
        figure_weft = srgb_to_linear(np.array(spec.figure_weft_rgb))[None, None, :] * weft_tone[i][:, :, None]
        weft_colour = np.where(figure[:, :, None], figure_weft, weft_colour)
    gap = 0.5 * (warp + weft)
    colour[:] = gap
    colour = np.where(show_warp[:, :, None], warp_colour, colour)
    colour = np.where(show_weft[:, :, None], weft_colour, colour)
    return np.clip(colour, 0, 1)


# --------------------------------------------------------------------------- knit


@dataclass(frozen=True)
class KnitSpec:
    """Single jersey, technical face: columns (wales) of V-shaped loops, rows (courses) per cm."""

    wales_per_cm: float
    courses_per_cm: float
    yarn_rgb: tuple[float, float, float]
    tone: float = 0.04
    seed: int = 3


def render_jersey(spec: KnitSpec, tile_cm: tuple[float, float], px_per_cm: float) -> WovenImage:
    """Draw ``tile_cm`` of single jersey's face: each stitch two slanted legs meeting at the bottom (a V)."""
    n_wales = int(round(tile_cm[0] * spec.wales_per_cm))
    n_courses = int(round(tile_cm[1] * spec.courses_per_cm))
    rng = np.random.default_rng(spec.seed)
    shape = _tile_shape(tile_cm, px_per_cm)
    x, y = _grid(shape, px_per_cm)
    a = x * spec.wales_per_cm
    b = y * spec.courses_per_cm + 0.5  # the tile's top and bottom edges cut through the middle of a stitch
    wale = np.rint(a).astype(np.int64)
    fu = a - wale
    course = np.floor(b).astype(np.int64)
    fv = b - course  # 0 at the top of the stitch, 1 at its bottom
    wale %= n_wales
    course %= n_courses
    # each leg runs from the top outer corner to the bottom centre, a slanted grain of yarn that dives
    # under the loop above at its top and under the next course at its bottom (the stitch's V)
    half_width = 0.23
    shade = np.zeros(shape)
    # this stitch's legs and its neighbours' above, below and beside (they overlap into this cell)
    for side, shift, beside in itertools.product((-1.0, 1.0), (-1.0, 0.0, 1.0), (-1.0, 0.0, 1.0)):
        t = fv + shift
        centre = side * (0.40 - 0.32 * t) + beside
        across = np.abs(fu - centre) * 0.78  # across a leg slanted about 40 degrees
        along = (t - 0.5) / 0.68
        leg = np.sqrt(np.clip(1 - (across / half_width) ** 2, 0, 1)) * np.sqrt(np.clip(1 - along**2, 0, 1))
        shade = np.maximum(shade, leg)
    inside = shade > 0
    tone = 1 + spec.tone * rng.standard_normal(n_wales)[wale] + 0.5 * spec.tone * rng.standard_normal(n_courses)[course]
    hair = _periodic_noise(shape, (0.7, 0.7), rng)
    light = np.where(inside, 0.35 + 0.65 * shade, 0.3) * tone * (1 + 0.04 * hair)
    colour = srgb_to_linear(np.array(spec.yarn_rgb))[None, None, :] * light[:, :, None]
    height = np.where(inside, shade, -0.5)
    relief = height - ndimage.uniform_filter(height, size=max(3, int(px_per_cm * 0.3)), mode="wrap")
    relief /= max(1e-9, np.percentile(np.abs(relief), 98))
    return WovenImage(np.clip(linear_to_srgb(colour), 0, 1), np.clip(relief, -1, 1), px_per_cm, tuple(tile_cm))


# --------------------------------------------------------------------------- jacquard figure


def flower_motif(shape: tuple[int, int], petals: int = 6, seed: int = 11) -> np.ndarray:
    """``(h, w)`` bool: a stylised flower with leaves, two per repeat in half drop, wrapping at the edges."""
    rows, cols = shape
    rng = np.random.default_rng(seed)
    y, x = np.meshgrid(np.arange(rows) / rows, np.arange(cols) / cols, indexing="ij")
    mask = np.zeros(shape, bool)
    for cx, cy, turn in ((0.25, 0.25, 0.0), (0.75, 0.75, np.pi / petals)):
        dx = (x - cx + 0.5) % 1.0 - 0.5
        dy = (y - cy + 0.5) % 1.0 - 0.5
        radius = np.hypot(dx, dy)
        angle = np.arctan2(dy, dx) + turn
        petal = 0.17 * (0.55 + 0.45 * np.abs(np.cos(petals / 2 * angle)) ** 0.7)
        mask |= (radius < petal) & (radius > 0.035)  # petals round an open centre
        mask |= radius < 0.022  # the heart
        for leaf in range(2):
            leaf_angle = turn + np.pi / 4 + leaf * np.pi
            lx, ly = cx + 0.24 * np.cos(leaf_angle), cy + 0.24 * np.sin(leaf_angle)
            ldx = (x - lx + 0.5) % 1.0 - 0.5
            ldy = (y - ly + 0.5) % 1.0 - 0.5
            along = ldx * np.cos(leaf_angle) + ldy * np.sin(leaf_angle)
            across = -ldx * np.sin(leaf_angle) + ldy * np.cos(leaf_angle)
            mask |= (along / 0.07) ** 2 + (across / 0.028) ** 2 < 1
    for _ in range(6):  # small scattered dots between the flowers
        px, py = rng.random(2)
        ddx = (x - px + 0.5) % 1.0 - 0.5
        ddy = (y - py + 0.5) % 1.0 - 0.5
        if min(np.hypot(px - 0.25, py - 0.25), np.hypot(px - 0.75, py - 0.75)) > 0.3:
            mask |= np.hypot(ddx, ddy) < 0.015
    return mask
