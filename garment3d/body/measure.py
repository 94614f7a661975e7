"""Tailoring measurements taken from a body mesh at standard landmarks.

A girth is a tape measure: the horizontal section of the mesh at the landmark
height, only the closed loop around the torso (the loop that encloses the
torso axis, so the arms and hands are left out), and the perimeter of its
convex hull (the tape bridges concavities such as between the breasts).

Landmarks (heights above the lowest vertex, the floor). The MakeHuman model
names vertex sets that follow its anatomy as the shape changes (``landmark_vertices``:
rings of torso surface vertices at skeleton joints, the navel, the nipples);
a mesh without them (a client's avatar) gets the fallback in brackets.

- stature: top of the head to the floor.
- crotch: the lowest point of the torso in the mid-sagittal section above 30 %
  of stature.
- armpit: the lowest level at which the torso loop joins the arms.
- lowest rib (10th rib) and iliac crest: the torso rings at the skeleton's
  spine-2 (T12/L1) and spine-3 (L4, the supracristal plane) joints.
  [the natural waist found as below, plus / minus 1.9 % of stature: the
  ANSUR II median half band]
- natural waist (ISO 8559-1: between the lowest rib and the iliac crest;
  GB/T 1335's waist): midway between the lowest rib and the iliac crest, the
  level of the WHO waist-circumference protocol. [the narrowest torso girth
  between 30 % and 80 % of the way from crotch to armpit]
- navel waist (omphalion; where ANSUR II takes its waist circumference): the
  mean height of the navel vertices. [2.7 % of stature below the natural waist]
- hip (ISO 8559-1 hip girth): the level of greatest buttock prominence, the
  most posterior point of the torso between the crotch and the iliac crest;
  the middle of the band within ``HIP_BAND_M`` of it, since the buttocks are
  flat over a few centimetres.
- bust (ISO 8559-1 bust girth): the level of the bust points (the nipple
  vertices' mean height), kept ``BUST_BELOW_ARMPIT_M`` below the armpit (a
  tape passes under the arms). [the greatest front projection of the chest
  between mid-way from waist to armpit and the armpits]
- chest (EN 13402-1 chest girth, under the armpits): ``CHEST_BELOW_ARMPIT_M``
  below the armpit.
- back neck point (cervicale): the mid-line back vertices at the skeleton's
  neck joint. [86 % of stature, the ANSUR II median]
- knee: the mean height of a ring of vertices around the knee joints. [0.285 x stature]
- thigh (ANSUR II thigh circumference, one thigh at the gluteal fold): the
  horizontal girth of each leg ``THIGH_BELOW_CROTCH_M`` below the crotch (just
  below it the legs part), the mean of the two.
- thighs: one tape round both thighs, the largest of the horizontal girths at
  ``THIGHS_BELOW_CROTCH_M`` below the crotch (the top of the thighs, where a
  straight skirt or trousers are fitted below the hip); with the smallest gap
  between the thighs there.
- arm length (GB/T 1335 全臂长, shoulder point to wrist): per arm, from the
  shoulder point (the acromion: surface vertices over the shoulder joint where
  the shoulder turns down into the arm) to the middle of a ring of vertices
  across the elbow and on to the middle of a ring across the wrist, the
  segments' lengths added (the arm may be bent), the mean of both arms. [none]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from garment3d.body.section import Section, SortedFaces, face_extent, section, torso_loop
from garment3d.types import Landmarks, Measurements

__all__ = [
    "BodyMeasurement", "GIRTH_LANDMARKS", "ARM_LANDMARKS", "THIGHS_BELOW_CROTCH_M", "arm_length", "measure", "shoulder_width",
    "thigh_girths", "torso_girth", "TorsoSlicer",
]

SCAN_STEP_M = 0.01
FINE_STEP_M = 0.0025
HIP_BAND_M = 0.004
BUST_BAND_M = 0.003
ARMPIT_JUMP_M = 0.035  # the torso loop's half width jumps by more when the arms join
BUST_BELOW_ARMPIT_M = 0.01
CHEST_BELOW_ARMPIT_M = 0.015
ABOVE_WAIST_M = 0.03  # the girth this far above the natural waist shows whether the waist is the narrowest
KNEE_FALLBACK = 0.285
THIGH_BELOW_CROTCH_M = 0.015  # the gluteal fold: one thigh's girth is taken this far below the crotch
THIGHS_BELOW_CROTCH_M = (0.015, 0.03, 0.05, 0.08)  # girths round both thighs, their largest is the thighs'
LEG_REACH_M = 0.25  # a leg's section lies within this of the axis (the hands hang farther out)
TORSO_TOP = 0.88  # no torso landmark lies higher (share of stature): the head is not cut
ARMPIT_SCAN_STEP_M = 0.02
ARMPIT_PRECISION_M = 0.0004
# Fallbacks for meshes without landmark vertices: ANSUR II medians, fractions of stature.
RIB_CREST_HALF_BAND = 0.019
NAVEL_BELOW_WAIST = 0.027
CERVICALE_FALLBACK = 0.86
#: The girths this module takes and the landmark each is taken at.
GIRTH_LANDMARKS = {
    "bust_girth": "bust point (nipples), ISO 8559-1",
    "chest_girth": "under the armpits, EN 13402-1",
    "waist_girth": "natural waist, midway between the lowest rib and the iliac crest (ISO 8559-1, GB/T 1335)",
    "navel_girth": "navel (omphalion), as ANSUR II measures the waist",
    "hip_girth": "greatest buttock prominence, ISO 8559-1",
    "thigh_girth": "one thigh, 1.5 cm below the crotch (gluteal fold), as ANSUR II measures the thigh",
    "thighs_girth": "round both thighs: the largest 1.5-8 cm below the crotch",
}


@dataclass(frozen=True)
class BodyMeasurement:
    """Girths (metres, at the landmarks in ``GIRTH_LANDMARKS``) and landmark heights (metres above the floor)."""

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
    navel_girth: float = float("nan")
    chest_girth: float = float("nan")
    navel_y: float = float("nan")
    rib_y: float = float("nan")
    crest_y: float = float("nan")
    chest_y: float = float("nan")
    cervicale_y: float = float("nan")
    above_waist_girth: float = float("nan")  # ABOVE_WAIST_M above the natural waist
    thigh_girth: float = float("nan")
    thighs_girth: float = float("nan")
    thigh_gap: float = float("nan")  # the smallest gap between the thighs where ``thighs_girth`` is sought
    arm_length: float = float("nan")  # shoulder point to wrist (NaN: no arm landmarks)
    shoulder_width: float = float("nan")  # straight, shoulder point to shoulder point (NaN: no arm landmarks)

    def waist_girth_at(self, waist_at: str) -> float:
        """The waist girth at the landmark a request names ("natural" or "navel")."""
        return self.navel_girth if waist_at == "navel" else self.waist_girth

    def measurements(self, gender: str) -> Measurements:
        return Measurements(
            height_cm=round(self.stature * 100, 2),
            bust_cm=round(self.bust_girth * 100, 2),
            waist_cm=round(self.waist_girth * 100, 2),
            hip_cm=round(self.hip_girth * 100, 2),
            gender=gender,
            waist_height_cm=round(self.waist_y * 100, 2),
            cervical_height_cm=round(self.cervicale_y * 100, 2),
            arm_length_cm=_cm_or_none(self.arm_length),
            thigh_cm=_cm_or_none(self.thigh_girth),
        )

    def landmarks(self) -> Landmarks:
        return Landmarks(
            bust_y=self.bust_y,
            waist_y=self.waist_y,
            hip_y=self.hip_y,
            crotch_y=self.crotch_y,
            knee_y=self.knee_y,
            axis_xz=np.asarray(self.axis_xz, np.float64),
            navel_y=self.navel_y,
            rib_y=self.rib_y,
            crest_y=self.crest_y,
            chest_y=self.chest_y,
            armpit_y=self.armpit_y,
            cervicale_y=self.cervicale_y,
        )


def _cm_or_none(metres: float) -> float | None:
    return round(metres * 100, 2) if np.isfinite(metres) else None


class TorsoSlicer:
    """Horizontal torso loops of one mesh at any height (per-face extents cached).

    vertices : (n, 3) float64, m; faces : (m, 3) int; axis_xz : (2,) a point
    inside the torso (the loop enclosing it is the torso loop); y_range : optional
    (low, high), the only heights that will be cut (faces outside are skipped).
    """

    def __init__(
        self, vertices: np.ndarray, faces: np.ndarray, axis_xz: np.ndarray, y_range: tuple[float, float] | None = None
    ):
        self.vertices = np.ascontiguousarray(vertices, np.float64)
        self.faces = np.ascontiguousarray(faces, np.int64)
        self.axis_xz = np.asarray(axis_xz, np.float64)
        self._sorted = SortedFaces(self.vertices, self.faces, y_range)
        self._fmin, self._fmax = self._sorted.fmin, self._sorted.fmax  # of the sorted faces

    def section(self, y: float) -> Section:
        return section(self.vertices, self._sorted.faces, 1, y, self._fmin, self._fmax)

    def loop(self, y: float) -> np.ndarray | None:
        """(p, 2) x, z points of the torso loop at height ``y``, or None."""
        pts = torso_loop(self.vertices, self._sorted.faces, self._fmin, self._fmax, y, self.axis_xz)
        return pts if len(pts) >= 3 else None

    def girth(self, y: float) -> float:
        return float(self.profile(np.array([y]))[0, 0])

    def profile(self, levels: np.ndarray) -> np.ndarray:
        """(k, 5): girth, front z, back z, half width, x centre per level (NaN where
        the axis is outside every loop)."""
        return self._sorted.loop_stats(np.asarray(levels, np.float64), self.axis_xz)

    def legs(self, levels: np.ndarray, axis_x: float) -> np.ndarray:
        """(k, 4) below the crotch: girth round both legs, girth of each leg, gap between them
        (see ``SortedFaces.leg_stats``)."""
        return self._sorted.leg_stats(np.asarray(levels, np.float64), axis_x, LEG_REACH_M)


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


def _armpit(slicer: TorsoSlicer, levels: np.ndarray) -> float:
    """Lowest level where the torso loop's half width jumps (arms join), refined by bisection.

    The levels are cut one at a time from the bottom: cuts above the armpits go round
    the arms as well and cost far more, so the scan stops at the first jump."""
    previous = None
    for i, y in enumerate(levels):
        half = slicer.profile(np.array([y]))[0, 3]
        if previous is not None and half - previous > ARMPIT_JUMP_M:
            lo, hi, reference = float(levels[i - 1]), float(y), previous
            while hi - lo > ARMPIT_PRECISION_M:
                mid = (lo + hi) / 2
                prof = slicer.profile(np.array([mid]))[0]
                if np.isfinite(prof[3]) and prof[3] - reference > ARMPIT_JUMP_M / 2:
                    hi = mid
                else:
                    lo = mid
            return hi
        if np.isfinite(half):
            previous = half
    return float(levels[-1])


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


HIP_TORSO_HALF_WIDTH_M = 0.25  # hands hang farther out at hip level in the A-pose


def _hip_from_vertices(v: np.ndarray, x_mid: float, crotch: float, crest: float) -> float:
    """Greatest buttock prominence: the most posterior torso vertices between the
    crotch and the iliac crest, the middle of those within ``HIP_BAND_M`` of it
    (weighted by closeness, so the level moves continuously with the shape)."""
    y, z = v[:, 1], v[:, 2]
    torso = (y > crotch + 0.01) & (y < crest) & (np.abs(v[:, 0] - x_mid) < HIP_TORSO_HALF_WIDTH_M)
    if not torso.any():
        return crotch
    back = -z[torso]
    return _band_centre(y[torso], back, HIP_BAND_M)


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


def thigh_girths(slicer: TorsoSlicer, crotch: float, axis_x: float) -> tuple[float, float, float]:
    """(one thigh's girth at the gluteal fold, the largest girth round both thighs, the smallest gap
    between them). The largest and smallest are soft (``_soft_extreme``), so that they change smoothly
    with the shape (the fitter differentiates them)."""
    levels = crotch - np.array((THIGH_BELOW_CROTCH_M,) + THIGHS_BELOW_CROTCH_M)
    stats = slicer.legs(levels, axis_x)
    thigh = float(np.mean(stats[0, 1:3]))
    both, gaps = stats[1:, 0], stats[1:, 3]
    if not np.isfinite(both).any():
        return thigh, float("nan"), float("nan")
    return thigh, _soft_extreme(both[np.isfinite(both)]), -_soft_extreme(-gaps[np.isfinite(gaps)])


SOFT_EXTREME_M = 0.002


def _soft_extreme(values: np.ndarray) -> float:
    """The largest value, softened: the mean weighted by exp((value - max) / SOFT_EXTREME_M)."""
    weights = np.exp((values - values.max()) / SOFT_EXTREME_M)
    return float(np.sum(values * weights) / np.sum(weights))


#: The landmark vertex sets of the arm length, shoulder to wrist.
ARM_LANDMARKS = ("shoulder_point", "elbow", "wrist")


def arm_length(v: np.ndarray, marks: dict, x_mid: float) -> float:
    """Shoulder point to elbow to wrist (m), the mean of both arms (the arm at x > ``x_mid`` and the
    one at x < ``x_mid``); NaN without the landmark vertex sets ``ARM_LANDMARKS`` in ``marks``."""
    sets = [marks.get(name) for name in ARM_LANDMARKS]
    if any(s is None or len(s) == 0 for s in sets):
        return float("nan")
    lengths = []
    for side in (1.0, -1.0):
        points = []
        for indices in sets:
            p = v[np.asarray(indices)]
            p = p[side * (p[:, 0] - x_mid) > 0]
            if len(p) == 0:
                return float("nan")
            points.append(p.mean(axis=0))
        lengths.append(np.linalg.norm(points[0] - points[1]) + np.linalg.norm(points[1] - points[2]))
    return float(np.mean(lengths))


def shoulder_width(v: np.ndarray, marks: dict, x_mid: float) -> float:
    """Straight distance (m) between the two shoulder points (the centres of the ``shoulder_point`` vertex
    set at x > ``x_mid`` and at x < ``x_mid``: the acromions); NaN without that set in ``marks``."""
    indices = marks.get("shoulder_point")
    if indices is None or len(indices) == 0:
        return float("nan")
    p = v[np.asarray(indices)]
    left, right = p[p[:, 0] > x_mid], p[p[:, 0] < x_mid]
    if len(left) == 0 or len(right) == 0:
        return float("nan")
    return float(np.linalg.norm(left.mean(axis=0) - right.mean(axis=0)))


def _mean_y(v: np.ndarray, indices) -> float | None:
    if indices is None or len(indices) == 0:
        return None
    return float(v[np.asarray(indices), 1].mean())


def measure(
    vertices: np.ndarray,
    faces: np.ndarray,
    knee_vertices: np.ndarray | None = None,
    bust_vertices: np.ndarray | None = None,
    *,
    landmark_vertices: dict[str, np.ndarray] | None = None,
) -> BodyMeasurement:
    """Measure a standing body mesh (metres, Y up, facing +Z, arms away from the torso).

    vertices : (n, 3) float64; faces : (m, 3) int, closed surface.
    knee_vertices, bust_vertices : optional (k,) int indices whose mean height is the knee / bust level.
    landmark_vertices : optional vertex sets by landmark ("knee", "bust", "navel", "rib", "crest",
        "cervicale"; see the module docstring); missing ones fall back to the mesh-only rules.
    """
    v = np.asarray(vertices, np.float64)
    f = np.asarray(faces, np.int64)
    marks = dict(landmark_vertices or {})
    marks.setdefault("knee", knee_vertices)
    marks.setdefault("bust", bust_vertices)
    floor, top = float(v[:, 1].min()), float(v[:, 1].max())
    stature = top - floor
    x_mid = float((v[:, 0].min() + v[:, 0].max()) / 2)
    crotch, z_mid = _crotch_and_depth_centre(v, f, x_mid, floor, stature)
    low = crotch - max(THIGHS_BELOW_CROTCH_M) - 0.01
    slicer = TorsoSlicer(v, f, np.array([x_mid, z_mid]), (low, floor + TORSO_TOP * stature))

    nipples = _mean_y(v, marks.get("bust"))
    rib, crest = _mean_y(v, marks.get("rib")), _mean_y(v, marks.get("crest"))
    scan_from = crotch + 0.4 * (0.85 * stature - (crotch - floor))
    scan_to, step = floor + 0.85 * stature, SCAN_STEP_M
    if nipples is not None and rib is not None:  # the armpits lie a few cm above the bust points
        scan_from = max(min(scan_from, nipples - 0.01), rib)
        scan_to, step = min(scan_to, nipples + 0.15), ARMPIT_SCAN_STEP_M
    armpit = _armpit(slicer, np.arange(scan_from, scan_to, step))

    if rib is None or crest is None:
        scan = np.arange(crotch + SCAN_STEP_M / 2, armpit, SCAN_STEP_M)
        waist_y = _waist(slicer, scan, slicer.profile(scan)[:, 0], crotch, armpit)
        rib, crest = waist_y + RIB_CREST_HALF_BAND * stature, waist_y - RIB_CREST_HALF_BAND * stature
    waist_y = 0.5 * (rib + crest)
    navel = _mean_y(v, marks.get("navel"))
    navel_y = navel if navel is not None else waist_y - NAVEL_BELOW_WAIST * stature

    hip_y = _hip_from_vertices(v, x_mid, crotch, crest)
    if nipples is not None:
        # A tape at bust level passes under the arms: stay below the armpit.
        bust_y = min(nipples, armpit - BUST_BELOW_ARMPIT_M)
    else:
        lo = waist_y + 0.5 * (armpit - waist_y)
        chest = np.arange(lo, armpit - 0.005, FINE_STEP_M)
        bust_y = _band_centre(chest, slicer.profile(chest)[:, 1], BUST_BAND_M) if len(chest) else waist_y
    chest_y = armpit - CHEST_BELOW_ARMPIT_M
    cervicale = _mean_y(v, marks.get("cervicale"))
    cervicale_y = cervicale if cervicale is not None else floor + CERVICALE_FALLBACK * stature

    hip_loop = slicer.loop(hip_y)
    if hip_loop is not None:
        axis = (hip_loop.min(axis=0) + hip_loop.max(axis=0)) / 2
    else:
        axis = slicer.axis_xz
    knee = _mean_y(v, marks.get("knee"))
    knee_y = knee - floor if knee is not None else KNEE_FALLBACK * stature
    girths = slicer.profile(np.array([bust_y, waist_y, hip_y, navel_y, chest_y, waist_y + ABOVE_WAIST_M]))[:, 0]
    thigh, thighs, gap = thigh_girths(slicer, crotch, float(axis[0]))
    return BodyMeasurement(
        stature=stature,
        bust_girth=float(girths[0]),
        waist_girth=float(girths[1]),
        hip_girth=float(girths[2]),
        bust_y=bust_y - floor,
        waist_y=waist_y - floor,
        hip_y=hip_y - floor,
        crotch_y=crotch - floor,
        knee_y=knee_y,
        armpit_y=armpit - floor,
        axis_xz=np.asarray(axis, np.float64),
        navel_girth=float(girths[3]),
        chest_girth=float(girths[4]),
        navel_y=navel_y - floor,
        rib_y=rib - floor,
        crest_y=crest - floor,
        chest_y=chest_y - floor,
        cervicale_y=cervicale_y - floor,
        above_waist_girth=float(girths[5]),
        thigh_girth=thigh,
        thighs_girth=thighs,
        thigh_gap=gap,
        arm_length=arm_length(v, marks, x_mid),
        shoulder_width=shoulder_width(v, marks, x_mid),
    )
