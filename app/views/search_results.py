"""The Search results pane: what the global search field found, in a sortable grid.

The main window runs `quick_search` and hands the results here; Control Central (a later issue)
opens a row. Until then, opening a row shows the record pane (app/views/record.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.lookup import Found
from app.views.panes import PaneContext, PaneSpec, register
from app.views.record import open_record
from app.views.widgets import label

COLUMNS: tuple[tuple[str, str], ...] = (
    ("kind", "Kind"),
    ("number", "ID"),
    ("label", "Name"),
    ("detail", "Detail"),
)

AnyIndex = QModelIndex | QPersistentModelIndex


class FoundModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Found] = []

    def set_rows(self, rows: Sequence[Found]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Found:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        found = self._rows[index.row()]
        field = COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return str(getattr(found, field))
        if role == Qt.ItemDataRole.FontRole and field == "number":
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None


class SearchResultsPane(QWidget):
    """A heading with the query, then the grid or a no-results message."""

    opened = Signal(object)  # Found

    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.query = ""
        self.results: tuple[Found, ...] = ()

        self.model = FoundModel()
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.table.activated.connect(self._open_index)

        self.title = label("Search results", "pageTitle")
        self.summary = label("Type a name or a 10-digit ID in the search field (Ctrl+F).",
                             "pageSubtitle", wrap=True)
        self.empty_message = label("", "emptyText", wrap=True)
        self.empty_message.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_message)
        self.stack.setCurrentWidget(self.empty_message)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 20)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addSpacing(12)
        layout.addWidget(self.stack, 1)

    def show_results(self, query: str, results: Sequence[Found]) -> None:
        self.query = query
        self.results = tuple(results)
        self.model.set_rows(self.results)
        self.proxy.sort(-1)  # keep the service's order until the user sorts
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        if not self.results:
            self.summary.setText(f"Nothing found for '{query}'.")
            self.empty_message.setText(
                f"No customer, account or premise matches '{query}'.\n\n"
                "Check the spelling, type fewer letters of the name (last name first for "
                "people), or search by the 10-digit ID."
            )
            self.stack.setCurrentWidget(self.empty_message)
            return
        count = len(self.results)
        self.summary.setText(f"{count} {'match' if count == 1 else 'matches'} for '{query}'. "
                             "Enter opens the selected row.")
        self.stack.setCurrentWidget(self.table)
        self.table.resizeColumnsToContents()
        for column in range(len(COLUMNS) - 1):
            width = self.table.columnWidth(column)
            self.table.setColumnWidth(column, min(max(width + 24, 110), 380))
        self.table.selectRow(0)
        self.table.setFocus()

    # navigation history

    def pane_state(self) -> object:
        return (self.query, self.results)

    def restore_state(self, state: object) -> None:
        if isinstance(state, tuple) and len(state) == 2:
            query, results = state
            if query != self.query or results != self.results:
                self.show_results(str(query), results)

    def selected(self) -> Found | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.row_at(self.proxy.mapToSource(rows[0]).row())

    def _open_index(self, index: QModelIndex) -> None:
        found = self.model.row_at(self.proxy.mapToSource(index).row())
        self.opened.emit(found)
        open_record(self._ctx.host, found.kind, found.number)


def _make(ctx: PaneContext) -> QWidget:
    return SearchResultsPane(ctx)


SEARCH = register(PaneSpec("search", "Search results", "Ctrl+2", _make))

__all__ = ["SEARCH", "FoundModel", "SearchResultsPane"]
