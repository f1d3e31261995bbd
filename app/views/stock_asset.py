"""The Asset tab of the Stock Locations pane (spec/50 §4.3, Location History): where a meter or
item is and every place it has been, newest first, and Move… for an asset that is not
installed (INV-R3): its first location (INITIAL) or a move by hand with a reason (MANUAL).

    tab = AssetTab(ctx)
    tab.show_badge("E1-000042")
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import AssetKind, DeviceStatus
from app.services import context
from app.services.asset_locations import STOCK_STAFF, AssetTimeline, asset_timeline, move_asset
from app.services.errors import ValidationError
from app.services.service_points import FIELD_EDITORS
from app.services.stock_locations import LocationRow
from app.views.asset_field_dialogs import InstallDialog, RemoveDialog
from app.views.panes import PaneContext
from app.views.tree_dialogs import ActionDialog
from app.views.widgets import label, pane_message, push_button, say, say_failure
from app.views.worker import run_task

HISTORY_COLUMNS = ("When", "Place", "Description", "How", "Reason", "By")


def parse_moment(text: str, field: str = "located_at") -> dt.datetime:
    value = text.strip()
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, pattern)
        except ValueError:
            pass
    shown = f"'{value}' is not a date and time. " if value else ""
    raise ValidationError(f"{shown}Type when the asset got there as YYYY-MM-DD HH:MM, e.g. "
                          f"{context.now():%Y-%m-%d %H:%M}.", field)


class MoveAssetDialog(ActionDialog):
    """Put an asset that is not installed at a stock location, with the reason."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, timeline: AssetTimeline,
                 locations: list[LocationRow], clock: Callable[[], dt.datetime]) -> None:
        first = not timeline.rows
        noun = "meter" if timeline.kind is AssetKind.METER else "item"
        intro = (f"{timeline.badge_number} has no location yet: say where it is kept "
                 "(its initial location)." if first else
                 f"Move {noun} {timeline.badge_number} from {timeline.rows[0].place} by hand. "
                 "The reason is kept in its history.")
        super().__init__(ctx, parent, f"Move {timeline.badge_number}…",
                         "Set location" if first else "Move", intro)
        self.timeline = timeline
        self.location = self.add_row("location", "Stock location", QComboBox())
        current = timeline.rows[0].place if timeline.rows else None
        for row in locations:
            if row.hold_inventory and row.code != current:
                self.location.addItem(f"{row.code} · {row.description}", row.code)
        self.location.setAccessibleName("Stock location")
        self.located_at = self.add_row("located_at", "Located from",
                                       QLineEdit(f"{clock():%Y-%m-%d %H:%M}"))
        self.located_at.setPlaceholderText("YYYY-MM-DD HH:MM")
        self.located_at.setAccessibleName("Located from")
        self.reason = self.add_row("reason", "Reason", QLineEdit())
        self.reason.setPlaceholderText("optional for an initial location" if first
                                       else "e.g. found on shelf 3 at the stock count")
        self.reason.setAccessibleName("Reason")
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        code = self.location.currentData()
        if not code:
            raise ValidationError("Choose the stock location it goes to.", "location")
        at = parse_moment(self.located_at.text())
        return partial(move_asset, self.ctx.db, self.ctx.actor, self.timeline.badge_number,
                       str(code), at, self.reason.text())

    def success_message(self, result: Any) -> str:
        code = self.location.currentData()
        return f"{self.timeline.badge_number} is now at {code}."


