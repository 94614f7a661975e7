"""Fit the body to real people from ANSUR II and print how well it matches them (not part of the tests).

    python benchmarks/bench_body_ansur.py [--per-gender 100] [--seed 0] [--given-heights | --given-arm | --given-leg]
                                          [--data-dir DIR]
    python benchmarks/bench_body_ansur.py --regression     # re-estimate garment3d.body.heights

ANSUR II (US Army anthropometric survey, 2012, public domain; 1,986 women and
4,082 men, millimetres) is read at run time from
``../shared/data/measurements/ANSUR_II_{FEMALE,MALE}_Public.csv`` next to the
repository (override with ``--data-dir``); it is not shipped. Without the files
the benchmark says so and exits with status 0.

For each gender it shuffles the subjects with ``--seed`` and takes the first
``--per-gender`` whose measurements lie in the accepted range. Each subject is
fitted as ``build_body`` fits (``fit_dress_form``) from stature, chest, waist
and buttock circumference, the waist given where ANSUR takes it (at the navel,
``waist_at="navel"``). The control heights are predicted by the population
model (``garment3d.body.heights``) unless ``--given-heights`` passes the
subject's own natural waist height (midway between ``tenthribheight`` and
``iliocristaleheight``) and cervical height, and with them the subject's own
arm length (``acromionradialelength + radialestylionlength``, shoulder point to
wrist) and thigh girth (``thighcircumference``). ``--given-arm`` passes only
the subject's own arm length, as a tailor measures a sleeve; the control
heights are then predicted given it (``garment3d.body.heights``).
``--given-leg`` passes the subject's own inside leg (``crotchheight``, floor
to crotch), the trouser measurement a tailor takes: the legs are fitted to it
and the control heights predicted given it (with ``--given-arm`` as well, both).
The shuffle
depends on ``--seed`` alone, so every option fits the same people (unless a
given value lies out of range).

Printed per gender:
- girth error at each landmark ANSUR measures: bust point (chest
  circumference), navel (waist circumference), buttock prominence (buttock
  circumference); median, p95, max (cm);
- the share of bodies whose natural waist lies inside the subject's own
  10th-rib to iliac-crest band (with the share for the control height alone,
  the misses above and below the band, by how much, and how many of them the
  fit itself caused; each miss listed on stderr), and whose narrowest torso
  girth lies inside the body's own band (the waist really is the waist);
- height errors: the body's navel against ANSUR's ``waistheightomphalion``,
  the natural waist against the subject's mid-band, the back neck point against
  ``cervicaleheight``, and the population model's own error on these subjects;
- the inside leg (the body's crotch height) against ``crotchheight``;
- limbs: the arm length (shoulder point to wrist) against the subject's, one
  thigh's girth at the gluteal fold against ``thighcircumference`` (and the
  population model's errors on both), the girth round both thighs minus the
  hip girth (signed: positive where the thighs stand out past the hip) and the
  smallest gap between the thighs;
- refusals (``build_body`` would refuse: more than 1 cm off a requested
  value), creased bodies (``garment3d.body.smoothness``), fit times.
Timings on a shared machine are only comparable within one run.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from garment3d.body.build import fit_dress_form
from garment3d.body.fit import FitOptions
from garment3d.body.heights import (
    COEFFICIENTS,
    CONDITIONED,
    control_values_cm,
    predict_arm_length_cm,
    predict_cervical_height_cm,
    predict_thigh_cm,
    predict_waist_height_cm,
)
from garment3d.body.model import load_model
from garment3d.body.smoothness import find_creases, girth_profile
from garment3d.errors import BodyModelError, InvalidMeasurementsError
from garment3d.settings import REPO_ROOT
from garment3d.sizes import validate_measurements
from garment3d.types import Measurements

# ../shared next to the repository (CI), or two levels up (a worktree under wt/)
DEFAULT_DIR = next(
    (d for d in (REPO_ROOT.parent / "shared" / "data" / "measurements",
                 REPO_ROOT.parent.parent / "shared" / "data" / "measurements") if d.is_dir()),
    REPO_ROOT.parent / "shared" / "data" / "measurements",
)
FILES = {"female": "ANSUR_II_FEMALE_Public.csv", "male": "ANSUR_II_MALE_Public.csv"}
TOLERANCE_CM = 1.0


@dataclass(frozen=True)
class Subject:
    request: Measurements  # what the fitter gets
    rib_cm: float
    crest_cm: float
    navel_cm: float
    cervical_cm: float
    arm_cm: float  # acromion-radiale plus radiale-stylion: shoulder point to wrist
    thigh_cm: float
    crotch_cm: float  # crotchheight: the inside leg, floor to crotch


def _mm(row: dict, name: str) -> float:
    return float(row[name]) / 10.0


def read_subjects(path: Path, gender: str, given_heights: bool, given_arm: bool = False,
                  given_leg: bool = False) -> list[Subject]:
    """Every subject of one ANSUR II file (mm -> cm)."""
    with path.open(encoding="latin-1", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        rib, crest = _mm(row, "tenthribheight"), _mm(row, "iliocristaleheight")
        cervical = _mm(row, "cervicaleheight")
        arm = _mm(row, "acromionradialelength") + _mm(row, "radialestylionlength")
        thigh = _mm(row, "thighcircumference")
        crotch = _mm(row, "crotchheight")
        request = Measurements(
            height_cm=_mm(row, "stature"),
            bust_cm=_mm(row, "chestcircumference"),
            waist_cm=_mm(row, "waistcircumference"),
            hip_cm=_mm(row, "buttockcircumference"),
            gender=gender,
            waist_at="navel",
            waist_height_cm=(rib + crest) / 2 if given_heights else None,
            cervical_height_cm=cervical if given_heights else None,
            arm_length_cm=arm if given_heights or given_arm else None,
            thigh_cm=thigh if given_heights else None,
            inside_leg_cm=crotch if given_heights or given_leg else None,
        )
        out.append(Subject(request, rib, crest, _mm(row, "waistheightomphalion"), cervical, arm, thigh, crotch))
    return out


def sample(subjects: list[Subject], count: int, seed: int) -> tuple[list[Subject], int]:
    """The first ``count`` in-range subjects in a seeded shuffle, and how many were passed over."""
    order = np.random.default_rng(seed).permutation(len(subjects))
    chosen, skipped = [], 0
    for index in order:
        if len(chosen) == count:
            break
        try:
            validate_measurements(subjects[index].request)
        except InvalidMeasurementsError:
            skipped += 1
            continue
        chosen.append(subjects[index])
    return chosen, skipped


COLUMNS = (
    "bust", "waist_navel", "hip", "natural_in_band", "model_in_band", "outside_band", "narrowest_in_own_band",
    "navel_height", "natural_height", "cervical_height", "model_natural", "model_cervical",
    "arm", "thigh", "model_arm", "model_thigh", "thighs_over_hip", "thigh_gap", "inside_leg",
    "refused", "creased", "seconds",
)


def _narrowest_y(vertices, faces, meas) -> float:
    """Height of the narrowest torso girth between the crotch and the armpits (the body's own waist)."""
    levels, girths = girth_profile(vertices, faces, meas.axis_xz, meas.hip_y, meas.bust_y)
    return float(levels[np.nanargmin(girths)]) if np.isfinite(girths).any() else math.nan


def evaluate(subject: Subject, model) -> dict[str, float]:
    """One fit and what it shows (cm, s; NaN where the fit failed)."""
    out = dict.fromkeys(COLUMNS, math.nan)
    req = subject.request
    predicted = control_values_cm(req)["waist_height"]  # given, or predicted (given the arm length or inside leg if given)
    out["model_natural"] = predicted - (subject.rib_cm + subject.crest_cm) / 2
    out["model_in_band"] = float(subject.crest_cm <= predicted <= subject.rib_cm)
    out["model_cervical"] = predict_cervical_height_cm(req) - subject.cervical_cm
    out["model_arm"] = predict_arm_length_cm(req) - subject.arm_cm
    out["model_thigh"] = predict_thigh_cm(req) - subject.thigh_cm
    start = time.perf_counter()
    try:
        vertices, meas = fit_dress_form(model, req, FitOptions(tolerance_cm=math.inf))
    except BodyModelError as exc:
        print(f"  cannot fit {_describe(req)}: {exc}", file=sys.stderr)
        out["refused"], out["seconds"] = 1.0, time.perf_counter() - start
        return out
    out["seconds"] = time.perf_counter() - start
    out["bust"] = (meas.bust_girth * 100 - req.bust_cm)
    out["waist_navel"] = (meas.navel_girth * 100 - req.waist_cm)
    out["hip"] = (meas.hip_girth * 100 - req.hip_cm)
    natural = meas.waist_y * 100
    out["natural_in_band"] = float(subject.crest_cm <= natural <= subject.rib_cm)
    # signed distance outside the band: + above the rib, - below the crest, 0 inside
    out["outside_band"] = max(natural - subject.rib_cm, 0.0) - max(subject.crest_cm - natural, 0.0)
    if out["outside_band"]:
        print(f"  natural waist outside the band: {_describe(req)}, {out['outside_band']:+.2f} cm "
              f"(band {subject.crest_cm:.1f}-{subject.rib_cm:.1f}, body {natural:.1f}, "
              f"control height {predicted:.1f})", file=sys.stderr)
    narrowest = _narrowest_y(vertices, model.faces, meas)
    out["narrowest_in_own_band"] = float(meas.crest_y - 0.005 <= narrowest <= meas.rib_y + 0.005)
    out["navel_height"] = meas.navel_y * 100 - subject.navel_cm
    out["natural_height"] = natural - (subject.rib_cm + subject.crest_cm) / 2
    out["cervical_height"] = meas.cervicale_y * 100 - subject.cervical_cm
    out["arm"] = meas.arm_length * 100 - subject.arm_cm
    out["thigh"] = meas.thigh_girth * 100 - subject.thigh_cm
    out["thighs_over_hip"] = (meas.thighs_girth - meas.hip_girth) * 100
    out["thigh_gap"] = meas.thigh_gap * 100
    out["inside_leg"] = meas.crotch_y * 100 - subject.crotch_cm
    misses = [abs(out[k]) for k in ("bust", "waist_navel", "hip")] + [abs(meas.stature * 100 - req.height_cm)]
    if req.waist_height_cm is not None:
        misses += [abs(out["natural_height"]), abs(out["cervical_height"]), abs(out["arm"])]
    if req.inside_leg_cm is not None:
        misses.append(abs(out["inside_leg"]))
    out["refused"] = float(max(misses) > TOLERANCE_CM)
    if out["refused"]:
        print(f"  beyond {TOLERANCE_CM:g} cm: {_describe(req)} misses {max(misses):.2f} cm", file=sys.stderr)
    levels, girths = girth_profile(vertices, model.faces, meas.axis_xz, meas.crotch_y, meas.armpit_y)
    creases = find_creases(levels, girths)
    out["creased"] = float(len(creases) > 0)
    if len(creases):
        print(f"  creased: {_describe(req)} at {', '.join(f'{y * 100:.1f}' for y in creases)} cm "
              f"(crotch {meas.crotch_y * 100:.1f}, natural waist {meas.waist_y * 100:.1f}, armpit "
              f"{meas.armpit_y * 100:.1f})", file=sys.stderr)
    return out


def _describe(m: Measurements) -> str:
    return f"{m.height_cm:.1f}/{m.bust_cm:.1f}/{m.waist_cm:.1f}/{m.hip_cm:.1f}"


def _stats(values: np.ndarray) -> str:
    v = values[np.isfinite(values)]
    if len(v) == 0:
        return f"{'-':>7} {'-':>7} {'-':>7}"
    a = np.abs(v)
    return f"{np.median(a):7.2f} {np.percentile(a, 95):7.2f} {a.max():7.2f}"


def _signed(values: np.ndarray) -> str:
    """Median, 5th and 95th percentile, max of signed values."""
    v = values[np.isfinite(values)]
    if len(v) == 0:
        return "-"
    return (f"median {np.median(v):+.2f}, p5 {np.percentile(v, 5):+.2f}, p95 {np.percentile(v, 95):+.2f}, "
            f"max {v.max():+.2f}")


def print_table(gender: str, rows: list[dict[str, float]], skipped: int) -> None:
    col = {k: np.array([r[k] for r in rows]) for k in COLUMNS}
    n = len(rows)
    print(f"\n{gender}: {n} subjects ({skipped} passed over as outside the accepted range)")
    print(f"{'absolute error, cm':<46} {'median':>7} {'p95':>7} {'max':>7}")
    print(f"{'bust girth at the bust point':<46} {_stats(col['bust'])}")
    print(f"{'waist girth at the navel (ANSUR waist)':<46} {_stats(col['waist_navel'])}")
    print(f"{'hip girth at buttock prominence':<46} {_stats(col['hip'])}")
    print(f"{'navel height vs waistheightomphalion':<46} {_stats(col['navel_height'])}")
    print(f"{'natural waist height vs mid rib-crest':<46} {_stats(col['natural_height'])}")
    print(f"{'back neck point vs cervicaleheight':<46} {_stats(col['cervical_height'])}")
    print(f"{'  population model alone: natural waist':<46} {_stats(col['model_natural'])}")
    print(f"{'  population model alone: cervical height':<46} {_stats(col['model_cervical'])}")
    print(f"{'inside leg (crotch height) vs crotchheight':<46} {_stats(col['inside_leg'])}")
    print(f"{'arm length vs acromion-radiale-stylion':<46} {_stats(col['arm'])}")
    print(f"{'thigh girth vs thighcircumference':<46} {_stats(col['thigh'])}")
    print(f"{'  population model alone: arm length':<46} {_stats(col['model_arm'])}")
    print(f"{'  population model alone: thigh girth':<46} {_stats(col['model_thigh'])}")
    over = col["thighs_over_hip"]
    options = FitOptions()
    allowance = 2 * options.thigh_gap_cm if gender in options.thighs_bridged else 0.0
    print(f"girth round both thighs minus hip, cm: {_signed(over)}; over the hip (plus {allowance:g} cm for the "
          f"gap between the thighs) by more than 0.5 cm: {int(np.nansum(over > allowance + 0.5))}")
    print(f"gap between the thighs, cm: {_signed(col['thigh_gap'])}")
    print(f"thigh girth minus the subject's, cm: {_signed(col['thigh'])}")
    fitted = np.isfinite(col["natural_in_band"])
    share = np.nanmean(col["natural_in_band"]) * 100 if fitted.any() else math.nan
    own = np.nanmean(col["narrowest_in_own_band"]) * 100 if fitted.any() else math.nan
    print(f"natural waist inside the subject's 10th-rib..iliac-crest band: {share:.0f} % (goal >= 90 %)")
    model_share = np.nanmean(col["model_in_band"]) * 100
    print(f"  the control height alone (predicted or given) inside that band: {model_share:.0f} %")
    out_band = col["outside_band"]
    above, below = out_band[out_band > 0], -out_band[out_band < 0]
    for where, miss in (("above the 10th rib", above), ("below the iliac crest", below)):
        if len(miss):
            print(f"  natural waist {where}: {len(miss)}, by median {np.median(miss):.2f} cm, max {miss.max():.2f} cm")
    fitter_misses = int(np.nansum((col["natural_in_band"] == 0) & (col["model_in_band"] == 1)))
    print(f"  misses whose control height lay inside the band (the fit's own doing): {fitter_misses}")
    print(f"narrowest torso girth inside the body's own rib..crest band: {own:.0f} %")
    refused, creased = int(np.nansum(col["refused"])), int(np.nansum(col["creased"]))
    secs = col["seconds"]
    print(f"refused: {refused} of {n}; creased: {creased}; fit seconds median {np.median(secs):.2f}, "
          f"p95 {np.percentile(secs, 95):.2f}, max {secs.max():.2f}")


def regression(paths: dict[str, Path]) -> None:
    """Least squares of the control heights on stature, bust and hip, per gender, over every subject."""
    for gender, path in paths.items():
        subjects = read_subjects(path, gender, given_heights=False)
        x = np.array([[1.0, s.request.height_cm, s.request.bust_cm, s.request.hip_cm] for s in subjects])
        targets = {
            "waist_height": np.array([(s.rib_cm + s.crest_cm) / 2 for s in subjects]),
            "cervical_height": np.array([s.cervical_cm for s in subjects]),
            "arm_length": np.array([s.arm_cm for s in subjects]),
            "inside_leg": np.array([s.crotch_cm for s in subjects]),
            "thigh": np.array([s.thigh_cm for s in subjects]),
        }
        for name, y in targets.items():
            coef, *_ = np.linalg.lstsq(x, y, rcond=None)
            resid = y - x @ coef
            shipped = np.asarray(COEFFICIENTS[gender][name])
            print(f"{gender} {name}: ({', '.join(f'{c:.4f}' for c in coef)}) residual sd {resid.std():.2f} cm, "
                  f"p95 |error| {np.percentile(np.abs(resid), 95):.2f} cm, n {len(y)}; shipped "
                  f"coefficients' sd {np.std(y - x @ shipped):.2f} cm")
        # The ceiling of the band share: a body whose natural waist sits exactly at the predicted height.
        rib = np.array([s.rib_cm for s in subjects])
        crest = np.array([s.crest_cm for s in subjects])
        predicted = x @ np.asarray(COEFFICIENTS[gender]["waist_height"])
        inside = np.mean((predicted >= crest) & (predicted <= rib)) * 100
        print(f"{gender}: the predicted natural waist height lies inside the subject's own 10th-rib..iliac-crest "
              f"band for {inside:.1f} % of all {len(subjects)} subjects (median half band "
              f"{np.median(rib - crest) / 2:.2f} cm)")
        residuals = np.column_stack([targets[n] - x @ np.asarray(COEFFICIENTS[gender][n]) for n in CONDITIONED])
        cov = np.cov(residuals.T, bias=True)
        print(f"{gender} residual covariance of {', '.join(CONDITIONED)} (cm^2): "
              f"{np.round(cov, 3).tolist()}")
        # given the arm length; the cervical height; both; the inside leg; it and the arm length; all three
        for known in ([2], [1], [1, 2], [3], [2, 3], [1, 2, 3]):
            shift = cov[np.ix_([0], known)] @ np.linalg.solve(cov[np.ix_(known, known)], residuals[:, known].T)
            inside = np.mean((predicted + shift[0] >= crest) & (predicted + shift[0] <= rib)) * 100
            print(f"  given {' and '.join(CONDITIONED[k] for k in known)}: inside the band for {inside:.1f} %")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-gender", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--given-heights", action="store_true", help="pass the subjects' own control heights")
    parser.add_argument("--given-arm", action="store_true",
                        help="pass only the subjects' own arm length (the heights predicted given it)")
    parser.add_argument("--given-leg", action="store_true",
                        help="pass the subjects' own inside leg (the legs fitted to it, the heights predicted given it)")
    parser.add_argument("--regression", action="store_true", help="re-estimate the height model and stop")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()

    paths = {gender: args.data_dir / name for gender, name in FILES.items()}
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        print(f"ANSUR II data not found ({', '.join(missing)}); nothing to benchmark.")
        return 0
    if args.regression:
        regression(paths)
        return 0
    heights = "the subjects' own" if args.given_heights else "predicted by the population model"
    given = [what for what, flag in (("arm length", args.given_arm), ("inside leg", args.given_leg)) if flag]
    if given and not args.given_heights:
        heights += f" given the subjects' own {' and '.join(given)}"
    print(f"ANSUR II from {args.data_dir}, seed {args.seed}, control heights {heights}; "
          "refusals and failed fits listed on stderr as height/bust/waist/hip")
    model = load_model()
    for gender, path in paths.items():
        subjects, skipped = sample(read_subjects(path, gender, args.given_heights, args.given_arm, args.given_leg),
                                   args.per_gender, args.seed)
        rows = [evaluate(s, model) for s in subjects]
        print_table(gender, rows, skipped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
