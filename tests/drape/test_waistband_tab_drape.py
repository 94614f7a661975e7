"""The trousers' waistband tab laps the band's left end and lies flat on it once draped.

Drafted past the band's right end, the tab was laid in the open gap between the band's ends (13 cm at
160/84A) and swept across it tip first to meet the left end head on; in wool crepe and the technical knit
(M, 2 cm) its tip folded back under it and stayed so, compressed 19.3 % and 16.0 % (p99, limit 10 %)."""

import numpy as np
import pytest

from garment3d.body import build_body
from garment3d.drape import drape
from garment3d.fabrics import load_fabric
from garment3d.gates import LIMITS, evaluate
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate as evaluate_pattern, get_definition
from garment3d.placement import LAYER_GAP_M
from garment3d.sizes import parse_size


def _garment(label: str, fabric_name: str):
    size = parse_size(label)
    body = build_body(size.measurements)
    fabric = load_fabric(fabric_name)
    pattern = evaluate_pattern(get_definition("trousers"), size.measurements, size_label=label, fabric=fabric)
    return mesh_pattern(pattern, body, MeshOptions(spacing_m=0.02)), body, fabric


@pytest.mark.parametrize("label", ["155/80A", "170/92A"])
def test_the_tab_is_laid_over_the_left_end_of_the_band(label):
    garment, _, _ = _garment(label, "poplin_grey")
    names = list(garment.panel_names)
    tab = garment.positions[garment.panel_of == names.index("waistband_tab")]
    band = garment.positions[garment.panel_of == names.index("waistband")]
    nearest = np.linalg.norm(tab[:, None, :] - band[None, :, :], axis=2).min(axis=1)
    assert nearest.max() < garment.spacing_m  # over the band (a band vertex within a triangle), not in the gap
    (pair,) = garment.fastener_pairs
    assert np.linalg.norm(garment.positions[pair[0]] - garment.positions[pair[1]]) < 2.0 * LAYER_GAP_M


#: a folded tab's worst triangle was compressed 16.0-19.3 %; flat, its 8 triangles at 2 cm show up to 12 %
#: in one (wool crepe, M: 9.6 % with one solver pass at the band, 11.7 % with the support's extra passes)
FOLDED_COMPRESSION = 0.15


@pytest.mark.parametrize("fabric_name", ["wool_crepe", "technical_knit"])
def test_the_tab_lies_flat_in_heavier_fabrics(fabric_name):
    garment, body, fabric = _garment("160/84A", fabric_name)
    result = drape(garment, body, fabric)
    report = result.report
    (tab,) = [p for p in report.panel_strain if p.panel == "waistband_tab"]
    assert tab.max_compression < FOLDED_COMPRESSION and tab.max_stretch <= LIMITS.p99_stretch
    # flat: every triangle of the tab faces away from the body (a tip folded under faces it)
    faces = garment.faces[garment.panel_of[garment.faces[:, 0]] == list(garment.panel_names).index("waistband_tab")]
    p = result.positions
    normals = np.cross(p[faces[:, 1]] - p[faces[:, 0]], p[faces[:, 2]] - p[faces[:, 0]])
    outward = p[faces].mean(axis=1) - np.array([body.landmarks.axis_xz[0], 0.0, body.landmarks.axis_xz[1]])
    outward[:, 1] = 0.0
    cosine = np.einsum("ij,ij->i", normals, outward) / np.linalg.norm(normals, axis=1) / np.linalg.norm(outward, axis=1)
    assert cosine.min() > 0.5, np.round(cosine, 2)
    verdict = evaluate(report)
    assert verdict.passed, verdict.problems
