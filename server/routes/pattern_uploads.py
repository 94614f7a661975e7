"""POST /api/v1/patterns: upload a pattern definition; GET /api/v1/patterns/uploads[/{id}]: the organisation's.

The upload is multipart: ``file`` (TOML definition, GarmentCode specification
JSON, DXF-AAMA/ASTM or SVG), optionally ``sidecar`` (TOML: placements, seams,
``[body]``; required for DXF and SVG), ``kind`` (default: from the file name's
suffix) and ``units`` (DXF only). The file is refused over
``GARMENT3D_MAX_UPLOAD_BYTES`` (413) and checked completely before it is
stored (422 naming the line, piece, edge or field); it is data, never executed.
A sample then names it: ``POST /api/v1/samples {"pattern_upload": ID, ...}``.
Uploading is for designers and admins; every role of the organisation may read.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile

from garment3d.errors import InvalidPatternError, InvalidRequestError
from garment3d.patterns.formats.sidecar import MAX_SIDECAR_BYTES

from server.auth import Principal
from server.deps import ArtifactsDep, DbDep, SettingsDep
from server.errors import PROBLEM_RESPONSES, problem_doc
from server.pattern_uploads import (
    PatternUpload,
    detect_kind,
    get_upload,
    list_uploads,
    read_limited,
    store_upload,
)
from server.schemas import PatternUploadOut

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/patterns", tags=["patterns"], responses=PROBLEM_RESPONSES)


def _out(upload: PatternUpload) -> PatternUploadOut:
    return PatternUploadOut(
        id=upload.id, name=upload.name, kind=upload.kind, sidecar=upload.sidecar_sha256 is not None,
        units=upload.units, fixed_size=upload.fixed_size, pieces=upload.pieces, body=upload.body, size=upload.size,
        created_at=datetime.fromtimestamp(upload.created_at, timezone.utc),
    )


@router.post("", status_code=201, response_model=PatternUploadOut,
             responses={413: problem_doc("the file is larger than GARMENT3D_MAX_UPLOAD_BYTES")})
def upload_pattern(
    db: DbDep, artifacts: ArtifactsDep, settings: SettingsDep, user: Principal("pattern:write"),
    file: Annotated[UploadFile, File(description="TOML definition, GarmentCode specification (.json), DXF or SVG")],
    sidecar: Annotated[UploadFile | None, File(description="TOML: placements, seams, [body] (DXF/SVG need one)")]
    = None,
    kind: Annotated[Literal["toml", "garmentcode", "dxf", "svg"] | None,
                    Form(description="default: from the file name (.toml, .json, .dxf, .svg)")] = None,
    units: Annotated[Literal["mm", "cm", "inch", "m"] | None,
                     Form(description="DXF only: units instead of what the file states or suggests")] = None,
) -> PatternUploadOut:
    """Upload a pattern definition: checked in full, stored for your organisation, never executed."""
    data = read_limited(file.file, settings.max_upload_bytes, "the pattern file")
    side = read_limited(sidecar.file, MAX_SIDECAR_BYTES, "the sidecar") if sidecar is not None else None
    if not data:
        raise _named(InvalidRequestError("the pattern file is empty"), "body.file")
    if side is not None and not side.strip():
        raise _named(InvalidRequestError("the sidecar is empty"), "body.sidecar")
    try:
        upload = store_upload(db, artifacts, user, data=data, kind=detect_kind(kind, file.filename),
                              file_name=file.filename, sidecar=side, units=units,
                              max_bytes=settings.max_upload_bytes)
    except InvalidPatternError as exc:  # name the part of the upload at fault in the problem's 'field'
        raise _named(exc, "body.sidecar" if _about_sidecar(str(exc)) else "body.file") from None
    return _out(upload)


def _about_sidecar(message: str) -> bool:
    return "sidecar" in message.split(":", 1)[0] or message.split(":", 1)[-1].lstrip().startswith("seam")


def _named(error: Exception, field: str) -> Exception:
    error.field = field  # server/errors.py puts it in the problem's 'field'
    return error


@router.get("/uploads", response_model=list[PatternUploadOut])
def list_uploaded(db: DbDep, user: Principal("sample:read")) -> list[PatternUploadOut]:
    """The organisation's uploaded patterns, newest first."""
    return [_out(u) for u in list_uploads(db, user.org_id)]


@router.get("/uploads/{upload_id}", response_model=PatternUploadOut)
def get_uploaded(upload_id: str, db: DbDep, user: Principal("sample:read")) -> PatternUploadOut:
    """One uploaded pattern (another organisation's is as unknown as a missing one)."""
    return _out(get_upload(db, user.org_id, upload_id))
