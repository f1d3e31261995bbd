"""SQ rule algorithms (spec/10 §2.4, §5) and the pipeline steps that run them and round the
result (spec/10 §3.1, spec/30 §12).

Each algorithm is a plug-in ``fn(rule, sq, ctx) -> None``: it reads inputs with ``sq.read`` /
``sq.optional`` (initial or billable per ``rule.qty_to_use``), writes ``rule.output`` with
``sq.write``, sets ``ctx.chars`` or appends :class:`ToDo` to ``ctx.todos``. A missing input,
division by zero or a missing agreement → :class:`CannotExecute`; a wrong definition (blank
required parameter, unknown operator) → :class:`RateDefinitionError`. Days are those of the
closed period ``[ctx.start, ctx.end]`` counted inclusively (spec/10 §5.2, spec/30 §0.1). All
numbers are ``Decimal``; only the MA trigonometric operators go through ``float``.

The algorithms that read the agreement's history, payments and contract quantities (CH, CQ,
MX, EP) are in :mod:`.sq_rules_history`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

from .agreements import Relationship, ServiceAgreement, characteristic_on
from .context import RatingContext, ToDo
from .controls import SqKey, SqRule
from .enums import CharSource, SqRuleProcessing
from .errors import BillingError, CannotExecute, RateDefinitionError
from .plugins import REGISTRY, SQ_RULE, ParamSpec, register_sq_rule
from .quantities import ServiceQty, ServiceQuantities
from .register_rules import parse_mmdd, rule_error

__all__ = ["round_service_quantities", "run_sq_rules", "season_contains"]

_P = ParamSpec


def _qty(label: str) -> tuple[ParamSpec, ParamSpec, ParamSpec]:
    return (_P(f"{label} UOM", "uom", False), _P(f"{label} TOU", "tou", False),
            _P(f"{label} SQI", "sqi", False))


# -- helpers ----------------------------------------------------------------------------
def _p(rule: SqRule, n: int, name: str) -> str:
    v = rule.p(n)
    if not v:
        raise RateDefinitionError(
            f"SQ rule {rule.code} ({rule.algorithm}) needs parameter P{n} ({name})")
    return v


def _dec(text: str, what: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise RateDefinitionError(f"{what} {text!r} is not a number") from None


def _key(rule: SqRule, first: int) -> SqKey | None:
    """The quantity named by P(first)..P(first+2) (UOM, TOU, SQI); None when all are blank."""
    key = SqKey(rule.p(first) or None, rule.p(first + 1) or None, rule.p(first + 2) or None)
    return None if key == SqKey() else key


def _need_key(rule: SqRule, first: int) -> SqKey:
    if (key := _key(rule, first)) is None:
        raise RateDefinitionError(f"SQ rule {rule.code} needs a quantity in P{first}–P{first + 2}")
    return key


def _sa(rule: SqRule, ctx: RatingContext) -> ServiceAgreement:
    if ctx.agreement is None:
        raise CannotExecute(f"SQ rule {rule.code} needs a service agreement")
    return ctx.agreement


def _write(rule: SqRule, sq: ServiceQuantities, value: Decimal) -> None:
    if rule.output == SqKey():
        raise RateDefinitionError(f"SQ rule {rule.code} has no output UOM/TOU/SQI")
    sq.write(rule, value)


def _div(a: Decimal, b: Decimal, what: str) -> Decimal:
    if b == 0:
        raise CannotExecute(f"division by zero: {what} is zero")
    return a / b


def season_contains(day: date, start: tuple[int, int], end: tuple[int, int]) -> bool:
    """Season from ``start`` to ``end`` (both MMDD, inclusive); wraps the year end when start is
    after end. Feb 29 counts when the season holds both 02-28 and 03-01 (spec/30 D17)."""
    md = (day.month, day.day)
    return start <= md <= end if start <= end else (md >= start or md <= end)


def _relationships(sa: ServiceAgreement | None, *types: str | None) -> list[Relationship]:
    return [r for r in (sa.relationships if sa else ()) if r.relationship_type in types]


# -- S1, S2, S8, S13: characteristic rules ------------------------------------------------
@register_sq_rule("BC", params=(
    _P("SA relationship type", "code"), _P("Service type for electric", "code"),
    _P("Characteristic type", "char_type"), _P("BR dual commodity", "char_value"),
    _P("BR electric only", "char_value"), _P("RR dual commodity", "char_value"),
    _P("RR electric only", "char_value")),
    description="Bill Credits for Electric Consolidated Billing", builtin=True)
def electric_consolidated_billing_credit(rule: SqRule, sq: ServiceQuantities,
                                         ctx: RatingContext) -> None:
    """S1 ``BC`` (spec/10 §5.1). When the SA's service provider of relationship type P1 does
    consolidated billing (``billing_option`` BILL_READY or RATE_READY), set ``chars[P3]`` to
    P4/P5 (bill ready) or P6/P7 (rate ready). Dual commodity = the provider serves a service
    type other than the electric one (P2); otherwise electric only. No such provider → no
    characteristic."""
    ct, electric = _p(rule, 3, "characteristic type"), _p(rule, 2, "electric service type")
    for rel in _relationships(ctx.agreement, _p(rule, 1, "relationship type")):
        if rel.billing_option in ("BILL_READY", "RATE_READY"):
            dual = any(st != electric for st in rel.service_types)
            n = (4 if rel.billing_option == "BILL_READY" else 6) + (0 if dual else 1)
            ctx.chars[ct] = _p(rule, n, "characteristic value")
            return


@register_sq_rule("CT", params=(
    _P("Gas service type", "code"), _P("SA relationship type", "code"),
    _P("Residential customer class", "code"), _P("Characteristic type", "char_type"),
    _P("CTA credit residential", "char_value"), _P("CTA credit non-residential", "char_value")),
    description="Bill Credits for Gas Consolidated Billing", builtin=True)
def gas_consolidated_billing_credit(rule: SqRule, sq: ServiceQuantities,
                                    ctx: RatingContext) -> None:
    """S2 ``CT`` (spec/10 §5.1). When a provider of relationship type P2 that serves gas (P1
    among its service types) bills for the utility, set ``chars[P4]`` to P5 when the customer
    class is P3, else P6."""
    gas = _p(rule, 1, "gas service type")
    for rel in _relationships(ctx.agreement, _p(rule, 2, "relationship type")):
        if rel.bills_for_utility and gas in rel.service_types:
            residential = ctx.agreement is not None and (
                ctx.agreement.customer_class == _p(rule, 3, "customer class"))
            ctx.chars[_p(rule, 4, "characteristic type")] = _p(
                rule, 5 if residential else 6, "characteristic value")
            return


@register_sq_rule("CD", params=(
    _P("ESP relationship type", "code"), _P("CTA relationship type", "code"),
    _P("Characteristic type", "char_type"), _P("DA customer", "char_value"),
    _P("Non DA customer", "char_value")),
    description="Direct Access Credits", builtin=True)
def direct_access_credit(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S8 ``CD`` (spec/10 §5.1). Always sets ``chars[P3]``: P4 when the SA has a relationship
    of type P1 or P2, else P5 (also P5 when rating without an agreement)."""
    rels = _relationships(ctx.agreement, rule.p(1), rule.p(2))
    ctx.chars[_p(rule, 3, "characteristic type")] = _p(rule, 4 if rels else 5, "value")


