"""Virtual Cusick drape test for every library fabric, against published ranges.

Run: .venv/bin/python benchmarks/bench_cusick.py [--spacing 0.01]

Published drape coefficients (Cusick tester, 30 cm specimen on an 18 cm
pedestal) used for the "expected" column, by kind of fabric:
- silk charmeuse / habotai and other light silks: about 0.20-0.40
- plain-woven cotton poplin and shirting: about 0.40-0.65
- medium-weight linen: about 0.55-0.80
- denim and other heavy twills: about 0.70-0.90
- jersey and technical knits: about 0.25-0.55
Sources: G. E. Cusick, "The measurement of fabric drape", J. Textile Inst.
59 (1968); summaries of measured coefficients in J. Hu and Y.-F. Chan,
"Effect of fabric mechanical properties on drape", Textile Res. J. 68 (1998),
and in reviews of fabric drape testing (e.g. Sanad et al., 2013).
"""

from __future__ import annotations

import argparse
import sys
import time

from garment3d.drape.cusick import cusick_drape
from garment3d.fabrics import list_fabrics, load_fabric

EXPECTED = {
    "silk_charmeuse": (0.20, 0.40),
    "poplin_grey": (0.40, 0.65),
    "linen_red": (0.55, 0.80),
    "denim_indigo": (0.70, 0.90),
    "technical_knit": (0.25, 0.55),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spacing", type=float, default=0.01)
    args = parser.parse_args()
    print(f"{'fabric':<16}{'g/m2':>7}{'B warp uNm':>12}{'DC':>7}{'expected':>13}{'in range':>10}{'settled':>9}{'verts':>7}{'wall s':>8}")
    for name in list_fabrics():
        fabric = load_fabric(name)
        start = time.perf_counter()
        result = cusick_drape(fabric, spacing_m=args.spacing)
        low, high = EXPECTED.get(name, (float("nan"), float("nan")))
        inside = "yes" if low <= result.drape_coefficient <= high else "NO"
        print(
            f"{name:<16}{fabric.density_gsm:>7.0f}{fabric.bending_warp_unm:>12.1f}{result.drape_coefficient:>7.2f}"
            f"{f'{low:.2f}-{high:.2f}':>13}{inside:>10}{str(result.settled):>9}{result.vertex_count:>7}"
            f"{time.perf_counter() - start:>8.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
