"""spec/20 §13: rounding, rounding at the end, MIN/MAX/EXACT, steps, value algorithms,
APPLY_TO interim rounding and tax exemption, items — with the document's numbers."""

from __future__ import annotations

from datetime import date

import pytest

from app.engine.rates import (
    REGISTRY,
    AlgorithmRef,
    BillingError,
    ComponentStatus,
    ComponentType,
    FcpoResultType,
    FcpoRetention,
    ItemCount,
    RateDefinitionError,
    RoundingMethod,
    ServiceAgreement,
    Step,
    TaxExemption,
    ValueSource,
    ValueType,
    check_rate,
    round_to,
)
from app.engine.rates.plugins import RC_VALUE, STEP

from .builders import APRIL, D, amounts, bill_factor, compiled, kwh, rc

T = ComponentType


def check(rate, *quantities, **kw):  # type: ignore[no-untyped-def]
    return check_rate(rate, start=APRIL[0], end=APRIL[1], quantities=list(quantities), **kw)


# -- §13.1 rounding ------------------------------------------------------------------------------
@pytest.mark.parametrize("case,x,inc,method,expect", [
    ("S-RND-01", "0.011", "0.01", "UP", "0.02"),
    ("S-RND-02", "0.019", "0.01", "DOWN", "0.01"),
    ("S-RND-03", "0.019", "0.01", "NEAREST", "0.02"),
    ("S-RND-04", "0.012", "0.01", "NEAREST", "0.01"),
    ("S-RND-05", "506.01", "0.05", "UP", "506.05"),
    ("D-RND-06", "506.01", "0.05", "NEAREST", "506.00"),
    ("D-1 tie", "0.125", "0.01", "NEAREST", "0.13"),
    ("D-1 negative up is a ceiling", "-0.011", "0.01", "UP", "-0.01"),
    ("D-1 negative down is a floor", "-0.011", "0.01", "DOWN", "-0.02"),
    ("coarse 1.00", "12.50", "1.00", "NEAREST", "13.00"),
])
def test_rounding(case: str, x: str, inc: str, method: str, expect: str) -> None:
    assert round_to(D(x), D(inc), RoundingMethod(method)) == D(expect), case


def test_s_rnd_07_zero_decimal_currency_rejects_half_unit_precision() -> None:
    from app.engine.rates import Currency
    yen = Currency("JPY", 0, "¥")
    with pytest.raises(RateDefinitionError, match="multiple of the currency unit 1"):
        compiled([rc(10, T.FLAT, value="100", precision="0.5")], currency=yen)


def test_s_rnd_08_and_d_rnd_09_fcpo_precision_bounds() -> None:
    ok = rc(10, T.FLAT, value="1.234567", precision="0.00001", fcpo=True,
            result_type=FcpoResultType.CHARGE)
    compiled([ok])
    too_fine = rc(10, T.FLAT, value="1.234567", precision="0.000001", fcpo=True,
                  result_type=FcpoResultType.CHARGE)
    with pytest.raises(RateDefinitionError, match="finer than 0.00001"):
        compiled([too_fine])


def test_d2_coarse_precision_must_be_a_multiple_of_the_currency_unit() -> None:
    with pytest.raises(RateDefinitionError, match="multiple of the currency unit"):
        compiled([rc(10, T.FLAT, value="1", precision="0.015")])


def test_d_rnd_10_fcpo_in_memory_and_retained_line() -> None:
    rate = compiled([
        rc(10, T.FLAT, value="12.34567", precision="0.0001", fcpo=True,
           result_type=FcpoResultType.CHARGE, create_bill_line=True,
           fcpo_retention=FcpoRetention.RETAIN, description_on_bill="Calc %A"),
        rc(20, T.FLAT, value_source=ValueSource.OTHER_RC, value_rc=10),
    ])
    r = check(rate)
    fcpo_line = r.lines[0]
    assert fcpo_line.amount == D("12.35") and not fcpo_line.in_total
    assert fcpo_line.description_on_bill.startswith("Calc $12.3457")
    # the value from another RC is the in-memory 4-dp value, rounded by RC 20 itself
    assert amounts(r) == [(20, "12.35")]
    assert r.total == D("12.35")


