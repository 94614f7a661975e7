"""Meshing stage: flat panels -> triangle meshes placed around the body.

Each panel outline is resampled edge by edge at the target spacing (the two
edges of a seam get the same vertex count), filled with an equilateral lattice
of interior points and triangulated (Delaunay, trimmed to the outline). Each
fastener's point is made a vertex of its panel: inserted into the point set in
place of the lattice points around it (so the fastening acts exactly where the
pattern puts it and a button can be placed at a vertex of the drape), or the
nearest outline vertex when it lies within half a spacing of the outline. Panels
are then laid around the body by their placement (``garment3d.placement``),
clear of it, with the seams open; the solver pulls them closed.

This is the one place where pattern centimetres become world metres.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.spatial import Delaunay

from garment3d.errors import MeshingError
from garment3d.gathering import gathered_rest_edges
from garment3d.patterns.fold import unfold_pattern
from garment3d.placement import PlacementOptions, place_panels
from garment3d.types import Body, GarmentMesh, InternalDart, Panel, Pattern

__all__ = ["MeshOptions", "mesh_pattern", "triangulate_panel"]

CM = 0.01
DART_GRADING = 3.0  # a fish dart's side step near an apex, over the width across the dart there
DART_MIN_STEP = 0.2  # the smallest step, over the mesh spacing


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
    marked: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # vertex index of each point asked to be a vertex
    dart_sides: tuple[tuple[str, np.ndarray, np.ndarray], ...] = ()  # (fish dart, side a, side b vertices, apex to apex)


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


def _insert_marks(boundary: np.ndarray, interior: np.ndarray, polygon: shapely.Polygon, marks: np.ndarray,
                  spacing: float) -> tuple[np.ndarray, np.ndarray]:
    """(points, index per mark): ``marks`` (k, 2) cm added to the point set; a mark within half a spacing
    of the outline is its nearest outline vertex, the lattice points near an inserted mark give way."""
    index = np.zeros(len(marks), np.int64)
    inserted: list[np.ndarray] = []
    for k, mark in enumerate(marks):
        if polygon.exterior.distance(shapely.Point(mark)) < 0.5 * spacing:
            index[k] = int(np.argmin(np.linalg.norm(boundary - mark, axis=1)))
            continue
        same = [j for j, q in enumerate(inserted) if np.linalg.norm(q - mark) < 0.3 * spacing]
        if same:
            index[k] = -1 - same[0]
            continue
        inserted.append(mark)
        index[k] = -1 - (len(inserted) - 1)
    if inserted:
        extra = np.asarray(inserted)
        near = np.min(np.linalg.norm(interior[:, None, :] - extra[None, :, :], axis=2), axis=1) \
            if len(interior) else np.zeros(0)
        interior = np.vstack([interior[near >= 0.6 * spacing], extra])
    points = np.vstack([boundary, interior])
    first_extra = len(points) - len(inserted)
    index = np.where(index < 0, first_extra + (-1 - index), index)
    return points, index


def _dart_side_steps(length: float, apex_sine: float, spacing: float) -> np.ndarray:
    """Distances from an apex along a fish dart's side, 0 to ``length`` (the side corner): at most
    ``spacing`` apart and closer near the apex, where the dart is narrow (a step is at most
    ``DART_GRADING`` times the width across the dart there, at least ``DART_MIN_STEP`` spacings), so that
    the Delaunay triangulation keeps both sides' segments (the other side's points stay out of a
    segment's circles; cloth across the dart is refused by ``_check_dart_recovered``)."""
    steps = [0.0]
    t = max(DART_MIN_STEP, 0.25) * spacing
    while t < length:
        steps.append(t)
        t += min(spacing, max(DART_MIN_STEP * spacing, DART_GRADING * t * apex_sine))
    if len(steps) > 1 and length - steps[-1] < 0.5 * (steps[-1] - steps[-2]):
        steps.pop()  # too close to the corner: the corner takes its place
    return np.asarray(steps + [length])


