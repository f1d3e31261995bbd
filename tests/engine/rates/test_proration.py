"""Proration tests PR-01 … PR-24 of spec/30 (§1–§10), plus a sample custom calculation
algorithm (the §12.3 ``CalcAlgorithm`` extension point; EX-01 … EX-04 of §12.4 are in
test_sq_rules.py).

Every fixture the spec marks "assumed" is built here, with the builders of ``builders.py``:
monthly frequency with offsets 3/3 (N = 30, no consumption proration from 27 to 33 days),
rate versions Finished, components with a GL code. Factors are compared as exact
``Fraction``s; quantities that are not terminating decimals (100 × 1/3) are compared to the
exact fraction within 1e-20.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from app.engine.rates import (
    REGISTRY,
    AlgorithmRef,
    BillFactor,
    BillFactorCharacteristic,
    BillFactorTouValue,
    BillFactorType,
    CalcLine,
    CalcOutput,
    CalcState,
    ComponentType,
    ContractRider,
    ContractValue,
    FcpoResultType,
    FcpoRetention,
    Frequency,
    Installation,
    IntervalQuantity,
    RateCheckResult,
    RateDefinitionError,
    RateLibrary,
    RateVersion,
    RateVersionStatus,
    RvSelectionDate,
    SaRate,
    Season,
    SeasonalMethod,
    ServiceAgreement,
    Step,
    TaxExemption,
    TimeOfUse,
    TouMap,
    TouMapPeriod,
    ValueSource,
    ValueType,
    check_rate,
    select_rate_schedule,
)
from app.engine.rates.charges import LineDraft
from app.engine.rates.plugins import CALCULATION, register_calculation_algorithm
from app.engine.rates.proration import (
    needs_proration,
    normal_days,
    period_factors,
    proration_window,
)

from .builders import MONTHLY, TOUS, bill_factor, kwh, library, rc

D = Decimal
F = Fraction
T = ComponentType
BF = ValueSource.BILL_FACTOR
FINISHED = RateVersionStatus.FINISHED
RV1 = date(2023, 1, 1)                                   # "effective before the bill" (assumed)
APRIL = (date(2023, 4, 1), date(2023, 4, 30))            # C = 30: CPF n/a, KPF 1
LONG = (date(2023, 3, 17), date(2023, 4, 30))            # C = 45: CPF 2/3
EPSILON = Fraction(1, 10**20)


# -- local helpers -------------------------------------------------------------------------------
def rv(effective: date, *components: object) -> RateVersion:
    return RateVersion(effective, FINISHED, tuple(components))  # type: ignore[arg-type]


def run(lib: RateLibrary, period: tuple[date, date], *quantities: object,
        code: str = "TEST", **kw: object) -> RateCheckResult:
    start, end = period
    return check_rate(lib.compile(code), start=start, end=end,
                      quantities=list(quantities), **kw)  # type: ignore[arg-type]


def lines_of(result: RateCheckResult, rc_seq: int, header: int | None = None) -> list[CalcLine]:
    lines = result.lines if header is None else list(result.headers[header].lines)
    return [x for x in lines if x.rc_seq == rc_seq]


def one(result: RateCheckResult, rc_seq: int, header: int | None = None) -> CalcLine:
    found = lines_of(result, rc_seq, header)
    assert len(found) == 1, f"expected one line for RC {rc_seq}, found {len(found)}"
    return found[0]


def calc_periods(result: RateCheckResult) -> list[tuple[date, date, date]]:
    """(rate version, start, end) of each header."""
    return [(h.rate_version, h.start_date, h.end_date) for h in result.headers]


def dates(line: CalcLine) -> tuple[date, date]:
    return line.start_date, line.end_date


def close(x: Decimal | None, exact: Fraction) -> bool:
    assert x is not None
    return abs(Fraction(x) - exact) < EPSILON


def d(iso: str) -> date:
    return date.fromisoformat(iso)


# == §1.4 SA rate changes are never prorated ==================================================
def test_pr_01_single_rate_from_the_sa_rate_history() -> None:
    # assumed: both rates monthly 3/3, one version each (effective 2023-01-01 so that either
    # covers the whole period), RC10 Flat 10.00 / 20.00
    both = library(versions=[rv(RV1, rc(10, T.FLAT, value="10.00"))], code="RATE-A").merged(
        library(versions=[rv(RV1, rc(10, T.FLAT, value="20.00"))], code="RATE-B"))
    history = [SaRate("RATE-A", d("2023-01-01")), SaRate("RATE-B", d("2023-04-16"))]
    start, end = APRIL
    for selection, code, amount in ((RvSelectionDate.BILL_END_DATE, "RATE-B", "20.00"),
                                    (RvSelectionDate.BILL_START_DATE, "RATE-A", "10.00")):
        chosen = select_rate_schedule(history, start, end, accounting_date=end,
                                      selection=selection)
        assert chosen == code
        r = run(both, APRIL, code=chosen)
        assert [(h.rate_schedule, h.start_date, h.end_date) for h in r.headers] == \
            [(code, start, end)]                          # the whole CP, one rate, no split
        line = one(r, 10)
        assert line.amount == D(amount)
        assert (line.cpf, line.kpf) == (1, 1)             # C = 30 → KPF = 1
        assert r.total == D(amount)


# == §2 proration factors =====================================================================
def test_pr_02_normal_days_monthly() -> None:
    assert normal_days(MONTHLY) == 30
    r = run(library([rc(10, T.FLAT, value="10.00")]), APRIL)
    assert one(r, 10).normal_days == 30


def test_pr_03_normal_days_quarterly() -> None:
    quarterly = Frequency("QUARTERLY", "Quarterly", 4, 3, 3)
    assert normal_days(quarterly) == 91
    r = run(library([rc(10, T.FLAT, value="10.00")], frequency=quarterly),
            (d("2023-01-01"), d("2023-03-31")))
    assert one(r, 10).normal_days == 91


def test_pr_04_cpf_of_a_sixty_day_bill() -> None:
    assert period_factors(MONTHLY, 60, 60).cpf == F(1, 2)
    # through the engine: 2023-03-02..2023-04-30 is 60 days, one version; 1200 kWh × 1/2 × 2
    r = run(library([rc(10, T.SQ, uom="KWH", value="0.10"), rc(20, T.FLAT, value="10.00")]),
            (d("2023-03-02"), d("2023-04-30")), kwh(1200))
    assert one(r, 20).kpf == F(2)                          # KPF = d/N = 60/30
    assert one(r, 20).amount == D("20.00")
    assert one(r, 10).billable_sq == 1200                  # 1200 × CPF 1/2 × KPF 2


def test_pr_05_cpf_not_applicable_inside_the_max_offset() -> None:
    assert proration_window(MONTHLY) == (27, 33)
    assert not needs_proration(31, MONTHLY)
    f = period_factors(MONTHLY, 31, 31)
    assert (f.cpf, f.kpf) == (1, 1)
    r = run(library([rc(10, T.FLAT, value="10.00")]), (d("2023-03-01"), d("2023-03-31")))
    line = one(r, 10)
    assert (line.cpf, line.kpf, line.amount) == (1, 1, D("10.00"))


def test_pr_06_tolerance_bounds_are_inclusive() -> None:
    expected = {26: F(30, 26), 27: F(1), 33: F(1), 34: F(30, 34)}
    for c, cpf in expected.items():
        assert period_factors(MONTHLY, c, c).cpf == cpf, c
        assert needs_proration(c, MONTHLY) is (cpf != 1), c


def _two_version_flat(value: str, second: date) -> RateLibrary:
    flat = rc(10, T.FLAT, value=value)
    return library(versions=[rv(RV1, flat), rv(second, flat)])


def test_pr_07_kpf_within_tolerance_uses_normal_days() -> None:
    # assumed fixture: RV1 2023-01-01 and RV2 2023-04-21 both hold RC10 Flat 30.00
    r = run(_two_version_flat("30.00", d("2023-04-21")), APRIL)
    assert calc_periods(r) == [(RV1, d("2023-04-01"), d("2023-04-20")),
                               (d("2023-04-21"), d("2023-04-21"), d("2023-04-30"))]
    first, second = one(r, 10, 0), one(r, 10, 1)
    assert (first.kpf, second.kpf) == (F(20, 30), F(10, 30))
    assert (first.cpf, second.cpf) == (1, 1)
    assert round(float(first.kpf), 7) == 0.6666667 and round(float(second.kpf), 7) == 0.3333333
    assert (first.amount, second.amount) == (D("20.00"), D("10.00"))


def test_pr_08_kpf_denominator_is_c_when_cpf_does_not_apply() -> None:
    # CP 2023-04-01..05-02 (C = 32, within 27..33); RV2 effective 04-21; RC10 Flat 32.00 (assumed)
    r = run(_two_version_flat("32.00", d("2023-04-21")), (d("2023-04-01"), d("2023-05-02")))
    assert calc_periods(r) == [(RV1, d("2023-04-01"), d("2023-04-20")),
                               (d("2023-04-21"), d("2023-04-21"), d("2023-05-02"))]
    first, second = one(r, 10, 0), one(r, 10, 1)
    assert (first.kpf, second.kpf) == (F(20, 32), F(12, 32))
    assert (first.amount, second.amount) == (D("20.00"), D("12.00"))


def _tax_rate(base: str, *tax_values: tuple[date, str], **bf_kw: Any) -> RateLibrary:
    """RC10 Flat ``base``; RC20 Apply To PERCENT of BF STTAX (char N/A), cross-ref 10."""
    return library([rc(10, T.FLAT, value=base),
                    rc(20, T.APPLY_TO, value_source=BF, bill_factor="STTAX", xrefs=(10,))],
                   bill_factors=[bill_factor("STTAX", {"N/A": tax_values},
                                             value_type=ValueType.PERCENT, **bf_kw)])


def test_pr_09_bill_factor_value_periods() -> None:
    # assumed: base RC10 Flat 100.00 (the source gives none); STTAX 6 → 6.5 from 04-16
    r = run(_tax_rate("100.00", (RV1, "6"), (d("2023-04-16"), "6.5")), APRIL)
    first, second = lines_of(r, 20)
    assert (dates(first), first.bff) == ((d("2023-04-01"), d("2023-04-15")), F(15, 30))
    assert (dates(second), second.bff) == ((d("2023-04-16"), d("2023-04-30")), F(15, 30))
    assert first.bff + second.bff == 1
    assert (first.amount, second.amount) == (D("3.00"), D("3.25"))


def test_pr_10_percent_value_prorated_by_bff_only() -> None:
    # fixture of spec/30 §2.6: RC10 Flat 90.00; RC20 Apply To PERCENT BF TAX 5 → 6 from 04-21
    lib = library([rc(10, T.FLAT, value="90.00"),
                   rc(20, T.APPLY_TO, value_source=BF, bill_factor="TAX", xrefs=(10,))],
                  bill_factors=[bill_factor("TAX", {"N/A": [(RV1, "5"), (d("2023-04-21"), "6")]},
                                            value_type=ValueType.PERCENT)])
    r = run(lib, APRIL)
    first, second = lines_of(r, 20)
    assert (dates(first), dates(second)) == ((d("2023-04-01"), d("2023-04-20")),
                                             (d("2023-04-21"), d("2023-04-30")))
    assert (first.bff, second.bff) == (F(20, 30), F(10, 30))
    assert (first.kpf, second.kpf) == (1, 1)
    assert (first.value_defined, second.value_defined) == (5, 6)
    assert close(first.value_applied, F(10, 3))            # 5 × 20/30 = 3.3333333 %
    assert round(first.value_applied, 7) == D("3.3333333")  # type: ignore[arg-type]
    assert second.value_applied == 2                        # 6 × 10/30
    assert (first.base_amount, second.base_amount) == (D("90.00"), D("90.00"))
    assert (first.amount, second.amount) == (D("3.00"), D("1.80"))
    assert r.total == D("94.80")


# == §3 overriding proration factors ===========================================================
def test_pr_11_nopror_override_forces_cpf_and_kpf_to_one() -> None:
    lib = library([rc(10, T.FLAT, value="10.00", characteristics=(("NOPROR", "Y"),)),
                   rc(20, T.FLAT, value="10.00")])
    inst = Installation(proration_override=AlgorithmRef(
        "OVPF-NOPROR", {"char_type": "NOPROR", "char_value": "Y"}))
    r = run(lib, LONG, installation=inst)                   # 45 days, single RV
    assert calc_periods(r) == [(date(1990, 1, 1), *LONG)]
    rc10, rc20 = one(r, 10), one(r, 20)
    assert (rc10.amount, rc10.cpf, rc10.kpf, rc10.sf) == (D("10.00"), 1, 1, 1)
    assert (rc20.amount, rc20.kpf) == (D("15.00"), F(45, 30))
    assert r.total == D("25.00")


# == §4 service-quantity proration =============================================================
def _pr12_library(*extra: object) -> RateLibrary:
    """PR-12: RV1 2023-01-01 and RV2 2023-04-16, both RC10 SQ KWH @0.05 (assumed)."""
    comps = (rc(10, T.SQ, uom="KWH", value="0.05"), *extra)
    return library(versions=[rv(RV1, *comps), rv(d("2023-04-16"), *comps)])


PR12 = (d("2023-04-01"), d("2023-05-15"))                  # C = 45


def test_pr_12_sq_proration_over_two_versions() -> None:
    r = run(_pr12_library(), PR12, kwh(100))
    assert calc_periods(r) == [(RV1, d("2023-04-01"), d("2023-04-15")),
                               (d("2023-04-16"), d("2023-04-16"), d("2023-05-15"))]
    first, second = one(r, 10, 0), one(r, 10, 1)
    assert (first.cpf, first.kpf) == (F(2, 3), F(1, 2))
    assert (second.cpf, second.kpf) == (F(2, 3), F(1))
    assert round(float(first.cpf), 7) == 0.6666667
    assert close(first.billable_sq, F(100, 3))               # 33.333… (printed "33")
    assert close(second.billable_sq, F(200, 3))              # 66.666… (printed "67")
    assert first.billable_sq + second.billable_sq == 100     # type: ignore[operator]
    assert (first.amount, second.amount) == (D("1.67"), D("3.33"))


def test_pr_13_step_bounds_prorated_by_kpf() -> None:
    # assumed: CP 2023-03-17..04-30, one RV; steps 0–100 @0.05, 100–300 @0.04, 300–∞ @0.03
    lib = library([rc(10, T.SQ, uom="KWH", value="0.05", step=Step(D(0), D(100))),
                   rc(20, T.SQ, uom="KWH", value="0.04", step=Step(D(100), D(300))),
                   rc(30, T.SQ, uom="KWH", value="0.03", step=Step(D(300)))])
    r = run(lib, LONG, kwh(500))
    assert len(r.headers) == 1
    got = [(x.step_low, x.step_high, x.billable_sq, x.amount)
           for x in (one(r, 10), one(r, 20), one(r, 30))]
    assert got == [(0, 150, 150, D("7.50")), (150, 450, 300, D("12.00")),
                   (450, None, 50, D("1.50"))]
    # the factors the lines used: KPF 45/30 on the bounds, CPF 30/45 × KPF on the quantity
    for seq in (10, 20, 30):
        assert (one(r, seq).cpf, one(r, seq).kpf) == (F(30, 45), F(45, 30)), seq


def test_pr_14_measures_peak_quantity_is_not_prorated() -> None:
    # assumed: RC20 SQ KW @2.00, measures peak, in both versions of PR-12
    r = run(_pr12_library(rc(20, T.SQ, uom="KW", value="2.00", measures_peak=True)),
            PR12, kwh(100), kwh(20, "KW"))
    first, second = one(r, 20, 0), one(r, 20, 1)
    assert (first.billable_sq, second.billable_sq) == (20, 20)
    assert (first.measures_peak, second.measures_peak) == (True, True)
    assert (first.cpf, first.kpf, second.kpf) == (1, F(1, 2), 1)
    assert (first.value_defined, first.value_applied) == (D("2.00"), D("1.00"))
    assert (second.value_defined, second.value_applied) == (D("2.00"), D("2.00"))
    assert (first.amount, second.amount) == (D("20.00"), D("40.00"))


def _rx11() -> RateLibrary:
    """RX-11 (spec/30 §11) with STTAX 6 % and COUNTYTAX 0.001 per kWh (assumed, §11)."""
    return library(
        [rc(10, T.FLAT, value="10.00"),
         rc(20, T.SQ, uom="KW", value="1.0", fcpo=True, result_type=FcpoResultType.UNIT_RATE,
            precision="0.00001", create_bill_line=True, fcpo_retention=FcpoRetention.RETAIN,
            print=False),
         rc(30, T.SQ, uom="KWH", value="0.0673", step=Step(D(0), D(10)), step_rc=20),
         rc(40, T.SQ, uom="KWH", value="0.032", step=Step(D(10)), step_rc=20),
         rc(50, T.SUMMARY, xrefs=(30, 40)),
         rc(60, T.APPLY_TO, value_source=BF, bill_factor="STTAX", xrefs=(10, 30, 40)),
         rc(70, T.APPLY_TO, value_type=ValueType.UNIT_RATE, value_source=BF,
            bill_factor="COUNTYTAX", xrefs=(30, 40))],
        bill_factors=[bill_factor("STTAX", {"N/A": [(date(2000, 1, 1), "6.000")]},
                                  value_type=ValueType.PERCENT),
                      bill_factor("COUNTYTAX", {"N/A": [(date(2000, 1, 1), "0.00100")]},
                                  value_type=ValueType.UNIT_RATE)])


def test_pr_15_step_multiplier_disables_step_proration() -> None:
    # RX-11b: 45-day bill, one RV, 1500 kWh, 20 kW
    r = run(_rx11(), LONG, kwh(1500), kwh(20, "KW"))
    assert len(r.headers) == 1
    rc20 = one(r, 20)
    assert (rc20.billable_sq, rc20.value_applied, rc20.amount) == (20, D("1.5"), D("30.00"))
    rc30, rc40 = one(r, 30), one(r, 40)
    assert (rc30.step_low, rc30.step_high, rc30.billable_sq) == (0, 300, 300)   # not 0–450
    assert (rc40.step_low, rc40.step_high, rc40.billable_sq) == (300, None, 1200)
    assert [(x.rc_seq, x.amount) for x in r.lines] == [
        (10, D("15.00")), (20, D("30.00")), (30, D("20.19")), (40, D("38.40")),
        (50, D("58.59")), (60, D("4.42")), (70, D("1.50"))]
    assert r.total == D("79.51")


# == §5 value proration ========================================================================
def test_pr_16_peak_unit_rate_prorated_by_kpf() -> None:
    assert period_factors(MONTHLY, 15, 15).cpf == 2
    r = run(library([rc(10, T.SQ, uom="KW", value="2.00")]), (d("2023-04-01"), d("2023-04-15")),
            kwh(50, "KW"))
    line = one(r, 10)
    assert line.measures_peak
    assert (line.billable_sq, line.value_applied, line.amount) == (50, D("1.00"), D("50.00"))
    assert (line.cpf, line.kpf) == (1, F(1, 2))


# == §6 bill-factor value proration ============================================================
def test_pr_17_bill_factor_value_proration_of_a_tax() -> None:
    r = run(_tax_rate("200.00", (RV1, "6"), (d("2023-04-16"), "6.5")), APRIL)
    assert calc_periods(r) == [(date(1990, 1, 1), *APRIL)]
    first, second = lines_of(r, 20)
    assert dates(first) == (d("2023-04-01"), d("2023-04-15"))
    assert dates(second) == (d("2023-04-16"), d("2023-04-30"))
    assert (first.bff, second.bff) == (F(1, 2), F(1, 2))
    assert (first.value_defined, first.value_applied) == (6, 3)
    assert (second.value_defined, second.value_applied) == (D("6.5"), D("3.25"))
    assert (first.base_amount, second.base_amount) == (D("200.00"), D("200.00"))
    assert (first.amount, second.amount) == (D("6.00"), D("6.50"))


def test_pr_18_tax_exemption_proration() -> None:
    lib = _tax_rate("100.00", (RV1, "6"), tax_exemption=True)
    sa = ServiceAgreement("SA1", tax_exemptions=(TaxExemption("STTAX", d("2023-04-16"), D(50)),))
    r = run(lib, APRIL, agreement=sa)
    first, second = lines_of(r, 20)
    assert dates(first) == (d("2023-04-01"), d("2023-04-15"))
    assert dates(second) == (d("2023-04-16"), d("2023-04-30"))
    assert (first.bff, second.bff) == (F(1, 2), F(1, 2))
    assert (first.value_applied, second.value_applied) == (3, 3)
    assert first.amount == D("3.00")
    assert (first.exempt_amount or D(0)) == 0                # no exemption before 04-16
    assert (second.exempt_amount, second.amount) == (D("1.50"), D("1.50"))
    assert first.amount + second.amount == D("4.50")


def _kwhcust(**bf_kw: Any) -> RateLibrary:
    """RX-10's KWHCUST (UNIT_RATE, value in contract, standard value 0.09 assumed); RC10 SQ."""
    return library([rc(10, T.SQ, uom="KWH", value_source=BF, bill_factor="KWHCUST")],
                   bill_factors=[bill_factor("KWHCUST", {"N/A": [(date(2000, 1, 1), "0.09")]},
                                             value_type=ValueType.UNIT_RATE,
                                             value_in_contract_term=True,
                                             error_if_no_value=True, **bf_kw)])


