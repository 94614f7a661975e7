"""Plane cross-sections of a closed triangle mesh as loops (numba kernels).

A section of a closed mesh by an axis-aligned plane is a set of closed loops.
Each crossing triangle contributes one segment joining the points where two of
its edges cross the plane; the points on one mesh edge are the same loop
vertex, so the loops are the connected components of the segment graph
(union-find). A vertex exactly on the plane counts as below it, which keeps
the loops closed without nudging the plane.

Girths use the perimeter of the convex hull of a loop (Andrew's monotone
chain), i.e. a tape measure that bridges concavities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

__all__ = ["Section", "SortedFaces", "section", "convex_perimeter", "loop_stats", "torso_loop", "face_extent"]


@numba.njit(cache=True)
def _find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:  # path compression
        nxt = parent[i]
        parent[i] = root
        i = nxt
    return root


@numba.njit(cache=True)
def _section(vertices, faces, face_min, face_max, axis, value):
    """Points (p, 2), segments (s, 2), loop label per point (p,), loop count."""
    u = 1 if axis == 0 else 0
    w = 1 if axis == 2 else 2
    n = vertices.shape[0]
    m = faces.shape[0]
    keys = np.empty(2 * m, np.int64)
    ends = np.empty((2 * m, 2), np.int64)
    k = 0
    for f in range(m):
        if not (face_min[f] <= value < face_max[f]):
            continue
        for e in range(3):
            a = faces[f, e]
            b = faces[f, (e + 1) % 3]
            if (vertices[a, axis] > value) != (vertices[b, axis] > value):
                lo, hi = (a, b) if a < b else (b, a)
                keys[k] = lo * n + hi
                ends[k, 0] = lo
                ends[k, 1] = hi
                k += 1
    keys = keys[:k]
    order = np.argsort(keys)
    point_of = np.empty(k, np.int64)
    points = np.empty((k, 2), np.float64)
    p = -1
    last = -1
    for r in range(k):
        i = order[r]
        if keys[i] != last:
            p += 1
            last = keys[i]
            a, b = ends[i, 0], ends[i, 1]
            da = vertices[a, axis] - value
            db = vertices[b, axis] - value
            t = da / (da - db)
            points[p, 0] = vertices[a, u] + t * (vertices[b, u] - vertices[a, u])
            points[p, 1] = vertices[a, w] + t * (vertices[b, w] - vertices[a, w])
        point_of[i] = p
    count_points = p + 1
    points = points[:count_points]
    segments = point_of.reshape(-1, 2)  # two crossing edges per triangle, in order
    parent = np.arange(count_points)
    for s in range(segments.shape[0]):
        ra = _find(parent, segments[s, 0])
        rb = _find(parent, segments[s, 1])
        if ra != rb:
            parent[ra] = rb
    label = np.full(count_points, -1, np.int64)
    loop_of = np.empty(count_points, np.int64)
    loops = 0
    for i in range(count_points):
        r = _find(parent, i)
        if label[r] < 0:
            label[r] = loops
            loops += 1
        loop_of[i] = label[r]
    return points, segments, loop_of, loops


@numba.njit(cache=True)
def _containing(points, segments, loop_of, loops, px, py):
    """Per loop: 1 if it encloses (px, py) (even-odd ray towards +u)."""
    hits = np.zeros(loops, np.int64)
    for s in range(segments.shape[0]):
        a = segments[s, 0]
        b = segments[s, 1]
        ya, yb = points[a, 1], points[b, 1]
        if (ya > py) != (yb > py):
            x = points[a, 0] + (py - ya) / (yb - ya) * (points[b, 0] - points[a, 0])
            if x > px:
                hits[loop_of[a]] += 1
    return hits % 2


@numba.njit(cache=True)
def _hull_perimeter(pts):
    n = pts.shape[0]
    if n < 3:
        return 0.0
    order = np.argsort(pts[:, 1], kind="mergesort")
    order = order[np.argsort(pts[order, 0], kind="mergesort")]  # lexicographic (x, y)
    hull = np.empty(2 * n, np.int64)
    k = 0
    for step in range(2):  # lower chain, then upper chain
        start = k
        for r in range(n):
            i = order[r] if step == 0 else order[n - 1 - r]
            while k >= start + 2:
                o, a = hull[k - 2], hull[k - 1]
                cross = (pts[a, 0] - pts[o, 0]) * (pts[i, 1] - pts[o, 1]) - (pts[a, 1] - pts[o, 1]) * (
                    pts[i, 0] - pts[o, 0]
                )
                if cross > 0.0:
                    break
                k -= 1
            hull[k] = i
            k += 1
        k -= 1  # the last point of one chain starts the other
    total = 0.0
    for r in range(k):
        a, b = hull[r], hull[(r + 1) % k]
        total += np.hypot(pts[b, 0] - pts[a, 0], pts[b, 1] - pts[a, 1])
    return total


@numba.njit(cache=True)
def _torso_loop(vertices, faces, face_min, face_max, y, ax, az):
    """Points of the horizontal loop at height y enclosing (ax, az): (x, z)."""
    points, segments, loop_of, loops = _section(vertices, faces, face_min, face_max, 1, y)
    if loops == 0:
        return np.empty((0, 2), np.float64)
    inside = _containing(points, segments, loop_of, loops, ax, az)
    best = -1
    best_width = -1.0
    for lp in range(loops):  # nested loops cannot happen on a body; keep the widest
        if inside[lp] == 0:
            continue
        lo, hi = np.inf, -np.inf
        for i in range(points.shape[0]):
            if loop_of[i] == lp:
                lo = min(lo, points[i, 0])
                hi = max(hi, points[i, 0])
        if hi - lo > best_width:
            best_width = hi - lo
            best = lp
    if best < 0:
        return np.empty((0, 2), np.float64)
    return points[loop_of == best]


@numba.njit(cache=True)
def _loop_stats(vertices, faces, face_min, face_max, levels, ax, az):
    out = np.full((levels.shape[0], 5), np.nan)
    for r in range(levels.shape[0]):
        pts = _torso_loop(vertices, faces, face_min, face_max, levels[r], ax, az)
        if pts.shape[0] < 3:
            continue
        out[r, 0] = _hull_perimeter(pts)
        out[r, 1] = pts[:, 1].max()
        out[r, 2] = pts[:, 1].min()
        out[r, 3] = np.abs(pts[:, 0] - ax).max()
        out[r, 4] = pts[:, 0].mean()
    return out


@numba.njit(cache=True)
def _loop_stats_sorted(vertices, faces, face_min, face_max, levels, starts, ends, ax, az):
    """``_loop_stats`` over faces sorted by their lowest y: level r only looks at
    faces ``starts[r]:ends[r]`` (those that can reach it)."""
    out = np.full((levels.shape[0], 5), np.nan)
    for r in range(levels.shape[0]):
        a, b = starts[r], ends[r]
        pts = _torso_loop(vertices, faces[a:b], face_min[a:b], face_max[a:b], levels[r], ax, az)
        if pts.shape[0] < 3:
            continue
        out[r, 0] = _hull_perimeter(pts)
        out[r, 1] = pts[:, 1].max()
        out[r, 2] = pts[:, 1].min()
        out[r, 3] = np.abs(pts[:, 0] - ax).max()
        out[r, 4] = pts[:, 0].mean()
    return out


@numba.njit(cache=True)
def _leg_stats_sorted(vertices, faces, face_min, face_max, levels, starts, ends, ax, reach):
    """Per level (faces sorted as in ``_loop_stats_sorted``): the loops whose centres (bounding-box
    middle) lie nearest the axis x = ``ax`` on either side, within ``reach`` of it (the legs; hands
    hang farther out). Columns: hull girth round both, hull girth of the +x loop and of the -x loop,
    the gap between them along x (negative where they overlap: legs pushed into each other). A
    single loop (the legs joined): its girth, NaN, NaN, gap 0."""
    out = np.full((levels.shape[0], 4), np.nan)
    for r in range(levels.shape[0]):
        a, b = starts[r], ends[r]
        points, segments, loop_of, loops = _section(vertices, faces[a:b], face_min[a:b], face_max[a:b], 1, levels[r])
        lo = np.full(loops, np.inf)
        hi = np.full(loops, -np.inf)
        for i in range(points.shape[0]):
            lo[loop_of[i]] = min(lo[loop_of[i]], points[i, 0])
            hi[loop_of[i]] = max(hi[loop_of[i]], points[i, 0])
        plus, minus = -1, -1
        best_plus, best_minus = reach, reach
        for lp in range(loops):
            centre = 0.5 * (lo[lp] + hi[lp]) - ax
            if 0.0 <= centre < best_plus:
                plus, best_plus = lp, centre
            elif 0.0 < -centre < best_minus:
                minus, best_minus = lp, -centre
        if plus >= 0 and minus >= 0:
            both = (loop_of == plus) | (loop_of == minus)
            out[r, 0] = _hull_perimeter(points[both])
            out[r, 1] = _hull_perimeter(points[loop_of == plus])
            out[r, 2] = _hull_perimeter(points[loop_of == minus])
            out[r, 3] = lo[plus] - hi[minus]
        elif plus >= 0 or minus >= 0:
            one = plus if plus >= 0 else minus
            if lo[one] < ax < hi[one]:
                out[r, 0] = _hull_perimeter(points[loop_of == one])
                out[r, 3] = 0.0
    return out


@dataclass(frozen=True)
class Section:
    """Loops of a plane section, in the plane's 2D coordinates.

    points   : (p, 2) float64, loop vertices (for a horizontal plane: x, z;
               for x = const: y, z; for z = const: x, y).
    segments : (s, 2) int64, point index pairs.
    loop_of  : (p,) int64, loop label of each point.
    count    : number of loops.
    """

    points: np.ndarray
    segments: np.ndarray
    loop_of: np.ndarray
    count: int

    def loop_points(self, label: int) -> np.ndarray:
        return self.points[self.loop_of == label]

    def loops_containing(self, point: np.ndarray) -> np.ndarray:
        """Labels of the loops that enclose ``point`` (2,)."""
        if self.count == 0:
            return np.zeros(0, np.int64)
        odd = _containing(self.points, self.segments, self.loop_of, self.count, float(point[0]), float(point[1]))
        return np.flatnonzero(odd)


@numba.njit(cache=True)
def _face_extent(vertices, faces, axis):
    m = faces.shape[0]
    lo = np.empty(m, np.float64)
    hi = np.empty(m, np.float64)
    for f in range(m):
        a = vertices[faces[f, 0], axis]
        b = vertices[faces[f, 1], axis]
        c = vertices[faces[f, 2], axis]
        lo[f] = min(a, b, c)
        hi[f] = max(a, b, c)
    return lo, hi


def face_extent(vertices: np.ndarray, faces: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """(m,), (m,): each face's lowest and highest coordinate along ``axis``."""
    return _face_extent(vertices, faces, int(axis))


