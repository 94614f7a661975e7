"""Custom measurements through the API: where the waist was taken, the control heights, the arm length,
the thigh girth and the inside leg, validated."""

from __future__ import annotations

import pytest
from server_testkit import SKIRT

BODY = {"height": 165, "bust": 88, "waist": 70, "hip": 96}


def _custom(measurements: dict) -> dict:
    return SKIRT | {"size": "custom", "measurements": measurements}


def test_waist_landmark_and_control_heights_reach_the_request(client):
    body = BODY | {"waist_at": "navel", "waist_height": 101.5, "cervical_height": 140.0, "arm_length": 53.0,
                   "thigh": 57.0, "inside_leg": 77.0}
    created = client.post("/api/v1/samples", json=_custom(body))
    assert created.status_code == 202, created.text
    assert created.json()["request"]["measurements"] == {k: float(v) if k != "waist_at" else v
                                                         for k, v in body.items()}
    from server.schemas import SampleCreate

    m = SampleCreate.model_validate(created.json()["request"]).to_request().measurements
    assert (m.waist_at, m.waist_height_cm, m.cervical_height_cm) == ("navel", 101.5, 140.0)
    assert (m.arm_length_cm, m.thigh_cm, m.inside_leg_cm) == (53.0, 57.0, 77.0)


def test_omitted_landmarks_default_to_the_natural_waist_and_predicted_heights(client):
    created = client.post("/api/v1/samples", json=_custom(BODY)).json()
    assert created["request"]["measurements"] | {} == BODY | {"waist_at": "natural", "waist_height": None,
                                                              "cervical_height": None, "arm_length": None,
                                                              "thigh": None, "inside_leg": None}


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"waist_height": 140}, "body.measurements.waist_height", "outside the range for a body 165 cm tall"),
    ({"waist_height": 60}, "body.measurements.waist_height", "leave it out to have it predicted"),
    ({"cervical_height": 170}, "body.measurements.cervical_height", "outside the range"),
    ({"waist_at": "hip"}, "body.measurements.waist_at", "natural"),
    ({"waist_height": "101"}, "body.measurements.waist_height", "number"),
    ({"arm_length": 80}, "body.measurements.arm_length", "shoulder point to wrist"),
    ({"thigh": 30}, "body.measurements.thigh", "outside the range for a hip of 96 cm"),
    ({"inside_leg": 100}, "body.measurements.inside_leg", "floor to crotch"),
])
def test_bad_landmarks_are_422_naming_the_field(client, change, field, message):
    response = client.post("/api/v1/samples", json=_custom(BODY | change))
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["field"] == field and message in problem["detail"], problem


def test_a_revision_can_give_the_control_heights(client):
    first = client.post("/api/v1/samples", json=_custom(BODY)).json()
    revised = client.post(f"/api/v1/samples/{first['id']}/revisions",
                          json={"measurements": BODY | {"waist_height": 100.0}})
    assert revised.status_code == 202 and revised.json()["request"]["measurements"]["waist_height"] == 100.0
    assert not revised.json()["reused"]  # another body: another computation
