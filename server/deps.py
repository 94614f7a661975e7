"""Shared route dependencies, as ``Annotated`` aliases.

The app factory puts the settings, the database, the job queue, the artifact
store, the supervisor (None when this server runs no workers) and the Celery
dispatcher (None with the embedded backend) on ``app.state``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from server.db.engine import Database
from server.jobs.queue import JobQueue
from server.jobs.supervisor import Supervisor
from server.settings import ServerSettings
from server.storage import ArtifactStore

__all__ = ["SettingsDep", "DbDep", "QueueDep", "ArtifactsDep", "SupervisorDep", "DispatcherDep"]


def get_app_settings(request: Request) -> ServerSettings:
    return request.app.state.settings


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_queue(request: Request) -> JobQueue:
    return request.app.state.queue


def get_artifacts(request: Request) -> ArtifactStore:
    return request.app.state.artifacts


def get_supervisor(request: Request) -> Supervisor | None:
    return request.app.state.supervisor


def get_dispatcher(request: Request) -> Any:
    """The Celery dispatcher (server.jobs.dispatcher.Dispatcher), or None with the embedded backend."""
    return getattr(request.app.state, "dispatcher", None)


SettingsDep = Annotated[ServerSettings, Depends(get_app_settings)]
DbDep = Annotated[Database, Depends(get_db)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]
ArtifactsDep = Annotated[ArtifactStore, Depends(get_artifacts)]
SupervisorDep = Annotated[Supervisor | None, Depends(get_supervisor)]
DispatcherDep = Annotated[Any, Depends(get_dispatcher)]
