"""Every library garment drapes on the fitted bodies at S, M and XL and passes the quality gates
(coarse 2 cm mesh, poplin): seam gap under 2 mm, under 0.5 % of vertices inside the body, no
self-intersections (the few allowed below), p95 edge strain under 5 %, settled."""

import pytest

from garment3d.body import build_body
from garment3d.drape import drape
from garment3d.fabrics import load_fabric
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate, get_definition, list_patterns
from garment3d.sizes import parse_size

SIZES = ("155/80A", "160/84A", "170/92A")  # S, M, XL
PASSING = ("a_line_skirt", "blouse", "circle_skirt", "jiaoling_top", "pencil_skirt", "qipao", "shift_dress", "t_shirt", "trousers")
# at this coarse 2 cm mesh the jiaoling top at XL ends with two crossing pairs where its sleeve cap
# folds through the front right at the armhole seam: the triangles lie on either side of the seam, one
# seam point apart, so their intersection contour ends on the seam and untangling (which shrinks
# contours) cannot see which way to undo it (at the standard 1 cm no garment has any crossing at
# S, M and XL: benchmarks/bench_drape.py)
MAX_CROSSINGS = {"jiaoling_top": 2}


def _drape(name: str, label: str):
    size = parse_size(label)
    body = build_body(size.measurements)
    pattern = evaluate(get_definition(name), size.measurements, size_label=label)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.02))
    return drape(garment, body, load_fabric("poplin_grey")).report


def _assert_passes(report, max_crossings: int = 0) -> None:
    assert report.settled
    assert report.max_seam_gap_mm < 2.0
    assert report.inside_share < 0.005
    assert report.self_intersections <= max_crossings
    assert report.p95_edge_strain < 0.05


def test_every_library_garment_has_an_expectation():
    assert set(list_patterns()) <= set(PASSING)


@pytest.mark.parametrize("label", SIZES)
@pytest.mark.parametrize("name", PASSING)
def test_garment_drapes_and_passes_gates(name, label):
    _assert_passes(_drape(name, label), MAX_CROSSINGS.get(name, 0))
