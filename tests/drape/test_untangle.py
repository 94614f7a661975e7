"""Untangling: crossed layers are pulled apart by shrinking their intersection contours, in place and locally."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from drape.test_intersections import crumpled_sheet
from drape.test_self_collision import DROP, grid_sheet, sphere_body, stacked_sheets
from garment3d.drape import DrapeOptions, drape
from garment3d.drape import untangle as untangle_module
from garment3d.drape.intersections import count_self_intersections, find_self_intersections
from garment3d.drape.untangle import _welded_mean, open_pinches, untangle
from garment3d.fabrics import load_fabric
from garment3d.gates import evaluate

NO_SEAMS = np.empty((0, 2), np.int64)


def poked_sheets(depth: float = 0.004) -> tuple[np.ndarray, np.ndarray, int]:
    """A 10 cm sheet and a copy 4 mm above it whose centre vertex pokes ``depth`` through the lower one;
    returns positions, faces and the poking vertex."""
    uv, faces = grid_sheet(0.1, 0.1, 0.01)
    lower = np.column_stack([uv[:, 0], np.zeros(len(uv)), uv[:, 1]])
    upper = lower + [0.003, 0.004, 0.002]
    centre = int(np.argmin(np.linalg.norm(uv, axis=1)))
    upper[centre, 1] = -depth
    x = np.vstack([lower, upper])
    return x, np.vstack([faces, faces + len(uv)]).astype(np.int64), centre + len(uv)


def _height_above_lower_sheet(x: np.ndarray, faces: np.ndarray, v: int) -> float:
    """Height of vertex ``v`` above the lower sheet (the first half of ``faces``) straight below it."""
    for f in faces[: len(faces) // 2]:
        a, b, c = x[f][:, [0, 2]]
        m = np.column_stack([b - a, c - a])
        s, t = np.linalg.solve(m, x[v, [0, 2]] - a)
        if s >= 0.0 and t >= 0.0 and s + t <= 1.0:
            return float(x[v, 1] - (x[f[0], 1] + s * (x[f[1], 1] - x[f[0], 1]) + t * (x[f[2], 1] - x[f[0], 1])))
    raise AssertionError("no lower triangle below the vertex")


def test_a_poked_through_vertex_is_pulled_back_locally():
    x, faces, poking = poked_sheets()
    before = x.copy()
    assert count_self_intersections(x, faces) > 0
    result = untangle(x, faces, np.ones(len(x)), NO_SEAMS, step_m=0.0005, max_steps=60)
    assert result.before > 0 and result.after == 0 and 0 < result.steps < 60
    assert count_self_intersections(x, faces) == 0
    assert _height_above_lower_sheet(x, faces, poking) > 0.0
    moved = np.linalg.norm(x - before, axis=1)
    assert moved.max() < 0.01
    # only the neighbourhood of the poke moved
    far = np.linalg.norm(before[:, [0, 2]] - before[poking, [0, 2]], axis=1) > 0.03
    assert np.all(moved[far] == 0.0)


def test_vertices_without_mass_stay_put():
    x, faces, poking = poked_sheets()
    inv_mass = np.ones(len(x))
    lower = np.arange(len(x) // 2)
    inv_mass[lower] = 0.0
    before = x.copy()
    result = untangle(x, faces, inv_mass, NO_SEAMS, step_m=0.0005, max_steps=60)
    assert result.after == 0
    assert np.array_equal(x[lower], before[lower])
    assert x[poking, 1] > 0.0  # the lower sheet is held: the poking vertex went back up


def _contours_alone(positions, tri, inv_mass, seams, label):
    """``open_pinches`` that opens nothing: untangling by shrinking contours alone."""
    return 0, len(find_self_intersections(positions, tri, seams))


def test_untangling_gives_up_when_the_crossings_stop_falling(monkeypatch):
    """Shrinking contours stalls on the crumpled sheet; what it leaves there are pinches, which smoothing opens."""
    x, faces = crumpled_sheet()
    with monkeypatch.context() as patch:
        patch.setattr(untangle_module, "open_pinches", _contours_alone)
        stalled = x.copy()
        result = untangle(stalled, faces, np.ones(len(x)), NO_SEAMS, step_m=0.002, max_steps=600, stall_steps=5)
        assert 0 < result.after < result.before and result.steps < 600
    result = untangle(x, faces, np.ones(len(x)), NO_SEAMS, step_m=0.002, max_steps=600, stall_steps=5)
    assert result.after == 0


def test_an_untangling_that_leaves_as_many_crossings_leaves_the_cloth_where_it_was():
    """A failed attempt must not kick the cloth: in the circle skirt in habotai at 160/84A a crossing it could
    not undo was pushed up to 3 cm every 30 frames, and the skirt never came to rest."""
    x, faces, _ = poked_sheets(depth=0.008)
    before = x.copy()
    # two steps (one of the gradient's size, one whole) move the cloth under a millimetre and find as many
    # crossings as before
    result = untangle(x, faces, np.ones(len(x)), NO_SEAMS, step_m=0.0003, max_steps=2)
    assert result.before > 0 and result.after == result.before and result.steps == 0
    assert np.array_equal(x, before)


def test_seam_partners_move_together_and_massless_vertices_not_at_all():
    move = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 3.0, 0.0], [5.0, 5.0, 5.0]])
    asks = np.array([1.0, 0.0, 2.0, 1.0])
    label = np.array([0, 0, 1, 2])  # vertices 0 and 1 are sewn together
    inv_mass = np.array([1.0, 1.0, 1.0, 0.0])
    mean = _welded_mean(move, asks, label, inv_mass)
    assert mean.tolist() == [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.5, 0.0], [0.0, 0.0, 0.0]]


def test_untangling_without_crossings_changes_nothing():
    x, faces, _ = poked_sheets(depth=-0.002)  # the centre vertex only dips towards the lower sheet
    before = x.copy()
    result = untangle(x, faces, np.ones(len(x)), NO_SEAMS, step_m=0.0005, max_steps=60)
    assert (result.before, result.after, result.steps) == (0, 0, 0)
    assert np.array_equal(x, before)


def test_a_crumpled_sheet_comes_apart():
    x, faces = crumpled_sheet()  # 12 mm noise on a 2 cm grid: 27 crossing pairs in interleaved contours
    result = untangle(x, faces, np.ones(len(x)), NO_SEAMS, step_m=0.002, max_steps=600,
                      stall_steps=600)
    assert result.before > 20
    assert result.after == 0
    assert count_self_intersections(x, faces) == 0


@pytest.mark.parametrize("every", [0, 6])
def test_the_drape_undoes_a_crossing_it_starts_with(every):
    garment, n1 = stacked_sheets()
    positions = garment.positions.copy()
    centre = n1 + int(np.argmin(np.linalg.norm(garment.rest_uv[n1:], axis=1)))
    positions[centre, 1] = positions[0, 1] - 0.004  # the top sheet pokes through the bottom one
    poked = replace(garment, positions=positions)
    assert count_self_intersections(positions, garment.faces) > 0
    result = drape(poked, sphere_body(), load_fabric("linen_red"), replace(DROP, untangle_frames=every))
    if every:
        assert result.report.self_intersections == 0
        # the sheets still slide off the ball when the 1.5 s run out: only the settle gate may fail
        assert set(evaluate(result.report).failed) <= {"settled"}
    else:  # contacts alone keep the crossing: the poking vertex is held on the side it started on
        assert result.report.self_intersections > 0


def pinched_strip(h: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """A strip of 6 x 2 squares folded back on itself at its fourth column of vertices, the returning cloth
    passing through the strip right beside the crease: the crossing triangles are a ring apart."""
    columns = [(0, 0), (1, 0), (2, 0), (3, 0), (2.6, -0.3), (2.2, 0.5), (1.8, 0.8)]  # (x, z) in squares
    rows = 3
    x = np.array([[cx * h, r * h, cz * h] for cx, cz in columns for r in range(rows)])
    faces = []
    for c in range(len(columns) - 1):
        for r in range(rows - 1):
            a, b, d, e = c * rows + r, (c + 1) * rows + r, (c + 1) * rows + r + 1, c * rows + r + 1
            faces += [(a, b, d), (a, d, e)]
    return x, np.array(faces, np.int64)


def _gradient_steps_only(monkeypatch) -> None:
    """Untangling by shrinking contours alone, in steps of the gradient's size (no whole steps, no pinches)."""
    plain = untangle_module._Shrink.run
    monkeypatch.setattr(untangle_module._Shrink, "run", lambda self, x, pairs, whole: plain(self, x, pairs, False))
    monkeypatch.setattr(untangle_module, "open_pinches", _contours_alone)


