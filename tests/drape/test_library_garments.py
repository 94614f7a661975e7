"""Every library garment drapes on the fitted bodies at S, M and XL (coarse 2 cm mesh, poplin) and is
judged by the one set of gates (garment3d.gates): the drapes the new, independent gates fail are marked
with the gates and figures that fail them (benchmarks/bench_drape.py --table --spacing 0.02 measured
them; the closing note of issue 12 says why each is left). They are expected failures, not hidden ones:
if one starts to pass, pytest reports it as XPASS."""

import numpy as np
import pytest

from garment3d.body import build_body
from garment3d.drape import DrapeOptions, drape
from garment3d.drape.intersections import find_self_intersections
from garment3d.fabrics import load_fabric
from garment3d.gates import evaluate
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate as evaluate_pattern, get_definition, list_patterns
from garment3d.sizes import parse_size

SIZES = ("155/80A", "160/84A", "170/92A")  # S, M, XL
PASSING = ("a_line_skirt", "blouse", "circle_skirt", "jiaoling_top", "pencil_skirt", "qipao", "shift_dress", "t_shirt", "trousers")
#: (garment, size label) -> why the gates fail it (benchmarks/bench_drape.py --table --fabric poplin_grey
#: --spacing 0.02); see the closing note of issue 12
KNOWN_FAILURES = {
    # the circle skirt passes at S, M and XL since its waistband, the garment's support, gets extra solver
    # passes (garment3d.drape.model.support_triangles; before: band p99 11-15 %)
    # the qipao passes at S, M and XL since its fish darts took the waist's stretch out of the side seams and
    # its bicep ease (7 cm) the sleeves' pull off the underarm (fishdart branch)
}


def _draped(name: str, label: str, fabric_name: str = "poplin_grey"):
    """(the drape, its garment mesh, the body) of library garment ``name`` at size ``label``, 2 cm."""
    size = parse_size(label)
    body = build_body(size.measurements)
    fabric = load_fabric(fabric_name)
    pattern = evaluate_pattern(get_definition(name), size.measurements, size_label=label, fabric=fabric)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.02))
    return drape(garment, body, fabric), garment, body


def _drape(name: str, label: str, fabric_name: str = "poplin_grey"):
    return _draped(name, label, fabric_name)[0].report


def test_every_library_garment_has_an_expectation():
    assert set(list_patterns()) <= set(PASSING)


def _cases():
    for name in PASSING:
        for label in SIZES:
            reason = KNOWN_FAILURES.get((name, label))
            marks = [pytest.mark.xfail(reason=reason, strict=False)] if reason else []
            yield pytest.param(name, label, marks=marks, id=f"{name}-{label}")


@pytest.mark.parametrize("name, label", list(_cases()))
def test_garment_drapes_and_passes_gates(name, label):
    verdict = evaluate(_drape(name, label))
    assert verdict.passed, verdict.problems


def test_pencil_skirt_vent_lies_flat_in_linen():
    """The pencil skirt's back halves passed through each other 2-4 cm under the slit's top in linen at M
    (untangling ended the drape); as a lapped vent, its underlap held under the right half by a stud at the
    vent's top, the skirt settles by the physics and passes every gate."""
    report = _drape("pencil_skirt", "160/84A", "linen_red")
    assert report.self_intersections == 0
    verdict = evaluate(report)
    assert verdict.passed, verdict.problems


def test_the_jiaoling_armhole_stays_uncrossed_in_charmeuse_at_2cm():
    """At the 2 cm draft mesh the jiaoling top's left armhole seam folds shut under the arm in charmeuse at
    170/92A: a front and a sleeve triangle beside neighbouring stitches crossed five frames after sewing,
    untangling opened them at rest and the physics pressed them through again (ended by untangling, one
    crossing pair). The seam folds are watched at 2 cm too now (garment3d.drape.seam_folds): the layers
    beside a seam folded shut keep a thin distance instead of fighting the stitches."""
    report = _drape("jiaoling_top", "170/92A", "silk_charmeuse")
    assert report.self_intersections == 0
    verdict = evaluate(report)
    assert verdict.passed, verdict.problems


def test_the_circle_skirt_band_stays_at_the_waist_in_a_knit():
    """The circle skirt's waistband is laid with its lower edge (the skirt's waist seam) on the body's
    waist. While the seams close, their pull jolts the band up and down by a centimetre or more; when the
    waist gripped the body then (a ratchet: up free, down held) the band kept every upward jolt and ended
    2.2 cm above the waist in the technical knit at 155/80A, its top corners stretched 16 % (band p99
    10.6 %, failed). It grips only once sewn (the band keeps its placed height until then): the skirt
    hangs from the waist."""
    result, garment, body = _draped("circle_skirt", "155/80A", "technical_knit")
    band = garment.panel_names.index("waistband")
    seam_line = (garment.panel_of == band) & (garment.pattern_xy[:, 1] < 0.05)  # the band's lower edge
    height = float(np.median(result.positions[seam_line, 1]))
    assert abs(height - body.landmarks.waist_y) < 0.015, (height, body.landmarks.waist_y)
    verdict = evaluate(result.report)
    assert verdict.passed, verdict.problems


def test_circle_skirt_waist_seam_starts_uncrossed():
    """The first frames of sewing leave the circle skirt's waist uncrossed: laid on the band's lower edge, the
    skirt's top row shared a line with the band's lowest row, offset along it, and they passed through each
    other as the seam began to close (16 pairs in jersey at 170/92A, 1 cm, in the first frame; one such knot
    failed that drape). Untangling is off here, so nothing undoes a crossing before it is counted."""
    size = parse_size("170/92A")
    body = build_body(size.measurements)
    fabric = load_fabric("jersey_cotton")
    pattern = evaluate_pattern(get_definition("circle_skirt"), size.measurements, size_label=size.label, fabric=fabric)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.01))
    result = drape(garment, body, fabric, DrapeOptions(max_seconds=3 / 60, untangle_frames=0))
    assert result.report.ended_by == "time"
    pairs = find_self_intersections(result.positions, garment.faces, garment.seam_pairs)
    band = garment.panel_of == garment.panel_names.index("waistband")
    waist = float(np.median(garment.positions[band, 1]))
    heights = result.positions[garment.faces[np.asarray(pairs, np.int64).reshape(-1, 2)[:, 0]], 1].mean(axis=1)
    assert not np.any(np.abs(heights - waist) < 0.10), f"{len(pairs)} crossing pairs, at {heights} m (waist {waist})"
