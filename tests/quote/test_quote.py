"""garment3d.quote without HTTP: prices from the marker estimate and the PDF in English and Chinese."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pytest

from garment3d.errors import InvalidRequestError
from garment3d.quote import display_name, find_cjk_font, price_quote, quote_pdf


def _quote(**changes):
    args = dict(number="Q-1", pattern="a_line_skirt", parameters={}, sizes=[("155/80A", 10), ("165/88A", 5)],
                fabric="silk_charmeuse", fabric_price_per_m=100.0, making_cost=50.0, date=dt.date(2026, 12, 2))
    return price_quote(**(args | changes))


def test_prices_follow_the_marker_and_the_making_cost():
    from garment3d.patterns import evaluate, get_definition
    from garment3d.patterns.consumption import estimate_marker
    from garment3d.sizes import parse_size

    quote = _quote()
    small, large = quote.lines
    size = parse_size("155/80A")
    marker = estimate_marker(evaluate(get_definition("a_line_skirt"), size.measurements, {}, size.label), 140.0,
                             resolution_cm=1.0)
    assert small.fabric_m == round(marker.marker_length_m, 2)
    assert large.fabric_m >= small.fabric_m  # a bigger size takes at least as much cloth
    assert small.unit_price == pytest.approx(small.fabric_m * 100 + 50, abs=0.01)
    assert quote.total == pytest.approx(small.amount + large.amount)
    assert quote.total_fabric_m == pytest.approx(10 * small.fabric_m + 5 * large.fabric_m, abs=0.01)
    assert quote.currency == "CNY"


def test_bad_quotes_name_the_problem():
    with pytest.raises(InvalidRequestError, match="once"):
        _quote(sizes=[("155/80A", 1), ("155/80A", 2)])
    with pytest.raises(InvalidRequestError, match="at least 1"):
        _quote(sizes=[("155/80A", 0)])
    with pytest.raises(InvalidRequestError, match="negative"):
        _quote(making_cost=-1.0)


def test_names_in_both_languages():
    assert display_name("qipao", "zh") == "旗袍" and display_name("qipao", "en") == "Qipao"
    assert display_name("silk_charmeuse", "zh") == "翠绿真丝素绉缎"


def test_every_library_garment_and_fabric_has_a_chinese_name():
    from garment3d.fabrics import list_fabrics
    from garment3d.patterns.library import list_patterns

    for name in [*list_patterns(), *list_fabrics()]:
        zh = display_name(name, "zh")
        assert zh != display_name(name, "en") and any("\u4e00" <= c <= "\u9fff" for c in zh), name


@pytest.mark.skipif(find_cjk_font() is None, reason="needs a CJK font (Debian fonts-droid-fallback, .ci/run)")
def test_chinese_pdf_has_its_text_and_embeds_the_font():
    from pypdf import PdfReader

    quote = _quote(language="zh", client="杭州丝绸")
    pdf = quote_pdf(quote)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for words in ("报价单", "A字裙", "翠绿真丝素绉缎", "杭州丝绸", "155/80A", "Q-1", "2026-12-02"):
        assert words in text, (words, text)
    assert f"{quote.total:,.2f}" in text
    assert b"/FontFile2" in pdf


def test_english_pdf_with_a_render(tmp_path):
    from PIL import Image
    from pypdf import PdfReader

    render = tmp_path / "front.png"
    Image.new("RGB", (64, 64), (200, 30, 30)).save(render)
    pdf = quote_pdf(_quote(language="en"), [render])
    reader = PdfReader(io.BytesIO(pdf))
    assert "Quotation" in reader.pages[0].extract_text()
    assert len(reader.pages[0].images) == 1


def test_interfacing_is_measured_from_the_interfaced_pieces_and_priced():
    """The circle skirt's fused waistband: one band on grain along a 90 cm roll, so its metres are the band's
    cut length; priced into the unit price; a garment with nothing interfaced takes none."""
    from garment3d.patterns import evaluate, get_definition
    from garment3d.patterns.formats import cut_pieces
    from garment3d.sizes import parse_size

    quote = _quote(pattern="circle_skirt", sizes=[("160/84A", 4)], interfacing_price_per_m=20.0)
    line, = quote.lines
    size = parse_size("160/84A")
    band = next(p for p in cut_pieces(evaluate(get_definition("circle_skirt"), size.measurements, {}, size.label))
                if p.name == "waistband")
    band_m = float(np.ptp(band.unfolded_cut_line[:, 0])) / 100.0  # the band lies along x, its grain
    assert band_m - 0.005 <= line.interfacing_m <= band_m + 0.025  # the marker's 1 cm cells, rounded
    assert line.interfacing_cost == pytest.approx(line.interfacing_m * 20.0, abs=0.01)
    assert line.unit_price == pytest.approx(line.fabric_cost + line.interfacing_cost + 50.0, abs=0.01)
    assert quote.total_interfacing_m == pytest.approx(4 * line.interfacing_m, abs=0.01)
    assert all(line.interfacing_m == 0.0 for line in _quote().lines)  # the A-line skirt is not interfaced
    with pytest.raises(InvalidRequestError, match="negative"):
        _quote(interfacing_price_per_m=-1.0)


def test_pdf_shows_interfacing_only_for_an_interfaced_garment():
    from pypdf import PdfReader

    interfaced = PdfReader(io.BytesIO(quote_pdf(_quote(pattern="trousers", language="en")))).pages[0].extract_text()
    plain = PdfReader(io.BytesIO(quote_pdf(_quote(language="en")))).pages[0].extract_text()
    assert "Interfacing" in interfaced and "Total fusible interfacing" in interfaced
    assert "nterfacing" not in plain
