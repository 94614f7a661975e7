"""GLB export (garment3d.export_glb): reload with trimesh, inspect the glTF JSON,
and, where node and the npm package ``gltf-validator`` are available, run the
Khronos validator on it.

To run the validator test: ``npm install gltf-validator`` in any folder and
point ``NODE_PATH`` at its ``node_modules`` (or install it globally).
"""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from gltf_check import validator_issues
from render_synthetic import LINEN_SCAN, make_fabric

from garment3d.errors import InvalidFabricError, RenderError
from garment3d.export_glb import srgb_to_linear, write_glb


def read_glb_json(path) -> dict:
    data = path.read_bytes()
    magic, version, total = struct.unpack_from("<III", data, 0)
    assert (magic, version, total) == (0x46546C67, 2, len(data))
    length, kind = struct.unpack_from("<II", data, 12)
    assert kind == 0x4E4F534A
    return json.loads(data[20 : 20 + length])


@pytest.fixture(scope="module")
def glb_path(tmp_path_factory, skirt_drape, body, linen):
    return write_glb(skirt_drape, body, linen, tmp_path_factory.mktemp("glb") / "sample.glb")


def test_round_trip_with_trimesh(glb_path, skirt_drape, body, linen):
    import trimesh

    scene = trimesh.load(glb_path, force="scene", process=False)
    assert set(scene.geometry) == {"garment", "body"}

    garment = scene.geometry["garment"]
    np.testing.assert_allclose(garment.vertices, skirt_drape.positions, atol=1e-6)
    np.testing.assert_array_equal(garment.faces, skirt_drape.garment.faces)
    assert garment.visual.kind == "texture"
    # TEXCOORD_0 holds flat-cloth metres (trimesh reads v as 1 - v); the tile scale is in
    # KHR_texture_transform
    np.testing.assert_allclose(garment.visual.uv - [0.0, 1.0], skirt_drape.garment.rest_uv, atol=1e-5)  # trimesh: 1 - v
    texture = garment.visual.material.baseColorTexture
    assert texture is not None and texture.size == (512, 512)
    assert garment.visual.material.doubleSided is True

    mannequin = scene.geometry["body"]
    np.testing.assert_allclose(mannequin.vertices, body.vertices, atol=1e-6)
    assert mannequin.is_watertight
    assert mannequin.visual.material.baseColorTexture is None


def test_gltf_fields(glb_path, linen):
    doc = read_glb_json(glb_path)
    assert doc["asset"]["version"] == "2.0"
    assert [m["name"] for m in doc["meshes"]] == ["garment", "body"]
    assert doc["samplers"] == [{"magFilter": 9729, "minFilter": 9987, "wrapS": 10497, "wrapT": 10497}]
    fabric_material, mannequin = doc["materials"]
    assert fabric_material["doubleSided"] is True
    pbr = fabric_material["pbrMetallicRoughness"]
    assert pbr["roughnessFactor"] == pytest.approx(linen.roughness)
    assert doc["textures"][pbr["baseColorTexture"]["index"]]["sampler"] == 0
    assert "normalTexture" not in fabric_material
    assert "baseColorTexture" not in mannequin["pbrMetallicRoughness"]
    np.testing.assert_allclose(
        mannequin["pbrMetallicRoughness"]["baseColorFactor"][:3], srgb_to_linear((0.86, 0.84, 0.80))
    )
    garment_attributes = doc["meshes"][0]["primitives"][0]["attributes"]
    assert set(garment_attributes) == {"POSITION", "NORMAL", "TEXCOORD_0"}
    # the scan repeats once per tile: metres times 1 / tile size
    transform = pbr["baseColorTexture"]["extensions"]["KHR_texture_transform"]
    np.testing.assert_allclose(transform["scale"], 100.0 / np.asarray(linen.tile_cm))
    assert doc["extensionsRequired"] == ["KHR_texture_transform"]
    assert "KHR_materials_sheen" not in doc["extensionsUsed"]  # the test linen has no sheen


