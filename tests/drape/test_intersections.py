"""Self-intersections: the count, the intersecting pairs, and the points and segments of their contours."""

from __future__ import annotations

import numpy as np
import pytest

from drape.test_self_collision import grid_sheet
from garment3d.drape.intersections import (
    _triangles_intersect,
    contour_points,
    count_self_intersections,
    find_self_intersections,
)
from garment3d.drape.self_collision import weld_labels


# --------------------------------------------------------------------------- the count


def _two_triangles(second: list[list[float]]) -> np.ndarray:
    return np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], *second])


def test_count_of_a_triangle_piercing_another():
    x = _two_triangles([[0.2, 0.2, -0.5], [0.3, 0.2, 0.5], [0.2, 0.3, 0.5]])
    assert count_self_intersections(x, np.array([[0, 1, 2], [3, 4, 5]])) == 1


@pytest.mark.parametrize("second", [
    [[0.2, 0.2, 0.1], [0.6, 0.2, 0.1], [0.2, 0.6, 0.1]],  # parallel, 1 mm above
    [[0.2, 0.2, 0.01], [0.3, 0.2, 0.5], [0.2, 0.3, 0.5]],  # stands on it, not through
    [[0.8, 0.8, -0.5], [0.9, 0.8, 0.5], [0.8, 0.9, 0.5]],  # pierces the plane beside the triangle
])
def test_count_of_triangles_that_do_not_cross(second):
    x = _two_triangles(second)
    assert count_self_intersections(x, np.array([[0, 1, 2], [3, 4, 5]])) == 0


def test_neighbours_and_seam_partners_do_not_count():
    # a triangle through its neighbour, sharing vertex 0: adjacent, not a self-intersection
    x = _two_triangles([[0.3, 0.2, 0.5], [0.2, 0.3, -0.5]])
    assert count_self_intersections(x, np.array([[0, 1, 2], [0, 3, 4]])) == 0
    # the same crossing through a copy of vertex 0 (vertex 5) sewn to it: neighbours only once sewn
    x = np.vstack([x, x[:1]])
    faces = np.array([[0, 1, 2], [5, 3, 4]])
    assert count_self_intersections(x, faces) == 1
    assert count_self_intersections(x, faces, np.array([[0, 5]])) == 0


def crumpled_sheet() -> tuple[np.ndarray, np.ndarray]:
    """A 20 cm sheet on a 2 cm grid with 12 mm of random noise: (positions, faces)."""
    uv, faces = grid_sheet(0.2, 0.2, 0.02)
    rng = np.random.default_rng(7)
    x = np.column_stack([uv[:, 0], np.zeros(len(uv)), uv[:, 1]]) + rng.normal(0.0, 0.012, (len(uv), 3))
    return x, faces.astype(np.int64)


def test_count_matches_brute_force_on_a_crumpled_sheet():
    x, faces = crumpled_sheet()
    expected = sum(
        1
        for s in range(len(faces))
        for t in range(s + 1, len(faces))
        if not set(faces[s]) & set(faces[t]) and _triangles_intersect(x, faces, s, t)
    )
    assert expected > 10
    assert count_self_intersections(x, faces) == expected
    shuffled = np.random.default_rng(7).permutation(len(faces))
    assert count_self_intersections(x, faces[shuffled]) == expected


def test_pairs_are_the_brute_force_pairs_each_once():
    x, faces = crumpled_sheet()
    expected = [
        [s, t]
        for s in range(len(faces))
        for t in range(s + 1, len(faces))
        if not set(faces[s]) & set(faces[t]) and _triangles_intersect(x, faces, s, t)
    ]
    pairs = find_self_intersections(x, faces)
    assert pairs.tolist() == expected
    assert len(find_self_intersections(x[:, [0, 2, 1]] + 5.0, faces)) == len(expected)


# --------------------------------------------------------------------------- contours


