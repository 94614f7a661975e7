"""The job store: one SQLite file (stdlib ``sqlite3``), one row per sample job.

A job moves ``queued -> running -> done | failed``. Every method opens its own
short-lived connection, so the store may be shared by the request threads and
the worker threads; claiming the next queued job happens in one write
transaction, so two workers never take the same job.

The store is for one server process: :meth:`JobStore.fail_interrupted` assumes
no other process is running jobs from the same file.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Literal

__all__ = ["Job", "JobStatus", "JobStore", "JOB_ID_PATTERN", "new_job_id"]

JobStatus = Literal["queued", "running", "done", "failed"]
JOB_ID_PATTERN = r"[0-9a-f]{32}"  # uuid4().hex; use with re.fullmatch
_SCHEMA_VERSION = 1

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS jobs (
    id          TEXT PRIMARY KEY CHECK (length(id) = 32),
    status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    stage       TEXT,
    progress    REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    request     TEXT NOT NULL,
    error       TEXT,
    summary     TEXT,
    created_at  TEXT NOT NULL,
    started_at  TEXT,
    finished_at TEXT,
    updated_at  TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, created_at)",
)


def new_job_id() -> str:
    return uuid.uuid4().hex


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Job:
    """One stored job. ``request`` and ``summary`` are the decoded JSON objects."""

    id: str
    status: JobStatus
    stage: str | None
    progress: float
    request: dict[str, Any]
    error: str | None
    summary: dict[str, Any] | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Job:
        def when(text: str | None) -> datetime | None:
            return datetime.fromisoformat(text) if text else None

        return cls(
            id=row["id"],
            status=row["status"],
            stage=row["stage"],
            progress=float(row["progress"]),
            request=json.loads(row["request"]),
            error=row["error"],
            summary=json.loads(row["summary"]) if row["summary"] else None,
            created_at=when(row["created_at"]),
            started_at=when(row["started_at"]),
            finished_at=when(row["finished_at"]),
            updated_at=when(row["updated_at"]),
        )


class JobStore:
    """Jobs in the SQLite file ``path`` (created with its folder on first use)."""

    def __init__(self, path: Path, *, timeout_s: float = 10.0):
        self.path = Path(path)
        self.timeout_s = timeout_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, _SCHEMA_VERSION):
                raise RuntimeError(f"job database {self.path} has schema version {version}, expected {_SCHEMA_VERSION}")
            for statement in _SCHEMA:  # not executescript: it would commit half-way
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode = WAL")  # readers do not wait for the worker's writes

    # ------------------------------------------------------------------ connections

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken up front (``BEGIN IMMEDIATE``) so it cannot deadlock on upgrade."""
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # ------------------------------------------------------------------ reads

    def get(self, job_id: str) -> Job | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job.from_row(row) if row else None

    def count(self, status: JobStatus) -> int:
        with closing(self._connect()) as db:
            return db.execute("SELECT count(*) FROM jobs WHERE status = ?", (status,)).fetchone()[0]

    # ------------------------------------------------------------------ writes

    def create(self, request: dict[str, Any]) -> Job:
        """Store a new queued job for ``request`` (a JSON-serialisable object) and return it."""
        job_id = new_job_id()
        now = _now()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO jobs (id, status, progress, request, created_at, updated_at) VALUES (?, 'queued', 0, ?, ?, ?)",
                (job_id, json.dumps(request, sort_keys=True), now, now),
            )
        return self.get(job_id)

    def claim_next(self) -> Job | None:
        """Mark the oldest queued job running and return it, or None when nothing is queued."""
        now = _now()
        with self._transaction() as db:
            row = db.execute(
                "SELECT id FROM jobs WHERE status = 'queued' ORDER BY created_at, rowid LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET status = 'running', stage = NULL, progress = 0, started_at = ?, updated_at = ? "
                "WHERE id = ?",
                (now, now, row["id"]),
            )
        return self.get(row["id"])

    def set_progress(self, job_id: str, stage: str, progress: float) -> None:
        """Record the stage and the overall fraction done (0..1) of a running job."""
        progress = min(max(float(progress), 0.0), 1.0)
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET stage = ?, progress = ?, updated_at = ? WHERE id = ? AND status = 'running'",
                (stage, progress, _now(), job_id),
            )

    def finish(self, job_id: str, summary: dict[str, Any]) -> None:
        now = _now()
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET status = 'done', progress = 1, error = NULL, summary = ?, finished_at = ?, "
                "updated_at = ? WHERE id = ?",
                (json.dumps(summary), now, now, job_id),
            )

    def fail(self, job_id: str, message: str) -> None:
        now = _now()
        with self._transaction() as db:
            db.execute(
                "UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ?",
                (message, now, now, job_id),
            )

    def fail_interrupted(self, message: str = "interrupted by restart") -> list[str]:
        """Mark every job left 'running' (by a process that stopped) failed; return their ids."""
        now = _now()
        with self._transaction() as db:
            ids = [row["id"] for row in db.execute("SELECT id FROM jobs WHERE status = 'running'")]
            db.execute(
                "UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE status = 'running'",
                (message, now, now),
            )
        return ids
