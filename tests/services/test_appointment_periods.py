"""Appointment period maintenance (spec/50 §1.5, P-AP2): one period (AP-T07, times locked
while booked, max below booked), Copy / Update Max / mass delete / overwrite (AP-T08 …
AP-T13), the default grid window (AP-T14), external groups (AP-R14) and work calendars — on
SQLite and PostgreSQL. Periods are booked through the real booking service with a frozen
business clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.engine.appointments import CopyMethod
from app.models import AppointmentPeriod
from app.models.enums import UserRole
from app.services import appointment_periods as ap
from app.services import dispatch_groups, field_activities
from app.services.appointment_periods import (
    CopyRequest,
    OverwriteNeedsConfirmation,
    PeriodInUse,
)
from app.services.appointments import book, period_slots
from app.services.audit import history
from app.services.context import Actor
from app.services.errors import ConcurrentChange, PermissionDenied, ValidationError
from app.services.field_activities import FieldActivityForm
from tests.conftest import CSR, SUPERVISOR
from tests.services.builders import household

DISPATCHER = Actor("disp1", "Dana Ortiz", frozenset({UserRole.DISPATCHER}))
#: The business clock of the bookings: long before the periods.
BOOKED_AT = dt.datetime(2003, 1, 10, 8, 0)
W = dt.date(2003, 12, 8)  # Monday of the template week
JAN_1, JAN_31 = dt.date(2004, 1, 1), dt.date(2004, 1, 31)
BANDS = ((8, 10), (10, 12), (13, 15), (15, 17))


@dataclass
class Setup:
    premise: str
    second_premise: str


def _groups(db: Database) -> None:
    dispatch_groups.create_operations_area(db, SUPERVISOR, "SPRING", "Springfield", ("627",))
    for code in ("SRC", "NEW-SVC"):
        dispatch_groups.create_dispatch_group(db, SUPERVISOR, code, f"{code} crew", "SPRING")
    dispatch_groups.create_dispatch_group(db, SUPERVISOR, "WFM-X", "Contractor crews", "SPRING",
                                          external_system="WFM")
    dispatch_groups.add_dispatch_rule(db, SUPERVISOR, "NEW-SVC")


@pytest.fixture
def utility(db: Database) -> Setup:
    _groups(db)
    one, two = household(db), household(db, "Lindqvist", "Maja", "77 Birch Rd")
    return Setup(one.premise, two.premise)


def _day(db: Database, group: str, day: dt.date, bands=BANDS, most: int = 3) -> list[int]:
    return [ap.add_period(db, DISPATCHER, group, dt.datetime.combine(day, dt.time(a)),
                          dt.datetime.combine(day, dt.time(b)), most) for a, b in bands]


def _template_week(db: Database) -> None:
    """AP-T08's source: Mon–Fri of the week of W each 08–10, 10–12, 13–15, 15–17 max 3."""
    for n in range(5):
        _day(db, "SRC", W + dt.timedelta(days=n))


def _book(db: Database, premise: str, period_id: int, on: dt.date) -> str:
    number = field_activities.create_field_activity(
        db, DISPATCHER, FieldActivityForm(premise, "CONNECT", on))
    book(db, DISPATCHER, premise, [number], period_id, now=BOOKED_AT)
    return number


def _count(db: Database, group: str) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(AppointmentPeriod)
                              .where(AppointmentPeriod.dispatch_group_code == group)) or 0


def _all(db: Database, group: str) -> list[tuple[dt.datetime, dt.datetime, int]]:
    with db.sessions() as session:
        return [(p.start_at, p.end_at, p.max_appointments) for p in session.scalars(
            select(AppointmentPeriod).where(AppointmentPeriod.dispatch_group_code == group)
            .order_by(AppointmentPeriod.start_at))]


def week_request(**changes: object) -> CopyRequest:
    values: dict[object, object] = dict(source_group="SRC", target_group="NEW-SVC", first=JAN_1,
                                        last=JAN_31, method=CopyMethod.TEMPLATE_WEEK, template=W)
    values.update(changes)
    return CopyRequest(**values)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- one period


