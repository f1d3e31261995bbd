"""Maintaining appointment periods (spec/50 §1.5, P-AP2): add, change and delete one period,
cut a crew day into bands, and the Copy Appointment Periods / Update Max Appointments
operations (with mass delete and overwrite), plus the work calendars whose holidays a copy
takes from a holiday template day.

    preview(db, CopyRequest("SRC", "NEW-SVC", date(2004, 1, 1), date(2004, 1, 31),
                            CopyMethod.TEMPLATE_WEEK, date(2003, 12, 8)))

A copy reads its source periods before it deletes anything (the source may be the target),
then runs in one transaction: refused as a whole when a target period has field activities
linked (AP-R13, §6 Q7); replacing unbooked periods needs the caller's confirmation
(`OverwriteNeedsConfirmation`). Dispatch groups run by an external system are not
maintained here (AP-R14). Dispatchers and supervisors maintain periods and calendars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine import appointments as engine
from app.engine.appointments import CopyMethod, PeriodTemplate
from app.models import (
    AppointmentPeriod,
    DispatchGroup,
    FieldActivity,
    Premise,
    WorkCalendar,
    WorkCalendarHoliday,
)
from app.models.enums import UserRole
from app.services.appointments import PeriodSlot, period_label, slots_of
from app.services.common import check_version, required_text
from app.services.context import Actor, read_only, transaction
from app.services.errors import DomainError, ValidationError
from app.services.field_activities import lock_period

#: Who maintains appointment periods and work calendars.
PERIOD_STAFF = (UserRole.DISPATCHER, UserRole.SUPERVISOR)
#: The longest range one copy, update or band run covers.
MAX_DAYS = 366
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def weekday(day: dt.date) -> str:
    """The English weekday name (not the locale's: the dialog and the tests agree)."""
    return WEEKDAYS[day.weekday()]


# ----------------------------------------------------------------------------- DTOs and errors


@dataclass(frozen=True)
class LinkedPeriod:
    """A period that field activities are linked to, and which ones (at which premises)."""

    period_id: int
    start: dt.datetime
    end: dt.datetime
    activities: tuple[str, ...]
    premises: tuple[str, ...]

    @property
    def label(self) -> str:
        return period_label(self.start, self.end)

    def describe(self) -> str:
        count = len(self.activities)
        what = "1 field activity" if count == 1 else f"{count} field activities"
        return (f"{self.label}: {what} ({', '.join(self.activities)}) at premise"
                f"{'s' if len(self.premises) > 1 else ''} {', '.join(self.premises)}")


class PeriodInUse(DomainError):
    """The period (or a target of a copy) has field activities linked (AP-R13, §6 Q7)."""

    def __init__(self, message: str, linked: Sequence[LinkedPeriod],
                 field: str | None = None) -> None:
        super().__init__(message, field)
        self.linked = tuple(linked)


class OverwriteNeedsConfirmation(DomainError):
    """A copy would delete `count` existing (unbooked) periods and make them again; ask first."""

    def __init__(self, count: int, first: dt.date, last: dt.date) -> None:
        super().__init__(
            f"{count} appointment period{'s' if count != 1 else ''} already exist from "
            f"{first:%d %b %Y} to {last:%d %b %Y}. They will be deleted and made again from "
            "the template. Confirm to go on.", "first")
        self.count = count


@dataclass(frozen=True)
class PeriodChange:
    period: PeriodSlot
    #: Set when the maximum is now below what is booked (allowed, but the user should know).
    warning: str | None = None


@dataclass(frozen=True)
class CopyRequest:
    """The Copy / Update Max dialog's inputs (spec/50 §1.5)."""

    source_group: str
    target_group: str
    first: dt.date
    last: dt.date
    method: CopyMethod
    #: The template week's start W (TEMPLATE_WEEK) or the template day T (SAME_DAY).
    template: dt.date
    calendar: str | None = None
    holiday_template: dt.date | None = None


@dataclass(frozen=True)
class CopyPreview:
    """What the dialog shows beside its inputs, and what the operation would do."""

    first_weekday: str
    last_weekday: str
    total_days: int
    template_weekday: str
    template_count: int
    #: TEMPLATE_WEEK: the last day of the template week (W+6), its weekday and periods.
    template_last: dt.date | None
    template_last_weekday: str | None
    template_last_count: int | None
    holiday_template_weekday: str | None
    holiday_template_count: int | None
    #: Holidays of the chosen calendar from first to last.
    holidays: int
    #: Target periods that exist now (a copy deletes and recreates them; update max checks them).
    existing: int
    #: Periods a copy makes, or maxima an update changes.
    planned: int
    #: Target periods with field activities linked: a copy is refused while there are any.
    blocking: tuple[LinkedPeriod, ...]


@dataclass(frozen=True)
class CopyResult:
    created: int
    deleted: int
    updated: int
    message: str


@dataclass(frozen=True)
class CalendarRow:
    code: str
    description: str
    holidays: int
    version: int


@dataclass(frozen=True)
class Holiday:
    day: dt.date
    name: str


# ----------------------------------------------------------------------------- helpers


def _group(session: Session, code: str, field: str, *, maintained: bool = True) -> DispatchGroup:
    group = session.get(DispatchGroup, (code or "").strip().upper())
    if group is None:
        raise ValidationError(f"There is no dispatch group {code!r}.", field)
    if maintained and group.external_system is not None:
        raise ValidationError(
            f"Dispatch group {group.code} takes its appointments from {group.external_system}; "
            "its periods are kept there, not here.", field)
    return group


def _check_times(start: dt.datetime, end: dt.datetime, max_appointments: int) -> None:
    if end <= start:
        raise ValidationError(f"The period must end after it starts ({start:%d %b %Y %H:%M}); "
                              "choose a later end time.", "end")
    if max_appointments < 0:
        raise ValidationError("The maximum number of appointments is 0 or more.",
                              "max_appointments")


def _check_range(first: dt.date, last: dt.date, field: str = "last") -> None:
    if last < first:
        raise ValidationError(f"The end date {last:%Y-%m-%d} is before the start date "
                              f"{first:%Y-%m-%d}.", field)
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationError(f"Cover at most {MAX_DAYS} days at a time.", field)


def _day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(first, dt.time()),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time()))


