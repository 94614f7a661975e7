"""Fusible interfacing: the bonded cloth's mechanics, how a pattern declares it, what the model makes of it,
and the circle skirt's interfaced waistband in the technical knit."""

from __future__ import annotations

import dataclasses
import tomllib

import numpy as np
import pytest

from garment3d.body import build_body
from garment3d.drape import DrapeOptions, drape
from garment3d.drape.model import build_model
from garment3d.errors import InvalidPatternError
from garment3d.fabrics import load_fabric
from garment3d.interfacing import INTERFACINGS, bonded
from garment3d.meshing import MeshOptions, mesh_pattern
from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.definition import parse_definition
from garment3d.settings import get_settings
from garment3d.sizes import parse_size


def test_bonded_cloth_sums_the_layers_and_none_is_the_fabric():
    fabric = load_fabric("silk_charmeuse")
    assert bonded(fabric, "") is fabric
    layer = INTERFACINGS["fusible"]
    both = bonded(fabric, "fusible")
    assert both.stretch_warp_n_per_m == fabric.stretch_warp_n_per_m + layer.stretch_n_per_m
    assert both.stretch_weft_n_per_m == fabric.stretch_weft_n_per_m + layer.stretch_n_per_m
    assert both.bending_weft_unm == fabric.bending_weft_unm + layer.bending_unm
    assert both.density_gsm == fabric.density_gsm + layer.density_gsm
    assert (both.texture_path, both.sheen) == (fabric.texture_path, fabric.sheen)  # looks like its fabric


def test_a_pattern_names_its_interfaced_pieces_and_a_bad_kind_is_refused():
    size = parse_size("160/84A")
    skirt = evaluate(get_definition("circle_skirt"), size.measurements, size_label=size.label)
    assert {p.name: p.interfacing for p in skirt.panels} == {"front": "", "back": "", "waistband": "fusible"}
    data = tomllib.loads((get_settings().patterns_dir / "circle_skirt.toml").read_text())
    data["panels"][2]["interfacing"] = "horsehair"
    with pytest.raises(InvalidPatternError, match=r"panel 3 'waistband'.*unknown interfacing 'horsehair' "
                                                  r"\(expected one of fusible\)"):
        parse_definition(data, "circle_skirt.toml")


def test_the_model_stiffens_and_weighs_only_the_interfaced_piece(capsule_body):
    size = parse_size("160/84A")
    skirt = evaluate(get_definition("circle_skirt"), size.measurements, size_label=size.label)
    garment = mesh_pattern(skirt, capsule_body, MeshOptions(spacing_m=0.02))
    bare = dataclasses.replace(garment, panel_interfacing=())
    fabric = load_fabric("technical_knit")
    with_band, without = build_model(garment, fabric), build_model(bare, fabric)
    band = garment.panel_of == garment.panel_names.index("waistband")
    # the triangles come in the same (colour) order both ways: compare them one by one
    on_band = band[with_band.tri].all(axis=1)
    layer = INTERFACINGS["fusible"]
    ratio = without.tri_alpha / with_band.tri_alpha  # compliance = 1 / (stiffness x area)
    np.testing.assert_allclose(ratio[on_band, 1], 1 + layer.stretch_n_per_m / fabric.stretch_warp_n_per_m)
    np.testing.assert_allclose(ratio[~on_band], 1.0)
    extra = 1.0 / with_band.inv_mass - 1.0 / without.inv_mass
    assert np.all(extra[~band] <= 1e-15) and extra[band].sum() > 0
    edges = garment.rest_edges[band[garment.faces[:, 0]]]
    band_area = 0.5 * np.abs(edges[:, 0, 0] * edges[:, 1, 1] - edges[:, 0, 1] * edges[:, 1, 0]).sum()
    assert extra.sum() == pytest.approx(layer.density_gsm / 1000.0 * band_area, rel=1e-9)


def _knit_circle_skirt_band() -> tuple[float, bool]:
    """The knit circle skirt at 160/84A, 2 cm, its band interfaced: the band's 99th-percentile stretch and
    whether the drape passes every gate."""
    size = parse_size("160/84A")
    skirt = evaluate(get_definition("circle_skirt"), size.measurements, size_label=size.label)
    body = build_body(size.measurements)
    garment = mesh_pattern(skirt, body, MeshOptions(spacing_m=0.02))
    result = drape(garment, body, load_fabric("technical_knit"), DrapeOptions())
    from garment3d import gates

    band = next(p for p in result.report.panel_strain if p.panel == "waistband")
    return band.p99_stretch, gates.evaluate(result.report).passed


def test_an_interfaced_band_carries_a_knit_circle_skirt():
    """The circle skirt in the technical knit (220 g/m2, 2,500 N/m along the band) at 160/84A, 2 cm, with
    its band interfaced passes every gate, the band stretched under 10 % at the 99th percentile. (Bare, it
    once stretched 16.2 %; since the band's ends were sewn at the side seam and the solver changed it
    passes too: 7.0 % against 8.4 %, 2026-12-04. The band's stretch round the waist is set by the body it
    is wrapped round, not by its stiffness; that the interfacing stiffens and weighs the band is
    test_the_model_stiffens_and_weighs_only_the_interfaced_piece.)"""
    p99, passed = _knit_circle_skirt_band()
    assert passed and p99 < 0.10