def test_ap_t07_a_booked_period_cannot_be_deleted(db: Database, utility: Setup) -> None:
    day = dt.date(2003, 1, 15)
    booked, free = _day(db, "NEW-SVC", day, ((13, 17), (8, 12)))
    activity = _book(db, utility.premise, booked, day)
    slot = next(s for s in period_slots(db, "NEW-SVC", day, day) if s.period_id == booked)
    with pytest.raises(PeriodInUse) as refused:
        ap.delete_period(db, DISPATCHER, booked, slot.version)
    assert "1 field activity is linked" in refused.value.message
    assert activity in refused.value.message and utility.premise in refused.value.message
    assert refused.value.linked[0].activities == (activity,)
    ap.delete_period(db, DISPATCHER, free, 1)
    assert [s.period_id for s in period_slots(db, "NEW-SVC", day, day)] == [booked]
    assert history(db, "AppointmentPeriod", free)[0].new_value == "deleted"


def test_times_locked_while_booked_but_max_changes_with_a_warning(db: Database,
                                                                  utility: Setup) -> None:
    day = dt.date(2003, 1, 15)
    (period,) = _day(db, "NEW-SVC", day, ((13, 17),), most=2)
    _book(db, utility.premise, period, day)
    _book(db, utility.second_premise, period, day)
    with pytest.raises(ValidationError) as refused:
        ap.update_period(db, DISPATCHER, period, 1, start=dt.datetime(2003, 1, 15, 12))
    assert refused.value.field == "start"
    assert "cannot change while 2 field activities are linked" in refused.value.message
    change = ap.update_period(db, DISPATCHER, period, 1, max_appointments=1)
    assert (change.period.max_appointments, change.period.booked) == (1, 2)
    assert change.warning is not None and "2 appointments are booked" in change.warning
    assert change.period.version == 2
    with pytest.raises(ConcurrentChange):
        ap.update_period(db, DISPATCHER, period, 1, max_appointments=4)


def test_unbooked_period_times_change_and_clashes_are_refused(db: Database,
                                                              utility: Setup) -> None:
    day = dt.date(2003, 1, 15)
    first, second = _day(db, "NEW-SVC", day, ((8, 10), (10, 12)))
    change = ap.update_period(db, DISPATCHER, first, 1, start=dt.datetime(2003, 1, 15, 7),
                              max_appointments=5)
    assert (change.period.start.hour, change.period.end.hour, change.warning) == (7, 10, None)
    with pytest.raises(ValidationError, match="already has the period"):
        ap.update_period(db, DISPATCHER, second, 1, start=dt.datetime(2003, 1, 15, 7),
                         end=dt.datetime(2003, 1, 15, 10))
    with pytest.raises(ValidationError, match="end after it starts") as bad:
        ap.add_period(db, DISPATCHER, "NEW-SVC", dt.datetime(2003, 1, 16, 10),
                      dt.datetime(2003, 1, 16, 9), 3)
    assert bad.value.field == "end"


def test_only_dispatchers_and_supervisors_maintain_periods(db: Database, utility: Setup) -> None:
    with pytest.raises(PermissionDenied):
        ap.add_period(db, CSR, "NEW-SVC", dt.datetime(2003, 1, 15, 8),
                      dt.datetime(2003, 1, 15, 10), 3)
    assert ap.add_period(db, SUPERVISOR, "NEW-SVC", dt.datetime(2003, 1, 15, 8),
                         dt.datetime(2003, 1, 15, 10), 3) > 0


