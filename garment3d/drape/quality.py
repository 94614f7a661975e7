"""Quality figures of a drape, measured on its positions independently of the solver's constraints.

- seam gaps (the solver's own pre-projection gap comes from ``garment3d.drape.kernels``);
- penetration: cloth sample points (vertices, edge midpoints, triangle centroids) inside the body
  mesh by an exact ray-parity test (``garment3d.drape.penetration``), and the largest connected patch
  of cloth inside or through the body (a collar pushed into the neck is a small share of the cloth but
  one large patch);
- yarn strain per panel: warp and weft stretch and compression of each triangle from its flat rest
  shape, largest and 99th percentile (over the panel's cloth by area, never fewer than
  ``TAIL_MIN_CM2`` of it: see :func:`tail_strain`);
- folded seams: seam hinges where one panel lies folded back over the other;
- the waist: each anchored edge's distance from the body and its drop below where it was placed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from garment3d.drape.penetration import BodyRays
from garment3d.drape.self_collision import weld_labels
from garment3d.fields import sample_sdf
from garment3d.types import Body, PanelStrain, SignedDistanceGrid, WaistEdge, triangle_edges

__all__ = ["Penetration", "seam_gap_mm", "edge_strain", "body_penetration", "panel_strain", "tail_strain",
           "folded_seam_share", "waist_edges", "FOLDED_BELOW_DEG", "TAIL_SHARE", "TAIL_MIN_CM2"]

#: A seam hinge is folded back when its two panels leave the seam less than this far apart (degrees; 180
#: is a flat continuation, 90 a right-angle corner such as a sleeve at the armhole).
FOLDED_BELOW_DEG = 30.0

#: The 99th percentile of a panel's strain is the strain reached by its worst ``TAIL_SHARE`` of cloth (by
#: rest area)...
TAIL_SHARE = 0.01
#: ...but never by less than this much cloth (cm2, about a 2 cm x 2 cm square; at most half the panel). On a
#: band of a few dozen triangles 1 % of the cloth is less than one triangle, so a plain 99th percentile is
#: the worst triangle and the verdict follows the mesh density; 4 cm2 is more than two triangles of a 2 cm
#: mesh and nine of a 1 cm one, so no single triangle decides (the largest-stretch gate catches a tear).
TAIL_MIN_CM2 = 4.0


@dataclass(frozen=True)
class Penetration:
    """Cloth inside the body: sample points inside (count and share) and the largest connected patch of
    triangles with any sample inside (cm2, its current area)."""

    inside_count: int
    inside_share: float
    largest_patch_cm2: float


def seam_gap_mm(positions: np.ndarray, seam_pairs: np.ndarray) -> float:
    """Largest distance (mm) between two vertices a seam joins."""
    if len(seam_pairs) == 0:
        return 0.0
    gaps = np.linalg.norm(positions[seam_pairs[:, 0]] - positions[seam_pairs[:, 1]], axis=1)
    return float(gaps.max() * 1000.0)


def fastener_gap_mm(positions: np.ndarray, fastener_pairs: np.ndarray, rest_m: float) -> float:
    """Largest distance (mm) between the two vertices a fastener joins beyond ``rest_m``, the distance two
    fastened layers keep (0 when every fastener is closed; 0 without fasteners)."""
    pairs = np.asarray(fastener_pairs).reshape(-1, 2)
    if len(pairs) == 0:
        return 0.0
    gaps = np.linalg.norm(positions[pairs[:, 0]] - positions[pairs[:, 1]], axis=1) - rest_m
    return float(max(gaps.max(), 0.0) * 1000.0)


def edge_strain(positions: np.ndarray, edges: np.ndarray, rest_length: np.ndarray) -> np.ndarray:
    """(e,) relative elongation of each edge (positive = stretched)."""
    length = np.linalg.norm(positions[edges[:, 0]] - positions[edges[:, 1]], axis=1)
    return length / rest_length - 1.0


def _unique_edges(faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique edges (e, 2) and, per face, the index of each of its three edges (m, 3)."""
    half = np.sort(np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    edges, inverse = np.unique(half, axis=0, return_inverse=True)
    return edges, inverse.reshape(3, -1).T


def body_penetration(positions: np.ndarray, faces: np.ndarray, body: Body, seam_pairs: np.ndarray,
                     rays: BodyRays | None = None) -> Penetration:
    """Vertices, edge midpoints and triangle centroids tested against the body mesh itself; a patch is
    a set of such triangles connected through shared (or sewn) corners."""
    rays = rays or BodyRays(body.vertices, body.faces)
    faces = np.asarray(faces, np.int64)
    edges, face_edges = _unique_edges(faces)
    vertex_in = rays.inside(positions)
    edge_in = rays.inside(0.5 * (positions[edges[:, 0]] + positions[edges[:, 1]]))
    centroid_in = rays.inside(positions[faces].mean(axis=1))
    samples = len(vertex_in) + len(edge_in) + len(centroid_in)
    count = int(vertex_in.sum() + edge_in.sum() + centroid_in.sum())
    flagged = centroid_in | vertex_in[faces].any(axis=1) | edge_in[face_edges].any(axis=1)
    return Penetration(inside_count=count, inside_share=count / samples,
                       largest_patch_cm2=_largest_patch_cm2(positions, faces, flagged, seam_pairs))


def _largest_patch_cm2(positions: np.ndarray, faces: np.ndarray, flagged: np.ndarray,
                       seam_pairs: np.ndarray) -> float:
    hit = np.flatnonzero(flagged)
    if len(hit) == 0:
        return 0.0
    label = weld_labels(len(positions), seam_pairs)
    corners = label[faces[hit]]  # (h, 3) welded corner labels
    groups = int(label.max()) + 1
    rows = np.repeat(np.arange(len(hit)), 3)
    graph = scipy.sparse.coo_matrix((np.ones(rows.size), (rows, len(hit) + corners.ravel())),
                                    shape=(len(hit) + groups,) * 2)
    _, component = connected_components(graph, directed=False)
    tri = positions[faces[hit]]
    area = 0.5 * np.linalg.norm(np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0]), axis=1)
    per_patch = np.bincount(component[: len(hit)], weights=area)
    return float(per_patch.max() * 1e4)


