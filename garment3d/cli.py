"""Command line: ``garment3d sample``, ``list``, ``sizes`` and ``pattern export|thumbnail``.

``garment3d pattern export NAME --out FILE`` writes a library pattern's pieces
at one size (``--size``, default 160/84A) as SVG, DXF or PDF, or, with
``--sizes``, a graded nest of several sizes as one file::

    garment3d pattern export a_line_skirt --size 165/88A --out skirt.pdf --tiled --paper A4
    garment3d pattern export a_line_skirt --sizes 155/80A,160/84A,165/88A --format svg --out nest.svg
    garment3d pattern export a_line_skirt --sizes international --gender male --out nest.dxf
    garment3d pattern thumbnail a_line_skirt --out skirt.png
    garment3d sizes --system international --gender male
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from garment3d.errors import Garment3DError, InvalidRequestError
from garment3d.types import Measurements

__all__ = ["main"]

EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 1
_EXPORT_FORMATS = ("svg", "dxf", "pdf")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own messages, without the traceback-free exit 2 changing
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USER_ERROR)


def _parameter(text: str) -> tuple[str, float]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"'{text}' is not NAME=VALUE")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"parameter '{name}' value '{value}' is not a number") from None


def _name_list(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    if not names:
        raise argparse.ArgumentTypeError("give at least one name, separated by commas")
    return names


def _add_body_landmarks(parser: argparse.ArgumentParser) -> None:
    """Where a custom waist was measured, and the control heights (GB/T 1335), for --size custom."""
    parser.add_argument("--waist-at", choices=("natural", "navel"), default=None,
                        help="where --waist was measured: 'natural' (ISO 8559-1, between the lowest rib and the "
                             "iliac crest; GB/T 1335; the default) or 'navel' (as ANSUR II measures it)")
    parser.add_argument("--waist-height", type=float, default=None, metavar="CM",
                        help="natural waist height above the floor (GB/T 1335 腰围高); default: predicted")
    parser.add_argument("--cervical-height", type=float, default=None, metavar="CM",
                        help="back neck point (cervicale) height above the floor; default: predicted")
    parser.add_argument("--arm-length", type=float, default=None, metavar="CM",
                        help="arm length, shoulder point to wrist, the arm hanging (GB/T 1335 全臂长); "
                             "default: predicted")
    parser.add_argument("--thigh", type=float, default=None, metavar="CM",
                        help="one thigh's girth just below the crotch (gluteal fold); default: predicted")
    parser.add_argument("--inside-leg", type=float, default=None, metavar="CM",
                        help="inside leg, floor to crotch (ISO 8559-1); the body's legs are fitted to it and the "
                             "heights not given are predicted given it; default: the body's own")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="garment3d", description="Virtual garment samples: pattern -> body -> drape -> render.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sample = sub.add_parser("sample", help="make one virtual sample")
    sample.add_argument("--pattern", default=None, help="library pattern name (see 'garment3d list'; default "
                                                        "a_line_skirt)")
    sample.add_argument("--pattern-file", type=Path, default=None,
                        help="a pattern file instead: TOML definition, GarmentCode specification (.json), or "
                             "DXF-AAMA/ASTM or SVG with --sidecar")
    sample.add_argument("--sidecar", type=Path, default=None,
                        help="TOML next to a DXF/SVG: placements, seams, [body] (see "
                             "garment3d/patterns/formats/sidecar.py); a GarmentCode file's may give [body]")
    sample.add_argument("--pattern-units", choices=("mm", "cm", "inch", "m"), default=None,
                        help="units of a DXF pattern file (default: what it states or its geometry suggests)")
    sample.add_argument("--size", default=None,
                        help="GB/T 1335 size such as 160/84A (default), 'custom' with --height --bust --waist "
                             "--hip, or for a fixed-size pattern file 'pattern' (default there): the body its "
                             "sidecar's [body] names")
    sample.add_argument("--gender", choices=("female", "male"), default="female")
    sample.add_argument("--fabric", default="linen_red", help="fabric name (see 'garment3d list')")
    sample.add_argument("--out", type=Path, required=True, help="output folder")
    sample.add_argument("--quality", choices=("draft", "standard"), default="standard")
    sample.add_argument("--param", action="append", type=_parameter, default=[], metavar="NAME=VALUE",
                        help="style parameter override, repeatable (e.g. length=70)")
    for name in ("height", "bust", "waist", "hip"):
        sample.add_argument(f"--{name}", type=float, help=f"{name} in cm (with --size custom)")
    _add_body_landmarks(sample)
    sample.add_argument("--avatar", type=Path, help="drape on your own body mesh (OBJ, GLB or PLY) instead of a size")
    sample.add_argument("--avatar-units", choices=("mm", "cm", "m"), help="units of the avatar file (default: detect)")
    sample.add_argument("--arm-angle", type=float, help="arm angle from vertical in degrees (default: the A-pose)")
    sample.add_argument("--figure", choices=("dress_form", "mannequin", "avatar"), default="dress_form",
                        help="what the garment is shown on (display only; the drape uses the real body)")
    sample.add_argument("--skin-tone", default="medium",
                        help="skin tone of the avatar figure: porcelain, light, medium, tan, brown, deep")
    sample.add_argument("--outputs", type=_name_list, default=None, metavar="KIND,...",
                        help="render outputs: frames,webp,gif,mp4,sprite,stills,glb (default: all)")
    sample.add_argument("--transparent", action="store_true", help="transparent background in frames and stills")
    sample.add_argument("--still-px", type=int, default=1024, help="front, side and back stills' size (16-2048)")
    sample.add_argument("--hero", action="store_true",
                        help="also path-trace front and three-quarter hero stills (Mitsuba 3 with a denoiser; under a minute at 1536 px)")
    sample.add_argument("--colorway", default=None,
                        help="render the fabric in this colour: one of its colorways, #rrggbb or a CSS colour name")
    sample.add_argument("--colorways", type=_name_list, default=(), metavar="FABRIC,...",
                        help="render the same drape in these fabrics too, with a contact sheet")
    sample.add_argument("--allow-failed-drape", action="store_true",
                        help="render even if the drape fails its quality gates")

    sub.add_parser("list", help="list patterns and fabrics")

    serve = sub.add_parser("serve", help="run the sample service (API, viewer pages and worker processes)")
    serve.add_argument("--host", help="address to listen on (default GARMENT3D_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default GARMENT3D_PORT or 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (default GARMENT3D_WORKERS or 1)")
    serve.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))

    worker = sub.add_parser("worker", help="run a distributed worker (Celery) taking jobs from the broker at "
                                           "GARMENT3D_BROKER_URL")
    worker.add_argument("--queues", default="drape,render",
                        help="queues to take jobs from, comma-separated: drape, render (default both)")
    worker.add_argument("--concurrency", type=int, default=1, help="jobs run at once, one process each (default 1)")
    worker.add_argument("--name", help="worker name (default garment3d-PID@HOST)")
    worker.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))

    users = sub.add_parser("users", help="service accounts: add a user (prints their API key once), list users")
    users_sub = users.add_subparsers(dest="users_command", required=True, parser_class=_Parser)
    users_add = users_sub.add_parser("add", help="add a user and print their API key (shown once)")
    users_add.add_argument("name")
    users_add.add_argument("--role", required=True, choices=("designer", "sales", "admin"))
    users_add.add_argument("--org", default="default", help="organisation (created when new; default 'default')")
    users_sub.add_parser("list", help="list users and their organisations (never their keys)")

    sizes = sub.add_parser("sizes", help="list the sizes of a size system with their measurements")
    sizes.add_argument("--system", default="gbt", help="'gbt' (GB/T 1335, default) or 'international' (XS-XXL)")
    sizes.add_argument("--gender", choices=("female", "male"), default="female")
    sizes.add_argument("--type", dest="body_type", default="A", help="GB/T body type Y, A, B or C (default A)")

    pattern = sub.add_parser("pattern", help="pattern files: export (one size or a graded nest), import, thumbnail")
    pattern_sub = pattern.add_subparsers(dest="pattern_command", required=True, parser_class=_Parser)
    export = pattern_sub.add_parser(
        "export", help="write a library pattern at one size, or a graded nest of several sizes, as SVG/DXF/PDF"
    )
    export.add_argument("name", help="library pattern name (see 'garment3d list')")
    which = export.add_mutually_exclusive_group()
    which.add_argument("--size", help="one size: GB/T 1335 such as 160/84A, XS-XXL (W-M, M-L), or 'custom' with "
                                      "--height --bust --waist --hip; default 160/84A")
    which.add_argument("--sizes", help="a graded nest: comma-separated sizes (155/80A,160/84A,165/88A), or a whole "
                                       "system: 'gbt' (150/76A-180/100A) or 'international' (XS-XXL)")
    export.add_argument("--gender", choices=("female", "male"), default="female",
                        help="for sizes without a W/M prefix (default female)")
    for name in ("height", "bust", "waist", "hip"):
        export.add_argument(f"--{name}", type=float, help=f"{name} in cm (with --size custom)")
    _add_body_landmarks(export)
    export.add_argument("--param", action="append", type=_parameter, default=[], metavar="NAME=VALUE",
                        help="style parameter override, repeatable (e.g. length=70)")
    export.add_argument("--format", dest="fmt", choices=_EXPORT_FORMATS, help="file format (default: from --out)")
    export.add_argument("--out", type=Path, required=True, help="output file (.svg, .dxf or .pdf)")
    export.add_argument("--seam-allowance", type=float, default=None, metavar="CM",
                        help="seam allowance in cm for every edge (default: each edge's own from the definition, else 1)")
    export.add_argument("--reference", choices=("anchor", "origin"), default="anchor",
                        help="grading reference point of a nest: 'anchor' (centre of the side the piece hangs "
                             "from) or 'origin' (the definition's origin)")
    export.add_argument("--dxf-variant", choices=("aama", "astm"), default="aama")
    export.add_argument("--tiled", action="store_true", help="PDF of one size: tile onto --paper pages")
    export.add_argument("--paper", choices=("A4", "Letter", "A3"), default="A4")

    imported = pattern_sub.add_parser(
        "import", help="read a pattern file (TOML, GarmentCode JSON, DXF-AAMA/ASTM, SVG): list its pieces and edges, "
                       "suggest seams, apply a sidecar, write it as SVG or DXF")
    imported.add_argument("file", type=Path, help="a .toml definition, GarmentCode .json specification, .dxf from a "
                                                  "CAD system or .svg written by garment3d")
    imported.add_argument("--units", choices=("mm", "cm", "inch", "m"), default=None,
                          help="override the units the file states or suggests")
    imported.add_argument("--size", default=None, help="which size of a graded file (default: the sidecar's, else "
                                                       "the first); for a TOML definition the size to draft "
                                                       "(default 160/84A)")
    imported.add_argument("--sidecar", type=Path, default=None,
                          help="TOML with placements and seams (see garment3d/patterns/formats/sidecar.py)")
    imported.add_argument("--out", type=Path, default=None, help="write the imported pieces as SVG or DXF")

    thumbnail = pattern_sub.add_parser("thumbnail", help="write the catalog thumbnail PNG of a library pattern")
    thumbnail.add_argument("name", help="library pattern name")
    thumbnail.add_argument("--out", type=Path, required=True, help="output PNG file")
    thumbnail.add_argument("--px", type=int, default=256, help="image width and height in pixels (32-1024)")

    from garment3d.cli_fabric import add_fabric_parser

    add_fabric_parser(sub, _Parser)
    return parser



def _sizes(args: argparse.Namespace) -> int:
    from garment3d.sizes import sizes_of

    for size in sizes_of(args.system, args.gender, args.body_type):
        m = size.measurements
        print(f"{size.label:<10} height {m.height_cm:g}  bust {m.bust_cm:g}  waist {m.waist_cm:g}  hip {m.hip_cm:g}  "
              f"({size.system})")
    return 0


def _export_format(args: argparse.Namespace) -> str:
    suffix = args.out.suffix.lower().lstrip(".")
    if args.fmt is None:
        if suffix not in _EXPORT_FORMATS:
            raise InvalidRequestError(
                f"cannot tell the format from '{args.out.name}'; name the file .svg, .dxf or .pdf or give --format"
            )
        return suffix
    if suffix and suffix != args.fmt:
        raise InvalidRequestError(f"--format {args.fmt} does not match the file name '{args.out.name}'")
    return args.fmt


def _size_list(text: str, gender: str) -> list:
    from garment3d.sizes import sizes_of

    result = []
    for token in (t.strip() for t in text.split(",")):
        if not token:
            raise InvalidRequestError(f"--sizes '{text}' has an empty entry; separate sizes with single commas")
        if token.lower() in ("gbt", "gb/t 1335", "international", "intl"):
            result.extend(sizes_of(token, gender))
        else:
            result.append(token)
    return result


def _export(args: argparse.Namespace) -> int:
    from garment3d.patterns import evaluate, get_definition
    from garment3d.patterns.formats import write_dxf, write_pattern_svg, write_pdf
    from garment3d.patterns.grading import grade, write_nest
    from garment3d.sizes import custom_size, parse_size

    fmt = _export_format(args)
    definition = get_definition(args.name)
    parameters = dict(args.param)
    allowance = {} if args.seam_allowance is None else {"seam_allowance": args.seam_allowance}
    if args.out.is_dir():
        raise InvalidRequestError(f"--out '{args.out}' is a folder; give a file name")
    if args.sizes is not None:
        if args.tiled:
            raise InvalidRequestError("--tiled prints one size; a graded nest is one full-size sheet (drop --tiled)")
        if any(getattr(args, n) is not None for n in ("height", "bust", "waist", "hip")):
            raise InvalidRequestError("--height --bust --waist --hip draft one custom size; use --size custom")
        nest = grade(definition, _size_list(args.sizes, args.gender), parameters, args.gender, args.reference)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_nest(nest, args.out, fmt, dxf_variant=args.dxf_variant, **allowance)
        print(f"graded nest of {definition.name} ({', '.join(nest.labels)}; reference {nest.reference}) "
              f"written to {args.out}")
        return 0
    measurements = _measurements(args)
    if (args.size == "custom") != (measurements is not None):
        raise InvalidRequestError("--size custom goes with --height --bust --waist --hip (and they only with it)")
    size = custom_size(measurements) if measurements is not None else parse_size(args.size or "160/84A", args.gender)
    pattern = evaluate(definition, size.measurements, parameters, size_label=size.label)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "svg":
        write_pattern_svg(pattern, args.out, **allowance)
    elif fmt == "dxf":
        write_dxf(pattern, args.out, variant=args.dxf_variant, **allowance)
    else:
        write_pdf(pattern, args.out, tiled=args.tiled, paper=args.paper, **allowance)
    print(f"{definition.name} at size {size.label} written to {args.out}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from garment3d.patterns.evaluate import edge_length_cm
    from garment3d.patterns.formats import write_dxf, write_pattern_svg
    from garment3d.patterns.formats.load import load_pattern_file
    from garment3d.patterns.formats.sidecar import suggest_seams

    loaded = load_pattern_file(args.file, sidecar=args.sidecar, units=args.units)
    if args.size is not None and loaded.imported is not None:
        loaded.imported.pieces_of_size(args.size)  # names the sizes the file has
    pattern = _imported_pattern(loaded, args.size)
    _print_source(loaded, pattern)
    for panel in pattern.panels:
        edges = ", ".join(f"{e.name} {edge_length_cm(panel, e.name):.1f}" for e in panel.edges)
        where = panel.placement
        place = f"{where.region}{' ' + where.side if where.side else ''} at {where.azimuth_deg:.0f} deg"
        print(f"  {panel.name} (cut {panel.cut_count}; {place}): {edges} cm")
    _print_fasteners(pattern)
    if loaded.kind in ("dxf", "svg") and args.sidecar is None:
        print("seams suggested by matching edge lengths (check them; write the real ones in a sidecar):")
        for s in suggest_seams(pattern):
            print(f"  {s.a.panel}.{s.a.edge} <-> {s.b.panel}.{s.b.edge}  ({s.difference_mm:.1f} mm apart)")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        suffix = args.out.suffix.lower()
        if suffix == ".svg":
            write_pattern_svg(pattern, args.out)
        elif suffix == ".dxf":
            write_dxf(pattern, args.out)
        else:
            raise InvalidRequestError(f"--out '{args.out.name}': name the file .svg or .dxf")
        print(f"size {pattern.size_label or '(one size)'} written to {args.out}")
    return 0


def _print_fasteners(pattern) -> None:
    """One line per fastener declaration (names ``NAME[i]``): count, kind and the two pieces."""
    rows: dict[tuple[str, str, str, str], int] = {}
    for f in pattern.fasteners:
        key = (f.name.split("[")[0], f.kind, f.a, f.b)
        rows[key] = rows.get(key, 0) + 1
    for (name, kind, a, b), count in rows.items():
        print(f"  fasteners {name}: {count} {kind}{'s' if count > 1 else ''}, {a} over {b}")


def _imported_pattern(loaded, size: str | None):
    """The pattern ``pattern import`` lists and writes: a definition at --size (default 160/84A); a file's
    pieces at --size, else the sidecar's size, else the first size of a graded file."""
    from dataclasses import replace

    from garment3d.sizes import parse_size

    if loaded.definition is not None:
        chosen = parse_size(size or "160/84A")
        return loaded.pattern(chosen.measurements, {}, chosen.label)
    if size is not None:
        side = loaded.sidecar
        loaded = replace(loaded, sidecar=replace(side, size=size) if side is not None else None)
        if side is None and loaded.kind in ("dxf", "svg"):
            return loaded.imported.to_pattern(size)
    return loaded.pieces()