def test_pr_19_contract_value_proration() -> None:
    # contract 0.08 (assumed effective 2023-01-01) until 04-15, 0.07 from 04-16
    sa = ServiceAgreement("SA1", contract_values=(
        ContractValue("KWHCUST", RV1, D("0.08")), ContractValue("KWHCUST", d("2023-04-16"),
                                                                D("0.07"))))
    r = run(_kwhcust(), APRIL, kwh(1000), agreement=sa)
    first, second = lines_of(r, 10)
    assert dates(first) == (d("2023-04-01"), d("2023-04-15"))
    assert dates(second) == (d("2023-04-16"), d("2023-04-30"))
    assert (first.bff, second.bff) == (F(1, 2), F(1, 2))
    assert (first.billable_sq, second.billable_sq) == (1000, 1000)
    assert (first.value_defined, first.value_applied) == (D("0.08"), D("0.04"))
    assert (second.value_defined, second.value_applied) == (D("0.07"), D("0.035"))
    assert (first.amount, second.amount) == (D("40.00"), D("35.00"))
    # not proratable, rate selection date = bill end date: one line at 0.07
    r = run(_kwhcust(allow_proration=False, rate_selection_date="BILL_END_DATE"), APRIL,
            kwh(1000), agreement=sa)
    line = one(r, 10)
    assert (dates(line), line.bff, line.value_applied, line.amount) == (
        APRIL, 1, D("0.07"), D("70.00"))


