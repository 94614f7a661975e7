"""SVG export of pattern pieces at 1:1 (1 SVG user unit = 1 mm).

Cut line (with seam allowance), sew line, grain line, notches, darts and labels;
the implementation lives in :mod:`garment3d.patterns.formats.svg_export`, next
to the other file formats and the SVG importer.
"""

from __future__ import annotations

from garment3d.patterns.formats.svg_export import pattern_to_svg, write_pattern_svg

__all__ = ["pattern_to_svg", "write_pattern_svg"]
