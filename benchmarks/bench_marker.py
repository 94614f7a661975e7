"""Benchmark the marker (fabric consumption) estimate; prints a table (not part of the tests).

    python benchmarks/bench_marker.py [--allowance CM] [--resolution CM] [--allow-90]

For the A-line skirt at GB/T 1335 women's sizes 155/80A .. 175/96A and fabric
widths 114 and 150 cm: piece area (cut lines, seam allowance included), the
greedy bottom-left marker length, its efficiency (piece area / used area), the
trivial lower bound (area / width) and the ratio of the marker to that bound.
"""

from __future__ import annotations

import argparse
import time

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.consumption import estimate_marker
from garment3d.sizes import parse_size

SIZES = ("155/80A", "160/84A", "165/88A", "170/92A", "175/96A")
WIDTHS_CM = (114.0, 150.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allowance", type=float, default=1.0, help="seam allowance, cm (default 1)")
    parser.add_argument("--resolution", type=float, default=0.5, help="raster cell, cm (default 0.5)")
    parser.add_argument("--allow-90", action="store_true", help="let pieces turn 90 degrees (knits)")
    args = parser.parse_args()
    definition = get_definition("a_line_skirt")
    header = (f"{'size':<8} {'width cm':>8} {'area m2':>8} {'marker m':>9} {'efficiency':>10} "
              f"{'bound m':>8} {'ratio':>6} {'order':>7} {'time s':>7}")
    print(f"A-line skirt, seam allowance {args.allowance:g} cm, raster {args.resolution:g} cm, "
          f"rotations {'0/90/180/270' if args.allow_90 else '0/180'}")
    print(header)
    print("-" * len(header))
    for label in SIZES:
        pattern = evaluate(definition, parse_size(label).measurements, size_label=label)
        for width in WIDTHS_CM:
            start = time.perf_counter()
            estimate = estimate_marker(pattern, width, seam_allowance=args.allowance, allow_90=args.allow_90,
                                       resolution_cm=args.resolution)
            elapsed = time.perf_counter() - start
            print(f"{label:<8} {width:>8.0f} {estimate.pieces_area_cm2 / 1e4:>8.3f} {estimate.marker_length_m:>9.3f} "
                  f"{estimate.efficiency:>10.1%} {estimate.lower_bound_m:>8.3f} {estimate.ratio_to_bound:>6.3f} "
                  f"{estimate.order:>7} {elapsed:>7.2f}")


if __name__ == "__main__":
    main()