def _print_source(loaded, pattern) -> None:
    if loaded.definition is not None:
        print(f"{loaded.name}: TOML definition, {len(pattern.panels)} panels, {len(pattern.seams)} seams, "
              f"drafted at {pattern.size_label}")
        _print_gathers(pattern)
        return
    imported = loaded.imported
    sizes = ", ".join(imported.sizes) if any(imported.sizes) else "(none stated)"
    print(f"{imported.name}: {loaded.kind} file, {len(imported.pieces)} pieces, sizes {sizes}, "
          f"units {imported.units} ({imported.units_source}), {len(pattern.seams)} seams")
    if len(imported.sizes) > 1:
        print(f"note: graded file: showing size {pattern.size_label} (choose another with --size)")
    for note in imported.notes:
        print(f"note: {note}")
    _print_gathers(pattern)
    if loaded.sidecar is not None:
        print(f"sidecar: {len(loaded.sidecar.placements)} placements, {len(loaded.sidecar.seams)} seams"
              + (f", drafted for a body of height {loaded.body.height_cm:g} bust {loaded.body.bust_cm:g} "
                 f"waist {loaded.body.waist_cm:g} hip {loaded.body.hip_cm:g} cm" if loaded.body else ""))


def _print_gathers(pattern) -> None:
    gathered = [seam for seam in pattern.seams if seam.kind == "gather"]
    if gathered:
        print(f"gathered seams ({len(gathered)}; the longer edge gathered onto the other): "
              + ", ".join(f"{seam.a} to {seam.b}" for seam in gathered))


