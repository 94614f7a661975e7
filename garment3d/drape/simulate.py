"""Drape driver: close the seams, drop under gravity, come to rest, report.

The drape runs in phases (:class:`Phase`): SEWING (gravity off, the seams pulled shut over
``close_seconds``), DROPPING (gravity on, until no panel moves more than ``rest_motion_mm`` over
``settle_frames`` frames), DONE. Once at rest the cloth is looked at for crossed layers; if it is
crossed it is untangled and the physics runs again until at rest (``MAX_RESETTLES`` times at most).
Untangling never ends a drape: if the cloth is still crossed at rest after the last untangling, the
drape is not settled and the report says that untangling ended it (``ended_by == "untangling"``).
The loop's state is one :class:`DrapeRun`; each decision is a small function with its own test.
"""

from __future__ import annotations

import enum
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from garment3d.drape.fit import measure_fit
from garment3d.drape.grip import Grip, band_rest_length_m
from garment3d.drape.intersections import count_self_intersections
from garment3d.drape.kernels import ClothState, Collider, FrameControls, PlacedLengths, simulate_frame
from garment3d.drape.kinetic import KineticDamping, kinetic_groups
from garment3d.drape.model import ClothModel, build_model
from garment3d.drape.penetration import BodyRays
from garment3d.drape.quality import (body_penetration, edge_strain, fastener_gap_mm, folded_seam_share,
                                     panel_strain, seam_gap_mm, waist_edges)
from garment3d.drape.rest import RestWindow
from garment3d.drape.self_collision import (FOLD_WATCH_MAX_SPACING_M, SelfContact, build_self_contact,
                                             contact_distance_m, weld_labels)
from garment3d.drape.threads import ThreadChooser
from garment3d.drape.untangle import untangle
from garment3d.errors import SimulationError
from garment3d.gates import LIMITS
from garment3d.types import Body, Drape, DrapeReport, Fabric, GarmentMesh, PanelMotion

__all__ = ["DrapeOptions", "DrapeRun", "Phase", "Schedule", "drape", "measure_drape"]

log = logging.getLogger(__name__)

GRAVITY = -9.81
STRAIN_CHECK_FRAMES = 30  # how often (frames, once settling may be declared) the cloth is checked for tearing apart
SUBSTEPS_AT_1CM = 64
MIN_SUBSTEPS = 32  # coarser meshes (2 cm: 22.6 by the rule) keep 32
MAX_P95_STRAIN = 0.5  # 95th-percentile edge strain beyond which a drape is abandoned
UNTANGLE_STEP_M = 0.0005  # how far one untangling step moves crossed layers apart
MAX_UNTANGLE_STEPS = 120  # the stall (untangle.STALL_STEPS, 60) gives up sooner on a contour it cannot shrink
#: Times a drape found at rest but crossed is untangled and left to settle again; crossed at rest after
#: that, it is not settled (a fold pressed into a seam's crease can snap back through every frame).
MAX_RESETTLES = 2
#: m: a vertex this far outside the body's bounding box has left the scene: the solver diverged (velocities
#: are clamped, so a runaway shows as distance travelled, not as speed)
SCENE_MARGIN_M = 2.0
#: m: cloth this far below the body's lowest point fell off it (there is no floor): the drape ends
FALLEN_M = 0.1
UNTANGLE_BACKOFF_FRAMES = 30  # frames without a look after untangling left as many crossings as it found


