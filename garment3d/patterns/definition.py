"""Pattern definitions: TOML files of measurements, parameters, formulas and panels.

This module parses a definition (from the library or an upload: the same code
path) into typed, validated values. Nothing in a definition is executed; formulas
are evaluated later by :mod:`garment3d.patterns.formula`.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from garment3d.errors import InvalidPatternError
from garment3d.patterns.fit_lines import FitDefinition, parse_fit
from garment3d.patterns.fold import MIRROR_SUFFIX
from garment3d.patterns.formula import check_formula
from garment3d.sizes import DERIVED_MEASUREMENT_NAMES
from garment3d.types import FASTENER_KINDS, INTERFACING_KINDS, PLACEMENT_REGIONS, SIDED_REGIONS, EdgeRef

__all__ = [
    "MEASUREMENT_NAMES",
    "Parameter",
    "Segment",
    "PanelDefinition",
    "SeamDefinition",
    "FastenerDefinition",
    "PatternDefinition",
    "parse_definition",
    "parse_body_placement",
    "read_toml_text",
    "load_definition",
]

MEASUREMENT_NAMES = ("height", "bust", "waist", "hip", *DERIVED_MEASUREMENT_NAMES)
MAX_DEFINITION_BYTES = 256 * 1024
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_CURVES = ("line", "quadratic", "cubic", "arc")
MAX_SEAM_ALLOWANCE_CM = 10.0  # as formats.limits (not imported: formats imports this module)
MAX_NOTCHES = 200  # per panel
MAX_LINES = 200  # internal lines per panel
MAX_INTERNAL_DARTS = 20  # fish darts per panel
MAX_FASTENERS = 200  # fastenings in all (rows count each fastener)
SEAM_KINDS = ("seam", "zip", "gather")
MAX_GATHER_RATIO = 4.0  # a gathered edge at most this many times the edge it is drawn up onto
MAX_FABRIC_STRETCH = 200.0  # %: the stretch a pattern is drafted for (top-level fabric_stretch) lies in [0, this]
#: cm: the visible trim's size when a fastener declaration gives none
DEFAULT_FASTENER_SIZE_CM = {"button": 1.2, "press_stud": 1.0, "frog": 2.5, "hook_eye": 1.0, "tie": 1.5}


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    unit: str
    default: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Segment:
    """One outline segment from point ``start`` to point ``end``.

    ``controls`` are the curve's control points: one for ``quadratic``, two for
    ``cubic``, and for ``arc`` the point the circular arc passes through.
    """

    edge: str
    start: str
    end: str
    curve: str = "line"
    controls: tuple[str, ...] = ()


@dataclass(frozen=True)
class InternalDartDefinition:
    """One entry of a panel's ``darts``: a diamond inside the piece, its axis along pattern y. Formulas:
    ``x``, ``y`` its widest point (cm), ``width`` the intake there, ``above`` / ``below`` how far its
    apexes lie above / below that point."""

    name: str
    x: str
    y: str
    width: str
    above: str
    below: str


@dataclass(frozen=True)
class PanelDefinition:
    name: str
    cut_count: int
    grain: tuple[float, float]
    region: str
    azimuth_deg: float
    side: str
    layer: int
    drop: str  # formula: cm the piece's anchor line sits below the region's line
    frame: str  # another panel whose coordinates this one is drafted in ("" for none)
    hang_from: str  # edge the piece hangs from ("" for none)
    segments: tuple[Segment, ...]
    fold: str | None = None  # the straight edge the piece is cut on fold along
    allowance: tuple[tuple[str, float], ...] = ()  # (edge or "*", cm)
    notches: tuple[tuple[str, str], ...] = ()  # (edge, formula: cm along the edge from its start)
    lines: tuple[tuple[str, str], ...] = ()  # internal lines (from point, to point)
    internal_darts: tuple[InternalDartDefinition, ...] = ()  # fish darts inside the piece
    align_edge: str = ""  # edge laid at the azimuth row by row ("" to centre the piece there)
    interfacing: str = ""  # "" or one of INTERFACING_KINDS, fused to the whole piece

    def has_edge(self, edge: str) -> bool:
        return any(s.edge == edge for s in self.segments)

    def fold_neighbours(self) -> tuple[str, ...]:
        """The edges that meet the fold (they join their mirror image when unfolded); () without a fold."""
        if self.fold is None:
            return ()
        index = next(i for i, s in enumerate(self.segments) if s.edge == self.fold)
        before = self.segments[index - 1].edge
        after = self.segments[(index + 1) % len(self.segments)].edge
        return tuple(dict.fromkeys((after, before)))


@dataclass(frozen=True)
class SeamDefinition:
    a: EdgeRef
    b: EdgeRef
    reversed: bool = True
    ease_cm: float = 0.0
    kind: str = "seam"  # "seam" | "zip" | "gather" (the longer edge gathered onto the shorter)


@dataclass(frozen=True)
class FastenerDefinition:
    """One ``[[fasteners]]`` entry: fastenings of one kind between outer panel ``a`` and panel ``b`` under it.

    Either a row along edge ``along`` of ``a`` (``count`` fasteners evenly spaced from ``start`` to ``end``
    cm along the edge, ``inset`` cm into the piece (square to the edge, or along ``inset_direction``), each
    matched at the same coordinates plus ``offset`` in ``b``'s frame) or explicit ``points`` ((a x, a y, b x, b y) formulas). All numbers are formulas.
    """

    name: str
    kind: str
    a: str
    b: str
    size: str
    along: str = ""
    count: int = 0
    start: str = "0"
    end: str = "edge_length"
    inset: str = "1"
    offset: tuple[str, str] = ("0", "0")
    inset_direction: tuple[str, ...] = ()  # (x, y) formulas: inset along this direction, not square to the edge
    points: tuple[tuple[str, str, str, str], ...] = ()


@dataclass(frozen=True)
class PatternDefinition:
    name: str
    label: str
    description: str
    measurements: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    points: tuple[tuple[str, str, str], ...]  # (name, x formula, y formula) in order
    panels: tuple[PanelDefinition, ...]
    seams: tuple[SeamDefinition, ...]
    anchors: tuple[EdgeRef, ...]
    fasteners: tuple[FastenerDefinition, ...] = ()
    fit: FitDefinition = FitDefinition()  # style and bust/waist/hip lines (garment3d.patterns.fit_lines)
    # % crosswise stretch the pattern is drafted for when it is evaluated without a fabric (formulas see
    # the chosen fabric's as ``fabric_stretch``): a knit pattern's stretch gauge
    fabric_stretch: float = 0.0

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)


# --------------------------------------------------------------------------- helpers


def _fail(where: str, message: str) -> InvalidPatternError:
    return InvalidPatternError(f"{where}: {message}")


def _require(table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in table:
        raise _fail(where, f"missing field '{key}'")
    value = table[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise _fail(where, f"field '{key}' has the wrong type ({type(value).__name__})")
    return value


def _number(table: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
    if key not in table and default is not None:
        return default
    value = _require(table, key, (int, float), where)
    if not math.isfinite(value):
        raise _fail(where, f"field '{key}' is not finite")
    return float(value)


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise _fail(where, f"'{value}' is not a valid name (letters, digits, underscore)")
    return value


def _edge_ref(value: Any, where: str) -> EdgeRef:
    """``panel.edge`` or ``panel.edge@mirror`` (the mirrored copy of an edge of a folded panel)."""
    if not isinstance(value, str) or value.count(".") != 1:
        raise _fail(where, f"'{value}' is not an edge reference of the form panel.edge")
    panel, edge = value.split(".")
    base = edge.removesuffix(MIRROR_SUFFIX)
    return EdgeRef(_name(panel, where), _name(base, where) + edge[len(base):])


# --------------------------------------------------------------------------- sections


def _parameters(raw: Any, where: str) -> tuple[Parameter, ...]:
    if not isinstance(raw, dict):
        raise _fail(where, "'parameters' must be a table")
    result = []
    for name, table in raw.items():
        at = f"{where}, parameter '{name}'"
        _name(name, at)
        if not isinstance(table, dict):
            raise _fail(at, "must be a table")
        p = Parameter(
            name=name,
            label=str(table.get("label", name)),
            unit=str(table.get("unit", "cm")),
            default=_number(table, "default", at),
            minimum=_number(table, "min", at),
            maximum=_number(table, "max", at),
        )
        if not p.minimum <= p.default <= p.maximum:
            raise _fail(at, f"default {p.default:g} is outside its range [{p.minimum:g}, {p.maximum:g}]")
        result.append(p)
    return tuple(result)


def _points(raw: Any, where: str) -> tuple[tuple[str, str, str], ...]:
    if not isinstance(raw, dict) or not raw:
        raise _fail(where, "'points' must be a non-empty table")
    result = []
    for name, pair in raw.items():
        at = f"{where}, point '{name}'"
        _name(name, at)
        if not isinstance(pair, list) or len(pair) != 2:
            raise _fail(at, "must be a list of two formulas [x, y]")
        for text in pair:
            check_formula(text, at)
        result.append((name, str(pair[0]), str(pair[1])))
    return tuple(result)


def _segment(raw: Any, where: str) -> Segment:
    if not isinstance(raw, dict):
        raise _fail(where, "must be a table")
    edge = _name(raw.get("edge"), f"{where}, edge")
    where = f"{where} (edge '{edge}')"
    curve = raw.get("curve", "line")
    if curve not in _CURVES:
        raise _fail(where, f"unknown curve '{curve}' (expected one of {', '.join(_CURVES)})")
    controls: tuple[str, ...] = ()
    if curve == "quadratic":
        controls = (_name(raw.get("control"), f"{where}, control"),)
    elif curve == "cubic":
        pair = raw.get("controls")
        if not isinstance(pair, list) or len(pair) != 2:
            raise _fail(where, "a cubic curve needs 'controls' = [point, point]")
        controls = tuple(_name(c, f"{where}, controls") for c in pair)
    elif curve == "arc":
        if "through" not in raw:
            raise _fail(where, "an arc needs 'through' = a point the arc passes through")
        controls = (_name(raw.get("through"), f"{where}, through"),)
    if curve != "arc" and "through" in raw:
        raise _fail(where, f"'through' belongs to curve = \"arc\", not to a {curve}")
    return Segment(
        edge=edge,
        start=_name(raw.get("from"), f"{where}, from"),
        end=_name(raw.get("to"), f"{where}, to"),
        curve=curve,
        controls=controls,
    )


def _outline(raw: dict[str, Any], at: str) -> tuple[Segment, ...]:
    segments_raw = _require(raw, "outline", list, at)
    if len(segments_raw) < 3:
        raise _fail(at, "an outline needs at least 3 segments")
    segments = tuple(_segment(s, f"{at}, outline segment {i + 1}") for i, s in enumerate(segments_raw))
    for i, segment in enumerate(segments):
        following = segments[(i + 1) % len(segments)]
        if segment.end != following.start:
            raise _fail(
                at,
                f"outline does not close: segment {i + 1} ends at '{segment.end}' "
                f"but the next one starts at '{following.start}'",
            )
    return segments


def parse_body_placement(placement: dict[str, Any], at: str, azimuth_default: float | None = None
                         ) -> tuple[str, float, str, int]:
    """(region, azimuth degrees, side, layer) of a placement table; also read by DXF sidecars."""
    region = placement.get("region")
    if region not in PLACEMENT_REGIONS:
        raise _fail(at, f"placement region '{region}' is not supported (supported: {', '.join(PLACEMENT_REGIONS)})")
    side = placement.get("side", "")
    if region in SIDED_REGIONS and side not in ("left", "right"):
        raise _fail(at, f"placement region '{region}' needs side = 'left' or 'right'")
    if region not in SIDED_REGIONS and side != "":
        raise _fail(at, f"placement region '{region}' takes no side")
    layer = placement.get("layer", 0)
    if not isinstance(layer, int) or isinstance(layer, bool) or not -2 <= layer <= 2:
        raise _fail(at, "placement 'layer' must be an integer from -2 to 2")
    return region, _number(placement, "azimuth", f"{at}, placement", default=azimuth_default), side, layer


def _placement(raw: dict[str, Any], at: str) -> tuple[str, float, str, int, str, str, str, str]:
    """(region, azimuth degrees, side, layer, drop formula, frame panel, edge hung from, aligned edge)."""
    placement = _require(raw, "placement", dict, at)
    region, azimuth, side, layer = parse_body_placement(placement, at)
    drop = placement.get("drop", "0")
    if isinstance(drop, bool) or not isinstance(drop, (str, int, float)):
        raise _fail(at, "placement 'drop' must be a formula or a number of centimetres")
    drop = str(drop)
    check_formula(drop, f"{at}, placement drop")
    frame = placement.get("frame", "")
    if not isinstance(frame, str):
        raise _fail(at, "placement 'frame' must name another panel")
    hang_from = placement.get("hang_from", "")
    if not isinstance(hang_from, str):
        raise _fail(at, "placement 'hang_from' must name an edge of the panel")
    align_edge = placement.get("align_edge", "")
    if not isinstance(align_edge, str):
        raise _fail(at, "placement 'align_edge' must name an edge of the panel")
    return region, azimuth, side, layer, drop, frame, hang_from, align_edge


def _grain(raw: dict[str, Any], at: str) -> tuple[float, float]:
    grain = _require(raw, "grain", list, at)
    numbers = len(grain) == 2 and all(isinstance(g, (int, float)) and not isinstance(g, bool) for g in grain)
    if not numbers or not all(math.isfinite(g) for g in grain) or math.hypot(*grain) == 0:
        raise _fail(at, "'grain' must be a non-zero vector [x, y]")
    return float(grain[0]), float(grain[1])


def _fold(raw: dict[str, Any], segments: tuple[Segment, ...], at: str) -> str | None:
    if "fold" not in raw:
        return None
    fold = _name(raw["fold"], f"{at}, fold")
    parts = [s for s in segments if s.edge == fold]
    if not parts:
        raise _fail(at, f"fold edge '{fold}' is not an edge of the outline")
    if len(parts) != 1 or parts[0].curve != "line":
        kind = f"{len(parts)} segments" if len(parts) != 1 else f"a '{parts[0].curve}' curve"
        raise _fail(at, f"fold edge '{fold}' must be exactly one straight line segment (it is {kind})")
    if len({s.edge for s in segments}) < 2:
        raise _fail(at, f"fold edge '{fold}' needs at least one other edge")
    return fold


def _own_edge(edge: Any, segments: tuple[Segment, ...], fold: str | None, where: str, what: str) -> str:
    """An edge of this panel (not the fold) named by ``what`` (an allowance key, a notch)."""
    edge = _name(edge, where)
    if not any(s.edge == edge for s in segments):
        known = ", ".join(dict.fromkeys(s.edge for s in segments))
        raise _fail(where, f"{what} names unknown edge '{edge}' (edges: {known})")
    if edge == fold:
        raise _fail(where, f"{what} names the fold edge '{edge}', which is not cut or sewn")
    return edge


def _allowance(raw: dict[str, Any], segments: tuple[Segment, ...], fold: str | None, at: str):
    table = raw.get("allowance", {})
    if not isinstance(table, dict):
        raise _fail(at, "'allowance' must be a table of edge = centimetres (\"*\" for every other edge)")
    result = []
    for key, value in table.items():
        where = f"{at}, allowance '{key}'"
        if key != "*":
            _own_edge(key, segments, fold, where, "allowance")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _fail(where, "must be a number of centimetres")
        if not 0.0 <= value <= MAX_SEAM_ALLOWANCE_CM:
            raise _fail(where, f"{value:g} cm is outside 0-{MAX_SEAM_ALLOWANCE_CM:g} cm")
        result.append((key, float(value)))
    return tuple(result)


def _list_of_tables(raw: dict[str, Any], key: str, limit: int, at: str) -> list[dict[str, Any]]:
    items = raw.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _fail(at, f"'{key}' must be a list of tables")
    if len(items) > limit:
        raise _fail(at, f"more than {limit} {key}")
    return items


def _notches(raw: dict[str, Any], segments: tuple[Segment, ...], fold: str | None, at: str):
    result = []
    for i, table in enumerate(_list_of_tables(raw, "notches", MAX_NOTCHES, at)):
        where = f"{at}, notch {i + 1}"
        edge = _own_edge(table.get("edge"), segments, fold, f"{where}, edge", "notch")
        if "at" not in table:
            raise _fail(where, "missing field 'at' (cm along the edge from its start)")
        check_formula(table["at"], f"{where} on '{edge}', at")
        result.append((edge, str(table["at"])))
    return tuple(result)


def _lines(raw: dict[str, Any], at: str) -> tuple[tuple[str, str], ...]:
    result = []
    for i, table in enumerate(_list_of_tables(raw, "lines", MAX_LINES, at)):
        where = f"{at}, line {i + 1}"
        start, end = _name(table.get("from"), f"{where}, from"), _name(table.get("to"), f"{where}, to")
        if start == end:
            raise _fail(where, f"runs from '{start}' to itself")
        result.append((start, end))
    return tuple(result)


def _internal_darts(raw: dict[str, Any], segments: tuple[Segment, ...], at: str
                    ) -> tuple[InternalDartDefinition, ...]:
    result: list[InternalDartDefinition] = []
    edges = {s.edge for s in segments}
    for i, table in enumerate(_list_of_tables(raw, "darts", MAX_INTERNAL_DARTS, at)):
        name = _name(table.get("name"), f"{at}, dart {i + 1}, name")
        where = f"{at}, dart '{name}'"
        if name in edges:
            raise _fail(where, "the panel has an edge of the same name (a dart's name must differ from its edges')")
        if any(d.name == name for d in result):
            raise _fail(where, "two darts of the panel have this name")
        for key in ("x", "y", "width", "above", "below"):
            if key not in table:
                raise _fail(where, f"missing field '{key}'")
        formulas = {key: _formula(table, key, where, "0") for key in ("x", "y", "width", "above", "below")}
        result.append(InternalDartDefinition(name=name, **formulas))
    return tuple(result)


def _panel(raw: Any, where: str) -> PanelDefinition:
    if not isinstance(raw, dict):
        raise _fail(where, "must be a table")
    name = _name(raw.get("name"), f"{where}, name")
    at = f"{where} '{name}'"
    segments = _outline(raw, at)
    region, azimuth, side, layer, drop, frame, hang_from, align_edge = _placement(raw, at)
    for key, edge in (("hang_from", hang_from), ("align_edge", align_edge)):
        if edge and not any(seg.edge == edge for seg in segments):
            raise _fail(at, f"placement {key}: the panel has no edge '{edge}'")
    if hang_from and align_edge:
        raise _fail(at, "placement takes 'hang_from' or 'align_edge', not both")
    cut_count = raw.get("cut", 1)
    if not isinstance(cut_count, int) or isinstance(cut_count, bool) or not 1 <= cut_count <= 8:
        raise _fail(at, "'cut' must be an integer from 1 to 8")
    fold = _fold(raw, segments, at)
    interfacing = raw.get("interfacing", "")
    if interfacing not in ("", *INTERFACING_KINDS):
        raise _fail(at, f"unknown interfacing {interfacing!r} (expected one of {', '.join(INTERFACING_KINDS)})")
    return PanelDefinition(
        name=name,
        cut_count=cut_count,
        grain=_grain(raw, at),
        region=region,
        azimuth_deg=azimuth,
        side=side,
        layer=layer,
        drop=drop,
        frame=frame,
        hang_from=hang_from,
        align_edge=align_edge,
        segments=segments,
        fold=fold,
        allowance=_allowance(raw, segments, fold, at),
        notches=_notches(raw, segments, fold, at),
        lines=_lines(raw, at),
        internal_darts=_internal_darts(raw, segments, at),
        interfacing=interfacing,
    )


def _seams(raw: Any, panels: tuple[PanelDefinition, ...], where: str) -> tuple[SeamDefinition, ...]:
    if not isinstance(raw, list):
        raise _fail(where, "'seams' must be a list of tables")
    result = []
    for i, table in enumerate(raw):
        at = f"{where}, seam {i + 1}"
        if not isinstance(table, dict):
            raise _fail(at, "must be a table")
        if not isinstance(table.get("reversed", True), bool):
            raise _fail(at, "'reversed' must be true or false")
        kind = table.get("kind", "seam")
        if kind not in SEAM_KINDS:
            raise _fail(at, f"unknown seam kind '{kind}' (expected one of {', '.join(SEAM_KINDS)})")
        seam = SeamDefinition(
            a=_edge_ref(table.get("a"), f"{at}, a"),
            b=_edge_ref(table.get("b"), f"{at}, b"),
            reversed=table.get("reversed", True),
            ease_cm=_number(table, "ease", at, default=0.0),
            kind=kind,
        )
        for ref in (seam.a, seam.b):
            _check_edge_exists(ref, panels, at)
        result.append(seam)
    return tuple(result)


def _check_edge_exists(ref: EdgeRef, panels: tuple[PanelDefinition, ...], where: str) -> None:
    """``ref`` names an edge of the cut piece: not a fold; ``@mirror`` only on a folded panel."""
    panel = next((p for p in panels if p.name == ref.panel), None)
    if panel is None:
        raise _fail(where, f"no panel named '{ref.panel}'")
    base = ref.edge.removesuffix(MIRROR_SUFFIX)
    if not panel.has_edge(base):
        raise _fail(where, f"panel '{ref.panel}' has no edge '{base}'")
    if base == panel.fold:
        raise _fail(where, f"{ref} is the fold of panel '{ref.panel}', not an edge of the cut piece")
    if base != ref.edge:
        if panel.fold is None:
            raise _fail(where, f"{ref}: panel '{ref.panel}' is not cut on fold, so '{base}' has no mirror")
        if base in panel.fold_neighbours():
            raise _fail(
                where,
                f"{ref}: edge '{base}' meets the fold of '{ref.panel}' and joins its mirror into one edge; "
                f"name it {ref.panel}.{base}",
            )


def _formula(table: dict[str, Any], key: str, where: str, default: str) -> str:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _fail(where, f"field '{key}' must be a formula or a number of centimetres")
    check_formula(value, f"{where}, {key}")
    return str(value)


def _formula_pair(value: Any, where: str) -> tuple[str, str]:
    if not isinstance(value, list) or len(value) != 2:
        raise _fail(where, "must be a list of two formulas [x, y]")
    for text in value:
        if isinstance(text, bool) or not isinstance(text, (str, int, float)):
            raise _fail(where, "must be a list of two formulas [x, y]")
        check_formula(text, where)
    return str(value[0]), str(value[1])


def _fastener_panel(table: dict[str, Any], key: str, panels: dict[str, PanelDefinition], where: str) -> str:
    name = _name(table.get(key), f"{where}, {key}")
    if name not in panels:
        raise _fail(where, f"field '{key}' names no panel '{name}' (panels: {', '.join(panels)})")
    return name


def _fastener(table: Any, panels: dict[str, PanelDefinition], where: str) -> FastenerDefinition:
    if not isinstance(table, dict):
        raise _fail(where, "must be a table")
    name = _name(table.get("name", "fastener"), f"{where}, name")
    at = f"{where} '{name}'"
    kind = table.get("kind")
    if kind not in FASTENER_KINDS:
        raise _fail(at, f"unknown fastener kind '{kind}' (expected one of {', '.join(FASTENER_KINDS)}; "
                        f"a zip is a seam with kind = \"zip\")")
    a, b = _fastener_panel(table, "a", panels, at), _fastener_panel(table, "b", panels, at)
    if a == b:
        raise _fail(at, f"fastens panel '{a}' to itself; 'a' (the outer layer) and 'b' must be two panels")
    size = _formula(table, "size", at, str(DEFAULT_FASTENER_SIZE_CM[kind]))
    has_row, has_points = "along" in table, "points" in table
    if has_row == has_points:
        raise _fail(at, "give either a row ('along' an edge of panel a, with 'count') or explicit 'points'")
    if has_points:
        raw = table["points"]
        if not isinstance(raw, list) or not raw or not all(isinstance(p, dict) for p in raw):
            raise _fail(at, "'points' must be a non-empty list of tables { a = [x, y], b = [x, y] }")
        points = tuple((*_formula_pair(p.get("a"), f"{at}, point {i + 1}, a"),
                        *_formula_pair(p.get("b"), f"{at}, point {i + 1}, b")) for i, p in enumerate(raw))
        return FastenerDefinition(name=name, kind=kind, a=a, b=b, size=size, points=points)
    along = _own_edge(table["along"], panels[a].segments, panels[a].fold, f"{at}, along", "'along'")
    count = table.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_FASTENERS:
        raise _fail(at, f"'count' must be an integer from 1 to {MAX_FASTENERS}")
    offset = _formula_pair(table["offset"], f"{at}, offset") if "offset" in table else ("0", "0")
    direction = (_formula_pair(table["inset_direction"], f"{at}, inset_direction")
                 if "inset_direction" in table else ())
    return FastenerDefinition(
        name=name, kind=kind, a=a, b=b, size=size, along=along, count=count,
        start=_formula(table, "start", at, "0"), end=_formula(table, "end", at, "edge_length"),
        inset=_formula(table, "inset", at, "1"), offset=offset, inset_direction=direction,
    )


def _fasteners(raw: Any, panels: tuple[PanelDefinition, ...], where: str) -> tuple[FastenerDefinition, ...]:
    if not isinstance(raw, list):
        raise _fail(where, "'fasteners' must be a list of tables")
    by_name = {p.name: p for p in panels}
    result = tuple(_fastener(t, by_name, f"{where}, fastener {i + 1}") for i, t in enumerate(raw))
    total = sum(f.count or len(f.points) for f in result)
    if total > MAX_FASTENERS:
        raise _fail(where, f"{total} fasteners, more than {MAX_FASTENERS}")
    return result


# --------------------------------------------------------------------------- entry points


def parse_definition(data: dict[str, Any], source: str = "definition") -> PatternDefinition:
    """Validate a parsed TOML table and return a :class:`PatternDefinition`."""
    where = source
    name = _name(data.get("name"), f"{where}, name")
    measurements = data.get("measurements", [])
    if not isinstance(measurements, list):
        raise _fail(where, "'measurements' must be a list of measurement names")
    measurements = tuple(measurements)
    for m in measurements:
        if m not in MEASUREMENT_NAMES:
            raise _fail(where, f"unknown measurement '{m}' (known: {', '.join(MEASUREMENT_NAMES)})")
    panels_raw = _require(data, "panels", list, where)
    if not panels_raw:
        raise _fail(where, "a pattern needs at least one panel")
    panels = tuple(_panel(p, f"{where}, panel {i + 1}") for i, p in enumerate(panels_raw))
    names = [p.name for p in panels]
    if len(set(names)) != len(names):
        raise _fail(where, "panel names must be unique")
    by_name = {p.name: p for p in panels}
    for panel in panels:
        if panel.frame:
            other = by_name.get(panel.frame)
            if other is None or other is panel or other.frame:
                raise _fail(where, f"panel '{panel.name}': placement frame '{panel.frame}' must name another, unframed panel")
            if (other.region, other.side) != (panel.region, panel.side):
                raise _fail(where, f"panel '{panel.name}': placement frame '{panel.frame}' is placed in another region")
    anchors_table = data.get("anchors", {})
    anchors_raw = anchors_table.get("edges", []) if isinstance(anchors_table, dict) else None
    if not isinstance(anchors_raw, list):
        raise _fail(where, "'anchors' must be a table with edges = [\"panel.edge\", ...]")
    anchors = tuple(_edge_ref(a, f"{where}, anchors") for a in anchors_raw)
    for ref in anchors:
        _check_edge_exists(ref, panels, f"{where}, anchors")
    return PatternDefinition(
        name=name,
        label=str(data.get("label", name)),
        description=str(data.get("description", "")),
        measurements=measurements,
        parameters=_parameters(data.get("parameters", {}), where),
        points=_points(data.get("points"), where),
        panels=panels,
        seams=_seams(data.get("seams", []), panels, where),
        anchors=anchors,
        fasteners=_fasteners(data.get("fasteners", []), panels, where),
        fit=parse_fit(data, set(names), where),
        fabric_stretch=_fabric_stretch(data, where),
    )


def _fabric_stretch(data: dict[str, Any], where: str) -> float:
    value = _number(data, "fabric_stretch", where, default=0.0)
    if not 0.0 <= value <= MAX_FABRIC_STRETCH:
        raise _fail(where, f"fabric_stretch {value:g} % is outside [0, {MAX_FABRIC_STRETCH:g}] %")
    parameters = data.get("parameters", {})
    if isinstance(parameters, dict) and "fabric_stretch" in parameters:
        raise _fail(where, "parameter 'fabric_stretch': the name is the fabric's stretch, taken by formulas")
    return value


def read_toml_text(text: str | bytes, source: str, what: str, max_bytes: int,
                   error: type[InvalidPatternError] = InvalidPatternError) -> dict[str, Any]:
    """TOML text of an upload or a file as a table, refusing oversized, non-UTF-8 or malformed text."""
    if len(text) > max_bytes:
        raise error(f"{source}: {what} larger than {max_bytes // 1024} KiB")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise error(f"{source}: {what} is not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML: {exc}") from None


def parse_definition_text(text: str | bytes, source: str = "definition") -> PatternDefinition:
    """Parse TOML text (an upload or a library file) into a definition."""
    return parse_definition(read_toml_text(text, source, "definition", MAX_DEFINITION_BYTES), source)


def load_definition(path: Path) -> PatternDefinition:
    return parse_definition_text(path.read_bytes(), source=path.name)
