"""The Rate Check pane (spec/20 §9, §13.12) driven as a CSR would: pick a demo SA, let the pane
default its rate, change the quantity, check with Enter and read the total — the service's,
and right by hand; a bad period and a missing characteristic are shown beside their inputs;
a failed check leaves nothing stale looking current; Compare Rates highlights the cheapest;
Ctrl+P saves the one-page PDF."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, QPoint, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from app.db import Database, open_database
from app.demo import generate
from app.reports.formatting import money_text
from app.services import rate_check, rate_compare
from app.services.rate_check import QuantityInput, RateCheckRequest
from app.services.rate_compare import CompareRequest, UsageMonth
from app.views.current_context import CurrentAccount, CurrentContext
from app.views.editable_grid import combo_code
from app.views.panes import PaneContext, pane_spec
from app.views.rate_check import CALC_LINES, COMPARE, REGISTER_READ, RateCheckPane
from tests.conftest import CSR
from tests.views.conftest import RecordingHost, activate, settle

D = Decimal
CENT = D("0.01")
AUGUST = (dt.date(2025, 8, 1), dt.date(2025, 8, 31))




@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path = tmp_path_factory.mktemp("rate-check") / "demo.sqlite"
    db = open_database(f"sqlite:///{path}")
    generate(db, 20, seed=3)
    yield db
    db.dispose()




def _residential_sa(db: Database) -> tuple[str, str]:
    """A demo agreement on E-RES-1 (and its account)."""
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT sa.number, a.number FROM service_agreement sa JOIN account a "
            "ON a.id = sa.account_id WHERE sa.status = 'ACTIVE' ORDER BY sa.id")).all()
    for number, account in rows:
        if rate_check.agreement_defaults(db, number).rate_schedule == "E-RES-1":
            return number, account
    raise AssertionError("the demo has no E-RES-1 agreement")


def _pane(qtbot: QtBot, db: Database, current: CurrentContext | None = None) -> RateCheckPane:
    pane = RateCheckPane(PaneContext(db, CSR, RecordingHost(), current or CurrentContext()))
    qtbot.addWidget(pane)
    pane.resize(1400, 900)
    pane.show()
    qtbot.waitExposed(pane)
    activate(qtbot, pane)
    settle(qtbot)
    return pane


def _set_period(pane: RateCheckPane, start: dt.date, end: dt.date) -> None:
    pane.start.setDate(QDate(start.year, start.month, start.day))
    pane.end.setDate(QDate(end.year, end.month, end.day))


def _calc_grid_rows(pane: RateCheckPane) -> list[tuple[str, str]]:
    """(description, amount) of every line of every header, as the Calc Lines tab shows."""
    out = []
    for section in pane.results.calc_lines.sections:
        grid = section.grid
        out += [(grid.cell_text(r, 1), grid.cell_text(r, 2)) for r in range(grid.row_count())]
    return out


def _by_hand_e_res_1(kwh: int, state_tax_percent: D) -> D:
    """E-RES-1 from 2025-07-01 (app/resources/rates/demo-electric.yaml) for a whole month:
    customer charge 12.75, the first 500 kWh at 0.1243 and the rest at 0.1491 (each line
    rounded to the cent), the state tax on those three lines and the county tax 0.001/kWh."""
    def cents(value: D) -> D:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)

    charge = D("12.75")
    first = cents(min(kwh, 500) * D("0.1243"))
    rest = cents(max(kwh - 500, 0) * D("0.1491"))
    state = cents((charge + first + rest) * state_tax_percent / 100)
    county = cents(kwh * D("0.001"))
    return charge + first + rest + state + county


# ------------------------------------------------------------------------------------ tests

def test_the_pane_is_registered_with_ctrl_6() -> None:
    spec = pane_spec("rate-check")
    assert spec is not None and spec.title == "Rate Check" and spec.shortcut == "Ctrl+6"


def test_before_the_first_check_the_tabs_say_what_to_do(qtbot: QtBot, demo_db: Database
                                                        ) -> None:
    pane = _pane(qtbot, demo_db)
    assert pane.tabs.currentIndex() == CALC_LINES
    assert "Nothing checked yet" in pane.results.pages[0].hint.text()
    assert pane.results.pages[0].currentIndex() == 0
    assert not pane.print_button.isEnabled()
    assert pane.quantities.table.rowCount() == 1  # one empty KWH row to type into
    assert combo_code(pane.quantities._combo(0, 0)) == "KWH"


def test_a_csr_checks_an_sa_with_a_changed_quantity(qtbot: QtBot, demo_db: Database) -> None:
    number, _account = _residential_sa(demo_db)
    pane = _pane(qtbot, demo_db)
    qtbot.keyClicks(pane.sa.lineEdit(), number)
    qtbot.keyClick(pane.sa.lineEdit(), Qt.Key.Key_Return)  # fills from the SA, then checks
    settle(qtbot)
    assert combo_code(pane.rate) == "E-RES-1"  # the SA's current rate (S-RC-01)
    # the SA's characteristics are hints, not sent: the engine reads them day by day
    assert ("STATE", "IL") in pane.characteristics.inherited_rows()
    assert pane.characteristics.rows() == ()
    assert pane.outcome is not None and pane.tabs.currentIndex() == CALC_LINES

    _set_period(pane, *AUGUST)
    pane.quantities.set_quantity(0, "750")
    assert "Inputs changed" in pane.stale.text()
    qtbot.keyClick(pane.quantities.table, Qt.Key.Key_Return)  # Enter checks
    settle(qtbot)

    assert pane.outcome is not None
    request = pane.outcome.request
    assert request.sa_number == number and request.quantities[0].quantity == "750"
    expected = rate_check.check(demo_db, RateCheckRequest(
        sa_number=number, start=AUGUST[0], end=AUGUST[1],
        quantities=(QuantityInput("KWH", None, None, "750", request.quantities[0].service_point),),
        characteristics=request.characteristics, revenue_class=request.revenue_class))
    shown = pane.results.calc_lines.total.text()
    assert shown == money_text(expected.result.total, "USD")
    # nothing typed: the SA's premise is in Illinois, so its 6.25 % sales tax applies
    assert shown == money_text(_by_hand_e_res_1(750, D("6.25")), "USD") == "$119.94"
    # every line is on the Calc Lines tab with its amount, then the header's total row
    rows = _calc_grid_rows(pane)
    lines = expected.result.lines
    assert rows[:len(lines)] == [(ln.description_on_bill, money_text(ln.amount, "USD"))
                                 for ln in lines]
    assert rows[-1] == ("Total of this header", "$119.94")
    assert "Revenue class" in pane.header.text() and "E-RES-1" in pane.header.text()
    assert not pane.stale.isVisible()
    assert pane.results.calc_lines.chart.bar_count() == sum(ln.in_total for ln in lines)


def test_sorting_keeps_the_total_row_last(qtbot: QtBot, demo_db: Database) -> None:
    pane = _pane(qtbot, demo_db)
    pane.check_now(RateCheckRequest("E-RES-1", start=AUGUST[0], end=AUGUST[1], quantities=(
        QuantityInput("KWH", None, None, "750"),), characteristics=(("STATE", "IL"),), revenue_class="RES"))
    settle(qtbot)
    grid = pane.results.calc_lines.sections[0].grid
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        grid.sortByColumn(2, order)
        amounts = grid.column_texts(2)
        assert amounts[-1] == "$119.94" and grid.is_bold(grid.row_count() - 1)
        values = [D(a.strip("$").replace(",", "")) for a in amounts[:-1]]
        assert values == sorted(values, reverse=order == Qt.SortOrder.DescendingOrder)
    assert grid.proxy.index(0, 2).data(Qt.ItemDataRole.TextAlignmentRole) & \
        Qt.AlignmentFlag.AlignRight


def test_end_before_start_is_shown_beside_the_end_date(qtbot: QtBot, demo_db: Database
                                                       ) -> None:
    pane = _pane(qtbot, demo_db)
    pane.rate.setEditText("E-RES-1")
    _set_period(pane, dt.date(2025, 8, 31), dt.date(2025, 8, 1))
    qtbot.mouseClick(pane.check_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    message = pane.messages["end"]
    assert "before the start date" in pane.error_text("end")
    assert message.isVisible() and pane.error_text("general") == ""
    # just under the end date
    below = pane.end.mapTo(pane, QPoint(0, pane.end.height()))
    assert 0 <= message.y() - below.y() <= 12
    assert pane.outcome is None and pane.results.pages[0].currentIndex() == 0


def test_a_missing_characteristic_is_shown_beside_the_characteristics(
        qtbot: QtBot, demo_db: Database) -> None:
    pane = _pane(qtbot, demo_db)
    pane.rate.setEditText("E-RES-1")
    _set_period(pane, *AUGUST)
    pane.quantities.set_quantity(0, "750")
    pane.characteristics.clear_rows()
    pane.check_rate()
    settle(qtbot)
    shown = pane.error_text("characteristics")
    assert "STATE" in shown  # the rate needs it (S-RC-03)
    assert pane.characteristics.message.isVisible()
    assert pane.error_text("general") == "" and pane.error_text("end") == ""


def test_a_failed_check_greys_the_previous_result(qtbot: QtBot, demo_db: Database) -> None:
    pane = _pane(qtbot, demo_db)
    good = RateCheckRequest("E-RES-1", start=AUGUST[0], end=AUGUST[1], quantities=(
        QuantityInput("KWH", None, None, "750"),), characteristics=(("STATE", "IL"),))
    pane.fill(good)
    pane.check_rate()
    settle(qtbot)
    assert pane.print_button.isEnabled() and pane.results.pages[0].isEnabled()
    pane.quantities.set_quantity(0, "lots")
    pane.check_rate()
    settle(qtbot)
    assert "not a number" in pane.error_text("quantities")
    assert not pane.results.pages[0].isEnabled() and not pane.print_button.isEnabled()
    assert "Not current" in pane.stale.text() and pane.stale.isVisible()
    pane.quantities.set_quantity(0, "750")
    pane.check_rate()
    settle(qtbot)
    assert pane.results.pages[0].isEnabled() and not pane.stale.isVisible()
    assert pane.error_text("quantities") == ""


def test_an_unknown_rate_is_shown_beside_the_rate(qtbot: QtBot, demo_db: Database) -> None:
    pane = _pane(qtbot, demo_db)
    pane.rate.setEditText("NO-SUCH")
    pane.check_rate()
    settle(qtbot)
    assert "NO-SUCH" in pane.error_text("rate_schedule")


def test_the_other_tabs_and_alt_keys(qtbot: QtBot, demo_db: Database) -> None:
    pane = _pane(qtbot, demo_db)
    pane.fill(RateCheckRequest("E-RES-1", start=AUGUST[0], end=AUGUST[1], quantities=(
        QuantityInput("KWH", None, None, "750"),), characteristics=(("STATE", "IL"),), revenue_class="RES"))
    qtbot.keyClick(pane.check_button, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    activate(qtbot, pane, focus=pane.tabs)
    qtbot.keyClick(pane.tabs, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert pane.tabs.currentIndex() == REGISTER_READ
    reads = pane.results.register_reads
    assert reads.row_count() == 1 and reads.cell_text(0, 0) == "KWH"
    assert reads.cell_text(0, 3) == "750" and reads.cell_text(0, 7) == "750"
    sq = pane.results.sq_details
    assert [sq.cell_text(0, c) for c in (0, 3, 4)] == ["KWH", "750", "750"]
    chars = pane.results.characteristics
    assert (chars.cell_text(0, 0), chars.cell_text(0, 1)) == ("STATE", "IL")


def test_compare_highlights_the_cheapest_rate(qtbot: QtBot, demo_db: Database) -> None:
    number, _account = _residential_sa(demo_db)
    pane = _pane(qtbot, demo_db)
    pane.sa.setEditText(number)
    pane.load_agreement(number)
    settle(qtbot)
    _set_period(pane, *AUGUST)
    pane.quantities.set_quantity(0, "750")
    pane.tabs.setCurrentIndex(COMPARE)      # Alt+5 needs an active window, which CI lacks
    assert pane.tabs.currentIndex() == COMPARE
    pane.compare.tick(["E-RES-1", "E-RES-TOU", "E-COM-1"])
    qtbot.mouseClick(pane.compare.compare_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    request = pane.request()
    expected = rate_compare.compare_rates(demo_db, CompareRequest(
        ("E-RES-1", "E-RES-TOU", "E-COM-1"),
        (UsageMonth(AUGUST[0], AUGUST[1], request.quantities),), number,
        request.characteristics, request.revenue_class))
    assert expected.cheapest is not None
    assert pane.compare.highlighted_code() == expected.cheapest
    assert expected.cheapest in pane.compare.sentence.text()
    assert pane.compare.grid.row_count() == 3
    assert pane.compare.chart.bar_count() == sum(
        1 for r in expected.rates if r.eligible and r.annual is not None)


def test_ctrl_p_saves_the_one_page_pdf(qtbot: QtBot, demo_db: Database, tmp_path: Path
                                       ) -> None:
    pane = _pane(qtbot, demo_db)
    pane.check_now(RateCheckRequest("E-RES-1", start=AUGUST[0], end=AUGUST[1], quantities=(
        QuantityInput("KWH", None, None, "750"),), characteristics=(("STATE", "IL"),), revenue_class="RES"))
    settle(qtbot)
    target = tmp_path / "check"
    pane.ask_pdf_path = lambda suggested: str(target)
    activate(qtbot, pane, focus=pane.tabs)
    qtbot.keyClick(pane.tabs, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    pdf = tmp_path / "check.pdf"
    assert pdf.exists()
    assert len(PdfReader(pdf).pages) == 1
    assert any(str(pdf) in status for status in pane.ctx.host.statuses)  # type: ignore[attr-defined]


def test_the_current_account_offers_its_first_active_sa(qtbot: QtBot, demo_db: Database
                                                        ) -> None:
    _number, account = _residential_sa(demo_db)
    current = CurrentContext()
    current.set_account(CurrentAccount(account, f"account {account}"))
    pane = _pane(qtbot, demo_db, current)
    settle(qtbot)
    assert pane.sa.count() >= 1
    assert pane.sa_number() and pane.defaults is not None
    assert pane.defaults.sa_number == pane.sa_number()
    assert combo_code(pane.rate) == pane.defaults.rate_schedule
