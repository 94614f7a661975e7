"""Seam allowance: offset a closed outline outward, each stretch by its own width.

The outline is given as *runs*: consecutive open polylines that together walk
a counter-clockwise loop, each with its own allowance (cm). Each run is offset
outward with mitred joins; where two runs meet, a convex corner is mitred (and
bevelled past :data:`MITRE_LIMIT` allowances) and a concave corner is trimmed
where the two offset lines cross. The cut line is the outer boundary of the
outline together with the offset band, so small loops at tight corners vanish.
"""

from __future__ import annotations

import numpy as np
import shapely

from garment3d.patterns.formats.limits import MITRE_LIMIT

__all__ = ["Run", "offset_runs", "outward_normals"]

Run = tuple[np.ndarray, float]  # ((n, 2) float64 cm polyline with both ends, allowance cm)
_EPS = 1e-9


def _unit(vectors: np.ndarray) -> np.ndarray:
    length = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(length, _EPS)


def outward_normals(points: np.ndarray) -> np.ndarray:
    """(n-1, 2): the outward unit normal of each segment of a counter-clockwise polyline."""
    tangent = _unit(np.diff(points, axis=0))
    return np.column_stack([tangent[:, 1], -tangent[:, 0]])


def _offset_polyline(points: np.ndarray, allowance: float) -> np.ndarray:
    """(n, 2): ``points`` moved outward by ``allowance`` with mitred inner joins."""
    if allowance == 0.0:
        return points.copy()
    normals = outward_normals(points)
    shift = np.empty_like(points)
    shift[0], shift[-1] = normals[0], normals[-1]
    if len(points) > 2:
        n1, n2 = normals[:-1], normals[1:]
        cosine = np.einsum("ij,ij->i", n1, n2)
        shift[1:-1] = (n1 + n2) / np.maximum(1.0 + cosine, 2.0 / MITRE_LIMIT**2)[:, None]
    return points + allowance * shift


def _line_intersection(p: np.ndarray, d: np.ndarray, q: np.ndarray, e: np.ndarray) -> tuple[float, float] | None:
    """Parameters (t, u) with p + t d = q + u e, or None when the lines are parallel."""
    cross = d[0] * e[1] - d[1] * e[0]
    if abs(cross) < 1e-9 * max(np.linalg.norm(d) * np.linalg.norm(e), _EPS):
        return None
    w = q - p
    return (w[0] * e[1] - w[1] * e[0]) / cross, (w[0] * d[1] - w[1] * d[0]) / cross


def _corner(before: np.ndarray, after: np.ndarray, vertex: np.ndarray, reach: float) -> list[np.ndarray]:
    """Points joining the end of offset ``before`` to the start of offset ``after``."""
    end, start = before[-1], after[0]
    if np.linalg.norm(end - start) < 1e-7:
        return []
    d, e = before[-1] - before[-2], after[1] - after[0]
    hit = _line_intersection(end, d, start, e)
    if hit is not None:
        t, u = hit
        point = end + t * d
        if t >= -1e-9 and u <= 1e-9 and np.linalg.norm(point - vertex) <= MITRE_LIMIT * reach:
            return [point]  # convex corner: mitre
    return []  # concave corner or too sharp: straight join (loops are removed afterwards)


def offset_runs(runs: list[Run]) -> np.ndarray:
    """(m, 2) float64 cm: the counter-clockwise cut line around ``runs``.

    runs : consecutive open polylines walking a closed counter-clockwise loop
           (run i ends where run i+1 starts), each with its allowance in cm.
    """
    offsets = [_offset_polyline(points, allowance) for points, allowance in runs]
    ring: list[np.ndarray] = []
    for i, shifted in enumerate(offsets):
        ring.extend(shifted)
        following = offsets[(i + 1) % len(offsets)]
        reach = max(runs[i][1], runs[(i + 1) % len(runs)][1])
        ring.extend(_corner(shifted, following, runs[i][0][-1], reach))
    sew = np.concatenate([points[:-1] for points, _ in runs])
    base = shapely.Polygon(sew)
    if not base.is_valid:
        base = shapely.make_valid(base)
    band = shapely.make_valid(shapely.Polygon(np.asarray(ring)))
    region = shapely.union(base, band)
    polygons = [g for g in getattr(region, "geoms", [region]) if isinstance(g, shapely.Polygon)]
    largest = max(polygons, key=lambda g: g.area)
    exterior = shapely.Polygon(largest.exterior)
    if not shapely.is_ccw(exterior.exterior):
        exterior = exterior.reverse()
    coords = np.asarray(exterior.exterior.coords)[:-1]
    return _drop_collinear(coords)


def _drop_collinear(points: np.ndarray) -> np.ndarray:
    """Remove vertices that lie on the straight line through their neighbours."""
    prev, nxt = np.roll(points, 1, axis=0), np.roll(points, -1, axis=0)
    a, b = points - prev, nxt - points
    cross = np.abs(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0])
    scale = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    dot = np.einsum("ij,ij->i", a, b)
    keep = (cross > 1e-9 * np.maximum(scale, _EPS)) | (dot < 0)
    keep &= np.linalg.norm(a, axis=1) > 1e-7
    return points[keep] if keep.sum() >= 3 else points
