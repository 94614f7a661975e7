"""Fit the body to real people from ANSUR II and print the error table (not part of the tests).

    python benchmarks/bench_body_ansur.py [--per-gender 100] [--seed 0] [--data-dir DIR]

ANSUR II (US Army anthropometric survey, 2012, public domain; 1,986 women and
4,082 men, millimetres) is read at run time from
``../shared/data/measurements/ANSUR_II_{FEMALE,MALE}_Public.csv`` next to the
repository (override with ``--data-dir``); it is not shipped. Without the files
the benchmark says so and exits with status 0.

For each gender it shuffles the subjects with a fixed seed and takes the first
``--per-gender`` whose stature, chest, waist and buttock circumference lie in
the accepted range (``garment3d.sizes.validate_measurements``); the subjects
passed over for being outside it are counted. Each subject is fitted exactly as
``build_body`` fits (``fit_dress_form``: fit, dress-form finish, re-fit) and the
finished mesh is measured. A subject "fails" when ``build_body`` would refuse
it: the fit ends more than 1 cm from a target, or the body cannot be measured.
Errors of failed fits are included in the statistics.

ANSUR's waist circumference is taken at the navel (omphalion); ours is the
natural waist, the narrowest girth. The fitter treats the number as the girth
we measure, so the table reports fitting accuracy, not agreement between the
two definitions.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from garment3d.body.build import fit_dress_form
from garment3d.body.fit import FitOptions
from garment3d.body.model import load_model
from garment3d.errors import BodyModelError, InvalidMeasurementsError
from garment3d.settings import REPO_ROOT
from garment3d.sizes import validate_measurements
from garment3d.types import Measurements

DEFAULT_DIR = REPO_ROOT.parent / "shared" / "data" / "measurements"
FILES = {"female": "ANSUR_II_FEMALE_Public.csv", "male": "ANSUR_II_MALE_Public.csv"}
COLUMNS = {
    "height_cm": "stature",
    "bust_cm": "chestcircumference",
    "waist_cm": "waistcircumference",
    "hip_cm": "buttockcircumference",
}
NAMES = {"height_cm": "height", "bust_cm": "bust/chest", "waist_cm": "waist", "hip_cm": "hip"}
TOLERANCE_CM = 1.0
GOAL_MEDIAN_CM, GOAL_P95_CM = 0.5, 1.5


def read_people(path: Path, gender: str) -> list[Measurements]:
    """Every subject of one ANSUR II file as Measurements (mm -> cm)."""
    with path.open(encoding="latin-1", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Measurements(**{field: float(row[column]) / 10.0 for field, column in COLUMNS.items()}, gender=gender)
        for row in rows
    ]


def sample(people: list[Measurements], count: int, seed: int) -> tuple[list[Measurements], int]:
    """The first ``count`` in-range subjects in a seeded shuffle, and how many were passed over."""
    order = np.random.default_rng(seed).permutation(len(people))
    chosen, skipped = [], 0
    for index in order:
        if len(chosen) == count:
            break
        try:
            validate_measurements(people[index])
        except InvalidMeasurementsError:
            skipped += 1
            continue
        chosen.append(people[index])
    return chosen, skipped


def fit_errors(people: list[Measurements]) -> tuple[np.ndarray, int, list[float]]:
    """(k, 4) absolute errors in cm (NaN where unmeasurable), failure count, seconds per fit."""
    model = load_model()
    loose = FitOptions(tolerance_cm=math.inf)  # keep every result; judge it here
    errors = np.full((len(people), len(COLUMNS)), np.nan)
    failed, seconds = 0, []
    for i, person in enumerate(people):
        start = time.perf_counter()
        try:
            _, meas = fit_dress_form(model, person, loose)
        except BodyModelError as exc:
            print(f"  cannot fit {_describe(person)}: {exc}", file=sys.stderr)
            failed += 1
            continue
        finally:
            seconds.append(time.perf_counter() - start)
        got = meas.measurements(person.gender)
        errors[i] = [abs(getattr(got, field) - getattr(person, field)) for field in COLUMNS]
        if errors[i].max() > TOLERANCE_CM:
            failed += 1
            print(f"  beyond {TOLERANCE_CM:g} cm: {_describe(person)} -> measured {_describe(got)}", file=sys.stderr)
    return errors, failed, seconds


def _describe(m: Measurements) -> str:
    return f"{m.height_cm:.1f}/{m.bust_cm:.1f}/{m.waist_cm:.1f}/{m.hip_cm:.1f}"


def print_table(gender: str, errors: np.ndarray, failed: int, skipped: int, seconds: list[float]) -> bool:
    fitted = len(errors) - failed
    print(f"\n{gender}: {len(errors)} subjects fitted, {fitted} within {TOLERANCE_CM:g} cm, {failed} failed, "
          f"{skipped} passed over (outside the accepted range); fit {statistics.median(seconds):.2f} s median, "
          f"{max(seconds):.2f} s max")
    print(f"{'measurement':<12} {'median':>7} {'p95':>7} {'max':>7}  {'> 1 cm':>6}  goal (median <= 0.5, p95 <= 1.5)")
    ok = True
    for column, field in enumerate(COLUMNS):
        values = errors[:, column]
        values = values[np.isfinite(values)]
        median, p95, worst = np.median(values), np.percentile(values, 95), values.max()
        over = int(np.sum(values > TOLERANCE_CM))
        passed = median <= GOAL_MEDIAN_CM and p95 <= GOAL_P95_CM
        ok &= passed
        print(f"{NAMES[field]:<12} {median:7.2f} {p95:7.2f} {worst:7.2f}  {over:6d}  {'met' if passed else 'NOT MET'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-gender", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()

    paths = {gender: args.data_dir / name for gender, name in FILES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        print(f"ANSUR II data not found ({', '.join(missing)}); nothing to benchmark.")
        return 0
    print(f"ANSUR II from {args.data_dir}, seed {args.seed}, absolute errors in cm "
          "(failed fits listed on stderr as height/bust/waist/hip)")
    all_ok = True
    for gender, path in paths.items():
        people, skipped = sample(read_people(path, gender), args.per_gender, args.seed)
        errors, failed, seconds = fit_errors(people)
        all_ok &= print_table(gender, errors, failed, skipped, seconds)
    print(f"\ngoal {'met' if all_ok else 'NOT met'} for every gender and measurement")
    return 0


if __name__ == "__main__":
    sys.exit(main())
