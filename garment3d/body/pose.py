"""Arm pose: raise or lower the arms of a fitted body about the shoulders.

MakeHuman's rest pose is an A-pose (upper arms about 42-45 degrees from
vertical). Sleeveless garments drape well on it; sleeved ones may want the arms
lower or raised towards a T-pose. The rig is found on each body's own mesh, per
side, with no skeleton data:

- armhole plane: the vertical plane ``x = x_armpit`` through the side of the
  torso just below the armpit (the level where ``measure`` finds the arms
  joining the torso);
- upper-arm axis: a line fitted to the centres of the arm's horizontal
  sections 3 to 9 cm below the armpit (for raised arms, as in a T-pose, where
  nothing hangs below the armpit: of its vertical sections 6 to 12 cm out from
  the side of the torso); its angle from the downward vertical, in the frontal
  (x, y) plane, is the arm angle;
- shoulder joint: where that axis meets the armhole plane (mid-way between the
  armpit and the top of the shoulder on the MakeHuman bodies);
- weights: 0 medial of the armhole plane, rising smoothly (smoothstep) to 1 at
  ``ramp`` beyond it, on the part of the surface lateral of the plane that is
  connected to the hand (the hips never move, however wide).

Each vertex turns about the joint's front-back (z) axis by its weight times the
change of angle. Turning by an interpolated angle keeps each vertex's distance
to the joint, so the blend zone does not shrink as blended positions would; the
topology is untouched and the mesh stays closed. ``pose_arms`` refuses angles that bring an arm within
``CLEARANCE_M`` of the torso or the legs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from garment3d.body.section import face_extent, section, torso_loop
from garment3d.errors import BodyModelError, InvalidRequestError

__all__ = ["ARM_ANGLE_RANGE_DEG", "ArmRig", "rig_arms", "pose_arms", "validate_arm_angle"]

#: Accepted arm angles, degrees from the downward vertical (90 = T-pose).
ARM_ANGLE_RANGE_DEG = (20.0, 90.0)
AXIS_LEVELS_BELOW_ARMPIT_M = np.arange(0.03, 0.095, 0.01)
ARMHOLE_DEPTH_BELOW_ARMPIT_M = 0.005
RAMP_ARM_DIAMETERS = 1.0  # weight ramp width, in upper-arm diameters
CLEARANCE_M = 0.01


@dataclass(frozen=True)
class ArmSide:
    """One arm's rig (metres, the body's frame).

    joint       : (3,) float64, the shoulder joint.
    angle_deg   : rest angle of the upper arm from the downward vertical.
    weights     : (n,) float64 in [0, 1], how much each vertex follows the arm.
    """

    side: int  # +1: the arm at +x, -1: the arm at -x
    joint: np.ndarray
    angle_deg: float
    weights: np.ndarray


@dataclass(frozen=True)
class ArmRig:
    left: ArmSide  # +x
    right: ArmSide  # -x

    @property
    def sides(self) -> tuple[ArmSide, ArmSide]:
        return (self.left, self.right)


def validate_arm_angle(arm_angle_deg: float | None) -> float | None:
    """Return the angle if it is None or a number in ``ARM_ANGLE_RANGE_DEG``, else raise."""
    if arm_angle_deg is None:
        return None
    low, high = ARM_ANGLE_RANGE_DEG
    if isinstance(arm_angle_deg, bool) or not isinstance(arm_angle_deg, (int, float)):
        raise InvalidRequestError("arm_angle_deg must be a number of degrees from vertical")
    if not low <= float(arm_angle_deg) <= high:  # also refuses NaN
        raise InvalidRequestError(
            f"arm_angle_deg = {arm_angle_deg:g} is outside the supported range ({low:g}-{high:g} degrees "
            "from vertical; 90 is a T-pose)"
        )
    return float(arm_angle_deg)


def _adjacency(faces: np.ndarray, n: int) -> sparse.csr_matrix:
    i = np.concatenate([faces[:, 0], faces[:, 1], faces[:, 2]])
    j = np.concatenate([faces[:, 1], faces[:, 2], faces[:, 0]])
    return sparse.csr_matrix((np.ones(len(i), np.int8), (i, j)), shape=(n, n))


def _upper_arm_axis(v, f, fmin, fmax, side: int, armpit_y: float, x_armpit: float):
    """Centres of the upper arm's horizontal sections -> (point, unit direction towards the hand, diameter)."""
    centres, widths = [], []
    for drop in AXIS_LEVELS_BELOW_ARMPIT_M:
        y = armpit_y - drop
        cut = section(v, f, 1, y, fmin, fmax)
        best = None
        for label in range(cut.count):
            pts = cut.loop_points(label)
            centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
            # the loop nearest the torso on this side: the upper arm (hands hang lower)
            if side * centre[0] > side * x_armpit and (best is None or side * centre[0] < side * best[0][0]):
                best = (centre, float(np.ptp(pts[:, 1])))
        if best is None:  # a raised arm (T-pose): nothing hangs below the armpit
            return _upper_arm_axis_across(v, f, side, armpit_y, x_armpit)
        centres.append([best[0][0], y, best[0][1]])
        widths.append(best[1])
    c = np.array(centres)
    mean = c.mean(axis=0)
    direction = np.linalg.svd(c - mean)[2][0]
    direction *= -np.sign(direction[1])  # towards the hand: downwards
    return mean, direction, float(np.median(widths))


