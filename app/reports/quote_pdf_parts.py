"""The pieces of the printed quote (spec/40 §4.8): small pure helpers that turn the quote DTOs
into text, and the ReportLab flowables built from that text. `quote_pdf` assembles them into
pages; nothing here opens a file or computes an amount — every amount printed is one the
service gave (`QuoteView`, `QuoteDetailView.total`, a segment's, header's or line's amount).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.models.enums import QuoteDetailStatus, QuoteRouteMethod, SimulatedSegmentStatus
from app.reports.formatting import DASH, key_text, money_text, period_text, quantity_text
from app.services.quote_dto import (
    QuoteDetailView,
    QuoteView,
    RoutingView,
    SimulatedHeaderView,
    SimulatedLineView,
    SimulatedQuantityView,
    SimulatedSegmentView,
    TermsView,
)

DetailLevel = Literal["detail", "summary"]
DETAIL_LEVELS: tuple[str, ...] = ("detail", "summary")

ACCENT = colors.HexColor("#1f3a5f")
GRID = colors.HexColor("#c9ccd1")
SHADE = colors.HexColor("#eef2f8")
BAND = colors.HexColor("#dde5f0")
MUTED = colors.HexColor("#6b7078")
ERROR = colors.HexColor("#b00020")
ERROR_SHADE = colors.HexColor("#fde8ea")
WARN = colors.HexColor("#7a5200")
WARN_SHADE = colors.HexColor("#fff4d6")
BEST_SHADE = colors.HexColor("#e3f4e6")
BEST = colors.HexColor("#1d6b2f")

#: Countries whose postal code precedes the city ("75008 Paris"); GB and IE put it on its
#: own line; everyone else writes "City, Region Postal" (spec/40 §4.7: country order).
POSTAL_CODE_FIRST = frozenset({"AT", "BE", "CH", "CZ", "DE", "DK", "ES", "FI", "FR", "IT",
                               "LU", "NL", "NO", "PL", "PT", "SE", "SK"})
POSTAL_CODE_OWN_LINE = frozenset({"GB", "IE"})
COUNTRY_NAMES = {"US": "United States", "USA": "United States", "CA": "Canada",
                 "GB": "United Kingdom", "IE": "Ireland", "MX": "Mexico", "AU": "Australia",
                 "NZ": "New Zealand", "DE": "Germany", "FR": "France", "NL": "Netherlands"}


@dataclass(frozen=True)
class Letterhead:
    """Who sends the quote: printed at the top of each copy's first page."""

    utility_name: str = "Switchboard Demo Utility"
    address_lines: tuple[str, ...] = ("100 Main Street", "Springfield, IL 62701")
    phone: str | None = "(555) 010-0100"
    web: str | None = "www.switchboard.example"
    #: The utility's own country: a recipient there gets no country line.
    country: str = "US"


# --- text (pure) ---------------------------------------------------------------------------------


def status_text(value: str) -> str:
    """"COMPLETE" -> "Complete"; "PENDING_START" -> "Pending start"."""
    return value.replace("_", " ").capitalize() if value else DASH


