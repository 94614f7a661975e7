"""Hero stills: the front and three-quarter pair at 1536 px, against the 60 s budget.

Times ``render_hero_stills`` on the render tests' synthetic dress form and
22k-triangle skirt (a real linen scan), with the Mitsuba variant and the
denoiser this machine has, and splits each still into tracing and denoising
(from the stage's own log). With ``--compare`` it also runs the previous
set-up in the same process for a ratio: ``scalar_rgb`` at 24 samples per pixel
with the guided bilateral filter.

    .venv/bin/python benchmarks/bench_hero.py [--size 1536] [--compare]
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "render"))

from render_synthetic import LINEN_SCAN, make_body, make_fabric, make_skirt_drape  # noqa: E402

from garment3d.render import denoise, hero  # noqa: E402
from garment3d.types import RenderOptions  # noqa: E402


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def run(drape, body, fabric, size: int, samples: int | None, out: Path) -> tuple[float, list[str]]:
    handler = _Lines()
    logger = logging.getLogger("garment3d.render.hero")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    started = time.perf_counter()
    try:
        hero.render_hero_stills(drape, body, fabric, RenderOptions(), out, size_px=size, samples=samples)
    finally:
        logger.removeHandler(handler)
    return time.perf_counter() - started, [line for line in handler.lines if line.startswith("hero still")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1536)
    parser.add_argument("--compare", action="store_true", help="also the old scalar + bilateral set-up, same run")
    args = parser.parse_args()
    body, fabric, drape = make_body(), make_fabric(LINEN_SCAN), make_skirt_drape(spacing=0.01)
    with tempfile.TemporaryDirectory() as folder:
        seconds, lines = run(drape, body, fabric, args.size, None, Path(folder) / "new")
        print(f"hero pair at {args.size} px: {seconds:.1f} s (budget 60 s); denoiser: "
              f"{'Open Image Denoise' if denoise.oidn_available() else 'guided bilateral'}")
        for line in lines:
            print("  " + re.sub(r"^hero still ", "", line))
        if args.compare:
            hero_llvm = hero.llvm_library
            hero.llvm_library = lambda: None  # the scalar variant, as before
            denoise_oidn = denoise.oidn_available
            denoise.oidn_available = lambda: False
            try:
                old, old_lines = run(drape, body, fabric, args.size, denoise.BILATERAL_SAMPLES, Path(folder) / "old")
            finally:
                hero.llvm_library, denoise.oidn_available = hero_llvm, denoise_oidn
            print(f"previous set-up (scalar_rgb, 24 spp, bilateral): {old:.1f} s; ratio {old / seconds:.2f}x")
            for line in old_lines:
                print("  " + re.sub(r"^hero still ", "", line))


if __name__ == "__main__":
    main()
