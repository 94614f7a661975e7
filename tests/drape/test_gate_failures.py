"""Every gate fails on a crafted bad drape, for the reason its name gives.

The bad drapes are the capsule skirt (tests/drape/conftest.py) spoiled the way real drapes go wrong: a
waist too large to stay up (the real solver), a seam left open, a waist line pushed into the body as a
collar into a neck, a panel inside the body, a fold snapped through the other layer, a slow slide. Each
report goes through ``garment3d.gates.evaluate``, the verdict the pipeline and the server use.
"""

from dataclasses import replace

import numpy as np
import pytest

from drape.conftest import capsule_skirt
from drape.test_self_collision import DROP, sphere_body, stacked_sheets
from garment3d.drape import DrapeOptions, drape
from garment3d.drape.kernels import ClothState, FrameControls, PlacedLengths, simulate_frame
from garment3d.drape.model import build_model
from garment3d.drape.simulate import _solver, measure_drape
from garment3d.fabrics import load_fabric
from garment3d.gates import evaluate


@pytest.fixture(scope="module")
def linen():
    return load_fabric("linen_red")


def _measure(garment, body, positions, linen):
    model = build_model(garment, linen)
    return measure_drape(garment, model, body, positions, settled=True, ended_by="rest")


def test_the_clean_capsule_drape_passes_every_gate(linen_drape):
    verdict = evaluate(linen_drape.report)
    assert verdict.passed, verdict.problems


def test_a_waist_too_large_to_grip_slides_down_and_fails_the_waist_gates(capsule_body, linen):
    """A 116 cm waist on a 94 cm body: it touches the body on one side only, so it does not grip
    and the skirt slides down the body (the old pinned anchor held it at the waist)."""
    loose = capsule_skirt(capsule_body, waist_cm=116.0)
    report = drape(loose, capsule_body, linen).report
    failed = evaluate(report).failed
    assert "waist_drop" in failed or "waist_contact" in failed or report.ended_by == "fell", failed
    assert max(edge.drop_m for edge in report.waist_edges) > 0.04


def test_the_fitted_waist_grips_where_it_was_placed(linen_drape):
    edges = linen_drape.report.waist_edges
    assert {edge.panel for edge in edges} == {"front", "back"}
    assert all(abs(edge.drop_m) < 0.02 and edge.median_distance_m < 0.006 for edge in edges)


def test_a_seam_left_open_fails_the_seam_gap(garment, capsule_body, linen_drape, linen):
    x = linen_drape.positions.copy()
    front = garment.panel_of == garment.panel_names.index("front")
    x[front] += [0.0, 0.0, 0.006]  # the front moved off the back: both side seams 6 mm open, nothing strained
    report = _measure(garment, capsule_body, x, linen)
    assert evaluate(report).failed == ("seam_gap",)


def test_the_seam_gap_is_the_correction_the_solver_needed_not_what_it_left(garment, capsule_body, linen_drape,
                                                                          linen):
    """Sew a seam that cannot close (a waist point to a hem point): the final projection still leaves
    those vertices together, but the frame reports how far the cloth pulled them apart first. Seams solved
    as pairs (``DrapeOptions(weld_seams=False)``): welded, the cloth cannot pull a sewn seam open, and the
    gate reads what the body and the other layers opened."""
    model = build_model(garment, linen, weld=False)
    waist, hem = int(np.flatnonzero(garment.anchor_mask)[0]), int(np.argmin(linen_drape.positions[:, 1]))
    bad = replace(model, seam=np.vstack([model.seam, [[waist, hem]]]).astype(np.int32),
                  seam_color_ptr=np.append(model.seam_color_ptr, model.seam_color_ptr[-1] + 1))
    state = ClothState.at_rest(linen_drape.positions, anchors=len(model.anchor))
    solver = _solver(garment, capsule_body, linen, DrapeOptions())
    placed = PlacedLengths(seam_rest=np.zeros(len(bad.seam)), tether_excess=solver.placed.tether_excess)
    # a frame as the drape runs it (its substeps: the gate reads the correction of the drape's last substep)
    controls = FrameControls(gravity=-9.81, damping=8.0, frame_dt=1 / 60,
                             substeps=DrapeOptions().substeps_for(garment.spacing_m), seam_scale=0.0)
    gaps = simulate_frame(state, bad, placed, controls, solver.collider)
    assert np.linalg.norm(state.x[waist] - state.x[hem]) < 1e-9  # what the projection leaves: closed
    assert gaps[-1] > 0.003 and gaps[-1] == gaps.max()  # what it had to correct: torn open every substep
    clean = ClothState.at_rest(linen_drape.positions, anchors=len(model.anchor))
    assert simulate_frame(clean, model, replace(placed, seam_rest=np.zeros(len(model.seam))), controls,
                          solver.collider).max() < 0.003
    welded = ClothState.at_rest(linen_drape.positions, anchors=len(model.anchor))
    assert simulate_frame(welded, build_model(garment, linen, weld=True), replace(placed, seam_rest=np.zeros(len(model.seam))),
                          controls, solver.collider).max() < 0.003


