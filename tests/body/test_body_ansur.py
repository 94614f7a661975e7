"""The fitter on real people: a small ANSUR II sample shipped with the tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from garment3d.body.fit import fit_body
from garment3d.types import Measurements

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "body" / "ansur_sample.csv"


def read_sample() -> list[tuple[str, Measurements]]:
    with SAMPLE.open(newline="") as fh:
        return [
            (
                f"{row['Gender'].lower()}-{row['SubjectId']}",
                Measurements(
                    float(row["stature"]) / 10,
                    float(row["chestcircumference"]) / 10,
                    float(row["waistcircumference"]) / 10,
                    float(row["buttockcircumference"]) / 10,
                    row["Gender"].lower(),
                ),
            )
            for row in csv.DictReader(fh)
        ]


PEOPLE = read_sample()


def test_sample_covers_both_genders():
    genders = [m.gender for _, m in PEOPLE]
    assert genders.count("female") == 10 and genders.count("male") == 10


@pytest.mark.parametrize("target", [m for _, m in PEOPLE], ids=[name for name, _ in PEOPLE])
def test_real_people_fit_within_one_centimetre(model, target):
    got = fit_body(model, target).measurement.measurements(target.gender)
    for name in ("height_cm", "bust_cm", "waist_cm", "hip_cm"):
        assert getattr(got, name) == pytest.approx(getattr(target, name), abs=1.0), name
