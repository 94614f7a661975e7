"""Denoising a path-traced image with its albedo and normal guides.

Intel Open Image Denoise (OIDN, through the ``pyoidn`` package) is the tool
made for this: a neural filter trained on path-traced renders, which keeps
edges, texture and the weave that the albedo guide shows, and lets the hero
stills be traced with a few samples per pixel. Where ``pyoidn`` is not
installed, a joint bilateral filter guided by the same albedo and normals is
used; it needs about three times the samples for a clean image and is slow at
large sizes, so :func:`samples_for` asks for more.
"""

from __future__ import annotations

import logging

import numpy as np

__all__ = ["denoise", "oidn_available", "samples_for"]

log = logging.getLogger(__name__)

OIDN_SAMPLES = 8  # samples per pixel that OIDN turns into a clean still
BILATERAL_SAMPLES = 24


def oidn_available() -> bool:
    try:
        import pyoidn  # noqa: F401
    except (ImportError, OSError):  # OSError: the package is there but its shared library is not loadable
        return False
    return True


def samples_for(requested: int | None) -> int:
    """Samples per pixel to trace: ``requested``, or what the available denoiser needs."""
    if requested is not None:
        return int(requested)
    return OIDN_SAMPLES if oidn_available() else BILATERAL_SAMPLES


def denoise(rgb: np.ndarray, albedo: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """(h, w, 3) float32 linear HDR colour, cleaned of sampling noise; guides are (h, w, 3) like it.

    Fireflies (a rare light path through a narrow highlight) are clamped to the
    brightest 0.2 % first, whichever filter runs.
    """
    rgb = _clamp_fireflies(np.asarray(rgb, dtype=np.float32))
    albedo = np.ascontiguousarray(albedo, dtype=np.float32)
    normal = np.ascontiguousarray(normal, dtype=np.float32)
    if oidn_available():
        import pyoidn

        out = pyoidn.denoise(np.ascontiguousarray(rgb), albedo=albedo, normal=normal, hdr=True, quality="balanced")
        return np.maximum(np.asarray(out, dtype=np.float32), 0.0)
    log.info("pyoidn is not installed: denoising with the slower joint bilateral filter")
    return joint_bilateral(rgb, albedo, normal)


def _clamp_fireflies(rgb: np.ndarray) -> np.ndarray:
    level = rgb.mean(axis=2, keepdims=True)
    ceiling = np.percentile(level, 99.8)
    return rgb * np.minimum(1.0, ceiling / np.maximum(level, 1e-6))


def joint_bilateral(rgb: np.ndarray, albedo: np.ndarray, normal: np.ndarray, radius: int = 5) -> np.ndarray:
    """Joint bilateral filter of ``rgb`` guided by albedo and normals (no blur across edges or the weave)."""
    luminance = np.log1p(rgb.mean(axis=2))
    total = np.zeros_like(rgb)
    weights = np.zeros(rgb.shape[:2], dtype=np.float32)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            shifted = lambda a: np.roll(a, (dy, dx), axis=(0, 1))  # noqa: E731
            w = np.exp(-(dx * dx + dy * dy) / (2.0 * (radius / 1.5) ** 2))
            w = w * np.exp(-np.sum((shifted(albedo) - albedo) ** 2, axis=2) / (2 * 0.02**2))
            w = w * np.exp(-np.sum((shifted(normal) - normal) ** 2, axis=2) / (2 * 0.1**2))
            w = w * np.exp(-((shifted(luminance) - luminance) ** 2) / (2 * 0.8**2))
            total += shifted(rgb) * w[..., None]
            weights += w
    return total / np.maximum(weights, 1e-6)[..., None]
