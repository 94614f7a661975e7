"""Synthetic typed values for the render-stage tests and benchmarks.

- ``body``: a watertight mannequin made by revolving a standing-figure profile
  (1.74 m, one column for the legs) about the vertical axis.
- ``skirt_drape``: one flat annular-sector pattern piece (a flared skirt),
  triangulated on a polar grid, ``rest_uv`` in metres with the warp along the
  centre line, wrapped into a cone round the body's waist with soft folds; the
  two straight edges meet at centre back as a seam.
- fabrics pointing at a real scan (CC0, see tests/data/LICENSES.md) and at a
  generated two-colour checker.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from garment3d.types import (
    Body,
    Drape,
    DrapeReport,
    Fabric,
    GarmentMesh,
    Landmarks,
    Measurements,
    SignedDistanceGrid,
)

DATA = Path(__file__).resolve().parents[1] / "data"
LINEN_SCAN = DATA / "fabrics" / "toycar_red_linen_basecolor.png"

WAIST_Y = 1.05
# (radius, height) in metres, feet to crown; starts and ends on the axis so the solid is closed.
FIGURE_PROFILE = np.array(
    [
        [0.0, 0.0],
        [0.10, 0.0],
        [0.11, 0.04],
        [0.08, 0.12],
        [0.10, 0.45],
        [0.14, 0.70],
        [0.17, 0.88],
        [0.16, 0.96],
        [0.13, WAIST_Y],
        [0.15, 1.20],
        [0.16, 1.27],
        [0.17, 1.40],
        [0.12, 1.45],
        [0.055, 1.48],
        [0.055, 1.54],
        [0.085, 1.58],
        [0.095, 1.65],
        [0.07, 1.72],
        [0.0, 1.74],
    ]
)


def make_body() -> Body:
    import trimesh

    solid = trimesh.creation.revolve(FIGURE_PROFILE, sections=48)  # about +Z
    z_up_to_y_up = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, -1, 0, 0], [0, 0, 0, 1]], dtype=float)
    solid.apply_transform(z_up_to_y_up)
    assert solid.is_watertight and solid.volume > 0
    return Body(
        vertices=np.asarray(solid.vertices, dtype=np.float64),
        faces=np.asarray(solid.faces, dtype=np.int64),
        landmarks=Landmarks(bust_y=1.27, waist_y=WAIST_Y, hip_y=0.88, crotch_y=0.75, knee_y=0.45, axis_xz=np.zeros(2)),
        measured=Measurements(height_cm=174.0, bust_cm=100.0, waist_cm=82.0, hip_cm=107.0),
        sdf=SignedDistanceGrid(origin=np.zeros(3), spacing=0.1, values=np.zeros((2, 2, 2), np.float32)),
    )


def make_skirt_drape(
    waist_radius: float = 0.135,
    length: float = 0.55,
    half_angle_deg: float = 20.0,
    spacing: float = 0.02,
    fold_count: int = 9,
    fold_depth: float = 0.03,
) -> Drape:
    """A cone skirt hanging from the waist: one annular-sector panel, seam at centre back."""
    alpha = np.radians(half_angle_deg)
    inner = waist_radius / np.sin(alpha)  # slant distance from the cone apex to the waist
    sweep = 2 * np.pi * np.sin(alpha)  # the flat sector's opening angle
    rows = int(np.ceil(length / spacing)) + 1
    cols = int(np.ceil(sweep * (inner + length) / spacing)) + 1
    slant, psi = np.meshgrid(
        np.linspace(inner, inner + length, rows), np.linspace(-sweep / 2, sweep / 2, cols), indexing="ij"
    )
    slant, psi = slant.ravel(), psi.ravel()

    # Flat pattern (m): sector opening downwards, centre line (the grain) along +y, waist at y = 0.
    rest_uv = np.column_stack([slant * np.sin(psi), inner - slant * np.cos(psi)])

    # Wrapped: pattern x runs with azimuth (0 = centre front, +Z); folds deepen towards the hem.
    azimuth = psi / np.sin(alpha)
    depth = (slant - inner) / length
    radius = slant * np.sin(alpha) + fold_depth * depth**1.5 * np.sin(fold_count * azimuth)
    y = WAIST_Y - (slant - inner) * np.cos(alpha)
    positions = np.column_stack([radius * np.sin(azimuth), y, radius * np.cos(azimuth)])

    grid = np.arange(rows * cols).reshape(rows, cols)
    a, b = grid[:-1, :-1].ravel(), grid[:-1, 1:].ravel()
    c, d = grid[1:, :-1].ravel(), grid[1:, 1:].ravel()
    # Counter-clockwise in the pattern plane (seen from the right side) = outward on the body.
    faces = np.vstack([np.column_stack([a, c, d]), np.column_stack([a, d, b])]).astype(np.int32)
    seam_pairs = np.column_stack([grid[:, 0], grid[:, -1]]).astype(np.int32)

    n = len(positions)
    garment = GarmentMesh(
        panel_names=("skirt",),
        rest_uv=rest_uv,
        positions=positions,
        faces=faces,
        panel_of=np.zeros(n, np.int32),
        seam_pairs=seam_pairs,
        seam_of=np.zeros(len(seam_pairs), np.int32),
        anchor_mask=grid.ravel() < cols,
        spacing_m=spacing,
    )
    report = DrapeReport(
        max_seam_gap_mm=0.0,
        inside_count=0,
        inside_share=0.0,
        max_edge_strain=0.0,
        p95_edge_strain=0.0,
        settled=True,
        steps=0,
        simulated_s=0.0,
        wall_s=0.0,
        vertex_count=n,
    )
    return Drape(garment=garment, positions=positions, report=report)


def make_fabric(texture_path: Path, tile_cm=(12.0, 12.0), **extra) -> Fabric:
    values = dict(
        name="test_linen",
        display_name="Test linen",
        density_gsm=180.0,
        thickness_mm=0.4,
        stretch_warp_n_per_m=20000.0,
        stretch_weft_n_per_m=18000.0,
        shear_n_per_m=400.0,
        bending_warp_unm=12.0,
        bending_weft_unm=10.0,
        friction=0.4,
        tile_cm=tuple(tile_cm),
        texture_path=Path(texture_path),
        roughness=0.8,
    )
    values.update(extra)
    return Fabric(**values)


def write_checker(path: Path, size: int = 64) -> Path:
    """A 2x2 checker of blue and yellow (one tile = one image)."""
    from PIL import Image

    half = size // 2
    pixels = np.zeros((size, size, 3), np.uint8)
    pixels[...] = (30, 60, 200)
    pixels[:half, :half] = pixels[half:, half:] = (240, 200, 30)
    Image.fromarray(pixels).save(path)
    return path


FASTENED_KINDS = ("button", "press_stud", "frog", "hook_eye", "tie")
FASTENED_SIZES_CM = (1.5, 1.0, 2.5, 1.2, 1.5)


def make_fastened_drape(kinds=FASTENED_KINDS, sizes_cm=FASTENED_SIZES_CM, spacing: float = 0.01) -> Drape:
    """The skirt with fasteners down its centre front, 8 cm apart from 3 cm under the waist.

    Each fastener joins a centre-front vertex (the outer one) to its neighbour
    towards the wearer's left, as a closure's two layers would be paired.
    """
    import dataclasses

    drape = make_skirt_drape(spacing=spacing)
    garment = drape.garment
    rest = np.asarray(garment.rest_uv)
    centre_front = np.nonzero(np.abs(rest[:, 0]) < 0.45 * spacing)[0]
    depth = -rest[centre_front, 1]
    pairs = []
    for index in range(len(kinds)):
        outer = centre_front[np.argmin(np.abs(depth - (0.03 + 0.08 * index)))]
        distance = np.linalg.norm(rest - rest[outer], axis=1)
        distance[outer] = np.inf
        pairs.append([outer, int(np.argmin(distance))])
    garment = dataclasses.replace(
        garment,
        fastener_pairs=np.asarray(pairs, np.int32),
        fastener_kinds=tuple(kinds),
        fastener_sizes_cm=tuple(float(s) for s in sizes_cm),
    )
    return dataclasses.replace(drape, garment=garment)
