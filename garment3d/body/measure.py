"""Tailoring measurements taken from a body mesh, in the spirit of ISO 8559-1.

A girth is a tape measure: the horizontal section of the mesh at the landmark
height, only the closed loop around the torso (the loop that encloses the
torso axis, so the arms and hands are left out), and the perimeter of its
convex hull (the tape bridges concavities such as between the breasts).

Landmarks (heights above the lowest vertex, the floor):

- stature: top of the head to the floor.
- crotch: the lowest point of the torso in the sagittal plane (x of the
  mid-sagittal plane), found as the lowest point of that section above 30 % of
  stature.
- armpit: the lowest level at which the torso loop joins the arms.
- waist (natural waist): the narrowest torso girth between 30 % and 80 % of
  the way from crotch to armpit (parabola-refined).
- hip: the level of greatest buttock prominence (the most posterior point of
  the torso between crotch and waist); the middle of the band within
  ``HIP_BAND_M`` of it, since the buttocks are flat over a few centimetres.
  (ISO 8559-1 and ANSUR take the hip girth at this level; on the MakeHuman
  mesh the largest girth sits at the top of the thighs, just above the crotch.)
- bust: the level of the bust points. When the caller names the nipple
  vertices (the MakeHuman model does) it is their mean height, kept 1 cm below
  the armpit (a tape passes under the arms); otherwise the
  level of greatest front projection of the chest between mid-way from waist
  to armpit and the armpits, the middle of the band within ``BUST_BAND_M`` of
  it. (On bodies with a belly the front projection alone can jump to the top
  of the belly; the nipples cannot.)
- knee: the mean height of a ring of vertices around the knee joints when the
  caller names them (the MakeHuman model does), else 0.285 x stature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from garment3d.body.section import Section, face_extent, loop_stats, section, torso_loop
from garment3d.types import Landmarks, Measurements

__all__ = ["BodyMeasurement", "measure", "torso_girth", "TorsoSlicer"]

SCAN_STEP_M = 0.01
FINE_STEP_M = 0.0025
HIP_BAND_M = 0.004
BUST_BAND_M = 0.003
ARMPIT_JUMP_M = 0.035  # the torso loop's half width jumps by more when the arms join
BUST_BELOW_ARMPIT_M = 0.01
KNEE_FALLBACK = 0.285


@dataclass(frozen=True)
class BodyMeasurement:
    """Measurements (metres) and landmark heights (metres above the floor)."""

    stature: float
    bust_girth: float
    waist_girth: float
    hip_girth: float
    bust_y: float
    waist_y: float
    hip_y: float
    crotch_y: float
    knee_y: float
    armpit_y: float
    axis_xz: np.ndarray

    def measurements(self, gender: str) -> Measurements:
        return Measurements(
            height_cm=round(self.stature * 100, 2),
            bust_cm=round(self.bust_girth * 100, 2),
            waist_cm=round(self.waist_girth * 100, 2),
            hip_cm=round(self.hip_girth * 100, 2),
            gender=gender,
        )

    def landmarks(self) -> Landmarks:
        return Landmarks(
            bust_y=self.bust_y,
            waist_y=self.waist_y,
            hip_y=self.hip_y,
            crotch_y=self.crotch_y,
            knee_y=self.knee_y,
            axis_xz=np.asarray(self.axis_xz, np.float64),
        )


class TorsoSlicer:
    """Horizontal torso loops of one mesh at any height (per-face extents cached).

    vertices : (n, 3) float64, m; faces : (m, 3) int; axis_xz : (2,) a point
    inside the torso (the loop enclosing it is the torso loop).
    """

    def __init__(self, vertices: np.ndarray, faces: np.ndarray, axis_xz: np.ndarray):
        self.vertices = np.ascontiguousarray(vertices, np.float64)
        self.faces = np.ascontiguousarray(faces, np.int64)
        self.axis_xz = np.asarray(axis_xz, np.float64)
        self._fmin, self._fmax = face_extent(self.vertices, self.faces, 1)

    def section(self, y: float) -> Section:
        return section(self.vertices, self.faces, 1, y, self._fmin, self._fmax)

    def loop(self, y: float) -> np.ndarray | None:
        """(p, 2) x, z points of the torso loop at height ``y``, or None."""
        pts = torso_loop(self.vertices, self.faces, self._fmin, self._fmax, y, self.axis_xz)
        return pts if len(pts) >= 3 else None

    def girth(self, y: float) -> float:
        return float(self.profile(np.array([y]))[0, 0])

    def profile(self, levels: np.ndarray) -> np.ndarray:
        """(k, 5): girth, front z, back z, half width, x centre per level (NaN where
        the axis is outside every loop)."""
        return loop_stats(self.vertices, self.faces, self._fmin, self._fmax, levels, self.axis_xz)


def torso_girth(vertices: np.ndarray, faces: np.ndarray, y: float, axis_xz: np.ndarray | None = None) -> float:
    """Tape-measure girth (m) of the loop enclosing ``axis_xz`` at height ``y``.

    ``axis_xz`` defaults to the (x, z) centre of the mesh's bounding box.
    """
    v = np.asarray(vertices, np.float64)
    if axis_xz is None:
        axis_xz = (v[:, [0, 2]].min(axis=0) + v[:, [0, 2]].max(axis=0)) / 2
    return TorsoSlicer(v, faces, axis_xz).girth(y)


def _band_centre(levels: np.ndarray, values: np.ndarray, band: float) -> float:
    """Centre of the levels whose value lies within ``band`` of the maximum,
    weighted by closeness to it (continuous as the shape changes)."""
    ok = np.isfinite(values)
    if not ok.any():
        return float(levels.mean())
    levels, values = levels[ok], values[ok]
    weight = np.clip(values - (values.max() - band), 0.0, None)
    return float(np.sum(levels * weight) / np.sum(weight))


def _crotch_and_depth_centre(
    vertices: np.ndarray, faces: np.ndarray, x_mid: float, floor: float, stature: float
) -> tuple[float, float]:
    """From the mid-sagittal section: the crotch (its lowest point above 30 % of
    stature, absolute y) and the middle of the torso's depth just above it."""
    cut = section(vertices, faces, 0, x_mid)
    if cut.count:  # the loop through the head, not small loops where the thighs touch
        head_loop = cut.loop_of[np.argmax(cut.points[:, 0])]
        pts = cut.points[(cut.loop_of == head_loop) & (cut.points[:, 0] > floor + 0.3 * stature)]
    else:
        pts = np.zeros((0, 2))
    if len(pts) == 0:
        z = vertices[:, 2]
        return floor, float((z.min() + z.max()) / 2)
    crotch = float(pts[:, 0].min())
    near = pts[np.abs(pts[:, 0] - (crotch + 0.08 * stature)) < 0.02 * stature]
    if len(near) == 0:
        near = pts
    return crotch, float((near[:, 1].min() + near[:, 1].max()) / 2)


