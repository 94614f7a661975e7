"""/api/samples: ask for a virtual sample, follow it, fetch its files.

A sample is a job: POST validates the request at once (so a bad request is a
4xx naming the field, never a queued job that fails later) and queues it; the
worker computes it; GET follows it. File routes serve only what the finished
job's summary lists, from the job's own folder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse

from garment3d.errors import NotFoundError
from garment3d.pipeline import validate_request
from server.deps import SettingsDep, StoreDep, WorkerDep
from server.errors import SampleNotReadyError
from server.schemas import ErrorMessage, FrameList, SampleAccepted, SampleCreate, SampleLinks, SampleReport, SampleStatus
from server.settings import ServerSettings
from server.store import JOB_ID_PATTERN, Job

__all__ = ["router"]

router = APIRouter(prefix="/api/samples", tags=["samples"])

_JOB_ID = re.compile(JOB_ID_PATTERN)
_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_ANIMATION_TYPES = {".webp": "image/webp", ".gif": "image/gif"}
_FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # an SVG opened from our origin may style itself but never run script or fetch anything
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    "Cache-Control": "private, max-age=3600",  # files of a done sample never change
}
_NOT_FOUND = {404: {"model": ErrorMessage, "description": "no such sample or file"}}
_FILE_ERRORS = _NOT_FOUND | {409: {"model": ErrorMessage, "description": "the sample is not done yet"}}


# --------------------------------------------------------------------------- dependencies


def _shown(text: str, limit: int = 40) -> str:
    """``text`` fit to quote in a message: printable, and cut to ``limit`` characters."""
    text = "".join(c if c.isprintable() else "?" for c in text[: limit + 1])
    return text if len(text) <= limit else text[:limit] + "..."


def get_job(sample_id: str, store: StoreDep) -> Job:
    """The job ``sample_id``; 404 for ids of the wrong form (they can never name a folder) or unknown ids."""
    if not _JOB_ID.fullmatch(sample_id):
        raise NotFoundError(f"no sample with id '{_shown(sample_id)}' (sample ids are 32 lowercase hex digits)")
    job = store.get(sample_id)
    if job is None:
        raise NotFoundError(f"no sample with id '{sample_id}'")
    return job


JobDep = Annotated[Job, Depends(get_job)]


def get_done_job(job: JobDep) -> Job:
    """The job, if it finished successfully; 409 while it is queued or running, 404 if it failed."""
    if job.status == "done":
        return job
    if job.status == "failed":
        raise NotFoundError(f"sample {job.id} failed ({job.error}); it has no files")
    where = f"stage {job.stage}, {job.progress:.0%} done" if job.status == "running" and job.stage else job.status
    raise SampleNotReadyError(f"sample {job.id} is not done yet ({where}); its files appear when its status is done")


DoneJobDep = Annotated[Job, Depends(get_done_job)]


# --------------------------------------------------------------------------- helpers


def _url(request: Request, name: str, **params: str | int) -> str:
    return request.scope.get("root_path", "") + str(request.app.url_path_for(name, **params))


def _links(request: Request, job: Job) -> SampleLinks:
    links = SampleLinks(self=_url(request, "get_sample", sample_id=job.id))
    if job.status == "done":
        links.frames = _url(request, "list_frames", sample_id=job.id)
        links.animation = _url(request, "get_animation", sample_id=job.id)
        links.model = _url(request, "get_model", sample_id=job.id)
        links.pattern = _url(request, "get_pattern", sample_id=job.id)
    return links


def _files(job: Job) -> dict:
    files = (job.summary or {}).get("files")
    return files if isinstance(files, dict) else {}


def _file_response(settings: ServerSettings, job: Job, name: object, what: str, media_type: str) -> FileResponse:
    """Serve ``name`` from the job's folder; 404 unless it is a plain file name of a file inside that folder."""
    folder = settings.job_dir(job.id).resolve()
    if isinstance(name, str) and _FILE_NAME.fullmatch(name):
        path = (folder / name).resolve()
        if path.parent == folder and path.is_file():
            return FileResponse(path, media_type=media_type, headers=_FILE_HEADERS)
    raise NotFoundError(f"sample {job.id} has no {what}")


