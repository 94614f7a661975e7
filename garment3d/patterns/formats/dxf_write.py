"""DXF-AAMA and DXF-ASTM (ASTM D6673) export, millimetres.

One BLOCK per piece per size, INSERTed in model space (the sizes of a graded
nest stacked at the same place, pieces side by side). Layers:

====  ==============================================================
1     boundary: the cut line, incl. seam allowance (closed POLYLINE)
4     notches (LINE from the boundary inward)
6     mirror line of a piece cut on fold (LINE along the fold, on the
      boundary; the boundary is half the piece) and its "CUT ON FOLD" TEXT
7     grain line (LINE, tail to head)
8     internal lines (dart legs, buttonholes)
13    drill holes (POINT): dart tips, and each fastener's point (button,
      buttonhole, stud, frog, hook, tie), a ``Fastener: ...`` TEXT next to it
      (``fastener_marks``) saying which fastener and which side
14    sew line (closed POLYLINE)
15    annotation (ASTM: the piece name)
84/87 ASTM only: copies of the boundary / sew line (validation curves)
====  ==============================================================

Piece metadata is TEXT in each block as Gerber writes it (``Piece Name:``,
``Size:``, ``Quantity:``); model space carries ``Style Name:``, ``Sample Size:``
and ``Units: METRIC``. R12 (AC1009, what AAMA readers expect) has no units
header, so the text is the units statement there; R2000 also sets $INSUNITS=4 (mm).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from garment3d.errors import InvalidRequestError, RenderError
from garment3d.patterns.formats.fastener_marks import mark_text
from garment3d.patterns.formats.pieces import CutPiece, SeamAllowance
from garment3d.patterns.formats.svg_export import FOLD_LABEL, collect_pieces, fold_label_at
from garment3d.types import Pattern

__all__ = ["write_dxf", "pieces_to_dxf", "block_name"]

VARIANTS = ("aama", "astm")
TEXT_HEIGHT_MM = 5.0
MARK_TEXT_HEIGHT_MM = 2.5
MARK_TEXT_OFFSET_MM = 3.0  # a fastener's words start this far right of and above its drill hole
GAP_MM = 50.0
_BLOCK_UNSAFE = re.compile(r"[^A-Za-z0-9_\-]")


def _ezdxf():
    try:
        import ezdxf
    except ImportError:  # pragma: no cover - ezdxf is a declared dependency
        raise RenderError("DXF export needs the 'ezdxf' package (pip install ezdxf)") from None
    return ezdxf


def block_name(style: str, piece: str, size: str) -> str:
    """``<STYLE>-<PIECE>_<SIZE>`` with characters DXF names refuse replaced by '-'."""
    return _BLOCK_UNSAFE.sub("-", f"{style}-{piece}_{size}")[:250]


def _mm(points_cm: np.ndarray) -> list[tuple[float, float]]:
    return [(float(x) * 10.0, float(y) * 10.0) for x, y in np.asarray(points_cm)]


def _fill_block(block, piece: CutPiece, variant: str) -> None:
    text_layer = "15" if variant == "astm" else "1"
    block.add_polyline2d(_mm(piece.cut_line), close=True, dxfattribs={"layer": "1"})
    block.add_polyline2d(_mm(piece.sew_line), close=True, dxfattribs={"layer": "14"})
    if variant == "astm":
        block.add_polyline2d(_mm(piece.cut_line), close=True, dxfattribs={"layer": "84"})
        block.add_polyline2d(_mm(piece.sew_line), close=True, dxfattribs={"layer": "87"})
    for a, b in piece.notches:
        block.add_line(_mm([a])[0], _mm([b])[0], dxfattribs={"layer": "4"})
    tail, head = _mm(piece.grain_line)
    block.add_line(tail, head, dxfattribs={"layer": "7"})
    for line in piece.internal_lines:
        block.add_polyline2d(_mm(line), close=False, dxfattribs={"layer": "8"})
    for point in _mm(piece.drill_holes):
        block.add_point(point, dxfattribs={"layer": "13"})
    for mark in piece.fastener_marks:
        (x, y), = _mm([mark.point])
        block.add_point((x, y), dxfattribs={"layer": "13"})
        if mark.buttonhole is not None:
            outer, inner = _mm(mark.buttonhole)
            block.add_line(outer, inner, dxfattribs={"layer": "8"})
        block.add_text(mark_text(mark), dxfattribs={
            "layer": text_layer, "height": MARK_TEXT_HEIGHT_MM,
            "insert": (x + MARK_TEXT_OFFSET_MM, y + MARK_TEXT_OFFSET_MM)})
    if piece.fold_line is not None:
        a, b = _mm(piece.fold_line)
        block.add_line(a, b, dxfattribs={"layer": "6"})
        at, angle = fold_label_at(piece.fold_line, height_cm=TEXT_HEIGHT_MM / 10.0)
        block.add_text(
            FOLD_LABEL,
            dxfattribs={"layer": "6", "height": TEXT_HEIGHT_MM, "insert": _mm([at])[0], "rotation": angle},
        )
    for mark in piece.gather_marks:
        block.add_polyline2d(_mm(mark.wave), close=False, dxfattribs={"layer": "8"})
        block.add_text(mark.dxf_text, dxfattribs={"layer": text_layer, "height": MARK_TEXT_HEIGHT_MM,
                                               "insert": _mm([mark.label_at])[0], "rotation": mark.angle_deg})
    x, y = _mm([piece.label_at])[0]
    lines = [f"Piece Name: {piece.name}", f"Size: {piece.size}", f"Quantity: {piece.quantity}", "Category: "]
    if piece.interfacing:
        lines.append(f"Interfacing: {piece.interfacing}")
    if variant == "astm":
        lines.insert(0, piece.name)
    for i, text in enumerate(lines):
        block.add_text(
            text, dxfattribs={"layer": text_layer, "height": TEXT_HEIGHT_MM, "insert": (x + 40.0, y - 8.0 * i)}
        )


def pieces_to_dxf(pieces: Sequence[CutPiece], variant: str = "aama", dxf_version: str = "R12"):
    """An ezdxf document holding ``pieces`` (one block each)."""
    if variant not in VARIANTS:
        raise InvalidRequestError(f"unknown DXF variant {variant!r} (known: {', '.join(VARIANTS)})")
    ezdxf = _ezdxf()
    if dxf_version == "R12":  # no $INSUNITS in R12 (ezdxf.new would warn about it): the text states units
        doc = ezdxf.document.Drawing.new(dxf_version)
    else:
        doc = ezdxf.new(dxf_version, units=ezdxf.units.MM)  # $INSUNITS = 4, $MEASUREMENT = 1
    layers = ["1", "4", "6", "7", "8", "13", "14", "15"] + (["84", "87"] if variant == "astm" else [])
    for layer in layers:
        doc.layers.add(layer)
    msp = doc.modelspace()
    offsets: dict[str, float] = {}
    right = 0.0
    for piece in pieces:  # one column per piece name; sizes stack (a graded nest)
        if piece.name not in offsets:
            widest = max((p for p in pieces if p.name == piece.name), key=lambda p: np.ptp(p.cut_line[:, 0]))
            offsets[piece.name] = right - float(widest.cut_line[:, 0].min()) * 10.0
            right += float(np.ptp(widest.cut_line[:, 0])) * 10.0 + GAP_MM
    used: set[str] = set()
    for piece in pieces:
        name = block_name(piece.pattern, piece.name, piece.size)
        base, n = name, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        _fill_block(doc.blocks.new(name), piece, variant)
        msp.add_blockref(name, (offsets[piece.name], 0.0))
    styles = ", ".join(dict.fromkeys(p.pattern for p in pieces))
    sizes = list(dict.fromkeys(p.size for p in pieces))
    header = [f"Style Name: {styles}", f"Sample Size: {sizes[0] if sizes else ''}", "Units: METRIC"]
    if len(sizes) > 1:
        header.append(f"Sizes: {', '.join(sizes)}")
    for i, text in enumerate(header):
        msp.add_text(text, dxfattribs={"layer": "15" if variant == "astm" else "1", "height": TEXT_HEIGHT_MM,
                                       "insert": (0.0, -100.0 - 10.0 * i)})
    return doc


def write_dxf(
    patterns: Pattern | Sequence[Pattern],
    path: Path,
    variant: str = "aama",
    seam_allowance: SeamAllowance | None = None,
    dxf_version: str = "R12",
) -> Path:
    """Write one pattern, or several sizes of one (a graded nest), as DXF-AAMA or DXF-ASTM.

    ``seam_allowance`` None: each panel's own allowances (see ``resolve_allowances``).
    """
    pieces = collect_pieces(patterns, seam_allowance)
    doc = pieces_to_dxf(pieces, variant=variant, dxf_version=dxf_version)
    path = Path(path)
    doc.saveas(path)
    return path
