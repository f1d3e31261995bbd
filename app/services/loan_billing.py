"""Money on a loan (spec/50 §2.2–§2.3): billing a loan period (LN-F1, LN-F5, LN-F6), taking a
payment and moving an overpayment to principal (LN-F8), ad hoc adjustments (LN-F9), the early
payoff and the stop with its final bill (LN-F12), and closing a paid-off loan (LN-T19).

Each function is one transaction on the loan locked for update (SELECT … FOR UPDATE on
PostgreSQL; the SQLite write lock otherwise), so two workstations billing or paying one loan
queue behind each other and the second sees the first's transaction. What touches what the
account owes is posted to the account's bill, payment and adjustment rows as well.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.loans import (
    LoanError,
    LoanPeriod,
    accrued_interest,
    bill_charge,
)
from app.models import (
    Adjustment,
    Bill,
    BillSegment,
    LoanAgreement,
    LoanBillSegment,
    Payment,
    ServiceAgreement,
)
from app.models.enums import (
    AdjustmentType,
    BillStatus,
    LoanSegmentStatus,
    LoanTransactionKind,
    PaymentMethod,
    SAStatus,
    UserRole,
)
from app.services.common import check_version, required_text
from app.services.context import Actor, today, transaction
from app.services.errors import DomainError, ValidationError
from app.services.financials import BILLERS, CASHIERS, money
from app.services.loans import (
    ZERO,
    LoanView,
    balances,
    billed,
    lock_loan,
    post_transaction,
    require_status,
    terms_of,
    touch,
    view_in,
    why_not_billable,
)

#: Days from a loan bill to its due date.
DUE_DAYS = 21
#: LN-F8 / spec/50 §6 Q16: an overpayment stays on the loan and lowers its principal.
LOAN_OVERPAY_TO_PRINCIPAL = True
#: At most this many periods in one bill.
MAX_PERIODS_PER_BILL = 12


class AdjustmentEffect(enum.StrEnum):
    """What an ad hoc loan adjustment changes (LN-F9)."""

    PAYOFF_ONLY = "PAYOFF_ONLY"
    CURRENT_ONLY = "CURRENT_ONLY"
    BOTH = "BOTH"

    @property
    def label(self) -> str:
        return {"PAYOFF_ONLY": "Payoff only", "CURRENT_ONLY": "Current only",
                "BOTH": "Current and payoff"}[self.value]


@dataclass(frozen=True)
class LoanBillResult:
    """What billing a loan did: a bill of ``amount``, or an ERROR segment with ``error``."""

    ok: bool
    period: LoanPeriod
    periods: int
    amount: Decimal
    interest: Decimal
    principal: Decimal
    closing: bool
    error: str | None
    view: LoanView


def _bill_account(session: Session, sa: ServiceAgreement, bill_date: dt.date,
                  start: dt.date, end: dt.date, periods: int, amount: Decimal) -> int:
    """A completed account bill with the loan's one segment; returns the segment's id."""
    bill = Bill(account_id=sa.account_id, bill_date=bill_date,
                due_date=bill_date + dt.timedelta(days=DUE_DAYS), amount=amount,
                status=BillStatus.COMPLETE)
    session.add(bill)
    session.flush()
    segment = BillSegment(bill_id=bill.id, service_agreement_id=sa.id, start_date=start,
                          end_date=end, quantity=Decimal(periods), uom="PERIOD", amount=amount)
    session.add(segment)
    session.flush()
    return segment.id


def _clear_errors(session: Session, sa_id: int) -> None:
    for row in session.scalars(select(LoanBillSegment).where(
            LoanBillSegment.service_agreement_id == sa_id,
            LoanBillSegment.status == LoanSegmentStatus.ERROR)):
        session.delete(row)                       # through the ORM: the audit sees it
    session.flush()


def _not_after_today(day: dt.date, what: str, field: str) -> None:
    if day > today():
        raise ValidationError(f"The {what} {day:%d %b %Y} is in the future; it can be today "
                              f"({today():%d %b %Y}) at the latest.", field)


def bill_loan(db: Database, actor: Actor, sa_number: str, bill_date: dt.date,
              periods: int = 1, expected_version: int | None = None) -> LoanBillResult:
    """Bill the loan's next ``periods`` periods (billed in advance, from the first one's
    start). Interest r2(P × i × k) on the unbilled principal P when billed; the amount is the
    payment × k, or P + interest in the closing period, which moves the loan to pending stop.
    A payment that does not cover the interest gives an ERROR segment instead (LN-F7)."""
    actor.require("bill loans", *BILLERS)
    if not 1 <= periods <= MAX_PERIODS_PER_BILL:
        raise ValidationError(f"A bill covers 1 to {MAX_PERIODS_PER_BILL} loan periods.",
                              "periods")
    _not_after_today(bill_date, "bill date", "bill_date")
    with transaction(db, actor, reason="Loan billed") as session:
        sa, loan = lock_loan(session, sa_number, lock=True)
        check_version(loan, expected_version, f"Loan {sa.number}")
        terms = terms_of(session, sa, loan)
        done = billed(session, sa.id)
        first = terms.period(done.next_period)
        refused = why_not_billable(sa.number, sa.status, sa.end_date, first, bill_date)
        if refused is not None:
            raise ValidationError(*refused)
        if sa.status is SAStatus.PENDING_STOP and sa.end_date is not None:
            while periods > 1 and terms.period(first.number + periods - 1).start > sa.end_date:
                periods -= 1                      # nothing after the end date is billed
        last = terms.period(done.next_period + periods - 1)
        current, payoff = balances(session, sa.id)
        principal = payoff - current
        _clear_errors(session, sa.id)
        try:
            charge = bill_charge(terms, principal, first, periods)
        except LoanError as exc:
            session.add(LoanBillSegment(
                service_agreement_id=sa.id, bill_date=bill_date, first_period=first.number,
                periods_covered=periods, start_date=first.start, end_date=last.end,
                status=LoanSegmentStatus.ERROR, amount=ZERO, interest=ZERO, principal=ZERO,
                error_message=exc.message[:400]))
            touch(loan)
            session.flush()
            return LoanBillResult(False, first, periods, ZERO, ZERO, ZERO, False, exc.message,
                                  view_in(session, sa, loan))
        while charge.closing and periods > 1:     # the loan ends sooner: bill only its periods
            shorter = bill_charge(terms, principal, first, periods - 1)
            if not shorter.closing:
                break
            periods, charge = periods - 1, shorter
        last = terms.period(first.number + periods - 1)
        end = last.end
        segment_id = _bill_account(session, sa, bill_date, first.start, end, periods,
                                   charge.amount)
        row = LoanBillSegment(
            service_agreement_id=sa.id, bill_segment_id=segment_id, bill_date=bill_date,
            first_period=first.number, periods_covered=periods, start_date=first.start,
            end_date=end, status=LoanSegmentStatus.OK, amount=charge.amount,
            interest=charge.interest, principal=charge.principal, is_closing=charge.closing)
        session.add(row)
        session.flush()
        what = f"Loan period{'s' if periods > 1 else ''} {first.start:%d %b %Y} – {end:%d %b %Y}"
        post_transaction(session, sa, LoanTransactionKind.BILL, bill_date,
                         f"{what}{' (closing)' if charge.closing else ''}", charge.amount,
                         charge.interest, loan_bill_segment_id=row.id)
        if charge.closing:
            sa.status = SAStatus.PENDING_STOP
            sa.end_date = end
        touch(loan)
        session.flush()
        return LoanBillResult(True, first, periods, charge.amount, charge.interest,
                              charge.principal, charge.closing, None, view_in(session, sa, loan))


def pay_loan(db: Database, actor: Actor, sa_number: str, payment_date: dt.date,
             amount: Decimal | str, method: PaymentMethod = PaymentMethod.CASH) -> LoanView:
    """Take a payment on the loan: current and payoff fall by it. When it leaves the loan in
    credit, the credit moves to principal (LN-F8): current back to 0, payoff unchanged, so
    the principal falls, future payments stay the same and the term gets shorter."""
    actor.require("take payments", *CASHIERS)
    value = money(amount)
    if value <= 0:
        raise ValidationError("A payment is an amount above zero.", "amount")
    with transaction(db, actor, reason="Loan payment") as session:
        sa, loan = lock_loan(session, sa_number, lock=True)
        require_status(sa, (SAStatus.ACTIVE, SAStatus.PENDING_STOP, SAStatus.STOPPED),
                       "it takes no payments.", "amount")
        current, payoff = balances(session, sa.id)
        if value > payoff:
            raise ValidationError(
                f"The payment {value:,.2f} is more than the payoff balance {payoff:,.2f}, "
                "which settles the loan. Take at most that.", "amount")
        through = billed(session, sa.id).billed_through
        if value == payoff and sa.status is SAStatus.ACTIVE and (
                through is None or payment_date > through):
            since = f"since {through:%d %b %Y}" if through else "since the loan started"
            raise ValidationError(
                f"{value:,.2f} pays the loan off, but interest has accrued {since}. Use Early "
                "Payoff: its final bill adds that interest; then take the payment.", "amount")
        payment = Payment(account_id=sa.account_id, payment_date=payment_date, amount=value,
                          method=method)
        session.add(payment)
        session.flush()
        post_transaction(session, sa, LoanTransactionKind.PAYMENT, payment_date,
                         f"Payment ({method.label.lower()})", -value, -value,
                         payment_id=payment.id)
        current, payoff = current - value, payoff - value
        if current < 0 and LOAN_OVERPAY_TO_PRINCIPAL and sa.status is SAStatus.ACTIVE:
            credit = -current
            adjustment = Adjustment(
                account_id=sa.account_id, service_agreement_id=sa.id,
                adjustment_date=payment_date, adjustment_type=AdjustmentType.LOAN_OVERPAYMENT,
                amount=credit, reason="Overpayment moved to loan principal")
            session.add(adjustment)
            session.flush()
            post_transaction(session, sa, LoanTransactionKind.OVERPAYMENT, payment_date,
                             "Overpayment moved to principal", credit, ZERO,
                             adjustment_id=adjustment.id)
            current = ZERO
        if payoff == 0 and current == 0 and sa.status is SAStatus.ACTIVE:
            sa.status = SAStatus.PENDING_STOP     # paid off in full: stops after this period
            sa.end_date = max(payment_date, billed(session, sa.id).billed_through
                              or sa.start_date)
        _close_if_settled(sa, current, payoff)
        touch(loan)
        session.flush()
        return view_in(session, sa, loan)


def _close_if_settled(sa: ServiceAgreement, current: Decimal, payoff: Decimal) -> None:
    if sa.status is SAStatus.STOPPED and current == 0 and payoff == 0:
        sa.status = SAStatus.CLOSED


def adjust_loan(db: Database, actor: Actor, sa_number: str, adjustment_date: dt.date,
                effect: AdjustmentEffect, amount: Decimal | str, reason: str,
                expected_version: int | None = None) -> LoanView:
    """An ad hoc adjustment (LN-F9): payoff only (e.g. waive principal), current only, or
    both. Positive raises the balance, negative lowers it."""
    actor.require("adjust loans", UserRole.SUPERVISOR)
    value = money(amount)
    if value == 0:
        raise ValidationError("An adjustment of zero changes nothing.", "amount")
    why = required_text(reason, "reason", "the reason for the adjustment", 254)
    with transaction(db, actor, reason=why) as session:
        sa, loan = lock_loan(session, sa_number, lock=True)
        check_version(loan, expected_version, f"Loan {sa.number}")
        require_status(sa, (SAStatus.ACTIVE, SAStatus.PENDING_STOP, SAStatus.STOPPED),
                       "it cannot be adjusted.", "amount")
        if sa.status is SAStatus.STOPPED and effect is not AdjustmentEffect.BOTH:
            raise ValidationError(
                f"Loan {sa.number} is stopped: nothing is billed any more, so an adjustment "
                "must change current and payoff together.", "effect")
        current, payoff = balances(session, sa.id)
        cur = value if effect is not AdjustmentEffect.PAYOFF_ONLY else ZERO
        pay = value if effect is not AdjustmentEffect.CURRENT_ONLY else ZERO
        if payoff + pay - (current + cur) < 0:
            raise ValidationError("That adjustment would make the unbilled principal "
                                  "negative.", "amount")
        links: dict[str, int] = {}
        if cur:
            adjustment = Adjustment(
                account_id=sa.account_id, service_agreement_id=sa.id,
                adjustment_date=adjustment_date,
                adjustment_type=AdjustmentType.LOAN_ADJUSTMENT, amount=cur, reason=why)
            session.add(adjustment)
            session.flush()
            links["adjustment_id"] = adjustment.id
        post_transaction(session, sa, LoanTransactionKind.ADJUSTMENT, adjustment_date,
                         f"{effect.label}: {why}", cur, pay, **links)
        _close_if_settled(sa, current + cur, payoff + pay)
        touch(loan)
        session.flush()
        return view_in(session, sa, loan)


def payoff_amount(view: LoanView, end_date: dt.date) -> tuple[Decimal, Decimal]:
    """(final bill, accrued interest) if the loan ends on ``end_date`` (LN-F12): the unbilled
    principal plus interest accrued after the last billed period. No query."""
    accrued = accrued_interest(view.terms, view.principal_balance, view.billed_through,
                               end_date)
    return view.principal_balance + accrued, accrued


def request_payoff(db: Database, actor: Actor, sa_number: str, end_date: dt.date,
                   expected_version: int | None = None) -> LoanView:
    """Early payoff: set the loan's end date; it is pending stop until then (LN-F12)."""
    actor.require("stop loans", UserRole.CSR, UserRole.SUPERVISOR)
    with transaction(db, actor, reason="Loan early payoff requested") as session:
        sa, loan = lock_loan(session, sa_number, lock=True)
        check_version(loan, expected_version, f"Loan {sa.number}")
        require_status(sa, (SAStatus.ACTIVE,), "only an active loan can be paid off early.",
                       "end_date")
        if end_date < sa.start_date:
            raise ValidationError(f"The end date is before the loan started "
                                  f"({sa.start_date:%d %b %Y}).", "end_date")
        last = view_in(session, sa, loan).forecast.last_date
        if last is not None and end_date > last:
            raise ValidationError(
                f"Loan {sa.number} is repaid by {last:%d %b %Y} on its schedule; an early "
                "payoff ends it on or before that day.", "end_date")
        sa.status = SAStatus.PENDING_STOP
        sa.end_date = end_date
        touch(loan)
        session.flush()
        return view_in(session, sa, loan)


