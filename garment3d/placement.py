"""Placing flat panels around the body before the simulation.

Every region of :class:`garment3d.types.Placement` is a *wrap*: an axis (an
origin and a unit direction pointing down it) with closed contours around it,
one per depth below the origin, that clear the body. A panel is laid on the
contours: pattern depth below the panel's anchor line picks the contour,
pattern x is arc length along it. Panels sharing a wrap are laid side by side
in azimuth order with equal gaps, and where they would not fit the contours
are widened, so the
simulation starts with the cloth outside the body and the seams a few
centimetres open; the solver pulls them closed.

Axes: the waist and torso wrap the body's vertical axis (the waist line and
the side neck points); the neck wraps the vertical line through the neck
(panel *bottoms* at the side neck points); arms wrap each upper arm's axis
from the shoulder point; legs wrap the vertical line through each thigh from
the waist line. Which pattern line goes at the anchor: see ``_anchor_y``.

Contours march the body's signed-distance field out from the axis along each
azimuth and take the first exit from the body, so a bodice or a waistband
passes between the torso and the arms and a sleeve goes round its own arm
only. Where the axis is outside the body (between the legs) waist and torso
contours take the outermost surface within reach instead: a skirt goes round
both legs and ignores the hands farther out. Below their widest point contours never shrink:
cloth hangs outward. ``layer`` lifts a panel by ``LAYER_GAP_M`` per layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from garment3d.errors import MeshingError
from garment3d.fields import sample_sdf, sample_sdf_gradient
from garment3d.types import Body, BodyFrames, Panel

__all__ = ["PlacementOptions", "place_panels"]

CM = 0.01
LAYER_GAP_M = 0.008
ENVELOPE_M = 0.02  # a sleeve's contours follow the arm smoothed over this depth above and below
SLEEVE_RAMP_M = 0.05  # below the underarm a sleeve's contour shrinks to the sleeve over this depth
LAYOUT_SLACK = 1.02  # neighbouring packed pieces keep this much of their reach apart
MAX_WIDENING = 1.5  # contours grow at most this much round the body; beyond, the cloth is folded
MIN_APART = 1e-3  # share of a contour: pieces anchored closer than this are not spread apart by widening it
FOLDS = 12  # outward folds round a contour that must hold much more cloth than the body's girth
MARCH_STEP_M = 0.004
CONTOUR_SAMPLES = 180  # azimuths the body is marched along
FINE_SAMPLES = 4  # contours are resampled this many times finer for laying cloth on them
MIN_DROP_SHARE = 0.3  # of each step down a hanging piece, at least this share is laid down the axis
# a torso contour's radius changes by at most this much per unit of depth (m/m): at the underarm the
# contour steps from the arm's outside to the torso's side within one row, and cloth laid on the two rows
# folded through itself (jiaoling top at 170/92A, 1 cm: 12 crossing pairs in the back before the drape
# began, still 6 at rest; qipao at 170/92A, 2 cm: 5). At 3-5 none is left; 1-2 push the back into the sleeves.
# 5 by the library table at 2 cm (at 4 the jiaoling top at XL failed in four fabrics)
MAX_CONTOUR_SLOPE = 5.0


@dataclass(frozen=True)
class PlacementOptions:
    clearance_m: float = 0.01  # gap kept between the placed cloth and the body
    reach_m: float = 0.33  # waist wraps ignore the body farther out (arms, hands)
    limb_reach_m: float = 0.09  # sleeves and collars stop marching here (legs use reach_m)


@dataclass(frozen=True)
class _Axis:
    """A straight axis, or with ``path`` a curved one (an arm bending at the elbow).

    path: (k, 3) points of the axis at depths ``path_depths`` (k,), m; beyond
    its ends it runs straight on. Contours lie in the planes square to the
    axis at each depth, their azimuth 0 towards ``front`` as nearly as that
    plane allows.
    """

    origin: np.ndarray  # (3,) where depth 0 is
    down: np.ndarray  # (3,) unit, depth grows along it
    front: np.ndarray  # (3,) unit, azimuth 0
    left: np.ndarray  # (3,) unit, azimuth 90 (down x front... see _axis)
    path: np.ndarray | None = None
    path_depths: np.ndarray | None = None

    def frame(self, depth: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(centre, front, left), each (n, 3), of the contours at ``depth`` (n,)."""
        if self.path is None:
            ones = np.ones((len(depth), 1))
            return self.origin + depth[:, None] * self.down, ones * self.front, ones * self.left
        d, p = self.path_depths, self.path
        tangents = np.gradient(p, d, axis=0)
        tangents /= np.linalg.norm(tangents, axis=1, keepdims=True)
        inside = np.clip(depth, d[0], d[-1])
        centre = np.column_stack([np.interp(inside, d, p[:, i]) for i in range(3)])
        down = np.column_stack([np.interp(inside, d, tangents[:, i]) for i in range(3)])
        down /= np.linalg.norm(down, axis=1, keepdims=True)
        centre += (depth - inside)[:, None] * down  # straight on beyond the ends
        front = self.front - down * (down @ self.front)[:, None]
        front /= np.linalg.norm(front, axis=1, keepdims=True)
        return centre, front, np.cross(-down, front)

    def points(self, depth: np.ndarray, theta: np.ndarray, radius: np.ndarray) -> np.ndarray:
        """World points at ``depth`` along the axis, azimuth ``theta`` (rad), ``radius`` (broadcast)."""
        depth, theta, radius = np.broadcast_arrays(depth, theta, radius)
        shape = depth.shape
        depth, theta, radius = depth.ravel(), theta.ravel(), radius.ravel()
        levels, index = np.unique(depth, return_inverse=True)  # one frame per distinct depth
        centre, front, left = (a[index] for a in self.frame(levels))
        radial = np.cos(theta)[:, None] * front + np.sin(theta)[:, None] * left
        return (centre + radius[:, None] * radial).reshape(*shape, 3)


