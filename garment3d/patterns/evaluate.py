"""Evaluate a pattern definition at one size into flat panels (centimetres)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np
import shapely

from garment3d.errors import InvalidPatternError
from garment3d.patterns.definition import (MAX_GATHER_RATIO, FastenerDefinition, PanelDefinition, PatternDefinition,
                                           Segment)
from garment3d.patterns.fit_lines import evaluate_fit
from garment3d.patterns.fold import MIRROR_SUFFIX, unfold, unfold_pattern
from garment3d.patterns.formula import Point, evaluate_formula
from garment3d.polyline import points_along, polyline_length
from garment3d.sizes import derived_measurements
from garment3d.types import (Fabric, Fastener, InternalDart, Measurements, Panel, PanelEdge, Pattern, Placement,
                             Seam)

__all__ = ["evaluate", "resolve_parameters", "edge_length_cm", "SEAM_TOLERANCE_CM", "CURVE_STEP_CM"]

SEAM_TOLERANCE_CM = 0.1  # seams must match within 1 mm (plus declared ease)
CURVE_STEP_CM = 0.5  # curves are sampled at about this spacing
COLLINEAR_TOLERANCE = 1e-6  # an arc's three points with less turn than this (relative) are a line
INSIDE_TOLERANCE_CM = 1e-6  # internal lines may touch the outline within this
FASTENER_TOLERANCE_CM = 0.05  # a fastener point may lie this far outside its piece (on the edge)
MAX_FASTENER_SIZE_CM = 10.0
DART_CLEARANCE_CM = 1.0  # a fish dart keeps this far inside its piece's outline and from other fish darts
MIN_DART_WIDTH_CM = 0.2  # a fish dart's intake is at least this
MIN_DART_REACH_CM = 1.0  # and each apex at least this far from its widest point


def resolve_parameters(definition: PatternDefinition, overrides: Mapping[str, float]) -> dict[str, float]:
    """Defaults overlaid with ``overrides``; unknown names and out-of-range values are errors."""
    known = {p.name: p for p in definition.parameters}
    for name in overrides:
        if name not in known:
            raise InvalidPatternError(
                f"{definition.name}: unknown parameter '{name}' (known: {', '.join(known) or 'none'})"
            )
    values = {}
    for name, p in known.items():
        value = overrides.get(name, p.default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise InvalidPatternError(f"{definition.name}: parameter '{name}' must be a number")
        if not p.minimum <= value <= p.maximum:
            raise InvalidPatternError(
                f"{definition.name}: parameter '{name}' = {value:g} {p.unit} is outside "
                f"its range [{p.minimum:g}, {p.maximum:g}] {p.unit}"
            )
        values[name] = float(value)
    return values


def _measurement_names(measurements: Measurements) -> dict[str, float]:
    return {
        "height": measurements.height_cm,
        "bust": measurements.bust_cm,
        "waist": measurements.waist_cm,
        "hip": measurements.hip_cm,
        **derived_measurements(measurements),
    }


def _points(definition: PatternDefinition, names: Mapping[str, float]) -> dict[str, Point]:
    points: dict[str, Point] = {}
    for name, fx, fy in definition.points:
        where = f"{definition.name}, point '{name}'"
        points[name] = (
            evaluate_formula(fx, names, points, where + " x"),
            evaluate_formula(fy, names, points, where + " y"),
        )
    return points


def _arc(start: np.ndarray, through: np.ndarray, end: np.ndarray, segment: Segment, where: str) -> np.ndarray:
    """Samples of the circular arc from ``start`` through ``through`` to ``end`` (end excluded)."""
    names = f"'{segment.start}', '{segment.controls[0]}', '{segment.end}'"
    u, v = through - start, end - start
    cross = float(u[0] * v[1] - u[1] * v[0])
    scale = max(float(np.dot(u, u)), float(np.dot(v, v)), float(np.dot(end - through, end - through)))
    if scale == 0.0 or abs(cross) <= COLLINEAR_TOLERANCE * scale:
        kind = "coincident" if min(np.linalg.norm(u), np.linalg.norm(v), np.linalg.norm(end - through)) < 1e-9 \
            else "collinear"
        raise InvalidPatternError(
            f"{where}, edge '{segment.edge}': arc points {names} are {kind}; no circle passes through them"
        )
    # circumcentre relative to start: solves 2 c.u = |u|^2, 2 c.v = |v|^2
    centre = start + np.array([v[1] * u.dot(u) - u[1] * v.dot(v), u[0] * v.dot(v) - v[0] * u.dot(u)]) / (2 * cross)
    radius = float(np.linalg.norm(start - centre))
    angle = [math.atan2(*(p - centre)[::-1]) for p in (start, through, end)]
    to_end = (angle[2] - angle[0]) % math.tau
    to_through = (angle[1] - angle[0]) % math.tau
    sweep = to_end if to_through < to_end else to_end - math.tau  # counter-clockwise if that passes 'through'
    count = max(4, int(math.ceil(abs(sweep) * radius / CURVE_STEP_CM)))
    t = angle[0] + sweep * np.linspace(0.0, 1.0, count + 1)[:-1]
    samples = centre + radius * np.column_stack([np.cos(t), np.sin(t)])
    samples[0] = start
    return samples


def _sample_segment(segment: Segment, points: Mapping[str, Point], where: str) -> np.ndarray:
    """(k, 2) samples from the start point up to (excluding) the end point."""
    try:
        nodes = [points[segment.start], *(points[c] for c in segment.controls), points[segment.end]]
    except KeyError as exc:
        raise InvalidPatternError(f"{where}, edge '{segment.edge}': unknown point {exc}") from None
    control = np.asarray(nodes, dtype=np.float64)
    if segment.curve == "line":
        return control[:1]
    if segment.curve == "arc":
        return _arc(*control, segment, where)
    chord = float(np.sum(np.linalg.norm(np.diff(control, axis=0), axis=1)))
    count = max(4, int(math.ceil(chord / CURVE_STEP_CM)))
    t = np.linspace(0.0, 1.0, count + 1)[:-1, None]
    if segment.curve == "quadratic":
        p0, p1, p2 = control
        return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2
    p0, p1, p2, p3 = control
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def _outline(panel: PanelDefinition, points: Mapping[str, Point], where: str) -> tuple[np.ndarray, tuple]:
    """(outline (k, 2) cm, edges) of a panel, checked to be simple and counter-clockwise."""
    chunks, edge_starts = [], []
    offset = 0
    for i, segment in enumerate(panel.segments):
        samples = _sample_segment(segment, points, f"{where}, outline segment {i + 1}")
        chunks.append(samples)
        edge_starts.append((segment.edge, offset))
        offset += len(samples)
    outline = np.concatenate(chunks)
    _dedupe_check(outline, where)
    edges = _edges(edge_starts, len(outline), where)
    polygon = shapely.Polygon(outline)
    if not polygon.is_valid:
        reason = shapely.is_valid_reason(polygon)
        raise InvalidPatternError(f"{where}: outline is not a simple closed shape ({reason})")
    if not shapely.is_ccw(polygon.exterior):
        raise InvalidPatternError(f"{where}: outline runs clockwise; list its segments counter-clockwise")
    return outline, edges


def _notches(
    panel: PanelDefinition, shape: Panel, names: Mapping[str, float], points: Mapping[str, Point], where: str
) -> tuple[tuple[str, float], ...]:
    result = []
    for i, (edge, formula) in enumerate(panel.notches):
        at = f"{where}, notch {i + 1} on '{edge}'"
        distance = evaluate_formula(formula, names, points, at)
        length = edge_length_cm(shape, edge)
        if not 0.0 <= distance <= length:
            raise InvalidPatternError(
                f"{at}: {distance:g} cm is outside the edge (0 to {length:.2f} cm from its start)"
            )
        result.append((edge, distance))
    return tuple(result)


def _internal_lines(
    panel: PanelDefinition, outline: np.ndarray, points: Mapping[str, Point], where: str
) -> tuple[np.ndarray, ...]:
    inside = shapely.Polygon(outline).buffer(INSIDE_TOLERANCE_CM)
    result = []
    for i, (start, end) in enumerate(panel.lines):
        at = f"{where}, line {i + 1} from '{start}' to '{end}'"
        if start not in points or end not in points:
            missing = start if start not in points else end
            raise InvalidPatternError(f"{at}: unknown point '{missing}'")
        line = np.asarray([points[start], points[end]], dtype=np.float64)
        if np.linalg.norm(line[1] - line[0]) < 1e-6:
            raise InvalidPatternError(f"{at}: the line has no length (its two points coincide)")
        if not inside.covers(shapely.LineString(line)):
            raise InvalidPatternError(f"{at}: the line runs outside the piece")
        result.append(line)
    return tuple(result)


def _internal_darts(
    panel: PanelDefinition, outline: np.ndarray, names: Mapping[str, float], points: Mapping[str, Point], where: str
) -> tuple[InternalDart, ...]:
    """Each fish dart's diamond, checked to lie inside the piece (``DART_CLEARANCE_CM`` clear of its
    outline, and of the other fish darts)."""
    piece = shapely.Polygon(outline)
    result: list[InternalDart] = []
    for spec in panel.internal_darts:
        at = f"{where}, dart '{spec.name}'"
        x, y, width, above, below = (
            evaluate_formula(getattr(spec, key), names, points, f"{at}, {key}")
            for key in ("x", "y", "width", "above", "below")
        )
        if width < MIN_DART_WIDTH_CM:
            raise InvalidPatternError(f"{at}: width {width:g} cm is less than {MIN_DART_WIDTH_CM:g} cm")
        for key, reach in (("above", above), ("below", below)):
            if reach < MIN_DART_REACH_CM:
                raise InvalidPatternError(f"{at}: {key} = {reach:g} cm is less than {MIN_DART_REACH_CM:g} cm")
        corners = np.array([[x, y + above], [x - width / 2, y], [x, y - below], [x + width / 2, y]], np.float64)
        diamond = shapely.Polygon(corners)
        if not piece.buffer(-DART_CLEARANCE_CM).covers(diamond):
            span = f"the diamond from y {y - below:.1f} to {y + above:.1f} cm at x {x:.1f} cm"
            if not piece.covers(diamond):
                raise InvalidPatternError(f"{at}: {span} reaches outside the piece")
            clear = piece.exterior.distance(diamond)
            raise InvalidPatternError(f"{at}: {span} lies only {clear:.2f} cm inside the outline "
                                      f"(it must keep {DART_CLEARANCE_CM:g} cm clear)")
        for other in result:
            if shapely.Polygon(other.corners).distance(diamond) < DART_CLEARANCE_CM:
                raise InvalidPatternError(
                    f"{at}: the diamond crosses or comes within {DART_CLEARANCE_CM:g} cm of dart '{other.name}'")
        result.append(InternalDart(spec.name, corners))
    return tuple(result)


def _panel(
    panel: PanelDefinition, names: Mapping[str, float], points: Mapping[str, Point], pattern_name: str
) -> Panel:
    where = f"{pattern_name}, panel '{panel.name}'"
    outline, edges = _outline(panel, points, where)
    grain = np.asarray(panel.grain, dtype=np.float64)
    shape = Panel(
        name=panel.name,
        outline=outline,
        edges=edges,
        grain=grain / np.linalg.norm(grain),
        placement=Placement(
            region=panel.region,
            azimuth_deg=panel.azimuth_deg,
            side=panel.side,
            layer=panel.layer,
            drop_cm=evaluate_formula(panel.drop, names, points, f"{where}, placement drop"),
            frame=panel.frame,
            hang_from=panel.hang_from,
            align_edge=panel.align_edge,
        ),
        cut_count=panel.cut_count,
        fold=panel.fold,
        allowance=panel.allowance,
        interfacing=panel.interfacing,
        internal_lines=_internal_lines(panel, outline, points, where),
        internal_darts=_internal_darts(panel, outline, names, points, where),
    )
    shape = dataclasses.replace(shape, notches=_notches(panel, shape, names, points, where))
    try:
        unfold(shape)  # a folded half must unfold into a simple piece
    except InvalidPatternError as exc:
        raise InvalidPatternError(f"{pattern_name}, {exc}") from None
    return shape


def _dedupe_check(outline: np.ndarray, where: str) -> None:
    steps = np.linalg.norm(np.diff(np.vstack([outline, outline[:1]]), axis=0), axis=1)
    if np.any(steps < 1e-6):
        raise InvalidPatternError(f"{where}: outline has a zero-length segment (two equal points in a row)")


def _edges(edge_starts: list[tuple[str, int]], count: int, where: str) -> tuple[PanelEdge, ...]:
    """Group consecutive segments of the same edge name into PanelEdges."""
    groups: list[list] = []
    for name, start in edge_starts:
        if groups and groups[-1][0] == name:
            continue
        groups.append([name, start])
    if len(groups) > 1 and groups[0][0] == groups[-1][0]:
        raise InvalidPatternError(f"{where}: edge '{groups[0][0]}' is split around the outline start")
    names = [g[0] for g in groups]
    duplicate = {n for n in names if names.count(n) > 1}
    if duplicate:
        raise InvalidPatternError(f"{where}: edge name(s) {sorted(duplicate)} used for separate parts of the outline")
    edges = []
    for i, (name, start) in enumerate(groups):
        end = groups[(i + 1) % len(groups)][1] % count
        edges.append(PanelEdge(name=name, start=start, end=end))
    return tuple(edges)


def edge_length_cm(panel: Panel, edge: str) -> float:
    """Length of ``edge`` as drawn on ``panel``; on a panel cut on fold ``edge@mirror``
    (its mirror image, there once unfolded) is as long as ``edge``."""
    if panel.fold is not None and edge.endswith(MIRROR_SUFFIX) and edge not in {e.name for e in panel.edges}:
        edge = edge.removesuffix(MIRROR_SUFFIX)
    return polyline_length(panel.edge_points(edge))


def _check_seams(definition: PatternDefinition, pattern: Pattern) -> None:
    """Seam lengths on the whole pieces: a mirrored edge as long as its original, an edge
    meeting a fold as long as both its halves."""
    whole = unfold_pattern(pattern)
    for seam, sewn in zip(definition.seams, whole.seams):
        la = edge_length_cm(whole.panel(sewn.a.panel), sewn.a.edge)
        lb = edge_length_cm(whole.panel(sewn.b.panel), sewn.b.edge)
        if seam.kind == "gather":
            check_gather(f"{definition.name}: seam {seam.a} ({la:.1f} cm) and {seam.b} ({lb:.1f} cm)", la, lb)
            continue
        if abs(la - lb) > SEAM_TOLERANCE_CM + abs(seam.ease_cm):
            raise InvalidPatternError(
                f"{definition.name}: seam {seam.a} ({la:.1f} cm) and {seam.b} ({lb:.1f} cm) differ by "
                f"{abs(la - lb) * 10:.1f} mm (allowed {SEAM_TOLERANCE_CM * 10 + abs(seam.ease_cm) * 10:.1f} mm)"
            )


def check_gather(what: str, la: float, lb: float) -> None:
    """A gathered seam's edges: the longer at most ``MAX_GATHER_RATIO`` times the shorter, neither empty."""
    if min(la, lb) <= 1e-6 or max(la, lb) / min(la, lb) > MAX_GATHER_RATIO:
        ratio = "an empty edge" if min(la, lb) <= 1e-6 else f"{max(la, lb) / min(la, lb):.2f}x"
        raise InvalidPatternError(f"{what}: a gathered seam's longer edge may be at most {MAX_GATHER_RATIO:g}x "
                                  f"the shorter (this is {ratio})")