def _upper_arm_axis_across(v, f, side: int, armpit_y: float, x_armpit: float):
    """For raised arms: centres of the upper arm's vertical (x = const) sections
    ``AXIS_LEVELS_BELOW_ARMPIT_M`` + 3 cm out from the side of the torso."""
    fmin, fmax = face_extent(v, f, 0)
    centres, widths = [], []
    for out in AXIS_LEVELS_BELOW_ARMPIT_M + 0.03:
        x = x_armpit + side * out
        cut = section(v, f, 0, x, fmin, fmax)  # points are (y, z)
        best = None
        for label in range(cut.count):
            pts = cut.loop_points(label)
            centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
            # the lowest loop reaching above the armpit: the upper arm
            if pts[:, 0].max() > armpit_y and (best is None or centre[0] < best[0][0]):
                best = (centre, float(np.ptp(pts[:, 1])))
        if best is None:
            which = "left" if side > 0 else "right"
            raise BodyModelError(
                f"cannot find the {which} upper arm below the armpit nor beside it, {out * 100:.0f} cm out from the "
                "torso; the arms must be held away from the body (A- or T-pose)"
            )
        centres.append([x, best[0][0], best[0][1]])
        widths.append(best[1])
    c = np.array(centres)
    mean = c.mean(axis=0)
    direction = np.linalg.svd(c - mean)[2][0]
    direction *= np.sign(side * direction[0])  # towards the hand: outwards
    return mean, direction, float(np.median(widths))


def _arm_weights(v, adjacency, side: int, x_armpit: float, ramp: float, hand: int) -> np.ndarray:
    beyond = side * (v[:, 0] - x_armpit)
    lateral = np.flatnonzero(beyond > 0)
    sub = adjacency[lateral][:, lateral]
    _, label = connected_components(sub, directed=False)
    where_hand = np.searchsorted(lateral, hand)
    arm = lateral[label == label[where_hand]]
    t = np.clip(beyond[arm] / ramp, 0.0, 1.0)
    weights = np.zeros(len(v))
    weights[arm] = t * t * (3 - 2 * t)
    return weights


def rig_arms(vertices: np.ndarray, faces: np.ndarray, armpit_y: float, axis_xz: np.ndarray) -> ArmRig:
    """Find both arms' joints, rest angles and weights (see the module docstring).

    vertices : (n, 3) float64, m, Y up, floor at 0; faces : (m, 3) int.
    armpit_y : the armpit level (``BodyMeasurement.armpit_y`` plus the floor).
    axis_xz  : (2,) a point inside the torso.
    """
    v = np.ascontiguousarray(vertices, np.float64)
    f = np.ascontiguousarray(faces, np.int64)
    fmin, fmax = face_extent(v, f, 1)
    loop = torso_loop(v, f, fmin, fmax, armpit_y - ARMHOLE_DEPTH_BELOW_ARMPIT_M, np.asarray(axis_xz, np.float64))
    if len(loop) < 3:
        raise BodyModelError("cannot find the torso just below the armpits")
    adjacency = _adjacency(f, len(v))
    sides = []
    for side in (1, -1):
        x_armpit = float(loop[:, 0].max() if side > 0 else loop[:, 0].min())
        point, direction, diameter = _upper_arm_axis(v, f, fmin, fmax, side, armpit_y, x_armpit)
        if side * direction[0] <= 0.05:
            raise BodyModelError("the arms hang too close to vertical to be posed (no A- or T-pose)")
        joint = point + direction * ((x_armpit - point[0]) / direction[0])
        hand = int(np.argmax(side * v[:, 0] - 0.2 * v[:, 1]))  # far out and low: the fingertips
        weights = _arm_weights(v, adjacency, side, x_armpit, RAMP_ARM_DIAMETERS * diameter, hand)
        angle = float(np.degrees(np.arctan2(side * direction[0], -direction[1])))
        sides.append(ArmSide(side=side, joint=joint, angle_deg=angle, weights=weights))
    return ArmRig(left=sides[0], right=sides[1])


def _turn(vertices: np.ndarray, arm: ArmSide, change_rad: float) -> np.ndarray:
    moving = np.flatnonzero(arm.weights > 0)
    angle = arm.side * change_rad * arm.weights[moving]
    rel = vertices[moving, :2] - arm.joint[:2]
    cos, sin = np.cos(angle), np.sin(angle)
    out = vertices.copy()
    out[moving, 0] = arm.joint[0] + cos * rel[:, 0] - sin * rel[:, 1]
    out[moving, 1] = arm.joint[1] + sin * rel[:, 0] + cos * rel[:, 1]
    return out


def _check_clearance(vertices: np.ndarray, rig: ArmRig, arm_angle_deg: float) -> None:
    """Refuse poses in which an arm (fully moved part) comes near the unmoved body."""
    still = np.flatnonzero((rig.left.weights == 0) & (rig.right.weights == 0))
    tree = cKDTree(vertices[still])
    for arm in rig.sides:
        moved = vertices[arm.weights >= 1.0]
        gap = float(tree.query(moved, distance_upper_bound=CLEARANCE_M)[0].min())
        if gap < CLEARANCE_M:
            raise BodyModelError(
                f"arm angle {arm_angle_deg:g} degrees brings the {'left' if arm.side > 0 else 'right'} arm "
                f"within {gap * 1000:.0f} mm of the body (rest angle {arm.angle_deg:.0f} degrees); use a larger angle"
            )


def pose_arms(vertices: np.ndarray, rig: ArmRig, arm_angle_deg: float) -> np.ndarray:
    """Return a copy of ``vertices`` (n, 3) with both upper arms at ``arm_angle_deg`` from vertical.

    Raises InvalidRequestError for an angle outside ``ARM_ANGLE_RANGE_DEG``
    and BodyModelError when the arms would touch the body.
    """
    angle = validate_arm_angle(arm_angle_deg)
    out = np.asarray(vertices, np.float64)
    for arm in rig.sides:
        out = _turn(out, arm, np.radians(angle - arm.angle_deg))
    _check_clearance(out, rig, angle)
    return out
