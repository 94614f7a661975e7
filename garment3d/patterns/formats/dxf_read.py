"""DXF-AAMA / DXF-ASTM import: pieces from the blocks of a pattern CAD file.

What real writers do and how it is read (see shared/notes/formats.md):

- one BLOCK per piece (per size), INSERTed in model space; a block inserted
  several times, or holding several identical copies of a piece, is one piece;
- layer 1 is the boundary (cut line); Gerber splits it over several polylines,
  which are joined end to end into one closed loop; layer 14 is the sew line
  (Valentina's AAMA export puts it on layer 8 as a closed loop inside the
  boundary: taken as the sew line, with a note); 4 notches, 6 mirror line
  (the piece is cut on fold there: read as ``fold_line``), 7 grain line,
  8 internal lines, 11 internal cutouts, 13 drill holes; ASTM 84/87 copies are
  used only when layer 1/14 are missing;
- fasteners: a drill hole with a ``Fastener: NAME KIND a|b SIZE cm`` TEXT beside it
  is one side of a fastener (``fastener_marks``), a button's buttonhole the layer-8
  line through it; they become ``ImportedPiece.fastener_marks`` (not drill holes or
  internal lines) and are paired into fasteners by ``ImportedPattern.to_pattern``;
- metadata is TEXT: ``Piece Name:``, ``Size:``, ``Quantity:``, ``Interfacing:`` (a kind of
  ``garment3d.interfacing``, as this project's export writes it), ``Units:``
  (``METRIC`` = mm, ``ENGLISH`` = inch), ``Sample Size:``; a bare text on the
  annotation layer 15 names the piece (Valentina ASTM), else the block name does;
- units: an explicit override, else what the file states (Units text, $INSUNITS)
  when the pieces then make a garment (largest piece 20-250 cm, most pieces
  5-200 cm), else the candidate unit (mm, cm, inch, m) that makes them the most
  plausible garment size: garment-sized, most pieces plausible, median piece
  nearest a typical 40 cm.

Hostile input is bounded before ezdxf parses it: file size, number of DXF
records, a start and an EOF marker; then coordinates and flattened points.
"""

from __future__ import annotations

import io
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from garment3d.errors import ImportFormatError
from garment3d.types import INTERFACING_KINDS
from garment3d.patterns.formats.fastener_marks import (
    BUTTONHOLE_EASE_CM,
    MARK_MATCH_CM,
    FastenerMark,
    opening_from_line,
    parse_mark_text,
)
from garment3d.patterns.formats.imported import ImportedPattern, ImportedPiece, ccw_loop
from garment3d.patterns.formats.limits import (
    CLOSE_GAP_CM,
    DUPLICATE_TOLERANCE_CM,
    FLATTEN_DISTANCE_CM,
    JOIN_TOLERANCE_CM,
    MAX_ABS_COORDINATE,
    MAX_DXF_RECORDS,
    MAX_FILE_BYTES,
    read_source,
    MAX_PIECE_CM,
    MAX_PIECES,
    MAX_POINTS,
    PLAUSIBLE_LARGEST_PIECE_CM,
    PLAUSIBLE_PIECE_CM,
    SEW_LINE_MAX_INSET_CM,
    TYPICAL_PIECE_CM,
)

__all__ = ["read_dxf", "UNITS_CM"]

log = logging.getLogger(__name__)

UNITS_CM = {"mm": 0.1, "cm": 1.0, "inch": 2.54, "m": 100.0}
_PREFERENCE = ("mm", "inch", "cm", "m")  # when geometry alone cannot tell
_INSUNITS = {1: "inch", 4: "mm", 5: "cm", 6: "m"}
_UNIT_WORDS = {"METRIC": "mm", "ENGLISH": "inch", "MM": "mm", "CM": "cm", "INCH": "inch", "INCHES": "inch"}
_RECORD = re.compile(rb"\n[ \t]*0[ \t]*\r?\n[ \t]*[A-Za-z_$][A-Za-z0-9_$]*[ \t]*\r?(?=\n)")
_EOF = re.compile(rb"(?:^|\n)[ \t]*0[ \t]*\r?\n[ \t]*EOF[ \t]*[\r\n\x00\x1a \t]*$")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z ]{0,30}?)\s*:\s*(.*?)\s*$")
_CURVES = {"POLYLINE", "LWPOLYLINE", "LINE", "ARC", "CIRCLE", "SPLINE", "ELLIPSE"}
_NATIVE_FLATTENING = {"ARC", "CIRCLE", "SPLINE", "ELLIPSE"}
_BOUNDARY, _SEW, _NOTCH, _GRAIN, _INTERNAL, _CUTOUT, _DRILL, _ANNOTATION = "1", "14", "4", "7", "8", "11", "13", "15"
_MIRROR = "6"
_ASTM_BOUNDARY, _ASTM_SEW = "84", "87"


