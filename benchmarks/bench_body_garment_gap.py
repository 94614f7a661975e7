"""How far a draped garment stands off the body between hip and bust: blouson shows as a gap (not part of the tests).

    .venv/bin/garment3d sample --pattern qipao --size 165/88A --fabric silk_charmeuse --out renders/qipao
    .venv/bin/python benchmarks/bench_body_garment_gap.py renders/qipao [more sample folders ...]

Reads each sample's ``garment.glb`` (the body and the draped garment in world
space) and prints, every 2 cm of height around the body's waist, the body's
torso girth and the gap between cloth and body: in 36 sectors round the body's
axis, the innermost cloth point in a 12 mm slab minus the body's outermost
point; the median and 90th percentile over the sectors (cm). A garment fitted
at the waist lies close there (its waist ease over 2 pi); a bodice that
blouses stands off the body above the waist. The body's narrowest level is
marked.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from garment3d.body.measure import TorsoSlicer

SECTORS = 36
SLAB_M = 0.006


def load(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Body vertices, body faces and garment vertices of a sample's GLB, in world space."""
    import trimesh

    scene = trimesh.load(folder / "garment.glb")
    meshes = {}
    for node in scene.graph.nodes_geometry:
        transform, name = scene.graph[node]
        mesh = scene.geometry[name].copy()
        mesh.apply_transform(transform)
        meshes[name] = mesh
    body = meshes.pop("body")
    cloth = np.vstack([np.asarray(m.vertices) for m in meshes.values()])
    return np.asarray(body.vertices), np.asarray(body.faces), cloth


def gap_profile(body_v: np.ndarray, body_f: np.ndarray, cloth: np.ndarray, levels: np.ndarray):
    """Per level: body girth (m) and the median and p90 cloth-body gap (m) over the sectors."""
    slicer = TorsoSlicer(body_v, body_f, np.zeros(2))
    edges = np.linspace(-np.pi, np.pi, SECTORS + 1)
    rows = []
    for y in levels:
        loop = slicer.loop(y)
        slab = cloth[np.abs(cloth[:, 1] - y) < SLAB_M]
        if loop is None or len(slab) == 0:
            rows.append((np.nan, np.nan, np.nan))
            continue
        body_sector = np.digitize(np.arctan2(loop[:, 0], loop[:, 1]), edges)
        cloth_sector = np.digitize(np.arctan2(slab[:, 0], slab[:, 2]), edges)
        body_r, cloth_r = np.hypot(loop[:, 0], loop[:, 1]), np.hypot(slab[:, 0], slab[:, 2])
        gaps = [cloth_r[cloth_sector == s].min() - body_r[body_sector == s].max()
                for s in range(1, SECTORS + 1) if (cloth_sector == s).any() and (body_sector == s).any()]
        rows.append((slicer.girth(y), float(np.median(gaps)), float(np.percentile(gaps, 90))))
    return np.array(rows)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for folder in map(Path, argv):
        body_v, body_f, cloth = load(folder)
        stature = float(np.ptp(body_v[:, 1]))
        levels = np.arange(round(0.55 * stature, 2), 0.72 * stature, 0.02)
        rows = gap_profile(body_v, body_f, cloth, levels)
        narrowest = int(np.nanargmin(rows[:, 0]))
        print(f"\n{folder}: body {stature * 100:.1f} cm tall; cloth-body gap (cm) by height")
        print(f"{'height cm':>9} {'body girth':>10} {'median gap':>10} {'p90 gap':>8}")
        for k, (y, (g, median, p90)) in enumerate(zip(levels, rows, strict=True)):
            mark = "  <- body's narrowest" if k == narrowest else ""
            print(f"{y * 100:9.0f} {g * 100:10.1f} {median * 100:10.1f} {p90 * 100:8.1f}{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
