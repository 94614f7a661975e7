"""Blouse: the collar's neck edge parts pair with the neckline edges, sleeve caps carry the set ease, sleeve
and collar parameters change what they should; the two fronts lap right over left by the button extension
each side of centre front and are buttoned on centre front."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.sizes import derived_measurements, parse_size

DEFINITION = get_definition("blouse")
COLLAR_SEAMS = [("neck_front_left", "front_left", "neck_left"), ("neck_back", "back", "neckline"),
                ("neck_front_right", "front_right", "neck_right")]


def _blouse(label="160/84A", **parameters):
    return evaluate(DEFINITION, parse_size(label).measurements, parameters)


@pytest.mark.parametrize("rise", [0.5, 1.5, 3.0])
@pytest.mark.parametrize("label", ["150/76A", "165/88Y", "170/96C", "180/100A"])
def test_collar_neck_edge_parts_each_match_their_neckline_edge(label, rise):
    blouse = _blouse(label, collar_rise=rise)
    collar = blouse.panel("collar")
    for part, piece, edge in COLLAR_SEAMS:
        assert edge_length_cm(collar, part) == pytest.approx(edge_length_cm(blouse.panel(piece), edge), abs=0.01)
    pairs = {(s.a.edge, s.b.panel, s.b.edge) for s in blouse.seams if s.a.panel == "collar"}
    assert pairs == set(COLLAR_SEAMS)
    # the front parts rise to the centre-front ends
    assert collar.edge_points("neck_front_right")[-1, 1] == pytest.approx(rise)


def test_collar_height_and_placement():
    collar = _blouse(collar_height=5.0).panel("collar")
    assert np.ptp(collar.edge_points("neck_back")[:, 1]) == 0.0
    assert 5.0 < collar.edge_points("top")[:, 1].max() < 5.0 + 1.5  # the front ends rise, tilted a little
    top = collar.edge_points("top")
    assert top[np.argmin(np.abs(top[:, 0])), 1] == pytest.approx(5.0)  # straight across the back
    assert (collar.placement.region, collar.placement.azimuth_deg) == ("neck", 180.0)
    # centre back at x = 0, the left front part at x < 0 (azimuth below 180 runs to the wearer's left)
    assert collar.edge_points("neck_front_left")[:, 0].max() < 0 < collar.edge_points("neck_front_right")[:, 0].min()


@pytest.mark.parametrize("ease", [1.0, 1.5, 2.5])
@pytest.mark.parametrize("label", ["150/76A", "160/88C", "180/100A"])
def test_sleeve_caps_are_the_armholes_plus_the_cap_ease(label, ease):
    blouse = _blouse(label, cap_ease=ease)
    for sleeve, side in (("left_sleeve", "left"), ("right_sleeve", "right")):
        cap = sum(edge_length_cm(blouse.panel(sleeve), e) for e in ("cap_front", "cap_back"))
        armhole = sum(edge_length_cm(blouse.panel(p), f"{side}_armhole") for p in (f"front_{side}", "back"))
        assert cap - armhole == pytest.approx(ease, abs=0.03)
    assert {s.ease_cm for s in DEFINITION.seams if "cap" in s.b.edge} == {1.25}  # 2.5 cm across the two halves


@pytest.mark.parametrize("label", ["150/76A", "170/92A", "180/100A"])
def test_sleeve_clears_the_upper_arm_and_its_cap_matches_the_armhole_depth(label):
    blouse = _blouse(label)
    sleeve = blouse.panel("left_sleeve")
    width = np.ptp(np.concatenate([sleeve.edge_points("cap_front"), sleeve.edge_points("cap_back")])[:, 0])
    upper_arm = derived_measurements(parse_size(label).measurements)["upper_arm"]
    assert 5.0 < width - upper_arm < 15.0  # a relaxed blouse sleeve
    front, back = blouse.panel("front_left"), blouse.panel("back")
    depth = (front.edge_points("left_armhole")[-1, 1] + back.edge_points("left_armhole")[0, 1]) / 2 \
        - front.edge_points("left_armhole")[0, 1]
    cap_share = next(p.default for p in get_definition("blouse").parameters if p.name == "cap_height")
    assert np.ptp(sleeve.edge_points("cap_back")[:, 1]) == pytest.approx(cap_share * depth)


@pytest.mark.parametrize("label", ["150/76A", "180/100A"])
def test_sleeve_length_follows_the_arm_and_the_hem_width_is_set(label):
    arm = derived_measurements(parse_size(label).measurements)["arm_length"]
    long = _blouse(label, sleeve_length=1.0, sleeve_hem=22.0, cap_height=0.75)
    short = _blouse(label, sleeve_length=0.5, sleeve_hem=30.0, cap_height=0.75)
    for sleeve in ("left_sleeve", "right_sleeve"):
        hem = long.panel(sleeve).edge_points("hem")  # the crown (shoulder point) is at y = 0
        assert hem[0, 1] == pytest.approx(-arm) and hem[-1, 0] - hem[0, 0] == pytest.approx(22.0)
        hem = short.panel(sleeve).edge_points("hem")
        assert hem[0, 1] == pytest.approx(-arm / 2) and hem[-1, 0] - hem[0, 0] == pytest.approx(30.0)


@pytest.mark.parametrize("label", ["150/76A", "160/84A", "180/100A"])
@pytest.mark.parametrize("extension", [1.5, 1.8, 2.5])
def test_the_fronts_reach_the_button_extension_past_centre_front_and_lap_right_over_left(label, extension):
    blouse = _blouse(label, button_extension=extension)
    right, left = blouse.panel("front_right"), blouse.panel("front_left")
    assert right.outline[:, 0].max() == pytest.approx(extension)  # the right front reaches past centre front
    assert left.outline[:, 0].min() == pytest.approx(-extension)
    assert right.outline[:, 0].min() == pytest.approx(-left.outline[:, 0].max())  # mirror images otherwise
    for front, x in ((right, extension), (left, -extension)):
        edge = front.edge_points("front_edge")
        assert np.allclose(edge[:, 0], x) and np.ptp(edge[:, 1]) > 45  # straight, neckline to hem
        assert [float(line[0, 0]) for line in front.internal_lines] == [0.0]  # the centre-front line
        assert front.edge_points("neck_extension")[:, 1] == pytest.approx(front.edge_points("neck_extension")[0, 1])
    # both hems are the one front hem: they agree where the fronts lap
    hem_r, hem_l = right.edge_points("hem"), left.edge_points("hem")
    overlap = np.linspace(-extension, extension, 9)
    y_r = np.interp(overlap, hem_r[:, 0], hem_r[:, 1])
    y_l = np.interp(overlap, hem_l[:, 0], hem_l[:, 1])
    assert np.abs(y_r - y_l).max() < 0.01
    assert right.placement.layer == 0 and left.placement.layer == -1  # the right front laps over the left
    assert right.placement.align_edge == left.placement.align_edge == "front_edge"
    # the pattern's girth counts the lapped cloth once
    bust = next(line for line in blouse.fit_lines if line.name == "bust")
    widths = {p.name: np.ptp(p.outline[:, 0]) for p in blouse.panels}
    assert bust.pattern_girth_cm < widths["front_right"] + widths["front_left"] + widths["back"] - 2 * extension + 0.5


@pytest.mark.parametrize("label", ["150/76A", "160/84A", "180/100A"])
@pytest.mark.parametrize("length", [52.0, 64.0, 80.0])
def test_buttons_run_down_centre_front_from_under_the_neckline(label, length):
    blouse = _blouse(label, length=length)
    buttons = [f for f in blouse.fasteners if f.name.startswith("buttons")]
    assert len(buttons) == 8 and {f.kind for f in buttons} == {"button"}
    assert {(f.a, f.b) for f in buttons} == {("front_right", "front_left")}  # buttonholes on the right front
    a = np.array([f.a_point for f in buttons])
    assert np.allclose(a[:, 0], 0.0) and np.allclose([f.b_point for f in buttons], a)  # on centre front
    neck = blouse.panel("front_right").edge_points("neck_extension")[0, 1]
    hem = blouse.panel("front_right").edge_points("front_edge")[0, 1]
    assert a[:, 1].max() == pytest.approx(neck - 1.5)
    spacing = np.diff(np.sort(a[:, 1]))
    assert np.ptp(spacing) < 1e-6 and 5.0 < spacing[0] < 10.0
    assert 4.0 < a[:, 1].min() - hem < 9.0  # the last button a little above the hem


def test_bust_darts_are_the_set_intake():
    blouse = _blouse(bust_dart=2.5)
    for front, side in (("front_left", "left"), ("front_right", "right")):
        panel = blouse.panel(front)
        mouth = np.linalg.norm(panel.edge_points(f"{side}_dart_lower")[0 if side == "left" else -1]
                               - panel.edge_points(f"{side}_dart_upper")[-1 if side == "left" else 0])
        assert mouth == pytest.approx(2.5)
