"""Loans (spec/50 §2.3): the payment for a term, the term for a payment, the forecast schedule,
the interest a bill charges, and the interest accrued when a loan is paid off early.

Pure functions over frozen dataclasses; no database. A worked example, LN-T01/LN-T02 of the
spec (10,000.00 at 6 % a year, monthly, 12 payments):

    >>> from datetime import date
    >>> from decimal import Decimal as D
    >>> payment_from_term(D("10000.00"), D("6"), Frequency.MONTHLY, 12)
    Decimal('860.67')
    >>> terms = LoanTerms(D("10000.00"), D("6"), Frequency.MONTHLY, date(2025, 1, 10),
    ...                   payments=(PaymentChange(date(2025, 1, 10), D("860.67")),))
    >>> plan = schedule(terms)
    >>> len(plan.payments), plan.payments[-1].amount, plan.total_interest
    (12, Decimal('860.59'), Decimal('327.96'))

Rounding policy (spec/50 §6 Q10–Q13), everywhere in this module:

* The level payment is the annuity **rounded up** to the cent (LN-F2), so the loan is repaid
  within the term and the last payment is never above the level payment; the last payment
  absorbs the difference (LN-F5). Rarely, the rounded interest of the periods adds up to more
  than the ceiling saved and would leave a few cents for one payment after the term; the
  level payment is then raised by a cent (or the few cents) needed to end within the term.
* Each period's interest is ``principal balance × i`` rounded **half-up** to the cent, with
  ``i = annual rate / 100 / periods per year`` (LN-F1); a bill covering *k* periods charges
  ``r2(P × i × k)``.
* The principal part is the payment less that rounded interest, so the principal parts of a
  schedule add up to the principal balance exactly.
* A payment that does not exceed a period's interest is negative amortization (LN-F7).
* Accrued interest on an early payoff is ``r2(P × i × days / days in the period)``, summed over
  the unbilled periods the payoff date reaches into and rounded once (LN-F12).
"""

from __future__ import annotations

import calendar
import datetime as dt
import decimal
import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import NamedTuple

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
#: A schedule longer than this is refused: the payment barely covers the interest.
MAX_PERIODS = 5000
#: The highest annual rate a loan may carry, in percent.
MAX_RATE = Decimal(100)
#: Working precision for the annuity formulas (the result is rounded to the cent).
_PRECISION = decimal.Context(prec=40)


class Frequency(enum.StrEnum):
    """How often a loan is billed (the SA type's recurring charge frequency)."""

    WEEKLY = "WEEKLY"
    FORTNIGHTLY = "FORTNIGHTLY"
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"

    @property
    def per_year(self) -> int:
        return _PER_YEAR[self]

    @property
    def label(self) -> str:
        return self.value.capitalize()


_PER_YEAR = {Frequency.WEEKLY: 52, Frequency.FORTNIGHTLY: 26, Frequency.MONTHLY: 12,
             Frequency.QUARTERLY: 4}
_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3}
_DAYS = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14}
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class LoanError(ValueError):
    """A loan cannot be calculated with these inputs; ``field`` names the input to change."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class NegativeAmortization(LoanError):
    """The payment does not cover a period's interest, so the balance would never fall."""

    def __init__(self, payment: Decimal, interest: Decimal,
                 period: LoanPeriod | None = None) -> None:
        when = f" in the period starting {period.start:%d %b %Y}" if period else ""
        super().__init__(
            f"The payment {payment:,.2f} does not cover the "
            f"interest {interest:,.2f}{when} (negative amortization). Raise the payment above "
            f"{interest:,.2f} or shorten the term.", "payment")
        self.payment = payment
        self.interest = interest
        self.period = period


def r2(value: Decimal) -> Decimal:
    """Round half-up to the cent."""
    return value.quantize(CENT, ROUND_HALF_UP)


def period_rate(annual_rate: Decimal, frequency: Frequency) -> Decimal:
    """``i = R / 100 / f``, the interest rate of one period (spec/50 §6 Q9)."""
    return _PRECISION.divide(Decimal(annual_rate), HUNDRED * frequency.per_year)


# ----------------------------------------------------------------------------- periods


class LoanPeriod(NamedTuple):
    """Loan period ``number`` (1-based): ``[start + (n−1)·freq, start + n·freq − 1 day]``.

    Immutable like the frozen dataclasses around it; a NamedTuple because a 30-year schedule
    makes hundreds of them per keystroke and a tuple is made several times faster."""

    number: int
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, on the month's last day when it is shorter."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = _MONTH_DAYS[month0] + (month0 == 1 and calendar.isleap(year))
    return dt.date(year, month0 + 1, min(day.day, last))


