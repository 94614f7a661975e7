"""Every artifact of a done sample is downloadable, named, typed and served from the content-addressed store.

Samples are finished by the real worker code (:func:`server.jobs.worker.run_one`: claim,
store each file atomically, complete) running the fake pipeline in this process.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from server_testkit import FAKE_FRAMES, GLB_BYTES, SKIRT, finish_with_fake

from garment3d.errors import SimulationError


@pytest.fixture
def done(client):
    sample_id = client.post("/api/v1/samples", json=SKIRT).json()["id"]
    assert finish_with_fake(client) == ["done"]
    return client, sample_id


def test_done_sample_has_report_and_links(done):
    client, sample_id = done
    body = client.get(f"/api/v1/samples/{sample_id}").json()
    assert body["status"] == "done" and body["progress"] == 1.0
    assert body["report"]["size"]["label"] == "160/84A"
    assert body["links"]["files"] == f"/api/v1/samples/{sample_id}/files"
    for name, url in body["links"].items():  # every link leads somewhere
        assert client.get(url).status_code == 200, (name, url)


def test_every_file_is_listed_and_downloads_with_a_name(done):
    client, sample_id = done
    files = client.get(f"/api/v1/samples/{sample_id}/files").json()
    assert len(files["frames"]) == FAKE_FRAMES and len(files["stills"]) == 1
    urls = files["frames"] + files["stills"] + [files[k] for k in
                                                ("animation", "model", "pattern_svg", "pattern_pdf", "pattern_dxf",
                                                 "manifest")]
    expected = {".png": "image/png", ".webp": "image/webp", ".glb": "model/gltf-binary", ".svg": "image/svg+xml",
                ".pdf": "application/pdf", ".dxf": "application/dxf", ".json": "application/json"}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.text)
        disposition = response.headers["content-disposition"]
        assert "filename=" in disposition and 'filename="0"' not in disposition, (url, disposition)
        suffix = "." + disposition.rsplit(".", 1)[1].rstrip('"')
        assert response.headers["content-type"].split(";")[0] == expected[suffix], (url, response.headers)
        assert response.content
    assert client.get(files["model"]).content == GLB_BYTES
    assert client.get(files["pattern_pdf"]).content.startswith(b"%PDF")
    assert b"SECTION" in client.get(files["pattern_dxf"]).content
    manifest = json.loads(client.get(files["manifest"]).content)
    assert manifest["files"]["frames"][0] == "frame_000.png"


def test_files_are_stored_once_by_content(done):
    client, sample_id = done
    frame = client.get(f"/api/v1/samples/{sample_id}/frames/1").content
    digest = hashlib.sha256(frame).hexdigest()
    stored = client.app.state.artifacts.path(digest)
    assert stored is not None and stored.read_bytes() == frame
    assert stored.name == digest
    leftovers = [p for p in client.app.state.settings.artifacts_dir.rglob(".incoming-*")]
    assert leftovers == []


@pytest.mark.parametrize("number", [FAKE_FRAMES, 99, -1])
def test_unknown_frame_numbers_are_404(done, number):
    client, sample_id = done
    assert client.get(f"/api/v1/samples/{sample_id}/frames/{number}").status_code == 404
    assert client.get(f"/api/v1/samples/{sample_id}/stills/{number}").status_code == 404


def test_frame_number_must_be_an_integer_and_never_a_path(done):
    client, sample_id = done
    response = client.get(f"/api/v1/samples/{sample_id}/frames/first")
    assert response.status_code == 422 and response.json()["field"] == "path.number"
    assert client.get(f"/api/v1/samples/{sample_id}/frames/..%2F..%2Fgarment3d.sqlite3").status_code in (404, 422)
    assert client.get(f"/api/v1/samples/{sample_id}/pattern.exe").status_code == 404


def test_a_file_the_database_does_not_list_is_never_served(client):
    def lying_pipeline(request, out_dir, progress):
        from server_testkit import write_fake_sample

        write_fake_sample(out_dir)
        summary = json.loads((out_dir / "sample.json").read_text())
        summary["files"]["glb"] = "../../garment3d.sqlite3"
        (out_dir / "sample.json").write_text(json.dumps(summary))

    sample_id = client.post("/api/v1/samples", json=SKIRT).json()["id"]
    assert finish_with_fake(client, lying_pipeline) == ["failed"]  # the worker refuses to store outside its folder
    body = client.get(f"/api/v1/samples/{sample_id}").json()
    assert body["status"] == "failed"
    assert client.get(f"/api/v1/samples/{sample_id}/model.glb").status_code == 404


def test_pipeline_error_fails_the_sample_with_its_message(client):
    def failing(request, out_dir, progress):
        raise SimulationError("drape failed its quality gates: largest seam gap 9.0 mm (limit 3 mm)")

    sample_id = client.post("/api/v1/samples", json=SKIRT).json()["id"]
    assert finish_with_fake(client, failing) == ["failed"]
    body = client.get(f"/api/v1/samples/{sample_id}").json()
    assert body["status"] == "failed" and "largest seam gap 9.0 mm" in body["error"]
    assert client.get(f"/api/v1/samples/{sample_id}/model.glb").status_code == 404


def test_unexpected_error_fails_with_a_generic_message(client):
    def broken(request, out_dir, progress):
        raise KeyError("internal detail /secret/path")

    sample_id = client.post("/api/v1/samples", json=SKIRT).json()["id"]
    finish_with_fake(client, broken)
    body = client.get(f"/api/v1/samples/{sample_id}").json()
    assert body["status"] == "failed" and "/secret/path" not in body["error"] and "internal error" in body["error"]
