"""spec/50 §1.4–§1.7 worked examples for the pure appointments engine: bands (AP-T01), copy by
template week / same day with holidays (AP-T08 … AP-T10), update max (AP-T13) and the lowest
common dispatch group (AP-R10)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from app.engine.appointments import (
    AppointmentPeriod,
    CopyMethod,
    PeriodTemplate,
    bands,
    common_dispatch_groups,
    copy_plan,
    remaining_capacity,
    template_date,
    update_max_plan,
)

T = dt.time
W = dt.date(2003, 12, 8)  # a Monday
JAN_1, JAN_31 = dt.date(2004, 1, 1), dt.date(2004, 1, 31)
FOUR = [PeriodTemplate(T(8), T(10), 3), PeriodTemplate(T(10), T(12), 3),
        PeriodTemplate(T(13), T(15), 3), PeriodTemplate(T(15), T(17), 3)]


def template_week() -> dict[dt.date, list[PeriodTemplate]]:
    """AP-T08's template week: Mon–Fri four periods of max 3, Sat/Sun none."""
    return {W + dt.timedelta(days=n): (FOUR if n < 5 else []) for n in range(7)}


def test_ap_t01_four_two_hour_bands_around_lunch() -> None:
    day = dt.date(2003, 1, 15)
    made = bands(day, T(8), T(17), 2, 3, [(T(12), T(13))])
    assert [(s.time(), e.time()) for s, e, _m in made] == [
        (T(8), T(10)), (T(10), T(12)), (T(13), T(15)), (T(15), T(17))]
    assert all(m == 3 and s.date() == day for s, _e, m in made)


def test_bands_never_run_into_a_break_or_past_the_day() -> None:
    made = bands(dt.date(2003, 1, 15), T(8), T(17), 3, 1, [(T(12), T(13))])
    assert [(s.hour, e.hour) for s, e, _m in made] == [(8, 11), (13, 16)]


def test_ap_t08_template_week_january_2004() -> None:
    made = copy_plan("NEW-SVC", JAN_1, JAN_31, CopyMethod.TEMPLATE_WEEK, W, template_week())
    assert len(made) == 88
    days = Counter(p.day for p in made)
    assert len(days) == 22 and set(days.values()) == {4}
    assert all(p.day.weekday() < 5 for p in made)
    assert {p.max_appointments for p in made} == {3}
    assert {p.dispatch_group for p in made} == {"NEW-SVC"}
    first = sorted(made, key=lambda p: p.start)[0]
    assert (first.start, first.end) == (dt.datetime(2004, 1, 1, 8), dt.datetime(2004, 1, 1, 10))


def test_ap_t08_template_date_matches_weekday_in_the_week() -> None:
    assert template_date(dt.date(2004, 1, 1), CopyMethod.TEMPLATE_WEEK, W) == dt.date(2003, 12, 11)
    assert template_date(dt.date(2004, 1, 4), CopyMethod.TEMPLATE_WEEK, W) == dt.date(2003, 12, 14)
    assert template_date(dt.date(2004, 1, 4), CopyMethod.SAME_DAY, W) == W


def test_ap_t09_holidays_take_the_holiday_template() -> None:
    holiday = dt.date(2003, 12, 24)
    source = template_week() | {holiday: FOUR[:2]}
    holidays = {dt.date(2004, 1, 1), dt.date(2004, 1, 19)}
    made = copy_plan("NEW-SVC", JAN_1, JAN_31, CopyMethod.TEMPLATE_WEEK, W, source,
                     holidays.__contains__, holiday)
    assert len(made) == 20 * 4 + 2 * 2 == 84
    on_new_year = sorted((p.start.time(), p.end.time()) for p in made
                         if p.day == dt.date(2004, 1, 1))
    assert on_new_year == [(T(8), T(10)), (T(10), T(12))]


