"""Where a cloth passes through itself: the intersecting triangle pairs and the points of their contours.

Two triangles without a common (welded) corner intersect when an edge of one
passes through the other. Where two sheets pass through each other they cut
along a curve, the intersection contour; it is a polyline whose points are
the places where an edge of one sheet crosses a triangle of the other, and
each intersecting pair of triangles contributes one segment of it (from the
two edge crossings the pair has).

Triangles are binned into a uniform grid by bounding box; each pair is tested
once, in the cell holding the low corner of the overlap of their boxes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from garment3d.drape.self_collision import _orient, weld_labels

__all__ = ["ContourPoints", "contour_points", "count_self_intersections", "find_self_intersections"]


@numba.njit(cache=True)
def _segment_crosses_triangle(x, p, q, a, b, c):
    """True if segment p-q passes through the interior of triangle (a, b, c) (coplanar cases: False)."""
    sp_ = _orient(x, a, b, c, p)
    sq = _orient(x, a, b, c, q)
    if (sp_ > 0.0 and sq > 0.0) or (sp_ < 0.0 and sq < 0.0) or (sp_ == 0.0 and sq == 0.0):
        return False
    o1 = _orient(x, p, q, a, b)
    o2 = _orient(x, p, q, b, c)
    o3 = _orient(x, p, q, c, a)
    return (o1 > 0.0 and o2 > 0.0 and o3 > 0.0) or (o1 < 0.0 and o2 < 0.0 and o3 < 0.0)


@numba.njit(cache=True)
def _triangles_intersect(x, tri, s, t):
    for e in range(3):
        if _segment_crosses_triangle(x, tri[s, e], tri[s, (e + 1) % 3], tri[t, 0], tri[t, 1], tri[t, 2]):
            return True
        if _segment_crosses_triangle(x, tri[t, e], tri[t, (e + 1) % 3], tri[s, 0], tri[s, 1], tri[s, 2]):
            return True
    return False


@numba.njit(cache=True, parallel=True)
def _boxes(x, tri, lo, hi, origin, cell, span):
    for t in numba.prange(tri.shape[0]):
        for k in range(3):
            a, b, c = x[tri[t, 0], k], x[tri[t, 1], k], x[tri[t, 2], k]
            lo[t, k] = min(a, b, c)
            hi[t, k] = max(a, b, c)
        n = 1
        for k in range(3):
            first = int(math.floor((lo[t, k] - origin[k]) / cell))
            n *= int(math.floor((hi[t, k] - origin[k]) / cell)) - first + 1
        span[t] = n


@numba.njit(cache=True, parallel=True)
def _cell_entries(lo, hi, origin, cell, offset, keys, owner):
    """Every (cell key, triangle) whose box overlaps the cell; keys pack (i, j, k) in 21 bits each."""
    for t in numba.prange(lo.shape[0]):
        i0 = int(math.floor((lo[t, 0] - origin[0]) / cell))
        j0 = int(math.floor((lo[t, 1] - origin[1]) / cell))
        k0 = int(math.floor((lo[t, 2] - origin[2]) / cell))
        i1 = int(math.floor((hi[t, 0] - origin[0]) / cell))
        j1 = int(math.floor((hi[t, 1] - origin[1]) / cell))
        k1 = int(math.floor((hi[t, 2] - origin[2]) / cell))
        e = offset[t]
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                for k in range(k0, k1 + 1):
                    keys[e] = (i << 42) | (j << 21) | k
                    owner[e] = t
                    e += 1


@numba.njit(cache=True, parallel=True)
def _scan_cells(x, tri, label, lo, hi, origin, cell, keys, owner, run_start, found, start, pairs):
    """Intersecting pairs, each once: in the cell holding the low corner of the boxes' overlap.

    Counts them per run of one cell into ``found``; with ``pairs`` long
    enough, also writes them there from ``start`` (per run) on.
    """
    runs = len(run_start) - 1
    write = len(pairs) > 0
    for r in numba.prange(runs):
        key = keys[run_start[r]]
        k_found = 0
        for e in range(run_start[r], run_start[r + 1]):
            s = owner[e]
            for f in range(e + 1, run_start[r + 1]):
                t = owner[f]
                overlap = True
                corner_key = 0
                for k in range(3):
                    low = max(lo[s, k], lo[t, k])
                    if low > min(hi[s, k], hi[t, k]):
                        overlap = False
                        break
                    corner_key = (corner_key << 21) | int(math.floor((low - origin[k]) / cell))
                if not overlap or corner_key != key:
                    continue
                shared = False
                for u in range(3):
                    for v in range(3):
                        if label[tri[s, u]] == label[tri[t, v]]:
                            shared = True
                if shared:
                    continue
                if _triangles_intersect(x, tri, s, t):
                    if write:
                        pairs[start[r] + k_found, 0] = min(s, t)
                        pairs[start[r] + k_found, 1] = max(s, t)
                    k_found += 1
        found[r] = k_found


def _grid(x: np.ndarray, tri: np.ndarray):
    """Cell size, origin, per-triangle boxes and the (cell key, triangle) entries sorted by key."""
    edge = np.linalg.norm(x[tri[:, 1]] - x[tri[:, 0]], axis=1)
    cell = max(2.0 * float(np.median(edge)), 1e-9)
    origin = x.min(axis=0) - cell
    extent = x.max(axis=0) - origin
    cell = max(cell, float(extent.max()) / (1 << 20))  # keys hold 21 bits per axis
    lo, hi = np.empty((len(tri), 3)), np.empty((len(tri), 3))
    span = np.empty(len(tri), np.int64)
    _boxes(x, tri, lo, hi, origin, cell, span)
    while span.sum() > 64 * len(tri):  # a few huge triangles: coarser cells
        cell *= 2.0
        _boxes(x, tri, lo, hi, origin, cell, span)
    offset = np.concatenate([[0], np.cumsum(span)]).astype(np.int64)
    keys = np.empty(offset[-1], np.int64)
    owner = np.empty(offset[-1], np.int64)
    _cell_entries(lo, hi, origin, cell, offset, keys, owner)
    order = np.argsort(keys, kind="stable")
    keys, owner = keys[order], owner[order]
    run_start = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1], [True]])).astype(np.int64)
    return cell, origin, lo, hi, keys, owner, run_start


def _inputs(positions: np.ndarray, faces: np.ndarray, seam_pairs: np.ndarray | None):
    x = np.ascontiguousarray(positions, np.float64)
    tri = np.ascontiguousarray(faces, np.int64)
    if not np.all(np.isfinite(x)):
        raise ValueError("cannot look for self-intersections of non-finite positions")
    label = weld_labels(len(x), np.empty((0, 2), np.int64) if seam_pairs is None else seam_pairs)
    return x, tri, label


def _find(x: np.ndarray, tri: np.ndarray, label: np.ndarray, *, listing: bool) -> tuple[int, np.ndarray]:
    if len(tri) < 2:
        return 0, np.zeros((0, 2), np.int64)
    cell, origin, lo, hi, keys, owner, run_start = _grid(x, tri)
    found = np.zeros(len(run_start) - 1, np.int64)
    start = np.zeros(len(found), np.int64)
    no_pairs = np.zeros((0, 2), np.int64)
    _scan_cells(x, tri, label, lo, hi, origin, cell, keys, owner, run_start, found, start, no_pairs)
    total = int(found.sum())
    if not listing or total == 0:
        return total, no_pairs
    start[1:] = np.cumsum(found)[:-1]
    pairs = np.zeros((total, 2), np.int64)
    _scan_cells(x, tri, label, lo, hi, origin, cell, keys, owner, run_start, found, start, pairs)
    return total, pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


def count_self_intersections(positions: np.ndarray, faces: np.ndarray,
                             seam_pairs: np.ndarray | None = None) -> int:
    """Number of pairs of triangles without a common corner where one's edge passes through the other.

    positions : (n, 3) float64, m; faces : (t, 3) int; seam_pairs : (s, 2) int
    vertex pairs a seam joins (their triangles count as neighbours, not as
    intersecting).
    """
    x, tri, label = _inputs(positions, faces, seam_pairs)
    return _find(x, tri, label, listing=False)[0]


def find_self_intersections(positions: np.ndarray, faces: np.ndarray,
                            seam_pairs: np.ndarray | None = None) -> np.ndarray:
    """(k, 2) int64 the intersecting triangle pairs (row indices of ``faces``, lower first, sorted)."""
    x, tri, label = _inputs(positions, faces, seam_pairs)
    return _find(x, tri, label, listing=True)[1]


@dataclass(frozen=True)
class ContourPoints:
    """The intersection contours of a cloth as points and segments.

    Point i is where edge ``edge[i]`` (two vertex indices) crosses triangle
    ``triangle[i]``: at ``at[i]`` (3,), a fraction ``along[i]`` from the edge's
    first vertex, with barycentric coordinates ``weights[i]`` (3,) in the
    triangle. ``node[i]`` numbers the distinct contour points (an edge and its
    seam partner crossing one triangle are one point). ``segments`` (s, 2)
    are the pairs of points joined by an intersecting triangle pair.
    """

    edge: np.ndarray
    triangle: np.ndarray
    at: np.ndarray
    along: np.ndarray
    weights: np.ndarray
    node: np.ndarray
    segments: np.ndarray


@numba.njit(cache=True)
def _crossing(x, p, q, a, b, c, out):
    """If segment p-q crosses triangle (a, b, c): write (fraction along p-q, barycentrics) to ``out``."""
    if not _segment_crosses_triangle(x, p, q, a, b, c):
        return False
    sp_ = _orient(x, a, b, c, p)
    sq = _orient(x, a, b, c, q)
    o_ab = _orient(x, p, q, a, b)  # weight of c
    o_bc = _orient(x, p, q, b, c)  # weight of a
    o_ca = _orient(x, p, q, c, a)  # weight of b
    total = o_ab + o_bc + o_ca
    out[0] = sp_ / (sp_ - sq)
    out[1], out[2], out[3] = o_bc / total, o_ca / total, o_ab / total
    return True


@numba.njit(cache=True)
def _pair_crossings(x, tri, pairs, edge, triangle, param, valid):
    """Per pair: its (up to two) edge crossings in rows 2i, 2i + 1; ``valid`` if it has exactly two."""
    out = np.zeros(4)
    for i in range(pairs.shape[0]):
        found = 0
        for side in range(2):
            s, t = (pairs[i, 0], pairs[i, 1]) if side == 0 else (pairs[i, 1], pairs[i, 0])
            for e in range(3):
                p, q = tri[s, e], tri[s, (e + 1) % 3]
                if _crossing(x, p, q, tri[t, 0], tri[t, 1], tri[t, 2], out):
                    if found < 2:
                        row = 2 * i + found
                        edge[row, 0], edge[row, 1] = p, q
                        triangle[row] = t
                        param[row, :] = out
                    found += 1
        valid[i] = found == 2


def contour_points(positions: np.ndarray, faces: np.ndarray, pairs: np.ndarray, label: np.ndarray) -> ContourPoints:
    """The contour points and segments of intersecting triangle ``pairs`` (k, 2); ``label`` welds seam
    partners. A pair whose triangles do not cross in exactly two edge crossings (a degenerate touch)
    adds no segment."""
    x = np.ascontiguousarray(positions, np.float64)
    tri = np.ascontiguousarray(faces, np.int64)
    pairs = np.ascontiguousarray(pairs, np.int64).reshape(-1, 2)
    k = len(pairs)
    edge = np.zeros((2 * k, 2), np.int64)
    triangle = np.zeros(2 * k, np.int64)
    param = np.zeros((2 * k, 4))
    valid = np.zeros(k, np.bool_)
    _pair_crossings(x, tri, pairs, edge, triangle, param, valid)
    rows = np.flatnonzero(np.repeat(valid, 2))
    edge, triangle, param = edge[rows], triangle[rows], param[rows]
    ends = np.sort(label[edge], axis=1)
    _, node = np.unique(np.column_stack([ends, triangle]), axis=0, return_inverse=True)
    node = node.ravel().astype(np.int64)
    along = param[:, 0]
    at = x[edge[:, 0]] + along[:, None] * (x[edge[:, 1]] - x[edge[:, 0]])
    segments = node.reshape(-1, 2)
    return ContourPoints(edge=edge, triangle=triangle, at=at, along=along, weights=param[:, 1:],
                         node=node, segments=segments)
