"""Trims (garment3d.trims): present in the GLB and the renders, sized and placed on the outer cloth.

Positions are judged from the written GLB alone, by casting rays at the cloth
(tests/render/raycast.py), not from the placement code's own numbers.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from raycast import first_hits, glb_groups
from render_synthetic import FASTENED_KINDS, FASTENED_SIZES_CM, make_fastened_drape

from garment3d.errors import RenderError
from garment3d.export_glb import write_glb
from garment3d.texture import garment_normals
from garment3d.trims import HIDDEN_KINDS, build_trims, garment_trims, trim_look

SHOWN = [index for index, kind in enumerate(FASTENED_KINDS) if kind not in HIDDEN_KINDS]


@pytest.fixture(scope="module")
def fastened():
    return make_fastened_drape()


@pytest.fixture(scope="module")
def fastened_glb(tmp_path_factory, fastened, body, linen):
    from garment3d.render import build_figure

    folder = tmp_path_factory.mktemp("trims")
    return write_glb(fastened, body, linen, folder / "fastened.glb", figure=build_figure(body, "dress_form"))


def placement(cloth, trim_mesh) -> dict:
    """How a trim sits on the cloth, measured with rays.

    normal: mean outward normal of the cloth triangles within 2 cm of the trim;
    height_mm: from the trim's centroid down that normal to the cloth;
    under: trim vertices with cloth straight above them (within 3 cm);
    visible: the trim's outermost point is the first thing a ray from outside meets;
    radius_mm / thickness_mm: extent across and along the normal.
    """
    corners = cloth.vertices[cloth.faces]
    centroid = trim_mesh.vertices.mean(axis=0)
    near = np.linalg.norm(corners.mean(axis=1) - centroid, axis=1) < 0.02
    face_normals = np.cross(corners[near, 1] - corners[near, 0], corners[near, 2] - corners[near, 0])
    normal = face_normals.sum(axis=0)
    normal /= np.linalg.norm(normal)
    height, _ = first_hits(centroid[None], -normal[None], corners)
    vertices = trim_mesh.vertices[:: max(1, len(trim_mesh.vertices) // 200)]
    above, _ = first_hits(vertices, np.tile(normal, (len(vertices), 1)), corners)
    top = trim_mesh.vertices[np.argmax(trim_mesh.vertices @ normal)]
    everything = np.vstack([corners, trim_mesh.vertices[trim_mesh.faces]])
    _, hit = first_hits((top + 0.03 * normal)[None], -normal[None], everything)
    offsets = trim_mesh.vertices - centroid
    across = offsets - np.outer(offsets @ normal, normal)
    along = trim_mesh.vertices @ normal
    return {
        "normal": normal,
        "height_mm": 1000 * height[0],
        "under": int(np.sum(above < 0.03)),
        "visible": bool(hit[0] >= len(corners)),
        "radius_mm": 1000 * float(np.linalg.norm(across, axis=1).max()),
        "thickness_mm": 1000 * float(np.ptp(along)),
    }


def test_one_named_node_per_fastener_seen(fastened_glb):
    groups = glb_groups(fastened_glb)
    expected = {f"trim_{FASTENED_KINDS[index]}_{index}" for index in SHOWN}
    assert set(groups["trims"]) == expected  # press studs and hooks are sewn inside: no node


@pytest.mark.parametrize("index", SHOWN)
def test_trim_sits_on_the_outer_cloth(fastened_glb, fastened, index):
    groups = glb_groups(fastened_glb)
    kind, size_mm = FASTENED_KINDS[index], 10 * FASTENED_SIZES_CM[index]
    found = placement(groups["garment"], groups["trims"][f"trim_{kind}_{index}"])
    anchor = fastened.positions[fastened.garment.fastener_pairs[index, 0]]
    axis_out = np.array([anchor[0], 0.0, anchor[2]])
    assert found["normal"] @ axis_out > 0  # (the cloth's winding is outward)
    assert 0.0 < found["height_mm"] < 8.0, found
    assert found["under"] == 0, found
    assert found["visible"], found
    assert found["thickness_mm"] < 12.0, found
    reach_mm = size_mm * (2.0 if kind in ("frog", "tie") else 1.0)  # frogs and bows: size is one side
    assert 0.25 * reach_mm < found["radius_mm"] < 1.6 * reach_mm + 3.0, found


def test_button_is_a_disc_of_its_size(fastened_glb):
    button = placement(glb_groups(fastened_glb)["garment"], glb_groups(fastened_glb)["trims"]["trim_button_0"])
    assert button["radius_mm"] == pytest.approx(7.5, abs=1.0)
    assert 2.0 < button["thickness_mm"] < 5.0


def test_hidden_fasteners_are_not_drawn(fastened, body, linen):
    """Press studs (and hooks and eyes) hold the overlap from inside: a drape fastened only with studs,
    large ones, renders exactly as the same drape without fasteners."""
    from garment3d.render import open_scene
    from garment3d.types import RenderOptions

    def fastened_with(kinds, sizes_cm):
        count = len(kinds)
        return dataclasses.replace(fastened, garment=dataclasses.replace(
            fastened.garment, fastener_pairs=fastened.garment.fastener_pairs[:count], fastener_kinds=tuple(kinds),
            fastener_sizes_cm=tuple(sizes_cm)))

    studs = fastened_with(["press_stud", "hook_eye", "press_stud"], [3.0, 3.0, 3.0])
    assert garment_trims(studs) == ()
    images = []
    for drape in (studs, fastened_with([], [])):
        with open_scene(drape, body, linen, RenderOptions(ground_shadow=False)) as scene:
            images.append(scene.render(0.0, 512).astype(int))
    assert np.abs(images[0] - images[1]).max() == 0
    shown = garment_trims(fastened_with(["press_stud", "button"], [1.0, 1.5]))
    assert [trim.name for trim in shown] == ["trim_button_1"]  # named by its number among the fasteners


def test_the_check_sees_a_trim_under_the_cloth(fastened, tmp_path, body, linen):
    """Crafted bad case: trims built with the normals turned inwards sit on the wrong side."""
    positions, faces = fastened.positions, np.asarray(fastened.garment.faces)
    inward = -garment_normals(positions, faces, fastened.garment.seam_pairs)
    pairs = fastened.garment.fastener_pairs
    trims = build_trims(positions, faces, inward, pairs[:1, 0], ["button"], [0.015])
    path = write_glb(fastened, body, linen, tmp_path / "inside.glb", trims=trims)
    groups = glb_groups(path)
    found = placement(groups["garment"], groups["trims"]["trim_button_0"])
    assert found["under"] > 0 and not found["visible"]


def test_no_trims_without_fasteners(tmp_path, skirt_drape, body, linen):
    assert garment_trims(skirt_drape) == ()
    groups = glb_groups(write_glb(skirt_drape, body, linen, tmp_path / "plain.glb"))
    assert groups["trims"] == {}


def test_zip_follows_its_seam(skirt_drape):
    positions = skirt_drape.positions
    faces = np.asarray(skirt_drape.garment.faces)
    normals = garment_normals(positions, faces, skirt_drape.garment.seam_pairs)
    path = skirt_drape.garment.seam_pairs[:, 0]
    (zip_trim,) = build_trims(positions, faces, normals, [], [], [], zips=[path])
    assert zip_trim.name == "trim_zip_0"
    from scipy.spatial import cKDTree

    distance, _ = cKDTree(positions[path]).query(zip_trim.positions)
    assert distance.max() < 0.025  # teeth and tape hug the seam (the pull hangs 2 cm off it)
    seam_length = np.linalg.norm(np.diff(positions[path], axis=0), axis=1).sum()
    covered = np.ptp(zip_trim.positions @ _unit(positions[path[-1]] - positions[path[0]]))
    assert covered == pytest.approx(seam_length, rel=0.1)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"kinds": ["rivet"]}, "trim 0: unknown kind 'rivet'"),
        ({"sizes": [2.0]}, r"trim 0 \(button\): size 2 m is outside"),
        ({"anchors": [10**9]}, "anchor vertex out of range"),
        ({"kinds": ["button", "frog"]}, "differ in number"),
    ],
)
def test_bad_trim_input_is_named(skirt_drape, change, message):
    values = {"anchors": [0], "kinds": ["button"], "sizes": [0.012], **change}
    positions, faces = skirt_drape.positions, skirt_drape.garment.faces
    normals = garment_normals(positions, faces)
    with pytest.raises(RenderError, match=message):
        build_trims(positions, faces, normals, values["anchors"], values["kinds"], values["sizes"])


def test_buttons_contrast_with_the_cloth():
    assert np.mean(trim_look("button", (0.9, 0.9, 0.85)).rgb) < 0.4  # horn on ivory
    assert np.mean(trim_look("button", (0.1, 0.1, 0.12)).rgb) > 0.7  # shell on black
    red = trim_look("cord", (0.5, 0.05, 0.06)).rgb
    assert red[0] > 0.5 and red[0] > 4 * red[1]  # a self-fabric frog stays red, a shade lighter


def test_trims_show_in_the_still(fastened, body, linen):
    """The same drape drawn with and without its trims differs only around centre front."""
    from garment3d.render import open_scene
    from garment3d.types import RenderOptions

    plain = dataclasses.replace(fastened, garment=dataclasses.replace(
        fastened.garment, fastener_pairs=np.zeros((0, 2), np.int32), fastener_kinds=(), fastener_sizes_cm=()))
    images = []
    for drape in (fastened, plain):
        with open_scene(drape, body, linen, RenderOptions(ground_shadow=False)) as scene:
            images.append(scene.render(0.0, 512).astype(int))
    changed = np.abs(images[0] - images[1]).sum(axis=2) > 30
    rows, cols = np.nonzero(changed)
    assert len(rows) > 40  # five trims of 1-5 cm on a 1.7 m figure in 512 px
    assert np.abs(cols - 256).max() < 40  # all on centre front


def _unit(vector):
    return vector / np.linalg.norm(vector)


def test_khronos_validator_accepts_trims(fastened_glb):
    from gltf_check import validator_issues

    issues = validator_issues(fastened_glb)
    assert issues["numErrors"] == 0 and issues["numWarnings"] == 0, issues["messages"]


@pytest.fixture(scope="module")
def real_body():
    from garment3d.body import build_body
    from garment3d.sizes import parse_size

    return build_body(parse_size("160/84A").measurements)


@pytest.mark.parametrize("pattern", ["qipao", "trousers", "jiaoling_top"])
def test_library_fasteners_get_trims(pattern, real_body):
    """Each fastener of a library garment, and each zip seam, has its trim at its anchor (placed mesh, no drape)."""
    from garment3d.meshing import MeshOptions, mesh_pattern
    from garment3d.patterns import evaluate, get_definition
    from garment3d.sizes import parse_size
    from garment3d.types import Drape, DrapeReport

    size = parse_size("160/84A")
    garment = mesh_pattern(evaluate(get_definition(pattern), size.measurements, size_label=size.label), real_body,
                           MeshOptions(spacing_m=0.02))
    report = DrapeReport(0.0, 0, 0.0, 0.0, 0.0, True, 0, 0.0, 0.0, len(garment.positions))
    trims = garment_trims(Drape(garment=garment, positions=garment.positions, report=report))
    zips = [k for k in garment.seam_kinds if k == "zip"]
    expected = [f"trim_{kind}_{i}" for i, kind in enumerate(garment.fastener_kinds) if kind not in HIDDEN_KINDS]
    expected += [f"trim_zip_{i}" for i in range(len(zips))]
    assert [t.name for t in trims] == expected and expected
    for trim in trims:
        reach = np.linalg.norm(trim.positions - garment.positions[trim.anchor], axis=1).max()
        assert reach < 0.06 if trim.kind != "zip" else reach < 0.4, (trim.name, reach)
