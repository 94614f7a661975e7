"""Sewn seams solved as one vertex (garment3d.drape.weld): a seam under tension no longer stretches the
triangles beside it."""

from dataclasses import replace

import numpy as np
import pytest

from garment3d.drape.kernels import ClothState, Collider, FrameControls, PlacedLengths, simulate_frame
from garment3d.drape.model import build_model
from garment3d.drape.quality import _yarn_strain
from garment3d.drape.weld import weld_constraints, weld_mean
from garment3d.fabrics import load_fabric
from garment3d.types import GarmentMesh

STRIP_CM = (10.0, 3.0)  # each piece, sewn end to end
STEP_CM = 1.5


def _grid(x0_cm: float, first: int) -> tuple[np.ndarray, np.ndarray]:
    """A piece's vertices (cm) and triangles; columns left to right, rows bottom to top."""
    xs = x0_cm + np.arange(0.0, STRIP_CM[0] + 1e-9, STRIP_CM[0] / 6)
    ys = np.arange(0.0, STRIP_CM[1] + 1e-9, STEP_CM)
    points = np.array([(x, y) for x in xs for y in ys])
    rows = len(ys)
    faces = []
    for i in range(len(xs) - 1):
        for j in range(rows - 1):
            a, b, c, d = i * rows + j, (i + 1) * rows + j, (i + 1) * rows + j + 1, i * rows + j + 1
            faces += [(a, b, c), (a, c, d)]
    return points, np.array(faces) + first


def _sewn_strip(stretch: float) -> tuple[GarmentMesh, np.ndarray]:
    """Two pieces sewn end to end, laid straight and stretched by ``stretch``; the far ends' vertices."""
    left, left_faces = _grid(0.0, 0)
    right, right_faces = _grid(STRIP_CM[0], len(left))
    uv_cm = np.vstack([left, right])
    rows = int(round(STRIP_CM[1] / STEP_CM)) + 1
    seam = np.column_stack([np.arange(len(left) - rows, len(left)), len(left) + np.arange(rows)])
    positions = np.column_stack([uv_cm[:, 0] * (1 + stretch), uv_cm[:, 1], np.zeros(len(uv_cm))]) / 100.0
    garment = GarmentMesh(
        panel_names=("left", "right"), rest_uv=uv_cm / 100.0, positions=positions,
        faces=np.vstack([left_faces, right_faces]).astype(np.int32),
        panel_of=np.r_[np.zeros(len(left)), np.ones(len(right))].astype(np.int32),
        seam_pairs=seam.astype(np.int32), seam_of=np.zeros(len(seam), np.int32),
        anchor_mask=np.zeros(len(uv_cm), bool), spacing_m=STEP_CM / 100.0)
    ends = np.r_[np.arange(rows), len(uv_cm) - rows + np.arange(rows)]
    return garment, ends


def _pull(weld: bool, frames: int = 30) -> np.ndarray:
    """Weft strain of each column of the sewn strip (the mean of its triangles'), left to right, held 5 %
    stretched by its far ends, after ``frames``."""
    garment, ends = _sewn_strip(0.05)
    model = build_model(garment, load_fabric("poplin_grey"), weld=weld)
    pinned = model.inv_mass.copy()
    pinned[ends] = 0.0
    model = replace(model, inv_mass=pinned,
                    welded=None if model.welded is None else replace(model.welded, inv_mass=np.where(
                        pinned == 0.0, 0.0, model.welded.inv_mass)))
    state = ClothState.at_rest(garment.positions)
    far_away = Collider(values=np.full((2, 2, 2), 10.0, np.float32), origin=np.array([5.0, 5.0, 5.0]),
                        spacing=1.0, thickness=0.003, friction=0.0)
    placed = PlacedLengths(seam_rest=np.zeros(len(model.seam)), tether_excess=np.zeros(0))
    controls = FrameControls(gravity=0.0, damping=8.0, frame_dt=1 / 60, substeps=32, seam_scale=0.0)
    for _ in range(frames):
        simulate_frame(state, model, placed, controls, far_away)
    weft, _ = _yarn_strain(state.x, garment.faces.astype(np.int64), garment.rest_uv)
    return weft.reshape(-1, 2 * (len(ends) // 2 - 1)).mean(axis=1)  # _grid's faces: column by column


#: the columns beside the seam (each piece has 6)
SEAM_COLUMNS = [5, 6]


def test_welded_seam_carries_tension_like_the_cloth():
    """Pulled 5 % along its length, the strip's columns beside the seam are stretched as the others are
    (their triangles' mean; a coarse grid's triangles shear in pairs, so single triangles vary)."""
    columns = _pull(weld=True)
    others = np.delete(columns, SEAM_COLUMNS)
    assert columns[SEAM_COLUMNS].max() <= others.max() + 0.005, columns
    assert np.all(np.abs(columns[SEAM_COLUMNS] - 0.05) < 0.015), columns


def test_seam_pairs_projected_shut_stretch_the_triangles_beside_them():
    """The old solve (each side's triangles pull their own copy, then the pair is projected shut) leaves the
    seam's correction in the triangles beside it: over twice the stretch of the rest of the strip (the
    failure welding fixes)."""
    columns = _pull(weld=False)
    others = np.delete(columns, SEAM_COLUMNS)
    assert columns[SEAM_COLUMNS].min() > 2 * np.median(others), columns


def test_weld_groups_follow_seam_chains_and_carry_their_mass():
    """A corner where three pieces meet (a chain of two pairs) is one group; its representative is its lowest
    vertex and carries the whole group's mass; a triangle two of whose corners are sewn together is left out."""
    mass = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    tri = np.array([[0, 3, 4], [1, 3, 4], [0, 1, 4]])
    hinge = np.array([[0, 3, 4, 1]])
    welded = weld_constraints(mass, np.array([[2, 0], [0, 1]]), tri, np.zeros((3, 4)), np.ones((3, 3)),
                              hinge, np.ones((1, 4)), np.ones(1))
    assert welded.group_members.tolist() == [0, 1, 2] and welded.group_ptr.tolist() == [0, 3]
    assert welded.inv_mass[[0, 1, 2]] == pytest.approx([1 / 6] * 3)
    assert welded.inv_mass[[3, 4]] == pytest.approx([1 / 4, 1 / 5])
    assert sorted(map(sorted, welded.tri.tolist())) == [[0, 3, 4], [0, 3, 4]]
    assert len(welded.hinge) == 0  # its two sides are one vertex now
    x = np.array([[0.0, 0, 0], [3, 0, 0], [0, 6, 0], [9, 9, 9], [9, 9, 9]])
    weld_mean(x, 1.0 / mass, welded.group_ptr, welded.group_members)
    np.testing.assert_allclose(x[:3], [[1.0, 3.0, 0.0]] * 3)
