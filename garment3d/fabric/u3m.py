"""U3M (Unified 3D Material, Vizoo / Browzwear) exchange: import ``.u3m`` / ``.u3ma``, export ``.u3ma``.

``.u3m`` is JSON (schema "1.0" or "1.1"); ``.u3ma`` a zip holding it with its
textures (spec: ``u3m_additional_spec_u3ma.txt`` of vizoogmbh/u3m). Mapped:

- the front material (or back / side when front is null): basecolor, normal
  and roughness textures; constant roughness, sheen, anisotropy and alpha
  (opacity) when no texture gives them;
- the physical size of one texture copy: the image's pixels over its DPI when
  the image is there, else the declared width/height (millimetres in 1.1;
  1.0 leaves the unit out: its example, 12.2 x 11.1 at 1005 dpi, is a
  scanner's field in centimetres, so 1.0 is read as cm);
- physics: thickness (mm) and weight (g/m2) from ``material.physics`` (1.1);
  bending, stretch, shear and friction from a Browzwear physics block
  (``custom.browzwear`` in the FAB physics file, as in the official
  ``physics_example.json``) read as bending in dyn·cm (0.1 µN·m) and
  stretch/shear in g/cm (0.98 N/m); values missing are taken from a library
  fabric of the same kind. Raw fabric-tester curves are not interpreted.

garment3d's own export also writes every library field under
``custom.garment3d``, so an export read back gives the same fabric.

Archives are treated as hostile: at most 64 entries, names must be relative
paths without ``..`` (zip slip), each entry at most 64 MB and the whole at
most 256 MB uncompressed, counted while inflating (zip bombs lie in their
headers), compression ratio at most 200.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import uuid
import zipfile
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from garment3d.errors import InvalidFabricError
from garment3d.fabric.images import read_image
from garment3d.fabric.library import PbrSet, register_fabric
from garment3d.fabric.maps import height_from_image, look_for, normal_map, roughness_map
from garment3d.fabric.properties import FabricRecord, check_name, load_fabric
from garment3d.fabric.scan import DEFAULT_LIKE
from garment3d.types import Colorway, Fabric

__all__ = ["import_u3m", "export_u3ma", "read_u3m_package", "U3mPackage", "MAX_ENTRIES", "MAX_ENTRY_BYTES"]

SCHEMAS = ("1.0", "1.1")
MAX_ENTRIES = 64
MAX_ENTRY_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 256 * 2**20
MAX_RATIO = 200
MAX_JSON_BYTES = 16 * 2**20
_LIBRARY_FIELDS = (
    "display_name", "density_gsm", "thickness_mm", "stretch_warp_n_per_m", "stretch_weft_n_per_m", "shear_n_per_m",
    "bending_warp_unm", "bending_weft_unm", "friction", "roughness", "sheen", "sheen_roughness", "anisotropy",
    "opacity", "composition", "construction", "roll_width_cm", "price_per_m", "currency",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class U3mPackage:
    """A U3M document and the files beside it (archive members, or the folder of a .u3m file)."""

    document: dict[str, Any]
    files: dict[str, bytes]
    label: str


# --------------------------------------------------------------------------- reading


def read_u3m_package(source: Path | bytes, file_name: str | None = None) -> U3mPackage:
    """Read a .u3m (JSON) or .u3ma (zip) from a path or bytes, checking the archive as hostile input."""
    if isinstance(source, (bytes, bytearray)):
        data, label, folder = bytes(source), f"U3M file '{file_name or 'upload'}'", None
    else:
        path = Path(source)
        label, folder = f"U3M file '{path.name}'", path.parent
        try:
            if path.stat().st_size > MAX_TOTAL_BYTES:
                raise InvalidFabricError(f"{label} is larger than {MAX_TOTAL_BYTES // 2**20} MB")
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidFabricError(f"{label} cannot be read: {exc.strerror or exc}") from None
    if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
        files = _unzip(data, label)
        names = [n for n in files if n.lower().endswith(".u3m") and "/" not in n]
        if len(names) != 1:
            raise InvalidFabricError(f"{label}: a .u3ma holds exactly one .u3m file at its top level, found {len(names)}")
        document = _parse_json(files[names[0]], f"{label} ({names[0]})")
        return U3mPackage(document, files, label)
    if len(data) > MAX_JSON_BYTES:
        raise InvalidFabricError(f"{label} is not a zip and too large for a .u3m JSON file")
    document = _parse_json(data, label)
    files = _neighbour_files(document, folder) if folder is not None else {}
    return U3mPackage(document, files, label)


def _parse_json(data: bytes, label: str) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InvalidFabricError(f"{label} is neither a U3MA zip nor U3M JSON ({exc})") from None
    if not isinstance(document, dict):
        raise InvalidFabricError(f"{label}: the U3M document must be a JSON object")
    return document


def _safe_member(name: str, label: str) -> str:
    path = PurePosixPath(name)
    if (
        not name
        or "\\" in name
        or "\x00" in name
        or name.startswith("/")
        or (len(name) > 1 and name[1] == ":")
        or any(part in ("..", "") for part in path.parts)
    ):
        raise InvalidFabricError(f"{label}: unsafe path '{name}' in the archive (a path must stay inside it)")
    return str(path)


def _unzip(data: bytes, label: str) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidFabricError(f"{label} is a damaged zip archive ({exc})") from None
    if len(infos) > MAX_ENTRIES:
        raise InvalidFabricError(f"{label} holds {len(infos)} entries, more than {MAX_ENTRIES}")
    files: dict[str, bytes] = {}
    total = 0
    for info in infos:
        name = _safe_member(info.filename, label)
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise InvalidFabricError(f"{label}: '{name}' is encrypted (U3MA forbids encryption)")
        if info.file_size > MAX_ENTRY_BYTES or (info.compress_size and info.file_size / info.compress_size > MAX_RATIO):
            raise InvalidFabricError(f"{label}: '{name}' inflates to {info.file_size} bytes: a zip bomb, refused")
        if name in files:
            raise InvalidFabricError(f"{label}: '{name}' appears twice in the archive")
        content = _inflate(archive, info, name, label)
        total += len(content)
        if total > MAX_TOTAL_BYTES:
            raise InvalidFabricError(f"{label} inflates to more than {MAX_TOTAL_BYTES // 2**20} MB: a zip bomb, refused")
        files[name] = content
    return files


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, label: str) -> bytes:
    """The member's bytes, read in chunks and stopped at the limit whatever its header claims."""
    chunks, size = [], 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > MAX_ENTRY_BYTES or size > MAX_RATIO * max(info.compress_size, 1):
                    raise InvalidFabricError(f"{label}: '{name}' inflates beyond its limit: a zip bomb, refused")
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise InvalidFabricError(f"{label}: '{name}' cannot be unpacked ({exc})") from None
    return b"".join(chunks)


