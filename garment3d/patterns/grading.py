"""Grading: one definition evaluated at several sizes, stacked into a graded nest.

A nest shows every size of a piece on top of each other, aligned at one
*grading reference point* per piece, the way a grader checks a size run: the
outlines must grow steadily and stay parallel. Two references are offered:

- ``"anchor"`` (default): the middle of the side where the piece hangs from the
  body, taken on the sew line's bounding box: its top centre for pieces placed
  at the waist, torso, arm or leg (waistline, shoulder line, sleeve cap,
  trouser waist: where :class:`~garment3d.types.Placement` anchors them) and its
  bottom centre for neck pieces (a collar rises from the neckline); for a
  piece cut on fold, the fold's end on that side (the fold is its centre
  line, the half piece's bounding box is not centred on it). The sizes
  then line up where they meet the body and the growth shows as it happens on
  the wearer: longer downward, wider to both sides. It needs nothing but the
  evaluated panel, so every garment in the library gets it without naming a
  point.
- ``"origin"``: the definition's own pattern origin (0, 0), left as drafted.
  Definitions place the origin on a construction line (the skirt's centre
  front at the waist), so this is the classic centre-line stack when the
  drafter chose it so; a piece whose formulas move it with the size drifts.

Each aligned size is an ordinary :class:`~garment3d.types.Pattern` whose
panels are translated so their reference point is at (0, 0); the DXF and PDF
writer takes the list as it takes any graded set (DXF-AAMA stacks the blocks
of a piece at one insert point, so the nest survives in the file).
:func:`nest_to_svg` and :func:`nest_to_pdf` draw the overlay: per piece, every
size's cut line and notches in its own colour, the grain line and the
reference point (a red cross) once, and a size legend with the colours.
Units: pattern cm in, SVG and PDF at 1:1 mm out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from garment3d.errors import InvalidMeasurementsError, InvalidRequestError, RenderError
from garment3d.patterns.definition import PatternDefinition
from garment3d.patterns.evaluate import evaluate
from garment3d.patterns.formats import cut_pieces, write_dxf
from garment3d.patterns.formats.limits import MAX_PDF_PAGE_MM
from garment3d.patterns.formats.pieces import CutPiece, SeamAllowance
from garment3d.sizes import parse_size
from garment3d.types import Panel, Pattern, Size

__all__ = [
    "GradedNest",
    "GRADING_REFERENCES",
    "NEST_FORMATS",
    "MAX_NEST_SIZES",
    "SIZE_COLOURS",
    "grade",
    "reference_point",
    "align_pattern",
    "nest_to_svg",
    "nest_to_pdf",
    "write_nest",
]

GRADING_REFERENCES = ("anchor", "origin")
NEST_FORMATS = ("svg", "dxf", "pdf")
# Okabe-Ito (colour-blind safe) first, then Tableau's remaining hues: one colour per size.
SIZE_COLOURS = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
    "#000000", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF", "#9467BD",
)
MAX_NEST_SIZES = len(SIZE_COLOURS)
_MARGIN_MM, _GAP_MM, _HEADER_MM, _ROW_WIDTH_MM, _SCALE_SQUARE_MM = 15.0, 30.0, 60.0, 1500.0, 50.0


@dataclass(frozen=True)
class GradedNest:
    """Several sizes of one definition, each panel moved so its reference point is at (0, 0).

    patterns : one per size, in the order asked for; ``patterns[i].size_label == sizes[i].label``.
    reference: the grading reference, one of :data:`GRADING_REFERENCES`.
    """

    name: str
    sizes: tuple[Size, ...]
    patterns: tuple[Pattern, ...]
    reference: str

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.label for s in self.sizes)


def reference_point(panel: Panel, reference: str = "anchor") -> np.ndarray:
    """(2,) float64 cm: the grading reference point of ``panel`` (see the module docstring)."""
    if reference == "origin":
        return np.zeros(2)
    if reference != "anchor":
        raise InvalidRequestError(f"unknown grading reference '{reference}' (known: {', '.join(GRADING_REFERENCES)})")
    low, high = panel.outline.min(axis=0), panel.outline.max(axis=0)
    hangs_below = panel.placement.region == "neck"
    if panel.fold:  # a half piece: its centre line is the fold, take the fold's end at that side
        ends = panel.edge_points(panel.fold)[[0, -1]]
        return ends[np.argmin(ends[:, 1]) if hangs_below else np.argmax(ends[:, 1])].astype(np.float64)
    return np.array([(low[0] + high[0]) / 2.0, low[1] if hangs_below else high[1]])


def align_pattern(pattern: Pattern, reference: str = "anchor") -> Pattern:
    """``pattern`` with every panel translated so its reference point is at (0, 0)."""
    panels = tuple(replace(p, outline=p.outline - reference_point(p, reference)) for p in pattern.panels)
    return replace(pattern, panels=panels)


def _sizes(sizes: Sequence[Size | str], gender: str) -> tuple[Size, ...]:
    if isinstance(sizes, (str, Size)):
        sizes = [sizes]
    result = tuple(parse_size(s, gender) if isinstance(s, str) else s for s in sizes)
    if not result:
        raise InvalidMeasurementsError("a graded nest needs at least one size")
    if len(result) > MAX_NEST_SIZES:
        raise InvalidMeasurementsError(f"a graded nest holds at most {MAX_NEST_SIZES} sizes, not {len(result)}")
    labels = [s.label for s in result]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise InvalidMeasurementsError(f"size(s) {', '.join(repeated)} given more than once")
    return result


def grade(
    definition: PatternDefinition,
    sizes: Sequence[Size | str],
    parameters: Mapping[str, float] | None = None,
    gender: str = "female",
    reference: str = "anchor",
) -> GradedNest:
    """Evaluate ``definition`` at every size (labels or :class:`Size`) with the same style parameters.

    Raises InvalidMeasurementsError for a label that is not a size (or one given
    twice), InvalidPatternError for bad parameters or a size the garment cannot
    be drafted at, InvalidRequestError for an unknown ``reference``.
    """
    if reference not in GRADING_REFERENCES:
        raise InvalidRequestError(f"unknown grading reference '{reference}' (known: {', '.join(GRADING_REFERENCES)})")
    chosen = _sizes(sizes, gender)
    patterns = tuple(
        align_pattern(evaluate(definition, s.measurements, parameters, size_label=s.label), reference) for s in chosen
    )
    return GradedNest(name=definition.name, sizes=chosen, patterns=patterns, reference=reference)


# --------------------------------------------------------------------------- SVG overlay


def _f(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _d(points_mm: np.ndarray) -> str:
    return "M " + " L ".join(f"{_f(x)},{_f(y)}" for x, y in points_mm) + " Z"


@dataclass(frozen=True)
class _Column:
    """All sizes of one piece and where their common origin lands on the sheet (mm, y down)."""

    name: str
    pieces: tuple[tuple[int, CutPiece], ...]  # (size index, piece)
    dx: float
    dy: float


def _columns(nest: GradedNest, seam_allowance: SeamAllowance | None) -> tuple[list[_Column], float, float]:
    by_name: dict[str, list[tuple[int, CutPiece]]] = {}
    for index, pattern in enumerate(nest.patterns):
        for piece in cut_pieces(pattern, seam_allowance):
            by_name.setdefault(piece.name, []).append((index, piece))
    columns, x, top, row_height, width = [], _MARGIN_MM, _MARGIN_MM + _HEADER_MM, 0.0, 0.0
    for name, pieces in by_name.items():
        points = np.vstack([p.cut_line for _, p in pieces]) * 10.0
        low, high = points.min(axis=0), points.max(axis=0)
        w, h = high - low
        if columns and x + w > _ROW_WIDTH_MM - _MARGIN_MM:
            x, top, row_height = _MARGIN_MM, top + row_height + _GAP_MM, 0.0
        columns.append(_Column(name, tuple(pieces), dx=x - low[0], dy=top + high[1]))
        x += w + _GAP_MM
        row_height, width = max(row_height, h), max(width, x - _GAP_MM + _MARGIN_MM)
    return columns, max(width, 2 * _MARGIN_MM + 400.0), top + row_height + _MARGIN_MM


def _column_svg(column: _Column, reference: str) -> str:
    parts = [
        f'<g class="nest-piece" data-piece={quoteattr(column.name)} '
        f'transform="translate({_f(column.dx)} {_f(column.dy)})">',
        '  <g class="geometry" transform="scale(1 -1)">',
    ]
    for index, piece in column.pieces:
        colour = SIZE_COLOURS[index]
        parts.append(
            f'    <path class="cut" data-size={quoteattr(piece.size)} stroke="{colour}" '
            f'd="{_d(piece.cut_line * 10.0)}"/>'
        )
        for a, b in piece.notches * 10.0:
            parts.append(
                f'    <line class="notch" data-size={quoteattr(piece.size)} stroke="{colour}" '
                f'x1="{_f(a[0])}" y1="{_f(a[1])}" x2="{_f(b[0])}" y2="{_f(b[1])}"/>'
            )
    base = column.pieces[0][1]
    (x1, y1), (x2, y2) = base.grain_line * 10.0
    parts.append(
        f'    <line class="grain" x1="{_f(x1)}" y1="{_f(y1)}" x2="{_f(x2)}" y2="{_f(y2)}" '
        'marker-start="url(#grain-tail)" marker-end="url(#grain-head)"/>'
    )
    parts.append('    <path class="reference" d="M -6,0 L 6,0 M 0,-6 L 0,6"/><circle class="reference" r="3"/>')
    parts.append("  </g>")
    lx, ly = base.label_at * 10.0
    texts = [("name", column.name), ("info", f"cut {base.quantity} | reference: {reference}")]
    for i, (kind, text) in enumerate(texts):
        parts.append(f'  <text class="{kind}" x="{_f(lx + 4)}" y="{_f(-ly + 12 * i)}">{escape(text)}</text>')
    parts.append("</g>")
    return "\n".join(parts) + "\n"


_STYLE = (
    ".cut{fill:none;stroke-width:0.6}.notch{stroke-width:0.6}"
    ".grain{stroke:#1f3a7a;stroke-width:0.5}.reference{fill:none;stroke:#c00;stroke-width:0.4}"
    ".scale-square{fill:none;stroke:#111;stroke-width:0.4}.swatch{stroke-width:2}"
    "text{font-family:sans-serif;fill:#222}.name{font-size:12px;font-weight:bold}.info{font-size:7px}"
    ".title{font-size:9px}.legend{font-size:8px}"
)


def _header_svg(nest: GradedNest) -> str:
    title = f"{nest.name} | graded nest | sizes {', '.join(nest.labels)} | reference: {nest.reference}"
    x, y = _MARGIN_MM, _MARGIN_MM + 10.0
    parts = [
        f'<g id="sheet-header"><text class="title" x="{_f(x)}" y="{_f(y - 3)}">{escape(title)}</text>',
        f'<rect class="scale-square" x="{_f(x)}" y="{_f(y)}" width="{_SCALE_SQUARE_MM:g}" '
        f'height="{_SCALE_SQUARE_MM:g}"/>',
        f'<text class="info" x="{_f(x)}" y="{_f(y + _SCALE_SQUARE_MM + 8)}">'
        f"scale check: {_SCALE_SQUARE_MM:g} mm square</text>",
        '<g id="size-legend">',
    ]
    for i, label in enumerate(nest.labels):
        lx, ly = x + _SCALE_SQUARE_MM + 15.0 + (i // 5) * 70.0, y + 6.0 + (i % 5) * 10.0
        colour = SIZE_COLOURS[i]
        parts.append(
            f'<g class="legend-entry" data-size={quoteattr(label)}><line class="swatch" stroke="{colour}" '
            f'x1="{_f(lx)}" y1="{_f(ly)}" x2="{_f(lx + 15)}" y2="{_f(ly)}"/>'
            f'<text class="legend" x="{_f(lx + 19)}" y="{_f(ly + 3)}">{escape(label)}</text></g>'
        )
    parts.append("</g></g>\n")
    return "\n".join(parts)


def nest_to_svg(nest: GradedNest, seam_allowance: SeamAllowance | None = None) -> str:
    """The nest as one SVG sheet at 1:1 mm: every piece's sizes overlaid, one colour per size, with a legend."""
    columns, width, height = _columns(nest, seam_allowance)
    marker = (
        '<marker id="grain-{0}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'markerUnits="userSpaceOnUse" orient="{1}"><path d="M0,0 L10,5 L0,10 z" fill="#1f3a7a"/></marker>\n'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}mm" height="{_f(height)}mm" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" data-generator="garment3d" data-units="mm" '
        f'data-kind="graded-nest" data-reference="{nest.reference}">\n'
        f"<title>{escape(nest.name)} graded nest</title>\n<defs>\n"
        + marker.format("head", "auto") + marker.format("tail", "auto-start-reverse")
        + f"<style>{_STYLE}</style>\n</defs>\n"
        + _header_svg(nest)
        + "".join(_column_svg(c, nest.reference) for c in columns)
        + "</svg>\n"
    )


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _fpdf():
    try:
        from fpdf import FPDF
    except ImportError:  # pragma: no cover - fpdf2 is a declared dependency
        raise RenderError("PDF export needs the 'fpdf2' package (pip install fpdf2)") from None
    return FPDF


