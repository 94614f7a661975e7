"""Neck, shoulder, arm and leg frames of fitted bodies."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.body import build_body, clear_memory_cache
from garment3d.body.cache import load_body
from garment3d.body.build import body_cache_path
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
