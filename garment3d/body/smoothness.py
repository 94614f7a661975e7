"""Creases in a body's torso: girth profiles that dip like a belt.

A torso's horizontal girth changes smoothly with height. A crease (a sharp
horizontal groove, as extreme morph-target combinations can carve) shows as a
level whose girth is well below the girths just above and below it while
those neighbours do not curve that way themselves:

    drop(y)  = min(g(y - d), g(y + d)) - g(y)          (how deep the dip is)
    bend(y)  = (g(y - d) + g(y + d)) / 2 - g(y)         (its curvature)
    crease   : drop(y) > CREASE_DEPTH_M and bend(y) > 2 * max(bend(y - d), bend(y + d), 0)

with ``d`` = 1 cm. A smooth waist (a valley spread over many centimetres)
bends its neighbours as much as its centre, so it is no crease.
"""

from __future__ import annotations

import numpy as np

from garment3d.body.measure import TorsoSlicer

__all__ = ["CREASE_DEPTH_M", "NEIGHBOUR_M", "girth_profile", "find_creases"]

CREASE_DEPTH_M = 0.003
NEIGHBOUR_M = 0.01
PROFILE_STEP_M = 0.005
MARGIN_M = 0.02  # stay this far from the crotch and the armpits (where the loop changes shape)
ARM_JOIN_M = 0.035
ARM_JOIN_WINDOW_M = 0.03


def girth_profile(
    vertices: np.ndarray, faces: np.ndarray, axis_xz: np.ndarray, low_y: float, high_y: float
) -> tuple[np.ndarray, np.ndarray]:
    """Levels (k,) and torso girths (k,) in m every ``PROFILE_STEP_M`` from ``low_y`` to ``high_y``
    (heights as in ``vertices``); NaN where a hand or arm touching the torso joins its loop
    (the loop's half width jumps ``ARM_JOIN_M`` above the narrowest within ``ARM_JOIN_WINDOW_M``):
    a step of the tape, not a groove of the surface."""
    levels = np.arange(low_y + MARGIN_M, high_y - MARGIN_M, PROFILE_STEP_M)
    stats = TorsoSlicer(vertices, faces, axis_xz).profile(levels)
    girths, half = stats[:, 0].copy(), stats[:, 3]
    w = int(round(ARM_JOIN_WINDOW_M / PROFILE_STEP_M))
    padded = np.pad(np.where(np.isfinite(half), half, np.inf), w, constant_values=np.inf)
    narrowest = np.min(np.lib.stride_tricks.sliding_window_view(padded, 2 * w + 1), axis=1)
    girths[half > narrowest + ARM_JOIN_M] = np.nan
    return levels, girths


def find_creases(levels: np.ndarray, girths: np.ndarray) -> np.ndarray:
    """Levels (m) of ``girth_profile`` that are creases by the rule in the module docstring."""
    k = int(round(NEIGHBOUR_M / PROFILE_STEP_M))
    g = np.asarray(girths, np.float64)
    n = len(g)
    if n < 4 * k + 1:
        return np.zeros(0)
    centre = np.arange(k, n - k)
    below, above = g[centre - k], g[centre + k]
    drop = np.minimum(below, above) - g[centre]
    bend = np.full(n, np.nan)
    bend[centre] = 0.5 * (below + above) - g[centre]
    inner = np.arange(2 * k, n - 2 * k)
    neighbours = np.maximum(np.maximum(bend[inner - k], bend[inner + k]), 0.0)
    crease = (drop[inner - k] > CREASE_DEPTH_M) & (bend[inner] > 2.0 * neighbours)
    crease &= np.isfinite(bend[inner]) & np.isfinite(neighbours)
    return np.asarray(levels)[inner[crease]]
