"""The fabric properties file, ``fabrics/<name>/fabric.toml``: read, check, write.

A fabric folder holds its images and one ``fabric.toml``::

    display_name = "Jade silk charmeuse, 19 momme"
    kind = "silk_satin"                  # look preset (garment3d.fabric.maps.LOOKS)
    composition = "100% mulberry silk"
    construction = "8-harness warp-faced satin"
    scan = "scan.png"                    # base colour, sRGB
    normal_map = "normal.png"            # optional, tangent space (OpenGL)
    roughness_map = "roughness.png"      # optional, greyscale
    tile_cm = [1.0, 1.0]                 # physical size of one copy of the images: weft, warp
    roll_width_cm = 114
    price_per_m = 38.0
    currency = "EUR"
    density_gsm = 82.5                   # areal density, g/m2
    thickness_mm = 0.15
    stretch_warp_n_per_m = 3000          # drape engine units: N/m per unit width
    stretch_weft_n_per_m = 2000
    shear_n_per_m = 8
    bending_warp_unm = 1.0               # bending rigidity, micro-newton metre (1 gf cm2/cm = 98 uN m)
    bending_weft_unm = 0.7
    friction = 0.3
    roughness = 0.35                     # look: PBR roughness, sheen, anisotropy, opacity (0..1)
    sheen = 0.85
    sheen_roughness = 0.3
    anisotropy = 0.6
    opacity = 1.0
    tint = [1, 1, 1]                     # optional multiplier of the scan

    [drape]
    coefficient_range = [0.20, 0.40]     # published Cusick drape coefficient range for the kind

    [sources]                            # where each physical value comes from
    density_gsm = "19 momme x 4.34 g/m2 per momme"
    mechanics = "..."
    drape = "..."

    [[colorways]]
    name = "jade"
    hex = "#5c9e85"

    [[images]]                           # one entry per image file: its source and licence
    file = "scan.png"
    source = "..."
    licence = "CC0-1.0"

Only the physical fields and ``scan``/``tile_cm`` are required (a fabric a
user writes by hand stays small); :func:`catalogue_problems` lists what a
library fabric lacks (tests hold every library fabric to it).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from garment3d.errors import InvalidFabricError, UnknownFabricError
from garment3d.settings import get_settings
from garment3d.types import Colorway, Fabric, PrintRepeat

__all__ = [
    "FabricRecord",
    "list_fabrics",
    "load_fabric",
    "load_record",
    "parse_fabric",
    "parse_record",
    "write_fabric_toml",
    "add_colorways",
    "catalogue_problems",
    "check_name",
    "PRINT_MODES",
]

_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
PRINT_MODES = ("full_drop", "half_drop", "mirror")

# field -> (lowest, highest) plausible value in the field's unit
_RANGES = {
    "density_gsm": (10.0, 1500.0),
    "thickness_mm": (0.02, 10.0),
    "stretch_warp_n_per_m": (10.0, 1.0e6),
    "stretch_weft_n_per_m": (10.0, 1.0e6),
    "shear_n_per_m": (0.1, 1.0e5),
    "bending_warp_unm": (0.01, 1.0e5),
    "bending_weft_unm": (0.01, 1.0e5),
    "friction": (0.0, 2.0),
    "roll_width_cm": (5.0, 600.0),
    "price_per_m": (0.0, 1.0e6),
}
_IMAGE_FIELDS = ("scan", "normal_map", "roughness_map")


@dataclass(frozen=True)
class FabricRecord:
    """A library fabric with its catalogue sheet: the :class:`Fabric` plus where its values come from.

    image_credits : file name -> (source, licence) for every image in the folder the fabric uses.
    sources       : value name -> the published source of that value.
    drape_range   : (low, high) published Cusick drape coefficient of the kind, or None.
    """

    fabric: Fabric
    folder: Path
    kind: str
    image_credits: dict[str, tuple[str, str]]
    sources: dict[str, str]
    drape_range: tuple[float, float] | None


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidFabricError(f"fabric name '{name}' must be 1-64 characters of a-z, 0-9 and _")
    return name


def _number(table: dict[str, Any], key: str, where: str, default: float | None = None) -> float:
    if key not in table:
        if default is None:
            raise InvalidFabricError(f"{where}: missing field '{key}'")
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidFabricError(f"{where}: field '{key}' must be a number")
    low, high = _RANGES.get(key, (-math.inf, math.inf))
    if not low <= value <= high:
        raise InvalidFabricError(f"{where}: field '{key}' = {value:g} is outside [{low:g}, {high:g}]")
    return float(value)


def _optional_number(table: dict[str, Any], key: str, where: str) -> float | None:
    return _number(table, key, where) if key in table else None


def _unit_number(table: dict[str, Any], key: str, where: str, default: float) -> float:
    value = _number(table, key, where, default=default)
    if not 0.0 <= value <= 1.0:
        raise InvalidFabricError(f"{where}: field '{key}' must be between 0 and 1, got {value}")
    return value


def _vector(table: dict[str, Any], key: str, size: int, where: str, default: tuple | None = None) -> tuple:
    value = table.get(key, default)
    if (
        not isinstance(value, (list, tuple))
        or len(value) != size
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value)
    ):
        raise InvalidFabricError(f"{where}: field '{key}' must be a list of {size} numbers")
    return tuple(float(v) for v in value)


def _text(table: dict[str, Any], key: str, where: str, default: str = "") -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or len(value) > 500:
        raise InvalidFabricError(f"{where}: field '{key}' must be text (at most 500 characters)")
    return value


def _file(folder: Path, table: dict[str, Any], key: str, where: str, required: bool) -> Path | None:
    name = table.get(key)
    if name is None and not required:
        return None
    if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
        raise InvalidFabricError(f"{where}: field '{key}' must be a file name in the fabric folder")
    path = folder / name
    if not path.is_file():
        raise InvalidFabricError(f"{where}: {key} file '{name}' does not exist")
    return path


def _colorways(table: dict[str, Any], where: str) -> tuple[Colorway, ...]:
    entries = table.get("colorways", [])
    if not isinstance(entries, list):
        raise InvalidFabricError(f"{where}: 'colorways' must be a list of {{name, hex}} tables")
    result = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise InvalidFabricError(f"{where}: colorways[{index}] needs a 'name'")
        if not isinstance(entry.get("hex"), str) or not _HEX.match(entry["hex"]):
            raise InvalidFabricError(f"{where}: colorway '{entry['name']}' needs 'hex' as '#rrggbb'")
        result.append(Colorway(name=entry["name"].strip(), hex=entry["hex"].lower()))
    if len({c.name for c in result}) != len(result):
        raise InvalidFabricError(f"{where}: two colorways share a name")
    return tuple(result)


def _print_repeat(folder: Path, table: dict[str, Any], where: str) -> PrintRepeat | None:
    entry = table.get("print")
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise InvalidFabricError(f"{where}: 'print' must be a table with motif, size_cm and mode")
    inner = f"{where} [print]"
    mode = entry.get("mode")
    if mode not in PRINT_MODES:
        raise InvalidFabricError(f"{inner}: 'mode' must be one of {', '.join(PRINT_MODES)}, got {mode!r}")
    size = _vector(entry, "size_cm", 2, inner)
    if min(size) <= 0 or max(size) > 500:
        raise InvalidFabricError(f"{inner}: 'size_cm' must be between 0 and 500 cm")
    return PrintRepeat(motif_path=_file(folder, entry, "motif", inner, required=True), size_cm=size, mode=mode)


def parse_fabric(name: str, folder: Path, table: dict[str, Any]) -> Fabric:
    where = f"fabric '{name}' ({folder / 'fabric.toml'})"
    tile = _vector(table, "tile_cm", 2, where)
    if min(tile) <= 0 or max(tile) > 500:
        raise InvalidFabricError(f"{where}: field 'tile_cm' must be between 0 and 500 cm")
    tint = _vector(table, "tint", 3, where, default=(1.0, 1.0, 1.0))
    if not all(0.0 <= t <= 1.0 for t in tint):
        raise InvalidFabricError(f"{where}: field 'tint' values must be in [0, 1]")
    return Fabric(
        name=name,
        display_name=_text(table, "display_name", where, default=name),
        density_gsm=_number(table, "density_gsm", where),
        thickness_mm=_number(table, "thickness_mm", where),
        stretch_warp_n_per_m=_number(table, "stretch_warp_n_per_m", where),
        stretch_weft_n_per_m=_number(table, "stretch_weft_n_per_m", where),
        shear_n_per_m=_number(table, "shear_n_per_m", where),
        bending_warp_unm=_number(table, "bending_warp_unm", where),
        bending_weft_unm=_number(table, "bending_weft_unm", where),
        friction=_number(table, "friction", where),
        tile_cm=tile,
        texture_path=_file(folder, table, "scan", where, required=True),
        normal_path=_file(folder, table, "normal_map", where, required=False),
        roughness=_number(table, "roughness", where, default=0.7),
        tint=tint,
        roughness_path=_file(folder, table, "roughness_map", where, required=False),
        sheen=_unit_number(table, "sheen", where, default=0.0),
        sheen_roughness=_unit_number(table, "sheen_roughness", where, default=0.5),
        anisotropy=_unit_number(table, "anisotropy", where, default=0.0),
        opacity=_unit_number(table, "opacity", where, default=1.0),
        composition=_text(table, "composition", where),
        construction=_text(table, "construction", where),
        roll_width_cm=_optional_number(table, "roll_width_cm", where),
        price_per_m=_optional_number(table, "price_per_m", where),
        currency=_currency(table, where),
        colorways=_colorways(table, where),
        print_repeat=_print_repeat(folder, table, where),
    )


def _currency(table: dict[str, Any], where: str) -> str:
    value = _text(table, "currency", where)
    if value and not re.fullmatch(r"[A-Z]{3}", value):
        raise InvalidFabricError(f"{where}: field 'currency' must be a 3-letter ISO 4217 code such as EUR")
    return value


def parse_record(name: str, folder: Path, table: dict[str, Any]) -> FabricRecord:
    fabric = parse_fabric(name, folder, table)
    where = f"fabric '{name}' ({folder / 'fabric.toml'})"
    images = table.get("images", [])
    if not isinstance(images, list):
        raise InvalidFabricError(f"{where}: 'images' must be a list of {{file, source, licence}} tables")
    credits: dict[str, tuple[str, str]] = {}
    for index, entry in enumerate(images):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("file", "source", "licence")):
            raise InvalidFabricError(f"{where}: images[{index}] needs 'file', 'source' and 'licence' as text")
        credits[entry["file"]] = (entry["source"], entry["licence"])
    sources = table.get("sources", {})
    if not isinstance(sources, dict) or not all(isinstance(v, str) for v in sources.values()):
        raise InvalidFabricError(f"{where}: [sources] must map value names to text")
    drape = table.get("drape", {})
    drape_range = _vector(drape, "coefficient_range", 2, where) if isinstance(drape, dict) and drape else None
    return FabricRecord(
        fabric=fabric,
        folder=folder,
        kind=_text(table, "kind", where),
        image_credits=credits,
        sources=dict(sources),
        drape_range=drape_range,
    )


def list_fabrics(fabrics_dir: Path | None = None) -> list[str]:
    root = fabrics_dir or get_settings().fabrics_dir
    return sorted(p.parent.name for p in root.glob("*/fabric.toml"))


def _read_table(name: str, fabrics_dir: Path | None) -> tuple[Path, dict[str, Any]]:
    root = fabrics_dir or get_settings().fabrics_dir
    if not isinstance(name, str) or not _NAME.match(name) or not (root / name / "fabric.toml").is_file():
        known = ", ".join(list_fabrics(root)) or "none"
        raise UnknownFabricError(f"unknown fabric '{name}' (known: {known})")
    folder = root / name
    try:
        return folder, tomllib.loads((folder / "fabric.toml").read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidFabricError(f"fabric '{name}': fabric.toml is not valid TOML: {exc}") from None


def load_fabric(name: str, fabrics_dir: Path | None = None) -> Fabric:
    """Load fabric ``name`` from the library, or raise UnknownFabricError listing the known ones."""
    folder, table = _read_table(name, fabrics_dir)
    return parse_fabric(name, folder, table)


def load_record(name: str, fabrics_dir: Path | None = None) -> FabricRecord:
    """Load fabric ``name`` with its catalogue sheet (image credits, sources, drape range)."""
    folder, table = _read_table(name, fabrics_dir)
    return parse_record(name, folder, table)


def catalogue_problems(record: FabricRecord) -> list[str]:
    """What a library fabric lacks: composition, construction, roll width, price, sources, image credits."""
    fabric = record.fabric
    problems = [f"no {field}" for field in ("composition", "construction", "currency") if not getattr(fabric, field)]
    problems += [f"no {field}" for field in ("roll_width_cm", "price_per_m") if getattr(fabric, field) is None]
    problems += [f"no source for {key}" for key in ("density_gsm", "mechanics", "drape") if key not in record.sources]
    if record.drape_range is None:
        problems.append("no published drape coefficient range")
    for path in (fabric.texture_path, fabric.normal_path, fabric.roughness_path):
        if path is not None and path.name not in record.image_credits:
            problems.append(f"no source and licence for image {path.name}")
    return problems


# --------------------------------------------------------------------------- writing


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(round(float(value), 6)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def write_fabric_toml(
    folder: Path,
    fabric: Fabric,
    *,
    kind: str = "",
    image_credits: dict[str, tuple[str, str]] | None = None,
    sources: dict[str, str] | None = None,
    drape_range: tuple[float, float] | None = None,
) -> Path:
    """Write ``folder/fabric.toml`` for ``fabric`` (its image files must already be in ``folder``)."""
    lines = [f"display_name = {_toml_value(fabric.display_name)}"]
    if kind:
        lines.append(f"kind = {_toml_value(kind)}")
    for key, value in (("composition", fabric.composition), ("construction", fabric.construction)):
        if value:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, path in (("scan", fabric.texture_path), ("normal_map", fabric.normal_path),
                      ("roughness_map", fabric.roughness_path)):  # fmt: skip
        if path is not None:
            lines.append(f"{key} = {_toml_value(Path(path).name)}")
    lines.append(f"tile_cm = {_toml_value(list(fabric.tile_cm))}")
    for spec in fields(Fabric):
        if spec.name in ("roll_width_cm", "price_per_m") or spec.name in _RANGES or spec.name in (
            "roughness", "sheen", "sheen_roughness", "anisotropy", "opacity"
        ):
            value = getattr(fabric, spec.name)
            if value is not None:
                lines.append(f"{spec.name} = {_toml_value(float(value))}")
    if fabric.currency:
        lines.append(f"currency = {_toml_value(fabric.currency)}")
    if tuple(fabric.tint) != (1.0, 1.0, 1.0):
        lines.append(f"tint = {_toml_value(list(fabric.tint))}")
    if fabric.print_repeat is not None:
        repeat = fabric.print_repeat
        lines += ["", "[print]", f"motif = {_toml_value(Path(repeat.motif_path).name)}",
                  f"size_cm = {_toml_value(list(repeat.size_cm))}", f"mode = {_toml_value(repeat.mode)}"]  # fmt: skip
    if drape_range is not None:
        lines += ["", "[drape]", f"coefficient_range = {_toml_value(list(drape_range))}"]
    if sources:
        lines += ["", "[sources]"] + [f"{key} = {_toml_value(text)}" for key, text in sources.items()]
    for colorway in fabric.colorways:
        lines += ["", "[[colorways]]", f"name = {_toml_value(colorway.name)}", f"hex = {_toml_value(colorway.hex)}"]
    for file, (source, licence) in (image_credits or {}).items():
        lines += ["", "[[images]]", f"file = {_toml_value(file)}", f"source = {_toml_value(source)}",
                  f"licence = {_toml_value(licence)}"]  # fmt: skip
    path = Path(folder) / "fabric.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def add_colorways(name: str, colorways: tuple[Colorway, ...], fabrics_dir: Path | None = None) -> FabricRecord:
    """Add ``colorways`` to library fabric ``name`` (a name already there keeps its colour) and save it."""
    import dataclasses

    record = load_record(name, fabrics_dir)
    known = {c.name for c in record.fabric.colorways}
    merged = record.fabric.colorways + tuple(c for c in colorways if c.name not in known)
    for colorway in merged:
        if not _HEX.match(colorway.hex) or not colorway.name.strip():
            raise InvalidFabricError(f"colorway {colorway.name!r} needs a name and a '#rrggbb' hex")
    fabric = dataclasses.replace(record.fabric, colorways=merged)
    write_fabric_toml(record.folder, fabric, kind=record.kind, image_credits=record.image_credits,
                      sources=record.sources, drape_range=record.drape_range)  # fmt: skip
    return load_record(name, fabrics_dir)
