"""Build the fabric library's folders (``fabrics/<name>/``): images, maps and ``fabric.toml``.

Run: .venv/bin/python tools/build_fabric_library.py [--only NAME ...]

Procedural fabrics are drawn from their weave or knit structure at their
thread counts (garment3d/fabric/weave.py); the two scanned fabrics keep the
CC0 scans already in their folders (linen_red, technical_knit) and get a
roughness map derived from the scan. Deterministic: the same code writes
the same files.

Physical values are typical published values for each kind of fabric; the
``[sources]`` table of each fabric.toml says where each comes from. Silk
weights convert momme to g/m2 at 4.34 g/m2 per momme (1 momme = 1 lb per
piece 45 in x 100 yd); cotton weights in oz/yd2 at 33.9 g/m2 per oz/yd2.
KES-F values convert with 1 gf cm2/cm = 98 uN m (bending) and
1 gf/cm/deg = 56 N/m per radian (shear).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path

import numpy as np

from garment3d.fabric.images import read_image, write_png
from garment3d.fabric.maps import look_for, normal_map, roughness_map, height_from_image
from garment3d.fabric.properties import write_fabric_toml
from garment3d.fabric.tiling import make_seamless, seam_visibility
from garment3d.fabric.weave import (
    KnitSpec,
    WeaveSpec,
    crepe_weave,
    flower_motif,
    plain,
    render_jersey,
    render_weave,
    satin,
    twill,
)
from garment3d.settings import get_settings
from garment3d.types import Colorway, Fabric

log = logging.getLogger("build_fabric_library")

MOMME = "momme x 4.34 g/m2 per momme (1 momme = 1 lb per piece 45 in x 100 yd)"
KES_SILK = (
    "bending, shear and tensile stiffness of the order measured with KES-F on woven silks "
    "(M. Matsudaira and S. Kawabata, J. Textile Inst. 79 (1988) 458-475); 1 gf cm2/cm = 98 uN m, "
    "1 gf/cm/deg = 56 N/m"
)
KES_APPAREL = (
    "KES-F ranges for apparel fabrics (S. Kawabata, The Standardization and Analysis of Hand Evaluation, "
    "2nd ed., 1980; J. Hu and Y.-F. Chan, Textile Res. J. 68 (1998) 57-64); 1 gf cm2/cm = 98 uN m"
)
DRAPE = (
    "Cusick drape coefficients reported for the kind (G. E. Cusick, J. Textile Inst. 59 (1968); "
    "Hu and Chan 1998; K. Sanad et al., J. Fiber Bioeng. Informatics 6 (2013) review)"
)
GENERATED = "CC0-1.0 (generated for garment3d)"
PRICE = "example list price of a silk house, per running metre"


@dataclasses.dataclass
class Entry:
    fabric: Fabric
    kind: str
    drape_range: tuple[float, float]
    sources: dict[str, str]
    draw: object = None  # callable returning a WovenImage, None for the scanned fabrics
    credit: str = ""


def _physics(density, thickness, stretch, shear, bending, friction):
    return dict(
        density_gsm=density, thickness_mm=thickness, stretch_warp_n_per_m=stretch[0], stretch_weft_n_per_m=stretch[1],
        shear_n_per_m=shear, bending_warp_unm=bending[0], bending_weft_unm=bending[1], friction=friction,
    )  # fmt: skip


def _fabric(name, display, kind, composition, construction, tile, physics, width, price, colorways, **extra):
    look = look_for(kind)
    values = dict(roughness=look.roughness, sheen=look.sheen, sheen_roughness=look.sheen_roughness,
                  anisotropy=look.anisotropy, opacity=look.opacity)  # fmt: skip
    values.update(extra)
    return Fabric(
        name=name, display_name=display, tile_cm=tile, texture_path=Path("scan.png"), composition=composition,
        construction=construction, roll_width_cm=width, price_per_m=price, currency="EUR",
        colorways=tuple(Colorway(n, h) for n, h in colorways), **physics, **values,
    )  # fmt: skip


def _silk_sources(momme: float, drape: str = DRAPE) -> dict[str, str]:
    return {"density_gsm": f"{momme:g} {MOMME}", "mechanics": KES_SILK, "drape": drape, "price": PRICE}


def entries() -> list[Entry]:
    brocade_tile = (8.0, 8.0)
    brocade_px = 128.0
    figure = flower_motif((int(brocade_tile[1] * brocade_px), int(brocade_tile[0] * brocade_px)))
    return [
        Entry(
            _fabric("silk_charmeuse", "Jade silk charmeuse, 19 momme", "silk_satin", "100% mulberry silk",
                    "8-harness warp-faced satin, 120 ends x 45 picks per cm", (1.0, 1.0),
                    _physics(82.5, 0.15, (3000, 2000), 8, (1.0, 0.7), 0.3), 114, 42.0,
                    [("jade", "#5c9e85"), ("ivory", "#f3ecdc"), ("midnight", "#1f2a44"), ("blush", "#e8b4b0")]),
            "silk_satin", (0.20, 0.40), _silk_sources(19),
            lambda: render_weave(WeaveSpec(satin(8, 3), 120, 45, (0.36, 0.62, 0.52), (0.33, 0.58, 0.48),
                                           cover=(0.98, 0.9), tone=(0.02, 0.02), slub=(0.02, 0.02),
                                           weft_exposure=0.4, dive=0.15), (1.0, 1.0), 480),
            "8-harness satin, 120 x 45 threads/cm, filament silk",
        ),
        Entry(
            _fabric("silk_crepe_de_chine", "Champagne silk crepe de chine, 16 momme", "silk_crepe",
                    "100% mulberry silk", "plain weave, crepe-twist weft, 56 ends x 44 picks per cm", (2.0, 2.0),
                    _physics(69.4, 0.14, (2600, 1600), 6, (0.9, 0.8), 0.35), 114, 36.0,
                    [("champagne", "#e8d9bd"), ("black", "#141414"), ("coral", "#e07a5f")]),
            "silk_crepe", (0.20, 0.40), _silk_sources(16),
            lambda: render_weave(WeaveSpec(plain(), 56, 44, (0.91, 0.85, 0.74), (0.89, 0.83, 0.72), cover=(0.9, 0.95),
                                           tone=(0.03, 0.05), slub=(0.05, 0.12), slub_cm=0.15, crepe=0.18,
                                           gap_shade=0.5), (2.0, 2.0), 224),
            "plain weave with crepe-twist weft (pebbled yarn paths), 56 x 44 threads/cm",
        ),
        Entry(
            _fabric("silk_habotai", "Ivory silk habotai, 8 momme", "silk_plain", "100% mulberry silk",
                    "plain weave, 50 ends x 42 picks per cm", (2.0, 2.0),
                    _physics(34.7, 0.06, (1800, 1200), 4, (0.35, 0.3), 0.3), 114, 18.0,
                    [("ivory", "#f4efe3"), ("sky", "#a9c8e8"), ("rose", "#d98c9a")]),
            "silk_plain", (0.20, 0.40), _silk_sources(8),
            lambda: render_weave(WeaveSpec(plain(), 50, 42, (0.95, 0.93, 0.88), (0.94, 0.92, 0.86), cover=(0.88, 0.9),
                                           tone=(0.02, 0.03), slub=(0.03, 0.05), gap_shade=0.6), (2.0, 2.0), 200),
            "plain weave, 50 x 42 threads/cm, filament silk",
        ),
        Entry(
            _fabric("silk_organza", "Pale gold silk organza, 6 momme", "silk_sheer", "100% mulberry silk",
                    "open plain weave of hard-twist grège yarn, 40 ends x 38 picks per cm", (2.0, 2.0),
                    _physics(26.0, 0.08, (2500, 2200), 12, (1.6, 1.4), 0.35), 114, 28.0,
                    [("pale gold", "#eadfc0"), ("white", "#f7f7f5"), ("smoke", "#9a9a9e")]),
            "silk_sheer", (0.50, 0.80), _silk_sources(6),
            lambda: render_weave(WeaveSpec(plain(), 40, 38, (0.92, 0.87, 0.75), (0.92, 0.87, 0.75), cover=(0.55, 0.55),
                                           tone=(0.03, 0.03), slub=(0.04, 0.04), gap_shade=0.78), (2.0, 2.0), 240),
            "open plain weave (cover 0.55), 40 x 38 threads/cm",
        ),
        Entry(
            _fabric("silk_dupioni", "Garnet-gold shot silk dupioni", "silk_slub", "100% silk (mulberry warp, dupion weft)",
                    "plain weave, fine warp and slubbed dupion weft, 48 ends x 26 picks per cm", (4.0, 4.0),
                    _physics(110.0, 0.3, (6000, 4000), 30, (10.0, 14.0), 0.4), 137, 48.0,
                    [("garnet", "#9b2d30"), ("peacock", "#1f6e74"), ("champagne", "#d8c39a")]),
            "silk_slub", (0.55, 0.85), _silk_sources(25.3),
            lambda: render_weave(WeaveSpec(plain(), 48, 26, (0.60, 0.14, 0.18), (0.72, 0.42, 0.20), cover=(0.9, 0.95),
                                           tone=(0.03, 0.06), slub=(0.04, 0.35), slub_cm=0.35, gap_shade=0.4),
                                 (4.0, 4.0), 192),
            "plain weave, garnet warp 48/cm, slubbed gold weft 26/cm (shot)",
        ),
        Entry(
            _fabric("silk_brocade", "Crimson and gold silk brocade, flower jacquard", "silk_jacquard",
                    "100% silk", "jacquard: warp-faced 8-harness satin ground, weft-faced satin flower figure in a "
                    "gold weft, 64 ends x 40 picks per cm, repeat 8 x 8 cm half drop", brocade_tile,
                    _physics(165.0, 0.35, (9000, 7000), 40, (22.0, 18.0), 0.45), 90, 95.0,
                    [("crimson", "#7a1f2b"), ("navy", "#1d2440"), ("jade", "#2f6b57")]),
            "silk_jacquard", (0.60, 0.85), {**_silk_sources(38), "figure": "flower, two per 8 x 8 cm repeat, half drop"},
            lambda: render_weave(WeaveSpec(satin(8, 3), 64, 40, (0.48, 0.10, 0.15), (0.40, 0.08, 0.12),
                                           cover=(0.97, 0.92), tone=(0.02, 0.03), slub=(0.02, 0.03), dive=0.2,
                                           weft_exposure=0.5, figure=figure, figure_plan=satin(8, 3, warp_faced=False),
                                           figure_weft_rgb=(0.80, 0.64, 0.30)), brocade_tile, brocade_px),
            "jacquard satin: flower figure in gold weft floats, 64 x 40 threads/cm, 8 cm repeat",
        ),
        Entry(
            _fabric("poplin_grey", "Grey cotton poplin", "cotton", "100% cotton",
                    "plain weave poplin (fine warp, coarser weft ribs), 52 ends x 28 picks per cm", (2.0, 2.0),
                    _physics(120.0, 0.25, (12000, 9000), 40, (6.0, 5.0), 0.45), 147, 14.0,
                    [("grey", "#a4a7ad"), ("white", "#f2f2ef"), ("sky", "#9fc0de")]),
            "cotton", (0.40, 0.65),
            {"density_gsm": "shirting poplin 110-125 g/m2 (3.5 oz/yd2 x 33.9)", "mechanics": KES_APPAREL,
             "drape": DRAPE, "price": PRICE},
            lambda: render_weave(WeaveSpec(plain(), 52, 28, (0.64, 0.65, 0.68), (0.67, 0.68, 0.71), cover=(0.85, 0.95),
                                           tone=(0.04, 0.05), slub=(0.06, 0.1)), (2.0, 2.0), 208),
            "plain weave, 52 x 28 threads/cm (133 x 72 per inch), combed cotton",
        ),
        Entry(
            _fabric("linen_red", "Red linen, medium weight", "linen", "100% linen", "plain weave, about 20 threads per cm",
                    (5.0, 5.0), _physics(180.0, 0.35, (15000, 12000), 60, (15.0, 12.0), 0.5), 140, 22.0,
                    [("red", "#a8322d"), ("natural", "#cfc2a8"), ("olive", "#6b6b3a")]),
            "linen", (0.55, 0.80),
            {"density_gsm": "medium linen 170-200 g/m2", "mechanics": KES_APPAREL, "drape": DRAPE, "price": PRICE,
             "tile_cm": "about 20 threads per cm over the 512 px scan"},
        ),
        Entry(
            _fabric("denim_indigo", "Indigo denim, 12 oz", "denim", "100% cotton",
                    "3/1 right-hand twill, ring-dyed indigo warp, ecru weft, 28 ends x 18 picks per cm", (4.0, 4.0),
                    _physics(406.9, 0.8, (30000, 20000), 250, (80.0, 56.0), 0.6), 150, 19.0,
                    [("indigo", "#2b3a66"), ("black", "#23252b"), ("ecru", "#d9cfb8")]),
            "denim", (0.70, 0.90),
            {"density_gsm": "12 oz/yd2 x 33.9 g/m2 per oz/yd2", "mechanics": KES_APPAREL, "drape": DRAPE,
             "price": PRICE},
            lambda: render_weave(WeaveSpec(twill(3, 1), 28, 18, (0.16, 0.22, 0.42), (0.80, 0.77, 0.70),
                                           cover=(0.95, 0.9), tone=(0.12, 0.05), slub=(0.05, 0.1), warp_streak=0.15,
                                           weft_exposure=0.5), (4.0, 4.0), 168),
            "3/1 twill, 28 x 18 threads/cm (70 x 46 per inch), ring-dyed warp",
        ),
        Entry(
            _fabric("jersey_cotton", "Heather white cotton jersey", "knit", "95% cotton, 5% elastane",
                    "single jersey, 14 wales x 18 courses per cm", (3.0, 3.0),
                    _physics(165.0, 0.55, (900, 500), 10, (2.5, 1.5), 0.55), 180, 16.0,
                    [("white", "#efeeea"), ("heather grey", "#9c9c9c"), ("navy", "#23304f")]),
            "knit", (0.25, 0.50),
            {"density_gsm": "single jersey T-shirt fabric 150-180 g/m2", "mechanics": KES_APPAREL, "drape": DRAPE,
             "price": PRICE},
            lambda: render_jersey(KnitSpec(14, 18, (0.90, 0.89, 0.86), tone=0.025), (3.0, 3.0), 160),
            "single jersey face loops, 14 wales x 18 courses per cm",
        ),
        Entry(
            _fabric("wool_crepe", "Navy wool crepe", "wool", "100% wool", "crepe weave of crepe-twist worsted yarn, "
                    "26 ends x 24 picks per cm", (3.0, 3.0),
                    _physics(230.0, 0.45, (8000, 6000), 25, (7.0, 6.0), 0.55), 150, 39.0,
                    [("navy", "#25304a"), ("charcoal", "#3b3b3d"), ("camel", "#b48a5a")]),
            "wool", (0.35, 0.60),
            {"density_gsm": "dress-weight wool crepe 200-260 g/m2", "mechanics": KES_APPAREL, "drape": DRAPE,
             "price": PRICE},
            lambda: render_weave(WeaveSpec(crepe_weave(8), 26, 24, (0.17, 0.20, 0.31), (0.16, 0.19, 0.29),
                                           cover=(0.92, 0.92), tone=(0.05, 0.05), slub=(0.08, 0.08), slub_cm=0.2,
                                           crepe=0.2, fuzz=1.0, gap_shade=0.45), (3.0, 3.0), 130),
            "crepe weave with crepe-twist yarn, 26 x 24 threads/cm",
        ),
        Entry(
            _fabric("technical_knit", "Blue technical jacquard knit", "synthetic", "100% polyester",
                    "jacquard knit", (3.0, 3.0), _physics(220.0, 0.8, (2500, 1500), 30, (8.0, 6.0), 0.6), 150, 24.0,
                    [("blue", "#4a6fa5"), ("graphite", "#4a4c52")], sheen=0.2, sheen_roughness=0.6),
            "synthetic", (0.25, 0.55),
            {"density_gsm": "technical jacquard knit 200-240 g/m2", "mechanics": KES_APPAREL, "drape": DRAPE,
             "price": PRICE},
        ),
    ]


SCANNED_CREDITS = {
    "linen_red": {
        "scan.png": ("KhronosGroup glTF-Sample-Assets, Models/ToyCar/glTF/Fabric_baseColor.png "
                     "(artists Guido Odendahl / Eric Chadwick), made seamless by garment3d.fabric.tiling", "CC0-1.0"),
        "normal.png": ("KhronosGroup glTF-Sample-Assets, Models/ToyCar/glTF/Fabric_normal.png, blended with "
                       "the same weights as scan.png", "CC0-1.0"),
        "roughness.png": ("derived from scan.png by garment3d.fabric.maps (luminance relief)", "CC0-1.0"),
    },
    "technical_knit": {
        "scan.png": ("KhronosGroup glTF-Sample-Assets, Models/SheenCloth/glTF/technicalFabricSmall_basecolor_256.png "
                     "(Microsoft)", "CC0-1.0"),
        "normal.png": ("KhronosGroup glTF-Sample-Assets, Models/SheenCloth/glTF/technicalFabricSmall_normal_256.png",
                       "CC0-1.0"),
        "roughness.png": ("derived from scan.png by garment3d.fabric.maps (luminance relief)", "CC0-1.0"),
    },
}  # fmt: skip


def build(entry: Entry, root: Path) -> Path:
    folder = root / entry.fabric.name
    folder.mkdir(parents=True, exist_ok=True)
    look = look_for(entry.kind)
    if entry.draw is not None:
        woven = entry.draw()
        write_png(woven.rgb, folder / "scan.png", optimize=True)
        write_png(normal_map(woven.height, woven.px_per_cm, look.bump_mm), folder / "normal.png", optimize=True)
        write_png(roughness_map(woven.height, look.roughness), folder / "roughness.png", optimize=True)
        credits = {
            "scan.png": (f"generated by tools/build_fabric_library.py: {entry.credit}", GENERATED),
            "normal.png": ("generated from the same weave's yarn relief", GENERATED),
            "roughness.png": ("generated from the same weave's yarn relief", GENERATED),
        }
    else:
        scan = read_image(folder / "scan.png", "scan").pixels
        px_per_cm = scan.shape[1] / entry.fabric.tile_cm[0]
        if not seam_visibility(scan).seamless:  # the scan's copies meet with a seam: blend it away, maps too
            normal = read_image(folder / "normal.png", "normal map").pixels
            scan, normal = make_seamless(scan, normal)
            vectors = normal * 2 - 1
            vectors /= np.linalg.norm(vectors, axis=-1, keepdims=True)
            write_png(scan, folder / "scan.png")
            write_png(vectors * 0.5 + 0.5, folder / "normal.png")
        write_png(roughness_map(height_from_image(scan, px_per_cm), look.roughness), folder / "roughness.png")
        credits = SCANNED_CREDITS[entry.fabric.name]
    fabric = dataclasses.replace(
        entry.fabric,
        texture_path=folder / "scan.png",
        normal_path=folder / "normal.png",
        roughness_path=folder / "roughness.png",
    )
    write_fabric_toml(folder, fabric, kind=entry.kind, image_credits=credits, sources=entry.sources,
                      drape_range=entry.drape_range)  # fmt: skip
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="build only these fabrics")
    parser.add_argument("--root", type=Path, default=get_settings().fabrics_dir)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for entry in entries():
        if args.only and entry.fabric.name not in args.only:
            continue
        log.info("built %s", build(entry, args.root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
