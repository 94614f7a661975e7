"""measure(): girths on shapes of known perimeter, and landmarks on the body."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from garment3d.body.measure import measure, torso_girth
from garment3d.body.section import convex_perimeter, section


def ramanujan_perimeter(a: float, b: float) -> float:
    h = ((a - b) / (a + b)) ** 2
    return np.pi * (a + b) * (1 + 3 * h / (10 + np.sqrt(4 - 3 * h)))


def test_cylinder_girth_is_circumference():
    r = 0.15
    cyl = trimesh.creation.cylinder(radius=r, height=1.0, sections=256)
    cyl.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, [1, 0, 0]))  # axis along y
    girth = torso_girth(cyl.vertices, cyl.faces, 0.123, np.array([0.0, 0.0]))
    assert girth == pytest.approx(2 * np.pi * r, rel=0.005)


def test_ellipse_prism_girth_is_ellipse_perimeter(make_prism):
    a, b = 0.16, 0.11  # half width, half depth: a torso-like section
    t = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    v, f = make_prism(np.column_stack([a * np.cos(t), b * np.sin(t)]), 0.0, 1.0)
    assert trimesh.Trimesh(v, f, process=False).is_watertight
    assert torso_girth(v, f, 0.5) == pytest.approx(ramanujan_perimeter(a, b), rel=0.005)


def test_tape_bridges_concavities(make_prism):
    """Two overlapping lobes (like a bust): the tape follows the convex hull."""
    r, d = 0.08, 0.05
    t = np.linspace(0, 2 * np.pi, 1440, endpoint=False)
    # Outline of the union of two circles centred at x = -d and x = +d.
    radius = np.maximum(*(d * np.cos(t) * s + np.sqrt(r**2 - (d * np.sin(t)) ** 2) for s in (1.0, -1.0)))
    v, f = make_prism(np.column_stack([radius * np.cos(t), radius * np.sin(t)]), 0.0, 0.6)
    expected = 2 * np.pi * r + 4 * d
    assert torso_girth(v, f, 0.3) == pytest.approx(expected, rel=0.005)
    cut = section(v, f, 1, 0.3)
    assert cut.count == 1
    assert convex_perimeter(cut.points) == pytest.approx(expected, rel=0.005)


def test_arm_beside_the_torso_is_left_out(make_prism):
    t = np.linspace(0, 2 * np.pi, 360, endpoint=False)
    circle = np.column_stack([np.cos(t), np.sin(t)])
    tv, tf = make_prism(0.14 * circle, 0.0, 1.0)
    av, af = make_prism(0.04 * circle + [0.2, 0.0], 0.2, 0.9, centre_xz=(0.2, 0.0))
    v = np.vstack([tv, av])
    f = np.vstack([tf, af + len(tv)])
    assert torso_girth(v, f, 0.5, np.array([0.0, 0.0])) == pytest.approx(2 * np.pi * 0.14, rel=0.005)
    assert torso_girth(v, f, 0.5, np.array([0.2, 0.0])) == pytest.approx(2 * np.pi * 0.04, rel=0.005)


def test_body_landmarks_are_ordered_and_plausible(model, base_female):
    v, f = base_female
    m = measure(v, f, model.knee_vertices, model.nipple_vertices)
    assert 1.45 < m.stature < 1.75
    assert 0 < m.knee_y < m.crotch_y < m.hip_y < m.waist_y < m.bust_y < m.armpit_y < m.stature
    assert 0.25 < m.knee_y / m.stature < 0.32
    assert 0.42 < m.crotch_y / m.stature < 0.50
    assert 0.58 < m.waist_y / m.stature < 0.68
    assert 0.68 < m.bust_y / m.stature < 0.76
    # An average young woman: girths in tailoring range, waist the narrowest.
    assert 0.78 < m.bust_girth < 0.92 and 0.60 < m.waist_girth < 0.72 and 0.86 < m.hip_girth < 0.98
    assert m.waist_girth < min(m.bust_girth, m.hip_girth)
    assert np.all(np.abs(m.axis_xz) < 0.05)


def test_measure_is_invariant_to_translation(model, base_female):
    v, f = base_female
    a = measure(v, f, model.knee_vertices, model.nipple_vertices)
    b = measure(v + [0.3, 0.0, -0.2], f, model.knee_vertices, model.nipple_vertices)
    assert b.waist_girth == pytest.approx(a.waist_girth, abs=1e-6)
    assert b.hip_y == pytest.approx(a.hip_y, abs=1e-6)
    assert b.axis_xz == pytest.approx(a.axis_xz + [0.3, -0.2], abs=1e-6)
