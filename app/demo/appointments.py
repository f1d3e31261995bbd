"""Demo appointments (spec/50 §1): the demo utility's field dispatch set-up and a believable
booking history, made as a supervisor and a dispatcher would.

* three operations areas serving the demo's postal code prefixes (`app.demo.names.CITIES`);
* four dispatch groups with alternates — METER-N "Meter crew north", METER-S "Meter crew south
  and central", NEW-SVC "New service", GAS-SVC "Gas service" (counting activities, not
  premises) — and the rules that route each field activity type to them;
* ten weeks of appointment periods (weekdays 08–10, 10–12, 13–15, 15–17, maximum 4–6),
  starting three weeks before the demo's `as_of`, written in one statement;
* field activities at demo premises booked through `app.services.appointments.book` with the
  business clock set just before the first period, so every booking rule runs: past
  appointments (completed on time, one missed and credited through
  `field_activities.complete_activity`, one never done), upcoming ones (two activities of one
  premise sharing a visit), two periods booked full, a pending activity still to be booked,
  and at the showcase account an upcoming appointment and an activity without one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import insert, select, text

from app.db import Database
from app.engine.appointments import bands
from app.engine.identifiers import from_sequence
from app.models import AppointmentPeriod, FieldActivity, OperationsArea
from app.models.enums import CapacityUnit, FieldActivityStatus, ServiceType
from app.services import appointments, dispatch_groups, field_activities
from app.services.context import SYSTEM, read_only, transaction
from app.services.control_central import showcase_account
from app.services.errors import DomainError

#: (code, description, postal code prefixes): every prefix of the demo's cities is served.
AREAS = (
    ("NORTH", "North: Peoria, Bloomington, Kankakee", ("609", "613", "614", "615", "616", "617")),
    ("CENTRAL", "Central: Springfield, Decatur", ("625", "626", "627")),
    ("SOUTH", "South and east: Champaign, Quincy, Effingham", ("618", "619", "620", "623", "624")),
)

#: (code, description, area, capacity unit, maximum per band 08–10, 10–12, 13–15, 15–17)
GROUPS = (
    ("METER-N", "Meter crew north", "NORTH", CapacityUnit.PREMISES, (5, 6, 6, 5)),
    ("METER-S", "Meter crew south and central", "SOUTH", CapacityUnit.PREMISES, (5, 6, 6, 5)),
    ("NEW-SVC", "New service", "CENTRAL", CapacityUnit.PREMISES, (4, 6, 6, 4)),
    ("GAS-SVC", "Gas service", "CENTRAL", CapacityUnit.ACTIVITIES, (4, 5, 5, 4)),
)

ALTERNATES = {
    "METER-N": ("METER-S",),
    "METER-S": ("METER-N",),
    "NEW-SVC": ("METER-S", "METER-N"),
    "GAS-SVC": ("NEW-SVC",),
}

METER_WORK = ("METER-EXCH", "METER-INSTALL", "INVESTIGATE", "READ-CHECK")

#: (dispatch group, activity type, operations area): the most specific matching rule wins.
RULES = (
    ("GAS-SVC", "GAS-LIGHT", None),
    ("NEW-SVC", "CONNECT", None),
    ("NEW-SVC", "DISCONNECT", None),
    *(("METER-S", code, None) for code in METER_WORK),
    *(("METER-N", code, "NORTH") for code in METER_WORK),
)

#: The crew day (AP-T01): 08:00–17:00 with lunch 12:00–13:00, in two-hour bands.
DAY = (dt.time(8), dt.time(17), 2, ((dt.time(12), dt.time(13)),))
WEEKS_BEFORE, WEEKS_AFTER = 3, 7
#: Demo field activity numbers are `from_sequence(ACTIVITY_NUMBER_BASE + n)` (the bulk load's
#: tables use the ranges below 7 * 10**8, see `app.demo.builder.NUMBER_BASE`).
ACTIVITY_NUMBER_BASE = 8 * 10**8


@dataclass
class DemoAppointments:
    """What the demo appointments added."""

    periods: int = 0
    activities: int = 0
    appointments: int = 0
    completed: int = 0
    credits: int = 0
    full_periods: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Premise:
    number: str
    id: int
    postal_code: str
    #: Its service points with active service: (service point id, agreement id) by service.
    points: dict[ServiceType, tuple[int, int]]


def _set_up(db: Database) -> None:
    for code, description, prefixes in AREAS:
        dispatch_groups.create_operations_area(db, SYSTEM, code, description, prefixes)
    for code, description, area, unit, _maxima in GROUPS:
        dispatch_groups.create_dispatch_group(db, SYSTEM, code, description, area,
                                              capacity_unit=unit)
    for code, alternates in ALTERNATES.items():
        dispatch_groups.set_alternates(db, SYSTEM, code, alternates)
    for group, type_code, served in RULES:
        dispatch_groups.add_dispatch_rule(db, SYSTEM, group, type_code=type_code,
                                          operations_area=served)


def _add_periods(db: Database, first: dt.date, last: dt.date) -> int:
    """Every weekday's bands for every group, in one executemany."""
    start, end, hours, breaks = DAY
    rows = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            for code, _d, _a, _u, maxima in GROUPS:
                for (at, until, _m), most in zip(bands(day, start, end, hours, 0, breaks),
                                                 maxima, strict=True):
                    rows.append({"dispatch_group_code": code, "start_at": at, "end_at": until,
                                 "max_appointments": most, "created_by_external": False,
                                 "version": 1, "updated_by": "demo"})
        day += dt.timedelta(days=1)
    with db.engine.begin() as conn:
        conn.execute(insert(AppointmentPeriod), rows)
    return len(rows)


