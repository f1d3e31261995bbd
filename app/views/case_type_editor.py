"""Case types (admin, spec/50 §5.1): the list of case types beside the definition of the one
chosen — header (code, description, what a case asks for, who may work it) and five grids:
statuses, transitions (the action buttons), algorithms, required and allowed characteristics.

Save sends the whole definition to `services.case_types.save_case_type`, which checks all of it
and saves all or nothing; a refusal is shown in the message line under the grids with every
problem on its own line, and what was typed stays for the administrator to correct. Each grid
sorts by a click on a column heading.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.engine.cases import CaseStatusDef, CaseTransitionDef
from app.models.enums import CaseAlgorithmKind, CaseUsage, UserRole
from app.services import case_types
from app.services.case_types import AlgorithmInfo, CaseAlgorithmLine, CaseTypeDefinition
from app.services.errors import ValidationError
from app.views.editable_grid import Choices, EditableGrid, code_combo, combo_code, set_combo_code
from app.views.panes import PaneContext
from app.views.widgets import error_label, label, push_button, say, say_failure
from app.views.worker import run_task

USAGES = (("person_usage", "Person"), ("account_usage", "Account"),
          ("premise_usage", "Premise"), ("responsible_user_usage", "Responsible user"),
          ("contact_info_usage", "Contact information"))
USAGE_LABELS = {CaseUsage.REQUIRED: "Required", CaseUsage.OPTIONAL: "Optional",
                CaseUsage.NOT_ALLOWED: "Not allowed"}
KIND_CHOICES: Choices = (("ENTER", "On entering the status"), ("EXIT", "On leaving the status"),
                         ("AUTO", "Asked for the next status (auto-transition)"))
ALGORITHMS_HINT = ("Enter algorithms run as the case enters the status, exit ones as it "
                   "leaves; auto ones say where the case moves on by itself.")


# --------------------------------------------------------------------------------- grids

@dataclass(frozen=True)
class Column:
    """A grid column: free text, a whole number, a tick, or a code chosen from `choices`
    (called when the cell is edited, so a status added a moment ago is offered)."""

    title: str
    kind: str = "text"               # text | int | check | choice | describe
    width: int = 110
    choices: Callable[[], Choices] | None = None
    tip: str = ""
    #: A "describe" column shows (read-only) the description of the code in this column.
    describes: int = -1


class _Item(QTableWidgetItem):
    """A cell that sorts as its column means: numbers by value, ticks ticked first."""

    def __init__(self, kind: str) -> None:
        super().__init__("")
        self.kind = kind
        if kind == "check":
            self.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsUserCheckable)
            self.setCheckState(Qt.CheckState.Unchecked)
        elif kind == "describe":
            self.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)

    def _key(self) -> tuple[int, Any]:
        if self.kind == "check":
            return (0, self.checkState() != Qt.CheckState.Checked)
        text = self.text().strip()
        if self.kind == "int":
            return (0, int(text)) if text.lstrip("-").isdigit() else (1, text)
        return (0, text.casefold())

    def __lt__(self, other: QTableWidgetItem) -> bool:
        if isinstance(other, _Item):
            return self._key() < other._key()
        return super().__lt__(other)


class _ChoiceDelegate(QStyledItemDelegate):
    """Edits a code cell with a combo of the column's choices (a code may also be typed)."""

    def __init__(self, choices: Callable[[], Choices], parent: QWidget) -> None:
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        combo = code_combo(self.choices(), editable=True, long=True)
        combo.setParent(parent)
        combo.setFrame(False)
        return combo

    def setEditorData(self, editor: QWidget,  # noqa: N802 - Qt's name
                      index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        set_combo_code(editor, str(index.data() or ""))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel,  # noqa: N802
                     index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, combo_code(editor))


