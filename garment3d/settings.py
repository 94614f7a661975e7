"""The one settings object: environment variables prefixed ``GARMENT3D_``.

Defaults work out of the box from a checkout (``pip install -e .``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "get_settings", "REPO_ROOT"]

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


def get_settings() -> Settings:
    """Read the settings from the environment (cheap; call where needed)."""
    return Settings(
        patterns_dir=_path("PATTERNS_DIR", REPO_ROOT / "patterns"),
        fabrics_dir=_path("FABRICS_DIR", REPO_ROOT / "fabrics"),
        renders_dir=_path("RENDERS_DIR", REPO_ROOT / "renders"),
        cache_dir=_path("CACHE_DIR", Path.home() / ".cache" / "garment3d"),
    )