def _rx09(**bf_kw: Any) -> RateLibrary:
    """RX-09's fixture rate: RC10 Flat 8.00; RC20 SQ KWH 0.10; RC30 Apply To PERCENT EMPDISC."""
    return library([rc(10, T.FLAT, value="8.00"), rc(20, T.SQ, uom="KWH", value="0.10"),
                    rc(30, T.APPLY_TO, value_source=BF, bill_factor="EMPDISC", xrefs=(10, 20))],
                   bill_factors=[bill_factor("EMPDISC", {"N/A": [(date(2000, 1, 1), "-25")]},
                                             value_type=ValueType.PERCENT,
                                             contract_rider_applicability=True, **bf_kw)])


def test_pr_20_contract_rider_proration() -> None:
    sa = ServiceAgreement("SA1", contract_riders=(ContractRider("EMPDISC", d("2023-04-16")),))
    # (a) proratable: one line for 04-16..04-30 at −25 % × 1/2, none for 04-01..04-15
    r = run(_rx09(), APRIL, kwh(500), agreement=sa)
    line = one(r, 30)
    assert dates(line) == (d("2023-04-16"), d("2023-04-30"))
    assert (line.bff, line.value_applied, line.base_amount) == (F(1, 2), D("-12.5"), D("58.00"))
    assert line.amount == D("-7.25")
    # (b) not proratable, selection date = bill end date
    r = run(_rx09(allow_proration=False, rate_selection_date="BILL_END_DATE"), APRIL, kwh(500),
            agreement=sa)
    line = one(r, 30)
    assert (line.bff, line.value_applied, line.amount) == (1, D("-25"), D("-14.50"))
    # (c) not proratable, selection date = bill start date: the component is skipped
    r = run(_rx09(allow_proration=False, rate_selection_date="BILL_START_DATE"), APRIL,
            kwh(500), agreement=sa)
    assert lines_of(r, 30) == []
    assert r.total == D("58.00")


