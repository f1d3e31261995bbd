"""The Appointment Period Calendar's dialogs (spec/50 §1.5, P-AP2): add or edit one period,
and Copy Appointment Periods / Update Max Appointments (one dialog, two modes).

The copy dialog shows, as the user types, the weekday of each date, the Total Days, the
template days' weekdays and period counts, the holidays in range, and what the operation
would do — read from `appointment_periods.preview` in a worker. Errors appear under the input
they concern; a copy over existing periods asks for a second OK (Replace …); a booked target
period is listed under the dates and the copy is refused. Both dialogs are `accepted` only when
the database changed; `message` then says what was done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any, Literal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QWidget,
)

from app.db import Database
from app.engine.appointments import CopyMethod
from app.services import appointment_periods as periods
from app.services import dispatch_groups
from app.services.appointment_periods import (
    CopyPreview,
    CopyRequest,
    CopyResult,
    OverwriteNeedsConfirmation,
    PeriodChange,
    PeriodInUse,
)
from app.services.appointments import PeriodSlot
from app.services.context import today
from app.services.errors import DomainError, ValidationError
from app.views.panes import PaneContext
from app.views.tree_dialogs import (
    GENERAL_FIELD,
    ActionDialog,
    date_field,
    parse_date,
    parse_time,
    time_field,
)
from app.views.widgets import label
from app.views.worker import run_task

NO_CALENDAR = "(no holidays)"


class _FormDialog(ActionDialog):
    """An `ActionDialog` whose rows may hold several widgets (an input and what it means: the
    weekday of a date, a count); `accepted` means the database changed."""

    def __init__(self, parent: QWidget | None, ctx: PaneContext, title: str, ok_text: str,
                 intro: str) -> None:
        super().__init__(ctx, parent, title, ok_text, intro)
        self.setMinimumWidth(0)
        self.db, self.actor = ctx.db, ctx.actor
        self.ok_button = self.submit_button
        self.general_error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def add_line(self, name: str, caption: str, *widgets: QWidget,
                 aliases: tuple[str, ...] = ()) -> QWidget:
        """A labelled row of widgets (the first is the input `name`), with its error line."""
        line = QWidget()
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(10)
        for widget in widgets:
            row.addWidget(widget)
        row.addStretch(1)
        box = self._error_box(name, line)
        self.fields[name] = widgets[0]
        self.errors[name].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form.addRow(caption, box)
        for alias in aliases:
            self._aliases[alias] = name
        return box

    def refresh_ok(self) -> None:
        self.refresh_submit()


# ----------------------------------------------------------------------------- one period


class PeriodDialog(_FormDialog):
    """Add a period to a dispatch group (period None, on `day`) or edit one: its date and
    times (fixed while appointments are booked in it) and its maximum (any time)."""

    def __init__(self, parent: QWidget | None, ctx: PaneContext, dispatch_group: str,
                 period: PeriodSlot | None, day: dt.date | None) -> None:
        editing = period is not None
        super().__init__(
            parent, ctx,
            f"{'Edit' if editing else 'Add'} Appointment Period…",
            "Save" if editing else "Add Period",
            f"Dispatch group {dispatch_group}. A period is a time band in which up to the "
            "maximum number of appointments can be booked.")
        self.dispatch_group, self.period = dispatch_group, period
        self.setMinimumWidth(460)
        start_day = period.start.date() if period else (day or today())
        self.start_date = date_field(start_day)
        self.weekday = label("", "hint")
        self.add_line("start_date", "Start date", self.start_date, self.weekday,
                     aliases=("date",))
        self.start_time = time_field(period.start.time() if period else dt.time(8))
        self.add_line("start_time", "Start time", self.start_time, aliases=("start",))
        self.end_time = time_field(period.end.time() if period else dt.time(10))
        self.ends = label("", "hint")
        self.add_line("end_time", "End time", self.end_time, self.ends, aliases=("end",))
        self.maximum = QSpinBox()
        self.maximum.setRange(0, 999)
        self.maximum.setValue(period.max_appointments if period else 3)
        self.maximum.setFixedWidth(80)
        booked = label("" if period is None else f"{period.booked} booked now", "hint")
        self.add_line("max_appointments", "Max appointments", self.maximum, booked)
        self._end_days = (period.end.date() - period.start.date()).days if period else 0
        if period is not None and period.booked:
            for edit in (self.start_date, self.start_time, self.end_time):
                edit.setEnabled(False)
                edit.setToolTip("The times cannot change while appointments are booked.")
            self.body.addWidget(label(
                f"{period.booked} appointment{'s are' if period.booked != 1 else ' is'} booked "
                "in this period: only the maximum can change.", "hint", wrap=True))
        self.finish_layout()
        self.setTabOrder(self.start_date, self.start_time)
        self.setTabOrder(self.start_time, self.end_time)
        self.setTabOrder(self.end_time, self.maximum)
        self.setTabOrder(self.maximum, self.ok_button)
        self.start_date.textChanged.connect(lambda _t: self._show_day())
        for name, typed in (("start_date", self.start_date), ("start_time", self.start_time),
                            ("end_time", self.end_time)):
            typed.textEdited.connect(lambda _t, n=name: self.errors[n].hide())
        self._show_day()
        (self.maximum if period is not None and period.booked else self.start_date).setFocus()

    def _show_day(self) -> None:
        try:
            day = parse_date(self.start_date.text(), "start_date", "start date")
        except ValidationError:
            self.weekday.setText("")
            self.ends.setText("")
            return
        self.weekday.setText(periods.weekday(day))
        self.ends.setText("" if not self._end_days else
                          f"on {day + dt.timedelta(days=self._end_days):%a %d %b}")

    def read(self) -> tuple[dt.datetime, dt.datetime, int]:
        day = parse_date(self.start_date.text(), "start_date", "start date")
        start = dt.datetime.combine(day, parse_time(self.start_time.text(), "start_time",
                                                    "start time"))
        end = dt.datetime.combine(day + dt.timedelta(days=self._end_days),
                                  parse_time(self.end_time.text(), "end_time", "end time"))
        return start, end, self.maximum.value()

    def prepare(self) -> Callable[[], Any]:
        start, end, most = self.read()
        if self.period is None:
            return partial(periods.add_period, self.db, self.actor, self.dispatch_group, start,
                           end, most)
        p = self.period
        times = {} if (start, end) == (p.start, p.end) else {"start": start, "end": end}
        return partial(periods.update_period, self.db, self.actor, p.period_id, p.version,
                       max_appointments=most, **times)

    def success_message(self, result: Any) -> str:
        if isinstance(result, PeriodChange):
            return f"Saved {result.period.label}." + (
                f" {result.warning}" if result.warning else "")
        return f"Added period {result} to {self.dispatch_group}."


# ----------------------------------------------------------------------------- copy / update max


def _choices(db: Database, group: str) -> tuple[list[tuple[str, str, bool]],
                                              list[tuple[str, str, int]], dt.date | None]:
    groups = [(g.code, g.description, g.external_system is None)
              for g in dispatch_groups.dispatch_groups(db)]
    calendars = [(c.code, c.description, c.holidays) for c in periods.calendars(db)]
    return groups, calendars, periods.last_period_day(db, group)


class CopyPeriodsDialog(_FormDialog):
    """Copy Appointment Periods (mode "copy") or Update Max Appointments ("update_max") to a
    dispatch group over a date range, from a template week or a template day, with a holiday
    template for a work calendar's holidays (spec/50 §1.5)."""

    PREVIEW_DELAY_MS = 150

    def __init__(self, parent: QWidget | None, ctx: PaneContext, dispatch_group: str,
                 mode: Literal["copy", "update_max"]) -> None:
        copying = mode == "copy"
        super().__init__(
            parent, ctx,
            "Copy Appointment Periods…" if copying else "Update Max Appointments…",
            "Copy" if copying else "Update Max",
            "Replaces the target group's periods in the date range with those of the template "
            "days. A template day without periods deletes them (mass delete)." if copying else
            "Sets the maximum of each target period in the range to that of the template "
            "period with the same start and end time. Nothing is added or deleted.")
        self.mode = mode
        self.dispatch_group = dispatch_group
        self.setMinimumWidth(680)
        self.preview_value: CopyPreview | None = None
        self.previewing = False
        self._preview_seq = 0
        self._confirm_count: int | None = None
        self._loaded = False
        self._external = ""

        self.source = QComboBox()
        self.source.setMinimumWidth(260)
        self.add_line("source_group", "Copy from dispatch group", self.source)
        self.target = QComboBox()
        self.target.setMinimumWidth(260)
        self.add_line("target_group", "Copy to dispatch group", self.target)
        start = today()
        self.first = date_field(start)
        self.first_day = self._info()
        self.add_line("first", "Copy to start date", self.first, self.first_day)
        self.last = date_field(start + dt.timedelta(days=6))
        self.last_day = self._info()
        self.total = label("", "")
        self.add_line("last", "Copy to end date", self.last, self.last_day, self.total)
        self.blocking = label("", "inlineError", wrap=True)
        self.blocking.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.blocking.hide()
        self.form.addRow(self.blocking)
        self.errors["range"] = self.blocking
        self.fields["range"] = self.first

        self.week = QRadioButton("Template week")
        self.same = QRadioButton("Same day")
        self.week.setChecked(True)
        self.methods = QButtonGroup(self)
        self.methods.addButton(self.week)
        self.methods.addButton(self.same)
        self.add_line("method", "Copy method", self.week, self.same)
        self.template = date_field(start - dt.timedelta(days=7 + start.weekday()))
        self.template_info = self._info(260)
        self.template_row = self.add_line("template", "Template week start", self.template,
                                         self.template_info)
        self.template_last = self._info(360)
        self.template_last_row = self.add_line("template_last", "Template week end",
                                              self.template_last)

        self.calendar = QComboBox()
        self.calendar.setMinimumWidth(260)
        self.calendar.addItem(NO_CALENDAR, "")
        self.holidays = self._info(200)
        self.add_line("calendar", "Work calendar", self.calendar, self.holidays)
        self.holiday_template = date_field(None)
        self.holiday_info = self._info(260)
        self.add_line("holiday_template", "Holiday template date", self.holiday_template,
                     self.holiday_info)

        self.summary = label("", "", wrap=True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.summary)
        self.confirm = label("", "inlineError", wrap=True)
        self.confirm.hide()
        self.body.addWidget(self.confirm)
        self.finish_layout()
        self._ok_text = self.ok_button.text()
        chain = [self.source, self.target, self.first, self.last, self.week, self.same,
                 self.template, self.calendar, self.holiday_template, self.ok_button,
                 self.cancel_button]
        for a, b in zip(chain, chain[1:], strict=False):
            self.setTabOrder(a, b)

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(self.PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self.refresh_preview)
        for edit in (self.first, self.last, self.template, self.holiday_template):
            edit.textChanged.connect(lambda _t: self._changed())
        for combo in (self.source, self.target, self.calendar):
            combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.week.toggled.connect(lambda _on: self._method_changed())
        self._method_changed()
        self.refresh_ok()
        run_task(_choices, ctx.db, dispatch_group, on_result=self._choices_loaded,
                 on_error=lambda exc: self.show_error(GENERAL_FIELD, f"Cannot list the dispatch "
                                                      f"groups: {exc}"))
        self.first.setFocus()

    def _info(self, width: int = 90) -> QLabel:
        info = label("", "hint")
        info.setMinimumWidth(width)
        return info

    # ----------------------------------------------------------------------- loading

    def _choices_loaded(self, value: tuple[list[tuple[str, str, bool]],
                                           list[tuple[str, str, int]], dt.date | None]) -> None:
        groups, calendars, last_day = value
        if self.mode == "copy" and last_day is not None and not any(
                edit.isModified() for edit in (self.first, self.last, self.template)):
            # Continue the day after the group's last period, from its last whole week.
            monday = last_day - dt.timedelta(days=last_day.weekday())
            template = monday if last_day.weekday() >= 4 else monday - dt.timedelta(days=7)
            first = max(last_day + dt.timedelta(days=1), today())
            self.template.setText(f"{template:%Y-%m-%d}")
            self.first.setText(f"{first:%Y-%m-%d}")
            self.last.setText(f"{first + dt.timedelta(days=6):%Y-%m-%d}")
        for combo in (self.source, self.target, self.calendar):
            combo.blockSignals(True)
        for code, description, local in groups:
            self.source.addItem(f"{code} — {description}", code)
            if local:
                self.target.addItem(f"{code} — {description}", code)
        for code, description, count in calendars:
            self.calendar.addItem(f"{code} — {description} ({count} holidays)", code)
        for combo in (self.source, self.target):
            at = combo.findData(self.dispatch_group)
            if at >= 0:
                combo.setCurrentIndex(at)
        for combo in (self.source, self.target, self.calendar):
            combo.blockSignals(False)
        self._loaded = True
        if self.target.findData(self.dispatch_group) < 0:
            self._external = (f"Dispatch group {self.dispatch_group} takes its appointments "
                              "from an external system; its periods are not kept here.")
            self.show_error("target_group", self._external, focus=False)
        self._changed()

    # ----------------------------------------------------------------------- inputs

    def method(self) -> CopyMethod:
        return CopyMethod.TEMPLATE_WEEK if self.week.isChecked() else CopyMethod.SAME_DAY

    def _method_changed(self) -> None:
        week = self.method() is CopyMethod.TEMPLATE_WEEK
        caption = self.form.labelForField(self.template_row)
        if isinstance(caption, QLabel):
            caption.setText("Template week start" if week else "Template day")
        self.form.setRowVisible(self.template_last_row, week)
        self._changed()

    def request(self) -> CopyRequest:
        """The typed inputs; ValidationError names the first one that cannot be read."""
        first = parse_date(self.first.text(), "first", "start date")
        last = parse_date(self.last.text(), "last", "end date")
        template = parse_date(self.template.text(), "template", "template date")
        calendar = str(self.calendar.currentData() or "") or None
        holiday = None
        if calendar and self.holiday_template.text().strip():
            holiday = parse_date(self.holiday_template.text(), "holiday_template",
                                "holiday template date")
        return CopyRequest(str(self.source.currentData() or ""),
                           str(self.target.currentData() or ""), first, last, self.method(),
                           template, calendar, holiday)

    def _changed(self) -> None:
        """Any edit: the local labels now, the preview after a short pause, and a new
        confirmation if the copy replaces periods."""
        self._confirm_count = None
        self.confirm.hide()
        self.ok_button.setText(self._ok_text)
        self.preview_value = None
        self._show_local()
        self.refresh_ok()
        self.timer.start()

    def _day(self, edit: QLineEdit) -> dt.date | None:
        try:
            return dt.date.fromisoformat(edit.text().strip())
        except ValueError:
            return None

    def _show_local(self) -> None:
        first, last, template = self._day(self.first), self._day(self.last), self._day(
            self.template)
        self.first_day.setText(periods.weekday(first) if first else "")
        self.last_day.setText(periods.weekday(last) if last else "")
        self.total.setText(f"Total days: {(last - first).days + 1}"
                           if first and last and last >= first else "")
        self.template_info.setText(periods.weekday(template) if template else "")
        week_end = template + dt.timedelta(days=6) if template else None
        self.template_last.setText(f"{week_end:%Y-%m-%d}  {periods.weekday(week_end)}"
                                   if week_end else "")
        holiday = self._day(self.holiday_template)
        with_calendar = bool(self.calendar.currentData())
        self.holiday_template.setEnabled(with_calendar)
        self.holiday_info.setText(periods.weekday(holiday) if holiday and with_calendar else "")
        self.holidays.setText("")

    # ----------------------------------------------------------------------- preview

    def refresh_preview(self) -> None:
        if not self._loaded:
            return
        self.clear_errors()
        if self._external and self.target.currentData() != self.dispatch_group:
            self.show_error("target_group", self._external, focus=False)
        try:
            request = self.request()
        except ValidationError as exc:
            self.summary.setText("")
            self.show_error(exc.field, exc.message, focus=False)
            return
        self._preview_seq += 1
        self.previewing = True
        run_task(periods.preview, self.db, request, self.mode,
                 on_result=partial(self._previewed, self._preview_seq),
                 on_error=partial(self._preview_failed, self._preview_seq))

    def _previewed(self, seq: int, shown: CopyPreview) -> None:
        if seq != self._preview_seq:
            return
        self.previewing = False
        self.preview_value = shown
        self.first_day.setText(shown.first_weekday)
        self.last_day.setText(shown.last_weekday)
        self.total.setText(f"Total days: {shown.total_days}")
        self.template_info.setText(f"{shown.template_weekday} · {_periods(shown.template_count)}")
        if shown.template_last is not None:
            self.template_last.setText(
                f"{shown.template_last:%Y-%m-%d}  {shown.template_last_weekday} · "
                f"{_periods(shown.template_last_count or 0)}")
        if shown.holiday_template_weekday is not None:
            self.holiday_info.setText(f"{shown.holiday_template_weekday} · "
                                      f"{_periods(shown.holiday_template_count or 0)}")
        elif self.calendar.currentData():
            self.holiday_info.setText("blank: no periods on holidays")
        self.holidays.setText(f"{shown.holidays} holiday{'s' if shown.holidays != 1 else ''} "
                              "in range" if self.calendar.currentData() else "")
        self.summary.setText(self._summary(shown))
        if shown.blocking and self.mode == "copy":
            self.show_error("range", _blocking_text(shown), focus=False)
        self.refresh_ok()

    def _summary(self, shown: CopyPreview) -> str:
        if self.mode == "update_max":
            return (f"{shown.existing} period{'s' if shown.existing != 1 else ''} in range; "
                    f"the maximum of {shown.planned} will change.")
        if shown.blocking:
            return ""
        text = f"Will make {_periods(shown.planned)}"
        if shown.existing:
            text += f", after deleting the {shown.existing} that exist in the range"
        return text + "."

    def _preview_failed(self, seq: int, exc: BaseException) -> None:
        if seq != self._preview_seq:
            return
        self.previewing = False
        self.summary.setText("")
        if isinstance(exc, DomainError):
            self.show_error(exc.field, exc.message, focus=False)
        else:
            self.show_error(GENERAL_FIELD, f"Cannot preview: {exc}", focus=False)
        self.refresh_ok()

    def settled(self) -> bool:
        """The labels show the current inputs (no preview waiting or running)."""
        return self._loaded and not self.timer.isActive() and not self.previewing

    # ----------------------------------------------------------------------- running

    def can_submit(self) -> bool:
        shown = self.preview_value
        if shown is None:
            return False
        return not (self.mode == "copy" and shown.blocking)

    def submit(self) -> None:
        if self.timer.isActive() or self.previewing:
            return
        super().submit()

    def prepare(self) -> Callable[[], Any]:
        request = self.request()
        if self.mode == "update_max":
            return partial(periods.update_max, self.db, self.actor, request)
        return partial(periods.copy_periods, self.db, self.actor, request,
                       self._confirm_count is not None)

    def refused(self, exc: DomainError) -> None:
        if isinstance(exc, OverwriteNeedsConfirmation):
            self._confirm_count = exc.count
            self.confirm.setText(exc.message)
            self.confirm.show()
            self.fit()
            self.ok_button.setText(f"Replace {exc.count} Period{'s' if exc.count != 1 else ''}")
            self.ok_button.setFocus()
            return
        if isinstance(exc, PeriodInUse):
            self.show_error("range", exc.message)
            self.timer.start()
            return
        super().refused(exc)

    def success_message(self, result: Any) -> str:
        assert isinstance(result, CopyResult)
        return result.message


def _periods(count: int) -> str:
    return f"{count} period{'s' if count != 1 else ''}"


def _blocking_text(shown: CopyPreview) -> str:
    listed = "; ".join(p.describe() for p in shown.blocking[:4])
    more = f"; and {len(shown.blocking) - 4} more" if len(shown.blocking) > 4 else ""
    return (f"Cannot copy: {len(shown.blocking)} period{'s' if len(shown.blocking) != 1 else ''}"
            f" in the range {'have' if len(shown.blocking) != 1 else 'has'} appointments — "
            f"{listed}{more}. Cancel or move them, or choose other dates.")
