"""The one place where errors become HTTP answers: RFC 9457 problem details.

Every error body is ``application/problem+json``::

    {"type": "https://garment3d.dev/problems/invalid-request", "title": "Invalid request",
     "status": 422, "detail": "unknown fabric 'silk_purple' (known: ...)",
     "field": "body.fabric", "errors": [{"field": "body.fabric", "message": "..."}]}

``field`` names the offending input when there is one. Garment3DError
subclasses map to statuses through :data:`STATUS_BY_ERROR`; anything else
escaping a route is a bug: logged with its traceback, answered with a short
500 without internals. Input is never echoed back verbatim (a lone surrogate
in it would not even encode); every string is made printable UTF-8 first.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from garment3d.errors import (
    Garment3DError,
    InvalidFabricError,
    InvalidPatternError,
    InvalidRequestError,
    NotFoundError,
)

__all__ = ["SampleNotReadyError", "ConflictError", "GoneError", "PayloadTooLargeError", "RateLimitedError", "STATUS_BY_ERROR", "problem_doc", "clean",
           "status_for", "install_error_handlers", "Problem", "PROBLEM_RESPONSES", "problem_response"]

log = logging.getLogger(__name__)
PROBLEM_TYPE = "application/problem+json"
_TYPE_BASE = "https://garment3d.dev/problems/"


class SampleNotReadyError(Garment3DError):
    """A sample's files were asked for before the sample was done."""


class ConflictError(Garment3DError):
    """The request conflicts with the resource's state (409)."""


class GoneError(Garment3DError):
    """A share link that expired or was revoked (410)."""


class PayloadTooLargeError(Garment3DError):
    """An upload larger than the server accepts (413)."""


class RateLimitedError(Garment3DError):
    """A caller (a share link) made as many requests of a kind as it may for now (429; ``retry_after_s``)."""

    def __init__(self, message: str, retry_after_s: int):
        super().__init__(message)
        self.retry_after_s = retry_after_s


def _status_table() -> dict[type[Exception], int]:
    from server.auth import AuthenticationError, ForbiddenError
    from server.jobs.queue import QueueFullError

    return {
        InvalidRequestError: 422,
        InvalidPatternError: 422,
        InvalidFabricError: 422,
        AuthenticationError: 401,
        ForbiddenError: 403,
        NotFoundError: 404,
        SampleNotReadyError: 409,
        ConflictError: 409,
        GoneError: 410,
        PayloadTooLargeError: 413,
        QueueFullError: 429,
        RateLimitedError: 429,
        Garment3DError: 500,  # pipeline failures reach clients through a job's 'error', not as a response
    }


STATUS_BY_ERROR: dict[type[Exception], int] = {}
_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
           409: "Conflict", 410: "Gone", 413: "Content too large", 415: "Unsupported media type",
           422: "Invalid request", 429: "Too many requests", 500: "Internal server error"}


class ProblemField(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem details object."""

    type: str = Field(description="URI naming the kind of problem")
    title: str
    status: int
    detail: str = Field(description="what is wrong, naming the field, pattern, fabric or sample")
    field: str | None = Field(default=None, description="the offending input, e.g. body.fabric or query.sizes")
    errors: list[ProblemField] = Field(default_factory=list)


def problem_doc(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description,
            "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: problem_doc("a body that is not UTF-8 JSON"),
    401: problem_doc("no API key, or one that is not valid"),
    403: problem_doc("the key's role may not do this"),
    404: problem_doc("no such resource (or another organisation's)"),
    422: problem_doc("invalid input; `field` names it"),
}


def status_for(error: Exception) -> int:
    if not STATUS_BY_ERROR:
        STATUS_BY_ERROR.update(_status_table())
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


_UNPRINTABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str, limit: int = 2000) -> str:
    """``text`` as printable, encodable UTF-8 (lone surrogates and control characters become '?')."""
    text = _UNPRINTABLE.sub("?", str(text))
    return text if len(text) <= limit else text[:limit] + "..."


def problem_response(status: int, detail: str, *, field: str | None = None,
                     errors: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    title = _TITLES.get(status, "Error")
    body = {
        "type": _TYPE_BASE + title.lower().replace(" ", "-"),
        "title": title,
        "status": status,
        "detail": clean(detail),
        "field": clean(field) if field else None,
        "errors": [{"field": clean(e["field"]), "message": clean(e["message"])} for e in (errors or [])],
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def _field_of(error: Exception) -> str | None:
    field = getattr(error, "field", None)
    if field:
        return str(field)
    named = re.match(r"((?:body|query|path|header)\.[\w.-]+):", str(error))
    if named:
        return named.group(1)
    measurement = re.match(r"measurement '(\w+)'", str(error))
    if measurement:
        return f"body.measurements.{measurement.group(1)}"
    if str(error).startswith("waist_at "):
        return "body.measurements.waist_at"
    match = re.match(r"(?:unknown )?(pattern|fabric|size|measurements?|parameter|quality|gender)\b", str(error))
    return f"body.{match.group(1)}" if match else None


async def _garment3d_error(request: Request, error: Garment3DError) -> JSONResponse:
    status = status_for(error)
    if status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, error, exc_info=error)
        return problem_response(500, "internal server error")
    headers = None
    retry = getattr(error, "retry_after_s", None)
    if retry is not None:
        headers = {"Retry-After": str(int(retry))}
    return problem_response(status, str(error) or type(error).__name__, field=_field_of(error), headers=headers)


def _loc(loc: tuple | list) -> str:
    return ".".join(str(part) for part in loc)


async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [{"field": _loc(e.get("loc", ())), "message": str(e.get("msg", "invalid"))} for e in error.errors()]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return problem_response(422, detail, field=first["field"] or None, errors=errors)


def _allowed_methods(request: Request) -> str | None:
    """Every method the schema documents for the request's path (Starlette names only the first route's)."""
    patterns = getattr(request.app.state, "_method_patterns", None)
    if patterns is None:
        patterns = []
        for path, operations in request.app.openapi().get("paths", {}).items():
            regex = re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(path)) + "$")
            patterns.append((regex, {m.upper() for m in operations}))
        request.app.state._method_patterns = patterns
    methods = set()
    for regex, allowed in patterns:
        if regex.match(request.url.path):
            methods |= allowed
    return ", ".join(sorted(methods)) if methods else None


async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    detail = error.detail if isinstance(error.detail, str) else _TITLES.get(error.status_code, "error")
    headers = dict(getattr(error, "headers", None) or {})
    if error.status_code == 405:
        allowed = _allowed_methods(request)
        if allowed:
            headers["Allow"] = allowed
    return problem_response(error.status_code, detail, headers=headers or None)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    log.error("%s %s raised an unexpected error", request.method, request.url.path, exc_info=error)
    return problem_response(500, "internal server error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Garment3DError, _garment3d_error)
    app.add_exception_handler(Exception, _unexpected_error)