def _armpit(slicer: TorsoSlicer, levels: np.ndarray, half_width: np.ndarray) -> float:
    """Lowest level where the torso loop's half width jumps (arms join), refined."""
    jumps = np.flatnonzero(np.diff(half_width) > ARMPIT_JUMP_M)
    if len(jumps) == 0:
        return float(levels[-1])
    i = int(jumps[0])
    lo, hi, reference = float(levels[i]), float(levels[i + 1]), half_width[i]
    for _ in range(5):  # bisection to ~0.3 mm
        mid = (lo + hi) / 2
        prof = slicer.profile(np.array([mid]))[0]
        if np.isfinite(prof[3]) and prof[3] - reference > ARMPIT_JUMP_M / 2:
            hi = mid
        else:
            lo = mid
    return hi


def _hip(slicer: TorsoSlicer, levels: np.ndarray, back_z: np.ndarray, crotch: float, waist: float) -> float:
    """Greatest buttock prominence between crotch and waist, on a fine grid."""
    window = (levels < waist) & np.isfinite(back_z)
    if not window.any():
        return crotch
    y0 = float(levels[window][np.argmin(back_z[window])])
    fine = np.arange(max(y0 - 0.02, crotch + FINE_STEP_M), min(y0 + 0.02, waist), FINE_STEP_M)
    if len(fine) == 0:
        return y0
    return _band_centre(fine, -slicer.profile(fine)[:, 2], HIP_BAND_M)


