"""The client's customisation on a published style's share link: the controls the guardrails allow, and the
link's proposals (``POST /s/{token}/proposals``, followed at ``GET /s/{token}/proposals/{id}``) with their files.

The link reveals no sample id and no measurements: a proposal is addressed by its own id, only through the link
that made it, and the client's view of it says whether own measurements were used, never what they were.
Requests outside the guardrails are refused here exactly as through the API (422 naming the field); the link's
rate limit answers 429 with Retry-After.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, JSONResponse

from garment3d.errors import NotFoundError
from garment3d.fabrics import load_fabric
from garment3d.guardrails import ChoiceRule, Guardrails, RangeRule
from garment3d.quote import display_name
from server.deps import ArtifactsDep, DbDep, QueueDep, SettingsDep
from server.proposals import Proposal, comments_of, link_proposal, propose, style_of_share
from server.routes.files import files_of, require_done, serve_file
from server.samples import Sample, get_sample
from server.shares import Share, open_share
from server.style_schemas import ClientComment, ClientProposalOut, ProposalIn
from server.styles import choice_of, definition_of, rules_of
from server.web.i18n import WORDS

__all__ = ["router", "panel_html", "page_data", "proposal_files_base", "fabric_label", "PROPOSAL_ID"]

router = APIRouter(tags=["viewer"], include_in_schema=False)
PROPOSAL_ID = r"^[0-9a-f]{32}$"
_PAGE_WORDS = ("queued", "recolouring", "stage_pattern", "stage_body", "stage_mesh", "stage_drape", "stage_render",
               "ready", "failed", "designer_said", "refused", "error")


def proposal_files_base(token: str, proposal: Proposal) -> str:
    return f"/s/{token}/p/{proposal.id}"


@lru_cache(maxsize=64)
def _own_colour_hex(fabric_name: str) -> str:
    """The fabric's own colour (its scan's mean), for the colour button's dot."""
    from garment3d.fabric.colorway import fabric_base_colour
    from garment3d.fabric.colour import hex_of

    return hex_of(fabric_base_colour(load_fabric(fabric_name)).reshape(-1, 3).mean(axis=0))


def _colour_hex(fabric_name: str, colorway: str | None) -> str:
    if colorway is None:
        return _own_colour_hex(fabric_name)
    return next((c.hex for c in load_fabric(fabric_name).colorways if c.name == colorway), "#888888")


def fabric_label(fabric: str, colorway: str | None, language: str) -> str:
    """The fabric's name as the page shows it, with the colorway when one is chosen."""
    name = display_name(fabric, language)
    return f"{name} ({colorway})" if colorway else name


def _number(value: float) -> str:
    return f"{value:g}"


# --------------------------------------------------------------------------- the panel


def _range_html(rule: RangeRule, value: float, w: dict[str, str]) -> str:
    esc = html.escape
    ident = f"param-{rule.name}"
    limits = w["allowed"].format(min=_number(rule.minimum), max=_number(rule.maximum), unit=rule.unit).strip()
    bounds = f'min="{_number(rule.minimum)}" max="{_number(rule.maximum)}" step="{_number(rule.step)}"'
    return (f'<div class="control range" data-param="{esc(rule.name)}">'
            f'<label for="{ident}">{esc(rule.label)}</label>'
            f'<div class="range-row"><input type="range" id="{ident}" data-param="{esc(rule.name)}" {bounds} '
            f'value="{_number(value)}">'
            f'<input type="number" id="{ident}-value" class="value" data-param="{esc(rule.name)}" {bounds} '
            f'value="{_number(value)}" inputmode="decimal" aria-label="{esc(rule.label)} ({esc(rule.unit)})">'
            f'<span class="unit">{esc(rule.unit)}</span></div><p class="limits">{esc(limits)}</p></div>')


def _choice_html(rule: ChoiceRule, value: float, designed: float, w: dict[str, str]) -> str:
    esc = html.escape
    options = list(rule.choices)
    if designed not in {v for _, v in options}:
        options.insert(0, (f"{w['as_designed']} ({_number(designed)} {rule.unit})".replace(" )", ")"), designed))
    buttons = "".join(f'<button type="button" data-value="{_number(v)}" aria-pressed="{str(v == value).lower()}">'
                      f'{esc(label)}</button>' for label, v in options)
    return (f'<div class="control choice" role="group" aria-labelledby="param-{esc(rule.name)}-label" '
            f'data-param="{esc(rule.name)}"><span class="label" id="param-{esc(rule.name)}-label">'
            f'{esc(rule.label)}</span><div class="options">{buttons}</div></div>')


