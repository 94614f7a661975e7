"""Neck, shoulder, arm and leg frames of fitted bodies."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.body import build_body, clear_memory_cache
from garment3d.body.cache import load_body
from garment3d.body.build import body_cache_path
from garment3d.fields import sample_sdf
from garment3d.sizes import parse_size


@pytest.fixture(scope="module", params=["155/80A", "170/92A"])
def body(request, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GARMENT3D_CACHE_DIR", str(tmp_path_factory.mktemp("frames-cache")))
        clear_memory_cache()
        m = parse_size(request.param).measurements
        return build_body(m), body_cache_path(m)


def test_neck_sits_between_the_shoulders_and_the_head(body):
    b, _ = body
    f, stature = b.landmarks.frames, b.measured.height_cm / 100
    assert 0.82 * stature < f.neck_y < 0.88 * stature  # cervical height is about 85 % of stature
    assert 0.04 < f.neck_radius < 0.07
    assert np.all(f.shoulder_points[:, 1] < f.neck_y) and np.all(f.shoulder_points[:, 1] > b.landmarks.bust_y)


def test_limbs_are_mirror_images(body):
    b, _ = body
    f = b.landmarks.frames
    for pair in (f.shoulder_points, f.arm_joints, f.arm_dirs):
        np.testing.assert_allclose(pair[0] * [-1, 1, 1], pair[1], atol=0.01)
    assert f.shoulder_points[0, 0] > 0.15 and f.arm_dirs[0, 1] < -0.5  # left arm at +x, pointing down
    np.testing.assert_allclose(np.linalg.norm(f.arm_dirs, axis=1), 1.0)
    assert 0.06 < f.leg_xz[0, 0] < 0.14 and f.leg_xz[1, 0] == pytest.approx(-f.leg_xz[0, 0], abs=0.01)


def test_frames_survive_the_disk_cache(body):
    b, path = body
    again = load_body(path)
    for name in ("neck_y", "neck_radius"):
        assert getattr(again.landmarks.frames, name) == getattr(b.landmarks.frames, name)
    np.testing.assert_array_equal(again.landmarks.frames.arm_dirs, b.landmarks.frames.arm_dirs)
    np.testing.assert_array_equal(again.landmarks.frames.arm_paths, b.landmarks.frames.arm_paths)


def test_arm_paths_run_down_the_upper_arm_and_bend_forward_at_the_elbow(body):
    """MakeHuman's rest pose bends the forearms well forward: a sleeve laid along the upper arm's line
    would pass through the forearm, so sleeves follow each arm's path."""
    b, _ = body
    f = b.landmarks.frames
    arm = b.measured.arm_length_cm / 100  # shoulder point to wrist
    np.testing.assert_allclose(f.arm_paths[0] * [-1, 1, 1], f.arm_paths[1], atol=0.01)
    for joint, down, path in zip(f.arm_joints, f.arm_dirs, f.arm_paths):
        np.testing.assert_allclose(path[0], joint)
        steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
        assert np.all((steps > 0.015) & (steps < 0.021))  # evenly spaced, no kinks
        along = (path - joint) @ down
        off = path - joint - along[:, None] * down
        upper = along < 0.15
        assert np.abs(off[upper]).max() < 0.01  # on the upper arm's line down to the elbow
        forearm = off[(along > 0.74 * arm) & (along < 0.93 * arm)]  # the lower half of the forearm
        assert len(forearm) and forearm[:, 2].min() > 0.05  # the forearm is forward of that line
        # the path stays inside the arm down to the wrist: every point is inside the body
        assert np.all(sample_sdf(b.sdf, path[along < 0.36]) < 0.0)
