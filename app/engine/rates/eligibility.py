"""Eligibility of a rate component (spec/20 §7): criteria groups, criteria, field fetching,
comparison, and the built-in field and comparison plug-ins of spec/20 §6.12.

Plug-in signatures (registered in :data:`~app.engine.rates.plugins.REGISTRY`):

* field (``ELIGIBILITY_FIELD``): ``fn(criterion, ctx, results, sq, day) -> value | MISSING``;
  ``True``/``False`` are read as ``"TRUE"``/``"FALSE"`` and ``None`` as ``MISSING``;
* comparison (``ELIGIBILITY_COMPARISON``): ``fn(value, criterion, ctx, day) -> Truth``
  (``value`` may be ``MISSING``); a ``bool`` is read as TRUE/FALSE.

``day`` is the start of the calculation period: the date on which effective-dated
characteristics are read (D-17) and the reference date of RECC-TIMESPN (D-25).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Any, Final, TypeVar

from .context import RatingContext
from .enums import (
    CharEntity,
    CharSource,
    Comparison,
    CriteriaField,
    CriterionAction,
    GroupAction,
    Truth,
)
from .errors import RateDefinitionError
from .plugins import (
    ELIGIBILITY_COMPARISON,
    ELIGIBILITY_FIELD,
    REGISTRY,
    ParamSpec,
    register_eligibility_comparison,
    register_eligibility_field,
)
from .quantities import ServiceQuantities
from .results import ComponentResult
from .schedules import EligibilityCriterion, EligibilityGroup, RateComponent


class _Missing(Enum):
    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"


#: A criterion field that has no value (no characteristic, SQ or calculated RC): the
#: criterion is INSUFFICIENT unless a comparison algorithm decides otherwise (D-17).
MISSING: Final = _Missing.MISSING

TRUE: Final = "TRUE"
FALSE: Final = "FALSE"

_ENTITY_SOURCE: Final = {
    CharEntity.SA: CharSource.SA,
    CharEntity.ACCOUNT: CharSource.ACCOUNT,
    CharEntity.MAIN_PERSON: CharSource.MAIN_PERSON,
    CharEntity.CHAR_PREMISE: CharSource.PREMISE,
    CharEntity.SERVICE_POINT: CharSource.SP,
}

_T = TypeVar("_T", EligibilityGroup, EligibilityCriterion)


def _in_sequence(items: tuple[_T, ...]) -> Iterable[_T]:
    if all(a.sequence <= b.sequence for a, b in zip(items, items[1:], strict=False)):
        return items
    return sorted(items, key=lambda x: x.sequence)


# -- evaluation -----------------------------------------------------------------------------

def is_eligible(rc: RateComponent, ctx: RatingContext, results: Mapping[int, ComponentResult],
                sq: ServiceQuantities, day: date) -> bool:
    """Whether ``rc`` applies (spec/20 §7.4). No groups: eligible. Groups run in sequence;
    the first APPLY_RC or SKIP_RC decides; falling off the last group is ineligible (D-5)."""
    if not rc.eligibility:
        return True
    for group in _in_sequence(rc.eligibility):
        truth = evaluate_group(group, ctx, results, sq, day)
        action = group.if_true if truth else group.if_false
        if action is GroupAction.APPLY_RC:
            return True
        if action is GroupAction.SKIP_RC:
            return False
    return False


def evaluate_group(group: EligibilityGroup, ctx: RatingContext,
                   results: Mapping[int, ComponentResult], sq: ServiceQuantities,
                   day: date) -> bool:
    """The truth of one group: criteria run in sequence until one ends the group; falling off
    the last criterion makes the group FALSE (D-5)."""
    for criterion in _in_sequence(group.criteria):
        outcome = evaluate_criterion(criterion, ctx, results, sq, day)
        if outcome is Truth.TRUE:
            nxt = criterion.if_true
        elif outcome is Truth.FALSE:
            nxt = criterion.if_false
        else:
            nxt = criterion.if_insufficient
        if nxt is CriterionAction.GROUP_TRUE:
            return True
        if nxt is CriterionAction.GROUP_FALSE:
            return False
    return False


def evaluate_criterion(criterion: EligibilityCriterion, ctx: RatingContext,
                       results: Mapping[int, ComponentResult], sq: ServiceQuantities,
                       day: date) -> Truth:
    """TRUE, FALSE or INSUFFICIENT (the field has no value) for one criterion."""
    value = fetch_field(criterion, ctx, results, sq, day)
    if criterion.comparison is Comparison.ALGORITHM:
        ref = criterion.comparison_algorithm
        if ref is None:
            raise RateDefinitionError(
                f"eligibility criterion {criterion.sequence} compares with an algorithm but "
                "names none")
        fn = REGISTRY.get(ELIGIBILITY_COMPARISON, ref.code).function
        return _as_truth(fn(value, criterion, ctx, day), ref.code)
    if value is MISSING:
        return Truth.INSUFFICIENT
    return Truth.TRUE if compare(value, criterion.comparison, criterion.value) else Truth.FALSE


def _as_truth(outcome: object, code: str) -> Truth:
    if isinstance(outcome, Truth):
        return outcome
    if isinstance(outcome, bool):
        return Truth.TRUE if outcome else Truth.FALSE
    if isinstance(outcome, str) and outcome in Truth.__members__:
        return Truth(outcome)
    raise RateDefinitionError(
        f"eligibility comparison algorithm {code} returned {outcome!r}; it must return "
        "TRUE, FALSE or INSUFFICIENT")


# -- fields ---------------------------------------------------------------------------------

def fetch_field(criterion: EligibilityCriterion, ctx: RatingContext,
                results: Mapping[int, ComponentResult], sq: ServiceQuantities,
                day: date) -> object:
    """The value a criterion compares, or :data:`MISSING`.

    * CHARACTERISTIC: the value effective on ``day``. A value the caller gave
      (``ctx.input_chars``) wins for every entity except RATE_CALC. SERVICE_POINT reads the
      lowest SP id carrying the type (D-16). BILL and RATE_CALC read the characteristic
      collection ``ctx.chars`` (the bill's characteristics are not a separate collection
      in the engine).
    * RC_VALUE: the final value of an earlier component when it calculated (D-10).
    * SQ: the billable quantity (D-17).
    * ALGORITHM: the field plug-in's value.
    """
    f = criterion.field
    if f is CriteriaField.CHARACTERISTIC:
        return _characteristic(criterion, ctx, day)
    if f is CriteriaField.RC_VALUE:
        if criterion.rc is None:
            raise _incomplete(criterion, "an RC value", "the component sequence")
        r = results.get(criterion.rc)
        if r is None or not r.calculated or r.value is None:
            return MISSING
        return r.value
    if f is CriteriaField.SQ:
        if criterion.sq is None:
            raise _incomplete(criterion, "a service quantity", "its UOM/TOU/SQI")
        q = sq.billable(criterion.sq)
        return MISSING if q is None else q
    ref = criterion.field_algorithm
    if ref is None:
        raise _incomplete(criterion, "an algorithm", "the field algorithm")
    value = REGISTRY.get(ELIGIBILITY_FIELD, ref.code).function(criterion, ctx, results, sq, day)
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return TRUE if value else FALSE
    return value


def _incomplete(criterion: EligibilityCriterion, what: str, missing: str) -> RateDefinitionError:
    return RateDefinitionError(
        f"eligibility criterion {criterion.sequence} reads {what} but does not name {missing}")


def _characteristic(criterion: EligibilityCriterion, ctx: RatingContext, day: date) -> object:
    char_type = criterion.char_type
    entity = criterion.char_entity
    if char_type is None or entity is None:
        raise _incomplete(criterion, "a characteristic", "its entity and type")
    value: str | None
    if entity is CharEntity.RATE_CALC:
        value = ctx.chars.get(char_type)
    elif entity is CharEntity.BILL:
        value = ctx.input_chars.get(char_type)
        if value is None:
            value = ctx.chars.get(char_type)
    else:
        value = ctx.characteristic(_ENTITY_SOURCE[entity], char_type, day)
    return MISSING if value is None else value


# -- comparison -----------------------------------------------------------------------------

_NUMBER = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*")
_GROUPED = re.compile(r"\s*[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?\s*")


def _number(text: str, grouped: bool) -> Decimal | None:
    """``text`` as a number in plain decimal notation ('.' is the decimal separator), or None.
    With ``grouped``, thousands separators (``1,000``) are accepted too."""
    if _NUMBER.fullmatch(text):
        return Decimal(text.strip())
    if grouped and _GROUPED.fullmatch(text):
        return Decimal(text.replace(",", "").strip())
    return None


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return TRUE if value else FALSE
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _value_number(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        try:
            d = Decimal(repr(value))
        except InvalidOperation:  # pragma: no cover - repr of a float always parses
            return None
        return d if d.is_finite() else None
    if isinstance(value, str):
        return _number(value, grouped=True)
    return None


def compare(value: object, op: Comparison, operand: str) -> bool:
    """``value op operand`` (spec/20 §7.4, D-18).

    Numeric when the value and every operand parse as numbers ('.' is always the decimal
    separator), otherwise an exact, case-sensitive comparison of the texts. IN takes a comma
    list and BETWEEN ``low,high`` (inclusive); for the other operators a comma in a numeric
    operand is a thousands separator (``>= 1,000``)."""
    texts, nums = _operands(op, operand)
    v = _value_number(value)
    if v is not None and all(n is not None for n in nums):
        return _apply(op, v, [n for n in nums if n is not None])
    return _apply(op, _as_text(value), texts)


@lru_cache(maxsize=1024)
def _operands(op: Comparison, operand: str) -> tuple[list[str], list[Decimal | None]]:
    """The operand's texts and their numbers (parsed once per operand: rates are applied to
    thousands of bills)."""
    if op is Comparison.IN or op is Comparison.BETWEEN:
        texts = [o.strip() for o in operand.split(",")]
        if op is Comparison.BETWEEN and len(texts) != 2:
            raise RateDefinitionError(
                f"BETWEEN needs 'low,high', not {operand!r}")
        return texts, [_number(t, grouped=False) for t in texts]
    if op is Comparison.ALGORITHM:
        raise RateDefinitionError("an ALGORITHM comparison is made by its plug-in")
    text = operand.strip()
    return [text], [_number(text, grouped=True)]


def _apply(op: Comparison, v: Any, ops: list[Any]) -> bool:
    """``v op ops``; ``v`` and ``ops`` are all Decimal or all str."""
    if op is Comparison.EQ:
        return bool(v == ops[0])
    if op is Comparison.NE:
        return bool(v != ops[0])
    if op is Comparison.IN:
        return v in ops
    if op is Comparison.BETWEEN:
        return bool(ops[0] <= v <= ops[1])
    if op is Comparison.GT:
        return bool(v > ops[0])
    if op is Comparison.GE:
        return bool(v >= ops[0])
    if op is Comparison.LT:
        return bool(v < ops[0])
    if op is Comparison.LE:
        return bool(v <= ops[0])
    raise RateDefinitionError(f"unknown comparison {op!r}")  # pragma: no cover


# -- built-in plug-ins (spec/20 §6.12) ------------------------------------------------------

_SPAN_UNITS = ("YEARS", "MONTHS", "WEEKS", "DAYS")
_SPAN_OPS = {
    "GT": lambda elapsed_vs_span: elapsed_vs_span > 0,
    "GE": lambda elapsed_vs_span: elapsed_vs_span >= 0,
    "LT": lambda elapsed_vs_span: elapsed_vs_span < 0,
    "LE": lambda elapsed_vs_span: elapsed_vs_span <= 0,
    "EQ": lambda elapsed_vs_span: elapsed_vs_span == 0,
    "NE": lambda elapsed_vs_span: elapsed_vs_span != 0,
}


def _add_months(d: date, months: int) -> date | None:
    """``d`` plus ``months`` calendar months, clamped to the month end (29 Feb + 12 months is
    28 Feb); None past year 9999."""
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    if year > date.max.year:
        return None
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def span_end(start: date, span: int, unit: str) -> date | None:
    """The date ``span`` ``unit`` after ``start`` (exact calendar span), None past 9999."""
    if unit == "YEARS":
        return _add_months(start, 12 * span)
    if unit == "MONTHS":
        return _add_months(start, span)
    days = span * 7 if unit == "WEEKS" else span
    try:
        return start + timedelta(days=days)
    except OverflowError:
        return None


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


@register_eligibility_comparison(
    "RECC-TIMESPN",
    params=(ParamSpec("span", "int"), ParamSpec("unit", "code", required=False),
            ParamSpec("op", "code", required=False)),
    description="Compare the time elapsed since a date with a span (e.g. older than 65 years)",
    builtin=True)
def recc_timespn(value: object, criterion: EligibilityCriterion, ctx: RatingContext,
                 day: date) -> Truth:
    """TRUE when the time from the date ``value`` to ``day`` compares with the span as
    ``op`` says: with GT (the default), when the date is more than the span before ``day``.
    The span is exact in calendar terms (D-25): with 65 YEARS a birth date of 1955-06-01
    is TRUE from 2020-06-02. A value that is missing or not a date is INSUFFICIENT."""
    ref = criterion.comparison_algorithm
    params: Mapping[str, str] = ref.params if ref is not None else {}
    raw_span = str(params.get("span", "")).strip()
    if not raw_span.isdigit():
        raise RateDefinitionError(
            f"RECC-TIMESPN needs a whole, non-negative span, not {raw_span!r}")
    unit = str(params.get("unit", "YEARS")).strip().upper() or "YEARS"
    if unit not in _SPAN_UNITS:
        raise RateDefinitionError(
            f"RECC-TIMESPN unit {unit!r} is not one of {', '.join(_SPAN_UNITS)}")
    op = str(params.get("op", "GT")).strip().upper() or "GT"
    if op not in _SPAN_OPS:
        raise RateDefinitionError(
            f"RECC-TIMESPN op {op!r} is not one of {', '.join(_SPAN_OPS)}")
    start = _as_date(value)
    if start is None:
        return Truth.INSUFFICIENT
    end = span_end(start, int(raw_span), unit)
    # Sign of (elapsed - span): positive when ``day`` is past the end of the span.
    sign = -1 if end is None or day < end else (1 if day > end else 0)
    return Truth.TRUE if _SPAN_OPS[op](sign) else Truth.FALSE


@register_eligibility_field(
    "RECF-SRVTY",
    params=(ParamSpec("service_types", "text"),),
    description="TRUE when the account has an active agreement of one of the service types",
    builtin=True)
def recf_srvty(criterion: EligibilityCriterion, ctx: RatingContext,
               results: Mapping[int, ComponentResult], sq: ServiceQuantities,
               day: date) -> object:
    """``"TRUE"`` when one of the account's active service types is in the ``service_types``
    parameter (a comma list), ``"FALSE"`` otherwise; MISSING without an agreement."""
    ref = criterion.field_algorithm
    raw = ref.params.get("service_types", "") if ref is not None else ""
    wanted = {t.strip() for t in str(raw).split(",") if t.strip()}
    if not wanted:
        raise RateDefinitionError("RECF-SRVTY needs the parameter service_types")
    sa = ctx.agreement
    if sa is None:
        return MISSING
    return TRUE if any(t in wanted for t in sa.account_active_service_types) else FALSE


@register_eligibility_field(
    "RECF-AUTOPAY",
    params=(ParamSpec("char_type", "char_type", required=False),
            ParamSpec("value", "char_value", required=False)),
    description="TRUE when the account pays by automatic payment",
    builtin=True)
def recf_autopay(criterion: EligibilityCriterion, ctx: RatingContext,
                 results: Mapping[int, ComponentResult], sq: ServiceQuantities,
                 day: date) -> object:
    """``"TRUE"`` when the account characteristic ``AUTOPAY`` (parameter ``char_type``) is
    ``Y`` (parameter ``value``) on ``day``, ``"FALSE"`` otherwise. A value the caller gave
    wins; MISSING when there is neither an agreement nor a given value."""
    ref = criterion.field_algorithm
    params: Mapping[str, str] = ref.params if ref is not None else {}
    char_type = str(params.get("char_type", "AUTOPAY")).strip() or "AUTOPAY"
    on_value = str(params.get("value", "Y")).strip() or "Y"
    if ctx.agreement is None and char_type not in ctx.input_chars:
        return MISSING
    value = ctx.characteristic(CharSource.ACCOUNT, char_type, day)
    return TRUE if value == on_value else FALSE
