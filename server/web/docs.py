"""GET /docs: Swagger UI from the service's own static files (``swagger-ui-dist`` vendored by ``make web``).

Without the vendored files the page says how to install them and links the
raw schema (``/openapi.json``); it never loads anything from a CDN.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from server.web.viewer import STATIC_DIR

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
SWAGGER = STATIC_DIR / "vendor" / "swagger-ui"


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    if (SWAGGER / "swagger-ui-bundle.js").is_file():
        return get_swagger_ui_html(openapi_url="/openapi.json", title="garment3d API",
                                   swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="data:,")
    return HTMLResponse("<!doctype html><title>garment3d API</title><h1>garment3d API</h1>"
                        "<p>The interactive docs need <code>make web</code> (installs swagger-ui-dist from npm). "
                        "The schema: <a href='/openapi.json'>/openapi.json</a>.</p>")
