"""Customisation within the designer's guardrails: publishing a style, the link's controls, clients' proposals
(refused outside the guardrails, rate-limited per link), the designer's side-by-side view, accept and comment,
and own measurements kept from the link. The fake pipeline computes samples in milliseconds."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from server_testkit import SKIRT, finish_with_fake

from server.app import create_app

GUARDRAILS = {
    "parameters": {"length": {"min": 55, "max": 80, "step": 1},
                   "flare": {"choices": {"straight": 4, "A-line": 14, "full": 24}}},
    "fabrics": [{"fabric": "linen_red", "colorways": ["red", "natural", "olive"]}],
    "sizes": ["155/80A", "160/84A"],
}
ANONYMOUS = {"Authorization": ""}


def _published(client: TestClient, guardrails=GUARDRAILS) -> tuple[str, str]:
    """A done sample published as a style, and a share link's token."""
    sample = client.post("/api/v1/samples", json=SKIRT | {"title": "Summer skirt", "client": "Lotus"}).json()["id"]
    finish_with_fake(client)
    answer = client.put(f"/api/v1/samples/{sample}/style", json=guardrails)
    assert answer.status_code == 200, answer.text
    url = client.post(f"/api/v1/samples/{sample}/shares", json={}).json()["url"]
    return sample, url.rsplit("/s/", 1)[1]


def _propose(client, token, status=202, **body):
    answer = client.post(f"/s/{token}/proposals", json=body, headers=ANONYMOUS)
    assert answer.status_code == status, answer.text
    return answer.json()


@pytest.fixture
def published(client):
    return _published(client)


def test_publishing_checks_the_guardrails_against_the_pattern(client, published):
    sample, _ = published
    style = client.get(f"/api/v1/samples/{sample}/style").json()
    assert style["sample_id"] == sample and style["guardrails"]["parameters"]["length"] == {"min": 55, "max": 80,
                                                                                             "step": 1}
    for guardrails, field in (
            ({"parameters": {"length": {"min": 55, "max": 130}}}, "body.parameters.length.max"),
            ({"parameters": {"sleeve": {"min": 1, "max": 2}}}, "body.parameters.sleeve"),
            ({"parameters": {"flare": {"choices": {"huge": 40}}}}, "body.parameters.flare.choices.huge"),
            ({"fabrics": [{"fabric": "linen_red", "colorways": ["blue"]}]}, "body.fabrics.0.colorways.0"),
            ({"sizes": ["enormous"]}, "body.sizes.0"),
            ({"own_measurements": "yes"}, "body.own_measurements"),
            ({"parameters": {"length": [55, 80]}}, "body.parameters.length")):
        answer = client.put(f"/api/v1/samples/{sample}/style", json=guardrails)
        assert answer.status_code == 422 and answer.json()["field"] == field, (guardrails, answer.text)
        assert answer.json()["detail"].startswith(field) or answer.json()["errors"], answer.text
    assert client.get(f"/api/v1/samples/{sample}/style").json() == style  # a refused update changes nothing


def test_the_link_offers_only_what_the_guardrails_allow(client, published):
    sample, token = published
    page = client.get(f"/s/{token}?lang=en", headers=ANONYMOUS).text
    assert 'id="customise"' in page and "/static/customise.js" in page
    slider = re.search(r'<input type="range" id="param-length"[^>]*>', page).group(0)
    assert 'min="55"' in slider and 'max="80"' in slider and 'value="60"' in slider
    flare = re.search(r'data-param="flare">.*?</div></div>', page).group(0)
    assert re.findall(r">([^<>]+)</button>", flare) == ["straight", "A-line", "full"]
    assert 'data-value="14" aria-pressed="true"' in flare  # the designed flare is the A-line choice
    assert re.findall(r'data-colorway="([^"]*)"', page) == ["", "red", "natural", "olive"]  # designed: own colour
    assert re.findall(r'data-size="([^"]+)"', page) == ["155/80A", "160/84A"]
    assert "param-hip_ease" not in page and "measurements" not in re.search(
        r'<section class="customise".*?</section>', page, re.S).group(0)
    # a link of a family with no published style offers nothing to change
    other = client.post("/api/v1/samples", json=SKIRT | {"fabric": "poplin_grey"}).json()["id"]
    finish_with_fake(client)
    plain = client.post(f"/api/v1/samples/{other}/shares", json={}).json()["url"].rsplit("/s/", 1)[1]
    assert 'id="customise"' not in client.get(f"/s/{plain}").text
    assert client.post(f"/s/{plain}/proposals", json={"colorway": "red"}).status_code == 404


