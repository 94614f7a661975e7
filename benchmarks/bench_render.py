"""Render-stage timings against pure rasterisation of the same scene, measured in the same run.

The baseline is pyrender drawing the same triangles (garment + display figure)
at the same pixel counts with flat shading, no lights, no shadows and no
encoding: the least any turntable can cost on this OpenGL. Reported:

- the turntable workload (36 frames at 512 px + front/side/back at 1024 px):
  baseline, our draws alone, and the whole ``render_turntable`` with every
  output (and with frames + animated WebP + stills only), and the ratios;
  ``render_turntable`` from a cold start (context, shaders and llvmpipe's
  machine code made in the timed call) and as the pipeline runs it, with that
  set-up prepared while the cloth drapes (``prepare_render``, not timed);
- the time from the start of the render stage to the first frame;
- per-frame time against the baseline by resolution and by triangle count.

Uses the synthetic dress form and cone skirt of the render tests (a real scan
as the fabric). Not part of the test run; timings on a shared machine are
noisy, the ratios within one run are the figure.

    .venv/bin/python benchmarks/bench_render.py [--spacing 0.01] [--repeat 3] [--table-only]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "render"))

from render_synthetic import LINEN_SCAN, make_body, make_fabric, make_skirt_drape  # noqa: E402

from garment3d.render import build_figure, open_scene, render_turntable  # noqa: E402
from garment3d.render.turntable import STILL_VIEWS, prepare_render  # noqa: E402
from garment3d.types import RenderOptions  # noqa: E402

FRAMES, FRAME_PX, STILL_PX = 36, 512, 1024


class Baseline:
    """pyrender, flat shading, the same triangles and camera; no lights, shadows or encoding."""

    def __init__(self, drape, figure, framing):
        import pyrender
        import trimesh

        self.pyrender = pyrender
        self.scene = pyrender.Scene(bg_color=[0.9, 0.9, 0.9, 1.0])
        meshes = [trimesh.Trimesh(drape.positions, drape.garment.faces, process=False)]
        meshes += [trimesh.Trimesh(p.surface.positions, p.surface.faces, process=False) for p in figure.parts]
        self.nodes = [self.scene.add(pyrender.Mesh.from_trimesh(m, smooth=False)) for m in meshes]
        camera = pyrender.PerspectiveCamera(yfov=framing.yfov, znear=framing.near, zfar=framing.far)
        self.scene.add(camera, pose=framing.pose)
        self.renderer = pyrender.OffscreenRenderer(FRAME_PX, FRAME_PX)

    def render(self, azimuth: float, size: int) -> None:
        from garment3d.render.camera import turn_about_axis

        pose = turn_about_axis(-azimuth, np.zeros(2))
        for node in self.nodes:
            self.scene.set_pose(node, pose)
        self.renderer.viewport_width = self.renderer.viewport_height = size
        self.renderer.render(self.scene, flags=self.pyrender.RenderFlags.FLAT)

    def close(self) -> None:
        self.renderer.delete()


def workload(render) -> None:
    for index in range(FRAMES):
        render(360.0 * index / FRAMES, FRAME_PX)
    for _, azimuth in STILL_VIEWS:
        render(azimuth, STILL_PX)


def per_frame(render, size: int, count: int = 8) -> float:
    started = time.perf_counter()
    for index in range(count):
        render(45.0 * index, size)
    return (time.perf_counter() - started) / count


def first_frame_seconds(drape, body, fabric, out: Path, prepared: bool = False) -> float:
    """Seconds from calling render_turntable to its log line for the first frame.

    ``prepared``: the figure and GL context made beforehand (the pipeline does it while the cloth drapes).
    """
    from garment3d.render.turntable import prepare_render

    seen: list[float] = []

    class Catch(logging.Handler):
        def emit(self, record):
            if record.getMessage().startswith("first frame"):
                seen.append(float(record.getMessage().split()[2]))

    logger = logging.getLogger("garment3d.render.turntable")
    handler = Catch()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    options = RenderOptions(outputs=("frames",), frames=1)
    ready = prepare_render(body, options, fabric).result() if prepared else None
    try:
        render_turntable(drape, body, fabric, options, out, prepared=ready)
    finally:
        logger.removeHandler(handler)
    return seen[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spacing", type=float, default=0.01, help="skirt mesh spacing, m (0.01: ~22k triangles)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--first-frame-only", action="store_true", help="only the time to the first frame")
    parser.add_argument("--table-only", action="store_true", help="only the workload table and the first frame")
    args = parser.parse_args()

    body = make_body()
    fabric = make_fabric(LINEN_SCAN)
    drape = make_skirt_drape(spacing=args.spacing)
    figure = build_figure(body, "dress_form")
    if args.first_frame_only:
        print_first_frame(drape, body, fabric, args.repeat)
        return
    triangles = len(drape.garment.faces) + sum(len(p.surface.faces) for p in figure.parts)
    print(f"scene: {triangles} triangles (garment {len(drape.garment.faces)}, dress form and stand "
          f"{triangles - len(drape.garment.faces)})")

    sizes = (256, 512, 1024, 2048)
    with open_scene(drape, body, fabric, RenderOptions()) as scene:
        framing = scene.framing
    names = (
        "pure rasterisation (pyrender flat, no encoding)",
        "our draws + readback (no encoding)",
        "render_turntable, frames + webp + stills",
        "render_turntable, every output (+gif, mp4, sprite, glb)",
        "  the same two, set-up prepared during the drape: frames + webp + stills",
        "  every output",
    )
    lean_options = RenderOptions(outputs=("frames", "webp", "stills"))
    measured = {name: [] for name in names}
    base_sizes, our_sizes = [], []
    # Every row once per repetition, in turn (the machine is shared: load changes by the minute), one GL
    # context at a time (pyrender's EGL teardown terminates the shared display).
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for repetition in range(args.repeat):
            baseline = Baseline(drape, figure, framing)
            try:
                baseline.render(0.0, FRAME_PX)
                baseline.render(0.0, STILL_PX)
                measured[names[0]].append(_timed(lambda: workload(baseline.render)))
                if not args.table_only:
                    base_sizes.append([per_frame(baseline.render, size) for size in sizes])
            finally:
                baseline.close()
            with open_scene(drape, body, fabric, RenderOptions()) as scene:
                scene.render(0.0, FRAME_PX)
                scene.render(0.0, STILL_PX)
                measured[names[1]].append(_timed(lambda: workload(scene.render)))
                if not args.table_only:
                    our_sizes.append([per_frame(scene.render, size) for size in sizes])
            for name, options, prepared in (
                (names[2], lean_options, False), (names[3], RenderOptions(), False),
                (names[4], lean_options, True), (names[5], RenderOptions(), True),
            ):
                ready = prepare_render(body, options, fabric).result() if prepared else None
                target = out / f"{len(measured[name])}{name[:12].strip()}"
                measured[name].append(_timed(
                    lambda: render_turntable(drape, body, fabric, options, target, prepared=ready)))

    wall = {name: statistics.median(w for w, _ in values) for name, values in measured.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in measured.items()}
    b, b_cpu = wall[names[0]], cpu[names[0]]
    print(f"\nworkload: {FRAMES} frames at {FRAME_PX} px + {len(STILL_VIEWS)} stills at {STILL_PX} px; "
          f"median of {args.repeat}; CPU: seconds of every thread and child process (ffmpeg), steadier than "
          f"wall time on a shared machine")
    width = max(len(name) for name in names)
    print(f"{'':<{width}}  {'wall s':>7}  {'x raster':>8}  {'CPU s':>6}  {'x raster':>8}")
    for name in names:
        print(f"{name:<{width}}  {wall[name]:>7.2f}  {wall[name] / b:>8.2f}  {cpu[name]:>6.2f}  {cpu[name] / b_cpu:>8.2f}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    if args.table_only:
        print_first_frame(drape, body, fabric, args.repeat)
        return
    base_sizes = np.median(base_sizes, axis=0)
    our_sizes = np.median(our_sizes, axis=0)
    scaling = [(f"{size} px", b_s, o_s) for size, b_s, o_s in zip(sizes, base_sizes, our_sizes)]
    print_first_frame(drape, body, fabric, args.repeat)

    print("\nper frame by resolution (8 frames, median of the repetitions)")
    print(f"{'size':>8}  {'raster s':>9}  {'ours s':>8}  {'x raster':>8}")
    for name, raster, ours_s in scaling:
        print(f"{name:>8}  {raster:>9.4f}  {ours_s:>8.4f}  {ours_s / raster:>8.2f}")

    print("\nper 512 px frame by triangle count")
    print(f"{'triangles':>9}  {'raster s':>9}  {'ours s':>8}  {'x raster':>8}")
    for spacing in (0.02, 0.01, 0.005):
        skirt = make_skirt_drape(spacing=spacing)
        with open_scene(skirt, body, fabric, RenderOptions()) as scene:
            scene.render(0.0, FRAME_PX)
            ours_s = per_frame(scene.render, FRAME_PX)
            framing = scene.framing
        baseline = Baseline(skirt, figure, framing)
        try:
            baseline.render(0.0, FRAME_PX)
            raster = per_frame(baseline.render, FRAME_PX)
        finally:
            baseline.close()
        count = len(skirt.garment.faces) + triangles - len(drape.garment.faces)
        print(f"{count:>9}  {raster:>9.4f}  {ours_s:>8.4f}  {ours_s / raster:>8.2f}")


def print_first_frame(drape, body, fabric, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        cold = [first_frame_seconds(drape, body, fabric, out / f"cold{i}") for i in range(repeat)]
        warm = [first_frame_seconds(drape, body, fabric, out / f"warm{i}", prepared=True) for i in range(repeat)]
    print(f"first frame after the render stage starts: {statistics.median(cold):.2f} s cold, "
          f"{statistics.median(warm):.2f} s with the set-up prepared during the drape (medians of {repeat})")


def _timed(action) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process's threads and its finished children)."""
    before, started = os.times(), time.perf_counter()
    action()
    after = os.times()
    cpu = sum(after[:4]) - sum(before[:4])
    return time.perf_counter() - started, cpu


if __name__ == "__main__":
    main()
