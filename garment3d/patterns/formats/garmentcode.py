"""GarmentCode pattern specifications (JSON, MIT) -> :class:`ImportedPattern`.

A specification lists panels (2D vertices, an edge loop, a 3D translation and
XYZ Euler rotation in degrees) and stitches (pairs of panel edges). Edge
curvature, with ``curvature_coords == "relative"``:

- ``quadratic`` / ``cubic``: control points in the edge's frame, x along the
  edge (fraction of the chord), y along the chord turned 90 degrees
  counter-clockwise (same fraction), i.e. ``start + x (end - start) + y perp``;
  older files give a bare ``[x, y]`` list for a quadratic;
- ``circle``: ``[radius, large_arc, right]``, an SVG-style elliptical arc with
  equal radii; ``right`` is the SVG sweep flag (1 = counter-clockwise in the
  y-up panel frame). A radius shorter than half the chord is scaled up, as SVG does.

Units: ``units_in_meter`` (100 = cm; older files 300). A panel's loop order
says which side faces out; a panel whose loop runs clockwise (a back panel seen
from the front) is mirrored in x, so every outline reads counter-clockwise from
the piece's right side like a Pattern; edges keep their direction and indices,
so stitches need no change (``ImportedPiece.mirrored_x`` records it). A stitch's third element
``"right_wrong"`` makes start meet start (``Seam.reversed = False``).

Stitched edges of unequal length are GarmentCode's ruffles: the longer edge is gathered onto the
shorter. A stitch whose edges differ by more than ``GATHER_RATIO`` (beyond what a seam eases in) is
read as a gathered seam (``Seam.kind == "gather"``, see ``garment3d.gathering``); one whose longer
edge is more than ``MAX_GATHER_RATIO`` times the other is refused.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from garment3d.errors import ImportFormatError
from garment3d.patterns.definition import MAX_GATHER_RATIO
from garment3d.patterns.evaluate import CURVE_STEP_CM
from garment3d.patterns.formats.imported import ImportedPattern, ImportedPiece, ccw_loop
from garment3d.patterns.formats.limits import (
    MAX_ABS_COORDINATE,
    read_source,
    MAX_GARMENTCODE_EDGES,
    MAX_GARMENTCODE_PANELS,
    MAX_POINTS,
)
from garment3d.types import EdgeRef, PanelEdge, Seam

__all__ = ["read_garmentcode", "parse_garmentcode"]

MAX_SAMPLES_PER_EDGE = 2_000
GATHER_RATIO = 1.15  # stitched edges further apart than this (longer over shorter) are gathered, not eased


def _fail(where: str, message: str) -> ImportFormatError:
    return ImportFormatError(f"{where}: {message}")


def _finite(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(where, f"{value!r} is not a finite number")
    if abs(value) > MAX_ABS_COORDINATE:
        raise _fail(where, f"{value!r} is out of range")
    return float(value)


def _pair(value: Any, where: str) -> np.ndarray:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise _fail(where, "expected a pair [x, y]")
    return np.array([_finite(v, where) for v in value])


def _samples(length: float) -> int:
    return int(min(MAX_SAMPLES_PER_EDGE, max(4, math.ceil(length / CURVE_STEP_CM))))


def _relative(start: np.ndarray, end: np.ndarray, control: np.ndarray) -> np.ndarray:
    chord = end - start
    perp = np.array([-chord[1], chord[0]])
    return start + control[0] * chord + control[1] * perp


def _bezier(nodes: np.ndarray, scale: float) -> np.ndarray:
    """Samples of a quadratic/cubic Bezier from its start up to (excluding) its end."""
    length = float(np.sum(np.linalg.norm(np.diff(nodes, axis=0), axis=1))) * scale
    t = np.linspace(0.0, 1.0, _samples(length) + 1)[:-1, None]
    if len(nodes) == 3:
        p0, p1, p2 = nodes
        return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t**2 * p2
    p0, p1, p2, p3 = nodes
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def _arc(start: np.ndarray, end: np.ndarray, radius: float, large: bool, sweep: bool, scale: float) -> np.ndarray:
    """Samples of an SVG-style circular arc (y up; sweep = counter-clockwise), end excluded."""
    chord = end - start
    half = float(np.linalg.norm(chord)) / 2
    if half == 0:
        return start[None, :]
    radius = max(abs(radius), half)
    middle = (start + end) / 2
    normal = np.array([-chord[1], chord[0]]) / (2 * half)  # chord turned counter-clockwise
    offset = math.sqrt(max(radius**2 - half**2, 0.0))
    sign = 1.0 if large != sweep else -1.0  # SVG: centre on the left of the chord unless flags agree
    centre = middle + sign * offset * normal
    a0 = math.atan2(*(start - centre)[::-1])
    a1 = math.atan2(*(end - centre)[::-1])
    delta = a1 - a0
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    count = _samples(abs(delta) * radius * scale)
    angles = a0 + delta * np.linspace(0.0, 1.0, count + 1)[:-1]
    return centre + radius * np.column_stack([np.cos(angles), np.sin(angles)])


def _edge_points(edge: dict, vertices: np.ndarray, relative: bool, scale: float, where: str) -> np.ndarray:
    ends = edge.get("endpoints")
    indices = isinstance(ends, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in ends)
    if not indices or len(ends) != 2:
        raise _fail(where, "'endpoints' must be two vertex indices")
    if not all(0 <= i < len(vertices) for i in ends):
        raise _fail(where, f"endpoint index out of range {ends} (panel has {len(vertices)} vertices)")
    start, end = vertices[ends[0]], vertices[ends[1]]
    curvature = edge.get("curvature")
    if curvature is None:
        return start[None, :]
    if isinstance(curvature, list):  # old files: a bare quadratic control point
        curvature = {"type": "quadratic", "params": [curvature]}
    if not isinstance(curvature, dict):
        raise _fail(where, "'curvature' must be an object")
    kind, params = curvature.get("type"), curvature.get("params")
    if kind in ("quadratic", "cubic"):
        need = 1 if kind == "quadratic" else 2
        if not isinstance(params, list) or len(params) != need:
            raise _fail(where, f"a {kind} curve needs {need} control point(s)")
        controls = [_pair(p, where) for p in params]
        if relative:
            controls = [_relative(start, end, c) for c in controls]
        return _bezier(np.vstack([start, *controls, end]), scale)
    if kind == "circle":
        if not isinstance(params, list) or len(params) != 3:
            raise _fail(where, "a circle edge needs [radius, large_arc, right]")
        radius = _finite(params[0], where)
        if radius <= 0:
            raise _fail(where, "circle radius must be positive")
        return _arc(start, end, radius, bool(params[1]), bool(params[2]), scale)
    raise _fail(where, f"unknown curvature type {kind!r} (known: quadratic, cubic, circle)")


def _panel(name: str, raw: Any, relative: bool, scale: float, budget: list[int], where: str):
    if not isinstance(raw, dict):
        raise _fail(where, "a panel must be an object")
    vertices_raw, edges_raw = raw.get("vertices"), raw.get("edges")
    if not isinstance(vertices_raw, list) or len(vertices_raw) < 3:
        raise _fail(where, "a panel needs at least 3 vertices")
    if not isinstance(edges_raw, list) or len(edges_raw) < 2 or len(edges_raw) > MAX_GARMENTCODE_EDGES:
        raise _fail(where, f"a panel needs 2 to {MAX_GARMENTCODE_EDGES} edges")
    vertices = np.vstack([_pair(v, f"{where}, vertex {i}") for i, v in enumerate(vertices_raw)])
    chunks, starts, labels = [], [], []
    for i, edge in enumerate(edges_raw):
        at = f"{where}, edge {i}"
        if not isinstance(edge, dict):
            raise _fail(at, "an edge must be an object")
        points = _edge_points(edge, vertices, relative, scale, at)
        if i and edge["endpoints"][0] != edges_raw[i - 1]["endpoints"][1]:
            raise _fail(at, "edges do not form a loop (this edge does not start where the previous one ends)")
        budget[0] -= len(points)
        if budget[0] < 0:
            raise _fail(where, f"more than {MAX_POINTS} points")
        starts.append(sum(len(c) for c in chunks))
        chunks.append(points)
        if isinstance(edge.get("label"), str) and edge["label"]:
            labels.append((f"e{i}", edge["label"]))
    if edges_raw[-1]["endpoints"][1] != edges_raw[0]["endpoints"][0]:
        raise _fail(where, "edges do not form a closed loop (the last edge does not end where the first starts)")
    outline = np.concatenate(chunks) * scale
    k = len(outline)
    mirrored = ccw_loop(outline)[1]
    if mirrored:  # the loop faces away: the right side is seen from behind, i.e. mirrored in x
        outline = outline * np.array([-1.0, 1.0])
    edges = tuple(PanelEdge(f"e{i}", starts[i], starts[(i + 1) % len(starts)] % k) for i in range(len(starts)))
    translation = raw.get("translation", [0.0, 0.0, 0.0])
    rotation = raw.get("rotation", [0.0, 0.0, 0.0])
    for value, label in ((translation, "translation"), (rotation, "rotation")):
        if not isinstance(value, list) or len(value) != 3:
            raise _fail(where, f"'{label}' must be [x, y, z]")
    piece = ImportedPiece(
        name=name,
        size="",
        quantity=1,
        cut_line=outline,
        sew_line=outline,
        grain_line=None,
        edges=edges,
        edge_labels=tuple(labels),
        translation_cm=np.array([_finite(v, f"{where}, translation") for v in translation]) * scale,
        rotation_deg=np.array([_finite(v, f"{where}, rotation") for v in rotation]),
        mirrored_x=mirrored,
        source=name,
    )
    return piece, mirrored, shapely.Polygon(outline).is_valid


def _seams(stitches: Any, pieces: dict[str, ImportedPiece], where: str) -> tuple[Seam, ...]:
    if not isinstance(stitches, list):
        raise _fail(where, "'stitches' must be a list")
    seams = []
    for i, stitch in enumerate(stitches):
        at = f"{where}, stitch {i}"
        if not isinstance(stitch, list) or len(stitch) not in (2, 3):
            raise _fail(at, "a stitch is [side, side] or [side, side, 'right_wrong']")
        refs = []
        for side in stitch[:2]:
            if not isinstance(side, dict) or side.get("panel") not in pieces:
                raise _fail(at, f"unknown panel {side.get('panel') if isinstance(side, dict) else side!r}")
            edge = side.get("edge")
            count = len(pieces[side["panel"]].edges)
            if not isinstance(edge, int) or isinstance(edge, bool) or not 0 <= edge < count:
                raise _fail(at, f"panel '{side['panel']}' has no edge {edge!r} (it has {count})")
            refs.append(EdgeRef(side["panel"], f"e{edge}"))
        reversed_ = not (len(stitch) == 3 and stitch[2] == "right_wrong")
        lengths = [pieces[ref.panel].edge_length_cm(ref.edge) for ref in refs]
        if min(lengths) <= 0 or max(lengths) / min(lengths) > MAX_GATHER_RATIO:
            raise _fail(at, f"{refs[0]} ({lengths[0]:.1f} cm) and {refs[1]} ({lengths[1]:.1f} cm) are too unequal "
                            f"to sew (a gathered edge may be at most {MAX_GATHER_RATIO:g}x the other)")
        gathered = max(lengths) / min(lengths) > GATHER_RATIO
        seams.append(Seam(refs[0], refs[1], reversed=reversed_, kind="gather" if gathered else "seam"))
    return tuple(seams)


def parse_garmentcode(data: Any, source: str = "GarmentCode spec") -> ImportedPattern:
    """An already-parsed GarmentCode JSON document -> pieces (cm) and seams."""
    if not isinstance(data, dict) or not isinstance(data.get("pattern"), dict):
        raise _fail(source, "not a GarmentCode specification (no 'pattern' object)")
    properties = data.get("properties", {}) if isinstance(data.get("properties", {}), dict) else {}
    units_in_meter = _finite(properties.get("units_in_meter", 100), f"{source}, units_in_meter")
    if units_in_meter <= 0:
        raise _fail(source, "units_in_meter must be positive")
    scale = 100.0 / units_in_meter
    relative = properties.get("curvature_coords", "relative") == "relative"
    panels = data["pattern"].get("panels")
    if not isinstance(panels, dict) or not panels:
        raise _fail(source, "'pattern.panels' must be a non-empty object")
    if len(panels) > MAX_GARMENTCODE_PANELS:
        raise _fail(source, f"more than {MAX_GARMENTCODE_PANELS} panels")
    order = data["pattern"].get("panel_order")
    names = [n for n in order if n in panels] if isinstance(order, list) else []
    names += [n for n in panels if n not in names]
    budget = [MAX_POINTS]
    pieces, mirrored, notes = {}, [], []
    for name in names:
        where = f"{source}, panel '{name}'"
        piece, was_mirrored, valid = _panel(str(name), panels[name], relative, scale, budget, where)
        pieces[name] = piece
        if was_mirrored:
            mirrored.append(str(name))
        if not valid:
            notes.append(f"panel '{name}' outline self-intersects")
    if mirrored:
        notes.append(
            f"panels {', '.join(mirrored)} face away from their loop order: mirrored in x to show their right side"
        )
    seams = _seams(data["pattern"].get("stitches", []), pieces, source)
    return ImportedPattern(
        name=str(data.get("name") or source),
        format="garmentcode",
        units="cm" if units_in_meter == 100 else f"1/{units_in_meter:g} m",
        units_source=f"units_in_meter = {units_in_meter:g}",
        pieces=tuple(pieces.values()),
        seams=seams,
        notes=tuple(notes),
    )


def read_garmentcode(source: Path | str | bytes, name: str | None = None) -> ImportedPattern:
    """Read a GarmentCode ``*_specification.json`` (path or bytes)."""
    label, data = read_source(source, name, "GarmentCode spec")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _fail(label, f"not valid JSON: {exc}") from None
    pattern = parse_garmentcode(document, label)
    if name is None and isinstance(source, (str, Path)):
        stem = Path(source).stem.removesuffix("_specification")
        pattern = ImportedPattern(**{**pattern.__dict__, "name": stem})
    return pattern
