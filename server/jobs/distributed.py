"""The distributed job backend: the rows of :mod:`.embedded`, delivered by a Celery broker.

:class:`CeleryQueue` is a :class:`~server.jobs.embedded.DatabaseQueue` (the
same rows, claims and owner-checked transitions) that also sends each new job
to its broker queue and keeps a record of the sending in ``job_routes``. The
broker only delivers: it may lose a message (a Redis restart without
persistence) or deliver one twice (late acknowledgement after a worker died),
and neither changes an outcome, because

* a worker runs a job only after claiming its row (one claim wins), and
* :meth:`CeleryQueue.sweep` (run by the server's dispatcher thread) sends a
  job again when its worker went silent, or when the broker holds fewer
  messages for a queue than the database has jobs waiting in it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from server.db.engine import Database, now
from server.db.tables import job_routes, jobs
from server.jobs.celery_app import TASK, broker_priority
from server.jobs.embedded import DatabaseQueue
from server.jobs.queue import QUEUE_NAMES, Route

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["CeleryQueue", "HISTORY_KEPT"]

log = logging.getLogger(__name__)

HISTORY_KEPT = 50  # events kept per job


class CeleryQueue(DatabaseQueue):
    def __init__(self, db: Database, app: Celery, *, broker_url: str, resend_grace_s: float = 5.0, **kwargs: Any):
        super().__init__(db, **kwargs)
        self.app = app
        self.broker_url = broker_url
        self.resend_grace_s = resend_grace_s  # a message younger than this may still be on its way
        self._short: set[str] = set()  # queues found holding too few messages at the last sweep

    # ------------------------------------------------------------------ sending

    def _created(self, conn, job_id: str, route: Route) -> None:
        conn.execute(job_routes.insert().values(job_id=job_id, queue=route.queue, priority=route.priority,
                                                dispatched_at=None, dispatches=0, history=[]))

    def submit(self, content_hash: str, request: dict[str, Any], route: Route = Route()):
        job, created = super().submit(content_hash, request, route)
        if created:
            self.dispatch(job.id, f"submitted ({route.queue}, {route.priority})")
        return job, created

    def route(self, job_id: str) -> Route:
        with self.db.read() as conn:
            row = conn.execute(select(job_routes.c.queue, job_routes.c.priority).where(
                job_routes.c.job_id == job_id)).first()
        return Route(row.queue, row.priority) if row else Route()

    def dispatch(self, job_id: str, why: str) -> bool:
        """Send a message for the job; False when the broker could not be reached (a later sweep sends it)."""
        route = self.route(job_id)
        try:
            self.app.send_task(TASK, args=[job_id], queue=route.queue,
                               priority=broker_priority(route.priority, self.broker_url))
        except Exception as exc:  # the broker is down or refusing: the row stays queued, the sweep retries
            log.warning("could not send job %s to the broker (%s: %s); will try again", job_id,
                        type(exc).__name__, exc)
            self.record(job_id, "send failed", f"{type(exc).__name__}: {exc}"[:200])
            return False
        self.record(job_id, "sent", why, sent=True)
        return True

    def record(self, job_id: str, event: str, detail: str = "", *, sent: bool = False) -> None:
        """Add an event to the job's delivery history (and count a message sent)."""
        t = now()
        with self.db.write() as conn:
            row = conn.execute(select(job_routes.c.history, job_routes.c.dispatches).where(
                job_routes.c.job_id == job_id)).first()
            if row is None:
                return
            values: dict[str, Any] = {"history": [*row.history, {"at": t, "event": event, "detail": detail}]
                                      [-HISTORY_KEPT:]}
            if sent:
                values |= {"dispatched_at": t, "dispatches": row.dispatches + 1}
            conn.execute(update(job_routes).where(job_routes.c.job_id == job_id).values(**values))

    def history(self, job_id: str) -> list[dict[str, Any]]:
        with self.db.read() as conn:
            return conn.execute(select(job_routes.c.history).where(job_routes.c.job_id == job_id)).scalar() or []

    # ------------------------------------------------------------------ transitions that send again

    def release(self, job_id: str, owner: str) -> bool:
        """Hand a claimed job back (its worker is stopping) and send it again, without using an attempt."""
        if not super().release(job_id, owner):
            return False
        self.dispatch(job_id, f"handed back by {owner}, which was stopping")
        return True

    def requeue_stale(self, stale_after_s: float) -> list[str]:
        stale = super().requeue_stale(stale_after_s)
        for job_id in stale:
            job = self.get(job_id)
            if job is not None and job.status == "queued":
                self.dispatch(job_id, f"its worker stopped answering (attempt {job.attempts} of {job.max_attempts})")
            elif job is not None:
                self.record(job_id, "gave up", job.error or "")
        return stale

    # ------------------------------------------------------------------ the sweep

    def depth(self) -> dict[str, int] | None:
        """Messages waiting in each broker queue (None when the broker cannot be reached)."""
        try:
            with self.app.connection_for_read() as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=3)
                return {name: _waiting(conn, name) for name in QUEUE_NAMES}
        except Exception as exc:
            log.warning("could not read the broker's queues: %s: %s", type(exc).__name__, exc)
            return None

    def sweep(self, stale_after_s: float) -> list[str]:
        """Send again what a dead worker or the broker lost; returns the jobs sent."""
        sent = [job_id for job_id in self.requeue_stale(stale_after_s) if self.get(job_id).status == "queued"]
        cutoff = now() - self.resend_grace_s
        with self.db.read() as conn:
            waiting = conn.execute(select(jobs.c.id, job_routes.c.queue, job_routes.c.dispatched_at)
                                   .join(job_routes, job_routes.c.job_id == jobs.c.id)
                                   .where(jobs.c.status == "queued").order_by(jobs.c.created_at)).all()
        for row in waiting:  # never reached the broker
            if row.dispatched_at is None and self.dispatch(row.id, "not sent before (the broker was unreachable)"):
                sent.append(row.id)
        settled = {name: [r.id for r in waiting if r.queue == name and r.dispatched_at is not None
                          and r.dispatched_at < cutoff] for name in QUEUE_NAMES}
        if not any(settled.values()):
            self._short = set()
            return sent
        depth = self.depth()
        if depth is None:
            return sent
        short = {name for name, ids in settled.items() if depth[name] < len(ids)}
        for name in short & self._short:  # short twice in a row: not a message on its way to a worker
            log.warning("broker queue %s holds %d messages for %d waiting jobs; sending them again", name,
                        depth[name], len(settled[name]))
            for job_id in settled[name]:
                if self.dispatch(job_id, "the broker lost its message"):
                    sent.append(job_id)
        self._short = short - self._short
        return sent


def _waiting(conn, name: str) -> int:
    """Messages ready in queue ``name`` (0 when the broker has no such queue yet)."""
    channel = conn.channel()
    try:
        return channel.queue_declare(queue=name, passive=True).message_count
    except Exception as exc:
        if getattr(exc, "code", None) == 404 or "NOT_FOUND" in str(exc) or "no queue" in str(exc).lower():
            return 0
        raise
    finally:
        try:
            channel.close()
        except Exception:
            pass
