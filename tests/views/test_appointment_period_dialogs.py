"""The appointment period dialogs driven as a dispatcher would: the Copy dialog filled by
keyboard for AP-T08 (weekday and count labels, 88 periods made), the overwrite confirmation
step, a booked target period shown inline, Update Max, and adding/editing one period."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.db import Database
from app.models import AppointmentPeriod
from app.models.enums import UserRole
from app.services import appointment_periods as ap
from app.services import dispatch_groups, field_activities
from app.services.appointments import book, period_slots
from app.services.context import Actor
from app.services.field_activities import FieldActivityForm
from app.views.appointment_period_dialogs import CopyPeriodsDialog, PeriodDialog
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext
from tests.conftest import SUPERVISOR
from tests.services.builders import household
from tests.views.conftest import RecordingHost, activate, settle

DISPATCHER = Actor("disp1", "Dana Ortiz", frozenset({UserRole.DISPATCHER}))
W = dt.date(2003, 12, 8)
BANDS = ((8, 10), (10, 12), (13, 15), (15, 17))


def _ctx(db: Database) -> PaneContext:
    """The pane context a dispatcher's dialog gets (the Appointments pane passes its own)."""
    return PaneContext(db, DISPATCHER, RecordingHost(), CurrentContext())


def _day(db: Database, group: str, day: dt.date, most: int = 3) -> list[int]:
    return [ap.add_period(db, DISPATCHER, group, dt.datetime.combine(day, dt.time(a)),
                          dt.datetime.combine(day, dt.time(b)), most) for a, b in BANDS]


@pytest.fixture
def groups(empty_db: Database) -> Database:
    """SRC with AP-T08's template week (Mon–Fri four periods, max 3), NEW-SVC empty, and an
    external group."""
    db = empty_db
    dispatch_groups.create_operations_area(db, SUPERVISOR, "SPRING", "Springfield", ("627",))
    dispatch_groups.create_dispatch_group(db, SUPERVISOR, "NEW-SVC", "New service crew",
                                          "SPRING")
    dispatch_groups.create_dispatch_group(db, SUPERVISOR, "SRC", "Template crew", "SPRING")
    dispatch_groups.create_dispatch_group(db, SUPERVISOR, "WFM-X", "Contractor crews",
                                          "SPRING", external_system="WFM")
    dispatch_groups.add_dispatch_rule(db, SUPERVISOR, "NEW-SVC")
    for n in range(5):
        _day(db, "SRC", W + dt.timedelta(days=n))
    return db


def _count(db: Database, group: str) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(AppointmentPeriod)
                              .where(AppointmentPeriod.dispatch_group_code == group)) or 0


def _open_copy(qtbot: QtBot, db: Database, mode: str = "copy") -> CopyPeriodsDialog:
    dialog = CopyPeriodsDialog(None, _ctx(db), "NEW-SVC", mode)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot)
    return dialog


def _previewed(qtbot: QtBot, dialog: CopyPeriodsDialog) -> None:
    qtbot.waitUntil(dialog.settled, timeout=10_000)


def _fill(dialog: CopyPeriodsDialog, first: str, last: str, template: str,
          same_day: bool = False) -> None:
    dialog.source.setCurrentIndex(dialog.source.findData("SRC"))
    dialog.first.setText(first)
    dialog.last.setText(last)
    (dialog.same if same_day else dialog.week).setChecked(True)
    dialog.template.setText(template)


