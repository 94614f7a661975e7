"""Any pattern a user brings, from a file or an upload: read, checked in full, never executed."""

from __future__ import annotations

import dataclasses

import json

import numpy as np
import pytest
from pattern_samples import DATA, skirt

from garment3d.errors import Garment3DError, ImportFormatError, InvalidPatternError
from garment3d.patterns.formats import write_dxf, write_pattern_svg
from garment3d.patterns.formats.load import MAX_UPLOAD_BYTES, kind_of_file, load_pattern_bytes, load_pattern_file
from garment3d.settings import get_settings
from garment3d.types import Measurements

GC_MEAN_BODY = Measurements(172.0, 99.8, 84.3, 103.5)
SKIRT_SIDECAR = (DATA / "a_line_skirt_sidecar.toml").read_text() + (
    "\n[body]\nheight = 160\nbust = 84\nwaist = 68\nhip = 90\n")


def _library_bytes(name: str) -> bytes:
    return (get_settings().patterns_dir / f"{name}.toml").read_bytes()


def test_kind_of_file_by_name(tmp_path):
    assert [kind_of_file(tmp_path / n) for n in ("a.TOML", "b.json", "c.dxf", "d.svg")] == [
        "toml", "garmentcode", "dxf", "svg"]
    with pytest.raises(ImportFormatError, match=r"shirt\.pdf: cannot tell the pattern format"):
        kind_of_file(tmp_path / "shirt.pdf")


def test_a_toml_upload_is_a_definition_drafted_to_any_size():
    loaded = load_pattern_bytes(_library_bytes("a_line_skirt"), "toml", name="mine.toml")
    assert not loaded.fixed_size and loaded.kind == "toml"
    small = loaded.pattern(Measurements(160, 84, 68, 90))
    large = loaded.pattern(Measurements(175, 104, 88, 110))
    assert np.ptp(large.panel("front").outline[:, 0]) > np.ptp(small.panel("front").outline[:, 0]) + 3


def test_a_garmentcode_upload_keeps_its_stitches_and_placement():
    data = (DATA / "shirt_mean_specification.json").read_bytes()
    loaded = load_pattern_bytes(data, "garmentcode", name="shirt_mean_specification.json")
    assert loaded.fixed_size and loaded.name == "shirt_mean" and loaded.body is None
    pattern = loaded.pattern(GC_MEAN_BODY)
    # the file's 18 stitches, less the 4 under 1 cm that close into the armholes' corners (garmentcode_place)
    assert len(pattern.panels) == 8 and len(pattern.seams) == 14
    assert {p.placement.region for p in pattern.panels} == {"torso", "arm"}


def test_dxf_and_svg_uploads_need_a_sidecar_to_be_sampled(tmp_path):
    pattern = skirt()
    for kind, write in (("dxf", write_dxf), ("svg", write_pattern_svg)):
        path = tmp_path / f"skirt.{kind}"
        write(pattern, path)
        data = path.read_bytes()
        bare = load_pattern_bytes(data, kind, name=f"skirt.{kind}")
        assert {p.name for p in bare.pieces().panels} == {"front", "back"}
        with pytest.raises(InvalidPatternError, match="no seams or placement; give a sidecar"):
            bare.pattern()
        sewn = load_pattern_bytes(data, kind, name=f"skirt.{kind}", sidecar=SKIRT_SIDECAR.encode())
        result = sewn.pattern()
        assert len(result.seams) == 6 and result.panel("back").placement.azimuth_deg == 180
        assert len(result.anchors) == 6
        assert sewn.body == Measurements(160, 84, 68, 90)


def test_uploads_over_the_size_limit_are_refused_before_parsing():
    big = b"#" * (MAX_UPLOAD_BYTES["toml"] + 1)
    with pytest.raises(ImportFormatError, match=r"big\.toml: .* MiB is more than"):
        load_pattern_bytes(big, "toml", name="big.toml")
    with pytest.raises(ImportFormatError, match="more than"):
        load_pattern_bytes(b"{}" * 600, "garmentcode", name="x.json", max_bytes=1000)
    with pytest.raises(ImportFormatError, match="unknown pattern kind 'exe'"):
        load_pattern_bytes(b"MZ", "exe", name="x.exe")


def test_an_upload_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    text = _library_bytes("a_line_skirt").decode().replace(
        '"-length"]', f'"__import__(\'pathlib\').Path(\'{marker}\').touch() or -length"]', 1)
    assert "__import__" in text
    with pytest.raises(InvalidPatternError, match="point .hem_r. y: unsupported syntax"):
        load_pattern_bytes(text.encode(), "toml", name="evil.toml")
    assert not marker.exists()


