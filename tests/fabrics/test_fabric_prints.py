"""Print fabrics: repeat modes composed exactly, true repeat size, the base weave showing through."""

from __future__ import annotations

import numpy as np
import pytest
from fabric_testkit import save

from garment3d.errors import InvalidRequestError
from garment3d.fabric.colour import luminance
from garment3d.fabric.images import read_image
from garment3d.fabric.prints import compose_repeat, make_print_fabric
from garment3d.fabric.properties import load_fabric


def _motif() -> np.ndarray:
    motif = np.zeros((40, 30, 3))
    motif[..., 0] = np.linspace(0, 1, 30)[None, :]
    motif[..., 1] = np.linspace(0, 1, 40)[:, None]
    return motif


def test_repeat_modes():
    motif = _motif()
    assert np.array_equal(compose_repeat(motif, "full_drop"), motif)
    half = compose_repeat(motif, "half_drop")
    assert half.shape == (40, 60, 3)
    assert np.array_equal(half[:, 30:], np.roll(motif, 20, axis=0))  # the second column dropped half a motif
    mirror = compose_repeat(motif, "mirror")
    assert mirror.shape == (80, 60, 3)
    assert np.array_equal(mirror[:40, 30:], motif[:, ::-1]) and np.array_equal(mirror[40:, :30], motif[::-1])
    with pytest.raises(InvalidRequestError, match="full_drop, half_drop, mirror"):
        compose_repeat(motif, "brick")


@pytest.mark.parametrize("mode, tile", [("full_drop", (12.0, 16.0)), ("half_drop", (24.0, 16.0)),
                                        ("mirror", (24.0, 32.0))])
def test_print_fabric_at_true_scale(fabrics_dir, tmp_path, mode, tile):
    path = save(_motif(), tmp_path / "motif.png")
    record = make_print_fabric(path, f"print_{mode}", base="silk_habotai", size_cm=(12, 16), mode=mode)
    fabric = record.fabric
    assert fabric.tile_cm == pytest.approx(tile)
    assert fabric.print_repeat.mode == mode and fabric.print_repeat.size_cm == (12.0, 16.0)
    assert fabric.print_repeat.motif_path.is_file()
    base = load_fabric("silk_habotai")
    assert fabric.density_gsm == base.density_gsm and fabric.sheen == base.sheen
    assert load_fabric(f"print_{mode}") == fabric


def test_base_weave_shows_through_the_print(fabrics_dir, tmp_path):
    path = save(np.full((32, 32, 3), 0.6), tmp_path / "flat.png")  # a plain grey 'print'
    fabric = make_print_fabric(path, "grey_print", base="silk_dupioni", size_cm=(8, 8), mode="full_drop").fabric
    printed = read_image(fabric.texture_path, "print").pixels
    lum = luminance(printed)
    assert lum.std() / lum.mean() > 0.05  # the dupioni's slubs and threads, not a flat grey


def test_bad_print_requests(fabrics_dir, tmp_path):
    path = save(_motif(), tmp_path / "motif.png")
    with pytest.raises(InvalidRequestError, match="repeat size"):
        make_print_fabric(path, "tiny", base="silk_habotai", size_cm=(0.1, 5), mode="full_drop")
    with pytest.raises(InvalidRequestError, match="unknown fabric"):
        make_print_fabric(path, "nobase", base="velvet", size_cm=(10, 10), mode="full_drop")