# == §8 worked example E-COM1 ==================================================================
def test_pr_21_ecom1_prorated_bill_calculation_lines() -> None:
    lib = library(
        versions=[rv(RV1, rc(10, T.SQ, uom="KWH", value="0.05"),
                     rc(20, T.SQ, uom="KW", value="1.00")),
                  rv(d("2023-04-01"),
                     rc(10, T.SQ, uom="KWH", value_source=BF, bill_factor="ECOM-KWH"),
                     rc(20, T.SQ, uom="KW", value_source=BF, bill_factor="ECOM-KW"))],
        bill_factors=[
            bill_factor("ECOM-KWH", {"N/A": [(RV1, "0.04"), (d("2023-04-16"), "0.07")]},
                        value_type=ValueType.UNIT_RATE),
            bill_factor("ECOM-KW", {"N/A": [(RV1, "1.50"), (d("2023-04-16"), "1.25")]},
                        value_type=ValueType.UNIT_RATE)])
    r = run(lib, LONG, kwh(1200), kwh(20, "KW"))
    assert calc_periods(r) == [(RV1, d("2023-03-17"), d("2023-03-31")),
                               (d("2023-04-01"), d("2023-04-01"), d("2023-04-30"))]
    got = [(h, x.rc_seq, dates(x), x.billable_sq, x.value_defined, x.value_applied,
            x.cpf, x.kpf, x.bff, x.amount)
           for h, header in enumerate(r.headers) for x in header.lines]
    mar, apr1, apr2 = (LONG[0], d("2023-03-31")), (APRIL[0], d("2023-04-15")), \
        (d("2023-04-16"), APRIL[1])
    half = F(1, 2)
    assert got == [
        (0, 10, mar, 400, D("0.05"), D("0.05"), F(2, 3), half, 1, D("20.00")),
        (0, 20, mar, 20, D("1.00"), D("0.50"), 1, half, 1, D("10.00")),
        (1, 10, apr1, 800, D("0.04"), D("0.02"), F(2, 3), 1, half, D("16.00")),
        (1, 10, apr2, 800, D("0.07"), D("0.035"), F(2, 3), 1, half, D("28.00")),
        (1, 20, apr1, 20, D("1.50"), D("0.75"), 1, 1, half, D("15.00")),
        (1, 20, apr2, 20, D("1.25"), D("0.625"), 1, 1, half, D("12.50")),
    ]
    assert all(x.normal_days == 30 for x in r.lines)
    assert [h.amount for h in r.headers] == [D("30.00"), D("71.50")]
    assert r.total == D("101.50")


