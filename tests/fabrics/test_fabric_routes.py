"""The fabric routes through the real app (mounted under /api/v1, a designer's key): sheets, images, imports,
palettes, bad uploads, and the role check (sales may read, not import)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fabric_testkit import weave_image
from fastapi.testclient import TestClient
from PIL import Image

from server.app import create_app
from server.settings import ServerSettings


@pytest.fixture()
def client(fabrics_dir, tmp_path):
    from server.accounts import add_user

    # the JSON body limit stays at its default: uploads have their own (max_upload_bytes)
    settings = ServerSettings(data_dir=tmp_path / "server", run_worker=False, max_upload_bytes=32 * 2**20)
    with TestClient(create_app(settings)) as test_client:
        db = test_client.app.state.db
        test_client.headers["Authorization"] = f"Bearer {add_user(db, 'dora', 'designer', 'silk')[1]}"
        test_client.sales_key = f"Bearer {add_user(db, 'sam', 'sales', 'silk')[1]}"
        yield test_client


def test_sales_may_read_a_fabric_but_not_import_one(client):
    sales = {"Authorization": client.sales_key}
    assert client.get("/api/v1/fabrics/silk_organza", headers=sales).status_code == 200
    refused = client.post("/api/v1/fabric-u3m", headers=sales, data={"name": "x"},
                          files={"file": ("x.u3m", b"{}", "application/json")})
    assert refused.status_code == 403 and "fabric:write" in refused.json()["detail"]
    assert client.get("/api/v1/fabrics/silk_organza", headers={"Authorization": ""}).status_code == 401


def _png(pixels: np.ndarray, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.rint(pixels * 255).astype(np.uint8)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_sheet_lists_properties_sources_and_urls(client):
    response = client.get("/api/v1/fabrics/silk_organza")
    assert response.status_code == 200
    sheet = response.json()
    assert sheet["opacity"] < 0.5 and sheet["currency"] == "EUR" and sheet["drape_coefficient_range"]
    assert sheet["images"]["scan.png"]["licence"].startswith("CC0")
    assert str(Path.cwd()) not in response.text  # no server paths leak
    image = client.get(sheet["image_urls"]["base"])
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    swatch = client.get(sheet["colorways"][0]["swatch_url"])
    assert swatch.status_code == 200 and swatch.headers["content-type"] == "image/png"


def test_unknown_fabric_and_image(client):
    assert client.get("/api/v1/fabrics/velvet").status_code == 422
    assert client.get("/api/v1/fabrics/silk_organza/images/height.png").status_code == 404


def test_scan_upload_registers_a_fabric(client):
    response = client.post("/api/v1/fabric-scans", files={"image": ("scan.png", _png(weave_image(128)), "image/png")},
                           data={"name": "uploaded_scan", "kind": "linen", "width_cm": "3"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["fabric"]["tile_cm"] == pytest.approx([3.0, 3.0])
    assert body["seam_after"]["seamless"]
    assert client.get("/api/v1/fabrics/uploaded_scan").status_code == 200


@pytest.mark.parametrize(
    "files, data, message",
    [
        ({"image": ("scan.png", _png(weave_image(64), "JPEG"), "image/png")}, {"width_cm": "3"}, "holds a JPEG"),
        ({"image": ("scan.png", b"\x89PNG\r\n\x1a\nbroken", "image/png")}, {"width_cm": "3"}, "scan"),
        ({"image": ("scan.png", _png(weave_image(64)), "image/png")}, {}, "physical size"),
        ({"image": ("scan.png", _png(weave_image(64)), "image/png")}, {"width_cm": "3", "crop": "1,2"}, "crop"),
    ],
)
def test_bad_scan_uploads_get_a_422_naming_the_problem(client, files, data, message):
    response = client.post("/api/v1/fabric-scans", files=files, data={"name": "bad_upload", "kind": "cotton", **data})
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_u3ma_export_and_upload_round_trip(client):
    archive = client.get("/api/v1/fabrics/silk_charmeuse/export.u3ma")
    assert archive.status_code == 200 and zipfile.is_zipfile(io.BytesIO(archive.content))
    response = client.post("/api/v1/fabric-u3m", files={"file": ("c.u3ma", archive.content, "application/zip")},
                           data={"name": "charmeuse_again"})
    assert response.status_code == 201, response.text
    original = client.get("/api/v1/fabrics/silk_charmeuse").json()
    again = response.json()
    for key in ("density_gsm", "bending_warp_unm", "sheen", "anisotropy", "tile_cm", "colorways", "price_per_m"):
        if key == "colorways":
            assert [c["hex"] for c in again[key]] == [c["hex"] for c in original[key]]
        else:
            assert again[key] == original[key], key


def test_zip_slip_upload_is_refused(client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("../../x.u3m", json.dumps({"schema": "1.1"}))
    response = client.post("/api/v1/fabric-u3m", files={"file": ("x.u3ma", buffer.getvalue(), "application/zip")},
                           data={"name": "slip"})
    assert response.status_code == 422 and "unsafe path" in response.json()["detail"]


def test_print_and_palette(client):
    motif = np.zeros((60, 60, 3))
    motif[10:50, 10:50] = (0.8, 0.2, 0.3)
    response = client.post("/api/v1/fabric-prints", files={"motif": ("m.png", _png(motif), "image/png")},
                           data={"name": "rose_print", "base": "silk_habotai", "width_cm": "10", "height_cm": "10",
                                 "mode": "half_drop"})
    assert response.status_code == 201, response.text
    assert response.json()["print_repeat"] == {"size_cm": [10.0, 10.0], "mode": "half_drop"}
    palette = client.post("/api/v1/palettes", files={"photo": ("p.png", _png(motif), "image/png")},
                          data={"fabric": "silk_habotai"})
    assert palette.status_code == 200
    colours = palette.json()
    assert [c["name"] for c in colours] == ["black", "crimson"]  # a two-colour motif: its two colours
    assert client.get(colours[0]["swatch_url"]).status_code == 200
    saved = client.post("/api/v1/palettes", files={"photo": ("p.png", _png(motif), "image/png")},
                        data={"fabric": "silk_organza", "save": "true"})
    assert saved.status_code == 200
    names = [c["name"] for c in client.get("/api/v1/fabrics/silk_organza").json()["colorways"]]
    assert {c["name"] for c in saved.json()} <= set(names)
    assert client.post("/api/v1/palettes", files={"photo": ("p.png", _png(motif), "image/png")},
                       data={"save": "true"}).status_code == 422
