"""The Rate Editor pane (spec/10 §6, §9; spec/20 §2, §7, §8): rate analysts build and change
rate schedules, their versions and components; everyone else reads them.

    pane = host.open_pane("rate-editor")
    pane.open_schedule("COM-TOU")                      # other panes jump here
    pane.open_schedule("COM-TOU", dt.date(2009, 8, 17), sequence=60)

Left: every schedule → its versions (effective date, status) → components, and its SQ rules,
register rules and sub-rates, with a filter. Right: the schedule page (main fields and its
grids) and the version page (effective date, status with Set In Progress / Validate / Finish,
description on bill, the component grid and forms). Edits change a working copy of the engine
objects (`dataclasses.replace`); Save (Ctrl+S) hands the whole version or schedule to
`services.rates`. A refused save leaves everything unsaved and says why beside the component or
field; a lost race says who won and reloads. Ins adds a component, Del deletes it, F5 reloads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QListWidgetItem,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.engine.rates.enums import RateScheduleType, RateVersionStatus
from app.engine.rates.schedules import RateSchedule, RateVersion
from app.services import rates
from app.services.errors import ConcurrentChange, DomainError, ValidationError
from app.services.rates import RateValidationFailed, ScheduleForEdit, VersionState
from app.views.panes import PaneContext, PaneSpec, register
from app.views.rate_component_editor import ComponentEditor
from app.views.rate_editor_fields import component_field
from app.views.rate_editor_schedule import NewVersionDialog, SchedulePage
from app.views.rate_editor_tree import Catalogue, ScheduleTree, load_catalogue
from app.views.rate_editor_version import VersionPage, problem_text
from app.views.rate_library_actions import EMPTY_LIBRARY, RateLibraryActions
from app.views.tree_dialogs import BANNER_STYLE
from app.views.widgets import label, pane_shortcuts, push_button
from app.views.worker import run_task

RATE_EDITOR = "rate-editor"
PICK_A_SCHEDULE = ("Pick a rate schedule on the left (type in the filter to find one), or "
                   "start one with New Schedule….")
READ_ONLY = ("Read only: everyone may look at the rates, but changing them needs the Rate "
             "Analyst role.")
BILLED = ("Bills were calculated with this Finished version, so it cannot change: add a newer "
          "version (New Version…, copying this one) to supersede it.")
CHOICE_NAMES = ("uoms", "tous", "sqis", "bill_factors", "sq_rules", "register_rules",
                "frequencies", "currencies", "subsidiaries", "service_types")
SCHEDULE_PAGE, VERSION_PAGE = 0, 1
IP, VAL, FIN = (RateVersionStatus.IN_PROGRESS, RateVersionStatus.VALIDATED,
                RateVersionStatus.FINISHED)


@dataclass(frozen=True)
class PaneState:
    code: str | None
    effective: dt.date | None


def save_then_set_status(db: Any, actor: Any, code: str, effective: dt.date,
                         draft: RateVersion | None, row_version: int,
                         status: RateVersionStatus) -> ScheduleForEdit:
    """Save the edited version (when changed), then move it to `status` (worker). When the
    move is refused the saved state rides on the error as `saved`."""
    saved = None
    if draft is not None:
        saved = rates.save_version(db, actor, code, draft, row_version)
        row_version = saved.version_state(effective).row_version
    try:
        return rates.set_version_status(db, actor, code, effective, status, row_version)
    except DomainError as exc:
        exc.saved = saved  # type: ignore[attr-defined]
        raise



class RateEditorPane(QWidget):
    #: A schedule is shown (loaded and filled in): its code.
    schedule_shown = Signal(str)

    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self._ctx = ctx
        self._serial = 0
        self._filling = False
        self.loaded: ScheduleForEdit | None = None
        self.creating = False
        self.effective: dt.date | None = None
        self.version_loaded: RateVersion | None = None
        self.may_edit = ctx.actor.has_any(*rates.EDIT_ROLES)
        self.confirm: Callable[[str], bool] = self._ask
        self.choice_models = {name: QStringListModel(self) for name in CHOICE_NAMES}
        choices = self.choice_models.__getitem__

        self.schedule_tree = ScheduleTree()
        self.filter, self.tree = self.schedule_tree.filter, self.schedule_tree.tree
        self.schedule_tree.chosen.connect(self._tree_chosen)
        self.schedule_tree.activated.connect(self._tree_activated)
        self.new_schedule_button = push_button("New Schedule…", "Start a new rate schedule",
                                           self.new_schedule)
        self.new_version_button = push_button("New Version…", "Add a version, optionally copying "
                                          "the components of an existing one (Duplicate)",
                                          self.new_version)
        self.delete_version_button = push_button("Delete Version", "Delete the selected version",
                                             self.delete_version)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.setSpacing(6)
        left_layout.addWidget(self.schedule_tree, 1)
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        for b in (self.new_schedule_button, self.new_version_button,
                  self.delete_version_button):
            b.setStyleSheet("QPushButton { padding: 4px 8px; }")
            buttons.addWidget(b)
        left_layout.addLayout(buttons)
        self.library_actions = RateLibraryActions(ctx, self._current_code, self.may_edit)
        self.library_actions.confirm = lambda text: self.confirm(text)
        self.library_actions.imported.connect(self._library_imported)
        self.library_actions.failed.connect(lambda text: self._library_said(text, ok=False))
        self.library_actions.exported.connect(
            lambda path: self._library_said(f"Rate schedule saved to {path}.", ok=True))
        left_layout.addWidget(self.library_actions)

        self.banner = label(READ_ONLY, wrap=True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setVisible(not self.may_edit)
        self.title = label("", "sectionHeading", wrap=True)
        self.subtitle = label("", "hint", wrap=True)
        self.message = label("", "inlineOk", wrap=True)
        self.message.hide()
        self.save_button = push_button("Save", "Save the schedule and the version (Ctrl+S)",
                                   self.save, "primary")
        self.reload_button = push_button("Reload", "Read the schedule again; unsaved changes are "
                                     "dropped (F5)", self.reload)
        self.version_merge_button = push_button("Version Merge…", "Renumber, move, delete or copy "
                                            "components (Rate Version Merge)",
                                            self.open_version_merge)
        self.schedule_merge_button = push_button("Schedule Merge…", "Copy rules, bill messages and "
                                             "meter configurations from another schedule",
                                             self.open_schedule_merge)
        self.bill_factor_button = push_button("Bill Factors…", "Open the bill factor editor",
                                          self.open_bill_factors)

        self.schedule_page = SchedulePage(choices)
        self.schedule_page.changed.connect(self._edited)
        self.components = ComponentEditor(choices)
        self.components.confirm = lambda text: self.confirm(text)
        self.components.changed.connect(self._edited)
        self.tabs = QTabWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.schedule_page)
        self.tabs.addTab(scroll, "Schedule")
        self.version_page = VersionPage(self.components, (self.version_merge_button,
                                                          self.bill_factor_button))
        page = self.version_page
        self.effective_field, self.status_label = page.effective_field, page.status_label
        self.status_buttons, self.description_on_bill = page.status_buttons, \
            page.description_on_bill
        self.version_note, self.problems = page.version_note, page.problems
        for status, button in self.status_buttons.items():
            button.clicked.connect(lambda _=False, s=status: self.set_status(s))
        self.description_on_bill.textEdited.connect(lambda _t: self._edited())
        self.problems.itemClicked.connect(self._problem_chosen)
        self.problems.itemActivated.connect(self._problem_chosen)
        self.tabs.addTab(page, "Version")

        header = QHBoxLayout()
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(self.title)
        heading.addWidget(self.subtitle)
        header.addLayout(heading, 1)
        for b in (self.save_button, self.reload_button):
            header.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
        self.schedule_page.heading.addWidget(self.schedule_merge_button)
        editor = QWidget()
        editor_layout = QVBoxLayout(editor)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.setSpacing(6)
        editor_layout.addLayout(header)
        editor_layout.addWidget(self.message)
        editor_layout.addWidget(self.tabs, 1)
        self.empty = label(PICK_A_SCHEDULE, "emptyText", wrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.empty_message = label("", "inlineOk", wrap=True)
        self.empty_message.hide()
        empty_page = QWidget()
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.setContentsMargins(12, 12, 12, 12)
        empty_layout.addWidget(self.empty)
        shipped = QHBoxLayout()
        shipped.addWidget(self.library_actions.shipped_button)
        shipped.addStretch(1)
        empty_layout.addLayout(shipped)
        empty_layout.addWidget(self.empty_message)
        empty_layout.addStretch(1)
        self.library_actions.shipped_button.hide()
        self.stack = QStackedWidget()
        self.stack.addWidget(empty_page)
        self.stack.addWidget(editor)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 1100])
        splitter.setChildrenCollapsible(False)
        left.setMinimumWidth(240)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 10)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(label("Rate Editor", "pageTitle"))
        top.addWidget(label("Rate schedules, versions and components. Ins adds a component, "
                            "Del deletes it, Ctrl+S saves, F5 reloads.", "pageSubtitle"), 1,
                      Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        pane_shortcuts(self, (("Ctrl+S", self.save), ("F5", self.reload),
                              ("Ins", self._insert_key)))
        self._update_actions()
        self.refresh_catalogue()

    # ---------------------------------------------------------------------- the catalogue

    def refresh_catalogue(self, then: Callable[[], None] | None = None) -> None:
        run_task(load_catalogue, self._ctx.db,
                 on_result=lambda cat: self._catalogue_loaded(cat, then),
                 on_error=lambda exc: self.say(f"The rate schedules could not be read: {exc}",
                                               ok=False))

    def _catalogue_loaded(self, catalogue: Catalogue, then: Callable[[], None] | None) -> None:
        for name, values in catalogue.choices.items():
            self.choice_models[name].setStringList(values)
        self.schedule_tree.set_schedules(catalogue.schedules)
        no_rates = not catalogue.schedules
        self.empty.setText(EMPTY_LIBRARY if no_rates else PICK_A_SCHEDULE)
        self.library_actions.shipped_button.setVisible(no_rates and self.may_edit)
        if self.loaded is not None:
            self.schedule_tree.show_schedule(self.loaded.schedule)
            self.schedule_tree.select(self.loaded.schedule.code, self.effective)
        if then is not None:
            then()

    def tree_texts(self, code: str) -> list[str]:
        return self.schedule_tree.texts(code)

    def _tree_chosen(self, key: tuple[Any, ...]) -> None:
        kind, code = key[0], key[1]
        effective = key[2] if kind in ("version", "component") else None
        sequence = key[3] if kind == "component" else None
        page = VERSION_PAGE if effective is not None else SCHEDULE_PAGE
        loaded = self.loaded.schedule.code if self.loaded is not None else None
        if code != loaded or self.creating:
            self.open_schedule(code, effective, sequence, page=page)
            return
        if effective is not None and effective != self.effective:
            if not self._may_discard(version_only=True):
                self.schedule_tree.select(code, self.effective)
                return
            self._show_version(effective)
        if sequence is not None:
            self.components.select_sequence(sequence)
        self.tabs.setCurrentIndex(page)

    def _tree_activated(self, key: tuple[Any, ...]) -> None:
        if key[0] == "sub_rate":
            self.open_schedule(key[3])

    # -------------------------------------------------------------------------- opening

    def open_schedule(self, code: str, effective: dt.date | None = None,
                      sequence: int | None = None, *, page: int | None = None,
                      ask: bool = True, keep_message: bool = False) -> None:
        """Load `code` (in a worker) and show it; with `effective` that version, with
        `sequence` that component."""
        if ask and not self._may_discard():
            if self.loaded is not None:
                self.schedule_tree.select(self.loaded.schedule.code, self.effective)
            return
        self._serial += 1
        serial = self._serial
        if not keep_message:
            self.message.hide()
        run_task(rates.open_schedule, self._ctx.db, self._ctx.actor, code,
                 on_result=lambda fe: self._opened(serial, fe, effective, sequence, page),
                 on_error=lambda exc: self._failed(exc, "open"))

    def _opened(self, serial: int, fe: ScheduleForEdit, effective: dt.date | None,
                sequence: int | None, page: int | None) -> None:
        if serial == self._serial:
            self.show_schedule(fe, effective, sequence, page)

    def show_schedule(self, fe: ScheduleForEdit, effective: dt.date | None = None,
                      sequence: int | None = None, page: int | None = None) -> None:
        """Fill the pane with `fe`: the tree's node, the schedule page, one version."""
        self.loaded, self.creating = fe, False
        rs = fe.schedule
        self.schedule_page.set_schedule(rs, creating=False, editable=self._can_edit())
        versions = {v.effective for v in rs.versions}
        if effective not in versions:
            effective = max(versions, default=None)
        self._show_version(effective)
        if sequence is not None:
            self.components.select_sequence(sequence)
        self.schedule_tree.show_schedule(rs)
        self.schedule_tree.select(rs.code, effective, sequence)
        self.stack.setCurrentIndex(1)
        self.tabs.setTabEnabled(VERSION_PAGE, True)
        if page is None:
            page = VERSION_PAGE if effective is not None else SCHEDULE_PAGE
        self.tabs.setCurrentIndex(page)
        self._update_actions()
        self.schedule_shown.emit(rs.code)

    def _show_version(self, effective: dt.date | None) -> None:
        fe = self.loaded
        rv = fe.schedule.version(effective) if fe is not None and effective else None
        self.effective, self.version_loaded = (rv.effective, rv) if rv else (None, None)
        self.problems.clear()
        self.problems.hide()
        self.effective_field.setText(rv.effective.isoformat() if rv else "")
        self.description_on_bill.setText(rv.description_on_bill if rv else "")
        self.components.set_components(rv.components if rv else (),
                                       [rc.sequence for rc in rv.components] if rv else ())
        self.components.clear_problems()
        self.tabs.setTabText(VERSION_PAGE, f"Version {rv.effective.isoformat()}" if rv
                             else "Version")
        self._update_actions()

    # ---------------------------------------------------------------------------- state

    def _can_edit(self) -> bool:
        return self.may_edit and (self.loaded is None or self.loaded.can_edit)

    def _state(self) -> VersionState | None:
        if self.loaded is None or self.effective is None:
            return None
        return self.loaded.version_state(self.effective)

    def draft_version(self) -> RateVersion | None:
        if self.version_loaded is None:
            return None
        return replace(self.version_loaded, components=self.components.components(),
                       description_on_bill=self.description_on_bill.text())

    def draft_schedule(self) -> RateSchedule | None:
        return self.schedule_page.schedule()

    def version_dirty(self) -> bool:
        return self.version_loaded is not None and self.draft_version() != self.version_loaded

    def schedule_dirty(self) -> bool:
        draft = self.draft_schedule()
        if self.creating:
            return draft is not None
        return self.loaded is not None and draft is not None and \
            replace(draft, versions=()) != replace(self.loaded.schedule, versions=())

    def dirty(self) -> bool:
        return self.version_dirty() or self.schedule_dirty()

    def _edited(self) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        can = self._can_edit()
        state = self._state()
        billed = state is not None and state.used_by_bill
        has_schedule = self.loaded is not None
        self.banner.setVisible(not can)
        self.new_schedule_button.setEnabled(can)
        self.new_version_button.setEnabled(can and has_schedule)
        self.delete_version_button.setEnabled(can and state is not None and not billed)
        self.save_button.setEnabled(can and self.dirty())
        self.version_merge_button.setEnabled(has_schedule and state is not None)
        self.schedule_merge_button.setEnabled(has_schedule)
        for status, button in self.status_buttons.items():
            button.setEnabled(can and state is not None and not billed
                              and state.status is not status)
        self.description_on_bill.setEnabled(can and state is not None and not billed)
        self.components.set_editable(can and state is not None and not billed)
        rs = self.draft_schedule()
        if self.creating:
            self.title.setText("New rate schedule")
            self.subtitle.setText("Fill in the code, description and type, then Save (Ctrl+S). "
                                  "Versions are added once the schedule exists.")
        elif rs is not None and self.loaded is not None:
            kind = "Primary" if rs.type is RateScheduleType.PRIMARY else "Subsidiary"
            parts = [kind] + [p for p in (rs.service_type, rs.frequency, rs.currency) if p]
            unsaved = " · unsaved changes" if self.dirty() else ""
            self.title.setText(f"{rs.code} — {rs.description}")
            self.subtitle.setText(f"{' · '.join(parts)} · {len(self.loaded.versions)} "
                                  f"version{'s' if len(self.loaded.versions) != 1 else ''} · "
                                  f"last changed by {self.loaded.updated_by}{unsaved}")
        if state is None:
            self.status_label.setText("—")
            self.version_note.setText("This schedule has no version yet: New Version… adds one."
                                      if has_schedule else "")
        else:
            self.status_label.setText(state.status.label)
            when = state.updated_at.strftime("%Y-%m-%d %H:%M") if state.updated_at else ""
            self.version_note.setText(BILLED if billed else
                                      f"Last changed by {state.updated_by} {when}".strip())
        self.version_note.setVisible(bool(self.version_note.text()))

    # ----------------------------------------------------------------------------- saving

    def save(self) -> None:
        """Save what changed: the version, then the schedule (a new schedule on its own)."""
        if not self._can_edit():
            return
        self.schedule_page.commit_typing()
        self.components.commit_typing()
        if self.creating or (self.schedule_dirty() and not self.version_dirty()):
            self._save_schedule()
        elif self.version_dirty():
            self._save_version(then_schedule=self.schedule_dirty())
        else:
            self.say("Nothing to save: nothing was changed.", ok=True)

    def _save_schedule(self) -> None:
        draft = self.draft_schedule()
        if draft is None:
            return
        expected = None if self.creating or self.loaded is None else self.loaded.row_version
        self.schedule_page.form.clear_errors()
        run_task(rates.save_schedule, self._ctx.db, self._ctx.actor,
                 replace(draft, versions=()), expected,
                 on_result=lambda fe: self._saved(fe, f"Saved rate schedule {fe.schedule.code}."),
                 on_error=lambda exc: self._failed(exc, "schedule"))

    def _save_version(self, then_schedule: bool = False) -> None:
        draft, state = self.draft_version(), self._state()
        if draft is None or state is None or self.loaded is None:
            return
        code = self.loaded.schedule.code
        text = f"Saved rate version {draft.effective.isoformat()} of {code}."

        def done(fe: ScheduleForEdit) -> None:
            self._saved(fe, text)
            if then_schedule and self.schedule_dirty():
                self._save_schedule()

        self.components.clear_problems()
        run_task(rates.save_version, self._ctx.db, self._ctx.actor, code, draft,
                 state.row_version, on_result=done,
                 on_error=lambda exc: self._failed(exc, "version"))

    def _saved(self, fe: ScheduleForEdit, text: str) -> None:
        draft = self.draft_schedule() if self.schedule_dirty() and not self.creating else None
        self.show_schedule(fe, self.effective, self.components.current_sequence(),
                           self.tabs.currentIndex())
        if draft is not None:       # the schedule's own edits wait for their save
            self.schedule_page.set_schedule(replace(draft, versions=fe.schedule.versions),
                                            creating=False, editable=self._can_edit())
            self._update_actions()
        self.say(text, ok=True)
        self._ctx.host.show_status(text)

    def set_status(self, status: RateVersionStatus) -> None:
        """Set In Progress / Validate / Finish (unsaved edits are saved first)."""
        current = self._state()
        if current is None or self.loaded is None or not self._can_edit():
            return
        self.components.commit_typing()
        draft = self.draft_version() if self.version_dirty() else None
        code = self.loaded.schedule.code
        self.components.clear_problems()
        run_task(save_then_set_status, self._ctx.db, self._ctx.actor, code, current.effective,
                 draft, current.row_version, status,
                 on_result=lambda fe: self._saved(
                     fe, f"Rate version {current.effective.isoformat()} of {code} is "
                         f"{status.label}."),
                 on_error=lambda exc: self._failed(exc, "status"))

    def _failed(self, exc: BaseException, action: str) -> None:
        saved = getattr(exc, "saved", None)
        if isinstance(saved, ScheduleForEdit):
            self.show_schedule(saved, self.effective, self.components.current_sequence())
        if isinstance(exc, ConcurrentChange):
            self.say(exc.message, ok=False)
            if self.loaded is not None:
                self.open_schedule(self.loaded.schedule.code, self.effective,
                                   self.components.current_sequence(), ask=False,
                                   keep_message=True)
            return
        if isinstance(exc, RateValidationFailed):
            self.show_problems(exc)
            return
        if isinstance(exc, DomainError):
            if action == "schedule" and isinstance(exc, ValidationError) and \
                    self.schedule_page.show_error(exc.field, exc.message):
                self.tabs.setCurrentIndex(SCHEDULE_PAGE)
            self.say(exc.message, ok=False)
            return
        self.say(f"That did not work: {exc}", ok=False)

    def show_problems(self, exc: RateValidationFailed) -> None:
        """List every problem; the first one with a component is shown beside it."""
        by_sequence = self.version_page.show_problems(exc.problems)
        self.tabs.setCurrentIndex(VERSION_PAGE)
        self.components.set_problems(by_sequence)
        first = next((p for p in exc.problems if p.sequence is not None), None)
        if first is not None:
            self.components.show_problem(first.sequence, component_field(exc.field),
                                         problem_text(first.message))
        n = len(exc.problems)
        self.say(f"Not saved: {n} problem{'s' if n != 1 else ''} to fix (listed below; click "
                 "one to go to its component)." if n > 1 else
                 f"Not saved: {problem_text(exc.problems[0].message) if n else exc.message}",
                 ok=False)

    def problem_texts(self) -> list[str]:
        return self.version_page.problem_texts()

    def _problem_chosen(self, item: QListWidgetItem) -> None:
        sequence = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(sequence, int):
            self.components.show_problem(sequence, None, item.text().split(": ", 1)[-1])

    # ---------------------------------------------------------------- schedule, versions

    def new_schedule(self) -> None:
        if not self._can_edit() or not self._may_discard():
            return
        self.loaded, self.creating = None, True
        self.schedule_page.set_schedule(RateSchedule("", "", RateScheduleType.PRIMARY),
                                        creating=True, editable=True)
        self._show_version(None)
        self.stack.setCurrentIndex(1)
        self.tabs.setCurrentIndex(SCHEDULE_PAGE)
        self.tabs.setTabEnabled(VERSION_PAGE, False)
        self.message.hide()
        self._update_actions()
        self.schedule_page.form.widgets["code"].setFocus()

    def new_version_dialog(self) -> NewVersionDialog | None:
        if self.loaded is None or not self._can_edit() or not self._may_discard():
            return None
        dialog = NewVersionDialog(self.loaded.schedule.code, self.loaded.schedule.versions,
                                  self, copy_from=self.effective)
        dialog.accepted.connect(lambda: self.add_version(dialog.effective_date(),
                                                         dialog.copy_from_date(),
                                                         dialog.description.text()))
        return dialog

    def new_version(self) -> None:
        dialog = self.new_version_dialog()
        if dialog is not None:
            dialog.open()

    def add_version(self, effective: dt.date, copy_from: dt.date | None = None,
                    description_on_bill: str = "") -> None:
        if self.loaded is None:
            return
        code = self.loaded.schedule.code
        run_task(rates.add_version, self._ctx.db, self._ctx.actor, code, effective, copy_from,
                 description_on_bill,
                 on_result=lambda fe: self._version_added(fe, effective, copy_from),
                 on_error=lambda exc: self._failed(exc, "add"))

    def _version_added(self, fe: ScheduleForEdit, effective: dt.date,
                       copy_from: dt.date | None) -> None:
        self.show_schedule(fe, effective, page=VERSION_PAGE)
        copied = f", a copy of {copy_from.isoformat()}" if copy_from else ""
        self.say(f"Added rate version {effective.isoformat()} (In Progress{copied}).", ok=True)

    def delete_version(self) -> None:
        state = self._state()
        if state is None or self.loaded is None or not self._can_edit():
            return
        code = self.loaded.schedule.code
        if not self.confirm(f"Delete rate version {state.effective.isoformat()} of {code} "
                            "with all its components?"):
            return
        run_task(rates.delete_version, self._ctx.db, self._ctx.actor, code, state.effective,
                 state.row_version,
                 on_result=lambda fe: self._deleted(fe, state.effective),
                 on_error=lambda exc: self._failed(exc, "delete"))

    def _deleted(self, fe: ScheduleForEdit, effective: dt.date) -> None:
        self.version_loaded = None          # nothing left to discard
        self.show_schedule(fe)
        self.say(f"Deleted rate version {effective.isoformat()}.", ok=True)

    def reload(self) -> None:
        """F5: read the schedule list and the open schedule again."""
        if not self._may_discard():
            return
        code = self.loaded.schedule.code if self.loaded is not None else None
        effective, sequence = self.effective, self.components.current_sequence()
        self.version_loaded = None
        self.refresh_catalogue(then=(lambda: self.open_schedule(code, effective, sequence,
                                                                ask=False)) if code else None)

    # -------------------------------------------------------------- merges, bill factors

    def open_version_merge(self) -> None:
        if self.loaded is None or self.effective is None or not self._may_discard():
            return
        from app.views.rate_merge_dialogs import RateVersionMergeDialog

        dialog = RateVersionMergeDialog(self._ctx, self.loaded.schedule.code, self.effective,
                                        self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.open_schedule(self.loaded.schedule.code, self.effective, ask=False)

    def open_schedule_merge(self) -> None:
        if self.loaded is None or not self._may_discard():
            return
        from app.views.rate_merge_dialogs import RateScheduleMergeDialog

        dialog = RateScheduleMergeDialog(self._ctx, self.loaded.schedule.code, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.open_schedule(self.loaded.schedule.code, self.effective, page=SCHEDULE_PAGE,
                               ask=False)

    def open_bill_factors(self) -> None:
        import app.views.bill_factor_editor  # noqa: F401 - registers the "bill-factors" pane

        pane = self._ctx.host.open_pane("bill-factors")
        rc = self.components.current()
        opener = getattr(pane, "open_bill_factor", None)
        if rc is not None and rc.bill_factor and callable(opener):
            opener(rc.bill_factor)

    # --------------------------------------------------------------------------- helpers

    def _insert_key(self) -> None:
        if self.tabs.currentIndex() == VERSION_PAGE and self.components.editable:
            self.components.add_component()

    def _may_discard(self, version_only: bool = False) -> bool:
        dirty = self.version_dirty() if version_only else self.dirty()
        return not dirty or self.confirm("Discard your unsaved changes?")

    def _ask(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Rate Editor", text)
        return answer == QMessageBox.StandardButton.Yes

    def say(self, text: str, ok: bool) -> None:
        self.message.setObjectName("inlineOk" if ok else "inlineError")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.message.show()

    # -------------------------------------------------------------------- rate files

    def _current_code(self) -> str | None:
        return self.loaded.schedule.code if self.loaded is not None else None

    def _library_imported(self, text: str) -> None:
        self._library_said(text, ok=True)
        self.refresh_catalogue()

    def _library_said(self, text: str, ok: bool) -> None:
        """A rate-file message, where the analyst is looking (the editor or the empty page)."""
        self._ctx.host.show_status(text)
        if self.stack.currentIndex() == 1:
            self.say(text, ok)
            return
        self.empty_message.setObjectName("inlineOk" if ok else "inlineError")
        self.empty_message.style().unpolish(self.empty_message)
        self.empty_message.style().polish(self.empty_message)
        self.empty_message.setText(text)
        self.empty_message.show()

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    # ------------------------------------------------------------------------ navigation

    def pane_state(self) -> object:
        return PaneState(self.loaded.schedule.code if self.loaded else None, self.effective)

    def restore_state(self, state: object) -> None:
        if isinstance(state, PaneState) and state.code:
            self.open_schedule(state.code, state.effective)


def _make(ctx: PaneContext) -> QWidget:
    return RateEditorPane(ctx)


RATE_EDITOR_SPEC = register(PaneSpec(RATE_EDITOR, "Rate Editor", "Ctrl+7", _make))

__all__ = ["RATE_EDITOR", "RATE_EDITOR_SPEC", "Catalogue", "PaneState", "RateEditorPane",
           "load_catalogue", "problem_text", "save_then_set_status"]
