"""Cloth self-collision: vertex-triangle contacts in the solver, and a self-intersection count.

Contacts (one call of :meth:`SelfContact.solve` per substep, after the cloth
constraints and before the body collision):

- broad phase, a Verlet list: triangles are hashed by centroid into a spatial
  hash whose cell is ``contact + margin + r`` (``r`` the largest
  centroid-to-corner distance), so the 27 cells around a vertex hold every
  triangle within ``contact + margin`` of it. Each vertex keeps up to
  ``CAPACITY`` nearest such triangles that are not its topological neighbours
  (a triangle with a corner within ``exclude_rings`` rings of the vertex in
  the rest mesh, seam partners welded). The list is rebuilt only once some
  vertex has moved more than ``margin / 2`` since the last build, so between
  builds it still holds every pair closer than ``contact``.
- narrow phase: for a listed pair whose vertex projects into the triangle, a
  one-sided distance constraint (XPBD with zero compliance) keeps the vertex
  ``contact`` away from the triangle's plane on the side it is remembered to
  be on, with Coulomb friction on the relative tangential motion of the
  substep. The side is remembered per pair and updated only while the pair is
  not in contact, so a vertex that crossed within one substep is pushed back
  rather than through. Pairs are solved serially (Gauss-Seidel, one pass), so
  the result is deterministic; the broad phase runs in parallel, each vertex
  writing only its own list.

The quality figure :func:`count_self_intersections` counts pairs of triangles
without a common (welded) corner where an edge of one passes through the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numba
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

__all__ = ["SelfContact", "build_self_contact", "contact_distance_m", "count_self_intersections", "weld_labels"]

#: Triangles remembered per vertex (the nearest ones win).
CAPACITY = 12
#: Barycentric slack: a vertex just beyond a triangle's edge still meets it (the neighbour covers the rest).
EDGE_SLACK = 0.05


# --------------------------------------------------------------------------- topology


def weld_labels(n: int, seam_pairs: np.ndarray) -> np.ndarray:
    """(n,) int64 label per vertex; vertices a seam joins (directly or in a chain) share one."""
    pairs = np.asarray(seam_pairs, np.int64).reshape(-1, 2)
    graph = sp.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def _ring_neighbourhood(tri: np.ndarray, labels: np.ndarray, rings: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR (ptr, sorted labels) of the labels within ``rings`` edges of each label (itself included)."""
    count = int(labels.max()) + 1 if len(labels) else 0
    welded = labels[tri]
    rows = np.concatenate([welded[:, 0], welded[:, 1], welded[:, 2], np.arange(count)])
    cols = np.concatenate([welded[:, 1], welded[:, 2], welded[:, 0], np.arange(count)])
    step = sp.csr_matrix((np.ones(len(rows), bool), (rows, cols)), shape=(count, count))
    step = (step + step.T).astype(bool).tocsr()
    reach = step
    for _ in range(rings - 1):
        reach = (reach @ step).astype(bool).tocsr()
    reach.sort_indices()
    return reach.indptr.astype(np.int64), reach.indices.astype(np.int64)


def contact_distance_m(thickness_mm: float, spacing_m: float) -> float:
    """Distance (m) kept between cloth layers: the fabric's thickness plus 3 mm, at most 0.45 of the mesh spacing.

    The 3 mm covers the flat triangles standing in for a curved surface and the
    motion of a substep; staying well under the spacing keeps a smooth single
    layer free of false contacts.
    """
    return min(thickness_mm * 1e-3 + 0.003, 0.45 * spacing_m)


# --------------------------------------------------------------------------- geometry helpers


@numba.njit(cache=True, inline="always")
def _hash_cell(i, j, k, mask):
    return ((i * 73856093) ^ (j * 19349663) ^ (k * 83492791)) & mask


