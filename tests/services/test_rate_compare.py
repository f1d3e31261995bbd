"""Compare Rates through the service (SQLite and PostgreSQL): the last 12 billed months or
typed-in consumption through several rates, the annual cost of each (equal to the same months
checked one by one), and the cheapest eligible rate marked. Rates are priced as billing would
price them (Finished versions only); a TOU rate prices kWh without a time of use from an
assumed split, and says so."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import text

from app.db import Database
from app.engine.rates.enums import RateVersionStatus
from app.engine.rates.rate_files import loads
from app.models.enums import UserRole
from app.services import rate_check as RC
from app.services import rate_compare as RCmp
from app.services import rates
from app.services import service_agreements as sas
from app.services.context import Actor
from app.services.errors import ValidationError
from tests.conftest import CSR
from tests.services.conftest import JULY, KWH_750, active_sa

D = Decimal
ANALYST = Actor("rana", "Rita Analyst", frozenset({UserRole.RATE_ANALYST}))
ASSUMED_30_70 = "KWH split ON 30 % / OFF 70 % (assumed; the consumption has no time of use)"
IL = (("STATE", "IL"),)


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
    # plain kWh on the TOU rate: priced from the assumed split, which its row states
    assert {r.code: r.annual for r in both.rates} == {"E-RES-1": D("119.94"),
                                                      "E-RES-TOU": D("125.30")}
    assert {r.code: r.assumption for r in both.rates} == {"E-RES-1": None,
                                                          "E-RES-TOU": ASSUMED_30_70}
    assert tou.rates[0].assumption is None          # typed by time of use: priced as typed


def test_a_tou_rate_prices_plain_kwh_from_the_assumed_split(rate_demo: Database) -> None:
    flat = RCmp.UsageMonth(JULY[0], JULY[1], KWH_750)
    res = RCmp.compare_rates(rate_demo, RCmp.CompareRequest(("E-RES-TOU",), (flat,),
                                                            characteristics=IL))
    # E-RES-TOU (demo-electric.yaml), 750 kWh split 30 % / 70 %: 225 kWh ON, 525 kWh OFF.
    # 14.00 + 225 × 0.2387 = 53.7075 → 53.71 + 525 × 0.0943 = 49.5075 → 49.51 (= 117.22);
    # state tax 6.25 % of 117.22 = 7.32625 → 7.33; county tax 750 × 0.001 = 0.75: 125.30
    row = res.rates[0]
    assert row.eligible and row.problem is None
    assert row.annual == D("125.30") and row.monthly == (D("125.30"),)
    assert row.assumption == ASSUMED_30_70
    # a split of our own, normalised over the rate's codes (PEAK is not one of them):
    # ON 1 : OFF 1 is 375 kWh each: 14.00 + 89.51 + 35.36 = 138.87; tax 8.68; county 0.75
    halves = RCmp.compare_rates(rate_demo, RCmp.CompareRequest(
        ("E-RES-TOU",), (flat,), characteristics=IL,
        tou_shares=(("on", "1"), ("OFF", "1 %"), ("PEAK", D(90)))))
    assert halves.rates[0].annual == D("148.30")
    assert halves.rates[0].assumption == ("KWH split ON 50 % / OFF 50 % (assumed; the "
                                          "consumption has no time of use)")
    # the same as a rate check of the split quantities
    check = RC.check(rate_demo, RC.RateCheckRequest(
        "E-RES-TOU", start=JULY[0], end=JULY[1], characteristics=IL, revenue_class="RES",
        quantities=(RC.QuantityInput("KWH", "ON", None, "375"),
                    RC.QuantityInput("KWH", "OFF", None, "375"))))
    assert check.result.total == D("148.30")


def test_a_split_of_the_rates_codes_that_sums_to_0_asks_for_one(rate_demo: Database) -> None:
    flat = RCmp.UsageMonth(JULY[0], JULY[1], KWH_750)
    res = RCmp.compare_rates(rate_demo, RCmp.CompareRequest(
        ("E-RES-1", "E-RES-TOU"), (flat,), characteristics=IL,
        tou_shares=(("ON", D(0)), ("OFF", ""), ("PEAK", D(100)))))
    by_code = {r.code: r for r in res.rates}
    assert by_code["E-RES-1"].eligible and res.cheapest == "E-RES-1"
    tou = by_code["E-RES-TOU"]
    assert not tou.eligible and tou.annual is None
    assert tou.problem == ("needs a time-of-use split: the shares of ON, OFF sum to 0 — enter "
                           "how much of the KWH falls in each")


@pytest.mark.parametrize(("shares", "message"), [
    ((("ON", D(-5)), ("OFF", D(70))),
     "The ON share of the time-of-use split cannot be negative (-5): enter 0 or more."),
    ((("ON", "-5"),), "The ON share of the time-of-use split cannot be negative (-5): enter 0 "
                      "or more."),
    ((("OFF", "lots"),), "The OFF share of the time-of-use split must be a number (a "
                         "percentage such as 30), not “lots”."),
    ((("ON", "30"), ("on", "40")), "The time-of-use split gives ON twice: give each time of use "
                                   "once."),
])
def test_a_bad_share_is_refused_with_its_field(rate_demo: Database, shares: tuple[
        tuple[str, Decimal | str], ...], message: str) -> None:
    flat = RCmp.UsageMonth(JULY[0], JULY[1], KWH_750)
    with pytest.raises(ValidationError) as caught:
        RCmp.compare_rates(rate_demo, RCmp.CompareRequest(("E-RES-TOU",), (flat,),
                                                          characteristics=IL,
                                                          tou_shares=shares))
    assert caught.value.field == "tou_shares"
    assert caught.value.message == message


def _second_active(db: Database, sa_type: str, first: str) -> str:
    with db.engine.connect() as conn:
        number = conn.execute(text(
            "SELECT sa.number FROM service_agreement sa WHERE sa.sa_type = :t AND sa.status = "
            "'ACTIVE' AND sa.number <> :n ORDER BY sa.id"), {"t": sa_type, "n": first}).scalar()
    assert number, f"the demo has two active {sa_type} agreements"
    return str(number)


def test_the_last_12_months_price_on_the_flat_and_the_tou_rate(rate_demo: Database) -> None:
    sa = active_sa(rate_demo, "E-RES")
    # another E-RES agreement moves to E-RES-TOU, so the rate is offered to E-RES agreements
    sas.change_rate(rate_demo, CSR, _second_active(rate_demo, "E-RES", sa),
                    dt.date(2026, 11, 1), "E-RES-TOU")
    assert set(RCmp.comparable_rates(rate_demo, sa)) == {"E-RES-1", "E-RES-TOU"}
    months = RCmp.usage_history(rate_demo, sa)
    assert all(q.tou is None for m in months for q in m.quantities)     # bills have no TOU
    res = RCmp.compare_rates(rate_demo, RCmp.CompareRequest(("E-RES-1", "E-RES-TOU"), months,
                                                            sa_number=sa))
    by_code = {r.code: r for r in res.rates}
    assert by_code["E-RES-1"].eligible and by_code["E-RES-TOU"].eligible
    assert by_code["E-RES-1"].assumption is None
    assert by_code["E-RES-TOU"].assumption == ASSUMED_30_70
    tou = by_code["E-RES-TOU"]
    assert tou.annual is not None and None not in tou.monthly
    assert tou.annual == sum(m for m in tou.monthly if m is not None)
    # each month is the rate check of that month's kWh split 30/70 (ON rounded to the kWh)
    last = months[-1]
    kwh = D(last.quantities[0].quantity)
    on = (kwh * D("0.3")).quantize(D(1), rounding="ROUND_HALF_UP")
    check = RC.check(rate_demo, RC.RateCheckRequest(
        "E-RES-TOU", sa_number=sa, start=last.start, end=last.end,
        quantities=(RC.QuantityInput("KWH", "ON", None, f"{on}"),
                    RC.QuantityInput("KWH", "OFF", None, f"{kwh - on}"))))
    assert tou.monthly[-1] == check.result.total
    assert tou.difference == tou.annual - by_code["E-RES-1"].annual   # type: ignore[operator]


# --- what billing would charge: Finished versions only ---------------------------------------

VALIDATED_ONLY = """
rate_schedules:
  E-RES-NEW:
    description: Residential electric, new offer
    service_type: ELECTRIC
    frequency: MONTHLY
    currency: USD
    versions:
      - effective: 2026-01-01
        status: VALIDATED
        components:
          - {sequence: 10, type: FLAT, value_type: CHARGE, value: "5.00", gl: {code: REV-RES}, description_on_bill: Customer charge}
          - {sequence: 20, type: SQ, value_type: UNIT_RATE, value: "0.10", uom: KWH, gl: {code: REV-RES}, description_on_bill: Energy}
