"""Placement of GarmentCode patterns: skirts round a capsule stand-in (pieces on different rows, curved waists),
the shirt on GarmentCode's mean body."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from garment3d.drape.intersections import count_self_intersections
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.body import build_body
from garment3d.patterns.formats.load import load_pattern_file
from garment3d.types import Measurements

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


SHIRT = FLARE.with_name("shirt_mean_specification.json")


def test_the_mean_shirt_starts_clear_of_itself_on_the_mean_body_with_its_shoulders():
    """The sleeves start far enough down the arms that their caps are not laid through the bodice cut wide over the
    shoulders: with the sleeves 3 cm down, 55 pairs of triangles started crossed on this body (and the drape ended
    crossed), 6 from 8 cm, none from 9."""
    body_cm = Measurements(172.0, 99.8, 84.3, 103.5, shoulder_width_cm=36.5)
    body = build_body(body_cm)
    garment = mesh_pattern(load_pattern_file(SHIRT).pattern(body_cm), body, MeshOptions(spacing_m=0.02))
    assert count_self_intersections(garment.positions, garment.faces, garment.seam_pairs) == 0


DRESS = FLARE.with_name("dress_pencil_specification.json")


def test_a_bodice_above_its_skirt_is_laid_round_the_body_not_kilometres_out():
    """The pencil dress's bodice halves meet at centre front and back, over a skirt sewn to them below. A contour
    holding bodice but no skirt counted the skirt as a zero-width piece at its anchor, 0.4 % of the contour from
    the bodice's centre-front edge, and widened the contour to fit the bodice's half-width into that gap: every
    piece was laid 2-84 km out and the solver divided by zero. Every piece now lies within 40 cm of the axis,
    front pieces in front and back pieces behind."""
    body_cm = Measurements(172.0, 99.8, 84.3, 103.5, shoulder_width_cm=36.5)
    body = build_body(body_cm)
    garment = mesh_pattern(load_pattern_file(DRESS).pattern(body_cm), body, MeshOptions(spacing_m=0.02))
    axis = body.landmarks.axis_xz
    for name in garment.panel_names:
        points = garment.positions[garment.panel_of == garment.panel_names.index(name)]
        assert np.hypot(points[:, 0] - axis[0], points[:, 2] - axis[1]).max() < 0.4, name
        assert (np.median(points[:, 2]) > axis[1]) == ("ftorso" in name or "front" in name), name
