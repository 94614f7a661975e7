"""Samples: the designer's records, in their organisation, each pointing at the job that computes it.

Identical requests share one job: the job is found by a content hash of every
input (the request, the pattern definition file, the fabric's files and the
garment3d code), so a repeated request is served from the existing result.
A revision is a new sample in the same family (``family_id``), numbered in order.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from garment3d import __version__
from garment3d.errors import NotFoundError
from garment3d.pipeline import drape_is_kept, validate_request
from garment3d.settings import get_settings as get_library_settings
from server.accounts import User
from server.db.engine import Database, new_id, now
from server.db.tables import jobs, samples
from server.errors import ConflictError
from server.jobs.queue import Job, JobQueue, Priority, Route
from server.pattern_uploads import PatternUpload, get_upload, write_upload_files
from server.storage import ArtifactStore

__all__ = ["Sample", "content_hash", "route_for", "create_sample", "get_sample", "search_samples", "family",
           "cancel_sample", "delete_sample", "set_approval", "SAMPLE_ID", "validate_sample"]

SAMPLE_ID = r"[0-9a-f]{32}"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sample:
    id: str
    org_id: str
    owner_id: str
    family_id: str
    parent_id: str | None
    revision: int
    request: dict[str, Any]
    pattern: str
    size: str
    fabric: str
    title: str
    client: str
    tags: list[str]
    colours: list[str]
    approval: str
    cancelled: bool
    created_at: float
    deleted_at: float | None
    job: Job

    @property
    def status(self) -> str:
        return "cancelled" if self.cancelled and self.job.status != "done" else self.job.status


@lru_cache(maxsize=1)
def _code_digest() -> str:
    import garment3d

    digest = hashlib.sha256(__version__.encode())
    root = Path(garment3d.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def content_hash(request: dict[str, Any], upload: PatternUpload | None = None) -> str:
    """SHA-256 of every input of a sample: the request, its pattern and fabric files, the code.

    An uploaded pattern counts by its content (file, sidecar, units), not its id: the same file uploaded
    twice is the same input."""
    library = get_library_settings()
    if upload is not None:
        request = dict(request) | {"pattern_upload": None}
        pattern = f"upload:{upload.kind}:{upload.sha256}:{upload.sidecar_sha256}:{upload.units}"
    else:
        pattern_file = library.patterns_dir / f"{request['pattern']}.toml"
        pattern = hashlib.sha256(pattern_file.read_bytes()).hexdigest() if pattern_file.is_file() else ""
    parts = {
        "request": request,
        "pattern": pattern,
        "fabric": _folder_digest(library.fabrics_dir / request["fabric"]),
        "code": _code_digest(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def validate_sample(db: Database, store: ArtifactStore, org_id: str, payload: dict[str, Any]) -> None:
    """Check a sample request as the pipeline will (raises naming the problem); an uploaded pattern is
    written to a scratch folder and read from there, exactly as the worker will."""
    from server.schemas import SampleCreate

    body = SampleCreate.model_validate(payload)
    if body.pattern_upload is None:
        validate_request(body.to_request())
        return
    upload = get_upload(db, org_id, body.pattern_upload)
    with tempfile.TemporaryDirectory(prefix="garment3d-upload-") as folder:
        validate_request(body.to_request(*write_upload_files(upload, store, Path(folder))))


def route_for(payload: dict[str, Any], priority: Priority, drape_cache: Path | None) -> Route:
    """The job's route: the ``render`` queue when its drape is already kept in ``drape_cache`` (a colorway-only
    change: it must not wait behind drapes), else ``drape``. ``drape_cache`` None: no look (the embedded backend
    has one queue)."""
    from server.schemas import SampleCreate

    if drape_cache is None:
        return Route("drape", priority)
    body = SampleCreate.model_validate(payload)
    if body.pattern_upload is not None:  # its files are read by the worker: drape queue, the cache still helps
        return Route("drape", priority)
    try:
        kept = drape_is_kept(body.to_request(), drape_cache)
    except Exception:  # routing is an optimisation: a request the check cannot draft is draped as usual
        log.warning("could not tell whether the drape is kept; routing to the drape queue", exc_info=True)
        kept = False
    return Route("render" if kept else "drape", priority)


def _columns():
    return select(samples, *[c.label("j__" + c.name) for c in jobs.c]).join(jobs, jobs.c.id == samples.c.job_id)


def _sample(row) -> Sample:
    m = row._mapping
    job = Job(**{name: m["j__" + name] for name in Job.__dataclass_fields__})
    fields = {name: m[name] for name in Sample.__dataclass_fields__ if name != "job"}
    return Sample(**fields, job=job)


def create_sample(db: Database, queue: JobQueue, user: User, request: dict[str, Any], meta: dict[str, Any],
                  parent: Sample | None = None, route: Route = Route()) -> tuple[Sample, bool]:
    """A new sample (a revision of ``parent`` when given); True when a new job was queued for it."""
    upload = get_upload(db, user.org_id, request["pattern_upload"]) if request.get("pattern_upload") else None
    job, created = queue.submit(content_hash(request, upload), request, route)
    sample_id = new_id()
    with db.write() as conn:
        if parent is None:
            family_id, revision = sample_id, 1
        else:
            family_id = parent.family_id
            revision = 1 + conn.execute(select(func.max(samples.c.revision)).where(
                samples.c.family_id == family_id)).scalar_one()
        conn.execute(samples.insert().values(
            id=sample_id, org_id=user.org_id, owner_id=user.id, family_id=family_id,
            parent_id=parent.id if parent else None, revision=revision, job_id=job.id, request=request,
            pattern=request["pattern"] or Path(upload.name).stem[:64], size=request["size"], fabric=request["fabric"],
            title=meta.get("title") or "", client=meta.get("client") or "", tags=list(meta.get("tags") or []),
            colours=list(meta.get("colours") or []), approval="pending", cancelled=False, created_at=now(),
        ))
    return get_sample(db, user.org_id, sample_id), created


def get_sample(db: Database, org_id: str, sample_id: str, *, include_deleted: bool = False) -> Sample:
    """The sample, if it exists in ``org_id``: another organisation's sample is as unknown as a missing one."""
    query = _columns().where(samples.c.id == sample_id, samples.c.org_id == org_id)
    if not include_deleted:
        query = query.where(samples.c.deleted_at.is_(None))
    with db.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no sample with id '{sample_id}'")
    return _sample(row)


