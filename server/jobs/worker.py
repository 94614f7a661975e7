"""A worker process: ``python -m server.jobs.worker`` (the supervisor starts them).

It claims one job at a time and runs the pipeline in its main thread, in a
scratch folder of its own; a heartbeat thread refreshes the claim. The
process ends itself (``os._exit``) when the job is cancelled, runs past its
timeout or its claim is lost: the pipeline cannot be interrupted otherwise,
and the supervisor starts a fresh worker. On SIGTERM a running job goes back
to the queue unharmed (it will be claimed again, without using an attempt).

Outputs: every file the pipeline lists in ``sample.json`` is copied into the
content-addressed artifact store (atomic writes) before the job is marked done,
in one transaction with the file list.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import os
import re
import shutil
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from garment3d.errors import Garment3DError
from garment3d.pipeline import STAGES, SampleRequest
from server.db.engine import Database, make_database
from server.jobs.embedded import DatabaseQueue
from server.jobs.queue import Job, JobQueue
from server.logs import configure
from server.pattern_uploads import get_upload, write_upload_files
from server.schemas import SampleCreate
from server.settings import ServerSettings, get_settings
from server.storage import ArtifactStore, open_settings_store

__all__ = ["main", "run_one", "load_runner", "INTERNAL_ERROR_MESSAGE", "summary_files"]

log = logging.getLogger("server.worker")

INTERNAL_ERROR_MESSAGE = "internal error while computing the sample; the server log has the details"
SUMMARY_FILE = "sample.json"
EXIT_CANCELLED, EXIT_TIMEOUT, EXIT_LOST = 3, 4, 5


def load_runner(spec: str) -> Callable:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def summary_files(summary: dict[str, Any]) -> list[str]:
    """Every file name the pipeline's summary lists; a name that is not a plain file name is an error."""
    files = summary.get("files") if isinstance(summary.get("files"), dict) else {}
    names = []
    for value in files.values():
        for name in value if isinstance(value, list) else [value]:
            if name is None:  # an output the request did not ask for
                continue
            if not isinstance(name, str) or not _FILE_NAME.fullmatch(name) or ".." in name:
                raise ValueError(f"the pipeline listed a file name that is not a plain name: {name!r:.80}")
            names.append(name)
    return names


# Set by a process that is giving its job back (a stopping Celery worker): the claim it loses then is its
# own doing, and the heartbeat must not end the process before the job's message is sent again.
HANDING_BACK = threading.Event()


class _Heartbeat(threading.Thread):
    """Refreshes the claim; ends the process on cancel, timeout or a lost claim."""

    def __init__(self, queue: JobQueue, job: Job, owner: str, every_s: float):
        super().__init__(name="heartbeat", daemon=True)
        self.queue, self.job, self.owner, self.every_s = queue, job, owner, every_s
        self.stop = threading.Event()
        self.started = time.monotonic()

    def run(self) -> None:
        while not self.stop.wait(self.every_s):
            try:
                if time.monotonic() - self.started > self.job.timeout_s:
                    self.queue.fail(self.job.id, self.owner, f"the sample took longer than {self.job.timeout_s:g} s")
                    log.warning("job %s timed out; worker %s ends", self.job.id, self.owner)
                    os._exit(EXIT_TIMEOUT)
                if not self.queue.heartbeat(self.job.id, self.owner):
                    if self.stop.is_set() or HANDING_BACK.is_set():  # the job ended, or is being handed back
                        return
                    current = self.queue.get(self.job.id)
                    if current is not None and current.cancel_requested and current.owner == self.owner:
                        self.queue.mark_cancelled(self.job.id, self.owner)
                        log.info("job %s cancelled; worker %s ends", self.job.id, self.owner)
                        os._exit(EXIT_CANCELLED)
                    log.warning("worker %s lost its claim on job %s; ending", self.owner, self.job.id)
                    os._exit(EXIT_LOST)
            except Exception:  # a database hiccup: try again next beat
                log.exception("heartbeat of job %s failed", self.job.id)


class _Progress:
    def __init__(self, queue: JobQueue, job_id: str, owner: str):
        self.queue, self.job_id, self.owner = queue, job_id, owner
        self.stage, self.written = None, -1.0

    def __call__(self, stage: str, fraction: float) -> None:
        overall = self.written
        if stage in STAGES:
            overall = (STAGES.index(stage) + min(max(fraction, 0.0), 1.0)) / len(STAGES)
        if stage != self.stage or overall - self.written >= 0.01:
            self.stage, self.written = stage, overall
            self.queue.progress(self.job_id, self.owner, stage, max(overall, 0.0))


def _kernel_files() -> int:
    """Compiled kernels in numba's cache folder (a job that adds some compiled during the job)."""
    folder = os.environ.get("NUMBA_CACHE_DIR")
    return sum(1 for _ in Path(folder).rglob("*.nbc")) if folder and Path(folder).is_dir() else 0