"""


def test_a_validated_only_rate_is_checked_but_not_eligible(rate_demo: Database) -> None:
    rates.import_library(rate_demo, ANALYST, loads(VALIDATED_ONLY, "new.yaml"))
    flat = RCmp.UsageMonth(JULY[0], JULY[1], KWH_750)
    # a rate check uses the Validated version: 5.00 + 750 × 0.10 = 80.00
    check = RC.check(rate_demo, RC.RateCheckRequest("E-RES-NEW", start=JULY[0], end=JULY[1],
                                                    quantities=KWH_750, revenue_class="RES"))
    assert check.result.total == D("80.00")
    # billing would not, so neither does the comparison
    res = RCmp.compare_rates(rate_demo, RCmp.CompareRequest(("E-RES-1", "E-RES-NEW"), (flat,),
                                                            characteristics=IL))
    new = {r.code: r for r in res.rates}["E-RES-NEW"]
    assert not new.eligible and new.annual is None
    assert new.problem == ("no Finished version in effect on 2026-07-01 — a Validated version "
                           "is not billed yet")
    assert res.cheapest == "E-RES-1"


def test_a_newer_validated_version_is_not_what_billing_charges(rate_demo: Database) -> None:
    """E-RES-1 gets a Validated version from 2026-01-01 with a 99.00 customer charge: a rate
    check shows it, the comparison keeps the Finished 2025-07-01 version (12.75)."""
    new = dt.date(2026, 1, 1)
    rates.add_version(rate_demo, ANALYST, "E-RES-1", new, copy_from=dt.date(2025, 7, 1))
    opened = rates.open_schedule(rate_demo, ANALYST, "E-RES-1")
    rv = next(v for v in opened.schedule.versions if v.effective == new)
    rv = replace(rv, components=tuple(replace(rc, value=D("99.00")) if rc.sequence == 10
                                      else rc for rc in rv.components))
    saved = rates.save_version(rate_demo, ANALYST, "E-RES-1", rv,
                               opened.version_state(new).row_version)
    rates.set_version_status(rate_demo, ANALYST, "E-RES-1", new, RateVersionStatus.VALIDATED,
                             saved.version_state(new).row_version)
    check = RC.check(rate_demo, RC.RateCheckRequest("E-RES-1", start=JULY[0], end=JULY[1],
                                                    quantities=KWH_750, characteristics=IL,
                                                    revenue_class="RES"))
    assert {h.rate_version for h in check.result.headers} == {new}
    flat = RCmp.UsageMonth(JULY[0], JULY[1], KWH_750)
    res = RCmp.compare_rates(rate_demo, RCmp.CompareRequest(("E-RES-1",), (flat,),
                                                            characteristics=IL))
    assert res.rates[0].eligible and res.rates[0].annual == D("119.94")
