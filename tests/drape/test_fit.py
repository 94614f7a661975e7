"""Fit figures of a drape (garment3d.drape.fit) on the capsule skirt, and the fit gates failing on crafted
bad drapes: a waist line let down the body, a bodice folded over the waist."""

from dataclasses import replace

import numpy as np
import pytest

from garment3d.drape.fit import line_points, measure_fit
from garment3d.drape.model import build_model
from garment3d.drape.simulate import measure_drape
from garment3d.gates import LIMITS, evaluate
from garment3d.types import FitLineSpec


def _fitted(garment):
    return replace(garment, fit_style="fitted")


def _report(garment, body, positions, linen):
    return measure_drape(garment, build_model(garment, linen), body, positions, settled=True, ended_by="rest")


@pytest.fixture(scope="module")
def linen():
    from garment3d.fabrics import load_fabric

    return load_fabric("linen_red")


def test_the_skirt_lines_are_followed_as_cloth(garment, capsule_body, linen_drape):
    lines = {line.name: line for line in linen_drape.report.fit_lines}
    assert set(lines) == {"waist", "hip"} and linen_drape.report.fit_style == "loose"
    waist, hip = lines["waist"], lines["hip"]
    # the waist line, drawn 1 cm under the waist edge, sits about 1 cm under the capsule's waist landmark
    assert waist.target_height_m == pytest.approx(capsule_body.landmarks.waist_y - 0.01)
    assert abs(waist.offset_cm) < LIMITS.waist_line_cm
    # a woven skirt that fits: the tape round the draped line reads the flat pattern's girth within a few %,
    # and the capsule (15 cm radius) is 94.2 cm round at every height
    assert waist.draped_girth_cm == pytest.approx(waist.pattern_girth_cm, rel=0.04)
    assert waist.body_girth_cm == pytest.approx(2 * np.pi * 15.0, rel=0.01)
    assert hip.height_m < waist.height_m - 0.1
    # the cloth line lies on the drape: every point of it is within the cloth's stand-off of the body
    front = garment.panel_names.index("front")
    x, points = line_points(garment, linen_drape.positions, front, -1.0)
    assert len(points) > 10 and np.ptp(x) > 30.0
    radius = np.hypot(points[:, 0], points[:, 2])
    assert np.all(radius > 0.148) and np.all(radius < 0.2)
    assert linen_drape.report.blouson_cm < LIMITS.blouson_cm


def test_a_fitted_waist_let_down_the_body_fails_the_waist_line_gate(garment, capsule_body, linen_drape, linen):
    fitted = _fitted(garment)
    assert "waist_line" not in evaluate(_report(fitted, capsule_body, linen_drape.positions, linen)).failed
    lowered = linen_drape.positions - np.array([0.0, 0.03, 0.0])  # the whole skirt 3 cm lower
    report = _report(fitted, capsule_body, lowered, linen)
    assert report.fit_line("waist").offset_cm == pytest.approx(
        _report(fitted, capsule_body, linen_drape.positions, linen).fit_line("waist").offset_cm - 3.0, abs=0.01)
    verdict = evaluate(report)
    assert "waist_line" in verdict.failed
    assert any("cm below the body's natural waist" in p for p in verdict.problems)


def _fold_over(garment, positions, waist_y_cm, depth_cm):
    """Positions with the cloth just above the pattern line ``waist_y_cm`` hanging down over it in a
    horizontal fold: from the line up, the cloth runs down ``depth_cm`` and back up to where it was."""
    u = garment.pattern_xy[:, 1] - waist_y_cm  # cm above the line
    down = np.where(u <= depth_cm, 2.0 * u, 2.0 * (2.0 * depth_cm - u))  # back to its place at 2 x depth
    folded = positions.copy()
    band = (u > 0) & (u < 2.0 * depth_cm)
    folded[band, 1] -= down[band] / 100.0
    return folded


def test_a_bodice_folded_over_the_waist_fails_the_blouson_gate(garment, capsule_body, linen_drape, linen):
    # mark a waist line 20 cm down the skirt so that 20 cm of cloth lie above it, as on a bodice
    low = FitLineSpec("waist", panels=(("front", -20.0), ("back", -20.0)), pattern_girth_cm=94.0)
    fitted = replace(_fitted(garment), fit_lines=(low,))
    smooth = _report(fitted, capsule_body, linen_drape.positions, linen)
    assert smooth.blouson_cm < LIMITS.blouson_cm and "blouson" not in evaluate(smooth).failed
    folded = _fold_over(fitted, linen_drape.positions, -20.0, 4.0)
    _, blouson = measure_fit(folded, fitted, capsule_body)
    # the fold's depth below the waist line, as sampled: on a 2 cm mesh (rows 1.7 cm apart) the lowest
    # vertex of a column lies within 0.9 cm of the fold's bottom, where the cloth falls 2 cm per cm
    assert 4.0 - 2 * 0.9 <= blouson <= 4.3
    verdict = evaluate(_report(fitted, capsule_body, folded, linen))
    assert "blouson" in verdict.failed and any("blouses" in p for p in verdict.problems)
    shallow = _fold_over(fitted, linen_drape.positions, -20.0, 0.4)
    assert measure_fit(shallow, fitted, capsule_body)[1] < LIMITS.blouson_cm


def test_a_garment_without_fit_lines_reports_none(garment, capsule_body, linen_drape):
    bare = replace(garment, fit_lines=(), pattern_xy=None)
    assert measure_fit(linen_drape.positions, bare, capsule_body) == ((), 0.0)
