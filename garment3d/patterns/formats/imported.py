"""What an importer returns: pieces read from a file, in centimetres, not yet a :class:`Pattern`.

A file from a CAD system carries cut lines, sew lines, grain lines, notches and
labels but no seams or body placement; :meth:`ImportedPattern.to_pattern` turns
the pieces of one size into a :class:`Pattern` once the caller supplies (or
accepts guesses for) what the file lacks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import shapely

from garment3d.errors import InvalidPatternError
from garment3d.patterns.fold import fold_neighbours, mirror_name, unfold, unfold_outline
from garment3d.patterns.formats.fastener_marks import FastenerMark, fasteners_from_marks
from garment3d.patterns.formats.limits import JOIN_TOLERANCE_CM
from garment3d.types import Fastener, Panel, PanelEdge, Pattern, Placement, Seam

__all__ = ["ImportedPiece", "ImportedPattern", "split_at_corners", "ccw_loop"]

CORNER_DEG = 30.0  # outline turns sharper than this start a new edge when a file names none


@dataclass(frozen=True)
class ImportedPiece:
    """One piece as a file describes it.

    cut_line       : (k, 2) float64 cm, counter-clockwise (the boundary, incl. allowance).
    sew_line       : (j, 2) float64 cm, counter-clockwise, or None when the file has none.
    grain_line     : (2, 2) float64 cm (tail, head), or None.
    notches        : (n, 2, 2) float64 cm, [point on the boundary, inner end].
    internal_lines : open polylines (i, 2) cm.
    drill_holes    : (h, 2) float64 cm.
    edges          : named edges of the sew line (or of the cut line when there is no
                     sew line), indices as in :class:`PanelEdge`; empty when the file names none.
    translation_cm : (3,) float64 or None, a 3D placement some formats carry (GarmentCode).
    rotation_deg   : (3,) float64 or None, XYZ Euler angles of that placement.
    mirrored_x     : the outline is the file's panel mirrored in x (x -> -x) so that it
                     reads counter-clockwise from the right side; the file's 3D
                     placement applies to (-x, y).
    source         : where in the file the piece came from (block or panel name).
    fold_line      : (2, 2) float64 cm or None: the piece is cut on fold along this line
                     (DXF layer 6, the mirror line; SVG ``line.fold``); the lines above
                     are then half the piece.
    fastener_marks : the fastener sides marked on the piece (``fastener_marks``), paired
                     into fasteners across the pieces of a size by ``to_pattern``.
    interfacing    : the interfacing the file says is fused to the piece ("" none).
    """

    name: str
    size: str
    quantity: int
    cut_line: np.ndarray
    sew_line: np.ndarray | None = None
    grain_line: np.ndarray | None = None
    notches: np.ndarray = field(default_factory=lambda: np.zeros((0, 2, 2)))
    internal_lines: tuple[np.ndarray, ...] = ()
    drill_holes: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    edges: tuple[PanelEdge, ...] = ()
    edge_labels: tuple[tuple[str, str], ...] = ()
    translation_cm: np.ndarray | None = None
    rotation_deg: np.ndarray | None = None
    mirrored_x: bool = False
    source: str = ""
    fold_line: np.ndarray | None = None
    fastener_marks: tuple[FastenerMark, ...] = ()
    interfacing: str = ""

    @property
    def outline(self) -> np.ndarray:
        """The line the garment is sewn on: the sew line, else the cut line."""
        return self.sew_line if self.sew_line is not None else self.cut_line

    def edge_length_cm(self, name: str) -> float:
        """Length (cm) of edge ``name`` along the outline."""
        k = len(self.outline)
        edge = next(e for e in self.edges if e.name == name)
        points = self.outline[(edge.start + np.arange((edge.end - edge.start) % k + 1)) % k]
        return float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum())

    @property
    def area_cm2(self) -> float:
        """Fabric area of one copy (both halves of a piece cut on fold)."""
        if self.fold_line is not None:
            return float(shapely.Polygon(unfold_outline(self.cut_line, self.fold_line)).area)
        return float(shapely.Polygon(self.cut_line).area)


@dataclass(frozen=True)
class ImportedPattern:
    """Every piece of a file, grouped by size through ``ImportedPiece.size``.

    units : the unit the file's numbers were read in ("mm", "cm", "inch", "m").
    units_source : how it was decided ("override", "Units: METRIC text", "geometry", ...).
    notes : what the importer decided or skipped, in words, for the user.
    """

    name: str
    format: str
    units: str
    units_source: str
    pieces: tuple[ImportedPiece, ...]
    seams: tuple[Seam, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def sizes(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for piece in self.pieces:
            seen.setdefault(piece.size, None)
        return tuple(seen)

    def grouped(self) -> dict[str, dict[str, ImportedPiece]]:
        """piece name -> size -> piece (a graded nest read back per piece)."""
        result: dict[str, dict[str, ImportedPiece]] = {}
        for piece in self.pieces:
            result.setdefault(piece.name, {})[piece.size] = piece
        return result

    def pieces_of_size(self, size: str | None = None) -> tuple[ImportedPiece, ...]:
        """The pieces of ``size``; ``None`` is allowed when the file holds one size only."""
        if size is None:
            if len(self.sizes) > 1:
                raise InvalidPatternError(
                    f"{self.name}: the file holds sizes {', '.join(map(repr, self.sizes))}; name one"
                )
            return self.pieces
        chosen = tuple(p for p in self.pieces if p.size == size)
        if not chosen:
            raise InvalidPatternError(f"{self.name}: no size {size!r} (sizes: {', '.join(map(repr, self.sizes))})")
        return chosen

    def to_pattern(
        self,
        size: str | None = None,
        placements: Mapping[str, Placement] | None = None,
        seams: tuple[Seam, ...] | None = None,
        fasteners: tuple[Fastener, ...] = (),
    ) -> Pattern:
        """The pieces of one size as a :class:`Pattern` on their sew lines.

        Its fasteners are those marked on the pieces (paired by name), then ``fasteners`` (a sidecar's).
        Pieces without named edges get edges ``e0, e1, ...`` split at corners.
        A piece missing from ``placements`` is placed at the waist, at the azimuth
        its 3D translation suggests (GarmentCode) or at 0 (front): a guess to check.
        A piece with a fold line whose outline runs along it in one straight step
        becomes a panel cut on fold along that edge.
        """
        placements = placements or {}
        panels = []
        for piece in self.pieces_of_size(size):
            outline = piece.outline
            edges = piece.edges or split_at_corners(outline)
            grain = np.array([0.0, 1.0])
            if piece.grain_line is not None and np.linalg.norm(np.ptp(piece.grain_line, axis=0)) > 0:
                grain = piece.grain_line[1] - piece.grain_line[0]
                grain = grain / np.linalg.norm(grain)
            placement = placements.get(piece.name) or Placement("waist", _guess_azimuth(piece))
            polygon = shapely.Polygon(outline)
            if not polygon.is_valid:
                raise InvalidPatternError(
                    f"{self.name}: piece '{piece.name}' outline is not a simple closed shape "
                    f"({shapely.is_valid_reason(polygon)})"
                )
            edges, fold = _fold_edge(piece, outline, edges)
            panel = Panel(piece.name, outline, edges, grain, placement, cut_count=max(1, piece.quantity), fold=fold,
                          interfacing=piece.interfacing)
            if fold is not None:
                try:
                    unfold(panel)
                except InvalidPatternError as exc:
                    raise InvalidPatternError(f"{self.name}: {exc}") from None
            panels.append(panel)
        names = [p.name for p in panels]
        if len(set(names)) != len(names):
            raise InvalidPatternError(f"{self.name}: piece names repeat within one size: {sorted(names)}")
        chosen = self.seams if seams is None else seams
        _check_seams(self.name, chosen, panels)
        marked = fasteners_from_marks(self.name, [(panel, piece.fastener_marks)
                                                  for panel, piece in zip(panels, self.pieces_of_size(size))])
        names = {f.name for f in marked}
        clash = next((f.name for f in fasteners if f.name in names), None)
        if clash is not None:
            raise InvalidPatternError(f"{self.name}: fastener '{clash}' is marked in the file and given again")
        return Pattern(
            name=self.name,
            size_label=size if size is not None else (self.sizes[0] if self.sizes else ""),
            panels=tuple(panels),
            seams=tuple(chosen),
            fasteners=marked + tuple(fasteners),
        )


def _guess_azimuth(piece: ImportedPiece) -> float:
    if piece.translation_cm is None:
        return 0.0
    x, _, z = piece.translation_cm
    if math.hypot(x, z) < 1e-6:
        return 0.0
    return math.degrees(math.atan2(x, z)) % 360.0


def _fold_edge(
    piece: ImportedPiece, outline: np.ndarray, edges: tuple[PanelEdge, ...]
) -> tuple[tuple[PanelEdge, ...], str | None]:
    """(edges, the fold edge's name or None): the one outline step lying on the piece's fold line.

    Edges split at corners get the fold step as an edge of its own (named ``fold``);
    edges the file names are kept and used only when one of them is that step.
    """
    if piece.fold_line is None:
        return edges, None
    a, b = piece.fold_line
    direction = (b - a) / max(float(np.linalg.norm(b - a)), 1e-12)
    relative = outline - a
    on_line = np.abs(direction[0] * relative[:, 1] - direction[1] * relative[:, 0]) <= JOIN_TOLERANCE_CM
    k = len(outline)
    steps = [i for i in range(k) if on_line[i] and on_line[(i + 1) % k]]
    if len(steps) != 1:
        return edges, None
    start, end = steps[0], (steps[0] + 1) % k
    exact = next((e for e in edges if e.start == start and e.end == end), None)
    if exact is not None:
        return edges, exact.name
    if piece.edges:
        return edges, None
    corners = sorted({e.start for e in edges} | {start, end})
    split = [PanelEdge(f"e{i}", c, corners[(i + 1) % len(corners)]) for i, c in enumerate(corners)]
    split = [PanelEdge("fold", e.start, e.end) if e.start == start else e for e in split]
    return tuple(split), "fold"


def _check_seams(name: str, seams: tuple[Seam, ...], panels: list[Panel]) -> None:
    edges = {(p.name, e.name) for p in panels for e in p.edges if e.name != p.fold}
    for panel in (p for p in panels if p.fold is not None):
        joined = fold_neighbours(panel)
        edges |= {(panel.name, mirror_name(e.name)) for e in panel.edges if e.name not in (panel.fold, *joined)}
    for seam in seams:
        for ref in (seam.a, seam.b):
            if (ref.panel, ref.edge) not in edges:
                raise InvalidPatternError(f"{name}: seam names unknown edge {ref}")


def ccw_loop(points: np.ndarray) -> tuple[np.ndarray, bool]:
    """(points counter-clockwise, whether they were reversed) for a closed loop without repeat."""
    x, y = points[:, 0], points[:, 1]
    signed = float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))
    if signed < 0:
        return np.vstack([points[:1], points[:0:-1]]), True
    return points, False


def split_at_corners(outline: np.ndarray, corner_deg: float = CORNER_DEG) -> tuple[PanelEdge, ...]:
    """Edges ``e0, e1, ...`` of a closed outline, split where it turns sharper than ``corner_deg``."""
    k = len(outline)
    before = outline - np.roll(outline, 1, axis=0)
    after = np.roll(outline, -1, axis=0) - outline
    cosine = np.einsum("ij,ij->i", before, after) / np.maximum(
        np.linalg.norm(before, axis=1) * np.linalg.norm(after, axis=1), 1e-12
    )
    corners = np.flatnonzero(cosine < math.cos(math.radians(corner_deg)))
    if len(corners) < 2:
        corners = np.array([0, k // 2])
    return tuple(
        PanelEdge(f"e{i}", int(start), int(corners[(i + 1) % len(corners)])) for i, start in enumerate(corners)
    )
