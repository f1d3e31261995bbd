"""Changing a loan's future (spec/50 §2.3): Renegotiate Future Payments (LN-F10: Calculate,
then Save, effective from the next loan period, or in place while never billed) and the
manual Override Interest Rate and Payment Amount grids (LN-F11).

`calculate_renegotiation` is pure: it works on the `LoanView` the pane holds, so the pane
recalculates as the user types. The saves re-read the loan inside their transaction, refuse a
view another user's change has overtaken, and recalculate before writing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.loans import (
    LoanError,
    LoanPosition,
    LoanTerms,
    calculate,
    validate_inputs,
    with_changes,
)
from app.models import LoanPaymentAmount, LoanRateOverride
from app.models.enums import SAStatus
from app.services.common import check_version
from app.services.context import Actor, transaction
from app.services.errors import ValidationError
from app.services.loans import (
    LOAN_OFFICERS,
    OPEN_LOAN,
    LoanCalculation,
    LoanView,
    PaymentRow,
    RateRow,
    forecast_of,
    loan_error,
    lock_loan,
    require_calculated,
    require_status,
    touch,
    view_in,
)


@dataclass(frozen=True)
class RenegotiationInputs:
    """The Renegotiate panel: exactly one of ``periods`` and ``payment`` blank (None)."""

    rate: Decimal
    periods: int | None
    payment: Decimal | None
    #: Editable only while the loan is pending start; None keeps it.
    loan_amount: Decimal | None = None


#: Rates are stored with six decimal places (spec/50 §0.1).
RATE_PLACES = Decimal("0.000001")


def _check_allowed(view: LoanView, inputs: RenegotiationInputs) -> None:
    if inputs.rate != inputs.rate.quantize(RATE_PLACES):
        raise ValidationError("A rate has at most six decimal places, e.g. 6.125.", "rate")
    if view.status not in OPEN_LOAN or view.status is SAStatus.PENDING_STOP:
        raise ValidationError(f"Loan {view.sa_number} is {view.status.label.lower()}; its "
                              "payments cannot be renegotiated.", "status")
    if inputs.loan_amount is not None and inputs.loan_amount != view.loan_amount \
            and not view.loan_amount_editable:
        raise ValidationError("The loan amount can be changed only before the loan is "
                              "activated.", "loan_amount")
    if inputs.rate != view.rate and not view.allow_rate_override:
        raise ValidationError(f"{view.sa_type} loans keep their standard rate; the interest "
                              "rate cannot be overridden.", "rate")


def calculate_renegotiation(view: LoanView, inputs: RenegotiationInputs) -> LoanCalculation:
    """Calculate (LN-F10): fill the blank field for the principal balance (the loan amount
    before activation) at ``rate`` and forecast the loan with it, from the next period."""
    _check_allowed(view, inputs)
    terms, position = view.terms, view.position
    if view.loan_amount_editable and inputs.loan_amount is not None:
        try:
            validate_inputs(principal=inputs.loan_amount)
        except LoanError as exc:
            raise loan_error(exc) from None
        terms = replace(terms, loan_amount=inputs.loan_amount)
        position = LoanPosition(inputs.loan_amount)
    if position.principal <= 0:
        raise ValidationError("The loan has no principal left to renegotiate.", "payment")
    try:
        result = calculate(terms, position, payment=inputs.payment, periods=inputs.periods,
                           annual_rate=inputs.rate)
    except LoanError as exc:
        raise loan_error(exc) from None
    changed = with_changes(terms, view.next_period.start if view.ever_billed else terms.start,
                           rate=inputs.rate, payment=result.payment)
    return LoanCalculation(inputs, result.payment, result.periods, inputs.rate,
                           view.next_period.start, forecast_of(result.schedule), changed,
                           position)


def save_renegotiation(db: Database, actor: Actor, sa_number: str,
                       inputs: RenegotiationInputs, calculated: LoanCalculation | None,
                       expected_version: int) -> LoanView:
    """Save a renegotiation Calculate produced for these very inputs. From D, the start of
    the next loan period: a new rate closes the open override on D − 1 and adds one from D;
    a new payment is in force from D. A loan never billed has its start rows updated in
    place instead (and, before activation, its loan amount)."""
    actor.require("renegotiate loans", *LOAN_OFFICERS)
    require_calculated(calculated, inputs)
    with transaction(db, actor, reason="Loan renegotiated") as session:
        sa, loan = lock_loan(session, sa_number, lock=True)
        check_version(loan, expected_version, f"Loan {sa.number}")
        view = view_in(session, sa, loan)
        result = calculate_renegotiation(view, inputs)      # the same numbers, re-checked
        if not view.ever_billed:                       # in place: the start rows (LN-T14)
            if inputs.loan_amount is not None and sa.status is SAStatus.PENDING_START:
                loan.loan_amount = inputs.loan_amount
            loan.original_payment_periods = result.periods
        write_terms(session, sa.id, result.terms)      # exactly what Calculate showed
        touch(loan)
        session.flush()
        session.expire_all()
        return view_in(session, sa, loan)


def write_terms(session: Session, sa_id: int, terms: LoanTerms) -> None:
    """Make the loan's rate override and payment amount rows those of ``terms``: rows that
    go are deleted, changed ones updated, new ones added (each through the ORM, so the audit
    trail has every change)."""
    rates = {r.start_date: r for r in session.scalars(select(LoanRateOverride).where(
        LoanRateOverride.service_agreement_id == sa_id))}
    wanted_rates = {o.start: o for o in terms.rate_overrides}
    payments = {p.effective_date: p for p in session.scalars(select(LoanPaymentAmount).where(
        LoanPaymentAmount.service_agreement_id == sa_id))}
    wanted_payments = {p.effective: p for p in terms.payments}
    for start, row in rates.items():
        if start not in wanted_rates:
            session.delete(row)
    for day, pay in payments.items():
        if day not in wanted_payments:
            session.delete(pay)
    session.flush()
    for start, o in wanted_rates.items():
        old_rate = rates.get(start)
        if old_rate is None:
            session.add(LoanRateOverride(service_agreement_id=sa_id, start_date=start,
                                         end_date=o.end, rate=o.rate))
        elif (old_rate.end_date, old_rate.rate) != (o.end, o.rate):
            old_rate.end_date, old_rate.rate = o.end, o.rate
    for day, p in wanted_payments.items():
        old_pay = payments.get(day)
        if old_pay is None:
            session.add(LoanPaymentAmount(service_agreement_id=sa_id, effective_date=day,
                                          amount=p.amount))
        elif old_pay.amount != p.amount:
            old_pay.amount = p.amount
    session.flush()


# ----------------------------------------------------------------------------- manual grids


def _check_grids(view: LoanView, overrides: Sequence[RateRow],
                 payments: Sequence[PaymentRow]) -> None:
    """Rows are whole and do not overlap; nothing in an already billed period changes."""
    locked_before = view.next_period.start if view.ever_billed else None
    for n, row in enumerate(sorted(overrides, key=lambda r: r.start), 1):
        if row.end is not None and row.end < row.start:
            raise ValidationError(f"Rate row {n}: the end date is before the start date.",
                                  "rate_overrides")
        if not 0 <= row.rate <= 100:
            raise ValidationError(f"Rate row {n}: the rate must be between 0 and 100 %.",
                                  "rate_overrides")
        if row.rate != row.rate.quantize(RATE_PLACES):
            raise ValidationError(f"Rate row {n}: a rate has at most six decimal places.",
                                  "rate_overrides")
    ordered = sorted(overrides, key=lambda r: r.start)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.end is None or earlier.end >= later.start:
            raise ValidationError(
                f"The rate from {earlier.start:%d %b %Y} overlaps the one from "
                f"{later.start:%d %b %Y}; end the first before the second starts.",
                "rate_overrides")
    dates = [p.effective for p in payments]
    if len(set(dates)) != len(dates):
        raise ValidationError("Two payment rows have the same effective date.", "payments")
    if not payments:
        raise ValidationError("A loan needs at least one payment amount.", "payments")
    for pay in payments:
        if pay.amount <= 0 or pay.amount != pay.amount.quantize(Decimal("0.01")):
            raise ValidationError(f"The payment from {pay.effective:%d %b %Y} must be an "
                                  "amount above zero in cents.", "payments")
    if overrides != view.rate_overrides and not view.allow_rate_override:
        raise ValidationError(f"{view.sa_type} loans keep their standard rate; the "
                              "override grid is read-only.", "rate_overrides")
    if locked_before is None:
        return
    old_rates = {(r.start, r.end, r.rate) for r in view.rate_overrides}
    new_rates = {(r.start, r.end, r.rate) for r in overrides}
    old_pay = {(p.effective, p.amount) for p in view.payment_amounts}
    new_pay = {(p.effective, p.amount) for p in payments}
    billed_day = locked_before - dt.timedelta(days=1)

    def only_end_moved(row: tuple[dt.date, dt.date | None, Decimal],
                       others: set[tuple[dt.date, dt.date | None, Decimal]]) -> bool:
        """The row's twin (same start and rate) differs only in an end date that, like
        this one, is not inside the billed periods."""
        start, end, rate = row
        return (end is None or end >= billed_day) and any(
            o[0] == start and o[2] == rate and (o[1] is None or o[1] >= billed_day)
            for o in others)

    for changed, others in [*((r, new_rates) for r in old_rates - new_rates),
                            *((r, old_rates) for r in new_rates - old_rates)]:
        if changed[0] <= billed_day and not only_end_moved(changed, others):
            raise ValidationError(
                f"Periods up to {billed_day:%d %b %Y} are billed; a rate row starting "
                f"{changed[0]:%d %b %Y} cannot change. Add a row from {locked_before:%d %b %Y}.",
                "rate_overrides")
    for effective, _amount in old_pay ^ new_pay:
        if effective <= billed_day:
            raise ValidationError(
                f"Periods up to {billed_day:%d %b %Y} are billed; the payment from "
                f"{effective:%d %b %Y} cannot change. Add a row from "
                f"{locked_before:%d %b %Y}.", "payments")


def save_grids(db: Database, actor: Actor, sa_number: str, overrides: Sequence[RateRow],
               payments: Sequence[PaymentRow], expected_version: int) -> LoanView:
    """Save the manual grids as edited (LN-F11). A payment that does not cover the interest is
    saved (LN-T07): the forecast then shows the negative-amortization message and billing
    gives an ERROR segment until the payment is raised."""
    actor.require("change loan terms", *LOAN_OFFICERS)
    with transaction(db, actor, reason="Loan rate and payment rows edited") as session:
        sa, loan = lock_loan(session, sa_number, lock=True)
        check_version(loan, expected_version, f"Loan {sa.number}")
        view = view_in(session, sa, loan)
        require_status(sa, OPEN_LOAN, "its rows cannot change.", "payments")
        _check_grids(view, tuple(overrides), tuple(payments))
        write_terms(session, sa.id, replace(view.terms, rate_overrides=tuple(overrides),
                                            payments=tuple(payments)))
        touch(loan)
        session.flush()
        session.expire_all()
        return view_in(session, sa, loan)
