"""The Stock Locations pane (spec/50 P-INV2, issue 10): every stock location in its hierarchy
with what it holds now by kind and type; for the chosen location its inventory (now or as of a
date), an asset's timeline, and a chart of its stock levels per type over time.

    pane = host.open_pane("stock-locations")
    pane.select_location("WH-NORTH")
    pane.show_asset("E1-000042")         # Control Central's premise zone opens a meter so

Grouping locations (which hold no stock themselves) are listed but cannot be chosen. A count
row under a location ("Meter E1  120") chooses the location, and a double-click on it filters
the inventory to that type. PgUp / PgDn page the inventory, F5 reloads. Every database call
runs in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.db import Database
from app.models.enums import AssetKind
from app.services.stock_locations import (
    SETUP_ROLES,
    AssetTypeRow,
    LocationRow,
    asset_types,
    stock_locations,
)
from app.views.panes import PaneContext, PaneHost, PaneSpec, register
from app.views.stock_asset import AssetTab
from app.views.stock_inventory import InventoryTab
from app.views.stock_levels_chart import StockLevelsTab
from app.views.stock_location_dialog import StockLocationDialog
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

STOCK_LOCATIONS = "stock-locations"
TREE_COLUMNS = ("Location", "Description", "Kind", "Assets")
CODE_ROLE = Qt.ItemDataRole.UserRole
TYPE_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class StockOverview:
    locations: list[LocationRow]
    types: list[AssetTypeRow]


def load_overview(db: Database) -> StockOverview:
    return StockOverview(stock_locations(db), asset_types(db))


def busiest_location(rows: list[LocationRow]) -> str | None:
    """The location holding the most assets (the first that holds inventory when none does)."""
    holding = [r for r in rows if r.hold_inventory]
    if not holding:
        return None
    return max(holding, key=lambda r: r.total).code


class StockLocationsPane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.locations: list[LocationRow] = []
        self.location: str | None = None
        #: The location Edit location… changes: the chosen one, or a grouping one selected.
        self.edit_code: str | None = None
        self._wanted: str | None = None
        self._build()
        pane_shortcuts(self, (("PgUp", lambda: self.inventory_tab.step_page(-1)),
                              ("PgDown", lambda: self.inventory_tab.step_page(1)),
                              ("F5", self.reload), ("Ctrl+N", self.new_location)))
        self.reload()

    # ---------------------------------------------------------------------------- building

    def _build(self) -> None:
        self.title = label("Stock Locations", "pageTitle")
        self.subtitle = label("", "pageSubtitle", wrap=True)
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Stock locations")
        self.tree.setColumnCount(len(TREE_COLUMNS))
        self.tree.setHeaderLabels(list(TREE_COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.tree.itemSelectionChanged.connect(self._tree_selected)
        self.tree.itemDoubleClicked.connect(self._tree_double_clicked)
        self.muted = QBrush(self.palette().color(QPalette.ColorGroup.Disabled,
                                                 QPalette.ColorRole.Text))

        self.inventory_tab = InventoryTab(self.ctx)
        self.asset_tab = AssetTab(self.ctx)
        self.levels_tab = StockLevelsTab(self.ctx)
        self.inventory_tab.asset_opened.connect(self.show_asset)
        for tab in (self.inventory_tab, self.asset_tab):
            tab.stock_changed.connect(self._stock_changed)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.inventory_tab, "Inventory")
        self.tabs.addTab(self.asset_tab, "Asset")
        self.tabs.addTab(self.levels_tab, "Stock levels")
        self.tabs.currentChanged.connect(lambda _i: self._tab_shown())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setSizes([490, 910])

        self.empty = EmptyCard(
            "No stock locations yet",
            "Stock locations are where meters and items are kept: warehouses (and their "
            "shelves), trucks, vendors, repair shops and scrap yards. To use this pane, "
            "warehouse staff or a supervisor first set up the stock locations and the meter "
            "and item types whose location is tracked, and the removal location of each postal "
            "code (where meters taken off a premise go). Then receive shipments into a "
            "location here, transfer them, and follow every asset's history.")
        self.filler = QWidget()
        self.message = pane_message()
        can_set_up = self.ctx.actor.has_any(*SETUP_ROLES)
        self.new_button = push_button("New location…", "Add a stock location (Ctrl+N)",
                                      self.new_location)
        self.edit_button = push_button("Edit location…", "Change the selected location: its "
                                       "description, kind, parent and address",
                                       self.edit_location)
        self.new_button.setEnabled(can_set_up)
        self.edit_button.setEnabled(False)
        actions = QHBoxLayout()
        actions.addWidget(self.new_button)
        actions.addWidget(self.edit_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(actions)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.filler, 1)
        layout.addWidget(self.message)
        self.splitter.hide()
        self.empty.hide()

    # ---------------------------------------------------------------------------- loading

    def reload(self) -> None:
        """Read the locations and counts again (F5); ticks are cleared: what they named may
        have moved."""
        self.inventory_tab.model.clear_ticks()
        run_task(load_overview, self.ctx.db, on_result=self._loaded, on_error=self._failed)

    def _loaded(self, overview: StockOverview) -> None:
        self.locations = overview.locations
        self.inventory_tab.set_types(overview.types)
        self.asset_tab.locations = overview.locations
        if not overview.locations:
            self.splitter.hide()
            self.empty.show()
            self.filler.show()
            self.subtitle.setText("")
            return
        self.empty.hide()
        self.filler.hide()
        self.splitter.show()
        holding = [r for r in overview.locations if r.hold_inventory]
        total = sum(r.total for r in overview.locations)
        self.subtitle.setText(f"{len(holding)} location{'' if len(holding) == 1 else 's'} "
                              f"holding stock · {total:,} asset{'' if total == 1 else 's'} "
                              "in stock now")
        self._fill_tree(overview.locations)
        wanted = self._wanted or self.location or busiest_location(overview.locations)
        self._wanted = None
        if wanted is not None:
            self.select_location(wanted)

    def _fill_tree(self, rows: list[LocationRow]) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        items: dict[str, QTreeWidgetItem] = {}
        for row in rows:
            parent = items.get(row.parent_code or "")
            kind = row.kind.label if row.hold_inventory else "Group"
            item = QTreeWidgetItem([row.code, row.description, kind,
                                    f"{row.total:,}" if row.hold_inventory else ""])
            item.setData(0, CODE_ROLE, row.code)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            tip = [f"{row.code} · {row.description}"]
            if row.address:
                tip.append(row.address)
            if not row.hold_inventory:
                for column in range(len(TREE_COLUMNS)):
                    item.setForeground(column, self.muted)
                tip.append("Groups the locations under it; holds no stock itself.")
            for column in range(len(TREE_COLUMNS)):
                item.setToolTip(column, "\n".join(tip))
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[row.code] = item
            for count in row.counts:
                child = QTreeWidgetItem(["", f"{count.kind.label} {count.type_code}", "",
                                         f"{count.count:,}"])
                child.setData(0, CODE_ROLE, row.code)
                child.setData(0, TYPE_ROLE, (count.kind, count.type_code))
                child.setTextAlignment(3, Qt.AlignmentFlag.AlignRight
                                       | Qt.AlignmentFlag.AlignVCenter)
                child.setToolTip(1, "Double-click to list only this type")
                for column in (1, 3):
                    child.setForeground(column, self.muted)
                item.addChild(child)
        self.tree.expandAll()
        for column in (0, 2, 3):
            self.tree.resizeColumnToContents(column)
        self.tree.blockSignals(False)

    def new_location(self) -> StockLocationDialog | None:
        return self._location_dialog(None)

    def edit_location(self) -> StockLocationDialog | None:
        row = self.location_row(self.edit_code or self.location)
        return self._location_dialog(row) if row is not None else None

    def _location_dialog(self, row: LocationRow | None) -> StockLocationDialog | None:
        if not self.new_button.isEnabled():
            return None
        dialog = StockLocationDialog(self.ctx, self, self.locations, row)
        dialog.saved.connect(self._location_saved)
        dialog.open()
        return dialog

    def _location_saved(self, text: str) -> None:
        say(self.message, text, True)
        self.ctx.host.show_status(text)
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        say_failure(self.message, exc)

    def _stock_changed(self) -> None:
        self.reload()           # the counts; the inventory reloads itself
        if self.tabs.currentWidget() is self.levels_tab:
            self.levels_tab.reload()

    # ---------------------------------------------------------------------------- choosing

    def location_row(self, code: str | None) -> LocationRow | None:
        return next((r for r in self.locations if r.code == code), None)

    def _item(self, code: str) -> QTreeWidgetItem | None:
        found = self.tree.findItems(code, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
                                    0)
        return found[0] if found else None

    def select_location(self, code: str) -> None:
        """Choose `code` (when it holds inventory) and show what it holds."""
        if not self.locations:
            self._wanted = code
            return
        row = self.location_row(code)
        if row is None or not row.hold_inventory:
            return
        item = self._item(code)
        if item is not None:
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(item)
            item.setSelected(True)
            self.tree.blockSignals(False)
            self.tree.scrollToItem(item)
        self._choose(row)

    def _tree_selected(self) -> None:
        items = self.tree.selectedItems()
        if not items:
            return
        row = self.location_row(items[0].data(0, CODE_ROLE))
        if row is None:
            return
        self.edit_code = row.code
        self.edit_button.setEnabled(self.new_button.isEnabled())
        if row.hold_inventory:
            self._choose(row)
        else:
            say(self.message, f"{row.code} groups other locations and holds no stock itself: "
                "choose one of the locations under it to see its stock.", True)

    def _tree_double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        chosen = item.data(0, TYPE_ROLE)
        if chosen:
            kind, type_code = chosen
            self.inventory_tab.set_type_filter(AssetKind(kind), str(type_code))
            self.tabs.setCurrentWidget(self.inventory_tab)
            self.inventory_tab.search()

    def _choose(self, row: LocationRow) -> None:
        changed = row.code != self.location
        self.location = row.code
        self.edit_code = row.code
        self.edit_button.setEnabled(self.new_button.isEnabled())
        if changed or self.inventory_tab.location is None:
            self.inventory_tab.set_location(row.code, row.description)
        else:
            self.inventory_tab.reload()
        if self.tabs.currentWidget() is self.levels_tab:
            self.levels_tab.set_location(row.code)
        else:
            self.levels_tab.location = row.code
            self.levels_tab.levels = None
        if changed:
            self.ctx.host.record_visit(STOCK_LOCATIONS)

    def _tab_shown(self) -> None:
        tab = self.levels_tab
        if self.tabs.currentWidget() is tab and tab.location and (
                tab.levels is None or tab.levels.location != tab.location):
            tab.reload()

    def show_asset(self, badge: str) -> None:
        """The Asset tab with `badge`'s history."""
        self.tabs.setCurrentWidget(self.asset_tab)
        self.asset_tab.show_badge(badge)

    # ---------------------------------------------------------------------------- history

    def pane_state(self) -> object:
        return (self.location, self.tabs.currentIndex(), self.asset_tab.badge_field.text())

    def restore_state(self, state: object) -> None:
        if not (isinstance(state, tuple) and len(state) == 3):
            return
        location, tab, badge = state
        if isinstance(location, str):
            self.select_location(location)
        if isinstance(badge, str) and badge and tab == self.tabs.indexOf(self.asset_tab):
            self.show_asset(badge)
        elif isinstance(tab, int):
            self.tabs.setCurrentIndex(tab)


def _make(ctx: PaneContext) -> QWidget:
    return StockLocationsPane(ctx)


STOCK_LOCATIONS_SPEC = register(PaneSpec(STOCK_LOCATIONS, "Stock Locations", "Ctrl+Shift+K",
                                         _make))


def open_asset_history(host: PaneHost, badge: str) -> None:
    """Open the Stock Locations pane on `badge`'s history (Control Central's meters)."""
    pane = host.open_pane(STOCK_LOCATIONS)
    if isinstance(pane, StockLocationsPane):
        pane.show_asset(badge)


__all__ = ["STOCK_LOCATIONS", "STOCK_LOCATIONS_SPEC", "StockLocationsPane", "busiest_location",
           "open_asset_history"]
