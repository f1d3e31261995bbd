"""Booking appointments (spec/50 §1.3, §1.4, P-AP1): a premise's appointments and the field
activities still without one, the availability search (on or around a date, the next
available, across alternate dispatch groups), and booking, re-booking (break) and canceling.

An appointment is the field activities at one premise linked to one appointment period. How
full a period is counts distinct premises or activities, as its dispatch group says (§6 Q1).

The capacity rule holds under concurrent bookings: the booking transaction locks the period
row (SELECT … FOR UPDATE on PostgreSQL; on SQLite the write transaction holds the database's
write lock from BEGIN IMMEDIATE) and counts again before it links anything. The loser of a
race gets `PeriodFull` with the next available period, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.appointments import common_dispatch_groups
from app.models import (
    AppointmentPeriod,
    DispatchGroup,
    DispatchGroupAlternate,
    FieldActivity,
    FieldActivityType,
    FieldOrder,
    Premise,
    ServicePoint,
)
from app.models.enums import (
    CapacityUnit,
    FieldActivityStatus,
    FieldOrderStatus,
)
from app.services import context
from app.services.common import chunks, get_by_number
from app.services.context import Actor, read_only, transaction
from app.services.errors import DomainError, ValidationError
from app.services.field_activities import (
    FIELD_STAFF,
    lock_period,
    refresh_field_order_schedule,
    requires_appointment,
    takes_appointments,
)

#: How far ahead "next available" looks.
HORIZON_DAYS = 120
#: Linked activities in this state do not count against their period (§6 Q8: canceled ones
#: keep the link for the record).
NOT_COUNTED = FieldActivityStatus.CANCELED


class PeriodFull(DomainError):
    """The period filled (or started) before the booking; `next_available` is the period to
    offer instead, if there is one."""

    def __init__(self, message: str, next_available: PeriodSlot | None) -> None:
        super().__init__(message, "period")
        self.next_available = next_available


# ----------------------------------------------------------------------------- DTOs


@dataclass(frozen=True)
class PeriodSlot:
    """An appointment period with how full it is."""

    period_id: int
    dispatch_group: str
    start: dt.datetime
    end: dt.datetime
    max_appointments: int
    booked: int
    version: int = 1
    #: The premise being booked already has an appointment in it (it joins, AP-T02).
    joins: bool = False
    #: What `booked` and the maximum count (the dispatch group's setting, §6 Q1).
    unit: CapacityUnit = CapacityUnit.PREMISES

    @property
    def remaining(self) -> int:
        return max(0, self.max_appointments - self.booked)

    def takes(self, activities: int) -> bool:
        """Whether booking `activities` more of the premise fits (AP-R8): by premises, a premise
        already in the period joins its appointment; by activities, each one counts."""
        if self.unit is CapacityUnit.PREMISES:
            return self.joins or self.booked < self.max_appointments
        return self.booked + activities <= self.max_appointments

    @property
    def label(self) -> str:
        return period_label(self.start, self.end)


@dataclass(frozen=True)
class ActivityRow:
    number: str
    type_code: str
    type_description: str
    status: FieldActivityStatus
    scheduled_on: dt.date
    dispatch_group: str | None
    service_point: str | None
    period_id: int | None = None
    period_start: dt.datetime | None = None
    period_end: dt.datetime | None = None
    #: AP-R5: canceling the appointment would leave an activity that can be booked again.
    can_cancel: bool = False
    field_order: str | None = None
    version: int = 1


@dataclass(frozen=True)
class PremiseAppointments:
    """The booking dialog's header and its two grids (P-AP1)."""

    premise_number: str
    address: str
    existing: tuple[ActivityRow, ...]
    without: tuple[ActivityRow, ...]
    dispatch_groups: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Availability:
    """The result of a search: the window shown (From/To) and its periods with room."""

    dispatch_groups: tuple[str, ...]
    first: dt.date
    last: dt.date
    slots: tuple[PeriodSlot, ...]
    #: The search jumped ahead to the next available period (nothing in the asked window).
    moved: bool = False


@dataclass(frozen=True)
class Booking:
    period: PeriodSlot
    activities: tuple[str, ...]
    message: str


def period_label(start: dt.datetime, end: dt.datetime) -> str:
    """e.g. "Wed 15 Jan 2003 13:00–17:00"."""
    ends = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %d %b %H:%M}"
    return f"{start:%a %d %b %Y %H:%M}–{ends}"


# ----------------------------------------------------------------------------- counting


