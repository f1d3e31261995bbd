"""Rate versions, bill factors, sub-rates, seasons and the rate check behaviour of spec/10 §8
and spec/20 §13.7, §13.10–§13.12."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from app.engine.rates import (
    AlgorithmRef,
    BillingError,
    CharacteristicValue,
    CharSource,
    ComponentType,
    ContractRider,
    FcpoResultType,
    Frequency,
    ItemCount,
    RateDefinitionError,
    RateError,
    RateSchedule,
    RateScheduleType,
    RateVersion,
    RateVersionStatus,
    RvSelectionDate,
    Season,
    SeasonalMethod,
    ServiceAgreement,
    ServicePoint,
    Step,
    ValueSource,
    ValueType,
    check_rate,
)
from app.engine.rates.estimates import ItemTypeEstimate
from app.engine.rates.proration import needs_proration, proration_window, season_gate

from .builders import APRIL, D, amounts, bill_factor, compiled, kwh, library, rc

T = ComponentType
FIN, VAL, INP = (RateVersionStatus.FINISHED, RateVersionStatus.VALIDATED,
                 RateVersionStatus.IN_PROGRESS)


# -- spec/10 EX-1: Commercial – Time of Use -------------------------------------------------------
def state_tax(error_if_no_value: bool = False):  # type: ignore[no-untyped-def]
    return bill_factor("STTAX", {
        "NV": [(date(2008, 1, 1), "7.25"), (date(2008, 11, 1), "7.5"), (date(2009, 3, 1), "8")],
        "HI": [(date(1996, 12, 1), "6.25"), (date(1998, 2, 15), "7.5")],
        "UT": [(date(1996, 2, 1), "2.25"), (date(1998, 11, 15), "3.5"),
               (date(1999, 3, 18), "3.7")],
    }, char_type="STATE", char_source=CharSource.PREMISE, value_type=ValueType.PERCENT,
        error_if_no_value=error_if_no_value, allow_proration=False,
        rate_selection_date="BILL_START_DATE")


def commercial_tou(**kw):  # type: ignore[no-untyped-def]
    def version(eff: date, on: str, off: str) -> RateVersion:
        return RateVersion(eff, FIN, (
            rc(10, T.SQ, uom="KWH", tou="PEAK", value=on),
            rc(20, T.SQ, uom="KWH", tou="OFFPEAK", value=off),
            rc(90, T.APPLY_TO, value_source=ValueSource.BILL_FACTOR, bill_factor="STTAX",
               xrefs=(10, 20))))
    return compiled(versions=[version(date(2008, 1, 3), "0.21211", "0.11291"),
                              version(date(2009, 8, 17), "0.311", "0.123")],
                    bill_factors=[state_tax(**kw)], allow_rv_proration=False,
                    rv_selection_date=RvSelectionDate.BILL_START_DATE)


def test_ex1_version_selection_by_bill_start_date() -> None:
    rate = commercial_tou()
    q = [kwh(100, tou="PEAK"), kwh(100, tou="OFFPEAK")]
    jan = check_rate(rate, start=date(2009, 1, 15), end=date(2009, 2, 14), quantities=q,
                     characteristics={"STATE": "NV"})
    assert [h.rate_version for h in jan.headers] == [date(2008, 1, 3)]
    assert amounts(jan)[:2] == [(10, "21.21"), (20, "11.29")]
    sep = check_rate(rate, start=date(2009, 9, 1), end=date(2009, 9, 30), quantities=q,
                     characteristics={"STATE": "NV"})
    assert [h.rate_version for h in sep.headers] == [date(2009, 8, 17)]


def test_ex1_nevada_state_tax_on_a_date() -> None:
    bf = state_tax()
    assert bf.value_on("NV", date(2008, 12, 15)) == D("7.5")
    assert bf.value_on("NV", date(2009, 3, 1)) == D("8")


def test_ex1_utah_has_no_row_skip_or_billing_error() -> None:
    q = [kwh(100, tou="PEAK")]
    r = check_rate(commercial_tou(), start=date(2009, 9, 1), end=date(2009, 9, 30),
                   quantities=q, characteristics={"STATE": "WY"})
    assert [x.rc_seq for x in r.lines] == [10]
    with pytest.raises(BillingError, match="bill factor STTAX has no value for STATE=WY"):
        check_rate(commercial_tou(error_if_no_value=True), start=date(2009, 9, 1),
                   end=date(2009, 9, 30), quantities=q, characteristics={"STATE": "WY"})


def test_ex2_frequency_window() -> None:
    f = Frequency("M", "Monthly", 12, 3, 3)
    assert proration_window(f) == (27, 33)
    assert [needs_proration(n, f) for n in (26, 27, 33, 34)] == [True, False, False, True]


def test_ex8_state_tax_structure() -> None:
    bf = state_tax()
    assert bf.value_on("UT", date(1997, 6, 1)) == D("2.25")
    assert bf.value_on("UT", date(1999, 3, 18)) == D("3.7")
    assert bf.value_on("HI", date(1998, 2, 14)) == D("6.25")


def test_ex9_characteristic_retrieval_from_the_premise() -> None:
    rate = compiled([rc(10, T.FLAT, value="10.00"),
                     rc(20, T.APPLY_TO, value_source=ValueSource.BILL_FACTOR,
                        bill_factor="STTAX", xrefs=(10,), description_on_bill="State tax %R")],
                    bill_factors=[state_tax()])
    provo = ServiceAgreement("SA1", premise_characteristics=(
        CharacteristicValue("STATE", "UT"), CharacteristicValue("CITY", "PROVO"),
        CharacteristicValue("COUNTY", "YOUNG")))
    r = check_rate(rate, start=date(1997, 3, 1), end=date(1997, 3, 31), agreement=provo)
    assert r.lines[1].value_defined == D("2.25")
    assert r.lines[1].description_on_bill == "State tax 2.25%"
    assert amounts(r) == [(10, "10.00"), (20, "0.23")]


# -- spec/20 §13.12 rate check behaviour ------------------------------------------------------------
def test_s_rc_03_missing_characteristics_are_listed() -> None:
    region = bill_factor("BASEQTY", {"NORTH": [(date(2000, 1, 1), "10")]}, char_type="REGION",
                         char_source=CharSource.PREMISE)
    rate = compiled([rc(10, T.FLAT, value_source=ValueSource.BILL_FACTOR, bill_factor="BASEQTY"),
                     rc(20, T.APPLY_TO, value_source=ValueSource.BILL_FACTOR,
                        bill_factor="STTAX", xrefs=(10,))],
                    bill_factors=[region, state_tax()])
    with pytest.raises(BillingError, match="needs characteristics REGION, STATE"):
        check_rate(rate, start=APRIL[0], end=APRIL[1])


def test_s_rc_04_rider_applies_without_an_agreement() -> None:
    empdisc = bill_factor("EMPDISC", {"N/A": [(date(2000, 1, 1), "-25")]},
                          value_type=ValueType.PERCENT, contract_rider_applicability=True)
    rate = compiled([rc(10, T.FLAT, value="58.00"),
                     rc(20, T.APPLY_TO, value_source=ValueSource.BILL_FACTOR,
                        bill_factor="EMPDISC", xrefs=(10,))], bill_factors=[empdisc])
    assert amounts(check_rate(rate, start=APRIL[0], end=APRIL[1])) == [(10, "58.00"),
                                                                        (20, "-14.50")]
    no_rider = ServiceAgreement("SA1")
    assert amounts(check_rate(rate, start=APRIL[0], end=APRIL[1], agreement=no_rider)) == [
        (10, "58.00")]
    rider = ServiceAgreement("SA1", contract_riders=(ContractRider("EMPDISC", date(2020, 1, 1)),))
    assert amounts(check_rate(rate, start=APRIL[0], end=APRIL[1], agreement=rider))[1] == (
        20, "-14.50")


def test_s_rc_06_given_characteristics_win_over_the_agreement() -> None:
    region = bill_factor("REGFEE", {"NORTH": [(date(2000, 1, 1), "1.00")],
                                    "SOUTH": [(date(2000, 1, 1), "2.00")]},
                         char_type="REGION", char_source=CharSource.SA)
    rate = compiled([rc(10, T.FLAT, value_source=ValueSource.BILL_FACTOR, bill_factor="REGFEE")],
                    bill_factors=[region])
    sa = ServiceAgreement("SA1", characteristics=(CharacteristicValue("REGION", "SOUTH"),))
    assert amounts(check_rate(rate, start=APRIL[0], end=APRIL[1], agreement=sa)) == [
        (10, "2.00")]
    assert amounts(check_rate(rate, start=APRIL[0], end=APRIL[1], agreement=sa,
                              characteristics={"REGION": "NORTH"})) == [(10, "1.00")]


def two_versions(second: RateVersionStatus, **kw):  # type: ignore[no-untyped-def]
    return compiled(versions=[
        RateVersion(date(2023, 1, 1), FIN, (rc(10, T.FLAT, value="10.00"),)),
        RateVersion(date(2023, 4, 16), second, (rc(10, T.FLAT, value="20.00"),))], **kw)


def test_s_rc_07_in_progress_version_is_ignored_with_a_warning() -> None:
    r = check_rate(two_versions(INP), start=APRIL[0], end=APRIL[1])
    assert [h.rate_version for h in r.headers] == [date(2023, 1, 1)]
    assert r.total == D("10.00")
    assert any("2023-04-16 of TEST is In Progress" in w for w in r.warnings)


def test_in_progress_only_version_is_an_error_that_names_it() -> None:
    rate = compiled(versions=[RateVersion(date(2009, 8, 17), INP, (rc(10, T.FLAT, value="1"),))],
                    code="E-COM1")
    with pytest.raises(BillingError, match="rate version 2009-08-17 of E-COM1 is In Progress"):
        check_rate(rate, start=date(2009, 9, 1), end=date(2009, 9, 30))


def test_s_rc_08_and_s_rc_09_validated_version_used_one_header_each() -> None:
    r = check_rate(two_versions(VAL), start=APRIL[0], end=APRIL[1])
    assert [(h.start_date, h.end_date) for h in r.headers] == [
        (date(2023, 4, 1), date(2023, 4, 15)), (date(2023, 4, 16), date(2023, 4, 30))]
    assert [h.amount for h in r.headers] == [D("5.00"), D("10.00")]   # KPF 15/30 each


def test_billing_uses_only_finished_versions() -> None:
    from app.engine.rates import BillPeriod, price_periods
    rate = two_versions(VAL)
    [p] = price_periods(rate, [BillPeriod(*APRIL)])
    assert p.total == D("10.00") and len(p.headers) == 1


def test_rv_selection_when_versions_are_not_prorated() -> None:
    for sel, expect in ((RvSelectionDate.BILL_END_DATE, "20.00"),
                        (RvSelectionDate.BILL_START_DATE, "10.00")):
        rate = two_versions(FIN, allow_rv_proration=False, rv_selection_date=sel)
        assert check_rate(rate, start=APRIL[0], end=APRIL[1]).total == D(expect)


def test_bad_period_is_a_clear_error() -> None:
    with pytest.raises(RateError, match="end date 2023-03-01 is before the start date"):
        check_rate(two_versions(FIN), start=date(2023, 4, 1), end=date(2023, 3, 1))


# -- spec/20 §13.7 seasons ----------------------------------------------------------------------------
SUMMER = ((5, 1), (10, 31))


@pytest.mark.parametrize("case,method,start,end,acct,expect", [
    ("S-SEAS-01a", "PRORATE", "2010-04-16", "2010-05-15", None, Fraction(15, 30)),
    ("D-SEAS-01b", "PRORATE", "2010-04-15", "2010-05-15", None, Fraction(15, 31)),
    ("D-SEAS-02", "BILL_END", "2010-04-15", "2010-05-15", None, Fraction(1)),
    ("D-SEAS-03", "BILL_START", "2010-04-15", "2010-05-15", None, None),
    ("D-SEAS-04", "ACCOUNTING_DATE", "2010-04-15", "2010-05-15", "2010-04-30", None),
])
def test_seasons(case: str, method: str, start: str, end: str, acct: str | None,
                 expect: Fraction | None) -> None:
    season = Season(*SUMMER, SeasonalMethod(method))
    s, e = date.fromisoformat(start), date.fromisoformat(end)
    gate = season_gate(season, s, e, consumption_start=s, consumption_end=e,
                       accounting_date=date.fromisoformat(acct) if acct else e)
    assert (gate.sf if gate.applies else None) == expect, case


def test_d_seas_05_year_wrap() -> None:
    winter = Season((11, 1), (3, 31), SeasonalMethod.BILL_END)
    gate = season_gate(winter, date(2010, 12, 10), date(2011, 1, 10),
                       consumption_start=date(2010, 12, 10), consumption_end=date(2011, 1, 10),
                       accounting_date=date(2011, 1, 10))
    assert gate.applies and gate.sf == 1


def test_seasonal_flat_charge_is_prorated_by_days_in_season() -> None:
    rate = compiled([rc(10, T.FLAT, value="30.00",
                        season=Season(*SUMMER, SeasonalMethod.PRORATE))])
    r = check_rate(rate, start=date(2010, 4, 16), end=date(2010, 5, 15))
    assert amounts(r) == [(10, "15.00")]
    out = check_rate(rate, start=date(2010, 1, 1), end=date(2010, 1, 31))
    assert out.lines == []


# -- spec/20 §13.10 sub-rates ---------------------------------------------------------------------------
def eres_tax(city_pct: str = "2") -> RateSchedule:
    return RateSchedule("ERES-TAX", "Residential taxes", RateScheduleType.SUBSIDIARY, versions=(
        RateVersion(date(2000, 1, 1), FIN, (
            rc(10, T.CALC_ALG, calc_algorithm=AlgorithmRef("C1-RC-CLAMT"), fcpo=True,
               result_type=FcpoResultType.CHARGE),
            rc(20, T.APPLY_TO, value=city_pct, xrefs=(10,), description_on_bill="City tax %R"),
        )),))


ERES1 = [rc(10, T.FLAT, value="10.00"),
         rc(20, T.SQ, uom="KWH", value="0.04", step=Step(D(0), D(300))),
         rc(30, T.SQ, uom="KWH", value="0.07", step=Step(D(300), None)),
         rc(40, T.SUMMARY, xrefs=(20, 30))]
ERES2 = [rc(10, T.SQ, uom="KWH", value="0.04"), rc(20, T.MIN, value="15.00", xrefs=(10,))]


def test_d_sub_eres1_and_tax() -> None:
    r = check_rate(compiled(ERES1, code="ERES1", sub_rates=[eres_tax()]), start=APRIL[0],
                   end=APRIL[1], quantities=[kwh(500)])
    assert [h.rate_schedule for h in r.headers] == ["ERES1", "ERES-TAX"]
    assert amounts(r) == [(10, "10.00"), (20, "12.00"), (30, "14.00"), (20, "0.72")]
    assert r.lines[3].amount == D("26.00") and not r.lines[3].in_total
    assert r.headers[1].lines[0].base_amount == D("36.00")
    assert r.total == D("36.72")


@pytest.mark.parametrize("use,expect", [("200", [(10, "8.00"), (20, "7.00")]),
                                        ("500", [(10, "20.00")])])
def test_d_sub_eres2(use: str, expect: list) -> None:  # type: ignore[type-arg]
    r = check_rate(compiled(ERES2, code="ERES2"), start=APRIL[0], end=APRIL[1],
                   quantities=[kwh(use)])
    assert amounts(r) == expect


def test_d_sub_empty_01_sub_header_suppressed() -> None:
    from app.engine.rates import (
        Comparison,
        CriteriaField,
        CriterionAction,
        EligibilityCriterion,
        EligibilityGroup,
        GroupAction,
        SqKey,
    )
    never = EligibilityGroup(10, GroupAction.APPLY_RC, GroupAction.SKIP_RC, (
        EligibilityCriterion(10, CriteriaField.SQ, Comparison.GT, "1000000", sq=SqKey("KWH"),
                             if_true=CriterionAction.GROUP_TRUE),))
    sub = RateSchedule("ERES-TAX", "Taxes", RateScheduleType.SUBSIDIARY, versions=(
        RateVersion(date(2000, 1, 1), FIN, (
            rc(20, T.FLAT, value="1.00", eligibility=(never,)),)),))
    r = check_rate(compiled(ERES1, code="ERES1", sub_rates=[sub]), start=APRIL[0],
                   end=APRIL[1], quantities=[kwh(500)])
    assert [h.rate_schedule for h in r.headers] == ["ERES1"]


def test_d_sub_rc_01_sub_rate_cannot_be_checked_directly() -> None:
    lib = library(ERES1, code="ERES1", sub_rates=[eres_tax()])
    with pytest.raises(RateDefinitionError, match="ERES-TAX is a subsidiary rate schedule.*ERES1"):
        lib.compile("ERES-TAX")


# -- spec/20 §13.11 item estimates ---------------------------------------------------------------------
@pytest.mark.parametrize("case,daily,expect", [
    ("D-EST-01", [(date(2010, 1, 1), "1.2")], "372.0"),
    ("D-EST-02", [(date(2010, 1, 1), "1.2"), (date(2010, 1, 16), "1.0")], "340.0"),
])
def test_item_estimates(case: str, daily: list, expect: str) -> None:  # type: ignore[type-arg]
    rate = compiled([rc(10, T.SQ, uom="KWH", value="0.10")])
    sa = ServiceAgreement("SA1", service_points=(
        ServicePoint("SP1", items=(ItemCount("HPS100", 10, date(2009, 6, 1)),)),))
    r = check_rate(rate, start=date(2010, 1, 1), end=date(2010, 1, 31), agreement=sa,
                   item_estimates=[ItemTypeEstimate("HPS100", "KWH", d, Decimal(q))
                                   for d, q in daily])
    assert r.sq_details[0].billable == Decimal(expect), case
    assert r.lines[0].billable_sq == Decimal(expect)


# -- result tabs ---------------------------------------------------------------------------------------
def test_result_has_sq_details_register_reads_and_characteristics() -> None:
    rate = compiled([rc(10, T.SQ, uom="KWH", value="0.10")])
    r = check_rate(rate, start=APRIL[0], end=APRIL[1], quantities=[kwh(120)],
                   characteristics={"STATE": "NV"}, revenue_class="RES")
    assert [(d.uom, d.initial, d.billable) for d in r.sq_details] == [("KWH", D(120), D(120))]
    read = r.register_reads[0]
    assert (read.uom, read.measured, read.final_uom, read.register_qty) == (
        "KWH", D(120), "KWH", D(120))
    assert r.characteristics == {"STATE": "NV"}
    assert r.revenue_class == "RES" and r.currency == "USD"
    assert r.lines[0].distribution_code == "REV"


# -- review: errors that name what is missing ---------------------------------------------------------
def test_rider_present_but_no_value_is_an_error_when_the_factor_demands_one() -> None:
    empdisc = bill_factor("EMPDISC", {"OTHER": [(date(2000, 1, 1), "-25")]},
                          value_type=ValueType.PERCENT, contract_rider_applicability=True,
                          error_if_no_value=True)
    rate = compiled([rc(10, T.FLAT, value="58.00"),
                     rc(20, T.APPLY_TO, value_source=ValueSource.BILL_FACTOR,
                        bill_factor="EMPDISC", xrefs=(10,))], bill_factors=[empdisc])
    rider = ServiceAgreement("SA1", contract_riders=(ContractRider("EMPDISC", date(2020, 1, 1)),))
    with pytest.raises(BillingError, match="bill factor EMPDISC has no value for N/A=N/A"):
        check_rate(rate, start=APRIL[0], end=APRIL[1], agreement=rider)
    # without the rider the charge simply does not apply
    assert amounts(check_rate(rate, start=APRIL[0], end=APRIL[1],
                              agreement=ServiceAgreement("SA2"))) == [(10, "58.00")]


def test_distribution_code_by_revenue_class_needs_a_known_class() -> None:
    from app.engine.rates import GlDistribution
    gl = GlDistribution(by_revenue_class={"RES": "REV-RES", "COM": "REV-COM"})
    rate = compiled([rc(10, T.FLAT, value="5.00", gl=gl)])
    assert check_rate(rate, start=APRIL[0], end=APRIL[1],
                      revenue_class="COM").lines[0].distribution_code == "REV-COM"
    with pytest.raises(BillingError, match="takes its distribution code from the revenue class"):
        check_rate(rate, start=APRIL[0], end=APRIL[1])
    with pytest.raises(BillingError, match="no distribution code for revenue class IND"):
        check_rate(rate, start=APRIL[0], end=APRIL[1], revenue_class="IND")


def test_days_before_the_first_version_are_an_error() -> None:
    rate = compiled(versions=[RateVersion(date(2023, 1, 1), FIN, (rc(10, T.FLAT, value="10"),))])
    with pytest.raises(BillingError, match="no Validated or Finished rate version for "
                                           "2022-12-01 to 2022-12-31: its first starts 2023-01-01"):
        check_rate(rate, start=date(2022, 12, 1), end=date(2023, 1, 30))


def test_d_sub_eres2_with_the_tax_sub_rate() -> None:
    """C1-RC-CLAMT counts the minimum line in the tax base (spec/20 §13.10 tax_base)."""
    for use, base, city in (("200", "15.00", "0.30"), ("500", "20.00", "0.40")):
        r = check_rate(compiled(ERES2, code="ERES2", sub_rates=[eres_tax()]), start=APRIL[0],
                       end=APRIL[1], quantities=[kwh(use)])
        tax = r.headers[1].lines[0]
        assert (tax.base_amount, tax.amount) == (D(base), D(city))


@pytest.mark.parametrize("code,chars", [("COM-TOU", {"STATE": "NV"}), ("E-RES-1", {"STATE": "CA"}),
                                        ("ERES1", {"STATE": "NV"}), ("E-COM1", {})])
def test_amounts_only_batch_prices_exactly_like_the_detailed_one(code: str, chars: dict) -> None:  # type: ignore[type-arg]
    from app.engine.rates import BillPeriod, Quantity, load_shipped_library, price_periods
    rate = load_shipped_library().compile(code)
    q = [Quantity("KWH", D(900), tou=t) for t in (None, "PEAK", "OFFPEAK", "SHOULDER")] + [
        Quantity("KW", D(140))]
    periods = [BillPeriod(date(2023, m, 1), date(2023, m + 1, 1) - timedelta(days=1), q)
               for m in range(1, 12)] + [BillPeriod(date(2023, 3, 17), date(2023, 4, 30), q)]
    full = price_periods(rate, periods, characteristics=chars)
    lean = price_periods(rate, periods, characteristics=chars, detail=False)
    assert [p.total for p in lean] == [p.total for p in full]
    assert [[h.amount for h in p.headers] for p in lean] == \
        [[h.amount for h in p.headers] for p in full]
    if rate.reads_lines:                       # sub-rate taxes read the primary's lines
        assert all(p.headers[0].lines for p in lean)
    else:
        assert not any(h.lines for p in lean for h in p.headers)
