"""The drape loop's phases and decisions, each on its own (the loop itself runs in test_simulate)."""

import numpy as np
import pytest

from drape.test_self_collision import sphere_body, stacked_sheets
from garment3d.drape import DrapeOptions
from garment3d.drape.intersections import count_self_intersections
from garment3d.drape.rest import RestWindow
from garment3d.drape.simulate import MAX_RESETTLES, DrapeRun, Phase, Schedule, _on_rest, _solver, _untangle_due
from garment3d.fabrics import load_fabric

SCHEDULE = Schedule(close_frames=30, min_frames=60, max_frames=480, untangle_every=6)  # 8 s at 60 frames a second


def test_the_phases_follow_the_frame_count():
    assert Schedule.of(DrapeOptions(), untangling=True) == SCHEDULE
    assert [SCHEDULE.phase(f) for f in (0, 29, 30, 200)] == [Phase.SEWING] * 2 + [Phase.DROPPING] * 2
    assert SCHEDULE.seam_scale(0) == pytest.approx(29 / 30) and SCHEDULE.seam_scale(29) == 0.0
    assert SCHEDULE.seam_scale(30) == 0.0
    assert Schedule.of(DrapeOptions(), untangling=False).untangle_every == 0


def test_crossings_are_looked_for_every_frame_while_sewing_then_periodically_unless_backing_off():
    sewing = DrapeRun(frames=7, phase=Phase.SEWING)
    assert _untangle_due(sewing, SCHEDULE)
    assert not _untangle_due(DrapeRun(frames=61, phase=Phase.DROPPING), SCHEDULE)
    assert _untangle_due(DrapeRun(frames=66, phase=Phase.DROPPING), SCHEDULE)
    assert not _untangle_due(DrapeRun(frames=66, phase=Phase.DROPPING, untangle_after=90), SCHEDULE)
    never = Schedule(close_frames=30, min_frames=60, max_frames=480, untangle_every=0)
    assert not _untangle_due(sewing, never)


@pytest.fixture()
def crossed():
    """A real solver on two sheets over a ball, the top sheet poked through the bottom one."""
    garment, n1 = stacked_sheets()
    solver = _solver(garment, sphere_body(), load_fabric("linen_red"), DrapeOptions())
    centre = n1 + int(np.argmin(np.linalg.norm(garment.rest_uv[n1:], axis=1)))
    solver.state.x[centre, 1] = solver.state.x[0, 1] - 0.004
    assert count_self_intersections(solver.state.x, garment.faces) > 0
    window = RestWindow(garment.panel_of, 4)
    for _ in range(5):
        window.push(solver.state.x)
    return solver, window


def test_at_rest_and_clean_the_drape_ends_at_rest():
    garment, _ = stacked_sheets()
    solver = _solver(garment, sphere_body(), load_fabric("linen_red"), DrapeOptions())
    run = DrapeRun(frames=100, phase=Phase.DROPPING)
    _on_rest(solver, run, SCHEDULE, RestWindow(garment.panel_of, 4))
    assert run.ended_by == "rest" and run.resettles == 0


def test_at_rest_but_crossed_it_is_untangled_and_the_physics_must_settle_it_again(crossed):
    solver, window = crossed
    run = DrapeRun(frames=100, phase=Phase.DROPPING)
    _on_rest(solver, run, SCHEDULE, window)
    assert run.ended_by is None and run.resettles == 1  # the loop goes on: physics, not the untangler, ends it
    assert not window.full  # a whole window of physics before it can be at rest again
    assert count_self_intersections(solver.state.x, solver.garment.faces) == 0


def test_still_crossed_after_the_last_untangling_the_drape_is_ended_by_untangling_not_settled(crossed):
    solver, window = crossed
    run = DrapeRun(frames=300, phase=Phase.DROPPING, resettles=MAX_RESETTLES)
    before = solver.state.x.copy()
    _on_rest(solver, run, SCHEDULE, window)
    assert run.ended_by == "untangling"
    assert np.array_equal(solver.state.x, before)  # the untangler did not get the last word
