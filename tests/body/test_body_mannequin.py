"""Dress-form finish: the compiled smoothing steps are the sparse-matrix formulation, bit for bit; the belly fill only fills."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from garment3d.body.mannequin import TAUBIN_LAMBDA, TAUBIN_MU, fill_belly_fold, smooth_nipples, smooth_torso_band
from garment3d.errors import BodyModelError


def _adjacency(faces, n):
    rows = np.concatenate([faces[:, 0], faces[:, 1], faces[:, 2], faces[:, 1], faces[:, 2], faces[:, 0]])
    cols = np.concatenate([faces[:, 1], faces[:, 2], faces[:, 0], faces[:, 0], faces[:, 1], faces[:, 2]])
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    matrix.data[:] = 1.0
    return matrix


def _relaxed(vertices, faces, region, steps, iterations):
    """Jacobi steps with scipy: each vertex of ``region`` moves ``step`` of the way to its neighbours' mean."""
    adjacency = _adjacency(faces, len(vertices))[region]
    degree = np.asarray(adjacency.sum(axis=1)).ravel()[:, None]
    result = vertices.copy()
    for _ in range(iterations):
        for step in steps:
            mean = adjacency @ result / degree
            result[region] += step[:, None] * (mean - result[region])
    return result


def test_nipple_smoothing_is_the_sparse_jacobi_iteration(base_female, model):
    v, f = base_female
    got = smooth_nipples(v, f, model.nipple_vertices, radius_m=0.025, iterations=300)
    centres = v[model.nipple_vertices]
    distance = np.min(np.linalg.norm(v[:, None, :] - centres[None, :, :], axis=2), axis=1)
    region = np.flatnonzero(distance < 0.025)
    step = 0.5 * np.clip(1.0 - distance[region] / 0.025, 0.0, 1.0)
    assert len(region) > 10 and np.abs(got - v).max() > 1e-4  # it moved something
    np.testing.assert_array_equal(got, _relaxed(v, f, region, [step], 300))


def test_torso_band_smoothing_is_the_sparse_taubin_iteration(base_female, model):
    v, f = base_female
    band, weights = model.torso_band
    got = smooth_torso_band(v, f, band, weights, iterations=12)
    want = _relaxed(v, f, band, [TAUBIN_LAMBDA * weights, TAUBIN_MU * weights], 12)
    assert np.abs(got - v).max() > 1e-5
    np.testing.assert_array_equal(got, want)


def test_belly_fill_fills_a_groove_and_leaves_a_ridge(make_vase):
    """The fill raises a groove's floor towards its rims and never cuts a ridge: on a vase with a 1 cm
    deep groove at 1.0 m and a 1 cm high ridge at 1.2 m, every vertex moves outward or stays, the groove's
    floor comes up by more than half its depth, and the ridge's crest stays where it was."""
    groove = lambda y: 0.15 - 0.01 * np.exp(-(((y - 1.0) / 0.01) ** 2)) + 0.01 * np.exp(-(((y - 1.2) / 0.01) ** 2))
    v, f, _ = make_vase(groove)
    region = np.flatnonzero((v[:, 1] > 0.9) & (v[:, 1] < 1.3))
    got = fill_belly_fold(v, f, region, np.ones(len(region)))
    radius = lambda p: np.hypot(p[:, 0], p[:, 2])
    assert np.all(radius(got) >= radius(v) - 1e-9)
    floor = np.abs(v[:, 1] - 1.0) < 1e-3
    crest = np.abs(v[:, 1] - 1.2) < 1e-3
    assert floor.any() and crest.any()
    assert np.all(radius(got[floor]) > radius(v[floor]) + 0.005)
    np.testing.assert_allclose(radius(got[crest]), radius(v[crest]), atol=1e-4)
    outside = np.setdiff1d(np.arange(len(v)), region)
    np.testing.assert_array_equal(got[outside], v[outside])


def test_belly_fill_keeps_a_symmetric_body_symmetric(model):
    """On the (exactly symmetric) base mesh with a symmetric 1 cm groove pressed into the lower belly, the
    fill moves each vertex as the mirror image of its mirror vertex's move; without the mirror map it does
    not (the triangulation is not symmetric), so the test can fail."""
    v = model.base.copy()
    mirror = model.mirror_vertices
    flip = np.array([-1.0, 1.0, 1.0])
    np.testing.assert_array_equal(v[mirror] * flip, v)
    region, weights = model.belly_fill_region
    centre = v[region, 1].mean()
    v[region, 2] -= 0.01 * np.exp(-(((v[region, 1] - centre) / 0.02) ** 2))
    got = fill_belly_fold(v, model.faces, region, weights, mirror)
    moved = got - v
    assert np.abs(moved).max() > 0.002  # the groove was filled
    np.testing.assert_allclose(moved[mirror] * flip, moved, rtol=0, atol=1e-12)
    lopsided = fill_belly_fold(v, model.faces, region, weights) - v
    assert np.abs(lopsided[mirror] * flip - lopsided).max() > 1e-4


def test_model_mirror_map_is_an_involution_across_the_mid_plane(model):
    mirror = model.mirror_vertices
    np.testing.assert_array_equal(mirror[mirror], np.arange(len(mirror)))
    np.testing.assert_array_equal(model.base[mirror] * np.array([-1.0, 1.0, 1.0]), model.base)
    region, weights = model.belly_fill_region
    assert set(mirror[region]) == set(region)
    one_sided = model.base[region, 0] > 1e-9
    with pytest.raises(BodyModelError, match="mirror image outside"):
        fill_belly_fold(model.base, model.faces, region[one_sided], weights[one_sided], mirror)