def when_text(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def locality_lines(city: str | None, region: str | None, postal: str | None,
                   country: str | None) -> list[str]:
    """The city, region and postal code in the order the country writes them."""
    code = (country or "").strip().upper()
    if code in POSTAL_CODE_FIRST:
        return [x for x in (" ".join(p for p in (postal, city) if p), region) if x]
    if code in POSTAL_CODE_OWN_LINE:
        return [x for x in (city, region, postal) if x]
    tail = " ".join(p for p in (region, postal) if p)
    return [x for x in (", ".join(p for p in (city, tail) if p),) if x]


def country_line(country: str | None, home: str) -> str | None:
    """The country's name, unless it is the utility's own country (or not given)."""
    code = (country or "").strip().upper()
    if not code or COUNTRY_NAMES.get(code, code) == COUNTRY_NAMES.get(home.upper(), home):
        return None
    return COUNTRY_NAMES.get(code, code)


def postal_lines(routing: RoutingView, home: str = "US") -> list[str]:
    """The non-empty address constituents of a postal routing, in country order."""
    lines = [x for x in routing.address_lines if x and x.strip()]
    lines += locality_lines(routing.city, routing.region, routing.postal_code, routing.country)
    country = country_line(routing.country, home)
    return lines + ([country] if country else [])


def recipient_lines(routing: RoutingView | None, account_name: str,
                    home: str = "US") -> list[str]:
    """The recipient block: name lines, then the address or how the copy is sent. Without a
    routing (a quote not routed yet) it is the account name alone."""
    if routing is None:
        return [account_name]
    names = [n for n in routing.names if n and n.strip()] or [account_name]
    if routing.route_method is QuoteRouteMethod.EMAIL:
        return [*names, f"By e-mail: {routing.email or DASH}"]
    if routing.route_method is QuoteRouteMethod.FAX:
        return [*names, f"By fax: {routing.fax or DASH}"]
    return names + postal_lines(routing, home)


def sorted_terms(terms: Iterable[TermsView]) -> list[TermsView]:
    """Terms & Conditions in print order: by short description, then code (spec/40 T-PSA-01)."""
    return sorted(terms, key=lambda t: (t.description.casefold(), t.code))


def sorted_segments(segments: Iterable[SimulatedSegmentView]) -> list[SimulatedSegmentView]:
    """Simulated segments in print order: by end date, then start date (spec/40 §4.4)."""
    return sorted(segments, key=lambda s: (s.end, s.start))


def term_period_text(term: TermsView) -> str:
    if term.end is None:
        return f"From {term.start.isoformat()}"
    return f"{term.start.isoformat()} to {term.end.isoformat()}"


def printed_lines(lines: Sequence[SimulatedLineView],
                  level: DetailLevel) -> list[SimulatedLineView]:
    """The calc lines a header prints: all of them in detail; in summary the lines marked for
    the summary, or — when none is — the lines in the total."""
    if level == "detail":
        return list(lines)
    marked = [x for x in lines if x.app_in_summary]
    return marked or [x for x in lines if x.in_total]


def line_quantity(line: SimulatedLineView) -> str:
    """The quantity column: the billable quantity and its unit, when the line priced one."""
    if line.billable_sq is None:
        return ""
    unit = " ".join(p for p in (line.uom, line.tou, line.sqi) if p)
    return f"{quantity_text(line.billable_sq)} {unit}".strip()


def cheapest(details: Iterable[QuoteDetailView]) -> frozenset[str]:
    """The numbers of the OK details with the lowest total (several when they tie)."""
    ok = [d for d in details if d.status is QuoteDetailStatus.OK]
    if not ok:
        return frozenset()
    low = min(d.total for d in ok)
    return frozenset(d.number for d in ok if d.total == low)


def rate_text(detail: QuoteDetailView) -> str:
    p = detail.proposal
    if p.rate_schedule and p.rate_description and p.rate_description != p.rate_schedule:
        return f"{p.rate_schedule} — {p.rate_description}"
    return p.rate_schedule or p.rate_description or DASH


def premise_text(detail: QuoteDetailView) -> str:
    p = detail.proposal
    parts = [x for x in (p.premise_number, p.premise_address) if x]
    return " — ".join(parts) or DASH


def failed_segments(detail: QuoteDetailView) -> int:
    return sum(1 for s in detail.segments if s.status is SimulatedSegmentStatus.ERROR)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def footer_text(quote: QuoteView, routing: RoutingView | None, run: int | None,
                printed_at: dt.datetime) -> str:
    """"Quote 123… · Recipient 1 · Run 42 · Printed 2025-09-02 10:30" (spec/40 §4.6 0010)."""
    parts = [f"Quote {quote.number}"]
    if routing is not None and routing.sequence:
        parts.append(f"Recipient {routing.sequence}")
    if run is not None:
        parts.append(f"Run {run}")
    parts.append(f"Printed {when_text(printed_at)}")
    return " · ".join(parts)


# --- flowables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    size: float = 9.0

    def style(self, name: str, **kw: Any) -> ParagraphStyle:
        base: dict[str, Any] = {"fontName": "Helvetica", "fontSize": self.size,
                                "leading": self.size * 1.25}
        base.update(kw)
        return ParagraphStyle(name, **base)

    @cached_property
    def body(self) -> ParagraphStyle:
        return self.style("body")

    @cached_property
    def bold(self) -> ParagraphStyle:
        return self.style("bold", fontName="Helvetica-Bold")

    @cached_property
    def right(self) -> ParagraphStyle:
        return self.style("right", alignment=TA_RIGHT)

    @cached_property
    def right_bold(self) -> ParagraphStyle:
        return self.style("rightBold", alignment=TA_RIGHT, fontName="Helvetica-Bold")

    @cached_property
    def muted(self) -> ParagraphStyle:
        return self.style("muted", textColor=MUTED)

    @cached_property
    def muted_right(self) -> ParagraphStyle:
        return self.style("mutedRight", textColor=MUTED, alignment=TA_RIGHT)

    @cached_property
    def small(self) -> ParagraphStyle:
        return self.style("small", fontSize=self.size - 1, leading=(self.size - 1) * 1.25,
                          textColor=MUTED)

    @cached_property
    def caption(self) -> ParagraphStyle:
        """A table's caption, indented like the table's cells."""
        return self.style("caption", parent=self.small, leftIndent=6)

    @cached_property
    def error(self) -> ParagraphStyle:
        return self.style("error", textColor=ERROR)

    @cached_property
    def warning(self) -> ParagraphStyle:
        return self.style("warning", textColor=WARN)

    @cached_property
    def heading(self) -> ParagraphStyle:
        return self.style("heading", fontName="Helvetica-Bold", fontSize=self.size + 1.5,
                          leading=(self.size + 1.5) * 1.3, spaceBefore=self.size * 0.9,
                          spaceAfter=self.size * 0.3, textColor=ACCENT, keepWithNext=1)

    @cached_property
    def option(self) -> ParagraphStyle:
        return self.style("option", fontName="Helvetica-Bold", fontSize=self.size + 3,
                          leading=(self.size + 3) * 1.25, textColor=ACCENT)

    @cached_property
    def option_right(self) -> ParagraphStyle:
        return self.style("optionRight", fontName="Helvetica-Bold", fontSize=self.size + 3,
                          leading=(self.size + 3) * 1.25, textColor=ACCENT, alignment=TA_RIGHT)

    @cached_property
    def utility(self) -> ParagraphStyle:
        return self.style("utility", fontName="Helvetica-Bold", fontSize=self.size + 6,
                          leading=(self.size + 6) * 1.25, textColor=ACCENT)

    @cached_property
    def title(self) -> ParagraphStyle:
        return self.style("title", fontName="Helvetica-Bold", fontSize=self.size + 13,
                          leading=(self.size + 13) * 1.15, alignment=TA_RIGHT,
                          textColor=ACCENT)


def draw_footer(canvas: Any, text: str, page: int, pages: int, margin: float,
                bottom: float) -> None:
    """The page footer: a rule under the frame, ``text`` left and "Page x of y" right."""
    width = canvas._pagesize[0]
    canvas.saveState()
    canvas.setStrokeColor(GRID)
    canvas.setLineWidth(0.5)
    canvas.line(margin, bottom - 4 * mm, width - margin, bottom - 4 * mm)
    canvas.setFont("Helvetica", 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(margin, bottom - 8 * mm, text)
    canvas.drawRightString(width - margin, bottom - 8 * mm, f"Page {page} of {pages}")
    canvas.restoreState()


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped; line breaks kept)."""
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def grid_style(*extra: tuple[Any, ...], header: bool = True) -> TableStyle:
    """The common table look: shaded header row, light rules, tight padding."""
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GRID),
    ]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), SHADE),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.6, GRID)]
    return TableStyle(commands + list(extra))


def plain_style(*extra: tuple[Any, ...]) -> TableStyle:
    return TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("LEFTPADDING", (0, 0), (-1, -1), 0),
                       ("TOPPADDING", (0, 0), (-1, -1), 0.8),
                       ("BOTTOMPADDING", (0, 0), (-1, -1), 0.8), *extra])


def notice(text: str, s: Styles, width: float, *, error: bool = False) -> Table:
    """A tinted box around one sentence (a warning, or an error in red)."""
    table = Table([[para(text, s.error if error else s.warning)]], colWidths=[width])
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1),
                                ERROR_SHADE if error else WARN_SHADE),
                               ("BOX", (0, 0), (-1, -1), 0.5, ERROR if error else WARN)]))
    return table


def letterhead_block(quote: QuoteView, head: Letterhead, s: Styles, width: float) -> Table:
    contact = " · ".join(x for x in (head.phone, head.web) if x)
    left = [para(head.utility_name, s.utility),
            *[para(x, s.small) for x in (*head.address_lines, contact) if x]]
    right = [Paragraph("Quote", s.title), para(f"No. {quote.number}", s.right_bold)]
    table = Table([[left, right]], colWidths=[width * 0.62, width * 0.38])
    table.setStyle(plain_style(("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0)))
    return table


def quote_facts(quote: QuoteView) -> list[tuple[str, str]]:
    return [("Account", quote.account_number),
            ("Account name", quote.account_name),
            ("Status", status_text(quote.status)),
            ("Valid until", when_text(quote.expires_at)),
            ("Currency", quote.currency),
            ("Options", str(len(quote.details)))]


def facts_table(facts: Sequence[tuple[str, str]], s: Styles, widths: Sequence[float]) -> Table:
    """Label/value pairs, `len(widths) // 2` pairs to a row."""
    per_row = len(widths) // 2
    cells = [c for k, v in facts for c in (para(k, s.muted), para(v, s.body))]
    cells += [""] * (-len(cells) % len(widths))
    rows = [cells[i:i + 2 * per_row] for i in range(0, len(cells), 2 * per_row)]
    table = Table(rows, colWidths=list(widths))
    table.setStyle(plain_style())
    return table


def address_block(quote: QuoteView, recipient: Sequence[str], s: Styles,
                  width: float) -> Table:
    """The recipient (left, where a window envelope shows it) beside the quote's facts."""
    to = [para("To", s.small), *[para(x, s.bold if i == 0 else s.body)
                                for i, x in enumerate(recipient)]]
    facts = facts_table(quote_facts(quote), s, [width * 0.16, width * 0.30])
    table = Table([[to, facts]], colWidths=[width * 0.54, width * 0.46])
    table.setStyle(plain_style(("TOPPADDING", (0, 0), (-1, -1), 8)))
    return table


def option_heading(n: int, detail: QuoteDetailView, s: Styles, width: float) -> Table:
    title = para(f"Option {n}", s.option)
    rate = para(detail.proposal.rate_schedule or "", s.option_right)
    table = Table([[title, rate]], colWidths=[width * 0.6, width * 0.4])
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), BAND),
                               ("LINEABOVE", (0, 0), (-1, 0), 1.2, ACCENT),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def detail_facts(detail: QuoteDetailView) -> list[tuple[str, str]]:
    p = detail.proposal
    return [("Quote detail", detail.number), ("Proposal SA", p.number),
            ("SA type", p.sa_type), ("Service type", status_text(p.service_type)),
            ("Rate", rate_text(detail)), ("Premise", premise_text(detail))]


