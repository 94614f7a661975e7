"""Dress-form finish: smooth the nipples away so the body reads as a mannequin,
and smooth the torso between hip and bust so no crease survives.

Clients and sales see the body in every render; it must look like a neutral
dress form, not a nude person. The breast shape (which the garment must fit)
is kept; only the small nipple/areola relief within ``radius_m`` of the
nipple vertices is relaxed by Laplacian smoothing with the region's rim fixed.

Heavy bodies blend MakeHuman's maximum-weight targets, whose waist can fold
into a shallow belt-like crease; ``smooth_torso_band`` runs Taubin's
lambda/mu smoothing (Taubin 1995: a shrinking step then an inflating one, so
the surface does not shrink) on the torso vertices between the hip and the
underbust, its strength fading to nothing at the band's ends.

Below that band the heaviest bellies fold: ``stomach-pregnant`` drops the
belly's lower edge while the male, ``hip-waist`` and ``proportions`` targets
each lower the belly's vertices further than the pubic ones, so at full
weights the belly's underside is squeezed from 3.3 cm of height on the base
mesh to 0.6 cm while it stands 4 cm proud: a horizontal shelf, under which
the girth dips. Taubin smoothing keeps such a broad shape (that is what it is
for), and plain smoothing cuts the belly's edge and with it the hip girth.
``fill_belly_fold`` only fills: its umbrella steps move a vertex of the lower
belly's front to its neighbours' mean only where the surface is hollow there
(the mean lies outside), as a dress form's cover spans the fold; what stands
out (the belly's edge, which the hip tape touches) never moves. Each step is
averaged with its mirror image, so a symmetric body stays symmetric. The
finish (``garment3d.body.build``) fills only bodies whose smoothed torso still
creases below the iliac crest; every other body is left as the smoothing made it.
"""

from __future__ import annotations

import functools

import numba
import numpy as np
from scipy import sparse

from garment3d.errors import BodyModelError

__all__ = ["fill_belly_fold", "smooth_nipples", "smooth_torso_band"]


@functools.lru_cache(maxsize=4)
def _cached_adjacency(faces_bytes: bytes, n: int) -> sparse.csr_matrix:
    faces = np.frombuffer(faces_bytes, np.int64).reshape(-1, 3)
    rows = np.concatenate([faces[:, 0], faces[:, 1], faces[:, 2], faces[:, 1], faces[:, 2], faces[:, 0]])
    cols = np.concatenate([faces[:, 1], faces[:, 2], faces[:, 0], faces[:, 0], faces[:, 1], faces[:, 2]])
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    matrix.data[:] = 1.0
    return matrix


def _adjacency(faces: np.ndarray, n: int) -> sparse.csr_matrix:
    """(n, n) vertex adjacency (ones), kept for the last few meshes (fitted bodies share the model's faces)."""
    return _cached_adjacency(np.ascontiguousarray(faces, np.int64).tobytes(), n)


@numba.njit(cache=True)
def _relax(result, region, indptr, indices, data, degree, step, iterations):
    """``iterations`` Jacobi steps in place: each vertex of ``region`` moves ``step`` (k,) of the way
    to the mean of its neighbours (CSR rows of ``region``), with scipy's sum order (bit for bit)."""
    k = len(region)
    mean = np.empty((k, 3))
    for _ in range(iterations):
        for r in range(k):
            sx = sy = sz = 0.0
            for e in range(indptr[r], indptr[r + 1]):
                c = indices[e]
                sx += data[e] * result[c, 0]
                sy += data[e] * result[c, 1]
                sz += data[e] * result[c, 2]
            mean[r, 0], mean[r, 1], mean[r, 2] = sx / degree[r], sy / degree[r], sz / degree[r]
        for r in range(k):
            v = region[r]
            for d in range(3):
                result[v, d] += step[r] * (mean[r, d] - result[v, d])


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
    near = np.flatnonzero(np.all(np.abs(vertices - centres.mean(axis=0)) < np.ptp(centres, axis=0) + 2 * radius_m, axis=1))
    distance = np.full(len(vertices), np.inf)
    distance[near] = np.min(np.linalg.norm(vertices[near, None, :] - centres[None, :, :], axis=2), axis=1)
    region = np.flatnonzero(distance < radius_m)
    adjacency = _adjacency(faces, len(vertices))[region]  # only the smoothed rows are needed
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    result = vertices.copy()
    # weight fades to zero at the rim so the smoothed patch blends in
    weight = np.clip(1.0 - distance[region] / radius_m, 0.0, 1.0)[:, None]
    _relax(result, region, adjacency.indptr, adjacency.indices, adjacency.data, degree, (0.5 * weight).ravel(), iterations)
    return result


