"""The To Do List pane driven as its users would: a supervisor takes the most urgent To Do and
completes it by keyboard (Ctrl+T, Ctrl+Enter), and completing a case's last To Do says the
case moved on; Enter opens a To Do's case in the Cases pane, and a case's To Dos are listed;
Forward… sends one to another work group; a colleague taking a To Do first is said in the
message line and the list reloads; a CSR has no All view; an empty list explains what To Dos
are."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.db import Database
from app.models import Case, CaseType, CaseTypeAlgorithm, CaseTypeStatus
from app.models.enums import CaseAlgorithmKind, TodoStatus, UserRole
from app.services import todos, users
from app.services.common import new_number
from app.services.context import Actor, now, transaction
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext, pane_spec
from app.views.todo_list import PRIORITY, STATUS, TodoListPane
from tests.conftest import ADMIN, CSR, SUPERVISOR
from tests.views.conftest import RecordingHost, activate, settle

CSR2 = Actor("csr2", "Chris Nolan", frozenset({UserRole.CSR}))


class CasesPaneStandIn(QWidget):
    """What the Cases pane offers other panes: `open_case(number)`."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    def open_case(self, number: str) -> None:
        self.opened.append(number)


class CasesHost(RecordingHost):
    def __init__(self) -> None:
        super().__init__()
        self.cases = CasesPaneStandIn()

    def open_pane(self, name: str) -> QWidget:
        assert name == "cases"
        return self.cases


def _organisation(db: Database) -> dict[str, int]:
    """Billing (Casey and Chris) and Meter shop groups, two types, three To Dos: a
    priority-2 high bill (the oldest), a meter check and a call-back of the billing group."""
    for actor in (CSR, CSR2, SUPERVISOR):
        users.create_user(db, ADMIN, actor.username, actor.display_name, set(actor.roles), None)
    todos.create_work_group(db, ADMIN, "BILLING", "Billing team")
    todos.create_work_group(db, ADMIN, "METER", "Meter shop")
    todos.add_member(db, ADMIN, "BILLING", CSR.username)
    todos.add_member(db, ADMIN, "BILLING", CSR2.username)
    todos.create_todo_type(db, ADMIN, "TD-HIBILL", "Review a high bill", "BILLING", 2)
    todos.create_todo_type(db, ADMIN, "TD-METER", "Check a meter", "METER", 5)
    todos.create_todo_type(db, ADMIN, "TD-CALLBK", "Call the customer back", "BILLING", 6)
    with transaction(db, ADMIN) as session:
        ids = {"high_bill": todos.create_todo(session, "TD-HIBILL",
                                              "Customer says the bill doubled",
                                              actor_name="system").id,
               "meter": todos.create_todo(session, "TD-METER", "Meter reads backwards",
                                          actor_name="system").id,
               "call": todos.create_todo(session, "TD-CALLBK", "Call Ngozi back",
                                         actor_name="system").id}
    return ids


@pytest.fixture
def organised(empty_db: Database) -> tuple[Database, dict[str, int]]:
    return empty_db, _organisation(empty_db)


def _pane(qtbot: QtBot, db: Database, actor: Actor,
          host: RecordingHost | None = None) -> TodoListPane:
    pane = TodoListPane(PaneContext(db, actor, host or RecordingHost(), CurrentContext()))
    qtbot.addWidget(pane)
    pane.resize(1400, 800)
    pane.show()
    qtbot.waitExposed(pane)
    settle(qtbot)
    return pane


def test_the_pane_is_registered_for_the_cases_module() -> None:
    spec = pane_spec("todo")
    assert spec is not None and (spec.title, spec.shortcut) == ("To Do List", "Ctrl+Shift+T")
    assert spec.module is not None and spec.module.value == "CASES"


