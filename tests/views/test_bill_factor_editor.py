"""The Bill Factors pane (spec/10 §2.8–§2.12, §9): edit effective-dated values, TOU values and
a new bill factor as a rate analyst would, save, and read them back through the service; bad
input is shown beside its grid and saves nothing; a CSR only reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableWidget
from pytestqt.qtbot import QtBot

from app.db import Database
from app.engine.rates.bill_factors import BillFactorValue
from app.models.enums import UserRole
from app.services import rates
from app.services.context import Actor
from app.views.bill_factor_editor import BillFactorEditorPane, cell
from app.views.current_context import CurrentContext
from app.views.panes import PaneContext, pane_spec
from tests.views.conftest import RecordingHost, settle

ANALYST = Actor("rana", "Rita Analyst", frozenset({UserRole.RATE_ANALYST}))
CSR = Actor("csr1", "Casey Reed", frozenset({UserRole.CSR}))
LEFT = Qt.MouseButton.LeftButton
D = Decimal






@pytest.fixture
def shipped(empty_db: Database) -> Database:
    rates.load_shipped_rates(empty_db, ANALYST)
    return empty_db


def _pane(qtbot: QtBot, db: Database, actor: Actor = ANALYST,
          code: str | None = "STTAX") -> BillFactorEditorPane:
    pane = BillFactorEditorPane(PaneContext(db, actor, RecordingHost(), CurrentContext()))
    qtbot.addWidget(pane)
    pane.resize(1400, 860)
    pane.show()
    qtbot.waitExposed(pane)
    settle(qtbot)
    if code:
        pane.open_bill_factor(code)
        settle(qtbot)
    return pane


def _type(table: QTableWidget, row: int, column: int, text: str) -> None:
    """What typing into a cell leaves behind (the item's text, itemChanged emitted)."""
    item = table.item(row, column)
    assert item is not None
    item.setText(text)


def _cells(table: QTableWidget) -> list[list[str]]:
    return [[cell(table, r, c) for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def _select_char(pane: BillFactorEditorPane, value: str) -> None:
    for r in range(pane.chars.rowCount()):
        if cell(pane.chars, r, 0) == value:
            pane.chars.selectRow(r)
            return
    raise AssertionError(value)


def _nv(db: Database) -> tuple[BillFactorValue, ...]:
    return rates.open_bill_factor(db, ANALYST, "STTAX").bill_factor.characteristics["NV"].values


def test_the_pane_is_registered_with_its_shortcut() -> None:
    spec = pane_spec("bill-factors")
    assert spec is not None and (spec.title, spec.shortcut) == ("Bill Factors", "Ctrl+8")


def test_a_value_edit_is_saved_read_back_and_charted_step_by_step(qtbot: QtBot,
                                                                  shipped: Database) -> None:
    pane = _pane(qtbot, shipped)
    assert pane.title.text() == "STTAX — State sales tax"
    _select_char(pane, "NV")
    assert _cells(pane.values) == [["2008-01-01", "7.25"], ["2008-11-01", "7.5"],
                                   ["2009-03-01", "8"]]
    assert pane.chart_series() == [("NV", 3)]
    qtbot.mouseClick(pane.add_value_button, LEFT)
    assert _cells(pane.values)[-1] == ["", "0"]            # a new row's value defaults to 0
    _type(pane.values, 3, 0, "2026-07-01")
    _type(pane.values, 3, 1, "8.375")
    _type(pane.values, 1, 1, "7.55")
    assert pane.chart_series() == [("NV", 4)]              # one step per effective date
    assert list(pane.curves[0].yData) == [7.25, 7.55, 8.0, 8.375]
    pane.show_all.setChecked(True)
    assert pane.chart_series() == [("NV", 4), ("CA", 2), ("HI", 2), ("UT", 3), ("IL", 1)]  # OR: none
    qtbot.keyClick(pane.values, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert pane.message.text() == "Saved STTAX."
    assert _nv(shipped) == (BillFactorValue(dt.date(2008, 1, 1), D("7.25")),
                            BillFactorValue(dt.date(2008, 11, 1), D("7.55")),
                            BillFactorValue(dt.date(2009, 3, 1), D("8")),
                            BillFactorValue(dt.date(2026, 7, 1), D("8.375")))
    # the other characteristic values and the main fields are as they were
    stored = rates.open_bill_factor(shipped, ANALYST, "STTAX").bill_factor
    assert [v.value for v in stored.characteristics["CA"].values] == [D("7.25"), D("8.25")]
    assert stored.tax_exemption and stored.description == "State sales tax"
    # and the pane shows what was stored
    _select_char(pane, "NV")
    assert _cells(pane.values)[-1] == ["2026-07-01", "8.375"]
    assert not pane.dirty


@pytest.mark.parametrize(("row", "column", "text", "message"), [
    (1, 1, "abc", "NV, row 2: 'abc' is not a number"),
    (2, 0, "2008-01-01", "NV, row 3: 2008-01-01 is there twice"),
    (0, 0, "  ", "NV, row 1: enter the effective date as YYYY-MM-DD"),
    (2, 0, "2009-02-30", "NV, row 3: '2009-02-30' is not a date"),
])
def test_bad_input_is_shown_beside_the_grid_and_nothing_is_saved(
        qtbot: QtBot, shipped: Database, row: int, column: int, text: str,
        message: str) -> None:
    before = rates.open_bill_factor(shipped, ANALYST, "STTAX")
    pane = _pane(qtbot, shipped)
    _select_char(pane, "NV")
    pane.description.setText("State sales tax (edited)")
    _select_char(pane, "CA")
    _type(pane.values, 0, 1, "7.3")                        # a good edit elsewhere …
    _select_char(pane, "NV")
    _type(pane.values, row, column, text)                  # … and a bad one
    _select_char(pane, "CA")                               # looking at another value
    qtbot.mouseClick(pane.save_button, LEFT)
    settle(qtbot)
    assert pane.error_text("values").startswith(message)
    assert pane.error_text("values") == pane.values_error.text() and pane.values_error.isVisible()
    assert pane.current_char == "NV"                       # the grid of the bad row is shown
    assert pane.message.text() == "Nothing was saved."
    assert rates.open_bill_factor(shipped, ANALYST, "STTAX") == before


def test_tou_values_are_entered_as_a_set_per_group_and_date(qtbot: QtBot,
                                                            shipped: Database) -> None:
    pane = _pane(qtbot, shipped)
    _select_char(pane, "NV")
    pane.tabs.setCurrentIndex(1)
    assert not pane.add_tou_button.isEnabled()             # STTAX is a Regular factor
    assert pane.tou_type_hint.isVisible()
    qtbot.mouseClick(pane.new_button, LEFT)
    qtbot.keyClicks(pane.code, "TOUPRICE")
    pane.description.setText("TOU energy price")
    pane.type_combo.setCurrentIndex(pane.type_combo.findData("TOU"))
    pane.value_type.setCurrentIndex(pane.value_type.findData("UNIT_RATE"))
    settle(qtbot)                                          # the TOU groups are read
    pane.group_combo.setCurrentIndex(pane.group_combo.findData("TOU3"))
    assert [pane.tou.model().headerData(c, Qt.Orientation.Horizontal)
            for c in range(pane.tou.columnCount())] == ["Effective date", "PEAK", "OFFPEAK",
                                                        "SHOULDER"]
    assert "N/A has no TOU3 values" in pane.tou_empty.text()
    assert not pane.add_value_button.isEnabled() and pane.add_tou_button.isEnabled()
    qtbot.mouseClick(pane.add_tou_button, LEFT)
    for column, text in enumerate(("2025-01-01", "0.21", "0.08", "x")):
        _type(pane.tou, 0, column, text)
    qtbot.mouseClick(pane.save_button, LEFT)
    settle(qtbot)
    assert pane.error_text("tou").startswith("N/A, TOU3 row 1 (SHOULDER): 'x' is not a number")
    assert rates.list_bill_factors(shipped)[-1][0] != "TOUPRICE"    # nothing saved
    _type(pane.tou, 0, 3, "0.12")
    qtbot.mouseClick(pane.save_button, LEFT)
    settle(qtbot)
    assert pane.message.text() == "Saved TOUPRICE."
    (stored,) = rates.open_bill_factor(shipped, ANALYST, "TOUPRICE") \
        .bill_factor.characteristics["N/A"].tou_values
    assert (stored.tou_group, stored.effective) == ("TOU3", dt.date(2025, 1, 1))
    assert dict(stored.values) == {"PEAK": D("0.21"), "OFFPEAK": D("0.08"),
                                   "SHOULDER": D("0.12")}


def test_a_new_bill_factor_with_a_gl_distribution(qtbot: QtBot, shipped: Database) -> None:
    pane = _pane(qtbot, shipped, code=None)
    assert not pane.body.isVisible()
    qtbot.mouseClick(pane.new_button, LEFT)
    settle(qtbot)
    assert pane.title.text() == "New bill factor" and pane.code.isEnabled()
    qtbot.keyClicks(pane.code, "frnchs")
    pane.description.setText("Franchise fee")
    pane.value_type.setCurrentIndex(pane.value_type.findData("PERCENT"))
    assert pane.current_char == "N/A"                      # the dummy characteristic value
    qtbot.mouseClick(pane.add_value_button, LEFT)
    _type(pane.values, 0, 0, "2024-01-01")
    _type(pane.values, 0, 1, "1.5")
    pane.tabs.setCurrentIndex(2)
    pane.add_gl_row()
    _type(pane.gl, 0, 0, "RES")
    _type(pane.gl, 0, 1, "FEE-PAYABLE")
    qtbot.mouseClick(pane.save_button, LEFT)
    settle(qtbot)
    assert pane.message.text() == "Saved FRNCHS."
    assert not pane.code.isEnabled()                       # the key is locked once saved
    bf = rates.open_bill_factor(shipped, ANALYST, "FRNCHS").bill_factor
    assert bf.value_type.value == "PERCENT" and bf.description == "Franchise fee"
    assert bf.characteristics["N/A"].values == (BillFactorValue(dt.date(2024, 1, 1), D("1.5")),)
    assert dict(bf.characteristics["N/A"].gl_distribution) == {"RES": "FEE-PAYABLE"}
    assert "FRNCHS — Franchise fee" in [pane.list.item(i).text()
                                        for i in range(pane.list.count())]
    # the same code again is refused beside the code
    qtbot.mouseClick(pane.new_button, LEFT)
    qtbot.keyClicks(pane.code, "FRNCHS")
    pane.description.setText("Again")
    qtbot.mouseClick(pane.save_button, LEFT)
    settle(qtbot)
    assert "already a bill factor FRNCHS" in pane.error_text("code")


def test_locked_fields_say_why(qtbot: QtBot, shipped: Database) -> None:
    pane = _pane(qtbot, shipped)
    assert not pane.value_type.isEnabled() and not pane.char_type.isEnabled()
    assert "11 rate components use this bill factor (COM-TOU 2008-01-03 #110" in \
        pane.currency.toolTip() and not pane.currency.isEnabled()
    assert pane.description.isEnabled() and not pane.description.isReadOnly()


def test_filter_narrows_the_list(qtbot: QtBot, shipped: Database) -> None:
    pane = _pane(qtbot, shipped, code=None)
    qtbot.keyClicks(pane.filter, "elev")
    assert [pane.list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(pane.list.count())] == ["ELEV-X", "ELEV-X-RIDER", "ELEV-Y",
                                                   "ELEV-Y-RIDER"]
    qtbot.keyClicks(pane.filter, "zzz")
    assert pane.list.count() == 0 and "No bill factor matches" in pane.list_empty.text()


def test_a_csr_reads_but_cannot_edit(qtbot: QtBot, shipped: Database) -> None:
    before = rates.open_bill_factor(shipped, ANALYST, "STTAX")
    pane = _pane(qtbot, shipped, actor=CSR)
    assert pane.banner.isVisible() and "Rate Analyst" in pane.banner.text()
    _select_char(pane, "NV")
    assert _cells(pane.values)[0] == ["2008-01-01", "7.25"]    # the values are shown
    assert pane.values.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    for button in (pane.save_button, pane.add_value_button, pane.new_button,
                   pane.add_char_button):
        assert not button.isEnabled()
    assert pane.description.isReadOnly()
    pane.add_value_row()                                       # refused, not only greyed
    pane.save()
    settle(qtbot)
    assert pane.values.rowCount() == 3
    assert rates.open_bill_factor(shipped, ANALYST, "STTAX") == before


def test_switching_factors_guards_unsaved_edits_and_f5_reloads(qtbot: QtBot,
                                                               shipped: Database) -> None:
    pane = _pane(qtbot, shipped)
    _select_char(pane, "NV")
    _type(pane.values, 0, 1, "9.99")
    pane.open_bill_factor("CITYTAX")
    settle(qtbot)
    assert pane.title.text().startswith("STTAX") and "unsaved changes" in pane.message.text()
    pane.open_bill_factor("CITYTAX")                       # the second time discards them
    settle(qtbot)
    assert pane.title.text() == "CITYTAX — City tax"
    assert pane.current_char == "N/A" and _cells(pane.values) == [["2000-01-01", "2"]]
    assert pane.chart_series() == [("N/A", 1)]
    _type(pane.values, 0, 1, "3")
    qtbot.keyClick(pane.values, Qt.Key.Key_F5)
    qtbot.keyClick(pane.values, Qt.Key.Key_F5)
    settle(qtbot)
    assert _cells(pane.values) == [["2000-01-01", "2"]] and not pane.dirty
    assert _nv(shipped)[0].value == D("7.25")