@dataclass(frozen=True)
class DrapeOptions:
    frame_dt: float = 1.0 / 60.0
    substeps: int | None = None  # per frame once sewn; None: substeps_for(the mesh spacing)
    close_substeps: int = 16  # while sewing (gravity off, nothing hangs: no sag error to keep small)
    close_seconds: float = 0.5  # seams pulled shut with gravity off
    min_seconds: float = 0.5  # simulated time after the seams close before settling may be declared
    # simulated seconds before the drape is stopped unsettled. A drape ends as soon as it is at rest, so this
    # costs only the ones that are not: at 6 s the circle skirt in dupioni at 160/84A and in wool crepe at
    # 170/92A and the jiaoling top in organza at 155/80A were still moving 1.7-5.4 mm per settle window,
    # their hems' slow swing dying away; all three come to rest by 6.9 s (2 cm mesh)
    max_seconds: float = 8.0
    damping_close: float = 8.0  # 1/s velocity damping while seams close
    # 1/s air/internal damping afterwards (the settled shape does not depend on it). Light: kinetic damping
    # (below) takes the energy out; a strong drag overdamps a circle skirt's flutes, which then creep to rest
    damping: float = 0.5
    rest_motion_mm: float = LIMITS.rest_motion_mm  # at rest: no panel moves more over settle_frames
    settle_frames: int = 20
    speed_limit: float = 5.0  # m/s: velocities are clamped to this (a drape is slow)
    self_collision: bool = True  # keep the cloth's own layers (overlaps, folds) apart
    tethers: bool = False  # long-range stretch limits (garment3d.drape.tethers; off: see there)
    # sewn seams solved as one vertex each (garment3d.drape.weld); off (the default): each pair projected
    # shut once per substep, which leaves a seam under tension's correction in the triangles beside it.
    # Welding helps the circle skirt's band but overstretches the trousers' band and tab (README known limits)
    weld_seams: bool = False
    # frames between looks for crossed layers once sewn (undone by garment3d.drape.untangle; every frame while
    # the seams close, when most form, and once at rest); 0: never. Part of self-collision: off with it
    untangle_frames: int = 6
    # extra passes over the support's triangles (a waistband, a skirt's top: ClothModel.support) in each
    # substep. One pass left the circle skirt's band stretched 15 % (p99) in poplin at 2 cm, and the skirt
    # still swinging at the time limit; three: 8 %, at rest in 2.7 s
    support_passes: int = 3
    # once sewn, a group of pieces (garment3d.drape.kinetic) is stopped whenever its kinetic energy falls from
    # one frame to the next (it has passed a peak: the swing is at its lowest point). At 8/s of drag and no
    # kinetic damping the circle skirt at 160/84A (2 cm) took 8 s to rest or ran out of time in dupioni and
    # habotai, 2.55 s in poplin; with it (the whole garment stopped as one then), and 0.5/s, every fabric came
    # to rest in 2.5-4.7 s
    kinetic_damping: bool = True
    # the seams' bending hinges act from this seam rest scale on (1 placed, 0 sewn): in the last quarter of
    # the sewing, not only once sewn. With no bending across it, the jiaoling top's left armhole seam folded
    # the sleeve through the front in the last sewing frames (170/92A, 2 cm, in charmeuse, poplin, habotai):
    # a crossing pair that untangling could not undo. From 0.25 those pass; from 0.5 habotai's seam gap fails
    seam_hinges_from: float = 0.25

    def substeps_for(self, spacing_m: float) -> int:
        """Substeps per frame once sewn: ``substeps`` if given, else ``SUBSTEPS_AT_1CM`` at a 1 cm mesh,
        in proportion to spacing^-1.5 elsewhere, and never fewer than ``MIN_SUBSTEPS``.

        One Gauss-Seidel pass per substep leaves cloth hanging from a support (a gripped waist, a seam
        over the shoulder) stretched by an error of about N^2 g dt^2 / h at the support (N triangles of
        size h along the hanging cloth, substep dt): at a 1 cm mesh and 32 substeps that is tens of per
        cent in the row under an A-line skirt's waist, and the band's tension, concentrated at the front
        darts, pulled their seams 6 mm open in each substep. N grows as 1/h, so the error goes as
        dt^2 / h^3: substeps in proportion to h^-1.5 keep it the same at every mesh density."""
        if self.substeps is not None:
            return self.substeps
        return max(MIN_SUBSTEPS, int(math.ceil(SUBSTEPS_AT_1CM * (0.01 / spacing_m) ** 1.5 - 1e-9)))


class Phase(enum.Enum):
    SEWING = "sewing"
    DROPPING = "dropping"
    DONE = "done"


