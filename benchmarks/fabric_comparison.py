"""Drape the same garment (the qipao by default) in silk charmeuse and in denim and render them side by side.

Run: .venv/bin/python benchmarks/fabric_comparison.py [--out renders/fabric_comparison.png]
Prints each drape's report; writes one PNG with front and three-quarter views of both.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("renders/fabric_comparison.png"))
    parser.add_argument("--fabrics", nargs=2, default=["silk_charmeuse", "denim_indigo"])
    parser.add_argument("--size", default="160/84A")
    parser.add_argument("--pattern", default="qipao")
    args = parser.parse_args()
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    from garment3d.body import build_body
    from garment3d.drape import drape
    from garment3d.fabrics import load_fabric
    from garment3d.meshing import mesh_pattern
    from garment3d.patterns import evaluate, get_definition
    from garment3d.render import render_still
    from garment3d.sizes import parse_size

    size = parse_size(args.size)
    body = build_body(size.measurements)
    pattern = evaluate(get_definition(args.pattern), size.measurements, size_label=size.label)
    garment = mesh_pattern(pattern, body)
    tiles = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.fabrics:
            fabric = load_fabric(name)
            result = drape(garment, body, fabric)
            r = result.report
            print(f"{name:<16} settled={r.settled} seam gap {r.max_seam_gap_mm:.2f} mm inside {r.inside_share:.2%} "
                  f"strain p95 {r.p95_edge_strain:.1%} wall {r.wall_s:.1f} s")
            for azimuth in (0.0, 35.0):
                path = Path(tmp) / f"{name}_{azimuth:.0f}.png"
                render_still(result, body, fabric, azimuth, 640, path)
                tiles.append((fabric.display_name, Image.open(path).copy()))
    sheet = Image.new("RGB", (640 * 4, 680), (236, 234, 230))
    draw = ImageDraw.Draw(sheet)
    for i, (label, tile) in enumerate(tiles):
        sheet.paste(tile, (640 * i, 40))
        draw.text((640 * i + 20, 12), label, fill=(30, 30, 30))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