def _axis(origin, down, front=(0.0, 0.0, 1.0), path=None) -> _Axis:
    down = np.asarray(down, np.float64) / np.linalg.norm(down)
    front = np.asarray(front, np.float64)
    front = front - down * (front @ down)
    front /= np.linalg.norm(front)
    left = np.cross(-down, front)  # front x left = up the axis: right side of the cloth faces out
    origin = np.asarray(origin, np.float64)
    if path is None:
        return _Axis(origin, down, front, left)
    depths = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))])
    depths -= float((origin - path[0]) @ down)  # depth 0 at the origin's level
    return _Axis(origin, down, front, left, np.asarray(path, np.float64), depths)


@dataclass(frozen=True)
class _Wrap:
    """depths (D,) m; theta (T,) rad; radius (D, T) m; arc (D, T + 1) m cumulative length; ``lowered``
    (D,) m: how far down the axis each contour is laid, where that is not its depth in the pattern
    (``_lowered``); None: at its depth."""

    axis: _Axis
    depths: np.ndarray
    theta: np.ndarray
    radius: np.ndarray
    arc: np.ndarray
    lowered: np.ndarray | None = None


# --------------------------------------------------------------------------- contours


def _march(body: Body, axis: _Axis, depths: np.ndarray, theta: np.ndarray, reach: float, clearance: float):
    """(D, T, R) bool: points along each ray nearer the body than ``clearance``, and the radii (R,)."""
    radii = np.arange(0.0, reach, MARCH_STEP_M)
    d, t, r = np.meshgrid(depths, theta, radii, indexing="ij")
    near = sample_sdf(body.sdf, axis.points(d.ravel(), t.ravel(), r.ravel())) < clearance
    return near.reshape(d.shape), radii


def _outermost(near: np.ndarray, radii: np.ndarray) -> np.ndarray:
    return np.where(near, radii, 0.0).max(axis=2)


