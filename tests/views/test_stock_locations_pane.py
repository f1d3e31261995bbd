"""The Stock Locations pane driven as warehouse staff would: the busiest location opens, the
inventory pages (PgDn), sorts by a heading click, filters by badge prefix, shows a past date
with where each asset went next; a double-click opens an asset's timeline, Move… refuses an
earlier date beside the field and then moves it; the chart draws one line per type; an empty
database says what to set up; Control Central's meter badge opens the meter's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.cli import main
from app.db import Database
from app.models.enums import ServiceType
from app.services import service_agreements as sas
from app.services import service_points
from app.services.asset_locations import TransferRequest, transfer
from app.services.service_agreements import ServiceAgreementForm
from app.views.current_context import CurrentContext
from app.views.main_window import MainWindow
from app.views.panes import PaneContext, pane_spec
from app.views.stock_inventory import BADGE, SINCE, TICK
from app.views.stock_locations import StockLocationsPane
from tests.conftest import CSR, WAREHOUSE
from tests.services.builders import START, household
from tests.services.stock_builders import receive, stock_setup
from tests.views.conftest import RecordingHost, activate, settle

MOVED = dt.datetime(2024, 2, 1, 8, 30)


@pytest.fixture
def stocked(empty_db: Database) -> Database:
    """Shelf 1: 450 meters and 20 seals received on 10 Jan 2024; M00001–M00005 went to the
    truck on 1 Feb. Shelf 2: 3 meters."""
    stock_setup(empty_db)
    receive(empty_db, "WH-A-S1", meters=450, items=20)
    receive(empty_db, "WH-A-S2", meters=3, first=900)
    transfer(empty_db, WAREHOUSE, TransferRequest(
        "WH-A-S1", "TRUCK-7", tuple(f"M{n:05d}" for n in range(1, 6)), MOVED))
    return empty_db


def _pane(qtbot: QtBot, db: Database) -> StockLocationsPane:
    pane = StockLocationsPane(PaneContext(db, WAREHOUSE, RecordingHost(), CurrentContext()))
    qtbot.addWidget(pane)
    pane.resize(1400, 900)
    pane.show()
    settle(qtbot)
    return pane


def _badges(pane: StockLocationsPane) -> list[str]:
    return [r.badge_number for r in pane.inventory_tab.model.rows]


def test_the_busiest_location_pages_sorts_and_filters(qtbot: QtBot, stocked: Database) -> None:
    pane = _pane(qtbot, stocked)
    tab = pane.inventory_tab
    assert pane.location == "WH-A-S1"
    assert pane.subtitle.text() == "4 locations holding stock · 473 assets in stock now"
    assert tab.heading.text() == "WH-A-S1 · Main warehouse shelf 1 — 465 assets now"
    assert tab.page_label.text() == "Page 1 of 3"
    assert len(tab.model.rows) == 200
    assert _badges(pane)[:2] == ["M00006", "M00007"]
    assert tab.cell_texts()[0] == ["Meter E1", "M00006", "SN-0000006", "Itron / C2SOD",
                                   "2024-01-10 09:00", "— (still here)"]
    assert not tab.previous_button.isEnabled()

    # PgDn twice: the last page holds the last 65 (meters M00406… then the seals)
    activate(qtbot, pane, tab.table)
    qtbot.keyClick(tab.table, Qt.Key.Key_PageDown)
    settle(qtbot)
    assert tab.page_label.text() == "Page 2 of 3" and _badges(pane)[0] == "M00206"
    tab.step_page(1)
    settle(qtbot)
    assert len(tab.model.rows) == 65 and _badges(pane)[-1] == "S00020"
    assert not tab.next_button.isEnabled()

    # a click on the Badge heading sorts descending from page 1; Located-here-since ascending
    header = tab.table.horizontalHeader()
    header.sectionClicked.emit(BADGE)
    settle(qtbot)
    assert tab.page_label.text() == "Page 1 of 3"
    assert _badges(pane)[:2] == ["S00020", "S00019"]
    assert header.sortIndicatorOrder() is Qt.SortOrder.DescendingOrder
    header.sectionClicked.emit(SINCE)
    settle(qtbot)
    assert tab.sort == "located_at" and header.sortIndicatorSection() == SINCE

    # badge prefix, typed and Enter
    tab.badge_field.setText("m0001")
    qtbot.keyClick(tab.badge_field, Qt.Key.Key_Return)
    settle(qtbot)
    assert sorted(_badges(pane)) == [f"M{n:05d}" for n in range(10, 20)]
    assert tab.heading.text().endswith("10 assets now (filtered)")
    assert tab.page_label.text() == "Page 1 of 1"

    # ticks: Select all ticks the page, Transfer… is then enabled; Clear all unticks
    assert not tab.transfer_button.isEnabled()
    tab.select_all_button.click()
    assert len(tab.model.ticked) == 10 and tab.transfer_button.isEnabled()
    assert tab.ticked_label.text() == "10 ticked"
    tab.clear_all_button.click()
    assert not tab.model.ticked and not tab.transfer_button.isEnabled()
    tab.model.setData(tab.model.index(0, TICK), Qt.CheckState.Checked,
                      Qt.ItemDataRole.CheckStateRole)
    assert tab.model.ticked == {_badges(pane)[0]} and tab.transfer_button.isEnabled()

    # the kind filter: items only
    tab.badge_field.setText("")
    tab.kind_combo.setCurrentIndex(tab.kind_combo.findText("Items"))
    tab._kind_chosen()
    settle(qtbot)
    assert tab.heading.text().endswith("20 assets now (filtered)")
    assert [tab.type_combo.itemText(i) for i in range(tab.type_combo.count())] == [
        "Every type", "Item SEAL · Meter seal"]


def test_as_of_shows_where_each_asset_went_and_only_present_ones_can_be_ticked(
        qtbot: QtBot, stocked: Database) -> None:
    pane = _pane(qtbot, stocked)
    tab = pane.inventory_tab
    tab.as_of_field.setText("2024-01-20")
    tab.badge_field.setText("M0000")
    tab.search()
    settle(qtbot)
    assert tab.heading.text() == ("WH-A-S1 · Main warehouse shelf 1 — 9 assets on "
                                  "2024-01-20 23:59 (filtered)")
    rows = {r[1]: r for r in tab.cell_texts()}
    assert rows["M00001"][5] == "TRUCK-7" and rows["M00006"][5] == "— (still here)"
    first = tab.model.index(0, TICK)
    assert not tab.model.flags(first) & Qt.ItemFlag.ItemIsUserCheckable
    assert tab.model.flags(tab.model.index(5, TICK)) & Qt.ItemFlag.ItemIsUserCheckable
    tab.select_all_button.click()
    assert tab.model.ticked == {"M00006", "M00007", "M00008", "M00009"}
    # before anything arrived: nothing there; a bad date is said beside the grid
    tab.as_of_field.setText("2024-01-10 08:59")
    tab.badge_field.setText("")
    tab.search()
    settle(qtbot)
    assert tab.stack.currentWidget() is tab.nothing
    assert tab.nothing.text() == "Nothing was at WH-A-S1 on 2024-01-10 08:59."
    tab.as_of_field.setText("yesterday")
    tab.search()
    assert "is not a date and time" in tab.message.text() and tab.message.isVisible()


def test_the_asset_tab_shows_the_timeline_and_moves_by_hand(
        qtbot: QtBot, stocked: Database) -> None:
    pane = _pane(qtbot, stocked)
    tab = pane.inventory_tab
    pane.select_location("TRUCK-7")
    settle(qtbot)
    assert _badges(pane) == [f"M{n:05d}" for n in range(1, 6)]
    tab.table.doubleClicked.emit(tab.model.index(0, BADGE))
    settle(qtbot)
    asset = pane.asset_tab
    assert pane.tabs.currentWidget() is asset
    assert asset.summary.text() == ("Meter M00001 · type E1 · In stock · at TRUCK-7 since "
                                    "2024-02-01 08:30")
    assert asset.history_texts() == [
        ["2024-02-01 08:30", "TRUCK-7", "Meter truck 7", "Transfer", "", "wh1"],
        ["2024-01-10 09:00", "WH-A-S1", "Main warehouse shelf 1", "Initial", "", "wh1"]]

    # Move…: an earlier date is refused beside the field, a missing reason beside its own
    dialog = asset.open_move()
    assert dialog is not None
    assert [dialog.location.itemData(i) for i in range(dialog.location.count())] == [
        "WH-A-S1", "WH-A-S2", "WH-RET"]          # not the group, not where it is
    dialog.location.setCurrentIndex(dialog.location.findData("WH-RET"))
    dialog.located_at.setText("2024-01-31 10:00")
    dialog.reason.setText("back from the truck")
    dialog.submit()
    settle(qtbot)
    assert "since 2024-02-01 08:30" in dialog.error_text("located_at")
    assert dialog.isVisible()
    dialog.located_at.setText("2024-02-03 07:15")
    dialog.reason.setText("")
    dialog.submit()
    settle(qtbot)
    assert dialog.error_text("reason").startswith("Say why the asset is moved by hand")
    dialog.reason.setText("back from the truck")
    dialog.submit()
    settle(qtbot)
    assert not dialog.isVisible()
    assert asset.history_texts()[0] == ["2024-02-03 07:15", "WH-RET", "Returns bay", "Manual",
                                        "back from the truck", "wh1"]
    assert asset.message.text() == "M00001 is now at WH-RET."
    # the counts and the truck's inventory follow
    counts = {r.code: r.total for r in pane.locations}
    assert (counts["TRUCK-7"], counts["WH-RET"]) == (4, 1)
    assert _badges(pane) == [f"M{n:05d}" for n in range(2, 6)]

    # a badge nobody has: said in the tab
    asset.show_badge("NOPE-1")
    settle(qtbot)
    assert asset.message.text() == "There is no meter or item with badge number NOPE-1."
    assert not asset.move_button.isEnabled()


def test_the_tree_lists_counts_and_a_group_is_edited_but_shows_no_stock(
        qtbot: QtBot, stocked: Database) -> None:
    pane = _pane(qtbot, stocked)
    group = pane._item("WH-A")
    assert group is not None
    assert group.text(2) == "Group"
    pane.tree.setCurrentItem(group)                 # selectable, to edit it
    assert pane.location == "WH-A-S1" and pane.edit_code == "WH-A"
    assert "groups other locations" in pane.message.text()
    dialog = pane.edit_location()
    assert dialog is not None and dialog.code.text() == "WH-A" and not dialog.holds.isChecked()
    dialog.reject()
    shelf = pane._item("WH-A-S1")
    assert shelf is not None and shelf.text(3) == "465"
    counts = [(shelf.child(i).text(1), shelf.child(i).text(3)) for i in range(shelf.childCount())]
    assert counts == [("Item SEAL", "20"), ("Meter E1", "445")]
    pane.select_location("WH-A")
    assert pane.location == "WH-A-S1"
    # a double-click on a count row lists only that type
    pane._tree_double_clicked(shelf.child(0), 1)
    settle(qtbot)
    assert pane.inventory_tab.heading.text().endswith("20 assets now (filtered)")


def test_the_chart_draws_one_line_per_type(qtbot: QtBot, stocked: Database) -> None:
    pane = _pane(qtbot, stocked)
    chart = pane.levels_tab
    chart.first_field.setDate(chart.first_field.date().fromString("2024-01-01", "yyyy-MM-dd"))
    chart.last_field.setDate(chart.last_field.date().fromString("2024-02-29", "yyyy-MM-dd"))
    pane.tabs.setCurrentWidget(chart)
    chart.reload()
    settle(qtbot)
    assert sorted(chart.curves) == ["Item SEAL", "Meter E1"]
    xs, ys = chart.curves["Meter E1"].getData()
    assert ys is not None and (ys[0], max(ys), ys[-1]) == (0, 450, 445)
    assert "Meter E1 (Electric meter 1-phase): 445" in chart.legend.text()
    pane.select_location("WH-RET")
    settle(qtbot)
    assert chart.curves == {} and chart.nothing.text().startswith("Nothing was at WH-RET")


def test_an_empty_database_says_what_to_set_up(qtbot: QtBot, empty_db: Database) -> None:
    pane = _pane(qtbot, empty_db)
    assert pane.empty.isVisible() and not pane.splitter.isVisible()
    assert pane.empty.heading.text() == "No stock locations yet"
    assert "set up the stock locations" in pane.empty.text.text()


def test_a_location_with_nothing_in_it_says_so(qtbot: QtBot, empty_db: Database) -> None:
    stock_setup(empty_db)
    pane = _pane(qtbot, empty_db)
    tab = pane.inventory_tab
    assert pane.location == "TRUCK-7"            # the first that can hold stock
    assert tab.stack.currentWidget() is tab.nothing
    assert tab.nothing.text().startswith("Nothing is at TRUCK-7 now.")
    assert tab.receive_button.isEnabled() and not tab.select_all_button.isEnabled()


def test_the_pane_is_registered() -> None:
    spec = pane_spec("stock-locations")
    assert spec is not None and spec.title == "Stock Locations"


def test_control_central_opens_an_installed_meters_history(
        qtbot: QtBot, empty_db: Database,
        open_window: Callable[[Database], MainWindow]) -> None:
    stock_setup(empty_db)
    home = household(empty_db)
    receive(empty_db, "WH-A-S1", meters=1)
    service_points.install_device(empty_db, CSR, home.electric_sp, "M00001",
                                  dt.date(2024, 3, 1), at=dt.datetime(2024, 3, 1, 9, 0))
    agreement = sas.create_service_agreement(empty_db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), START, "E-RES-1"))
    sas.activate(empty_db, CSR, agreement.number, agreement.version)
    window = open_window(empty_db)
    central = window.open_pane("control-central")
    central.load_account(home.account)  # type: ignore[attr-defined]
    settle(qtbot)
    table = central.view.premises.table  # type: ignore[attr-defined]
    meter_column = table.columns.index("Meter")
    row = next(r for r in range(table.model().rowCount())
               if table.cell_text(r, meter_column) == "M00001")
    index = table.model().index(row, meter_column)
    table.setCurrentIndex(index)
    table.activated.emit(index)
    settle(qtbot)
    pane = window.panes["stock-locations"]
    assert isinstance(pane, StockLocationsPane)
    assert pane.tabs.currentWidget() is pane.asset_tab
    assert pane.asset_tab.history_texts()[0][:4] == [
        "2024-03-01 09:00", f"SP {home.electric_sp}", "installed at the service point",
        "Install"]


def test_the_screenshot_shows_the_busiest_location(
        qtbot: QtBot, stocked: Database, db_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    original = StockLocationsPane.select_location

    def spy(self: StockLocationsPane, code: str) -> None:
        shown.append(code)
        original(self, code)

    monkeypatch.setattr(StockLocationsPane, "select_location", spy)
    out = tmp_path / "sl.png"
    assert main(["screenshot", "stock-locations", "--out", str(out), "--database",
                 db_url]) == 0
    assert shown[-1] == "WH-A-S1" and QImage(str(out)).width() > 1000


def test_a_transfer_from_the_pane_refreshes_it_while_the_dialog_stays_open(
        qtbot: QtBot, stocked: Database) -> None:
    from app.views.receiving_dialog import ReceivingDialog
    from app.views.transfer_dialog import TransferDialog

    pane = _pane(qtbot, stocked)
    tab = pane.inventory_tab
    tab.model.set_ticked(["M00006", "M00007"], True)
    dialog = tab.open_transfer()
    assert isinstance(dialog, TransferDialog) and dialog.isVisible()
    reloads: list[bool] = []
    tab.stock_changed.connect(lambda: reloads.append(True))
    settle(qtbot)                                  # the two badges checked
    dialog.target.setCurrentIndex(dialog.target.findData("WH-A-S2"))
    dialog.submit()
    settle(qtbot)
    assert dialog.isVisible()                      # for the manifest
    assert reloads == [True] and not tab.model.ticked and not tab.transfer_button.isEnabled()
    shown = {cell for row in tab.cell_texts() for cell in row}
    assert "M00006" not in shown and "M00007" not in shown
    dialog.reject()
    receiving = tab.open_receiving()
    assert isinstance(receiving, ReceivingDialog) and receiving.isVisible()
    receiving.reject()
    settle(qtbot)
    assert reloads == [True]
