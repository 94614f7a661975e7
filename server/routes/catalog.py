"""GET /api/v1/patterns, /fabrics, /sizes: what a sample can be made of.

Each pattern also has a thumbnail (``GET /api/v1/patterns/{name}/thumbnail.png``,
its pieces at default parameters and 160/84A, cached by definition content)
and a graded nest download (``GET /api/v1/patterns/{name}/nest.svg|dxf|pdf?sizes=...``).
The pattern list is parsed once per change of the library folder (its files'
names, sizes and modification times), not on every request.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from garment3d.errors import Garment3DError, InvalidRequestError, NotFoundError, UnknownPatternError
from garment3d.fabrics import list_fabrics, load_fabric
from garment3d.patterns import PatternDefinition, get_definition, list_patterns
from garment3d.patterns.grading import GRADING_REFERENCES, grade, nest_to_pdf, nest_to_svg, write_nest
from garment3d.patterns.thumbnail import DEFAULT_THUMBNAIL_PX, PX_RANGE, thumbnail_key, thumbnail_png
from garment3d.quote import display_name
from garment3d.settings import get_settings as get_library_settings
from server.auth import Principal
from server.errors import PROBLEM_RESPONSES, clean
from server.schemas import (NEST_MEDIA_TYPES, ColorwayInfo, FabricInfo, FigureInfo, ParameterInfo, PatternInfo,
                            SizeChart)

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["catalog"], responses=PROBLEM_RESPONSES)
_cache: dict[str, tuple[tuple, list]] = {}


def _folder_key(folder: Path, pattern: str) -> tuple:
    return tuple((p.name, s.st_size, s.st_mtime_ns) for p in sorted(folder.glob(pattern)) for s in [p.stat()])


@router.get("/patterns", response_model=list[PatternInfo])
def patterns(user: Principal("catalog:read")) -> list[PatternInfo]:
    """Every library pattern with its style parameters (default and allowed range) and names in en/zh."""
    key = _folder_key(get_library_settings().patterns_dir, "*.toml")
    cached = _cache.get("patterns")
    if cached is None or cached[0] != key:
        cached = (key, _patterns())
        _cache["patterns"] = cached
    return cached[1]


def _patterns() -> list[PatternInfo]:
    result = []
    for name in list_patterns():
        try:
            definition = get_definition(name)
        except Garment3DError as exc:  # a broken library file must not hide the others
            log.warning("pattern %s left out of the catalog: %s", name, exc)
            continue
        result.append(
            PatternInfo(
                name=definition.name,
                label=definition.label,
                label_zh=display_name(definition.name, "zh", ""),
                description=definition.description,
                measurements=list(definition.measurements),
                parameters=[
                    ParameterInfo(
                        name=p.name, label=p.label, unit=p.unit, default=p.default, minimum=p.minimum, maximum=p.maximum
                    )
                    for p in definition.parameters
                ],
                thumbnail_url=f"/api/v1/patterns/{definition.name}/thumbnail.png",
                nest_url=f"/api/v1/patterns/{definition.name}/nest.svg",
            )
        )
    return result


def _library_definition(name: str) -> PatternDefinition:
    """The library definition ``name``, or 404 naming the known ones."""
    try:
        return get_definition(name)
    except UnknownPatternError as exc:
        raise NotFoundError(clean(str(exc))) from None


@router.get(
    "/patterns/{name}/thumbnail.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}, "description": "PNG of the pattern's pieces"},
               404: {"description": "no pattern of that name"}},
)
def pattern_thumbnail(
    name: str,
    request: Request,
    user: Principal("catalog:read"),
    px: Annotated[int, Query(ge=PX_RANGE[0], le=PX_RANGE[1], description="width and height in pixels")] = (
        DEFAULT_THUMBNAIL_PX
    ),
) -> Response:
    """A small PNG of the pattern's flat pieces (default parameters, size 160/84A)."""
    definition = _library_definition(name)
    etag = f'"{thumbnail_key(definition, px)[:32]}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(thumbnail_png(definition, px), media_type="image/png", headers=headers)


def _parameters(values: list[str]) -> dict[str, float]:
    """``["length=70", ...]`` -> ``{"length": 70.0}``; ranges are the pattern's to check."""
    result = {}
    for text in values:
        key, sep, value = text.partition("=")
        try:
            number = float(value) if sep else None
        except ValueError:
            number = None
        if number is None:
            raise InvalidRequestError(f"query.param: '{clean(text, 80)}' is not NAME=NUMBER")
        result[key.strip()] = number
    return result