def test_each_change_is_a_new_revision_tagged_as_the_clients_proposal(client, published):
    sample, token = published
    colour = _propose(client, token, colorway="olive", author="Ms Lin")
    assert colour["kind"] == "look" and colour["status"] == "queued" and colour["frames"] == []
    assert sample not in str(colour)  # the link never learns a sample id
    finish_with_fake(client)
    ready = client.get(f"/s/{token}/proposals/{colour['id']}", headers=ANONYMOUS).json()
    assert ready["status"] == "done" and len(ready["frames"]) == 3 and ready["colorway"] == "olive"
    assert client.get(ready["frames"][0], headers=ANONYMOUS).headers["content-type"] == "image/png"
    assert client.get(ready["model"], headers=ANONYMOUS).content.startswith(b"glTF")
    assert _propose(client, token, 200, colorway="olive")["id"] == colour["id"]  # the same change again
    longer = _propose(client, token, parameters={"length": 72}, colorway="olive")
    assert longer["kind"] == "shape" and longer["parameters"] == {"length": 72}
    finish_with_fake(client)
    history = client.get(f"/api/v1/samples/{sample}/revisions").json()["items"]
    assert [s["revision"] for s in history] == [1, 2, 3]
    assert all("client-proposal" in s["tags"] and s["parent_id"] == sample for s in history[1:])
    assert history[2]["request"]["parameters"] == {"length": 72} and history[2]["request"]["colorway"] == "olive"
    page = client.get(f"/s/{token}?p={longer['id']}&lang=en", headers=ANONYMOUS).text
    assert f"/s/{token}/p/{longer['id']}/frames/0" in page and 'value="72"' in page
    # another link of the same sample cannot see this link's proposals
    other = client.post(f"/api/v1/samples/{sample}/shares", json={}).json()["url"].rsplit("/s/", 1)[1]
    assert client.get(f"/s/{other}/proposals/{longer['id']}").status_code == 404
    assert client.get(f"/s/{other}/p/{longer['id']}/frames/0").status_code == 404


@pytest.mark.parametrize("body, field, words", [
    ({"parameters": {"length": 95}}, "body.parameters.length",
     "95 cm is outside what the designer allows, 55 to 80 cm"),
    ({"parameters": {"length": 200}}, "body.parameters.length", "outside what the designer allows"),
    ({"parameters": {"flare": 17}}, "body.parameters.flare", "not one of the designer's choices"),
    ({"parameters": {"hip_ease": 8}}, "body.parameters.hip_ease", "does not let this change"),
    ({"parameters": {"pockets": 2}}, "body.parameters.pockets", "does not let this change"),
    ({"fabric": "silk_charmeuse"}, "body.fabric", "does not offer 'silk_charmeuse'"),
    ({"colorway": "purple"}, "body.colorway", "not 'purple'"),
    ({"size": "170/92A"}, "body.size", "does not offer size '170/92A'"),
    ({"measurements": {"height": 165, "bust": 88, "waist": 70, "hip": 96}}, "body.measurements", "chart sizes only"),
    ({"parameters": {"length": "long"}}, "body.parameters.length", ""),
    ({"quality": "standard"}, "body.quality", ""),  # nothing but the client's fields may be sent
])
def test_requests_outside_the_guardrails_are_refused_naming_the_field(client, published, body, field, words):
    _, token = published
    answer = client.post(f"/s/{token}/proposals", json=body, headers=ANONYMOUS)
    assert answer.status_code == 422 and answer.json()["field"] == field, answer.text
    assert words in answer.json()["detail"]
    assert client.get("/api/v1/samples").json()["total"] == 1  # nothing was queued