def test_a_collar_pushed_into_the_neck_fails_the_patch_gate_though_little_cloth_is_inside(
        garment, capsule_body, linen_drape, linen):
    """A local failure is a small share of the cloth: a 3 cm round of the waist line pushed 1.5 cm into
    the body stays under the inside-share limit, and the largest connected patch catches it."""
    x = linen_drape.positions.copy()
    front_waist = np.flatnonzero(garment.anchor_mask)[np.argmax(x[garment.anchor_mask, 2])]
    near = np.linalg.norm(x - x[front_waist], axis=1) < 0.03
    radial = x[np.ix_(near, [0, 2])]
    x[np.ix_(near, [0, 2])] = radial * (1.0 - 0.015 / np.linalg.norm(radial, axis=1, keepdims=True))
    report = _measure(garment, capsule_body, x, linen)
    failed = evaluate(report).failed
    assert "inside_patch" in failed and "inside_body" not in failed, (failed, report.inside_share)


def test_a_panel_inside_the_body_fails_the_inside_gate(garment, capsule_body, linen_drape, linen):
    x = linen_drape.positions.copy()
    back = garment.panel_of == garment.panel_names.index("back")
    x[np.ix_(back, [0, 2])] *= 0.8  # the back panel drawn in through the body
    failed = evaluate(_measure(garment, capsule_body, x, linen)).failed
    assert {"inside_body", "inside_patch"} <= set(failed)


def test_a_fold_snapped_through_fails_the_crossings_gate():
    """Two layers on a ball, the top one poked through the bottom; untangling off, so the contacts keep
    the crossing (each vertex held on the side it started)."""
    garment, n1 = stacked_sheets()
    positions = garment.positions.copy()
    centre = n1 + int(np.argmin(np.linalg.norm(garment.rest_uv[n1:], axis=1)))
    positions[centre, 1] = positions[0, 1] - 0.004
    result = drape(replace(garment, positions=positions), sphere_body(), load_fabric("linen_red"),
                   replace(DROP, untangle_frames=0))
    assert "crossings" in evaluate(result.report).failed
    assert result.report.self_intersections > 0


def test_a_drape_still_sliding_when_time_runs_out_is_not_settled(garment, capsule_body, linen):
    """Stopped 0.2 s after the seams closed, the skirt is still dropping: ended by time, and the motion
    over the last window is far over the limit."""
    report = drape(garment, capsule_body, linen, DrapeOptions(max_seconds=0.7, min_seconds=0.1)).report
    assert report.ended_by == "time" and not report.settled
    assert "settled" in evaluate(report).failed
    assert report.rest_motion_mm > 1.0


def test_a_drape_out_of_time_names_the_panels_still_moving(garment, capsule_body, linen):
    """The report gives each panel's motion over the last settle window, most first, and the gate names
    the panels still moving and how far."""
    report = drape(garment, capsule_body, linen, DrapeOptions(max_seconds=0.7, min_seconds=0.1)).report
    moving = report.panel_motion
    assert {m.panel for m in moving} == set(garment.panel_names)
    assert [m.motion_mm for m in moving] == sorted((m.motion_mm for m in moving), reverse=True)
    assert moving[0].motion_mm == report.rest_motion_mm > 1.0
    (message,) = (check.message for check in evaluate(report).checks if check.name == "settled")
    assert message.startswith("not settled") and f"'{moving[0].panel}' " in message, message
    assert f"{moving[0].motion_mm:.1f} mm" in message
    assert np.isclose(report.fabric_stretch_weft, linen.stretch_percent / 100.0)  # the drape knows its fabric


@pytest.mark.parametrize("factor, gate", [(1.15, "p99_stretch"), (0.85, "p99_compression")])
def test_cloth_pulled_long_or_squeezed_short_fails_the_strain_gates(garment, capsule_body, linen_drape, linen,
                                                                    factor, gate):
    """The whole skirt drawn 15 % longer (or shorter) below its waist: every warp yarn strained, the seams
    still closed, the waist where it was."""
    x = linen_drape.positions.copy()
    waist_y = x[garment.anchor_mask, 1].max()
    x[:, 1] = waist_y + (x[:, 1] - waist_y) * factor
    failed = evaluate(_measure(garment, capsule_body, x, linen)).failed
    assert gate in failed and "seam_gap" not in failed, failed


@pytest.mark.parametrize("factor, knit_passes", [(1.15, True), (1.30, False)])
def test_a_knit_is_judged_by_its_own_stretch(garment, capsule_body, linen_drape, linen, factor, knit_passes):
    """The skirt drawn out round its girth (along the weft) by 15 %: too far for linen, within half the 40 %
    jersey gives under the stretch gauge's pull; by 30 %, far past it, it fails in jersey too."""
    x = linen_drape.positions.copy()
    x[:, [0, 2]] *= factor
    jersey = load_fabric("jersey_cotton")
    knit = measure_drape(garment, build_model(garment, jersey), capsule_body, x, settled=True, ended_by="rest",
                         fabric=jersey)
    woven = measure_drape(garment, build_model(garment, linen), capsule_body, x, settled=True, ended_by="rest",
                          fabric=linen)
    assert "p99_stretch" in evaluate(woven).failed
    assert ("p99_stretch" not in evaluate(knit).failed) == knit_passes, evaluate(knit).problems


def test_a_panel_folded_back_over_its_seams_fails_the_folded_seam_gate(garment, capsule_body, linen_drape, linen):
    """The back panel mirrored to the front: at the side seams it lies back over the front panel."""
    x = linen_drape.positions.copy()
    back = garment.panel_of == garment.panel_names.index("back")
    x[back, 2] = np.abs(x[back, 2])
    assert "folded_seams" in evaluate(_measure(garment, capsule_body, x, linen)).failed
