"""Dress-form finish: smooth the nipples away so the body reads as a mannequin.

Clients and sales see the body in every render; it must look like a neutral
dress form, not a nude person. The breast shape (which the garment must fit)
is kept; only the small nipple/areola relief within ``radius_m`` of the
nipple vertices is relaxed by Laplacian smoothing with the region's rim fixed.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

__all__ = ["smooth_nipples"]


def _adjacency(faces: np.ndarray, n: int) -> sparse.csr_matrix:
    rows = np.concatenate([faces[:, 0], faces[:, 1], faces[:, 2], faces[:, 1], faces[:, 2], faces[:, 0]])
    cols = np.concatenate([faces[:, 1], faces[:, 2], faces[:, 0], faces[:, 0], faces[:, 1], faces[:, 2]])
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    matrix.data[:] = 1.0
    return matrix


def smooth_nipples(
    vertices: np.ndarray,
    faces: np.ndarray,
    nipple_vertices: np.ndarray,
    radius_m: float = 0.025,
    iterations: int = 300,
) -> np.ndarray:
    """Return a copy of ``vertices`` (n, 3) with the nipple relief smoothed out."""
    if len(nipple_vertices) == 0:
        return vertices.copy()
    centres = vertices[nipple_vertices]
    distance = np.min(np.linalg.norm(vertices[:, None, :] - centres[None, :, :], axis=2), axis=1)
    region = distance < radius_m
    adjacency = _adjacency(faces, len(vertices))
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    result = vertices.copy()
    # weight fades to zero at the rim so the smoothed patch blends in
    weight = np.clip(1.0 - distance / radius_m, 0.0, 1.0)[region, None]
    for _ in range(iterations):
        mean = adjacency @ result / degree[:, None]
        result[region] += 0.5 * weight * (mean[region] - result[region])
    return result