@dataclass(frozen=True)
class Schedule:
    """Frame counts of the phases."""

    close_frames: int  # SEWING before this frame
    min_frames: int  # no rest declared before this frame
    max_frames: int
    untangle_every: int  # frames between looks for crossings while DROPPING (0: never)

    @classmethod
    def of(cls, options: DrapeOptions, untangling: bool) -> Schedule:
        close = int(round(options.close_seconds / options.frame_dt))
        return cls(close_frames=close, min_frames=close + int(round(options.min_seconds / options.frame_dt)),
                   max_frames=int(round(options.max_seconds / options.frame_dt)),
                   untangle_every=options.untangle_frames if untangling else 0)

    def phase(self, frame: int) -> Phase:
        return Phase.SEWING if frame < self.close_frames else Phase.DROPPING

    def seam_scale(self, frame: int) -> float:
        """Placed seam lengths shrink to zero over the sewing frames (1: placed, 0: sewn)."""
        return max(0.0, 1.0 - (frame + 1) / self.close_frames) if frame < self.close_frames else 0.0


@dataclass
class DrapeRun:
    """What the drape loop carries from frame to frame."""

    frames: int = 0
    steps: int = 0
    resettles: int = 0  # at-rest untanglings so far
    untangle_after: int = 0  # no periodic look for crossings before this frame (after a stuck untangling)
    seam_gaps: np.ndarray | None = None  # (s,) m each seam pair's correction in the last sewn frame
    ended_by: str | None = None  # "rest" | "time" | "untangling" | "fell"
    phase: Phase = Phase.SEWING


@dataclass
class _Solver:
    """Everything a frame needs: the static model and the changing positions and velocities."""

    model: ClothModel
    state: ClothState
    placed: PlacedLengths
    collider: Collider
    self_contact: SelfContact | None
    garment: GarmentMesh
    grip: Grip
    body: Body
    fabric: Fabric
    kinetic: KineticDamping
    threads: ThreadChooser = field(default_factory=ThreadChooser)


def _solver(garment: GarmentMesh, body: Body, fabric: Fabric, options: DrapeOptions) -> _Solver:
    model = build_model(garment, fabric, tethers=options.tethers, weld=options.weld_seams)
    state = ClothState.at_rest(garment.positions, anchors=len(model.anchor))
    x = state.x
    seam_rest = np.linalg.norm(x[model.seam[:, 0]] - x[model.seam[:, 1]], axis=1)
    # tethers the placement stretched relax to their length while the seams close, as the seams do
    placed = np.linalg.norm(x[model.tether[:, 0]] - x[model.tether[:, 1]], axis=1)
    sdf = body.sdf
    collider = Collider(values=sdf.values, origin=np.asarray(sdf.origin, np.float64), spacing=float(sdf.spacing),
                        thickness=model.thickness_m, friction=model.friction)
    self_contact = None
    if options.self_collision:
        self_contact = build_self_contact(
            model.tri, model.inv_mass, garment.seam_pairs, friction=model.friction,
            contact_m=contact_distance_m(fabric.thickness_mm, garment.spacing_m), layered=garment.fastener_pairs,
            seam_hinges=model.seam_hinge if garment.spacing_m <= FOLD_WATCH_MAX_SPACING_M else None,
            thickness_m=fabric.thickness_mm * 1e-3,
        )
    return _Solver(model=model, state=state,
                   placed=PlacedLengths(seam_rest=seam_rest, tether_excess=np.maximum(0.0, placed - model.tether_max)),
                   collider=collider, self_contact=self_contact, garment=garment,
                   grip=_grip(garment, model), body=body, fabric=fabric,
                   kinetic=KineticDamping(kinetic_groups(garment.panel_of, garment.fastener_pairs), model.inv_mass))


def _grip(garment: GarmentMesh, model: ClothModel) -> Grip:
    weld = weld_labels(model.n, garment.seam_pairs)[model.anchor]
    return Grip(model.anchor, band_rest_length_m(garment.faces, garment.rest_uv, garment.anchor_mask), weld)


