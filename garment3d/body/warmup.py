"""Compile (or load from numba's cache) every body kernel once.

``garment3d.warmup`` can call :func:`warm_up` at install time so that the first
request does not pay the compilation (about 15 s on a 2-core machine).
"""

from __future__ import annotations

import time

import numpy as np

from garment3d.body.fit import model_measure
from garment3d.body.model import ShapeParams, load_model
from garment3d.body.sdf import build_sdf, sample_sdf
from garment3d.body.section import face_extent, loop_stats, section

__all__ = ["warm_up"]


def warm_up() -> float:
    """Measure the base body and build a coarse collision grid; returns seconds."""
    start = time.perf_counter()
    model = load_model()
    vertices = model.vertices(ShapeParams(gender=0.0))
    model_measure(model, vertices)
    # the unsorted section kernels (dress-form finish, avatars, frames) besides the sorted ones measuring uses
    faces = np.asarray(model.faces)
    face_min, face_max = face_extent(vertices, faces, 1)
    mid_y = float(vertices[:, 1].mean())
    loop_stats(vertices, faces, face_min, face_max, np.array([mid_y]), np.zeros(2))
    section(vertices, faces, 1, mid_y)
    grid = build_sdf(vertices, model.faces, spacing=0.05, margin=0.05)
    sample_sdf(grid, np.ascontiguousarray(vertices[:8]))
    return time.perf_counter() - start


if __name__ == "__main__":
    print(f"body kernels ready ({warm_up():.1f} s)")
