"""What a DXF cannot say: how its pieces are sewn and where they go on the body.

A DXF-AAMA/ASTM file carries cut pieces but no seams and no placement. The
user supplies them in a small TOML sidecar next to the file, naming pieces as
the DXF does and edges as the importer splits them (``e0``, ``e1``, … at
corners; ``garment3d pattern import FILE.dxf`` lists them with lengths)::

    [pieces.FRONTPANEL]
    placement = { region = "torso", azimuth = 0 }
    interfacing = "fusible"   # optional: fused to the whole piece (garment3d.interfacing)

    [[seams]]
    a = "FRONTPANEL.e1"
    b = "BACKPANEL.e3"
    kind = "seam"     # optional: seam (default) | zip | gather (the longer edge gathered onto the other)

    [body]            # optional: the body a fixed-size pattern was drafted for (cm)
    height = 172
    bust = 99.8
    waist = 84.3
    hip = 103.5
    gender = "female"  # optional, default female
    shoulder_width = 36.5  # optional: straight, shoulder point to shoulder point (GarmentCode's shoulder_w)

    size = "M"        # optional: which size of a graded file (default: the first)
    anchors = ["FRONTPANEL.e3"]  # optional: waist edges held at the body's waist while it settles

    [[fasteners]]     # optional: fasteners the file does not mark itself (cm, each piece's own frame)
    name = "buttons"  # optional
    kind = "button"   # button | press_stud | frog | hook_eye | tie
    size = 1.2        # optional, cm (default by kind)
    a = "RIGHTFRONT"  # the outer piece (buttonhole); b the piece under it (button)
    b = "LEFTFRONT"
    points = [{ a = [0.0, -12.0], b = [0.0, -12.0] }, { a = [0.0, -20.0], b = [0.0, -20.0] }]

A file written by garment3d marks its own fasteners (drill holes named by a
``Fastener:`` text, ``fastener_marks``): they come back without a sidecar entry.

A GarmentCode specification needs no pieces or seams (it has its own); its
sidecar may give ``[body]`` alone.
:func:`suggest_seams` proposes pairs to start from: edges of different pieces
whose lengths agree within a tolerance, best matches first, each edge used once.
The sidecar is data like a pattern definition: parsed, checked, never run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from garment3d.errors import Garment3DError, ImportFormatError, InvalidPatternError
from garment3d.patterns.definition import DEFAULT_FASTENER_SIZE_CM, SEAM_KINDS, parse_body_placement, read_toml_text
from garment3d.patterns.evaluate import check_gather, edge_length_cm
from garment3d.patterns.formats.fastener_marks import check_inside
from garment3d.sizes import validate_measurements
from garment3d.types import FASTENER_KINDS, INTERFACING_KINDS, EdgeRef, Fastener, Measurements, Pattern, Placement, Seam

__all__ = ["Sidecar", "read_sidecar", "parse_sidecar", "suggest_seams", "SeamSuggestion", "apply_sidecar"]

MAX_SIDECAR_BYTES = 64 * 1024


_BODY_FIELDS = ("height", "bust", "waist", "hip")
_BODY_OPTIONAL = {"shoulder_width": "shoulder_width_cm"}  # [body] key -> Measurements field


@dataclass(frozen=True)
class Sidecar:
    placements: dict[str, Placement]
    seams: tuple[Seam, ...]
    body: Measurements | None = None  # the body a fixed-size pattern was drafted for
    size: str | None = None  # which size of a graded file
    anchors: tuple[EdgeRef, ...] = ()  # waist edges held at the body's waist line
    fasteners: tuple[Fastener, ...] = ()  # fasteners the file does not mark (points in each piece's frame)
    interfacing: dict[str, str] = field(default_factory=dict)  # piece -> interfacing kind fused to it


@dataclass(frozen=True)
class SeamSuggestion:
    a: EdgeRef
    b: EdgeRef
    length_a_cm: float
    length_b_cm: float

    @property
    def difference_mm(self) -> float:
        return abs(self.length_a_cm - self.length_b_cm) * 10.0


def _fail(where: str, message: str) -> ImportFormatError:
    return ImportFormatError(f"{where}: {message}")


def _placement(raw: Any, where: str) -> Placement:
    if not isinstance(raw, dict):
        raise _fail(where, "placement must be a table like { region = \"waist\", azimuth = 0 }")
    try:
        region, azimuth, side, layer = parse_body_placement(raw, where, azimuth_default=0.0)
    except InvalidPatternError as exc:
        raise ImportFormatError(str(exc)) from None
    return Placement(region=region, azimuth_deg=azimuth, side=side, layer=layer)


def _ref(raw: Any, where: str) -> EdgeRef:
    if not isinstance(raw, str) or raw.count(".") != 1 or not all(raw.split(".")):
        raise _fail(where, f"an edge must be written 'PIECE.edge', not {raw!r}")
    piece, edge = raw.split(".")
    return EdgeRef(piece, edge)


def parse_sidecar(text: str | bytes, source: str = "sidecar") -> Sidecar:
    """Parse sidecar TOML text (see the module docstring)."""
    data = read_toml_text(text, source, "sidecar", MAX_SIDECAR_BYTES, ImportFormatError)
    unknown = sorted(set(data) - {"pieces", "seams", "body", "size", "anchors", "fasteners"})
    if unknown:
        raise _fail(source, f"unknown key(s) {', '.join(unknown)} (a sidecar has [pieces.NAME] tables, [[seams]], "
                            "[body], size, anchors and [[fasteners]])")
    size = data.get("size")
    if size is not None and (not isinstance(size, str) or not size.strip() or len(size) > 64):
        raise _fail(source, "'size' must be the name of one size of the file, as text")
    pieces = data.get("pieces", {})
    if not isinstance(pieces, dict):
        raise _fail(source, "'pieces' must be a table of piece names")
    placements, interfacing = {}, {}
    for name, table in pieces.items():
        where = f"{source}, piece '{name}'"
        if not isinstance(table, dict) or not ({"placement", "interfacing"} & set(table)):
            raise _fail(where, "needs placement = { region = ..., azimuth = ... } (or interfacing = ...)")
        unknown = sorted(set(table) - {"placement", "interfacing"})
        if unknown:
            raise _fail(where, f"unknown key(s) {', '.join(unknown)} (a piece has placement and interfacing)")
        if "placement" in table:
            placements[name] = _placement(table["placement"], where)
        if "interfacing" in table:
            if table["interfacing"] not in INTERFACING_KINDS:
                raise _fail(where, f"'interfacing' must be one of {', '.join(INTERFACING_KINDS)}, "
                                   f"not {table['interfacing']!r}")
            interfacing[name] = table["interfacing"]
    seams_raw = data.get("seams", [])
    if not isinstance(seams_raw, list):
        raise _fail(source, "'seams' must be a list of tables with a and b")
    seams = []
    for i, table in enumerate(seams_raw):
        where = f"{source}, seam {i + 1}"
        if not isinstance(table, dict):
            raise _fail(where, "must be a table with a = 'PIECE.edge' and b = 'PIECE.edge'")
        reversed_ = table.get("reversed", True)
        if not isinstance(reversed_, bool):
            raise _fail(where, "'reversed' must be true or false")
        kind = table.get("kind", "seam")
        if kind not in SEAM_KINDS:
            raise _fail(where, f"'kind' must be one of {', '.join(SEAM_KINDS)}, not {kind!r}")
        seams.append(Seam(a=_ref(table.get("a"), f"{where}, a"), b=_ref(table.get("b"), f"{where}, b"),
                          reversed=reversed_, kind=kind))
    anchors = data.get("anchors", [])
    if not isinstance(anchors, list):
        raise _fail(source, "'anchors' must be a list of 'PIECE.edge'")
    return Sidecar(placements=placements, seams=tuple(seams), body=_body(data.get("body"), f"{source}, [body]"),
                   size=size, anchors=tuple(_ref(a, f"{source}, anchors") for a in anchors),
                   fasteners=_fasteners(data.get("fasteners", []), source), interfacing=interfacing)


MAX_SIDECAR_FASTENERS = 200


def _xy(raw: Any, where: str) -> np.ndarray:
    if (not isinstance(raw, list) or len(raw) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in raw)):
        raise _fail(where, "must be [x, y] in cm")
    return np.array(raw, dtype=np.float64)


def _fasteners(raw: Any, source: str) -> tuple[Fastener, ...]:
    """The [[fasteners]] tables: kind, a, b, optional name and size, points = [{ a = [x, y], b = [x, y] }]."""
    if not isinstance(raw, list):
        raise _fail(source, "'fasteners' must be a list of tables ([[fasteners]])")
    result: list[Fastener] = []
    for n, table in enumerate(raw):
        where = f"{source}, fastener {n + 1}"
        if not isinstance(table, dict):
            raise _fail(where, "must be a table with kind, a, b and points")
        unknown = sorted(set(table) - {"name", "kind", "size", "a", "b", "points"})
        if unknown:
            raise _fail(where, f"unknown key(s) {', '.join(unknown)} (known: name, kind, size, a, b, points)")
        name = table.get("name", "fastener")
        if not isinstance(name, str) or not name.strip() or len(name) > 64 or any(c.isspace() for c in name):
            raise _fail(where, "'name' must be a word of at most 64 characters")
        where = f"{source}, fastener {n + 1} '{name}'"
        kind = table.get("kind")
        if kind not in FASTENER_KINDS:
            raise _fail(where, f"'kind' must be one of {', '.join(FASTENER_KINDS)}, not {kind!r}")
        size = table.get("size", DEFAULT_FASTENER_SIZE_CM[kind])
        if isinstance(size, bool) or not isinstance(size, (int, float)) or not 0.0 < size <= 10.0:
            raise _fail(where, "'size' must be a number of centimetres in (0, 10]")
        a, b = table.get("a"), table.get("b")
        if not isinstance(a, str) or not isinstance(b, str) or not a or not b or a == b:
            raise _fail(where, "'a' and 'b' must name two different pieces")
        points = table.get("points")
        if not isinstance(points, list) or not points:
            raise _fail(where, "'points' must be a list of { a = [x, y], b = [x, y] } tables")
        if len(result) + len(points) > MAX_SIDECAR_FASTENERS:
            raise _fail(where, f"more than {MAX_SIDECAR_FASTENERS} fasteners")
        for i, point in enumerate(points):
            at = f"{where}, point {i + 1}"
            if not isinstance(point, dict) or set(point) != {"a", "b"}:
                raise _fail(at, "must be { a = [x, y], b = [x, y] }")
            result.append(Fastener(kind=kind, a=a, a_point=_xy(point["a"], f"{at}, a"), b=b,
                                   b_point=_xy(point["b"], f"{at}, b"), size_cm=float(size), name=f"{name}[{i}]"))
    return tuple(result)


def _body(raw: Any, where: str) -> Measurements | None:
    """The [body] table as measurements (checked against human ranges by the size module)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _fail(where, "must be a table with height, bust, waist and hip in cm")
    unknown = sorted(set(raw) - {*_BODY_FIELDS, *_BODY_OPTIONAL, "gender"})
    if unknown:
        known = ", ".join((*_BODY_FIELDS, *_BODY_OPTIONAL, "gender"))
        raise _fail(where, f"unknown key(s) {', '.join(unknown)} (known: {known})")
    values = {}
    for key in (*_BODY_FIELDS, *(k for k in _BODY_OPTIONAL if k in raw)):
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _fail(where, f"'{key}' must be a number of centimetres")
        values[key] = float(value)
    gender = raw.get("gender", "female")
    if gender not in ("female", "male"):
        raise _fail(where, f"'gender' must be \"female\" or \"male\", not {gender!r}")
    body = Measurements(height_cm=values["height"], bust_cm=values["bust"], waist_cm=values["waist"],
                        hip_cm=values["hip"], gender=gender,
                        **{field: values[key] for key, field in _BODY_OPTIONAL.items() if key in values})
    try:
        validate_measurements(body)
    except Garment3DError as exc:
        raise _fail(where, str(exc)) from None
    return body


