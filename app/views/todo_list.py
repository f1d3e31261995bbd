"""The To Do List pane (spec/60 §A7.5, issue 11 item 3): the To Do entries waiting for the
user — their own (Mine), their work groups' (My groups) or, for supervisors, every group's
(All) — filtered by To Do type, in a grid sorted by a click on any heading (most urgent and
oldest first to begin with).

    pane = host.open_pane("todo")
    pane.show_view("MY_GROUPS", todo_type="TD-HIBILL")
    pane.show_case("1234567890")          # the case's To Do link: its To Dos, complete too

Take (Ctrl+T) makes the selected To Do the user's own, Return gives it back to its group,
Forward… sends it to a colleague or another work group, Complete (Ctrl+Enter) finishes it —
completing a case's last To Do can move the case on, and the message area says so. Enter or a
double-click opens the To Do's case in the Cases pane. F5 reloads. Every database call runs in
a worker; a refusal (or another user's change) is said in the message line, and the list
reloads. The pane belongs to the Cases module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.models.enums import TodoStatus
from app.services import todos
from app.services.context import Actor
from app.services.errors import ValidationError
from app.services.installation import Module
from app.services.todos import OVERSEERS, VIEW_LABELS, ForwardTargets, TodoRow, TodoTypeRow
from app.views.panes import PaneContext, PaneHost, PaneSpec, register
from app.views.tree_dialogs import ActionDialog
from app.views.widgets import (
    EmptyCard,
    age_text,
    label,
    pane_message,
    pane_shortcuts,
    push_button,
    say,
    say_failure,
)
from app.views.worker import run_task

TODO = "todo"
COLUMNS = ("Priority", "Type", "Message", "Status", "Assigned to", "Work group", "Case",
           "Account", "Age")
PRIORITY, TYPE, MESSAGE, STATUS, ASSIGNED, GROUP, CASE, ACCOUNT, AGE = range(len(COLUMNS))
SORT_ROLE = Qt.ItemDataRole.UserRole
URGENT = QColor("#c0392b")
#: The widest a column gets when fitted to its text.
COLUMN_CAPS = {TYPE: 210, ASSIGNED: 150, GROUP: 170}
#: Priorities shown in red and bold.
URGENT_PRIORITY = 2
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class TodoScreen:
    """What the pane shows: the view chosen, its rows, the To Do types and the user's groups."""

    view: str
    todo_type: str | None
    include_complete: bool
    rows: tuple[TodoRow, ...]
    types: tuple[TodoTypeRow, ...]
    my_groups: tuple[str, ...]
    #: The case whose To Dos are shown instead of a view (the case's To Do link).
    case_number: str | None = None


def default_view(actor: Actor, my_groups: tuple[str, ...]) -> str:
    """My groups for a member of any; else All for a supervisor; else Mine."""
    if my_groups:
        return "MY_GROUPS"
    return "ALL" if actor.has_any(*OVERSEERS) else "MINE"


def load_screen(db: Database, actor: Actor, view: str | None, todo_type: str | None,
                include_complete: bool, case_number: str | None = None) -> TodoScreen:
    groups = todos.my_work_groups(db, actor)
    chosen = view or default_view(actor, groups)
    if case_number is not None:
        rows = todos.case_todo_list(db, actor, case_number)
    else:
        rows = todos.todo_list(db, actor, chosen,  # type: ignore[arg-type]
                               todo_type=todo_type, include_complete=include_complete)
    return TodoScreen(chosen, todo_type, include_complete, rows, todos.todo_types(db), groups,
                      case_number)



def summary(view: str, rows: tuple[TodoRow, ...], case_number: str | None = None) -> str:
    """"My groups: 5 To Dos — 3 open, 2 being worked on" ("Case 1234567890: …")."""
    counts = {s: sum(1 for r in rows if r.status is s) for s in TodoStatus}
    parts = [f"{counts[TodoStatus.OPEN]} open" if counts[TodoStatus.OPEN] else "",
             f"{counts[TodoStatus.BEING_WORKED]} being worked on"
             if counts[TodoStatus.BEING_WORKED] else "",
             f"{counts[TodoStatus.COMPLETE]} complete" if counts[TodoStatus.COMPLETE] else ""]
    shown = f"Case {case_number}" if case_number else VIEW_LABELS[view]
    if not rows:
        return f"{shown}: no To Dos"
    noun = "To Do" if len(rows) == 1 else "To Dos"
    detail = ", ".join(p for p in parts if p)
    return f"{shown}: {len(rows)} {noun}" + (f" — {detail}" if detail else "")