def _neighbour_files(document: dict[str, Any], folder: Path) -> dict[str, bytes]:
    """Texture files a plain .u3m names, read from beside it (safe relative paths only)."""
    files = {}
    for relative in _texture_paths(document):
        try:
            name = _safe_member(relative, "U3M")
        except InvalidFabricError:
            continue  # reported when the texture is looked up
        path = folder / name
        if path.is_file() and path.stat().st_size <= MAX_ENTRY_BYTES:
            files[name] = path.read_bytes()
    return files


def _texture_paths(document: dict[str, Any]) -> list[str]:
    side = _visual_side(document, "U3M")
    paths = []
    for key in ("basecolor", "normal", "roughness"):
        image = ((side.get(key) or {}).get("texture") or {}).get("image") if isinstance(side, dict) else None
        if isinstance(image, dict) and isinstance(image.get("path"), str):
            paths.append(image["path"])
    return paths


# --------------------------------------------------------------------------- mapping


def _visual_side(document: dict[str, Any], label: str) -> dict[str, Any]:
    material = document.get("material")
    if not isinstance(material, dict):
        raise InvalidFabricError(f"{label}: no 'material' object")
    for key in ("front", "back", "side"):
        if isinstance(material.get(key), dict):
            return material[key]
    raise InvalidFabricError(f"{label}: the material has no front, back or side visualisation")


