"""The rate check API (spec/20 §9): one call that rates a bill period with a rate schedule and
returns everything the Rate Check pane shows. Nothing is stored; no database is needed.

>>> from app.engine.rates import load_shipped_library, check_rate, Quantity
>>> rate = load_shipped_library().compile("E-COM1")          # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .agreements import ItemCount, ServiceAgreement, ServicePoint
from .apply import rate as apply_rate
from .compiled import CompiledRate
from .context import RatingContext
from .enums import CharSource, ValueSource
from .errors import BillingError, RateError
from .estimates import ItemTypeEstimate, estimate_item_quantities
from .installation import Installation
from .plugins import REGISTER_RULE, SQ_RULE, named_codes
from .quantities import IntervalQuantity, Quantity
from .results import CalcHeader, RateCheckResult, RegisterReadRow, SqDetail

ZERO = Decimal(0)


def _check_period(start: date, end: date) -> None:
    if end < start:
        raise RateError(f"the end date {end.isoformat()} is before the start date "
                        f"{start.isoformat()}: the bill period runs from start to end")


def needed_characteristics(rate: CompiledRate, characteristics: Mapping[str, str],
                           service_points: Sequence[ServicePoint] = ()) -> list[str]:
    """Characteristic types the rate needs from an agreement that the caller did not give
    (spec/20 §9.1: without an SA and without them rating fails, listing them). A premise or
    SP characteristic that a named service point carries is given."""
    codes: set[str] = set()
    for cs in (rate.primary, *rate.subs):
        for cv in cs.versions:
            for cc in cv.components:
                if cc.rc.value_source is ValueSource.BILL_FACTOR and cc.bill_factor:
                    codes.add(cc.bill_factor.code)
        rules = [(REGISTER_RULE, r.algorithm, r.params) for r in cs.register_rules] + \
            [(SQ_RULE, r.algorithm, r.params) for r in cs.sq_rules]
        for kind, algorithm, params in rules:
            codes.update(code for param_kind, code in named_codes(kind, algorithm, params)
                         if param_kind == "bill_factor")
    carried = {(source, cv.char_type) for sp in service_points
               for source, values in ((CharSource.PREMISE, sp.premise_characteristics),
                                      (CharSource.SP, sp.characteristics)) for cv in values}
    needed = set()
    for code in codes:
        bf = rate.bill_factors.get(code)
        if bf and bf.char_source not in (CharSource.NA, CharSource.CHAR_COLLECTION) \
                and bf.char_type not in characteristics \
                and (bf.char_source, bf.char_type) not in carried:
            needed.add(bf.char_type)
    return sorted(needed)


def make_context(rate: CompiledRate, *, start: date, end: date,
                 characteristics: Mapping[str, str] | None = None,
                 agreement: ServiceAgreement | None = None, revenue_class: str | None = None,
                 accounting_date: date | None = None, language: str = "ENG",
                 billing: bool = False,
                 installation: Installation | None = None,
                 service_points: Sequence[ServicePoint] = ()) -> RatingContext:
    chars = dict(characteristics) if characteristics else {}
    lib = rate.library
    return RatingContext(
        start=start, end=end, accounting_date=accounting_date or end, currency=rate.currency,
        frequency=rate.frequency, bill_factors=rate.bill_factors, uoms=lib.uoms, sqis=lib.sqis,
        agreement=agreement,
        revenue_class=revenue_class or (agreement.revenue_class if agreement else None),
        language=language, input_chars=chars, chars=dict(chars), billing=billing,
        installation=installation, named_service_points=tuple(service_points))


def check_rate(rate: CompiledRate, *, start: date, end: date,
               quantities: Sequence[Quantity] = (),
               characteristics: Mapping[str, str] | None = None,
               agreement: ServiceAgreement | None = None,
               revenue_class: str | None = None, accounting_date: date | None = None,
               language: str = "ENG", items: Sequence[ItemCount] = (),
               item_estimates: Sequence[ItemTypeEstimate] = (),
               intervals: Sequence[IntervalQuantity] = (),
               installation: Installation | None = None,
               bypass_register_rules: bool = False,
               service_points: Sequence[ServicePoint] = (),
               billing: bool = False) -> RateCheckResult:
    """Rate the closed bill period [start, end] with ``rate`` and return the Rate Check result.

    ``quantities`` are register reads (register rules run on them unless
    ``bypass_register_rules``); ``characteristics`` win over the agreement's; ``agreement``
    brings contract values, riders, tax exemptions, contract quantities and characteristics;
    ``items`` are item counts for item components when no agreement gives them;
    ``item_estimates`` turn item counts into estimated consumption (spec/20 §11);
    ``intervals`` are interval quantities for interval and TOU pricing components;
    ``installation`` brings the proration and seasonal overrides (spec/30 §3, §9.2);
    ``service_points`` are service points a quantity names that are not the agreement's (or
    with no agreement at all): their own and their premise's characteristics serve the
    register and SQ rules of that quantity (spec/20 §9.1, "to experiment"); ``billing``
    rates as a bill would, with Finished versions only (a quote's simulated bill), where a
    rate check also uses Validated ones. Raises
    :class:`BillingError` naming whatever the rate needs and did not get.
    """
    _check_period(start, end)
    chars = dict(characteristics or {})
    if agreement is None:
        missing = needed_characteristics(rate, chars, service_points)
        if missing:
            raise BillingError(
                f"rate {rate.code} needs characteristic{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)}: enter {'them' if len(missing) > 1 else 'it'} or give "
                "a service agreement")
    ctx = make_context(rate, start=start, end=end, characteristics=chars, agreement=agreement,
                       revenue_class=revenue_class, accounting_date=accounting_date,
                       language=language, installation=installation,
                       service_points=service_points, billing=billing)
    all_items = tuple(items) or (agreement.items if agreement else ())
    estimated = estimate_item_quantities(all_items, item_estimates, start, end) \
        if item_estimates else None
    rating = apply_rate(rate, ctx, quantities, tuple(items),
                        bypass_register_rules=bypass_register_rules, estimated=estimated,
                        intervals=tuple(intervals))
    if rating.register_rows is None:
        reads = tuple(RegisterReadRow(q.uom, q.tou, q.sqi, q.quantity, q.uom, q.tou, q.sqi,
                                      q.quantity, q.service_point) for q in quantities)
    else:
        reads = tuple(
            RegisterReadRow(
                uom=quantities[r.source].uom if r.source < len(quantities) else r.uom,
                tou=quantities[r.source].tou if r.source < len(quantities) else r.tou,
                sqi=quantities[r.source].sqi if r.source < len(quantities) else r.sqi,
                measured=r.measured_qty, final_uom=r.uom, final_tou=r.tou, final_sqi=r.sqi,
                register_qty=r.final_qty, service_point=r.service_point)
            for r in rating.register_rows)
    details = tuple(SqDetail(e.key.uom, e.key.tou, e.key.sqi, e.initial, e.billable)
                    for e in rating.sq)
    return RateCheckResult(
        rate_schedule=rate.code, description=rate.schedule.description,
        revenue_class=ctx.revenue_class, start=start, end=end,
        headers=tuple(rating.headers), sq_details=details, register_reads=reads,
        characteristics=dict(ctx.chars), total=rating.total, currency=rate.currency.code,
        todos=tuple(ctx.todos), warnings=tuple(dict.fromkeys([*rate.warnings, *ctx.warnings])))


@dataclass(frozen=True)
class BillPeriod:
    """One period of a batch: the closed range [start, end] and its quantities."""

    start: date
    end: date
    quantities: Sequence[Quantity] = ()
    accounting_date: date | None = None
    characteristics: Mapping[str, str] = field(default_factory=dict)
    intervals: Sequence[IntervalQuantity] = ()


@dataclass(frozen=True)
class PricedPeriod:
    start: date
    end: date
    total: Decimal
    headers: tuple[CalcHeader, ...]


def price_periods(rate: CompiledRate, periods: Sequence[BillPeriod], *,
                  characteristics: Mapping[str, str] | None = None,
                  agreement: ServiceAgreement | None = None,
                  revenue_class: str | None = None, billing: bool = True,
                  describe: bool = False, detail: bool = True,
                  installation: Installation | None = None) -> list[PricedPeriod]:
    """Price many bill periods with one compiled rate (quote simulations, forecasts).

    Uses Finished versions only (``billing``) and skips description rendering unless asked,
    which is what makes it fast; the amounts are exactly those of :func:`check_rate`.
    ``detail=False`` prices amounts only: each header keeps its amount but no calc lines
    (lines are still built when the rate needs them, for sub-rates and calculation
    algorithms)."""
    base = dict(characteristics or {})
    if agreement is None:
        missing = needed_characteristics(rate, {**base, **{k: v for p in periods
                                                           for k, v in p.characteristics.items()}})
        if missing:
            raise BillingError(f"rate {rate.code} needs characteristic(s) "
                               f"{', '.join(missing)}")
    out = []
    for p in periods:
        _check_period(p.start, p.end)
        chars = {**base, **p.characteristics} if p.characteristics else base
        ctx = make_context(rate, start=p.start, end=p.end, characteristics=chars,
                           agreement=agreement, revenue_class=revenue_class,
                           accounting_date=p.accounting_date, billing=billing,
                           installation=installation)
        rating = apply_rate(rate, ctx, p.quantities, describe=describe,
                            intervals=tuple(p.intervals), detail=detail)
        out.append(PricedPeriod(p.start, p.end, rating.total, tuple(rating.headers)))
    return out
