"""Sales quotes: pricing from fabric consumption, and the quote document (PDF), in English or Chinese.

Domain logic with no HTTP in it: :func:`price_quote` turns a pattern, the
sizes and quantities ordered, a fabric price and a making cost into a
:class:`Quote`; :func:`quote_pdf` lays it out as an A4 PDF ready to attach to an
e-mail (renders, fabric, size breakdown, consumption, prices, number and date).

Fabric consumption per garment is the marker length of one garment of that
size on the roll (:func:`garment3d.patterns.consumption.estimate_marker`);
the fabric cost is that length times the price per metre. Chinese text needs
a CJK font: the first of :data:`CJK_FONT_CANDIDATES` found (Debian's
``fonts-droid-fallback`` or ``fonts-noto-cjk``), or ``GARMENT3D_CJK_FONT``; it
is embedded (subset) in the PDF.
"""

from __future__ import annotations

import datetime as _dt
import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from garment3d.errors import Garment3DError, InvalidRequestError

__all__ = ["QuoteLine", "Quote", "price_quote", "quote_pdf", "display_name", "fabric_list_price", "QuoteError",
           "CJK_FONT_CANDIDATES", "find_cjk_font", "NAMES"]

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",  # Debian fonts-droid-fallback
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian fonts-noto-cjk
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
LATIN_FONT_CANDIDATES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)

# Garment and fabric names in English and Simplified Chinese (library names; others fall back to their label).
NAMES: dict[str, tuple[str, str]] = {
    "a_line_skirt": ("A-line skirt", "A字裙"),
    "blouse": ("Blouse", "女式衬衫"),
    "circle_skirt": ("Circle skirt", "圆裙"),
    "jiaoling_top": ("Jiaoling top", "交领上衣"),
    "pencil_skirt": ("Pencil skirt", "铅笔裙"),
    "qipao": ("Qipao", "旗袍"),
    "shift_dress": ("Shift dress", "直筒连衣裙"),
    "t_shirt": ("T-shirt", "T恤"),
    "trousers": ("Trousers", "长裤"),
    "denim_indigo": ("Indigo denim", "靛蓝牛仔布"),
    "linen_red": ("Red linen", "红色亚麻"),
    "poplin_grey": ("Grey poplin", "灰色府绸"),
    "silk_charmeuse": ("Jade silk charmeuse", "翠绿真丝素绉缎"),
    "technical_knit": ("Technical knit", "功能针织布"),
    "jersey_cotton": ("Cotton jersey", "纯棉汗布"),
    "silk_brocade": ("Silk brocade", "真丝织锦缎"),
    "silk_crepe_de_chine": ("Silk crepe de chine", "真丝双绉"),
    "silk_dupioni": ("Silk dupioni", "真丝双宫绸"),
    "silk_habotai": ("Silk habotai", "真丝电力纺"),
    "silk_organza": ("Silk organza", "真丝欧根纱"),
    "wool_crepe": ("Wool crepe", "羊毛绉"),
}

_TEXT = {
    "en": {"title": "Quotation", "number": "Quote no.", "date": "Date", "client": "Client", "garment": "Garment",
           "fabric": "Fabric", "colours": "Colours", "size": "Size", "qty": "Quantity", "per": "Fabric per garment",
           "fabric_cost": "Fabric cost", "making": "Making", "unit": "Unit price", "line": "Amount",
           "total": "Total", "total_fabric": "Total fabric", "valid": "Prices in {currency}. Valid for 30 days.",
           "width": "Fabric width {width:g} cm; consumption from the marker of one garment per size.",
           "sample": "Sample", "interfacing": "Interfacing",
           "total_interfacing": "Total fusible interfacing",
           "interfacing_width": "Interfacing {width:g} cm wide; from the marker of the interfaced pieces."},
    "zh": {"title": "报价单", "number": "报价单号", "date": "日期", "client": "客户", "garment": "款式",
           "fabric": "面料", "colours": "颜色", "size": "尺码", "qty": "数量", "per": "单件用料",
           "fabric_cost": "面料成本", "making": "加工费", "unit": "单价", "line": "金额",
           "total": "合计", "total_fabric": "面料总用量", "valid": "价格单位：{currency}。报价有效期30天。",
           "width": "面料幅宽 {width:g} 厘米；用料按每个尺码单件排料估算。", "sample": "样衣",
           "interfacing": "衬料", "total_interfacing": "粘合衬总用量",
           "interfacing_width": "粘合衬幅宽 {width:g} 厘米；用量按需粘衬的裁片排料估算。"},
}


class QuoteError(Garment3DError):
    """The quote cannot be made as asked (no CJK font for Chinese text, no fabric price...)."""


def display_name(name: str, language: str = "en", fallback: str | None = None) -> str:
    """The garment or fabric ``name`` in ``language`` ('en' or 'zh')."""
    pair = NAMES.get(name)
    if pair is None:
        return fallback or name.replace("_", " ")
    return pair[1] if language == "zh" else pair[0]


