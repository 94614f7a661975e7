"""A sample through the worker with a fake pipeline: status, report, files, failures."""

from __future__ import annotations

import threading

import pytest
from server_testkit import FAKE_FRAMES, GLB_BYTES, SKIRT, fake_run_sample, make_client, wait_for_status, write_fake_sample

from garment3d.errors import SimulationError
from server.worker import INTERNAL_ERROR_MESSAGE


@pytest.fixture
def done(settings):
    """(client, sample id) of a finished fake sample."""
    with make_client(settings, fake_run_sample) as client:
        sample_id = client.post("/api/samples", json=SKIRT).json()["id"]
        wait_for_status(client, f"/api/samples/{sample_id}", {"done", "failed"})
        yield client, sample_id


def test_done_sample_has_report_and_links(done):
    client, sample_id = done
    body = client.get(f"/api/samples/{sample_id}").json()
    assert body["status"] == "done", body
    assert body["progress"] == 1.0 and body["stage"] == "render" and body["error"] is None
    assert body["started_at"] and body["finished_at"]
    base = f"/api/samples/{sample_id}"
    assert body["links"] == {
        "self": base, "frames": f"{base}/frames", "animation": f"{base}/animation",
        "model": f"{base}/model.glb", "pattern": f"{base}/pattern.svg",
    }
    report = body["report"]
    assert report["size"]["label"] == "160/84A"
    assert report["drape"]["passed"] is True
    assert set(report) == {"size", "body_measured_cm", "fabric", "parameters", "drape", "timings_s"}
    assert "server-data" not in str(body)  # no file-system paths leak


def test_frames_are_listed_and_served(done):
    client, sample_id = done
    listing = client.get(f"/api/samples/{sample_id}/frames").json()
    assert listing["count"] == FAKE_FRAMES
    assert listing["frames"][1] == f"/api/samples/{sample_id}/frames/1"
    for url in listing["frames"]:
        frame = client.get(url)
        assert frame.status_code == 200
        assert frame.headers["content-type"] == "image/png"
        assert frame.content.startswith(b"\x89PNG\r\n\x1a\n")


@pytest.mark.parametrize("number", [FAKE_FRAMES, -1, 10**9])
def test_unknown_frame_numbers_are_404(done, number):
    client, sample_id = done
    response = client.get(f"/api/samples/{sample_id}/frames/{number}")
    assert response.status_code == 404
    assert f"no frame {number}" in response.json()["detail"]


def test_frame_number_must_be_an_integer(done):
    client, sample_id = done
    assert client.get(f"/api/samples/{sample_id}/frames/first").status_code == 422
    assert client.get(f"/api/samples/{sample_id}/frames/..%2F..%2Fjobs.sqlite3").status_code == 404


def test_animation_model_and_pattern_are_served_with_their_types(done):
    client, sample_id = done
    animation = client.get(f"/api/samples/{sample_id}/animation")
    assert animation.headers["content-type"] == "image/webp"
    assert animation.content[:4] == b"RIFF" and animation.content[8:12] == b"WEBP"
    model = client.get(f"/api/samples/{sample_id}/model.glb")
    assert model.headers["content-type"] == "model/gltf-binary"
    assert model.content == GLB_BYTES
    pattern = client.get(f"/api/samples/{sample_id}/pattern.svg")
    assert pattern.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in pattern.headers["content-security-policy"]
    assert pattern.text.startswith("<svg")


def test_files_named_outside_the_job_folder_are_never_served(settings):
    """Even if a summary named a file elsewhere, only plain names inside the job folder are served."""

    def runner(request, out_dir, progress):
        write_fake_sample(out_dir, files={
            "pattern_svg": "../jobs.sqlite3", "frames": ["/etc/passwd", "../../x.png", "frame_000.png"],
            "animation": "..", "glb": "missing.glb",
        })

    with make_client(settings, runner) as client:
        sample_id = client.post("/api/samples", json=SKIRT).json()["id"]
        assert wait_for_status(client, f"/api/samples/{sample_id}", {"done", "failed"})["status"] == "done"
        base = f"/api/samples/{sample_id}"
        for path in (f"{base}/pattern.svg", f"{base}/frames/0", f"{base}/frames/1", f"{base}/animation",
                     f"{base}/model.glb"):
            assert client.get(path).status_code == 404, path
        assert client.get(f"{base}/frames/2").status_code == 200


