"""The loan engine against every numeric example of spec/50 §2.5 (LN-T01 … LN-T18): P =
10,000.00 at 6 % a year, monthly, periods anchored on 2025-01-10, billed in advance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from app.engine.loans import (
    ExtraPayment,
    Frequency,
    LoanError,
    LoanPosition,
    LoanTerms,
    NegativeAmortization,
    PaymentChange,
    RateOverride,
    accrued_interest,
    add_months,
    bill_charge,
    calculate,
    loan_period,
    payment_from_term,
    period_containing,
    periodic_interest,
    savings,
    schedule,
    term_from_payment,
)

START = dt.date(2025, 1, 10)
M = Frequency.MONTHLY


def terms(payment: str, rate: str = "6", amount: str = "10000.00", **kw) -> LoanTerms:
    return LoanTerms(D(amount), D(rate), M, START, (PaymentChange(START, D(payment)),), **kw)


def test_ln_t01_payment_from_term_rounds_up() -> None:
    assert payment_from_term(D("10000.00"), D(6), M, 12) == D("860.67")


LN_T02 = """
1  860.67  50.00    810.67    50.00    810.67    9189.33
2  860.67  45.95    814.72    95.95    1625.39   8374.61
3  860.67  41.87    818.80    137.82   2444.19   7555.81
4  860.67  37.78    822.89    175.60   3267.08   6732.92
5  860.67  33.66    827.01    209.26   4094.09   5905.91
6  860.67  29.53    831.14    238.79   4925.23   5074.77
7  860.67  25.37    835.30    264.16   5760.53   4239.47
8  860.67  21.20    839.47    285.36   6600.00   3400.00
9  860.67  17.00    843.67    302.36   7443.67   2556.33
10 860.67  12.78    847.89    315.14   8291.56   1708.44
11 860.67   8.54    852.13    323.68   9143.69    856.31
12 860.59   4.28    856.31    327.96  10000.00      0.00
"""


def test_ln_t02_full_schedule_row_by_row() -> None:
    plan = schedule(terms("860.67"))
    expected = [[D(x) for x in line.split()[1:]] for line in LN_T02.strip().splitlines()]
    got = [[r.amount, r.interest, r.principal, r.cumulative_interest, r.cumulative_principal,
            r.balance] for r in plan.payments]
    assert got == expected
    assert plan.to_date.balance == D("10000.00") and plan.to_date.amount == 0
    assert plan.total_interest == D("327.96")
    assert (plan.payments[0].period.start, plan.payments[0].period.end) == (
        dt.date(2025, 1, 10), dt.date(2025, 2, 9))
    assert (plan.payments[-1].period.start, plan.payments[-1].period.end) == (
        dt.date(2025, 12, 10), dt.date(2026, 1, 9))


def test_ln_t03_half_up_payment_leaves_a_cents_only_period() -> None:
    plan = schedule(terms("860.66"))
    assert len(plan.payments) == 13
    row12, row13 = plan.payments[11], plan.payments[12]
    assert (row12.amount, row12.interest, row12.balance) == (D("860.66"), D("4.28"), D("0.04"))
    assert (row13.amount, row13.interest, row13.balance) == (D("0.04"), D("0.00"), D("0.00"))
    assert plan.total_interest == D("327.96")


def test_ln_t04_term_from_payment() -> None:
    assert term_from_payment(D("10000.00"), D(6), M, D("500.00")) == 22
    plan = schedule(terms("500.00"))
    assert len(plan.payments) == 22
    assert plan.payments[20].balance == D("62.21")
    assert (plan.payments[21].amount, plan.payments[21].interest) == (D("62.52"), D("0.31"))
    assert plan.total_interest == D("562.52")


def test_ln_t05_zero_rate() -> None:
    assert payment_from_term(D("10000.00"), D(0), M, 12) == D("833.34")
    plan = schedule(terms("833.34", rate="0"))
    assert plan.payments[-1].amount == D("833.26") and len(plan.payments) == 12
    assert plan.total_interest == D("0.00")


@pytest.mark.parametrize("payment", ["99.99", "100.00"])
def test_ln_t06_payment_not_above_interest_is_negative_amortization(payment: str) -> None:
    with pytest.raises(NegativeAmortization) as caught:
        term_from_payment(D("10000.00"), D(12), M, D(payment))
    assert caught.value.interest == D("100.00") and caught.value.field == "payment"
    with pytest.raises(NegativeAmortization, match="does not cover the interest 100.00"):
        schedule(terms(payment, rate="12"))


def test_ln_t06_one_cent_above_interest_takes_934_payments() -> None:
    assert term_from_payment(D("10000.00"), D(12), M, D("100.01")) == 926
    result = calculate(terms("100.01", rate="12"), payment=D("100.01"))
    assert result.periods == 934
    last = result.schedule.payments[-1]
    assert (last.amount, last.interest) == (D("68.60"), D("0.68"))
    assert result.schedule.total_interest == D("83377.93")


def test_ln_t07_forecast_refused_when_a_later_payment_does_not_cover_interest() -> None:
    lowered = LoanTerms(
        D("10000.00"), D(12), M, START,
        (PaymentChange(START, D("860.67")), PaymentChange(dt.date(2025, 2, 10), D("95.00"))))
    with pytest.raises(NegativeAmortization) as caught:
        schedule(lowered, LoanPosition(D("9990.00"), D("100.00"), 2))
    assert caught.value.period is not None and caught.value.period.number == 2


def test_ln_t09_overpayment_shortens_the_term() -> None:
    after_bill_1 = LoanPosition(D("9050.00"), D("50.00"), next_period=2)
    plan = schedule(terms("860.67"), after_bill_1)
    assert len(plan.payments) == 11
    assert plan.payments[0].interest == D("45.25")
    assert plan.payments[-1].amount == D("713.42")
    assert plan.future_interest == D("270.12")
    baseline = schedule(terms("860.67"), LoanPosition(D("9189.33"), D("50.00"), 2))
    assert (len(baseline.payments), baseline.payments[-1].amount, baseline.future_interest) == (
        11, D("860.59"), D("277.96"))


def test_ln_t10_bigger_overpayment_removes_a_period() -> None:
    plan = schedule(terms("860.67"), LoanPosition(D("8050.00"), D("50.00"), 2))
    assert len(plan.payments) == 10
    assert plan.payments[-1].amount == D("519.39")
    assert plan.future_interest == D("215.42")


def test_ln_t11_renegotiate_rate_keep_remaining_periods() -> None:
    position = LoanPosition(D("7555.81"), D("137.82"), next_period=4)
    result = calculate(terms("860.67"), position, periods=9, annual_rate=D(9))
    assert result.payment == D("871.34") and result.periods == 9
    plan = result.schedule
    assert (plan.to_date.cumulative_interest, plan.to_date.cumulative_principal,
            plan.to_date.balance) == (D("137.82"), D("2444.19"), D("7555.81"))
    first = plan.payments[0]
    assert (first.period.start, first.period.end) == (dt.date(2025, 4, 10), dt.date(2025, 5, 9))
    assert (first.amount, first.interest, first.principal, first.cumulative_interest,
            first.cumulative_principal, first.balance) == (
        D("871.34"), D("56.67"), D("814.67"), D("194.49"), D("3258.86"), D("6741.14"))
    last = plan.payments[-1]
    assert (last.amount, last.interest, last.balance) == (D("871.25"), D("6.49"), D("0.00"))
    assert plan.future_interest == D("286.16") and plan.total_interest == D("423.98")


def test_ln_t12_renegotiate_rate_keep_payment() -> None:
    position = LoanPosition(D("7555.81"), D("137.82"), next_period=4)
    result = calculate(terms("860.67"), position, payment=D("860.67"), annual_rate=D(9))
    assert result.periods == 10
    assert result.schedule.payments[-1].amount == D("99.61")


def test_ln_t13_exactly_one_of_periods_and_payment() -> None:
    with pytest.raises(LoanError, match="either the number of payments or the payment"):
        calculate(terms("860.67"))
    with pytest.raises(LoanError, match="leave the other blank"):
        calculate(terms("860.67"), periods=12, payment=D("860.67"))


def test_ln_t14_payment_for_a_larger_amount_before_the_first_bill() -> None:
    assert payment_from_term(D("12000.00"), D(6), M, 12) == D("1032.80")


def test_ln_t15_interest_for_a_bill_covering_two_periods() -> None:
    assert periodic_interest(D("9189.33"), D(6), M, 2) == D("91.89")
    charge = bill_charge(terms("860.67"), D("9189.33"), loan_period(START, M, 2), periods=2)
    assert (charge.amount, charge.interest, charge.closing) == (D("1721.34"), D("91.89"), False)


def test_ln_f5_closing_charge_is_principal_plus_interest() -> None:
    charge = bill_charge(terms("860.67"), D("856.31"), loan_period(START, M, 12))
    assert (charge.amount, charge.interest, charge.principal, charge.closing) == (
        D("860.59"), D("4.28"), D("856.31"), True)


def test_ln_t18_accrued_interest_on_early_payoff() -> None:
    billed_through = dt.date(2025, 4, 9)
    loan = terms("860.67")
    assert accrued_interest(loan, D("7555.81"), billed_through, dt.date(2025, 4, 9)) == 0
    assert accrued_interest(loan, D("7555.81"), billed_through, dt.date(2025, 4, 24)) == D("18.89")


def test_rate_override_applies_from_its_start_and_ends() -> None:
    loan = terms("860.67", rate_overrides=(
        RateOverride(dt.date(2025, 3, 10), dt.date(2025, 4, 9), D(12)),))
    rows = schedule(loan).payments
    assert [r.rate for r in rows[:4]] == [D(6), D(6), D(12), D(6)]
    assert rows[2].interest == D("83.75")  # 8374.61 × 1 %


@pytest.mark.parametrize(("frequency", "second_start"), [
    (Frequency.WEEKLY, dt.date(2025, 1, 17)),
    (Frequency.FORTNIGHTLY, dt.date(2025, 1, 24)),
    (Frequency.MONTHLY, dt.date(2025, 2, 10)),
    (Frequency.QUARTERLY, dt.date(2025, 4, 10)),
])
def test_every_frequency_has_its_period_length_and_rate(frequency: Frequency,
                                                         second_start: dt.date) -> None:
    assert loan_period(START, frequency, 2).start == second_start
    assert loan_period(START, frequency, 1).end == second_start - dt.timedelta(days=1)
    payment = payment_from_term(D("10000.00"), D("5.2"), frequency, 10)
    plan = schedule(LoanTerms(D("10000.00"), D("5.2"), frequency, START,
                              (PaymentChange(START, payment),)))
    assert len(plan.payments) == 10
    assert plan.payments[0].interest == (D("10000.00") * D("0.052") / frequency.per_year
                                         ).quantize(D("0.01"))


def test_month_ends_clamp_without_drifting() -> None:
    anchor = dt.date(2025, 1, 31)
    assert add_months(anchor, 1) == dt.date(2025, 2, 28)
    assert add_months(anchor, 2) == dt.date(2025, 3, 31)
    assert loan_period(anchor, M, 2) == loan_period(anchor, M, 2)
    assert loan_period(anchor, M, 2).end == dt.date(2025, 3, 30)
    assert period_containing(anchor, M, dt.date(2025, 3, 30)).number == 2
    assert period_containing(anchor, M, dt.date(2025, 3, 31)).number == 3


def test_extra_payments_save_interest_and_time() -> None:
    plan = schedule(terms("860.67"))
    what_if = schedule(terms("860.67"), extras=[ExtraPayment(D("100.00"), 1, recurring=True)])
    saved = savings(plan, what_if)
    assert len(what_if.payments) == 11 and saved.periods == 1
    assert saved.interest == plan.total_interest - what_if.total_interest > 0
    assert what_if.payments[0].amount == D("960.67") and what_if.payments[0].extra == D("100.00")
    assert what_if.payments[-1].balance == 0


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"periods": 0}, "periods"),
    ({"annual_rate": D("100.01"), "periods": 12}, "rate"),
    ({"payment": D("-5.00")}, "payment"),
])
def test_bad_inputs_name_their_field(kwargs: dict, field: str) -> None:
    with pytest.raises(LoanError) as caught:
        calculate(terms("860.67"), **kwargs)
    assert caught.value.field == field


def test_negative_loan_amount_is_refused() -> None:
    with pytest.raises(LoanError, match="loan amount must be above zero"):
        payment_from_term(D("-1.00"), D(6), M, 12)
