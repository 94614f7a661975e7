"""/api/v1/samples: ask for a virtual sample, follow it, revise it, fetch its files.

POST validates the request at once (a bad request is a 4xx naming the field,
never a queued job that fails later), finds or queues its job and answers 202.
Samples belong to their creator's organisation: any other organisation's key
gets 404 for them, exactly as for an id that never existed.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse

from garment3d.errors import NotFoundError
from server.accounts import User
from server.auth import Principal, require
from server.deps import ArtifactsDep, DbDep, QueueDep
from server.errors import PROBLEM_RESPONSES, problem_doc, clean
from server.jobs.queue import Route
from server.routes.files import ANIMATION_TYPES, files_of, pattern_download, require_done, serve_file
from server.samples import (
    SAMPLE_ID,
    Sample,
    cancel_sample,
    create_sample,
    delete_sample,
    family,
    get_sample,
    route_for,
    search_samples,
    validate_sample,
)
from server.schemas import (
    FileList,
    SampleCreate,
    SampleList,
    SampleLinks,
    SampleOut,
    SampleReport,
    SampleRevise,
    SampleSubmit,
)

__all__ = ["router", "sample_out", "get_org_sample"]

router = APIRouter(prefix="/api/v1/samples", tags=["samples"], responses=PROBLEM_RESPONSES)

_SAMPLE_ID = re.compile(SAMPLE_ID)
_FILE_ERRORS = {409: problem_doc("the sample is not done yet")}
_CREATE_ERRORS = {429: problem_doc("the queue is full; retry after Retry-After seconds"),
                  413: problem_doc("the body is larger than the server accepts")}


def _when(t: float | None) -> datetime | None:
    return datetime.fromtimestamp(t, timezone.utc) if t is not None else None


def _url(request: Request, name: str, **params: str | int) -> str:
    return request.scope.get("root_path", "") + str(request.app.url_path_for(name, **params))


def sample_out(request: Request, sample: Sample, reused: bool = False) -> SampleOut:
    job = sample.job
    done = job.status == "done"
    # plain formatting: url_path_for walks every route, seven times per answer on the busiest endpoint
    base = f"{request.scope.get('root_path', '')}{router.prefix}/{sample.id}"
    links = SampleLinks(self=base)
    if done:
        links.files = f"{base}/files"
        links.frames = f"{base}/frames/0"
        links.animation = f"{base}/animation"
        links.model = f"{base}/model.glb"
        links.pattern = f"{base}/pattern.svg"
        links.manifest = f"{base}/manifest.json"
    return SampleOut(
        id=sample.id, status=sample.status, stage=job.stage, progress=job.progress, error=job.error, reused=reused,
        revision=sample.revision, family_id=sample.family_id, parent_id=sample.parent_id, pattern=sample.pattern,
        size=sample.size, fabric=sample.fabric, title=sample.title, client=sample.client, tags=sample.tags,
        colours=sample.colours, approval=sample.approval, request=sample.request,
        created_at=_when(sample.created_at), started_at=_when(job.started_at), finished_at=_when(job.finished_at),
        report=SampleReport.model_validate(job.summary) if done and job.summary else None, links=links,
    )


def check_id(sample_id: str) -> str:
    if not _SAMPLE_ID.fullmatch(sample_id):
        raise NotFoundError(f"no sample with id '{clean(sample_id, 40)}' (sample ids are 32 lowercase hex digits)")
    return sample_id


def get_org_sample(sample_id: str, db: DbDep, user: Annotated[User, Depends(require("sample:read"))]) -> Sample:
    return get_sample(db, user.org_id, check_id(sample_id))


SampleDep = Annotated[Sample, Depends(get_org_sample)]


def _accepted(request: Request, response: Response, sample: Sample, created: bool) -> SampleOut:
    out = sample_out(request, sample, reused=not created)
    response.headers["Location"] = out.links.self
    return out


# --------------------------------------------------------------------------- the sample


@router.post("", status_code=202, response_model=SampleOut, responses=_CREATE_ERRORS)
def create(body: SampleSubmit, request: Request, response: Response, db: DbDep, queue: QueueDep,
           artifacts: ArtifactsDep, user: Principal("sample:write")) -> SampleOut:
    """Validate a sample request and queue it (or reuse an identical request's result); follow ``links.self``.

    ``pattern`` names a library pattern; ``pattern_upload`` instead names a pattern uploaded with
    ``POST /api/v1/patterns`` (a fixed-size one sampled with size ``pattern`` or ``custom``)."""
    payload = body.request_part()
    validate_sample(db, artifacts, user.org_id, payload)
    sample, created = create_sample(db, queue, user, payload, body.meta_part(),
                                    route=_route(request, payload, body.priority))
    return _accepted(request, response, sample, created)


def _route(request: Request, payload: dict, priority: str) -> Route:
    settings = request.app.state.settings
    return route_for(payload, priority, settings.drapes_dir if settings.distributed else None)


@router.get("", response_model=SampleList)
def search(
    request: Request, db: DbDep, user: Principal("sample:read"),
    pattern: Annotated[str | None, Query(max_length=64)] = None,
    fabric: Annotated[str | None, Query(max_length=64)] = None,
    size: Annotated[str | None, Query(max_length=32)] = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    client: Annotated[str | None, Query(max_length=200)] = None,
    approval: Literal["pending", "approved", "changes_requested"] | None = None,
    status: Literal["queued", "running", "done", "failed", "cancelled"] | None = None,
    q: Annotated[str | None, Query(max_length=100, description="text in the title, client or pattern")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> SampleList:
    """The organisation's samples, newest first, filtered by any of the fields."""
    found, total = search_samples(db, user.org_id, pattern=pattern, fabric=fabric, size=size, tag=tag, client=client,
                                  approval=approval, status=status, q=q, limit=limit, offset=offset)
    return SampleList(total=total, items=[sample_out(request, s) for s in found])


@router.get("/{sample_id}", response_model=SampleOut, name="get_sample")
def get_sample_route(sample: SampleDep, request: Request) -> SampleOut:
    """Status, stage and progress of a sample; its report and file links once it is done."""
    return sample_out(request, sample)


@router.post("/{sample_id}/revisions", status_code=202, response_model=SampleOut, responses=_CREATE_ERRORS)
def revise(sample: SampleDep, body: SampleRevise, request: Request, response: Response, db: DbDep,
           queue: QueueDep, artifacts: ArtifactsDep, user: Principal("sample:write")) -> SampleOut:
    """A new revision: the sample's request with the given fields changed, kept in the same history."""
    changes = body.model_dump(exclude_unset=True)
    meta_keys = {"title", "client", "tags", "colours", "priority"}
    merged = dict(sample.request) | {k: v for k, v in changes.items() if k not in meta_keys and v is not None}
    for key in ("measurements", "colorway"):  # null takes these away (the fabric's own colour)
        if key in changes and changes[key] is None:
            merged[key] = None
    if changes.get("pattern") is not None:  # a library pattern replaces an uploaded one, and the other way round
        merged["pattern_upload"] = None
    elif changes.get("pattern_upload") is not None:
        merged["pattern"] = None
    payload = SampleCreate.model_validate(merged).model_dump(mode="json")
    validate_sample(db, artifacts, user.org_id, payload)
    meta = {"title": sample.title, "client": sample.client, "tags": sample.tags, "colours": sample.colours}
    meta |= {k: v for k, v in changes.items() if k in meta_keys and v is not None}
    new, created = create_sample(db, queue, user, payload, meta, parent=sample,
                                 route=_route(request, payload, changes.get("priority") or "interactive"))
    return _accepted(request, response, new, created)


@router.get("/{sample_id}/revisions", response_model=SampleList)
def revisions(sample: SampleDep, request: Request, db: DbDep) -> SampleList:
    """Every revision in the sample's history, oldest first (deleted ones left out)."""
    items = [s for s in family(db, sample.org_id, sample.family_id) if s.deleted_at is None]
    return SampleList(total=len(items), items=[sample_out(request, s) for s in items])


@router.post("/{sample_id}/cancel", response_model=SampleOut, responses={409: problem_doc("already done or failed")})
def cancel(sample: SampleDep, request: Request, db: DbDep, queue: QueueDep,
           user: Principal("sample:write")) -> SampleOut:
    """Stop computing the sample (a running computation is stopped unless another sample waits for it)."""
    return sample_out(request, cancel_sample(db, queue, sample))


@router.delete("/{sample_id}", status_code=204, response_class=Response)
def delete(sample: SampleDep, db: DbDep, queue: QueueDep, user: Principal("sample:write")) -> Response:
    """Remove the sample from the database's listings; its files go at the next retention run."""
    delete_sample(db, queue, sample)
    return Response(status_code=204)


# --------------------------------------------------------------------------- files


def _name(sample: Sample, what: str) -> str:
    return f"{sample.pattern}-{sample.id[:8]}-{what}"


@router.get("/{sample_id}/files", response_model=FileList, responses=_FILE_ERRORS)
def list_files(sample: SampleDep, request: Request) -> FileList:
    """URLs of every file of a done sample."""
    require_done(sample)
    files = files_of(sample)
    sid = sample.id
    return FileList(
        id=sid,
        frames=[_url(request, "get_frame", sample_id=sid, number=n) for n in range(len(files.get("frames") or []))],
        stills=[_url(request, "get_still", sample_id=sid, number=n) for n in range(len(files.get("stills") or []))],
        animation=_url(request, "get_animation", sample_id=sid) if files.get("animation") else None,
        model=_url(request, "get_model", sample_id=sid) if files.get("glb") else None,
        pattern_svg=_url(request, "get_pattern_svg", sample_id=sid) if files.get("pattern_svg") else None,
        pattern_pdf=_url(request, "get_pattern_file", sample_id=sid, fmt="pdf"),
        pattern_dxf=_url(request, "get_pattern_file", sample_id=sid, fmt="dxf"),
        manifest=_url(request, "get_manifest", sample_id=sid),
    )


_BINARY = {200: {"content": {"application/octet-stream": {}}}} | _FILE_ERRORS


def _numbered(sample: Sample, kind: str, number: int, queue, artifacts) -> FileResponse:
    require_done(sample)
    names = files_of(sample).get(kind) or []
    if not 0 <= number < len(names):
        raise NotFoundError(f"sample {sample.id} has no {kind[:-1]} {number} (it has {len(names)})")
    name = names[number]
    media = "image/png" if str(name).lower().endswith(".png") else "image/jpeg"
    return serve_file(queue, artifacts, sample, name, f"{kind[:-1]} {number}", media,
                      _name(sample, f"{kind[:-1]}-{number:03d}{FilePath(str(name)).suffix or '.png'}"))


@router.get("/{sample_id}/frames/{number}", response_class=FileResponse, responses=_BINARY)
def get_frame(sample: SampleDep, number: int, queue: QueueDep,
              artifacts: ArtifactsDep) -> FileResponse:
    """Turntable frame ``number`` (0 = front view) as a PNG."""
    return _numbered(sample, "frames", number, queue, artifacts)


@router.get("/{sample_id}/stills/{number}", response_class=FileResponse, responses=_BINARY)
def get_still(sample: SampleDep, number: int, queue: QueueDep, artifacts: ArtifactsDep) -> FileResponse:
    """Still render ``number`` (front, side, back... as the renderer made them)."""
    return _numbered(sample, "stills", number, queue, artifacts)


@router.get("/{sample_id}/animation", response_class=FileResponse, responses=_BINARY)
def get_animation(sample: SampleDep, queue: QueueDep, artifacts: ArtifactsDep) -> FileResponse:
    """The turntable animation (animated WebP, or GIF when so rendered)."""
    require_done(sample)
    name = files_of(sample).get("animation")
    suffix = FilePath(name).suffix.lower() if isinstance(name, str) else ""
    if suffix not in ANIMATION_TYPES:
        raise NotFoundError(f"sample {sample.id} has no animation")
    return serve_file(queue, artifacts, sample, name, "animation", ANIMATION_TYPES[suffix],
                      _name(sample, "turntable" + suffix))


@router.get("/{sample_id}/model.glb", response_class=FileResponse, responses=_BINARY)
def get_model(sample: SampleDep, queue: QueueDep, artifacts: ArtifactsDep) -> FileResponse:
    """The draped garment on its mannequin as binary glTF."""
    require_done(sample)
    return serve_file(queue, artifacts, sample, files_of(sample).get("glb"), "3D model", "model/gltf-binary",
                      _name(sample, "model.glb"))


@router.get("/{sample_id}/pattern.svg", response_class=FileResponse, responses=_BINARY)
def get_pattern_svg(sample: SampleDep, queue: QueueDep, artifacts: ArtifactsDep) -> FileResponse:
    """The flat pattern pieces, to scale, as SVG."""
    require_done(sample)
    return serve_file(queue, artifacts, sample, files_of(sample).get("pattern_svg"), "pattern drawing",
                      "image/svg+xml", _name(sample, "pattern.svg"))


@router.get("/{sample_id}/pattern.{fmt}", response_class=Response, responses=_BINARY)
def get_pattern_file(sample: SampleDep, fmt: str) -> Response:
    """The flat pattern pieces as PDF (full size) or DXF (AAMA)."""
    if fmt not in ("pdf", "dxf"):
        raise NotFoundError(f"no pattern format '{clean(fmt, 20)}' (known: svg, pdf, dxf)")
    require_done(sample)
    return pattern_download(sample, fmt)


@router.get("/{sample_id}/manifest.json", response_class=FileResponse, responses=_BINARY)
def get_manifest(sample: SampleDep, queue: QueueDep, artifacts: ArtifactsDep) -> FileResponse:
    """The pipeline's own summary of the sample (``sample.json``): request, sizes, drape figures, timings, files."""
    require_done(sample)
    return serve_file(queue, artifacts, sample, "sample.json", "manifest", "application/json",
                      _name(sample, "manifest.json"))
