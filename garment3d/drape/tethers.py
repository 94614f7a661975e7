"""Long-range stretch limits ("tethers") between distant points of one panel.

A Gauss-Seidel solver with one pass per substep moves a correction only a
few triangles per pass, so cloth hanging a metre below its support (a
trouser leg under its waistband, a long sleeve under the shoulder) sags by
an error that grows with the number of triangles along the way and does not
depend on the fabric at all: at 1 cm spacing and 24 substeps the trousers
showed a 95th-percentile edge strain of 6 %, 3.7 % with gravity cut to a
fifth.

Tethers carry that load in one step. Each joins a vertex to the vertex
about ``distance`` away in the flat pattern, along the warp and along the
weft, at several distances (``LEVELS`` times the mesh spacing), and stops
the two from moving further apart in space than that flat distance plus
``SLACK``. They never forbid a drape that does not stretch the cloth: the
straight flat segment between two points of a piece maps onto the body to a
curve of the same length, so the points are never further apart in space
than in the pattern. Only segments that lie inside the piece are used
(across a slit or a dart's mouth the two sides may part further). Tethers
push nothing together, so folds and buckles are free.

This is strain limiting at long range (woven fabrics are nearly
inextensible beyond a few percent); the triangles keep the small-scale
elasticity. Where the placement laid two tethered points further apart
than the limit, the limit starts there and shrinks to it while the seams
close.

Off by default (``DrapeOptions.tethers``). Measured at 160/84A, 1 cm,
poplin, 24 substeps (p95 edge strain without -> with): trousers 6.1 % ->
3.9 %, A-line skirt 3.8 % -> 2.2 %, blouse 6.8 % -> 5.6 %. 32 substeps
(the 1 cm default then; 64 now) with sleeves laid closed round the arm brought every library
garment under 5 % without them (trousers 3.7 %, A-line 2.3 %), and with
tethers the qipao's big front and underlap, pulled taut, passed through each
other at the opening, so they are not on for every garment.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from garment3d.types import GarmentMesh

__all__ = ["LEVELS", "SLACK", "tether_pairs"]

LEVELS = (4, 8, 16)  # tether lengths in mesh spacings
SLACK = 0.01  # a tether allows this much stretch over its length
DIRECTIONS = ((1.0, 0.0), (0.0, 1.0))  # weft and warp


def tether_pairs(garment: GarmentMesh) -> tuple[np.ndarray, np.ndarray]:
    """((t, 2) int32 vertex pairs, (t,) float64 longest allowed distance, m) over all panels."""
    pairs = []
    for panel in range(len(garment.panel_names)):
        vertices = np.flatnonzero(garment.panel_of == panel)
        tri = garment.faces[np.isin(garment.faces[:, 0], vertices)]
        if len(vertices) < 3 or len(tri) == 0:
            continue
        pairs.append(_panel_pairs(garment.rest_uv, vertices, tri, garment.spacing_m))
    if not pairs:
        return np.zeros((0, 2), np.int32), np.zeros(0)
    found = np.unique(np.sort(np.vstack(pairs), axis=1), axis=0)
    rest = np.linalg.norm(garment.rest_uv[found[:, 0]] - garment.rest_uv[found[:, 1]], axis=1)
    return found.astype(np.int32), rest * (1.0 + SLACK)


def _panel_pairs(uv: np.ndarray, vertices: np.ndarray, tri: np.ndarray, spacing: float) -> np.ndarray:
    points = uv[vertices]
    tree = cKDTree(points)
    inside = _Inside(uv, tri)
    found = []
    for level in LEVELS:
        for direction in DIRECTIONS:
            target = points + level * spacing * np.asarray(direction)
            dist, nearest = tree.query(target)
            ok = dist < 0.5 * spacing
            a, b = vertices[ok], vertices[nearest[ok]]
            keep = np.ones(len(a), bool)
            for t in np.linspace(0.0, 1.0, 2 * level + 1)[1:-1]:  # every half spacing: no gap is stepped over
                keep &= inside(uv[a] * (1 - t) + uv[b] * t)
            found.append(np.column_stack([a[keep], b[keep]]))
    return np.vstack(found)


class _Inside:
    """Whether flat points lie in a panel's flat triangles (the few nearest by centroid are tried)."""

    def __init__(self, uv: np.ndarray, tri: np.ndarray, candidates: int = 6):
        self.corners = uv[tri]  # (t, 3, 2)
        self.tree = cKDTree(self.corners.mean(axis=1))
        self.k = min(candidates, len(tri))

    def __call__(self, points: np.ndarray) -> np.ndarray:
        if len(points) == 0:
            return np.zeros(0, bool)
        _, near = self.tree.query(points, k=self.k)
        near = near.reshape(len(points), -1)
        a, b, c = (self.corners[near, i] for i in range(3))  # (m, k, 2)
        p = points[:, None, :]
        d1, d2, d3 = _side(p, a, b), _side(p, b, c), _side(p, c, a)
        tolerance = -1e-9
        hit = ((d1 >= tolerance) & (d2 >= tolerance) & (d3 >= tolerance)) | (
            (d1 <= -tolerance) & (d2 <= -tolerance) & (d3 <= -tolerance))
        return hit.any(axis=1)


def _side(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (b[..., 0] - a[..., 0]) * (p[..., 1] - a[..., 1]) - (b[..., 1] - a[..., 1]) * (p[..., 0] - a[..., 0])