# == §9 seasonal proration =====================================================================
def test_pr_22_seasonal_prorate() -> None:
    spring, rest = ((1, 1), (4, 15)), ((4, 16), (12, 31))
    P = SeasonalMethod.PRORATE
    lib = library([rc(10, T.SQ, uom="KWH", value="0.05", season=Season(*spring, P)),
                   rc(20, T.SQ, uom="KW", value="0.75", season=Season(*spring, P)),
                   rc(30, T.SQ, uom="KWH", value="0.06", season=Season(*rest, P)),
                   rc(40, T.SQ, uom="KW", value="0.80", season=Season(*rest, P))])
    r = run(lib, APRIL, kwh(600), kwh(50, "KW"))
    got = {x.rc_seq: (x.sf, x.billable_sq, x.value_applied, x.amount) for x in r.lines}
    half = F(1, 2)
    assert got == {10: (half, 300, D("0.05"), D("15.00")),
                   20: (half, 50, D("0.375"), D("18.75")),
                   30: (half, 300, D("0.06"), D("18.00")),
                   40: (half, 50, D("0.40"), D("20.00"))}
    assert r.total == D("71.75")


def test_pr_23_prorate_seasonal_sq() -> None:
    summer, winter = ((6, 21), (9, 18)), ((9, 19), (6, 20))
    S = SeasonalMethod.PRORATE_SEASONAL_SQ
    summer_rc = rc(10, T.SQ, uom="KWH", tou="SUMMER", value="0.06", season=Season(*summer, S))

    def winter_rc(seq: int) -> object:
        return rc(seq, T.SQ, uom="KWH", tou="WINTER", value="0.05", season=Season(*winter, S))

    lib = library(versions=[rv(RV1, summer_rc, winter_rc(20)), rv(d("2023-10-01"), winter_rc(10))])
    lib = replace(lib, tous={**TOUS, "SUMMER": TimeOfUse("SUMMER", "Summer"),
                             "WINTER": TimeOfUse("WINTER", "Winter")})
    r = run(lib, (d("2023-09-02"), d("2023-10-30")), kwh(800, tou="SUMMER"),
            kwh(1600, tou="WINTER"))
    assert calc_periods(r) == [(RV1, d("2023-09-02"), d("2023-09-30")),
                               (d("2023-10-01"), d("2023-10-01"), d("2023-10-30"))]
    sum1, win1, win2 = one(r, 10, 0), one(r, 20, 0), one(r, 10, 1)
    # amounts (the assertions of spec/30 §9.4)
    assert (sum1.amount, win1.amount, win2.amount) == (D("48.00"), D("22.86"), D("57.14"))
    assert r.total == D("128.00")
    assert sum1.billable_sq == 800
    assert close(win1.billable_sq, F(1600 * 12, 42))         # 457.142857…
    assert close(win2.billable_sq, F(1600 * 30, 42))         # 1142.857142…
    # factors by inclusive counting: C = 59, d1 = 29, d2 = 30
    cpf = F(30, 59)
    f1, f2 = period_factors(MONTHLY, 59, 29), period_factors(MONTHLY, 59, 30)
    assert (f1.cpf, f1.kpf, f2.cpf, f2.kpf) == (cpf, F(29, 30), cpf, 1)
    assert (win1.cpf, win1.kpf, win1.sf, win1.msf) == (cpf, F(29, 30), F(12, 29),
                                                       F(59, 42) * F(12, 29))
    assert (win2.cpf, win2.kpf, win2.sf, win2.msf) == (cpf, 1, 1, F(59, 42))
    # the summer line used CPF 30/59 and KPF 29/30 too (× MSF 59/29, the product is 1)
    assert (sum1.cpf, sum1.kpf, sum1.sf, sum1.msf) == (cpf, F(29, 30), F(17, 29), F(59, 29))


