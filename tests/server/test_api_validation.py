"""POST /api/v1/samples and the sample look-ups: every bad input is a 4xx problem details body naming the problem.

The workers are off here: a valid sample stays queued.
"""

from __future__ import annotations

import json
import re

import pytest
from server_testkit import SKIRT

CUSTOM = SKIRT | {"size": "custom", "measurements": {"height": 165, "bust": 88, "waist": 70, "hip": 96}}


def post(client, body):
    return client.post("/api/v1/samples", json=body)


def detail_of(response) -> str:
    """The problem's detail, after checking the body is RFC 9457 problem details."""
    assert response.headers["content-type"] == "application/problem+json", response.headers
    body = response.json()
    assert body["status"] == response.status_code and body["title"] and body["type"].startswith("https://")
    assert isinstance(body["detail"], str), body
    return body["detail"]


def fields_of(response) -> list[str]:
    detail_of(response)
    return [error["field"] for error in response.json()["errors"]]


def test_valid_request_is_queued_with_links(client):
    response = post(client, SKIRT)
    assert response.status_code == 202, response.text
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{32}", body["id"])
    assert body["status"] == "queued"
    assert body["links"]["self"] == f"/api/v1/samples/{body['id']}"
    assert response.headers["location"] == body["links"]["self"]
    assert body["links"]["frames"] is None  # nothing to fetch before it is done
    assert (body["revision"], body["reused"], body["approval"]) == (1, False, "pending")

    status = client.get(body["links"]["self"])
    assert status.status_code == 200
    assert status.json() | {"created_at": None} == body | {"created_at": None}


def test_custom_size_with_measurements_and_parameters_is_queued(client):
    response = post(client, CUSTOM | {"parameters": {"length": 70, "flare": 12.5}})
    assert response.status_code == 202, response.text


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"pattern": "ball_gown"}, ["unknown pattern 'ball_gown'", "a_line_skirt"]),
        ({"pattern": "../../etc/passwd"}, ["unknown pattern"]),
        ({"fabric": "velvet_gold"}, ["unknown fabric 'velvet_gold'", "linen_red"]),
        ({"size": "XXXL"}, ["size 'XXXL'", "GB/T 1335"]),
        ({"size": "custom"}, ["custom", "measurements"]),
        ({"size": "160/84A", "measurements": CUSTOM["measurements"]}, ["not both"]),
        ({"parameters": {"length": 500}}, ["'length'", "500", "outside"]),
        ({"parameters": {"length": -3}}, ["'length'", "outside"]),
        ({"parameters": {"sleeves": 2}}, ["unknown parameter 'sleeves'"]),
    ],
)
def test_bad_request_names_the_problem(client, change, words):
    response = post(client, SKIRT | change)
    assert response.status_code == 422, response.text
    detail = detail_of(response)
    for word in words:
        assert word in detail


@pytest.mark.parametrize(
    ("field", "value"),
    [("waist", -70), ("waist", 0), ("height", 500), ("height", 12), ("hip", 1e9), ("bust", 3)],
)
def test_impossible_measurements_name_the_field(client, field, value):
    body = CUSTOM | {"measurements": CUSTOM["measurements"] | {field: value}}
    response = post(client, body)
    assert response.status_code == 422, response.text
    assert f"'{field}'" in detail_of(response)


def test_nothing_is_queued_for_a_bad_request(client):
    post(client, SKIRT | {"fabric": "velvet_gold"})
    assert client.get("/healthz").json()["queued"] == 0


def test_unknown_fabric_names_the_field(client):
    response = post(client, SKIRT | {"fabric": "velvet_gold"})
    assert response.json()["field"] == "body.fabric"


