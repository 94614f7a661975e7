"""The body stage: Measurements -> Body.

A realistic adult body from the CC0 MakeHuman data (numpy only), fitted to
tailoring measurements, measured the way a tailor would, with a signed
distance grid for collisions::

    from garment3d.body import build_body
    body = build_body(Measurements(height_cm=165, bust_cm=88, waist_cm=72, hip_cm=94))
"""

from garment3d.body.build import build_body, clear_memory_cache
from garment3d.body.fit import MEASUREMENT_RANGES_CM, FitOptions, FitResult, fit_body, validate_measurements
from garment3d.body.measure import BodyMeasurement, measure, torso_girth
from garment3d.body.model import BodyModel, ShapeParams, load_model
from garment3d.body.sdf import OUTSIDE_DISTANCE, build_sdf, sample_sdf
from garment3d.body.warmup import warm_up

__all__ = [
    "build_body",
    "clear_memory_cache",
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
