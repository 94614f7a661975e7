"""Fit the MakeHuman body to tailoring measurements.

Controls of the torso: the macro sliders weight, muscle, height and
proportions, and the local targets ``measure-bust-circ``,
``measure-underbust-circ``, ``measure-waist-circ``, ``measure-hips-circ``,
``stomach-pregnant`` (a belly, for waists close to or above the hips),
``torso-scale-depth``, ``hip-waist`` (the waist indentation up or down),
``measure-napetowaist-dist`` and ``measure-neck-height`` (where the waist and
the back neck point sit), and ``measure-shoulder-dist`` only when the request
gives a shoulder width (``Measurements.shoulder_width_cm``, straight from
shoulder point to shoulder point: matched as nearly as the girths allow, not
promised); gender is fixed by the request. Then the limbs
(``garment3d.body.limbs``): the arm length, the thighs' girth and the stance,
whose controls move nothing the torso's measurements see. A final uniform
scale about the floor makes the stature exact.

Like is compared with like: the requested waist girth is matched at the
landmark the request names (``Measurements.waist_at``: the natural waist, as
GB/T 1335 and ISO 8559-1 take it, or the navel, as ANSUR II does), and the
natural waist and the back neck point are placed at the requested control
heights (``waist_height_cm``, ``cervical_height_cm``) or, when the request
gives none, at the heights the ANSUR II population model predicts
(``garment3d.body.heights``); likewise the arm length (shoulder point to
wrist, ``arm_length_cm``) and one thigh's girth at the gluteal fold
(``thigh_cm``; matched where the hip allows: the girth round both thighs
stays within the hip girth, for men within the hip girth plus the bridge
over the gap between the thighs, ``FitOptions.thighs_bridged``). Where the requested waist is well below both
bust and hip, a one-sided term keeps the torso from narrowing further above
the natural waist (the narrowest girth is the waist, so a fitted garment does
not blouse).

The torso fit is a bounded trust-region Gauss-Newton: each step solves a
linearised least-squares problem with ``scipy.optimize.lsq_linear`` and is
kept only if it lowers the cost. The Jacobian comes from finite differences of
the full measurement (landmarks move with the shape); since targets are
linear, each column is one incremental blend (only the targets whose weight
changes) and one ``measure`` call (a few ms). After an accepted step the
Jacobian is updated by Broyden's rank-one formula; it is measured afresh only
when a step fails (never twice at the same controls). Small priors keep muscle
and proportions near average and the local targets near zero, so the macro
sliders carry the overall size and the local targets the proportions between
the girths.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import lsq_linear

from garment3d.body.heights import control_values_cm
from garment3d.body.limbs import ARM_TARGETS, LEG_CONTROLS, THIGH_GAP_M, LimbGoal, fit_limbs, limb_weights
from garment3d.body.measure import BodyMeasurement, measure
from garment3d.body.model import BodyModel, ShapeParams
from garment3d.sizes import MEASUREMENT_RANGES_CM as _SIZE_RANGES_CM
from garment3d.sizes import validate_measurements as check_measurements
from garment3d.errors import BodyModelError, InvalidMeasurementsError
from garment3d.types import Measurements

__all__ = [
    "FitResult",
    "FitOptions",
    "MEASUREMENT_RANGES_CM",
    "CONTROLS",
    "validate_measurements",
    "fit_body",
    "model_measure",
]

log = logging.getLogger(__name__)

GENDERS = {"female": 0.0, "male": 1.0}

#: Accepted human range (cm) of each requested measurement: one table for the project.
MEASUREMENT_RANGES_CM = _SIZE_RANGES_CM

MACRO = ("weight", "muscle", "height", "proportions")
LOCAL = (
    "measure-bust-circ",
    "measure-underbust-circ",
    "measure-waist-circ",
    "measure-hips-circ",
    "stomach-pregnant",
    "torso-scale-depth",
    "hip-waist",
    "measure-napetowaist-dist",
    "measure-neck-height",
    "measure-shoulder-dist",  # held at 0 unless the request gives a shoulder width
    "measure-upperleg-height",  # held at 0 unless the request gives an inside leg
)
#: The controls a fit moves only when the request gives the measurement that names them.
ON_REQUEST = {"measure-shoulder-dist": "shoulder_width_cm", "measure-upperleg-height": "inside_leg_cm"}
RESIDUALS = ("height_cm", "bust_cm", "waist_cm", "hip_cm", "waist_height_cm", "cervical_height_cm", "waist_shape",
             "shoulder_width_cm", "inside_leg_cm")
DEFINED_WAIST = 0.92  # a waist below this share of both bust and hip should be the narrowest girth
CONTROLS = MACRO + LOCAL
LOWER = np.array([0.0] * len(MACRO) + [-1.0] * len(LOCAL))
UPPER = np.ones(len(CONTROLS))
PRIOR = np.array([0.5] * len(MACRO) + [0.0] * len(LOCAL))
KINK = PRIOR  # the target weights are piecewise linear with a kink here
FD_STEP = np.array([0.02] * len(MACRO) + [0.05] * len(LOCAL))
MIN_GAIN_M2 = 1e-6  # a step promising less than (1 mm)^2 of cost is not taken
#: Limb weights a fit starts from: the legs turned most of the way to a feet-together stance.
START_LIMBS = {"arm": 0.0, "measure-thigh-circ": 0.0, "legs-together": 0.4, "upperlegs-fat": 0.0}


@dataclass(frozen=True)
class FitOptions:
    """Tolerances and weights of the fit (cm, and cm per unit of a control)."""

    tolerance_cm: float = 1.0  # the promise: height and every girth within this
    target_cm: float = 0.2  # stop iterating once every girth is this close
    max_iterations: int = 25
    trust: float = 0.35  # largest change of a control in one step
    # Prior strength in cm of residual per unit of control, in CONTROLS order.
    prior_cm: tuple[float, ...] = (0.05, 0.3, 0.0, 0.3, 0.4, 0.6, 0.4, 0.4, 0.6, 0.6, 0.3, 0.3, 0.3, 0.3, 0.3)
    height_weight: float = 0.3  # stature is fixed by the final scale; keep the scale near 1
    cervical_weight: float = 0.5  # the back neck point matters less than the waist
    shape_weight: float = 0.5  # the torso narrowing above a defined natural waist
    # A requested shoulder width (``measure-shoulder-dist`` with the other controls) is a goal, not a promise:
    # matched as nearly as the girths allow and not checked (GarmentCode's mean body, 36.5 cm: 36.7 reached).
    shoulder_weight: float = 0.5
    inside_leg_weight: float = 1.0  # a requested inside leg (floor to crotch): a promise, like the control heights
    thigh_weight: float = 1.0  # a requested thigh girth (the limbs' fit)
    predicted_thigh_weight: float = 0.3  # a predicted one (population SD 1.9 cm)
    thigh_gap_cm: float = 100 * THIGH_GAP_M  # the thighs stay this far apart
    # Whose girth round both thighs may pass the hip girth by the tape's bridge over the gap between the
    # thighs (2 x ``thigh_gap_cm``: the thighs as if touching stay within the hip). Men's thighs are as
    # wide as their hips (ANSUR II: 1.64 x thigh girth, the hull of two touching round thighs, is 100 %
    # of the buttock girth at the median; women's 99 %), so the gap trousers need cost them 3 cm of thigh girth;
    # their garments are trousers, a leg round each thigh. Women's (a straight skirt falls from the
    # hip over both thighs) keep the girth round both thighs within the hip.
    thighs_bridged: tuple[str, ...] = ("male",)


@dataclass(frozen=True)
class FitResult:
    """A fitted body in model space (metres, floor at y = 0, not yet centred).

    vertices : (n, 3) float64, the scaled body.
    """

    params: ShapeParams
    scale: float
    vertices: np.ndarray
    measurement: BodyMeasurement
    iterations: int
    jacobian: np.ndarray | None = None  # the torso fit's last, to warm-start a fit of a nearby target


@dataclass(frozen=True)
class _State:
    x: np.ndarray
    vertices: np.ndarray
    measurement: BodyMeasurement
    r: np.ndarray  # residual, m (stature row weighted)
    cost: float


def validate_measurements(target: Measurements) -> float:
    """Check the request before any work (the project's one range check); return the gender value (0 or 1)."""
    check_measurements(target)
    return GENDERS[target.gender]


def model_measure(model: BodyModel, vertices: np.ndarray) -> BodyMeasurement:
    """``measure`` with the model's landmark vertex sets (knees, nipples, arms, ...)."""
    return measure(vertices, model.faces, landmark_vertices=model.landmark_vertices)


def _params(gender: float, x: np.ndarray, limbs: dict[str, float]) -> ShapeParams:
    local = [(name, float(v)) for name, v in zip(LOCAL, x[len(MACRO) :], strict=True) if v != 0.0]
    local += [(name, limbs[name]) for name in LEG_CONTROLS if limbs[name] != 0.0]
    local += [(name, limbs["arm"]) for name in ARM_TARGETS if limbs["arm"] != 0.0]
    return ShapeParams(
        gender=gender,
        weight=float(x[0]),
        muscle=float(x[1]),
        height=float(x[2]),
        proportions=float(x[3]),
        local=tuple(local),
    )


def _values(meas: BodyMeasurement, waist_at: str) -> np.ndarray:
    """Stature, bust, waist (at the requested landmark), hip, natural waist height,
    back neck point height, the girth above the natural waist minus the waist's, the shoulder width and the
    crotch height (m)."""
    return np.array(
        [
            meas.stature,
            meas.bust_girth,
            meas.waist_girth_at(waist_at),
            meas.hip_girth,
            meas.waist_y,
            meas.cervicale_y,
            meas.above_waist_girth - meas.waist_girth,
            meas.shoulder_width,
            meas.crotch_y,
        ]
    )


def _goal(target: Measurements) -> np.ndarray:
    """The values ``_values`` aims at (m); the waist shape is a floor, not a value; the shoulder width and the
    inside leg are NaN when the request gives none (then they are not fitted)."""
    v = control_values_cm(target)
    shoulder = math.nan if target.shoulder_width_cm is None else target.shoulder_width_cm
    leg = math.nan if target.inside_leg_cm is None else target.inside_leg_cm
    cm = [target.height_cm, target.bust_cm, target.waist_cm, target.hip_cm, v["waist_height"], v["cervical_height"], 0.0,
          shoulder, leg]
    return np.array(cm, np.float64) / 100.0


def _limb_goal(target: Measurements, opts: FitOptions) -> LimbGoal:
    v = control_values_cm(target)
    weight = opts.thigh_weight if target.thigh_cm is not None else opts.predicted_thigh_weight
    gap = opts.thigh_gap_cm / 100.0
    return LimbGoal(arm_length=v["arm_length"] / 100.0, thigh=v["thigh"] / 100.0, thigh_weight=weight,
                    thigh_gap=gap, thighs_allowance=2.0 * gap if target.gender in opts.thighs_bridged else 0.0)


def _initial_guess(model: BodyModel, gender: float, goal: np.ndarray, waist_at: str, limbs: dict) -> np.ndarray:
    """Controls at their priors, except the macro height (matching the stature)
    and the macro weight (matching the sum of the girths), by 1-D interpolation."""
    x = PRIOR.copy()
    statures = []
    for h in (0.0, 0.5, 1.0):
        y = model.vertices(ShapeParams(gender=gender, height=h))[:, 1]
        statures.append(y.max() - y.min())
    x[2] = float(np.clip(np.interp(goal[0], statures, [0.0, 0.5, 1.0]), 0.0, 1.0))
    grid = np.linspace(0.0, 1.0, 5)
    sizes = []
    for w in grid:
        x[0] = w
        values = _values(model_measure(model, model.vertices(_params(gender, x, limbs))), waist_at)
        sizes.append(values[1:4].sum() * goal[0] / values[0])
    x[0] = PRIOR[0]
    if np.all(np.isfinite(sizes)) and np.all(np.diff(sizes) > 0):
        x[0] = float(np.clip(np.interp(goal[1:4].sum(), sizes, grid), 0.0, 1.0))
    return x


class _Problem:
    """Residuals, cost and Jacobian of one torso fit (the limbs held at ``limbs``)."""

    def __init__(self, model: BodyModel, gender: float, target: Measurements, opts: FitOptions, limbs: dict):
        self.model, self.gender, self.opts, self.limbs = model, gender, opts, limbs
        self.goal = _goal(target)
        self.waist_at = target.waist_at
        self.prior_w = np.asarray(opts.prior_cm) / 100.0
        defined = target.waist_cm < DEFINED_WAIST * min(target.bust_cm, target.hip_cm)
        self.shape_weight = opts.shape_weight if defined else 0.0
        self.fit_shoulder = target.shoulder_width_cm is not None
        self.fit_leg = target.inside_leg_cm is not None
        # the controls this fit moves: the shoulder's and the leg's only when their measurement is asked for
        self.free = np.array([name not in ON_REQUEST or getattr(target, ON_REQUEST[name]) is not None
                              for name in CONTROLS])

    def params(self, x: np.ndarray) -> ShapeParams:
        return _params(self.gender, x, self.limbs)

    def residual(self, values: np.ndarray) -> np.ndarray:
        """Metres: stature (weighted), then the girths and heights after the exact-height scale."""
        scale = self.goal[0] / values[0]
        height = self.opts.height_weight * (values[0] - self.goal[0])
        scaled = scale * values[1:6] - self.goal[1:6]
        scaled[4] *= self.opts.cervical_weight
        shape = self.shape_weight * min(0.0, scale * values[6])
        shoulder = self.opts.shoulder_weight * (scale * values[7] - self.goal[7]) if self.fit_shoulder else 0.0
        leg = self.opts.inside_leg_weight * (scale * values[8] - self.goal[8]) if self.fit_leg else 0.0
        return np.concatenate([[height], scaled, [shape, shoulder, leg]])

    def measure(self, vertices: np.ndarray) -> tuple[BodyMeasurement, np.ndarray]:
        meas = model_measure(self.model, vertices)
        return meas, _values(meas, self.waist_at)

    def evaluate(self, x: np.ndarray) -> _State:
        verts = self.model.vertices(self.params(x))
        meas, values = self.measure(verts)
        if (not np.all(np.isfinite(values[:7])) or (self.fit_shoulder and not np.isfinite(values[7]))
                or (self.fit_leg and not np.isfinite(values[8]))):
            raise BodyModelError(
                f"the body could not be measured during the fit (controls {np.round(x, 3)}); "
                "check that the measurements belong to one person"
            )
        r = self.residual(values)
        cost = float(np.sum(r**2) + np.sum((self.prior_w * (x - PRIOR)) ** 2))
        return _State(x, verts, meas, r, cost)

    def moved(self, state: _State, j: int, h: float) -> np.ndarray:
        """Residual with control ``j`` moved by ``h``."""
        xp = state.x.copy()
        xp[j] += h
        before = self.model.target_weights(self.params(state.x))
        after = self.model.target_weights(self.params(xp))
        change = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after.keys() | before.keys()}
        verts = state.vertices + self.model.offset({k: d for k, d in change.items() if d != 0.0})
        return self.residual(self.measure(verts)[1])

    def jacobian(self, state: _State) -> np.ndarray:
        """Forward differences, away from a kink of the target weights (a local
        target's incr/decr switch, a macro slider's average)."""
        x = state.x
        jac = np.empty((len(state.r), len(CONTROLS)))
        for j, h in enumerate(FD_STEP):
            if not self.free[j]:
                jac[:, j] = 0.0
                continue
            hs = h if x[j] + h <= UPPER[j] else -h
            if x[j] < KINK[j] <= x[j] + hs or x[j] + hs <= KINK[j] < x[j]:
                hs = -hs if LOWER[j] <= x[j] - hs <= UPPER[j] else hs
            jac[:, j] = (self.moved(state, j, hs) - state.r) / hs
        if not np.all(np.isfinite(jac)):
            raise BodyModelError("the body could not be measured during the fit (finite differences)")
        return jac

    def step(self, state: _State, jac: np.ndarray, radius: float) -> tuple[np.ndarray, float]:
        """Bounded linearised step (data rows plus prior rows) and the cost it promises to remove (m^2)."""
        a = np.vstack([jac, np.diag(self.prior_w)])
        b = np.concatenate([-state.r, -self.prior_w * (state.x - PRIOR)])
        lo = np.maximum(LOWER - state.x, -radius)
        hi = np.minimum(UPPER - state.x, radius)
        step = np.zeros(len(CONTROLS))
        free = self.free
        step[free] = lsq_linear(a[:, free], b, bounds=(lo[free], hi[free]), method="bvls").x
        return step, state.cost - float(np.sum((a @ step - b) ** 2))


