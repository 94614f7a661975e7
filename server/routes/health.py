"""GET /healthz (is the server up, are its workers alive) and GET /readyz (can it reach its database)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import text

from server.deps import DbDep, QueueDep, SupervisorDep
from server.schemas import Health

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def health(queue: QueueDep, supervisor: SupervisorDep, response: Response) -> Health:
    """``ok`` (200) while the worker supervisor runs; ``degraded`` (503) when it has stopped."""
    if supervisor is None:
        state = "disabled"
    else:
        state = "running" if supervisor.alive else "stopped"
    if state == "stopped":
        response.status_code = 503
    counts = queue.counts()
    return Health(status="degraded" if state == "stopped" else "ok", workers=state,
                  queued=counts.get("queued", 0), running=counts.get("running", 0))


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
