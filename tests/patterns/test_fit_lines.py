"""The [fit] table: bust, waist and hip lines, the pattern's girth along them, and clear errors."""

import tomllib

import numpy as np
import pytest

from garment3d.errors import InvalidPatternError
from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.definition import parse_definition
from garment3d.patterns.evaluate import _measurement_names, _points, resolve_parameters
from garment3d.settings import get_settings
from garment3d.sizes import parse_size

M = parse_size("160/84A").measurements


def _table(name: str = "a_line_skirt") -> dict:
    return tomllib.loads((get_settings().patterns_dir / f"{name}.toml").read_text())


def _values(name: str) -> dict:
    definition = get_definition(name)
    names = {**_measurement_names(M), **resolve_parameters(definition, {})}
    return names | {f"{p}.{axis}": v[i] for p, v in _points(definition, names).items() for i, axis in
                    enumerate("xy")}


def test_the_qipao_girths_are_its_drafted_quarters_with_ease():
    """Side seams at the quarter girths plus ease; the four fish darts' intake (2 cm each) is taken out at
    the waist, and the back's two, which rise to the shoulder blades, cross the bust line near their tips:
    the girth is the draft's own less the darts' width on the line."""
    lines = {line.name: line for line in evaluate(get_definition("qipao"), M).fit_lines}
    v = _values("qipao")
    top = -v["ad.x"] - 2  # the back fish darts' upper apex
    at_bust = v["fish_dart"] * (top - v["bp.y"]) / (top - v["b_w.y"])
    assert at_bust > 0.05
    assert lines["bust"].pattern_girth_cm == pytest.approx(M.bust_cm + v["bust_ease"] - 2 * at_bust, abs=0.05)
    assert lines["waist"].pattern_girth_cm == pytest.approx(M.waist_cm + v["waist_ease"], abs=0.05)
    assert lines["hip"].pattern_girth_cm == pytest.approx(M.hip_cm + v["hip_ease"], abs=0.05)
    assert dict(lines["waist"].panels) == pytest.approx({"front": v["f_w.y"], "back": v["b_w.y"]})


def test_a_dart_the_line_crosses_is_not_cloth():
    """The A-line skirt's waist line 1 cm under the waist edge crosses four darts: the girth there is the
    panels' width less the darts' intake at that depth (a dart narrows linearly to its tip)."""
    (waist, hip) = evaluate(get_definition("a_line_skirt"), M).fit_lines
    v = _values("a_line_skirt")
    dart = (v["dart_top_out_r.x"] - v["dart_top_in_r.x"]) * (1 - 1.0 / v["dart_length"])  # its width 1 cm down
    # the side seam at y = -1: the quadratic from the waist corner over its control point to the hip
    (y0, y1, y2), (x0, x1, x2) = (v[f"{p}.y"] for p in ("waist_r", "hipcurve_r", "hip_r")), \
        (v[f"{p}.x"] for p in ("waist_r", "hipcurve_r", "hip_r"))
    t = next(r.real for r in np.roots([y0 - 2 * y1 + y2, 2 * (y1 - y0), y0 + 1.0]) if 0 <= r.real <= 1)
    side = (1 - t) ** 2 * x0 + 2 * t * (1 - t) * x1 + t**2 * x2
    assert waist.below_cm == 1.0
    assert waist.pattern_girth_cm == pytest.approx(4 * side - 4 * dart, abs=0.1)  # two pieces, two halves each
    assert hip.pattern_girth_cm == pytest.approx(4 * v["hip_r.x"], abs=0.05)


def test_library_fit_styles():
    styles = {name: get_definition(name).fit.style for name in ("qipao", "shift_dress", "pencil_skirt",
                                                                "a_line_skirt", "blouse", "t_shirt")}
    assert styles == {"qipao": "fitted", "shift_dress": "fitted", "pencil_skirt": "fitted",
                      "a_line_skirt": "loose", "blouse": "loose", "t_shirt": "loose"}


@pytest.mark.parametrize("change, message", [
    (lambda fit: fit.update(style="snug"), "fit: style must be one of fitted, loose"),
    (lambda fit: fit.update(neck={"at": {"front": "0"}}), r"unknown key\(s\) \['neck'\]"),
    (lambda fit: fit["waist"]["at"].update(sleeve="-1"), "line 'waist': no panel named 'sleeve'"),
    (lambda fit: fit["waist"]["at"].update(front="-1 +"), "line 'waist' on 'front'"),
    (lambda fit: fit.update(waist="-1"), "line 'waist': must be a table with at ="),
    (lambda fit: (fit.update(style="fitted"), fit.pop("waist")), "a fitted garment must mark its waist line"),
])
def test_a_bad_fit_table_is_refused_naming_what_is_wrong(change, message):
    table = _table()
    change(table["fit"])
    with pytest.raises(InvalidPatternError, match=message):
        parse_definition(table, "test")


def test_a_line_that_misses_a_piece_names_the_line_the_piece_and_its_span():
    table = _table()
    table["fit"]["hip"]["at"]["back"] = "-200"
    definition = parse_definition(table, "test")
    with pytest.raises(InvalidPatternError, match=r"fit line 'hip'.*y = -200.0 cm misses panel 'back' \(it spans y"):
        evaluate(definition, M)
    table["fit"]["waist"]["below"] = "hip_depth * 3"
    table["fit"]["hip"]["at"]["back"] = "-hip_depth"
    with pytest.raises(InvalidPatternError, match="fit line 'waist'.*within 30 cm of its landmark"):
        evaluate(parse_definition(table, "test"), M)


def test_an_overlap_between_two_listed_pieces_counts_once():
    """The blouse's two fronts lap by twice the button extension at centre front: listed with the back,
    the pieces' widths less that overlap are the garment's girth."""
    v = _values("blouse")
    blouse = evaluate(get_definition("blouse"), M)
    bust = next(line for line in blouse.fit_lines if line.name == "bust")
    assert {panel for panel, _ in bust.panels} == {"front_right", "front_left", "back"}
    fronts_and_back = bust.pattern_girth_cm + 2 * v["button_extension"]
    table = _table("blouse")
    table["fit"]["bust"].pop("overlap")
    whole = next(line for line in evaluate(parse_definition(table, "test"), M).fit_lines if line.name == "bust")
    assert whole.pattern_girth_cm == pytest.approx(fronts_and_back)
    for bad in ("-1", "200"):
        table["fit"]["bust"]["overlap"] = bad
        with pytest.raises(InvalidPatternError, match=r"fit line 'bust'.*overlap = .* must be at least 0 and less"):
            evaluate(parse_definition(table, "test"), M)
