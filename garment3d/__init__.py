"""garment3d: virtual garment sampling (pattern -> body -> drape -> render)."""

from garment3d.errors import Garment3DError
from garment3d.settings import configure_numba

configure_numba()  # before any stage imports numba: compiled kernels are cached under the cache setting

__all__ = ["Garment3DError", "__version__"]
__version__ = "0.1.0"
