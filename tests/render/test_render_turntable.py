"""Turntable rendering (garment3d.render) through headless EGL, at small sizes."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from render_synthetic import LINEN_SCAN, make_fabric, write_checker

from garment3d import render
from garment3d.errors import InvalidRequestError, RenderError
from garment3d.render import Studio, frame_camera, render_still, render_turntable
from garment3d.types import RenderOptions

FRAMES = 8
SIZE = 128
BACKGROUND = np.rint(np.array(Studio().background_rgb) * 255)


def load(path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def reddish(pixels: np.ndarray) -> np.ndarray:
    """The linen scan is a red weave; the mannequin and backdrop are near grey."""
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return (r - g > 25) & (r - b > 25)


@pytest.fixture(scope="module")
def turntable(tmp_path_factory, skirt_drape, body, linen):
    out = tmp_path_factory.mktemp("turntable")
    options = RenderOptions(frames=FRAMES, size_px=SIZE)
    return render_turntable(skirt_drape, body, linen, options, out)


def test_writes_every_file(turntable):
    assert [p.name for p in turntable.frames] == [f"frame_{i:03d}.png" for i in range(FRAMES)]
    assert turntable.animation.name == "turntable.webp"
    assert turntable.glb.name == "garment.glb"
    assert [p.name for p in turntable.stills] == ["still_front.png", "still_three_quarter.png"]
    for path in (*turntable.frames, *turntable.stills, turntable.animation, turntable.glb):
        assert path.is_file() and path.stat().st_size > 0


def test_frame_and_still_sizes(turntable):
    for path in turntable.frames:
        assert load(path).shape == (SIZE, SIZE, 3)
    for path in turntable.stills:
        assert load(path).shape == (1024, 1024, 3)


def test_frames_differ_from_each_other(turntable):
    frames = [load(p) for p in turntable.frames]
    for i in range(FRAMES):
        for j in range(i + 1, FRAMES):
            assert np.abs(frames[i] - frames[j]).mean() > 0.05, (i, j)


def test_garment_colour_in_centre_of_every_frame(turntable):
    lo, hi = int(SIZE * 0.4), int(SIZE * 0.6)
    for path in turntable.frames:
        centre = load(path)[lo:hi, lo:hi]
        assert reddish(centre).mean() > 0.5, path.name


def test_subject_never_touches_the_border(turntable):
    for path in (*turntable.frames, *turntable.stills):
        image = load(path)
        border = np.concatenate(
            [
                image[:2].reshape(-1, 3),
                image[-2:].reshape(-1, 3),
                image[:, :2].reshape(-1, 3),
                image[:, -2:].reshape(-1, 3),
            ]
        )
        assert np.abs(border - BACKGROUND).max() <= 2, path.name
        subject = np.abs(image - BACKGROUND).max(axis=2) > 8
        assert subject.mean() > 0.05, path.name  # and there is a subject


def test_mannequin_is_lit_and_visible(turntable):
    image = load(turntable.stills[0])
    # the head and torso: above the skirt, on the centre line
    column = image[100:380, 500:524].reshape(-1, 3)
    not_background = np.abs(column - BACKGROUND).max(axis=1) > 4
    assert not_background.mean() > 0.6
    lit = column[not_background]
    assert lit.mean() > 120 and np.ptp(lit.mean(axis=0)) < 40  # bright, near neutral


def test_animation_has_every_frame(turntable):
    from PIL import Image

    with Image.open(turntable.animation) as animation:
        assert animation.format == "WEBP"
        assert animation.n_frames == FRAMES
        assert animation.size == (SIZE, SIZE)


def test_gif_animation_and_frame_duration(tmp_path, skirt_drape, body, linen):
    from PIL import Image

    options = RenderOptions(frames=3, size_px=64, animation_format="gif", frame_ms=120)
    studio = Studio(still_size_px=64, shadows=False)
    result = render_turntable(skirt_drape, body, linen, options, tmp_path, studio=studio)
    assert result.animation.name == "turntable.gif"
    with Image.open(result.animation) as animation:
        assert animation.n_frames == 3
        assert animation.info["duration"] == 120


def test_texture_repeats_at_physical_size(tmp_path, skirt_drape, body):
    """A 2x2 checker, 10 cm a tile, must repeat across the skirt (REPEAT wrap, UVs far beyond 1)."""
    checker = make_fabric(write_checker(tmp_path / "checker.png"), tile_cm=(10.0, 10.0))
    path = render_still(skirt_drape, body, checker, 0.0, 384, tmp_path / "checker_front.png")
    image = load(path)
    blue = (image[..., 2] > 120) & (image[..., 0] < 120)
    yellow = (image[..., 0] > 120) & (image[..., 2] < 100)
    rows = np.nonzero((blue | yellow).any(axis=1))[0]
    assert len(rows) > 20
    # along a row half way down the skirt, count changes between the two colours
    row = (rows[0] + rows[-1]) // 2
    labels = np.where(blue[row], 1, np.where(yellow[row], 2, 0))
    labels = labels[labels > 0]
    changes = int(np.count_nonzero(np.diff(labels)))
    # the front half of a ~1.5 m girth at 5 cm squares shows about 15 squares
    assert 8 <= changes <= 30, changes


def test_frame_camera_keeps_the_subject_in_frame_at_every_angle(skirt_drape, body):
    points = np.vstack([skirt_drape.positions, body.vertices])
    axis = np.array([0.05, -0.02])
    studio = Studio()
    framing = frame_camera(points, axis, eye_y=body.landmarks.bust_y, studio=studio)
    world_to_camera = np.linalg.inv(framing.pose)
    limit = np.tan(framing.yfov / 2) * (1 - studio.margin) + 1e-9
    for angle in range(0, 360, 5):
        turned = render._turn_about_axis(angle, axis)
        homogeneous = np.column_stack([points, np.ones(len(points))]) @ turned.T @ world_to_camera.T
        depth = -homogeneous[:, 2]
        assert np.all(depth > framing.near) and np.all(depth < framing.far)
        assert np.abs(homogeneous[:, :2] / depth[:, None]).max() <= limit
    # looking slightly down from about chest height
    eye_y = framing.pose[1, 3]
    assert abs(eye_y - body.landmarks.bust_y) < 0.15
    assert framing.pose[1, 2] > 0  # the view direction (-Z) points down


def test_bad_options_are_rejected(tmp_path, skirt_drape, body, linen):
    for options in (RenderOptions(frames=0), RenderOptions(size_px=8), RenderOptions(animation_format="mp4")):
        with pytest.raises(InvalidRequestError):
            render_turntable(skirt_drape, body, linen, options, tmp_path)


def test_missing_egl_is_a_clear_render_error(tmp_path, monkeypatch, skirt_drape, body, linen):
    pyrender = render._import_pyrender()

    def no_display(*args, **kwargs):
        raise RuntimeError("eglInitialize failed")

    monkeypatch.setattr(pyrender, "OffscreenRenderer", no_display)
    with pytest.raises(RenderError, match="libegl1 libegl-mesa0 libgl1-mesa-dri"):
        render_still(skirt_drape, body, linen, 0.0, 64, tmp_path / "x.png")


def test_missing_pyrender_is_a_clear_render_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyrender", None)  # makes `import pyrender` fail
    with pytest.raises(RenderError, match="unavailable.*libegl1"):
        render._import_pyrender()


def test_missing_scan_fails_before_rendering(tmp_path, skirt_drape, body):
    from garment3d.errors import InvalidFabricError

    with pytest.raises(InvalidFabricError, match="nowhere.png"):
        render_still(skirt_drape, body, make_fabric(tmp_path / "nowhere.png"), 0.0, 64, tmp_path / "x.png")
    assert LINEN_SCAN.is_file()


def test_azimuth_convention_front_is_zero_and_left_side_is_90(tmp_path, skirt_drape, body, linen):
    """Placement convention: azimuth 0 shows the centre front, 90 the body's left side (+x)."""
    import dataclasses

    garment = skirt_drape.garment
    left_faces = garment.faces[skirt_drape.positions[garment.faces][:, :, 0].min(axis=1) > 0.02]
    left_half = dataclasses.replace(skirt_drape, garment=dataclasses.replace(garment, faces=left_faces))
    studio = Studio(shadows=False)
    columns = {}
    for azimuth in (0, 90, 180):
        path = render_still(left_half, body, linen, azimuth, 128, tmp_path / f"a{azimuth}.png", studio=studio)
        columns[azimuth] = np.nonzero(reddish(load(path)))[1]
    assert columns[0].mean() > 64 + 8  # seen from the front, the body's left is on the image right
    assert abs(columns[90].mean() - 64) < 8 and len(columns[90]) > len(columns[0])
    assert columns[180].mean() < 64 - 8
