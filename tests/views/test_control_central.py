"""Control Central driven like a CSR: type, Enter, arrows, Enter; read the 360° view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.db import Database, open_database
from app.demo import generate
from app.models.enums import RoleTarget, RoleType
from app.services import control_central, financials, roles
from app.services.roles import RoleForm
from app.services.search import SearchKind, search
from app.views.control_central import NO_AUTHORITY, ControlCentralPane
from app.views.current_context import CurrentAccount
from app.views.main_window import MainWindow
from tests.conftest import CSR
from tests.services.builders import household
from tests.views.conftest import PEOPLE, activate, settle

Opener = Callable[[Database], MainWindow]


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path}/demo.sqlite")
    generate(db, 60, seed=3)
    yield db
    db.dispose()


def _pane(qtbot: QtBot, window: MainWindow) -> ControlCentralPane:
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    pane = window.tabs.currentWidget()
    assert isinstance(pane, ControlCentralPane)  # Ctrl+2 opens it
    settle(qtbot)
    return pane


def _search(qtbot: QtBot, pane: ControlCentralPane, text: str) -> None:
    pane.field.setFocus()
    pane.field.selectAll()
    qtbot.keyClick(pane.field, Qt.Key.Key_Delete)
    qtbot.keyClicks(pane.field, text)
    qtbot.keyClick(pane.field, Qt.Key.Key_Return)
    settle(qtbot)


def _grid(pane: ControlCentralPane) -> list[list[str]]:
    model = pane.table.model()
    return [[str(model.index(r, c).data()) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def _authority_caller(db: Database) -> tuple[str, str, str]:
    """Okafor's account gets Okonkwo as payer: (account, owner party, payer party)."""
    hits = {h.party_name: h for h in search(db, "ok").hits}
    account = hits["Okafor, Ngozi"].account_number
    assert account is not None
    payer = hits["Okonkwo, Chidi"].party_number
    roles.add_role(db, CSR, RoleForm(payer, RoleType.PAYER, RoleTarget.ACCOUNT, account,
                                     dt.date(2025, 2, 1)))
    return account, hits["Okafor, Ngozi"].party_number, payer


# ------------------------------------------------------------------------------- empty state

def test_before_any_search_the_pane_says_what_can_be_typed(qtbot: QtBot, open_window: Opener,
                                                            small_db: Database) -> None:
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    assert window.view_actions["control-central"].text() == "Control Central"
    assert window.view_actions["control-central"].shortcut().toString() == "Ctrl+2"
    assert pane.current_view() == "empty"
    shown = " ".join(w.text() for w in pane.empty_page.findChildren(type(pane.note)))
    for what in ("last name first", "10-digit ID", "postal code", "Phone", "E-mail",
                 "Meter badge"):
        assert what in shown
    kinds = [pane.kind_combo.itemText(i) for i in range(pane.kind_combo.count())]
    assert kinds[0] == "Recognise automatically"
    assert len(kinds) == 1 + len(SearchKind)
    assert "Postal code" in kinds and "Meter badge / POD" in kinds


# ------------------------------------------------------------------------ search to 360° view

def test_name_enter_arrow_enter_shows_the_accounts_balance_and_alerts(
    qtbot: QtBot, open_window: Opener, demo_db: Database
) -> None:
    window = open_window(demo_db)
    pane = _pane(qtbot, window)
    _search(qtbot, pane, "Andrews")
    assert pane.current_view() == "results"
    assert pane.note.text() == "'Andrews' recognised as a name"
    rows = _grid(pane)
    assert [r[0] for r in rows] == ["Andrews, Maria", "Andrews, Matthew"]
    assert all(r[3] == "Active" and len(r[2]) == 10 for r in rows)
    assert pane.table.hasFocus()

    qtbot.keyClick(pane.table, Qt.Key.Key_Down)
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    assert pane.busy and pane.busy_label.text() == f"Loading account {rows[1][2]}…"
    settle(qtbot)
    assert pane.current_view() == "account"
    assert not pane.busy
    number = rows[1][2]
    dashboard = control_central.account_dashboard(demo_db, number)
    balance = financials.account_balance(demo_db, number)
    assert pane.header.title.text() == "Andrews, Matthew"
    assert pane.view.summary.balance.text() == f"{balance:,.2f} USD"
    assert pane.view.alerts.texts() == [a.text for a in sorted(
        dashboard.alerts, key=lambda a: {"high": 0, "medium": 1}.get(a.severity, 2))]
    assert [pane.view.agreements.table.cell_text(r, 0)
            for r in range(len(dashboard.agreements))] == [a.number for a in dashboard.agreements]
    # the account is everybody's current account now
    current = window.current.account
    assert current is not None and current.account_number == number
    described = f" ({dashboard.summary.description})" if dashboard.summary.description else ""
    assert current.label == f"Andrews, Matthew · account {number}{described}"
    assert current.main_party_number == dashboard.summary.main_party_number


