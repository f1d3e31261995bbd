"""The rate examples of spec/30 §11 (RX-01 … RX-14), rated from the shipped rate library
(``app/resources/rates/rate-examples.yaml``), and the worked E-COM1 example of spec/30 §8
through ``switchboard rate check --json``.

Conventions (spec/30 §11): monthly frequency, offsets 3/3 (N = 30); the 30-day case is
2023-04-01..2023-04-30; the 45-day case is 2023-03-17..2023-04-30, where RX-12 and RX-13 have a
second rate version effective 2023-04-01 (calculation periods of 15 and 30 days). Prices the
spec leaves open are the fixture's assumed values (see the comments in the rate file).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from app.cli import main
from app.engine.rates import (
    AlgorithmRef,
    BillFactorCharacteristic,
    BillFactorValue,
    BillingError,
    CharacteristicValue,
    ContractQuantity,
    ContractRider,
    ContractValue,
    Quantity,
    RateCheckResult,
    RateLibrary,
    ServiceAgreement,
    ServicePoint,
    SqDetail,
    check_rate,
    load_shipped_library,
)

D = Decimal
APRIL = (date(2023, 4, 1), date(2023, 4, 30))           # 30 days: CPF n/a, KPF 1
LONG = (date(2023, 3, 17), date(2023, 4, 30))           # 45 days: CPF 2/3, KPF 1.5
MARCH_PART = (date(2023, 3, 17), date(2023, 3, 31))     # calc 1 of LONG with two versions
RV1, RV2 = date(2023, 1, 1), date(2023, 4, 1)

RX_CODES = ("RX-01", "RX-02", "RX-03", "RX-04", "RX-05-X", "RX-05-Y", "RX-05-R", "RX-06",
            "RX-07", "RX-08", "RX-09", "RX-10", "RX-11", "RX-12", "RX-13", "RX-14")


def lib() -> RateLibrary:
    return load_shipped_library()


def rate_check(code: str, period: tuple[date, date], *quantities: Quantity,
               library: RateLibrary | None = None, **kw: object) -> RateCheckResult:
    start, end = period
    return check_rate((library or lib()).compile(code), start=start, end=end,
                      quantities=list(quantities), **kw)  # type: ignore[arg-type]


def kwh(n: str | int, **kw: object) -> Quantity:
    return Quantity("KWH", D(n), **kw)  # type: ignore[arg-type]


def qty(uom: str, n: str | int, **kw: object) -> Quantity:
    return Quantity(uom, D(n), **kw)  # type: ignore[arg-type]


def amounts(result: RateCheckResult) -> list[tuple[int, Decimal]]:
    """(rc_seq, amount) of every line, calculation periods in order."""
    return [(line.rc_seq, line.amount) for line in result.lines]


def by_header(result: RateCheckResult) -> list[tuple[date, date, date, list[tuple[int, Decimal]]]]:
    return [(h.rate_version, h.start_date, h.end_date,
             [(line.rc_seq, line.amount) for line in h.lines]) for h in result.headers]


def line(result: RateCheckResult, rc_seq: int, header: int = 0):  # type: ignore[no-untyped-def]
    found = [x for x in result.headers[header].lines if x.rc_seq == rc_seq]
    assert len(found) == 1, f"expected one line for RC {rc_seq}, found {len(found)}"
    return found[0]


def expect(*pairs: tuple[int, str]) -> list[tuple[int, Decimal]]:
    return [(seq, D(a)) for seq, a in pairs]


# -- the fixtures themselves ---------------------------------------------------------------------
@pytest.mark.parametrize("code", RX_CODES)
def test_every_example_compiles_monthly_with_gl_codes(code: str) -> None:
    rate = lib().compile(code)
    assert rate.warnings == ()
    f = rate.frequency
    assert (f.periods_per_year, f.min_days_offset, f.max_days_offset) == (12, 3, 3)
    for rv in lib().schedule(code).versions:
        for rc in rv.components:
            assert rc.gl is not None and rc.gl.code, f"{code} component {rc.sequence} has no GL"


# -- RX-01 A simple electric rate -------------------------------------------------------------
def test_rx01a_thirty_days_500_kwh() -> None:
    r = rate_check("RX-01", APRIL, kwh(500))
    assert amounts(r) == expect((10, "10.00"), (20, "11.46"), (30, "13.46"), (40, "24.92"),
                                (50, "2.10"), (60, "0.50"))
    assert r.total == D("37.52")
    assert (line(r, 20).billable_sq, line(r, 30).billable_sq) == (300, 200)
    assert line(r, 50).base_amount == D("34.92")
    assert line(r, 40).in_total is False


def test_rx01b_45_days_single_version_520_kwh() -> None:
    r = rate_check("RX-01", LONG, kwh(520))
    assert len(r.headers) == 1
    assert amounts(r) == expect((10, "15.00"), (20, "17.19"), (30, "4.71"), (40, "21.90"),
                                (50, "2.21"), (60, "0.52"))
    assert r.total == D("39.63")
    rc10, rc20, rc30 = line(r, 10), line(r, 20), line(r, 30)
    assert (rc10.value_defined, rc10.value_applied) == (D("10.00"), D("15.00"))
    assert (rc20.step_low, rc20.step_high, rc20.billable_sq) == (0, 450, 450)
    assert (rc30.step_low, rc30.step_high, rc30.billable_sq) == (450, None, 70)
    assert line(r, 50).base_amount == D("36.90")
    assert line(r, 60).billable_sq == 520


# -- RX-02 Adding measured quantities together (SQ rule SUM-KWH) ----------------------------------
def test_rx02_peak_and_off_peak_are_summed() -> None:
    r = rate_check("RX-02", APRIL, kwh(1000, tou="PEAK"), kwh(800, tou="OFFPEAK"))
    assert r.sq_details == (SqDetail("KWH", "PEAK", None, D(1000), D(1000)),
                            SqDetail("KWH", "OFFPEAK", None, D(800), D(800)),
                            SqDetail("KWH", None, None, None, D(1800)))
    assert amounts(r) == expect((10, "180.00"))                 # 1800 × 0.10 (assumed price)
    assert line(r, 10).billable_sq == 1800
    assert r.total == D("180.00")


def test_rx02_missing_input_without_billing_error_skips_the_rule() -> None:
    r = rate_check("RX-02", APRIL, kwh(1000, tou="PEAK"))
    assert r.sq_details == (SqDetail("KWH", "PEAK", None, D(1000), D(1000)),)
    assert amounts(r) == []
    assert r.total == 0


def test_rx02_missing_input_with_billing_error() -> None:
    base = lib()
    rule = replace(base.sq_rules["SUM-KWH"], create_billing_error=True)
    erroring = replace(base, sq_rules={**base.sq_rules, "SUM-KWH": rule})
    with pytest.raises(BillingError, match="SQ rule SUM-KWH"):
        rate_check("RX-02", APRIL, kwh(1000, tou="PEAK"), library=erroring)


# -- RX-03 CCF to therm conversion (register rule CCF-TH) -------------------------------------
def test_rx03_ccf_register_gains_a_therm_row() -> None:
    r = rate_check("RX-03", APRIL, qty("CCF", 1000), characteristics={"TAKEPT": "TP1"})
    assert [(x.final_uom, x.measured, x.register_qty) for x in r.register_reads] == [
        ("CCF", D(1000), D(1000)), ("TH", None, D(1010))]
    assert {(s.uom, s.billable) for s in r.sq_details} == {("CCF", D(1000)), ("TH", D(1010))}
    assert amounts(r) == expect((10, "959.50"))                 # 1010 × 0.95 (assumed price)
    assert line(r, 10).billable_sq == 1010


# -- RX-04 Minimum contract demand (SQ rule MAX-MINKW, algorithm MX) --------------------------------
@pytest.mark.parametrize("measured,billable,amount", [(40, 50, "250.00"), (60, 60, "300.00")])
def test_rx04_demand_is_at_least_the_contract_minimum(measured: int, billable: int,
                                                       amount: str) -> None:
    sa = ServiceAgreement("SA1", contract_quantities=(ContractQuantity("MINKW", RV1, D(50)),))
    r = rate_check("RX-04", APRIL, qty("KW", measured), agreement=sa)
    assert r.sq_details == (SqDetail("KW", None, None, D(measured), D(billable)),)
    assert amounts(r) == expect((10, amount))                   # × 5.00 per kW (assumed price)
    assert line(r, 10).billable_sq == billable


# -- RX-05 Elevation charges ---------------------------------------------------------------------
@pytest.mark.parametrize("code,elevation,price,amount", [
    ("RX-05-X", "<500", "0.001", "10.00"), ("RX-05-X", ">500", "0.0015", "15.00"),
    ("RX-05-Y", "<500", "0.002", "20.00"), ("RX-05-Y", ">500", "0.0025", "25.00")])
def test_rx05_elevation_charge(code: str, elevation: str, price: str, amount: str) -> None:
    r = rate_check(code, APRIL, qty("GAL", 10000), characteristics={"ELEV": elevation})
    assert amounts(r) == expect((10, amount))
    assert line(r, 10).value_applied == D(price)
    assert r.total == D(amount)


def test_rx05_alternative_one_rate_with_rider_bill_factors() -> None:
    sa = ServiceAgreement("SA1", premise_characteristics=(CharacteristicValue("ELEV", "<500"),),
                          contract_riders=(ContractRider("ELEV-Y-RIDER", date(2020, 1, 1)),))
    r = rate_check("RX-05-R", APRIL, qty("GAL", 10000), agreement=sa)
    assert amounts(r) == expect((20, "20.00"))                  # no rider for X: no line
    assert r.total == D("20.00")


# -- RX-06 Gas pressure factor adjustments (register rule CCFPFADJ) -----------------------------
def test_rx06_pressure_adjusted_ccf() -> None:
    r = rate_check("RX-06", APRIL, qty("CCF", 1000), characteristics={"TAKEPT": "TP1"})
    assert [(x.final_uom, x.register_qty) for x in r.register_reads] == [
        ("CCF", D(1000)), ("CCFPF", D(1025))]
    assert amounts(r) == expect((10, "512.50"))
    assert line(r, 10).billable_sq == 1025


def _library_with_tp2() -> RateLibrary:
    base = lib()
    pf = base.bill_factors["PF-ADJ"]
    tp2 = BillFactorCharacteristic("TP2", (BillFactorValue(date(2000, 1, 1), D("1.05")),))
    return replace(base, bill_factors={
        **base.bill_factors, "PF-ADJ": replace(pf, characteristics={**pf.characteristics,
                                                                     "TP2": tp2})})


def test_rx06_each_register_uses_its_own_take_point() -> None:
    library = _library_with_tp2()
    sa = ServiceAgreement("SA1", service_points=(
        ServicePoint("SP1", premise_characteristics=(CharacteristicValue("TAKEPT", "TP1"),)),
        ServicePoint("SP2", premise_characteristics=(CharacteristicValue("TAKEPT", "TP2"),))))
    r = rate_check("RX-06", APRIL, qty("CCF", 1000, service_point="SP1"),
                   qty("CCF", 400, service_point="SP2"), library=library, agreement=sa)
    assert [(x.final_uom, x.service_point, x.register_qty) for x in r.register_reads
            if x.final_uom == "CCFPF"] == [("CCFPF", "SP1", D(1025)), ("CCFPF", "SP2", D(420))]
    assert amounts(r) == expect((10, "722.50"))                 # 1445 × 0.50


def test_rx06_a_named_service_point_without_an_agreement_gives_its_take_point() -> None:
    """spec/20 §9.1: the SP of a quantity row serves register rules that read premise
    characteristics, also with no SA (or an SP not linked to it, to experiment)."""
    library = _library_with_tp2()
    sp2 = ServicePoint("SP2", premise_characteristics=(CharacteristicValue("TAKEPT", "TP2"),))
    r = rate_check("RX-06", APRIL, qty("CCF", 400, service_point="SP2"), library=library,
                   service_points=(sp2,))
    assert [(x.final_uom, x.register_qty) for x in r.register_reads] == [
        ("CCF", D(400)), ("CCFPF", D(420))]                    # 400 × 1.05 (TP2)
    # the SA's take point and the named SP's: the SP the register names wins
    sa = ServiceAgreement("SA1", service_points=(
        ServicePoint("SP1", premise_characteristics=(CharacteristicValue("TAKEPT", "TP1"),)),))
    r = rate_check("RX-06", APRIL, qty("CCF", 400, service_point="SP2"), library=library,
                   agreement=sa, service_points=(sp2,))
    assert amounts(r) == expect((10, "210.00"))                 # 420 × 0.50
    # a register naming no SP, with no SA and no TAKEPT typed in: the rate says what it needs
    with pytest.raises(BillingError, match="TAKEPT"):
        rate_check("RX-06", APRIL, qty("CCF", 400), library=library)



# -- RX-07 Interval consumption priced with interval prices (register rule REALTIME) --------------
READS = (kwh(10, read_start=datetime(2023, 4, 10, 0)), kwh(20, read_start=datetime(2023, 4, 10, 1)),
         kwh(5, read_start=datetime(2023, 4, 10, 2)))


def test_rx07_dollars_of_energy_from_interval_prices() -> None:
    r = rate_check("RX-07", APRIL, *READS)
    assert [x.register_qty for x in r.register_reads if x.final_sqi == "$"] == [
        D("0.50"), D("0.80"), D("0.50")]
    assert SqDetail(None, None, "$", D("1.80"), D("1.80")) in r.sq_details
    assert amounts(r) == expect((10, "1.80"))
    assert r.total == D("1.80")


def test_rx07_a_read_is_priced_at_the_value_in_effect_at_its_start() -> None:
    r = rate_check("RX-07", APRIL, kwh(10, read_start=datetime(2023, 4, 10, 0, 30)),
                   kwh(10, read_start=datetime(2023, 4, 10, 2, 30)))
    assert amounts(r) == expect((10, "1.50"))                   # 10 × 0.05 + 10 × 0.10


def test_rx07_no_proration_of_the_dollar_component() -> None:
    from app.engine.rates import Installation

    inst = Installation(proration_override=AlgorithmRef(
        "OVPF-NOPROR", {"char_type": "NOPROR", "char_value": "Y"}))
    r = rate_check("RX-07", LONG, *READS, installation=inst)
    rc10 = line(r, 10)
    assert (rc10.billable_sq, rc10.amount) == (D("1.80"), D("1.80"))
    assert (rc10.cpf, rc10.kpf, rc10.sf) == (1, 1, 1)
    assert ("NOPROR", "Y") in rc10.characteristics


# -- RX-08 Non-interval consumption priced with weighted-average prices ---------------------------
@pytest.mark.parametrize("profile,start,end,price,amount", [
    ("RESID", date(2001, 8, 19), date(2001, 9, 17), "0.03432", "34.32"),
    ("COMMERCIAL", date(2001, 8, 19), date(2001, 9, 17), "0.03822", "38.22"),
    ("RESID", date(2001, 8, 12), date(2001, 9, 10), "0.02332", "23.32"),
    # D13 (recommendation): first set on or after the bill end, latest key on or before the start
    ("RESID", date(2001, 8, 20), date(2001, 9, 16), "0.03432", "34.32"),
])
def test_rx08_weighted_average_price(profile: str, start: date, end: date, price: str,
                                     amount: str) -> None:
    r = rate_check("RX-08", (start, end), kwh(1000), characteristics={"LOADPROF": profile})
    assert amounts(r) == expect((20, amount))
    rc20 = line(r, 20)
    assert (rc20.billable_sq, rc20.value_defined, rc20.value_applied) == (1000, D(price), D(price))


# -- RX-09 Employee discounts ------------------------------------------------------------------
def test_rx09_with_the_rider_for_the_whole_period() -> None:
    sa = ServiceAgreement("SA1", contract_riders=(ContractRider("EMPDISC", date(2020, 1, 1)),))
    r = rate_check("RX-09", APRIL, kwh(500), agreement=sa)
    assert amounts(r) == expect((10, "8.00"), (20, "50.00"), (30, "-14.50"))
    assert line(r, 30).base_amount == D("58.00")
    assert r.total == D("43.50")


def test_rx09_without_the_rider() -> None:
    r = rate_check("RX-09", APRIL, kwh(500), agreement=ServiceAgreement("SA1"))
    assert amounts(r) == expect((10, "8.00"), (20, "50.00"))
    assert r.total == D("58.00")


def test_rx09_rider_from_mid_period_pr20a() -> None:
    sa = ServiceAgreement("SA1", contract_riders=(ContractRider("EMPDISC", date(2023, 4, 16)),))
    r = rate_check("RX-09", APRIL, kwh(500), agreement=sa)
    assert amounts(r) == expect((10, "8.00"), (20, "50.00"), (30, "-7.25"))
    rc30 = line(r, 30)
    assert (rc30.start_date, rc30.end_date) == (date(2023, 4, 16), date(2023, 4, 30))
    assert rc30.value_applied == D("-12.5")


# -- RX-10 Customer-specific prices -------------------------------------------------------------
def test_rx10_contract_value() -> None:
    sa = ServiceAgreement("SA1", contract_values=(ContractValue("KWHCUST", RV1, D("0.08")),))
    r = rate_check("RX-10", APRIL, kwh(1000), agreement=sa)
    assert amounts(r) == expect((10, "80.00"))
    assert line(r, 10).value_applied == D("0.08")


def test_rx10_standard_value_without_a_contract_value() -> None:
    r = rate_check("RX-10", APRIL, kwh(1000), agreement=ServiceAgreement("SA1"))
    assert amounts(r) == expect((10, "90.00"))
    assert line(r, 10).value_applied == D("0.09")


def test_rx10_neither_contract_nor_standard_value_is_a_billing_error() -> None:
    base = lib()
    bf = replace(base.bill_factors["KWHCUST"],
                 characteristics={"N/A": BillFactorCharacteristic("N/A")})
    library = replace(base, bill_factors={**base.bill_factors, "KWHCUST": bf})
    with pytest.raises(BillingError, match="KWHCUST"):
        rate_check("RX-10", APRIL, kwh(1000), library=library, agreement=ServiceAgreement("SA1"))


# -- RX-11 Hours-based electric rate ---------------------------------------------------------
def test_rx11a_thirty_days() -> None:
    r = rate_check("RX-11", APRIL, kwh(1000), qty("KW", 20))
    assert amounts(r) == expect((10, "10.00"), (20, "20.00"), (30, "13.46"), (40, "25.60"),
                                (50, "39.06"), (60, "2.94"), (70, "1.00"))
    assert r.total == D("53.00")
    assert line(r, 20).fcpo and not line(r, 20).in_total and not line(r, 20).print
    assert (line(r, 30).step_low, line(r, 30).step_high, line(r, 30).billable_sq) == (0, 200, 200)
    assert (line(r, 40).step_low, line(r, 40).step_high, line(r, 40).billable_sq) == (200, None,
                                                                                      800)
    assert line(r, 60).base_amount == D("49.06")


def test_rx11b_45_days_steps_take_the_multiplier_not_kpf() -> None:
    r = rate_check("RX-11", LONG, kwh(1500), qty("KW", 20))
    assert len(r.headers) == 1
    assert amounts(r) == expect((10, "15.00"), (20, "30.00"), (30, "20.19"), (40, "38.40"),
                                (50, "58.59"), (60, "4.42"), (70, "1.50"))
    assert r.total == D("79.51")
    rc20 = line(r, 20)
    assert (rc20.billable_sq, rc20.value_defined, rc20.value_applied) == (20, D("1.0"), D("1.5"))
    assert (line(r, 30).step_low, line(r, 30).step_high, line(r, 30).billable_sq) == (0, 300, 300)
    assert (line(r, 40).step_low, line(r, 40).step_high, line(r, 40).billable_sq) == (300, None,
                                                                                      1200)
    assert line(r, 70).billable_sq == 1500


def test_rx11c_zero_kw_under_the_d15_recommendation() -> None:
    r = rate_check("RX-11", APRIL, kwh(1000), qty("KW", 0))
    # RC30 (0–0) is skipped; RC40 (0–∞) bills every kWh
    assert amounts(r) == expect((10, "10.00"), (20, "0.00"), (40, "32.00"), (50, "32.00"),
                                (60, "2.52"), (70, "1.00"))
    assert (line(r, 40).step_low, line(r, 40).step_high, line(r, 40).billable_sq) == (0, None,
                                                                                      1000)
    assert r.total == D("45.52")


# -- RX-12 Step boundaries from days of usage and region ----------------------------------------
@pytest.mark.parametrize("region,base_qty,lines,total", [
    ("NORTH", 300, [(10, "10.00"), (20, "300.00"), (30, "24.96"), (40, "22.24"), (50, "47.20"),
                    (60, "3.43"), (70, "0.50")], "61.13"),
    ("SOUTH", 450, [(10, "10.00"), (20, "450.00"), (30, "37.44"), (40, "5.56"), (50, "43.00"),
                    (60, "3.18"), (70, "0.50")], "56.68"),
])
def test_rx12ab_thirty_days(region: str, base_qty: int, lines: list[tuple[int, str]],
                            total: str) -> None:
    r = rate_check("RX-12", APRIL, kwh(500), characteristics={"REGION": region})
    assert [h.rate_version for h in r.headers] == [RV2]
    assert amounts(r) == expect(*lines)
    assert r.total == D(total)
    assert line(r, 20).billable_sq == 30                         # DAYS
    assert (line(r, 30).step_low, line(r, 30).step_high) == (0, base_qty)
    assert (line(r, 40).step_low, line(r, 40).step_high) == (base_qty, None)
    assert line(r, 30).billable_sq + line(r, 40).billable_sq == 500


def test_rx12c_45_days_two_versions() -> None:
    r = rate_check("RX-12", LONG, kwh(900), characteristics={"REGION": "NORTH"})
    assert by_header(r) == [
        (RV1, *MARCH_PART, expect((10, "5.00"), (20, "150.00"), (30, "12.48"), (40, "16.68"),
                                  (50, "29.16"), (60, "2.05"), (70, "0.30"))),
        (RV2, *APRIL, expect((10, "10.00"), (20, "300.00"), (30, "24.96"), (40, "33.36"),
                             (50, "58.32"), (60, "4.10"), (70, "0.60")))]
    assert [h.amount for h in r.headers] == [D("36.51"), D("73.02")]
    assert r.total == D("109.53")
    for i, (days, kwh_share, base_qty) in enumerate([(15, 300, 150), (30, 600, 300)]):
        assert line(r, 20, i).billable_sq == days                # DAYS' = days of the calc period
        assert (line(r, 30, i).step_low, line(r, 30, i).step_high) == (0, base_qty)
        assert line(r, 30, i).billable_sq + line(r, 40, i).billable_sq == kwh_share
        assert line(r, 70, i).billable_sq == kwh_share


# -- RX-13 Calculated minimum charges -----------------------------------------------------------
def test_rx13a_minimum_applies() -> None:
    r = rate_check("RX-13", APRIL, kwh(100))
    assert amounts(r) == expect((30, "3.82"), (40, "0.00"), (50, "3.82"), (52, "4.50"),
                                (54, "0.68"), (60, "0.27"), (70, "0.10"))
    assert r.total == D("4.87")
    assert line(r, 54).value_applied == D("4.50")               # from RC52: no extra KPF
    assert line(r, 60).base_amount == D("4.50")
    assert not line(r, 52).in_total


def test_rx13b_minimum_does_not_apply() -> None:
    r = rate_check("RX-13", APRIL, kwh(500))
    assert amounts(r) == expect((30, "11.46"), (40, "13.46"), (50, "24.92"), (52, "4.50"),
                                (60, "1.50"), (70, "0.50"))
    assert r.total == D("26.92")


def test_rx13c_45_days_minimum_per_calculation_period() -> None:
    r = rate_check("RX-13", LONG, kwh(60))
    assert by_header(r) == [
        (RV1, *MARCH_PART, expect((30, "0.76"), (40, "0.00"), (50, "0.76"), (52, "2.25"),
                                  (54, "1.49"), (60, "0.14"), (70, "0.02"))),
        (RV2, *APRIL, expect((30, "1.53"), (40, "0.00"), (50, "1.53"), (52, "4.50"),
                             (54, "2.97"), (60, "0.27"), (70, "0.04")))]
    assert r.total == D("7.22")
    assert (line(r, 30, 0).billable_sq, line(r, 30, 0).step_low, line(r, 30, 0).step_high) == (
        20, 0, 150)
    assert line(r, 30, 1).billable_sq == 40
    assert [line(r, 52, i).billable_sq for i in (0, 1)] == [15, 30]
    assert line(r, 60, 0).base_amount == D("2.25")              # 6 % × 2.25 = 0.135 → 0.14


# -- RX-14 Stepped taxes --------------------------------------------------------------------------
@pytest.mark.parametrize("period,kwh_used,lines,total", [
    (APRIL, 100, [(10, "10.00"), (20, "6.00"), (30, "16.00"), (40, "-6.00"), (50, "10.00"),
                  (60, "-10.00"), (70, "6.00"), (80, "0.64"), (90, "0.59")], "17.23"),
    (APRIL, 1000, [(10, "100.00"), (20, "6.00"), (30, "106.00"), (40, "-96.00"), (50, "10.00"),
                   (60, "-10.00"), (70, "96.00"), (80, "0.64"), (90, "9.49")], "116.13"),
    # RC40 does not apply (no line, spec/30 "none/0"); RC90's base is 0: no line (spec/20 §6.11)
    (APRIL, 30, [(10, "3.00"), (20, "6.00"), (30, "9.00"), (50, "9.00"), (60, "-9.00"),
                 (70, "0.00"), (80, "0.57")], "9.57"),
    (LONG, 900, [(10, "90.00"), (20, "9.00"), (30, "99.00"), (40, "-84.00"), (50, "15.00"),
                 (60, "-15.00"), (70, "84.00"), (80, "0.96"), (90, "8.31")], "108.27"),
], ids=["RX-14a", "RX-14b", "RX-14c", "RX-14d"])
def test_rx14_stepped_taxes(period: tuple[date, date], kwh_used: int,
                            lines: list[tuple[int, str]], total: str) -> None:
    r = rate_check("RX-14", period, kwh(kwh_used))
    assert len(r.headers) == 1
    assert amounts(r) == expect(*lines)
    assert r.total == D(total)
    assert [x.rc_seq for x in r.lines if x.in_total] == [10, 20, 80] + (
        [90] if any(seq == 90 for seq, _ in lines) else [])


def test_rx14d_threshold_is_prorated() -> None:
    r = rate_check("RX-14", LONG, kwh(900))
    assert (line(r, 40).value_defined, line(r, 40).value_applied) == (D("10.00"), D("15.00"))
    assert line(r, 80).base_amount == D("15.00")
    assert line(r, 90).base_amount == D("84.00")


# -- spec/30 §8: E-COM1 through the command line -----------------------------------------------
def test_ecom1_rate_check_json_reproduces_spec30_section8(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rate", "check", "--rate", "E-COM1", "--from", "2023-03-17", "--to",
                 "2023-04-30", "--quantity", "kWh=1200", "--quantity", "kW=20", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    data = json.loads(out)
    got = [(x["rc_seq"], x["start_date"], x["end_date"], D(x["billable_sq"]),
            D(x["value_defined"]), D(x["value_applied"]), D(x["amount"]))
           for h in data["headers"] for x in h["lines"]]
    assert got == [
        (10, "2023-03-17", "2023-03-31", D("400"), D("0.05"), D("0.05"), D("20.00")),
        (20, "2023-03-17", "2023-03-31", D("20"), D("1.00"), D("0.50"), D("10.00")),
        (10, "2023-04-01", "2023-04-15", D("800"), D("0.04"), D("0.02"), D("16.00")),
        (10, "2023-04-16", "2023-04-30", D("800"), D("0.07"), D("0.035"), D("28.00")),
        (20, "2023-04-01", "2023-04-15", D("20"), D("1.50"), D("0.75"), D("15.00")),
        (20, "2023-04-16", "2023-04-30", D("20"), D("1.25"), D("0.625"), D("12.50")),
    ]
    assert [(h["rate_version"], h["start_date"], h["end_date"]) for h in data["headers"]] == [
        ("2023-01-01", "2023-03-17", "2023-03-31"), ("2023-04-01", "2023-04-01", "2023-04-30")]
    assert D(data["total"]) == D("101.50")
    assert data["total"] == "101.50"
