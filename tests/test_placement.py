"""Placement of every library garment around a fitted body, before any simulation."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from garment3d.body import build_body
from garment3d.errors import InvalidPatternError, MeshingError
from garment3d.fields import sample_sdf
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate, get_definition, list_patterns
from garment3d.patterns.definition import parse_definition
from garment3d.settings import get_settings
from garment3d.sizes import parse_size

SIZE = parse_size("160/84A")


@pytest.fixture(scope="module")
def body():
    return build_body(SIZE.measurements)


@pytest.fixture(scope="module", params=list_patterns())
def placed(request, body):
    pattern = evaluate(get_definition(request.param), SIZE.measurements, size_label=SIZE.label)
    return pattern, mesh_pattern(pattern, body, MeshOptions(spacing_m=0.02))


def _panels(placed, region: str, side: str = ""):
    pattern, garment = placed
    for k, name in enumerate(garment.panel_names):
        placement = pattern.panel(name.split("@")[0]).placement if name in [p.name for p in pattern.panels] else None
        if placement and placement.region == region and placement.side == side:
            yield name, garment.positions[garment.panel_of == k]


def test_every_vertex_starts_outside_the_body(placed, body):
    _, garment = placed
    distance = sample_sdf(body.sdf, garment.positions)
    assert distance.min() > 0.0, f"{np.sum(distance <= 0)} vertices start inside the body"


def test_front_and_back_pieces_sit_in_front_and_behind(placed, body):
    pattern, garment = placed
    for k, name in enumerate(garment.panel_names):
        panel = pattern.panel(name)
        wraps_around = np.ptp(panel.outline[:, 0]) > 0.6 * SIZE.measurements.hip_cm  # a waistband
        if panel.placement.region in ("waist", "torso") and panel.placement.azimuth_deg in (0.0, 180.0) and not wraps_around:
            z = garment.positions[garment.panel_of == k, 2].mean() - body.landmarks.axis_xz[1]
            assert (z > 0) == (panel.placement.azimuth_deg == 0.0), name


def test_sleeves_go_round_their_own_arm(placed, body):
    frames = body.landmarks.frames
    for i, side in enumerate(("left", "right")):
        for name, points in _panels(placed, "arm", side):
            # distance to the arm's centre path (past the elbow it bends away from the upper arm's axis)
            path = frames.arm_paths[i]
            t = np.linspace(0.0, 1.0, 11)[:, None, None]
            dense = (path[:-1][None] * (1 - t) + path[1:][None] * t).reshape(-1, 3)
            radial = np.linalg.norm(points[:, None, :] - dense[None, :, :], axis=2).min(axis=1)
            assert np.median(radial) < 0.09, name  # wrapped close round the arm
            assert np.all(np.sign(points[:, 0]) == (1 if side == "left" else -1)), name


def test_collars_stand_round_the_neck(placed, body):
    frames = body.landmarks.frames
    for name, points in _panels(placed, "neck"):
        assert points[:, 1].min() > frames.neck_y - 0.03, name
        radial = np.hypot(points[:, 0] - frames.neck_xz[0], points[:, 2] - frames.neck_xz[1])
        assert radial.max() < 0.15, name


def test_trouser_legs_keep_to_their_side(placed, body):
    below_crotch = body.landmarks.crotch_y - 0.05
    for i, side in enumerate(("left", "right")):
        for name, points in _panels(placed, "leg", side):
            low = points[points[:, 1] < below_crotch]
            sign = 1 if side == "left" else -1
            assert len(low) and np.all(sign * low[:, 0] > -0.01), name  # at most 1 cm over the midline


def test_sleeve_on_a_body_without_frames_is_refused(capsule_body):
    pattern = evaluate(get_definition("a_line_skirt"), SIZE.measurements)
    from dataclasses import replace
    sleeve = replace(pattern.panels[0], placement=replace(pattern.panels[0].placement, region="arm", side="left"))
    with pytest.raises(MeshingError, match="'arm' placement"):
        mesh_pattern(replace(pattern, panels=(sleeve, pattern.panels[1])), capsule_body)


def test_a_piece_drafted_in_another_s_frame_lies_where_that_piece_would(body):
    """The jiaoling's collar bands share their fronts' pattern coordinates (placement frame)."""
    pattern = evaluate(get_definition("jiaoling_top"), SIZE.measurements, size_label=SIZE.label)
    assert pattern.panel("band_left").placement.frame == "front_left"
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.02))
    names = list(garment.panel_names)
    for band, front in (("band_left", "front_left"), ("band_right", "front_right")):
        a = garment.panel_of == names.index(band)
        b = garment.panel_of == names.index(front)
        # the band's edge sewn to its front starts right on that front's edge: the seam is closed already
        seam = [k for k, s in enumerate(pattern.seams) if {s.a.panel, s.b.panel} == {band, front}][0]
        pairs = garment.seam_pairs[garment.seam_of == seam]
        gaps = np.linalg.norm(garment.positions[pairs[:, 0]] - garment.positions[pairs[:, 1]], axis=1)
        assert np.median(gaps) < 0.005, band
        assert a.any() and b.any()


def test_a_frame_must_name_another_panel():
    table = tomllib.loads((get_settings().patterns_dir / "jiaoling_top.toml").read_text())
    for panel in table["panels"]:
        if panel["name"] == "band_left":
            panel["placement"]["frame"] = "lining"
    with pytest.raises(InvalidPatternError, match="placement frame 'lining'"):
        parse_definition(table, "test")


def test_a_piece_hung_from_its_curved_waist_starts_with_that_waist_on_the_body_s(body):
    """The circle skirt's waist is an arc in the pattern; laid by distance from it, the whole arc sits at the
    waist line (lowered by the piece's drop: the skirt starts 1 cm below its band) and the hem, far longer
    than the body is round, is gathered into outward folds."""
    pattern = evaluate(get_definition("circle_skirt"), SIZE.measurements, size_label=SIZE.label)
    assert pattern.panel("front").placement.hang_from == "waist"
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.02))
    for name in ("front", "back"):  # the vertices on the waist arc (radius R about (0, R): its side end is at y = R)
        mine = garment.panel_of == garment.panel_names.index(name)
        radius = garment.pattern_xy[mine, 1].max()
        on_arc = mine & (np.abs(np.hypot(garment.pattern_xy[:, 0], garment.pattern_xy[:, 1] - radius) - radius) < 0.05)
        assert on_arc.sum() > 10
        drop = pattern.panel(name).placement.drop_cm * 0.01
        assert drop == pytest.approx(0.01)
        assert np.abs(garment.positions[on_arc, 1] - (body.landmarks.waist_y - drop)).max() < 0.005
    band_top = garment.positions[garment.anchor_mask]  # the straight waistband above it
    assert np.abs(band_top[:, 1] - body.landmarks.waist_y - 0.03).max() < 0.005
    low = garment.positions[garment.positions[:, 1] < body.landmarks.waist_y - 0.4]
    radial = np.hypot(low[:, 0], low[:, 2])
    assert np.ptp(radial) > 0.1  # folded in and out, not one round bowl
    assert radial.max() < 0.6


def test_hang_from_must_name_an_edge_of_the_panel():
    table = tomllib.loads((get_settings().patterns_dir / "circle_skirt.toml").read_text())
    table["panels"][0]["placement"]["hang_from"] = "belt"
    with pytest.raises(InvalidPatternError, match="hang_from: the panel has no edge 'belt'"):
        parse_definition(table, "test")


def test_trouser_legs_start_with_their_outseams_at_the_leg_s_outer_side(body):
    """Front and back of each leg are laid from the outseam (placement align_edge): the outseam lies at the
    side of the leg on every contour, so the front and back start with that seam closed and the crotch
    edges reach round to the middle without the backs' wide seat crossing each other."""
    pattern = evaluate(get_definition("trousers"), SIZE.measurements, size_label=SIZE.label)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.02))
    for k, seam in enumerate(pattern.seams):
        if seam.a.edge != "outseam":
            continue
        pairs = garment.seam_pairs[garment.seam_of == k]
        gaps = np.linalg.norm(garment.positions[pairs[:, 0]] - garment.positions[pairs[:, 1]], axis=1)
        assert np.median(gaps) < 0.005, seam
        outseam = garment.positions[pairs[:, 0]]
        side = pattern.panel(seam.a.panel).placement.side
        leg_x = body.landmarks.frames.leg_xz[0 if side == "left" else 1, 0]
        assert np.all(np.sign(outseam[:, 0] - leg_x) == (1 if side == "left" else -1)), seam  # outer side
    names = list(garment.panel_names)
    backs = [garment.positions[garment.panel_of == names.index(n)] for n in ("back_left", "back_right")]
    assert backs[0][:, 0].min() > -0.01 and backs[1][:, 0].max() < 0.01  # each back keeps to its own side


