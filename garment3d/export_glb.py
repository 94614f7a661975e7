"""Write a draped garment on its mannequin as one binary glTF 2.0 file (GLB).

The file holds two meshes, each in its own named node:

- ``garment``: the draped positions, smooth normals, ``TEXCOORD_0`` in metres
  of flat cloth (the pattern's own coordinates, +v along the warp), and a PBR
  material with the scan as ``baseColorTexture`` whose ``KHR_texture_transform``
  scales metres to tiles of the scan (REPEAT wrapping, so it tiles at its
  physical size, and a viewer can swap a fabric of another tile size by
  changing only the transform), the fabric normal map (with ``TANGENT``s) and
  roughness map when the fabric has them, the fabric's roughness,
  ``KHR_materials_sheen`` for fabrics with a sheen (silk, satin, velvet), and
  ``doubleSided`` (cloth is a single layer).
- the figure: the display figure's parts (``mannequin_form``,
  ``mannequin_neck_cap``, ``mannequin_stand`` of a dress form;
  ``mannequin_figure`` and ``mannequin_head`` of a mannequin; ``avatar_body`` of
  an avatar), or the body itself (``body``) when no figure is given; untextured
  and matte. Every figure node's name says body, mannequin or avatar, so tools
  that tell cloth from body by node name (``../shared/tools/bare_torso.py``)
  count it as the body.
- the trims (:mod:`garment3d.trims`), one node per fastener named like
  ``trim_button_3`` or ``trim_zip_0``, one primitive per material (horn or
  shell buttons, nickel, self-fabric cord, thread, zip tape); none when the
  garment has no fasteners.

Both extensions are listed in ``extensionsUsed``; the texture transform is also
in ``extensionsRequired``, since without it the scan would repeat once a metre.

The glTF JSON and binary chunk are written here with numpy, so every field is
under our control (samplers, names, accessor bounds); trimesh reads the result
back, and the Khronos glTF validator accepts it.
"""

from __future__ import annotations

import io
import json
import logging
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from garment3d import __version__
from garment3d.errors import RenderError
from garment3d.texture import (
    Surface,
    body_surface,
    garment_surface,
    load_fabric_image,
    load_normal_image,
    load_roughness_image,
    surface_tangents,
)
from garment3d.trims import garment_trims, trim_look
from garment3d.types import Body, Drape, Fabric

__all__ = ["write_glb", "srgb_to_linear"]

log = logging.getLogger(__name__)

# glTF enumerations (glTF 2.0 specification, section 5).
_FLOAT = 5126
_UNSIGNED_INT = 5125
_ARRAY_BUFFER = 34962
_ELEMENT_ARRAY_BUFFER = 34963
_LINEAR = 9729
_LINEAR_MIPMAP_LINEAR = 9987
_REPEAT = 10497

_GLB_MAGIC = 0x46546C67  # "glTF"
_CHUNK_JSON = 0x4E4F534A  # "JSON"
_CHUNK_BIN = 0x004E4942  # "BIN\0"

MANNEQUIN_ROUGHNESS = 0.85


