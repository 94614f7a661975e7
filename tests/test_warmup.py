"""The install-time warm-up compiles every kernel a drape calls from Python, so no request pays for it."""

import subprocess
import sys

# kernels called from Python during a drape (helpers called only from other kernels compile with them)
ENTRY_POINTS = {
    "kernels": ["_predict", "_solve_triangles", "_solve_hinges", "_solve_distance_limits", "_solve_seams",
                "_grip_anchors", "_pair_gaps", "_collide", "_update_velocity"],
    "penetration": ["_bin", "_parity"],
    "self_collision": ["_gather_vertex_triangle", "_gather_edge_edge", "_solve_vertex_triangle",
                       "_solve_edge_edge", "_pair_patches"],
    "intersections": ["_boxes", "_cell_entries", "_scan_cells", "_pair_crossings"],
}

# a fresh interpreter: kernels other tests ran are not compiled there
PROBE = """
import importlib, sys
from garment3d.warmup import warm_up
warm_up()
for module, names in {entry_points!r}.items():
    m = importlib.import_module("garment3d.drape." + module)
    for name in names:
        if not getattr(m, name).signatures:
            print(module + "." + name)
"""


def test_warm_up_compiles_every_entry_point():
    done = subprocess.run([sys.executable, "-c", PROBE.format(entry_points=ENTRY_POINTS)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
