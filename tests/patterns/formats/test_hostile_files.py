"""Malformed or hostile DXF files end in InvalidPatternError with a clear message, quickly."""

import io
import random

import ezdxf
import ezdxf.recover
import pytest
from pattern_samples import DATA

from garment3d.errors import InvalidPatternError
from garment3d.patterns.formats import dxf_read, read_dxf


def _r12(build) -> bytes:
    doc = ezdxf.document.Drawing.new("R12")
    doc.layers.add("1")
    build(doc)
    stream = io.StringIO()
    doc.write(stream)
    return stream.getvalue().encode("cp1252")


def _piece(doc, points, name="P"):
    block = doc.blocks.new(name)
    block.add_polyline2d(points, close=True, dxfattribs={"layer": "1"})
    doc.modelspace().add_blockref(name, (0, 0))


def test_garbage_bytes():
    data = random.Random(3).randbytes(50_000)
    with pytest.raises(InvalidPatternError, match="not a DXF file"):
        read_dxf(data, name="garbage.dxf")


@pytest.mark.parametrize("data", [b"", b"\n\n", b"0\nSECTION\n"])
def test_empty_or_tiny(data):
    with pytest.raises(InvalidPatternError, match="not a DXF file|truncated"):
        read_dxf(data)


def test_truncated_real_file():
    data = (DATA / "MaleShirt_AAMA_1.dxf").read_bytes()
    with pytest.raises(InvalidPatternError, match="truncated"):
        read_dxf(data[: len(data) // 2], name="half.dxf")


def test_binary_dxf_is_refused():
    with pytest.raises(InvalidPatternError, match="binary DXF"):
        read_dxf(b"AutoCAD Binary DXF\r\n\x1a\x00" + bytes(100))


@pytest.mark.parametrize("value", [1e300, 1e12, float("inf")])
def test_huge_coordinates(value):
    data = _r12(lambda doc: _piece(doc, [(0, 0), (value, 0), (value, 10), (0, 10)]))
    data = data.replace(b"\ninf\n", b"\n1e999\n")
    with pytest.raises(InvalidPatternError, match="not finite or beyond"):
        read_dxf(data)


def test_a_file_without_pieces():
    data = _r12(lambda doc: doc.modelspace().add_text("Units: METRIC"))
    with pytest.raises(InvalidPatternError, match="no pattern pieces found"):
        read_dxf(data)


def test_an_insert_of_a_missing_block_and_an_empty_block():
    def build(doc):
        doc.blocks.new("EMPTY")
        doc.modelspace().add_blockref("EMPTY", (0, 0))

    data = _r12(build).replace(b"EMPTY", b"GHOST", 1)  # the block definition now has another name
    with pytest.raises(InvalidPatternError, match="no pattern pieces found"):
        read_dxf(data)


def test_a_million_tiny_entities_is_refused_before_parsing(monkeypatch):
    head = _r12(lambda doc: None)
    cut = head.index(b"ENTITIES") + len(b"ENTITIES\n")
    line = b"  0\nLINE\n  8\n1\n 10\n0.0\n 20\n0.0\n 11\n0.001\n 21\n0.001\n"
    data = head[:cut] + line * 1_000_000 + head[cut:]

    def parse(*args, **kwargs):
        raise AssertionError("the oversized file reached ezdxf's parser")

    monkeypatch.setattr(ezdxf.recover, "read", parse)
    with pytest.raises(InvalidPatternError, match="DXF records"):
        read_dxf(data, name="million.dxf")


def test_the_file_size_limit(monkeypatch):
    monkeypatch.setattr(dxf_read, "MAX_FILE_BYTES", 50_000)
    with pytest.raises(InvalidPatternError, match="larger than"):
        read_dxf(DATA / "MaleShirt_AAMA_1.dxf")


def test_the_point_budget_stops_overdetailed_curves(monkeypatch):
    monkeypatch.setattr(dxf_read, "MAX_POINTS", 500)
    with pytest.raises(InvalidPatternError, match="more than 500 points"):
        read_dxf(DATA / "MaleShirt_AAMA_1.dxf")


def test_a_dxf_with_broken_entity_data():
    data = _r12(lambda doc: _piece(doc, [(0, 0), (300, 0), (300, 400), (0, 400)]))
    broken = data.replace(b" 10\n300.0\n", b" 10\nthree hundred\n", 1)
    with pytest.raises(InvalidPatternError):
        read_dxf(broken)
