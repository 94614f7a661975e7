"""PDF export of the print sheet: one full-size page (plotter) or tiles on A4/Letter.

Tiles overlap by ``overlap_mm``; on every tile the left and top overlap bands
are bounded by a dashed trim line, registration marks (a circle with a cross)
sit in the middle of each overlap band, drawn in sheet coordinates so the same
mark prints on both neighbouring pages, and the margin names the page
(row/column), its neighbours and the scale-check square. Trim each page on its
dashed lines, lay it over its left and upper neighbours so the marks coincide,
and tape.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from garment3d.errors import InvalidRequestError, RenderError
from garment3d.patterns.formats.limits import MAX_PDF_PAGE_MM, MAX_TILED_PAGES
from garment3d.patterns.formats.pieces import SeamAllowance
from garment3d.patterns.formats.sheet import SCALE_SQUARE_MM, Sheet, layout_sheet
from garment3d.patterns.formats.svg_export import FOLD_LABEL, collect_pieces, fold_label_at, sheet_title
from garment3d.types import Pattern

__all__ = ["write_pdf", "sheet_to_pdf", "TileGrid", "tile_grid", "PAPER_MM"]

PAPER_MM = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4), "A3": (297.0, 420.0)}
MARK_RADIUS_MM = 4.0


@dataclass(frozen=True)
class TileGrid:
    """How a sheet is cut into pages; all mm."""

    page_w: float
    page_h: float
    margin: float
    overlap: float
    rows: int
    cols: int

    @property
    def window_w(self) -> float:
        return self.page_w - 2 * self.margin

    @property
    def window_h(self) -> float:
        return self.page_h - 2 * self.margin

    @property
    def step_x(self) -> float:
        return self.window_w - self.overlap

    @property
    def step_y(self) -> float:
        return self.window_h - self.overlap

    def origin(self, row: int, col: int) -> tuple[float, float]:
        """Sheet coordinates of the top-left corner of tile (row, col)'s window."""
        return col * self.step_x, row * self.step_y


def tile_grid(sheet: Sheet, paper: str = "A4", landscape: bool = False, margin_mm: float = 10.0,
              overlap_mm: float = 15.0) -> TileGrid:
    if paper not in PAPER_MM:
        raise InvalidRequestError(f"unknown paper {paper!r} (known: {', '.join(PAPER_MM)})")
    w, h = PAPER_MM[paper]
    if landscape:
        w, h = h, w
    if not (0 <= margin_mm <= 30 and 5 <= overlap_mm <= 50):
        raise InvalidRequestError("margin must be 0-30 mm and overlap 5-50 mm")
    grid = TileGrid(w, h, margin_mm, overlap_mm, 1, 1)
    cols = max(1, math.ceil((sheet.width_mm - overlap_mm) / grid.step_x))
    rows = max(1, math.ceil((sheet.height_mm - overlap_mm) / grid.step_y))
    if rows * cols > MAX_TILED_PAGES:
        raise InvalidRequestError(f"tiling needs {rows * cols} pages (more than {MAX_TILED_PAGES}); use a larger paper")
    return TileGrid(w, h, margin_mm, overlap_mm, rows, cols)


def _fpdf():
    try:
        from fpdf import FPDF
    except ImportError:  # pragma: no cover - fpdf2 is a declared dependency
        raise RenderError("PDF export needs the 'fpdf2' package (pip install fpdf2)") from None
    return FPDF


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _draw_sheet(pdf, sheet: Sheet, ox: float, oy: float) -> None:
    """Everything on the sheet, with sheet (0, 0) at page point (ox, oy)."""
    def page(points: np.ndarray) -> list[tuple[float, float]]:
        return [(float(x) + ox, float(y) + oy) for x, y in points]

    sx, sy = sheet.scale_square
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.3)
    pdf.rect(sx + ox, sy + oy, SCALE_SQUARE_MM, SCALE_SQUARE_MM)
    pdf.set_font("helvetica", size=10)
    pdf.text(sx + ox, sy + oy - 3, _latin1(sheet.title))
    pdf.set_font("helvetica", size=8)
    check = f"scale check: this square is {SCALE_SQUARE_MM:g} mm x {SCALE_SQUARE_MM:g} mm"
    pdf.text(sx + ox + SCALE_SQUARE_MM + 4, sy + oy + 10, check)
    for placed in sheet.pieces:
        piece = placed.piece
        pdf.set_fill_color(239, 231, 214)
        pdf.set_line_width(0.5)
        pdf.polygon(page(placed.to_sheet(piece.cut_line)), style="DF")
        pdf.set_fill_color(255, 253, 248)
        pdf.set_draw_color(90, 90, 90)
        pdf.set_line_width(0.3)
        pdf.set_dash_pattern(dash=4, gap=2)
        pdf.polygon(page(placed.to_sheet(piece.sew_line)), style="DF")
        pdf.set_dash_pattern(dash=1.5, gap=1.5)
        for line in piece.internal_lines:
            pdf.polyline(page(placed.to_sheet(line)))
        pdf.set_dash_pattern()
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.5)
        for a, b in placed.to_sheet(piece.notches):
            pdf.line(a[0] + ox, a[1] + oy, b[0] + ox, b[1] + oy)
        pdf.set_line_width(0.3)
        for x, y in placed.to_sheet(piece.drill_holes):
            pdf.ellipse(x + ox - 1.5, y + oy - 1.5, 3, 3)
        _fastener_marks(pdf, placed, ox, oy)
        _grain_arrow(pdf, placed.to_sheet(piece.grain_line) + [ox, oy])
        if piece.fold_line is not None:
            _fold_mark(pdf, placed, ox, oy)
        _gather_marks(pdf, placed, ox, oy)
        lx, ly = placed.to_sheet(piece.label_at) + [ox + 4, oy]
        pdf.set_font("helvetica", style="B", size=28)
        pdf.text(lx, ly, _latin1(piece.name))
        pdf.set_font("helvetica", size=16)
        pdf.text(lx, ly + 10, _latin1(f"{piece.pattern} | size {piece.size}"))
        pdf.text(lx, ly + 18, f"cut {piece.quantity}")
        if piece.interfacing:
            pdf.text(lx, ly + 26, _latin1(f"interfacing: {piece.interfacing}, cut {piece.quantity}"))