def read_sidecar(path: Path) -> Sidecar:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"cannot read sidecar {path}: {exc.strerror or exc}") from None
    return parse_sidecar(data, Path(path).name)


def apply_sidecar(imported, sidecar: Sidecar, size: str | None = None) -> Pattern:
    """The imported pattern at ``size`` with the sidecar's placements and seams (checked against its pieces)."""
    size = size if size is not None else sidecar.size
    names = {p.name for p in imported.pieces_of_size(size)}
    unknown = sorted((set(sidecar.placements) | set(sidecar.interfacing)) - names)
    if unknown:
        raise ImportFormatError(f"sidecar names pieces the file does not have: {', '.join(unknown)} "
                                f"(pieces: {', '.join(sorted(names))})")
    for fastener in sidecar.fasteners:
        for piece in (fastener.a, fastener.b):
            if piece not in names:
                raise ImportFormatError(f"sidecar fastener '{fastener.name}' names piece '{piece}', which the file "
                                        f"does not have (pieces: {', '.join(sorted(names))})")
    pattern = imported.to_pattern(size, placements=sidecar.placements, seams=sidecar.seams,
                                  fasteners=sidecar.fasteners)
    if sidecar.interfacing:
        pattern = replace(pattern, panels=tuple(replace(p, interfacing=sidecar.interfacing.get(p.name, p.interfacing))
                                                for p in pattern.panels))
    panels = {panel.name: panel for panel in pattern.panels}
    for fastener in sidecar.fasteners:
        for piece, point in ((fastener.a, fastener.a_point), (fastener.b, fastener.b_point)):
            check_inside("sidecar", fastener.name, panels[piece], point)
    edges = {(panel.name, edge.name) for panel in pattern.panels for edge in panel.edges}
    for ref in sidecar.anchors:
        if (ref.panel, ref.edge) not in edges:
            raise ImportFormatError(f"sidecar anchors name unknown edge {ref}")
    for number, seam in enumerate(sidecar.seams, 1):
        if seam.kind == "gather":
            la, lb = (edge_length_cm(panels[r.panel], r.edge) for r in (seam.a, seam.b))
            try:
                check_gather(f"sidecar, seam {number}: {seam.a} ({la:.1f} cm) and {seam.b} ({lb:.1f} cm)", la, lb)
            except InvalidPatternError as exc:
                raise ImportFormatError(str(exc)) from None
    return replace(pattern, anchors=sidecar.anchors)


