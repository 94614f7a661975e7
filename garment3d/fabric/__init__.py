"""The fabric library: properties files, scan import, U3M, colorways, palettes and prints.

Modules, one job each: ``properties`` (the ``fabric.toml`` file), ``images``
(reading user images safely), ``colour`` (CIELAB and colour names),
``tiling`` (seamless tiles and seam visibility), ``maps`` (normal and
roughness maps, looks by kind), ``weave`` (procedural weaves and knits),
``scan`` (scan import), ``u3m`` (U3M / U3MA exchange), ``colorway``
(recolouring), ``palette`` (inspiration palettes) and ``prints`` (print
fabrics).
"""

from garment3d.fabric.properties import (
    FabricRecord,
    catalogue_problems,
    list_fabrics,
    load_fabric,
    load_record,
    parse_fabric,
)

__all__ = ["FabricRecord", "catalogue_problems", "list_fabrics", "load_fabric", "load_record", "parse_fabric"]
