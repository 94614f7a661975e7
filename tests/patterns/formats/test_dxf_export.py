from collections import Counter

import ezdxf
import numpy as np
import pytest
from pattern_samples import skirt

from garment3d.errors import InvalidRequestError
from garment3d.patterns.formats import cut_pieces, read_dxf, write_dxf

SIZES = ["155/80A", "160/84A", "165/88A", "170/92A", "175/96A"]


def _texts(entities) -> list[str]:
    return [e.dxf.text for e in entities if e.dxftype() == "TEXT"]


@pytest.mark.parametrize("variant", ["aama", "astm"])
def test_dxf_has_aama_layers_blocks_texts_and_passes_audit(tmp_path, skirt_pattern, variant):
    path = write_dxf(skirt_pattern, tmp_path / f"skirt_{variant}.dxf", variant=variant)
    doc = ezdxf.readfile(path)
    auditor = doc.audit()
    assert not auditor.has_errors, [str(e) for e in auditor.errors]
    assert doc.dxfversion == "AC1009"
    assert "Units: METRIC" in _texts(doc.modelspace())
    inserts = [e.dxf.name for e in doc.modelspace().query("INSERT")]
    assert inserts == ["a_line_skirt-front_160-84A", "a_line_skirt-back_160-84A"]
    for name in inserts:
        block = doc.blocks[name]
        kinds = Counter((e.dxftype(), e.dxf.layer) for e in block)
        assert kinds[("POLYLINE", "1")] == 1 and kinds[("POLYLINE", "14")] == 1
        assert kinds[("LINE", "4")] == 6 and kinds[("LINE", "7")] == 1
        assert kinds[("POLYLINE", "8")] == 2 and kinds[("POINT", "13")] == 2
        texts = _texts(block)
        piece = name.split("-")[1].split("_")[0]
        assert f"Piece Name: {piece}" in texts and "Size: 160/84A" in texts and "Quantity: 1" in texts
        if variant == "astm":
            assert kinds[("POLYLINE", "84")] == 1 and kinds[("POLYLINE", "87")] == 1
            assert all(e.dxf.layer == "15" for e in block if e.dxftype() == "TEXT")


def test_graded_nest_has_one_block_per_piece_per_size(tmp_path):
    path = write_dxf([skirt(s) for s in SIZES], tmp_path / "nest.dxf")
    doc = ezdxf.readfile(path)
    assert not doc.audit().has_errors
    names = [e.dxf.name for e in doc.modelspace().query("INSERT")]
    assert len(names) == len(set(names)) == 2 * len(SIZES)
    # sizes of one piece are stacked at one insertion point (a nest), pieces side by side
    points = {n: tuple(e.dxf.insert) for n in names for e in doc.modelspace().query("INSERT") if e.dxf.name == n}
    assert len({points[n] for n in names if "-front_" in n}) == 1
    assert points[names[0]] != points[names[1]]
    result = read_dxf(path)
    assert result.sizes == tuple(SIZES)
    assert [p.name for p in result.pieces_of_size("170/92A")] == ["front", "back"]
    assert list(result.grouped()["back"]) == SIZES


def test_r2000_states_millimetres_in_the_header(tmp_path, skirt_pattern):
    doc = ezdxf.readfile(write_dxf(skirt_pattern, tmp_path / "r2000.dxf", dxf_version="R2000"))
    assert doc.header["$INSUNITS"] == 4 and doc.header["$MEASUREMENT"] == 1
    assert not doc.audit().has_errors


def test_unknown_variant_is_refused(tmp_path, skirt_pattern):
    with pytest.raises(InvalidRequestError, match="variant"):
        write_dxf(skirt_pattern, tmp_path / "x.dxf", variant="gerber")


@pytest.mark.parametrize("variant", ["aama", "astm"])
def test_dxf_round_trip_keeps_every_line_within_a_tenth_of_a_millimetre(tmp_path, variant):
    patterns = [skirt("155/80A"), skirt("175/96A")]
    allowance = {"hem": 3.0, "*": 1.2}
    result = read_dxf(write_dxf(patterns, tmp_path / "rt.dxf", variant=variant, seam_allowance=allowance))
    assert result.units == "mm" and "Units: METRIC" in result.units_source
    assert result.notes == ()
    expected = {(p.name, p.size): p for pattern in patterns for p in cut_pieces(pattern, allowance)}
    assert sorted((p.name, p.size) for p in result.pieces) == sorted(expected)
    for piece in result.pieces:
        source = expected[(piece.name, piece.size)]
        assert piece.quantity == source.quantity
        for got, want in [(piece.sew_line, source.sew_line), (piece.cut_line, source.cut_line),
                          (piece.grain_line, source.grain_line), (piece.notches, source.notches),
                          (piece.drill_holes, source.drill_holes)]:
            assert got.shape == want.shape and np.abs(got - want).max() < 0.01  # cm = 0.1 mm
        for got, want in zip(piece.internal_lines, source.internal_lines):
            assert np.abs(got - want).max() < 0.01
    pattern = result.to_pattern("175/96A")
    original = patterns[1]
    for panel in pattern.panels:
        assert np.abs(panel.outline - original.panel(panel.name).outline).max() < 0.01
        assert np.allclose(panel.grain, [0.0, 1.0])
