"""The FastAPI application: :func:`create_app` builds it from settings; ``app`` is the default one.

On startup the app opens the database (creating its tables), and, unless
told not to, starts the worker supervisor (worker processes); on shutdown it
stops them (running jobs go back to the queue). With a broker URL set, it
starts no workers: jobs go through Celery to ``garment3d worker`` processes,
and a dispatcher thread re-sends what a dead worker or the broker lost.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from garment3d import __version__
from server.db.engine import make_database
from server.errors import install_error_handlers
from server.jobs.embedded import DatabaseQueue
from server.jobs.supervisor import Supervisor
from server.routes import (admin, catalog, fabrics, health, inspirations, pattern_uploads, proposals, quotes, samples,
                           shares, styles, users)
from server.settings import ServerSettings, get_settings
from server.storage import open_settings_store
from server.web import customise, docs, viewer

__all__ = ["create_app", "app"]

log = logging.getLogger(__name__)


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """An app serving ``settings`` (read from the environment when None)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = make_database(settings.db_url)
        queue, supervisor, dispatcher = _job_backend(settings, db)
        app.state.db = db
        app.state.queue = queue
        app.state.artifacts = open_settings_store(settings)
        app.state.supervisor = supervisor
        app.state.dispatcher = dispatcher
        if dispatcher is not None:
            log.info("garment3d %s serving; database %s; jobs go through the broker at %s to garment3d workers",
                     __version__, db.engine.dialect.name, _without_password(settings.broker_url))
        else:
            log.info("garment3d %s serving; database %s; %d worker processes", __version__, db.engine.dialect.name,
                     settings.max_concurrent_jobs if supervisor else 0)
        try:
            yield
        finally:
            for running in (supervisor, dispatcher):
                if running is not None:
                    running.stop()
            db.dispose()

    app = FastAPI(
        title="garment3d",
        version=__version__,
        summary="Virtual garment samples: pattern, body, drape and turntable renders; share links, quotes.",
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(samples.router)
    app.include_router(shares.router)
    app.include_router(styles.router)
    app.include_router(proposals.router)
    app.include_router(quotes.router)
    app.include_router(inspirations.router)
    # a pattern upload is multipart: the file (upload limit) plus a sidecar of at most 64 KiB and form fields
    app.include_router(pattern_uploads.router, max_body_size=settings.max_upload_bytes + 128 * 1024)
    app.include_router(catalog.router)
    app.include_router(users.router)
    app.include_router(admin.router)
    app.include_router(health.router)
    # scans, U3MA archives and photos are uploads: the upload limit, not the JSON body limit
    app.include_router(fabrics.router, prefix="/api/v1", max_body_size=settings.max_upload_bytes)
    app.include_router(viewer.router)
    app.include_router(customise.router)
    app.include_router(docs.router)
    viewer.mount_static(app)
    return app


def _job_backend(settings: ServerSettings, db):
    """The queue, and what keeps its jobs moving: in-process workers (embedded) or the dispatcher (Celery)."""
    limits = {"max_queued": settings.max_queued, "max_attempts": settings.job_attempts,
              "timeout_s": settings.job_timeout_s}
    if settings.distributed:
        from server.jobs.celery_app import make_celery
        from server.jobs.dispatcher import Dispatcher
        from server.jobs.distributed import CeleryQueue

        queue = CeleryQueue(db, make_celery(settings), broker_url=settings.broker_url,
                            resend_grace_s=max(5.0, 2 * settings.sweep_s), **limits)
        dispatcher = Dispatcher(settings, queue)
        dispatcher.start()
        return queue, None, dispatcher
    queue = DatabaseQueue(db, **limits)
    supervisor = None
    if settings.run_worker and settings.max_concurrent_jobs > 0:
        supervisor = Supervisor(settings, queue, count=settings.max_concurrent_jobs)
        supervisor.start()
    return queue, supervisor, None


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return url.replace(f":{parts.password}@", ":***@") if parts.password else url


app = create_app()