def test_a_supervisor_takes_and_completes_a_todo_by_keyboard(
        qtbot: QtBot, organised: tuple[Database, dict[str, int]]) -> None:
    db, ids = organised
    pane = _pane(qtbot, db, SUPERVISOR)
    # A supervisor in no work group sees every group's To Dos, the most urgent first.
    assert pane.view_combo.currentText() == "All"
    assert pane.subtitle.text() == "All: 3 To Dos — 3 open"
    assert [r[STATUS] for r in pane.cell_texts()] == ["Open"] * 3
    assert [r[PRIORITY] for r in pane.cell_texts()] == ["2", "5", "6"]
    assert pane.selected() is not None and pane.selected().id == ids["high_bill"]  # type: ignore[union-attr]
    assert pane.take_button.isEnabled() and not pane.return_button.isEnabled()

    activate(qtbot, pane, pane.table)
    qtbot.keyClick(pane.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert pane.message.text() == f"To Do {ids['high_bill']} is yours: it is Being Worked On by you."
    chosen = pane.selected()
    assert chosen is not None and chosen.id == ids["high_bill"]
    assert (chosen.status, chosen.assigned_name) == (TodoStatus.BEING_WORKED, "Sam Pike")
    assert pane.cell_texts()[0][STATUS] == "Being Worked On"
    assert pane.return_button.isEnabled() and not pane.take_button.isEnabled()
    assert "Being Worked On by Sam Pike" in pane.detail.text()

    qtbot.keyClick(pane.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert pane.message.text() == f"To Do {ids['high_bill']} completed."
    assert [r.id for r in pane.model.rows] == [ids["meter"], ids["call"]]
    assert pane.table.hasFocus()
    done = todos.load_todo(db, ids["high_bill"])
    assert (done.status, done.completed_by) == (TodoStatus.COMPLETE, "Sam Pike")

    pane.completed_box.setChecked(True)
    settle(qtbot)
    assert len(pane.model.rows) == 3 and "1 complete" in pane.subtitle.text()


def test_enter_opens_the_todos_case(qtbot: QtBot, empty_db: Database) -> None:
    _organisation(empty_db)
    with transaction(empty_db, ADMIN) as session:
        session.add(CaseType(code="T", description="Test"))
        session.flush()
        session.add(CaseTypeStatus(case_type_code="T", status_code="OPEN", description="Open",
                                   is_initial=True))
        session.flush()
        at = now()
        case = Case(number=new_number(session, Case), case_type_code="T", status_code="OPEN",
                    opened_at=at, status_entered_at=at)
        session.add(case)
        session.flush()
        todos.create_todo(session, "TD-HIBILL", "About the case", case_id=case.id,
                          actor_name="system")
        number = case.number
    host = CasesHost()
    pane = _pane(qtbot, empty_db, SUPERVISOR, host)
    rows = pane.cell_texts()
    at_row = next(n for n, r in enumerate(rows) if r[6] == number)
    pane.table.selectRow(at_row)
    assert pane.case_button.isEnabled()
    activate(qtbot, pane, pane.table)
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    assert host.cases.opened == [number]

    # The case's To Do link shows that case's To Dos only, complete ones too.
    pane.show_case(number)
    settle(qtbot)
    assert pane.subtitle.text() == f"Case {number}: 1 To Do — 1 open"
    assert [r[6] for r in pane.cell_texts()] == [number]
    assert pane.case_label.text() == f"To Dos of case {number}"
    assert not pane.view_combo.isEnabled() and pane.all_button.isVisible()
    pane.all_button.click()
    settle(qtbot)
    assert len(pane.model.rows) == 4 and pane.view_combo.isEnabled()
    assert not pane.all_button.isVisible()


def test_completing_a_cases_last_todo_says_the_case_moved_on(qtbot: QtBot,
                                                            empty_db: Database) -> None:
    """A case type whose OPEN status moves to DONE by itself once its To Dos are done
    (AUTO-WHEN-TODOS-DONE); the supervisor completes the case's only To Do."""
    _organisation(empty_db)
    with transaction(empty_db, ADMIN) as session:
        session.add(CaseType(code="T", description="Test"))
        session.flush()
        session.add_all([
            CaseTypeStatus(case_type_code="T", status_code="OPEN", description="Open", seq=1,
                           is_initial=True),
            CaseTypeStatus(case_type_code="T", status_code="DONE", description="Done", seq=2,
                           is_final=True)])
        session.flush()
        session.add(CaseTypeAlgorithm(case_type_code="T", status_code="OPEN",
                                      kind=CaseAlgorithmKind.AUTO, seq=1,
                                      algorithm_code="AUTO-WHEN-TODOS-DONE", parameter="DONE"))
        at = now()
        case = Case(number=new_number(session, Case), case_type_code="T", status_code="OPEN",
                    opened_at=at, status_entered_at=at)
        session.add(case)
        session.flush()
        todo = todos.create_todo(session, "TD-METER", "Test the meter", case_id=case.id,
                                 actor_name="system").id
        case_id = case.id
    pane = _pane(qtbot, empty_db, SUPERVISOR)
    pane.type_combo.setCurrentIndex(pane.type_combo.findData("TD-METER"))
    pane.type_combo.activated.emit(pane.type_combo.currentIndex())
    settle(qtbot)
    assert pane.subtitle.text() == "All: 2 To Dos — 2 open · type TD-METER"
    pane.table.selectRow(next(n for n, r in enumerate(pane.cell_texts()) if r[6]))
    activate(qtbot, pane, pane.table)
    qtbot.keyClick(pane.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert pane.message.text() == (f"To Do {todo} completed. Moved on automatically to Done "
                                   "(AUTO-WHEN-TODOS-DONE).")
    with empty_db.sessions() as session:
        stored = session.get(Case, case_id)
        assert stored is not None and stored.status_code == "DONE"


def test_forward_to_another_group_and_a_lost_race(
        qtbot: QtBot, organised: tuple[Database, dict[str, int]]) -> None:
    db, ids = organised
    pane = _pane(qtbot, db, CSR)
    assert [pane.view_combo.itemText(i) for i in range(pane.view_combo.count())] == [
        "Mine", "My groups"]
    assert pane.view_combo.currentText() == "My groups"
    assert [r.id for r in pane.model.rows] == [ids["high_bill"], ids["call"]]

    dialog = pane.forward()
    assert dialog is not None
    settle(qtbot)
    dialog.to_group.setChecked(True)
    dialog.group.setCurrentIndex(dialog.group.findData("METER"))
    dialog.submit()
    settle(qtbot)
    assert pane.message.text() == f"To Do {ids['high_bill']} forwarded to work group METER."
    assert [r.id for r in pane.model.rows] == [ids["call"]]
    assert todos.load_todo(db, ids["high_bill"]).work_group == "METER"

    # Chris takes the call-back while Casey still sees it open.
    todos.take_todo(db, CSR2, ids["call"], todos.load_todo(db, ids["call"]).version)
    assert pane.take_button.isEnabled()
    pane.take()
    settle(qtbot)
    assert pane.message.text().startswith("Chris Nolan took this To Do meanwhile.")
    assert pane.cell_texts()[0][STATUS] == "Being Worked On"
    assert not pane.take_button.isEnabled()

    pane.view_combo.setCurrentIndex(pane.view_combo.findData("MINE"))
    pane.view_combo.activated.emit(pane.view_combo.currentIndex())
    settle(qtbot)
    assert pane.model.rows == ()
    assert pane.stack.currentIndex() == 1
    assert "You are not working on any To Do right now" in pane.empty.text.text()


def test_an_empty_list_explains_what_todos_are(qtbot: QtBot, empty_db: Database) -> None:
    pane = _pane(qtbot, empty_db, ADMIN)
    assert pane.stack.currentIndex() == 1
    assert pane.empty.heading.text() == "No To Dos waiting"
    assert pane.empty.text.text().startswith("To Do entries are pieces of work")
    assert "No To Do types are set up yet" in pane.empty.text.text()
    assert pane.subtitle.text() == "All: no To Dos"
    for button in (pane.take_button, pane.return_button, pane.forward_button,
                   pane.complete_button, pane.case_button):
        assert not button.isEnabled()
    pane.take()          # nothing selected: nothing happens
    settle(qtbot)
    assert not pane.message.isVisible()