def _periods_between(session: Session, group: str, first: dt.date, last: dt.date, *,
                     lock: bool = False) -> list[AppointmentPeriod]:
    low, high = _day_bounds(first, last)
    query = (select(AppointmentPeriod)
             .where(AppointmentPeriod.dispatch_group_code == group,
                    AppointmentPeriod.start_at >= low, AppointmentPeriod.start_at < high)
             .order_by(AppointmentPeriod.start_at, AppointmentPeriod.end_at))
    if lock:
        query = query.with_for_update()
    return list(session.scalars(query))


def _linked(session: Session, periods: Sequence[AppointmentPeriod]) -> list[LinkedPeriod]:
    """The periods with any field activity linked — canceled ones too: they keep the link for
    audit (§6 Q8), so the period cannot go."""
    by_id = {p.id: p for p in periods}
    found: dict[int, tuple[list[str], list[str]]] = {}
    ids = list(by_id)
    for at in range(0, len(ids), 900):
        for period_id, activity, premise in session.execute(
                select(FieldActivity.appointment_period_id, FieldActivity.number, Premise.number)
                .join(Premise, Premise.id == FieldActivity.premise_id)
                .where(FieldActivity.appointment_period_id.in_(ids[at:at + 900]))
                .order_by(FieldActivity.number)):
            if period_id is None:
                continue
            activities, premises = found.setdefault(period_id, ([], []))
            activities.append(activity)
            if premise not in premises:
                premises.append(premise)
    return [LinkedPeriod(i, by_id[i].start_at, by_id[i].end_at, tuple(a), tuple(p))
            for i, (a, p) in sorted(found.items(), key=lambda kv: by_id[kv[0]].start_at)]


