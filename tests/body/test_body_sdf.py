"""Signed distance grid: layout, sign and accuracy against exact distances."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
import trimesh
from scipy.spatial import cKDTree

from garment3d.body.sdf import OUTSIDE_DISTANCE, build_sdf, sample_sdf


def exact_unsigned_distance(vertices, faces, points):
    """Brute force, independent of the module: the closest point lies within the
    nearest-vertex distance, so only faces with a vertex within that distance
    plus the longest edge can hold it."""
    tree = cKDTree(vertices)
    nearest, _ = tree.query(points)
    longest = np.linalg.norm(vertices[faces] - vertices[np.roll(faces, 1, axis=1)], axis=2).max()
    incidence = scipy.sparse.csr_matrix(
        (np.ones(faces.size), (faces.ravel(), np.repeat(np.arange(len(faces)), 3))),
        shape=(len(vertices), len(faces)),
    )
    out = np.empty(len(points))
    for i, p in enumerate(points):
        candidates = np.unique(incidence[tree.query_ball_point(p, nearest[i] + longest)].indices)
        closest = trimesh.triangles.closest_point(vertices[faces[candidates]], np.repeat(p[None], len(candidates), 0))
        out[i] = np.linalg.norm(closest - p, axis=1).min()
    return out


def winding_number(vertices, faces, points):
    """Generalised winding number (1 inside, 0 outside a closed surface)."""
    a0, b0, c0 = (vertices[faces[:, i]] for i in range(3))
    out = np.empty(len(points))
    for i, p in enumerate(points):
        a, b, c = a0 - p, b0 - p, c0 - p
        la, lb, lc = (np.linalg.norm(x, axis=1) for x in (a, b, c))
        det = np.einsum("ij,ij->i", a, np.cross(b, c))
        den = la * lb * lc + np.einsum("ij,ij->i", a, b) * lc + np.einsum("ij,ij->i", b, c) * la
        den += np.einsum("ij,ij->i", c, a) * lb
        out[i] = np.arctan2(det, den).sum() / (2 * np.pi)
    return out


@pytest.fixture(scope="module")
def body_sdf(base_female):
    v, f = base_female
    return v, f, build_sdf(v, f, spacing=0.005, margin=0.05)


def test_grid_layout_is_as_documented(body_sdf):
    v, _, grid = body_sdf
    assert grid.values.dtype == np.float32 and grid.values.ndim == 3
    assert np.all(grid.origin <= v.min(axis=0) - 0.05 + 1e-12)
    top = grid.origin + grid.spacing * (np.array(grid.values.shape) - 1)
    assert np.all(top >= v.max(axis=0) + 0.05 - 1e-12)
    idx = np.array([[10, 20, 30], [100, 200, 50], [57, 143, 61]])
    nodes = grid.origin + grid.spacing * idx
    np.testing.assert_allclose(sample_sdf(grid, nodes), grid.values[tuple(idx.T)], atol=1e-7)


def test_sign_inside_torso_and_outside(body_sdf, model):
    v, _, grid = body_sdf
    waist = v[:, 1].min() + 0.62 * np.ptp(v[:, 1])
    inside = np.array([[0.0, waist, 0.02], [0.0, waist + 0.15, 0.02], [0.0, waist - 0.12, 0.0]])
    assert np.all(sample_sdf(grid, inside) < -0.02)
    outside = np.array([[0.0, waist, 0.4], [0.3, waist, -0.3], [0.0, v[:, 1].max() + 0.03, 0.0]])
    assert np.all(sample_sdf(grid, outside) > 0.0)
    far = np.array([[5.0, 1.0, 0.0], [0.0, -1.0, 0.0]])
    assert np.all(sample_sdf(grid, far) == OUTSIDE_DISTANCE)


def test_accuracy_near_the_surface(body_sdf):
    v, f, grid = body_sdf
    mesh = trimesh.Trimesh(v, f, process=False)
    rng = np.random.default_rng(7)
    surface, face = trimesh.sample.sample_surface(mesh, 300, seed=11)
    points = surface + mesh.face_normals[face] * rng.uniform(-0.03, 0.03, (300, 1))
    points += rng.normal(0.0, 0.002, points.shape)
    distance = exact_unsigned_distance(v, f, points)
    exact = np.where(winding_number(v, f, points) > 0.5, -distance, distance)
    estimate = sample_sdf(grid, points)
    error = np.abs(estimate - exact)
    assert np.percentile(error, 95) < 0.001
    assert error.max() < 0.0025
    clear = np.abs(exact) > 0.002
    assert np.all(np.sign(estimate[clear]) == np.sign(exact[clear]))


def test_sphere_matches_analytic_distance():
    radius = 0.2
    sphere = trimesh.creation.icosphere(subdivisions=4, radius=radius)  # facets within 0.25 mm
    grid = build_sdf(sphere.vertices, sphere.faces, spacing=0.01, margin=0.06)
    rng = np.random.default_rng(3)
    direction = rng.normal(size=(500, 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    points = direction * rng.uniform(radius - 0.03, radius + 0.03, (500, 1))
    expected = np.linalg.norm(points, axis=1) - radius
    assert np.abs(sample_sdf(grid, points) - expected).max() < 0.001


@pytest.mark.parametrize("density", [0.002, 0.05])
def test_far_field_owners_are_scipys_nearest_band_points(density):
    """The numba feature transform hands every grid point the owner of the same nearest band point as
    scipy's exact transform, ties included (integer grids are full of them)."""
    from scipy import ndimage

    from garment3d.body.sdf import _nearest_band_owner

    rng = np.random.default_rng(5)
    band = rng.random((23, 31, 17)) < density
    band[3, 4, 5] = True
    owner = rng.integers(0, 1000, band.shape).astype(np.int32)
    nearest = ndimage.distance_transform_edt(~band, return_distances=False, return_indices=True)
    np.testing.assert_array_equal(_nearest_band_owner(band, owner), owner[tuple(nearest)])


