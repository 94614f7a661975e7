"""Catalog thumbnails drawn from the definition itself, cached by content hash."""

from __future__ import annotations

import io
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from garment3d.errors import InvalidRequestError
from garment3d.patterns import get_definition, list_patterns
from garment3d.patterns.thumbnail import render_thumbnail, thumbnail_cache_path, thumbnail_key, thumbnail_png


def _image(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize("name", list_patterns())
def test_every_library_pattern_has_a_thumbnail(name):
    pixels = _image(render_thumbnail(get_definition(name)))
    assert pixels.shape == (256, 256, 3)
    white = np.all(pixels == 255, axis=-1)
    fill = np.all(np.abs(pixels.astype(int) - [239, 231, 214]) <= 3, axis=-1)
    blue = (pixels[..., 2] > 100) & (pixels[..., 0] < 80)  # the grain arrows
    assert white[0].all() and white[:, 0].all()  # a margin all round
    # pieces cover a visible share (the trousers' long legs laid in two rows: 9.8 %) but not all of it
    assert 0.08 < fill.mean() < 0.85 and blue.any()


def test_pieces_are_laid_side_by_side_not_overlapping():
    definition = get_definition("a_line_skirt")
    pixels = _image(render_thumbnail(definition, 128))
    filled = ~np.all(pixels > 245, axis=-1)
    rows, cols = np.any(filled, axis=1), np.any(filled, axis=0)
    # two pieces: a blank band separates them, across the rows or across the columns
    def runs(mask):
        return int(np.sum(np.diff(mask.astype(int)) == 1) + mask[0])

    assert max(runs(rows), runs(cols)) == len(definition.panels)


def test_cached_by_content_hash(tmp_path):
    definition = get_definition("a_line_skirt")
    path = thumbnail_cache_path(definition, cache_dir=tmp_path)
    assert not path.exists()
    first = thumbnail_png(definition, cache_dir=tmp_path)
    assert path.read_bytes() == first
    path.write_bytes(b"cached")  # a second call reads the file, it does not draw again
    assert thumbnail_png(definition, cache_dir=tmp_path) == b"cached"
    edited = replace(definition, label="Another label")
    assert thumbnail_key(edited) != thumbnail_key(definition)
    assert thumbnail_png(edited, cache_dir=tmp_path).startswith(b"\x89PNG")
    assert thumbnail_key(definition, 128) != thumbnail_key(definition)
    assert thumbnail_key(get_definition("a_line_skirt")) == thumbnail_key(definition)  # stable across loads


def test_unwritable_cache_still_returns_the_png(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert thumbnail_png(get_definition("a_line_skirt"), 64, cache_dir=blocker).startswith(b"\x89PNG")


@pytest.mark.parametrize("px", [0, 8, 5000, 2.5, True])
def test_absurd_pixel_sizes_are_refused(px):
    with pytest.raises(InvalidRequestError, match="thumbnail size"):
        render_thumbnail(get_definition("a_line_skirt"), px)


def test_pieces_cut_on_fold_are_drawn_whole():
    from pathlib import Path

    from garment3d.patterns import load_definition

    definition = load_definition(Path(__file__).parent / "formats" / "folded_skirt.toml")
    pixels = _image(render_thumbnail(definition, 128))
    filled = ~np.all(pixels > 245, axis=-1)
    # each whole (unfolded) piece is mirror-symmetric about its fold: so is the picture of two pieces
    # laid side by side or stacked, to within anti-aliasing
    assert np.mean(filled != filled[:, ::-1]) < 0.02 or np.mean(filled != filled[::-1, :]) < 0.02