def test_copy_ap_t08_by_keyboard(qtbot: QtBot, groups: Database) -> None:
    dialog = _open_copy(qtbot, groups)
    assert [dialog.target.itemData(i) for i in range(dialog.target.count())] == [
        "NEW-SVC", "SRC"]                                   # AP-R14: no external target
    activate(qtbot, dialog, dialog.source)
    qtbot.keyClicks(dialog.source, "S")
    assert dialog.source.currentData() == "SRC"
    qtbot.keyClick(dialog.source, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.target
    assert dialog.target.currentData() == "NEW-SVC"
    qtbot.keyClick(dialog.target, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.first
    qtbot.keyClicks(dialog.first, "2004-01-01")             # Tab selected the old date
    qtbot.keyClick(dialog.first, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.last, "2004-01-31")
    qtbot.keyClick(dialog.last, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.week and dialog.week.isChecked()
    qtbot.keyClick(dialog.week, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.template
    qtbot.keyClicks(dialog.template, "2003-12-08")
    _previewed(qtbot, dialog)
    assert (dialog.first_day.text(), dialog.last_day.text(), dialog.total.text()) == (
        "Thursday", "Saturday", "Total days: 31")
    assert dialog.template_info.text() == "Monday · 4 periods"
    assert dialog.template_last.text() == "2003-12-14  Sunday · 0 periods"
    assert dialog.summary.text() == "Will make 88 periods."
    qtbot.wait(50)
    dialog.grab().save("/tmp/copy_periods_dialog.png")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(dialog.template, Qt.Key.Key_Return)
    assert _count(groups, "NEW-SVC") == 88
    assert "Made 88 periods for NEW-SVC" in dialog.message


def test_overwrite_asks_for_confirmation(qtbot: QtBot, groups: Database) -> None:
    for n in range(5):
        _day(groups, "NEW-SVC", dt.date(2004, 1, 5) + dt.timedelta(days=n), most=9)
    dialog = _open_copy(qtbot, groups)
    _fill(dialog, "2004-01-05", "2004-01-09", "2003-12-08")
    _previewed(qtbot, dialog)
    assert dialog.summary.text() == ("Will make 20 periods, after deleting the 20 that exist "
                                     "in the range.")
    activate(qtbot, dialog, dialog.template)
    qtbot.keyClick(dialog.template, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.confirm.isVisible(), timeout=10_000)
    assert "20 appointment periods already exist" in dialog.confirm.text()
    assert dialog.ok_button.text() == "Replace 20 Periods"
    assert dialog.isVisible() and _count(groups, "NEW-SVC") == 20
    qtbot.wait(50)
    dialog.grab().save("/tmp/copy_periods_confirm.png")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    maxima = {s.max_appointments for s in period_slots(
        groups, "NEW-SVC", dt.date(2004, 1, 5), dt.date(2004, 1, 9))}
    assert maxima == {3} and _count(groups, "NEW-SVC") == 20


def test_a_booked_target_is_shown_inline_and_blocks(qtbot: QtBot, groups: Database) -> None:
    ids = _day(groups, "NEW-SVC", dt.date(2004, 1, 6))
    home = household(groups)
    activity = field_activities.create_field_activity(
        groups, DISPATCHER, FieldActivityForm(home.premise, "CONNECT", dt.date(2004, 1, 6)))
    book(groups, DISPATCHER, home.premise, [activity], ids[2],
         now=dt.datetime(2003, 12, 1, 8))
    dialog = _open_copy(qtbot, groups)
    _fill(dialog, "2004-01-05", "2004-01-09", "2003-12-08")
    _previewed(qtbot, dialog)
    shown = dialog.error_text("range")
    assert shown.startswith("Cannot copy: 1 period in the range has appointments")
    assert "Tue 06 Jan 2004 13:00–15:00" in shown and activity in shown
    assert not dialog.ok_button.isEnabled()
    qtbot.wait(50)
    dialog.grab().save("/tmp/copy_periods_blocked.png")
    dialog.last.setText("2004-01-05")                       # a range without the booked day
    _previewed(qtbot, dialog)
    assert dialog.error_text("range") == "" and dialog.ok_button.isEnabled()


def test_update_max_mode(qtbot: QtBot, groups: Database) -> None:
    _day(groups, "NEW-SVC", dt.date(2004, 1, 5), most=1)
    dialog = _open_copy(qtbot, groups, "update_max")
    assert dialog.ok_button.text() == "Update Max"
    _fill(dialog, "2004-01-01", "2004-01-31", "2003-12-08")
    _previewed(qtbot, dialog)
    assert dialog.summary.text() == "4 periods in range; the maximum of 4 will change."
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.ok_button.click()
    assert {s.max_appointments for s in period_slots(
        groups, "NEW-SVC", dt.date(2004, 1, 5), dt.date(2004, 1, 5))} == {3}


def test_holiday_calendar_shows_holidays_in_range(qtbot: QtBot, groups: Database) -> None:
    ap.create_calendar(groups, DISPATCHER, "US-IL", "Illinois")
    ap.add_holidays(groups, DISPATCHER, "US-IL", [(dt.date(2004, 1, 1), "New Year's Day"),
                                                  (dt.date(2004, 1, 19), "MLK Day")])
    dialog = _open_copy(qtbot, groups)
    _fill(dialog, "2004-01-01", "2004-01-31", "2003-12-08")
    dialog.calendar.setCurrentIndex(dialog.calendar.findData("US-IL"))
    _previewed(qtbot, dialog)
    # No holiday template: the crews are off on holidays (20 weekdays × 4 periods).
    assert dialog.holiday_info.text() == "blank: no periods on holidays"
    assert dialog.summary.text() == "Will make 80 periods."
    dialog.holiday_template.setText("2003-12-10")
    _previewed(qtbot, dialog)
    assert dialog.holidays.text() == "2 holidays in range"
    assert dialog.holiday_info.text() == "Wednesday · 4 periods"
    assert dialog.summary.text() == "Will make 88 periods."
    qtbot.wait(50)
    dialog.grab().save("/tmp/copy_periods_holidays.png")


def test_add_and_edit_one_period(qtbot: QtBot, groups: Database) -> None:
    day = dt.date(2004, 2, 2)
    dialog = PeriodDialog(None, _ctx(groups), "NEW-SVC", None, day)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog, dialog.start_date)
    assert dialog.weekday.text() == "Monday"
    qtbot.keyClick(dialog.start_date, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.start_time, "13:00")
    qtbot.keyClick(dialog.start_time, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.end_time, "12:00")
    qtbot.keyClick(dialog.end_time, Qt.Key.Key_Return)
    settle(qtbot)                                 # the service says so
    assert "end after it starts" in dialog.error_text("end_time")
    dialog.end_time.setText("17:00")
    qtbot.wait(50)
    dialog.grab().save("/tmp/period_dialog.png")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(dialog.end_time, Qt.Key.Key_Return)
    (slot,) = period_slots(groups, "NEW-SVC", day, day)
    assert (slot.start, slot.end, slot.max_appointments) == (
        dt.datetime(2004, 2, 2, 13), dt.datetime(2004, 2, 2, 17), 3)

    edit = PeriodDialog(None, _ctx(groups), "NEW-SVC", slot, None)
    qtbot.addWidget(edit)
    edit.show()
    edit.maximum.setValue(6)
    with qtbot.waitSignal(edit.accepted, timeout=10_000):
        edit.ok_button.click()
    (slot,) = period_slots(groups, "NEW-SVC", day, day)
    assert (slot.max_appointments, slot.version) == (6, 2)
    assert edit.message == "Saved Mon 02 Feb 2004 13:00–17:00."
