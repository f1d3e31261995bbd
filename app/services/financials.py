"""The account's money: post bills, payments and adjustments; read balance and history.

Amounts are exact Decimals with two places. Balance = Σ bills − Σ payments + Σ adjustments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from app.db import Database
from app.engine.identifiers import from_sequence, to_sequence
from app.models import (
    Account,
    Adjustment,
    Bill,
    BillSegment,
    LoanAgreement,
    Payment,
    ServiceAgreement,
)
from app.models.enums import AdjustmentType, BillStatus, PaymentMethod, UserRole
from app.services.common import check_period, get_by_number, required_text
from app.services.context import Actor, read_only, transaction
from app.services.errors import ValidationError

CENT = Decimal("0.01")
#: Bill segments are numbered for people from their row id: `bill_segment_number`.
BILL_SEGMENT_BASE = 7 * 10**8
BILLERS = (UserRole.SUPERVISOR,)
CASHIERS = (UserRole.CSR, UserRole.SUPERVISOR)


@dataclass(frozen=True)
class BillSegmentForm:
    service_agreement_number: str
    start_date: dt.date
    end_date: dt.date
    quantity: Decimal
    uom: str
    amount: Decimal


@dataclass(frozen=True)
class FinancialEntry:
    date: dt.date
    kind: str  # "Bill", "Payment", "Adjustment"
    description: str
    amount: Decimal  # what it does to the balance: bills +, payments −
    balance: Decimal


def bill_segment_number(segment_id: int) -> str:
    """The 10-digit ID a person sees for bill segment row ``segment_id``."""
    return from_sequence(BILL_SEGMENT_BASE + segment_id)


def bill_segment_id(number: str) -> int | None:
    """The row id of a valid bill segment ID; None when the number is no bill segment's."""
    sequence = to_sequence(number) - BILL_SEGMENT_BASE
    return sequence if 0 < sequence < 10**8 else None


def money(value: Decimal | str | int, field: str = "amount") -> Decimal:
    """An exact amount with at most two decimal places."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(f"'{value}' is not an amount of money.", field) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError(f"{value} has more than two decimal places.", field)
    if abs(amount) >= Decimal("1e12"):
        raise ValidationError(f"{value} is too large.", field)
    return amount.quantize(CENT)


def post_bill(
    db: Database,
    actor: Actor,
    account_number: str,
    bill_date: dt.date,
    due_date: dt.date,
    segments: list[BillSegmentForm],
) -> int:
    """Record a completed bill; its amount is the sum of its segments."""
    actor.require("post bills", *BILLERS)
    check_period(bill_date, due_date, "due_date", "due date")
    if not segments:
        raise ValidationError("A bill needs at least one segment.", "segments")
    with transaction(db, actor) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        rows = []
        for seg in segments:
            sa = get_by_number(
                session,
                ServiceAgreement,
                seg.service_agreement_number,
                "service agreement",
                "segments",
            )
            if sa.account_id != account.id:
                raise ValidationError(
                    f"Agreement {sa.number} belongs to another account.", "segments"
                )
            if session.get(LoanAgreement, sa.id) is not None:   # its own balances (LN-F6)
                raise ValidationError(
                    f"Agreement {sa.number} is a loan: bill it on the Loans pane.", "segments")
            if sa.is_proposal:  # spec/40 §1.7: a proposal is never billed, has no FTs
                raise ValidationError(
                    f"Agreement {sa.number} is a proposal: it is priced in quotes, never "
                    "billed.", "segments")
            check_period(seg.start_date, seg.end_date, "segments", "segment end date")
            rows.append(
                BillSegment(
                    service_agreement_id=sa.id,
                    start_date=seg.start_date,
                    end_date=seg.end_date,
                    quantity=Decimal(seg.quantity),
                    uom=required_text(seg.uom, "segments", "the unit", 10),
                    amount=money(seg.amount, "segments"),
                )
            )
        bill = Bill(
            account_id=account.id,
            bill_date=bill_date,
            due_date=due_date,
            amount=sum((r.amount for r in rows), Decimal("0.00")),
            status=BillStatus.COMPLETE,
        )
        session.add(bill)
        session.flush()
        for row in rows:
            row.bill_id = bill.id
            session.add(row)
        session.flush()
        return bill.id


def post_payment(
    db: Database,
    actor: Actor,
    account_number: str,
    payment_date: dt.date,
    amount: Decimal | str,
    method: PaymentMethod,
) -> int:
    actor.require("take payments", *CASHIERS)
    value = money(amount)
    if value <= 0:
        raise ValidationError("A payment is an amount above zero.", "amount")
    with transaction(db, actor) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        payment = Payment(
            account_id=account.id, payment_date=payment_date, amount=value, method=method
        )
        session.add(payment)
        session.flush()
        return payment.id


def post_adjustment(
    db: Database,
    actor: Actor,
    account_number: str,
    adjustment_date: dt.date,
    adjustment_type: AdjustmentType,
    amount: Decimal | str,
    reason: str,
) -> int:
    actor.require("adjust balances", UserRole.SUPERVISOR)
    value = money(amount)
    if value == 0:
        raise ValidationError("An adjustment of zero changes nothing.", "amount")
    why = required_text(reason, "reason", "the reason for the adjustment", 254)
    with transaction(db, actor) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        adjustment = Adjustment(
            account_id=account.id,
            adjustment_date=adjustment_date,
            adjustment_type=adjustment_type,
            amount=value,
            reason=why,
        )
        session.add(adjustment)
        session.flush()
        return adjustment.id


def account_balance(db: Database, account_number: str) -> Decimal:
    """What the customer owes now (negative: in credit)."""
    with read_only(db) as session:
        account = get_by_number(session, Account, account_number, "account", "account")

        def total(column, where) -> Decimal:
            value = session.scalar(select(func.coalesce(func.sum(column), 0)).where(where))
            return Decimal(str(value)).quantize(CENT)

        return (
            total(
                Bill.amount, (Bill.account_id == account.id) & (Bill.status == BillStatus.COMPLETE)
            )
            - total(Payment.amount, Payment.account_id == account.id)
            + total(Adjustment.amount, Adjustment.account_id == account.id)
        )


def financial_history(
    db: Database, account_number: str, since: dt.date | None = None
) -> list[FinancialEntry]:
    """Bills, payments and adjustments oldest first, each with the running balance after it."""
    with read_only(db) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        bills = session.execute(
            select(Bill.bill_date, Bill.id, Bill.amount).where(
                Bill.account_id == account.id, Bill.status == BillStatus.COMPLETE
            )
        )
        payments = session.execute(
            select(Payment.payment_date, Payment.id, Payment.amount, Payment.method).where(
                Payment.account_id == account.id
            )
        )
        adjustments = session.execute(
            select(
                Adjustment.adjustment_date, Adjustment.id, Adjustment.amount, Adjustment.reason
            ).where(Adjustment.account_id == account.id)
        )
        events: list[tuple[dt.date, int, int, str, str, Decimal]] = []
        events += [(d, 0, i, "Bill", f"Bill {i}", Decimal(a)) for d, i, a in bills]
        events += [(d, 1, i, "Payment", m.label, -Decimal(a)) for d, i, a, m in payments]
        events += [(d, 2, i, "Adjustment", r, Decimal(a)) for d, i, a, r in adjustments]
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    balance = Decimal("0.00")
    history = []
    for day, _order, _id, kind, description, delta in events:
        balance += delta
        if since is None or day >= since:
            history.append(
                FinancialEntry(day, kind, description, delta.quantize(CENT), balance.quantize(CENT))
            )
    return history
