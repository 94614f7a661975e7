"""Every endpoint checks the role: each role can do exactly what it should, and another organisation sees nothing.

The expected permissions are written out here, by hand, independently of
server.auth's table; a route added without an entry here fails
``test_every_api_route_is_in_the_table``.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from server_testkit import SKIRT, finish_with_fake

ALL = {"designer", "sales", "admin"}
LIBRARY_SKIRT = Path(__file__).resolve().parents[2] / "patterns" / "a_line_skirt.toml"
D, S, A = {"designer"}, {"sales"}, {"admin"}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 90)).save(buffer, "PNG")
    return buffer.getvalue()


# (method, path, roles allowed, request keyword arguments)
TABLE = [
    ("GET", "/api/v1/patterns", ALL, {}),
    ("GET", "/api/v1/patterns/{pattern}/thumbnail.png", ALL, {"params": {"px": 64}}),
    ("GET", "/api/v1/patterns/{pattern}/nest.{fmt}", ALL, {"params": {"sizes": "160/84A"}}),
    ("GET", "/api/v1/fabrics", ALL, {}),
    ("GET", "/api/v1/sizes", ALL, {}),
    ("GET", "/api/v1/figures", ALL, {}),
    ("GET", "/api/v1/samples", ALL, {}),
    ("POST", "/api/v1/samples", D, {"json": SKIRT | {"fabric": "poplin_grey"}}),
    ("GET", "/api/v1/samples/{sample}", ALL, {}),
    ("GET", "/api/v1/samples/{sample}/revisions", ALL, {}),
    ("POST", "/api/v1/samples/{sample}/revisions", D, {"json": {"fabric": "denim_indigo"}}),
    ("GET", "/api/v1/samples/{sample}/files", ALL, {}),
    ("GET", "/api/v1/samples/{sample}/frames/{number}", ALL, {}),
    ("GET", "/api/v1/samples/{sample}/stills/{number}", ALL, {}),
    ("GET", "/api/v1/samples/{sample}/animation", ALL, {}),
    ("GET", "/api/v1/samples/{sample}/model.glb", ALL, {}),
    ("GET", "/api/v1/samples/{sample}/pattern.svg", ALL, {}),
    ("GET", "/api/v1/samples/{sample}/pattern.{fmt}", ALL, {}),
    ("GET", "/api/v1/samples/{sample}/manifest.json", ALL, {}),
    ("POST", "/api/v1/samples/{sample}/cancel", D, {}),
    ("POST", "/api/v1/samples/{sample}/shares", D, {"json": {}}),
    ("GET", "/api/v1/samples/{sample}/shares", D, {}),
    ("DELETE", "/api/v1/shares/{share}", D, {}),
    ("GET", "/api/v1/samples/{sample}/feedback", D | S, {}),
    ("POST", "/api/v1/samples/{sample}/quotes", S, {"json": {"sizes": [{"size": "160/84A", "quantity": 3}],
                                                             "fabric_price_per_m": 30}}),
    ("GET", "/api/v1/quotes/{quote}", S | A, {}),
    ("GET", "/api/v1/quotes/{quote}/quote.pdf", S | A, {}),
    ("POST", "/api/v1/inspirations", D, {"content": _png(), "headers": {"content-type": "image/png"}}),
    ("GET", "/api/v1/inspirations", D, {}),
    ("GET", "/api/v1/inspirations/{inspiration}/image", D, {}),
    ("GET", "/api/v1/users", A, {}),
    ("POST", "/api/v1/users", A, {"json": {"name": "newcomer", "role": "sales"}}),
    ("POST", "/api/v1/users/{user}/key", A, {}),
    ("DELETE", "/api/v1/users/{user}", A, {}),
    ("POST", "/api/v1/admin/retention", A, {}),
    ("GET", "/api/v1/fabrics/{name}", ALL, {}),
    ("GET", "/api/v1/fabrics/{name}/images/{which}.png", ALL, {}),
    ("GET", "/api/v1/fabrics/{name}/colorways/{colour}.png", ALL, {}),
    ("GET", "/api/v1/fabrics/{name}/export.u3ma", ALL, {}),
    # uploads sent empty: an allowed role gets past the role check to a 422 naming the missing field
    ("POST", "/api/v1/fabric-scans", D | A, {}),
    ("POST", "/api/v1/fabric-u3m", D | A, {}),
    ("POST", "/api/v1/fabric-prints", D | A, {}),
    ("POST", "/api/v1/palettes", D | A, {}),
    ("POST", "/api/v1/patterns", D | A, {}),
    ("GET", "/api/v1/patterns/uploads", ALL, {}),
    ("GET", "/api/v1/patterns/uploads/{upload}", ALL, {}),
    ("PUT", "/api/v1/samples/{sample}/style", D, {"json": {"parameters": {"length": {"min": 55, "max": 80}}}}),
    ("GET", "/api/v1/samples/{sample}/style", ALL, {}),
    ("GET", "/api/v1/samples/{sample}/proposals", D | S, {}),
    ("GET", "/api/v1/proposals/{proposal}", D | S, {}),
    ("GET", "/api/v1/proposals/{proposal}/before-after.png", D | S, {}),
    ("GET", "/api/v1/proposals/{proposal}/pattern-overlay.svg", D | S, {}),
    ("POST", "/api/v1/proposals/{proposal}/comments", D, {"json": {"text": "70 cm?"}}),
    ("POST", "/api/v1/proposals/{proposal}/accept", D, {}),
    ("DELETE", "/api/v1/samples/{sample}/style", D, {}),
    ("DELETE", "/api/v1/samples/{sample}", D, {}),
]
EMPTY_UPLOADS = {"/api/v1/fabric-scans", "/api/v1/fabric-u3m", "/api/v1/fabric-prints", "/api/v1/palettes",
                 "/api/v1/patterns"}


def _route_key(method: str, path: str) -> tuple[str, str]:
    import re

    return method, re.sub(r"\{[a-z_]+\}", "{}", path)


def test_every_api_route_is_in_the_table(client):
    paths = client.get("/openapi.json").json()["paths"]
    routes = {_route_key(m.upper(), p) for p, ops in paths.items() if p.startswith("/api/v1") for m in ops}
    table = {_route_key(m, p) for m, p, _, _ in TABLE}
    assert routes == table


@pytest.fixture
def world(client, keys):
    """A done sample, a share, a quote, an inspiration photo and a user to act on, all in org 'silk'."""
    sample = client.post("/api/v1/samples", json=SKIRT).json()["id"]
    finish_with_fake(client)
    share = client.post(f"/api/v1/samples/{sample}/shares", json={}).json()["id"]
    quote = client.post(f"/api/v1/samples/{sample}/quotes", headers=keys["sales"],
                        json={"sizes": [{"size": "160/84A", "quantity": 1}], "fabric_price_per_m": 30}).json()["id"]
    inspiration = client.post("/api/v1/inspirations", content=_png(), headers={"content-type": "image/png"}).json()
    victim = client.post("/api/v1/users", headers=keys["admin"], json={"name": "victim", "role": "sales"}).json()
    upload = client.post("/api/v1/patterns", files={"file": ("skirt.toml", LIBRARY_SKIRT.read_bytes())}).json()
    client.put(f"/api/v1/samples/{sample}/style", json={"fabrics": [{"fabric": "linen_red", "colorways": ["olive"]}]})
    token = client.post(f"/api/v1/samples/{sample}/shares", json={}).json()["url"].rsplit("/s/", 1)[1]
    proposal = client.post(f"/s/{token}/proposals", json={"colorway": "olive"}).json()["id"]
    finish_with_fake(client)
    return {"upload": upload["id"],"sample": sample, "share": share, "quote": quote, "inspiration": inspiration["id"],
            "proposal": proposal,
            "user": victim["user"]["id"], "pattern": "a_line_skirt", "fmt": "pdf", "number": 0,
            "name": "silk_charmeuse", "which": "base", "colour": "midnight"}


def _call(client, method, path, ids, headers, kwargs):
    url = path.format(**ids)
    extra = dict(kwargs)
    extra["headers"] = {**extra.get("headers", {}), **headers}
    return client.request(method, url, **extra)


def test_each_role_can_do_exactly_what_it_should(client, keys, world):
    for method, path, allowed, kwargs in TABLE:
        for role in ("sales", "admin", "designer"):  # the designer last: DELETE runs after the others tried
            response = _call(client, method, path, world, keys[role], kwargs)
            if role in allowed and method == "POST" and path in EMPTY_UPLOADS:
                assert response.status_code == 422, (role, method, path, response.text)
            elif role in allowed:
                assert response.status_code < 400 or response.status_code == 409, (role, method, path, response.text)
            else:
                assert response.status_code == 403, (role, method, path, response.status_code)
                assert role in response.json()["detail"]


def test_no_key_or_a_bad_key_is_401(client, world):
    for method, path, _, kwargs in TABLE:
        for headers in ({"Authorization": ""}, {"Authorization": "Bearer g3d_not-a-key"},
                        {"Authorization": "Basic dXNlcjpwYXNz"}):
            response = _call(client, method, path, world, headers, kwargs)
            assert response.status_code == 401, (method, path, headers)


def test_another_organisation_sees_nothing(client, keys, world):
    outsider = keys["outsider"]
    for method, path, _, kwargs in TABLE:
        if "{" not in path or "{pattern}" in path or "/fabrics/" in path:  # the shared catalogue
            continue
        response = _call(client, method, path, world, outsider, kwargs)
        assert response.status_code in (403, 404), (method, path, response.status_code)
        if "{sample}" in path:
            assert response.status_code == 404
    listing = client.get("/api/v1/samples", headers=outsider).json()
    assert listing == {"total": 0, "items": []}
    assert client.get("/api/v1/inspirations", headers=outsider).json() == []
    assert client.get(f"/api/v1/samples/{world['sample']}", headers=outsider).json()["detail"] == (
        client.get("/api/v1/samples/" + "f" * 32, headers=outsider).json()["detail"].replace("f" * 32,
                                                                                           world["sample"]))


def test_a_disabled_user_or_rotated_key_stops_working(client, keys):
    created = client.post("/api/v1/users", headers=keys["admin"], json={"name": "temp", "role": "designer"}).json()
    key = {"Authorization": f"Bearer {created['api_key']}"}
    assert client.get("/api/v1/samples", headers=key).status_code == 200
    rotated = client.post(f"/api/v1/users/{created['user']['id']}/key", headers=keys["admin"]).json()
    assert client.get("/api/v1/samples", headers=key).status_code == 401
    key = {"Authorization": f"Bearer {rotated['api_key']}"}
    assert client.get("/api/v1/samples", headers=key).status_code == 200
    assert client.delete(f"/api/v1/users/{created['user']['id']}", headers=keys["admin"]).status_code == 204
    assert client.get("/api/v1/samples", headers=key).status_code == 401


def test_keys_are_stored_hashed(client, keys):
    from sqlalchemy import select

    from server.db.tables import users

    key = keys["designer"]["Authorization"].split()[1]
    with client.app.state.db.read() as conn:
        stored = [tuple(row) for row in conn.execute(select(users))]
    assert key not in repr(stored) and key[10:] not in repr(stored)
