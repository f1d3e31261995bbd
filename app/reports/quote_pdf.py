"""The printed quote (spec/40 §4): letterhead, the quote's facts and its recipient, one section
per option (quote detail) with its Terms & Conditions, its billing scenarios, the calc lines and
quantities of each simulated segment and the option total, then a comparison of the options.
Every page carries "Page x of y", the quote number, the run number and when it was printed.

    render_quote(quote, Path("quote.pdf"))                        # Display Quote
    render_quote(quote, Path("q.pdf"), routing=r, run=42)         # one recipient's copy
    render_quote_copies(quote, quote.routings, Path("run-42.pdf"))  # a print run / reprint

It takes the same `QuoteView` the Quote pane shows and the same text for amounts
(`app.reports.formatting`), so the paper and the screen agree. Each copy starts on a new page
and numbers its own pages. The pieces are in `quote_pdf_parts`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreakIfNotEmpty,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from app.models.enums import QuoteDetailStatus
from app.reports.formatting import money_text
from app.reports.quote_pdf_parts import (
    BEST,
    BEST_SHADE,
    DETAIL_LEVELS,
    ERROR,
    GRID,
    MUTED,
    DetailLevel,
    Letterhead,
    Styles,
    address_block,
    amount_row,
    cheapest,
    detail_facts,
    draw_footer,
    facts_table,
    failed_segments,
    footer_text,
    grid_style,
    letterhead_block,
    notice,
    option_heading,
    para,
    plural,
    recipient_lines,
    scenario_table,
    segment_block,
    sorted_segments,
    status_text,
    terms_groups,
)
from app.services.quote_dto import QuoteDetailView, QuoteView, RoutingView

MARGIN = 16 * mm
TOP = 18 * mm
BOTTOM = 16 * mm
#: The part of a page that must be left for content longer than a page to start on it.
LONG_START = 0.3
CHANGED = "The terms of this proposal changed after these amounts were calculated."


@dataclass(frozen=True)
class _Copy:
    """What one copy's pages carry outside the body: its running header and footer."""

    index: int
    running: str
    footer: str


class _CopyStart(Flowable):
    """An invisible mark at the start of a copy: the pages after it belong to that copy."""

    def __init__(self, copy: _Copy) -> None:
        super().__init__()
        self.copy = copy

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.quote_copy = self.copy