def test_ap_t10_same_day_repeatedly() -> None:
    made = copy_plan("NEW-SVC", JAN_1, JAN_31, CopyMethod.SAME_DAY, W, {W: FOUR})
    assert len(made) == 124
    assert Counter(p.day for p in made) == {JAN_1 + dt.timedelta(days=n): 4 for n in range(31)}


def test_mass_delete_plan_from_an_empty_template_day_makes_nothing() -> None:
    assert copy_plan("NEW-SVC", JAN_1, JAN_31, CopyMethod.SAME_DAY, W, {W: []}) == []


def test_a_period_that_ends_the_next_day_keeps_its_span() -> None:
    night = PeriodTemplate(T(22), T(2), 1, end_days=1)
    made = copy_plan("NIGHT", JAN_1, dt.date(2004, 1, 2), CopyMethod.SAME_DAY, W, {W: [night]})
    assert [(p.start, p.end) for p in made] == [
        (dt.datetime(2004, 1, 1, 22), dt.datetime(2004, 1, 2, 2)),
        (dt.datetime(2004, 1, 2, 22), dt.datetime(2004, 1, 3, 2))]


def test_ap_t13_update_max_never_creates_or_deletes() -> None:
    mondays = [dt.date(2004, 1, 5) + dt.timedelta(weeks=n) for n in range(4)]
    targets = []
    for monday in mondays:
        for tpl in FOUR:
            start, end = tpl.on(monday)
            targets.append(AppointmentPeriod(len(targets) + 1, "NEW-SVC", start, end, 3))
    template = {W: [PeriodTemplate(T(8), T(10), 5), PeriodTemplate(T(10), T(12), 5),
                    PeriodTemplate(T(13), T(15), 2)]}
    changes = update_max_plan(targets, CopyMethod.SAME_DAY, W, template)
    assert len(changes) == 12
    after = [changes.get(p.id or 0, p.max_appointments) for p in targets]
    assert after == [5, 5, 2, 3] * 4


def test_remaining_capacity_is_never_negative() -> None:
    p = AppointmentPeriod(1, "NEW-SVC", dt.datetime(2003, 1, 15, 13), dt.datetime(2003, 1, 15, 17), 3)
    assert remaining_capacity(p, 2) == 1
    assert remaining_capacity(p, 5) == 0


def test_common_dispatch_group_prefers_the_shared_own_group() -> None:
    alternates = {"A": [("B", 1), ("C", 2)], "B": [("A", 1)]}
    assert common_dispatch_groups(["A", "A"], alternates)[0] == "A"


def test_common_dispatch_group_through_alternates_by_sequence() -> None:
    alternates = {"A": [("C", 3), ("D", 2)], "B": [("C", 2), ("D", 1)]}
    assert common_dispatch_groups(["A", "B"], alternates) == ["D", "C"]


def test_common_dispatch_group_own_group_of_one_is_an_alternate_of_the_other() -> None:
    assert common_dispatch_groups(["A", "B"], {"B": [("A", 3)]}) == ["A"]


def test_no_common_dispatch_group() -> None:
    assert common_dispatch_groups(["A", "B"], {}) == []
    assert common_dispatch_groups([], {}) == []
    assert common_dispatch_groups(["A", None], {}) == []


def test_a_holiday_without_a_holiday_template_gets_no_periods() -> None:
    """AP-T08's copy with the calendar of AP-T09 but no holiday template: the crews are off on
    New Year's Day and Martin Luther King Day, so 20 weekdays × 4 = 80 periods."""
    week = dt.date(2003, 12, 8)
    source = {week + dt.timedelta(days=n): [
        PeriodTemplate(dt.time(h), dt.time(h + 2), 3) for h in (8, 10, 13, 15)] for n in range(5)}
    holidays = {dt.date(2004, 1, 1), dt.date(2004, 1, 19)}
    made = copy_plan("NEW-SVC", dt.date(2004, 1, 1), dt.date(2004, 1, 31),
                     CopyMethod.TEMPLATE_WEEK, week, source, holidays.__contains__)
    assert len(made) == 80
    assert not {p.day for p in made} & holidays
