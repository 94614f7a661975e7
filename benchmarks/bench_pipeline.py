"""Per-stage wall time of the demo sample (A-line skirt, 160/84A, red linen, standard quality).

Run: .venv/bin/python benchmarks/bench_pipeline.py [--runs N]
The first run uses an empty body cache (the body is fitted); later runs reuse it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--quality", default="standard")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GARMENT3D_CACHE_DIR"] = str(Path(tmp) / "cache")
        from garment3d.pipeline import STAGES, SampleRequest, run_sample
        from garment3d.warmup import warm_up_all

        warm_up_all()
        rows, reports = [], []
        for run in range(args.runs):
            start = time.perf_counter()
            result = run_sample(SampleRequest(quality=args.quality), Path(tmp) / f"run{run}")
            rows.append(dict(result.timings) | {"total": time.perf_counter() - start})
            reports.append(result.report)
    header = f"{'stage':<10}" + "".join(f"{'run ' + str(i + 1) + (' (cold body)' if i == 0 else ''):>20}" for i in range(args.runs))
    print(header)
    for stage in (*STAGES, "total"):
        print(f"{stage:<10}" + "".join(f"{row[stage]:>19.2f}s" for row in rows))
    r = reports[-1]
    print(
        f"\ndrape: {r.vertex_count} vertices, {r.steps} substeps, {r.simulated_s:.2f} s simulated, "
        f"settled={r.settled}, seam gap {r.max_seam_gap_mm:.2f} mm, inside {r.inside_share:.2%}, "
        f"strain max {r.max_edge_strain:.1%} p95 {r.p95_edge_strain:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
