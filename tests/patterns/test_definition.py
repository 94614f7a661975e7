import tomllib
from pathlib import Path

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


# --------------------------------------------------------------------------- arcs, folds, allowances, notches, lines

FOLDED = Path(__file__).parent / "formats" / "folded_skirt.toml"


def folded_table():
    return tomllib.loads(FOLDED.read_text())


def test_folded_definition_parses_every_new_key():
    definition = parse_definition(folded_table(), "test")
    front = definition.panels[0]
    assert front.fold == "centre"
    assert front.allowance == (("*", 1.0), ("hem", 3.0))
    assert front.notches == (("side", "10"), ("waist", "dist(cf_waist, side_waist) / 2"))
    assert front.lines == (("pocket_a", "pocket_b"),)
    assert front.segments[0].curve == "arc" and front.segments[0].controls == ("hem_mid",)
    assert set(front.fold_neighbours()) == {"hem", "waist"}
    assert str(definition.seams[0].b) == "back.side@mirror"


def _mutate(change):
    table = folded_table()
    change(table)
    return table


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t["panels"][0]["outline"][0].pop("through"),
         r"panel 1 'front', outline segment 1 \(edge 'hem'\): an arc needs 'through'"),
        (lambda t: t["panels"][0]["outline"][1].update(through="hem_mid"),
         r"panel 1 'front', outline segment 2 \(edge 'side'\): 'through' belongs to curve = \"arc\""),
        (lambda t: t["panels"][0].update(fold="hem"),
         r"panel 1 'front'.*fold edge 'hem' must be exactly one straight line segment \(it is a 'arc' curve\)"),
        (lambda t: t["panels"][0].update(fold="sleeve"), r"panel 1 'front'.*fold edge 'sleeve' is not an edge"),
        (lambda t: t["panels"][0].update(fold=3), r"panel 1 'front', fold.*not a valid name"),
        (lambda t: t["panels"][0]["outline"].insert(3, {"edge": "centre", "from": "cf_waist", "to": "pocket_a"})
         or t["panels"][0]["outline"][4].update({"from": "pocket_a"}),
         r"panel 1 'front'.*fold edge 'centre' must be exactly one straight line segment \(it is 2 segments\)"),
        (lambda t: t["panels"][0].update(allowance={"hem": 11}),
         r"panel 1 'front', allowance 'hem': 11 cm is outside 0-10"),
        (lambda t: t["panels"][0].update(allowance={"*": -1}), r"panel 1 'front', allowance '\*': -1 cm is outside"),
        (lambda t: t["panels"][0].update(allowance={"hem": "3"}), r"allowance 'hem': must be a number"),
        (lambda t: t["panels"][0].update(allowance={"hemline": 1.0}), r"allowance names unknown edge 'hemline'"),
        (lambda t: t["panels"][0].update(allowance={"centre": 1.0}), r"allowance names the fold edge 'centre'"),
        (lambda t: t["panels"][0].update(allowance=[1.0]), r"panel 1 'front': 'allowance' must be a table"),
        (lambda t: t["panels"][0].update(notches=[{"edge": "sleeve", "at": "1"}]),
         r"panel 1 'front', notch 1, edge: notch names unknown edge 'sleeve'"),
        (lambda t: t["panels"][0].update(notches=[{"edge": "side"}]), r"notch 1: missing field 'at'"),
        (lambda t: t["panels"][0].update(notches=[{"edge": "side", "at": "1 +"}]),
         r"notch 1 on 'side', at: cannot parse formula"),
        (lambda t: t["panels"][0].update(notches={"edge": "side"}), r"'notches' must be a list of tables"),
        (lambda t: t["panels"][0].update(lines=[{"from": "pocket_a", "to": "pocket_a"}]),
         r"panel 1 'front', line 1: runs from 'pocket_a' to itself"),
        (lambda t: t["panels"][0].update(lines=[{"from": "pocket_a"}]), r"panel 1 'front', line 1, to"),
        (lambda t: t["seams"][0].update(b="back.centre"), r"seam 1: back.centre is the fold of panel 'back'"),
        (lambda t: t["seams"][0].update(b="back.hem@mirror"),
         r"back.hem@mirror: edge 'hem' meets the fold of 'back' and joins its mirror"),
        (lambda t: t["seams"][0].update(b="back.sleeve@mirror"), r"panel 'back' has no edge 'sleeve'"),
        (lambda t: t["seams"][0].update(b="back.side@mirrored"), r"'side@mirrored' is not a valid name"),
        (lambda t: t["panels"][1].pop("fold"), r"back.side@mirror: panel 'back' is not cut on fold"),
    ],
)
def test_new_keys_report_the_panel_and_edge(change, message):
    with pytest.raises(InvalidPatternError, match=message):
        parse_definition(_mutate(change), "test")