def _thumbnail(args: argparse.Namespace) -> int:
    from garment3d.patterns import get_definition
    from garment3d.patterns.thumbnail import thumbnail_png

    png = thumbnail_png(get_definition(args.name), args.px)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(png)
    print(f"thumbnail of {args.name} ({args.px} x {args.px} px) written to {args.out}")
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "sample":
        return _sample(args)
    if args.command == "list":
        return _list()
    if args.command == "sizes":
        return _sizes(args)
    if args.command == "fabric":
        from garment3d.cli_fabric import run_fabric

        return run_fabric(args)
    if args.command in ("serve", "users", "worker"):
        from server.cli import serve, users, worker

        return {"serve": serve, "users": users, "worker": worker}[args.command](args)
    commands = {"export": _export, "import": _import, "thumbnail": _thumbnail}
    return commands[args.pattern_command](args)


def _measurements(args: argparse.Namespace) -> Measurements | None:
    given = {n: getattr(args, n) for n in ("height", "bust", "waist", "hip")}
    landmarks = {"--waist-at": getattr(args, "waist_at", None), "--waist-height": getattr(args, "waist_height", None),
                 "--cervical-height": getattr(args, "cervical_height", None),
                 "--arm-length": getattr(args, "arm_length", None), "--thigh": getattr(args, "thigh", None),
                 "--inside-leg": getattr(args, "inside_leg", None)}
    if all(v is None for v in given.values()):
        extra = [flag for flag, value in landmarks.items() if value is not None]
        if extra:
            raise InvalidRequestError(f"{' '.join(extra)} describe a custom body: give them with --size custom "
                                      f"--height --bust --waist --hip")
        return None
    missing = [n for n, v in given.items() if v is None]
    if missing:
        raise InvalidRequestError(f"custom measurements need all of --height --bust --waist --hip (missing: {', '.join('--' + m for m in missing)})")
    return Measurements(
        height_cm=args.height, bust_cm=args.bust, waist_cm=args.waist, hip_cm=args.hip, gender=args.gender,
        waist_at=landmarks["--waist-at"] or "natural", waist_height_cm=landmarks["--waist-height"],
        cervical_height_cm=landmarks["--cervical-height"], arm_length_cm=landmarks["--arm-length"],
        thigh_cm=landmarks["--thigh"], inside_leg_cm=landmarks["--inside-leg"],
    )


