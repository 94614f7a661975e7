"""Fasteners in the pattern language: rows along an edge and explicit points, evaluated per size, and
clear errors naming the fastener, panel, edge or field at fault; zips are seams of kind "zip"."""

import tomllib

import numpy as np
import pytest

from garment3d.errors import InvalidPatternError
from garment3d.patterns import evaluate
from garment3d.patterns.definition import parse_definition
from garment3d.patterns.fold import unfold_pattern
from garment3d.types import Measurements

M = Measurements(160.0, 84.0, 68.0, 90.0)

# Two 20 x 30 cm pieces in one frame overlapping by 5 cm (x 15..20): "outer" over "under".
WRAP = """
name = "wrap"
[parameters.overlap]
default = 5.0
min = 2.0
max = 8.0
[points]
a0 = ["0", "-30"]
a1 = ["20", "-30"]
a2 = ["20", "0"]
a3 = ["0", "0"]
b0 = ["20 - overlap", "-30"]
b1 = ["40 - overlap", "-30"]
b2 = ["40 - overlap", "0"]
b3 = ["20 - overlap", "0"]
[[panels]]
name = "outer"
grain = [0.0, 1.0]
placement = { region = "waist", azimuth = 0.0 }
outline = [
    { edge = "hem", from = "a0", to = "a1" },
    { edge = "front", from = "a1", to = "a2" },
    { edge = "waist", from = "a2", to = "a3" },
    { edge = "side", from = "a3", to = "a0" },
]
[[panels]]
name = "under"
grain = [0.0, 1.0]
placement = { region = "waist", azimuth = 0.0, layer = -1, frame = "outer" }
outline = [
    { edge = "hem", from = "b0", to = "b1" },
    { edge = "side", from = "b1", to = "b2" },
    { edge = "waist", from = "b2", to = "b3" },
    { edge = "front", from = "b3", to = "b0" },
]
[[fasteners]]
name = "buttons"
kind = "button"
a = "outer"
b = "under"
along = "front"
count = 3
start = "5"
end = "edge_length - 5"
inset = "overlap / 2"
[[fasteners]]
name = "hook"
kind = "hook_eye"
size = "0.8"
a = "outer"
b = "under"
points = [{ a = ["19", "-1"], b = ["19", "-1.5"] }]
"""


def table():
    return tomllib.loads(WRAP)


def fail(data, match, stage="parse"):
    with pytest.raises(InvalidPatternError, match=match):
        definition = parse_definition(data, "wrap.toml")
        evaluate(definition, M)


def test_a_row_is_evenly_spaced_along_its_edge_and_inset_into_the_piece():
    pattern = evaluate(parse_definition(table(), "wrap.toml"), M)
    buttons = [f for f in pattern.fasteners if f.name.startswith("buttons")]
    assert [f.kind for f in buttons] == ["button"] * 3
    # edge "front" runs up x = 20 from y = -30 to 0; the piece lies to its left (x < 20)
    np.testing.assert_allclose([f.a_point for f in buttons], [[17.5, -25.0], [17.5, -15.0], [17.5, -5.0]])
    np.testing.assert_allclose([f.b_point for f in buttons], [f.a_point for f in buttons])
    assert all(f.a == "outer" and f.b == "under" and f.size_cm == 1.2 for f in buttons)  # a button's default size
    hook = pattern.fasteners[-1]
    assert hook.kind == "hook_eye" and hook.size_cm == pytest.approx(0.8)
    np.testing.assert_allclose(hook.b_point, [19.0, -1.5])


def test_a_row_inset_along_a_direction_and_its_buttonholes_face_the_edge():
    data = table()
    data["fasteners"][0]["inset_direction"] = ["-1", "-1"]  # down and in, not square to the edge
    pattern = evaluate(parse_definition(data, "wrap.toml"), M)
    first = pattern.fasteners[0]
    np.testing.assert_allclose(first.a_point, [20.0 - 2.5 / np.sqrt(2), -25.0 - 2.5 / np.sqrt(2)])
    np.testing.assert_allclose(first.opening, [1.0, 0.0])  # square to the edge, towards it
    assert pattern.fasteners[-1].opening is None  # explicit points name no edge


def test_a_row_follows_the_size_and_parameters():
    wide = evaluate(parse_definition(table(), "wrap.toml"), M, {"overlap": 8.0})
    assert wide.fasteners[0].a_point[0] == pytest.approx(16.0)


def test_fasteners_survive_unfolding():
    pattern = evaluate(parse_definition(table(), "wrap.toml"), M)
    assert unfold_pattern(pattern).fasteners == pattern.fasteners


def test_a_point_outside_its_panel_is_named():
    data = table()
    data["fasteners"][0]["inset"] = "overlap + 1"  # 6 cm in: past the under piece's edge at x = 15
    fail(data, r"fastener 1 'buttons', fastener 1: 'b' \(under\) point \(14.00, -25.00\) cm lies 1.00 cm "
               r"outside panel 'under'")


def test_explicit_points_outside_are_named():
    data = table()
    data["fasteners"][1]["points"][0]["a"] = ["25", "-1"]
    fail(data, r"fastener 2 'hook'.*'a' \(outer\) point \(25.00, -1.00\) cm lies 5.00 cm outside panel 'outer'")


@pytest.mark.parametrize("change, match", [
    (dict(kind="rivet"), r"fastener 1 'buttons': unknown fastener kind 'rivet'.*a zip is a seam"),
    (dict(b="lining"), r"fastener 1 'buttons': field 'b' names no panel 'lining'"),
    (dict(b="outer"), r"fastens panel 'outer' to itself"),
    (dict(along="placket"), r"'along' names unknown edge 'placket' \(edges: hem, front, waist, side\)"),
    (dict(count=0), r"'count' must be an integer from 1 to 200"),
    (dict(end="edge_length + 2"), r"start 5 cm and end 32 cm must lie along edge 'front' \(0 <= start <= end <= 30.00"),
    (dict(inset="1 / 0"), r"fastener 1 'buttons', inset"),
    (dict(size="-1"), r"fastener 1 'buttons': size -1 cm is outside"),
    (dict(points=[{"a": ["1", "2"], "b": ["1", "2"]}]), r"give either a row .* or explicit 'points'"),
    (dict(offset=["1"]), r"offset: must be a list of two formulas"),
    (dict(inset_direction=["1"]), r"inset_direction: must be a list of two formulas"),
    (dict(inset_direction=["0", "overlap - overlap"]), r"fastener 1 'buttons'.*inset_direction must not be \(0, 0\)"),
])
def test_bad_declarations_name_the_fastener_and_field(change, match):
    data = table()
    data["fasteners"][0].update(change)
    fail(data, match)


def test_points_need_both_layers():
    data = table()
    data["fasteners"][1]["points"] = [{"a": ["19", "-1"]}]
    fail(data, r"fastener 2 'hook', point 1, b: must be a list of two formulas")


def test_a_zip_is_a_seam_of_kind_zip_and_other_kinds_are_refused():
    data = table()
    data["seams"] = [{"a": "outer.side", "b": "under.side", "kind": "zip"}]
    pattern = evaluate(parse_definition(data, "wrap.toml"), M)
    assert [s.kind for s in pattern.seams] == ["zip"]
    data["seams"][0]["kind"] = "velcro"
    fail(data, r"seam 1: unknown seam kind 'velcro' \(expected one of seam, zip, gather\)")
