"""Quality figures of a drape: seam gaps, body penetration, edge strain."""

from __future__ import annotations

import numba
import numpy as np

from garment3d.drape.kernels import sample_sdf_gradient
from garment3d.types import SignedDistanceGrid

__all__ = ["seam_gap_mm", "inside_body", "edge_strain", "sdf_values_at"]


def seam_gap_mm(positions: np.ndarray, seam_pairs: np.ndarray) -> float:
    """Largest distance (mm) between two vertices a seam joins."""
    if len(seam_pairs) == 0:
        return 0.0
    gaps = np.linalg.norm(positions[seam_pairs[:, 0]] - positions[seam_pairs[:, 1]], axis=1)
    return float(gaps.max() * 1000.0)


def sdf_values_at(grid: SignedDistanceGrid, points: np.ndarray) -> np.ndarray:
    """(n,) signed distance (m) at ``points`` (n, 3); 1e3 outside the grid."""
    values = np.ascontiguousarray(grid.values)
    origin = np.asarray(grid.origin, dtype=np.float64)
    return _sample_many(values, origin, float(grid.spacing), np.ascontiguousarray(points, dtype=np.float64))


@numba.njit(cache=True, parallel=True)
def _sample_many(values, origin, spacing, points):
    out = np.empty(points.shape[0])
    for i in numba.prange(points.shape[0]):
        out[i] = sample_sdf_gradient(values, origin, spacing, points[i, 0], points[i, 1], points[i, 2])[0]
    return out


def inside_body(positions: np.ndarray, grid: SignedDistanceGrid) -> np.ndarray:
    """(n,) bool: vertices inside the body (negative signed distance)."""
    return sdf_values_at(grid, positions) < 0.0


def edge_strain(positions: np.ndarray, edges: np.ndarray, rest_length: np.ndarray) -> np.ndarray:
    """(e,) relative elongation of each edge (positive = stretched)."""
    length = np.linalg.norm(positions[edges[:, 0]] - positions[edges[:, 1]], axis=1)
    return length / rest_length - 1.0
