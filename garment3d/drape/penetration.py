"""Which points lie inside the body mesh: an exact ray-parity test against the mesh's own triangles.

The solver keeps cloth out of the body with a trilinear distance grid (5 mm); the quality report must
not judge the drape with that same grid. Here a ray along +z from each point counts the body triangles
it crosses (odd: inside), which is exact for a closed mesh. The triangles are binned by their (x, y)
bounding boxes into square cells so each ray looks only at the triangles over its own cell. The ray
start is nudged off the grid of vertices and edges by a fixed sub-micrometre offset (as in
``garment3d.body.sdf``), so a ray never runs exactly through an edge.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["BodyRays", "inside_mesh"]

CELL_M = 0.01
_NUDGE_X, _NUDGE_Y = 1.2345e-9, 2.3456e-9


@numba.njit(cache=True)
def _bin(tris, origin, cell, nx, ny):
    counts = np.zeros(nx * ny + 1, np.int64)
    for t in range(tris.shape[0]):
        i0 = int(math.floor((min(tris[t, 0, 0], tris[t, 1, 0], tris[t, 2, 0]) - origin[0]) / cell))
        i1 = int(math.floor((max(tris[t, 0, 0], tris[t, 1, 0], tris[t, 2, 0]) - origin[0]) / cell))
        j0 = int(math.floor((min(tris[t, 0, 1], tris[t, 1, 1], tris[t, 2, 1]) - origin[1]) / cell))
        j1 = int(math.floor((max(tris[t, 0, 1], tris[t, 1, 1], tris[t, 2, 1]) - origin[1]) / cell))
        for i in range(max(i0, 0), min(i1, nx - 1) + 1):
            for j in range(max(j0, 0), min(j1, ny - 1) + 1):
                counts[i * ny + j + 1] += 1
    ptr = np.cumsum(counts)
    fill = ptr[:-1].copy()
    items = np.empty(ptr[-1], np.int64)
    for t in range(tris.shape[0]):
        i0 = int(math.floor((min(tris[t, 0, 0], tris[t, 1, 0], tris[t, 2, 0]) - origin[0]) / cell))
        i1 = int(math.floor((max(tris[t, 0, 0], tris[t, 1, 0], tris[t, 2, 0]) - origin[0]) / cell))
        j0 = int(math.floor((min(tris[t, 0, 1], tris[t, 1, 1], tris[t, 2, 1]) - origin[1]) / cell))
        j1 = int(math.floor((max(tris[t, 0, 1], tris[t, 1, 1], tris[t, 2, 1]) - origin[1]) / cell))
        for i in range(max(i0, 0), min(i1, nx - 1) + 1):
            for j in range(max(j0, 0), min(j1, ny - 1) + 1):
                items[fill[i * ny + j]] = t
                fill[i * ny + j] += 1
    return ptr, items


@numba.njit(cache=True, parallel=True)
def _parity(points, tris, origin, cell, nx, ny, ptr, items, out):
    for p in numba.prange(points.shape[0]):
        px = points[p, 0] + _NUDGE_X
        py = points[p, 1] + _NUDGE_Y
        pz = points[p, 2]
        i = int(math.floor((px - origin[0]) / cell))
        j = int(math.floor((py - origin[1]) / cell))
        if i < 0 or j < 0 or i >= nx or j >= ny:
            out[p] = False
            continue
        inside = False
        for k in range(ptr[i * ny + j], ptr[i * ny + j + 1]):
            t = items[k]
            x0, y0, z0 = tris[t, 0, 0], tris[t, 0, 1], tris[t, 0, 2]
            x1, y1, z1 = tris[t, 1, 0], tris[t, 1, 1], tris[t, 1, 2]
            x2, y2, z2 = tris[t, 2, 0], tris[t, 2, 1], tris[t, 2, 2]
            area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
            if area == 0.0:
                continue
            w0 = ((x1 - px) * (y2 - py) - (x2 - px) * (y1 - py)) / area
            w1 = ((x2 - px) * (y0 - py) - (x0 - px) * (y2 - py)) / area
            w2 = 1.0 - w0 - w1
            if w0 < 0.0 or w1 < 0.0 or w2 < 0.0:
                continue
            if w0 * z0 + w1 * z1 + w2 * z2 > pz:
                inside = not inside
        out[p] = inside


class BodyRays:
    """A closed body mesh binned for inside tests (built once per body, reusable)."""

    def __init__(self, vertices: np.ndarray, faces: np.ndarray, cell_m: float = CELL_M):
        self.tris = np.ascontiguousarray(np.asarray(vertices, np.float64)[np.asarray(faces, np.int64)])
        if len(self.tris) == 0:  # no mesh (a body given by its distance grid alone): nothing is inside
            self.tris = np.zeros((1, 3, 3))
        lo = self.tris.reshape(-1, 3).min(axis=0)
        hi = self.tris.reshape(-1, 3).max(axis=0)
        self.origin = np.array([lo[0] - cell_m, lo[1] - cell_m])
        self.cell = float(cell_m)
        self.nx = int(math.ceil((hi[0] - self.origin[0]) / cell_m)) + 2
        self.ny = int(math.ceil((hi[1] - self.origin[1]) / cell_m)) + 2
        self.ptr, self.items = _bin(self.tris, self.origin, self.cell, self.nx, self.ny)

    def inside(self, points: np.ndarray) -> np.ndarray:
        """(k,) bool: which of ``points`` (k, 3) lie inside the mesh."""
        pts = np.ascontiguousarray(np.asarray(points, np.float64).reshape(-1, 3))
        out = np.zeros(len(pts), np.bool_)
        _parity(pts, self.tris, self.origin, self.cell, self.nx, self.ny, self.ptr, self.items, out)
        return out


def inside_mesh(vertices: np.ndarray, faces: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(k,) bool: which of ``points`` lie inside the closed mesh (``vertices``, ``faces``)."""
    return BodyRays(vertices, faces).inside(points)
