"""SQ rule algorithms that read the service agreement's history, payments and contract
quantities (spec/10 §5.3): S6 ``CH`` consumption history, S7 ``CQ`` contract quantity, S11
``MX`` maximum SQ and S9 ``EP`` early pay.

The plug-in contract, the shared parameter helpers and the pipeline that runs the rules are
those of :mod:`.sq_rules`; like the algorithms there, these register themselves on import
(:mod:`app.engine.rates` imports this module).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .context import RatingContext, days_in
from .controls import SqKey, SqRule
from .errors import CannotExecute, RateDefinitionError
from .plugins import register_sq_rule
from .quantities import ServiceQuantities
from .register_rules import parse_mmdd
from .sq_rules import _P, _dec, _need_key, _p, _qty, _sa, _write


# -- S6 -----------------------------------------------------------------------------------
def _months_back(day: date, n: int) -> date:
    m = day.year * 12 + day.month - 1 - n
    year, month = divmod(m, 12)
    last = (date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month + 1, min(day.day, last))


def _history_windows(ctx: RatingContext, n: int) -> list[tuple[date, date]]:
    """``n`` closed windows of one normal period each, going back from the day before the
    period. A frequency with a whole number of months per period steps by calendar months
    (EX-7), any other by ``floor(365 / periods_per_year)`` days."""
    anchor = ctx.start - timedelta(days=1)
    per_year = ctx.frequency.periods_per_year
    if 12 % per_year == 0:
        bounds = [_months_back(anchor, k * 12 // per_year) for k in range(n + 1)]
    else:
        bounds = [anchor - timedelta(days=k * (365 // per_year)) for k in range(n + 1)]
    return [(bounds[k] + timedelta(days=1), bounds[k - 1]) for k in range(1, n + 1)]


def _previous_season(ctx: RatingContext, start: tuple[int, int],
                     end: tuple[int, int]) -> tuple[date, date]:
    """The latest occurrence of the season start..end that ends before the period starts."""
    for year in range(ctx.start.year, ctx.start.year - 5, -1):
        try:
            s, e = date(year, *start), date(year + (1 if start > end else 0), *end)
        except ValueError:  # 02-29 in a common year
            continue
        if e < ctx.start:
            return s, e
    raise RateDefinitionError(f"season {start}..{end} has no previous occurrence")


@register_sq_rule("CH", params=(
    _P("Season start MM/DD", "mmdd", False), _P("Season end MM/DD", "mmdd", False),
    _P("Number of historical periods", "int", False), *_qty("Historical"),
    _P("Operator (MAX, MIN, SUM, AVG)", "code")),
    description="Consumption History", builtin=True)
def consumption_history(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S6 ``CH`` (spec/10 §5.3 ``alg_CH``, EX-7, [AMBIG-16]).

    Windows: P3 normal periods going back from the day before the period (P3 wins when both
    P3 and P1+P2 are given), or the previous occurrence of the season P1..P2. History is the
    SA's earlier segments (closed ranges) carrying quantity (P4, P5, P6).

    * Peak UOM: the values are the quantities of the segments that overlap a window, unprorated.
    * Otherwise: one value per window, Σ segment qty × overlap days / segment days. Days of
      segments outside every window are dropped. A window no segment overlaps is left out.

    OUT = MAX, MIN or SUM of the values, or AVG = SUM / days of the windows used (a daily
    average, for peak UOMs too, as the pseudo-code says). No history → CannotExecute.
    """
    key = SqKey(rule.p(4) or None, rule.p(5) or None, rule.p(6) or None)
    op = _p(rule, 7, "operator")
    if op not in ("MAX", "MIN", "SUM", "AVG"):
        raise RateDefinitionError(f"SQ rule {rule.code}: unknown operator {op!r}")
    if rule.p(3):
        windows = _history_windows(ctx, int(_dec(rule.p(3) or "", "number of periods")))
    elif rule.p(1) and rule.p(2):
        windows = [_previous_season(ctx, parse_mmdd(rule.p(1) or ""),
                                    parse_mmdd(rule.p(2) or ""))]
    else:
        raise RateDefinitionError(
            f"SQ rule {rule.code} needs P3 (number of periods) or P1 and P2 (season)")
    segs = [s for s in _sa(rule, ctx).history if key in s.quantities]

    def overlap(s_start: date, s_end: date, w: tuple[date, date]) -> int:
        return max(0, (min(s_end, w[1]) - max(s_start, w[0])).days + 1)

    values: list[Decimal] = []
    used_days = 0
    if ctx.measures_peak(key.uom):
        values = [s.quantities[key] for s in segs
                  if any(overlap(s.start, s.end, w) for w in windows)]
        used_days = sum(days_in(*w) for w in windows) if values else 0
    else:
        for w in windows:
            parts = [(s, overlap(s.start, s.end, w)) for s in segs]
            parts = [(s, d) for s, d in parts if d]
            if parts:
                values.append(sum((s.quantities[key] * d / days_in(s.start, s.end)
                                   for s, d in parts), Decimal(0)))
                used_days += days_in(*w)
    if not values:
        raise CannotExecute(f"no consumption history of {key.label()} in the history windows")
    total = sum(values, Decimal(0))
    _write(rule, sq, {"MAX": max(values), "MIN": min(values), "SUM": total,
                      "AVG": total / used_days}[op])


