"""Colour differences (garment3d.render.colour_match) and the hero stills' colour against the turntable's."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.errors import RenderError
from garment3d.fabrics import load_fabric
from garment3d.render.colour_match import delta_e2000, delta_e76, garment_colour_match, garment_mask, srgb_to_lab
from garment3d.types import RenderOptions

HERO_TOLERANCE_DE2000 = 2.5  # mean garment colour, hero still against the turntable still of the same view


def test_srgb_to_lab_known_colours():
    lab = srgb_to_lab(np.array([[255, 255, 255], [0, 0, 0], [255, 0, 0], [128, 128, 128]]))
    np.testing.assert_allclose(lab[0], [100.0, 0.0, 0.0], atol=0.01)
    np.testing.assert_allclose(lab[1], [0.0, 0.0, 0.0], atol=0.01)
    np.testing.assert_allclose(lab[2], [53.24, 80.09, 67.20], atol=0.02)
    np.testing.assert_allclose(lab[3], [53.59, 0.0, 0.0], atol=0.02)


def test_delta_e2000_matches_sharmas_test_data():
    # pairs 1, 7, 17 and 25 of Sharma, Wu and Dalal's (2005) table
    first = np.array([[50.0, 2.6772, -79.7751], [50.0, 0.0, 0.0], [50.0, 2.5, 0.0], [60.2574, -34.0099, 36.2677]])
    second = np.array([[50.0, 0.0, -82.7485], [50.0, -1.0, 2.0], [73.0, 25.0, -18.0], [60.4626, -34.1751, 39.4387]])
    np.testing.assert_allclose(delta_e2000(first, second), [2.0425, 2.3669, 27.1492, 1.2644], atol=1e-4)
    np.testing.assert_allclose(delta_e2000(second, first), delta_e2000(first, second))
    assert delta_e76([50.0, 0.0, 0.0], [53.0, 4.0, 0.0]) == pytest.approx(5.0)


def test_colour_match_needs_matching_images_and_a_garment():
    image = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(RenderError, match="differ in size"):
        garment_colour_match(image, np.zeros((9, 8, 3), np.uint8), np.ones((8, 8), bool))
    with pytest.raises(RenderError, match="fewer than"):
        garment_colour_match(image, image, np.zeros((8, 8), bool))


def test_colour_match_sees_a_lighter_garment(tmp_path):
    rng = np.random.default_rng(3)
    cloth = rng.integers(90, 110, (32, 32, 3)).astype(np.uint8)
    mask = np.zeros((32, 32), bool)
    mask[8:24, 8:24] = True
    same = garment_colour_match(cloth, cloth, mask)
    assert same.delta_e76 == 0.0 and same.delta_e2000 == 0.0 and same.pixels == 256
    lighter = cloth.copy()
    lighter[mask] += 20
    lighter[~mask] = 0  # outside the garment: not counted
    assert garment_colour_match(cloth, lighter, mask).delta_e2000 > 5.0


@pytest.mark.parametrize("fabric_name", ["silk_charmeuse", "linen_red"])
def test_hero_still_shows_the_turntables_colour(tmp_path, skirt_drape, body, fabric_name):
    pytest.importorskip("mitsuba")
    from PIL import Image

    from garment3d.render import open_scene
    from garment3d.render.hero import render_hero_stills

    fabric = load_fabric(fabric_name)
    size = 128
    with open_scene(skirt_drape, body, fabric, RenderOptions()) as scene:
        mask = garment_mask(scene, 0.0, size)
        raster = scene.render(0.0, size, rgb=True)
    path = render_hero_stills(skirt_drape, body, fabric, RenderOptions(), tmp_path, size_px=size, samples=8,
                              views=(("front", 0.0),))[0]
    with Image.open(path) as image:
        hero = np.asarray(image.convert("RGB"))
    assert mask.sum() > 0.05 * size * size  # the skirt, less its outline
    whole = garment_colour_match(raster, hero, mask)
    assert whole.delta_e2000 < HERO_TOLERANCE_DE2000, (whole.reference_lab, whole.other_lab)
    hem = mask.copy()  # the skirt's lowest third, nearest the floor
    rows = np.flatnonzero(mask.any(axis=1))
    hem[: rows[0] + 2 * (rows[-1] - rows[0]) // 3] = False
    lower = garment_colour_match(raster, hero, hem)
    assert lower.delta_e2000 < HERO_TOLERANCE_DE2000, (lower.reference_lab, lower.other_lab)
    # the backdrop and the floor's contact shadow are the turntable's
    difference = np.abs(raster.astype(np.int16) - hero.astype(np.int16)).max(axis=2)
    # beside the subject, top to bottom (not the outermost pixels: the denoiser is unsure of an image's edge)
    corners = np.hstack([difference[2:-2, 2:24], difference[2:-2, -24:-2]])
    assert corners.max() <= 2, corners.max()
    # under the subject, a shadow darker than the backdrop (not the stand's base, which is darker still):
    # as dark in both
    floor = raster[-20:, 24:-24].astype(np.int16).sum(axis=2)
    backdrop = int(raster[4, 4].astype(np.int16).sum())
    shadow = (floor < backdrop - 30) & (floor > 0.55 * backdrop)
    assert shadow.sum() > 20
    assert np.median(difference[-20:, 24:-24][shadow]) <= 2
