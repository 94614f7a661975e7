"""Registering a new fabric folder in the library: images and maps written, ``fabric.toml`` last.

A folder is written to a temporary sibling and renamed into place, so a
failed import leaves nothing half-written; an existing fabric is replaced
only when asked.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import tomllib
from pathlib import Path

import numpy as np

from garment3d.errors import InvalidFabricError
from garment3d.fabric.images import write_png
from garment3d.fabric.maps import LookPreset, height_from_image, normal_map, roughness_map
from garment3d.fabric.properties import FabricRecord, check_name, load_record, parse_record, write_fabric_toml
from garment3d.settings import get_settings
from garment3d.types import Fabric

__all__ = ["PbrSet", "pbr_from_base", "register_fabric"]


@dataclasses.dataclass(frozen=True)
class PbrSet:
    """base : (h, w, 3) sRGB; normal : (h, w, 3) 0..1 tangent space; roughness : (h, w) 0..1; extra : name -> bytes."""

    base: np.ndarray
    normal: np.ndarray
    roughness: np.ndarray
    extra: dict[str, bytes] = dataclasses.field(default_factory=dict)


def pbr_from_base(base: np.ndarray, px_per_cm: float, look: LookPreset) -> PbrSet:
    """Normal and roughness maps derived from a seamless base colour's structure."""
    height = height_from_image(base, px_per_cm)
    return PbrSet(base, normal_map(height, px_per_cm, look.bump_mm), roughness_map(height, look.roughness))


def register_fabric(
    fabric: Fabric,
    images: PbrSet,
    *,
    kind: str,
    image_credits: dict[str, tuple[str, str]],
    sources: dict[str, str],
    drape_range: tuple[float, float] | None = None,
    fabrics_dir: Path | None = None,
    replace: bool = False,
) -> FabricRecord:
    """Write ``fabric`` with its images into the library and load it back (so it is checked like any other)."""
    root = Path(fabrics_dir or get_settings().fabrics_dir)
    name = check_name(fabric.name)
    target = root / name
    if target.exists() and not replace:
        raise InvalidFabricError(f"fabric '{name}' already exists in the library (choose another name or replace it)")
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        paths = {
            "texture_path": write_png(images.base, staging / "scan.png"),
            "normal_path": write_png(images.normal, staging / "normal.png"),
            "roughness_path": write_png(images.roughness, staging / "roughness.png"),
        }
        for file, data in images.extra.items():
            (staging / file).write_bytes(data)
        motif = fabric.print_repeat
        if motif is not None:
            motif = dataclasses.replace(motif, motif_path=staging / Path(motif.motif_path).name)
        staged = dataclasses.replace(fabric, print_repeat=motif, **paths)
        toml = write_fabric_toml(staging, staged, kind=kind, image_credits=image_credits, sources=sources,
                                 drape_range=drape_range)  # fmt: skip
        # checked like any library fabric before it goes in: a bad value never reaches the library
        parse_record(name, staging, tomllib.loads(toml.read_text(encoding="utf-8")))
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return load_record(name, root)