def booked_counts(session: Session, period_ids: Sequence[int],
                  units: dict[int, CapacityUnit]) -> dict[int, int]:
    """How many appointments each period holds: distinct premises (or activities, as its
    group counts) among its non-canceled activities. One indexed query per unit."""
    counts: dict[int, int] = {}
    for unit in set(units.values()):
        ids = [p for p in period_ids if units[p] is unit]
        for chunk in chunks(ids):
            measure = (func.count(func.distinct(FieldActivity.premise_id))
                       if unit is CapacityUnit.PREMISES else func.count())
            counts.update((period, count) for period, count in session.execute(
                select(FieldActivity.appointment_period_id, measure)
                .where(FieldActivity.appointment_period_id.in_(chunk),
                       FieldActivity.status != NOT_COUNTED)
                .group_by(FieldActivity.appointment_period_id)) if period is not None)
    return counts


def slots_of(session: Session, periods: Sequence[AppointmentPeriod],
           premise_id: int | None = None) -> list[PeriodSlot]:
    groups = {p.dispatch_group_code for p in periods}
    unit_of = dict(session.execute(select(DispatchGroup.code, DispatchGroup.capacity_unit)
                                   .where(DispatchGroup.code.in_(groups))).all())
    units = {p.id: unit_of[p.dispatch_group_code] for p in periods}
    counts = booked_counts(session, [p.id for p in periods], units)
    joined: set[int] = set()
    if premise_id is not None and periods:
        joined = set(session.scalars(
            select(FieldActivity.appointment_period_id).distinct()
            .where(FieldActivity.premise_id == premise_id,
                   FieldActivity.appointment_period_id.in_([p.id for p in periods]),
                   FieldActivity.status != NOT_COUNTED)))
    return [PeriodSlot(p.id, p.dispatch_group_code, p.start_at, p.end_at, p.max_appointments,
                       counts.get(p.id, 0), p.version, p.id in joined, units[p.id])
            for p in periods]


def period_slots(db: Database, dispatch_group: str, first: dt.date,
                 last: dt.date) -> list[PeriodSlot]:
    """Every period of a dispatch group starting from `first` to `last` (inclusive), with how
    full each is."""
    with read_only(db) as session:
        return slots_of(session, _periods(session, (dispatch_group,), first, last))


def _periods(session: Session, groups: Sequence[str], first: dt.date, last: dt.date,
             after: dt.datetime | None = None) -> list[AppointmentPeriod]:
    start = dt.datetime.combine(first, dt.time())
    if after is not None and after > start:
        start = after + dt.timedelta(seconds=1)
    return list(session.scalars(
        select(AppointmentPeriod)
        .where(AppointmentPeriod.dispatch_group_code.in_(groups),
               AppointmentPeriod.start_at >= start,
               AppointmentPeriod.start_at < dt.datetime.combine(last + dt.timedelta(days=1),
                                                                dt.time()))
        .order_by(AppointmentPeriod.start_at, AppointmentPeriod.dispatch_group_code)))


# ----------------------------------------------------------------------------- the premise


def _eligible(type_row: FieldActivityType) -> bool:
    return takes_appointments(type_row.dispatchable, type_row.appointment_booking)


def _activity_query(premise_id: int) -> Any:
    return (select(FieldActivity, FieldActivityType, AppointmentPeriod, ServicePoint.number,
                   FieldOrder.number, FieldOrder.status)
            .join(FieldActivityType,
                  FieldActivityType.code == FieldActivity.field_activity_type_code)
            .outerjoin(AppointmentPeriod,
                       AppointmentPeriod.id == FieldActivity.appointment_period_id)
            .outerjoin(ServicePoint, ServicePoint.id == FieldActivity.service_point_id)
            .outerjoin(FieldOrder, FieldOrder.id == FieldActivity.field_order_id)
            .where(FieldActivity.premise_id == premise_id))


def _bookable(activity: FieldActivity, fa_type: FieldActivityType,
              order_status: FieldOrderStatus | None) -> bool:
    """AP-R1 without the period test: pending (on an open field order or none; once the order
    is sent to the crew its activities are dispatched), of a type that takes appointments, not
    on a field order whose work is done but not recorded."""
    return (activity.status is FieldActivityStatus.PENDING and _eligible(fa_type)
            and order_status is not FieldOrderStatus.WORK_DONE_NOT_RECORDED)


