"""The differences between two draftings of a pattern, as one SVG: each piece's outline before (grey, dashed)
under its outline after (solid, coloured), in the piece's own coordinates, so what stays (a waist line) lies on
itself and what moves (a longer hem, a wider flare) shows as the gap between the lines.

1 SVG user unit = 1 mm, pieces side by side in the order of the first pattern (pieces only one of them has come
last). A piece whose outline moved is labelled with how far it moved: the largest distance between matching
points of its edges, matched by their share of each edge's length (:func:`outline_shift_cm`).
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import numpy as np

from garment3d.polyline import points_along, polyline_length
from garment3d.types import Panel, Pattern

__all__ = ["pattern_overlay_svg", "outline_shift_cm"]

_GAP_MM = 40.0
_MARGIN_MM = 20.0
_LABEL_MM = 30.0
_STYLE = (
    ".before{fill:none;stroke:#8a8a8a;stroke-width:1.2;stroke-dasharray:6 4}"
    ".after{fill:rgba(11,110,79,0.08);stroke:#0b6e4f;stroke-width:1.6}"
    "text{font-family:sans-serif;fill:#222}.name{font-size:14px;font-weight:bold}.info{font-size:11px}"
    ".legend{font-size:12px}"
)


def outline_shift_cm(before: Panel, after: Panel) -> float:
    """How far (cm) the piece's outline moved: the largest distance between matching points of each edge the
    two draftings share, the points matched by their share of the edge's length (a hem let down 15 cm moves
    15 cm, even where the sides that lengthen with it are not the same line at both lengths). Edges only one
    drafting has are measured from the other outline's nearest point."""
    shared = [e.name for e in before.edges if e.name in {f.name for f in after.edges}]
    a, b = np.asarray(before.outline, float), np.asarray(after.outline, float)
    moved = [_matched_shift(before.edge_points(name), after.edge_points(name)) for name in shared]
    moved += [_nearest_shift(before.edge_points(e.name), b) for e in before.edges if e.name not in shared]
    moved += [_nearest_shift(after.edge_points(e.name), a) for e in after.edges if e.name not in shared]
    return float(max(moved, default=0.0))


_MATCH_SAMPLES = 65


def _matched_shift(before: np.ndarray, after: np.ndarray) -> float:
    """Largest distance between the points at equal shares of the two polylines' lengths."""
    shares = np.linspace(0.0, 1.0, _MATCH_SAMPLES)
    old, _ = points_along(before, shares * polyline_length(before))
    new, _ = points_along(after, shares * polyline_length(after))
    return float(np.linalg.norm(old - new, axis=1).max())


def _nearest_shift(points: np.ndarray, other: np.ndarray) -> float:
    return float(np.linalg.norm(points[:, None, :] - other[None, :, :], axis=2).min(axis=1).max())


def _f(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _path(outline_cm: np.ndarray, dx: float, top: float) -> str:
    """Outline (cm, y up) as a closed path in sheet mm (y down), shifted by ``dx`` and ``top``."""
    points = np.asarray(outline_cm, float) * 10.0
    return "M " + " L ".join(f"{_f(x + dx)},{_f(top - y)}" for x, y in points) + " Z"


def pattern_overlay_svg(before: Pattern, after: Pattern, before_caption: str = "before",
                        after_caption: str = "after") -> str:
    """An SVG document overlaying ``after``'s pieces on ``before``'s (same pattern, other parameters or body)."""
    names = list(dict.fromkeys([p.name for p in before.panels] + [p.name for p in after.panels]))
    olds, news = {p.name: p for p in before.panels}, {p.name: p for p in after.panels}
    outlines = [np.asarray(p.outline, float) * 10.0 for p in (*before.panels, *after.panels)]
    top = max(float(o[:, 1].max()) for o in outlines) + _MARGIN_MM + _LABEL_MM
    bottom = min(float(o[:, 1].min()) for o in outlines)
    parts, x = [], _MARGIN_MM
    for name in names:
        pieces = [p for p in (olds.get(name), news.get(name)) if p is not None]
        points = np.concatenate([np.asarray(p.outline, float) * 10.0 for p in pieces])
        dx = x - float(points[:, 0].min())
        parts.append(f'<g class="piece" data-piece={quoteattr(name)}>')
        if name in olds:
            parts.append(f'  <path class="before" d="{_path(olds[name].outline, dx, top)}"/>')
        if name in news:
            parts.append(f'  <path class="after" d="{_path(news[name].outline, dx, top)}"/>')
        if name in olds and name in news:
            shift = outline_shift_cm(olds[name], news[name])
            info = f"moved up to {shift:.1f} cm" if shift >= 0.05 else "unchanged"
        else:
            info = "only after" if name in news else "only before"
        label_y = top - float(points[:, 1].max()) - 8.0
        parts.append(f'  <text class="name" x="{_f(x)}" y="{_f(label_y - 14)}">{escape(name)}</text>')
        parts.append(f'  <text class="info" x="{_f(x)}" y="{_f(label_y)}">{escape(info)}</text>')
        parts.append("</g>")
        x += float(points[:, 0].max() - points[:, 0].min()) + _GAP_MM
    width = x - _GAP_MM + _MARGIN_MM
    height = top - bottom + _MARGIN_MM + 20.0
    legend_y = height - 8.0
    parts.append(f'<g class="legend-box"><line class="before" x1="{_f(_MARGIN_MM)}" y1="{_f(legend_y - 4)}" '
                 f'x2="{_f(_MARGIN_MM + 30)}" y2="{_f(legend_y - 4)}"/>'
                 f'<text class="legend" x="{_f(_MARGIN_MM + 36)}" y="{_f(legend_y)}">{escape(before_caption)}</text>'
                 f'<line class="after" x1="{_f(width / 2)}" y1="{_f(legend_y - 4)}" x2="{_f(width / 2 + 30)}" '
                 f'y2="{_f(legend_y - 4)}"/><text class="legend" x="{_f(width / 2 + 36)}" y="{_f(legend_y)}">'
                 f'{escape(after_caption)}</text></g>')
    title = f"{before.name}: {before_caption} / {after_caption}"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}mm" height="{_f(height)}mm" '
            f'viewBox="0 0 {_f(width)} {_f(height)}">\n<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n'
            f'<rect width="100%" height="100%" fill="#fff"/>\n' + "\n".join(parts) + "\n</svg>\n")