def warm_up_kernels(settings: ServerSettings) -> None:
    """Compile (or load from the cache) every numba kernel before the first job, for the real pipeline only."""
    if settings.runner != ServerSettings.runner or os.environ.get("GARMENT3D_WORKER_WARMUP") == "0":
        return
    from garment3d.warmup import warm_up_all  # cloth and body: a job fits a body unless its size is cached

    seconds = warm_up_all()
    log.info("numba kernels ready in %.1f s (cache %s, %d kernels, threading layer %s)", seconds,
             os.environ.get("NUMBA_CACHE_DIR", "beside the package"), _kernel_files(),
             os.environ.get("NUMBA_THREADING_LAYER", "default"))


def _takes_drape_cache(runner: Callable) -> bool:
    """Whether the runner keeps drapes (the real pipeline does): then a colorway-only change only re-renders."""
    try:
        return "drape_cache" in inspect.signature(runner).parameters
    except (TypeError, ValueError):
        return False


def _pipeline_request(job: Job, db: Database, store: ArtifactStore, folder: Path) -> SampleRequest:
    """The job's request for the pipeline; an uploaded pattern's files are written into ``folder`` first."""
    body = SampleCreate.model_validate(job.request)
    if body.pattern_upload is None:
        return body.to_request()
    upload = get_upload(db, None, body.pattern_upload)
    return body.to_request(*write_upload_files(upload, store, folder))


def _without_paths(summary: dict[str, Any], work: Path) -> dict[str, Any]:
    """The summary with the worker's scratch paths (an upload's input files) made relative, written back:
    the manifest is served to clients and says nothing about the server's folders."""
    request = summary.get("request")
    if isinstance(request, dict):
        changed = False
        for key in ("pattern_file", "sidecar"):
            value = request.get(key)
            if isinstance(value, str) and value.startswith(str(work)):
                request[key] = Path(value).name
                changed = True
        if changed:
            (work / SUMMARY_FILE).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def run_one(queue: JobQueue, store: ArtifactStore, settings: ServerSettings, job: Job, owner: str,
            runner: Callable, db: Database | None = None) -> str:
    """Run ``job`` (claimed by ``owner``) and record its outcome; returns the status written."""
    work = settings.work_dir / f"{job.id}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    beat = _Heartbeat(queue, job, owner, settings.heartbeat_s)
    beat.start()
    kernels = _kernel_files()
    try:
        request = _pipeline_request(job, db if db is not None else queue.db, store, work / "input")
        extra = {"drape_cache": settings.drapes_dir} if _takes_drape_cache(runner) else {}
        runner(request, work, _Progress(queue, job.id, owner), **extra)
        summary = _without_paths(json.loads((work / SUMMARY_FILE).read_text(encoding="utf-8")), work)
        files = {name: store.put_file(work / name) for name in summary_files(summary)}
        files[SUMMARY_FILE] = store.put_file(work / SUMMARY_FILE)
    except Garment3DError as exc:
        log.info("job %s failed: %s", job.id, exc)
        return "failed" if queue.fail(job.id, owner, str(exc) or type(exc).__name__) else "lost"
    except Exception:
        log.exception("job %s failed with an unexpected error", job.id)
        return "failed" if queue.fail(job.id, owner, INTERNAL_ERROR_MESSAGE) else "lost"
    finally:
        beat.stop.set()
        beat.join(timeout=max(30.0, 3 * settings.heartbeat_s))  # no beat may race the outcome written below
        shutil.rmtree(work, ignore_errors=True)
        compiled = _kernel_files() - kernels
        (log.warning if compiled else log.info)("job %s compiled %d new kernels", job.id, compiled)
    return "done" if queue.complete(job.id, owner, summary, files) else "lost"


def main() -> int:
    configure(os.environ.get("GARMENT3D_LOG_LEVEL", "INFO"))
    settings = get_settings()
    db = make_database(settings.db_url)
    queue = DatabaseQueue(db, max_queued=settings.max_queued, max_attempts=settings.job_attempts,
                          timeout_s=settings.job_timeout_s)
    store = open_settings_store(settings)
    runner = load_runner(settings.runner)
    warm_up_kernels(settings)
    owner = f"{socket.gethostname()}:{os.getpid()}"
    current: dict[str, Job | None] = {"job": None}
    stopping = threading.Event()

    def on_term(signum, _frame) -> None:
        stopping.set()
        job = current["job"]
        if job is not None:  # give the job back and leave now: the pipeline cannot be interrupted
            queue.release(job.id, owner)
            log.info("worker %s stopping: job %s back in the queue", owner, job.id)
            os._exit(0)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    log.info("worker %s ready (runner %s)", owner, settings.runner)
    idle = 0.05
    while not stopping.is_set():
        try:
            queue.requeue_stale(settings.stale_after_s)
            job = queue.claim(owner)
        except Exception:
            log.exception("could not read the job queue")
            job = None
        if job is None:
            stopping.wait(idle)
            idle = min(idle * 2, 1.0)
            continue
        idle = 0.05
        current["job"] = job
        log.info("job %s claimed (attempt %d of %d)", job.id, job.attempts, job.max_attempts)
        outcome = run_one(queue, store, settings, job, owner, runner, db)
        current["job"] = None
        log.info("job %s %s", job.id, outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main())
