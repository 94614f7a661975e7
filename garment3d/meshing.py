"""Meshing stage: flat panels -> triangle meshes placed around the body.

Each panel outline is resampled edge by edge at the target spacing (the two
edges of a seam get the same vertex count), filled with an equilateral lattice
of interior points and triangulated (Delaunay, trimmed to the outline). Panels
are then wrapped around the body's vertical axis at a radius that clears the
body, so the simulation starts intersection-free with the seams open; the
solver pulls them closed.

This is the one place where pattern centimetres become world metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import Delaunay

from garment3d.fields import sample_sdf
from garment3d.errors import MeshingError
from garment3d.types import Body, GarmentMesh, Panel, Pattern

__all__ = ["MeshOptions", "mesh_pattern", "triangulate_panel"]

CM = 0.01


@dataclass(frozen=True)
class MeshOptions:
    spacing_m: float = 0.01  # target triangle edge length
    clearance_m: float = 0.01  # gap kept between the placed cloth and the body
    arm_exclusion_radius_m: float = 0.33  # body vertices farther from the axis are arms/hands


@dataclass(frozen=True)
class _PanelMesh:
    points_cm: np.ndarray  # (n, 2)
    faces: np.ndarray  # (m, 3)
    edge_vertices: dict[str, np.ndarray]  # edge name -> vertex indices along the edge


# --------------------------------------------------------------------------- 2D meshing


def _resample(polyline: np.ndarray, count: int) -> np.ndarray:
    """``count + 1`` points evenly spaced by arc length along ``polyline`` (both ends kept)."""
    steps = np.linalg.norm(np.diff(polyline, axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(steps)])
    targets = np.linspace(0.0, arc[-1], count + 1)
    return np.column_stack([np.interp(targets, arc, polyline[:, 0]), np.interp(targets, arc, polyline[:, 1])])


def _edge_length(points: np.ndarray) -> float:
    return float(np.sum(np.linalg.norm(np.diff(points, axis=0), axis=1)))


def _lattice(polygon: shapely.Polygon, spacing: float) -> np.ndarray:
    """Equilateral-triangle lattice points inside ``polygon``, away from its boundary."""
    minx, miny, maxx, maxy = polygon.bounds
    row = spacing * math.sqrt(3.0) / 2.0
    ys = np.arange(miny + row / 2, maxy, row)
    xs = np.arange(minx, maxx + spacing, spacing)
    gx, gy = np.meshgrid(xs, ys)
    gx = gx + (np.arange(len(ys))[:, None] % 2) * spacing / 2
    candidates = np.column_stack([gx.ravel(), gy.ravel()])
    inner = polygon.buffer(-0.55 * spacing)
    if inner.is_empty:
        return np.empty((0, 2))
    return candidates[shapely.contains_xy(inner, candidates[:, 0], candidates[:, 1])]


def triangulate_panel(panel: Panel, edge_counts: dict[str, int], spacing_cm: float) -> _PanelMesh:
    """Triangulate ``panel`` with ``edge_counts[edge]`` segments along each edge."""
    boundary, edge_vertices = [], {}
    for edge in panel.edges:
        samples = _resample(panel.edge_points(edge.name), edge_counts[edge.name])
        start = len(boundary and np.concatenate(boundary))
        boundary.append(samples[:-1])
        edge_vertices[edge.name] = start + np.arange(len(samples))
    boundary_points = np.concatenate(boundary)
    nb = len(boundary_points)
    for name in edge_vertices:
        edge_vertices[name] = edge_vertices[name] % nb  # the last vertex is the next edge's first
    polygon = shapely.Polygon(boundary_points)
    interior = _lattice(polygon, spacing_cm)
    points = np.vstack([boundary_points, interior])
    faces = Delaunay(points).simplices
    centroids = points[faces].mean(axis=1)
    faces = faces[shapely.contains_xy(polygon, centroids[:, 0], centroids[:, 1])]
    faces = _orient_ccw(points, faces)
    _check_boundary_recovered(panel.name, faces, nb)
    return _PanelMesh(points_cm=points, faces=faces.astype(np.int32), edge_vertices=edge_vertices)


def _orient_ccw(points: np.ndarray, faces: np.ndarray) -> np.ndarray:
    a, b, c = (points[faces[:, i]] for i in range(3))
    cross = (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    faces = faces.copy()
    flip = cross < 0
    faces[flip] = faces[flip][:, [0, 2, 1]]
    return faces


def _check_boundary_recovered(name: str, faces: np.ndarray, nb: int) -> None:
    edges = np.sort(np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    present = {tuple(e) for e in edges[(edges[:, 1] < nb)].tolist()}
    ring = np.sort(np.column_stack([np.arange(nb), (np.arange(nb) + 1) % nb]), axis=1)
    missing = [tuple(e) for e in ring.tolist() if tuple(e) not in present]
    if missing:
        raise MeshingError(f"panel '{name}': triangulation lost {len(missing)} outline segment(s); the outline may be too narrow for the mesh spacing")


def _edge_counts(pattern: Pattern, spacing_cm: float) -> dict[tuple[str, str], int]:
    """Segments per edge; both edges of a seam get the same count."""
    counts = {}
    for panel in pattern.panels:
        for edge in panel.edges:
            length = _edge_length(panel.edge_points(edge.name))
            counts[(panel.name, edge.name)] = max(1, round(length / spacing_cm))
    for seam in pattern.seams:
        ka, kb = (seam.a.panel, seam.a.edge), (seam.b.panel, seam.b.edge)
        shared = max(counts[ka], counts[kb])
        counts[ka] = counts[kb] = shared
    return counts


# --------------------------------------------------------------------------- placement


@dataclass(frozen=True)
class _Wrap:
    """Closed contours around the body axis, one per depth below the placement top.

    depths : (D,) m; theta : (T,) rad, azimuth from +Z towards +X;
    radius : (D, T) m; arc : (D, T + 1) m, cumulative contour length from theta 0.
    """

    depths: np.ndarray
    theta: np.ndarray
    radius: np.ndarray
    arc: np.ndarray


def _body_contours(body: Body, depths: np.ndarray, theta: np.ndarray, top_y: float, options: MeshOptions) -> np.ndarray:
    """(D, T) radius clearing the torso/legs along each azimuth at each depth.

    Marches the body's signed-distance field outward along each azimuth and
    keeps the outermost point nearer than the clearance, ignoring anything
    farther out than the arm-exclusion radius (arms, hands). Radii never
    shrink with depth: cloth hangs outward from the widest point above.
    """
    radii = np.arange(0.0, options.arm_exclusion_radius_m, 0.004)
    d, a, r = np.meshgrid(depths, theta, radii, indexing="ij")
    ax, az = body.landmarks.axis_xz
    points = np.column_stack([(ax + r * np.sin(a)).ravel(), (top_y - d).ravel(), (az + r * np.cos(a)).ravel()])
    near = (sample_sdf(body.sdf, points) < options.clearance_m).reshape(d.shape)
    outermost = np.where(near, r, 0.0).max(axis=2) + options.clearance_m
    # widen narrow dips between neighbouring azimuths (between the legs, say)
    neighbours = np.stack([np.roll(outermost, k, axis=1) for k in (-2, -1, 0, 1, 2)])
    return np.maximum.accumulate(neighbours.max(axis=0), axis=0)


def _contour_arc(theta: np.ndarray, radius: np.ndarray) -> np.ndarray:
    closed_t = np.append(theta, theta[0] + 2 * math.pi)
    closed_r = np.column_stack([radius, radius[:, :1]])
    x, z = closed_r * np.sin(closed_t), closed_r * np.cos(closed_t)
    steps = np.hypot(np.diff(x, axis=1), np.diff(z, axis=1))
    return np.column_stack([np.zeros(len(radius)), np.cumsum(steps, axis=1)])


def _panel_extent(panels: list[Panel], depths_cm: np.ndarray) -> np.ndarray:
    """Summed horizontal extent (cm) of ``panels`` at each depth below their tops."""
    total = np.zeros(len(depths_cm))
    for panel in panels:
        polygon = shapely.Polygon(panel.outline)
        minx, _, maxx, top = polygon.bounds
        lines = shapely.linestrings([[[minx - 1, top - d], [maxx + 1, top - d]] for d in depths_cm])
        bounds = shapely.bounds(shapely.intersection(polygon, lines))
        total += np.nan_to_num(bounds[:, 2] - bounds[:, 0])
    return total


def _build_wrap(body: Body, panels: list[Panel], top_y: float, options: MeshOptions) -> _Wrap:
    """Contours that clear the body and are long enough to hold every panel side by side."""
    max_depth_cm = max(np.ptp(p.outline[:, 1]) for p in panels)
    depths_cm = np.linspace(0.0, max_depth_cm + 1.0, 160)
    theta = np.linspace(0.0, 2 * math.pi, 180, endpoint=False)
    radius = _body_contours(body, depths_cm * CM, theta, top_y, options)
    arc = _contour_arc(theta, radius)
    needed = _panel_extent(panels, depths_cm) * CM * 1.02
    radius = radius * np.maximum(1.0, needed / arc[:, -1])[:, None]
    return _Wrap(depths=depths_cm * CM, theta=theta, radius=radius, arc=_contour_arc(theta, radius))


def _wrap_row(wrap: _Wrap, row: int, centre_theta: float, u: np.ndarray) -> np.ndarray:
    """(k, 2) x/z offsets from the axis of points ``u`` metres along contour ``row`` from ``centre_theta``."""
    arc, length = wrap.arc[row], wrap.arc[row, -1]
    closed_t = np.append(wrap.theta, 2 * math.pi)
    closed_r = np.append(wrap.radius[row], wrap.radius[row, 0])
    s = (np.interp(centre_theta % (2 * math.pi), closed_t, arc) + u) % length
    theta = np.interp(s, arc, closed_t)
    r = np.interp(theta, closed_t, closed_r)
    return np.column_stack([r * np.sin(theta), r * np.cos(theta)])


def _place(panel: Panel, points_cm: np.ndarray, wrap: _Wrap, top_y: float, axis_xz: np.ndarray) -> np.ndarray:
    """Lay the panel along the contours: pattern x is arc length, pattern depth picks the contour."""
    minx, _, maxx, top = shapely.Polygon(panel.outline).bounds
    depth = (top - points_cm[:, 1]) * CM
    u = (points_cm[:, 0] - 0.5 * (minx + maxx)) * CM
    centre = math.radians(panel.placement.azimuth_deg)
    f = np.interp(depth, wrap.depths, np.arange(len(wrap.depths)))
    lower = np.minimum(np.floor(f).astype(int), len(wrap.depths) - 2)
    t = (f - lower)[:, None]
    xz = np.empty((len(points_cm), 2))
    for row in np.unique(lower):
        sel = lower == row
        a = _wrap_row(wrap, row, centre, u[sel])
        b = _wrap_row(wrap, row + 1, centre, u[sel])
        xz[sel] = a * (1 - t[sel]) + b * t[sel]
    return np.column_stack([axis_xz[0] + xz[:, 0], top_y - depth, axis_xz[1] + xz[:, 1]])


def _grain_rotation(grain: np.ndarray) -> np.ndarray:
    """2x2 rotation taking ``grain`` to +y."""
    angle = math.atan2(grain[0], grain[1])
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def mesh_pattern(pattern: Pattern, body: Body, options: MeshOptions = MeshOptions()) -> GarmentMesh:
    """Triangulate every panel of ``pattern`` and place it around ``body``."""
    spacing_cm = options.spacing_m / CM
    counts = _edge_counts(pattern, spacing_cm)
    unsupported = [p.name for p in pattern.panels if p.placement.region != "waist"]
    if unsupported:
        raise MeshingError(f"panels {unsupported}: only waist placement is supported so far")
    top_y = body.landmarks.waist_y
    wrap = _build_wrap(body, list(pattern.panels), top_y, options)

    uv, positions, faces, panel_of, edge_index = [], [], [], [], {}
    offset = 0
    for k, panel in enumerate(pattern.panels):
        mesh = triangulate_panel(panel, {e.name: counts[(panel.name, e.name)] for e in panel.edges}, spacing_cm)
        uv.append(mesh.points_cm @ _grain_rotation(panel.grain).T * CM)
        positions.append(_place(panel, mesh.points_cm, wrap, top_y, body.landmarks.axis_xz))
        faces.append(mesh.faces + offset)
        panel_of.append(np.full(len(mesh.points_cm), k, dtype=np.int32))
        for name, vertices in mesh.edge_vertices.items():
            edge_index[(panel.name, name)] = vertices + offset
        offset += len(mesh.points_cm)

    seam_pairs, seam_of = [], []
    for s, seam in enumerate(pattern.seams):
        a = edge_index[(seam.a.panel, seam.a.edge)]
        b = edge_index[(seam.b.panel, seam.b.edge)]
        seam_pairs.append(np.column_stack([a, b[::-1] if seam.reversed else b]))
        seam_of.append(np.full(len(a), s, dtype=np.int32))
    anchor_mask = np.zeros(offset, dtype=bool)
    for ref in pattern.anchors:
        anchor_mask[edge_index[(ref.panel, ref.edge)]] = True

    return GarmentMesh(
        panel_names=tuple(p.name for p in pattern.panels),
        rest_uv=np.vstack(uv),
        positions=np.vstack(positions),
        faces=np.vstack(faces).astype(np.int32),
        panel_of=np.concatenate(panel_of),
        seam_pairs=np.vstack(seam_pairs).astype(np.int32) if seam_pairs else np.empty((0, 2), np.int32),
        seam_of=np.concatenate(seam_of) if seam_of else np.empty(0, np.int32),
        anchor_mask=anchor_mask,
        spacing_m=options.spacing_m,
    )
