"""Fit the MakeHuman body to tailoring measurements.

Controls: the macro sliders weight, muscle, height and proportions, and the
local targets ``measure-bust-circ``, ``measure-underbust-circ``,
``measure-waist-circ``, ``measure-hips-circ`` and ``stomach-pregnant`` (a
belly, for waists close to the hips); gender is fixed by the request. A final
uniform scale about the floor makes the stature exact.

The fit is a bounded trust-region Gauss-Newton: each step solves a linearised
least-squares problem with ``scipy.optimize.lsq_linear`` and is kept only if
it lowers the cost. The Jacobian comes from finite differences of the full
measurement (landmarks move with the shape); since targets are linear, each
column is one incremental blend (only the targets whose weight changes) and one
``measure`` call (a few ms). Small priors keep muscle and proportions near
average and the local targets near zero, so the macro sliders carry the
overall size and the local targets the proportions between the girths.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import lsq_linear

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
)
CONTROLS = MACRO + LOCAL
LOWER = np.array([0.0] * len(MACRO) + [-1.0] * len(LOCAL))
UPPER = np.ones(len(CONTROLS))
PRIOR = np.array([0.5] * len(MACRO) + [0.0] * len(LOCAL))
KINK = PRIOR  # the target weights are piecewise linear with a kink here
FD_STEP = np.array([0.02] * len(MACRO) + [0.05] * len(LOCAL))


@dataclass(frozen=True)
class FitOptions:
    """Tolerances and weights of the fit (cm, and cm per unit of a control)."""

    tolerance_cm: float = 1.0  # the promise: height and every girth within this
    target_cm: float = 0.2  # stop iterating once every girth is this close
    max_iterations: int = 25
    trust: float = 0.35  # largest change of a control in one step
    # Prior strength in cm of residual per unit of control, in CONTROLS order.
    prior_cm: tuple[float, ...] = (0.05, 0.3, 0.0, 0.3, 0.4, 0.6, 0.4, 0.4, 0.6)
    height_weight: float = 0.3  # stature is fixed by the final scale; keep the scale near 1


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
    """``measure`` with the model's landmark vertex sets (knees, nipples)."""
    return measure(vertices, model.faces, model.knee_vertices, model.nipple_vertices)


def _params(gender: float, x: np.ndarray) -> ShapeParams:
    return ShapeParams(
        gender=gender,
        weight=float(x[0]),
        muscle=float(x[1]),
        height=float(x[2]),
        proportions=float(x[3]),
        local=tuple((name, float(v)) for name, v in zip(LOCAL, x[len(MACRO) :], strict=True) if v != 0.0),
    )


def _values(meas: BodyMeasurement) -> np.ndarray:
    return np.array([meas.stature, meas.bust_girth, meas.waist_girth, meas.hip_girth])


def _initial_guess(model: BodyModel, gender: float, goal: np.ndarray) -> np.ndarray:
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
        values = _values(model_measure(model, model.vertices(_params(gender, x))))
        sizes.append(values[1:].sum() * goal[0] / values[0])
    x[0] = PRIOR[0]
    if np.all(np.isfinite(sizes)) and np.all(np.diff(sizes) > 0):
        x[0] = float(np.clip(np.interp(goal[1:].sum(), sizes, grid), 0.0, 1.0))
    return x


