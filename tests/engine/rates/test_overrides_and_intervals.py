"""Proration overrides, interval data and the edge cases a review found (spec/30 §3, §6, §10)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from app.engine.rates import (
    REGISTRY,
    AlgorithmRef,
    BillFactor,
    BillFactorCharacteristic,
    BillFactorTouValue,
    BillFactorType,
    BillingError,
    BillPeriod,
    CharacteristicValue,
    ComponentType,
    GlDistribution,
    Installation,
    IntervalQuantity,
    ItemCount,
    Quantity,
    RateVersion,
    RateVersionStatus,
    Season,
    SeasonalMethod,
    ServiceAgreement,
    TaxExemption,
    TouMap,
    TouMapPeriod,
    ValueSource,
    ValueType,
    check_rate,
    load_shipped_library,
    price_periods,
)
from app.engine.rates.plugins import PRORATION_OVERRIDE

from .builders import APRIL, amounts, bill_factor, compiled, kwh, library, rc

D = Decimal
T = ComponentType
FIN = RateVersionStatus.FINISHED
NOPROR = Installation(proration_override=AlgorithmRef("OVPF-NOPROR",
                                                      {"char_type": "NOPROR", "char_value": "Y"}))


def test_an_override_that_keeps_the_factors_keeps_the_seasonal_factor() -> None:
    REGISTRY.register(PRORATION_OVERRIDE, "TEST-KEEP", lambda rc, ctx, calc, f: f)
    try:
        rate = compiled([rc(10, T.SQ, uom="KWH", value="0.05",
                            season=Season((1, 1), (4, 15), SeasonalMethod.PRORATE))])
        inst = Installation(proration_override=AlgorithmRef("TEST-KEEP"))
        r = check_rate(rate, start=APRIL[0], end=APRIL[1], quantities=[kwh(600)],
                       installation=inst)
        assert amounts(r) == [(10, "15.00")]                 # 600 × 15/30 × 0.05, as without
    finally:
        REGISTRY.unregister(PRORATION_OVERRIDE, "TEST-KEEP")


def test_nopror_on_a_bill_with_two_versions_warns_of_the_double_charge() -> None:
    comps = (rc(10, T.FLAT, value="10.00", characteristics=(("NOPROR", "Y"),)),)
    rate = compiled(versions=[RateVersion(date(2023, 1, 1), FIN, comps),
                              RateVersion(date(2023, 4, 1), FIN, comps)])
    r = check_rate(rate, start=date(2023, 3, 17), end=date(2023, 4, 30), installation=NOPROR)
    assert amounts(r) == [(10, "10.00"), (10, "10.00")]
    assert any("several calculation periods" in w and "D10" in w for w in r.warnings)


def tou_rate(versions: int = 1):  # type: ignore[no-untyped-def]
    bf = BillFactor("TOUPRICE", "TOU prices", "N/A", type=BillFactorType.TOU,
                    value_type=ValueType.UNIT_RATE, characteristics={
                        "N/A": BillFactorCharacteristic("N/A", tou_values=(
                            BillFactorTouValue("G2", date(2023, 1, 1),
                                               {"ON": D("0.20"), "OFF": D("0.10")}),))})
    comps = (rc(10, T.TOU_PRICING, uom="KWH", tou_map="ONOFF",
                value_source=ValueSource.BILL_FACTOR, bill_factor="TOUPRICE",
                value_type=ValueType.UNIT_RATE),
             rc(20, T.SQ, uom="KWH", tou="ON", value="1.00"))
    vs = [RateVersion(date(2023, 1, 1), FIN, comps)]
    if versions == 2:
        vs.append(RateVersion(date(2023, 6, 2), FIN, comps))
    lib = dataclasses.replace(library(versions=vs, bill_factors=[bf]), tou_maps={
        "ONOFF": TouMap("ONOFF", "On/off", (TouMapPeriod(time(8), time(20), "ON"),
                                            TouMapPeriod(time(20), time(8), "OFF")))})
    return lib.compile("TEST")


def test_tou_buckets_stay_on_their_lines_across_rate_versions() -> None:
    ivs = [IntervalQuantity("KWH", datetime(2023, 6, 1) + timedelta(hours=h), D(1))
           for h in range(48)]
    r = check_rate(tou_rate(2), start=date(2023, 6, 1), end=date(2023, 6, 2), intervals=ivs)
    tou_lines = [(x.tou, x.billable_sq, x.amount) for x in r.lines if x.rc_seq == 10]
    assert tou_lines == [("ON", 12, D("2.40")), ("OFF", 12, D("1.20")),
                         ("ON", 12, D("2.40")), ("OFF", 12, D("1.20"))]
    # the mapped kWh are not fed to other components: no KWH/ON quantity was measured
    assert not [x for x in r.lines if x.rc_seq == 20]
    assert any("service quantity KWH/ON/–" in w for w in r.warnings)


def test_missing_interval_data_is_named() -> None:
    r = check_rate(tou_rate(), start=date(2023, 6, 1), end=date(2023, 6, 2))
    assert r.lines == [] and any("interval data in KWH" in w for w in r.warnings)


def test_a_gap_in_interval_prices_is_a_missing_price_not_an_old_one() -> None:
    rate = load_shipped_library().compile("RX-07")
    late = Quantity("KWH", D(10), read_start=datetime(2023, 4, 25, 13))
    with pytest.raises(BillingError, match="register rule REALTIME cannot run"):
        check_rate(rate, start=APRIL[0], end=APRIL[1], quantities=[late],
                   installation=NOPROR)


def test_amounts_only_pricing_checks_distribution_codes_too() -> None:
    gl = GlDistribution(by_revenue_class={"RES": "REV-RES"})
    rate = compiled([rc(10, T.FLAT, value="10.00", gl=gl)])
    with pytest.raises(BillingError, match="give a revenue class"):
        price_periods(rate, [BillPeriod(*APRIL)], detail=False)


def test_a_zero_percent_exemption_does_not_split_the_tax() -> None:
    tax = bill_factor("TAX", {"N/A": [(date(2000, 1, 1), "6")]}, value_type=ValueType.PERCENT,
                      tax_exemption=True)
    rate = compiled([rc(10, T.FLAT, value="176.83"),
                     rc(20, T.APPLY_TO, value_source=ValueSource.BILL_FACTOR, bill_factor="TAX",
                        xrefs=(10,))], bill_factors=[tax])
    sa = ServiceAgreement("SA1", tax_exemptions=(TaxExemption("TAX", date(2023, 4, 16), D(0)),))
    r = check_rate(rate, start=APRIL[0], end=APRIL[1], agreement=sa)
    assert amounts(r) == [(10, "176.83"), (20, "10.61")]


def test_weighted_average_price_outside_the_sets_is_an_error() -> None:
    rate = load_shipped_library().compile("RX-08")
    with pytest.raises(BillingError, match="no weighted average price for LOADPROF=RESID"):
        check_rate(rate, start=date(2001, 9, 20), end=date(2001, 10, 19),
                   quantities=[kwh(1000)], characteristics={"LOADPROF": "RESID"})


def test_a_missing_region_names_the_characteristic() -> None:
    rate = load_shipped_library().compile("RX-12")
    sa = ServiceAgreement("SA1", premise_characteristics=(CharacteristicValue("OTHER", "X"),))
    with pytest.raises(BillingError, match="needs characteristic REGION, which the premise "
                                           "does not have"):
        check_rate(rate, start=APRIL[0], end=APRIL[1], quantities=[kwh(900)], agreement=sa)


def test_an_item_quantity_is_weighted_by_days() -> None:
    rate = compiled([rc(10, T.ITEM, item_type="LAMP", value="1.00"),
                     rc(20, T.APPLY_TO, value_type=ValueType.UNIT_RATE, value="3.00",
                        xrefs=(10,))])
    items = [ItemCount("LAMP", 2, date(2023, 4, 1), date(2023, 4, 15)),
             ItemCount("LAMP", 3, date(2023, 4, 16))]
    r = check_rate(rate, start=APRIL[0], end=APRIL[1], items=items)
    assert [x for x in r.lines if x.rc_seq == 20][0].billable_sq == D("2.5")   # not 5
