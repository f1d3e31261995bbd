"""Register rule algorithms BU, RT, ST and the register-rule pipeline step (spec/10 §4, EX-4;
spec/30 RX-03, RX-06, RX-07)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.engine.rates.agreements import CharacteristicValue, ServiceAgreement, ServicePoint
from app.engine.rates.bill_factors import (
    BillFactor,
    BillFactorCharacteristic,
    BillFactorValue,
    IntervalValue,
    IntervalValueSet,
)
from app.engine.rates.context import RatingContext
from app.engine.rates.controls import Currency, Frequency, RegisterRule, UnitOfMeasure
from app.engine.rates.enums import BillFactorType, CharSource
from app.engine.rates.errors import BillingError, CannotExecute, RateDefinitionError
from app.engine.rates.plugins import REGISTER_RULE, REGISTRY, register_register_rule
from app.engine.rates.quantities import RegisterQty
from app.engine.rates.register_rules import (
    interval_value_at,
    parse_mmdd,
    run_register_rules,
)

D = Decimal
UOMS = {u: UnitOfMeasure(u, u) for u in ("CCF", "TH", "CCFPF", "KWH")}


def take_point_factor(code: str, values: dict[str, str],
                      effective: date = date(2020, 1, 1)) -> BillFactor:
    """A REGULAR bill factor keyed by the premise's take point (char type TAKEPT)."""
    return BillFactor(code, code, "TAKEPT", CharSource.PREMISE, characteristics={
        tp: BillFactorCharacteristic(tp, (BillFactorValue(effective, D(v)),))
        for tp, v in values.items()})


def premise_sp(sp_id: str, take_point: str) -> ServicePoint:
    return ServicePoint(sp_id, premise_id=f"P-{sp_id}", premise_characteristics=(
        CharacteristicValue("TAKEPT", take_point),))


def make_ctx(*bill_factors: BillFactor, sps: tuple[ServicePoint, ...] = (),
             start: date = date(2023, 4, 1), end: date = date(2023, 4, 30)) -> RatingContext:
    return RatingContext(
        start=start, end=end, accounting_date=end, currency=Currency("USD"),
        frequency=Frequency("MONTHLY", "Monthly", 12, 3, 3),
        bill_factors={bf.code: bf for bf in bill_factors}, uoms=UOMS, sqis={},
        agreement=ServiceAgreement("SA1", service_points=sps))


def row(uom: str | None, qty: str, sp: str | None = "SP1", tou: str | None = None,
        read_start: datetime | None = None, source: int = 0) -> RegisterQty:
    return RegisterQty(uom, tou, None, D(qty), D(qty), sp, read_start, None, source)


def rule(code: str, algorithm: str, *params: str) -> RegisterRule:
    return RegisterRule(code, code, algorithm, params)


# -- BU -----------------------------------------------------------------------------------
CCF_TH = rule("CCF-TH", "BU", "CCF", "TH", "CCFCONV")


def test_ex4_rx03_ccf_to_therms_by_premise_take_point() -> None:
    ctx = make_ctx(take_point_factor("CCFCONV", {"TP1": "1.01"}), sps=(premise_sp("SP1", "TP1"),))
    rows = [row("CCF", "1000")]
    out = run_register_rules([CCF_TH], rows, ctx)
    assert [(r.uom, r.tou, r.measured_qty, r.final_qty) for r in out] == [
        ("CCF", None, D(1000), D(1000)), ("TH", None, None, D(1010))]
    assert out[1].service_point == "SP1" and out[1].source == 0
    assert len(rows) == 1  # the caller's rows are not changed


def test_rx06_pressure_factor_per_register_take_point() -> None:
    ctx = make_ctx(take_point_factor("PF ADJ", {"TP1": "1.025", "TP2": "1.05"}),
                   sps=(premise_sp("SP1", "TP1"), premise_sp("SP2", "TP2")))
    pf_rule = rule("CCFPFADJ", "BU", "CCF", "CCFPF", "PF ADJ")
    out = run_register_rules([pf_rule], [row("CCF", "1000", "SP1"),
                                         row("CCF", "400", "SP2", source=1)], ctx)
    converted = [(r.service_point, r.final_qty) for r in out if r.uom == "CCFPF"]
    assert converted == [("SP1", D("1025.000")), ("SP2", D("420.00"))]
    # RC10: SQ unit rate 0.50 per CCFPF on the single-register case → $512.50
    assert (D("0.50") * converted[0][1]).quantize(D("0.01")) == D("512.50")


def test_bu_keeps_tou_and_ignores_other_uoms() -> None:
    ctx = make_ctx(take_point_factor("CCFCONV", {"TP1": "1.01"}), sps=(premise_sp("SP1", "TP1"),))
    out = run_register_rules([CCF_TH], [row("CCF", "100", tou="WINTER"), row("KWH", "5")], ctx)
    assert [(r.uom, r.tou, r.final_qty) for r in out] == [
        ("CCF", "WINTER", D(100)), ("KWH", None, D(5)), ("TH", "WINTER", D("101.00"))]