def terms_groups(terms: Sequence[TermsView], s: Styles) -> list[list[Flowable]]:
    """The Terms & Conditions, one group per term (the heading goes with the first)."""
    groups: list[list[Flowable]] = []
    text_style = s.style("termText", leftIndent=s.size * 1.4, spaceAfter=s.size * 0.4)
    for i, term in enumerate(sorted_terms(terms), 1):
        groups.append([
            Paragraph(f"<b>{i}. {escape(term.description)}</b> "
                      f"<font color='#6b7078'>({escape(term_period_text(term))})</font>",
                      s.body),
            para(term.text, text_style)])
    if groups:
        groups[0].insert(0, Paragraph("Terms &amp; Conditions", s.heading))
    return groups


def scenario_rows(segments: Sequence[SimulatedSegmentView], currency: str,
                  s: Styles) -> tuple[list[list[Any]], list[int]]:
    """The billing scenario rows, and which rows are errors (each followed by its message)."""
    rows: list[list[Any]] = [[para("Period", s.bold), para("Status", s.bold),
                              para("Amount", s.right_bold)]]
    errors: list[int] = []
    for seg in sorted_segments(segments):
        failed = seg.status is SimulatedSegmentStatus.ERROR
        rows.append([para(period_text(seg.start, seg.end), s.body),
                     para(status_text(seg.status).upper() if failed else "OK",
                          s.style("errorFlag", fontName="Helvetica-Bold", textColor=ERROR)
                          if failed else s.body),
                     para(money_text(seg.amount, currency), s.right)])
        if failed:
            errors.append(len(rows))
            rows.append([para(seg.error_message or "This period could not be priced.",
                              s.error), "", ""])
    return rows, errors


