"""What a DXF cannot say: how its pieces are sewn and where they go on the body.

A DXF-AAMA/ASTM file carries cut pieces but no seams and no placement. The
user supplies them in a small TOML sidecar next to the file, naming pieces as
the DXF does and edges as the importer splits them (``e0``, ``e1``, … at
corners; ``garment3d pattern import FILE.dxf`` lists them with lengths)::

    [pieces.FRONTPANEL]
    placement = { region = "torso", azimuth = 0 }

    [[seams]]
    a = "FRONTPANEL.e1"
    b = "BACKPANEL.e3"

:func:`suggest_seams` proposes pairs to start from: edges of different pieces
whose lengths agree within a tolerance, best matches first, each edge used once.
The sidecar is data like a pattern definition: parsed, checked, never run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from garment3d.errors import ImportFormatError, InvalidPatternError
from garment3d.patterns.definition import parse_body_placement, read_toml_text
from garment3d.patterns.evaluate import edge_length_cm
from garment3d.types import EdgeRef, Pattern, Placement, Seam

__all__ = ["Sidecar", "read_sidecar", "parse_sidecar", "suggest_seams", "SeamSuggestion", "apply_sidecar"]

MAX_SIDECAR_BYTES = 64 * 1024


@dataclass(frozen=True)
class Sidecar:
    placements: dict[str, Placement]
    seams: tuple[Seam, ...]


@dataclass(frozen=True)
class SeamSuggestion:
    a: EdgeRef
    b: EdgeRef
    length_a_cm: float
    length_b_cm: float

    @property
    def difference_mm(self) -> float:
        return abs(self.length_a_cm - self.length_b_cm) * 10.0


def _fail(where: str, message: str) -> ImportFormatError:
    return ImportFormatError(f"{where}: {message}")


def _placement(raw: Any, where: str) -> Placement:
    if not isinstance(raw, dict):
        raise _fail(where, "placement must be a table like { region = \"waist\", azimuth = 0 }")
    try:
        region, azimuth, side, layer = parse_body_placement(raw, where, azimuth_default=0.0)
    except InvalidPatternError as exc:
        raise ImportFormatError(str(exc)) from None
    return Placement(region=region, azimuth_deg=azimuth, side=side, layer=layer)


def _ref(raw: Any, where: str) -> EdgeRef:
    if not isinstance(raw, str) or raw.count(".") != 1 or not all(raw.split(".")):
        raise _fail(where, f"an edge must be written 'PIECE.edge', not {raw!r}")
    piece, edge = raw.split(".")
    return EdgeRef(piece, edge)


def parse_sidecar(text: str | bytes, source: str = "sidecar") -> Sidecar:
    """Parse sidecar TOML text (see the module docstring)."""
    data = read_toml_text(text, source, "sidecar", MAX_SIDECAR_BYTES, ImportFormatError)
    unknown = sorted(set(data) - {"pieces", "seams"})
    if unknown:
        raise _fail(source, f"unknown key(s) {', '.join(unknown)} (a sidecar has [pieces.NAME] tables and [[seams]])")
    pieces = data.get("pieces", {})
    if not isinstance(pieces, dict):
        raise _fail(source, "'pieces' must be a table of piece names")
    placements = {}
    for name, table in pieces.items():
        if not isinstance(table, dict) or "placement" not in table:
            raise _fail(f"{source}, piece '{name}'", "needs placement = { region = ..., azimuth = ... }")
        placements[name] = _placement(table["placement"], f"{source}, piece '{name}'")
    seams_raw = data.get("seams", [])
    if not isinstance(seams_raw, list):
        raise _fail(source, "'seams' must be a list of tables with a and b")
    seams = []
    for i, table in enumerate(seams_raw):
        where = f"{source}, seam {i + 1}"
        if not isinstance(table, dict):
            raise _fail(where, "must be a table with a = 'PIECE.edge' and b = 'PIECE.edge'")
        reversed_ = table.get("reversed", True)
        if not isinstance(reversed_, bool):
            raise _fail(where, "'reversed' must be true or false")
        seams.append(Seam(a=_ref(table.get("a"), f"{where}, a"), b=_ref(table.get("b"), f"{where}, b"),
                          reversed=reversed_))
    return Sidecar(placements=placements, seams=tuple(seams))


def read_sidecar(path: Path) -> Sidecar:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"cannot read sidecar {path}: {exc.strerror or exc}") from None
    return parse_sidecar(data, Path(path).name)


def apply_sidecar(imported, sidecar: Sidecar, size: str | None = None) -> Pattern:
    """The imported pattern at ``size`` with the sidecar's placements and seams (checked against its pieces)."""
    names = {p.name for p in imported.pieces_of_size(size)}
    unknown = sorted(set(sidecar.placements) - names)
    if unknown:
        raise ImportFormatError(f"sidecar places pieces the file does not have: {', '.join(unknown)} "
                                f"(pieces: {', '.join(sorted(names))})")
    return imported.to_pattern(size, placements=sidecar.placements, seams=sidecar.seams)


def suggest_seams(pattern: Pattern, tolerance_mm: float = 3.0, min_length_cm: float = 5.0) -> list[SeamSuggestion]:
    """Pairs of edges on different pieces whose lengths agree within ``tolerance_mm``.

    Closest matches first; each edge is used at most once; edges shorter than
    ``min_length_cm`` (corners, notch cuts) are left out. A suggestion is a
    starting point for the sidecar, not a seam: equal length alone does not
    make two edges belong together.
    """
    edges = [(panel.name, edge.name, edge_length_cm(panel, edge.name))
             for panel in pattern.panels for edge in panel.edges]
    edges = [e for e in edges if e[2] >= min_length_cm]
    candidates = []
    for i, (pa, ea, la) in enumerate(edges):
        for pb, eb, lb in edges[i + 1:]:
            if pa != pb and abs(la - lb) * 10.0 <= tolerance_mm:
                candidates.append((abs(la - lb), pa, ea, la, pb, eb, lb))
    used: set[tuple[str, str]] = set()
    result = []
    for _, pa, ea, la, pb, eb, lb in sorted(candidates):
        if (pa, ea) in used or (pb, eb) in used:
            continue
        used.update({(pa, ea), (pb, eb)})
        result.append(SeamSuggestion(EdgeRef(pa, ea), EdgeRef(pb, eb), la, lb))
    return result
