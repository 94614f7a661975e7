"""Measurements -> Body: fit, place in the world, collision field, cache."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from pathlib import Path

import numpy as np

from garment3d.body.cache import MemoryCache, body_key, load_body, save_body
from garment3d.body.frames import body_frames
from garment3d.body.half import round_to_half
from garment3d.body.fit import FitOptions, fit_body, validate_measurements
from garment3d.body.model import load_model
from garment3d.body.mannequin import fill_belly_fold, smooth_nipples, smooth_torso_band
from garment3d.body.measure import BodyMeasurement, measure
from garment3d.body.pose import pose_arms, rig_arms, validate_arm_angle
from garment3d.body.sdf import build_sdf
from garment3d.body.smoothness import find_creases, girth_profile
from garment3d.errors import BodyModelError
from garment3d.settings import get_settings
from garment3d.types import Body, Measurements

__all__ = ["build_body", "body_cache_path", "clear_memory_cache", "fit_dress_form", "SDF_SPACING_M", "SDF_MARGIN_M"]

log = logging.getLogger(__name__)

SDF_SPACING_M = 0.005
SDF_MARGIN_M = 0.05
POSE_GIRTH_TOLERANCE_CM = 0.2
FINISH_TOLERANCE_CM = 0.25  # re-fit when the finish moves a girth further than this  # posing the arms must not change the torso's measurements

_memory = MemoryCache(size=4)
_lock = threading.Lock()


def clear_memory_cache() -> None:
    """Forget the bodies kept in this process (the disk cache stays)."""
    with _lock:
        _memory.clear()


def _mesh_volume(vertices: np.ndarray, faces: np.ndarray) -> float:
    a, b, c = (vertices[faces[:, i]] for i in range(3))
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)


def lower_torso_creases(model, vertices: np.ndarray, meas: BodyMeasurement) -> np.ndarray:
    """Levels (m, from the floor) of the creases (``garment3d.body.smoothness``) in the torso's girth
    profile between the crotch and the iliac crest: where a heavy belly's underside folds."""
    levels, girths = girth_profile(vertices, model.faces, meas.axis_xz, meas.crotch_y, meas.armpit_y)
    creases = find_creases(levels, girths)
    return creases[creases < meas.crest_y]


def _finish(model, vertices: np.ndarray) -> tuple[np.ndarray, BodyMeasurement]:
    """The dress-form finish: nipples smoothed away, the torso between hip and underbust smoothed (no
    creases), and, only on a body whose lower torso still creases, the lower belly's hollows filled (the
    fold under a heavy belly); a body without such a crease is left as the smoothing made it, bit for bit.

    Returns the finished vertices and their measurement."""
    vertices = smooth_nipples(vertices, model.faces, model.nipple_vertices)
    band, weights = model.torso_band
    vertices = smooth_torso_band(vertices, model.faces, band, weights)
    meas = measure(vertices, model.faces, landmark_vertices=model.landmark_vertices)
    creases = lower_torso_creases(model, vertices, meas)
    if len(creases) == 0:
        return vertices, meas
    log.debug("filling the lower belly: creases at %s m", np.round(creases, 3))
    region, weights = model.belly_fill_region
    vertices = fill_belly_fold(vertices, model.faces, region, weights, model.mirror_vertices)
    return vertices, measure(vertices, model.faces, landmark_vertices=model.landmark_vertices)


def fit_dress_form(model, target: Measurements, options: FitOptions | None = None):
    """Fit, give the body its dress-form finish, and re-fit once (from the first fit) so the
    finished form still measures the target girths.

    Returns (vertices, measurement) of the finished form; the measurement is
    taken on the finished mesh (bust level from the original nipple vertices).
    """
    aim, start, jacobian = target, None, None
    for _ in range(2):
        fit = fit_body(model, aim, options, start=start, jacobian=jacobian, validated=aim is not target)
        vertices, meas = _finish(model, fit.vertices)
        got = np.array([meas.bust_girth, meas.waist_girth_at(target.waist_at), meas.hip_girth]) * 100
        shortfall = np.array([target.bust_cm, target.waist_cm, target.hip_cm]) - got
        if np.abs(shortfall).max() < FINISH_TOLERANCE_CM:
            break
        aim = dataclasses.replace(
            aim, bust_cm=aim.bust_cm + shortfall[0], waist_cm=aim.waist_cm + shortfall[1], hip_cm=aim.hip_cm + shortfall[2]
        )
        start, jacobian = fit.params, fit.jacobian
    return vertices, meas


