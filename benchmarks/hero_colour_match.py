"""Hero stills against the turntable: the garment's mean colour in both, per fabric (not part of the test run).

For each fabric, a turntable still and the path-traced hero still of the same
drape and view (front by default) are compared over the garment's pixels
(:mod:`garment3d.render.colour_match`): mean L*, a*, b* of each, and the
CIE76 and CIEDE2000 difference of the two means, for the whole garment and for
its lowest third (the hem, where a glowing floor would show). The turntable is
the reference. Images are kept in ``--keep`` when given.

    .venv/bin/python benchmarks/hero_colour_match.py [--garment synthetic|a_line_skirt] [--size 384 --spp 8]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "render"))
sys.path.insert(0, str(REPO / "benchmarks"))

FABRICS = ("silk_charmeuse", "linen_red", "poplin_grey", "denim_indigo")


def subject(garment: str, fabric_name: str):
    """(drape, body) for the named garment draped in the fabric, or the render tests' synthetic skirt."""
    if garment == "synthetic":
        from render_synthetic import make_body, make_skirt_drape

        return make_skirt_drape(spacing=0.01), make_body()
    from render_gallery import drape_for

    cache = REPO / ".cache" / "gallery"
    cache.mkdir(parents=True, exist_ok=True)
    return drape_for(garment, fabric_name, cache)


def lower_third(mask: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero(mask.any(axis=1))
    cut = rows[0] + 2 * (rows[-1] - rows[0]) // 3
    lower = mask.copy()
    lower[:cut] = False
    return lower


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--garment", default="synthetic", help="synthetic, or a pattern name (a_line_skirt, ...)")
    parser.add_argument("--fabrics", nargs="+", default=FABRICS)
    parser.add_argument("--size", type=int, default=384)
    parser.add_argument("--spp", type=int, default=8)
    parser.add_argument("--azimuth", type=float, default=0.0, help="the view, degrees (hero three-quarter: 35)")
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the image pairs in")
    args = parser.parse_args()
    from PIL import Image

    from garment3d.fabrics import load_fabric
    from garment3d.render import open_scene
    from garment3d.render.colour_match import garment_colour_match, garment_mask
    from garment3d.render.hero import render_hero_stills
    from garment3d.types import RenderOptions

    print(f"{args.garment}, view at {args.azimuth:g} deg, {args.size} px, hero {args.spp} spp; turntable = reference")
    print(f"{'fabric':16} {'turntable L* a* b*':>20} {'hero L* a* b*':>20} {'dE76':>6} {'dE00':>6} "
          f"{'hem dE76':>8} {'hem dE00':>8} {'hero s':>6}")
    for name in args.fabrics:
        fabric = load_fabric(name)
        drape, body = subject(args.garment, name)
        with open_scene(drape, body, fabric, RenderOptions()) as scene:
            mask = garment_mask(scene, args.azimuth, args.size)
            raster = scene.render(args.azimuth, args.size, rgb=True)
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            path = render_hero_stills(drape, body, fabric, RenderOptions(), Path(folder), size_px=args.size,
                                      samples=args.spp, views=(("view", args.azimuth),))[0]
            seconds = time.perf_counter() - started
            hero = np.asarray(Image.open(path).convert("RGB"))
        whole = garment_colour_match(raster, hero, mask)
        hem = garment_colour_match(raster, hero, lower_third(mask))
        lab = lambda v: " ".join(f"{x:6.1f}" for x in v)  # noqa: E731
        print(f"{name:16} {lab(whole.reference_lab):>20} {lab(whole.other_lab):>20} {whole.delta_e76:6.1f} "
              f"{whole.delta_e2000:6.1f} {hem.delta_e76:8.1f} {hem.delta_e2000:8.1f} {seconds:6.1f}", flush=True)
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            overlay = raster.copy()
            overlay[~mask] //= 3
            Image.fromarray(np.hstack([raster, hero, overlay])).save(args.keep / f"{args.garment}_{name}.png")


if __name__ == "__main__":
    main()
