"""The pattern library: definitions in the ``patterns/`` folder."""

from __future__ import annotations

import re
from pathlib import Path

from garment3d.errors import UnknownPatternError
from garment3d.patterns.definition import PatternDefinition, load_definition
from garment3d.settings import get_settings

__all__ = ["list_patterns", "get_definition"]

_NAME = re.compile(r"^[a-z0-9_]{1,64}$")


def list_patterns(patterns_dir: Path | None = None) -> list[str]:
    root = patterns_dir or get_settings().patterns_dir
    return sorted(p.stem for p in root.glob("*.toml"))


def get_definition(name: str, patterns_dir: Path | None = None) -> PatternDefinition:
    """Load library pattern ``name`` or raise UnknownPatternError listing the known ones."""
    root = patterns_dir or get_settings().patterns_dir
    if not isinstance(name, str) or not _NAME.match(name) or not (root / f"{name}.toml").is_file():
        known = ", ".join(list_patterns(root)) or "none"
        raise UnknownPatternError(f"unknown pattern '{name}' (known: {known})")
    return load_definition(root / f"{name}.toml")
