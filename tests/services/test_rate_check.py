"""Rate Check and Compare Rates through the service, on a small demo utility (SQLite and
PostgreSQL): defaults from an agreement, amounts by hand from the shipped E-RES-1 rate, errors
tied to the input they concern, pricing terms from the database, and the cheapest rate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from app.db import Database
from app.demo import generate
from app.models.rates import SaTaxExemption
from app.models.service_agreements import ServiceAgreement
from app.services import rate_check as RC
from app.services.errors import DomainError

JULY = (dt.date(2026, 7, 1), dt.date(2026, 7, 31))
KWH_750 = (RC.QuantityInput("KWH", None, None, "750"),)


@pytest.fixture
def demo(db: Database) -> Iterator[Database]:
    generate(db, 12, seed=3, as_of=dt.date(2026, 11, 1))
    yield db


def _sa(db: Database, sa_type: str) -> str:
    with db.engine.connect() as conn:
        number = conn.execute(text(
            "SELECT sa.number FROM service_agreement sa WHERE sa.sa_type = :t AND sa.status = "
            "'ACTIVE' AND EXISTS (SELECT 1 FROM bill_segment b WHERE b.service_agreement_id "
            "= sa.id) ORDER BY sa.id"), {"t": sa_type}).scalar()
    assert number, f"the demo has an active {sa_type} agreement with bills"
    return str(number)


def _error(db: Database, request: RC.RateCheckRequest) -> DomainError:
    with pytest.raises(DomainError) as caught:
        RC.check(db, request)
    return caught.value


def test_e_res_1_for_750_kwh_in_july_by_hand(demo: Database) -> None:
    outcome = RC.check(demo, RC.RateCheckRequest(
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


def test_a_characteristic_typed_in_wins_over_the_agreement(demo: Database) -> None:
    sa = _sa(demo, "E-RES")
    base = RC.RateCheckRequest(rate_schedule="E-RES-1", sa_number=sa, start=JULY[0],
                               end=JULY[1], quantities=KWH_750)
    il = RC.check(demo, base).result                   # the premise is in Illinois
    ca = RC.check(demo, replace(base, characteristics=(("STATE", "CA"),))).result
    assert il.headers[0].lines[4].description_on_bill == "State sales tax 6.25%"
    assert ca.headers[0].lines[4].description_on_bill == "State sales tax 8.25%"
    assert ca.characteristics["STATE"] == "CA"
    # 8.25 % of 112.18 = 9.25
    assert ca.total - il.total == Decimal("9.25") - Decimal("7.01")


def test_agreement_defaults_fill_the_pane(demo: Database) -> None:
    sa = _sa(demo, "E-RES")
    d = RC.agreement_defaults(demo, sa)
    assert d.sa_number == sa
    assert d.rate_schedule in {"E-RES-1", "E-RES-TOU"}
    assert d.revenue_class == "RES"
    assert ("STATE", "IL") in d.characteristics
    assert len(d.quantities) == 1 and d.quantities[0].uom == "KWH"
    assert Decimal(d.quantities[0].quantity) > 0
    assert d.end >= d.start
    # checking with the defaults and no rate typed uses the agreement's current rate
    outcome = RC.check(demo, RC.RateCheckRequest(sa_number=sa, start=d.start, end=d.end,
                                                 quantities=d.quantities))
    assert outcome.result.rate_schedule == d.rate_schedule
    assert outcome.result.total > 0


def test_a_tax_exemption_of_the_agreement_is_applied(demo: Database) -> None:
    sa = _sa(demo, "E-RES")
    request = RC.RateCheckRequest(rate_schedule="E-RES-1", sa_number=sa, start=JULY[0],
                                  end=JULY[1], quantities=KWH_750)
    before = RC.check(demo, request).result
    with demo.sessions() as session:
        sa_id = session.scalar(select(ServiceAgreement.id).where(ServiceAgreement.number == sa))
        session.add(SaTaxExemption(service_agreement_id=sa_id, bill_factor="STTAX",
                                   effective=dt.date(2020, 1, 1), exempt_percent=Decimal(100)))
        session.commit()
    after = RC.check(demo, request).result
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
def test_errors_name_the_input_they_concern(demo: Database, request_: RC.RateCheckRequest,
                                            field: str, words: str) -> None:
    error = _error(demo, request_)
    assert error.field == field
    assert words in error.message


def test_compare_the_last_12_months_through_the_offered_rates(demo: Database) -> None:
    sa = _sa(demo, "E-RES")
    months = RC.usage_history(demo, sa)
    assert 1 <= len(months) <= 12
    assert [m.start for m in months] == sorted(m.start for m in months)
    offered = RC.comparable_rates(demo, sa)
    assert set(offered) <= {"E-RES-1", "E-RES-TOU"} and offered
    comparison = RC.compare_rates(demo, RC.CompareRequest(
        ("E-RES-1", "E-COM-1", "G-RES-1"), months, sa_number=sa))
    by_code = {r.code: r for r in comparison.rates}
    assert by_code["E-RES-1"].eligible
    assert by_code["E-COM-1"].problem == "not offered to E-RES agreements"
    assert not by_code["G-RES-1"].eligible
    assert comparison.cheapest == "E-RES-1" and by_code["E-RES-1"].cheapest
    # the annual cost is the sum of the same months checked one by one
    one_by_one = sum((RC.check(demo, RC.RateCheckRequest(
        rate_schedule="E-RES-1", sa_number=sa, start=m.start, end=m.end,
        quantities=m.quantities)).result.total for m in months), Decimal(0))
    assert by_code["E-RES-1"].annual == one_by_one
    current = comparison.current
    assert current is not None
    if current in by_code and by_code[current].annual is not None:
        assert by_code[current].difference == 0


def test_compare_typed_in_consumption_marks_the_cheapest(demo: Database) -> None:
    month = RC.UsageMonth(JULY[0], JULY[1], (RC.QuantityInput("KWH", "ON", None, "300"),
                                              RC.QuantityInput("KWH", "OFF", None, "450")))
    flat = RC.UsageMonth(JULY[0], JULY[1], KWH_750)
    tou = RC.compare_rates(demo, RC.CompareRequest(("E-RES-TOU",), (month,),
                                                   characteristics=(("STATE", "IL"),)))
    res = RC.compare_rates(demo, RC.CompareRequest(("E-RES-1",), (flat,),
                                                   characteristics=(("STATE", "IL"),)))
    assert res.rates[0].annual == Decimal("119.94")
    # 14.00 + 300 × 0.2387 = 71.61 + 450 × 0.0943 = 42.435 → 42.44; tax 6.25 % of 128.05
    # = 8.00; county 0.75
    assert tou.rates[0].annual == Decimal("136.80")
    both = RC.compare_rates(demo, RC.CompareRequest(("E-RES-1", "E-RES-TOU"), (flat,),
                                                    characteristics=(("STATE", "IL"),)))
    assert both.cheapest == "E-RES-1"
    assert {r.code: r.problem for r in both.rates}["E-RES-TOU"] == "does not price KWH"
