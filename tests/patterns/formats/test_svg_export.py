import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from pattern_samples import skirt

from garment3d.errors import InvalidPatternError
from garment3d.patterns.formats import cut_pieces, read_svg, write_pattern_svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def _path_points(d: str) -> np.ndarray:
    pairs = d.removeprefix("M ").removesuffix(" Z").split(" L ")
    return np.array([[float(v) for v in pair.split(",")] for pair in pairs])


def test_svg_sheet_is_one_to_one_millimetres_with_every_mark(tmp_path, skirt_pattern):
    path = write_pattern_svg(skirt_pattern, tmp_path / "skirt.svg")
    root = ET.parse(path).getroot()
    width_mm = float(root.get("width").removesuffix("mm"))
    assert [float(v) for v in root.get("viewBox").split()][2] == pytest.approx(width_mm, abs=1e-3)
    pieces = {p.name: p for p in cut_pieces(skirt_pattern)}
    groups = root.findall(".//svg:g[@class='piece']", NS)
    assert [g.get("data-piece") for g in groups] == ["front", "back"]
    for group in groups:
        piece = pieces[group.get("data-piece")]
        geometry = group.find("svg:g[@class='geometry']", NS)
        assert geometry.get("transform") == "scale(1 -1)"
        cut = _path_points(geometry.find("svg:path[@class='cut']", NS).get("d"))
        sew = _path_points(geometry.find("svg:path[@class='sew']", NS).get("d"))
        assert np.abs(sew - piece.sew_line * 10).max() < 1e-3  # mm, pattern coordinates
        assert np.abs(cut - piece.cut_line * 10).max() < 1e-3
        assert len(geometry.findall("svg:line[@class='notch']", NS)) == 6
        assert len(geometry.findall("svg:circle[@class='drill']", NS)) == 2
        assert len(geometry.findall("svg:polyline[@class='internal']", NS)) == 2
        assert len(geometry.findall("svg:line[@class='grain']", NS)) == 1
        labels = " ".join(t.text for t in group.findall("svg:text", NS))
        assert piece.name in labels and "160/84A" in labels and "cut 1" in labels
    assert root.find(".//svg:rect[@class='scale-square']", NS).get("width") == "50"


def test_graded_nest_holds_every_size(tmp_path):
    sizes = ["155/80A", "165/88A", "175/96A"]
    path = write_pattern_svg([skirt(s) for s in sizes], tmp_path / "nest.svg")
    result = read_svg(path)
    assert result.sizes == tuple(sizes)
    assert len(result.pieces) == 6


def test_svg_round_trip_within_a_tenth_of_a_millimetre(tmp_path, skirt_pattern):
    path = write_pattern_svg(skirt_pattern, tmp_path / "skirt.svg", seam_allowance={"hem": 3.0})
    result = read_svg(path)
    assert result.name == "a_line_skirt" and result.units == "mm"
    expected = {p.name: p for p in cut_pieces(skirt_pattern, {"hem": 3.0})}
    for piece in result.pieces:
        source = expected[piece.name]
        assert piece.size == "160/84A" and piece.quantity == 1
        assert np.abs(piece.sew_line - source.sew_line).max() < 0.01  # cm
        assert np.abs(piece.cut_line - source.cut_line).max() < 0.01
        assert np.abs(piece.grain_line - source.grain_line).max() < 0.01
        assert np.abs(piece.notches - source.notches).max() < 0.01
        assert np.abs(piece.drill_holes - source.drill_holes).max() < 0.01
    pattern = result.to_pattern()
    assert [p.name for p in pattern.panels] == ["front", "back"]
    assert np.abs(pattern.panel("front").outline - skirt_pattern.panel("front").outline).max() < 0.01


@pytest.mark.skipif(shutil.which("rsvg-convert") is None, reason="rsvg-convert not installed")
def test_svg_renders(tmp_path, skirt_pattern):
    path = write_pattern_svg(skirt_pattern, tmp_path / "skirt.svg")
    png = tmp_path / "skirt.png"
    subprocess.run(["rsvg-convert", "-w", "400", str(path), "-o", str(png)], check=True, timeout=60)
    from PIL import Image

    pixels = np.asarray(Image.open(png).convert("L"))
    assert (pixels < 128).mean() > 0.002  # lines were drawn


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\xff garbage", "not valid XML"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect/></svg>", "no garment3d pattern pieces"),
        (b"<html/>", "not an SVG"),
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
         b"<svg xmlns='http://www.w3.org/2000/svg'>&lol2;</svg>", "unsafe XML"),
    ],
)
def test_svg_import_refuses_foreign_or_hostile_files(content, message):
    with pytest.raises(InvalidPatternError, match=message):
        read_svg(content)


def test_svg_import_refuses_curves_it_did_not_write(tmp_path, skirt_pattern):
    text = write_pattern_svg(skirt_pattern, tmp_path / "skirt.svg").read_text()
    text = re.sub(r'(class="cut" d=")M ', r"\1M 0,0 A 5 5 0 0 1 10,0 L ", text, count=1)
    with pytest.raises(InvalidPatternError, match="only closed absolute paths"):
        read_svg(text.encode())
