"""The constraint kernels per call on a library garment at 1 cm, against the textbook XPBD step.

Run: .venv/bin/python benchmarks/bench_kernels.py [--pattern a_line_skirt,jiaoling_top] [--fabric silk_charmeuse]
     [--threads 1,2] [--repeats 200]

The solver's triangle and hinge kernels (garment3d.drape.kernels) take the XPBD step with the algebra
simplified: a stretch constraint's denominator does not depend on the positions (its gradient's direction
is a unit vector), and a hinge's step needs no square root (|s| cancels). The baseline here is the same
step written as the definition reads (gradient, then its norm, then the denominator, per constraint):
the solver's kernels before 2026-12-03. Each is timed per call (best of ``--repeats``) on the garment's
placed mesh at 1 cm in one process, so the ratio is what to read; both must give the same positions
to rounding (the largest difference is printed). Thread counts are set with numba.set_num_threads.
"""

from __future__ import annotations

import argparse
import math
import time

import numba
import numpy as np

_FAST = {"contract"}


@numba.njit(cache=True, parallel=True, fastmath=_FAST)
def textbook_triangles(x, w, tri, dm_inv, alpha, ptr, dt2):
    """Weft |f0| - 1, warp |f1| - 1 and shear f0 . f1 of each triangle, each step from its gradient (the
    solver's kernel before 2026-12-03, scalar code in registers like the current one)."""
    for c in range(len(ptr) - 1):
        for t in numba.prange(ptr[c], ptr[c + 1]):
            i0, i1, i2 = tri[t, 0], tri[t, 1], tri[t, 2]
            a, b, cc, d = dm_inv[t, 0], dm_inv[t, 1], dm_inv[t, 2], dm_inv[t, 3]
            w0, w1, w2 = w[i0], w[i1], w[i2]
            p0x, p0y, p0z = x[i0, 0], x[i0, 1], x[i0, 2]
            p1x, p1y, p1z = x[i1, 0], x[i1, 1], x[i1, 2]
            p2x, p2y, p2z = x[i2, 0], x[i2, 1], x[i2, 2]
            for kind in range(3):
                e1x, e1y, e1z = p1x - p0x, p1y - p0y, p1z - p0z
                e2x, e2y, e2z = p2x - p0x, p2y - p0y, p2z - p0z
                # F columns: f0 = a e1 + cc e2 (weft), f1 = b e1 + d e2 (warp)
                f0x, f0y, f0z = a * e1x + cc * e2x, a * e1y + cc * e2y, a * e1z + cc * e2z
                f1x, f1y, f1z = b * e1x + d * e2x, b * e1y + d * e2y, b * e1z + d * e2z
                if kind < 2:
                    if kind == 0:
                        gx, gy, gz, s1, s2 = f0x, f0y, f0z, a, cc
                    else:
                        gx, gy, gz, s1, s2 = f1x, f1y, f1z, b, d
                    length = math.sqrt(gx * gx + gy * gy + gz * gz)
                    if length < 1e-12:
                        continue
                    constraint = length - 1.0
                    nx, ny, nz = gx / length, gy / length, gz / length
                    g1x, g1y, g1z = s1 * nx, s1 * ny, s1 * nz
                    g2x, g2y, g2z = s2 * nx, s2 * ny, s2 * nz
                else:
                    constraint = f0x * f1x + f0y * f1y + f0z * f1z
                    g1x, g1y, g1z = a * f1x + b * f0x, a * f1y + b * f0y, a * f1z + b * f0z
                    g2x, g2y, g2z = cc * f1x + d * f0x, cc * f1y + d * f0y, cc * f1z + d * f0z
                g0x, g0y, g0z = -g1x - g2x, -g1y - g2y, -g1z - g2z
                denom = (w0 * (g0x * g0x + g0y * g0y + g0z * g0z)
                         + w1 * (g1x * g1x + g1y * g1y + g1z * g1z)
                         + w2 * (g2x * g2x + g2y * g2y + g2z * g2z)
                         + alpha[t, kind] / dt2)
                if denom < 1e-20:
                    continue
                dl = -constraint / denom
                p0x += w0 * dl * g0x
                p0y += w0 * dl * g0y
                p0z += w0 * dl * g0z
                p1x += w1 * dl * g1x
                p1y += w1 * dl * g1y
                p1z += w1 * dl * g1z
                p2x += w2 * dl * g2x
                p2y += w2 * dl * g2y
                p2z += w2 * dl * g2z
            x[i0, 0], x[i0, 1], x[i0, 2] = p0x, p0y, p0z
            x[i1, 0], x[i1, 1], x[i1, 2] = p1x, p1y, p1z
            x[i2, 0], x[i2, 1], x[i2, 2] = p2x, p2y, p2z