def test_a_triangle_through_another_cuts_one_segment_between_two_crossings():
    # triangle 1 stands through triangle 0 (the z = 0 plane) along the line x = 0.25 from y = 0.2 to y = 0.25
    x = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0],
                  [0.25, 0.2, -0.5], [0.25, 0.3, 0.5], [0.25, 0.2, 0.5]])
    faces = np.array([[0, 1, 2], [3, 4, 5]])
    pairs = find_self_intersections(x, faces)
    points = contour_points(x, faces, pairs, np.arange(6))
    assert pairs.tolist() == [[0, 1]]
    assert points.segments.tolist() == [[0, 1]] or points.segments.tolist() == [[1, 0]]
    assert np.allclose(points.at[:, 2], 0.0)  # on the plane of triangle 0
    assert sorted(np.round(points.at[:, 1], 9)) == [0.2, 0.25]
    assert set(points.triangle.tolist()) == {0}
    for i in range(2):
        p, q = points.edge[i]
        assert np.allclose(x[p] + points.along[i] * (x[q] - x[p]), points.at[i])
        corners = x[faces[points.triangle[i]]]
        assert np.allclose(points.weights[i] @ corners, points.at[i])
        assert np.isclose(points.weights[i].sum(), 1.0) and np.all(points.weights[i] > 0.0)


def test_a_vertex_poking_through_a_sheet_makes_one_closed_contour():
    uv, faces = grid_sheet(0.1, 0.1, 0.02)
    sheet = np.column_stack([uv[:, 0], np.zeros(len(uv)), uv[:, 1]])
    top = sheet + [0.005, 0.004, 0.003]
    centre = int(np.argmin(np.linalg.norm(uv, axis=1)))
    top[centre, 1] = -0.004  # pokes 4 mm through the sheet below
    x = np.vstack([sheet, top])
    both = np.vstack([faces, faces + len(uv)]).astype(np.int64)
    pairs = find_self_intersections(x, both)
    points = contour_points(x, both, pairs, np.arange(len(x)))
    # one closed loop round the poking vertex: every edge from it crosses the sheet below, and the edges of
    # the sheet below cross the triangles round it; every point lies in the lower sheet
    poking = centre + len(uv)
    fan = {t for t in range(len(faces), len(both)) if poking in both[t]}
    assert {int(t) for t in pairs.ravel()} >= fan
    degree = np.bincount(points.segments.ravel())
    assert len(degree) > 6 and np.all(degree == 2)
    assert _one_cycle(points.segments)
    on_fan_edge = np.array([poking in e for e in points.edge])
    assert np.all(on_fan_edge | np.isin(points.triangle, list(fan)))
    assert on_fan_edge.sum() == 2 * 6  # each of its six edges, from both triangles beside it
    assert np.allclose(points.at[:, 1], 0.0)


def _one_cycle(segments: np.ndarray) -> bool:
    start = segments[0, 0]
    seen, here, previous = {start}, start, -1
    while True:
        step = [int(b if a == here else a) for a, b in segments.tolist() if here in (a, b)]
        nxt = step[0] if step[0] != previous else step[1]
        if nxt == start:
            return len(seen) == len(np.unique(segments))
        seen.add(nxt)
        previous, here = here, nxt


def test_an_edge_and_its_seam_partner_crossing_one_triangle_are_one_point():
    # two panels sewn along x = 0.25 (vertices 3-4 and 6-7 are partners), both crossing triangle 0
    x = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0],
                  [0.25, 0.2, -0.5], [0.25, 0.3, 0.5], [0.1, 0.25, 0.5],
                  [0.25, 0.2, -0.5], [0.25, 0.3, 0.5], [0.4, 0.25, 0.5]])
    faces = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    label = weld_labels(len(x), np.array([[3, 6], [4, 7]]))
    pairs = find_self_intersections(x, faces, np.array([[3, 6], [4, 7]]))
    points = contour_points(x, faces, pairs, label)
    assert len(pairs) == 2
    # the shared seam edge's crossing is one point joining the two segments
    assert len(np.unique(points.node)) == 3
    assert np.bincount(points.segments.ravel()).max() == 2