def _default_size(args: argparse.Namespace) -> str:
    """'custom' when measurements are given; for a fixed-size pattern file the body it names; else 160/84A."""
    if _measurements(args) is not None:
        return "custom"
    if args.avatar is not None:
        return "avatar"
    if args.pattern_file is not None and args.pattern_file.suffix.lower() != ".toml":
        return "pattern"  # garment3d.pipeline.PATTERN_SIZE
    return "160/84A"


def _sample(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from garment3d.pipeline import STAGES, SampleRequest, run_sample, validate_request

    if args.pattern is not None and args.pattern_file is not None:
        raise InvalidRequestError("give either --pattern (a library name) or --pattern-file, not both")
    size = args.size or _default_size(args)
    request = SampleRequest(
        pattern=args.pattern or "a_line_skirt",
        pattern_file=args.pattern_file,
        sidecar=args.sidecar,
        pattern_units=args.pattern_units,
        size=size,
        fabric=args.fabric,
        gender=args.gender,
        measurements=_measurements(args),
        parameters=tuple(args.param),
        quality=args.quality,
        allow_failed_drape=args.allow_failed_drape,
        arm_angle_deg=args.arm_angle,
        avatar=args.avatar,
        avatar_units=args.avatar_units,
        figure=args.figure,
        skin_tone=args.skin_tone,
        outputs=args.outputs,
        transparent=args.transparent,
        still_size_px=args.still_px,
        hero=args.hero,
        colorways=args.colorways,
        colorway=args.colorway,
    )
    validate_request(request)  # fail fast, before any heavy import
    last_refresh = [0.0]
    bar = tqdm(total=len(STAGES) + int(args.hero) + int(bool(args.colorways)), unit="stage", bar_format="{desc:<16}{bar}| {n_fmt}/{total_fmt} [{elapsed}]")

    def progress(stage: str, fraction: float) -> None:
        if fraction <= 0.0:
            bar.set_description_str(stage)
        elif fraction >= 1.0:
            bar.update(1)
        elif stage == "drape":
            bar.set_description_str(f"drape {fraction:4.0%}", refresh=False)
            now = time.monotonic()
            if now - last_refresh[0] > 0.5:
                last_refresh[0] = now
                bar.refresh()

    try:
        result = run_sample(request, args.out, progress)
    finally:
        bar.close()
    report = result.report
    print(f"sample written to {result.out_dir}")
    for stage, seconds in result.timings:
        print(f"  {stage:<8} {seconds:7.2f} s")
    print(
        f"  drape: {report.vertex_count} vertices, largest seam gap {report.max_seam_gap_mm:.2f} mm, "
        f"inside body {report.inside_count} ({report.inside_share:.2%}), max edge strain {report.max_edge_strain:.1%} "
        f"(p95 {report.p95_edge_strain:.1%}), {report.self_intersections} self-intersections, "
        f"{'settled' if report.settled else 'NOT settled'} after "
        f"{report.simulated_s:.2f} s simulated"
    )
    _print_gates(report)
    return 0


def _print_gates(report) -> None:
    from garment3d.gates import evaluate

    verdict = evaluate(report)
    print("  gates: passed every gate" if verdict.passed else "  gates FAILED: " + "; ".join(verdict.problems))


def _list() -> int:
    from garment3d.fabrics import list_fabrics, load_fabric
    from garment3d.patterns import get_definition, list_patterns

    print("patterns:")
    for name in list_patterns():
        definition = get_definition(name)
        print(f"  {name:<20} {definition.label}")
    print("fabrics:")
    for name in list_fabrics():
        print(f"  {name:<20} {load_fabric(name).display_name}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return _run(args)
    except Garment3DError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: a short message, the traceback only on request
        if args.debug:
            raise
        print(f"internal error ({type(exc).__name__}): {exc}; rerun with --debug for details", file=sys.stderr)
        return EXIT_INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
