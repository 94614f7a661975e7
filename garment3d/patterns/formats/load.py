"""Any pattern a user brings, as one value the pipeline drafts: TOML, GarmentCode JSON, DXF or SVG.

Two entry points, one for files and one for uploads::

    loaded = load_pattern_file(Path("dress_pencil_specification.json"))
    loaded = load_pattern_bytes(data, "dxf", name="shirt.dxf", sidecar=sidecar_bytes)
    pattern = loaded.pattern(measurements)      # a Pattern ready for meshing

``load_pattern_bytes`` is what a service calls on an upload: it refuses data
over a size limit before parsing anything, parses the bytes as data only
(TOML with ``tomllib``, JSON with ``json``, DXF with ``ezdxf`` after a bounded
pre-scan, SVG with ``defusedxml``; formulas of a TOML definition are walked
over a whitelist, never passed to ``eval``) and validates the whole pattern
before it returns: a TOML definition is drafted once at a reference size; a
GarmentCode specification is placed and its stitches checked; a DXF or SVG
with a sidecar has its seams and placements checked against its pieces. Every
problem is an :class:`~garment3d.errors.ImportFormatError` or
:class:`~garment3d.errors.InvalidPatternError` whose message names the file,
piece, edge or field; nothing else escapes.

Kinds and what each needs:

- ``toml``: a pattern definition (``patterns/FORMAT.md``), drafted to any size;
- ``garmentcode``: a GarmentCode ``*_specification.json``, a fixed size; panels
  placed from its own 3D layout (``garmentcode_place``), its stitches as seams;
- ``dxf`` / ``svg``: cut pieces of a fixed size; sampling needs a sidecar
  (``sidecar.py``) with placements and seams.

A fixed-size pattern was drafted for one body: a sidecar's ``[body]`` table
says which (``LoadedPattern.body``); the caller samples on it or on a body it
chooses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from garment3d.errors import Garment3DError, ImportFormatError, InvalidPatternError
from garment3d.patterns.definition import MAX_DEFINITION_BYTES, PatternDefinition, parse_definition_text
from garment3d.patterns.formats.dxf_read import read_dxf
from garment3d.patterns.formats.garmentcode import read_garmentcode
from garment3d.patterns.formats.garmentcode_place import garmentcode_pattern
from garment3d.patterns.formats.imported import ImportedPattern
from garment3d.patterns.formats.limits import MAX_FILE_BYTES
from garment3d.patterns.formats.sidecar import MAX_SIDECAR_BYTES, Sidecar, apply_sidecar, parse_sidecar
from garment3d.patterns.formats.svg_import import read_svg
from garment3d.types import Measurements, Pattern

__all__ = [
    "PATTERN_KINDS",
    "MAX_UPLOAD_BYTES",
    "LoadedPattern",
    "load_pattern_bytes",
    "load_pattern_file",
    "kind_of_file",
]

PATTERN_KINDS = ("toml", "garmentcode", "dxf", "svg")
MAX_UPLOAD_BYTES = {  # the most each kind may weigh (real files: a few KiB to a few hundred KiB)
    "toml": MAX_DEFINITION_BYTES,
    "garmentcode": 8 * 2**20,
    "dxf": 32 * 2**20,
    "svg": 16 * 2**20,
}
_SUFFIXES = {".toml": "toml", ".json": "garmentcode", ".dxf": "dxf", ".svg": "svg"}
REFERENCE_BODY = Measurements(height_cm=160.0, bust_cm=84.0, waist_cm=68.0, hip_cm=90.0)  # 160/84A
GARMENTCODE_HEIGHT_CM = 172.0  # GarmentCode's mean body, when nothing says which body a spec was drafted for


@dataclass(frozen=True)
class LoadedPattern:
    """A pattern read and checked, not yet drafted at a size.

    definition : a TOML definition (drafted to any size), else None.
    imported   : the pieces of a fixed-size file (GarmentCode, DXF, SVG), else None.
    sidecar    : placements, seams, [body] and size given next to the file, if any.
    body       : the body a fixed-size pattern was drafted for (from its sidecar), if known.
    """

    name: str
    kind: str
    definition: PatternDefinition | None = None
    imported: ImportedPattern | None = None
    sidecar: Sidecar | None = None
    notes: tuple[str, ...] = ()

    @property
    def fixed_size(self) -> bool:
        return self.definition is None

    @property
    def body(self) -> Measurements | None:
        return self.sidecar.body if self.sidecar is not None else None

    @property
    def size(self) -> str | None:
        """The size of a graded file that is used: the sidecar's, else the first."""
        if self.imported is None:
            return None
        if self.sidecar is not None and self.sidecar.size is not None:
            return self.sidecar.size
        return self.imported.sizes[0] if self.imported.sizes else None

    def pattern(self, measurements: Measurements | None = None, parameters: dict[str, float] | None = None,
                size_label: str = "") -> Pattern:
        """The pattern ready for meshing: a definition drafted to ``measurements``; a fixed-size
        pattern's own pieces (``measurements`` then only tell GarmentCode its body's height)."""
        if self.definition is not None:
            from garment3d.patterns.evaluate import evaluate

            return evaluate(self.definition, measurements or REFERENCE_BODY, parameters or {}, size_label)
        if parameters:
            raise InvalidPatternError(
                f"{self.name}: a {self.kind} file is a fixed-size pattern; it has no style parameters "
                f"({', '.join(sorted(parameters))})")
        if self.kind == "garmentcode":
            height = (self.body or measurements).height_cm if (self.body or measurements) else GARMENTCODE_HEIGHT_CM
            return garmentcode_pattern(self.imported, height)
        self.check_sewable()
        return apply_sidecar(self.imported, self.sidecar, self.size)

    def check_sewable(self) -> None:
        """Raise unless the file, with its sidecar, says how its pieces are sewn and placed."""
        if self.kind in ("dxf", "svg") and self.sidecar is None:
            raise InvalidPatternError(
                f"{self.name}: a {self.kind.upper()} file carries cut pieces but no seams or placement; give a "
                f"sidecar TOML with [pieces.NAME] placement and [[seams]] ('garment3d pattern import FILE' "
                f"lists the pieces and suggests seams)")

    def pieces(self) -> Pattern:
        """The pieces as a pattern for listing and export: with the sidecar's seams and placements when there is
        one, else the file's own (guessed placements; a graded file's first size)."""
        if self.kind in ("dxf", "svg") and self.sidecar is None:
            return self.imported.to_pattern(self.size)
        return self.pattern(self.body)