def fabric_list_price(fabric_dir: Path) -> tuple[float | None, str]:
    """``price_per_m`` and ``currency`` (default CNY) from a fabric's ``fabric.toml``, when it lists them."""
    path = fabric_dir / "fabric.toml"
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None, "CNY"
    price = table.get("price_per_m")
    currency = table.get("currency", "CNY")
    ok = isinstance(price, (int, float)) and not isinstance(price, bool) and price >= 0
    return (float(price) if ok else None), (currency if isinstance(currency, str) else "CNY")


@dataclass(frozen=True)
class QuoteLine:
    size: str
    quantity: int
    fabric_m: float  # per garment
    fabric_cost: float  # per garment
    making_cost: float  # per garment
    unit_price: float
    amount: float
    interfacing_m: float = 0.0  # per garment, of a roll Quote.interfacing_width_cm wide
    interfacing_cost: float = 0.0  # per garment (in unit_price)


@dataclass(frozen=True)
class Quote:
    number: str
    date: _dt.date
    language: str
    currency: str
    garment: str
    garment_name: str
    fabric: str
    fabric_name: str
    colours: tuple[str, ...]
    client: str
    fabric_width_cm: float
    fabric_price_per_m: float
    lines: tuple[QuoteLine, ...]
    interfacing_width_cm: float = 90.0
    interfacing_price_per_m: float = 0.0

    @property
    def total(self) -> float:
        return round(sum(line.amount for line in self.lines), 2)

    @property
    def total_fabric_m(self) -> float:
        return round(sum(line.fabric_m * line.quantity for line in self.lines), 2)

    @property
    def total_interfacing_m(self) -> float:
        return round(sum(line.interfacing_m * line.quantity for line in self.lines), 2)

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)


def price_quote(*, number: str, pattern: str, parameters: dict[str, float], sizes: Sequence[tuple[str, int]],
                fabric: str, fabric_price_per_m: float, making_cost: float, currency: str = "CNY",
                fabric_width_cm: float = 140.0, gender: str = "female", language: str = "en",
                colours: Sequence[str] = (), client: str = "", date: _dt.date | None = None,
                consumption_m: dict[str, float] | None = None, interfacing_price_per_m: float = 0.0,
                interfacing_width_cm: float | None = None) -> Quote:
    """Price ``sizes`` (label, quantity) of a garment: fabric per garment from its marker, interfacing per
    garment from the marker of its interfaced pieces (on a roll ``interfacing_width_cm`` wide, default
    ``INTERFACING_WIDTH_CM``), plus making.

    ``consumption_m`` may give the fabric metres per garment by size (else each size's marker is estimated).
    """
    from garment3d.patterns import evaluate, get_definition
    from garment3d.patterns.consumption import INTERFACING_WIDTH_CM, estimate_marker, interfacing_marker
    from garment3d.patterns.evaluate import resolve_parameters
    from garment3d.sizes import parse_size

    if language not in _TEXT:
        raise InvalidRequestError(f"language must be en or zh, not '{language}'")
    if not sizes:
        raise InvalidRequestError("sizes: give at least one size with its quantity")
    labels = [label for label, _ in sizes]
    if len(set(labels)) != len(labels):
        raise InvalidRequestError("sizes: each size may appear once")
    if fabric_price_per_m < 0 or making_cost < 0 or interfacing_price_per_m < 0:
        raise InvalidRequestError("prices cannot be negative")
    interfacing_width_cm = INTERFACING_WIDTH_CM if interfacing_width_cm is None else interfacing_width_cm
    definition = get_definition(pattern)
    resolved = resolve_parameters(definition, dict(parameters))
    lines = []
    for label, quantity in sizes:
        if not isinstance(quantity, int) or quantity < 1:
            raise InvalidRequestError(f"sizes: quantity of {label} must be a whole number of at least 1")
        size = parse_size(label, gender)
        drafted = evaluate(definition, size.measurements, resolved, size.label)
        metres = (consumption_m or {}).get(label)
        if metres is None:
            metres = estimate_marker(drafted, fabric_width_cm, resolution_cm=1.0).marker_length_m
        metres = round(metres, 2)
        interfacing = interfacing_marker(drafted, interfacing_width_cm, resolution_cm=1.0)
        interfacing_m = round(interfacing.marker_length_m, 2) if interfacing is not None else 0.0
        fabric_cost = round(metres * fabric_price_per_m, 2)
        interfacing_cost = round(interfacing_m * interfacing_price_per_m, 2)
        unit = round(fabric_cost + interfacing_cost + making_cost, 2)
        lines.append(QuoteLine(size.label, quantity, metres, fabric_cost, round(making_cost, 2), unit,
                               round(unit * quantity, 2), interfacing_m, interfacing_cost))
    return Quote(number=number, date=date or _dt.date.today(), language=language, currency=currency,
                 garment=pattern, garment_name=display_name(pattern, language, definition.label), fabric=fabric,
                 fabric_name=display_name(fabric, language), colours=tuple(colours), client=client,
                 fabric_width_cm=fabric_width_cm, fabric_price_per_m=fabric_price_per_m, lines=tuple(lines),
                 interfacing_width_cm=interfacing_width_cm, interfacing_price_per_m=interfacing_price_per_m)