@numba.njit(cache=True)
def _point_triangle_dist2(px, py, pz, ax, ay, az, bx, by, bz, cx, cy, cz):
    """Squared distance from a point to a triangle (Ericson, Real-Time Collision Detection, 5.1.5)."""
    abx, aby, abz = bx - ax, by - ay, bz - az
    acx, acy, acz = cx - ax, cy - ay, cz - az
    apx, apy, apz = px - ax, py - ay, pz - az
    d1 = abx * apx + aby * apy + abz * apz
    d2 = acx * apx + acy * apy + acz * apz
    if d1 <= 0.0 and d2 <= 0.0:
        qx, qy, qz = ax, ay, az
    else:
        bpx, bpy, bpz = px - bx, py - by, pz - bz
        d3 = abx * bpx + aby * bpy + abz * bpz
        d4 = acx * bpx + acy * bpy + acz * bpz
        cpx, cpy, cpz = px - cx, py - cy, pz - cz
        d5 = abx * cpx + aby * cpy + abz * cpz
        d6 = acx * cpx + acy * cpy + acz * cpz
        vc = d1 * d4 - d3 * d2
        vb = d5 * d2 - d1 * d6
        va = d3 * d6 - d5 * d4
        if d3 >= 0.0 and d4 <= d3:
            qx, qy, qz = bx, by, bz
        elif vc <= 0.0 and d1 >= 0.0 and d3 <= 0.0:
            t = d1 / (d1 - d3)
            qx, qy, qz = ax + t * abx, ay + t * aby, az + t * abz
        elif d6 >= 0.0 and d5 <= d6:
            qx, qy, qz = cx, cy, cz
        elif vb <= 0.0 and d2 >= 0.0 and d6 <= 0.0:
            t = d2 / (d2 - d6)
            qx, qy, qz = ax + t * acx, ay + t * acy, az + t * acz
        elif va <= 0.0 and (d4 - d3) >= 0.0 and (d5 - d6) >= 0.0:
            t = (d4 - d3) / ((d4 - d3) + (d5 - d6))
            qx, qy, qz = bx + t * (cx - bx), by + t * (cy - by), bz + t * (cz - bz)
        else:
            s = va + vb + vc
            if abs(s) < 1e-300:
                qx, qy, qz = ax, ay, az
            else:
                v = vb / s
                w = vc / s
                qx, qy, qz = ax + abx * v + acx * w, ay + aby * v + acy * w, az + abz * v + acz * w
    dx, dy, dz = px - qx, py - qy, pz - qz
    return dx * dx + dy * dy + dz * dz