def _fastener_marks(pdf, placed, ox: float, oy: float) -> None:
    """Each fastener side: a circle the trim's size round a drill cross, a button's buttonhole as a bar, and
    the fastener's name and side in small type (``fastener_marks``)."""
    pdf.set_draw_color(107, 61, 18)
    pdf.set_text_color(107, 61, 18)
    pdf.set_font("helvetica", size=6)
    for mark in placed.piece.fastener_marks:
        (x, y), = placed.to_sheet(mark.point[None]) + [ox, oy]
        radius = mark.size_cm * 5.0
        pdf.set_line_width(0.3)
        pdf.ellipse(x - radius, y - radius, 2 * radius, 2 * radius)
        pdf.line(x - 1.5, y, x + 1.5, y)
        pdf.line(x, y - 1.5, x, y + 1.5)
        if mark.buttonhole is not None:
            (x1, y1), (x2, y2) = placed.to_sheet(mark.buttonhole) + [ox, oy]
            pdf.set_line_width(0.8)
            pdf.line(x1, y1, x2, y2)
        pdf.text(x + radius + 1.0, y - 1.0, _latin1(f"{mark.name} {mark.kind} {mark.side}"))
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)


def _gather_marks(pdf, placed, ox: float, oy: float) -> None:
    """Each gathered edge: a wavy line just inside the sew line, and how much to gather along it."""
    pdf.set_draw_color(47, 107, 47)
    pdf.set_text_color(47, 107, 47)
    pdf.set_line_width(0.5)
    pdf.set_font("helvetica", size=12)  # about 4 mm tall
    for mark in placed.piece.gather_marks:
        pdf.polyline([(float(x) + ox, float(y) + oy) for x, y in placed.to_sheet(mark.wave)])
        x, y = placed.to_sheet(mark.label_at[None])[0] + [ox, oy]
        with pdf.rotation(mark.angle_deg, x, y):
            pdf.text(x, y, _latin1(mark.label))
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)


def _fold_mark(pdf, placed, ox: float, oy: float) -> None:
    """The fold line (dash-dot) and "CUT ON FOLD" along it, inside the piece."""
    piece = placed.piece
    (x1, y1), (x2, y2) = placed.to_sheet(piece.fold_line) + [ox, oy]
    pdf.set_draw_color(122, 31, 31)
    pdf.set_line_width(0.8)
    pdf.set_dash_pattern(dash=8, gap=2)
    pdf.line(x1, y1, x2, y2)
    pdf.set_dash_pattern()
    at, angle = fold_label_at(piece.fold_line, height_cm=0.5)
    x, y = placed.to_sheet(at) + [ox, oy]
    pdf.set_font("helvetica", style="B", size=14)  # about 5 mm tall
    pdf.set_text_color(122, 31, 31)
    with pdf.rotation(angle, x, y):  # counter-clockwise on the page, as in pattern space
        pdf.text(x, y, FOLD_LABEL)
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)


def _grain_arrow(pdf, ends: np.ndarray) -> None:
    tail, head = ends
    pdf.set_draw_color(31, 58, 122)
    pdf.set_fill_color(31, 58, 122)
    pdf.set_line_width(0.5)
    pdf.line(tail[0], tail[1], head[0], head[1])
    direction = (head - tail) / max(np.linalg.norm(head - tail), 1e-9)
    side = np.array([-direction[1], direction[0]])
    for tip, d in ((head, direction), (tail, -direction)):
        base = tip - d * 8.0
        pdf.polygon([tuple(tip), tuple(base + side * 3.0), tuple(base - side * 3.0)], style="F")
    pdf.set_draw_color(0, 0, 0)


