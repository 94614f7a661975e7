"""The pattern overlay SVG: every piece before and after, the moved ones labelled with how far they moved."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import numpy as np

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.evaluate import resolve_parameters
from garment3d.patterns.overlay import outline_shift_cm, pattern_overlay_svg
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
        # the hem 10 cm lower and nothing further: the hem's points matched along it moved 10 cm (the nearest
        # points of the two outlines read 9.x, the blended flare's sides not being one line at both lengths)
        assert info == "moved up to 10.0 cm", info
    assert "revision 1" in svg and "proposal" in svg


def test_overlay_of_the_same_pattern_says_unchanged():
    svg = pattern_overlay_svg(_skirt(), _skirt())
    assert svg.count(">unchanged<") == len(_skirt().panels)


def test_shift_matches_points_along_each_edge_not_the_nearest_ones():
    before, after = _skirt(), _skirt(length=75)
    for old, new in zip(before.panels, after.panels):
        assert abs(outline_shift_cm(old, new) - 15.0) < 0.05
        # an edge slid along itself (its points matched by share of its length) reads as moved, though every
        # point of it still lies on the old line
        slid = replace(old, outline=np.roll(old.outline, 1, axis=0))
        assert outline_shift_cm(old, slid) > 1.0
        assert outline_shift_cm(old, old) == 0.0