# == §10 interval quantities ===================================================================
def test_pr_24_tou_pricing_of_interval_data_splits_at_the_price_change() -> None:
    onoff = TouMap("ONOFF", "On 08:00–19:59, off the rest",
                   (TouMapPeriod(time(8), time(20), "ON"), TouMapPeriod(time(20), time(8), "OFF")))
    price = BillFactor(
        "TOUPRICE", "TOU price", "N/A", type=BillFactorType.TOU, value_type=ValueType.UNIT_RATE,
        characteristics={"N/A": BillFactorCharacteristic("N/A", tou_values=(
            BillFactorTouValue("G2", RV1, {"ON": D("0.20"), "OFF": D("0.10")}),
            BillFactorTouValue("G2", d("2023-06-02"), {"ON": D("0.25"), "OFF": D("0.12")})))})
    lib = library([rc(10, T.TOU_PRICING, uom="KWH", tou_map="ONOFF", value_source=BF,
                      bill_factor="TOUPRICE", value_type=ValueType.UNIT_RATE)],
                  bill_factors=[price])
    lib = replace(lib, tou_maps={"ONOFF": onoff})
    first = datetime(2023, 6, 1)
    intervals = [IntervalQuantity("KWH", first + timedelta(hours=h), D(1)) for h in range(48)]
    r = run(lib, (d("2023-06-01"), d("2023-06-02")), intervals=intervals)
    day1, day2 = (d("2023-06-01"),) * 2, (d("2023-06-02"),) * 2
    got = sorted((dates(x), x.tou, x.billable_sq, x.value_applied, x.amount)
                 for x in lines_of(r, 10))
    assert got == sorted([(day1, "ON", 12, D("0.20"), D("2.40")),
                          (day1, "OFF", 12, D("0.10"), D("1.20")),
                          (day2, "ON", 12, D("0.25"), D("3.00")),
                          (day2, "OFF", 12, D("0.12"), D("1.44"))])
    assert all((x.cpf, x.kpf, x.bff) == (1, 1, 1) for x in r.lines)
    assert r.total == D("8.04")


