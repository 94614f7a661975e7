"""Self-collision: layered cloth stays apart, results repeat exactly."""

from __future__ import annotations

from dataclasses import replace

import numba
import numpy as np
import pytest

from garment3d.drape import DrapeOptions, drape
from garment3d.geometry import point_triangle_dist2
from garment3d.drape.self_collision import build_self_contact, contact_distance_m
from garment3d.fabrics import load_fabric
from garment3d.types import Body, DrapeReport, GarmentMesh, Landmarks, Measurements, SignedDistanceGrid

SPHERE_RADIUS = 0.12
SPACING = 0.02
DROP = DrapeOptions(close_seconds=0.0, min_seconds=1.0, max_seconds=1.5)


# --------------------------------------------------------------------------- fixtures: collider and cloths


def sphere_body(radius: float = SPHERE_RADIUS, spacing: float = 0.01) -> Body:
    """A ball at the origin with an exact signed-distance grid (no waist: nothing is held)."""
    origin = np.array([-0.4, -0.3, -0.4])
    axes = [origin[i] + spacing * np.arange(n) for i, n in enumerate((81, 71, 81))]
    gx, gy, gz = np.meshgrid(*axes, indexing="ij")
    values = np.sqrt(gx**2 + gy**2 + gz**2) - radius
    return Body(
        vertices=np.zeros((0, 3)),
        faces=np.zeros((0, 3), np.int64),
        landmarks=Landmarks(0.0, -1.0, 0.0, 0.0, 0.0, np.zeros(2)),
        measured=Measurements(0.0, 0.0, 0.0, 0.0),
        sdf=SignedDistanceGrid(origin=origin, spacing=spacing, values=values.astype(np.float32)),
    )


def grid_sheet(width: float, length: float, spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """Flat rest shape (n, 2) and faces (m, 3) of a width x length rectangle, centred on the origin."""
    nu, nv = int(round(width / spacing)) + 1, int(round(length / spacing)) + 1
    u, v = np.meshgrid(np.linspace(-width / 2, width / 2, nu), np.linspace(-length / 2, length / 2, nv))
    index = np.arange(nu * nv).reshape(nv, nu)
    a, b, c, d = index[:-1, :-1].ravel(), index[:-1, 1:].ravel(), index[1:, :-1].ravel(), index[1:, 1:].ravel()
    faces = np.vstack([np.column_stack([a, c, b]), np.column_stack([b, c, d])])
    return np.column_stack([u.ravel(), v.ravel()]), faces


def cloth(rest_uv: np.ndarray, positions: np.ndarray, faces: np.ndarray, panel_of: np.ndarray) -> GarmentMesh:
    n = len(rest_uv)
    return GarmentMesh(
        panel_names=tuple(f"piece{i}" for i in range(int(panel_of.max()) + 1)),
        rest_uv=rest_uv,
        positions=positions,
        faces=faces.astype(np.int32),
        panel_of=panel_of.astype(np.int32),
        seam_pairs=np.empty((0, 2), np.int32),
        seam_of=np.empty(0, np.int32),
        anchor_mask=np.zeros(n, bool),
        spacing_m=SPACING,
    )


def stacked_sheets() -> tuple[GarmentMesh, int]:
    """A 44 cm sheet 2 cm above the ball and a 34 cm sheet, turned 30 degrees, 1 cm above it; and the
    bottom sheet's vertex count (its vertices come first)."""
    uv1, f1 = grid_sheet(0.44, 0.44, SPACING)
    uv2, f2 = grid_sheet(0.34, 0.34, SPACING)
    turn = np.radians(30.0)
    rotated = uv2 @ np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])
    top = SPHERE_RADIUS + 0.02
    p1 = np.column_stack([uv1[:, 0], np.full(len(uv1), top), uv1[:, 1]])
    p2 = np.column_stack([rotated[:, 0], np.full(len(uv2), top + 0.01), rotated[:, 1]])
    n1 = len(uv1)
    garment = cloth(np.vstack([uv1, uv2]), np.vstack([p1, p2]), np.vstack([f1, f2 + n1]),
                    np.repeat([0, 1], [n1, len(uv2)]))
    return garment, n1


