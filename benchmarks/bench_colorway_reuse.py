"""A colorway-only change with a drape cache: wall time of the first sample and of the same sample in
another colour (only the render runs), at draft quality by default.

    python benchmarks/bench_colorway_reuse.py [--pattern a_line_skirt] [--fabric linen_red]
                                              [--colorway "#1f4e9c"] [--quality draft] [--out DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from garment3d.pipeline import SampleRequest, run_sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pattern", default="a_line_skirt")
    parser.add_argument("--fabric", default="linen_red")
    parser.add_argument("--colorway", default="#1f4e9c")
    parser.add_argument("--quality", default="draft", choices=("draft", "standard"))
    parser.add_argument("--out", type=Path, default=None, help="keep the two samples here (default: a temp folder)")
    args = parser.parse_args()
    request = SampleRequest(pattern=args.pattern, fabric=args.fabric, quality=args.quality,
                            outputs=("frames", "stills", "glb"))
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.out or Path(scratch)
        cache = Path(folder) / "drapes"
        rows = []
        for label, req in (("first", request), ("colorway", SampleRequest(**{**request.__dict__,
                                                                               "colorway": args.colorway}))):
            start = time.perf_counter()
            result = run_sample(req, Path(folder) / label, drape_cache=cache)
            rows.append((label, time.perf_counter() - start, dict(result.timings)))
    print(f"{'sample':<10} {'wall s':>8}  stages")
    for label, wall, stages in rows:
        print(f"{label:<10} {wall:8.2f}  " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    print(f"colorway / first wall time: {rows[1][1] / rows[0][1]:.2f}")


if __name__ == "__main__":
    main()
