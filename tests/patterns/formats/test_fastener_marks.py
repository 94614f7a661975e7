"""Fasteners in pattern files: exports mark each fastener side (a drill hole named by a ``Fastener:`` text on
DXF layer 13, ``circle.fastener`` in SVG, a circle and cross on the PDF) and a button's buttonhole (DXF
layer 8, ``line.buttonhole``); imports pair the marks back into the same fasteners, and a sidecar can add
fasteners a file does not mark."""

import re
import zlib
from dataclasses import replace

import numpy as np
import pytest
from pattern_samples import folded_skirt, skirt

from garment3d.errors import Garment3DError
from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.formats import cut_pieces, read_dxf, read_svg, write_dxf, write_pattern_svg, write_pdf
from garment3d.patterns.formats.fastener_marks import BUTTONHOLE_BEYOND_CM, BUTTONHOLE_EASE_CM
from garment3d.patterns.formats.load import load_pattern_file
from garment3d.sizes import parse_size
from garment3d.types import Fastener

SIZE = parse_size("160/84A")


@pytest.fixture(scope="module")
def fastened():
    """The three library garments with fasteners of every kind they use: buttons (blouse, trousers),
    frogs and press studs (qipao)."""
    return {name: evaluate(get_definition(name), SIZE.measurements, size_label=SIZE.label)
            for name in ("blouse", "trousers", "qipao")}


def _read_back(pattern, tmp_path, fmt):
    if fmt == "svg":
        return read_svg(write_pattern_svg(pattern, tmp_path / f"{pattern.name}.svg"))
    return read_dxf(write_dxf(pattern, tmp_path / f"{pattern.name}.dxf", variant=fmt))


def _assert_same_fasteners(got, want):
    assert [f.name for f in got] == [f.name for f in want]
    for g, w in zip(got, want):
        assert (g.kind, g.a, g.b, g.size_cm) == (w.kind, w.a, w.b, pytest.approx(w.size_cm))
        assert np.abs(g.a_point - w.a_point).max() < 0.001 and np.abs(g.b_point - w.b_point).max() < 0.001
        if w.kind == "button":  # the buttonhole says which way the opening lies
            assert np.abs(g.opening - w.opening).max() < 1e-3


@pytest.mark.parametrize("fmt", ["aama", "astm", "svg"])
@pytest.mark.parametrize("name", ["blouse", "trousers", "qipao"])
def test_fasteners_survive_an_export_and_import(tmp_path, fastened, name, fmt):
    pattern = fastened[name]
    imported = _read_back(pattern, tmp_path, fmt)
    assert imported.notes == ()
    _assert_same_fasteners(imported.to_pattern(SIZE.label).fasteners, pattern.fasteners)
    # the marks do not come back as the darts' drill holes or as internal lines
    source = {p.name: p for p in cut_pieces(pattern)}
    for piece in imported.pieces:
        want = source[piece.name]
        assert piece.drill_holes.shape == want.drill_holes.shape
        assert len(piece.internal_lines) == len(want.internal_lines)
        assert len(piece.fastener_marks) == len(want.fastener_marks)


def test_a_blouse_front_is_marked_with_buttonholes_and_its_under_front_with_buttons(fastened):
    pieces = {p.name: p for p in cut_pieces(fastened["blouse"])}
    right, left = pieces["front_right"], pieces["front_left"]
    assert [m.side for m in right.fastener_marks] == ["a"] * 8 and [m.side for m in left.fastener_marks] == ["b"] * 8
    for mark in right.fastener_marks:
        outer, inner = mark.buttonhole
        # horizontal, from 3 mm past centre front towards the front edge, inwards the button's width + 3 mm
        assert outer == pytest.approx(mark.point + [BUTTONHOLE_BEYOND_CM, 0.0])
        assert inner == pytest.approx(outer - [1.2 + BUTTONHOLE_EASE_CM, 0.0])
    assert all(m.buttonhole is None for m in left.fastener_marks)  # buttons are drilled, not cut


def test_the_dxf_names_each_drill_hole(tmp_path, fastened):
    text = write_dxf(fastened["trousers"], tmp_path / "t.dxf").read_text()
    assert text.count("Fastener: waistband_button[0] button a 1.6 cm") == 1
    assert text.count("Fastener: waistband_button[0] button b 1.6 cm") == 1