@pytest.mark.parametrize("field", ["pattern", "size", "fabric"])
def test_a_lone_surrogate_in_any_string_is_a_422_naming_the_field(client, field):
    raw = json.dumps(SKIRT | {field: "a\ud800b"})  # JSON escapes it; Python's decoder lets it through
    assert "\\ud800" in raw
    response = client.post("/api/v1/samples", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert f"body.{field}" in fields_of(response)
    assert "surrogate" in detail_of(response)


def test_a_lone_surrogate_in_a_parameter_name_and_in_a_query_is_a_422(client):
    raw = json.dumps(SKIRT | {"parameters": {"\udfff": 1.0}})
    response = client.post("/api/v1/samples", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    response = client.get("/api/v1/samples", params={"client": "x"}, headers={})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["yes", 0, 1, "true", None, [], {}])
def test_allow_failed_drape_takes_only_true_or_false(client, value):
    response = post(client, SKIRT | {"allow_failed_drape": value})
    assert response.status_code == 422, response.text
    assert "body.allow_failed_drape" in fields_of(response)
    assert post(client, SKIRT | {"allow_failed_drape": True}).status_code == 202


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"pattern": "a_line_skirt",}', b"not json at all", b""],
)
def test_malformed_json_is_a_422_problem(client, raw):
    response = client.post("/api/v1/samples", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert fields_of(response)


def test_body_that_is_not_utf8_is_a_400_problem(client):
    response = client.post("/api/v1/samples", content=b'{"pattern": "a\xff"}', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "parsing the body" in detail_of(response)


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"pattern": 5}, ["body", "pattern"]),
        ({"size": None}, ["body", "size"]),
        ({"quality": "ultra"}, ["body", "quality"]),
        ({"gender": "robot"}, ["body", "gender"]),
        ({"measurements": {"height": "tall", "bust": 88, "waist": 70, "hip": 96}}, ["body", "measurements", "height"]),
        ({"measurements": {"height": 165, "bust": 88, "waist": "70", "hip": 96}}, ["body", "measurements", "waist"]),
        ({"measurements": {"height": 165, "bust": 88, "waist": True, "hip": 96}}, ["body", "measurements", "waist"]),
        ({"measurements": {"height": 165, "bust": 88, "waist": 70}}, ["body", "measurements", "hip"]),
        ({"parameters": {"length": "long"}}, ["body", "parameters", "length"]),
        ({"parameters": [1, 2]}, ["body", "parameters"]),
        ({"colour": "red"}, ["body", "colour"]),
    ],
)
def test_wrong_types_are_a_standard_422_naming_the_field(client, change, location):
    response = post(client, SKIRT | change)
    assert response.status_code == 422, response.text
    assert ".".join(location) in fields_of(response)


def test_missing_fields_and_non_object_bodies_are_422(client):
    assert post(client, {"pattern": "a_line_skirt"}).status_code == 422
    assert post(client, [SKIRT]).status_code == 422
    assert post(client, "a_line_skirt").status_code == 422
    assert client.post("/api/v1/samples").status_code == 422


def test_nan_and_infinity_are_rejected(client):
    raw = json.dumps(CUSTOM | {"measurements": CUSTOM["measurements"] | {"waist": float("nan")}})
    assert "NaN" in raw
    response = client.post("/api/v1/samples", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert "body.measurements.waist" in fields_of(response)
    raw = json.dumps(SKIRT | {"parameters": {"length": float("inf")}})
    response = client.post("/api/v1/samples", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert "body.parameters.length" in fields_of(response)


def test_bodies_over_64_kib_are_413(client):
    huge = SKIRT | {"parameters": {f"p{i}": 1.0 for i in range(10_000)}}
    raw = json.dumps(huge).encode()
    assert len(raw) > 64 * 1024
    response = client.post("/api/v1/samples", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 413

    def chunks():  # no Content-Length: the limit counts the bytes as they arrive
        for start in range(0, len(raw), 8192):
            yield raw[start:start + 8192]

    response = client.post("/api/v1/samples", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_unknown_sample_id_is_404(client):
    missing = "0" * 32
    for suffix in ("", "/files", "/frames/0", "/stills/0", "/animation", "/model.glb", "/pattern.svg",
                   "/pattern.pdf", "/manifest.json", "/revisions", "/shares", "/feedback"):
        response = client.get(f"/api/v1/samples/{missing}{suffix}")
        assert response.status_code == 404, suffix
        assert f"no sample with id '{missing}'" in detail_of(response)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/samples/not-a-sample-id",
        "/api/v1/samples/ABCDEF0123456789ABCDEF0123456789",  # upper case is not our id form
        "/api/v1/samples/..%2F..%2Fjobs.sqlite3",
        "/api/v1/samples/%2e%2e/model.glb",
        "/api/v1/samples/%2e%2e%2f%2e%2e%2fetc%2fpasswd/frames/0",
        "/api/v1/samples/..%5C..%5Cjobs.sqlite3/model.glb",
        "/api/v1/samples/" + "a" * 31 + "%00/frames",
        "/api/v1/samples/" + "a" * 32 + "%0A",  # a trailing newline must not pass as an id
        "/api/v1/samples/" + "a" * 5000,
    ],
)
def test_path_traversal_attempts_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404, response.text
    assert "sample" in detail_of(response) or detail_of(response) == "Not Found"  # ours, or no route


def test_files_of_a_queued_sample_are_409(client):
    sample_id = post(client, SKIRT).json()["id"]
    for suffix in ("/files", "/frames/0", "/stills/0", "/animation", "/model.glb", "/pattern.svg", "/pattern.dxf",
                   "/manifest.json"):
        response = client.get(f"/api/v1/samples/{sample_id}{suffix}")
        assert response.status_code == 409, suffix
        assert "not done yet" in detail_of(response)

