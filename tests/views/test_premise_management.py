"""The Premise Management pane driven like a CSR: choose filters with the keyboard, Enter, read
the grid, tick with Space / Ctrl+A, and run the mass actions through their dialogs; what was
saved is read back through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget
from pytestqt.qtbot import QtBot

from app.db import Database
from app.models.enums import PremiseType, SAStatus, ServiceType
from app.services import premises
from app.services import service_agreements as sas
from app.services.account_tree import NodeKind
from app.services.installation import Module, module_enabled, set_module_enabled
from app.services.premise_start_stop import MassStartRequest, mass_start
from app.views.account_tree import PREMISE_MANAGEMENT_ENTRY
from app.views.main_window import MainWindow
from app.views.premise_dialogs import (
    STALE,
    MassAssignParentDialog,
    StartGroupsDialog,
    StopGroupsDialog,
)
from app.views.premise_management import NO_ROLE, PremiseManagementPane
from app.views.record import RecordPane
from tests.conftest import ADMIN, CSR, WAREHOUSE
from tests.services.test_premise_management import _org_account, _premise, _refs, _supply
from tests.services.test_premise_start_stop import _complex
from tests.views.conftest import activate, settle
from tests.views.test_account_tree import build_utility, down_to, key, menu_choose, open_tree

Opener = Callable[[Database], MainWindow]
MOVE_IN = dt.date(2026, 1, 1)
E, G = ServiceType.ELECTRIC, ServiceType.GAS


# ---------------------------------------------------------------------------------- helpers

def _window(qtbot: QtBot, db: Database, actor: object = CSR) -> MainWindow:
    window = MainWindow(db, actor)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    activate(qtbot, window)
    settle(qtbot)
    return window


def _pane(qtbot: QtBot, window: MainWindow) -> PremiseManagementPane:
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    pane = window.tabs.currentWidget()
    assert isinstance(pane, PremiseManagementPane)
    return pane


def _choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Move through a combo with the arrow keys until `text` is shown."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == text:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text


def _type(qtbot: QtBot, field: QWidget, text: str) -> None:
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def _enter(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return)
    settle(qtbot)


def _grid(pane: PremiseManagementPane) -> list[list[str]]:
    model = pane.grid.model()
    return [[str(model.index(r, c).data()) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def _press(qtbot: QtBot, pane: PremiseManagementPane, action: str) -> QWidget:
    button = pane.action_buttons[action]
    assert button.isEnabled()
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    settle(qtbot)
    assert pane.dialog is not None and pane.dialog.isVisible()
    return pane.dialog


def _complex_search(qtbot: QtBot, pane: PremiseManagementPane, complex_: str) -> None:
    """Parent premise = the complex, account = not linked to any (§B1.3 scenario 2)."""
    _choose(qtbot, pane.parent_filter.combo, "Linked to this parent premise")
    _type(qtbot, pane.parent_filter.number, complex_)
    _choose(qtbot, pane.account.combo, "Not linked to any account")
    _enter(qtbot, pane.account.combo)


# ------------------------------------------------------------------------------------ search

def test_before_a_search_the_pane_says_what_to_do_and_refuses_negative_filters(
        qtbot: QtBot, open_window: Opener, small_db: Database) -> None:
    window = open_window(small_db)
    pane = _pane(qtbot, window)
    assert pane.stack.currentWidget() is pane.empty_page
    assert "at least one positive filter" in pane.empty_text.text()
    assert not pane.parent_filter.number.isEnabled()  # only "this …" choices take a number
    _choose(qtbot, pane.parent_filter.combo, "Not linked to any parent premise")
    _choose(qtbot, pane.account.combo, "Not linked to any account")
    _enter(qtbot, pane.account.combo)
    assert pane.error_text("criteria").startswith(
        "Specify at least one positive search criterion")
    assert pane.criteria_error.isVisible()
    assert pane.stack.currentWidget() is pane.empty_page  # nothing was searched
    _choose(qtbot, pane.landlord.combo, "Linked to this landlord")
    assert pane.landlord.number.isEnabled()
    _enter(qtbot, pane.landlord.number)
    assert pane.error_text("landlord") == ("Type the landlord agreement number for “Linked to "
                                           "this landlord”.")
    assert pane.landlord.error.isVisible() and not pane.criteria_error.isVisible()
    _type(qtbot, pane.landlord.number, "1000000019")
    _enter(qtbot, pane.landlord.number)  # the service checks the number: shown beside it
    assert "check digit" in pane.error_text("landlord")


def test_filters_combine_and_the_grid_says_who_supplies_what(
        qtbot: QtBot, open_window: Opener, empty_db: Database) -> None:
    db = empty_db
    _party, account = _org_account(db, "Harbour Heights Ltd")
    block = _premise(db, "1 Harbour Rd", kind=PremiseType.APARTMENT_BUILDING)
    flats = [_premise(db, "1 Harbour Rd", line2=f"Flat {i}", parent=block) for i in (1, 2, 3)]
    _supply(db, account, flats[1])
    window = open_window(db)
    pane = _pane(qtbot, window)
    _choose(qtbot, pane.parent_filter.combo, "Linked to this parent premise")
    _type(qtbot, pane.parent_filter.number, block)
    _enter(qtbot, pane.parent_filter.number)
    rows = _grid(pane)
    assert [r[1] for r in rows] == [
        f"1 Harbour Rd, Flat {i}, Springfield · Apartment · {n}"
        for i, n in zip((1, 2, 3), flats, strict=True)]
    assert [r[2] for r in rows] == ["—", "Harbour Heights Ltd (Active)", "—"]
    assert {r[3] for r in rows} == {"1 Harbour Rd, Springfield"}
    assert pane.page_label.text() == "Page 1 of 1 · 3 premises"
    assert pane.grid.hasFocus()
    _choose(qtbot, pane.account.combo, "Not linked to any account")
    _enter(qtbot, pane.account.combo)
    assert [r[1].rsplit(" · ", 1)[1] for r in _grid(pane)] == [flats[0], flats[2]]
    assert pane.results_title.text() == (f"Linked to this parent premise {block}; Not linked "
                                         "to any account")
    # sortable by its headers: Premise descending puts Flat 3 first
    pane.grid.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert _grid(pane)[0][1].endswith(flats[2])
    # Enter opens the premise record (the current row moved with its premise when sorted)
    key(qtbot, pane.grid, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    key(qtbot, pane.grid, Qt.Key.Key_Return)
    record = window.tabs.currentWidget()
    assert isinstance(record, RecordPane)
    assert record.subtitle.text() == f"Premise {flats[2]}"


def test_pages_of_fifty_and_back_returns_to_the_first_page(
        qtbot: QtBot, open_window: Opener, empty_db: Database) -> None:
    for n in range(1, 56):
        _premise(empty_db, f"{n} Long St")
    window = open_window(empty_db)
    pane = _pane(qtbot, window)
    _choose(qtbot, pane.location.combo, "Located at this address")
    assert pane.location.address_line.isVisible() and not pane.location.geo_type.isVisible()
    _type(qtbot, pane.location.address_line, "long st")
    _enter(qtbot, pane.location.address_line)
    assert pane.page_label.text() == "Page 1 of 2 · 55 premises"
    assert len(_grid(pane)) == 50 and pane.next_button.isEnabled()
    key(qtbot, pane.grid, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert pane.page_label.text() == "Page 2 of 2 · 55 premises" and len(_grid(pane)) == 5
    assert not pane.next_button.isEnabled()
    key(qtbot, window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert pane.page is not None and pane.page.page == 1 and len(_grid(pane)) == 50


def test_space_ticks_ctrl_a_ticks_the_page_and_the_buttons_follow(
        qtbot: QtBot, open_window: Opener, empty_db: Database) -> None:
    complex_, units = _complex(empty_db, 3)
    window = open_window(empty_db)
    pane = _pane(qtbot, window)
    _complex_search(qtbot, pane, complex_)
    assert len(_grid(pane)) == 3
    assert not any(b.isEnabled() for b in pane.action_buttons.values())
    key(qtbot, pane.grid, Qt.Key.Key_Down)
    key(qtbot, pane.grid, Qt.Key.Key_Space)
    assert [r.number for r in pane.ticked_rows()] == [units[1]]
    assert pane.ticked_label.text() == "1 of 3 ticked (at most 50 per action)"
    assert all(b.isEnabled() for b in pane.action_buttons.values())
    key(qtbot, pane.grid, Qt.Key.Key_Space)
    assert pane.ticked_rows() == []
    key(qtbot, pane.grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert [r.number for r in pane.ticked_rows()] == units
    key(qtbot, pane.grid, Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert pane.ticked_rows() == [] and not pane.action_buttons["Start Service"].isEnabled()


def test_users_without_the_csr_role_see_the_actions_disabled(
        qtbot: QtBot, empty_db: Database) -> None:
    complex_, _units = _complex(empty_db, 2)
    window = _window(qtbot, empty_db, WAREHOUSE)
    pane = _pane(qtbot, window)
    _complex_search(qtbot, pane, complex_)
    key(qtbot, pane.grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(pane.ticked_rows()) == 2
    button = pane.action_buttons["Assign Landlord"]
    assert not button.isEnabled() and button.toolTip() == NO_ROLE


# ------------------------------------------------------------------------------- mass actions

def test_assign_parent_to_the_ticked_stores_on_each_backend(qtbot: QtBot, db: Database) -> None:
    """§B1.3 scenario 3 on SQLite and (with SWITCHBOARD_TEST_PG_URL) on PostgreSQL."""
    stores = [_premise(db, f"{n} Commerce Way", kind=PremiseType.COMMERCIAL) for n in (2, 4)]
    mall = _premise(db, "1 Commerce Way", kind=PremiseType.SHOPPING_CENTRE)
    window = _window(qtbot, db)
    pane = _pane(qtbot, window)
    _choose(qtbot, pane.location.combo, "Located at this address")
    _type(qtbot, pane.location.address_line, "commerce way")
    _enter(qtbot, pane.location.address_line)
    assert len(_grid(pane)) == 3
    key(qtbot, pane.grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    dialog = _press(qtbot, pane, "Assign Parent Premise")
    assert isinstance(dialog, MassAssignParentDialog)
    _type(qtbot, dialog.parent_number, mall)
    _enter(qtbot, dialog.parent_number)
    assert dialog.isVisible()  # the mall is ticked itself: refused beside the field
    assert dialog.error_text("parent").startswith(f"Premise {mall} is ticked itself")
    dialog.reject()
    key(qtbot, pane.grid, Qt.Key.Key_A,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    for row, text in enumerate(_grid(pane)):
        if not text[1].endswith(mall):
            pane.grid.setCurrentIndex(pane.grid.model().index(row, 1))
            key(qtbot, pane.grid, Qt.Key.Key_Space)
    dialog = _press(qtbot, pane, "Assign Parent Premise")
    _type(qtbot, dialog.parent_number, mall)
    _enter(qtbot, dialog.parent_number)
    assert not dialog.isVisible()
    message = f"2 premises now under 1 Commerce Way, Springfield ({mall})."
    assert window.statusBar().currentMessage() == message
    assert pane.message.text() == message and pane.message.isVisible()
    assert [premises.get_premise(db, s).parent_premise_number for s in stores] == [mall, mall]
    parents = {r[1].rsplit(" · ", 1)[1]: r[3] for r in _grid(pane)}  # the grid searched again
    assert parents == {mall: "—", stores[0]: "1 Commerce Way, Springfield",
                       stores[1]: "1 Commerce Way, Springfield"}
    assert pane.ticked_rows() == []


def test_a_premise_changed_since_the_search_is_reported_in_the_pane(
        qtbot: QtBot, open_window: Opener, empty_db: Database) -> None:
    complex_, units = _complex(empty_db, 2)
    other = _premise(empty_db, "9 Other St")
    window = open_window(empty_db)
    pane = _pane(qtbot, window)
    _complex_search(qtbot, pane, complex_)
    key(qtbot, pane.grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    view = premises.get_premise(empty_db, units[0])  # another CSR, meanwhile
    premises.set_parent_premise(empty_db, CSR, units[0], view.version, other)
    dialog = _press(qtbot, pane, "Remove Parent Premise")
    key(qtbot, dialog.submit_button, Qt.Key.Key_Space)  # type: ignore[attr-defined]
    assert not dialog.isVisible()
    assert pane.message.text().startswith("Premises were changed since your search")
    assert premises.get_premise(empty_db, units[1]).parent_premise_number == complex_
    assert [r[1].rsplit(" · ", 1)[1] for r in _grid(pane)] == units[1:]  # searched again


def test_start_sa_groups_shows_the_groups_and_start_waits_for_them(
        qtbot: QtBot, open_window: Opener, empty_db: Database) -> None:
    """§B1.3 scenario 2: the developer starts every unsupplied condo of the complex."""
    _party, developer = _org_account(empty_db, "Lakeview Developments")
    complex_, units = _complex(empty_db, 3)
    window = open_window(empty_db)
    pane = _pane(qtbot, window)
    _complex_search(qtbot, pane, complex_)
    key(qtbot, pane.grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    dialog = _press(qtbot, pane, "Start Service")
    assert isinstance(dialog, StartGroupsDialog)
    assert dialog.banner.isVisible() and "similar service point" in dialog.banner.text()
    assert not dialog.submit_button.isEnabled()
    _enter(qtbot, dialog.account)  # Enter presses Show SA Groups while there are none
    assert dialog.error_text("account").startswith("Type the number of the account")
    _type(qtbot, dialog.account, developer)
    _type(qtbot, dialog.start_date, f"{MOVE_IN:%Y-%m-%d}")
    _type(qtbot, dialog.requested_by, "site office")
    _enter(qtbot, dialog.requested_by)
    points = [(dialog.points.topLevelItem(i).text(0), dialog.points.topLevelItem(i).text(1))  # type: ignore[union-attr]
              for i in range(dialog.points.topLevelItemCount())]
    assert points == [("Electric", "3"), ("Gas", "3")]
    groups = [[dialog.groups.topLevelItem(i).text(c) for c in range(4)]  # type: ignore[union-attr]
              for i in range(dialog.groups.topLevelItemCount())]
    assert groups == [
        ["Electric", "E-COM", "E-COM-1", "3 service agreements will be created for 3 service "
                                         "points"],
        ["Gas", "G-COM", "G-COM-1", "3 service agreements will be created for 3 service "
                                    "points"]]
    assert "no previous customer" in dialog.groups.topLevelItem(0).toolTip(0)  # type: ignore[union-attr]
    assert dialog.chosen_keys() == [(E, "E-COM"), (G, "G-COM")]
    assert dialog.submit_button.isEnabled()
    # a new date may change the groups: Start waits for Show SA Groups again
    _type(qtbot, dialog.start_date, "2026-02-01")
    assert not dialog.submit_button.isEnabled() and dialog.summary.text() == STALE
    _enter(qtbot, dialog.start_date)
    assert dialog.submit_button.isEnabled()
    # so does unticking a service point type; Show SA Groups leaves its group out
    gas = dialog.points.topLevelItem(1)
    assert gas is not None
    gas.setCheckState(0, Qt.CheckState.Unchecked)
    assert not dialog.submit_button.isEnabled()
    dialog.show_button.setFocus()
    key(qtbot, dialog.show_button, Qt.Key.Key_Space)
    assert dialog.chosen_keys() == [(E, "E-COM")]
    assert dialog.summary.text() == (f"Start creates 3 service agreements in 1 SA group for "
                                     f"account {developer}, pending start 2026-02-01.")
    _enter(qtbot, dialog.requested_by)  # now Enter starts
    assert not dialog.isVisible()
    made = sas.agreements_of_account(empty_db, developer)
    assert sorted((a.sa_type, a.status, a.start_date) for a in made) == [
        ("E-COM", SAStatus.PENDING_START, dt.date(2026, 2, 1))] * 3
    assert window.statusBar().currentMessage() == (
        f"3 agreements pending start on 2026-02-01 for account {developer}.")
    assert [r[1].rsplit(" · ", 1)[1] for r in _grid(pane)] == []  # all supplied now
    assert pane.no_results.isVisible()


def test_start_defaults_to_the_current_account_and_names_back_to_back_stops(
        qtbot: QtBot, open_window: Opener, empty_db: Database) -> None:
    from app.views.current_context import CurrentAccount

    _p, old = _org_account(empty_db, "Old Landlord")
    _q, new = _org_account(empty_db, "New Landlord")
    unit = _premise(empty_db, "3 Elm St")
    _supply(empty_db, old, unit, sa_type="E-RES", rate="E-RES-1")
    window = open_window(empty_db)
    window.current.set_account(CurrentAccount(new, f"New Landlord · account {new}"))
    pane = _pane(qtbot, window)
    _choose(qtbot, pane.account.combo, "Linked to this account")
    _type(qtbot, pane.account.number, old)
    _enter(qtbot, pane.account.number)
    key(qtbot, pane.grid, Qt.Key.Key_Space)
    dialog = _press(qtbot, pane, "Start Service")
    assert isinstance(dialog, StartGroupsDialog)
    assert dialog.account.text() == new
    _type(qtbot, dialog.start_date, f"{MOVE_IN:%Y-%m-%d}")
    _enter(qtbot, dialog.start_date)
    note = dialog.groups.topLevelItem(0).text(4)  # type: ignore[union-attr]
    assert note == f"stops 1 agreement of other accounts the day before ({old})"


def test_stop_sa_groups_ticks_every_group_and_stops_the_ticked(
        qtbot: QtBot, open_window: Opener, empty_db: Database) -> None:
    _p, first = _org_account(empty_db, "Stop Co")
    _q, second = _org_account(empty_db, "Other Co")
    complex_, units = _complex(empty_db, 2)
    mass_start(empty_db, CSR, MassStartRequest(first, MOVE_IN, tuple(_refs(empty_db, units))),
               [(E, "E-COM"), (G, "G-COM")])
    window = open_window(empty_db)
    pane = _pane(qtbot, window)
    _choose(qtbot, pane.parent_filter.combo, "Linked to this parent premise")
    _type(qtbot, pane.parent_filter.number, complex_)
    _enter(qtbot, pane.parent_filter.number)
    key(qtbot, pane.grid, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    dialog = _press(qtbot, pane, "Stop Service")
    assert isinstance(dialog, StopGroupsDialog)
    _type(qtbot, dialog.stop_date, "2026-06-30")
    _enter(qtbot, dialog.stop_date)
    groups = [[dialog.groups.topLevelItem(i).text(c) for c in range(4)]  # type: ignore[union-attr]
              for i in range(dialog.groups.topLevelItemCount())]
    assert groups == [["Electric", "E-COM", "2", "1"], ["Gas", "G-COM", "2", "1"]]
    assert dialog.chosen_keys() == [(E, "E-COM"), (G, "G-COM")]  # all ticked by default
    _type(qtbot, dialog.restrict, second)  # restricting may change the groups
    assert not dialog.submit_button.isEnabled()
    _enter(qtbot, dialog.restrict)
    assert dialog.groups.topLevelItemCount() == 0
    assert dialog.summary.text().startswith("Nothing to stop")
    _type(qtbot, dialog.restrict, "")
    _enter(qtbot, dialog.restrict)
    gas = dialog.groups.topLevelItem(1)
    assert gas is not None
    gas.setCheckState(0, Qt.CheckState.Unchecked)  # ticking groups keeps Stop enabled
    assert dialog.submit_button.isEnabled()
    assert dialog.summary.text() == "Stop puts 2 agreements into pending stop on 2026-06-30."
    _enter(qtbot, dialog.stop_date)
    assert not dialog.isVisible()
    ends = sorted((a.service_type, a.end_date or dt.date.max)
                  for a in sas.agreements_of_account(empty_db, first))
    assert ends == [(E, dt.date(2026, 6, 30))] * 2 + [(G, dt.date.max)] * 2
    assert window.statusBar().currentMessage() == "2 agreements stop on 2026-06-30."


# ----------------------------------------------------------------------- module and the tree

def test_the_account_tree_opens_premise_management_on_a_premise(
        qtbot: QtBot, open_window: Opener, empty_db: Database) -> None:
    utility = build_utility(empty_db)
    window = open_window(empty_db)
    tree = open_tree(qtbot, window, utility.home)
    down_to(qtbot, tree, NodeKind.PREMISE, "12 Elm St")
    key(qtbot, tree.tree, Qt.Key.Key_Menu)
    menu_choose(qtbot, tree, PREMISE_MANAGEMENT_ENTRY)
    pane = window.tabs.currentWidget()
    assert isinstance(pane, PremiseManagementPane)
    assert pane.location.combo.currentText() == "Show this specific premise"
    assert pane.location.premise_number.text() == utility.home.premise
    assert [r[1] for r in _grid(pane)] == [
        f"12 Elm St, Springfield · House · {utility.home.premise}"]


def test_switched_off_the_module_offers_no_pane_menu_entry_or_shortcut(
        qtbot: QtBot, empty_db: Database) -> None:
    utility = build_utility(empty_db)
    set_module_enabled(empty_db, ADMIN, Module.PREMISE_MANAGEMENT, False)
    assert not module_enabled(empty_db, Module.PREMISE_MANAGEMENT)
    window = _window(qtbot, empty_db)
    assert "premise-management" not in window.view_actions
    assert "Premise Management" not in [a.text() for a in window.menuBar().actions()[1]
                                        .menu().actions()]
    qtbot.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert not isinstance(window.tabs.currentWidget(), PremiseManagementPane)
    tree = open_tree(qtbot, window, utility.home)
    down_to(qtbot, tree, NodeKind.PREMISE, "12 Elm St")
    key(qtbot, tree.tree, Qt.Key.Key_Menu)
    assert tree.context_menu is not None
    assert PREMISE_MANAGEMENT_ENTRY not in [a.text() for a in tree.context_menu.actions()]
    qtbot.keyClick(tree.context_menu, Qt.Key.Key_Escape)
    set_module_enabled(empty_db, ADMIN, Module.PREMISE_MANAGEMENT, True)  # the next window
    assert "premise-management" in _window(qtbot, empty_db).view_actions