def srgb_to_linear(rgb) -> np.ndarray:
    """sRGB display colour (0..1) to the linear values glTF colour factors expect."""
    c = np.clip(np.asarray(rgb, dtype=np.float64), 0.0, 1.0)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def write_glb(
    drape: Drape,
    body: Body,
    fabric: Fabric,
    path: Path,
    *,
    mannequin_rgb: tuple[float, float, float] = (0.86, 0.84, 0.80),
    figure=None,
    trims=None,
) -> Path:
    """Write the garment and its figure to ``path`` as GLB and return the path.

    ``figure`` is a :class:`garment3d.render.figure.Figure` (its parts' own
    colours are used); without one the body is written as ``body`` in
    ``mannequin_rgb`` (an sRGB display colour). ``trims``: the
    :class:`garment3d.trims.Trim` tuple to write, made from the drape when None. Raises
    :class:`InvalidFabricError` if the fabric images cannot be read and
    :class:`RenderError` if the file cannot be written.
    """
    path = Path(path)
    garment = garment_surface(drape, fabric)
    rest_uv = np.asarray(drape.garment.rest_uv, dtype=np.float64)
    gltf_uv = np.column_stack([rest_uv[:, 0], -rest_uv[:, 1]])  # glTF counts v down the image
    tile_m = np.asarray(fabric.tile_cm, dtype=np.float64) / 100.0

    doc = _GltfBuilder()
    transform = {"KHR_texture_transform": {"scale": (1.0 / tile_m).tolist()}}
    doc.use_extension("KHR_texture_transform", required=True)

    def texture_info(image, name: str, source=None) -> dict:
        return {"index": doc.add_texture(_png_bytes(image, source), name), "texCoord": 0, "extensions": transform}

    base_image = load_fabric_image(fabric)
    untinted = np.allclose(np.asarray(fabric.tint, dtype=np.float64), 1.0)
    pbr = {
        "baseColorTexture": texture_info(base_image, "basecolor", fabric.texture_path if untinted else None),
        "metallicFactor": 0.0,
        "roughnessFactor": float(np.clip(fabric.roughness, 0.0, 1.0)),
    }
    garment_material = {"name": f"fabric:{fabric.name}", "pbrMetallicRoughness": pbr, "doubleSided": True}
    roughness_image = load_roughness_image(fabric)
    if roughness_image is not None:  # glTF reads roughness from the green channel
        from PIL import Image

        grey = roughness_image
        pbr["metallicRoughnessTexture"] = texture_info(Image.merge("RGB", (grey, grey, grey)), "roughness")
    normal_image = load_normal_image(fabric)
    tangents = None
    if normal_image is not None:
        garment_material["normalTexture"] = texture_info(normal_image, "normal", fabric.normal_path)
        # explicit tangents, so every viewer bends the normals the same way
        tangents = surface_tangents(garment.positions, garment.faces, garment.normals, garment.uv)
    if fabric.sheen > 0.0:
        doc.use_extension("KHR_materials_sheen")
        garment_material["extensions"] = {"KHR_materials_sheen": _sheen(fabric)}
    doc.add_mesh("garment", garment, doc.add_material(garment_material), gltf_uv, tangents)
    for name, surface, rgb, roughness in _figure_parts(body, figure, mannequin_rgb):
        material = {
            "name": name if figure is not None else "mannequin",
            "pbrMetallicRoughness": {
                "baseColorFactor": [*srgb_to_linear(rgb).tolist(), 1.0],
                "metallicFactor": 0.0,
                "roughnessFactor": float(roughness),
            },
            "doubleSided": False,
        }
        doc.add_mesh(name, surface, doc.add_material(material))
    _add_trims(doc, garment_trims(drape) if trims is None else trims, base_image)

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(doc.to_glb())
    except OSError as exc:
        raise RenderError(f"could not write GLB {path}: {exc}") from exc
    log.info("wrote %s (%d garment triangles)", path, len(garment.faces))
    return path


def _sheen(fabric: Fabric) -> dict:
    """KHR_materials_sheen from the fabric: a lighter tint of its colour, at its sheen strength (linear)."""
    tint = np.asarray(fabric.tint, dtype=np.float64)
    tint = tint / max(float(tint.max()), 1e-6)
    colour = fabric.sheen * (0.6 * tint + 0.4)
    return {
        "sheenColorFactor": np.clip(colour, 0.0, 1.0).tolist(),
        "sheenRoughnessFactor": float(np.clip(fabric.sheen_roughness, 0.0, 1.0)),
    }


def _add_trims(doc: _GltfBuilder, trims, base_image) -> None:
    """One node per trim, one primitive per part; a material per role, shared by every trim."""
    cloth_rgb = np.asarray(base_image, dtype=np.float64).reshape(-1, 3)[::7].mean(axis=0) / 255.0
    materials: dict[str, int] = {}
    for trim in trims:
        primitives = []
        for part in trim.parts:
            if part.material not in materials:
                look = trim_look(part.material, cloth_rgb)
                materials[part.material] = doc.add_material({
                    "name": f"trim:{part.material}",
                    "pbrMetallicRoughness": {
                        "baseColorFactor": [*srgb_to_linear(look.rgb).tolist(), 1.0],
                        "metallicFactor": float(look.metallic),
                        "roughnessFactor": float(look.roughness),
                    },
                    "doubleSided": False,
                })  # fmt: skip
            primitives.append((part.surface, materials[part.material]))
        doc.add_mesh_parts(trim.name, primitives)


def _figure_parts(body: Body, figure, mannequin_rgb):
    if figure is None:
        return [("body", body_surface(body), mannequin_rgb, MANNEQUIN_ROUGHNESS)]
    return [(part.name, part.surface, part.rgb, part.roughness) for part in figure.parts]


