"""Cases in Control Central's window: the AL-CASE alert and the "Cases" zone row open the
Cases pane on their case (Enter), the AL-TODO alert too; "New case…" (Ctrl+Shift+N) opens a
case on the account shown and the Cases pane shows it; the button is hidden when the Cases
module is off."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.db import Database
from app.demo.cases import INVESTIGATING, install_case_configuration
from app.services import cases
from app.services.cases import NewCase
from app.services.context import SYSTEM
from app.services.installation import Module
from app.views.case_dialogs import NewCaseDialog
from app.views.cases import CasesPane
from app.views.control_central import ControlCentralPane
from app.views.current_context import CurrentContext
from app.views.dashboard import AlertRow
from app.views.main_window import MainWindow
from app.views.panes import PaneContext
from tests.conftest import CSR
from tests.services.builders import household
from tests.views.conftest import RecordingHost, activate, settle


def _investigating(db: Database) -> tuple[str, str]:
    """(account, case number): a high-bill complaint under investigation."""
    install_case_configuration(db, SYSTEM)
    home = household(db)
    number = cases.create_case(db, CSR, NewCase(
        "HIGH-BILL", person_number=home.party, account_number=home.account,
        comments="Bill twice the usual")).number
    version = cases.load_case(db, CSR, number).version
    cases.transition_case(db, CSR, number, INVESTIGATING, version, (("READ-CHK", "Y"),))
    return home.account, number


def _control_central(qtbot: QtBot, window: MainWindow, account: str) -> ControlCentralPane:
    pane = window.open_pane("control-central")
    assert isinstance(pane, ControlCentralPane)
    pane.load_account(account)
    settle(qtbot)
    return pane


def _cases_pane(qtbot: QtBot, window: MainWindow, number: str) -> CasesPane:
    settle(qtbot)
    assert window.current_pane_name() == "cases"
    pane = window.open_pane("cases")
    assert isinstance(pane, CasesPane)
    qtbot.waitUntil(lambda: pane.detail is not None and pane.detail.number == number,
                    timeout=10_000)
    return pane


def _alert_row(pane: ControlCentralPane, code: str) -> AlertRow:
    return next(r for r in pane.view.alerts.rows if r.alert.code == code)


def test_the_case_alert_and_zone_row_open_the_cases_pane_on_the_case(
        qtbot: QtBot, empty_db: Database,
        open_window: Callable[[Database], MainWindow]) -> None:
    account, number = _investigating(empty_db)
    window = open_window(empty_db)
    pane = _control_central(qtbot, window, account)
    assert "Open case: High-bill complaint — Investigating" in pane.view.alerts.texts()
    assert "1 open To Do" in pane.view.alerts.texts()

    # the alert: Enter on it
    row = _alert_row(pane, "AL-CASE")
    activate(qtbot, window, row)
    qtbot.keyClick(row, Qt.Key.Key_Return)
    cases_pane = _cases_pane(qtbot, window, number)
    assert cases_pane.detail is not None and cases_pane.detail.status == INVESTIGATING

    # the zone row: Enter on it
    pane = _control_central(qtbot, window, account)
    card = pane.view.zone_card("cases")
    assert card is not None
    assert [card.table.cell_text(0, c) for c in (0, 1, 2)] == [
        number, "High-bill complaint", "Investigating"]
    assert window.current_pane_name() == "control-central"
    card.table.selectRow(0)
    activate(qtbot, window, card.table)
    qtbot.keyClick(card.table, Qt.Key.Key_Return)
    _cases_pane(qtbot, window, number)

    # the To Do alert opens the case its To Do belongs to
    pane = _control_central(qtbot, window, account)
    _alert_row(pane, "AL-TODO").activate()
    _cases_pane(qtbot, window, number)


def test_new_case_opens_a_case_on_the_account_shown(
        qtbot: QtBot, empty_db: Database,
        open_window: Callable[[Database], MainWindow]) -> None:
    account, _number = _investigating(empty_db)
    window = open_window(empty_db)
    pane = _control_central(qtbot, window, account)
    assert pane.new_case_button.isVisible()
    activate(qtbot, window, pane.view)
    qtbot.keyClick(pane.view, Qt.Key.Key_N,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: isinstance(pane.case_dialog, NewCaseDialog)
                    and pane.case_dialog.isVisible(), timeout=10_000)
    dialog = pane.case_dialog
    assert isinstance(dialog, NewCaseDialog)
    dialog.case_type.setCurrentIndex(dialog.case_type.findData("PAY-EXT"))
    settle(qtbot)
    assert dialog.account.text() == account
    dialog.comments.setPlainText("Asks for two more weeks to pay.")
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    found, _more = cases.search_cases(empty_db, CSR, cases.CaseSearch(
        case_type="PAY-EXT", account_number=account))
    (row,) = found
    cases_pane = _cases_pane(qtbot, window, row.number)
    assert cases_pane.detail is not None and cases_pane.detail.status == "REQUESTED"
    assert window.statusBar().currentMessage().startswith(f"Case {row.number} opened.")

    # its zone shows it, newest first
    pane = _control_central(qtbot, window, account)
    card = pane.view.zone_card("cases")
    assert card is not None and card.table.cell_text(0, 0) == row.number


def test_without_the_cases_module_there_is_no_new_case_button(
        qtbot: QtBot, empty_db: Database) -> None:
    off = ControlCentralPane(PaneContext(empty_db, CSR, RecordingHost(), CurrentContext(),
                                         frozenset(Module) - {Module.CASES}))
    qtbot.addWidget(off)
    assert off.new_case_button.isHidden()
    off.new_case()
    assert off.case_dialog is None
