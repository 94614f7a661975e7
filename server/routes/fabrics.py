"""The fabric library over HTTP: a fabric's sheet and images, scan / U3M / print imports, colorways, palettes.

Self-contained router without a prefix of its own: the app mounts it
(``app.include_router(fabrics.router, prefix="/api/v1")``), so it can move under
a versioned prefix unchanged. Paths below are relative to that prefix:

- ``GET  /fabrics/{name}``                      the fabric's sheet (properties, colorways, sources, credits)
- ``GET  /fabrics/{name}/images/{map}.png``     ``base``, ``normal`` or ``roughness``
- ``GET  /fabrics/{name}/colorways/{colour}.png`` the base colour recoloured (``#`` may be left out of a hex)
- ``GET  /fabrics/{name}/export.u3ma``          the fabric as a U3MA archive
- ``POST /fabric-scans``                       multipart: ``image`` + form fields -> a new fabric, seam figures
- ``POST /fabric-u3m``                         multipart: ``file`` (.u3m or .u3ma) + ``name`` -> a new fabric
- ``POST /fabric-prints``                      multipart: ``motif`` + name, base, width/height cm, mode
- ``POST /palettes``                            multipart: ``photo`` (+ ``count``, ``fabric``) -> named colours

Uploads are read up to a size limit and handed to garment3d.fabric, which
checks them as hostile data; every failure is a Garment3DError, which
``server/errors.py`` maps to a 4xx naming the problem. Routes are plain
functions (FastAPI runs them in its thread pool: imports take seconds).
Reading needs ``catalog:read``; imports, prints and palettes ``fabric:write``
(designers and admins). The library is shared by every organisation.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel

from garment3d.errors import InvalidRequestError, NotFoundError
from garment3d.fabric.properties import FabricRecord, load_record
from server.auth import Principal
from server.errors import PROBLEM_RESPONSES, problem_doc

__all__ = ["router", "MAX_UPLOAD_BYTES"]

router = APIRouter(tags=["fabrics"], responses=PROBLEM_RESPONSES | {
    413: problem_doc("the upload is larger than the server accepts"),
})
_PNG = {200: {"content": {"image/png": {}}, "description": "PNG image"}}
_ZIP = {200: {"content": {"application/zip": {}}, "description": "U3MA archive (zip)"}}

MAX_UPLOAD_BYTES = 100 * 2**20
_MAPS = {"base": "texture_path", "normal": "normal_path", "roughness": "roughness_path"}


class ColorwayOut(BaseModel):
    name: str
    hex: str
    swatch_url: str


class FabricSheet(BaseModel):
    name: str
    display_name: str
    kind: str
    composition: str
    construction: str
    density_gsm: float
    thickness_mm: float
    stretch_warp_n_per_m: float
    stretch_weft_n_per_m: float
    shear_n_per_m: float
    bending_warp_unm: float
    bending_weft_unm: float
    friction: float
    tile_cm: tuple[float, float]
    roll_width_cm: float | None
    price_per_m: float | None
    currency: str
    roughness: float
    sheen: float
    sheen_roughness: float
    anisotropy: float
    opacity: float
    drape_coefficient_range: tuple[float, float] | None
    print_repeat: dict | None
    colorways: list[ColorwayOut]
    sources: dict[str, str]
    images: dict[str, dict[str, str]]
    image_urls: dict[str, str]


class SeamOut(BaseModel):
    edge_step: float
    interior_step: float
    seamless: bool


class ScanImported(BaseModel):
    fabric: FabricSheet
    px_per_cm: float
    white_balance: str
    seam_before: SeamOut
    seam_after: SeamOut


class PaletteColourOut(BaseModel):
    hex: str
    lab: tuple[float, float, float]
    name: str
    share: float
    swatch_url: str | None = None


def _url(request: Request, route: str, **params: str) -> str:
    """The path of one of this router's routes, with whatever prefix the app mounted it under."""
    return request.url_for(route, **params).path