@numba.njit(cache=True)
def _in_sorted(values, start, stop, key):
    lo, hi = start, stop
    while lo < hi:
        mid = (lo + hi) >> 1
        if values[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo < stop and values[lo] == key


@numba.njit(cache=True)
def _plane_side(x, a, b, c, p):
    """+1 or -1: the side of triangle (a, b, c)'s plane that vertex p is on (0 if on it)."""
    e1x, e1y, e1z = x[b, 0] - x[a, 0], x[b, 1] - x[a, 1], x[b, 2] - x[a, 2]
    e2x, e2y, e2z = x[c, 0] - x[a, 0], x[c, 1] - x[a, 1], x[c, 2] - x[a, 2]
    nx, ny, nz = e1y * e2z - e1z * e2y, e1z * e2x - e1x * e2z, e1x * e2y - e1y * e2x
    d = (x[p, 0] - x[a, 0]) * nx + (x[p, 1] - x[a, 1]) * ny + (x[p, 2] - x[a, 2]) * nz
    if d > 0.0:
        return 1
    if d < 0.0:
        return -1
    return 0


# --------------------------------------------------------------------------- broad phase


@numba.njit(cache=True, parallel=True)
def _max_moved(x, x_ref):
    """Largest distance (m) any vertex moved from ``x_ref``."""
    worst = 0.0
    for v in numba.prange(x.shape[0]):
        dx = x[v, 0] - x_ref[v, 0]
        dy = x[v, 1] - x_ref[v, 1]
        dz = x[v, 2] - x_ref[v, 2]
        worst = max(worst, dx * dx + dy * dy + dz * dz)
    return math.sqrt(worst)


@numba.njit(cache=True, parallel=True)
def _triangle_spheres(x, tri, centroid, radius):
    for t in numba.prange(tri.shape[0]):
        a, b, c = tri[t, 0], tri[t, 1], tri[t, 2]
        r = 0.0
        for k in range(3):
            centroid[t, k] = (x[a, k] + x[b, k] + x[c, k]) / 3.0
        for q in range(3):
            v = tri[t, q]
            dx = x[v, 0] - centroid[t, 0]
            dy = x[v, 1] - centroid[t, 1]
            dz = x[v, 2] - centroid[t, 2]
            r = max(r, dx * dx + dy * dy + dz * dz)
        radius[t] = math.sqrt(r)


@numba.njit(cache=True)
def _fill_hash(centroid, cell, bucket_start, bucket_tri):
    """Counting sort of triangles into hash buckets by centroid cell (serial: a fixed order)."""
    mask = len(bucket_start) - 2
    bucket_start[:] = 0
    count = centroid.shape[0]
    keys = np.empty(count, np.int64)
    for t in range(count):
        i = int(math.floor(centroid[t, 0] / cell))
        j = int(math.floor(centroid[t, 1] / cell))
        k = int(math.floor(centroid[t, 2] / cell))
        keys[t] = _hash_cell(i, j, k, mask)
        bucket_start[keys[t] + 1] += 1
    for h in range(len(bucket_start) - 1):
        bucket_start[h + 1] += bucket_start[h]
    fill = bucket_start[:-1].copy()
    for t in range(count):
        bucket_tri[fill[keys[t]]] = t
        fill[keys[t]] += 1


@numba.njit(cache=True, parallel=True)
def _gather_candidates(x, x_start, tri, centroid, radius, cell, reach, bucket_start, bucket_tri,
                       label, ring_ptr, ring_idx, old_cand, old_count, old_side, cand, count, side):
    """Per vertex: the nearest non-neighbouring triangles within ``reach``, with the side the vertex is on."""
    mask = len(bucket_start) - 2
    capacity = cand.shape[1]
    for p in numba.prange(x.shape[0]):
        px, py, pz = x[p, 0], x[p, 1], x[p, 2]
        ci = int(math.floor(px / cell))
        cj = int(math.floor(py / cell))
        ck = int(math.floor(pz / cell))
        lp = label[p]
        r0, r1 = ring_ptr[lp], ring_ptr[lp + 1]
        dist = np.empty(capacity)
        found = 0
        for di in range(-1, 2):
            for dj in range(-1, 2):
                for dk in range(-1, 2):
                    h = _hash_cell(ci + di, cj + dj, ck + dk, mask)
                    for e in range(bucket_start[h], bucket_start[h + 1]):
                        t = bucket_tri[e]
                        gx, gy, gz = px - centroid[t, 0], py - centroid[t, 1], pz - centroid[t, 2]
                        limit = reach + radius[t]
                        if gx * gx + gy * gy + gz * gz >= limit * limit:
                            continue
                        a, b, c = tri[t, 0], tri[t, 1], tri[t, 2]
                        d2 = _point_triangle_dist2(px, py, pz, x[a, 0], x[a, 1], x[a, 2],
                                                   x[b, 0], x[b, 1], x[b, 2], x[c, 0], x[c, 1], x[c, 2])
                        if d2 >= reach * reach:
                            continue
                        if found == capacity and d2 >= dist[capacity - 1]:
                            continue
                        duplicate = False
                        for s in range(found):
                            if cand[p, s] == t:
                                duplicate = True
                                break
                        if duplicate:
                            continue
                        if (_in_sorted(ring_idx, r0, r1, label[a]) or _in_sorted(ring_idx, r0, r1, label[b])
                                or _in_sorted(ring_idx, r0, r1, label[c])):
                            continue
                        # insert, keeping the list sorted by distance
                        slot = found if found < capacity else capacity - 1
                        while slot > 0 and dist[slot - 1] > d2:
                            if slot < capacity:
                                dist[slot] = dist[slot - 1]
                                cand[p, slot] = cand[p, slot - 1]
                            slot -= 1
                        dist[slot] = d2
                        cand[p, slot] = t
                        if found < capacity:
                            found += 1
        count[p] = found
        for s in range(found):
            t = cand[p, s]
            remembered = 0
            for o in range(old_count[p]):
                if old_cand[p, o] == t:
                    remembered = old_side[p, o]
                    break
            if remembered == 0:
                # a new pair: the side at the start of the substep (after the last resolved one)
                remembered = _plane_side(x_start, tri[t, 0], tri[t, 1], tri[t, 2], p)
            if remembered == 0:
                remembered = _plane_side(x, tri[t, 0], tri[t, 1], tri[t, 2], p)
            side[p, s] = remembered if remembered != 0 else 1


# --------------------------------------------------------------------------- narrow phase


@numba.njit(cache=True)
def _solve_contacts(x, x_start, w, tri, cand, count, side, contact, friction, slack):
    """Push each listed vertex ``contact`` away from its triangles' planes, on its own side; serial."""
    for p in range(x.shape[0]):
        for s in range(count[p]):
            t = cand[p, s]
            a, b, c = tri[t, 0], tri[t, 1], tri[t, 2]
            e1x, e1y, e1z = x[b, 0] - x[a, 0], x[b, 1] - x[a, 1], x[b, 2] - x[a, 2]
            e2x, e2y, e2z = x[c, 0] - x[a, 0], x[c, 1] - x[a, 1], x[c, 2] - x[a, 2]
            nx, ny, nz = e1y * e2z - e1z * e2y, e1z * e2x - e1x * e2z, e1x * e2y - e1y * e2x
            nl = math.sqrt(nx * nx + ny * ny + nz * nz)
            if nl < 1e-14:
                continue
            nx, ny, nz = nx / nl, ny / nl, nz / nl
            apx, apy, apz = x[p, 0] - x[a, 0], x[p, 1] - x[a, 1], x[p, 2] - x[a, 2]
            d = apx * nx + apy * ny + apz * nz
            d00 = e1x * e1x + e1y * e1y + e1z * e1z
            d01 = e1x * e2x + e1y * e2y + e1z * e2z
            d11 = e2x * e2x + e2y * e2y + e2z * e2z
            d20 = apx * e1x + apy * e1y + apz * e1z
            d21 = apx * e2x + apy * e2y + apz * e2z
            det = d00 * d11 - d01 * d01
            bv = (d11 * d20 - d01 * d21) / det
            bw = (d00 * d21 - d01 * d20) / det
            bu = 1.0 - bv - bw
            sgn = side[p, s]
            if bu < -slack or bv < -slack or bw < -slack:
                if d != 0.0:  # beside the triangle: free to change sides
                    side[p, s] = 1 if d > 0.0 else -1
                continue
            gap = sgn * d
            if gap >= contact:
                continue
            if gap <= -contact:  # too far through to be a fresh crossing: accept the side it is on
                side[p, s] = -sgn
                continue
            bu, bv, bw = max(bu, 0.0), max(bv, 0.0), max(bw, 0.0)
            total = bu + bv + bw
            bu, bv, bw = bu / total, bv / total, bw / total
            wp, wa, wb, wc = w[p], w[a], w[b], w[c]
            weight = wp + wa * bu * bu + wb * bv * bv + wc * bw * bw
            if weight < 1e-20:
                continue
            depth = contact - gap
            dl = depth / weight
            ux, uy, uz = sgn * nx * dl, sgn * ny * dl, sgn * nz * dl
            x[p, 0] += wp * ux
            x[p, 1] += wp * uy
            x[p, 2] += wp * uz
            x[a, 0] -= wa * bu * ux
            x[a, 1] -= wa * bu * uy
            x[a, 2] -= wa * bu * uz
            x[b, 0] -= wb * bv * ux
            x[b, 1] -= wb * bv * uy
            x[b, 2] -= wb * bv * uz
            x[c, 0] -= wc * bw * ux
            x[c, 1] -= wc * bw * uy
            x[c, 2] -= wc * bw * uz
            # Coulomb friction on the relative tangential motion of this substep
            rx = (x[p, 0] - x_start[p, 0]) - (bu * (x[a, 0] - x_start[a, 0]) + bv * (x[b, 0] - x_start[b, 0])
                                              + bw * (x[c, 0] - x_start[c, 0]))
            ry = (x[p, 1] - x_start[p, 1]) - (bu * (x[a, 1] - x_start[a, 1]) + bv * (x[b, 1] - x_start[b, 1])
                                              + bw * (x[c, 1] - x_start[c, 1]))
            rz = (x[p, 2] - x_start[p, 2]) - (bu * (x[a, 2] - x_start[a, 2]) + bv * (x[b, 2] - x_start[b, 2])
                                              + bw * (x[c, 2] - x_start[c, 2]))
            rn = rx * nx + ry * ny + rz * nz
            tx, ty, tz = rx - rn * nx, ry - rn * ny, rz - rn * nz
            tl = math.sqrt(tx * tx + ty * ty + tz * tz)
            if tl < 1e-15:
                continue
            scale = 1.0 if tl <= friction * depth else friction * depth / tl
            fx, fy, fz = scale * tx / weight, scale * ty / weight, scale * tz / weight
            x[p, 0] -= wp * fx
            x[p, 1] -= wp * fy
            x[p, 2] -= wp * fz
            x[a, 0] += wa * bu * fx
            x[a, 1] += wa * bu * fy
            x[a, 2] += wa * bu * fz
            x[b, 0] += wb * bv * fx
            x[b, 1] += wb * bv * fy
            x[b, 2] += wb * bv * fz
            x[c, 0] += wc * bw * fx
            x[c, 1] += wc * bw * fy
            x[c, 2] += wc * bw * fz


# --------------------------------------------------------------------------- solver object


@dataclass
class SelfContact:
    """Static data (topology, distances) and the changing contact list of one garment's self-collision.

    tri        : (t, 3) int32 triangles
    inv_mass   : (n,) float64, 1/kg
    label      : (n,) int64 welded vertex label (seam partners share one)
    ring_ptr, ring_idx : CSR of the labels within ``exclude_rings`` of each label
    contact_m  : distance kept between layers; margin_m: extra reach of the Verlet list
    cand, count, side : (n, CAPACITY) int32 triangles, (n,) int32, (n, CAPACITY) int8 remembered sides
    """

    tri: np.ndarray
    inv_mass: np.ndarray
    label: np.ndarray
    ring_ptr: np.ndarray
    ring_idx: np.ndarray
    contact_m: float
    margin_m: float
    friction: float
    cand: np.ndarray = field(init=False)
    count: np.ndarray = field(init=False)
    side: np.ndarray = field(init=False)
    builds: int = 0
    _x_build: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.inv_mass)
        self.cand = np.zeros((n, CAPACITY), np.int32)
        self.count = np.zeros(n, np.int32)
        self.side = np.zeros((n, CAPACITY), np.int8)
        self._spare = (np.zeros_like(self.cand), np.zeros_like(self.count), np.zeros_like(self.side))
        t = len(self.tri)
        self._centroid = np.zeros((t, 3))
        self._radius = np.zeros(t)
        size = 1 << max(4, int(2 * max(t, 1) - 1).bit_length())
        self._bucket_start = np.zeros(size + 1, np.int64)
        self._bucket_tri = np.zeros(t, np.int32)

    def solve(self, x: np.ndarray, x_start: np.ndarray) -> None:
        """One pass over the contacts of positions ``x`` (n, 3, in place); ``x_start`` the substep's start."""
        if self._x_build is None or _max_moved(x, self._x_build) > 0.5 * self.margin_m:
            self._rebuild(x, x_start)
        _solve_contacts(x, x_start, self.inv_mass, self.tri, self.cand, self.count, self.side,
                        self.contact_m, self.friction, EDGE_SLACK)

    def _rebuild(self, x: np.ndarray, x_start: np.ndarray) -> None:
        _triangle_spheres(x, self.tri, self._centroid, self._radius)
        reach = self.contact_m + self.margin_m
        cell = reach + float(self._radius.max(initial=0.0))
        _fill_hash(self._centroid, cell, self._bucket_start, self._bucket_tri)
        cand, count, side = self._spare
        _gather_candidates(x, x_start, self.tri, self._centroid, self._radius, cell, reach,
                           self._bucket_start, self._bucket_tri, self.label, self.ring_ptr, self.ring_idx,
                           self.cand, self.count, self.side, cand, count, side)
        self._spare = (self.cand, self.count, self.side)
        self.cand, self.count, self.side = cand, count, side
        self._x_build = x.copy()
        self.builds += 1