def scenario_table(detail: QuoteDetailView, currency: str, s: Styles, width: float) -> Table:
    rows, errors = scenario_rows(detail.segments, currency, s)
    rows.append([para("Total", s.bold), "", para(money_text(detail.total, currency),
                                                  s.right_bold)])
    extra: list[tuple[Any, ...]] = [("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)]
    for r in errors:
        extra += [("SPAN", (0, r), (-1, r)), ("BACKGROUND", (0, r - 1), (-1, r), ERROR_SHADE)]
    table = Table(rows, colWidths=[width * 0.55, width * 0.2, width * 0.25], repeatRows=1)
    table.setStyle(grid_style(*extra))
    return table


def _text_cells(s: Styles, numbers_from: int, muted: Sequence[int] = (),
                bold_rows: Sequence[int] = (0, -1)) -> list[tuple[Any, ...]]:
    """Table commands for cells given as plain strings (no Paragraph to wrap: numbers and
    short labels are drawn as they are, which is what keeps a long quote quick to print):
    the font, numbers right-aligned, grey rows, bold header and total rows."""
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", s.size, s.size * 1.25),
        ("ALIGN", (numbers_from, 0), (-1, -1), "RIGHT")]
    commands += [("FONT", (0, r), (-1, r), "Helvetica-Bold", s.size, s.size * 1.25)
                 for r in bold_rows]
    commands += [("TEXTCOLOR", (0, r), (-1, r), MUTED) for r in muted]
    return commands


def _description(text: str, style: ParagraphStyle, room: float, s: Styles) -> Any:
    """A description as plain text when it fits on one line, else a wrapping paragraph."""
    if stringWidth(text, style.fontName, s.size) <= room - 12:
        return text
    return para(text, style)


def lines_table(header: SimulatedHeaderView, level: DetailLevel, currency: str,
                total: tuple[str, str], s: Styles, width: float) -> Table:
    """Description / Quantity / Amount for one calc header; lines not in the total grey."""
    shown = printed_lines(header.lines, level)
    rows: list[list[Any]] = [["Description", "Quantity", "Amount"]]
    muted = []
    for line in shown:
        text = (line.description_on_bill or DASH) + ("" if line.in_total
                                                     else " (not in the total)")
        if not line.in_total:
            muted.append(len(rows))
        rows.append([_description(text, s.body if line.in_total else s.muted, width * 0.56, s),
                     line_quantity(line), money_text(line.amount, currency)])
    if not shown:
        muted.append(len(rows))
        rows.append(["No calc lines.", "", ""])
    left_out = len(header.lines) - len(shown)
    if left_out:
        muted.append(len(rows))
        rows.append([f"{plural(left_out, 'more line')} in the detailed quote", "", ""])
    rows.append([total[0], "", total[1]])
    table = Table(rows, colWidths=[width * 0.56, width * 0.24, width * 0.2], repeatRows=1)
    table.setStyle(grid_style(("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                              *_text_cells(s, 1, muted)))
    return table


def quantities_table(quantities: Sequence[SimulatedQuantityView], s: Styles,
                     width: float) -> list[Flowable]:
    if not quantities:
        return []
    rows: list[list[Any]] = [["Quantities priced", "Initial", "Billable"]]
    rows += [[key_text(q.uom, q.tou, q.sqi), quantity_text(q.initial),
              quantity_text(q.billable)] for q in quantities]
    table = Table(rows, colWidths=[width * 0.3, width * 0.2, width * 0.2], repeatRows=1,
                  hAlign="LEFT")
    table.setStyle(grid_style(*_text_cells(s, 1, bold_rows=(0,))))
    return [Spacer(1, s.size * 0.5), table]


def header_caption(header: SimulatedHeaderView) -> str:
    text = (f"{header.rate_schedule}, rate version of {header.rate_version.isoformat()}, "
            f"{header.start.isoformat()} – {header.end.isoformat()}")
    return f"{text}: {header.description_on_bill}" if header.description_on_bill else text


def segment_band(seg: SimulatedSegmentView, currency: str, s: Styles, width: float) -> Table:
    failed = seg.status is SimulatedSegmentStatus.ERROR
    color = ERROR if failed else ACCENT
    label = f"Period {period_text(seg.start, seg.end)}" + (" — ERROR" if failed else "")
    table = Table([[para(label, s.style("band", fontName="Helvetica-Bold", textColor=color)),
                    para(money_text(seg.amount, currency),
                         s.style("bandAmount", fontName="Helvetica-Bold", textColor=color,
                                 alignment=TA_RIGHT))]],
                  colWidths=[width * 0.7, width * 0.3])
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, color)]))
    return table


