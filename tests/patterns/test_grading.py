"""Graded nests: one definition at several sizes, aligned at the grading reference point, as one file."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from garment3d.errors import InvalidMeasurementsError, InvalidPatternError, InvalidRequestError
from garment3d.patterns import evaluate, get_definition, list_patterns
from garment3d.patterns.formats import cut_pieces, read_dxf
from garment3d.patterns.grading import SIZE_COLOURS, align_pattern, grade, reference_point, write_nest
from garment3d.sizes import parse_size, sizes_of

NS = {"svg": "http://www.w3.org/2000/svg"}
SIZES = ["155/80A", "160/84A", "165/88A"]


@pytest.fixture(scope="module")
def skirt():
    return get_definition("a_line_skirt")


@pytest.fixture(scope="module")
def nest(skirt):
    return grade(skirt, SIZES)


def test_every_size_is_evaluated_with_the_same_parameters(skirt):
    nest = grade(skirt, SIZES, {"length": 70})
    assert nest.labels == tuple(SIZES) and len(nest.patterns) == 3
    for size, pattern in zip(nest.sizes, nest.patterns):
        assert pattern.size_label == size.label and dict(pattern.parameters)["length"] == 70
    widths = [np.ptp(p.panel("front").outline[:, 0]) for p in nest.patterns]
    assert widths[0] < widths[1] < widths[2]  # the pieces grow with the size


def test_anchor_reference_is_the_top_centre_where_the_piece_hangs(nest):
    for pattern in nest.patterns:
        for panel in pattern.panels:
            low, high = panel.outline.min(axis=0), panel.outline.max(axis=0)
            assert (low[0] + high[0]) / 2 == pytest.approx(0.0, abs=1e-9)
            assert high[1] == pytest.approx(0.0, abs=1e-9)
            np.testing.assert_allclose(reference_point(panel, "anchor"), 0.0, atol=1e-9)


def test_alignment_only_translates(skirt):
    size = parse_size("160/84A")
    pattern = evaluate(skirt, size.measurements, size_label=size.label)
    aligned = align_pattern(pattern)
    for before, after in zip(pattern.panels, aligned.panels):
        shift = before.outline - after.outline
        np.testing.assert_allclose(shift, np.broadcast_to(shift[0], shift.shape), atol=1e-9)
        assert before.edges == after.edges
    origin = grade(skirt, ["160/84A"], reference="origin").patterns[0]
    np.testing.assert_array_equal(origin.panel("front").outline, pattern.panel("front").outline)


def test_svg_overlays_every_size_in_its_colour_with_a_legend(tmp_path, nest):
    path = write_nest(nest, tmp_path / "nest.svg")
    root = ET.parse(path).getroot()
    assert root.get("data-kind") == "graded-nest" and root.get("data-reference") == "anchor"
    legend = root.findall(".//svg:g[@class='legend-entry']", NS)
    assert [e.get("data-size") for e in legend] == SIZES
    pieces = root.findall(".//svg:g[@class='nest-piece']", NS)
    assert sorted(p.get("data-piece") for p in pieces) == ["back", "front"]
    for group in pieces:
        cuts = group.findall(".//svg:path[@class='cut']", NS)
        assert [c.get("data-size") for c in cuts] == SIZES
        assert [c.get("stroke") for c in cuts] == list(SIZE_COLOURS[:3])
        # all sizes share one translation: the cut lines are the aligned pieces, in mm
        for cut, pattern in zip(cuts, nest.patterns):
            numbers = np.array([float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", cut.get("d"))]).reshape(-1, 2)
            expected = {p.name: p for p in cut_pieces(pattern)}[group.get("data-piece")].cut_line * 10.0
            np.testing.assert_allclose(numbers, expected, atol=0.01)
        assert len(group.findall(".//svg:line[@class='grain']", NS)) == 1


def test_dxf_nest_reopens_with_every_size_stacked(tmp_path, nest):
    reopened = read_dxf(write_nest(nest, tmp_path / "nest.dxf"))
    assert reopened.sizes == tuple(SIZES)
    for pattern in nest.patterns:
        expected = {p.name: p for p in cut_pieces(pattern)}
        got = {p.name: p for p in reopened.pieces if p.size == pattern.size_label}
        assert sorted(got) == sorted(expected)
        for name, piece in got.items():
            assert np.abs(piece.cut_line - expected[name].cut_line).max() < 0.01


def test_pdf_nest_is_one_full_size_page(tmp_path, nest):
    data = write_nest(nest, tmp_path / "nest.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", data)
    assert len(pages) == 1
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    width_mm = float(box.group(1)) / 72 * 25.4
    widest_cut_mm = max(np.ptp(p.cut_line[:, 0]) for p in cut_pieces(nest.patterns[-1])) * 10
    assert width_mm > widest_cut_mm  # 1:1, not shrunk onto paper


def test_international_and_gbt_sizes_mix_in_one_nest(skirt):
    nest = grade(skirt, [*sizes_of("international"), "M170/88A"])
    assert nest.labels == ("W-XS", "W-S", "W-M", "W-L", "W-XL", "W-XXL", "M170/88A")


@pytest.mark.parametrize(
    "sizes, kwargs, error, words",
    [
        (["160/84A", "XXXL"], {}, InvalidMeasurementsError, "size 'XXXL'"),
        (["160/84A", "160/84A"], {}, InvalidMeasurementsError, "160/84A given more than once"),
        ([], {}, InvalidMeasurementsError, "at least one size"),
        ([*sizes_of("gbt"), *sizes_of("international")], {}, InvalidMeasurementsError,
         "at most 12 sizes, not 13"),
        (["160/84A"], {"reference": "armpit"}, InvalidRequestError, "unknown grading reference 'armpit'"),
        (["160/84A"], {"parameters": {"length": 500}}, InvalidPatternError, "parameter 'length'"),
    ],
)
def test_bad_nests_name_the_problem(skirt, sizes, kwargs, error, words):
    with pytest.raises(error, match=re.escape(words)):
        grade(skirt, sizes, **kwargs)


def test_unknown_format_is_refused(tmp_path, nest):
    with pytest.raises(InvalidRequestError, match="unknown export format 'png'"):
        write_nest(nest, tmp_path / "nest.png")
    assert not (tmp_path / "nest.png").exists()


@pytest.mark.parametrize("name", list_patterns())
def test_every_library_garment_grades_into_one_svg(tmp_path, name):
    definition = get_definition(name)
    nest = grade(definition, ["155/80A", "170/92A"])
    root = ET.parse(write_nest(nest, tmp_path / f"{name}.svg")).getroot()
    pieces = root.findall(".//svg:g[@class='nest-piece']", NS)
    assert sorted(p.get("data-piece") for p in pieces) == sorted(p.name for p in definition.panels)
    for group in pieces:
        assert len(group.findall(".//svg:path[@class='cut']", NS)) == 2


def test_a_piece_cut_on_fold_is_graded_at_the_top_of_its_fold(tmp_path):
    from pathlib import Path

    from garment3d.patterns import load_definition

    definition = load_definition(Path(__file__).parent / "formats" / "folded_skirt.toml")
    nest = grade(definition, ["155/80A", "170/92A"])
    for pattern in nest.patterns:
        front = pattern.panel("front")
        fold = front.edge_points(front.fold)
        np.testing.assert_allclose(fold[:, 0], 0.0, atol=1e-9)  # the fold (centre front) stays put
        assert fold[:, 1].max() == pytest.approx(0.0, abs=1e-9)
    root = ET.parse(write_nest(nest, tmp_path / "folded.svg")).getroot()
    assert len(root.findall(".//svg:g[@class='nest-piece']", NS)) == 2


def test_nests_keep_each_edge_s_own_seam_allowance(tmp_path):
    """The pencil skirt declares a 4 cm hem: the nest's cut line reaches 4 cm below its sew line."""
    nest = grade(get_definition("pencil_skirt"), ["155/80A", "170/92A"])
    result = read_dxf(write_nest(nest, tmp_path / "pencil.dxf"))
    for piece in result.pieces:
        assert piece.sew_line[:, 1].min() - piece.cut_line[:, 1].min() == pytest.approx(4.0, abs=0.05)
