"""Gathered seams: the rest shape of cloth whose edge is drawn up onto a shorter one.

A gathered seam (``Seam.kind == "gather"``) sews a longer edge onto a shorter one, the longer
edge run on a gathering thread and drawn up to the other's length (a bodice gathered onto a
waist seam, a ruffle). The small folds this makes are finer than any drape mesh, so the cloth
along the gathered edge is given the rest it has once drawn up: each triangle's rest is
shortened along the edge (along the tangent of the edge's nearest point) by the gather's ratio
on the edge, fading back to the cut over a band (``GATHER_DEPTH_M``); across the edge nothing
changes, so a side seam meeting the gathered edge keeps its length.

With the shortening fading linearly, the gathered band's rest is a flat shape (an annular
sector's: the lines across the edge fan out from it), and where the band meets the cut the
cloth puffs out a little, as gathered cloth does. Where a piece has several gathered edges (a
bodice sewn to several skirt pieces between darts), each triangle follows the nearest. The texture and the cloth's weight keep the cut (``GarmentMesh.rest_uv``); the solver
and the strain gates measure against this rest (``GarmentMesh.sewn_edges``).
"""

from __future__ import annotations

import numpy as np

from garment3d.types import triangle_edges

__all__ = ["GATHER_DEPTH_M", "gathered_rest_edges"]

GATHER_DEPTH_M = 0.10  # how far from the gathered edge the drawn-up length fades back to the cut
DEPTH_SHARE = 0.6  # at most this share of the piece's extent away from the edge


def gathered_rest_edges(rest_uv: np.ndarray, faces: np.ndarray, panel_of: np.ndarray,
                        gathered: list[tuple[np.ndarray, float]], spacing_m: float) -> np.ndarray:
    """(m, 2, 2) m: each triangle's rest edge vectors (as ``triangle_edges``) with the gathered edges drawn up.

    ``gathered``: per gathered edge, its vertex indices in order along it (the longer edge of a
    gathered seam) and the ratio it is drawn up by (its length over the edge it is sewn to, >= 1).
    A triangle within half a mesh spacing of the edge (the row along it) takes the full ratio.
    """
    uv = np.asarray(rest_uv, np.float64)
    faces = np.asarray(faces, np.int64)
    edges = triangle_edges(uv, faces)
    centroids = uv[faces].mean(axis=1)
    face_panel = panel_of[faces[:, 0]]
    for panel in np.unique([panel_of[vertices[0]] for vertices, _ in gathered]):
        mine = np.flatnonzero(face_panel == panel)
        pieces = [(uv[v], r) for v, r in gathered if panel_of[v[0]] == panel]
        starts = np.vstack([points[:-1] for points, _ in pieces])
        steps = np.vstack([np.diff(points, axis=0) for points, _ in pieces])
        ratios = np.concatenate([np.full(len(points) - 1, r) for points, r in pieces])
        edges[mine] = _drawn_up(edges[mine], centroids[mine], starts, steps, ratios, spacing_m)
    return edges


def _drawn_up(edges: np.ndarray, centroids: np.ndarray, starts: np.ndarray, steps: np.ndarray,
              ratios: np.ndarray, spacing_m: float) -> np.ndarray:
    """Triangle rest edges shortened along the gathered edges' segments (``starts``, ``steps``; each by its
    ``ratios`` on it), fading to the cut at the band's depth."""
    segment, tangent, distance = _nearest_segment(centroids, starts, steps)
    depth = min(GATHER_DEPTH_M, DEPTH_SHARE * float(distance.max()))
    beyond_row = np.maximum(distance - 0.5 * spacing_m, 0.0)
    weight = np.clip(1.0 - beyond_row / max(depth, 1e-9), 0.0, 1.0)
    scale = 1.0 - (1.0 - 1.0 / ratios[segment]) * weight  # along the edge: 1 / ratio on it, 1 beyond the band
    along = np.einsum("mkd,md->mk", edges, tangent)
    return edges - ((1.0 - scale)[:, None] * along)[..., None] * tangent[:, None, :]


def _nearest_segment(points: np.ndarray, starts: np.ndarray, steps: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per point: the index of the segment (``starts`` + t ``steps``) nearest to it, its unit tangent, the
    distance."""
    lengths = np.maximum(np.linalg.norm(steps, axis=1), 1e-12)
    rel = points[:, None, :] - starts[None]  # (p, k, 2)
    t = np.clip(np.einsum("pkd,kd->pk", rel, steps) / lengths ** 2, 0.0, 1.0)
    d = np.linalg.norm(rel - t[..., None] * steps[None], axis=2)
    best = np.argmin(d, axis=1)
    return best, steps[best] / lengths[best, None], d[np.arange(len(points)), best]
