"""``garment3d pattern import``: every kind of pattern file, a graded file's first size, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from garment3d.cli import main
from garment3d.patterns.formats import read_svg
from garment3d.settings import get_settings

DATA = Path(__file__).resolve().parents[1] / "data" / "patterns"


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main(["pattern", "import", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_garmentcode_import_lists_its_own_seams_and_placement(tmp_path, capsys):
    out_file = tmp_path / "shirt.svg"
    code, out, _ = _run(capsys, DATA / "shirt_mean_specification.json", "--out", out_file)
    assert code == 0
    # the file's 18 stitches, less the 4 under 1 cm that close into the armholes' corners (garmentcode_place)
    assert "shirt_mean: garmentcode file, 8 pieces" in out and "14 seams" in out
    assert "left_sleeve_f (cut 1; arm left at 0 deg)" in out
    assert {p.name for p in read_svg(out_file).pieces} >= {"left_sleeve_f", "right_btorso"}


def test_garmentcode_ruffles_are_listed_as_gathered_seams(capsys):
    code, out, _ = _run(capsys, DATA / "dress_pencil_specification.json")
    assert code == 0
    assert "gathered seams (9; the longer edge gathered onto the other): right_ftorso.e5 to skirt_front.e6" in out
    code, out, _ = _run(capsys, DATA / "shirt_mean_specification.json")
    assert code == 0 and "gathered" not in out


def test_toml_definition_import_drafts_it(tmp_path, capsys):
    code, out, _ = _run(capsys, get_settings().patterns_dir / "a_line_skirt.toml", "--size", "165/88A")
    assert code == 0
    assert "a_line_skirt: TOML definition, 2 panels" in out and "drafted at 165/88A" in out


def test_svg_import_suggests_seams(tmp_path, capsys):
    svg = tmp_path / "skirt.svg"
    assert main(["pattern", "export", "a_line_skirt", "--out", str(svg)]) == 0
    capsys.readouterr()
    code, out, _ = _run(capsys, svg)
    assert code == 0 and "svg file, 2 pieces" in out and "seams suggested" in out


def test_graded_file_out_uses_the_first_size(tmp_path, capsys):
    nest = tmp_path / "nest.dxf"
    assert main(["pattern", "export", "a_line_skirt", "--sizes", "155/80A,160/84A,165/88A", "--out", str(nest)]) == 0
    capsys.readouterr()
    code, out, err = _run(capsys, nest, "--out", tmp_path / "first.svg")
    assert code == 0, err
    assert "graded file: showing size 155/80A" in out and "size 155/80A written to" in out
    pieces = read_svg(tmp_path / "first.svg").pieces
    assert {p.size for p in pieces} == {"155/80A"}
    code, out, _ = _run(capsys, nest, "--size", "165/88A", "--out", tmp_path / "large.svg")
    assert code == 0 and "size 165/88A written to" in out
    code, _, err = _run(capsys, nest, "--size", "190/120A")
    assert code == 2 and "no size '190/120A'" in err


@pytest.mark.parametrize(("name", "content", "message"), [
    ("shirt.pdf", b"%PDF-1.4", "cannot tell the pattern format from the name"),
    ("broken.json", b"{\"pattern\": ", "broken.json: not valid JSON"),
    ("empty.dxf", b"", "empty.dxf: not a DXF file"),
    ("bad.toml", b"name = 'bad'\npanels = []\n", "bad.toml: a pattern needs at least one panel"),
])
def test_bad_files_exit_2_with_a_message_naming_the_problem(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = _run(capsys, path)
    assert code == 2 and message in err and "Traceback" not in err


def test_a_missing_file_is_named(tmp_path, capsys):
    code, _, err = _run(capsys, tmp_path / "nowhere.json")
    assert code == 2 and "cannot read pattern file" in err and "nowhere.json" in err


def test_an_exported_dxf_comes_back_with_its_buttons(tmp_path, capsys):
    dxf, svg = tmp_path / "blouse.dxf", tmp_path / "again.svg"
    assert main(["pattern", "export", "blouse", "--out", str(dxf)]) == 0
    capsys.readouterr()
    code, out, _ = _run(capsys, dxf, "--out", svg)
    assert code == 0 and "fasteners buttons: 8 buttons, front_right over front_left" in out
    marks = [m for p in read_svg(svg).pieces for m in p.fastener_marks]
    assert sorted((m.side, m.kind) for m in marks) == [("a", "button")] * 8 + [("b", "button")] * 8