def _clash(session: Session, group: str, start: dt.datetime, end: dt.datetime,
           other_than: int | None = None) -> None:
    query = select(AppointmentPeriod.id).where(
        AppointmentPeriod.dispatch_group_code == group, AppointmentPeriod.start_at == start,
        AppointmentPeriod.end_at == end)
    if other_than is not None:
        query = query.where(AppointmentPeriod.id != other_than)
    if session.scalar(query) is not None:
        raise ValidationError(f"Dispatch group {group} already has the period "
                              f"{period_label(start, end)}.", "start")


def _in_use(linked: Sequence[LinkedPeriod], doing: str) -> PeriodInUse:
    activities = sum(len(p.activities) for p in linked)
    what = "1 field activity is" if activities == 1 else f"{activities} field activities are"
    periods = "1 period" if len(linked) == 1 else f"{len(linked)} periods"
    shown = "; ".join(p.describe() for p in linked[:5])
    more = f"; and {len(linked) - 5} more" if len(linked) > 5 else ""
    return PeriodInUse(f"Cannot {doing}: {what} linked to {periods} — {shown}{more}. "
                       "Cancel or move those appointments first.", linked)


# ----------------------------------------------------------------------------- one period


def last_period_day(db: Database, dispatch_group: str) -> dt.date | None:
    """The day of the group's last period (a copy usually continues after it)."""
    with read_only(db) as session:
        last = session.scalar(select(func.max(AppointmentPeriod.start_at))
                              .where(AppointmentPeriod.dispatch_group_code == dispatch_group))
        return None if last is None else last.date()


def add_period(db: Database, actor: Actor, dispatch_group: str, start: dt.datetime,
               end: dt.datetime, max_appointments: int) -> int:
    """A new period of the group; returns its id."""
    actor.require("maintain appointment periods", *PERIOD_STAFF)
    _check_times(start, end, max_appointments)
    with transaction(db, actor) as session:
        group = _group(session, dispatch_group, "dispatch_group")
        _clash(session, group.code, start, end)
        period = AppointmentPeriod(dispatch_group_code=group.code, start_at=start, end_at=end,
                                   max_appointments=max_appointments)
        session.add(period)
        session.flush()
        return period.id


def update_period(db: Database, actor: Actor, period_id: int, expected_version: int, *,
                  start: dt.datetime | None = None, end: dt.datetime | None = None,
                  max_appointments: int | None = None) -> PeriodChange:
    """Change a period's times (only while no field activity is linked) and/or its maximum
    (at any time; below what is booked gives a warning, not a refusal)."""
    actor.require("maintain appointment periods", *PERIOD_STAFF)
    with transaction(db, actor) as session:
        period = lock_period(session, period_id)
        check_version(period, expected_version, "The appointment period")
        _group(session, period.dispatch_group_code, "dispatch_group")
        new_start, new_end = start or period.start_at, end or period.end_at
        new_max = period.max_appointments if max_appointments is None else max_appointments
        _check_times(new_start, new_end, new_max)
        if (new_start, new_end) != (period.start_at, period.end_at):
            linked = _linked(session, [period])
            if linked:
                count = len(linked[0].activities)
                raise ValidationError(
                    f"The times of {linked[0].label} cannot change while {count} field "
                    f"activit{'y is' if count == 1 else 'ies are'} linked to it "
                    f"({', '.join(linked[0].activities)}). Change the maximum, or move "
                    "those appointments first.", "start")
            _clash(session, period.dispatch_group_code, new_start, new_end, period.id)
            period.start_at, period.end_at = new_start, new_end
        period.max_appointments = new_max
        session.flush()
        [slot] = slots_of(session, [period])
        warning = None
        if slot.booked > slot.max_appointments:
            warning = (f"{slot.booked} appointments are booked in {slot.label}, more than the "
                       f"new maximum of {slot.max_appointments}; they stay booked, and no new "
                       "ones are taken.")
        return PeriodChange(slot, warning)


def delete_period(db: Database, actor: Actor, period_id: int, expected_version: int) -> None:
    """Delete a period no field activity is linked to (AP-R13)."""
    actor.require("maintain appointment periods", *PERIOD_STAFF)
    with transaction(db, actor) as session:
        period = lock_period(session, period_id)
        check_version(period, expected_version, "The appointment period")
        _group(session, period.dispatch_group_code, "dispatch_group")
        linked = _linked(session, [period])
        if linked:
            raise _in_use(linked, f"delete the period {linked[0].label}")
        session.delete(period)