class AssetTab(QWidget):
    """A badge's location history with the Move… action."""

    #: Something moved: the pane reloads its counts and inventory.
    stock_changed = Signal()

    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.clock: Callable[[], dt.datetime] = context.now
        self.timeline: AssetTimeline | None = None
        self.locations: list[LocationRow] = []
        self.can_move = ctx.actor.has_any(*STOCK_STAFF)
        self._serial = 0
        #: Shown once the reloaded history arrives (what the last move did).
        self._notice = ""
        self.badge_field = QLineEdit()
        self.badge_field.setPlaceholderText("Badge number of a meter or item")
        self.badge_field.setAccessibleName("Badge number")
        self.badge_field.setMinimumWidth(220)
        self.badge_field.setMaximumWidth(260)
        self.badge_field.returnPressed.connect(self.load)
        self.show_button = push_button("Show history", "Where this asset is and has been "
                                       "(Enter)", self.load)
        self.move_button = push_button("Move…", "Put the asset at a stock location by hand "
                                       "(not while it is installed)", self.open_move)
        self.install_button = push_button("Install…", "Install the asset at a service point",
                                          self.open_install)
        self.remove_button = push_button("Remove…", "Take the asset off its service point",
                                         self.open_remove)
        self.can_install = ctx.actor.has_any(*FIELD_EDITORS)
        top = QHBoxLayout()
        top.addWidget(self.badge_field)
        top.addWidget(self.show_button)
        top.addStretch(1)
        top.addWidget(self.install_button)
        top.addWidget(self.remove_button)
        top.addWidget(self.move_button)
        self.summary = label("Type or scan a badge number, or double-click an asset in the "
                             "inventory.", "sectionHeading", wrap=True)
        self.detail = label("", "hint", wrap=True)
        self.table = QTableWidget(0, len(HISTORY_COLUMNS))
        self.table.setHorizontalHeaderLabels(list(HISTORY_COLUMNS))
        self.table.setAccessibleName("Location history")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(HISTORY_COLUMNS.index("Reason"),
                                                           QHeaderView.ResizeMode.Stretch)
        self.message = pane_message()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.detail)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        self._set_enabled()

    def show_badge(self, badge: str) -> None:
        self.badge_field.setText(badge)
        self.load()

    def load(self) -> None:
        badge = self.badge_field.text().strip().upper()
        if not badge:
            say(self.message, "Type the badge number of a meter or item.", False)
            return
        self._serial += 1
        serial = self._serial
        run_task(asset_timeline, self.ctx.db, badge,
                 on_result=lambda t: self._loaded(serial, t),
                 on_error=lambda exc: self._failed(serial, exc))

    def _loaded(self, serial: int, timeline: AssetTimeline) -> None:
        if serial != self._serial:
            return
        self.timeline = timeline
        say(self.message, self._notice, True)
        self._notice = ""
        noun = "Meter" if timeline.kind is AssetKind.METER else "Item"
        now = timeline.current
        where = (f"at {now.place} since {now.located_at:%Y-%m-%d %H:%M}" if now
                 else "with no location yet")
        self.summary.setText(f"{noun} {timeline.badge_number} · type {timeline.type_code} · "
                             f"{timeline.status.label} · {where}")
        if not timeline.tracked:
            self.detail.setText(f"Type {timeline.type_code} does not track its stock location: "
                                "its moves are not recorded.")
        elif not timeline.rows:
            self.detail.setText("No location recorded yet: Move… gives it its initial "
                                "location.")
        else:
            count = len(timeline.rows)
            self.detail.setText(f"{count} place{'' if count == 1 else 's'}, newest first.")
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(timeline.rows))
        for n, row in enumerate(timeline.rows):
            for column, text in enumerate((f"{row.located_at:%Y-%m-%d %H:%M}", row.place,
                                           row.description, row.source.label,
                                           row.reason or "", row.by)):
                self.table.setItem(n, column, QTableWidgetItem(text))
        for column in range(len(HISTORY_COLUMNS)):
            if HISTORY_COLUMNS[column] != "Reason":
                self.table.resizeColumnToContents(column)
        self.table.setUpdatesEnabled(True)
        self._set_enabled()

    def _failed(self, serial: int, exc: BaseException) -> None:
        if serial != self._serial:
            return
        self.timeline = None
        self.table.setRowCount(0)
        self.summary.setText("")
        self.detail.setText("")
        say_failure(self.message, exc)
        self._set_enabled()

    def _set_enabled(self) -> None:
        t = self.timeline
        why = None
        if not self.can_move:
            why = "Warehouse staff and supervisors move stock."
        elif t is None:
            why = "Show an asset's history first."
        elif not t.tracked:
            why = f"Type {t.type_code} does not track its stock location."
        elif t.status is DeviceStatus.INSTALLED:
            why = (f"{t.badge_number} is installed at a service point; removing it there "
                   "sends it to its removal location.")
        self.move_button.setEnabled(why is None)
        self.move_button.setToolTip(why or "Put the asset at a stock location by hand")
        installed = t is not None and t.status is DeviceStatus.INSTALLED
        self.install_button.setEnabled(self.can_install and t is not None
                                       and t.status is DeviceStatus.IN_STOCK)
        self.remove_button.setEnabled(self.can_install and installed)

    def open_move(self) -> MoveAssetDialog | None:
        if self.timeline is None or not self.move_button.isEnabled():
            return None
        dialog = MoveAssetDialog(self.ctx, self, self.timeline, self.locations, self.clock)
        dialog.saved.connect(self._moved)
        dialog.open()
        return dialog

    def open_install(self) -> InstallDialog | None:
        if self.timeline is None or not self.install_button.isEnabled():
            return None
        dialog = InstallDialog(self.ctx, self, self.timeline, self.clock(), parse_moment)
        dialog.saved.connect(self._moved)
        dialog.open()
        return dialog

    def open_remove(self) -> RemoveDialog | None:
        if self.timeline is None or not self.remove_button.isEnabled():
            return None
        dialog = RemoveDialog(self.ctx, self, self.timeline, self.locations, self.clock(),
                              parse_moment)
        dialog.saved.connect(self._moved)
        dialog.open()
        return dialog

    def _moved(self, text: str) -> None:
        self._notice = text
        self.ctx.host.show_status(text)
        self.stock_changed.emit()
        self.load()

    def history_texts(self) -> list[list[str]]:
        return [[(self.table.item(r, c) or QTableWidgetItem()).text()
                 for c in range(self.table.columnCount())] for r in range(self.table.rowCount())]


__all__ = ["AssetTab", "HISTORY_COLUMNS", "MoveAssetDialog", "parse_moment"]
