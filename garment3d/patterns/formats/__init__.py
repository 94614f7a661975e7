"""Pattern file formats: export (SVG, PDF, DXF-AAMA/ASTM) and import (DXF, GarmentCode JSON, SVG).

Exports start from a :class:`~garment3d.types.Pattern` (or several sizes of one)
and a seam allowance; imports return an :class:`ImportedPattern` in centimetres; :func:`load_pattern_bytes` and
:func:`load_pattern_file` read any pattern a user brings (TOML, GarmentCode, DXF, SVG) into a
checked :class:`LoadedPattern` ready to draft.
"""

from garment3d.patterns.formats.dxf_read import read_dxf
from garment3d.patterns.formats.dxf_write import write_dxf
from garment3d.patterns.formats.garmentcode import read_garmentcode
from garment3d.patterns.formats.imported import ImportedPattern, ImportedPiece
from garment3d.patterns.formats.load import LoadedPattern, load_pattern_bytes, load_pattern_file
from garment3d.patterns.formats.pdf import write_pdf
from garment3d.patterns.formats.pieces import CutPiece, cut_pieces
from garment3d.patterns.formats.svg_export import pattern_to_svg, write_pattern_svg
from garment3d.patterns.formats.svg_import import read_svg

__all__ = [
    "CutPiece",
    "ImportedPattern",
    "ImportedPiece",
    "LoadedPattern",
    "cut_pieces",
    "load_pattern_bytes",
    "load_pattern_file",
    "pattern_to_svg",
    "read_dxf",
    "read_garmentcode",
    "read_svg",
    "write_dxf",
    "write_pattern_svg",
    "write_pdf",
]