# -- §13.2 rounding at the end -------------------------------------------------------------------
def test_s_end_01_exact_fed_by_value_algorithm() -> None:
    rate = compiled([
        rc(10, T.FLAT, value="501.00"),
        rc(20, T.APPLY_TO, value="1", xrefs=(10,)),
        rc(30, T.EXACT, value_source=ValueSource.VALUE_ALGORITHM,
           value_algorithm=AlgorithmRef("RCVL-RNDXREF", {"inc": "0.05", "method": "UP"}),
           xrefs=(10, 20)),
    ])
    r = check(rate)
    assert amounts(r) == [(10, "501.00"), (20, "5.01"), (30, "0.04")]
    assert r.total == D("506.05")
    assert r.lines[2].base_amount == D("506.01")


def test_s_end_02_fcpo_summary_as_value_of_exact() -> None:
    rate = compiled([
        rc(10, T.FLAT, value="501.00"),
        rc(20, T.APPLY_TO, value="1", xrefs=(10,)),
        rc(25, T.SUMMARY, fcpo=True, result_type=FcpoResultType.CHARGE, print=False,
           rounding=RoundingMethod.UP, precision="0.05", xrefs=(10, 20)),
        rc(30, T.EXACT, value_source=ValueSource.OTHER_RC, value_rc=25, xrefs=(10, 20)),
    ])
    r = check(rate)
    assert amounts(r) == [(10, "501.00"), (20, "5.01"), (30, "0.04")]
    assert r.total == D("506.05")
    assert [line.rc_seq for line in r.lines] == [10, 20, 30]      # no line for the FCPO 25


# -- §13.3 MIN / MAX / EXACT ---------------------------------------------------------------------
@pytest.mark.parametrize("case,kind,target,xref_sum,line,bill", [
    ("S-MIN-NEG-01", T.MIN, "-2.00", "-1.00", None, "-1.00"),
    ("S-MAX-NEG-01", T.MAX, "-2.00", "-1.00", "-1.00", "-2.00"),
    ("S-MAX-NEG-02", T.MAX, "-2.00", "-3.00", None, "-3.00"),
    ("S-MIN-NEG-02", T.MIN, "-2.00", "-3.00", "1.00", "-2.00"),
    ("D-MIN-01", T.MIN, "100.00", "81.57", "18.43", "100.00"),
    ("D-MIN-02", T.MIN, "100.00", "100.00", None, "100.00"),
    ("D-EXACT-01", T.EXACT, "50.00", "62.10", "-12.10", "50.00"),
    ("D-7 exact already met", T.EXACT, "50.00", "50.00", None, "50.00"),
])
def test_thresholds(case: str, kind: ComponentType, target: str, xref_sum: str,
                    line: str | None, bill: str) -> None:
    rate = compiled([rc(10, T.FLAT, value=xref_sum), rc(20, kind, value=target, xrefs=(10,))])
    r = check(rate)
    threshold = [x for x in r.lines if x.rc_seq == 20]
    assert (threshold[0].amount if threshold else None) == (D(line) if line else None), case
    assert r.total == D(bill), case


# -- §13.5 steps, missing SQ, value algorithm, methodology ------------------------------------------
def tiers(*specs: tuple[int, str, str, str | None]) -> list:  # type: ignore[type-arg]
    return [rc(seq, T.SQ, uom="THERM" if price in ("0.43", "0.71") else "KWH", value=price,
               step=Step(D(low), D(high) if high else None), print=True)
            for seq, price, low, high in specs]


def test_s_step_01() -> None:
    rate = compiled(tiers((20, "0.04", "0", "300"), (30, "0.07", "300", None)))
    r = check(rate, kwh(450))
    assert amounts(r) == [(20, "12.00"), (30, "10.50")]
    assert [x.billable_sq for x in r.lines] == [D(300), D(150)]


