"""The Loans pane driven as a loan officer would (spec/50 P-LN1): start a loan with Calculate
then Start, read the forecast and its chart, plan an extra payment and read what it saves;
then activate, bill, overpay, renegotiate and pay off through the pane's dialogs. Bad input
shows a message beside its field and saves nothing; the schedule prints and exports."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.db import Database
from app.engine.loans import ExtraPayment, Frequency, LoanTerms, PaymentChange, savings, schedule
from app.models.enums import SAStatus, UserRole
from app.services import loans
from app.services.context import Actor
from app.views.current_context import CurrentAccount, CurrentContext
from app.views.loan_dialogs import StartLoanDialog
from app.views.loans import LoansPane
from app.views.panes import PaneContext
from tests.services.builders import household
from tests.services.loan_fixtures import active_loan, bill_and_pay, start_loan
from tests.views.conftest import RecordingHost, settle

OFFICER = Actor("lo1", "Lena Officer", frozenset({UserRole.CSR, UserRole.SUPERVISOR}))
LEFT = Qt.MouseButton.LeftButton
START = "2025-01-10"


@pytest.fixture
def account(empty_db: Database) -> str:
    return household(empty_db).account


def _pane(qtbot: QtBot, db: Database, account: str | None) -> LoansPane:
    current = CurrentContext()
    if account:
        current.set_account(CurrentAccount(account, f"Okafor, Ngozi · account {account}"))
    pane = LoansPane(PaneContext(db, OFFICER, RecordingHost(), current))
    qtbot.addWidget(pane)
    pane.resize(1400, 900)
    pane.show()
    settle(qtbot)
    return pane


def _type(qtbot: QtBot, field, text: str) -> None:  # type: ignore[no-untyped-def]
    field.setFocus()
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    if text:
        qtbot.keyClicks(field, text)


def _start_dialog(qtbot: QtBot, pane: LoansPane, amount: str, periods: str,
                  payment: str = "") -> StartLoanDialog:
    dialog = pane.start_loan_dialog()
    assert isinstance(dialog, StartLoanDialog)
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("LN-UPGRADE"))
    dialog.option_combo.setCurrentIndex(dialog.option_combo.findData("UPGRADE-OTHER"))
    _type(qtbot, dialog.start_date, START)
    _type(qtbot, dialog.amount, amount)
    _type(qtbot, dialog.periods, periods)
    _type(qtbot, dialog.payment, payment)
    return dialog


def test_a_csr_starts_a_loan_sees_forecast_and_chart_and_plans_an_extra_payment(
        qtbot: QtBot, empty_db: Database, account: str) -> None:
    pane = _pane(qtbot, empty_db, account)
    assert not pane.body.isVisible() and "has no loans" in pane.empty_text.text()
    dialog = _start_dialog(qtbot, pane, "10000", "12")
    assert not dialog.submit_button.isEnabled()          # Calculate first
    qtbot.mouseClick(dialog.calculate_button, LEFT)
    assert dialog.payment.text() == "860.67" and dialog.periods.text() == "12"
    assert "12 payments of 860.67" in dialog.result.text()
    assert "Total interest 327.96" in dialog.result.text()
    assert dialog.submit_button.isEnabled()
    qtbot.mouseClick(dialog.submit_button, LEFT)
    settle(qtbot)
    qtbot.waitUntil(lambda: pane.view is not None, timeout=10_000)
    assert pane.view is not None and pane.view.status is SAStatus.PENDING_START
    assert pane.fields["next_payment"].text() == "$860.67"
    tab = pane.forecast_tab
    assert tab.model.rowCount() == 13                   # to-date row + 12 payments
    assert tab.model.index(12, 2).data() == "860.59"    # the closing payment
    assert tab.summary.text().startswith("12 payments left · last $860.59")
    xs, ys = tab.chart.series["Balance"]
    assert (xs[0], ys[0], xs[-1], ys[-1]) == (0.0, 10000.0, 12.0, 0.0)
    # What if the customer pays 100.00 more every month?
    _type(qtbot, tab.extra_amount, "100")
    qtbot.keyClick(tab.extra_amount, Qt.Key.Key_Return)
    start = dt.date(2025, 1, 10)
    terms = LoanTerms(Decimal("10000.00"), Decimal(6), Frequency.MONTHLY, start,
                      (PaymentChange(start, Decimal("860.67")),))
    saved = savings(schedule(terms),
                    schedule(terms, extras=[ExtraPayment(Decimal(100), 1, True)]))
    assert f"saving ${saved.interest:,.2f} in interest" in tab.savings.text()
    assert f"{saved.periods} payment sooner" in tab.savings.text()
    assert tab.model.index(1, 3).data() == "100.00" and not tab.table.isColumnHidden(3)
    assert "Balance with extra payments" in tab.chart.series


def test_bad_start_input_shows_beside_the_field_and_saves_nothing(
        qtbot: QtBot, empty_db: Database, account: str) -> None:
    pane = _pane(qtbot, empty_db, account)
    for amount, periods, payment, field, text in (
            ("10000", "0", "", "periods", "whole number of at least 1"),
            ("-5", "12", "", "loan_amount", "must be above zero"),
            ("10000", "", "10.00", "payment", "does not cover the interest 50.00"),
            ("10000", "12", "900", "periods", "leave the other blank")):
        dialog = _start_dialog(qtbot, pane, amount, periods, payment)
        qtbot.mouseClick(dialog.calculate_button, LEFT)
        assert text in dialog.error_text(field), (field, dialog.error_text(field))
        assert not dialog.submit_button.isEnabled()
        dialog.reject()
    assert loans.loans_of_account(empty_db, account) == []


def test_rate_above_100_and_a_payment_below_interest_in_renegotiation(
        qtbot: QtBot, empty_db: Database, account: str) -> None:
    active_loan(empty_db, account)
    pane = _pane(qtbot, empty_db, account)
    tab = pane.forecast_tab
    _type(qtbot, tab.inputs["rate"], "101")
    assert "between 0 and 100 %" in tab.error_text("rate")
    _type(qtbot, tab.inputs["rate"], "6")
    assert tab.error_text("rate") == ""
    _type(qtbot, tab.inputs["payment"], "40")
    assert tab.stack.currentIndex() == 1 and tab.chart.isHidden()
    assert "does not cover the interest 50.00" in tab.negative.text()
    assert "negative amortization" in tab.negative.text()
    _type(qtbot, tab.inputs["payment"], "500")            # valid again: recalculated as typed
    assert tab.stack.currentIndex() == 0 and tab.model.rowCount() == 23
    assert tab.proposed_banner.isVisible() and not tab.save_button.isEnabled()
    qtbot.mouseClick(tab.revert_button, LEFT)
    assert tab.model.rowCount() == 13 and not tab.proposed_banner.isVisible()


def _submit(qtbot: QtBot, dialog, **fields: str) -> None:  # type: ignore[no-untyped-def]
    for name, text in fields.items():
        _type(qtbot, getattr(dialog, name), text)
    qtbot.mouseClick(dialog.submit_button, LEFT)
    settle(qtbot)


def test_start_bill_overpay_renegotiate_and_pay_off_from_the_pane(
        qtbot: QtBot, empty_db: Database, account: str) -> None:
    number = start_loan(empty_db, account)
    pane = _pane(qtbot, empty_db, account)
    assert pane.activate_button.isEnabled() and not pane.bill_button.isEnabled()
    qtbot.mouseClick(pane.activate_button, LEFT)
    settle(qtbot)
    assert pane.fields["payoff"].text() == "$10,000.00"
    _submit(qtbot, pane.bill_dialog(), bill_date=START)
    assert pane.fields["current"].text() == "$860.67"
    _submit(qtbot, pane.payment_dialog(), day="2025-01-20", amount="1000.00")
    assert pane.fields["principal"].text() == "$9,050.00"
    assert pane.fields["current"].text() == "$0.00"
    assert pane.history_tab.item(0, 1).text() == "Overpayment"
    tab = pane.forecast_tab
    assert tab.model.rowCount() == 12 and tab.model.index(11, 2).data() == "713.42"
    # Renegotiate: 9 payments left at 9 %.
    _type(qtbot, tab.inputs["rate"], "9")
    _type(qtbot, tab.inputs["payment"], "")
    _type(qtbot, tab.inputs["periods"], "9")
    assert tab.model.rowCount() == 10 and not tab.save_button.isEnabled()
    qtbot.mouseClick(tab.calculate_button, LEFT)
    payment = tab.inputs["payment"].text()
    assert tab.save_button.isEnabled()
    qtbot.mouseClick(tab.save_button, LEFT)
    settle(qtbot)
    assert pane.fields["next_payment"].text() == f"${Decimal(payment):,.2f}"
    assert pane.fields["rate"].text() == "9 %"
    view = loans.open_loan(empty_db, number)
    assert view.payment_amounts[-1].amount == Decimal(payment)
    # Early payoff on 2025-02-24: 14 days into period 2 (28 days).
    dialog = pane.payoff_dialog()
    _type(qtbot, dialog.end_date, "2025-02-24")
    dialog._quote()
    assert "accrued interest" in dialog.final_text()
    _submit(qtbot, dialog)
    assert pane.view is not None and pane.view.status is SAStatus.PENDING_STOP
    _submit(qtbot, pane.stop_dialog(), on="2025-02-24")
    assert pane.view.status is SAStatus.STOPPED
    final = pane.view.current_balance
    assert final == pane.view.payoff_balance > Decimal("9050.00")
    _submit(qtbot, pane.payment_dialog(), day="2025-02-25", amount=f"{final:.2f}")
    assert pane.view.status is SAStatus.CLOSED
    assert "Closed" in pane.subtitle.text()


def test_refused_payment_shows_beside_its_field(qtbot: QtBot, empty_db: Database,
                                                account: str) -> None:
    active_loan(empty_db, account)
    pane = _pane(qtbot, empty_db, account)
    dialog = pane.payment_dialog()
    _submit(qtbot, dialog, day="2025-01-20", amount="20000")
    assert "more than the payoff balance 10,000.00" in dialog.error_text("amount")
    assert dialog.isVisible()
    assert pane.view is not None and pane.view.history[0].kind == "Principal"
    dialog.reject()


def test_print_and_export_the_schedule_on_screen(qtbot: QtBot, empty_db: Database,
                                                 account: str, tmp_path: Path) -> None:
    active_loan(empty_db, account)
    pane = _pane(qtbot, empty_db, account)
    tab = pane.forecast_tab
    _type(qtbot, tab.extra_amount, "250")
    qtbot.keyClick(tab.extra_amount, Qt.Key.Key_Return)
    pdf, table = tmp_path / "schedule.pdf", tmp_path / "schedule.csv"
    pane.print_schedule(pdf)
    pane.export_csv(table)
    settle(qtbot)
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Loan repayment schedule" in text and "Okafor, Ngozi" in text
    assert "With the extra payments the loan is repaid" in text
    assert "1,110.67" in text                    # 860.67 + 250.00 in the first row
    rows = list(csv.reader(table.open()))
    assert rows[0][0] == "Payment number" and rows[1][1] == "To date"
    assert rows[2][3:5] == ["1110.67", "250.00"] and rows[-1][-1] == "0.00"
    assert len(rows) - 2 == tab.model.rowCount() - 1


def test_without_an_account_the_pane_says_how_to_begin(qtbot: QtBot,
                                                       empty_db: Database) -> None:
    pane = _pane(qtbot, empty_db, None)
    assert "Choose a customer in Control Central" in pane.empty_text.text()
    assert not pane.start_button.isEnabled()
    _type(qtbot, pane.sa_field, "123")
    qtbot.keyClick(pane.sa_field, Qt.Key.Key_Return)
    assert pane.sa_error.isVisible()


def test_the_loan_record_opens_in_the_loans_pane_of_the_window(
        qtbot: QtBot, empty_db: Database, account: str, open_window) -> None:  # type: ignore[no-untyped-def]
    from app.views.record import open_record

    number = active_loan(empty_db, account)
    window = open_window(empty_db)
    open_record(window, "Loan", number)          # the AL-LOAN drill and the tree's loan node
    settle(qtbot)
    assert window.current_pane_name() == "loans"
    pane = window.panes["loans"]
    assert isinstance(pane, LoansPane) and pane.view is not None
    assert pane.view.sa_number == number


def test_screenshot_of_the_loans_pane_shows_the_account_loan(
        qtbot: QtBot, empty_db: Database, account: str, db_url: str, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    from app.cli import main

    active_loan(empty_db, account)
    out = tmp_path / "loans.png"
    assert main(["screenshot", "loans", "--account", account, "--out", str(out),
                 "--database", db_url]) == 0
    assert QImage(str(out)).width() == 1400


def test_a_supervisor_adjusts_the_payoff_balance(qtbot: QtBot, empty_db: Database,
                                                 account: str) -> None:
    active_loan(empty_db, account)
    pane = _pane(qtbot, empty_db, account)
    assert pane.adjust_button.isEnabled()
    dialog = pane.adjust_dialog()
    dialog.effect.setCurrentIndex(dialog.effect.findData("PAYOFF_ONLY"))
    _submit(qtbot, dialog, amount="abc", reason="Waiver")
    assert "not an amount of money" in dialog.error_text("amount")
    _submit(qtbot, dialog, amount="-500.00", reason="Goodwill waiver")
    assert pane.fields["principal"].text() == "$9,500.00"
    assert pane.history_tab.item(0, 2).text() == "Payoff only: Goodwill waiver"


def test_ln_t16_t17_locked_fields_in_the_pane(qtbot: QtBot, empty_db: Database,
                                             account: str) -> None:
    active_loan(empty_db, account, sa_type="LN-CONSERVE", option="CONSERVE-INSUL",
                amount="4500.00", periods=36)
    pane = _pane(qtbot, empty_db, account)
    tab, grids = pane.forecast_tab, pane.grids_tab
    assert not tab.inputs["loan_amount"].isEnabled()            # LN-T16: active
    assert not tab.inputs["rate"].isEnabled()                   # LN-T17: no override
    assert tab.inputs["payment"].isEnabled()
    assert not grids.rates.add_button.isEnabled() and grids.payments.add_button.isEnabled()
    assert "keep their standard rate (4.5 %)" in grids.note.text()


def test_extra_payment_numbers_are_the_tables_and_stay_with_their_loan(
        qtbot: QtBot, empty_db: Database, account: str) -> None:
    number = active_loan(empty_db, account)
    bill_and_pay(empty_db, number, 3)
    other = active_loan(empty_db, account, amount="5000.00")
    pane = _pane(qtbot, empty_db, account)
    pane.open_loan(number)
    settle(qtbot)
    tab = pane.forecast_tab
    assert tab.extra_from.minimum() == 4 and tab.model.index(1, 0).data() == "4"
    tab.extra_recurring.setChecked(False)
    tab.extra_from.setValue(5)
    _type(qtbot, tab.extra_amount, "300")
    qtbot.keyClick(tab.extra_amount, Qt.Key.Key_Return)
    assert tab.model.index(2, 0).data() == "5" and tab.model.index(2, 3).data() == "300.00"
    assert tab.model.index(1, 3).data() == "0.00"
    pane.open_loan(other)
    settle(qtbot)
    assert tab.extras == [] and tab.table.isColumnHidden(3)
    # Calculate fills the payment; typing a new number of payments empties it again.
    _type(qtbot, tab.inputs["payment"], "")
    _type(qtbot, tab.inputs["periods"], "10")
    qtbot.mouseClick(tab.calculate_button, LEFT)
    assert tab.inputs["payment"].text() != "" and tab.save_button.isEnabled()
    _type(qtbot, tab.inputs["periods"], "8")
    assert tab.inputs["payment"].text() == "" and not tab.save_button.isEnabled()
    qtbot.mouseClick(tab.calculate_button, LEFT)
    assert tab.inputs["periods"].text() == "8" and tab.save_button.isEnabled()


def test_a_save_elsewhere_keeps_rows_being_typed(qtbot: QtBot, empty_db: Database,
                                                 account: str) -> None:
    active_loan(empty_db, account)
    pane = _pane(qtbot, empty_db, account)
    grids = pane.grids_tab
    assert not grids.dirty
    grids.payments.add_row()
    grids.payments.table.item(1, 0).setText("2025-06-10")
    assert grids.dirty
    pane.ctx.current.notify_saved(account)        # another pane saved on this account
    settle(qtbot)
    assert grids.payments.row_count() == 2 and grids.payments.table.item(1, 0).text() == \
        "2025-06-10"
    qtbot.mouseClick(grids.revert_button, LEFT)
    assert grids.payments.row_count() == 1 and not grids.dirty
