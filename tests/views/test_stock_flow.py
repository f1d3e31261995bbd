"""The issue's whole story from the Stock Locations pane: receive a meter, transfer it to a
truck, install it at a service point, remove it (it goes to the postal code's removal
location), transfer it back to the shelf — and its history tells exactly that."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot

from app.db import Database
from app.models.enums import AssetKind, DeviceStatus
from app.services import asset_locations, stock_locations
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext
from app.views.receiving_dialog import type_key
from app.views.stock_locations import StockLocationsPane
from tests.conftest import ADMIN
from tests.services.builders import household
from tests.services.stock_builders import stock_setup
from tests.views.conftest import RecordingHost, settle

DAY = dt.datetime(2024, 3, 4, 8, 0)


def _submit(qtbot: QtBot, dialog: object) -> None:
    with qtbot.waitSignal(dialog.saved, timeout=20_000):  # type: ignore[attr-defined]
        dialog.submit()  # type: ignore[attr-defined]
    settle(qtbot)


def _when(dialog: object, at: dt.datetime) -> None:
    dialog.date.setText(f"{at:%Y-%m-%d}")  # type: ignore[attr-defined]
    dialog.time.setText(f"{at:%H:%M}")  # type: ignore[attr-defined]


def test_receive_transfer_install_remove_and_transfer_back(qtbot: QtBot,
                                                           empty_db: Database) -> None:
    stock_setup(empty_db)
    stock_locations.set_removal_location(empty_db, ADMIN, "627", "WH-RET")
    home = household(empty_db)                                  # postal code 62701
    pane = StockLocationsPane(PaneContext(empty_db, ADMIN, RecordingHost(), CurrentContext()))
    qtbot.addWidget(pane)
    pane.resize(1400, 900)
    pane.show()
    settle(qtbot)
    pane.select_location("WH-A-S1")
    settle(qtbot)
    tab = pane.inventory_tab

    receiving = tab.open_receiving()                            # 1. receive
    settle(qtbot)                                               # its types and locations
    receiving.type_combo.setCurrentIndex(receiving.type_combo.findData(
        type_key(AssetKind.METER, "E1")))
    receiving.prefix.setText("EM")
    receiving.first_badge.setText("0001")
    receiving.last_badge.setText("0001")
    receiving.received_on.setText(f"{DAY:%Y-%m-%d}")
    receiving.received_time.setText(f"{DAY:%H:%M}")
    _submit(qtbot, receiving)
    assert [r[1] for r in tab.cell_texts()] == ["EM0001"]

    tab.model.set_ticked(["EM0001"], True)                      # 2. transfer to the truck
    transfer = tab.open_transfer()
    settle(qtbot)
    transfer.target.setCurrentIndex(transfer.target.findData("TRUCK-7"))
    _when(transfer, DAY + dt.timedelta(hours=1))
    _submit(qtbot, transfer)
    transfer.reject()
    assert tab.cell_texts() == []

    pane.show_asset("EM0001")                                   # 3. install
    settle(qtbot)
    asset = pane.asset_tab
    install = asset.open_install()
    install.service_point.setText(home.electric_sp)
    install.when.setText(f"{DAY + dt.timedelta(days=1):%Y-%m-%d %H:%M}")
    _submit(qtbot, install)
    assert asset.timeline is not None and asset.timeline.status is DeviceStatus.INSTALLED

    remove = asset.open_remove()                                # 4. remove
    assert remove.service_point.text() == home.electric_sp
    remove.when.setText(f"{DAY + dt.timedelta(days=30):%Y-%m-%d %H:%M}")
    _submit(qtbot, remove)

    pane.select_location("WH-RET")                              # 5. transfer back
    settle(qtbot)
    tab.model.set_ticked(["EM0001"], True)
    back = tab.open_transfer()
    settle(qtbot)
    back.target.setCurrentIndex(back.target.findData("WH-A-S1"))
    _when(back, DAY + dt.timedelta(days=31))
    _submit(qtbot, back)
    back.reject()

    story = asset_locations.asset_timeline(empty_db, "EM0001").rows
    assert [(r.place, r.source.value) for r in reversed(story)] == [
        ("WH-A-S1", "REPLICATION"), ("TRUCK-7", "TRANSFER"),
        (f"SP {home.electric_sp}", "INSTALL"), ("WH-RET", "REMOVAL"),
        ("WH-A-S1", "TRANSFER")]
    pane.show_asset("EM0001")
    settle(qtbot)
    assert [r[1] for r in pane.asset_tab.history_texts()] == [
        "WH-A-S1", "WH-RET", f"SP {home.electric_sp}", "TRUCK-7", "WH-A-S1"]
