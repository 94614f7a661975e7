"""Control heights, arm length and thigh girth predicted from stature and girths when a request does not give them.

A linear population model per gender, estimated by least squares on all of
ANSUR II (US Army 2012 survey, public domain: 1,986 women, 4,082 men):

    value_cm = c0 + c1 * stature + c2 * bust (chest) + c3 * hip

- natural waist height: midway between the 10th-rib height and the
  iliocristale (iliac crest) height, the ISO 8559-1 natural waist
  (``tenthribheight``, ``iliocristaleheight``);
- cervical height: the back neck point (``cervicaleheight``);
- arm length, GB/T 1335's 全臂长 (shoulder point to wrist, the arm hanging):
  ``acromionradialelength + radialestylionlength``, the acromion to the
  radiale (elbow) plus the radiale to the stylion (wrist), the two segments of
  a hanging arm between the same landmarks (ANSUR's ``sleeveoutseam`` follows
  the surface of the arm and ends at the wrist crease instead);
- thigh girth: one thigh, horizontally at the gluteal fold (``thighcircumference``).

The waist girth is left out on purpose: requests give it at different
landmarks (natural waist or navel) and it adds nothing measurable to the
prediction (at most 0.01 cm less residual SD for the arm length and the
thigh). ``benchmarks/bench_body_ansur.py
--regression`` re-estimates the coefficients from the survey and prints them
with their error; the residual standard deviations (cm) are kept here as
``RESIDUAL_SD_CM``.
"""

from __future__ import annotations

from garment3d.types import Measurements

__all__ = [
    "COEFFICIENTS",
    "RESIDUAL_SD_CM",
    "PREDICTED",
    "predict_cm",
    "predict_waist_height_cm",
    "predict_cervical_height_cm",
    "predict_arm_length_cm",
    "predict_thigh_cm",
    "control_heights_cm",
    "control_values_cm",
]

#: The predicted values, each named as its ``Measurements`` field without ``_cm``.
PREDICTED = ("waist_height", "cervical_height", "arm_length", "thigh")

#: gender -> name -> (c0, c1 stature, c2 bust, c3 hip), all cm.
COEFFICIENTS = {
    "female": {
        "waist_height": (-14.4702, 0.7131, -0.0332, 0.0401),
        "cervical_height": (-9.1904, 0.9092, -0.0037, 0.0102),
        "arm_length": (-6.8332, 0.3628, 0.0094, 0.0208),
        "thigh": (-3.5770, -0.0403, -0.0099, 0.7118),
    },
    "male": {
        "waist_height": (-14.9730, 0.7088, 0.0061, -0.0103),
        "cervical_height": (-9.7494, 0.8954, 0.0342, 0.0061),
        "arm_length": (-4.2622, 0.3625, 0.0295, -0.0217),
        "thigh": (-2.1026, -0.0614, 0.0237, 0.7148),
    },
}
RESIDUAL_SD_CM = {
    "female": {"waist_height": 1.74, "cervical_height": 1.05, "arm_length": 1.74, "thigh": 1.89},
    "male": {"waist_height": 1.92, "cervical_height": 1.07, "arm_length": 1.75, "thigh": 1.90},
}


def predict_cm(m: Measurements, name: str) -> float:
    """The value ``name`` (one of ``PREDICTED``) of the average person with these measurements."""
    c0, c1, c2, c3 = COEFFICIENTS[m.gender][name]
    return c0 + c1 * m.height_cm + c2 * m.bust_cm + c3 * m.hip_cm


def predict_waist_height_cm(m: Measurements) -> float:
    """Natural waist height (cm above the floor) of the average person with these measurements."""
    return predict_cm(m, "waist_height")


def predict_cervical_height_cm(m: Measurements) -> float:
    """Back neck point height (cm above the floor) of the average person with these measurements."""
    return predict_cm(m, "cervical_height")


def predict_arm_length_cm(m: Measurements) -> float:
    """Shoulder point to wrist (cm) of the average person with these measurements."""
    return predict_cm(m, "arm_length")


def predict_thigh_cm(m: Measurements) -> float:
    """One thigh's girth at the gluteal fold (cm) of the average person with these measurements."""
    return predict_cm(m, "thigh")


def control_values_cm(m: Measurements) -> dict[str, float]:
    """Every value of ``PREDICTED``: the request's own (``<name>_cm``) where given, else predicted."""
    out = {}
    for name in PREDICTED:
        given = getattr(m, f"{name}_cm")
        out[name] = float(given) if given is not None else predict_cm(m, name)
    return out


def control_heights_cm(m: Measurements) -> tuple[float, float]:
    """(natural waist height, cervical height): the request's own, else predicted."""
    values = control_values_cm(m)
    return values["waist_height"], values["cervical_height"]
