"""``garment3d sample --size custom``: --waist-at, --waist-height, --cervical-height, --arm-length, --thigh and
--inside-leg, validated."""

from __future__ import annotations

import pytest

from garment3d.cli import _build_parser, _measurements, main

BODY = ["--height", "165", "--bust", "88", "--waist", "70", "--hip", "96"]


def test_the_flags_reach_the_measurements():
    args = _build_parser().parse_args(["sample", "--out", "x", "--size", "custom", *BODY, "--waist-at", "navel",
                                       "--waist-height", "101.5", "--cervical-height", "140", "--arm-length", "53",
                                       "--thigh", "57", "--inside-leg", "77"])
    m = _measurements(args)
    assert (m.waist_cm, m.waist_at, m.waist_height_cm, m.cervical_height_cm) == (70.0, "navel", 101.5, 140.0)
    assert (m.arm_length_cm, m.thigh_cm, m.inside_leg_cm) == (53.0, 57.0, 77.0)
    plain = _measurements(_build_parser().parse_args(["sample", "--out", "x", *BODY]))
    assert (plain.waist_at, plain.waist_height_cm, plain.cervical_height_cm) == ("natural", None, None)
    assert (plain.arm_length_cm, plain.thigh_cm, plain.inside_leg_cm) == (None, None, None)


@pytest.mark.parametrize(("extra", "message"), [
    (["--size", "custom", *BODY, "--waist-height", "140"], "measurement 'waist_height' = 140 cm is outside"),
    (["--size", "custom", *BODY, "--cervical-height", "100"], "measurement 'cervical_height' = 100 cm"),
    (["--size", "custom", *BODY, "--arm-length", "30"], "measurement 'arm_length' = 30 cm is outside"),
    (["--size", "custom", *BODY, "--thigh", "80"], "measurement 'thigh' = 80 cm is outside"),
    (["--size", "custom", *BODY, "--inside-leg", "100"], "measurement 'inside_leg' = 100 cm is outside"),
    (["--inside-leg", "77"], "--inside-leg describe a custom body"),
    (["--waist-height", "101"], "--waist-height describe a custom body"),
    (["--arm-length", "53"], "--arm-length describe a custom body"),
    (["--size", "160/84A", "--waist-at", "navel"], "--waist-at describe a custom body"),
])
def test_bad_landmarks_exit_2_naming_them(tmp_path, capsys, extra, message):
    code = main(["sample", "--out", str(tmp_path / "out"), "--quality", "draft", *extra])
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert not (tmp_path / "out").exists()


def test_an_unknown_waist_landmark_is_an_argparse_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["sample", "--out", str(tmp_path), "--size", "custom", *BODY, "--waist-at", "hip"])
    assert exit_.value.code == 2 and "--waist-at" in capsys.readouterr().err


def test_pattern_export_takes_them_too(tmp_path):
    out = tmp_path / "skirt.svg"
    assert main(["pattern", "export", "a_line_skirt", "--size", "custom", *BODY, "--waist-at", "navel",
                 "--waist-height", "101", "--out", str(out)]) == 0
    assert out.is_file()