def _boundary(anchor: dt.date, frequency: Frequency, count: int) -> dt.date:
    """The first day of loan period ``count + 1``."""
    months = _MONTHS.get(frequency)
    if months is not None:
        return add_months(anchor, months * count)
    return anchor + dt.timedelta(days=_DAYS[frequency] * count)


def loan_period(anchor: dt.date, frequency: Frequency, number: int) -> LoanPeriod:
    """Loan period ``number`` of a loan whose periods are anchored at ``anchor``."""
    if number < 1:
        raise LoanError("Loan periods are numbered from 1.", "period")
    start = _boundary(anchor, frequency, number - 1)
    end = _boundary(anchor, frequency, number) - dt.timedelta(days=1)
    return LoanPeriod(number, start, end)


def loan_periods(anchor: dt.date, frequency: Frequency, first: int = 1) -> Iterator[LoanPeriod]:
    """Loan periods ``first``, ``first + 1`` … without end."""
    number = first
    start = _boundary(anchor, frequency, number - 1)
    while True:
        following = _boundary(anchor, frequency, number)
        yield LoanPeriod(number, start, following - dt.timedelta(days=1))
        number += 1
        start = following


def period_containing(anchor: dt.date, frequency: Frequency, day: dt.date) -> LoanPeriod:
    """The loan period ``day`` falls in (period 1 for days before the anchor)."""
    if day <= anchor:
        return loan_period(anchor, frequency, 1)
    if frequency in _DAYS:
        return loan_period(anchor, frequency, (day - anchor).days // _DAYS[frequency] + 1)
    months = _MONTHS[frequency]
    guess = max(1, ((day.year - anchor.year) * 12 + day.month - anchor.month) // months)
    for number in range(max(1, guess - 1), guess + 3):
        period = loan_period(anchor, frequency, number)
        if period.start <= day <= period.end:
            return period
    raise AssertionError("unreachable: consecutive periods tile the calendar")


# ----------------------------------------------------------------------------- terms


@dataclass(frozen=True)
class RateOverride:
    """The rate in force from ``start`` to ``end`` (open when None), instead of the standard."""

    start: dt.date
    end: dt.date | None
    rate: Decimal

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class PaymentChange:
    """The payment amount in force from ``effective`` on."""

    effective: dt.date
    amount: Decimal


@dataclass(frozen=True)
class LoanTerms:
    """What a loan agreement says: its amount, rate, frequency, anchor and payments."""

    loan_amount: Decimal
    standard_rate: Decimal
    frequency: Frequency
    #: The SA's start date: loan periods are anchored on it.
    start: dt.date
    payments: tuple[PaymentChange, ...]
    rate_overrides: tuple[RateOverride, ...] = ()

    def rate_on(self, day: dt.date) -> Decimal:
        """The annual rate in force on ``day``: the override covering it, else the standard."""
        for override in self.rate_overrides:
            if override.covers(day):
                return override.rate
        return self.standard_rate

    def payment_on(self, day: dt.date) -> Decimal:
        """The payment in force on ``day``: the latest change effective on or before it (the
        first one before the first change)."""
        if not self.payments:
            raise LoanError("The loan has no payment amount.", "payment")
        amount = self.payments[0].amount
        for change in sorted(self.payments, key=lambda p: p.effective):
            if change.effective <= day:
                amount = change.amount
        return amount

    def period(self, number: int) -> LoanPeriod:
        return loan_period(self.start, self.frequency, number)


@dataclass(frozen=True)
class LoanPosition:
    """Where a loan stands before the forecast's first period."""

    #: Unbilled principal, P = payoff balance − current balance.
    principal: Decimal
    #: Interest billed so far (the to-date row's cumulative interest).
    interest_to_date: Decimal = ZERO
    #: The first loan period not billed yet.
    next_period: int = 1


@dataclass(frozen=True)
class ExtraPayment:
    """A planned payment on top of the schedule (what-if): ``amount`` in forecast period
    ``first`` (1 = the next period), and in every period after it when ``recurring``."""

    amount: Decimal
    first: int = 1
    recurring: bool = False

    def in_period(self, row: int) -> Decimal:
        if row == self.first or (self.recurring and row > self.first):
            return self.amount
        return ZERO


# ----------------------------------------------------------------------------- formulas


def validate_inputs(principal: Decimal | None = None, annual_rate: Decimal | None = None,
                    periods: int | None = None, payment: Decimal | None = None) -> None:
    """Refuse amounts and terms no loan can have, naming the field."""
    if principal is not None and principal <= 0:
        raise LoanError("The loan amount must be above zero.", "loan_amount")
    if principal is not None and principal != principal.quantize(CENT):
        raise LoanError("The loan amount has more than two decimal places.", "loan_amount")
    if annual_rate is not None and not (0 <= annual_rate <= MAX_RATE):
        raise LoanError(f"The interest rate must be between 0 and {MAX_RATE} %.", "rate")
    if periods is not None and not (1 <= periods <= MAX_PERIODS):
        raise LoanError(f"The number of payments must be between 1 and {MAX_PERIODS}.",
                        "periods")
    if payment is not None and payment <= 0:
        raise LoanError("The payment amount must be above zero.", "payment")
    if payment is not None and payment != payment.quantize(CENT):
        raise LoanError("The payment amount has more than two decimal places.", "payment")


def periodic_interest(principal: Decimal, annual_rate: Decimal, frequency: Frequency,
                      periods: int = 1) -> Decimal:
    """LN-F1: the interest a bill covering ``periods`` loan periods charges, r2(P·i·k)."""
    return r2(principal * period_rate(annual_rate, frequency) * periods)


def payment_from_term(principal: Decimal, annual_rate: Decimal, frequency: Frequency,
                      periods: int) -> Decimal:
    """LN-F2: the level payment that repays ``principal`` in ``periods`` payments, rounded up
    to the cent (``P / n`` rounded up at 0 %)."""
    validate_inputs(principal, annual_rate, periods)
    i = period_rate(annual_rate, frequency)
    ctx = _PRECISION
    if i == 0:
        exact = ctx.divide(principal, Decimal(periods))
    else:
        discount = ctx.subtract(Decimal(1), ctx.power(ctx.add(Decimal(1), i), -periods))
        exact = ctx.divide(ctx.multiply(principal, i), discount)
    # Round away the last digits of working precision first, so an exact cent stays itself.
    payment = exact.quantize(Decimal("1e-20"), ROUND_HALF_UP).quantize(CENT, ROUND_CEILING)
    interest = r2(principal * i)
    if payment <= interest:   # a term so long the payment is all (rounded) interest
        raise LoanError(
            f"{periods} payments is too long a term for {principal:,.2f}: each payment would "
            f"not cover the interest {interest:,.2f}. Shorten the term.", "periods")
    while _left_after(principal, i, payment, periods) > 0:
        payment += CENT   # rounded interest left cents for a payment after the term
    return payment


def _left_after(principal: Decimal, i: Decimal, payment: Decimal, periods: int) -> Decimal:
    """The balance ``periods`` level payments leave, interest rounded as the schedule does."""
    balance = principal
    for _ in range(periods):
        balance -= payment - r2(balance * i)
        if balance <= 0:
            return ZERO
    return balance


def term_from_payment(principal: Decimal, annual_rate: Decimal, frequency: Frequency,
                      payment: Decimal) -> int:
    """LN-F3: the number of payments ``payment`` needs by the closed formula
    ``ceil(ln(A / (A − P·i)) / ln(1 + i))``. The schedule may need a few more, because each
    period's interest is rounded (LN-T06); `calculate` reports the schedule's count."""
    validate_inputs(principal, annual_rate, payment=payment)
    i = period_rate(annual_rate, frequency)
    interest = r2(principal * i)
    if payment <= interest:
        raise NegativeAmortization(payment, interest)
    ctx = _PRECISION
    if i == 0:
        return int(ctx.divide(principal, payment).to_integral_value(ROUND_CEILING))
    ratio = ctx.divide(payment, ctx.subtract(payment, ctx.multiply(principal, i)))
    n = ctx.divide(ratio.ln(ctx), ctx.add(Decimal(1), i).ln(ctx))
    return int(n.quantize(Decimal("1e-20"), ROUND_HALF_UP).to_integral_value(ROUND_CEILING))


# ----------------------------------------------------------------------------- schedule


class ScheduleRow(NamedTuple):
    """One row of the forecast. The first row (``period`` None) holds the totals to date.

    A NamedTuple, immutable, for the same reason as `LoanPeriod`."""

    period: LoanPeriod | None
    amount: Decimal
    interest: Decimal
    principal: Decimal
    cumulative_interest: Decimal
    cumulative_principal: Decimal
    balance: Decimal
    #: The part of ``amount`` that is a planned extra payment (what-if).
    extra: Decimal = ZERO
    #: The annual rate (%) in force for this row.
    rate: Decimal | None = None

    @property
    def number(self) -> int | None:
        """The payment's number (its loan period's); None for the to-date row."""
        return self.period.number if self.period else None

    @property
    def start(self) -> dt.date | None:
        return self.period.start if self.period else None

    @property
    def end(self) -> dt.date | None:
        return self.period.end if self.period else None


@dataclass(frozen=True)
class Schedule:
    """The forecast: a to-date row, then one row per future payment until the balance is 0."""

    rows: tuple[ScheduleRow, ...]

    @property
    def to_date(self) -> ScheduleRow:
        return self.rows[0]

    @property
    def payments(self) -> tuple[ScheduleRow, ...]:
        return self.rows[1:]

    @property
    def future_interest(self) -> Decimal:
        return sum((r.interest for r in self.payments), ZERO)

    @property
    def total_interest(self) -> Decimal:
        """Lifetime interest: billed so far plus forecast."""
        return self.rows[-1].cumulative_interest

    @property
    def total_paid(self) -> Decimal:
        return sum((r.amount for r in self.payments), ZERO)

    @property
    def last_date(self) -> dt.date | None:
        last = self.rows[-1].period
        return last.end if last else None


def schedule(terms: LoanTerms, position: LoanPosition | None = None,
             extras: Sequence[ExtraPayment] = ()) -> Schedule:
    """LN-F4: the forecast from ``position`` (default: not started, the whole loan amount).

    Each period's interest is the balance × the period rate in force on the period's start;
    its payment is the one in force on that day, or the balance plus interest in the closing
    period (LN-F5). ``extras`` are planned payments on top (what-if); they lower the balance
    in their period and never lengthen the loan. Raises `NegativeAmortization` when a
    period's payment does not exceed its interest.
    """
    if position is None:
        position = LoanPosition(terms.loan_amount)
    balance = position.principal
    interest_total = position.interest_to_date
    principal_total = terms.loan_amount - balance
    rows = [ScheduleRow(None, ZERO, ZERO, ZERO, interest_total, principal_total, balance)]
    if balance <= 0:
        return Schedule(tuple(rows))
    steady_rate = not terms.rate_overrides
    steady_payment = len(terms.payments) == 1
    rate = terms.standard_rate
    i = period_rate(rate, terms.frequency)
    level = terms.payments[0].amount if steady_payment else ZERO
    periods = loan_periods(terms.start, terms.frequency, position.next_period)
    for row_number in range(1, MAX_PERIODS + 1):
        period = next(periods)
        if not steady_rate:
            rate = terms.rate_on(period.start)
            i = period_rate(rate, terms.frequency)
        if not steady_payment:
            level = terms.payment_on(period.start)
        interest = r2(balance * i)
        if level <= interest:
            raise NegativeAmortization(level, interest, period)
        extra = sum((e.in_period(row_number) for e in extras), ZERO) if extras else ZERO
        if balance + interest <= level + extra:
            amount, principal = balance + interest, balance
            extra = max(ZERO, amount - level)
        else:
            amount, principal = level + extra, level + extra - interest
        balance -= principal
        interest_total += interest
        principal_total += principal
        rows.append(ScheduleRow(period, amount, interest, principal, interest_total,
                                principal_total, balance, extra, rate))
        if balance == 0:
            return Schedule(tuple(rows))
    raise LoanError(
        f"The loan would take more than {MAX_PERIODS} payments; raise the payment amount.",
        "payment")


@dataclass(frozen=True)
class Calculation:
    """The result of Calculate (LN-F10, LN-F13): the payment, the number of payments the
    schedule takes, and that schedule."""

    payment: Decimal
    periods: int
    schedule: Schedule


def calculate(terms: LoanTerms, position: LoanPosition | None = None, *,
              payment: Decimal | None = None, periods: int | None = None,
              annual_rate: Decimal | None = None) -> Calculation:
    """Fill the blank one of ``payment`` and ``periods`` and build the forecast with it.

    Exactly one must be given. The rate (default: the one in force at the next period) applies
    from the next period on, and the new payment is in force from then on too.
    """
    if (payment is None) == (periods is None):
        raise LoanError("Enter either the number of payments or the payment amount, and "
                        "leave the other blank.", "periods" if periods is not None else "payment")
    position = position or LoanPosition(terms.loan_amount)
    validate_inputs(position.principal if position.principal > 0 else None, annual_rate,
                    periods, payment)
    next_period = terms.period(position.next_period)
    rate = terms.rate_on(next_period.start) if annual_rate is None else annual_rate
    if payment is None:
        assert periods is not None
        payment = payment_from_term(position.principal, rate, terms.frequency, periods)
    else:
        payment = payment.quantize(CENT)
        term_from_payment(position.principal, rate, terms.frequency, payment)
    terms = with_changes(terms, next_period.start, rate=rate, payment=payment)
    plan = schedule(terms, position)
    return Calculation(payment, len(plan.payments), plan)


def with_changes(terms: LoanTerms, effective: dt.date, *, rate: Decimal | None = None,
                 payment: Decimal | None = None) -> LoanTerms:
    """The terms with a new rate and/or payment in force from ``effective`` on (LN-F10)."""
    overrides = terms.rate_overrides
    if rate is not None and rate != terms.rate_on(effective):
        kept = []
        for o in overrides:
            if o.start >= effective:
                continue
            if o.end is None or o.end >= effective:
                o = RateOverride(o.start, effective - dt.timedelta(days=1), o.rate)
            kept.append(o)
        overrides = (*kept, RateOverride(effective, None, rate))
    payments = terms.payments
    if payment is not None:
        payments = (*(p for p in payments if p.effective < effective),
                    PaymentChange(effective, payment))
    return replace(terms, payments=payments, rate_overrides=overrides)


@dataclass(frozen=True)
class Savings:
    """What planned extra payments save against the plan."""

    interest: Decimal
    periods: int
    #: The date the loan ends with the extras, and without.
    paid_off: dt.date | None
    plan_paid_off: dt.date | None


def savings(plan: Schedule, what_if: Schedule) -> Savings:
    return Savings(plan.total_interest - what_if.total_interest,
                   len(plan.payments) - len(what_if.payments),
                   what_if.last_date, plan.last_date)


# ----------------------------------------------------------------------------- billing


@dataclass(frozen=True)
class LoanCharge:
    """What one loan bill segment charges (LN-F1, LN-F5, LN-F6)."""

    amount: Decimal
    interest: Decimal
    principal: Decimal
    closing: bool


def bill_charge(terms: LoanTerms, principal: Decimal, first_period: LoanPeriod,
                periods: int = 1) -> LoanCharge:
    """The charge for ``periods`` loan periods from ``first_period`` with ``principal`` unbilled:
    interest ``r2(P·i·k)`` at the rate in force on the first period's start; the amount is the
    payment × k, or principal + interest when that is no more (closing). Raises
    `NegativeAmortization` when the payment does not exceed one period's interest."""
    rate = terms.rate_on(first_period.start)
    payment = terms.payment_on(first_period.start)
    one_period = periodic_interest(principal, rate, terms.frequency)
    if payment <= one_period:
        raise NegativeAmortization(payment, one_period, first_period)
    interest = periodic_interest(principal, rate, terms.frequency, periods)
    due = payment * periods
    if principal + interest <= due:
        return LoanCharge(principal + interest, interest, principal, True)
    return LoanCharge(due, interest, due - interest, False)


def accrued_interest(terms: LoanTerms, principal: Decimal, billed_through: dt.date | None,
                     end: dt.date) -> Decimal:
    """LN-F12: interest on ``principal`` from the day after ``billed_through`` (the end of the
    last billed period; None = never billed, from the start) to ``end``, day-prorated within
    each loan period at the rate in force on its start, rounded once. Zero when ``end`` is not
    after ``billed_through`` (loans are billed in advance)."""
    first = billed_through + dt.timedelta(days=1) if billed_through else terms.start
    if end < first or principal <= 0:
        return ZERO
    total = Decimal(0)
    opening = period_containing(terms.start, terms.frequency, first)
    for period in loan_periods(terms.start, terms.frequency, opening.number):
        if period.start > end:
            break
        days = (min(end, period.end) - max(first, period.start)).days + 1
        i = period_rate(terms.rate_on(period.start), terms.frequency)
        total += principal * i * days / period.days
    return r2(total)