def test_each_link_is_rate_limited(tmp_path, keys):
    from server.accounts import add_user
    from server.settings import ServerSettings

    settings = ServerSettings(data_dir=tmp_path / "limited", run_worker=False, link_changes_per_hour=2)
    with TestClient(create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {add_user(client.app.state.db, 'd', 'designer', 'silk')[1]}"
        _, token = _published(client)
        _propose(client, token, colorway="olive")
        busy = client.post(f"/s/{token}/proposals", json={"colorway": "natural"})
        assert busy.status_code == 429 and "still being prepared" in busy.json()["detail"]
        assert int(busy.headers["Retry-After"]) >= 1
        finish_with_fake(client)
        _propose(client, token, colorway="natural")
        finish_with_fake(client)
        flood = client.post(f"/s/{token}/proposals", json={"colorway": "red"})
        assert flood.status_code == 429 and "2 changes in the last hour" in flood.json()["detail"]
        assert 3000 < int(flood.headers["Retry-After"]) <= 3600
        other = client.post(f"/api/v1/samples/{client.get('/api/v1/samples').json()['items'][-1]['id']}/shares",
                            json={}).json()["url"].rsplit("/s/", 1)[1]
        _propose(client, other, colorway="red")  # the limit is per link


def test_the_designer_sees_each_proposal_side_by_side_and_accepts_it(client, keys, published):
    from PIL import Image

    sample, token = published
    proposal = _propose(client, token, parameters={"length": 72, "flare": 24}, colorway="olive", author="Ms Lin")
    pending = client.post(f"/api/v1/proposals/{proposal['id']}/accept")
    assert pending.status_code == 409 and "once its sample is done" in pending.json()["detail"]
    finish_with_fake(client)
    assert client.post(f"/s/{token}/feedback?p={proposal['id']}", headers=ANONYMOUS,
                       json={"kind": "approve", "author": "Ms Lin"}).status_code == 201
    listed = client.get(f"/api/v1/samples/{sample}/proposals", headers=keys["sales"]).json()
    assert [p["id"] for p in listed] == [proposal["id"]]
    seen = listed[0]
    assert seen["client_approved"] and not seen["accepted"] and seen["author"] == "Ms Lin"
    assert [(c["field"], c["before"], c["after"]) for c in seen["changes"]] == [
        ("parameters.length", 60.0, 72.0), ("parameters.flare", 14.0, 24.0), ("colorway", None, "olive")]
    png = client.get(seen["links"]["before_after"])
    assert png.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(png.content)) as image:
        # the fake pipeline's 16 px front views, side by side with a white gap, a caption strip under them
        assert image.size == (16 + 12 + 16, 16 + 28) and image.getpixel((20, 2)) == (255, 255, 255)
        assert image.getpixel((2, 2)) == image.getpixel((30, 2)) == (0, 80, 120)
    svg = client.get(seen["links"]["pattern_overlay"])
    assert svg.headers["content-type"].startswith("image/svg+xml")
    moved = [float(cm) for cm in re.findall(r"moved up to ([\d.]+) cm", svg.text)]
    assert len(moved) == 2 and all(12 <= cm < 20 for cm in moved), moved  # hem 12 cm lower, 10 cm wider
    assert "default-src 'none'" in svg.headers["content-security-policy"]
    answer = client.post(seen["links"]["comments"], json={"text": "Lovely; 70 cm would sit better."})
    assert answer.status_code == 201
    assert client.post(seen["links"]["accept"], headers=keys["sales"]).status_code == 403
    accepted = client.post(seen["links"]["accept"]).json()
    assert accepted["accepted"] and accepted["current"]
    assert client.get(f"/api/v1/samples/{sample}/style").json()["sample_id"] == seen["sample_id"]
    assert "Designer: Lovely; 70 cm would sit better." in client.get(f"/s/{token}?p={proposal['id']}&lang=en").text
    client_view = client.get(f"/s/{token}/proposals/{proposal['id']}", headers=ANONYMOUS).json()
    assert client_view["accepted"] and [c["text"] for c in client_view["comments"]] == [
        "Lovely; 70 cm would sit better."]
    # clients now customise from the accepted revision: the same values are no change to it
    assert _propose(client, token, 200, parameters={"length": 72, "flare": 24}, colorway="olive")["id"] == \
        proposal["id"]
    assert client.get(f"/api/v1/proposals/{proposal['id']}", headers=keys["outsider"]).status_code == 404


