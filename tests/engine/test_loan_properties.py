"""Property tests (hypothesis) of the loan schedule: whatever the amount, rate, term and
frequency, the schedule repays the principal exactly, never goes negative, ends with a payment
no larger than the level one, and planned extra payments only ever help."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal as D
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.engine.loans import (
    ExtraPayment,
    Frequency,
    LoanError,
    LoanTerms,
    PaymentChange,
    payment_from_term,
    schedule,
)

amounts = st.integers(min_value=100, max_value=50_000_000).map(lambda c: D(c) / 100)
rates = st.integers(min_value=0, max_value=2500).map(lambda r: D(r) / 100)   # 0 … 25 %
terms_ = st.integers(min_value=1, max_value=360)
frequencies = st.sampled_from(list(Frequency))
starts = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))


def loan(amount: D, rate: D, frequency: Frequency, start: dt.date, n: int) -> LoanTerms:
    try:
        payment = payment_from_term(amount, rate, frequency, n)
    except LoanError:   # a term so long the payment rounds to the interest: refused
        assume(False)
        raise
    return LoanTerms(amount, rate, frequency, start, (PaymentChange(start, payment),))


@settings(max_examples=300, deadline=None)
@given(amounts, rates, frequencies, starts, terms_)
def test_schedule_repays_the_principal_exactly_within_the_term(
        amount: D, rate: D, frequency: Frequency, start: dt.date, n: int) -> None:
    terms = loan(amount, rate, frequency, start, n)
    plan = schedule(terms)
    level = terms.payments[0].amount
    rows = plan.payments
    assert sum(r.principal for r in rows) == amount
    assert rows[-1].balance == 0 and len(rows) <= n
    balances = [plan.to_date.balance] + [r.balance for r in rows]
    assert all(b >= 0 for b in balances)
    assert all(later < earlier for earlier, later in zip(balances, balances[1:], strict=False))
    assert rows[-1].amount <= level
    assert all(r.amount == level for r in rows[:-1])
    assert all(r.amount == r.interest + r.principal for r in rows)
    assert plan.total_interest == sum(r.interest for r in rows)


@settings(max_examples=300, deadline=None)
@given(amounts, rates, frequencies, terms_)
def test_level_payment_is_the_closed_form_annuity_rounded_up_to_the_cent(
        amount: D, rate: D, frequency: Frequency, n: int) -> None:
    i = Fraction(rate) / 100 / frequency.per_year
    try:
        payment = payment_from_term(amount, rate, frequency, n)
    except LoanError:
        assert Fraction(amount) * i < 1 or n > 100   # only tiny amounts or very long terms
        return
    exact = Fraction(amount) / n if i == 0 else Fraction(amount) * i / (1 - (1 + i) ** -n)
    ceiling = D(math.ceil(exact * 100)) / 100
    if payment != ceiling:   # documented: raised by the cents rounding would leave over
        assert payment > ceiling
        start = dt.date(2025, 1, 1)
        assert len(schedule(LoanTerms(amount, rate, frequency, start,
                                      (PaymentChange(start, ceiling),))).payments) > n
        assert len(schedule(LoanTerms(amount, rate, frequency, start,
                                      (PaymentChange(start, payment - D("0.01")),))).payments) > n


extras = st.lists(st.tuples(st.integers(1, 5000).map(lambda c: D(c) / 100),
                            st.integers(1, 40), st.booleans()), max_size=3)


@settings(max_examples=300, deadline=None)
@given(amounts, rates, frequencies, starts, st.integers(2, 120), extras)
def test_extra_payments_never_lengthen_the_term_or_raise_interest(
        amount: D, rate: D, frequency: Frequency, start: dt.date, n: int,
        planned: list[tuple[D, int, bool]]) -> None:
    terms = loan(amount, rate, frequency, start, n)
    plan = schedule(terms)
    what_if = schedule(terms, extras=[ExtraPayment(a, k, r) for a, k, r in planned])
    assert len(what_if.payments) <= len(plan.payments)
    assert what_if.total_interest <= plan.total_interest
    assert sum(r.principal for r in what_if.payments) == amount
    assert all(r.balance >= 0 for r in what_if.payments)