def kind_of_file(path: Path) -> str:
    """The kind of a pattern file from its name: .toml, .json (GarmentCode), .dxf or .svg."""
    kind = _SUFFIXES.get(Path(path).suffix.lower())
    if kind is None:
        raise ImportFormatError(
            f"{Path(path).name}: cannot tell the pattern format from the name; use .toml (definition), "
            f".json (GarmentCode specification), .dxf (DXF-AAMA/ASTM) or .svg")
    return kind


def load_pattern_file(path: Path | str, sidecar: Path | str | None = None, units: str | None = None,
                      kind: str | None = None) -> LoadedPattern:
    """Read and check a pattern file (and its sidecar TOML), its kind from its name unless given."""
    path = Path(path)
    kind = kind or kind_of_file(path)
    data = _read(path, "pattern file", _limit(kind))
    sidecar_data = _read(Path(sidecar), "sidecar", MAX_SIDECAR_BYTES) if sidecar is not None else None
    sidecar_name = Path(sidecar).name if sidecar is not None else "sidecar"
    return load_pattern_bytes(data, kind, name=path.name, sidecar=sidecar_data, sidecar_name=sidecar_name,
                              units=units)


def load_pattern_bytes(data: bytes, kind: str, *, name: str = "upload", sidecar: bytes | None = None,
                       sidecar_name: str = "sidecar", units: str | None = None,
                       max_bytes: int | None = None) -> LoadedPattern:
    """Read and fully check an uploaded pattern definition; never executes anything in it.

    data      : the file's bytes (refused over ``max_bytes``, default ``MAX_UPLOAD_BYTES[kind]``).
    kind      : "toml", "garmentcode", "dxf" or "svg".
    name      : the upload's file name, used in messages and as the pattern's name.
    sidecar   : the bytes of a sidecar TOML (placements, seams, [body], size), at most 64 KiB.
    units     : DXF only: "mm", "cm", "inch" or "m" instead of what the file says or suggests.

    Raises ImportFormatError / InvalidPatternError naming the problem.
    """
    if kind not in PATTERN_KINDS:
        raise ImportFormatError(f"{name}: unknown pattern kind {kind!r} (known: {', '.join(PATTERN_KINDS)})")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImportFormatError(f"{name}: a pattern upload must be bytes")
    limit = min(max_bytes or _limit(kind), _limit(kind))
    if len(data) > limit:
        raise ImportFormatError(f"{name}: {len(data) / 2**20:.1f} MiB is more than the {limit / 2**20:.2g} MiB "
                                f"a {kind} pattern may be")
    if units is not None and kind != "dxf":
        raise ImportFormatError(f"{name}: units apply to DXF files only (a {kind} file states its own)")
    try:
        return _checked(_parse(bytes(data), kind, name, sidecar, sidecar_name, units))
    except Garment3DError:
        raise
    except RecursionError:
        raise ImportFormatError(f"{name}: nested too deeply to be a pattern") from None


