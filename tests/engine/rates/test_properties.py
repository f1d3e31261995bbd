"""Property tests (hypothesis) for the invariants of rating."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.rates import (
    Comparison,
    ComponentType,
    CriteriaField,
    CriterionAction,
    EligibilityCriterion,
    EligibilityGroup,
    GroupAction,
    RateVersion,
    RateVersionStatus,
    RoundingMethod,
    SqKey,
    Step,
    check_rate,
    round_to,
)

from .builders import APRIL, compiled, kwh, rc

T = ComponentType
amounts_st = st.decimals(min_value=Decimal("-100000"), max_value=Decimal("100000"), places=6,
                         allow_nan=False, allow_infinity=False)
increments = st.sampled_from([Decimal("0.01"), Decimal("0.05"), Decimal("1.00"),
                              Decimal("0.00001"), Decimal("0.25")])
methods = st.sampled_from(list(RoundingMethod))
prices = st.decimals(min_value=Decimal("0.00001"), max_value=Decimal("5"), places=5)
quantities = st.decimals(min_value=Decimal(0), max_value=Decimal("100000"), places=3)


@given(amounts_st, increments, methods)
def test_rounding_moves_an_amount_by_less_than_one_unit(x: Decimal, inc: Decimal,
                                                        method: RoundingMethod) -> None:
    r = round_to(x, inc, method)
    assert abs(r - x) < inc
    assert r % inc == 0
    if method is RoundingMethod.NEAREST:
        assert abs(r - x) <= inc / 2
    elif method is RoundingMethod.UP:
        assert r >= x
    else:
        assert r <= x


@settings(max_examples=60, deadline=None)
@given(quantities, prices, increments)
def test_every_line_is_within_one_rounding_unit_of_quantity_times_price(
        q: Decimal, price: Decimal, inc: Decimal) -> None:
    inc = max(inc, Decimal("0.01"))
    rate = compiled([rc(10, T.SQ, uom="KWH", value=price, precision=inc)])
    [line] = check_rate(rate, start=APRIL[0], end=APRIL[1], quantities=[kwh(q)]).lines
    assert abs(line.amount - q * price) < inc


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=Decimal(0), max_value=Decimal(2000), places=2),
       st.decimals(min_value=Decimal(0), max_value=Decimal(2000), places=2),
       st.sampled_from(list(Comparison)[:6]))
def test_an_ineligible_component_produces_no_line(use: Decimal, threshold: Decimal,
                                                   op: Comparison) -> None:
    group = EligibilityGroup(10, GroupAction.APPLY_RC, GroupAction.SKIP_RC, (
        EligibilityCriterion(10, CriteriaField.SQ, op, str(threshold), sq=SqKey("KWH"),
                             if_true=CriterionAction.GROUP_TRUE),))
    rate = compiled([rc(10, T.SQ, uom="KWH", value="0.10"),
                     rc(20, T.FLAT, value="5.00", eligibility=(group,))])
    r = check_rate(rate, start=APRIL[0], end=APRIL[1], quantities=[kwh(use)])
    eligible = {Comparison.GT: use > threshold, Comparison.LT: use < threshold,
                Comparison.EQ: use == threshold, Comparison.GE: use >= threshold,
                Comparison.LE: use <= threshold, Comparison.NE: use != threshold}[op]
    assert any(line.rc_seq == 20 for line in r.lines) is eligible


TIERED = [rc(10, T.SQ, uom="KWH", value="0.0382", step=Step(Decimal(0), Decimal(300))),
          rc(20, T.SQ, uom="KWH", value="0.0673", step=Step(Decimal(300), Decimal(1000))),
          rc(30, T.SQ, uom="KWH", value="0.05", step=Step(Decimal(1000), None))]


@settings(max_examples=60, deadline=None)
@given(quantities, quantities)
def test_stepped_charges_are_monotonic_in_the_quantity(a: Decimal, b: Decimal) -> None:
    rate = compiled(TIERED)
    lo, hi = sorted((a, b))
    total = [check_rate(rate, start=APRIL[0], end=APRIL[1], quantities=[kwh(q)]).total
             for q in (lo, hi)]
    assert total[0] <= total[1]


@settings(max_examples=40, deadline=None)
@given(quantities, st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=20))
def test_same_inputs_give_the_same_lines_and_quantity_is_never_lost(
        q: Decimal, start_offset: int, change_day: int) -> None:
    start = date(2023, 1, 1) + timedelta(days=start_offset)
    end = start + timedelta(days=29)
    rate = compiled(versions=[
        RateVersion(date(2000, 1, 1), RateVersionStatus.FINISHED,
                    (rc(10, T.SQ, uom="KWH", value="0.05"),)),
        RateVersion(start + timedelta(days=change_day), RateVersionStatus.FINISHED,
                    (rc(10, T.SQ, uom="KWH", value="0.06"),))])
    first = check_rate(rate, start=start, end=end, quantities=[kwh(q)])
    again = check_rate(rate, start=start, end=end, quantities=[kwh(q)])
    assert first == again
    assert len(first.headers) == 2
    # spec/30 invariant I1: the periods' prorated quantities add back up to the quantity (exact
    # to the 28 significant digits of Decimal when the share is a recurring decimal)
    assert abs(sum(line.billable_sq for line in first.lines) - q) < Decimal("1e-20")
