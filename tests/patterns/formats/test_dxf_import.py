"""DXF-AAMA/ASTM import: the real Valentina files and small files shaped like other writers'."""

import io

import ezdxf
import numpy as np
import pytest
import shapely
from pattern_samples import DATA

from garment3d.errors import InvalidPatternError
from garment3d.patterns.formats import read_dxf

SHIRT_PIECES = {
    "BACKPANEL", "COLLAR", "COLLARBASE", "COLLARBASEINTERFACE", "COLLARTOP", "COLLARTOPINTERFACE", "CUFFINTERFACE",
    "FRONTPANEL", "FULLSLEEVE", "PLACKETTOP", "PLACKETUNDER", "POCKET", "POCKETFLAP", "POCKETFLAPROUND",
    "POCKETROUND", "SHORTSLEEVE", "YOKE",
}
INTERFACINGS = {"CUFFINTERFACE", "COLLARTOPINTERFACE", "COLLARBASEINTERFACE"}


def _dxf_bytes(doc) -> bytes:
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("cp1252")


def _new_doc():
    doc = ezdxf.document.Drawing.new("R12")
    for layer in ("1", "4", "7", "8", "14", "15"):
        doc.layers.add(layer)
    return doc


def _rectangle(w: float, h: float, x: float = 0.0, y: float = 0.0) -> list[tuple[float, float]]:
    return [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]


def test_valentina_aama_shirt(data_dir):
    result = read_dxf(data_dir / "MaleShirt_AAMA_1.dxf")
    assert {p.name for p in result.pieces} == SHIRT_PIECES
    assert result.units == "mm" and result.units_source == "geometry"
    assert any("no units stated" in n for n in result.notes)
    assert any("layer-8 lines read as sew lines" in n for n in result.notes)
    for piece in result.pieces:
        cut = shapely.Polygon(piece.cut_line)
        assert cut.is_valid and shapely.is_ccw(cut.exterior)
        assert 5.0 <= np.ptp(piece.cut_line, axis=0).max() <= 200.0
        assert piece.quantity == 1 and piece.size == ""
        if piece.name in INTERFACINGS:
            assert piece.sew_line is None
        else:
            assert cut.buffer(1e-6).contains(shapely.LinearRing(piece.sew_line))
    front = next(p for p in result.pieces if p.name == "FRONTPANEL")
    assert np.ptp(front.cut_line, axis=0) == pytest.approx([39.311, 76.688], abs=0.01)


def test_valentina_astm_shirt_matches_the_aama_geometry():
    aama = {p.name: p for p in read_dxf(DATA / "MaleShirt_AAMA_1.dxf").pieces}
    astm = read_dxf(DATA / "MaleShirt_ASTM_1.dxf")
    assert len(astm.pieces) == 17
    assert "FrontPanel" in {p.name for p in astm.pieces}  # names from the layer-15 annotation text
    for piece in astm.pieces:
        twin = aama[piece.name.upper()]
        assert np.abs(piece.cut_line - twin.cut_line).max() < 1e-9
        assert (piece.sew_line is None) == (twin.sew_line is None)


def test_units_override_and_bad_override():
    cm = read_dxf(DATA / "MaleShirt_AAMA_1.dxf", units="cm")
    mm = read_dxf(DATA / "MaleShirt_AAMA_1.dxf")
    assert cm.units_source == "override"
    assert np.allclose(cm.pieces[0].cut_line, mm.pieces[0].cut_line * 10)
    with pytest.raises(InvalidPatternError, match="FRONTPANEL: piece is 1948 cm long"):
        read_dxf(DATA / "MaleShirt_AAMA_1.dxf", units="inch")
    with pytest.raises(InvalidPatternError, match="units override"):
        read_dxf(DATA / "MaleShirt_AAMA_1.dxf", units="furlong")


def _one_piece_file(units_text: str | None, size_mm: float) -> bytes:
    doc = _new_doc()
    block = doc.blocks.new("SHIRT_BODY_M")
    block.add_polyline2d(_rectangle(size_mm, size_mm * 1.5), close=True, dxfattribs={"layer": "1"})
    block.add_text("Piece Name: body", dxfattribs={"layer": "1", "insert": (10, 10)})
    doc.modelspace().add_blockref("SHIRT_BODY_M", (0, 0))
    if units_text:
        doc.modelspace().add_text(units_text, dxfattribs={"layer": "1", "insert": (0, -50)})
    return _dxf_bytes(doc)


def test_stated_units_are_used_when_the_geometry_agrees():
    result = read_dxf(_one_piece_file("Units: ENGLISH", 20.0))  # a 20 x 30 inch piece
    assert result.units == "inch" and "Units: ENGLISH" in result.units_source and result.notes == ()
    assert np.ptp(result.pieces[0].cut_line, axis=0) == pytest.approx([50.8, 76.2])