@pytest.mark.parametrize("therms,expect,suppressed", [
    ("120", [(10, "21.50"), (20, "49.70")], False),          # D-STEP-GAS-01, total 71.20
    ("30", [(10, "12.90"), (20, "0.00")], True),             # D-STEP-GAS-02
    ("50", [(10, "21.50"), (20, "0.00")], True),             # D-STEP-GAS-03
])
def test_d_step_gas(therms: str, expect: list, suppressed: bool) -> None:  # type: ignore[type-arg]
    rate = compiled(tiers((10, "0.43", "0", "50"), (20, "0.71", "50", None)))
    r = check(rate, kwh(therms, "THERM"))
    assert amounts(r) == expect
    assert r.lines[1].suppress_print_zero is suppressed


def test_d_step_mult_01_step_multiplier() -> None:
    rate = compiled([
        rc(20, T.SQ, uom="KW", value="1.0", fcpo=True, result_type=FcpoResultType.UNIT_RATE,
           precision="0.00001"),
        rc(30, T.SQ, uom="KWH", value="0.0673", step=Step(D(0), D(10)), step_rc=20),
        rc(40, T.SQ, uom="KWH", value="0.032", step=Step(D(10), D(99999999)), step_rc=20),
    ])
    r = check(rate, kwh(50, "KW"), kwh(600))
    assert amounts(r) == [(30, "33.65"), (40, "3.20")]
    assert (r.lines[0].step_low, r.lines[0].step_high) == (D(0), D(500))
    assert (r.lines[1].step_low, r.lines[1].step_high) == (D(500), D("4999999950"))


def test_s_step_zero_01_dynamic_zero_steps_make_no_line() -> None:
    REGISTRY.register(STEP, "TEST-ZERO", lambda rc, lo, hi, ctx, calc: (D(0), D(0)))
    try:
        rate = compiled([rc(10, T.SQ, uom="KWH", value="0.05", step=Step(D(0), D(100)),
                            step_algorithm=AlgorithmRef("TEST-ZERO"))])
        r = check(rate, kwh(500))
        assert r.lines == []
    finally:
        REGISTRY.unregister(STEP, "TEST-ZERO")


def test_d_sq_miss_01_and_02() -> None:
    strict = compiled([rc(10, T.SQ, uom="KWH", value="0.05", error_if_no_value=True)])
    with pytest.raises(BillingError, match="needs service quantity KWH/–/–"):
        check(strict)
    lenient = compiled([rc(10, T.SQ, uom="KWH", value="0.05")])
    assert check(lenient).lines == []


@pytest.mark.parametrize("ccf,expect", [("8", "12.00"), ("12", "24.00"), ("10", "15.00")])
def test_s_valg_01_value_algorithm(ccf: str, expect: str) -> None:
    """Below 10 CCF the whole quantity is 1.50, above 10 it is 2.00; D-26: exactly 10 is not
    above 10, so 1.50."""
    def price(rc, ctx, calc):  # type: ignore[no-untyped-def]
        return D("2.00") if calc.sq.billable(rc.sq_key) > 10 else D("1.50")
    REGISTRY.register(RC_VALUE, "TEST-CCF", price)
    try:
        rate = compiled([rc(10, T.SQ, uom="CCF", value_source=ValueSource.VALUE_ALGORITHM,
                            value_algorithm=AlgorithmRef("TEST-CCF"))])
        assert amounts(check(rate, kwh(ccf, "CCF"))) == [(10, expect)]
    finally:
        REGISTRY.unregister(RC_VALUE, "TEST-CCF")


@pytest.mark.parametrize("use,expect,base,total", [
    ("1250", [(10, "50.00"), (20, "98.65"), (40, "1.86")], "148.65", "150.51"),
    ("400", [(10, "50.00"), (20, "31.57"), (30, "18.43"), (40, "1.25")], "100.00", "101.25"),
])
def test_d_meth_01(use: str, expect: list, base: str, total: str) -> None:  # type: ignore[type-arg]
    rate = compiled([rc(10, T.FLAT, value="50.00"), rc(20, T.SQ, uom="KWH", value="0.07892"),
                     rc(30, T.MIN, value="100.00", xrefs=(10, 20)),
                     rc(40, T.APPLY_TO, value="1.25", xrefs=(10, 20, 30))])
    r = check(rate, kwh(use))
    assert amounts(r) == expect
    assert r.lines[-1].base_amount == D(base)
    assert r.total == D(total)


