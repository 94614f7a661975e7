import pytest

from garment3d.errors import InvalidMeasurementsError
from garment3d.sizes import custom_size, parse_size, validate_measurements
from garment3d.types import Measurements


def test_gbt_central_bodies():
    a = parse_size("160/84A").measurements
    assert (a.height_cm, a.bust_cm, a.waist_cm, a.hip_cm, a.gender) == (160, 84, 68, 90, "female")
    men = parse_size("M170/88A").measurements
    assert (men.bust_cm, men.waist_cm, men.hip_cm, men.gender) == (88, 74, 90, "male")


def test_gbt_grading_steps():
    small, large = parse_size("155/80A").measurements, parse_size("165/88A").measurements
    assert large.waist_cm - small.waist_cm == pytest.approx(8.0)
    assert large.hip_cm - small.hip_cm == pytest.approx(7.2)
    assert parse_size("160/84Y").measurements.waist_cm < parse_size("160/84B").measurements.waist_cm


@pytest.mark.parametrize("label", ["XL", "160-84A", "160/84Z", "", "160/84"])
def test_bad_labels_say_what_is_expected(label):
    with pytest.raises(InvalidMeasurementsError, match="GB/T 1335 size such as 160/84A"):
        parse_size(label)


@pytest.mark.parametrize(
    "m, field",
    [
        (Measurements(40, 84, 68, 90), "height"),
        (Measurements(160, -84, 68, 90), "bust"),
        (Measurements(160, 84, 300, 90), "waist"),
        (Measurements(160, 84, 68, float("nan")), "hip"),
        (Measurements(160, 84, 68, 90, gender="other"), "gender"),
    ],
)
def test_absurd_measurements_name_the_field(m, field):
    with pytest.raises(InvalidMeasurementsError, match=field):
        validate_measurements(m)


def test_custom_size():
    size = custom_size(Measurements(168, 92, 72, 100))
    assert size.label == "custom" and size.measurements.hip_cm == 100
