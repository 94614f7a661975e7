"""Drape stage: XPBD cloth simulation of a sewn garment on a body."""

from garment3d.drape.simulate import DrapeOptions, drape

__all__ = ["DrapeOptions", "drape"]
