"""Quality figures of a drape: seam gaps, body penetration, edge strain."""

from __future__ import annotations

import numpy as np

from garment3d.fields import sample_sdf
from garment3d.types import SignedDistanceGrid

__all__ = ["seam_gap_mm", "inside_body", "edge_strain"]


def seam_gap_mm(positions: np.ndarray, seam_pairs: np.ndarray) -> float:
    """Largest distance (mm) between two vertices a seam joins."""
    if len(seam_pairs) == 0:
        return 0.0
    gaps = np.linalg.norm(positions[seam_pairs[:, 0]] - positions[seam_pairs[:, 1]], axis=1)
    return float(gaps.max() * 1000.0)


def inside_body(positions: np.ndarray, grid: SignedDistanceGrid) -> np.ndarray:
    """(n,) bool: vertices inside the body (negative signed distance)."""
    return sample_sdf(grid, positions) < 0.0


def edge_strain(positions: np.ndarray, edges: np.ndarray, rest_length: np.ndarray) -> np.ndarray:
    """(e,) relative elongation of each edge (positive = stretched)."""
    length = np.linalg.norm(positions[edges[:, 0]] - positions[edges[:, 1]], axis=1)
    return length / rest_length - 1.0