# --------------------------------------------------------------------------- routes


@router.post(
    "",
    status_code=202,
    response_model=SampleAccepted,
    responses={422: {"description": "the request names an unknown pattern or fabric, a bad size, "
                     "impossible measurements or an out-of-range parameter"},
               413: {"description": "the body is larger than the server accepts"}},
)
def create_sample(body: SampleCreate, request: Request, response: Response, store: StoreDep,
                  worker: WorkerDep) -> SampleAccepted:
    """Validate a sample request and queue it; follow it at ``links.self``."""
    validate_request(body.to_request())  # raises a Garment3DError naming the field: a 4xx, nothing queued
    job = store.create(body.model_dump(mode="json"))
    if worker is not None:
        worker.wake()
    links = _links(request, job)
    response.headers["Location"] = links.self
    return SampleAccepted(id=job.id, status=job.status, links=links)


@router.get("/{sample_id}", response_model=SampleStatus, responses=_NOT_FOUND)
def get_sample(job: JobDep, request: Request) -> SampleStatus:
    """Status, stage and progress of a sample; its report and file links once it is done."""
    return SampleStatus(
        id=job.id,
        status=job.status,
        stage=job.stage,
        progress=job.progress,
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        report=SampleReport.model_validate(job.summary) if job.status == "done" and job.summary else None,
        links=_links(request, job),
    )


@router.get("/{sample_id}/frames", response_model=FrameList, responses=_FILE_ERRORS)
def list_frames(job: DoneJobDep, request: Request) -> FrameList:
    """URLs of the turntable frames, in turning order."""
    count = len(_files(job).get("frames") or [])
    urls = [_url(request, "get_frame", sample_id=job.id, number=n) for n in range(count)]
    return FrameList(id=job.id, count=count, frames=urls)


@router.get("/{sample_id}/frames/{number}", response_class=FileResponse, responses=_FILE_ERRORS)
def get_frame(job: DoneJobDep, number: int, settings: SettingsDep) -> FileResponse:
    """Turntable frame ``number`` (0 = front view) as a PNG."""
    frames = _files(job).get("frames") or []
    if not 0 <= number < len(frames):
        raise NotFoundError(f"sample {job.id} has no frame {number} (it has frames 0 to {len(frames) - 1})")
    return _file_response(settings, job, frames[number], f"frame {number}", "image/png")


@router.get("/{sample_id}/animation", response_class=FileResponse, responses=_FILE_ERRORS)
def get_animation(job: DoneJobDep, settings: SettingsDep) -> FileResponse:
    """The turntable animation (animated WebP, or GIF when so rendered)."""
    name = _files(job).get("animation")
    media_type = _ANIMATION_TYPES.get(Path(name).suffix.lower(), "") if isinstance(name, str) else ""
    if not media_type:
        raise NotFoundError(f"sample {job.id} has no animation")
    return _file_response(settings, job, name, "animation", media_type)


@router.get("/{sample_id}/model.glb", response_class=FileResponse, responses=_FILE_ERRORS)
def get_model(job: DoneJobDep, settings: SettingsDep) -> FileResponse:
    """The draped garment on its mannequin as binary glTF."""
    return _file_response(settings, job, _files(job).get("glb"), "3D model", "model/gltf-binary")


@router.get("/{sample_id}/pattern.svg", response_class=FileResponse, responses=_FILE_ERRORS)
def get_pattern(job: DoneJobDep, settings: SettingsDep) -> FileResponse:
    """The flat pattern pieces, to scale, as SVG."""
    return _file_response(settings, job, _files(job).get("pattern_svg"), "pattern drawing", "image/svg+xml")