def _controls(run: DrapeRun, schedule: Schedule, options: DrapeOptions, substeps: int) -> FrameControls:
    sewing = run.phase is Phase.SEWING
    return FrameControls(gravity=0.0 if sewing else GRAVITY,
                         damping=options.damping_close if sewing else options.damping,
                         frame_dt=options.frame_dt, substeps=options.close_substeps if sewing else substeps,
                         seam_scale=schedule.seam_scale(run.frames), speed_limit=options.speed_limit,
                         support_passes=options.support_passes, seam_hinge_scale=options.seam_hinges_from,
                         pin_anchors=sewing)


def _holding(solver: _Solver, phase: Phase) -> np.ndarray:
    """Which anchored vertices grip the body this frame (``garment3d.drape.grip``). None while the seams
    close: then every anchored vertex keeps its placed height instead (``FrameControls.pin_anchors``). The
    seams' pull jolts a band up and down by a centimetre or more in the first frames; a grip is a ratchet
    (up free, down held), so it kept every upward jolt and the band ended 2-3 cm above the body's waist,
    its top edge overstretched (the circle skirt at 155/80A in the technical knit, 2 cm, and at 160/84A in
    poplin, 1 cm); with nothing holding it, an A-line's waist drifted 2.3 cm down the capsule. Once sewn,
    with gravity on, the band grips where it lies."""
    if phase is Phase.SEWING:
        return np.zeros(len(solver.model.anchor), np.bool_)
    return solver.grip.gripping(solver.state.x, solver.body.sdf, solver.model.thickness_m, solver.state.holding)


def _advance(solver: _Solver, run: DrapeRun, controls: FrameControls) -> None:
    """One frame of physics."""
    if solver.self_contact is not None:
        solver.self_contact.seams_closed = controls.sewn
    solver.state.holding = _holding(solver, run.phase)
    with solver.threads.frame(run.frames):
        gaps = simulate_frame(solver.state, solver.model, solver.placed, controls, solver.collider,
                              solver.self_contact)
    run.frames += 1
    run.steps += controls.substeps
    if gaps is not None:
        run.seam_gaps = gaps


def _body_bounds(body: Body) -> tuple[np.ndarray, np.ndarray]:
    """The body mesh's bounding box, or its distance grid's for a body given by its grid alone."""
    if len(body.vertices):
        return body.vertices.min(axis=0), body.vertices.max(axis=0)
    origin = np.asarray(body.sdf.origin, np.float64)
    return origin, origin + body.sdf.spacing * (np.array(body.sdf.values.shape) - 1)


def _check_in_scene(x: np.ndarray, body: Body, t: float) -> bool:
    """True if cloth fell below the body (off it: the drape ends there); a non-finite position, or a vertex
    far outside the body's bounding box any other way, means the solver diverged (an error)."""
    if not np.all(np.isfinite(x)):
        raise SimulationError(f"cloth simulation diverged at t = {t:.2f} s (non-finite positions)")
    low, high = _body_bounds(body)
    lo, hi = low - SCENE_MARGIN_M, high + SCENE_MARGIN_M
    out = np.any((x < lo) | (x > hi), axis=1)
    if not out.any():
        return bool(np.any(x[:, 1] < low[1] - FALLEN_M))
    far = float(np.max(np.maximum(lo - x[out], x[out] - hi)))
    raise SimulationError(f"cloth simulation diverged at t = {t:.2f} s ({int(out.sum())} vertices left the "
                          f"scene, the furthest {far + SCENE_MARGIN_M:.1f} m outside the body's bounds)")


def _check_strain(model: ClothModel, x: np.ndarray, t: float) -> None:
    """Stop a drape whose cloth is torn apart (a tangle the solver cannot undo) instead of running it out."""
    p95 = float(np.percentile(edge_strain(x, model.rest_edge, model.rest_length), 95))
    if p95 > MAX_P95_STRAIN:
        raise SimulationError(
            f"cloth simulation failed at t = {t:.2f} s: the cloth is stretched {p95:.0%} at the 95th percentile "
            f"(limit {MAX_P95_STRAIN:.0%}); the pieces are tangled or pulled apart"
        )


