"""The fabric library's loading functions (kept here for the rest of the code; see :mod:`garment3d.fabric`)."""

from garment3d.fabric.properties import list_fabrics, load_fabric, parse_fabric

__all__ = ["list_fabrics", "load_fabric", "parse_fabric"]
