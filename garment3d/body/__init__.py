"""The body stage: Measurements -> Body.

A realistic adult body from the CC0 MakeHuman data (numpy only), fitted to
tailoring measurements, measured the way a tailor would, with a signed
distance grid for collisions::

    from garment3d.body import build_body
    body = build_body(Measurements(height_cm=165, bust_cm=88, waist_cm=72, hip_cm=94))
    t_pose = build_body(Measurements(165, 88, 72, 94), arm_angle_deg=90)
    scan = load_avatar("scan.glb")  # bring your own body: OBJ, GLB or PLY

Size presets (every GB/T 1335 chart size, cached on disk) live in
``garment3d.body.presets`` (``python -m garment3d.body.presets --warm``).
"""

from garment3d.body.avatar import load_avatar
from garment3d.body.build import build_body, clear_memory_cache
from garment3d.body.fit import MEASUREMENT_RANGES_CM, FitOptions, FitResult, fit_body, validate_measurements
from garment3d.body.measure import BodyMeasurement, measure, torso_girth
from garment3d.body.model import BodyModel, ShapeParams, load_model
from garment3d.body.pose import ARM_ANGLE_RANGE_DEG, pose_arms, rig_arms
from garment3d.body.sdf import OUTSIDE_DISTANCE, build_sdf, sample_sdf
from garment3d.body.warmup import warm_up

__all__ = [
    "build_body",
    "clear_memory_cache",
    "load_avatar",
    "ARM_ANGLE_RANGE_DEG",
    "rig_arms",
    "pose_arms",
    "measure",
    "torso_girth",
    "BodyMeasurement",
    "fit_body",
    "FitOptions",
    "FitResult",
    "validate_measurements",
    "MEASUREMENT_RANGES_CM",
    "BodyModel",
    "ShapeParams",
    "load_model",
    "build_sdf",
    "sample_sdf",
    "OUTSIDE_DISTANCE",
    "warm_up",
]
