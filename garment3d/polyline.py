"""Arc length along 2-D or 3-D polylines: total length, and points a given distance along."""

from __future__ import annotations

import numpy as np

__all__ = ["points_along", "polyline_length"]


def polyline_length(points: np.ndarray) -> float:
    """Length of the polyline through ``points`` (k, d)."""
    return float(np.sum(np.linalg.norm(np.diff(points, axis=0), axis=1)))


def points_along(points: np.ndarray, distances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The points ``distances`` (m,) along the 2-D polyline ``points`` (k, 2), in its units, and the unit
    normals there into a counter-clockwise piece (the tangent turned left). Past either end the end segment
    is extended; a distance on a zero-length segment takes the last segment before it with a length."""
    steps = np.diff(points, axis=0)
    lengths = np.linalg.norm(steps, axis=1)
    arc = np.concatenate([[0.0], np.cumsum(lengths)])
    i = np.clip(np.searchsorted(arc, distances, side="right") - 1, 0, len(steps) - 1)
    real = np.where(lengths >= 1e-12, np.arange(len(steps)), 0)
    i = np.maximum.accumulate(real)[i]  # back off zero-length segments
    t = (distances - arc[i]) / np.maximum(lengths[i], 1e-12)
    tangent = steps[i] / np.maximum(lengths[i], 1e-12)[:, None]
    return points[i] + t[:, None] * steps[i], np.column_stack([-tangent[:, 1], tangent[:, 0]])