def test_geometry_wins_when_the_units_text_disagrees():
    result = read_dxf(_one_piece_file("Units: ENGLISH", 500.0))  # 500 'inches' = 12.7 m: really mm
    assert result.units == "mm" and "disagreed" in result.units_source
    assert any("states inch" in n for n in result.notes)
    assert np.ptp(result.pieces[0].cut_line, axis=0) == pytest.approx([50.0, 75.0])


def test_gerber_style_split_boundary_is_joined_and_text_read():
    """Gerber writes a boundary as several polylines and piece data as TEXT; blocks per size."""
    outline = np.array([(0, 0), (400, 0), (450, 300), (400, 600), (0, 600), (-30, 300)], dtype=float)
    doc = _new_doc()
    for size, scale in (("S", 1.0), ("M", 1.1)):
        name = f"STYLE1FRONT_{size}"
        block = doc.blocks.new(name)
        pts = outline * scale
        # three fragments, the middle one written backwards, ends touching
        block.add_polyline2d([tuple(p) for p in pts[0:3]], dxfattribs={"layer": "1"})
        block.add_polyline2d([tuple(p) for p in pts[3:5][::-1]] + [tuple(pts[2])][::-1], dxfattribs={"layer": "1"})
        block.add_polyline2d([tuple(pts[4]), tuple(pts[5]), tuple(pts[0])], dxfattribs={"layer": "1"})
        block.add_line((200 * scale, 100), (200 * scale, 500), dxfattribs={"layer": "7"})
        block.add_line((425 * scale, 150), (415 * scale, 152), dxfattribs={"layer": "4"})
        block.add_polyline2d([(100, 200), (150, 400)], dxfattribs={"layer": "8"})
        for text in ("Piece Name: Front", f"Size: {size}", "Quantity: 2", "Category: SHELL"):
            block.add_text(text, dxfattribs={"layer": "1", "insert": (50, 50)})
        doc.modelspace().add_blockref(name, (0, 0))
    doc.modelspace().add_text("Units: METRIC", dxfattribs={"layer": "1"})
    result = read_dxf(_dxf_bytes(doc))
    assert result.sizes == ("S", "M")
    for piece, scale in zip(result.pieces, (1.0, 1.1)):
        assert piece.name == "Front" and piece.quantity == 2
        assert shapely.Polygon(piece.cut_line).area == pytest.approx(shapely.Polygon(outline * scale / 10).area)
        assert len(piece.cut_line) == 6
        assert piece.grain_line is not None and np.allclose(piece.grain_line[:, 0], 20 * scale)
        assert len(piece.notches) == 1 and len(piece.internal_lines) == 1
    pattern = result.to_pattern("M")
    assert pattern.panels[0].cut_count == 2 and pattern.size_label == "M"


def test_duplicated_pieces_are_not_multiplied():
    """Valentina may write several same-named copies into one block and insert it several times."""
    doc = _new_doc()
    block = doc.blocks.new("SLEEVE")
    for dx in (0.0, 700.0):  # two identical copies side by side
        block.add_polyline2d(_rectangle(500, 600, dx), close=True, dxfattribs={"layer": "1"})
        block.add_polyline2d(_rectangle(480, 580, dx + 10, 10), close=True, dxfattribs={"layer": "14"})
    block.add_text("Sleeve", dxfattribs={"layer": "15", "insert": (0, -20)})
    for _ in range(3):
        doc.modelspace().add_blockref("SLEEVE", (0, 0))
    other = doc.blocks.new("SLEEVE_AGAIN")  # the same piece again in a second block
    other.add_polyline2d(_rectangle(500, 600, 2000), close=True, dxfattribs={"layer": "1"})
    other.add_text("Sleeve", dxfattribs={"layer": "15"})
    doc.modelspace().add_blockref("SLEEVE_AGAIN", (0, 0))
    result = read_dxf(_dxf_bytes(doc))
    assert [p.name for p in result.pieces] == ["Sleeve"]
    assert result.pieces[0].sew_line is not None and result.pieces[0].quantity == 1
    assert any("inserted 3 times" in n for n in result.notes)
    assert any("written more than once" in n for n in result.notes)


def test_different_pieces_sharing_a_name_are_kept_apart():
    doc = _new_doc()
    for name, width in (("A", 300.0), ("B", 400.0)):
        block = doc.blocks.new(name)
        block.add_polyline2d(_rectangle(width, 500), close=True, dxfattribs={"layer": "1"})
        block.add_text("Piece Name: Pocket", dxfattribs={"layer": "1"})
        doc.modelspace().add_blockref(name, (0, 0))
    result = read_dxf(_dxf_bytes(doc))
    assert [p.name for p in result.pieces] == ["Pocket", "Pocket (2)"]


