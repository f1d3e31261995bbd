"""Interval data priced by interval values and by TOU values (spec/30 §10, spec/20 §6.8).

No proration factor applies: every interval is priced at the value in effect when it starts,
and it belongs to the calculation period that contains its start (D12). A TOU price change
inside the period splits the mapped quantities at the change, each part at its own price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .bill_factors import BillFactor, interval_value_at
from .charges import (
    HANDLERS,
    HANDLERS_BY_CODE,
    NO_VALUE,
    CalcState,
    LineDraft,
    Outcome,
    _calculated,
    _missing_input,
    round_rc,
)
from .compiled import CompiledComponent
from .context import RatingContext
from .controls import SqKey
from .enums import ComponentType
from .errors import BillingError
from .proration import SeasonGate
from .quantities import IntervalQuantity

ZERO = Decimal(0)


def _intervals(cc: CompiledComponent, calc: CalcState) -> list[IntervalQuantity]:
    uom = cc.rc.uom
    return [iv for iv in calc.intervals
            if iv.uom == uom and calc.start <= iv.at.date() <= calc.end]


def _no_price(bf: BillFactor, cv: str | None, what: str, calc: CalcState,
              ctx: RatingContext) -> None:
    """An interval without a price: a billing error when the factor demands a value, else
    the interval is left out and the result says so."""
    message = (f"bill factor {bf.code} has no value for {bf.char_type}={cv} {what} (rate "
               f"version {calc.version.effective.isoformat()} of {calc.schedule.code})")
    if bf.error_if_no_value:
        raise BillingError(message)
    ctx.warnings.append(f"{message}: that interval was not priced")


@dataclass
class _Bucket:
    tou: str
    value: Decimal
    quantity: Decimal
    start: date
    end: date


def calc_tou_pricing(cc: CompiledComponent, ctx: RatingContext, calc: CalcState,
                     gate: SeasonGate) -> Outcome:
    """Map each interval to its TOU through the component's TOU map and price the buckets
    with the TOU bill factor's values (or the agreement's TOU contract values)."""
    rc = cc.rc
    ivs = _intervals(cc, calc)
    if not ivs:
        return _missing_input(cc, calc, f"interval data in {rc.uom}", ctx)
    tou_map = calc.rate.library.tou_maps[rc.tou_map or ""]
    bf = cc.bill_factor
    assert bf is not None
    cv = ctx.bill_factor_char_value(bf, calc.start)
    bfc = bf.characteristic(cv)
    sets = sorted(bfc.tou_values, key=lambda t: t.effective) if bfc else []
    sa = ctx.agreement
    buckets: dict[tuple[date | None, str, Decimal], _Bucket] = {}
    for iv in ivs:
        day = iv.at.date()
        tou = tou_map.tou_at(iv.at.time())
        if tou is None:
            raise BillingError(f"TOU map {tou_map.code} gives no TOU for "
                               f"{iv.at.isoformat(sep=' ')}")
        value = sa.contract_value_on(bf.code, day, tou) \
            if (bf.value_in_contract_term and sa is not None) else None
        effective: date | None = None
        if value is None:
            in_effect = [t for t in sets if t.effective <= day and tou in t.values]
            if in_effect:
                effective = in_effect[-1].effective
                value = in_effect[-1].values[tou]
        if value is None:
            _no_price(bf, cv, f"for TOU {tou} on {day.isoformat()}", calc, ctx)
            continue
        b = buckets.get((effective, tou, value))
        if b is None:
            buckets[(effective, tou, value)] = _Bucket(tou, value, iv.quantity, day, day)
        else:
            b.quantity += iv.quantity
            b.end = max(b.end, day)
    if not buckets:
        return NO_VALUE
    order = {p.tou: i for i, p in enumerate(tou_map.periods)}
    drafts = []
    total_qty = ZERO
    for (_eff, tou, _v), b in sorted(buckets.items(),
                                      key=lambda kv: (kv[1].start, order.get(kv[0][1], 99))):
        key = SqKey(rc.uom, tou, None)
        total_qty += b.quantity
        drafts.append(LineDraft(round_rc(cc, b.quantity * b.value), b.start, b.end,
                                quantity=b.quantity, sq_key=key, value_defined=b.value,
                                value_applied=b.value, char_value=cv))
    return _calculated(cc, drafts, quantity=total_qty)


def calc_interval_pricing(cc: CompiledComponent, ctx: RatingContext, calc: CalcState,
                          gate: SeasonGate) -> Outcome:
    """Σ interval quantity × the interval value in effect at the interval's start; one line."""
    rc = cc.rc
    ivs = _intervals(cc, calc)
    if not ivs:
        return _missing_input(cc, calc, f"interval data in {rc.uom}", ctx)
    bf = cc.bill_factor
    assert bf is not None
    cv = ctx.bill_factor_char_value(bf, calc.start)
    bfc = bf.characteristic(cv)
    amount = qty = ZERO
    for iv in ivs:
        price = interval_value_at(bfc, iv.at) if bfc else None
        if price is None:
            _no_price(bf, cv, f"at {iv.at.isoformat(sep=' ')}", calc, ctx)
            continue
        amount += iv.quantity * price
        qty += iv.quantity
    if qty == 0:
        return NO_VALUE
    draft = LineDraft(round_rc(cc, amount), ivs[0].at.date(), ivs[-1].at.date(), quantity=qty,
                      sq_key=SqKey(rc.uom, rc.tou, rc.sqi), value_applied=amount / qty,
                      char_value=cv)
    return _calculated(cc, [draft], quantity=qty)


for _type, _handler in ((ComponentType.TOU_PRICING, calc_tou_pricing),
                        (ComponentType.INTERVAL_PRICING, calc_interval_pricing)):
    HANDLERS[_type] = _handler
    HANDLERS_BY_CODE[str(_type.value)] = _handler