def test_align_edge_must_name_an_edge_of_the_panel():
    table = tomllib.loads((get_settings().patterns_dir / "trousers.toml").read_text())
    table["panels"][0]["placement"]["align_edge"] = "sideseam"
    with pytest.raises(InvalidPatternError, match="align_edge: the panel has no edge 'sideseam'"):
        parse_definition(table, "test")


def test_a_piece_hung_from_an_arc_is_laid_in_the_arc_s_polar_coordinates():
    """Depth is the distance along the edge's normals and the position along the body the arc length of
    their foot: for an arc those are exact polar coordinates, however finely the arc is divided (a point
    far out does not snap to the nearest corner of the polyline)."""
    from garment3d.placement import _sweep

    phi = np.linspace(np.pi, 0.0, 71)  # a half circle of radius 10, run so that its outside is on the left
    arc = 10.0 * np.column_stack([np.cos(phi), np.sin(phi)])
    rng = np.random.default_rng(1)
    radius, angle = rng.uniform(10.5, 70.0, 500), rng.uniform(0.0, np.pi, 500)
    points = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    depth, along = _sweep(points, arc)
    np.testing.assert_allclose(depth, radius - 10.0, atol=0.02)
    # within 1.5 mm of the arc (the end segments' normals lean by half a segment's turn)
    np.testing.assert_allclose(along, 10.0 * (np.pi - angle), atol=0.15)


