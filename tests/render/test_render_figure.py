"""Figure styles (garment3d.render.figure): display-only figures made from the body, and the prepared render."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from garment3d.errors import InvalidRequestError
from garment3d.render import build_figure
from garment3d.render.figure import _without_nipples
from garment3d.types import RenderOptions


def test_avatar_is_the_body_as_fitted(body):
    figure = build_figure(body, "avatar", "tan")
    (part,) = figure.parts
    np.testing.assert_array_equal(part.surface.positions, body.vertices)
    assert part.rgb == (0.63, 0.45, 0.32)


def test_dress_form_is_a_closed_torso_on_a_stand(body):
    import trimesh

    figure = build_figure(body, "dress_form")
    assert [p.name for p in figure.parts] == ["mannequin_form", "mannequin_neck_cap", "mannequin_stand"]
    form = figure.parts[0].surface
    mesh = trimesh.Trimesh(form.positions, form.faces, process=False)
    assert mesh.is_watertight and mesh.volume > 0  # every opening capped, outward winding
    marks = body.landmarks
    assert form.positions[:, 1].min() > marks.crotch_y and form.positions[:, 1].max() < 1.60
    stand = figure.parts[2].surface
    assert stand.positions[:, 1].min() == pytest.approx(0.0, abs=1e-9)  # the base stands on the floor


def test_smoothing_stays_inside_the_body(body):
    """The synthetic body is a solid of revolution: compare each form point with the profile's radius."""
    from garment3d.render.figure import _smoothed

    form = _smoothed(body, iterations=40)
    form = form[np.abs(form[:, 1] - 1.2) < 0.15]  # the torso (the coarse test body's feet and crown are cones)
    radius = np.hypot(body.vertices[:, 0], body.vertices[:, 2])
    heights = np.round(body.vertices[:, 1], 6)
    levels = np.unique(heights)
    profile = np.array([radius[heights == h].max() for h in levels])
    allowed = np.interp(form[:, 1], levels, profile)
    assert (np.hypot(form[:, 0], form[:, 2]) - allowed).max() < 0.002


def test_nipples_are_flattened(body):
    """A 6 mm bump at the bust apex goes; the breast round it stays."""
    import trimesh

    dense = trimesh.Trimesh(body.vertices, body.faces, process=False)
    for _ in range(2):
        dense = dense.subdivide()
    body = dataclasses.replace(body, vertices=np.asarray(dense.vertices), faces=np.asarray(dense.faces))
    vertices = body.vertices.copy()
    front = np.abs(vertices[:, 1] - body.landmarks.bust_y) < 0.06
    side = np.nonzero(front & (vertices[:, 0] > 0.02))[0]
    apex = side[np.argmax(vertices[side, 2])]
    bumped = vertices.copy()
    bumped[apex, 2] += 0.006
    out = _without_nipples(bumped, dataclasses.replace(body, vertices=bumped))
    assert out[apex, 2] < bumped[apex, 2] - 0.004
    far = np.linalg.norm((vertices - vertices[apex])[:, :2], axis=1) > 0.03  # across the body's front
    far &= vertices[:, 0] > 0  # (the other side's apex is flattened too)
    np.testing.assert_array_equal(out[far], bumped[far])


def test_mannequin_has_an_abstract_head(body):
    figure = build_figure(body, "mannequin")
    assert [p.name for p in figure.parts] == ["mannequin_figure", "mannequin_head"]
    head = figure.parts[1].surface.positions
    centre = head.mean(axis=0)
    radii = np.linalg.norm(head - centre, axis=1)
    assert radii.max() / radii.min() < 1.3  # an egg, not a face


def test_unknown_style_is_rejected(body):
    with pytest.raises(InvalidRequestError, match="figure must be one of"):
        build_figure(body, "statue")
    with pytest.raises(InvalidRequestError, match="skin tone"):
        build_figure(body, "avatar", "green")


def test_prepared_render_gives_the_same_frames(tmp_path, skirt_drape, body, linen):
    from garment3d.render.turntable import prepare_render, render_turntable

    options = RenderOptions(frames=2, size_px=64, outputs=("frames",))
    prepared = prepare_render(body, options, linen).result()  # with the shader warm-up draws
    warm = render_turntable(skirt_drape, body, linen, options, tmp_path / "warm", prepared=prepared)
    assert prepared.context is None  # taken over and closed by the render
    cold = render_turntable(skirt_drape, body, linen, options, tmp_path / "cold")
    for a, b in zip(warm.frames, cold.frames):
        assert a.read_bytes() == b.read_bytes()


def test_a_body_without_limb_frames_gets_the_plain_form(body):
    """The synthetic body has no arm or leg frames: asked for limbs, the form is the armless, legless one."""
    assert body.landmarks.frames is None
    plain = build_figure(body, "dress_form").parts[0].surface.positions
    asked = build_figure(body, "dress_form", limbs=("arms", "legs")).parts[0].surface.positions
    np.testing.assert_array_equal(plain, asked)
