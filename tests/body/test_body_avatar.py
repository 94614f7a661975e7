"""Bring-your-own avatar: good files in any unit and up axis, and bad files refused with a reason."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from garment3d.body.avatar import load_avatar
from garment3d.body.fit import model_measure
from garment3d.body.measure import measure
from garment3d.body.pose import _turn, pose_arms, rig_arms
from garment3d.body.sdf import sample_sdf
from garment3d.errors import BodyModelError, InvalidRequestError
from garment3d.types import Body

SCALE = {"mm": 1000.0, "cm": 100.0, "m": 1.0}


def z_up(v: np.ndarray) -> np.ndarray:
    """Y-up, facing +Z -> Z-up, facing -Y (Blender's convention)."""
    return np.column_stack([v[:, 0], -v[:, 2], v[:, 1]])


def export(path, vertices, faces):
    trimesh.Trimesh(vertices, faces, process=False).export(str(path))
    return path


@pytest.fixture(scope="module")
def body(base_female):
    """The base woman (feet at y = 0) and what measure() makes of her."""
    v, f = base_female
    return v, f, measure(v, f)


@pytest.fixture(scope="module")
def rig(model, base_female):
    v, f = base_female
    meas = model_measure(model, v)
    return rig_arms(v, f, meas.armpit_y, meas.axis_xz)


def assert_same_body(avatar: Body, vertices: np.ndarray, expected, atol=1e-5):
    assert isinstance(avatar, Body)
    shift = np.array([expected.axis_xz[0], 0.0, expected.axis_xz[1]])
    np.testing.assert_allclose(avatar.vertices, vertices - shift, atol=atol)
    assert avatar.vertices[:, 1].min() == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(avatar.landmarks.axis_xz, 0.0, atol=1e-9)
    m = avatar.measured
    assert m.height_cm == pytest.approx(expected.stature * 100, abs=0.01)
    assert m.bust_cm == pytest.approx(expected.bust_girth * 100, abs=0.05)
    assert m.waist_cm == pytest.approx(expected.waist_girth * 100, abs=0.05)
    assert m.hip_cm == pytest.approx(expected.hip_girth * 100, abs=0.05)
    assert trimesh.Trimesh(avatar.vertices, avatar.faces, process=False).is_watertight
    assert sample_sdf(avatar.sdf, np.array([[0.0, avatar.landmarks.waist_y, 0.0]]))[0] < -0.02


@pytest.mark.parametrize(
    "ext, unit, up",
    [("obj", "cm", "y"), ("glb", "m", "y"), ("ply", "mm", "y"), ("obj", "m", "z")],
)
def test_good_files_are_normalised(tmp_path, body, ext, unit, up):
    v, f, expected = body
    file_v = v * SCALE[unit]
    if up == "z":
        file_v = z_up(file_v)
    path = export(tmp_path / f"body.{ext}", file_v + [12.0, 3.0, -7.0], f)  # anywhere in space
    assert_same_body(load_avatar(path), v, expected)


def test_body_facing_sideways_is_turned_to_face_plus_z(tmp_path, body):
    v, f, expected = body
    facing_x = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0]])  # +Z -> +X
    path = export(tmp_path / "sideways.ply", v @ facing_x.T, f)
    assert_same_body(load_avatar(path), v, expected)


def test_overrides_are_obeyed(tmp_path, body):
    v, f, expected = body
    path = export(tmp_path / "body.ply", z_up(v * 100), f)
    assert_same_body(load_avatar(path, units="cm", up="+z", gender="male"), v, expected)
    with pytest.raises(BodyModelError, match="158.98 m tall in the given units"):
        load_avatar(path, units="m")


def test_t_pose_z_up_with_eyes_and_a_hole(tmp_path, body, rig):
    """Arm span close to the height, Z-up, two loose eyes and a hole at the crown."""
    v, f, _ = body
    posed = pose_arms(v, rig, 90.0)
    assert np.ptp(posed[:, 0]) > 0.85 * np.ptp(posed[:, 1])
    eye = trimesh.creation.icosphere(subdivisions=2, radius=0.012)
    top = v[:, 1].max()
    eyes = [eye.vertices + [side * 0.03, top - 0.12, 0.08] for side in (-1, 1)]
    crown = np.argsort(posed[f].mean(axis=1)[:, 1])[-6:]
    faces = np.vstack([np.delete(f, crown, axis=0), eye.faces + len(v), eye.faces + len(v) + len(eye.vertices)])
    path = export(tmp_path / "t_pose.glb", z_up(np.vstack([posed, *eyes])), faces)
    avatar = load_avatar(path)
    rest = load_avatar(export(tmp_path / "rest.glb", v, f))
    assert len(avatar.vertices) == len(v)  # eyes dropped
    assert np.ptp(avatar.vertices[:, 0]) > 1.3
    for name in ("bust_cm", "waist_cm", "hip_cm"):
        assert getattr(avatar.measured, name) == pytest.approx(getattr(rest.measured, name), abs=0.3)
    assert avatar.measured.height_cm == pytest.approx(rest.measured.height_cm, abs=0.5)


