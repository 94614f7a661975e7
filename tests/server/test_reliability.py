"""Reliability with real processes: a real server on localhost, real worker processes, the fake pipeline.

Killing a worker mid-job, restarting the server mid-queue, 50 concurrent
submissions, cancelling a running job and a job timeout. Each job's runs are
recorded by the fake pipeline (start/end lines), so "completed exactly once"
is checked independently of the server's own bookkeeping.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from live_server import LiveServer, fake_pipeline_env
from server_testkit import SKIRT


def _runs(log) -> Counter:
    if not log.exists():
        return Counter()
    return Counter(tuple(line.split()[:2]) for line in log.read_text().splitlines())


def _wait(http, ids, wanted=("done",), timeout_s=180.0) -> dict[str, dict]:
    deadline = time.monotonic() + timeout_s
    while True:
        bodies = {i: http.get(f"/api/v1/samples/{i}").json() for i in ids}
        if all(b["status"] in wanted or b["status"] in ("failed", "cancelled") for b in bodies.values()):
            return bodies
        assert time.monotonic() < deadline, {i: b["status"] for i, b in bodies.items()}
        time.sleep(0.2)


def _owner_pid(server) -> int:
    """The process id of a worker holding a running job (read from the database itself)."""
    import sqlite3

    with sqlite3.connect(server.data_dir / "garment3d.sqlite3") as db:
        owner = db.execute("SELECT owner FROM jobs WHERE status = 'running' LIMIT 1").fetchone()[0]
    return int(owner.rsplit(":", 1)[1])


def _skirts(n: int) -> list[dict]:
    return [SKIRT | {"parameters": {"length": 50 + i * 0.5}} for i in range(n)]  # distinct: no dedupe


@pytest.fixture
def run_log(tmp_path):
    return tmp_path / "runs.log"


def _server(tmp_path, run_log, stage_s, **env) -> LiveServer:
    # a claim is presumed dead after 5 s of silence (1.5 s where a test kills a worker): shorter, and a heartbeat
    # delayed by a loaded machine re-queues a live job (it then runs twice; the database still records one outcome)
    settings = {"GARMENT3D_WORKERS": "2", "GARMENT3D_HEARTBEAT_S": "0.2", "GARMENT3D_STALE_AFTER_S": "5"}
    settings |= {f"GARMENT3D_{k.upper()}": str(v) for k, v in env.items()}
    return LiveServer(tmp_path / "data", fake_pipeline_env(run_log, stage_s) | settings)


def test_killed_worker_job_is_requeued_and_completes_once(tmp_path, run_log):
    server = _server(tmp_path, run_log, stage_s=0.4, stale_after_s=1.5)
    key = server.add_user("d", "designer")
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=20) as http:
            ids = [http.post("/api/v1/samples", json=body).json()["id"] for body in _skirts(3)]
            deadline = time.monotonic() + 30
            while not any(http.get(f"/api/v1/samples/{i}").json()["status"] == "running" for i in ids):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert len(server.worker_pids()) == 2
            victims = [_owner_pid(server)]
            os.kill(victims[0], signal.SIGKILL)  # mid-job: no chance to clean up
            bodies = _wait(http, ids)
        assert {b["status"] for b in bodies.values()} == {"done"}, bodies
        runs = _runs(run_log)
        ended = {job: n for (event, job), n in runs.items() if event == "end"}
        started = {job: n for (event, job), n in runs.items() if event == "start"}
        assert len(ended) == 3 and set(ended.values()) == {1}, runs  # every job finished exactly once
        assert sorted(started.values()) == [1, 1, 2], runs  # the killed worker's job ran again
        assert victims[0] not in server.worker_pids() and len(server.worker_pids()) == 2  # replaced
    finally:
        server.stop()


def test_restart_mid_queue_loses_nothing_and_runs_each_job_once(tmp_path, run_log):
    server = _server(tmp_path, run_log, stage_s=0.2)
    key = server.add_user("d", "designer")
    server.start()
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=20) as http:
        ids = [http.post("/api/v1/samples", json=body).json()["id"] for body in _skirts(5)]
        deadline = time.monotonic() + 30
        while not any(http.get(f"/api/v1/samples/{i}").json()["status"] == "running" for i in ids):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    server.stop()  # graceful: running jobs go back to the queue
    assert len([k for k in _runs(run_log) if k[0] == "end"]) < 5  # the restart came mid-queue
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=20) as http:
            bodies = _wait(http, ids)
        assert {b["status"] for b in bodies.values()} == {"done"}, bodies
        jobs = {b["id"]: b for b in bodies.values()}
        runs = _runs(run_log)
        ended = {job: n for (event, job), n in runs.items() if event == "end"}
        assert len(ended) == 5 and set(ended.values()) == {1}, runs
        assert len(jobs) == 5
    finally:
        server.stop()


def test_fifty_concurrent_submissions_are_all_accounted_for(tmp_path, run_log):
    server = _server(tmp_path, run_log, stage_s=0.0, max_queued=20)
    key = server.add_user("d", "designer")
    server.start()
    try:
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=60,
                          limits=httpx.Limits(max_connections=50)) as http:
            with ThreadPoolExecutor(50) as pool:
                answers = list(pool.map(lambda body: http.post("/api/v1/samples", json=body), _skirts(50)))
            statuses = Counter(a.status_code for a in answers)
            assert set(statuses) <= {202, 429}, statuses
            assert statuses[202] + statuses[429] == 50
            for refused in (a for a in answers if a.status_code == 429):
                assert int(refused.headers["retry-after"]) >= 1
                assert refused.headers["content-type"] == "application/problem+json"
            accepted = [a.json()["id"] for a in answers if a.status_code == 202]
            assert statuses[202] >= 20
            bodies = _wait(http, accepted, timeout_s=240)
            assert {b["status"] for b in bodies.values()} == {"done"}
            listed = http.get("/api/v1/samples", params={"limit": 200}).json()
            assert listed["total"] == len(accepted)
        runs = _runs(run_log)
        assert sum(n for (event, _), n in runs.items() if event == "end") == len(accepted)
    finally:
        server.stop()


def test_cancel_a_running_job_and_a_job_timeout(tmp_path, run_log):
    server = _server(tmp_path, run_log, stage_s=1.0, job_timeout_s=2.5)
    key = server.add_user("d", "designer")
    server.start()
    try:
        with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=20) as http:
            cancelled, timed_out = [http.post("/api/v1/samples", json=body).json()["id"] for body in _skirts(2)]
            deadline = time.monotonic() + 30
            while http.get(f"/api/v1/samples/{cancelled}").json()["status"] != "running":
                assert time.monotonic() < deadline
                time.sleep(0.05)
            answer = http.post(f"/api/v1/samples/{cancelled}/cancel")
            assert answer.status_code == 200
            bodies = _wait(http, [cancelled, timed_out], timeout_s=40)
            assert bodies[cancelled]["status"] == "cancelled"
            assert bodies[timed_out]["status"] == "failed" and "longer than 2.5 s" in bodies[timed_out]["error"]
            assert http.post(f"/api/v1/samples/{timed_out}/cancel").status_code == 409
        runs = _runs(run_log)
        assert ("end", cancelled) not in runs and ("end", timed_out) not in runs
    finally:
        server.stop()
