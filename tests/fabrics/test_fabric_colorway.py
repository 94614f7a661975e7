"""Colorways keep the weave: the recoloured luminance structure correlates with the original."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import ndimage

from garment3d.errors import InvalidRequestError
from garment3d.fabric.colorway import apply_colorway, fabric_base_colour, recolour
from garment3d.fabric.colour import delta_e, luminance, parse_colour, srgb_to_lab
from garment3d.fabric.images import read_image
from garment3d.fabric.properties import load_fabric


def _structure(rgb: np.ndarray) -> np.ndarray:
    """The weave's light and shade: luminance with the mean removed (what a colorway must keep)."""
    lum = luminance(rgb)
    return (lum - lum.mean()).ravel()


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(_structure(a), _structure(b))[0, 1])


@pytest.mark.parametrize("name, colour", [("silk_charmeuse", "midnight"), ("denim_indigo", "#d9cfb8"),
                                          ("linen_red", "olive"), ("silk_dupioni", "peacock"),
                                          ("poplin_grey", "#202020"), ("wool_crepe", "camel")])
def test_recolour_keeps_the_weave_and_reaches_the_colour(name, colour):
    fabric = load_fabric(name)
    original = fabric_base_colour(fabric)
    target = parse_colour(colour, {c.name: c.hex for c in fabric.colorways})
    result = recolour(original, target)
    assert _correlation(original, result) > 0.9
    mean_lab = srgb_to_lab(result).reshape(-1, 3).mean(axis=0)
    assert delta_e(mean_lab, srgb_to_lab(target)) < 6.0


def test_the_correlation_check_fails_on_a_flat_dye():
    """The check can fail: a recolour that paints the target flat (or blurs the weave) loses the structure."""
    original = fabric_base_colour(load_fabric("denim_indigo"))
    flat = np.broadcast_to(parse_colour("#884422"), original.shape) + 0.002 * np.random.default_rng(0).random(
        original.shape)
    assert _correlation(original, flat) < 0.2
    blurred = ndimage.uniform_filter(original, size=(15, 15, 1), mode="wrap")
    assert _correlation(original, recolour(blurred, parse_colour("#884422"))) < 0.75


def test_a_colorway_changes_only_the_material(fabrics_dir):
    fabric = load_fabric("silk_charmeuse")
    navy = apply_colorway(fabric, "midnight")
    assert navy.texture_path != fabric.texture_path and navy.texture_path.is_file()
    same_physics = dataclasses.replace(navy, texture_path=fabric.texture_path, display_name=fabric.display_name)
    assert same_physics == fabric  # sheen, anisotropy, physics, tile: unchanged
    again = apply_colorway(fabric, "#1f2a44")  # the same colour by hex: the cached image
    assert again.texture_path == navy.texture_path
    assert read_image(navy.texture_path, "c").pixels.shape == read_image(fabric.texture_path, "o").pixels.shape


def test_unknown_colour_names_the_choices():
    with pytest.raises(InvalidRequestError, match="jade"):
        apply_colorway(load_fabric("silk_charmeuse"), "plaid")
