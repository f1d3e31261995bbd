"""Appointments in Control Central (spec/50 §1.6 P-AP1 entry points): the account's
appointments zone — upcoming, under way and missed appointments at its premises — and the
"Appointment exists" / "Missed appointment" alerts, whose drill opens the booking dialog on the
premise (record kind "Appointment", keyed by premise number). Registered with Control Central
when this module is imported (control_central imports it).

An appointment is the open (pending or dispatched) field activities at one premise linked to
one period (§1.1). It is *upcoming* while its period has not started, *under way* while the
period runs and *missed* once the period ended with the work still open.

The clock: zone providers and alerts get the dashboard's `today` (a date). When that is the
real today the zone compares periods with the real business clock (`context.now()`); for any
other day (a dashboard "as of" a day, tests) it takes the start of that day, so a period of
that day counts as upcoming and one ended the day before as missed.
`appointments_at(session, account_id, now)` takes an exact datetime.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import (
    AppointmentPeriod,
    FieldActivity,
    FieldActivityType,
    Premise,
    ServiceAgreement,
    ServiceAgreementServicePoint,
    ServicePoint,
)
from app.models.enums import SAStatus
from app.services import context
from app.services.alerts import Alert, AlertFacts, register_alert
from app.services.appointments import period_label
from app.services.control_central import register_zone
from app.services.dashboard_dto import DashboardZone
from app.services.field_activities import OPEN_ACTIVITY
from app.services.installation import Module, module_enabled_in

#: Appointments the zone lists (missed first, then the soonest).
ZONE_ROWS = 20
#: Premises of the account looked at (its agreements' service points), at most.
MAX_PREMISES = 100
#: Linked activities read, at most (a few per appointment).
MAX_ACTIVITIES = 200
#: Missed appointments older than this are history, not a dashboard matter.
MISSED_DAYS = 90
#: The record kind the zone's rows and the alerts drill to (the booking dialog).
APPOINTMENT = "Appointment"

UPCOMING, UNDER_WAY, MISSED = "Upcoming", "Under way", "Missed"


@dataclass(frozen=True)
class AppointmentLine:
    """One appointment of the account: a premise's open activities in one period."""

    premise_number: str
    address: str
    start: dt.datetime
    end: dt.datetime
    dispatch_group: str
    activities: tuple[str, ...]          # type descriptions, in activity order
    status: str                          # UPCOMING | UNDER_WAY | MISSED

    @property
    def label(self) -> str:
        return period_label(self.start, self.end)


def zone_clock(today: dt.date) -> dt.datetime:
    """The moment the dashboard of `today` compares periods with (see the module doc)."""
    if today == context.today():
        return context.now()
    return dt.datetime.combine(today, dt.time())


def _premise_ids(session: Session, account_id: int) -> tuple[list[int], Any]:
    """The premises of the account's agreements (not canceled, not proposals), bounded, and
    the agreements' ids as a subquery."""
    agreements = (select(ServiceAgreement.id)
                  .where(ServiceAgreement.account_id == account_id,
                         ServiceAgreement.is_proposal.is_(False),
                         ServiceAgreement.status != SAStatus.CANCELED))
    ids = list(session.scalars(
        select(ServicePoint.premise_id).distinct()
        .join(ServiceAgreementServicePoint,
              ServiceAgreementServicePoint.service_point_id == ServicePoint.id)
        .where(ServiceAgreementServicePoint.service_agreement_id.in_(agreements.scalar_subquery()))
        .order_by(ServicePoint.premise_id).limit(MAX_PREMISES)))
    return ids, agreements.scalar_subquery()