def test_ap_t01_bands_on_weekdays(db: Database, utility: Setup) -> None:
    made = ap.add_bands(db, DISPATCHER, "NEW-SVC", dt.date(2003, 1, 13), dt.date(2003, 1, 19),
                        dt.time(8), dt.time(17), 2, 3, [(dt.time(12), dt.time(13))],
                        weekdays=range(5))
    assert made == 20
    monday = [(s.hour, e.hour) for s, e, _m in _all(db, "NEW-SVC")[:4]]
    assert monday == [(8, 10), (10, 12), (13, 15), (15, 17)]
    again = ap.add_bands(db, DISPATCHER, "NEW-SVC", dt.date(2003, 1, 13), dt.date(2003, 1, 13),
                         dt.time(8), dt.time(17), 2, 3, [(dt.time(12), dt.time(13))])
    assert again == 0


# ----------------------------------------------------------------------------- copy / update


def test_ap_t08_copy_by_template_week(db: Database, utility: Setup) -> None:
    _template_week(db)
    shown = ap.preview(db, week_request())
    assert (shown.first_weekday, shown.last_weekday, shown.total_days) == (
        "Thursday", "Saturday", 31)
    assert (shown.template_weekday, shown.template_count) == ("Monday", 4)
    assert (shown.template_last, shown.template_last_weekday, shown.template_last_count) == (
        dt.date(2003, 12, 14), "Sunday", 0)
    assert (shown.planned, shown.existing, shown.holidays, shown.blocking) == (88, 0, 0, ())
    result = ap.copy_periods(db, DISPATCHER, week_request(), confirmed_overwrite=False)
    assert (result.created, result.deleted) == (88, 0)
    made = _all(db, "NEW-SVC")
    assert len(made) == 88 and {m for _s, _e, m in made} == {3}
    assert all(s.weekday() < 5 for s, _e, _m in made)
    assert _count(db, "SRC") == 20


def test_ap_t09_holidays_use_the_holiday_template(db: Database, utility: Setup) -> None:
    _template_week(db)
    _day(db, "SRC", dt.date(2003, 12, 24), ((8, 10), (10, 12)), most=2)
    ap.create_calendar(db, DISPATCHER, "us-il", "Illinois public holidays")
    assert ap.add_holidays(db, DISPATCHER, "US-IL", [
        (dt.date(2004, 1, 1), "New Year's Day"), (dt.date(2004, 1, 19), "MLK Day")]) == 2
    request = week_request(calendar="US-IL", holiday_template=dt.date(2003, 12, 24))
    shown = ap.preview(db, request)
    assert (shown.holidays, shown.holiday_template_weekday, shown.holiday_template_count,
            shown.planned) == (2, "Wednesday", 2, 84)
    assert ap.copy_periods(db, DISPATCHER, request, False).created == 84
    assert len(_all(db, "NEW-SVC")) == 20 * 4 + 2 * 2
    new_year = [(s.hour, m) for s, _e, m in _all(db, "NEW-SVC") if s.date() == JAN_1]
    assert new_year == [(8, 2), (10, 2)]


def test_ap_t10_copy_the_same_day_repeatedly(db: Database, utility: Setup) -> None:
    _day(db, "SRC", W)
    request = week_request(method=CopyMethod.SAME_DAY)
    shown = ap.preview(db, request)
    assert (shown.template_weekday, shown.template_count, shown.template_last) == (
        "Monday", 4, None)
    assert ap.copy_periods(db, DISPATCHER, request, False).created == 124
    assert _count(db, "NEW-SVC") == 124


def test_ap_t11_overwrite_needs_confirmation(db: Database, utility: Setup) -> None:
    _day(db, "SRC", W, most=5)
    for n in range(5):
        _day(db, "NEW-SVC", dt.date(2004, 1, 5) + dt.timedelta(days=n))
    request = week_request(method=CopyMethod.SAME_DAY, first=dt.date(2004, 1, 5),
                           last=dt.date(2004, 1, 9))
    assert ap.preview(db, request).existing == 20
    with pytest.raises(OverwriteNeedsConfirmation) as asked:
        ap.copy_periods(db, DISPATCHER, request, confirmed_overwrite=False)
    assert asked.value.count == 20
    assert {m for _s, _e, m in _all(db, "NEW-SVC")} == {3}
    result = ap.copy_periods(db, DISPATCHER, request, confirmed_overwrite=True)
    assert (result.deleted, result.created) == (20, 20)
    assert {m for _s, _e, m in _all(db, "NEW-SVC")} == {5}
    assert len(_all(db, "NEW-SVC")) == 20


