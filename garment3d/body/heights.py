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
- inside leg (ISO 8559-1): the crotch's height above the floor (``crotchheight``);
- thigh girth: one thigh, horizontally at the gluteal fold (``thighcircumference``).

The waist girth is left out on purpose: requests give it at different
landmarks (natural waist or navel) and it adds nothing measurable to the
prediction (at most 0.01 cm less residual SD for the arm length and the
thigh). ``benchmarks/bench_body_ansur.py
--regression`` re-estimates the coefficients from the survey and prints them
with their error; the residual standard deviations (cm) are kept here as
``RESIDUAL_SD_CM``.

When a request gives some of the control lengths (``CONDITIONED``: natural
waist height, cervical height, arm length, inside leg) but not all, the missing ones are
predicted given those too: the population model's residuals of the four are
correlated (a long back goes with a high waist and a long arm, long legs with
a high waist), and the
conditional mean of a Gaussian with their covariance over all of ANSUR II
(``RESIDUAL_COVARIANCE_CM2``) adds ``C_mg C_gg^-1 (given - predicted)`` to the
missing ones' prediction. With the arm length given, the predicted natural
waist falls inside the subject's own 10th-rib..iliac-crest band for 94.5 % of
the women and 89.6 % of the men in ANSUR II (90.2 % and 84.2 % from stature,
bust and hip alone), with the cervical height given as well 95.8 % and 91.9 %.
With the inside leg given (the trouser measurement every tailor takes) 97.4 % and
93.3 %, with the arm length as well 97.7 % and 93.8 %.
The thigh girth is predicted from stature, bust and hip alone. The inside leg
is predicted only to condition the others: a body is fitted to an inside leg
only when the request gives one (``garment3d.body.fit``).
"""

from __future__ import annotations

import numpy as np

from garment3d.types import Measurements

__all__ = [
    "COEFFICIENTS",
    "RESIDUAL_SD_CM",
    "PREDICTED",
    "CONDITIONED",
    "RESIDUAL_COVARIANCE_CM2",
    "predict_cm",
    "predict_waist_height_cm",
    "predict_cervical_height_cm",
    "predict_arm_length_cm",
    "predict_thigh_cm",
    "control_heights_cm",
    "control_values_cm",
]

#: The predicted values, each named as its ``Measurements`` field without ``_cm``.
PREDICTED = ("waist_height", "cervical_height", "arm_length", "inside_leg", "thigh")

#: gender -> name -> (c0, c1 stature, c2 bust, c3 hip), all cm.
COEFFICIENTS = {
    "female": {
        "waist_height": (-14.4702, 0.7131, -0.0332, 0.0401),
        "cervical_height": (-9.1904, 0.9092, -0.0037, 0.0102),
        "arm_length": (-6.8332, 0.3628, 0.0094, 0.0208),
        "inside_leg": (-15.4905, 0.6132, -0.0504, -0.0134),
        "thigh": (-3.5770, -0.0403, -0.0099, 0.7118),
    },
    "male": {
        "waist_height": (-14.9730, 0.7088, 0.0061, -0.0103),
        "cervical_height": (-9.7494, 0.8954, 0.0342, 0.0061),
        "arm_length": (-4.2622, 0.3625, 0.0295, -0.0217),
        "inside_leg": (-14.9159, 0.6101, -0.0053, -0.0694),
        "thigh": (-2.1026, -0.0614, 0.0237, 0.7148),
    },
}
RESIDUAL_SD_CM = {
    "female": {"waist_height": 1.74, "cervical_height": 1.05, "arm_length": 1.74, "inside_leg": 2.31, "thigh": 1.89},
    "male": {"waist_height": 1.92, "cervical_height": 1.07, "arm_length": 1.75, "inside_leg": 2.33, "thigh": 1.90},
}


#: The control lengths predicted given each other when a request gives some of them.
CONDITIONED = ("waist_height", "cervical_height", "arm_length", "inside_leg")
#: gender -> covariance (cm^2) of the population model's residuals of ``CONDITIONED``, all of ANSUR II.
RESIDUAL_COVARIANCE_CM2 = {
    "female": ((3.011, 0.857, 1.637, 2.798), (0.857, 1.104, 0.548, 1.0), (1.637, 0.548, 3.018, 2.423),
               (2.798, 1.0, 2.423, 5.331)),
    "male": ((3.68, 1.022, 1.665, 2.885), (1.022, 1.154, 0.659, 1.05), (1.665, 0.659, 3.075, 2.194),
             (2.885, 1.05, 2.194, 5.409)),
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
    """Every value of ``PREDICTED``: the request's own (``<name>_cm``) where given, else predicted
    (given the request's other control lengths, see the module docstring)."""
    given = {name: getattr(m, f"{name}_cm") for name in PREDICTED}
    known = [i for i, name in enumerate(CONDITIONED) if given[name] is not None]
    shift = dict.fromkeys(PREDICTED, 0.0)
    if 0 < len(known) < len(CONDITIONED):
        cov = np.asarray(RESIDUAL_COVARIANCE_CM2[m.gender])
        residual = np.array([float(given[CONDITIONED[i]]) - predict_cm(m, CONDITIONED[i]) for i in known])
        weights = np.linalg.solve(cov[np.ix_(known, known)], residual)
        for i, name in enumerate(CONDITIONED):
            if i not in known:
                shift[name] = float(cov[i, known] @ weights)
    return {name: float(given[name]) if given[name] is not None else predict_cm(m, name) + shift[name]
            for name in PREDICTED}


def control_heights_cm(m: Measurements) -> tuple[float, float]:
    """(natural waist height, cervical height): the request's own, else predicted."""
    values = control_values_cm(m)
    return values["waist_height"], values["cervical_height"]
