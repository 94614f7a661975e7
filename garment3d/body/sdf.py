"""Signed distance grid of a closed triangle mesh, and trilinear queries.

Built in three passes over a regular grid (``values[ix, iy, iz]`` at
``origin + spacing * (ix, iy, iz)``):

1. sign: a ray along +z through every (x, y) grid column; each triangle the ray
   crosses toggles the parity of the grid points above the crossing, so a
   cumulative parity along z marks the inside (exact for a watertight mesh);
2. narrow band: every triangle visits the grid points of its bounding box grown
   by one step that lie within a step of its plane, and keeps, per point, the
   closest triangle (exact distance; slabs along x in parallel, each visiting
   its triangles in index order, so ties go as in one serial pass);
3. far field: an exact Euclidean feature transform (Maurer et al. 2003, in
   numba, the same nearest points as ``scipy.ndimage.distance_transform_edt``)
   hands every grid point the nearest band point; the exact distance to that point's closest triangle and
   to the triangles around it (sharing a vertex) gives the value (the
   transform's last pass, along z, runs line by line inside the distance pass).

The values are exact point-triangle distances wherever the closest triangle is
within that one-ring, which holds within ``REFINE_WITHIN_M`` of the surface
in practice; further out the ring is skipped and the error can reach a few
millimetres (irrelevant for collisions).
"""

from __future__ import annotations

import functools

import numba
import numpy as np
import scipy.sparse

from garment3d.geometry import point_triangle_dist2
from garment3d.fields import OUTSIDE_DISTANCE, sample_sdf  # sampling is shared with meshing and drape
from garment3d.types import SignedDistanceGrid

__all__ = ["build_sdf", "sample_sdf", "OUTSIDE_DISTANCE"]

#: Grid points closer than this to the surface get the one-ring refinement.
REFINE_WITHIN_M = 0.04
#: Slabs along x the narrow band pass shares among threads.
BAND_SLABS = 32
#: The narrow band pass skips points farther than this many steps from a triangle's plane: just over
#: one (the band is the points within one step, their squared distance kept in float32).
BAND_SLACK = 1.0 + 1e-5


@numba.njit(cache=True, inline="always")
def _point_triangle_sq(px, py, pz, a, b, c):
    """Squared distance from point p to triangle (a, b, c), each (3,) float64."""
    return point_triangle_dist2(px, py, pz, a[0], a[1], a[2], b[0], b[1], b[2], c[0], c[1], c[2])


@numba.njit(cache=True)
def _parity_crossings(tris, origin, h, shape):
    """(nx, ny, nz) uint8: 1 where a +z ray through the (x, y) column crosses a
    triangle just below that grid point."""
    nx, ny, nz = shape[0], shape[1], shape[2]
    out = np.zeros((nx, ny, nz), np.uint8)
    ex, ey = 1.2345e-7 * h, 2.3456e-7 * h  # keep rays off vertices and edges
    for t in range(tris.shape[0]):
        x0, y0, z0 = tris[t, 0, 0], tris[t, 0, 1], tris[t, 0, 2]
        x1, y1, z1 = tris[t, 1, 0], tris[t, 1, 1], tris[t, 1, 2]
        x2, y2, z2 = tris[t, 2, 0], tris[t, 2, 1], tris[t, 2, 2]
        i0 = max(int(np.ceil((min(x0, x1, x2) - origin[0] - ex) / h)), 0)
        i1 = min(int(np.floor((max(x0, x1, x2) - origin[0] - ex) / h)), nx - 1)
        j0 = max(int(np.ceil((min(y0, y1, y2) - origin[1] - ey) / h)), 0)
        j1 = min(int(np.floor((max(y0, y1, y2) - origin[1] - ey) / h)), ny - 1)
        area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
        if area == 0.0:
            continue
        for i in range(i0, i1 + 1):
            px = origin[0] + i * h + ex
            for j in range(j0, j1 + 1):
                py = origin[1] + j * h + ey
                w0 = ((x1 - px) * (y2 - py) - (x2 - px) * (y1 - py)) / area
                w1 = ((x2 - px) * (y0 - py) - (x0 - px) * (y2 - py)) / area
                w2 = 1.0 - w0 - w1
                if w0 < 0.0 or w1 < 0.0 or w2 < 0.0:
                    continue
                z = w0 * z0 + w1 * z1 + w2 * z2
                k = int(np.ceil((z - origin[2]) / h))
                if k < 0:
                    k = 0
                if k < nz:
                    out[i, j, k] ^= 1
    return out