class RowGrid(EditableGrid):
    """An editable grid of typed columns; a click on a heading sorts the rows by it."""

    def __init__(self, title: str, name: str, columns: Sequence[Column], hint: str = "") -> None:
        super().__init__(title, [c.title for c in columns], name, hint=hint)
        self.columns = tuple(columns)
        self.what = title
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(False)
        header.sectionClicked.connect(self._sort)
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.verticalHeader().hide()
        for n, column in enumerate(self.columns):
            self.table.setColumnWidth(n, column.width)
            heading = self.table.horizontalHeaderItem(n)
            if column.tip and heading is not None:
                heading.setToolTip(column.tip)
            if column.choices is not None:
                self.table.setItemDelegateForColumn(n, _ChoiceDelegate(column.choices,
                                                                       self.table))
        self._order = Qt.SortOrder.AscendingOrder
        self._sorted_by = -1
        self.table.itemChanged.connect(self._describe)

    def _describe(self, item: QTableWidgetItem) -> None:
        """Show the description of a code typed or chosen in a column another describes."""
        for n, column in enumerate(self.columns):
            if column.kind == "describe" and column.describes == item.column() \
                    and column.choices is not None:
                target = self.table.item(item.row(), n)
                if target is not None:
                    code = item.text().strip().upper()
                    target.setText(dict(column.choices()).get(code, ""))

    def _sort(self, column: int) -> None:
        self.commit_edits()
        self._order = (Qt.SortOrder.DescendingOrder if column == self._sorted_by
                       and self._order == Qt.SortOrder.AscendingOrder
                       else Qt.SortOrder.AscendingOrder)
        self._sorted_by = column
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(True)
        header.setSortIndicator(column, self._order)
        self.table.sortItems(column, self._order)

    def add_row(self, values: Sequence[object] = ()) -> int:
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        for n, column in enumerate(self.columns):
            self.table.setItem(row, n, _Item(column.kind))
        self.table.blockSignals(False)
        for n, value in enumerate(values):
            self.set_cell(row, n, value)
        self.table.setCurrentCell(row, 0)
        self.changed.emit()
        return row

    def set_cell(self, row: int, column: int, value: object) -> None:
        item = self.table.item(row, column)
        assert item is not None
        if self.columns[column].kind == "check":
            item.setCheckState(Qt.CheckState.Checked if value else Qt.CheckState.Unchecked)
        else:
            item.setText("" if value is None else str(value))

    def set_rows(self, rows: Iterable[Sequence[object]]) -> None:
        self.clear_rows()
        header = self.table.horizontalHeader()
        header.setSortIndicatorShown(False)
        self._sorted_by = -1
        for values in rows:
            self.add_row(values)
        self.table.setCurrentCell(-1, -1)
        self.table.clearSelection()

    def cell(self, row: int, column: int) -> str:
        return self._text(row, column)

    def ticked(self, row: int, column: int) -> bool:
        item = self.table.item(row, column)
        return item is not None and item.checkState() == Qt.CheckState.Checked

    def filled_rows(self) -> list[int]:
        """The rows with something typed (a row of blanks and no ticks is skipped)."""
        return [r for r in range(self.table.rowCount())
                if any(self.cell(r, c) for c, col in enumerate(self.columns)
                       if col.kind != "check")]

    def number(self, row: int, column: int, default: int) -> int:
        text = self.cell(row, column)
        if not text:
            return default
        try:
            return int(text)
        except ValueError:
            raise ValidationError(f"{self.what}, row {row + 1}: {self.columns[column].title} "
                                  f"is a whole number, not '{text}'.", "grid") from None

    def codes(self, column: int = 0) -> list[str]:
        return [self.cell(r, column).upper() for r in self.filled_rows()
                if self.cell(r, column)]


# --------------------------------------------------------------------------------- editor

