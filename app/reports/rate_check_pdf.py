"""The printed Rate Check (spec/20 §9): one page with the common header (rate, revenue class,
bill period, SA, date printed), a calc line table per bill segment header (description,
quantity, amount), the total, and the warnings and To Dos.

    render_rate_check(outcome, Path("rate-check.pdf"))

It takes the same `RateCheckOutcome` the pane shows and the same text for amounts
(`app.reports.formatting`), so the paper and the screen agree. It always fits one page: the font
shrinks first, then the longest headers lose their last lines ("… 4 more lines").
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.engine.rates.results import CalcHeader, CalcLine
from app.reports.formatting import DASH, billed_text, money_text, period_text, quantity_text
from app.services.rate_check import RateCheckOutcome

#: Font sizes tried in turn until the page fits; then lines are left out.
FONT_SIZES = (9.0, 8.0, 7.0, 6.0)
MAX_NOTES = 12
GRID = colors.HexColor("#c9ccd1")
SHADE = colors.HexColor("#eef2f8")
MUTED = colors.HexColor("#6b7078")
WARN = colors.HexColor("#7a5200")


@dataclass(frozen=True)
class _Styles:
    size: float

    def style(self, name: str, **kw: Any) -> ParagraphStyle:
        base = {"fontName": "Helvetica", "fontSize": self.size, "leading": self.size * 1.25}
        base.update(kw)
        return ParagraphStyle(name, **base)

    @property
    def body(self) -> ParagraphStyle:
        return self.style("body")

    @property
    def right(self) -> ParagraphStyle:
        return self.style("right", alignment=TA_RIGHT)

    @property
    def muted(self) -> ParagraphStyle:
        return self.style("muted", textColor=MUTED, fontName="Helvetica-Oblique")

    @property
    def heading(self) -> ParagraphStyle:
        return self.style("heading", fontName="Helvetica-Bold", fontSize=self.size + 1.5,
                          leading=(self.size + 1.5) * 1.3, spaceBefore=self.size * 0.6)

    @property
    def title(self) -> ParagraphStyle:
        return self.style("title", fontName="Helvetica-Bold", fontSize=self.size + 7,
                          leading=(self.size + 7) * 1.2)

    @property
    def warning(self) -> ParagraphStyle:
        return self.style("warning", textColor=WARN)


def line_quantity(line: CalcLine) -> str:
    """The quantity column: the billable quantity and its unit, when the line priced one."""
    if line.billable_sq is None:
        return ""
    unit = " ".join(p for p in (line.uom, line.tou, line.sqi) if p)
    return f"{quantity_text(line.billable_sq)} {unit}".strip()


def _facts(outcome: RateCheckOutcome, printed: dt.datetime) -> list[tuple[str, str]]:
    result, request = outcome.result, outcome.request
    revenue = result.revenue_class or DASH
    if result.revenue_class and outcome.revenue_class_description \
            and outcome.revenue_class_description != result.revenue_class:
        revenue = f"{result.revenue_class} — {outcome.revenue_class_description}"
    facts = [("Rate schedule", f"{result.rate_schedule} — {outcome.rate_description}"),
             ("Revenue class", revenue),
             ("Bill period", period_text(result.start, result.end))]
    sa_number = request.sa_number or (outcome.billed.sa_number if outcome.billed else None)
    if sa_number:
        facts.append(("Service agreement", sa_number))
    billed = billed_text(outcome.billed, outcome.billed_difference, result.currency,
                         rich=False)
    if billed:
        facts.append(("Billed", billed))
    if result.characteristics:
        facts.append(("Characteristics", ", ".join(
            f"{k} = {v}" for k, v in sorted(result.characteristics.items()))))
    facts.append(("Printed", printed.strftime("%Y-%m-%d %H:%M")))
    return facts


def _header_table(header: CalcHeader, currency: str, s: _Styles, keep: int | None,
                  width: float) -> Table:
    lines = header.lines if keep is None else header.lines[:keep]
    rows: list[list[Any]] = [[Paragraph("<b>Description</b>", s.body),
                              Paragraph("<b>Quantity</b>", s.right),
                              Paragraph("<b>Amount</b>", s.right)]]
    for line in lines:
        style = s.body if line.in_total else s.muted
        note = "" if line.in_total else " (not in the total)"
        rows.append([Paragraph(escape(line.description_on_bill or DASH) + note, style),
                     Paragraph(escape(line_quantity(line)), s.right),
                     Paragraph(escape(money_text(line.amount, currency)), s.right)])
    left_out = len(header.lines) - len(lines)
    if left_out:
        rows.append([Paragraph(f"… {left_out} more line{'s' if left_out != 1 else ''} "
                               "(see the Rate Check pane)", s.muted), "", ""])
    rows.append([Paragraph("<b>Total of this header</b>", s.body), "",
                 Paragraph(f"<b>{escape(money_text(header.amount, currency))}</b>", s.right)])
    table = Table(rows, colWidths=[width * 0.62, width * 0.2, width * 0.18], repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, GRID),
        ("LINEABOVE", (0, -1), (-1, -1), 0.6, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def _story(outcome: RateCheckOutcome, s: _Styles, keep: int | None, width: float,
           printed: dt.datetime) -> list[Any]:
    result = outcome.result
    cur = result.currency
    story: list[Any] = [Paragraph("Rate check", s.title),
                        Paragraph("A simulation: nothing was billed or saved.", s.muted),
                        Spacer(1, s.size * 0.8)]
    facts = Table([[Paragraph(f"<b>{escape(k)}</b>", s.body), Paragraph(escape(v), s.body)]
                   for k, v in _facts(outcome, printed)],
                  colWidths=[width * 0.22, width * 0.78])
    facts.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TOPPADDING", (0, 0), (-1, -1), 0.8),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 0.8),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    story.append(facts)
    if not result.headers:
        story.append(Paragraph("No rate version of this rate is in effect in the period, so "
                               "there are no calc lines.", s.body))
    for header in result.headers:
        story.append(Paragraph(
            escape(f"Header {header.seq} · {header.rate_schedule} effective "
                   f"{header.rate_version.isoformat()} · {header.start_date.isoformat()} – "
                   f"{header.end_date.isoformat()}"
                   + (f" · {header.description_on_bill}" if header.description_on_bill
                      else "")), s.heading))
        story.append(_header_table(header, cur, s, keep, width))
    total = Table([[Paragraph("<b>Total</b>", s.heading),
                    Paragraph(f"<b>{escape(money_text(result.total, cur))}</b>",
                              s.style("totalAmount", fontName="Helvetica-Bold",
                                      fontSize=s.size + 3, leading=(s.size + 3) * 1.3,
                                      alignment=TA_RIGHT))]],
                  colWidths=[width * 0.6, width * 0.4])
    total.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, 0), 1.0, colors.black),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story += [Spacer(1, s.size * 0.6), total]
    notes = [f"Warning: {w}" for w in result.warnings] + \
        [f"To Do ({t.todo_type}{', ' + t.role if t.role else ''}): {t.message}"
         for t in result.todos]
    if notes:
        story.append(Paragraph("Warnings and To Dos", s.heading))
        story += [Paragraph(escape(n), s.warning) for n in notes[:MAX_NOTES]]
        if len(notes) > MAX_NOTES:
            story.append(Paragraph(f"… {len(notes) - MAX_NOTES} more", s.warning))
    return story


def _build(outcome: RateCheckOutcome, size: float, keep: int | None,
           pagesize: tuple[float, float], printed: dt.datetime) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    pages: list[int] = []
    doc = SimpleDocTemplate(buffer, pagesize=pagesize, leftMargin=16 * mm,
                            rightMargin=16 * mm, topMargin=14 * mm, bottomMargin=14 * mm,
                            title=f"Rate check {outcome.result.rate_schedule}",
                            author="Switchboard", subject="Rate check")

    def count(_canvas: Any, document: Any) -> None:
        pages.append(document.page)

    doc.build(_story(outcome, _Styles(size), keep, doc.width, printed), onFirstPage=count,
              onLaterPages=count)
    return buffer.getvalue(), len(pages)


def _keeps(headers: Sequence[CalcHeader]) -> list[int]:
    """Lines kept per header when the smallest font does not fit, largest first."""
    longest = max((len(h.lines) for h in headers), default=0)
    return list(range(longest - 1, 0, -1))


def render_rate_check(outcome: RateCheckOutcome, path: Path | str, *,
                      letter: bool = False, printed: dt.datetime | None = None) -> Path:
    """Write the one-page PDF of `outcome` to `path` (A4, or US Letter) and return the path."""
    pagesize = LETTER if letter else A4
    when = printed or dt.datetime.now()
    data = b""
    for size in FONT_SIZES:
        data, pages = _build(outcome, size, None, pagesize, when)
        if pages == 1:
            break
    else:
        for keep in _keeps(outcome.result.headers):
            data, pages = _build(outcome, FONT_SIZES[-1], keep, pagesize, when)
            if pages == 1:
                break
    out = Path(path)
    out.write_bytes(data)
    return out


__all__ = ["line_quantity", "render_rate_check"]