def test_sheen_and_roughness_map_for_a_satin(tmp_path, skirt_drape, body):
    from PIL import Image

    grey = tmp_path / "rough.png"
    Image.new("L", (16, 16), 200).save(grey)
    satin = make_fabric(LINEN_SCAN, sheen=0.8, sheen_roughness=0.35, tint=(0.36, 0.62, 0.52), roughness_path=grey)
    doc = read_glb_json(write_glb(skirt_drape, body, satin, tmp_path / "satin.glb"))
    material = doc["materials"][0]
    sheen = material["extensions"]["KHR_materials_sheen"]
    assert sheen["sheenRoughnessFactor"] == pytest.approx(0.35)
    assert max(sheen["sheenColorFactor"]) == pytest.approx(0.8)
    assert sheen["sheenColorFactor"][1] > sheen["sheenColorFactor"][0]  # tinted like the jade silk
    assert "KHR_materials_sheen" in doc["extensionsUsed"]
    assert "metallicRoughnessTexture" in material["pbrMetallicRoughness"]


def test_the_figure_replaces_the_body(tmp_path, skirt_drape, body, linen):
    from garment3d.render import build_figure

    figure = build_figure(body, "dress_form")
    doc = read_glb_json(write_glb(skirt_drape, body, linen, tmp_path / "form.glb", figure=figure))
    assert [m["name"] for m in doc["meshes"]] == ["garment", "mannequin_form", "mannequin_neck_cap", "mannequin_stand"]


def test_normal_map_is_embedded_when_the_fabric_has_one(tmp_path, skirt_drape, body):
    from PIL import Image

    flat = tmp_path / "flat_normal.png"
    Image.new("RGB", (16, 16), (128, 128, 255)).save(flat)
    fabric = make_fabric(LINEN_SCAN, normal_path=flat)
    doc = read_glb_json(write_glb(skirt_drape, body, fabric, tmp_path / "normal.glb"))
    normal = doc["materials"][0]["normalTexture"]
    assert doc["textures"][normal["index"]] == {"sampler": 0, "source": 1}
    assert len(doc["images"]) == 2
    attributes = doc["meshes"][0]["primitives"][0]["attributes"]
    assert doc["accessors"][attributes["TANGENT"]]["type"] == "VEC4"


def glb_image_bytes(path, index: int) -> bytes:
    data = path.read_bytes()
    doc = read_glb_json(path)
    json_length = struct.unpack_from("<I", data, 12)[0]
    binary = 20 + json_length + 8  # the BIN chunk's data follows its 8-byte header
    view = doc["bufferViews"][doc["images"][index]["bufferView"]]
    start = binary + view.get("byteOffset", 0)
    return data[start:start + view["byteLength"]]


def test_scan_file_is_embedded_as_it_is_unless_tinted(tmp_path, skirt_drape, body):
    """An untinted RGB PNG scan goes in byte for byte (no second, slower and larger encoding); a tinted one is
    encoded with its tint."""
    import io

    from PIL import Image

    plain = write_glb(skirt_drape, body, make_fabric(LINEN_SCAN), tmp_path / "plain.glb")
    assert glb_image_bytes(plain, 0) == LINEN_SCAN.read_bytes()
    tinted = write_glb(skirt_drape, body, make_fabric(LINEN_SCAN, tint=(0.5, 1.0, 1.0)), tmp_path / "tinted.glb")
    with Image.open(io.BytesIO(glb_image_bytes(tinted, 0))) as image, Image.open(LINEN_SCAN) as scan:
        got, original = np.asarray(image.convert("RGB"), int), np.asarray(scan.convert("RGB"), int)
    assert np.abs(got[..., 0] - np.rint(original[..., 0] * 0.5)).max() <= 1
    assert np.array_equal(got[..., 1:], original[..., 1:])


def test_missing_scan_is_an_invalid_fabric(tmp_path, skirt_drape, body):
    with pytest.raises(InvalidFabricError, match="missing.png"):
        write_glb(skirt_drape, body, make_fabric(tmp_path / "missing.png"), tmp_path / "x.glb")
    assert not (tmp_path / "x.glb").exists()


