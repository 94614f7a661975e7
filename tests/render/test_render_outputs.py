"""Image and animation writers (garment3d.render.outputs): files that decode back to what was written."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageSequence

from garment3d.render.outputs import WebpAnimation, encode_png


@pytest.mark.parametrize("shape", [(37, 53, 3), (16, 9, 4), (20, 31)])
def test_png_decodes_to_the_same_pixels(shape):
    pixels = (np.random.default_rng(3).random(shape) * 255).astype(np.uint8)
    pixels[5:9] = pixels[4]  # equal rows: the "up" filter's zeros
    with Image.open(io.BytesIO(encode_png(pixels))) as image:
        assert image.format == "PNG"
        assert np.array_equal(np.asarray(image), pixels)


def moving_square(index: int, alpha: bool) -> np.ndarray:
    """A 96 px frame: a flat backdrop and a square that moves inside columns 30..70 and rows 20..80."""
    frame = np.full((96, 96, 4 if alpha else 3), 200, np.uint8)
    if alpha:
        frame[..., 3] = 0
    frame[30 + 2 * index:50 + 2 * index, 34 + 3 * index:50 + 3 * index, :3] = (180, 30, 40)
    if alpha:
        frame[30 + 2 * index:50 + 2 * index, 34 + 3 * index:50 + 3 * index, 3] = 255
    return frame


@pytest.mark.parametrize("alpha", [False, True])
def test_webp_animation_redraws_only_the_changing_rectangle(tmp_path, alpha):
    frames = [moving_square(index, alpha) for index in range(6)]
    animation = WebpAnimation(changing=(31, 21, 70, 80))  # odd corner: offsets are rounded down to even
    for frame in frames:
        animation.add(frame)
    path = animation.write(tmp_path / "square.webp", frame_ms=50)
    with Image.open(path) as webp:
        assert webp.n_frames == len(frames) and webp.size == (96, 96)
        for frame, decoded in zip(frames, ImageSequence.Iterator(webp)):
            mode = "RGBA" if alpha else "RGB"
            got = np.asarray(decoded.convert(mode), dtype=int)
            assert decoded.info["duration"] == 50
            if alpha:
                assert np.array_equal(got[..., 3] > 127, frame[..., 3] > 127)
                shown = frame[..., 3] > 0
                assert np.abs(got[..., :3] - frame[..., :3])[shown].mean() < 6
            else:
                assert np.abs(got - frame).mean() < 3  # lossy, but the square is where it should be
