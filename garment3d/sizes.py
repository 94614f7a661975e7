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
- International letter sizes XS, S, M, L, XL, XXL (system
  :data:`INTERNATIONAL_SYSTEM`), women and men. A bare letter takes the
  ``gender`` argument (``parse_size("M", gender="male")``); a prefix names the
  gender and wins over the argument: ``W-`` women, ``M-`` men (``W-M``,
  ``M-L``, ``M-XXL``). ``2XL`` is read as ``XXL``; letters are case-insensitive.
  The hyphen keeps these apart from GB/T labels, which always carry digits
  (``M170/88A`` is GB/T men 170/88A, ``M-L`` is international men's L). The
  parsed :class:`~garment3d.types.Size` carries the prefixed label (``W-M``).
- ``custom``: the caller's own measurements.

International chart (cm). The bust (women) and chest (men) girth of each
letter is the middle of its band in the EN 13402-3 letter-code table
(women bust XS 74-82, S 82-90, M 90-98, L 98-106, XL 106-114, XXL 114-126;
men chest XS 78-86, S 86-94, M 94-102, L 102-110, XL 110-118, XXL 118-129).
EN 13402-3 gives only the primary girth for letter codes, so waist and hip
follow the common European body charts built on the same girths: women as
the Burda size chart (waist = bust - 18, hip = bust + 6, drafted for a
height of 168 cm), men as the German HAKA normal-size chart (waist = chest
- 12, hip 100 at chest 96 and 3 cm per 4 cm of chest, height 176 cm):

====  ==============================  ==================================
size  women: height, bust, waist, hip   men: height, chest, waist, hip
====  ==============================  ==================================
XS    168     78    60     84     176     82     70     89.5
S     168     86    68     92     176     90     78     95.5
M     168     94    76     100    176     98     86     101.5
L     168     102   84     108    176     106    94     107.5
XL    168     110   92     116    176     114    102    113.5
XXL   168     120   102    126    176     123.5  111.5  120.625
====  ==============================  ==================================

:func:`sizes_of` lists every size of a system so callers can grade across a
range: GB/T 1335 gives the A series of the 5.4 system (women 150/76A to
180/100A, men M160/80A to M190/104A; another body type on request), the
international system its six letters.

Secondary measurements (neck girth, shoulder width, arm length, back length,
waist height, upper-arm girth) follow from height and bust with the same
standards' control-part values of the central body and their steps
(:func:`derived_measurements`): GB/T 1335.2 women 160/84A has neck 33.6,
total shoulder 39.4, arm 50.5, cervical height 136 and waist height 98 cm;
GB/T 1335.1 men 170/88A has 36.8, 43.6, 55.5, 145 and 102.5 cm. Per 5 cm of
height: cervical height +4, waist height +3, arm +1.5 cm; per 4 cm of girth:
neck +0.8 (men +1.0), shoulder +1.0 (men +1.2) cm. Upper-arm girth is taken
as 0.31 x bust (anthropometric ratio; the standards do not tabulate it). A
request's own ``arm_length_cm`` replaces the table's arm length.

A GB/T 1335 size carries the standard's control heights and arm length
(``waist_height_cm``, ``cervical_height_cm``, ``arm_length_cm``), which the
body is fitted to.

Range checks on measurements live here too, so every entry point (CLI,
API, pipeline) rejects impossible bodies with the same message before any
work is done.
"""

from __future__ import annotations

import dataclasses
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
    "INTERNATIONAL_SYSTEM",
    "INTERNATIONAL_LABELS",
    "SIZE_SYSTEMS",
    "sizes_of",
]

GBT_SYSTEM = "GB/T 1335"
INTERNATIONAL_SYSTEM = "international"
SIZE_SYSTEMS = (GBT_SYSTEM, INTERNATIONAL_SYSTEM)
INTERNATIONAL_LABELS = ("XS", "S", "M", "L", "XL", "XXL")


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
class _Letter:
    """One international size: band of the primary girth (EN 13402-3) and the body drafted for it (cm)."""

    girth_band: tuple[float, float]
    height: float
    waist: float
    hip: float

    @property
    def girth(self) -> float:
        return (self.girth_band[0] + self.girth_band[1]) / 2.0


def _women(low: float, high: float) -> _Letter:
    bust = (low + high) / 2.0
    return _Letter((low, high), 168.0, bust - 18.0, bust + 6.0)  # Burda chart relations


def _men(low: float, high: float) -> _Letter:
    chest = (low + high) / 2.0
    return _Letter((low, high), 176.0, chest - 12.0, 100.0 + 0.75 * (chest - 96.0))  # HAKA chart relations


# EN 13402-3 letter-code bands; see the module docstring for the table.
_INTERNATIONAL = {
    "female": dict(zip(INTERNATIONAL_LABELS, (
        _women(74, 82), _women(82, 90), _women(90, 98), _women(98, 106), _women(106, 114), _women(114, 126),
    ))),
    "male": dict(zip(INTERNATIONAL_LABELS, (
        _men(78, 86), _men(86, 94), _men(94, 102), _men(102, 110), _men(110, 118), _men(118, 129),
    ))),
}
_GENDER_PREFIX = {"female": "W", "male": "M"}


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
        "arm_length": m.arm_length_cm if m.arm_length_cm is not None else c.arm + 1.5 * dh,
        "back_length": cervical - waist_height,
        "waist_height": waist_height,
        "upper_arm": 0.31 * m.bust_cm,
    }


# Accepted human range per measurement (cm), by gender; outside is an error.
MEASUREMENT_RANGES_CM = {
    "female": {"height": (140.0, 195.0), "bust": (70.0, 130.0), "waist": (52.0, 120.0), "hip": (76.0, 135.0)},
    "male": {"height": (150.0, 205.0), "bust": (76.0, 135.0), "waist": (60.0, 130.0), "hip": (78.0, 130.0)},
}

#: Where a waist girth may have been taken (``Measurements.waist_at``).
WAIST_LANDMARKS = ("natural", "navel")
#: Accepted control heights, arm length and inside leg as shares of stature (ANSUR II extremes widened by a few
#: per cent; ANSUR II arm length, acromion-radiale plus radiale-stylion: 0.289-0.382 of stature; crotch height
#: 0.422-0.541).
HEIGHT_FRACTIONS = {"waist_height": (0.55, 0.70), "cervical_height": (0.80, 0.91), "arm_length": (0.26, 0.41),
                    "inside_leg": (0.40, 0.56)}
#: Accepted shoulder width (straight, acromion to acromion) as shares of stature (ANSUR II biacromial
#: breadth is about 0.22 of stature; GarmentCode's mean body 36.5 / 172 = 0.21), widened generously.
SHOULDER_FRACTIONS = (0.17, 0.30)
#: Accepted thigh girth (one thigh) as shares of the hip girth (ANSUR II: 0.525-0.687).
THIGH_FRACTIONS = (0.45, 0.75)

_LABEL = re.compile(r"^(?P<prefix>[MW]?)(?P<height>\d{3})/(?P<girth>\d{2,3})(?P<type>[YABC])$")
_LETTER_LABEL = re.compile(r"^(?:(?P<prefix>[MW])-)?(?P<letter>XS|S|M|L|XL|XXL|2XL)$", re.IGNORECASE)


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
    if m.waist_at not in WAIST_LANDMARKS:
        raise InvalidMeasurementsError(
            f"waist_at must be one of {', '.join(WAIST_LANDMARKS)} (where the waist girth was taken), not {m.waist_at!r}"
        )
    lengths = (("waist_height", m.waist_height_cm), ("cervical_height", m.cervical_height_cm),
               ("arm_length", m.arm_length_cm), ("inside_leg", m.inside_leg_cm))
    what_of = {"arm_length": "shoulder point to wrist", "inside_leg": "floor to crotch"}
    for name, value in lengths:
        if value is None:
            continue
        what = what_of.get(name, "heights above the floor")
        advice = "leave it out to have the body's own" if name == "inside_leg" else "leave it out to have it predicted"
        _check_share(name, value, HEIGHT_FRACTIONS[name], m.height_cm, f"a body {m.height_cm:g} cm tall", what,
                     advice)
    if m.shoulder_width_cm is not None:
        _check_share("shoulder_width", m.shoulder_width_cm, SHOULDER_FRACTIONS, m.height_cm,
                     f"a body {m.height_cm:g} cm tall", "straight from shoulder point to shoulder point",
                     "leave it out to have the body's own")
    if m.thigh_cm is not None:
        _check_share("thigh", m.thigh_cm, THIGH_FRACTIONS, m.hip_cm, f"a hip of {m.hip_cm:g} cm",
                     "one thigh just below the crotch", "leave it out to have it predicted")
    return m


def _check_share(name: str, value: float, fractions: tuple[float, float], base: float, whose: str, what: str,
                 advice: str) -> None:
    """Refuse a measurement outside ``fractions`` of ``base`` (height or hip), naming the field and the range."""
    _check_number(name, value)
    low, high = (f * base for f in fractions)
    if not low <= value <= high:
        raise InvalidMeasurementsError(
            f"measurement '{name}' = {value:g} cm is outside the range for {whose} ({low:.1f}-{high:.1f} cm, "
            f"{what}); {advice}"
        )


def _check_number(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidMeasurementsError(f"measurement '{name}' must be a number of centimetres")


def _valid_labels() -> str:
    letters = ", ".join(INTERNATIONAL_LABELS)
    return (
        "valid sizes: GB/T 1335 labels such as 160/84A (height/bust + type Y, A, B or C; men M170/88A), "
        f"international {letters} (prefix W- for women, M- for men, e.g. W-M or M-L), or 'custom' "
        "with your own measurements"
    )


def _check_gender(gender: str) -> str:
    if gender not in _GBT:
        raise InvalidMeasurementsError(f"gender must be 'female' or 'male', not '{gender}'")
    return gender


def parse_size(label: str, gender: str = "female") -> Size:
    """Parse a size label of either system into its body measurements.

    GB/T 1335: ``160/84A`` (or ``M170/88A`` for men). International: ``M``
    (gender from ``gender``), ``W-M`` (women), ``M-L`` (men). A label prefix
    overrides ``gender``. Raises InvalidMeasurementsError listing the valid
    labels when ``label`` is neither.
    """
    text = label.strip() if isinstance(label, str) else ""
    gbt = _LABEL.match(text)
    if gbt:
        return _parse_gbt(gbt, text, gender)
    letter = _LETTER_LABEL.match(text)
    if letter:
        return _parse_international(letter, gender)
    raise InvalidMeasurementsError(
        f"size '{label}' is not a GB/T 1335 size such as 160/84A nor an international size; {_valid_labels()}"
    )


def _parse_gbt(match: re.Match, label: str, gender: str) -> Size:
    if match["prefix"] == "M":
        gender = "male"
    elif match["prefix"] == "W":
        gender = "female"
    central = _GBT[_check_gender(gender)][match["type"]]
    height, girth = float(match["height"]), float(match["girth"])
    steps = (girth - central.girth) / 4.0
    measurements = Measurements(
        height_cm=height,
        bust_cm=girth,
        waist_cm=central.waist + 4.0 * steps,
        hip_cm=central.hip + central.hip_step * steps,
        gender=gender,
    )
    # GB/T 1335's control heights and arm length: the body is fitted to them (natural waist,
    # back neck point, shoulder point to wrist).
    derived = derived_measurements(measurements)
    measurements = dataclasses.replace(
        measurements,
        waist_height_cm=round(derived["waist_height"], 2),
        cervical_height_cm=round(derived["waist_height"] + derived["back_length"], 2),
        arm_length_cm=round(derived["arm_length"], 2),
    )
    validate_measurements(measurements)
    return Size(label=label, system=f"{GBT_SYSTEM} {'men' if gender == 'male' else 'women'}", measurements=measurements)


def _parse_international(match: re.Match, gender: str) -> Size:
    prefix = (match["prefix"] or "").upper()
    if prefix:
        gender = "male" if prefix == "M" else "female"
    letter = match["letter"].upper().replace("2XL", "XXL")
    row = _INTERNATIONAL[_check_gender(gender)][letter]
    measurements = Measurements(
        height_cm=row.height, bust_cm=row.girth, waist_cm=row.waist, hip_cm=row.hip, gender=gender
    )
    validate_measurements(measurements)
    return Size(
        label=f"{_GENDER_PREFIX[gender]}-{letter}",
        system=f"{INTERNATIONAL_SYSTEM} {'men' if gender == 'male' else 'women'}",
        measurements=measurements,
    )


_SYSTEM_ALIASES = {"gb/t 1335": GBT_SYSTEM, "gbt": GBT_SYSTEM, "gb/t": GBT_SYSTEM,
                   "international": INTERNATIONAL_SYSTEM, "intl": INTERNATIONAL_SYSTEM}


def sizes_of(system: str, gender: str = "female", body_type: str = "A") -> tuple[Size, ...]:
    """Every size of ``system`` for ``gender``, smallest first, for grading across a range.

    ``system`` is ``"GB/T 1335"`` (also ``"gbt"``) or ``"international"``
    (also ``"intl"``). GB/T 1335 gives the 5.4 series of ``body_type``: women
    150/76 to 180/100, men M160/80 to M190/104 (height +5, girth +4 cm per
    step); the international system gives XS to XXL with the gender prefix.
    """
    key = _SYSTEM_ALIASES.get(system.strip().lower() if isinstance(system, str) else "")
    if key is None:
        raise InvalidMeasurementsError(f"unknown size system '{system}' (known: {', '.join(SIZE_SYSTEMS)})")
    _check_gender(gender)
    if key == INTERNATIONAL_SYSTEM:
        return tuple(parse_size(f"{_GENDER_PREFIX[gender]}-{letter}") for letter in INTERNATIONAL_LABELS)
    if body_type not in ("Y", "A", "B", "C"):
        raise InvalidMeasurementsError(f"body type must be one of Y, A, B, C, not '{body_type}'")
    height, girth, prefix = (150, 76, "") if gender == "female" else (160, 80, "M")
    return tuple(parse_size(f"{prefix}{height + 5 * i}/{girth + 4 * i}{body_type}", gender) for i in range(7))


def custom_size(measurements: Measurements) -> Size:
    validate_measurements(measurements)
    return Size(label="custom", system="custom", measurements=measurements)