def find_cjk_font() -> Path | None:
    override = os.environ.get("GARMENT3D_CJK_FONT")
    for candidate in ((override,) if override else ()) + CJK_FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _needs_cjk(text: str) -> bool:
    return any(ord(c) > 0x2E7F for c in text)


def _money(value: float) -> str:
    return f"{value:,.2f}"


def quote_pdf(quote: Quote, images: Sequence[Path] = ()) -> bytes:
    """The quote as an A4 PDF: header, up to three renders, the size table, totals and notes."""
    from fpdf import FPDF

    t = _TEXT[quote.language]
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title(f"{t['title']} {quote.number}")
    pdf.set_creator("garment3d")
    words = " ".join([quote.garment_name, quote.fabric_name, quote.client, *quote.colours, *t.values()])
    cjk = find_cjk_font()
    latin = next((Path(p) for p in LATIN_FONT_CANDIDATES if Path(p).is_file()), None)
    if _needs_cjk(words) and cjk is None:
        raise QuoteError("Chinese text needs a CJK font: install Debian's fonts-droid-fallback "
                         "or set GARMENT3D_CJK_FONT to a .ttf file")
    if cjk is not None:
        pdf.add_font("cjk", fname=str(cjk))
    if latin is not None:
        pdf.add_font("latin", fname=str(latin))
        pdf.add_font("latin", style="B", fname=str(latin))
        font = "latin"
        if cjk is not None:
            pdf.set_fallback_fonts(["cjk"])
    elif cjk is not None:
        font = "cjk"
    else:
        font = "helvetica"

    def write(size: float, text: str, *, w: float = 0, h: float = 7, align: str = "L", ln: bool = True) -> None:
        pdf.set_font(font, size=size)
        pdf.cell(w, h, text, align=align, new_x="LMARGIN" if ln else "RIGHT", new_y="NEXT" if ln else "TOP")

    pdf.add_page()
    write(20, t["title"], h=12)
    write(10, f"{t['number']}: {quote.number}    {t['date']}: {quote.date.isoformat()}")
    if quote.client:
        write(10, f"{t['client']}: {quote.client}")
    write(10, f"{t['garment']}: {quote.garment_name}    {t['fabric']}: {quote.fabric_name}")
    if quote.colours:
        write(10, f"{t['colours']}: {', '.join(quote.colours)}")
    pdf.ln(3)
    shown = [Path(p) for p in images if Path(p).is_file()][:3]
    if shown:
        top = pdf.get_y()
        side = min(60.0, (pdf.epw - 10) / len(shown))
        for i, path in enumerate(shown):
            pdf.image(str(path), x=pdf.l_margin + i * (side + 5), y=top, w=side, h=side)
        pdf.set_y(top + side + 5)
    interfaced = quote.total_interfacing_m > 0
    columns = [(t["size"], 24), (t["qty"], 20), (t["per"], 32), (t["fabric_cost"], 28), (t["making"], 22),
               (t["unit"], 26), (t["line"], 28)]
    if interfaced:  # the interfacing's metres per garment after the fabric's; narrower columns to fit A4
        columns = [(t["size"], 18), (t["qty"], 18), (t["per"], 33), (t["interfacing"], 24), (t["fabric_cost"], 24),
                   (t["making"], 19), (t["unit"], 23), (t["line"], 25)]
    pdf.set_fill_color(230, 230, 230)
    for label, width in columns:
        pdf.set_font(font, size=9)
        pdf.cell(width, 8, label, border=1, align="C", fill=True)
    pdf.ln(8)
    for line in quote.lines:
        cells = [line.size, str(line.quantity), f"{line.fabric_m:.2f} m", _money(line.fabric_cost),
                 _money(line.making_cost), _money(line.unit_price), _money(line.amount)]
        if interfaced:
            cells.insert(3, f"{line.interfacing_m:.2f} m")
        for (_, width), value in zip(columns, cells):
            pdf.set_font(font, size=9)
            pdf.cell(width, 7, value, border=1, align="R" if value[:1].isdigit() else "C")
        pdf.ln(7)
    pdf.ln(3)
    write(11, f"{t['total']}: {quote.currency} {_money(quote.total)}  ({quote.quantity})")
    write(10, f"{t['total_fabric']}: {quote.total_fabric_m:.2f} m  @ {_money(quote.fabric_price_per_m)}/m")
    if interfaced:
        write(10, f"{t['total_interfacing']}: {quote.total_interfacing_m:.2f} m  "
                  f"@ {_money(quote.interfacing_price_per_m)}/m")
    write(8, t["width"].format(width=quote.fabric_width_cm), h=5)
    if interfaced:
        write(8, t["interfacing_width"].format(width=quote.interfacing_width_cm), h=5)
    write(8, t["valid"].format(currency=quote.currency), h=5)
    return bytes(pdf.output())