def add_bands(db: Database, actor: Actor, group: str, first_day: dt.date, last_day: dt.date,
              start_time: dt.time, end_time: dt.time, hours: int, max_appointments: int,
              breaks: Sequence[tuple[dt.time, dt.time]] = (), *,
              weekdays: Collection[int] | None = None) -> int:
    """Cut each crew day from `first_day` to `last_day` (only `weekdays`, 0 = Monday, when
    given) into bands of `hours` around the breaks (AP-T01); a band the group has already is
    left alone. Returns how many periods were made."""
    actor.require("maintain appointment periods", *PERIOD_STAFF)
    _check_range(first_day, last_day)
    if hours <= 0:
        raise ValidationError("A band lasts at least one hour.", "hours")
    if max_appointments < 0:
        raise ValidationError("The maximum number of appointments is 0 or more.",
                              "max_appointments")
    with transaction(db, actor) as session:
        code = _group(session, group, "dispatch_group").code
        have = {(p.start_at, p.end_at) for p in _periods_between(session, code, first_day,
                                                                 last_day)}
        made = 0
        for day in engine.days(first_day, last_day):
            if weekdays is not None and day.weekday() not in weekdays:
                continue
            for start, end, maximum in engine.bands(day, start_time, end_time, hours,
                                                    max_appointments, breaks):
                if (start, end) not in have:
                    session.add(AppointmentPeriod(dispatch_group_code=code, start_at=start,
                                                  end_at=end, max_appointments=maximum))
                    made += 1
        return made


# ----------------------------------------------------------------------------- copy / update


def _template_days(request: CopyRequest) -> list[dt.date]:
    if request.method is CopyMethod.TEMPLATE_WEEK:
        needed = [request.template + dt.timedelta(days=n) for n in range(7)]
    else:
        needed = [request.template]
    if request.calendar and request.holiday_template is not None:
        needed.append(request.holiday_template)
    return needed


def _source(session: Session, group: str,
            needed: Iterable[dt.date]) -> dict[dt.date, list[PeriodTemplate]]:
    """The snapshot of the source periods on each template day, read before any change."""
    wanted = set(needed)
    found: dict[dt.date, list[PeriodTemplate]] = {d: [] for d in wanted}
    if not wanted:
        return found
    for period in _periods_between(session, group, min(wanted), max(wanted)):
        day = period.start_at.date()
        if day in wanted:
            found[day].append(PeriodTemplate.of(engine.AppointmentPeriod(
                period.id, group, period.start_at, period.end_at, period.max_appointments)))
    return found


def _holiday_days(session: Session, code: str | None, first: dt.date,
                  last: dt.date) -> set[dt.date]:
    if not code:
        return set()
    if session.get(WorkCalendar, code) is None:
        raise ValidationError(f"There is no work calendar {code!r}.", "calendar")
    return set(session.scalars(select(WorkCalendarHoliday.holiday).where(
        WorkCalendarHoliday.calendar_code == code, WorkCalendarHoliday.holiday >= first,
        WorkCalendarHoliday.holiday <= last)))


@dataclass(frozen=True)
class _Plan:
    source: dict[dt.date, list[PeriodTemplate]]
    holidays: set[dt.date]
    targets: list[AppointmentPeriod]
    made: list[engine.AppointmentPeriod]
    changes: dict[int, int]


def _plan(session: Session, request: CopyRequest, *, lock: bool) -> _Plan:
    _check_range(request.first, request.last)
    source = _group(session, request.source_group, "source_group", maintained=False).code
    target = _group(session, request.target_group, "target_group").code
    snapshot = _source(session, source, _template_days(request))
    holidays = _holiday_days(session, request.calendar, request.first, request.last)
    holiday_template = request.holiday_template if request.calendar else None
    targets = _periods_between(session, target, request.first, request.last, lock=lock)
    made = engine.copy_plan(target, request.first, request.last, request.method,
                            request.template, snapshot, holidays.__contains__, holiday_template)
    changes = engine.update_max_plan(
        [engine.AppointmentPeriod(p.id, target, p.start_at, p.end_at, p.max_appointments)
         for p in targets], request.method, request.template, snapshot,
        holidays.__contains__, holiday_template)
    return _Plan(snapshot, holidays, targets, made, changes)


