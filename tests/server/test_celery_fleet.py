"""The distributed backend with real processes: real Redis, a real server, three real Celery workers.

One fleet serves the module (starting workers is the slow part): ``a`` and ``b``
take drape and render jobs, ``r`` only render jobs (a colorway-only change never
waits behind drapes). Draft jobs of the fake pipeline take about 0.25 s, the
"standard" ones about 5 s (a test's long drape). The broker-restart test runs
a fleet of its own on a private redis-server that it kills and starts again.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from celery_fleet import REDIS_URL, Fleet, PrivateRedis, redis_client
from server_testkit import SKIRT

SLOW = SKIRT | {"quality": "standard"}
# two drape slots freed in one instant start their next jobs within this of each other (s)
SAME_WAVE_S = 0.05  # 2 ms seen; a batch job served first started 0.29 s early here


def _skirts(n: int, start: float = 50.0, **extra) -> list[dict]:
    return [SKIRT | {"parameters": {"length": start + i * 0.5}} | extra for i in range(n)]  # distinct: no dedupe


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    redis_client(REDIS_URL).flushdb()  # this test's own database number on the machine's Redis
    fleet = Fleet(tmp_path_factory.mktemp("fleet"), REDIS_URL,
                  {"a": ("drape,render", 2), "b": ("drape,render", 1), "r": ("render", 1)})
    fleet.start()
    yield fleet
    fleet.stop()


def _history(fleet, sample_id) -> str:
    return " | ".join(f"{e['event']}: {e['detail']}" for e in json.loads(fleet.job(sample_id)["history"]))


def test_twenty_draft_samples_across_the_workers_each_complete_once(fleet):
    health = fleet.wait_for_workers()
    assert health["backend"] == "celery" and health["status"] == "ok"
    assert {w["name"].split("@")[0]: (w["queues"], w["concurrency"]) for w in health["fleet"]} == {
        "a": (["drape", "render"], 2), "b": (["drape", "render"], 1), "r": (["render"], 1)}
    assert set(health["queue_depth"]) == {"drape", "render"}
    ids = [fleet.submit(body) for body in _skirts(20)]
    bodies = fleet.wait(ids)
    assert {b["status"] for b in bodies.values()} == {"done"}, bodies
    jobs = {fleet.job(i)["id"] for i in ids}
    ends = fleet.ends()
    assert len(jobs) == 20 and all(ends[job] == 1 for job in jobs), ends  # each ran to its end exactly once
    starts = [job for event, job, _ in fleet.runs() if event == "start" and job in jobs]
    assert len(starts) == 20
    nodes = {fleet.node_of(pid) for event, job, pid in fleet.runs() if job in jobs}
    assert nodes == {"a", "b"}, nodes  # shared across the drape workers; never on the render-only one
    assert all(fleet.job(i)["attempts"] == 1 and fleet.job(i)["queue"] == "drape" for i in ids)
    frame = fleet.http.get(f"/api/v1/samples/{ids[0]}/frames/0")
    assert frame.status_code == 200 and frame.content[:4] == b"\x89PNG"


def test_a_pool_process_killed_mid_job_hands_its_job_on_once(fleet):
    sample = fleet.submit(SLOW | {"parameters": {"length": 61}})
    fleet.wait_running(sample)
    owner = fleet.job(sample)["owner"]
    os.kill(int(owner.rsplit(":", 1)[1]), signal.SIGKILL)  # mid-job; Celery hands the message back (late ack)
    body = fleet.wait([sample])[sample]
    assert body["status"] == "done", body
    job = fleet.job(sample)
    assert fleet.ends()[job["id"]] == 1 and job["attempts"] == 2 and job["owner"] != owner
    # handed on by whichever comes first: the redelivered message finding the owner dead, or the sweep
    # finding its heartbeat stale (4 s here; on a loaded machine the redelivery can come later)
    history = _history(fleet, sample)
    assert f"taking over from {owner}" in history or "its worker stopped answering" in history, history


def test_a_worker_killed_mid_job_its_job_completes_on_another_once(fleet):
    sample = fleet.submit(SLOW | {"parameters": {"length": 62}})
    fleet.wait_running(sample)
    owner_pid = int(fleet.job(sample)["owner"].rsplit(":", 1)[1])
    victim = fleet.node_of(owner_pid)
    fleet.workers[victim].kill()  # the main process and its pool at once, as when a machine dies
    try:
        body = fleet.wait([sample])[sample]
        assert body["status"] == "done", body
        job = fleet.job(sample)
        assert fleet.ends()[job["id"]] == 1 and job["attempts"] == 2
        survivor = fleet.node_of(int(job["owner"].rsplit(":", 1)[1]))
        assert survivor not in (None, victim), (survivor, victim)
        assert "its worker stopped answering" in _history(fleet, sample)
    finally:
        fleet.restart(victim)


def test_a_stopping_worker_hands_back_a_job_it_cannot_finish_in_its_grace(fleet):
    sample = fleet.submit(SLOW | {"parameters": {"length": 63}})
    fleet.wait_running(sample)
    owner_pid = int(fleet.job(sample)["owner"].rsplit(":", 1)[1])
    stopping = fleet.node_of(owner_pid)
    started = time.monotonic()
    try:
        assert fleet.workers[stopping].stop() == 0
        assert time.monotonic() - started < 15  # the 1 s grace, not the 5 s job
        body = fleet.wait([sample])[sample]
        job = fleet.job(sample)
        assert body["status"] == "done" and fleet.ends()[job["id"]] == 1
        assert job["attempts"] == 1, _history(fleet, sample)  # handing back uses no attempt
        assert "handed back by" in _history(fleet, sample)
    finally:
        fleet.restart(stopping)


def test_cancelling_a_running_job_stops_it_where_it_runs(fleet):
    sample = fleet.submit(SLOW | {"parameters": {"length": 65}})
    fleet.wait_running(sample)
    assert fleet.http.post(f"/api/v1/samples/{sample}/cancel").status_code == 200
    assert fleet.wait([sample])[sample]["status"] == "cancelled"
    time.sleep(1.0)  # the message Celery hands back for the stopped process finds the job finished
    job = fleet.job(sample)
    assert job["status"] == "cancelled" and fleet.ends()[job["id"]] == 0


def test_a_colorway_change_goes_to_the_render_queue_and_interactive_goes_ahead_of_batch(fleet):
    from garment3d.drape_cache import _path
    from garment3d.pipeline import drape_key_for
    from server.schemas import SampleCreate

    fleet.wait_for_workers()  # every drape slot must be there to be filled
    base = SKIRT | {"parameters": {"length": 64}}
    kept = _path(fleet.server.data_dir / "drapes", drape_key_for(SampleCreate.model_validate(base).to_request()))
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(b"a kept drape")  # routing looks only at whether it is there
    drapes = [fleet.submit(body) for body in _skirts(3, start=70, quality="standard")]  # every drape slot
    for sample in drapes:
        fleet.wait_running(sample)
    batch = [fleet.submit(body) for body in _skirts(3, start=80, priority="batch")]
    interactive = fleet.submit(SKIRT | {"parameters": {"length": 90}})
    queued = time.time()  # its message is in the broker now
    recolour = fleet.submit(base | {"colorway": "#2050c0"})
    assert fleet.job(recolour)["queue"] == "render" and fleet.job(interactive)["queue"] == "drape"
    assert fleet.job(batch[0])["priority"] == "batch"
    fleet.wait(drapes + batch + [interactive, recolour])
    at = {(event, job): t for event, job, _, t in fleet.timed_runs()}
    job = {s: fleet.job(s)["id"] for s in drapes + batch + [interactive, recolour]}
    assert at["end", job[recolour]] < min(at["end", job[d]] for d in drapes)  # it did not wait for a drape slot
    # a batch job that had not started when the interactive one was queued started after it, or with it: two
    # drape slots freed together take the interactive job and a batch one in the same instant (CI saw a batch
    # start 2 ms before the interactive one); a batch job served first would start a whole drape earlier
    for b in batch:
        assert at["start", job[b]] < queued or at["start", job[b]] > at["start", job[interactive]] - SAME_WAVE_S, at


def test_broker_restarted_mid_run_loses_nothing(tmp_path):
    redis = PrivateRedis(tmp_path).start()
    fleet = Fleet(tmp_path, redis.url, {"a": ("drape,render", 1), "b": ("drape,render", 1)}, stage_s=0.2)
    try:
        fleet.start()
        ids = [fleet.submit(body) for body in _skirts(6)]
        deadline = time.monotonic() + 60
        while not fleet.ends():  # mid-run: some done, some running, the rest waiting in the broker
            assert time.monotonic() < deadline
            time.sleep(0.05)
        redis.kill()  # with no persistence: every message waiting in it is gone
        time.sleep(1.0)
        redis.start()
        bodies = fleet.wait(ids, timeout_s=120)
        assert {b["status"] for b in bodies.values()} == {"done"}, bodies
        ends = fleet.ends()
        assert all(ends[fleet.job(i)["id"]] == 1 for i in ids), ends
        assert any("the broker lost its message" in _history(fleet, i) for i in ids)
    finally:
        fleet.stop()
        redis.kill()
