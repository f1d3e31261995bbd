"""Generic editing widgets of the rate editor, driven by `rate_editor_fields.Column` lists:

* `RecordTableModel` / `RecordTable`: a sortable grid of frozen dataclasses, edited in place
  (text, a combo for code lists, a tick for yes/no), each edit a `dataclasses.replace`;
* `RecordForm`: the same fields as labelled inputs, with an inline message under a field;
* `CollectionBox`: a titled grid with Add / Remove (the schedule's rules, messages, …).

A value that does not parse is refused where it was typed and said in a sentence; the record
is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.views.rate_editor_fields import BOOL, ENUM, NUMERIC, OPT_ENUM, READ, TRISTATE, Column
from app.views.widgets import FieldMessage, label

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PROBLEM_BACKGROUND = QColor("#fde2df")
NOT_APPLICABLE = QColor("#9a9ca1")
ROW_HEIGHT = 24
#: The code list a field completes from, by name (shared models: they fill in when loaded).
Choices = Callable[[str], QStringListModel]
Index = QModelIndex | QPersistentModelIndex


class RecordTableModel(QAbstractTableModel):
    """Rows of frozen dataclasses; `edited(row)` after the user changed one in place,
    `refused(row, key, message)` when what was typed does not parse."""

    edited = Signal(int)
    refused = Signal(int, str, str)

    def __init__(self, columns: Sequence[Column], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.rows: list[Any] = []
        self.editable = True
        #: A field that may not change on this row (e.g. a saved component's sequence).
        self.locked: Callable[[Any, Column], bool] = lambda _obj, _col: False
        #: Problems per row key (a component's sequence): the row is tinted, the text its tip.
        self.problems: dict[Any, str] = {}
        self.key: Callable[[Any], Any] = lambda obj: getattr(obj, "sequence", None)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def set_problems(self, problems: dict[Any, str]) -> None:
        self.problems = dict(problems)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(self.columns) - 1))

    def replace_row(self, row: int, obj: Any) -> None:
        self.rows[row] = obj
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def insert_row(self, row: int, obj: Any) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.insert(row, obj)
        self.endInsertRows()

    def remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.rows[row]
        self.endRemoveRows()

    def column_of(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    # --- Qt model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is not Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tip or col.header
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        obj, col = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if col.kind == BOOL else col.text(obj)
        if role == Qt.ItemDataRole.EditRole:
            return col.text(obj)
        if role == Qt.ItemDataRole.CheckStateRole and col.kind == BOOL:
            return Qt.CheckState.Checked if col.value(obj) else Qt.CheckState.Unchecked
        if role == SORT_ROLE:
            return col.sort_key(obj)
        problem = self.problems.get(self.key(obj))
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem or col.text(obj) or col.tip or None
        if role == Qt.ItemDataRole.BackgroundRole and problem:
            return PROBLEM_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole and not col.applies_to(obj):
            return NOT_APPLICABLE
        if role == Qt.ItemDataRole.TextAlignmentRole and col.kind in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def can_edit(self, row: int, col: Column) -> bool:
        obj = self.rows[row]
        return (self.editable and not col.read_only and col.applies_to(obj)
                and not self.locked(obj, col))

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        col = self.columns[index.column()]
        if not self.can_edit(index.row(), col):
            return base
        return base | (Qt.ItemFlag.ItemIsUserCheckable if col.kind == BOOL
                       else Qt.ItemFlag.ItemIsEditable)

    def setData(self, index: Index, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row, col = index.row(), self.columns[index.column()]
        if not self.can_edit(row, col):
            return False
        obj = self.rows[row]
        if role == Qt.ItemDataRole.CheckStateRole and col.kind == BOOL:
            state = value if isinstance(value, Qt.CheckState) else Qt.CheckState(int(value))
            new = col.with_value(obj, state == Qt.CheckState.Checked)
        elif role == Qt.ItemDataRole.EditRole:
            try:
                new = col.parse_into(obj, str(value))
            except ValueError as exc:
                self.refused.emit(row, col.key, str(exc))
                return False
        else:
            return False
        if new != obj:
            self.replace_row(row, new)
            self.edited.emit(row)
        return True


class ChoiceDelegate(QStyledItemDelegate):
    """A combo for an enum field, a line edit that completes from a code list otherwise."""

    def __init__(self, choices: Choices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices = choices

    @staticmethod
    def _column(index: Index) -> Column:
        model = index.model()
        if isinstance(model, QSortFilterProxyModel):
            source = model.sourceModel()
            assert isinstance(source, RecordTableModel)
            return source.columns[index.column()]
        assert isinstance(model, RecordTableModel)
        return model.columns[index.column()]

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,  # noqa: N802
                     index: Index) -> QWidget:
        col = self._column(index)
        if col.kind in (ENUM, OPT_ENUM, TRISTATE):
            combo = QComboBox(parent)
            combo.addItems(col.options())
            return combo
        editor = QLineEdit(parent)
        if col.choices:
            completer = QCompleter(editor)
            completer.setModel(self._choices(col.choices))
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            editor.setCompleter(completer)
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802
        text = str(index.data(Qt.ItemDataRole.EditRole) or "")
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findText(text)))
        elif isinstance(editor, QLineEdit):
            editor.setText(text)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:  # noqa: N802
        text = editor.currentText() if isinstance(editor, QComboBox) else \
            editor.text() if isinstance(editor, QLineEdit) else ""
        model.setData(index, text, Qt.ItemDataRole.EditRole)


class RecordTable(QTableView):
    """A sortable grid over a `RecordTableModel`; `current_changed(row)` gives the model row
    (-1: none)."""

    current_changed = Signal(int)

    def __init__(self, columns: Sequence[Column], choices: Choices, name: str) -> None:
        super().__init__()
        self.source = RecordTableModel(columns, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.source)
        self.proxy.setSortRole(SORT_ROLE)
        self.setModel(self.proxy)
        self.setItemDelegate(ChoiceDelegate(choices, self))
        self.setAccessibleName(name)
        self.setSortingEnabled(True)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, col in enumerate(columns):
            self.setColumnWidth(i, col.width)
        header.setStretchLastSection(len(columns) <= 3)
        self.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self.current_changed.emit(self.source_row(current)))

    def source_row(self, index: QModelIndex) -> int:
        return self.proxy.mapToSource(index).row() if index.isValid() else -1

    def current_row(self) -> int:
        return self.source_row(self.currentIndex())

    def select_row(self, row: int, column: int = 0) -> None:
        if 0 <= row < self.source.rowCount():
            index = self.proxy.mapFromSource(self.source.index(row, column))
            self.setCurrentIndex(index)
            self.scrollTo(index)

    def set_editable(self, editable: bool) -> None:
        self.source.editable = editable

    def cell_text(self, row: int, key: str) -> str:
        """What the grid shows for model row `row` in the column `key` (tests, screen readers)."""
        col = self.source.column_of(key)
        index = self.source.index(row, col)
        if self.source.columns[col].kind == BOOL:
            return "Yes" if index.data(Qt.ItemDataRole.CheckStateRole) == \
                Qt.CheckState.Checked else "No"
        return str(index.data(Qt.ItemDataRole.DisplayRole) or "")


class RecordForm(QWidget):
    """The fields of one record as labelled inputs; `changed(new_record)` after an edit."""

    changed = Signal(object)

    def __init__(self, columns: Sequence[Column], choices: Choices, per_row: int = 2) -> None:
        super().__init__()
        self.columns = tuple(columns)
        self._record: Any = None
        self._filling = False
        self.editable = True
        self.locked: Callable[[Any, Column], bool] = lambda _obj, _col: False
        self.widgets: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        self.messages: dict[str, FieldMessage] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(6)
        for i, col in enumerate(self.columns):
            widget = self._widget(col, choices)
            widget.setAccessibleName(col.header)
            if col.tip:
                widget.setToolTip(col.tip)
            caption = label("" if col.kind == BOOL else col.header)
            caption.setBuddy(widget)
            row, slot = divmod(i, per_row)
            grid.addWidget(caption, row, slot * 2)
            grid.addWidget(widget, row, slot * 2 + 1)
            self.widgets[col.key] = widget
            self.labels[col.key] = caption
        for slot in range(per_row):
            grid.setColumnStretch(slot * 2 + 1, 1)
        grid.setRowStretch(len(self.columns) // per_row + 1, 1)

    def _widget(self, col: Column, choices: Choices) -> QWidget:
        if col.kind == BOOL:
            box = QCheckBox(col.header)
            box.clicked.connect(lambda _on, c=col: self._commit(c))
            return box
        if col.kind in (ENUM, OPT_ENUM, TRISTATE):
            combo = QComboBox()
            combo.addItems(col.options())
            combo.activated.connect(lambda _i, c=col: self._commit(c))
            return combo
        if col.kind == READ:
            return label("", "hint")
        edit = QLineEdit()
        edit.setPlaceholderText(col.tip[:60] if col.tip and len(col.tip) < 60 else "")
        if col.choices:
            completer = QCompleter(edit)
            completer.setModel(choices(col.choices))
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            edit.setCompleter(completer)
        edit.editingFinished.connect(lambda c=col: self._commit(c))
        return edit

    @property
    def record(self) -> Any:
        return self._record

    def widget_text(self, key: str) -> str:
        widget = self.widgets[key]
        if isinstance(widget, QCheckBox):
            return "Yes" if widget.isChecked() else "No"
        if isinstance(widget, QComboBox):
            return widget.currentText()
        if isinstance(widget, (QLineEdit, QLabel)):
            return widget.text()
        return ""

    def set_record(self, record: Any) -> None:
        self._record = record
        self._filling = True
        try:
            for col in self.columns:
                widget = self.widgets[col.key]
                text = col.text(record) if record is not None else ""
                if isinstance(widget, QCheckBox):
                    widget.setChecked(record is not None and bool(col.value(record)))
                elif isinstance(widget, QComboBox):
                    widget.setCurrentIndex(max(0, widget.findText(text)))
                elif isinstance(widget, (QLineEdit, QLabel)):
                    widget.setText(text)
                    if isinstance(widget, QLineEdit):
                        widget.setCursorPosition(0)
                usable = (record is not None and self.editable and not col.read_only
                          and col.applies_to(record) and not self.locked(record, col))
                widget.setEnabled(usable or col.read_only)
        finally:
            self._filling = False

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        self.set_record(self._record)

    def _commit(self, col: Column) -> None:
        if self._filling or self._record is None or not self.widgets[col.key].isEnabled():
            return
        text = self.widget_text(col.key)
        if col.kind == BOOL:
            text = "Yes" if text == "Yes" else ""
        try:
            new = col.parse_into(self._record, text)
        except ValueError as exc:
            self.show_error(col.key, str(exc))
            return
        self.clear_error(col.key)
        if new != self._record:
            self.set_record(new)
            self.changed.emit(new)

    def commit_all(self) -> None:
        """Take what is typed in the line edit that has the focus (before a save)."""
        for col in self.columns:
            widget = self.widgets[col.key]
            if isinstance(widget, QLineEdit) and widget.hasFocus():
                self._commit(col)

    def show_error(self, key: str, message: str) -> None:
        widget = self.widgets.get(key)
        if widget is None:
            return
        window = self.window()
        shown = self.messages.get(key)
        if shown is None or shown.parent() is not window:
            shown = FieldMessage(widget, window)
            self.messages[key] = shown
        shown.show_message(message)

    def error_text(self, key: str) -> str:
        shown = self.messages.get(key)
        return shown.text() if shown is not None and shown.isVisible() else ""

    def clear_error(self, key: str) -> None:
        if key in self.messages:
            self.messages[key].clear()

    def clear_errors(self) -> None:
        for shown in self.messages.values():
            shown.clear()


class CollectionBox(QWidget):
    """A titled grid with Add and Remove; `changed(rows)` after every change."""

    changed = Signal(tuple)

    def __init__(self, title: str, columns: Sequence[Column], choices: Choices,
                 new_row: Callable[[list[Any]], Any]) -> None:
        super().__init__()
        self.title = title
        self.table = RecordTable(columns, choices, title)
        self.table.setMinimumHeight(110)
        self._new_row = new_row
        self.add_button = QPushButton("Add")
        self.add_button.setToolTip(f"Add a row to {title.lower()}")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected row")
        for button in (self.add_button, self.remove_button):
            button.setStyleSheet("QPushButton { padding: 3px 10px; }")
        self.add_button.clicked.connect(lambda _=False: self.add())
        self.remove_button.clicked.connect(lambda _=False: self.remove())
        self.table.source.edited.connect(lambda _r: self._emit())
        self.error = label("", "inlineError", wrap=True)
        self.error.hide()
        self.table.source.refused.connect(lambda _r, _k, text: self._refused(text))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        bar = QHBoxLayout()
        bar.addWidget(label(title, "sectionHeading"))
        bar.addStretch(1)
        bar.addWidget(self.add_button)
        bar.addWidget(self.remove_button)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)

    def rows(self) -> tuple[Any, ...]:
        return tuple(self.table.source.rows)

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.error.hide()
        self.table.source.set_rows(rows)

    def set_editable(self, editable: bool) -> None:
        self.table.set_editable(editable)
        self.add_button.setEnabled(editable)
        self.remove_button.setEnabled(editable)

    def add(self) -> None:
        rows = list(self.table.source.rows)
        self.table.source.insert_row(len(rows), self._new_row(rows))
        self.table.select_row(len(rows), 1 if len(self.table.source.columns) > 1 else 0)
        self.table.setFocus()
        self._emit()

    def remove(self) -> None:
        row = self.table.current_row()
        if row >= 0:
            self.table.source.remove_row(row)
            self._emit()

    def _refused(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _emit(self) -> None:
        self.error.hide()
        self.changed.emit(self.rows())
