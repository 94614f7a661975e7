"""The database job queue, on SQLite and on the real PostgreSQL: claims, guards, re-queueing, bounds, dedupe."""

from __future__ import annotations

import threading
import time

import pytest

from server.db.engine import make_database
from server.jobs.embedded import DatabaseQueue
from server.jobs.queue import QueueFullError

REQUEST = {"pattern": "a_line_skirt", "size": "160/84A", "fabric": "linen_red", "quality": "draft"}


@pytest.fixture
def queue(db_url):
    db = make_database(db_url)
    yield DatabaseQueue(db, max_queued=5, max_attempts=2, timeout_s=60)
    db.dispose()


def test_identical_requests_share_one_job(queue):
    first, created = queue.submit("h1", REQUEST)
    again, created_again = queue.submit("h1", REQUEST)
    other, _ = queue.submit("h2", REQUEST)
    assert created and not created_again and again.id == first.id and other.id != first.id


def test_a_done_job_is_reused_and_a_failed_one_is_not(queue):
    job, _ = queue.submit("h", REQUEST)
    assert queue.claim("w1").id == job.id
    assert queue.complete(job.id, "w1", {"files": {}}, {})
    assert queue.submit("h", REQUEST)[0].id == job.id
    failed, _ = queue.submit("bad", REQUEST)
    queue.claim("w1")
    queue.fail(failed.id, "w1", "broken")
    assert queue.submit("bad", REQUEST)[1] is True


def test_two_workers_never_claim_the_same_job(queue):
    for i in range(5):
        queue.submit(f"h{i}", REQUEST)
    claimed: list[str] = []
    lock = threading.Lock()

    def work(owner):
        while (job := queue.claim(owner)) is not None:
            with lock:
                claimed.append(job.id)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 5 == len(set(claimed))


def test_transitions_are_guarded_by_status_and_owner(queue):
    job, _ = queue.submit("h", REQUEST)
    assert not queue.complete(job.id, "w1", {}, {})  # not running yet
    queue.claim("w1")
    assert not queue.fail(job.id, "intruder", "no")  # not the owner
    assert queue.fail(job.id, "w1", "broken")
    assert not queue.complete(job.id, "w1", {}, {})  # failed stays failed: no running -> failed -> done
    assert queue.get(job.id).status == "failed"


def test_a_silent_worker_loses_its_claim_and_attempts_are_bounded(queue):
    job, _ = queue.submit("h", REQUEST)
    queue.claim("w1")
    time.sleep(0.3)
    assert queue.requeue_stale(0.2) == [job.id]
    assert queue.get(job.id).status == "queued"
    assert not queue.heartbeat(job.id, "w1")  # the old worker learns it lost the job
    assert queue.claim("w2").attempts == 2
    assert not queue.complete(job.id, "w1", {}, {})  # and cannot finish it
    time.sleep(0.3)
    queue.requeue_stale(0.2)
    failed = queue.get(job.id)
    assert failed.status == "failed" and "stopped 2 times" in failed.error


def test_release_gives_the_job_back_without_using_an_attempt(queue):
    job, _ = queue.submit("h", REQUEST)
    queue.claim("w1")
    assert queue.release(job.id, "w1")
    again = queue.claim("w2")
    assert again.id == job.id and again.attempts == 1


def test_cancel(queue):
    queued, _ = queue.submit("a", REQUEST)
    assert queue.cancel(queued.id).status == "cancelled"
    running, _ = queue.submit("b", REQUEST)
    queue.claim("w1")
    assert queue.cancel(running.id).cancel_requested
    assert not queue.heartbeat(running.id, "w1")  # the worker is told to stop
    assert queue.mark_cancelled(running.id, "w1") and queue.get(running.id).status == "cancelled"


def test_the_queue_is_bounded(queue):
    for i in range(5):
        queue.submit(f"h{i}", REQUEST)
    with pytest.raises(QueueFullError) as raised:
        queue.submit("one-too-many", REQUEST)
    assert raised.value.retry_after_s >= 1
    assert queue.submit("h0", REQUEST)[1] is False  # a duplicate is still answered


def test_completion_records_the_files(queue):
    job, _ = queue.submit("h", REQUEST)
    queue.claim("w")
    sha = "a" * 64
    assert queue.complete(job.id, "w", {"files": {}}, {"frame_000.png": (sha, 10), "copy.png": (sha, 10)})
    assert queue.file_sha(job.id, "frame_000.png") == sha and queue.file_sha(job.id, "nope") is None


def test_claim_job_takes_a_queued_job_once(queue):
    job, _ = queue.submit("h", REQUEST)
    claimed, outcome = queue.claim_job(job.id, "w1", stale_after_s=30)
    assert outcome == "claimed" and claimed.owner == "w1" and claimed.attempts == 1
    assert queue.claim_job(job.id, "w2", stale_after_s=30)[1] == "running"  # a second delivery runs nothing
    assert queue.claim_job("0" * 32, "w2", stale_after_s=30) == (None, "missing")
    queue.complete(job.id, "w1", {"files": {}}, {})
    assert queue.claim_job(job.id, "w2", stale_after_s=30)[1] == "finished"


def test_claim_job_takes_over_from_a_silent_or_dead_worker_within_the_attempts(queue):
    job, _ = queue.submit("h", REQUEST)
    queue.claim_job(job.id, "w1", stale_after_s=30)
    assert queue.claim_job(job.id, "w2", stale_after_s=30, dead_owner="someone-else")[1] == "running"
    taken, outcome = queue.claim_job(job.id, "w2", stale_after_s=30, dead_owner="w1")  # w1 is known dead
    assert outcome == "claimed" and taken.owner == "w2" and taken.attempts == 2
    assert not queue.complete(job.id, "w1", {}, {})  # the dead worker's late word changes nothing
    time.sleep(0.3)
    failed, outcome = queue.claim_job(job.id, "w3", stale_after_s=0.2)  # silent, and both attempts used
    assert outcome == "gave_up" and failed.status == "failed" and "stopped 2 times" in failed.error