def _rig(model, vertices: np.ndarray, meas: BodyMeasurement):
    return rig_arms(vertices, model.faces, meas.armpit_y + vertices[:, 1].min(), meas.axis_xz)


def _pose(model, vertices: np.ndarray, meas: BodyMeasurement, arm_angle_deg: float, rig=None):
    """Turn the arms to ``arm_angle_deg``; the torso must measure as before."""
    rig = rig if rig is not None else _rig(model, vertices, meas)
    posed = pose_arms(vertices, rig, arm_angle_deg)
    again = measure(posed, model.faces, landmark_vertices=model.landmark_vertices)
    for name in ("stature", "bust_girth", "waist_girth", "hip_girth"):
        change = (getattr(again, name) - getattr(meas, name)) * 100
        if abs(change) > POSE_GIRTH_TOLERANCE_CM:
            raise BodyModelError(
                f"arm angle {arm_angle_deg:g} degrees changes the body's {name.replace('_', ' ')} by "
                f"{change:+.1f} cm (the arms reach the torso); use a larger angle"
            )
    return posed, again


def _make_body(target: Measurements, options: FitOptions | None, arm_angle_deg: float | None = None) -> Body:
    model = load_model()
    vertices, meas = fit_dress_form(model, target, options)
    rig = _rig(model, vertices, meas)
    if arm_angle_deg is not None:
        vertices, meas = _pose(model, vertices, meas, arm_angle_deg, rig)
    # Centre the torso axis (hip level) on x = z = 0; the floor is already y = 0.
    shift = np.array([meas.axis_xz[0], 0.0, meas.axis_xz[1]])
    vertices = vertices - shift
    if _mesh_volume(vertices, model.faces) <= 0:
        raise BodyModelError("the fitted body mesh is inverted (non-positive volume)")
    axis_xz = meas.axis_xz - shift[[0, 2]]
    frames = body_frames(vertices, model.faces, meas.crotch_y, axis_xz, rig, shift, arm_angle_deg)
    landmarks = dataclasses.replace(meas.landmarks(), axis_xz=axis_xz, frames=frames)
    sdf = build_sdf(vertices, model.faces, spacing=SDF_SPACING_M, margin=SDF_MARGIN_M)
    # keep the precision the disk cache stores (float16), so a cached body drapes identically
    sdf = dataclasses.replace(sdf, values=round_to_half(sdf.values))
    return Body(
        vertices=vertices,
        faces=model.faces.copy(),
        landmarks=landmarks,
        measured=meas.measurements(target.gender),
        sdf=sdf,
    )


def _cache_file(key: str) -> Path:
    return get_settings().cache_dir / "bodies" / f"{key}.npz"


def body_cache_path(measurements: Measurements, arm_angle_deg: float | None = None) -> Path:
    """Where ``build_body`` keeps this body on disk (the file may not exist yet)."""
    return _cache_file(body_key(measurements, load_model().version, validate_arm_angle(arm_angle_deg)))


def build_body(
    measurements: Measurements,
    arm_angle_deg: float | None = None,
    *,
    use_cache: bool = True,
    options: FitOptions | None = None,
) -> Body:
    """A watertight body fitted to ``measurements`` (cm), in world space.

    The body stands in MakeHuman's rest A-pose (upper arms about 42-45 degrees
    from vertical) or, with ``arm_angle_deg``, with both upper arms turned to
    that angle from vertical about the shoulders (20-90; 90 is a T-pose; see
    ``garment3d.body.pose``). Metres, Y up, feet at y = 0, facing +Z, torso
    centre at hip level on x = z = 0. Its height, bust, waist and hip girths
    match the request within 1 cm (``Body.measured`` holds what the mesh
    measures).

    Raises InvalidMeasurementsError for values outside human range,
    InvalidRequestError for an arm angle outside its range, and BodyModelError
    when the model cannot reach the combination or the arms would touch the
    body at that angle.
    """
    validate_measurements(measurements)
    arm_angle_deg = validate_arm_angle(arm_angle_deg)
    if not use_cache:
        return _make_body(measurements, options, arm_angle_deg)
    key = body_key(measurements, load_model().version, arm_angle_deg)
    with _lock:
        body = _memory.get(key)
    if body is not None:
        return body
    path = _cache_file(key)
    body = load_body(path)
    if body is None:
        started = time.perf_counter()
        body = _make_body(measurements, options, arm_angle_deg)
        log.info("built body %s in %.2f s", key, time.perf_counter() - started)
        try:
            save_body(path, body)
        except OSError as exc:
            log.warning("could not write the body cache %s: %s", path, exc)
    with _lock:
        _memory.put(key, body)
    return body