def _png_bytes(image, source=None) -> bytes:
    """A PNG of ``image``: the file ``source`` itself where it is an 8-bit RGB PNG (``image`` being its
    pixels unchanged), which keeps its compression and saves encoding again (Pillow's deflate took
    0.1 s for a 512 px scan); otherwise encoded."""
    if source is not None:
        try:
            data = Path(source).read_bytes()
        except OSError:
            data = b""
        if _plain_rgb_png(data):
            return data
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _plain_rgb_png(data: bytes) -> bool:
    """An 8-bit RGB PNG with nothing that changes its colours in a viewer (gamma, profile, colour key)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR" or data[24:26] != b"\x08\x02":
        return False
    offset = 8
    while offset + 8 <= len(data):
        length = struct.unpack(">I", data[offset:offset + 4])[0]
        if data[offset + 4:offset + 8] in (b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"tRNS", b"sBIT"):
            return False
        offset += 12 + length
    return True


# --------------------------------------------------------------------------- glTF assembly


@dataclass
class _GltfBuilder:
    """Accumulates glTF JSON objects and one binary buffer (4-byte aligned views)."""

    blob: bytearray = field(default_factory=bytearray)
    json: dict = field(
        default_factory=lambda: {
            "asset": {"version": "2.0", "generator": f"garment3d {__version__}"},
            "scene": 0,
            "scenes": [{"name": "garment3d", "nodes": []}],
            "nodes": [],
            "meshes": [],
            "materials": [],
            "accessors": [],
            "bufferViews": [],
            "buffers": [],
        }
    )

    def _view(self, data: bytes, target: int | None) -> int:
        self.blob.extend(b"\0" * (-len(self.blob) % 4))
        view = {"buffer": 0, "byteOffset": len(self.blob), "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        self.blob.extend(data)
        self.json["bufferViews"].append(view)
        return len(self.json["bufferViews"]) - 1

    def _accessor(self, array: np.ndarray, gl_type: str, target: int, bounds: bool = False) -> int:
        component = _UNSIGNED_INT if array.dtype == np.uint32 else _FLOAT
        accessor = {
            "bufferView": self._view(array.tobytes(), target),
            "componentType": component,
            "count": int(len(array)),
            "type": gl_type,
        }
        if bounds:
            accessor["min"] = array.min(axis=0).tolist()
            accessor["max"] = array.max(axis=0).tolist()
        self.json["accessors"].append(accessor)
        return len(self.json["accessors"]) - 1

    def add_texture(self, png: bytes, name: str) -> int:
        tree = self.json
        if "samplers" not in tree:
            tree["samplers"] = [
                {"magFilter": _LINEAR, "minFilter": _LINEAR_MIPMAP_LINEAR, "wrapS": _REPEAT, "wrapT": _REPEAT}
            ]
            tree["images"], tree["textures"] = [], []
        tree["images"].append({"name": name, "mimeType": "image/png", "bufferView": self._view(png, None)})
        tree["textures"].append({"sampler": 0, "source": len(tree["images"]) - 1})
        return len(tree["textures"]) - 1

    def use_extension(self, name: str, required: bool = False) -> None:
        for key in ("extensionsUsed", "extensionsRequired") if required else ("extensionsUsed",):
            names = self.json.setdefault(key, [])
            if name not in names:
                names.append(name)

    def add_material(self, material: dict) -> int:
        self.json["materials"].append(material)
        return len(self.json["materials"]) - 1

    def add_mesh(self, name: str, surface: Surface, material: int, uv: np.ndarray | None = None, tangents=None) -> None:
        self._add_node(name, [self._primitive(surface, material, uv, tangents)])

    def add_mesh_parts(self, name: str, parts) -> None:
        """One node and mesh ``name`` with a primitive per (surface, material index) in ``parts``."""
        self._add_node(name, [self._primitive(surface, material) for surface, material in parts])

    def _add_node(self, name: str, primitives: list) -> None:
        self.json["meshes"].append({"name": name, "primitives": primitives})
        self.json["nodes"].append({"name": name, "mesh": len(self.json["meshes"]) - 1})
        self.json["scenes"][0]["nodes"].append(len(self.json["nodes"]) - 1)

    def _primitive(self, surface: Surface, material: int, uv: np.ndarray | None = None, tangents=None) -> dict:
        attributes = {
            "POSITION": self._accessor(surface.positions.astype(np.float32), "VEC3", _ARRAY_BUFFER, bounds=True),
            "NORMAL": self._accessor(surface.normals.astype(np.float32), "VEC3", _ARRAY_BUFFER),
        }
        if uv is not None:
            attributes["TEXCOORD_0"] = self._accessor(uv.astype(np.float32), "VEC2", _ARRAY_BUFFER)
        if tangents is not None:
            attributes["TANGENT"] = self._accessor(tangents.astype(np.float32), "VEC4", _ARRAY_BUFFER)
        indices = self._accessor(surface.faces.astype(np.uint32).reshape(-1), "SCALAR", _ELEMENT_ARRAY_BUFFER)
        return {"attributes": attributes, "indices": indices, "material": material, "mode": 4}

    def to_glb(self) -> bytes:
        self.blob.extend(b"\0" * (-len(self.blob) % 4))
        self.json["buffers"] = [{"byteLength": len(self.blob)}]
        text = json.dumps(self.json, separators=(",", ":")).encode("utf-8")
        text += b" " * (-len(text) % 4)
        total = 12 + 8 + len(text) + 8 + len(self.blob)
        return b"".join(
            [
                struct.pack("<III", _GLB_MAGIC, 2, total),
                struct.pack("<II", len(text), _CHUNK_JSON),
                text,
                struct.pack("<II", len(self.blob), _CHUNK_BIN),
                bytes(self.blob),
            ]
        )