def detail_text(row: TodoRow) -> str:
    """The selected To Do in full, under the grid."""
    lines = [f"To Do {row.id} · {row.type_description} ({row.todo_type}) · priority "
             f"{row.priority} · {row.status.label}"
             + (f" by {row.assigned_name}" if row.status is TodoStatus.BEING_WORKED else "")
             + f" · work group {row.work_group} · created {row.created_at:%Y-%m-%d %H:%M}",
             row.message]
    about = [f"case {row.case_number}" if row.case_number else "",
             f"account {row.account_number}" if row.account_number else "",
             f"{row.drill_entity_type.lower()} {row.drill_entity_id}"
             if row.drill_entity_type and row.drill_entity_type != "CASE" else ""]
    if any(about):
        lines.append("About " + ", ".join(a for a in about if a))
    if row.completed_at is not None:
        lines.append(f"Completed {row.completed_at:%Y-%m-%d %H:%M} by {row.completed_by}")
    return "\n".join(lines)


class TodoModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: tuple[TodoRow, ...] = ()

    def show_rows(self, rows: tuple[TodoRow, ...]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is not Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return ("1 is the most urgent, 9 the least" if section == PRIORITY
                    else "Click to sort by this column")
        return None

    @staticmethod
    def text(row: TodoRow, column: int) -> str:
        values = {PRIORITY: str(row.priority), TYPE: row.type_description,
                  MESSAGE: " ".join(row.message.split()), STATUS: row.status.label,
                  ASSIGNED: row.assigned_name or "—", GROUP: row.work_group_description,
                  CASE: row.case_number or "", ACCOUNT: row.account_number or "",
                  AGE: age_text(row.age_days)}
        return values.get(column, "")

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == SORT_ROLE:
            if column == PRIORITY:
                return (row.priority, row.created_at.isoformat(), row.id)
            if column == AGE:
                return (row.age_days, row.created_at.isoformat(), row.id)
            if column == STATUS:
                return list(TodoStatus).index(row.status)
            return self.text(row, column).lower()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == MESSAGE:
                return row.message
            if column == TYPE:
                return f"{row.todo_type} · {row.type_description}"
            if column == GROUP:
                return f"{row.work_group} · {row.work_group_description}"
            if column == CASE and row.case_number:
                return f"Enter or double-click opens case {row.case_number}"
            if column == AGE:
                done = (f"\nCompleted {row.completed_at:%Y-%m-%d %H:%M} by {row.completed_by}"
                        if row.completed_at else "")
                return f"Created {row.created_at:%Y-%m-%d %H:%M}{done}"
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column == PRIORITY and \
                row.priority <= URGENT_PRIORITY and row.is_open:
            return QBrush(URGENT)
        if role == Qt.ItemDataRole.FontRole and column == PRIORITY and \
                row.priority <= URGENT_PRIORITY and row.is_open:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (PRIORITY, AGE):
            return int(Qt.AlignmentFlag.AlignCenter if column == PRIORITY
                       else Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class _SortProxy(QSortFilterProxyModel):
    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:  # noqa: N802 - Qt's name
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)


class ForwardDialog(ActionDialog):
    """Forward a To Do to a person (who then works on it) or to another work group."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, row: TodoRow) -> None:
        super().__init__(ctx, parent, "Forward To Do…", "Forward",
                         f"To Do {row.id} · {row.type_description}: "
                         f"{' '.join(row.message.split())[:160]}\n\nA person you forward it "
                         "to works on it (Being Worked On); a work group gets it Open, for any "
                         "of its members to take.")
        self.row = row
        self.to_person = QRadioButton("A person")
        self.to_group = QRadioButton("A work group")
        self.to_person.setChecked(True)
        self.mode = QButtonGroup(self)      # the two sit in separate rows: one group
        self.mode.addButton(self.to_person)
        self.mode.addButton(self.to_group)
        self.person = QComboBox()
        self.person.setAccessibleName("Person to forward to")
        self.group = QComboBox()
        self.group.setAccessibleName("Work group to forward to")
        self.group.setEnabled(False)
        person_row = QHBoxLayout()
        person_row.addWidget(self.to_person)
        person_row.addWidget(self.person, 1)
        group_row = QHBoxLayout()
        group_row.addWidget(self.to_group)
        group_row.addWidget(self.group, 1)
        for caption, line, name, widget in (("Forward to", person_row, "username", self.person),
                                            ("", group_row, "work_group", self.group)):
            box = QWidget()
            box.setLayout(line)
            line.setContentsMargins(0, 0, 0, 0)
            self.add_row(name, caption, box)
            self.fields[name] = widget
        self.to_person.toggled.connect(self._mode_changed)
        self.finish_layout()
        self.submit_button.setEnabled(False)
        run_task(todos.forward_targets, ctx.db, on_result=self._targets,
                 on_error=lambda exc: self.show_error("", str(getattr(exc, "message", exc))))

    def _targets(self, targets: ForwardTargets) -> None:
        for user in targets.users:
            if user.username != self.row.assigned_username:
                self.person.addItem(f"{user.display_name} ({user.username})", user.username)
        for code, description in targets.work_groups:
            self.group.addItem(f"{code} · {description}", code)
        other = self.group.findData(self.row.work_group)
        if other >= 0 and self.row.status is TodoStatus.OPEN and self.group.count() > 1:
            self.group.setCurrentIndex(1 if other == 0 else 0)
        self.submit_button.setEnabled(True)
        self.person.setFocus()

    def _mode_changed(self, person: bool) -> None:
        self.person.setEnabled(person)
        self.group.setEnabled(not person)
        (self.person if person else self.group).setFocus()

    def can_submit(self) -> bool:
        return self.person.count() > 0 or self.group.count() > 0

    def prepare(self) -> Any:
        if self.to_person.isChecked():
            username = self.person.currentData()
            if not username:
                raise ValidationError("Choose the person to forward the To Do to.", "username")
            return partial(todos.forward_todo, self.ctx.db, self.ctx.actor, self.row.id,
                           self.row.version, username=str(username))
        group = self.group.currentData()
        if not group:
            raise ValidationError("Choose the work group to forward the To Do to.", "work_group")
        return partial(todos.forward_todo, self.ctx.db, self.ctx.actor, self.row.id,
                       self.row.version, work_group=str(group))

    def success_message(self, result: Any) -> str:
        assert isinstance(result, TodoRow)
        where = (result.assigned_name if result.status is TodoStatus.BEING_WORKED
                 else f"work group {result.work_group}")
        return f"To Do {result.id} forwarded to {where}."


class TodoListPane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.shown: TodoScreen | None = None
        self.view: str | None = None
        self.todo_type: str | None = None
        self.case_number: str | None = None
        self._select_id: int | None = None
        self._serial = 0
        self._build()
        pane_shortcuts(self, (("Ctrl+T", self.take), ("Ctrl+Return", self.complete),
                              ("Ctrl+Enter", self.complete), ("F5", self.reload)))
        self.reload()

    # ---------------------------------------------------------------------------- building

    def _build(self) -> None:
        self.title = label("To Do List", "pageTitle")
        self.subtitle = label("", "pageSubtitle", wrap=True)
        self.view_combo = QComboBox()
        self.view_combo.setAccessibleName("Which To Dos")
        for view in todos.VIEWS:
            if view != "ALL" or self.ctx.actor.has_any(*OVERSEERS):
                self.view_combo.addItem(VIEW_LABELS[view], view)
        self.view_combo.setToolTip("Mine: To Dos you are working on · My groups: those waiting "
                                   "in your work groups · All: every group's (supervisors)")
        self.view_combo.activated.connect(lambda _i: self._filters_changed())
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("To Do type")
        self.type_combo.setMinimumWidth(240)
        self.type_combo.addItem("All types", None)
        self.type_combo.activated.connect(lambda _i: self._filters_changed())
        self.completed_box = QCheckBox("Show completed")
        self.completed_box.setToolTip("Also list To Dos that are complete")
        self.completed_box.toggled.connect(lambda _on: self._filters_changed())
        self.refresh_button = push_button("Refresh", "Read the list again (F5)", self.reload)
        self.case_label = label("", "sectionHeading")
        self.all_button = push_button("Show all To Dos", "Leave the case: back to your To Do "
                                      "list", self.clear_case)
        self.case_label.hide()
        self.all_button.hide()
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.view_combo)
        top.addSpacing(12)
        top.addWidget(QLabel("Type"))
        top.addWidget(self.type_combo)
        top.addSpacing(12)
        top.addWidget(self.completed_box)
        top.addSpacing(12)
        top.addWidget(self.case_label)
        top.addWidget(self.all_button)
        top.addStretch(1)
        top.addWidget(self.refresh_button)

        self.take_button = push_button("Take", "Work on the selected To Do yourself (Ctrl+T)",
                                       self.take, "primary")
        self.return_button = push_button("Return", "Give the selected To Do back to its work "
                                         "group, for someone else to take", self.return_)
        self.forward_button = push_button("Forward…", "Send the selected To Do to a colleague "
                                          "or to another work group", self.forward)
        self.complete_button = push_button("Complete", "The work is done (Ctrl+Enter)",
                                           self.complete)
        self.case_button = push_button("Open case", "Open the selected To Do's case (Enter or "
                                       "double-click)", self.open_case)
        actions = QHBoxLayout()
        for button in (self.take_button, self.return_button, self.forward_button,
                       self.complete_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.case_button)

        self.model = TodoModel()
        self.proxy = _SortProxy()
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setAccessibleName("To Do entries")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(PRIORITY, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(MESSAGE, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(lambda _index: self.open_case())
        self.table.selectionModel().currentRowChanged.connect(
            lambda _now, _before: self._set_enabled())

        self.empty = EmptyCard("No To Dos waiting", "")
        empty_page = QWidget()
        empty_layout = QVBoxLayout(empty_page)
        empty_layout.setContentsMargins(0, 8, 0, 0)
        empty_layout.addWidget(self.empty)
        empty_layout.addStretch(1)
        self.detail = label("", "hint", wrap=True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName("Selected To Do")
        grid_page = QWidget()
        grid_layout = QVBoxLayout(grid_page)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.setSpacing(6)
        grid_layout.addWidget(self.table, 1)
        grid_layout.addWidget(self.detail)
        self.stack = QStackedWidget()
        self.stack.addWidget(grid_page)
        self.stack.addWidget(empty_page)
        self.message = pane_message()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)
        self._set_enabled()

    # ---------------------------------------------------------------------------- loading

    def show_view(self, view: str, todo_type: str | None = None) -> None:
        """Show one of the views (MINE, MY_GROUPS, ALL), of one To Do type or all."""
        self.view = view
        self.todo_type = todo_type
        self.case_number = None
        self.reload()

    def show_case(self, number: str) -> None:
        """Show every To Do of one case, complete ones too (the case's To Do link)."""
        self.case_number = number
        self.reload()

    def clear_case(self) -> None:
        self.case_number = None
        self.reload()

    def reload(self) -> None:
        self._serial += 1
        serial = self._serial
        current = self.selected()
        if current is not None and self._select_id is None:
            self._select_id = current.id
        run_task(load_screen, self.ctx.db, self.ctx.actor, self.view, self.todo_type,
                 self.completed_box.isChecked(), self.case_number,
                 on_result=lambda screen: self._loaded(serial, screen), on_error=self._failed)

    def _filters_changed(self) -> None:
        self.view = self.view_combo.currentData()
        self.todo_type = self.type_combo.currentData()
        self.reload()

    def _loaded(self, serial: int, screen: TodoScreen) -> None:
        if serial != self._serial:
            return                  # a newer read is on its way
        self.shown = screen
        self.view = screen.view
        self._fill_filters(screen)
        had_focus = self.table.hasFocus() or self.stack.currentIndex() == 1
        self.model.show_rows(screen.rows)
        of_type = "" if screen.todo_type is None or screen.case_number else \
            f" · type {screen.todo_type}"
        self.subtitle.setText(summary(screen.view, screen.rows, screen.case_number) + of_type)
        if not screen.rows:
            self.empty.text.setText(self._empty_text(screen))
            self.stack.setCurrentIndex(1)
        else:
            self.stack.setCurrentIndex(0)
            self._fit_columns()
            self._select(self._select_id)
            if had_focus or self.focusWidget() is None:
                self.table.setFocus()
        self._select_id = None
        self._set_enabled()

    def _fill_filters(self, screen: TodoScreen) -> None:
        by_case = screen.case_number is not None
        for widget in (self.view_combo, self.type_combo, self.completed_box):
            widget.setEnabled(not by_case)
        self.case_label.setText(f"To Dos of case {screen.case_number}" if by_case else "")
        self.case_label.setVisible(by_case)
        self.all_button.setVisible(by_case)
        self.view_combo.blockSignals(True)
        index = self.view_combo.findData(screen.view)
        if index >= 0:
            self.view_combo.setCurrentIndex(index)
        self.view_combo.blockSignals(False)
        self.type_combo.blockSignals(True)
        self.type_combo.clear()
        self.type_combo.addItem("All types", None)
        for todo_type in screen.types:
            self.type_combo.addItem(f"{todo_type.description} ({todo_type.code})",
                                    todo_type.code)
        chosen = self.type_combo.findData(screen.todo_type)
        self.type_combo.setCurrentIndex(max(chosen, 0))
        self.type_combo.blockSignals(False)

    def _empty_text(self, screen: TodoScreen) -> str:
        intro = ("To Do entries are pieces of work raised for a work group — for instance when "
                 "a case enters a status that needs someone to check a meter read or call the "
                 "customer back. A member of the group takes a To Do, works it and completes it "
                 "(or returns it to the group, or forwards it to a colleague or another group).")
        if screen.case_number is not None:
            return f"{intro}\n\nCase {screen.case_number} has no To Do entries."
        if not screen.types:
            return (f"{intro}\n\nNo To Do types are set up yet: an administrator first sets "
                    "up the work groups, their members and the To Do types.")
        which = {"MINE": "You are not working on any To Do",
                 "MY_GROUPS": "Nothing is waiting in your work groups"
                 if screen.my_groups else "You are not a member of any work group",
                 "ALL": "No To Do is waiting in any work group"}[screen.view]
        of_type = "" if screen.todo_type is None else f" of type {screen.todo_type}"
        hint = {"MINE": " Choose My groups to see what your groups have waiting, and Take one.",
                "MY_GROUPS": "" if screen.my_groups else " Ask an administrator to add you to "
                "one.",
                "ALL": ""}[screen.view]
        return f"{intro}\n\n{which}{of_type} right now.{hint}"

    def _fit_columns(self) -> None:
        """Columns fit their text, the long ones capped (their tooltips say it all): the
        message takes the rest."""
        for column in range(len(COLUMNS)):
            if column != MESSAGE:
                self.table.resizeColumnToContents(column)
                self.table.setColumnWidth(column, min(self.table.columnWidth(column) + 16,
                                                      COLUMN_CAPS.get(column, 260)))

    def _select(self, todo_id: int | None) -> None:
        target = 0
        for n in range(self.proxy.rowCount()):
            row = self.model.rows[self.proxy.mapToSource(self.proxy.index(n, 0)).row()]
            if row.id == todo_id:
                target = n
                break
        if self.proxy.rowCount():
            self.table.selectRow(target)
            self.table.setCurrentIndex(self.proxy.index(target, PRIORITY))

    # ---------------------------------------------------------------------------- selection

    def selected(self) -> TodoRow | None:
        index = self.table.currentIndex()
        if not index.isValid() or self.stack.currentIndex() != 0:
            return None
        source = self.proxy.mapToSource(index)
        return self.model.rows[source.row()] if 0 <= source.row() < len(self.model.rows) \
            else None

    def cell_texts(self) -> list[list[str]]:
        """The grid as shown (sorted), for tests and screen readers."""
        return [[str(self.proxy.index(r, c).data()) for c in range(len(COLUMNS))]
                for r in range(self.proxy.rowCount())]

    def _set_enabled(self) -> None:
        row = self.selected()
        unfinished = row is not None and row.is_open
        self.take_button.setEnabled(row is not None and row.status is TodoStatus.OPEN)
        self.return_button.setEnabled(row is not None and row.status is TodoStatus.BEING_WORKED)
        self.forward_button.setEnabled(unfinished)
        self.complete_button.setEnabled(unfinished)
        self.case_button.setEnabled(row is not None and row.case_number is not None)
        self.detail.setText("" if row is None else detail_text(row))

    # ---------------------------------------------------------------------------- actions

    def _run(self, fn: Any, row: TodoRow, done: Any) -> None:
        self._select_id = row.id

        def finished(result: object) -> None:
            self._done(done(result))
            # A completed To Do can move its case on: the other panes showing the account
            # (Control Central's alerts and cases zone, the Cases pane) reload.
            self.ctx.current.notify_saved(row.account_number)
        run_task(fn, self.ctx.db, self.ctx.actor, row.id, row.version,
                 on_result=finished, on_error=self._refused)

    def take(self) -> None:
        row = self.selected()
        if row is None or not self.take_button.isEnabled():
            return
        self._run(todos.take_todo, row, lambda _r: f"To Do {row.id} is yours: it is Being "
                  "Worked On by you.")

    def return_(self) -> None:
        row = self.selected()
        if row is None or not self.return_button.isEnabled():
            return
        self._run(todos.return_todo, row, lambda _r: f"To Do {row.id} returned to work group "
                  f"{row.work_group}.")

    def complete(self) -> None:
        row = self.selected()
        if row is None or not self.complete_button.isEnabled():
            return

        def said(moved: str | None) -> str:
            text = f"To Do {row.id} completed."
            return f"{text} {moved}" if moved else text
        self._run(todos.complete_todo, row, said)

    def forward(self) -> ForwardDialog | None:
        row = self.selected()
        if row is None or not self.forward_button.isEnabled():
            return None
        dialog = ForwardDialog(self.ctx, self, row)
        self._select_id = row.id
        dialog.saved.connect(self._done)
        dialog.concurrent_change.connect(self.reload)
        dialog.open()
        return dialog

    def open_case(self) -> None:
        row = self.selected()
        if row is None or row.case_number is None:
            return
        try:
            pane = self.ctx.host.open_pane("cases")
        except KeyError:
            say(self.message, f"To Do {row.id} belongs to case {row.case_number}; the Cases "
                "pane is not available here.", False)
            return
        opener = getattr(pane, "open_case", None)
        if callable(opener):
            opener(row.case_number)

    def _done(self, text: str) -> None:
        say(self.message, text, True)
        self.ctx.host.show_status(text)
        self.reload()

    def _refused(self, exc: BaseException) -> None:
        """Said in the message line; the list reloads, as the refusal often means someone
        else acted on the To Do meanwhile."""
        say_failure(self.message, exc)
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        say_failure(self.message, exc)

    # ---------------------------------------------------------------------------- history

    def pane_state(self) -> object:
        return (self.view, self.todo_type, self.case_number)

    def restore_state(self, state: object) -> None:
        if not (isinstance(state, tuple) and len(state) == 3):
            return
        view, todo_type, case_number = state
        if isinstance(case_number, str):
            self.show_case(case_number)
        elif isinstance(view, str):
            self.show_view(view, todo_type if isinstance(todo_type, str) else None)


def _make(ctx: PaneContext) -> QWidget:
    return TodoListPane(ctx)


TODO_SPEC = register(PaneSpec(TODO, "To Do List", "Ctrl+Shift+T", _make, Module.CASES))


def open_todo_list(host: PaneHost, view: str | None = None,
                   todo_type: str | None = None, case_number: str | None = None) -> None:
    """Open the To Do list (on a case's To Dos, or a view and type, when given)."""
    pane = host.open_pane(TODO)
    if not isinstance(pane, TodoListPane):
        return
    if case_number is not None:
        pane.show_case(case_number)
    elif view is not None:
        pane.show_view(view, todo_type)


__all__ = ["TODO", "TODO_SPEC", "ForwardDialog", "TodoListPane", "TodoModel", "load_screen",
           "open_todo_list"]
