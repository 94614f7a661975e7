"""Seams and placement for DXF pieces: the sidecar file, and seams suggested by matching edge lengths."""

from __future__ import annotations

import pytest
from pattern_samples import DATA

from garment3d.cli import main
from garment3d.errors import Garment3DError, ImportFormatError
from garment3d.patterns.formats import read_dxf
from garment3d.patterns.formats.sidecar import apply_sidecar, parse_sidecar, suggest_seams
from garment3d.types import EdgeRef

SHIRT = DATA / "MaleShirt_AAMA_1.dxf"
SIDECAR = """
[pieces.FRONTPANEL]
placement = { region = "torso", azimuth = 0 }
[pieces.BACKPANEL]
placement = { region = "torso", azimuth = 180 }
[pieces.FULLSLEEVE]
placement = { region = "arm", side = "left", azimuth = 90 }

[[seams]]
a = "FRONTPANEL.e1"
b = "BACKPANEL.e3"
"""


@pytest.fixture(scope="module")
def shirt():
    return read_dxf(SHIRT)


def test_sidecar_places_pieces_and_sews_them(shirt):
    pattern = apply_sidecar(shirt, parse_sidecar(SIDECAR, "shirt.toml"))
    assert pattern.panel("FRONTPANEL").placement.region == "torso"
    assert pattern.panel("FULLSLEEVE").placement.side == "left"
    assert [(s.a, s.b) for s in pattern.seams] == [(EdgeRef("FRONTPANEL", "e1"), EdgeRef("BACKPANEL", "e3"))]


def test_sidecar_fuses_interfacing_to_the_pieces_it_names(shirt):
    text = SIDECAR + "\n[pieces.YOKE]\ninterfacing = \"fusible\"\n"
    pattern = apply_sidecar(shirt, parse_sidecar(text, "shirt.toml"))
    assert {p.name for p in pattern.panels if p.interfacing == "fusible"} == {"YOKE"}
    assert all(p.interfacing == "" for p in apply_sidecar(shirt, parse_sidecar(SIDECAR, "shirt.toml")).panels)


@pytest.mark.parametrize(("text", "words"), [
    ("[pieces.SKIRT]\nplacement = { region = 'waist', azimuth = 0 }", "names pieces the file does not have: SKIRT"),
    ("[pieces.SKIRT]\ninterfacing = 'fusible'", "names pieces the file does not have: SKIRT"),
    ("[pieces.CUFFINTERFACE]\ninterfacing = 'glue'", "piece 'CUFFINTERFACE': 'interfacing' must be one of fusible"),
    ("[pieces.CUFFINTERFACE]\ncolour = 'red'", "piece 'CUFFINTERFACE': needs placement"),
    ("[pieces.CUFFINTERFACE]\ninterfacing = 'fusible'\ncolour = 'red'", "unknown key(s) colour"),
    ("[[seams]]\na = 'FRONTPANEL.e99'\nb = 'BACKPANEL.e3'", "e99"),
    ("[[seams]]\na = 'FRONTPANEL'\nb = 'BACKPANEL.e3'", "PIECE.edge"),
    ("[pieces.FRONTPANEL]\nplacement = { region = 'hat', azimuth = 0 }", "region 'hat'"),
    ("[pieces.FRONTPANEL]\nplacement = { region = 'arm', azimuth = 0 }", "needs side"),
    ("seams = 'all of them'", "'seams' must be a list"),
    ("a = 'FRONTPANEL.e1'", "unknown key(s) a"),
    ("[pieces", "not valid TOML"),
])
def test_bad_sidecars_name_the_problem(shirt, text, words):
    with pytest.raises(Garment3DError, match=None) as info:
        apply_sidecar(shirt, parse_sidecar(text, "bad.toml"))
    assert words in str(info.value)


def test_huge_or_binary_sidecars_are_refused():
    with pytest.raises(ImportFormatError, match="larger than"):
        parse_sidecar("#" * 100_000)
    with pytest.raises(ImportFormatError, match="UTF-8"):
        parse_sidecar(b"\xff\xfe\x00")


def test_suggested_seams_find_the_side_seam_and_use_each_edge_once(shirt):
    suggestions = suggest_seams(shirt.to_pattern())
    pairs = {frozenset({(s.a.panel, s.a.edge), (s.b.panel, s.b.edge)}) for s in suggestions}
    assert frozenset({("FRONTPANEL", "e1"), ("BACKPANEL", "e3")}) in pairs  # the side seam, 0.1 mm apart
    used = [e for s in suggestions for e in ((s.a.panel, s.a.edge), (s.b.panel, s.b.edge))]
    assert len(used) == len(set(used))
    assert all(s.a.panel != s.b.panel and s.difference_mm <= 3.0 for s in suggestions)
    assert [s.difference_mm for s in suggestions] == sorted(s.difference_mm for s in suggestions)


def test_cli_lists_pieces_and_suggestions_and_applies_a_sidecar(tmp_path, capsys):
    assert main(["pattern", "import", str(SHIRT)]) == 0
    out = capsys.readouterr().out
    assert "17 pieces" in out and "FRONTPANEL.e1 <-> BACKPANEL.e3" in out
    sidecar = tmp_path / "shirt.toml"
    sidecar.write_text(SIDECAR)
    assert main(["pattern", "import", str(SHIRT), "--sidecar", str(sidecar), "--out", str(tmp_path / "s.svg")]) == 0
    assert "1 seams" in capsys.readouterr().out and (tmp_path / "s.svg").stat().st_size > 1000
    sidecar.write_text("[[seams]]\na = 'FRONTPANEL.e1'\nb = 'NOPE.e3'\n")
    assert main(["pattern", "import", str(SHIRT), "--sidecar", str(sidecar)]) == 2
    assert "NOPE" in capsys.readouterr().err
