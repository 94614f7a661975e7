"""Placement of GarmentCode skirts round a capsule stand-in: pieces on different rows, curved waists."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from garment3d.drape.intersections import count_self_intersections
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns.formats.load import load_pattern_file

FLARE = Path(__file__).resolve().parent / "data" / "patterns" / "flare_skirt_specification.json"


def test_a_waistband_above_its_skirt_keeps_its_own_azimuth_and_nothing_starts_crossed(capsule_body):
    pattern = load_pattern_file(FLARE).pattern()
    garment = mesh_pattern(pattern, capsule_body, MeshOptions(spacing_m=0.02))
    for name, front in (("wb_front", True), ("wb_back", False), ("skirt_front", True), ("skirt_back", False)):
        points = garment.positions[garment.panel_of == garment.panel_names.index(name)]
        centre = points.mean(axis=0)
        # before pieces off the packing row kept their azimuth, each waistband got a zero-width slot
        # between the skirts: laid at a side (|x| large), not at the front or back
        assert (centre[2] > 0) == front and abs(centre[0]) < 0.05, (name, centre)
    assert count_self_intersections(garment.positions, garment.faces, garment.seam_pairs) == 0
    band = garment.positions[garment.panel_of == garment.panel_names.index("wb_front")]
    skirt = garment.positions[garment.panel_of == garment.panel_names.index("skirt_front")]
    assert np.median(band[:, 1]) > np.median(skirt[:, 1]) + 0.1  # the band above the skirt
