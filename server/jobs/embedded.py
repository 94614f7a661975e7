"""The embedded job backend: the queue is the ``jobs`` table of the service's own database.

Claims are optimistic: a worker picks the oldest queued id and takes it with
``UPDATE ... WHERE id = ? AND status = 'queued'``; only one of several
racing workers (in any process) updates a row. Every later transition checks
the status and the owner in its ``WHERE`` clause.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from sqlalchemy import false, func, select, update
from sqlalchemy.engine import RowMapping

from server.db.engine import Database, new_id, now
from server.db.tables import artifacts, job_files, jobs
from server.jobs.queue import ACTIVE, TERMINAL, Job, QueueFullError, Route

__all__ = ["DatabaseQueue", "gave_up_message"]

log = logging.getLogger(__name__)


def _job(row: RowMapping) -> Job:
    return Job(**{name: row[name] for name in Job.__dataclass_fields__})


def gave_up_message(attempts: int) -> str:
    return f"the worker computing this sample stopped {attempts} times; giving up"


class DatabaseQueue:
    def __init__(self, db: Database, *, max_queued: int = 100, max_attempts: int = 3, timeout_s: float = 1800.0,
                 expected_job_s: float = 60.0):
        self.db = db
        self.max_queued = max_queued
        self.max_attempts = max_attempts
        self.timeout_s = timeout_s
        self.expected_job_s = expected_job_s

    # ------------------------------------------------------------------ producers

    def submit(self, content_hash: str, request: dict[str, Any], route: Route = Route()) -> tuple[Job, bool]:
        with self.db.write() as conn:
            row = conn.execute(
                select(jobs).where(jobs.c.content_hash == content_hash, jobs.c.status.in_((*ACTIVE, "done")))
                .order_by(jobs.c.created_at.desc()).limit(1)
            ).mappings().first()
            if row is not None:
                return _job(row), False
            queued = conn.execute(select(func.count()).select_from(jobs).where(jobs.c.status == "queued")).scalar_one()
            if queued >= self.max_queued:
                retry = max(1, math.ceil(self.expected_job_s * max(1, queued) / 10))
                raise QueueFullError(f"the job queue is full ({queued} samples waiting); try again later", retry)
            job_id = new_id()
            t = now()
            conn.execute(jobs.insert().values(
                id=job_id, content_hash=content_hash, request=request, status="queued", progress=0.0,
                attempts=0, max_attempts=self.max_attempts, timeout_s=self.timeout_s, cancel_requested=False,
                created_at=t, updated_at=t,
            ))
            self._created(conn, job_id, route)
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().one()
        return _job(row), True

    def _created(self, conn, job_id: str, route: Route) -> None:
        """A hook for a backend that keeps more about a new job, in the transaction that made it."""

    def get(self, job_id: str) -> Job | None:
        with self.db.read() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
        return _job(row) if row else None

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a queued job at once; ask the worker of a running one to stop."""
        t = now()
        with self.db.write() as conn:
            conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status == "queued").values(
                status="cancelled", error="cancelled", finished_at=t, updated_at=t))
            conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status == "running").values(
                cancel_requested=True, updated_at=t))
        return self.get(job_id)

    def counts(self) -> dict[str, int]:
        with self.db.read() as conn:
            rows = conn.execute(select(jobs.c.status, func.count()).group_by(jobs.c.status)).all()
        return {status: count for status, count in rows}

    # ------------------------------------------------------------------ workers

    def claim(self, owner: str) -> Job | None:
        for _ in range(20):
            with self.db.read() as conn:
                job_id = conn.execute(
                    select(jobs.c.id).where(jobs.c.status == "queued").order_by(jobs.c.created_at, jobs.c.id).limit(1)
                ).scalar()
            if job_id is None:
                return None
            t = now()
            with self.db.write() as conn:
                taken = conn.execute(
                    update(jobs).where(jobs.c.id == job_id, jobs.c.status == "queued").values(
                        status="running", owner=owner, heartbeat_at=t, started_at=t, updated_at=t, stage=None,
                        progress=0.0, attempts=jobs.c.attempts + 1)
                ).rowcount
            if taken == 1:
                return self.get(job_id)
        return None

    def claim_job(self, job_id: str, owner: str, stale_after_s: float,
                  dead_owner: str | None = None) -> tuple[Job | None, str]:
        """Claim one given job (a broker delivered it): ``(job, outcome)``.

        ``claimed``: it was queued, or running under a worker that went silent for ``stale_after_s`` or is
        ``dead_owner`` (known to be dead), and is ``owner``'s now (an attempt used). ``gave_up``: such a
        take-over found its attempts used, and failed it. ``running``: another worker holds it and is
        alive. ``finished``: it is done, failed or cancelled. ``missing``: no such job."""
        t = now()
        with self.db.write() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().first()
            if row is None:
                return None, "missing"
            job = _job(row)
            if job.status in TERMINAL:
                return job, "finished"
            guard = jobs.c.status == "queued"
            if job.status == "running":
                silent = job.heartbeat_at is None or job.heartbeat_at < t - stale_after_s
                if not silent and (dead_owner is None or job.owner != dead_owner):
                    return job, "running"
                guard = (jobs.c.status == "running") & (jobs.c.owner == job.owner) & (
                    (jobs.c.heartbeat_at < t - stale_after_s) | (jobs.c.owner == dead_owner if dead_owner else false()))
                if job.attempts >= job.max_attempts:
                    conn.execute(update(jobs).where(jobs.c.id == job_id, guard).values(
                        status="failed", error=gave_up_message(job.attempts), finished_at=t, updated_at=t))
                    log.warning("job %s failed: its worker stopped %d times", job_id, job.attempts)
                    return _job(conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().one()), "gave_up"
            taken = conn.execute(update(jobs).where(jobs.c.id == job_id, guard).values(
                status="running", owner=owner, heartbeat_at=t, started_at=t, updated_at=t, stage=None,
                progress=0.0, attempts=jobs.c.attempts + 1)).rowcount
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).mappings().one()
        return _job(row), "claimed" if taken == 1 else ("finished" if row["status"] in TERMINAL else "running")

    def _running(self, job_id: str, owner: str):
        return update(jobs).where(jobs.c.id == job_id, jobs.c.status == "running", jobs.c.owner == owner)

    def heartbeat(self, job_id: str, owner: str) -> bool:
        with self.db.write() as conn:
            ok = conn.execute(self._running(job_id, owner).values(heartbeat_at=now())).rowcount == 1
            if not ok:
                return False
            return not conn.execute(select(jobs.c.cancel_requested).where(jobs.c.id == job_id)).scalar()

    def progress(self, job_id: str, owner: str, stage: str, fraction: float) -> None:
        t = now()
        with self.db.write() as conn:
            conn.execute(self._running(job_id, owner).values(
                stage=stage[:32], progress=min(max(float(fraction), 0.0), 1.0), heartbeat_at=t, updated_at=t))

    def complete(self, job_id: str, owner: str, summary: dict[str, Any], files: dict[str, tuple[str, int]]) -> bool:
        t = now()
        with self.db.write() as conn:
            done = conn.execute(self._running(job_id, owner).values(
                status="done", progress=1.0, error=None, summary=summary, finished_at=t, updated_at=t)).rowcount
            if done != 1:
                return False
            known = set(conn.execute(select(artifacts.c.sha256).where(
                artifacts.c.sha256.in_({sha for sha, _ in files.values()}))).scalars())
            for sha, size in {sha: size for sha, size in files.values()}.items():
                if sha not in known:
                    conn.execute(artifacts.insert().values(sha256=sha, size=size, created_at=t))
            for name, (sha, _) in files.items():
                conn.execute(job_files.insert().values(job_id=job_id, name=name, sha256=sha))
        return True

    def fail(self, job_id: str, owner: str, message: str) -> bool:
        t = now()
        with self.db.write() as conn:
            return conn.execute(self._running(job_id, owner).values(
                status="failed", error=message, finished_at=t, updated_at=t)).rowcount == 1

    def mark_cancelled(self, job_id: str, owner: str) -> bool:
        t = now()
        with self.db.write() as conn:
            return conn.execute(self._running(job_id, owner).values(
                status="cancelled", error="cancelled", finished_at=t, updated_at=t)).rowcount == 1

    def release(self, job_id: str, owner: str) -> bool:
        with self.db.write() as conn:
            return conn.execute(self._running(job_id, owner).values(
                status="queued", owner=None, heartbeat_at=None, stage=None, progress=0.0,
                attempts=jobs.c.attempts - 1, updated_at=now())).rowcount == 1

    def requeue_stale(self, stale_after_s: float) -> list[str]:
        """Jobs whose worker went silent: back to the queue, or failed once their attempts are used."""
        t = now()
        cutoff = t - stale_after_s
        stale = (jobs.c.status == "running") & (jobs.c.heartbeat_at < cutoff)
        with self.db.read() as conn:  # the common case, nothing stale, takes no write lock
            if conn.execute(select(jobs.c.id).where(stale).limit(1)).first() is None:
                return []
        with self.db.write() as conn:
            rows = conn.execute(select(jobs.c.id, jobs.c.attempts, jobs.c.max_attempts).where(stale)).all()
            for job_id, attempts, max_attempts in rows:
                guard = update(jobs).where(jobs.c.id == job_id, stale)
                if attempts >= max_attempts:
                    conn.execute(guard.values(status="failed", finished_at=t, updated_at=t,
                                              error=gave_up_message(attempts)))
                    log.warning("job %s failed: its worker stopped %d times", job_id, attempts)
                else:
                    conn.execute(guard.values(status="queued", owner=None, heartbeat_at=None, stage=None,
                                              progress=0.0, updated_at=t))
                    log.warning("job %s re-queued: its worker stopped answering (attempt %d of %d)",
                                job_id, attempts, max_attempts)
        return [row[0] for row in rows]

    def file_sha(self, job_id: str, name: str) -> str | None:
        with self.db.read() as conn:
            return conn.execute(select(job_files.c.sha256).where(
                job_files.c.job_id == job_id, job_files.c.name == name)).scalar()