def appointments_at(session: Session, account_id: int,
                    now: dt.datetime) -> list[AppointmentLine]:
    """The account's appointments as of `now`: missed ones (newest first), then those under
    way and upcoming (soonest first); at most ZONE_ROWS. Activities of another account's
    agreement at a shared premise are left out. Two bounded, indexed queries."""
    premise_ids, agreements = _premise_ids(session, account_id)
    if not premise_ids:
        return []
    rows = session.execute(
        select(Premise.number, Premise.address_line1, Premise.city, AppointmentPeriod.id,
               AppointmentPeriod.start_at, AppointmentPeriod.end_at,
               AppointmentPeriod.dispatch_group_code, FieldActivityType.description)
        .select_from(FieldActivity)
        .join(AppointmentPeriod, AppointmentPeriod.id == FieldActivity.appointment_period_id)
        .join(FieldActivityType, FieldActivityType.code == FieldActivity.field_activity_type_code)
        .join(Premise, Premise.id == FieldActivity.premise_id)
        .where(FieldActivity.premise_id.in_(premise_ids), FieldActivity.status.in_(OPEN_ACTIVITY),
               or_(FieldActivity.service_agreement_id.is_(None),
                   FieldActivity.service_agreement_id.in_(agreements)),
               AppointmentPeriod.end_at >= now - dt.timedelta(days=MISSED_DAYS))
        .order_by(AppointmentPeriod.start_at, Premise.number, FieldActivity.id)
        .limit(MAX_ACTIVITIES)).all()
    grouped: dict[tuple[str, int], list[object]] = {}
    lines: dict[tuple[str, int], AppointmentLine] = {}
    for number, street, city, period_id, start, end, group, description in rows:
        key = (number, period_id)
        grouped.setdefault(key, []).append(description)
        status = MISSED if end < now else UPCOMING if start > now else UNDER_WAY
        address = ", ".join(x for x in (street, city) if x)
        lines[key] = AppointmentLine(number, address, start, end, group,
                                     tuple(str(d) for d in grouped[key]), status)
    found = list(lines.values())
    missed = sorted((a for a in found if a.status == MISSED), key=lambda a: a.start,
                    reverse=True)
    coming = [a for a in found if a.status != MISSED]
    return (missed + coming)[:ZONE_ROWS]


def appointments_zone(session: Session, account_id: int,
                      today: dt.date) -> DashboardZone | None:
    """The account's upcoming, under way and missed appointments; nothing when it has none
    (or the Appointments module is off). The first column is the premise: Enter opens the
    booking dialog on it."""
    if not module_enabled_in(session, Module.APPOINTMENTS):
        return None
    lines = appointments_at(session, account_id, zone_clock(today))
    if not lines:
        return None
    return DashboardZone(
        "appointments", "Appointments",
        ("Premise", "Date", "Time", "Activities", "Dispatch group", "Status"),
        tuple((a.premise_number, f"{a.start:%a %d %b %Y}",
               f"{a.start:%H:%M}–{a.end:%H:%M}" if a.end.date() == a.start.date()
               else f"{a.start:%H:%M}–{a.end:%d %b %H:%M}",
               ", ".join(a.activities), a.dispatch_group, a.status) for a in lines),
        "No appointment.", link_kind=APPOINTMENT)


def appointment_alerts(facts: AlertFacts) -> Iterable[Alert]:
    """"Missed appointment" (medium) for the newest missed one, "Appointment exists" (info)
    for the next one; each drills to the booking dialog on its premise."""
    if not module_enabled_in(facts.session, Module.APPOINTMENTS):
        return []
    lines = appointments_at(facts.session, facts.account_id, zone_clock(facts.today))
    found: list[Alert] = []
    missed = [a for a in lines if a.status == MISSED]
    if missed:
        a = missed[0]
        more = f" (and {len(missed) - 1} more)" if len(missed) > 1 else ""
        found.append(Alert("AL-APPT-MISSED", "medium",
                           f"Missed appointment: {a.label} at {a.address}{more}",
                           (APPOINTMENT, a.premise_number)))
    coming = [a for a in lines if a.status != MISSED]
    if coming:
        a = coming[0]
        more = f" (and {len(coming) - 1} more)" if len(coming) > 1 else ""
        found.append(Alert("AL-APPT", "info",
                           f"Appointment exists: {a.label} at {a.address}{more}",
                           (APPOINTMENT, a.premise_number)))
    return found


register_zone("appointments", appointments_zone)
register_alert("AL-APPT", appointment_alerts)

__all__ = ["APPOINTMENT", "AppointmentLine", "appointment_alerts", "appointments_at",
           "appointments_zone", "zone_clock"]
