"""The Rate Check pane's input grids (spec/20 §9.1): quantities (UOM / TOU / SQI, quantity,
service point) and characteristics (type, value). They hold what is typed; the service checks
it (a quantity that is not a number is its message, shown beside the grid)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QTableWidgetItem,
)

from app.services.rate_check import QuantityInput
from app.views.editable_grid import (
    GRID_ROW_HEIGHT,
    Choices,
    EditableGrid,
    code_combo,
    combo_code,
    fill_combo,
    set_combo_code,
)


class _Grid(EditableGrid):
    """A small rate check grid: titled above, all columns shown, its hint only when empty."""

    def __init__(self, title: str, columns: Sequence[str], name: str) -> None:
        super().__init__(title, columns, name, title_above=True)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(GRID_ROW_HEIGHT * 3 + 4)
        self.table.setMaximumHeight(GRID_ROW_HEIGHT * 7 + 4)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)

    def _hint(self) -> None:
        self.hint.setVisible(self.table.rowCount() == 0)


class QuantityGrid(_Grid):
    """UOM / TOU / SQI / Quantity / Service point."""

    COLUMNS = ("UOM", "TOU", "SQI", "Quantity", "Service point")

    def __init__(self) -> None:
        super().__init__("Quantities", self.COLUMNS, "quantities")
        self.uoms: Choices = ()
        self.tous: Choices = ()
        self.sqis: Choices = ()
        self.service_points: Choices = ()
        self.hint.setText("No quantity: only fixed charges are rated. Add a row for the "
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
    """Characteristic type / value. Rows typed in win over the SA's for the whole period
    (spec/20 §9.1). The SA's own characteristics are shown as grey hint rows: they are not
    sent (the engine reads them from the agreement, day by day as each was in force); typing
    another value over one makes it an override, clearing it makes it a hint again."""

    COLUMNS = ("Type", "Value")
    #: On a hint row's value item: the agreement's value.
    INHERITED_ROLE = Qt.ItemDataRole.UserRole + 7
    NO_SA_HINT = ("None entered. Without an SA, a rate that needs one (e.g. STATE for the "
                  "sales tax) says so.")
    SA_HINT = ("Grey rows are the SA's, used as each was in force. Type over a value to "
               "override it for the whole period; clear it to use the SA's again.")

    def __init__(self) -> None:
        super().__init__("Characteristics", self.COLUMNS, "characteristics")
        self.types: Choices = ()
        self.hint.setText(self.NO_SA_HINT)
        self.table.itemChanged.connect(self._value_edited)
        self._hint()

    def _hint(self) -> None:
        inherited = bool(self.inherited_rows())
        self.hint.setText(self.SA_HINT if inherited else self.NO_SA_HINT)
        self.hint.setVisible(inherited or self.table.rowCount() == 0)

    def set_types(self, types: Choices) -> None:
        typed, inherited = self.rows(), self.inherited_rows()
        self.types = tuple(types)
        self.clear_rows()
        self._fill(inherited, typed)

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

    def _add_inherited(self, ctype: str, value: str, typed: str | None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        type_item = QTableWidgetItem(ctype)
        type_item.setFlags(type_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        type_item.setToolTip(dict(self.types).get(ctype, ctype))
        value_item = QTableWidgetItem(typed or value)
        value_item.setData(self.INHERITED_ROLE, value)
        self.table.blockSignals(True)
        self.table.setItem(row, 0, type_item)
        self.table.setItem(row, 1, value_item)
        self.table.blockSignals(False)
        self._style(row)

    def _inherited(self, row: int) -> str | None:
        item = self.table.item(row, 1)
        value = item.data(self.INHERITED_ROLE) if item is not None else None
        return str(value) if value is not None else None

    def _style(self, row: int) -> None:
        """A hint row is grey italics; an overridden one reads like a typed row."""
        inherited = self._inherited(row)
        if inherited is None:
            return
        overridden = self._text(row, 1) not in ("", inherited)
        self.table.blockSignals(True)
        for column in (0, 1):
            item = self.table.item(row, column)
            if item is None:
                continue
            font = item.font()
            font.setItalic(not overridden)
            item.setFont(font)
            item.setForeground(QBrush(QColor("#1d2733" if overridden else "#7a8593")))
        value_item = self.table.item(row, 1)
        if value_item is not None:
            value_item.setToolTip(
                f"Overrides the SA's {inherited} for the whole period; clear it to use the "
                "SA's." if overridden else
                "The SA's value, used as it was in force. Type another to override it.")
        self.table.blockSignals(False)

    def _value_edited(self, item: QTableWidgetItem) -> None:
        row = item.row()
        inherited = self._inherited(row)
        if inherited is None or item.column() != 1:
            return
        if not item.text().strip():
            self.table.blockSignals(True)
            item.setText(inherited)
            self.table.blockSignals(False)
        self._style(row)

    def remove_row(self) -> None:
        """A hint row cannot go (the SA has it); removing an override reverts it."""
        row = self.table.currentRow()
        if row < 0:
            row = self.table.rowCount() - 1
        inherited = self._inherited(row) if row >= 0 else None
        if inherited is None:
            super().remove_row()
            return
        item = self.table.item(row, 1)
        if item is not None and item.text() != inherited:
            item.setText(inherited)   # itemChanged restyles it and tells the pane
        else:
            self.show_message("That row is the SA's: type over its value to override it.")

    def set_rows(self, rows: Sequence[tuple[str, str]]) -> None:
        """The typed rows (the SA's hint rows stay; a typed type of one overrides it)."""
        inherited = self.inherited_rows()
        self.clear_rows()
        self._fill(inherited, tuple(rows))

    def set_inherited(self, rows: Sequence[tuple[str, str]]) -> None:
        """The agreement's characteristics as hint rows (typed rows are kept)."""
        typed = self.rows()
        self.clear_rows()
        self._fill(tuple(rows), typed)

    def _fill(self, inherited: Sequence[tuple[str, str]],
              typed: Sequence[tuple[str, str]]) -> None:
        over = dict(typed)
        for ctype, value in inherited:
            self._add_inherited(ctype, value, over.get(ctype))
        shown = {ctype for ctype, _v in inherited}
        for r in typed:
            if r[0] not in shown:
                self.add_row(r)
        self._hint()

    def rows(self) -> tuple[tuple[str, str], ...]:
        """What is sent: typed rows and overridden hint rows."""
        out = []
        for row in range(self.table.rowCount()):
            inherited = self._inherited(row)
            value = self._text(row, 1)
            if inherited is not None:
                if value not in ("", inherited):
                    out.append((self._text(row, 0), value))
                continue
            ctype = combo_code(self._combo(row, 0))
            if ctype or value:
                out.append((ctype, value))
        return tuple(out)

    def inherited_rows(self) -> tuple[tuple[str, str], ...]:
        """The SA's characteristics shown as hints, with the SA's values."""
        return tuple((self._text(row, 0), inherited) for row in range(self.table.rowCount())
                     if (inherited := self._inherited(row)) is not None)

    def set_value(self, row: int, text: str) -> None:
        item = self.table.item(row, 1)
        if item is not None:
            item.setText(text)

    def row_of(self, ctype: str) -> int:
        """The row showing characteristic type ``ctype`` (-1: none)."""
        for row in range(self.table.rowCount()):
            shown = self._text(row, 0) if self._inherited(row) is not None \
                else combo_code(self._combo(row, 0))
            if shown == ctype:
                return row
        return -1


__all__ = ["CharacteristicGrid", "QuantityGrid", "code_combo", "combo_code", "fill_combo",
           "set_combo_code"]
