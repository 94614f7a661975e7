"""Inspiration photos: a designer's pictures stored beside the samples they inspired, with their palettes.

Uploads are the raw image bytes (``Content-Type: image/png`` or ``image/jpeg``
or ``image/webp``), checked by decoding them (Pillow) and limited in size; the
palette is the image's dominant colours (Pillow's median cut).
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from sqlalchemy import select

from garment3d.errors import InvalidRequestError, NotFoundError
from server.auth import Principal
from server.db.engine import new_id, now
from server.db.tables import artifacts as artifacts_table
from server.db.tables import inspirations
from server.deps import ArtifactsDep, DbDep, SettingsDep
from server.errors import PROBLEM_RESPONSES, PayloadTooLargeError, problem_doc, clean
from server.samples import get_sample
from server.schemas import InspirationOut, Str

__all__ = ["router", "palette"]

router = APIRouter(prefix="/api/v1/inspirations", tags=["inspirations"], responses=PROBLEM_RESPONSES)
_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
_ID = re.compile(r"[0-9a-f]{32}")


def palette(data: bytes, colours: int = 5) -> list[str]:
    """The image's ``colours`` dominant colours as #rrggbb, most common first."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("RGB")
        small.thumbnail((128, 128))
        quantised = small.quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
        pal = quantised.getpalette()
        counts = sorted(quantised.getcolors(), reverse=True)
    return ["#%02x%02x%02x" % tuple(pal[3 * i: 3 * i + 3]) for _, i in counts]


def _out(request: Request, row) -> InspirationOut:
    return InspirationOut(id=row.id, sample_id=row.sample_id, title=row.title, media_type=row.media_type,
                          palette=row.palette, url=str(request.app.url_path_for("get_inspiration_image",
                                                                                inspiration_id=row.id)),
                          created_at=datetime.fromtimestamp(row.created_at, timezone.utc))


@router.post("", status_code=201, response_model=InspirationOut,
             responses={413: problem_doc("the photo is larger than the server accepts"),
                        415: problem_doc("not a PNG, JPEG or WebP image")},
             openapi_extra={"requestBody": {"required": True, "content": {
                 t: {"schema": {"type": "string", "format": "binary"}} for t in _TYPES}}})
async def upload(request: Request, db: DbDep, artifacts: ArtifactsDep, settings: SettingsDep,
                 user: Principal("inspiration:write"),
                 sample_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")] = None,
                 title: Annotated[Str(0, 200) | None, Query()] = None) -> InspirationOut:
    """Store a photo (raw bytes), optionally beside one of the organisation's samples."""
    from PIL import Image, UnidentifiedImageError

    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _TYPES:
        raise InvalidRequestError(f"header.content-type: send the photo as {', '.join(_TYPES)}, not "
                                  f"'{clean(media_type, 40)}'")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > settings.max_upload_bytes:
        raise PayloadTooLargeError(f"the photo is {int(declared)} bytes; the limit is {settings.max_upload_bytes}")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > settings.max_upload_bytes:
            raise PayloadTooLargeError(f"the photo is larger than the limit of {settings.max_upload_bytes} bytes")
    if sample_id is not None:
        get_sample(db, user.org_id, sample_id)
    try:
        with Image.open(io.BytesIO(bytes(data))) as image:
            if image.format != _TYPES[media_type]:
                raise InvalidRequestError(f"body: the bytes are {image.format}, not {media_type}")
            if image.width * image.height > 50_000_000:
                raise InvalidRequestError("body: the photo has more than 50 megapixels")
            image.verify()
        colours = palette(bytes(data))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise InvalidRequestError(f"body: not a readable {media_type} image ({clean(str(exc), 100)})") from None
    sha, size = artifacts.put_bytes(bytes(data))
    inspiration_id = new_id()
    t = now()
    with db.write() as conn:
        if conn.execute(select(artifacts_table.c.sha256).where(artifacts_table.c.sha256 == sha)).first() is None:
            conn.execute(artifacts_table.insert().values(sha256=sha, size=size, created_at=t))
        conn.execute(inspirations.insert().values(
            id=inspiration_id, org_id=user.org_id, sample_id=sample_id, created_by=user.id, title=title or "",
            media_type=media_type, sha256=sha, palette=colours, created_at=t))
        row = conn.execute(select(inspirations).where(inspirations.c.id == inspiration_id)).first()
    return _out(request, row)


@router.get("", response_model=list[InspirationOut])
def list_inspirations(request: Request, db: DbDep, user: Principal("inspiration:read"),
                      sample_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")] = None
                      ) -> list[InspirationOut]:
    """The organisation's photos, newest first; with ``sample_id``, those stored beside that sample."""
    query = select(inspirations).where(inspirations.c.org_id == user.org_id)
    if sample_id is not None:
        query = query.where(inspirations.c.sample_id == sample_id)
    with db.read() as conn:
        rows = conn.execute(query.order_by(inspirations.c.created_at.desc())).all()
    return [_out(request, row) for row in rows]


@router.get("/{inspiration_id}/image", response_class=FileResponse, name="get_inspiration_image",
            responses={200: {"content": {t: {} for t in _TYPES}}})
def get_inspiration_image(inspiration_id: str, db: DbDep, artifacts: ArtifactsDep,
                          user: Principal("inspiration:read")) -> FileResponse:
    if not _ID.fullmatch(inspiration_id):
        raise NotFoundError(f"no inspiration photo with id '{clean(inspiration_id, 40)}'")
    with db.read() as conn:
        row = conn.execute(select(inspirations).where(inspirations.c.id == inspiration_id,
                                                      inspirations.c.org_id == user.org_id)).first()
    path = artifacts.path(row.sha256) if row else None
    if path is None:
        raise NotFoundError(f"no inspiration photo with id '{inspiration_id}'")
    return FileResponse(path, media_type=row.media_type, content_disposition_type="inline",
                        filename=f"inspiration-{inspiration_id[:8]}.{_TYPES[row.media_type].lower()}")
