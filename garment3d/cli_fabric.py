"""``garment3d fabric ...``: the fabric library from the command line.

    garment3d fabric list
    garment3d fabric show silk_charmeuse
    garment3d fabric import scan.tif --name my_linen --kind linen --dpi 600 --crop 100,100,1300,1300
    garment3d fabric u3m-import material.u3ma --name vendor_twill
    garment3d fabric u3m-export silk_brocade --out brocade.u3ma
    garment3d fabric colorway silk_charmeuse --colour midnight --out midnight.png
    garment3d fabric palette moodboard.jpg --fabric silk_habotai --out swatches/
    garment3d fabric print motif.png --name peony_habotai --base silk_habotai --size-cm 12,12 --mode half_drop
    garment3d fabric tiling
"""

from __future__ import annotations

import argparse
from pathlib import Path

from garment3d.errors import InvalidRequestError

__all__ = ["add_fabric_parser", "run_fabric"]


def _box(text: str) -> tuple[int, int, int, int]:
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not LEFT,TOP,RIGHT,BOTTOM in pixels") from None
    if len(values) != 4:
        raise argparse.ArgumentTypeError(f"'{text}' is not LEFT,TOP,RIGHT,BOTTOM in pixels")
    return values


def _size(text: str) -> tuple[float, float]:
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not WIDTH,HEIGHT in cm") from None
    if len(values) != 2:
        raise argparse.ArgumentTypeError(f"'{text}' is not WIDTH,HEIGHT in cm")
    return values


def add_fabric_parser(sub, parser_class) -> None:
    from garment3d.fabric.maps import LOOKS
    from garment3d.fabric.properties import PRINT_MODES

    fabric = sub.add_parser("fabric", help="the fabric library: list, show, import scans and U3M, colorways, prints")
    commands = fabric.add_subparsers(dest="fabric_command", required=True, parser_class=parser_class)
    commands.add_parser("list", help="every library fabric with its composition and price")
    show = commands.add_parser("show", help="a fabric's properties, sources and image credits")
    show.add_argument("name")

    scan = commands.add_parser("import", help="import a scan or photo (PNG, JPEG, TIFF) as a PBR fabric")
    scan.add_argument("image", type=Path)
    scan.add_argument("--name", required=True, help="library name: a-z, 0-9, _")
    scan.add_argument("--kind", required=True, choices=sorted(LOOKS), help="kind of fabric: its sheen and defaults")
    scan.add_argument("--display-name", default="")
    size = scan.add_mutually_exclusive_group()
    size.add_argument("--dpi", type=float, help="scan resolution (default: the file's own, if it has one)")
    size.add_argument("--width-cm", type=float, help="physical width of the image (or of the crop) in cm")
    scan.add_argument("--crop", type=_box, help="LEFT,TOP,RIGHT,BOTTOM in pixels")
    scan.add_argument("--neutral", type=_box, help="LEFT,TOP,RIGHT,BOTTOM of a grey or white card to balance on")
    scan.add_argument("--white-balance", choices=("patch", "grey_world", "none"))
    scan.add_argument("--no-flat-field", action="store_true", help="keep the lighting gradient")
    scan.add_argument("--like", help="library fabric to take physical values from (default: by kind)")
    scan.add_argument("--composition", default="")
    scan.add_argument("--source", default="scan supplied by the user")
    scan.add_argument("--licence", default="owned by the user")
    scan.add_argument("--replace", action="store_true", help="replace a fabric of the same name")

    u3m_in = commands.add_parser("u3m-import", help="import a .u3m (JSON) or .u3ma (zip) material")
    u3m_in.add_argument("file", type=Path)
    u3m_in.add_argument("--name", required=True)
    u3m_in.add_argument("--kind", choices=sorted(LOOKS), help="kind for values the file lacks (default synthetic)")
    u3m_in.add_argument("--replace", action="store_true")
    u3m_out = commands.add_parser("u3m-export", help="write a library fabric as .u3ma")
    u3m_out.add_argument("name")
    u3m_out.add_argument("--out", type=Path, required=True)

    colorway = commands.add_parser("colorway", help="write a fabric's base colour recoloured (weave kept)")
    colorway.add_argument("name")
    colorway.add_argument("--colour", required=True, help="#rrggbb, a colorway name of the fabric, or a CSS name")
    colorway.add_argument("--out", type=Path, required=True, help="PNG file")

    palette = commands.add_parser("palette", help="3-8 named colours of an inspiration photo (CIELAB)")
    palette.add_argument("photo", type=Path)
    palette.add_argument("--count", type=int, help="exactly this many colours (3-8; default: as many as are distinct)")
    palette.add_argument("--fabric", help="offer the colours as colorways of this fabric")
    palette.add_argument("--out", type=Path, help="with --fabric: folder for one swatch PNG per colour")
    palette.add_argument("--save", action="store_true", help="with --fabric: add the colours to its colorways")

    printed = commands.add_parser("print", help="make a print fabric from a motif or repeat image")
    printed.add_argument("motif", type=Path)
    printed.add_argument("--name", required=True)
    printed.add_argument("--base", required=True, help="library fabric printed on (its weave and physics)")
    printed.add_argument("--size-cm", type=_size, required=True, help="WIDTH,HEIGHT of one motif in cm")
    printed.add_argument("--mode", choices=PRINT_MODES, default="full_drop")
    printed.add_argument("--source", default="print supplied by the user")
    printed.add_argument("--licence", default="owned by the user")
    printed.add_argument("--replace", action="store_true")

    tiling = commands.add_parser("tiling", help="how visible each fabric's tile seam is (mean dE across vs inside)")
    tiling.add_argument("names", nargs="*")