@pytest.mark.parametrize(
    "mesh, match",
    [
        (trimesh.creation.box(), r"1 units tall .*none is a human height"),
        (trimesh.creation.box(extents=(0.4, 1.7, 0.25)), "arms are not held away"),
        (trimesh.creation.cylinder(radius=0.15, height=170.0, sections=48), "arms are not held away"),
    ],
    ids=["unit-cube", "tall-box", "pillar-in-cm"],
)
def test_shapes_that_are_not_people_are_refused(tmp_path, mesh, match):
    with pytest.raises(BodyModelError, match=match):
        load_avatar(export(tmp_path / "shape.obj", mesh.vertices, mesh.faces))


def test_giant_is_refused(tmp_path, body):
    v, f, _ = body
    with pytest.raises(BodyModelError, match=r"10 units tall \(0.01 m in mm, 0.1 m in cm, 10 m in m\)"):
        load_avatar(export(tmp_path / "giant.glb", v * 10.0 / np.ptp(v[:, 1]), f))


def test_arms_at_the_sides_are_refused(tmp_path, body, rig):
    v, f, _ = body
    down = v
    for arm in rig.sides:
        down = _turn(down, arm, np.radians(5.0 - arm.angle_deg))
    with pytest.raises(BodyModelError, match="A- or T-pose"):
        load_avatar(export(tmp_path / "arms_down.ply", down, f))


def test_two_bodies_are_refused(tmp_path, body):
    v, f, _ = body
    path = export(tmp_path / "two.obj", np.vstack([v, v + [1.0, 0.0, 0.0]]), np.vstack([f, f + len(v)]))
    with pytest.raises(BodyModelError, match="2 separate parts, .* another holds 50% .*export the body alone"):
        load_avatar(path)


def test_open_surface_is_refused(tmp_path, body, monkeypatch):
    v, f, _ = body
    path = export(tmp_path / "open.ply", v, f[:-40])
    monkeypatch.setattr(trimesh.repair, "fill_holes", lambda mesh, use_fan=False: False)
    with pytest.raises(BodyModelError, match=r"not closed: \d+ open edges remain after filling the holes along \d+; export"):
        load_avatar(path)


def test_multi_part_t_pose_export_keeps_the_body(tmp_path, body, rig, caplog):
    """A T-pose export with eyes, teeth inside the mouth, a hair cap and lashes: the body is kept, the rest noted."""
    v, f, _ = body
    posed = pose_arms(v, rig, 90.0)
    top = v[:, 1].max()
    parts = [
        trimesh.creation.icosphere(subdivisions=2, radius=0.012).apply_translation([s * 0.03, top - 0.12, 0.08])
        for s in (-1, 1)
    ]
    parts.append(trimesh.creation.box(extents=(0.04, 0.015, 0.03)).apply_translation([0.0, top - 0.19, 0.07]))
    cap = trimesh.creation.icosphere(subdivisions=3, radius=0.1)
    parts.append(cap.slice_plane([0.0, 0.0, 0.0], [0.0, 1.0, 0.0]).apply_translation([0.0, top - 0.1, 0.0]))
    parts.append(trimesh.creation.box(extents=(0.02, 0.002, 0.004)).apply_translation([0.03, top - 0.11, 0.095]))
    vertices, faces = posed, f
    for part in parts:
        faces = np.vstack([faces, part.faces + len(vertices)])
        vertices = np.vstack([vertices, part.vertices])
    with caplog.at_level("WARNING", logger="garment3d.body.avatar"):
        avatar = load_avatar(export(tmp_path / "export.glb", z_up(vertices), faces))
    assert len(avatar.vertices) == len(v)
    assert "dropped 5 other parts" in caplog.text
    assert np.ptp(avatar.vertices[:, 0]) > 1.3  # the arms stay out
    assert avatar.landmarks.frames is not None  # sleeves can be placed for the arms as they are


@pytest.mark.parametrize("ext", ["glb", "ply"])
def test_truncated_files_are_unreadable(tmp_path, body, ext):
    v, f, _ = body
    path = export(tmp_path / f"body.{ext}", v, f)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    with pytest.raises(InvalidRequestError, match=f"body.{ext}: cannot read it as {ext.upper()}"):
        load_avatar(path)


@pytest.mark.parametrize("name, match", [("notes.obj", "no triangle mesh"), ("notes.glb", "cannot read it as GLB")])
def test_files_that_are_not_meshes_are_unreadable(tmp_path, name, match):
    path = tmp_path / name
    path.write_text("a shopping list, not a mesh\n")
    with pytest.raises(InvalidRequestError, match=match):
        load_avatar(path)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"path": "missing.obj"}, "does not exist"),
        ({"path": "body.stl"}, "unsupported avatar format '.stl'"),
        ({"path": "body.obj", "units": "inch"}, "units must be one of mm, cm, m"),
        ({"path": "body.obj", "up": "w"}, "up must be an axis"),
        ({"path": "body.obj", "gender": "robot"}, "gender must be"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, match):
    kwargs = {**kwargs, "path": tmp_path / kwargs["path"]}
    with pytest.raises(InvalidRequestError, match=match):
        load_avatar(**kwargs)
