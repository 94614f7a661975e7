"""A print sheet: cut pieces laid out in rows at 1:1, in millimetres, y down.

SVG and PDF draw the same sheet. A header band holds the title and a 50 mm
scale square (print at 100 % and measure it). Pattern space (cm, y up) maps to
sheet space by ``x_mm = 10 x + dx``, ``y_mm = dy - 10 y`` per piece.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from garment3d.patterns.formats.pieces import CutPiece

__all__ = ["Sheet", "SheetPiece", "layout_sheet", "SCALE_SQUARE_MM"]

MARGIN_MM = 15.0
GAP_MM = 25.0
HEADER_MM = 75.0
SCALE_SQUARE_MM = 50.0
DEFAULT_MAX_WIDTH_MM = 1500.0


@dataclass(frozen=True)
class SheetPiece:
    piece: CutPiece
    dx: float  # sheet x of pattern x = 0, mm
    dy: float  # sheet y of pattern y = 0, mm

    def to_sheet(self, points_cm: np.ndarray) -> np.ndarray:
        """(..., 2) pattern cm -> sheet mm."""
        points = np.asarray(points_cm, dtype=np.float64) * 10.0
        return np.stack([points[..., 0] + self.dx, self.dy - points[..., 1]], axis=-1)


@dataclass(frozen=True)
class Sheet:
    title: str
    width_mm: float
    height_mm: float
    pieces: tuple[SheetPiece, ...]
    scale_square: tuple[float, float]  # top-left corner, mm


def layout_sheet(pieces: Sequence[CutPiece], title: str, max_width_mm: float = DEFAULT_MAX_WIDTH_MM) -> Sheet:
    """Rows of pieces, left to right in the given order, each row at most ``max_width_mm`` wide."""
    placed: list[SheetPiece] = []
    x, top, row_height, width = MARGIN_MM, MARGIN_MM + HEADER_MM, 0.0, MARGIN_MM
    for piece in pieces:
        lo, hi = piece.cut_line.min(axis=0) * 10.0, piece.cut_line.max(axis=0) * 10.0
        w, h = hi - lo
        if placed and x + w > max_width_mm - MARGIN_MM:
            x, top, row_height = MARGIN_MM, top + row_height + GAP_MM, 0.0
        placed.append(SheetPiece(piece, dx=x - lo[0], dy=top + hi[1]))
        x += w + GAP_MM
        row_height = max(row_height, h)
        width = max(width, x - GAP_MM + MARGIN_MM)
    width = max(width, MARGIN_MM * 2 + 300.0)
    return Sheet(
        title=title,
        width_mm=float(width),
        height_mm=float(top + row_height + MARGIN_MM),
        pieces=tuple(placed),
        scale_square=(MARGIN_MM, MARGIN_MM + 12.0),
    )