def _schema(document: dict[str, Any], label: str) -> str:
    version = document.get("schema")
    if not isinstance(version, str) or version not in SCHEMAS:
        raise InvalidFabricError(f"{label}: unknown U3M schema version {version!r} (garment3d reads {', '.join(SCHEMAS)})")
    return version


def _number(value: Any, label: str, what: str, low: float = -math.inf, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidFabricError(f"{label}: '{what}' must be a number, got {value!r}")
    if not low <= value <= high:
        raise InvalidFabricError(f"{label}: '{what}' = {value} is outside [{low:g}, {high:g}]")
    return float(value)


def _texture(package: U3mPackage, side: dict[str, Any], key: str, required: bool):
    """(pixels, image block) of the side's ``key`` texture, or None; a named file that is missing is an error."""
    block = side.get(key)
    texture = block.get("texture") if isinstance(block, dict) else None
    if not isinstance(texture, dict):
        if required:
            raise InvalidFabricError(f"{package.label}: the material has no {key} texture")
        return None
    image = texture.get("image")
    if not isinstance(image, dict) or not isinstance(image.get("path"), str):
        raise InvalidFabricError(f"{package.label}: the {key} texture has no image path")
    name = _safe_member(image["path"], package.label)
    if name not in package.files:
        raise InvalidFabricError(
            f"{package.label}: the {key} texture '{name}' is missing (not in the archive or beside the .u3m file)"
        )
    return read_image(package.files[name], f"{key} texture", PurePosixPath(name).name).pixels, image


def _tile_cm(image_block: dict[str, Any], pixels, version: str, label: str) -> tuple[float, float]:
    dpi = image_block.get("dpi")
    dpi_x, dpi_y = (dpi.get("x"), dpi.get("y")) if isinstance(dpi, dict) else (dpi, dpi)
    if dpi_x is not None and dpi_y is not None and pixels is not None:
        dpi_x, dpi_y = _number(dpi_x, label, "dpi", 10, 20000), _number(dpi_y, label, "dpi", 10, 20000)
        return pixels.shape[1] / dpi_x * 2.54, pixels.shape[0] / dpi_y * 2.54
    unit_cm = 0.1 if version == "1.1" else 1.0
    width = _number(image_block.get("width"), label, "image width", 0.0, 1e5) * unit_cm
    height = _number(image_block.get("height"), label, "image height", 0.0, 1e5) * unit_cm
    if width <= 0 or height <= 0:
        raise InvalidFabricError(f"{label}: the texture's physical size is zero")
    return width, height


def _constant(side: dict[str, Any], key: str, label: str, default: float) -> float:
    block = side.get(key)
    if not isinstance(block, dict) or block.get("constant") is None:
        return default
    value = block["constant"]
    if isinstance(value, dict):  # a colour constant: its mean
        value = sum(float(value.get(c, 0)) for c in "rgb") / 3
    return _number(value, label, f"{key}.constant", -1e6, 1e6)


def _physics(document: dict[str, Any], package: U3mPackage) -> dict[str, float]:
    """Engine values found in the document: thickness, weight, and a Browzwear block if any."""
    values: dict[str, float] = {}
    physics = (document.get("material") or {}).get("physics")
    if isinstance(physics, dict):
        if physics.get("thickness") is not None:
            values["thickness_mm"] = _number(physics["thickness"], package.label, "physics.thickness", 0.02, 10)
        if physics.get("weight") is not None:
            values["density_gsm"] = _number(physics["weight"], package.label, "physics.weight", 10, 1500)
        fab = (physics.get("devices") or {}).get("fab") if isinstance(physics.get("devices"), dict) else None
        if isinstance(fab, str) and fab != "null":
            name = _safe_member(fab, package.label)
            if name not in package.files:
                raise InvalidFabricError(f"{package.label}: the physics file '{name}' is missing")
            values.update(browzwear_physics(_parse_json(package.files[name], f"{package.label} ({name})"), package.label))
    return values


def browzwear_physics(block: dict[str, Any], label: str) -> dict[str, float]:
    """Engine values from a FAB physics file's ``custom.browzwear`` block (units in the module docstring)."""
    bw = ((block.get("custom") or {}).get("browzwear")) if isinstance(block.get("custom"), dict) else None
    if not isinstance(bw, dict):
        return {}
    values: dict[str, float] = {}
    try:
        if "mass" in bw:
            values["density_gsm"] = _number(bw["mass"], label, "browzwear.mass", 10, 1500)
        if "thickness" in bw:
            values["thickness_mm"] = _number(bw["thickness"], label, "browzwear.thickness", 0.02, 10)
        if "friction" in bw:
            values["friction"] = _number(bw["friction"], label, "browzwear.friction", 0, 2)
        if isinstance(bw.get("bend"), dict):
            values["bending_warp_unm"] = max(0.01, 0.1 * _number(bw["bend"].get("length"), label, "bend.length", 0))
            values["bending_weft_unm"] = max(0.01, 0.1 * _number(bw["bend"].get("width"), label, "bend.width", 0))
        if isinstance(bw.get("stretch"), dict):
            values["stretch_warp_n_per_m"] = max(10.0, 0.98 * _number(bw["stretch"].get("length"), label, "stretch", 0))
            values["stretch_weft_n_per_m"] = max(10.0, 0.98 * _number(bw["stretch"].get("width"), label, "stretch", 0))
        if "shear" in bw:
            values["shear_n_per_m"] = max(0.1, 0.98 * _number(bw["shear"], label, "browzwear.shear", 0))
    except AttributeError:
        raise InvalidFabricError(f"{label}: the Browzwear physics block is malformed") from None
    return values


def import_u3m(
    source: Path | bytes,
    name: str,
    *,
    kind: str | None = None,
    file_name: str | None = None,
    fabrics_dir: Path | None = None,
    replace: bool = False,
) -> FabricRecord:
    """Import a .u3m / .u3ma as library fabric ``name`` (physical values the file lacks come from ``kind``)."""
    check_name(name)
    package = read_u3m_package(source, file_name)
    document, label = package.document, package.label
    version = _schema(document, label)
    side = _visual_side(document, label)
    ours = _our_block(document, label)
    kind = kind or (ours.get("kind") if ours.get("kind") in DEFAULT_LIKE else "synthetic")
    look = look_for(kind)
    base, base_block = _texture(package, side, "basecolor", required=True)
    normal = _texture(package, side, "normal", required=False)
    rough = _texture(package, side, "roughness", required=False)
    tile = _tile_cm(base_block, base, version, label)
    template = load_fabric(DEFAULT_LIKE[kind], fabrics_dir)
    values = {field: getattr(template, field) for field in _LIBRARY_FIELDS}
    values.update(
        display_name=str((document.get("material") or {}).get("name") or name)[:200],
        roughness=min(1.0, max(0.0, _constant(side, "roughness", label, look.roughness))),
        sheen=min(1.0, max(0.0, _constant(side, "sheen_value", label, look.sheen))),
        anisotropy=min(1.0, max(0.0, _constant(side, "anisotropy_value", label, look.anisotropy))),
        opacity=min(1.0, max(0.0, _constant(side, "alpha", label, look.opacity))),
        sheen_roughness=look.sheen_roughness,
    )
    values.update(_physics(document, package))
    values.update({k: v for k, v in ours.items() if k in _LIBRARY_FIELDS})
    fabric = Fabric(
        name=name, tile_cm=tile, texture_path=Path("scan.png"),
        colorways=tuple(Colorway(str(c.get("name")), str(c.get("hex"))) for c in ours.get("colorways", [])
                        if isinstance(c, dict)),
        **values,
    )  # fmt: skip
    if "tile_cm" in ours:
        fabric = dataclasses.replace(fabric, tile_cm=ours["tile_cm"])
    height = height_from_image(base, base.shape[1] / tile[0])
    normal_pixels = normal[0] if normal else normal_map(height, base.shape[1] / tile[0], look.bump_mm)
    rough_pixels = rough[0].mean(axis=2) if rough else roughness_map(height, fabric.roughness)
    credits = dict(ours.get("images", {}))
    for file in ("scan.png", "normal.png", "roughness.png"):
        credits.setdefault(file, (f"imported from {label}", "as licensed by the U3M's owner"))
    return register_fabric(
        fabric,
        PbrSet(base, normal_pixels, rough_pixels),
        kind=kind,
        image_credits=credits,
        sources=ours.get("sources") or {"mechanics": f"from {label}"},
        drape_range=ours.get("drape_range"),
        fabrics_dir=fabrics_dir,
        replace=replace,
    )


_TEXT_FIELDS = ("display_name", "composition", "construction", "currency", "kind")


def _pair(value: Any, label: str, what: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise InvalidFabricError(f"{label}: custom.garment3d.{what} must be two numbers")
    return tuple(_number(v, label, f"custom.garment3d.{what}", 0.0, 1e4) for v in value)


def _our_block(document: dict[str, Any], label: str) -> dict[str, Any]:
    """garment3d's own fields under ``custom.garment3d``, checked (the file is untrusted), or {}."""
    custom = document.get("custom")
    block = custom.get("garment3d") if isinstance(custom, dict) else None
    if not isinstance(block, dict):
        return {}
    ours: dict[str, Any] = {}
    for key, value in block.items():
        if value is None:
            continue
        if key in _TEXT_FIELDS:
            if not isinstance(value, str) or len(value) > 500:
                raise InvalidFabricError(f"{label}: custom.garment3d.{key} must be text")
            ours[key] = value
        elif key in _LIBRARY_FIELDS:
            ours[key] = _number(value, label, f"custom.garment3d.{key}", 0.0, 1e7)
        elif key in ("tile_cm", "drape_range"):
            ours[key] = _pair(value, label, key)
        elif key in ("sources", "images", "colorways"):
            ours[key] = _text_table(key, value, label)
    return ours


def _text_table(key: str, value: Any, label: str):
    if key == "sources" and isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    if key == "images" and isinstance(value, dict) and all(
        isinstance(v, list) and len(v) == 2 and all(isinstance(t, str) for t in v) for v in value.values()
    ):
        return {str(k): (v[0], v[1]) for k, v in value.items()}
    if key == "colorways" and isinstance(value, list) and all(
        isinstance(c, dict) and isinstance(c.get("name"), str) and isinstance(c.get("hex"), str) for c in value
    ):
        return value
    raise InvalidFabricError(f"{label}: custom.garment3d.{key} is malformed")


# --------------------------------------------------------------------------- writing


def _image_block(path: str, pixels_wh: tuple[int, int], tile_cm: tuple[float, float]) -> dict[str, Any]:
    width_px, height_px = pixels_wh
    return {
        "path": path,
        "width": tile_cm[0] * 10.0,
        "height": tile_cm[1] * 10.0,
        "dpi": {"x": width_px / tile_cm[0] * 2.54, "y": height_px / tile_cm[1] * 2.54},
        "repeat": {"mode": "normal", "rotation": 0},
    }


def _scalar(constant: float, texture: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"constant": constant, "texture": None if texture is None else {"factor": 1.0, "offset": 0.0, "image": texture}}


def _document(record: FabricRecord, sizes: dict[str, tuple[int, int]]) -> dict[str, Any]:
    fabric = record.fabric
    tile = tuple(fabric.tile_cm)
    now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    front = {key: _scalar(0.0) for key in ("anisotropy_rotation", "clearcoat_value", "clearcoat_roughness",
                                           "displacement", "metalness", "sheen_tint", "specular_tint",
                                           "subsurface_radius", "subsurface_value", "transmission")}  # fmt: skip
    front.update(
        shader="principled",
        preview=None,
        alpha=_scalar(fabric.opacity),
        anisotropy_value=_scalar(fabric.anisotropy),
        sheen_value=_scalar(fabric.sheen),
        ior=_scalar(1.4),
        specular_value=_scalar(0.5),
        roughness=_scalar(fabric.roughness, _image_block("textures/roughness.png", sizes["roughness.png"], tile)
                          if "roughness.png" in sizes else None),
        normal={"constant": {"x": 0.0, "y": 0.0, "z": 1.0},
                "texture": None if "normal.png" not in sizes else
                {"scale": 1.0, "image": _image_block("textures/normal.png", sizes["normal.png"], tile)}},
        clearcoat_normal={"constant": {"x": 0.0, "y": 0.0, "z": 1.0}, "texture": None},
        basecolor={"constant": {"r": 1.0, "g": 1.0, "b": 1.0},
                   "texture": {"mode": "multiply", "factor": {"r": 1.0, "g": 1.0, "b": 1.0},
                               "image": _image_block("textures/basecolor.png", sizes["scan.png"], tile)}},
        subsurface_color={"constant": {"r": 0.0, "g": 0.0, "b": 0.0}, "texture": None},
    )  # fmt: skip
    ours = {field: getattr(fabric, field) for field in _LIBRARY_FIELDS}
    ours.update(
        kind=record.kind, tile_cm=list(tile), drape_range=list(record.drape_range) if record.drape_range else None,
        sources=record.sources, images={k: list(v) for k, v in record.image_credits.items()},
        colorways=[{"name": c.name, "hex": c.hex} for c in fabric.colorways],
    )  # fmt: skip
    return {
        "schema": "1.1",
        "material": {
            "id": "{" + str(uuid.uuid4()) + "}",
            "name": fabric.display_name,
            "description": f"{fabric.composition}; {fabric.construction}".strip("; "),
            "created": now,
            "modified": now,
            "front": front,
            "back": None,
            "side": None,
            "physics": {"thickness": fabric.thickness_mm, "weight": fabric.density_gsm, "composition": None,
                        "devices": {"fab": "null"}, "material_type": None, "construction": None},  # fmt: skip
            "metadata": None,
        },
        "custom": {"garment3d": ours},
    }


class _U3maEntry(zipfile.ZipInfo):
    """A zip entry as the U3MA spec wants it: UTF-8 flag (bit 11) always set, no file attributes.

    zipfile sets bit 11 only for non-ASCII names and gives every entry rw-------
    attributes; these two overrides are the only way to write what the spec asks.
    """

    @property
    def external_attr(self) -> int:
        return 0

    @external_attr.setter
    def external_attr(self, value: int) -> None:
        pass

    def _encodeFilenameFlags(self):  # noqa: N802 (zipfile's own hook)
        return self.filename.encode("utf-8"), self.flag_bits | 0x800


def export_u3ma(record: FabricRecord, path: Path) -> Path:
    """Write ``record``'s fabric as a .u3ma (zip: the .u3m JSON and its PNG textures) at ``path``."""
    from PIL import Image

    fabric = record.fabric
    members = {"scan.png": fabric.texture_path, "normal.png": fabric.normal_path, "roughness.png": fabric.roughness_path}
    members = {k: Path(v) for k, v in members.items() if v is not None}
    sizes = {}
    for key, file in members.items():
        with Image.open(file) as image:
            sizes[key] = image.size
    document = _document(record, sizes)
    arcnames = {"scan.png": "textures/basecolor.png", "normal.png": "textures/normal.png",
                "roughness.png": "textures/roughness.png"}  # fmt: skip
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(path, "w") as archive:
        entries = [(f"{fabric.name}.u3m", json.dumps(document, indent=1).encode("utf-8"))]
        entries += [(arcnames[key], file.read_bytes()) for key, file in members.items()]
        for arcname, data in entries:
            info = _U3maEntry(arcname, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # FAT (U3MA spec)
            archive.writestr(info, data)
    return path
