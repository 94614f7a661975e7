"""The catalogue (patterns, fabrics, sizes) in both languages, health, readiness, OpenAPI and /docs."""

from __future__ import annotations


def test_patterns_list_parameters_with_ranges(client):
    response = client.get("/api/v1/patterns")
    assert response.status_code == 200
    skirt = {p["name"]: p for p in response.json()}["a_line_skirt"]
    assert skirt["label"] == "A-line skirt"
    qipao = {p["name"]: p for p in response.json()}["qipao"]
    assert qipao["label_zh"] == "旗袍"
    length = {p["name"]: p for p in skirt["parameters"]}["length"]
    assert length["unit"] == "cm" and length["minimum"] < length["default"] < length["maximum"]


def test_fabrics_are_listed_without_file_paths(client):
    response = client.get("/api/v1/fabrics")
    assert response.status_code == 200
    fabrics = {f["name"]: f for f in response.json()}
    assert {"linen_red", "poplin_grey"} <= set(fabrics)
    assert fabrics["linen_red"]["display_name"] and fabrics["silk_charmeuse"]["display_name_zh"] == "翠绿真丝素绉缎"
    urls = [f["swatch_url"] for f in fabrics.values()] + [c["swatch_url"] for f in fabrics.values()
                                                          for c in f["colorways"]]
    assert all(url.startswith("/api/v1/fabrics/") for url in urls)  # swatch images are API URLs, not files
    text = response.text
    for url in urls:
        text = text.replace(url, "")
    assert ".png" not in text and "fabric.toml" not in text and "/fabrics/" not in text


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "workers": "disabled", "queued": 0, "running": 0,
                               "backend": "embedded", "storage": "local", "fleet": [], "queue_depth": {"jobs": 0},
                               "checked_at": None}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready", "database": "sqlite"}


def test_size_chart(client):
    chart = client.get("/api/v1/sizes", params={"system": "international", "gender": "male"}).json()
    assert chart["system"] == "international" and {s["label"] for s in chart["sizes"]} >= {"M-M", "M-L"}


def test_catalog_is_parsed_once_until_the_library_changes(client, monkeypatch):
    import server.routes.catalog as catalog

    first = client.get("/api/v1/patterns").json()
    calls = []
    monkeypatch.setattr(catalog, "get_definition", lambda name: calls.append(name))
    assert client.get("/api/v1/patterns").json() == first and calls == []


def test_openapi_schema_documents_problem_details(client):
    schema = client.get("/openapi.json").json()
    assert "/api/v1/samples/{sample_id}/model.glb" in schema["paths"]
    assert "/api/v1/samples/{sample_id}/stills/{number}" in schema["paths"]
    get = schema["paths"]["/api/v1/samples/{sample_id}"]["get"]
    assert "application/problem+json" in get["responses"]["422"]["content"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]


def test_docs_load_nothing_from_a_cdn(client):
    from server.web.docs import SWAGGER

    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "https://" not in page
    assert "/openapi.json" in page
    if (SWAGGER / "swagger-ui-bundle.js").is_file():  # vendored by make web
        assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
        assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
