"""The main window driven like a user: first run, search, history, status bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.db import Database, head_revision
from app.views.control_central import ControlCentralPane
from app.views.home import HomePane
from app.views.main_window import SEARCH_PLACEHOLDER, MainWindow
from tests.views.conftest import settle

Opener = Callable[[Database], MainWindow]


def _search(qtbot: QtBot, window: MainWindow, text: str) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.search_field, text)
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    settle(qtbot)


def _grid_rows(pane: ControlCentralPane) -> list[list[str]]:
    model = pane.table.model()
    return [
        [str(model.index(r, c).data()) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_empty_database_shows_first_run_state(qtbot: QtBot, open_window: Opener,
                                              empty_db: Database) -> None:
    window = open_window(empty_db)
    home = window.tabs.currentWidget()
    assert isinstance(home, HomePane)
    assert home.stack.currentWidget() is home.empty_page
    assert home.empty_heading.text() == "This database has no customers yet"
    assert home.load_demo_button.isVisible() and home.load_demo_button.isEnabled()
    assert home.switch_button.text() == "Switch database…"


def test_filled_database_shows_counts(qtbot: QtBot, open_window: Opener,
                                      small_db: Database) -> None:
    window = open_window(small_db)
    home = window.tabs.currentWidget()
    assert isinstance(home, HomePane)
    assert home.stack.currentWidget() is home.counts_page
    assert home.tiles["customers"].value.text() == "4"
    assert home.tiles["accounts"].value.text() == "3"
    assert home.tiles["service_points"].value.text() == "6"
    assert f"schema {head_revision()}" in home.subtitle.text()


def test_ctrl_f_focuses_the_search_field(qtbot: QtBot, open_window: Opener,
                                        empty_db: Database) -> None:
    window = open_window(empty_db)
    assert window.search_field.placeholderText() == SEARCH_PLACEHOLDER
    window.tabs.currentWidget().setFocus()
    assert QApplication.focusWidget() is not window.search_field
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search_field


def test_bad_check_digit_is_explained_beside_the_field(qtbot: QtBot, open_window: Opener,
                                                      small_db: Database) -> None:
    window = open_window(small_db)
    _search(qtbot, window, "1234567890")
    message = window.search_message
    assert message.isVisible()
    assert "check digit" in message.text()
    # anchored just under the field, not somewhere else in the window
    field_bottom = window.search_field.mapTo(window, window.search_field.rect().bottomLeft())
    assert 0 <= message.y() - field_bottom.y() <= 12
    assert window.current_pane_name() == "home"  # no results pane for a bad ID
    qtbot.keyClicks(window.search_field, "x")
    assert not message.isVisible()  # typing again clears it


def test_name_that_would_match_everything_opens_control_central_with_the_hint(
    qtbot: QtBot, open_window: Opener, small_db: Database
) -> None:
    window = open_window(small_db)
    _search(qtbot, window, "O")
    pane = window.tabs.currentWidget()
    assert isinstance(pane, ControlCentralPane)
    assert pane.field.text() == "O"
    assert "at least 2 letters" in pane.search_message.text()


def test_global_search_lists_people_in_control_central(qtbot: QtBot, open_window: Opener,
                                                       small_db: Database) -> None:
    window = open_window(small_db)
    _search(qtbot, window, "ok")
    pane = window.tabs.currentWidget()
    assert isinstance(pane, ControlCentralPane)
    assert [r[0] for r in _grid_rows(pane)] == ["Okafor, Ngozi", "Okonkwo, Chidi"]
    assert not window.search_message.isVisible()
    pane.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert [r[0] for r in _grid_rows(pane)] == ["Okonkwo, Chidi", "Okafor, Ngozi"]

    _search(qtbot, window, "oko")  # one account: its 360° view opens directly
    assert pane.current_view() == "account"
    assert window.current.account is not None
    assert window.current.account.label.startswith("Okonkwo, Chidi")


def test_back_and_forward_move_between_overview_and_searches(
    qtbot: QtBot, open_window: Opener, small_db: Database
) -> None:
    window = open_window(small_db)
    assert not window.back_action.isEnabled()
    _search(qtbot, window, "ok")
    _search(qtbot, window, "Lind")
    pane = window.tabs.currentWidget()
    assert isinstance(pane, ControlCentralPane)
    assert pane.current_view() == "account"

    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert window.current_pane_name() == "control-central"
    assert pane.current_view() == "results"
    assert [r[0] for r in _grid_rows(pane)] == ["Okafor, Ngozi", "Okonkwo, Chidi"]
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot)
    assert pane.current_view() == "account"
    assert window.current.account is not None
    assert window.current.account.label.startswith("Lindqvist, Maja")


def test_status_bar_shows_user_database_and_schema(qtbot: QtBot, open_window: Opener,
                                                  empty_db: Database) -> None:
    window = open_window(empty_db)
    assert window.user_label.text() == "tester · Admin"
    assert window.database_label.text() == empty_db.description
    assert empty_db.description.startswith("SQLite ")
    assert window.schema_label.text() == f"schema {head_revision()}"


def test_view_menu_lists_every_pane_with_its_shortcut(qtbot: QtBot, open_window: Opener,
                                                     empty_db: Database) -> None:
    window = open_window(empty_db)
    assert [(name, a.text(), a.shortcut().toString())
            for name, a in window.view_actions.items()] == [
        ("home", "Overview", "Ctrl+1"), ("control-central", "Control Central", "Ctrl+2"),
        ("account-tree", "Account tree", "Ctrl+3"), ("record", "Record", "Ctrl+4"),
        ("premise-management", "Premise Management", "Ctrl+5"),
        ("rate-check", "Rate Check", "Ctrl+6"), ("rate-editor", "Rate Editor", "Ctrl+7"),
        ("bill-factors", "Bill Factors", "Ctrl+8"),
        ("quotes", "Quotes", "Ctrl+9"),
        ("umbrella-agreements", "Umbrella Agreements", "Ctrl+0"),
        ("loans", "Loans", "Ctrl+Shift+L"),
        ("appointments", "Appointments", "Ctrl+Shift+D"),
        ("stock-locations", "Stock Locations", "Ctrl+Shift+K"),
        ("cases", "Cases", "Ctrl+Shift+C"), ("todo", "To Do List", "Ctrl+Shift+T")]
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_pane_name() == "control-central"
    window.tabs.tabCloseRequested.emit(window.tabs.currentIndex())
    assert "control-central" not in window.panes
    assert window.tabs.count() == 1


def test_about_dialog_names_versions_and_database(qtbot: QtBot, open_window: Opener,
                                                 empty_db: Database) -> None:
    window = open_window(empty_db)
    dialog = window.show_about()
    qtbot.addWidget(dialog)
    assert dialog.rows["Database"] == empty_db.description
    assert dialog.rows["Schema"] == head_revision()
    assert dialog.rows["Version"]