@router.get(
    "/patterns/{name}/nest.{fmt}",
    response_class=Response,
    responses={200: {"content": {t: {} for t in NEST_MEDIA_TYPES.values()}, "description": "the graded nest file"},
               404: {"description": "no pattern of that name, or an unknown format"}},
)
def pattern_nest(
    name: str,
    fmt: str,
    user: Principal("catalog:read"),
    sizes: Annotated[
        str, Query(min_length=1, max_length=400, description="comma-separated sizes, e.g. 155/80A,160/84A")
    ],
    gender: Annotated[str, Query(pattern="^(female|male)$")] = "female",
    reference: Annotated[str, Query(description=f"grading reference: {', '.join(GRADING_REFERENCES)}")] = "anchor",
    param: Annotated[
        list[str], Query(max_length=64, description="style parameter NAME=NUMBER, repeatable")
    ] = [],  # noqa: B006 - FastAPI copies the default
) -> Response:
    """The pattern at several sizes aligned at the grading reference, as one SVG, DXF or PDF file."""
    if fmt not in NEST_MEDIA_TYPES:
        raise NotFoundError(f"no nest format '{clean(fmt, 20)}' (known: {', '.join(NEST_MEDIA_TYPES)})")
    definition = _library_definition(name)
    labels = [s.strip() for s in sizes.split(",")]
    nest = grade(definition, labels, _parameters(param), gender, reference)
    if fmt == "svg":
        content = nest_to_svg(nest).encode("utf-8")
    elif fmt == "pdf":
        content = nest_to_pdf(nest)
    else:
        with tempfile.TemporaryDirectory(prefix="garment3d-nest-") as folder:
            content = write_nest(nest, Path(folder) / "nest.dxf").read_bytes()
    digest = hashlib.sha256(",".join(nest.labels).encode()).hexdigest()[:8]
    filename = f"{definition.name}-nest-{digest}.{fmt}"
    return Response(content, media_type=NEST_MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/fabrics", response_model=list[FabricInfo])
def fabrics(request: Request, user: Principal("catalog:read")) -> list[FabricInfo]:
    """Every library fabric, with its names in en/zh, its swatch and its colorways with theirs."""
    result = []
    for name in list_fabrics():
        try:
            fabric = load_fabric(name)
        except Garment3DError as exc:
            log.warning("fabric %s left out of the catalog: %s", name, exc)
            continue
        result.append(
            FabricInfo(
                name=fabric.name,
                display_name=fabric.display_name,
                display_name_zh=display_name(fabric.name, "zh", ""),
                density_gsm=fabric.density_gsm,
                thickness_mm=fabric.thickness_mm,
                swatch_url=request.url_for("fabric_image", name=fabric.name, which="base").path,
                colorways=[ColorwayInfo(name=c.name, hex=c.hex, swatch_url=request.url_for(
                    "fabric_colorway", name=fabric.name, colour=c.hex.lstrip("#")).path) for c in fabric.colorways],
            )
        )
    return result


# The render's figure styles (garment3d.render.figure.FIGURE_STYLES), named for the catalogue.
_FIGURES = {
    "dress_form": ("Dress form", "人台", "a tailor's dress form: the torso on a pole and base, matte ecru"),
    "mannequin": ("Mannequin", "模特", "a whole smoothed figure with an abstract head, satin white"),
    "avatar": ("Avatar", "虚拟人体", "the fitted body itself, in a chosen skin tone"),
}


@router.get("/figures", response_model=list[FigureInfo])
def figures(user: Principal("catalog:read")) -> list[FigureInfo]:
    """The figure styles a sample can be shown on (``figure`` in a sample request; display only)."""
    from garment3d.render.figure import FIGURE_STYLES, SKIN_TONES

    return [FigureInfo(name=style, label=_FIGURES[style][0], label_zh=_FIGURES[style][1],
                       description=_FIGURES[style][2], skin_tones=list(SKIN_TONES) if style == "avatar" else [])
            for style in FIGURE_STYLES]


@router.get("/sizes", response_model=SizeChart)
def size_chart(user: Principal("catalog:read"), system: Annotated[str, Query(pattern="^(gbt|international)$")] = "gbt",
               gender: Annotated[str, Query(pattern="^(female|male)$")] = "female") -> SizeChart:
    """The sizes of a size system with their body measurements (cm)."""
    from garment3d.sizes import sizes_of

    rows = [{"label": s.label, "system": s.system, "height_cm": s.measurements.height_cm,
             "bust_cm": s.measurements.bust_cm, "waist_cm": s.measurements.waist_cm, "hip_cm": s.measurements.hip_cm}
            for s in sizes_of(system, gender)]
    return SizeChart(system=system, gender=gender, sizes=rows)
