"""The constraint kernels against XPBD written from its definition, with gradients by finite differences.

The kernels simplify the algebra (a stretch constraint's denominator and a hinge's step need no
gradient of the current positions); these tests check that the simplified step is the textbook one:
for each constraint C in the kernel's order, dlambda = -C / (sum_i w_i |grad_i C|^2 + alpha/dt^2) and
x_i += w_i grad_i C dlambda, with grad C measured numerically from C alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.drape.kernels import _solve_hinges, _solve_triangles

DT2 = (1.0 / 60.0 / 32.0) ** 2


def _numeric_gradient(constraint, x: np.ndarray, h: float = 1e-7) -> np.ndarray:
    grad = np.zeros_like(x)
    for i in range(x.shape[0]):
        for k in range(3):
            up, down = x.copy(), x.copy()
            up[i, k] += h
            down[i, k] -= h
            grad[i, k] = (constraint(up) - constraint(down)) / (2 * h)
    return grad


def _xpbd_step(constraint, x: np.ndarray, w: np.ndarray, alpha: float) -> np.ndarray:
    grad = _numeric_gradient(constraint, x)
    denom = float(np.sum(w * np.sum(grad * grad, axis=1))) + alpha / DT2
    return x + w[:, None] * grad * (-constraint(x) / denom)


def _deformation(x: np.ndarray, dm_inv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Columns f0 (weft) and f1 (warp) of F = (e1 e2) Dm^-1, Dm^-1 = ((a b), (c d)) stored (a, b, c, d)."""
    a, b, c, d = dm_inv
    e1, e2 = x[1] - x[0], x[2] - x[0]
    return a * e1 + c * e2, b * e1 + d * e2


def _reference_triangle(x, w, dm_inv, alpha):
    constraints = (
        lambda y: np.linalg.norm(_deformation(y, dm_inv)[0]) - 1.0,
        lambda y: np.linalg.norm(_deformation(y, dm_inv)[1]) - 1.0,
        lambda y: float(np.dot(*_deformation(y, dm_inv))),
    )
    for constraint, a in zip(constraints, alpha):
        x = _xpbd_step(constraint, x, w, a)
    return x


def _rest_triangle(rng) -> tuple[np.ndarray, np.ndarray]:
    """A flat triangle's rest shape (its Dm^-1) and a stretched, sheared, tilted copy of it in 3D."""
    uv = np.array([[0.0, 0.0], [0.011, 0.001], [0.003, 0.009]]) + rng.normal(0, 0.001, (3, 2))
    dm = np.column_stack([uv[1] - uv[0], uv[2] - uv[0]])
    dm_inv = np.linalg.inv(dm)
    x = np.column_stack([uv, np.zeros(3)]) @ np.diag([1.08, 0.95, 1.0]) + rng.normal(0, 0.0008, (3, 3))
    return x, np.array([dm_inv[0, 0], dm_inv[0, 1], dm_inv[1, 0], dm_inv[1, 1]])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("w", [(50.0, 60.0, 40.0), (0.0, 60.0, 40.0), (55.0, 0.0, 0.0)])
def test_triangle_step_is_xpbd_from_its_definition(seed, w):
    rng = np.random.default_rng(seed)
    x, dm_inv = _rest_triangle(rng)
    w = np.asarray(w)
    alpha = np.array([1e-8, 3e-8, 2e-7])
    expected = _reference_triangle(x, w, dm_inv, alpha)
    got = x.copy()
    _solve_triangles(got, w, np.array([[0, 1, 2]], np.int64), dm_inv[None, :], alpha[None, :],
                     np.array([0, 1], np.int64), DT2)
    moved = np.abs(expected - x).max()
    assert moved > 1e-5 if w[1] else moved > 1e-6  # the step does something
    assert np.abs(got - expected).max() < 1e-4 * moved