def _first_exit(near: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Radius where each ray first leaves the body (0 where it starts outside)."""
    outside = ~near
    exits = np.where(outside.any(axis=2), outside.argmax(axis=2), len(radii) - 1)
    return radii[exits]


def _widen_dips(radius: np.ndarray, k: int = 2) -> np.ndarray:
    """Fill narrow dips between neighbouring azimuths (between the legs, say)."""
    return np.stack([np.roll(radius, s, axis=1) for s in range(-k, k + 1)]).max(axis=0)


def _hang(radius: np.ndarray, depths: np.ndarray, from_depth: float) -> np.ndarray:
    """Contours below ``from_depth`` never shrink with depth."""
    start = int(np.searchsorted(depths, from_depth))
    out = radius.copy()
    out[start:] = np.maximum.accumulate(np.vstack([radius[max(start - 1, 0)][None], radius[start:]]), axis=0)[1:]
    return out


def _limit_slope(radius: np.ndarray, depths: np.ndarray, slope: float) -> np.ndarray:
    """(D, T) the least contours at or outside ``radius`` whose radius changes by at most ``slope`` per
    unit of depth: each radius becomes max over rows d' of radius[d'] - slope * |depth - depth[d']|, by a
    sweep down and a sweep up (exact for this linear cost). Only ever outward, so nothing moves closer
    to the body."""
    out = np.array(radius, dtype=np.float64, copy=True)
    step = slope * np.abs(np.diff(depths))
    for d in range(1, len(out)):
        np.maximum(out[d], out[d - 1] - step[d - 1], out=out[d])
    for d in range(len(out) - 2, -1, -1):
        np.maximum(out[d], out[d + 1] - step[d], out=out[d])
    return out


def _contours(body: Body, region: str, axis: _Axis, depths: np.ndarray, theta: np.ndarray,
              options) -> tuple[np.ndarray, np.ndarray]:
    """(D, T) radius of the contour cloth is laid on, and (D, T) the least radius that clears the body."""
    c = options.clearance_m
    if region in ("waist", "torso"):
        near, radii = _march(body, axis, depths, theta, options.reach_m, c)
        inside = near[:, :, 0].all(axis=1)  # the axis runs inside the torso at this depth
        radius = np.where(inside[:, None], _first_exit(near, radii), _outermost(near, radii)) + 0.5 * c
        hang_from = 0.0 if region == "waist" else float(axis.origin[1] - body.landmarks.bust_y)
        laid = _hang(_widen_dips(radius), depths, hang_from)
        return (_limit_slope(laid, depths, MAX_CONTOUR_SLOPE) if region == "torso" else laid), radius
    if region == "leg":
        near, radii = _march(body, axis, depths, theta, options.reach_m, c)
        midline = _to_midline(body, axis, theta)[None, :] - 0.5 * c  # the two legs keep apart
        radius = np.minimum(_first_exit(near, radii) + 0.5 * c, midline)
        crotch_depth = float(axis.origin[1] - body.landmarks.crotch_y)
        hung = _hang(radius, depths, crotch_depth)
        # below the knee a trouser leg hangs straight: the foot (the toes reach forward at the hem) would
        # widen the lowest rows and lay the hem's inseam corner out on the toes, centimetres from the
        # inseam it is sewn to (the corner edge stretched 336 %, caught round the ankle in a light silk)
        knee = int(np.searchsorted(depths, float(axis.origin[1] - body.landmarks.knee_y)))
        if knee < len(depths):
            hung[knee:] = np.minimum(hung[knee:], hung[knee])
        return hung, radius
    near, radii = _march(body, axis, depths, theta, options.limb_reach_m, c)
    radius = _first_exit(near, radii) + 0.5 * c
    return _hang(radius, depths, 0.0), radius


def _to_midline(body: Body, axis: _Axis, theta: np.ndarray) -> np.ndarray:
    """(T,) distance from a leg's axis to the body's mid-sagittal plane along each azimuth:
    a trouser leg stays on its own side (the crotch seam joins the two at the middle)."""
    offset = axis.origin[0] - body.landmarks.axis_xz[0]
    inward = -np.sign(offset) * np.sin(theta)  # component of the azimuth towards the midline
    with np.errstate(divide="ignore"):
        return np.where(inward > 1e-3, abs(offset) / np.maximum(inward, 1e-3), np.inf)


def _arc(theta: np.ndarray, radius: np.ndarray) -> np.ndarray:
    closed_t = np.append(theta, theta[0] + 2 * math.pi)
    closed_r = np.column_stack([radius, radius[:, :1]])
    x, y = closed_r * np.sin(closed_t), closed_r * np.cos(closed_t)
    steps = np.hypot(np.diff(x, axis=1), np.diff(y, axis=1))
    return np.column_stack([np.zeros(len(radius)), np.cumsum(steps, axis=1)])


def _anchor_y(panel: Panel) -> float:
    """Pattern y (cm) that goes at the region's anchor line.

    Waist and leg pieces: y = 0 when the outline spans it (the waist line of
    the draft, so a circle skirt whose side waist rises above its centre front
    still sits with its waist on the body's); otherwise, and for torso and arm
    pieces, the top of the piece; for collars the bottom. A placement ``drop``
    lowers the piece by that many centimetres (trouser legs hang from a
    waistband).
    """
    _, bottom, _, top = shapely.Polygon(panel.outline).bounds
    region = panel.placement.region
    if region == "neck":
        line = bottom
    elif region in ("waist", "leg") and bottom <= 0.0 <= top:
        line = 0.0
    else:
        line = top
    return line + panel.placement.drop_cm  # dropped: the anchor line lies higher up the piece


@dataclass(frozen=True)
class _Hanging:
    """A piece laid by distance from the edge it hangs from (its waist), not by pattern y.

    Coordinates sweep the edge's normals: each point lies on the normal of
    one point of the edge (normals turn smoothly along it, so a point far
    from a finely divided curve does not snap to its nearest corner); depth is
    the distance along that normal, and the position along the body is the
    arc length of the foot, stretched with depth as the curves parallel to the
    edge lengthen (by its total turning): a circle skirt's waist arc lies on
    the waist line and its radii hang straight down.
    """

    edge: np.ndarray  # (k, 2) cm, in outline order (the piece on its left)
    length: float  # cm
    turning: float  # rad, total absolute turning of the edge

    @classmethod
    def of(cls, panel: Panel) -> "_Hanging":
        points = panel.edge_points(panel.placement.hang_from)
        tangents = np.diff(points, axis=0)
        angles = np.unwrap(np.arctan2(tangents[:, 1], tangents[:, 0]))
        length = float(np.linalg.norm(tangents, axis=1).sum())
        return cls(points, length, float(np.abs(np.diff(angles)).sum()))

    def stretch(self, depth_cm: np.ndarray) -> np.ndarray:
        return 1.0 + depth_cm * self.turning / self.length

    def coordinates(self, points_cm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(depth cm, u cm from the edge's middle) of each point. u runs against the edge's outline order:
        the piece hangs on its left, so a waist edge runs towards -x and u, like pattern x for the other
        pieces, grows with x (the piece is laid right side out; along the edge it was laid mirrored)."""
        depth, along = _sweep(np.asarray(points_cm, np.float64), self.edge)
        return depth, (0.5 * self.length - along) * self.stretch(depth)

    def depth_span(self, panel: Panel) -> float:
        return float(_sweep(panel.outline, self.edge)[0].max())


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]


def _sweep(points: np.ndarray, curve: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distance, arc length of the foot) of each point (m, 2) along the normals of polyline ``curve`` (k, 2).

    The normal at a vertex is the mean of its segments' (left-hand) normals and
    turns linearly along each segment; a point's foot is where the normal
    through it meets the curve, the nearest such on the left. Points no
    normal reaches (beyond the ends) take the nearest end.
    """
    seg = np.diff(curve, axis=0)
    seg_len = np.linalg.norm(seg, axis=1)
    left = np.column_stack([-seg[:, 1], seg[:, 0]]) / seg_len[:, None]
    vertex_normal = np.vstack([left[:1], left[:-1] + left[1:], left[-1:]])
    vertex_normal /= np.linalg.norm(vertex_normal, axis=1, keepdims=True)
    start = np.concatenate([[0.0], np.cumsum(seg_len)])
    n0, dn = vertex_normal[:-1], np.diff(vertex_normal, axis=0)  # (s, 2)
    q = points[:, None, :] - curve[None, :-1, :]  # (m, s, 2)
    # cross(q - t e, n0 + t dn) = 0: a t^2 + b t + c = 0
    a = -_cross(seg, dn)[None, :]
    b = _cross(q, dn[None]) - _cross(seg, n0)[None, :]
    c = _cross(q, n0[None])
    best_depth = np.full(len(points), np.inf)
    best_along = np.zeros(len(points))
    with np.errstate(divide="ignore", invalid="ignore"):
        disc = np.sqrt(np.maximum(b * b - 4 * a * c, 0.0))
        linear = np.abs(a) < 1e-12 * np.maximum(np.abs(b), 1e-30)
        roots = [np.where(linear, -c / b, (-b + disc) / (2 * a)), np.where(linear, np.nan, (-b - disc) / (2 * a))]
    for t in roots:
        ok = np.isfinite(t) & (t >= -1e-9) & (t <= 1 + 1e-9) & (b * b - 4 * a * c >= -1e-9)
        t = np.clip(np.nan_to_num(t), 0.0, 1.0)
        foot = curve[None, :-1, :] + t[..., None] * seg[None]
        normal = n0[None] + t[..., None] * dn[None]
        depth = np.sum((points[:, None, :] - foot) * normal, axis=2) / np.linalg.norm(normal, axis=2)
        depth = np.where(ok & (depth >= -1e-6), depth, np.inf)
        pick = np.argmin(depth, axis=1)
        rows = np.arange(len(points))
        better = depth[rows, pick] < best_depth
        best_depth = np.where(better, depth[rows, pick], best_depth)
        best_along = np.where(better, start[pick] + t[rows, pick] * seg_len[pick], best_along)
    unreached = ~np.isfinite(best_depth)
    if unreached.any():
        ends = np.stack([np.linalg.norm(points[unreached] - curve[0], axis=1),
                         np.linalg.norm(points[unreached] - curve[-1], axis=1)])
        best_depth[unreached] = ends.min(axis=0)
        best_along[unreached] = np.where(ends[0] <= ends[1], 0.0, start[-1])
    return best_depth, best_along


def _extent_cm(panels: list[Panel], depths_cm: np.ndarray) -> np.ndarray:
    """Summed horizontal extent (cm) of ``panels`` at each depth below their anchor lines."""
    total = np.zeros(len(depths_cm))
    for panel in panels:
        if panel.placement.hang_from:
            hanging = _Hanging.of(panel)
            below = depths_cm - panel.placement.drop_cm  # depth below the edge it hangs from
            inside = (below >= 0.0) & (below <= hanging.depth_span(panel))
            total += np.where(inside, hanging.length * hanging.stretch(np.maximum(below, 0.0)), 0.0)
            continue
        low, high = _row_bounds_cm(panel, depths_cm)
        total += np.nan_to_num(high - low)
    return total


def _row_bounds_cm(panel: Panel, depths_cm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(D,) least and greatest pattern x (cm) of ``panel`` at each depth below its anchor line; NaN where
    the piece has no points."""
    polygon = shapely.Polygon(panel.outline)
    minx, _, maxx, _ = polygon.bounds
    lines = shapely.linestrings([[[minx - 1, y], [maxx + 1, y]] for y in _anchor_y(panel) - depths_cm])
    bounds = shapely.bounds(shapely.intersection(polygon, lines))
    return bounds[:, 0], bounds[:, 2]


def _span_cm(panel: Panel) -> tuple[float, float]:
    """(least, greatest) depth of the panel below its anchor line."""
    if panel.placement.hang_from:  # its edge hangs ``drop`` below the region's line
        return panel.placement.drop_cm, panel.placement.drop_cm + _Hanging.of(panel).depth_span(panel)
    return _anchor_y(panel) - panel.outline[:, 1].max(), _anchor_y(panel) - panel.outline[:, 1].min()


def _build_wrap(body: Body, region: str, axis: _Axis, panels: list[Panel], options: PlacementOptions) -> _Wrap:
    spans = [_span_cm(p) for p in panels]
    depths_cm = np.linspace(min(s[0] for s in spans) - 0.5, max(s[1] for s in spans) + 1.0, 160)
    coarse = np.linspace(0.0, 2 * math.pi, CONTOUR_SAMPLES, endpoint=False)
    radius, floor = _contours(body, region, axis, depths_cm * CM, coarse, options)
    # finer in azimuth for laying the cloth, so deep folds have smooth crests
    theta = np.linspace(0.0, 2 * math.pi, FINE_SAMPLES * CONTOUR_SAMPLES, endpoint=False)
    radius, floor = (np.stack([np.interp(theta, coarse, row, period=2 * math.pi) for row in r]) for r in (radius, floor))
    base = [p for p in panels if p.placement.layer == 0 and not p.placement.frame] or panels
    needed = _extent_cm(base, depths_cm) * CM * 1.02
    held = np.flatnonzero(needed > 0)  # the rows just above and below the pieces hold what their neighbours do:
    if len(held):  # points at the top or hem are blended with them
        needed[:held[0]], needed[held[-1] + 1:] = needed[held[0]], needed[held[-1]]
    if region == "arm":
        radius = _close_round(depths_cm * CM, theta, radius, floor, needed)
    arc = _arc(theta, radius)
    ratio = needed / arc[:, -1]
    radius = radius * np.clip(ratio, 1.0, MAX_WIDENING)[:, None]
    radius = _fold(theta, radius, needed)
    depths = depths_cm * CM
    lowered = _lowered(depths, radius) if any(p.placement.hang_from for p in panels) else None
    return _Wrap(axis, depths, theta, radius, _arc(theta, radius), lowered)


def _lowered(depths: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """(D,) m: how far down the axis to lay each contour so that cloth running from one contour to the
    next is not stretched: a piece hung from a curved edge (a circle skirt) spreads out from its waist
    about as fast as it goes down the pattern, so its contours grow outward nearly as fast as they are
    deep, and laid at their pattern depth the cloth between them would run down a 45-degree cone, 41 %
    longer than the pattern (the drape then starts by snapping the waist down). Each step down the pattern
    is split into the contours' outward growth (root mean square round the body) and the drop along the
    axis that makes up the rest of its length; at least ``MIN_DROP_SHARE`` of it is drop."""
    step = np.diff(depths)
    growth = np.sqrt(np.mean(np.diff(radius, axis=0) ** 2, axis=1))
    share = np.sqrt(np.clip(1.0 - (growth / step) ** 2, MIN_DROP_SHARE**2, 1.0))
    top = int(np.argmin(np.abs(depths)))  # the hanging edge stays where it was placed
    lowered = np.concatenate([[0.0], np.cumsum(step * share)])
    return lowered - lowered[top] + depths[top]


def _close_round(depths: np.ndarray, theta: np.ndarray, radius: np.ndarray, floor: np.ndarray,
                 needed: np.ndarray) -> np.ndarray:
    """Contours longer than the cloth laid on them shrink towards ``needed`` (not inside ``floor``).

    A sleeve's contours never narrow down the arm (a hanging contour), so a
    sleeve tapering to the wrist would be laid round part of a contour as wide
    as the shoulder's, its underarm edges 15 cm apart below the forearm, and
    closing that seam dragged it round the arm. Shrunk below its widest row
    (the underarm), the sleeve is laid almost closed wherever the arm allows.
    """
    scale = np.minimum(1.0, needed / _arc(theta, radius)[:, -1])
    # the cap above the underarm is no tube: it keeps its contour, and the tube below shrinks gradually
    ramp = np.clip((depths - depths[int(np.argmax(needed))]) / SLEEVE_RAMP_M, 0.0, 1.0)
    scale = 1.0 - ramp * (1.0 - scale)
    return np.maximum(_envelope(floor, depths), radius * scale[:, None])


def _envelope(radius: np.ndarray, depths: np.ndarray) -> np.ndarray:
    """A smooth upper envelope of contours (D, T) along depth: the most of each azimuth within
    ``ENVELOPE_M`` above and below, averaged over the same window. Neighbouring rows then have
    nearly the same shape, so a piece's edges lie at nearly the same azimuth on each."""
    step = float(np.median(np.diff(depths))) if len(depths) > 1 else ENVELOPE_M
    k = max(1, int(round(ENVELOPE_M / step)))
    padded = np.pad(radius, ((k, k), (0, 0)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * k + 1, axis=0)  # (D, T, 2k+1)
    most = windows.max(axis=2)
    padded = np.pad(most, ((k, k), (0, 0)), mode="edge")
    return np.lib.stride_tricks.sliding_window_view(padded, 2 * k + 1, axis=0).mean(axis=2)


def _fold(theta: np.ndarray, radius: np.ndarray, needed: np.ndarray) -> np.ndarray:
    """Contours still shorter than ``needed`` get outward folds (``FOLDS`` waves round the body),
    deep enough to hold the cloth: a full skirt starts gathered into folds, not spread as a bowl."""
    wave = 0.5 * (1.0 - np.sin(FOLDS * theta))
    out = radius.copy()
    for row in np.flatnonzero(_arc(theta, radius)[:, -1] < needed):
        low, high = 0.0, 1.0
        for _ in range(40):  # bisection on the fold depth (m)
            mid = 0.5 * (low + high)
            if _arc(theta, (radius[row] + mid * wave)[None])[0, -1] < needed[row]:
                low = mid
            else:
                high = mid
        out[row] = radius[row] + high * wave
    return out


# --------------------------------------------------------------------------- axes per region


def _frames(body: Body, region: str) -> BodyFrames:
    if body.landmarks.frames is None:
        raise MeshingError(f"this body has no neck, arm and leg frames, so '{region}' placement is impossible")
    return body.landmarks.frames


def _region_axis(body: Body, region: str, side: str, panels: list[Panel]) -> _Axis:
    lm = body.landmarks
    ax, az = lm.axis_xz
    if region == "waist":
        return _axis((ax, lm.waist_y, az), (0, -1, 0))
    frames = _frames(body, region)
    if region == "torso":
        return _axis((ax, frames.neck_y, az), (0, -1, 0))
    if region == "neck":
        return _axis((frames.neck_xz[0], frames.neck_y, frames.neck_xz[1]), (0, -1, 0))
    i = 0 if side == "left" else 1
    if region == "leg":
        return _axis((frames.leg_xz[i, 0], lm.waist_y, frames.leg_xz[i, 1]), (0, -1, 0))
    joint, down = frames.arm_joints[i], frames.arm_dirs[i]
    shoulder = frames.shoulder_points[i]
    origin = joint + down * float((shoulder - joint) @ down)
    return _axis(origin, down, path=frames.arm_paths[i])


# --------------------------------------------------------------------------- laying panels


def _wrap_row(wrap: _Wrap, row: int, centre: float, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(theta, radius) of points ``u`` metres along contour ``row`` from the point
    at fraction ``centre`` of its length (measured from azimuth 0)."""
    arc, length = wrap.arc[row], wrap.arc[row, -1]
    closed_t = np.append(wrap.theta, 2 * math.pi)
    closed_r = np.append(wrap.radius[row], wrap.radius[row, 0])
    s = (centre * length + u) % length
    theta = np.interp(s, arc, closed_t)
    return theta, np.interp(theta, closed_t, closed_r)


def _azimuth_fraction(wrap: _Wrap, row: int, azimuth_deg: float) -> float:
    closed_t = np.append(wrap.theta, 2 * math.pi)
    return float(np.interp(math.radians(azimuth_deg) % (2 * math.pi), closed_t, wrap.arc[row]) / wrap.arc[row, -1])


def _pack(wrap: _Wrap, panels: list[Panel]) -> dict[str, float]:
    """Centre of each panel as a fraction of the contour length.

    Panels of layer 0 (not drafted in another's frame) are laid side by side in azimuth order with equal gaps
    at the depth where together they are widest, starting from the one nearest
    its declared azimuth 0 (so declared azimuths only order them and need not
    add up); other layers sit at their declared azimuth, and so does a piece
    with no points on that row (see ``_side_by_side``).
    """
    base, widths, row = _side_by_side(wrap, panels)
    centres = {p.name: _azimuth_fraction(wrap, row, p.placement.azimuth_deg) for p in panels}
    if len(base) > 1:
        length = wrap.arc[row, -1]
        w = widths[:, row] / length
        gap = max(0.0, 1.0 - w.sum()) / len(base)
        position = centres[base[0].name]
        for k in range(1, len(base)):
            position += w[k - 1] / 2 + gap + w[k] / 2
            centres[base[k].name] = position % 1.0
    return centres


def _side_by_side(wrap: _Wrap, panels: list[Panel]) -> tuple[list[Panel], np.ndarray, int]:
    """(packed panels in azimuth order, their widths (k, D) m, the packing row): the row where together they
    are widest. A piece with no points on that row (a waistband above the skirt it is sewn to) is not laid in
    a zero-width slot between the others: it keeps its declared azimuth."""
    base = sorted((p for p in panels if _packed(p)), key=lambda p: p.placement.azimuth_deg % 360)
    widths = np.array([_extent_cm([p], wrap.depths / CM) for p in base]).reshape(len(base), len(wrap.depths)) * CM
    row = int(np.argmax(widths.sum(axis=0))) if len(base) else 0
    if len(base) > 1 and np.any(widths[:, row] <= 0.0):
        keep = widths[:, row] > 0.0
        base, widths = [p for p, k in zip(base, keep) if k], widths[keep]
    return base, widths, row


def _row_spans_m(panel: Panel, depths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(D,) least and greatest offset (m) along the contour of ``panel``'s points at each depth from the
    point laid at its centre (as ``_lay`` lays a packed piece); NaN where the piece has no points."""
    minx, _, maxx, _ = shapely.Polygon(panel.outline).bounds
    low, high = _row_bounds_cm(panel, depths / CM)
    middle = 0.5 * (minx + maxx)
    return (low - middle) * CM, (high - middle) * CM


def _hold_layout(wrap: _Wrap, panels: list[Panel], centres: dict[str, float]) -> _Wrap:
    """Widen the contours on which neighbouring pieces of layer 0, packed ones laid at fixed fractions of each
    contour's length and aligned ones with their edge at their azimuth, would overlap.

    The fractions come from the row where the pieces together are widest; a row
    whose contour was only widened to the pieces' summed width there (a skirt's
    waist) can be too short for those fractions, and two pieces' edges (a
    pencil skirt's two backs at the centre back) would then start crossed. A
    pencil skirt's back halves laid from their slit edges at centre back reached
    past its front's sides on a waist contour not widened for them.
    """
    packed, _, row = _side_by_side(wrap, panels)
    on_row = {p.name for p in packed}
    base = [p for p in panels if p.name in on_row and not p.placement.hang_from]
    if base:  # aligned pieces laid among packed ones (pieces all aligned, as trouser legs, keep their layout)
        base += [p for p in panels if p.placement.layer == 0 and not p.placement.frame and p.placement.align_edge]
    if len(base) < 2:  # (pieces hung from a curved edge are laid along its normals, not from their centre)
        return wrap
    laid = [_row_layout(wrap, p, centres[p.name]) for p in base]
    middle = [a[row] + 0.5 * np.nan_to_num(lo[row] + hi[row]) / wrap.arc[row, -1] if p.placement.align_edge
              else centres[p.name] for p, (a, lo, hi) in zip(base, laid)]
    order = np.argsort(np.mod(middle, 1.0), kind="stable")
    needed = np.zeros(len(wrap.depths))
    for r in range(len(wrap.depths)):
        # neighbours on this contour: pieces with no points on it (a bodice above the skirt it is sewn to) are
        # not there to be neighbours
        present = [k for k in order if not (np.isnan(laid[k][1][r]) or np.isnan(laid[k][2][r]))]
        for k, nxt in zip(present, present[1:] + present[:1]):
            if k == nxt:
                continue
            apart = (laid[nxt][0][r] - laid[k][0][r]) % 1.0
            if nxt == present[0] and apart <= 0.0:  # round the contour back to the first piece: a whole turn
                apart = 1.0
            # two pieces anchored at one point (a front's two halves aligned at centre front): no widening
            # separates them
            if apart > MIN_APART:
                reach = laid[k][2][r] - laid[nxt][1][r]  # right of this one, left of the next
                needed[r] = max(needed[r], reach / apart)
    ratio = np.clip(needed * LAYOUT_SLACK / wrap.arc[:, -1], 1.0, None)
    if np.all(ratio == 1.0):
        return wrap
    radius = wrap.radius * ratio[:, None]
    return _Wrap(wrap.axis, wrap.depths, wrap.theta, radius, _arc(wrap.theta, radius), wrap.lowered)


def _row_layout(wrap: _Wrap, panel: Panel, centre: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(D,) per contour: the fraction of its length where ``panel`` is anchored (its centre, or its aligned
    edge), and the least and greatest offsets (m) along it of the piece's points from there (NaN where the
    piece has no points)."""
    if not panel.placement.align_edge:
        low, high = _row_spans_m(panel, wrap.depths)
        return np.full(len(wrap.depths), centre), low, high
    anchor = np.array([_azimuth_fraction(wrap, r, panel.placement.azimuth_deg) for r in range(len(wrap.depths))])
    low, high = _row_bounds_cm(panel, wrap.depths / CM)
    edge = _edge_x(panel, _anchor_y(panel) - wrap.depths / CM)
    return anchor, (low - edge) * CM, (high - edge) * CM


def _packed(panel: Panel) -> bool:
    """Laid side by side with its neighbours (not under or over them, nor at an aligned edge)."""
    placement = panel.placement
    return placement.layer == 0 and not placement.frame and not placement.align_edge


def _edge_x(panel: Panel, y_cm: np.ndarray) -> np.ndarray:
    """Pattern x of the aligned edge at each height ``y_cm`` (held at its ends beyond them)."""
    points = panel.edge_points(panel.placement.align_edge)
    order = np.argsort(points[:, 1])
    return np.interp(y_cm, points[order, 1], points[order, 0])


def _lay(panel: Panel, points_cm: np.ndarray, wrap: _Wrap, centre: float, frame: Panel | None = None) -> np.ndarray:
    """Points of ``panel`` on the wrap; with ``frame`` (the panel it is drafted with), where ``frame``'s
    own points at those coordinates would go."""
    reference = frame or panel
    if reference.placement.hang_from:
        depth_cm, u_cm = _Hanging.of(reference).coordinates(points_cm)
        depth, u = (depth_cm + reference.placement.drop_cm) * CM, u_cm * CM
    elif reference.placement.align_edge:
        depth = (_anchor_y(reference) - points_cm[:, 1]) * CM
        u = (points_cm[:, 0] - _edge_x(reference, points_cm[:, 1])) * CM
    else:
        minx, _, maxx, _ = shapely.Polygon(reference.outline).bounds
        depth = (_anchor_y(reference) - points_cm[:, 1]) * CM
        u = (points_cm[:, 0] - 0.5 * (minx + maxx)) * CM
    f = np.interp(depth, wrap.depths, np.arange(len(wrap.depths)))
    lower = np.minimum(np.floor(f).astype(int), len(wrap.depths) - 2)
    t = f - lower
    theta, radius = np.empty(len(points_cm)), np.empty(len(points_cm))
    aligned = reference.placement.align_edge
    for row in np.unique(lower):
        sel = lower == row
        ca, cb = centre, centre
        if aligned:  # the edge sits at the azimuth on every contour
            ca, cb = (_azimuth_fraction(wrap, r, reference.placement.azimuth_deg) for r in (row, row + 1))
        ta, ra = _wrap_row(wrap, row, ca, u[sel])
        tb, rb = _wrap_row(wrap, row + 1, cb, u[sel])
        # blend positions on the two contours (angles may wrap around 2 pi)
        xa, ya = ra * np.sin(ta), ra * np.cos(ta)
        xb, yb = rb * np.sin(tb), rb * np.cos(tb)
        x, y = xa * (1 - t[sel]) + xb * t[sel], ya * (1 - t[sel]) + yb * t[sel]
        theta[sel], radius[sel] = np.arctan2(x, y), np.hypot(x, y)
    radius += panel.placement.layer * LAYER_GAP_M
    if wrap.lowered is not None:
        depth = np.interp(f, np.arange(len(wrap.depths)), wrap.lowered)
    return wrap.axis.points(depth, theta, radius)


def place_panels(body: Body, panels: list[Panel], points_cm: list[np.ndarray], options: PlacementOptions) -> list[np.ndarray]:
    """World positions (n_i, 3) of each panel's flat points, laid around ``body`` by its placement
    and pushed out of it where a contour still came too close."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, panel in enumerate(panels):
        groups.setdefault((panel.placement.region, panel.placement.side), []).append(i)
    placed: list[np.ndarray] = [np.empty((0, 3))] * len(panels)
    for (region, side), members in groups.items():
        group = [panels[i] for i in members]
        wrap = _build_wrap(body, region, _region_axis(body, region, side, group), group, options)
        centres = _pack(wrap, group)
        wrap = _hold_layout(wrap, group, centres)
        by_name = {p.name: p for p in group}
        for i in members:
            frame = by_name.get(panels[i].placement.frame)
            centre = centres[frame.name if frame else panels[i].name]
            placed[i] = push_out_of_body(body, _lay(panels[i], points_cm[i], wrap, centre, frame),
                                         0.5 * options.clearance_m)
            if region == "leg":  # pushed out of a concave crotch, a leg may have crossed the midline
                sign = 1.0 if side == "left" else -1.0
                offset = sign * (placed[i][:, 0] - body.landmarks.axis_xz[0])
                placed[i][:, 0] += sign * np.maximum(0.0, 0.25 * options.clearance_m - offset)
    return placed


def push_out_of_body(body: Body, positions: np.ndarray, clearance: float, iterations: int = 8) -> np.ndarray:
    """Move points nearer the body than ``clearance`` (or inside it) out along the distance gradient."""
    out = positions.copy()
    sdf = body.sdf
    for _ in range(iterations):
        distance = sample_sdf(sdf, out)
        close = np.flatnonzero(distance < clearance)
        if len(close) == 0:
            break
        for i in close:
            d, gx, gy, gz = sample_sdf_gradient(sdf.values, sdf.origin, sdf.spacing, *out[i])
            g = np.array([gx, gy, gz])
            norm = np.linalg.norm(g)
            if norm > 1e-9:
                out[i] += (clearance - d) * g / norm
    return out
