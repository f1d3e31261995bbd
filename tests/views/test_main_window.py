"""The main window driven like a user: first run, search, history, status bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.db import Database, head_revision
from app.views.home import HomePane
from app.views.main_window import SEARCH_PLACEHOLDER, MainWindow
from app.views.search_results import SearchResultsPane
from tests.views.conftest import settle

Opener = Callable[[Database], MainWindow]


def _search(qtbot: QtBot, window: MainWindow, text: str) -> None:
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.search_field, text)
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    settle(qtbot)


def _grid_rows(pane: SearchResultsPane) -> list[list[str]]:
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


def test_single_letter_is_explained_too(qtbot: QtBot, open_window: Opener,
                                        small_db: Database) -> None:
    window = open_window(small_db)
    _search(qtbot, window, "O")
    assert window.search_message.isVisible()
    assert "at least 2 letters" in window.search_message.text()


def test_name_prefix_lists_people_in_the_grid(qtbot: QtBot, open_window: Opener,
                                              small_db: Database) -> None:
    window = open_window(small_db)
    _search(qtbot, window, "oko")
    pane = window.tabs.currentWidget()
    assert isinstance(pane, SearchResultsPane)
    rows = _grid_rows(pane)
    assert [r[2] for r in rows] == ["Okonkwo, Chidi"]
    assert rows[0][0] == "Person" and len(rows[0][1]) == 10
    assert not window.search_message.isVisible()

    _search(qtbot, window, "ok")
    assert [r[2] for r in _grid_rows(pane)] == ["Okafor, Ngozi", "Okonkwo, Chidi"]
    # sortable by clicking the Name header: descending after two clicks
    header = pane.table.horizontalHeader()
    pane.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert header.sortIndicatorSection() == 2
    assert [r[2] for r in _grid_rows(pane)] == ["Okonkwo, Chidi", "Okafor, Ngozi"]


def test_no_match_shows_an_empty_state(qtbot: QtBot, open_window: Opener,
                                       small_db: Database) -> None:
    window = open_window(small_db)
    _search(qtbot, window, "Zebedee")
    pane = window.tabs.currentWidget()
    assert isinstance(pane, SearchResultsPane)
    assert pane.stack.currentWidget() is pane.empty_message
    assert "No customer, account or premise matches 'Zebedee'" in pane.empty_message.text()


def test_keyboard_moves_through_results(qtbot: QtBot, open_window: Opener,
                                        small_db: Database) -> None:
    window = open_window(small_db)
    _search(qtbot, window, "ok")
    pane = window.tabs.currentWidget()
    assert isinstance(pane, SearchResultsPane)
    assert pane.table.hasFocus()
    first = pane.selected()
    assert first is not None and first.label == "Okafor, Ngozi"
    qtbot.keyClick(pane.table, Qt.Key.Key_Down)
    second = pane.selected()
    assert second is not None and second.label == "Okonkwo, Chidi"
    with qtbot.waitSignal(pane.opened) as opened:
        qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    assert opened.args[0].label == "Okonkwo, Chidi"
    settle(qtbot)
    record = window.tabs.currentWidget()
    assert window.current_pane_name() == "record"
    assert record.title.text() == "Okonkwo, Chidi"  # type: ignore[attr-defined]


def test_back_and_forward_move_between_overview_and_results(
    qtbot: QtBot, open_window: Opener, small_db: Database
) -> None:
    window = open_window(small_db)
    assert not window.back_action.isEnabled()
    _search(qtbot, window, "Okafor")
    _search(qtbot, window, "Lind")
    pane = window.tabs.currentWidget()
    assert isinstance(pane, SearchResultsPane) and pane.query == "Lind"

    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current_pane_name() == "search" and pane.query == "Okafor"
    assert [r[2] for r in _grid_rows(pane)] == ["Okafor, Ngozi"]
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current_pane_name() == "home"
    assert not window.back_action.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.current_pane_name() == "search" and pane.query == "Okafor"
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert pane.query == "Lind"
    assert not window.forward_action.isEnabled()

    # a new visit after going back drops the forward history
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    window.view_actions["home"].trigger()
    assert window.current_pane_name() == "home"
    assert not window.forward_action.isEnabled()


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
    assert {name: a.text() for name, a in window.view_actions.items()} == {
        "home": "Overview", "search": "Search results", "record": "Record"}
    assert window.view_actions["search"].shortcut().toString() == "Ctrl+2"
    window.view_actions["search"].trigger()
    assert window.current_pane_name() == "search"
    window.tabs.tabCloseRequested.emit(window.tabs.currentIndex())
    assert "search" not in window.panes
    assert window.tabs.count() == 1


def test_about_dialog_names_versions_and_database(qtbot: QtBot, open_window: Opener,
                                                 empty_db: Database) -> None:
    window = open_window(empty_db)
    dialog = window.show_about()
    qtbot.addWidget(dialog)
    assert dialog.rows["Database"] == empty_db.description
    assert dialog.rows["Schema"] == head_revision()
    assert dialog.rows["Version"]
