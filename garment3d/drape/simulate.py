"""Drape driver: close the seams, drop under gravity, detect settling, report."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from garment3d.drape.kernels import simulate_frame
from garment3d.drape.model import ClothModel, build_model
from garment3d.drape.threads import ThreadChooser
from garment3d.drape.untangle import untangle
from garment3d.drape.quality import edge_strain, inside_body, seam_gap_mm
from garment3d.drape.intersections import count_self_intersections
from garment3d.drape.self_collision import SelfContact, build_self_contact, contact_distance_m
from garment3d.errors import SimulationError
from garment3d.types import Body, Drape, DrapeReport, Fabric, GarmentMesh

__all__ = ["DrapeOptions", "drape"]

log = logging.getLogger(__name__)

GRAVITY = -9.81
SETTLE_OUTLIER_SHARE = 0.002  # fastest vertices left out of the settle test
STRAIN_CHECK_FRAMES = 30  # how often (frames, once settling may be declared) the cloth is checked for tearing apart
SUBSTEPS_AT_1CM = 32
MAX_P95_STRAIN = 0.5  # 95th-percentile edge strain beyond which a drape is abandoned
UNTANGLE_STEP_M = 0.0005  # how far one untangling step moves crossed layers apart
MAX_UNTANGLE_STEPS = 60
#: Times a drape found at rest but crossed is untangled and left to settle again; after that the untangled
#: positions are the result (a fold pressed into a seam's crease can snap back through every frame).
MAX_RESETTLES = 2
UNTANGLE_BACKOFF_FRAMES = 30  # frames without a look after untangling left as many crossings as it found


@dataclass(frozen=True)
class DrapeOptions:
    frame_dt: float = 1.0 / 60.0
    substeps: int | None = None  # per frame once sewn; None: substeps_for(the mesh spacing)
    close_substeps: int = 16  # while sewing (gravity off, nothing hangs: no sag error to keep small)
    close_seconds: float = 0.5  # seams pulled shut with gravity off
    min_seconds: float = 0.5  # simulated time after the seams close before settling may be declared
    max_seconds: float = 6.0
    damping_close: float = 8.0  # 1/s velocity damping while seams close
    damping: float = 8.0  # 1/s air/internal damping afterwards (the settled shape does not depend on it)
    anchor_compliance: float = 1e-6  # m/N: how firmly the waist edge resists dropping
    anchor_drop_m: float = 0.015  # the waist edge may settle this far below the body's waist
    settle_speed: float = 0.01  # m/s RMS vertex speed regarded as at rest
    settle_frames: int = 15
    max_speed: float = 30.0  # m/s: faster means the solver diverged
    speed_limit: float = 5.0  # m/s: velocities are clamped to this (a drape is slow)
    self_collision: bool = True  # keep the cloth's own layers (overlaps, folds) apart
    tethers: bool = False  # long-range stretch limits (garment3d.drape.tethers; off: see there)
    # frames between looks for crossed layers once sewn (undone by garment3d.drape.untangle; every frame while
    # the seams close, when most form, and once at rest); 0: never. Part of self-collision: off with it
    untangle_frames: int = 6

    def substeps_for(self, spacing_m: float) -> int:
        """Substeps per frame once sewn: ``substeps`` if given, else 32 at a 1 cm mesh or coarser and
        proportionally more at finer ones. One Gauss-Seidel pass per substep leaves hanging cloth a sag
        error growing with the square of the triangle count along it and shrinking with the square of the
        substep, so substeps in proportion to the mesh density keep that error as small as at 1 cm."""
        if self.substeps is not None:
            return self.substeps
        return max(SUBSTEPS_AT_1CM, int(math.ceil(SUBSTEPS_AT_1CM * 0.01 / spacing_m - 1e-9)))


@dataclass
class _State:
    x: np.ndarray
    vel: np.ndarray


def _frame(model: ClothModel, state: _State, body: Body, options: DrapeOptions, *,
           gravity: float, damping: float, seam_rest: np.ndarray, seam_scale: float, anchor_y: float,
           self_contact: SelfContact | None, tether_excess: np.ndarray, substeps: int) -> int:
    """Advance one frame; returns the substeps it ran (fewer while sewing)."""
    sdf = body.sdf
    sewn = seam_scale == 0.0
    steps = substeps if sewn else options.close_substeps
    simulate_frame(
        state.x, state.vel, model.inv_mass,
        model.tri, model.tri_dm_inv, model.tri_alpha, model.tri_color_ptr,
        model.hinge, model.hinge_k, model.hinge_alpha, model.hinge_color_ptr,
        model.seam_hinge, model.seam_hinge_k, model.seam_hinge_alpha, model.seam_hinge_color_ptr,
        model.seam, model.seam_color_ptr, seam_rest, seam_scale,
        model.tether, model.tether_color_ptr, model.tether_max, tether_excess,
        model.anchor, anchor_y, options.anchor_compliance,
        sdf.values, np.asarray(sdf.origin, np.float64), float(sdf.spacing), model.thickness_m,
        model.friction if sewn else 0.0,  # no friction while sewing: a closing seam drags cloth round the body
        gravity, damping, options.frame_dt, steps, options.speed_limit, self_contact,
    )
    return steps


def _check_finite(state: _State, options: DrapeOptions, t: float) -> float:
    speed = np.sqrt(np.sum(state.vel**2, axis=1))
    if not np.all(np.isfinite(state.x)) or not np.all(np.isfinite(speed)):
        raise SimulationError(f"cloth simulation diverged at t = {t:.2f} s (non-finite positions)")
    if speed.max() > options.max_speed:
        raise SimulationError(
            f"cloth simulation diverged at t = {t:.2f} s (a vertex moves at {speed.max():.1f} m/s)"
        )
    # RMS speed of all but the fastest few vertices: a handful jittering in a tight
    # layered contact (an underlap between its front and the body) is not a moving garment
    calm_count = max(1, len(speed) - max(1, int(SETTLE_OUTLIER_SHARE * len(speed))))
    return float(np.sqrt(np.mean(np.partition(speed, calm_count - 1)[:calm_count] ** 2)))


def _check_strain(model: ClothModel, state: _State, t: float) -> None:
    """Stop a drape whose cloth is torn apart (a tangle the solver cannot undo) instead of running it out."""
    p95 = float(np.percentile(edge_strain(state.x, model.rest_edge, model.rest_length), 95))
    if p95 > MAX_P95_STRAIN:
        raise SimulationError(
            f"cloth simulation failed at t = {t:.2f} s: the cloth is stretched {p95:.0%} at the 95th percentile "
            f"(limit {MAX_P95_STRAIN:.0%}); the pieces are tangled or pulled apart"
        )


def _untangle(model: ClothModel, garment: GarmentMesh, state: _State,
              self_contact: SelfContact) -> tuple[bool, bool]:
    """Pull apart layers that crossed (a fold snapped through within a substep); returns whether anything
    moved and whether crossings were left that untangling did not reduce."""
    result = untangle(state.x, garment.faces, model.inv_mass, garment.seam_pairs,
                      step_m=UNTANGLE_STEP_M, max_steps=MAX_UNTANGLE_STEPS)
    stuck = result.after > 0 and result.after >= result.before
    if result.steps == 0:
        return False, stuck
    log.debug("drape: untangled %d -> %d crossing pairs in %d steps", result.before, result.after, result.steps)
    self_contact.forget_sides()
    return True, stuck


def drape(
    garment: GarmentMesh,
    body: Body,
    fabric: Fabric,
    options: DrapeOptions = DrapeOptions(),
    progress: Callable[[float], None] | None = None,
) -> Drape:
    """Simulate ``garment`` on ``body`` in ``fabric`` until it settles."""
    start = time.perf_counter()
    model = build_model(garment, fabric, tethers=options.tethers)
    state = _State(x=np.array(garment.positions, dtype=np.float64), vel=np.zeros((model.n, 3)))
    seam_rest = np.linalg.norm(state.x[model.seam[:, 0]] - state.x[model.seam[:, 1]], axis=1)
    # tethers the placement stretched relax to their length while the seams close, as the seams do
    placed = np.linalg.norm(state.x[model.tether[:, 0]] - state.x[model.tether[:, 1]], axis=1)
    tether_excess = np.maximum(0.0, placed - model.tether_max)
    anchor_y = body.landmarks.waist_y - options.anchor_drop_m
    self_contact = None
    if options.self_collision:
        self_contact = build_self_contact(
            model.tri, model.inv_mass, garment.seam_pairs, friction=model.friction,
            contact_m=contact_distance_m(fabric.thickness_mm, garment.spacing_m),
        )
    t, frames, calm, steps, resettles, untangle_after = 0.0, 0, 0, 0, 0, 0
    close_frames = int(round(options.close_seconds / options.frame_dt))
    max_frames = int(round(options.max_seconds / options.frame_dt))
    min_frames = close_frames + int(round(options.min_seconds / options.frame_dt))
    settled = False
    threads = ThreadChooser()
    substeps = options.substeps_for(garment.spacing_m)
    while frames < max_frames:
        closing = frames < close_frames
        scale = max(0.0, 1.0 - (frames + 1) / close_frames) if closing else 0.0
        if self_contact is not None:
            self_contact.seams_closed = not closing
        with threads.frame(frames):
            steps += _frame(model, state, body, options,
                            gravity=0.0 if closing else GRAVITY,
                            damping=options.damping_close if closing else options.damping,
                            seam_rest=seam_rest, seam_scale=scale, anchor_y=anchor_y, self_contact=self_contact,
                            tether_excess=tether_excess, substeps=substeps)
        frames += 1
        t = frames * options.frame_dt
        rms = _check_finite(state, options, t)
        if frames >= min_frames and frames % STRAIN_CHECK_FRAMES == 0:
            _check_strain(model, state, t)
        calm = calm + 1 if (not closing and rms < options.settle_speed) else 0
        if progress is not None:
            progress(min(1.0, frames / max_frames))
        at_rest = frames >= min_frames and calm >= options.settle_frames
        due = frames >= untangle_after and (closing or frames % max(1, options.untangle_frames) == 0)
        if self_contact is not None and options.untangle_frames and (at_rest or due):
            moved, stuck = _untangle(model, garment, state, self_contact)
            if stuck:  # a crossing it cannot undo: not worth a look every frame
                untangle_after = frames + UNTANGLE_BACKOFF_FRAMES
            if moved and at_rest and resettles < MAX_RESETTLES:
                calm, at_rest = 0, False  # let it settle again, untangled
                resettles += 1
        if at_rest:
            settled = True
            break
    report = _report(model, garment, body, state.x, settled, frames, steps, options, time.perf_counter() - start)
    log.info("drape: %s", report)
    return Drape(garment=garment, positions=state.x, report=report)


def _report(model: ClothModel, garment: GarmentMesh, body: Body, x: np.ndarray, settled: bool,
            frames: int, steps: int, options: DrapeOptions, wall: float) -> DrapeReport:
    strain = edge_strain(x, model.rest_edge, model.rest_length)
    inside = inside_body(x, body.sdf)
    return DrapeReport(
        max_seam_gap_mm=seam_gap_mm(x, garment.seam_pairs),
        inside_count=int(inside.sum()),
        inside_share=float(inside.mean()),
        max_edge_strain=float(strain.max()),
        p95_edge_strain=float(np.percentile(strain, 95)),
        settled=settled,
        steps=steps,
        simulated_s=frames * options.frame_dt,
        wall_s=wall,
        vertex_count=model.n,
        self_intersections=count_self_intersections(x, garment.faces, garment.seam_pairs),
    )
