"""The dispatcher's week (spec/50 P-AP2 calendar view [DES]) and the crew's day sheet: a
dispatch group's appointment periods day by day with how full each is, and each day's
appointments — the field activities at one premise in one period — with the premise's
address, its customer and their phone, and whether the appointment was missed.

    week = week_view(db, "NEW-SVC", monday)            # 7 days from Monday
    sheet = day_sheet(db, "NEW-SVC", dt.date(2025, 3, 4))

Every query is bounded by the group and the days asked for (the periods come from the index on
(dispatch group, start), their activities from the index on (period, status, premise)), so
the week reads the same few rows however many years of appointments the database holds.
How full a period is comes from `app.services.appointments` (one counting rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    Account,
    AppointmentPeriod,
    Customer,
    DispatchGroup,
    FieldActivity,
    FieldActivityType,
    Party,
    PartyContact,
    Premise,
    ServiceAgreement,
    ServiceAgreementServicePoint,
    ServicePoint,
)
from app.models.enums import ContactKind, FieldActivityStatus, SAStatus
from app.services import context
from app.services.appointments import NOT_COUNTED, PeriodSlot, _periods, slots_of
from app.services.common import chunks
from app.services.context import read_only
from app.services.dispatch_groups import DispatchGroupRow, dispatch_groups
from app.services.errors import NotFound
from app.services.field_activities import OPEN_ACTIVITY

#: Agreements whose customer is the premise's customer, best first (an active one wins).
_AGREEMENT_RANK = {SAStatus.ACTIVE: 0, SAStatus.PENDING_STOP: 1, SAStatus.PENDING_START: 2,
                   SAStatus.STOPPED: 3, SAStatus.CLOSED: 4}


# ----------------------------------------------------------------------------- DTOs


@dataclass(frozen=True)
class AppointmentActivity:
    """One field activity of an appointment, as the crew needs it."""

    number: str
    type_code: str
    type_description: str
    status: FieldActivityStatus
    service_point: str | None = None
    instructions: str | None = None

    @property
    def text(self) -> str:
        """e.g. "1234567890 Meter exchange (Pending)"."""
        return f"{self.number} {self.type_description} ({self.status.label})"


@dataclass(frozen=True)
class Appointment:
    """The activities at one premise booked into one period."""

    period_id: int
    start: dt.datetime
    end: dt.datetime
    premise_number: str
    address: str
    activities: tuple[AppointmentActivity, ...]
    customer: str | None
    phone: str | None
    #: The period ended with work still pending or dispatched.
    missed: bool

    @property
    def time_band(self) -> str:
        return time_band(self.start, self.end)

    @property
    def status_text(self) -> str:
        """"Missed", or the activities' statuses ("Pending", "1 Complete, 1 Pending")."""
        if self.missed:
            return "Missed"
        counts: dict[str, int] = {}
        for activity in self.activities:
            counts[activity.status.label] = counts.get(activity.status.label, 0) + 1
        if len(counts) == 1:
            return next(iter(counts))
        return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


@dataclass(frozen=True)
class DaySchedule:
    """One day of a dispatch group: its periods in time order and their appointments."""

    day: dt.date
    periods: tuple[PeriodSlot, ...]
    appointments: tuple[Appointment, ...]

    @property
    def booked(self) -> int:
        return sum(p.booked for p in self.periods)

    @property
    def capacity(self) -> int:
        return sum(p.max_appointments for p in self.periods)

    def of_period(self, period_id: int) -> tuple[Appointment, ...]:
        return tuple(a for a in self.appointments if a.period_id == period_id)


@dataclass(frozen=True)
class WeekView:
    """A dispatch group's days from `first_day` on (seven unless asked otherwise)."""

    dispatch_group: str
    description: str
    external_system: str | None
    first_day: dt.date
    now: dt.datetime
    days: tuple[DaySchedule, ...]

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=len(self.days) - 1)

    def day(self, day: dt.date) -> DaySchedule | None:
        return next((d for d in self.days if d.day == day), None)

    def period(self, period_id: int) -> PeriodSlot | None:
        return next((p for d in self.days for p in d.periods if p.period_id == period_id), None)


