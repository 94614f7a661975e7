"""Tolerances, defaults and import limits of the pattern file formats, in one place.

Lengths are centimetres unless the name says otherwise.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_SEAM_ALLOWANCE_CM",
    "MAX_SEAM_ALLOWANCE_CM",
    "NOTCH_DEPTH_CM",
    "DRILL_INSET_CM",
    "MITRE_LIMIT",
    "JOIN_TOLERANCE_CM",
    "CLOSE_GAP_CM",
    "DUPLICATE_TOLERANCE_CM",
    "SEW_LINE_MAX_INSET_CM",
    "FLATTEN_DISTANCE_CM",
    "PLAUSIBLE_PIECE_CM",
    "PLAUSIBLE_LARGEST_PIECE_CM",
    "TYPICAL_PIECE_CM",
    "MAX_PIECE_CM",
    "MAX_FILE_BYTES",
    "MAX_DXF_RECORDS",
    "MAX_POINTS",
    "MAX_PIECES",
    "MAX_ABS_COORDINATE",
    "MAX_GARMENTCODE_PANELS",
    "MAX_GARMENTCODE_EDGES",
    "MAX_PDF_PAGE_MM",
    "MAX_TILED_PAGES",
]

# --- export
DEFAULT_SEAM_ALLOWANCE_CM = 1.0
MAX_SEAM_ALLOWANCE_CM = 10.0
NOTCH_DEPTH_CM = 0.6  # slit notches cut into the seam allowance (at most the allowance)
DRILL_INSET_CM = 1.0  # a dart's drill hole sits this far from the tip, inside the dart
MITRE_LIMIT = 3.0  # an allowance corner sticks out at most this many allowances, else it is bevelled

# --- import geometry
JOIN_TOLERANCE_CM = 0.05  # boundary fragments whose ends are closer than this are joined
CLOSE_GAP_CM = 0.2  # a joined boundary whose ends are closer than this is closed
DUPLICATE_TOLERANCE_CM = 0.05  # two pieces this close after alignment are one piece written twice
SEW_LINE_MAX_INSET_CM = 5.0  # a closed layer-8 loop this close to the boundary is its sew line
FLATTEN_DISTANCE_CM = 0.01  # arcs, bulges and splines are flattened to within 0.1 mm
PLAUSIBLE_PIECE_CM = (5.0, 200.0)  # a garment piece's longest side, used to infer file units
PLAUSIBLE_LARGEST_PIECE_CM = (20.0, 250.0)  # a garment's largest piece (a front, a skirt panel, a sleeve)
TYPICAL_PIECE_CM = 40.0  # the median piece's longest side in a typical pattern: breaks ties between units
MAX_PIECE_CM = 1000.0  # a piece larger than 10 m is refused as corrupt

# --- import limits (hostile files)
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DXF_RECORDS = 200_000  # group-code-0 records (entities, R12 vertices, table entries): ~15 s of parsing
MAX_POINTS = 2_000_000  # flattened points over the whole file
MAX_PIECES = 2_000
MAX_ABS_COORDINATE = 1e7  # in file units
MAX_GARMENTCODE_PANELS = 500
MAX_GARMENTCODE_EDGES = 20_000

# --- PDF
MAX_PDF_PAGE_MM = 5080.0  # 200 inches: the largest page PDF viewers accept
MAX_TILED_PAGES = 400


def read_source(source, name: str | None, default_label: str) -> tuple[str, bytes]:
    """(label, bytes) of an import source (a path or the bytes themselves), refusing files over the size limit."""
    from pathlib import Path

    from garment3d.errors import ImportFormatError

    if isinstance(source, (str, Path)):
        path = Path(source)
        label = path.name
        size = path.stat().st_size
    else:
        label, source = name or default_label, bytes(source)
        size = len(source)
    if size > MAX_FILE_BYTES:
        raise ImportFormatError(f"{label}: file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    return label, (path.read_bytes() if isinstance(source, (str, Path)) else source)
