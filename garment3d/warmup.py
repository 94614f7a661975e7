"""Compile and cache the numba kernels once (run at install time by ``make``).

Numba writes its compiled machine code next to the sources (``cache=True``),
so a request never pays the compilation; this runs a tiny drape to trigger it.
"""

from __future__ import annotations

import time

import numpy as np

from garment3d.drape.coloring import color_elements
from garment3d.drape.kernels import simulate_frame
from garment3d.drape.intersections import count_self_intersections
from garment3d.drape.self_collision import build_self_contact
from garment3d.drape.untangle import untangle
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
    simulate_frame(
        x, np.zeros_like(x), np.ones(9),
        tri[order], np.tile([10.0, 0.0, 0.0, 10.0], (8, 1)), np.ones((8, 3)), ptr,
        hinge, np.ones((1, 4)), np.ones(1), hptr,
        hinge, np.ones((1, 4)), np.ones(1), hptr,
        seam, sptr, np.ones(1), 1.0,
        seam, sptr, np.full(1, 0.1), np.zeros(1),
        np.array([0], np.int32), 0.5, 1e-6,
        grid.values, grid.origin, grid.spacing, 0.003, 0.5,
        -9.81, 1.0, 1.0 / 60.0, 2,
        self_contact=build_self_contact(tri, np.ones(9), seam, contact_m=0.004, friction=0.5),
    )
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
