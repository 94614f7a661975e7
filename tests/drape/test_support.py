"""The garment's support (garment3d.drape.model.support_triangles): the cloth near the anchored waist,
which carries the whole garment's weight and gets extra solver passes (DrapeOptions.support_passes)."""

from __future__ import annotations

import numpy as np
import pytest

from garment3d.body import build_body
from garment3d.drape import DrapeOptions, drape
from garment3d.drape.model import SUPPORT_DEPTH_M, build_model, support_triangles
from garment3d.fabrics import load_fabric
from garment3d.gates import evaluate
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate as evaluate_pattern, get_definition
from garment3d.sizes import parse_size

SIZE = parse_size("160/84A")


@pytest.fixture(scope="module")
def body():
    return build_body(SIZE.measurements)


def _garment(name: str, body):
    pattern = evaluate_pattern(get_definition(name), SIZE.measurements, size_label=SIZE.label)
    return mesh_pattern(pattern, body, MeshOptions(spacing_m=0.02))


def _panel(garment, name: str) -> int:
    return list(garment.panel_names).index(name)


def test_a_waistband_is_all_support_and_the_skirt_under_it_none(body):
    garment = _garment("circle_skirt", body)
    chosen = support_triangles(garment)
    panel = garment.panel_of[garment.faces[:, 0]]
    band = _panel(garment, "waistband")
    assert set(np.flatnonzero(panel == band)) == set(chosen)  # the 3 cm band, whole; the skirt is not anchored


def test_a_skirt_hung_from_its_waist_has_its_top_as_support(body):
    garment = _garment("a_line_skirt", body)
    chosen = support_triangles(garment)
    anchored = garment.rest_uv[garment.anchor_mask]
    corners = np.unique(garment.faces[chosen])
    reach = np.array([np.linalg.norm(anchored - garment.rest_uv[v], axis=1)[
        garment.panel_of[garment.anchor_mask] == garment.panel_of[v]].min() for v in corners])
    assert len(chosen) > 0 and reach.max() <= SUPPORT_DEPTH_M
    assert len(chosen) < 0.5 * len(garment.faces)  # the hem hangs from it, it is not support


def test_a_garment_hung_from_its_shoulders_has_no_support(body):
    garment = _garment("qipao", body)
    assert not garment.anchor_mask.any()
    model = build_model(garment, load_fabric("silk_charmeuse"))
    assert len(support_triangles(garment)) == 0 and len(model.support.triangles.tri) == 0


def test_the_model_solves_the_support_colour_by_colour(body):
    garment = _garment("circle_skirt", body)
    model = build_model(garment, load_fabric("poplin_grey"))
    support = model.support.triangles
    assert len(support.tri) == len(support_triangles(garment)) and support.color_ptr[-1] == len(support.tri)
    for c in range(len(support.color_ptr) - 1):
        colour = support.tri[support.color_ptr[c]:support.color_ptr[c + 1]].ravel()
        assert len(np.unique(colour)) == len(colour)  # one colour's triangles share no vertex
    seams = model.support.seam
    np.testing.assert_array_equal(model.seam[model.support.seam_index], seams)
    on = np.zeros(model.n, bool)
    on[support.tri.ravel()] = True
    assert on[seams].any(axis=1).all() and not on[np.delete(model.seam, model.support.seam_index, axis=0)].any()


def test_without_support_passes_the_circle_skirts_band_overstretches(body):
    """The failing case: one pass per substep leaves the band stretched past the gate under a heavy skirt
    (denim, 2 cm: 11.4 % at the 99th percentile); with the default passes 6.9 %. In poplin it was 15 %
    without them while the band still walked up the body as the seams closed (its top row gripped high);
    with the waist held at its placed height until sewn, 9.4 % (5.6 % with the passes)."""
    garment = _garment("circle_skirt", body)
    denim = load_fabric("denim_indigo")
    one_pass = evaluate(drape(garment, body, denim, DrapeOptions(support_passes=0)).report)
    assert "p99_stretch" in one_pass.failed, one_pass.problems
    supported = evaluate(drape(garment, body, denim).report)
    assert "p99_stretch" not in supported.failed, supported.problems
