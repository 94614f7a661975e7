"""Cut on fold: a panel drawn as half a piece, mirrored across one straight edge.

A folded panel's outline is half the piece; its ``fold`` edge is one straight
segment from A to B (outline order). :func:`unfold` mirrors the outline across
the line AB and returns the whole piece, counter-clockwise, without a fold:

- the fold edge disappears (it is the middle of the piece, not a cut edge);
- the two edges that meet the fold (the one ending at A and the one starting
  at B) each join their mirror image into ONE edge that keeps the original
  name and crosses the fold line (a hem that meets a centre-front fold becomes
  the whole hem);
- every other edge keeps its name on the drawn half and gets a mirrored copy
  named ``<edge>@mirror`` on the other half, running in outline order (so it
  starts at the mirror of the original's end);
- declared notches, internal lines and allowances are copied to the mirrored
  half (notches keep their distance from the mirrored point).

Seams may refer to ``panel.edge@mirror``; after unfolding those edges exist.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import shapely

from garment3d.errors import InvalidPatternError
from garment3d.types import EdgeRef, InternalDart, Panel, PanelEdge, Pattern, Seam

__all__ = [
    "MIRROR_SUFFIX",
    "FOLD_TOLERANCE_CM",
    "mirror_name",
    "mirror_points",
    "fold_segment",
    "fold_neighbours",
    "unfold",
    "unfold_pattern",
    "unfold_outline",
    "SNAP_GRID_CM",
]

MIRROR_SUFFIX = "@mirror"
FOLD_TOLERANCE_CM = 1e-6  # how far a half piece may stray across its fold line
SNAP_GRID_CM = 1e-7  # the two halves of a cut line are joined on this grid (no slivers at the fold)


def mirror_name(edge: str) -> str:
    return edge + MIRROR_SUFFIX


def mirror_points(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(..., 2) ``points`` reflected across the line through ``a`` and ``b``."""
    direction = (b - a) / np.linalg.norm(b - a)
    relative = np.asarray(points, dtype=np.float64) - a
    along = relative @ direction
    return a + 2.0 * along[..., None] * direction - relative


def fold_segment(panel: Panel) -> np.ndarray:
    """(2, 2) float64 cm: the fold edge's start A and end B; raises when it is not one straight segment."""
    where = f"panel '{panel.name}'"
    try:
        edge = panel.edge(panel.fold)
    except KeyError:
        raise InvalidPatternError(f"{where}: fold edge '{panel.fold}' is not an edge of the panel") from None
    k = len(panel.outline)
    if (edge.end - edge.start) % k != 1:
        raise InvalidPatternError(f"{where}: fold edge '{panel.fold}' must be exactly one straight line segment")
    return panel.outline[[edge.start, edge.end]]


def _ordered_edges(panel: Panel) -> list[PanelEdge]:
    """The edges other than the fold, in outline order from the one starting at the fold's end."""
    k = len(panel.outline)
    fold_end = panel.edge(panel.fold).end
    others = [e for e in panel.edges if e.name != panel.fold]
    return sorted(others, key=lambda e: (e.start - fold_end) % k)


def fold_neighbours(panel: Panel) -> tuple[str, str]:
    """(edge starting at the fold's end B, edge ending at the fold's start A): the edges that meet the fold."""
    ordered = _ordered_edges(panel)
    return ordered[0].name, ordered[-1].name


def _check_one_side(panel: Panel, a: np.ndarray, b: np.ndarray) -> None:
    direction = b - a
    relative = panel.outline - a
    side = (direction[0] * relative[:, 1] - direction[1] * relative[:, 0]) / np.linalg.norm(direction)
    if side.min() < -FOLD_TOLERANCE_CM:
        raise InvalidPatternError(
            f"panel '{panel.name}': the outline crosses its fold line '{panel.fold}' "
            f"(by {-side.min():.2f} cm); a folded panel must lie on one side of its fold"
        )


def _length(points: np.ndarray) -> float:
    return float(np.sum(np.linalg.norm(np.diff(points, axis=0), axis=1)))


