"""Uploaded pattern definitions: a designer's own TOML, GarmentCode JSON, DXF or SVG (+ sidecar TOML).

An upload is data, never code: its bytes are size-limited here, then read and
fully checked by :func:`garment3d.patterns.formats.load.load_pattern_bytes`
(TOML through ``tomllib`` with formulas walked over a whitelist, JSON through
``json``, DXF through a bounded pre-scan and ``ezdxf``, SVG through
``defusedxml``) before anything is stored. The checked bytes go into the
content-addressed artifact store; a row in ``pattern_uploads`` records them for
the uploader's organisation. A sample names the upload by id
(``pattern_upload``); the route that validates the sample and the worker that
computes it both write the stored bytes into a scratch folder under a fixed
name and hand the pipeline those files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from garment3d.errors import NotFoundError
from garment3d.patterns.formats.load import PATTERN_KINDS, LoadedPattern, kind_of_file, load_pattern_bytes
from server.accounts import User
from server.db.engine import Database, new_id, now
from server.db.tables import artifacts as artifacts_table
from server.db.tables import pattern_uploads
from server.errors import PayloadTooLargeError, clean
from server.storage import ArtifactStore

__all__ = ["PatternUpload", "store_upload", "get_upload", "list_uploads", "write_upload_files", "UPLOAD_ID",
           "SUFFIX_BY_KIND", "read_limited"]

UPLOAD_ID = r"[0-9a-f]{32}"
SUFFIX_BY_KIND = {"toml": ".toml", "garmentcode": ".json", "dxf": ".dxf", "svg": ".svg"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class PatternUpload:
    id: str
    org_id: str
    created_by: str
    name: str  # the uploaded file's name, made safe (display only; never a path)
    kind: str  # toml | garmentcode | dxf | svg
    sha256: str
    sidecar_sha256: str | None
    units: str | None
    fixed_size: bool
    pieces: list[str]
    body: dict[str, float] | None  # the body a fixed-size pattern was drafted for, when its sidecar says
    size: str | None  # the size of a graded file that is used
    created_at: float


def safe_name(file_name: str | None, kind: str) -> str:
    """A display name from the client's file name: no folders, printable ASCII, the kind's suffix."""
    stem = Path(str(file_name or "pattern").replace("\\", "/")).name
    stem = _SAFE_NAME.sub("_", stem).strip("._") or "pattern"
    stem = stem[:80]
    suffix = SUFFIX_BY_KIND[kind]
    return stem if stem.lower().endswith(suffix) else stem + suffix


def read_limited(stream, limit: int, what: str) -> bytes:
    """At most ``limit`` bytes of a file-like upload; more is a 413 naming the limit."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLargeError(f"{what} is larger than the limit of {limit} bytes")
    return data


def detect_kind(kind: str | None, file_name: str | None) -> str:
    """The kind given, else the one the file name's suffix names (.toml, .json, .dxf, .svg)."""
    if kind:
        return kind  # load_pattern_bytes refuses an unknown one, naming the known kinds
    return kind_of_file(Path(Path(str(file_name or "")).name or "upload"))


def check_upload(data: bytes, kind: str, name: str, sidecar: bytes | None, units: str | None,
                 max_bytes: int) -> LoadedPattern:
    """Parse and check the upload; raises ImportFormatError / InvalidPatternError naming the problem."""
    loaded = load_pattern_bytes(data, kind, name=name, sidecar=sidecar, sidecar_name="sidecar", units=units,
                                max_bytes=max_bytes)
    loaded.check_sewable()  # a DXF or SVG without a sidecar cannot be sampled: refuse it now, not in a job
    return loaded


def _pieces(loaded: LoadedPattern) -> list[str]:
    try:
        return [panel.name for panel in loaded.pieces().panels]
    except Exception:  # listing is a courtesy: the load above already validated the upload
        return []


def store_upload(db: Database, store: ArtifactStore, user: User, *, data: bytes, kind: str, file_name: str | None,
                 sidecar: bytes | None, units: str | None, max_bytes: int) -> PatternUpload:
    """Check the upload and record it for the user's organisation."""
    name = safe_name(file_name, kind) if kind in PATTERN_KINDS else clean(str(file_name or "pattern"), 80)
    loaded = check_upload(data, kind, name, sidecar, units, max_bytes)
    body = loaded.body
    shas = [store.put_bytes(data)]
    if sidecar is not None:
        shas.append(store.put_bytes(sidecar))
    upload_id = new_id()
    t = now()
    with db.write() as conn:
        for sha, size in shas:
            if conn.execute(select(artifacts_table.c.sha256).where(artifacts_table.c.sha256 == sha)).first() is None:
                conn.execute(artifacts_table.insert().values(sha256=sha, size=size, created_at=t))
        conn.execute(pattern_uploads.insert().values(
            id=upload_id, org_id=user.org_id, created_by=user.id, name=name, kind=kind, sha256=shas[0][0],
            sidecar_sha256=shas[1][0] if sidecar is not None else None, units=units, fixed_size=loaded.fixed_size,
            pieces=_pieces(loaded),
            body=None if body is None else {"height": body.height_cm, "bust": body.bust_cm, "waist": body.waist_cm,
                                            "hip": body.hip_cm},
            size=loaded.size, created_at=t,
        ))
    return get_upload(db, user.org_id, upload_id)


def _upload(row) -> PatternUpload:
    return PatternUpload(**{name: row._mapping[name] for name in PatternUpload.__dataclass_fields__})


def get_upload(db: Database, org_id: str | None, upload_id: str) -> PatternUpload:
    """The upload, if it exists in ``org_id`` (None: any organisation, for the worker)."""
    if not re.fullmatch(UPLOAD_ID, str(upload_id)):
        raise NotFoundError(f"no uploaded pattern with id '{clean(str(upload_id), 40)}' (ids are 32 hex digits)")
    query = select(pattern_uploads).where(pattern_uploads.c.id == upload_id)
    if org_id is not None:
        query = query.where(pattern_uploads.c.org_id == org_id)
    with db.read() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no uploaded pattern with id '{upload_id}'")
    return _upload(row)


def list_uploads(db: Database, org_id: str) -> list[PatternUpload]:
    with db.read() as conn:
        rows = conn.execute(select(pattern_uploads).where(pattern_uploads.c.org_id == org_id)
                            .order_by(pattern_uploads.c.created_at.desc())).all()
    return [_upload(row) for row in rows]


def write_upload_files(upload: PatternUpload, store: ArtifactStore, folder: Path) -> tuple[Path, Path | None]:
    """The upload's pattern file (and sidecar) written into ``folder`` under fixed names, for the pipeline."""
    folder.mkdir(parents=True, exist_ok=True)
    source = store.path(upload.sha256)
    if source is None:
        raise NotFoundError(f"the file of uploaded pattern '{upload.id}' is no longer stored; upload it again")
    pattern_path = folder / f"pattern{SUFFIX_BY_KIND[upload.kind]}"
    pattern_path.write_bytes(source.read_bytes())
    sidecar_path = None
    if upload.sidecar_sha256 is not None:
        side = store.path(upload.sidecar_sha256)
        if side is None:
            raise NotFoundError(f"the sidecar of uploaded pattern '{upload.id}' is no longer stored; upload it again")
        sidecar_path = folder / "sidecar.toml"
        sidecar_path.write_bytes(side.read_bytes())
    return pattern_path, sidecar_path