def section(
    vertices: np.ndarray,
    faces: np.ndarray,
    axis: int,
    value: float,
    face_min: np.ndarray | None = None,
    face_max: np.ndarray | None = None,
) -> Section:
    """Section of the mesh by the plane ``vertices[:, axis] == value``.

    vertices : (n, 3) float64; faces : (m, 3) int64.
    face_min, face_max : optional (m,) per-face extent along ``axis`` (pass them
    when cutting the same mesh many times).
    """
    v = np.ascontiguousarray(vertices, np.float64)
    f = np.ascontiguousarray(faces, np.int64)
    if face_min is None or face_max is None:
        face_min, face_max = face_extent(v, f, axis)
    points, segments, loop_of, count = _section(v, f, face_min, face_max, int(axis), float(value))
    return Section(points, segments, loop_of, int(count))


def convex_perimeter(points: np.ndarray) -> float:
    """Perimeter of the 2D convex hull of ``points`` (p, 2)."""
    return float(_hull_perimeter(np.ascontiguousarray(points, np.float64)))


def loop_stats(
    vertices: np.ndarray,
    faces: np.ndarray,
    face_min: np.ndarray,
    face_max: np.ndarray,
    levels: np.ndarray,
    axis_xz: np.ndarray,
) -> np.ndarray:
    """Per height in ``levels``: hull girth, front z, back z, half width about
    axis x, mean x of the horizontal loop enclosing ``axis_xz``; NaN rows where
    no loop encloses it. Returns (k, 5) float64."""
    return _loop_stats(
        vertices,
        faces,
        face_min,
        face_max,
        np.ascontiguousarray(levels, np.float64),
        float(axis_xz[0]),
        float(axis_xz[1]),
    )