def test_high_alerts_come_first_and_a_click_opens_the_drill(
    qtbot: QtBot, open_window: Opener, demo_db: Database
) -> None:
    number = next(n for n in _account_numbers(demo_db)
                  if len(control_central.account_dashboard(demo_db, n).alerts) >= 3)
    window = open_window(demo_db)
    pane = _pane(qtbot, window)
    _search(qtbot, pane, number)  # an account ID loads the account at once
    assert pane.current_view() == "account"
    severities = [row.alert.severity for row in pane.view.alerts.rows]
    assert severities == sorted(severities, key=lambda s: {"high": 0, "medium": 1}.get(s, 2))
    drilled = next(row for row in pane.view.alerts.rows if row.alert.drill is not None)
    kind, target = drilled.alert.drill or ("", "")
    qtbot.mouseClick(drilled, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert window.current_pane_name() == "record"
    record = window.tabs.currentWidget()
    assert record.key == (kind, target)  # type: ignore[attr-defined]


def _account_numbers(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT number FROM account ORDER BY id"))]


def test_an_account_id_loads_the_360_view_directly(qtbot: QtBot, open_window: Opener,
                                                   demo_db: Database) -> None:
    number = _account_numbers(demo_db)[0]
    dashboard = control_central.account_dashboard(demo_db, number)
    window = open_window(demo_db)
    pane = _pane(qtbot, window)
    _search(qtbot, pane, number)
    assert pane.current_view() == "account"
    assert pane.note.text() == f"'{number}' searched as an ID"
    assert pane.header.title.text() == dashboard.summary.customer_name
    assert pane.header.subtitle.text().startswith(f"Account {number}")
    assert pane.view.summary.values["Invoicing"].text() == dashboard.summary.invoicing_mode
    # the search's rows (the account's parties) stay one Alt+Up away
    qtbot.keyClick(pane.view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert pane.current_view() == "results"
    assert {r[2] for r in _grid(pane)} == {number}
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    settle(qtbot)
    assert pane.current_view() == "account"
    # the roles table shows who may act
    authority = [pane.view.roles.table.cell_text(r, 4) for r in range(len(dashboard.roles))]
    assert [a.startswith("✔") for a in authority] == [r.has_authority for r in dashboard.roles]
    assert authority[0] == "✔ can act"  # the owner comes first


def test_the_financial_history_has_24_months_in_chart_and_table(
    qtbot: QtBot, open_window: Opener, demo_db: Database
) -> None:
    number = control_central.showcase_account(demo_db)
    assert number is not None
    dashboard = control_central.account_dashboard(demo_db, number)
    window = open_window(demo_db)
    pane = _pane(qtbot, window)
    pane.load_account(number)
    settle(qtbot)
    chart = pane.view.chart
    assert chart.point_count() == 24
    assert len(chart.bars.opts["height"]) == 24
    assert len(chart.consumption_values()) == 24
    assert chart.current_unit() == "KWH" and "kWh" in chart.legend.text()
    table = pane.view.months
    assert table.model().rowCount() == 24
    newest = dashboard.financials[-1]
    assert table.cell_text(0, 0) == f"{newest.month:%b %Y}"
    assert table.cell_text(0, 1) == f"{newest.billed:,.2f}"
    ticks = chart.plot.getPlotItem().getAxis("bottom")._tickLevels[0]
    assert any(text.startswith("Jan 20") for _x, text in ticks)


# ----------------------------------------------------------------------------- inline errors

def test_a_bad_check_digit_is_explained_under_the_field(qtbot: QtBot, open_window: Opener,
                                                         small_db: Database) -> None:
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    _search(qtbot, pane, "1234567890")
    assert pane.search_message.isVisible()
    assert "check digit" in pane.search_message.text()
    field_bottom = pane.field.mapTo(pane, pane.field.rect().bottomLeft())
    assert 0 <= pane.search_message.y() - field_bottom.y() <= 12
    assert pane.current_view() == "empty"
    assert not QApplication.topLevelWidgets() or not any(
        isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets())
    qtbot.keyClicks(pane.field, "1")
    assert not pane.search_message.isVisible()


@pytest.mark.parametrize(("typed", "said"), [
    ("*", "would match every customer"),
    ("#12", "pick what kind of key it is"),
])
def test_searches_that_cannot_run_say_why(qtbot: QtBot, open_window: Opener,
                                          small_db: Database, typed: str, said: str) -> None:
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    _search(qtbot, pane, typed)
    assert pane.search_message.isVisible() and said in pane.search_message.text()


def test_a_chosen_kind_is_used_and_shown(qtbot: QtBot, open_window: Opener,
                                        small_db: Database) -> None:
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    pane.kind_combo.setCurrentIndex(pane.kind_combo.findText("Postal code"))
    _search(qtbot, pane, "62701")
    assert pane.note.text() == "'62701' searched as postal code"
    rows = _grid(pane)
    assert sorted(r[4] for r in rows) == ["12 Elm St, Springfield 62701",
                                          "3 Oak Ave, Springfield 62701",
                                          "77 Birch Rd, Springfield 62701"]
    assert {r[0] for r in rows} == {"— no customer —"}  # no agreement links them to anyone yet
    # a row without an account opens the premise's record
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    settle(qtbot)
    assert window.current_pane_name() == "record"
    assert window.tabs.currentWidget().key[0] == "Premise"  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------ paging

def test_next_and_previous_pages_with_buttons_and_keys(qtbot: QtBot, open_window: Opener,
                                                       small_db: Database) -> None:
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    pane.page_size = 1
    _search(qtbot, pane, "ok")
    assert [r[0] for r in _grid(pane)] == ["Okafor, Ngozi"]
    assert pane.page_label.text() == "Page 1 · 1 row · more…"
    assert not pane.previous_button.isEnabled() and pane.next_button.isEnabled()

    qtbot.keyClick(pane.table, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert [r[0] for r in _grid(pane)] == ["Okonkwo, Chidi"]
    assert pane.page_label.text() == "Page 2 · 1 row"
    assert pane.previous_button.isEnabled() and not pane.next_button.isEnabled()

    qtbot.mouseClick(pane.previous_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert [r[0] for r in _grid(pane)] == ["Okafor, Ngozi"]
    qtbot.mouseClick(pane.next_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert pane.page_label.text() == "Page 2 · 1 row"
    qtbot.keyClick(pane.table, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert pane.page_label.text() == "Page 1 · 1 row · more…"


def test_results_sort_by_clicking_a_header(qtbot: QtBot, open_window: Opener,
                                          small_db: Database) -> None:
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    _search(qtbot, pane, "ok")
    header = pane.table.horizontalHeader()
    person = QPoint(header.sectionViewportPosition(0) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=person)
    first = [r[0] for r in _grid(pane)]
    assert first == sorted(first)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=person)
    assert [r[0] for r in _grid(pane)] == list(reversed(first))


# ------------------------------------------------------------------------------------ caller

def test_a_caller_without_authority_is_warned_about(qtbot: QtBot, open_window: Opener,
                                                    small_db: Database) -> None:
    account, owner, payer = _authority_caller(small_db)
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    _search(qtbot, pane, account)
    assert pane.current_view() == "account"
    callers = [pane.header.caller_combo.itemText(i) for i in range(pane.header.caller_combo.count())]
    assert callers[0] == "Unknown caller"
    assert "Okafor, Ngozi — Owner" in callers[1]
    assert any(c.startswith("Okonkwo, Chidi — Payer") and "no authority" in c for c in callers)
    assert not pane.header.caller_warning.isVisible()

    # keyboard on the combo: Down moves to the next caller, as the CSR picks who is calling
    pane.header.caller_combo.setFocus()
    while pane.header.caller_combo.currentText().split(" — ")[0] != "Okonkwo, Chidi":
        qtbot.keyClick(pane.header.caller_combo, Qt.Key.Key_Down)
    settle(qtbot)
    assert pane.header.caller_warning.isVisible()
    assert pane.header.caller_warning.text() == NO_AUTHORITY
    current = window.current.account
    assert current is not None and current.caller is not None
    assert current.caller.party_number == payer and not current.caller_has_authority
    expected = control_central.account_dashboard(small_db, account, payer).alerts
    caller_alert = next(a for a in expected if a.code == "AL-CALLER")
    assert "Okonkwo, Chidi" in caller_alert.text
    assert pane.view.alerts.texts()[0] == caller_alert.text  # a high alert: shown first

    pane.select_caller(owner)
    settle(qtbot)
    assert not pane.header.caller_warning.isVisible()
    assert window.current.account is not None and window.current.account.caller_has_authority
    assert pane.dashboard is not None and pane.dashboard.alerts
    assert not any(a.code == "AL-CALLER" for a in pane.dashboard.alerts)
    assert window.context_bar.text.text().endswith("Caller: Okafor, Ngozi (Owner)")


# -------------------------------------------------------------------------------- navigation

def test_back_to_results_and_history(qtbot: QtBot, open_window: Opener,
                                     small_db: Database) -> None:
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    _search(qtbot, pane, "ok")
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    settle(qtbot)
    assert pane.current_view() == "account" and pane.header.title.text() == "Okafor, Ngozi"
    assert pane.header.back_button.isVisible()

    qtbot.keyClick(pane.view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert pane.current_view() == "results"
    assert [r[0] for r in _grid(pane)] == ["Okafor, Ngozi", "Okonkwo, Chidi"]
    assert pane.table.hasFocus()

    qtbot.keyClick(pane.table, Qt.Key.Key_Down)
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    settle(qtbot)
    assert pane.header.title.text() == "Okonkwo, Chidi"

    # Alt+Left walks back: results, Okafor's account, results, …; Alt+Right comes forward
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert pane.current_view() == "results"
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert pane.current_view() == "account" and pane.header.title.text() == "Okafor, Ngozi"
    assert window.current.account is not None
    assert window.current.account.label.startswith("Okafor, Ngozi · account")
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert pane.current_view() == "account" and pane.header.title.text() == "Okonkwo, Chidi"
    assert not window.forward_action.isEnabled()


def test_a_search_from_the_main_window_and_another_panes_account(
    qtbot: QtBot, open_window: Opener, small_db: Database
) -> None:
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    pane.search_for("Lindqvist", SearchKind.NAME)
    settle(qtbot)
    assert pane.field.text() == "Lindqvist"
    assert pane.kind_combo.currentText() == "Name"
    assert pane.header.title.text() == "Lindqvist, Maja"  # one account: loaded at once
    assert pane.note.text() == "'Lindqvist' searched as name"

    other = search(small_db, "Okonkwo").hits[0].account_number
    assert other is not None
    window.open_pane("home")
    window.current.set_account(CurrentAccount(other, "Okonkwo, Chidi · account"))
    settle(qtbot)
    assert pane.header.title.text() == "Lindqvist, Maja"  # not shown yet: nothing loaded behind
    window.open_pane("control-central")
    settle(qtbot)
    assert pane.header.title.text() == "Okonkwo, Chidi"
    assert pane.account_number == other


def test_another_account_of_the_customer_opens_with_a_click(
    qtbot: QtBot, open_window: Opener, demo_db: Database
) -> None:
    number = next(n for n in _account_numbers(demo_db)
                  if control_central.account_dashboard(demo_db, n).other_accounts)
    others = control_central.account_dashboard(demo_db, number).other_accounts
    window = open_window(demo_db)
    pane = _pane(qtbot, window)
    pane.load_account(number)
    settle(qtbot)
    table = pane.view.others.table
    index = table.model().index(0, 0)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(index).center())
    settle(qtbot)
    assert pane.account_number == others[0][0]
    assert pane.header.subtitle.text().startswith(f"Account {others[0][0]}")


def test_open_in_account_tree_keeps_the_context(qtbot: QtBot, open_window: Opener,
                                               small_db: Database) -> None:
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    _search(qtbot, pane, "Lindqvist")
    number = pane.account_number
    qtbot.keyClick(pane.view, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert window.current.account is not None
    assert window.current.account.account_number == number
    assert window.current_pane_name() == "account-tree"


# ------------------------------------------------------------------------- on both backends

def test_search_open_and_caller_on_each_backend(qtbot: QtBot, db: Database) -> None:
    """The same CSR path on SQLite and (with SWITCHBOARD_TEST_PG_URL) on PostgreSQL."""
    for last, first, street in PEOPLE:
        household(db, last, first, street)
    account, _owner, payer = _authority_caller(db)
    window = MainWindow(db, CSR)  # a shared database has no operating-system login
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    activate(qtbot, window)
    settle(qtbot)
    pane = _pane(qtbot, window)
    _search(qtbot, pane, "okaf")
    assert pane.current_view() == "account"  # one account: loaded at once
    assert pane.header.title.text() == "Okafor, Ngozi"
    assert pane.account_number == account
    assert pane.view.summary.balance.text() == "0.00 USD"
    _search(qtbot, pane, "ok")
    assert [r[0] for r in _grid(pane)] == ["Okafor, Ngozi", "Okonkwo, Chidi", "Okonkwo, Chidi"]
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    settle(qtbot)
    pane.select_caller(payer)
    settle(qtbot)
    assert pane.header.caller_warning.isVisible()
    assert pane.view.alerts.rows[0].alert.code == "AL-CALLER"


def test_merge_into_opens_the_merge_dialog_with_the_selected_person(
    qtbot: QtBot, open_window: Opener, small_db: Database
) -> None:
    window = open_window(small_db)  # the first local user is an administrator
    pane = _pane(qtbot, window)
    _search(qtbot, pane, "ok")
    qtbot.keyClick(pane.table, Qt.Key.Key_Down)
    hit = pane.selected_hit()
    assert hit is not None and hit.party_name == "Okonkwo, Chidi"
    assert pane.merge_button.isVisible() and pane.merge_button.isEnabled()
    qtbot.mouseClick(pane.merge_button, Qt.MouseButton.LeftButton)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if w.isVisible() and w.windowTitle().lower().startswith("merge"))
    assert hit.party_number in {edit.text() for edit in dialog.findChildren(QLineEdit)}
    dialog.reject()


def test_merge_into_is_for_supervisors_only(qtbot: QtBot, small_db: Database) -> None:
    window = MainWindow(small_db, CSR)
    qtbot.addWidget(window)
    window.show()
    pane = window.open_pane("control-central")
    assert isinstance(pane, ControlCentralPane)
    assert pane.merge_button.isHidden()


def test_ctrl_n_opens_the_new_customer_dialog(qtbot: QtBot, open_window: Opener,
                                             small_db: Database) -> None:
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    pane.field.setFocus()
    qtbot.keyClick(pane.field, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if w.isVisible() and w.windowTitle() == "New customer")
    dialog.reject()


def test_the_context_bar_follows_the_account_and_a_save_elsewhere_refreshes_the_view(
        qtbot: QtBot, open_window: Opener, small_db: Database) -> None:
    window = open_window(small_db)
    assert window.context_bar.text.text().startswith("No account chosen")
    pane = _pane(qtbot, window)
    _search(qtbot, pane, "Lindqvist")
    number = pane.account_number
    assert number is not None and pane.dashboard is not None
    assert window.context_bar.text.text().startswith("Working on ")
    assert "Caller: unknown" in window.context_bar.text.text()
    roles_before = len(pane.dashboard.roles)
    other = next(h.party_number for h in search(small_db, "okafor").hits)
    roles.add_role(small_db, CSR, RoleForm(other, RoleType.PAYER, RoleTarget.ACCOUNT, number,
                                           dt.date(2025, 1, 1)))
    window.current.notify_saved(number)  # what a dialog does after its save
    settle(qtbot)
    assert len(pane.dashboard.roles) == roles_before + 1
    assert "Okafor, Ngozi" in {r.party_name for r in pane.dashboard.roles}
    qtbot.mouseClick(window.context_bar.clear_button, Qt.MouseButton.LeftButton)
    assert window.current.account is None
    assert window.context_bar.text.text().startswith("No account chosen")
