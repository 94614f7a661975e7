"""Helpers shared by the fabric tests (a module of its own so tests can import it by name)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def weave_image(size: int = 192, period: int = 8, seed: int = 0) -> np.ndarray:
    """A plain-weave-like test pattern ``(size, size, 3)`` sRGB with thread-to-thread noise (tiles exactly)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size] + period // 2  # the tile's edges cut through the middle of threads
    checker = ((x // period + y // period) % 2).astype(float)
    ridge = np.sin(np.pi * (x % period) / period) * (1 - checker) + np.sin(np.pi * (y % period) / period) * checker
    tone = 0.45 + 0.3 * ridge + 0.03 * rng.standard_normal((size, size))
    return np.clip(np.stack([tone * 0.9, tone * 0.7, tone * 0.5], axis=-1), 0, 1)


def save(pixels: np.ndarray, path: Path, **kwargs) -> Path:
    from PIL import Image

    Image.fromarray(np.rint(np.clip(pixels, 0, 1) * 255).astype(np.uint8)).save(path, **kwargs)
    return path