class _Group(KeepTogether):
    """Keeps its content on one page when it fits on one. Content longer than a page starts
    where it is, when a fair part of a page is left, and flows on (tables repeat their
    header row) instead of leaving that part of the page blank."""

    def __init__(self, content: list[Flowable], page_height: float) -> None:
        super().__init__(content)
        self._page_height = page_height

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803 (ReportLab's names)
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        content_height: float = self._H
        if content_height > self._page_height and aH >= self._page_height * LONG_START:
            return list(self._content)
        return list(super().split(aW, aH))


class _QuoteCanvas(Canvas):
    """Holds each page back until the end, so the footer can say "Page x of y" per copy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.quote_copy: _Copy | None = None
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        totals = Counter(_copy_key(p["quote_copy"]) for p in self._held)
        seen: Counter[int] = Counter()
        for state in self._held:
            self.__dict__.update(state)
            key = _copy_key(self.quote_copy)
            seen[key] += 1
            if self.quote_copy is not None:
                _decorate(self, self.quote_copy, seen[key], totals[key])
            super().showPage()
        super().save()


def _copy_key(copy: _Copy | None) -> int:
    return -1 if copy is None else copy.index


def _decorate(canvas: Canvas, copy: _Copy, page: int, pages: int) -> None:
    width, height = canvas._pagesize
    draw_footer(canvas, copy.footer, page, pages, MARGIN, BOTTOM)
    canvas.saveState()
    canvas.setStrokeColor(GRID)
    canvas.setLineWidth(0.5)
    canvas.setFont("Helvetica", 7.5)
    canvas.setFillColor(MUTED)
    if page > 1:
        canvas.drawString(MARGIN, height - TOP + 6 * mm, copy.running)
        canvas.line(MARGIN, height - TOP + 4.5 * mm, width - MARGIN, height - TOP + 4.5 * mm)
    canvas.restoreState()


def _option(n: int, detail: QuoteDetailView, level: DetailLevel, currency: str, s: Styles,
            width: float, height: float) -> list[Flowable]:
    """One quote detail: heading, facts, notices, T&Cs, scenarios, segments, total. The heading
    stays with the first block under it, and the last period stays with the total."""
    head: list[Flowable] = [option_heading(n, detail, s, width), Spacer(1, s.size * 0.4),
                            facts_table(detail_facts(detail), s, [width * 0.14, width * 0.36,
                                                                  width * 0.14, width * 0.36])]
    if detail.proposal_changed:
        head += [Spacer(1, s.size * 0.4), notice(CHANGED, s, width)]
    failed = failed_segments(detail)
    if failed:
        head += [Spacer(1, s.size * 0.4), notice(
            f"{plural(failed, 'period')} of this option could not be priced, so its total "
            "is incomplete.", s, width, error=True)]
    groups = terms_groups(detail.terms, s)
    groups.append([Paragraph("Billing scenarios", s.heading),
                   scenario_table(detail, currency, s, width)])
    segments = [segment_block(seg, level, currency, s, width)
                for seg in sorted_segments(detail.segments)]
    if segments:
        segments[0].insert(0, Paragraph("Calculation by period", s.heading))
    groups += segments
    groups[0] = head + groups[0]
    groups[-1] = groups[-1] + [Spacer(1, s.size * 0.8), amount_row(
        f"Total for Option {n}", money_text(detail.total, currency), s, width, big=True)]
    return [Spacer(1, s.size * 1.6), *[_Group(g, height) for g in groups]]


def _comparison(quote: QuoteView, s: Styles, width: float, height: float) -> list[Flowable]:
    """Every option's total side by side; the lowest OK total is marked."""
    best = cheapest(quote.details)
    rows: list[list[Any]] = [[para(x, s.bold) for x in ("Option", "Rate", "Quote detail",
                                                         "Status")]
                             + [para("Total", s.right_bold), ""]]
    extra: list[tuple[Any, ...]] = []
    for n, d in enumerate(quote.details, 1):
        failed = d.status is not QuoteDetailStatus.OK
        rows.append([para(f"Option {n}", s.body), para(d.proposal.rate_schedule or "", s.body),
                     para(d.number, s.body),
                     para(status_text(d.status).upper() if failed else "OK",
                          s.style("cmpError", textColor=ERROR) if failed else s.body),
                     para(money_text(d.total, quote.currency), s.right),
                     para("Lowest" if d.number in best else "",
                          s.style("best", fontName="Helvetica-Bold", textColor=BEST))])
        if d.number in best:
            extra.append(("BACKGROUND", (0, n), (-1, n), BEST_SHADE))
    table = Table(rows, colWidths=[width * x for x in (0.13, 0.2, 0.24, 0.13, 0.18, 0.12)],
                  repeatRows=1)
    table.setStyle(grid_style(*extra))
    return [Spacer(1, s.size * 1.6), _Group([
        Paragraph("Comparison of options", s.heading), table, Spacer(1, s.size * 0.5),
        para(_verdict(quote, best), s.body)], height)]


def _verdict(quote: QuoteView, best: frozenset[str]) -> str:
    if not best:
        return "No option could be priced for every period, so none is recommended."
    picks = [(n, d) for n, d in enumerate(quote.details, 1) if d.number in best]
    names = " and ".join(f"Option {n} ({d.proposal.rate_schedule or d.number})"
                         for n, d in picks)
    verb = "have" if len(picks) > 1 else "has"
    text = (f"{names} {verb} the lowest total: "
            f"{money_text(picks[0][1].total, quote.currency)}.")
    if any(d.status is not QuoteDetailStatus.OK for d in quote.details):
        text += " Options with a period that could not be priced are not compared."
    return text


def _intro(level: DetailLevel) -> str:
    text = ("The amounts below are simulated from the billing scenarios shown, at the rates in "
            "effect for each period; nothing has been billed.")
    if level == "summary":
        text += " This summary lists the main calculation lines of each period."
    return text


def _copy_story(quote: QuoteView, routing: RoutingView | None, copy: _Copy,
                level: DetailLevel, head: Letterhead, s: Styles, width: float,
                height: float) -> list[Flowable]:
    recipient = recipient_lines(routing, quote.account_name, head.country)
    story: list[Flowable] = [_CopyStart(copy), letterhead_block(quote, head, s, width),
                             address_block(quote, recipient, s, width),
                             Spacer(1, s.size * 0.8), para(_intro(level), s.muted)]
    for n, detail in enumerate(quote.details, 1):
        story += _option(n, detail, level, quote.currency, s, width, height)
    if not quote.details:
        story += [Spacer(1, s.size * 1.6), para("This quote has no options yet.", s.body)]
    elif len(quote.details) > 1:
        story += _comparison(quote, s, width, height)
    return story


def _running(quote: QuoteView, head: Letterhead) -> str:
    return f"{head.utility_name} — Quote {quote.number} for {quote.account_name} (continued)"


def _render(quote: QuoteView, copies: Sequence[tuple[RoutingView | None, int | None]],
            path: Path | str, level: str, letterhead: Letterhead | None,
            printed_at: dt.datetime | None, letter: bool) -> Path:
    if level not in DETAIL_LEVELS:
        raise ValueError(f"detail_level must be one of {', '.join(DETAIL_LEVELS)}: {level!r}")
    head = letterhead or Letterhead()
    when = printed_at or dt.datetime.now()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=LETTER if letter else A4, leftMargin=MARGIN,
                          rightMargin=MARGIN, topMargin=TOP, bottomMargin=BOTTOM,
                          title=f"Quote {quote.number}", author=head.utility_name,
                          subject=f"Quote {quote.number} for account {quote.account_number}",
                          creator="Switchboard")
    # no frame padding: the tables take the whole width between the margins, and no more
    doc.addPageTemplates([PageTemplate("quote", [Frame(
        MARGIN, BOTTOM, doc.width, doc.height, 0, 0, 0, 0, id="body")])])
    s = Styles()
    story: list[Flowable] = []
    for index, (routing, run) in enumerate(copies):
        copy = _Copy(index, _running(quote, head), footer_text(quote, routing, run, when))
        if index:
            story.append(PageBreakIfNotEmpty())
        story += _copy_story(quote, routing, copy, cast(DetailLevel, level), head, s,
                             doc.width, doc.height)
    doc.build(story, canvasmaker=_QuoteCanvas)
    out = Path(path)
    out.write_bytes(buffer.getvalue())
    return out


