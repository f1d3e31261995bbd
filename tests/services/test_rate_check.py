"""Rate Check through the service, on a small demo utility (SQLite and
PostgreSQL): defaults from an agreement, amounts by hand from the shipped E-RES-1 rate, errors
tied to the input they concern, and pricing terms from the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import event, select, text

from app.db import Database
from app.engine.identifiers import from_sequence
from app.models.characteristics import CharacteristicType, CharacteristicValue
from app.models.enums import CharacteristicValueKind
from app.models.rates import SaTaxExemption
from app.models.service_agreements import ServiceAgreement
from app.models.service_points import ServicePoint
from app.services import rate_check as RC
from app.services.errors import DomainError
from app.services.financials import bill_segment_number
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
                         quantities=KWH_750, revenue_class="RES"), "characteristics",
     "needs characteristic STATE"),
    (RC.RateCheckRequest(rate_schedule="E-RES-1", start=JULY[0], end=JULY[1],
                         quantities=KWH_750, characteristics=(("STATE", "IL"),)),
     "revenue_class", "Pick the revenue class"),
    (RC.RateCheckRequest(rate_schedule="E-RES-1", start=JULY[0], end=JULY[1],
                         quantities=KWH_750, characteristics=(("STATE", "IL"),),
                         revenue_class="XYZ"), "revenue_class", "no revenue class XYZ"),
    (RC.RateCheckRequest(rate_schedule="E-RES-1", start=JULY[0], end=JULY[1],
                         bill_segment="1234567890"), "bill_segment", "not a valid ID"),
    (RC.RateCheckRequest(rate_schedule="E-RES-1", start=JULY[0], end=JULY[1],
                         quantities=(RC.QuantityInput("KWH", None, None, "750", "55"),)),
     "quantities", "Quantity row 1: '55' has 2 digits"),
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
                         characteristics=(("STATE", ""),), revenue_class="RES"),
     "characteristics",
     "enter a value for STATE"),
])
def test_errors_name_the_input_they_concern(rate_demo: Database, request_: RC.RateCheckRequest,
                                            field: str, words: str) -> None:
    error = _error(rate_demo, request_)
    assert error.field == field
    assert words in error.message




# --- bill segments (spec/20 §9.1 Bill Seg ID, S-RC-02) ------------------------------------------


def _segment_rows(db: Database, sa: str) -> list[tuple[int, dt.date, dt.date, Decimal, dt.date]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT s.id, s.start_date, s.end_date, s.amount, b.bill_date FROM bill_segment s "
            "JOIN bill b ON b.id = s.bill_id JOIN service_agreement sa ON sa.id = "
            "s.service_agreement_id WHERE sa.number = :n ORDER BY s.end_date DESC"),
            {"n": sa}).all()]


def test_a_bill_segment_fills_the_check_and_shows_what_it_billed(rate_demo: Database) -> None:
    sa = active_sa(rate_demo, "E-RES")
    rows = _segment_rows(rate_demo, sa)
    d = RC.agreement_defaults(rate_demo, sa)
    assert [s.number for s in d.bill_segments] == [bill_segment_number(r[0]) for r in rows]
    assert d.bill_segment == d.bill_segments[0]                 # the last bill by default
    third = rows[2]
    picked = RC.agreement_defaults(rate_demo, None, bill_segment=bill_segment_number(third[0]))
    assert picked.sa_number == sa                                # the segment gives its SA
    assert (picked.start, picked.end, picked.accounting_date) == (
        _day(third[1]), _day(third[2]), _day(third[4]))
    assert picked.quantities == picked.bill_segment.quantities  # type: ignore[union-attr]
    assert picked.quantities[0].service_point == d.service_points[0]

    outcome = RC.check(rate_demo, RC.RateCheckRequest(
        bill_segment=picked.bill_segment.number, start=picked.start,  # type: ignore[union-attr]
        end=picked.end, accounting_date=picked.accounting_date,
        quantities=picked.quantities))
    assert outcome.billed is not None and outcome.billed.amount == Decimal(str(third[3]))
    assert outcome.billed.sa_number == sa
    assert outcome.billed_difference == outcome.result.total - Decimal(str(third[3]))
    assert outcome.result.rate_schedule == d.rate_schedule


def test_a_bill_segment_of_another_agreement_is_refused(rate_demo: Database) -> None:
    with rate_demo.engine.connect() as conn:
        sa, other = [r[0] for r in conn.execute(text(
            "SELECT sa.number FROM service_agreement sa WHERE EXISTS (SELECT 1 FROM "
            "bill_segment b WHERE b.service_agreement_id = sa.id) ORDER BY sa.id LIMIT 2"))]
    segment = RC.agreement_defaults(rate_demo, other).bill_segments[0]
    error = _error(rate_demo, RC.RateCheckRequest(sa_number=sa, bill_segment=segment.number,
                                                  start=JULY[0], end=JULY[1]))
    assert error.field == "bill_segment"
    assert f"is of service agreement {other}, not {sa}" in error.message
    with pytest.raises(DomainError, match=f"no bill segment {bill_segment_number(10**7)}"):
        RC.agreement_defaults(rate_demo, None, bill_segment=bill_segment_number(10**7))


def _day(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# --- service points (spec/20 §9.1: any SP may be picked, to experiment) -------------------------


def _point_with_take_point(db: Database, take_point: str) -> str:
    """A service point (of no particular agreement) whose premise has TAKEPT ``take_point``."""
    with db.sessions() as session:
        if session.get(CharacteristicType, "TAKEPT") is None:
            session.add(CharacteristicType(code="TAKEPT", description="Gas take point",
                                           value_kind=CharacteristicValueKind.ADHOC,
                                           for_premise=True))
        sp = session.scalars(select(ServicePoint).order_by(ServicePoint.id.desc())).first()
        assert sp is not None
        session.add(CharacteristicValue(characteristic_type_code="TAKEPT",
                                        premise_id=sp.premise_id,
                                        effective_from=dt.date(2000, 1, 1), value=take_point))
        session.commit()
        return sp.number


def test_a_service_point_typed_beside_a_quantity_gives_its_premise_characteristics(
        rate_demo: Database) -> None:
    """RX-06 adjusts CCF by bill factor PF-ADJ for the premise's take point (TAKEPT)."""
    point = _point_with_take_point(rate_demo, "TP1")
    ccf = (RC.QuantityInput("CCF", None, None, "1000", point),)
    alone = RC.check(rate_demo, RC.RateCheckRequest(
        rate_schedule="RX-06", start=JULY[0], end=JULY[1], quantities=ccf,
        revenue_class="COM")).result
    assert [(r.final_uom, r.register_qty, r.service_point) for r in alone.register_reads] == [
        ("CCF", Decimal(1000), point), ("CCFPF", Decimal(1025), point)]  # 1000 × 1.025 (TP1)
    # with an agreement the point is not linked to: the typed point still serves its register
    sa = active_sa(rate_demo, "E-RES")
    linked = RC.agreement_defaults(rate_demo, sa).service_points
    assert point not in linked
    with_sa = RC.check(rate_demo, RC.RateCheckRequest(
        rate_schedule="RX-06", sa_number=sa, start=JULY[0], end=JULY[1], quantities=ccf,
        revenue_class="COM")).result
    assert with_sa.total == alone.total
    error = _error(rate_demo, RC.RateCheckRequest(
        rate_schedule="RX-06", start=JULY[0], end=JULY[1], revenue_class="COM",
        quantities=(RC.QuantityInput("CCF", None, None, "1000", from_sequence(4 * 10**8 - 7)),)))
    assert error.field == "quantities" and "there is no service point" in error.message


def test_a_rate_check_reads_an_agreement_in_a_few_statements(rate_demo: Database) -> None:
    """Batched reads: the agreement, its points, every characteristic at once, its four kinds
    of pricing terms, its rate history — not one query per service point or per object."""
    sa = active_sa(rate_demo, "E-RES")
    request = RC.RateCheckRequest(sa_number=sa, start=JULY[0], end=JULY[1],
                                  quantities=KWH_750)
    RC.check(rate_demo, request)                               # the rate library is cached
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(rate_demo.engine, "before_cursor_execute", count)
    try:
        RC.check(rate_demo, request)
    finally:
        event.remove(rate_demo.engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 11, "\n".join(selects)
