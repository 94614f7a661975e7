"""Every library garment drapes at sizes S, M and XL and passes the quality gates (coarse mesh)."""

import pytest

from garment3d.body import build_body
from garment3d.drape import drape
from garment3d.fabrics import load_fabric
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate, get_definition, list_patterns
from garment3d.sizes import parse_size

SIZES = ("155/80A", "160/84A", "170/92A")  # S, M, XL


@pytest.mark.parametrize("label", SIZES)
@pytest.mark.parametrize("name", list_patterns())
def test_garment_drapes_and_passes_gates(name, label):
    size = parse_size(label)
    body = build_body(size.measurements)
    pattern = evaluate(get_definition(name), size.measurements, size_label=label)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.02))
    report = drape(garment, body, load_fabric("poplin_grey")).report
    assert report.settled
    assert report.max_seam_gap_mm < 2.0
    assert report.inside_share < 0.005
    assert report.p95_edge_strain < 0.05
