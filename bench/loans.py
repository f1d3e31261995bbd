"""Loans: the amortization engine, the loan pane's redraw after a keystroke, and the loan
services against a database.

    python bench/loans.py --database URL [--runs 200]

Times, per call:

* ``engine: 360-period schedule``: `engine.loans.schedule` of a 30-year monthly loan
  (250,000.00 at 6.5 %), no database;
* ``engine: Calculate 360``: `engine.loans.calculate` (payment from the term, then the
  schedule);
* ``engine: what-if 360 + extra``: `services.loans.forecast` with a recurring extra payment
  (plan and what-if, and what they save);
* ``pane: keystroke → redraw``: the Loans pane of the main window (offscreen) showing a
  360-period loan; one character typed into the payment field → the forecast recalculated,
  the table model and the chart replaced and the pane repainted;
* ``pane: extra payment → redraw``: the same for adding a planned extra payment;
* ``open a loan``: `services.loans.open_loan` of that loan after 24 bills and payments
  (terms, balances, history and the forecast);
* ``bill + pay``: one bill and one payment through the services.

The loan is made in the database given (a fresh account is added through the services, so any
demo database, or an empty one, will do). Targets: the schedule under 2 ms; the pane redraw
under 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import report as line  # noqa: E402
from timing import timed  # noqa: E402

from app.db import Database, open_database  # noqa: E402
from app.engine.loans import (  # noqa: E402
    ExtraPayment,
    Frequency,
    LoanTerms,
    PaymentChange,
    calculate,
    schedule,
)
from app.models.enums import CustomerClass, PaymentMethod, UserRole  # noqa: E402
from app.services import accounts, loan_billing, loans, parties  # noqa: E402
from app.services.accounts import AccountForm  # noqa: E402
from app.services.context import Actor  # noqa: E402
from app.services.loans import StartLoanForm  # noqa: E402
from app.services.parties import MailingAddress, PersonForm  # noqa: E402

TARGETS_MS = {"schedule": 2.0, "pane": 50.0}


def report(label: str, times: list[float], target: float | None = None) -> None:
    line(label, times, target, places=2)       # the engine's figures are below a millisecond


def times_of(fn: Callable[[], object], runs: int) -> list[float]:
    return [timed(fn) for _ in range(runs)]
OFFICER = Actor("bench", "Bench Officer", frozenset({UserRole.SUPERVISOR, UserRole.CSR}))
START = dt.date(2024, 1, 10)


def engine(runs: int) -> None:
    terms = LoanTerms(Decimal("250000.00"), Decimal("6.5"), Frequency.MONTHLY, START,
                      (PaymentChange(START, Decimal("1580.18")),))
    for _ in range(20):
        schedule(terms)
    report("engine: 360-period schedule", times_of(lambda: schedule(terms), runs),
            TARGETS_MS["schedule"])
    report("engine: Calculate 360", times_of(lambda: calculate(terms, periods=360), runs))
    extra = [ExtraPayment(Decimal("100.00"), 1, True)]
    position = loans.LoanPosition(Decimal("250000.00"))
    report("engine: what-if 360 + extra",
            times_of(lambda: loans.forecast(terms, position, extra), runs))


def _make_loan(db: Database) -> str:
    person = parties.create_person(db, OFFICER, PersonForm(
        last_name="Bench", first_name="Loan", phone="(555) 555-0199",
        address=MailingAddress(line1="1 Bench St", city="Springfield", postal_code="62701")))
    customer = accounts.create_customer(db, OFFICER, person.number, CustomerClass.RESIDENTIAL)
    account = accounts.open_account(db, OFFICER, AccountForm(customer.number, START, "Bench"))
    form = StartLoanForm(account.number, "LN-UPGRADE", "UPGRADE-OTHER", START,
                         Decimal("250000.00"), None, 360)
    number = loans.start_loan(db, OFFICER, form, loans.calculate_start(loans.loan_types(db), form))
    loans.activate_loan(db, OFFICER, number)
    return number


def database(db: Database, runs: int) -> str:
    number = _make_loan(db)
    bill_pay: list[float] = []
    for _ in range(24):
        view = loans.open_loan(db, number)
        started = time.perf_counter()
        bill = loan_billing.bill_loan(db, OFFICER, number, view.next_period.start)
        loan_billing.pay_loan(db, OFFICER, number, view.next_period.start, bill.amount,
                              PaymentMethod.DIRECT_DEBIT)
        bill_pay.append((time.perf_counter() - started) * 1000)
    report("open a loan (24 bills, 336 left)",
            times_of(lambda: loans.open_loan(db, number), max(20, runs // 5)))
    report("bill + pay", bill_pay)
    return number


def pane(db: Database, number: str, runs: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.views.launch import ensure_application
    from app.views.loans import LoansPane
    from app.views.main_window import MainWindow
    from app.views.worker import wait_for_all

    app = ensure_application()
    window = MainWindow(db, OFFICER)
    window.resize(1400, 900)
    window.show()
    pane_widget = window.open_pane("loans")
    assert isinstance(pane_widget, LoansPane)
    pane_widget.open_loan(number)
    wait_for_all()
    app.processEvents()
    tab = pane_widget.forecast_tab
    assert tab.model.rowCount() > 300, tab.model.rowCount()
    field = tab.inputs["payment"]
    base = field.text()
    field.setFocus()

    def keystroke(n: int) -> float:
        field.setText(base)                    # back to the saved payment (not timed)
        tab._edited()
        app.processEvents()
        started = time.perf_counter()
        QTest.keyClick(field, Qt.Key.Key_1 if n % 2 else Qt.Key.Key_2)
        pane_widget.repaint()
        app.processEvents()
        return (time.perf_counter() - started) * 1000

    for n in range(10):
        keystroke(n)
    times = [keystroke(n) for n in range(runs)]
    assert tab.stack.currentIndex() == 0 and tab.model.rowCount() > 2
    report("pane: keystroke → redraw", times, TARGETS_MS["pane"])

    def extra() -> float:
        tab.set_extras([])
        app.processEvents()
        tab.extra_amount.setText("100.00")
        started = time.perf_counter()
        tab.add_extra()
        pane_widget.repaint()
        app.processEvents()
        return (time.perf_counter() - started) * 1000

    report("pane: extra payment → redraw", [extra() for _ in range(max(20, runs // 4))],
            TARGETS_MS["pane"])
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="a database URL (default: engine only)")
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    engine(args.runs)
    if args.database:
        db = open_database(args.database)
        print(db.description, flush=True)
        number = database(db, args.runs)
        pane(db, number, max(50, args.runs // 2))
        db.dispose()


if __name__ == "__main__":
    main()