@register_sq_rule("MS", params=(
    _P("Meter reading relationship type", "code"), _P("Service type for electric", "code"),
    _P("Characteristic type", "char_type"), _P("MDMA dual commodity", "char_value"),
    _P("MDMA electric only", "char_value")),
    description="Meter Service Credits", builtin=True)
def meter_service_credit(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S13 meter service credits (code ``MS`` chosen; spec/10 §5.1). When a provider reads the
    meter (relationship P1): ``chars[P3]`` = P4 when it reads for a service other than
    electric (P2), else P5. No such provider → no characteristic."""
    electric = _p(rule, 2, "electric service type")
    for rel in _relationships(ctx.agreement, _p(rule, 1, "relationship type")):
        dual = any(st != electric for st in rel.service_types)
        ctx.chars[_p(rule, 3, "characteristic type")] = _p(rule, 4 if dual else 5, "value")
        return


# -- S3, S14, S12, S17: counts ------------------------------------------------------------
@register_sq_rule("DY", description="Bill Days", builtin=True)
def bill_days(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S3 ``DY``: OUT = days of the consumption period (spec/10 §5.2)."""
    _write(rule, sq, Decimal(ctx.bill_days))


@register_sq_rule("NM", description="Number of Meters", builtin=True)
def number_of_meters(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S14 ``NM``: OUT = the number of service points linked to the SA (spec/10 §5.1)."""
    _write(rule, sq, Decimal(len(_sa(rule, ctx).service_points)))


@register_sq_rule("MO", params=(_P("Meter ownership relationship type", "code"),),
                  description="Meter Ownership", builtin=True)
def meter_ownership(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S12 meter ownership (code ``MO`` chosen). When the SA has a relationship of type P1
    whose provider is a third-party meter owner, OUT = the number of meters on the SA's
    service points, not multiplied by days ([AMBIG-12]). Otherwise nothing is written."""
    sa = _sa(rule, ctx)
    if any(r.third_party_owner for r in _relationships(sa, _p(rule, 1, "relationship type"))):
        _write(rule, sq, Decimal(sum(sp.meter_count for sp in sa.service_points)))


@register_sq_rule("SD", params=(_P("Season start", "mmdd"), _P("Season end", "mmdd")),
                  description="Season Days", builtin=True)
def season_days(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S17 ``SD`` (spec/10 §5.1, EX-6): OUT = the days of the consumption period inside the
    season P1..P2 (both inclusive, wraps the year end)."""
    start, end = parse_mmdd(_p(rule, 1, "season start")), parse_mmdd(_p(rule, 2, "season end"))
    _write(rule, sq, Decimal(sum(1 for d in ctx.days() if season_contains(d, start, end))))


# -- S4 -----------------------------------------------------------------------------------
@register_sq_rule("CV", params=(
    _P("Characteristic type", "char_type"), _P("Characteristic source", "code"),
    _P("Minimum value", "decimal", False)),
    description="Characteristic Value", builtin=True)
def characteristic_value(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S4 ``CV`` (spec/10 §5.3 ``alg_CV``). OUT = the numeric value of characteristic P1 on the
    period's first day: from the SA or account (P2 = SA / ACCOUNT), or the sum over the SA's
    premises (distinct premise ids of its service points; the SA's characteristic premise when
    none has one) or service points (PREMISE / SP). A value the caller entered wins. No value
    anywhere → CannotExecute; below a minimum P3 > 0 → CannotExecute."""
    ct, src = _p(rule, 1, "characteristic type"), _p(rule, 2, "characteristic source")
    minimum, day = _dec(rule.p(3) or "0", "minimum value"), ctx.start
    if src not in ("SA", "ACCOUNT", "PREMISE", "SP"):
        raise RateDefinitionError(f"SQ rule {rule.code}: unknown characteristic source {src!r}")
    if ct in ctx.input_chars or src in ("SA", "ACCOUNT"):
        raw = [ctx.characteristic(CharSource(src), ct, day)]  # the caller's value wins
    elif src == "SP":
        raw = [characteristic_on(sp.characteristics, ct, day)
               for sp in _sa(rule, ctx).service_points]
    else:
        sa = _sa(rule, ctx)
        premises = {sp.premise_id: sp.premise_characteristics
                    for sp in sa.service_points if sp.premise_id is not None}
        raw = [characteristic_on(chars, ct, day)
               for chars in list(premises.values()) or [sa.premise_characteristics]]
    found = [v for v in raw if v is not None]
    if not found:
        raise CannotExecute(f"no {src} characteristic {ct} on {day.isoformat()}")
    try:
        total = sum((Decimal(v) for v in found), Decimal(0))
    except InvalidOperation:
        raise CannotExecute(f"characteristic {ct} value {found} is not numeric") from None
    if minimum > 0 and total < minimum:
        raise CannotExecute(f"characteristic {ct} = {total} is below the minimum {minimum}")
    _write(rule, sq, total)


# -- S5 -----------------------------------------------------------------------------------
@register_sq_rule("LF", params=(
    _P("Demand UOM", "uom"), _P("Peak TOU", "tou", False), _P("Off-peak TOU", "tou", False),
    _P("Part-peak TOU", "tou", False), _P("Actual kWh UOM", "uom"),
    _P("Threshold max demand", "decimal"), _P("To Do type", "code", False),
    _P("To Do role", "code", False)),
    description="Check Load Factor", builtin=True)
def check_load_factor(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S5 ``LF`` (spec/10 §5.3 ``alg_LF``, D-4). Max demand = the largest of the P1 quantities
    with TOU P2, P4, P3 that exist (P1 without TOU when all are blank). When it exceeds P6 and
    actual kWh (P5) / (P6 × days × 24) > 1, add a To Do of type P7 (default ``LF``), role P8."""
    uom = _p(rule, 1, "demand UOM")
    tous: list[str | None] = [t for t in (rule.p(2), rule.p(4), rule.p(3)) if t] or [None]
    demands = [q for q in (sq.optional(rule, SqKey(uom, t)) for t in tous) if q is not None]
    if not demands:
        raise CannotExecute(f"SQ rule {rule.code} finds no {uom} demand quantity")
    threshold = _dec(_p(rule, 6, "threshold max demand"), "threshold")
    if max(demands) <= threshold:
        return
    calc_kwh = threshold * ctx.bill_days * 24
    ratio = _div(sq.read(rule, SqKey(_p(rule, 5, "kWh UOM"))), calc_kwh, "calculated kWh")
    if ratio > 1:
        ctx.todos.append(ToDo(rule.p(7) or "LF", rule.p(8), (
            f"Load factor check {rule.code}: max demand {max(demands)} {uom} exceeds "
            f"{threshold} and actual/calculated kWh is {ratio:.4f}")))


# -- S10 ----------------------------------------------------------------------------------
def _trig(fn: Callable[[float], float]) -> Callable[[Decimal], Decimal]:
    """A float math function as a Decimal operator (``Decimal(repr(x))`` keeps 17 digits)."""
    return lambda q: Decimal(repr(fn(float(q))))


def _checked(fn: Callable[[Decimal], Decimal], ok: Callable[[Decimal], bool],
             name: str) -> Callable[[Decimal], Decimal]:
    def op(q: Decimal) -> Decimal:
        if not ok(q):
            raise CannotExecute(f"{name}({q}) is undefined")
        return fn(q)
    return op


UNARY: dict[str, Callable[[Decimal], Decimal]] = {
    "ABS": abs, "NEGATE": lambda q: -q,
    "ROUND": lambda q: q.quantize(Decimal(1), ROUND_HALF_UP),
    "FLOOR": lambda q: q.quantize(Decimal(1), ROUND_FLOOR),
    "CEILING": lambda q: q.quantize(Decimal(1), ROUND_CEILING),
    "SIN": _trig(math.sin), "ASIN": _trig(math.asin), "COS": _trig(math.cos),
    "ACOS": _trig(math.acos), "TAN": _trig(math.tan), "ATAN": _trig(math.atan),
    "LOG": _checked(lambda q: q.ln(), lambda q: q > 0, "LOG"),
    "LOG10": _checked(lambda q: q.log10(), lambda q: q > 0, "LOG10"),
    "EXP": lambda q: q.exp(), "EXP10": lambda q: Decimal(10) ** q,
    "SQRT": _checked(lambda q: q.sqrt(), lambda q: q >= 0, "SQRT"),
}
BINARY: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: _div(a, b, "quantity 2"), "**": lambda a, b: a ** b,
    "MOD": lambda a, b: a % b if b else _div(a, b, "quantity 2"),
    "MAX": max, "MIN": min, "AVG": lambda a, b: (a + b) / 2,
    "<": lambda a, b: Decimal(a < b), "<=": lambda a, b: Decimal(a <= b),
    ">": lambda a, b: Decimal(a > b), ">=": lambda a, b: Decimal(a >= b),
    "=": lambda a, b: Decimal(a == b), "<>": lambda a, b: Decimal(a != b),
}


@register_sq_rule("MA", params=(
    *_qty("Quantity 1"), _P("Operator", "code"), *_qty("Quantity 2"),
    _P("Bill factor", "bill_factor", False), _P("Quantity 1 default", "decimal", False),
    _P("Quantity 2 default", "decimal", False)),
    description="Mathematical Functions", builtin=True)
def mathematical_function(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S10 ``MA`` (spec/10 §5.3 ``alg_MA``, D-5, [AMBIG-18]).

    Q1 = quantity P1–P3, else default P9. Q2 = the value of bill factor P8 on the period's last
    day (P8 wins over P5–P7), else quantity P5–P7, else default P10. OUT = P4(Q1[, Q2]).
    Comparisons give 1 or 0. Trigonometric operators work in radians through ``float``
    (converted back with ``Decimal(repr(x))``); LOG is natural; ROUND/FLOOR/CEILING give whole
    numbers (ROUND half up); MOD keeps the sign of Q1. A missing operand, division by zero or
    an operand outside an operator's domain → CannotExecute.
    """
    op = _p(rule, 4, "operator").strip().upper()
    if op not in UNARY and op not in BINARY:
        raise RateDefinitionError(f"SQ rule {rule.code}: unknown operator {op!r}")
    k1, k2 = _key(rule, 1), _key(rule, 5)
    q1 = sq.optional(rule, k1) if k1 else None
    if q1 is None and rule.p(9):
        q1 = _dec(rule.p(9) or "", "quantity 1 default")
    bf = rule.p(8)
    q2 = (ctx.bill_factor_value(bf, ctx.end) if bf
          else sq.optional(rule, k2) if k2 else None)
    if q2 is None and rule.p(10):
        q2 = _dec(rule.p(10) or "", "quantity 2 default")
    if q1 is None or (op not in UNARY and q2 is None):
        raise CannotExecute(f"SQ rule {rule.code}: quantity {1 if q1 is None else 2} is missing")
    try:
        result = UNARY[op](q1) if op in UNARY else BINARY[op](q1, q2)  # type: ignore[arg-type]
    except (ArithmeticError, ValueError) as e:  # decimal signals, math domain errors
        raise CannotExecute(f"{op} is undefined for {q1} and {q2}") from e
    _write(rule, sq, result)


# -- S15 ----------------------------------------------------------------------------------
_PF_PARAMS = (*_qty("kWh"), *_qty("kVARh"), _P("To Do type", "code", False),
              _P("To Do role", "code", False),
              _P("Power factor threshold percent", "decimal", False),
              _P("To Do when (ABOVE or BELOW)", "code", False))


@register_sq_rule("PE", params=_PF_PARAMS, description="Power Factor", builtin=True)
@register_sq_rule("PF", params=_PF_PARAMS, description="Power Factor", builtin=True)
def power_factor(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S15 power factor, registered as ``PF`` and as the OCR'd ``PE`` (spec/10 §5.3, D-2).

    OUT = round_half_up(cos(atan(kVARh / kWh)) × 100), computed exactly as
    100 / sqrt(1 + (kVARh / kWh)²). When P9 is given and the PF exceeds it, add a To Do of
    type P7 (default ``PF``), role P8 ([AMBIG-13], literal). P10 = ``BELOW`` makes the To Do
    fire when the PF is below P9 instead. kWh = 0 → CannotExecute.
    """
    kwh, kvarh = sq.read(rule, _need_key(rule, 1)), sq.read(rule, _need_key(rule, 4))
    ratio = _div(kvarh, kwh, "kWh")
    pf = (100 / (1 + ratio * ratio).sqrt()).quantize(Decimal(1), ROUND_HALF_UP)
    _write(rule, sq, pf)
    if rule.p(9):
        threshold = _dec(rule.p(9) or "", "power factor threshold")
        below = (rule.p(10) or "ABOVE").upper() == "BELOW"
        if (pf < threshold) if below else (pf > threshold):
            ctx.todos.append(ToDo(rule.p(7) or "PF", rule.p(8), (
                f"Power factor check {rule.code}: power factor {pf} is "
                f"{'below' if below else 'above'} {threshold}")))


# -- S16, S18, S19 ------------------------------------------------------------------------
@register_sq_rule("RP", params=(*_qty("Quantity 1"), *_qty("Quantity 2")),
                  description="Required UOM/TOU Validation", builtin=True)
def required_pair(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S16 ``RP`` ([AMBIG-14], symmetric): when exactly one of the quantities P1–P3 and
    P4–P6 is non-zero → CannotExecute. A missing entry counts as zero. Writes nothing."""
    k1, k2 = _need_key(rule, 1), _need_key(rule, 4)
    q1, q2 = sq.optional(rule, k1) or Decimal(0), sq.optional(rule, k2) or Decimal(0)
    if (q1 != 0) != (q2 != 0):
        present, absent = (k1, k2) if q1 != 0 else (k2, k1)
        raise CannotExecute(f"{present.label()} is {q1 or q2} but {absent.label()} is zero")


@register_sq_rule("SU", params=(*_qty("Normal consumption"), *_qty("Days in season"),
                                *_qty("Days in bill period")),
                  description="Seasonal Usage", builtin=True)
def seasonal_usage(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S18 ``SU`` (spec/10 §5.1, D-3): OUT = Q1 × Q2 / Q3; Q3 = 0 → CannotExecute."""
    q1, q2, q3 = (sq.read(rule, _need_key(rule, n)) for n in (1, 4, 7))
    _write(rule, sq, _div(q1 * q2, q3, "days in bill period"))


@register_sq_rule("SM", params=(*_qty("First"), *_qty("Second"), *_qty("Third")),
                  description="Sum", builtin=True)
def sum_quantities(rule: SqRule, sq: ServiceQuantities, ctx: RatingContext) -> None:
    """S19 ``SM`` (spec/10 §5.1, EX-5, RX-02): OUT = the sum of the quantities P1–P3, P4–P6,
    P7–P9 that are given; blank ones are left out, a given one that is missing →
    CannotExecute."""
    keys = [k for k in (_key(rule, 1), _key(rule, 4), _key(rule, 7)) if k is not None]
    if not keys:
        raise RateDefinitionError(f"SQ rule {rule.code} names no quantity to sum")
    _write(rule, sq, sum((sq.read(rule, k) for k in keys), Decimal(0)))


# -- pipeline steps -----------------------------------------------------------------------
def _check_rule_effect(rule: SqRule, before: dict[SqKey, ServiceQty],
                       after: dict[SqKey, ServiceQty]) -> None:
    """The engine's guard around every SQ rule (spec/30 §12.3, EX-02)."""
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            raise BillingError(f"SQ rule {rule.code} removed service quantity {key.label()}")
        if new.initial != old.initial:
            raise BillingError(
                f"SQ rule {rule.code} changed the initial quantity of {key.label()}")
    for key, new in after.items():
        prior = before.get(key)
        if prior is None and new.initial is not None:
            raise BillingError(
                f"SQ rule {rule.code} added {key.label()} with an initial quantity")
        if (prior is None or prior.billable != new.billable) and key != rule.output:
            raise BillingError(f"SQ rule {rule.code} wrote {key.label()}, not its output "
                               f"{rule.output.label()}")


def run_sq_rules(rules: list[SqRule], sq: ServiceQuantities, ctx: RatingContext) -> None:
    """Run ``rules`` in the given (schedule sequence) order on ``sq`` (spec/10 §3.1 step 4).

    * A rebill reusing the original consumption skips ``INITIAL_SQ_CALC_ONLY`` rules.
    * Each rule works on a copy, kept only if it completes. ``CannotExecute`` → BillingError
      "SQ rule CODE cannot run: …" when ``create_billing_error``, else the rule is skipped and
      the SQs, characteristics and To Dos stay as they were.
    * After each rule: no entry gone, no initial quantity changed, new entries without an
      initial quantity, only ``rule.output`` written (spec/30 §12.3) — else BillingError.
    * A RateDefinitionError stays one (rule named in ``field``); anything else → BillingError.
    """
    for rule in rules:
        if (ctx.rebill_reusing_consumption
                and rule.processing is SqRuleProcessing.INITIAL_SQ_CALC_ONLY):
            continue
        plugin = REGISTRY.get(SQ_RULE, rule.algorithm)
        fn = plugin.function
        if plugin.builtin:
            # Built-in algorithms write only through ServiceQuantities.write (tested), so they
            # run on the collection itself; only a failure that skips the rule restores it.
            _run_builtin(rule, fn, sq, ctx)
            continue
        before = sq.snapshot()
        work = ServiceQuantities(before)
        chars, n_todos = dict(ctx.chars), len(ctx.todos)
        try:
            fn(rule, work, ctx)
        except Exception as e:
            if isinstance(e, CannotExecute) and not rule.create_billing_error:
                ctx.chars.clear()
                ctx.chars.update(chars)
                del ctx.todos[n_todos:]
                continue
            raise rule_error(f"SQ rule {rule.code}", rule.algorithm, e) from e
        after = work.snapshot()
        _check_rule_effect(rule, before, after)
        for entry in after.values():
            if before.get(entry.key) != entry:
                sq.replace_entry(entry)


def _run_builtin(rule: SqRule, fn: Callable[..., None], sq: ServiceQuantities,
                 ctx: RatingContext) -> None:
    """A built-in rule reads its inputs first and writes its one output last (every algorithm
    above and in :mod:`.sq_rules_history` ends in ``_write``), so a rule that cannot run has
    written nothing; only the characteristics and To Dos it may have set are restored."""
    chars, n_todos = dict(ctx.chars) if ctx.chars else None, len(ctx.todos)
    try:
        fn(rule, sq, ctx)
    except Exception as e:
        if isinstance(e, CannotExecute) and not rule.create_billing_error:
            ctx.chars.clear()
            ctx.chars.update(chars or {})
            del ctx.todos[n_todos:]
            return
        raise rule_error(f"SQ rule {rule.code}", rule.algorithm, e) from e


def round_service_quantities(sq: ServiceQuantities, ctx: RatingContext) -> None:
    """Round the billable quantity of every entry whose SQI is known in ``ctx.sqis`` to that
    SQI's decimal positions, half up (spec/10 §2.2, [AMBIG-1]). Initial quantities and entries
    without an SQI are not touched."""
    for entry in list(sq):
        code = entry.key.sqi
        if code is None:
            continue
        sqi = ctx.sqis.get(code)
        if sqi is not None:
            rounded = entry.billable.quantize(Decimal(1).scaleb(-sqi.decimal_positions),
                                              ROUND_HALF_UP)
            sq.replace_entry(ServiceQty(entry.key, entry.initial, rounded))
