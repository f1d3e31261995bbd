"""The printed quote (spec/40 §4): read back with pypdf, it holds the recipient, every option
with its facts, Terms & Conditions (ordered by description), scenarios, calc lines and total, any
ERROR with its message, the comparison with the cheapest option marked, and "Page x of y" per
copy. The quotes are built by hand from the worked examples T-QTE-01 and T-PSA-01."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.models.enums import (
    QuoteDetailStatus,
    QuoteRouteMethod,
    QuoteStatus,
    SAStatus,
    ServiceType,
    SimulatedSegmentStatus,
)
from app.reports.quote_pdf import Letterhead, render_quote, render_quote_copies
from app.reports.quote_pdf_parts import (
    cheapest,
    printed_lines,
    recipient_lines,
    sorted_terms,
)
from app.services.quote_dto import (
    ProposalSummary,
    QuoteDetailView,
    QuoteView,
    RoutingView,
    SimulatedHeaderView,
    SimulatedLineView,
    SimulatedQuantityView,
    SimulatedSegmentView,
    TermsView,
)

D = Decimal
JAN = (dt.date(2000, 1, 1), dt.date(2000, 1, 31))
FEB = (dt.date(2000, 2, 1), dt.date(2000, 2, 28))
PRINTED = dt.datetime(2000, 1, 15, 9, 30)
COMMITMENT = TermsView(
    "TC-COMMIT", "Minimum commitment",
    "The quote needs a commitment of at least 6 months; ending early costs 2 × the average "
    "bill amount.", dt.date(2000, 1, 1), None)
HISTORIC = TermsView(
    "TC-HIST", "Historical market prices",
    "The prices were computed from historical market prices, which may not repeat.",
    dt.date(2000, 1, 1), dt.date(2000, 12, 31))


def line(seq: int, text: str, amount: str, *, summary: bool = True, in_total: bool = True,
         kwh: str | None = None) -> SimulatedLineView:
    return SimulatedLineView(seq, text, D(amount), True, summary, in_total,
                             "KWH" if kwh else None, None, None, D(kwh) if kwh else None,
                             None, seq, None, None)


def segment(period: tuple[dt.date, dt.date], rate: str,
            lines: tuple[SimulatedLineView, ...], amount: str, *,
            error: str | None = None) -> SimulatedSegmentView:
    start, end = period
    if error:
        return SimulatedSegmentView(start, end, SimulatedSegmentStatus.ERROR, error, D("0.00"),
                                    rate, 1)
    header = SimulatedHeaderView(1, rate, dt.date(1999, 1, 1), start, end, D(amount), "",
                                 lines)
    quantity = SimulatedQuantityView("KWH", None, None, D("7500"), D("7500"))
    return SimulatedSegmentView(start, end, SimulatedSegmentStatus.OK, None, D(amount), rate,
                                1, (header,), (quantity,))


def detail(number: str, sa: str, rate: str, description: str, total: str,
           segments: tuple[SimulatedSegmentView, ...],
           terms: tuple[TermsView, ...] = (), *, version: int = 3) -> QuoteDetailView:
    proposal = ProposalSummary(sa, "Electric", ServiceType.ELECTRIC, SAStatus.QUOTABLE,
                               dt.date(2000, 1, 1), "7200000018",
                               "72 Market Street, San Francisco, CA", rate, description,
                               version)
    failed = any(s.status is SimulatedSegmentStatus.ERROR for s in segments)
    return QuoteDetailView(number, proposal, 3,
                           QuoteDetailStatus.ERROR if failed else QuoteDetailStatus.OK,
                           dt.datetime(2000, 1, 10, 8, 0), D(total), (), segments, terms)


def option_eq10(**kw: object) -> QuoteDetailView:
    return detail("100000000011", "5000000011", "EQ-10", "Equalized commercial", "1236.00", (
        segment(JAN, "EQ-10", (line(1, "Usage < Cap", "500.00", kwh="6000"),
                               line(2, "Usage > Cap", "100.00", kwh="1500")), "600.00"),
        segment(FEB, "EQ-10", (line(1, "Usage < Cap", "525.00", kwh="6000"),
                               line(2, "Usage > Cap", "111.00", kwh="1500")), "636.00"),
    ), (HISTORIC, COMMITMENT), **kw)  # type: ignore[arg-type]


def option_aa34() -> QuoteDetailView:
    return detail("100000000029", "5000000029", "AA-34", "Hedged commercial", "1227.00", (
        segment(JAN, "AA-34", (line(1, "Hedge", "400.00"), line(2, "> Hedge", "201.00")),
                "601.00"),
        segment(FEB, "AA-34", (line(1, "Hedge", "625.00"), line(2, "> Hedge", "1.00")),
                "626.00"),
    ))


def routing(seq: int, names: tuple[str, ...], *, method: QuoteRouteMethod =
            QuoteRouteMethod.POSTAL, email: str | None = None) -> RoutingView:
    postal = method is QuoteRouteMethod.POSTAL
    return RoutingView(seq, None, "POSTAL" if postal else "EMAIL", method, "QUOTROUT", 42,
                       False, False, None, names,
                       ("72 Market Street", "Suite 400") if postal else (),
                       "San Francisco" if postal else None, "CA" if postal else None,
                       "94105" if postal else None, "US" if postal else None, email, None, 1)


POSTAL = routing(1, ("ABC Supply", "Attn: Dana Whitfield"))
EMAIL = routing(2, ("Lee Ortega",), method=QuoteRouteMethod.EMAIL, email="lee@abcsupply.example")


def quote(details: tuple[QuoteDetailView, ...], routings: tuple[RoutingView, ...] = (POSTAL,),
          ) -> QuoteView:
    return QuoteView("123456789012", "1231231123", "ABC Supply", QuoteStatus.COMPLETE,
                     dt.datetime(2000, 3, 31, 17, 0), dt.datetime(2000, 1, 10, 8, 0), "csr1",
                     "USD", 1, details, routings)


TWO_OPTIONS = quote((option_eq10(), option_aa34()))


def pages_text(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]


def flat(path: Path) -> str:
    return " ".join(pages_text(path))


def test_the_two_option_quote_prints_everything(tmp_path: Path) -> None:
    path = render_quote(TWO_OPTIONS, tmp_path / "q.pdf", routing=POSTAL, run=42,
                        printed_at=PRINTED)
    text = flat(path)
    for expected in ("Switchboard Demo Utility", "Quote", "123456789012", "1231231123",
                     "Complete", "2000-03-31 17:00", "USD",
                     "ABC Supply", "Attn: Dana Whitfield", "72 Market Street", "Suite 400",
                     "San Francisco, CA 94105",
                     "Option 1", "Option 2", "100000000011", "5000000029", "EQ-10 — Equalized "
                     "commercial", "72 Market Street, San Francisco, CA", "Electric",
                     "Usage < Cap", "Usage > Cap", "$500.00", "$111.00", "6,000 KWH",
                     "$600.00", "$636.00", "$601.00", "$626.00",
                     "Total for Option 1 $1,236.00", "Total for Option 2 $1,227.00",
                     "2000-02-01 – 2000-02-28 (28 days)", "Quantities priced",
                     "Page 1 of", "Run 42", "Printed 2000-01-15 09:30"):
        assert expected in text, expected
    assert "By e-mail" not in text and "changed after" not in text


def test_terms_print_ordered_by_description(tmp_path: Path) -> None:
    text = flat(render_quote(TWO_OPTIONS, tmp_path / "q.pdf", printed_at=PRINTED))
    assert "Terms & Conditions" in text
    first, second = text.index("Historical market prices"), text.index("Minimum commitment")
    assert first < second  # T-PSA-01: by short description, not by code or given order
    assert "2 × the average bill amount" in text and "which may not repeat" in text
    assert "From 2000-01-01" in text and "2000-01-01 to 2000-12-31" in text
    assert [t.code for t in sorted_terms((COMMITMENT, HISTORIC))] == ["TC-HIST", "TC-COMMIT"]


def test_sections_follow_the_record_order(tmp_path: Path) -> None:
    """T-PRT-03's order: 0200 (option), 0300 × 2 (T&Cs), then each 0400 segment by end date
    with its calc lines and SQ, then 1100 (option total), then the next option."""
    eq10 = option_eq10()
    backwards = replace(eq10, segments=tuple(reversed(eq10.segments)))
    text = flat(render_quote(quote((backwards, option_aa34())), tmp_path / "q.pdf"))
    marks = ["Option 1", "1. Historical market prices", "2. Minimum commitment",
             "Billing scenarios", "Period 2000-01-01 – 2000-01-31", "Usage < Cap 6,000 KWH $500.00",
             "Quantities priced", "Period 2000-02-01 – 2000-02-28", "Usage > Cap 1,500 KWH $111.00",
             "Total for Option 1", "Option 2", "Period 2000-01-01 – 2000-01-31",
             "Hedge $400.00", "Total for Option 2", "Comparison of options"]
    at = 0
    for mark in marks:
        found = text.find(mark, at)
        assert found >= 0, f"{mark!r} missing or out of order"
        at = found + len(mark)
    assert text.count("Quantities priced") == 4  # one SQ table per segment


def test_the_cheapest_ok_option_is_marked(tmp_path: Path) -> None:
    text = flat(render_quote(TWO_OPTIONS, tmp_path / "q.pdf", printed_at=PRINTED))
    assert "Comparison of options" in text
    assert "Option 2 AA-34 100000000029 OK $1,227.00 Lowest" in text
    assert "Option 1 EQ-10 100000000011 OK $1,236.00 Lowest" not in text
    assert "Option 2 (AA-34) has the lowest total: $1,227.00." in text
    assert cheapest(TWO_OPTIONS.details) == {"100000000029"}


def test_an_error_segment_and_an_email_recipient(tmp_path: Path) -> None:
    failing = detail("100000000037", "5000000037", "AA-34", "Hedged commercial", "601.00", (
        segment(JAN, "AA-34", (line(1, "Hedge", "400.00"), line(2, "> Hedge", "201.00")),
                "601.00"),
        segment(FEB, "AA-34", (), "0", error="No rate version of AA-34 is in effect on "
                "2000-02-01."),
    ))
    q = quote((option_eq10(version=4), failing), (EMAIL,))
    text = flat(render_quote(q, tmp_path / "q.pdf", routing=EMAIL, printed_at=PRINTED))
    assert "Lee Ortega" in text and "By e-mail: lee@abcsupply.example" in text
    assert "72 Market Street Suite" not in text  # no postal address on an e-mail copy
    assert "ERROR" in text and "No rate version of AA-34 is in effect on 2000-02-01." in text
    assert "1 period of this option could not be priced" in text
    assert "The terms of this proposal changed after these amounts were calculated" in text
    # the ERROR option is not compared: the only OK option is the cheapest
    assert "Option 1 (EQ-10) has the lowest total: $1,236.00." in text
    assert "Options with a period that could not be priced are not compared." in text


def test_summary_prints_the_summary_lines_or_else_the_lines_in_total(tmp_path: Path) -> None:
    lines = (line(1, "Customer charge", "10.00", summary=True),
             line(2, "Energy detail", "50.00", summary=False),
             line(3, "Memo: budget", "5.00", summary=False, in_total=False))
    assert [x.sequence for x in printed_lines(lines, "summary")] == [1]
    assert [x.sequence for x in printed_lines(lines, "detail")] == [1, 2, 3]
    unmarked = tuple(replace(x, app_in_summary=False) for x in lines)
    assert [x.sequence for x in printed_lines(unmarked, "summary")] == [1, 2]
    seg = segment(JAN, "EQ-10", lines, "60.00")
    q = quote((detail("100000000045", "5000000045", "EQ-10", "", "60.00", (seg,)),))
    summary = flat(render_quote(q, tmp_path / "s.pdf", detail_level="summary"))
    assert "Customer charge" in summary and "Energy detail" not in summary
    assert "2 more lines in the detailed quote" in summary
    full = flat(render_quote(q, tmp_path / "d.pdf", detail_level="detail"))
    assert "Energy detail" in full and "Memo: budget (not in the total)" in full
    with pytest.raises(ValueError):
        render_quote(q, tmp_path / "x.pdf", detail_level="brief")  # type: ignore[arg-type]


def test_without_a_routing_the_account_name_is_the_recipient(tmp_path: Path) -> None:
    q = replace(TWO_OPTIONS, status=QuoteStatus.PENDING, routings=())
    assert recipient_lines(None, "ABC Supply") == ["ABC Supply"]
    text = flat(render_quote(q, tmp_path / "q.pdf", letterhead=Letterhead(
        "Northwind Power", ("1 Grid Road",), None, "northwind.example")))
    assert "Northwind Power" in text and "Pending" in text and "ABC Supply" in text
    assert "72 Market Street, San Francisco, CA" in text  # the premise, not a recipient
    assert "Suite 400" not in text and "Run" not in text
    # with routings but none chosen, the first routing is the recipient (spec/40 §4.1)
    routed = flat(render_quote(TWO_OPTIONS, tmp_path / "r.pdf"))
    assert "Attn: Dana Whitfield" in routed and "Recipient 1" in routed


def test_copies_restart_their_page_numbers(tmp_path: Path) -> None:
    path = render_quote_copies(TWO_OPTIONS, (POSTAL, EMAIL), tmp_path / "run.pdf",
                               printed_at=PRINTED)
    pages = pages_text(path)
    firsts = [i for i, p in enumerate(pages) if "Page 1 of" in p]
    assert len(firsts) == 2 and firsts[0] == 0
    per_copy = firsts[1]
    assert len(pages) == 2 * per_copy
    assert f"Page 1 of {per_copy}" in pages[0] and f"Page {per_copy} of {per_copy}" in \
        pages[per_copy - 1]
    assert "Attn: Dana Whitfield" in pages[0] and "Recipient 1" in pages[0]
    assert "Lee Ortega" in pages[per_copy] and "By e-mail: lee@abcsupply.example" in \
        pages[per_copy]
    assert "Lee Ortega" not in pages[0] and "Run 42" in pages[per_copy]
    with pytest.raises(ValueError):
        render_quote_copies(TWO_OPTIONS, (), tmp_path / "none.pdf")


def test_a_long_quote_spans_pages(tmp_path: Path) -> None:
    months = [(dt.date(2000, m, 1), dt.date(2000 + m // 12, m % 12 + 1, 1)
               - dt.timedelta(days=1)) for m in range(1, 13)]
    options = tuple(
        detail(f"1{n:011d}", f"5{n:09d}", f"R-{n:02d}", "A rate with a rather long "
               "description that has to wrap inside its column " * 2, f"{12 * (600 + n)}.00",
               tuple(segment(p, f"R-{n:02d}", (
                   line(1, "Customer charge", "100.00"),
                   line(2, "Energy at the peak price, long description " * 3, f"{500 + n}.00",
                        kwh="12345.678901")), f"{600 + n}.00") for p in months),
               (COMMITMENT,))
        for n in range(1, 21))
    started = time.perf_counter()
    path = render_quote(quote(options), tmp_path / "long.pdf", routing=POSTAL, run=7)
    elapsed = time.perf_counter() - started
    pages = pages_text(path)
    print(f"\n20 options x 12 segments: {len(pages)} pages in {elapsed:.2f} s")
    assert len(pages) > 1
    assert all(f"of {len(pages)}" in p for p in pages)
    assert "Option 20" in pages[-1] or "Option 20" in " ".join(pages[-3:])
    assert "Option 1 (R-01) has the lowest total: $7,212.00." in " ".join(pages)
