"""Register rule algorithms (spec/10 §2.3, §4) and the step of the rating pipeline that runs
them (spec/10 §3.1 step 2, spec/30 §12.1).

Register rules work on individual register rows before they are summed into final measured
consumption. Each algorithm is a plug-in ``fn(rule, rows, ctx) -> None`` that appends rows
(``row.derive(...)``) or changes rows in place. The built-ins register themselves here:

* ``BU`` Bill Factor Based UOM Conversion (R1),
* ``RT`` Real Time Pricing (R2),
* ``ST`` Seasonal Register TOU Conversion (R3; its code is illegible in the source).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from .bill_factors import interval_value_at
from .context import RatingContext
from .controls import RegisterRule
from .enums import BillFactorType
from .errors import BillingError, CannotExecute, RateDefinitionError, RateError
from .plugins import REGISTER_RULE, REGISTRY, ParamSpec, register_register_rule
from .quantities import RegisterQty

__all__ = ["interval_value_at", "parse_mmdd", "rule_error", "run_register_rules"]


def _param(rule: RegisterRule, n: int, name: str) -> str:
    v = rule.p(n)
    if not v:
        raise RateDefinitionError(
            f"register rule {rule.code} ({rule.algorithm}) needs parameter P{n} ({name})")
    return v


def _register(row: RegisterQty) -> str:
    sp = f" of service point {row.service_point}" if row.service_point else ""
    return f"the {row.key.label()} read{sp}"


def parse_mmdd(text: str) -> tuple[int, int]:
    """``"0401"``, ``"04/01"`` or ``"04-01"`` → ``(4, 1)``."""
    digits = text.replace("/", "").replace("-", "").strip()
    if len(digits) != 4 or not digits.isdigit():
        raise RateDefinitionError(f"{text!r} is not a month and day (MMDD)")
    month, day = int(digits[:2]), int(digits[2:])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise RateDefinitionError(f"{text!r} is not a month and day (MMDD)")
    return month, day


# -- R1 ---------------------------------------------------------------------------------
@register_register_rule(
    "BU",
    params=(ParamSpec("Measured UOM", "uom"), ParamSpec("Final UOM", "uom"),
            ParamSpec("Bill factor", "bill_factor")),
    description="Bill Factor Based UOM Conversion", builtin=True)
def bill_factor_uom_conversion(rule: RegisterRule, rows: list[RegisterQty],
                               ctx: RatingContext) -> None:
    """R1 ``BU`` (spec/10 §4, EX-4, spec/30 RX-03/RX-06).

    For every row measured in P1, add a row in P2 with the same TOU and
    ``final = final(P1 row) × value of bill factor P3``; the source row is kept. The factor's
    characteristic (e.g. the premise take point) is resolved for the row's own service point,
    so two registers on different take points get their own factors.

    Decision ([AMBIG-10]): the factor is the value in effect on the **last day of the
    consumption period** (``ctx.end``); no value → CannotExecute.
    """
    src, dst, bf = (_param(rule, 1, "measured UOM"), _param(rule, 2, "final UOM"),
                    _param(rule, 3, "bill factor"))
    for row in [r for r in rows if r.uom == src]:
        factor = ctx.bill_factor_value(bf, ctx.end, service_point=row.service_point)
        if factor is None:
            factor_def = ctx.bill_factor(bf)
            cv = ctx.bill_factor_char_value(factor_def, ctx.end, service_point=row.service_point)
            raise CannotExecute(
                f"bill factor {bf} has no value for {factor_def.char_type}={cv} on "
                f"{ctx.end.isoformat()} ({_register(row)})")
        rows.append(row.derive(uom=dst, tou=row.tou, sqi=None, final_qty=row.final_qty * factor))


# -- R2 ---------------------------------------------------------------------------------
@register_register_rule(
    "RT",
    params=(ParamSpec("UOM", "uom"), ParamSpec("Interval bill factor", "bill_factor"),
            ParamSpec("Resultant SQI", "sqi")),
    description="Real Time Pricing", builtin=True)
def real_time_pricing(rule: RegisterRule, rows: list[RegisterQty], ctx: RatingContext) -> None:
    """R2 ``RT`` (spec/10 §4, spec/30 RX-07).

    For every row measured in P1, add a row with no UOM/TOU, SQI P3 and
    ``final = final × interval value of bill factor P2`` in effect at the row's read start
    (:func:`interval_value_at`). The characteristic value is resolved on the read start's
    date for the row's service point. A row without a read start, or no value → CannotExecute.
    """
    uom, code, sqi = (_param(rule, 1, "UOM"), _param(rule, 2, "interval bill factor"),
                      _param(rule, 3, "resultant SQI"))
    bf = ctx.bill_factor(code)
    if bf.type is not BillFactorType.INTERVAL:
        raise RateDefinitionError(
            f"register rule {rule.code}: bill factor {code} is {bf.type}, not INTERVAL")
    for row in [r for r in rows if r.uom == uom]:
        if row.read_start is None:
            raise CannotExecute(f"{_register(row)} has no read start date/time for bill "
                                f"factor {code}")
        cv = ctx.bill_factor_char_value(bf, row.read_start.date(),
                                        service_point=row.service_point)
        bfc = bf.characteristic(cv)
        price = interval_value_at(bfc, row.read_start) if bfc else None
        if price is None:
            raise CannotExecute(
                f"bill factor {code} (characteristic value {cv}) has no interval value at "
                f"{row.read_start.isoformat(sep=' ')} for {_register(row)}")
        rows.append(row.derive(uom=None, tou=None, sqi=sqi, final_qty=row.final_qty * price))


# -- R3 ---------------------------------------------------------------------------------
def in_summer(day: date, summer_begin: tuple[int, int], winter_begin: tuple[int, int]) -> bool:
    """True when ``day`` falls in [summer begin, winter begin); wraps the year end when the
    summer begins after the winter."""
    md = (day.month, day.day)
    if summer_begin <= winter_begin:
        return summer_begin <= md < winter_begin
    return md >= summer_begin or md < winter_begin


@register_register_rule(
    "ST",
    params=(ParamSpec("Summer begin", "mmdd"), ParamSpec("Winter begin", "mmdd"),
            ParamSpec("Current-season TOU", "tou"), ParamSpec("Prior-season TOU", "tou"),
            ParamSpec("Winter TOU", "tou"), ParamSpec("Summer TOU", "tou")),
    description="Seasonal Register TOU Conversion", builtin=True)
def seasonal_tou_conversion(rule: RegisterRule, rows: list[RegisterQty],
                            ctx: RatingContext) -> None:
    """R3 seasonal TOU conversion (spec/10 §4, adopted interpretation of [AMBIG-9]).

    The season is the one in effect on the last day of the consumption period (``ctx.end``):
    summer from P1 (inclusive) up to P2 (exclusive), winter otherwise; P1 after P2 wraps the
    year end. Rows measured in the current-season TOU P3 become the summer TOU P6 in summer and
    the winter TOU P5 in winter; rows in the prior-season TOU P4 become the other season's TOU.
    Rows are changed in place; no row is added. The code ``ST`` is this engine's choice (the
    source's is illegible).
    """
    summer, winter = (parse_mmdd(_param(rule, 1, "summer begin")),
                      parse_mmdd(_param(rule, 2, "winter begin")))
    if summer == winter:
        raise RateDefinitionError(
            f"register rule {rule.code}: summer and winter begin on the same day")
    current, prior = _param(rule, 3, "current-season TOU"), _param(rule, 4, "prior-season TOU")
    winter_tou, summer_tou = _param(rule, 5, "winter TOU"), _param(rule, 6, "summer TOU")
    is_summer = in_summer(ctx.end, summer, winter)
    for row in rows:
        if row.tou == current:
            row.tou = summer_tou if is_summer else winter_tou
        elif row.tou == prior:
            row.tou = winter_tou if is_summer else summer_tou


# -- pipeline step ----------------------------------------------------------------------
def rule_error(label: str, algorithm: str, e: Exception) -> RateError:
    """Restate exception ``e`` raised by the rule ``label`` (e.g. "SQ rule SUM-KWH") so that it
    names the rule: CannotExecute → BillingError "… cannot run: …"; a RateDefinitionError stays
    one, with the rule in ``field``; anything else → BillingError."""
    if isinstance(e, CannotExecute):
        return BillingError(f"{label} cannot run: {e.message}")
    if isinstance(e, RateDefinitionError):
        return RateDefinitionError(e.detail, where=e.where, field=e.field or label)
    if isinstance(e, BillingError):
        return BillingError(f"{label}: {e.message}")
    return BillingError(f"{label} ({algorithm}) failed: {type(e).__name__}: {e}")


def run_register_rules(rules: list[RegisterRule], rows: list[RegisterQty],
                       ctx: RatingContext) -> list[RegisterQty]:
    """Run ``rules`` in the given (schedule sequence) order on copies of ``rows`` and return
    the resulting rows; the caller's rows are not changed (spec/10 §3.1 step 2).

    * An unknown algorithm code raises :class:`RateDefinitionError`.
    * ``CannotExecute`` becomes a :class:`BillingError` "register rule CODE cannot run: …"
      (register rules have no "create billing error" switch: they always stop rating).
    * A ``RateDefinitionError`` raised by a rule stays one, with the rule named in ``field``.
    * Any other exception becomes a :class:`BillingError` naming the rule.
    """
    out = [replace(r) for r in rows]
    for rule in rules:
        fn = REGISTRY.get(REGISTER_RULE, rule.algorithm).function
        try:
            fn(rule, out, ctx)
        except Exception as e:
            raise rule_error(f"register rule {rule.code}", rule.algorithm, e) from e
    return out
