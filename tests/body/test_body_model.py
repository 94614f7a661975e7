"""The packaged MakeHuman data and the numpy blend."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from garment3d.body import model as body_model
from garment3d.body.model import ShapeParams, macro_weights
from garment3d.errors import BodyModelError
from garment3d.settings import REPO_ROOT


def test_data_file_ships_inside_the_package(model):
    path = body_model.DATA_PATH
    assert path.is_relative_to(REPO_ROOT / "garment3d")
    assert path.stat().st_size < 15e6
    assert (path.parent / "LICENSE.md").read_text().count("CC0") >= 1
    assert len(model.version) == 16
    assert {"measure-bust-circ", "measure-waist-circ", "measure-hips-circ", "stomach-pregnant"} <= set(
        model.local_controls
    )


@pytest.mark.parametrize("gender", [0.0, 1.0])
def test_base_body_is_a_closed_outward_surface(model, gender):
    v = model.vertices(ShapeParams(gender=gender))
    mesh = trimesh.Trimesh(v, model.faces, process=False)
    assert mesh.is_watertight
    assert mesh.is_winding_consistent
    assert mesh.volume > 0.03  # m^3: outward winding, an adult's volume
    assert len(mesh.split(only_watertight=False)) == 1  # eyes, teeth and tongue dropped
    height = v[:, 1].max() - v[:, 1].min()
    assert (1.50 if gender == 0 else 1.62) < height < (1.70 if gender == 0 else 1.85)
    # Facing +Z: the nose is in front of the back of the head.
    head = v[v[:, 1] > v[:, 1].max() - 0.2]
    assert head[:, 2].max() > -head[:, 2].min()
    assert abs(v[:, 0].max() + v[:, 0].min()) < 1e-6  # symmetric about x = 0


def test_macro_weights_follow_makehuman_interpolation():
    w = macro_weights(ShapeParams(gender=0.0, muscle=0.25, weight=0.75, height=0.5, proportions=0.5))
    assert w["universal-female-minmuscle-averageweight"] == pytest.approx(0.5 * 0.5)
    assert w["universal-female-averagemuscle-maxweight"] == pytest.approx(0.5 * 0.5)
    assert w["race-female"] == 1.0
    assert not any(k.startswith(("height-", "proportions-", "universal-male")) for k in w)
    universal = sum(v for k, v in w.items() if k.startswith("universal-"))
    assert universal == pytest.approx(1.0)
    tall = macro_weights(ShapeParams(gender=1.0, height=0.75, proportions=1.0))
    assert tall["height-male-averagemuscle-averageweight-maxheight"] == pytest.approx(0.5)
    assert tall["proportions-male-averagemuscle-averageweight-idealproportions"] == pytest.approx(1.0)


def test_local_targets_are_linear_and_signed(model):
    base = model.vertices(ShapeParams(gender=0.0))
    plus = model.vertices(ShapeParams(gender=0.0, local=(("measure-waist-circ", 0.5),)))
    full = model.vertices(ShapeParams(gender=0.0, local=(("measure-waist-circ", 1.0),)))
    np.testing.assert_allclose(full - base, 2 * (plus - base), atol=1e-7)
    weights = model.target_weights(ShapeParams(gender=0.0, local=(("measure-hips-circ", -0.4),)))
    assert weights["measure-hips-circ-decr"] == pytest.approx(0.4)
    assert "measure-hips-circ-incr" not in weights
    with pytest.raises(BodyModelError, match="no-such-target"):
        model.vertices(ShapeParams(gender=0.0, local=(("no-such-target", 0.5),)))
