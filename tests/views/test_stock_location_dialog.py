"""New / Edit Stock Location: typed by keyboard, saved through the service; a parent that
would put a location inside itself is refused beside the field, nothing saved."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.db import Database
from app.models.enums import StockLocationKind
from app.services import stock_locations
from app.services.stock_locations import StockLocationForm
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext
from app.views.stock_location_dialog import StockLocationDialog
from tests.conftest import WAREHOUSE
from tests.views.conftest import RecordingHost, activate, settle


def _dialog(qtbot: QtBot, db: Database, editing: str | None = None) -> StockLocationDialog:
    rows = stock_locations.stock_locations(db)
    row = next((r for r in rows if r.code == editing), None)
    dialog = StockLocationDialog(PaneContext(db, WAREHOUSE, RecordingHost(), CurrentContext()),
                                 None, rows, row)
    qtbot.addWidget(dialog)
    dialog.show()
    activate(qtbot, dialog, dialog.description if editing else dialog.code)
    return dialog


def test_a_warehouse_user_adds_a_shelf_and_cannot_nest_a_location_in_itself(
        qtbot: QtBot, empty_db: Database) -> None:
    stock_locations.save_stock_location(empty_db, WAREHOUSE, StockLocationForm(
        "WH-A", "Warehouse A", StockLocationKind.WAREHOUSE, hold_inventory=False))
    dialog = _dialog(qtbot, empty_db)
    qtbot.keyClicks(dialog.code, "wh-a-s1")
    dialog.description.setFocus()
    qtbot.keyClicks(dialog.description, "Shelf 1")
    dialog.parent_combo.setCurrentIndex(dialog.parent_combo.findData("WH-A"))
    dialog.city.setText("Springfield")
    qtbot.keyClick(dialog.description, Qt.Key.Key_Return)
    settle(qtbot)
    assert dialog.message == "Stock location WH-A-S1 added."
    [_, shelf] = stock_locations.stock_locations(empty_db)
    assert (shelf.code, shelf.parent_code, shelf.depth, shelf.city) == (
        "WH-A-S1", "WH-A", 1, "Springfield")

    edit = _dialog(qtbot, empty_db, "WH-A")
    assert not edit.code.isEnabled() and edit.holds.isChecked() is False
    edit.parent_combo.setCurrentIndex(edit.parent_combo.findData("WH-A-S1"))
    qtbot.keyClick(edit.description, Qt.Key.Key_Return)
    settle(qtbot)
    assert "inside itself" in edit.error_text("parent_code") and edit.isVisible()
    assert [r.parent_code for r in stock_locations.stock_locations(empty_db)] == [None, "WH-A"]