def _sheet(record: FabricRecord, request: Request) -> FabricSheet:
    f = record.fabric
    repeat = f.print_repeat
    return FabricSheet(
        name=f.name, display_name=f.display_name, kind=record.kind, composition=f.composition,
        construction=f.construction, density_gsm=f.density_gsm, thickness_mm=f.thickness_mm,
        stretch_warp_n_per_m=f.stretch_warp_n_per_m, stretch_weft_n_per_m=f.stretch_weft_n_per_m,
        shear_n_per_m=f.shear_n_per_m, bending_warp_unm=f.bending_warp_unm, bending_weft_unm=f.bending_weft_unm,
        friction=f.friction, tile_cm=f.tile_cm, roll_width_cm=f.roll_width_cm, price_per_m=f.price_per_m,
        currency=f.currency, roughness=f.roughness, sheen=f.sheen, sheen_roughness=f.sheen_roughness,
        anisotropy=f.anisotropy, opacity=f.opacity, drape_coefficient_range=record.drape_range,
        print_repeat=None if repeat is None else {"size_cm": list(repeat.size_cm), "mode": repeat.mode},
        colorways=[ColorwayOut(name=c.name, hex=c.hex, swatch_url=_url(request, "fabric_colorway", name=f.name,
                                                                       colour=c.hex.lstrip("#")))
                   for c in f.colorways],
        sources=record.sources,
        images={file: {"source": s, "licence": lic} for file, (s, lic) in record.image_credits.items()},
        image_urls={key: _url(request, "fabric_image", name=f.name, which=key)
                    for key, field in _MAPS.items() if getattr(f, field) is not None},
    )  # fmt: skip


def _read_upload(upload: UploadFile, what: str) -> bytes:
    data = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidRequestError(f"{what} is larger than {MAX_UPLOAD_BYTES // 2**20} MB")
    if not data:
        raise InvalidRequestError(f"{what} is empty")
    return data


@router.get("/fabrics/{name}", response_model=FabricSheet)
def fabric_sheet(user: Principal("catalog:read"), name: str, request: Request) -> FabricSheet:
    """A library fabric's properties, colorways, published sources and image credits."""
    return _sheet(load_record(name), request)


@router.get("/fabrics/{name}/images/{which}.png", response_class=FileResponse, responses=_PNG)
def fabric_image(user: Principal("catalog:read"), name: str, which: str) -> FileResponse:
    """One of the fabric's PBR images: ``base`` colour, ``normal`` map or ``roughness`` map."""
    if which not in _MAPS:
        raise NotFoundError(f"fabric image '{which}' does not exist (base, normal or roughness)")
    path = getattr(load_record(name).fabric, _MAPS[which])
    if path is None:
        raise NotFoundError(f"fabric '{name}' has no {which} map")
    return FileResponse(path, media_type="image/png")


@router.get("/fabrics/{name}/colorways/{colour}.png", response_class=FileResponse, responses=_PNG)
def fabric_colorway(user: Principal("catalog:read"), name: str, colour: str) -> FileResponse:
    """The fabric's base colour recoloured to ``colour`` (hex without '#', a colorway name or a CSS name)."""
    from garment3d.fabric.colorway import apply_colorway

    fabric = load_record(name).fabric
    key = f"#{colour}" if len(colour) == 6 and all(c in "0123456789abcdefABCDEF" for c in colour) else colour
    return FileResponse(apply_colorway(fabric, key).texture_path, media_type="image/png")


@router.get("/fabrics/{name}/export.u3ma", responses=_ZIP)
def fabric_u3ma(user: Principal("catalog:read"), name: str) -> Response:
    """The fabric as a U3MA archive (U3M 1.1 JSON, PNG textures, garment3d's own fields under custom)."""
    from garment3d.fabric.u3m import export_u3ma

    record = load_record(name)
    with tempfile.TemporaryDirectory() as folder:
        data = export_u3ma(record, Path(folder) / f"{name}.u3ma").read_bytes()
    return Response(data, media_type="application/zip",
                    headers={"content-disposition": f'attachment; filename="{name}.u3ma"'})  # fmt: skip


