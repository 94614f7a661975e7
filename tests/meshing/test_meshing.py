import numpy as np
import pytest

from garment3d.fields import sample_sdf
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate, get_definition
from garment3d.types import Measurements

# a waist that fits the 15 cm capsule used as a stand-in body
CAPSULE_FIT = Measurements(160.0, 94.0, 93.0, 94.0)


@pytest.fixture(scope="module")
def skirt():
    # the flare drawn straight from the hip, as the drape tests' capsule skirt (tests/drape/conftest.py): the
    # capsule has no hip to blend over. Blended (the default, 8 cm) the hem curves more and the placement's
    # p95 edge strain here is 0.28 (0.23 against 0.19 on the 160/84A body); the drape relaxes either
    return evaluate(get_definition("a_line_skirt"), CAPSULE_FIT, {"flare_blend": 0.0})


def edge_lengths(points, faces):
    edges = np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    return np.linalg.norm(points[edges[:, 0]] - points[edges[:, 1]], axis=1)


def test_triangles_are_near_equilateral_at_the_spacing(skirt, capsule_body):
    garment = mesh_pattern(skirt, capsule_body, MeshOptions(spacing_m=0.02))
    lengths = edge_lengths(garment.rest_uv, garment.faces)
    assert np.median(lengths) == pytest.approx(0.02, rel=0.1)
    assert lengths.min() > 0.008 and lengths.max() < 0.035
    # rest area equals the pattern area (nothing lost or doubled)
    a, b, c = (garment.rest_uv[garment.faces[:, i]] for i in range(3))
    area = 0.5 * np.abs((b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0]).sum()
    import shapely
    expected = sum(shapely.Polygon(p.outline).area for p in skirt.panels) * 1e-4
    assert area == pytest.approx(expected, rel=0.01)


def test_seam_sides_have_matching_vertices(skirt, capsule_body):
    garment = mesh_pattern(skirt, capsule_body, MeshOptions(spacing_m=0.01))
    assert len(garment.seam_pairs) > 0
    side = garment.seam_of < 2  # the side seams join front and back; the rest are darts
    a, b = garment.seam_pairs[side, 0], garment.seam_pairs[side, 1]
    assert np.all(garment.panel_of[a] != garment.panel_of[b])
    darts = garment.seam_pairs[~side]
    assert len(darts) and np.all(garment.panel_of[darts[:, 0]] == garment.panel_of[darts[:, 1]])
    # both sides were resampled the same way: equal rest spacing along the seam
    for s in np.unique(garment.seam_of):
        pairs = garment.seam_pairs[garment.seam_of == s]
        da = np.linalg.norm(np.diff(garment.rest_uv[pairs[:, 0]], axis=0), axis=1)
        db = np.linalg.norm(np.diff(garment.rest_uv[pairs[:, 1]], axis=0), axis=1)
        np.testing.assert_allclose(da.sum(), db.sum(), atol=1e-3)
        np.testing.assert_allclose(da, db, atol=2e-3)


def test_placed_panels_clear_the_body(skirt, capsule_body):
    garment = mesh_pattern(skirt, capsule_body, MeshOptions(spacing_m=0.01))
    distance = sample_sdf(capsule_body.sdf, garment.positions)
    assert distance.min() > 0.005
    # the pattern's waist line (y = 0) is at the waist, the side seams rise 1 cm above it,
    # and faces are wound outward
    top = garment.positions[garment.anchor_mask]
    waist_y = capsule_body.landmarks.waist_y
    assert top[:, 1].min() == pytest.approx(waist_y) and top[:, 1].max() == pytest.approx(waist_y + 0.01)
    tri = garment.positions[garment.faces]
    normals = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    radial = tri.mean(axis=1) * [1, 0, 1]
    assert np.mean(np.sum(normals * radial, axis=1) > 0) > 0.99


def test_rest_shape_keeps_pattern_lengths_in_placement(skirt, capsule_body):
    garment = mesh_pattern(skirt, capsule_body, MeshOptions(spacing_m=0.02))
    rest = edge_lengths(garment.rest_uv, garment.faces)
    placed = edge_lengths(garment.positions, garment.faces)
    strain = np.abs(placed / rest - 1)
    # wrapping a flat piece around a widening body is not isometric near the
    # panel sides; the solver relaxes that, but it must start close
    assert np.median(strain) < 0.02
    assert np.percentile(strain, 95) < 0.25