def _converged(state: _State, opts: FitOptions) -> bool:
    return bool(np.abs(state.r[1:]).max() < opts.target_cm / 100.0)


def _check(target: Measurements, goals: dict[str, float], final: BodyMeasurement, iterations: int,
           opts: FitOptions) -> None:
    """Refuse a body further than the tolerance from what the request gave."""
    got = {
        "height_cm": final.stature, "bust_cm": final.bust_girth, "waist_cm": final.waist_girth_at(target.waist_at),
        "hip_cm": final.hip_girth, "waist_height_cm": final.waist_y, "cervical_height_cm": final.cervicale_y,
        "arm_length_cm": final.arm_length, "inside_leg_cm": final.crotch_y,
    }
    names = ["height_cm", "bust_cm", "waist_cm", "hip_cm"]
    names += [name for name in ("waist_height_cm", "cervical_height_cm", "arm_length_cm", "inside_leg_cm")
              if getattr(target, name) is not None]
    errors = {name: got[name] - goals[name] for name in names}
    name, err = max(errors.items(), key=lambda kv: abs(kv[1]) if np.isfinite(kv[1]) else math.inf)
    if not abs(err) * 100 <= opts.tolerance_cm:
        where = f" (at the {target.waist_at} waist)" if name == "waist_cm" else ""
        raise BodyModelError(
            f"cannot fit the body to the measurements: {name}{where} misses by {err * 100:+.1f} cm "
            f"(wanted {goals[name] * 100:g} cm) after {iterations} iterations; the combination "
            "is outside what the body model can represent: check the measurements (all in cm, girths taken "
            "horizontally round the body) or give the client's own body mesh with --avatar"
        )


