"""Rate Check through the service, on a small demo utility (SQLite and
PostgreSQL): defaults from an agreement, amounts by hand from the shipped E-RES-1 rate, errors
tied to the input they concern, and pricing terms from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.db import Database
from app.models.rates import SaTaxExemption
from app.models.service_agreements import ServiceAgreement
from app.services import rate_check as RC
from app.services.errors import DomainError
from tests.services.conftest import JULY, KWH_750, active_sa


def _error(db: Database, request: RC.RateCheckRequest) -> DomainError:
    with pytest.raises(DomainError) as caught:
        RC.check(db, request)
    return caught.value


def test_e_res_1_for_750_kwh_in_july_by_hand(rate_demo: Database) -> None:
    outcome = RC.check(rate_demo, RC.RateCheckRequest(
        rate_schedule="E-RES-1", start=JULY[0], end=JULY[1], quantities=KWH_750,
        characteristics=(("STATE", "IL"),), revenue_class="RES"))
    lines = [(line.rc_seq, line.amount) for h in outcome.result.headers for line in h.lines]
    # 12.75 customer charge; 500 × 0.1243 = 62.15; 250 × 0.1491 = 37.275 → 37.28;
    # IL sales tax 6.25 % of 112.18 = 7.01; county use tax 750 × 0.001 = 0.75
    assert lines == [(10, Decimal("12.75")), (20, Decimal("62.15")), (30, Decimal("37.28")),
                     (40, Decimal("99.43")), (50, Decimal("7.01")), (60, Decimal("0.75"))]
    assert outcome.result.total == Decimal("119.94")
    assert outcome.rate_description == "Residential electric service"
    assert outcome.revenue_class_description == "Residential"


def test_a_characteristic_typed_in_wins_over_the_agreement(rate_demo: Database) -> None:
    sa = active_sa(rate_demo, "E-RES")
    base = RC.RateCheckRequest(rate_schedule="E-RES-1", sa_number=sa, start=JULY[0],
                               end=JULY[1], quantities=KWH_750)
    il = RC.check(rate_demo, base).result                   # the premise is in Illinois
    ca = RC.check(rate_demo, replace(base, characteristics=(("STATE", "CA"),))).result
    assert il.headers[0].lines[4].description_on_bill == "State sales tax 6.25%"
    assert ca.headers[0].lines[4].description_on_bill == "State sales tax 8.25%"
    assert ca.characteristics["STATE"] == "CA"
    # 8.25 % of 112.18 = 9.25
    assert ca.total - il.total == Decimal("9.25") - Decimal("7.01")


def test_agreement_defaults_fill_the_pane(rate_demo: Database) -> None:
    sa = active_sa(rate_demo, "E-RES")
    d = RC.agreement_defaults(rate_demo, sa)
    assert d.sa_number == sa
    assert d.rate_schedule in {"E-RES-1", "E-RES-TOU"}
    assert d.revenue_class == "RES"
    assert ("STATE", "IL") in d.characteristics
    assert len(d.quantities) == 1 and d.quantities[0].uom == "KWH"
    assert Decimal(d.quantities[0].quantity) > 0
    assert d.end >= d.start
    # checking with the defaults and no rate typed uses the agreement's current rate
    outcome = RC.check(rate_demo, RC.RateCheckRequest(sa_number=sa, start=d.start, end=d.end,
                                                 quantities=d.quantities))
    assert outcome.result.rate_schedule == d.rate_schedule
    assert outcome.result.total > 0


def test_a_tax_exemption_of_the_agreement_is_applied(rate_demo: Database) -> None:
    sa = active_sa(rate_demo, "E-RES")
    request = RC.RateCheckRequest(rate_schedule="E-RES-1", sa_number=sa, start=JULY[0],
                                  end=JULY[1], quantities=KWH_750)
    before = RC.check(rate_demo, request).result
    with rate_demo.sessions() as session:
        sa_id = session.scalar(select(ServiceAgreement.id).where(ServiceAgreement.number == sa))
        session.add(SaTaxExemption(service_agreement_id=sa_id, bill_factor="STTAX",
                                   effective=dt.date(2020, 1, 1), exempt_percent=Decimal(100)))
        session.commit()
    after = RC.check(rate_demo, request).result
    tax = after.headers[0].lines[4]
    assert tax.exempt_amount == Decimal("7.01")
    assert after.total == before.total - Decimal("7.01")


@pytest.mark.parametrize(("request_", "field", "words"), [
    (RC.RateCheckRequest(rate_schedule="E-RES-1", start=JULY[0], end=JULY[1],
                         quantities=KWH_750), "characteristics", "needs characteristic STATE"),
    (RC.RateCheckRequest(rate_schedule="E-RES-1", start=JULY[1], end=JULY[0],
                         quantities=KWH_750), "end", "before the start date"),
    (RC.RateCheckRequest(rate_schedule="E-RES-1", start=JULY[0], end=None), "end",
     "end date"),
    (RC.RateCheckRequest(rate_schedule="E-RES-1", start=JULY[0], end=JULY[1],
                         quantities=(RC.QuantityInput("KWH", None, None, "75O"),),
                         characteristics=(("STATE", "IL"),)), "quantities", "not a number"),
    (RC.RateCheckRequest(rate_schedule="NOPE", start=JULY[0], end=JULY[1]), "rate_schedule",
     "no rate schedule NOPE"),
    (RC.RateCheckRequest(rate_schedule="ERES-TAX", start=JULY[0], end=JULY[1]),
     "rate_schedule", "sub-rate"),
    (RC.RateCheckRequest(start=JULY[0], end=JULY[1]), "rate_schedule", "Pick a rate"),
    (RC.RateCheckRequest(sa_number="1234567890", start=JULY[0], end=JULY[1]), "sa_number",
     ""),
    (RC.RateCheckRequest(rate_schedule="E-RES-1", start=JULY[0], end=JULY[1],
                         characteristics=(("STATE", ""),)), "characteristics",
     "enter a value for STATE"),
])
def test_errors_name_the_input_they_concern(rate_demo: Database, request_: RC.RateCheckRequest,
                                            field: str, words: str) -> None:
    error = _error(rate_demo, request_)
    assert error.field == field
    assert words in error.message