def _rest_sides(faces: np.ndarray, rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each triangle's two rest edge vectors (corner 1 - corner 0, corner 2 - corner 0): from ``rest`` (m, 2, 2)
    as ``GarmentMesh.rest_edges``, or from flat vertex coordinates ``rest`` (n, 2)."""
    edges = rest if rest.ndim == 3 else triangle_edges(rest, faces)
    return edges[:, 0], edges[:, 1]


def _yarn_strain(positions: np.ndarray, faces: np.ndarray, rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(m,) weft and warp strain of each triangle: |F e_x| - 1 and |F e_y| - 1, F mapping the flat
    rest triangle (x weft, y warp; ``rest`` as :func:`_rest_sides` takes it) onto the draped one."""
    e1, e2 = _rest_sides(faces, rest)
    det = e1[:, 0] * e2[:, 1] - e2[:, 0] * e1[:, 1]
    inv = np.stack([np.column_stack([e2[:, 1], -e1[:, 1]]), np.column_stack([-e2[:, 0], e1[:, 0]])], axis=1)
    inv /= det[:, None, None]  # rows: d(u1,u2)/dx, d(u1,u2)/dy per triangle
    d1 = positions[faces[:, 1]] - positions[faces[:, 0]]
    d2 = positions[faces[:, 2]] - positions[faces[:, 0]]
    f_weft = inv[:, 0, 0, None] * d1 + inv[:, 0, 1, None] * d2
    f_warp = inv[:, 1, 0, None] * d1 + inv[:, 1, 1, None] * d2
    return np.linalg.norm(f_weft, axis=1) - 1.0, np.linalg.norm(f_warp, axis=1) - 1.0


def _rest_area_cm2(faces: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """(m,) rest area of each triangle, cm2 (``rest`` as :func:`_rest_sides` takes it)."""
    e1, e2 = _rest_sides(faces, rest)
    return 0.5 * np.abs(e1[:, 0] * e2[:, 1] - e2[:, 0] * e1[:, 1]) * 1e4


def tail_strain(strain: np.ndarray, area_cm2: np.ndarray) -> float:
    """The strain the worst cloth of a panel reaches: the largest value s such that more than the tail
    area of the panel's cloth (``TAIL_SHARE`` of its area, at least ``TAIL_MIN_CM2``, at most half) is
    strained s or more. ``strain`` (m,) per triangle, ``area_cm2`` (m,) their rest areas.

    On a large panel this is the area-weighted 99th percentile; on a small one it takes several
    triangles to fail it, so a genuinely overstretched band fails and one bad triangle does not."""
    order = np.argsort(strain)[::-1]
    covered = np.cumsum(area_cm2[order])
    total = covered[-1]
    tail = min(max(TAIL_SHARE * total, TAIL_MIN_CM2), 0.5 * total)
    return float(strain[order[min(int(np.searchsorted(covered, tail, side="right")), len(order) - 1)]])


def panel_strain(positions: np.ndarray, faces: np.ndarray, rest: np.ndarray, panel_of: np.ndarray,
                 panel_names: tuple[str, ...]) -> tuple[PanelStrain, ...]:
    """Per panel: the largest and 99th-percentile (:func:`tail_strain`) warp/weft stretch and compression of
    its triangles, and the stretch of each yarn direction. ``rest``: the triangles' rest edges (m, 2, 2), as
    ``GarmentMesh.rest_edges`` (gathered seams drawn up), or flat vertex coordinates (n, 2)."""
    faces = np.asarray(faces, np.int64)
    weft, warp = _yarn_strain(positions, faces, rest)
    weft_stretch, warp_stretch = np.maximum(weft, 0.0), np.maximum(warp, 0.0)
    stretch = np.maximum(weft_stretch, warp_stretch)
    compression = np.maximum(np.maximum(-weft, -warp), 0.0)
    area = _rest_area_cm2(faces, rest)
    face_panel = panel_of[faces[:, 0]]
    result = []
    for p, name in enumerate(panel_names):
        mine = face_panel == p
        if not mine.any():
            continue
        a = area[mine]
        result.append(PanelStrain(
            panel=name, max_stretch=float(stretch[mine].max()), p99_stretch=tail_strain(stretch[mine], a),
            max_compression=float(compression[mine].max()), p99_compression=tail_strain(compression[mine], a),
            max_weft_stretch=float(weft_stretch[mine].max()), max_warp_stretch=float(warp_stretch[mine].max()),
            p99_weft_stretch=tail_strain(weft_stretch[mine], a), p99_warp_stretch=tail_strain(warp_stretch[mine], a)))
    return tuple(result)


def folded_seam_share(positions: np.ndarray, seam_hinges: np.ndarray) -> float:
    """Share of seam hinges (rows x0, x1, a, b: the sewn edge x0-x1 and the corner of each panel's
    triangle opposite it) whose two triangles leave the edge less than ``FOLDED_BELOW_DEG`` apart:
    one panel folded back over the other instead of continuing from the seam."""
    if len(seam_hinges) == 0:
        return 0.0
    x0, x1, a, b = (positions[seam_hinges[:, i]] for i in range(4))
    axis = x1 - x0
    axis /= np.maximum(np.linalg.norm(axis, axis=1, keepdims=True), 1e-12)

    def across(p: np.ndarray) -> np.ndarray:
        d = p - x0
        d -= np.einsum("ij,ij->i", d, axis)[:, None] * axis
        return d / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-12)

    cos = np.einsum("ij,ij->i", across(a), across(b))
    return float(np.mean(cos > np.cos(np.radians(FOLDED_BELOW_DEG))))


def waist_edges(positions: np.ndarray, placed: np.ndarray, anchor_mask: np.ndarray, panel_of: np.ndarray,
                panel_names: tuple[str, ...], grid: SignedDistanceGrid) -> tuple[WaistEdge, ...]:
    """Per panel with anchored vertices: their distance from the body and their drop from the placement."""
    result = []
    for p, name in enumerate(panel_names):
        mine = anchor_mask & (panel_of == p)
        if not mine.any():
            continue
        distance = np.maximum(sample_sdf(grid, positions[mine]), 0.0)
        drop = placed[mine, 1] - positions[mine, 1]
        result.append(WaistEdge(panel=name, median_distance_m=float(np.median(distance)),
                                max_distance_m=float(distance.max()), drop_m=float(np.median(drop))))
    return tuple(result)