def run_fabric(args: argparse.Namespace) -> int:
    handlers = {
        "list": _list, "show": _show, "import": _import, "u3m-import": _u3m_import, "u3m-export": _u3m_export,
        "colorway": _colorway, "palette": _palette, "print": _print, "tiling": _tiling,
    }  # fmt: skip
    return handlers[args.fabric_command](args)


def _list(args) -> int:
    from garment3d.fabric.properties import list_fabrics, load_fabric

    for name in list_fabrics():
        f = load_fabric(name)
        price = f"{f.price_per_m:g} {f.currency}/m" if f.price_per_m is not None else ""
        print(f"{name:<22} {f.display_name:<48} {f.composition:<36} {f.density_gsm:>5.0f} g/m2  {price}")
    return 0


def _show(args) -> int:
    from garment3d.fabric.properties import load_record

    record = load_record(args.name)
    f = record.fabric
    print(f"{f.name}: {f.display_name}\n  {f.composition}; {f.construction}")
    print(f"  {f.density_gsm:g} g/m2, {f.thickness_mm:g} mm; stretch {f.stretch_warp_n_per_m:g}/{f.stretch_weft_n_per_m:g}"
          f" N/m, shear {f.shear_n_per_m:g} N/m, bending {f.bending_warp_unm:g}/{f.bending_weft_unm:g} uN m, "
          f"friction {f.friction:g}")  # fmt: skip
    print(f"  tile {f.tile_cm[0]:g} x {f.tile_cm[1]:g} cm; roll {f.roll_width_cm} cm; {f.price_per_m} {f.currency}/m")
    print(f"  look: roughness {f.roughness:g}, sheen {f.sheen:g} ({f.sheen_roughness:g}), anisotropy {f.anisotropy:g},"
          f" opacity {f.opacity:g}")  # fmt: skip
    if record.drape_range:
        print(f"  published drape coefficient {record.drape_range[0]:g}-{record.drape_range[1]:g}")
    for colorway in f.colorways:
        print(f"  colorway {colorway.name}: {colorway.hex}")
    for key, text in record.sources.items():
        print(f"  source of {key}: {text}")
    for file, (source, licence) in record.image_credits.items():
        print(f"  image {file}: {source} [{licence}]")
    return 0


def _import(args) -> int:
    from garment3d.fabric.scan import ScanImport, import_scan

    options = ScanImport(
        name=args.name, kind=args.kind, display_name=args.display_name, dpi=args.dpi, width_cm=args.width_cm,
        crop_px=args.crop, neutral_patch_px=args.neutral, white_balance=args.white_balance,
        flat_field=not args.no_flat_field, like=args.like, composition=args.composition, source=args.source,
        licence=args.licence,
    )  # fmt: skip
    result = import_scan(args.image, options, replace=args.replace)
    f = result.record.fabric
    print(f"imported {f.name}: tile {f.tile_cm[0]:.2f} x {f.tile_cm[1]:.2f} cm ({result.px_per_cm:.0f} px/cm), "
          f"white balance {result.white_balance}")  # fmt: skip
    print(f"seam before: {result.seam_before.edge_step:.2f} dE across the edges, "
          f"{result.seam_before.interior_step:.2f} inside")  # fmt: skip
    print(f"seam after:  {result.seam_after.edge_step:.2f} dE across the edges, "
          f"{result.seam_after.interior_step:.2f} inside ({'seamless' if result.seam_after.seamless else 'VISIBLE'})")
    print(f"written to {result.record.folder}")
    return 0