def test_bu_uses_the_factor_in_effect_on_the_last_day_of_the_period() -> None:
    bf = BillFactor("CCFCONV", "CCF to therm", "TAKEPT", CharSource.PREMISE, characteristics={
        "TP1": BillFactorCharacteristic("TP1", (BillFactorValue(date(2023, 1, 1), D("1.00")),
                                                BillFactorValue(date(2023, 4, 15), D("1.02"))))})
    out = run_register_rules([CCF_TH], [row("CCF", "1000")],
                             make_ctx(bf, sps=(premise_sp("SP1", "TP1"),)))
    assert out[-1].final_qty == D(1020)


def test_bu_without_a_value_is_a_billing_error_naming_rule_factor_and_register() -> None:
    ctx = make_ctx(take_point_factor("CCFCONV", {"TP1": "1.01"}), sps=(premise_sp("SP1", "TP9"),))
    with pytest.raises(BillingError) as e:
        run_register_rules([CCF_TH], [row("CCF", "1000")], ctx)
    msg = str(e.value)
    assert msg.startswith("register rule CCF-TH cannot run: bill factor CCFCONV")
    assert "SP1" in msg and "2023-04-30" in msg


def test_bu_with_a_blank_parameter_is_a_definition_error() -> None:
    with pytest.raises(RateDefinitionError) as e:
        run_register_rules([rule("BAD", "BU", "CCF", "TH")], [row("CCF", "1")], make_ctx())
    assert "register rule BAD" in str(e.value) and "P3" in str(e.value)


# -- RT -----------------------------------------------------------------------------------
def interval_factor(*sets: IntervalValueSet) -> BillFactor:
    return BillFactor("RTP", "Real time price", "RTP", CharSource.NA, type=BillFactorType.INTERVAL,
                      characteristics={"RTP": BillFactorCharacteristic("RTP", interval_sets=sets)})


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2023, 4, 3, hour, minute)


def ivset(set_id: str, set_at: datetime, *values: tuple[datetime, str],
          complete: bool = True) -> IntervalValueSet:
    return IntervalValueSet(set_id, set_at, tuple(IntervalValue(t, D(v)) for t, v in values),
                            complete)


REALTIME = rule("REALTIME", "RT", "KWH", "RTP", "$")


def test_rx07_real_time_pricing_sums_to_1_80() -> None:
    bf = interval_factor(ivset("S1", at(0), (at(0), "0.05"), (at(1), "0.04"), (at(2), "0.10")))
    reads = [row("KWH", "10", read_start=at(0)), row("KWH", "20", read_start=at(1), source=1),
             row("KWH", "5", read_start=at(2), source=2)]
    out = run_register_rules([REALTIME], reads, make_ctx(bf))
    dollars = [r for r in out if r.sqi == "$"]
    assert [(r.uom, r.tou, r.measured_qty) for r in dollars] == [(None, None, None)] * 3
    assert [r.final_qty for r in dollars] == [D("0.50"), D("0.80"), D("0.50")]
    assert sum(r.final_qty for r in dollars) == D("1.80")


def test_rt_price_change_affects_only_reads_starting_after_it() -> None:
    bf = interval_factor(ivset("S1", at(0), (at(0), "0.05"), (at(1, 30), "0.08")))
    reads = [row("KWH", "10", read_start=at(0)), row("KWH", "10", read_start=at(1)),
             row("KWH", "10", read_start=at(2))]
    out = run_register_rules([REALTIME], reads, make_ctx(bf))
    assert [r.final_qty for r in out if r.sqi == "$"] == [D("0.50"), D("0.50"), D("0.80")]


def test_interval_lookup_newest_complete_set_wins() -> None:
    old = ivset("OLD", at(0), (at(1), "0.04"), (at(2), "0.06"))
    new = ivset("NEW", at(5), (at(1), "0.09"))
    pending = ivset("PEND", at(9), (at(1), "0.99"), complete=False)
    bfc = BillFactorCharacteristic("RTP", interval_sets=(new, pending, old))
    assert interval_value_at(bfc, at(1, 15)) == D("0.09")
    assert interval_value_at(bfc, at(2)) == D("0.06")
    assert interval_value_at(bfc, at(0, 59)) is None


def test_rt_without_read_start_or_value_is_a_billing_error() -> None:
    bf = interval_factor(ivset("S1", at(0), (at(1), "0.05")))
    with pytest.raises(BillingError, match="register rule REALTIME cannot run: .*no read start"):
        run_register_rules([REALTIME], [row("KWH", "10")], make_ctx(bf))
    with pytest.raises(BillingError, match="no interval value at 2023-04-03 00:00"):
        run_register_rules([REALTIME], [row("KWH", "10", read_start=at(0))], make_ctx(bf))