def build_self_contact(tri: np.ndarray, inv_mass: np.ndarray, seam_pairs: np.ndarray, *, contact_m: float,
                       friction: float, margin_m: float | None = None, exclude_rings: int = 0) -> SelfContact:
    """Self-collision of a cloth with triangles ``tri`` (t, 3) and per-vertex ``inv_mass`` (n,).

    Seam partners count as one vertex when finding neighbours; ``margin_m``
    (default: ``contact_m``) trades list rebuilds for list length.
    """
    label = weld_labels(len(inv_mass), seam_pairs)
    ring_ptr, ring_idx = _ring_neighbourhood(np.asarray(tri, np.int64), label, exclude_rings)
    return SelfContact(
        tri=np.ascontiguousarray(tri, np.int32),
        inv_mass=np.ascontiguousarray(inv_mass, np.float64),
        label=label,
        ring_ptr=ring_ptr,
        ring_idx=ring_idx,
        contact_m=float(contact_m),
        margin_m=float(contact_m if margin_m is None else margin_m),
        friction=float(friction),
    )


# --------------------------------------------------------------------------- intersection count


@numba.njit(cache=True, inline="always")
def _orient(ax, ay, az, bx, by, bz, cx, cy, cz, dx, dy, dz):
    """Signed volume of tetrahedron (a, b, c, d) times 6."""
    abx, aby, abz = bx - ax, by - ay, bz - az
    acx, acy, acz = cx - ax, cy - ay, cz - az
    adx, ady, adz = dx - ax, dy - ay, dz - az
    return (abx * (acy * adz - acz * ady) - aby * (acx * adz - acz * adx) + abz * (acx * ady - acy * adx))