@numba.njit(cache=True, parallel=True)
def _cumulative_parity(crossings):
    """In place along z: 1 where an odd number of crossings lie at or below the point (inside)."""
    nx, ny, nz = crossings.shape
    for i in numba.prange(nx):
        for j in range(ny):
            acc = np.uint8(0)
            for k in range(nz):
                acc ^= crossings[i, j, k]
                crossings[i, j, k] = acc


@numba.njit(cache=True)
def _boxes(tris, origin, h, shape):
    """(m, 3) lowest and highest grid index of each triangle's bounding box grown by one step."""
    m = tris.shape[0]
    lo = np.empty((m, 3), np.int64)
    hi = np.empty((m, 3), np.int64)
    for t in range(m):
        for d in range(3):
            mn = min(tris[t, 0, d], tris[t, 1, d], tris[t, 2, d])
            mx = max(tris[t, 0, d], tris[t, 1, d], tris[t, 2, d])
            lo[t, d] = max(int(np.floor((mn - origin[d]) / h)) - 1, 0)
            hi[t, d] = min(int(np.ceil((mx - origin[d]) / h)) + 1, shape[d] - 1)
    return lo, hi


@numba.njit(cache=True)
def _slab_triangles(lo, hi, width, slabs):
    """CSR (pointer, triangles) of the triangles whose box reaches each slab of ``width`` x-indices,
    in index order."""
    count = np.zeros(slabs + 1, np.int64)
    for t in range(lo.shape[0]):
        for s in range(lo[t, 0] // width, hi[t, 0] // width + 1):
            count[s + 1] += 1
    ptr = np.cumsum(count)
    fill = ptr[:-1].copy()
    out = np.empty(ptr[-1], np.int64)
    for t in range(lo.shape[0]):
        for s in range(lo[t, 0] // width, hi[t, 0] // width + 1):
            out[fill[s]] = t
            fill[s] += 1
    return ptr, out


@numba.njit(cache=True, parallel=True)
def _narrow_band(tris, normals, origin, h, shape):
    """Closest triangle and squared distance for the grid points within one step
    of a triangle (the band; -1 / inf where none is, and arbitrary farther out):
    each triangle visits its bounding box grown by one step, skipping the points
    farther than ``BAND_SLACK`` steps from its plane (``normals`` (m, 3), unit,
    zero for a degenerate triangle, which skips nothing).

    Slabs of the grid along x in parallel; each slab visits the triangles that
    reach it in index order, so every point sees them in the same order as one
    pass over all triangles would (the same owner on a tie)."""
    nx, ny, nz = shape[0], shape[1], shape[2]
    best = np.full((nx, ny, nz), np.inf, np.float32)
    owner = np.full((nx, ny, nz), -1, np.int32)
    lo, hi = _boxes(tris, origin, h, shape)
    reach2 = (BAND_SLACK * h) ** 2
    slabs = min(nx, BAND_SLABS)
    width = (nx + slabs - 1) // slabs
    ptr, slab_tris = _slab_triangles(lo, hi, width, slabs)
    for s in numba.prange(slabs):
        first, last = s * width, min((s + 1) * width, nx) - 1
        for r in range(ptr[s], ptr[s + 1]):
            t = slab_tris[r]
            a, b, c = tris[t, 0], tris[t, 1], tris[t, 2]
            nx_, ny_, nz_ = normals[t, 0], normals[t, 1], normals[t, 2]
            for i in range(max(lo[t, 0], first), min(hi[t, 0], last) + 1):
                px = origin[0] + i * h
                for j in range(lo[t, 1], hi[t, 1] + 1):
                    py = origin[1] + j * h
                    for k in range(lo[t, 2], hi[t, 2] + 1):
                        pz = origin[2] + k * h
                        s = nx_ * (px - a[0]) + ny_ * (py - a[1]) + nz_ * (pz - a[2])
                        if s * s > reach2:
                            continue  # farther from the plane, so from the triangle, than the band reaches
                        d2 = _point_triangle_sq(px, py, pz, a, b, c)
                        if d2 < best[i, j, k]:
                            best[i, j, k] = d2
                            owner[i, j, k] = t
    return best, owner


@numba.njit(cache=True)
def _envelope(off, has, n, source, hull):
    """One line of Maurer, Qi and Raghavan's exact Euclidean feature transform (IEEE PAMI 25, 2003).

    The line's point ``p`` holds a feature (``has[p]``) at squared distance ``off[p]`` across the line
    (grid units; its position along the line is ``p`` itself, as the earlier axes' passes left it).
    Writes to ``source[q]`` the point whose feature is nearest to point ``q`` (-1: none on the line).
    Ties go as in ``scipy.ndimage.distance_transform_edt`` (a feature already kept stays, the lower
    point wins), in the same integer-valued float arithmetic, so the result is scipy's bit for bit.
    hull : (n,) int64 scratch."""
    top = -1
    for p in range(n):
        if not has[p]:
            continue
        while top >= 1:
            q1, q2 = hull[top], hull[top - 1]
            a = float(q1 - q2)
            b = float(p - q1)
            c = a + b
            if c * off[q1] - b * off[q2] - a * off[p] - a * b * c <= 0.0:
                break
            top -= 1
        top += 1
        hull[top] = p
    if top < 0:
        for q in range(n):
            source[q] = -1
        return
    k = 0
    for q in range(n):
        d1 = (hull[k] - q) ** 2 + off[hull[k]]
        while k < top:
            d2 = (hull[k + 1] - q) ** 2 + off[hull[k + 1]]
            if d1 <= d2:
                break
            d1 = d2
            k += 1
        source[q] = hull[k]


@numba.njit(cache=True, parallel=True)
def _nearest_band_xy(band):
    """The first two passes of the feature transform (``_nearest_band_owner``): (nx, ny, nz) int32 x
    and y of the band point nearest to each point within its z = const plane (-1: none there)."""
    nx, ny, nz = band.shape
    fx = np.empty((nx, ny, nz), np.int32)
    fy = np.empty((nx, ny, nz), np.int32)
    for j in numba.prange(ny):  # x: the nearest band point along the line, the lower one on a tie
        last = np.full(nz, -1, np.int64)
        for i in range(nx):
            for k in range(nz):
                if band[i, j, k]:
                    last[k] = i
                fx[i, j, k] = last[k]
        last[:] = -1
        for i in range(nx - 1, -1, -1):
            for k in range(nz):
                if band[i, j, k]:
                    last[k] = i
                below, above = fx[i, j, k], last[k]
                fx[i, j, k] = below if below >= 0 and (above < 0 or i - below <= above - i) else above
    for i in numba.prange(nx):  # y
        off, has = np.empty(ny), np.empty(ny, np.bool_)
        source, hull, line_x = np.empty(ny, np.int64), np.empty(ny, np.int64), np.empty(ny, np.int32)
        for k in range(nz):
            for j in range(ny):
                line_x[j] = fx[i, j, k]
                has[j] = line_x[j] >= 0
                off[j] = float(line_x[j] - i) ** 2
            _envelope(off, has, ny, source, hull)
            for j in range(ny):
                p = source[j]
                fx[i, j, k] = line_x[p] if p >= 0 else -1
                fy[i, j, k] = p
    return fx, fy


@numba.njit(cache=True, inline="always")
def _z_line(fx, fy, i, j, nz, off, has, source, hull):
    """The last pass on the line (i, j, :): ``source[k]``, the z of the band point nearest to (i, j, k)."""
    for k in range(nz):
        has[k] = fx[i, j, k] >= 0
        off[k] = float(fx[i, j, k] - i) ** 2 + float(fy[i, j, k] - j) ** 2
    _envelope(off, has, nz, source, hull)


@numba.njit(cache=True, parallel=True)
def _nearest_band_owner(band, owner):
    """(nx, ny, nz) int32: ``owner`` at the band point nearest to each grid point (Euclidean, ties as
    scipy's feature transform breaks them): the axes one after another, x, y, z, each line in
    parallel (about three times as fast as ``distance_transform_edt(..., return_indices=True)`` and
    the gather on two cores, and without its (3, nx, ny, nz) index array). Only the x and y of each
    point's nearest band point so far are kept: its z is the point's own until the last pass.
    ``build_sdf`` runs the last pass inside ``_distances``; this whole transform is for the tests."""
    nx, ny, nz = band.shape
    fx, fy = _nearest_band_xy(band)
    out = np.empty((nx, ny, nz), owner.dtype)
    for i in numba.prange(nx):
        off, has = np.empty(nz), np.empty(nz, np.bool_)
        source, hull = np.empty(nz, np.int64), np.empty(nz, np.int64)
        for j in range(ny):
            _z_line(fx, fy, i, j, nz, off, has, source, hull)
            for k in range(nz):
                p = source[k]
                out[i, j, k] = owner[fx[i, j, p], fy[i, j, p], p] if p >= 0 else -1
    return out


@numba.njit(cache=True, parallel=True)
def _distances(tris, origin, h, fx, fy, band_owner, inside, ring_ptr, ring_faces, refine_within):
    """Signed distance per grid point to the triangle of its nearest band point (the last pass of
    the feature transform, line by line, on ``_nearest_band_xy``'s ``fx``, ``fy``; ``band_owner``:
    each band point's closest triangle); where that is closer than ``refine_within``, also try the
    triangles around it, sharing a vertex (the owner handed down can be one triangle off)."""
    nx, ny, nz = fx.shape
    out = np.empty((nx, ny, nz), np.float32)
    limit = refine_within * refine_within
    for i in numba.prange(nx):
        px = origin[0] + i * h
        off, has = np.empty(nz), np.empty(nz, np.bool_)
        source, hull = np.empty(nz, np.int64), np.empty(nz, np.int64)
        for j in range(ny):
            py = origin[1] + j * h
            _z_line(fx, fy, i, j, nz, off, has, source, hull)
            for k in range(nz):
                pz = origin[2] + k * h
                p = source[k]
                t = band_owner[fx[i, j, p], fy[i, j, p], p]
                best = _point_triangle_sq(px, py, pz, tris[t, 0], tris[t, 1], tris[t, 2])
                if best < limit:
                    for r in range(ring_ptr[t], ring_ptr[t + 1]):
                        u = ring_faces[r]
                        d2 = _point_triangle_sq(px, py, pz, tris[u, 0], tris[u, 1], tris[u, 2])
                        if d2 < best:
                            best = d2
                d = np.sqrt(best)
                out[i, j, k] = -d if inside[i, j, k] else d
    return out


def _triangle_rings(faces: np.ndarray, vertex_count: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR (pointer, indices) of the triangles sharing a vertex with each triangle."""
    m = len(faces)
    incidence = scipy.sparse.csr_matrix(
        (np.ones(3 * m, np.int32), (np.repeat(np.arange(m), 3), faces.ravel())), shape=(m, vertex_count)
    )
    rings = (incidence @ incidence.T).tocsr()
    return rings.indptr.astype(np.int64), rings.indices.astype(np.int64)


def _unit_normals(tris: np.ndarray) -> np.ndarray:
    """(m, 3) unit normals of the triangles (m, 3, 3); zero where a triangle has no area."""
    normals = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return np.divide(normals, length, out=np.zeros_like(normals), where=length > 0)


@functools.lru_cache(maxsize=4)
def _cached_rings(faces_bytes: bytes, shape: tuple[int, int], vertex_count: int):
    faces = np.frombuffer(faces_bytes, np.int64).reshape(shape)
    ring_ptr, ring_faces = _triangle_rings(faces, vertex_count)
    ring_ptr.flags.writeable = ring_faces.flags.writeable = False
    return ring_ptr, ring_faces


def _rings_of(faces: np.ndarray, vertex_count: int) -> tuple[np.ndarray, np.ndarray]:
    """``_triangle_rings``, kept for the last few meshes (every fitted body shares the model's faces)."""
    return _cached_rings(np.ascontiguousarray(faces, np.int64).tobytes(), faces.shape, vertex_count)


def build_sdf(
    vertices: np.ndarray, faces: np.ndarray, spacing: float = 0.005, margin: float = 0.05
) -> SignedDistanceGrid:
    """Signed distance grid (negative inside) of a watertight mesh.

    vertices : (n, 3) float64, m; faces : (m, 3) int, closed and consistently wound.
    spacing  : grid step, m; margin : space around the bounding box, m.
    """
    v = np.asarray(vertices, np.float64)
    f = np.asarray(faces, np.int64)
    if v.ndim != 2 or v.shape[1] != 3 or f.ndim != 2 or f.shape[1] != 3 or len(f) == 0:
        raise ValueError(f"build_sdf needs (n, 3) vertices and (m, 3) faces, got {v.shape} and {f.shape}")
    if spacing <= 0 or margin < 0:
        raise ValueError(f"build_sdf needs spacing > 0 and margin >= 0, got {spacing} and {margin}")
    tris = np.ascontiguousarray(v[f])
    origin = v.min(axis=0) - margin
    shape = np.ceil((v.max(axis=0) + margin - origin) / spacing).astype(np.int64) + 1
    h = float(spacing)

    crossings = _parity_crossings(tris, origin, h, shape)
    _cumulative_parity(crossings)
    inside = crossings.view(np.bool_)
    best, owner = _narrow_band(tris, _unit_normals(tris), origin, h, shape)
    band = best <= np.float32(h * h)
    del best
    fx, fy = _nearest_band_xy(band)
    ring_ptr, ring_faces = _rings_of(f, len(v))
    values = _distances(tris, origin, h, fx, fy, owner, inside, ring_ptr, ring_faces, REFINE_WITHIN_M)
    return SignedDistanceGrid(origin=origin, spacing=h, values=values)
