"""Fit figures of a drape: where the pattern's bust, waist and hip lines ended up, and blouson.

A line is followed as cloth, not cut at a height: the cloth that lay on the pattern's line (its pattern
y on each listed panel, ``GarmentMesh.pattern_xy``) is found in the drape by cutting each triangle at
that pattern y and carrying the cut over to the triangle's draped corners. A horizontal section at a
fixed body height would mix cloth from above and below the line wherever the garment slid or tilted, and
would cut across a horizontal fold several times; following the cloth measures the same cloth the
pattern maker measured, and its height says where it landed.

- draped girth: a tape measure round that cloth line (the perimeter of its convex hull seen from
  above, as a tape bridges the hollow between the breasts);
- height: the line's median height, against the body landmark's (``Landmarks.bust_y``, ``waist_y``:
  the natural waist between the lowest rib and the iliac crest, ``hip_y``) less the line's declared
  depth below it;
- stand-off: the line's median distance from the body, and its 95th percentile;
- blouson: in a band of the garment from 5 cm under the waist line up to the bust line (or 15 cm
  above the waist line), the cloth in each column of the pattern should rise as the pattern rises. Where
  it folds over, cloth hangs below cloth that is cut under it. The deepest such overhang per column,
  and its 90th percentile over the columns round the body, is the blouson figure (cm): 0 for a
  bodice that runs smoothly down to the waist, the depth of the fold for one that drops over it.
"""

from __future__ import annotations

import numpy as np

from garment3d.body.measure import torso_girth
from garment3d.body.section import convex_perimeter
from garment3d.fields import sample_sdf
from garment3d.types import Body, FitLine, FitLineSpec, GarmentMesh

__all__ = ["measure_fit", "line_points", "blouson_cm", "BAND_BELOW_WAIST_CM", "BAND_ABOVE_WAIST_CM",
           "BLOUSON_PERCENTILE"]

BAND_BELOW_WAIST_CM = 5.0  # the blouson band starts this far under the waist line
BAND_ABOVE_WAIST_CM = 15.0  # and reaches the bust line, or this far above the waist line without one
BLOUSON_PERCENTILE = 90.0  # over the columns round the body: a fold over a tenth of the girth shows
_MIN_COLUMN = 3  # vertices a column needs to be judged


def _landmark_y(body: Body, name: str) -> float:
    lm = body.landmarks
    return {"bust": lm.bust_y, "waist": lm.waist_y, "hip": lm.hip_y}[name]


def line_points(garment: GarmentMesh, positions: np.ndarray, panel: int, y_cm: float) -> tuple[np.ndarray, np.ndarray]:
    """Where the pattern line y = ``y_cm`` crosses the edges of panel ``panel`` in the drape: its pattern x
    (k,) cm and its draped positions (k, 3) m, sorted by pattern x."""
    faces = garment.faces[garment.panel_of[garment.faces[:, 0]] == panel]
    edges = np.unique(np.sort(np.vstack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1), axis=0)
    y = garment.pattern_xy[:, 1] - (y_cm + 1e-7)  # never exactly on a vertex
    a, b = edges[:, 0], edges[:, 1]
    cut = (y[a] > 0) != (y[b] > 0)
    a, b = a[cut], b[cut]
    t = (y[a] / (y[a] - y[b]))[:, None]
    x = (1 - t[:, 0]) * garment.pattern_xy[a, 0] + t[:, 0] * garment.pattern_xy[b, 0]
    points = (1 - t) * positions[a] + t * positions[b]
    order = np.argsort(x)
    return x[order], points[order]


def _fit_line(spec: FitLineSpec, garment: GarmentMesh, positions: np.ndarray, body: Body) -> FitLine:
    index = {name: i for i, name in enumerate(garment.panel_names)}
    points = np.vstack([line_points(garment, positions, index[panel], y)[1] for panel, y in spec.panels])
    height = float(np.median(points[:, 1]))
    distance = np.maximum(sample_sdf(body.sdf, points), 0.0)
    body_girth = torso_girth(body.vertices, body.faces, height, body.landmarks.axis_xz)
    return FitLine(
        name=spec.name,
        pattern_girth_cm=spec.pattern_girth_cm,
        draped_girth_cm=convex_perimeter(points[:, [0, 2]]) * 100.0,
        body_girth_cm=float(body_girth) * 100.0,
        height_m=height,
        target_height_m=_landmark_y(body, spec.name) - spec.below_cm / 100.0,
        body_distance_cm=float(np.median(distance)) * 100.0,
        body_distance_p95_cm=float(np.percentile(distance, 95)) * 100.0,
    )


def _column_overhang(heights: np.ndarray) -> float:
    """Deepest drop of any point below a point earlier in the column (heights in pattern-y order)."""
    return float(np.max(np.maximum.accumulate(heights) - heights))


def _panel_overhangs(garment: GarmentMesh, positions: np.ndarray, panel: int, low: float, high: float) -> list[float]:
    mine = np.flatnonzero((garment.panel_of == panel) & (garment.pattern_xy[:, 1] >= low)
                          & (garment.pattern_xy[:, 1] <= high))
    if len(mine) == 0:
        return []
    width = garment.spacing_m * 100.0
    column = np.floor(garment.pattern_xy[mine, 0] / width).astype(np.int64)
    order = np.lexsort((garment.pattern_xy[mine, 1], column))
    column, heights = column[order], positions[mine[order], 1]
    starts = np.flatnonzero(np.r_[True, column[1:] != column[:-1]])
    ends = np.r_[starts[1:], len(column)]
    return [_column_overhang(heights[s:e]) for s, e in zip(starts, ends) if e - s >= _MIN_COLUMN]


def blouson_cm(garment: GarmentMesh, positions: np.ndarray) -> float:
    """The blouson figure (cm, module docstring); 0 without a waist line."""
    lines = {line.name: dict(line.panels) for line in garment.fit_lines}
    waist = lines.get("waist", {})
    index = {name: i for i, name in enumerate(garment.panel_names)}
    overhangs: list[float] = []
    for panel, y in waist.items():
        top = lines.get("bust", {}).get(panel, y + BAND_ABOVE_WAIST_CM)
        overhangs += _panel_overhangs(garment, positions, index[panel], y - BAND_BELOW_WAIST_CM, top)
    if not overhangs:
        return 0.0
    return float(np.percentile(overhangs, BLOUSON_PERCENTILE)) * 100.0


def measure_fit(positions: np.ndarray, garment: GarmentMesh, body: Body) -> tuple[tuple[FitLine, ...], float]:
    """The garment's declared lines in the drape, and its blouson figure (cm); nothing for a garment
    without a fit declaration (or a mesh made without a pattern)."""
    if garment.pattern_xy is None or not garment.fit_lines:
        return (), 0.0
    lines = tuple(_fit_line(spec, garment, positions, body) for spec in garment.fit_lines)
    return lines, blouson_cm(garment, positions)
