"""The Rate Check pane's input grids (spec/20 §9.1): quantities (UOM / TOU / SQI, quantity,
service point) and characteristics (type, value). They hold what is typed; the service checks
it (a quantity that is not a number is its message, shown beside the grid)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.rate_check import QuantityInput
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


class _Grid(QWidget):
    """A small editable grid with Add row / Remove row, and a message line under it."""

    changed = Signal()

    def __init__(self, title: str, columns: Sequence[str], name: str) -> None:
        super().__init__()
        self.table = QTableWidget(0, len(columns))
        self.table.setObjectName(name)
        self.table.setAccessibleName(title)
        self.table.setHorizontalHeaderLabels(list(columns))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(GRID_ROW_HEIGHT)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.itemChanged.connect(lambda _item: self.changed.emit())
        self.table.setMinimumHeight(GRID_ROW_HEIGHT * 3 + 4)
        self.table.setMaximumHeight(GRID_ROW_HEIGHT * 7 + 4)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton("Add row")
        self.add_button.setToolTip(f"Add a row to {title.lower()}")
        self.add_button.clicked.connect(lambda _=False: self.add_row())
        self.remove_button = QPushButton("Remove row")
        self.remove_button.setToolTip("Remove the selected row")
        self.remove_button.clicked.connect(lambda _=False: self.remove_row())
        self.message = label("", "inlineError", wrap=True)
        self.message.setAccessibleName(f"{title} message")
        self.message.hide()
        self.empty_hint = label("", "hint", wrap=True)
        heading = QHBoxLayout()
        heading.setContentsMargins(0, 0, 0, 0)
        heading.addWidget(label(title, "sectionHeading"))
        heading.addStretch(1)
        heading.addWidget(self.add_button)
        heading.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.message)

    def add_row(self) -> int:
        raise NotImplementedError

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            row = self.table.rowCount() - 1
        if row >= 0:
            self.table.removeRow(row)
            self.changed.emit()
        self._hint()

    def clear_rows(self) -> None:
        self.table.setRowCount(0)
        self._hint()

    def _hint(self) -> None:
        self.empty_hint.setVisible(self.table.rowCount() == 0)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

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

    def commit_edits(self) -> None:
        """An open cell editor keeps its text until it loses focus: give it back to the grid
        (a check started with Ctrl+Enter while typing reads what is typed)."""
        focus = QApplication.focusWidget()
        if focus is not None and self.table.isAncestorOf(focus) \
                and self.table.state() == QAbstractItemView.State.EditingState:
            self.table.setFocus()
            self.table.viewport().setFocus()


class QuantityGrid(_Grid):
    """UOM / TOU / SQI / Quantity / Service point."""

    COLUMNS = ("UOM", "TOU", "SQI", "Quantity", "Service point")

    def __init__(self) -> None:
        super().__init__("Quantities", self.COLUMNS, "quantities")
        self.uoms: Choices = ()
        self.tous: Choices = ()
        self.sqis: Choices = ()
        self.service_points: Choices = ()
        self.empty_hint.setText("No quantity: only fixed charges are rated. Add a row for the "
                                "kWh, therms or gallons to price.")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for c in (0, 1, 2, 4):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
        for c, width in ((0, 80), (1, 70), (2, 80), (4, 110)):
            self.table.setColumnWidth(c, width)
        self._hint()

    def set_choices(self, uoms: Choices, tous: Choices, sqis: Choices) -> None:
        rows = self.rows()
        self.uoms, self.tous, self.sqis = tuple(uoms), tuple(tous), tuple(sqis)
        self.set_rows(rows)

    def set_service_points(self, points: Sequence[str]) -> None:
        self.service_points = tuple((p, "") for p in points)
        for row in range(self.table.rowCount()):
            combo = self._combo(row, 4)
            keep = combo.currentText()
            fill_combo(combo, self.service_points)
            combo.blockSignals(True)
            combo.setEditText(keep)
            combo.blockSignals(False)

    def add_row(self, value: QuantityInput | None = None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        q = value or QuantityInput("KWH" if any(c == "KWH" for c, _ in self.uoms) else None,
                                   None, None, "")
        self._put_combo(row, 0, self.uoms, q.uom)
        self._put_combo(row, 1, self.tous, q.tou)
        self._put_combo(row, 2, self.sqis, q.sqi)
        item = QTableWidgetItem(q.quantity)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.blockSignals(True)
        self.table.setItem(row, 3, item)
        self.table.blockSignals(False)
        points = self.service_points
        self._put_combo(row, 4, points, q.service_point, editable=True)
        if value is None:
            self.table.setCurrentCell(row, 3)
            self.changed.emit()
        self._hint()
        return row

    def set_rows(self, rows: Sequence[QuantityInput]) -> None:
        self.clear_rows()
        for q in rows:
            self.add_row(q)

    def rows(self) -> tuple[QuantityInput, ...]:
        """Every row that holds something, as typed."""
        out = []
        for row in range(self.table.rowCount()):
            uom, tou, sqi = (combo_code(self._combo(row, c)) for c in (0, 1, 2))
            quantity = self._text(row, 3)
            point = self._combo(row, 4).currentText().strip()
            if not (uom or tou or sqi or quantity or point):
                continue
            out.append(QuantityInput(uom or None, tou or None, sqi or None, quantity,
                                     point or None))
        return tuple(out)

    def set_quantity(self, row: int, text: str) -> None:
        item = self.table.item(row, 3)
        if item is not None:
            item.setText(text)


class CharacteristicGrid(_Grid):
    """Characteristic type / value: they win over the SA's (spec/20 §9.1)."""

    COLUMNS = ("Type", "Value")

    def __init__(self) -> None:
        super().__init__("Characteristics", self.COLUMNS, "characteristics")
        self.types: Choices = ()
        self.empty_hint.setText("None entered: the SA's are used. Without an SA, a rate that "
                                "needs one (e.g. STATE for the sales tax) says so.")
        self._hint()

    def set_types(self, types: Choices) -> None:
        rows = self.rows()
        self.types = tuple(types)
        self.set_rows(rows)

    def add_row(self, value: tuple[str, str] | None = None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        ctype, cvalue = value or ("", "")
        combo = self._put_combo(row, 0, self.types, ctype, editable=True)
        combo.setToolTip("The characteristic type, e.g. STATE")
        self.table.blockSignals(True)
        self.table.setItem(row, 1, QTableWidgetItem(cvalue))
        self.table.blockSignals(False)
        if value is None:
            self.table.setCurrentCell(row, 1)
            combo.setFocus()
            self.changed.emit()
        self._hint()
        return row

    def set_rows(self, rows: Sequence[tuple[str, str]]) -> None:
        self.clear_rows()
        for r in rows:
            self.add_row(r)

    def rows(self) -> tuple[tuple[str, str], ...]:
        out = []
        for row in range(self.table.rowCount()):
            ctype = combo_code(self._combo(row, 0))
            value = self._text(row, 1)
            if ctype or value:
                out.append((ctype, value))
        return tuple(out)

    def set_value(self, row: int, text: str) -> None:
        item = self.table.item(row, 1)
        if item is not None:
            item.setText(text)


__all__ = ["CharacteristicGrid", "QuantityGrid", "code_combo", "combo_code", "fill_combo",
           "set_combo_code"]