def _runs(panel: Panel, a: np.ndarray, b: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(name, points incl. both ends) of every edge of the whole piece, in outline order."""
    ordered = _ordered_edges(panel)
    own = {e.name: panel.edge_points(e.name) for e in ordered}
    mirrored = {name: mirror_points(points, a, b)[::-1] for name, points in own.items()}
    first, last = ordered[0].name, ordered[-1].name
    if first == last:
        return [(first, np.vstack([own[first], mirrored[first][1:]]))]
    inner = [e.name for e in ordered[1:-1]]
    return [
        (first, np.vstack([mirrored[first], own[first][1:]])),
        *((name, own[name]) for name in inner),
        (last, np.vstack([own[last], mirrored[last][1:]])),
        *((mirror_name(name), mirrored[name]) for name in reversed(inner)),
    ]


def _notches(panel: Panel, lengths: dict[str, float]) -> tuple[tuple[str, float], ...]:
    """Declared notches and their mirror images, as (edge of the whole piece, cm from its start)."""
    first, last = fold_neighbours(panel)
    result: list[tuple[str, float]] = []
    for edge, at in panel.notches:
        length = lengths[edge]
        if edge == last:  # also when one edge runs from B round to A
            pairs = [(edge, at), (edge, 2.0 * length - at)]
        elif edge == first:
            pairs = [(edge, length - at), (edge, length + at)]
        else:
            pairs = [(edge, at), (mirror_name(edge), length - at)]
        result.extend(p for p in pairs if not any(p[0] == q[0] and abs(p[1] - q[1]) < 1e-9 for q in result))
    return tuple(result)


def _allowance(panel: Panel) -> tuple[tuple[str, float], ...]:
    joined = set(fold_neighbours(panel))
    result: list[tuple[str, float]] = []
    for edge, value in panel.allowance:
        if edge == panel.fold:
            continue
        result.append((edge, value))
        if edge != "*" and edge not in joined:
            result.append((mirror_name(edge), value))
    return tuple(result)


def _internal_lines(panel: Panel, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    result = []
    for line in panel.internal_lines:
        result.append(line)
        image = mirror_points(line, a, b)
        if not (np.allclose(image, line, atol=1e-9) or np.allclose(image[::-1], line, atol=1e-9)):
            result.append(image)
    return tuple(result)


def _internal_darts(panel: Panel, a: np.ndarray, b: np.ndarray) -> tuple[InternalDart, ...]:
    """The declared fish darts and their mirror images (named ``dart@mirror``, still counter-clockwise)."""
    result = list(panel.internal_darts)
    for dart in panel.internal_darts:
        image = mirror_points(dart.corners, a, b)[[0, 3, 2, 1]]
        result.append(InternalDart(dart.name + MIRROR_SUFFIX, image))
    return tuple(result)


def unfold(panel: Panel) -> Panel:
    """The whole piece of a panel cut on fold (a panel without a fold is returned as is)."""
    if panel.fold is None:
        return panel
    a, b = fold_segment(panel)
    _check_one_side(panel, a, b)
    runs = _runs(panel, a, b)
    outline = np.concatenate([points[:-1] for _, points in runs])
    starts = np.cumsum([0] + [len(points) - 1 for _, points in runs])
    edges = tuple(
        PanelEdge(name, int(starts[i]), int(starts[i + 1] % len(outline))) for i, (name, _) in enumerate(runs)
    )
    polygon = shapely.Polygon(outline)
    if not polygon.is_valid:
        raise InvalidPatternError(
            f"panel '{panel.name}': unfolded across '{panel.fold}' the piece is not a simple closed shape "
            f"({shapely.is_valid_reason(polygon)})"
        )
    lengths = {e.name: _length(panel.edge_points(e.name)) for e in panel.edges}
    return dataclasses.replace(
        panel,
        outline=outline,
        edges=edges,
        fold=None,
        allowance=_allowance(panel),
        notches=_notches(panel, lengths),
        internal_lines=_internal_lines(panel, a, b),
        internal_darts=_internal_darts(panel, a, b),
    )


def _unfolded_ref(ref: EdgeRef, folded: dict[str, Panel], where: str) -> EdgeRef:
    panel = folded.get(ref.panel)
    if panel is None:
        return ref
    if ref.edge == panel.fold:
        raise InvalidPatternError(f"{where}: {ref} is the fold line of '{ref.panel}', not an edge of the cut piece")
    base = ref.edge.removesuffix(MIRROR_SUFFIX)
    if ref.edge != base and base in fold_neighbours(panel):
        return EdgeRef(ref.panel, base)  # joined with its mirror: one edge now
    return ref


def unfold_pattern(pattern: Pattern) -> Pattern:
    """``pattern`` with every folded panel unfolded; seams and anchors name edges of the whole pieces."""
    folded = {p.name: p for p in pattern.panels if p.fold is not None}
    if not folded:
        return pattern
    where = pattern.name
    seams = tuple(
        dataclasses.replace(s, a=_unfolded_ref(s.a, folded, where), b=_unfolded_ref(s.b, folded, where))
        for s in pattern.seams
    )
    return dataclasses.replace(
        pattern,
        panels=tuple(unfold(p) for p in pattern.panels),
        seams=seams,
        anchors=tuple(_unfolded_ref(r, folded, where) for r in pattern.anchors),
    )


def unfold_outline(outline: np.ndarray, fold_line: np.ndarray) -> np.ndarray:
    """(m, 2) float64 cm, counter-clockwise: closed ``outline`` joined with its mirror image across ``fold_line``.

    For a cut line whose straight stretch along the fold has no allowance (a cut
    piece on fold); the result is the outline of the whole piece of fabric.
    """
    a, b = np.asarray(fold_line, dtype=np.float64)
    half = shapely.Polygon(outline)
    image = shapely.Polygon(mirror_points(outline, a, b))
    whole = shapely.union(shapely.make_valid(half), shapely.make_valid(image), grid_size=SNAP_GRID_CM)
    polygons = [g for g in getattr(whole, "geoms", [whole]) if isinstance(g, shapely.Polygon)]
    exterior = shapely.Polygon(max(polygons, key=lambda g: g.area).exterior)
    if not shapely.is_ccw(exterior.exterior):
        exterior = exterior.reverse()
    return np.asarray(exterior.exterior.coords)[:-1]