def folded_strip(bend_radius: float = 0.01) -> tuple[GarmentMesh, np.ndarray, np.ndarray]:
    """One strip folded back over itself (a hem or a skirt folding onto itself) above the ball: a lower
    layer, a half-round bend, and an upper layer 2 cm above the lower one, shifted half a cell sideways.

    Returns the cloth and the vertex masks of the lower and upper layers.
    """
    half = 0.26
    bend = np.pi * bend_radius
    uv, faces = grid_sheet(2 * half + bend, 0.2, SPACING)
    s = uv[:, 0] + half + bend / 2  # arc length along the strip, 0 .. 2 half + bend
    angle = np.clip((s - half) / bend_radius, 0.0, np.pi)
    x = np.where(s <= half, s - half, np.where(s >= half + bend, half + bend - s, 0.0))
    x = np.where((s > half) & (s < half + bend), bend_radius * np.sin(angle), x) + half / 2
    y = SPHERE_RADIUS + 0.02 + bend_radius * (1.0 - np.cos(angle))
    z = uv[:, 1] + np.where(s >= half + bend, 0.5 * SPACING, 0.0)
    garment = cloth(uv, np.column_stack([x, y, z]), faces, np.zeros(len(uv)))
    return garment, s < half - SPACING, s > half + bend + SPACING


@numba.njit
def _distances_to_mesh(points, x, faces):
    out = np.empty(len(points))
    for i in range(len(points)):
        best = np.inf
        for f in range(len(faces)):
            a, b, c = faces[f, 0], faces[f, 1], faces[f, 2]
            d2 = point_triangle_dist2(points[i, 0], points[i, 1], points[i, 2], x[a, 0], x[a, 1], x[a, 2],
                                       x[b, 0], x[b, 1], x[b, 2], x[c, 0], x[c, 1], x[c, 2])
            best = min(best, d2)
        out[i] = np.sqrt(best)
    return out


