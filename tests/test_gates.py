"""The gates: one set of limits, one verdict; each gate fails on its own figure and names the problem."""

from dataclasses import replace

import pytest

from garment3d.gates import LIMITS, GateLimits, describe_limits, evaluate
from garment3d.types import DrapeReport, PanelStrain, WaistEdge

CLEAN = DrapeReport(
    max_seam_gap_mm=0.8, inside_count=0, inside_share=0.0, max_edge_strain=0.04, p95_edge_strain=0.01,
    settled=True, steps=1000, simulated_s=2.0, wall_s=3.0, vertex_count=2000, self_intersections=0,
    largest_inside_patch_cm2=0.0, folded_seam_share=0.0,
    panel_strain=(PanelStrain("front", 0.06, 0.02, 0.03, 0.01), PanelStrain("back", 0.05, 0.02, 0.02, 0.01)),
    waist_edges=(WaistEdge("front", 0.003, 0.005, 0.01), WaistEdge("back", 0.003, 0.006, 0.012)),
    rest_motion_mm=0.3, ended_by="rest",
)

BAD = {
    "seam_gap": (dict(max_seam_gap_mm=7.5), "seam gap 7.5 mm"),
    "inside_body": (dict(inside_share=0.03, inside_count=300), "3.0% of the cloth is inside the body"),
    "inside_patch": (dict(largest_inside_patch_cm2=25.0), "patch of 25.0 cm2"),
    "crossings": (dict(self_intersections=3), "3 pairs of cloth triangles"),
    "max_stretch": (dict(panel_strain=(PanelStrain("front", 0.6, 0.02, 0.03, 0.01),)), "'front' is stretched 60.0%"),
    "p99_stretch": (dict(panel_strain=(PanelStrain("sleeve", 0.2, 0.15, 0.03, 0.01),)), "'sleeve' is stretched"),
    "max_compression": (dict(panel_strain=(PanelStrain("back", 0.05, 0.02, 0.5, 0.01),)), "'back' is compressed"),
    "p99_compression": (dict(panel_strain=(PanelStrain("back", 0.05, 0.02, 0.2, 0.15),)), "compressed \\(99th"),
    "folded_seams": (dict(folded_seam_share=0.2), "20.0% of the seams"),
    "waist_contact": (dict(waist_edges=(WaistEdge("front", 0.03, 0.08, 0.01),)), "'front' hangs a median 3.0 cm"),
    "waist_drop": (dict(waist_edges=(WaistEdge("back", 0.004, 0.006, 0.09),)), "'back' slid 9.0 cm down"),
    "settled": (dict(settled=False, ended_by="time", rest_motion_mm=4.0), "did not come to rest"),
    "fastener_gap": (dict(max_fastener_gap_mm=4.2), "a fastener stands 4.2 mm open"),
}


def test_a_clean_report_passes_every_gate():
    verdict = evaluate(CLEAN)
    assert verdict.passed and verdict.failed == () and CLEAN.passed
    assert {check.name for check in verdict.checks} == set(BAD)


@pytest.mark.parametrize("gate", sorted(BAD))
def test_each_gate_fails_on_its_own_figure_and_says_why(gate):
    changes, message = BAD[gate]
    report = replace(CLEAN, **changes)
    verdict = evaluate(report)
    assert verdict.failed == (gate,)
    assert not report.passed
    assert len(verdict.problems) == 1
    assert __import__("re").search(message, verdict.problems[0]), verdict.problems[0]


def test_untangling_or_a_fall_that_ended_the_drape_is_named():
    untangled = evaluate(replace(CLEAN, settled=False, ended_by="untangling", untangle_resettles=2))
    assert untangled.failed == ("settled",) and "untangling, not the physics" in untangled.problems[0]
    fell = evaluate(replace(CLEAN, settled=False, ended_by="fell"))
    assert "fell off the body" in fell.problems[0]


def test_motion_over_the_window_fails_even_when_called_settled():
    assert evaluate(replace(CLEAN, rest_motion_mm=LIMITS.rest_motion_mm * 3)).failed == ("settled",)


def test_limits_are_one_object_and_can_be_tightened():
    strict = GateLimits(seam_gap_mm=0.5)  # tighter than the clean report's 0.8 mm
    assert evaluate(CLEAN, strict).failed == ("seam_gap",)
    assert len(describe_limits()) == 10


def test_the_pipeline_refuses_with_the_gates_problems():
    from garment3d.errors import SimulationError
    from garment3d.pipeline import _enforce_gates

    with pytest.raises(SimulationError, match="slid 9.0 cm down"):
        _enforce_gates(replace(CLEAN, **BAD["waist_drop"][0]), allow_failed=False)
    _enforce_gates(replace(CLEAN, **BAD["waist_drop"][0]), allow_failed=True)


def test_the_readme_lists_the_gates_with_todays_limits():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Quality gates"):]
    section = section[: section.index("\n## ")]
    for figure in (f"seam gap < {LIMITS.seam_gap_mm:g} mm", f"< {LIMITS.inside_share * 100:g} %",
                   f"≤ {LIMITS.inside_patch_cm2:g} cm²", f"largest ≤ {LIMITS.max_stretch * 100:g} %",
                   f"percentile ≤ {LIMITS.p99_stretch * 100:g} %", f"≤ {LIMITS.folded_seam_share * 100:g} %",
                   f"≤ {LIMITS.waist_distance_m * 100:g} cm", f"≤ {LIMITS.waist_drop_m * 100:g} cm",
                   f"fastener gap < {LIMITS.fastener_gap_mm:g} mm"):
        assert figure in section, figure
    assert LIMITS.max_stretch == LIMITS.max_compression and LIMITS.p99_stretch == LIMITS.p99_compression
