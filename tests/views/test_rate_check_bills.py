"""Rate Check for "why is my bill this much?" (spec/20 §9.1): the SA's characteristics are
hints a CSR may override, a bill of the SA fills the period and quantities and the result says
what that bill charged; the revenue class follows the rate without an SA; an empty database
says how to get rates; and a rate analyst builds a rate from nothing, checks it and prints it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.db import Database, open_database
from app.demo import generate
from app.reports.formatting import money_text
from app.services import rate_check, rates
from app.services.financials import bill_segment_number
from app.services.rate_check import QuantityInput, RateCheckRequest
from app.views.current_context import CurrentContext
from app.views.editable_grid import combo_code
from app.views.panes import PaneContext
from app.views.rate_check import NO_RATES, RateCheckPane
from app.views.rate_library_actions import EMPTY_LIBRARY
from tests.conftest import CSR
from tests.views.conftest import RecordingHost, settle
from tests.views.test_rate_editor import (
    ANALYST,
    JAN,
    _choose,
    _click,
    _field,
    _type,
)
from tests.views.test_rate_editor import (
    _pane as _editor,
)

AUGUST = (dt.date(2025, 8, 1), dt.date(2025, 8, 31))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("rate-check-bills") / "demo.sqlite"
    db = open_database(f"sqlite:///{path}")
    generate(db, 20, seed=3)
    yield db
    db.dispose()


def _pane(qtbot: QtBot, db: Database) -> RateCheckPane:
    pane = RateCheckPane(PaneContext(db, CSR, RecordingHost(), CurrentContext()))
    qtbot.addWidget(pane)
    pane.resize(1400, 900)
    pane.show()
    qtbot.waitExposed(pane)
    settle(qtbot)
    return pane


def _billed_e_res_1(db: Database) -> str:
    """An active E-RES-1 agreement with at least three bills."""
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT sa.number FROM service_agreement sa WHERE sa.status = 'ACTIVE' AND "
            "(SELECT count(*) FROM bill_segment b WHERE b.service_agreement_id = sa.id) >= 3 "
            "ORDER BY sa.id")).scalars().all()
    for number in rows:
        if rate_check.agreement_defaults(db, number).rate_schedule == "E-RES-1":
            return str(number)
    raise AssertionError("the demo has no billed E-RES-1 agreement")


def _load(qtbot: QtBot, pane: RateCheckPane, number: str) -> None:
    pane.sa.setEditText(number)
    pane.load_agreement(number)
    settle(qtbot)
    assert pane.defaults is not None and pane.defaults.sa_number == number


def test_the_sas_characteristics_are_hints_a_csr_may_override(qtbot: QtBot,
                                                              demo_db: Database) -> None:
    pane = _pane(qtbot, demo_db)
    _load(qtbot, pane, _billed_e_res_1(demo_db))
    grid = pane.characteristics
    row = grid.row_of("STATE")
    assert row >= 0 and ("STATE", "IL") in grid.inherited_rows()
    assert grid.rows() == ()                      # a hint is not sent
    assert "Grey rows are the SA's" in grid.hint.text()
    pane.fill(RateCheckRequest("E-RES-1", pane.sa_number(), *AUGUST, quantities=(
        QuantityInput("KWH", None, None, "750"),)))
    pane.check_rate()
    settle(qtbot)
    assert pane.outcome is not None
    assert pane.results.calc_lines.total.text() == "$119.94"   # IL: 6.25 % sales tax

    grid.set_value(row, "CA")                     # typed over the hint: an override
    assert grid.rows() == (("STATE", "CA"),)
    assert "Inputs changed" in pane.stale.text()
    pane.check_rate()
    settle(qtbot)
    # 8.25 % of 112.18 = 9.25 instead of 7.01
    assert pane.results.calc_lines.total.text() == money_text(Decimal("122.18"), "USD")

    grid.set_value(row, "")                       # cleared: the SA's value again
    assert grid.rows() == () and grid.table.item(row, 1).text() == "IL"
    grid.table.setCurrentCell(row, 1)
    grid.remove_row()                             # the SA's row cannot be removed
    assert grid.row_of("STATE") == row and "SA's" in grid.message_text()


def test_a_bill_of_the_sa_fills_the_check_and_says_what_it_charged(
        qtbot: QtBot, demo_db: Database, tmp_path: Path) -> None:
    number = _billed_e_res_1(demo_db)
    pane = _pane(qtbot, demo_db)
    _load(qtbot, pane, number)
    defaults = pane.defaults
    assert defaults is not None and defaults.bill_segment is not None
    bills = defaults.bill_segments
    assert pane.segment.count() == len(bills) + 1            # "None" first
    assert pane.form.segment_number() == bills[0].number     # the last bill by default

    third = bills[2]
    index = pane.segment.findData(third.number)
    pane.segment.setCurrentIndex(index)
    pane.segment.activated.emit(index)                       # the CSR picks the third bill
    assert pane.form.period() == (third.start, third.end)
    assert pane.accounting.date().toPython() == third.bill_date
    assert pane.quantities.rows() == third.quantities
    qtbot.keyClick(pane.quantities.table, Qt.Key.Key_Return)
    settle(qtbot)

    outcome = pane.outcome
    assert outcome is not None and outcome.billed == third
    assert outcome.request.bill_segment == third.number
    header = pane.billed.text()
    assert pane.billed.isVisible()
    assert f"Bill segment {third.number}" in header
    assert money_text(third.amount, "USD") in header
    difference = outcome.billed_difference
    assert difference is not None and money_text(abs(difference), "USD") in header

    target = tmp_path / "bill-check.pdf"
    pane.ask_pdf_path = lambda _suggested: str(target)
    pane.print_result()
    settle(qtbot)
    printed = PdfReader(target).pages[0].extract_text()
    assert f"Bill segment {third.number}" in printed
    assert money_text(third.amount, "USD") in printed


def test_a_bill_segment_id_typed_alone_brings_its_sa(qtbot: QtBot, demo_db: Database) -> None:
    number = _billed_e_res_1(demo_db)
    bill = rate_check.agreement_defaults(demo_db, number).bill_segments[1]
    pane = _pane(qtbot, demo_db)
    pane.segment.setEditText(bill.number)
    qtbot.keyClick(pane.form.segment_edit, Qt.Key.Key_Return)   # reads the bill, then checks
    settle(qtbot)
    assert pane.sa_number() == number
    assert pane.form.period() == (bill.start, bill.end)
    assert pane.outcome is not None and pane.outcome.billed == bill

    wrong = bill_segment_number(10**7)
    pane.segment.setEditText(wrong)
    qtbot.keyClick(pane.form.segment_edit, Qt.Key.Key_Return)
    settle(qtbot)
    assert f"There is no bill segment {wrong}" in pane.error_text("bill_segment")


def test_without_an_sa_the_revenue_class_follows_the_rate(qtbot: QtBot,
                                                          demo_db: Database) -> None:
    pane = _pane(qtbot, demo_db)
    pane.rate.setEditText("E-COM-1")
    assert combo_code(pane.revenue) == "COM"
    pane.rate.setEditText("E-RES-1")
    assert combo_code(pane.revenue) == "RES"
    index = pane.revenue.findData("IND")
    pane.revenue.setCurrentIndex(index)               # picked by the CSR: kept
    pane.rate.setEditText("E-COM-1")
    assert combo_code(pane.revenue) == "IND"
    pane.revenue.setCurrentIndex(0)                   # blank, no SA: the service says so
    pane.rate.setEditText("RX-01")                    # a name that implies no class
    pane.quantities.set_quantity(0, "750")
    pane.check_rate()
    settle(qtbot)
    assert "Pick the revenue class" in pane.error_text("revenue_class"), [
        pane.error_text(f) for f in ("general", "rate_schedule", "quantities")]


def test_an_empty_database_says_how_to_get_rates(qtbot: QtBot, empty_db: Database) -> None:
    check = _pane(qtbot, empty_db)
    assert check.error_text("general") == NO_RATES
    editor = _editor(qtbot, empty_db)
    assert editor.empty.text() == EMPTY_LIBRARY
    shipped = editor.library_actions.shipped_button
    assert shipped.isVisible()
    _click(qtbot, shipped)
    settle(qtbot)
    assert "Rate files imported:" in editor.empty_message.text()
    assert editor.tree_texts("E-RES-1")
    assert not shipped.isVisible()


def test_an_analyst_builds_a_rate_checks_it_and_prints_it(qtbot: QtBot, empty_db: Database,
                                                          tmp_path: Path) -> None:
    """Done-when of the rates issue: a rate from nothing in the editor, validated, checked in
    Rate Check, printed."""
    rates.load_shipped_rates(empty_db, ANALYST)          # units, currencies, GL codes
    editor = _editor(qtbot, empty_db)
    _click(qtbot, editor.new_schedule_button)
    form = editor.schedule_page.form
    for key, value in (("code", "flat1"), ("description", "Flat residential rate"),
                       ("service_type", "ELECTRIC"), ("frequency", "MONTHLY"),
                       ("currency", "USD")):
        _type(qtbot, form.widgets[key], value)
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    dialog = editor.new_version_dialog()
    assert dialog is not None
    dialog.set_effective(JAN)
    dialog.accept()
    settle(qtbot)
    components = editor.components
    qtbot.keyClick(components.grid, Qt.Key.Key_Insert)
    _choose(qtbot, _field(components, "type"), "SQ")
    _choose(qtbot, _field(components, "value_type"), "UNIT_RATE")
    _type(qtbot, _field(components, "value"), "0.1325")
    _type(qtbot, _field(components, "uom"), "KWH")
    _type(qtbot, _field(components, "description_on_bill"), "%Q kWh at %I")
    _type(qtbot, _field(components, "gl"), "REV-RES")
    _click(qtbot, editor.status_buttons[rates.RateVersionStatus.VALIDATED])
    assert editor.status_label.text() == "Validated"

    window = editor.window()
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    check = window.tabs.currentWidget()
    assert isinstance(check, RateCheckPane)
    check.fill(RateCheckRequest("FLAT1", None, JAN, dt.date(2026, 1, 31), quantities=(
        QuantityInput("KWH", None, None, "812"),), revenue_class="RES"))
    check.check_rate()
    settle(qtbot)
    # 812 × 0.1325 = 107.59; a Validated version is used by a rate check (S-RC-08)
    assert check.results.calc_lines.total.text() == "$107.59"
    target = tmp_path / "flat1.pdf"
    check.ask_pdf_path = lambda _suggested: str(target)
    check.print_result()
    settle(qtbot)
    printed = PdfReader(target).pages[0].extract_text()
    assert "FLAT1" in printed and "812 kWh at" in printed and "$107.59" in printed
