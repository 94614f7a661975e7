"""``garment3d pattern export|thumbnail`` and ``garment3d sizes`` on the real library files."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from garment3d.cli import main
from garment3d.patterns.formats import read_dxf, read_svg

NS = {"svg": "http://www.w3.org/2000/svg"}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_graded_nest_as_one_svg_subprocess(tmp_path):
    out = tmp_path / "nest.svg"
    result = subprocess.run(
        [sys.executable, "-m", "garment3d.cli", "pattern", "export", "a_line_skirt",
         "--sizes", "155/80A,160/84A,165/88A", "--format", "svg", "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "155/80A, 160/84A, 165/88A" in result.stdout
    root = ET.parse(out).getroot()
    legend = [e.get("data-size") for e in root.findall(".//svg:g[@class='legend-entry']", NS)]
    assert legend == ["155/80A", "160/84A", "165/88A"]


def test_graded_nest_as_one_dxf_from_a_whole_system(tmp_path, capsys):
    out = tmp_path / "nest.dxf"
    code, stdout, _ = run(capsys, "pattern", "export", "a_line_skirt", "--sizes", "international",
                          "--gender", "male", "--out", str(out), "--dxf-variant", "astm")
    assert code == 0 and str(out) in stdout
    assert read_dxf(out).sizes == ("M-XS", "M-S", "M-M", "M-L", "M-XL", "M-XXL")


def test_graded_nest_pdf(tmp_path, capsys):
    out = tmp_path / "nest.pdf"
    code, _, err = run(capsys, "pattern", "export", "a_line_skirt", "--sizes", "W-S,W-M", "--out", str(out),
                       "--reference", "origin")
    assert code == 0, err
    assert out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("suffix", ["svg", "dxf", "pdf"])
def test_single_size_export_in_every_format(tmp_path, capsys, suffix):
    out = tmp_path / "sub" / f"skirt.{suffix}"
    code, stdout, err = run(capsys, "pattern", "export", "a_line_skirt", "--size", "M", "--param", "length=70",
                            "--out", str(out))
    assert code == 0, err
    assert "at size W-M" in stdout and out.is_file()
    if suffix == "svg":
        assert read_svg(out).sizes == ("W-M",)
    elif suffix == "dxf":
        assert read_dxf(out).sizes == ("W-M",)


def test_single_size_tiled_pdf(tmp_path, capsys):
    out = tmp_path / "skirt.pdf"
    code, _, err = run(capsys, "pattern", "export", "a_line_skirt", "--out", str(out), "--tiled", "--paper", "Letter")
    assert code == 0, err
    assert out.read_bytes().count(b"r1c1") >= 1  # tiled pages carry their row/column labels


@pytest.mark.parametrize(
    "args, message",
    [
        (["nope"], "unknown pattern 'nope'"),
        (["a_line_skirt", "--sizes", "160/84A,XXXL"], "size 'XXXL'"),
        (["a_line_skirt", "--sizes", "160/84A,,165/88A"], "empty entry"),
        (["a_line_skirt", "--sizes", "160/84A,160/84A"], "given more than once"),
        (["a_line_skirt", "--size", "160/84Z"], "XS, S, M, L, XL, XXL"),
        (["a_line_skirt", "--param", "length=500"], "parameter 'length' = 500 cm is outside"),
        (["a_line_skirt", "--format", "dxf"], "--format dxf does not match the file name 'out.svg'"),
        (["a_line_skirt", "--sizes", "160/84A,165/88A", "--tiled"], "--tiled prints one size"),
        (["a_line_skirt", "--seam-allowance", "50"], "seam allowance"),
        (["a_line_skirt", "--reference", "armpit"], "invalid choice"),
        (["a_line_skirt", "--size", "160/84A", "--sizes", "160/84A"], "not allowed with argument"),
        (["a_line_skirt", "--sizes", "S,M", "--height", "170"], "use --size custom"),
    ],
)
def test_bad_exports_exit_2_with_one_clear_line_and_write_nothing(tmp_path, args, message):
    out = tmp_path / "out.svg"
    result = subprocess.run([sys.executable, "-m", "garment3d.cli", "pattern", "export", *args, "--out", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()


def test_format_cannot_be_guessed(tmp_path, capsys):
    code, _, err = run(capsys, "pattern", "export", "a_line_skirt", "--out", str(tmp_path / "skirt.txt"))
    assert code == 2 and "name the file .svg, .dxf or .pdf or give --format" in err


def test_thumbnail_command_writes_a_png(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GARMENT3D_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "thumb.png"
    code, _, err = run(capsys, "pattern", "thumbnail", "a_line_skirt", "--out", str(out), "--px", "64")
    assert code == 0, err
    from PIL import Image

    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (64, 64)


def test_sizes_lists_a_system(capsys):
    code, stdout, _ = run(capsys, "sizes", "--system", "international", "--gender", "male")
    assert code == 0
    assert [line.split()[0] for line in stdout.splitlines()] == ["M-XS", "M-S", "M-M", "M-L", "M-XL", "M-XXL"]
    code, stdout, _ = run(capsys, "sizes")
    assert stdout.splitlines()[0].startswith("150/76A") and stdout.splitlines()[-1].startswith("180/100A")
    code, _, err = run(capsys, "sizes", "--system", "US")
    assert code == 2 and "unknown size system 'US'" in err


def test_single_size_export_at_custom_measurements(tmp_path, capsys):
    out = tmp_path / "custom.svg"
    code, stdout, err = run(capsys, "pattern", "export", "a_line_skirt", "--size", "custom", "--height", "168",
                            "--bust", "92", "--waist", "74", "--hip", "100", "--out", str(out))
    assert code == 0, err
    assert "at size custom" in stdout and read_svg(out).sizes == ("custom",)
    code, _, err = run(capsys, "pattern", "export", "a_line_skirt", "--size", "custom", "--out", str(out))
    assert code == 2 and "--size custom goes with --height" in err
    code, _, err = run(capsys, "pattern", "export", "a_line_skirt", "--size", "custom", "--height", "168",
                       "--bust", "92", "--waist", "-74", "--hip", "100", "--out", str(tmp_path / "bad.svg"))
    assert code == 2 and "measurement 'waist'" in err and not (tmp_path / "bad.svg").exists()