def test_a_pinch_has_no_contour_to_shrink_and_is_opened_by_smoothing(monkeypatch):
    x, faces = pinched_strip()
    crossing = find_self_intersections(x, faces, NO_SEAMS)
    assert len(crossing) == 6
    with monkeypatch.context() as patch:  # the contours' gradient alone: nothing changes, the attempt is undone
        _gradient_steps_only(patch)
        alone = x.copy()
        result = untangle(alone, faces, np.ones(len(x)), NO_SEAMS, step_m=0.0005, max_steps=120)
        assert (result.after, result.steps) == (6, 0) and np.array_equal(alone, x)
    opened = x.copy()
    passes, after = open_pinches(opened, faces, np.ones(len(x)), NO_SEAMS, np.arange(len(x)))
    assert after == 0 and passes >= 1
    assert count_self_intersections(opened, faces, NO_SEAMS) == 0
    moved = np.linalg.norm(opened - x, axis=1) > 0
    assert not moved[:3].any()  # the first column is two rings from the pinch: it stays
    assert np.linalg.norm(opened - x, axis=1).max() < 0.01  # a local smoothing, under a square's size
    # whole steps (tried before smoothing) pull it apart too
    untangled = x.copy()
    result = untangle(untangled, faces, np.ones(len(x)), NO_SEAMS, step_m=0.0005, max_steps=120)
    assert (result.before, result.after) == (6, 0) and count_self_intersections(untangled, faces, NO_SEAMS) == 0


