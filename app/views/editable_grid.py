"""Editable grids of typed text: Add row / Remove row, a hint and a message line, and combo
cells of codes. A grid holds what is typed; the service checks it, and a refusal shows in
the grid's message line."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.views.widgets import label

Choices = Sequence[tuple[str, str]]
GRID_ROW_HEIGHT = 28


def code_combo(choices: Choices, *, blank: str | None = "", editable: bool = False,
               long: bool = False) -> QComboBox:
    """A combo of codes (data = code); `blank` adds a first empty choice with that text;
    `long` shows "CODE — description" instead of the code (with the description as tip)."""
    combo = QComboBox()
    combo.setEditable(editable)
    if editable:
        combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    fill_combo(combo, choices, blank=blank, long=long)
    return combo


def fill_combo(combo: QComboBox, choices: Choices, *, blank: str | None = "",
               long: bool = False) -> None:
    keep = combo_code(combo)
    combo.blockSignals(True)
    combo.clear()
    if blank is not None:
        combo.addItem(blank, "")
    for code, description in choices:
        text = f"{code} — {description}" if long and description and description != code \
            else code
        combo.addItem(text, code)
        combo.setItemData(combo.count() - 1, description or code, Qt.ItemDataRole.ToolTipRole)
    set_combo_code(combo, keep)
    combo.blockSignals(False)


def combo_code(combo: QComboBox) -> str:
    """The code chosen or typed ("E-RES-1 — Residential…" → "E-RES-1")."""
    if combo.isEditable():
        text = combo.currentText().strip()
        index = combo.findText(text)
        if index >= 0 and combo.itemData(index):
            return str(combo.itemData(index))
        return text.split(" — ", 1)[0].strip().upper()
    data = combo.currentData()
    return str(data) if data else ""


def set_combo_code(combo: QComboBox, code: str | None) -> None:
    code = (code or "").strip()
    index = combo.findData(code) if code else (0 if combo.count() and not combo.itemData(0)
                                               else -1)
    if index >= 0:
        combo.setCurrentIndex(index)
    elif combo.isEditable():
        combo.setCurrentIndex(-1)
        combo.setEditText(code)
    elif code:  # not (yet) a known choice: kept as it is, never dropped
        combo.addItem(code, code)
        combo.setCurrentIndex(combo.count() - 1)
    elif combo.count():
        combo.setCurrentIndex(0)
    edit = combo.lineEdit()
    if edit is not None:
        edit.setCursorPosition(0)  # the code shows, not the end of a long description


class EditableGrid(QWidget):
    """A table with Add row / Remove row, a hint and a message line. With `title_above` the
    title heads the grid beside the buttons (the hint goes under the grid); else the buttons
    sit under the grid beside the hint (a tab or box around it gives the title)."""

    changed = Signal()

    def __init__(self, title: str, columns: Sequence[str], name: str, *, hint: str = "",
                 title_above: bool = False) -> None:
        super().__init__()
        self.table = QTableWidget(0, len(columns))
        self.table.setObjectName(name)
        self.table.setAccessibleName(title)
        self.table.setHorizontalHeaderLabels(list(columns))
        self.table.verticalHeader().setDefaultSectionSize(GRID_ROW_HEIGHT)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.itemChanged.connect(lambda _item: self.changed.emit())
        self.table.horizontalHeader().setHighlightSections(False)
        self.add_button = QPushButton("Add row")
        self.add_button.setToolTip(f"Add a row to {title.lower()}")
        self.add_button.clicked.connect(lambda _=False: self.add_row())
        self.remove_button = QPushButton("Remove row")
        self.remove_button.setToolTip("Remove the selected row")
        self.remove_button.clicked.connect(lambda _=False: self.remove_row())
        self.message = label("", "inlineError", wrap=True)
        self.message.setAccessibleName(f"{title} message")
        self.message.hide()
        self.hint = label(hint, "hint", wrap=True)
        #: The row holding Add row / Remove row.
        self.buttons = QHBoxLayout()
        self.buttons.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if title_above:
            layout.setSpacing(3)
            self.buttons.addWidget(label(title, "sectionHeading"))
            self.buttons.addStretch(1)
        else:
            layout.setSpacing(4)
            self.buttons.addWidget(self.hint, 1)
        self.buttons.addWidget(self.add_button)
        self.buttons.addWidget(self.remove_button)
        if title_above:
            layout.addLayout(self.buttons)
            layout.addWidget(self.table, 1)
            layout.addWidget(self.hint)
        else:
            layout.addWidget(self.table, 1)
            layout.addLayout(self.buttons)
        layout.addWidget(self.message)

    def add_row(self) -> int:
        raise NotImplementedError

    def remove_row(self) -> None:
        """Remove the selected row (none selected: the last)."""
        row = self.table.currentRow()
        if row < 0:
            row = self.table.rowCount() - 1
        if row >= 0:
            self.table.removeRow(row)
            self.changed.emit()
        self._hint()

    def clear_rows(self) -> None:
        # Removing rows is not an edit: a cell editor still open commits its text (itemChanged)
        # while the row's widgets are already gone, and a listener reading the grid then would
        # meet half a row. One `changed` once the grid is empty instead.
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.blockSignals(False)
        self._hint()
        self.changed.emit()

    def _hint(self) -> None:
        """Show or hide the hint after the rows changed (it stays as it is here)."""

    def row_count(self) -> int:
        return self.table.rowCount()

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def commit_edits(self) -> None:
        """An open cell editor keeps its text until it loses focus: give it back to the grid
        (an action started from the keyboard while typing reads what is typed)."""
        focus = QApplication.focusWidget()
        if focus is not None and self.table.isAncestorOf(focus) \
                and self.table.state() == QAbstractItemView.State.EditingState:
            self.table.setFocus()
            self.table.viewport().setFocus()

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _combo(self, row: int, column: int) -> QComboBox:
        widget = self.table.cellWidget(row, column)
        assert isinstance(widget, QComboBox)
        return widget

    def _put_combo(self, row: int, column: int, choices: Choices, code: str | None,
                   editable: bool = False) -> QComboBox:
        combo = code_combo(choices, editable=editable)
        combo.setFrame(False)
        set_combo_code(combo, code)
        if editable:
            combo.editTextChanged.connect(lambda _t: self.changed.emit())
        else:
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.table.setCellWidget(row, column, combo)
        return combo
