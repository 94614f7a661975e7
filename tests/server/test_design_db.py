"""The design database: revisions keep the history, identical requests reuse a result, search and filters,
inspiration photos with palettes; the same API on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import io
from dataclasses import replace

from PIL import Image
from server_testkit import SKIRT, finish_with_fake


def test_revisions_keep_the_history(any_db_client):
    client = any_db_client
    first = client.post("/api/v1/samples", json=SKIRT | {"tags": ["ss27"]}).json()
    second = client.post(f"/api/v1/samples/{first['id']}/revisions", json={"parameters": {"length": 70}}).json()
    third = client.post(f"/api/v1/samples/{second['id']}/revisions", json={"fabric": "poplin_grey",
                                                                           "tags": ["ss27", "grey"]}).json()
    assert (second["revision"], third["revision"]) == (2, 3)
    assert second["parent_id"] == first["id"] and third["family_id"] == first["id"]
    assert third["request"]["parameters"] == {"length": 70.0} and third["fabric"] == "poplin_grey"
    history = client.get(f"/api/v1/samples/{third['id']}/revisions").json()
    assert [s["revision"] for s in history["items"]] == [1, 2, 3]
    bad = client.post(f"/api/v1/samples/{first['id']}/revisions", json={"parameters": {"length": 900}})
    assert bad.status_code == 422 and "'length'" in bad.json()["detail"]


def test_identical_requests_are_served_from_the_existing_result(any_db_client):
    client = any_db_client
    ids = [client.post("/api/v1/samples", json=SKIRT).json() for _ in range(15)]
    assert [s["reused"] for s in ids] == [False] + [True] * 14
    assert finish_with_fake(client) == ["done"]  # one computation for fifteen requests
    assert {client.get(f"/api/v1/samples/{s['id']}").json()["status"] for s in ids} == {"done"}
    assert client.post("/api/v1/samples", json=SKIRT | {"quality": "standard"}).json()["reused"] is False


def test_search_and_filters(any_db_client):
    client = any_db_client
    client.post("/api/v1/samples", json=SKIRT | {"title": "Lotus skirt", "client": "Lotus Silk", "tags": ["ss27"]})
    client.post("/api/v1/samples", json=SKIRT | {"fabric": "silk_charmeuse", "client": "Peony", "tags": ["aw27"]})
    client.post("/api/v1/samples", json=SKIRT | {"pattern": "pencil_skirt", "size": "165/88A"})
    finish_with_fake(client)

    def total(**params):
        return client.get("/api/v1/samples", params=params).json()["total"]

    assert total() == 3
    assert total(fabric="silk_charmeuse") == 1 and total(pattern="pencil_skirt") == 1
    assert total(size="165/88A") == 1 and total(tag="ss27") == 1 and total(client="Peony") == 1
    assert total(q="lotus") == 1 and total(status="done") == 3 and total(approval="pending") == 3
    assert total(status="queued") == 0
    page = client.get("/api/v1/samples", params={"limit": 2, "offset": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 1
    assert client.get("/api/v1/samples", params={"limit": 0}).status_code == 422


def test_delete_hides_the_sample_and_retention_purges_its_files(any_db_client):
    from server.accounts import add_user

    client = any_db_client
    sample = client.post("/api/v1/samples", json=SKIRT).json()["id"]
    finish_with_fake(client)
    frame = client.get(f"/api/v1/samples/{sample}/frames/0").content
    assert client.delete(f"/api/v1/samples/{sample}").status_code == 204
    assert client.get(f"/api/v1/samples/{sample}").status_code == 404
    admin = add_user(client.app.state.db, "a", "admin", "silk")[1]
    client.app.state.settings = replace(client.app.state.settings, retention_days=0)
    purged = client.post("/api/v1/admin/retention", headers={"Authorization": f"Bearer {admin}"}).json()
    assert purged["samples_purged"] == 1 and purged["artifacts_deleted"] >= 5
    import hashlib

    assert client.app.state.artifacts.path(hashlib.sha256(frame).hexdigest()) is None


def _jpeg(colour) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (40, 20), colour)
    image.paste((250, 250, 240), (0, 0, 10, 20))
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def test_inspiration_photos_with_palettes_beside_samples(any_db_client):
    client = any_db_client
    sample = client.post("/api/v1/samples", json=SKIRT).json()["id"]
    up = client.post("/api/v1/inspirations", params={"sample_id": sample, "title": "西湖荷花"},
                     content=_jpeg((20, 110, 80)), headers={"content-type": "image/jpeg"})
    assert up.status_code == 201, up.text
    photo = up.json()
    first = photo["palette"][0]
    r, g, b = (int(first[i:i + 2], 16) for i in (1, 3, 5))
    assert g > r + 40 and g > b  # the green that covers most of the photo comes first
    assert client.get(photo["url"]).content[:2] == b"\xff\xd8"
    assert [p["id"] for p in client.get("/api/v1/inspirations", params={"sample_id": sample}).json()] == [photo["id"]]


def test_bad_uploads(any_db_client):
    client = any_db_client
    not_image = client.post("/api/v1/inspirations", content=b"GIF89a" + b"\0" * 20,
                            headers={"content-type": "image/png"})
    assert not_image.status_code == 422
    wrong_type = client.post("/api/v1/inspirations", content=b"x", headers={"content-type": "text/plain"})
    assert wrong_type.status_code == 422 and wrong_type.json()["field"] == "header.content-type"
    huge = client.post("/api/v1/inspirations", content=b"\0" * (11 * 1024 * 1024),
                       headers={"content-type": "image/png"})
    assert huge.status_code == 413
    other = client.post("/api/v1/inspirations", params={"sample_id": "0" * 32}, content=_jpeg((1, 2, 3)),
                        headers={"content-type": "image/jpeg"})
    assert other.status_code == 404
