"""Fastener points become mesh vertices of their panels, exactly where the pattern puts them."""

import numpy as np
import pytest

from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate
from garment3d.patterns.definition import parse_definition_text
from garment3d.types import Measurements
from patterns.test_fasteners import WRAP

CAPSULE_FIT = Measurements(160.0, 94.0, 93.0, 94.0)


@pytest.fixture(scope="module")
def wrap():
    return evaluate(parse_definition_text(WRAP, "wrap.toml"), CAPSULE_FIT)


@pytest.mark.parametrize("spacing", [0.01, 0.02])
def test_each_fastener_point_is_a_vertex_of_its_panel(wrap, capsule_body, spacing):
    garment = mesh_pattern(wrap, capsule_body, MeshOptions(spacing_m=spacing))
    pairs = garment.fastener_pairs
    assert pairs.shape == (len(wrap.fasteners), 2) and pairs.dtype == np.int32
    assert garment.fastener_kinds == ("button", "button", "button", "hook_eye")
    assert garment.fastener_sizes_cm == pytest.approx((1.2, 1.2, 1.2, 0.8))
    outer, under = garment.panel_names.index("outer"), garment.panel_names.index("under")
    assert np.all(garment.panel_of[pairs[:, 0]] == outer) and np.all(garment.panel_of[pairs[:, 1]] == under)
    # grain +y: rest_uv is the pattern point in metres (inserted, not the nearest lattice point)
    np.testing.assert_allclose(garment.rest_uv[pairs[:, 0]], [f.a_point * 0.01 for f in wrap.fasteners], atol=1e-9)
    np.testing.assert_allclose(garment.rest_uv[pairs[:, 1]], [f.b_point * 0.01 for f in wrap.fasteners], atol=1e-9)
    # the inserted vertices sit in a sound triangulation: every vertex used, no sliver around them
    assert len(np.unique(garment.faces)) == len(garment.rest_uv)
    a, b, c = (garment.rest_uv[garment.faces[:, i]] for i in range(3))
    area = 0.5 * np.abs((b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0])
    assert area.min() > 0.05 * spacing**2


def test_a_point_on_the_outline_is_the_nearest_outline_vertex(capsule_body):
    text = WRAP.replace('points = [{ a = ["19", "-1"], b = ["19", "-1.5"] }]',
                        'points = [{ a = ["20", "-12.1"], b = ["15.2", "-12"] }]')
    pattern = evaluate(parse_definition_text(text, "wrap.toml"), CAPSULE_FIT)
    garment = mesh_pattern(pattern, capsule_body, MeshOptions(spacing_m=0.02))
    a, b = garment.fastener_pairs[-1]
    assert garment.rest_uv[a][0] == pytest.approx(0.20) and abs(garment.rest_uv[a][1] + 0.121) <= 0.01
    assert garment.rest_uv[b][0] == pytest.approx(0.15) and abs(garment.rest_uv[b][1] + 0.12) <= 0.01
