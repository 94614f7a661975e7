"""The Celery application of the distributed backend: built from the server settings, nothing at import.

Two queues, ``drape`` and ``render``; one task, ``garment3d.run_job(job_id)``.
A message only says which job to run: the job's request, state and outcome
are in the database, and a worker claims the row before it runs anything.
Late acknowledgement (a message is acknowledged when its job has ended) and
``reject_on_worker_lost`` (a pool process that dies hands its message back to
the broker) mean a job is delivered again when its worker dies; the claim makes
sure it is computed once. No result backend: results are rows and artifacts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.jobs.queue import QUEUE_NAMES, Priority
from server.settings import ServerSettings

if TYPE_CHECKING:
    from celery import Celery

__all__ = ["TASK", "make_celery", "broker_priority", "hard_time_limit_s"]

TASK = "garment3d.run_job"


def broker_priority(priority: Priority, broker_url: str) -> int:
    """The message priority for ``priority``: Redis serves its lowest number first, AMQP its highest."""
    redis = broker_url.startswith(("redis://", "rediss://"))
    first, last = (0, 9) if redis else (9, 0)
    return first if priority == "interactive" else last


def hard_time_limit_s(settings: ServerSettings) -> float:
    """Celery's own limit, a backstop behind the job timeout the worker's heartbeat enforces (and records)."""
    return settings.job_timeout_s + max(60.0, 5 * settings.heartbeat_s)


def make_celery(settings: ServerSettings) -> Celery:
    try:
        from celery import Celery
        from kombu import Queue
    except ImportError:  # an optional dependency: only the distributed backend needs it
        raise RuntimeError("GARMENT3D_BROKER_URL needs Celery: pip install 'garment3d[distributed]'") from None

    app = Celery("garment3d", broker=settings.broker_url, set_as_current=False)
    limit = hard_time_limit_s(settings)
    app.conf.update(
        task_queues=[Queue(name, routing_key=name, queue_arguments={"x-max-priority": 9}) for name in QUEUE_NAMES],
        task_default_queue="drape",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        task_ignore_result=True,
        task_time_limit=limit,
        task_serializer="json",
        accept_content=["json"],
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
        worker_prefetch_multiplier=1,  # a worker holds only the jobs it is running: the rest wait in the broker
        worker_proc_alive_timeout=900,  # a pool process prepares (kernels, GL) before it reports ready
        worker_cancel_long_running_tasks_on_connection_loss=False,  # a broker restart does not stop a drape
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        # Redis holds an unacknowledged message this long before giving it to another worker: longer than any job
        broker_transport_options={"visibility_timeout": int(limit + settings.stale_after_s + 60),
                                  "socket_connect_timeout": 3, "priority_steps": [0, 3, 6, 9]},
    )
    app.task(name=TASK, bind=True, ignore_result=True)(_run_job)
    return app


def _run_job(task, job_id: str) -> str:
    from server.jobs.celery_worker import deliver

    return deliver(task, job_id)