def _point_along(points: np.ndarray, distance: float) -> tuple[np.ndarray, np.ndarray]:
    """The point ``distance`` cm along polyline ``points`` and the unit normal into a counter-clockwise piece."""
    at, normal = points_along(points, np.array([distance]))
    return at[0], normal[0]


def _fastener_rows(spec: FastenerDefinition, panel: Panel, names: Mapping[str, float],
                   points: Mapping[str, Point], where: str) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """(a point, b point, unit vector from the a point to the row's edge or None) cm per fastener of one
    declaration."""
    if spec.points:
        return [
            (np.array([evaluate_formula(ax, names, points, f"{where}, point {i + 1}, a x"),
                       evaluate_formula(ay, names, points, f"{where}, point {i + 1}, a y")]),
             np.array([evaluate_formula(bx, names, points, f"{where}, point {i + 1}, b x"),
                       evaluate_formula(by, names, points, f"{where}, point {i + 1}, b y")]),
             None)
            for i, (ax, ay, bx, by) in enumerate(spec.points)
        ]
    length = edge_length_cm(panel, spec.along)
    local = {**names, "edge_length": length}
    start = evaluate_formula(spec.start, local, points, f"{where}, start")
    end = evaluate_formula(spec.end, local, points, f"{where}, end")
    inset = evaluate_formula(spec.inset, local, points, f"{where}, inset")
    offset = np.array([evaluate_formula(f, local, points, f"{where}, offset") for f in spec.offset])
    direction = None
    if spec.inset_direction:
        direction = np.array([evaluate_formula(f, local, points, f"{where}, inset_direction")
                              for f in spec.inset_direction])
        if np.linalg.norm(direction) < 1e-9:
            raise InvalidPatternError(f"{where}: inset_direction must not be (0, 0)")
        direction = direction / np.linalg.norm(direction)
    if not 0.0 <= start <= end <= length:
        raise InvalidPatternError(
            f"{where}: start {start:g} cm and end {end:g} cm must lie along edge '{spec.along}' "
            f"(0 <= start <= end <= {length:.2f} cm)"
        )
    along = panel.edge_points(spec.along)
    distances = [0.5 * (start + end)] if spec.count == 1 else np.linspace(start, end, spec.count)
    rows = []
    for d in distances:
        point, normal = _point_along(along, float(d))
        step = normal if direction is None else direction
        rows.append((point + inset * step, point + inset * step + offset, -normal))
    return rows


