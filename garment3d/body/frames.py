"""Limb and neck frames of a finished body: what sleeves, collars and trouser
legs are placed around.

- neck: horizontal torso loops from the armpits up; the neck is the narrowest
  loop below the head, and the side neck point is the lowest level whose half
  width is within ``NECK_WIDTH_FACTOR`` of the neck's (the shoulder slope meets
  the neck there).
- arms: the shoulder joint and upper-arm direction of the arm rig
  (``garment3d.body.pose``), and each shoulder point: the surface point above
  the joint farthest out and up (where the shoulder turns into the arm). Each
  arm's centre path follows the arm past the elbow, which bends the forearm
  well forward in MakeHuman's rest pose: from the joint it steps
  ``ARM_PATH_STEP_M`` at a time, re-centring each step on the arm's surface
  points in a slab across the current direction (straight on where the rig
  weights leave no points: at the shoulder) until the hand (a slab far denser
  in surface points than the upper arm's). A line fitted to the last centres
  is the forearm; the path runs down the upper arm's line to the elbow (where
  the two lines pass closest) and on along the forearm's, the elbow rounded.
- legs: the two loops of the horizontal section ``LEG_LEVEL_BELOW_CROTCH_M``
  below the crotch nearest the body's axis on either side (the hands may hang
  at that height too, farther out).
"""

from __future__ import annotations

import numpy as np

from garment3d.body.pose import ArmRig
from garment3d.body.section import face_extent, loop_stats, section
from garment3d.errors import BodyModelError
from garment3d.types import BodyFrames

__all__ = ["body_frames"]

NECK_WIDTH_FACTOR = 1.35
NECK_SCAN_STEP_M = 0.005
HEAD_CLEARANCE_FRACTION = 0.09  # the neck ends this share of stature below the top of the head
SHOULDER_HALF_DEPTH_M = 0.05  # front-back band around the joint searched for the shoulder point
LEG_LEVEL_BELOW_CROTCH_M = 0.06
ARM_PATH_STEP_M = 0.02
ARM_PATH_REACH_M = 0.09  # arm points farther than this from the predicted centre are not the arm's
ARM_PATH_MIN_POINTS = 8
ARM_PATH_LENGTH_STEPS = 45  # 90 cm from the joint, past any sleeve
ARM_PATH_UPPER_ARM_M = 0.2
ARM_PATH_HAND_DENSITY = 2.5  # a slab with this many times the upper arm's surface points is the hand
ARM_PATH_FOREARM_STEPS = 6  # the forearm's line is fitted to this many centres above the hand
ARM_PATH_SMOOTHING = 5  # passes of a 7-point moving average rounding the elbow


def _neck(v, f, fmin, fmax, armpit_y: float, stature: float, axis_xz: np.ndarray):
    levels = np.arange(armpit_y + 0.03, stature * (1 - HEAD_CLEARANCE_FRACTION), NECK_SCAN_STEP_M)
    stats = loop_stats(v, f, fmin, fmax, levels, np.asarray(axis_xz, np.float64))
    half = stats[:, 3]
    if np.all(np.isnan(half)):
        raise BodyModelError("cannot find the neck: no torso loop above the armpits")
    narrowest = float(np.nanmin(half))
    at_neck = np.flatnonzero(half < NECK_WIDTH_FACTOR * narrowest)
    neck_y = float(levels[at_neck[0]])
    row = stats[min(at_neck[0] + 4, len(levels) - 1)]  # 2 cm up the neck
    neck_xz = np.array([row[4], 0.5 * (row[1] + row[2])])
    radius = float(row[0] / (2 * np.pi))
    return neck_y, neck_xz, radius


def _shoulder_top(v: np.ndarray, joint: np.ndarray, side: int) -> np.ndarray:
    """The shoulder point: the corner where the top of the shoulder turns down
    into the arm, i.e. the surface point farthest out-and-up (side * x + y)."""
    band = (np.abs(v[:, 2] - joint[2]) < SHOULDER_HALF_DEPTH_M) & (v[:, 1] > joint[1]) & (side * (v[:, 0] - joint[0]) > -0.05)
    if not band.any():
        raise BodyModelError("cannot find the top of the shoulder")
    candidates = v[band]
    top = candidates[np.argmax(side * candidates[:, 0] + candidates[:, 1])]
    return np.array([top[0], top[1], joint[2]])


