"""Shared fixtures: a capsule 'body' with an exact signed-distance grid.

The capsule lets stage tests (meshing, drape) run in seconds without the
MakeHuman body; the real body is exercised by tests/body and tests/test_pipeline.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from garment3d.types import Body, Landmarks, Measurements, SignedDistanceGrid

CAPSULE_RADIUS = 0.15
CAPSULE_BOTTOM = 0.1
CAPSULE_TOP = 1.5


def make_capsule_body(radius: float = CAPSULE_RADIUS, spacing: float = 0.01) -> Body:
    mesh = trimesh.creation.capsule(height=CAPSULE_TOP - CAPSULE_BOTTOM, radius=radius, count=[24, 24])
    mesh.apply_transform(trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0]))
    mesh.apply_translation([0.0, (CAPSULE_TOP + CAPSULE_BOTTOM) / 2 - mesh.bounds.mean(axis=0)[1], 0.0])
    origin = np.array([-0.4, -0.1, -0.4])
    shape = (81, 181, 81)
    axes = [origin[i] + spacing * np.arange(shape[i]) for i in range(3)]
    gx, gy, gz = np.meshgrid(*axes, indexing="ij")
    axis_y = np.clip(gy, CAPSULE_BOTTOM, CAPSULE_TOP)
    values = np.sqrt(gx**2 + (gy - axis_y) ** 2 + gz**2) - radius
    circumference_cm = 2 * np.pi * radius * 100
    return Body(
        vertices=np.asarray(mesh.vertices, dtype=np.float64),
        faces=np.asarray(mesh.faces, dtype=np.int64),
        landmarks=Landmarks(bust_y=1.3, waist_y=1.05, hip_y=0.9, crotch_y=0.75, knee_y=0.45, axis_xz=np.zeros(2)),
        measured=Measurements(160.0, circumference_cm, circumference_cm, circumference_cm),
        sdf=SignedDistanceGrid(origin=origin, spacing=spacing, values=values.astype(np.float32)),
    )


@pytest.fixture(scope="session")
def capsule_body() -> Body:
    return make_capsule_body()
