"""The render stage (garment3d.render.turntable) through headless EGL, at small sizes: every output,
its size and frame count, the garment in every frame, transparency, figures, bad options."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from render_synthetic import LINEN_SCAN, make_fabric, write_checker

from garment3d.errors import InvalidRequestError, RenderError
from garment3d.render import Studio, frame_camera, gl, render_still, render_turntable
from garment3d.render.camera import turn_about_axis
from garment3d.types import RenderOptions

FRAMES = 8
SIZE = 128
STILL = 256
SPRITE = 64
BACKGROUND = np.rint(np.array(Studio().background_rgb) * 255)
OPTIONS = RenderOptions(frames=FRAMES, size_px=SIZE, still_size_px=STILL, sprite_frame_px=SPRITE)


def load(path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def reddish(pixels: np.ndarray) -> np.ndarray:
    """The linen scan is a red weave; the figure and backdrop are near grey or beige."""
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return (r - g > 25) & (r - b > 25)


@pytest.fixture(scope="module")
def turntable(tmp_path_factory, skirt_drape, body, linen):
    out = tmp_path_factory.mktemp("turntable")
    return render_turntable(skirt_drape, body, linen, OPTIONS, out, inputs={"pattern": "test_cone_skirt"})


def test_writes_every_file(turntable):
    assert [p.name for p in turntable.frames] == [f"frame_{i:03d}.png" for i in range(FRAMES)]
    assert turntable.animation.name == "turntable.webp"
    assert turntable.webp.name == "turntable.webp" and turntable.gif.name == "turntable.gif"
    assert turntable.mp4.name == "turntable.mp4"
    assert turntable.sprite_sheet.name == "turntable_sprite.png"
    assert turntable.sprite_json.name == "turntable_sprite.json"
    assert turntable.glb.name == "garment.glb"
    assert turntable.manifest.name == "manifest.json"
    assert [p.name for p in turntable.stills] == ["still_front.png", "still_side.png", "still_back.png"]
    files = (*turntable.frames, *turntable.stills, turntable.webp, turntable.gif, turntable.mp4,
             turntable.sprite_sheet, turntable.sprite_json, turntable.glb, turntable.manifest)
    for path in files:
        assert path.is_file() and path.stat().st_size > 0


def test_frame_and_still_sizes(turntable):
    for path in turntable.frames:
        assert load(path).shape == (SIZE, SIZE, 3)
    for path in turntable.stills:
        assert load(path).shape == (STILL, STILL, 3)


def test_animations_have_every_frame(turntable):
    import imageio_ffmpeg
    from PIL import Image

    for path, kind in ((turntable.webp, "WEBP"), (turntable.gif, "GIF")):
        with Image.open(path) as animation:
            assert animation.format == kind
            assert animation.n_frames == FRAMES
            assert animation.size == (SIZE, SIZE)
            if kind == "GIF":
                animation.seek(1)
                assert animation.info["duration"] == OPTIONS.frame_ms
    reader = imageio_ffmpeg.read_frames(str(turntable.mp4))
    meta = next(reader)
    decoded = [np.frombuffer(frame, np.uint8).reshape(SIZE, SIZE, 3) for frame in reader]
    assert meta["size"] == (SIZE, SIZE) and meta["codec"] == "h264"
    assert len(decoded) == FRAMES
    # H.264 keeps the picture: the first decoded frame matches the first PNG closely
    assert np.abs(decoded[0].astype(int) - load(turntable.frames[0])).mean() < 4


def block_error(picture, png: np.ndarray) -> float:
    """Mean error of 4x4 block averages over the subject (dithering trades per-pixel error for right averages)."""
    blocks = lambda image: image.reshape(SIZE // 4, 4, SIZE // 4, 4, 3).mean(axis=(1, 3))  # noqa: E731
    subject = np.abs(blocks(png) - BACKGROUND).max(axis=2) > 6
    error = np.abs(blocks(np.asarray(picture.convert("RGB"), dtype=np.int16)) - blocks(png)).max(axis=2)
    return float(error[subject].mean())


def test_gif_palette_keeps_the_colours(turntable):
    """One shared, dithered palette: each GIF frame stays close to its PNG (a crude palette would not)."""
    from PIL import Image

    with Image.open(turntable.gif) as animation:
        for index in (0, FRAMES // 2):
            animation.seek(index)
            assert block_error(animation, load(turntable.frames[index])) < 3.0
    png = load(turntable.frames[0])
    crude = Image.fromarray(png.astype(np.uint8)).quantize(colors=12, dither=Image.Dither.NONE)
    assert block_error(crude, png) > 3.0  # the check can fail


def test_sprite_sheet_and_its_json(turntable):
    import json

    description = json.loads(turntable.sprite_json.read_text())
    assert description["image"] == turntable.sprite_sheet.name
    assert description["frames"] == FRAMES and description["columns"] * description["rows"] >= FRAMES
    assert description["frame_width"] == SPRITE
    sheet = load(turntable.sprite_sheet)
    assert sheet.shape == (description["rows"] * SPRITE, description["columns"] * SPRITE, 3)
    # each cell is its frame, scaled down
    from PIL import Image

    for index in (0, 5):
        row, column = divmod(index, description["columns"])
        cell = sheet[row * SPRITE : (row + 1) * SPRITE, column * SPRITE : (column + 1) * SPRITE]
        small = Image.fromarray(load(turntable.frames[index]).astype(np.uint8)).resize((SPRITE, SPRITE), Image.LANCZOS)
        assert np.abs(cell - np.asarray(small, dtype=np.int16)).mean() < 3


def test_manifest_lists_every_file_with_its_size(turntable):
    import json

    manifest = json.loads(turntable.manifest.read_text())
    by_file = {entry["file"]: entry for entry in manifest["outputs"]}
    folder = turntable.manifest.parent
    on_disk = {p.name for p in folder.iterdir()} - {"manifest.json"}
    assert set(by_file) == on_disk
    for name, entry in by_file.items():
        assert entry["bytes"] == (folder / name).stat().st_size
        if "width" in entry and entry["kind"] in ("frame", "still"):
            assert load(folder / name).shape[:2] == (entry["height"], entry["width"])
    assert by_file["turntable.gif"]["frames"] == FRAMES
    assert by_file["still_side.png"]["azimuth_deg"] == 90.0
    inputs = manifest["inputs"]
    assert inputs["render_options"]["figure"] == "dress_form" and inputs["fabric"]["name"] == "test_linen"
    assert inputs["request"] == {"pattern": "test_cone_skirt"}


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


def test_figure_is_lit_and_visible(turntable):
    image = load(turntable.stills[0])
    # the dress form's torso: above the skirt, on the centre line
    column = image[int(STILL * 0.12) : int(STILL * 0.3), STILL // 2 - 6 : STILL // 2 + 6].reshape(-1, 3)
    not_background = np.abs(column - BACKGROUND).max(axis=1) > 4
    assert not_background.mean() > 0.6
    lit = column[not_background]
    assert lit.mean() > 120 and np.ptp(lit.mean(axis=0)) < 50  # bright, near neutral


def test_transparent_background(tmp_path, skirt_drape, body, linen):
    from PIL import Image

    options = RenderOptions(frames=2, size_px=96, still_size_px=96, transparent=True, outputs=("frames", "stills", "webp"))
    result = render_turntable(skirt_drape, body, linen, options, tmp_path)
    for path in (*result.frames, *result.stills):
        with Image.open(path) as picture:
            assert picture.mode == "RGBA"
            rgba = np.asarray(picture)
        assert (rgba[:3, :, 3] == 0).all() and (rgba[:, :3, 3] == 0).all()  # the backdrop is clear
        centre = rgba[40:56, 40:56]
        assert (centre[..., 3] == 255).all() and reddish(centre[..., :3].astype(np.int16)).mean() > 0.5
        # the contact shadow under the figure is partly transparent and dark
        below = rgba[80:, :, :]
        shadow = (below[..., 3] > 10) & (below[..., 3] < 200)
        assert shadow.any()
    with Image.open(result.webp) as animation:
        assert animation.mode == "RGBA"


def test_frames_differ_only_inside_the_changing_rectangle(skirt_drape, body, linen):
    """The animated WebP redraws only ``changing_rect`` after its first frame: outside it the frames must match.

    The skirt is moved off the turning axis so that it and its floor shadow swing round.
    """
    import dataclasses

    from garment3d.render import open_scene

    moved = skirt_drape.positions + np.array([0.15, 0.0, 0.0])
    drape = dataclasses.replace(skirt_drape, positions=moved)
    with open_scene(drape, body, linen, RenderOptions()) as scene:
        left, top, right, bottom = scene.changing_rect(256)
        frames = [scene.render(azimuth, 256).astype(int) for azimuth in range(0, 360, 45)]
    outside = np.ones((256, 256), bool)
    outside[top:bottom, left:right] = False
    assert 0.2 < 1.0 - outside.mean() < 0.8  # a real saving, and not the whole subject
    for frame in frames[1:]:
        assert np.abs(frame - frames[0])[outside].max() == 0
    assert max(np.abs(frame - frames[0])[~outside].max() for frame in frames[1:]) > 50  # the skirt swings


@pytest.mark.parametrize("samples", [0, 4])  # FXAA after the draws (the default), 4x multisampling
def test_silhouette_is_anti_aliased(skirt_drape, body, linen, samples):
    """Most pixels on the subject's outline are partly covered (alpha strictly between 0 and 255).

    Without anti-aliasing alpha is 0 or 255 everywhere and the share is 0.
    """
    from garment3d.render import open_scene

    with open_scene(skirt_drape, body, linen, RenderOptions(ground_shadow=False), Studio(samples=samples)) as scene:
        alpha = scene.render(30.0, 256, transparent=True)[..., 3].astype(int)
    inside = alpha >= 128
    outline = inside & ~(np.roll(inside, 1, 0) & np.roll(inside, -1, 0) & np.roll(inside, 1, 1) & np.roll(inside, -1, 1))
    partial = (alpha > 0) & (alpha < 255)
    near_outline = outline | np.roll(outline, 1, 0) | np.roll(outline, -1, 0) | np.roll(outline, 1, 1) | np.roll(outline, -1, 1)
    assert outline.sum() > 200
    assert partial[near_outline].sum() > 0.5 * outline.sum(), (partial[near_outline].sum(), outline.sum())
    assert partial[~near_outline].sum() < 0.05 * outline.sum()  # no blur away from edges


def test_ground_shadow_can_be_switched_off(tmp_path, skirt_drape, body, linen):
    with_shadow = load(render_still(skirt_drape, body, linen, 0.0, 96, tmp_path / "a.png"))
    options = RenderOptions(ground_shadow=False)
    without = load(render_still(skirt_drape, body, linen, 0.0, 96, tmp_path / "b.png", options=options))
    floor = np.zeros(without.shape[:2], bool)
    floor[70:] = np.abs(without[70:] - BACKGROUND).max(axis=2) <= 2  # backdrop without a shadow
    assert floor.sum() > 200
    assert np.abs(with_shadow[floor] - BACKGROUND).max() > 10


@pytest.mark.parametrize("figure", ["dress_form", "mannequin", "avatar"])
def test_every_figure_renders(tmp_path, skirt_drape, body, linen, figure):
    options = RenderOptions(figure=figure, skin_tone="deep")
    image = load(render_still(skirt_drape, body, linen, 0.0, 96, tmp_path / f"{figure}.png", options=options))
    head = image[2:16, 36:60]
    subject = np.abs(head - BACKGROUND).max(axis=2) > 12
    assert subject.any()
    if figure == "avatar":
        assert head[subject].mean(axis=0).max() < 140  # the deep skin tone


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
        turned = turn_about_axis(angle, axis)
        homogeneous = np.column_stack([points, np.ones(len(points))]) @ turned.T @ world_to_camera.T
        depth = -homogeneous[:, 2]
        assert np.all(depth > framing.near) and np.all(depth < framing.far)
        assert np.abs(homogeneous[:, :2] / depth[:, None]).max() <= limit
    # looking slightly down from about chest height
    eye_y = framing.pose[1, 3]
    assert abs(eye_y - body.landmarks.bust_y) < 0.15
    assert framing.pose[1, 2] > 0  # the view direction (-Z) points down


def test_bad_options_are_rejected(tmp_path, skirt_drape, body, linen):
    bad = {
        "frames": RenderOptions(frames=0),
        "size_px": RenderOptions(size_px=8),
        "animation_format": RenderOptions(animation_format="mp4"),
        "still_size_px": RenderOptions(still_size_px=4096),
        "unknown: \\['avi'\\]": RenderOptions(outputs=("frames", "avi")),
        "figure": RenderOptions(figure="statue"),
        "skin tone": RenderOptions(skin_tone="green"),
        "frame_format": RenderOptions(frame_format="bmp"),
        "even size_px": RenderOptions(size_px=101),
    }
    for field_name, options in bad.items():
        with pytest.raises(InvalidRequestError, match=field_name):
            render_turntable(skirt_drape, body, linen, options, tmp_path)
    assert not any(tmp_path.iterdir())


def test_missing_egl_is_a_clear_render_error(tmp_path, monkeypatch, skirt_drape, body, linen):
    def no_display(*args, **kwargs):
        raise RuntimeError("eglInitialize failed")

    monkeypatch.setattr(gl, "_make_platform", no_display)
    with pytest.raises(RenderError, match="libegl1 libegl-mesa0 libgl1-mesa-dri"):
        render_still(skirt_drape, body, linen, 0.0, 64, tmp_path / "x.png")


def test_missing_opengl_is_a_clear_render_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "OpenGL.platform", None)  # makes `import OpenGL.platform` fail
    with pytest.raises(RenderError, match="unavailable.*libegl1"):
        gl.import_gl()


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
    options = RenderOptions(ground_shadow=False)
    columns = {}
    for azimuth in (0, 90, 180):
        path = render_still(left_half, body, linen, azimuth, 128, tmp_path / f"a{azimuth}.png", options=options)
        columns[azimuth] = np.nonzero(reddish(load(path)))[1]
    assert columns[0].mean() > 64 + 8  # seen from the front, the body's left is on the image right
    assert abs(columns[90].mean() - 64) < 8 and len(columns[90]) > len(columns[0])
    assert columns[180].mean() < 64 - 8


def test_normal_map_shows_in_large_stills_only(tmp_path, skirt_drape, body):
    """A ridged normal map (ridges 2.5 cm apart at true scale) changes a 1024 px still, not a 256 px frame."""
    from PIL import Image

    ridges = np.full((64, 64, 3), 128, np.uint8)
    ridges[..., 0] = np.rint(128 + 100 * np.sin(np.arange(64) / 64 * 2 * np.pi)).astype(np.uint8)[None, :]
    ridges[..., 2] = 200
    Image.fromarray(ridges).save(tmp_path / "ridges.png")
    flat = make_fabric(LINEN_SCAN, tile_cm=(5.0, 5.0))
    ridged = make_fabric(LINEN_SCAN, tile_cm=(5.0, 5.0), normal_path=tmp_path / "ridges.png")
    for size, changes in ((1024, True), (256, False)):
        a = load(render_still(skirt_drape, body, flat, 0.0, size, tmp_path / f"flat{size}.png"))
        b = load(render_still(skirt_drape, body, ridged, 0.0, size, tmp_path / f"ridged{size}.png"))
        skirt = reddish(a)
        difference = np.abs(a - b).max(axis=2)[skirt]
        assert (difference.mean() > 2.0) == changes, (size, difference.mean())
