"""The fabric library: one folder per fabric with ``fabric.toml`` and its scans."""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

from garment3d.errors import InvalidFabricError, UnknownFabricError
from garment3d.settings import get_settings
from garment3d.types import Fabric

__all__ = ["list_fabrics", "load_fabric", "parse_fabric"]

_NAME = re.compile(r"^[a-z0-9_]{1,64}$")

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
}


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


def _vector(table: dict[str, Any], key: str, size: int, where: str, default: tuple | None = None) -> tuple:
    value = table.get(key, default)
    if (
        not isinstance(value, (list, tuple))
        or len(value) != size
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value)
    ):
        raise InvalidFabricError(f"{where}: field '{key}' must be a list of {size} numbers")
    return tuple(float(v) for v in value)


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
        display_name=str(table.get("display_name", name)),
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
    )


def _unit_number(table: dict[str, Any], key: str, where: str, default: float) -> float:
    value = _number(table, key, where, default=default)
    if not 0.0 <= value <= 1.0:
        raise InvalidFabricError(f"{where}: field '{key}' must be between 0 and 1, got {value}")
    return value


def list_fabrics(fabrics_dir: Path | None = None) -> list[str]:
    root = fabrics_dir or get_settings().fabrics_dir
    return sorted(p.parent.name for p in root.glob("*/fabric.toml"))


def load_fabric(name: str, fabrics_dir: Path | None = None) -> Fabric:
    """Load fabric ``name`` from the library, or raise UnknownFabricError listing the known ones."""
    root = fabrics_dir or get_settings().fabrics_dir
    if not isinstance(name, str) or not _NAME.match(name) or not (root / name / "fabric.toml").is_file():
        known = ", ".join(list_fabrics(root)) or "none"
        raise UnknownFabricError(f"unknown fabric '{name}' (known: {known})")
    folder = root / name
    try:
        table = tomllib.loads((folder / "fabric.toml").read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidFabricError(f"fabric '{name}': fabric.toml is not valid TOML: {exc}") from None
    return parse_fabric(name, folder, table)