def segment_block(seg: SimulatedSegmentView, level: DetailLevel, currency: str, s: Styles,
                  width: float) -> list[Flowable]:
    """One simulated segment: its period band, its calc lines per header, what it priced
    (a group of flowables the caller keeps together)."""
    out: list[Flowable] = [Spacer(1, s.size * 0.6), segment_band(seg, currency, s, width),
                           Spacer(1, s.size * 0.3)]
    if seg.status is SimulatedSegmentStatus.ERROR:
        out.append(notice(f"This period could not be priced: "
                          f"{seg.error_message or 'no reason given'}", s, width, error=True))
    several = len(seg.headers) > 1
    for header in seg.headers:
        out.append(para(header_caption(header), s.caption))
        total = (("Subtotal", money_text(header.amount, currency)) if several
                 else ("Amount for this period", money_text(seg.amount, currency)))
        out.append(lines_table(header, level, currency, total, s, width))
    if several:
        out.append(amount_row("Amount for this period", money_text(seg.amount, currency),
                              s, width, rule=0.8))
    return out + quantities_table(seg.quantities, s, width)


def amount_row(label: str, amount: str, s: Styles, width: float, *, rule: float = 1.2,
               big: bool = False) -> Table:
    size = s.size + (2 if big else 0)
    left = s.style("amountLabel", fontName="Helvetica-Bold", fontSize=size, leading=size * 1.3)
    right = s.style("amountValue", fontName="Helvetica-Bold", fontSize=size,
                    leading=size * 1.3, alignment=TA_RIGHT)
    table = Table([[para(label, left), para(amount, right)]],
                  colWidths=[width * 0.7, width * 0.3])
    table.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, 0), rule, colors.black)]))
    return table


def numbered_canvas(footer: str, margin: float) -> type[Canvas]:
    """A canvas class that holds pages back so each footer (`draw_footer`) can say "Page x of
    y": pass it to ``doc.build(story, canvasmaker=numbered_canvas(footer, margin))``."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for page, state in enumerate(self._held, 1):
                self.__dict__.update(state)
                draw_footer(self, footer, page, len(self._held), margin, margin)
                super().showPage()
            super().save()

    return NumberedCanvas
