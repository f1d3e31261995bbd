"""Compare Rates through the service (SQLite and PostgreSQL): the last 12 billed months or
typed-in consumption through several rates, the annual cost of each (equal to the same months
checked one by one), and the cheapest eligible rate marked."""

from __future__ import annotations

from decimal import Decimal

from app.db import Database
from app.services import rate_check as RC
from app.services import rate_compare as RCmp
from tests.services.conftest import JULY, KWH_750, active_sa


def test_compare_the_last_12_months_through_the_offered_rates(rate_demo: Database) -> None:
    sa = active_sa(rate_demo, "E-RES")
    months = RCmp.usage_history(rate_demo, sa)
    assert 1 <= len(months) <= 12
    assert [m.start for m in months] == sorted(m.start for m in months)
    offered = RCmp.comparable_rates(rate_demo, sa)
    assert set(offered) <= {"E-RES-1", "E-RES-TOU"} and offered
    comparison = RCmp.compare_rates(rate_demo, RCmp.CompareRequest(
        ("E-RES-1", "E-COM-1", "G-RES-1"), months, sa_number=sa))
    by_code = {r.code: r for r in comparison.rates}
    assert by_code["E-RES-1"].eligible
    assert by_code["E-COM-1"].problem == "not offered to E-RES agreements"
    assert not by_code["G-RES-1"].eligible
    assert comparison.cheapest == "E-RES-1" and by_code["E-RES-1"].cheapest
    # the annual cost is the sum of the same months checked one by one
    one_by_one = sum((RC.check(rate_demo, RC.RateCheckRequest(
        rate_schedule="E-RES-1", sa_number=sa, start=m.start, end=m.end,
        quantities=m.quantities)).result.total for m in months), Decimal(0))
    assert by_code["E-RES-1"].annual == one_by_one
    current = comparison.current
    assert current is not None
    if current in by_code and by_code[current].annual is not None:
        assert by_code[current].difference == 0


def test_compare_typed_in_consumption_marks_the_cheapest(rate_demo: Database) -> None:
    month = RCmp.UsageMonth(JULY[0], JULY[1], (RC.QuantityInput("KWH", "ON", None, "300"),
                                              RC.QuantityInput("KWH", "OFF", None, "450")))
    flat = RCmp.UsageMonth(JULY[0], JULY[1], KWH_750)
    tou = RCmp.compare_rates(rate_demo, RCmp.CompareRequest(("E-RES-TOU",), (month,),
                                                   characteristics=(("STATE", "IL"),)))
    res = RCmp.compare_rates(rate_demo, RCmp.CompareRequest(("E-RES-1",), (flat,),
                                                   characteristics=(("STATE", "IL"),)))
    assert res.rates[0].annual == Decimal("119.94")
    # 14.00 + 300 × 0.2387 = 71.61 + 450 × 0.0943 = 42.435 → 42.44; tax 6.25 % of 128.05
    # = 8.00; county 0.75
    assert tou.rates[0].annual == Decimal("136.80")
    both = RCmp.compare_rates(rate_demo, RCmp.CompareRequest(("E-RES-1", "E-RES-TOU"), (flat,),
                                                    characteristics=(("STATE", "IL"),)))
    assert both.cheapest == "E-RES-1"
    assert {r.code: r.problem for r in both.rates}["E-RES-TOU"] == "does not price KWH"
