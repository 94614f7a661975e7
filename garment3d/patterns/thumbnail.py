"""Catalog thumbnails: a small PNG of a definition's flat pattern pieces.

The definition is evaluated at its default style parameters and size
:data:`THUMBNAIL_SIZE` (GB/T 1335 women 160/84A); its pieces (sew lines as
drafted, a piece cut on fold drawn whole) are laid side by side in rows, all
at one scale so their relative sizes read true, each drawn with a light fill,
a dark outline and its grain line (a double-headed arrow). Drawn at :data:`SUPERSAMPLE` times the size and
reduced, so the lines are anti-aliased.

PNGs are cached under ``<cache_dir>/thumbnails/`` (``GARMENT3D_CACHE_DIR``),
named by a SHA-256 of the definition's content (every parsed field, so an
edited file gets a new picture and an unchanged one is drawn once), the size,
the pixel size and :data:`RENDER_VERSION`.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from pathlib import Path

import numpy as np
import shapely

from garment3d.errors import InvalidRequestError
from garment3d.patterns.definition import PatternDefinition
from garment3d.patterns.evaluate import evaluate
from garment3d.patterns.fold import unfold_pattern
from garment3d.settings import get_settings
from garment3d.sizes import parse_size
from garment3d.types import Panel

__all__ = [
    "THUMBNAIL_SIZE",
    "DEFAULT_THUMBNAIL_PX",
    "render_thumbnail",
    "thumbnail_png",
    "thumbnail_key",
    "thumbnail_cache_path",
]

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = "160/84A"
DEFAULT_THUMBNAIL_PX = 256
PX_RANGE = (32, 1024)
SUPERSAMPLE = 4
RENDER_VERSION = 3  # bump when the drawing changes, so cached PNGs are redrawn
_MARGIN_FRACTION, _GAP_FRACTION = 0.06, 0.08  # of the image side / of the largest piece extent
_BACKGROUND, _FILL, _OUTLINE, _GRAIN = (255, 255, 255), (239, 231, 214), (34, 34, 34), (31, 58, 122)


def _check_px(size_px: int) -> int:
    if isinstance(size_px, bool) or not isinstance(size_px, int) or not PX_RANGE[0] <= size_px <= PX_RANGE[1]:
        raise InvalidRequestError(f"thumbnail size must be a whole number of pixels in {PX_RANGE[0]}-{PX_RANGE[1]}")
    return size_px


def _rows(extents: np.ndarray, gap: float) -> list[list[int]]:
    """Pieces (in order) split into the rows that let the laid-out block be drawn largest in a square."""
    best, best_side = [list(range(len(extents)))], np.inf
    for count in range(1, len(extents) + 1):
        target = (extents[:, 0].sum() + gap * (len(extents) - 1)) / count
        rows, row, width = [], [], 0.0
        for i, (w, _) in enumerate(extents):
            if row and width + gap + w > target * 1.15 and len(rows) < count - 1:
                rows.append(row)
                row, width = [], 0.0
            width += (gap if row else 0.0) + w
            row.append(i)
        rows.append(row)
        side = max(_block(extents, rows, gap))
        if side < best_side - 1e-9:
            best, best_side = rows, side
    return best


def _block(extents: np.ndarray, rows: list[list[int]], gap: float) -> tuple[float, float]:
    widths = [extents[r, 0].sum() + gap * (len(r) - 1) for r in rows]
    heights = [extents[r, 1].max() for r in rows]
    return max(widths), sum(heights) + gap * (len(rows) - 1)


def _grain_segment(panel: Panel) -> np.ndarray:
    """(2, 2) cm: a grain arrow through the middle of the piece, 60 % of its extent along the grain."""
    polygon = shapely.Polygon(panel.outline)
    centre = np.asarray(polygon.centroid.coords[0])
    if not polygon.contains(shapely.Point(centre)):
        centre = np.asarray(polygon.point_on_surface().coords[0])
    grain = panel.grain / np.linalg.norm(panel.grain)
    half = 0.3 * float(np.ptp(panel.outline @ grain))
    return np.vstack([centre - grain * half, centre + grain * half])


def _draw_arrow(draw, tail: np.ndarray, head: np.ndarray, width: int) -> None:
    draw.line([tuple(tail), tuple(head)], fill=_GRAIN, width=width)
    length = float(np.linalg.norm(head - tail))
    direction = (head - tail) / max(length, 1e-9)
    side = np.array([-direction[1], direction[0]])
    size = min(3.5 * width, 0.15 * length)  # small pieces get small heads
    for tip, d in ((head, direction), (tail, -direction)):
        base = tip - d * size * 1.6
        draw.polygon([tuple(tip), tuple(base + side * size), tuple(base - side * size)], fill=_GRAIN)


def render_thumbnail(definition: PatternDefinition, size_px: int = DEFAULT_THUMBNAIL_PX) -> bytes:
    """PNG bytes (RGB, ``size_px`` square) of the definition's pieces at default parameters and 160/84A.

    Raises InvalidPatternError when the definition cannot be drafted at that size.
    """
    from PIL import Image, ImageDraw

    size_px = _check_px(size_px)
    size = parse_size(THUMBNAIL_SIZE)
    pattern = unfold_pattern(evaluate(definition, size.measurements, size_label=size.label))
    panels = pattern.panels
    extents = np.array([np.ptp(p.outline, axis=0) for p in panels])
    gap = _GAP_FRACTION * float(extents.max())
    rows = _rows(extents, gap)
    block_w, block_h = _block(extents, rows, gap)
    big = size_px * SUPERSAMPLE
    margin = _MARGIN_FRACTION * big
    scale = min((big - 2 * margin) / block_w, (big - 2 * margin) / block_h)  # px per cm
    image = Image.new("RGB", (big, big), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    line = max(1, round(big / 200))
    top = (big - block_h * scale) / 2
    for row in rows:
        row_w = extents[row, 0].sum() + gap * (len(row) - 1)
        row_h = extents[row, 1].max()
        left = (big - row_w * scale) / 2
        for i in row:
            panel = panels[i]
            low, high = panel.outline.min(axis=0), panel.outline.max(axis=0)
            # pattern cm (y up) -> image px (y down), the piece centred vertically in its row
            offset = np.array([left, top + (row_h - (high[1] - low[1])) / 2 * scale])

            def to_px(points: np.ndarray, low=low, high=high, offset=offset) -> list[tuple[float, float]]:
                xy = np.column_stack([points[:, 0] - low[0], high[1] - points[:, 1]]) * scale + offset
                return [tuple(p) for p in xy]

            draw.polygon(to_px(panel.outline), fill=_FILL, outline=_OUTLINE, width=line)
            tail, head = np.asarray(to_px(_grain_segment(panel)))
            _draw_arrow(draw, tail, head, line)
            left += (extents[i, 0] + gap) * scale
        top += (row_h + gap) * scale
    image = image.resize((size_px, size_px), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def thumbnail_key(definition: PatternDefinition, size_px: int = DEFAULT_THUMBNAIL_PX) -> str:
    """SHA-256 hex of everything the picture depends on: the definition's content, size, pixels, renderer."""
    content = f"v{RENDER_VERSION}|{THUMBNAIL_SIZE}|{size_px}|{definition!r}"
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def thumbnail_cache_path(definition: PatternDefinition, size_px: int = DEFAULT_THUMBNAIL_PX,
                         cache_dir: Path | None = None) -> Path:
    root = Path(cache_dir) if cache_dir is not None else get_settings().cache_dir
    return root / "thumbnails" / f"{definition.name}-{thumbnail_key(definition, size_px)[:32]}.png"


def thumbnail_png(definition: PatternDefinition, size_px: int = DEFAULT_THUMBNAIL_PX,
                  cache_dir: Path | None = None) -> bytes:
    """The thumbnail PNG, from the disk cache when this exact definition was drawn before."""
    path = thumbnail_cache_path(definition, _check_px(size_px), cache_dir)
    try:
        return path.read_bytes()
    except OSError:  # not drawn yet (or the cache is unreadable): draw it
        pass
    png = render_thumbnail(definition, size_px)
    _store(path, png)
    return png


def _store(path: Path, data: bytes) -> None:
    """Write then rename, so a concurrent reader never sees half a file; a read-only cache only logs."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".thumbnail-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("thumbnail cache %s not written: %s", path, exc)
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