def hooked_edges(overlap: float, skew: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Two 10 cm sheets at right angles whose free edges hook through each other by ``overlap`` (as a slit's
    front and back edges can): each edge passes through the other sheet, and the contour runs between the
    two edges, nearly square to both (``skew`` tilts them off square)."""
    uv, faces = grid_sheet(0.1, 0.1, 0.01)
    flat = np.column_stack([uv[:, 0] - 0.05 + overlap, uv[:, 1] + 0.0043, np.zeros(len(uv))])  # edge at x = overlap
    flat[:, 0] += skew * flat[:, 1]
    upright = np.column_stack([uv[:, 0] + 0.05, np.zeros(len(uv)), uv[:, 1] + 0.0037])  # edge at x = 0
    upright[:, 0] += skew * upright[:, 2]
    return np.vstack([flat, upright]), np.vstack([faces, faces + len(uv)]).astype(np.int64)


def test_hooked_edges_come_apart_in_whole_steps(monkeypatch):
    """The qipao's slit in crepe de chine (160/84A, 1 cm) ended with its front and back edges hooked: the
    contour's gradient slid them 0.02 mm a step and untangling gave up. Steps of the gradient's size alone
    leave these hooked edges crossed; whole steps unhook them, locally."""
    x, faces = hooked_edges(0.003)
    with monkeypatch.context() as patch:
        _gradient_steps_only(patch)
        stuck = x.copy()
        result = untangle(stuck, faces, np.ones(len(x)), NO_SEAMS, step_m=0.0005, max_steps=120)
        assert result.before > 0 and (result.after, result.steps) == (result.before, 0)
    result = untangle(x_after := x.copy(), faces, np.ones(len(x)), NO_SEAMS, step_m=0.0005, max_steps=120)
    assert result.before > 0 and result.after == 0 and 0 < result.steps < 120
    assert count_self_intersections(x_after, faces, NO_SEAMS) == 0
    assert np.linalg.norm(x_after - x, axis=1).max() < 0.01


def test_a_crossing_far_apart_is_not_a_pinch():
    x, faces, _ = poked_sheets()
    before = count_self_intersections(x, faces, NO_SEAMS)
    moved = x.copy()
    label = np.arange(len(x))
    assert before > 0 and open_pinches(moved, faces, np.ones(len(x)), NO_SEAMS, label) == (0, before)
    assert np.array_equal(moved, x)
