"""U3M / U3MA: the official files, a round trip through U3MA, and hostile archives."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fabric_testkit import save, weave_image

from garment3d.errors import InvalidFabricError
from garment3d.fabric.images import read_image
from garment3d.fabric.properties import load_record
from garment3d.fabric.u3m import MAX_ENTRY_BYTES, browzwear_physics, export_u3ma, import_u3m, read_u3m_package

U3M_DATA = Path(__file__).resolve().parents[1] / "data" / "u3m"


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _example_with_textures(tmp_path: Path) -> Path:
    """The official 1.0 example with the textures it names written beside it (our own images)."""
    folder = tmp_path / "example"
    (folder / "textures").mkdir(parents=True)
    (folder / "Example_1.0.u3m").write_bytes((U3M_DATA / "Example_1.0.u3m").read_bytes())
    save(weave_image(200), folder / "textures" / "Example_0.9_BASE.jpg", format="JPEG", quality=95)
    save(np.full((200, 200, 3), (0.5, 0.5, 1.0)), folder / "textures" / "Example_0.9_NRM.jpg", format="JPEG")
    save(np.full((200, 200, 3), 0.8), folder / "textures" / "Example_0.9_ROUGH.jpg", format="JPEG")
    return folder / "Example_1.0.u3m"


@pytest.mark.parametrize("name", ["silk_brocade", "silk_organza", "denim_indigo"])
def test_u3ma_round_trip_gives_the_same_fabric(fabrics_dir, tmp_path, name):
    record = load_record(name)
    archive = export_u3ma(record, tmp_path / f"{name}.u3ma")
    back = import_u3m(archive, f"{name}_back")
    paths = {f: getattr(back.fabric, f) for f in ("texture_path", "normal_path", "roughness_path")}
    assert back.fabric == dataclasses.replace(record.fabric, name=f"{name}_back", **paths)
    assert back.sources == record.sources and back.drape_range == record.drape_range
    assert back.kind == record.kind
    for field in paths:
        a = read_image(getattr(record.fabric, field), "original").pixels
        b = read_image(getattr(back.fabric, field), "round trip").pixels
        assert np.array_equal(a, b), field


def test_export_follows_the_u3ma_container_rules(fabrics_dir, tmp_path):
    archive = export_u3ma(load_record("silk_charmeuse"), tmp_path / "c.u3ma")
    with zipfile.ZipFile(archive) as z:
        infos = z.infolist()
        document = json.loads(z.read("silk_charmeuse.u3m"))
    assert all(i.flag_bits & 0x800 and i.compress_type in (0, 8) and i.external_attr == 0 for i in infos)
    assert document["schema"] == "1.1"
    image = document["material"]["front"]["basecolor"]["texture"]["image"]
    assert image["width"] == pytest.approx(10.0)  # millimetres: the 1 cm tile
    assert document["material"]["physics"]["weight"] == pytest.approx(82.5)


def test_official_example_reports_its_missing_textures(fabrics_dir):
    with pytest.raises(InvalidFabricError, match="basecolor texture 'textures/Example_0.9_BASE.jpg' is missing"):
        import_u3m(U3M_DATA / "Example_1.0.u3m", "example")


def test_official_example_with_its_textures(fabrics_dir, tmp_path):
    record = import_u3m(_example_with_textures(tmp_path), "example_ok", kind="cotton")
    # 200 px at 1005 dpi
    assert record.fabric.tile_cm == pytest.approx((200 / 1005 * 2.54,) * 2)
    assert record.fabric.opacity == 0.0 or record.fabric.opacity <= 1.0
    assert np.allclose(read_image(record.fabric.roughness_path, "r").pixels, 0.8, atol=0.01)


def test_browzwear_physics_block_maps_to_engine_units():
    values = browzwear_physics(json.loads((U3M_DATA / "physics_example.json").read_text()), "physics")
    assert values["density_gsm"] == pytest.approx(300.0)
    assert values["thickness_mm"] == pytest.approx(0.202, abs=1e-3)
    assert values["bending_warp_unm"] == pytest.approx(1.59, abs=0.01)  # 15.9 dyn cm
    assert values["shear_n_per_m"] == pytest.approx(30.34, abs=0.05)


def test_u3ma_with_physics_file(fabrics_dir, tmp_path):
    document = json.loads((U3M_DATA / "Example_1.0.u3m").read_text())
    document["schema"] = "1.1"
    document["material"]["physics"] = {"thickness": 0.5, "weight": 180, "devices": {"fab": "physics.json"}}
    base = io.BytesIO()
    from PIL import Image

    Image.fromarray((weave_image(100) * 255).astype(np.uint8)).save(base, format="JPEG")
    front = document["material"]["front"]
    for key in ("normal", "roughness", "metalness", "alpha"):
        front[key]["texture"] = None
    archive = _zip({"m.u3m": json.dumps(document).encode(), "textures/Example_0.9_BASE.jpg": base.getvalue(),
                    "physics.json": (U3M_DATA / "physics_example.json").read_bytes()})
    record = import_u3m(archive, "with_physics", file_name="m.u3ma")
    assert record.fabric.density_gsm == pytest.approx(300.0)  # the FAB physics file wins over the summary
    assert record.fabric.bending_warp_unm == pytest.approx(1.59, abs=0.01)


@pytest.mark.parametrize(
    "entries, message",
    [
        ({"../evil.u3m": b"{}"}, "unsafe path '../evil.u3m'"),
        ({"/etc/passwd.u3m": b"{}"}, "unsafe path"),
        ({"a.u3m": b"{}", "b.u3m": b"{}"}, "exactly one .u3m"),
        ({"a.u3m": b"not json"}, "neither a U3MA zip nor U3M JSON"),
        ({"a.u3m": json.dumps({"schema": "9.9", "material": {}}).encode()}, r"unknown U3M schema version '9.9'"),
        ({"a.u3m": json.dumps({"schema": "1.1"}).encode()}, "no 'material'"),
        ({"a.u3m": json.dumps({"schema": "1.1", "material": {"front": None}}).encode()}, "no front, back or side"),
    ],
)
def test_hostile_or_malformed_archives(fabrics_dir, entries, message):
    with pytest.raises(InvalidFabricError, match=message):
        import_u3m(_zip(entries), "hostile", file_name="x.u3ma")
    assert not (fabrics_dir / "hostile").exists()


def test_zip_bomb_is_refused_without_inflating_it(fabrics_dir):
    bomb = _zip({"a.u3m": b"{}", "textures/big.png": b"\x00" * (MAX_ENTRY_BYTES + 1)})
    assert len(bomb) < 200_000
    with pytest.raises(InvalidFabricError, match="zip bomb"):
        read_u3m_package(bomb, "bomb.u3ma")


def test_zip_bomb_with_a_lying_header(fabrics_dir):
    """An entry whose header claims a small size: the inflated bytes are counted, not the claim."""
    honest = _zip({"a.u3m": b"{}", "t.png": b"\x00" * (8 * 2**20)})
    lying = bytearray(honest)
    # patch the uncompressed size in the central directory and the local header of t.png to 1000 bytes
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (found := lying.find(signature, start)) >= 0:
            name_len = int.from_bytes(lying[found + (28 if signature == b"PK\x01\x02" else 26):][:2], "little")
            name_at = found + (46 if signature == b"PK\x01\x02" else 30)
            if bytes(lying[name_at:name_at + name_len]) == b"t.png":
                lying[found + offset: found + offset + 4] = (1000).to_bytes(4, "little")
            start = found + 4
    with pytest.raises(InvalidFabricError, match="zip bomb|cannot be unpacked"):
        read_u3m_package(bytes(lying), "liar.u3ma")


def test_damaged_zip(fabrics_dir):
    data = _zip({"a.u3m": b"{}"})
    with pytest.raises(InvalidFabricError, match="damaged zip|neither"):
        import_u3m(data[:-30], "damaged", file_name="x.u3ma")


def test_missing_texture_in_an_archive(fabrics_dir):
    document = json.loads((U3M_DATA / "Example_1.0.u3m").read_text())
    with pytest.raises(InvalidFabricError, match="is missing"):
        import_u3m(_zip({"m.u3m": json.dumps(document).encode()}), "no_textures", file_name="m.u3ma")


@pytest.mark.parametrize(
    "ours, message",
    [
        ({"display_name": {"nested": 1}}, "display_name must be text"),
        ({"density_gsm": "heavy"}, "density_gsm"),
        ({"tile_cm": [1, "x"]}, "tile_cm"),
        ({"sources": {"drape": 3}}, "sources is malformed"),
        ({"colorways": [{"name": "x", "hex": "red"}]}, "hex"),
        ({"density_gsm": 5000.0}, "density_gsm"),
    ],
)
def test_our_own_block_is_checked_like_any_input(fabrics_dir, tmp_path, ours, message):
    archive = export_u3ma(load_record("silk_habotai"), tmp_path / "h.u3ma")
    with zipfile.ZipFile(archive) as z:
        files = {i.filename: z.read(i.filename) for i in z.infolist()}
    document = json.loads(files["silk_habotai.u3m"])
    document["custom"]["garment3d"].update(ours)
    files["silk_habotai.u3m"] = json.dumps(document).encode()
    with pytest.raises(InvalidFabricError, match=message):
        import_u3m(_zip(files), "tampered", file_name="h.u3ma")
    assert not (fabrics_dir / "tampered").exists()


@pytest.mark.parametrize("name", ["silk_charmeuse", "silk_organza", "technical_knit"])
def test_export_validates_against_the_official_u3m_schema(fabrics_dir, tmp_path, name):
    """Checked by the U3M 1.1 JSON schema of vizoogmbh/u3m, not by our own reader."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((U3M_DATA / "u3m_1.1_schema.json").read_text())
    archive = export_u3ma(load_record(name), tmp_path / f"{name}.u3ma")
    with zipfile.ZipFile(archive) as z:
        document = json.loads(z.read(f"{name}.u3m"))
        names = set(z.namelist())
    errors = [f"{list(e.path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(document)]
    assert errors == []
    front = document["material"]["front"]
    assert {front[k]["texture"]["image"]["path"] for k in ("basecolor", "normal", "roughness")} <= names


def test_the_schema_check_can_fail():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((U3M_DATA / "u3m_1.1_schema.json").read_text())
    bad = {"schema": "1.1", "material": {"name": ""}, "custom": None}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(bad))