def test_d_item_lamp_01() -> None:
    rate = compiled([rc(10, T.ITEM, item_type="MV20K", value="20.00")])
    r = check(rate, items=[ItemCount("MV20K", 1000, date(2020, 1, 1))])
    assert amounts(r) == [(10, "20000.00")]
    assert r.lines[0].item_count == 1000


# -- §13.6 APPLY_TO ------------------------------------------------------------------------------
def test_d_apply_01_fcpo_in_base() -> None:
    rate = compiled([
        rc(10, T.FLAT, value="60.004", precision="0.001", fcpo=True,
           result_type=FcpoResultType.CHARGE),
        rc(20, T.FLAT, value="40.00"),
        rc(30, T.APPLY_TO, value="6.191", xrefs=(10, 20)),
    ])
    line = [x for x in check(rate).lines if x.rc_seq == 30][0]
    assert (line.base_amount, line.amount, line.exempt_amount) == (D("100.00"), D("6.19"), None)


def sttax(exempt: bool = True):  # type: ignore[no-untyped-def]
    return bill_factor("STTAX", {"N/A": [(date(2000, 1, 1), "6.191")]},
                       value_type=ValueType.PERCENT, tax_exemption=exempt)


def test_d_apply_02_tax_exemption() -> None:
    rate = compiled([rc(10, T.FLAT, value="100.00"),
                     rc(20, T.APPLY_TO, value_source=ValueSource.BILL_FACTOR,
                        bill_factor="STTAX", xrefs=(10,), description_on_bill="Tax %R %T")],
                    bill_factors=[sttax()])
    sa = ServiceAgreement("SA1", tax_exemptions=(TaxExemption("STTAX", date(2000, 1, 1), D(50)),))
    line = check(rate, agreement=sa).lines[1]
    assert (line.amount, line.exempt_amount) == (D("3.09"), D("3.10"))
    assert line.description_on_bill == "Tax 6.191% (50% exempt)"
    # S-RC-05: without an agreement no exempt amount is calculated
    plain = check(rate).lines[1]
    assert (plain.amount, plain.exempt_amount) == (D("6.19"), None)


def test_d_apply_03_zero_base_makes_no_line() -> None:
    rate = compiled([rc(10, T.FLAT, value="0.00"), rc(20, T.APPLY_TO, value="5", xrefs=(10,))])
    assert [x.rc_seq for x in check(rate).lines] == [10]


def test_d_apply_04_unit_rate_on_quantities() -> None:
    rate = compiled([
        rc(10, T.SQ, uom="KWH", value="0.04", step=Step(D(0), D(300))),
        rc(20, T.SQ, uom="KWH", value="0.07", step=Step(D(300), None)),
        rc(30, T.APPLY_TO, value_type=ValueType.UNIT_RATE, value="0.001", xrefs=(10, 20)),
    ])
    line = check(rate, kwh(500)).lines[2]
    assert (line.amount, line.base_amount, line.billable_sq) == (D("0.50"), None, D(500))


def test_unit_rate_apply_to_may_not_reference_a_flat_charge() -> None:
    with pytest.raises(RateDefinitionError, match="unit-rate Apply To"):
        compiled([rc(10, T.FLAT, value="1"),
                  rc(20, T.APPLY_TO, value_type=ValueType.UNIT_RATE, value="1", xrefs=(10,))])