def test_a_full_circle_skirt_starts_folded_without_crossing_or_stretching_itself(body):
    """Twelve deep folds hold a hem four times the body's girth at the standard 1 cm mesh: the placed
    cloth must not pass through itself (a crossing at the start is never undone) nor be much distorted."""
    from garment3d.drape.intersections import count_self_intersections

    pattern = evaluate(get_definition("circle_skirt"), SIZE.measurements, size_label=SIZE.label)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.01))
    assert count_self_intersections(garment.positions, garment.faces, garment.seam_pairs) == 0
    f = garment.faces
    edges = np.unique(np.sort(np.vstack([f[:, [0, 1]], f[:, [1, 2]], f[:, [2, 0]]]), axis=1), axis=0)
    placed = np.linalg.norm(np.diff(garment.positions[edges], axis=1)[:, 0], axis=1)
    flat = np.linalg.norm(np.diff(garment.rest_uv[edges], axis=1)[:, 0], axis=1)
    ratio = placed / flat
    assert np.percentile(ratio, 1) > 0.6 and np.percentile(ratio, 99) < 1.8


def _self_seam_gaps_cm(garment, panel: str) -> tuple[np.ndarray, np.ndarray]:
    """Placed distance (cm) between the vertices a seam of ``panel`` with itself joins, and their pattern y."""
    k = garment.panel_names.index(panel)
    pairs = garment.seam_pairs[(garment.panel_of[garment.seam_pairs[:, 0]] == k)
                               & (garment.panel_of[garment.seam_pairs[:, 1]] == k)]
    gaps = np.linalg.norm(garment.positions[pairs[:, 0]] - garment.positions[pairs[:, 1]], axis=1) * 100
    return gaps, garment.rest_uv[pairs[:, 0], 1] * 100