def test_mismatched_drape_is_a_render_error(tmp_path, skirt_drape, body, linen):
    import dataclasses

    short = dataclasses.replace(skirt_drape, positions=skirt_drape.positions[:-1])
    with pytest.raises(RenderError, match="drape.garment.faces has a vertex index outside"):
        write_glb(short, body, linen, tmp_path / "x.glb")
    extra = dataclasses.replace(skirt_drape, positions=np.vstack([skirt_drape.positions, [[0.0, 1.0, 0.0]]]))
    with pytest.raises(RenderError, match="rest_uv"):
        write_glb(extra, body, linen, tmp_path / "x.glb")
    broken = dataclasses.replace(skirt_drape, positions=np.full_like(skirt_drape.positions, np.nan))
    with pytest.raises(RenderError, match="drape.positions has .* non-finite"):
        write_glb(broken, body, linen, tmp_path / "x.glb")


@pytest.fixture(scope="module")
def glb_with_normal_map(tmp_path_factory, skirt_drape, body):
    from PIL import Image

    folder = tmp_path_factory.mktemp("glb_normal")
    bumps = np.full((32, 32, 3), 128, np.uint8)
    bumps[..., 0] = np.rint(128 + 60 * np.sin(np.arange(32) / 32 * 2 * np.pi)).astype(np.uint8)[None, :]
    bumps[..., 2] = 240
    Image.fromarray(bumps).save(folder / "bumps.png")
    Image.new("L", (16, 16), 180).save(folder / "rough.png")
    fabric = make_fabric(LINEN_SCAN, normal_path=folder / "bumps.png", tint=(1.0, 0.9, 0.8),
                         roughness_path=folder / "rough.png", sheen=0.7, sheen_roughness=0.4)
    from garment3d.render import build_figure

    return write_glb(skirt_drape, body, fabric, folder / "with_normal_map.glb", figure=build_figure(body, "mannequin"))


@pytest.mark.parametrize("which", ["glb_path", "glb_with_normal_map"])
def test_khronos_validator_accepts_the_file(which, request):
    issues = validator_issues(request.getfixturevalue(which))
    assert issues["numErrors"] == 0 and issues["numWarnings"] == 0, issues["messages"]


@pytest.mark.parametrize("style", ["dress_form", "mannequin", "avatar"])
def test_figure_nodes_read_as_body_by_name(tmp_path, skirt_drape, body, linen, style):
    """Tools that tell body from cloth by node name (body/mannequin/avatar) see the figure as body:
    horizontal rays at the torso find cloth first where the skirt covers it and the figure above it."""
    from raycast import FIGURE_WORDS, first_hits, glb_groups

    from garment3d.render import build_figure

    path = write_glb(skirt_drape, body, linen, tmp_path / f"{style}.glb", figure=build_figure(body, style))
    names = [n["name"] for n in read_glb_json(path)["nodes"]]
    figure_nodes = [n for n in names if any(word in n for word in FIGURE_WORDS)]
    assert figure_nodes and set(names) - set(figure_nodes) == {"garment"}
    groups = glb_groups(path)
    figure, cloth = groups["figure"], groups["garment"]
    triangles = np.vstack([figure.vertices[figure.faces], cloth.vertices[cloth.faces]])

    def bare_share(heights) -> float:
        angles = np.radians(np.arange(0, 360, 45))
        origins = np.array([[np.sin(a), y, np.cos(a)] for y in heights for a in angles])  # 1 m out
        directions = -origins * [1.0, 0.0, 1.0]
        _, hit = first_hits(origins, directions, triangles)
        assert (hit >= 0).all()
        return float(np.mean(hit < len(figure.faces)))

    assert bare_share([0.75, 0.82, 0.9]) == 0.0  # under the skirt (it flares clear of the hip)
    assert bare_share([1.2, 1.3]) == 1.0  # the bodice is bare
