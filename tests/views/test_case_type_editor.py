"""The case types editor (admin): an administrator adds a status and a transition to LIT-REQ by
keyboard and saves; a broken definition is refused with its problems under the grids and what
was typed stays; the grids sort by a click on a heading; only administrators get anywhere."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.db import Database
from app.services import case_types
from app.services.context import Actor
from app.views.case_type_editor import CaseTypeEditor, RowGrid, open_case_type_editor
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext
from tests.conftest import ADMIN, CSR
from tests.services.test_case_types import lit_req, set_up_references
from tests.views.conftest import RecordingHost, activate, settle


def _editor(qtbot: QtBot, db: Database, code: str | None = "LIT-REQ",
            actor: Actor = ADMIN) -> CaseTypeEditor:
    editor = open_case_type_editor(None, PaneContext(db, actor, RecordingHost(),
                                                     CurrentContext()), code)
    qtbot.addWidget(editor)
    qtbot.waitExposed(editor)
    settle(qtbot)
    activate(qtbot, editor, editor.description)
    return editor


def _type(qtbot: QtBot, grid: RowGrid, row: int, column: int, text: str) -> None:
    """Type into a cell as a user does: open its editor, type, leave the cell."""
    grid.table.setFocus()
    grid.table.setCurrentCell(row, column)
    item = grid.table.item(row, column)
    assert item is not None
    grid.table.editItem(item)
    qtbot.waitUntil(lambda: grid.table.isAncestorOf(QApplication.focusWidget()) and
                    QApplication.focusWidget() is not grid.table)
    qtbot.keyClicks(QApplication.focusWidget(), text)
    grid.commit_edits()
    assert grid.cell(row, column) == text.upper() or grid.cell(row, column) == text


def _tick(qtbot: QtBot, grid: RowGrid, row: int, column: int) -> None:
    grid.table.setFocus()
    grid.table.setCurrentCell(row, column)
    qtbot.keyClick(grid.table, Qt.Key.Key_Space)
    assert grid.ticked(row, column)


def test_an_admin_adds_a_status_and_a_transition_and_saves(qtbot: QtBot,
                                                           empty_db: Database) -> None:
    set_up_references(empty_db)
    case_types.save_case_type(empty_db, ADMIN, lit_req(), None)
    editor = _editor(qtbot, empty_db)
    assert editor.code.text() == "LIT-REQ" and editor.code.isReadOnly()
    assert [editor.statuses.cell(r, 0) for r in range(editor.statuses.row_count())] == [
        "REQUESTED", "SENT"]

    editor.tabs.setCurrentWidget(editor.statuses)
    qtbot.mouseClick(editor.statuses.add_button, Qt.MouseButton.LeftButton)
    _type(qtbot, editor.statuses, 2, 0, "CANCELLED")
    _type(qtbot, editor.statuses, 2, 1, "Cancelled by the customer")
    _type(qtbot, editor.statuses, 2, 2, "30")
    _tick(qtbot, editor.statuses, 2, 4)

    editor.tabs.setCurrentWidget(editor.transitions)
    qtbot.mouseClick(editor.transitions.add_button, Qt.MouseButton.LeftButton)
    _type(qtbot, editor.transitions, 0, 0, "REQUESTED")
    _type(qtbot, editor.transitions, 0, 1, "CANCELLED")     # offered: typed a moment ago
    _type(qtbot, editor.transitions, 0, 2, "Cancel")
    assert editor.dirty

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert editor.message_text() == "Case type LIT-REQ saved."
    assert editor.ctx.host.statuses == ["Case type LIT-REQ saved."]  # type: ignore[attr-defined]
    saved = case_types.load_case_type(empty_db, ADMIN, "LIT-REQ")
    assert [(s.code, s.description, s.seq, s.is_final) for s in saved.statuses] == [
        ("REQUESTED", "Requested", 10, False), ("SENT", "Sent", 20, True),
        ("CANCELLED", "Cancelled by the customer", 30, True)]
    assert [(t.from_status, t.to_status, t.action_label) for t in saved.transitions] == [
        ("REQUESTED", "CANCELLED", "Cancel")]
    assert saved.algorithms == lit_req().algorithms
    assert editor.loaded == saved and not editor.dirty
    editor.grab().save("/tmp/case_type_editor.png")


def test_a_broken_definition_is_refused_inline_and_what_was_typed_stays(
        qtbot: QtBot, empty_db: Database) -> None:
    set_up_references(empty_db)
    case_types.save_case_type(empty_db, ADMIN, lit_req(), None)
    editor = _editor(qtbot, empty_db)
    qtbot.mouseClick(editor.statuses.add_button, Qt.MouseButton.LeftButton)
    _type(qtbot, editor.statuses, 2, 0, "ON-HOLD")
    _type(qtbot, editor.statuses, 2, 1, "On hold")
    _tick(qtbot, editor.statuses, 2, 3)                     # a second initial status
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert editor.message_text().splitlines() == [
        "LIT-REQ was not saved:",
        "2 statuses are marked initial (ON-HOLD, REQUESTED); exactly one must be.",
        "Status ON-HOLD is not final but has no way out; add a transition from it (or an "
        "auto-transition), or mark it final."]
    assert editor.isVisible() and editor.statuses.row_count() == 3
    assert editor.statuses.cell(2, 0) == "ON-HOLD" and editor.statuses.ticked(2, 3)
    assert case_types.load_case_type(empty_db, ADMIN, "LIT-REQ") == editor.loaded  # untouched

    # A seq that is not a number is named before anything is sent.
    _type(qtbot, editor.statuses, 2, 2, "soon")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.message_text() == "Statuses, row 3: Seq is a whole number, not 'soon'."

    # Revert brings back what is saved.
    qtbot.mouseClick(editor.revert_button, Qt.MouseButton.LeftButton)
    assert editor.statuses.row_count() == 2 and editor.message_text() == ""


def test_a_new_type_and_sorting_by_heading(qtbot: QtBot, empty_db: Database) -> None:
    set_up_references(empty_db)
    editor = _editor(qtbot, empty_db, None)
    assert editor.types.count() == 0 and not editor.code.isReadOnly()
    editor.code.setFocus()
    qtbot.keyClicks(editor.code, "meter-inv")
    editor.description.setFocus()
    qtbot.keyClicks(editor.description, "Meter investigation")
    editor.usage["premise_usage"].setCurrentIndex(0)        # Required
    editor.roles[next(iter(editor.roles))].setChecked(True)  # CSR
    for code, seq, initial, final in (("CHECKED", 30, False, True), ("OPEN", 10, True, False)):
        row = editor.statuses.add_row((code, code.title(), seq, initial, final))
        assert row >= 0
    editor.transitions.add_row(("OPEN", "CHECKED", "Checked", 10))
    editor.statuses.table.horizontalHeader().sectionClicked.emit(2)      # Seq
    assert [editor.statuses.cell(r, 0) for r in range(2)] == ["OPEN", "CHECKED"]
    editor.statuses.table.horizontalHeader().sectionClicked.emit(2)      # and back
    assert [editor.statuses.cell(r, 0) for r in range(2)] == ["CHECKED", "OPEN"]
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert editor.message_text() == "Case type METER-INV saved."
    assert [editor.types.item(n).text() for n in range(editor.types.count())] == [
        "METER-INV — Meter investigation"]
    saved = case_types.load_case_type(empty_db, ADMIN, "METER-INV")
    assert saved.premise_usage.value == "REQUIRED" and {r.value for r in saved.access_roles} \
        == {"CSR"}
    assert [s.code for s in saved.statuses] == ["OPEN", "CHECKED"]


def test_only_administrators_see_case_types(qtbot: QtBot, empty_db: Database) -> None:
    editor = _editor(qtbot, empty_db, None, CSR)
    assert editor.message_text().startswith("You cannot maintain case types")
    assert editor.types.count() == 0
