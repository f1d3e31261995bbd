"""Built-in value and calculation algorithms named by spec/20 §6.12."""

from __future__ import annotations

from decimal import Decimal

from .charges import CalcOutput, CalcState
from .context import RatingContext, days_in
from .enums import BillFactorType, RoundingMethod
from .errors import BillingError, RateDefinitionError
from .plugins import ParamSpec, register_calculation_algorithm, register_value_algorithm
from .rounding import round_to
from .schedules import RateComponent

ZERO = Decimal(0)


@register_value_algorithm(
    "RCVL-RNDXREF", builtin=True, prorated=True,
    params=(ParamSpec("inc", "decimal"), ParamSpec("method", "code", required=False)),
    description="Adds up the cross-referenced components and rounds the sum (by default up) "
                "to an increment: the target of an EXACT component for rounding at the end")
def round_cross_references(rc: RateComponent, ctx: RatingContext,
                           calc: CalcState) -> Decimal | None:
    params = rc.value_algorithm.params if rc.value_algorithm else {}
    try:
        inc = Decimal(params.get("inc", "0.05"))
        method = RoundingMethod(params.get("method", "UP"))
    except Exception as exc:  # noqa: BLE001 - turned into a definition error
        raise RateDefinitionError(
            f"component {rc.sequence}: RCVL-RNDXREF needs inc (a decimal) and method "
            f"(UP, DOWN or NEAREST): {exc}") from None
    total = ZERO
    for x in rc.xrefs:
        r = calc.results.get(x)
        if r is not None and r.calculated and r.value is not None:
            total += r.value
    return round_to(total, inc, method)


@register_calculation_algorithm(
    "C1-RC-CLAMT", builtin=True,
    params=(ParamSpec("char_type", "char_type", required=False),
            ParamSpec("char_value", "char_value", required=False)),
    description="Adds up the amounts of lines made by earlier components and rate schedules "
                "(summary and calculation-only lines left out), optionally only lines whose "
                "component carries a characteristic")
def sum_earlier_lines(rc: RateComponent, ctx: RatingContext, calc: CalcState,
                      sq: Decimal | None) -> CalcOutput:
    """D-21/D-22: counts lines in the total (not SUMMARY, not FCPO) of earlier headers and of
    this calculation period. A line from another period counts for the days it shares with
    this calculation period (all of it when the periods line up)."""
    params = rc.calc_algorithm.params if rc.calc_algorithm else {}
    char_type = params.get("char_type")
    char_value = params.get("char_value")
    total = ZERO
    for line in [*calc.earlier_lines, *calc.lines]:
        if not line.in_total:
            continue
        if char_type and not any(t == char_type and (char_value is None or v == char_value)
                                 for t, v in line.characteristics):
            continue
        s, e = max(line.start_date, calc.start), min(line.end_date, calc.end)
        if s > e:
            continue
        share_days, line_days = days_in(s, e), days_in(line.start_date, line.end_date)
        total += line.amount if share_days == line_days else \
            line.amount * share_days / line_days
    return CalcOutput([], total)


@register_value_algorithm(
    "PX VALUE", builtin=True, params=(ParamSpec("bill_factor", "bill_factor"),),
    description="Weighted average price from interval value sets keyed by bill-end week "
                "(set) and bill-start week (value) (spec/30 RX-08)")
def weighted_average_price(rc: RateComponent, ctx: RatingContext,
                           calc: CalcState) -> Decimal | None:
    """D13: the set is the first complete set dated on or after the bill's last day; the value
    is that set's latest value keyed on or before the bill's first day."""
    params = rc.value_algorithm.params if rc.value_algorithm else {}
    code = params.get("bill_factor")
    if not code:
        raise RateDefinitionError(
            f"component {rc.sequence}: value algorithm PX VALUE needs a bill_factor parameter")
    bf = ctx.bill_factor(code)
    if bf.type is not BillFactorType.INTERVAL:
        raise RateDefinitionError(f"component {rc.sequence}: PX VALUE needs an INTERVAL bill "
                                  f"factor; {code} is {bf.type.value}")
    cv = ctx.bill_factor_char_value(bf, ctx.start)
    bfc = bf.characteristic(cv)
    sets = sorted((s for s in (bfc.interval_sets if bfc else ())
                   if s.complete and s.set_at.date() >= ctx.end), key=lambda s: s.set_at)
    value = None
    if sets:
        keyed = [iv for iv in sets[0].values if iv.at.date() <= ctx.start]
        if keyed:
            value = max(keyed, key=lambda iv: iv.at).value
    if value is None and bf.error_if_no_value:
        raise BillingError(f"bill factor {code} has no weighted average price for "
                           f"{bf.char_type}={cv} for a bill from {ctx.start.isoformat()} to "
                           f"{ctx.end.isoformat()}")
    return value
