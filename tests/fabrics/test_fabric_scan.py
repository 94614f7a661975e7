"""Scan import: physical size, white balance, flat field, seamless tile, PBR set, registration, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fabric_testkit import save, weave_image
from PIL import Image

from garment3d.errors import InvalidFabricError, InvalidRequestError
from garment3d.fabric.colour import srgb_to_linear
from garment3d.fabric.images import read_image
from garment3d.fabric.properties import catalogue_problems, load_fabric
from garment3d.fabric.scan import ScanImport, import_scan, prepare_scan
from garment3d.fabric.tiling import seam_visibility

GARMENTCODE = Path(__file__).resolve().parents[1] / "data" / "fabrics" / "garmentcode_plain_weave_crop.jpg"


def _photo(size: int = 256) -> np.ndarray:
    """A weave photographed under a warm light falling off to one side, with a grey card in a corner."""
    weave = weave_image(size, period=8)[:, 3:-5]
    linear = srgb_to_linear(weave)
    falloff = np.linspace(1.0, 0.55, linear.shape[1])[None, :, None]
    cast = np.array([1.15, 1.0, 0.8])
    linear = linear * falloff * cast
    linear[:24, :24] = 0.18 * cast * falloff[:, :24]  # a mid-grey card, lit the same way
    return np.clip(np.where(linear <= 0.0031308, linear * 12.92, 1.055 * np.abs(linear) ** (1 / 2.4) - 0.055), 0, 1)


def test_real_scan_imports_as_a_complete_fabric(fabrics_dir):
    result = import_scan(GARMENTCODE, ScanImport(name="gc_poplin", kind="cotton", dpi=600, source="GarmentCode",
                                                 licence="MIT", composition="100% cotton"))
    fabric = result.record.fabric
    assert fabric.tile_cm == pytest.approx((384 / 600 * 2.54, 384 / 600 * 2.54))
    assert result.seam_after.seamless
    assert fabric.normal_path.is_file() and fabric.roughness_path.is_file()
    assert fabric.sheen == pytest.approx(0.15)  # cotton's look
    assert fabric.density_gsm == load_fabric("poplin_grey").density_gsm  # physical values of the kind's fabric
    assert [p for p in catalogue_problems(result.record) if "image" in p] == []
    assert load_fabric("gc_poplin") == fabric  # registered in the library


def test_seam_is_measured_and_removed(fabrics_dir, tmp_path):
    path = save(_photo(), tmp_path / "photo.png")
    rgb, _, before, after, _ = prepare_scan(path, ScanImport(name="x", kind="linen", width_cm=4.0, flat_field=False))
    assert not before.seamless and after.seamless
    assert seam_visibility(rgb) == after


def _column_unevenness(linear: np.ndarray) -> float:
    """Spread of the brightness across the tile, the weave averaged out (16 px = two weave periods)."""
    columns = linear.mean(axis=(0, 2))
    smooth = np.convolve(np.tile(columns, 3), np.ones(16) / 16, mode="same")[len(columns) : 2 * len(columns)]
    return float(smooth.std() / smooth.mean())


def test_white_balance_on_a_neutral_patch_and_flat_field(fabrics_dir, tmp_path):
    path = save(_photo(), tmp_path / "photo.png")
    options = ScanImport(name="x", kind="linen", width_cm=4.0, neutral_patch_px=(2, 2, 20, 20))
    rgb, *_, mode = prepare_scan(path, options)
    assert mode == "patch"
    # the warm cast is gone: the weave's channel ratios are the unlit weave's again
    expected = srgb_to_linear(weave_image(256, period=8)).mean(axis=(0, 1))
    got = srgb_to_linear(rgb).mean(axis=(0, 1))
    assert got / got[1] == pytest.approx(expected / expected[1], rel=0.06)
    unbalanced, *_ = prepare_scan(path, ScanImport(name="x", kind="linen", width_cm=4.0))
    cast = srgb_to_linear(unbalanced).mean(axis=(0, 1))
    assert cast[0] / cast[2] > 1.3 * expected[0] / expected[2]
    # the light's fall-off is flattened
    flat = _column_unevenness(srgb_to_linear(rgb))
    lit = _column_unevenness(srgb_to_linear(prepare_scan(path, ScanImport(name="x", kind="linen", width_cm=4.0,
                                                                            flat_field=False))[0]))
    assert flat < 0.3 * lit, (flat, lit)


def test_16_bit_tiff_scan(fabrics_dir, tmp_path):
    grey = (weave_image(128)[:, :, 0] * 65535).astype(np.uint16)
    path = tmp_path / "scan16.tif"
    Image.fromarray(grey).save(path)
    result = import_scan(path, ScanImport(name="grey16", kind="wool", dpi=300))
    assert read_image(result.record.fabric.texture_path, "scan").pixels.std() > 0.05


@pytest.mark.parametrize(
    "options, error, message",
    [
        (dict(), InvalidRequestError, "physical size is unknown"),
        (dict(dpi=3), InvalidRequestError, "dpi"),
        (dict(width_cm=4, crop_px=(0, 0, 900, 10)), InvalidRequestError, "outside the"),
        (dict(width_cm=4, white_balance="patch"), InvalidRequestError, "needs neutral_patch_px"),
        (dict(width_cm=4, kind="velvet"), InvalidRequestError, "unknown fabric kind"),
        (dict(width_cm=4, name="Bad Name"), InvalidFabricError, "a-z"),
        (dict(width_cm=4, name="poplin_grey"), InvalidFabricError, "already exists"),
    ],
)
def test_bad_requests_name_the_problem(fabrics_dir, tmp_path, options, error, message):
    path = save(weave_image(64), tmp_path / "scan.png")
    settings = {"name": "new_scan", "kind": "cotton", **options}
    with pytest.raises(error, match=message):
        import_scan(path, ScanImport(**settings))
    assert not (fabrics_dir / "new_scan").exists()


def test_hostile_image_leaves_nothing_behind(fabrics_dir, tmp_path):
    path = tmp_path / "scan.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 50)
    with pytest.raises(InvalidFabricError, match="scan 'scan.jpg'"):
        import_scan(path, ScanImport(name="hostile", kind="cotton", dpi=300))
    assert not (fabrics_dir / "hostile").exists()
    assert not [p for p in fabrics_dir.iterdir() if p.name.startswith(".")]


def test_large_scan_is_cropped_and_brought_to_tile_size(fabrics_dir, tmp_path):
    big = np.tile(weave_image(256, period=8), (6, 8, 1))  # 1536 x 2048 px
    big[:100, :100] = 0.5  # a grey card outside the crop
    path = save(big, tmp_path / "big.png")
    options = ScanImport(name="x", kind="cotton", dpi=1200, crop_px=(200, 200, 1800, 1400),
                         neutral_patch_px=(10, 10, 90, 90))
    rgb, px_per_cm, *_ = prepare_scan(path, options)
    assert max(rgb.shape[:2]) == 1024
    assert rgb.shape[1] / px_per_cm == pytest.approx(1600 / (1200 / 2.54), rel=1e-3)  # the crop's true width
