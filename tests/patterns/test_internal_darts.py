"""Fish darts (a panel's ``darts``): parsed, evaluated into diamonds, checked, mirrored on a fold, left out of
the fit lines' girth and drawn on the cut pieces."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
import shapely

from garment3d.errors import InvalidPatternError
from garment3d.patterns import evaluate
from garment3d.patterns.definition import parse_definition
from garment3d.patterns.fit_lines import girth_along_cm
from garment3d.patterns.fold import unfold
from garment3d.patterns.formats import read_dxf, read_svg, write_dxf, write_pattern_svg
from garment3d.patterns.formats.pieces import cut_pieces
from garment3d.types import Measurements

FOLDED = Path(__file__).parent / "formats" / "folded_skirt.toml"
M = Measurements(160.0, 84.0, 68.0, 90.0)  # the skirt's front half is 17 cm wide at the waist
DART = {"name": "fish", "x": "side_waist.x / 2", "y": "-8", "width": "2", "above": "5", "below": "10"}


def _skirt(*darts, panel=1):
    table = tomllib.loads(FOLDED.read_text())
    table["panels"][panel]["darts"] = [dict(d) for d in darts]
    return evaluate(parse_definition(table, "test"), M)


def test_a_fish_dart_is_a_diamond_from_its_formulas():
    back = _skirt(DART).panel("back")
    (dart,) = back.internal_darts
    assert dart.name == "fish"
    # apex, x-min corner, apex, x-max corner: counter-clockwise
    np.testing.assert_allclose(dart.corners, [[8.5, -3.0], [7.5, -8.0], [8.5, -18.0], [9.5, -8.0]])
    assert shapely.Polygon(dart.corners).exterior.is_ccw
    assert dart.intake_cm == pytest.approx(2.0)
    np.testing.assert_allclose(dart.side("a"), [[8.5, -3.0], [7.5, -8.0], [8.5, -18.0]])
    np.testing.assert_allclose(dart.side("b"), [[8.5, -3.0], [9.5, -8.0], [8.5, -18.0]])


def test_a_folded_panel_mirrors_its_fish_dart():
    whole = unfold(_skirt(DART).panel("back"))
    names = [d.name for d in whole.internal_darts]
    assert names == ["fish", "fish@mirror"]
    mirror = whole.internal_darts[1].corners
    np.testing.assert_allclose(mirror, [[-8.5, -3.0], [-9.5, -8.0], [-8.5, -18.0], [-7.5, -8.0]])
    assert shapely.Polygon(mirror).exterior.is_ccw


def test_the_fit_girth_leaves_out_a_fish_darts_intake():
    plain = unfold(_skirt().panel("back"))
    darted = unfold(_skirt(DART).panel("back"))
    # at the widest point both darts take their 2 cm; 5 cm below it, half of that each
    assert girth_along_cm(plain, -8.0) - girth_along_cm(darted, -8.0) == pytest.approx(4.0, abs=1e-6)
    assert girth_along_cm(plain, -13.0) - girth_along_cm(darted, -13.0) == pytest.approx(2.0, abs=1e-6)
    assert girth_along_cm(plain, -25.0) == pytest.approx(girth_along_cm(darted, -25.0))


@pytest.mark.parametrize("change, message", [
    ({"x": "side_waist.x + 3"}, r"panel 'back', dart 'fish': the diamond .* reaches outside the piece"),
    ({"x": "1.2"}, r"panel 'back', dart 'fish': the diamond .* lies only 0\.20 cm inside the outline "
                   r"\(it must keep 1 cm clear\)"),
    ({"above": "8.5"}, r"panel 'back', dart 'fish': the diamond from y -18\.0 to 0\.5 cm .* outside"),
    ({"width": "0"}, r"panel 'back', dart 'fish': width 0 cm is less than 0\.2 cm"),
    ({"below": "0.5"}, r"panel 'back', dart 'fish': below = 0\.5 cm is less than 1 cm"),
])
def test_a_fish_dart_outside_its_piece_or_degenerate_is_refused(change, message):
    with pytest.raises(InvalidPatternError, match=message):
        _skirt({**DART, **change})


def test_fish_darts_that_cross_are_refused():
    other = {**DART, "name": "second", "x": "side_waist.x / 2 + 1.5", "y": "-12"}
    with pytest.raises(InvalidPatternError, match=r"panel 'back', dart 'second': the diamond crosses or comes "
                                                  r"within 1 cm of dart 'fish'"):
        _skirt(DART, other)
    apart = {**other, "x": "side_waist.x / 2 + 4"}
    assert [d.name for d in _skirt(DART, apart).panel("back").internal_darts] == ["fish", "second"]


@pytest.mark.parametrize("dart, message", [
    ({**DART, "name": "side"}, r"panel 2 'back', dart 'side': the panel has an edge of the same name"),
    ({k: v for k, v in DART.items() if k != "width"}, r"dart 'fish': missing field 'width'"),
    ({**DART, "name": "fish dart"}, r"is not a valid name"),
    ({**DART, "above": "5 +"}, r"dart 'fish', above"),
])
def test_a_malformed_fish_dart_is_refused_by_name(dart, message):
    with pytest.raises(InvalidPatternError, match=message):
        _skirt(dart)


def test_two_fish_darts_of_one_name_are_refused():
    with pytest.raises(InvalidPatternError, match=r"dart 'fish': two darts of the panel have this name"):
        _skirt(DART, {**DART, "x": "4"})


def test_cut_pieces_draw_the_diamond_and_drill_near_its_apexes():
    pattern = _skirt(DART)
    plain = {p.name: p for p in cut_pieces(_skirt(), 1.0)}
    pieces = {p.name: p for p in cut_pieces(pattern, 1.0)}
    back, before = pieces["back"], plain["back"]
    assert len(back.internal_lines) == len(before.internal_lines) + 1
    diamond = [line for line in back.internal_lines if len(line) == 5]
    assert len(diamond) == 1
    np.testing.assert_allclose(diamond[0][:4], pattern.panel("back").internal_darts[0].corners)
    np.testing.assert_allclose(diamond[0][0], diamond[0][-1])
    extra = [h for h in back.drill_holes if not any(np.allclose(h, g) for g in before.drill_holes)]
    np.testing.assert_allclose(sorted(map(tuple, extra)), [(8.5, -17.0), (8.5, -4.0)], atol=1e-9)


@pytest.mark.parametrize("kind", ["aama", "astm", "svg"])
def test_a_fish_dart_survives_a_dxf_and_svg_round_trip_as_a_closed_line(tmp_path, kind):
    pattern = _skirt(DART)
    if kind == "svg":
        pieces = read_svg(write_pattern_svg(pattern, tmp_path / "darted.svg")).pieces
    else:
        pieces = read_dxf(write_dxf(pattern, tmp_path / "darted.dxf", variant=kind)).pieces
    back = {p.name: p for p in pieces}["back"]
    corners = pattern.panel("back").internal_darts[0].corners
    closed = [np.asarray(line) for line in back.internal_lines if len(line) == 5]
    assert len(closed) == 1
    np.testing.assert_allclose(closed[0], np.vstack([corners, corners[:1]]), atol=0.01)
    for apex in ((8.5, -4.0), (8.5, -17.0)):
        assert np.min(np.linalg.norm(np.asarray(back.drill_holes) - apex, axis=1)) < 0.01
