"""The Celery backend's queue without workers: real Redis, real SQLite; what it sends, and what it sends again.

Messages are read straight from the broker (kombu), so these tests see what a
worker would be given: which queue, in which order, and that a lost message
or a silent worker's job is sent again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace

import pytest
from celery_fleet import redis_client
from live_server import REPO_ROOT, free_port

from server.db.engine import make_database
from server.jobs.queue import Route
from server.settings import ServerSettings, SettingsError, get_settings

REQUEST = {"pattern": "a_line_skirt", "size": "160/84A", "fabric": "linen_red", "quality": "draft"}
REDIS_URL = os.environ.get("GARMENT3D_TEST_QUEUE_REDIS_URL", "redis://127.0.0.1:6379/14")


def _queue(tmp_path, broker_url=REDIS_URL, db=None):
    from server.jobs.celery_app import make_celery
    from server.jobs.distributed import CeleryQueue

    settings = ServerSettings(data_dir=tmp_path, broker_url=broker_url)
    db = db or make_database(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    return CeleryQueue(db, make_celery(settings), broker_url=broker_url, max_attempts=2, resend_grace_s=0.0)


@pytest.fixture
def queue(tmp_path):
    redis_client(REDIS_URL).flushdb()
    queue = _queue(tmp_path)
    yield queue
    queue.db.dispose()


def _take(queue, name: str) -> str | None:
    """The job id of the next message a worker of queue ``name`` would be given (and acknowledge it)."""
    with queue.app.connection_for_read() as conn:
        simple = conn.SimpleQueue(name)
        try:
            message = simple.get(timeout=2)
        except simple.Empty:
            return None
        message.ack()
        body = message.payload if not isinstance(message.payload, (str, bytes)) else json.loads(message.payload)
        return body[0][0]


def _events(queue, job_id):
    return [e["event"] + ": " + e["detail"] for e in queue.history(job_id)]


def test_each_job_is_sent_to_its_queue_and_interactive_comes_before_batch(queue):
    batch, _ = queue.submit("h1", REQUEST, Route("drape", "batch"))
    interactive, _ = queue.submit("h2", REQUEST, Route("drape", "interactive"))
    render, _ = queue.submit("h3", REQUEST, Route("render", "batch"))
    assert queue.depth() == {"drape": 2, "render": 1}
    assert queue.submit("h1", REQUEST)[1] is False and queue.depth()["drape"] == 2  # a duplicate sends nothing
    assert _take(queue, "drape") == interactive.id  # sent second, given first
    assert _take(queue, "drape") == batch.id
    assert _take(queue, "render") == render.id
    assert _events(queue, batch.id) == ["sent: submitted (drape, batch)"]


def test_a_message_the_broker_lost_is_sent_again_after_two_sweeps(queue):
    job, _ = queue.submit("h", REQUEST)
    redis_client(REDIS_URL).delete("drape")  # as a Redis restart without persistence does
    assert queue.depth()["drape"] == 0
    assert queue.sweep(stale_after_s=30) == []  # once short could be a message on its way to a worker
    assert queue.sweep(stale_after_s=30) == [job.id]
    assert queue.depth()["drape"] == 1 and _take(queue, "drape") == job.id
    assert _events(queue, job.id)[-1] == "sent: the broker lost its message"


def test_nothing_is_sent_again_while_the_broker_holds_every_message(queue):
    for i in range(3):
        queue.submit(f"h{i}", REQUEST)
    assert [queue.sweep(stale_after_s=30) for _ in range(3)] == [[], [], []]
    assert queue.depth()["drape"] == 3


def test_a_silent_workers_job_is_sent_again_and_attempts_are_bounded(queue):
    job, _ = queue.submit("h", REQUEST)
    assert _take(queue, "drape") == job.id
    assert queue.claim_job(job.id, "w1", stale_after_s=30)[1] == "claimed"
    time.sleep(0.3)
    assert queue.sweep(stale_after_s=0.2) == [job.id]
    assert _take(queue, "drape") == job.id and "its worker stopped answering" in _events(queue, job.id)[-1]
    queue.claim_job(job.id, "w2", stale_after_s=30)
    time.sleep(0.3)
    assert queue.sweep(stale_after_s=0.2) == []  # both attempts used: failed, not sent
    assert queue.get(job.id).status == "failed" and _events(queue, job.id)[-1].startswith("gave up")


def test_a_job_the_broker_could_not_take_is_sent_by_the_next_sweep(tmp_path, queue):
    down = _queue(tmp_path, broker_url=f"redis://127.0.0.1:{free_port()}/0", db=queue.db)  # nobody listens there
    job, created = down.submit("h", REQUEST)
    assert created and queue.get(job.id).status == "queued"
    assert _events(queue, job.id)[0].startswith("send failed: ")
    assert queue.sweep(stale_after_s=30) == [job.id]
    assert _take(queue, "drape") == job.id


def test_a_handed_back_job_is_sent_again_without_using_an_attempt(queue):
    job, _ = queue.submit("h", REQUEST)
    _take(queue, "drape")
    queue.claim_job(job.id, "w1", stale_after_s=30)
    assert queue.release(job.id, "w1")
    assert _take(queue, "drape") == job.id and queue.get(job.id).attempts == 0


def test_settings_name_the_variable_at_fault(monkeypatch):
    monkeypatch.setenv("GARMENT3D_BROKER_URL", "ftp://127.0.0.1/")
    with pytest.raises(SettingsError, match="GARMENT3D_BROKER_URL"):
        get_settings()
    monkeypatch.setenv("GARMENT3D_BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("GARMENT3D_STORAGE_URL", "/relative/or/bare")
    with pytest.raises(SettingsError, match="GARMENT3D_STORAGE_URL"):
        get_settings()
    monkeypatch.delenv("GARMENT3D_STORAGE_URL")
    assert get_settings().distributed


def test_worker_command_says_what_it_needs(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "GARMENT3D_BROKER_URL"} | {
        "GARMENT3D_SERVER_DATA_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "garment3d.cli", "worker"], cwd=REPO_ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "GARMENT3D_BROKER_URL" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run([sys.executable, "-m", "garment3d.cli", "worker", "--queues", "drape,paint"], cwd=REPO_ROOT,
                         env=env | {"GARMENT3D_BROKER_URL": REDIS_URL}, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "'paint'" in run.stderr


def test_embedded_health_lists_its_workers_and_queue(client):
    health = client.get("/healthz").json()
    assert health["backend"] == "embedded" and health["storage"] == "local"
    assert health["fleet"] == [] and health["queue_depth"] == {"jobs": 0}  # this test app runs no workers


def test_warm_up_opens_headless_gl_once_for_the_real_pipeline(caplog):
    from server.jobs.celery_worker import warm_up_gl

    caplog.set_level("INFO", logger="server.worker")
    warm_up_gl(replace(ServerSettings(data_dir=REPO_ROOT), runner="server_testkit:fake_run_sample"))
    assert "OpenGL ready" not in caplog.text  # a stand-in pipeline needs no GL
    warm_up_gl(ServerSettings(data_dir=REPO_ROOT))
    assert "headless OpenGL ready" in caplog.text