def premise_appointments(db: Database, premise_number: str) -> PremiseAppointments:
    """The premise's activities with an appointment (current and past, Cancel where AP-R5
    allows) and those that can still get one (AP-R1)."""
    with read_only(db) as session:
        premise = get_by_number(session, Premise, premise_number, "premise", "premise")
        existing: list[ActivityRow] = []
        without: list[ActivityRow] = []
        rows = session.execute(_activity_query(premise.id)
                               .order_by(FieldActivity.scheduled_on, FieldActivity.id)).all()
        for activity, fa_type, period, point, order, order_status in rows:
            if not _eligible(fa_type) and period is None:
                continue                                    # AP-R2: never on the pane
            bookable = _bookable(activity, fa_type, order_status)
            row = ActivityRow(
                activity.number, fa_type.code, fa_type.description, activity.status,
                activity.scheduled_on, activity.dispatch_group_code, point,
                period.id if period else None, period.start_at if period else None,
                period.end_at if period else None, bookable and period is not None, order,
                activity.version)
            if period is not None:
                existing.append(row)
            elif bookable:
                without.append(row)
        existing.sort(key=lambda r: (r.period_start or dt.datetime.min), reverse=True)
        groups = tuple(session.execute(
            select(DispatchGroup.code, DispatchGroup.description)
            .where(DispatchGroup.takes_appointments.is_(True))
            .order_by(DispatchGroup.code)).all())
        address = ", ".join(x for x in (premise.address_line1, premise.address_line2,
                                        premise.city, premise.postal_code) if x)
        return PremiseAppointments(premise.number, address, tuple(existing), tuple(without),
                                   groups)


# ----------------------------------------------------------------------------- search


def _alternates(session: Session) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for group, alternate, sequence in session.execute(
            select(DispatchGroupAlternate.dispatch_group_code,
                   DispatchGroupAlternate.alternate_code, DispatchGroupAlternate.sequence)):
        found.setdefault(group, []).append((alternate, sequence))
    return found


def _selected(session: Session, premise: Premise,
              numbers: Sequence[str], *, lock: bool = False,
              rebooking: bool = False) -> list[FieldActivity]:
    """The chosen activities, each at the premise and bookable (AP-R1)."""
    if not numbers:
        raise ValidationError("Tick at least one field activity to book.", "activities")
    query = _activity_query(premise.id).where(FieldActivity.number.in_(numbers))
    if lock:            # in one order, so two bookings at one premise cannot deadlock
        query = query.order_by(FieldActivity.id).with_for_update(of=FieldActivity)
    rows = session.execute(query).all()
    found = {r[0].number: r for r in rows}
    chosen = []
    for number in numbers:
        if number not in found:
            raise ValidationError(f"Field activity {number} is not at premise "
                                  f"{premise.number}.", "activities")
        activity, fa_type, _period, _point, _order, order_status = found[number]
        if not _bookable(activity, fa_type, order_status):
            if activity.status is not FieldActivityStatus.PENDING:
                why = f"it is {activity.status.label.lower()}"
            elif not _eligible(fa_type):
                why = "its type takes no appointments"
            else:
                why = "its field order's work is done but not yet recorded"
            raise ValidationError(f"Field activity {number} ({fa_type.description}) cannot "
                                  f"have an appointment: {why}.", "activities")
        if activity.appointment_period_id is not None and not rebooking:
            raise ValidationError(f"Field activity {number} already has an appointment; "
                                  "re-book it instead.", "activities")
        chosen.append(activity)
    return chosen


def _common_groups(session: Session, activities: Sequence[FieldActivity]) -> list[str] | None:
    """The groups that can do every one of the activities (own or alternate), best first;
    None when an activity has no group yet (the rules gave none): any group may do it."""
    if not all(a.dispatch_group_code for a in activities):
        return None
    return common_dispatch_groups([a.dispatch_group_code for a in activities],
                                  _alternates(session))


def candidate_groups(session: Session, activities: Sequence[FieldActivity],
                     dispatch_group: str | None) -> list[str]:
    """AP-R9 / AP-R10: the named group (when it can do the activities), or the groups common
    to the activities, best first."""
    common = _common_groups(session, activities)
    if dispatch_group:
        group = session.get(DispatchGroup, dispatch_group)
        if group is None:
            raise ValidationError(f"There is no dispatch group {dispatch_group!r}.",
                                  "dispatch_group")
        if common is not None and group.code not in common:
            raise ValidationError(
                f"Dispatch group {group.code} cannot do "
                + ("this field activity" if len(activities) == 1 else "these field activities")
                + (f"; choose {' or '.join(common)}, or leave the group blank." if common else
                   ": no dispatch group is common to them. Book them separately."),
                "dispatch_group")
        return [group.code]
    if not common:
        raise ValidationError("No dispatch group is common to the selected field activities. "
                              "Choose a dispatch group, or book them separately.",
                              "dispatch_group")
    return common


