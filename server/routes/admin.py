"""/api/v1/admin/retention: admins purge deleted samples older than the retention setting, and unused files."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import delete, select, union

from server.auth import Principal
from server.db.engine import now
from server.db.tables import (artifacts, feedback, inspirations, job_files, job_routes, jobs, pattern_uploads,
                              quotes, samples, shares)
from server.deps import ArtifactsDep, DbDep, SettingsDep
from server.errors import PROBLEM_RESPONSES
from server.proposals import purge_proposals
from server.schemas import RetentionOut

__all__ = ["router", "run_retention"]

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], responses=PROBLEM_RESPONSES)


def run_retention(db, store, org_id: str, retention_days: float) -> RetentionOut:
    """Purge the organisation's samples deleted more than ``retention_days`` ago; then delete every artifact
    nothing refers to any more (a job no live sample uses loses its files)."""
    cutoff = now() - retention_days * 86400.0
    with db.write() as conn:
        old = [r[0] for r in conn.execute(select(samples.c.id).where(
            samples.c.org_id == org_id, samples.c.deleted_at.is_not(None), samples.c.deleted_at < cutoff))]
        if old:
            share_ids = select(shares.c.id).where(shares.c.sample_id.in_(old))
            purge_proposals(conn, old, share_ids)
            conn.execute(delete(feedback).where(feedback.c.share_id.in_(share_ids)))
            conn.execute(delete(feedback).where(feedback.c.sample_id.in_(old)))
            conn.execute(delete(shares).where(shares.c.sample_id.in_(old)))
            conn.execute(delete(quotes).where(quotes.c.sample_id.in_(old)))
            conn.execute(inspirations.update().where(inspirations.c.sample_id.in_(old)).values(sample_id=None))
            conn.execute(delete(samples).where(samples.c.id.in_(old)))
        used_jobs = select(samples.c.job_id)
        conn.execute(delete(job_files).where(job_files.c.job_id.not_in(used_jobs)))
        orphan = select(jobs.c.id).where(jobs.c.id.not_in(used_jobs), jobs.c.status.in_(("done", "failed",
                                                                                         "cancelled")))
        conn.execute(delete(job_routes).where(job_routes.c.job_id.in_(orphan)))
        conn.execute(delete(jobs).where(jobs.c.id.in_(orphan)))
        sidecars = select(pattern_uploads.c.sidecar_sha256).where(  # a NULL would make NOT IN match nothing
            pattern_uploads.c.sidecar_sha256.is_not(None))
        referenced = union(select(job_files.c.sha256), select(quotes.c.sha256), select(inspirations.c.sha256),
                           select(pattern_uploads.c.sha256), sidecars)
        unused = [r[0] for r in conn.execute(select(artifacts.c.sha256).where(artifacts.c.sha256.not_in(referenced)))]
        if unused:
            conn.execute(delete(artifacts).where(artifacts.c.sha256.in_(unused)))
    for sha in unused:
        store.delete(sha)
    return RetentionOut(samples_purged=len(old), artifacts_deleted=len(unused))


@router.post("/retention", response_model=RetentionOut)
def retention(db: DbDep, artifacts_store: ArtifactsDep, settings: SettingsDep,
              admin: Principal("retention:manage")) -> RetentionOut:
    """Apply the retention setting now: deleted samples older than GARMENT3D_RETENTION_DAYS days, unreferenced
    files, and kept drapes (for colorway-only changes) unused for that long."""
    from garment3d.drape_cache import prune_drapes

    result = run_retention(db, artifacts_store, admin.org_id, settings.retention_days)
    result.drapes_deleted = prune_drapes(settings.drapes_dir, settings.retention_days * 86400.0)
    return result