def test_an_open_boundary_is_an_error_or_skipped():
    doc = _new_doc()
    good = doc.blocks.new("GOOD")
    good.add_polyline2d(_rectangle(300, 500), close=True, dxfattribs={"layer": "1"})
    bad = doc.blocks.new("BROKEN")
    bad.add_polyline2d([(0, 0), (300, 0), (300, 500), (0, 500), (0, 100)], dxfattribs={"layer": "1"})
    for name in ("GOOD", "BROKEN"):
        doc.modelspace().add_blockref(name, (0, 0))
    data = _dxf_bytes(doc)
    with pytest.raises(InvalidPatternError, match="BROKEN.*does not close.*100.0 mm"):
        read_dxf(data)
    result = read_dxf(data, strict=False)
    assert [p.name for p in result.pieces] == ["GOOD"] and any("skipped" in n for n in result.notes)


def test_circles_are_flattened_on_the_circle():
    doc = _new_doc()
    block = doc.blocks.new("ROUND")
    block.add_circle((0, 0), 100.0, dxfattribs={"layer": "1"})  # a 20 cm disc, in mm
    doc.modelspace().add_blockref("ROUND", (0, 0))
    doc.modelspace().add_text("Units: METRIC", dxfattribs={"layer": "1"})
    (piece,) = read_dxf(_dxf_bytes(doc)).pieces
    radii = np.linalg.norm(piece.cut_line, axis=1)
    assert np.abs(radii - 10.0).max() < 1e-9 and len(piece.cut_line) > 50
    assert shapely.Polygon(piece.cut_line).area == pytest.approx(np.pi * 100.0, rel=2e-3)  # chords within 0.1 mm


def test_pieces_drawn_straight_into_model_space():
    doc = _new_doc()
    doc.modelspace().add_polyline2d(_rectangle(300, 500), close=True, dxfattribs={"layer": "1"})
    doc.modelspace().add_text("Piece Name: Cuff", dxfattribs={"layer": "1", "insert": (10, 10)})
    (piece,) = read_dxf(_dxf_bytes(doc)).pieces
    assert piece.name == "Cuff" and np.ptp(piece.cut_line, axis=0) == pytest.approx([30.0, 50.0])


def test_r2000_lwpolylines_with_insunits():
    doc = ezdxf.new("R2000", units=5)  # centimetres in the header
    block = doc.blocks.new("BACK")
    block.add_lwpolyline(_rectangle(40, 60), close=True, dxfattribs={"layer": "1"})
    block.add_lwpolyline([(0, 0, 0, 0, 0.5), (10, 0)], dxfattribs={"layer": "8"})  # a bulged internal line
    doc.modelspace().add_blockref("BACK", (0, 0))
    result = read_dxf(_dxf_bytes(doc))
    assert result.units == "cm" and result.units_source == "$INSUNITS = 5"
    (piece,) = result.pieces
    assert np.ptp(piece.cut_line, axis=0) == pytest.approx([40.0, 60.0])
    assert piece.internal_lines[0][:, 1].min() < -2.0  # the bulge is an arc below the chord


def test_a_file_stating_mm_whose_pieces_would_be_a_few_cm_is_read_in_cm():
    """Both cm and inch make these pieces garment-sized; cm makes them the size garment pieces usually are."""
    result = read_dxf(_one_piece_file("Units: METRIC", 40.0))  # 'mm' would make a 4 x 6 cm piece
    assert result.units == "cm" and "disagreed with 'Units: METRIC' text" in result.units_source
    assert any("states mm" in n and "read as cm" in n for n in result.notes)
    assert np.ptp(result.pieces[0].cut_line, axis=0) == pytest.approx([40.0, 60.0])


def _pieces_file(sizes: list[float]) -> bytes:
    doc = _new_doc()
    for i, size in enumerate(sizes):
        block = doc.blocks.new(f"PIECE{i}")
        block.add_polyline2d(_rectangle(size * 0.6, size), close=True, dxfattribs={"layer": "1"})
        doc.modelspace().add_blockref(f"PIECE{i}", (0, 0))
    return _dxf_bytes(doc)


def test_units_unstated_are_the_most_plausible_candidate_not_the_first_that_fits():
    shirt_in_cm = [76.7, 74.0, 62.0, 27.0, 45.0, 8.0]  # fronts, back, sleeve, collar, yoke, a tab
    result = read_dxf(_pieces_file(shirt_in_cm))
    assert result.units == "cm" and result.units_source == "geometry"  # inches would also fit 5-200 cm
    shirt_in_mm = [s * 10 for s in shirt_in_cm]
    assert read_dxf(_pieces_file(shirt_in_mm)).units == "mm"
    shirt_in_inches = [s / 2.54 for s in shirt_in_cm]
    assert read_dxf(_pieces_file(shirt_in_inches)).units == "inch"
