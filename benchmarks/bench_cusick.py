"""Virtual Cusick drape test for every library fabric, against its published range.

Run: .venv/bin/python benchmarks/bench_cusick.py [--spacing 0.01] [--only NAME ...]

Each fabric's ``fabric.toml`` records the published drape coefficient range
of its kind (``[drape] coefficient_range``) and the source (``[sources]
drape``): Cusick tester, 30 cm specimen on an 18 cm pedestal. Sources: G. E.
Cusick, "The measurement of fabric drape", J. Textile Inst. 59 (1968);
summaries of measured coefficients in J. Hu and Y.-F. Chan, "Effect of
fabric mechanical properties on drape", Textile Res. J. 68 (1998), and in
reviews of fabric drape testing (e.g. Sanad et al., 2013). Exit status 1
when a fabric falls outside its range or has none.
"""

from __future__ import annotations

import argparse
import sys
import time

from garment3d.drape.cusick import cusick_drape
from garment3d.fabric.properties import list_fabrics, load_record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spacing", type=float, default=0.01)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    print(f"{'fabric':<22}{'g/m2':>7}{'B warp uNm':>12}{'DC':>7}{'published':>13}{'in range':>10}{'settled':>9}"
          f"{'verts':>7}{'wall s':>8}")  # fmt: skip
    failures = 0
    for name in list_fabrics():
        if args.only and name not in args.only:
            continue
        record = load_record(name)
        fabric = record.fabric
        start = time.perf_counter()
        result = cusick_drape(fabric, spacing_m=args.spacing)
        low, high = record.drape_range or (float("nan"), float("nan"))
        inside = low <= result.drape_coefficient <= high
        failures += not inside
        print(
            f"{name:<22}{fabric.density_gsm:>7.0f}{fabric.bending_warp_unm:>12.1f}{result.drape_coefficient:>7.2f}"
            f"{f'{low:.2f}-{high:.2f}':>13}{'yes' if inside else 'NO':>10}{str(result.settled):>9}"
            f"{result.vertex_count:>7}{time.perf_counter() - start:>8.1f}",
            flush=True,
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
