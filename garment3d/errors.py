"""The one error tree of garment3d.

Every failure a user can cause or meet is a :class:`Garment3DError`; the CLI
prints its message and exits non-zero, and the server maps each class to an
HTTP status in one place (``server/errors.py``). Messages name the offending
piece, edge, field or file.
"""

from __future__ import annotations

__all__ = [
    "Garment3DError",
    "InvalidRequestError",
    "InvalidMeasurementsError",
    "InvalidPatternError",
    "UnknownPatternError",
    "ImportFormatError",
    "InvalidFabricError",
    "UnknownFabricError",
    "BodyModelError",
    "MeshingError",
    "SimulationError",
    "RenderError",
    "NotFoundError",
]


class Garment3DError(Exception):
    """Root of every error garment3d raises on purpose."""


class InvalidRequestError(Garment3DError):
    """A request (CLI arguments, API body) is malformed."""


class InvalidMeasurementsError(InvalidRequestError):
    """A body measurement is missing, not a number, or outside human range."""


class InvalidPatternError(Garment3DError):
    """A pattern definition or its parameters are invalid (names piece/edge/field)."""


class UnknownPatternError(InvalidRequestError):
    """No pattern of that name exists in the library."""


class ImportFormatError(InvalidPatternError):
    """A pattern file from another tool (DXF, GarmentCode JSON, SVG) cannot be read (names the file and block)."""


class InvalidFabricError(Garment3DError):
    """A fabric definition is invalid (names the field and file)."""


class UnknownFabricError(InvalidRequestError):
    """No fabric of that name exists in the library."""


class BodyModelError(Garment3DError):
    """The body model data is missing or a body could not be built."""


class MeshingError(Garment3DError):
    """A panel could not be triangulated or placed."""


class SimulationError(Garment3DError):
    """The cloth simulation diverged, did not settle, or failed its quality gates."""


class RenderError(Garment3DError):
    """Offscreen rendering or export failed."""


class NotFoundError(Garment3DError):
    """A stored sample or file does not exist."""
