"""Render-stage timings: renderer setup, one turntable frame, one still, GLB write.

Uses the synthetic mannequin and cone skirt of the render tests (a real scan as
the fabric). Not part of the test run.

    .venv/bin/python benchmarks/bench_render.py [--spacing 0.01] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "render"))

from render_synthetic import LINEN_SCAN, make_body, make_fabric, make_skirt_drape  # noqa: E402

from garment3d import render  # noqa: E402
from garment3d.export_glb import write_glb  # noqa: E402
from garment3d.types import RenderOptions  # noqa: E402


def timed(action, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spacing", type=float, default=0.01, help="skirt mesh spacing, m (0.01: ~23k triangles)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    body = make_body()
    drape = make_skirt_drape(spacing=args.spacing)
    fabric = make_fabric(LINEN_SCAN)
    rows = []
    print(
        f"garment: {len(drape.positions)} vertices, {len(drape.garment.faces)} triangles; "
        f"body: {len(body.faces)} triangles"
    )

    for shadows in (True, False):
        studio = render.Studio(shadows=shadows)
        label = "shadows" if shadows else "no shadows"
        started = time.perf_counter()
        with render._open_turntable(drape, body, fabric, RenderOptions.mannequin_rgb, studio) as turntable:
            turntable.render(0.0, 64)  # the first draw uploads meshes and textures and compiles shaders
            rows.append((f"renderer setup + first draw ({label})", [time.perf_counter() - started]))
            for name, size in ((f"frame 512 px ({label})", 512), (f"still 1024 px ({label})", 1024)):
                angles = iter(range(0, 3600, 10))  # a new view each run
                rows.append((name, timed(lambda a=angles, s=size: turntable.render(next(a), s), args.repeat)))
            frame = turntable.render(0.0, 512)

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        rows.append(("PNG save 512 px", timed(lambda: render._save_png(frame, out / "frame.png"), args.repeat)))
        rows.append(("GLB write", timed(lambda: write_glb(drape, body, fabric, out / "garment.glb"), args.repeat)))
        options = RenderOptions(frames=12, size_px=512)
        rows.append(
            (
                "render_turntable, 12 frames 512 px",
                timed(lambda: render.render_turntable(drape, body, fabric, options, out / "turntable"), 1),
            )
        )

    width = max(len(name) for name, _ in rows)
    print(f"{'step':<{width}}  {'median s':>9}  {'min s':>7}  {'runs':>4}")
    for name, times in rows:
        print(f"{name:<{width}}  {statistics.median(times):>9.3f}  {min(times):>7.3f}  {len(times):>4}")


if __name__ == "__main__":
    main()