@dataclass(frozen=True)
class DaySheet:
    """What a crew takes out for one day: every period of the group and its appointments."""

    dispatch_group: str
    description: str
    day: DaySchedule
    printed_at: dt.datetime


def time_band(start: dt.datetime, end: dt.datetime) -> str:
    """"08:00–10:00" (the end's date too when the period runs past midnight)."""
    ends = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %H:%M}"
    return f"{start:%H:%M}–{ends}"


def week_start(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


# ----------------------------------------------------------------------------- queries


def _group(session: Session, code: str) -> DispatchGroup:
    group = session.get(DispatchGroup, code)
    if group is None:
        raise NotFound(f"There is no dispatch group {code!r}. Choose one from the list.",
                       "dispatch_group")
    return group


def _address(premise: Premise) -> str:
    return ", ".join(x for x in (premise.address_line1, premise.address_line2, premise.city,
                                 premise.postal_code) if x)


def _customers(session: Session, premise_ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """Premise id → (customer name, party id): the customer of the premise's agreement,
    an active one first, then the latest started."""
    best: dict[int, tuple[tuple[int, int], str, int]] = {}
    for chunk in chunks(premise_ids):
        rows = session.execute(
            select(ServicePoint.premise_id, ServiceAgreement.status,
                   ServiceAgreement.start_date, Party.id, Party.display_name)
            .join(ServiceAgreementServicePoint,
                  ServiceAgreementServicePoint.service_point_id == ServicePoint.id)
            .join(ServiceAgreement,
                  ServiceAgreement.id == ServiceAgreementServicePoint.service_agreement_id)
            .join(Account, Account.id == ServiceAgreement.account_id)
            .join(Customer, Customer.id == Account.customer_id)
            .join(Party, Party.id == Customer.legal_party_id)
            .where(ServicePoint.premise_id.in_(chunk),
                   ServiceAgreement.status.in_(tuple(_AGREEMENT_RANK))))
        for premise_id, status, started, party_id, name in rows:
            key = (_AGREEMENT_RANK[status], -started.toordinal())
            if premise_id not in best or key < best[premise_id][0]:
                best[premise_id] = (key, name, party_id)
    return {premise: (name, party) for premise, (_key, name, party) in best.items()}


def _phones(session: Session, party_ids: Sequence[int]) -> dict[int, str]:
    """Party id → its phone number, the primary one first."""
    found: dict[int, str] = {}
    for chunk in chunks(party_ids):
        for party_id, value in session.execute(
                select(PartyContact.party_id, PartyContact.value)
                .where(PartyContact.party_id.in_(chunk),
                       PartyContact.kind == ContactKind.PHONE)
                .order_by(PartyContact.party_id, PartyContact.is_primary.desc(),
                          PartyContact.id)):
            found.setdefault(party_id, value)
    return found


def _appointments(session: Session, periods: Sequence[AppointmentPeriod],
                  now: dt.datetime) -> list[Appointment]:
    """The appointments of the periods: their activities grouped by (period, premise), in
    period order, then by address."""
    by_id = {p.id: p for p in periods}
    grouped: dict[tuple[int, int], list[AppointmentActivity]] = {}
    premises: dict[int, Premise] = {}
    for chunk in chunks(list(by_id)):
        rows = session.execute(
            select(FieldActivity.appointment_period_id, FieldActivity.number,
                   FieldActivity.status, FieldActivity.instructions, FieldActivityType.code,
                   FieldActivityType.description, ServicePoint.number, Premise)
            .join(FieldActivityType,
                  FieldActivityType.code == FieldActivity.field_activity_type_code)
            .join(Premise, Premise.id == FieldActivity.premise_id)
            .outerjoin(ServicePoint, ServicePoint.id == FieldActivity.service_point_id)
            .where(FieldActivity.appointment_period_id.in_(chunk),
                   FieldActivity.status != NOT_COUNTED)
            .order_by(FieldActivity.id))
        for period_id, number, status, instructions, code, description, point, premise in rows:
            assert period_id is not None
            premises[premise.id] = premise
            grouped.setdefault((period_id, premise.id), []).append(AppointmentActivity(
                number, code, description, status, point, instructions))
    customers = _customers(session, sorted(premises))
    phones = _phones(session, sorted({party for _name, party in customers.values()}))
    found = []
    for (period_id, premise_id), activities in grouped.items():
        period, premise = by_id[period_id], premises[premise_id]
        customer = customers.get(premise_id)
        found.append(Appointment(
            period_id, period.start_at, period.end_at, premise.number, _address(premise),
            tuple(activities), customer[0] if customer else None,
            phones.get(customer[1]) if customer else None,
            period.end_at < now and any(a.status in OPEN_ACTIVITY for a in activities)))
    found.sort(key=lambda a: (a.start, a.end, a.address, a.premise_number))
    return found


def _days(session: Session, group: str, first: dt.date, days: int,
          now: dt.datetime) -> tuple[DaySchedule, ...]:
    last = first + dt.timedelta(days=days - 1)
    periods = _periods(session, (group,), first, last)
    slots = slots_of(session, periods)
    appointments = _appointments(session, periods, now)
    schedule = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        schedule.append(DaySchedule(
            day, tuple(s for s in slots if s.start.date() == day),
            tuple(a for a in appointments if a.start.date() == day)))
    return tuple(schedule)


# ----------------------------------------------------------------------------- public


def week_view(db: Database, dispatch_group: str, first_day: dt.date, days: int = 7,
              now: dt.datetime | None = None) -> WeekView:
    """The group's periods on `days` days from `first_day`, how full each is, and each day's
    appointments (missed ones flagged against `now`, the business clock by default)."""
    at = now or context.now()
    days = max(1, min(days, 62))
    with read_only(db) as session:
        group = _group(session, dispatch_group)
        return WeekView(group.code, group.description, group.external_system, first_day, at,
                        _days(session, group.code, first_day, days, at))


def day_sheet(db: Database, dispatch_group: str, day: dt.date,
              now: dt.datetime | None = None) -> DaySheet:
    """One day of the group for the crew's printed sheet."""
    at = now or context.now()
    with read_only(db) as session:
        group = _group(session, dispatch_group)
        return DaySheet(group.code, group.description,
                        _days(session, group.code, day, 1, at)[0], at)


def dispatch_group_choices(db: Database) -> list[DispatchGroupRow]:
    """The groups a dispatcher can look at (those that take appointments)."""
    return [g for g in dispatch_groups(db) if g.takes_appointments]


def busiest_week(db: Database) -> tuple[str, dt.date] | None:
    """(dispatch group, Monday) of the week with the most booked activities, or None when
    nothing is booked (the screenshot opens there)."""
    with read_only(db) as session:
        per_period = (select(FieldActivity.appointment_period_id.label("period_id"),
                             func.count().label("booked"))
                      .where(FieldActivity.appointment_period_id.is_not(None),
                             FieldActivity.status != NOT_COUNTED)
                      .group_by(FieldActivity.appointment_period_id).subquery())
        totals: dict[tuple[str, dt.date], int] = {}
        for group, start, booked in session.execute(
                select(AppointmentPeriod.dispatch_group_code, AppointmentPeriod.start_at,
                       per_period.c.booked)
                .join(per_period, per_period.c.period_id == AppointmentPeriod.id)):
            key = (group, week_start(start.date()))
            totals[key] = totals.get(key, 0) + booked
        if not totals:
            return None
        return max(totals, key=lambda k: (totals[k], -k[1].toordinal(), k[0]))


__all__ = ["Appointment", "AppointmentActivity", "DaySchedule", "DaySheet", "WeekView",
           "busiest_week", "day_sheet", "dispatch_group_choices", "time_band", "week_start",
           "week_view"]