def _registration(pdf, sheet: Sheet, grid: TileGrid, ox: float, oy: float) -> None:
    """Marks in the middle of every overlap band, at band crossings and row/column middles."""
    xs_band = [c * grid.step_x + grid.window_w - grid.overlap / 2 for c in range(grid.cols - 1)]
    ys_band = [r * grid.step_y + grid.window_h - grid.overlap / 2 for r in range(grid.rows - 1)]
    xs_mid = [c * grid.step_x + grid.window_w / 2 for c in range(grid.cols)]
    ys_mid = [r * grid.step_y + grid.window_h / 2 for r in range(grid.rows)]
    marks = [(x, y) for x in xs_band for y in ys_mid + ys_band] + [(x, y) for x in xs_mid for y in ys_band]
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.25)
    for x, y in marks:
        px, py = x + ox, y + oy
        pdf.ellipse(px - MARK_RADIUS_MM, py - MARK_RADIUS_MM, 2 * MARK_RADIUS_MM, 2 * MARK_RADIUS_MM)
        pdf.line(px - 1.6 * MARK_RADIUS_MM, py, px + 1.6 * MARK_RADIUS_MM, py)
        pdf.line(px, py - 1.6 * MARK_RADIUS_MM, px, py + 1.6 * MARK_RADIUS_MM)


def _tile(pdf, sheet: Sheet, grid: TileGrid, row: int, col: int) -> None:
    x0, y0 = grid.origin(row, col)
    ox, oy = grid.margin - x0, grid.margin - y0
    m, ww, wh = grid.margin, grid.window_w, grid.window_h
    with pdf.rect_clip(m, m, ww, wh):
        _draw_sheet(pdf, sheet, ox, oy)
        _registration(pdf, sheet, grid, ox, oy)
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    pdf.rect(m, m, ww, wh)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_dash_pattern(dash=3, gap=2)
    if col > 0:
        pdf.line(m + grid.overlap, m, m + grid.overlap, m + wh)
    if row > 0:
        pdf.line(m, m + grid.overlap, m + ww, m + grid.overlap)
    pdf.set_dash_pattern()
    pdf.set_font("helvetica", style="B", size=9)
    label = f"page r{row + 1} c{col + 1}  (row {row + 1} of {grid.rows}, column {col + 1} of {grid.cols})"
    pdf.text(m, m - 3, label)
    pdf.set_font("helvetica", size=7)
    hints = []
    if col > 0:
        hints.append(f"trim the left dashed line, lay over r{row + 1} c{col}")
    if row > 0:
        hints.append(f"trim the top dashed line, lay over r{row} c{col + 1}")
    hints.append("align the + marks; print at 100 % (check the 50 mm square)")
    pdf.text(m, grid.page_h - m + 5, _latin1("; ".join(hints)))


def sheet_to_pdf(sheet: Sheet, tiled: bool, paper: str = "A4", landscape: bool = False,
                 margin_mm: float = 10.0, overlap_mm: float = 15.0) -> bytes:
    """PDF bytes of ``sheet``: one page at full size, or tiles."""
    FPDF = _fpdf()
    pdf = FPDF(unit="mm", format=(210, 297))
    pdf.set_auto_page_break(False)
    pdf.set_title(_latin1(sheet.title))
    pdf.set_creator("garment3d")
    if not tiled:
        if max(sheet.width_mm, sheet.height_mm) > MAX_PDF_PAGE_MM:
            raise InvalidRequestError(
                f"the sheet is {sheet.width_mm:.0f} x {sheet.height_mm:.0f} mm, larger than a PDF page can be "
                f"({MAX_PDF_PAGE_MM:.0f} mm); export tiled pages instead"
            )
        pdf.add_page(format=(sheet.width_mm, sheet.height_mm))
        _draw_sheet(pdf, sheet, 0.0, 0.0)
        return bytes(pdf.output())
    grid = tile_grid(sheet, paper, landscape, margin_mm, overlap_mm)
    for row in range(grid.rows):
        for col in range(grid.cols):
            pdf.add_page(format=(grid.page_w, grid.page_h), label_prefix=f"r{row + 1}c{col + 1}")
            _tile(pdf, sheet, grid, row, col)
    return bytes(pdf.output())


def write_pdf(
    patterns: Pattern | Sequence[Pattern],
    path: Path,
    tiled: bool = False,
    paper: str = "A4",
    landscape: bool = False,
    seam_allowance: SeamAllowance | None = None,
    overlap_mm: float = 15.0,
    margin_mm: float = 10.0,
    max_sheet_width_mm: float | None = None,
) -> Path:
    """Write the pieces at 1:1: one full-size page, or ``tiled`` onto ``paper`` ("A4", "Letter", "A3").

    ``seam_allowance`` None: each panel's own allowances (see ``resolve_allowances``).
    """
    pieces = collect_pieces(patterns, seam_allowance)
    width = {"max_width_mm": max_sheet_width_mm} if max_sheet_width_mm else {}
    sheet = layout_sheet(pieces, sheet_title(pieces), **width)
    path = Path(path)
    path.write_bytes(sheet_to_pdf(sheet, tiled, paper, landscape, margin_mm, overlap_mm))
    return path
