"""Size presets: the GB/T charts map to fitted bodies through the disk cache."""

from __future__ import annotations

import pytest

from garment3d.body import clear_memory_cache
from garment3d.body import presets
from garment3d.body.presets import CHARTS, chart_sizes, is_cached, preset_body, warm
from garment3d.errors import BodyModelError, InvalidMeasurementsError
from garment3d.sizes import parse_size


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GARMENT3D_CACHE_DIR", str(tmp_path))
    clear_memory_cache()
    yield tmp_path
    clear_memory_cache()


def test_charts_cover_every_height_and_type():
    women, men = chart_sizes("female"), chart_sizes("male")
    assert chart_sizes() == women + men
    for sizes, gender, heights in ((women, "female", range(150, 181, 5)), (men, "male", range(160, 191, 5))):
        assert {s.measurements.gender for s in sizes} == {gender}
        assert {s.measurements.height_cm for s in sizes} == set(map(float, heights))
        assert {s.label[-1] for s in sizes} == {"Y", "A", "B", "C"}
        assert len({s.label for s in sizes}) == len(sizes)
        for s in sizes:
            assert parse_size(s.label) == s  # the label alone says it all (M prefix for men)
            assert 4 <= s.measurements.bust_cm - s.measurements.waist_cm <= 24
    labels = {s.label for s in women + men}
    assert {"155/80A", "160/84A", "170/92B", "M170/88A", "M180/100B"} <= labels
    assert len(women) > 7 * 4 * 5 and len(men) > 7 * 4 * 5
    with pytest.raises(InvalidMeasurementsError, match="gender"):
        chart_sizes("robot")


def test_sizes_are_fitted_once_then_read_from_disk(cache_dir):
    sizes = [parse_size("160/84A"), parse_size("M180/100B")]
    assert not any(is_cached(s) for s in sizes)
    seen = []
    report = warm(sizes, progress=lambda label, outcome: seen.append((label, outcome)))
    assert report.built == ("160/84A", "M180/100B") and not report.cached and not report.failed
    assert seen == [("160/84A", "built"), ("M180/100B", "built")]
    assert all(is_cached(s) for s in sizes)
    assert len(list((cache_dir / "bodies").glob("*.npz"))) == 2

    again = warm(sizes)
    assert again.cached == report.built and not again.built
    clear_memory_cache()
    body = preset_body("M180/100B")  # from disk, no fit
    m = body.measured
    assert (m.gender, m.height_cm) == ("male", 180.0)
    assert m.bust_cm == pytest.approx(100, abs=1.0) and m.waist_cm == pytest.approx(92, abs=1.0)
    assert m.hip_cm == pytest.approx(parse_size("M180/100B").measurements.hip_cm, abs=1.0)


def test_failed_sizes_are_reported_not_raised(cache_dir, monkeypatch):
    def refuse(size, arm_angle_deg=None):
        raise BodyModelError("hip_cm misses by +2.8 cm")

    monkeypatch.setattr(presets, "preset_body", refuse)
    report = warm([parse_size("M190/112C")])
    assert report.failed == (("M190/112C", "hip_cm misses by +2.8 cm"),)


def test_cli_lists_and_warms(cache_dir, monkeypatch, capsys):
    assert presets.main(["--list", "--gender", "male"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(chart_sizes("male")) and lines[0].startswith("M160/")
    monkeypatch.setattr(presets, "chart_sizes", lambda gender=None: (parse_size("160/84A"),))
    monkeypatch.setattr(presets, "is_cached", lambda size, arm_angle_deg=None: True)
    assert presets.main(["--warm"]) == 0
    assert "0 built, 1 already cached, 0 failed" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        presets.main([])
    assert set(CHARTS) == {"female", "male"}
