"""The dress form's fitting arms and legs: found in the drape, built to the wrist and the ankle.

Cloth is crafted round a real fitted body (160/84A), so each case has a known answer: a sleeve round each
upper arm, a bodice, a skirt round both legs, a trouser leg round each thigh.
"""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.render.figure import build_figure, garment_limbs


@pytest.fixture(scope="module")
def woman():
    from garment3d.body import build_body
    from garment3d.sizes import parse_size

    return build_body(parse_size("160/84A").measurements)


def _ring(centre, axis, radius, count=24):
    """Points on a circle round ``axis`` through ``centre``."""
    axis = np.asarray(axis, float) / np.linalg.norm(axis)
    u = np.cross(axis, [0.0, 0.0, 1.0])
    if np.linalg.norm(u) < 1e-6:
        u = np.cross(axis, [1.0, 0.0, 0.0])
    u /= np.linalg.norm(u)
    v = np.cross(axis, u)
    t = np.linspace(0, 2 * np.pi, count, endpoint=False)
    return np.asarray(centre) + radius * (np.cos(t)[:, None] * u + np.sin(t)[:, None] * v)


def _sleeves(body, arms=(0, 1)):
    points = []
    for i in arms:
        path = body.landmarks.frames.arm_paths[i]
        for k in range(4, 14):  # 8 to 26 cm down the arm
            points.append(_ring(path[k], path[k + 1] - path[k], 0.055))
    return np.vstack(points)


def _tube(body, radius, y_from, y_to, centres):
    return np.vstack([_ring([c[0], y, c[1]], [0, 1, 0], radius) for c in centres
                      for y in np.linspace(y_from, y_to, 8)])


def _bodice(body):
    marks = body.landmarks
    return _tube(body, 0.16, marks.waist_y, marks.bust_y, [marks.axis_xz])


def test_sleeves_need_the_arms(woman):
    assert garment_limbs(woman, np.vstack([_bodice(woman), _sleeves(woman)])) == ("arms",)


def test_a_bodice_needs_no_limbs(woman):
    assert garment_limbs(woman, _bodice(woman)) == ()


def test_one_sleeve_is_not_a_pair_of_arms(woman):
    assert garment_limbs(woman, np.vstack([_bodice(woman), _sleeves(woman, arms=(0,))])) == ()


def test_a_skirt_needs_no_legs(woman):
    marks = woman.landmarks
    skirt = _tube(woman, 0.24, marks.crotch_y - 0.35, marks.waist_y, [marks.axis_xz])
    assert garment_limbs(woman, skirt) == ()


def test_trouser_legs_need_the_legs(woman):
    marks = woman.landmarks
    legs = _tube(woman, 0.085, marks.crotch_y - 0.6, marks.crotch_y - 0.03, woman.landmarks.frames.leg_xz)
    assert garment_limbs(woman, legs) == ("legs",)


def _closed(surface):
    import trimesh

    mesh = trimesh.Trimesh(surface.positions, surface.faces, process=False)
    return mesh.is_watertight and mesh.volume > 0


def test_dress_form_with_arms_reaches_the_wrist_and_no_further(woman):
    bare = build_figure(woman, "dress_form").parts[0].surface
    armed = build_figure(woman, "dress_form", limbs=("arms",)).parts[0].surface
    assert _closed(armed)
    from scipy.spatial import cKDTree

    for path in woman.landmarks.frames.arm_paths:
        elbow = path[15]  # 30 cm down the arm
        assert cKDTree(armed.positions).query(elbow)[0] < 0.05  # inside the arm, a few cm from the surface
        assert cKDTree(bare.positions).query(elbow)[0] > 0.08  # the plain form has no arm there
    # to the wrist and no hand: the form's arm ends a hand's length (12-26 cm) short of the fingertips
    axis_x = woman.landmarks.axis_xz[0]
    for joint, side in zip(woman.landmarks.frames.arm_joints, (1.0, -1.0)):
        fingertip = np.linalg.norm(woman.vertices[side * (woman.vertices[:, 0] - axis_x) > 0.25] - joint, axis=1).max()
        reach = np.linalg.norm(armed.positions[side * (armed.positions[:, 0] - axis_x) > 0.25] - joint, axis=1).max()
        assert 0.12 < fingertip - reach < 0.26


def test_dress_form_with_legs_stands_on_them(woman):
    form, _, stand = build_figure(woman, "dress_form", limbs=("legs",)).parts
    assert _closed(form.surface)
    assert form.surface.positions[:, 1].min() == pytest.approx(0.09, abs=0.01)  # cut above the ankle
    assert form.surface.positions[:, 1].min() < woman.landmarks.crotch_y - 0.5
    assert stand.surface.positions[:, 1].min() == pytest.approx(0.0, abs=1e-9)


def test_unknown_limb_is_rejected(woman):
    from garment3d.errors import InvalidRequestError

    with pytest.raises(InvalidRequestError, match="limbs"):
        build_figure(woman, "dress_form", limbs=("tail",))
