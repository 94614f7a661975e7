"""Colourway batches (garment3d.render.colorway) and path-traced hero stills (garment3d.render.hero), tiny sizes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from garment3d.errors import InvalidRequestError
from garment3d.render.colorway import render_colorways
from garment3d.types import RenderOptions


def load(path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def test_colorways_change_only_the_garment(tmp_path, skirt_drape, body, linen):
    blue = dataclasses.replace(linen, tint=(0.3, 0.5, 1.6))
    pale = dataclasses.replace(linen, tint=(2.0, 2.0, 2.0))
    batch = render_colorways(skirt_drape, body, [linen, blue, pale], RenderOptions(), tmp_path, size_px=96)
    assert [p.name for p in batch.stills] == [
        "colorway_00_test_linen.png", "colorway_01_test_linen.png", "colorway_02_test_linen.png"
    ]
    red, bluish, light = (load(p) for p in batch.stills)
    changed = np.abs(red - bluish).max(axis=2) > 30
    assert changed.mean() > 0.03  # the skirt changed colour
    rows = np.nonzero(changed.any(axis=1))[0]
    assert rows.min() > 20  # ... and only the skirt: the figure above the waist is untouched
    skirt = changed
    assert red[skirt][:, 0].mean() > bluish[skirt][:, 0].mean() + 30  # less red
    assert light[skirt].mean() > red[skirt].mean()
    sheet = load(batch.contact_sheet)
    assert sheet.shape[1] >= 2 * 96 and sheet.shape[0] >= 96
    np.testing.assert_array_equal(sheet[:96, :96], red)


def test_colorway_batch_size_is_checked(tmp_path, skirt_drape, body, linen):
    with pytest.raises(InvalidRequestError, match="1 to 64 fabrics"):
        render_colorways(skirt_drape, body, [], RenderOptions(), tmp_path)


def test_hero_stills_are_path_traced(tmp_path, skirt_drape, body, linen):
    pytest.importorskip("mitsuba")
    from garment3d.render.hero import render_hero_stills
    from garment3d.render.turntable import render_still

    paths = render_hero_stills(skirt_drape, body, linen, RenderOptions(), tmp_path, size_px=64, samples=4)
    assert [p.name for p in paths] == ["hero_front.png", "hero_three_quarter.png"]
    hero = load(paths[0])
    assert hero.shape == (64, 64, 3)
    # the same view as the turntable still: the red skirt is where the raster still has it
    raster = load(render_still(skirt_drape, body, linen, 0.0, 64, tmp_path / "raster.png"))

    def red(image):
        return (image[..., 0] - image[..., 1] > 25) & (image[..., 0] - image[..., 2] > 25)

    overlap = (red(hero) & red(raster)).sum() / max(red(raster).sum(), 1)
    assert red(raster).sum() > 50 and overlap > 0.7
    assert np.abs(hero[:4].mean(axis=(0, 1)) - raster[:4].mean(axis=(0, 1))).max() < 25  # backdrop colour
    # one backdrop colour from top to bottom: no floor line or horizon
    floor_corner = hero[-6:, :6].mean(axis=(0, 1))
    assert np.abs(floor_corner - hero[:6, :6].mean(axis=(0, 1))).max() < 8


def test_llvm_library_needs_version_16_or_newer(monkeypatch):
    from garment3d.render import hero

    monkeypatch.setenv("DRJIT_LIBLLVM_PATH", "/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1")
    assert hero.llvm_library() is None  # Dr.Jit's code does not compile on LLVM 15: trace in scalar
    monkeypatch.setenv("DRJIT_LIBLLVM_PATH", "/usr/lib/x86_64-linux-gnu/libLLVM.so.19.1")
    assert hero.llvm_library() == "/usr/lib/x86_64-linux-gnu/libLLVM.so.19.1"
    monkeypatch.setenv("DRJIT_LIBLLVM_PATH", "/opt/llvm/lib/libLLVM.so")  # no version: the user's choice stands
    assert hero.llvm_library() == "/opt/llvm/lib/libLLVM.so"
    assert hero._llvm_major("/usr/lib/llvm-17/lib/libLLVM.so") == 17
    assert hero._llvm_major("/usr/lib64/libLLVM-18.so") == 18


def test_transparent_hero_still_leaves_the_backdrop_out(tmp_path, skirt_drape, body, linen):
    pytest.importorskip("mitsuba")
    from PIL import Image
    from scipy.ndimage import binary_erosion

    from garment3d.render.hero import render_hero_stills
    from garment3d.render.turntable import render_still

    options = RenderOptions(transparent=True)
    (path,) = render_hero_stills(skirt_drape, body, linen, options, tmp_path, size_px=64, samples=4,
                                 views=(("front", 0.0),))
    with Image.open(path) as image:
        assert image.mode == "RGBA"
        hero = np.asarray(image, dtype=np.int16)
    alpha = hero[..., 3]
    for corner in (alpha[:4, :4], alpha[:4, -4:], alpha[-4:, :4], alpha[-4:, -4:]):
        assert corner.max() == 0  # no backdrop
    raster = load(render_still(skirt_drape, body, linen, 0.0, 64, tmp_path / "raster.png"))
    skirt = (raster[..., 0] - raster[..., 1] > 25) & (raster[..., 0] - raster[..., 2] > 25)
    inside = binary_erosion(skirt, iterations=2)
    assert inside.sum() > 20 and alpha[inside].min() == 255  # the garment is opaque
    assert (hero[inside][:, 0] - hero[inside][:, 1]).mean() > 25  # and still red
    # the contact shadow stays, as in the turntable's transparent output: black, partly opaque
    shadow = (alpha > 10) & (alpha < 200) & (hero[..., :3].max(axis=2) < 40) & (np.arange(64)[:, None] > 48)
    assert shadow.sum() > 5
