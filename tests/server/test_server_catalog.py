"""GET /api/patterns, GET /api/fabrics and GET /healthz."""

from __future__ import annotations


def test_patterns_list_parameters_with_ranges(client):
    response = client.get("/api/patterns")
    assert response.status_code == 200
    skirt = {p["name"]: p for p in response.json()}["a_line_skirt"]
    assert skirt["label"] == "A-line skirt"
    length = {p["name"]: p for p in skirt["parameters"]}["length"]
    assert length["unit"] == "cm" and length["minimum"] < length["default"] < length["maximum"]


def test_fabrics_are_listed_without_file_paths(client):
    response = client.get("/api/fabrics")
    assert response.status_code == 200
    fabrics = {f["name"]: f for f in response.json()}
    assert {"linen_red", "poplin_grey"} <= set(fabrics)
    assert fabrics["linen_red"]["display_name"]
    assert ".png" not in response.text and "fabric.toml" not in response.text


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "worker": "disabled", "queued": 0, "running": 0}


def test_openapi_schema_is_served(client):
    schema = client.get("/openapi.json").json()
    assert "/api/samples/{sample_id}/model.glb" in schema["paths"]