# == §12.3 a site calculation algorithm ========================================================
def test_custom_calculation_algorithm_lines_appear_and_feed_later_components() -> None:
    seen: list[tuple[Decimal | None, Fraction, Fraction]] = []

    def demo(rc_: object, ctx: object, calc: CalcState, sq: Decimal) -> CalcOutput:
        """Energy at 0.10 per kWh, prorated as a non-peak quantity, plus a 2.00 fee."""
        f = calc.factors
        seen.append((sq, f.cpf, f.kpf))
        q = sq * f.cpf.numerator * f.kpf.numerator / (f.cpf.denominator * f.kpf.denominator)
        energy = (q * D("0.10")).quantize(D("0.01"))
        return CalcOutput([LineDraft(energy, calc.start, calc.end, quantity=q,
                                     sq_key=("KWH", None, None), value_applied=D("0.10")),
                           LineDraft(D("2.00"), calc.start, calc.end)], energy + D("2.00"))

    register_calculation_algorithm("X-DEMO", description="demo")(demo)
    try:
        lib = library([rc(10, T.CALC_ALG, uom="KWH", calc_algorithm=AlgorithmRef("X-DEMO")),
                       rc(20, T.APPLY_TO, value="10", xrefs=(10,))])
        r = run(lib, APRIL, kwh(500))
        assert seen == [(D(500), 1, 1)]
        assert [(x.rc_seq, x.billable_sq, x.amount) for x in r.lines] == [
            (10, D(500), D("50.00")), (10, None, D("2.00")), (20, None, D("5.20"))]
        assert one(r, 20).base_amount == D("52.00")         # the algorithm's value
        assert r.total == D("57.20")
        # two versions: the algorithm runs once per calculation period with its factors
        seen.clear()
        comps = lib.rate_schedules["TEST"].versions[0].components
        two = library(versions=[rv(RV1, *comps), rv(d("2023-04-01"), *comps)])
        r = run(two, LONG, kwh(900))
        assert seen == [(D(900), F(2, 3), F(1, 2)), (D(900), F(2, 3), F(1))]
        assert [x.amount for x in lines_of(r, 10)] == [D("30.00"), D("2.00"), D("60.00"),
                                                       D("2.00")]
    finally:
        REGISTRY.unregister(CALCULATION, "X-DEMO")
    assert not REGISTRY.has(CALCULATION, "X-DEMO")


def test_custom_calculation_algorithm_must_be_registered() -> None:
    with pytest.raises(RateDefinitionError, match="X-DEMO"):
        library([rc(10, T.CALC_ALG, uom="KWH",
                    calc_algorithm=AlgorithmRef("X-DEMO"))]).compile("TEST")
