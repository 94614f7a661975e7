"""Size presets: every size of the GB/T 1335 charts -> its fitted body, cached on disk.

The charts span, per gender, the statures of the standard's 5.4 series (women
150-180 cm, men 160-190 cm, step 5) and for each body type (Y, A, B, C) a range
of bust/chest girths in steps of 4 cm around the standard's tables; sizes whose
derived measurements fall outside the project's accepted range
(``garment3d.sizes.validate_measurements``) are left out. Bodies come from
``build_body``, whose disk cache keeps each one after its first fit, so a warm
cache means no size is ever fitted twice::

    python -m garment3d.body.presets --warm [--gender female] [--jobs 2]
    python -m garment3d.body.presets --list
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from garment3d.body.build import body_cache_path, build_body
from garment3d.errors import Garment3DError, InvalidMeasurementsError
from garment3d.sizes import parse_size
from garment3d.types import Body, Size

__all__ = ["CHARTS", "Chart", "chart_sizes", "preset_body", "is_cached", "warm", "WarmReport"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Chart:
    """Statures (cm) and, per body type, the (smallest, largest) bust/chest girth (cm), step 4."""

    heights: tuple[int, ...]
    girths: dict[str, tuple[int, int]]
    prefix: str  # label prefix understood by parse_size ("" women, "M" men)


CHARTS = {
    "female": Chart(tuple(range(150, 181, 5)), {"Y": (72, 100), "A": (72, 100), "B": (72, 108), "C": (72, 112)}, ""),
    "male": Chart(tuple(range(160, 191, 5)), {"Y": (80, 104), "A": (76, 100), "B": (76, 108), "C": (76, 112)}, "M"),
}


def _genders(gender: str | None) -> tuple[str, ...]:
    if gender is None:
        return tuple(CHARTS)
    if gender not in CHARTS:
        raise InvalidMeasurementsError(f"gender must be 'female' or 'male', not {gender!r}")
    return (gender,)


def chart_sizes(gender: str | None = None) -> tuple[Size, ...]:
    """Every size of the charts (both genders unless one is named), labels as parse_size reads them."""
    sizes = []
    for g in _genders(gender):
        chart = CHARTS[g]
        for body_type, (low, high) in chart.girths.items():
            for height in chart.heights:
                for girth in range(low, high + 1, 4):
                    try:
                        sizes.append(parse_size(f"{chart.prefix}{height}/{girth}{body_type}", g))
                    except InvalidMeasurementsError:
                        continue  # outside the accepted range
    return tuple(sizes)


def _size(size: Size | str) -> Size:
    return parse_size(size) if isinstance(size, str) else size


def preset_body(size: Size | str, arm_angle_deg: float | None = None) -> Body:
    """The fitted body of a chart size (a Size, or a label such as ``160/84A`` or ``M170/88A``).

    Fitted once, then read from the disk cache. Raises InvalidMeasurementsError
    for labels that are not sizes and BodyModelError if the fit fails.
    """
    return build_body(_size(size).measurements, arm_angle_deg)


def is_cached(size: Size | str, arm_angle_deg: float | None = None) -> bool:
    """Whether the size's body is already on disk."""
    return body_cache_path(_size(size).measurements, arm_angle_deg).is_file()


@dataclass(frozen=True)
class WarmReport:
    built: tuple[str, ...]
    cached: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]  # (label, reason)
    seconds: float


def _warm_one(size: Size) -> tuple[str, str, str]:
    """(label, outcome, reason): outcome is built, cached or failed."""
    if is_cached(size):
        return size.label, "cached", ""
    try:
        preset_body(size)
    except Garment3DError as exc:
        return size.label, "failed", str(exc)
    return size.label, "built", ""


def warm(
    sizes: Iterable[Size] | None = None,
    jobs: int = 1,
    progress: Callable[[str, str], None] | None = None,
) -> WarmReport:
    """Fit and store every size not yet on disk (all chart sizes by default).

    jobs     : worker processes (each fit uses one core).
    progress : called with (label, outcome) after each size.
    """
    started = time.perf_counter()
    todo = list(chart_sizes() if sizes is None else sizes)
    outcomes: dict[str, list] = {"built": [], "cached": [], "failed": []}

    def record(label: str, outcome: str, reason: str) -> None:
        outcomes[outcome].append((label, reason) if outcome == "failed" else label)
        if outcome == "failed":
            log.warning("size %s could not be fitted: %s", label, reason)
        if progress is not None:
            progress(label, outcome)

    if jobs <= 1:
        for size in todo:
            record(*_warm_one(size))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for result in pool.map(_warm_one, todo):
                record(*result)
    return WarmReport(
        built=tuple(outcomes["built"]),
        cached=tuple(outcomes["cached"]),
        failed=tuple(outcomes["failed"]),
        seconds=time.perf_counter() - started,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m garment3d.body.presets", description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--warm", action="store_true", help="fit and cache every chart size not yet on disk")
    action.add_argument("--list", action="store_true", help="list the chart sizes and whether each is cached")
    parser.add_argument("--gender", choices=tuple(CHARTS), help="only this gender's chart")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for --warm")
    args = parser.parse_args(argv)
    sizes = chart_sizes(args.gender)
    if args.list:
        for size in sizes:
            m = size.measurements
            state = "cached" if is_cached(size) else "-"
            values = f"{m.height_cm:5.0f} {m.bust_cm:5.0f} {m.waist_cm:5.0f} {m.hip_cm:6.1f}"
            print(f"{size.label:<10} {m.gender:<6} {values}  {state}")
        return 0

    from tqdm import tqdm

    with tqdm(total=len(sizes), unit="size") as bar:

        def progress(label: str, outcome: str) -> None:
            bar.set_postfix_str(f"{label} {outcome}")
            bar.update()

        report = warm(sizes, jobs=args.jobs, progress=progress)
    print(f"{len(report.built)} built, {len(report.cached)} already cached, {len(report.failed)} failed "
          f"in {report.seconds:.0f} s")
    for label, reason in report.failed:
        print(f"  {label}: {reason}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main())
