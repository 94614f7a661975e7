"""Fasteners in the drape: a fastened overlap in a light fabric stays closed under gravity, the same
overlap without its fastener opens (so the check can fail), and the report's fastener gap is measured on
the final positions and fails its gate when a fastener is pulled open."""

from dataclasses import replace

import numpy as np
import pytest

from drape.test_self_collision import SPACING, SPHERE_RADIUS, cloth, grid_sheet, sphere_body
from garment3d.drape import DrapeOptions, drape
from garment3d.drape.model import build_model, fastener_rest_m
from garment3d.drape.simulate import measure_drape
from garment3d.fabrics import load_fabric
from garment3d.gates import evaluate

DROP = DrapeOptions(close_seconds=0.0, min_seconds=1.0, max_seconds=2.0)


@pytest.fixture(scope="module")
def silk():
    return load_fabric("silk_charmeuse")


@pytest.fixture(scope="module")
def ball():
    return sphere_body()


def overlap() -> tuple:
    """A 40 cm square lying over the ball and, 1 cm above it, a 10 x 44 cm strip whose end overlaps the
    square's middle while most of it reaches past the ball's side: under gravity the strip slides off
    unless its end is fastened. Returns the cloth and the (strip end, square middle) vertex pair."""
    uv1, f1 = grid_sheet(0.40, 0.40, SPACING)
    uv2, f2 = grid_sheet(0.44, 0.10, SPACING)
    top = SPHERE_RADIUS + 0.02
    p1 = np.column_stack([uv1[:, 0], np.full(len(uv1), top), uv1[:, 1]])
    p2 = np.column_stack([uv2[:, 0] + 0.18, np.full(len(uv2), top + 0.01), uv2[:, 1]])
    n1 = len(uv1)
    garment = cloth(np.vstack([uv1, uv2]), np.vstack([p1, p2]), np.vstack([f1, f2 + n1]),
                    np.repeat([0, 1], [n1, len(uv2)]))
    end = n1 + int(np.argmin(np.linalg.norm(p2[:, [0, 2]] - [-0.02, 0.0], axis=1)))
    middle = int(np.argmin(np.linalg.norm(p1[:, [0, 2]] - [-0.02, 0.0], axis=1)))
    return garment, np.array([[end, middle]], np.int32)


def fastened(garment, pairs):
    return replace(garment, fastener_pairs=pairs, fastener_kinds=("button",), fastener_sizes_cm=(1.2,))


@pytest.fixture(scope="module")
def closed(ball, silk):
    garment, pairs = overlap()
    return drape(fastened(garment, pairs), ball, silk, DROP), pairs


def test_a_fastened_overlap_in_silk_stays_closed_under_gravity(closed, silk):
    result, pairs = closed
    x = result.positions
    distance = float(np.linalg.norm(x[pairs[0, 0]] - x[pairs[0, 1]]))
    rest = fastener_rest_m(silk, SPACING)
    assert distance < rest + 0.003  # measured here on the positions, not read from the report
    assert result.report.max_fastener_gap_mm == pytest.approx(max(distance - rest, 0.0) * 1000.0, abs=1e-6)
    assert "fastener_gap" not in evaluate(result.report).failed
    # the strip really hangs: most of it fell down the ball's side, held only by the fastener
    assert x[pairs[0, 0] + 1:, 1].min() < SPHERE_RADIUS - 0.05


def test_without_its_fastener_the_overlap_opens(ball, silk):
    garment, pairs = overlap()
    x = drape(garment, ball, silk, DROP).positions
    assert np.linalg.norm(x[pairs[0, 0]] - x[pairs[0, 1]]) > 0.02


def test_a_fastener_pulled_open_fails_the_gate(closed, ball, silk):
    result, pairs = closed
    garment = result.garment
    x = result.positions.copy()
    strip = garment.panel_of == 1
    x[strip] += [0.0, 0.005, 0.0]  # the strip lifted 5 mm off the square: the button stands open
    report = measure_drape(garment, build_model(garment, silk), ball, x, settled=True, ended_by="rest")
    assert 4.0 < report.max_fastener_gap_mm < 10.0
    assert "fastener_gap" in evaluate(report).failed
