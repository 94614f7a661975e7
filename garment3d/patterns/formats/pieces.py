"""Production pieces: a pattern's panels with seam allowance, notches, grain and darts marked.

A :class:`CutPiece` is what every export writes (SVG, PDF, DXF) and what the
fabric-consumption estimate packs. Geometry stays in pattern space (cm, y up).

- sew line: the panel outline as evaluated (darts are V-shaped cut-ins).
- cut line: the sew line offset outward by each edge's seam allowance; a dart is
  bridged across its mouth (fabric is folded, not cut, at a dart), its legs
  become internal lines, its mouth gets notches and its tip a drill hole.
- balance notches: the middle (by arc length) of every edge sewn to another
  panel, so the two notches meet when the seam is sewn; then the notches the
  panel declares (edge, distance from its start).
- internal lines: dart legs, then the lines the panel declares.
- fasteners: each side of a fastener on the piece is a mark (a drill hole, and a
  button's buttonhole on its outer side; see ``fastener_marks``).
- cut on fold: the piece stays half, with no allowance along the fold edge and
  the fold line (across the cut piece) kept in ``fold_line``; exports mark it
  "CUT ON FOLD". Areas and markers use :attr:`CutPiece.unfolded_cut_line`.
- allowances: see :func:`resolve_allowances` (the panel's own, overridable).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import shapely

from garment3d.errors import InvalidPatternError
from garment3d.patterns.formats.allowance import Run, offset_runs
from garment3d.patterns.formats.fastener_marks import FastenerMark, fastener_marks
from garment3d.patterns.formats.gather_marks import GatherMark, gather_marks
from garment3d.patterns.formats.limits import (
    DEFAULT_SEAM_ALLOWANCE_CM,
    DRILL_INSET_CM,
    MAX_SEAM_ALLOWANCE_CM,
    NOTCH_DEPTH_CM,
)
from garment3d.patterns.fold import MIRROR_SUFFIX, SNAP_GRID_CM, fold_neighbours, fold_segment, unfold_outline
from garment3d.types import Panel, Pattern

__all__ = ["CutPiece", "SeamAllowance", "cut_pieces", "cut_piece", "resolve_allowances"]

SeamAllowance = float | Mapping[str, float]


@dataclass(frozen=True)
class CutPiece:
    """One pattern piece ready for cutting.

    sew_line       : (k, 2) float64 cm, counter-clockwise, the panel outline.
    cut_line       : (m, 2) float64 cm, counter-clockwise, sew line plus allowance.
    grain_line     : (2, 2) float64 cm, tail and head of the grain arrow.
    notches        : (n, 2, 2) float64 cm, each [point on the cut line, inner end].
    internal_lines : open polylines (j, 2) cm (dart legs, fish darts' diamonds (closed: the last
                     point repeats the first), then the panel's own lines).
    drill_holes    : (h, 2) float64 cm.
    label_at       : (2,) float64 cm, where the piece's label goes.
    fold_line      : (2, 2) float64 cm or None: the piece is cut on fold along this
                     line (on the cut line, no allowance there); the lines above are
                     then half the piece, mirrored across it when the fabric is unfolded.
    fastener_marks : each fastener side on the piece (drill hole, buttonhole), apart
                     from ``drill_holes`` (the darts').
    gather_marks   : each edge of the piece drawn up onto a shorter one (a gathered seam).
    interfacing    : the interfacing fused to the piece (``Panel.interfacing``; "" none): cut
                     ``quantity`` times from it too, on the same cut line.
    """

    name: str
    pattern: str
    size: str
    quantity: int
    sew_line: np.ndarray
    cut_line: np.ndarray
    grain_line: np.ndarray
    notches: np.ndarray
    internal_lines: tuple[np.ndarray, ...]
    drill_holes: np.ndarray
    label_at: np.ndarray
    fold_line: np.ndarray | None = None
    fastener_marks: tuple[FastenerMark, ...] = ()
    gather_marks: tuple[GatherMark, ...] = ()
    interfacing: str = ""

    @property
    def unfolded_cut_line(self) -> np.ndarray:
        """(m, 2) float64 cm, counter-clockwise: the whole piece's cut line (the cut line when not on fold)."""
        if self.fold_line is None:
            return self.cut_line
        return unfold_outline(self.cut_line, self.fold_line)

    @property
    def area_cm2(self) -> float:
        """Fabric area of one copy: inside the cut line, both halves of a piece cut on fold."""
        return float(shapely.Polygon(self.unfolded_cut_line).area)


@dataclass(frozen=True)
class _Dart:
    first: str  # leg that ends at the tip (outline order)
    second: str  # leg that starts at the tip


# --------------------------------------------------------------------------- allowances


def _check_allowance(pattern: Pattern, key: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidPatternError(f"{pattern.name}: seam allowance '{key}' must be a number of centimetres")
    if not 0.0 <= value <= MAX_SEAM_ALLOWANCE_CM:
        raise InvalidPatternError(
            f"{pattern.name}: seam allowance '{key}' = {value:g} cm is outside 0-{MAX_SEAM_ALLOWANCE_CM:g} cm"
        )


def _check_caller_keys(pattern: Pattern, seam_allowance: Mapping[str, float]) -> None:
    known = {(p.name, e.name) for p in pattern.panels for e in p.edges}
    edge_names = {e for _, e in known}
    for key, value in seam_allowance.items():
        _check_allowance(pattern, key, value)
        if key == "*":
            continue
        if "." in key:
            if tuple(key.split(".", 1)) not in known:
                raise InvalidPatternError(f"{pattern.name}: seam allowance names unknown edge '{key}'")
        elif key not in edge_names:
            raise InvalidPatternError(
                f"{pattern.name}: seam allowance names unknown edge '{key}' (edges: {', '.join(sorted(edge_names))})"
            )


def resolve_allowances(
    pattern: Pattern, seam_allowance: SeamAllowance | None = None
) -> dict[tuple[str, str], float]:
    """(panel, edge) -> allowance cm.

    ``seam_allowance`` is the caller's choice: None (use what each panel
    declares), one width for every edge, or a mapping whose keys are ``"edge"``
    (that edge name on every panel), ``"panel.edge"`` (one edge) or ``"*"`` (the
    default). A mapping overrides the panel's own allowances key by key, so an
    edge gets the first of: the caller's ``"panel.edge"``, the caller's
    ``"edge"``, the panel's ``edge``, the caller's ``"*"``, the panel's ``"*"``,
    :data:`DEFAULT_SEAM_ALLOWANCE_CM`. A fold edge always gets 0 (it is not cut).
    """
    if seam_allowance is None:
        seam_allowance = {}
    elif not isinstance(seam_allowance, Mapping):
        _check_allowance(pattern, "*", seam_allowance)
        seam_allowance = {f"{p.name}.{e.name}": seam_allowance for p in pattern.panels for e in p.edges}
    _check_caller_keys(pattern, seam_allowance)
    result = {}
    for panel in pattern.panels:
        own = dict(panel.allowance)
        for key, value in own.items():
            _check_allowance(pattern, f"{panel.name}.{key}", value)
        merged = {**own, **seam_allowance}
        default = float(merged.get("*", DEFAULT_SEAM_ALLOWANCE_CM))
        for edge in panel.edges:
            value = merged.get(f"{panel.name}.{edge.name}", merged.get(edge.name, default))
            result[(panel.name, edge.name)] = 0.0 if edge.name == panel.fold else float(value)
    return result


# --------------------------------------------------------------------------- darts


def _darts(pattern: Pattern, panel: Panel) -> list[_Dart]:
    """Seams joining two edges of ``panel`` that meet at a tip pointing into the piece."""
    result = []
    polygon = shapely.Polygon(panel.outline)
    for seam in pattern.seams:
        if seam.a.panel != panel.name or seam.b.panel != panel.name:
            continue
        if seam.a.edge.endswith(MIRROR_SUFFIX) or seam.b.edge.endswith(MIRROR_SUFFIX):
            continue  # a dart on the mirrored half is cut through both layers with its original
        a, b = panel.edge(seam.a.edge), panel.edge(seam.b.edge)
        if a.end == b.start:
            first, second = a, b
        elif b.end == a.start:
            first, second = b, a
        else:
            continue
        legs = np.vstack([panel.edge_points(first.name), panel.edge_points(second.name)[1:]])
        wedge = shapely.Polygon(legs)
        if wedge.is_valid and wedge.area > 0 and shapely.intersection(wedge, polygon).area < 0.01 * wedge.area:
            result.append(_Dart(first.name, second.name))
    return result


def _runs(panel: Panel, darts: list[_Dart], allowance: Mapping[tuple[str, str], float]) -> list[Run]:
    """The outline as runs per edge, each dart's two legs replaced by its mouth chord."""
    legs = {d.first: d for d in darts} | {d.second: d for d in darts}
    ordered = sorted(panel.edges, key=lambda e: e.start)
    runs: list[Run] = []
    for index, edge in enumerate(ordered):
        dart = legs.get(edge.name)
        if dart is None:
            runs.append((panel.edge_points(edge.name), allowance[(panel.name, edge.name)]))
        elif edge.name == dart.first:
            mouth_a = panel.edge_points(dart.first)[0]
            mouth_b = panel.edge_points(dart.second)[-1]
            before = ordered[index - 1].name
            after = ordered[(index + 2) % len(ordered)].name
            width = max(allowance[(panel.name, before)], allowance[(panel.name, after)])
            runs.append((np.vstack([mouth_a, mouth_b]), width))
    return runs


# --------------------------------------------------------------------------- marks


def _point_at_length(points: np.ndarray, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Point and unit tangent at ``fraction`` of the arc length of a polyline."""
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    return _point_at_distance(points, fraction * float(steps.sum()))


def _point_at_distance(points: np.ndarray, target: float) -> tuple[np.ndarray, np.ndarray]:
    """Point and unit tangent ``target`` cm along a polyline from its start."""
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    i = int(np.clip(np.searchsorted(along, target, side="right") - 1, 0, len(steps) - 1))
    t = (target - along[i]) / max(steps[i], 1e-12)
    tangent = (points[i + 1] - points[i]) / max(steps[i], 1e-12)
    return points[i] + t * (points[i + 1] - points[i]), tangent


def _notch(
    cut: shapely.Polygon, at: np.ndarray, outward: np.ndarray, allowance: float, reach: float
) -> np.ndarray | None:
    """[point on the cut line, inner end] of a slit notch straight out from sew point ``at``.

    The notch is cut ``NOTCH_DEPTH_CM`` deep (at most ``allowance`` when there is one);
    ``reach`` bounds how far out the cut line is searched.
    """
    outward = outward / max(np.linalg.norm(outward), 1e-12)
    ray = shapely.LineString([at - outward * 1e-6, at + outward * reach])
    hits = shapely.intersection(ray, cut.exterior)
    points = shapely.get_coordinates(hits)
    if len(points) == 0:
        return None
    edge_point = points[np.argmin(np.linalg.norm(points - at, axis=1))]
    depth = NOTCH_DEPTH_CM if allowance <= 0 else min(NOTCH_DEPTH_CM, allowance)
    return np.vstack([edge_point, edge_point - outward * depth])


def _grain_line(panel: Panel) -> tuple[np.ndarray, np.ndarray]:
    """(grain segment (2, 2), label anchor (2,)) inside the sew outline."""
    polygon = shapely.Polygon(panel.outline)
    centre = np.asarray(polygon.centroid.coords[0])
    if not polygon.contains(shapely.Point(centre)):
        centre = np.asarray(polygon.point_on_surface().coords[0])
    grain = panel.grain / np.linalg.norm(panel.grain)
    extent = float(np.ptp(panel.outline @ grain))
    half = 0.35 * extent
    chord = shapely.intersection(shapely.LineString([centre - grain * half, centre + grain * half]), polygon)
    parts = [chord] if isinstance(chord, shapely.LineString) else list(getattr(chord, "geoms", []))
    parts = [p for p in parts if isinstance(p, shapely.LineString) and not p.is_empty]
    if parts:
        best = min(parts, key=lambda p: p.distance(shapely.Point(centre)) - 1e-3 * p.length)
        coords = np.asarray(best.coords)
        tail, head = coords[0], coords[-1]
        if np.dot(head - tail, grain) < 0:
            tail, head = head, tail
    else:
        tail, head = centre - grain * half, centre + grain * half
    across = np.array([grain[1], -grain[0]])
    label = centre + across * min(4.0, 0.15 * float(np.ptp(panel.outline @ across)))
    return np.vstack([tail, head]), label


# --------------------------------------------------------------------------- pieces


def _dart_marks(
    panel: Panel, darts: list[_Dart], allowance: Mapping[tuple[str, str], float], cut: shapely.Polygon, reach: float
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """(notches at the dart mouths, dart legs as internal lines, drill holes near the tips)."""
    notches, internal, drills = [], [], []
    for dart in darts:
        first, second = panel.edge_points(dart.first), panel.edge_points(dart.second)
        internal.append(np.vstack([first, second[1:]]))
        tip = first[-1]
        mouth_mid = (first[0] + second[-1]) / 2
        toward = mouth_mid - tip
        if np.linalg.norm(toward) > 2 * DRILL_INSET_CM:
            drills.append(tip + toward / np.linalg.norm(toward) * DRILL_INSET_CM)
        chord = second[-1] - first[0]
        outward = np.array([chord[1], -chord[0]])
        width = allowance[(panel.name, dart.first)]
        for mouth in (first[0], second[-1]):
            notch = _notch(cut, mouth, outward, width, reach)
            if notch is not None:
                notches.append(notch)
    return notches, internal, drills


def _internal_dart_marks(panel: Panel) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(each fish dart's diamond as a closed internal line, drill holes DRILL_INSET_CM inside its apexes);
    a folded panel's drawn half carries its own darts (their mirror images are cut through the fold)."""
    internal, drills = [], []
    for dart in panel.internal_darts:
        corners = np.asarray(dart.corners, dtype=np.float64)
        internal.append(np.vstack([corners, corners[:1]]))
        middle = (corners[1] + corners[3]) / 2
        for apex in (corners[0], corners[2]):
            toward = middle - apex
            if np.linalg.norm(toward) > 2 * DRILL_INSET_CM:
                drills.append(apex + toward / np.linalg.norm(toward) * DRILL_INSET_CM)
    return internal, drills


def _edge_notch(
    panel: Panel, edge: str, distance: float | None, allowance: Mapping[tuple[str, str], float],
    cut: shapely.Polygon, reach: float,
) -> np.ndarray | None:
    """A notch ``distance`` cm along ``edge`` (None: at its middle)."""
    points = panel.edge_points(edge)
    if distance is None:
        at, tangent = _point_at_length(points, 0.5)
    else:
        at, tangent = _point_at_distance(points, distance)
    outward = np.array([tangent[1], -tangent[0]])
    return _notch(cut, at, outward, allowance[(panel.name, edge)], reach)


def _balance_notch_edges(pattern: Pattern, panel: Panel) -> list[str]:
    """Edges of ``panel`` sewn to another panel, each once.

    On a folded panel a seam to ``edge@mirror`` is marked on ``edge`` (the notch is
    cut through both layers), and an edge meeting the fold gets none: its middle
    is the fold line, which is marked already.
    """
    joined = set(fold_neighbours(panel)) if panel.fold is not None else set()
    result: list[str] = []
    for seam in pattern.seams:
        for ref, other in ((seam.a, seam.b), (seam.b, seam.a)):
            if ref.panel != panel.name or other.panel == panel.name:
                continue
            edge = ref.edge.removesuffix(MIRROR_SUFFIX)
            if edge not in joined and edge not in result:
                result.append(edge)
    return result


def _fold_line(panel: Panel, cut: shapely.Polygon) -> np.ndarray | None:
    """(2, 2) cm: the fold line across the cut piece (sew line plus the allowances at its ends)."""
    if panel.fold is None:
        return None
    a, b = fold_segment(panel)
    direction = (b - a) / np.linalg.norm(b - a)
    span = float(np.ptp(np.asarray(cut.exterior.coords), axis=0).max()) + 1.0
    chord = shapely.intersection(shapely.LineString([a - direction * span, b + direction * span]), cut)
    coords = shapely.get_coordinates(chord)
    if len(coords) < 2:
        return np.vstack([a, b])
    along = (coords - a) @ direction
    return np.vstack([coords[np.argmin(along)], coords[np.argmax(along)]])


def _clip_to_fold(panel: Panel, cut: np.ndarray) -> np.ndarray:
    """The cut line trimmed to the piece's side of its fold line (allowances of the edges
    meeting the fold at a slant would otherwise poke across it)."""
    if panel.fold is None:
        return cut
    a, b = fold_segment(panel)
    direction = (b - a) / np.linalg.norm(b - a)
    inward = np.array([-direction[1], direction[0]])
    span = 10.0 * (float(np.ptp(cut, axis=0).max()) + 1.0)
    middle = (a + b) / 2
    half_plane = shapely.Polygon(
        [middle - direction * span, middle + direction * span,
         middle + direction * span + inward * span, middle - direction * span + inward * span]
    )
    clipped = shapely.intersection(shapely.Polygon(cut), half_plane, grid_size=SNAP_GRID_CM)
    polygons = [g for g in getattr(clipped, "geoms", [clipped]) if isinstance(g, shapely.Polygon)]
    ring = shapely.Polygon(max(polygons, key=lambda g: g.area).exterior)
    if not shapely.is_ccw(ring.exterior):
        ring = ring.reverse()
    return np.asarray(ring.exterior.coords)[:-1]


def _check_marks(pattern: Pattern, panel: Panel) -> None:
    """Declared notches on edges of the panel and within them; internal lines (j, 2) and finite."""
    where = f"{pattern.name}, panel '{panel.name}'"
    names = {e.name for e in panel.edges}
    for edge, distance in panel.notches:
        if edge not in names or edge == panel.fold:
            raise InvalidPatternError(f"{where}: notch on '{edge}', which is not a cut edge of the panel")
        length = float(np.sum(np.linalg.norm(np.diff(panel.edge_points(edge), axis=0), axis=1)))
        number = isinstance(distance, (int, float)) and not isinstance(distance, bool)
        if not number or not 0.0 <= distance <= length + 1e-9:
            raise InvalidPatternError(f"{where}: notch at {distance!r} cm is outside edge '{edge}' (0-{length:.2f} cm)")
    for line in panel.internal_lines:
        line = np.asarray(line)
        if line.ndim != 2 or line.shape[1] != 2 or len(line) < 2 or not np.all(np.isfinite(line)):
            raise InvalidPatternError(f"{where}: an internal line is not a finite (j, 2) polyline")


def cut_piece(
    pattern: Pattern, panel: Panel, allowance: Mapping[tuple[str, str], float]
) -> CutPiece:
    """The cut piece of one panel; ``allowance`` as returned by :func:`resolve_allowances`."""
    if panel.fold is not None:
        fold_segment(panel)  # the fold must be one straight segment
    _check_marks(pattern, panel)
    darts = _darts(pattern, panel)
    cut = _clip_to_fold(panel, offset_runs(_runs(panel, darts, allowance)))
    cut_polygon = shapely.Polygon(cut)
    reach = 3.0 * max(allowance[(panel.name, e.name)] for e in panel.edges) + 1.0
    notches, internal, drills = _dart_marks(panel, darts, allowance, cut_polygon, reach)
    fish_lines, fish_drills = _internal_dart_marks(panel)
    internal, drills = internal + fish_lines, drills + fish_drills
    marks = [(edge, None) for edge in _balance_notch_edges(pattern, panel)] + list(panel.notches)
    for edge, distance in marks:
        notch = _edge_notch(panel, edge, distance, allowance, cut_polygon, reach)
        if notch is not None:
            notches.append(notch)
    grain_line, label_at = _grain_line(panel)
    return CutPiece(
        name=panel.name,
        pattern=pattern.name,
        size=pattern.size_label,
        quantity=panel.cut_count,
        sew_line=panel.outline,
        cut_line=cut,
        grain_line=grain_line,
        notches=np.asarray(notches, dtype=np.float64).reshape(-1, 2, 2),
        internal_lines=tuple(internal) + tuple(np.asarray(line, dtype=np.float64) for line in panel.internal_lines),
        drill_holes=np.asarray(drills, dtype=np.float64).reshape(-1, 2),
        label_at=label_at,
        fold_line=_fold_line(panel, cut_polygon),
        fastener_marks=fastener_marks(pattern, panel),
        gather_marks=gather_marks(pattern, panel),
        interfacing=panel.interfacing,
    )


def cut_pieces(pattern: Pattern, seam_allowance: SeamAllowance | None = None) -> tuple[CutPiece, ...]:
    """Every panel of ``pattern`` as a :class:`CutPiece` (allowances in cm, see :func:`resolve_allowances`).

    Panels cut on fold stay half pieces with their fold marked (``CutPiece.fold_line``).
    """
    allowance = resolve_allowances(pattern, seam_allowance)
    return tuple(cut_piece(pattern, panel, allowance) for panel in pattern.panels)
