"""The dispatcher's week and the crew's day sheet (spec/50 P-AP2 calendar view), on a small
utility built through the real services: one dispatch group with a week of periods, three
households (two with an active electric agreement), bookings made with a frozen clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from app.db import Database
from app.models import AppointmentPeriod
from app.models.enums import FieldActivityStatus, ServiceType, UserRole
from app.services import appointments, dispatch_groups, field_activities
from app.services import service_agreements as sas
from app.services.appointment_week import (
    busiest_week,
    day_sheet,
    dispatch_group_choices,
    week_start,
    week_view,
)
from app.services.context import Actor
from app.services.errors import NotFound
from app.services.field_activities import FieldActivityForm
from app.services.service_agreements import ServiceAgreementForm
from tests.conftest import CSR, SUPERVISOR
from tests.services.builders import START, household

DISPATCHER = Actor("disp1", "Dana Ortiz", frozenset({UserRole.DISPATCHER}))
GROUP = "METER-N"
MONDAY = dt.date(2025, 3, 3)
#: The business clock of the bookings: the Saturday before the week.
BOOKED_AT = dt.datetime(2025, 3, 1, 8, 0)
#: Bands of each weekday: (start hour, end hour, maximum appointments).
BANDS = ((8, 10, 2), (10, 12, 2), (13, 17, 3))


@dataclass
class Week:
    premises: tuple[str, str, str]
    #: (day, start hour) -> period id
    periods: dict[tuple[dt.date, int], int]
    activities: dict[str, str]


def _add_periods(db: Database, group: str, first: dt.date, days: int) -> dict[tuple[dt.date, int], int]:
    ids: dict[tuple[dt.date, int], int] = {}
    with db.sessions() as session:
        for n in range(days):
            day = first + dt.timedelta(days=n)
            if day.weekday() >= 5:
                continue
            for start, end, most in BANDS:
                period = AppointmentPeriod(
                    dispatch_group_code=group,
                    start_at=dt.datetime.combine(day, dt.time(start)),
                    end_at=dt.datetime.combine(day, dt.time(end)), max_appointments=most)
                session.add(period)
                session.flush()
                ids[(day, start)] = period.id
        session.commit()
    return ids


def build_week(db: Database) -> Week:
    """METER-N with Mon–Fri periods 08–10 (max 2), 10–12 (max 2), 13–17 (max 3) in the week of
    3 Mar 2025 and the week before; WFM-X (an external group); bookings:

    * Mon 08–10: Okafor (meter exchange + high-bill investigation), Okonkwo (turn off) —
      full, 2 / 2
    * Tue 13–17: Lindqvist (turn on, with instructions; no agreement, so no customer)
    * the week before, Wed 10–12: Okafor (turn on) — history outside the week
    """
    dispatch_groups.create_operations_area(db, SUPERVISOR, "SPRING", "Springfield", ("627",))
    dispatch_groups.create_dispatch_group(db, SUPERVISOR, GROUP, "Meter crew north", "SPRING")
    dispatch_groups.create_dispatch_group(db, SUPERVISOR, "WFM-X", "Contractor crews", "SPRING",
                                          external_system="WFM")
    dispatch_groups.add_dispatch_rule(db, SUPERVISOR, GROUP)
    homes = [household(db, "Okafor", "Ngozi", "12 Elm St"),
             household(db, "Okonkwo", "Chidi", "3 Oak Ave"),
             household(db, "Lindqvist", "Maja", "77 Birch Rd")]
    for home in homes[:2]:
        sa = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
            home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), START, "E-RES-1"))
        sas.activate(db, CSR, sa.number, sa.version)
    periods = _add_periods(db, GROUP, MONDAY - dt.timedelta(days=7), 14)

    def activity(home: int, type_code: str, instructions: str | None = None) -> str:
        return field_activities.create_field_activity(db, DISPATCHER, FieldActivityForm(
            homes[home].premise, type_code, MONDAY, homes[home].electric_sp,
            instructions=instructions))

    made = {
        "exchange": activity(0, "METER-EXCH"), "check": activity(0, "INVESTIGATE"),
        "investigate": activity(1, "DISCONNECT"),
        "connect": activity(2, "CONNECT", "Dog in the yard; key under the mat."),
        "hanger": activity(0, "CONNECT"),
    }
    book = appointments.book
    book(db, DISPATCHER, homes[0].premise, [made["exchange"], made["check"]],
         periods[(MONDAY, 8)], now=BOOKED_AT)
    book(db, DISPATCHER, homes[1].premise, [made["investigate"]], periods[(MONDAY, 8)],
         now=BOOKED_AT)
    book(db, DISPATCHER, homes[2].premise, [made["connect"]],
         periods[(MONDAY + dt.timedelta(days=1), 13)], now=BOOKED_AT)
    book(db, DISPATCHER, homes[0].premise, [made["hanger"]],
         periods[(MONDAY - dt.timedelta(days=5), 10)], now=BOOKED_AT - dt.timedelta(days=7))
    return Week((homes[0].premise, homes[1].premise, homes[2].premise), periods, made)


def test_week_shows_each_days_periods_with_booked_over_max(db: Database) -> None:
    week = build_week(db)
    view = week_view(db, GROUP, MONDAY, now=BOOKED_AT)
    assert view.description == "Meter crew north" and view.external_system is None
    assert [d.day for d in view.days] == [MONDAY + dt.timedelta(days=n) for n in range(7)]
    assert view.last_day == dt.date(2025, 3, 9)
    monday, tuesday = view.days[0], view.days[1]
    assert [(p.label[-11:], p.booked, p.max_appointments) for p in monday.periods] == [
        ("08:00–10:00", 2, 2), ("10:00–12:00", 0, 2), ("13:00–17:00", 0, 3)]
    assert monday.periods[0].remaining == 0                      # full
    assert [p.booked for p in tuesday.periods] == [0, 0, 1]
    assert (monday.booked, monday.capacity) == (2, 7)
    assert view.days[5].periods == () and view.days[6].periods == ()   # the weekend
    assert view.period(week.periods[(MONDAY, 8)]) == monday.periods[0]


def test_a_days_appointments_name_premise_customer_phone_and_activities(db: Database) -> None:
    week = build_week(db)
    view = week_view(db, GROUP, MONDAY, now=BOOKED_AT)
    monday = view.days[0]
    assert [(a.time_band, a.premise_number, a.address) for a in monday.appointments] == [
        ("08:00–10:00", week.premises[0], "12 Elm St, Springfield, 62701"),
        ("08:00–10:00", week.premises[1], "3 Oak Ave, Springfield, 62701")]
    okafor, okonkwo = monday.appointments
    assert (okafor.customer, okafor.phone) == ("Okafor, Ngozi", "+15555550101")
    assert okonkwo.customer == "Okonkwo, Chidi"
    assert [(a.number, a.type_code, a.status) for a in okafor.activities] == [
        (week.activities["exchange"], "METER-EXCH", FieldActivityStatus.PENDING),
        (week.activities["check"], "INVESTIGATE", FieldActivityStatus.PENDING)]
    assert okafor.status_text == "Pending" and not okafor.missed
    assert monday.of_period(week.periods[(MONDAY, 8)]) == monday.appointments
    lindqvist = view.days[1].appointments[0]
    assert lindqvist.customer is None and lindqvist.phone is None     # no agreement
    assert lindqvist.activities[0].instructions == "Dog in the yard; key under the mat."


def test_an_appointment_whose_period_ended_with_work_pending_is_missed(db: Database) -> None:
    week = build_week(db)
    noon = dt.datetime(2025, 3, 3, 12, 0)
    done = field_activities.complete_activity(db, DISPATCHER, week.activities["investigate"],
                                              dt.datetime(2025, 3, 3, 9, 30))
    assert done.credit is None
    monday = week_view(db, GROUP, MONDAY, now=noon).days[0]
    okafor, okonkwo = monday.appointments
    assert okafor.missed and okafor.status_text == "Missed"
    assert not okonkwo.missed and okonkwo.status_text == "Complete"
    assert monday.periods[0].booked == 2                 # completed work still counts
    tuesday = week_view(db, GROUP, MONDAY, now=noon).days[1]
    assert not tuesday.appointments[0].missed            # its period is still to come


def test_canceled_appointments_and_other_weeks_are_not_shown(db: Database) -> None:
    week = build_week(db)
    appointments.cancel_appointment(db, DISPATCHER, week.premises[1],
                                    [week.activities["investigate"]])
    monday = week_view(db, GROUP, MONDAY, now=BOOKED_AT).days[0]
    assert [a.premise_number for a in monday.appointments] == [week.premises[0]]
    assert monday.periods[0].booked == 1
    before = week_view(db, GROUP, MONDAY - dt.timedelta(days=7), now=BOOKED_AT)
    assert [(d.day, a.premise_number, a.activities[0].type_code)
            for d in before.days for a in d.appointments] == [
        (dt.date(2025, 2, 26), week.premises[0], "CONNECT")]


def test_day_sheet_is_one_day_with_instructions(db: Database) -> None:
    week = build_week(db)
    sheet = day_sheet(db, GROUP, MONDAY + dt.timedelta(days=1), now=BOOKED_AT)
    assert (sheet.dispatch_group, sheet.day.day) == (GROUP, dt.date(2025, 3, 4))
    assert len(sheet.day.periods) == 3
    [connect] = sheet.day.appointments
    assert connect.premise_number == week.premises[2]
    assert connect.activities[0].service_point is not None
    assert connect.activities[0].text == \
        f"{week.activities['connect']} Turn on service (Pending)"


def test_unknown_group_and_choices(db: Database) -> None:
    build_week(db)
    with pytest.raises(NotFound) as caught:
        week_view(db, "NOPE", MONDAY)
    assert caught.value.field == "dispatch_group"
    assert [(g.code, g.external_system) for g in dispatch_group_choices(db)] == [
        (GROUP, None), ("WFM-X", "WFM")]


def test_busiest_week_is_the_week_with_most_bookings(db: Database) -> None:
    assert busiest_week(db) is None
    build_week(db)
    assert busiest_week(db) == (GROUP, MONDAY)
    assert week_start(dt.date(2025, 3, 9)) == MONDAY