def nest_to_pdf(nest: GradedNest, seam_allowance: SeamAllowance | None = None) -> bytes:
    """The SVG overlay's sheet as one full-size PDF page (for a plotter), 1:1 mm."""
    columns, width, height = _columns(nest, seam_allowance)
    if max(width, height) > MAX_PDF_PAGE_MM:
        raise InvalidRequestError(
            f"the nest sheet is {width:.0f} x {height:.0f} mm, larger than a PDF page can be "
            f"({MAX_PDF_PAGE_MM:.0f} mm); export it as SVG or DXF"
        )
    pdf = _fpdf()(unit="mm", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_creator("garment3d")
    pdf.set_title(f"{nest.name} graded nest")
    pdf.add_page()
    x, y = _MARGIN_MM, _MARGIN_MM + 10.0
    pdf.set_font("helvetica", size=10)
    title = f"{nest.name} | graded nest | sizes {', '.join(nest.labels)} | reference: {nest.reference}"
    pdf.text(x, y - 3, title.encode("latin-1", "replace").decode("latin-1"))
    pdf.set_line_width(0.3)
    pdf.rect(x, y, _SCALE_SQUARE_MM, _SCALE_SQUARE_MM)
    pdf.set_font("helvetica", size=7)
    pdf.text(x, y + _SCALE_SQUARE_MM + 8, f"scale check: {_SCALE_SQUARE_MM:g} mm square")
    for i, label in enumerate(nest.labels):
        lx, ly = x + _SCALE_SQUARE_MM + 15.0 + (i // 5) * 70.0, y + 6.0 + (i % 5) * 10.0
        pdf.set_draw_color(*_rgb(SIZE_COLOURS[i]))
        pdf.set_line_width(2.0)
        pdf.line(lx, ly, lx + 15, ly)
        pdf.text(lx + 19, ly + 2.5, label.encode("latin-1", "replace").decode("latin-1"))
    for column in columns:
        def sheet(points_cm: np.ndarray, column=column) -> np.ndarray:
            mm = np.asarray(points_cm) * 10.0
            return np.stack([mm[..., 0] + column.dx, column.dy - mm[..., 1]], axis=-1)

        pdf.set_line_width(0.5)
        for index, piece in column.pieces:
            pdf.set_draw_color(*_rgb(SIZE_COLOURS[index]))
            pdf.polygon([tuple(p) for p in sheet(piece.cut_line)], style="D")
            for a, b in sheet(piece.notches):
                pdf.line(a[0], a[1], b[0], b[1])
        base = column.pieces[0][1]
        (tx, ty), (hx, hy) = sheet(base.grain_line)
        pdf.set_draw_color(31, 58, 122)
        pdf.line(tx, ty, hx, hy)
        rx, ry = sheet(np.zeros(2))
        pdf.set_draw_color(204, 0, 0)
        pdf.set_line_width(0.3)
        pdf.line(rx - 6, ry, rx + 6, ry)
        pdf.line(rx, ry - 6, rx, ry + 6)
        lx, ly = sheet(base.label_at)
        pdf.set_font("helvetica", style="B", size=28)
        pdf.text(lx + 4, ly, column.name.encode("latin-1", "replace").decode("latin-1"))
        pdf.set_font("helvetica", size=14)
        pdf.text(lx + 4, ly + 8, f"cut {base.quantity} | reference: {nest.reference}")
    return bytes(pdf.output())


def write_nest(
    nest: GradedNest,
    path: Path,
    fmt: str | None = None,
    seam_allowance: SeamAllowance | None = None,
    dxf_variant: str = "aama",
) -> Path:
    """Write the nest as ONE file: ``svg`` or ``pdf`` (the overlay, 1:1 mm) or ``dxf`` (AAMA/ASTM blocks).

    ``fmt`` defaults to the suffix of ``path``. The PDF is one full-size page
    (a plotter sheet); print single sizes on tiled pages with
    :func:`garment3d.patterns.formats.write_pdf`.
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in NEST_FORMATS:
        raise InvalidRequestError(f"unknown export format '{fmt}' (known: {', '.join(NEST_FORMATS)})")
    if fmt == "svg":
        path.write_text(nest_to_svg(nest, seam_allowance), encoding="utf-8")
        return path
    if fmt == "dxf":
        return write_dxf(list(nest.patterns), path, variant=dxf_variant, seam_allowance=seam_allowance)
    path.write_bytes(nest_to_pdf(nest, seam_allowance))
    return path