@numba.njit(cache=True)
def _segment_crosses_triangle(x, p, q, a, b, c):
    """True if segment p-q passes through the interior of triangle (a, b, c) (coplanar cases: False)."""
    sp_ = _orient(x[a, 0], x[a, 1], x[a, 2], x[b, 0], x[b, 1], x[b, 2], x[c, 0], x[c, 1], x[c, 2],
                  x[p, 0], x[p, 1], x[p, 2])
    sq = _orient(x[a, 0], x[a, 1], x[a, 2], x[b, 0], x[b, 1], x[b, 2], x[c, 0], x[c, 1], x[c, 2],
                 x[q, 0], x[q, 1], x[q, 2])
    if (sp_ > 0.0 and sq > 0.0) or (sp_ < 0.0 and sq < 0.0) or (sp_ == 0.0 and sq == 0.0):
        return False
    o1 = _orient(x[p, 0], x[p, 1], x[p, 2], x[q, 0], x[q, 1], x[q, 2], x[a, 0], x[a, 1], x[a, 2],
                 x[b, 0], x[b, 1], x[b, 2])
    o2 = _orient(x[p, 0], x[p, 1], x[p, 2], x[q, 0], x[q, 1], x[q, 2], x[b, 0], x[b, 1], x[b, 2],
                 x[c, 0], x[c, 1], x[c, 2])
    o3 = _orient(x[p, 0], x[p, 1], x[p, 2], x[q, 0], x[q, 1], x[q, 2], x[c, 0], x[c, 1], x[c, 2],
                 x[a, 0], x[a, 1], x[a, 2])
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
            n *= int(math.floor((hi[t, k] - origin[k]) / cell)) - int(math.floor((lo[t, k] - origin[k]) / cell)) + 1
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
def _count_in_cells(x, tri, label, lo, hi, origin, cell, keys, owner, run_start):
    """Intersecting pairs, each counted once: in the cell holding the low corner of the boxes' overlap."""
    runs = len(run_start) - 1
    found = np.zeros(runs, np.int64)
    for r in numba.prange(runs):
        key = keys[run_start[r]]
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
                    found[r] += 1
    return found.sum()


def count_self_intersections(positions: np.ndarray, faces: np.ndarray, seam_pairs: np.ndarray | None = None) -> int:
    """Number of pairs of triangles without a common corner where one's edge passes through the other.

    positions : (n, 3) float64, m; faces : (t, 3) int; seam_pairs : (s, 2) int
    vertex pairs a seam joins (their triangles count as neighbours, not as
    intersecting). Triangles are binned into a uniform grid by bounding box;
    each pair is tested once, in the cell holding the low corner of the
    overlap of their boxes.
    """
    x = np.ascontiguousarray(positions, np.float64)
    tri = np.ascontiguousarray(faces, np.int64)
    if len(tri) < 2:
        return 0
    if not np.all(np.isfinite(x)):
        raise ValueError("cannot count self-intersections of non-finite positions")
    label = weld_labels(len(x), np.empty((0, 2), np.int64) if seam_pairs is None else seam_pairs)
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
    return int(_count_in_cells(x, tri, label, lo, hi, origin, cell, keys, owner, run_start))
