import tomllib

import numpy as np
import pytest

from garment3d.errors import InvalidPatternError, UnknownPatternError
from garment3d.patterns import evaluate, get_definition, list_patterns, parse_definition_text
from garment3d.patterns.definition import parse_definition
from garment3d.settings import get_settings
from garment3d.types import Measurements

M = Measurements(160.0, 84.0, 68.0, 90.0)


def skirt_table():
    return tomllib.loads((get_settings().patterns_dir / "a_line_skirt.toml").read_text())


def test_library_lists_and_loads_skirt():
    assert "a_line_skirt" in list_patterns()
    definition = get_definition("a_line_skirt")
    assert {p.name for p in definition.parameters} >= {"length", "flare"}
    assert [p.name for p in definition.panels] == ["front", "back"]


def test_unknown_pattern_lists_known_ones():
    with pytest.raises(UnknownPatternError, match="a_line_skirt"):
        get_definition("../etc/passwd")


def test_outline_that_does_not_close_names_the_panel():
    table = skirt_table()
    table["panels"][0]["outline"][2]["from"] = "hip_r"
    with pytest.raises(InvalidPatternError, match="panel 1 'front'.*does not close"):
        parse_definition(table, "test")


def test_seam_to_missing_edge_is_named():
    table = skirt_table()
    table["seams"][0]["b"] = "back.sleeve"
    with pytest.raises(InvalidPatternError, match="panel 'back' has no edge 'sleeve'"):
        parse_definition(table, "test")


def test_seam_length_mismatch_names_edges_and_millimetres():
    table = skirt_table()
    table["points"]["hem_l"] = ["-hem_r.x", "hem_r.y - 1"]  # left side 1 cm longer than the right
    definition = parse_definition(table, "test")
    with pytest.raises(InvalidPatternError, match=r"seam front\.side_right \(\d+\.\d cm\) and back\.side_left \(\d+\.\d cm\) differ by \d+\.\d mm \(allowed 1\.0 mm\)"):
        evaluate(definition, M)


def test_self_intersecting_outline_is_rejected():
    table = skirt_table()
    table["points"]["hem_c"] = ["0", "100"]  # hem bulges up through the waist
    definition = parse_definition(table, "test")
    with pytest.raises(InvalidPatternError, match="not a simple closed shape"):
        evaluate(definition, M)


def test_clockwise_outline_is_rejected():
    table = skirt_table()
    for panel in table["panels"]:
        panel["outline"] = [
            {**s, "from": s["to"], "to": s["from"]} for s in reversed(panel["outline"])
        ]
    definition = parse_definition(table, "test")
    with pytest.raises(InvalidPatternError, match="clockwise"):
        evaluate(definition, M)


def test_parameter_out_of_range_and_unknown():
    definition = get_definition("a_line_skirt")
    with pytest.raises(InvalidPatternError, match=r"parameter 'length' = 500 cm is outside its range \[35, 110\]"):
        evaluate(definition, M, {"length": 500})
    with pytest.raises(InvalidPatternError, match="unknown parameter 'sleeves'"):
        evaluate(definition, M, {"sleeves": 1})


@pytest.mark.parametrize(
    "text, message",
    [
        (b"\xff\xfe", "not UTF-8"),
        ("name = ", "not valid TOML"),
        ("name = 'x'\n", "missing field 'panels'"),
        ("x" * 300_000, "larger than"),
    ],
)
def test_malformed_uploads_are_rejected(text, message):
    with pytest.raises(InvalidPatternError, match=message):
        parse_definition_text(text, "upload.toml")


def test_uploaded_text_is_the_same_path_as_the_library():
    text = (get_settings().patterns_dir / "a_line_skirt.toml").read_text()
    a = evaluate(parse_definition_text(text, "upload"), M)
    b = evaluate(get_definition("a_line_skirt"), M)
    for pa, pb in zip(a.panels, b.panels):
        np.testing.assert_array_equal(pa.outline, pb.outline)