def _serial_narrow_band(tris, origin, h, shape):
    """One pass over the triangles in index order (as ``_narrow_band`` promises to match)."""
    from garment3d.geometry import point_triangle_dist2

    best = np.full(tuple(shape), np.inf, np.float32)
    owner = np.full(tuple(shape), -1, np.int32)
    for t, tri in enumerate(tris):
        lo = np.maximum(np.floor((tri.min(axis=0) - origin) / h).astype(int) - 1, 0)
        hi = np.minimum(np.ceil((tri.max(axis=0) - origin) / h).astype(int) + 1, shape - 1)
        for i, j, k in np.ndindex(*(hi - lo + 1)):
            i, j, k = i + lo[0], j + lo[1], k + lo[2]
            p = origin + h * np.array([i, j, k], np.float64)
            d2 = point_triangle_dist2(*p, *tri[0], *tri[1], *tri[2])
            if d2 < float(best[i, j, k]):  # float64 against the float32 kept (numpy would compare in float32)
                best[i, j, k], owner[i, j, k] = d2, t
    return best, owner


@pytest.fixture(scope="module")
def small_sphere():
    sphere = trimesh.creation.icosphere(subdivisions=1, radius=0.2)
    v, f = np.asarray(sphere.vertices, np.float64), np.asarray(sphere.faces, np.int64)
    h, margin = 0.04, 0.06
    origin = v.min(axis=0) - margin
    shape = np.ceil((v.max(axis=0) + margin - origin) / h).astype(np.int64) + 1
    return v, f, np.ascontiguousarray(v[f]), origin, h, shape, margin


def test_narrow_band_in_slabs_matches_one_serial_pass(small_sphere):
    """The slabs run in parallel and skip points far from each triangle's plane, yet every band point
    keeps the triangle a serial pass over every point of the boxes keeps, ties included."""
    from garment3d.body.sdf import _narrow_band, _unit_normals

    _, _, tris, origin, h, shape, _ = small_sphere
    best, owner = _narrow_band(tris, _unit_normals(tris), origin, h, shape)
    want_best, want_owner = _serial_narrow_band(tris, origin, h, shape)
    band = want_best <= np.float32(h * h)
    assert band.sum() > 100
    np.testing.assert_array_equal(owner[band], want_owner[band])
    np.testing.assert_array_equal(best[band], want_best[band])
    assert np.all(best[~band] > np.float32(h * h))


def test_distances_are_to_the_owner_and_its_ring():
    """``build_sdf`` (the transform's last pass fused with the distances) gives, at every grid point,
    the distance to the owner of its nearest band point or, near the surface, to the closest triangle
    of that owner's ring."""
    from garment3d.body.sdf import REFINE_WITHIN_M, _narrow_band, _nearest_band_owner, _triangle_rings, _unit_normals
    from garment3d.geometry import point_triangle_dist2

    sphere = trimesh.creation.icosphere(subdivisions=2, radius=0.2)
    v, f = np.asarray(sphere.vertices, np.float64), np.asarray(sphere.faces, np.int64)
    h, margin = 0.01, 0.06
    grid = build_sdf(v, f, spacing=h, margin=margin)
    tris, origin, shape = np.ascontiguousarray(v[f]), grid.origin, np.array(grid.values.shape)
    best, owner = _narrow_band(tris, _unit_normals(tris), origin, h, shape)
    owner = _nearest_band_owner(best <= np.float32(h * h), owner)
    ring_ptr, ring_faces = _triangle_rings(f, len(v))
    refined = 0
    for i, j, k in np.random.default_rng(4).integers(0, shape, (4000, 3)):
        p = origin + h * np.array([i, j, k], np.float64)
        t = owner[i, j, k]
        d2 = point_triangle_dist2(*p, *tris[t, 0], *tris[t, 1], *tris[t, 2])
        if d2 < REFINE_WITHIN_M**2:
            ring = min(point_triangle_dist2(*p, *tris[u, 0], *tris[u, 1], *tris[u, 2])
                       for u in ring_faces[ring_ptr[t] : ring_ptr[t + 1]])
            refined += ring < d2
            d2 = min(d2, ring)
        assert abs(grid.values[i, j, k]) == np.float32(np.sqrt(d2)), (i, j, k)
    assert refined > 20  # the ring mattered at some of the points
