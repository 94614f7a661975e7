"""Fitting the body to requested measurements, and refusing what cannot be fitted."""

from __future__ import annotations

import math

import pytest

from garment3d.body.fit import fit_body
from garment3d.errors import BodyModelError, InvalidMeasurementsError
from garment3d.types import Measurements


@pytest.mark.parametrize(
    "target",
    [
        Measurements(160, 84, 68, 90, "female"),
        Measurements(165, 88, 72, 94, "female"),
        Measurements(175, 92, 80, 94, "male"),
        Measurements(152, 104, 90, 110, "female"),
        Measurements(190, 112, 98, 108, "male"),
    ],
    ids=lambda m: f"{m.gender}-{m.height_cm}-{m.bust_cm}-{m.waist_cm}-{m.hip_cm}",
)
def test_fit_reaches_one_centimetre(model, target):
    fit = fit_body(model, target)
    got = fit.measurement
    assert got.stature * 100 == pytest.approx(target.height_cm, abs=0.05)
    assert got.bust_girth * 100 == pytest.approx(target.bust_cm, abs=1.0)
    assert got.waist_girth * 100 == pytest.approx(target.waist_cm, abs=1.0)
    assert got.hip_girth * 100 == pytest.approx(target.hip_cm, abs=1.0)
    assert fit.vertices[:, 1].min() == pytest.approx(0.0, abs=1e-9)
    assert 0.9 < fit.scale < 1.1  # the macro height did the work, not the scale


@pytest.mark.parametrize(
    "target, name",
    [
        (Measurements(160, 84, 300, 90), "waist"),
        (Measurements(40, 84, 68, 90), "height"),
        (Measurements(160, -84, 68, 90), "bust"),
        (Measurements(160, 84, 68, math.nan), "hip"),
        (Measurements(160, 84, 68, "ninety"), "hip"),  # type: ignore[arg-type]
        (Measurements(160, 84, 68, 90, "robot"), "gender"),
    ],
)
def test_absurd_requests_are_refused_before_fitting(model, target, name):
    with pytest.raises(InvalidMeasurementsError, match=name) as info:
        fit_body(model, target)
    if name != "gender":
        assert "range" in str(info.value) or "number" in str(info.value)


def test_unreachable_combination_names_the_measurement(model):
    # Each value is within human range, the combination is not a human body.
    with pytest.raises(BodyModelError, match=r"(bust|waist|hip)_cm misses by [+-]\d+\.\d cm"):
        fit_body(model, Measurements(150, 128, 52, 134, "female"))


def test_a_requested_shoulder_width_narrows_the_shoulders_and_keeps_the_girths(model):
    """GarmentCode's mean body: the model's shoulders at those girths stand 40.6 cm apart; asked for 36.5
    they narrow as far as the model allows (``measure-shoulder-dist``) while the girths still fit."""
    plain = Measurements(172.0, 99.8, 84.3, 103.5)
    narrow = fit_body(model, Measurements(172.0, 99.8, 84.3, 103.5, shoulder_width_cm=36.5))
    wide = fit_body(model, plain).measurement.shoulder_width
    got = narrow.measurement
    assert got.shoulder_width < wide - 0.015
    for name, want in (("bust_girth", 99.8), ("waist_girth", 84.3), ("hip_girth", 103.5)):
        assert getattr(got, name) * 100 == pytest.approx(want, abs=1.0)
    assert dict(narrow.params.local).get("measure-shoulder-dist", 0.0) < 0.0


def test_the_shoulder_control_stays_at_zero_unless_asked_for(model):
    fit = fit_body(model, Measurements(165, 88, 72, 94, "female"))
    assert "measure-shoulder-dist" not in dict(fit.params.local)