class _Problem:
    """Residuals, cost and Jacobian of one fit."""

    def __init__(self, model: BodyModel, gender: float, goal: np.ndarray, opts: FitOptions):
        self.model, self.gender, self.goal, self.opts = model, gender, goal, opts
        self.prior_w = np.asarray(opts.prior_cm) / 100.0

    def residual(self, values: np.ndarray) -> np.ndarray:
        """Metres: stature (weighted) and the girths after the exact-height scale."""
        scale = self.goal[0] / values[0]
        height = self.opts.height_weight * (values[0] - self.goal[0])
        return np.concatenate([[height], scale * values[1:] - self.goal[1:]])

    def evaluate(self, x: np.ndarray) -> _State:
        verts = self.model.vertices(_params(self.gender, x))
        meas = model_measure(self.model, verts)
        values = _values(meas)
        if not np.all(np.isfinite(values)):
            raise BodyModelError(f"the body could not be measured during the fit (controls {np.round(x, 3)})")
        r = self.residual(values)
        cost = float(np.sum(r**2) + np.sum((self.prior_w * (x - PRIOR)) ** 2))
        return _State(x, verts, meas, r, cost)

    def moved(self, state: _State, j: int, h: float) -> np.ndarray:
        """Residual with control ``j`` moved by ``h``."""
        xp = state.x.copy()
        xp[j] += h
        before = self.model.target_weights(_params(self.gender, state.x))
        after = self.model.target_weights(_params(self.gender, xp))
        change = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in after.keys() | before.keys()}
        verts = state.vertices + self.model.offset({k: d for k, d in change.items() if d != 0.0})
        return self.residual(_values(model_measure(self.model, verts)))

    def jacobian(self, state: _State) -> np.ndarray:
        """Finite differences; central across a kink of the target weights."""
        x = state.x
        jac = np.empty((len(state.r), len(CONTROLS)))
        for j, h in enumerate(FD_STEP):
            if abs(x[j] - KINK[j]) < h and LOWER[j] <= x[j] - h and x[j] + h <= UPPER[j]:
                jac[:, j] = (self.moved(state, j, h) - self.moved(state, j, -h)) / (2 * h)
            else:
                hs = h if x[j] + h <= UPPER[j] else -h
                jac[:, j] = (self.moved(state, j, hs) - state.r) / hs
        if not np.all(np.isfinite(jac)):
            raise BodyModelError("the body could not be measured during the fit (finite differences)")
        return jac

    def step(self, state: _State, jac: np.ndarray, radius: float) -> np.ndarray:
        """Bounded linearised step: data rows plus prior rows."""
        a = np.vstack([jac, np.diag(self.prior_w)])
        b = np.concatenate([-state.r, -self.prior_w * (state.x - PRIOR)])
        lo = np.maximum(LOWER - state.x, -radius)
        hi = np.minimum(UPPER - state.x, radius)
        return lsq_linear(a, b, bounds=(lo, hi), method="bvls").x


def fit_body(model: BodyModel, target: Measurements, options: FitOptions | None = None) -> FitResult:
    """Fit shape controls so the body measures ``target`` (see module docstring).

    Raises InvalidMeasurementsError for requests outside human range (before any
    work) and BodyModelError if the fit ends further than ``tolerance_cm`` away.
    """
    opts = options or FitOptions()
    gender = validate_measurements(target)
    goal = np.array([target.height_cm, target.bust_cm, target.waist_cm, target.hip_cm], np.float64) / 100.0
    problem = _Problem(model, gender, goal, opts)

    state = problem.evaluate(_initial_guess(model, gender, goal))
    radius, jac, iterations = opts.trust, None, 0
    for iterations in range(1, opts.max_iterations + 1):
        log.debug("fit %d: residual cm %s, controls %s", iterations, np.round(state.r * 100, 2), np.round(state.x, 3))
        if np.abs(state.r[1:]).max() < opts.target_cm / 100.0:
            break
        if jac is None:
            jac = problem.jacobian(state)
        step = problem.step(state, jac, radius)
        trial = problem.evaluate(np.clip(state.x + step, LOWER, UPPER))
        if trial.cost < state.cost:
            state, jac = trial, None
            radius = min(2 * radius, opts.trust)
        else:
            radius = 0.3 * float(np.abs(step).max())
            if radius < 1e-3:
                break

    scale = goal[0] / state.measurement.stature
    floor = state.vertices[:, 1].min()
    scaled = (state.vertices - np.array([0.0, floor, 0.0])) * scale
    final = model_measure(model, scaled)
    errors = dict(zip(("height_cm", "bust_cm", "waist_cm", "hip_cm"), _values(final) - goal, strict=True))
    name, err = max(errors.items(), key=lambda kv: abs(kv[1]))
    if abs(err) * 100 > opts.tolerance_cm:
        raise BodyModelError(
            f"cannot fit the body to the measurements: {name} misses by {err * 100:+.1f} cm "
            f"(wanted {getattr(target, name):g} cm) after {iterations} iterations; "
            "the combination is outside what the body model can represent"
        )
    return FitResult(
        params=_params(gender, state.x), scale=scale, vertices=scaled, measurement=final, iterations=iterations
    )
