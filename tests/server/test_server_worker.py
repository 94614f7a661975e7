"""The worker on its own and at app startup: recovery of jobs a stopped process left running."""

from __future__ import annotations

import time

from server_testkit import SKIRT, fake_run_sample, make_client, wait_for_status

from server.store import JobStore
from server.worker import INTERRUPTED_MESSAGE, Worker


def wait_until(check, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_worker_recovers_running_jobs_and_runs_queued_ones(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    interrupted = store.create(SKIRT)
    store.claim_next()  # a previous process was running it when it stopped
    queued = store.create(SKIRT)

    worker = Worker(store, tmp_path, run=fake_run_sample, idle_wait_s=0.05)
    worker.start()
    try:
        assert (store.get(interrupted.id).status, store.get(interrupted.id).error) == ("failed", INTERRUPTED_MESSAGE)
        wait_until(lambda: store.get(queued.id).status == "done")
        assert worker.alive
    finally:
        worker.stop()
    assert not worker.alive
    assert (tmp_path / queued.id / "sample.json").is_file()
    assert not (tmp_path / interrupted.id).exists()


def test_idle_worker_picks_up_a_job_queued_later(tmp_path):
    store = JobStore(tmp_path / "jobs.sqlite3")
    worker = Worker(store, tmp_path, run=fake_run_sample, idle_wait_s=30)
    worker.start()
    try:
        job = store.create(SKIRT)
        worker.wake()
        wait_until(lambda: store.get(job.id).status == "done", timeout_s=5)
    finally:
        worker.stop()


def test_app_startup_marks_running_jobs_interrupted(settings):
    store = JobStore(settings.database_path)
    job = store.create(SKIRT)
    store.claim_next()
    with make_client(settings, fake_run_sample) as client:
        body = client.get(f"/api/samples/{job.id}").json()
        assert (body["status"], body["error"]) == ("failed", INTERRUPTED_MESSAGE)


def test_app_runs_jobs_queued_before_a_restart(settings, client):
    job_id = client.post("/api/samples", json=SKIRT).json()["id"]  # the worker is off in `client`
    assert client.get(f"/api/samples/{job_id}").json()["status"] == "queued"
    with make_client(settings, fake_run_sample) as restarted:
        assert wait_for_status(restarted, f"/api/samples/{job_id}", {"done", "failed"})["status"] == "done"


def test_healthz_is_503_when_the_worker_has_stopped(settings):
    with make_client(settings, fake_run_sample) as client:
        assert client.get("/healthz").json()["worker"] == "running"
        client.app.state.worker.stop()
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["status"] == "degraded" and response.json()["worker"] == "stopped"