def _waist(slicer: TorsoSlicer, levels: np.ndarray, girth: np.ndarray, crotch: float, armpit: float) -> float:
    """Narrowest torso girth between 30 % and 80 % of the crotch-armpit span."""
    span = armpit - crotch
    window = (levels > crotch + 0.3 * span) & (levels < armpit - 0.2 * span) & np.isfinite(girth)
    if not window.any():
        return crotch + 0.55 * span
    y0 = float(levels[window][np.argmin(girth[window])])
    fine = y0 + np.arange(-4, 5) * FINE_STEP_M
    g = slicer.profile(fine)[:, 0]
    k = int(np.clip(np.nanargmin(g), 1, len(fine) - 2))
    a, b, c = g[k - 1], g[k], g[k + 1]
    denom = a - 2 * b + c
    shift = 0.5 * (a - c) / denom if denom > 0 else 0.0
    return float(fine[k] + np.clip(shift, -1, 1) * FINE_STEP_M)


def measure(
    vertices: np.ndarray,
    faces: np.ndarray,
    knee_vertices: np.ndarray | None = None,
    bust_vertices: np.ndarray | None = None,
) -> BodyMeasurement:
    """Measure a standing body mesh (metres, Y up, facing +Z, arms away from the torso).

    vertices : (n, 3) float64; faces : (m, 3) int, closed surface.
    knee_vertices : optional (k,) int indices whose mean height is the knee.
    bust_vertices : optional (k,) int indices whose mean height is the bust level.
    """
    v = np.asarray(vertices, np.float64)
    f = np.asarray(faces, np.int64)
    floor, top = float(v[:, 1].min()), float(v[:, 1].max())
    stature = top - floor
    x_mid = float((v[:, 0].min() + v[:, 0].max()) / 2)
    crotch, z_mid = _crotch_and_depth_centre(v, f, x_mid, floor, stature)
    slicer = TorsoSlicer(v, f, np.array([x_mid, z_mid]))

    levels = np.arange(crotch + SCAN_STEP_M / 2, floor + 0.85 * stature, SCAN_STEP_M)
    prof = slicer.profile(levels)
    upper = levels > crotch + 0.4 * (floor + 0.85 * stature - crotch)
    armpit = _armpit(slicer, levels[upper], prof[upper, 3])
    below = levels < armpit
    levels, prof = levels[below], prof[below]
    waist_y = _waist(slicer, levels, prof[:, 0], crotch, armpit)

    hip_y = _hip(slicer, levels, prof[:, 2], crotch, waist_y)
    if bust_vertices is not None and len(bust_vertices):
        # A tape at bust level passes under the arms: stay below the armpit.
        bust_y = min(float(v[np.asarray(bust_vertices), 1].mean()), armpit - BUST_BELOW_ARMPIT_M)
    else:
        lo = waist_y + 0.5 * (armpit - waist_y)
        chest = np.arange(lo, armpit - 0.005, FINE_STEP_M)
        bust_y = _band_centre(chest, slicer.profile(chest)[:, 1], BUST_BAND_M) if len(chest) else waist_y

    hip_loop = slicer.loop(hip_y)
    if hip_loop is not None:
        axis = (hip_loop.min(axis=0) + hip_loop.max(axis=0)) / 2
    else:
        axis = slicer.axis_xz
    if knee_vertices is not None and len(knee_vertices):
        knee_y = float(v[np.asarray(knee_vertices), 1].mean()) - floor
    else:
        knee_y = KNEE_FALLBACK * stature
    return BodyMeasurement(
        stature=stature,
        bust_girth=slicer.girth(bust_y),
        waist_girth=slicer.girth(waist_y),
        hip_girth=slicer.girth(hip_y),
        bust_y=bust_y - floor,
        waist_y=waist_y - floor,
        hip_y=hip_y - floor,
        crotch_y=crotch - floor,
        knee_y=knee_y,
        armpit_y=armpit - floor,
        axis_xz=np.asarray(axis, np.float64),
    )