# -- S7, S11: contract quantities ------------------------------------------------------------
def _contract_quantities(rule: SqRule, ctx: RatingContext,
                         cq_type: str) -> list[tuple[Decimal, date, date]]:
    """(value, first day, last day) of each contract quantity of ``cq_type`` in effect during
    the period, clipped to it."""
    sa = _sa(rule, ctx)
    cqs = sorted((c for c in sa.contract_quantities if c.contract_quantity_type == cq_type),
                 key=lambda c: c.effective)
    out = []
    for i, c in enumerate(cqs):
        until = cqs[i + 1].effective - timedelta(days=1) if i + 1 < len(cqs) else date.max
        first, last = max(c.effective, ctx.start), min(until, ctx.end)
        if first <= last:
            out.append((c.value, first, last))
    if not out:
        raise CannotExecute(f"the agreement has no contract quantity {cq_type} in the period")
    return out


@register_sq_rule("CQ", params=(
    _P("Contract quantity type", "contract_qty_type"),
    _P("Proration rule (CQBD, CQED, CQMA, CQMI, CQPR)", "code")),
    description="Contract Quantity", builtin=True)
def contract_quantity(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S7 contract quantity (code ``CQ`` chosen; spec/10 §5.3 ``alg_CQ``, D-1). OUT = the SA's
    contract quantity of type P1 on the first day (CQBD) or last day (CQED), the largest
    (CQMA) or smallest (CQMI) in effect, or CQPR = Σ value × days in effect / period days (days
    with no contract quantity count as zero). A missing value → CannotExecute."""
    cqs = _contract_quantities(rule, ctx, _p(rule, 1, "contract quantity type"))
    how = _p(rule, 2, "proration rule")
    values = [v for v, _, _ in cqs]
    if how == "CQBD" or how == "CQED":
        day = ctx.start if how == "CQBD" else ctx.end
        hit = [v for v, first, last in cqs if first <= day <= last]
        if not hit:
            raise CannotExecute(f"no contract quantity {rule.p(1)} on {day.isoformat()}")
        result = hit[0]
    elif how in ("CQMA", "CQMI"):
        result = max(values) if how == "CQMA" else min(values)
    elif how == "CQPR":
        result = sum((v * days_in(f, t) for v, f, t in cqs), Decimal(0)) / ctx.bill_days
    else:
        raise RateDefinitionError(f"SQ rule {rule.code}: unknown proration rule {how!r}")
    _write(rule, sq, result)


@register_sq_rule("MX", params=(*_qty("Measured"), _P("Contract quantity type",
                                                      "contract_qty_type")),
                  description="Maximum Service Quantity", builtin=True)
def maximum_service_quantity(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S11 maximum SQ (code ``MX`` chosen; spec/10 §5.1, RX-04). OUT = max(quantity P1–P3, the
    largest contract quantity of type P4 in effect in the period ([AMBIG-11], CQMA)). No
    contract quantity → CannotExecute."""
    q = sq.read(rule, _need_key(rule, 1))
    cqs = _contract_quantities(rule, ctx, _p(rule, 4, "contract quantity type"))
    _write(rule, sq, max(q, *(v for v, _, _ in cqs)))


# -- S9 -----------------------------------------------------------------------------------
@register_sq_rule("EP", params=(
    _P("Days early characteristic type", "char_type"),
    _P("Eligible characteristic type", "char_type"),
    _P("Eligible characteristic value", "char_value")),
    description="Early Pay", builtin=True)
def early_pay(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S9 ``EP`` (spec/10 §5.3 ``alg_EP``, [AMBIG-17]). Looks at the newest prior segment's
    bill: when the balance the day before its due date is not positive and a payment was made
    from the bill date up to (not including) the due date, set ``chars[P1]`` = due date − the
    latest such payment's date, and OUT = the sum of that segment's lines whose characteristic
    P2 is P3. No prior segment, a positive balance or no payment → nothing. A prior segment
    without bill or due date → CannotExecute."""
    sa = _sa(rule, ctx)
    if not sa.history:
        return
    prev = sa.history[0]
    if prev.bill_date is None or prev.due_date is None:
        raise CannotExecute("the prior bill segment has no bill date or due date")
    balance = sa.balance_on(prev.due_date - timedelta(days=1))
    if balance is not None and balance > 0:
        return
    pays = [p for p in sa.payments if prev.bill_date <= p.paid_on < prev.due_date]
    if not pays:
        return
    ctx.chars[_p(rule, 1, "days early characteristic type")] = str(
        (prev.due_date - max(p.paid_on for p in pays)).days)
    ct, cv = _p(rule, 2, "eligible characteristic type"), _p(rule, 3, "eligible value")
    _write(rule, sq, sum((amount for amount, chars in prev.lines if (ct, cv) in chars),
                         Decimal(0)))