class CaseTypeEditor(QDialog):
    """The case types of the installation and the definition of one, for administrators."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None = None,
                 code: str | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Case Types")
        self.setObjectName("caseTypeEditor")
        self.resize(1180, 760)
        self.loaded: CaseTypeDefinition | None = None
        self.dirty = False
        self.busy = False
        self._filling = False
        self.char_choices: Choices = ()
        self.algorithms: tuple[AlgorithmInfo, ...] = ()
        #: The code of the last case type saved, and what to say once it is shown again.
        self.saved_code: str | None = None
        self._done = ""

        self.types = QListWidget()
        self.types.setObjectName("caseTypeList")
        self.types.setAccessibleName("Case types")
        self.types.setFixedWidth(230)
        self.types.currentItemChanged.connect(self._chosen)
        new_button = push_button("New case type", "Start a new case type", self.new_type)
        left = QVBoxLayout()
        left.addWidget(label("Case types", "sectionHeading"))
        left.addWidget(self.types, 1)
        left.addWidget(new_button)

        self.code = QLineEdit()
        self.code.setObjectName("caseTypeCode")
        self.code.setMaxLength(case_types.TYPE_CODE_WIDTH)
        self.code.setPlaceholderText("e.g. HIGH-BILL")
        self.code.setMaximumWidth(180)
        self.description = QLineEdit()
        self.description.setObjectName("caseTypeDescription")
        self.description.setMaxLength(100)
        self.usage: dict[str, QComboBox] = {}
        header = QGridLayout()
        header.setHorizontalSpacing(12)
        header.setVerticalSpacing(6)
        header.addWidget(_caption("Code", self.code), 0, 0)
        header.addWidget(self.code, 0, 1)
        header.addWidget(_caption("Description", self.description), 0, 2)
        header.addWidget(self.description, 0, 3, 1, 3)
        for n, (name, caption) in enumerate(USAGES):
            combo = QComboBox()
            combo.setObjectName(name)
            combo.setAccessibleName(f"{caption} usage")
            for usage, text in USAGE_LABELS.items():
                combo.addItem(text, usage)
            combo.currentIndexChanged.connect(self._touched)
            self.usage[name] = combo
            row, column = 1 + n // 3, (n % 3) * 2
            header.addWidget(_caption(caption, combo), row, column)
            header.addWidget(combo, row, column + 1)
        self.uses_chars = QCheckBox("Uses characteristics")
        self.uses_chars.setObjectName("usesCharacteristics")
        header.addWidget(self.uses_chars, 2, 4, 1, 2)
        self.roles: dict[UserRole, QCheckBox] = {}
        roles_row = QHBoxLayout()
        roles_row.setSpacing(14)
        for role in UserRole:
            box = QCheckBox(role_label(role))
            box.setObjectName(f"role{role.value}")
            box.toggled.connect(self._touched)
            self.roles[role] = box
            roles_row.addWidget(box)
        roles_row.addWidget(label("(none ticked: every user)", "hint"))
        roles_row.addStretch(1)
        header.addWidget(_caption("Who may work it", None), 3, 0)
        header.addLayout(roles_row, 3, 1, 1, 5)
        header.setColumnStretch(3, 1)
        header.setColumnStretch(5, 1)
        for field in (self.code, self.description):
            field.textEdited.connect(self._touched)
        self.uses_chars.toggled.connect(self._touched)

        statuses = self._status_choices
        chars = self._char_choices
        self.statuses = RowGrid("Statuses", "caseTypeStatuses", (
            Column("Status", width=150), Column("Description", width=200),
            Column("Seq", "int", 60), Column("Initial", "check", 70),
            Column("Final", "check", 70), Column("Alertable", "check", 86),
            Column("Script (shown while in the status)", width=220)),
            "Exactly one status is initial; entering a final one closes the case.")
        self.transitions = RowGrid("Transitions", "caseTypeTransitions", (
            Column("From", "choice", 150, statuses), Column("To", "choice", 150, statuses),
            Column("Action label", width=190), Column("Seq", "int", 60),
            Column("Default", "check", 80),
            Column("Role", "choice", 150, self._role_choices,
                   "Who may press the button (blank: anyone who may work the type)")),
            "Each transition is an action button on the case while it is in the From status.")
        self.algorithm_grid = RowGrid("Algorithms", "caseTypeAlgorithms", (
            Column("Status", "choice", 150, statuses),
            Column("When", "choice", 150, lambda: KIND_CHOICES),
            Column("Seq", "int", 60),
            Column("Algorithm", "choice", 210, self._algorithm_choices),
            Column("Parameter", width=220)),
            ALGORITHMS_HINT)
        self.algorithm_grid.table.currentCellChanged.connect(self._algorithm_hint)
        self.algorithm_grid.changed.connect(self._algorithm_hint)
        self.required = RowGrid("Required characteristics", "caseTypeRequiredChars", (
            Column("Status", "choice", 170, statuses),
            Column("Characteristic type", "choice", 200, chars),
            Column("Description", "describe", 300, chars, describes=1)),
            "A case must have these characteristics before it enters the status.")
        self.allowed = RowGrid("Allowed characteristics", "caseTypeAllowedChars", (
            Column("Characteristic type", "choice", 200, chars),
            Column("Description", "describe", 300, chars, describes=0)),
            "The characteristic types cases of this type may carry.")
        self.grids = (self.statuses, self.transitions, self.algorithm_grid, self.required,
                      self.allowed)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("caseTypeTabs")
        for grid in self.grids:
            self.tabs.addTab(grid, grid.what)
            grid.changed.connect(self._touched)

        self.message = error_label()
        self.message.setObjectName("inlineError")
        self.message.setAccessibleName("Case type message")
        self.save_button = push_button("Save", "Check and save the whole case type", self.save,
                                       "primary")
        self.save_button.setDefault(True)
        self.revert_button = push_button("Revert", "Back to the saved definition",
                                         self.revert)
        close_button = push_button("Close", "Close the case types", self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close_button)

        right = QVBoxLayout()
        right.setSpacing(10)
        self.heading = label("Case type", "sectionHeading")
        right.addWidget(self.heading)
        right.addLayout(header)
        right.addWidget(self.tabs, 1)
        right.addWidget(self.message)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(16)
        layout.addLayout(left)
        layout.addLayout(right, 1)
        self._refresh(code)

    # ------------------------------------------------------------------------- choices

    def _status_choices(self) -> Choices:
        return tuple((self.statuses.cell(r, 0).upper(), self.statuses.cell(r, 1))
                     for r in self.statuses.filled_rows() if self.statuses.cell(r, 0))

    def _char_choices(self) -> Choices:
        return self.char_choices

    def _role_choices(self) -> Choices:
        return tuple((role.value, role_label(role)) for role in UserRole)

    def _algorithm_hint(self, *_args: object) -> None:
        """Under the algorithms: what the current row's algorithm does and its parameter."""
        grid = self.algorithm_grid
        row = grid.table.currentRow()
        info = {a.code: a for a in self.algorithms}.get(grid.cell(row, 3).upper()) \
            if row >= 0 else None
        grid.hint.setText(
            f"{info.code}: {info.description}. Parameter: {info.parameter_hint or 'none'}."
            if info is not None else ALGORITHMS_HINT)

    def _algorithm_choices(self) -> Choices:
        return tuple((a.code, a.description) for a in self.algorithms)

    # ------------------------------------------------------------------------- loading

    def _refresh(self, code: str | None) -> None:
        """Read the list, the choices and (when given) one definition, off the UI thread."""
        db, actor = self.ctx.db, self.ctx.actor

        def load() -> tuple[Any, ...]:
            rows = case_types.case_type_list(db, actor)
            chosen = case_types.load_case_type(db, actor, code) if code else None
            return (rows, chosen, case_types.characteristic_type_choices(db),
                    case_types.known_algorithms())

        self._set_busy(True)
        run_task(load, on_result=self._refreshed, on_error=self._failed)

    def _refreshed(self, result: tuple[Any, ...]) -> None:
        rows, chosen, self.char_choices, self.algorithms = result
        self._set_busy(False)
        parameters = self.algorithm_grid.table.horizontalHeaderItem(4)
        if parameters is not None:
            parameters.setToolTip("\n".join(f"{a.code}: {a.parameter_hint}"
                                             for a in self.algorithms if a.parameter_hint))
        self.types.blockSignals(True)
        self.types.clear()
        for row in rows:
            item = QListWidgetItem(f"{row.code} — {row.description}")
            item.setData(Qt.ItemDataRole.UserRole, row.code)
            item.setToolTip(f"{row.statuses} statuses; {row.open_cases} open of {row.cases} "
                            "cases")
            self.types.addItem(item)
            if chosen is not None and row.code == chosen.code:
                self.types.setCurrentItem(item)
        self.types.blockSignals(False)
        self.show_definition(chosen)
        if self._done:
            say(self.message, self._done, True)
            self._done = ""

    def _chosen(self, current: QListWidgetItem | None, previous: QListWidgetItem | None) -> None:
        if current is None or self.busy:
            return
        code = str(current.data(Qt.ItemDataRole.UserRole))
        if self.loaded is not None and code == self.loaded.code:
            return
        if not self._may_discard():
            self.types.blockSignals(True)
            if previous is not None:
                self.types.setCurrentItem(previous)
            self.types.blockSignals(False)
            return
        self._refresh(code)

    def _may_discard(self) -> bool:
        if not self.dirty:
            return True
        answer = QMessageBox.question(self, "Case Types", "Discard the changes not saved?")
        return answer == QMessageBox.StandardButton.Yes

    def new_type(self) -> None:
        if not self._may_discard():
            return
        self.types.blockSignals(True)
        self.types.setCurrentRow(-1)
        self.types.blockSignals(False)
        self.show_definition(None)
        self.code.setFocus()

    def revert(self) -> None:
        self.show_definition(self.loaded)

    def show_definition(self, d: CaseTypeDefinition | None) -> None:
        """Fill the header and grids with a definition (None: a new, empty case type)."""
        self._filling = True
        self.loaded = d
        self.heading.setText(f"Case type {d.code} — {d.description}" if d else "New case type")
        self.code.setText(d.code if d else "")
        self.code.setReadOnly(d is not None)
        self.description.setText(d.description if d else "")
        for name, combo in self.usage.items():
            usage = getattr(d, name) if d else CaseUsage.OPTIONAL
            combo.setCurrentIndex(combo.findData(usage))
        self.uses_chars.setChecked(d.uses_characteristics if d else False)
        for role, box in self.roles.items():
            box.setChecked(d is not None and role in d.access_roles)
        self.statuses.set_rows(
            (s.code, s.description, s.seq, s.is_initial, s.is_final, s.alertable,
             s.script or "") for s in (d.statuses if d else ()))
        self.transitions.set_rows(
            (t.from_status, t.to_status, t.action_label, t.seq, t.is_default,
             t.access_role or "") for t in (d.transitions if d else ()))
        self.algorithm_grid.set_rows(
            (a.status_code, a.kind.value, a.seq, a.algorithm_code, a.parameter)
            for a in (d.algorithms if d else ()))
        self.required.set_rows(d.required_chars if d else ())
        self.allowed.set_rows((c,) for c in (d.allowed_chars if d else ()))
        say(self.message, "", False)
        self._filling = False
        self.dirty = False

    def _touched(self, *_args: object) -> None:
        if not self._filling:
            self.dirty = True

    # ------------------------------------------------------------------------- saving

    def definition(self) -> CaseTypeDefinition:
        """What is typed, as the service's definition (ValidationError for a bad number)."""
        for grid in self.grids:
            grid.commit_edits()
        st, tr, al = self.statuses, self.transitions, self.algorithm_grid
        statuses = tuple(CaseStatusDef(
            st.cell(r, 0), st.cell(r, 1), st.number(r, 2, (n + 1) * 10), st.ticked(r, 3),
            st.ticked(r, 4), st.ticked(r, 5), st.cell(r, 6) or None)
            for n, r in enumerate(st.filled_rows()))
        transitions = tuple(CaseTransitionDef(
            tr.cell(r, 0), tr.cell(r, 1), tr.cell(r, 2), tr.number(r, 3, (n + 1) * 10),
            tr.ticked(r, 4), tr.cell(r, 5) or None) for n, r in enumerate(tr.filled_rows()))
        algorithms = []
        for n, r in enumerate(al.filled_rows()):
            kind_text = al.cell(r, 1).upper()
            if kind_text not in CaseAlgorithmKind.__members__:
                raise ValidationError(f"Algorithms, row {r + 1}: choose when it runs (ENTER, "
                                      "EXIT or AUTO).", "grid")
            algorithms.append(CaseAlgorithmLine(al.cell(r, 0), CaseAlgorithmKind(kind_text),
                                                al.number(r, 2, (n + 1) * 10), al.cell(r, 3),
                                                al.cell(r, 4)))
        return CaseTypeDefinition(
            code=self.code.text(), description=self.description.text(),
            uses_characteristics=self.uses_chars.isChecked(),
            access_roles=frozenset(r for r, box in self.roles.items() if box.isChecked()),
            statuses=statuses, transitions=transitions, algorithms=tuple(algorithms),
            required_chars=tuple((self.required.cell(r, 0), self.required.cell(r, 1))
                                 for r in self.required.filled_rows()),
            allowed_chars=tuple(self.allowed.cell(r, 0) for r in self.allowed.filled_rows()),
            **{name: combo.currentData() for name, combo in self.usage.items()})

    def save(self) -> None:
        if self.busy:
            return
        try:
            definition = self.definition()
        except ValidationError as exc:
            say(self.message, exc.message, False)
            return
        version = self.loaded.version if self.loaded is not None else None
        self._set_busy(True)
        run_task(partial(case_types.save_case_type, self.ctx.db, self.ctx.actor, definition,
                         version), on_result=self._saved, on_error=self._failed)

    def _saved(self, code: str) -> None:
        self._set_busy(False)
        self.dirty = False
        self.saved_code = code
        self._done = f"Case type {code} saved."
        self.ctx.host.show_status(self._done)
        self._refresh(code)

    def _failed(self, exc: BaseException) -> None:
        """The service said no (or could not read): its words under the grids; nothing typed
        is lost."""
        self._set_busy(False)
        say_failure(self.message, exc)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.save_button.setEnabled(not busy)
        self.revert_button.setEnabled(not busy)

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""


def role_label(role: UserRole) -> str:
    """A role as people say it ("CSR", "Rate analyst")."""
    return role.value if len(role.value) <= 3 else role.label


def _caption(text: str, buddy: QWidget | None) -> QWidget:
    """A caption that moves the focus to its field (Alt+first letter)."""
    caption = label(text)
    if buddy is not None:
        caption.setBuddy(buddy)
    return caption


def open_case_type_editor(parent: QWidget | None, ctx: PaneContext,
                          code: str | None = None) -> CaseTypeEditor:
    """Open the case types editor (administrators), on `code` when given; it shows at once and
    reads the case types in the background."""
    editor = CaseTypeEditor(ctx, parent, code)
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    editor.show()
    return editor
