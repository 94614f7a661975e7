"""Pencil skirt: fit, peg, slit and the pieces' arrangement follow the parameters."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.patterns.fold import unfold_pattern
from garment3d.sizes import parse_size

DEFINITION = get_definition("pencil_skirt")
A160 = parse_size("160/84A").measurements


def _whole(parameters=None, measurements=A160):
    return unfold_pattern(evaluate(DEFINITION, measurements, parameters or {}))


def _width_at(pattern, y: float) -> float:
    line = shapely.LineString([(-999, y), (999, y)])
    return sum(shapely.Polygon(p.outline).intersection(line).length for p in pattern.panels)


def test_hip_line_measures_hip_plus_ease_and_closed_waist_measures_waist_plus_ease():
    pattern = _whole({"hip_ease": 5.0, "waist_ease": 2.0, "hip_depth": 19.0})
    assert _width_at(pattern, -19.0) == pytest.approx(A160.hip_cm + 5.0, abs=0.01)
    waist_edges = {
        "front": ("waist_side", "waist_centre", "waist_side@mirror"),
        "back_left": ("waist_centre", "waist_middle", "waist_side"),
        "back_right": ("waist_centre", "waist_middle", "waist_side"),
    }
    waist = sum(edge_length_cm(pattern.panel(p), e) for p, edges in waist_edges.items() for e in edges)
    # darts closed, the waist seam measures the waist plus ease (side raise and back drop add a little)
    assert waist == pytest.approx(A160.waist_cm + 2.0, abs=0.5)


def test_back_darts_take_more_suppression_than_the_front_dart():
    pattern = evaluate(DEFINITION, A160)
    front = pattern.panel("front")
    back = pattern.panel("back_left")

    def mouth(panel, a, b):
        return float(np.linalg.norm(panel.edge_points(a)[0] - panel.edge_points(b)[-1]))

    front_dart = mouth(front, "dart_out", "dart_in")
    back_darts = mouth(back, "dart1_in", "dart1_out") + mouth(back, "dart2_in", "dart2_out")
    assert 1.5 < front_dart < back_darts < 6.0


def test_peg_narrows_the_hem_and_length_lengthens_the_skirt():
    straight = _whole({"peg": 0.0, "length": 60.0})
    pegged = _whole({"peg": 3.0, "length": 60.0})
    hem = lambda p: sum(edge_length_cm(q, "hem") for q in p.panels)  # noqa: E731
    assert hem(straight) - hem(pegged) == pytest.approx(4 * 3.0, abs=0.3)  # four side seam edges
    longer = _whole({"length": 75.0})
    assert np.ptp(longer.panel("front").outline[:, 1]) - np.ptp(pegged.panel("front").outline[:, 1]) > 14.0


def test_slit_leaves_the_centre_back_open_above_the_hem_and_stays_below_the_hip():
    pattern = evaluate(DEFINITION, A160, {"slit_length": 20.0})
    for name in ("back_left", "back_right"):
        assert edge_length_cm(pattern.panel(name), "slit") == pytest.approx(20.0, abs=1e-6)
    short = evaluate(DEFINITION, A160, {"slit_length": 30.0, "length": 40.0, "hip_depth": 20.0})
    slit_top = short.panel("back_left").edge_points("centre_back")[0]
    assert slit_top[1] == pytest.approx(-25.0)  # capped 5 cm below the hip line


@pytest.mark.parametrize("label", ["150/76A", "165/92B", "170/96C", "155/80Y"])
def test_side_seams_join_front_and_back_on_the_same_side(label):
    pattern = _whole(measurements=parse_size(label).measurements)
    by_pair = {(s.a.panel, s.a.edge): (s.b.panel, s.b.edge) for s in pattern.seams}
    # the front's x-max half is the wearer's left (azimuth 90): it meets the left back half
    assert by_pair[("front", "side")] == ("back_left", "side")
    assert by_pair[("back_right", "side")] == ("front", "side@mirror")
    assert 90 < pattern.panel("back_left").placement.azimuth_deg < 180
    assert 180 < pattern.panel("back_right").placement.azimuth_deg < 270
    front = pattern.panel("front")
    assert front.edge_points("side")[:, 0].mean() > 0 > front.edge_points("side@mirror")[:, 0].mean()


@pytest.mark.parametrize("label", ["150/76A", "160/84A", "170/96C"])
def test_vent_underlap_extends_the_left_half_under_the_right_half_and_is_held_at_the_vent_top(label):
    pattern = evaluate(DEFINITION, parse_size(label).measurements, {"vent_width": 5.0})
    by_pair = {(s.a.panel, s.a.edge): (s.b.panel, s.b.edge) for s in pattern.seams}
    assert by_pair[("vent_underlap", "centre_back")] == ("back_left", "slit")
    underlap, right = pattern.panel("vent_underlap"), pattern.panel("back_right")
    assert (underlap.placement.layer, underlap.placement.frame) == (-1, "back_right")
    # drafted in the right half's frame: inside it, from its slit edge vent_width across, hem to slit top
    assert shapely.Polygon(right.outline).buffer(1e-6).contains(shapely.Polygon(underlap.outline))
    assert np.ptp(underlap.outline[:, 0]) == pytest.approx(5.0)
    slit = right.edge_points("slit")
    assert np.ptp(underlap.outline[:, 1]) == pytest.approx(np.ptp(slit[:, 1]))
    # both halves are laid from their slit edges, either side of centre back
    left = pattern.panel("back_left")
    assert (left.placement.align_edge, right.placement.align_edge) == ("slit", "slit")
    assert 179.0 < left.placement.azimuth_deg < 180.0 < right.placement.azimuth_deg < 181.0
    (tack,) = [f for f in pattern.fasteners if {f.a, f.b} == {"back_right", "vent_underlap"}]
    assert shapely.Polygon(underlap.outline).contains(shapely.Point(tack.b_point))
    np.testing.assert_allclose(tack.a_point, tack.b_point)
    assert slit[:, 1].max() - tack.a_point[1] == pytest.approx(1.0)
