"""Serving a job's files: by the name the pipeline gave them, from the content-addressed store.

Shared by the designer's API (``/api/v1/samples/{id}/...``) and the client's
viewer (``/s/{token}/...``). A file is served only if the database lists it
for the job; the name never touches the file system.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi.responses import FileResponse, Response

from garment3d.errors import NotFoundError
from server.errors import SampleNotReadyError
from server.jobs.queue import JobQueue
from server.samples import Sample
from server.storage import ArtifactStore

__all__ = ["files_of", "require_done", "serve_file", "FILE_HEADERS", "pattern_download", "ANIMATION_TYPES"]

ANIMATION_TYPES = {".webp": "image/webp", ".gif": "image/gif"}
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # an SVG opened from our origin may style itself but never run script or fetch anything
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "Cache-Control": "private, max-age=86400, immutable",  # artifacts are content-addressed: they never change
}


def require_done(sample: Sample) -> None:
    """409 while the sample is computing, 404 when it failed or was cancelled."""
    if sample.job.status == "done":
        return
    if sample.status in ("failed", "cancelled"):
        raise NotFoundError(f"sample {sample.id} {sample.status} ({sample.job.error}); it has no files")
    job = sample.job
    where = f"stage {job.stage}, {job.progress:.0%} done" if job.status == "running" and job.stage else job.status
    raise SampleNotReadyError(f"sample {sample.id} is not done yet ({where}); its files appear when its status is done")


def files_of(sample: Sample) -> dict[str, Any]:
    files = (sample.job.summary or {}).get("files")
    return files if isinstance(files, dict) else {}


def serve_file(queue: JobQueue, artifacts: ArtifactStore, sample: Sample, name: Any, what: str, media_type: str,
               download_name: str, etag_extra: str = "") -> FileResponse:
    sha = queue.file_sha(sample.job.id, name) if isinstance(name, str) else None
    path = artifacts.path(sha) if sha else None
    if path is None:
        raise NotFoundError(f"sample {sample.id} has no {what}")
    headers = FILE_HEADERS | {"ETag": f'"{sha[:32]}{etag_extra}"'}
    return FileResponse(path, media_type=media_type, headers=headers, filename=download_name,
                        content_disposition_type="inline")


def pattern_download(sample: Sample, fmt: str) -> Response:
    """The sample's flat pattern as PDF or DXF, drafted again from its request (a fraction of a second)."""
    from garment3d.patterns import evaluate, get_definition
    from garment3d.patterns.formats import write_dxf, write_pdf
    from garment3d.pipeline import validate_request
    from server.schemas import SampleCreate

    valid = validate_request(SampleCreate.model_validate(sample.request).to_request())
    pattern = evaluate(get_definition(sample.pattern), valid.size.measurements, valid.parameters, valid.size.label,
                       fabric=valid.fabric)
    with tempfile.TemporaryDirectory(prefix="garment3d-pattern-") as folder:
        path = Path(folder) / f"pattern.{fmt}"
        (write_pdf if fmt == "pdf" else write_dxf)(pattern, path)
        content = path.read_bytes()
    media = {"pdf": "application/pdf", "dxf": "application/dxf"}[fmt]
    name = f"{sample.pattern}-{sample.size.replace('/', '-')}-{sample.id[:8]}.{fmt}"
    return Response(content, media_type=media, headers=FILE_HEADERS | {
        "Content-Disposition": f'attachment; filename="{name}"'})
