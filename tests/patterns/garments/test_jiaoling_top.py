"""Jiaoling top: the fronts cross left over right, the collar band follows both front edges, wide sleeves."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import SEAM_TOLERANCE_CM, edge_length_cm
from garment3d.patterns.fold import unfold_pattern
from garment3d.sizes import parse_size

DEFINITION = get_definition("jiaoling_top")
A160 = parse_size("160/84A").measurements
SIZES = [
    "150/76A", "155/80A", "160/84A", "165/88A", "170/92A", "175/96A", "180/100A",
    "155/80Y", "165/88Y", "155/84B", "165/92B", "160/88C", "170/96C",
]
FREE_EDGES = {
    ("front_left", "wrap_edge"), ("front_left", "hem"), ("front_right", "wrap_edge"), ("front_right", "hem"),
    ("back", "hem"),
    ("band_left", "outer"), ("band_left", "end_front"), ("band_right", "outer"), ("band_right", "end_front"),
    ("band_back", "outer"),
    ("sleeve_left", "hem"), ("sleeve_right", "hem"),
}


def _whole(parameters=None, measurements=A160):
    return unfold_pattern(evaluate(DEFINITION, measurements, parameters or {}))


def _length(pattern, panel: str, edge: str) -> float:
    return edge_length_cm(pattern.panel(panel), edge)


@pytest.mark.parametrize("label", SIZES)
def test_every_edge_is_sewn_once_or_left_free_on_purpose(label):
    pattern = _whole(measurements=parse_size(label).measurements)
    eases = {(str(s.a), str(s.b)): s.ease_cm for s in DEFINITION.seams}
    sewn = []
    for seam in pattern.seams:
        a, b = _length(pattern, seam.a.panel, seam.a.edge), _length(pattern, seam.b.panel, seam.b.edge)
        assert abs(a - b) <= SEAM_TOLERANCE_CM + eases[(str(seam.a), str(seam.b))], f"{seam} {label}"
        sewn += [(seam.a.panel, seam.a.edge), (seam.b.panel, seam.b.edge)]
    assert len(sewn) == len(set(sewn)), "an edge is sewn twice"
    every = {(p.name, e.name) for p in pattern.panels for e in p.edges}
    assert every - set(sewn) == FREE_EDGES


def test_fronts_cross_left_over_right_at_centre_front():
    pattern = _whole({"cross_depth": 14.0, "cross_below_underarm": 8.0})
    left, right = pattern.panel("front_left"), pattern.panel("front_right")
    assert left.placement.layer == 0 and right.placement.layer == -1
    for panel, snp_side in ((left, 1.0), (right, -1.0)):
        edge = panel.edge_points("front_edge")
        crossing = shapely.LineString(edge).intersection(shapely.LineString([(0, 5), (0, -60)]))
        assert shapely.get_coordinates(crossing)[0, 1] == pytest.approx(-14.0, abs=1e-6)
        start, end = (edge[0], edge[-1]) if snp_side > 0 else (edge[-1], edge[0])
        assert start[1] == pytest.approx(0.0) and np.sign(start[0]) == snp_side  # its own side neck point
        assert np.sign(end[0]) == -snp_side  # the opposite side seam
        underarm = panel.edge_points("armhole")[0 if snp_side > 0 else -1]
        assert end[1] == pytest.approx(underarm[1] - 8.0)
    # the left front keeps the left shoulder, armhole and side; the right front the right ones
    assert left.edge_points("armhole")[:, 0].min() > 0 > right.edge_points("armhole")[:, 0].max()
    # a crossing below the underarm never lets the band's end reach into the armhole
    shallow = _whole({"cross_below_underarm": 4.0, "band_width": 8.0})
    band_end = shallow.panel("band_left").edge_points("end_front")
    underarm_y = shallow.panel("front_right").edge_points("armhole")[-1][1]
    assert band_end[:, 1].max() <= underarm_y - 1.0 + 1e-9


@pytest.mark.parametrize("label", ["150/76A", "160/84A", "180/100A"])
@pytest.mark.parametrize(("cross_depth", "below"), [(8.0, 15.0), (8.0, 4.0), (18.0, 15.0)])
def test_the_crossed_front_edge_stays_between_centre_front_and_the_side_seam(label, cross_depth, below):
    """A shallow crossing placed low once put the curve's control point past the side seam: the edge bulged
    out beyond it and the front and its band crossed themselves."""
    pattern = _whole({"cross_depth": cross_depth, "cross_below_underarm": below}, parse_size(label).measurements)
    for name in ("front_left", "band_left"):
        panel = pattern.panel(name)
        assert shapely.Polygon(panel.outline).is_valid, name
        curve = panel.edge_points("front_edge" if name == "front_left" else "neck")
        side_x = pattern.panel("front_left").edge_points("wrap_edge")[0, 0]
        assert curve[:, 0].min() >= side_x - 1e-9, name
        # it descends all the way: no point below the side seam corner, none above the crossing's start
        assert curve[:, 1].min() >= pattern.panel("front_left").edge_points("wrap_edge")[0, 1] - 1e-9, name


@pytest.mark.parametrize("label", ["150/76A", "160/84A", "180/100A"])
def test_chest_measures_bust_plus_ease_and_the_hem_flares(label):
    m = parse_size(label).measurements
    pattern = _whole({"bust_ease": 20.0, "hem_flare": 4.0}, m)
    front, back = pattern.panel("front_left"), pattern.panel("back")
    underarm_front, underarm_back = front.edge_points("side")[-1], back.edge_points("side")[-1]
    assert 2 * (underarm_front[0] + underarm_back[0]) == pytest.approx(m.bust_cm + 20.0)
    hem_corner = front.edge_points("side")[0]
    assert hem_corner[0] - underarm_front[0] == pytest.approx(4.0)


def test_collar_band_keeps_its_width_along_both_fronts_and_round_the_back():
    for width in (3.0, 5.0, 8.0):
        pattern = _whole({"band_width": width})
        for band in ("band_left", "band_right"):
            for end in ("end_top", "end_front"):
                assert _length(pattern, band, end) == pytest.approx(width)
            panel = pattern.panel(band)
            neck = shapely.LineString(panel.edge_points("neck"))
            outer = panel.edge_points("outer")
            distances = np.array([neck.distance(shapely.Point(q)) for q in outer])
            assert distances.max() == pytest.approx(width, rel=0.03)  # exact on the straight part
            assert distances.min() > 0.85 * width  # the curved part is a near-parallel offset
        back = pattern.panel("band_back")
        lean = min(3.0, 0.75 * width)  # it leans back: outer edge longer, ends as long as the front bands'
        for end in ("end_left", "end_right"):
            assert _length(pattern, "band_back", end) == pytest.approx(width)
        assert np.ptp(back.outline[:, 1]) == pytest.approx(np.sqrt(width ** 2 - lean ** 2))
        assert _length(pattern, "band_back", "outer") == pytest.approx(_length(pattern, "band_back", "neck") + 2 * lean)
        assert (back.placement.region, back.placement.azimuth_deg) == ("neck", 180.0)
    # the band joins the fronts' whole crossed edges and the back neck
    pattern = _whole()
    assert _length(pattern, "band_left", "neck") == pytest.approx(_length(pattern, "front_left", "front_edge"))
    assert _length(pattern, "band_back", "neck") == pytest.approx(_length(pattern, "back", "neck"), abs=0.02)


@pytest.mark.parametrize(("label", "cap_ease"), [("150/76A", 0.0), ("160/84A", 0.6), ("180/100A", 1.5)])
def test_wide_sleeves_ease_into_dropped_shoulder_armholes(label, cap_ease):
    m = parse_size(label).measurements
    pattern = _whole({"cap_ease": cap_ease, "sleeve_hem": 60.0, "sleeve_length": 58.0, "shoulder_drop": 6.0}, m)
    pairs = [
        ("front_left", "armhole", "sleeve_left", "cap_front"),
        ("back", "armhole@mirror", "sleeve_left", "cap_back"),
        ("front_right", "armhole", "sleeve_right", "cap_front"),
        ("back", "armhole", "sleeve_right", "cap_back"),
    ]
    for body, armhole, sleeve, cap in pairs:
        ease = _length(pattern, sleeve, cap) - _length(pattern, body, armhole)
        assert ease == pytest.approx(cap_ease / 2, abs=0.03)
    left, right = pattern.panel("sleeve_left"), pattern.panel("sleeve_right")
    assert (left.placement.side, right.placement.side) == ("left", "right")
    assert _length(pattern, "sleeve_left", "hem") == pytest.approx(60.0)  # the hem girth
    assert np.ptp(left.outline[:, 1]) == pytest.approx(58.0 - 6.0)  # starts at the dropped shoulder
    assert _length(pattern, "sleeve_left", "hem") > np.ptp(left.edge_points("cap_front")[:, 0]) * 2
    assert left.edge_points("cap_front")[:, 0].max() < 1e-9 < right.edge_points("cap_front")[:, 0].max()


PARAMETER_EXTREMES = [
    {p.name: p.minimum for p in DEFINITION.parameters},
    {p.name: p.maximum for p in DEFINITION.parameters},
    {**{p.name: p.minimum for p in DEFINITION.parameters}, "sleeve_hem": 80.0, "band_width": 8.0},
    {**{p.name: p.maximum for p in DEFINITION.parameters}, "sleeve_hem": 28.0, "cap_height": 3.0},
]
EXTREME_CASES = list(itertools.product(["150/76A", "180/100A", "170/96C"], PARAMETER_EXTREMES))


@pytest.mark.parametrize(("label", "parameters"), EXTREME_CASES)
def test_extreme_parameters_still_give_valid_pieces(label, parameters):
    pattern = _whole(parameters, parse_size(label).measurements)  # evaluation checks every seam
    for panel in pattern.panels:
        polygon = shapely.Polygon(panel.outline)
        assert polygon.is_valid and polygon.area > 20.0, panel.name
