"""How each rate component type calculates (spec/20 §6, with the proration of spec/30 §4–§6).

Every handler takes the compiled component, the rating context and the calculation period's
state, and returns the component's result plus zero or more line drafts. Proration is one
step: :func:`value_periods` splits the period where a bill factor value, contract value,
rider or exemption changes, and the factors of :class:`CalcState` scale quantities, step
bounds and values by the rules of spec/30 §2.5 — no component type special-cases it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import NamedTuple

from .agreements import ItemCount
from .bill_factors import BillFactor
from .compiled import CompiledComponent, CompiledRate, CompiledSchedule, CompiledVersion
from .context import RatingContext, days_in
from .enums import (
    BillFactorType,
    ComponentStatus,
    ComponentType,
    RvSelectionDate,
    SeasonalMethod,
    ValueSource,
    ValueType,
    selection_day,
)
from .errors import BillingError
from .plugins import CALCULATION, RC_VALUE, REGISTRY, STEP
from .proration import ONE, PeriodFactors, SeasonGate, apply, fraction, product
from .quantities import IntervalQuantity, ServiceQuantities
from .results import CalcLine, ComponentResult
from .rounding import INTERIM, round_to

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(slots=True)
class CalcState:
    """One calculation period of one rate version: what earlier components produced."""

    rate: CompiledRate
    schedule: CompiledSchedule
    version: CompiledVersion
    start: date
    end: date
    factors: PeriodFactors
    sq: ServiceQuantities
    items: tuple[ItemCount, ...]
    results: dict[int, ComponentResult] = field(default_factory=dict)
    #: Lines of every earlier header of this rating (for C1-RC-CLAMT).
    earlier_lines: list[CalcLine] = field(default_factory=list)
    #: Lines of this calculation period so far.
    lines: list[CalcLine] = field(default_factory=list)
    #: Interval data of the bill (for interval and TOU pricing components).
    intervals: tuple[IntervalQuantity, ...] = ()

    @property
    def days(self) -> int:
        return self.factors.days


@dataclass(slots=True)
class LineDraft:
    """A calc line before finishing touches (description, GL code, print flags)."""

    amount: Decimal
    start: date
    end: date
    quantity: Decimal | None = None
    sq_key: tuple[str | None, str | None, str | None] | None = None
    base_amount: Decimal | None = None
    exempt_amount: Decimal | None = None
    exempt_percent: Decimal | None = None
    value_defined: Decimal | None = None
    value_applied: Decimal | None = None
    step_low: Decimal | None = None
    step_high: Decimal | None = None
    item_count: int | None = None
    bff: Fraction = ONE
    sf: Fraction = ONE
    msf: Fraction | None = None
    quantity_prorated: bool = False
    value_prorated: bool = False
    char_value: str | None = None
    #: For FCPO lines: the in-memory value shown by %A.
    memory_value: Decimal | None = None


@dataclass(slots=True)
class CalcOutput:
    """What a calculation algorithm returns: its lines and (optionally) its value and the
    quantity it priced (default: the sum of its lines' quantities), which unit-rate Apply To
    components use."""

    lines: list[LineDraft]
    value: Decimal | None = None
    quantity: Decimal | None = None


class ValuePeriod(NamedTuple):
    """A stretch of the calculation period with one value (spec/30 §6.1)."""

    start: date
    end: date
    value: Decimal
    bff: Fraction = ONE
    exempt_percent: Decimal | None = None
    char_value: str | None = None


Outcome = tuple[ComponentResult, list[LineDraft]]
NOT_APPLICABLE: Outcome = (ComponentResult(ComponentStatus.NOT_APPLICABLE), [])
NO_VALUE: Outcome = (ComponentResult(ComponentStatus.NO_VALUE), [])
ZERO_STEPS: Outcome = (ComponentResult(ComponentStatus.ZERO_STEPS), [])


def round_rc(cc: CompiledComponent, x: Decimal) -> Decimal:
    if cc.power_of_ten:
        return x.quantize(cc.precision, rounding=cc.rounding_mode)
    return round_to(x, cc.precision, cc.rc.rounding)


def _label(cc: CompiledComponent, calc: CalcState) -> str:
    return (f"component {cc.rc.sequence} of rate version "
            f"{calc.version.effective.isoformat()} of {calc.schedule.code}")


# -- values ------------------------------------------------------------------------------------
def value_periods(cc: CompiledComponent, ctx: RatingContext,
                  calc: CalcState) -> list[ValuePeriod] | None:
    """The component's value(s) over the calculation period; None when it has no value (the
    component is skipped, or a billing error is raised when the bill factor demands one)."""
    rc = cc.rc
    src = rc.value_source
    if src is ValueSource.VALUE:
        assert rc.value is not None                    # validation requires it
        return [ValuePeriod(calc.start, calc.end, rc.value)]
    if src is ValueSource.OTHER_RC:
        assert rc.value_rc is not None
        res = calc.results.get(rc.value_rc)
        if res is None or not res.calculated or res.value is None:
            _skipped_dependant(cc, calc, ctx, rc.value_rc, "value")        # D-10
            return None
        return [ValuePeriod(calc.start, calc.end, res.value)]
    if src is ValueSource.VALUE_ALGORITHM:
        assert rc.value_algorithm is not None
        fn = REGISTRY.get(RC_VALUE, rc.value_algorithm.code).function
        v = fn(rc, ctx, calc)
        if v is None:
            ctx.warnings.append(f"value algorithm {rc.value_algorithm.code} gave no value for "
                                f"{_label(cc, calc)}: the component was skipped")
            return None
        return [ValuePeriod(calc.start, calc.end, v)]
    return bill_factor_periods(cc, ctx, calc)


def bill_factor_periods(cc: CompiledComponent, ctx: RatingContext,
                        calc: CalcState) -> list[ValuePeriod] | None:
    bf = cc.bill_factor
    assert bf is not None
    sa = ctx.agreement
    exemptible = bf.tax_exemption and sa is not None and cc.rc.type is ComponentType.APPLY_TO
    char_value = ctx.bill_factor_char_value(bf, calc.start)
    index = calc.rate.index(bf.code, char_value) if char_value is not None else None
    if sa is None and bf.type is BillFactorType.REGULAR:
        # fast path (rate checks and quotes without an agreement): only the factor's values
        if index is None:
            return _no_value(cc, ctx, calc, char_value)
        if not bf.allow_proration or not index.changes_between(calc.start, calc.end):
            day = _selection_date(bf, ctx, calc) if not bf.allow_proration else calc.start
            v = index.value_on(day)
            if v is None:
                return _no_value(cc, ctx, calc, char_value)
            return [ValuePeriod(calc.start, calc.end, v, ONE, None, char_value)]

    def resolve(day: date) -> tuple[Decimal | None, Decimal | None, bool]:
        """(value, exemption percent, whether the factor applies on ``day``)."""
        if bf.contract_rider_applicability and sa is not None and not sa.rider_covers(bf.code, day):
            return None, None, False          # no rider: the charge does not apply (S-RC-04)
        value: Decimal | None = None
        if bf.value_in_contract_term and sa is not None:
            value = sa.contract_value_on(bf.code, day, cc.rc.tou if bf.type is BillFactorType.TOU else None)
        if value is None:
            if bf.type is BillFactorType.TOU:
                value = _tou_value(bf, char_value, cc.rc.tou, day)
            elif index is not None:
                value = index.value_on(day)
        exempt = sa.exemption_on(bf.code, day) if exemptible and sa is not None else None
        return value, exempt or None, True      # a 0 % exemption is no exemption

    if not bf.allow_proration:
        day = _selection_date(bf, ctx, calc)
        value, exempt, applies = resolve(day)
        if not applies:
            return None
        if value is None:
            return _no_value(cc, ctx, calc, char_value)
        return [ValuePeriod(calc.start, calc.end, value, ONE, exempt, char_value)]

    cuts: set[date] = set()
    if index is not None:
        cuts.update(index.changes_within(calc.start, calc.end))
    if sa is not None:
        cuts.update(d for d in sa.change_dates(bf.code) if calc.start < d <= calc.end)
    if bf.type is BillFactorType.TOU and char_value is not None:
        bfc = bf.characteristic(char_value)
        if bfc is not None:
            cuts.update(t.effective for t in bfc.tou_values if calc.start < t.effective <= calc.end)
    starts = [calc.start, *sorted(cuts)]
    periods: list[ValuePeriod] = []
    d = calc.days
    applies_somewhere = False
    for i, s in enumerate(starts):
        e = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else calc.end
        value, exempt, applies = resolve(s)
        applies_somewhere = applies_somewhere or applies
        if value is None:
            continue                                              # D11: no line for those days
        if periods and periods[-1].value == value and periods[-1].exempt_percent == exempt \
                and periods[-1].end + timedelta(days=1) == s:
            prev = periods[-1]
            periods[-1] = ValuePeriod(prev.start, e, value,
                                      fraction(days_in(prev.start, e), d), exempt, char_value)
            continue
        periods.append(ValuePeriod(s, e, value, fraction(days_in(s, e), d), exempt, char_value))
    if not periods:
        # no rider anywhere in the period: the charge simply does not apply
        return _no_value(cc, ctx, calc, char_value) if applies_somewhere else None
    return periods


def _no_value(cc: CompiledComponent, ctx: RatingContext, calc: CalcState,
              char_value: str | None) -> list[ValuePeriod] | None:
    """The factor has no value: a billing error when it demands one, else the component is
    skipped — and the result says so."""
    bf = cc.bill_factor
    assert bf is not None
    if char_value is None:
        message = (f"bill factor {bf.code} needs characteristic {bf.char_type}, which the "
                   f"{bf.char_source.value.lower().replace('_', ' ')} does not have "
                   f"({_label(cc, calc)})")
    else:
        message = (f"bill factor {bf.code} has no value for {bf.char_type}={char_value} "
                   f"between {calc.start.isoformat()} and {calc.end.isoformat()} "
                   f"({_label(cc, calc)})")
    if bf.error_if_no_value:
        raise BillingError(message)
    ctx.warnings.append(f"{message}: the component was skipped")
    return None


def _tou_value(bf: BillFactor, char_value: str | None, tou: str | None,
               day: date) -> Decimal | None:
    bfc = bf.characteristic(char_value)
    if bfc is None or tou is None:
        return None
    best = None
    for t in bfc.tou_values:
        if t.effective <= day and tou in t.values and (best is None or t.effective > best.effective):
            best = t
    return best.values[tou] if best is not None else None


def _selection_date(bf: BillFactor, ctx: RatingContext, calc: CalcState) -> date:
    code = bf.rate_selection_date
    if code in RvSelectionDate.__members__:
        return selection_day(code, start=ctx.start, end=ctx.end,
                             accounting_date=ctx.accounting_date)
    from .plugins import RATE_SELECTION_DATE
    result: date = REGISTRY.get(RATE_SELECTION_DATE, code).function(bf, ctx, calc.start, calc.end)
    return result


def value_factor(cc: CompiledComponent, calc: CalcState, vp: ValuePeriod,
                 gate: SeasonGate) -> Fraction:
    """spec/30 §5.1: v × KPF × BFF × SF, except that unit rates that are not peak and
    percentages take only BFF, and a value that is prorated at its source (another component,
    or a value algorithm such as RCVL-RNDXREF that adds up prorated amounts) takes nothing."""
    rc = cc.rc
    if cc.value_prorated_at_source:
        return ONE
    if rc.value_type is ValueType.PERCENT or (
            rc.value_type is ValueType.UNIT_RATE and not cc.measures_peak):
        return vp.bff
    kpf, bff, sf = calc.factors.kpf, vp.bff, gate.sf
    if kpf is ONE and bff is ONE and sf is ONE:
        return ONE
    return product(kpf, bff, sf)


def _missing_input(cc: CompiledComponent, calc: CalcState, what: str,
                   ctx: RatingContext | None = None) -> Outcome:
    """D-9: a billing error when the component demands its input, else it is skipped and a
    warning names what was missing."""
    message = f"{_label(cc, calc)} needs {what}, which is missing"
    if cc.rc.error_if_no_value:
        raise BillingError(message)
    if ctx is not None:
        ctx.warnings.append(f"{message}: the component was skipped")
    return NO_VALUE


def _skipped_dependant(cc: CompiledComponent, calc: CalcState, ctx: RatingContext,
                       ref: int, role: str) -> Outcome:
    """D-10: a component whose value or step multiplier comes from a component that did not
    calculate is skipped, and the result says why."""
    ctx.warnings.append(f"{_label(cc, calc)} was skipped: component {ref}, which gives its "
                        f"{role}, did not calculate")
    return NO_VALUE


# -- handlers ----------------------------------------------------------------------------------
def calc_flat(cc: CompiledComponent, ctx: RatingContext, calc: CalcState,
              gate: SeasonGate) -> Outcome:
    vps = value_periods(cc, ctx, calc)
    if vps is None:
        return NO_VALUE
    drafts = []
    for vp in vps:
        f = value_factor(cc, calc, vp, gate)
        v = apply(vp.value, f)
        drafts.append(LineDraft(round_rc(cc, v), vp.start, vp.end, value_defined=vp.value,
                                value_applied=v, bff=vp.bff, sf=gate.sf,
                                value_prorated=f is not ONE, char_value=vp.char_value))
    return _calculated(cc, drafts)


def calc_sq(cc: CompiledComponent, ctx: RatingContext, calc: CalcState,
            gate: SeasonGate) -> Outcome:
    rc = cc.rc
    key = cc.sq_key
    q = calc.sq.billable(key)
    if q is None:
        return _missing_input(cc, calc, f"service quantity {key.label()}", ctx)
    f = calc.factors
    qf = ONE
    if not cc.measures_peak:
        seasonal = gate.msf if (rc.season is not None and
                                rc.season.method is SeasonalMethod.PRORATE_SEASONAL_SQ) else gate.sf
        if seasonal is None:
            seasonal = ONE
        if f.cpf is not ONE or f.kpf is not ONE or seasonal is not ONE:
            qf = product(f.cpf, f.kpf, seasonal)
            q = apply(q, qf)
    vps = value_periods(cc, ctx, calc)
    if vps is None:
        return NO_VALUE
    low = high = None
    qty = q
    if rc.step is not None:
        low, high = rc.step.low, rc.step.high
        dynamic = False
        if rc.step_rc is not None:
            res = calc.results.get(rc.step_rc)
            if res is None or not res.calculated or res.value is None:
                return _skipped_dependant(cc, calc, ctx, rc.step_rc, "step multiplier")
            m = res.value
            low, high = low * m, (None if high is None else high * m)
            dynamic = True
        if rc.step_algorithm is not None:
            fn = REGISTRY.get(STEP, rc.step_algorithm.code).function
            low, high = fn(rc, low, high, ctx, calc)
            dynamic = True
        if rc.step_rc is None and not cc.measures_peak and (
                rc.step_algorithm is None or ctx.adjust_steps_after_proration):
            low = apply(low, f.kpf)
            high = None if high is None else apply(high, f.kpf)
        if dynamic and low == 0 and high == 0:
            return ZERO_STEPS
        top = q if high is None else min(q, high)
        qty = max(ZERO, top - low)
    drafts = []
    for vp in vps:
        vf = value_factor(cc, calc, vp, gate)
        v = apply(vp.value, vf)
        # a CHARGE is "flat for the first X units": charged once when any quantity is in the step
        raw = (v if qty > 0 else ZERO) if rc.value_type is ValueType.CHARGE else qty * v
        # positional for speed (this runs for every priced quantity of every bill), in the
        # order of LineDraft's fields: amount, start, end, quantity, sq_key, base_amount,
        # exempt_amount, exempt_percent, value_defined, value_applied, step_low, step_high,
        # item_count, bff, sf, msf, quantity_prorated, value_prorated, char_value
        drafts.append(LineDraft(round_rc(cc, raw), vp.start, vp.end, qty, key, None, None, None,
                                vp.value, v, low, high, None, vp.bff, gate.sf, gate.msf,
                                qf is not ONE, vf is not ONE, vp.char_value))
    return _calculated(cc, drafts, quantity=qty)


def item_segments(items: tuple[ItemCount, ...], item_type: str, start: date,
                  end: date) -> list[tuple[date, date, int]]:
    """Stretches of [start, end] with a constant count of ``item_type`` (spec/20 §6.3)."""
    mine = [i for i in items if i.item_type == item_type]
    if not mine:
        return []
    cuts = {start}
    for i in mine:
        if start < i.start <= end:
            cuts.add(i.start)
        if i.end is not None and start <= i.end < end:
            cuts.add(i.end + timedelta(days=1))
    starts = sorted(cuts)
    out: list[tuple[date, date, int]] = []
    for k, s in enumerate(starts):
        e = starts[k + 1] - timedelta(days=1) if k + 1 < len(starts) else end
        n = sum(i.count for i in mine if i.start <= s and (i.end is None or i.end >= s))
        if n:
            out.append((s, e, n))
    return out


def calc_item(cc: CompiledComponent, ctx: RatingContext, calc: CalcState,
              gate: SeasonGate) -> Outcome:
    rc = cc.rc
    assert rc.item_type is not None
    segs = item_segments(calc.items, rc.item_type, calc.start, calc.end)
    if not segs:
        return _missing_input(cc, calc, f"items of type {rc.item_type}", ctx)
    vps = value_periods(cc, ctx, calc)
    if vps is None:
        return NO_VALUE
    drafts = []
    d = calc.days
    for s, e, n in segs:                       # D6: the count is not prorated, the price is
        for vp in vps:
            ps, pe = max(s, vp.start), min(e, vp.end)
            if ps > pe:
                continue
            share = fraction(days_in(ps, pe), d)
            f = share if cc.value_prorated_at_source else \
                product(calc.factors.kpf, share, gate.sf)
            v = apply(vp.value, f)
            drafts.append(LineDraft(round_rc(cc, n * v), ps, pe, quantity=Decimal(n),
                                    item_count=n, value_defined=vp.value, value_applied=v,
                                    bff=share, sf=gate.sf, value_prorated=f is not ONE,
                                    char_value=vp.char_value))
    # the quantity a unit-rate Apply To multiplies: the count weighted by its share of days
    quantity = sum((apply(Decimal(n), fraction(days_in(s, e), d)) for s, e, n in segs), ZERO)
    return _calculated(cc, drafts, quantity=quantity)


def _xref_results(cc: CompiledComponent, calc: CalcState) -> list[ComponentResult]:
    """Results of the cross-referenced components that calculated (others count as 0, D-10)."""
    results = calc.results
    calculated = ComponentStatus.CALCULATED
    return [r for r in map(results.get, cc.rc.xrefs) if r is not None and r.status is calculated]


def calc_apply_to(cc: CompiledComponent, ctx: RatingContext, calc: CalcState,
                  gate: SeasonGate) -> Outcome:
    rc = cc.rc
    cu = calc.rate.currency_unit
    refs = _xref_results(cc, calc)
    percent = rc.value_type is ValueType.PERCENT
    base: Decimal | None = None
    qty: Decimal | None = None
    total = ZERO
    if percent:
        for r in refs:
            if r.value is not None:
                total += r.value
        base = total.quantize(cu, rounding=ROUND_HALF_UP)
        if base == 0:
            return NOT_APPLICABLE
    else:
        for r in refs:
            if r.quantity is not None:
                total += r.quantity
        qty = total
        if qty == 0:
            return NOT_APPLICABLE
    vps = value_periods(cc, ctx, calc)
    if vps is None:
        return NO_VALUE
    drafts = []
    for vp in vps:
        f = value_factor(cc, calc, vp, gate)
        v = apply(vp.value, f)
        temp = (base * v / HUNDRED if base is not None else qty * v).quantize(  # type: ignore[operator]
            INTERIM, rounding=ROUND_HALF_UP)
        exempt = None
        if vp.exempt_percent:
            t2 = round_to(temp, CENT)
            exempt = round_to(t2 * vp.exempt_percent / HUNDRED, cu)
            amount = round_rc(cc, t2 - exempt)
        else:
            amount = round_rc(cc, temp)
        # positional for speed, in LineDraft's field order (see calc_sq)
        drafts.append(LineDraft(amount, vp.start, vp.end, qty, None, base, exempt,
                                vp.exempt_percent, vp.value, v, None, None, None, vp.bff,
                                gate.sf, None, False, f is not ONE, vp.char_value))
    return _calculated(cc, drafts, quantity=qty)


def calc_threshold(cc: CompiledComponent, ctx: RatingContext, calc: CalcState,
                   gate: SeasonGate) -> Outcome:
    """MIN tops up, MAX caps, EXACT forces the referenced sum (signed comparisons)."""
    rc = cc.rc
    s = sum((r.value or ZERO for r in _xref_results(cc, calc)), ZERO)
    vps = value_periods(cc, ctx, calc)
    if vps is None:
        return NO_VALUE
    target = ZERO
    prorated = False
    for vp in vps:
        f = value_factor(cc, calc, vp, gate)
        prorated = prorated or f is not ONE
        target += apply(vp.value, f)
    t = rc.type
    if (t is ComponentType.MIN and s < target) or (t is ComponentType.MAX and s > target) or \
            (t is ComponentType.EXACT and s != target):
        draft = LineDraft(round_rc(cc, target - s), calc.start, calc.end, base_amount=s,
                          value_defined=vps[0].value if len(vps) == 1 else target,
                          value_applied=target, sf=gate.sf, value_prorated=prorated)
        return _calculated(cc, [draft])
    return NOT_APPLICABLE


def calc_summary(cc: CompiledComponent, ctx: RatingContext, calc: CalcState,
                 gate: SeasonGate) -> Outcome:
    refs = _xref_results(cc, calc)
    if not refs:
        return NOT_APPLICABLE                                     # D-6
    val = round_rc(cc, sum((r.value or ZERO for r in refs), ZERO))
    return _calculated(cc, [LineDraft(val, calc.start, calc.end, base_amount=val)])


def calc_algorithm(cc: CompiledComponent, ctx: RatingContext, calc: CalcState,
                   gate: SeasonGate) -> Outcome:
    rc = cc.rc
    assert rc.calc_algorithm is not None
    sq = None
    if not rc.derive_sq and (rc.uom or rc.tou or rc.sqi):
        sq = calc.sq.billable(rc.sq_key)
        if sq is None and rc.error_if_no_value:
            return _missing_input(cc, calc, f"service quantity {rc.sq_key.label()}", ctx)
    out: CalcOutput = REGISTRY.get(CALCULATION, rc.calc_algorithm.code).function(
        rc, ctx, calc, sq)
    drafts = [d for d in out.lines if d.amount != 0]
    value = out.value if out.value is not None else sum((d.amount for d in drafts), ZERO)
    quantities = [d.quantity for d in drafts if d.quantity is not None]
    quantity = out.quantity if out.quantity is not None else (
        sum(quantities, ZERO) if quantities else None)
    if rc.fcpo:
        value = round_rc(cc, value)
        for d in drafts:
            d.memory_value = d.amount
    elif out.value is None and not drafts:
        return NOT_APPLICABLE                                     # a zero result makes no line
    return ComponentResult(ComponentStatus.CALCULATED, value, quantity), drafts


def _calculated(cc: CompiledComponent, drafts: list[LineDraft],
                quantity: Decimal | None = None) -> Outcome:
    """The component's result: the sum of its lines (an FCPO value stays at the component's
    own precision, which is how its lines were rounded)."""
    if len(drafts) == 1:
        value = drafts[0].amount
    else:
        value = ZERO
        for d in drafts:
            value += d.amount
    if cc.rc.fcpo:
        for d in drafts:
            d.memory_value = d.amount
    return ComponentResult(ComponentStatus.CALCULATED, value, quantity), drafts


Handler = Callable[[CompiledComponent, RatingContext, CalcState, SeasonGate], Outcome]

HANDLERS: dict[ComponentType, Handler] = {
    ComponentType.FLAT: calc_flat,
    ComponentType.SQ: calc_sq,
    ComponentType.ITEM: calc_item,
    ComponentType.APPLY_TO: calc_apply_to,
    ComponentType.MIN: calc_threshold,
    ComponentType.MAX: calc_threshold,
    ComponentType.EXACT: calc_threshold,
    ComponentType.SUMMARY: calc_summary,
    ComponentType.CALC_ALG: calc_algorithm,
}

#: The same handlers keyed by the type's plain code (see CompiledComponent.type_code).
HANDLERS_BY_CODE: dict[str, Handler] = {str(t.value): h for t, h in HANDLERS.items()}

__all__ = ["HANDLERS_BY_CODE", "HANDLERS", "CalcOutput", "CalcState", "LineDraft", "ValuePeriod", "value_periods"]