def _untangle(solver: _Solver, whole_steps: bool = False) -> tuple[bool, bool]:
    """Pull apart layers that crossed (a fold snapped through within a substep); returns whether anything
    moved and whether crossings were left that untangling did not reduce. ``whole_steps``: try what the
    contours' gradient leaves again in whole steps (at rest only: on the way down the physics may still undo
    a crossing itself, and a drape that would pass is left on its path; tried on every look, they untangled
    the circle skirt in crepe de chine (160/84A, 1 cm) early, from 7 pairs, and it then ended with a seam
    gap of 5.5 mm and a crushed triangle)."""
    result = untangle(solver.state.x, solver.garment.faces, solver.model.inv_mass, solver.garment.seam_pairs,
                      step_m=UNTANGLE_STEP_M, max_steps=MAX_UNTANGLE_STEPS, whole_steps=whole_steps)
    stuck = result.after > 0 and result.after >= result.before
    if result.steps == 0:
        return False, stuck
    log.debug("drape: untangled %d -> %d crossing pairs in %d steps", result.before, result.after, result.steps)
    solver.self_contact.forget_sides()
    return True, stuck


def _untangle_due(run: DrapeRun, schedule: Schedule) -> bool:
    """A periodic look for crossings: every frame while sewing (when most form), every
    ``untangle_every`` frames afterwards, none during a back-off."""
    if not schedule.untangle_every or run.frames < run.untangle_after:
        return False
    return run.phase is Phase.SEWING or run.frames % schedule.untangle_every == 0


def _periodic_untangle(solver: _Solver, run: DrapeRun) -> None:
    _, stuck = _untangle(solver)
    if stuck:  # a crossing it cannot undo: not worth a look every frame
        run.untangle_after = run.frames + UNTANGLE_BACKOFF_FRAMES


def _on_rest(solver: _Solver, run: DrapeRun, schedule: Schedule, window: RestWindow) -> None:
    """At rest: done if clean; crossed, untangle and let the physics settle it again (``MAX_RESETTLES``
    times); still crossed after the last time, the drape ends unsettled, by untangling."""
    if not schedule.untangle_every:
        run.ended_by = "rest"
        return
    if run.resettles >= MAX_RESETTLES:
        crossed = count_self_intersections(solver.state.x, solver.garment.faces, solver.garment.seam_pairs) > 0
        run.ended_by = "untangling" if crossed else "rest"
        return
    moved, _ = _untangle(solver, whole_steps=True)
    if not moved:  # clean (or a crossing untangling cannot touch: the crossings gate reports it)
        run.ended_by = "rest"
        return
    run.resettles += 1
    window.reset()  # the physics must bring the untangled cloth to rest again


def drape(
    garment: GarmentMesh,
    body: Body,
    fabric: Fabric,
    options: DrapeOptions = DrapeOptions(),
    progress: Callable[[float], None] | None = None,
) -> Drape:
    """Simulate ``garment`` on ``body`` in ``fabric`` until it comes to rest (or ``max_seconds``)."""
    start = time.perf_counter()
    solver = _solver(garment, body, fabric, options)
    schedule = Schedule.of(options, untangling=solver.self_contact is not None)
    substeps = options.substeps_for(garment.spacing_m)
    window = RestWindow(garment.panel_of, options.settle_frames)
    run = DrapeRun()
    while run.ended_by is None:
        if run.frames >= schedule.max_frames:
            run.ended_by = "time"
            break
        run.phase = schedule.phase(run.frames)
        _advance(solver, run, _controls(run, schedule, options, substeps))
        t = run.frames * options.frame_dt
        if _check_in_scene(solver.state.x, body, t):
            run.ended_by = "fell"
            break
        if run.frames >= schedule.min_frames and run.frames % STRAIN_CHECK_FRAMES == 0:
            _check_strain(solver.model, solver.state.x, t)
        if run.phase is Phase.DROPPING:
            if options.kinetic_damping:
                solver.kinetic.step(solver.state.vel)
            window.push(solver.state.x)
        if progress is not None:
            progress(min(1.0, run.frames / schedule.max_frames))
        if (run.phase is Phase.DROPPING and run.frames >= schedule.min_frames
                and window.at_rest(options.rest_motion_mm)):
            _on_rest(solver, run, schedule, window)
        elif _untangle_due(run, schedule):
            _periodic_untangle(solver, run)
    run.phase = Phase.DONE
    report = _report(solver, body, run, window, options, time.perf_counter() - start)
    log.info("drape: %s", report)
    return Drape(garment=garment, positions=solver.state.x, report=report)