def _fit_torso(problem: _Problem, state: _State, jac: np.ndarray | None, opts: FitOptions):
    """The torso controls' Gauss-Newton from ``state``; returns (state, Jacobian, iterations)."""
    radius, iterations = opts.trust, 0
    fresh = False  # whether ``jac`` was measured at ``state`` (measuring it again there gives the same)
    for iterations in range(1, opts.max_iterations + 1):
        log.debug("fit %d: residual cm %s, controls %s", iterations, np.round(state.r * 100, 2), np.round(state.x, 3))
        if _converged(state, opts):
            break
        if jac is None:
            jac, fresh = problem.jacobian(state), True
        step, promise = problem.step(state, jac, radius)
        if fresh and promise < MIN_GAIN_M2:
            break  # the linear model of a measured Jacobian sees nothing left to gain
        trial = problem.evaluate(np.clip(state.x + step, LOWER, UPPER))
        if trial.cost < state.cost:
            # Broyden's rank-one update instead of new finite differences (a fresh
            # Jacobian only after a rejected step): a third of the measurements.
            dx = trial.x - state.x
            jac = jac + np.outer(trial.r - state.r - jac @ dx, dx) / float(dx @ dx)
            state, fresh = trial, False
            radius = min(2 * radius, opts.trust)
        elif not fresh:
            jac = None  # the update misled the step: measure the Jacobian afresh and retry
        else:
            radius = 0.3 * float(np.abs(step).max())
            if radius < 1e-3:
                break
    return state, jac, iterations


