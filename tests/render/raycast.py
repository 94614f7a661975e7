"""Ray casting and GLB node grouping for the render tests (numpy only, independent of the code under test).

``first_hits`` intersects rays with a triangle soup (Möller and Trumbore's test,
vectorised over triangles) and returns, per ray, the distance to the nearest hit
and the index of the triangle hit.
"""

from __future__ import annotations

import re

import numpy as np

_TRIM_NODE = re.compile(r"^trim_([a-z_]+?)_(\d+)")
FIGURE_WORDS = ("body", "mannequin", "avatar")


def first_hits(origins: np.ndarray, directions: np.ndarray, triangles: np.ndarray):
    """Per ray (k, 3) the nearest hit distance (inf if none) and triangle index (-1 if none).

    triangles : (m, 3, 3) corner positions.
    """
    a, b, c = triangles[:, 0], triangles[:, 1], triangles[:, 2]
    e1, e2 = b - a, c - a
    distance = np.full(len(origins), np.inf)
    index = np.full(len(origins), -1)
    for ray, (origin, direction) in enumerate(zip(origins, directions)):
        p = np.cross(direction, e2)
        det = np.einsum("ij,ij->i", e1, p)
        ok = np.abs(det) > 1e-14
        inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
        s = origin - a
        u = np.einsum("ij,ij->i", s, p) * inv
        q = np.cross(s, e1)
        v = (q @ direction) * inv
        t = np.einsum("ij,ij->i", e2, q) * inv
        hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t > 1e-9)
        if hit.any():
            candidates = np.nonzero(hit)[0]
            best = candidates[np.argmin(t[candidates])]
            distance[ray], index[ray] = t[best], best
    return distance, index


def glb_groups(path):
    """Node geometry of a GLB in world coordinates, grouped: {'garment': mesh, 'figure': mesh,
    'trims': {name: mesh}} (figure: every node whose name says body, mannequin or avatar)."""
    import trimesh

    scene = trimesh.load(path, force="scene", process=False)
    garment, figure, trims = [], [], {}
    for node in scene.graph.nodes_geometry:
        transform, geometry_name = scene.graph[node]
        mesh = scene.geometry[geometry_name].copy()
        mesh.apply_transform(transform)
        match = _TRIM_NODE.match(node)
        if match:
            trims.setdefault(f"trim_{match.group(1)}_{match.group(2)}", []).append(mesh)
        elif any(word in node.lower() for word in FIGURE_WORDS):
            figure.append(mesh)
        else:
            garment.append(mesh)
    join = trimesh.util.concatenate
    return {
        "garment": join(garment) if garment else None,
        "figure": join(figure) if figure else None,
        "trims": {name: join(parts) for name, parts in trims.items()},
    }
