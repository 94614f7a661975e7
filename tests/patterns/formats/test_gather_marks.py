"""Gathered edges and interfaced pieces in the exports (SVG, PDF, DXF) and back from DXF."""

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import ezdxf
import numpy as np
import pytest
import shapely

from garment3d.errors import InvalidPatternError
from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.formats import cut_pieces, load_pattern_file, pattern_to_svg, read_dxf, write_dxf, write_pdf
from garment3d.sizes import parse_size

SKIRT = Path(__file__).parents[2] / "data" / "patterns" / "gathered_skirt.toml"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def skirt():
    return load_pattern_file(SKIRT).pattern(parse_size("160/84A").measurements)


def _edge_length(panel, edge) -> float:
    return float(np.sum(np.linalg.norm(np.diff(panel.edge_points(edge), axis=0), axis=1)))


def test_the_gathered_edge_is_marked_with_its_ratio_inside_the_piece(skirt):
    pieces = {p.name: p for p in cut_pieces(skirt)}
    band = skirt.panel("waistband")
    for name, band_edge in (("front", "front"), ("back", "back")):
        mark, = pieces[name].gather_marks
        assert mark.edge == "top"
        top = _edge_length(skirt.panel(name), "top")
        assert mark.to_cm == pytest.approx(_edge_length(band, band_edge))
        assert mark.ratio == pytest.approx(top / mark.to_cm) and mark.ratio == pytest.approx(1.6, abs=0.01)
        assert mark.label == f"GATHER {mark.ratio:.2f}:1 to {mark.to_cm:.1f} cm"
        sew = shapely.Polygon(pieces[name].sew_line)
        edge = shapely.LineString(skirt.panel(name).edge_points("top"))
        distance = np.array([edge.distance(shapely.Point(p)) for p in mark.wave])
        assert all(sew.contains(shapely.Point(p)) for p in mark.wave)  # inside the piece
        assert 0.35 < distance.min() and distance.max() < 0.85  # a wave 0.6 +- 0.2 cm in from the edge
        assert sew.contains(shapely.Point(mark.label_at))
    assert pieces["waistband"].gather_marks == ()  # the shorter edge is not gathered
    assert pieces["waistband"].interfacing == "fusible" and pieces["front"].interfacing == ""


def test_a_pattern_without_gathers_has_no_marks():
    size = parse_size("160/84A")
    pieces = cut_pieces(evaluate(get_definition("circle_skirt"), size.measurements))
    assert all(p.gather_marks == () for p in pieces)
    assert 'class="gather"' not in pattern_to_svg(evaluate(get_definition("circle_skirt"), size.measurements))


def test_svg_draws_the_wave_and_says_how_much(skirt):
    root = ET.fromstring(pattern_to_svg(skirt))
    waves = root.findall(f".//{SVG}polyline[@class='gather']")
    assert sorted(w.get("data-edge") for w in waves) == ["top", "top"]
    assert all(float(w.get("data-ratio")) == pytest.approx(1.6, abs=0.01) for w in waves)
    words = [t.text for t in root.iter(f"{SVG}text")]
    assert sum(1 for w in words if w and w.startswith("GATHER 1.60:1 to ")) == 2
    assert "interfacing: fusible, cut 1" in words


def test_pdf_says_gather_and_interfacing(skirt, tmp_path):
    from pypdf import PdfReader

    write_pdf(skirt, tmp_path / "skirt.pdf")
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "skirt.pdf").pages)
    assert text.count("GATHER 1.60:1") == 2 and "interfacing: fusible" in text


def test_dxf_carries_them_and_reads_the_interfacing_back(skirt, tmp_path):
    for variant in ("aama", "astm"):
        path = write_dxf(skirt, tmp_path / f"skirt_{variant}.dxf", variant=variant) or tmp_path / f"skirt_{variant}.dxf"
        texts = [e.dxf.text for block in ezdxf.readfile(path).blocks for e in block.query("TEXT")]
        assert sum(1 for t in texts if t.startswith("Gather: top 1.60:1 to ")) == 2
        assert texts.count("Interfacing: fusible") == 1
        back = {p.name: p for p in read_dxf(path).pieces}
        assert back["waistband"].interfacing == "fusible" and back["front"].interfacing == ""
        assert back["front"].name == "front"  # the gather words are not taken for the piece's name
    imported = read_dxf(tmp_path / "skirt_aama.dxf").to_pattern()
    assert {p.name: p.interfacing for p in imported.panels}["waistband"] == "fusible"


def test_an_unknown_interfacing_in_a_dxf_is_refused_by_name():
    doc = ezdxf.document.Drawing.new("R12")
    for layer in ("1", "14"):
        doc.layers.add(layer)
    block = doc.blocks.new("SKIRT_BAND_M")
    block.add_polyline2d([(0, 0), (700, 0), (700, 40), (0, 40)], close=True, dxfattribs={"layer": "1"})
    block.add_text("Piece Name: band", dxfattribs={"layer": "1", "insert": (10, 10)})
    block.add_text("Interfacing: cardboard", dxfattribs={"layer": "1", "insert": (10, 20)})
    doc.modelspace().add_blockref("SKIRT_BAND_M", (0, 0))
    stream = io.StringIO()
    doc.write(stream)
    with pytest.raises(InvalidPatternError, match="SKIRT_BAND_M.*'Interfacing: cardboard' is not a known interfacing"):
        read_dxf(stream.getvalue().encode("cp1252"))