def test_own_measurements_are_kept_with_the_proposal_for_the_organisation_only(client, keys):
    sample, token = _published(client, GUARDRAILS | {"own_measurements": True})
    page = client.get(f"/s/{token}?lang=en").text
    assert re.findall(r'<input type="number" name="(\w+)"', page) == ["height", "bust", "waist", "hip"]
    body = {"height": 166, "bust": 89.5, "waist": 71, "hip": 97.5}
    bad = client.post(f"/s/{token}/proposals", json={"measurements": body | {"bust": 300}})
    assert bad.status_code == 422 and bad.json()["field"] == "body.measurements.bust", bad.text
    mine = _propose(client, token, measurements=body)
    assert mine["own_measurements"] and mine["size"] == "custom" and "89.5" not in str(mine)
    finish_with_fake(client)
    # a colour change later keeps the measurements without the link ever seeing them again
    again = _propose(client, token, colorway="natural", size="custom")
    assert "89.5" not in client.get(f"/s/{token}?p={again['id']}").text
    seen = client.get(f"/api/v1/proposals/{again['id']}").json()
    assert seen["measurements"] == body | {"waist_at": "natural"}
    assert {c["field"] for c in seen["changes"]} >= {"size", "measurements.bust", "colorway"}
    assert client.get(f"/api/v1/samples/{seen['sample_id']}").json()["request"]["measurements"]["bust"] == 89.5
    assert client.get(f"/api/v1/proposals/{again['id']}", headers=keys["outsider"]).status_code == 404
    assert client.get(f"/api/v1/samples/{sample}/proposals", headers=keys["outsider"]).status_code == 404


def test_withdrawing_the_style_stops_customisation_and_retention_purges_proposals(client, keys, published):
    sample, token = published
    proposal = _propose(client, token, colorway="olive")
    finish_with_fake(client)
    assert client.delete(f"/api/v1/samples/{sample}/style").status_code == 204
    assert client.get(f"/api/v1/samples/{sample}/style").status_code == 404
    assert client.post(f"/s/{token}/proposals", json={"colorway": "red"}).status_code == 404
    assert 'id="customise"' not in client.get(f"/s/{token}").text
    assert len(client.get(f"/api/v1/samples/{sample}/proposals").json()) == 1  # made ones stay
    for sample_id in (sample, client.get(f"/api/v1/proposals/{proposal['id']}").json()["sample_id"]):
        assert client.delete(f"/api/v1/samples/{sample_id}").status_code == 204
    from server.routes.admin import run_retention

    state = client.app.state
    org = client.get("/api/v1/users", headers=keys["admin"]).json()  # the admin's organisation is 'silk'
    from server.accounts import list_users

    silk = next(u.org_id for u in list_users(state.db) if u.org_name == "silk")
    assert org and run_retention(state.db, state.artifacts, silk, 0).samples_purged == 2
    assert client.get(f"/api/v1/proposals/{proposal['id']}").status_code == 404


def test_the_whole_flow_on_each_database(settings, db_url):
    """Publish, propose, follow, accept: the style and proposal queries on SQLite and the real PostgreSQL."""
    from server.accounts import add_user

    with TestClient(create_app(replace(settings, database_url=db_url))) as client:
        client.headers["Authorization"] = f"Bearer {add_user(client.app.state.db, 'd', 'designer', 'silk')[1]}"
        sample, token = _published(client)
        proposal = _propose(client, token, parameters={"length": 70})
        finish_with_fake(client)
        seen = client.get(f"/api/v1/samples/{sample}/proposals").json()
        assert [p["status"] for p in seen] == ["done"] and seen[0]["kind"] == "shape"
        assert client.post(f"/api/v1/proposals/{proposal['id']}/accept").json()["current"] is True
