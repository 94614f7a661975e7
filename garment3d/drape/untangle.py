"""Untangling: pull apart cloth that has passed through itself by shrinking its intersection contours.

Contacts keep layers apart only while they are on their remembered sides; a
fold that snaps through in one substep (a hem corner crumpling while the
placed cloth relaxes, a seam junction pulled shut) stays crossed. Such a
crossing cuts the two sheets along a closed or boundary-ended contour, and it
is gone once that contour has shrunk to nothing (Volino and
Magnenat-Thalmann's intersection contour minimisation, SIGGRAPH 2006). The
gradient used here follows from the contour as a polyline:

- its length L = sum |P_i - P_j| over its segments, so dL/dP_i = G_i, the
  sum of the unit vectors from its neighbours to P_i (pointing out of the
  curve's bend, or along the curve at an end);
- P_i is where edge (p, q) of one sheet, direction E, crosses the plane of a
  triangle of the other, normal N; moving that triangle by d relative to the
  edge slides P_i along the edge by E (N . d) / (N . E);
- so L falls fastest when the triangle moves relative to the edge along
  -s N with s = (G_i . E) / (N . E).

Each contour point moves its triangle's corners and its edge's ends apart by
``step_m`` * s (s clamped to [-2, 2]) along N, shared by inverse mass as a
position-based constraint; every vertex takes the mean of the moves asked of
it and of its seam partners (a Jacobi step, the same in any order; sewn
vertices move together, so no seam opens), and the intersections are found
afresh after each step. The orientation of N does not matter: flipping it
flips s as well. Where that leaves crossings, it is tried again with each
step scaled so its largest move is ``step_m``: the gradient can be tiny where
two boundary edges hook through each other (a slit's two sides).

A pinch is the one crossing that has no contour to shrink: a fold pressed so tight that two triangles a
ring apart (a corner of one next to a corner of the other) pass through each other, its contour running
on through pairs that share a corner, which are not crossings. It is opened by smoothing the cloth
round it (:func:`open_pinches`): each vertex of the two triangles and their neighbours moves halfway to
its neighbours' mean, a few times, until the two no longer cross; the physics then settles the fold again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse
from scipy.spatial import cKDTree

from garment3d.drape.intersections import ContourPoints, contour_points, find_self_intersections
from garment3d.drape.self_collision import weld_labels

__all__ = ["UntangleResult", "untangle"]

#: Largest |s| used: an edge nearly in the plane of the triangle it crosses would otherwise move far.
MAX_SLOPE = 2.0
#: Steps without fewer crossings after which untangling gives up (a contour it cannot shrink); half the
#: drape's step cap, so it can give up before the cap.
STALL_STEPS = 60
#: Reach (m) beyond the crossing triangles, on top of the furthest the steps can move, of the re-checks.
NEAR_M = 0.03
#: Smoothing passes at most that a pinch gets (each moves a vertex halfway to its neighbours' mean)
PINCH_PASSES = 5


@dataclass(frozen=True)
class UntangleResult:
    """Intersecting triangle pairs before and after, and the steps taken."""

    before: int
    after: int
    steps: int


def _length_gradient(points: ContourPoints) -> np.ndarray:
    """(nodes, 3) gradient of the contours' length with respect to each contour point."""
    nodes = int(points.node.max()) + 1
    where = np.zeros((nodes, 3))
    np.add.at(where, points.node, points.at)
    where /= np.bincount(points.node, minlength=nodes)[:, None]
    grad = np.zeros((nodes, 3))
    a, b = points.segments[:, 0], points.segments[:, 1]
    for first, vector in ((a, where[a] - where[b]), (b, where[b] - where[a])):
        length = np.linalg.norm(vector, axis=1)
        keep = length > 1e-12
        np.add.at(grad, first[keep], vector[keep] / length[keep, None])
    return grad


