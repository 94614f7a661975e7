import numpy as np
import pytest

from garment3d.drape.coloring import color_elements
from garment3d.drape.model import build_model, hinge_weights
from garment3d.fabrics import load_fabric
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate, get_definition
from garment3d.types import Measurements


@pytest.fixture(scope="module")
def garment(capsule_body):
    pattern = evaluate(get_definition("a_line_skirt"), Measurements(160.0, 94.0, 93.0, 94.0))
    return mesh_pattern(pattern, capsule_body, MeshOptions(spacing_m=0.02))


def test_masses_add_up_to_fabric_weight(garment):
    fabric = load_fabric("linen_red")
    model = build_model(garment, fabric)
    a, b, c = (garment.rest_uv[garment.faces[:, i]] for i in range(3))
    area = 0.5 * np.abs((b - a)[:, 0] * (c - a)[:, 1] - (b - a)[:, 1] * (c - a)[:, 0]).sum()
    assert (1.0 / model.inv_mass).sum() == pytest.approx(area * fabric.density_gsm / 1000.0, rel=1e-9)


def test_colours_never_share_a_vertex(garment):
    model = build_model(garment, load_fabric("linen_red"), weld=True)
    for elements, ptr in ((model.tri, model.tri_color_ptr), (model.hinge, model.hinge_color_ptr),
                          (model.seam, model.seam_color_ptr), (model.seam_hinge, model.seam_hinge_color_ptr),
                          (model.welded.tri, model.welded.tri_color_ptr),
                          (model.welded.hinge, model.welded.hinge_color_ptr)):
        assert ptr[-1] == len(elements)
        for c in range(len(ptr) - 1):
            block = elements[ptr[c]:ptr[c + 1]].ravel()
            assert len(np.unique(block)) == len(block)


def test_bending_weights_vanish_on_flat_and_see_curvature():
    rng = np.random.default_rng(1)
    from scipy.spatial import Delaunay

    uv = rng.random((40, 2))
    tri = Delaunay(uv).simplices
    from garment3d.drape.model import _edges_and_hinges

    _, hinges, _ = _edges_and_hinges(tri)
    weights = hinge_weights(uv, hinges)
    flat = np.einsum("hk,hkd->hd", weights, uv[hinges])
    assert np.abs(flat).max() < 1e-9
    bent = np.column_stack([uv, 0.5 * uv[:, 0] ** 2])
    curvature = np.einsum("hk,hkd->hd", weights, bent[hinges])
    assert np.abs(curvature).max() > 1e-3


def test_fabric_physics_reach_the_compliances(garment):
    silk_like = load_fabric("linen_red")
    model = build_model(garment, silk_like)
    from dataclasses import replace

    stiffer = build_model(garment, replace(silk_like, bending_warp_unm=1500.0, bending_weft_unm=1200.0,
                                           stretch_warp_n_per_m=30000.0))
    np.testing.assert_allclose(stiffer.hinge_alpha, model.hinge_alpha / 100.0, rtol=1e-9)
    np.testing.assert_allclose(stiffer.tri_alpha[:, 1], model.tri_alpha[:, 1] / 2.0, rtol=1e-9)
    np.testing.assert_allclose(stiffer.tri_alpha[:, 0], model.tri_alpha[:, 0], rtol=1e-9)


def test_colouring_of_a_chain():
    order, ptr = color_elements(np.array([[0, 1], [1, 2], [2, 3], [3, 4]]), 5)
    assert len(ptr) - 1 == 2
