"""Describing a record for display: the facts and tables the record pane shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.models.enums import PaymentMethod, ServiceType
from app.services import financials, records
from app.services import service_agreements as sas
from app.services.errors import NotFound
from app.services.financials import BillSegmentForm
from app.services.service_agreements import ServiceAgreementForm
from tests.conftest import CSR, SUPERVISOR
from tests.services.builders import household


def test_account_record_has_balance_owner_agreements_and_money(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    sa = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), dt.date(2025, 1, 1), "E-RES-1"))
    financials.post_bill(db, SUPERVISOR, home.account, dt.date(2025, 2, 3), dt.date(2025, 2, 24), [
        BillSegmentForm(sa.number, dt.date(2025, 1, 1), dt.date(2025, 1, 31), Decimal("1500"), "KWH",
                        Decimal("1234.56"))])
    financials.post_payment(db, CSR, home.account, dt.date(2025, 2, 20), "1000.00", PaymentMethod.CARD)
    view = records.describe(db, "Account", home.account)
    facts = dict(view.facts)
    assert view.title == "Okafor, Ngozi"
    assert facts["Balance"] == "234.56 USD"
    sections = {s.title: s for s in view.sections}
    assert [r[:3] for r in sections["Parties and roles"].rows] == [(home.party, "Okafor, Ngozi", "Owner")]
    assert sections["Service agreements"].rows[0][0] == sa.number
    assert sections["Service agreements"].link_kind == "Service agreement"
    money = sections["Recent bills, payments and adjustments"].rows
    assert [(r[1], r[3], r[4]) for r in money] == [
        ("Payment", "-1,000.00 USD", "234.56 USD"), ("Bill", "1,234.56 USD", "1,234.56 USD")]


def test_service_point_record_shows_who_was_supplied(db) -> None:  # type: ignore[no-untyped-def]
    home = household(db)
    first = sas.create_service_agreement(db, CSR, ServiceAgreementForm(
        home.account, "E-RES", ServiceType.ELECTRIC, (home.electric_sp,), dt.date(2025, 1, 1),
        "E-RES-1", dt.date(2025, 6, 30)))
    view = records.describe(db, "Service point", home.electric_sp)
    (occupants, _installs) = view.sections
    assert occupants.rows == ((first.number, home.account, "Pending start", "2025-01-01", "2025-06-30"),)


def test_unknown_kind_and_number(db) -> None:  # type: ignore[no-untyped-def]
    from app.engine.identifiers import from_body

    unused = from_body(222222222)
    with pytest.raises(NotFound, match="cannot show a 'Spaceship' record"):
        records.describe(db, "Spaceship", unused)
    with pytest.raises(NotFound, match=f"There is no premise {unused}"):
        records.describe(db, "Premise", unused)
