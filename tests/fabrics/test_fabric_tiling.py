"""Seam visibility and seamless tiles: the measure fails on a crafted seam, the library's tiles pass it."""

from __future__ import annotations

import numpy as np
import pytest
from fabric_testkit import weave_image

from garment3d.fabric.colorway import fabric_base_colour
from garment3d.fabric.properties import list_fabrics, load_fabric
from garment3d.fabric.tiling import make_seamless, seam_visibility


def test_a_periodic_tile_is_seamless_and_a_cut_one_is_not():
    tile = weave_image(192, period=8)
    assert seam_visibility(tile).seamless
    cut = tile[:, 5:-3]  # not a whole number of weave periods: the copies meet out of phase
    gradient = cut * np.linspace(0.6, 1.0, cut.shape[1])[None, :, None]  # and lit from one side
    seam = seam_visibility(gradient)
    assert not seam.seamless and seam.ratio > 1.5


def test_make_seamless_removes_a_seam_and_keeps_the_contrast():
    rng = np.random.default_rng(3)
    tile = weave_image(160, period=8)[:, 3:-4] * np.linspace(0.6, 1.0, 153)[None, :, None]
    tile = np.clip(tile + 0.02 * rng.standard_normal(tile.shape), 0, 1)
    before = seam_visibility(tile)
    fixed = make_seamless(tile)
    after = seam_visibility(fixed)
    assert not before.seamless and after.seamless
    assert fixed.shape == tile.shape
    assert fixed.std() > 0.8 * tile.std()  # variance-preserving blend: the weave does not wash out


@pytest.mark.parametrize("name", list_fabrics())
def test_every_library_tile_is_seamless(name):
    seam = seam_visibility(fabric_base_colour(load_fabric(name)))
    assert seam.edge_step <= seam.interior_step, f"{name}: {seam}"
