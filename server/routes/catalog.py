"""GET /api/patterns and GET /api/fabrics: what a sample can be made of."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from garment3d.errors import Garment3DError
from garment3d.fabrics import list_fabrics, load_fabric
from garment3d.patterns import get_definition, list_patterns
from server.schemas import FabricInfo, ParameterInfo, PatternInfo

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["catalog"])


@router.get("/patterns", response_model=list[PatternInfo])
def patterns() -> list[PatternInfo]:
    """Every library pattern with its style parameters (default and allowed range)."""
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
                description=definition.description,
                measurements=list(definition.measurements),
                parameters=[
                    ParameterInfo(
                        name=p.name, label=p.label, unit=p.unit, default=p.default, minimum=p.minimum, maximum=p.maximum
                    )
                    for p in definition.parameters
                ],
            )
        )
    return result


@router.get("/fabrics", response_model=list[FabricInfo])
def fabrics() -> list[FabricInfo]:
    """Every library fabric."""
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
                density_gsm=fabric.density_gsm,
                thickness_mm=fabric.thickness_mm,
            )
        )
    return result