def _report(solver: _Solver, body: Body, run: DrapeRun, window: RestWindow, options: DrapeOptions,
            wall: float) -> DrapeReport:
    return measure_drape(solver.garment, solver.model, body, solver.state.x, settled=run.ended_by == "rest",
                         ended_by=run.ended_by, seam_gaps=run.seam_gaps, panel_motion_m=window.panel_motion_m(),
                         frames=run.frames, steps=run.steps, resettles=run.resettles, frame_dt=options.frame_dt,
                         wall=wall, fabric=solver.fabric)


def _panel_motion(garment: GarmentMesh, panel_motion_m: np.ndarray | None) -> tuple[PanelMotion, ...]:
    """Each panel's motion over the settle window (``panel_motion_m`` (panels,) m), most moving first."""
    if panel_motion_m is None:
        return ()
    motion = [PanelMotion(panel=name, motion_mm=float(m * 1000.0))
              for name, m in zip(garment.panel_names, panel_motion_m)]
    return tuple(sorted(motion, key=lambda m: -m.motion_mm))


def measure_drape(garment: GarmentMesh, model: ClothModel, body: Body, x: np.ndarray, *, settled: bool,
                  ended_by: str, seam_gaps: np.ndarray | None = None, panel_motion_m: np.ndarray | None = None,
                  frames: int = 0, steps: int = 0, resettles: int = 0, frame_dt: float = 1.0 / 60.0,
                  wall: float = 0.0, rays: BodyRays | None = None, fabric: Fabric | None = None) -> DrapeReport:
    """The report of cloth at ``x``: every figure the gates judge, measured on the positions themselves
    (and the solver's last seam corrections ``seam_gaps`` (s,) m per ``model.seam`` pair, if any; each
    panel's motion over the settle window ``panel_motion_m`` (panels,) m, if known; the ``fabric``'s rated
    stretch, which the strain gates judge by, if given: else it is judged as a woven)."""
    motion = _panel_motion(garment, panel_motion_m)
    strain = edge_strain(x, model.rest_edge, model.rest_length)
    inside = body_penetration(x, garment.faces, body, garment.seam_pairs, rays)
    final_gap = seam_gap_mm(x, garment.seam_pairs)
    gap = final_gap if seam_gaps is None or not len(seam_gaps) else max(final_gap, float(seam_gaps.max()) * 1000.0)
    fit_lines, blouson = measure_fit(x, garment, body)
    return DrapeReport(
        max_seam_gap_mm=gap,
        inside_count=inside.inside_count,
        inside_share=inside.inside_share,
        max_edge_strain=float(strain.max()),
        p95_edge_strain=float(np.percentile(strain, 95)),
        settled=settled,
        steps=steps,
        simulated_s=frames * frame_dt,
        wall_s=wall,
        vertex_count=model.n,
        self_intersections=count_self_intersections(x, garment.faces, garment.seam_pairs),
        largest_inside_patch_cm2=inside.largest_patch_cm2,
        folded_seam_share=folded_seam_share(x, model.seam_hinge),
        panel_strain=panel_strain(x, garment.faces, garment.rest_edges, garment.panel_of, garment.panel_names),
        waist_edges=waist_edges(x, garment.positions, garment.anchor_mask, garment.panel_of, garment.panel_names,
                                body.sdf),
        rest_motion_mm=max((m.motion_mm for m in motion), default=0.0),
        panel_motion=motion,
        ended_by=ended_by,
        untangle_resettles=resettles,
        max_fastener_gap_mm=fastener_gap_mm(x, garment.fastener_pairs,
                                            float(model.fastener_rest.max()) if len(model.fastener_rest) else 0.0),
        fit_style=garment.fit_style,
        fit_lines=fit_lines,
        blouson_cm=blouson,
        fabric_stretch_weft=fabric.stretch_percent / 100.0 if fabric is not None else 0.0,
        fabric_stretch_warp=fabric.stretch_warp_percent / 100.0 if fabric is not None else 0.0,
    )
