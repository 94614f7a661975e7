"""Cut on fold, per-edge allowances, declared notches and internal lines through the exports."""

import dataclasses
import re
import zlib

import ezdxf
import numpy as np
import pytest
import shapely
from pattern_samples import folded_skirt, polygon_pattern

from garment3d.errors import InvalidPatternError
from garment3d.patterns.consumption import estimate_marker
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.patterns.fold import unfold
from garment3d.patterns.formats import cut_pieces, read_dxf, read_svg, write_dxf, write_pattern_svg
from garment3d.patterns.formats.imported import ImportedPiece, _fold_edge
from garment3d.patterns.formats.pdf import write_pdf
from garment3d.types import PanelEdge

TOLERANCE_CM = 0.01  # 0.1 mm


@pytest.fixture(scope="module")
def folded():
    return folded_skirt()


def _distance_to_sew(piece, points) -> np.ndarray:
    return shapely.distance(shapely.points(points), shapely.Polygon(piece.sew_line).exterior)


def _edge_offset(pattern, panel: str, edge: str, cut_line: np.ndarray) -> float:
    """How far the cut line runs from the middle of a sew-line edge (the allowance there)."""
    points = pattern.panel(panel).edge_points(edge)
    middle = shapely.LineString(points).interpolate(0.5, normalized=True)
    return float(shapely.Polygon(cut_line).exterior.distance(middle))


def test_folded_piece_has_no_allowance_along_the_fold_and_the_panels_own_elsewhere(folded):
    front, back = cut_pieces(folded)
    for piece in (front, back):
        assert piece.fold_line is not None
        np.testing.assert_allclose(piece.fold_line[:, 0], 0.0, atol=1e-9)  # on the fold line x = 0 ...
        assert piece.cut_line[:, 0].min() == pytest.approx(0.0, abs=1e-9)  # ... which is the cut line there
        # the fold mark runs the whole height of the cut piece: hem allowance 3 cm below, waist 1 cm above
        assert piece.fold_line[:, 1].min() == pytest.approx(-60.0 - 3.0, abs=1e-3)
        assert piece.fold_line[:, 1].max() == pytest.approx(1.0, abs=1e-2)
        assert _edge_offset(folded, piece.name, "hem", piece.cut_line) == pytest.approx(3.0, abs=1e-6)
        assert _edge_offset(folded, piece.name, "side", piece.cut_line) == pytest.approx(1.0, abs=1e-6)
        whole = shapely.Polygon(piece.unfolded_cut_line)
        assert whole.is_valid and shapely.is_ccw(whole.exterior)
        assert piece.area_cm2 == pytest.approx(2 * shapely.Polygon(piece.cut_line).area, rel=1e-9)
        assert whole.contains(shapely.Polygon(unfold(folded.panel(piece.name)).outline))


def test_caller_allowance_overrides_the_panels_own(folded):
    (front, _) = cut_pieces(folded, {"side": 2.0})
    assert _edge_offset(folded, "front", "side", front.cut_line) == pytest.approx(2.0, abs=1e-6)
    assert _edge_offset(folded, "front", "hem", front.cut_line) == pytest.approx(3.0, abs=1e-6)  # still its own
    (front, _) = cut_pieces(folded, {"*": 0.5})
    assert _edge_offset(folded, "front", "side", front.cut_line) == pytest.approx(0.5, abs=1e-6)
    assert _edge_offset(folded, "front", "hem", front.cut_line) == pytest.approx(3.0, abs=1e-6)
    (front, _) = cut_pieces(folded, 1.5)  # one number: every edge, the fold still none
    assert _edge_offset(folded, "front", "hem", front.cut_line) == pytest.approx(1.5, abs=1e-6)
    assert front.cut_line[:, 0].min() == pytest.approx(0.0, abs=1e-9)
    (front, _) = cut_pieces(folded, {"centre": 2.0})
    assert front.cut_line[:, 0].min() == pytest.approx(0.0, abs=1e-9)


def test_declared_notches_and_lines_are_on_the_cut_piece(folded):
    front = cut_pieces(folded)[0]
    panel = folded.panel("front")
    declared = [shapely.LineString(panel.edge_points(e)).interpolate(d) for e, d in panel.notches]
    for point in declared:  # each declared notch is a slit pointing at its sew-line point
        lines = [shapely.LineString([n[0], n[0] + 100 * (n[1] - n[0])]) for n in front.notches]
        assert min(line.distance(point) for line in lines) < 1e-9
    assert len(front.notches) == 3  # side balance notch + the two declared
    assert any(np.allclose(line, [[3.0, -12.0], [14.0, -12.0]]) for line in front.internal_lines)


def _match_notches(found: np.ndarray, expected: np.ndarray) -> None:
    assert found.shape == expected.shape
    for notch in expected:
        assert np.abs(found - notch).max(axis=(1, 2)).min() < TOLERANCE_CM


