"""Shared fixtures of the body-stage tests: synthetic meshes and the base body."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.body.model import ShapeParams, load_model


def prism(outline_xz: np.ndarray, y0: float, y1: float, centre_xz=(0.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
    """Watertight vertical prism over a star-shaped outline (k, 2), outward winding.

    Returns vertices (2k + 2, 3) and faces; caps are fans from their centres.
    """
    k = len(outline_xz)
    ring = np.column_stack([outline_xz[:, 0], np.zeros(k), outline_xz[:, 1]])
    bottom, top = ring + [0.0, y0, 0.0], ring + [0.0, y1, 0.0]
    centres = np.array([[centre_xz[0], y0, centre_xz[1]], [centre_xz[0], y1, centre_xz[1]]])
    vertices = np.vstack([bottom, top, centres])
    i = np.arange(k)
    j = (i + 1) % k
    cb, ct = 2 * k, 2 * k + 1
    # Outline counter-clockwise seen from +y (x right, z down the page): walls
    # and caps oriented so that the normals point outward.
    walls = np.vstack([np.column_stack([i, k + i, j]), np.column_stack([j, k + i, k + j])])
    caps = np.vstack([np.column_stack([np.full(k, cb), i, j]), np.column_stack([np.full(k, ct), k + j, k + i])])
    faces = np.vstack([walls, caps]).astype(np.int64)
    if signed_volume(vertices, faces) < 0:
        faces = faces[:, ::-1]
    return vertices, faces


def signed_volume(vertices: np.ndarray, faces: np.ndarray) -> float:
    a, b, c = (vertices[faces[:, i]] for i in range(3))
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)


@pytest.fixture(scope="session")
def make_prism():
    """The ``prism`` helper: (outline_xz, y0, y1, centre_xz) -> vertices, faces."""
    return prism


@pytest.fixture(scope="session")
def model():
    return load_model()


@pytest.fixture(scope="session")
def base_female(model):
    """Default young female, model space shifted so the feet are at y = 0."""
    v = model.vertices(ShapeParams(gender=0.0))
    v[:, 1] -= v[:, 1].min()
    return v, model.faces
