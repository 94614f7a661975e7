"""Sales quotes: POST /api/v1/samples/{id}/quotes makes a priced PDF quote; GET /api/v1/quotes/{id}.pdf fetches it.

Pricing and the document are :mod:`garment3d.quote`'s; this route picks the
sample's renders, the fabric's list price (or the one given), the making cost
setting, numbers the quote and stores the PDF as an artifact.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from sqlalchemy import func, select

from garment3d.errors import InvalidRequestError, NotFoundError
from garment3d.quote import fabric_list_price, price_quote, quote_pdf
from garment3d.settings import get_settings as get_library_settings
from server.auth import Principal
from server.db.engine import new_id, now
from server.db.tables import artifacts as artifacts_table
from server.db.tables import quotes
from server.deps import ArtifactsDep, DbDep, QueueDep, SettingsDep
from server.errors import PROBLEM_RESPONSES, problem_doc, clean
from server.routes.files import files_of, require_done
from server.routes.samples import SampleDep
from server.schemas import QuoteCreate, QuoteOut
from server.web.i18n import negotiate

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["quotes"], responses=PROBLEM_RESPONSES)
_QUOTE_ID = re.compile(r"[0-9a-f]{32}")


def _out(request: Request, row) -> QuoteOut:
    body = row.body
    return QuoteOut(id=row.id, number=row.number, sample_id=row.sample_id,
                    created_at=datetime.fromtimestamp(row.created_at, timezone.utc), currency=body["currency"],
                    total=body["total"], lines=body["lines"],
                    pdf_url=str(request.app.url_path_for("get_quote_pdf", quote_id=row.id)))


def _render_paths(sample, queue, artifacts) -> list:
    files = files_of(sample)
    names = list(files.get("stills") or [])[:3] or list(files.get("frames") or [])[:1]
    paths = []
    for name in names:
        sha = queue.file_sha(sample.job.id, name)
        path = artifacts.path(sha) if sha else None
        if path is not None:
            paths.append(path)
    return paths


@router.post("/samples/{sample_id}/quotes", status_code=201, response_model=QuoteOut,
             responses={409: problem_doc("the sample is not done yet")})
def create_quote(sample: SampleDep, body: QuoteCreate, request: Request, db: DbDep, queue: QueueDep,
                 artifacts: ArtifactsDep, settings: SettingsDep, user: Principal("quote:write")) -> QuoteOut:
    """Price the sizes and quantities asked for and make the quote PDF (renders, fabric, sizes, consumption)."""
    require_done(sample)
    list_price, currency = fabric_list_price(get_library_settings().fabrics_dir / sample.fabric)
    price = body.fabric_price_per_m if body.fabric_price_per_m is not None else list_price
    if price is None:
        raise InvalidRequestError(f"body.fabric_price_per_m: fabric {sample.fabric} has no list price; give one")
    language = body.language or negotiate(request.headers.get("accept-language"))
    today = dt.date.today()
    with db.read() as conn:
        count = conn.execute(select(func.count()).select_from(quotes).where(quotes.c.org_id == user.org_id)).scalar()
    number = f"Q{today:%Y%m%d}-{count + 1:04d}-{new_id()[:4].upper()}"
    quote = price_quote(number=number, pattern=sample.pattern, parameters=dict(sample.request.get("parameters") or {}),
                        sizes=[(s.size, s.quantity) for s in body.sizes], fabric=sample.fabric,
                        fabric_price_per_m=price, making_cost=body.making_cost if body.making_cost is not None
                        else settings.making_cost, currency=body.currency or currency,
                        fabric_width_cm=body.fabric_width_cm, gender=sample.request.get("gender", "female"),
                        interfacing_price_per_m=body.interfacing_price_per_m,
                        interfacing_width_cm=body.interfacing_width_cm,
                        language=language, colours=sample.colours, client=body.client or sample.client, date=today)
    pdf = quote_pdf(quote, _render_paths(sample, queue, artifacts))
    sha, size = artifacts.put_bytes(pdf)
    lines = [{"size": line.size, "quantity": line.quantity, "fabric_m": line.fabric_m,
              "fabric_cost": line.fabric_cost, "making_cost": line.making_cost, "unit_price": line.unit_price,
              "amount": line.amount, "interfacing_m": line.interfacing_m,
              "interfacing_cost": line.interfacing_cost} for line in quote.lines]
    stored = {"currency": quote.currency, "total": quote.total, "lines": lines, "language": language,
              "fabric_price_per_m": price, "total_fabric_m": quote.total_fabric_m,
              "total_interfacing_m": quote.total_interfacing_m}
    quote_id = new_id()
    t = now()
    with db.write() as conn:
        if conn.execute(select(artifacts_table.c.sha256).where(artifacts_table.c.sha256 == sha)).first() is None:
            conn.execute(artifacts_table.insert().values(sha256=sha, size=size, created_at=t))
        conn.execute(quotes.insert().values(id=quote_id, number=number, org_id=user.org_id, sample_id=sample.id,
                                            created_by=user.id, body=stored, sha256=sha, created_at=t))
        row = conn.execute(select(quotes).where(quotes.c.id == quote_id)).first()
    return _out(request, row)


def _quote_row(db, org_id: str, quote_id: str):
    if not _QUOTE_ID.fullmatch(quote_id):
        raise NotFoundError(f"no quote with id '{clean(quote_id, 40)}'")
    with db.read() as conn:
        row = conn.execute(select(quotes).where(quotes.c.id == quote_id, quotes.c.org_id == org_id)).first()
    if row is None:
        raise NotFoundError(f"no quote with id '{quote_id}'")
    return row


@router.get("/quotes/{quote_id}", response_model=QuoteOut)
def get_quote(quote_id: str, request: Request, db: DbDep, user: Principal("quote:read")) -> QuoteOut:
    return _out(request, _quote_row(db, user.org_id, quote_id))


@router.get("/quotes/{quote_id}/quote.pdf", response_class=FileResponse, name="get_quote_pdf",
            responses={200: {"content": {"application/pdf": {}}}})
def get_quote_pdf(quote_id: str, db: DbDep, artifacts: ArtifactsDep, user: Principal("quote:read")) -> FileResponse:
    """The quote as PDF, named by its number, ready to attach to an e-mail."""
    row = _quote_row(db, user.org_id, quote_id)
    path = artifacts.path(row.sha256)
    if path is None:
        raise NotFoundError(f"the PDF of quote {row.number} is no longer stored")
    return FileResponse(path, media_type="application/pdf", filename=f"quote-{row.number}.pdf")