def preview(db: Database, request: CopyRequest, mode: str = "copy") -> CopyPreview:
    """What the Copy (mode "copy") or Update Max ("update_max") dialog shows for its inputs;
    reads only. Raises ValidationError (naming the input) for inputs it cannot use."""
    with read_only(db) as session:
        plan = _plan(session, request, lock=False)
        week = request.method is CopyMethod.TEMPLATE_WEEK
        last = request.template + dt.timedelta(days=6) if week else None
        holiday = request.holiday_template if request.calendar else None
        return CopyPreview(
            weekday(request.first), weekday(request.last),
            (request.last - request.first).days + 1,
            weekday(request.template), len(plan.source.get(request.template, ())),
            last, weekday(last) if last else None,
            len(plan.source.get(last, ())) if last else None,
            weekday(holiday) if holiday else None,
            len(plan.source.get(holiday, ())) if holiday else None,
            len(plan.holidays), len(plan.targets),
            len(plan.changes) if mode == "update_max" else len(plan.made),
            tuple(_linked(session, plan.targets)))


def copy_periods(db: Database, actor: Actor, request: CopyRequest,
                 confirmed_overwrite: bool) -> CopyResult:
    """Copy Appointment Periods: replace the target group's periods from `first` to `last`
    with those of the template days, in one transaction. Refused (PeriodInUse, nothing
    changed) when a target period has field activities linked; existing unbooked periods are
    replaced only when `confirmed_overwrite` (else OverwriteNeedsConfirmation). A template
    day with no periods makes this a mass delete."""
    actor.require("copy appointment periods", *PERIOD_STAFF)
    with transaction(db, actor, reason="Copy appointment periods") as session:
        plan = _plan(session, request, lock=True)
        linked = _linked(session, plan.targets)
        if linked:
            raise _in_use(linked, "replace the periods from "
                          f"{request.first:%d %b %Y} to {request.last:%d %b %Y}")
        if plan.targets and not confirmed_overwrite:
            raise OverwriteNeedsConfirmation(len(plan.targets), request.first, request.last)
        for period in plan.targets:
            session.delete(period)
        session.flush()
        for made in plan.made:
            session.add(AppointmentPeriod(dispatch_group_code=made.dispatch_group,
                                          start_at=made.start, end_at=made.end,
                                          max_appointments=made.max_appointments))
        session.flush()
        deleted, created = len(plan.targets), len(plan.made)
        message = (f"Made {created} period{'s' if created != 1 else ''} for "
                   f"{request.target_group.upper()} from {request.first:%d %b %Y} to "
                   f"{request.last:%d %b %Y}")
        if deleted:
            message += f", replacing {deleted}"
        return CopyResult(created, deleted, 0, message + ".")


def update_max(db: Database, actor: Actor, request: CopyRequest) -> CopyResult:
    """Update Max Appointments: each target period whose template day has a period with the
    same start and end time takes that period's maximum; nothing is made or deleted
    (AP-T13)."""
    actor.require("update maximum appointments", *PERIOD_STAFF)
    with transaction(db, actor, reason="Update max appointments") as session:
        plan = _plan(session, request, lock=True)
        by_id = {p.id: p for p in plan.targets}
        for period_id, maximum in plan.changes.items():
            by_id[period_id].max_appointments = maximum
        session.flush()
        count = len(plan.changes)
        over = _over_booked(session, [by_id[i] for i in plan.changes])
        message = (f"Updated the maximum of {count} period{'s' if count != 1 else ''} of "
                   f"{request.target_group.upper()} from {request.first:%d %b %Y} to "
                   f"{request.last:%d %b %Y}.")
        if over:
            message += (f" {over} of them now ha{'s' if over == 1 else 've'} more "
                        "appointments booked than the new maximum (they stay booked).")
        return CopyResult(0, 0, count, message)


