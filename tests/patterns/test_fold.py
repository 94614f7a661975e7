from pathlib import Path

import numpy as np
import pytest
import shapely

from garment3d.errors import InvalidPatternError
from garment3d.patterns import evaluate
from garment3d.patterns.definition import load_definition
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.patterns.fold import mirror_points, unfold, unfold_outline, unfold_pattern
from garment3d.types import EdgeRef, Measurements, Panel, PanelEdge, Pattern, Placement, Seam

FOLDED = Path(__file__).parent / "formats" / "folded_skirt.toml"
M = Measurements(160.0, 84.0, 68.0, 90.0)


@pytest.fixture(scope="module")
def folded():
    return evaluate(load_definition(FOLDED), M)


def _point_along(points: np.ndarray, distance: float) -> np.ndarray:
    return np.asarray(shapely.LineString(points).interpolate(distance).coords[0])


def _edges_cover_outline(panel: Panel) -> None:
    k = len(panel.outline)
    ordered = sorted(panel.edges, key=lambda e: e.start)
    for edge, following in zip(ordered, ordered[1:] + ordered[:1]):
        assert edge.end == following.start % k


def test_unfold_is_a_valid_ccw_piece_of_twice_the_area(folded):
    half = folded.panel("front")
    whole = unfold(half)
    polygon = shapely.Polygon(whole.outline)
    assert polygon.is_valid and shapely.is_ccw(polygon.exterior)
    assert polygon.area == pytest.approx(2 * shapely.Polygon(half.outline).area, rel=1e-12)
    # symmetric about the fold line x = 0, and the drawn half is still there
    mirrored = shapely.Polygon(mirror_points(whole.outline, np.array([0.0, 0.0]), np.array([0.0, -1.0])))
    assert polygon.symmetric_difference(mirrored).area < 1e-9
    assert shapely.Polygon(half.outline).difference(polygon).area < 1e-9
    assert whole.fold is None
    _edges_cover_outline(whole)


def test_unfold_names_mirrored_and_joined_edges(folded):
    half = folded.panel("front")
    whole = unfold(half)
    assert sorted(e.name for e in whole.edges) == ["hem", "side", "side@mirror", "waist"]
    # an edge that does not meet the fold gets a mirrored copy of the same length, in outline order
    side, mirrored = whole.edge_points("side"), whole.edge_points("side@mirror")
    np.testing.assert_allclose(mirrored, (side * [-1, 1])[::-1], atol=1e-12)
    # edges meeting the fold join their mirror images: one edge, twice as long, crossing the fold
    for name in ("hem", "waist"):
        assert edge_length_cm(whole, name) == pytest.approx(2 * edge_length_cm(half, name), rel=1e-12)
        points = whole.edge_points(name)
        assert points[:, 0].min() < 0 < points[:, 0].max()


def test_unfold_copies_notches_lines_and_allowances(folded):
    half = folded.panel("front")
    whole = unfold(half)
    side = edge_length_cm(half, "side")
    waist = edge_length_cm(half, "waist")
    at = dict(half.notches)["waist"]
    expected = {("side", 10.0), ("side@mirror", side - 10.0), ("waist", at), ("waist", 2 * waist - at)}
    assert {(e, round(d, 9)) for e, d in whole.notches} == {(e, round(d, 9)) for e, d in expected}
    # each mirrored notch sits at the mirror image of its original
    for (edge, d), (image_edge, image_d) in ((("side", 10.0), ("side@mirror", side - 10.0)),
                                             (("waist", at), ("waist", 2 * waist - at))):
        original = _point_along(half.edge_points(edge), d)
        np.testing.assert_allclose(_point_along(whole.edge_points(image_edge), image_d), original * [-1, 1], atol=1e-9)
    assert len(whole.internal_lines) == 2
    np.testing.assert_allclose(whole.internal_lines[1], whole.internal_lines[0] * [-1, 1])
    assert dict(whole.allowance) == {"*": 1.0, "hem": 3.0}  # hem is joined: no hem@mirror


def test_unfold_pattern_keeps_seams_and_anchors_valid(folded):
    whole = unfold_pattern(folded)
    assert all(p.fold is None for p in whole.panels)
    for seam in whole.seams:
        for ref in (seam.a, seam.b):
            whole.panel(ref.panel).edge(ref.edge)
        assert edge_length_cm(whole.panel(seam.a.panel), seam.a.edge) == pytest.approx(
            edge_length_cm(whole.panel(seam.b.panel), seam.b.edge)
        )
    assert [str(a) for a in whole.anchors] == ["front.waist", "back.waist"]


def test_unfold_pattern_maps_a_joined_mirror_to_the_joined_edge(folded):
    pattern = Pattern(
        folded.name, "x", folded.panels, (Seam(EdgeRef("front", "hem@mirror"), EdgeRef("back", "hem")),),
        anchors=(EdgeRef("back", "waist@mirror"),),
    )
    whole = unfold_pattern(pattern)
    assert whole.seams[0].a == EdgeRef("front", "hem")
    assert whole.anchors == (EdgeRef("back", "waist"),)
    with pytest.raises(InvalidPatternError, match="front.centre is the fold line"):
        unfold_pattern(Pattern("x", "x", folded.panels, (Seam(EdgeRef("front", "centre"), EdgeRef("back", "hem")),)))


def _half_disc(fold_edges) -> Panel:
    t = np.linspace(-np.pi / 2, np.pi / 2, 33)
    outline = np.column_stack([10 * np.cos(t), 10 * np.sin(t)])  # right half, bottom to top, CCW
    k = len(outline)
    edges = (PanelEdge("curve", 0, k - 1), PanelEdge("centre", k - 1, 0))
    return Panel("disc", outline, edges, np.array([0.0, 1.0]), Placement("waist", 0.0), fold=fold_edges)


def test_one_edge_and_its_mirror_make_one_closed_edge():
    whole = unfold(_half_disc("centre"))
    assert [e.name for e in whole.edges] == ["curve"]
    assert edge_length_cm(whole, "curve") == pytest.approx(2 * np.pi * 10, rel=2e-3)
    polygon = shapely.Polygon(whole.outline)
    assert polygon.is_valid and shapely.is_ccw(polygon.exterior)


def test_fold_that_is_not_one_segment_or_crossed_is_refused():
    with pytest.raises(InvalidPatternError, match="panel 'disc': fold edge 'curve' must be exactly one straight"):
        unfold(_half_disc("curve"))
    crossing = _half_disc("centre")
    outline = crossing.outline.copy()
    outline[16, 0] = -1.0  # the half reaches across its fold line
    with pytest.raises(InvalidPatternError, match="panel 'disc': the outline crosses its fold line 'centre'"):
        unfold(Panel("disc", outline, crossing.edges, crossing.grain, crossing.placement, fold="centre"))


def test_panel_without_fold_is_unchanged():
    panel = _half_disc(None)
    assert unfold(panel) is panel


def test_unfold_outline_joins_a_cut_line_with_its_mirror():
    square = np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 3.0], [0.0, 3.0]])
    whole = unfold_outline(square, np.array([[0.0, 3.0], [0.0, 0.0]]))
    polygon = shapely.Polygon(whole)
    assert shapely.is_ccw(polygon.exterior) and polygon.area == pytest.approx(24.0)
    assert polygon.bounds == pytest.approx((-4.0, 0.0, 4.0, 3.0))