def _colours_html(rules: Guardrails, shown: tuple[str, str | None], designed: tuple[str, str | None],
                  language: str, w: dict[str, str]) -> str:
    esc = html.escape
    combos = [(f.fabric, c) for f in rules.fabrics for c in (f.colorways or (None,))]
    if designed not in combos:
        combos.insert(0, designed)
    buttons = []
    for fabric, colorway in combos:
        name = display_name(fabric, language)
        label = f"{name} · {colorway if colorway else w['own_colour']}"
        buttons.append(
            f'<button type="button" class="swatch" data-fabric="{esc(fabric)}" data-colorway="{esc(colorway or "")}" '
            f'aria-pressed="{str((fabric, colorway) == shown).lower()}"><span class="dot" '
            f'style="background:{esc(_colour_hex(fabric, colorway))}"></span>{esc(label)}</button>')
    return (f'<div class="control colours" role="group" aria-labelledby="colour-label"><span class="label" '
            f'id="colour-label">{w["colour"]}</span><div class="options">{"".join(buttons)}</div></div>')


def _sizes_html(rules: Guardrails, shown: str, designed: str, w: dict[str, str]) -> str:
    esc = html.escape
    labels = list(rules.sizes) if designed in rules.sizes else [designed, *rules.sizes]
    buttons = "".join(f'<button type="button" data-size="{esc(s)}" aria-pressed="{str(s == shown).lower()}">'
                      f'{esc(s)}</button>' for s in labels)
    return (f'<div class="control sizes" role="group" aria-labelledby="size-label"><span class="label" '
            f'id="size-label">{w["size"]}</span><div class="options">{buttons}</div></div>')


def _measurements_html(rules: Guardrails, open_: bool, w: dict[str, str]) -> str:
    fields = "".join(f'<label>{w[name]} <input type="number" name="{name}" inputmode="decimal" min="20" max="250" '
                     f'step="0.5"></label>' for name in rules.measurement_fields)
    return (f'<details class="control measurements"{" open" if open_ else ""}><summary>{w["own_measurements"]}'
            f'</summary><div class="fields">{fields}</div><button type="button" id="use-measurements">'
            f'{w["use_measurements"]}</button></details>')


def _comments_html(db, proposal_id: str | None, w: dict[str, str]) -> str:
    if proposal_id is None:
        return ""
    return "".join(f"<li>{w['designer_said']}: {html.escape(c.text)}</li>" for c in comments_of(db, proposal_id))


def panel_html(db, share: Share, shown: Sample, language: str, proposal_id: str | None = None) -> str:
    """The customisation controls for the link's page ("" when its family has no published style), with the
    designer's answers to the proposal shown (``proposal_id``)."""
    try:
        style, base = style_of_share(db, share)
    except NotFoundError:
        return ""
    definition = definition_of(base)
    rules = rules_of(style, definition, base.request.get("gender") or "female")
    w = WORDS[language]
    now, designed = choice_of(shown.request, definition), choice_of(base.request, definition)
    controls = []
    for rule in rules.parameters:
        value = now.parameters[rule.name]
        controls.append(_range_html(rule, min(max(value, rule.minimum), rule.maximum), w)
                        if isinstance(rule, RangeRule) else
                        _choice_html(rule, value, designed.parameters[rule.name], w))
    if rules.fabrics:
        controls.append(_colours_html(rules, (now.fabric, now.colorway), (designed.fabric, designed.colorway),
                                      language, w))
    if rules.sizes:
        controls.append(_sizes_html(rules, now.size, designed.size, w))
    if rules.own_measurements:
        controls.append(_measurements_html(rules, now.size == "custom", w))
    return (f'<section class="customise" id="customise" aria-labelledby="customise-title">'
            f'<h2 id="customise-title">{w["customise"]}</h2><p class="note">{w["customise_note"]}</p>'
            f'<fieldset id="customise-controls">{"".join(controls)}</fieldset>'
            f'<div class="custom-status"><progress id="custom-progress" max="1" value="0" hidden></progress>'
            f'<p id="custom-status" role="status" aria-live="polite"></p><p id="custom-error" role="alert"></p>'
            f'<ul id="custom-comments">{_comments_html(db, proposal_id, w)}</ul></div></section>')


def page_data(db, token: str, share: Share, shown: Sample, language: str) -> dict[str, Any] | None:
    """What customise.js needs: where to send changes, the values shown, its words."""
    try:
        style, base = style_of_share(db, share)
    except NotFoundError:
        return None
    definition = definition_of(base)
    allowed = [r.name for r in rules_of(style, definition, base.request.get("gender") or "female").parameters]
    now = choice_of(shown.request, definition)
    w = WORDS[language]
    return {"proposals": f"/s/{token}/proposals", "lang": language,
            "state": {"parameters": {name: now.parameters[name] for name in allowed}, "fabric": now.fabric,
                      "colorway": now.colorway, "size": now.size},
            "words": {k: w[k] for k in _PAGE_WORDS}}


