"""Long-range stretch limits (tethers): they never forbid a drape that does not stretch the cloth, they
skip segments that leave the piece, and they take the gravity sag out of long hanging cloth."""

import numpy as np

from garment3d.body import build_body
from garment3d.drape import DrapeOptions, drape
from garment3d.drape.tethers import LEVELS, SLACK, tether_pairs
from garment3d.fabrics import load_fabric
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate, get_definition
from garment3d.sizes import parse_size
from garment3d.types import GarmentMesh

SPACING = 0.01


def _grid_panel(width: int, height: int, cut=lambda i, j: False) -> GarmentMesh:
    """A flat grid of squares (SPACING apart) split into triangles, leaving out squares where ``cut``."""
    index = np.arange((width + 1) * (height + 1)).reshape(height + 1, width + 1)
    faces = []
    for j in range(height):
        for i in range(width):
            if cut(i, j):
                continue
            a, b, c, d = index[j, i], index[j, i + 1], index[j + 1, i + 1], index[j + 1, i]
            faces += [(a, b, c), (a, c, d)]
    used = np.unique(faces)
    remap = np.full(index.size, -1)
    remap[used] = np.arange(len(used))
    jj, ii = np.divmod(np.arange(index.size), width + 1)
    uv = np.column_stack([ii, jj]).astype(float)[used] * SPACING
    n = len(uv)
    return GarmentMesh(panel_names=("panel",), rest_uv=uv, positions=np.column_stack([uv, np.zeros(n)]),
                       faces=remap[np.array(faces)].astype(np.int32), panel_of=np.zeros(n, np.int32),
                       seam_pairs=np.zeros((0, 2), np.int32), seam_of=np.zeros(0, np.int32),
                       anchor_mask=np.zeros(n, bool), spacing_m=SPACING)


def test_a_cloth_wrapped_round_a_cylinder_without_stretching_keeps_every_tether_slack():
    mesh = _grid_panel(40, 30)
    pairs, longest = tether_pairs(mesh)
    flat = np.linalg.norm(mesh.rest_uv[pairs[:, 0]] - mesh.rest_uv[pairs[:, 1]], axis=1)
    np.testing.assert_allclose(longest, flat * (1 + SLACK))
    assert set(np.round(flat / SPACING).astype(int)) == set(LEVELS)  # along the warp and the weft
    radius = 0.08  # wrap x round a cylinder: an isometry, so no tether may be taut
    u, v = mesh.rest_uv[:, 0], mesh.rest_uv[:, 1]
    wrapped = np.column_stack([radius * np.sin(u / radius), v, radius * np.cos(u / radius)])
    assert np.all(np.linalg.norm(wrapped[pairs[:, 0]] - wrapped[pairs[:, 1]], axis=1) <= longest)
    stretched = wrapped * [1.0, 1.05, 1.0]  # 5 % longer down the warp: the warp tethers are taut
    taut = np.linalg.norm(stretched[pairs[:, 0]] - stretched[pairs[:, 1]], axis=1) > longest
    vertical = np.abs(np.diff(mesh.rest_uv[pairs], axis=1)[:, 0, 1]) > 0
    assert np.all(taut == vertical)


def test_no_tether_spans_a_slit():
    """Across a slit (or an open dart) the two sides may part further in space than in the pattern."""
    mesh = _grid_panel(30, 30, cut=lambda i, j: 14 <= i < 16 and j >= 8)
    pairs, _ = tether_pairs(mesh)
    x = mesh.rest_uv[pairs][:, :, 0]
    high = mesh.rest_uv[pairs][:, :, 1].min(axis=1) > 8.5 * SPACING  # above the bottom of the slit
    crosses = (x.min(axis=1) < 14.5 * SPACING) & (x.max(axis=1) > 15.5 * SPACING)
    assert not np.any(crosses & high)
    assert np.any(crosses & ~high)  # below the slit the cloth is whole and tethered


def test_tethers_take_the_gravity_sag_out_of_hanging_cloth():
    """At 1 cm and few substeps a skirt hanging from the waist sags by the solver's error, not the fabric's
    stretch (the default substeps keep that error small; 24 show it clearly)."""
    size = parse_size("160/84A")
    body = build_body(size.measurements)
    pattern = evaluate(get_definition("a_line_skirt"), size.measurements, size_label=size.label)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=0.01))
    fabric = load_fabric("poplin_grey")
    loose = drape(garment, body, fabric, DrapeOptions(substeps=24, tethers=False)).report
    held = drape(garment, body, fabric, DrapeOptions(substeps=24, tethers=True)).report
    assert held.settled and held.self_intersections == 0 and held.inside_share < 0.005
    assert held.p95_edge_strain < 0.8 * loose.p95_edge_strain
