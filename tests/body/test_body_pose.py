"""Arm pose: rig found on the mesh, arms turned about the shoulders, body still closed."""

from __future__ import annotations

import math

import numpy as np
import pytest
import trimesh

from garment3d.body import build_body, clear_memory_cache
from garment3d.body.cache import body_key
from garment3d.body.fit import model_measure
from garment3d.body.pose import pose_arms, rig_arms
from garment3d.body.sdf import sample_sdf
from garment3d.errors import InvalidRequestError
from garment3d.types import Measurements

TARGET = Measurements(165, 88, 72, 94, "female")


@pytest.fixture(scope="module")
def rig(model, base_female):
    v, f = base_female
    meas = model_measure(model, v)
    return meas, rig_arms(v, f, meas.armpit_y, meas.axis_xz)


@pytest.fixture(scope="module")
def bodies(tmp_path_factory):
    """The same woman in the rest pose, arms lowered to 25 degrees and in a T-pose."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GARMENT3D_CACHE_DIR", str(tmp_path_factory.mktemp("garment3d-cache")))
        clear_memory_cache()
        return {angle: build_body(TARGET, angle) for angle in (None, 25, 90)}


def penetrating_vertices(body) -> int:
    """Vertices whose point 4 mm outside the surface reads inside the body: where
    one part of the mesh passes through another (and a few tight creases)."""
    normals = trimesh.Trimesh(body.vertices, body.faces, process=False).vertex_normals
    return int(np.sum(sample_sdf(body.sdf, body.vertices + 0.004 * normals) < -0.001))


def test_rig_is_found_on_the_mesh(rig, base_female):
    meas, arms = rig
    v, _ = base_female
    for arm in arms.sides:
        assert arm.joint[0] * arm.side > 0.1
        assert meas.armpit_y + 0.03 < arm.joint[1] < meas.armpit_y + 0.1  # between the armpit and the shoulder top
        assert 35 < arm.angle_deg < 50  # MakeHuman's A-pose
        assert arm.weights.min() >= 0 and arm.weights.max() == 1.0
        torso = (v[:, 1] < meas.armpit_y - 0.02) & (np.abs(v[:, 0]) < 0.15)
        assert np.all(arm.weights[torso] == 0)
        moving = arm.weights > 0
        assert np.all(np.sign(v[moving, 0]) == arm.side)
    assert np.count_nonzero(arms.left.weights) == np.count_nonzero(arms.right.weights)  # symmetric mesh
    hips = (np.abs(v[:, 1] - meas.hip_y) < 0.05) & (np.abs(v[:, 0]) < 0.25)
    assert np.all(arms.left.weights[hips] + arms.right.weights[hips] == 0)


def test_rest_angle_changes_nothing(rig, base_female):
    _, arms = rig
    v, _ = base_female
    np.testing.assert_allclose(pose_arms(v, arms, arms.left.angle_deg), v, atol=1e-12)


def test_arm_turns_rigidly_to_the_requested_angle(rig, base_female):
    _, arms = rig
    v, _ = base_female
    posed = pose_arms(v, arms, 75.0)
    for arm in arms.sides:
        full = arm.weights == 1.0
        before, after = v[full] - arm.joint, posed[full] - arm.joint
        np.testing.assert_allclose(np.linalg.norm(after, axis=1), np.linalg.norm(before, axis=1), atol=1e-12)
        np.testing.assert_allclose(after[:, 2], before[:, 2], atol=1e-12)  # about the front-back axis
        angle_after = np.arctan2(after[:, 1], arm.side * after[:, 0])
        turn = np.degrees(angle_after - np.arctan2(before[:, 1], arm.side * before[:, 0]))
        np.testing.assert_allclose(turn, 75.0 - arm.angle_deg, atol=1e-9)
    unmoved = (arms.left.weights == 0) & (arms.right.weights == 0)
    np.testing.assert_array_equal(posed[unmoved], v[unmoved])


@pytest.mark.parametrize("angle", [25, 90])
def test_posed_body_is_closed_and_measures_the_same(bodies, angle):
    rest, posed = bodies[None], bodies[angle]
    mesh = trimesh.Trimesh(posed.vertices, posed.faces, process=False)
    assert mesh.is_watertight and mesh.is_winding_consistent and mesh.volume > 0
    assert mesh.volume == pytest.approx(trimesh.Trimesh(rest.vertices, rest.faces, process=False).volume, rel=0.03)
    for name in ("height_cm", "bust_cm", "waist_cm", "hip_cm"):
        assert getattr(posed.measured, name) == pytest.approx(getattr(rest.measured, name), abs=0.2)
    assert posed.landmarks.waist_y == pytest.approx(rest.landmarks.waist_y, abs=0.002)
    assert penetrating_vertices(posed) <= penetrating_vertices(rest) + 10  # no arm through the torso


def test_t_pose_holds_the_arms_out(bodies):
    rest, t_pose = bodies[None], bodies[90]
    width = np.ptp(t_pose.vertices[:, 0])
    assert width > 1.3 * np.ptp(rest.vertices[:, 0])
    assert width > 0.8 * rest.measured.height_cm / 100  # arm span of an adult: about her height
    hands = t_pose.vertices[np.abs(t_pose.vertices[:, 0]) > 0.6 * width / 2]
    assert np.ptp(hands[:, 1]) < 0.25 and hands[:, 1].mean() > 0.7 * 1.65  # level with the shoulders
    below = bodies[25].vertices[:, 1] < rest.landmarks.bust_y
    assert np.ptp(bodies[25].vertices[below, 0]) < np.ptp(rest.vertices[below, 0])  # lowered: hands closer in


def test_pose_is_part_of_the_cache_key():
    assert body_key(TARGET, "v") == body_key(TARGET, "v", None)  # rest-pose keys unchanged
    assert body_key(TARGET, "v", 60) != body_key(TARGET, "v")
    assert body_key(TARGET, "v", 60) != body_key(TARGET, "v", 61)


@pytest.mark.parametrize("angle", [5, 120, -40, math.nan, "ninety", True])
def test_bad_arm_angles_are_refused(angle):
    with pytest.raises(InvalidRequestError, match="arm_angle_deg"):
        build_body(TARGET, angle)  # type: ignore[arg-type]