@router.post("/fabric-scans", response_model=ScanImported, status_code=201)
def import_scan_route(
    user: Principal("fabric:write"),
    request: Request,
    image: Annotated[UploadFile, File(description="PNG, JPEG or TIFF scan or photo, 8 or 16 bit")],
    name: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    dpi: Annotated[float | None, Form()] = None,
    width_cm: Annotated[float | None, Form()] = None,
    crop: Annotated[str | None, Form(description="left,top,right,bottom in px")] = None,
    neutral: Annotated[str | None, Form(description="left,top,right,bottom of a neutral card in px")] = None,
    white_balance: Annotated[str | None, Form()] = None,
    display_name: Annotated[str, Form()] = "",
    composition: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "scan uploaded by a user",
    licence: Annotated[str, Form()] = "owned by the uploader",
) -> ScanImported:
    """Import a scan as a new library fabric; the answer reports the tile seam before and after."""
    from garment3d.fabric.scan import ScanImport, import_scan

    options = ScanImport(
        name=name, kind=kind, display_name=display_name, dpi=dpi, width_cm=width_cm, crop_px=_box(crop, "crop"),
        neutral_patch_px=_box(neutral, "neutral"), white_balance=white_balance, composition=composition,
        source=source, licence=licence,
    )  # fmt: skip
    result = import_scan(_read_upload(image, "image"), options, file_name=image.filename)
    return ScanImported(fabric=_sheet(result.record, request), px_per_cm=result.px_per_cm,
                        white_balance=result.white_balance, seam_before=_seam(result.seam_before),
                        seam_after=_seam(result.seam_after))  # fmt: skip


def _seam(seam) -> SeamOut:
    return SeamOut(edge_step=seam.edge_step, interior_step=seam.interior_step, seamless=seam.seamless)


def _box(text: str | None, what: str) -> tuple[int, int, int, int] | None:
    if text is None or not text.strip():
        return None
    try:
        values = tuple(int(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4:
        raise InvalidRequestError(f"{what} must be 'left,top,right,bottom' in pixels, got '{text}'")
    return values


@router.post("/fabric-u3m", response_model=FabricSheet, status_code=201)
def import_u3m_route(
    user: Principal("fabric:write"),
    request: Request,
    file: Annotated[UploadFile, File(description=".u3ma archive (or a .u3m JSON without textures)")],
    name: Annotated[str, Form()],
    kind: Annotated[str | None, Form()] = None,
) -> FabricSheet:
    """Import a U3M material as a new library fabric."""
    from garment3d.fabric.u3m import import_u3m

    return _sheet(import_u3m(_read_upload(file, "file"), name, kind=kind, file_name=file.filename), request)


@router.post("/fabric-prints", response_model=FabricSheet, status_code=201)
def make_print_route(
    user: Principal("fabric:write"),
    request: Request,
    motif: Annotated[UploadFile, File(description="PNG, JPEG or TIFF motif or full repeat")],
    name: Annotated[str, Form()],
    base: Annotated[str, Form(description="library fabric printed on")],
    width_cm: Annotated[float, Form()],
    height_cm: Annotated[float, Form()],
    mode: Annotated[str, Form(description="full_drop, half_drop or mirror")] = "full_drop",
) -> FabricSheet:
    """Make a print fabric: the motif repeated at its size in ``mode`` on the base fabric."""
    from garment3d.fabric.prints import make_print_fabric

    record = make_print_fabric(_read_upload(motif, "motif"), name, base=base, size_cm=(width_cm, height_cm),
                               mode=mode, file_name=motif.filename, source="print uploaded by a user",
                               licence="owned by the uploader")  # fmt: skip
    return _sheet(record, request)


@router.post("/palettes", response_model=list[PaletteColourOut])
def palette_route(
    user: Principal("fabric:write"),
    request: Request,
    photo: Annotated[UploadFile, File(description="inspiration photo: PNG, JPEG or TIFF")],
    count: Annotated[int | None, Form()] = None,
    fabric: Annotated[str | None, Form(description="offer the colours as colorways of this fabric")] = None,
    save: Annotated[bool, Form(description="add the colours to the fabric's colorways")] = False,
) -> list[PaletteColourOut]:
    """3-8 named colours of an inspiration photo (CIELAB), with swatch URLs of ``fabric`` in each.

    With ``save`` the colours join the fabric's colorways (the library grows from inspiration).
    """
    from garment3d.fabric.palette import palette_colorways, palette_from_image
    from garment3d.fabric.properties import add_colorways

    if fabric is not None:
        load_record(fabric)  # an unknown fabric fails before the work
    colours = palette_from_image(_read_upload(photo, "photo"), count, file_name=photo.filename)
    if save:
        if fabric is None:
            raise InvalidRequestError("'save' needs 'fabric': the fabric whose colorways the palette joins")
        add_colorways(fabric, palette_colorways(colours))
    return [
        PaletteColourOut(hex=c.hex, lab=c.lab, name=c.name, share=c.share,
                         swatch_url=_url(request, "fabric_colorway", name=fabric, colour=c.hex.lstrip("#"))
                         if fabric else None)
        for c in colours
    ]  # fmt: skip
