"""The one place where garment3d's error tree becomes HTTP status codes.

Every :class:`~garment3d.errors.Garment3DError` becomes ``{"detail": message}``
with the status of its nearest class in :data:`STATUS_BY_ERROR`; the message
names the field, pattern, fabric or sample at fault. Anything else that escapes
a route is a bug: it is logged with its traceback and the client gets a short
JSON 500 without internals. Request validation errors keep FastAPI's standard
422 body.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from garment3d.errors import (
    Garment3DError,
    InvalidFabricError,
    InvalidPatternError,
    InvalidRequestError,
    NotFoundError,
)

__all__ = ["SampleNotReadyError", "STATUS_BY_ERROR", "status_for", "install_error_handlers"]

log = logging.getLogger(__name__)


class SampleNotReadyError(Garment3DError):
    """A sample's files were asked for before the sample was done."""


STATUS_BY_ERROR: dict[type[Garment3DError], int] = {
    InvalidRequestError: 422,  # and its subclasses: measurements, unknown pattern, unknown fabric
    InvalidPatternError: 422,  # a parameter unknown to the pattern or out of its range
    InvalidFabricError: 422,
    NotFoundError: 404,
    SampleNotReadyError: 409,
    Garment3DError: 500,  # pipeline failures reach clients through a job's 'error', not as a response
}

INTERNAL_ERROR_DETAIL = "internal server error"


def status_for(error: Garment3DError) -> int:
    """The HTTP status of ``error``: that of the nearest class in its ancestry."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


async def _garment3d_error(request: Request, error: Garment3DError) -> JSONResponse:
    status = status_for(error)
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, error, exc_info=error)
    return JSONResponse({"detail": str(error) or type(error).__name__}, status_code=status)


def _json_safe(value: Any) -> Any:
    """``value`` with non-finite floats written as strings (JSON has no NaN or Infinity)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """FastAPI's standard 422, safe for bodies holding NaN or Infinity (Python's JSON parser accepts them)."""
    return JSONResponse({"detail": _json_safe(jsonable_encoder(error.errors()))}, status_code=422)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.error("%s %s raised an unexpected error", request.method, request.url.path, exc_info=error)
    return JSONResponse({"detail": INTERNAL_ERROR_DETAIL}, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Garment3DError, _garment3d_error)
    app.add_exception_handler(Exception, _unexpected_error)