def render_quote(quote: QuoteView, path: Path | str, *, routing: RoutingView | None = None,
                 detail_level: DetailLevel = "detail", letterhead: Letterhead | None = None,
                 run: int | None = None, printed_at: dt.datetime | None = None,
                 letter: bool = False) -> Path:
    """Write one copy of `quote` to `path` (A4, or US Letter) and return the path.

    `routing` is the recipient: a saved routing, or a provisional one the caller built without
    saving it (Display Quote of a quote not routed yet). Without one, the quote's first routing
    is used (spec/40 §4.1), and without any routing the recipient is the account name alone.
    `run` is the print run the footer names (none for an on-demand display)."""
    recipient = routing if routing is not None else next(iter(quote.routings), None)
    return _render(quote, [(recipient, run)], path, detail_level, letterhead, printed_at,
                   letter)


def render_quote_copies(quote: QuoteView, routings: Sequence[RoutingView], path: Path | str,
                        *, detail_level: DetailLevel = "detail",
                        letterhead: Letterhead | None = None, run: int | None = None,
                        printed_at: dt.datetime | None = None, letter: bool = False) -> Path:
    """Write one PDF with one copy of `quote` per routing, in the order given (a QUOTROUT run
    or a reprint, spec/40 §4.1–4.2; the caller selects and orders the routings). Each copy
    starts on a new page and numbers its own pages. The footer names `run`, or else each
    routing's own run."""
    if not routings:
        raise ValueError("A quote print needs at least one routing.")
    copies = [(r, run if run is not None else r.batch_run) for r in routings]
    return _render(quote, copies, path, detail_level, letterhead, printed_at, letter)


__all__ = ["Letterhead", "render_quote", "render_quote_copies"]
