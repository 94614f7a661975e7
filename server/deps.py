"""Shared route dependencies, as ``Annotated`` aliases.

The app factory puts the settings, the job store and the worker (None when
disabled) on ``app.state``; routes receive them through these aliases.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from server.settings import ServerSettings
from server.store import JobStore
from server.worker import Worker

__all__ = ["SettingsDep", "StoreDep", "WorkerDep"]


def get_app_settings(request: Request) -> ServerSettings:
    return request.app.state.settings


def get_store(request: Request) -> JobStore:
    return request.app.state.store


def get_worker(request: Request) -> Worker | None:
    return request.app.state.worker


SettingsDep = Annotated[ServerSettings, Depends(get_app_settings)]
StoreDep = Annotated[JobStore, Depends(get_store)]
WorkerDep = Annotated[Worker | None, Depends(get_worker)]
