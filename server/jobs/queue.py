"""The queue interface: what the routes and the workers need from a job backend.

A job is one computation of the pipeline for one request; samples (the
designer's records) point at jobs, and identical requests share one job. A job
moves ``queued -> running -> done | failed | cancelled``; a running job whose
worker stops answering goes back to ``queued`` until it has used its attempts.
Every transition out of ``running`` names the claim's owner, so a worker that
lost its claim (it was presumed dead and the job re-queued) cannot overwrite
the outcome of the worker that has it now.

:class:`server.jobs.embedded.DatabaseQueue` implements this on the service's
own database, for in-process workers; :class:`server.jobs.distributed.CeleryQueue`
keeps the same rows and sends each job through a Celery broker to
``garment3d worker`` processes on any machine. Either way the row is the
source of truth: a broker may deliver a job twice, and only one claim wins.

A job goes with a :class:`Route`: the broker queue (``drape`` for anything
that drapes, ``render`` for a re-render of a drape already made, e.g. a
colorway-only change) and a priority (``interactive`` ahead of ``batch``).
The embedded backend runs jobs in order of arrival and ignores the route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from garment3d.errors import Garment3DError

__all__ = ["Job", "JobState", "JobQueue", "QueueFullError", "TERMINAL", "ACTIVE", "Route", "Priority", "QueueName",
           "QUEUE_NAMES", "PRIORITIES"]

JobState = Literal["queued", "running", "done", "failed", "cancelled"]
QueueName = Literal["drape", "render"]
Priority = Literal["interactive", "batch"]
QUEUE_NAMES: tuple[QueueName, ...] = ("drape", "render")
PRIORITIES: tuple[Priority, ...] = ("interactive", "batch")
TERMINAL = ("done", "failed", "cancelled")
ACTIVE = ("queued", "running")


class QueueFullError(Garment3DError):
    """The queue holds as many jobs as it may; try again later (``retry_after_s``)."""

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class Job:
    id: str
    content_hash: str
    request: dict[str, Any]
    status: JobState
    stage: str | None
    progress: float
    error: str | None
    summary: dict[str, Any] | None
    attempts: int
    max_attempts: int
    timeout_s: float
    owner: str | None
    heartbeat_at: float | None
    cancel_requested: bool
    created_at: float
    started_at: float | None
    finished_at: float | None


@dataclass(frozen=True)
class Route:
    """Where a job waits: its broker queue and its priority."""

    queue: QueueName = "drape"
    priority: Priority = "interactive"


class JobQueue(Protocol):
    # producers (routes)
    def submit(self, content_hash: str, request: dict[str, Any], route: Route = Route()) -> tuple[Job, bool]:
        """The job for ``content_hash``: an existing queued, running or done one (False), or a new one (True).

        Raises :class:`QueueFullError` when a new job would exceed the queue's bound."""

    def get(self, job_id: str) -> Job | None: ...
    def cancel(self, job_id: str) -> Job | None: ...
    def counts(self) -> dict[str, int]: ...

    # workers
    def claim(self, owner: str) -> Job | None: ...
    def heartbeat(self, job_id: str, owner: str) -> bool:
        """Refresh the claim; False when the worker must stop (claim lost or cancel asked)."""

    def progress(self, job_id: str, owner: str, stage: str, fraction: float) -> None: ...
    def complete(self, job_id: str, owner: str, summary: dict[str, Any], files: dict[str, tuple[str, int]]) -> bool: ...
    def fail(self, job_id: str, owner: str, message: str) -> bool: ...
    def release(self, job_id: str, owner: str) -> bool:
        """Give a claimed job back to the queue without using an attempt (graceful stop)."""

    def mark_cancelled(self, job_id: str, owner: str) -> bool: ...
    def requeue_stale(self, stale_after_s: float) -> list[str]: ...
    def file_sha(self, job_id: str, name: str) -> str | None: ...