def _periods(db: Database) -> dict[str, list[tuple[int, dt.datetime, dt.datetime]]]:
    with read_only(db) as session:
        found: dict[str, list[tuple[int, dt.datetime, dt.datetime]]] = {}
        for pid, group, start, end in session.execute(
                select(AppointmentPeriod.id, AppointmentPeriod.dispatch_group_code,
                       AppointmentPeriod.start_at, AppointmentPeriod.end_at)
                .order_by(AppointmentPeriod.start_at, AppointmentPeriod.id)):
            found.setdefault(group, []).append((pid, start, end))
        return found


def _premises(db: Database, account: str | None, *, mine: bool) -> list[_Premise]:
    """Premises with active service, by id: the account's own (`mine`), else those of the
    first few hundred premises that are not the account's."""
    where = ("a.number = :account" if mine else
             "p.id IN (SELECT p2.id FROM premise p2 ORDER BY p2.id LIMIT 400) AND NOT EXISTS "
             "(SELECT 1 FROM service_point sp2 "
             "JOIN sa_service_point l2 ON l2.service_point_id = sp2.id "
             "JOIN service_agreement sa2 ON sa2.id = l2.service_agreement_id "
             "JOIN account a2 ON a2.id = sa2.account_id "
             "WHERE sp2.premise_id = p.id AND a2.number = :account)")
    sql = text(
        "SELECT p.number, p.id, p.postal_code, sp.service_type, sp.id, sa.id FROM premise p "
        "JOIN service_point sp ON sp.premise_id = p.id "
        "JOIN sa_service_point link ON link.service_point_id = sp.id "
        "JOIN service_agreement sa ON sa.id = link.service_agreement_id "
        "JOIN account a ON a.id = sa.account_id "
        f"WHERE sa.status = 'ACTIVE' AND {where} ORDER BY p.id, sp.id")
    found: dict[str, _Premise] = {}
    with db.engine.connect() as conn:
        for number, pid, postal, service, point, agreement in conn.execute(
                sql, {"account": account or ""}):
            entry = found.setdefault(str(number), _Premise(str(number), pid, str(postal), {}))
            entry.points.setdefault(ServiceType(service), (point, agreement))
    return list(found.values())


