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


def vase(radius_at, height: float = 1.7, rings: int = 341, sides: int = 96):
    """A closed solid of revolution about the y axis: radius ``radius_at(y)``; (vertices, faces, ring index of each vertex)."""
    ys = np.linspace(0.0, height, rings)
    t = np.linspace(0, 2 * np.pi, sides, endpoint=False)
    r = radius_at(ys)
    v = np.column_stack([
        (r[:, None] * np.cos(t)[None]).ravel(), np.repeat(ys, sides), (r[:, None] * np.sin(t)[None]).ravel()
    ])
    faces = []
    for i in range(rings - 1):
        a, b = i * sides + np.arange(sides), i * sides + (np.arange(sides) + 1) % sides
        faces += [np.column_stack([a, b + sides, b]), np.column_stack([a, a + sides, b + sides])]
    bottom, top = len(v), len(v) + 1
    v = np.vstack([v, [[0, 0, 0], [0, height, 0]]])
    ring0, ringn = np.arange(sides), (rings - 1) * sides + np.arange(sides)
    faces += [np.column_stack([np.full(sides, bottom), ring0, np.roll(ring0, -1)]),
              np.column_stack([np.full(sides, top), np.roll(ringn, -1), ringn])]
    f = np.vstack(faces)
    a, b, c = (v[f[:, k]] for k in range(3))
    if np.einsum("ij,ij->i", a, np.cross(b, c)).sum() < 0:
        f = f[:, ::-1]
    return v, f, np.repeat(np.arange(rings), sides)


@pytest.fixture(scope="session")
def make_vase():
    """The ``vase`` helper: (radius_at, ...) -> vertices, faces, ring index of each vertex."""
    return vase


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