@pytest.mark.parametrize(
    "key, value",
    [("fold", None), ("fold", []), ("allowance", None), ("allowance", {"*": float("nan")}), ("notches", [1]),
     ("notches", [{"edge": None, "at": 1}]), ("notches", [{"edge": "side", "at": None}]), ("lines", "x"),
     ("lines", [{"from": 1, "to": 2}]), ("grain", [True, 1]), ("grain", [float("inf"), 0])],
)
def test_garbage_in_new_keys_is_an_invalid_pattern_error(key, value):
    with pytest.raises(InvalidPatternError):
        parse_definition(_mutate(lambda t: t["panels"][0].update({key: value})), "test")


GARBAGE = [None, 0, -1, 1e309, float("nan"), True, "", "x", "hem", "centre", "a b", "side@mirror", [], [1, 2],
           {}, {"edge": "side"}, [{"edge": "side", "at": "1e9"}], {"*": 3}]


@pytest.mark.parametrize("value", GARBAGE, ids=repr)
@pytest.mark.parametrize(
    "path",
    [("panels", 0, "fold"), ("panels", 0, "allowance"), ("panels", 0, "notches"), ("panels", 0, "lines"),
     ("panels", 0, "grain"), ("panels", 0, "outline", 0, "through"), ("panels", 0, "outline", 0, "curve"),
     ("panels", 0, "outline", 3, "to"), ("panels", 0, "notches", 0, "at"), ("panels", 0, "lines", 0, "to"),
     ("seams", 0, "b"), ("anchors", "edges")],
)
def test_any_value_anywhere_is_accepted_or_an_invalid_pattern_error(path, value):
    """Never another exception: parsing, evaluating and cutting a mutated definition."""
    from garment3d.patterns.formats import cut_pieces

    table = folded_table()
    target = table
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    try:
        cut_pieces(evaluate(parse_definition(table, "test"), M))
    except InvalidPatternError as exc:
        assert str(exc).startswith("test") or str(exc).startswith("folded_skirt")


@pytest.mark.parametrize("key, value", [("anchors", 1), ("anchors", {"edges": "front.waist"}), ("measurements", 3),
                                         ("measurements", "waist"),
                                         ("seams", [{"a": "front.side", "b": "back.side@mirror", "reversed": "no"}])])
def test_top_level_garbage_is_an_invalid_pattern_error(key, value):
    table = folded_table()
    table[key] = value
    with pytest.raises(InvalidPatternError, match="'(anchors|measurements|reversed)' must be"):
        parse_definition(table, "test")


def test_fabric_stretch_is_the_fabrics_or_the_drafted_for_and_not_a_parameter():
    from garment3d.fabrics import load_fabric

    table = skirt_table()
    table["fabric_stretch"] = 30.0
    table["points"]["hem_r"][0] = f"({table['points']['hem_r'][0]}) + fabric_stretch / 10"
    definition = parse_definition(table, "test")
    assert definition.fabric_stretch == 30.0
    drafted = evaluate(definition, M).panel("front").outline[:, 0].max()
    jersey = load_fabric("jersey_cotton")
    cut = evaluate(definition, M, fabric=jersey).panel("front").outline[:, 0].max()
    assert jersey.stretch_percent == pytest.approx(40.0)
    assert cut - drafted == pytest.approx((40.0 - 30.0) / 10, abs=1e-6)
    table["fabric_stretch"] = 250.0
    with pytest.raises(InvalidPatternError, match=r"fabric_stretch 250 % is outside \[0, 200\]"):
        parse_definition(table, "test")
    table["fabric_stretch"] = 0.0
    table["parameters"]["fabric_stretch"] = {"default": 1.0, "min": 0.0, "max": 2.0}
    with pytest.raises(InvalidPatternError, match="parameter 'fabric_stretch'"):
        parse_definition(table, "test")