# --------------------------------------------------------------------------- raw file


def _fail(label: str, message: str) -> ImportFormatError:
    return ImportFormatError(f"{label}: {message}")


def _prescan(data: bytes, label: str) -> None:
    """Refuse what is not a bounded ASCII DXF before ezdxf parses it."""
    if len(data) > MAX_FILE_BYTES:
        raise _fail(label, f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    if data.startswith(b"AutoCAD Binary DXF"):
        raise _fail(label, "binary DXF is not supported; export ASCII DXF (AAMA/ASTM)")
    head = data[:4096].lstrip(b"\xef\xbb\xbf").split(b"\n")
    tags = [line.strip() for line in head]
    i = 0
    while i + 1 < len(tags) and tags[i] == b"999":  # leading comments
        i += 2
    if tags[i : i + 2] != [b"0", b"SECTION"]:
        raise _fail(label, "not a DXF file (it does not start with a SECTION)")
    records = sum(1 for _ in _RECORD.finditer(data))
    if records > MAX_DXF_RECORDS:
        raise _fail(label, f"{records} DXF records is more than the {MAX_DXF_RECORDS} this importer accepts")
    if not _EOF.search(data[-512:]):
        raise _fail(label, "DXF file is truncated (no EOF marker at its end)")


def _load(data: bytes, label: str):
    import ezdxf
    from ezdxf import recover

    _prescan(data, label)
    try:
        doc, _auditor = recover.read(io.BytesIO(data))
    except Exception as exc:  # ezdxf raises many kinds on damaged input: one message for all
        raise _fail(label, f"not a readable DXF file ({type(exc).__name__}: {exc})") from None
    if not isinstance(doc, ezdxf.document.Drawing):  # pragma: no cover - defensive
        raise _fail(label, "not a readable DXF file")
    return doc


# --------------------------------------------------------------------------- entities


@dataclass
class _Group:
    """The entities of one block (or of model space), still in file units."""

    label: str
    inserts: int
    # (layer, curve with .flattening(distance), closed, (n, 2) control points for extents)
    paths: list[tuple[str, object, bool, np.ndarray]] = field(default_factory=list)
    points: list[tuple[str, np.ndarray]] = field(default_factory=list)
    texts: list[tuple[str, str, np.ndarray]] = field(default_factory=list)  # (layer, text, insert)
    nested_inserts: int = 0

    def layer_extent(self, layers: tuple[str, ...]) -> float | None:
        vertices = [control for layer, _, _, control in self.paths if layer in layers]
        vertices = [v for v in vertices if len(v)]
        if not vertices:
            return None
        stacked = np.vstack(vertices)
        return float(np.ptp(stacked, axis=0).max())


def _entity_text(entity) -> str:
    if entity.dxftype() == "MTEXT":
        return entity.plain_text()
    return str(entity.dxf.get("text", ""))


def _closed(entity) -> bool:
    kind = entity.dxftype()
    if kind == "POLYLINE":
        return bool(entity.is_closed)
    if kind == "LWPOLYLINE":
        return bool(entity.closed)
    return kind == "CIRCLE"


def _check_coordinates(values: np.ndarray, label: str) -> None:
    if values.size and (not np.all(np.isfinite(values)) or np.abs(values).max() > MAX_ABS_COORDINATE):
        raise _fail(label, f"a coordinate is not finite or beyond {MAX_ABS_COORDINATE:g} (corrupt or hostile file)")


def _collect(entities: Iterable, group: _Group, file_label: str) -> None:
    from ezdxf import path as ezpath

    where = f"{file_label}, block {group.label}"
    for entity in entities:
        kind = entity.dxftype()
        layer = str(entity.dxf.get("layer", "0")).strip()
        if kind in _CURVES:
            if kind == "POLYLINE" and not entity.is_2d_polyline:
                continue
            try:
                path = ezpath.make_path(entity)
            except Exception as exc:  # malformed entity data
                raise _fail(where, f"cannot read a {kind} on layer {layer} ({exc})") from None
            control = np.asarray([(v.x, v.y) for v in path.control_vertices()], dtype=np.float64).reshape(-1, 2)
            _check_coordinates(control, where)
            # true arcs, ellipses and splines flatten exactly; polylines (bulges too) through their path
            curve = entity if kind in _NATIVE_FLATTENING else path
            if len(control):
                group.paths.append((layer, curve, _closed(entity), control))
        elif kind == "POINT":
            location = entity.dxf.location
            point = np.array([location.x, location.y], dtype=np.float64)
            _check_coordinates(point, where)
            group.points.append((layer, point))
        elif kind in ("TEXT", "MTEXT"):
            insert = entity.dxf.get("insert", (0.0, 0.0, 0.0))
            group.texts.append((layer, _entity_text(entity), np.array([insert[0], insert[1]], dtype=np.float64)))
        elif kind == "INSERT":
            group.nested_inserts += 1


def _groups(doc, label: str) -> list[_Group]:
    msp = doc.modelspace()
    inserts = Counter(str(e.dxf.name) for e in msp.query("INSERT"))
    groups = []
    for name, count in inserts.items():
        block = doc.blocks.get(name)
        if block is None:
            continue
        group = _Group(label=name, inserts=count)
        _collect(block, group, label)
        groups.append(group)
    if not groups:  # no inserts: named blocks, else model space itself
        for block in doc.blocks:
            if block.name.startswith("*"):
                continue
            group = _Group(label=block.name, inserts=0)
            _collect(block, group, label)
            groups.append(group)
    texts = _Group(label="model space texts", inserts=0)
    _collect(msp.query("TEXT MTEXT"), texts, label)
    if not any(layer in (_BOUNDARY, _ASTM_BOUNDARY) for g in groups for layer, _, _, _ in g.paths):
        model = _Group(label="model space", inserts=0)  # pieces drawn straight into model space
        _collect((e for e in msp if e.dxftype() != "INSERT"), model, label)
        groups.append(model)
    return groups + [texts]


# --------------------------------------------------------------------------- units


def _stated_units(doc, texts: Iterable[str]) -> tuple[str | None, str]:
    for text in texts:
        match = _KEY_VALUE.match(text)
        if match and match.group(1).strip().lower() == "units":
            word = match.group(2).strip().upper()
            if word in _UNIT_WORDS:
                return _UNIT_WORDS[word], f"'Units: {match.group(2).strip()}' text"
    try:
        code = int(doc.header.get("$INSUNITS", 0))
    except (TypeError, ValueError):
        code = 0
    if code in _INSUNITS:
        return _INSUNITS[code], f"$INSUNITS = {code}"
    return None, ""


def _plausible_share(extents: list[float], unit: str) -> float:
    low, high = PLAUSIBLE_PIECE_CM
    if not extents:
        return 0.0
    cm = np.asarray(extents) * UNITS_CM[unit]
    return float(np.mean((cm >= low) & (cm <= high)))


def _garment_sized(extents: list[float], unit: str) -> bool:
    """Whether the pieces read in ``unit`` make a garment: its largest piece 20 cm to 2.5 m, and most pieces
    of a plausible size (a pattern is never only cuffs and belt loops)."""
    if not extents:
        return False
    low, high = PLAUSIBLE_LARGEST_PIECE_CM
    largest = max(extents) * UNITS_CM[unit]
    return low <= largest <= high and _plausible_share(extents, unit) >= 0.5


def _unit_score(extents: list[float], unit: str) -> tuple[bool, float, float]:
    """Higher is more plausible: garment-sized at all, the share of plausible pieces, then how near the
    median piece comes to a typical one (in ratio, so 2x too small and 2x too large weigh alike)."""
    if not extents:
        return False, 0.0, 0.0
    median = float(np.median(extents)) * UNITS_CM[unit]
    closeness = -abs(math.log(max(median, 1e-9) / TYPICAL_PIECE_CM))
    return _garment_sized(extents, unit), _plausible_share(extents, unit), closeness


def _decide_units(override: str | None, stated: str | None, how: str, extents: list[float], notes: list[str]):
    """The unit the file is read in: an override; else the stated one if it makes a garment-sized pattern;
    else, of all candidates, the one that makes the pieces the most plausible garment size (a file that says
    mm but whose pieces would be a few centimetres long is in cm, not inches)."""
    if override is not None:
        if override not in UNITS_CM:
            raise ImportFormatError(f"unknown units override {override!r} (known: {', '.join(UNITS_CM)})")
        return override, "override"
    best = max(_PREFERENCE, key=lambda u: (_unit_score(extents, u), -_PREFERENCE.index(u)))
    if stated is not None:
        if _garment_sized(extents, stated) or not _garment_sized(extents, best):
            return stated, how
        notes.append(
            f"the file states {stated} ({how}) but its pieces would then measure "
            f"{_median_cm(extents, stated)}; read as {best} from the geometry instead (override with units=)"
        )
        return best, f"geometry (disagreed with {how})"
    notes.append(f"no units stated in the file; pieces measure {_median_cm(extents, best)} read as {best}")
    return best, "geometry"


def _median_cm(extents: list[float], unit: str) -> str:
    return f"{float(np.median(extents)) * UNITS_CM[unit]:.3g} cm (median longest side)" if extents else "nothing"


# --------------------------------------------------------------------------- geometry


class _Budget:
    def __init__(self, label: str):
        self.left = MAX_POINTS
        self.label = label

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise _fail(self.label, f"more than {MAX_POINTS} points after flattening curves (too detailed or hostile)")


def _flatten(curve, distance: float, budget: _Budget) -> np.ndarray:
    points = []
    for vertex in curve.flattening(distance):
        points.append((vertex.x, vertex.y))
        if len(points) % 4096 == 0:
            budget.take(4096)
    budget.take(len(points) % 4096)
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


def _clean_loop(points: np.ndarray, gap: float = 1e-9) -> np.ndarray:
    """A closed loop without its repeated closing point (within ``gap``) or zero-length steps, counter-clockwise."""
    if len(points) > 1 and np.linalg.norm(points[0] - points[-1]) <= gap:
        points = points[:-1]
    keep = np.linalg.norm(np.diff(points, axis=0, prepend=points[-1:]), axis=1) > 1e-9
    loop = points[keep] if keep.sum() >= 3 else points
    return ccw_loop(loop)[0]


def _join(fragments: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Chain open polylines end to end; returns (closed loops, chains that stay open)."""
    pending = [f for f in fragments if len(f) >= 2]
    loops, open_chains = [], []
    while pending:
        chain = pending.pop(0)
        grown = True
        while grown and pending:
            grown = False
            ends = np.array([[f[0], f[-1]] for f in pending])  # (n, 2, 2)
            for reverse_chain, tip in ((False, chain[-1]), (True, chain[0])):
                gaps = np.linalg.norm(ends - tip, axis=2)
                j, side = np.unravel_index(np.argmin(gaps), gaps.shape)
                if gaps[j, side] <= JOIN_TOLERANCE_CM:
                    piece = pending.pop(j)
                    if not reverse_chain:
                        chain = np.vstack([chain, (piece if side == 0 else piece[::-1])[1:]])
                    else:
                        chain = np.vstack([(piece[::-1] if side == 0 else piece)[:-1], chain])
                    grown = True
                    break
        if len(chain) >= 3 and np.linalg.norm(chain[0] - chain[-1]) <= CLOSE_GAP_CM:
            loops.append(chain)
        else:
            open_chains.append(chain)
    return loops, open_chains


@dataclass
class _Shapes:
    """A group's geometry in cm."""

    boundaries: list[np.ndarray]
    sews: list[np.ndarray]
    internals: list[np.ndarray]
    notches: list[np.ndarray]
    grains: list[np.ndarray]
    drills: list[np.ndarray]
    open_boundary: list[np.ndarray]
    folds: list[np.ndarray] = field(default_factory=list)
    sew_from_layer_8: bool = False
    marks: list[FastenerMark] = field(default_factory=list)


def _shapes(group: _Group, scale: float, budget: _Budget) -> _Shapes:
    distance = FLATTEN_DISTANCE_CM / scale
    by_layer: dict[str, list[tuple[np.ndarray, bool]]] = {}
    for layer, curve, closed, _ in group.paths:
        try:
            points = _flatten(curve, distance, budget) * scale
        except ImportFormatError:
            raise
        except Exception as exc:  # malformed curve data (a spline without knots, ...)
            raise _fail(budget.label, f"block {group.label}: cannot flatten a curve on layer {layer} ({exc})") from None
        if len(points) >= 2:
            by_layer.setdefault(layer, []).append((points, closed))
    boundary_layer = _BOUNDARY if _BOUNDARY in by_layer else _ASTM_BOUNDARY
    sew_layer = _SEW if _SEW in by_layer else _ASTM_SEW

    def loops(layer: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
        entries = by_layer.get(layer, [])
        closed = [p for p, c in entries if c and len(p) >= 3]
        found, still_open = _join([p for p, c in entries if not (c and len(p) >= 3)])
        return [_clean_loop(p) for p in closed] + [_clean_loop(p, CLOSE_GAP_CM) for p in found], still_open

    boundaries, open_boundary = loops(boundary_layer)
    sews, _ = loops(sew_layer)
    internals = [p for p, _ in by_layer.get(_INTERNAL, [])] + [p for p, _ in by_layer.get(_CUTOUT, [])]
    shapes = _Shapes(
        boundaries=boundaries,
        sews=sews,
        internals=internals,
        notches=[p[[0, -1]] for p, _ in by_layer.get(_NOTCH, [])],
        grains=[p[[0, -1]] for p, _ in by_layer.get(_GRAIN, [])],
        drills=[pt * scale for layer, pt in group.points if layer == _DRILL],
        open_boundary=open_boundary,
        folds=[p[[0, -1]] for p, _ in by_layer.get(_MIRROR, [])],
    )
    if not shapes.sews:
        _sew_from_internal(shapes)
    _fastener_marks(group, shapes, scale)
    return shapes


MARK_REACH_CM = 1.0  # a fastener's words are written within this distance of its drill hole


def _fastener_marks(group: _Group, shapes: _Shapes, scale: float) -> None:
    """Drill holes named by a ``Fastener:`` text become fastener marks (with their buttonhole lines)."""
    for _, text, insert in group.texts:
        parsed = parse_mark_text(text)
        if parsed is None or not shapes.drills:
            continue
        name, kind, side, size, mirrored = parsed
        at = insert * scale
        distances = [float(np.linalg.norm(d - at)) for d in shapes.drills]
        nearest = int(np.argmin(distances))
        if distances[nearest] > MARK_REACH_CM:
            continue
        point = shapes.drills.pop(nearest)
        opening = None
        if kind == "button" and side == "a":
            for i, line in enumerate(shapes.internals):
                length = float(np.linalg.norm(line[-1] - line[0]))
                if len(line) == 2 and abs(length - size - BUTTONHOLE_EASE_CM) <= MARK_MATCH_CM:
                    opening = opening_from_line(point, line)
                    if opening is not None:
                        shapes.internals.pop(i)
                        break
        shapes.marks.append(FastenerMark(name=name, kind=kind, side=side, point=point, size_cm=size,
                                         opening=opening, mirrored=mirrored))


def _line_gap(a: np.ndarray, b: np.ndarray) -> float:
    """Largest distance from a vertex of one closed loop to the other loop (both ways)."""
    ring_a, ring_b = shapely.LinearRing(a), shapely.LinearRing(b)
    a_to_b = shapely.distance(shapely.points(a), ring_b).max()
    b_to_a = shapely.distance(shapely.points(b), ring_a).max()
    return float(max(a_to_b, b_to_a))


def _farthest(boundary: np.ndarray, loop: np.ndarray) -> float:
    """How far the boundary strays from ``loop`` (the loop may reach inward, as at a dart)."""
    dense = shapely.get_coordinates(shapely.segmentize(shapely.LinearRing(boundary), 1.0))
    return float(shapely.distance(shapely.points(dense), shapely.LinearRing(loop)).max())


def _sew_from_internal(shapes: _Shapes) -> None:
    """Valentina AAMA: the sew line is a closed layer-8 loop running just inside a boundary."""
    areas = [shapely.Polygon(b).area for b in shapes.boundaries]
    remaining = []
    for line in shapes.internals:
        closed = len(line) >= 4 and np.linalg.norm(line[0] - line[-1]) <= CLOSE_GAP_CM
        taken = False
        if closed:
            loop = _clean_loop(line, CLOSE_GAP_CM)
            polygon = shapely.Polygon(loop)
            for boundary, area in zip(shapes.boundaries, areas):
                outer = shapely.Polygon(boundary)
                if (
                    area > 0
                    and polygon.is_valid
                    and outer.buffer(0.01).contains(polygon)
                    and polygon.area > 0.2 * area
                    and _farthest(boundary, loop) <= SEW_LINE_MAX_INSET_CM
                ):
                    shapes.sews.append(loop)
                    shapes.sew_from_layer_8 = True
                    taken = True
                    break
        if not taken:
            remaining.append(line)
    shapes.internals = remaining


# --------------------------------------------------------------------------- pieces


@dataclass
class _Meta:
    name: str | None = None
    size: str | None = None
    quantity: int | None = None
    interfacing: str = ""
    bare_names: list[str] = field(default_factory=list)


def _metadata(texts: list[tuple[str, str, np.ndarray]]) -> _Meta:
    meta = _Meta()
    for layer, text, _ in texts:
        match = _KEY_VALUE.match(text)
        if match:
            key, value = match.group(1).strip().lower(), match.group(2).strip()
            if key == "piece name" and value:
                meta.name = meta.name or value
            elif key == "size" and value:
                meta.size = meta.size or value
            elif key == "quantity":
                number = re.search(r"\d+", value)
                if number and meta.quantity is None:
                    meta.quantity = max(1, min(int(number.group()), 1000))
            elif key == "interfacing" and value:
                meta.interfacing = meta.interfacing or value.lower()
        elif layer == _ANNOTATION and text.strip():
            meta.bare_names.append(text.strip())
    return meta


def _nearest(loops: list[np.ndarray], point: np.ndarray) -> int:
    distances = [shapely.Polygon(loop).distance(shapely.Point(point)) for loop in loops]
    return int(np.argmin(distances))


def _build_pieces(group: _Group, shapes: _Shapes, default_size: str, label: str) -> list[ImportedPiece]:
    meta = _metadata(group.texts)
    if meta.interfacing and meta.interfacing not in INTERFACING_KINDS:
        raise _fail(label, f"block {group.label}: 'Interfacing: {meta.interfacing}' is not a known interfacing "
                           f"(known: {', '.join(INTERFACING_KINDS)})")
    base = meta.name or (meta.bare_names[0] if len(meta.bare_names) == 1 else None) or group.label
    size = meta.size or default_size
    loops = shapes.boundaries
    sews = [[] for _ in loops]
    for sew in shapes.sews:
        sews[_nearest(loops, sew.mean(axis=0))].append(sew)
    per_loop: list[dict[str, list]] = [
        {"notches": [], "grains": [], "internal": [], "drills": [], "folds": [], "marks": []} for _ in loops
    ]
    for key, items, anchor in (
        ("notches", shapes.notches, lambda n: n[0]),
        ("grains", shapes.grains, lambda g: g.mean(axis=0)),
        ("internal", shapes.internals, lambda line: line.mean(axis=0)),
        ("drills", shapes.drills, lambda p: p),
        ("folds", shapes.folds, lambda f: f.mean(axis=0)),
        ("marks", shapes.marks, lambda m: m.point),
    ):
        for item in items:
            per_loop[_nearest(loops, anchor(item))][key].append(item)
    pieces = []
    for i, loop in enumerate(loops):
        extent = float(np.ptp(loop, axis=0).max())
        if extent > MAX_PIECE_CM:
            raise _fail(label, f"block {group.label}: piece is {extent:.0f} cm long (corrupt file or wrong units)")
        outline = shapely.Polygon(loop)
        notches = [_orient_notch(n, outline) for n in per_loop[i]["notches"]]
        grain = per_loop[i]["grains"][0] if per_loop[i]["grains"] else None
        sew = max(sews[i], key=lambda s: shapely.Polygon(s).area) if sews[i] else None
        pieces.append(
            ImportedPiece(
                name=base,
                size=size,
                quantity=meta.quantity or 1,
                cut_line=loop,
                sew_line=sew,
                grain_line=grain,
                notches=np.asarray(notches, dtype=np.float64).reshape(-1, 2, 2),
                internal_lines=tuple(per_loop[i]["internal"]),
                drill_holes=np.asarray(per_loop[i]["drills"], dtype=np.float64).reshape(-1, 2),
                source=group.label,
                fold_line=per_loop[i]["folds"][0] if per_loop[i]["folds"] else None,
                fastener_marks=tuple(per_loop[i]["marks"]),
                interfacing=meta.interfacing,
            )
        )
    return pieces


def _orient_notch(notch: np.ndarray, outline: shapely.Polygon) -> np.ndarray:
    a, b = (shapely.Point(p) for p in notch)
    if outline.exterior.distance(b) < outline.exterior.distance(a):
        return notch[::-1]
    return notch


def _same_shape(a: ImportedPiece, b: ImportedPiece) -> bool:
    pa, pb = shapely.Polygon(a.cut_line), shapely.Polygon(b.cut_line)
    if abs(pa.area - pb.area) > 1e-3 * max(pa.area, 1e-9):
        return False
    shift = a.cut_line.min(axis=0) - b.cut_line.min(axis=0)
    return _line_gap(a.cut_line, b.cut_line + shift) <= DUPLICATE_TOLERANCE_CM


def _dedupe(pieces: list[ImportedPiece], notes: list[str]) -> list[ImportedPiece]:
    kept: list[ImportedPiece] = []
    for piece in pieces:
        twin = next((k for k in kept if k.name == piece.name and k.size == piece.size and _same_shape(k, piece)), None)
        if twin is not None:
            notes.append(
                f"'{piece.name}' (size {piece.size or '-'}) is written more than once "
                f"(blocks {twin.source} and {piece.source}): kept one"
            )
            continue
        clash = sum(1 for k in kept if k.name.split(" (")[0] == piece.name and k.size == piece.size)
        if clash:
            renamed = f"{piece.name} ({clash + 1})"
            notes.append(
                f"two different pieces are named '{piece.name}' (size {piece.size or '-'}); the second is '{renamed}'"
            )
            piece = ImportedPiece(**{**piece.__dict__, "name": renamed})
        kept.append(piece)
    return kept


# --------------------------------------------------------------------------- entry point


def read_dxf(
    source: Path | str | bytes,
    units: str | None = None,
    name: str | None = None,
    strict: bool = True,
) -> ImportedPattern:
    """Read a DXF-AAMA / DXF-ASTM pattern file into pieces in centimetres.

    units  : "mm", "cm", "inch" or "m" to override what the file states or suggests.
    strict : when False, a piece whose boundary does not close is skipped with a
             note instead of failing the whole import.
    """
    label, data = read_source(source, name, "DXF")
    doc = _load(data, label)
    groups = _groups(doc, label)
    notes: list[str] = []
    all_texts = [t for g in groups for _, t, _ in g.texts]
    stated, how = _stated_units(doc, all_texts)
    extents = [e for g in groups if (e := g.layer_extent((_BOUNDARY, _ASTM_BOUNDARY))) is not None]
    unit, unit_source = _decide_units(units, stated, how, extents, notes)
    default_size = ""
    for text in all_texts:
        match = _KEY_VALUE.match(text)
        if match and match.group(1).strip().lower() == "sample size":
            default_size = match.group(2).strip()
            break
    budget = _Budget(label)
    pieces: list[ImportedPiece] = []
    sew_from_8: list[str] = []
    for group in groups:
        if not group.paths:
            continue
        if group.nested_inserts:
            notes.append(f"block {group.label}: {group.nested_inserts} nested INSERT(s) ignored")
        shapes = _shapes(group, UNITS_CM[unit], budget)
        if shapes.open_boundary and not shapes.boundaries:
            gap = min(float(np.linalg.norm(c[0] - c[-1])) for c in shapes.open_boundary) * 10.0
            message = f"block {group.label}: the boundary (layer 1) does not close (gap {gap:.1f} mm)"
            if strict:
                raise _fail(label, message)
            notes.append(message + "; piece skipped")
            continue
        if shapes.sew_from_layer_8:
            sew_from_8.append(group.label)
        if group.inserts > 1:
            notes.append(f"block {group.label} is inserted {group.inserts} times: read once")
        pieces.extend(_build_pieces(group, shapes, default_size, label))
        if len(pieces) > MAX_PIECES:
            raise _fail(label, f"more than {MAX_PIECES} pieces")
    if not pieces:
        raise _fail(label, "no pattern pieces found (no closed boundary on layer 1 in any block)")
    if sew_from_8:
        notes.append(f"closed layer-8 lines read as sew lines (Valentina AAMA) in blocks {', '.join(sew_from_8)}")
    pieces = _dedupe(pieces, notes)
    for note in notes:
        log.info("%s: %s", label, note)
    return ImportedPattern(
        name=name or Path(label).stem,
        format="dxf",
        units=unit,
        units_source=unit_source,
        pieces=tuple(pieces),
        notes=tuple(notes),
    )
