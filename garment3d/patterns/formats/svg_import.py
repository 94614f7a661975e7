"""Read back an SVG written by :mod:`svg_export` (pieces in mm, pattern coordinates).

Only garment3d's own layout is understood: ``g.piece`` groups holding a
``g.geometry`` with ``path.cut``, ``path.sew`` (absolute M/L/Z only),
``polyline.internal``, ``line.notch``, ``line.grain``, ``circle.drill``,
``line.fold`` (a piece cut on fold) and the fastener marks ``circle.fastener``
with their ``line.buttonhole``.
Anything else is refused with :class:`ImportFormatError`.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from garment3d.errors import ImportFormatError
from garment3d.patterns.formats.fastener_marks import FastenerMark, opening_from_line
from garment3d.patterns.formats.imported import ImportedPattern, ImportedPiece, ccw_loop
from garment3d.patterns.formats.limits import MAX_ABS_COORDINATE, MAX_FILE_BYTES, MAX_PIECES, MAX_POINTS
from garment3d.types import FASTENER_KINDS

__all__ = ["read_svg"]

_SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_PATH_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _fail(source: str, message: str) -> ImportFormatError:
    return ImportFormatError(f"{source}: {message}")


def _numbers(text: str, source: str, budget: list[int]) -> np.ndarray:
    values = [float(v) for v in _NUMBER.findall(text or "")]
    budget[0] -= len(values)
    if budget[0] < 0:
        raise _fail(source, f"more than {MAX_POINTS} coordinates")
    array = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(array)) or np.any(np.abs(array) > MAX_ABS_COORDINATE):
        raise _fail(source, "a coordinate is not finite or out of range")
    return array


def _closed_path(d: str, source: str, budget: list[int]) -> np.ndarray:
    tokens = _PATH_TOKEN.findall(d or "")
    letters = {t for t in tokens if t.isalpha()}
    if not tokens or tokens[0] != "M" or tokens[-1] != "Z" or letters - {"M", "L", "Z"} or tokens.count("Z") != 1:
        raise _fail(source, "only closed absolute paths (M ... L ... Z) written by garment3d are supported")
    points = _numbers(" ".join(t for t in tokens if not t.isalpha()), source, budget)
    if len(points) % 2 or len(points) < 6:
        raise _fail(source, "a path needs at least three x,y points")
    loop = points.reshape(-1, 2) / 10.0
    if np.allclose(loop[0], loop[-1]):
        loop = loop[:-1]
    return ccw_loop(loop)[0]


def _attr_floats(element, names: tuple[str, ...], source: str) -> np.ndarray:
    try:
        values = np.array([float(element.get(n)) for n in names])
    except (TypeError, ValueError):
        raise _fail(source, f"<{element.tag.removeprefix(_SVG)}> lacks numeric {', '.join(names)}") from None
    if not np.all(np.isfinite(values)) or np.any(np.abs(values) > MAX_ABS_COORDINATE):
        raise _fail(source, "a coordinate is not finite or out of range")
    return values


def _marks(by_class: dict[str, list], where: str) -> tuple[FastenerMark, ...]:
    holes = {}
    for line in by_class.get("buttonhole", []):
        holes[line.get("data-fastener", "")] = _attr_floats(line, ("x1", "y1", "x2", "y2"), where).reshape(2, 2) / 10.0
    marks = []
    for circle in by_class.get("fastener", []):
        name, kind, side = circle.get("data-fastener", ""), circle.get("data-kind", ""), circle.get("data-side", "")
        if not name or kind not in FASTENER_KINDS or side not in ("a", "b"):
            raise _fail(where, f"a fastener mark needs data-fastener, a data-kind of {', '.join(FASTENER_KINDS)} "
                               f"and data-side a or b (got {name!r}, {kind!r}, {side!r})")
        size = _attr_floats(circle, ("data-size",), where)[0]
        if not 0.0 < size <= 10.0:
            raise _fail(where, f"fastener '{name}' size {size:g} cm is outside (0, 10] cm")
        point = _attr_floats(circle, ("cx", "cy"), where) / 10.0
        opening = opening_from_line(point, holes[name]) if name in holes and side == "a" else None
        marks.append(FastenerMark(name=name, kind=kind, side=side, point=point, size_cm=float(size),
                                  opening=opening, mirrored=circle.get("data-mirror") == "1"))
    return tuple(marks)


def _piece(group, source: str, budget: list[int]) -> ImportedPiece:
    name = group.get("data-piece") or group.get("id") or "piece"
    where = f"{source}, piece '{name}'"
    geometry = next((g for g in group.iter(f"{_SVG}g") if g.get("class") == "geometry"), None)
    if geometry is None:
        raise _fail(where, "no geometry group")
    by_class: dict[str, list] = {}
    for element in geometry:
        by_class.setdefault(element.get("class", ""), []).append(element)
    cuts = by_class.get("cut", [])
    if len(cuts) != 1:
        raise _fail(where, f"expected one cut line, found {len(cuts)}")
    sews = by_class.get("sew", [])
    grain = by_class.get("grain", [])
    folds = by_class.get("fold", [])
    if len(folds) > 1:
        raise _fail(where, f"expected at most one fold line, found {len(folds)}")
    quantity = group.get("data-quantity", "1")
    if not quantity.isdigit() or not 1 <= int(quantity) <= 1000:
        raise _fail(where, f"quantity {quantity!r} is not a whole number from 1 to 1000")
    return ImportedPiece(
        name=name,
        size=group.get("data-size", ""),
        quantity=int(quantity),
        cut_line=_closed_path(cuts[0].get("d"), where, budget),
        sew_line=_closed_path(sews[0].get("d"), where, budget) if sews else None,
        grain_line=(_attr_floats(grain[0], ("x1", "y1", "x2", "y2"), where).reshape(2, 2) / 10.0) if grain else None,
        notches=np.array(
            [_attr_floats(n, ("x1", "y1", "x2", "y2"), where).reshape(2, 2) / 10.0 for n in by_class.get("notch", [])]
        ).reshape(-1, 2, 2),
        internal_lines=tuple(
            _numbers(p.get("points"), where, budget).reshape(-1, 2) / 10.0 for p in by_class.get("internal", [])
        ),
        drill_holes=np.array(
            [_attr_floats(c, ("cx", "cy"), where) / 10.0 for c in by_class.get("drill", [])]
        ).reshape(-1, 2),
        source=group.get("id", name),
        fold_line=(_attr_floats(folds[0], ("x1", "y1", "x2", "y2"), where).reshape(2, 2) / 10.0) if folds else None,
        fastener_marks=_marks(by_class, where),
    )


def read_svg(source: Path | bytes, name: str | None = None) -> ImportedPattern:
    """Pieces of a garment3d SVG (cm); raises ImportFormatError on anything else."""
    label = Path(source).name if isinstance(source, (str, Path)) else (name or "SVG")
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else bytes(source)
    if len(data) > MAX_FILE_BYTES:
        raise _fail(label, f"file larger than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _fail(label, f"refused unsafe XML ({type(exc).__name__})") from None
    except ElementTree.ParseError as exc:
        raise _fail(label, f"not valid XML: {exc}") from None
    if root.tag != f"{_SVG}svg":
        raise _fail(label, "not an SVG document")
    groups = [g for g in root.iter(f"{_SVG}g") if g.get("class") == "piece"]
    if not groups:
        raise _fail(label, "no garment3d pattern pieces (g class='piece') in this SVG")
    if len(groups) > MAX_PIECES:
        raise _fail(label, f"more than {MAX_PIECES} pieces")
    budget = [2 * MAX_POINTS]
    pieces = tuple(_piece(g, label, budget) for g in groups)
    title = root.find(f"{_SVG}title")
    pattern_name = groups[0].get("data-pattern") or (title.text if title is not None else label)
    return ImportedPattern(
        name=pattern_name or label,
        format="svg",
        units="mm",
        units_source="garment3d SVG (1 user unit = 1 mm)",
        pieces=pieces,
    )