def _contour_moves(x: np.ndarray, tri: np.ndarray, inv_mass: np.ndarray, label: np.ndarray, pairs: np.ndarray,
                   step_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-vertex sum of the moves the contour points ask for, and how many ask (n, 3), (n,)."""
    n = len(x)
    move, asks = np.zeros((n, 3)), np.zeros(n)
    points = contour_points(x, tri, pairs, label)
    if len(points.node) == 0:
        return move, asks
    grad = _length_gradient(points)
    rows_per_node = np.bincount(points.node).astype(np.float64)

    corners = tri[points.triangle]
    normal = np.cross(x[corners[:, 1]] - x[corners[:, 0]], x[corners[:, 2]] - x[corners[:, 0]])
    normal /= np.maximum(np.linalg.norm(normal, axis=1), 1e-300)[:, None]
    p, q = points.edge[:, 0], points.edge[:, 1]
    along_edge = x[q] - x[p]
    n_dot_e = np.einsum("ij,ij->i", normal, along_edge)
    g_dot_e = np.einsum("ij,ij->i", grad[points.node], along_edge)
    usable = np.abs(n_dot_e) > 1e-9 * np.linalg.norm(along_edge, axis=1)
    slope = np.zeros(len(p))
    slope[usable] = np.clip(g_dot_e[usable] / n_dot_e[usable], -MAX_SLOPE, MAX_SLOPE)
    # the triangle's point moves by -slope * step along N relative to the edge's point; each point of a node
    # (an edge and its seam partner) carries its share
    depth = -slope * step_m / rows_per_node[points.node]
    verts = np.column_stack([corners, p, q])
    coef = np.column_stack([points.weights, -(1.0 - points.along), -points.along])
    w = inv_mass[verts]
    total = np.sum(w * coef * coef, axis=1)
    ok = usable & (total > 1e-20)
    share = w[ok] * coef[ok] * (depth[ok] / total[ok])[:, None]
    np.add.at(move, verts[ok].ravel(), (share[:, :, None] * normal[ok][:, None, :]).reshape(-1, 3))
    np.add.at(asks, verts[ok].ravel(), (w[ok] > 0).astype(np.float64).ravel())
    return move, asks


def _welded_mean(move: np.ndarray, asks: np.ndarray, label: np.ndarray, inv_mass: np.ndarray) -> np.ndarray:
    """Each vertex's mean move, taken over its seam partners too (sewn vertices move together)."""
    groups = int(label.max()) + 1
    group_move, group_asks = np.zeros((groups, 3)), np.zeros(groups)
    np.add.at(group_move, label, move)
    np.add.at(group_asks, label, asks)
    mean = np.zeros_like(move)
    moving = (group_asks[label] > 0) & (inv_mass > 0)
    mean[moving] = group_move[label[moving]] / group_asks[label[moving], None]
    return mean


@dataclass(frozen=True)
class _Shrink:
    """Contour shrinking over one cloth: steps of ``step_m`` until no crossing is left, ``max_steps`` are
    taken or ``stall_steps`` pass without fewer crossings (re-checked among the ``near`` triangles)."""

    tri: np.ndarray
    inv_mass: np.ndarray
    label: np.ndarray
    seam_pairs: np.ndarray
    near: np.ndarray
    step_m: float
    max_steps: int
    stall_steps: int

    def run(self, positions: np.ndarray, pairs: np.ndarray, whole_steps: bool) -> int:
        """Shrink the contours of crossing ``pairs`` at ``positions`` (moved in place); returns the steps.
        ``whole_steps``: each step scaled so its largest vertex move is ``step_m``. The gradient's own size
        can be tiny: two boundary edges hooked through each other (a slit's front and back edges) have a
        contour that runs almost across both edges, and moving either sheet along its normal slides the
        contour's ends along the edges by a fraction of the move (0.02 mm a step for a qipao's slit in
        crepe de chine, 1 cm mesh: 60 steps did not unhook it; at whole steps 15 did)."""
        steps, fewest, since_fewer = 0, len(pairs), 0
        while len(pairs) and steps < self.max_steps and since_fewer < self.stall_steps:
            move, asks = _contour_moves(positions, self.tri, self.inv_mass, self.label, pairs, self.step_m)
            mean = _welded_mean(move, asks, self.label, self.inv_mass)
            largest = float(np.sqrt(np.max(np.einsum("ij,ij->i", mean, mean))))
            if largest == 0.0:
                break
            positions += mean * (self.step_m / largest) if whole_steps else mean
            steps += 1
            pairs = self.near[find_self_intersections(positions, self.tri[self.near], self.seam_pairs)]
            fewest, since_fewer = (len(pairs), 0) if len(pairs) < fewest else (fewest, since_fewer + 1)
        return steps


def untangle(positions: np.ndarray, faces: np.ndarray, inv_mass: np.ndarray, seam_pairs: np.ndarray, *,
             step_m: float, max_steps: int, stall_steps: int = STALL_STEPS,
             whole_steps: bool = True) -> UntangleResult:
    """Shrink the intersection contours of the cloth at ``positions`` (n, 3; moved in place) by up to
    ``max_steps`` steps of ``step_m``, giving up after ``stall_steps`` without fewer crossings; vertices
    with zero ``inv_mass`` stay put. An attempt that ends with no fewer crossings than it found is undone
    (``positions`` as they were, no steps reported): its moves, up to ``max_steps * step_m``, would only
    kick the cloth, and the physics pulls a crossing it cannot undo back each time. Crossings left are tried
    again with whole steps (:class:`_Shrink`; if ``whole_steps``), then as pinches (:func:`open_pinches`),
    each kept only if fewer are left."""
    tri = np.ascontiguousarray(faces, np.int64)
    pairs = find_self_intersections(positions, tri, seam_pairs)
    if not len(pairs):
        return UntangleResult(before=0, after=0, steps=0)
    label = weld_labels(len(positions), seam_pairs)
    # only triangles near the crossings move or can meet what moves: look again among those alone
    near = _near_faces(positions, tri, pairs, NEAR_M + max_steps * step_m)
    shrink = _Shrink(tri, inv_mass, label, seam_pairs, near, step_m, max_steps, stall_steps)
    before = len(pairs)
    steps, after = 0, before
    for whole in (False, True)[: 1 + whole_steps]:  # as the gradient asks; then, if that left crossings, whole
        start = positions.copy()
        taken = shrink.run(positions, pairs, whole)
        left = find_self_intersections(positions, tri, seam_pairs) if taken else pairs
        if len(left) < after:
            steps, after, pairs = steps + taken, len(left), left
        else:  # no better: the cloth as it was, not kicked (and its crossings as they were)
            positions[:] = start
        if not after:
            break
    if after:
        passes, after = open_pinches(positions, tri, inv_mass, seam_pairs, label)
        steps += passes
    return UntangleResult(before=before, after=after, steps=steps)


def _neighbours(n: int, tri: np.ndarray) -> scipy.sparse.csr_matrix:
    """(n, n) 0/1: the vertices that share an edge."""
    edges = np.vstack([tri[:, [0, 1]], tri[:, [1, 2]], tri[:, [2, 0]]])
    adjacency = scipy.sparse.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()
    return ((adjacency + adjacency.T) > 0).astype(np.float64).tocsr()


def _pinches(tri: np.ndarray, pairs: np.ndarray, neighbours: scipy.sparse.csr_matrix) -> np.ndarray:
    """The crossing ``pairs`` whose triangles are a ring apart: a corner of one next to a corner of the other."""
    keep = [k for k, (a, b) in enumerate(pairs) if neighbours[tri[a]][:, tri[b]].nnz]
    return pairs[keep]


def open_pinches(positions: np.ndarray, tri: np.ndarray, inv_mass: np.ndarray, seam_pairs: np.ndarray,
                 label: np.ndarray) -> tuple[int, int]:
    """Smooth the cloth round each pinch (a crossing pair a ring apart) of the cloth at ``positions`` (moved in
    place) until it no longer crosses, ``PINCH_PASSES`` passes at most; sewn vertices (``label``) move
    together, pinned ones stay. Kept only if the cloth then crosses itself less; returns the passes kept
    (0: the cloth as it was) and the crossing pairs left."""
    pairs = find_self_intersections(positions, tri, seam_pairs)
    neighbours = _neighbours(len(positions), tri)
    pinches = _pinches(tri, pairs, neighbours)
    if not len(pinches):
        return 0, len(pairs)
    patch = np.zeros(len(positions))
    patch[tri[pinches.ravel()].ravel()] = 1.0
    patch = np.minimum(1.0, patch + neighbours @ patch) > 0
    degree = np.maximum(np.asarray(neighbours.sum(axis=1)).ravel(), 1.0)
    start = positions.copy()
    for passes in range(1, PINCH_PASSES + 1):
        move = np.zeros_like(positions)
        move[patch] = 0.5 * ((neighbours @ positions)[patch] / degree[patch, None] - positions[patch])
        positions += _welded_mean(move, patch.astype(np.float64), label, inv_mass)
        if not len(find_self_intersections(positions, tri[np.unique(pinches)], seam_pairs)):
            break
    after = len(find_self_intersections(positions, tri, seam_pairs))
    if after >= len(pairs):
        positions[:] = start
        return 0, len(pairs)
    return passes, after


def _near_faces(x: np.ndarray, tri: np.ndarray, pairs: np.ndarray, radius: float) -> np.ndarray:
    """Sorted indices of the triangles whose centroid lies within ``radius`` of a crossing triangle's."""
    centre = x[tri].mean(axis=1)
    distance, _ = cKDTree(centre[np.unique(pairs)]).query(centre, distance_upper_bound=radius)
    return np.flatnonzero(np.isfinite(distance))
