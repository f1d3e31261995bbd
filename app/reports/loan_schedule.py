"""The printed loan schedule for the customer (P-LN1 Print), and its CSV export.

    render_loan_schedule(view, shown, Path("schedule.pdf"))
    write_schedule_csv(shown.with_extras, Path("schedule.csv"))

Both take what the loan pane shows: the `LoanView` and the `WhatIf` on screen (the plan, or a
calculated renegotiation not saved yet, with any planned extra payments), and the same text
for amounts (`app.reports.formatting`), so the paper and the screen agree. The PDF: the
utility's letterhead, the customer and loan facts, a chart of the balance and the interest
paid over time (with the extra payments beside the plan), what the extra payments save, and
the schedule table over as many pages as it needs (its header repeated on each page).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table

from app.reports.formatting import money_text, percent_text
from app.reports.quote_pdf_parts import (
    MUTED,
    Letterhead,
    Styles,
    facts_table,
    grid_style,
    notice,
    numbered_canvas,
    para,
)
from app.services.loans import Forecast, ForecastRow, LoanView, WhatIf

MARGIN = 16 * mm
COLUMNS = ("#", "Loan period", "Payment", "Extra", "Interest", "Principal", "Cum. interest",
           "Cum. principal", "Balance")
CSV_COLUMNS = ("Payment number", "Period start", "Period end", "Amount", "Extra payment",
               "Interest", "Principal", "Cumulative interest", "Cumulative principal",
               "Principal balance")
PLAN = colors.HexColor("#1f3a5f")
INTEREST = colors.HexColor("#c0612b")
WHAT_IF = colors.HexColor("#2e7d32")


def period_label(row: ForecastRow) -> str:
    return "To date" if row.start is None or row.end is None else \
        f"{row.start:%d %b %Y} – {row.end:%d %b %Y}"


def write_schedule_csv(forecast: Forecast, path: Path | str) -> int:
    """The forecast rows as CSV (the to-date row first, as on screen); returns rows written."""
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in forecast.rows:
            writer.writerow([
                "" if row.number is None else row.number,
                row.start.isoformat() if row.start else "To date",
                row.end.isoformat() if row.end else "",
                f"{row.amount:.2f}", f"{row.extra:.2f}", f"{row.interest:.2f}",
                f"{row.principal:.2f}", f"{row.cumulative_interest:.2f}",
                f"{row.cumulative_principal:.2f}", f"{row.balance:.2f}"])
    return len(forecast.rows)


def _facts(view: LoanView, shown: WhatIf, proposed: bool) -> list[tuple[str, str]]:
    plan = shown.plan
    level = next((r.amount for r in plan.rows[1:2]), None)
    rate = next((r.rate for r in plan.rows[1:2] if r.rate is not None), view.rate)
    facts = [
        ("Customer", view.customer_name), ("Account", view.account_number),
        ("Loan", f"{view.sa_type} {view.sa_number} ({view.start_option})"),
        ("Status", view.status.label), ("Started", f"{view.start_date:%d %b %Y}"),
        (view.total_amount_label, money_text(
            plan.rows[0].cumulative_principal + plan.rows[0].balance if plan.rows
            else view.loan_amount, view.currency)),
        ("Interest rate", percent_text(rate) + " a year"),
        ("Frequency", view.frequency.label),
        (view.recurring_charge_label,
         money_text(level, view.currency) if level is not None else "—"),
        ("Payments left", str(plan.payments)),
        ("Principal balance", money_text(plan.rows[0].balance, view.currency)
         if plan.rows else "—"),
        ("Interest still to pay", money_text(plan.future_interest, view.currency)),
        ("Total interest over the loan", money_text(plan.total_interest, view.currency)),
        ("Paid off by", f"{plan.last_date:%d %b %Y}" if plan.last_date else "—"),
    ]
    if proposed:
        facts.insert(4, ("Terms", "Proposed: calculated, not saved yet"))
    return facts


def _chart(shown: WhatIf, width: float) -> Drawing:
    """Balance and cumulative interest by payment number; the what-if beside the plan."""
    height = 66 * mm
    drawing = Drawing(width, height)
    plot = LinePlot()
    plot.x, plot.y = 42, 26
    plot.width, plot.height = width - 60, height - 62

    def series(forecast: Forecast, attr: str) -> list[tuple[float, float]]:
        """(payment number, value); the to-date row sits just before the first payment."""
        first = next((r.number for r in forecast.rows if r.number is not None), 1)
        return [(float(first - 1 if r.number is None else r.number), float(getattr(r, attr)))
                for r in forecast.rows]

    lines = [series(shown.plan, "balance"), series(shown.plan, "cumulative_interest")]
    styles: list[tuple[Any, tuple[int, int] | None]] = [(PLAN, None), (INTEREST, None)]
    labels = ["Balance (plan)", "Interest paid (plan)"]
    if shown.with_extras is not shown.plan and shown.with_extras.ok:
        lines += [series(shown.with_extras, "balance"),
                  series(shown.with_extras, "cumulative_interest")]
        styles += [(WHAT_IF, (3, 2)), (INTEREST, (3, 2))]
        labels += ["Balance with extra payments", "Interest paid with extra payments"]
    plot.data = lines
    for n, (colour, dash) in enumerate(styles):
        plot.lines[n].strokeColor = colour
        plot.lines[n].strokeWidth = 1.4
        if dash:
            plot.lines[n].strokeDashArray = dash
    top = max((y for line in lines for _x, y in line), default=1.0)
    plot.yValueAxis.valueMin = 0
    plot.yValueAxis.valueMax = top * 1.05 or 1.0
    plot.yValueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    plot.yValueAxis.labels.fontSize = 7
    plot.xValueAxis.valueMin = min((x for line in lines for x, _y in line), default=0.0)
    plot.xValueAxis.labels.fontSize = 7
    plot.xValueAxis.labelTextFormat = "%d"
    drawing.add(plot)
    drawing.add(String(plot.x + plot.width / 2, 4, "Payment number", fontSize=7,
                       textAnchor="middle", fillColor=MUTED))
    legend = Legend()
    legend.x, legend.y = plot.x, height - 4
    legend.fontSize = 7
    legend.columnMaximum = 2
    legend.alignment = "right"
    legend.colorNamePairs = [(c, name) for (c, _d), name in zip(styles, labels, strict=True)]
    drawing.add(legend)
    return drawing


def _table(forecast: Forecast, currency: str, s: Styles, width: float) -> Table:
    with_extra = any(r.extra for r in forecast.rows)
    columns = [c for c in COLUMNS if with_extra or c != "Extra"]
    rows: list[list[Any]] = [[para(c, s.bold if i < 2 else s.right_bold)
                              for i, c in enumerate(columns)]]
    for r in forecast.rows:
        amounts = [r.amount] + ([r.extra] if with_extra else []) + [
            r.interest, r.principal, r.cumulative_interest, r.cumulative_principal, r.balance]
        rows.append([para("" if r.number is None else str(r.number), s.body),
                     para(period_label(r), s.body)]
                    + [para(money_text(a), s.right) for a in amounts])
    fixed = [10 * mm, 44 * mm]
    rest = (width - sum(fixed)) / (len(columns) - 2)
    table = Table(rows, colWidths=fixed + [rest] * (len(columns) - 2), repeatRows=1)
    table.setStyle(grid_style(("BACKGROUND", (0, 1), (-1, 1), colors.HexColor("#f6f7f9"))))
    return table


def render_loan_schedule(view: LoanView, shown: WhatIf, path: Path | str, *,
                         proposed: bool = False, printed: dt.datetime | None = None,
                         letterhead: Letterhead | None = None) -> Path:
    """Write the schedule on screen as a PDF for the customer; returns the path."""
    head = letterhead or Letterhead()
    printed = printed or dt.datetime.now()
    s = Styles(8.0)
    out = Path(path)
    doc = SimpleDocTemplate(str(out), pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
                            title=f"Loan schedule {view.sa_number}", author=head.utility_name)
    width = LETTER[0] - 2 * MARGIN
    story: list[Any] = [
        para(head.utility_name, s.utility),
        para(" · ".join([*head.address_lines, *(x for x in (head.phone, head.web) if x)]),
             s.small),
        Spacer(1, 4 * mm),
        para("Loan repayment schedule", s.option),
        Spacer(1, 2 * mm),
        facts_table(_facts(view, shown, proposed), s, [46 * mm, width / 2 - 46 * mm] * 2),
        Spacer(1, 3 * mm),
    ]
    if proposed:
        story += [notice("These are proposed terms: they take effect only when the loan "
                         "officer saves them.", s, width), Spacer(1, 2 * mm)]
    if not shown.plan.ok:
        story.append(notice(shown.plan.error or "", s, width, error=True))
    else:
        story.append(_chart(shown, width))
        if shown.with_extras is not shown.plan and shown.with_extras.ok:
            story += [Spacer(1, 2 * mm), para(savings_sentence(shown, view.currency), s.bold)]
        forecast = shown.with_extras if shown.with_extras.ok else shown.plan
        story += [Spacer(1, 3 * mm), para("Schedule", s.heading),
                  _table(forecast, view.currency, s, width)]
    story += [Spacer(1, 3 * mm), para(
        "Amounts after today are a forecast: they assume each payment is made on time and the "
        "rates in force today continue. Interest is charged on the unbilled principal only, "
        "never on interest or on amounts past due.", s.small)]
    footer = f"{head.utility_name} · loan {view.sa_number} · printed {printed:%d %b %Y %H:%M}"
    doc.build(story, canvasmaker=numbered_canvas(footer, MARGIN))
    return out


def savings_sentence(shown: WhatIf, currency: str) -> str:
    """"With the extra payments the loan is repaid by 30 Nov 2030, 13 payments sooner,
    saving $823.90 in interest." (the pane says the same)"""
    extra = shown.with_extras
    if extra is shown.plan or not extra.ok:
        return ""
    when = f" by {extra.last_date:%d %b %Y}" if extra.last_date else ""
    sooner = (f", {shown.payments_saved} payment{'s' if shown.payments_saved != 1 else ''} "
              "sooner" if shown.payments_saved else "")
    return (f"With the extra payments the loan is repaid{when}{sooner}, saving "
            f"{money_text(shown.interest_saved, currency)} in interest.")


__all__ = ["render_loan_schedule", "savings_sentence", "write_schedule_csv"]