def _limit(kind: str) -> int:
    return min(MAX_UPLOAD_BYTES.get(kind, MAX_FILE_BYTES), MAX_FILE_BYTES)


def _read(path: Path, what: str, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise ImportFormatError(f"{path.name}: {what} of {size / 2**20:.1f} MiB is more than the "
                                    f"{limit / 2**20:.2g} MiB allowed")
        return path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _parse(data: bytes, kind: str, name: str, sidecar: bytes | None, sidecar_name: str,
           units: str | None) -> LoadedPattern:
    side = parse_sidecar(sidecar, sidecar_name) if sidecar is not None else None
    stem = Path(name).stem.removesuffix("_specification")
    if kind == "toml":
        if side is not None:
            raise ImportFormatError(f"{name}: a TOML definition places and sews its own panels; it takes no sidecar")
        definition = parse_definition_text(data, source=name)
        return LoadedPattern(name=definition.name, kind=kind, definition=definition)
    if kind == "garmentcode":
        imported = read_garmentcode(data, name=name)
        if side is not None and (side.placements or side.seams):
            raise ImportFormatError(f"{sidecar_name}: a GarmentCode specification places and stitches its own "
                                    "panels; its sidecar may give [body] only")
    elif kind == "dxf":
        imported = read_dxf(data, units=units, name=name)
    else:
        imported = read_svg(data, name=name)
    imported = replace(imported, name=stem)  # messages named the file; the pattern is named by its stem
    return LoadedPattern(name=imported.name, kind=kind, imported=imported, sidecar=side, notes=imported.notes)


def _checked(loaded: LoadedPattern) -> LoadedPattern:
    """Draft what can be drafted once, so a bad pattern fails at upload and not in a queued job."""
    if loaded.imported is not None and loaded.sidecar is not None and loaded.sidecar.size is not None:
        loaded.imported.pieces_of_size(loaded.sidecar.size)  # names the sizes the file has
    if loaded.kind in ("dxf", "svg") and loaded.sidecar is None:
        loaded.imported.to_pattern(loaded.size)  # pieces must at least be simple closed shapes
        return loaded
    loaded.pattern(loaded.body)
    return loaded
