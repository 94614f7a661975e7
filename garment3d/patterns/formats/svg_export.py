"""SVG export at 1:1 (one user unit = 1 mm), readable back by :mod:`svg_import`.

Each piece is a group ``<g class="piece" data-piece=... data-size=... data-quantity=...>``
translated onto the sheet; inside it a ``<g class="geometry" transform="scale(1 -1)">``
holds the geometry in pattern coordinates (mm, y up): the cut line
(``path.cut``, solid), the sew line (``path.sew``, dashed), internal lines
(``polyline.internal``), notches (``line.notch``), drill holes
(``circle.drill``), the grain line (``line.grain``, arrows at both ends),
each fastener side (``circle.fastener``: a circle the size of the button, stud
or knot with ``data-fastener``, ``data-kind``, ``data-side`` "a" or "b",
``data-size`` cm and ``data-mirror`` on a piece cut on fold; a button's
buttonhole as ``line.buttonhole``, see ``fastener_marks``) and, for a piece cut
on fold, the fold line (``line.fold``, labelled "CUT ON FOLD").
The seam allowance is the tinted band between cut and sew line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from garment3d.patterns.formats.pieces import CutPiece, SeamAllowance, cut_pieces
from garment3d.patterns.formats.sheet import SCALE_SQUARE_MM, Sheet, SheetPiece, layout_sheet
from garment3d.types import Pattern

__all__ = [
    "pattern_to_svg",
    "write_pattern_svg",
    "pieces_to_svg",
    "collect_pieces",
    "sheet_title",
    "fold_label_at",
    "FOLD_LABEL",
]

FOLD_LABEL = "CUT ON FOLD"

_STYLE = (
    ".cut{fill:#efe7d6;stroke:#111;stroke-width:0.6}"
    ".sew{fill:#fffdf8;stroke:#555;stroke-width:0.35;stroke-dasharray:4 2}"
    ".internal{fill:none;stroke:#555;stroke-width:0.35;stroke-dasharray:1.5 1.5}"
    ".notch{stroke:#111;stroke-width:0.6}"
    ".drill{fill:none;stroke:#111;stroke-width:0.4}"
    ".fastener{fill:none;stroke:#6b3d12;stroke-width:0.4}.buttonhole{stroke:#6b3d12;stroke-width:0.8}"
    ".gather{fill:none;stroke:#2f6b2f;stroke-width:0.5}.gather-label{font-size:5px;fill:#2f6b2f}"
    ".grain{stroke:#1f3a7a;stroke-width:0.5}"
    ".fold{stroke:#7a1f1f;stroke-width:0.8;stroke-dasharray:8 2 2 2}.fold-label{font-size:7px;fill:#7a1f1f}"
    ".scale-square{fill:none;stroke:#111;stroke-width:0.4}"
    "text{font-family:sans-serif;fill:#222}"
    ".name{font-size:12px;font-weight:bold}.info{font-size:7px}.title{font-size:9px}"
)


def collect_pieces(
    patterns: Pattern | Sequence[Pattern], seam_allowance: SeamAllowance | None = None
) -> tuple[CutPiece, ...]:
    """Cut pieces of one pattern or of several (a graded nest), in order.

    ``seam_allowance`` None: each panel's own allowances (see ``resolve_allowances``).
    """
    if isinstance(patterns, Pattern):
        patterns = [patterns]
    return tuple(piece for pattern in patterns for piece in cut_pieces(pattern, seam_allowance))


def sheet_title(pieces: Sequence[CutPiece]) -> str:
    names = list(dict.fromkeys(p.pattern for p in pieces))
    sizes = list(dict.fromkeys(p.size for p in pieces))
    return f"{', '.join(names)} | size {', '.join(sizes)}"


def _f(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _path(points_mm: np.ndarray) -> str:
    return "M " + " L ".join(f"{_f(x)},{_f(y)}" for x, y in points_mm) + " Z"


def _points(points_mm: np.ndarray) -> str:
    return " ".join(f"{_f(x)},{_f(y)}" for x, y in points_mm)


def _mm(points_cm) -> np.ndarray:
    """Pattern cm -> pattern mm (y stays up; the geometry group flips it)."""
    return np.asarray(points_cm) * 10.0


def fold_label_at(fold_line_cm: np.ndarray, height_cm: float = 0.7) -> tuple[np.ndarray, float]:
    """(baseline start of the "CUT ON FOLD" label, pattern cm; its angle, degrees counter-clockwise).

    The label runs along the middle of the fold line, upright, just inside the
    piece (the fold line runs counter-clockwise round the cut line, so the piece
    lies on its left); ``height_cm`` is the text's height.
    """
    a, b = np.asarray(fold_line_cm, dtype=np.float64)
    direction = (b - a) / max(np.linalg.norm(b - a), 1e-12)
    inward = np.array([-direction[1], direction[0]])
    if direction[0] < -1e-9 or (abs(direction[0]) <= 1e-9 and direction[1] < 0):
        direction = -direction  # read left to right (or upwards)
    up = np.array([-direction[1], direction[0]])  # where the glyphs rise from the baseline
    inset = 0.4 if np.dot(up, inward) > 0 else 0.4 + height_cm
    width = 0.6 * height_cm * len(FOLD_LABEL)
    start = (a + b) / 2 - direction * width / 2 + inward * inset
    return start, float(np.degrees(np.arctan2(direction[1], direction[0])))


def _fold_parts(piece: CutPiece) -> tuple[list[str], list[str]]:
    """(fold line inside the geometry group, label outside it) of a piece cut on fold."""
    if piece.fold_line is None:
        return [], []
    (x1, y1), (x2, y2) = _mm(piece.fold_line)
    line = f'    <line class="fold" x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}"/>'
    (lx, ly), angle = fold_label_at(piece.fold_line)
    x, y = lx * 10.0, -ly * 10.0
    label = (
        f'  <text class="fold-label" x="{_f(x)}" y="{_f(y)}" transform="rotate({_f(-angle)} {_f(x)} {_f(y)})">'
        f"{FOLD_LABEL}</text>"
    )
    return [line], [label]


def _fastener_parts(piece: CutPiece) -> list[str]:
    """Each fastener side: a circle the trim's size at its point, and a button's buttonhole."""
    parts = []
    for mark in piece.fastener_marks:
        (x, y), = _mm([mark.point])
        mirror = ' data-mirror="1"' if mark.mirrored else ""
        parts.append(
            f'    <circle class="fastener" data-fastener={quoteattr(mark.name)} data-kind="{mark.kind}" '
            f'data-side="{mark.side}" data-size="{_f(mark.size_cm)}"{mirror} cx="{_f(x)}" cy="{_f(y)}" '
            f'r="{_f(mark.size_cm * 5.0)}"/>')
        if mark.buttonhole is not None:
            (x1, y1), (x2, y2) = _mm(mark.buttonhole)
            parts.append(f'    <line class="buttonhole" data-fastener={quoteattr(mark.name)} x1="{_f(x1)}" '
                         f'y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}"/>')
    return parts


def _gather_parts(piece: CutPiece) -> tuple[list[str], list[str]]:
    """(each gathered edge's wavy line inside the geometry group, its words outside it)."""
    lines, labels = [], []
    for mark in piece.gather_marks:
        lines.append(f'    <polyline class="gather" data-edge={quoteattr(mark.edge)} data-ratio="{mark.ratio:.4f}" '
                     f'points="{_points(_mm(mark.wave))}"/>')
        x, y = mark.label_at[0] * 10.0, -mark.label_at[1] * 10.0
        labels.append(f'  <text class="gather-label" x="{_f(x)}" y="{_f(y)}" '
                      f'transform="rotate({_f(-mark.angle_deg)} {_f(x)} {_f(y)})">{escape(mark.label)}</text>')
    return lines, labels


def _piece_group(placed: SheetPiece) -> str:
    piece = placed.piece
    mm = _mm
    parts = [
        f'<g class="piece" id={quoteattr(f"piece-{piece.name}-{piece.size}")} data-piece={quoteattr(piece.name)} '
        f"data-pattern={quoteattr(piece.pattern)} data-size={quoteattr(piece.size)} "
        f'data-quantity="{piece.quantity}" transform="translate({_f(placed.dx)} {_f(placed.dy)})">',
        '  <g class="geometry" transform="scale(1 -1)">',
        f'    <path class="cut" d="{_path(mm(piece.cut_line))}"/>',
        f'    <path class="sew" d="{_path(mm(piece.sew_line))}"/>',
    ]
    for line in piece.internal_lines:
        parts.append(f'    <polyline class="internal" points="{_points(mm(line))}"/>')
    for a, b in mm(piece.notches):
        parts.append(f'    <line class="notch" x1="{_f(a[0])}" y1="{_f(a[1])}" x2="{_f(b[0])}" y2="{_f(b[1])}"/>')
    for x, y in mm(piece.drill_holes):
        parts.append(f'    <circle class="drill" cx="{_f(x)}" cy="{_f(y)}" r="1.5"/>')
    parts.extend(_fastener_parts(piece))
    (x1, y1), (x2, y2) = mm(piece.grain_line)
    parts.append(
        f'    <line class="grain" x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" '
        'marker-start="url(#grain-tail)" marker-end="url(#grain-head)"/>'
    )
    fold_line, fold_label = _fold_parts(piece)
    parts.extend(fold_line)
    gather_lines, gather_labels = _gather_parts(piece)
    parts.extend(gather_lines)
    parts.append("  </g>")
    parts.extend(fold_label)
    parts.extend(gather_labels)
    lx, ly = mm(piece.label_at)
    lines = [
        ("name", piece.name),
        ("info", f"{piece.pattern} | size {piece.size}"),
        ("info", f"cut {piece.quantity}"),
    ]
    if piece.interfacing:
        lines.append(("info", f"interfacing: {piece.interfacing}, cut {piece.quantity}"))
    for i, (kind, text) in enumerate(lines):
        parts.append(f'  <text class="{kind}" x="{_f(lx + 4)}" y="{_f(-ly + 12 * i)}">{escape(text)}</text>')
    parts.append("</g>")
    return "\n".join(parts) + "\n"


def pieces_to_svg(sheet: Sheet) -> str:
    """The SVG document of a laid-out sheet."""
    sx, sy = sheet.scale_square
    header = (
        f'<g id="sheet-header"><text class="title" x="{_f(sx)}" y="{_f(sy - 3)}">{escape(sheet.title)}</text>\n'
        f'<rect class="scale-square" x="{_f(sx)}" y="{_f(sy)}" '
        f'width="{SCALE_SQUARE_MM:g}" height="{SCALE_SQUARE_MM:g}"/>\n'
        f'<text class="info" x="{_f(sx + SCALE_SQUARE_MM + 4)}" y="{_f(sy + 10)}">scale check: this square is '
        f"{SCALE_SQUARE_MM:g} mm x {SCALE_SQUARE_MM:g} mm</text></g>\n"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(sheet.width_mm)}mm" height="{_f(sheet.height_mm)}mm" '
        f'viewBox="0 0 {_f(sheet.width_mm)} {_f(sheet.height_mm)}" data-generator="garment3d" data-units="mm">\n'
        f"<title>{escape(sheet.title)}</title>\n"
        "<defs>\n"
        '  <marker id="grain-head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1f3a7a"/></marker>\n'
        '  <marker id="grain-tail" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#1f3a7a"/></marker>\n'
        f"  <style>{_STYLE}</style>\n"
        "</defs>\n" + header + "".join(_piece_group(p) for p in sheet.pieces) + "</svg>\n"
    )


def pattern_to_svg(pattern: Pattern | Sequence[Pattern], seam_allowance: SeamAllowance | None = None) -> str:
    """One pattern (or a graded nest of several) as an SVG sheet at 1:1 mm."""
    pieces = collect_pieces(pattern, seam_allowance)
    return pieces_to_svg(layout_sheet(pieces, sheet_title(pieces)))


def write_pattern_svg(
    pattern: Pattern | Sequence[Pattern], path: Path, seam_allowance: SeamAllowance | None = None
) -> Path:
    path = Path(path)
    path.write_text(pattern_to_svg(pattern, seam_allowance), encoding="utf-8")
    return path
