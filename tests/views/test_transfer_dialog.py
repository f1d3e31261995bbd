"""The Transfer dialog as a warehouse user drives it (issue 10): scan ten badges by keyboard
(type + Enter), one of them wrong — shown as a red row with the reason, no sound — remove it
and scan the right one, transfer, and print the manifest; then the add-by-filter and
add-by-range rows, and a transfer someone else beat."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from app.db import Database
from app.services.asset_locations import InventoryQuery, TransferRequest, inventory, transfer
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext
from app.views.transfer_dialog import BAD_SHADE, TransferDialog
from tests.conftest import WAREHOUSE
from tests.services.stock_builders import receive, stock_setup
from tests.views.conftest import RecordingHost, activate, settle

AT = dt.datetime(2024, 5, 2, 8, 0)


def _dialog(qtbot: QtBot, db: Database, source: str = "WH-A-S1",
            badges: tuple[str, ...] = ()) -> tuple[TransferDialog, RecordingHost]:
    host = RecordingHost()
    dialog = TransferDialog(None, PaneContext(db, WAREHOUSE, host, CurrentContext()), source,
                            list(badges))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot)
    dialog.date.setText(f"{AT:%Y-%m-%d}")
    dialog.time.setText(f"{AT:%H:%M}")
    return dialog, host


def _scan(qtbot: QtBot, dialog: TransferDialog, badge: str) -> None:
    qtbot.keyClicks(dialog.scan, badge)
    qtbot.keyClick(dialog.scan, Qt.Key.Key_Return)


def _rows(dialog: TransferDialog) -> list[tuple[str, bool | None, str]]:
    return [(r.badge, r.ok, r.message) for r in dialog.model.rows]


def test_warehouse_user_scans_ten_fixes_the_wrong_one_transfers_and_prints(
        qtbot: QtBot, empty_db: Database, tmp_path: Path,
        monkeypatch: object) -> None:
    db = empty_db
    stock_setup(db)
    badges = receive(db, "WH-A-S1", meters=8, items=2)
    receive(db, "WH-RET", meters=1, prefix="X")
    dialog, host = _dialog(qtbot, db)
    activate(qtbot, dialog, dialog.scan)
    assert dialog.target.count() == 4       # "choose…", TRUCK-7, WH-A-S2, WH-RET (not WH-A)
    assert [dialog.target.itemData(n) for n in range(dialog.target.count())] == [
        "", "TRUCK-7", "WH-A-S2", "WH-RET"]
    typed = [*badges[:6], "X00001", *badges[7:]]           # the 7th scan is the wrong meter
    for badge in typed:
        _scan(qtbot, dialog, badge.lower())
    settle(qtbot)
    assert dialog.scan.text() == ""
    assert " ".join(r.badge for r in dialog.model.rows) == " ".join(typed)
    assert dialog.model.rows[6].badge == "X00001"
    assert _rows(dialog)[6] == ("X00001", False, "This meter is at WH-RET, not at WH-A-S1.")
    assert all(ok for b, ok, _m in _rows(dialog) if b != "X00001")
    red = dialog.model.index(6, 2)
    assert dialog.model.data(red, Qt.ItemDataRole.BackgroundRole) == BAD_SHADE
    assert dialog.model.data(dialog.model.index(5, 2), Qt.ItemDataRole.BackgroundRole) is None
    assert "10 assets listed · 9 ready · 1 to fix" in dialog.count.text()
    assert not dialog.submit_button.isEnabled()
    # Scanning one already listed says so and adds nothing.
    _scan(qtbot, dialog, badges[0])
    assert len(dialog.model.rows) == 10
    assert dialog.notice.text() == "M00001 is already in the list (row 1)."
    # Remove the wrong one with Del, scan the right one.
    dialog.table.selectRow(6)
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Delete)
    assert [b for b, _o, _m in _rows(dialog)] == [*badges[:6], *badges[7:]]
    _scan(qtbot, dialog, badges[6])
    settle(qtbot)
    assert sorted(b for b, _o, _m in _rows(dialog)) == sorted(badges)
    assert all(ok for _b, ok, _m in _rows(dialog))
    assert dialog.count.text() == "10 assets listed · 10 ready"
    assert dialog.submit_button.isEnabled()
    # A scanner's Enter in the scan field never presses Transfer.
    qtbot.keyClick(dialog.scan, Qt.Key.Key_Return)
    settle(qtbot)
    assert dialog.result_transfer is None and dialog.error_text("target") == ""
    # Transfer without a target: told inline, nothing moved.
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.error_text("target") == "Choose the location the assets go to."
    dialog.target.setCurrentIndex(dialog.target.findData("TRUCK-7"))
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert dialog.result_transfer is not None
    assert dialog.isVisible()                               # it stays open for the manifest
    assert dialog.notice.text().startswith(
        "Transferred 10 asset(s) from WH-A-S1 to TRUCK-7 at 2024-05-02 08:00.")
    page = inventory(db, InventoryQuery("TRUCK-7"))
    assert sorted(r.badge_number for r in page.rows) == sorted(badges)
    assert inventory(db, InventoryQuery("WH-A-S1")).total == 0
    assert dialog.print_button.isVisible() and not dialog.submit_button.isVisible()
    assert not dialog.scan.isEnabled()
    # Ctrl+P asks where to write the PDF, and writes it there.
    out = tmp_path / "manifest.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",  # type: ignore[attr-defined]
                        staticmethod(lambda *_a, **_k: (str(out), "PDF (*.pdf)")))
    activate(qtbot, dialog, dialog.print_button)
    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert dialog.manifest_path == out
    text = "\n".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert all(b in text for b in badges)
    assert "WH-A-S1 — Main warehouse shelf 1" in text and "TRUCK-7 — Meter truck 7" in text
    assert "Received by" in text and "Wes Hale (wh1)" in text
    assert host.statuses[-1] == f"Manifest printed to {out}."


def test_add_by_filter_range_and_a_transfer_someone_else_beat(qtbot: QtBot,
                                                              empty_db: Database) -> None:
    db = empty_db
    stock_setup(db)
    receive(db, "WH-A-S1", meters=12, items=3)
    dialog, _host = _dialog(qtbot, db, badges=("M00001",))
    settle(qtbot)
    assert _rows(dialog) == [("M00001", True, "Meter E1 at WH-A-S1")]
    dialog.type_filter.setCurrentIndex(dialog.type_filter.findText("Item SEAL — Meter seal"))
    qtbot.mouseClick(dialog.add_filter_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert [b for b, _o, _m in _rows(dialog)] == ["M00001", "S00001", "S00002", "S00003"]
    dialog.range_prefix.setText("M")
    dialog.range_from.setText("00001")
    dialog.range_to.setText("00004")
    qtbot.mouseClick(dialog.add_range_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert [b for b, _o, _m in _rows(dialog)][4:] == ["M00002", "M00003", "M00004"]
    assert dialog.notice.text() == "Added 3 badge(s) (1 already listed)."
    dialog.range_from.setText("9")
    dialog.range_to.setText("3")
    qtbot.mouseClick(dialog.add_range_button, Qt.MouseButton.LeftButton)
    assert "comes before the first" in dialog.error_text("range_from")
    # Someone else moves M00003 to the truck first: the transfer is refused, nothing moves,
    # and the row turns red.
    transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "TRUCK-7", ("M00003",), AT))
    dialog.target.setCurrentIndex(dialog.target.findData("WH-A-S2"))
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert dialog.result_transfer is None
    assert dialog.error_text().startswith(
        "Nothing was moved: 1 asset(s) are no longer at WH-A-S1 — M00003 was moved to TRUCK-7 "
        "by wh1 at ")
    assert ("M00003", False, "This meter is at TRUCK-7, not at WH-A-S1.") in _rows(dialog)
    assert inventory(db, InventoryQuery("WH-A-S2")).total == 0
    # Correct it in place (F2 / double-click edits the badge): it is checked again.
    row = dialog.model.find("M00003")
    dialog.model.setData(dialog.model.index(row, 0), "m00005")
    settle(qtbot)
    assert _rows(dialog)[row] == ("M00005", True, "Meter E1 at WH-A-S1")
    assert dialog.submit_button.isEnabled()
