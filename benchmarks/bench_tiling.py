"""Seamless tiling of every library fabric, and of the raw CC0 scans before and after garment3d's tiling.

Run: .venv/bin/python benchmarks/bench_tiling.py

For each tile: the mean colour step (CIE76 dE) between the pixels on either
side of the tile's edges when it repeats, and the mean step between
neighbouring pixels inside it (garment3d.fabric.tiling.seam_visibility). A
tile is seamless when the first is no larger than the second. The second
table runs the scan importer's seamless step on raw scans (from
../shared/data/fabrics when present): the seam before and after. Exit status 1
if a library fabric is not seamless.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from garment3d.fabric.colorway import fabric_base_colour
from garment3d.fabric.images import read_image
from garment3d.fabric.properties import list_fabrics, load_fabric
from garment3d.fabric.tiling import make_seamless, seam_visibility

SHARED = Path(__file__).resolve().parents[1].parent.parent / "shared" / "data" / "fabrics"


def main() -> int:
    print(f"{'fabric':<22}{'tile cm':>9}{'px':>11}{'edge dE':>9}{'inside dE':>11}{'edge/inside':>13}  seamless")
    failures = 0
    for name in list_fabrics():
        fabric = load_fabric(name)
        rgb = fabric_base_colour(fabric)
        seam = seam_visibility(rgb)
        failures += not seam.seamless
        print(f"{name:<22}{fabric.tile_cm[0]:>9g}{f'{rgb.shape[1]}x{rgb.shape[0]}':>11}{seam.edge_step:>9.2f}"
              f"{seam.interior_step:>11.2f}{seam.ratio:>13.2f}  {'yes' if seam.seamless else 'NO'}")  # fmt: skip
    scans = sorted(SHARED.glob("*basecolor*.png")) + sorted(SHARED.glob("garmentcode*.png")) if SHARED.is_dir() else []
    if scans:
        print(f"\n{'raw scan':<46}{'before edge/inside':>20}{'after edge/inside':>20}{'s':>6}")
    for path in scans:
        rgb = read_image(path, "scan").pixels
        start = time.perf_counter()
        before, after = seam_visibility(rgb), seam_visibility(make_seamless(rgb))
        print(f"{path.name:<46}{f'{before.edge_step:.2f}/{before.interior_step:.2f}':>20}"
              f"{f'{after.edge_step:.2f}/{after.interior_step:.2f}':>20}{time.perf_counter() - start:>6.1f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
