"""GET /healthz (are the workers alive, how much waits) and GET /readyz (can the server reach its database)."""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Response
from sqlalchemy import text

from server.deps import ArtifactsDep, DbDep, DispatcherDep, QueueDep, SupervisorDep
from server.schemas import Health, WorkerOut

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def health(queue: QueueDep, supervisor: SupervisorDep, dispatcher: DispatcherDep, artifacts: ArtifactsDep,
           response: Response) -> Health:
    """``ok`` (200) while jobs can run; ``degraded`` (503) when the worker supervisor has stopped or, with
    Celery, when the broker is unreachable or no worker answers. Lists the workers and the queue depth."""
    counts = queue.counts()
    if dispatcher is not None:
        return _celery_health(dispatcher, counts, artifacts.kind, response)
    if supervisor is None:
        state = "disabled"
    else:
        state = "running" if supervisor.alive else "stopped"
    if state == "stopped":
        response.status_code = 503
    fleet = [WorkerOut(name=f"pid {pid}", queues=["drape", "render"], concurrency=1)
             for pid in (supervisor.pids() if supervisor else [])]
    return Health(status="degraded" if state == "stopped" else "ok", workers=state, queued=counts.get("queued", 0),
                  running=counts.get("running", 0), backend="embedded", storage=artifacts.kind, fleet=fleet,
                  queue_depth={"jobs": counts.get("queued", 0)})


def _celery_health(dispatcher, counts: dict[str, int], storage: str, response: Response) -> Health:
    fleet = dispatcher.fleet
    if fleet.checked_at is None:  # the first answer is on its way: not a failure yet
        state = "running" if dispatcher.alive else "stopped"
    else:
        state = "running" if dispatcher.alive and fleet.broker_reachable and fleet.workers else "stopped"
    if state == "stopped":
        response.status_code = 503
    return Health(
        status="degraded" if state == "stopped" else "ok", workers=state, queued=counts.get("queued", 0),
        running=counts.get("running", 0), backend="celery", storage=storage,
        fleet=[WorkerOut(name=w.name, queues=list(w.queues), concurrency=w.concurrency) for w in fleet.workers],
        queue_depth=dict(fleet.depth),
        checked_at=datetime.fromtimestamp(fleet.checked_at, timezone.utc) if fleet.checked_at else None,
    )


@router.get("/readyz", response_model=dict[str, str])
def ready(db: DbDep, response: Response) -> dict[str, str]:
    """200 when the database answers, else 503."""
    try:
        with db.read() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means not ready
        response.status_code = 503
        return {"status": "unavailable", "database": type(exc).__name__}
    return {"status": "ready", "database": db.engine.dialect.name}
