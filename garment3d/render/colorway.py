"""Colourway batches: one drape shown in many fabrics or colours, without simulating again.

Any list of :class:`Fabric` values works: library fabrics, or one fabric
recoloured (``dataclasses.replace(fabric, tint=...)``). The scene is built once;
only the garment's textures and material change between stills. The drape is
the one simulated with the first fabric: a much stiffer or heavier fabric would
hang differently, so a colourway batch is for colours and close relatives.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from garment3d.errors import InvalidRequestError
from garment3d.render.outputs import save_image
from garment3d.render.studio import Studio
from garment3d.render.turntable import check_options, open_scene
from garment3d.types import Body, Drape, Fabric, RenderOptions

__all__ = ["ColorwaySet", "render_colorways", "MAX_COLORWAYS"]

log = logging.getLogger(__name__)

MAX_COLORWAYS = 64
_CAPTION_PX = 28


@dataclass(frozen=True)
class ColorwaySet:
    """One still per fabric (in order) and a contact sheet of them all with captions."""

    stills: tuple[Path, ...]
    contact_sheet: Path


def render_colorways(
    drape: Drape,
    body: Body,
    fabrics: Sequence[Fabric],
    options: RenderOptions,
    out_dir: Path,
    *,
    azimuth_deg: float = 0.0,
    size_px: int = 512,
    studio: Studio = Studio(),
) -> ColorwaySet:
    """Write ``colorway_00_<fabric>.png``... and ``contact_sheet.png`` into ``out_dir``."""
    fabrics = list(fabrics)
    if not 1 <= len(fabrics) <= MAX_COLORWAYS:
        raise InvalidRequestError(f"a colourway batch needs 1 to {MAX_COLORWAYS} fabrics, got {len(fabrics)}")
    check_options(options)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stills, images = [], []
    with open_scene(drape, body, fabrics[0], options, studio) as scene:
        for index, fabric in enumerate(fabrics):
            if index:
                scene.set_fabric(fabric)
            image = scene.render(azimuth_deg, size_px)[:, :, :3].copy()
            images.append(image)
            stills.append(save_image(image, out_dir / f"colorway_{index:02d}_{_slug(fabric.name)}.png"))
    sheet = _contact_sheet(images, [_caption(f) for f in fabrics], studio.background_rgb)
    contact = save_image(sheet, out_dir / "contact_sheet.png")
    log.info("rendered %d colourways", len(fabrics))
    return ColorwaySet(stills=tuple(stills), contact_sheet=contact)


def _caption(fabric: Fabric) -> str:
    tint = "" if np.allclose(fabric.tint, 1.0) else " tint " + ",".join(f"{c:.2f}" for c in fabric.tint)
    return f"{fabric.display_name}{tint}"


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_") or "fabric"


def _contact_sheet(images: list[np.ndarray], captions: list[str], background_rgb) -> np.ndarray:
    from PIL import Image, ImageDraw

    size = images[0].shape[0]
    columns = min(len(images), max(1, math.ceil(math.sqrt(len(images) * 1.5))))
    rows = math.ceil(len(images) / columns)
    fill = tuple(int(round(c * 255)) for c in background_rgb)
    sheet = Image.new("RGB", (columns * size, rows * (size + _CAPTION_PX)), fill)
    draw = ImageDraw.Draw(sheet)
    for index, (image, caption) in enumerate(zip(images, captions)):
        x, y = (index % columns) * size, (index // columns) * (size + _CAPTION_PX)
        sheet.paste(Image.fromarray(image), (x, y))
        draw.text((x + 8, y + size + 8), caption[:60], fill=(60, 60, 60))
    return np.asarray(sheet)
