"""Straight trousers: mirror-image legs, matching leg seams, crotch, rise, length, waistband and its buttoned
tab."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.sizes import derived_measurements, parse_size

DEFINITION = get_definition("trousers")
A160 = parse_size("160/84A").measurements
A160_WAIST_HEIGHT = derived_measurements(A160)["waist_height"]
LEGS = ("front_left", "front_right", "back_left", "back_right")


def _pattern(label="160/84A", **parameters):
    return evaluate(DEFINITION, parse_size(label).measurements, parameters)


def _length(pattern, panel, edge):
    return edge_length_cm(pattern.panel(panel), edge)


def test_right_leg_is_the_mirror_image_of_the_left():
    pattern = _pattern()
    for front_or_back in ("front", "back"):
        left = pattern.panel(f"{front_or_back}_left").outline
        right = pattern.panel(f"{front_or_back}_right").outline * np.array([-1.0, 1.0])
        distances = np.linalg.norm(right[:, None, :] - left[None, :, :], axis=2).min(axis=1)
        assert distances.max() < 1e-6


@pytest.mark.parametrize("label", ["150/76A", "180/100A", "155/80Y", "170/96C", "165/92B"])
@pytest.mark.parametrize(
    "parameters", [{}, {"hem_width": 56.0, "hip_ease": 12.0}, {"hem_width": 34.0, "rise_ease": 0.0}]
)
def test_inseams_and_outseams_match_exactly(label, parameters):
    pattern = _pattern(label, **parameters)
    for side in ("left", "right"):
        for seam in ("inseam", "outseam"):
            front, back = _length(pattern, f"front_{side}", seam), _length(pattern, f"back_{side}", seam)
            assert front == pytest.approx(back, abs=1e-4)


def test_side_and_leg_seams_pair_front_with_back_of_the_same_leg():
    pattern = _pattern()
    for seam in pattern.seams:
        a, b = pattern.panel(seam.a.panel), pattern.panel(seam.b.panel)
        if seam.a.edge in ("inseam", "outseam"):
            assert a.placement.region == b.placement.region == "leg"
            assert a.placement.side == b.placement.side
            assert {a.name.split("_")[0], b.name.split("_")[0]} == {"front", "back"}
        if seam.a.edge == "crotch":
            assert a.placement.side != b.placement.side
            assert a.name.split("_")[0] == b.name.split("_")[0]
    # each leg's front and back are laid with their outseams at the leg's outer side
    for name in LEGS:
        placement = pattern.panel(name).placement
        assert placement.align_edge == "outseam"
        assert placement.azimuth_deg == (90.0 if placement.side == "left" else 270.0)
    # pattern x runs with azimuth: the left leg's outseam (wearer's left, azimuth 90)
    # is the front's x-max side and the back's x-min side; the right leg mirrors it
    centre_x = {name: pattern.panel(name).outline[:, 0].mean() for name in LEGS}
    assert pattern.panel("front_left").edge_points("outseam")[:, 0].mean() > centre_x["front_left"]
    assert pattern.panel("back_left").edge_points("outseam")[:, 0].mean() < centre_x["back_left"]
    assert pattern.panel("front_right").edge_points("outseam")[:, 0].mean() < centre_x["front_right"]
    assert pattern.panel("back_right").edge_points("outseam")[:, 0].mean() > centre_x["back_right"]


def test_crotch_extensions_and_back_rise():
    pattern = _pattern(back_rise=3.0)
    hip = A160.hip_cm
    front = pattern.panel("front_left").outline
    assert -front[:, 0].min() == pytest.approx(hip / 16, abs=1e-6)  # centre front line at x = 0
    back = pattern.panel("back_left")
    hip_back = (hip + 8.0) / 4 + 1  # default hip ease
    assert back.outline[:, 0].max() - hip_back == pytest.approx(hip / 10, abs=1e-6)
    assert back.outline[:, 1].max() == pytest.approx(3.0)  # centre back rises above the waistband seam
    assert front[:, 1].max() == pytest.approx(0.0)
    # the back crotch seam is the longer
    assert _length(pattern, "back_left", "crotch") > _length(pattern, "front_left", "crotch") + 3.0


def test_leg_length_follows_waist_height_and_hem_clearance_and_hem_width_is_the_hem():
    base = _pattern(hem_clearance=3.0, waistband_width=4.0, hem_width=44.0)
    cropped = _pattern(hem_clearance=13.0, waistband_width=4.0, hem_width=44.0)
    depth = -base.panel("front_left").outline[:, 1].min()
    assert depth == pytest.approx(A160_WAIST_HEIGHT - 3.0)  # from the waist: the waistband sits above it
    assert depth - (-cropped.panel("front_left").outline[:, 1].min()) == pytest.approx(10.0)
    hem = _length(base, "front_left", "hem") + _length(base, "back_left", "hem")
    assert hem == pytest.approx(44.0)


def test_waistband_goes_round_the_waist_and_meets_every_leg_waist_edge():
    pattern = _pattern(waist_ease=3.0, waistband_width=4.5)
    band = pattern.panel("waistband")
    assert edge_length_cm(band, "top") == pytest.approx(A160.waist_cm + 3.0)
    assert np.ptp(band.outline[:, 1]) == pytest.approx(4.5)
    assert [str(a) for a in pattern.anchors] == ["waistband.top"]
    joined = {(s.b.panel, s.b.edge) for s in pattern.seams if s.a.panel == "waistband" and s.b.panel in LEGS}
    assert joined == {(leg, edge) for leg in LEGS for edge in ("waist_side", "waist_centre")}
    lower = sum(_length(pattern, leg, edge) for leg in LEGS for edge in ("waist_side", "waist_centre"))
    assert lower == pytest.approx(A160.waist_cm + 3.0, abs=1e-4)


@pytest.mark.parametrize("label", ["150/76A", "160/84A", "180/100A"])
@pytest.mark.parametrize("extension", [2.5, 3.5, 5.0])
def test_a_tab_on_the_waistbands_right_end_buttons_over_its_left_end(label, extension):
    pattern = _pattern(label, waistband_extension=extension, waistband_width=4.0)
    band, tab = pattern.panel("waistband"), pattern.panel("waistband_tab")
    left_end = band.outline[:, 0].min()
    # drafted in the band's frame where it laps the left end: its join on the left end's edge
    assert tab.outline[:, 0].min() == pytest.approx(left_end)
    assert np.ptp(tab.outline[:, 0]) == pytest.approx(extension) and np.ptp(tab.outline[:, 1]) == pytest.approx(4.0)
    assert np.allclose(tab.edge_points("join")[:, 0], left_end)
    assert (tab.placement.frame, tab.placement.layer) == ("waistband", 1)  # laid over the left end, outside
    seams = {(str(s.a), str(s.b)) for s in pattern.seams}
    assert {("waistband.end_right", "waistband_tab.join"), ("waistband.end_right", "waistband.end_left")} <= seams
    (button,) = pattern.fasteners
    assert (button.kind, button.a, button.b) == ("button", "waistband_tab", "waistband")
    # the buttonhole halfway up the tab 1.5 cm from its end, cut towards the end; the button on the left end
    # under it
    assert button.a_point == pytest.approx([left_end + extension - 1.5, 2.0])
    assert button.opening == pytest.approx([1.0, 0.0])
    assert button.b_point == pytest.approx(button.a_point)
    assert button.b_point[0] - left_end == pytest.approx(extension - 1.5)