def stop_loan(db: Database, actor: Actor, sa_number: str, on: dt.date) -> LoanView:
    """Stop SA: a pending-stop loan whose end date has come is stopped. If principal is left
    (an early payoff), its final bill charges it plus the accrued interest; a loan with
    nothing left is closed at once."""
    actor.require("stop loans", UserRole.CSR, UserRole.SUPERVISOR)
    _not_after_today(on, "stop date", "status")
    with transaction(db, actor, reason="Loan stopped") as session:
        sa, loan = lock_loan(session, sa_number, lock=True)
        _stop(session, sa, loan, on)
        return view_in(session, sa, loan)


def _stop(session: Session, sa: ServiceAgreement, loan: LoanAgreement, on: dt.date) -> None:
    require_status(sa, (SAStatus.PENDING_STOP,), "only a loan pending stop can be stopped.")
    assert sa.end_date is not None            # pending stop always has its end date
    if on < sa.end_date:
        raise ValidationError(f"Loan {sa.number} ends {sa.end_date:%d %b %Y}; it stays "
                              "pending stop until then.", "status")
    current, payoff = balances(session, sa.id)
    principal = payoff - current
    sa.status = SAStatus.STOPPED
    if principal > 0:
        terms = terms_of(session, sa, loan)
        done = billed(session, sa.id)
        accrued = accrued_interest(terms, principal, done.billed_through, sa.end_date)
        amount = principal + accrued
        start = (done.billed_through + dt.timedelta(days=1)) if done.billed_through \
            else sa.start_date
        start = min(start, sa.end_date)
        segment_id = _bill_account(session, sa, on, start, sa.end_date, 0, amount)
        row = LoanBillSegment(
            service_agreement_id=sa.id, bill_segment_id=segment_id, bill_date=on,
            first_period=done.next_period, periods_covered=0, start_date=start,
            end_date=sa.end_date, status=LoanSegmentStatus.OK, amount=amount,
            interest=accrued, principal=principal, is_final=True)
        session.add(row)
        session.flush()
        post_transaction(session, sa, LoanTransactionKind.BILL, on,
                         f"Final bill: principal {principal:,.2f} + accrued interest "
                         f"{accrued:,.2f}", amount, accrued, loan_bill_segment_id=row.id)
        current, payoff = current + amount, payoff + accrued
    _close_if_settled(sa, current, payoff)
    touch(loan)
    session.flush()


