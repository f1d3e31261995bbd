"""Complete Visit: the dispatcher records that the crew did an appointment's work and when it
arrived. Arriving after the period's end credits the customer the missed-appointment credit
(AP-R16), once per visit; the message says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtWidgets import QWidget

from app.reports.formatting import money_text
from app.services import field_activities
from app.services.appointment_week import Appointment
from app.services.field_activities import OPEN_ACTIVITY, Completion
from app.views.panes import PaneContext
from app.views.tree_dialogs import ActionDialog, date_field, parse_date, parse_time, time_field


def open_work(appointment: Appointment) -> bool:
    """The appointment still has work to record as done."""
    return any(a.status in OPEN_ACTIVITY for a in appointment.activities)


class CompleteVisitDialog(ActionDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None, appointment: Appointment,
                 now: dt.datetime) -> None:
        work = [a for a in appointment.activities if a.status in OPEN_ACTIVITY]
        super().__init__(ctx, parent, "Complete Visit…", "Complete",
                         f"{appointment.time_band} on {appointment.start:%a %d %b %Y} at "
                         f"{appointment.address}. The crew did this work; when did it arrive? "
                         f"Arriving after {appointment.end:%H:%M} credits the customer for the "
                         "missed appointment.")
        self.appointment = appointment
        self.add_fixed("Work", "\n".join(f"{a.number}  {a.type_description}" for a in work))
        arrived = min(now, appointment.end) if now > appointment.start else appointment.start
        self.arrival_day = self.add_row("arrival_day", "Arrival date",
                                        date_field(arrived.date()))
        self.arrival_time = self.add_row("arrival_time", "Arrival time",
                                         time_field(arrived.time()))
        self.finish_layout()
        self.arrival_time.setFocus()
        self.arrival_time.selectAll()

    def prepare(self) -> Callable[[], Any]:
        day = parse_date(self.arrival_day.text(), "arrival_day", "arrival date")
        at = dt.datetime.combine(day, parse_time(self.arrival_time.text(), "arrival_time",
                                                 "time the crew arrived"))
        return partial(field_activities.complete_visit, self.ctx.db, self.ctx.actor,
                       self.appointment.premise_number, self.appointment.period_id, at)

    def success_message(self, result: Any) -> str:
        assert isinstance(result, Completion)
        count = len(result.numbers)
        done = (f"Completed {count} field activit{'y' if count == 1 else 'ies'} at premise "
                f"{self.appointment.premise_number}")
        if result.credit is None:
            return done + "."
        return (f"{done}; the crew arrived after {self.appointment.end:%H:%M}, so "
                f"{money_text(result.credit, '')} was credited to the customer's account for "
                "the missed appointment.")