def search_samples(db: Database, org_id: str, *, pattern: str | None = None, fabric: str | None = None,
                   size: str | None = None, tag: str | None = None, client: str | None = None,
                   approval: str | None = None, status: str | None = None, q: str | None = None,
                   family_id: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Sample], int]:
    conditions = [samples.c.org_id == org_id, samples.c.deleted_at.is_(None)]
    for column, value in ((samples.c.pattern, pattern), (samples.c.fabric, fabric), (samples.c.size, size),
                          (samples.c.client, client), (samples.c.approval, approval),
                          (samples.c.family_id, family_id)):
        if value is not None:
            conditions.append(column == value)
    if status == "cancelled":
        conditions.append(and_(samples.c.cancelled.is_(True), jobs.c.status != "done"))
    elif status is not None:
        conditions.append(jobs.c.status == status)
        if status != "done":
            conditions.append(samples.c.cancelled.is_(False))
    if q:
        like = f"%{q.lower()}%"
        conditions.append(or_(func.lower(samples.c.title).like(like), func.lower(samples.c.client).like(like),
                              func.lower(samples.c.pattern).like(like)))
    query = _columns().where(*conditions).order_by(samples.c.created_at.desc(), samples.c.id)
    with db.read() as conn:
        rows = conn.execute(query).all()
    found = [_sample(row) for row in rows]
    if tag is not None:  # JSON list membership, the same on both databases
        found = [s for s in found if tag in s.tags]
    return found[offset: offset + limit], len(found)


def family(db: Database, org_id: str, family_id: str) -> list[Sample]:
    with db.read() as conn:
        rows = conn.execute(_columns().where(samples.c.family_id == family_id, samples.c.org_id == org_id)
                            .order_by(samples.c.revision)).all()
    return [_sample(row) for row in rows]


def cancel_sample(db: Database, queue: JobQueue, sample: Sample) -> Sample:
    """Cancel the sample; its job too, unless another live sample waits for the same result."""
    if sample.job.status in ("done", "failed"):
        raise ConflictError(f"sample {sample.id} is already {sample.job.status}; nothing to cancel")
    with db.write() as conn:
        conn.execute(update(samples).where(samples.c.id == sample.id).values(cancelled=True))
        others = conn.execute(select(func.count()).select_from(samples).where(
            samples.c.job_id == sample.job.id, samples.c.cancelled.is_(False),
            samples.c.deleted_at.is_(None))).scalar_one()
    if others == 0:
        queue.cancel(sample.job.id)
    return get_sample(db, sample.org_id, sample.id)


def delete_sample(db: Database, queue: JobQueue, sample: Sample) -> None:
    if sample.job.status in ("queued", "running") and not sample.cancelled:
        cancel_sample(db, queue, sample)
    with db.write() as conn:
        conn.execute(update(samples).where(samples.c.id == sample.id).values(deleted_at=now()))


def set_approval(db: Database, sample_id: str, approval: str) -> None:
    with db.write() as conn:
        conn.execute(update(samples).where(samples.c.id == sample_id).values(approval=approval))


def with_job(sample: Sample, job: Job) -> Sample:
    return replace(sample, job=job)
