"""Loans for service and view tests: the spec's common set-up (spec/50 §2.5), P = 10,000.00 at
6 % a year, monthly, started 2025-01-10, through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.db import Database
from app.models import LoanStartOption
from app.models.enums import PaymentMethod
from app.services import loan_billing, loans
from app.services.loans import StartLoanForm
from tests.conftest import CSR, SUPERVISOR

START = dt.date(2025, 1, 10)
D = Decimal


def start_form(account: str, amount: str | None = "10000.00", periods: int | None = 12,
               payment: str | None = None, *, sa_type: str = "LN-UPGRADE",
               option: str = "UPGRADE-OTHER", start: dt.date = START) -> StartLoanForm:
    return StartLoanForm(account, sa_type, option, start,
                         D(amount) if amount is not None else None,
                         D(payment) if payment is not None else None, periods)


def start_loan(db: Database, account: str, **kw: object) -> str:
    """A pending-start loan, Calculated then Started as the Start Confirmation does."""
    form = start_form(account, **kw)  # type: ignore[arg-type]
    calculation = loans.calculate_start(loans.loan_types(db), form)
    return loans.start_loan(db, CSR, form, calculation)


def active_loan(db: Database, account: str, **kw: object) -> str:
    number = start_loan(db, account, **kw)
    loans.activate_loan(db, CSR, number)
    return number


def bill_and_pay(db: Database, number: str, bills: int) -> None:
    """Bill the next ``bills`` periods on their first day and pay each bill in full."""
    for _ in range(bills):
        view = loans.open_loan(db, number)
        result = loan_billing.bill_loan(db, SUPERVISOR, number, view.next_period.start)
        assert result.ok, result.error
        loan_billing.pay_loan(db, CSR, number, view.next_period.start + dt.timedelta(days=5),
                              result.amount, PaymentMethod.CARD)


def add_start_option(db: Database, code: str, rate: str, sa_type: str = "LN-UPGRADE") -> None:
    with db.sessions() as session, session.begin():
        session.add(LoanStartOption(code=code, sa_type_code=sa_type, description=f"At {rate} %",
                                    principal_adjustment_label="Loan principal",
                                    interest_rate=D(rate)))