def test_running_sample_reports_stage_and_progress(settings):
    in_drape = threading.Event()
    release = threading.Event()

    def runner(request, out_dir, progress):
        for stage in ("pattern", "body", "mesh"):
            progress(stage, 0.0)
            progress(stage, 1.0)
        progress("drape", 0.0)
        progress("drape", 0.5)
        in_drape.set()
        release.wait(10)
        fake_run_sample(request, out_dir, progress)

    with make_client(settings, runner) as client:
        sample_id = client.post("/api/samples", json=SKIRT).json()["id"]
        assert in_drape.wait(10)
        body = client.get(f"/api/samples/{sample_id}").json()
        assert (body["status"], body["stage"]) == ("running", "drape")
        assert body["progress"] == pytest.approx(3.5 / 5)
        response = client.get(f"/api/samples/{sample_id}/model.glb")
        assert response.status_code == 409
        assert "stage drape, 70% done" in response.json()["detail"]
        release.set()
        assert wait_for_status(client, f"/api/samples/{sample_id}", {"done", "failed"})["status"] == "done"


def test_pipeline_error_fails_the_sample_with_its_message(settings):
    def runner(request, out_dir, progress):
        progress("drape", 0.0)
        raise SimulationError("drape failed its quality gates: largest seam gap 9.0 mm (limit 3 mm)")

    with make_client(settings, runner) as client:
        sample_id = client.post("/api/samples", json=SKIRT).json()["id"]
        body = wait_for_status(client, f"/api/samples/{sample_id}", {"done", "failed"})
        assert body["status"] == "failed"
        assert body["error"] == "drape failed its quality gates: largest seam gap 9.0 mm (limit 3 mm)"
        assert body["report"] is None and body["links"]["model"] is None
        response = client.get(f"/api/samples/{sample_id}/model.glb")
        assert response.status_code == 404
        assert "failed" in response.json()["detail"]


def test_unexpected_error_fails_the_sample_with_a_generic_message(settings, caplog):
    def runner(request, out_dir, progress):
        raise ZeroDivisionError("secret internals at /srv/garment3d")

    with make_client(settings, runner) as client:
        sample_id = client.post("/api/samples", json=SKIRT).json()["id"]
        body = wait_for_status(client, f"/api/samples/{sample_id}", {"done", "failed"})
    assert body["status"] == "failed"
    assert body["error"] == INTERNAL_ERROR_MESSAGE
    assert "secret" not in str(body)
    assert any("ZeroDivisionError" in (r.exc_text or "") for r in caplog.records)  # the traceback is logged


def test_worker_survives_failures_and_runs_the_next_sample(settings):
    calls = []

    def runner(request, out_dir, progress):
        calls.append(request.quality)
        if len(calls) == 1:
            raise RuntimeError("first one breaks")
        fake_run_sample(request, out_dir, progress)

    with make_client(settings, runner) as client:
        first = client.post("/api/samples", json=SKIRT).json()["id"]
        second = client.post("/api/samples", json=SKIRT | {"quality": "standard"}).json()["id"]
        assert wait_for_status(client, f"/api/samples/{first}", {"done", "failed"})["status"] == "failed"
        assert wait_for_status(client, f"/api/samples/{second}", {"done", "failed"})["status"] == "done"
        assert client.get("/healthz").json() == {"status": "ok", "worker": "running", "queued": 0, "running": 0}
    assert calls == ["draft", "standard"]


def test_the_pipeline_gets_the_request_as_posted(settings):
    seen = []

    def runner(request, out_dir, progress):
        seen.append((request, out_dir))
        fake_run_sample(request, out_dir, progress)

    body = SKIRT | {"size": "custom", "gender": "male", "parameters": {"length": 70, "flare": 5},
                    "measurements": {"height": 180, "bust": 96, "waist": 82, "hip": 98}}
    with make_client(settings, runner) as client:
        sample_id = client.post("/api/samples", json=body).json()["id"]
        wait_for_status(client, f"/api/samples/{sample_id}", {"done", "failed"})
    request, out_dir = seen[0]
    assert out_dir == settings.data_dir / sample_id
    assert (request.pattern, request.size, request.fabric, request.gender, request.quality) == (
        "a_line_skirt", "custom", "linen_red", "male", "draft")
    assert request.parameters == (("flare", 5.0), ("length", 70.0))
    m = request.measurements
    assert (m.height_cm, m.bust_cm, m.waist_cm, m.hip_cm, m.gender) == (180, 96, 82, 98, "male")
