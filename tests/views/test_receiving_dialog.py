"""Receiving a shipment from the dialog: a range, and a CSV file with one bad line that is
listed in the dialog (nothing saved), fixed, then received."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.db import Database
from app.models.enums import AssetKind, ServiceType, StockLocationKind
from app.services import asset_locations, stock_locations
from app.services.stock_locations import StockLocationForm
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext
from app.views.receiving_dialog import CSV_FILE, RANGE, ReceivingDialog, type_key
from tests.conftest import WAREHOUSE
from tests.views.conftest import RecordingHost, settle


@pytest.fixture
def stock(empty_db: Database) -> Database:
    for code, description, holds, parent in (
            ("WH-A", "Main warehouse", False, None),
            ("WH-A-S1", "Main warehouse, shelf 1", True, "WH-A"),
            ("WH-A-S2", "Main warehouse, shelf 2", True, "WH-A")):
        stock_locations.save_stock_location(empty_db, WAREHOUSE, StockLocationForm(
            code, description, StockLocationKind.WAREHOUSE, hold_inventory=holds,
            parent_code=parent))
    stock_locations.save_asset_type(empty_db, WAREHOUSE, AssetKind.METER, "E1",
                                    "Electric single phase", True, ServiceType.ELECTRIC)
    stock_locations.save_asset_type(empty_db, WAREHOUSE, AssetKind.ITEM, "SEAL", "Meter seal",
                                    True)
    return empty_db


def _dialog(qtbot: QtBot, db: Database, location: str | None) -> ReceivingDialog:
    dialog = ReceivingDialog(None, PaneContext(db, WAREHOUSE, RecordingHost(), CurrentContext()),
                             location)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot)
    return dialog


def _choose_type(dialog: ReceivingDialog, kind: AssetKind, code: str) -> None:
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData(type_key(kind, code)))


def test_receive_a_range(qtbot: QtBot, stock: Database, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, stock, "WH-A-S2")
    # the grouping location is not offered; the one asked for is chosen
    assert dialog.location_combo.findData("WH-A") == -1
    assert dialog.location_combo.currentData() == "WH-A-S2"
    assert dialog.tabs.currentIndex() == RANGE
    _choose_type(dialog, AssetKind.METER, "E1")
    qtbot.keyClicks(dialog.prefix, "AB")
    qtbot.keyClicks(dialog.first_badge, "000098")
    qtbot.keyClicks(dialog.last_badge, "000102")
    assert dialog.preview.text() == ("5 to receive (AB000098 … AB000102) — each gets a "
                                     "REPLICATION location row at WH-A-S2.")
    dialog.received_on.setText("2024-01-10")
    dialog.received_time.setText("09:00")
    dialog.grab().save(str(tmp_path / "receiving_range.png"))
    with qtbot.waitSignal(dialog.saved, timeout=20_000) as saved:
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert saved.args == ["Received 5 meters into WH-A-S2 (Main warehouse, shelf 2) at "
                          "2024-01-10 09:00."]
    page = asset_locations.inventory(stock, asset_locations.InventoryQuery("WH-A-S2"))
    assert [r.badge_number for r in page.rows] == [f"AB{n:06d}" for n in range(98, 103)]
    assert page.rows[0].located_at == dt.datetime(2024, 1, 10, 9, 0)


def test_csv_with_a_bad_line_is_shown_then_fixed(qtbot: QtBot, stock: Database,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "shipment.csv"
    path.write_text("\ufeffbadge_number,type,serial_number\n"
                    "E100,E1,SN100\n"
                    "E101,E9,SN101\n"          # line 3: no such type
                    "S100,SEAL,\n", encoding="utf-8")
    dialog = _dialog(qtbot, stock, None)
    dialog.tabs.setCurrentIndex(CSV_FILE)
    dialog.csv_path.setText(str(path))
    assert dialog.preview.text().startswith("3 to receive (shipment.csv)")
    dialog.received_on.setText("2024-01-10")
    dialog.received_time.setText("09:00")
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    qtbot.waitUntil(lambda: bool(dialog.problem_rows()), timeout=10_000)
    assert dialog.isVisible()
    assert dialog.problem_rows() == [("3", "E101", "There is no meter or item type E9.")]
    assert dialog.problem_heading.text().startswith("Nothing was received: 1 problem.")
    dialog.grab().save(str(tmp_path / "receiving_problems.png"))
    with stock.sessions() as session:
        from sqlalchemy import func, select

        from app.models import Item, Meter
        assert session.scalar(select(func.count()).select_from(Meter)) == 0
        assert session.scalar(select(func.count()).select_from(Item)) == 0

    path.write_text("badge_number,type,serial_number\nE100,E1,SN100\nE101,E1,SN101\n"
                    "S100,SEAL,\n", encoding="utf-8")
    with qtbot.waitSignal(dialog.saved, timeout=20_000) as saved:
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert saved.args == ["Received 2 meters and 1 item into WH-A-S1 (Main warehouse, "
                          "shelf 1) at 2024-01-10 09:00."]
    assert dialog.problem_rows() == []
    timeline = asset_locations.asset_timeline(stock, "S100")
    assert [(r.place, r.source.value) for r in timeline.rows] == [("WH-A-S1", "INITIAL")]