def _dart_ring(dart: InternalDart, spacing: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ring points cm, side a indices, side b indices into the ring): the dart's outline sampled with the
    same steps on both sides, side a and side b each from apex 0 to apex 2. The ring runs clockwise
    (apex 0, side b's corner, apex 2, side a's corner) as a hole does."""
    c = dart.corners
    halves = []
    for apex, corner_a, corner_b in ((c[0], c[1], c[3]), (c[2], c[1], c[3])):
        ua, ub = corner_a - apex, corner_b - apex
        la, lb = float(np.linalg.norm(ua)), float(np.linalg.norm(ub))
        sine = abs(ua[0] * ub[1] - ua[1] * ub[0]) / (la * lb)
        t = _dart_side_steps(min(la, lb), sine, spacing) / min(la, lb)
        halves.append((apex[None] + t[:, None] * ua[None], apex[None] + t[:, None] * ub[None]))
    (top_a, top_b), (bottom_a, bottom_b) = halves
    side_a = np.vstack([top_a, bottom_a[::-1][1:]])  # apex 0 .. corner a .. apex 2
    side_b = np.vstack([top_b, bottom_b[::-1][1:]])
    n = len(side_a)
    ring = np.vstack([side_b[:-1], side_a[::-1][:-1]])  # apex 0, along b to apex 2, back along a
    index_b = np.arange(n)
    index_a = np.concatenate([[0], (len(ring) - np.arange(1, n - 1)), [n - 1]])
    return ring, index_a, index_b


def triangulate_panel(panel: Panel, edge_counts: dict[str, int], spacing_cm: float,
                      marks: np.ndarray | None = None) -> _PanelMesh:
    """Triangulate ``panel`` with ``edge_counts[edge]`` segments along each edge; ``marks`` (k, 2) cm are
    points that must be vertices (fasteners), their vertex indices returned in ``marked``. The panel's
    fish darts are holes, their sides' vertices returned in ``dart_sides``."""
    boundary, edge_vertices = [], {}
    for edge in panel.edges:
        samples = _resample(panel.edge_points(edge.name), edge_counts[edge.name])
        start = len(boundary and np.concatenate(boundary))
        boundary.append(samples[:-1])
        edge_vertices[edge.name] = start + np.arange(len(samples))
    outer = np.concatenate(boundary)
    nb = len(outer)
    for name in edge_vertices:
        edge_vertices[name] = edge_vertices[name] % nb  # the last vertex is the next edge's first
    rings, dart_sides, start = [], [], nb
    for dart in panel.internal_darts:
        ring, index_a, index_b = _dart_ring(dart, spacing_cm)
        rings.append(ring)
        dart_sides.append((dart.name, start + index_a, start + index_b))
        start += len(ring)
    boundary_points = np.vstack([outer, *rings])
    polygon = shapely.Polygon(outer, holes=[d.corners for d in panel.internal_darts])
    interior = _lattice(polygon, spacing_cm)
    marks = np.zeros((0, 2)) if marks is None else np.asarray(marks, np.float64).reshape(-1, 2)
    points, marked = _insert_marks(boundary_points, interior, polygon, marks, spacing_cm)
    faces = Delaunay(points).simplices
    centroids = points[faces].mean(axis=1)
    faces = faces[shapely.contains_xy(polygon, centroids[:, 0], centroids[:, 1])]
    faces = faces[_area2(points, faces) > 1e-6 * spacing_cm**2]  # flat triangles along straight hull edges
    faces = _orient_ccw(points, faces)
    _check_boundary_recovered(panel.name, faces, nb)
    for (name, _, _), ring, first in zip(dart_sides, rings, np.cumsum([nb] + [len(r) for r in rings])):
        _check_dart_recovered(panel.name, name, faces, points, polygon, first, len(ring))
    return _PanelMesh(points_cm=points, faces=faces.astype(np.int32), edge_vertices=edge_vertices, marked=marked,
                      dart_sides=tuple(dart_sides))


def _check_dart_recovered(panel: str, dart: str, faces: np.ndarray, points: np.ndarray, polygon: shapely.Polygon,
                          first: int, count: int) -> None:
    """Every segment of the dart's ring is a triangle edge and the triangles cover the cloth exactly (none
    spans the hole)."""
    edges = np.sort(np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
    present = {tuple(e) for e in edges.tolist()}
    ring = first + np.arange(count)
    segments = np.sort(np.column_stack([ring, np.roll(ring, -1)]), axis=1)
    missing = sum(tuple(e) not in present for e in segments.tolist())
    area = 0.5 * float(np.sum(_area2(points, faces)))
    if missing or abs(area - polygon.area) > 1e-6 * polygon.area:
        raise MeshingError(f"panel '{panel}': the triangulation does not follow fish dart '{dart}' "
                           f"({missing} side segment(s) lost); the dart may be too narrow for the mesh spacing")


def _area2(points: np.ndarray, faces: np.ndarray) -> np.ndarray:
    a, b, c = (points[faces[:, i]] for i in range(3))
    return np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))


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


def _grain_rotation(grain: np.ndarray) -> np.ndarray:
    """2x2 rotation taking ``grain`` to +y."""
    angle = math.atan2(grain[0], grain[1])
    c, s = math.cos(angle), math.sin(angle)
    return np.array([[c, -s], [s, c]])