def test_ap_t11_a_booked_target_rejects_the_whole_copy(db: Database, utility: Setup) -> None:
    _day(db, "SRC", W, most=5)
    ids = []
    for n in range(5):
        ids += _day(db, "NEW-SVC", dt.date(2004, 1, 5) + dt.timedelta(days=n))
    activity = _book(db, utility.premise, ids[6], dt.date(2004, 1, 6))
    request = week_request(method=CopyMethod.SAME_DAY, first=dt.date(2004, 1, 5),
                           last=dt.date(2004, 1, 9))
    shown = ap.preview(db, request)
    assert [b.period_id for b in shown.blocking] == [ids[6]]
    before = _all(db, "NEW-SVC")
    with pytest.raises(PeriodInUse) as refused:
        ap.copy_periods(db, DISPATCHER, request, confirmed_overwrite=True)
    assert "Tue 06 Jan 2004 13:00–15:00" in refused.value.message
    assert activity in refused.value.message
    assert _all(db, "NEW-SVC") == before


def test_ap_t12_mass_delete_from_an_empty_template_day(db: Database, utility: Setup) -> None:
    for n in range(5):
        _day(db, "NEW-SVC", dt.date(2004, 1, 5) + dt.timedelta(days=n))
    _day(db, "NEW-SVC", dt.date(2004, 1, 12))
    request = week_request(source_group="NEW-SVC", method=CopyMethod.SAME_DAY,
                           template=dt.date(2004, 1, 4), first=dt.date(2004, 1, 5),
                           last=dt.date(2004, 1, 9))
    shown = ap.preview(db, request)
    assert (shown.template_count, shown.existing, shown.planned) == (0, 20, 0)
    result = ap.copy_periods(db, DISPATCHER, request, confirmed_overwrite=True)
    assert (result.deleted, result.created) == (20, 0)
    assert [s.date() for s, _e, _m in _all(db, "NEW-SVC")] == [dt.date(2004, 1, 12)] * 4


def test_copy_onto_its_own_source_reads_the_template_first(db: Database,
                                                           utility: Setup) -> None:
    _day(db, "NEW-SVC", dt.date(2004, 1, 5), most=7)
    request = week_request(source_group="NEW-SVC", method=CopyMethod.SAME_DAY,
                           template=dt.date(2004, 1, 5), first=dt.date(2004, 1, 5),
                           last=dt.date(2004, 1, 7))
    assert ap.copy_periods(db, DISPATCHER, request, True).created == 12
    assert {m for _s, _e, m in _all(db, "NEW-SVC")} == {7}


def test_ap_t13_update_max_never_creates_or_deletes(db: Database, utility: Setup) -> None:
    mondays = [dt.date(2004, 1, 5) + dt.timedelta(weeks=n) for n in range(4)]
    for monday in mondays:
        _day(db, "NEW-SVC", monday)
    _day(db, "SRC", W, ((8, 10), (10, 12)), most=5)
    _day(db, "SRC", W, ((13, 15),), most=2)
    request = week_request(method=CopyMethod.SAME_DAY)
    assert ap.preview(db, request, "update_max").planned == 12
    result = ap.update_max(db, DISPATCHER, request)
    assert (result.updated, result.created, result.deleted) == (12, 0, 0)
    after = _all(db, "NEW-SVC")
    assert len(after) == 16
    assert [m for _s, _e, m in after] == [5, 5, 2, 3] * 4


