import numpy as np
import pytest
import shapely
from pattern_samples import polygon_pattern

from garment3d.errors import InvalidPatternError
from garment3d.patterns.formats import cut_pieces
from garment3d.patterns.formats.limits import NOTCH_DEPTH_CM

RECTANGLE = [(0, 0), (20, 0), (20, 30), (0, 30)]  # edges e0 bottom, e1 right, e2 top, e3 left
L_SHAPE = [(0, 0), (30, 0), (30, 10), (10, 10), (10, 30), (0, 30)]  # one concave corner


def test_uniform_allowance_mitres_every_corner():
    (piece,) = cut_pieces(polygon_pattern(RECTANGLE), 1.0)
    assert np.allclose(piece.cut_line.min(axis=0), [-1, -1]) and np.allclose(piece.cut_line.max(axis=0), [21, 31])
    assert piece.area_cm2 == pytest.approx(22 * 32)
    assert np.array_equal(piece.sew_line, np.asarray(RECTANGLE, dtype=float))


def test_concave_corner_matches_a_mitred_buffer():
    (piece,) = cut_pieces(polygon_pattern(L_SHAPE), 1.5)
    expected = shapely.Polygon(L_SHAPE).buffer(1.5, join_style="mitre")
    cut = shapely.Polygon(piece.cut_line)
    assert cut.is_valid and shapely.is_ccw(cut.exterior)
    assert cut.symmetric_difference(expected).area < 1e-9


def test_allowance_per_edge_and_default():
    pattern = polygon_pattern(RECTANGLE, ["hem", "right", "top", "left"])
    (piece,) = cut_pieces(pattern, {"hem": 3.0, "square.top": 0.0, "*": 1.5})
    lo, hi = piece.cut_line.min(axis=0), piece.cut_line.max(axis=0)
    assert np.allclose(lo, [-1.5, -3.0]) and np.allclose(hi, [21.5, 30.0])


def test_zero_allowance_cuts_on_the_sew_line():
    (piece,) = cut_pieces(polygon_pattern(L_SHAPE), 0.0)
    assert shapely.Polygon(piece.cut_line).symmetric_difference(shapely.Polygon(L_SHAPE)).area < 1e-9


@pytest.mark.parametrize(
    "allowance, message",
    [(-1.0, "outside"), (11.0, "outside"), (float("nan"), "number"), ({"nope": 1.0}, "unknown edge"),
     ({"square.nope": 1.0}, "unknown edge"), ({"e0": "1"}, "number")],
)
def test_bad_allowances_are_named(allowance, message):
    with pytest.raises(InvalidPatternError, match=message):
        cut_pieces(polygon_pattern(RECTANGLE), allowance)


def test_skirt_darts_are_bridged_and_marked(skirt_pattern):
    for piece in cut_pieces(skirt_pattern):
        cut, sew = shapely.Polygon(piece.cut_line), shapely.Polygon(piece.sew_line)
        assert cut.is_valid and shapely.is_ccw(cut.exterior)
        assert cut.contains(sew)
        # every cut-line vertex is at least one allowance away from the sew line
        assert shapely.distance(shapely.points(piece.cut_line), sew).min() == pytest.approx(1.0, abs=1e-6)
        # two darts: legs kept as internal lines, a drill hole inside each dart near its tip
        assert len(piece.internal_lines) == 2 and len(piece.drill_holes) == 2
        for legs, hole in zip(piece.internal_lines, piece.drill_holes):
            tip = legs[1]
            assert np.linalg.norm(hole - tip) == pytest.approx(1.0)
            assert shapely.Polygon(legs).contains(shapely.Point(hole))
        # notches: 2 per dart mouth + one balance notch per side seam
        assert len(piece.notches) == 6
        for outer, inner in piece.notches:
            assert cut.exterior.distance(shapely.Point(outer)) < 1e-6
            assert np.linalg.norm(outer - inner) == pytest.approx(NOTCH_DEPTH_CM)
            assert cut.contains(shapely.Point(inner))
        tail, head = piece.grain_line
        assert sew.contains(shapely.LineString([tail, head]))
        assert np.allclose((head - tail) / np.linalg.norm(head - tail), [0.0, 1.0])
        assert piece.quantity == 1 and piece.size == "160/84A" and piece.pattern == "a_line_skirt"


def test_balance_notches_meet_when_the_side_seam_is_sewn(skirt_pattern):
    front, back = cut_pieces(skirt_pattern)
    # the front's right side seam and the back's left side seam have their notch at half their length
    front_side = skirt_pattern.panel("front").edge_points("side_right")
    side = shapely.LineString(front_side)
    notch = front.notches[np.argmin([side.distance(shapely.Point(n[1])) for n in front.notches])]
    along = side.project(shapely.Point(notch[0]), normalized=True)
    assert along == pytest.approx(0.5, abs=0.01)