TAUBIN_LAMBDA, TAUBIN_MU = 0.5, -0.53


def smooth_torso_band(
    vertices: np.ndarray, faces: np.ndarray, band_vertices: np.ndarray, band_weights: np.ndarray, iterations: int = 12
) -> np.ndarray:
    """Return a copy of ``vertices`` (n, 3) with the torso band (``band_vertices`` (k,), strength
    ``band_weights`` (k,) in [0, 1]) Taubin-smoothed ``iterations`` times."""
    if len(band_vertices) == 0:
        return vertices.copy()
    adjacency = _adjacency(faces, len(vertices))[band_vertices]
    degree = np.asarray(adjacency.sum(axis=1)).ravel()[:, None]
    weight = np.asarray(band_weights, np.float64)[:, None]
    result = vertices.copy()
    band_vertices = np.asarray(band_vertices, np.int64)
    steps = [(factor * weight).ravel() for factor in (TAUBIN_LAMBDA, TAUBIN_MU)]
    for _ in range(iterations):
        for step in steps:
            _relax(result, band_vertices, adjacency.indptr, adjacency.indices, adjacency.data, degree.ravel(), step, 1)
    return result


FILL_STEP = 0.5


def _vertex_normals(vertices: np.ndarray, faces: np.ndarray, incidence: sparse.csr_matrix) -> np.ndarray:
    """(k, 3) unit area-weighted normals of the vertices whose rows ``incidence`` (k, len(faces)) holds."""
    a, b, c = (vertices[faces[:, i]] for i in range(3))
    normals = incidence @ np.cross(b - a, c - a)
    return normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-30)


def fill_belly_fold(
    vertices: np.ndarray,
    faces: np.ndarray,
    region: np.ndarray,
    weights: np.ndarray,
    mirror: np.ndarray | None = None,
    iterations: int = 300,
) -> np.ndarray:
    """Return a copy of ``vertices`` (n, 3) with the hollows of ``region`` (k,) filled: in each of
    ``iterations`` steps a vertex where the surface is hollow (its neighbours' mean lies outside it, along
    its outward normal) moves ``FILL_STEP * weight`` (``weights`` (k,) in [0, 1]) of the way to that mean;
    the others stay. The result stops changing well before 300 steps (a membrane over the hollows).

    ``mirror`` (n,) int, optional: each vertex's mirror image across x = 0 (``BodyModel.mirror_vertices``);
    ``region`` must then hold the mirror of each of its vertices. Each step's moves are averaged with the
    mirrored moves of the mirror vertices, so a symmetric body stays symmetric although the mesh's
    triangulation is not (a few quads are split along opposite diagonals on the two sides)."""
    if len(region) == 0:
        return vertices.copy()
    region = np.asarray(region, np.int64)
    adjacency = _adjacency(faces, len(vertices))[region]
    degree = np.asarray(adjacency.sum(axis=1)).ravel()[:, None]
    local = faces[np.isin(faces, region).any(axis=1)]  # the faces whose normals the region's vertices need
    slot = np.full(len(vertices), -1)
    slot[region] = np.arange(len(region))
    twin = None
    if mirror is not None:
        twin = slot[np.asarray(mirror, np.int64)[region]]  # the slot of each region vertex's mirror
        if np.any(twin < 0):
            raise BodyModelError(
                f"belly fill region: {int((twin < 0).sum())} of its vertices have their mirror image outside it"
            )
    rows = slot[local].ravel()
    keep = rows >= 0
    cols = np.repeat(np.arange(len(local)), 3)[keep]
    incidence = sparse.csr_matrix((np.ones(keep.sum()), (rows[keep], cols)), shape=(len(region), len(local)))
    step = FILL_STEP * np.asarray(weights, np.float64)
    flip = np.array([-1.0, 1.0, 1.0])
    result = vertices.copy()
    for _ in range(iterations):
        normals = _vertex_normals(result, local, incidence)
        towards = adjacency @ result / degree - result[region]
        hollow = np.einsum("ij,ij->i", towards, normals) > 0.0
        move = (step * hollow)[:, None] * towards
        if twin is not None:
            move = 0.5 * (move + move[twin] * flip)
        result[region] += move
    return result