class SortedFaces:
    """Faces sorted by their lowest y, so a horizontal cut only visits the few
    that can cross it (profiles of many levels cost a fraction of a full pass).

    vertices : (n, 3) float64; faces : (m, 3) int64; y_range : optional (low, high):
    cuts will only be made there, so faces entirely outside it are left out.
    """

    _last_order: dict[tuple[int, int], np.ndarray] = {}  # faces shape -> last order (nearly sorted next time)

    def __init__(self, vertices: np.ndarray, faces: np.ndarray, y_range: tuple[float, float] | None = None):
        self.vertices = np.ascontiguousarray(vertices, np.float64)
        faces = np.ascontiguousarray(faces, np.int64)
        fmin, fmax = face_extent(self.vertices, faces, 1)
        # Bodies measured one after another (a fit) differ little: start from the last
        # order, which a stable (merge) sort finishes in about linear time.
        key = (faces.shape[0], self.vertices.shape[0])
        hint = self._last_order.get(key)
        if hint is not None:
            order = hint[np.argsort(fmin[hint], kind="stable")]
        else:
            order = np.argsort(fmin, kind="stable")
        SortedFaces._last_order = {key: order}
        if y_range is not None:  # only cuts within y_range will be asked for: keep the faces that reach it
            order = order[(fmax[order] >= y_range[0]) & (fmin[order] <= y_range[1])]
        self.faces = np.ascontiguousarray(faces[order])
        self.fmin, self.fmax = fmin[order], fmax[order]
        self.reach = float((self.fmax - self.fmin).max()) if len(self.fmin) else 0.0

    def loop_stats(self, levels: np.ndarray, axis_xz: np.ndarray) -> np.ndarray:
        """Same as ``loop_stats`` on the unsorted mesh."""
        levels = np.ascontiguousarray(levels, np.float64)
        starts = np.searchsorted(self.fmin, levels - self.reach, side="left")
        ends = np.searchsorted(self.fmin, levels, side="right")
        return _loop_stats_sorted(
            self.vertices, self.faces, self.fmin, self.fmax, levels, starts, ends, float(axis_xz[0]), float(axis_xz[1])
        )

    def leg_stats(self, levels: np.ndarray, axis_x: float, reach: float) -> np.ndarray:
        """Per height in ``levels`` (below the crotch): girth round both legs, girth of the leg at +x and
        at -x, and the gap between them (m); the legs are the loops nearest ``axis_x`` on either side
        whose centres lie within ``reach`` of it. (k, 4) float64, NaN where not found; one loop across
        the axis (joined legs): its girth, NaN, NaN, gap 0."""
        levels = np.ascontiguousarray(levels, np.float64)
        starts = np.searchsorted(self.fmin, levels - self.reach, side="left")
        ends = np.searchsorted(self.fmin, levels, side="right")
        return _leg_stats_sorted(
            self.vertices, self.faces, self.fmin, self.fmax, levels, starts, ends, float(axis_x), float(reach)
        )


def torso_loop(
    vertices: np.ndarray,
    faces: np.ndarray,
    face_min: np.ndarray,
    face_max: np.ndarray,
    y: float,
    axis_xz: np.ndarray,
) -> np.ndarray:
    """(p, 2) x, z points of the horizontal loop at height ``y`` enclosing
    ``axis_xz`` (empty when none does); face extents along y precomputed."""
    return _torso_loop(vertices, faces, face_min, face_max, float(y), float(axis_xz[0]), float(axis_xz[1]))
