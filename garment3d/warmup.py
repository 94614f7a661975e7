"""Compile and cache the numba kernels once (run at install time by ``make``).

Numba writes its compiled machine code to its cache (``cache=True``; the folder: ``garment3d.settings.configure_numba``),
so a request never pays the compilation; this runs a tiny drape to trigger it.
"""

from __future__ import annotations

import time

import numpy as np

from garment3d.drape.coloring import color_elements
from garment3d.drape.kernels import ClothState, Collider, FrameControls, PlacedLengths, simulate_frame
from garment3d.drape.model import ClothModel
from garment3d.drape.penetration import BodyRays
from garment3d.drape.intersections import count_self_intersections
from garment3d.drape.self_collision import build_self_contact
from garment3d.drape.untangle import untangle
from garment3d.drape.weld import weld_constraints
from garment3d.fields import sample_sdf
from garment3d.types import SignedDistanceGrid

__all__ = ["warm_up"]


def warm_up() -> float:
    """Run every kernel once on a 3x3 patch above a flat floor; returns seconds taken."""
    start = time.perf_counter()
    grid = SignedDistanceGrid(
        origin=np.array([-1.0, -1.0, -1.0]),
        spacing=0.5,
        values=(np.arange(5, dtype=np.float32)[None, :, None] * 0.5 - 1.0).repeat(5, 0).repeat(5, 2),
    )
    u, v = np.meshgrid(np.arange(3) * 0.1, np.arange(3) * 0.1)
    x = np.column_stack([u.ravel(), np.full(9, 0.5), v.ravel()])
    tri = np.array([[0, 1, 4], [0, 4, 3], [1, 2, 5], [1, 5, 4], [3, 4, 7], [3, 7, 6], [4, 5, 8], [4, 8, 7]], np.int32)
    order, ptr = color_elements(tri, 9)
    hinge = np.array([[0, 4, 1, 3]], np.int32)
    _, hptr = color_elements(hinge, 9)
    seam = np.array([[0, 2]], np.int32)
    _, sptr = color_elements(seam, 9)
    model = ClothModel(
        n=9, inv_mass=np.ones(9), tri=tri[order], tri_dm_inv=np.tile([10.0, 0.0, 0.0, 10.0], (8, 1)),
        tri_alpha=np.ones((8, 3)), tri_color_ptr=ptr,
        hinge=hinge, hinge_k=np.ones((1, 4)), hinge_alpha=np.ones(1), hinge_color_ptr=hptr,
        seam_hinge=hinge, seam_hinge_k=np.ones((1, 4)), seam_hinge_alpha=np.ones(1), seam_hinge_color_ptr=hptr,
        seam=seam, seam_color_ptr=sptr, tether=seam, tether_max=np.full(1, 0.1), tether_color_ptr=sptr,
        anchor=np.array([0], np.int32), rest_edge=seam, rest_length=np.ones(1),
        thickness_m=0.003, friction=0.5,
        fastener=seam, fastener_color_ptr=sptr, fastener_rest=np.full(1, 0.004), fastener_slack=np.zeros(1),
        fastener_order=np.zeros(1, np.int64), fastener_disc_ptr=np.array([0, 2, 4], np.int64),
        fastener_disc=np.array([0, 1, 2, 5], np.int32),
        welded=weld_constraints(np.ones(9), seam, tri[order], np.tile([10.0, 0.0, 0.0, 10.0], (8, 1)),
                                np.ones((8, 3)), hinge, np.ones((1, 4)), np.ones(1)),
    )
    collider = Collider(values=grid.values, origin=grid.origin, spacing=grid.spacing, thickness=0.003,
                        friction=0.5)
    contact = build_self_contact(tri, np.ones(9), seam, contact_m=0.004, friction=0.5)
    placed = PlacedLengths(seam_rest=np.ones(1), tether_excess=np.zeros(1))
    for scale in (1.0, 0.0):  # sewing and sewn
        controls = FrameControls(gravity=-9.81, damping=1.0, frame_dt=1.0 / 60.0, substeps=2, seam_scale=scale)
        simulate_frame(ClothState.at_rest(x), model, placed, controls, collider, self_contact=contact)
    box = np.array([[i, j, k] for i in (0.0, 1.0) for j in (0.0, 1.0) for k in (0.0, 1.0)])  # a closed cube
    box_faces = np.array([[0, 1, 3], [0, 3, 2], [4, 6, 7], [4, 7, 5], [0, 4, 5], [0, 5, 1],
                          [2, 3, 7], [2, 7, 6], [0, 2, 6], [0, 6, 4], [1, 5, 7], [1, 7, 3]])
    BodyRays(box, box_faces).inside(x)
    sample_sdf(grid, x)
    count_self_intersections(x, tri, seam)
    # one triangle standing through another: the pair finder, the contour points and one untangling step
    pierced = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0],
                        [0.25, 0.2, -0.5], [0.25, 0.3, 0.5], [0.25, 0.2, 0.5]])
    untangle(pierced, np.array([[0, 1, 2], [3, 4, 5]]), np.ones(6), np.empty((0, 2), np.int64),
             step_m=0.01, max_steps=1)
    return time.perf_counter() - start


def warm_up_all() -> float:
    """Cloth and body kernels; returns seconds taken."""
    from garment3d.body.warmup import warm_up as warm_up_body

    return warm_up() + warm_up_body()


if __name__ == "__main__":
    print(f"numba kernels ready ({warm_up_all():.1f} s)")