def test_a_long_sleeve_starts_almost_closed_round_its_arm(body):
    """Below the underarm the sleeve's two underarm edges start a few centimetres apart (laid round a
    contour as wide as the shoulder's they were 15-17 cm apart, and closing that gap dragged the seam
    round the forearm)."""
    pattern = evaluate(get_definition("blouse"), SIZE.measurements, size_label=SIZE.label)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.01))
    for sleeve in ("left_sleeve", "right_sleeve"):
        gaps, y = _self_seam_gaps_cm(garment, sleeve)
        # the hem sits over the hand's wider contour; just below the underarm the contour narrows gradually
        tube = (y > y.min() + 8.0) & (y < y.max() - 6.0)
        assert gaps[tube].max() < 6.0, f"{sleeve}: underarm edges start {gaps[tube].max():.1f} cm apart"


def test_neighbouring_pieces_start_apart_where_the_contour_is_tight(body):
    """A pencil skirt's two back halves, laid at fixed fractions of each contour, overlapped at the
    waist where the contour was only as long as the pieces (8 crossing pairs at 160/84A); that row is
    widened now, so the skirt starts without crossing itself at every size."""
    from garment3d.drape.intersections import count_self_intersections

    for label in ("155/80A", "160/84A", "170/92A"):
        size = parse_size(label)
        pattern = evaluate(get_definition("pencil_skirt"), size.measurements, size_label=label)
        garment = mesh_pattern(pattern, build_body(size.measurements), MeshOptions(spacing_m=0.01))
        assert count_self_intersections(garment.positions, garment.faces, garment.seam_pairs) == 0, label


def test_a_torso_contour_steps_in_at_most_its_slope_and_never_inward():
    """The slope limit spreads a step (the arm's outside above the underarm, the torso's side below) over
    depth by moving rows outward only, and leaves gentle contours as they were."""
    from garment3d.placement import _limit_slope

    depths = np.arange(0.0, 0.2, 0.01)
    radius = np.full((len(depths), 3), 0.15)
    radius[:8, 0] = 0.22  # a 7 cm step between rows 7 and 8 at azimuth 0
    radius[:, 1] = 0.15 + 0.2 * depths  # a gentle flare: slope 0.2
    limited = _limit_slope(radius, depths, 3.0)
    assert np.all(limited >= radius)
    assert np.abs(np.diff(limited, axis=0)).max() <= 3.0 * 0.01 + 1e-12
    assert limited[8, 0] == pytest.approx(0.19) and limited[10, 0] == pytest.approx(0.15)
    assert np.array_equal(limited[:, 1:], radius[:, 1:])


@pytest.mark.parametrize(("name", "spacing"), [("jiaoling_top", 0.01), ("qipao", 0.02)])
def test_the_back_starts_uncrossed_under_the_arms_at_xl(name, spacing):
    """At 170/92A the torso contour steps from the arm's outside to the torso's side at the underarm; laid on
    that step, the back folded through itself before the drape began (jiaoling top at 1 cm: 12 crossing pairs,
    6 left at rest; qipao at 2 cm: 5)."""
    from garment3d.drape.intersections import find_self_intersections

    size = parse_size("170/92A")
    pattern = evaluate(get_definition(name), size.measurements, size_label=size.label)
    garment = mesh_pattern(pattern, build_body(size.measurements), MeshOptions(spacing_m=spacing))
    pairs = find_self_intersections(garment.positions, garment.faces, garment.seam_pairs)
    where = {garment.panel_names[garment.panel_of[garment.faces[t][0]]] for t in pairs.ravel()}
    assert len(pairs) == 0, f"{len(pairs)} crossing pairs in {sorted(where)}"
