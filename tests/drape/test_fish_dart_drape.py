"""A fish dart closes in the drape: its two sides, sewn apex to apex, meet, and the seam gap gate passes."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from garment3d.drape import drape
from garment3d.fabrics import load_fabric
from garment3d.gates import GateLimits, evaluate
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate as evaluate_pattern
from garment3d.patterns.definition import parse_definition
from garment3d.settings import get_settings
from garment3d.types import Measurements

FIT = Measurements(160.0, 94.0, 93.0, 94.0)  # the A-line skirt's waist fits the 15 cm capsule
# a 2 cm fish dart in the middle of the front, from below the waist darts' tips to past the hip line
FISH = {"name": "fish", "x": "0", "y": "-hip_depth", "width": "2", "above": "hip_depth - dart_length - 2",
        "below": "8"}


@pytest.fixture(scope="module")
def darted_skirt(capsule_body):
    table = tomllib.loads((get_settings().patterns_dir / "a_line_skirt.toml").read_text())
    table["panels"][0]["darts"] = [FISH]
    pattern = evaluate_pattern(parse_definition(table, "test"), FIT, {"length": 55.0})
    return mesh_pattern(pattern, capsule_body, MeshOptions(spacing_m=0.02))


def _dart_pairs(garment):
    dart = [s for s, kind in enumerate(garment.seam_kinds) if kind == "dart"]
    assert len(dart) == 1
    return garment.seam_pairs[garment.seam_of == dart[0]]


def _widest_gap_mm(garment, positions):
    """The distance between the dart's side corners (its widest pair) and the largest over all its pairs."""
    pairs = _dart_pairs(garment)
    rest = np.linalg.norm(garment.rest_uv[pairs[:, 0]] - garment.rest_uv[pairs[:, 1]], axis=1)
    gaps = np.linalg.norm(positions[pairs[:, 0]] - positions[pairs[:, 1]], axis=1) * 1000
    return float(gaps[np.argmax(rest)]), float(gaps.max())


def test_a_drape_closes_the_fish_dart(darted_skirt, capsule_body):
    # as placed the dart is open: its side corners lie the intake (2 cm) apart
    placed_corner, _ = _widest_gap_mm(darted_skirt, darted_skirt.positions)
    assert placed_corner > 15.0
    result = drape(darted_skirt, capsule_body, load_fabric("linen_red"))
    corner, largest = _widest_gap_mm(darted_skirt, result.positions)
    assert corner < 1.0 and largest < 1.0
    verdict = evaluate(result.report)
    assert "seam_gap" not in verdict.failed
    assert result.report.max_seam_gap_mm < GateLimits().seam_gap_mm
