"""Numba kernels of the XPBD cloth step (compiled once, cached on disk).

One call of :func:`simulate_frame` advances one frame by ``substeps`` small
steps; each substep reads like the paper: predict, solve constraints colour by
colour (one iteration: "small steps"), collide, update velocities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from garment3d.drape.weld import weld_mean, weld_spread
from garment3d.fields import sample_sdf_gradient

__all__ = ["ClothState", "Collider", "FrameControls", "PlacedLengths", "simulate_frame", "solve_constraints"]

# the trilinear field can fall up to sqrt(3) times faster than the distance moved
# (its gradient is bounded per axis, not in length): clearances are divided by that
CLEARANCE_SAFETY = 1.0 / 1.75
# at most this (m): less than the field's margin round the body, so a vertex outside
# the field (reported far away) is sampled again before it can reach the body
MAX_CLEARANCE = 0.02

# the constraint kernels may fuse multiply-adds (the same on every run on one machine; no
# reordering, and no assumptions about NaN or infinity, which must still show)
_FAST = {"contract"}


@numba.njit(cache=True, parallel=True, fastmath=_FAST)
def _solve_triangles(x, w, tri, dm_inv, alpha, ptr, dt2):
    """Weft, warp and shear of each triangle in turn, colour by colour (corners kept in registers).

    F = (e1 e2) Dm^-1, with columns f0 = a e1 + c e2 (weft) and f1 = b e1 + d e2 (warp). A stretch
    constraint |f| - 1 has the gradient (-(s1 + s2), s1, s2) n with n = f/|f| a unit vector, so its XPBD
    denominator w0 (s1 + s2)^2 + w1 s1^2 + w2 s2^2 + alpha/dt^2 does not depend on the positions: it is
    computed off the critical path, which leaves one square root and one division per stretch
    constraint (the kernel is bound by that chain's latency). The shear constraint f0 . f1 is solved as
    written."""
    for c in range(len(ptr) - 1):
        for t in numba.prange(ptr[c], ptr[c + 1]):
            i0, i1, i2 = tri[t, 0], tri[t, 1], tri[t, 2]
            a, b, cc, d = dm_inv[t, 0], dm_inv[t, 1], dm_inv[t, 2], dm_inv[t, 3]
            w0, w1, w2 = w[i0], w[i1], w[i2]
            weft = w0 * (a + cc) * (a + cc) + w1 * a * a + w2 * cc * cc + alpha[t, 0] / dt2
            warp = w0 * (b + d) * (b + d) + w1 * b * b + w2 * d * d + alpha[t, 1] / dt2
            weft = 1.0 / weft if weft >= 1e-20 else 0.0  # 0: three pinned corners of a rigid triangle
            warp = 1.0 / warp if warp >= 1e-20 else 0.0
            p0x, p0y, p0z = x[i0, 0], x[i0, 1], x[i0, 2]
            p1x, p1y, p1z = x[i1, 0], x[i1, 1], x[i1, 2]
            p2x, p2y, p2z = x[i2, 0], x[i2, 1], x[i2, 2]
            for kind in range(2):
                if kind == 0:
                    s1, s2, inv_denom = a, cc, weft
                else:
                    s1, s2, inv_denom = b, d, warp
                e1x, e1y, e1z = p1x - p0x, p1y - p0y, p1z - p0z
                e2x, e2y, e2z = p2x - p0x, p2y - p0y, p2z - p0z
                fx, fy, fz = s1 * e1x + s2 * e2x, s1 * e1y + s2 * e2y, s1 * e1z + s2 * e2z
                length = math.sqrt(fx * fx + fy * fy + fz * fz)
                if length < 1e-12:
                    continue
                # the step along n, per unit of each corner's gradient factor: -C/denominator / |f|
                k = (1.0 - length) * inv_denom / length
                fx, fy, fz = k * fx, k * fy, k * fz
                q0, q1, q2 = -w0 * (s1 + s2), w1 * s1, w2 * s2
                p0x += q0 * fx
                p0y += q0 * fy
                p0z += q0 * fz
                p1x += q1 * fx
                p1y += q1 * fy
                p1z += q1 * fz
                p2x += q2 * fx
                p2y += q2 * fy
                p2z += q2 * fz
            e1x, e1y, e1z = p1x - p0x, p1y - p0y, p1z - p0z
            e2x, e2y, e2z = p2x - p0x, p2y - p0y, p2z - p0z
            f0x, f0y, f0z = a * e1x + cc * e2x, a * e1y + cc * e2y, a * e1z + cc * e2z
            f1x, f1y, f1z = b * e1x + d * e2x, b * e1y + d * e2y, b * e1z + d * e2z
            constraint = f0x * f1x + f0y * f1y + f0z * f1z
            g1x, g1y, g1z = a * f1x + b * f0x, a * f1y + b * f0y, a * f1z + b * f0z
            g2x, g2y, g2z = cc * f1x + d * f0x, cc * f1y + d * f0y, cc * f1z + d * f0z
            g0x, g0y, g0z = -g1x - g2x, -g1y - g2y, -g1z - g2z
            denom = (w0 * (g0x * g0x + g0y * g0y + g0z * g0z)
                     + w1 * (g1x * g1x + g1y * g1y + g1z * g1z)
                     + w2 * (g2x * g2x + g2y * g2y + g2z * g2z)
                     + alpha[t, 2] / dt2)
            if denom >= 1e-20:
                dl = -constraint / denom
                p0x += w0 * dl * g0x
                p0y += w0 * dl * g0y
                p0z += w0 * dl * g0z
                p1x += w1 * dl * g1x
                p1y += w1 * dl * g1y
                p1z += w1 * dl * g1z
                p2x += w2 * dl * g2x
                p2y += w2 * dl * g2y
                p2z += w2 * dl * g2z
            x[i0, 0], x[i0, 1], x[i0, 2] = p0x, p0y, p0z
            x[i1, 0], x[i1, 1], x[i1, 2] = p1x, p1y, p1z
            x[i2, 0], x[i2, 1], x[i2, 2] = p2x, p2y, p2z


@numba.njit(cache=True, parallel=True, fastmath=_FAST)
def _solve_hinges(x, w, hinge, kw, alpha, ptr, dt2):
    """Each hinge's bending constraint C = |s|, s = sum of k_q x_q over its four vertices, colour by colour.
    Its gradient at vertex q is k_q s/|s|, so the XPBD step -w_q k_q (s/|s|) |s|/denominator is
    -w_q k_q s/denominator: no square root, and a denominator that does not depend on the positions."""
    for c in range(len(ptr) - 1):
        for h in numba.prange(ptr[c], ptr[c + 1]):
            v0, v1, v2, v3 = hinge[h, 0], hinge[h, 1], hinge[h, 2], hinge[h, 3]
            k0, k1, k2, k3 = kw[h, 0], kw[h, 1], kw[h, 2], kw[h, 3]
            denom = alpha[h] / dt2 + w[v0] * k0 * k0 + w[v1] * k1 * k1 + w[v2] * k2 * k2 + w[v3] * k3 * k3
            sx = k0 * x[v0, 0] + k1 * x[v1, 0] + k2 * x[v2, 0] + k3 * x[v3, 0]
            sy = k0 * x[v0, 1] + k1 * x[v1, 1] + k2 * x[v2, 1] + k3 * x[v3, 1]
            sz = k0 * x[v0, 2] + k1 * x[v1, 2] + k2 * x[v2, 2] + k3 * x[v3, 2]
            if sx * sx + sy * sy + sz * sz < 1e-24:  # flat: nothing to do (and no direction)
                continue
            if denom < 1e-20:  # four pinned vertices of a rigid hinge
                continue
            r = -1.0 / denom
            sx, sy, sz = r * sx, r * sy, r * sz
            for q in range(4):
                v = hinge[h, q]
                s = w[v] * kw[h, q]
                x[v, 0] += s * sx
                x[v, 1] += s * sy
                x[v, 2] += s * sz


@numba.njit(cache=True, inline="always")
def _limit_distance(x, w, i, j, limit):
    """Pull vertices ``i`` and ``j`` together until they are at most ``limit`` apart (one-sided, stiff)."""
    dx = x[i, 0] - x[j, 0]
    dy = x[i, 1] - x[j, 1]
    dz = x[i, 2] - x[j, 2]
    length = math.sqrt(dx * dx + dy * dy + dz * dz)
    if length <= limit or length < 1e-12:
        return
    corr = (length - limit) / (length * (w[i] + w[j]))
    x[i, 0] -= w[i] * corr * dx
    x[i, 1] -= w[i] * corr * dy
    x[i, 2] -= w[i] * corr * dz
    x[j, 0] += w[j] * corr * dx
    x[j, 1] += w[j] * corr * dy
    x[j, 2] += w[j] * corr * dz


@numba.njit(cache=True)
def _solve_seams(x, w, seam, ptr, rest_scale, seam_rest):
    for c in range(len(ptr) - 1):
        for s in range(ptr[c], ptr[c + 1]):
            _limit_distance(x, w, seam[s, 0], seam[s, 1], seam_rest[s] * rest_scale)


@numba.njit(cache=True, parallel=True)
def _solve_distance_limits(x, w, pair, ptr, longest, excess, excess_scale):
    """Keep each pair no further apart than ``longest + excess_scale * excess`` (one-sided, stiff): tethers,
    and fasteners (a button holds, it does not push), whose excess is their placed slack."""
    for c in range(len(ptr) - 1):
        for s in numba.prange(ptr[c], ptr[c + 1]):
            _limit_distance(x, w, pair[s, 0], pair[s, 1], longest[s] + excess_scale * excess[s])


@numba.njit(cache=True)
def _solve_fastener_patches(x, w, ptr, patch, longest, excess, excess_scale):
    """Keep each fastener's two patches' centroids no further apart than ``longest + excess_scale *
    excess`` (one-sided, stiff: a button holds, it does not push); the correction is shared over each
    patch's vertices by their inverse masses, as a rigid button moves the cloth it is sewn through.
    Fasteners are few and their patches apart, so they are solved one after another."""
    for r in range(len(longest)):
        a0, a1, b0, b1 = ptr[2 * r], ptr[2 * r + 1], ptr[2 * r + 1], ptr[2 * r + 2]
        na, nb = a1 - a0, b1 - b0
        if na == 1 and nb == 1:  # two points: the pair's own limit (solved next) is the whole constraint
            continue
        ca = np.zeros(3)
        cb = np.zeros(3)
        for k in range(a0, a1):
            ca += x[patch[k]]
        for k in range(b0, b1):
            cb += x[patch[k]]
        ca /= na
        cb /= nb
        d = ca - cb
        length = math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
        limit = longest[r] + excess_scale * excess[r]
        if length <= limit or length < 1e-12:
            continue
        denominator = 0.0
        for k in range(a0, a1):
            denominator += w[patch[k]] / (na * na)
        for k in range(b0, b1):
            denominator += w[patch[k]] / (nb * nb)
        if denominator <= 0.0:
            continue
        step = (length - limit) / (length * denominator)
        for k in range(a0, a1):
            v = patch[k]
            x[v] -= (w[v] * step / na) * d
        for k in range(b0, b1):
            v = patch[k]
            x[v] += (w[v] * step / nb) * d


@numba.njit(cache=True)
def _grip_anchors(x, x_start, anchor, holding, pinned):
    """Anchored (waist) vertices that grip the body (``holding``, per anchor, decided each frame by
    :func:`garment3d.drape.grip.gripping`) do not slide down in this substep: static friction on the
    vertical. The others are free. ``pinned`` (while the seams close): every anchored vertex keeps its
    height, up and down, and moves only round and in or out."""
    for a in range(len(anchor)):
        v = anchor[a]
        if pinned or (holding[a] and x[v, 1] < x_start[v, 1]):
            x[v, 1] = x_start[v, 1]


@numba.njit(cache=True)
def _pair_gaps(x, pair, out):
    """``out[s]`` = max(``out[s]``, the distance between the two vertices of pair ``s``)."""
    for s in range(pair.shape[0]):
        i, j = pair[s, 0], pair[s, 1]
        d = math.sqrt((x[i, 0] - x[j, 0]) ** 2 + (x[i, 1] - x[j, 1]) ** 2 + (x[i, 2] - x[j, 2]) ** 2)
        out[s] = max(out[s], d)


@numba.njit(cache=True, parallel=True)
def _collide(x, x_start, clearance, values, origin, spacing, thickness, friction):
    """Push vertices out of the body to ``thickness``, with Coulomb friction.

    ``clearance`` (per vertex, m) is how far a vertex may still move before it
    could reach the body: the field is sampled again only once the vertex has
    moved that far (0 forces a sample), so cloth hanging clear of the body
    costs a length, not a trilinear gradient, per substep.
    """
    for v in numba.prange(x.shape[0]):
        if clearance[v] > 0.0:
            mx = x[v, 0] - x_start[v, 0]
            my = x[v, 1] - x_start[v, 1]
            mz = x[v, 2] - x_start[v, 2]
            clearance[v] -= math.sqrt(mx * mx + my * my + mz * mz)
            if clearance[v] > 0.0:
                continue
        d, gx, gy, gz = sample_sdf_gradient(values, origin, spacing, x[v, 0], x[v, 1], x[v, 2])
        if d >= thickness:
            clearance[v] = min((d - thickness) * CLEARANCE_SAFETY, MAX_CLEARANCE)
            continue
        clearance[v] = 0.0
        g = math.sqrt(gx * gx + gy * gy + gz * gz)
        if g < 1e-9:
            continue
        nx, ny, nz = gx / g, gy / g, gz / g
        depth = thickness - d
        x[v, 0] += depth * nx
        x[v, 1] += depth * ny
        x[v, 2] += depth * nz
        # Coulomb friction on the tangential motion of this substep
        mx = x[v, 0] - x_start[v, 0]
        my = x[v, 1] - x_start[v, 1]
        mz = x[v, 2] - x_start[v, 2]
        mn = mx * nx + my * ny + mz * nz
        tx, ty, tz = mx - mn * nx, my - mn * ny, mz - mn * nz
        tl = math.sqrt(tx * tx + ty * ty + tz * tz)
        limit = friction * depth
        if tl < 1e-15:
            continue
        scale = 1.0 if tl <= limit else limit / tl
        x[v, 0] -= scale * tx
        x[v, 1] -= scale * ty
        x[v, 2] -= scale * tz


@numba.njit(cache=True, parallel=True)
def _predict(x, vel, x_start, gravity, dt):
    for v in numba.prange(x.shape[0]):
        x_start[v, 0] = x[v, 0]
        x_start[v, 1] = x[v, 1]
        x_start[v, 2] = x[v, 2]
        vel[v, 1] += gravity * dt
        x[v, 0] += vel[v, 0] * dt
        x[v, 1] += vel[v, 1] * dt
        x[v, 2] += vel[v, 2] * dt


@numba.njit(cache=True, parallel=True)
def _update_velocity(x, vel, x_start, dt, keep, max_speed):
    """v = (x - x_start) / dt, damped, and clamped to ``max_speed``.

    The clamp keeps a momentary constraint fight (a seam pulled across the
    body while it closes) from injecting energy; a settled drape never moves
    near it, and real divergence still shows as non-finite positions.
    """
    for v in numba.prange(x.shape[0]):
        vx = (x[v, 0] - x_start[v, 0]) / dt * keep
        vy = (x[v, 1] - x_start[v, 1]) / dt * keep
        vz = (x[v, 2] - x_start[v, 2]) / dt * keep
        speed = math.sqrt(vx * vx + vy * vy + vz * vz)
        if speed > max_speed:
            scale = max_speed / speed
            vx *= scale
            vy *= scale
            vz *= scale
        vel[v, 0] = vx
        vel[v, 1] = vy
        vel[v, 2] = vz


@dataclass(frozen=True)
class Collider:
    """The body as the solver sees it: its distance grid (values (nx, ny, nz) float32 m, origin (3,) m,
    spacing m), the distance cloth keeps from it (m) and Coulomb friction."""

    values: np.ndarray
    origin: np.ndarray
    spacing: float
    thickness: float
    friction: float


@dataclass
class ClothState:
    """What each step changes: positions x (n, 3) m, velocities vel (n, 3) m/s, and which anchored
    vertices grip the body this frame, holding (a,) bool (:mod:`garment3d.drape.grip`)."""

    x: np.ndarray
    vel: np.ndarray
    holding: np.ndarray

    @classmethod
    def at_rest(cls, positions: np.ndarray, anchors: int = 0) -> ClothState:
        x = np.array(positions, dtype=np.float64)
        return cls(x=x, vel=np.zeros_like(x), holding=np.zeros(anchors, np.bool_))


@dataclass(frozen=True)
class FrameControls:
    """What one frame runs with: gravity (m/s2, along y), damping (1/s), frame length (s), substeps, the
    seam rest scale (1 placed, 0 sewn), the velocity clamp (m/s), the extra passes over the support's
    triangles in each substep (``ClothModel.support``; with seams solved as pairs only) and the seam rest
    scale from which the seams' bending hinges act, and whether the anchored vertices keep their height."""

    gravity: float
    damping: float
    frame_dt: float
    substeps: int
    seam_scale: float
    speed_limit: float = 5.0
    support_passes: int = 0
    # the seams' bending hinges act once the seam rest scale is at or below this (0: once sewn)
    seam_hinge_scale: float = 0.0
    # every anchored (waist) vertex keeps its height in each substep (while the seams close, gravity off)
    pin_anchors: bool = False

    @property
    def sewn(self) -> bool:
        return self.seam_scale == 0.0


@dataclass(frozen=True)
class PlacedLengths:
    """Lengths taken from the placed garment that relax while the seams close: each seam pair's placed
    distance (s,) m and each tether's excess over its limit (l,) m."""

    seam_rest: np.ndarray
    tether_excess: np.ndarray


def solve_constraints(state: ClothState, x_start, model, placed: PlacedLengths, controls: FrameControls,
                      collider: Collider, dt2: float, seam_gaps: np.ndarray | None = None) -> None:
    """One pass over every constraint of ``model``, in order (a new constraint is added here); with
    ``seam_gaps`` (s,), each seam pair's gap just before the seams were projected is recorded in it."""
    x, w = state.x, model.inv_mass
    welded = model.welded if controls.sewn else None
    if welded is None:
        _solve_triangles(x, w, model.tri, model.tri_dm_inv, model.tri_alpha, model.tri_color_ptr, dt2)
        _solve_hinges(x, w, model.hinge, model.hinge_k, model.hinge_alpha, model.hinge_color_ptr, dt2)
    else:  # sewn seams are one vertex each (garment3d.drape.weld); their hinges are among the welded
        weld_mean(x, w, welded.group_ptr, welded.group_members)  # joins the pairs once, when the seams close
        _solve_triangles(x, welded.inv_mass, welded.tri, welded.tri_dm_inv, welded.tri_alpha,
                         welded.tri_color_ptr, dt2)
        _solve_hinges(x, welded.inv_mass, welded.hinge, welded.hinge_k, welded.hinge_alpha,
                      welded.hinge_color_ptr, dt2)
        weld_spread(x, welded.group_ptr, welded.group_members)
    if len(model.tether):
        _solve_distance_limits(x, w, model.tether, model.tether_color_ptr, model.tether_max,
                               placed.tether_excess, controls.seam_scale)
    if controls.seam_scale <= controls.seam_hinge_scale and welded is None:  # (nearly) closed: they bend like cloth
        _solve_hinges(x, w, model.seam_hinge, model.seam_hinge_k, model.seam_hinge_alpha,
                      model.seam_hinge_color_ptr, dt2)
    if seam_gaps is not None:
        _pair_gaps(x, model.seam, seam_gaps)
    if welded is None:
        _solve_seams(x, w, model.seam, model.seam_color_ptr, controls.seam_scale, placed.seam_rest)
    if len(model.fastener):
        if len(model.fastener_disc_ptr) != 2 * len(model.fastener) + 1:
            raise ValueError(f"the model's fastener patches ({len(model.fastener_disc_ptr) - 1} entries) do not "
                             f"match its {len(model.fastener)} fasteners (two per fastener)")
        _solve_fastener_patches(x, w, model.fastener_disc_ptr, model.fastener_disc, model.fastener_rest,
                                model.fastener_slack, controls.seam_scale)
        # then the fastened points themselves, which the patches have brought (nearly) together
        _solve_distance_limits(x, w, model.fastener, model.fastener_color_ptr, model.fastener_rest,
                               model.fastener_slack, controls.seam_scale)
    support = model.support
    if welded is None and controls.support_passes and len(support.triangles.tri):
        # the support again, after the seams have pulled on it, with its seams (ClothModel.support)
        tris, rest = support.triangles, placed.seam_rest[support.seam_index]
        for _ in range(controls.support_passes):
            _solve_triangles(x, w, tris.tri, tris.dm_inv, tris.alpha, tris.color_ptr, dt2)
            _solve_seams(x, w, support.seam, support.seam_color_ptr, controls.seam_scale, rest)


def simulate_frame(state: ClothState, model, placed: PlacedLengths, controls: FrameControls, collider: Collider,
                   self_contact=None) -> np.ndarray | None:
    """Advance ``state`` by one frame of ``model`` (a :class:`garment3d.drape.model.ClothModel`); once
    sewn, returns each seam pair's correction (s,) m in the frame's last substep: the larger of the gap
    the cloth pulled open before the seams were projected and the gap the body and the other layers
    opened before the final projection (else None).

    Each substep: predict, the constraints (:func:`solve_constraints`; once sewn, each seam's partners
    one vertex if ``model.welded``), self-contact, body collision, the waist's grip, the sewn seams again
    (each weld group to its mean position), velocities. The substep loop stays in Python (a few
    microseconds per call) so that each kernel is a separately cached parallel function; numba cannot
    reload a cached function that calls parallel ones. ``self_contact`` (a
    :class:`garment3d.drape.self_collision.SelfContact`, or None) keeps the cloth's layers apart.
    """
    x, vel = state.x, state.vel
    dt = controls.frame_dt / controls.substeps
    dt2 = dt * dt
    keep = math.exp(-controls.damping * dt)
    friction = collider.friction if controls.sewn else 0.0  # while sewing a closing seam drags cloth round
    x_start = np.empty_like(x)
    clearance = np.zeros(x.shape[0])
    gaps = np.zeros(len(model.seam)) if controls.sewn else None
    for step in range(controls.substeps):
        last = controls.sewn and step == controls.substeps - 1
        _predict(x, vel, x_start, controls.gravity, dt)
        solve_constraints(state, x_start, model, placed, controls, collider, dt2, gaps if last else None)
        if self_contact is not None:
            self_contact.solve(x, x_start)
        _collide(x, x_start, clearance, collider.values, collider.origin, collider.spacing, collider.thickness,
                 friction)
        # after the contacts, which may push it down; while sewing the waist keeps its placed height
        _grip_anchors(x, x_start, model.anchor, state.holding, controls.pin_anchors)
        if controls.sewn:  # sewn seams have the last word: stacked pieces meet where a collision moved one
            if last:  # the seams' pull against the body and the other layers
                _pair_gaps(x, model.seam, gaps)
            if model.welded is None:
                _solve_seams(x, model.inv_mass, model.seam, model.seam_color_ptr, 0.0, placed.seam_rest)
            else:
                weld_mean(x, model.inv_mass, model.welded.group_ptr, model.welded.group_members)
        _update_velocity(x, vel, x_start, dt, keep, controls.speed_limit)
    return gaps
