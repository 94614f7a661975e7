"""The population model of the control lengths: the missing ones predicted given those a request has."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from garment3d.body.heights import RESIDUAL_COVARIANCE_CM2, control_values_cm, predict_cm
from garment3d.sizes import parse_size
from garment3d.types import Measurements

WOMAN = Measurements(162.0, 92.0, 80.0, 100.0, waist_at="navel")


def test_nothing_given_is_the_population_mean():
    got = control_values_cm(WOMAN)
    for name in ("waist_height", "cervical_height", "arm_length", "thigh"):
        assert got[name] == pytest.approx(predict_cm(WOMAN, name), abs=1e-12)


def test_a_long_arm_raises_the_predicted_waist_and_neck_by_their_covariance():
    cov = np.asarray(RESIDUAL_COVARIANCE_CM2["female"])
    long_arm = dataclasses.replace(WOMAN, arm_length_cm=predict_cm(WOMAN, "arm_length") + 3.0)
    got = control_values_cm(long_arm)
    assert got["arm_length"] == long_arm.arm_length_cm
    for i, name in ((0, "waist_height"), (1, "cervical_height")):
        shift = got[name] - predict_cm(WOMAN, name)
        assert shift == pytest.approx(3.0 * cov[i, 2] / cov[2, 2], abs=1e-9) and shift > 0.5
    assert got["thigh"] == pytest.approx(predict_cm(WOMAN, "thigh"), abs=1e-12)  # not conditioned


def test_sizes_that_give_every_control_length_keep_them():
    """GB/T 1335 sizes give the waist height, cervical height and arm length: nothing is predicted."""
    request = parse_size("160/84A").measurements
    got = control_values_cm(request)
    assert (got["waist_height"], got["cervical_height"], got["arm_length"]) == (
        request.waist_height_cm, request.cervical_height_cm, request.arm_length_cm)


def test_a_long_inside_leg_raises_the_predicted_waist():
    """Long legs go with a high waist: the inside leg conditions the control heights it is not one of."""
    cov = np.asarray(RESIDUAL_COVARIANCE_CM2["female"])
    long_leg = dataclasses.replace(WOMAN, inside_leg_cm=predict_cm(WOMAN, "inside_leg") + 4.0)
    got = control_values_cm(long_leg)
    assert got["inside_leg"] == long_leg.inside_leg_cm
    shift = got["waist_height"] - predict_cm(WOMAN, "waist_height")
    assert shift == pytest.approx(4.0 * cov[0, 3] / cov[3, 3], abs=1e-9) and shift > 1.5


def test_the_residual_covariance_is_a_covariance():
    for gender, cov in RESIDUAL_COVARIANCE_CM2.items():
        c = np.asarray(cov)
        assert np.allclose(c, c.T), gender
        assert np.all(np.linalg.eigvalsh(c) > 0), gender
