"""The printed Rate Check: its text (read back with pypdf) holds what the Calc Lines tab shows —
every description and amount, each header's total and the total — and it is one page, even
for a rate with many lines (the font shrinks, then lines are left out and counted)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.db import Database, open_database
from app.engine.rates.results import CalcHeader, CalcLine, RateCheckResult
from app.reports.formatting import money_text
from app.reports.rate_check_pdf import render_rate_check
from app.services import rate_check, rates
from app.services.context import SYSTEM
from app.services.rate_check import (
    QuantityInput,
    RateCheckOutcome,
    RateCheckRequest,
)
from app.views.rate_check_results import calc_line_cells

D = Decimal


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("rate-pdf") / "rates.sqlite"
    database = open_database(f"sqlite:///{path}")
    rates.forget_cache()
    rates.load_shipped_rates(database, SYSTEM)
    yield database
    rates.forget_cache()
    database.dispose()


def _text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_holds_every_line_the_pane_shows(db: Database, tmp_path: Path) -> None:
    outcome = rate_check.check(db, RateCheckRequest(
        "E-RES-1", start=dt.date(2025, 8, 1), end=dt.date(2025, 8, 31),
        quantities=(QuantityInput("KWH", None, None, "750"),),
        characteristics=(("STATE", "IL"),), revenue_class="RES"))
    result = outcome.result
    path = render_rate_check(outcome, tmp_path / "rc.pdf",
                             printed=dt.datetime(2025, 9, 2, 10, 30))
    pages, text = _text(path)
    assert pages == 1
    flat = _flat(text)
    for line in result.lines:
        cells = calc_line_cells(line, result.currency)  # what the Calc Lines grid shows
        assert _flat(cells[1].text) in flat
        assert cells[2].text in flat
    for header in result.headers:
        assert money_text(header.amount, result.currency) in flat
    assert f"Total {money_text(result.total, 'USD')}" in flat and "$119.94" in flat
    assert "E-RES-1 — Residential electric service" in flat
    assert "2025-08-01 – 2025-08-31 (31 days)" in flat
    assert "STATE = IL" in flat and "2025-09-02 10:30" in flat
    assert "500 KWH" in flat  # the quantity priced


def test_the_sa_and_warnings_are_printed(db: Database, tmp_path: Path) -> None:
    outcome = rate_check.check(db, RateCheckRequest(
        "E-COM-DEM", start=dt.date(2025, 8, 1), end=dt.date(2025, 8, 31),
        quantities=(QuantityInput("KWH", None, None, "7825"),),
        characteristics=(("STATE", "IL"),), revenue_class="COM"))
    assert outcome.result.warnings  # no KW was given: the demand lines are skipped
    outcome = RateCheckOutcome(outcome.result, outcome.rate_description,
                               outcome.revenue_class_description,
                               RateCheckRequest("E-COM-DEM", sa_number="2825799789"))
    pages, text = _text(render_rate_check(outcome, tmp_path / "w.pdf", letter=True))
    flat = _flat(text)
    assert pages == 1
    assert "Service agreement 2825799789" in flat
    assert "Warnings and To Dos" in flat
    assert "needs service quantity KW" in flat


def _line(seq: int) -> CalcLine:
    day = dt.date(2025, 8, 1)
    return CalcLine(seq, seq * 10, f"Component number {seq} with a long description",
                    D("1.25"), True, False, "KWH", None, None, D("10"), None, False, None,
                    "REV", True, False, False, day, day)


def test_a_long_result_still_fits_one_page(tmp_path: Path) -> None:
    lines = tuple(_line(i) for i in range(1, 121))
    header = CalcHeader(1, "BIG", dt.date(2025, 1, 1), dt.date(2025, 8, 1),
                        dt.date(2025, 8, 31), D("150.00"), "Big rate", lines)
    result = RateCheckResult("BIG", "Big rate", "RES", dt.date(2025, 8, 1),
                             dt.date(2025, 8, 31), (header,), (), (), {}, D("150.00"), "USD")
    outcome = RateCheckOutcome(result, "A rate with 120 lines", "Residential",
                               RateCheckRequest("BIG"))
    pages, text = _text(render_rate_check(outcome, tmp_path / "big.pdf"))
    flat = _flat(text)
    assert pages == 1
    assert "more lines" in flat and "$150.00" in flat
    assert "Component number 1 with a long description" in flat
