"""Before and after, side by side: two renders of a garment (e.g. a style and a client's proposal) in one PNG,
each captioned, scaled to the same height."""

from __future__ import annotations

import io

__all__ = ["before_after_png"]

_CAPTION_PX = 28
_GAP_PX = 12


def before_after_png(before_png: bytes, after_png: bytes, before_caption: str = "before",
                     after_caption: str = "after") -> bytes:
    """One PNG: ``before_png`` on the left, ``after_png`` on the right, a caption under each."""
    from PIL import Image, ImageDraw

    with Image.open(io.BytesIO(before_png)) as a, Image.open(io.BytesIO(after_png)) as b:
        left, right = a.convert("RGB"), b.convert("RGB")
    height = max(left.height, right.height)
    left, right = (im if im.height == height else im.resize((round(im.width * height / im.height), height))
                   for im in (left, right))
    sheet = Image.new("RGB", (left.width + _GAP_PX + right.width, height + _CAPTION_PX), (255, 255, 255))
    sheet.paste(left, (0, 0))
    sheet.paste(right, (left.width + _GAP_PX, 0))
    draw = ImageDraw.Draw(sheet)
    draw.text((8, height + 8), before_caption[:60], fill=(90, 90, 90))
    draw.text((left.width + _GAP_PX + 8, height + 8), after_caption[:60], fill=(11, 110, 79))
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    return out.getvalue()
