"""Fasteners on cut pieces: where exports mark them and how imports pair them up again.

A fastener joins a point of its outer panel ``a`` to a point of panel ``b``
(:class:`~garment3d.types.Fastener`). On a cut piece each side is a
:class:`FastenerMark`: a drill hole at the point, as pattern CAD marks button
and snap positions (DXF-AAMA layer 13), and, on the outer side of a button, the
buttonhole as a line (layer 8, an internal line): cut along the fastener's
``opening`` direction (square to the edge the row runs along), starting
``BUTTONHOLE_BEYOND_CM`` past the button's centre towards the edge (where the
shank rests when the garment pulls) and ``BUTTONHOLE_EASE_CM`` longer than the
button is wide.

Which drill hole is which fastener is written in words next to it, as pattern
CAD writes piece facts (``Piece Name: ...``)::

    Fastener: buttons[3] button a 1.2 cm

(name, kind, side ``a`` or ``b``, size). An import pairs the ``a`` and ``b``
marks of the same name on the pieces of one size back into fasteners
(:func:`fasteners_from_marks`). A point on the mirrored half of a piece cut on
fold is marked at its mirror image on the drawn half (drilled through both
layers) and written ``... a 1.2 cm mirror``, so the import puts it back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from garment3d.errors import InvalidPatternError
from garment3d.patterns.fold import fold_segment
from garment3d.types import FASTENER_KINDS, Fastener, Panel, Pattern

__all__ = [
    "BUTTONHOLE_BEYOND_CM",
    "BUTTONHOLE_EASE_CM",
    "FastenerMark",
    "buttonhole",
    "fastener_marks",
    "fasteners_from_marks",
    "mark_text",
    "parse_mark_text",
    "reflect",
]

BUTTONHOLE_BEYOND_CM = 0.3  # a buttonhole runs this far past the button's centre towards the edge
BUTTONHOLE_EASE_CM = 0.3  # and is this much longer than the button is wide
MARK_MATCH_CM = 0.05  # an imported mark lies this close to its drill hole / buttonhole line
INSIDE_TOLERANCE_CM = 0.05  # an imported fastener point may lie this far outside its piece

_TEXT = re.compile(
    r"^\s*Fastener:\s*(?P<name>\S+)\s+(?P<kind>[a-z_]+)\s+(?P<side>[ab])\s+(?P<size>[0-9]*\.?[0-9]+)\s*cm"
    r"(?P<mirror>\s+mirror)?\s*$"
)


@dataclass(frozen=True)
class FastenerMark:
    """One side of a fastener on one cut piece.

    point      : (2,) float64 cm in the piece's frame (on the drawn half of a piece cut on fold).
    side       : "a" (the outer panel: buttonhole, stud cap, frog knot, hook) or "b" (button, socket, loop, eye).
    opening    : (2,) unit vector from the point towards the opening edge, or None (not known).
    mirrored   : the fastener's point is the mirror image of ``point`` across the piece's fold line.
    """

    name: str
    kind: str
    side: str
    point: np.ndarray
    size_cm: float
    opening: np.ndarray | None = None
    mirrored: bool = False

    @property
    def buttonhole(self) -> np.ndarray | None:
        """(2, 2) cm, the buttonhole's outer then inner end, on a button's outer side; else None."""
        if self.kind != "button" or self.side != "a" or self.opening is None:
            return None
        return buttonhole(self.point, self.opening, self.size_cm)


def buttonhole(point: np.ndarray, opening: np.ndarray, size_cm: float) -> np.ndarray:
    """(2, 2) cm: outer and inner end of the buttonhole for a button of ``size_cm`` centred at ``point``."""
    outer = np.asarray(point, np.float64) + BUTTONHOLE_BEYOND_CM * np.asarray(opening, np.float64)
    return np.vstack([outer, outer - (size_cm + BUTTONHOLE_EASE_CM) * np.asarray(opening, np.float64)])


def reflect(point: np.ndarray, line: np.ndarray) -> np.ndarray:
    """(2,) ``point`` mirrored across the straight line through the two points of ``line`` (2, 2)."""
    a, b = np.asarray(line, np.float64)
    d = (b - a) / max(float(np.linalg.norm(b - a)), 1e-12)
    rel = np.asarray(point, np.float64) - a
    return a + 2.0 * np.dot(rel, d) * d - rel


def _on_drawn_half(panel: Panel, point: np.ndarray) -> tuple[np.ndarray, bool]:
    """(the point on the panel's drawn outline, whether it was mirrored there across the fold)."""
    if panel.fold is None or shapely.Polygon(panel.outline).buffer(INSIDE_TOLERANCE_CM).covers(shapely.Point(point)):
        return np.asarray(point, np.float64), False
    return reflect(point, np.vstack(fold_segment(panel))), True


def _mirror_direction(direction: np.ndarray | None, panel: Panel) -> np.ndarray | None:
    if direction is None:
        return None
    a, b = fold_segment(panel)
    return reflect(direction, np.vstack([np.zeros(2), b - a]))


def fastener_marks(pattern: Pattern, panel: Panel) -> tuple[FastenerMark, ...]:
    """The marks of every fastener side on ``panel``, in the pattern's fastener order."""
    marks = []
    for fastener in pattern.fasteners:
        for side, name, point in (("a", fastener.a, fastener.a_point), ("b", fastener.b, fastener.b_point)):
            if name != panel.name:
                continue
            at, mirrored = _on_drawn_half(panel, point)
            opening = fastener.opening if side == "a" else None
            if mirrored:
                opening = _mirror_direction(opening, panel)
            if opening is not None:
                opening = np.asarray(opening, np.float64) / max(float(np.linalg.norm(opening)), 1e-12)
            marks.append(FastenerMark(name=fastener.name, kind=fastener.kind, side=side, point=at,
                                      size_cm=float(fastener.size_cm), opening=opening, mirrored=mirrored))
    return tuple(marks)


def _text_name(name: str) -> str:
    return re.sub(r"\s+", "_", name.strip()) or "fastener"


def mark_text(mark: FastenerMark) -> str:
    """The words written next to a mark's drill hole (module docstring)."""
    text = f"Fastener: {_text_name(mark.name)} {mark.kind} {mark.side} {mark.size_cm:g} cm"
    return text + " mirror" if mark.mirrored else text


def parse_mark_text(text: str) -> tuple[str, str, str, float, bool] | None:
    """(name, kind, side, size cm, mirrored) of a mark's words, or None when ``text`` is not one."""
    match = _TEXT.match(text or "")
    if match is None or match.group("kind") not in FASTENER_KINDS:
        return None
    size = float(match.group("size"))
    if not 0.0 < size <= 10.0:
        return None
    return match.group("name"), match.group("kind"), match.group("side"), size, bool(match.group("mirror"))


def opening_from_line(point: np.ndarray, line: np.ndarray) -> np.ndarray | None:
    """The opening direction a buttonhole ``line`` (2, 2) was cut along for a button at ``point``:
    from the end farther from the point to the nearer one (the buttonhole runs past the point towards
    the edge by less than it runs inwards). None when the line does not pass through the point."""
    line = np.asarray(line, np.float64)
    direction = line[1] - line[0]
    length = float(np.linalg.norm(direction))
    if length < 1e-9:
        return None
    if shapely.LineString(line).distance(shapely.Point(point)) > MARK_MATCH_CM:
        return None
    near, far = sorted(line, key=lambda end: float(np.linalg.norm(end - point)))
    return (near - far) / length


def fasteners_from_marks(pattern_name: str, pieces: Sequence[tuple[Panel, Iterable[FastenerMark]]]) -> tuple[Fastener, ...]:
    """The fasteners whose two sides are marked on ``pieces`` (panels of one size with their marks).

    Each name must have one ``a`` and one ``b`` mark on two different pieces, of one kind and size, and
    each point must lie inside its piece; otherwise the error names the fastener and what is wrong.
    """
    sides: dict[str, dict[str, tuple[Panel, FastenerMark]]] = {}
    order: list[str] = []
    for panel, marks in pieces:
        for mark in marks:
            if mark.name not in sides:
                sides[mark.name] = {}
                order.append(mark.name)
            if mark.side in sides[mark.name]:
                other = sides[mark.name][mark.side][0].name
                raise InvalidPatternError(f"{pattern_name}: fastener '{mark.name}' has two '{mark.side}' marks "
                                          f"(pieces '{other}' and '{panel.name}')")
            sides[mark.name][mark.side] = (panel, mark)
    result = []
    for name in order:
        found = sides[name]
        missing = [s for s in ("a", "b") if s not in found]
        if missing:
            panel = next(iter(found.values()))[0].name
            raise InvalidPatternError(f"{pattern_name}: fastener '{name}' is marked on piece '{panel}' but its "
                                      f"'{missing[0]}' side is on no piece of this size")
        (panel_a, a), (panel_b, b) = found["a"], found["b"]
        if panel_a.name == panel_b.name or a.kind != b.kind or abs(a.size_cm - b.size_cm) > 1e-6:
            raise InvalidPatternError(f"{pattern_name}: fastener '{name}': its two marks must be on two pieces "
                                      f"and agree on kind and size ({a.kind} {a.size_cm:g} cm on '{panel_a.name}', "
                                      f"{b.kind} {b.size_cm:g} cm on '{panel_b.name}')")
        points = []
        for panel, mark in ((panel_a, a), (panel_b, b)):
            point = reflect(mark.point, np.vstack(fold_segment(panel))) if mark.mirrored else mark.point
            check_inside(pattern_name, name, panel, point)
            points.append(point)
        opening = a.opening
        if opening is not None and a.mirrored:
            opening = _mirror_direction(opening, panel_a)
        result.append(Fastener(kind=a.kind, a=panel_a.name, a_point=points[0], b=panel_b.name, b_point=points[1],
                               size_cm=a.size_cm, name=name, opening=opening))
    return tuple(result)


def check_inside(pattern_name: str, name: str, panel: Panel, point: np.ndarray) -> None:
    """Raise unless ``point`` lies inside ``panel`` (its whole, unfolded piece) within the tolerance."""
    from garment3d.patterns.fold import unfold

    whole = shapely.Polygon(unfold(panel).outline)
    outside = float(whole.exterior.distance(shapely.Point(point))) if not whole.covers(shapely.Point(point)) else 0.0
    if outside > INSIDE_TOLERANCE_CM:
        raise InvalidPatternError(f"{pattern_name}: fastener '{name}' point ({point[0]:.2f}, {point[1]:.2f}) cm lies "
                                  f"{outside:.2f} cm outside piece '{panel.name}'")
