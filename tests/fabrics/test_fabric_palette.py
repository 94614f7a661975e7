"""Inspiration palettes: CIELAB conversions, clustering that finds the colours a photo holds, names."""

from __future__ import annotations

import numpy as np
import pytest
from fabric_testkit import save

from garment3d.errors import InvalidFabricError, InvalidRequestError
from garment3d.fabric.colour import colour_name, delta_e, lab_to_srgb, parse_colour, srgb_to_lab
from garment3d.fabric.palette import extract_palette, palette_colorways, palette_from_image

BLOCKS = {"navy": "#000080", "gold": "#ffd700", "crimson": "#dc143c", "ivory": "#fffff0"}


def _photo(shares=(0.4, 0.3, 0.2, 0.1), noise=0.02) -> np.ndarray:
    rng = np.random.default_rng(5)
    rows = []
    for (name, hex_), share in zip(BLOCKS.items(), shares):
        rows.append(np.broadcast_to(parse_colour(hex_), (int(200 * share), 200, 3)))
    image = np.concatenate(rows, axis=0)
    return np.clip(image + noise * rng.standard_normal(image.shape), 0, 1)


def test_lab_of_known_colours():
    assert srgb_to_lab(np.array([1.0, 1.0, 1.0])) == pytest.approx([100.0, 0.0, 0.0], abs=0.05)
    assert srgb_to_lab(np.array([1.0, 0.0, 0.0])) == pytest.approx([53.24, 80.09, 67.20], abs=0.1)
    rgb = np.random.default_rng(1).random((50, 3))
    assert lab_to_srgb(srgb_to_lab(rgb)) == pytest.approx(rgb, abs=1e-6)


def test_palette_finds_the_photo_colours_with_names_and_shares(tmp_path):
    palette = palette_from_image(save(_photo(), tmp_path / "mood.png"))
    assert len(palette) == 4
    assert [c.name for c in palette] == ["navy", "gold", "crimson", "ivory"]
    for colour, hex_ in zip(palette, BLOCKS.values()):
        assert delta_e(np.array(colour.lab), srgb_to_lab(parse_colour(hex_))) < 3.0
    assert [c.share for c in palette] == pytest.approx([0.4, 0.3, 0.2, 0.1], abs=0.02)


def test_palette_size_stays_between_three_and_eight():
    flat = np.broadcast_to(parse_colour("#336699"), (64, 64, 3)) + np.linspace(-0.1, 0.1, 64)[None, :, None]
    assert 3 <= len(extract_palette(np.clip(flat, 0, 1))) <= 8
    rainbow = np.random.default_rng(2).random((100, 100, 3))
    assert 3 <= len(extract_palette(rainbow)) <= 8
    assert len(extract_palette(_photo(), count=6)) == 6
    with pytest.raises(InvalidRequestError, match="3 to 8"):
        extract_palette(_photo(), count=12)


def test_palette_becomes_colorways_with_unique_names():
    colorways = palette_colorways(extract_palette(_photo()))
    assert [c.name for c in colorways] == ["navy", "gold", "crimson", "ivory"]
    assert colour_name(srgb_to_lab(parse_colour("#000081"))) == "navy"


def test_hostile_photo_is_refused():
    with pytest.raises(InvalidFabricError, match="inspiration photo"):
        palette_from_image(b"GIF89a....", file_name="mood.gif")


def test_palette_saved_as_colorways_of_a_fabric(fabrics_dir):
    from garment3d.fabric.properties import add_colorways, load_record

    before = load_record("silk_habotai").fabric.colorways
    record = add_colorways("silk_habotai", palette_colorways(extract_palette(_photo())))
    names = [c.name for c in record.fabric.colorways]
    assert names[: len(before)] == [c.name for c in before]
    assert {"navy", "gold", "crimson"} <= set(names)
    again = add_colorways("silk_habotai", palette_colorways(extract_palette(_photo())))
    assert len(again.fabric.colorways) == len(record.fabric.colorways)  # names already there are not doubled


def test_flat_photo_gives_its_one_colour_and_a_count_it_cannot_meet_is_named():
    flat = np.full((16, 16, 3), 0.5)
    palette = extract_palette(flat)
    assert len(palette) == 1 and palette[0].share == pytest.approx(1.0) and palette[0].name == "grey"
    with pytest.raises(InvalidRequestError, match="only 1 distinct"):
        extract_palette(flat, count=5)
