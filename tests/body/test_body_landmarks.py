"""Standard landmarks on shapes with a known answer, and on the MakeHuman body checked independently."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.body.fit import model_measure
from garment3d.body.measure import GIRTH_LANDMARKS, TorsoSlicer, measure, torso_girth


def test_every_girth_states_its_landmark():
    assert set(GIRTH_LANDMARKS) == {"bust_girth", "chest_girth", "waist_girth", "navel_girth", "hip_girth",
                                    "thigh_girth", "thighs_girth"}
    assert "lowest rib" in GIRTH_LANDMARKS["waist_girth"] and "iliac crest" in GIRTH_LANDMARKS["waist_girth"]
    assert "navel" in GIRTH_LANDMARKS["navel_girth"]


def test_natural_waist_is_midway_between_rib_and_crest_rings(make_vase):
    """On a vase with landmark rings named at known heights every level is known."""
    v, f, ring = make_vase(lambda y: 0.12 + 0.02 * np.sin(7 * y))
    dy = 1.7 / 340

    def at(y):
        return np.flatnonzero(ring == int(round(y / dy)))

    marks = {"rib": at(1.10), "crest": at(1.00), "navel": at(0.97), "bust": at(1.25), "cervicale": at(1.46)}
    m = measure(v, f, landmark_vertices=marks)
    assert m.rib_y == pytest.approx(1.10, abs=1e-9) and m.crest_y == pytest.approx(1.00, abs=1e-9)
    assert m.waist_y == pytest.approx(1.05, abs=1e-9)
    assert m.navel_y == pytest.approx(0.97, abs=1e-9)
    assert m.cervicale_y == pytest.approx(1.46, abs=1e-9)
    for girth, y in ((m.waist_girth, 1.05), (m.navel_girth, 0.97)):
        r = 0.12 + 0.02 * np.sin(7 * y)
        assert girth == pytest.approx(2 * np.pi * r, rel=0.003)


def test_fallback_natural_waist_is_the_narrowest_girth(make_vase):
    """Without landmark vertices (an avatar), a waist indentation at 1.00 m is found, with the ANSUR band round it."""
    v, f, _ = make_vase(lambda y: 0.16 - 0.04 * np.exp(-((y - 1.0) / 0.08) ** 2))
    m = measure(v, f)
    assert m.waist_y == pytest.approx(1.0, abs=0.005)
    assert m.crest_y < m.waist_y < m.rib_y
    assert m.waist_girth == pytest.approx(2 * np.pi * 0.12, rel=0.005)


def test_hip_is_at_greatest_buttock_prominence(model, base_female):
    """Checked against a dense scan of the torso's back, independent of measure()'s vertex search."""
    v, f = base_female
    m = model_measure(model, v)
    slicer = TorsoSlicer(v, f, m.axis_xz)
    levels = np.arange(m.crotch_y + 0.02, m.crest_y, 0.001)
    back = slicer.profile(levels)[:, 2]
    assert m.hip_y == pytest.approx(levels[np.nanargmin(back)], abs=0.01)
    assert m.hip_girth == pytest.approx(torso_girth(v, f, m.hip_y, m.axis_xz), abs=1e-9)


def test_model_landmarks_follow_their_definitions(model, base_female):
    v, f = base_female
    m = model_measure(model, v)
    mean_y = {name: v[idx, 1].mean() for name, idx in model.landmark_vertices.items()}
    assert m.waist_y == pytest.approx((mean_y["rib"] + mean_y["crest"]) / 2, abs=1e-9)
    assert m.navel_y == pytest.approx(mean_y["navel"], abs=1e-9)
    assert m.bust_y == pytest.approx(min(mean_y["bust"], m.armpit_y - 0.01), abs=1e-9)
    assert m.chest_y < m.armpit_y
    # the order of a standing person, and the average young woman near the ANSUR II medians (share of stature)
    assert m.crotch_y < m.hip_y < m.crest_y < m.waist_y < m.rib_y < m.bust_y < m.armpit_y < m.cervicale_y
    assert m.hip_y < m.navel_y < m.rib_y  # the navel lies near the iliac crest, above or below
    for name, ansur in (("crest_y", 0.611), ("rib_y", 0.648), ("navel_y", 0.602), ("cervicale_y", 0.857)):
        assert getattr(m, name) / m.stature == pytest.approx(ansur, abs=0.02), name
