"""T-shirt: sleeve caps fit the armholes with the set ease, sleeves are a mirrored pair, the neckband is stretched on."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.fabrics import load_fabric
from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.sizes import derived_measurements, parse_size

DEFINITION = get_definition("t_shirt")
CAP_SEAMS = [  # (sleeve, cap half, body piece, armhole)
    ("left_sleeve", "cap_front", "front", "left_armhole"),
    ("left_sleeve", "cap_back", "back", "left_armhole"),
    ("right_sleeve", "cap_front", "front", "right_armhole"),
    ("right_sleeve", "cap_back", "back", "right_armhole"),
]


def _tee(label="160/84A", fabric=None, **parameters):
    return evaluate(DEFINITION, parse_size(label).measurements, parameters, fabric=fabric)


@pytest.mark.parametrize("ease", [0.0, 0.8, 2.0])
@pytest.mark.parametrize("label", ["150/76A", "165/88Y", "170/96C", "180/100A"])
def test_each_cap_half_is_its_armhole_half_plus_half_the_ease(label, ease):
    tee = _tee(label, cap_ease=ease)
    for sleeve, cap, body, armhole in CAP_SEAMS:
        extra = edge_length_cm(tee.panel(sleeve), cap) - edge_length_cm(tee.panel(body), armhole)
        assert extra == pytest.approx(ease / 2, abs=0.02), (sleeve, cap)
    declared = {(s.a.panel, s.a.edge, s.b.panel, s.b.edge): s for s in DEFINITION.seams}
    for sleeve, cap, body, armhole in CAP_SEAMS:
        assert declared[(body, armhole, sleeve, cap)].ease_cm == pytest.approx(1.0)


@pytest.mark.parametrize("label", ["150/76A", "160/84A", "180/100A"])
def test_cap_height_follows_the_armhole_depth_and_the_sleeve_clears_the_upper_arm(label):
    tee = _tee(label, cap_height=0.65)
    front, back, sleeve = tee.panel("front"), tee.panel("back"), tee.panel("left_sleeve")
    underarm = front.edge_points("left_armhole")[0, 1]
    depth = (front.edge_points("left_armhole")[-1, 1] + back.edge_points("left_armhole")[0, 1]) / 2 - underarm
    cap = sleeve.edge_points("cap_front")
    assert cap[0, 1] - cap[-1, 1] == pytest.approx(0.65 * depth)
    width = np.ptp(np.concatenate([sleeve.edge_points("cap_front"), sleeve.edge_points("cap_back")])[:, 0])
    upper_arm = derived_measurements(parse_size(label).measurements)["upper_arm"]
    assert 8.0 < width - upper_arm < 14.0  # generous knit ease at the biceps


def test_sleeves_are_a_mirrored_pair_with_the_front_cap_towards_the_front():
    tee = _tee()
    left, right = tee.panel("left_sleeve"), tee.panel("right_sleeve")
    assert (left.placement.azimuth_deg, left.placement.side) == (90.0, "left")
    assert (right.placement.azimuth_deg, right.placement.side) == (-90.0, "right")
    # left arm: increasing azimuth from 90 leads to the back, so its back cap is the x > 0 half
    assert left.edge_points("cap_back")[:, 0].min() >= -1e-9 and left.edge_points("cap_front")[:, 0].max() <= 1e-9
    assert right.edge_points("cap_front")[:, 0].min() >= -1e-9
    mirrored = left.outline * np.array([-1.0, 1.0])
    gaps = np.linalg.norm(mirrored[:, None] - right.outline[None], axis=2).min(axis=1)
    assert gaps.max() < 1e-9


def test_lengths_follow_their_parameters():
    short, long = _tee(sleeve_length=18.0, length=58.0), _tee(sleeve_length=30.0, length=70.0)
    for sleeve in ("left_sleeve", "right_sleeve"):
        # shoulder point (the crown, y = 0) to the hem at the underarm seams
        assert long.panel(sleeve).edge_points("hem")[0, 1] == pytest.approx(-30.0)
        assert short.panel(sleeve).edge_points("hem")[0, 1] == pytest.approx(-18.0)
    for body in ("front", "back"):
        assert long.panel(body).edge_points("hem")[0, 1] == pytest.approx(short.panel(body).edge_points("hem")[0, 1] - 12)


def _band_share(tee) -> float:
    """The neckband's sewn length over the neckline's."""
    neckline = sum(edge_length_cm(tee.panel(p), e) for p in ("front", "back") for e in ("neck_left", "neck_right"))
    band = tee.panel("neckband")
    return sum(edge_length_cm(band, e) for e in
               ("neck_back_right", "neck_front_right", "neck_front_left", "neck_back_left")) / neckline


@pytest.mark.parametrize("stretch", [0.0, 8.0, 12.0])
def test_neckband_is_the_neckline_less_the_stretch(stretch):
    tee = _tee(band_stretch=stretch, band_width=2.5)  # no fabric: the 40 % knit the pattern is drafted for
    band = tee.panel("neckband")
    assert _band_share(tee) == pytest.approx(1 - stretch / 100, abs=0.001)
    assert np.ptp(band.outline[:, 1]) == pytest.approx(2.5)
    assert band.placement.region == "neck"


@pytest.mark.parametrize("fabric_name, share", [
    ("jersey_cotton", 0.92),  # a 40 % knit: the full 8 %
    ("silk_charmeuse", 0.98),  # 10 % stretch: a quarter of it
    ("poplin_grey", 1 - 0.08 * (200 / 9000) * 100 / 40),  # 2.2 %: about the neckline's length
])
def test_neckband_is_shortened_as_far_as_the_fabric_stretches(fabric_name, share):
    fabric = load_fabric(fabric_name)
    tee = _tee(fabric=fabric)
    assert _band_share(tee) == pytest.approx(share, abs=0.001)
    # the body pieces do not depend on the fabric
    assert np.allclose(tee.panel("front").outline, _tee().panel("front").outline)