def _check_inside(panel: Panel, point: np.ndarray, where: str, which: str) -> None:
    whole = shapely.Polygon(unfold(panel).outline)
    outside = float(whole.exterior.distance(shapely.Point(point))) if not whole.covers(shapely.Point(point)) else 0.0
    if outside > FASTENER_TOLERANCE_CM:
        raise InvalidPatternError(
            f"{where}: {which} point ({point[0]:.2f}, {point[1]:.2f}) cm lies {outside:.2f} cm outside "
            f"panel '{panel.name}'"
        )


def _fasteners(definition: PatternDefinition, pattern: Pattern, names: Mapping[str, float],
               points: Mapping[str, Point]) -> tuple[Fastener, ...]:
    result = []
    for n, spec in enumerate(definition.fasteners):
        where = f"{definition.name}, fastener {n + 1} '{spec.name}'"
        size = evaluate_formula(spec.size, names, points, f"{where}, size")
        if not 0.0 < size <= MAX_FASTENER_SIZE_CM:
            raise InvalidPatternError(f"{where}: size {size:g} cm is outside (0, {MAX_FASTENER_SIZE_CM:g}] cm")
        panel_a, panel_b = pattern.panel(spec.a), pattern.panel(spec.b)
        for i, (pa, pb, opening) in enumerate(_fastener_rows(spec, panel_a, names, points, where)):
            at = f"{where}, fastener {i + 1}"
            _check_inside(panel_a, pa, at, f"'a' ({spec.a})")
            _check_inside(panel_b, pb, at, f"'b' ({spec.b})")
            result.append(Fastener(kind=spec.kind, a=spec.a, a_point=pa, b=spec.b, b_point=pb, size_cm=size,
                                   name=f"{spec.name}[{i}]", opening=opening))
    return tuple(result)


