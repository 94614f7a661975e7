"""The SQLite job store, on a real file."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from server.store import JobStore


@pytest.fixture
def store(tmp_path):
    return JobStore(tmp_path / "db" / "jobs.sqlite3")


def test_create_and_get(store, tmp_path):
    job = store.create({"pattern": "a_line_skirt", "parameters": {"length": 70.0}})
    assert (tmp_path / "db" / "jobs.sqlite3").is_file()
    assert len(job.id) == 32 and int(job.id, 16) >= 0
    assert (job.status, job.stage, job.progress, job.error, job.summary) == ("queued", None, 0.0, None, None)
    assert job.request == {"pattern": "a_line_skirt", "parameters": {"length": 70.0}}
    assert job.created_at.tzinfo is not None and job.started_at is None
    assert store.get(job.id) == job
    assert store.get("f" * 32) is None


def test_jobs_survive_a_new_store_on_the_same_file(store):
    job = store.create({"n": 1})
    again = JobStore(store.path)
    assert again.get(job.id) == job


def test_claim_takes_the_oldest_queued_job(store):
    first, second = store.create({"n": 1}), store.create({"n": 2})
    claimed = store.claim_next()
    assert claimed.id == first.id and claimed.status == "running" and claimed.started_at is not None
    assert store.claim_next().id == second.id
    assert store.claim_next() is None


def test_progress_finish_and_fail(store):
    a, b = store.create({"n": 1}), store.create({"n": 2})
    store.claim_next()
    store.set_progress(a.id, "drape", 0.7)
    assert (store.get(a.id).stage, store.get(a.id).progress) == ("drape", 0.7)
    store.set_progress(b.id, "drape", 0.5)  # not running: ignored
    assert store.get(b.id).stage is None
    store.finish(a.id, {"fabric": "linen_red"})
    done = store.get(a.id)
    assert (done.status, done.progress, done.summary) == ("done", 1.0, {"fabric": "linen_red"})
    assert done.finished_at >= done.started_at
    store.fail(b.id, "unknown fabric 'x'")
    assert (store.get(b.id).status, store.get(b.id).error) == ("failed", "unknown fabric 'x'")
    assert store.count("done") == 1 and store.count("failed") == 1 and store.count("queued") == 0


def test_fail_interrupted_marks_only_running_jobs(store):
    running, queued = store.create({"n": 1}), store.create({"n": 2})
    store.claim_next()
    assert store.fail_interrupted() == [running.id]
    assert (store.get(running.id).status, store.get(running.id).error) == ("failed", "interrupted by restart")
    assert store.get(queued.id).status == "queued"


def test_concurrent_claims_never_share_a_job(store):
    ids = {store.create({"n": n}).id for n in range(40)}
    claimed: list[str] = []
    lock = threading.Lock()

    def claim_all():
        while (job := store.claim_next()) is not None:
            with lock:
                claimed.append(job.id)

    threads = [threading.Thread(target=claim_all) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(ids)


def test_the_table_rejects_bad_states(store):
    job = store.create({"n": 1})
    with sqlite3.connect(store.path) as db, pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE jobs SET status = 'exploded' WHERE id = ?", (job.id,))
