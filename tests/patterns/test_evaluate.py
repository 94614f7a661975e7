import numpy as np
import pytest
import shapely

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.sizes import parse_size
from garment3d.types import Measurements


@pytest.mark.parametrize("label", ["150/76A", "160/84A", "165/88B", "170/92Y", "175/100C"])
def test_skirt_seams_match_within_a_millimetre_at_every_size(label):
    size = parse_size(label)
    pattern = evaluate(get_definition("a_line_skirt"), size.measurements, size_label=label)
    for seam in pattern.seams:
        a = edge_length_cm(pattern.panel(seam.a.panel), seam.a.edge)
        b = edge_length_cm(pattern.panel(seam.b.panel), seam.b.edge)
        assert abs(a - b) < 0.1
    for panel in pattern.panels:
        polygon = shapely.Polygon(panel.outline)
        assert polygon.is_valid and shapely.is_ccw(polygon.exterior)


def test_skirt_follows_measurements_and_style():
    m = Measurements(160.0, 84.0, 70.0, 96.0)
    definition = get_definition("a_line_skirt")
    pattern = evaluate(definition, m, {"length": 70.0, "flare": 12.0, "waist_ease": 2.0, "hip_ease": 4.0})
    waist = sum(edge_length_cm(p, e) for p in pattern.panels for e in ("waist_left", "waist_centre", "waist_right"))
    # darts closed: the waist seam line measures the waist plus ease (the side raise adds a little)
    assert waist == pytest.approx(70.0 + 2.0, abs=0.5)
    front = pattern.panel("front")
    assert np.ptp(front.outline[:, 1]) >= 70.0  # waist to hem, the hem curves a little lower at the centre
    hip_width = sum(shapely.Polygon(p.outline).intersection(shapely.LineString([(-99, -20), (99, -20)])).length
                    for p in pattern.panels)
    assert hip_width == pytest.approx(96.0 + 4.0, abs=0.05)
    wider = evaluate(definition, m, {"length": 70.0, "flare": 20.0})
    assert edge_length_cm(wider.panel("front"), "hem") > edge_length_cm(front, "hem") + 10


# --------------------------------------------------------------------------- arcs, folds, notches, lines

import math
import tomllib
from pathlib import Path

from garment3d.errors import InvalidPatternError
from garment3d.patterns.definition import parse_definition
from garment3d.patterns.evaluate import CURVE_STEP_CM

FOLDED = Path(__file__).parent / "formats" / "folded_skirt.toml"
M = Measurements(160.0, 84.0, 68.0, 90.0)


def _folded(change=None, parameters=None):
    table = tomllib.loads(FOLDED.read_text())
    if change is not None:
        change(table)
    return evaluate(parse_definition(table, "test"), M, parameters or {})


@pytest.mark.parametrize("length, radius", [(60.0, 80.0), (45.0, 50.0), (90.0, 120.0)])
def test_arc_samples_lie_on_the_analytic_circle(length, radius):
    pattern = _folded(parameters={"length": length, "radius": radius})
    hem = pattern.panel("front").edge_points("hem")
    centre = np.array([0.0, radius - length])
    np.testing.assert_allclose(np.linalg.norm(hem - centre, axis=1), radius, rtol=0, atol=1e-9)
    assert np.allclose(hem[0], [0.0, -length]) and hem[-1, 0] == pytest.approx(68.0 / 4 + 10.0)
    # the short way round from the centre front to the side, finely sampled, monotonic in angle
    angles = np.arctan2(hem[:, 1] - centre[1], hem[:, 0] - centre[0])
    assert np.all(np.diff(angles) > 0) and angles[-1] - angles[0] < math.pi / 2
    steps = np.linalg.norm(np.diff(hem, axis=0), axis=1)
    assert steps.max() <= CURVE_STEP_CM + 1e-9 and len(hem) >= 5
    arc_length = radius * (angles[-1] - angles[0])
    assert edge_length_cm(pattern.panel("front"), "hem") == pytest.approx(arc_length, rel=1e-4)


def test_arc_takes_the_side_its_through_point_is_on():
    # waist arc from the side (17, 1) through (8.5, 0.4) to (0, 0): it sags below the chord, clockwise
    waist = _folded().panel("front").edge_points("waist")
    a, b, c = np.array([17.0, 1.0]), np.array([8.5, 0.4]), np.array([0.0, 0.0])
    d = 2 * (a[0] * (b[1] - c[1]) + b[0] * (c[1] - a[1]) + c[0] * (a[1] - b[1]))
    ux = ((a @ a) * (b[1] - c[1]) + (b @ b) * (c[1] - a[1]) + (c @ c) * (a[1] - b[1])) / d
    uy = ((a @ a) * (c[0] - b[0]) + (b @ b) * (a[0] - c[0]) + (c @ c) * (b[0] - a[0])) / d
    radius = np.linalg.norm(a - [ux, uy])
    np.testing.assert_allclose(np.linalg.norm(waist - [ux, uy], axis=1), radius, atol=1e-9)
    chord_y = np.interp(waist[:, 0], [0.0, 17.0], [0.0, 1.0])
    assert np.all(waist[1:-1, 1] < chord_y[1:-1])


@pytest.mark.parametrize(
    "point, kind",
    [(["side_waist.x / 2", "side_waist.y / 2"], "collinear"), (["side_waist.x", "side_waist.y"], "coincident")],
)
def test_degenerate_arc_names_panel_segment_and_points(point, kind):
    def change(t):
        t["points"]["waist_mid"] = point

    with pytest.raises(
        InvalidPatternError,
        match=rf"panel 'front', outline segment 3, edge 'waist': arc points 'side_waist', 'waist_mid', "
              rf"'cf_waist' are {kind}",
    ):
        _folded(change)


def test_notches_and_lines_are_evaluated_and_checked():
    front = _folded().panel("front")
    assert front.notches == (("side", 10.0), ("waist", pytest.approx(math.hypot(17.0, 1.0) / 2)))
    np.testing.assert_allclose(front.internal_lines[0], [[3.0, -12.0], [14.0, -12.0]])
    assert front.fold == "centre" and dict(front.allowance) == {"*": 1.0, "hem": 3.0}

    def far_notch(t):
        t["panels"][0]["notches"] = [{"edge": "side", "at": "length"}]

    with pytest.raises(InvalidPatternError, match=r"panel 'front', notch 1 on 'side': 60 cm is outside the edge"):
        _folded(far_notch)

    def outside_line(t):
        t["points"]["pocket_b"] = ["-5", "-12"]

    with pytest.raises(InvalidPatternError, match=r"panel 'front', line 1 from 'pocket_a' to 'pocket_b'.*outside"):
        _folded(outside_line)


def test_folded_half_that_crosses_its_fold_is_refused():
    def cross(t):
        t["points"]["side_waist"] = ["-5", "1"]
        t["points"]["pocket_b"] = ["4", "-12"]

    with pytest.raises(InvalidPatternError, match="panel 'front'"):
        _folded(cross)


def test_seam_lengths_are_checked_on_the_unfolded_pieces():
    _folded()  # front.side against back.side@mirror: the mirror is as long as the original

    def longer_back(t):
        t["panels"][1]["outline"][1]["to"] = "back_side_waist"
        t["panels"][1]["outline"][2]["from"] = "back_side_waist"
        t["points"]["back_side_waist"] = ["side_waist.x", "2"]

    with pytest.raises(InvalidPatternError, match=r"seam front\.side .* and back\.side@mirror .* differ by 9\.8 mm"):
        _folded(longer_back)