def fit_body(
    model: BodyModel,
    target: Measurements,
    options: FitOptions | None = None,
    *,
    start: ShapeParams | None = None,
    jacobian: np.ndarray | None = None,
    validated: bool = False,
) -> FitResult:
    """Fit shape controls so the body measures ``target`` (see module docstring).

    ``start``: controls to start from (a previous fit of a nearby target), and
    ``jacobian`` that fit's (``FitResult.jacobian``) to start with.
    Raises InvalidMeasurementsError for requests outside human range (before any
    work) and BodyModelError if the fit ends further than ``tolerance_cm`` away.
    ``validated``: ``target`` is an aim derived from a request already checked
    (a re-fit's aim may stand a little past the range its request lay in).
    """
    opts = options or FitOptions()
    gender = GENDERS[target.gender] if validated else validate_measurements(target)
    limbs = limb_weights(dict(start.local)) if start is not None else dict(START_LIMBS)
    problem = _Problem(model, gender, target, opts, limbs)
    goal = problem.goal
    if start is not None:
        x0 = _controls(start)
    else:
        x0, jacobian = _initial_guess(model, gender, goal, target.waist_at, limbs), None
    state, jac, iterations = _fit_torso(problem, problem.evaluate(x0), jacobian, opts)

    meas = state.measurement
    scale = goal[0] / meas.stature
    floor = state.vertices[:, 1].min()
    vertices, limbs = fit_limbs(
        model, state.vertices, limbs, _limb_goal(target, opts), scale, meas.hip_girth, meas.crotch_y + floor,
        meas.axis_xz,
    )
    scaled = (vertices - np.array([0.0, floor, 0.0])) * scale
    final = model_measure(model, scaled)
    goals = dict(zip(RESIDUALS[:6], goal[:6], strict=True))
    goals["inside_leg_cm"] = goal[8]
    goals["arm_length_cm"] = control_values_cm(target)["arm_length"] / 100.0
    _check(target, goals, final, iterations, opts)
    return FitResult(
        params=_params(gender, state.x, limbs), scale=scale, vertices=scaled, measurement=final,
        iterations=iterations, jacobian=jac,
    )


def _controls(params: ShapeParams) -> np.ndarray:
    """The torso control vector of ``params`` (inverse of ``_params``)."""
    local = dict(params.local)
    x = [params.weight, params.muscle, params.height, params.proportions] + [local.get(n, 0.0) for n in LOCAL]
    return np.array(x, np.float64)
