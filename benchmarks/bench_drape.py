"""Drape wall time by garment, size and mesh density, with the quality gates.

Run: .venv/bin/python benchmarks/bench_drape.py [--pattern all|NAME] [--fabric poplin_grey]

Per garment: size M at 0.5x, 1x and 2x the default vertex density (spacing
1 cm x sqrt(2), 1 cm, 1 cm / sqrt(2)), and sizes S and XL at 1x (GB/T
155/80A, 160/84A, 170/92A). Targets: a knee-length qipao or shift dress at
1 cm under 10 s, the A-line skirt under 5 s. Times are wall-clock on this
machine and noisy when it is shared.
"""

from __future__ import annotations

import argparse
import math
import sys

SIZES = {"S": "155/80A", "M": "160/84A", "XL": "170/92A"}
DENSITIES = {"0.5x": 0.01 * math.sqrt(2), "1x": 0.01, "2x": 0.01 / math.sqrt(2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fabric", default="poplin_grey")
    parser.add_argument("--pattern", default="all", help="a library pattern, or 'all'")
    args = parser.parse_args()
    from garment3d.body import build_body
    from garment3d.drape import drape
    from garment3d.fabrics import load_fabric
    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.patterns import evaluate, get_definition, list_patterns
    from garment3d.sizes import parse_size
    from garment3d.warmup import warm_up

    warm_up()
    fabric = load_fabric(args.fabric)
    names = list_patterns() if args.pattern == "all" else [args.pattern]
    print(f"{'pattern':<14}{'size':<11}{'density':>8}{'verts':>7}{'substeps':>9}{'sim s':>7}{'wall s':>8}"
          f"{'ms/substep':>11}{'gap mm':>8}{'inside':>8}{'crossings':>10}{'p95 strain':>11}{'settled':>8}")
    rows = [("M", d) for d in ("0.5x", "1x", "2x")] + [("S", "1x"), ("XL", "1x")]
    for name in names:
        definition = get_definition(name)
        for size_name, density in rows:
            size = parse_size(SIZES[size_name])
            body = build_body(size.measurements)
            pattern = evaluate(definition, size.measurements, size_label=size.label)
            garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=DENSITIES[density]))
            r = drape(garment, body, fabric).report
            print(f"{name:<14}{size_name + ' ' + size.label:<11}{density:>8}{r.vertex_count:>7}{r.steps:>9}"
                  f"{r.simulated_s:>7.2f}{r.wall_s:>8.2f}{1000 * r.wall_s / r.steps:>11.2f}{r.max_seam_gap_mm:>8.2f}"
                  f"{r.inside_share:>8.2%}{r.self_intersections:>10}{r.p95_edge_strain:>11.1%}{str(r.settled):>8}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