def _open_slots(session: Session, groups: Sequence[str], first: dt.date, last: dt.date,
                premise_id: int, now: dt.datetime, activities: int) -> list[PeriodSlot]:
    """Default availability (AP-R7): periods in the window that start after now and take the
    premise's `activities` (room left, or its appointment there to join)."""
    return [s for s in slots_of(session, _periods(session, groups, first, last, after=now),
                              premise_id)
            if s.takes(activities)]


def _bookable_groups(session: Session, groups: Sequence[str]) -> list[str]:
    usable = set(session.scalars(select(DispatchGroup.code).where(
        DispatchGroup.code.in_(groups), DispatchGroup.takes_appointments.is_(True),
        DispatchGroup.external_system.is_(None))))
    return [g for g in groups if g in usable]


def _next_available(session: Session, groups: Sequence[str], premise_id: int,
                    now: dt.datetime, activities: int,
                    after: dt.datetime | None = None) -> PeriodSlot | None:
    """The first period that takes the activities, starting after `after` (or now), within
    the horizon."""
    start = max(now, after or now)
    first = start.date()
    step = 14
    while first <= now.date() + dt.timedelta(days=HORIZON_DAYS):
        last = first + dt.timedelta(days=step - 1)
        for slot in _open_slots(session, groups, first, last, premise_id, start, activities):
            return slot
        first = last + dt.timedelta(days=1)
    return None


def find_availability(db: Database, premise_number: str, activity_numbers: Sequence[str],
                      dispatch_group: str | None = None, around: dt.date | None = None,
                      *, all_alternates: bool = False, days: int | None = None,
                      next_available: bool = False,
                      now: dt.datetime | None = None) -> Availability:
    """The periods with room for the chosen activities (P-AP1 search, AP-R9 … AP-R12).

    The window starts on `around` (else the earliest scheduled date of the activities), never
    before today, and lasts the group's `window_days` (or `days`). With `all_alternates` every
    common group is searched, else the best one. With `next_available`, an empty window jumps
    to the one starting on the first day that has room."""
    at = now or context.now()
    with read_only(db) as session:
        premise = get_by_number(session, Premise, premise_number, "premise", "premise")
        activities = _selected(session, premise, activity_numbers, rebooking=True)
        groups = _bookable_groups(session, candidate_groups(session, activities,
                                                           dispatch_group))
        if not all_alternates:
            groups = groups[:1]
        if not groups:
            raise ValidationError("The dispatch group does not take appointments here (none "
                                  "set up, or a workforce system books them).", "dispatch_group")
        anchor = max(around or min(a.scheduled_on for a in activities), at.date())
        width = days or session.scalar(select(func.max(DispatchGroup.window_days))
                                       .where(DispatchGroup.code.in_(groups))) or 7
        last = anchor + dt.timedelta(days=width - 1)
        count = len(activities)
        slots = _open_slots(session, groups, anchor, last, premise.id, at, count)
        if slots or not next_available:
            return Availability(tuple(groups), anchor, last, tuple(slots))
        first_free = _next_available(session, groups, premise.id, at, count,
                                     dt.datetime.combine(anchor, dt.time()))
        if first_free is None:
            return Availability(tuple(groups), anchor, last, ())
        anchor = first_free.start.date()
        last = anchor + dt.timedelta(days=width - 1)
        return Availability(tuple(groups), anchor, last,
                            tuple(_open_slots(session, groups, anchor, last, premise.id, at,
                                              count)),
                            moved=True)


# ----------------------------------------------------------------------------- booking


def _full_message(period: AppointmentPeriod, why: str, offer: PeriodSlot | None) -> str:
    text = f"The period {period_label(period.start_at, period.end_at)} {why}"
    if offer is None:
        return text + f" — no other period has room in the next {HORIZON_DAYS} days."
    return text + f" — next available: {offer.label} ({offer.dispatch_group})."


