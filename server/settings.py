"""The server's one settings object: environment variables prefixed ``GARMENT3D_``.

=================================  ==========================================  ==============================
variable                           meaning                                     default
=================================  ==========================================  ==============================
``GARMENT3D_SERVER_DATA_DIR``      database file and artifact folder           ``<renders_dir>/server``
``GARMENT3D_DATABASE_URL``         SQLAlchemy URL (SQLite or PostgreSQL)       ``sqlite:///<data dir>/garment3d.sqlite3``
``GARMENT3D_HOST``                 address ``garment3d serve`` listens on      ``127.0.0.1``
``GARMENT3D_PORT``                 port ``garment3d serve`` listens on         ``8000``
``GARMENT3D_WORKERS``              worker processes (0: none in this server)   ``1`` (``GARMENT3D_MAX_JOBS`` too)
``GARMENT3D_MAX_QUEUED``           queued jobs before 429                      ``100``
``GARMENT3D_JOB_TIMEOUT_S``        a job running longer fails                  ``1800``
``GARMENT3D_JOB_ATTEMPTS``         tries of a job whose worker stopped         ``3``
``GARMENT3D_HEARTBEAT_S``          how often a worker says it is alive         ``2``
``GARMENT3D_STALE_AFTER_S``        silence after which a claim is re-queued    ``30``
``GARMENT3D_RETENTION_DAYS``       deleted samples' files kept this long       ``30``
``GARMENT3D_MAX_BODY_BYTES``       largest accepted JSON body                  ``65536``
``GARMENT3D_MAX_UPLOAD_BYTES``     largest inspiration photo                   ``10485760``
``GARMENT3D_MAKING_COST``          making cost per garment in quotes           ``80``
``GARMENT3D_RUNNER``               ``module:function`` the workers call        ``garment3d.pipeline:run_sample``
``GARMENT3D_LINK_CHANGES_PER_HOUR`` client changes one share link may make     ``30``
                                   in an hour (then 429 + Retry-After)
``GARMENT3D_LINK_ACTIVE_CHANGES``  a link's changes computing at once          ``1``
``GARMENT3D_BROKER_URL``           Celery broker (``redis://``, ``amqp://``):  empty: the embedded queue
                                   jobs go to ``garment3d worker`` processes
``GARMENT3D_STORAGE_URL``          artifact store: ``file:///PATH`` (a shared  empty: ``<data dir>/artifacts``
                                   folder) or ``s3://BUCKET[/PREFIX]``
``GARMENT3D_SWEEP_S``              how often the server re-sends jobs whose    ``2``
                                   worker or broker message was lost (Celery)
``GARMENT3D_SHUTDOWN_GRACE_S``     a stopping Celery worker finishes its job   ``60``
                                   for this long, then hands it back
=================================  ==========================================  ==============================

With ``GARMENT3D_BROKER_URL`` set, the job rows stay in the database (the
source of truth for every job's state); the broker only delivers them.
An S3 store reads its endpoint and credentials from boto3's own variables
(``AWS_ENDPOINT_URL_S3``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from garment3d.settings import get_settings as get_library_settings

__all__ = ["ServerSettings", "get_settings", "SettingsError"]

_PREFIX = "GARMENT3D_"


class SettingsError(ValueError):
    """An environment variable holds a value the server cannot use (names the variable)."""


@dataclass(frozen=True)
class ServerSettings:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    max_concurrent_jobs: int = 1  # worker processes this server starts
    max_body_bytes: int = 64 * 1024
    run_worker: bool = True  # tests of the fast paths switch the worker processes off
    database_url: str = ""  # empty: SQLite in data_dir
    max_queued: int = 100
    job_timeout_s: float = 1800.0
    job_attempts: int = 3
    heartbeat_s: float = 2.0
    stale_after_s: float = 30.0
    retention_days: int = 30
    max_upload_bytes: int = 10 * 1024 * 1024
    making_cost: float = 80.0
    runner: str = "garment3d.pipeline:run_sample"
    link_changes_per_hour: int = 30  # a share link's customisations (new revisions) per rolling hour
    link_active_changes: int = 1  # a share link's customisations queued or computing at once
    broker_url: str = ""  # empty: the embedded queue and in-process workers
    storage_url: str = ""  # empty: the artifact folder in data_dir
    sweep_s: float = 2.0
    shutdown_grace_s: float = 60.0

    @property
    def distributed(self) -> bool:
        """Jobs go through the Celery broker to ``garment3d worker`` processes."""
        return bool(self.broker_url)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "garment3d.sqlite3"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.database_path}"

    @property
    def artifacts_dir(self) -> Path:
        return self.data_dir / "artifacts"

    @property
    def drapes_dir(self) -> Path:
        """Settled drapes by the content of their inputs (garment3d.drape_cache): a colorway-only change reuses one."""
        return self.data_dir / "drapes"

    @property
    def work_dir(self) -> Path:
        return self.data_dir / "work"

    @property
    def artifact_cache_dir(self) -> Path:
        """Local copies of an object store's artifacts (served from disk)."""
        return self.data_dir / "artifact-cache"

    def to_env(self) -> dict[str, str]:
        """These settings as the environment a worker process reads."""
        return {
            _PREFIX + "SERVER_DATA_DIR": str(self.data_dir),
            _PREFIX + "DATABASE_URL": self.db_url,
            _PREFIX + "MAX_QUEUED": str(self.max_queued),
            _PREFIX + "JOB_TIMEOUT_S": repr(self.job_timeout_s),
            _PREFIX + "JOB_ATTEMPTS": str(self.job_attempts),
            _PREFIX + "HEARTBEAT_S": repr(self.heartbeat_s),
            _PREFIX + "STALE_AFTER_S": repr(self.stale_after_s),
            _PREFIX + "RUNNER": self.runner,
            _PREFIX + "BROKER_URL": self.broker_url,
            _PREFIX + "STORAGE_URL": self.storage_url,
            _PREFIX + "SWEEP_S": repr(self.sweep_s),
            _PREFIX + "SHUTDOWN_GRACE_S": repr(self.shutdown_grace_s),
        }