@pytest.mark.parametrize(("kind", "data", "words"), [
    ("garmentcode", b"[" * 100_000 + b"]" * 100_000, "x: "),
    ("garmentcode", b"\xff\xfe not json", "not valid JSON"),
    ("garmentcode", b'{"pattern": {"panels": {}}}', "'pattern.panels' must be a non-empty object"),
    ("toml", b"name = [" * 30_000, "x: "),
    ("toml", b"name = 'x'\n", "missing field 'panels'"),
    ("dxf", b"0\nSECTION\n2\nENTITIES\n", "truncated"),
    ("svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "x: "),
])
def test_bad_uploads_get_an_error_naming_the_problem(kind, data, words):
    with pytest.raises(Garment3DError, match=words.replace("(", r"\(").replace(")", r"\)")) as info:
        load_pattern_bytes(data, kind, name="x")
    assert str(info.value)


def test_a_broken_garmentcode_stitch_is_named():
    spec = json.loads((DATA / "flare_skirt_specification.json").read_text())
    spec["pattern"]["stitches"][1][0]["edge"] = 9
    with pytest.raises(ImportFormatError, match=r"stitch 1: panel 'skirt_front' has no edge 9 \(it has 4\)"):
        load_pattern_bytes(json.dumps(spec).encode(), "garmentcode", name="flare.json")


def test_a_garmentcode_sidecar_gives_the_body_only():
    data = (DATA / "flare_skirt_specification.json").read_bytes()
    body = b"[body]\nheight = 172\nbust = 99.8\nwaist = 84.3\nhip = 103.5\n"
    assert load_pattern_bytes(data, "garmentcode", sidecar=body).body == GC_MEAN_BODY
    with pytest.raises(ImportFormatError, match="its sidecar may give \\[body\\] only"):
        load_pattern_bytes(data, "garmentcode", sidecar=b"[[seams]]\na = 'wb_front.e0'\nb = 'wb_back.e0'\n")
    with pytest.raises(ImportFormatError, match=r"\[body\]: measurement 'bust' = 9 cm is outside"):
        load_pattern_bytes(data, "garmentcode", sidecar=body.replace(b"99.8", b"9"))
    with pytest.raises(ImportFormatError, match=r"\[body\]: 'hip' must be a number"):
        load_pattern_bytes(data, "garmentcode", sidecar=body.replace(b"103.5", b"'wide'"))


def test_a_garmentcode_sidecar_body_may_give_a_shoulder_width():
    data = (DATA / "flare_skirt_specification.json").read_bytes()
    body = b"[body]\nheight = 172\nbust = 99.8\nwaist = 84.3\nhip = 103.5\nshoulder_width = 36.5\n"
    loaded = load_pattern_bytes(data, "garmentcode", sidecar=body)
    assert loaded.body == dataclasses.replace(GC_MEAN_BODY, shoulder_width_cm=36.5)
    with pytest.raises(ImportFormatError, match=r"\[body\]: measurement 'shoulder_width' = 90 cm is outside"):
        load_pattern_bytes(data, "garmentcode", sidecar=body.replace(b"36.5", b"90"))
    with pytest.raises(ImportFormatError, match=r"unknown key\(s\) neck \(known: .*shoulder_width"):
        load_pattern_bytes(data, "garmentcode", sidecar=body + b"neck = 38\n")


def test_units_apply_to_dxf_only():
    with pytest.raises(ImportFormatError, match="units apply to DXF files only"):
        load_pattern_bytes(_library_bytes("a_line_skirt"), "toml", units="mm")


def test_a_graded_dxf_uses_its_first_size_or_the_sidecars(tmp_path):
    from garment3d.patterns import get_definition
    from garment3d.patterns.grading import grade, write_nest

    nest = grade(get_definition("a_line_skirt"), ["155/80A", "160/84A", "165/88A"], {}, "female", "anchor")
    path = tmp_path / "nest.dxf"
    write_nest(nest, path, "dxf")
    loaded = load_pattern_file(path)
    assert loaded.size == "155/80A" and loaded.pieces().size_label == "155/80A"
    sidecar = tmp_path / "nest.toml"
    sidecar.write_text('size = "165/88A"\n' + SKIRT_SIDECAR)
    chosen = load_pattern_file(path, sidecar=sidecar)
    assert chosen.size == "165/88A" and chosen.pattern().size_label == "165/88A"
    waist = {size: np.ptp(p.panel("front").outline[:, 0]) for size, p in
             (("155/80A", loaded.pieces()), ("165/88A", chosen.pattern()))}
    assert waist["165/88A"] > waist["155/80A"] + 2  # the sizes really differ
    sidecar.write_text('size = "XXXL"\n' + SKIRT_SIDECAR)
    with pytest.raises(InvalidPatternError, match="no size 'XXXL'"):
        load_pattern_file(path, sidecar=sidecar)