def _check_round_trip(pieces, source) -> None:
    for piece in pieces:
        original = source[piece.name]
        assert piece.fold_line is not None
        assert np.abs(piece.fold_line - original.fold_line).max() < TOLERANCE_CM
        assert shapely.Polygon(piece.cut_line).symmetric_difference(shapely.Polygon(original.cut_line)).area < 0.05
        gap = shapely.distance(shapely.points(piece.cut_line), shapely.Polygon(original.cut_line).exterior).max()
        assert gap < TOLERANCE_CM  # allowances survive
        _match_notches(piece.notches, original.notches)
        for line in original.internal_lines:
            assert min(np.abs(found - line).max() for found in piece.internal_lines if found.shape == line.shape) \
                < TOLERANCE_CM


@pytest.mark.parametrize("variant", ["aama", "astm"])
def test_dxf_round_trip_keeps_fold_notches_lines_and_allowances(tmp_path, folded, variant):
    path = write_dxf(folded, tmp_path / "folded.dxf", variant=variant)
    doc = ezdxf.readfile(path)
    auditor = doc.audit()
    assert not auditor.has_errors, [str(e) for e in auditor.errors]
    block = doc.blocks["folded_skirt-front_160-84A"]
    assert len(block.query('LINE[layer=="6"]')) == 1
    assert [t.dxf.text for t in block.query('TEXT[layer=="6"]')] == ["CUT ON FOLD"]
    result = read_dxf(path)
    assert [p.name for p in result.pieces] == ["front", "back"]
    _check_round_trip(result.pieces, {p.name: p for p in cut_pieces(folded)})


def test_svg_round_trip_keeps_fold_notches_lines_and_allowances(tmp_path, folded):
    path = write_pattern_svg(folded, tmp_path / "folded.svg")
    text = path.read_text()
    assert text.count('class="fold"') == 2 and text.count(">CUT ON FOLD</text>") == 2
    _check_round_trip(read_svg(path).pieces, {p.name: p for p in cut_pieces(folded)})


def test_pdf_marks_the_fold(tmp_path, folded):
    data = write_pdf(folded, tmp_path / "folded.pdf").read_bytes()
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    pages = b"".join(zlib.decompress(s) for s in streams if s[:1] == b"x")
    assert pages.count(b"(CUT ON FOLD) Tj") == 2


def test_marker_lays_the_whole_piece(folded):
    estimate = estimate_marker(folded, 150, resolution_cm=1.0)
    whole = sum(p.area_cm2 for p in cut_pieces(folded))
    assert estimate.pieces_area_cm2 == pytest.approx(whole)
    for placed in estimate.placements:
        assert shapely.Polygon(placed.polygon).area == pytest.approx(whole / 2, rel=1e-6)
    assert edge_length_cm(unfold(folded.panel("front")), "hem") > 2 * 27.0


def test_imported_fold_becomes_a_panel_cut_on_fold(tmp_path, folded):
    dxf = read_dxf(write_dxf(folded, tmp_path / "f.dxf"))
    for imported in (dxf, read_svg(write_pattern_svg(folded, tmp_path / "f.svg"))):
        pattern = imported.to_pattern()
        for panel in pattern.panels:
            assert panel.fold is not None
            whole = shapely.Polygon(unfold(panel).outline)
            assert whole.area == pytest.approx(shapely.Polygon(unfold(folded.panel(panel.name)).outline).area, rel=1e-4)
        assert imported.pieces[0].area_cm2 == pytest.approx(cut_pieces(folded)[0].area_cm2, rel=1e-4)


def test_imported_fold_splits_an_edge_at_the_fold():
    square = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]])
    piece = ImportedPiece("p", "", 1, square, fold_line=np.array([[0.0, 10.0], [0.0, 0.0]]))
    edges, fold = _fold_edge(piece, square, (PanelEdge("e0", 0, 2), PanelEdge("e1", 2, 0)))
    assert fold == "fold" and edges == (PanelEdge("e0", 0, 2), PanelEdge("e1", 2, 3), PanelEdge("fold", 3, 0))


@pytest.mark.parametrize(
    "change, message",
    [({"notches": (("sleeve", 1.0),)}, "notch on 'sleeve'"), ({"notches": (("e0", 99.0),)}, "outside edge 'e0'"),
     ({"notches": (("e3", 1.0),), "fold": "e3"}, "notch on 'e3'"),
     ({"internal_lines": (np.array([1.0, 2.0]),)}, "internal line")],
)
def test_bad_marks_on_a_panel_are_named(change, message):
    pattern = polygon_pattern([(0, 0), (20, 0), (20, 30), (0, 30)])
    panel = dataclasses.replace(pattern.panels[0], **change)
    with pytest.raises(InvalidPatternError, match=message):
        cut_pieces(dataclasses.replace(pattern, panels=(panel,)))
