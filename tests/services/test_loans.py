"""Loans through the services on SQLite and PostgreSQL: start (Calculate then Start),
activation, billing, payments and overpayments, renegotiation, the manual grids, early payoff
and the whole lifecycle, with the numbers of spec/50 §2.5 (LN-T07 … LN-T19)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest

from app.models.enums import SAStatus
from app.services import financials, loan_billing, loan_terms, loans
from app.services.errors import ConcurrentChange, PermissionDenied, ValidationError
from app.services.loan_terms import RenegotiationInputs
from app.services.loans import PaymentRow, RateRow
from tests.conftest import CSR, SUPERVISOR
from tests.services.builders import household
from tests.services.loan_fixtures import (
    START,
    active_loan,
    add_start_option,
    bill_and_pay,
    start_form,
    start_loan,
)

D = Decimal


def test_start_needs_calculate_on_the_same_inputs_then_is_pending_start(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    form = start_form(home.account)
    with pytest.raises(ValidationError, match="Click Calculate") as caught:
        loans.start_loan(db, CSR, form, None)
    assert caught.value.field == "calculate"
    calculation = loans.calculate_start(loans.loan_types(db), form)
    assert (calculation.payment, calculation.periods) == (D("860.67"), 12)
    edited = start_form(home.account, amount="11000.00")
    with pytest.raises(ValidationError, match="Click Calculate"):
        loans.start_loan(db, CSR, edited, calculation)
    number = loans.start_loan(db, CSR, form, calculation)
    view = loans.open_loan(db, number)
    assert view.status is SAStatus.PENDING_START and view.loan_amount_editable
    assert (view.loan_amount, view.next_payment, view.original_payment_periods) == (
        D("10000.00"), D("860.67"), 12)
    assert view.forecast.payments == 12 and view.forecast.total_interest == D("327.96")
    assert [s.sa_number for s in loans.loans_of_account(db, home.account)] == [number]


def test_ln_t06_start_calculate_refuses_a_payment_below_interest(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    add_start_option(db, "UPGRADE-12", "12")
    form = start_form(home.account, periods=None, payment="100.00", option="UPGRADE-12")
    with pytest.raises(ValidationError, match="negative amortization") as caught:
        loans.calculate_start(loans.loan_types(db), form)
    assert caught.value.field == "payment"


def test_ln_t08_t19_activation_billing_and_balances(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = start_loan(db, home.account)
    view = loans.activate_loan(db, CSR, number)
    assert view.status is SAStatus.ACTIVE
    assert (view.current_balance, view.payoff_balance, view.principal_balance) == (
        D("0.00"), D("10000.00"), D("10000.00"))
    bill = loan_billing.bill_loan(db, SUPERVISOR, number, START)
    assert (bill.amount, bill.interest, bill.principal, bill.closing) == (
        D("860.67"), D("50.00"), D("810.67"), False)
    view = bill.view
    assert (view.current_balance, view.payoff_balance, view.principal_balance) == (
        D("860.67"), D("10050.00"), D("9189.33"))
    assert financials.account_balance(db, home.account) == D("860.67")
    # (b) no payment: no interest on past due — bill 2 still charges 45.95
    unpaid = loan_billing.bill_loan(db, SUPERVISOR, number, dt.date(2025, 2, 10))
    assert unpaid.interest == D("45.95")
    assert unpaid.view.current_balance == D("1721.34")


def test_ln_t08a_payment_lowers_current_and_payoff(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    loan_billing.bill_loan(db, SUPERVISOR, number, START)
    view = loan_billing.pay_loan(db, CSR, number, dt.date(2025, 1, 20), "860.67")
    assert (view.current_balance, view.payoff_balance) == (D("0.00"), D("9189.33"))
    assert loan_billing.bill_loan(db, SUPERVISOR, number, dt.date(2025, 2, 10)).interest == \
        D("45.95")
    history = loans.open_loan(db, number).history
    assert [(h.kind, h.current_amount, h.current_balance, h.payoff_amount, h.payoff_balance)
            for h in history] == [
        ("Bill", D("860.67"), D("860.67"), D("45.95"), D("9235.28")),
        ("Payment", D("-860.67"), D("0.00"), D("-860.67"), D("9189.33")),
        ("Bill", D("860.67"), D("860.67"), D("50.00"), D("10050.00")),
        ("Principal", D("0.00"), D("0.00"), D("10000.00"), D("10000.00")),
    ]


@pytest.mark.parametrize(("paid", "adjusted", "principal", "rows", "last", "interest"), [
    ("1000.00", "139.33", "9050.00", 11, "713.42", "270.12"),    # LN-T09
    ("2000.00", "1139.33", "8050.00", 10, "519.39", "215.42"),   # LN-T10
])
def test_ln_t09_t10_overpayment_moves_to_principal_and_shortens_the_term(  # type: ignore[no-untyped-def]
        db, paid: str, adjusted: str, principal: str, rows: int, last: str,
        interest: str) -> None:
    home = household(db)
    number = active_loan(db, home.account)
    loan_billing.bill_loan(db, SUPERVISOR, number, START)
    view = loan_billing.pay_loan(db, CSR, number, dt.date(2025, 1, 20), paid)
    assert (view.current_balance, view.payoff_balance, view.principal_balance) == (
        D("0.00"), D(principal), D(principal))
    assert (view.history[0].kind, view.history[0].current_amount,
            view.history[0].payoff_amount) == ("Overpayment", D(adjusted), D("0.00"))
    assert financials.account_balance(db, home.account) == D("0.00")
    assert view.forecast.payments == rows
    assert view.forecast.rows[-1].amount == D(last)
    assert view.forecast.future_interest == D(interest)
    if paid == "1000.00":
        assert loan_billing.bill_loan(db, SUPERVISOR, number,
                                      dt.date(2025, 2, 10)).interest == D("45.25")


def test_ln_t11_renegotiate_rate_keep_remaining_periods(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    bill_and_pay(db, number, 3)
    view = loans.open_loan(db, number)
    assert view.principal_balance == D("7555.81")
    inputs = RenegotiationInputs(D("9"), 9, None)
    calculation = loan_terms.calculate_renegotiation(view, inputs)
    assert (calculation.payment, calculation.periods) == (D("871.34"), 9)
    to_date, first = calculation.forecast.rows[0], calculation.forecast.rows[1]
    assert (to_date.cumulative_interest, to_date.cumulative_principal, to_date.balance) == (
        D("137.82"), D("2444.19"), D("7555.81"))
    assert (first.start, first.amount, first.interest, first.balance) == (
        dt.date(2025, 4, 10), D("871.34"), D("56.67"), D("6741.14"))
    assert calculation.forecast.total_interest == D("423.98")
    saved = loan_terms.save_renegotiation(db, CSR, number, inputs, calculation, view.version)
    assert saved.rate_overrides == (RateRow(dt.date(2025, 4, 10), None, D("9")),)
    assert saved.payment_amounts == (PaymentRow(START, D("860.67")),
                                     PaymentRow(dt.date(2025, 4, 10), D("871.34")))
    assert (saved.rate, saved.next_payment) == (D("9"), D("871.34"))
    bill = loan_billing.bill_loan(db, SUPERVISOR, number, dt.date(2025, 4, 10))
    assert (bill.amount, bill.interest) == (D("871.34"), D("56.67"))


def test_ln_t12_renegotiate_rate_keep_payment(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    bill_and_pay(db, number, 3)
    view = loans.open_loan(db, number)
    calculation = loan_terms.calculate_renegotiation(
        view, RenegotiationInputs(D("9"), None, D("860.67")))
    assert calculation.periods == 10 and calculation.forecast.rows[-1].amount == D("99.61")


def test_ln_t13_calculate_validation_and_stale_save(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    view = loans.open_loan(db, number)
    with pytest.raises(ValidationError, match="leave the other blank"):
        loan_terms.calculate_renegotiation(view, RenegotiationInputs(D("6"), None, None))
    with pytest.raises(ValidationError, match="leave the other blank"):
        loan_terms.calculate_renegotiation(view, RenegotiationInputs(D("6"), 12, D("900.00")))
    calculation = loan_terms.calculate_renegotiation(view, RenegotiationInputs(D("6"), 10, None))
    with pytest.raises(ValidationError, match="Click Calculate"):
        loan_terms.save_renegotiation(db, CSR, number, RenegotiationInputs(D("6"), 11, None),
                                      calculation, view.version)


def test_ln_t14_renegotiate_before_activation_updates_in_place(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = start_loan(db, home.account)
    view = loans.open_loan(db, number)
    inputs = RenegotiationInputs(D("6"), 12, None, loan_amount=D("12000.00"))
    calculation = loan_terms.calculate_renegotiation(view, inputs)
    assert calculation.payment == D("1032.80")
    saved = loan_terms.save_renegotiation(db, CSR, number, inputs, calculation, view.version)
    assert saved.loan_amount == D("12000.00")
    assert saved.payment_amounts == (PaymentRow(START, D("1032.80")),)
    assert saved.rate_overrides == ()


def test_ln_t16_loan_amount_is_locked_once_active(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    view = loans.open_loan(db, number)
    assert not view.loan_amount_editable
    with pytest.raises(ValidationError, match="only before the loan is activated") as caught:
        loan_terms.calculate_renegotiation(
            view, RenegotiationInputs(D("6"), 12, None, loan_amount=D("12000.00")))
    assert caught.value.field == "loan_amount"


def test_ln_t17_rate_override_needs_the_type_to_allow_it(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account, sa_type="LN-CONSERVE", option="CONSERVE-INSUL",
                         amount="4500.00", periods=36)
    view = loans.open_loan(db, number)
    assert not view.allow_rate_override and view.rate == D("4.5")
    with pytest.raises(ValidationError, match="keep their standard rate") as caught:
        loan_terms.calculate_renegotiation(view, RenegotiationInputs(D("3"), 36, None))
    assert caught.value.field == "rate"
    with pytest.raises(ValidationError, match="override grid is read-only"):
        loan_terms.save_grids(db, CSR, number, [RateRow(START, None, D("3"))],
                              view.payment_amounts, view.version)


def test_ln_t07_manual_payment_below_interest_saves_then_bills_in_error(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    add_start_option(db, "UPGRADE-12", "12")
    number = active_loan(db, home.account, option="UPGRADE-12", periods=None, payment="150.00")
    bill = loan_billing.bill_loan(db, SUPERVISOR, number, START)
    assert bill.interest == D("100.00")
    loan_billing.pay_loan(db, CSR, number, START, bill.amount)
    view = loans.open_loan(db, number)
    feb = dt.date(2025, 2, 10)
    view = loan_terms.save_grids(db, CSR, number, [],
                                 [*view.payment_amounts, PaymentRow(feb, D("95.00"))],
                                 view.version)
    assert not view.forecast.ok
    assert "does not cover the interest 99.50" in (view.forecast.error or "")
    failed = loan_billing.bill_loan(db, SUPERVISOR, number, feb)
    assert not failed.ok and "negative amortization" in (failed.error or "")
    assert failed.view.billing_error and failed.view.current_balance == D("0.00")
    view = loan_terms.save_grids(db, CSR, number, [],
                                 [PaymentRow(START, D("150.00")), PaymentRow(feb, D("150.00"))],
                                 failed.view.version)
    assert view.forecast.ok
    ok = loan_billing.bill_loan(db, SUPERVISOR, number, feb)
    assert ok.ok and ok.amount == D("150.00") and ok.view.billing_error is None


def test_ln_t15_one_bill_for_two_periods(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    bill_and_pay(db, number, 1)
    bill = loan_billing.bill_loan(db, SUPERVISOR, number, dt.date(2025, 2, 10), periods=2)
    assert (bill.interest, bill.amount) == (D("91.89"), D("1721.34"))
    assert bill.view.next_period.start == dt.date(2025, 4, 10)


@pytest.mark.parametrize(("end", "final", "accrued"), [
    (dt.date(2025, 4, 9), "7555.81", "0.00"),
    (dt.date(2025, 4, 24), "7574.70", "18.89"),
])
def test_ln_t18_early_payoff_final_bill_then_closed(db, end: dt.date, final: str,  # type: ignore[no-untyped-def]
                                                   accrued: str) -> None:
    home = household(db)
    number = active_loan(db, home.account)
    bill_and_pay(db, number, 3)
    view = loans.open_loan(db, number)
    assert loan_billing.payoff_amount(view, end) == (D(final), D(accrued))
    view = loan_billing.request_payoff(db, CSR, number, end, view.version)
    assert view.status is SAStatus.PENDING_STOP and view.end_date == end
    with pytest.raises(ValidationError, match="stays pending stop until then"):
        loan_billing.stop_loan(db, CSR, number, end - dt.timedelta(days=1))
    view = loan_billing.stop_loan(db, CSR, number, end)
    assert view.status is SAStatus.STOPPED
    assert (view.current_balance, view.payoff_balance) == (D(final), D(final))
    view = loan_billing.pay_loan(db, CSR, number, end, final)
    assert view.status is SAStatus.CLOSED and view.payoff_balance == 0


def test_ln_t19_closing_bill_batch_stop_and_close(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    bill_and_pay(db, number, 11)
    last = loan_billing.bill_loan(db, SUPERVISOR, number, dt.date(2025, 12, 10))
    assert last.closing and last.amount == D("860.59")
    assert last.view.status is SAStatus.PENDING_STOP
    assert last.view.end_date == dt.date(2026, 1, 9)
    assert loan_billing.run_loan_lifecycle(db, SUPERVISOR, dt.date(2026, 1, 8)) == \
        loan_billing.LoanBatchResult(0, 0)
    assert loan_billing.run_loan_lifecycle(db, SUPERVISOR, dt.date(2026, 1, 9)) == \
        loan_billing.LoanBatchResult(0, 1)
    view = loans.open_loan(db, number)
    assert view.status is SAStatus.STOPPED and view.current_balance == D("860.59")
    view = loan_billing.pay_loan(db, CSR, number, dt.date(2026, 1, 12), "860.59")
    assert view.status is SAStatus.CLOSED
    total_interest = sum((h.payoff_amount for h in view.history if h.kind == "Bill"), D(0))
    assert total_interest == D("327.96")


def test_batch_activates_started_loans(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = start_loan(db, home.account)
    assert loan_billing.run_loan_lifecycle(db, SUPERVISOR, START) == \
        loan_billing.LoanBatchResult(1, 0)
    assert loans.open_loan(db, number).payoff_balance == D("10000.00")


def test_cancel_before_billing_only(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    pending = start_loan(db, home.account)
    assert loans.cancel_loan(db, CSR, pending).status is SAStatus.CANCELED
    active = active_loan(db, home.account)
    view = loans.cancel_loan(db, CSR, active)
    assert view.status is SAStatus.CANCELED and view.payoff_balance == 0
    billed = active_loan(db, home.account)
    loan_billing.bill_loan(db, SUPERVISOR, billed, START)
    with pytest.raises(ValidationError, match="cannot be canceled"):
        loans.cancel_loan(db, CSR, billed)


def test_bad_money_and_dates_are_refused_beside_their_field(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    with pytest.raises(ValidationError, match="billed in advance") as caught:
        loan_billing.bill_loan(db, SUPERVISOR, number, START - dt.timedelta(days=1))
    assert caught.value.field == "bill_date"
    with pytest.raises(ValidationError, match="more than the payoff balance"):
        loan_billing.pay_loan(db, CSR, number, START, "10000.01")
    with pytest.raises(ValidationError, match="above zero"):
        loan_billing.pay_loan(db, CSR, number, START, "-5")
    with pytest.raises(PermissionDenied):
        loan_billing.bill_loan(db, CSR, number, START)
    assert loans.open_loan(db, number).history[0].kind == "Principal"   # nothing half-saved


def test_grids_refuse_overlaps_and_changes_to_billed_periods(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    bill_and_pay(db, number, 2)
    view = loans.open_loan(db, number)
    with pytest.raises(ValidationError, match="overlaps"):
        loan_terms.save_grids(db, CSR, number, [
            RateRow(dt.date(2025, 3, 10), dt.date(2025, 6, 9), D("7")),
            RateRow(dt.date(2025, 5, 10), None, D("8"))], view.payment_amounts, view.version)
    with pytest.raises(ValidationError, match="are billed; the payment from 10 Jan 2025"):
        loan_terms.save_grids(db, CSR, number, [], [PaymentRow(START, D("900.00"))],
                              view.version)
    with pytest.raises(ValidationError, match="are billed; a rate row starting 10 Feb 2025"):
        loan_terms.save_grids(db, CSR, number, [RateRow(dt.date(2025, 2, 10), None, D("7"))],
                              view.payment_amounts, view.version)
    view = loan_terms.save_grids(db, CSR, number,
                                 [RateRow(dt.date(2025, 3, 10), dt.date(2025, 6, 9), D("7"))],
                                 view.payment_amounts, view.version)
    assert view.rate == D("7") and view.forecast.rows[1].interest == D("48.85")  # 8374.61×7/1200


def test_a_save_on_a_view_another_user_overtook_is_refused(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    view = loans.open_loan(db, number)
    inputs = RenegotiationInputs(D("6"), 10, None)
    calculation = loan_terms.calculate_renegotiation(view, inputs)
    loan_billing.bill_loan(db, SUPERVISOR, number, START)     # another workstation bills
    with pytest.raises(ConcurrentChange, match="reload"):
        loan_terms.save_renegotiation(db, CSR, number, inputs, calculation, view.version)


def test_two_workstations_billing_at_once_bill_two_different_periods(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def bill() -> None:
        barrier.wait()
        try:
            results.append(loan_billing.bill_loan(db, SUPERVISOR, number, dt.date(2025, 3, 1)))
        except Exception as exc:  # noqa: BLE001 — the test reports what happened
            results.append(exc)

    threads = [threading.Thread(target=bill) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    periods = sorted(r.period.number for r in results if isinstance(r, loan_billing.LoanBillResult))
    assert periods == [1, 2], results
    view = loans.open_loan(db, number)
    assert view.current_balance == D("1721.34") and view.next_period.number == 3
    assert financials.account_balance(db, home.account) == D("1721.34")


def test_ln_f9_adjustments_payoff_only_current_only_and_both(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    loan_billing.bill_loan(db, SUPERVISOR, number, START)
    view = loan_billing.adjust_loan(db, SUPERVISOR, number, START,
                                    loan_billing.AdjustmentEffect.PAYOFF_ONLY, "-189.33",
                                    "Goodwill: principal waived")
    assert (view.current_balance, view.payoff_balance, view.principal_balance) == (
        D("860.67"), D("9860.67"), D("9000.00"))
    assert financials.account_balance(db, home.account) == D("860.67")
    view = loan_billing.adjust_loan(db, SUPERVISOR, number, START,
                                    loan_billing.AdjustmentEffect.CURRENT_ONLY, "-60.67",
                                    "Late fee reversed")
    assert (view.current_balance, view.principal_balance) == (D("800.00"), D("9060.67"))
    assert financials.account_balance(db, home.account) == D("800.00")
    with pytest.raises(ValidationError, match="principal negative"):
        loan_billing.adjust_loan(db, SUPERVISOR, number, START,
                                 loan_billing.AdjustmentEffect.PAYOFF_ONLY, "-9060.68", "Too much")
    with pytest.raises(PermissionDenied):
        loan_billing.adjust_loan(db, CSR, number, START, loan_billing.AdjustmentEffect.BOTH,
                                 "10.00", "Fee")
    assert view.forecast.rows[0].balance == D("9060.67")


def test_loan_run_command_activates_and_stops(db) -> None:  # type: ignore[no-untyped-def]
    from app.cli import main

    home = household(db)
    number = start_loan(db, home.account)
    url = db.engine.url.render_as_string(hide_password=False)
    assert main(["loan", "run", "--as-of", "2025-01-10", "--database", url]) == 0
    assert loans.open_loan(db, number).status is SAStatus.ACTIVE


def test_early_payoff_ends_within_the_schedule_and_keeps_billing_until_then(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    bill_and_pay(db, number, 1)
    view = loans.open_loan(db, number)
    with pytest.raises(ValidationError, match="repaid by 09 Jan 2026 on its schedule") as caught:
        loan_billing.request_payoff(db, CSR, number, dt.date(2030, 1, 1), view.version)
    assert caught.value.field == "end_date"
    view = loan_billing.request_payoff(db, CSR, number, dt.date(2025, 3, 24), view.version)
    bill = loan_billing.bill_loan(db, SUPERVISOR, number, dt.date(2025, 2, 10), periods=3)
    assert bill.periods == 2 and bill.interest == D("91.89")      # Feb and Mar, not Apr
    with pytest.raises(ValidationError, match="every period up to then is billed"):
        loan_billing.bill_loan(db, SUPERVISOR, number, dt.date(2025, 4, 10))
    final, accrued = loan_billing.payoff_amount(bill.view, dt.date(2025, 3, 24))
    assert accrued == D("0.00") and final == bill.view.principal_balance


def test_nothing_is_billed_or_stopped_ahead_of_today(db) -> None:  # type: ignore[no-untyped-def]
    from app.services.context import today

    home = household(db)
    number = active_loan(db, home.account)
    ahead = today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="is in the future") as caught:
        loan_billing.bill_loan(db, SUPERVISOR, number, ahead)
    assert caught.value.field == "bill_date"
    view = loan_billing.request_payoff(db, CSR, number, START)
    with pytest.raises(ValidationError, match="is in the future"):
        loan_billing.stop_loan(db, CSR, number, ahead)
    assert loans.open_loan(db, number).status is view.status


def test_paying_the_payoff_balance_with_interest_accrued_points_to_early_payoff(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    bill_and_pay(db, number, 3)
    with pytest.raises(ValidationError, match="Use Early Payoff") as caught:
        loan_billing.pay_loan(db, CSR, number, dt.date(2025, 4, 24), "7555.81")
    assert caught.value.field == "amount"
    # on a day the billed periods cover, the payoff balance settles it
    view = loan_billing.pay_loan(db, CSR, number, dt.date(2025, 4, 9), "7555.81")
    assert view.status is SAStatus.PENDING_STOP and view.payoff_balance == 0


def test_a_bill_of_many_periods_stops_at_the_closing_one(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    bill_and_pay(db, number, 10)
    bill = loan_billing.bill_loan(db, SUPERVISOR, number, dt.date(2025, 11, 10), periods=12)
    # Q13: k periods on one bill charge r2(P × i × k); two (17.08) do not close 1,708.44 on
    # 2 × 860.67, three do — not twelve.
    assert bill.closing and bill.periods == 3
    assert bill.interest == D("25.63")                     # r2(1708.44 × 0.005 × 3)
    assert bill.amount == D("1734.07") and bill.view.end_date == dt.date(2026, 2, 9)


def test_renegotiation_saves_exactly_what_calculate_showed(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    bill_and_pay(db, number, 2)
    view = loans.open_loan(db, number)
    view = loan_terms.save_grids(db, CSR, number, [], [
        *view.payment_amounts, PaymentRow(dt.date(2025, 7, 10), D("500.00"))], view.version)
    inputs = RenegotiationInputs(D("6"), None, D("860.67"))
    calculation = loan_terms.calculate_renegotiation(view, inputs)
    saved = loan_terms.save_renegotiation(db, CSR, number, inputs, calculation, view.version)
    assert saved.payment_amounts == (PaymentRow(START, D("860.67")),
                                     PaymentRow(dt.date(2025, 3, 10), D("860.67")))
    assert saved.forecast.payments == calculation.forecast.payments
    assert saved.forecast.total_interest == calculation.forecast.total_interest


def test_a_stopped_loan_is_adjusted_on_current_and_payoff_together(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    number = active_loan(db, home.account)
    bill_and_pay(db, number, 11)
    loan_billing.bill_loan(db, SUPERVISOR, number, dt.date(2025, 12, 10))
    loan_billing.stop_loan(db, CSR, number, dt.date(2026, 1, 9))
    with pytest.raises(ValidationError, match="current and payoff together") as caught:
        loan_billing.adjust_loan(db, SUPERVISOR, number, dt.date(2026, 1, 9),
                                 loan_billing.AdjustmentEffect.PAYOFF_ONLY, "100.00", "Fee")
    assert caught.value.field == "effect"
    view = loan_billing.adjust_loan(db, SUPERVISOR, number, dt.date(2026, 1, 9),
                                    loan_billing.AdjustmentEffect.BOTH, "-0.59", "Rounding")
    view = loan_billing.pay_loan(db, CSR, number, dt.date(2026, 1, 12), "860.00")
    assert view.status is SAStatus.CLOSED


def test_the_batch_reports_a_loan_it_cannot_move_and_moves_the_others(db) -> None:  # type: ignore[no-untyped-def]
    from app.services import service_agreements as sas

    home = household(db)
    first = start_loan(db, home.account)
    second = start_loan(db, home.account)
    with pytest.raises(ValidationError, match="is a loan"):
        sas.activate(db, CSR, first, 1)           # the generic lifecycle refuses loans
    loans.cancel_loan(db, CSR, first)
    result = loan_billing.run_loan_lifecycle(db, SUPERVISOR, START)
    assert result == loan_billing.LoanBatchResult(1, 0)
    assert loans.open_loan(db, second).status is SAStatus.ACTIVE
