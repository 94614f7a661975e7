"""The one settings object: environment variables prefixed ``GARMENT3D_``.

Defaults work out of the box from a checkout (``pip install -e .``) and from a
built wheel: the pattern and fabric libraries are the checkout's ``patterns/``
and ``fabrics/``, else the copies the build put in ``garment3d/library/``
(setup.py), unless ``GARMENT3D_PATTERNS_DIR`` / ``GARMENT3D_FABRICS_DIR`` say otherwise.
Renders default to ``./renders`` beside a checkout, else under the user's cache.

Compiled kernels: :func:`configure_numba` (called when ``garment3d`` is
imported, before numba is) points numba's on-disk cache at
``<cache_dir>/numba`` unless ``NUMBA_CACHE_DIR`` is already set, so kernels
compiled by one CLI run are loaded by the next, and nothing is written inside
an installed package (numba's default is ``__pycache__`` beside the sources,
which a wheel installed read-only cannot take).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "get_settings", "REPO_ROOT", "configure_numba"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(f"GARMENT3D_{name}")
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    patterns_dir: Path
    fabrics_dir: Path
    renders_dir: Path
    cache_dir: Path


PACKAGE_LIBRARY = Path(__file__).resolve().parent / "library"  # patterns/ and fabrics/ as built into a wheel


def _library(name: str) -> Path:
    """The checkout's folder (an editable install, a source tree), else the copy built into the package."""
    checkout = REPO_ROOT / name
    if checkout.is_dir() or not (PACKAGE_LIBRARY / name).is_dir():
        return checkout
    return PACKAGE_LIBRARY / name


def _in_checkout() -> bool:
    """Running from a source tree (editable install), not from an installed wheel in site-packages."""
    return (REPO_ROOT / "pyproject.toml").is_file()


def get_settings() -> Settings:
    """Read the settings from the environment (cheap; call where needed)."""
    cache = _path("CACHE_DIR", Path.home() / ".cache" / "garment3d")
    return Settings(
        patterns_dir=_path("PATTERNS_DIR", _library("patterns")),
        fabrics_dir=_path("FABRICS_DIR", _library("fabrics")),
        renders_dir=_path("RENDERS_DIR", REPO_ROOT / "renders" if _in_checkout() else cache / "renders"),
        cache_dir=cache,
    )


def configure_numba() -> str:
    """Set ``NUMBA_CACHE_DIR`` to ``<cache_dir>/numba`` unless the environment sets it; returns the folder.

    Must run before numba is imported (numba reads its configuration once); ``garment3d/__init__.py`` does.
    """
    return os.environ.setdefault("NUMBA_CACHE_DIR", str(get_settings().cache_dir / "numba"))
