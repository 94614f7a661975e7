"""The background worker: threads that take queued jobs and run the pipeline.

Each thread claims the oldest queued job, runs :func:`garment3d.pipeline.run_sample`
into ``<data dir>/<job id>/`` and records the outcome:

- done: the summary the pipeline wrote (``sample.json``) goes into the store;
- a :class:`~garment3d.errors.Garment3DError`: failed, with its message (it
  names the problem for the designer);
- anything else: failed with a generic message; the traceback goes to the log,
  not to the client.

At start, jobs a previous process left 'running' are marked failed
('interrupted by restart'); jobs still queued are run.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from garment3d.errors import Garment3DError
from garment3d.pipeline import STAGES, SampleRequest, run_sample
from server.schemas import SampleCreate
from server.store import Job, JobStore

__all__ = ["Worker", "Runner", "INTERNAL_ERROR_MESSAGE", "INTERRUPTED_MESSAGE"]

log = logging.getLogger(__name__)

Runner = Callable[[SampleRequest, Path, Callable[[str, float], None]], Any]
INTERNAL_ERROR_MESSAGE = "internal error while computing the sample; the server log has the details"
INTERRUPTED_MESSAGE = "interrupted by restart"
SUMMARY_FILE = "sample.json"


class _ProgressRecorder:
    """The pipeline's progress callback: turns (stage, fraction of stage) into stored overall progress.

    Writes are throttled to a change of stage or of at least ``min_step`` overall.
    """

    def __init__(self, store: JobStore, job_id: str, min_step: float = 0.01):
        self.store = store
        self.job_id = job_id
        self.min_step = min_step
        self._stage: str | None = None
        self._written = -1.0
        self._overall = 0.0

    def __call__(self, stage: str, fraction: float) -> None:
        if stage in STAGES:
            self._overall = (STAGES.index(stage) + min(max(fraction, 0.0), 1.0)) / len(STAGES)
        if stage != self._stage or self._overall - self._written >= self.min_step:
            self._stage = stage
            self._written = self._overall
            self.store.set_progress(self.job_id, stage, self._overall)


class Worker:
    """``threads`` worker threads over ``store``, writing job outputs under ``data_dir``.

    ``run`` is the pipeline entry point (replaceable in tests).
    """

    def __init__(
        self,
        store: JobStore,
        data_dir: Path,
        *,
        run: Runner = run_sample,
        threads: int = 1,
        idle_wait_s: float = 2.0,
    ):
        if threads < 1:
            raise ValueError("a worker needs at least one thread")
        self.store = store
        self.data_dir = Path(data_dir)
        self.run = run
        self.thread_count = threads
        self.idle_wait_s = idle_wait_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def job_dir(self, job_id: str) -> Path:
        return self.data_dir / job_id

    @property
    def alive(self) -> bool:
        return bool(self._threads) and all(t.is_alive() for t in self._threads)

    def start(self) -> None:
        """Fail jobs a previous process left running, then start the threads."""
        for job_id in self.store.fail_interrupted(INTERRUPTED_MESSAGE):
            log.warning("sample %s was running when the server stopped; marked failed", job_id)
        self._stopping.clear()
        self._threads = [
            threading.Thread(target=self._loop, name=f"garment3d-worker-{i}", daemon=True)
            for i in range(self.thread_count)
        ]
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        """Tell idle threads that a job was queued."""
        self._wake.set()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Ask the threads to stop and wait up to ``timeout_s`` for them.

        A thread in the middle of a sample cannot be interrupted; it is a daemon
        thread, and its job is marked interrupted at the next start.
        """
        self._stopping.set()
        self._wake.set()
        deadline = time.monotonic() + timeout_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("%s is still computing a sample; leaving it", thread.name)

    # ------------------------------------------------------------------ threads

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before claiming: a job queued after this sets it again
            try:
                job = self.store.claim_next()
            except Exception:
                log.exception("could not read the job store")
                job = None
            if job is None:
                self._wake.wait(self.idle_wait_s)
                continue
            self._run(job)

    def _run(self, job: Job) -> None:
        started = time.perf_counter()
        log.info("sample %s started", job.id)
        try:
            request = SampleCreate.model_validate(job.request).to_request()
            out_dir = self.job_dir(job.id)
            self.run(request, out_dir, _ProgressRecorder(self.store, job.id))
            summary = json.loads((out_dir / SUMMARY_FILE).read_text(encoding="utf-8"))
        except Garment3DError as exc:
            log.info("sample %s failed: %s", job.id, exc)
            self._record(self.store.fail, job.id, str(exc) or type(exc).__name__)
        except Exception:
            log.exception("sample %s failed with an unexpected error", job.id)
            self._record(self.store.fail, job.id, INTERNAL_ERROR_MESSAGE)
        else:
            log.info("sample %s done in %.1f s", job.id, time.perf_counter() - started)
            self._record(self.store.finish, job.id, summary)

    @staticmethod
    def _record(write: Callable[[str, Any], None], job_id: str, value: Any) -> None:
        try:
            write(job_id, value)
        except Exception:  # the thread must survive a store hiccup; the job stays 'running' until restart
            log.exception("could not record the outcome of sample %s", job_id)
