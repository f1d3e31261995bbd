"""The Inventory tab of the Stock Locations pane (spec/50 P-INV2): what one location holds now,
or held at an as-of date/time with where each asset went next (INV-R5); paged (200 a page,
PgUp / PgDn), sorted by a click on the Type, Badge or Located-here-since heading, filtered by
kind, type and badge prefix. Rows still at the location can be ticked (INV-R6) and
transferred; Receive… brings a shipment in.

    tab = InventoryTab(ctx)
    tab.set_location("WH-NORTH", "North warehouse")
    tab.model.ticked                    # badges ticked for a transfer
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import AssetKind
from app.services.asset_locations import (
    PAGE_SIZE,
    STOCK_STAFF,
    InventoryPage,
    InventoryQuery,
    InventoryRow,
    inventory,
)
from app.services.errors import DomainError, ValidationError
from app.services.stock_locations import AssetTypeRow
from app.views.panes import PaneContext
from app.views.receiving_dialog import ReceivingDialog, type_key
from app.views.transfer_dialog import TransferDialog
from app.views.widgets import arrow_icon, label, pane_message, push_button, say, say_failure
from app.views.worker import run_task

COLUMNS = ("", "Type", "Badge", "Serial", "Manufacturer / Model", "Located here since",
           "Subsequent location")
TICK, TYPE, BADGE, SERIAL, MAKE, SINCE, NEXT = range(len(COLUMNS))
#: The headings a click sorts by, and the service's sort key for each.
SORT_KEYS = {TYPE: "type", BADGE: "badge", SINCE: "located_at"}
AnyIndex = QModelIndex | QPersistentModelIndex


def parse_as_of(text: str) -> dt.datetime | None:
    """Blank: now. "YYYY-MM-DD HH:MM" (or with seconds), or a day alone: the end of that day."""
    value = text.strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(value, pattern)
        except ValueError:
            pass
    try:
        return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(23, 59, 59))
    except ValueError:
        raise ValidationError(f"'{value}' is not a date and time. Type it as YYYY-MM-DD HH:MM "
                              "(or just the day, for the end of it), or leave it blank for "
                              "now.", "as_of") from None


class InventoryModel(QAbstractTableModel):
    """One page of an inventory; ticks (by badge) survive paging until cleared."""

    ticks_changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.rows: tuple[InventoryRow, ...] = ()
        self.ticked: set[str] = set()
        self.descriptions: dict[tuple[AssetKind, str], str] = {}
        self.muted = QBrush(QPalette().color(QPalette.ColorGroup.Disabled,
                                             QPalette.ColorRole.Text))

    def show_rows(self, rows: tuple[InventoryRow, ...]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt's name
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return "Click to sort by this column" if section in SORT_KEYS else None
        return None

    def text(self, row: InventoryRow, column: int) -> str:
        if column == TYPE:
            return f"{row.kind.label} {row.type_code}"
        if column == BADGE:
            return row.badge_number
        if column == SERIAL:
            return row.serial_number or ""
        if column == MAKE:
            return " / ".join(x for x in (row.manufacturer, row.model) if x)
        if column == SINCE:
            return f"{row.located_at:%Y-%m-%d %H:%M}"
        if column == NEXT:
            return row.subsequent or "— (still here)"
        return ""

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, column)
        if role == Qt.ItemDataRole.CheckStateRole and column == TICK:
            ticked = row.selectable and row.badge_number in self.ticked
            return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TYPE:
                return self.descriptions.get((row.kind, row.type_code), row.type_code)
            if not row.selectable:
                return (f"{row.badge_number} has left (to {row.subsequent}): only assets "
                        "still here now can be transferred.")
            return None
        if role == Qt.ItemDataRole.ForegroundRole and column == NEXT and row.subsequent is None:
            return self.muted
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == TICK:
            if not self.rows[index.row()].selectable:
                return Qt.ItemFlag.ItemIsSelectable        # greyed: cannot be ticked
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def setData(self, index: AnyIndex, value: Any,  # noqa: N802 - Qt's name
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or index.column() != TICK:
            return False
        row = self.rows[index.row()]
        if not row.selectable:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        self.set_ticked([row.badge_number], checked)
        return True

    def set_ticked(self, badges: list[str], ticked: bool) -> None:
        if ticked:
            self.ticked.update(badges)
        else:
            self.ticked.difference_update(badges)
        if self.rows:
            self.dataChanged.emit(self.index(0, TICK), self.index(len(self.rows) - 1, TICK),
                                  [Qt.ItemDataRole.CheckStateRole])
        self.ticks_changed.emit()

    def tick_page(self) -> None:
        self.set_ticked([r.badge_number for r in self.rows if r.selectable], True)

    def clear_ticks(self) -> None:
        self.ticked.clear()
        self.set_ticked([], False)

    def badge_at(self, row: int) -> str | None:
        return self.rows[row].badge_number if 0 <= row < len(self.rows) else None


class InventoryTab(QWidget):
    """The grid of one location with its filters, pages, ticks and actions."""

    #: A badge double-clicked: show its timeline.
    asset_opened = Signal(str)
    #: Something moved (a transfer or a shipment received): the pane reloads its counts.
    stock_changed = Signal()

    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.location: str | None = None
        self.location_description = ""
        self.page_number = 1
        self.sort = "badge"
        self.page: InventoryPage | None = None
        self._serial = 0
        self.can_move = ctx.actor.has_any(*STOCK_STAFF)
        self._build()

    def _build(self) -> None:
        self.heading = label("", "sectionHeading")
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind")
        for text, kind in (("Meters and items", None), ("Meters", AssetKind.METER),
                           ("Items", AssetKind.ITEM)):
            self.kind_combo.addItem(text, kind.value if kind else "")
        self.kind_combo.activated.connect(lambda _i: self._kind_chosen())
        self.type_combo = QComboBox()
        self.type_combo.setAccessibleName("Type")
        self.type_combo.setMinimumWidth(200)
        self.type_combo.addItem("Every type", None)
        self.type_combo.activated.connect(lambda _i: self.search())
        self.badge_field = QLineEdit()
        self.badge_field.setPlaceholderText("Badge starts with…")
        self.badge_field.setAccessibleName("Badge number starts with")
        self.badge_field.setMinimumWidth(150)
        self.badge_field.setMaximumWidth(190)
        self.badge_field.returnPressed.connect(self.search)
        self.as_of_field = QLineEdit()
        self.as_of_field.setPlaceholderText("now")
        self.as_of_field.setAccessibleName("As of")
        self.as_of_field.setToolTip("What was here at this date and time (YYYY-MM-DD HH:MM; a "
                                    "day alone means its end). Blank: now.")
        self.as_of_field.setMaximumWidth(150)
        self.as_of_field.returnPressed.connect(self.search)
        self.search_button = push_button("Search", "Apply the filters (Enter)", self.search)
        filters = QHBoxLayout()
        filters.addWidget(self.kind_combo)
        filters.addWidget(self.type_combo)
        filters.addWidget(self.badge_field)
        filters.addSpacing(8)
        filters.addWidget(QLabel("As of"))
        filters.addWidget(self.as_of_field)
        filters.addWidget(self.search_button)
        filters.addStretch(1)

        self.model = InventoryModel()
        self.model.ticks_changed.connect(self._set_enabled)
        self.table = QTableView()
        self.table.setAccessibleName("Inventory")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(BADGE, Qt.SortOrder.AscendingOrder)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.sectionClicked.connect(self.sort_by)
        header.setStretchLastSection(True)
        for column, width in ((TICK, 30), (TYPE, 150), (BADGE, 110), (SERIAL, 110),
                              (MAKE, 190), (SINCE, 130)):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(TICK, QHeaderView.ResizeMode.Fixed)
        self.table.doubleClicked.connect(self._row_opened)
        self.nothing = label("", "hint", wrap=True)
        self.nothing.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.nothing)

        colour = self.palette().buttonText().color()
        self.select_all_button = push_button("Select all", "Tick every asset of this page "
                                             "that is still here", self.model.tick_page)
        self.clear_all_button = push_button("Clear all", "Untick every asset",
                                            self.model.clear_ticks)
        self.ticked_label = label("", "hint")
        self.previous_button = QPushButton(arrow_icon("back", colour), "")
        self.previous_button.setToolTip("Previous page (PgUp)")
        self.previous_button.setAccessibleName("Previous page")
        self.previous_button.clicked.connect(lambda _c=False: self.step_page(-1))
        self.next_button = QPushButton(arrow_icon("forward", colour), "")
        self.next_button.setToolTip("Next page (PgDn)")
        self.next_button.setAccessibleName("Next page")
        self.next_button.clicked.connect(lambda _c=False: self.step_page(1))
        self.page_label = label("", "hint")
        self.transfer_button = push_button("Transfer…", "Move the ticked assets to another "
                                           "location", self.open_transfer, "primary")
        self.receive_button = push_button("Receive…", "Receive a shipment of new meters or "
                                          "items into this location", self.open_receiving)
        actions = QHBoxLayout()
        for widget in (self.select_all_button, self.clear_all_button, self.ticked_label):
            actions.addWidget(widget)
        actions.addStretch(1)
        for widget in (self.previous_button, self.page_label, self.next_button):
            actions.addWidget(widget)
        actions.addSpacing(16)
        actions.addWidget(self.receive_button)
        actions.addWidget(self.transfer_button)
        self.message = pane_message()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addWidget(self.heading)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addLayout(actions)
        layout.addWidget(self.message)
        self._set_enabled()

    # ------------------------------------------------------------------------------ filters

    def set_types(self, types: list[AssetTypeRow]) -> None:
        self.types = types
        self.model.descriptions = {(t.kind, t.code): t.description for t in types}
        self._fill_types()

    def _fill_types(self) -> None:
        kind = self.kind_combo.currentData()
        shown = self.type_combo.currentData()
        self.type_combo.clear()
        self.type_combo.addItem("Every type", None)
        for t in getattr(self, "types", []):
            if not kind or t.kind == kind:
                self.type_combo.addItem(f"{t.kind.label} {t.code} · {t.description}",
                                        type_key(t.kind, t.code))
        index = self.type_combo.findData(shown) if shown else 0
        self.type_combo.setCurrentIndex(max(0, index))

    def _kind_chosen(self) -> None:
        self._fill_types()
        self.search()

    def set_type_filter(self, kind: AssetKind, type_code: str) -> None:
        self.kind_combo.setCurrentIndex(0)
        self._fill_types()
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(
            type_key(kind, type_code))))

    def query(self) -> InventoryQuery:
        assert self.location is not None
        chosen = self.type_combo.currentData()
        kind = AssetKind(self.kind_combo.currentData()) if self.kind_combo.currentData() \
            else None
        type_code = None
        if chosen:
            kind_text, _, type_code = str(chosen).partition(":")
            kind = AssetKind(kind_text)
        return InventoryQuery(self.location, parse_as_of(self.as_of_field.text()), kind,
                              type_code,
                              self.badge_field.text().strip().upper() or None,
                              self.page_number, PAGE_SIZE, self.sort)

    # ------------------------------------------------------------------------------ loading

    def set_location(self, code: str, description: str) -> None:
        if code != self.location:
            self.model.clear_ticks()
        self.location, self.location_description = code, description
        self.page_number = 1
        self.reload()

    def search(self) -> None:
        self.page_number = 1
        self.model.clear_ticks()
        self.reload()

    def reload(self) -> None:
        if self.location is None:
            return
        try:
            query = self.query()
        except DomainError as exc:
            say(self.message, exc.message, False)
            self.as_of_field.setFocus()
            return
        say(self.message, "", True)
        self._serial += 1
        serial = self._serial
        run_task(inventory, self.ctx.db, query,
                 on_result=lambda page: self._loaded(serial, page),
                 on_error=self._failed)

    def _loaded(self, serial: int, page: InventoryPage) -> None:
        if serial != self._serial:
            return          # an older answer: the user moved on
        self.page = page
        self.model.show_rows(page.rows)
        q = page.query
        when = "now" if q.as_of is None else f"on {q.as_of:%Y-%m-%d %H:%M}"
        filtered = bool(q.kind or q.type_code or q.badge_prefix)
        self.heading.setText(f"{q.location} · {self.location_description} — "
                             f"{page.total:,} asset{'' if page.total == 1 else 's'} {when}"
                             + (" (filtered)" if filtered else ""))
        if not page.rows:
            if filtered:
                self.nothing.setText(f"No asset at {q.location} {when} matches the filters.")
            elif q.as_of is None:
                self.nothing.setText(
                    f"Nothing is at {q.location} now.\n\nReceive… brings a shipment in; a "
                    "transfer from another location or a removal at a service point whose "
                    "postal code sends removed meters here adds to it.")
            else:
                self.nothing.setText(f"Nothing was at {q.location} {when}.")
        self.stack.setCurrentWidget(self.table if page.rows else self.nothing)
        self.page_label.setText(f"Page {q.page} of {page.pages}")
        self.table.scrollToTop()
        self._set_enabled()

    def _failed(self, exc: BaseException) -> None:
        say_failure(self.message, exc)

    # ------------------------------------------------------------------------------ paging

    def step_page(self, step: int) -> None:
        if self.page is None:
            return
        wanted = min(max(1, self.page_number + step), self.page.pages)
        if wanted != self.page_number:
            self.page_number = wanted
            self.reload()

    def sort_by(self, column: int) -> None:
        header = self.table.horizontalHeader()
        key = SORT_KEYS.get(column)
        current = self.sort.lstrip("-")
        if key is None:          # not sortable: keep the indicator where it was
            shown = next(c for c, k in SORT_KEYS.items() if k == current)
            order = Qt.SortOrder.DescendingOrder if self.sort.startswith("-") \
                else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(shown, order)
            return
        descending = key == current and not self.sort.startswith("-")
        self.sort = f"-{key}" if descending else key
        header.setSortIndicator(column, Qt.SortOrder.DescendingOrder if descending
                                else Qt.SortOrder.AscendingOrder)
        self.page_number = 1
        self.reload()

    # ------------------------------------------------------------------------------ actions

    def _set_enabled(self) -> None:
        rows = bool(self.model.rows)
        self.select_all_button.setEnabled(rows and any(r.selectable for r in self.model.rows))
        self.clear_all_button.setEnabled(bool(self.model.ticked))
        count = len(self.model.ticked)
        self.ticked_label.setText(f"{count} ticked" if count else "")
        pages = self.page.pages if self.page else 1
        self.previous_button.setEnabled(self.page_number > 1)
        self.next_button.setEnabled(self.page_number < pages)
        self.transfer_button.setEnabled(self.can_move and count > 0)
        self.receive_button.setEnabled(self.can_move and self.location is not None)
        if not self.can_move:
            for button in (self.transfer_button, self.receive_button):
                button.setToolTip("Warehouse staff and supervisors move stock.")

    def _row_opened(self, index: QModelIndex) -> None:
        badge = self.model.badge_at(index.row())
        if badge:
            self.asset_opened.emit(badge)

    def open_transfer(self) -> Any:
        if self.location is None or not self.transfer_button.isEnabled():
            return None
        dialog = TransferDialog(self, self.ctx, self.location, sorted(self.model.ticked))
        # The dialog stays open after a transfer (to print the manifest): refresh at once.
        dialog.saved.connect(lambda _text: self._dialog_done())
        dialog.open()
        return dialog

    def open_receiving(self) -> Any:
        if not self.receive_button.isEnabled():
            return None
        dialog = ReceivingDialog(self, self.ctx, self.location)
        dialog.saved.connect(lambda _text: self._dialog_done())
        dialog.open()
        return dialog

    def _dialog_done(self) -> None:
        self.model.clear_ticks()
        self.stock_changed.emit()
        self.reload()

    def cell_texts(self) -> list[list[str]]:
        """What the grid shows (for tests)."""
        return [[self.model.text(r, c) for c in range(1, len(COLUMNS))]
                for r in self.model.rows]


__all__ = ["COLUMNS", "InventoryModel", "InventoryTab", "parse_as_of"]
