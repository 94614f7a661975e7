import dataclasses

import pytest

from garment3d.errors import InvalidMeasurementsError
from garment3d.sizes import (
    INTERNATIONAL_LABELS,
    custom_size,
    derived_measurements,
    parse_size,
    sizes_of,
    validate_measurements,
)
from garment3d.types import Measurements


def test_gbt_central_bodies():
    a = parse_size("160/84A").measurements
    assert (a.height_cm, a.bust_cm, a.waist_cm, a.hip_cm, a.gender) == (160, 84, 68, 90, "female")
    men = parse_size("M170/88A").measurements
    assert (men.bust_cm, men.waist_cm, men.hip_cm, men.gender) == (88, 74, 90, "male")


def test_gbt_sizes_carry_the_control_heights_and_arm_length():
    women, men = parse_size("160/84A").measurements, parse_size("M170/88A").measurements
    assert (women.waist_height_cm, women.cervical_height_cm, women.arm_length_cm) == (98.0, 136.0, 50.5)
    assert (men.waist_height_cm, men.cervical_height_cm, men.arm_length_cm) == (102.5, 145.0, 55.5)
    assert parse_size("165/88A").measurements.arm_length_cm == 52.0  # +1.5 cm per 5 cm of height
    assert women.thigh_cm is None  # GB/T 1335 has no thigh girth: the fitter predicts it


def test_a_given_arm_length_reaches_the_derived_measurements():
    m = Measurements(165, 88, 70, 96)
    assert derived_measurements(m)["arm_length"] == pytest.approx(52.0)
    assert derived_measurements(dataclasses.replace(m, arm_length_cm=55.0))["arm_length"] == 55.0


def test_gbt_grading_steps():
    small, large = parse_size("155/80A").measurements, parse_size("165/88A").measurements
    assert large.waist_cm - small.waist_cm == pytest.approx(8.0)
    assert large.hip_cm - small.hip_cm == pytest.approx(7.2)
    assert parse_size("160/84Y").measurements.waist_cm < parse_size("160/84B").measurements.waist_cm


@pytest.mark.parametrize("label", ["XXXL", "160-84A", "160/84Z", "", "160/84", "X-M", "MM", "W-160/84A", "ML"])
def test_bad_labels_say_what_is_expected(label):
    with pytest.raises(InvalidMeasurementsError, match="GB/T 1335 size such as 160/84A") as info:
        parse_size(label)
    assert "XS, S, M, L, XL, XXL" in str(info.value) and "W-M" in str(info.value)  # lists the valid labels


@pytest.mark.parametrize(
    "m, field",
    [
        (Measurements(40, 84, 68, 90), "height"),
        (Measurements(160, -84, 68, 90), "bust"),
        (Measurements(160, 84, 300, 90), "waist"),
        (Measurements(160, 84, 68, float("nan")), "hip"),
        (Measurements(160, 84, 68, 90, gender="other"), "gender"),
        (Measurements(160, 84, 68, 90, arm_length_cm=80), "arm_length"),
        (Measurements(160, 84, 68, 90, thigh_cm=float("nan")), "thigh"),
        (Measurements(160, 84, 68, 90, thigh_cm=True), "thigh"),
        (Measurements(160, 84, 68, 90, shoulder_width_cm=20), "shoulder_width"),
        (Measurements(160, 84, 68, 90, shoulder_width_cm=float("inf")), "shoulder_width"),
    ],
)
def test_absurd_measurements_name_the_field(m, field):
    with pytest.raises(InvalidMeasurementsError, match=field):
        validate_measurements(m)


def test_custom_size():
    size = custom_size(Measurements(168, 92, 72, 100))
    assert size.label == "custom" and size.measurements.hip_cm == 100


def test_international_sizes_follow_the_documented_chart():
    m = parse_size("M").measurements  # women by default
    assert (m.height_cm, m.bust_cm, m.waist_cm, m.hip_cm, m.gender) == (168, 94, 76, 100, "female")
    men = parse_size("M-L").measurements
    assert (men.height_cm, men.bust_cm, men.waist_cm, men.hip_cm, men.gender) == (176, 106, 94, 107.5, "male")
    assert parse_size("XXL", gender="male").measurements.bust_cm == pytest.approx(123.5)


@pytest.mark.parametrize(
    "label, gender, canonical",
    [("M", "female", "W-M"), ("M", "male", "M-M"), ("w-xl", "male", "W-XL"), ("M-2XL", "female", "M-XXL"),
     (" S ", "male", "M-S")],
)
def test_international_labels_prefix_wins_and_label_is_canonical(label, gender, canonical):
    size = parse_size(label, gender)
    assert size.label == canonical
    assert size.system.startswith("international")
    assert size.measurements.gender == ("male" if canonical.startswith("M-") else "female")


def test_gbt_men_prefix_does_not_collide_with_international_men():
    gbt, letter = parse_size("M170/88A"), parse_size("M-M")
    assert gbt.system == "GB/T 1335 men" and gbt.measurements.bust_cm == 88
    assert letter.system == "international men" and letter.measurements.bust_cm == 98


@pytest.mark.parametrize("gender", ["female", "male"])
def test_international_sizes_grow_monotonically(gender):
    sizes = sizes_of("international", gender)
    assert [s.label.split("-")[1] for s in sizes] == list(INTERNATIONAL_LABELS)
    for field in ("bust_cm", "waist_cm", "hip_cm"):
        values = [getattr(s.measurements, field) for s in sizes]
        assert values == sorted(values) and len(set(values)) == len(values)


def test_sizes_of_gbt_gives_the_a_series():
    women = [s.label for s in sizes_of("GB/T 1335")]
    assert women == ["150/76A", "155/80A", "160/84A", "165/88A", "170/92A", "175/96A", "180/100A"]
    men = sizes_of("gbt", "male")
    assert men[0].label == "M160/80A" and men[-1].label == "M190/104A"
    assert all(s.measurements.gender == "male" for s in men)
    assert [s.label for s in sizes_of("gbt", body_type="B")][2] == "160/84B"


@pytest.mark.parametrize(
    "args, message",
    [(("US",), "unknown size system 'US'"), (("intl", "other"), "gender"), (("gbt", "female", "Z"), "body type")],
)
def test_sizes_of_rejects_unknown_systems(args, message):
    with pytest.raises(InvalidMeasurementsError, match=message):
        sizes_of(*args)


def test_unknown_gender_is_a_clear_error():
    with pytest.raises(InvalidMeasurementsError, match="gender"):
        parse_size("160/84A", gender="other")