@dataclass(frozen=True)
class LoanBatchResult:
    activated: int
    stopped: int
    #: (loan, why) for each loan the batch could not move; the others moved regardless.
    failed: tuple[tuple[str, str], ...] = ()


def run_loan_lifecycle(db: Database, actor: Actor, as_of: dt.date) -> LoanBatchResult:
    """The background step (SA activation and stop batches): activate pending-start loans
    that have started and stop pending-stop loans whose end date has come. Each loan is its
    own transaction: one that cannot move is reported and the others go on."""
    from app.services.loans import activate_loan

    actor.require("run the loan batch", UserRole.SUPERVISOR)
    with transaction(db, actor) as session:
        rows = session.execute(
            select(ServiceAgreement.number, ServiceAgreement.status)
            .join(LoanAgreement, LoanAgreement.service_agreement_id == ServiceAgreement.id)
            .where(((ServiceAgreement.status == SAStatus.PENDING_START)
                    & (ServiceAgreement.start_date <= as_of))
                   | ((ServiceAgreement.status == SAStatus.PENDING_STOP)
                      & (ServiceAgreement.end_date <= as_of)))
            .order_by(ServiceAgreement.id)).all()
    activated = stopped = 0
    failed: list[tuple[str, str]] = []
    for number, status in rows:
        try:
            if status is SAStatus.PENDING_START:
                activate_loan(db, actor, number)
                activated += 1
            else:
                stop_loan(db, actor, number, as_of)
                stopped += 1
        except DomainError as exc:
            failed.append((number, exc.message))
    return LoanBatchResult(activated, stopped, tuple(failed))
