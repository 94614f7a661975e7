"""Size labels -> body measurements.

Supported systems:

- GB/T 1335 (China), written ``height/girth`` + body type, e.g. ``160/84A``
  (women) or ``170/88A`` (men; prefix ``M`` or pass ``gender="male"``). The
  type is the bust (chest) minus waist difference class Y, A, B, C. Values are
  generated from the central (intermediate) body of each type and the 5.4
  series steps of GB/T 1335.1-2008 (men) and GB/T 1335.2-2008 (women):
  waist steps 4 cm per 4 cm of girth, hip steps 3.6 cm (women Y/A), 3.2 cm
  (women B/C, men Y/A) and 2.8 cm (men B/C) per 4 cm of girth; height only
  changes stature.
- ``custom``: the caller's own measurements.

Secondary measurements (neck girth, shoulder width, arm length, back length,
waist height, upper-arm girth) follow from height and bust with the same
standards' control-part values of the central body and their steps
(:func:`derived_measurements`): GB/T 1335.2 women 160/84A has neck 33.6,
total shoulder 39.4, arm 50.5, cervical height 136 and waist height 98 cm;
GB/T 1335.1 men 170/88A has 36.8, 43.6, 55.5, 145 and 102.5 cm. Per 5 cm of
height: cervical height +4, waist height +3, arm +1.5 cm; per 4 cm of girth:
neck +0.8 (men +1.0), shoulder +1.0 (men +1.2) cm. Upper-arm girth is taken
as 0.31 x bust (anthropometric ratio; the standards do not tabulate it).

Range checks on measurements live here too, so every entry point (CLI,
API, pipeline) rejects impossible bodies with the same message before any
work is done.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from garment3d.errors import InvalidMeasurementsError
from garment3d.types import Measurements, Size

__all__ = [
    "parse_size",
    "custom_size",
    "validate_measurements",
    "derived_measurements",
    "DERIVED_MEASUREMENT_NAMES",
    "MEASUREMENT_RANGES_CM",
    "GBT_SYSTEM",
]

GBT_SYSTEM = "GB/T 1335"


@dataclass(frozen=True)
class _Central:
    height: float
    girth: float
    waist: float
    hip: float
    hip_step: float  # hip change per 4 cm of bust/chest


# GB/T 1335.2-2008 women and GB/T 1335.1-2008 men, central body per type.
_GBT = {
    "female": {
        "Y": _Central(160, 84, 64, 90, 3.6),
        "A": _Central(160, 84, 68, 90, 3.6),
        "B": _Central(160, 88, 78, 96, 3.2),
        "C": _Central(160, 88, 82, 96, 3.2),
    },
    "male": {
        "Y": _Central(170, 88, 70, 90, 3.2),
        "A": _Central(170, 88, 74, 90, 3.2),
        "B": _Central(170, 92, 84, 95, 2.8),
        "C": _Central(170, 96, 92, 97, 2.8),
    },
}

@dataclass(frozen=True)
class _Secondary:
    """Central-body control values (cm) and their steps."""

    height: float
    girth: float
    neck: float
    shoulder: float
    arm: float
    cervical_height: float
    waist_height: float
    neck_step: float  # per 4 cm of girth
    shoulder_step: float  # per 4 cm of girth


_SECONDARY = {
    "female": _Secondary(160, 84, 33.6, 39.4, 50.5, 136.0, 98.0, 0.8, 1.0),
    "male": _Secondary(170, 88, 36.8, 43.6, 55.5, 145.0, 102.5, 1.0, 1.2),
}

DERIVED_MEASUREMENT_NAMES = ("neck", "shoulder", "arm_length", "back_length", "waist_height", "upper_arm")


def derived_measurements(m: Measurements) -> dict[str, float]:
    """Secondary girths and lengths (cm) for a body of height ``m.height_cm`` and bust ``m.bust_cm``."""
    c = _SECONDARY[m.gender]
    dh, dg = (m.height_cm - c.height) / 5.0, (m.bust_cm - c.girth) / 4.0
    cervical, waist_height = c.cervical_height + 4.0 * dh, c.waist_height + 3.0 * dh
    return {
        "neck": c.neck + c.neck_step * dg,
        "shoulder": c.shoulder + c.shoulder_step * dg,
        "arm_length": c.arm + 1.5 * dh,
        "back_length": cervical - waist_height,
        "waist_height": waist_height,
        "upper_arm": 0.31 * m.bust_cm,
    }


# Accepted human range per measurement (cm), by gender; outside is an error.
MEASUREMENT_RANGES_CM = {
    "female": {"height": (140.0, 195.0), "bust": (70.0, 130.0), "waist": (52.0, 120.0), "hip": (76.0, 135.0)},
    "male": {"height": (150.0, 205.0), "bust": (76.0, 135.0), "waist": (60.0, 130.0), "hip": (78.0, 130.0)},
}

_LABEL = re.compile(r"^(?P<prefix>[MW]?)(?P<height>\d{3})/(?P<girth>\d{2,3})(?P<type>[YABC])$")


def validate_measurements(m: Measurements) -> Measurements:
    """Return ``m`` if every value is a finite number in the human range, else raise naming the field."""
    if m.gender not in MEASUREMENT_RANGES_CM:
        raise InvalidMeasurementsError(f"gender must be 'female' or 'male', not '{m.gender}'")
    values = {"height": m.height_cm, "bust": m.bust_cm, "waist": m.waist_cm, "hip": m.hip_cm}
    for name, value in values.items():
        low, high = MEASUREMENT_RANGES_CM[m.gender][name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise InvalidMeasurementsError(f"measurement '{name}' must be a number of centimetres")
        if not low <= value <= high:
            raise InvalidMeasurementsError(
                f"measurement '{name}' = {value:g} cm is outside the range a {m.gender} body "
                f"can have here ({low:g}-{high:g} cm)"
            )
    if m.waist_cm > 1.15 * max(m.bust_cm, m.hip_cm):
        raise InvalidMeasurementsError(
            f"measurement 'waist' = {m.waist_cm:g} cm is implausibly larger than bust and hip"
        )
    return m


def parse_size(label: str, gender: str = "female") -> Size:
    """Parse a GB/T 1335 label such as ``160/84A`` (or ``M170/88A`` for men)."""
    match = _LABEL.match(label.strip()) if isinstance(label, str) else None
    if not match:
        raise InvalidMeasurementsError(
            f"size '{label}' is not a GB/T 1335 size such as 160/84A (height/bust + type Y, A, B or C); "
            "use 'custom' with your own measurements"
        )
    if match["prefix"] == "M":
        gender = "male"
    elif match["prefix"] == "W":
        gender = "female"
    central = _GBT[gender][match["type"]]
    height, girth = float(match["height"]), float(match["girth"])
    steps = (girth - central.girth) / 4.0
    measurements = Measurements(
        height_cm=height,
        bust_cm=girth,
        waist_cm=central.waist + 4.0 * steps,
        hip_cm=central.hip + central.hip_step * steps,
        gender=gender,
    )
    validate_measurements(measurements)
    return Size(label=label.strip(), system=f"{GBT_SYSTEM} {'men' if gender == 'male' else 'women'}", measurements=measurements)


def custom_size(measurements: Measurements) -> Size:
    validate_measurements(measurements)
    return Size(label="custom", system="custom", measurements=measurements)
