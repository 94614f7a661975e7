"""Control heights predicted from stature and girths when a request does not give them.

A linear population model per gender, estimated by least squares on all of
ANSUR II (US Army 2012 survey, public domain: 1,986 women, 4,082 men):

    height_cm = c0 + c1 * stature + c2 * bust (chest) + c3 * hip

- natural waist height: midway between the 10th-rib height and the
  iliocristale (iliac crest) height, the ISO 8559-1 natural waist
  (``tenthribheight``, ``iliocristaleheight``);
- cervical height: the back neck point (``cervicaleheight``).

The waist girth is left out on purpose: requests give it at different
landmarks (natural waist or navel) and it adds nothing measurable to the
prediction. ``benchmarks/bench_body_ansur.py --regression`` re-estimates the
coefficients from the survey and prints them with their error; the residual
standard deviations (cm) are kept here as ``RESIDUAL_SD_CM``.
"""

from __future__ import annotations

from garment3d.types import Measurements

__all__ = ["COEFFICIENTS", "RESIDUAL_SD_CM", "predict_waist_height_cm", "predict_cervical_height_cm", "control_heights_cm"]

#: gender -> height name -> (c0, c1 stature, c2 bust, c3 hip), all cm.
COEFFICIENTS = {
    "female": {
        "waist_height": (-14.4702, 0.7131, -0.0332, 0.0401),
        "cervical_height": (-9.1904, 0.9092, -0.0037, 0.0102),
    },
    "male": {
        "waist_height": (-14.9730, 0.7088, 0.0061, -0.0103),
        "cervical_height": (-9.7494, 0.8954, 0.0342, 0.0061),
    },
}
RESIDUAL_SD_CM = {
    "female": {"waist_height": 1.74, "cervical_height": 1.05},
    "male": {"waist_height": 1.92, "cervical_height": 1.07},
}


def _predict(m: Measurements, name: str) -> float:
    c0, c1, c2, c3 = COEFFICIENTS[m.gender][name]
    return c0 + c1 * m.height_cm + c2 * m.bust_cm + c3 * m.hip_cm


def predict_waist_height_cm(m: Measurements) -> float:
    """Natural waist height (cm above the floor) of the average person with these measurements."""
    return _predict(m, "waist_height")


def predict_cervical_height_cm(m: Measurements) -> float:
    """Back neck point height (cm above the floor) of the average person with these measurements."""
    return _predict(m, "cervical_height")


def control_heights_cm(m: Measurements) -> tuple[float, float]:
    """(natural waist height, cervical height): the request's own, else predicted."""
    waist = m.waist_height_cm if m.waist_height_cm is not None else predict_waist_height_cm(m)
    cervical = m.cervical_height_cm if m.cervical_height_cm is not None else predict_cervical_height_cm(m)
    return float(waist), float(cervical)
