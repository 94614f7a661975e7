"""garment3d: virtual garment sampling (pattern -> body -> drape -> render)."""

from garment3d.errors import Garment3DError

__all__ = ["Garment3DError", "__version__"]
__version__ = "0.1.0"
