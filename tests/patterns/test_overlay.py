"""The pattern overlay SVG: every piece before and after, the moved ones labelled with how far they moved."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import resolve_parameters
from garment3d.patterns.overlay import pattern_overlay_svg
from garment3d.sizes import parse_size

SVG = "{http://www.w3.org/2000/svg}"


def _skirt(**parameters):
    definition = get_definition("a_line_skirt")
    size = parse_size("160/84A")
    return evaluate(definition, size.measurements, resolve_parameters(definition, parameters), size.label)


def test_overlay_shows_both_outlines_and_how_far_the_hem_moved():
    svg = pattern_overlay_svg(_skirt(), _skirt(length=70), "revision 1", "proposal")
    root = ET.fromstring(svg)
    pieces = root.findall(f"{SVG}g[@class='piece']")
    assert len(pieces) == len(_skirt().panels) >= 2
    for piece in pieces:
        assert {p.get("class") for p in piece.findall(f"{SVG}path")} == {"before", "after"}
        info = [t.text for t in piece.findall(f"{SVG}text") if t.get("class") == "info"][0]
        # the hem 10 cm lower and nothing further; measured between the outlines' points (a blended
        # flare's sides are not the same line at both lengths), so the label can be a little under 10
        assert info.startswith("moved up to ") and info.endswith(" cm"), info
        assert 9.0 <= float(info.split()[3]) <= 10.0, info
    assert "revision 1" in svg and "proposal" in svg


def test_overlay_of_the_same_pattern_says_unchanged():
    svg = pattern_overlay_svg(_skirt(), _skirt())
    assert svg.count(">unchanged<") == len(_skirt().panels)