def _over_booked(session: Session, periods: Sequence[AppointmentPeriod]) -> int:
    """How many of the periods hold more than their maximum (counted as their groups count)."""
    return sum(s.booked > s.max_appointments for s in slots_of(session, periods))


# ----------------------------------------------------------------------------- work calendars


def create_calendar(db: Database, actor: Actor, code: str, description: str) -> str:
    actor.require("maintain work calendars", *PERIOD_STAFF)
    key = required_text(code, "code", "the calendar code", 30).upper()
    if any(c.isspace() for c in key):
        raise ValidationError("The calendar code has no spaces (e.g. US-IL).", "code")
    text = required_text(description, "description", "a description", 100)
    with transaction(db, actor) as session:
        if session.get(WorkCalendar, key) is not None:
            raise ValidationError(f"Work calendar {key} exists already.", "code")
        session.add(WorkCalendar(code=key, description=text))
        return key


def add_holidays(db: Database, actor: Actor, code: str,
                 holidays: Iterable[tuple[dt.date, str]]) -> int:
    """Add holidays to a calendar (a date it has already is renamed); returns how many dates
    were new."""
    actor.require("maintain work calendars", *PERIOD_STAFF)
    entries = [(day, required_text(name, "name", "the holiday's name", 100))
               for day, name in holidays]
    with transaction(db, actor) as session:
        if session.get(WorkCalendar, code) is None:
            raise ValidationError(f"There is no work calendar {code!r}.", "calendar")
        added = 0
        for day, name in entries:
            row = session.get(WorkCalendarHoliday, (code, day))
            if row is None:
                session.add(WorkCalendarHoliday(calendar_code=code, holiday=day, name=name))
                session.flush()
                added += 1
            else:
                row.name = name
        return added


def public_holidays(country: str, years: Sequence[int],
                    subdivision: str | None = None) -> list[tuple[dt.date, str]]:
    """A country's (or one of its regions') public holidays in the years, from the `holidays`
    package."""
    import holidays as public

    try:
        found = public.country_holidays(country.upper(), subdiv=subdivision or None,
                                        years=list(years))
    except NotImplementedError as exc:
        raise ValidationError(f"No public holidays are known for {country!r}"
                              + (f" / {subdivision!r}" if subdivision else "")
                              + f" ({exc}). Use a two-letter country code such as US or GB, and a "
                              "subdivision the country has (e.g. IL for US).",
                              "country") from None
    return sorted(found.items())


def fill_public_holidays(db: Database, actor: Actor, code: str, country: str,
                         years: Sequence[int], subdivision: str | None = None) -> int:
    """Add a country's (or one of its regions') public holidays for the years to a calendar;
    returns how many dates were new."""
    return add_holidays(db, actor, code, public_holidays(country, years, subdivision))


def calendars(db: Database) -> list[CalendarRow]:
    with read_only(db) as session:
        counts = dict(session.execute(
            select(WorkCalendarHoliday.calendar_code, func.count())
            .group_by(WorkCalendarHoliday.calendar_code)).all())
        return [CalendarRow(c.code, c.description, counts.get(c.code, 0), c.version)
                for c in session.scalars(select(WorkCalendar).order_by(WorkCalendar.code))]


def holidays_between(session_or_db: Session | Database, code: str, first: dt.date,
                     last: dt.date) -> list[Holiday]:
    """The calendar's holidays from `first` to `last` (inclusive), in date order."""
    if isinstance(session_or_db, Database):
        with read_only(session_or_db) as session:
            return holidays_between(session, code, first, last)
    rows = session_or_db.execute(
        select(WorkCalendarHoliday.holiday, WorkCalendarHoliday.name)
        .where(WorkCalendarHoliday.calendar_code == code, WorkCalendarHoliday.holiday >= first,
               WorkCalendarHoliday.holiday <= last)
        .order_by(WorkCalendarHoliday.holiday))
    return [Holiday(day, name) for day, name in rows]

