"""A Celery worker: ``garment3d worker --queues drape,render --concurrency N`` (any machine that reaches the
broker, the database and the artifact store).

Each pool process prepares once, when it starts: it opens the database and
the store, compiles or loads the numba kernels and opens a headless OpenGL
context (a worker that cannot render fails at start, not at its first job).
Then each delivered message runs :func:`deliver`: claim the job's row, run it
through the same code as the embedded workers (:func:`server.jobs.worker.run_one`:
heartbeat, progress, cancel, timeout, artifacts), record the outcome.

A delivery does not run a job that is finished, or running under a live
worker; it takes over a running job whose worker went silent, or whose worker
on this machine is dead (a pool process killed mid-job: its message comes back
at once through ``reject_on_worker_lost``).

Shutdown (SIGTERM or Ctrl-C to the main process) is Celery's warm shutdown:
no new jobs, running ones finish. After ``GARMENT3D_SHUTDOWN_GRACE_S`` a job
still running is handed back (released in the database without using an
attempt, and sent again) and its pool process exits.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from server.jobs.queue import Job
from server.settings import ServerSettings, get_settings

__all__ = ["deliver", "run_worker", "warm_up_gl", "owner_is_dead_here"]

log = logging.getLogger("server.worker")

_APP: Any = None  # the Celery app of this worker (made before the pool forks)


@dataclass
class _Process:
    """What one pool process prepared at start and uses for every job."""

    settings: ServerSettings
    db: Any
    queue: Any
    store: Any
    runner: Any
    owner: str
    current: Job | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_PROCESS: _Process | None = None


def warm_up_gl(settings: ServerSettings) -> None:
    """Open and close one headless OpenGL context, so the GL libraries are loaded and known to work."""
    if settings.runner != ServerSettings.runner or os.environ.get("GARMENT3D_WORKER_WARMUP") == "0":
        return
    from garment3d.render.gl import open_context

    context = open_context()
    log.info("headless OpenGL ready: %s", context.GL.glGetString(context.GL.GL_RENDERER).decode())
    context.close()


def _prepare() -> _Process:
    """Everything a pool process needs, made once (Celery's worker_process_init)."""
    global _PROCESS
    from server.db.engine import make_database
    from server.jobs.distributed import CeleryQueue
    from server.jobs.worker import load_runner, warm_up_kernels
    from server.storage import open_settings_store

    settings = get_settings()
    db = make_database(settings.db_url)
    queue = CeleryQueue(db, _app(settings), broker_url=settings.broker_url, max_queued=settings.max_queued,
                        max_attempts=settings.job_attempts, timeout_s=settings.job_timeout_s)
    process = _Process(settings=settings, db=db, queue=queue, store=open_settings_store(settings),
                       runner=load_runner(settings.runner), owner=f"{socket.gethostname()}:{os.getpid()}")
    warm_up_kernels(settings)
    warm_up_gl(settings)
    _PROCESS = process
    log.info("pool process %s ready (runner %s, store %s)", process.owner, settings.runner, process.store.kind)
    return process


def _app(settings: ServerSettings):
    global _APP
    if _APP is None:
        from server.jobs.celery_app import make_celery

        _APP = make_celery(settings)
    return _APP


def _hand_back(signum, _frame) -> None:
    """SIGTERM in a pool process (the grace ran out, or a cold shutdown): give the job back and leave.

    Nothing may cut the hand-back short between releasing the row and sending
    its message: not a second SIGTERM (the pool terminating its children),
    and not the job's heartbeat thread finding the claim gone.
    """
    from server.jobs.worker import HANDING_BACK

    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    HANDING_BACK.set()  # the heartbeat thread sees the released claim as ours, not as lost
    process = _PROCESS
    job = process.current if process else None
    if job is not None:
        try:
            if process.queue.release(job.id, process.owner):
                log.info("job %s handed back: worker %s is stopping", job.id, process.owner)
        except Exception:
            log.exception("could not hand job %s back; it is re-sent once its heartbeat is stale", job.id)
    os._exit(0)


def owner_is_dead_here(owner: str | None) -> bool:
    """Whether ``owner`` ("host:pid") is a process of this machine that no longer runs (or is a zombie)."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True
    except OSError:
        return False


def deliver(task, job_id: str) -> str:
    """Run the delivered job if this delivery should; returns what happened (for Celery's log)."""
    from sqlalchemy.exc import DBAPIError

    from server.jobs.worker import run_one

    process = _PROCESS or _prepare()  # a solo pool has no worker_process_init
    settings, queue = process.settings, process.queue
    try:
        current = queue.get(job_id)
        dead = current.owner if current is not None and current.status == "running" and owner_is_dead_here(
            current.owner) else None
        job, outcome = queue.claim_job(job_id, process.owner, settings.stale_after_s, dead_owner=dead)
    except DBAPIError as exc:  # the database is unreachable: try again later, a bounded number of times
        reason = f"database unavailable: {type(exc.orig).__name__ if exc.orig else type(exc).__name__}"
        if task.request.retries >= settings.job_attempts:
            log.error("job %s: %s; giving up this delivery (the server's sweep sends it again)", job_id, reason)
            return "undelivered"
        log.warning("job %s: %s; retry %d of %d", job_id, reason, task.request.retries + 1, settings.job_attempts)
        _try_record(queue, job_id, "retry", reason)
        raise task.retry(exc=exc, countdown=min(30, 2 ** task.request.retries), max_retries=settings.job_attempts)
    if outcome == "gave_up":
        _try_record(queue, job_id, "gave up", job.error or "")
    if outcome != "claimed":
        log.info("job %s not run by %s: %s", job_id, process.owner, outcome)
        return outcome
    took_over = f", taking over from {current.owner}" if current is not None and current.status == "running" else ""
    _try_record(queue, job_id, "claimed", f"{process.owner}, attempt {job.attempts} of {job.max_attempts}{took_over}")
    log.info("job %s claimed by %s (attempt %d of %d%s)", job_id, process.owner, job.attempts, job.max_attempts,
             took_over)
    with process.lock:
        process.current = job
    # billiard installs its own SIGTERM handler after the pool process starts: ours goes in at the first job
    if signal.getsignal(signal.SIGTERM) is not _hand_back:
        signal.signal(signal.SIGTERM, _hand_back)
    try:
        result = run_one(queue, process.store, settings, job, process.owner, process.runner, process.db)
    finally:
        with process.lock:
            process.current = None
    log.info("job %s %s", job_id, result)
    return result


def _try_record(queue, job_id: str, event: str, detail: str) -> None:
    try:
        queue.record(job_id, event, detail)
    except Exception:  # the history is for people; a job does not wait on it
        log.warning("could not record %s for job %s", event, job_id, exc_info=True)


# --------------------------------------------------------------------------- the main process


def _on_process_init(**_kwargs) -> None:
    _prepare()


def _on_shutting_down(**_kwargs) -> None:
    """Warm shutdown began: after the grace, pool processes still running a job hand it back."""
    from billiard.process import active_children

    grace = get_settings().shutdown_grace_s

    def hand_back() -> None:
        for child in active_children():
            if child.pid:
                try:
                    os.kill(child.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

    log.info("worker stopping: running jobs have %g s to finish, then go back to the queue", grace)
    timer = threading.Timer(grace, hand_back)
    timer.daemon = True
    timer.start()


def run_worker(settings: ServerSettings, queues: list[str], concurrency: int, *, name: str | None = None,
               log_level: str = "info") -> int:
    """Run a Celery worker in this process until it is stopped; returns its exit code."""
    from celery.signals import worker_process_init, worker_shutting_down

    from server.jobs.supervisor import worker_env

    os.environ.update(worker_env(settings))  # numba's cache and threading layer, as the embedded workers have
    app = _app(settings)
    worker_process_init.connect(_on_process_init, weak=False)
    worker_shutting_down.connect(_on_shutting_down, weak=False)
    hostname = name or f"garment3d-{os.getpid()}@{socket.gethostname()}"
    argv = ["worker", "--queues", ",".join(queues), "--concurrency", str(concurrency), "--pool", "prefork",
            "--hostname", hostname, "--loglevel", log_level.upper(), "--without-gossip", "--without-mingle"]
    try:
        app.worker_main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0