@numba.njit(cache=True, parallel=True, fastmath=_FAST)
def textbook_hinges(x, w, hinge, kw, alpha, ptr, dt2):
    """C = |sum k_q x_q|: its gradient k_q s/|s|, normalised, and the step from it."""
    for c in range(len(ptr) - 1):
        for h in numba.prange(ptr[c], ptr[c + 1]):
            sx = 0.0
            sy = 0.0
            sz = 0.0
            denom = alpha[h] / dt2
            for q in range(4):
                v = hinge[h, q]
                sx += kw[h, q] * x[v, 0]
                sy += kw[h, q] * x[v, 1]
                sz += kw[h, q] * x[v, 2]
                denom += w[v] * kw[h, q] * kw[h, q]
            length = math.sqrt(sx * sx + sy * sy + sz * sz)
            if length < 1e-12:
                continue
            dl = -length / denom
            nx, ny, nz = sx / length, sy / length, sz / length
            for q in range(4):
                v = hinge[h, q]
                s = w[v] * dl * kw[h, q]
                x[v, 0] += s * nx
                x[v, 1] += s * ny
                x[v, 2] += s * nz


def _best_us(function, x0: np.ndarray, repeats: int) -> tuple[float, np.ndarray]:
    x = x0.copy()
    function(x)  # compile
    best = math.inf
    for _ in range(repeats):
        x = x0.copy()
        start = time.perf_counter()
        function(x)
        best = min(best, time.perf_counter() - start)
    return 1e6 * best, x


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pattern", default="a_line_skirt,jiaoling_top")
    parser.add_argument("--fabric", default="silk_charmeuse")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    from garment3d.body import build_body
    from garment3d.drape import kernels
    from garment3d.drape.model import build_model
    from garment3d.fabrics import load_fabric
    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.patterns import evaluate, get_definition
    from garment3d.sizes import parse_size

    size, fabric = parse_size("160/84A"), load_fabric(args.fabric)
    body = build_body(size.measurements)
    dt2 = (1.0 / 60.0 / 32.0) ** 2
    print(f"{'pattern':<14}{'kernel':<10}{'items':>7}{'colours':>8}{'threads':>8}{'textbook us':>12}"
          f"{'solver us':>10}{'ratio':>7}{'max diff m':>12}")
    for name in args.pattern.split(","):
        drafted = evaluate(get_definition(name), size.measurements, size_label=size.label, fabric=fabric)
        garment = mesh_pattern(drafted, body, MeshOptions(spacing_m=0.01))
        m = build_model(garment, fabric)
        x0 = np.asarray(garment.positions, np.float64) + np.random.default_rng(0).normal(0, 1e-3, (m.n, 3))
        cases = {
            "triangles": (len(m.tri), len(m.tri_color_ptr) - 1, (m.inv_mass, m.tri, m.tri_dm_inv, m.tri_alpha,
                                                                 m.tri_color_ptr, dt2),
                          textbook_triangles, kernels._solve_triangles),
            "hinges": (len(m.hinge), len(m.hinge_color_ptr) - 1, (m.inv_mass, m.hinge, m.hinge_k, m.hinge_alpha,
                                                                 m.hinge_color_ptr, dt2),
                       textbook_hinges, kernels._solve_hinges),
        }
        for threads in (int(t) for t in args.threads.split(",")):
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            for kernel, (items, colours, rest, baseline, solver) in cases.items():
                base_us, base_x = _best_us(lambda x: baseline(x, *rest), x0, args.repeats)
                new_us, new_x = _best_us(lambda x: solver(x, *rest), x0, args.repeats)
                print(f"{name:<14}{kernel:<10}{items:>7}{colours:>8}{numba.get_num_threads():>8}{base_us:>12.0f}"
                      f"{new_us:>10.0f}{base_us / new_us:>7.2f}{np.abs(base_x - new_x).max():>12.1e}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
