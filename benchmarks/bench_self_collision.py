"""Cost and effect of cloth self-collision, and of the self-intersection count.

Run: .venv/bin/python benchmarks/bench_self_collision.py [--spacing 0.01] [--skip-body]

1. Each scene drapes with self-collision off and on: wall time, time spent
   in self-collision per substep (list rebuilds included), rebuilds, contact
   pairs at the end, self-intersections in the final state.
2. At the final state of each scene, the per-substep kernels timed alone
   (best of 20): triangle constraints, self-collision without a rebuild, the
   staleness check, one rebuild.
3. The self-intersection count at 8-34k triangles.

Times are wall-clock on this machine and noisy when it is shared.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _best_ms(function, repeats: int = 20) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return 1000.0 * best


def _scenes(spacing: float, skip_body: bool):
    from conftest import make_capsule_body
    from drape.test_self_collision import folded_strip, sphere_body, stacked_sheets

    from garment3d.drape import DrapeOptions
    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.patterns import evaluate, get_definition
    from garment3d.types import Measurements

    drop = DrapeOptions(close_seconds=0.0, min_seconds=1.0, max_seconds=3.0)
    ball = sphere_body()
    yield "two sheets on a ball (2 cm)", stacked_sheets()[0], ball, drop
    yield "strip folded on itself (2 cm)", folded_strip()[0], ball, drop
    capsule = make_capsule_body()
    skirt = evaluate(get_definition("a_line_skirt"), Measurements(160.0, 94.0, 93.0, 94.0), {"length": 55.0})
    garment = mesh_pattern(skirt, capsule, MeshOptions(spacing_m=spacing))
    yield f"A-line skirt, capsule ({spacing * 100:g} cm)", garment, capsule, DrapeOptions()
    if not skip_body:
        from garment3d.body import build_body
        from garment3d.sizes import parse_size

        size = parse_size("160/84A")
        body = build_body(size.measurements)
        pattern = evaluate(get_definition("a_line_skirt"), size.measurements, size_label=size.label)
        garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=spacing))
        yield f"A-line skirt, body M ({spacing * 100:g} cm)", garment, body, DrapeOptions()


def _drape_timed(garment, body, fabric, options):
    """Drape, timing the self-collision calls; returns (drape, seconds in self-collision, contact object)."""
    import garment3d.drape.simulate as simulate

    spent = {"s": 0.0, "contact": None}
    build = simulate.build_self_contact

    def instrumented(*args, **kwargs):
        contact = build(*args, **kwargs)
        solve = contact.solve

        def timed(x, x_start):
            start = time.perf_counter()
            solve(x, x_start)
            spent["s"] += time.perf_counter() - start

        contact.solve = timed
        spent["contact"] = contact
        return contact

    simulate.build_self_contact = instrumented
    try:
        result = simulate.drape(garment, body, fabric, options)
    finally:
        simulate.build_self_contact = build
    return result, spent["s"], spent["contact"]


def _kernel_times(garment, fabric, x) -> tuple[float, float, float, float]:
    from garment3d.drape.kernels import _solve_triangles
    from garment3d.drape.model import build_model
    from garment3d.drape.self_collision import build_self_contact, contact_distance_m

    model = build_model(garment, fabric)
    contact = build_self_contact(model.tri, model.inv_mass, garment.seam_pairs, friction=model.friction,
                                 contact_m=contact_distance_m(fabric.thickness_mm, garment.spacing_m))
    contact.rebuild(x, x)
    y = x.copy()
    dt2 = (1.0 / 60.0 / 24) ** 2
    tri_ms = _best_ms(lambda: _solve_triangles(y, model.inv_mass, model.tri, model.tri_dm_inv, model.tri_alpha,
                                               model.tri_color_ptr, dt2))
    contact._x_build = x.copy()
    solve_ms = _best_ms(lambda: contact.solve(y, x))  # no rebuild: nothing moved
    stale_ms = _best_ms(lambda: contact._lists_stale(x))
    rebuild_ms = _best_ms(lambda: contact.rebuild(x, x))
    return tri_ms, solve_ms, stale_ms, rebuild_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spacing", type=float, default=0.01, help="mesh spacing of the skirts (m)")
    parser.add_argument("--fabric", default="linen_red")
    parser.add_argument("--skip-body", action="store_true", help="skip the skirt on the fitted body")
    args = parser.parse_args()
    from garment3d.drape.intersections import count_self_intersections
    from garment3d.fabrics import load_fabric
    from garment3d.warmup import warm_up

    warm_up()
    fabric = load_fabric(args.fabric)
    print(f"1. Drapes in {fabric.name}, self-collision off / on")
    print(f"{'scene':<34}{'verts':>6}{'self':>6}{'frames':>7}{'wall s':>8}{'self ms/step':>13}{'rebuilds':>9}"
          f"{'v-t pairs':>10}{'e-e pairs':>10}{'self-isect':>11}{'settled':>8}{'gap mm':>7}{'inside':>7}")
    finals = []
    for name, garment, body, options in _scenes(args.spacing, args.skip_body):
        for on in (False, True):
            result, spent, contact = _drape_timed(garment, body, fabric, replace(options, self_collision=on))
            r = result.report
            self_ms = f"{1000 * spent / r.steps:.3f}" if on else "-"
            rebuilds = str(contact.builds) if on else "-"
            vt = str(contact.vertex_triangle_pairs) if on else "-"
            ee = str(contact.edge_edge_pairs) if on else "-"
            print(f"{name:<34}{r.vertex_count:>6}{'on' if on else 'off':>6}{round(r.simulated_s / options.frame_dt):>7}"
                  f"{r.wall_s:>8.2f}{self_ms:>13}{rebuilds:>9}{vt:>10}{ee:>10}{r.self_intersections:>11}"
                  f"{str(r.settled):>8}{r.max_seam_gap_mm:>7.2f}{r.inside_count:>7}")
            if on:
                finals.append((name, garment, result.positions))

    print("\n2. Per-substep kernels at each final state, best of 20 (ms)")
    print(f"{'scene':<34}{'triangles':>10}{'self solve':>11}{'stale check':>12}{'rebuild':>9}")
    for name, garment, x in finals:
        tri_ms, solve_ms, stale_ms, rebuild_ms = _kernel_times(garment, fabric, x)
        print(f"{name:<34}{tri_ms:>10.3f}{solve_ms:>11.3f}{stale_ms:>12.3f}{rebuild_ms:>9.3f}")

    print("\n3. Self-intersection count, best of 5")
    print(f"{'scene':<34}{'triangles':>10}{'ms':>8}{'count':>7}")
    for name, garment, x in finals:
        ms = _best_ms(lambda: count_self_intersections(x, garment.faces, garment.seam_pairs), 5)
        count = count_self_intersections(x, garment.faces, garment.seam_pairs)
        print(f"{name:<34}{len(garment.faces):>10}{ms:>8.1f}{count:>7}")
    from conftest import make_capsule_body

    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.patterns import evaluate, get_definition
    from garment3d.types import Measurements

    skirt = evaluate(get_definition("a_line_skirt"), Measurements(160.0, 94.0, 93.0, 94.0), {"length": 55.0})
    for spacing in (0.01, 0.007):
        garment = mesh_pattern(skirt, make_capsule_body(), MeshOptions(spacing_m=spacing))
        ms = _best_ms(lambda: count_self_intersections(garment.positions, garment.faces, garment.seam_pairs), 5)
        count = count_self_intersections(garment.positions, garment.faces, garment.seam_pairs)
        print(f"{'skirt as placed (' + format(spacing * 100, 'g') + ' cm)':<34}{len(garment.faces):>10}{ms:>8.1f}"
              f"{count:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