# -- §13.8 items ----------------------------------------------------------------------------------
def test_s_item_01_one_line_per_constant_count() -> None:
    rate = compiled([rc(10, T.ITEM, item_type="LAMP", value="3.00")])
    items = [ItemCount("LAMP", 2, date(2010, 1, 1), date(2010, 1, 15)),
             ItemCount("LAMP", 4, date(2010, 1, 16), date(2010, 1, 31))]
    r = check_rate(rate, start=date(2010, 1, 1), end=date(2010, 1, 31), items=items)
    got = [(x.start_date, x.end_date, x.item_count) for x in r.lines]
    assert got == [(date(2010, 1, 1), date(2010, 1, 15), 2),
                   (date(2010, 1, 16), date(2010, 1, 31), 4)]
    # the price is prorated by the share of days (D6): 2 × 3.00 × 15/31 and 4 × 3.00 × 16/31
    assert [str(x.amount) for x in r.lines] == ["2.90", "6.19"]


# -- references --------------------------------------------------------------------------------------
def test_d12_forward_reference_is_rejected() -> None:
    with pytest.raises(RateDefinitionError, match="cross reference 20 must come before it"):
        compiled([rc(10, T.SUMMARY, xrefs=(20,)), rc(20, T.FLAT, value="1")])


def test_d10_skipped_component_counts_zero_in_xrefs_and_skips_dependants() -> None:
    rate = compiled([
        rc(10, T.SQ, uom="KWH", value="0.10", fcpo=True,             # no KWH given: skipped
           result_type=FcpoResultType.CHARGE),
        rc(20, T.FLAT, value="5.00"),
        rc(30, T.SUMMARY, xrefs=(10, 20)),
        rc(40, T.FLAT, value_source=ValueSource.OTHER_RC, value_rc=10),
    ])
    r = check(rate)
    assert [(x.rc_seq, str(x.amount)) for x in r.lines] == [(20, "5.00"), (30, "5.00")]


def test_summary_lines_and_app_in_summary() -> None:
    rate = compiled(tiers((20, "0.04", "0", "300"), (30, "0.07", "300", None))
                    + [rc(40, T.SUMMARY, xrefs=(20, 30), description_on_bill="Subtotal")])
    r = check(rate, kwh(450))
    assert [x.app_in_summary for x in r.lines] == [True, True, False]
    assert r.lines[2].amount == D("22.50") and not r.lines[2].in_total
    assert r.total == D("22.50")


def test_component_status_enum_is_exposed() -> None:
    assert ComponentStatus.ZERO_STEPS.value == "ZERO_STEPS"


# -- review: proration of values that are prorated at their source ------------------------------
FORTY_FIVE = (date(2023, 3, 17), date(2023, 4, 30))     # KPF 3/2 on a monthly rate


def test_s_end_01_rounding_at_the_end_on_a_prorated_bill() -> None:
    """RCVL-RNDXREF adds up prorated amounts: its value must not be prorated again."""
    rate = compiled([
        rc(10, T.FLAT, value="501.00"),
        rc(20, T.APPLY_TO, value="1", xrefs=(10,)),
        rc(30, T.EXACT, value_source=ValueSource.VALUE_ALGORITHM,
           value_algorithm=AlgorithmRef("RCVL-RNDXREF", {"inc": "0.05", "method": "UP"}),
           xrefs=(10, 20)),
    ])
    r = check_rate(rate, start=FORTY_FIVE[0], end=FORTY_FIVE[1])
    assert amounts(r) == [(10, "751.50"), (20, "7.52"), (30, "0.03")]   # 759.02 -> 759.05
    assert r.total == D("759.05")


def test_s_end_02_rounding_at_the_end_on_a_prorated_bill() -> None:
    rate = compiled([
        rc(10, T.FLAT, value="501.00"),
        rc(20, T.APPLY_TO, value="1", xrefs=(10,)),
        rc(25, T.SUMMARY, fcpo=True, result_type=FcpoResultType.CHARGE, print=False,
           rounding=RoundingMethod.UP, precision="0.05", xrefs=(10, 20)),
        rc(30, T.EXACT, value_source=ValueSource.OTHER_RC, value_rc=25, xrefs=(10, 20)),
    ])
    r = check_rate(rate, start=FORTY_FIVE[0], end=FORTY_FIVE[1])
    assert r.total == D("759.05")


