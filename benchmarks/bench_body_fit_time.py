"""Time the fit as build_body runs it (fit + dress-form finish), without any cache (not part of the tests).

    .venv/bin/python benchmarks/bench_body_fit_time.py [--build]

Six bodies, women and men of the GB/T-like and custom kinds; one warm-up fit
first (numba kernels loaded). Prints each fit's seconds and what the finished
form measures, then the median. On a shared machine compare against another
version in the same session, e.g. a checkout of main with
``PYTHONPATH=/path/to/main .venv/bin/python benchmarks/bench_body_fit_time.py``.
``--build`` also times the whole body stage without the cache (``build_body(...,
use_cache=False)``: the fit, the arm rig and frames, the 5 mm signed-distance grid).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from garment3d.body.build import build_body, fit_dress_form
from garment3d.body.model import load_model
from garment3d.types import Measurements

CASES = (
    Measurements(160, 84, 68, 90),
    Measurements(165, 88, 72, 94),
    Measurements(170, 100, 80, 110),
    Measurements(175, 92, 80, 94, "male"),
    Measurements(190, 112, 98, 108, "male"),
    Measurements(152, 104, 90, 110),
)


def main(build: bool = False) -> None:
    model = load_model()
    fit_dress_form(model, CASES[0])
    seconds = []
    for case in CASES:
        start = time.perf_counter()
        _, meas = fit_dress_form(model, case)
        seconds.append(time.perf_counter() - start)
        got = meas.measurements(case.gender)
        print(f"{seconds[-1]:5.2f} s  {case.height_cm:g}/{case.bust_cm:g}/{case.waist_cm:g}/{case.hip_cm:g} {case.gender:<6}"
              f" -> {got.height_cm:.1f}/{got.bust_cm:.2f}/{got.waist_cm:.2f}/{got.hip_cm:.2f}")
    print(f"median {np.median(seconds):.2f} s, max {max(seconds):.2f} s")
    if build:
        built = []
        for case in CASES:
            start = time.perf_counter()
            build_body(case, use_cache=False)
            built.append(time.perf_counter() - start)
        print(f"whole body stage without the cache: median {np.median(built):.2f} s, max {max(built):.2f} s "
              f"(the fit's share: {np.median(seconds) / np.median(built):.0%})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="also time build_body without the cache")
    main(parser.parse_args().build)
