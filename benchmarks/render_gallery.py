"""The render gallery: what a client sees, in one image (not part of the test run).

Rows: three garments x three fabrics (front stills), the three figure styles on
one drape, a colourway row (one drape, recoloured, no new simulation), and a
path-traced hero still beside the turntable still of the same view, with a 1:1
crop of a 2048 px still showing the weave.

Drapes are simulated once (1 cm mesh) and kept in ``.cache/gallery`` so the
render can be re-run after a change to the look:

    .venv/bin/python benchmarks/render_gallery.py --out renders/gallery.png [--hero-px 768 --hero-spp 24]
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import pickle
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent

GARMENTS = ("a_line_skirt", "qipao", "blouse")
FABRICS = ("silk_charmeuse", "linen_red", "denim_indigo")
TILE = 384


def drape_for(pattern: str, fabric_name: str, cache: Path):
    from garment3d.body import build_body
    from garment3d.drape import DrapeOptions, drape
    from garment3d.fabrics import load_fabric
    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.patterns import evaluate, get_definition
    from garment3d.patterns.evaluate import resolve_parameters
    from garment3d.sizes import parse_size

    path = cache / f"{pattern}_{fabric_name}.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    size = parse_size("160/84A", "female")
    definition = get_definition(pattern)
    body = build_body(size.measurements)
    garment_pattern = evaluate(definition, size.measurements, resolve_parameters(definition, {}), size.label)
    mesh = mesh_pattern(garment_pattern, body, MeshOptions(spacing_m=0.01))
    result = drape(mesh, body, load_fabric(fabric_name), DrapeOptions())
    path.write_bytes(pickle.dumps((result, body)))
    return result, body


def tile(image: np.ndarray, label: str, size: int = TILE) -> np.ndarray:
    from PIL import Image, ImageDraw

    picture = Image.fromarray(image[:, :, :3]).resize((size, size), Image.Resampling.LANCZOS)
    ImageDraw.Draw(picture).text((8, 8), label, fill=(40, 40, 40))
    return np.asarray(picture)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "renders" / "gallery.png")
    parser.add_argument("--hero-px", type=int, default=768)
    parser.add_argument("--hero-spp", type=int, default=24)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    from garment3d.fabrics import load_fabric
    from garment3d.render import open_scene
    from garment3d.render.hero import render_hero_stills
    from garment3d.types import RenderOptions

    cache = REPO / ".cache" / "gallery"
    cache.mkdir(parents=True, exist_ok=True)
    rows = []
    started = time.perf_counter()
    for pattern in GARMENTS:
        row = []
        for fabric_name in FABRICS:
            result, body = drape_for(pattern, fabric_name, cache)
            fabric = load_fabric(fabric_name)
            with open_scene(result, body, fabric, RenderOptions()) as scene:
                row.append(tile(scene.render(0.0, 1024), f"{pattern} / {fabric.display_name}"))
        rows.append(np.hstack(row))
        print(f"{pattern}: {time.perf_counter() - started:.0f} s", file=sys.stderr)

    result, body = drape_for("qipao", "silk_charmeuse", cache)
    silk = load_fabric("silk_charmeuse")
    figures = []
    for figure, tone in (("dress_form", "medium"), ("mannequin", "medium"), ("avatar", "brown")):
        with open_scene(result, body, silk, RenderOptions(figure=figure, skin_tone=tone)) as scene:
            figures.append(tile(scene.render(30.0, 1024), f"figure: {figure}" + (f" ({tone})" if figure == "avatar" else "")))
    rows.append(np.hstack(figures))

    from garment3d.fabric.colorway import apply_colorway

    colourways = []  # the product's colourways (the scan recoloured), not a multiplied tint
    with open_scene(result, body, silk, RenderOptions()) as scene:
        for colorway in silk.colorways:
            scene.set_fabric(apply_colorway(silk, colorway.name, cache))
            colourways.append(tile(scene.render(0.0, 512), f"colourway {colorway.name} ({colorway.hex})", TILE * 3 // 4))
        scene.set_fabric(silk)
        raster = scene.render(0.0, args.hero_px)
    rows.append(np.hstack(colourways))
    # the weave at 1:1 in a 2048 px still: linen, whose slubs show (charmeuse is a smooth satin)
    linen_drape, _ = drape_for("qipao", "linen_red", cache)
    with open_scene(linen_drape, body, load_fabric("linen_red"), RenderOptions()) as scene:
        big = scene.render(0.0, 2048)

    hero = render_hero_stills(result, body, silk, RenderOptions(), cache / "hero", size_px=args.hero_px,
                              samples=args.hero_spp, views=(("front", 0.0),))[0]
    from PIL import Image

    hero_image = np.asarray(Image.open(hero).convert("RGB"))
    crop_y, crop_x = int(2048 * 0.55), int(2048 * 0.40)
    crop = big[crop_y : crop_y + TILE, crop_x : crop_x + TILE, :3]
    rows.append(np.hstack([tile(raster, "turntable still (front)"), tile(hero_image, "hero still, path traced (front)"),
                           tile(crop, "2048 px still in linen, 1:1 crop", TILE)]))
    width = max(r.shape[1] for r in rows)
    background = np.full((1, 1, 3), 236, np.uint8)
    padded = [np.hstack([r, np.broadcast_to(background, (r.shape[0], width - r.shape[1], 3))]) for r in rows]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.vstack(padded)).save(args.out)
    print(f"gallery written to {args.out} in {time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
