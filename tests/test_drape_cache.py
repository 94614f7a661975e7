"""garment3d.drape_cache: the key follows what the drape depends on, and nothing else."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from garment3d.drape import DrapeOptions
from garment3d.drape_cache import drape_key, load_drape, save_drape
from garment3d.fabric.colorway import apply_colorway
from garment3d.fabrics import load_fabric
from garment3d.patterns import evaluate, get_definition
from garment3d.sizes import parse_size
from garment3d.types import Drape, DrapeReport, GarmentMesh


def _key(pattern, size="160/84A", fabric=None, spacing=0.02, arm=None):
    measurements = parse_size(size).measurements
    return drape_key(pattern, measurements, fabric or load_fabric("linen_red"), spacing_m=spacing,
                     arm_angle_deg=arm, avatar=None, avatar_units=None, options=DrapeOptions())


@pytest.fixture(scope="module")
def skirt():
    return evaluate(get_definition("a_line_skirt"), parse_size("160/84A").measurements, {}, "160/84A")


def test_a_colorway_or_a_renamed_fabric_keeps_the_key(skirt):
    linen = load_fabric("linen_red")
    base = _key(skirt, fabric=linen)
    assert _key(skirt, fabric=apply_colorway(linen, "olive")) == base
    assert _key(skirt, fabric=apply_colorway(linen, "#1f4e9c")) == base
    assert _key(skirt, fabric=dataclasses.replace(linen, name="linen_blue", display_name="Linen blue",
                                                  sheen=0.4)) == base


def test_every_drape_input_changes_the_key(skirt):
    linen = load_fabric("linen_red")
    base = _key(skirt, fabric=linen)
    longer = evaluate(get_definition("a_line_skirt"), parse_size("160/84A").measurements, {"length": 70}, "160/84A")
    changed = [
        _key(longer),
        _key(skirt, size="165/88A"),
        _key(skirt, fabric=load_fabric("denim_indigo")),
        _key(skirt, fabric=dataclasses.replace(linen, bending_warp_unm=linen.bending_warp_unm * 2)),
        _key(skirt, spacing=0.01),
        _key(skirt, arm=30.0),
    ]
    assert base not in changed and len(set(changed)) == len(changed)


def test_entries_round_trip_and_bad_ones_are_misses(tmp_path):
    n = 4
    garment = GarmentMesh(panel_names=("front",), rest_uv=np.zeros((n, 2)), positions=np.zeros((n, 3)),
                          faces=np.array([[0, 1, 2], [0, 2, 3]], dtype=np.int32), panel_of=np.zeros(n, np.int32),
                          seam_pairs=np.zeros((0, 2), np.int32), seam_of=np.zeros(0, np.int32),
                          anchor_mask=np.zeros(n, bool), spacing_m=0.02)
    required = {f.name: 0 for f in dataclasses.fields(DrapeReport) if f.default is dataclasses.MISSING}
    report = DrapeReport(**required | {"settled": True, "max_seam_gap_mm": 0.7})
    drape = Drape(garment=garment, positions=np.arange(12.0).reshape(n, 3), report=report)
    key = "ab" + "0" * 62
    assert load_drape(tmp_path, key) is None
    path = save_drape(tmp_path, key, drape)
    loaded = load_drape(tmp_path, key)
    assert np.array_equal(loaded.positions, drape.positions) and loaded.report == report
    path.write_bytes(path.read_bytes()[:20])  # truncated: a miss, not an error
    assert load_drape(tmp_path, key) is None


def test_pruning_removes_what_was_not_used_for_a_while(tmp_path):
    import os
    import time

    from garment3d.drape_cache import prune_drapes

    n = 3
    garment = GarmentMesh(panel_names=("front",), rest_uv=np.zeros((n, 2)), positions=np.zeros((n, 3)),
                          faces=np.array([[0, 1, 2]], dtype=np.int32), panel_of=np.zeros(n, np.int32),
                          seam_pairs=np.zeros((0, 2), np.int32), seam_of=np.zeros(0, np.int32),
                          anchor_mask=np.zeros(n, bool), spacing_m=0.02)
    required = {f.name: 0 for f in dataclasses.fields(DrapeReport) if f.default is dataclasses.MISSING}
    drape = Drape(garment=garment, positions=np.zeros((n, 3)), report=DrapeReport(**required))
    old, used, fresh = ("a1" + "0" * 62), ("b2" + "0" * 62), ("c3" + "0" * 62)
    for key in (old, used, fresh):
        path = save_drape(tmp_path, key, drape)
        if key != fresh:
            os.utime(path, (time.time() - 3 * 86400,) * 2)
    assert load_drape(tmp_path, used) is not None  # a hit counts as a use
    assert prune_drapes(tmp_path, 86400) == 1
    assert load_drape(tmp_path, old) is None and load_drape(tmp_path, fresh) is not None
    assert prune_drapes(tmp_path / "missing", 0) == 0