class _Booker:
    """Creates activities and books them, counting what it made; a step the data cannot take
    (a premise without gas, a period filled already) is skipped."""

    def __init__(self, db: Database, now: dt.datetime,
                 periods: dict[str, list[tuple[int, dt.datetime, dt.datetime]]],
                 made: DemoAppointments) -> None:
        self.db, self.now, self.periods, self.made = db, now, periods, made

    def activity(self, premise: _Premise, type_code: str, on: dt.date,
                 service: ServiceType | None = ServiceType.ELECTRIC) -> tuple[str, str] | None:
        """(number, dispatch group) of a new pending activity on the premise's service point
        of `service` (None: at the premise), its group given by the dispatch rules. Its
        number comes from a sequence, so the same demo makes the same numbers (they appear
        in the missed-appointment credit's reason)."""
        point = premise.points.get(service) if service is not None else None
        if service is not None and point is None:
            return None
        with transaction(self.db, SYSTEM) as session:
            self.made.activities += 1
            number = from_sequence(ACTIVITY_NUMBER_BASE + self.made.activities)
            group = field_activities.dispatch_group_for(
                session, type_code, service,
                field_activities.operations_area_of(session, premise.postal_code))
            session.add(FieldActivity(
                number=number, premise_id=premise.id, field_activity_type_code=type_code,
                service_point_id=point[0] if point else None,
                service_agreement_id=point[1] if point else None,
                status=FieldActivityStatus.PENDING, scheduled_on=on, dispatch_group_code=group))
        return (number, group) if group else None

    def slots(self, group: str, after: dt.datetime, before: dt.datetime, step: int,
              band: int | None = None) -> Iterator[tuple[int, dt.datetime, dt.datetime]]:
        """The group's periods starting in [after, before), every `step`-th (of one band)."""
        chosen = [p for p in self.periods.get(group, ())
                  if after <= p[1] < before and (band is None or p[1].hour == band)]
        yield from chosen[::step]

    def book(self, premise: _Premise, numbers: list[str], period: int) -> bool:
        try:
            appointments.book(self.db, SYSTEM, premise.number, numbers, period, now=self.now)
        except DomainError:
            return False
        self.made.appointments += 1
        return True

    def complete(self, number: str, arrived_at: dt.datetime) -> None:
        done = field_activities.complete_activity(self.db, SYSTEM, number, arrived_at,
                                                  now=arrived_at)
        self.made.completed += 1
        self.made.credits += done.credit is not None


#: Past work per premise, in turn: (activity type, service point).
PAST_WORK = (("METER-EXCH", ServiceType.ELECTRIC), ("GAS-LIGHT", ServiceType.GAS),
             ("INVESTIGATE", ServiceType.ELECTRIC), ("CONNECT", ServiceType.ELECTRIC))
UPCOMING_WORK = (("METER-INSTALL", ServiceType.ELECTRIC), ("CONNECT", ServiceType.ELECTRIC),
                 ("GAS-LIGHT", ServiceType.GAS), ("METER-EXCH", ServiceType.ELECTRIC))


def _past(booker: _Booker, premises: list[_Premise], first: dt.datetime,
          as_of: dt.datetime) -> None:
    """Appointments before `as_of`: done on time, except one missed (credited) and one the
    crew never came to."""
    booked: list[tuple[str, dt.datetime, dt.datetime]] = []
    for n, premise in enumerate(premises):
        type_code, service = PAST_WORK[n % len(PAST_WORK)]
        made = booker.activity(premise, type_code, first.date(), service)
        if made is None:
            continue
        number, group = made
        slots = list(booker.slots(group, first, as_of, 5))
        if not slots:
            continue
        period, start, end = slots[(n * 3) % len(slots)]
        if booker.book(premise, [number], period):
            booked.append((number, start, end))
    for n, (number, start, end) in enumerate(booked):
        if n == 1:
            booker.complete(number, end + dt.timedelta(minutes=95))     # missed: a credit
        elif n != 2:                                                    # n == 2: never done
            booker.complete(number, start + dt.timedelta(minutes=25 + 10 * (n % 6)))


def _upcoming(booker: _Booker, premises: list[_Premise], as_of: dt.datetime,
              last: dt.datetime) -> None:
    """Appointments after `as_of` (the first premise's two meter jobs share one visit), and a
    disconnection not booked yet."""
    for n, premise in enumerate(premises):
        type_code, service = UPCOMING_WORK[n % len(UPCOMING_WORK)]
        made = booker.activity(premise, type_code, as_of.date(), service)
        if made is None:
            continue
        numbers, group = [made[0]], made[1]
        if n == 0:
            second = booker.activity(premise, "INVESTIGATE", as_of.date())
            if second is not None:
                numbers.append(second[0])
        slots = list(booker.slots(group, as_of + dt.timedelta(days=2), last, 3))
        if slots:
            booker.book(premise, numbers, slots[(n * 5) % len(slots)][0])
    if premises:
        booker.activity(premises[-1], "DISCONNECT", as_of.date() + dt.timedelta(days=10))


