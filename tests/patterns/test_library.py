"""Every garment in the library, at every size of its size system: valid pieces,
matched seams, and exports that reopen with the same geometry."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from garment3d.patterns import evaluate, get_definition, list_patterns
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.patterns.fold import unfold_pattern
from garment3d.patterns.formats import cut_pieces, read_dxf, read_svg, write_dxf, write_pattern_svg
from garment3d.sizes import parse_size

# GB/T 1335.2 women: the A series from 150/76A to 180/100A, and each other
# body type at two sizes.
SIZES = [
    "150/76A", "155/80A", "160/84A", "165/88A", "170/92A", "175/96A", "180/100A",
    "155/80Y", "165/88Y", "155/84B", "165/92B", "160/88C", "170/96C",
]
LIBRARY = list_patterns()


def _pattern(name: str, label: str):
    size = parse_size(label)
    return evaluate(get_definition(name), size.measurements, size_label=label)


@pytest.mark.parametrize("label", SIZES)
@pytest.mark.parametrize("name", LIBRARY)
def test_every_garment_evaluates_at_every_size_with_valid_pieces(name, label):
    pattern = _pattern(name, label)
    assert pattern.panels and pattern.size_label == label
    for panel in pattern.panels:
        polygon = shapely.Polygon(panel.outline)
        # garment-sized: the smallest piece, the trousers' waistband tab, is at least 2.5 cm square
        assert polygon.is_valid and polygon.area > 6.0, f"{name} {label} {panel.name}"
        assert shapely.LinearRing(panel.outline).is_ccw
        assert np.all(np.isfinite(panel.outline))
        covered = sum(len(panel.edge_points(e.name)) - 1 for e in panel.edges)
        assert covered == len(panel.outline)  # edges cover the outline once
    whole = unfold_pattern(pattern)  # seams may name the mirrored half of a piece cut on fold
    for seam in whole.seams:
        a = edge_length_cm(whole.panel(seam.a.panel), seam.a.edge)
        b = edge_length_cm(whole.panel(seam.b.panel), seam.b.edge)
        assert a > 0.5 and b > 0.5


def test_library_has_the_garments_the_product_promises():
    assert len(LIBRARY) >= 8
    for name in LIBRARY:
        definition = get_definition(name)
        assert definition.description and definition.label != name
        assert definition.parameters, f"{name} has no style parameters"


@pytest.mark.parametrize("name", LIBRARY)
def test_every_garment_exports_to_dxf_and_svg_and_reopens_unchanged(tmp_path, name):
    patterns = [_pattern(name, "155/80A"), _pattern(name, "170/92A")]
    nest = read_dxf(write_dxf(patterns, tmp_path / f"{name}.dxf"))
    assert nest.sizes == ("155/80A", "170/92A")
    for pattern in patterns:
        expected = {p.name: p for p in cut_pieces(pattern)}
        got = {p.name: p for p in nest.pieces if p.size == pattern.size_label}
        assert sorted(got) == sorted(expected)
        for piece_name, piece in got.items():
            assert np.abs(piece.cut_line - expected[piece_name].cut_line).max() < 0.01  # cm
            assert np.abs(piece.sew_line - expected[piece_name].sew_line).max() < 0.01
    svg = read_svg(write_pattern_svg(patterns[0], tmp_path / f"{name}.svg"))
    reopened = svg.to_pattern()
    for panel in reopened.panels:
        assert np.abs(panel.outline - patterns[0].panel(panel.name).outline).max() < 0.01
