"""``garment3d sample --pattern-file``: what is refused before any work, with one line naming the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from garment3d.cli import main
from garment3d.errors import InvalidRequestError
from garment3d.pipeline import SampleRequest, validate_request

DATA = Path(__file__).resolve().parents[1] / "data" / "patterns"
FLARE = DATA / "flare_skirt_specification.json"
GC_BODY = ["--height", "172", "--bust", "99.8", "--waist", "84.3", "--hip", "103.5"]


@pytest.mark.parametrize(("args", "message"), [
    (["--pattern-file", str(FLARE)], "drafted for one body, and nothing says which: give --size custom"),
    (["--pattern-file", str(FLARE), "--pattern", "qipao"], "either --pattern (a library name) or --pattern-file"),
    (["--pattern-file", str(FLARE), "--size", "custom", *GC_BODY, "--param", "length=60"], "no style parameters"),
    (["--pattern-file", str(DATA / "MaleShirt_AAMA_1.dxf"), "--size", "M170/88A"], "give a sidecar TOML"),
    (["--pattern-file", str(DATA / "LICENSES.md")], "cannot tell the pattern format"),
    (["--pattern-file", str(FLARE), "--pattern-units", "mm", "--size", "160/84A"], "units apply to DXF files only"),
    (["--sidecar", str(FLARE)], "a sidecar and pattern units go with a pattern file"),
    (["--pattern-file", str(DATA / "MaleShirt_AAMA_1.dxf"), "--sidecar", str(FLARE), "--size", "160/84A"],
     "not valid TOML"),
])
def test_bad_pattern_file_requests_exit_2(tmp_path, capsys, args, message):
    code = main(["sample", "--out", str(tmp_path / "out"), "--quality", "draft", *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert not (tmp_path / "out").exists()  # nothing written


def test_the_body_comes_from_custom_measurements_or_the_sidecar(tmp_path):
    with pytest.raises(InvalidRequestError, match="needs measurements"):
        validate_request(SampleRequest(pattern_file=FLARE, size="custom"))
    sidecar = tmp_path / "body.toml"
    sidecar.write_text("[body]\nheight = 172\nbust = 99.8\nwaist = 84.3\nhip = 103.5\n")
    valid = validate_request(SampleRequest(pattern_file=FLARE, sidecar=sidecar, size="pattern"))
    assert valid.size.measurements.bust_cm == 99.8 and valid.loaded.kind == "garmentcode"
    on_another = validate_request(SampleRequest(pattern_file=FLARE, sidecar=sidecar, size="165/88A"))
    assert on_another.size.measurements.bust_cm == 88.0  # a fixed-size garment tried on another body
    with pytest.raises(InvalidRequestError, match="size 'pattern' is the body a fixed-size pattern file names"):
        validate_request(SampleRequest(size="pattern"))
