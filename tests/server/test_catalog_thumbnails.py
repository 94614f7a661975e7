"""GET /api/v1/patterns/{name}/thumbnail.png and GET /api/v1/patterns/{name}/nest.{svg,dxf,pdf}."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from garment3d.patterns import list_patterns

NS = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("GARMENT3D_CACHE_DIR", str(folder))
    return folder


def test_catalog_links_every_pattern_to_its_thumbnail(client):
    patterns = client.get("/api/v1/patterns").json()
    assert sorted(p["name"] for p in patterns) == list_patterns()
    for pattern in patterns:
        assert pattern["thumbnail_url"] == f"/api/v1/patterns/{pattern['name']}/thumbnail.png"
        response = client.get(pattern["thumbnail_url"])
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/png"
        with Image.open(io.BytesIO(response.content)) as image:
            assert image.format == "PNG" and image.size == (256, 256)


def test_thumbnail_is_cached_on_disk_and_revalidates(client, cache_dir):
    first = client.get("/api/v1/patterns/a_line_skirt/thumbnail.png")
    assert list((cache_dir / "thumbnails").glob("a_line_skirt-*.png"))
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    again = client.get("/api/v1/patterns/a_line_skirt/thumbnail.png", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    small = client.get("/api/v1/patterns/a_line_skirt/thumbnail.png", params={"px": 64})
    assert small.headers["etag"] != etag
    with Image.open(io.BytesIO(small.content)) as image:
        assert image.size == (64, 64)


def test_unknown_pattern_thumbnail_is_404_naming_the_known_ones(client):
    response = client.get("/api/v1/patterns/ball_gown/thumbnail.png")
    assert response.status_code == 404
    detail = response.json()["detail"]
    assert "unknown pattern 'ball_gown'" in detail and "a_line_skirt" in detail


@pytest.mark.parametrize("px", [0, 4096, "big"])
def test_absurd_thumbnail_size_is_422(client, px):
    assert client.get("/api/v1/patterns/a_line_skirt/thumbnail.png", params={"px": px}).status_code == 422


def test_nest_svg_overlays_the_sizes(client):
    response = client.get("/api/v1/patterns/a_line_skirt/nest.svg",
                          params={"sizes": "155/80A,160/84A,W-L", "param": ["length=70"]})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.headers["content-disposition"].startswith("attachment; filename=\"a_line_skirt-nest-")
    root = ET.fromstring(response.content)
    legend = [e.get("data-size") for e in root.findall(".//svg:g[@class='legend-entry']", NS)]
    assert legend == ["155/80A", "160/84A", "W-L"]


@pytest.mark.parametrize(
    "fmt, media, magic", [("dxf", "application/dxf", b"  0\nSECTION"), ("pdf", "application/pdf", b"%PDF")]
)
def test_nest_dxf_and_pdf(client, fmt, media, magic):
    response = client.get(f"/api/v1/patterns/a_line_skirt/nest.{fmt}", params={"sizes": "M,L", "gender": "male"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media
    assert response.content.startswith(magic)


@pytest.mark.parametrize(
    "url, params, status, words",
    [
        ("/api/v1/patterns/ball_gown/nest.svg", {"sizes": "160/84A"}, 404, "unknown pattern 'ball_gown'"),
        ("/api/v1/patterns/a_line_skirt/nest.png", {"sizes": "160/84A"}, 404, "no nest format 'png'"),
        ("/api/v1/patterns/a_line_skirt/nest.svg", {"sizes": "160/84A,XXXL"}, 422, "size 'XXXL'"),
        ("/api/v1/patterns/a_line_skirt/nest.svg", {"sizes": "S", "param": "length"}, 422, "NAME=NUMBER"),
        ("/api/v1/patterns/a_line_skirt/nest.svg", {"sizes": "S", "param": "length=500"}, 422, "'length' = 500"),
        ("/api/v1/patterns/a_line_skirt/nest.svg", {"sizes": "S", "reference": "armpit"}, 422, "grading reference"),
    ],
)
def test_bad_nest_requests_name_the_problem(client, url, params, status, words):
    response = client.get(url, params=params)
    assert response.status_code == status
    assert words in response.json()["detail"]
    assert response.headers["content-type"] == "application/problem+json"
