"""Virtual Cusick drape test (BS 5058 / ISO 9073-9): a physical check of a fabric model.

A circular specimen (30 cm across) rests centred on a circular pedestal
(18 cm across) and hangs under gravity; the drape coefficient is the share of
the overhanging ring that the draped specimen's shadow still covers::

    DC = (A_shadow - A_pedestal) / (A_specimen - A_pedestal)

A limp silk folds close around the pedestal (DC of roughly 0.2-0.4); a stiff
denim stays nearly flat (0.7-0.9). The same solver and material mapping as a
garment drape is used, so the test checks what designers will see.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from garment3d.drape.simulate import DrapeOptions, drape
from garment3d.meshing import triangulate_panel
from garment3d.types import (
    Body,
    Fabric,
    GarmentMesh,
    Landmarks,
    Measurements,
    Panel,
    PanelEdge,
    Placement,
    SignedDistanceGrid,
)

__all__ = ["CusickResult", "cusick_drape"]

SPECIMEN_DIAMETER_M = 0.30
PEDESTAL_DIAMETER_M = 0.18
PEDESTAL_TOP_M = 0.30


@dataclass(frozen=True)
class CusickResult:
    fabric: str
    drape_coefficient: float
    shadow_area_m2: float
    settled: bool
    wall_s: float
    vertex_count: int


def _pedestal(spacing: float = 0.004) -> Body:
    """A cylinder (the pedestal) standing on the floor, as a collision body."""
    radius = PEDESTAL_DIAMETER_M / 2
    origin = np.array([-0.25, 0.0, -0.25])
    shape = (int(0.5 / spacing) + 1, int(0.45 / spacing) + 1, int(0.5 / spacing) + 1)
    x, y, z = (origin[i] + spacing * np.arange(shape[i]) for i in range(3))
    gx, gy, gz = np.meshgrid(x, y, z, indexing="ij")
    radial = np.sqrt(gx**2 + gz**2) - radius
    vertical = gy - PEDESTAL_TOP_M
    outside = np.sqrt(np.maximum(radial, 0) ** 2 + np.maximum(vertical, 0) ** 2)
    values = np.where((radial < 0) & (vertical < 0), np.maximum(radial, vertical), outside)
    angles = np.linspace(0, 2 * math.pi, 48, endpoint=False)
    ring = np.column_stack([radius * np.sin(angles), np.zeros(48), radius * np.cos(angles)])
    vertices = np.vstack([ring, ring + [0, PEDESTAL_TOP_M, 0]])
    return Body(
        vertices=vertices,
        faces=np.zeros((0, 3), np.int64),
        landmarks=Landmarks(PEDESTAL_TOP_M, -1.0, 0.0, 0.0, 0.0, np.zeros(2)),  # waist below the floor: no hold
        measured=Measurements(0.0, 0.0, 0.0, 0.0),
        sdf=SignedDistanceGrid(origin=origin, spacing=spacing, values=values.astype(np.float32)),
    )


def _specimen(spacing_m: float, lift_m: float) -> GarmentMesh:
    radius_cm = SPECIMEN_DIAMETER_M * 50
    count = max(24, int(round(2 * math.pi * radius_cm / (spacing_m * 100))))
    angles = np.linspace(0, 2 * math.pi, count, endpoint=False)
    outline = np.column_stack([radius_cm * np.cos(angles), radius_cm * np.sin(angles)])
    panel = Panel(
        name="specimen",
        outline=outline,
        edges=(PanelEdge("rim", 0, 0),),
        grain=np.array([0.0, 1.0]),
        placement=Placement("flat", 0.0),
    )
    mesh = triangulate_panel(panel, {"rim": count}, spacing_m * 100)
    uv = mesh.points_cm / 100.0
    # the specimen lies flat just above the pedestal; pattern y runs along world -z
    positions = np.column_stack([uv[:, 0], np.full(len(uv), PEDESTAL_TOP_M + lift_m), -uv[:, 1]])
    # pattern counter-clockwise seen from above (+y) keeps the faces' normals pointing up
    faces = mesh.faces[:, [0, 2, 1]]
    return GarmentMesh(
        panel_names=("specimen",),
        rest_uv=uv,
        positions=positions,
        faces=faces.astype(np.int32),
        panel_of=np.zeros(len(uv), np.int32),
        seam_pairs=np.empty((0, 2), np.int32),
        seam_of=np.empty(0, np.int32),
        anchor_mask=np.zeros(len(uv), bool),
        spacing_m=spacing_m,
    )


def shadow_area(positions: np.ndarray, faces: np.ndarray) -> float:
    """Area (m2) of the vertical projection (the shadow) of a triangle mesh."""
    triangles = positions[faces][:, :, [0, 2]]
    polygons = shapely.polygons(np.concatenate([triangles, triangles[:, :1]], axis=1))
    return float(shapely.union_all(shapely.make_valid(polygons)).area)


def cusick_drape(fabric: Fabric, spacing_m: float = 0.01, options: DrapeOptions | None = None) -> CusickResult:
    """Drape a 30 cm specimen of ``fabric`` over an 18 cm pedestal and return its drape coefficient."""
    specimen = _specimen(spacing_m, lift_m=0.5 * fabric.thickness_mm * 1e-3 + 0.004)
    # a drag, not kinetic damping: the specimen buckles from flat into its nodes, and stopping it at every
    # fall of its kinetic energy restarts that growth from rest; it then came to rest with shallower nodes
    # (drape coefficients 0.04-0.05 higher in denim, linen, poplin, brocade, dupioni and the technical knit)
    options = options or DrapeOptions(close_seconds=0.0, min_seconds=1.5, max_seconds=8.0, damping=1.0,
                                      kinetic_damping=False)
    result = drape(specimen, _pedestal(), fabric, options)
    area = shadow_area(result.positions, specimen.faces)
    a_specimen = math.pi * (SPECIMEN_DIAMETER_M / 2) ** 2
    a_pedestal = math.pi * (PEDESTAL_DIAMETER_M / 2) ** 2
    coefficient = (area - a_pedestal) / (a_specimen - a_pedestal)
    return CusickResult(
        fabric=fabric.name,
        drape_coefficient=float(np.clip(coefficient, 0.0, 1.0)),
        shadow_area_m2=area,
        settled=result.report.settled,
        wall_s=result.report.wall_s,
        vertex_count=result.report.vertex_count,
    )
