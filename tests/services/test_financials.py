"""Bills, payments and adjustments give an exact balance and a running history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models.enums import AdjustmentType, PaymentMethod, ServiceType
from app.services import financials
from app.services import service_agreements as sas
from app.services.errors import PermissionDenied, ValidationError
from app.services.financials import BillSegmentForm
from app.services.service_agreements import ServiceAgreementForm
from tests.conftest import CSR, SUPERVISOR
from tests.services.builders import household


def test_balance_and_running_history_are_exact_to_the_cent(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    elec = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), dt.date(2025, 1, 1), "E-RES-1"))
    gas = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "G-RES", ServiceType.GAS, (home.gas_sp,), dt.date(2025, 1, 1), "G-RES-1"))
    financials.post_bill(db, SUPERVISOR, home.account, dt.date(2025, 2, 3), dt.date(2025, 2, 24), [
        BillSegmentForm(elec.number, dt.date(2025, 1, 1), dt.date(2025, 1, 31), Decimal("612.5"), "KWH", Decimal("98.17")),
        BillSegmentForm(gas.number, dt.date(2025, 1, 1), dt.date(2025, 1, 31), Decimal("41"), "THERM", Decimal("52.36")),
    ])
    financials.post_payment(db, CSR, home.account, dt.date(2025, 2, 20), "100.00", PaymentMethod.CARD)
    financials.post_adjustment(db, SUPERVISOR, home.account, dt.date(2025, 2, 21), AdjustmentType.CREDIT,
                               "-0.10", "Goodwill credit for a late letter")
    assert financials.account_balance(db, home.account) == Decimal("50.43")
    history = financials.financial_history(db, home.account)
    assert [(h.kind, h.amount, h.balance) for h in history] == [
        ("Bill", Decimal("150.53"), Decimal("150.53")),
        ("Payment", Decimal("-100.00"), Decimal("50.53")),
        ("Adjustment", Decimal("-0.10"), Decimal("50.43")),
    ]


@pytest.mark.parametrize("amount", ["12.345", "abc", "0", "-5.00"])
def test_bad_payment_amounts_are_refused(db, amount: str) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    with pytest.raises(ValidationError) as caught:
        financials.post_payment(db, CSR, home.account, dt.date(2025, 2, 1), amount, PaymentMethod.CASH)
    assert caught.value.field == "amount"
    assert financials.account_balance(db, home.account) == Decimal("0.00")


def test_a_csr_cannot_adjust_a_balance(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    with pytest.raises(PermissionDenied):
        financials.post_adjustment(db, CSR, home.account, dt.date(2025, 2, 1), AdjustmentType.CREDIT,
                                   "-5.00", "Because")
