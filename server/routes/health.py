"""GET /healthz: is the server up and its worker alive."""

from __future__ import annotations

from fastapi import APIRouter, Response

from server.deps import StoreDep, WorkerDep
from server.schemas import Health

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def health(store: StoreDep, worker: WorkerDep, response: Response) -> Health:
    """``ok`` (200) while the worker runs; ``degraded`` (503) when its threads have died."""
    if worker is None:
        state = "disabled"
    else:
        state = "running" if worker.alive else "stopped"
    if state == "stopped":
        response.status_code = 503
    return Health(
        status="degraded" if state == "stopped" else "ok",
        worker=state,
        queued=store.count("queued"),
        running=store.count("running"),
    )
