"""The client's viewer: ``GET /s/{token}`` and the files it shows, read-only, by link and colorway index.

The page works without WebGL and without the 3D viewer: the turntable is a
plain image whose frame follows a drag, a swipe or the arrow keys; the 3D view
(``<model-viewer>``, vendored from npm) is offered only where the browser has
WebGL and the vendored script is installed.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from garment3d.errors import Garment3DError, NotFoundError
from garment3d.quote import display_name
from server.deps import ArtifactsDep, DbDep, QueueDep
from server.errors import status_for
from server.routes.files import files_of, require_done, serve_file
from server.samples import Sample, get_sample
from server.schemas import FeedbackIn
from server.proposals import link_proposal, mark_client_approved
from server.shares import Share, add_feedback, open_share
from server.web import customise
from server.web.i18n import WORDS, negotiate

__all__ = ["router", "mount_static", "STATIC_DIR", "MODEL_VIEWER"]

STATIC_DIR = Path(__file__).parent / "static"
MODEL_VIEWER = STATIC_DIR / "vendor" / "model-viewer.min.js"
router = APIRouter(tags=["viewer"], include_in_schema=False)
_PAGE_HEADERS = {
    # 'wasm-unsafe-eval' lets the vendored 3D viewer compile its WebAssembly (it still cannot run eval)
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' blob: data:; worker-src 'self' blob:; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "Referrer-Policy": "no-referrer",  # the token must not leak to other sites
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
}


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def _colorway(db, share: Share, index: int) -> Sample:
    if not 0 <= index < len(share.colorways):
        raise NotFoundError(f"this link has colorways 0 to {len(share.colorways) - 1}")
    return get_sample(db, share.org_id, share.colorways[index])


def _error_page(error: Garment3DError, language: str) -> HTMLResponse:
    words = WORDS[language]
    body = (f'<!doctype html><html lang="{"zh-CN" if language == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{words["gone"]}</title>'
            f'<link rel="stylesheet" href="/static/viewer.css"></head><body><main class="gone"><h1>{words["gone"]}</h1>'
            f'<p>{html.escape(str(error))}</p></main></body></html>')
    return HTMLResponse(body, status_code=status_for(error), headers=_PAGE_HEADERS)


@router.get("/favicon.ico", status_code=204)
def favicon() -> None:
    """No icon (browsers ask for one on every page; a 404 would show as an error in their console)."""


@router.get("/s/{token}", response_class=HTMLResponse)
def viewer_page(token: str, request: Request, db: DbDep,
                lang: Annotated[str | None, Query(pattern="^(en|zh)$")] = None,
                c: Annotated[int, Query(ge=0, le=11)] = 0,
                p: Annotated[str | None, Query(pattern=customise.PROPOSAL_ID)] = None) -> HTMLResponse:
    """The viewer page of a share link (``p``: one of the client's proposals made through it)."""
    fallback = lang or negotiate(request.headers.get("accept-language"))
    try:
        share = open_share(db, token)
        if p is None:
            sample, base, feedback_to = _colorway(db, share, c), f"/s/{token}/{c}", f"/s/{token}/feedback?c={c}"
        else:
            proposal = link_proposal(db, share, p)
            sample = get_sample(db, share.org_id, proposal.sample_id, include_deleted=True)
            base, feedback_to = customise.proposal_files_base(token, proposal), f"/s/{token}/feedback?p={p}"
    except Garment3DError as exc:
        return _error_page(exc, fallback)
    language = lang or share.language or fallback
    return HTMLResponse(_page(db, token, share, sample, c, language, base, feedback_to), headers=_PAGE_HEADERS)


def _page(db, token: str, share: Share, sample: Sample, index: int, language: str, base: str,
          feedback_to: str) -> str:
    w = WORDS[language]
    esc = html.escape
    files = files_of(sample) if sample.job.status == "done" else {}
    frames = [f"{base}/frames/{n}" for n in range(len(files.get("frames") or []))]
    stills = [f"{base}/stills/{n}" for n in range(len(files.get("stills") or []))]
    garment = display_name(sample.pattern, language)
    fabric = customise.fabric_label(sample.fabric, sample.request.get("colorway"), language)
    data = {"frames": frames, "model": f"{base}/model.glb" if files.get("glb") else None,
            "feedback": feedback_to, "words": {k: w[k] for k in ("sent", "approved", "error", "angle", "frame_alt")},
            "customise": customise.page_data(db, token, share, sample, language)}
    shown_proposal = feedback_to.partition("?p=")[2] or None
    panel = customise.panel_html(db, share, sample, language, shown_proposal) if data["customise"] else ""
    script = '<script defer src="/static/customise.js"></script>' if panel else ""
    other = "en" if language == "zh" else "zh"
    colorways = ""
    if len(share.colorways) > 1:
        links = []
        for i, sample_id in enumerate(share.colorways):
            try:
                name = display_name(get_sample(db, share.org_id, sample_id).fabric, language)
            except NotFoundError:
                continue
            current = ' aria-current="page"' if i == index else ""
            links.append(f'<li><a href="/s/{token}?c={i}&amp;lang={language}"{current}>{esc(name)}</a></li>')
        colorways = f'<section class="colorways"><h2>{w["colorways"]}</h2><ul>{"".join(links)}</ul></section>'
    still_html = "".join(f'<img src="{u}" alt="{esc(garment)} {n + 1}" loading="lazy">' for n, u in enumerate(stills))
    first = frames[0] if frames else ""
    vendor = ('<script type="module" src="/static/vendor/model-viewer.min.js"></script>'
              if MODEL_VIEWER.is_file() else "")
    status = "" if frames else f'<p class="pending">{esc(sample.status)}</p>'
    return f"""<!doctype html>
<html lang="{'zh-CN' if language == 'zh' else 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(garment)} · {w['title']}</title>
<link rel="stylesheet" href="/static/viewer.css">
{vendor}
<script defer src="/static/viewer.js"></script>
{script}
</head>
<body>
<main>
<header>
  <div><h1>{esc(garment)}</h1>
  <p class="meta">{w['fabric']}: {esc(fabric)} · {w['size']}: {esc(sample.size)}</p></div>
  <a class="lang" href="/s/{token}?{feedback_to.split('?', 1)[1]}&amp;lang={other}" hreflang="{other}">{w['language']}</a>
</header>
<section class="stage" aria-label="{w['title']}">
  <div class="modes" role="tablist">
    <button type="button" role="tab" id="tab-spin" aria-selected="true" aria-controls="turntable">{w['turntable']}</button>
    <button type="button" role="tab" id="tab-3d" aria-selected="false" aria-controls="model3d" hidden>{w['model']}</button>
  </div>
  <div id="turntable" class="turntable" role="slider" tabindex="0" aria-label="{w['rotate']}"
       aria-valuemin="0" aria-valuemax="{max(len(frames) - 1, 0)}" aria-valuenow="0" aria-valuetext="{w['angle'].format(deg=0)}">
    <img id="frame" src="{first}" alt="{w['frame_alt'].format(deg=0)}" draggable="false" width="512" height="512">
    <progress id="loading" max="{len(frames)}" value="0" aria-label="{w['loading']}"></progress>
  </div>
  <div id="model3d" class="model3d" hidden></div>
  <p class="hint">{w['hint']}</p>
  <p class="nowebgl" id="nowebgl" hidden>{w['no_webgl']}</p>
  {status}
</section>
{panel}
{colorways}
<section class="stills"><h2>{w['stills']}</h2><div class="strip">{still_html}</div></section>
<section class="feedback">
  <h2>{w['feedback']}</h2>
  <form id="feedback-form">
    <label>{w['name']} <input name="author" maxlength="100" autocomplete="name"></label>
    <label>{w['comment']} <textarea name="text" maxlength="4000" rows="3"></textarea></label>
    <div class="buttons">
      <button type="button" id="approve" data-kind="approve" class="primary">{w['approve']}</button>
      <button type="button" data-kind="changes">{w['changes']}</button>
      <button type="button" data-kind="comment">{w['send']}</button>
    </div>
    <p id="feedback-status" role="status" aria-live="polite"></p>
  </form>
</section>
</main>
<script type="application/json" id="viewer-data">{html.escape(json.dumps(data), quote=False)}</script>
</body>
</html>"""


def _share_sample(db, token: str, index: int) -> Sample:
    sample = _colorway(db, open_share(db, token), index)
    require_done(sample)
    return sample


@router.get("/s/{token}/{index}/frames/{number}")
def share_frame(token: str, index: int, number: int, db: DbDep, queue: QueueDep,
                artifacts: ArtifactsDep) -> FileResponse:
    sample = _share_sample(db, token, index)
    return _nth_png(queue, artifacts, sample, "frames", "frame", number, f"{sample.pattern}-frame-{number:03d}.png")


@router.get("/s/{token}/{index}/stills/{number}")
def share_still(token: str, index: int, number: int, db: DbDep, queue: QueueDep,
                artifacts: ArtifactsDep) -> FileResponse:
    sample = _share_sample(db, token, index)
    return _nth_png(queue, artifacts, sample, "stills", "still", number, f"{sample.pattern}-still-{number}.png")


def _nth_png(queue, artifacts, sample: Sample, kind: str, what: str, number: int, download: str) -> FileResponse:
    """The ``number``-th PNG of one kind of the sample's files (frames, stills), or 404 naming it."""
    names = files_of(sample).get(kind) or []
    if not 0 <= number < len(names):
        raise NotFoundError(f"no {what} {number}")
    return serve_file(queue, artifacts, sample, names[number], f"{what} {number}", "image/png", download)


@router.get("/s/{token}/{index}/model.glb")
def share_model(token: str, index: int, db: DbDep, queue: QueueDep, artifacts: ArtifactsDep) -> FileResponse:
    sample = _share_sample(db, token, index)
    return serve_file(queue, artifacts, sample, files_of(sample).get("glb"), "3D model", "model/gltf-binary",
                      f"{sample.pattern}.glb")


@router.post("/s/{token}/feedback", status_code=201)
def share_feedback(token: str, body: FeedbackIn, db: DbDep,
                   c: Annotated[int, Query(ge=0, le=11)] = 0,
                   p: Annotated[str | None, Query(pattern=customise.PROPOSAL_ID)] = None) -> JSONResponse:
    """The client approves, asks for changes or comments (on a colorway, or on their proposal ``p``); the
    designer reads it at /api/v1/samples/{id}/feedback (and a proposal's approval at /api/v1/proposals/{id})."""
    share = open_share(db, token)
    if p is None:
        add_feedback(db, share, _colorway(db, share, c).id, body.kind, body.author, body.text)
    else:
        proposal = link_proposal(db, share, p)
        add_feedback(db, share, proposal.sample_id, body.kind, body.author, body.text, proposal=True)
        if body.kind == "approve":
            mark_client_approved(db, proposal)
    return JSONResponse({"kind": body.kind, "received": True}, status_code=201)

