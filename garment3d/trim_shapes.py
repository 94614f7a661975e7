"""Small solids for trims, in a local frame: pure geometry on numpy arrays.

Every shape is built about its own origin with x across the opening, y along it
and z out of the cloth (the cloth surface is z = 0 under a rigid trim). Sizes
are metres. Solids are closed with outward winding; :mod:`garment3d.trims`
places them on the draped cloth.

- :func:`domed_disc`: a revolved disc whose top follows a height profile, with
  optional round pits (a button's holes); buttons and press-stud caps.
- :func:`tube`: a cord or ribbon swept along a path (elliptical section whose
  wide side lies on the cloth); frog cords, tie loops and tails, hook wires,
  button thread.
- :func:`knot_ball`: a round knot with a woven-looking surface (a frog's knot).
- :func:`box`: a small rounded block (zip teeth, slider and pull).
"""

from __future__ import annotations

import numpy as np

__all__ = ["domed_disc", "tube", "knot_ball", "box", "joined", "oriented_outward"]


def domed_disc(radius: float, height, holes: np.ndarray | None = None, hole_radius: float = 0.0,
               hole_floor: float = 0.0, rings: int = 22, sectors: int = 64):
    """A closed disc: flat bottom at z = 0, top at ``height(r)`` (a function of radius, vectorised).

    holes : (h, 2) hole centres (x, y) on the top, each a round pit of ``hole_radius``
    whose floor is at ``hole_floor``. Returns (vertices (n, 3), faces (m, 3)).
    """
    radii = radius * np.linspace(0.0, 1.0, rings + 1)[1:] ** 0.85  # denser towards the rim
    angles = np.linspace(0.0, 2.0 * np.pi, sectors, endpoint=False)
    r, a = np.meshgrid(radii, angles, indexing="ij")
    x, y = r * np.cos(a), r * np.sin(a)
    z = np.asarray(height(r), dtype=np.float64)
    if holes is not None and len(holes):
        for cx, cy in np.asarray(holes, dtype=np.float64):
            d = np.hypot(x - cx, y - cy) / hole_radius
            pit = np.clip((1.35 - d) / 0.45, 0.0, 1.0) ** 2 * (3 - 2 * np.clip((1.35 - d) / 0.45, 0.0, 1.0))
            z = z + pit * (hole_floor - z)
    top = np.column_stack([x.ravel(), y.ravel(), z.ravel()])
    top_centre = np.array([[0.0, 0.0, float(height(np.array([0.0]))[0])]])
    bottom_ring = np.column_stack([radius * np.cos(angles), radius * np.sin(angles), np.zeros(sectors)])
    vertices = np.vstack([top_centre, top, bottom_ring, [[0.0, 0.0, 0.0]]])

    def ring(i: int) -> np.ndarray:  # vertex indices of top ring i
        return 1 + i * sectors + np.arange(sectors)

    faces = []
    nxt = np.roll(np.arange(sectors), -1)
    first = ring(0)
    faces.append(np.column_stack([np.zeros(sectors, int), first, first[nxt]]))
    for i in range(rings - 1):
        inner, outer = ring(i), ring(i + 1)
        faces.append(np.column_stack([inner, outer, outer[nxt]]))
        faces.append(np.column_stack([inner, outer[nxt], inner[nxt]]))
    rim = ring(rings - 1)
    base = 1 + rings * sectors + np.arange(sectors)
    faces.append(np.column_stack([rim, base, base[nxt]]))
    faces.append(np.column_stack([rim, base[nxt], rim[nxt]]))
    centre = len(vertices) - 1
    faces.append(np.column_stack([np.full(sectors, centre), base[nxt], base]))
    return oriented_outward(vertices, np.vstack(faces))