def _follow_arm(points: np.ndarray, joint: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Centres of the arm's surface points in slabs from the joint to the hand, ``ARM_PATH_STEP_M`` apart."""
    path, position, heading = [joint], joint.copy(), direction.copy()
    upper_arm_count = 0
    for step in range(1, ARM_PATH_LENGTH_STEPS + 1):
        predicted = position + ARM_PATH_STEP_M * heading
        rel = points - predicted
        along = rel @ heading
        across = np.linalg.norm(rel - along[:, None] * heading, axis=1)
        near = (np.abs(along) < 0.5 * ARM_PATH_STEP_M) & (across < ARM_PATH_REACH_M)
        count = int(near.sum())
        if step * ARM_PATH_STEP_M < ARM_PATH_UPPER_ARM_M:
            upper_arm_count = max(upper_arm_count, count)
        elif count > ARM_PATH_HAND_DENSITY * upper_arm_count:
            break  # the hand: its dense surface (fingers curl) is not followed
        if count >= ARM_PATH_MIN_POINTS:
            centre = points[near].mean(axis=0)
            centre -= ((centre - predicted) @ heading) * heading  # stay on the slab
            heading = (centre - position) / np.linalg.norm(centre - position)
            predicted = centre
        path.append(predicted)
        position = predicted
    return np.array(path)


def _arm_path(v: np.ndarray, on_arm: np.ndarray, joint: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """(k, 3) points every ``ARM_PATH_STEP_M`` along the arm's axis from the joint: the upper arm's line
    to the elbow, the forearm's line on from there (past the wrist), the elbow rounded."""
    followed = _follow_arm(v[on_arm], joint, direction)
    corner = [joint, joint + ARM_PATH_LENGTH_STEPS * ARM_PATH_STEP_M * direction]
    forearm = followed[-ARM_PATH_FOREARM_STEPS:]
    if len(followed) > ARM_PATH_FOREARM_STEPS + 5:
        centre = forearm.mean(axis=0)
        lower = np.linalg.svd(forearm - centre)[2][0]
        lower *= np.sign(lower @ direction)
        # the elbow: where the forearm's line passes closest to the upper arm's
        cross = direction @ lower
        if abs(cross) < 0.996:  # bent by more than about 5 degrees
            rhs = centre - joint
            s, t = np.linalg.solve([[1.0, -cross], [cross, -1.0]], [rhs @ direction, rhs @ lower])
            if 0.1 < s < 0.6:
                elbow = 0.5 * (joint + s * direction + centre + t * lower)
                corner = [joint, elbow, elbow + ARM_PATH_LENGTH_STEPS * ARM_PATH_STEP_M * lower]
    path = _resample(np.array(corner), ARM_PATH_STEP_M, ARM_PATH_LENGTH_STEPS + 1)
    for _ in range(ARM_PATH_SMOOTHING):  # round the elbow (about a hand's width)
        path[3:-3] = sum(path[3 + k:len(path) - 3 + k] for k in range(-3, 4)) / 7.0
    return path


def _resample(polyline: np.ndarray, step: float, count: int) -> np.ndarray:
    lengths = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(polyline, axis=0), axis=1))])
    at = np.arange(count) * step
    return np.column_stack([np.interp(at, lengths, polyline[:, i]) for i in range(3)])


def _legs(v, f, crotch_y: float, axis_xz: np.ndarray) -> np.ndarray:
    cut = section(v, f, 1, crotch_y - LEG_LEVEL_BELOW_CROTCH_M)
    centres = []
    for side in (1, -1):
        best = None
        for label in range(cut.count):
            pts = cut.loop_points(label)
            centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
            offset = side * (centre[0] - axis_xz[0])
            if offset > 0 and (best is None or offset < side * (best[0] - axis_xz[0])):
                best = centre
        if best is None:
            raise BodyModelError(f"cannot find the {'left' if side > 0 else 'right'} thigh below the crotch")
        centres.append(best)
    return np.array(centres)


def body_frames(
    vertices: np.ndarray,
    faces: np.ndarray,
    crotch_y: float,
    axis_xz: np.ndarray,
    rig: ArmRig,
    shift: np.ndarray = np.zeros(3),
    arm_angle_deg: float | None = None,
) -> BodyFrames:
    """Frames of a body standing on y = 0 (crotch height above the floor).

    ``rig`` is the arm rig found on the body before it was posed and moved by
    ``-shift``; ``arm_angle_deg`` the angle the arms were posed to (None: rest).
    """
    v = np.ascontiguousarray(vertices, np.float64)
    f = np.ascontiguousarray(faces, np.int64)
    fmin, fmax = face_extent(v, f, 1)
    armpit_y = float(min(arm.joint[1] for arm in rig.sides))  # the neck is sought above the joints
    neck_y, neck_xz, neck_radius = _neck(v, f, fmin, fmax, armpit_y, float(v[:, 1].max()), axis_xz)
    joints, dirs, tops, paths = [], [], [], []
    for arm in rig.sides:
        angle = np.radians(arm.angle_deg if arm_angle_deg is None else arm_angle_deg)
        joint = arm.joint - shift
        joints.append(joint)
        dirs.append([arm.side * np.sin(angle), -np.cos(angle), 0.0])
        tops.append(_shoulder_top(v, joint, arm.side))
        paths.append(_arm_path(v, arm.weights > 0.99, joint, np.array(dirs[-1])))

    return BodyFrames(
        neck_y=neck_y,
        neck_xz=neck_xz,
        neck_radius=neck_radius,
        shoulder_points=np.array(tops),
        arm_joints=np.array(joints),
        arm_dirs=np.array(dirs),
        arm_paths=np.array(paths),
        leg_xz=_legs(v, f, crotch_y, axis_xz),
    )