def _number(name: str, default, low, high, kind=int):
    raw = os.environ.get(_PREFIX + name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{_PREFIX}{name} must be {what}, not '{raw}'") from None
    if not low <= value <= high:
        raise SettingsError(f"{_PREFIX}{name} = {value} is outside [{low}, {high}]")
    return value


def _int(name: str, default: int, low: int, high: int) -> int:
    return _number(name, default, low, high, int)


def get_settings() -> ServerSettings:
    """Read the server settings from the environment (cheap; call where needed)."""
    raw_dir = os.environ.get(_PREFIX + "SERVER_DATA_DIR")
    data_dir = Path(raw_dir).expanduser().resolve() if raw_dir else get_library_settings().renders_dir / "server"
    workers = _int("MAX_JOBS", 1, 0, 64)
    workers = _int("WORKERS", workers, 0, 64)
    url = os.environ.get(_PREFIX + "DATABASE_URL", "").strip()
    if url and not url.startswith(("sqlite", "postgresql")):
        raise SettingsError(f"{_PREFIX}DATABASE_URL must be a sqlite:// or postgresql:// URL")
    broker = os.environ.get(_PREFIX + "BROKER_URL", "").strip()
    if broker and not broker.startswith(("redis://", "rediss://", "amqp://", "amqps://", "pyamqp://")):
        raise SettingsError(f"{_PREFIX}BROKER_URL must be a redis:// or amqp:// URL (or empty for the embedded queue)")
    storage = os.environ.get(_PREFIX + "STORAGE_URL", "").strip()
    if storage and not storage.startswith(("file:///", "s3://")):
        raise SettingsError(f"{_PREFIX}STORAGE_URL must be file:///PATH or s3://BUCKET[/PREFIX] (or empty)")
    runner = os.environ.get(_PREFIX + "RUNNER", "").strip() or ServerSettings.runner
    if ":" not in runner:
        raise SettingsError(f"{_PREFIX}RUNNER must be module:function, not '{runner}'")
    return ServerSettings(
        data_dir=data_dir,
        host=os.environ.get(_PREFIX + "HOST") or "127.0.0.1",
        port=_int("PORT", 8000, 1, 65535),
        max_concurrent_jobs=workers,
        run_worker=workers > 0,
        max_body_bytes=_int("MAX_BODY_BYTES", 64 * 1024, 1024, 64 * 1024 * 1024),
        database_url=url,
        max_queued=_int("MAX_QUEUED", 100, 1, 1_000_000),
        job_timeout_s=_number("JOB_TIMEOUT_S", 1800.0, 1.0, 86400.0, float),
        job_attempts=_int("JOB_ATTEMPTS", 3, 1, 20),
        heartbeat_s=_number("HEARTBEAT_S", 2.0, 0.05, 60.0, float),
        stale_after_s=_number("STALE_AFTER_S", 30.0, 0.2, 3600.0, float),
        retention_days=_int("RETENTION_DAYS", 30, 0, 36500),
        max_upload_bytes=_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024, 1024, 256 * 1024 * 1024),
        making_cost=_number("MAKING_COST", 80.0, 0.0, 1e6, float),
        runner=runner,
        link_changes_per_hour=_int("LINK_CHANGES_PER_HOUR", 30, 1, 100_000),
        link_active_changes=_int("LINK_ACTIVE_CHANGES", 1, 1, 100),
        broker_url=broker,
        storage_url=storage,
        sweep_s=_number("SWEEP_S", 2.0, 0.05, 600.0, float),
        shutdown_grace_s=_number("SHUTDOWN_GRACE_S", 60.0, 0.0, 86400.0, float),
    )
