"""The Case pane driven as CSRs and supervisors work it (spec/50 §5.4 P-CS1, §5.5, issue 11):
a CSR opens a high-bill complaint for the account in context (New case…: person defaulted,
premise hidden), adds a note on the Log tab, escalates it — the dialog asks for the meter read
check the new status needs — and a supervisor resolves it from the To Do list; a closed case
is read-only; a button the user has no role for is grey with the reason; the auto-transition
message shows once; refusals and lost races are said in the message line; an empty database
says what to set up. The pane renders to PNG on every tab."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.cli import main
from app.config import os_username
from app.db import Database
from app.models.enums import CaseLogType, ContactMethod, TodoStatus
from app.services import cases, todos, users
from app.services.cases import CaseChanges, NewCase
from app.services.context import Actor
from app.views.case_dialogs import (
    LinkObjectDialog,
    LogNoteDialog,
    NewCaseDialog,
    RequiredCharsDialog,
    select_data,
)
from app.views.cases import CASES, CasesPane, demo_case, open_case
from app.views.current_context import CurrentAccount, CurrentContext
from app.views.panes import PaneContext, pane_spec
from app.views.todo_list import TodoListPane
from tests.conftest import ADMIN, CSR, SUPERVISOR
from tests.services.case_fixtures import INVESTIGATING, CaseWorld, case_world, log_of, log_types
from tests.views.conftest import activate, settle

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier


class PanesHost:
    """A pane host that opens real panes (one of each) for one user, as the window does."""

    def __init__(self, qtbot: QtBot, db: Database, actor: Actor,
                 current: CurrentContext | None = None) -> None:
        self.qtbot = qtbot
        self.ctx = PaneContext(db, actor, self, current or CurrentContext())
        self.panes: dict[str, QWidget] = {}
        self.statuses: list[str] = []
        self.visits: list[str] = []

    def open_pane(self, name: str) -> QWidget:
        if name not in self.panes:
            spec = pane_spec(name)
            assert spec is not None, name
            pane = spec.factory(self.ctx)
            self.qtbot.addWidget(pane)
            pane.resize(1400, 900)
            pane.show()
            self.panes[name] = pane
        return self.panes[name]

    def open_settings(self) -> object:
        return None

    def show_status(self, text: str) -> None:
        self.statuses.append(text)

    def record_visit(self, name: str) -> None:
        self.visits.append(name)


def _in_context(world: CaseWorld) -> CurrentContext:
    current = CurrentContext()
    current.set_account(CurrentAccount(world.account, "Okafor, Ngozi · account",
                                       main_party_number=world.person))
    return current


def _cases_pane(qtbot: QtBot, host: PanesHost) -> CasesPane:
    pane = host.open_pane(CASES)
    assert isinstance(pane, CasesPane)
    settle(qtbot)
    return pane


def _button(pane: CasesPane, text: str) -> QWidget:
    found = [b for b in pane.main_tab.action_buttons if b.text() == text]
    assert found, [b.text() for b in pane.main_tab.action_buttons]
    return found[0]


def _open_high_bill(db: Database, world: CaseWorld, comments: str = "Bill doubled") -> str:
    return cases.create_case(db, CSR, NewCase("HIGH-BILL", person_number=world.person,
                                              account_number=world.account,
                                              comments=comments)).number


def test_a_csr_opens_notes_and_escalates_and_a_supervisor_resolves_from_the_todo_list(
        qtbot: QtBot, empty_db: Database) -> None:
    db = empty_db
    world = case_world(db)
    csr = PanesHost(qtbot, db, CSR, _in_context(world))
    pane = _cases_pane(qtbot, csr)
    assert pane.account_field.text() == world.account          # the account in context
    assert pane.no_results.isVisible() and "No open case of account" in pane.no_results.text()

    # New case… (Ctrl+N) on the account in context: HIGH-BILL has no premise; the person is
    # the account's customer (CS-T02)
    activate(qtbot, pane, pane.account_field)
    qtbot.keyClick(pane.account_field, Qt.Key.Key_N, CTRL)
    dialog = pane.dialog
    assert isinstance(dialog, NewCaseDialog)
    select_data(dialog.case_type, "HIGH-BILL")
    settle(qtbot)
    assert dialog.defaults_loaded
    assert not dialog.form.isRowVisible(dialog._box("premise"))
    assert dialog.form.isRowVisible(dialog._box("person"))
    assert dialog.person.text() == world.person
    assert dialog.account.text() == world.account
    assert dialog.contact_person.text() == world.person
    dialog.comments.setPlainText("Bill doubled since March; the customer is away in winter.")
    select_data(dialog.method, ContactMethod.PHONE.value)
    qtbot.mouseClick(dialog.submit_button, LEFT)
    settle(qtbot)
    detail = pane.detail
    assert detail is not None and detail.status == "LODGED"
    number = detail.number
    assert pane.message.text() == f"Case {number} opened."
    assert pane.main_tab.facts["Status"].text() == "Lodged"
    assert pane.main_tab.facts["To Do"].text() == "No To Do entries"
    assert not pane.main_tab.premise.isVisibleTo(pane)                      # hidden
    assert pane.main_tab.person.text() == world.person
    assert [b.text() for b in pane.main_tab.action_buttons] == ["Investigate"]
    assert pane.results.cell_text(0, 0) == number                          # listed
    assert log_types(db, number) == [CaseLogType.CREATED]

    # a note on the Log tab (+, here Ctrl+L)
    pane.tabs.setCurrentWidget(pane.log_tab)
    activate(qtbot, pane, pane.log_tab.table)
    qtbot.keyClick(pane.log_tab.table, Qt.Key.Key_L, CTRL)
    note = pane.dialog
    assert isinstance(note, LogNoteDialog)
    qtbot.mouseClick(note.submit_button, LEFT)                        # empty: refused inline
    assert note.error_text("details") == "Type the note first."
    note.details.setPlainText("Customer called again: wants a meter test.")
    qtbot.mouseClick(note.submit_button, LEFT)
    settle(qtbot)
    rows = pane.log_tab.cell_texts()
    assert [r[1] for r in rows] == ["Customer called again: wants a meter test.",
                                    "Case created (High-bill complaint, Lodged)"]
    assert [r[3:] for r in rows] == [["csr1", "User details"], ["csr1", "Created"]]
    assert pane.tabs.tabText(1) == "Log (2)"

    # escalate: Investigating needs the meter read check, asked for first (CS-T03)
    pane.tabs.setCurrentWidget(pane.main_tab)
    qtbot.mouseClick(_button(pane, "Investigate"), LEFT)
    chars = pane.dialog
    assert isinstance(chars, RequiredCharsDialog)
    field = chars.inputs.inputs["READ-CHK"]
    assert isinstance(field, QComboBox)                  # predefined values: a combo
    assert [field.itemData(i) for i in range(field.count())] == ["", "N", "Y"]
    qtbot.mouseClick(chars.submit_button, LEFT)
    assert chars.error_text("characteristics") == "Enter Meter read checked first."
    select_data(field, "Y")
    qtbot.mouseClick(chars.submit_button, LEFT)
    settle(qtbot)
    detail = pane.detail
    assert detail is not None and detail.status == INVESTIGATING            # CS-T04
    assert pane.main_tab.facts["To Do"].text().endswith(">1 To Do entry: 1 Open</a>")
    assert pane.main_tab.script.isVisibleTo(pane)
    assert pane.main_tab.script.text() == "Script: Check the meter read against the history."
    assert not pane.main_tab.auto_message.isVisibleTo(pane)
    resolve = _button(pane, "Resolve")                   # CS-T08: not for a CSR
    assert not resolve.isEnabled()
    assert resolve.toolTip() == "Only a user with the Supervisor role can Resolve."
    assert _button(pane, "Reject").isEnabled()
    assert log_types(db, number)[-2:] == [CaseLogType.STATUS_TRANSITION, CaseLogType.SYSTEM]
    related = pane.log_tab.cell_texts()[0][2]
    assert related.startswith("To Do ")

    # the To Do link opens the To Do list on the case's To Dos
    pane.main_tab.todo_clicked.emit()
    todo_pane = csr.panes["todo"]
    assert isinstance(todo_pane, TodoListPane)
    settle(qtbot)
    assert todo_pane.case_number == number and todo_pane.model.rowCount() == 1

    # a supervisor opens the To Do from the To Do list, opens its case and resolves it
    supervisor = PanesHost(qtbot, db, SUPERVISOR)
    todo_list = supervisor.open_pane("todo")
    assert isinstance(todo_list, TodoListPane)
    settle(qtbot)
    chosen = todo_list.selected()
    assert chosen is not None and chosen.case_number == number
    assert chosen.status is TodoStatus.OPEN
    qtbot.mouseClick(todo_list.case_button, LEFT)
    settle(qtbot)
    sup_pane = supervisor.panes[CASES]
    assert isinstance(sup_pane, CasesPane)
    assert sup_pane.detail is not None and sup_pane.detail.number == number
    assert supervisor.visits == [CASES]
    resolve = _button(sup_pane, "Resolve")
    assert resolve.isEnabled()
    qtbot.mouseClick(resolve, LEFT)
    settle(qtbot)
    closed = sup_pane.detail
    assert closed is not None and closed.status == "RESOLVED" and closed.is_final
    assert closed.closed_at is not None
    assert sup_pane.main_tab.facts["Status"].text() == "Resolved (closed)"
    assert sup_pane.main_tab.facts["Closed"].text() != "—"
    assert sup_pane.main_tab.facts["To Do"].text().endswith(">1 To Do entry: 1 Complete</a>")
    assert sup_pane.message.text() == f"Case {number}: Resolve — moved to Resolved."
    assert [t.status for t in todos.todos_of_case(db, _case_id(db, number))] == [
        TodoStatus.COMPLETE]

    # the case is read-only now (CS-T06): person, account, contact, characteristics
    main = sup_pane.main_tab
    assert main.person.number.isReadOnly() and main.account.number.isReadOnly()
    assert main.contact_person.number.isReadOnly() and main.comments.isReadOnly()
    assert not main.method.isEnabled() and main.callback.phone.isReadOnly()
    read_chk = main.chars.inputs["READ-CHK"]
    assert isinstance(read_chk, QComboBox) and not read_chk.isEnabled()
    assert not main.save_row.isVisibleTo(sup_pane) and not main.link_button.isVisibleTo(sup_pane)
    assert main.closed_note.isVisibleTo(sup_pane)
    assert not main.actions_bar.isVisibleTo(sup_pane)       # no action from a final status

    # the log tells the story, newest first
    story = [(r[1], r[3], r[4]) for r in sup_pane.log_tab.cell_texts()]
    contact = story[0][0].split()[-2]
    assert story == [
        (f"Customer contact LETTER {contact} recorded", "sup1", "System"),
        ("Status changed from Investigating to Resolved", "sup1", "Status transition"),
        ("1 To Do entry completed", "sup1", "System"),
        ("To Do Review a high bill created for Billing team", "csr1", "System"),
        ("Status changed from Lodged to Investigating (Characteristic Meter read checked set "
         "to Y)", "csr1", "Status transition"),
        ("Customer called again: wants a meter test.", "csr1", "User details"),
        ("Case created (High-bill complaint, Lodged)", "csr1", "Created")]
    assert sup_pane.log_tab.cell_texts()[0][2] == f"Customer contact {contact}"


def _case_id(db: Database, number: str) -> int:
    from tests.services.case_fixtures import case_row

    return case_row(db, number).id


def test_the_auto_transition_message_shows_once_then_goes_on_reload(
        qtbot: QtBot, empty_db: Database) -> None:
    """CS-T09: a literature request created with the date it was sent moves on to Sent at
    once; the message area says so, and is gone after F5."""
    world = case_world(empty_db)
    host = PanesHost(qtbot, empty_db, CSR, _in_context(world))
    pane = _cases_pane(qtbot, host)
    dialog = pane.new_case()
    assert dialog is not None
    select_data(dialog.case_type, "LIT-REQ")
    settle(qtbot)
    assert not dialog.form.isRowVisible(dialog._box("responsible_user"))     # NOT_ALLOWED
    assert list(dialog.chars.inputs) == ["SENT-DT"]
    dialog.chars.set_value("SENT-DT", "2025-03-04")
    qtbot.mouseClick(dialog.submit_button, LEFT)
    settle(qtbot)
    main = pane.main_tab
    assert pane.detail is not None and pane.detail.status == "SENT"
    assert main.auto_message.isVisibleTo(pane)
    assert main.auto_message.text() == "Moved on automatically to Sent (AUTO-IF-CHAR)."
    assert [r[4] for r in pane.log_tab.cell_texts()] == ["Status transition", "Created"]
    activate(qtbot, pane, pane.account_field)
    qtbot.keyClick(pane.account_field, Qt.Key.Key_F5)
    settle(qtbot)
    assert not main.auto_message.isVisibleTo(pane)
    assert main.auto_message.text() == ""
    # a pane that made the move (Control Central's New case…) hands the message over
    assert pane.detail is not None
    open_case(host, pane.detail.number, "Moved on automatically to Sent (AUTO-IF-CHAR).")
    settle(qtbot)
    assert main.auto_message.isVisibleTo(pane)
    pane.reload_case()
    settle(qtbot)
    assert not main.auto_message.isVisibleTo(pane)


def test_search_filters_and_a_row_opens_its_case(qtbot: QtBot, empty_db: Database) -> None:
    world = case_world(empty_db)
    first = _open_high_bill(empty_db, world, "First")
    second = _open_high_bill(empty_db, world, "Second")
    lit = cases.create_case(empty_db, CSR, NewCase("LIT-REQ", person_number=world.person,
                                                   characteristics=(("SENT-DT", "2025-03-04"),)
                                                   )).number
    host = PanesHost(qtbot, empty_db, CSR)               # no account in context
    pane = _cases_pane(qtbot, host)
    assert pane.account_field.text() == ""
    numbers = {pane.results.cell_text(r, 0) for r in range(pane.results.source.rowCount())}
    assert numbers == {first, second}                      # the sent request is closed
    assert pane.found.text() == "2 cases found, newest first"
    pane.open_only.setChecked(False)                       # searches again
    settle(qtbot)
    assert pane.results.source.rowCount() == 3
    select_data(pane.type_combo, "LIT-REQ")
    pane.search()
    settle(qtbot)
    assert [pane.results.cell_text(0, c) for c in (0, 1, 2)] == [
        lit, "Literature request", "Sent (closed)"]
    pane.status_combo.setEditText("LODGED")
    select_data(pane.type_combo, None)
    pane.search()
    settle(qtbot)
    assert pane.results.source.rowCount() == 2
    qtbot.mouseClick(pane.results.viewport(), LEFT,
                     pos=pane.results.visualRect(pane.results.source.index(1, 0)).center())
    settle(qtbot)
    assert pane.detail is not None and pane.detail.number == pane.results.cell_text(1, 0)
    assert pane.pane_state() == (pane.detail.number, 0)
    pane.account_field.setText("123")                    # not an account number
    pane.search()
    settle(qtbot)
    assert pane.message.isVisible() and "123" in pane.message.text()


def test_save_logs_each_change_and_a_lost_race_says_who(qtbot: QtBot,
                                                        empty_db: Database) -> None:
    world = case_world(empty_db)
    number = _open_high_bill(empty_db, world)
    host = PanesHost(qtbot, empty_db, CSR)
    pane = _cases_pane(qtbot, host)
    pane.open_case(number)
    settle(qtbot)
    main = pane.main_tab
    main.comments.setPlainText("Bill doubled; meter test booked.")
    main.instructions.setText("Call after 6 pm")
    qtbot.mouseClick(main.save_button, LEFT)
    settle(qtbot)
    assert pane.message.text() == f"Case {number} saved; the changes are on its log."
    details = [r[1] for r in pane.log_tab.cell_texts()]
    assert "Comments changed" in details
    assert any(d.startswith("Contact instructions changed") for d in details)
    qtbot.mouseClick(main.save_button, LEFT)              # nothing changed since
    assert pane.message.text() == "Nothing to save: no detail of the case was changed."

    # someone else saves meanwhile: the CSR's save is refused, saying who, and reloads
    assert pane.detail is not None
    cases.update_case(empty_db, SUPERVISOR, number, pane.detail.version,
                      CaseChanges(comments="Supervisor's view"))
    main.comments.setPlainText("My late edit")
    qtbot.mouseClick(main.save_button, LEFT)
    settle(qtbot)
    assert "was changed by sup1" in pane.message.text()
    assert main.comments.toPlainText() == "Supervisor's view"

    # a refusal names the problem and keeps the input
    main.person.number.setText("")
    qtbot.mouseClick(main.save_button, LEFT)
    settle(qtbot)
    assert "needs a person" in pane.message.text()
    assert main.person.text() == ""
    assert main.person.number.hasFocus() and "border" in main.person.number.styleSheet()


def test_links_and_log_drill_down(qtbot: QtBot, empty_db: Database) -> None:
    world = case_world(empty_db)
    number = _open_high_bill(empty_db, world)
    detail = cases.load_case(empty_db, CSR, number)
    cases.transition_case(empty_db, CSR, number, INVESTIGATING, detail.version,
                          (("READ-CHK", "Y"),))
    host = PanesHost(qtbot, empty_db, CSR)
    pane = _cases_pane(qtbot, host)
    pane.open_case(number)
    settle(qtbot)
    assert pane.main_tab.links_empty.isVisibleTo(pane)
    dialog = pane.link_object()
    assert isinstance(dialog, LinkObjectDialog)
    select_data(dialog.kind, "QUOTE")
    dialog.object_number.setText("1234567890")
    qtbot.mouseClick(dialog.submit_button, LEFT)
    settle(qtbot)
    assert dialog.error_text("object_number")              # no such quote: said under it
    select_data(dialog.kind, "PREMISE")
    dialog.object_number.setText(world.home.premise)
    qtbot.mouseClick(dialog.submit_button, LEFT)
    settle(qtbot)
    assert pane.detail is not None and len(pane.detail.links) == 1
    links = pane.main_tab.links
    assert links.isVisibleTo(pane)
    assert [links.cell_text(0, c) for c in (0, 1)] == ["Premise", world.home.premise]
    newest = pane.log_tab.cell_texts()[0]
    assert newest[1:3] == [f"Linked to premise {world.home.premise}",
                           f"Premise {world.home.premise}"]

    # a related object on the log opens: the premise in the record pane, a To Do in the list
    log = pane.log_tab.table
    qtbot.mouseClick(log.viewport(), LEFT, pos=log.visualRect(log.source.index(0, 2)).center())
    settle(qtbot)
    assert "record" in host.panes
    todo_row = next(r for r, texts in enumerate(pane.log_tab.cell_texts())
                    if texts[2].startswith("To Do "))
    qtbot.mouseClick(log.viewport(), LEFT,
                     pos=log.visualRect(log.source.index(todo_row, 2)).center())
    settle(qtbot)
    todo_pane = host.panes["todo"]
    assert isinstance(todo_pane, TodoListPane) and todo_pane.case_number == number


def test_an_empty_database_says_what_to_set_up(qtbot: QtBot, empty_db: Database,
                                               tmp_path: Path) -> None:
    host = PanesHost(qtbot, empty_db, ADMIN)
    pane = _cases_pane(qtbot, host)
    assert pane.empty.isVisibleTo(pane) and not pane.splitter.isVisibleTo(pane)
    assert pane.empty.heading.text() == "No case types are set up yet"
    assert not pane.new_button.isEnabled()
    assert pane.new_case() is None
    assert pane.types_button.isVisibleTo(pane)            # an administrator may set them up
    assert not pane.grab().isNull()
    assert pane.grab().save(str(tmp_path / "cases-empty.png"))
    editor = pane.open_case_types()
    assert isinstance(editor, QWidget) and editor.isVisible()
    settle(qtbot)
    editor.close()
    settle(qtbot)
    csr = _cases_pane(qtbot, PanesHost(qtbot, empty_db, CSR))
    assert not csr.types_button.isVisibleTo(csr) and csr.open_case_types() is None


def test_every_tab_renders(qtbot: QtBot, empty_db: Database, tmp_path: Path) -> None:
    world = case_world(empty_db)
    number = cases.create_case(empty_db, CSR, NewCase(
        "HIGH-BILL", person_number=world.person, account_number=world.account,
        clob_data='{"source": "portal", "bill": {"amount": "412.80"}}')).number
    detail = cases.load_case(empty_db, CSR, number)
    cases.add_log_entry(empty_db, CSR, number, "Customer called.")
    cases.transition_case(empty_db, CSR, number, INVESTIGATING, detail.version,
                          (("READ-CHK", "Y"),))
    host = PanesHost(qtbot, empty_db, CSR, _in_context(world))
    pane = _cases_pane(qtbot, host)
    pane.open_case(number)
    settle(qtbot)
    for index, name in enumerate(("main", "log", "portal")):
        pane.tabs.setCurrentIndex(index)
        settle(qtbot)
        image = pane.grab()
        assert not image.isNull() and image.save(str(tmp_path / f"cases-{name}.png"))
    portal = pane.portal_tab
    assert portal.summary.isVisibleTo(pane)
    assert portal.summary.values["Account"].text().startswith(world.account)
    assert not portal.no_data.isVisibleTo(pane) and portal.data.isReadOnly()
    assert portal.data.toPlainText() == ('{\n  "source": "portal",\n  "bill": {\n'
                                         '    "amount": "412.80"\n  }\n}')
    assert pane.pane_state() == (number, 2)
    other = PanesHost(qtbot, empty_db, CSR)
    restored = _cases_pane(qtbot, other)
    restored.restore_state((number, 1))
    settle(qtbot)
    assert restored.detail is not None and restored.tabs.currentIndex() == 1
    field = restored.main_tab.chars.inputs["READ-CHK"]
    assert isinstance(field, (QComboBox, QLineEdit))


def test_switchboard_screenshot_cases_shows_a_case_with_its_log(
        qtbot: QtBot, empty_db: Database, db_url: str, tmp_path: Path) -> None:
    users.login_os_user(empty_db, os_username())          # the screenshot's user (admin)
    world = case_world(empty_db)
    _open_high_bill(empty_db, world, "Lodged only")
    number = _open_high_bill(empty_db, world)
    detail = cases.load_case(empty_db, CSR, number)
    cases.transition_case(empty_db, CSR, number, INVESTIGATING, detail.version,
                          (("READ-CHK", "Y"),))
    assert demo_case(empty_db, ADMIN) == number           # past its first status
    out = tmp_path / "cs.png"
    assert main(["screenshot", "cases", "--out", str(out), "--database", db_url]) == 0
    image = QImage(str(out))
    assert image.width() == 1400 and image.height() > 600


def test_unsaved_edits_are_kept_when_a_note_or_a_move_would_reload_the_case(
        qtbot: QtBot, empty_db: Database) -> None:
    world = case_world(empty_db)
    number = _open_high_bill(empty_db, world)
    host = PanesHost(qtbot, empty_db, CSR)
    pane = _cases_pane(qtbot, host)
    pane.open_case(number)
    settle(qtbot)
    pane.main_tab.comments.setPlainText("Customer read the meter: 41 230")
    assert pane.add_note() is None
    assert pane.message.text() == ("Save or revert your changes to the case first, then add a "
                                   "note: otherwise they would be lost.")
    assert pane.detail is not None
    investigate = next(a for a in pane.detail.actions if a.label == "Investigate")
    assert pane.press_action(investigate) is None
    assert "then investigate" in pane.message.text()
    # another pane saving on the account does not wipe them either
    pane.ctx.current.notify_saved(world.account)
    assert pane.main_tab.comments.toPlainText() == "Customer read the meter: 41 230"
    assert "your unsaved changes are kept" in pane.message.text()
    assert [r.log_type for r in log_of(empty_db, number)] == [CaseLogType.CREATED]
