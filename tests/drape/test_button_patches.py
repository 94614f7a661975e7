"""A button holds a patch of each layer (its vertex and the neighbours within the button's size), not one
vertex: in stiff denim at the 1 cm mesh the blouse's button front then passes the strain gate (on the
point-attached model one triangle at a button stretched 55 % at 160/84A)."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.drape.model import PATCH_FASTENERS, fastener_discs


def _grid(count: int, spacing: float):
    """A flat (count x count) vertex grid, two triangles per cell: faces and rest coordinates (m)."""
    ij = np.array([(i, j) for j in range(count) for i in range(count)], float)
    faces = []
    for j in range(count - 1):
        for i in range(count - 1):
            a = j * count + i
            faces += [[a, a + 1, a + count + 1], [a, a + count + 1, a + count]]
    return np.array(faces), ij * spacing


def test_patch_is_the_vertex_and_its_neighbours_within_the_size():
    faces, uv = _grid(5, 0.01)
    centre, corner = 12, 0
    ptr, patch = fastener_discs(faces, uv, np.array([[centre, corner]]), np.array([0.012]), len(uv))
    first, second = patch[ptr[0]:ptr[1]], patch[ptr[1]:ptr[2]]
    assert sorted(first) == [7, 11, 12, 13, 17]  # the four edge neighbours at 1 cm; the diagonals (1.41 cm) not
    assert sorted(second) == [0, 1, 5]


def test_a_mesh_coarser_than_the_button_holds_the_vertex_alone():
    faces, uv = _grid(5, 0.02)
    ptr, patch = fastener_discs(faces, uv, np.array([[12, 6]]), np.array([0.012]), len(uv))
    assert list(ptr) == [0, 1, 2] and list(patch) == [12, 6]


def test_only_buttons_hold_patches():
    assert PATCH_FASTENERS == ("button",)


def test_buttoned_denim_front_passes_the_strain_gate_at_1cm():
    from garment3d.body import build_body
    from garment3d.drape import drape
    from garment3d.drape.quality import _yarn_strain
    from garment3d.fabrics import load_fabric
    from garment3d.gates import evaluate as judge
    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.patterns import evaluate, get_definition
    from garment3d.sizes import parse_size

    size = parse_size("160/84A")
    denim = load_fabric("denim_indigo")
    body = build_body(size.measurements)
    pattern = evaluate(get_definition("blouse"), size.measurements, size_label=size.label, fabric=denim)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.01))
    result = drape(garment, body, denim)
    # measured here from the positions: the triangles round each button
    warp, weft = _yarn_strain(result.positions, garment.faces, garment.rest_uv)
    buttons = garment.fastener_pairs.ravel()
    centres = result.positions[garment.faces].mean(axis=1)
    near = np.linalg.norm(centres[:, None, :] - result.positions[buttons][None], axis=2).min(axis=1) < 0.02
    assert near.sum() > 20
    assert np.maximum(warp, weft)[near].max() < 0.40
    verdict = judge(result.report)
    assert verdict.passed, verdict.problems