# --------------------------------------------------------------------------- the link's proposals


def _client_out(db, token: str, proposal: Proposal, language: str) -> ClientProposalOut:
    from datetime import datetime, timezone

    sample = get_sample(db, proposal.org_id, proposal.sample_id, include_deleted=True)
    files = files_of(sample) if sample.job.status == "done" else {}
    base = proposal_files_base(token, proposal)
    choice = proposal.choice
    w = WORDS[language]
    meta = f"{w['fabric']}: {fabric_label(choice['fabric'], choice.get('colorway'), language)} · {w['size']}: " \
           f"{choice['size']}"

    def when(t: float) -> datetime:
        return datetime.fromtimestamp(t, timezone.utc)

    return ClientProposalOut(
        id=proposal.id, status=sample.status, stage=sample.job.stage, progress=sample.job.progress,
        error=sample.job.error, kind=proposal.kind, parameters=choice.get("parameters") or {},
        fabric=choice["fabric"], colorway=choice.get("colorway"), size=choice["size"],
        own_measurements=proposal.measurements is not None, meta=meta,
        frames=[f"{base}/frames/{n}" for n in range(len(files.get("frames") or []))],
        stills=[f"{base}/stills/{n}" for n in range(len(files.get("stills") or []))],
        model=f"{base}/model.glb" if files.get("glb") else None,
        feedback=f"/s/{token}/feedback?p={proposal.id}", page=f"/s/{token}?p={proposal.id}&lang={language}",
        client_approved=proposal.client_approved_at is not None, accepted=proposal.accepted_at is not None,
        comments=[ClientComment(text=c.text, created_at=when(c.created_at)) for c in comments_of(db, proposal.id)],
        created_at=when(proposal.created_at),
    )


Language = Annotated[str, Query(pattern="^(en|zh)$")]


@router.post("/s/{token}/proposals", status_code=202)
def create_proposal(token: str, body: ProposalIn, db: DbDep, queue: QueueDep, settings: SettingsDep,
                    lang: Language = "en") -> JSONResponse:
    """The client's change: a new revision within the guardrails (202), or the link's latest again (200)."""
    share = open_share(db, token)
    proposal, created = propose(db, queue, settings, share, body.changes(), body.author)
    out = _client_out(db, token, proposal, lang)
    return JSONResponse(out.model_dump(mode="json"), status_code=202 if created else 200,
                        headers={"Location": f"/s/{token}/proposals/{proposal.id}", "Cache-Control": "no-store"})


@router.get("/s/{token}/proposals/{proposal_id}")
def read_proposal(token: str, proposal_id: str, db: DbDep, lang: Language = "en") -> JSONResponse:
    """A proposal of this link: its status and progress, then its files; the designer's comments."""
    proposal = link_proposal(db, open_share(db, token), proposal_id)
    return JSONResponse(_client_out(db, token, proposal, lang).model_dump(mode="json"),
                        headers={"Cache-Control": "no-store"})


def _proposal_sample(db, token: str, proposal_id: str) -> Sample:
    proposal = link_proposal(db, open_share(db, token), proposal_id)
    sample = get_sample(db, proposal.org_id, proposal.sample_id, include_deleted=True)
    require_done(sample)
    return sample


def _nth(queue, artifacts, sample: Sample, kind: str, number: int) -> FileResponse:
    names = files_of(sample).get(kind) or []
    if not 0 <= number < len(names):
        raise NotFoundError(f"no {kind[:-1]} {number}")
    return serve_file(queue, artifacts, sample, names[number], f"{kind[:-1]} {number}", "image/png",
                      f"{sample.pattern}-proposal-{kind[:-1]}-{number:03d}.png")


@router.get("/s/{token}/p/{proposal_id}/frames/{number}")
def proposal_frame(token: str, proposal_id: str, number: int, db: DbDep, queue: QueueDep,
                   artifacts: ArtifactsDep) -> FileResponse:
    return _nth(queue, artifacts, _proposal_sample(db, token, proposal_id), "frames", number)


@router.get("/s/{token}/p/{proposal_id}/stills/{number}")
def proposal_still(token: str, proposal_id: str, number: int, db: DbDep, queue: QueueDep,
                   artifacts: ArtifactsDep) -> FileResponse:
    return _nth(queue, artifacts, _proposal_sample(db, token, proposal_id), "stills", number)


@router.get("/s/{token}/p/{proposal_id}/model.glb")
def proposal_model(token: str, proposal_id: str, db: DbDep, queue: QueueDep, artifacts: ArtifactsDep) -> FileResponse:
    sample = _proposal_sample(db, token, proposal_id)
    return serve_file(queue, artifacts, sample, files_of(sample).get("glb"), "3D model", "model/gltf-binary",
                      f"{sample.pattern}-proposal.glb")
