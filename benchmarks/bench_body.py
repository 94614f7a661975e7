"""Benchmark the body stage; prints a table of timings (not part of the tests).

    python benchmarks/bench_body.py [--repeat N]

Each row is the median of N runs after one warm-up run (numba kernels compiled
or loaded from their cache first).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable

import numpy as np

from garment3d.body import build_body, build_sdf, clear_memory_cache, load_avatar, sample_sdf
from garment3d.body import sdf
from garment3d.body.build import SDF_MARGIN_M, SDF_SPACING_M, fit_dress_form
from garment3d.body.half import round_to_half
from garment3d.body.fit import fit_body, model_measure
from garment3d.body.pose import pose_arms, rig_arms
from garment3d.body.model import ShapeParams, load_model
from garment3d.types import Measurements

SIZES = (
    Measurements(160, 84, 68, 90, "female"),
    Measurements(170, 100, 80, 110, "female"),
    Measurements(175, 92, 80, 94, "male"),
    Measurements(190, 112, 98, 108, "male"),
)


def timed(fn: Callable[[], object], repeat: int) -> float:
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def sdf_phase_rows(vertices: np.ndarray, faces: np.ndarray, repeat: int) -> list[tuple[str, float]]:
    """The 5 mm grid's passes one by one (``garment3d.body.sdf.build_sdf``)."""
    h = SDF_SPACING_M
    tris = np.ascontiguousarray(vertices[faces])
    origin = vertices.min(axis=0) - SDF_MARGIN_M
    shape = np.ceil((vertices.max(axis=0) + SDF_MARGIN_M - origin) / h).astype(np.int64) + 1

    def sign() -> np.ndarray:
        crossings = sdf._parity_crossings(tris, origin, h, shape)
        sdf._cumulative_parity(crossings)
        return crossings.view(np.bool_)

    inside = sign()
    best, owner = sdf._narrow_band(tris, sdf._unit_normals(tris), origin, h, shape)
    band = best <= np.float32(h * h)
    fx, fy = sdf._nearest_band_xy(band)
    ring_ptr, ring_faces = sdf._rings_of(faces, len(vertices))
    return [
        ("  sdf pass 1: sign (parity along z)", timed(sign, repeat)),
        ("  sdf pass 2: narrow band", timed(lambda: sdf._narrow_band(tris, sdf._unit_normals(tris), origin, h, shape), repeat)),
        ("  sdf pass 3a: feature transform, x and y", timed(lambda: sdf._nearest_band_xy(band), repeat)),
        ("  sdf pass 3b: transform along z + distances + ring", timed(
            lambda: sdf._distances(tris, origin, h, fx, fy, owner, inside, ring_ptr, ring_faces, sdf.REFINE_WITHIN_M),
            repeat)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = args.repeat

    def load() -> None:
        load_model.cache_clear()
        load_model()

    rows: list[tuple[str, float]] = [("data load (npz -> dense targets)", timed(load, n))]
    model = load_model()
    params = ShapeParams(gender=0.0, weight=0.6, muscle=0.4, height=0.55, local=(("measure-waist-circ", 0.2),))
    rows.append(("body build (blend targets)", timed(lambda: model.vertices(params), n)))
    vertices = model.vertices(params)
    rows.append(("measure (landmarks + 3 girths)", timed(lambda: model_measure(model, vertices), n)))

    fit_rows, errors = [], []
    for size in SIZES:
        fit_rows.append(timed(lambda size=size: fit_body(model, size), n))
        got = fit_body(model, size).measurement
        errors.append(
            np.abs(
                np.array([got.stature, got.bust_girth, got.waist_girth, got.hip_girth]) * 100
                - [size.height_cm, size.bust_cm, size.waist_cm, size.hip_cm]
            ).max()
        )
    rows.append((f"fit, mean of {len(SIZES)} sizes", float(np.mean(fit_rows))))
    rows.append(("fit, slowest size", float(np.max(fit_rows))))
    finished = [timed(lambda size=size: fit_dress_form(model, size), n) for size in SIZES]
    rows.append((f"fit + dress-form finish (as build_body), median of {len(SIZES)}", float(np.median(finished))))

    fitted = fit_body(model, SIZES[0]).vertices
    rows.append(("sdf build (5 mm, 5 cm margin)", timed(lambda: build_sdf(fitted, model.faces), n)))
    grid = build_sdf(fitted, model.faces)
    rows += sdf_phase_rows(fitted, model.faces, n)
    rows.append(("sdf rounded to float16 (as the cache stores it)", timed(lambda: round_to_half(grid.values), n)))
    rng = np.random.default_rng(0)
    points = rng.uniform(fitted.min(axis=0), fitted.max(axis=0), (100_000, 3))
    rows.append(("sdf query, 100k points", timed(lambda: sample_sdf(grid, points), n)))

    meas = model_measure(model, fitted)

    def pose() -> None:
        rig = rig_arms(fitted, model.faces, meas.armpit_y, meas.axis_xz)
        model_measure(model, pose_arms(fitted, rig, 90.0))

    rows.append(("arm pose to 90 deg (rig + turn + re-measure)", timed(pose, n)))

    with tempfile.TemporaryDirectory() as cache:
        os.environ["GARMENT3D_CACHE_DIR"] = cache
        clear_memory_cache()
        start = time.perf_counter()
        build_body(SIZES[1])
        rows.append(("build_body, cold (fit + sdf + write cache)", time.perf_counter() - start))

        def cached() -> None:
            clear_memory_cache()
            build_body(SIZES[1])

        rows.append(("build_body, from the disk cache", timed(cached, n)))
        rows.append(("build_body, in-process cache", timed(lambda: build_body(SIZES[1]), n)))
        clear_memory_cache()
        start = time.perf_counter()
        build_body(SIZES[1], arm_angle_deg=90.0)
        rows.append(("build_body, T-pose, cold (fit + pose + sdf + cache)", time.perf_counter() - start))

        import trimesh

        glb = os.path.join(cache, "avatar.glb")
        trimesh.Trimesh(fitted * 100.0, model.faces, process=False).export(glb)  # centimetres, like a scan
        rows.append(("load_avatar, GLB in cm (checks + measure + sdf)", timed(lambda: load_avatar(glb), n)))

    width = max(len(name) for name, _ in rows)
    print(f"{'step'.ljust(width)}  time")
    print(f"{'-' * width}  ----------")
    for name, seconds in rows:
        print(f"{name.ljust(width)}  {seconds * 1000:8.1f} ms")
    print(f"\nworst fit error over {len(SIZES)} sizes: {max(errors):.2f} cm")
    print(f"grid {grid.values.shape}, {grid.values.nbytes / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
