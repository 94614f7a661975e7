"""The FastAPI application: :func:`create_app` builds it from settings; ``app`` is the default one.

On startup the app opens the job store, fails jobs a previous process left
running and starts the worker; on shutdown it stops the worker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from garment3d import __version__
from garment3d.pipeline import run_sample
from server.errors import install_error_handlers
from server.routes import catalog, fabrics, health, samples
from server.settings import ServerSettings, get_settings
from server.store import JobStore
from server.worker import Runner, Worker

__all__ = ["create_app", "app"]


def create_app(settings: ServerSettings | None = None, *, runner: Runner = run_sample) -> FastAPI:
    """An app serving ``settings`` (read from the environment when None).

    ``runner`` is the pipeline entry point the worker calls; tests replace it.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = JobStore(settings.database_path)
        worker = None
        if settings.run_worker:
            worker = Worker(store, settings.data_dir, run=runner, threads=settings.max_concurrent_jobs)
            worker.start()
        app.state.store = store
        app.state.worker = worker
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()

    app = FastAPI(
        title="garment3d",
        version=__version__,
        summary="Virtual garment samples: pattern, body, drape and turntable renders.",
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(samples.router)
    app.include_router(catalog.router)
    app.include_router(health.router)
    app.include_router(fabrics.router, prefix="/api")
    return app


app = create_app()