def _book_in(session: Session, premise: Premise, activities: list[FieldActivity],
             period_id: int, now: dt.datetime) -> PeriodSlot:
    """Link the activities to the locked period, after counting again (AP-R8), with the side
    effects of AP-R4. Raises PeriodFull, leaving the caller to roll back."""
    period = lock_period(session, period_id)
    group = session.get(DispatchGroup, period.dispatch_group_code)
    assert group is not None
    if not group.takes_appointments or group.external_system is not None:
        raise ValidationError(f"Dispatch group {group.code} does not take appointments here.",
                              "period")
    candidate_groups(session, activities, group.code)     # the group can do them
    count = len(activities)
    if period.start_at <= now:
        offer = _next_available(session, [group.code], premise.id, now, count)
        raise PeriodFull(_full_message(period, "has already started", offer), offer)
    if not slots_of(session, [period], premise.id)[0].takes(count):
        offer = _next_available(session, [group.code], premise.id, now, count,
                                after=period.start_at)
        raise PeriodFull(_full_message(period, "just filled", offer), offer)
    orders = set()
    for activity in activities:
        activity.appointment_period_id = period.id
        activity.scheduled_on = period.start_at.date()
        activity.dispatch_group_code = period.dispatch_group_code
        if activity.field_order_id is not None:
            orders.add(activity.field_order_id)
    session.flush()
    for order in orders:
        refresh_field_order_schedule(session, order)
    return slots_of(session, [period], premise.id)[0]


def book(db: Database, actor: Actor, premise_number: str, activity_numbers: Sequence[str],
         period_id: int, *, now: dt.datetime | None = None) -> Booking:
    """Book the activities (all at one premise, none booked yet) into the period, in one
    transaction."""
    actor.require("book appointments", *FIELD_STAFF)
    at = now or context.now()
    with transaction(db, actor) as session:
        premise = get_by_number(session, Premise, premise_number, "premise", "premise")
        activities = _selected(session, premise, activity_numbers, lock=True)
        slot = _book_in(session, premise, activities, period_id, at)
        return Booking(slot, tuple(activity_numbers),
                       f"Booked {_count(activity_numbers)} for {slot.label} "
                       f"({slot.dispatch_group}).")


def rebook(db: Database, actor: Actor, premise_number: str, activity_numbers: Sequence[str],
           period_id: int, *, now: dt.datetime | None = None) -> Booking:
    """Break the activities' appointment and book them into another period, in one
    transaction: when the new period is full the old appointment stands."""
    actor.require("re-book appointments", *FIELD_STAFF)
    at = now or context.now()
    with transaction(db, actor, reason="Appointment re-booked") as session:
        premise = get_by_number(session, Premise, premise_number, "premise", "premise")
        activities = _selected(session, premise, activity_numbers, lock=True, rebooking=True)
        if any(a.appointment_period_id == period_id for a in activities):
            raise ValidationError("That is the period they are booked in already; choose "
                                  "another.", "period")
        old = {a.appointment_period_id for a in activities} - {None}
        for activity in activities:
            activity.appointment_period_id = None
        session.flush()
        slot = _book_in(session, premise, activities, period_id, at)
        was = ", ".join(sorted(period_label(p.start_at, p.end_at) for p in
                               (session.get(AppointmentPeriod, i) for i in old) if p))
        return Booking(slot, tuple(activity_numbers),
                       f"Moved {_count(activity_numbers)} "
                       + (f"from {was} " if was else "") + f"to {slot.label}.")


def cancel_appointment(db: Database, actor: Actor, premise_number: str,
                       activity_numbers: Sequence[str]) -> str:
    """Take the activities off their appointment (AP-R5): they stay pending and can be booked
    again; the period has room again."""
    actor.require("cancel appointments", *FIELD_STAFF)
    with transaction(db, actor, reason="Appointment canceled") as session:
        premise = get_by_number(session, Premise, premise_number, "premise", "premise")
        activities = _selected(session, premise, activity_numbers, lock=True, rebooking=True)
        orders = set()
        for activity in activities:
            if activity.appointment_period_id is None:
                raise ValidationError(f"Field activity {activity.number} has no appointment "
                                      "to cancel.", "activities")
            if activity.field_order_id is not None:
                requires_appointment(session, activity, "keep")
                orders.add(activity.field_order_id)
            activity.appointment_period_id = None
        session.flush()
        for order in orders:
            refresh_field_order_schedule(session, order)
        return f"Canceled the appointment of {_count(activity_numbers)}."


def _count(numbers: Sequence[str]) -> str:
    return "1 field activity" if len(numbers) == 1 else f"{len(numbers)} field activities"
