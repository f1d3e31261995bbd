"""SQ rule algorithms S1–S19 and the SQ-rule pipeline steps (spec/10 §5, §8 EX-5..EX-7,
D-1..D-5; spec/30 RX-02, RX-04, §12.4 EX-01..EX-04)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import pytest

from app.engine.rates.agreements import (
    CharacteristicValue,
    ContractQuantity,
    Payment,
    PriorSegment,
    Relationship,
    ServiceAgreement,
    ServicePoint,
)
from app.engine.rates.bill_factors import BillFactor, BillFactorCharacteristic, BillFactorValue
from app.engine.rates.context import RatingContext, ToDo
from app.engine.rates.controls import (
    Currency,
    Frequency,
    ServiceQuantityIdentifier,
    SqKey,
    SqRule,
    UnitOfMeasure,
)
from app.engine.rates.enums import SqQtyToUse, SqRuleProcessing
from app.engine.rates.errors import BillingError, CannotExecute, RateDefinitionError
from app.engine.rates.plugins import REGISTRY, SQ_RULE, register_sq_rule
from app.engine.rates.quantities import ServiceQty, ServiceQuantities
from app.engine.rates.sq_rules import (
    round_service_quantities,
    run_sq_rules,
    season_contains,
)

D = Decimal
UOMS = {"KWH": UnitOfMeasure("KWH", "kWh", 2), "KVARH": UnitOfMeasure("KVARH", "kVARh", 2),
        "KW": UnitOfMeasure("KW", "kW", 2, measures_peak=True)}
KWH, PEAK, OFFPEAK = SqKey("KWH"), SqKey("KWH", "PEAK"), SqKey("KWH", "OFFPEAK")
NO_OUTPUT = SqKey()


def make_ctx(start: date = date(2023, 4, 1), end: date = date(2023, 4, 30),
             agreement: ServiceAgreement | None = None, bill_factors: tuple[BillFactor, ...] = (),
             sqis: tuple[ServiceQuantityIdentifier, ...] = (), **kw: object) -> RatingContext:
    return RatingContext(
        start=start, end=end, accounting_date=end, currency=Currency("USD"),
        frequency=Frequency("MONTHLY", "Monthly", 12, 3, 3),
        bill_factors={bf.code: bf for bf in bill_factors}, uoms=UOMS,
        sqis={s.code: s for s in sqis}, agreement=agreement, **kw)  # type: ignore[arg-type]


def measured(**quantities: str) -> ServiceQuantities:
    """``measured(KWH_PEAK="1000")`` → entry (KWH, PEAK) with initial = billable = 1000."""
    sq = ServiceQuantities()
    for name, qty in quantities.items():
        sq.add_measured(SqKey(*(p or None for p in (name.split("_") + ["", ""])[:3])), D(qty))
    return sq


def rule(algorithm: str, *params: str | None, output: SqKey = NO_OUTPUT, code: str = "",
         **kw: object) -> SqRule:
    return SqRule(code or f"R-{algorithm}", "test rule", algorithm, params, output,
                  **kw)  # type: ignore[arg-type]


def run(r: SqRule, sq: ServiceQuantities | None = None,
        ctx: RatingContext | None = None) -> tuple[ServiceQuantities, RatingContext]:
    sq = sq if sq is not None else ServiceQuantities()
    ctx = ctx or make_ctx()
    run_sq_rules([r], sq, ctx)
    return sq, ctx


def out(r: SqRule, sq: ServiceQuantities | None = None,
        ctx: RatingContext | None = None) -> Decimal | None:
    return run(r, sq, ctx)[0].billable(r.output)


# -- EX-5 / RX-02 Sum --------------------------------------------------------------------
SUM_KWH = rule("SM", "KWH", "PEAK", None, "KWH", "OFFPEAK", None, output=KWH, code="SUM-KWH")


@pytest.mark.parametrize("use", list(SqQtyToUse))
def test_ex5_rx02_sum_adds_a_new_entry(use: SqQtyToUse) -> None:
    sq = measured(KWH_PEAK="1000", KWH_OFFPEAK="800")
    run_sq_rules([rule("SM", "KWH", "PEAK", None, "KWH", "OFFPEAK", output=KWH,
                       qty_to_use=use)], sq, make_ctx())
    assert sq.get(KWH) == ServiceQty(KWH, None, D(1800))
    assert sq.get(PEAK) == ServiceQty(PEAK, D(1000), D(1000))
    assert sq.get(OFFPEAK) == ServiceQty(OFFPEAK, D(800), D(800))


def test_ex5_rx02_missing_input_skips_or_raises() -> None:
    sq = measured(KWH_OFFPEAK="800")
    before = sq.snapshot()
    run_sq_rules([SqRule("SUM-KWH", "Sum", "SM", SUM_KWH.params, KWH,
                         create_billing_error=False)], sq, make_ctx())
    assert sq.snapshot() == before
    with pytest.raises(BillingError, match=r"^SQ rule SUM-KWH cannot run: .*KWH/PEAK/–"):
        run_sq_rules([SUM_KWH], sq, make_ctx())


def test_sum_of_three_and_blank_sum_is_a_definition_error() -> None:
    sq = measured(KWH_PEAK="1", KWH_OFFPEAK="2", KWH_X_Y="3")
    assert out(rule("SM", "KWH", "PEAK", "", "KWH", "OFFPEAK", "", "KWH", "X", "Y",
                    output=KWH), sq) == 6
    with pytest.raises(RateDefinitionError, match="SQ rule R-SM"):
        run(rule("SM", output=KWH))


# -- EX-6 / SD, DY -------------------------------------------------------------------------
def test_ex6_season_days() -> None:
    ctx = make_ctx(date(1999, 3, 16), date(1999, 4, 15))  # read dates 03-15 → 04-15
    assert out(rule("SD", "0401", "1031", output=SqKey(sqi="SEASDAYS")), ctx=ctx) == 15
    assert out(rule("SD", "04/01", "10/31", output=SqKey(sqi="SEASDAYS")), ctx=ctx) == 15


def test_season_days_wrap_and_feb_29() -> None:
    ctx = make_ctx(date(2023, 12, 15), date(2024, 3, 15))
    # Dec 15–31 (17) + Jan (31) + Feb 1–28 (28); Feb 29 is outside a season ending 02-28
    assert out(rule("SD", "1101", "0228", output=SqKey(sqi="D")), ctx=ctx) == 76
    assert season_contains(date(2024, 2, 29), (2, 1), (3, 31))
    assert not season_contains(date(2024, 2, 29), (11, 1), (2, 28))


def test_bill_days_counts_the_closed_period() -> None:
    assert out(rule("DY", output=SqKey(sqi="DAYS"))) == 30
    assert out(rule("DY", output=SqKey(sqi="DAYS")),
               ctx=make_ctx(date(1999, 3, 16), date(1999, 4, 15))) == 31


def test_quantity_rule_without_output_is_a_definition_error() -> None:
    with pytest.raises(RateDefinitionError, match="no output"):
        run(rule("DY"))


# -- EX-7 / CH -----------------------------------------------------------------------------
# Made-up quantities for EX-7's dates, held as closed ranges (read dates Jan 1→Feb 1 are the
# closed range Jan 2..Feb 1): Jan bill 620 kWh (31 days), Feb bill 280 (28), Mar bill 70 (14).
HISTORY = (
    PriorSegment(date(1999, 3, 2), date(1999, 3, 15), {KWH: D(70), SqKey("KW"): D(40)}),
    PriorSegment(date(1999, 2, 2), date(1999, 3, 1), {KWH: D(280), SqKey("KW"): D(55)}),
    PriorSegment(date(1999, 1, 2), date(1999, 2, 1), {KWH: D(620), SqKey("KW"): D(30)}),
)


def ch_ctx() -> RatingContext:
    return make_ctx(date(1999, 3, 16), date(1999, 4, 15), ServiceAgreement("SA1", history=HISTORY))


@pytest.mark.parametrize(("op", "expected"), [
    # window Feb 16..Mar 15 = 70 + 280 × 14/28 = 210; window Jan 16..Feb 15 = 280 × 14/28
    # + 620 × 17/31 = 480; Jan 2..15 dropped
    ("SUM", D(690)), ("MAX", D(480)), ("MIN", D(210)), ("AVG", D(690) / 59)])
def test_ex7_consumption_history_prorates_irregular_periods(op: str, expected: Decimal) -> None:
    r = rule("CH", None, None, "2", "KWH", None, None, op, output=SqKey(sqi="HIST"))
    assert out(r, ctx=ch_ctx()) == expected


def test_ex7_one_period_back() -> None:
    r = rule("CH", None, None, "1", "KWH", None, None, "SUM", output=SqKey(sqi="HIST"))
    assert out(r, ctx=ch_ctx()) == 210


def test_consumption_history_of_a_peak_uom_is_not_prorated() -> None:
    r = rule("CH", None, None, "1", "KW", None, None, "MAX", output=SqKey(sqi="HIST"))
    assert out(r, ctx=ch_ctx()) == 55  # Mar 40 and Feb 55 overlap the window


def test_consumption_history_previous_season() -> None:
    history = (PriorSegment(date(2023, 9, 1), date(2023, 9, 30), {KWH: D(300)}),
               PriorSegment(date(2023, 6, 1), date(2023, 8, 31), {KWH: D(900)}),
               PriorSegment(date(2023, 5, 1), date(2023, 5, 31), {KWH: D(31)}))
    ctx = make_ctx(date(2024, 7, 1), date(2024, 7, 31),
                   ServiceAgreement("SA1", history=history))
    r = rule("CH", "06/01", "08/31", None, "KWH", None, None, "SUM", output=SqKey(sqi="HIST"))
    assert out(r, ctx=ctx) == 900  # the 2024 season has not ended yet → summer 2023


def test_consumption_history_without_history_cannot_run() -> None:
    r = rule("CH", None, None, "2", "KWH", None, None, "SUM", output=SqKey(sqi="HIST"))
    with pytest.raises(BillingError, match="no consumption history"):
        run(r, ctx=make_ctx(agreement=ServiceAgreement("SA1")))


# -- D-1 / CQ, RX-04 / MX ------------------------------------------------------------------
CQ_SA = ServiceAgreement("SA1", contract_quantities=(
    ContractQuantity("MINKW", date(2023, 1, 1), D(100)),
    ContractQuantity("MINKW", date(2023, 4, 11), D(200))))


@pytest.mark.parametrize(("how", "expected"), [
    ("CQBD", D(100)), ("CQED", D(200)), ("CQMA", D(200)), ("CQMI", D(100))])
def test_d1_contract_quantity(how: str, expected: Decimal) -> None:
    assert out(rule("CQ", "MINKW", how, output=SqKey(sqi="CQ")),
               ctx=make_ctx(agreement=CQ_SA)) == expected


def test_d1_contract_quantity_prorated_and_rounded_by_sqi() -> None:
    r = rule("CQ", "MINKW", "CQPR", output=SqKey(sqi="CQ"))
    sq, ctx = run(r, ctx=make_ctx(agreement=CQ_SA,
                                  sqis=(ServiceQuantityIdentifier("CQ", "CQ", 7),)))
    assert sq.billable(r.output).quantize(D("1e-7")) == D("166.6666667")  # type: ignore[union-attr]
    round_service_quantities(sq, ctx)
    assert str(sq.billable(r.output)) == "166.6666667"


def test_contract_quantity_missing_cannot_run() -> None:
    with pytest.raises(BillingError, match="no contract quantity OTHER"):
        run(rule("CQ", "OTHER", "CQMA", output=SqKey(sqi="CQ")), ctx=make_ctx(agreement=CQ_SA))


@pytest.mark.parametrize(("measured_kw", "billable"), [("40", D(50)), ("60", D(60))])
def test_rx04_maximum_service_quantity(measured_kw: str, billable: Decimal) -> None:
    sa = ServiceAgreement("SA1", contract_quantities=(
        ContractQuantity("MINKW", date(2020, 1, 1), D(50)),))
    kw = SqKey("KW")
    sq, _ = run(rule("MX", "KW", None, None, "MINKW", output=kw), measured(KW=measured_kw),
                make_ctx(agreement=sa))
    assert sq.get(kw) == ServiceQty(kw, D(measured_kw), billable)


# -- D-2 / PF ------------------------------------------------------------------------------
def pf_rule(threshold: str | None, alg: str = "PF", when: str | None = None) -> SqRule:
    return rule(alg, "KWH", None, None, "KVARH", None, None, "PFTODO", "ENG", threshold, when,
                output=SqKey(sqi="PF"))


@pytest.mark.parametrize("alg", ["PF", "PE"])
def test_d2_power_factor(alg: str) -> None:
    sq = measured(KWH="1000", KVARH="750")
    sq, ctx = run(pf_rule("90", alg), sq)
    assert sq.billable(SqKey(sqi="PF")) == 80 and ctx.todos == []
    sq, ctx = run(pf_rule("75", alg), measured(KWH="1000", KVARH="750"))
    assert [(t.todo_type, t.role) for t in ctx.todos] == [("PFTODO", "ENG")]


def test_power_factor_low_threshold_option_and_zero_kwh() -> None:
    _, ctx = run(pf_rule("90", when="BELOW"), measured(KWH="1000", KVARH="750"))
    assert len(ctx.todos) == 1
    assert out(pf_rule(None), measured(KWH="1000", KVARH="0")) == 100
    with pytest.raises(BillingError, match="division by zero"):
        run(pf_rule("90"), measured(KWH="0", KVARH="750"))


# -- D-3 / SU ------------------------------------------------------------------------------
def test_d3_seasonal_usage() -> None:
    sq = measured(KWH="600", __SD="15", __DY="31")
    r = rule("SU", "KWH", None, None, None, None, "SD", None, None, "DY",
             output=SqKey("KWH", None, "SEAS"))
    assert out(r, sq).quantize(D("1e-7")) == D("290.3225806")  # type: ignore[union-attr]
    with pytest.raises(BillingError, match="division by zero"):
        run(r, measured(KWH="600", __SD="15", __DY="0"))


# -- D-4 / LF ------------------------------------------------------------------------------
LF = rule("LF", "KW", "PEAK", "OFFPEAK", "PART", "KWH", "100", None, "ACCT")


@pytest.mark.parametrize(("peak", "todos"), [("120", 1), ("90", 0)])
def test_d4_load_factor(peak: str, todos: int) -> None:
    # P6 = 100, 30 days → calculated kWh 72,000; actual 80,000 → ratio 1.111
    sq, ctx = run(LF, measured(KW_PEAK=peak, KW_OFFPEAK="20", KWH="80000"))
    assert len(ctx.todos) == todos
    if todos:
        assert ctx.todos[0].todo_type == "LF" and ctx.todos[0].role == "ACCT"
        assert "1.1111" in ctx.todos[0].message
    assert len(sq) == 3  # writes no quantity


def test_load_factor_below_ratio_and_missing_demand() -> None:
    _, ctx = run(LF, measured(KW_PEAK="120", KWH="70000"))
    assert ctx.todos == []
    with pytest.raises(BillingError, match="no KW demand"):
        run(LF, measured(KWH="70000"))


# -- D-5 / MA ------------------------------------------------------------------------------
def ma(op: str, *q2: str | None, p8: str | None = None, p9: str | None = None,
       p10: str | None = None) -> SqRule:
    q2_params = (list(q2) + [None, None, None])[:3]
    return rule("MA", "KWH", None, None, op, *q2_params, p8, p9, p10, output=SqKey(sqi="MA"))


def test_d5_mathematical_functions() -> None:
    sq = measured(KWH="1800", KW="1000")
    assert out(ma("*", p10="0.5"), sq) == 900
    assert out(ma(">", "KW"), sq) == 1
    assert out(ma("NEGATE"), sq) == -1800


@pytest.mark.parametrize(("op", "q2", "expected"), [
    ("+", "3", D(13)), ("-", "3", D(7)), ("/", "4", D("2.5")), ("**", "2", D(100)),
    ("MOD", "3", D(1)), ("MAX", "3", D(10)), ("MIN", "3", D(3)), ("AVG", "3", D("6.5")),
    ("<", "3", D(0)), ("<=", "10", D(1)), (">=", "11", D(0)), ("=", "10", D(1)),
    ("<>", "10", D(0))])
def test_ma_binary_operators(op: str, q2: str, expected: Decimal) -> None:
    assert out(ma(op, p10=q2), measured(KWH="10")) == expected


@pytest.mark.parametrize(("op", "q1", "expected"), [
    ("ABS", "-2.5", D("2.5")), ("ROUND", "2.5", D(3)), ("FLOOR", "-2.5", D(-3)),
    ("CEILING", "2.1", D(3)), ("SQRT", "16", D(4)), ("LOG10", "1000", D(3)),
    ("EXP10", "2", D(100)), ("LOG", "1", D(0)), ("EXP", "0", D(1)), ("SIN", "0", D(0)),
    ("COS", "0", D(1)), ("ATAN", "1", D(repr(0.7853981633974483)))])
def test_ma_unary_operators(op: str, q1: str, expected: Decimal) -> None:
    assert out(ma(op), measured(KWH=q1)) == expected


def test_ma_defaults_bill_factor_and_failures() -> None:
    bf = BillFactor("MULT", "Multiplier", "MULT", characteristics={
        "MULT": BillFactorCharacteristic("MULT", (BillFactorValue(date(2020, 1, 1), D(3)),))})
    ctx = make_ctx(bill_factors=(bf,))
    # P8 wins over P5–P7; P9 stands in for a missing quantity 1
    assert out(ma("*", "KW", p8="MULT"), measured(KWH="2", KW="100"), ctx) == 6
    assert out(ma("+", p9="5", p10="1"), measured()) == 6
    for r, sq in ((ma("/", p10="0"), measured(KWH="1")), (ma("LOG"), measured(KWH="0")),
                  (ma("ASIN"), measured(KWH="2")), (ma("*"), measured(KWH="1")),
                  (ma("ABS"), measured())):
        with pytest.raises(BillingError, match="cannot run"):
            run(r, sq)
    with pytest.raises(RateDefinitionError, match="unknown operator"):
        run(ma("%%"), measured(KWH="1"))


# -- S1, S2, S8, S13 characteristic rules ---------------------------------------------------
BC = rule("BC", "CONSBILL", "E", "BILLCRED", "BRDUAL", "BRELEC", "RRDUAL", "RRELEC")


@pytest.mark.parametrize(("option", "services", "expected"), [
    ("BILL_READY", ("E", "G"), "BRDUAL"), ("BILL_READY", ("E",), "BRELEC"),
    ("RATE_READY", ("E", "G"), "RRDUAL"), ("RATE_READY", ("E",), "RRELEC"),
    (None, ("E",), None)])
def test_bc_electric_consolidated_billing(option: str | None, services: tuple[str, ...],
                                          expected: str | None) -> None:
    sa = ServiceAgreement("SA1", relationships=(
        Relationship("CONSBILL", "ESP1", option, service_types=services),))
    _, ctx = run(BC, ctx=make_ctx(agreement=sa))
    assert ctx.chars.get("BILLCRED") == expected


@pytest.mark.parametrize(("cls", "bills", "expected"), [
    ("RES", True, "CTARES"), ("COM", True, "CTANONRES"), ("RES", False, None)])
def test_ct_gas_consolidated_billing(cls: str, bills: bool, expected: str | None) -> None:
    sa = ServiceAgreement("SA1", customer_class=cls, relationships=(
        Relationship("GASESP", "GESP", bills_for_utility=bills, service_types=("G",)),))
    _, ctx = run(rule("CT", "G", "GASESP", "RES", "CTACRED", "CTARES", "CTANONRES"),
                 ctx=make_ctx(agreement=sa))
    assert ctx.chars.get("CTACRED") == expected


@pytest.mark.parametrize(("rels", "expected"), [
    (("ESP",), "DA"), (("CTA",), "DA"), (("OTHER",), "NONDA"), ((), "NONDA")])
def test_cd_direct_access_credit(rels: tuple[str, ...], expected: str) -> None:
    sa = ServiceAgreement("SA1", relationships=tuple(Relationship(t, "P") for t in rels))
    _, ctx = run(rule("CD", "ESP", "CTA", "DACRED", "DA", "NONDA"), ctx=make_ctx(agreement=sa))
    assert ctx.chars == {"DACRED": expected}


@pytest.mark.parametrize(("services", "expected"), [
    (("E", "G"), "MDMADUAL"), (("E",), "MDMAELEC"), (None, None)])
def test_ms_meter_service_credit(services: tuple[str, ...] | None, expected: str | None) -> None:
    rels = () if services is None else (Relationship("MDMA", "READER", service_types=services),)
    _, ctx = run(rule("MS", "MDMA", "E", "MDMACRED", "MDMADUAL", "MDMAELEC"),
                 ctx=make_ctx(agreement=ServiceAgreement("SA1", relationships=rels)))
    assert ctx.chars.get("MDMACRED") == expected


# -- S4 CV ---------------------------------------------------------------------------------
CV_SA = ServiceAgreement(
    "SA1", characteristics=(CharacteristicValue("UNITS", "4", date(2020, 1, 1)),
                            CharacteristicValue("UNITS", "6", date(2023, 4, 2))),
    account_characteristics=(CharacteristicValue("UNITS", "2"),),
    service_points=(
        ServicePoint("SP1", (CharacteristicValue("UNITS", "3"),), premise_id="PR1",
                     premise_characteristics=(CharacteristicValue("UNITS", "10"),)),
        ServicePoint("SP2", (CharacteristicValue("UNITS", "5"),), premise_id="PR1",
                     premise_characteristics=(CharacteristicValue("UNITS", "10"),)),
        ServicePoint("SP3", premise_id="PR2",
                     premise_characteristics=(CharacteristicValue("UNITS", "7"),))))


@pytest.mark.parametrize(("source", "expected"), [
    ("SA", D(4)), ("ACCOUNT", D(2)), ("PREMISE", D(17)), ("SP", D(8))])
def test_cv_characteristic_value(source: str, expected: Decimal) -> None:
    assert out(rule("CV", "UNITS", source, output=SqKey(sqi="UNITS")),
               ctx=make_ctx(agreement=CV_SA)) == expected


def test_cv_minimum_caller_value_and_missing() -> None:
    r = rule("CV", "UNITS", "SA", "5", output=SqKey(sqi="UNITS"))
    with pytest.raises(BillingError, match="below the minimum 5"):
        run(r, ctx=make_ctx(agreement=CV_SA))
    assert out(r, ctx=make_ctx(agreement=CV_SA, input_chars={"UNITS": "9"})) == 9
    with pytest.raises(BillingError, match="no SA characteristic NOPE"):
        run(rule("CV", "NOPE", "SA", output=SqKey(sqi="X")), ctx=make_ctx(agreement=CV_SA))


# -- S9 EP ---------------------------------------------------------------------------------
def ep_sa(paid_on: date | None = date(2023, 3, 11), balance: str = "0") -> ServiceAgreement:
    prior = PriorSegment(date(2023, 2, 1), date(2023, 2, 28), bill_date=date(2023, 3, 1),
                         due_date=date(2023, 3, 21), lines=(
                             (D("100.00"), (("EPELIG", "Y"),)), (D("20.00"), ()),
                             (D("30.50"), (("EPELIG", "Y"), ("OTHER", "Z")))))
    return ServiceAgreement("SA1", history=(prior,),
                            payments=(Payment(paid_on, D("150.50")),) if paid_on else (),
                            balances=((date(2023, 3, 11), D(balance)),))


EP = rule("EP", "DAYSEARLY", "EPELIG", "Y", output=SqKey(sqi="EPAMT"))


def test_ep_early_pay() -> None:
    sq, ctx = run(EP, ctx=make_ctx(agreement=ep_sa()))
    assert ctx.chars["DAYSEARLY"] == "10"  # due 03-21 − paid 03-11
    assert sq.billable(EP.output) == D("130.50")


@pytest.mark.parametrize("sa", [ep_sa(balance="5"), ep_sa(paid_on=None),
                                ep_sa(paid_on=date(2023, 3, 21)), ServiceAgreement("SA1")])
def test_ep_not_paid_early_does_nothing(sa: ServiceAgreement) -> None:
    sq, ctx = run(EP, ctx=make_ctx(agreement=sa))
    assert len(sq) == 0 and ctx.chars == {}


# -- S12, S14 counts -------------------------------------------------------------------------
def test_number_of_meters_and_meter_ownership() -> None:
    sa = ServiceAgreement("SA1", service_points=(ServicePoint("SP1", meter_count=2),
                                                 ServicePoint("SP2")),
                          relationships=(Relationship("MTROWN", "ESP", third_party_owner=True),))
    ctx = make_ctx(agreement=sa)
    assert out(rule("NM", output=SqKey(sqi="NSP")), ctx=ctx) == 2
    assert out(rule("MO", "MTROWN", output=SqKey(sqi="NMTR")), ctx=ctx) == 3
    assert out(rule("MO", "OTHER", output=SqKey(sqi="NMTR")), ctx=ctx) is None
    with pytest.raises(BillingError, match="needs a service agreement"):
        run(rule("NM", output=SqKey(sqi="NSP")))


# -- S16 RP --------------------------------------------------------------------------------
@pytest.mark.parametrize(("quantities", "ok"), [
    ({"KWH": "10", "KVARH": "5"}, True), ({"KWH": "0", "KVARH": "0"}, True), ({}, True),
    ({"KWH": "10", "KVARH": "0"}, False), ({"KVARH": "3"}, False)])
def test_rp_required_pair(quantities: dict[str, str], ok: bool) -> None:
    r = rule("RP", "KWH", None, None, "KVARH", None, None)
    if ok:
        sq, _ = run(r, measured(**quantities))
        assert len(sq) == len(quantities)
    else:
        with pytest.raises(BillingError, match="cannot run: .* is zero"):
            run(r, measured(**quantities))


# -- run_sq_rules, round_service_quantities, spec/30 §12.4 ----------------------------------
def test_all_nineteen_algorithms_are_registered_as_builtins() -> None:
    for code in ("BC", "CT", "DY", "CV", "LF", "CH", "CQ", "CD", "EP", "MA", "MX", "MO", "MS",
                 "NM", "PF", "PE", "RP", "SD", "SU", "SM"):
        assert REGISTRY.get(SQ_RULE, code).builtin
    assert REGISTRY.get(SQ_RULE, "PE").function is REGISTRY.get(SQ_RULE, "PF").function


def test_initial_calc_only_rules_skip_on_a_rebill_reusing_consumption() -> None:
    r = rule("DY", output=SqKey(sqi="DAYS"), processing=SqRuleProcessing.INITIAL_SQ_CALC_ONLY)
    assert out(r) == 30
    assert out(r, ctx=make_ctx(rebill_reusing_consumption=True)) is None
    always = rule("DY", output=SqKey(sqi="DAYS"))
    assert out(always, ctx=make_ctx(rebill_reusing_consumption=True)) == 30


def test_round_service_quantities_by_sqi_half_up() -> None:
    sq = ServiceQuantities({k: ServiceQty(k, i, b) for k, i, b in (
        (SqKey(sqi="A"), None, D("2.345")), (SqKey("KWH", None, "B"), D("1.5"), D("1.5")),
        (SqKey("KWH"), D("1.2345"), D("1.2345")), (SqKey(sqi="UNKNOWN"), None, D("1.55")))})
    round_service_quantities(sq, make_ctx(sqis=(ServiceQuantityIdentifier("A", "A", 2),
                                                ServiceQuantityIdentifier("B", "B", 0))))
    assert sq.get(SqKey(sqi="A")) == ServiceQty(SqKey(sqi="A"), None, D("2.35"))
    assert sq.get(SqKey("KWH", None, "B")) == ServiceQty(SqKey("KWH", None, "B"), D("1.5"), D(2))
    assert sq.billable(SqKey("KWH")) == D("1.2345")
    assert sq.billable(SqKey(sqi="UNKNOWN")) == D("1.55")


PluginAdder = Callable[[str, Callable[[SqRule, ServiceQuantities, RatingContext], None]], None]


@pytest.fixture
def plugins() -> Iterator[PluginAdder]:
    """Register test plug-ins and remove them afterwards."""
    codes: list[str] = []

    def add(code: str, fn: Callable[[SqRule, ServiceQuantities, RatingContext], None]) -> None:
        register_sq_rule(code, description=f"test {code}")(fn)
        codes.append(code)
    yield add
    for code in codes:
        REGISTRY.unregister(SQ_RULE, code)


def test_spec30_ex01_custom_rule_runs_in_sequence_before_a_sum(plugins: PluginAdder) -> None:
    def double(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
        sq.write(rule, sq.read(rule, SqKey("KWH")) * 2)
    plugins("X1", double)
    dbl = rule("X1", output=SqKey("KWH", None, "DBL"), code="DOUBLE")
    total = rule("SM", "KWH", None, "DBL", "KWH", None, None, output=SqKey(sqi="TOTAL"),
                 code="SUM")
    sq = measured(KWH="100")
    run_sq_rules([dbl, total], sq, make_ctx())
    assert sq.billable(SqKey(sqi="TOTAL")) == 300
    assert sq.get(SqKey("KWH")) == ServiceQty(SqKey("KWH"), D(100), D(100))
    assert sq.get(SqKey("KWH", None, "DBL")).initial is None  # type: ignore[union-attr]
    with pytest.raises(BillingError, match="SQ rule SUM cannot run"):
        run_sq_rules([total, dbl], measured(KWH="100"), make_ctx())


def test_spec30_ex02_changing_an_initial_quantity_is_a_billing_error(plugins: PluginAdder) -> None:
    def tamper(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
        sq.replace_entry(ServiceQty(KWH, D(1), D(1)))

    def elsewhere(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
        sq.set_billable(SqKey(sqi="OTHER"), D(1))
    plugins("X2", tamper)
    plugins("X3", elsewhere)
    sq = measured(KWH="100")
    with pytest.raises(BillingError, match="SQ rule TAMPER changed the initial quantity of KWH"):
        run_sq_rules([rule("X2", output=KWH, code="TAMPER")], sq, make_ctx())
    assert sq.get(KWH) == ServiceQty(KWH, D(100), D(100))
    with pytest.raises(BillingError, match="SQ rule ELSE wrote –/–/OTHER, not its output"):
        run_sq_rules([rule("X3", output=KWH, code="ELSE")], sq, make_ctx())


def test_spec30_ex03_codes_must_be_x_or_y_and_known() -> None:
    with pytest.raises(RateDefinitionError, match="must start with X or Y"):
        register_sq_rule("Q1")(lambda rule, sq, ctx: None)
    assert not REGISTRY.has(SQ_RULE, "Q1")
    with pytest.raises(RateDefinitionError, match="no SQ rule algorithm 'X9'"):
        REGISTRY.get(SQ_RULE, "X9")
    with pytest.raises(RateDefinitionError, match="no SQ rule algorithm 'X9'"):
        run_sq_rules([rule("X9", code="UNKNOWN")], measured(KWH="1"), make_ctx())


def test_spec30_ex04_not_applicable_leaves_everything_unchanged(plugins: PluginAdder) -> None:
    def half_done(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
        sq.write(rule, D(5))
        sq.set_billable(KWH, D(0))
        ctx.chars["HALF"] = "DONE"
        ctx.todos.append(ToDo("T", None, "half"))
        raise CannotExecute("not applicable")
    plugins("X4", half_done)
    sq, ctx = measured(KWH="100"), make_ctx(input_chars={"A": "1"}, chars={"A": "1"})
    before = sq.snapshot()
    run_sq_rules([rule("X4", output=KWH, code="HALF", create_billing_error=False)], sq, ctx)
    assert sq.snapshot() == before and ctx.chars == {"A": "1"} and ctx.todos == []
    with pytest.raises(BillingError, match="^SQ rule HALF cannot run: not applicable$"):
        run_sq_rules([rule("X4", output=KWH, code="HALF")], sq, ctx)
    assert sq.snapshot() == before


def test_unexpected_plugin_exception_becomes_a_billing_error(plugins: PluginAdder) -> None:
    def broken(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
        raise KeyError("oops")
    plugins("Y1", broken)
    with pytest.raises(BillingError, match=r"SQ rule BRK \(Y1\) failed: KeyError"):
        run_sq_rules([rule("Y1", code="BRK", create_billing_error=False)], measured(),
                     make_ctx())
