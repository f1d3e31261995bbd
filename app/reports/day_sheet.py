"""The crew's day sheet: one dispatch group's day, period by period in time order, each
appointment with its premise, address, customer and phone, the field activities to do (with
their instructions), a box to tick and a line to sign. Printed from the Appointments pane.

    render_day_sheet(day_sheet(db, "METER-N", dt.date(2025, 3, 4)), Path("sheet.pdf"))

It takes the same `DaySheet` the pane shows, so the paper and the screen agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, SimpleDocTemplate, Spacer, Table

from app.reports.formatting import DASH
from app.reports.quote_pdf_parts import (
    ACCENT,
    BAND,
    GRID,
    Letterhead,
    Styles,
    facts_table,
    grid_style,
    numbered_canvas,
    para,
    plural,
)
from app.services.appointment_week import Appointment, DaySheet
from app.services.appointments import PeriodSlot

MARGIN = 16 * mm
COLUMNS = ("Done", "Premise", "Customer", "Field activities")


def phone_text(value: str | None) -> str:
    """"+15555550101" -> "(555) 555-0101"; other countries' numbers as stored (E.164)."""
    if not value:
        return DASH
    if value.startswith("+1") and len(value) == 12 and value[1:].isdigit():
        return f"({value[2:5]}) {value[5:8]}-{value[8:]}"
    return value


def day_title(sheet: DaySheet) -> str:
    """"Tuesday 4 March 2025"."""
    day = sheet.day.day
    return f"{day:%A} {day.day} {day:%B %Y}"


class TickBox(Flowable):
    """An empty square the crew ticks when the work is done."""

    def __init__(self, size: float = 4.5 * mm) -> None:
        super().__init__()
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.size, self.size)


def _period_heading(period: PeriodSlot, count: int, s: Styles, width: float) -> Table:
    band = para(f"{period.start:%H:%M}–{period.end:%H:%M}", s.option)
    full = " · full" if period.remaining == 0 and period.max_appointments else ""
    booked = para(f"{period.booked} / {period.max_appointments} booked{full} · "
                  f"{plural(count, 'appointment')}", s.option_right)
    table = Table([[band, booked]], colWidths=[width * 0.4, width * 0.6])
    table.setStyle(grid_style(("BACKGROUND", (0, 0), (-1, -1), BAND),
                              ("LINEBELOW", (0, 0), (-1, -1), 0.8, ACCENT), header=False))
    return table


def _activity_lines(appointment: Appointment, s: Styles) -> list[Any]:
    lines: list[Any] = []
    for activity in appointment.activities:
        where = f" · SP {activity.service_point}" if activity.service_point else ""
        lines.append(para(f"{activity.type_description} ({activity.status.label})", s.bold))
        lines.append(para(f"FA {activity.number}{where}", s.small))
        if activity.instructions:
            lines.append(para(f"Instructions: {activity.instructions}", s.body))
    return lines


def _appointment(appointment: Appointment, s: Styles, widths: list[float]) -> Table:
    premise = [para(appointment.address, s.bold),
               para(f"Premise {appointment.premise_number}", s.small)]
    if appointment.missed:
        premise.append(para("MISSED: period ended, work not done", s.error))
    customer = [para(appointment.customer or "No customer on record", s.body),
                para(phone_text(appointment.phone), s.body)]
    sign = para("Arrived ______:______     Left ______:______     "
                "Signature ________________________________", s.muted)
    table = Table([[TickBox(), premise, customer, _activity_lines(appointment, s)],
                   ["", sign, "", ""]], colWidths=widths)
    table.setStyle(grid_style(
        ("SPAN", (1, 1), (-1, 1)), ("TOPPADDING", (0, 0), (-1, 0), 5),
        ("TOPPADDING", (0, 1), (-1, 1), 9), ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
        ("LINEBELOW", (0, 0), (-1, 0), 0, colors.white),
        ("LINEBELOW", (0, 1), (-1, 1), 0.6, GRID), header=False))
    return table


def render_day_sheet(sheet: DaySheet, path: Path | str, *,
                     letterhead: Letterhead | None = None) -> Path:
    """Write the day sheet as a PDF; returns the path."""
    head = letterhead or Letterhead()
    s = Styles(8.5)
    out = Path(path)
    day = sheet.day
    doc = SimpleDocTemplate(str(out), pagesize=LETTER, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
                            title=f"Day sheet {sheet.dispatch_group} {day.day.isoformat()}",
                            author=head.utility_name)
    width = LETTER[0] - 2 * MARGIN
    widths = [12 * mm, width * 0.32, width * 0.22]
    widths.append(width - sum(widths))
    visits = len(day.appointments)
    missed = sum(1 for a in day.appointments if a.missed)
    story: list[Any] = [
        para(head.utility_name, s.utility),
        Spacer(1, 3 * mm),
        para(f"Day sheet · {day_title(sheet)}", s.option),
        Spacer(1, 2 * mm),
        facts_table([("Dispatch group", f"{sheet.dispatch_group} · {sheet.description}"),
                     ("Date", day_title(sheet)),
                     ("Periods", str(len(day.periods))),
                     ("Appointments", str(visits) + (f" ({missed} missed)" if missed else "")),
                     ("Printed", f"{sheet.printed_at:%d %b %Y %H:%M}"),
                     ("Crew", "_______________________")],
                    s, [30 * mm, width / 2 - 30 * mm] * 2),
        Spacer(1, 4 * mm),
    ]
    if not day.periods:
        story.append(para(f"{sheet.dispatch_group} has no appointment periods on this day.",
                          s.body))
    header = Table([[para(c, s.bold) for c in COLUMNS]], colWidths=widths)
    header.setStyle(grid_style())
    for period in day.periods:
        booked = day.of_period(period.period_id)
        block: list[Any] = [_period_heading(period, len(booked), s, width)]
        if booked:
            block.append(header)
            block.append(_appointment(booked[0], s, widths))
        else:
            block.append(para("No appointments.", s.muted))
        story += [KeepTogether(block)]
        story += [_appointment(a, s, widths) for a in booked[1:]]
        story.append(Spacer(1, 4 * mm))
    footer = (f"{head.utility_name} · day sheet {sheet.dispatch_group} "
              f"{day.day.isoformat()} · printed {sheet.printed_at:%d %b %Y %H:%M}")
    doc.build(story, canvasmaker=numbered_canvas(footer, MARGIN))
    return out


__all__ = ["TickBox", "day_title", "phone_text", "render_day_sheet"]