def mesh_pattern(pattern: Pattern, body: Body, options: MeshOptions = MeshOptions()) -> GarmentMesh:
    """Triangulate every panel of ``pattern`` and place it around ``body``."""
    pattern = unfold_pattern(pattern)  # pieces cut on fold drape whole
    spacing_cm = options.spacing_m / CM
    counts = _edge_counts(pattern, spacing_cm)
    marks = _fastener_marks(pattern)
    meshes = [
        triangulate_panel(panel, {e.name: counts[(panel.name, e.name)] for e in panel.edges}, spacing_cm,
                          np.array([p for p, _ in marks[panel.name]]).reshape(-1, 2))
        for panel in pattern.panels
    ]
    placed = place_panels(
        body,
        list(pattern.panels),
        [m.points_cm for m in meshes],
        PlacementOptions(clearance_m=options.clearance_m, reach_m=options.arm_exclusion_radius_m),
    )

    uv, positions, faces, panel_of, edge_index = [], [], [], [], {}
    offset = 0
    for k, (panel, mesh) in enumerate(zip(pattern.panels, meshes)):
        uv.append(mesh.points_cm @ _grain_rotation(panel.grain).T * CM)
        positions.append(placed[k])
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
    dart_seams = _dart_seam_pairs(pattern, meshes, len(pattern.seams))
    for pairs, of in dart_seams:
        seam_pairs.append(pairs)
        seam_of.append(of)
    anchor_mask = np.zeros(offset, dtype=bool)
    for ref in pattern.anchors:
        anchor_mask[edge_index[(ref.panel, ref.edge)]] = True
    fastener_pairs = _fastener_pairs(pattern, marks, meshes)
    rest_uv, panel_index, all_faces = np.vstack(uv), np.concatenate(panel_of), np.vstack(faces).astype(np.int32)
    gathered = _gathered_edges(pattern, edge_index, rest_uv)

    return GarmentMesh(
        panel_names=tuple(p.name for p in pattern.panels),
        rest_uv=rest_uv,
        positions=np.vstack(positions),
        faces=all_faces,
        panel_of=panel_index,
        seam_pairs=np.vstack(seam_pairs).astype(np.int32) if seam_pairs else np.empty((0, 2), np.int32),
        seam_of=np.concatenate(seam_of) if seam_of else np.empty(0, np.int32),
        anchor_mask=anchor_mask,
        spacing_m=options.spacing_m,
        fastener_pairs=fastener_pairs,
        fastener_kinds=tuple(f.kind for f in pattern.fasteners),
        fastener_sizes_cm=tuple(float(f.size_cm) for f in pattern.fasteners),
        pattern_xy=np.vstack([m.points_cm for m in meshes]),
        fit_style=pattern.fit_style,
        fit_lines=pattern.fit_lines,
        seam_kinds=tuple(seam.kind for seam in pattern.seams) + ("dart",) * len(dart_seams),
        panel_interfacing=tuple(p.interfacing for p in pattern.panels),
        sewn_edges=gathered_rest_edges(rest_uv, all_faces, panel_index, gathered, options.spacing_m)
        if gathered else None,
    )


def _gathered_edges(pattern: Pattern, edge_index: dict[tuple[str, str], np.ndarray], rest_uv: np.ndarray
                    ) -> list[tuple[np.ndarray, float]]:
    """Per gathered seam, the longer edge's vertices (in order along it) and its length over the other's."""
    gathered = []
    for seam in (s for s in pattern.seams if s.kind == "gather"):
        a = edge_index[(seam.a.panel, seam.a.edge)]
        b = edge_index[(seam.b.panel, seam.b.edge)]
        la, lb = _edge_length(rest_uv[a]), _edge_length(rest_uv[b])
        longer, ratio = (a, la / lb) if la >= lb else (b, lb / la)
        if ratio > 1.0 + 1e-6:
            gathered.append((longer, ratio))
    return gathered


def _dart_seam_pairs(pattern: Pattern, meshes: list[_PanelMesh], first_seam: int
                     ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per fish dart (numbered from ``first_seam`` after the pattern's seams), its two sides sewn apex to
    apex: (pairs, seam index per pair). The apexes are one vertex each and are not paired."""
    result = []
    offset = 0
    for mesh in meshes:
        for _, side_a, side_b in mesh.dart_sides:
            pairs = np.column_stack([side_a[1:-1], side_b[1:-1]]) + offset
            result.append((pairs, np.full(len(pairs), first_seam + len(result), np.int32)))
        offset += len(mesh.points_cm)
    return result


def _fastener_marks(pattern: Pattern) -> dict[str, list[tuple[np.ndarray, tuple[int, int]]]]:
    """Per panel, its fastener points and (fastener, side 0 = a / 1 = b) for each."""
    marks: dict[str, list] = {p.name: [] for p in pattern.panels}
    for f, fastener in enumerate(pattern.fasteners):
        marks[fastener.a].append((np.asarray(fastener.a_point, np.float64), (f, 0)))
        marks[fastener.b].append((np.asarray(fastener.b_point, np.float64), (f, 1)))
    return marks


def _fastener_pairs(pattern: Pattern, marks: dict, meshes: list[_PanelMesh]) -> np.ndarray:
    """(f, 2) int32 global vertex of each fastener's a (outer) and b point."""
    pairs = np.zeros((len(pattern.fasteners), 2), np.int32)
    offset = 0
    for panel, mesh in zip(pattern.panels, meshes):
        for (_, (f, side)), vertex in zip(marks[panel.name], mesh.marked):
            pairs[f, side] = offset + vertex
        offset += len(mesh.points_cm)
    return pairs