def suggest_seams(pattern: Pattern, tolerance_mm: float = 3.0, min_length_cm: float = 5.0) -> list[SeamSuggestion]:
    """Pairs of edges on different pieces whose lengths agree within ``tolerance_mm``.

    Closest matches first; each edge is used at most once; edges shorter than
    ``min_length_cm`` (corners, notch cuts) are left out. A suggestion is a
    starting point for the sidecar, not a seam: equal length alone does not
    make two edges belong together.
    """
    edges = [(panel.name, edge.name, edge_length_cm(panel, edge.name))
             for panel in pattern.panels for edge in panel.edges]
    edges = [e for e in edges if e[2] >= min_length_cm]
    candidates = []
    for i, (pa, ea, la) in enumerate(edges):
        for pb, eb, lb in edges[i + 1:]:
            if pa != pb and abs(la - lb) * 10.0 <= tolerance_mm:
                candidates.append((abs(la - lb), pa, ea, la, pb, eb, lb))
    used: set[tuple[str, str]] = set()
    result = []
    for _, pa, ea, la, pb, eb, lb in sorted(candidates):
        if (pa, ea) in used or (pb, eb) in used:
            continue
        used.update({(pa, ea), (pb, eb)})
        result.append(SeamSuggestion(EdgeRef(pa, ea), EdgeRef(pb, eb), la, lb))
    return result