def test_the_pdf_draws_the_marks(tmp_path, fastened):
    data = write_pdf(fastened["blouse"], tmp_path / "b.pdf").read_bytes()
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    pages = b"".join(zlib.decompress(s) for s in streams if s[:1] == b"x")
    assert pages.count(b"button a) Tj") == 8 and pages.count(b"button b) Tj") == 8


@pytest.mark.parametrize("fmt", ["aama", "svg"])
def test_a_fastener_on_the_mirrored_half_of_a_piece_cut_on_fold_comes_back(tmp_path, fmt):
    pattern = folded_skirt()
    hook = Fastener(kind="hook_eye", a="front", a_point=np.array([-5.0, -10.0]), b="back",
                    b_point=np.array([4.0, -10.0]), size_cm=1.0, name="hook[0]")
    pattern = replace(pattern, fasteners=(hook,))
    mark = next(m for p in cut_pieces(pattern) if p.name == "front" for m in p.fastener_marks)
    assert mark.mirrored and mark.point == pytest.approx([5.0, -10.0])  # drilled on the drawn half
    _assert_same_fasteners(_read_back(pattern, tmp_path, fmt).to_pattern(SIZE.label).fasteners, (hook,))


def test_a_dxf_with_its_sidecar_is_sampled_with_its_fasteners(tmp_path, fastened):
    path = write_dxf(fastened["blouse"], tmp_path / "blouse.dxf")
    sidecar = tmp_path / "blouse.toml"
    sidecar.write_text('[pieces.front_right]\nplacement = { region = "torso", azimuth = 0 }\n')
    pattern = load_pattern_file(path, sidecar=sidecar).pattern()
    _assert_same_fasteners(pattern.fasteners, fastened["blouse"].fasteners)


SIDECAR_STUDS = """
[[fasteners]]
name = "studs"
kind = "press_stud"
a = "front"
b = "back"
points = [{ a = [5.0, -20.0], b = [6.0, -20.0] }, { a = [5.0, -30.0], b = [6.0, -30.0] }]
"""


def test_a_sidecar_adds_fasteners_a_file_does_not_mark(tmp_path):
    path = write_dxf(skirt(), tmp_path / "skirt.dxf")
    sidecar = tmp_path / "skirt.toml"
    sidecar.write_text(SIDECAR_STUDS)
    pattern = load_pattern_file(path, sidecar=sidecar).pattern()
    assert [(f.name, f.kind, f.a, f.b, f.size_cm) for f in pattern.fasteners] == [
        ("studs[0]", "press_stud", "front", "back", 1.0), ("studs[1]", "press_stud", "front", "back", 1.0)]
    assert pattern.fasteners[1].b_point == pytest.approx([6.0, -30.0])


@pytest.mark.parametrize("change, message", [
    (('a = "front"', 'a = "sleeve"'), r"fastener 'studs\[0\]' names piece 'sleeve', which the file does not have"),
    (("[5.0, -20.0]", "[90.0, -20.0]"), r"fastener 'studs\[0\]' point \(90.00, -20.00\) cm lies .* outside piece 'front'"),
    (('kind = "press_stud"', 'kind = "velcro"'), r"fastener 1 'studs': 'kind' must be one of"),
    (("[6.0, -30.0]", "[6.0]"), r"fastener 1 'studs', point 2, b: must be \[x, y\] in cm"),
    (('name = "studs"', 'name = "two words"'), r"fastener 1: 'name' must be a word"),
])
def test_bad_sidecar_fasteners_are_named(tmp_path, change, message):
    path = write_dxf(skirt(), tmp_path / "skirt.dxf")
    sidecar = tmp_path / "skirt.toml"
    sidecar.write_text(SIDECAR_STUDS.replace(*change))
    with pytest.raises(Garment3DError, match=message):
        load_pattern_file(path, sidecar=sidecar).pattern()


def test_a_fastener_whose_other_side_is_missing_is_named(tmp_path, fastened):
    text = write_pattern_svg(fastened["trousers"], tmp_path / "t.svg").read_text()
    cut = re.sub(r'<circle class="fastener" data-fastener="waistband_button\[0\]"[^>]*data-side="b"[^>]*/>', "", text)
    assert cut != text
    (tmp_path / "cut.svg").write_text(cut)
    with pytest.raises(Garment3DError, match=r"fastener 'waistband_button\[0\]' is marked on piece 'waistband_tab' but "
                                             r"its 'b' side is on no piece"):
        read_svg(tmp_path / "cut.svg").to_pattern(SIZE.label)
