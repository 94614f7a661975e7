"""Reading fabric images from users safely: scans, prints, inspiration photos, U3M textures.

:func:`read_image` returns ``(h, w, 3) float32`` sRGB values in 0..1 and the
DPI the file declares, or raises :class:`InvalidFabricError` naming the file
and the problem. It never decodes more than :data:`MAX_PIXELS` pixels (the
size is read from the header first, so a decompression bomb costs nothing),
refuses truncated files, files whose content is not what their extension
says, images too small to be a fabric, and reads CMYK (converted without a
colour profile: the scanner's profile is not applied), 16-bit greyscale and
16-bit colour at their full precision.

:func:`write_png` writes 8-bit (or 16-bit greyscale) PNGs for the library.
"""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from garment3d.errors import InvalidFabricError

__all__ = ["ImageData", "read_image", "write_png", "MAX_PIXELS", "MIN_SIDE_PX", "MAX_FILE_BYTES", "sniff_format"]

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000  # about 6300 x 6300: a 10 cm scan at 1600 dpi
MIN_SIDE_PX = 16
MAX_FILE_BYTES = 200 * 1024 * 1024

# extension -> format name as sniffed from the first bytes
_EXTENSIONS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF", ".tiff": "TIFF"}
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


@dataclass(frozen=True)
class ImageData:
    """pixels : (h, w, 3) float32 sRGB in 0..1; dpi : (x, y) the file declares, or None; bits : 8 or 16."""

    pixels: np.ndarray
    dpi: tuple[float, float] | None
    bits: int
    source_mode: str


def sniff_format(head: bytes) -> str | None:
    """The image format its first bytes announce (PNG, JPEG, TIFF), or None."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def read_image(source: Path | bytes, what: str, name: str | None = None) -> ImageData:
    """Read a PNG, JPEG or TIFF (8 or 16 bit) from a path or bytes; ``what`` names it in errors.

    ``name`` is the file name an upload came with (its extension is checked
    against the content); a path's own name is used otherwise.
    """
    data, label = _read_bytes(source, what, name)
    found = sniff_format(data[:16])
    if found is None:
        raise InvalidFabricError(f"{label} is not a PNG, JPEG or TIFF image")
    suffix = Path(name or (source if isinstance(source, Path) else "")).suffix.lower()
    if suffix and _EXTENSIONS.get(suffix) != found:
        raise InvalidFabricError(
            f"{label} has the extension '{suffix}' but holds a {found} image: save it again as {found} "
            f"or give it the right extension"
        )
    return _decode(data, label, found)


def _read_bytes(source: Path | bytes, what: str, name: str | None) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray)):
        label = f"{what} '{name}'" if name else what
        data = bytes(source)
    else:
        path = Path(source)
        label = f"{what} '{path.name}'"
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise InvalidFabricError(f"{label} cannot be read: {exc.strerror or exc}") from None
        if size > MAX_FILE_BYTES:
            raise InvalidFabricError(f"{label} is {size / 2**20:.0f} MB, more than {MAX_FILE_BYTES / 2**20:.0f} MB")
        data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise InvalidFabricError(f"{label} is more than {MAX_FILE_BYTES / 2**20:.0f} MB")
    if not data:
        raise InvalidFabricError(f"{label} is empty")
    return data, label


def _decode(data: bytes, label: str, found: str) -> ImageData:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            _check_size(width, height, label)
            image.load()
            mode = image.mode
            pixels, bits = _to_rgb(image, label)
            dpi = _dpi(image.info.get("dpi"))
    except InvalidFabricError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidFabricError(f"{label} is a decompression bomb ({exc})") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        reason = "truncated or damaged" if "truncat" in str(exc).lower() or isinstance(exc, EOFError) else "unreadable"
        raise InvalidFabricError(f"{label}: the {found} data is {reason} ({exc})") from None
    log.debug("read %s: %dx%d %s -> %d bit", label, width, height, mode, bits)
    return ImageData(pixels=pixels, dpi=dpi, bits=bits, source_mode=mode)


def _check_size(width: int, height: int, label: str) -> None:
    if width * height > MAX_PIXELS:
        raise InvalidFabricError(
            f"{label} is {width} x {height} px ({width * height / 1e6:.0f} Mpx), more than "
            f"{MAX_PIXELS / 1e6:.0f} Mpx: a decompression bomb or a scan to downsample first"
        )
    if min(width, height) < MIN_SIDE_PX:
        raise InvalidFabricError(
            f"{label} is {width} x {height} px: a fabric image needs at least {MIN_SIDE_PX} x {MIN_SIDE_PX} px"
        )


def _to_rgb(image, label: str) -> tuple[np.ndarray, int]:
    mode = image.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        grey = np.asarray(image).astype(np.float64)
        scale = 65535.0 if mode.startswith("I;16") or grey.max(initial=0) > 255 else 255.0
        bits = 16 if scale > 255 else 8
        grey = np.clip(grey / scale, 0.0, 1.0)
        return np.repeat(grey[:, :, None], 3, axis=2).astype(np.float32), bits
    if mode == "F":
        grey = np.asarray(image, dtype=np.float64)
        grey = np.clip(grey / max(1.0, float(np.nanmax(grey))), 0, 1)
        return np.repeat(np.nan_to_num(grey)[:, :, None], 3, axis=2).astype(np.float32), 16
    if mode in ("RGB;16", "RGBA;16", "RGB;16B", "RGBX;16"):
        array = np.asarray(image).astype(np.float64) / 65535.0
        return array[:, :, :3].astype(np.float32), 16
    if mode == "CMYK":
        log.warning("%s is CMYK: converted to RGB without a colour profile", label)
    elif mode not in ("RGB", "RGBA", "L", "LA", "P", "PA", "1", "RGBX", "YCbCr", "LAB", "HSV"):
        raise InvalidFabricError(f"{label} has the pixel format '{mode}', which garment3d cannot read")
    rgb = np.asarray(_flatten_alpha(image).convert("RGB"), dtype=np.float32) / 255.0
    return rgb, 8


def _flatten_alpha(image):
    """An image with transparency composited over white (a scan with a cut-out background)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        from PIL import Image

        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba)
    return image


def _dpi(value) -> tuple[float, float] | None:
    try:
        x, y = (float(v) for v in value)
    except (TypeError, ValueError):
        return None
    return (x, y) if x > 1 and y > 1 and np.isfinite(x) and np.isfinite(y) else None


def write_png(pixels: np.ndarray, path: Path, *, bits: int = 8, optimize: bool = False) -> Path:
    """Write ``(h, w, 3)`` or ``(h, w)`` values in 0..1 as a PNG (``bits`` 16 for greyscale only)."""
    from PIL import Image

    array = np.clip(np.asarray(pixels, dtype=np.float64), 0.0, 1.0)
    if bits == 16:
        if array.ndim != 2:
            raise ValueError("16-bit PNGs are written for greyscale maps only")
        image = Image.fromarray(np.rint(array * 65535).astype(np.uint16))
    else:
        image = Image.fromarray(np.rint(array * 255).astype(np.uint8))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=optimize)
    return path