def test_update_max_below_booked_says_so(db: Database, utility: Setup) -> None:
    day = dt.date(2004, 1, 5)
    (period,) = _day(db, "NEW-SVC", day, ((8, 10),))
    _book(db, utility.premise, period, day)
    _book(db, utility.second_premise, period, day)
    _day(db, "SRC", W, ((8, 10),), most=1)
    result = ap.update_max(db, DISPATCHER, week_request(method=CopyMethod.SAME_DAY,
                                                        first=day, last=day))
    assert result.updated == 1 and "1 of them now has more appointments booked" in result.message


def test_ap_t14_default_grid_window_is_eight_days(db: Database, utility: Setup) -> None:
    for n in range(-1, 10):
        _day(db, "NEW-SVC", dt.date(2003, 1, 15) + dt.timedelta(days=n), ((8, 10),))
    today = dt.date(2003, 1, 15)
    rows = period_slots(db, "NEW-SVC", today, today + dt.timedelta(days=7))
    assert [r.start.date() for r in rows] == [today + dt.timedelta(days=n) for n in range(8)]
    assert rows[-1].start.date() == dt.date(2003, 1, 22)


def test_ap_r14_external_groups_are_not_maintained_here(db: Database, utility: Setup) -> None:
    _day(db, "SRC", W)
    request = week_request(target_group="WFM-X", method=CopyMethod.SAME_DAY)
    for call in (lambda: ap.copy_periods(db, DISPATCHER, request, True),
                 lambda: ap.update_max(db, DISPATCHER, request),
                 lambda: ap.preview(db, request),
                 lambda: ap.add_period(db, DISPATCHER, "WFM-X", dt.datetime(2004, 1, 5, 8),
                                       dt.datetime(2004, 1, 5, 10), 3)):
        with pytest.raises(ValidationError, match="takes its appointments from WFM"):
            call()
    assert _count(db, "WFM-X") == 0


def test_bad_copy_inputs_name_their_field(db: Database, utility: Setup) -> None:
    with pytest.raises(ValidationError) as backwards:
        ap.preview(db, week_request(first=JAN_31, last=JAN_1))
    assert backwards.value.field == "last"
    with pytest.raises(ValidationError) as unknown:
        ap.preview(db, week_request(source_group="NOPE"))
    assert unknown.value.field == "source_group"
    ap.create_calendar(db, DISPATCHER, "US", "United States")
    with pytest.raises(ValidationError) as no_calendar:
        ap.preview(db, week_request(calendar="NOPE"))
    assert no_calendar.value.field == "calendar"


# ----------------------------------------------------------------------------- calendars


def test_work_calendars(db: Database, utility: Setup) -> None:
    assert ap.create_calendar(db, DISPATCHER, "ops", "Operations closures") == "OPS"
    with pytest.raises(ValidationError, match="exists already"):
        ap.create_calendar(db, DISPATCHER, "OPS", "Again")
    assert ap.add_holidays(db, DISPATCHER, "OPS", [(dt.date(2004, 12, 24), "Christmas Eve"),
                                                   (dt.date(2004, 1, 2), "Bridge day")]) == 2
    assert ap.add_holidays(db, DISPATCHER, "OPS", [(dt.date(2004, 1, 2), "Stocktake")]) == 0
    found = ap.holidays_between(db, "OPS", JAN_1, dt.date(2004, 12, 31))
    assert [(h.day, h.name) for h in found] == [(dt.date(2004, 1, 2), "Stocktake"),
                                                (dt.date(2004, 12, 24), "Christmas Eve")]
    with db.sessions() as session:
        assert len(ap.holidays_between(session, "OPS", JAN_1, JAN_31)) == 1
    added = ap.fill_public_holidays(db, DISPATCHER, "OPS", "us", [2004])
    assert added >= 10
    rows = {c.code: c for c in ap.calendars(db)}
    assert rows["OPS"].holidays == added + 2
    january = [h.day for h in ap.holidays_between(db, "OPS", JAN_1, JAN_31)]
    assert january == [JAN_1, dt.date(2004, 1, 2), dt.date(2004, 1, 19)]
    with pytest.raises(PermissionDenied):
        ap.create_calendar(db, CSR, "X", "No")
