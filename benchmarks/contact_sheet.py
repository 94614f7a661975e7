"""Contact sheets of library drapes: front and back stills, labelled with garment, fabric and gate verdict.

Two sheets (issue 13's "done when"), each one PNG:

- ``garments``: every library garment in one fabric (default silk charmeuse) at one size (160/84A);
- ``fabrics``: one garment (default the qipao) in every library fabric.

Each cell is simulated as ``garment3d sample`` does it (the same request
validation, pattern, body, mesh and drape; no allowances), judged by
``garment3d.gates``, and drawn from the front and the back with the default
figure (a dress form; trousers on the mannequin), trims included, and a
closer look at the front round the fasteners. Under the pictures: the garment, the
fabric, PASS or the failed gates, the drape's wall time and the largest
fastener gap when the garment has fasteners. A JSON file next to each sheet
holds the same figures. Not part of the test run.

    .venv/bin/python benchmarks/contact_sheet.py                       # both sheets, 1 cm mesh
    .venv/bin/python benchmarks/contact_sheet.py --spacing 0.02 --sheet garments   # quick look

Drapes can be kept in ``--cache DIR`` (pickles, keyed by garment, fabric, size and spacing) so the
pictures can be redrawn after a change to the look; clear it after a change to the simulation.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
CELL_PX = 320  # each still on the sheet
RENDER_PX = 768  # rendered, then cropped round the garment and scaled down
DETAIL_PX = 1536  # the front again, of which a square round the fasteners is shown
LABEL_PX = 54


@dataclass
class Cell:
    garment: str
    fabric: str
    verdict: str
    passed: bool
    wall_s: float
    fastener_gap_mm: float | None
    front: np.ndarray
    back: np.ndarray
    detail: np.ndarray  # the front, closer: round the fasteners, or the upper garment
    figure: str = "dress_form"


def drape_cell(garment: str, fabric_name: str, size: str, spacing: float, cache: Path | None):
    """(drape result, body, fabric, wall seconds) for one cell, as the pipeline would make it."""
    from garment3d.body import build_body
    from garment3d.drape import DrapeOptions, drape
    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.patterns import evaluate, get_definition
    from garment3d.pipeline import SampleRequest, validate_request

    key = f"{garment}_{fabric_name}_{size.replace('/', '-')}_{spacing:g}.pkl"
    if cache is not None and (cache / key).exists():
        return pickle.loads((cache / key).read_bytes())
    valid = validate_request(SampleRequest(pattern=garment, size=size, fabric=fabric_name))
    pattern = evaluate(get_definition(garment), valid.size.measurements, valid.parameters, valid.size.label)
    body = build_body(valid.size.measurements)
    mesh = mesh_pattern(pattern, body, MeshOptions(spacing_m=spacing))
    started = time.perf_counter()
    result = drape(mesh, body, valid.fabric, DrapeOptions())
    value = (result, body, valid.fabric, time.perf_counter() - started)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / key).write_bytes(pickle.dumps(value))
    return value


def render_cell(garment: str, fabric_name: str, size: str, spacing: float, cache: Path | None, figure: str) -> Cell:
    from garment3d import gates
    from garment3d.render import open_scene
    from garment3d.types import RenderOptions

    result, body, fabric, wall_s = drape_cell(garment, fabric_name, size, spacing, cache)
    verdict = gates.evaluate(result.report)
    if figure == "auto":  # legs need a figure with legs; everything else shows on the dress form
        figure = "mannequin" if garment == "trousers" else "dress_form"
    with open_scene(result, body, fabric, RenderOptions(figure=figure)) as scene:
        views = [scene.render(azimuth, RENDER_PX)[:, :, :3] for azimuth in (0.0, 180.0)]
        big = scene.render(0.0, DETAIL_PX)[:, :, :3]
        detail = big[_detail_box(scene, result, DETAIL_PX)]
    fastened = len(getattr(result.garment, "fastener_pairs", ())) > 0
    gap = float(getattr(result.report, "max_fastener_gap_mm", 0.0)) if fastened else None
    text = "PASS" if verdict.passed else "FAIL: " + ", ".join(verdict.failed)
    return Cell(garment, fabric.display_name or fabric.name, text, verdict.passed, wall_s, gap, *views,
                detail=detail, figure=figure)


def _detail_box(scene, result, size_px: int):
    """Image slices of a square round the trims seen from the front (or the upper garment without trims)."""
    from garment3d.render.camera import turn_about_axis

    points = np.vstack([trim.positions for trim in scene.trims]) if scene.trims else None
    if points is None:
        positions = result.positions
        top = positions[:, 1].max()
        points = positions[positions[:, 1] > top - 0.3]
    homogeneous = np.column_stack([points, np.ones(len(points))])
    clip = homogeneous @ (scene.projection @ scene.view @ turn_about_axis(0.0, scene.axis_xz)).T
    ndc = clip[:, :2] / clip[:, 3:4]
    cols = (ndc[:, 0] * 0.5 + 0.5) * size_px
    rows = (0.5 - ndc[:, 1] * 0.5) * size_px
    side = int(np.clip(1.3 * max(np.ptp(cols), np.ptp(rows)), size_px // 5, size_px // 2))
    left = int(np.clip(cols.mean() - side / 2, 0, size_px - side))
    top = int(np.clip(rows.mean() - side / 2, 0, size_px - side))
    return slice(top, top + side), slice(left, left + side)


def garment_box(images: list[np.ndarray], background) -> tuple[int, int, int, int]:
    """One square crop (left, top, right, bottom) holding everything that is not backdrop in all images."""
    size = images[0].shape[0]
    mask = np.zeros(images[0].shape[:2], bool)
    for image in images:
        mask |= np.abs(image.astype(int) - background).sum(axis=2) > 24
    rows, cols = np.nonzero(mask)
    if len(rows) == 0:
        return 0, 0, size, size
    top, bottom = rows.min(), rows.max()
    side = int(1.06 * max(bottom - top, cols.max() - cols.min()))
    centre_x, centre_y = (cols.min() + cols.max()) // 2, (top + bottom) // 2
    left = int(np.clip(centre_x - side // 2, 0, max(size - side, 0)))
    upper = int(np.clip(centre_y - side // 2, 0, max(size - side, 0)))
    return left, upper, min(left + side, size), min(upper + side, size)


def sheet(cells: list[Cell], title: str, columns: int):
    from PIL import Image, ImageDraw

    from garment3d.render.studio import Studio

    background = np.rint(np.asarray(Studio().background_rgb) * 255).astype(int)
    pair_w = 3 * CELL_PX + 8
    rows = -(-len(cells) // columns)
    page = Image.new("RGB", (columns * pair_w + 8, 40 + rows * (CELL_PX + LABEL_PX + 8)), (250, 250, 248))
    draw = ImageDraw.Draw(page)
    draw.text((10, 12), title, fill=(20, 20, 20))
    # one crop for the whole sheet, so garments are drawn at the same scale and can be compared
    box = garment_box([image for cell in cells for image in (cell.front, cell.back)], background)
    for index, cell in enumerate(cells):
        x = 8 + (index % columns) * pair_w
        y = 40 + (index // columns) * (CELL_PX + LABEL_PX + 8)
        for offset, image in ((0, cell.front), (CELL_PX, cell.back)):
            picture = Image.fromarray(np.ascontiguousarray(image)).crop(box).resize((CELL_PX, CELL_PX), Image.LANCZOS)
            page.paste(picture, (x + offset, y))
        close = Image.fromarray(np.ascontiguousarray(cell.detail)).resize((CELL_PX, CELL_PX), Image.LANCZOS)
        page.paste(close, (x + 2 * CELL_PX, y))
        figure = f" ({cell.figure})" if cell.figure != "dress_form" else ""
        draw.text((x + 4, y + 4), "front" + figure, fill=(90, 90, 90))
        draw.text((x + CELL_PX + 4, y + 4), "back", fill=(90, 90, 90))
        draw.text((x + 2 * CELL_PX + 4, y + 4), "front, closer", fill=(90, 90, 90))
        colour = (20, 110, 40) if cell.passed else (170, 20, 20)
        draw.text((x + 2, y + CELL_PX + 4), f"{cell.garment} / {cell.fabric}", fill=(20, 20, 20))
        gap = "" if cell.fastener_gap_mm is None else f", fastener gap {cell.fastener_gap_mm:.1f} mm"
        draw.text((x + 2, y + CELL_PX + 20), f"drape {cell.wall_s:.1f} s{gap}", fill=(60, 60, 60))
        draw.text((x + 2, y + CELL_PX + 36), cell.verdict[:90], fill=colour)
    return page


def write_sheet(cells: list[Cell], path: Path, title: str, columns: int) -> Path:
    """The sheet as PNG and its figures as JSON beside it."""
    sheet(cells, title, columns).save(path)
    summary = [{"garment": c.garment, "fabric": c.fabric, "figure": c.figure, "verdict": c.verdict,
                "drape_s": round(c.wall_s, 2), "max_fastener_gap_mm": c.fastener_gap_mm} for c in cells]
    path.with_suffix(".json").write_text(json.dumps(summary, indent=2))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sheet", choices=("garments", "fabrics", "both"), default="both")
    parser.add_argument("--fabric", default="silk_charmeuse", help="the garments sheet's fabric")
    parser.add_argument("--garment", default="qipao", help="the fabrics sheet's garment")
    parser.add_argument("--size", default="160/84A")
    parser.add_argument("--spacing", type=float, default=0.01, help="mesh spacing in metres (0.02 for a quick look)")
    parser.add_argument("--out", type=Path, default=REPO / "renders")
    parser.add_argument("--cache", type=Path, default=None, help="keep drapes here to redraw without simulating")
    parser.add_argument("--only", nargs="*", default=None, help="only these garments (or fabrics)")
    parser.add_argument("--figure", default="auto", choices=("auto", "dress_form", "mannequin", "avatar"),
                        help="auto: the mannequin for trousers, the dress form for the rest")
    args = parser.parse_args()
    os.environ.setdefault("PYOPENGL_PLATFORM", "egl")
    logging.basicConfig(level=logging.WARNING)
    from garment3d.warmup import warm_up_all

    print(f"kernels warmed up in {warm_up_all():.1f} s (compiled once; drape times below exclude it)", flush=True)
    from garment3d.fabrics import list_fabrics
    from garment3d.patterns import list_patterns

    jobs = []
    if args.sheet in ("garments", "both"):
        names = [g for g in list_patterns() if args.only is None or g in args.only]
        jobs.append((f"garments_{args.fabric}", [(g, args.fabric) for g in names],
                     f"Library garments in {args.fabric}, {args.size}, {args.spacing * 100:g} cm mesh"))
    if args.sheet in ("fabrics", "both"):
        names = [f for f in list_fabrics() if args.only is None or f in args.only]
        jobs.append((f"{args.garment}_fabrics", [(args.garment, f) for f in names],
                     f"{args.garment} in every library fabric, {args.size}, {args.spacing * 100:g} cm mesh"))
    args.out.mkdir(parents=True, exist_ok=True)
    for stem, pairs, title in jobs:
        cells = []
        for garment, fabric in pairs:
            started = time.perf_counter()
            try:
                cell = render_cell(garment, fabric, args.size, args.spacing, args.cache, args.figure)
            except Exception as exc:  # a cell that cannot drape is shown as such, the sheet goes on
                print(f"{garment:<14} {fabric:<20} ERROR {type(exc).__name__}: {exc}", file=sys.stderr)
                blank = np.full((RENDER_PX, RENDER_PX, 3), 200, np.uint8)
                cell = Cell(garment, fabric, f"ERROR {type(exc).__name__}: {exc}", False, float("nan"), None,
                            blank, blank, blank)
            cells.append(cell)
            gap = "-" if cell.fastener_gap_mm is None else f"{cell.fastener_gap_mm:.2f}"
            print(f"{garment:<14} {fabric:<20} drape {cell.wall_s:6.1f} s  fastener gap {gap:>5} mm  {cell.verdict}"
                  f"  ({time.perf_counter() - started:.0f} s with render)", flush=True)
            # rewritten after every cell: a long run stopped early still leaves a sheet of what it drew
            path = write_sheet(cells, args.out / f"contact_{stem}.png", title, columns=3)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