def tube(path: np.ndarray, up: np.ndarray, half_width: float, half_height: float | None = None,
         sides: int = 10, closed: bool = False):
    """A cord swept along ``path`` (k, 3), its section an ellipse ``half_width`` across and
    ``half_height`` along ``up`` (k, 3) (the cloth normal at each point); round if not given.

    Open paths get flat end caps. Returns (vertices, faces).
    """
    path = np.asarray(path, dtype=np.float64)
    up = np.asarray(up, dtype=np.float64)
    half_height = half_width if half_height is None else half_height
    if closed:
        tangent = np.roll(path, -1, axis=0) - np.roll(path, 1, axis=0)
    else:
        tangent = np.gradient(path, axis=0)
    tangent = _unit(tangent)
    normal = _unit(up - tangent * np.sum(up * tangent, axis=1, keepdims=True))
    side = np.cross(tangent, normal)
    phi = np.linspace(0.0, 2.0 * np.pi, sides, endpoint=False)
    across = (half_width * np.cos(phi))[None, :, None] * side[:, None]
    section = across + (half_height * np.sin(phi))[None, :, None] * normal[:, None]
    vertices = (path[:, None, :] + section).reshape(-1, 3)
    k = len(path)
    nxt = np.roll(np.arange(sides), -1)
    faces = []
    for i in range(k if closed else k - 1):
        a, b = i * sides + np.arange(sides), ((i + 1) % k) * sides + np.arange(sides)
        faces.append(np.column_stack([a, b, b[nxt]]))
        faces.append(np.column_stack([a, b[nxt], a[nxt]]))
    if not closed:
        ends = np.array([path[0], path[-1]])
        base = len(vertices)
        vertices = np.vstack([vertices, ends])
        first, last = np.arange(sides), (k - 1) * sides + np.arange(sides)
        faces.append(np.column_stack([np.full(sides, base), first[nxt], first]))
        faces.append(np.column_stack([np.full(sides, base + 1), last, last[nxt]]))
    return oriented_outward(vertices, np.vstack(faces))


def knot_ball(radius: float, subdivisions: int = 3):
    """A round knot: a sphere with the crossing-cord relief of a Chinese button knot."""
    import trimesh

    sphere = trimesh.creation.icosphere(subdivisions=subdivisions)
    unit = np.asarray(sphere.vertices, dtype=np.float64)
    lon = np.arctan2(unit[:, 1], unit[:, 0])
    lat = np.arcsin(np.clip(unit[:, 2], -1.0, 1.0))
    relief = 0.07 * np.abs(np.sin(2.0 * lon + 3.0 * lat)) + 0.07 * np.abs(np.sin(2.0 * lon - 3.0 * lat))
    vertices = unit * (radius * (0.93 + relief))[:, None]
    return vertices, np.asarray(sphere.faces, dtype=np.int64)


def box(centre: np.ndarray, axes: np.ndarray, half_sizes, bevel: float = 0.25):
    """A block about ``centre`` with the three unit ``axes`` (3, 3) as rows and ``half_sizes``;
    its eight corners pulled in by ``bevel`` of the smallest half size (rounded look under smooth normals)."""
    half = np.asarray(half_sizes, dtype=np.float64)
    signs = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)], dtype=np.float64)
    corners = signs * (half - bevel * half.min())
    vertices = np.asarray(centre, dtype=np.float64) + corners @ np.asarray(axes, dtype=np.float64)
    faces = np.array([
        [0, 1, 3], [0, 3, 2], [4, 6, 7], [4, 7, 5], [0, 4, 5], [0, 5, 1],
        [2, 3, 7], [2, 7, 6], [0, 2, 6], [0, 6, 4], [1, 5, 7], [1, 7, 3],
    ])  # fmt: skip
    return oriented_outward(vertices, faces)


def joined(*pieces):
    """One (vertices, faces) from several."""
    vertices, faces, offset = [], [], 0
    for v, f in pieces:
        vertices.append(np.asarray(v, dtype=np.float64))
        faces.append(np.asarray(f, dtype=np.int64) + offset)
        offset += len(v)
    return np.vstack(vertices), np.vstack(faces)


def oriented_outward(vertices: np.ndarray, faces: np.ndarray):
    """Flip the winding of a closed solid if its signed volume is negative."""
    vertices = np.asarray(vertices, dtype=np.float64)
    faces = np.asarray(faces, dtype=np.int64)
    corners = vertices[faces] - vertices.mean(axis=0)
    volume = np.einsum("ij,ij->i", corners[:, 0], np.cross(corners[:, 1], corners[:, 2])).sum()
    return vertices, (faces[:, ::-1].copy() if volume < 0 else faces)


def _unit(vectors: np.ndarray) -> np.ndarray:
    length = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(length, 1e-12)