def test_a_rigid_triangle_and_hinge_stay_put():
    """Three pinned corners (inverse mass 0) and no compliance: nothing moves, and nothing turns NaN."""
    x = np.array([[0.0, 0.0, 0.0], [0.012, 0.0, 0.0], [0.0, 0.01, 0.0], [0.01, 0.01, 0.004]])
    w = np.zeros(4)
    _solve_triangles(x, w, np.array([[0, 1, 2]], np.int64), np.array([[100.0, 0.0, 0.0, 100.0]]),
                     np.zeros((1, 3)), np.array([0, 1], np.int64), DT2)
    _solve_hinges(x, w, np.array([[0, 3, 1, 2]], np.int64), np.array([[1.0, 1.0, -1.0, -1.0]]), np.zeros(1),
                  np.array([0, 1], np.int64), DT2)
    assert np.isfinite(x).all()
    assert x[3, 2] == 0.004


@pytest.mark.parametrize("seed", range(5))
def test_hinge_step_is_xpbd_from_its_definition(seed):
    rng = np.random.default_rng(seed)
    x = np.array([[0.0, 0.0, 0.0], [0.0, 0.012, 0.0], [0.01, 0.005, 0.002], [-0.01, 0.006, 0.003]])
    x += rng.normal(0, 0.0005, x.shape)
    kw = rng.normal(0, 1.0, 4)
    w = np.array([40.0, 55.0, 0.0, 62.0]) if seed % 2 else np.array([40.0, 55.0, 48.0, 62.0])
    alpha = 4e-6
    expected = _xpbd_step(lambda y: float(np.linalg.norm(kw @ y)), x, w, alpha)
    got = x.copy()
    _solve_hinges(got, w, np.array([[0, 1, 2, 3]], np.int64), kw[None, :], np.array([alpha]),
                  np.array([0, 1], np.int64), DT2)
    moved = np.abs(expected - x).max()
    assert moved > 1e-6
    assert np.abs(got - expected).max() < 1e-4 * moved


def _folded_seam():
    """Two pieces sewn end to end (tests/drape/test_weld.py's strip), the right one folded 60 degrees up
    about the seam line, and the model, state and lengths to solve it with."""
    from dataclasses import replace

    from drape.test_weld import _sewn_strip

    from garment3d.drape.kernels import ClothState, PlacedLengths
    from garment3d.drape.model import build_model
    from garment3d.fabrics import load_fabric

    garment, _ = _sewn_strip(0.0)
    x = garment.positions.copy()
    seam_x = x[garment.seam_pairs[0, 0], 0]
    right = garment.panel_of == 1
    angle = np.radians(60.0)
    run = x[right, 0] - seam_x
    x[right, 0], x[right, 2] = seam_x + run * np.cos(angle), run * np.sin(angle)
    garment = replace(garment, positions=x)
    model = build_model(garment, load_fabric("silk_charmeuse"))
    placed = PlacedLengths(seam_rest=np.zeros(len(model.seam)), tether_excess=np.zeros(0))
    return model, ClothState.at_rest(x), placed


@pytest.mark.parametrize(("seam_scale", "hinge_scale", "solved"),
                         [(0.2, 0.25, True), (0.3, 0.25, False), (0.0, 0.0, True), (0.2, 0.0, False)])
def test_seam_hinges_act_from_their_seam_scale(seam_scale, hinge_scale, solved):
    """The seams' bending hinges are solved once the seam rest scale is at or below ``seam_hinge_scale`` (the
    end of the sewing: a seam nearly closed resists folding over) and once sewn, not before."""
    from garment3d.drape.kernels import ClothState, Collider, FrameControls, solve_constraints

    model, state, placed = _folded_seam()
    assert len(model.seam_hinge)
    far_away = Collider(values=np.full((2, 2, 2), 10.0, np.float32), origin=np.array([5.0, 5.0, 5.0]),
                        spacing=1.0, thickness=0.003, friction=0.0)
    results = []
    for scale in (hinge_scale, -1.0):  # -1: never
        x = state.x.copy()
        controls = FrameControls(gravity=0.0, damping=8.0, frame_dt=1 / 60, substeps=16, seam_scale=seam_scale,
                                 seam_hinge_scale=scale)
        solve_constraints(ClothState(x=x, vel=state.vel, holding=state.holding), x.copy(), model, placed, controls,
                          far_away, (1 / 60 / 16) ** 2)
        results.append(x)
    moved = np.abs(results[0] - results[1]).max()
    assert (moved > 1e-7) == solved, moved