def test_rt_needs_an_interval_bill_factor() -> None:
    with pytest.raises(RateDefinitionError, match="not INTERVAL"):
        run_register_rules([REALTIME], [row("KWH", "1", read_start=at(0))],
                           make_ctx(take_point_factor("RTP", {"TP1": "1"})))


# -- ST -----------------------------------------------------------------------------------
SEASONAL = rule("SEASTOU", "ST", "0501", "1001", "CUR", "PRI", "WIN", "SUM")


@pytest.mark.parametrize(("end", "cur", "pri"), [
    (date(2023, 7, 31), "SUM", "WIN"),
    (date(2023, 5, 1), "SUM", "WIN"),      # summer begins on P1
    (date(2023, 10, 1), "WIN", "SUM"),     # winter begins on P2
    (date(2023, 11, 30), "WIN", "SUM"),
    (date(2024, 2, 29), "WIN", "SUM"),
])
def test_seasonal_tou_conversion_by_period_end(end: date, cur: str, pri: str) -> None:
    ctx = make_ctx(start=date(end.year, end.month, 1), end=end)
    out = run_register_rules([SEASONAL], [row("KWH", "1", tou="CUR"), row("KWH", "2", tou="PRI"),
                                          row("KWH", "3", tou="OTHER")], ctx)
    assert [r.tou for r in out] == [cur, pri, "OTHER"]


def test_seasonal_tou_conversion_wraps_the_year_end() -> None:
    south = rule("SOUTH", "ST", "11/01", "03/01", "CUR", "PRI", "WIN", "SUM")
    for end, expected in ((date(2023, 12, 31), "SUM"), (date(2024, 2, 29), "SUM"),
                          (date(2024, 3, 1), "WIN"), (date(2023, 10, 31), "WIN")):
        out = run_register_rules([south], [row("KWH", "1", tou="CUR")],
                                 make_ctx(start=end, end=end))
        assert out[0].tou == expected, end


def test_parse_mmdd() -> None:
    assert parse_mmdd("0401") == parse_mmdd("04/01") == parse_mmdd("04-01") == (4, 1)
    for bad in ("4/1/2023", "1301", "ab12"):
        with pytest.raises(RateDefinitionError):
            parse_mmdd(bad)


# -- pipeline -----------------------------------------------------------------------------
def test_rules_run_in_the_given_order() -> None:
    ctx = make_ctx(take_point_factor("CCFCONV", {"TP1": "1.01"}),
                   take_point_factor("THX", {"TP1": "2"}), sps=(premise_sp("SP1", "TP1"),))
    th_x = rule("TH-X", "BU", "TH", "THX", "THX")
    out = run_register_rules([CCF_TH, th_x], [row("CCF", "1000")], ctx)
    assert [(r.uom, r.final_qty) for r in out][-1] == ("THX", D(2020))
    out = run_register_rules([th_x, CCF_TH], [row("CCF", "1000")], ctx)
    assert "THX" not in {r.uom for r in out}


def test_unknown_algorithm_is_a_definition_error() -> None:
    with pytest.raises(RateDefinitionError, match="no register rule algorithm 'X9'"):
        run_register_rules([rule("R", "X9")], [], make_ctx())


def test_plugin_failures_are_billing_errors_naming_the_rule() -> None:
    @register_register_rule("X7", description="broken")
    def broken(rule: RegisterRule, rows: list[RegisterQty], ctx: RatingContext) -> None:
        raise ZeroDivisionError("boom")

    @register_register_rule("X8", description="cannot")
    def cannot(rule: RegisterRule, rows: list[RegisterQty], ctx: RatingContext) -> None:
        raise CannotExecute("no data")

    try:
        with pytest.raises(BillingError, match=r"register rule BRK \(X7\) failed: ZeroDivision"):
            run_register_rules([rule("BRK", "X7")], [row("KWH", "1")], make_ctx())
        with pytest.raises(BillingError, match="register rule CNT cannot run: no data"):
            run_register_rules([rule("CNT", "X8")], [row("KWH", "1")], make_ctx())
    finally:
        REGISTRY.unregister(REGISTER_RULE, "X7")
        REGISTRY.unregister(REGISTER_RULE, "X8")


def test_builtin_register_rule_codes() -> None:
    assert {"BU", "RT", "ST"} <= set(REGISTRY.codes(REGISTER_RULE))
    assert REGISTRY.get(REGISTER_RULE, "BU").builtin
    assert [p.kind for p in REGISTRY.get(REGISTER_RULE, "RT").params] == [
        "uom", "bill_factor", "sqi"]
