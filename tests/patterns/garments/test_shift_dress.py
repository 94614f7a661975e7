"""Shift dress: girths, length, neckline and darts follow the parameters; seams join the wearer's same side."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.sizes import derived_measurements, parse_size

DEFINITION = get_definition("shift_dress")
A160 = parse_size("160/84A").measurements


def _dress(label="160/84A", **parameters):
    return evaluate(DEFINITION, parse_size(label).measurements, parameters)


def _width_at(panel, y: float) -> float:
    return shapely.Polygon(panel.outline).intersection(shapely.LineString([(-999, y), (999, y)])).length


def _hip_level(label="160/84A", hip_depth=19.0, back_length_ease=2.0) -> float:
    """y of the hip line on the back: nape 2 cm below the neck point, then back length with its ease (the
    back's curve) and hip depth."""
    return -2.0 - derived_measurements(parse_size(label).measurements)["back_length"] - back_length_ease - hip_depth


@pytest.mark.parametrize("label", ["150/76A", "165/88Y", "160/88C", "180/100A"])
def test_hip_line_measures_hip_plus_ease_on_back_and_front(label):
    dress = _dress(label, hip_ease=6.0, bust_dart=3.0)
    hip = parse_size(label).measurements.hip_cm
    y = _hip_level(label)
    # the front below the bust dart is the back's profile lowered by the dart intake
    girth = _width_at(dress.panel("back"), y) + _width_at(dress.panel("front"), y - 3.0)
    assert girth == pytest.approx(hip + 6.0, abs=0.05)


def test_length_from_the_back_neck_sets_the_hem():
    short, long = _dress(length=85.0), _dress(length=100.0)
    for name in ("front", "back"):
        drop = short.panel(name).edge_points("hem")[0, 1] - long.panel(name).edge_points("hem")[0, 1]
        assert drop == pytest.approx(15.0)
    # hem at the side seam 2 cm (neck point to nape) + length below the neck point level
    assert long.panel("back").edge_points("hem")[0, 1] == pytest.approx(-102.0)


def test_scoop_neckline_is_deeper_and_wider_than_the_jewel():
    jewel = _dress()
    scoop = _dress(front_neck_depth=15.0, neck_widen=3.0, back_neck_depth=6.0)
    for name in ("front", "back"):
        assert edge_length_cm(scoop.panel(name), "neckline") > edge_length_cm(jewel.panel(name), "neckline") + 4
    assert scoop.panel("front").edge_points("neckline")[:, 1].min() == pytest.approx(-15.0, abs=0.01)
    # shoulders stay sewable: the widened neckline shortens both shoulders alike
    for side in ("left", "right"):
        f = edge_length_cm(scoop.panel("front"), f"{side}_shoulder")
        b = edge_length_cm(scoop.panel("back"), f"{side}_shoulder")
        assert f == pytest.approx(b, abs=0.01) and f < edge_length_cm(jewel.panel("front"), f"{side}_shoulder") - 2.5


@pytest.mark.parametrize("intake", [1.5, 3.0, 5.0])
def test_bust_darts_take_the_intake_at_the_side_seam_and_have_equal_legs(intake):
    front = _dress(bust_dart=intake).panel("front")
    # the left dart runs side seam -> point -> side seam as lower then upper leg, the right one upper then lower
    for first, second in (("left_dart_lower", "left_dart_upper"), ("right_dart_upper", "right_dart_lower")):
        mouth = np.linalg.norm(front.edge_points(first)[0] - front.edge_points(second)[-1])
        assert mouth == pytest.approx(intake, abs=1e-6)
        assert edge_length_cm(front, first) == pytest.approx(edge_length_cm(front, second))
    # the front is longer than the back by the intake, so the side seams still match
    back = _dress(bust_dart=intake).panel("back")
    drop = back.edge_points("hem")[0, 1] - front.edge_points("hem")[0, 1]
    assert drop == pytest.approx(intake, abs=1e-6)


def test_hem_flare_widens_the_hem():
    narrow, wide = _dress(hem_flare=0.0), _dress(hem_flare=6.0)
    for name in ("front", "back"):
        assert edge_length_cm(wide.panel(name), "hem") > edge_length_cm(narrow.panel(name), "hem") + 11.5


def test_seams_join_the_same_side_of_the_wearer():
    """The front's x > 0 half is the wearer's left, the back's x > 0 half the wearer's right."""
    dress = _dress()
    assert dress.panel("front").placement.azimuth_deg == 0.0 and dress.panel("back").placement.azimuth_deg == 180.0
    assert {p.placement.region for p in dress.panels} == {"torso"} and not dress.anchors
    for seam in dress.seams:
        if seam.a.panel != seam.b.panel:
            assert seam.a.edge == seam.b.edge and seam.a.edge.split("_")[0] in ("left", "right")
    front, back = dress.panel("front"), dress.panel("back")
    for edge in ("left_shoulder", "left_side_upper", "left_side_lower", "left_armhole"):
        assert front.edge_points(edge)[:, 0].mean() > 0 and back.edge_points(edge)[:, 0].mean() < 0