def _u3m_import(args) -> int:
    from garment3d.fabric.u3m import import_u3m

    record = import_u3m(args.file, args.name, kind=args.kind, replace=args.replace)
    f = record.fabric
    print(f"imported {f.name} ({f.display_name}): tile {f.tile_cm[0]:.2f} x {f.tile_cm[1]:.2f} cm, "
          f"{f.density_gsm:g} g/m2; written to {record.folder}")  # fmt: skip
    return 0


def _u3m_export(args) -> int:
    from garment3d.fabric.properties import load_record
    from garment3d.fabric.u3m import export_u3ma

    if args.out.suffix.lower() != ".u3ma":
        raise InvalidRequestError(f"'{args.out.name}': the output of u3m-export is a .u3ma file")
    print(f"written {export_u3ma(load_record(args.name), args.out)}")
    return 0


def _colorway(args) -> int:
    import shutil

    from garment3d.fabric.colorway import apply_colorway
    from garment3d.fabric.properties import load_fabric

    recoloured = apply_colorway(load_fabric(args.name), args.colour)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(recoloured.texture_path, args.out)
    print(f"{recoloured.display_name}: written to {args.out}")
    return 0


def _palette(args) -> int:
    from garment3d.fabric.palette import palette_colorways, palette_from_image

    colours = palette_from_image(args.photo, args.count)
    for colour in colours:
        lab = ", ".join(f"{v:.1f}" for v in colour.lab)
        print(f"{colour.hex}  {colour.name:<22} L*a*b* ({lab})  {100 * colour.share:.0f} %")
    if args.fabric:
        import shutil

        from garment3d.fabric.colorway import apply_colorway
        from garment3d.fabric.properties import load_fabric

        fabric = load_fabric(args.fabric)
        offered = palette_colorways(colours)
        if args.save:
            from garment3d.fabric.properties import add_colorways

            saved = add_colorways(args.fabric, offered)
            print(f"{args.fabric} now has {len(saved.fabric.colorways)} colorways")
        for colorway in offered:
            recoloured = apply_colorway(fabric, colorway.hex)
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                target = args.out / f"{args.fabric}_{colorway.name.replace(' ', '_')}.png"
                shutil.copyfile(recoloured.texture_path, target)
                print(f"colorway {colorway.name} ({colorway.hex}) of {args.fabric}: {target}")
            else:
                print(f"colorway {colorway.name} ({colorway.hex}) of {args.fabric}: {recoloured.texture_path}")
    return 0


def _print(args) -> int:
    from garment3d.fabric.prints import make_print_fabric

    record = make_print_fabric(args.motif, args.name, base=args.base, size_cm=args.size_cm, mode=args.mode,
                               source=args.source, licence=args.licence, replace=args.replace)  # fmt: skip
    f = record.fabric
    print(f"print fabric {f.name}: {args.mode} repeat, tile {f.tile_cm[0]:g} x {f.tile_cm[1]:g} cm; "
          f"written to {record.folder}")  # fmt: skip
    return 0


def _tiling(args) -> int:
    from garment3d.fabric.colorway import fabric_base_colour
    from garment3d.fabric.properties import list_fabrics, load_fabric
    from garment3d.fabric.tiling import seam_visibility

    print(f"{'fabric':<22}{'edge dE':>9}{'inside dE':>11}{'ratio':>8}  seamless")
    worst = 0
    for name in args.names or list_fabrics():
        seam = seam_visibility(fabric_base_colour(load_fabric(name)))
        worst += not seam.seamless
        print(f"{name:<22}{seam.edge_step:>9.2f}{seam.interior_step:>11.2f}{seam.ratio:>8.2f}  "
              f"{'yes' if seam.seamless else 'NO'}")  # fmt: skip
    return 1 if worst else 0
