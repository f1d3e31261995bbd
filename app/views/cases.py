"""The Case pane (spec/50 §5.4 P-CS1, issue 11 item 4): on the left, find cases — by type,
status, open only, account (the current account to begin with), responsible user and age —
in a grid sorted by a click on any heading; on the right, the chosen case in three tabs:
Main (its facts, one button per action of its status, the auto-transition message, its
editable details), Log (newest first; + adds a note) and Portal (its data and its account).

    pane = host.open_pane("cases")
    pane.open_case("4000000012")          # Control Central, the account tree, the To Do list

An action whose status needs characteristics the case lacks asks for them first
(RequiredCharsDialog). New case… (Ctrl+N) opens a case on the current account; Ctrl+L adds a
note; F5 reloads. Administrators edit the case types (Case types…). Every database call runs
in a worker; refusals and lost races are said in the message line. The pane belongs to the
Cases module.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.models.enums import UserRole
from app.services import cases, control_central, todos
from app.services.cases import (
    CaseAction,
    CaseDetail,
    CaseResult,
    CaseSearch,
    CaseTypeChoice,
    CharPrompt,
    MissingRequiredChar,
)
from app.services.context import Actor
from app.services.control_central import AccountSummary
from app.services.errors import ConcurrentChange, DomainError
from app.services.installation import Module
from app.services.todos import UserChoice
from app.views.case_dialogs import (
    LinkObjectDialog,
    LogNoteDialog,
    NewCaseDialog,
    RequiredCharsDialog,
)
from app.views.case_finder import CaseFinder, found_summary
from app.views.case_log_portal import LogTab, PortalTab
from app.views.case_tabs import MainTab, related_target
from app.views.current_context import CurrentAccount
from app.views.panes import PaneContext, PaneHost, PaneSpec, register
from app.views.record import open_record, register_record_opener
from app.views.widgets import (
    EmptyCard,
    label,
    pane_message,
    pane_shortcuts,
    push_button,
    say,
    say_failure,
)
from app.views.worker import run_task

CASES = "cases"
TODO_PANE = "todo"
MAIN, LOG, PORTAL = 0, 1, 2
EDITOR_MODULE = "app.views.case_type_editor"


@dataclass(frozen=True)
class CaseScreen:
    """What the pane needs before it can search: the case types the user may work and the
    users a case can be assigned to."""

    choices: tuple[CaseTypeChoice, ...]
    users: tuple[UserChoice, ...]


def load_screen(db: Database, actor: Actor) -> CaseScreen:
    return CaseScreen(cases.case_type_choices(db, actor), todos.forward_targets(db).users)


def account_summary(db: Database, account_number: str) -> AccountSummary:
    """The summary Control Central shows at its top left (the Portal tab's account zone)."""
    return control_central.account_dashboard(db, account_number).summary


def demo_case(db: Database, actor: Actor) -> str | None:
    """A case worth showing (the screenshot): an open high-bill complaint past its first
    status when there is one, else the newest open case, else the newest case."""
    rows, _more = cases.search_cases(db, actor, CaseSearch(open_only=True, limit=200))
    if not rows:
        rows, _more = cases.search_cases(db, actor, CaseSearch(open_only=False, limit=1))
    moved = [r for r in rows if r.case_type == "HIGH-BILL" and r.status != "LODGED"]
    chosen = moved or [r for r in rows if r.case_type == "HIGH-BILL"] or list(rows)
    return chosen[0].number if chosen else None


def editor_available() -> bool:
    return importlib.util.find_spec(EDITOR_MODULE) is not None


class CasesPane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setup: CaseScreen | None = None
        self.detail: CaseDetail | None = None
        self.number: str | None = None
        #: The auto-transition message of the last online move: shown with the next load of
        #: the case, then gone (spec/50 §5.2).
        self.auto_message: str | None = None
        self._detail_serial = 0
        self._summary_for: str | None = None
        self.dialog: Any = None
        self._telling_others = False
        self._build()
        pane_shortcuts(self, (("Ctrl+N", self.new_case), ("Ctrl+L", self.add_note),
                              ("F5", self.reload)))
        ctx.current.changed.connect(self._context_changed)
        ctx.current.saved.connect(self._something_saved)
        self.load_screen()

    # ---------------------------------------------------------------------------- building

    def _build(self) -> None:
        self.title = label("Cases", "pageTitle")
        self.subtitle = label("", "pageSubtitle", wrap=True)
        self.new_button = push_button("New case…", "Open a case on the current account "
                                      "(Ctrl+N)", self.new_case, "primary")
        self.types_button = push_button("Case types…", "Set up the case types: their "
                                        "statuses, actions, algorithms and characteristics",
                                        self.open_case_types)
        self.types_button.setVisible(self.ctx.actor.has_any(UserRole.ADMIN)
                                     and editor_available())
        self.reload_button = push_button("Reload", "Read the cases again (F5)", self.reload)
        top = QHBoxLayout()
        top.addWidget(self.new_button)
        top.addStretch(1)
        top.addWidget(self.types_button)
        top.addWidget(self.reload_button)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self._build_search())
        self.splitter.addWidget(self._build_detail())
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        self.splitter.setSizes([600, 800])
        self.splitter.setChildrenCollapsible(False)

        self.empty = EmptyCard(
            "No case types are set up yet",
            "A case follows its case type: the statuses it goes through, the actions that "
            "move it on, what it asks for (person, account, premise, contact, "
            "characteristics) and who may work it. An administrator sets up the case types "
            "first (Case types… on this pane), or loads the demo utility. Then open cases "
            "here with New case… (Ctrl+N), or from Control Central on the customer's "
            "account." + ("" if self.ctx.actor.has_any(UserRole.ADMIN) else
                          " If colleagues already work cases, none of their case types is "
                          "open to your roles: ask an administrator."))
        self.filler = QWidget()
        self.message = pane_message()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.filler, 1)
        self.splitter.hide()
        self.empty.hide()
        self.new_button.setEnabled(False)

    def _build_search(self) -> QWidget:
        self.finder = CaseFinder(self.ctx)
        self.finder.case_chosen.connect(self.open_case)
        self.finder.searched.connect(
            lambda criteria, count, more: self.subtitle.setText(
                found_summary(criteria, count, more)))
        self.finder.failed.connect(self._failed)
        f = self.finder        # its parts, as tests and screen readers reach them
        self.account_field, self.open_only, self.type_combo = (f.account_field, f.open_only,
                                                               f.type_combo)
        self.status_combo, self.results, self.found, self.no_results = (
            f.status_combo, f.results, f.found, f.no_results)
        return self.finder

    def _build_detail(self) -> QWidget:
        self.main_tab = MainTab()
        self.log_tab = LogTab()
        self.portal_tab = PortalTab()
        self.main_tab.action_pressed.connect(self.press_action)
        self.main_tab.todo_clicked.connect(self.open_todos)
        self.main_tab.save_clicked.connect(self.save)
        self.main_tab.revert_clicked.connect(self.reload_case)
        self.main_tab.link_clicked.connect(self.link_object)
        self.main_tab.open_record.connect(self._open_record)
        self.log_tab.add_clicked.connect(self.add_note)
        self.log_tab.related_activated.connect(self._related)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.main_tab, "Main")
        self.tabs.addTab(self.log_tab, "Log")
        self.tabs.addTab(self.portal_tab, "Portal")
        self.tabs.currentChanged.connect(lambda _i: self._tab_shown())
        self.placeholder = label("Choose a case on the left to see it here, or open a new "
                                 "one with New case… (Ctrl+N).", "hint", wrap=True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_stack = QStackedWidget()
        self.detail_stack.addWidget(self.placeholder)
        self.detail_stack.addWidget(self.tabs)
        return self.detail_stack

    # ---------------------------------------------------------------------------- loading

    def load_screen(self) -> None:
        run_task(load_screen, self.ctx.db, self.ctx.actor, on_result=self._screen_loaded,
                 on_error=self._failed)

    def _screen_loaded(self, screen: CaseScreen) -> None:
        first = self.setup is None
        self.setup = screen
        self.finder.set_choices(screen.choices, screen.users)
        self.main_tab.set_users(screen.users)
        has_types = bool(screen.choices)
        self.new_button.setEnabled(has_types)
        self.splitter.setVisible(has_types or self.detail is not None)
        self.empty.setVisible(not self.splitter.isVisible())
        self.filler.setVisible(not self.splitter.isVisible())
        if not self.splitter.isVisible():
            self.subtitle.setText("")
            return
        if first:
            account = self.ctx.current.account
            if account is not None and not self.account_field.text():
                self.account_field.setText(account.account_number)
            self.search()

    def search(self) -> None:
        self.finder.search()

    def reload(self) -> None:
        """Read the types, the search and the shown case again (F5); the auto-transition
        message is gone after a reload."""
        self.load_screen()
        self.search()
        self.reload_case()

    # ---------------------------------------------------------------------------- one case

    def open_case(self, number: str, auto_message: str | None = None) -> None:
        """Show case `number` (other panes drill in here). A pane that has just opened or
        moved the case passes the service's `auto_message`: the message area shows it once."""
        number = (number or "").strip()
        if not number:
            return
        if number != self.number:
            self.auto_message = None
            self.number = number
            self.ctx.host.record_visit(CASES)
        if auto_message:
            self.auto_message = auto_message
        self.reload_case()

    def reload_case(self) -> None:
        if self.number is None:
            return
        self._detail_serial += 1
        serial = self._detail_serial
        run_task(cases.load_case, self.ctx.db, self.ctx.actor, self.number,
                 on_result=lambda detail: self._detail_loaded(serial, detail),
                 on_error=lambda exc: self._detail_failed(serial, exc))

    def _detail_loaded(self, serial: int, detail: CaseDetail) -> None:
        if serial != self._detail_serial:
            return
        self.detail = detail
        self.number = detail.number
        message, self.auto_message = self.auto_message, None
        self.finder.note_status(detail.status, detail.status_description)
        self.main_tab.set_case(detail, message)
        self.log_tab.set_log(detail.log)
        self.tabs.setTabText(LOG, f"Log ({len(detail.log)})")
        self.portal_tab.set_case(detail)
        if detail.account is None or detail.account.number != self._summary_for:
            self._summary_for = None
        self.detail_stack.setCurrentWidget(self.tabs)
        if not self.splitter.isVisible():
            self.splitter.show()
            self.empty.hide()
            self.filler.hide()
        self._tab_shown()
        self.finder.mark(detail.number)

    def _detail_failed(self, serial: int, exc: BaseException) -> None:
        if serial == self._detail_serial:
            self._failed(exc)

    def _tab_shown(self) -> None:
        """The Portal tab reads its account's summary when first shown for that account."""
        detail = self.detail
        if self.tabs.currentIndex() != PORTAL or detail is None or detail.account is None:
            return
        number = detail.account.number
        if number == self._summary_for:
            return
        self._summary_for = number
        run_task(account_summary, self.ctx.db, number,
                 on_result=self.portal_tab.set_summary,
                 on_error=lambda exc: self.portal_tab.summary_failed(
                     exc.message if isinstance(exc, DomainError)
                     else f"The account's summary could not be read: {exc}"))

    # ---------------------------------------------------------------------------- actions

    def press_action(self, action: CaseAction) -> RequiredCharsDialog | None:
        """Move the case by one of its actions; characteristics the new status needs are
        asked for first."""
        detail = self.detail
        if detail is None or not action.enabled or self._unsaved(action.label):
            return None
        if action.needs:
            return self._ask_chars(action, action.needs, "")
        run_task(cases.transition_case, self.ctx.db, self.ctx.actor, detail.number,
                 action.to_status, detail.version,
                 on_result=lambda result: self._moved(action, result),
                 on_error=lambda exc: self._move_failed(action, exc))
        return None

    def _ask_chars(self, action: CaseAction, prompts: tuple[CharPrompt, ...],
                   reason: str) -> RequiredCharsDialog | None:
        detail = self.detail
        if detail is None:
            return None
        target = action.to_description or action.to_status
        names = ", ".join(p.description for p in prompts)
        dialog = RequiredCharsDialog(
            self.ctx, self, detail.number, action.to_status, detail.version, action.label,
            prompts, reason or f"Before the case moves to {target}, enter {names}.",
            detail.account.number if detail.account else None)
        dialog.saved.connect(lambda _text: self._moved(action, dialog.result_value))
        dialog.concurrent_change.connect(self.reload_case)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _moved(self, action: CaseAction, result: object) -> None:
        if not isinstance(result, CaseResult):
            return
        self.auto_message = result.auto_message
        target = action.to_description or action.to_status
        self._done(f"Case {result.number}: {action.label} — moved to {target}.")

    def _move_failed(self, action: CaseAction, exc: BaseException) -> None:
        if isinstance(exc, MissingRequiredChar):
            self._ask_chars(action, exc.missing, exc.message)
            return
        self._failed(exc)
        self.reload_case()

    def save(self) -> None:
        detail = self.detail
        if detail is None:
            return
        self.main_tab.clear_pointer()
        changes = self.main_tab.changes()
        if changes is None:
            say(self.message, "Nothing to save: no detail of the case was changed.", True)
            return
        run_task(cases.update_case, self.ctx.db, self.ctx.actor, detail.number,
                 detail.version, changes,
                 on_result=lambda _r: self._done(f"Case {detail.number} saved; the changes "
                                                 "are on its log."),
                 on_error=self._save_failed)

    def _save_failed(self, exc: BaseException) -> None:
        """Refusals keep the user's input (they can correct it); a lost race says who changed
        the case and shows it as it is now."""
        self._failed(exc)
        if isinstance(exc, ConcurrentChange):
            self.reload_case()
        elif isinstance(exc, DomainError):
            self.main_tab.point_at(exc.field)

    def new_case(self) -> NewCaseDialog | None:
        setup = self.setup
        if setup is None or not setup.choices:
            return None
        account = self.ctx.current.account
        dialog = NewCaseDialog(self.ctx, self, setup.choices, setup.users,
                               account_number=account.account_number if account else None)
        dialog.saved.connect(lambda _text: self._created(dialog.result_value))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _created(self, result: object) -> None:
        if not isinstance(result, CaseResult):
            return
        self.number = result.number
        self.auto_message = result.auto_message
        self.tabs.setCurrentIndex(MAIN)
        self.ctx.host.record_visit(CASES)
        self._done(f"Case {result.number} opened.")

    def add_note(self) -> LogNoteDialog | None:
        detail = self.detail
        if detail is None:
            say(self.message, "Choose a case first: the note goes on its log.", False)
            return None
        if self._unsaved("add a note"):
            return None
        dialog = LogNoteDialog(self.ctx, self, detail.number,
                               detail.account.number if detail.account else None)
        dialog.saved.connect(self._noted)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _noted(self, text: str) -> None:
        self.tabs.setCurrentIndex(LOG)
        self._done(text)

    def link_object(self) -> LinkObjectDialog | None:
        detail = self.detail
        if detail is None or not detail.may_work or self._unsaved("link it"):
            return None
        dialog = LinkObjectDialog(self.ctx, self, detail.number,
                                  detail.account.number if detail.account else None)
        dialog.saved.connect(self._done)
        self.dialog = dialog
        dialog.open()
        return dialog

    # ---------------------------------------------------------------------------- elsewhere

    def open_todos(self) -> None:
        """The To Do list, showing the case's To Dos when it can filter on a case."""
        number = self.number
        try:
            pane = self.ctx.host.open_pane(TODO_PANE)
        except KeyError:
            say(self.message, "The To Do list is not available here.", False)
            return
        for name in ("show_case", "filter_case"):
            show = getattr(pane, name, None)
            if callable(show) and number:
                show(number)
                return

    def _open_record(self, kind: str, number: str) -> None:
        if kind == "Case":
            self.open_case(number)
        elif kind == "To Do":
            self.open_todos()
        else:
            open_record(self.ctx.host, kind, number)

    def _related(self, kind: str, ident: str) -> None:
        target = related_target(kind, ident)
        if target is not None:
            self._open_record(target, ident)

    def open_case_types(self) -> Any:
        if not (self.ctx.actor.has_any(UserRole.ADMIN) and editor_available()):
            return None
        from app.views.case_type_editor import open_case_type_editor

        editor = open_case_type_editor(self, self.ctx,
                                       self.detail.case_type if self.detail else None)
        editor.destroyed.connect(lambda _obj=None: self.load_screen())
        return editor

    # ---------------------------------------------------------------------------- messages

    def _done(self, text: str) -> None:
        """A change saved: say so, find the cases and read the case again, and tell the other
        panes (Control Central's cases zone and alert) about the case's account."""
        say(self.message, text, True)
        self.ctx.host.show_status(text)
        self.search()
        self.reload_case()
        detail = self.detail
        if detail is not None and detail.account is not None:
            self._telling_others = True     # this pane already reads the case again
            try:
                self.ctx.current.notify_saved(detail.account.number)
            finally:
                self._telling_others = False

    def _failed(self, exc: BaseException) -> None:
        say_failure(self.message, exc)

    def _context_changed(self, account: CurrentAccount | None) -> None:
        self.account_field.setText(account.account_number if account else "")
        self.search()

    def _something_saved(self, account_number: object) -> None:
        """Another pane saved something: read the shown case again if it may concern it."""
        detail = self.detail
        if detail is None or self._telling_others:
            return
        if account_number is None or (detail.account is not None
                                      and detail.account.number == account_number):
            if self.main_tab.changes() is not None:
                say(self.message, f"Case {detail.number} may have changed elsewhere; your "
                    "unsaved changes are kept. Save them (a clash is reported) or Revert to "
                    "see the latest.", False)
                return
            self.reload_case()

    def _unsaved(self, what: str) -> bool:
        """True (and says so) when the Main tab holds changes not yet saved: reading the case
        again after a move or a note would wipe them."""
        if self.main_tab.changes() is None:
            return False
        self.tabs.setCurrentIndex(MAIN)
        say(self.message, f"Save or revert your changes to the case first, then {what.lower()}"
            ": otherwise they would be lost.", False)
        return True

    # ---------------------------------------------------------------------------- history

    def pane_state(self) -> object:
        return (self.number, self.tabs.currentIndex()) if self.number else None

    def restore_state(self, state: object) -> None:
        if isinstance(state, tuple) and len(state) == 2 and isinstance(state[0], str):
            self.open_case(state[0])
            if isinstance(state[1], int):
                self.tabs.setCurrentIndex(state[1])


def _make(ctx: PaneContext) -> QWidget:
    return CasesPane(ctx)


CASES_SPEC = register(PaneSpec(CASES, "Cases", "Ctrl+Shift+C", _make, Module.CASES))


def open_case(host: PaneHost, number: str, auto_message: str | None = None) -> None:
    """Show case `number` in the Case pane (Control Central's cases zone and alert, the
    account tree's case nodes, the To Do list), with the auto-transition message of a move
    just made there, if any."""
    pane = host.open_pane(CASES)
    if isinstance(pane, CasesPane):
        pane.open_case(number, auto_message)


register_record_opener("Case", open_case)

__all__ = ["CASES", "CASES_SPEC", "CasesPane", "demo_case", "open_case"]
