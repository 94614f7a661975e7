"""Gathered edges on the cut pieces, for the exports.

A ``kind = "gather"`` seam sews a longer edge onto a shorter one; the longer edge is run on a thread and
drawn up. On paper a pattern maker marks such an edge with a wavy line just inside the sew line and the
words "gather", with how much: here the edge's length over the one it is sewn to, and the length it is
drawn up to. Lengths are of the whole pieces (an edge meeting a piece's fold counts both halves), as the
seam is sewn; the wavy line runs along the edge as the (half) piece is drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from garment3d.patterns.evaluate import edge_length_cm
from garment3d.patterns.fold import MIRROR_SUFFIX, unfold_pattern
from garment3d.polyline import points_along, polyline_length
from garment3d.types import EdgeRef, Panel, Pattern

__all__ = ["GatherMark", "gather_marks"]

INSET_CM = 0.6  # the wavy line's distance inside the sew line
WAVE_CM = 1.5  # its wavelength
AMPLITUDE_CM = 0.2
STEP_CM = 0.25  # its sampling along the edge
LABEL_INSET_CM = 1.6  # the words' baseline inside the sew line


@dataclass(frozen=True)
class GatherMark:
    """One gathered edge of a piece.

    edge      : the edge's name.
    wave      : (k, 2) float64 cm, the wavy line just inside the sew line along the edge.
    ratio     : the whole edge's length over the edge it is sewn to.
    to_cm     : the length it is drawn up to (the other edge's), cm.
    label_at  : (2,) cm, the start of the words' baseline; ``angle_deg`` their direction (counter-clockwise,
                along the edge, turned to read left to right).
    """

    edge: str
    wave: np.ndarray
    ratio: float
    to_cm: float
    label_at: np.ndarray
    angle_deg: float

    @property
    def label(self) -> str:
        """The words on paper."""
        return f"GATHER {self.ratio:.2f}:1 to {self.to_cm:.1f} cm"

    @property
    def dxf_text(self) -> str:
        """The words in a DXF block: a ``key: value`` text, as CAD annotations are, naming the edge."""
        return f"Gather: {self.edge} {self.ratio:.2f}:1 to {self.to_cm:.1f} cm"


def _mark(panel: Panel, edge: str, ratio: float, to_cm: float) -> GatherMark:
    points = panel.edge_points(edge)
    length = polyline_length(points)
    end = min(INSET_CM, length / 4.0)  # clear of the edges meeting it at its ends
    s = np.linspace(end, length - end, max(2, int(math.ceil((length - 2.0 * end) / STEP_CM)) + 1))
    at, inward = points_along(points, s)
    wave = at + inward * (INSET_CM + AMPLITUDE_CM * np.sin(2.0 * math.pi * s / WAVE_CM))[:, None]
    middle, normal = points_along(points, np.array([length / 3.0]))
    angle = math.degrees(math.atan2(-normal[0, 0], normal[0, 1]))  # the tangent's direction
    if angle > 90.0 or angle <= -90.0:  # upside down: read it the other way
        angle -= math.copysign(180.0, angle)
    return GatherMark(edge=edge, wave=wave, ratio=ratio, to_cm=to_cm, label_at=middle[0] + normal[0] * LABEL_INSET_CM,
                      angle_deg=angle)


def gather_marks(pattern: Pattern, panel: Panel) -> tuple[GatherMark, ...]:
    """The gathered edges of ``panel`` (a piece of ``pattern``): each the longer edge of a gathered seam."""
    if not any(seam.kind == "gather" for seam in pattern.seams):
        return ()
    whole = unfold_pattern(pattern)  # keeps the seams in order, on the whole pieces
    marks: list[GatherMark] = []
    for seam, sewn in zip(pattern.seams, whole.seams):
        if seam.kind != "gather":
            continue
        la = edge_length_cm(whole.panel(sewn.a.panel), sewn.a.edge)
        lb = edge_length_cm(whole.panel(sewn.b.panel), sewn.b.edge)
        ref, longer, shorter = (seam.a, la, lb) if la >= lb else (seam.b, lb, la)
        edge = _edge_name(ref)
        if ref.panel != panel.name or longer <= shorter * (1.0 + 1e-6) or any(m.edge == edge for m in marks):
            continue
        marks.append(_mark(panel, edge, longer / shorter, shorter))
    return tuple(marks)


def _edge_name(ref: EdgeRef) -> str:
    return ref.edge.removesuffix(MIRROR_SUFFIX)
