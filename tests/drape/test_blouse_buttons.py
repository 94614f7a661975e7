"""The blouse's button front on the fitted body: buttoned, in silk charmeuse (the lightest library fabric), it
stays closed under gravity with the right front lying flat on the left; unbuttoned from that same closed
drape, the fronts swing apart (so the check can fail)."""

from dataclasses import replace

import numpy as np
import pytest

from garment3d.body import build_body
from garment3d.drape import DrapeOptions, drape
from garment3d.drape.model import fastener_rest_m
from garment3d.fabrics import load_fabric
from garment3d.gates import evaluate as judge
from garment3d.geometry import point_triangle_dist2
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate, get_definition
from garment3d.sizes import parse_size

SIZE = parse_size("160/84A")
SPACING = 0.02
OPEN = DrapeOptions(close_seconds=0.0, min_seconds=1.0, max_seconds=2.0)  # nothing to sew: it only hangs


@pytest.fixture(scope="module")
def silk():
    return load_fabric("silk_charmeuse")


@pytest.fixture(scope="module")
def body():
    return build_body(SIZE.measurements)


@pytest.fixture(scope="module")
def buttoned(body, silk):
    pattern = evaluate(get_definition("blouse"), SIZE.measurements, size_label=SIZE.label)
    garment = mesh_pattern(pattern, body, MeshOptions(spacing_m=SPACING))
    return drape(garment, body, silk)


def _button_distances_mm(garment, positions) -> np.ndarray:
    pairs = garment.fastener_pairs
    return np.linalg.norm(positions[pairs[:, 0]] - positions[pairs[:, 1]], axis=1) * 1000.0


def _distance_to_panel_m(x, garment, panel: str, points: np.ndarray) -> np.ndarray:
    """(k,) m from each point to the nearest triangle of ``panel``."""
    k = garment.panel_names.index(panel)
    corners = x[garment.faces[garment.panel_of[garment.faces[:, 0]] == k]]  # (t, 3, 3)
    return np.array([np.sqrt(min(point_triangle_dist2(*p, *a, *b, *c) for a, b, c in corners)) for p in points])


def test_the_buttoned_front_stays_closed_and_flat_in_silk(buttoned, silk):
    garment, x = buttoned.garment, buttoned.positions
    assert garment.fastener_kinds == ("button",) * 8
    rest_mm = fastener_rest_m(silk, SPACING) * 1000.0
    assert _button_distances_mm(garment, x).max() < rest_mm + 3.0  # measured here, not read from the report
    verdict = judge(buttoned.report)
    assert verdict.passed, verdict.problems
    # the right front's edge lies on the left front all down the front, nowhere more than 1.5 cm off its
    # surface (measured 3-11 mm in CI, 3-12.3 mm on a loaded machine, where the solver picks another thread
    # count: the layers' distance and the sag between buttons 7.6 cm apart, largest at the hem; with the
    # last button 12 cm above the hem, the right front's hem flared 3.2 cm off the left)
    right = garment.panel_of == garment.panel_names.index("front_right")
    edge = right & np.isclose(garment.pattern_xy[:, 0], garment.pattern_xy[right, 0].max())
    stand_off = _distance_to_panel_m(x, garment, "front_left", x[edge])
    assert edge.sum() >= 20 and stand_off.max() < 0.015, np.round(np.sort(stand_off) * 1000, 1)


def test_unbuttoned_the_fronts_swing_apart(buttoned, body, silk):
    garment = replace(buttoned.garment, positions=buttoned.positions, fastener_pairs=np.zeros((0, 2), np.int32),
                      fastener_kinds=(), fastener_sizes_cm=())
    result = drape(garment, body, silk, OPEN)
    apart = _button_distances_mm(buttoned.garment, result.positions)
    # the lower buttons' places part by centimetres (4-5 cm at 160/84A, 2 cm mesh)
    assert np.sort(apart)[-3:].min() > 20.0, np.round(apart, 1)
