"""Property tests (hypothesis) of proration, spec/30 §2 and the invariants I1–I4 of §7:

1. splitting a bill period at any day while every price stays constant (a second rate version
   identical to the first, effective that day) changes the charges by rounding only;
2. proration shares add up to one: Σ CPF × KPF = 1 over the calculation periods (Σ KPF = 1
   within the frequency's tolerance, C/N outside it), and Σ BFF over the value periods of a
   calculation period = 1 when the bill factor applies throughout (I1, I2, I3);
3. a bill factor value change on the first day of the period behaves as if the old value never
   applied;
4. a measures-peak quantity is identical in every calculation period (I4).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.rates import (
    CalcLine,
    ComponentType,
    Quantity,
    RateCheckResult,
    RateLibrary,
    RateVersion,
    RateVersionStatus,
    ServiceAgreement,
    Step,
    ValueSource,
    ValueType,
    check_rate,
)
from app.engine.rates.proration import needs_proration, normal_days, period_factors

from .builders import MONTHLY, bill_factor, library, rc

D = Decimal
T = ComponentType
BF = ValueSource.BILL_FACTOR
EARLY = date(2000, 1, 1)
CENT = D("0.01")
EPSILON = Fraction(1, 10**20)
N = normal_days(MONTHLY)

starts = st.dates(min_value=date(2022, 1, 1), max_value=date(2024, 12, 31))
kwh_st = st.decimals(min_value=D(0), max_value=D(5000), places=2)
kw_st = st.decimals(min_value=D(0), max_value=D(300), places=1)


# -- helpers ---------------------------------------------------------------------------------
def days(start: date, end: date) -> int:
    return (end - start).days + 1


def versions(components: tuple[object, ...], cuts: list[date]) -> list[RateVersion]:
    """The same components in a version effective long ago and one effective on each cut."""
    return [RateVersion(eff, RateVersionStatus.FINISHED, components)  # type: ignore[arg-type]
            for eff in [EARLY, *sorted(cuts)]]


def kwh(q: Decimal, uom: str = "KWH") -> Quantity:
    return Quantity(uom, q)


def check(lib: RateLibrary, start: date, end: date, *quantities: Quantity,
          **kw: object) -> RateCheckResult:
    return check_rate(lib.compile("TEST"), start=start, end=end, quantities=list(quantities),
                      **kw)  # type: ignore[arg-type]


def of(result: RateCheckResult, rc_seq: int) -> list[list[CalcLine]]:
    """The lines of one component, per header."""
    return [[x for x in h.lines if x.rc_seq == rc_seq] for h in result.headers]


def assert_partition(pieces: list[tuple[date, date]], start: date, end: date) -> None:
    """``pieces`` cover [start, end] in order, without gaps or overlaps."""
    assert pieces[0][0] == start and pieces[-1][1] == end
    for (_, e), (s, _) in zip(pieces, pieces[1:], strict=False):
        assert s == e + timedelta(days=1)


def quantity(line: CalcLine) -> Decimal:
    assert line.billable_sq is not None
    return line.billable_sq


def in_total(result: RateCheckResult) -> list[CalcLine]:
    return [x for x in result.lines if x.in_total]


@st.composite
def period_with_cuts(draw: st.DrawFn, max_days: int = 120, max_cuts: int = 3,
                     min_cuts: int = 0) -> tuple[date, date, list[date]]:
    """A bill period and 0..max_cuts rate version effective dates inside it (after its start)."""
    start = draw(starts)
    c = draw(st.integers(min_value=max(1, min_cuts + 1), max_value=max_days))
    end = start + timedelta(days=c - 1)
    offsets = draw(st.sets(st.integers(min_value=1, max_value=max(1, c - 1)),
                           min_size=min_cuts, max_size=max_cuts)) if c > 1 else set()
    return start, end, [start + timedelta(days=k) for k in sorted(offsets)]


# -- 1. splitting at a day with constant prices changes nothing but rounding ------------------
CONSTANT = (
    rc(10, T.FLAT, value="12.34"),
    rc(20, T.SQ, uom="KWH", value="0.0731"),
    rc(30, T.SQ, uom="KWH", value="0.05", step=Step(D(0), D(250))),
    rc(40, T.SQ, uom="KWH", value="0.04", step=Step(D(250))),
    rc(50, T.SQ, uom="KW", value="3.17"),                                  # measures peak
    rc(60, T.SQ, uom="KWH", value_source=BF, bill_factor="RIDER"),         # constant BF value
    rc(70, T.SUMMARY, xrefs=(20, 30, 40)),
    rc(80, T.APPLY_TO, value="6", xrefs=(10, 20, 30, 40, 50, 60)),
    rc(90, T.APPLY_TO, value_type=ValueType.UNIT_RATE, value="0.001", xrefs=(20,)),
)
RIDER = bill_factor("RIDER", {"N/A": [(EARLY, "0.0025")]}, value_type=ValueType.UNIT_RATE)


@settings(max_examples=80, deadline=None)
@given(period_with_cuts(max_days=75, max_cuts=1, min_cuts=1), kwh_st, kw_st)
def test_splitting_the_period_with_constant_prices_changes_only_rounding(
        period: tuple[date, date, list[date]], q_kwh: Decimal, q_kw: Decimal) -> None:
    start, end, cuts = period
    quantities = (kwh(q_kwh), kwh(q_kw, "KW"))
    whole = check(library(versions=versions(CONSTANT, []), bill_factors=[RIDER]),
                  start, end, *quantities)
    split = check(library(versions=versions(CONSTANT, cuts), bill_factors=[RIDER]),
                  start, end, *quantities)
    assert [(h.start_date, h.end_date) for h in whole.headers] == [(start, end)]
    assert [(h.start_date, h.end_date) for h in split.headers] == [
        (start, cuts[0] - timedelta(days=1)), (cuts[0], end)]
    tolerance = CENT * len(in_total(split))
    assert abs(split.total - whole.total) <= tolerance, (whole.total, split.total, tolerance)
    # I1: the non-peak quantity is shared out, never created or lost
    [[unsplit]] = of(whole, 20)
    shares = [quantity(x) for [x] in of(split, 20)]
    assert abs(Fraction(sum(shares, D(0))) - Fraction(quantity(unsplit))) < EPSILON
    assert abs(Fraction(quantity(unsplit)) - Fraction(q_kwh)) < EPSILON
    # the unrounded charges agree exactly: Σ quantity × applied value per component
    for seq in (10, 20, 30, 40, 50, 60):
        def exact(result: RateCheckResult, seq: int = seq) -> Fraction:
            total = Fraction(0)
            for x in result.lines:
                if x.rc_seq == seq:
                    assert x.value_applied is not None
                    v = Fraction(x.value_applied)
                    total += v if x.billable_sq is None else v * Fraction(x.billable_sq)
            return total
        assert abs(exact(split) - exact(whole)) < Fraction(1, 10**15), seq


# -- 2. proration shares add up to one -------------------------------------------------------
@settings(max_examples=80, deadline=None)
@given(period_with_cuts(max_days=120, max_cuts=4), kwh_st)
def test_cpf_times_kpf_adds_up_to_one_over_the_calculation_periods(
        period: tuple[date, date, list[date]], q: Decimal) -> None:
    start, end, cuts = period
    c = days(start, end)
    comps = (rc(10, T.FLAT, value="30.00"), rc(20, T.SQ, uom="KWH", value="0.10"))
    r = check(library(versions=versions(comps, cuts)), start, end, kwh(q))
    spans = [(h.start_date, h.end_date) for h in r.headers]
    assert len(spans) == len(cuts) + 1
    assert_partition(spans, start, end)
    factors = [period_factors(MONTHLY, c, days(s, e)) for s, e in spans]
    assert sum(f.cpf * f.kpf for f in factors) == 1
    assert sum(f.kpf for f in factors) == (Fraction(c, N) if needs_proration(c, MONTHLY) else 1)
    for f, [flat], [sq] in zip(factors, of(r, 10), of(r, 20), strict=True):
        assert flat.kpf == f.kpf                          # a charge takes KPF
        assert flat.value_applied == D("30.00") * f.kpf.numerator / f.kpf.denominator
        assert sq.cpf * sq.kpf == f.cpf * f.kpf           # a non-peak quantity takes CPF × KPF
        assert sq.normal_days == N
    # I1 and I3 through the lines
    total_q = sum((quantity(sq) for [sq] in of(r, 20)), D(0))
    assert abs(Fraction(total_q) - Fraction(q)) < EPSILON
    assert sum(flat.kpf for [flat] in of(r, 10)) == sum(f.kpf for f in factors)


@st.composite
def bill_factor_changes(draw: st.DrawFn) -> tuple[date, date, list[date], list[date]]:
    start, end, cuts = draw(period_with_cuts(max_days=75, max_cuts=2))
    c = days(start, end)
    changes = draw(st.sets(st.integers(min_value=0, max_value=c - 1), max_size=5))
    return start, end, cuts, [start + timedelta(days=k) for k in sorted(changes)]


@settings(max_examples=80, deadline=None)
@given(bill_factor_changes(), kwh_st, st.booleans())
def test_bill_factor_shares_add_up_to_one_in_every_calculation_period(
        case: tuple[date, date, list[date], list[date]], q: Decimal,
        with_agreement: bool) -> None:
    start, end, cuts, changes = case
    # distinct values, the first one in effect long before the period: the factor applies
    # on every day
    values = [(EARLY, "1.00"), *[(day, str(D("1.00") + D(k + 1) / 100))
                                 for k, day in enumerate(changes)]]
    comps = (rc(10, T.FLAT, value_source=BF, bill_factor="PRICE"),
             rc(20, T.SQ, uom="KWH", value_type=ValueType.UNIT_RATE, value_source=BF,
                bill_factor="PRICE"))
    lib = library(versions=versions(comps, cuts),
                  bill_factors=[bill_factor("PRICE", {"N/A": values})])
    agreement = ServiceAgreement("SA1") if with_agreement else None
    r = check(lib, start, end, kwh(q), agreement=agreement)
    inside = set(changes)
    for h in r.headers:
        d = days(h.start_date, h.end_date)
        for seq in (10, 20):
            lines = [x for x in h.lines if x.rc_seq == seq]
            assert sum(x.bff for x in lines) == 1                           # I2
            assert_partition([(x.start_date, x.end_date) for x in lines], h.start_date,
                             h.end_date)
            for x in lines:
                assert x.bff == Fraction(days(x.start_date, x.end_date), d)
            # one value period per change inside the calculation period
            expected = 1 + sum(1 for day in inside if h.start_date < day <= h.end_date)
            assert len(lines) == expected


# -- 3. a change on the first day is as if the old value never applied ----------------------
KINDS = {
    "flat": (rc(10, T.FLAT, value_source=BF, bill_factor="PRICE"),),
    "unit rate": (rc(10, T.SQ, uom="KWH", value_type=ValueType.UNIT_RATE, value_source=BF,
                     bill_factor="PRICE"),),
    "peak unit rate": (rc(10, T.SQ, uom="KW", value_type=ValueType.UNIT_RATE, value_source=BF,
                          bill_factor="PRICE"),),
    "percent": (rc(5, T.FLAT, value="80.00"),
                rc(10, T.APPLY_TO, value_source=BF, bill_factor="PRICE", xrefs=(5,))),
}
prices = st.decimals(min_value=D("0.001"), max_value=D("20"), places=3)


@settings(max_examples=80, deadline=None)
@given(period_with_cuts(max_days=75, max_cuts=1), st.sampled_from(sorted(KINDS)), prices,
       prices, kwh_st, kw_st, st.booleans())
def test_a_value_change_on_the_first_day_is_as_if_the_old_value_never_applied(
        period: tuple[date, date, list[date]], kind: str, old: Decimal, new: Decimal,
        q_kwh: Decimal, q_kw: Decimal, with_agreement: bool) -> None:
    start, end, cuts = period
    comps = KINDS[kind]
    changed = bill_factor("PRICE", {"N/A": [(EARLY, str(old)), (start, str(new))]})
    only_new = bill_factor("PRICE", {"N/A": [(start, str(new))]})
    kw: dict[str, object] = {"agreement": ServiceAgreement("SA1")} if with_agreement else {}
    a = check(library(versions=versions(comps, cuts), bill_factors=[changed]), start, end,
              kwh(q_kwh), kwh(q_kw, "KW"), **kw)
    b = check(library(versions=versions(comps, cuts), bill_factors=[only_new]), start, end,
              kwh(q_kwh), kwh(q_kw, "KW"), **kw)
    assert a.lines == b.lines
    assert a.total == b.total
    assert all(x.value_defined == new for x in a.lines if x.rc_seq == 10)


# -- 4. I4: a measures-peak quantity is the same in every calculation period -----------------
PEAK = (
    rc(10, T.SQ, uom="KW", value="2.50"),                                  # peak by its UOM
    rc(20, T.SQ, uom="KW", value="1.00", step=Step(D(0), D(50))),          # steps not prorated
    rc(30, T.SQ, uom="KW", value="1.50", step=Step(D(50))),
    rc(40, T.SQ, uom="KWH", value="0.01", measures_peak=True),             # peak by the flag
)


@settings(max_examples=80, deadline=None)
@given(period_with_cuts(max_days=120, max_cuts=3), kw_st, kwh_st)
def test_a_measures_peak_quantity_is_identical_in_every_calculation_period(
        period: tuple[date, date, list[date]], q_kw: Decimal, q_kwh: Decimal) -> None:
    start, end, cuts = period
    r = check(library(versions=versions(PEAK, cuts)), start, end, kwh(q_kwh), kwh(q_kw, "KW"))
    assert len(r.headers) == len(cuts) + 1
    expected = {10: (q_kw, None, None), 20: (min(q_kw, D(50)), D(0), D(50)),
                30: (max(q_kw - 50, D(0)), D(50), None), 40: (q_kwh, None, None)}
    c = days(start, end)
    for h in r.headers:
        kpf = period_factors(MONTHLY, c, days(h.start_date, h.end_date)).kpf
        for seq, (q, low, high) in expected.items():
            [x] = [x for x in h.lines if x.rc_seq == seq]
            assert x.measures_peak
            assert (x.billable_sq, x.step_low, x.step_high) == (q, low, high), seq
            assert x.cpf == 1 and x.kpf == kpf                # the price takes KPF instead
    for seq in expected:
        assert len({x.billable_sq for x in r.lines if x.rc_seq == seq}) == 1
