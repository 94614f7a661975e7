"""Fish darts in the mesh: each diamond is a hole in its panel, and its two sides are a seam of kind 'dart'."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
import shapely

from garment3d.errors import MeshingError
from garment3d.meshing import MeshOptions, _check_dart_recovered, _edge_counts, mesh_pattern, triangulate_panel
from garment3d.patterns import evaluate
from garment3d.patterns.definition import parse_definition
from garment3d.patterns.fold import unfold_pattern
from garment3d.types import Measurements

FOLDED = Path(__file__).parents[1] / "patterns" / "formats" / "folded_skirt.toml"
M = Measurements(160.0, 84.0, 68.0, 90.0)
DART = {"name": "fish", "x": "side_waist.x / 2", "y": "-14", "width": "2.5", "above": "9", "below": "14"}


@pytest.fixture(scope="module")
def darted():
    table = tomllib.loads(FOLDED.read_text())
    table["panels"][1]["darts"] = [DART]
    return evaluate(parse_definition(table, "test"), M)


def _triangulated(pattern, spacing_cm):
    whole = unfold_pattern(pattern)
    back = whole.panel("back")
    counts = _edge_counts(whole, spacing_cm)
    return back, triangulate_panel(back, {e.name: counts[("back", e.name)] for e in back.edges}, spacing_cm)


def _outline_vertices(pattern, spacing_cm):
    """How many vertices the resampled outline has (they come first in the mesh)."""
    whole = unfold_pattern(pattern)
    counts = _edge_counts(whole, spacing_cm)
    return sum(counts[("back", e.name)] for e in whole.panel("back").edges)


def _area(points, faces):
    a, b, c = (points[faces[:, i]] for i in range(3))
    return 0.5 * np.abs((b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0])


@pytest.mark.parametrize("spacing_cm", [1.0, 2.0, 3.0])
def test_each_fish_dart_is_a_hole_whose_sides_are_mesh_boundary(darted, spacing_cm):
    back, mesh = _triangulated(darted, spacing_cm)
    diamonds = [shapely.Polygon(d.corners) for d in back.internal_darts]
    assert len(diamonds) == 2  # the drawn half's and its mirror image
    centroids = mesh.points_cm[mesh.faces].mean(axis=1)
    for diamond in diamonds:
        assert not shapely.contains_xy(diamond, centroids[:, 0], centroids[:, 1]).any()
    outline = shapely.Polygon(mesh.points_cm[:_outline_vertices(darted, spacing_cm)])
    assert outline.area == pytest.approx(shapely.Polygon(back.outline).area, rel=0.01)
    cloth = outline.area - sum(d.area for d in diamonds)
    assert _area(mesh.points_cm, mesh.faces).sum() == pytest.approx(cloth, rel=1e-9)
    # every segment of each side is an edge of exactly one triangle: the hole's boundary
    edges = np.sort(np.vstack([mesh.faces[:, [0, 1]], mesh.faces[:, [1, 2]], mesh.faces[:, [2, 0]]]), axis=1)
    uses = {}
    for e in map(tuple, edges.tolist()):
        uses[e] = uses.get(e, 0) + 1
    for name, side_a, side_b in mesh.dart_sides:
        for side in (side_a, side_b):
            segments = np.sort(np.column_stack([side[:-1], side[1:]]), axis=1)
            assert all(uses.get(tuple(s)) == 1 for s in segments.tolist()), name
        assert side_a[0] == side_b[0] and side_a[-1] == side_b[-1]  # one vertex at each apex


def test_the_two_sides_are_sewn_vertex_to_mirror_vertex(darted, capsule_body):
    garment = mesh_pattern(darted, capsule_body, MeshOptions(spacing_m=0.02))
    assert garment.seam_kinds[-2:] == ("dart", "dart") and len(garment.seam_kinds) == len(darted.seams) + 2
    for seam, dart in zip((len(darted.seams), len(darted.seams) + 1), unfold_pattern(darted).panel("back").internal_darts):
        pairs = garment.seam_pairs[garment.seam_of == seam]
        assert len(pairs) >= 10
        a, b = garment.pattern_xy[pairs[:, 0]], garment.pattern_xy[pairs[:, 1]]
        axis = dart.corners[0, 0]
        # side a's vertex and side b's at the same height, mirrored across the dart's axis
        np.testing.assert_allclose(a[:, 1], b[:, 1], atol=1e-9)
        np.testing.assert_allclose(a[:, 0] + b[:, 0], 2 * axis, atol=1e-9)
        assert np.all(np.abs(a[:, 0] - b[:, 0]) > 0)  # no apex is paired with itself
        # the widest pair is the dart's intake
        assert np.abs(a[:, 0] - b[:, 0]).max() == pytest.approx(2.5, abs=1e-9)
        assert np.all(garment.panel_of[pairs[:, 0]] == garment.panel_names.index("back"))


def test_a_triangulation_across_the_dart_is_refused(darted):
    back, mesh = _triangulated(darted, 2.0)
    name, side_a, side_b = mesh.dart_sides[0]
    middle = len(side_a) // 2
    across = np.array([[side_a[middle], side_b[middle], side_b[middle + 1]]])  # cloth spanning the hole
    polygon = shapely.Polygon(back.outline, holes=[d.corners for d in back.internal_darts])
    with pytest.raises(MeshingError, match=r"panel 'back': the triangulation does not follow fish dart 'fish'"):
        _check_dart_recovered("back", name, np.vstack([mesh.faces, across]), mesh.points_cm, polygon,
                              int(side_a[0]), 2 * (len(side_a) - 1))
    touching = np.flatnonzero(np.isin(mesh.faces, side_a[middle:middle + 2]).sum(axis=1) == 2)
    drop = np.ones(len(mesh.faces), bool)
    drop[touching] = False  # a side segment lost
    with pytest.raises(MeshingError, match=r"1 side segment\(s\) lost"):
        _check_dart_recovered("back", name, mesh.faces[drop], mesh.points_cm, polygon,
                              int(side_a[0]), 2 * (len(side_a) - 1))
