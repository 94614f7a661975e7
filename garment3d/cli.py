"""Command line: ``garment3d sample ...`` and ``garment3d list``."""

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


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="garment3d", description="Virtual garment samples: pattern -> body -> drape -> render.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sample = sub.add_parser("sample", help="make one virtual sample")
    sample.add_argument("--pattern", default="a_line_skirt", help="library pattern name (see 'garment3d list')")
    sample.add_argument("--size", default="160/84A", help="GB/T 1335 size such as 160/84A, or 'custom'")
    sample.add_argument("--gender", choices=("female", "male"), default="female")
    sample.add_argument("--fabric", default="linen_red", help="fabric name (see 'garment3d list')")
    sample.add_argument("--out", type=Path, required=True, help="output folder")
    sample.add_argument("--quality", choices=("draft", "standard"), default="standard")
    sample.add_argument("--param", action="append", type=_parameter, default=[], metavar="NAME=VALUE",
                        help="style parameter override, repeatable (e.g. length=70)")
    for name in ("height", "bust", "waist", "hip"):
        sample.add_argument(f"--{name}", type=float, help=f"{name} in cm (with --size custom)")
    sample.add_argument("--avatar", type=Path, help="drape on your own body mesh (OBJ, GLB or PLY) instead of a size")
    sample.add_argument("--avatar-units", choices=("mm", "cm", "m"), help="units of the avatar file (default: detect)")
    sample.add_argument("--arm-angle", type=float, help="arm angle from vertical in degrees (default: the A-pose)")
    sample.add_argument("--allow-failed-drape", action="store_true",
                        help="render even if the drape fails its quality gates")

    sub.add_parser("list", help="list patterns and fabrics")
    return parser


def _measurements(args: argparse.Namespace) -> Measurements | None:
    given = {n: getattr(args, n) for n in ("height", "bust", "waist", "hip")}
    if all(v is None for v in given.values()):
        return None
    missing = [n for n, v in given.items() if v is None]
    if missing:
        raise InvalidRequestError(f"custom measurements need all of --height --bust --waist --hip (missing: {', '.join('--' + m for m in missing)})")
    return Measurements(
        height_cm=args.height, bust_cm=args.bust, waist_cm=args.waist, hip_cm=args.hip, gender=args.gender
    )


def _sample(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from garment3d.pipeline import STAGES, SampleRequest, run_sample, validate_request

    request = SampleRequest(
        pattern=args.pattern,
        size=args.size,
        fabric=args.fabric,
        gender=args.gender,
        measurements=_measurements(args),
        parameters=tuple(args.param),
        quality=args.quality,
        allow_failed_drape=args.allow_failed_drape,
        arm_angle_deg=args.arm_angle,
        avatar=args.avatar,
        avatar_units=args.avatar_units,
    )
    validate_request(request)  # fail fast, before any heavy import
    last_refresh = [0.0]
    bar = tqdm(total=len(STAGES), unit="stage", bar_format="{desc:<16}{bar}| {n_fmt}/{total_fmt} [{elapsed}]")

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
    return 0


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
        return _sample(args) if args.command == "sample" else _list()
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
