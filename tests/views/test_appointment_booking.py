"""The booking dialog (spec/50 P-AP1) driven from the keyboard as a CSR would: it opens with
the premise's two pending activities ticked and the next available periods shown first; Enter
books, Re-book then Enter moves the appointment, Del (confirmed) cancels one activity's
appointment; a period another CSR filled meanwhile says so inline and the next available
period is selected so Enter books it. The business clock is frozen at 2003-01-10 08:00."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.db import Database
from app.models.enums import UserRole
from app.services import appointments
from app.services.context import Actor
from app.views.appointment_booking import BookingDialog
from app.views.main_window import MainWindow
from tests.services.test_appointment_booking import activity, period, premise, utility
from tests.views.conftest import activate, settle

NOW = dt.datetime(2003, 1, 10, 8, 0)
FEB3 = dt.date(2003, 2, 3)
CSR = Actor("csr1", "Casey Reed", frozenset({UserRole.CSR}))


@pytest.fixture
def work(empty_db: Database) -> tuple[str, tuple[str, str], tuple[int, int, int]]:
    """A premise with a meter exchange and an investigation for 15 Jan; nothing free before
    3 Feb (08-12 room 3, 13-17 room 1), 4 Feb 08-12 room 3."""
    utility(empty_db, "METER-N")
    place = premise(empty_db, "12 Elm St")
    numbers = (activity(empty_db, place, "METER-EXCH"), activity(empty_db, place, "INVESTIGATE"))
    periods = (period(empty_db, "METER-N", FEB3, 8, 12, 3),
               period(empty_db, "METER-N", FEB3, 13, 17, 1),
               period(empty_db, "METER-N", FEB3 + dt.timedelta(days=1), 8, 12, 3))
    return place, numbers, periods


def _dialog(qtbot: QtBot, db: Database, place: str) -> BookingDialog:
    dialog = BookingDialog(None, db, CSR, place, clock=lambda: NOW)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot)
    activate(qtbot, dialog, dialog.available)
    return dialog


def _key(qtbot: QtBot, widget: object, key: Qt.Key,
         modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(widget, key, modifier)   # type: ignore[arg-type]
    settle(qtbot)


def test_a_csr_books_rebooks_and_cancels_with_the_keyboard(
        qtbot: QtBot, empty_db: Database, work: tuple[str, tuple[str, str], tuple[int, ...]],
        tmp_path: Path) -> None:
    place, (exchange, investigation), (morning, afternoon, next_day) = work
    dialog = _dialog(qtbot, empty_db, place)
    assert dialog.header.text() == f"Premise {place} · 12 Elm St, Springfield, 62701"
    assert sorted(dialog.without.ticked_keys()) == sorted([exchange, investigation])
    assert dialog.window_label.text() == "From Mon 03 Feb 2003  To Sun 09 Feb 2003"
    assert "next available periods are shown first" in dialog.search_note.text()
    assert dialog.texts(dialog.available) == [
        ["METER-N", "Mon 03 Feb 2003", "08:00", "12:00", "3 of 3"],
        ["METER-N", "Mon 03 Feb 2003", "13:00", "17:00", "1 of 1"],
        ["METER-N", "Tue 04 Feb 2003", "08:00", "12:00", "3 of 3"]]
    assert not dialog.search_error.isVisible()
    assert dialog.previous_button.isEnabled() and dialog.next_button.isEnabled()
    dialog.grab().save(str(tmp_path / "booking-open.png"))

    _key(qtbot, dialog.available, Qt.Key.Key_Return)           # books the first period
    assert dialog.message.text() == ("Booked 2 field activities for Mon 03 Feb 2003 "
                                     "08:00–12:00 (METER-N).")
    assert {r[0] for r in dialog.texts(dialog.existing)} == {exchange, investigation}
    assert {r[4] for r in dialog.texts(dialog.existing)} == {"Mon 03 Feb 2003 08:00–12:00"}
    assert dialog.without.source.rowCount() == 0 and dialog.without_empty.isVisible()

    activate(qtbot, dialog, dialog.existing)
    _key(qtbot, dialog.existing, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)   # Re-book…
    qtbot.waitUntil(lambda: dialog.rebooking is not None)     # a mnemonic animates its click
    settle(qtbot)
    assert dialog.rebooking is not None and set(dialog.rebooking) == {exchange, investigation}
    assert "select the new period and press Enter" in dialog.rebook_banner.text()
    rows = dialog.texts(dialog.available)
    assert rows[0][4] == "2 of 3 · joins"                     # where it is now
    dialog.available.selectRow(2)
    dialog.available.setFocus()
    _key(qtbot, dialog.available, Qt.Key.Key_Return)
    assert dialog.message.text() == ("Moved 2 field activities from Mon 03 Feb 2003 "
                                     "08:00–12:00 to Tue 04 Feb 2003 08:00–12:00.")
    assert dialog.rebooking is None and not dialog.rebook_banner.isVisible()
    assert {r[4] for r in dialog.texts(dialog.existing)} == {"Tue 04 Feb 2003 08:00–12:00"}
    slots = {s.period_id: s for s in appointments.period_slots(empty_db, "METER-N", FEB3,
                                                               FEB3 + dt.timedelta(days=1))}
    assert slots[morning].booked == 0

    activate(qtbot, dialog, dialog.existing)
    dialog.existing.selectRow(0)
    first = dialog.texts(dialog.existing)[0][0]
    _key(qtbot, dialog.existing, Qt.Key.Key_Delete)
    yes = dialog.confirm_button()
    assert yes is not None and dialog.confirm_box is not None
    assert dialog.confirm_box.text().startswith(f"Cancel the appointment of field activity "
                                                f"{first}")
    yes.click()
    settle(qtbot)
    assert dialog.message.text() == "Canceled the appointment of 1 field activity."
    assert [r[0] for r in dialog.texts(dialog.existing)] == \
        [n for n in (exchange, investigation) if n != first]
    assert dialog.without.ticked_keys() == [first]
    fresh = {s.period_id: s for s in appointments.period_slots(empty_db, "METER-N", FEB3,
                                                               FEB3 + dt.timedelta(days=1))}
    assert (fresh[morning].booked, fresh[afternoon].booked, fresh[next_day].booked) == (0, 0, 1)


def test_a_period_filled_meanwhile_offers_the_next_available_and_enter_books_it(
        qtbot: QtBot, empty_db: Database,
        work: tuple[str, tuple[str, str], tuple[int, ...]]) -> None:
    place, numbers, (_morning, afternoon, next_day) = work
    dialog = _dialog(qtbot, empty_db, place)
    dialog.available.selectRow(1)                              # 3 Feb 13:00–17:00, room 1
    other = premise(empty_db, "14 Elm St")                     # another CSR takes it
    appointments.book(empty_db, CSR, other, [activity(empty_db, other)], afternoon, now=NOW)
    dialog.available.setFocus()
    _key(qtbot, dialog.available, Qt.Key.Key_Return)
    assert dialog.search_error.isVisible()
    assert dialog.search_error.text() == (
        "The period Mon 03 Feb 2003 13:00–17:00 just filled — next available: "
        "Tue 04 Feb 2003 08:00–12:00 (METER-N).")                # the next after it
    assert [r[2] for r in dialog.texts(dialog.available)] == ["08:00", "08:00"]
    assert dialog.selected_slot() is not None
    assert dialog.selected_slot().period_id == next_day       # type: ignore[union-attr]
    assert dialog.without.source.rowCount() == 2
    _key(qtbot, dialog.available, Qt.Key.Key_Return)
    assert dialog.message.text() == ("Booked 2 field activities for Tue 04 Feb 2003 "
                                     "08:00–12:00 (METER-N).")
    assert sorted(r[0] for r in dialog.texts(dialog.existing)) == sorted(numbers)
    assert QApplication.activeModalWidget() is None


def test_control_central_shows_the_zone_and_opens_the_dialog_from_it_and_from_ctrl_b(
        qtbot: QtBot, empty_db: Database, tmp_path: Path) -> None:
    """With the real clock: an appointment next week shows in the account's zone with an
    "Appointment exists" alert; Enter on the zone row, and Ctrl+B, open the booking dialog on
    the premise; the button is hidden when the module is off."""
    from app.models.enums import ServiceType
    from app.services import service_agreements as sas
    from app.services.context import today
    from app.services.installation import Module
    from app.services.service_agreements import ServiceAgreementForm
    from app.views.control_central import ControlCentralPane
    from app.views.current_context import CurrentContext
    from app.views.panes import PaneContext
    from tests.services.builders import household
    from tests.views.conftest import RecordingHost

    utility(empty_db, "METER-N")
    home = household(empty_db)
    sas.create_service_agreement(empty_db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), today(), "E-RES-1"))
    week = today() + dt.timedelta(days=7)
    slot = period(empty_db, "METER-N", week, 13, 17, 3)
    work = activity(empty_db, home.premise, "METER-EXCH", week, home.electric_sp)
    appointments.book(empty_db, CSR, home.premise, [work], slot)

    pane = ControlCentralPane(PaneContext(empty_db, CSR, RecordingHost(), CurrentContext()))
    qtbot.addWidget(pane)
    pane.resize(1500, 1300)
    pane.show()
    pane.load_account(home.account)
    settle(qtbot)
    card = pane.view.zone_card("appointments")
    assert card is not None
    assert [card.table.cell_text(0, c) for c in range(6)] == [
        home.premise, f"{week:%a %d %b %Y}", "13:00–17:00", "Meter exchange", "METER-N",
        "Upcoming"]
    assert any(t.startswith("Appointment exists: ") for t in pane.view.alerts.texts())
    assert pane.book_button.isVisible()
    pane.view.ensureWidgetVisible(card)
    pane.grab().save(str(tmp_path / "control-central-appointments.png"))

    opened: list[BookingDialog] = []
    card.table.row_activated.connect(lambda _n: opened.append(
        next(w for w in pane.findChildren(BookingDialog))))
    card.table.selectRow(0)
    card.table.setFocus()
    qtbot.keyClick(card.table, Qt.Key.Key_Return)
    settle(qtbot)
    (dialog,) = opened
    assert dialog.premise_number == home.premise
    assert dialog.texts(dialog.existing)[0][0] == work
    dialog.close()
    activate(qtbot, pane, pane.view)
    qtbot.keyClick(pane.view, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert sum(d.isVisible() for d in pane.findChildren(BookingDialog)) == 1

    off = ControlCentralPane(PaneContext(empty_db, CSR, RecordingHost(), CurrentContext(),
                                         frozenset(Module) - {Module.APPOINTMENTS}))
    qtbot.addWidget(off)
    assert off.book_button.isHidden()


def test_ap_t15_no_common_dispatch_group_shows_beside_the_search(
        qtbot: QtBot, empty_db: Database) -> None:
    from app.services import dispatch_groups
    from tests.conftest import ADMIN

    utility(empty_db, "METER-N", "GAS-S")
    dispatch_groups.add_dispatch_rule(empty_db, ADMIN, "GAS-S", type_code="INVESTIGATE")
    place = premise(empty_db, "12 Elm St")
    activity(empty_db, place, "METER-EXCH")
    activity(empty_db, place, "INVESTIGATE")
    dialog = _dialog(qtbot, empty_db, place)
    assert dialog.search_error.isVisible()
    assert dialog.search_error.text().startswith(
        "No dispatch group is common to the selected field activities.")
    assert dialog.available.source.rowCount() == 0
    assert QApplication.activeModalWidget() is None



def test_the_account_tree_books_an_appointment_from_a_premise_node(
        qtbot: QtBot, open_window: Callable[[Database], MainWindow], empty_db: Database) -> None:
    from app.models.enums import ServiceType
    from app.services import service_agreements as sas
    from app.services.account_tree import NodeKind
    from app.services.service_agreements import ServiceAgreementForm
    from tests.services.builders import household
    from tests.views.test_account_tree import down_to, key, menu_choose, open_tree

    utility(empty_db, "METER-N")
    home = household(empty_db)
    sas.create_service_agreement(empty_db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), dt.date(2025, 1, 1),
        "E-RES-1"))
    window = open_window(empty_db)
    pane = open_tree(qtbot, window, home)
    down_to(qtbot, pane, NodeKind.PREMISE, "12 Elm St")
    key(qtbot, pane.tree, Qt.Key.Key_Menu)
    menu_choose(qtbot, pane, "Book appointment…")
    (dialog,) = [d for d in pane.findChildren(BookingDialog) if d.isVisible()]
    assert dialog.premise_number == home.premise
    assert dialog.without_empty.isVisible()          # nothing to book yet: New Field Activity…
    new = dialog.new_field_activity()
    settle(qtbot)
    types = [new.type_combo.itemData(i) for i in range(new.type_combo.count())]
    assert "METER-EXCH" in types and "READ-CHECK" not in types and "DOOR-HANGER" not in types
    new.type_combo.setCurrentIndex(types.index("METER-EXCH"))
    new.point.setText("12")
    new.submit()
    settle(qtbot)
    assert new.error.isVisible() and new.isVisible()          # a bad service point: inline
    new.point.setText(home.electric_sp)
    new.submit()
    settle(qtbot)
    assert not new.isVisible()
    assert [r[2] for r in dialog.texts(dialog.without)] == ["Meter exchange"]
    assert dialog.without.ticked_keys() == [dialog.texts(dialog.without)[0][1]]
    dialog.close()


def test_changing_the_ticks_searches_again_and_nothing_ticked_books_nothing(
        qtbot: QtBot, empty_db: Database,
        work: tuple[str, tuple[str, str], tuple[int, ...]]) -> None:
    place, _numbers, (_morning, afternoon, _next_day) = work
    dialog = _dialog(qtbot, empty_db, place)
    # two ticked activities: the afternoon period (room 1) takes the premise (by premises)
    assert str(afternoon) in [dialog.available.key_at(dialog.available.model().index(r, 0))
                              for r in range(dialog.available.model().rowCount())]
    dialog.without.tick_rows([])
    settle(qtbot)
    assert dialog.available.model().rowCount() == 0 and not dialog.book_button.isEnabled()
    assert dialog.search_note.text() == ("Tick the field activities to book, then Show "
                                         "Appointments.")
    dialog.without.tick_rows([0])
    settle(qtbot)
    assert dialog.available.model().rowCount() == 3 and dialog.book_button.isEnabled()
