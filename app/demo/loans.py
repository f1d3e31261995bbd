"""Demo loans, made through the loan services as a loan officer, a biller and a cashier would:
the showcase account gets an active service upgrade loan billed and paid up to the demo's
month (with one overpayment, so the term is shorter); other accounts get a renegotiated
conservation loan, a pending-start appliance loan, a quarterly economic development loan and a
small loan already paid off and closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import text

from app.db import Database
from app.engine.loans import add_months
from app.models.enums import PaymentMethod, SAStatus
from app.services import loan_billing, loan_terms, loans
from app.services.context import SYSTEM
from app.services.control_central import showcase_account
from app.services.errors import DomainError
from app.services.loans import StartLoanForm

D = Decimal


@dataclass(frozen=True)
class _Plan:
    sa_type: str
    option: str
    amount: str
    periods: int
    months_ago: int
    overpay: str | None = None
    renegotiate_rate: str | None = None


PLANS = (
    _Plan("LN-UPGRADE", "UPGRADE-DUALFUEL", "8000.00", 48, 14, overpay="750.00"),
    _Plan("LN-CONSERVE", "CONSERVE-HEATPUMP", "12000.00", 60, 20),
    _Plan("LN-UPGRADE", "UPGRADE-OTHER", "6500.00", 36, 9, renegotiate_rate="4.75"),
    _Plan("LN-APPLIANCE", "APPLIANCE-52", "2400.00", 52, -1),          # starts next month
    _Plan("LN-ECONDEV", "ECONDEV-LINE", "150000.00", 40, 15),
    _Plan("LN-UPGRADE", "UPGRADE-OTHER", "1200.00", 6, 10),            # paid off, closed
)


def _accounts(db: Database, count: int) -> list[str]:
    first = showcase_account(db)
    with db.engine.connect() as conn:
        others = [str(n) for n in conn.execute(text(
            "SELECT a.number FROM account a WHERE a.status = 'ACTIVE' AND EXISTS "
            "(SELECT 1 FROM bill b WHERE b.account_id = a.id) ORDER BY a.id LIMIT :n"),
            {"n": count + 1}).scalars()]
    ordered = ([first] if first else []) + [n for n in others if n != first]
    return ordered[:count]


@dataclass
class DemoLoans:
    """What the demo loans added: loans, and the bills and payments posted for them."""

    loans: int = 0
    bills: int = 0
    payments: int = 0


def _run_to(db: Database, number: str, as_of: dt.date, plan: _Plan, made: DemoLoans) -> None:
    """Bill each period on its first day up to ``as_of`` and pay each bill five days later
    (the last one only when that day has come); overpay once, halfway."""
    bills = 0
    while True:
        view = loans.open_loan(db, number)
        if view.status is not SAStatus.ACTIVE or view.next_period.start > as_of:
            break
        bill = loan_billing.bill_loan(db, SYSTEM, number, view.next_period.start)
        if not bill.ok:
            break
        bills += 1
        made.bills += 1
        paid_on = view.next_period.start + dt.timedelta(days=5)
        if paid_on <= as_of:
            amount = bill.amount
            if plan.overpay and bills == 6:
                amount += D(plan.overpay)
            amount = min(amount, loans.open_loan(db, number).payoff_balance)
            loan_billing.pay_loan(db, SYSTEM, number, paid_on, amount, PaymentMethod.DIRECT_DEBIT)
            made.payments += 1
        if plan.renegotiate_rate and bills == 4:
            current = loans.open_loan(db, number)
            inputs = loan_terms.RenegotiationInputs(D(plan.renegotiate_rate),
                                                   current.forecast.payments, None)
            calc = loan_terms.calculate_renegotiation(current, inputs)
            loan_terms.save_renegotiation(db, SYSTEM, number, inputs, calc, current.version)
    view = loans.open_loan(db, number)
    if view.status is SAStatus.PENDING_STOP and view.end_date and view.end_date <= as_of:
        stopped = loan_billing.stop_loan(db, SYSTEM, number, as_of)
        made.bills += stopped.status is SAStatus.STOPPED     # a final bill was posted


def add_demo_loans(db: Database, as_of: dt.date) -> DemoLoans:
    """Loans for the first demo accounts (the showcase account first)."""
    made = DemoLoans()
    month_start = as_of.replace(day=1)
    for account, plan in zip(_accounts(db, len(PLANS)), PLANS, strict=False):
        start = add_months(month_start, -plan.months_ago) + dt.timedelta(days=9)
        form = StartLoanForm(account, plan.sa_type, plan.option, start, D(plan.amount),
                             None, plan.periods)
        try:
            calculation = loans.calculate_start(loans.loan_types(db), form)
            number = loans.start_loan(db, SYSTEM, form, calculation)
            if start <= as_of:
                loans.activate_loan(db, SYSTEM, number)
                _run_to(db, number, as_of, plan, made)
        except DomainError:
            continue              # a demo database without the shipped loan types
        made.loans += 1
    return made


__all__ = ["DemoLoans", "add_demo_loans"]
