"""The printed loan schedule: what the customer reads (pypdf reads the text back)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader

from app.db import Database
from app.engine.loans import ExtraPayment
from app.reports.loan_schedule import render_loan_schedule, write_schedule_csv
from app.services import loans
from app.services.loan_terms import RenegotiationInputs, calculate_renegotiation
from tests.services.builders import household
from tests.services.loan_fixtures import active_loan, bill_and_pay


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_plan_prints_every_payment_with_the_spec_numbers(db: Database,
                                                               tmp_path: Path) -> None:
    number = active_loan(db, household(db).account)
    view = loans.open_loan(db, number)
    out = render_loan_schedule(view, loans.forecast(view.terms, view.position),
                               tmp_path / "plan.pdf",
                               printed=dt.datetime(2025, 1, 10, 9, 30))
    text = _text(out)
    assert "Loan repayment schedule" in text and "Okafor, Ngozi" in text
    assert "6 % a year" in text and "$860.67" in text and "$327.96" in text
    assert "10 Dec 2025 – 09 Jan 2026" in text and "860.59" in text   # the closing payment
    assert "Page 1 of 1" in text and "printed 10 Jan 2025 09:30" in text
    assert "proposed" not in text.lower()


def test_proposed_terms_and_extra_payments_are_marked(db: Database, tmp_path: Path) -> None:
    number = active_loan(db, household(db).account)
    bill_and_pay(db, number, 3)
    view = loans.open_loan(db, number)
    calculation = calculate_renegotiation(view, RenegotiationInputs(Decimal(9), 9, None))
    shown = loans.forecast(calculation.terms, calculation.position,
                           [ExtraPayment(Decimal("500.00"), 2)], calculation.forecast)
    text = _text(render_loan_schedule(view, shown, tmp_path / "p.pdf", proposed=True))
    assert "Proposed: calculated, not saved" in text
    assert "These are proposed terms" in text
    assert "9 % a year" in text and "$871.34" in text
    assert f"saving ${shown.interest_saved:,.2f} in interest" in text
    assert "1,371.34" in text                                 # 871.34 + the 500.00 extra
    rows = write_schedule_csv(shown.with_extras, tmp_path / "p.csv")
    assert rows == len(shown.with_extras.rows)
