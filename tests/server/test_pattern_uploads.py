"""POST /api/v1/patterns: an uploaded definition is size-limited, checked in full, never executed; samples use it.

Fast tests send good and bad files and check the problem each answer names.
The e2e tests take the real files in tests/data (a GarmentCode specification, a
DXF written from the library skirt with its sidecar, a TOML definition) through
the real worker code and the real pipeline at draft quality (2 cm cloth).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from server_testkit import finish_with_fake

from garment3d.patterns import evaluate, get_definition
from garment3d.patterns.formats import write_dxf
from garment3d.sizes import parse_size

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "patterns"
SKIRT_TOML = (ROOT / "patterns" / "a_line_skirt.toml").read_bytes()
SKIRT_SIDECAR = (DATA / "a_line_skirt_sidecar.toml").read_bytes()
FLARE = (DATA / "flare_skirt_specification.json").read_bytes()
GC_BODY_TOML = b"[body]\nheight = 172\nbust = 99.8\nwaist = 84.3\nhip = 103.5\n"
GC_MEAN_BODY = {"height": 172, "bust": 99.8, "waist": 84.3, "hip": 103.5}


@pytest.fixture(scope="module")
def skirt_dxf(tmp_path_factory) -> bytes:
    size = parse_size("160/84A")
    path = tmp_path_factory.mktemp("dxf") / "skirt.dxf"
    write_dxf(evaluate(get_definition("a_line_skirt"), size.measurements, size_label=size.label), path)
    return path.read_bytes()


def _upload(client, name: str, data: bytes, sidecar: bytes | None = None, **form):
    files = {"file": (name, data)}
    if sidecar is not None:
        files["sidecar"] = ("sidecar.toml", sidecar)
    return client.post("/api/v1/patterns", files=files, data=form)


def _problem(response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()["detail"]


# --------------------------------------------------------------------------- good uploads


def test_a_toml_definition_is_stored_and_listed_for_the_organisation(client, keys):
    created = _upload(client, "my skirt.toml", SKIRT_TOML)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["kind"] == "toml" and not body["fixed_size"] and body["name"] == "my_skirt.toml"
    assert set(body["pieces"]) == {"front", "back"}
    assert client.get(f"/api/v1/patterns/uploads/{body['id']}").json() == body
    assert [u["id"] for u in client.get("/api/v1/patterns/uploads", headers=keys["sales"]).json()] == [body["id"]]
    # another organisation sees nothing of it
    assert client.get("/api/v1/patterns/uploads", headers=keys["outsider"]).json() == []
    assert client.get(f"/api/v1/patterns/uploads/{body['id']}", headers=keys["outsider"]).status_code == 404


def test_uploads_and_their_samples_on_both_databases(any_db_client, skirt_dxf):
    client = any_db_client
    dxf = _upload(client, "skirt.dxf", skirt_dxf, SKIRT_SIDECAR).json()
    toml = _upload(client, "skirt.toml", SKIRT_TOML).json()
    assert [u["id"] for u in client.get("/api/v1/patterns/uploads").json()] == [toml["id"], dxf["id"]]
    assert client.get(f"/api/v1/patterns/uploads/{dxf['id']}").json()["pieces"] == dxf["pieces"]
    sample = client.post("/api/v1/samples", json={"pattern_upload": dxf["id"], "size": "160/84A",
                                                  "fabric": "linen_red"})
    assert sample.status_code == 202, sample.text
    assert client.get("/api/v1/samples", params={"pattern": "skirt"}).json()["total"] == 1


def test_a_garmentcode_specification_with_a_body_sidecar(client):
    body = _upload(client, "flare_skirt_specification.json", FLARE, GC_BODY_TOML).json()
    assert body["kind"] == "garmentcode" and body["fixed_size"] and body["sidecar"]
    assert body["body"] == {"height": 172.0, "bust": 99.8, "waist": 84.3, "hip": 103.5}


def test_a_dxf_with_its_sidecar(client, skirt_dxf):
    body = _upload(client, "skirt.dxf", skirt_dxf, SKIRT_SIDECAR).json()
    assert body["kind"] == "dxf" and body["fixed_size"] and set(body["pieces"]) == {"front", "back"}


def test_a_sample_names_the_upload_and_is_validated_at_once(client, keys):
    upload = _upload(client, "skirt.toml", SKIRT_TOML).json()["id"]
    ok = client.post("/api/v1/samples", json={"pattern_upload": upload, "size": "160/84A", "fabric": "linen_red",
                                              "parameters": {"length": 65}, "quality": "draft"})
    assert ok.status_code == 202, ok.text
    assert ok.json()["pattern"] == "skirt" and ok.json()["request"]["pattern_upload"] == upload
    bad_param = client.post("/api/v1/samples", json={"pattern_upload": upload, "size": "160/84A",
                                                     "fabric": "linen_red", "parameters": {"lenght": 65}})
    assert "lenght" in _problem(bad_param, 422)
    both = client.post("/api/v1/samples", json={"pattern": "a_line_skirt", "pattern_upload": upload,
                                                "size": "160/84A", "fabric": "linen_red"})
    assert "either 'pattern'" in _problem(both, 422)
    neither = client.post("/api/v1/samples", json={"size": "160/84A", "fabric": "linen_red"})
    assert "either 'pattern'" in _problem(neither, 422)
    theirs = client.post("/api/v1/samples", headers=keys["outsider"],
                         json={"pattern_upload": upload, "size": "160/84A", "fabric": "linen_red"})
    assert "no uploaded pattern" in _problem(theirs, 404)


def test_a_fixed_size_upload_is_sampled_on_the_body_its_sidecar_names(client):
    upload = _upload(client, "flare.json", FLARE, GC_BODY_TOML).json()["id"]
    ok = client.post("/api/v1/samples", json={"pattern_upload": upload, "size": "pattern", "fabric": "linen_red"})
    assert ok.status_code == 202, ok.text
    bare = _upload(client, "flare.json", FLARE).json()["id"]
    no_body = client.post("/api/v1/samples", json={"pattern_upload": bare, "size": "pattern", "fabric": "linen_red"})
    assert "nothing says which" in _problem(no_body, 422)
    custom = client.post("/api/v1/samples", json={"pattern_upload": bare, "size": "custom", "fabric": "linen_red",
                                                  "measurements": GC_MEAN_BODY})
    assert custom.status_code == 202, custom.text
    params = client.post("/api/v1/samples", json={"pattern_upload": bare, "size": "custom", "fabric": "linen_red",
                                                  "measurements": GC_MEAN_BODY, "parameters": {"length": 60}})
    assert "no style parameters" in _problem(params, 422)


def test_the_same_file_uploaded_twice_is_the_same_input(client):
    first = _upload(client, "a.toml", SKIRT_TOML).json()["id"]
    second = _upload(client, "b.toml", SKIRT_TOML).json()["id"]
    request = {"size": "160/84A", "fabric": "linen_red", "quality": "draft"}
    one = client.post("/api/v1/samples", json=request | {"pattern_upload": first}).json()
    two = client.post("/api/v1/samples", json=request | {"pattern_upload": second}).json()
    assert first != second and not one["reused"] and two["reused"]


def test_a_revision_can_switch_between_an_upload_and_a_library_pattern(client):
    upload = _upload(client, "skirt.toml", SKIRT_TOML).json()["id"]
    library = client.post("/api/v1/samples", json={"pattern": "a_line_skirt", "size": "160/84A",
                                                   "fabric": "linen_red"}).json()
    revised = client.post(f"/api/v1/samples/{library['id']}/revisions", json={"pattern_upload": upload})
    assert revised.status_code == 202, revised.text
    assert revised.json()["request"]["pattern"] is None and revised.json()["request"]["pattern_upload"] == upload
    back = client.post(f"/api/v1/samples/{revised.json()['id']}/revisions", json={"pattern": "a_line_skirt"})
    assert back.status_code == 202 and back.json()["request"]["pattern_upload"] is None


# --------------------------------------------------------------------------- bad uploads


def test_a_toml_syntax_error_names_the_line(client):
    broken = SKIRT_TOML.replace(b"[", b"[[", 1)
    detail = _problem(_upload(client, "broken.toml", broken), 422)
    assert "broken.toml" in detail and "line" in detail


def test_a_formula_is_data_never_executed(client, tmp_path):
    marker = tmp_path / "executed"
    call = f"__import__('os').system('touch {marker}')"
    evil = SKIRT_TOML.replace(b'quarter = ["(waist + waist_ease) / 4", "0"]',
                              f'quarter = ["{call}", "0"]'.encode())
    assert evil != SKIRT_TOML
    detail = _problem(_upload(client, "evil.toml", evil), 422)
    assert "quarter" in detail, detail  # the offending point is named
    assert not marker.exists()


def test_a_dxf_without_a_sidecar_is_refused(client, skirt_dxf):
    response = _upload(client, "skirt.dxf", skirt_dxf)
    assert "no seams or placement; give a sidecar" in _problem(response, 422)
    assert response.json()["field"] == "body.file"


def test_a_sidecar_seam_on_an_unknown_edge_is_named(client, skirt_dxf):
    sidecar = SKIRT_SIDECAR.replace(b'a = "front.e2"', b'a = "front.e42"')
    response = _upload(client, "skirt.dxf", skirt_dxf, sidecar)
    assert "unknown edge front.e42" in _problem(response, 422)
    assert response.json()["field"] == "body.sidecar"


def test_a_garmentcode_stitch_to_an_unknown_edge_is_named(client):
    spec = json.loads(FLARE)
    stitch = spec["pattern"]["stitches"][0]
    stitch[0]["edge"] = 99
    detail = _problem(_upload(client, "flare.json", json.dumps(spec).encode()), 422)
    assert "99" in detail, detail


def test_too_large_is_413_and_nothing_is_stored(tmp_path):
    from fastapi.testclient import TestClient

    from server.accounts import add_user
    from server.app import create_app
    from server.settings import ServerSettings

    settings = ServerSettings(data_dir=tmp_path / "data", run_worker=False, max_upload_bytes=4096)
    with TestClient(create_app(settings)) as small:
        key = add_user(small.app.state.db, "d", "designer", "silk")[1]
        small.headers["Authorization"] = f"Bearer {key}"
        padded = SKIRT_TOML + b"\n" + b"# padding\n" * 1000
        assert len(padded) > 4096
        detail = _problem(_upload(small, "big.toml", padded), 413)
        assert "4096" in detail
        huge = _upload(small, "huge.toml", b"#" * (settings.max_upload_bytes + 200 * 1024))
        assert huge.status_code == 413
        assert small.get("/api/v1/patterns/uploads").json() == []


@pytest.mark.parametrize(("name", "data", "form", "message"), [
    ("skirt.pdf", b"%PDF-1.4", {}, "cannot tell the pattern format"),
    ("skirt.toml", b"", {}, "the pattern file is empty"),
    ("skirt.json", b"{not json", {}, "skirt.json"),
    ("skirt.json", b"[1, 2, 3]", {}, "skirt.json"),
    ("skirt.dxf", b"0\nSECTION\n2\nENTITIES\n0\nENDSEC\n0\nEOF\n", {}, "skirt.dxf"),
    ("skirt.toml", SKIRT_TOML, {"units": "mm"}, "units apply to DXF files only"),
    ("skirt.toml", SKIRT_TOML, {"kind": "python"}, "body.kind"),
])
def test_bad_files_get_a_422_naming_the_problem(client, name, data, form, message):
    response = _upload(client, name, data, **form)
    assert response.status_code == 422, response.text
    body = response.json()
    assert message in body["detail"] or message == body.get("field"), body


def test_sales_may_not_upload(client, keys):
    response = client.post("/api/v1/patterns", files={"file": ("s.toml", SKIRT_TOML)}, headers=keys["sales"])
    assert response.status_code == 403


def test_a_sample_of_an_upload_runs_through_the_worker_code(client):
    """The worker writes the stored upload into its scratch folder and hands the pipeline that file."""
    seen = {}

    def runner(request, out_dir, progress):
        from server_testkit import write_fake_sample

        seen["file"] = request.pattern_file.read_bytes()
        seen["sidecar"] = request.sidecar.read_bytes() if request.sidecar else None
        write_fake_sample(out_dir, request)

    upload = _upload(client, "flare.json", FLARE, GC_BODY_TOML).json()["id"]
    client.post("/api/v1/samples", json={"pattern_upload": upload, "size": "pattern", "fabric": "linen_red"})
    assert finish_with_fake(client, runner) == ["done"]
    assert seen == {"file": FLARE, "sidecar": GC_BODY_TOML}


# --------------------------------------------------------------------------- real drapes


def _draft_runner():
    """The real pipeline, writing frames, stills and the GLB only (the drape is the point here)."""
    from garment3d.pipeline import run_sample

    def runner(request, out_dir, progress):
        return run_sample(replace(request, outputs=("frames", "stills", "glb")), out_dir, progress)

    return runner


def _sample_and_run(client, upload_id: str, **request) -> dict:
    created = client.post("/api/v1/samples", json={"pattern_upload": upload_id, "fabric": "linen_red",
                                                   "quality": "draft"} | request)
    assert created.status_code == 202, created.text
    assert finish_with_fake(client, _draft_runner()) == ["done"], client.get(created.json()["links"]["self"]).json()
    sample = client.get(created.json()["links"]["self"]).json()
    assert sample["status"] == "done"
    manifest = client.get(sample["links"]["manifest"]).json()
    assert client.get(sample["links"]["model"]).content[:4] == b"glTF"
    assert "/" not in manifest["request"]["pattern_file"]  # no server path in what the client downloads
    return sample | {"manifest": manifest}


@pytest.mark.e2e
def test_uploaded_toml_reaches_a_passing_drape(client):
    upload = _upload(client, "skirt.toml", SKIRT_TOML).json()["id"]
    sample = _sample_and_run(client, upload, size="160/84A", parameters={"length": 62})
    assert sample["report"]["drape"]["passed"] and sample["report"]["parameters"]["length"] == 62


@pytest.mark.e2e
def test_uploaded_dxf_with_sidecar_reaches_a_passing_drape(client, skirt_dxf):
    upload = _upload(client, "skirt.dxf", skirt_dxf, SKIRT_SIDECAR).json()["id"]
    sample = _sample_and_run(client, upload, size="160/84A")
    assert sample["report"]["drape"]["passed"], sample["report"]["drape"]


@pytest.mark.e2e
def test_uploaded_garmentcode_reaches_a_drape_on_its_own_body(client):
    """GarmentCode's fixed-size skirt on its mean body; issue 12's strain gates are known to fail for it
    (tests/test_pipeline_imports.py), so the job is allowed to finish and the other gates are checked."""
    upload = _upload(client, "flare_skirt_specification.json", FLARE, GC_BODY_TOML).json()["id"]
    sample = _sample_and_run(client, upload, size="pattern", allow_failed_drape=True)
    drape = sample["report"]["drape"]
    assert sample["report"]["size"]["target_cm"]["bust_cm"] == 99.8
    strain_gates = {"max_stretch", "p99_stretch", "max_compression", "p99_compression"}
    assert set(drape["gates_failed"]) <= strain_gates, drape["gate_problems"]


def test_retention_keeps_uploaded_files_and_still_purges_the_rest(client, keys, skirt_dxf):
    from dataclasses import replace as with_

    toml = _upload(client, "skirt.toml", SKIRT_TOML).json()["id"]  # no sidecar: a NULL sidecar_sha256 row
    dxf = _upload(client, "skirt.dxf", skirt_dxf, SKIRT_SIDECAR).json()["id"]
    doomed = client.post("/api/v1/samples", json={"pattern": "a_line_skirt", "size": "160/84A",
                                                  "fabric": "linen_red"}).json()["id"]
    finish_with_fake(client)
    client.delete(f"/api/v1/samples/{doomed}")
    drapes = client.app.state.settings.drapes_dir / "ab"
    drapes.mkdir(parents=True)
    (drapes / ("ab" + "0" * 62 + ".drape.pickle")).write_bytes(b"old")
    client.app.state.settings = with_(client.app.state.settings, retention_days=0)
    purged = client.post("/api/v1/admin/retention", headers=keys["admin"]).json()
    assert purged["samples_purged"] == 1 and purged["artifacts_deleted"] >= 5 and purged["drapes_deleted"] == 1
    for upload in (toml, dxf):
        ok = client.post("/api/v1/samples", json={"pattern_upload": upload, "size": "160/84A", "fabric": "linen_red"})
        assert ok.status_code == 202, ok.text  # its stored files are still there