def evaluate(
    definition: PatternDefinition,
    measurements: Measurements,
    parameters: Mapping[str, float] | None = None,
    size_label: str = "custom",
    fabric: Fabric | None = None,
) -> Pattern:
    """Evaluate ``definition`` at ``measurements`` into a :class:`Pattern` (cm), cut from ``fabric`` if
    given: formulas see its :attr:`~garment3d.types.Fabric.stretch_percent` as ``fabric_stretch``
    (without a fabric, the stretch the definition says it is drafted for).

    Panels cut on fold stay folded (half pieces, as exports need them); seams may
    name ``edge@mirror`` edges that exist only once unfolded: stages that need
    whole pieces (meshing, fabric consumption) call
    :func:`garment3d.patterns.fold.unfold_pattern` first.
    """
    values = resolve_parameters(definition, parameters or {})
    stretch = definition.fabric_stretch if fabric is None else fabric.stretch_percent
    names = {**_measurement_names(measurements), "fabric_stretch": stretch, **values}
    points = _points(definition, names)
    panels = tuple(_panel(p, names, points, definition.name) for p in definition.panels)
    pattern = Pattern(
        name=definition.name,
        size_label=size_label,
        panels=panels,
        seams=tuple(Seam(a=s.a, b=s.b, reversed=s.reversed, kind=s.kind) for s in definition.seams),
        anchors=definition.anchors,
        parameters=tuple(values.items()),
        fit_style=definition.fit.style,
        fit_lines=evaluate_fit(definition.fit, panels, names, points, definition.name),
    )
    _check_seams(definition, pattern)
    return dataclasses.replace(pattern, fasteners=_fasteners(definition, pattern, names, points))

