"""Imported patterns draped: the GarmentCode skirt, dress and shirt on GarmentCode's mean body, with the gates.

Run: .venv/bin/python benchmarks/bench_imports.py [--fabric linen_red] [--stills DIR]
     [--spacing draft|standard|both] [--garments shirt_mean,dress_pencil]

Each GarmentCode specification in tests/data/patterns (MIT, see LICENSES.md)
is placed from its own 3D layout and draped at 2 cm (draft) and 1 cm
(standard) on a body of GarmentCode's mean measurements (height 172, bust 99.8,
waist 84.3, hip 103.5, shoulder width 36.5 cm). For scale, the library A-line skirt is draped the
same way at 160/84A; "x skirt" is each drape's wall time over that skirt's at
the same spacing, which is what to compare on a shared machine (absolute times
are noisy). With --stills, front and back stills at 1 cm go to DIR and a
contact sheet to DIR/contact_sheet.png.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "patterns"
GARMENTS = ("flare_skirt", "dress_pencil", "shirt_mean")
SPACINGS = {"draft 2 cm": 0.02, "standard 1 cm": 0.01}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fabric", default="linen_red")
    parser.add_argument("--stills", type=Path, default=None, help="folder for front/back stills at 1 cm")
    parser.add_argument("--spacing", choices=("draft", "standard", "both"), default="both",
                        help="mesh spacing(s) to drape at: draft 2 cm, standard 1 cm (default both)")
    parser.add_argument("--garments", default=",".join(GARMENTS),
                        help="comma-separated subset of " + ", ".join(GARMENTS))
    args = parser.parse_args()
    spacings = {k: v for k, v in SPACINGS.items() if args.spacing == "both" or k.startswith(args.spacing)}
    garments = [g for g in args.garments.split(",") if g]
    if unknown := set(garments) - set(GARMENTS):
        parser.error(f"unknown garment(s): {', '.join(sorted(unknown))}")
    from garment3d.body import build_body
    from garment3d.drape import drape
    from garment3d.fabrics import load_fabric
    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.patterns import evaluate, get_definition
    from garment3d.patterns.formats.load import load_pattern_file
    from garment3d.sizes import parse_size
    from garment3d.types import Measurements
    from garment3d.warmup import warm_up

    warm_up()
    fabric = load_fabric(args.fabric)
    mean_body = Measurements(172.0, 99.8, 84.3, 103.5, shoulder_width_cm=36.5)
    skirt_size = parse_size("160/84A")
    bodies = {"gc": build_body(mean_body), "skirt": build_body(skirt_size.measurements)}
    skirt = evaluate(get_definition("a_line_skirt"), skirt_size.measurements, size_label=skirt_size.label)
    print(f"fabric {fabric.name}; GarmentCode patterns on its mean body 172/99.8/84.3/103.5 cm, shoulders 36.5")
    print(f"{'pattern':<16}{'spacing':<15}{'verts':>7}{'wall s':>8}{'x skirt':>8}{'gap mm':>8}{'inside':>8}"
          f"{'crossings':>10}{'p95 strain':>11}{'max strain':>11}{'settled':>8}{'passed':>7}")
    stills = []
    for label, spacing in spacings.items():
        base = drape(mesh_pattern(skirt, bodies["skirt"], MeshOptions(spacing_m=spacing)), bodies["skirt"], fabric)
        _row("a_line_skirt", label, base.report, base.report.wall_s)
        for name in garments:
            pattern = load_pattern_file(DATA / f"{name}_specification.json").pattern(mean_body)
            result = drape(mesh_pattern(pattern, bodies["gc"], MeshOptions(spacing_m=spacing)), bodies["gc"], fabric)
            _row(name, label, result.report, base.report.wall_s)
            if args.stills is not None and spacing == SPACINGS["standard 1 cm"]:
                stills.append(_stills(result, bodies["gc"], fabric, args.stills / name))
    if stills:
        _contact_sheet(stills, args.stills / "contact_sheet.png")
        print(f"stills and contact sheet in {args.stills}")
    return 0


def _row(name, label, r, base_wall) -> None:
    print(f"{name:<16}{label:<15}{r.vertex_count:>7}{r.wall_s:>8.1f}{r.wall_s / base_wall:>8.2f}"
          f"{r.max_seam_gap_mm:>8.2f}{r.inside_share:>8.2%}{r.self_intersections:>10}{r.p95_edge_strain:>11.1%}"
          f"{r.max_edge_strain:>11.1%}{str(r.settled):>8}{str(r.passed):>7}", flush=True)


def _stills(result, body, fabric, folder: Path) -> list[Path]:
    from garment3d.render import render_still

    folder.mkdir(parents=True, exist_ok=True)
    return [render_still(result, body, fabric, azimuth, 512, folder / f"{view}.png")
            for view, azimuth in (("front", 0.0), ("back", 180.0))]


def _contact_sheet(rows: list[list[Path]], path: Path) -> None:
    from PIL import Image

    images = [[Image.open(p) for p in row] for row in rows]
    size = images[0][0].size[0]
    sheet = Image.new("RGB", (size * 2 * len(images), size), "white")
    for i, (front, back) in enumerate(images):
        sheet.paste(front, (2 * i * size, 0))
        sheet.paste(back, ((2 * i + 1) * size, 0))
    sheet.save(path)


if __name__ == "__main__":
    sys.exit(main())
