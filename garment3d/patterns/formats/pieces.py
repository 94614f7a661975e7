"""Production pieces: a pattern's panels with seam allowance, notches, grain and darts marked.

A :class:`CutPiece` is what every export writes (SVG, PDF, DXF) and what the
fabric-consumption estimate packs. Geometry stays in pattern space (cm, y up).

- sew line: the panel outline as evaluated (darts are V-shaped cut-ins).
- cut line: the sew line offset outward by each edge's seam allowance; a dart is
  bridged across its mouth (fabric is folded, not cut, at a dart), its legs
  become internal lines, its mouth gets notches and its tip a drill hole.
- balance notches: the middle (by arc length) of every edge sewn to another
  panel, so the two notches meet when the seam is sewn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import shapely

from garment3d.errors import InvalidPatternError
from garment3d.patterns.formats.allowance import Run, offset_runs
from garment3d.patterns.formats.limits import (
    DEFAULT_SEAM_ALLOWANCE_CM,
    DRILL_INSET_CM,
    MAX_SEAM_ALLOWANCE_CM,
    NOTCH_DEPTH_CM,
)
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
    internal_lines : open polylines (j, 2) cm (dart legs).
    drill_holes    : (h, 2) float64 cm.
    label_at       : (2,) float64 cm, where the piece's label goes.
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

    @property
    def area_cm2(self) -> float:
        """Area inside the cut line (one copy)."""
        return float(shapely.Polygon(self.cut_line).area)


@dataclass(frozen=True)
class _Dart:
    first: str  # leg that ends at the tip (outline order)
    second: str  # leg that starts at the tip


# --------------------------------------------------------------------------- allowances


def resolve_allowances(pattern: Pattern, seam_allowance: SeamAllowance) -> dict[tuple[str, str], float]:
    """(panel, edge) -> allowance cm.

    ``seam_allowance`` is one width for every edge, or a mapping whose keys are
    ``"edge"`` (that edge name on every panel), ``"panel.edge"`` (one edge) or
    ``"*"`` (the default); unnamed edges get :data:`DEFAULT_SEAM_ALLOWANCE_CM`.
    """
    if not isinstance(seam_allowance, Mapping):
        seam_allowance = {"*": seam_allowance}
    known = {(p.name, e.name) for p in pattern.panels for e in p.edges}
    edge_names = {e for _, e in known}
    for key, value in seam_allowance.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise InvalidPatternError(f"{pattern.name}: seam allowance '{key}' must be a number of centimetres")
        if not 0.0 <= value <= MAX_SEAM_ALLOWANCE_CM:
            raise InvalidPatternError(
                f"{pattern.name}: seam allowance '{key}' = {value:g} cm is outside 0-{MAX_SEAM_ALLOWANCE_CM:g} cm"
            )
        if key == "*":
            continue
        if "." in key:
            if tuple(key.split(".", 1)) not in known:
                raise InvalidPatternError(f"{pattern.name}: seam allowance names unknown edge '{key}'")
        elif key not in edge_names:
            raise InvalidPatternError(
                f"{pattern.name}: seam allowance names unknown edge '{key}' (edges: {', '.join(sorted(edge_names))})"
            )
    default = float(seam_allowance.get("*", DEFAULT_SEAM_ALLOWANCE_CM))
    result = {}
    for panel, edge in known:
        value = seam_allowance.get(f"{panel}.{edge}", seam_allowance.get(edge, default))
        result[(panel, edge)] = float(value)
    return result


# --------------------------------------------------------------------------- darts


def _darts(pattern: Pattern, panel: Panel) -> list[_Dart]:
    """Seams joining two edges of ``panel`` that meet at a tip pointing into the piece."""
    result = []
    polygon = shapely.Polygon(panel.outline)
    for seam in pattern.seams:
        if seam.a.panel != panel.name or seam.b.panel != panel.name:
            continue
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
    along = np.concatenate([[0.0], np.cumsum(steps)])
    target = fraction * along[-1]
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


def cut_piece(
    pattern: Pattern, panel: Panel, allowance: Mapping[tuple[str, str], float]
) -> CutPiece:
    """The cut piece of one panel; ``allowance`` as returned by :func:`resolve_allowances`."""
    darts = _darts(pattern, panel)
    cut = offset_runs(_runs(panel, darts, allowance))
    cut_polygon = shapely.Polygon(cut)
    reach = 3.0 * max(allowance[(panel.name, e.name)] for e in panel.edges) + 1.0
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
            notch = _notch(cut_polygon, mouth, outward, width, reach)
            if notch is not None:
                notches.append(notch)
    for seam in pattern.seams:
        for ref, other in ((seam.a, seam.b), (seam.b, seam.a)):
            if ref.panel != panel.name or other.panel == panel.name:
                continue
            at, tangent = _point_at_length(panel.edge_points(ref.edge), 0.5)
            outward = np.array([tangent[1], -tangent[0]])
            notch = _notch(cut_polygon, at, outward, allowance[(panel.name, ref.edge)], reach)
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
        internal_lines=tuple(internal),
        drill_holes=np.asarray(drills, dtype=np.float64).reshape(-1, 2),
        label_at=label_at,
    )


def cut_pieces(pattern: Pattern, seam_allowance: SeamAllowance = DEFAULT_SEAM_ALLOWANCE_CM) -> tuple[CutPiece, ...]:
    """Every panel of ``pattern`` as a :class:`CutPiece` (allowances in cm, see :func:`resolve_allowances`)."""
    allowance = resolve_allowances(pattern, seam_allowance)
    return tuple(cut_piece(pattern, panel, allowance) for panel in pattern.panels)
