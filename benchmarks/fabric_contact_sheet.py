"""Contact sheet of the fabric library: every fabric on the same draped skirt, a colorway row and two prints.

Run: .venv/bin/python benchmarks/fabric_contact_sheet.py [--out renders/fabric_contact_sheet.png]

One A-line skirt (160/84A) is draped once, in poplin; every cell renders that
same drape (``garment3d.render.render_still``, three-quarter view) with
another material, which is what a colorway or a fabric swap costs: no new
simulation. Under each render, 4 x 4 cm of the fabric's base colour at true
scale (64 px per cm), so the weave can be judged too. Row 3: silk charmeuse
in its colorways, and a print (a flower motif drawn here) in half-drop and
mirror repeats on silk habotai, 12 cm repeat. Prints the drape report and
each fabric's look values.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

CELL = 300
SWATCH_CM = 4.0


def _swatch(fabric, size_px: int) -> Image.Image:
    from garment3d.fabric.colorway import fabric_base_colour

    rgb = fabric_base_colour(fabric)
    px_per_cm = size_px / SWATCH_CM
    tile_px = (max(1, round(fabric.tile_cm[0] * px_per_cm)), max(1, round(fabric.tile_cm[1] * px_per_cm)))
    tile = Image.fromarray(np.rint(rgb * 255).astype(np.uint8)).resize(tile_px, Image.LANCZOS)
    out = Image.new("RGB", (size_px, size_px))
    for x in range(0, size_px, tile_px[0]):
        for y in range(0, size_px, tile_px[1]):
            out.paste(tile, (x, y))
    return out


def _flower_print(path: Path) -> Path:
    from garment3d.fabric.weave import flower_motif

    mask = flower_motif((720, 720), petals=5, seed=4)
    image = np.empty((720, 720, 3))
    image[:] = (0.95, 0.92, 0.86)
    image[mask] = (0.80, 0.30, 0.42)
    Image.fromarray(np.rint(image * 255).astype(np.uint8)).save(path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("renders/fabric_contact_sheet.png"))
    parser.add_argument("--spacing", type=float, default=0.015, help="mesh spacing of the one drape (m)")
    args = parser.parse_args()
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    from garment3d.body import build_body
    from garment3d.drape import drape
    from garment3d.fabric.colorway import apply_colorway
    from garment3d.fabric.prints import make_print_fabric
    from garment3d.fabric.properties import list_fabrics, load_fabric
    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.patterns import evaluate, get_definition
    from garment3d.render import render_still
    from garment3d.settings import get_settings
    from garment3d.sizes import parse_size

    size = parse_size("160/84A")
    body = build_body(size.measurements)
    pattern = evaluate(get_definition("a_line_skirt"), size.measurements, size_label=size.label)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=args.spacing))
    result = drape(garment, body, load_fabric("poplin_grey"))
    r = result.report
    print(f"drape (poplin): settled={r.settled} seam gap {r.max_seam_gap_mm:.2f} mm strain p95 {r.p95_edge_strain:.1%}")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        library = tmp / "fabrics"
        shutil.copytree(get_settings().fabrics_dir, library)
        motif = _flower_print(tmp / "flowers.png")
        prints = [
            make_print_fabric(motif, f"flowers_{mode}", base="silk_habotai", size_cm=(12, 12), mode=mode,
                              source="flower motif drawn by fabric_contact_sheet.py", licence="CC0-1.0",
                              fabrics_dir=library).fabric
            for mode in ("half_drop", "mirror")
        ]  # fmt: skip
        charmeuse = load_fabric("silk_charmeuse")
        cells = [(load_fabric(n), n) for n in list_fabrics()]
        cells += [(apply_colorway(charmeuse, c.name, cache_dir=tmp), f"charmeuse: {c.name}") for c in charmeuse.colorways]
        cells += [(f, f"print {f.print_repeat.mode.replace('_', ' ')}, 12 cm") for f in prints]
        columns = 6
        rows = -(-len(cells) // columns)
        sheet = Image.new("RGB", (columns * CELL, rows * (CELL * 2 + 24)), (236, 234, 230))
        draw = ImageDraw.Draw(sheet)
        for index, (fabric, label) in enumerate(cells):
            path = tmp / f"cell_{index}.png"
            render_still(result, body, fabric, 35.0, 2 * CELL, path)
            still = Image.open(path).convert("RGB")
            # the skirt: the lower middle of the full-figure frame
            crop = still.crop((int(0.27 * 2 * CELL), int(0.36 * 2 * CELL), int(0.73 * 2 * CELL), int(0.82 * 2 * CELL)))
            x, y = (index % columns) * CELL, (index // columns) * (CELL * 2 + 24)
            sheet.paste(crop.resize((CELL, CELL), Image.LANCZOS), (x, y + 20))
            sheet.paste(_swatch(fabric, CELL), (x, y + 20 + CELL))
            draw.text((x + 6, y + 4), label, fill=(20, 20, 20))
            print(f"{label:<28} sheen {fabric.sheen:.2f} anisotropy {fabric.anisotropy:.2f} "
                  f"opacity {fabric.opacity:.2f} roughness {fabric.roughness:.2f} tile {fabric.tile_cm[0]:g} cm")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