def distances_to_mesh(points: np.ndarray, positions: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """(k,) distance from each point to the nearest of ``faces`` (brute force: small meshes only)."""
    return _distances_to_mesh(np.ascontiguousarray(points), positions, np.ascontiguousarray(faces, np.int64))


@pytest.fixture(scope="module")
def linen():
    return load_fabric("linen_red")


@pytest.fixture(scope="module")
def ball():
    return sphere_body()


@pytest.fixture(scope="module")
def sheets():
    return stacked_sheets()


@pytest.fixture(scope="module")
def sheets_draped(sheets, ball, linen):
    return drape(sheets[0], ball, linen, DROP)


# --------------------------------------------------------------------------- layered cloth in the solver


def test_stacked_sheets_stay_apart(sheets, sheets_draped, linen):
    garment, n1 = sheets
    x = sheets_draped.positions
    report = sheets_draped.report
    assert report.self_intersections == 0
    assert report.inside_count == 0
    bottom_faces = garment.faces[garment.faces.max(axis=1) < n1]
    gap = distances_to_mesh(x[n1:], x, bottom_faces)
    contact = contact_distance_m(linen.thickness_mm, SPACING)
    assert gap.min() > 0.8 * contact
    # the top sheet really lies on the bottom one, draped over the ball
    assert np.median(gap) < 3 * contact
    assert x[n1:, 1].min() < SPHERE_RADIUS - 0.05


def test_without_self_collision_the_sheets_pass_through(sheets, ball, linen):
    garment, n1 = sheets
    loose = drape(garment, ball, linen, DrapeOptions(close_seconds=0.0, min_seconds=1.0, max_seconds=1.5,
                                                     self_collision=False))
    assert loose.report.self_intersections > 0
    assert not loose.report.passed
    bottom_faces = garment.faces[garment.faces.max(axis=1) < n1]
    assert distances_to_mesh(loose.positions[n1:], loose.positions, bottom_faces).min() < 0.001


def test_strip_folded_onto_itself_stays_apart(ball, linen):
    garment, lower, upper = folded_strip()
    with_contacts = drape(garment, ball, linen, DROP)
    without = drape(garment, ball, linen, DrapeOptions(close_seconds=0.0, min_seconds=1.0, max_seconds=1.5,
                                                       self_collision=False))
    assert with_contacts.report.self_intersections == 0
    assert without.report.self_intersections > 0
    x = with_contacts.positions
    lower_faces = garment.faces[np.all(lower[garment.faces], axis=1)]
    gap = distances_to_mesh(x[upper], x, lower_faces)
    assert gap.min() > 0.8 * contact_distance_m(linen.thickness_mm, SPACING)


def test_self_collision_is_deterministic(sheets, ball, linen, sheets_draped):
    again = drape(sheets[0], ball, linen, DROP)
    assert np.array_equal(again.positions, sheets_draped.positions)


# --------------------------------------------------------------------------- one contact, by hand


def _pinned_floor_and_patch(height_start: float, height_now: float, slide: float = 0.0):
    """A big pinned triangle in the plane y = 0 and a small free one whose vertex 3 moved from
    ``height_start`` to ``height_now`` (and ``slide`` along x) in this substep."""
    floor = [[-1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [0.0, 0.0, 1.0]]
    patch = [[0.0, height_start, 0.0], [0.3, height_start + 0.05, 0.0], [0.0, height_start + 0.05, 0.3]]
    x_start = np.array(floor + patch)
    x = x_start.copy()
    x[3] = [slide, height_now, 0.0]
    tri = np.array([[0, 2, 1], [3, 4, 5]], np.int32)
    inv_mass = np.array([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    return x, x_start, tri, inv_mass


def test_a_vertex_that_crossed_within_a_substep_is_pushed_back_to_its_side():
    x, x_start, tri, inv_mass = _pinned_floor_and_patch(0.002, -0.001)
    contact = 0.003
    build_self_contact(tri, inv_mass, np.empty((0, 2)), contact_m=contact, friction=0.0).solve(x, x_start)
    assert x[3, 1] == pytest.approx(contact)
    assert np.array_equal(x[:3], x_start[:3])  # pinned


def test_friction_holds_a_pressed_vertex_in_place():
    for friction, expected_x in ((1.0, 0.0), (0.0, 0.0001)):
        x, x_start, tri, inv_mass = _pinned_floor_and_patch(0.003, 0.0025, slide=0.0001)
        contact = build_self_contact(tri, inv_mass, np.empty((0, 2)), contact_m=0.003, friction=friction)
        contact.solve(x, x_start)
        assert x[3, 0] == pytest.approx(expected_x, abs=1e-12)
        assert x[3, 1] == pytest.approx(0.003)


def test_report_fails_with_self_intersections():
    good = DrapeReport(max_seam_gap_mm=0.5, inside_count=0, inside_share=0.0, max_edge_strain=0.05,
                       p95_edge_strain=0.01, settled=True, steps=10, simulated_s=1.0, wall_s=1.0,
                       vertex_count=100)
    assert good.self_intersections == 0 and good.passed
    assert not replace(good, self_intersections=3).passed


def _stacked_sheets_joined_at_a_corner(gap: float):
    """Two 8 x 8 cm sheets lying flat, the second ``gap`` over the first and joined to it at one corner (a
    seam pair), as a qipao's big front lies over its side strip and meets it where the opening ends. The
    lower sheet is pinned."""
    uv, faces = grid_sheet(0.08, 0.08, SPACING)
    n = len(uv)
    lower = np.column_stack([uv[:, 0], np.zeros(n), uv[:, 1]])
    upper = lower + [0.0, gap, 0.0]
    corner = int(np.argmin(uv[:, 0] + uv[:, 1]))
    upper[corner, 1] = 0.0  # the joined corner
    x_start = np.vstack([lower, upper])
    tri = np.vstack([faces, faces + n]).astype(np.int32)
    tri = tri[:, [0, 2, 1]] if np.cross(*(x_start[tri[0, 1:]] - x_start[tri[0, 0]]))[1] < 0 else tri
    inv_mass = np.concatenate([np.zeros(n), np.ones(n)])
    seam = np.array([[corner, n + corner]])
    far = int(np.argmax(uv[:, 0] + uv[:, 1]))  # a vertex of the upper sheet away from the joined corner
    return x_start, tri, inv_mass, seam, n + far, np.array([[n + far, far]])


def test_pieces_fastened_over_each_other_collide_even_where_a_seam_joins_them():
    """Joined at a corner, the two stacked sheets are neighbouring patches whose normals fit in one cone, so
    the culling took them for one smooth sheet and never tested them against each other; a fastener between
    them says they are two layers, and then they keep the contact distance."""
    contact = 0.003
    for layered, kept in ((None, False), ("fastened", True)):
        x_start, tri, inv_mass, seam, vertex, fastener = _stacked_sheets_joined_at_a_corner(0.001)
        x = x_start.copy()
        build_self_contact(tri, inv_mass, seam, contact_m=contact, friction=0.0,
                           layered=fastener if layered else None).solve(x, x_start)
        assert (x[vertex, 1] >= contact - 1e-9) == kept


def test_a_collapsed_triangle_or_edge_is_skipped_not_divided_by():
    """A triangle crushed needle-thin (its Gram determinant rounds to exactly 0 though its cross product does
    not) and an edge crushed to a point once ended GarmentCode's dress in a ZeroDivisionError; both are skipped,
    and a sound contact beside them is still solved."""
    from garment3d.drape.self_collision import _solve_edge_edge, _solve_vertex_triangle

    x = np.array([[0.0, 0.0, 0.0], [0.1, 0.0, 0.0], [0.2, 2e-13, 0.0],  # the needle
                  [0.05, 0.0, 0.001],  # a vertex just over it
                  [0.0, 0.5, 0.0], [0.1, 0.5, 0.0], [0.0, 0.6, 0.0],  # a sound triangle
                  [0.02, 0.52, 0.001]])  # a vertex 1 mm over it
    det = 0.1 * 0.1 * (0.2 * 0.2 + 4e-26) - (0.1 * 0.2) ** 2
    assert det == 0.0  # the case this test is about
    tri = np.array([[0, 1, 2], [4, 5, 6]], np.int64)
    w = np.ones(len(x))
    cand = np.zeros((len(x), 2), np.int64)
    count = np.zeros(len(x), np.int64)
    cand[3, 0], count[3] = 0, 1
    cand[7, 0], count[7] = 1, 1
    side = np.ones((len(x), 2), np.int64)
    before = x.copy()
    _solve_vertex_triangle(x, before.copy(), w, tri, cand, count, side, 0.004, 0.0, 0.05,
                           np.zeros_like(side, bool), 0.0)
    assert np.array_equal(x[:4], before[:4])
    assert np.sqrt(point_triangle_dist2(*x[7], *x[4], *x[5], *x[6])) == pytest.approx(0.004, abs=1e-6)  # pushed out

    y = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])  # two edges, each a point
    edge = np.array([[0, 1], [2, 3]], np.int64)
    ecand, ecount, eside = np.array([[1], [0]], np.int64), np.array([1, 1], np.int64), np.ones((2, 1), np.int64)
    _solve_edge_edge(y, y.copy(), np.ones(4), edge, ecand, ecount, eside, 0.004, 0.0,
                     np.zeros_like(eside, bool), 0.0)
    assert np.all(y == 0.0) and np.all(eside == 0)