def _full(booker: _Booker, premises: list[_Premise], as_of: dt.datetime) -> None:
    """Two of New service's morning periods booked to their maximum."""
    targets = list(booker.slots("NEW-SVC", as_of + dt.timedelta(days=7),
                                as_of + dt.timedelta(days=21), 4, band=8))[:2]
    queue = iter(premises)
    for period, start, _end in targets:
        filled = 0
        for premise in queue:
            made = booker.activity(premise, "CONNECT", start.date())
            if made is not None and booker.book(premise, [made[0]], period):
                filled += 1
            if filled == GROUPS[2][4][0]:
                booker.made.full_periods.append(period)
                break


#: How many appointments each New service period of the demo week gets, in turn (a
#: dispatcher's week: some periods full, some quiet).
WEEK_FILL = (3, 6, 2, 4, 5, 1, 4, 6, 3, 2, 6, 4, 0, 3, 5, 2, 4, 1, 5, 3)


def _busy_week(booker: _Booker, premises: list[_Premise], as_of: dt.datetime) -> None:
    """The week after `as_of` as a dispatcher sees it: New service's periods booked to between
    nothing and their maximum with service turn-ons across the demo's premises."""
    if not premises:
        return
    monday = as_of + dt.timedelta(days=7 - as_of.weekday())
    queue = itertools.cycle(premises)
    slots = booker.slots("NEW-SVC", monday, monday + dt.timedelta(days=7), 1)
    for n, (period, start, _end) in enumerate(slots):
        for _ in range(WEEK_FILL[n % len(WEEK_FILL)]):
            premise = next(queue)
            made = booker.activity(premise, "CONNECT", start.date())
            if made is not None:
                booker.book(premise, [made[0]], period)


def _showcase(booker: _Booker, account: str | None, as_of: dt.datetime) -> None:
    """The showcase account: a completed visit last month, a meter exchange booked for next
    month and a gas relight (or investigation) still waiting for an appointment."""
    premises = _premises(booker.db, account, mine=True) if account else []
    if not premises:
        return
    premise = premises[0]
    past = booker.activity(premise, "INVESTIGATE", as_of.date() - dt.timedelta(days=14))
    if past is not None:
        slots = list(booker.slots(past[1], as_of - dt.timedelta(days=14), as_of, 1, band=10))
        if slots and booker.book(premise, [past[0]], slots[0][0]):
            booker.complete(past[0], slots[0][1] + dt.timedelta(minutes=50))
    soon = as_of + dt.timedelta(days=32)
    upcoming = booker.activity(premise, "METER-EXCH", soon.date())
    if upcoming is not None:
        slots = list(booker.slots(upcoming[1], soon, soon + dt.timedelta(days=14), 1, band=10))
        if slots:
            booker.book(premise, [upcoming[0]], slots[0][0])
    waiting = soon.date() + dt.timedelta(days=3)
    if booker.activity(premise, "GAS-LIGHT", waiting, ServiceType.GAS) is None:
        booker.activity(premise, "INVESTIGATE", waiting)


def add_demo_appointments(db: Database, as_of: dt.date) -> DemoAppointments:
    """Set up field dispatch and book the demo's appointments (nothing when the database has
    operations areas already)."""
    made = DemoAppointments()
    with read_only(db) as session:
        if session.scalar(select(OperationsArea.code).limit(1)) is not None:
            return made
    _set_up(db)
    first = as_of - dt.timedelta(weeks=WEEKS_BEFORE)
    last = as_of + dt.timedelta(weeks=WEEKS_AFTER)
    made.periods = _add_periods(db, first, last)
    start = dt.datetime.combine(first, dt.time())
    booker = _Booker(db, start - dt.timedelta(hours=1), _periods(db), made)
    account = showcase_account(db)
    others = _premises(db, account, mine=False)
    at = dt.datetime.combine(as_of, dt.time())
    _past(booker, others[:24], start, at)
    _upcoming(booker, others[24:40], at, dt.datetime.combine(last, dt.time()))
    _full(booker, others[40:60], at)
    _busy_week(booker, others[60:] or others, at)
    _showcase(booker, account, at)
    return made


__all__ = ["AREAS", "GROUPS", "DemoAppointments", "add_demo_appointments"]
