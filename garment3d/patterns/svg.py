"""SVG export of pattern pieces at 1:1 (1 SVG user unit = 1 mm)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from garment3d.types import Panel, Pattern

__all__ = ["pattern_to_svg", "write_pattern_svg"]

GAP_MM = 30.0
MARGIN_MM = 20.0


def _piece(panel: Panel, pattern: Pattern, offset_x: float, top: float) -> tuple[str, float]:
    """SVG group of one piece; returns (markup, width in mm)."""
    mm = panel.outline * 10.0
    minx, maxy = mm[:, 0].min(), mm[:, 1].max()
    # SVG y grows downwards: flip, then move the piece's top-left to (offset_x, top)
    pts = np.column_stack([mm[:, 0] - minx + offset_x, maxy - mm[:, 1] + top])
    path = "M " + " L ".join(f"{x:.2f},{y:.2f}" for x, y in pts) + " Z"
    width = float(np.ptp(mm[:, 0]))
    height = float(np.ptp(mm[:, 1]))
    cx, cy = offset_x + width / 2, top + height / 2
    grain = np.array([panel.grain[0], -panel.grain[1]]) * min(height, width) * 0.35
    x0, y0, x1, y1 = cx - grain[0], cy - grain[1], cx + grain[0], cy + grain[1]
    label = escape(f"{panel.name} | {pattern.name} | size {pattern.size_label} | cut {panel.cut_count}")
    markup = (
        f'<g id="piece-{escape(panel.name)}">\n'
        f'  <path class="cut" d="{path}"/>\n'
        f'  <line class="grain" x1="{x0:.2f}" y1="{y0:.2f}" x2="{x1:.2f}" y2="{y1:.2f}" marker-end="url(#arrow)" marker-start="url(#arrow-start)"/>\n'
        f'  <text x="{cx:.2f}" y="{cy + 30:.2f}" text-anchor="middle">{label}</text>\n'
        f"</g>\n"
    )
    return markup, width


def pattern_to_svg(pattern: Pattern) -> str:
    """All pieces side by side, cut lines and grain lines, sized in millimetres."""
    groups, x = [], MARGIN_MM
    heights = []
    for panel in pattern.panels:
        markup, width = _piece(panel, pattern, x, MARGIN_MM)
        groups.append(markup)
        heights.append(float(np.ptp(panel.outline[:, 1])) * 10.0)
        x += width + GAP_MM
    total_w = x - GAP_MM + MARGIN_MM
    total_h = max(heights) + 2 * MARGIN_MM
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w:.1f}mm" height="{total_h:.1f}mm" '
        f'viewBox="0 0 {total_w:.1f} {total_h:.1f}">\n'
        f"<title>{escape(pattern.name)} size {escape(pattern.size_label)}</title>\n"
        "<defs>\n"
        '  <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="12" markerHeight="12" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z"/></marker>\n'
        '  <marker id="arrow-start" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="12" markerHeight="12" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z"/></marker>\n'
        "  <style>.cut{fill:#fbf8f2;stroke:#111;stroke-width:0.5}.grain{stroke:#335;stroke-width:0.4}"
        "text{font-family:sans-serif;font-size:9px;fill:#222}</style>\n"
        "</defs>\n" + "".join(groups) + "</svg>\n"
    )


def write_pattern_svg(pattern: Pattern, path: Path) -> Path:
    path.write_text(pattern_to_svg(pattern), encoding="utf-8")
    return path