def test_unit_rate_apply_to_over_a_calculation_algorithm_uses_its_quantity() -> None:
    from app.engine.rates import CalcOutput, LineDraft
    from app.engine.rates.plugins import CALCULATION

    def hundred_kwh(rc, ctx, calc, sq):  # type: ignore[no-untyped-def]
        return CalcOutput([LineDraft(D("12.00"), calc.start, calc.end, quantity=D(100))])
    REGISTRY.register(CALCULATION, "TEST-100", hundred_kwh)
    try:
        rate = compiled([rc(10, T.CALC_ALG, calc_algorithm=AlgorithmRef("TEST-100")),
                         rc(20, T.APPLY_TO, value_type=ValueType.UNIT_RATE, value="0.01",
                            xrefs=(10,))])
        assert amounts(check(rate)) == [(10, "12.00"), (20, "1.00")]
    finally:
        REGISTRY.unregister(CALCULATION, "TEST-100")


def test_item_priced_from_another_component_keeps_the_count_share() -> None:
    rate = compiled([
        rc(5, T.FLAT, value="3.00", fcpo=True, result_type=FcpoResultType.UNIT_RATE),
        rc(10, T.ITEM, item_type="LAMP", value_source=ValueSource.OTHER_RC, value_rc=5)])
    items = [ItemCount("LAMP", 2, date(2010, 1, 1), date(2010, 1, 15)),
             ItemCount("LAMP", 4, date(2010, 1, 16), date(2010, 1, 31))]
    r = check_rate(rate, start=date(2010, 1, 1), end=date(2010, 1, 31), items=items)
    assert [str(x.amount) for x in r.lines] == ["2.90", "6.19"]       # not 6.00 + 12.00


def test_value_type_and_seasonal_method_are_validated() -> None:
    from app.engine.rates import Season, SeasonalMethod
    with pytest.raises(RateDefinitionError, match="MIN component's value type is CHARGE"):
        compiled([rc(10, T.FLAT, value="1"),
                  rc(20, T.MIN, value_type=ValueType.PERCENT, value="5", xrefs=(10,))])
    with pytest.raises(RateDefinitionError, match="PRORATE_SEASONAL_SQ applies only to SQ"):
        compiled([rc(10, T.FLAT, value="1",
                     season=Season((5, 1), (10, 31), SeasonalMethod.PRORATE_SEASONAL_SQ))])


def test_a_skipped_input_is_named_in_the_warnings() -> None:
    rate = compiled([
        rc(10, T.FLAT, value="10.00"),
        rc(20, T.SQ, uom="KW", value="1.0", fcpo=True, result_type=FcpoResultType.UNIT_RATE),
        rc(30, T.SQ, uom="KWH", value="0.0673", step=Step(D(0), D(10)), step_rc=20)])
    r = check(rate, kwh(1000))
    assert amounts(r) == [(10, "10.00")]
    assert any("component 20" in w and "service quantity KW/–/–" in w for w in r.warnings)
    assert any("component 30" in w and "component 20, which gives its step multiplier"
               in w for w in r.warnings)


def test_fcpo_calculation_algorithm_line_shows_its_value_at_fcpo_precision() -> None:
    from app.engine.rates import CalcOutput, LineDraft
    from app.engine.rates.plugins import CALCULATION

    def third(rc, ctx, calc, sq):  # type: ignore[no-untyped-def]
        return CalcOutput([LineDraft(D("3.33333"), calc.start, calc.end)])
    REGISTRY.register(CALCULATION, "TEST-3RD", third)
    try:
        rate = compiled([rc(10, T.CALC_ALG, calc_algorithm=AlgorithmRef("TEST-3RD"), fcpo=True,
                            result_type=FcpoResultType.CHARGE, precision="0.00001",
                            create_bill_line=True, fcpo_retention=FcpoRetention.RETAIN,
                            description_on_bill="Factor %A")])
        [line] = check(rate).lines
        assert line.amount == D("3.33") and line.description_on_bill == "Factor $3.33333"
    finally:
        REGISTRY.unregister(CALCULATION, "TEST-3RD")
