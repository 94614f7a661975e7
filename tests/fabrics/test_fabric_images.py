"""Reading user images: every hostile file gets a clear InvalidFabricError, good files their full precision."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from garment3d.errors import InvalidFabricError
from garment3d.fabric.images import MAX_PIXELS, read_image

from fabric_testkit import save, weave_image


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` x ``height`` and holds almost nothing: a decompression bomb's header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


def test_a_good_png_reads_as_float_rgb(tmp_path):
    pixels = weave_image(64)
    image = read_image(save(pixels, tmp_path / "ok.png"), "scan")
    assert image.pixels.shape == (64, 64, 3) and image.bits == 8
    assert np.abs(image.pixels - pixels).max() <= 0.5 / 255 + 1e-6


def test_decompression_bomb_is_refused_from_its_header(tmp_path):
    side = int(np.sqrt(MAX_PIXELS)) + 1000
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(side, side))
    with pytest.raises(InvalidFabricError, match="decompression bomb"):
        read_image(path, "scan")


def test_truncated_file(tmp_path):
    buffer = io.BytesIO()
    Image.fromarray((weave_image(128) * 255).astype(np.uint8)).save(buffer, format="PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(InvalidFabricError, match="truncated|damaged|unreadable"):
        read_image(path, "scan")


def test_wrong_extension_names_both(tmp_path):
    path = tmp_path / "scan.png"
    Image.fromarray((weave_image(64) * 255).astype(np.uint8)).save(path, format="JPEG")
    with pytest.raises(InvalidFabricError, match=r"extension '\.png' but holds a JPEG"):
        read_image(path, "scan")


def test_not_an_image(tmp_path):
    path = tmp_path / "scan.png"
    path.write_bytes(b"<html>hello</html>")
    with pytest.raises(InvalidFabricError, match="not a PNG, JPEG or TIFF"):
        read_image(path, "scan")


def test_one_pixel_image(tmp_path):
    with pytest.raises(InvalidFabricError, match="1 x 1 px"):
        read_image(save(np.zeros((1, 1, 3)), tmp_path / "dot.png"), "scan")


def test_cmyk_tiff_is_converted(tmp_path):
    path = tmp_path / "scan.tif"
    Image.new("CMYK", (32, 32), (0, 255, 255, 0)).save(path)  # pure red ink
    image = read_image(path, "scan")
    assert image.source_mode == "CMYK"
    assert np.allclose(image.pixels[0, 0], [1.0, 0.0, 0.0], atol=0.02)


def test_16_bit_grey_keeps_its_precision(tmp_path):
    ramp = np.tile(np.linspace(0, 65535, 256).astype(np.uint16), (32, 1))
    path = tmp_path / "grey16.png"
    Image.fromarray(ramp).save(path)
    image = read_image(path, "scan")
    assert image.bits == 16
    # the ramp's top is white (not clipped to 255/65535 as an 8-bit conversion would) and steps stay fine
    assert image.pixels[0, -1, 0] == pytest.approx(1.0)
    assert image.pixels[0, 128, 0] == pytest.approx(ramp[0, 128] / 65535, abs=1e-6)
    assert len(np.unique(image.pixels[0, :, 0])) == 256


def test_16_bit_grey_tiff(tmp_path):
    path = tmp_path / "grey16.tif"
    Image.fromarray(np.full((20, 20), 30000, np.uint16)).save(path)
    assert read_image(path, "scan").pixels[0, 0, 0] == pytest.approx(30000 / 65535, abs=1e-6)


def test_empty_upload():
    with pytest.raises(InvalidFabricError, match="empty"):
        read_image(b"", "scan", "x.png")


def _tiff_rgb16(width: int, height: int, values: np.ndarray) -> bytes:
    """A minimal uncompressed little-endian 16-bit RGB TIFF (Pillow cannot write one)."""
    data = values.astype("<u2").tobytes()
    tags = [(256, 3, width), (257, 3, height), (258, 3, None), (259, 3, 1), (262, 3, 2), (273, 4, None),
            (277, 3, 3), (278, 3, height), (279, 4, len(data)), (284, 3, 1)]
    ifd_size = 2 + 12 * len(tags) + 4
    bits_at, data_at = 8 + ifd_size, 8 + ifd_size + 6
    out = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(tags)))
    for tag, kind, value in tags:
        if tag == 258:
            out += struct.pack("<HHII", tag, kind, 3, bits_at)
        elif tag == 273:
            out += struct.pack("<HHII", tag, kind, 1, data_at)
        elif kind == 3:
            out += struct.pack("<HHIHH", tag, kind, 1, value, 0)
        else:
            out += struct.pack("<HHII", tag, kind, 1, value)
    return bytes(out + struct.pack("<I", 0) + struct.pack("<HHH", 16, 16, 16) + data)


def test_16_bit_colour_tiff_reads_with_its_colours(tmp_path):
    values = np.zeros((32, 32, 3), np.uint16)
    values[..., 0] = 65535  # red
    values[..., 2] = 32768  # half blue
    path = tmp_path / "rgb16.tif"
    path.write_bytes(_tiff_rgb16(32, 32, values))
    image = read_image(path, "scan")
    assert image.pixels[0, 0] == pytest.approx([1.0, 0.0, 0.5], abs=1 / 255)
