"""The Appointments pane driven as a dispatcher would: the week of a dispatch group with each
period's bar "booked / max", a click on a day or a period lists its appointments, PgUp / PgDn
step through the weeks, the day sheet prints; an empty database says what to set up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.db import Database
from app.views.appointments import AppointmentsPane
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext, pane_spec
from tests.services.test_appointment_week import DISPATCHER, GROUP, MONDAY, build_week
from tests.views.conftest import RecordingHost, activate, settle

LEFT = Qt.MouseButton.LeftButton
#: The pane's clock: Tuesday of the built week, 11:00 (Monday's periods are over).
NOW = dt.datetime(2025, 3, 4, 11, 0)


def _pane(qtbot: QtBot, db: Database) -> AppointmentsPane:
    pane = AppointmentsPane(PaneContext(db, DISPATCHER, RecordingHost(), CurrentContext()))
    pane.clock = lambda: NOW
    qtbot.addWidget(pane)
    pane.resize(1400, 900)
    pane.show()
    settle(qtbot)
    return pane


def _bars(pane: AppointmentsPane, day: dt.date) -> list[tuple[str, str]]:
    column = pane.grid.column(day)
    assert column is not None
    return [(f"{b.slot.start:%H:%M}", b.text) for b in column.blocks]


def test_the_week_shows_bars_and_a_clicked_day_lists_its_appointments(
        qtbot: QtBot, empty_db: Database) -> None:
    week = build_week(empty_db)
    pane = _pane(qtbot, empty_db)
    assert pane.group() == GROUP
    pane.open_week(GROUP, MONDAY)
    settle(qtbot)
    assert pane.week_label.text() == "03 Mar – 09 Mar 2025"
    assert _bars(pane, MONDAY) == [("08:00", "2 / 2"), ("10:00", "0 / 2"), ("13:00", "0 / 3")]
    assert _bars(pane, MONDAY + dt.timedelta(days=1))[2] == ("13:00", "1 / 3")
    full = pane.grid.block(week.periods[(MONDAY, 8)])
    assert full is not None and full.accessibleName().endswith("2 of 2 booked, full (over)")
    assert full.past
    assert "3 of 35 appointments booked this week · 2 missed" in pane.subtitle.text()

    # Monday is selected (open_week's day): its two appointments, both missed
    assert pane.list_heading.text() == "2 appointments on Monday 3 March 2025"
    rows = pane.table.cell_texts()
    assert [r[1] for r in rows] == [week.premises[0], week.premises[1]]
    assert rows[0] == ["08:00–10:00", week.premises[0], "12 Elm St, Springfield, 62701",
                       "Meter exchange (Pending); High-bill investigation (Pending)",
                       "Okafor, Ngozi", "(555) 555-0101", "Missed"]
    assert pane.table.item(0, 6).foreground().color() == QColor("#c0392b")

    # a click on Tuesday's heading lists Tuesday's appointment (still to come)
    tuesday = pane.grid.column(MONDAY + dt.timedelta(days=1))
    assert tuesday is not None
    qtbot.mouseClick(tuesday.heading, LEFT)
    assert pane.list_heading.text() == "1 appointment on Tuesday 4 March 2025"
    assert pane.table.cell_texts()[0][1:] == [
        week.premises[2], "77 Birch Rd, Springfield, 62701", "Turn on service (Pending)", "—",
        "—", "Pending"]

    # a click on Monday's empty 10:00 period lists nothing; on the 08:00 one, its two
    qtbot.mouseClick(pane.grid.block(week.periods[(MONDAY, 10)]), LEFT)
    assert pane.list_heading.text().startswith("No appointments on Monday 3 March 2025, "
                                               "10:00–12:00 (0 / 2 booked)")
    assert pane.table.rowCount() == 0
    assert pane.delete_button.isEnabled() and pane.edit_button.isEnabled()
    qtbot.mouseClick(full, LEFT)
    assert pane.grid.selected_period == week.periods[(MONDAY, 8)]
    assert pane.table.rowCount() == 2


def test_keys_move_between_days_periods_and_weeks(qtbot: QtBot, empty_db: Database) -> None:
    week = build_week(empty_db)
    pane = _pane(qtbot, empty_db)
    pane.open_week(GROUP, MONDAY)
    settle(qtbot)
    activate(qtbot, pane, pane.grid)
    qtbot.keyClick(pane.grid, Qt.Key.Key_Right)
    assert pane.grid.selected_day == dt.date(2025, 3, 4)
    qtbot.keyClick(pane.grid, Qt.Key.Key_Down)
    assert pane.grid.selected_period == week.periods[(dt.date(2025, 3, 4), 8)]
    qtbot.keyClick(pane.grid, Qt.Key.Key_Down)
    qtbot.keyClick(pane.grid, Qt.Key.Key_Down)
    assert pane.grid.selected_period == week.periods[(dt.date(2025, 3, 4), 13)]
    assert pane.table.rowCount() == 1

    qtbot.keyClick(pane.grid, Qt.Key.Key_PageUp)            # the week before
    settle(qtbot)
    assert pane.first_day == dt.date(2025, 2, 24)
    assert pane.week_label.text() == "24 Feb – 02 Mar 2025"
    assert pane.grid.selected_day == dt.date(2025, 2, 25)      # the same weekday
    wednesday = pane.grid.column(dt.date(2025, 2, 26))
    assert wednesday is not None
    qtbot.mouseClick(wednesday.heading, LEFT)
    assert [r[3] for r in pane.table.cell_texts()] == ["Turn on service (Pending)"]
    assert _bars(pane, dt.date(2025, 2, 26))[1] == ("10:00", "1 / 2")

    qtbot.keyClick(pane.grid, Qt.Key.Key_PageDown)
    qtbot.keyClick(pane.grid, Qt.Key.Key_PageDown)
    settle(qtbot)
    assert pane.first_day == dt.date(2025, 3, 10)
    assert all(c.blocks == [] for c in pane.grid.columns)   # no periods that week
    qtbot.mouseClick(pane.this_week_button, LEFT)
    settle(qtbot)
    assert pane.first_day == MONDAY and pane.grid.selected_day == NOW.date()


def test_print_day_sheet_writes_the_selected_day(qtbot: QtBot, empty_db: Database,
                                                 tmp_path: Path) -> None:
    week = build_week(empty_db)
    pane = _pane(qtbot, empty_db)
    pane.open_week(GROUP, MONDAY)
    settle(qtbot)
    out = tmp_path / "monday.pdf"
    pane.print_day_sheet(out)
    settle(qtbot)
    assert pane.message.text() == f"Day sheet printed to {out}."
    text = "\n".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "Monday 3 March 2025" in text and week.premises[0] in text
    assert "Okafor, Ngozi" in text and "(555) 555-0101" in text
    assert "Meter exchange (Pending)" in text


def test_copy_and_update_max_are_off_for_an_external_group(qtbot: QtBot,
                                                          empty_db: Database) -> None:
    build_week(empty_db)
    pane = _pane(qtbot, empty_db)
    assert pane.copy_button.isEnabled() and pane.update_max_button.isEnabled()
    pane.open_week("WFM-X", MONDAY)
    settle(qtbot)
    assert pane.group() == "WFM-X"
    assert not pane.copy_button.isEnabled() and not pane.update_max_button.isEnabled()
    assert "kept by WFM" in pane.copy_button.toolTip()
    assert "periods kept by WFM" in pane.subtitle.text()


def test_an_empty_database_says_what_to_set_up(qtbot: QtBot, empty_db: Database) -> None:
    pane = _pane(qtbot, empty_db)
    assert pane.empty.isVisible() and not pane.body.isVisible()
    assert pane.empty_heading.text() == "No dispatch groups yet"
    assert "dispatch group" in pane.empty_text.text()
    assert not pane.print_button.isEnabled()


def test_the_pane_is_registered_for_the_appointments_module() -> None:
    spec = pane_spec("appointments")
    assert spec is not None and spec.title == "Appointments"
    assert spec.module is not None and spec.module.name == "APPOINTMENTS"


def test_delete_period_removes_an_empty_one_and_refuses_a_booked_one(
        qtbot: QtBot, empty_db: Database) -> None:
    week = build_week(empty_db)
    pane = _pane(qtbot, empty_db)
    pane.open_week(GROUP, MONDAY)
    settle(qtbot)
    qtbot.mouseClick(pane.grid.block(week.periods[(MONDAY, 10)]), LEFT)
    pane.delete_period(confirm=False)
    settle(qtbot)
    assert pane.message.objectName() == "inlineOk" and "deleted" in pane.message.text()
    assert _bars(pane, MONDAY) == [("08:00", "2 / 2"), ("13:00", "0 / 3")]
    qtbot.mouseClick(pane.grid.block(week.periods[(MONDAY, 8)]), LEFT)
    pane.delete_period(confirm=False)
    settle(qtbot)
    assert pane.message.objectName() == "inlineError"
    assert "08:00" in pane.message.text()
    assert _bars(pane, MONDAY) == [("08:00", "2 / 2"), ("13:00", "0 / 3")]


def test_period_dialogs_open_for_the_selected_day_and_period(qtbot: QtBot,
                                                             empty_db: Database) -> None:
    from app.views.appointment_period_dialogs import CopyPeriodsDialog, PeriodDialog

    week = build_week(empty_db)
    pane = _pane(qtbot, empty_db)
    pane.open_week(GROUP, MONDAY)
    settle(qtbot)
    added = pane.add_period()
    assert isinstance(added, PeriodDialog)
    added.reject()
    block = pane.grid.block(week.periods[(MONDAY, 13)])
    assert block is not None
    qtbot.mouseDClick(block, LEFT)                 # double-click: edit that period
    assert pane.grid.selected_period == week.periods[(MONDAY, 13)]
    edited = [d for d in pane.findChildren(PeriodDialog) if d.isVisible()]
    assert len(edited) == 1 and edited[0] is not added
    edited[0].reject()
    copy = pane.copy_periods("update_max")
    assert isinstance(copy, CopyPeriodsDialog)
    qtbot.waitUntil(lambda: not copy.timer.isActive(), timeout=5_000)    # its preview ran
    settle(qtbot)
    copy.reject()


def test_screenshot_opens_the_busiest_week(empty_db: Database, db_url: str,
                                           tmp_path: Path) -> None:
    from app.views.screenshot import take_screenshot

    build_week(empty_db)
    out = tmp_path / "ap.png"
    assert take_screenshot("appointments", out, db_url) == 0
    assert out.stat().st_size > 10_000


def test_complete_visit_records_a_late_arrival_and_credits_the_customer_once(
        qtbot: QtBot, empty_db: Database) -> None:
    week = build_week(empty_db)
    pane = _pane(qtbot, empty_db)
    pane.open_week(GROUP, MONDAY)
    settle(qtbot)
    assert not pane.complete_button.isEnabled()                  # nothing chosen yet
    pane.table.selectRow(0)                                      # Okafor, Mon 08–10, missed
    assert pane.complete_button.isEnabled()
    dialog = pane.complete_visit()
    assert dialog is not None
    activate(qtbot, dialog, focus=dialog.arrival_time)
    assert dialog.arrival_day.text() == "2025-03-03" and dialog.arrival_time.text() == "10:00"
    dialog.arrival_time.selectAll()
    qtbot.keyClicks(dialog.arrival_time, "1o:40")
    qtbot.keyClick(dialog.arrival_time, Qt.Key.Key_Return)
    settle(qtbot)
    assert "'1o:40' is not a time" in dialog.error_text("arrival_time")
    dialog.arrival_time.selectAll()
    qtbot.keyClicks(dialog.arrival_time, "10:40")
    qtbot.keyClick(dialog.arrival_time, Qt.Key.Key_Return)
    settle(qtbot)
    assert pane.message.text() == (
        f"Completed 2 field activities at premise {week.premises[0]}; the crew arrived after "
        "10:00, so 25.00 was credited to the customer's account for the missed appointment.")
    rows = pane.table.cell_texts()
    assert rows[0][3:] == ["Meter exchange (Complete); High-bill investigation (Complete)",
                           "Okafor, Ngozi", "(555) 555-0101", "Complete"]
    with empty_db.engine.connect() as conn:           # one credit for the one missed visit
        credits = conn.execute(text("SELECT amount FROM adjustment")).scalars().all()
    assert [Decimal(str(c)) for c in credits] == [Decimal("-25.00")]
