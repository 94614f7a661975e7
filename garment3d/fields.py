"""Sampling the body's signed-distance grid (shared by the body, meshing and drape stages).

The grid layout is documented on :class:`garment3d.types.SignedDistanceGrid`:
``values[ix, iy, iz]`` at world position ``origin + spacing * index``.
"""

from __future__ import annotations

import numba
import numpy as np

from garment3d.types import SignedDistanceGrid

__all__ = ["OUTSIDE_DISTANCE", "sample_sdf", "sample_sdf_gradient"]

#: Distance (m) reported for points outside the grid: far from the body.
OUTSIDE_DISTANCE = 1e3


@numba.njit(cache=True)
def sample_sdf_gradient(values, origin, spacing, px, py, pz):
    """Trilinear signed distance and its gradient at (px, py, pz); (OUTSIDE_DISTANCE, 0-vector) outside the grid."""
    nx, ny, nz = values.shape
    fx = (px - origin[0]) / spacing
    fy = (py - origin[1]) / spacing
    fz = (pz - origin[2]) / spacing
    if fx < 0.0 or fy < 0.0 or fz < 0.0 or fx >= nx - 1 or fy >= ny - 1 or fz >= nz - 1:
        return OUTSIDE_DISTANCE, 0.0, 0.0, 0.0
    i, j, k = int(fx), int(fy), int(fz)
    tx, ty, tz = fx - i, fy - j, fz - k
    c000 = values[i, j, k]
    c100 = values[i + 1, j, k]
    c010 = values[i, j + 1, k]
    c110 = values[i + 1, j + 1, k]
    c001 = values[i, j, k + 1]
    c101 = values[i + 1, j, k + 1]
    c011 = values[i, j + 1, k + 1]
    c111 = values[i + 1, j + 1, k + 1]
    c00 = c000 + (c100 - c000) * tx
    c10 = c010 + (c110 - c010) * tx
    c01 = c001 + (c101 - c001) * tx
    c11 = c011 + (c111 - c011) * tx
    c0 = c00 + (c10 - c00) * ty
    c1 = c01 + (c11 - c01) * ty
    d = c0 + (c1 - c0) * tz
    # analytic gradient of the trilinear interpolant
    gx = ((1 - ty) * (1 - tz) * (c100 - c000) + ty * (1 - tz) * (c110 - c010)
          + (1 - ty) * tz * (c101 - c001) + ty * tz * (c111 - c011))
    gy = (c10 - c00) * (1 - tz) + (c11 - c01) * tz
    gz = c1 - c0
    return d, gx / spacing, gy / spacing, gz / spacing



@numba.njit(cache=True, parallel=True)
def _sample_many(values, origin, spacing, points):
    out = np.empty(points.shape[0])
    for i in numba.prange(points.shape[0]):
        out[i] = sample_sdf_gradient(values, origin, spacing, points[i, 0], points[i, 1], points[i, 2])[0]
    return out


def sample_sdf(grid: SignedDistanceGrid, points: np.ndarray) -> np.ndarray:
    """(n,) float64 signed distance (m) at ``points`` (n, 3); ``OUTSIDE_DISTANCE`` outside the grid."""
    pts = np.ascontiguousarray(np.asarray(points, dtype=np.float64).reshape(-1, 3))
    return _sample_many(np.ascontiguousarray(grid.values), np.asarray(grid.origin, np.float64), float(grid.spacing), pts)
