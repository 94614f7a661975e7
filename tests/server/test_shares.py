"""Share links: random hashed tokens, expiry, revocation, colorways, the viewer page, and feedback to the designer."""

from __future__ import annotations

import re

import pytest
from server_testkit import SKIRT, finish_with_fake


@pytest.fixture
def sample(client):
    sample_id = client.post("/api/v1/samples", json=SKIRT | {"title": "Summer skirt", "client": "Lotus"}).json()["id"]
    finish_with_fake(client)
    return sample_id


def _share(client, sample_id, **body):
    response = client.post(f"/api/v1/samples/{sample_id}/shares", json=body)
    assert response.status_code == 201, response.text
    share = response.json()
    token = share["url"].rsplit("/s/", 1)[1]
    return share, token


def test_token_is_long_random_and_stored_hashed(client, sample):
    from sqlalchemy import select

    from server.db.tables import shares

    share, token = _share(client, sample)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)  # 32 base64url characters: 192 bits
    _, other = _share(client, sample)
    assert other != token
    with client.app.state.db.read() as conn:
        stored = repr([tuple(r) for r in conn.execute(select(shares))])
    assert token not in stored and other not in stored
    listed = client.get(f"/api/v1/samples/{sample}/shares").json()
    assert len(listed) == 2 and all(s["url"] is None for s in listed)


def test_viewer_page_shows_the_sample_without_its_id_or_key(client, sample):
    share, token = _share(client, sample)
    client.headers.pop("Authorization")
    page = client.get(f"/s/{token}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert sample not in html and "A-line skirt" in html and 'lang="en"' in html
    assert "cdn" not in html.lower() and "https://" not in html  # nothing from other sites
    frames = re.findall(rf"/s/{token}/0/frames/\d+", html)
    assert len(set(frames)) == 3
    frame = client.get(frames[0])
    assert frame.status_code == 200 and frame.headers["content-type"] == "image/png"
    assert client.get(f"/s/{token}/0/stills/0").status_code == 200
    assert client.get(f"/s/{token}/0/model.glb").content.startswith(b"glTF")
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    # a share link opens nothing of the API
    assert client.get(f"/api/v1/samples/{sample}", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_chinese_viewer_by_browser_language_or_link(client, sample):
    _, token = _share(client, sample)
    zh = client.get(f"/s/{token}", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).text
    assert 'lang="zh-CN"' in zh and "A字裙" in zh and "确认通过" in zh
    assert 'lang="en"' in client.get(f"/s/{token}?lang=en", headers={"Accept-Language": "zh-CN"}).text
    _, zh_token = _share(client, sample, language="zh")
    assert "旗袍" not in client.get(f"/s/{zh_token}").text and "A字裙" in client.get(f"/s/{zh_token}").text


def test_revoked_expired_and_unknown_tokens(client, sample):
    share, token = _share(client, sample)
    assert client.delete(f"/api/v1/shares/{share['id']}").json()["revoked"] is True
    assert client.get(f"/s/{token}").status_code == 410
    assert client.get(f"/s/{token}/0/frames/0").status_code == 410
    assert client.post(f"/s/{token}/feedback", json={"kind": "approve"}).status_code == 410

    _, short = _share(client, sample, expires_in_days=0.00001)  # about a second
    import time

    time.sleep(1.2)
    assert client.get(f"/s/{short}").status_code == 410
    assert client.get("/s/" + "A" * 32).status_code == 404
    assert client.get("/s/../../etc/passwd").status_code == 404
    assert client.get("/s/%2e%2e%2fgarment3d.sqlite3").status_code == 404


def test_bad_share_requests_are_422(client, sample):
    for body, field in (({"expires_in_days": 0}, "body.expires_in_days"), ({"expires_in_days": "soon"},
                        "body.expires_in_days"), ({"colorways": ["nope"]}, "body.colorways.0"),
                        ({"language": "fr"}, "body.language")):
        response = client.post(f"/api/v1/samples/{sample}/shares", json=body)
        assert response.status_code == 422 and response.json()["field"] == field, (body, response.text)
    unrelated = client.post("/api/v1/samples", json=SKIRT | {"fabric": "poplin_grey"}).json()["id"]
    response = client.post(f"/api/v1/samples/{sample}/shares", json={"colorways": [unrelated]})
    assert response.status_code == 422 and "not a revision" in response.json()["detail"]


def test_colorways_are_revisions_and_limit_what_the_client_sees(client, sample):
    denim = client.post(f"/api/v1/samples/{sample}/revisions", json={"fabric": "denim_indigo"}).json()["id"]
    silk = client.post(f"/api/v1/samples/{sample}/revisions", json={"fabric": "silk_charmeuse"}).json()["id"]
    finish_with_fake(client)
    _, token = _share(client, sample, colorways=[denim])
    page = client.get(f"/s/{token}").text
    assert "Indigo denim" in page and "Jade silk charmeuse" not in page  # silk was not offered
    assert client.get(f"/s/{token}?c=1").status_code == 200
    assert client.get(f"/s/{token}/1/frames/0").status_code == 200
    assert client.get(f"/s/{token}/2/frames/0").status_code == 404  # no third colorway in this link
    del silk


def test_approval_and_comments_reach_the_designer(client, keys, sample):
    _, token = _share(client, sample)
    anonymous = {"Authorization": ""}
    comment = client.post(f"/s/{token}/feedback", headers=anonymous,
                          json={"kind": "comment", "author": "Ms Lin", "text": "裙长再短2厘米"})
    assert comment.status_code == 201
    assert client.post(f"/s/{token}/feedback", headers=anonymous, json={"kind": "approve", "author": "Ms Lin"}
                       ).status_code == 201
    assert client.post(f"/s/{token}/feedback", json={"kind": "delete everything"}).status_code == 422
    seen = client.get(f"/api/v1/samples/{sample}/feedback").json()
    assert [(f["kind"], f["author"], f["text"]) for f in seen] == [("comment", "Ms Lin", "裙长再短2厘米"),
                                                                   ("approve", "Ms Lin", "")]
    assert client.get(f"/api/v1/samples/{sample}").json()["approval"] == "approved"
    assert client.get("/api/v1/samples", params={"approval": "approved"}).json()["total"] == 1
    assert client.get(f"/api/v1/samples/{sample}/feedback", headers=keys["outsider"]).status_code == 404
