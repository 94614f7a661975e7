"""The server's one settings object: environment variables prefixed ``GARMENT3D_``.

==============================  ==========================================  ==========================
variable                        meaning                                     default
==============================  ==========================================  ==========================
``GARMENT3D_SERVER_DATA_DIR``   job database and one folder per job         ``<renders_dir>/server``
``GARMENT3D_RENDERS_DIR``       (garment3d's own) parent of the default     ``<repo>/renders``
``GARMENT3D_HOST``              address ``python -m server`` listens on     ``127.0.0.1``
``GARMENT3D_PORT``              port ``python -m server`` listens on        ``8000``
``GARMENT3D_MAX_JOBS``          samples computed at the same time           ``1``
``GARMENT3D_MAX_BODY_BYTES``    largest accepted request body               ``65536``
==============================  ==========================================  ==========================
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
    max_concurrent_jobs: int = 1
    max_body_bytes: int = 64 * 1024
    run_worker: bool = True  # tests of the fast paths switch the background worker off

    @property
    def database_path(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    def job_dir(self, job_id: str) -> Path:
        """The folder a job's outputs go to (``job_id`` is a checked uuid hex)."""
        return self.data_dir / job_id


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(_PREFIX + name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{_PREFIX}{name} must be a whole number, not '{raw}'") from None
    if not low <= value <= high:
        raise SettingsError(f"{_PREFIX}{name} = {value} is outside [{low}, {high}]")
    return value


def get_settings() -> ServerSettings:
    """Read the server settings from the environment (cheap; call where needed)."""
    raw_dir = os.environ.get(_PREFIX + "SERVER_DATA_DIR")
    data_dir = Path(raw_dir).expanduser().resolve() if raw_dir else get_library_settings().renders_dir / "server"
    return ServerSettings(
        data_dir=data_dir,
        host=os.environ.get(_PREFIX + "HOST") or "127.0.0.1",
        port=_int("PORT", 8000, 1, 65535),
        max_concurrent_jobs=_int("MAX_JOBS", 1, 1, 64),
        max_body_bytes=_int("MAX_BODY_BYTES", 64 * 1024, 1024, 64 * 1024 * 1024),
    )
