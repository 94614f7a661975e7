"""Arms and legs of a fitted torso: the arm length, the thighs' girth and the stance.

The torso fit (``garment3d.body.fit``) leaves the limbs to this module, because
the controls here move nothing the torso's measurements see (checked on the
MakeHuman data: the arm-length targets and ``legs-together`` change no girth
or landmark height of the torso; ``measure-thigh-circ`` and a thinning
``upperlegs-fat`` move the thighs, the hip by at most 0.15 cm):

- arm length, shoulder point to wrist (``garment3d.body.measure.arm_length``):
  the targets ``measure-upperarm-length`` and ``measure-lowerarm-length`` at one
  common weight, solved for by secant steps on the arm landmark vertices alone;
- legs: ``measure-thigh-circ``, ``upperlegs-fat`` (thinning only: widening
  moves the hip too) and ``legs-together`` (each leg turned towards the other
  about its hip joint; MakeHuman's rest pose stands with the feet 34-40 cm
  apart, people are measured with the feet together) by a small
  bounded Gauss-Newton on the band of the mesh just below the crotch. Its rows:
  one thigh's girth at the gluteal fold against the goal (weighted), and two
  one-sided rows: the girth round both thighs stays within the hip girth (plus
  ``LimbGoal.thighs_allowance``, see ``garment3d.body.fit.FitOptions``), and
  the thighs stay ``THIGH_GAP_M`` apart (turned towards each other, not into
  each other). Where the goal thigh and the hip disagree, the hip wins.

Lengths here are in the unscaled model's metres; ``scale`` converts to the
request's (the torso fit scales the body to the exact stature afterwards).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import lsq_linear

from garment3d.body.measure import ARM_LANDMARKS, THIGHS_BELOW_CROTCH_M, TorsoSlicer, thigh_girths
from garment3d.body.model import BodyModel

__all__ = ["ARM_TARGETS", "LEG_CONTROLS", "THIGH_GAP_M", "LimbGoal", "fit_limbs", "limb_weights"]

ARM_TARGETS = ("measure-upperarm-length", "measure-lowerarm-length")  # moved together
LEG_CONTROLS = ("measure-thigh-circ", "legs-together", "upperlegs-fat")
#: Each leg control's range: ``upperlegs-fat`` only thins (its -incr target widens the hip as well).
LEG_LOWER, LEG_UPPER = np.array([-1.0, -1.0, -1.0]), np.array([1.0, 1.0, 0.0])
ARM = "arm"  # the arm targets' common weight, in limb-weight dicts
THIGH_GAP_M = 0.02  # the thighs stay this far apart: trouser legs need room (at 1 cm their inseams crossed)
SOFT_FLOOR_M = 0.002  # the one-sided rows bend over this width
LEG_PRIOR_M = (0.003, 0.001, 0.003)  # per unit of each leg control: the thigh targets small, the stance free
LEG_STEP = 0.05  # finite-difference step of a leg control
LEG_TRUST = 0.5  # largest change of a leg control in one step
LEG_ITERATIONS = 20  # trial steps (a leg measurement costs about half a millisecond)
LEG_BAND_ABOVE_CROTCH_M = 0.02
ARM_SECANT_STEPS = 4
ARM_TOLERANCE_M = 2e-4


@dataclass(frozen=True)
class LimbGoal:
    """What the limbs aim at (m, at the request's scale)."""

    arm_length: float
    thigh: float
    thigh_weight: float  # of the thigh row (cm of residual per cm of miss)
    thigh_gap: float = THIGH_GAP_M  # the thighs stay this far apart
    gap_weight: float = 4.0
    thighs_weight: float = 4.0
    thighs_allowance: float = 0.0  # the girth round both thighs may pass the hip girth by this


def limb_weights(local: dict[str, float]) -> dict[str, float]:
    """The limb controls of a ShapeParams' local targets: {"arm": w, leg control: w}."""
    out = {ARM: float(local.get(ARM_TARGETS[0], 0.0))}
    out.update({name: float(local.get(name, 0.0)) for name in LEG_CONTROLS})
    return out


def _soft_floor(value: float) -> float:
    """A smooth ``min(0, value)`` (m): -SOFT_FLOOR_M * log(1 + exp(-value / SOFT_FLOOR_M))."""
    return -SOFT_FLOOR_M * float(np.logaddexp(0.0, -value / SOFT_FLOOR_M))


def _signed_change(before: float, after: float) -> tuple[float, float]:
    """Change of a signed control's incr and decr target weights from ``before`` to ``after``."""
    return max(after, 0.0) - max(before, 0.0), max(-after, 0.0) - max(-before, 0.0)


def _deltas(model: BodyModel, name: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(model.base)
    incr, decr = (model.deltas[model.target_index[f"{name}-{sign}"]].reshape(n, 3)[rows] for sign in ("incr", "decr"))
    return incr.astype(np.float64), decr.astype(np.float64)


class _Arms:
    """Arm length as a function of the arm targets' weight, on the landmark vertices' means."""

    def __init__(self, model: BodyModel):
        marks = model.landmark_vertices
        index = np.concatenate([marks[name] for name in ARM_LANDMARKS])
        side = model.base[index, 0] > 0.0  # the mid-plane x = 0 parts the arms
        which = np.repeat(np.arange(len(ARM_LANDMARKS)), [len(marks[name]) for name in ARM_LANDMARKS])
        # (6, k): row 3 * s + j averages landmark j of side s (0: x > 0, 1: x < 0)
        self.mean = np.zeros((2 * len(ARM_LANDMARKS), len(index)))
        for s, on_side in enumerate((side, ~side)):
            for j in range(len(ARM_LANDMARKS)):
                members = on_side & (which == j)
                self.mean[3 * s + j, members] = 1.0 / members.sum()
        self.index = index
        self.incr = np.zeros((len(self.mean), 3))
        self.decr = np.zeros((len(self.mean), 3))
        for name in ARM_TARGETS:
            incr, decr = _deltas(model, name, index)
            self.incr += self.mean @ incr
            self.decr += self.mean @ decr

    def length(self, marks: np.ndarray, before: float, after: float) -> float:
        up, down = _signed_change(before, after)
        p = (marks + up * self.incr + down * self.decr).reshape(2, 3, 3)
        return float(np.mean(np.linalg.norm(p[:, 0] - p[:, 1], axis=1) + np.linalg.norm(p[:, 1] - p[:, 2], axis=1)))

    def solve(self, vertices: np.ndarray, arm: float, goal: float) -> float:
        """The weight in [-1, 1] that makes the arms of ``vertices`` (now at weight ``arm``) ``goal``
        long; secant steps (the length is nearly linear in the weight)."""
        marks = self.mean @ vertices[self.index]
        a0, f0 = arm, self.length(marks, arm, arm) - goal
        a1 = float(np.clip(arm + (0.05 if arm < 0.95 else -0.05), -1.0, 1.0))
        f1 = self.length(marks, arm, a1) - goal
        for _ in range(ARM_SECANT_STEPS):
            if abs(f1) < ARM_TOLERANCE_M or f1 == f0:
                break
            a0, f0, a1 = a1, f1, float(np.clip(a1 - f1 * (a1 - a0) / (f1 - f0), -1.0, 1.0))
            f1 = self.length(marks, arm, a1) - goal
        return a1 if abs(f1) <= abs(f0) else a0


class _Legs:
    """The band of the mesh below the crotch, re-cut as the leg controls change."""

    def __init__(self, model: BodyModel, vertices: np.ndarray, crotch_y: float, axis_xz: np.ndarray):
        y = vertices[:, 1]
        low, high = crotch_y - max(THIGHS_BELOW_CROTCH_M) - 0.01, crotch_y + LEG_BAND_ABOVE_CROTCH_M
        near = (y > low) & (y < high)
        faces = model.faces[near[model.faces].any(axis=1)]
        self.rows, local = np.unique(faces, return_inverse=True)
        self.faces = local.reshape(faces.shape)
        self.vertices = vertices[self.rows]
        self.deltas = [_deltas(model, name, self.rows) for name in LEG_CONTROLS]
        self.crotch_y, self.axis_xz = crotch_y, np.asarray(axis_xz, np.float64)

    def offset(self, before: np.ndarray, after: np.ndarray) -> np.ndarray:
        """Offset of the band's vertices from leg controls ``before`` to ``after``."""
        out = np.zeros_like(self.vertices)
        for (incr, decr), b, a in zip(self.deltas, before, after, strict=True):
            up, down = _signed_change(float(b), float(a))
            if up:
                out += up * incr
            if down:
                out += down * decr
        return out

    def measure(self, start: np.ndarray, controls: np.ndarray) -> tuple[float, float, float]:
        """(thigh, girth round both thighs, gap) with the leg controls moved from ``start``."""
        v = self.vertices + self.offset(start, controls)
        slicer = TorsoSlicer(v, self.faces, self.axis_xz)
        return thigh_girths(slicer, self.crotch_y, float(self.axis_xz[0]))


def _leg_residual(values: tuple[float, float, float], goal: LimbGoal, hip: float, scale: float,
                  controls: np.ndarray) -> np.ndarray:
    thigh, thighs, gap = (float(np.nan_to_num(v)) for v in values)  # NaN: the legs joined (gap 0)
    return np.array([
        goal.thigh_weight * (scale * thigh - goal.thigh) if thigh else 0.0,
        goal.thighs_weight * _soft_floor(scale * (hip - thighs) + goal.thighs_allowance) if thighs else 0.0,
        goal.gap_weight * _soft_floor(scale * gap - goal.thigh_gap),
        *(np.asarray(LEG_PRIOR_M) * controls),
    ])


def _fit_legs(legs: _Legs, start: np.ndarray, goal: LimbGoal, hip: float, scale: float) -> np.ndarray:
    """Leg controls from ``start``: bounded trust-region Gauss-Newton with forward differences
    (``LEG_ITERATIONS`` trial steps at most)."""
    x, radius, jac = start.copy(), LEG_TRUST, None
    r = _leg_residual(legs.measure(start, x), goal, hip, scale, x)
    for _ in range(LEG_ITERATIONS):
        if jac is None:
            jac = np.empty((len(r), len(x)))
            for j in range(len(x)):
                h = LEG_STEP if x[j] + LEG_STEP <= LEG_UPPER[j] and not x[j] < 0.0 < x[j] + LEG_STEP else -LEG_STEP
                xp = x.copy()
                xp[j] += h
                jac[:, j] = (_leg_residual(legs.measure(start, xp), goal, hip, scale, xp) - r) / h
        lo, hi = np.maximum(LEG_LOWER - x, -radius), np.minimum(LEG_UPPER - x, radius)
        step = lsq_linear(jac, -r, bounds=(lo, hi), method="bvls").x
        if np.abs(step).max() < 1e-3:
            break
        trial = np.clip(x + step, LEG_LOWER, LEG_UPPER)
        r_trial = _leg_residual(legs.measure(start, trial), goal, hip, scale, trial)
        if r_trial @ r_trial < r @ r:
            x, r, jac, radius = trial, r_trial, None, min(2.0 * radius, LEG_TRUST)
        else:
            radius = 0.3 * float(np.abs(step).max())
    return x


def fit_limbs(
    model: BodyModel,
    vertices: np.ndarray,
    weights: dict[str, float],
    goal: LimbGoal,
    scale: float,
    hip: float,
    crotch_y: float,
    axis_xz: np.ndarray,
) -> tuple[np.ndarray, dict[str, float]]:
    """The body ``vertices`` (limb controls at ``weights``, see ``limb_weights``) with its limbs fitted
    to ``goal``, and the new limb weights. ``scale`` turns the model's metres into the request's,
    ``hip`` is the torso's hip girth and ``crotch_y``, ``axis_xz`` where ``vertices`` have the
    crotch and the torso's axis (all unscaled)."""
    legs = _Legs(model, vertices, crotch_y, axis_xz)
    start = np.array([weights[name] for name in LEG_CONTROLS])
    fitted = _fit_legs(legs, start, goal, hip, scale)
    change: dict[str, float] = {}
    for name, b, a in zip(LEG_CONTROLS, start, fitted, strict=True):
        up, down = _signed_change(float(b), float(a))
        change.update({f"{name}-incr": up, f"{name}-decr": down})
    arm = _Arms(model).solve(vertices, weights[ARM], goal.arm_length / scale)
    for name in ARM_TARGETS:
        up, down = _signed_change(weights[ARM], arm)
        change.update({f"{name}-incr": up, f"{name}-decr": down})
    change = {k: w for k, w in change.items() if w != 0.0}
    out = vertices + model.offset(change) if change else vertices
    return out, {ARM: arm, **{name: float(w) for name, w in zip(LEG_CONTROLS, fitted, strict=True)}}
