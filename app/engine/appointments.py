"""Appointments (spec/50 §1), the pure part: how full a period is, which dispatch group a set
of field activities can share, and how a template of periods is copied over a date range.

    >>> from datetime import date, datetime
    >>> p = AppointmentPeriod(1, "NEW-SVC", datetime(2003, 1, 15, 13), datetime(2003, 1, 15, 17), 3)
    >>> remaining_capacity(p, booked=2)
    1

No database here: the services load `AppointmentPeriod` and `PeriodTemplate` rows, call these
functions and write back what they return.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass


class CopyMethod(enum.StrEnum):
    """Where the periods of each day of a copy come from (spec/50 §1.5)."""

    #: The day of the same weekday in the template week [W, W+6].
    TEMPLATE_WEEK = "TEMPLATE_WEEK"
    #: One template day for every day.
    SAME_DAY = "SAME_DAY"


@dataclass(frozen=True)
class AppointmentPeriod:
    """A time band of a dispatch group with its maximum appointments."""

    id: int | None
    dispatch_group: str
    start: dt.datetime
    end: dt.datetime
    max_appointments: int

    @property
    def day(self) -> dt.date:
        return self.start.date()


@dataclass(frozen=True)
class PeriodTemplate:
    """A period of a template day, by time of day: what a copy makes on each target day.
    `end_days` is how many days after its start the period ends (0: the same day)."""

    start: dt.time
    end: dt.time
    max_appointments: int
    end_days: int = 0

    @staticmethod
    def of(period: AppointmentPeriod) -> PeriodTemplate:
        return PeriodTemplate(period.start.time(), period.end.time(), period.max_appointments,
                              (period.end.date() - period.start.date()).days)

    def on(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return (dt.datetime.combine(day, self.start),
                dt.datetime.combine(day + dt.timedelta(days=self.end_days), self.end))


def remaining_capacity(period: AppointmentPeriod, booked: int) -> int:
    """How many more appointments the period takes (never below zero: a maximum lowered under
    what is booked leaves the period full, not negative)."""
    return max(0, period.max_appointments - booked)


def bands(day: dt.date, start: dt.time, end: dt.time, hours: int, max_appointments: int,
          breaks: Sequence[tuple[dt.time, dt.time]] = ()) -> list[tuple[dt.datetime, dt.datetime,
                                                                          int]]:
    """A crew day cut into bands of `hours`, skipping the breaks (AP-T01: 08:00–17:00 with lunch
    12:00–13:00 in two-hour bands is 08–10, 10–12, 13–15, 15–17). A band that would run into a
    break or past the end of the day is not made."""
    if hours <= 0:
        raise ValueError("A band lasts at least one hour.")
    step = dt.timedelta(hours=hours)
    at, finish = dt.datetime.combine(day, start), dt.datetime.combine(day, end)
    stops = sorted((dt.datetime.combine(day, a), dt.datetime.combine(day, b)) for a, b in breaks)
    made: list[tuple[dt.datetime, dt.datetime, int]] = []
    while at + step <= finish:
        clash = next(((a, b) for a, b in stops if at < b and at + step > a), None)
        if clash is not None:
            at = max(at, clash[1])
            continue
        made.append((at, at + step, max_appointments))
        at += step
    return made


def common_dispatch_groups(own: Sequence[str | None],
                           alternates: Mapping[str, Sequence[tuple[str, int]]]) -> list[str]:
    """AP-R10: the dispatch groups every one of the activities can be booked with — its own
    group or one of that group's alternates — best first: a group that is every activity's
    own, then alternates by sequence (ties by code). Empty when there is none."""
    if not own:
        return []
    sets: list[set[str]] = []
    rank: dict[str, int] = {}
    for group in own:
        if group is None:
            return []
        choices = {group}
        for alternate, sequence in alternates.get(group, ()):
            choices.add(alternate)
            rank[alternate] = min(rank.get(alternate, sequence), sequence)
        sets.append(choices)
    common = set.intersection(*sets)
    owners = set(own)
    return sorted(common, key=lambda g: (0 if owners == {g} else 1, rank.get(g, 0), g))


def template_date(day: dt.date, method: CopyMethod, template: dt.date,
                  is_holiday: Callable[[dt.date], bool] = lambda _d: False,
                  holiday_template: dt.date | None = None) -> dt.date | None:
    """The template day whose periods `day` gets (spec/50 §1.5): on a holiday the holiday
    template, or none (no periods: the crews are off) when there is no holiday template; else
    the same weekday of the template week, else the template day."""
    if is_holiday(day):
        return holiday_template
    if method is CopyMethod.TEMPLATE_WEEK:
        return template + dt.timedelta(days=(day.weekday() - template.weekday()) % 7)
    return template


def days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    """Every date from `first` to `last`, both included."""
    for n in range((last - first).days + 1):
        yield first + dt.timedelta(days=n)


def copy_plan(dispatch_group: str, first: dt.date, last: dt.date, method: CopyMethod,
              template: dt.date, source: Mapping[dt.date, Sequence[PeriodTemplate]],
              is_holiday: Callable[[dt.date], bool] = lambda _d: False,
              holiday_template: dt.date | None = None) -> list[AppointmentPeriod]:
    """The periods a Copy makes on `dispatch_group` from `first` to `last` (inclusive), given
    the source periods of each template date (AP-T08 … AP-T10)."""
    made: list[AppointmentPeriod] = []
    for day in days(first, last):
        source_day = template_date(day, method, template, is_holiday, holiday_template)
        for period in source.get(source_day, ()) if source_day is not None else ():
            start, end = period.on(day)
            made.append(AppointmentPeriod(None, dispatch_group, start, end,
                                          period.max_appointments))
    return made


def update_max_plan(targets: Sequence[AppointmentPeriod], method: CopyMethod,
                    template: dt.date, source: Mapping[dt.date, Sequence[PeriodTemplate]],
                    is_holiday: Callable[[dt.date], bool] = lambda _d: False,
                    holiday_template: dt.date | None = None) -> dict[int, int]:
    """Update Max Appointments (AP-T13): for each target period whose template day has a period
    with the same start and end time, its new maximum (by period id); nothing is created or
    deleted, and a period already at that maximum is left out."""
    changes: dict[int, int] = {}
    for target in targets:
        source_day = template_date(target.day, method, template, is_holiday, holiday_template)
        if source_day is None:                     # a holiday without a template: left as is
            continue
        key = PeriodTemplate.of(target)
        match = next((p for p in source.get(source_day, ())
                      if (p.start, p.end, p.end_days) == (key.start, key.end, key.end_days)),
                     None)
        if match is not None and target.id is not None \
                and match.max_appointments != target.max_appointments:
            changes[target.id] = match.max_appointments
    return changes
