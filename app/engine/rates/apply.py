"""Rate application: the pipeline of spec/10 §3.1 and the main loop of spec/20 §4.

register reads → register rules → final measured consumption → SQ rules → billable
consumption → for the primary schedule and each sub-rate: one calculation period per rate
version → components in sequence (eligibility, season, type handler) → calc lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from . import interval_pricing as _interval_pricing  # noqa: F401  (registers handlers)
from .agreements import ItemCount
from .charges import HANDLERS_BY_CODE, CalcState, LineDraft
from .compiled import CompiledComponent, CompiledRate, CompiledSchedule, CompiledVersion
from .context import RatingContext, days_in
from .controls import SqKey
from .descriptions import LineText, render_component_description, render_version_description
from .eligibility import is_eligible
from .enums import (
    ComponentStatus,
    ComponentType,
    FcpoRetention,
    RateVersionStatus,
    ValueType,
    selection_day,
)
from .errors import BillingError
from .installation import overridden_factors, overridden_season
from .proration import ALWAYS, ONE, season_gate
from .quantities import IntervalQuantity, Quantity, RegisterQty, ServiceQuantities
from .register_rules import run_register_rules
from .results import CalcHeader, CalcLine, ComponentResult
from .rounding import round_to
from .schedules import RateVersion
from .sq_rules import round_service_quantities, run_sq_rules

ZERO = Decimal(0)
_INELIGIBLE = ComponentResult(ComponentStatus.INELIGIBLE)
_OUT_OF_SEASON = ComponentResult(ComponentStatus.OUT_OF_SEASON)
_NO_KEY = (None, None, None)


@dataclass
class Rating:
    """Everything one rate application produced."""

    headers: list[CalcHeader]
    #: None when no register rule ran: the register reads are the quantities as given.
    register_rows: list[RegisterQty] | None
    sq: ServiceQuantities

    @property
    def total(self) -> Decimal:
        return sum((h.amount for h in self.headers), ZERO)


# -- quantities -----------------------------------------------------------------------------
def prepare_quantities(rate: CompiledRate, ctx: RatingContext,
                       quantities: Sequence[Quantity],
                       bypass_register_rules: bool = False,
                       estimated: dict[SqKey, Decimal] | None = None,
                       ) -> tuple[list[RegisterQty] | None, ServiceQuantities]:
    """Register rules, final measured consumption, SQ rules (spec/10 §3.1). The register rows
    are returned only when register rules ran (otherwise they are the quantities as given)."""
    sq = ServiceQuantities()
    rows: list[RegisterQty] | None = None
    if not bypass_register_rules and rate.primary.register_rules:
        rows = [RegisterQty(q.uom, q.tou, q.sqi, q.quantity, q.quantity, q.service_point,
                            q.read_start, q.read_end, i) for i, q in enumerate(quantities)]
        rows = run_register_rules(list(rate.primary.register_rules), rows, ctx)
        for row in rows:
            sq.add_measured(row.key, row.final_qty)
    else:
        for q in quantities:
            sq.add_measured(SqKey(q.uom, q.tou, q.sqi), q.quantity)
    for key, qty in (estimated or {}).items():          # item estimates (spec/20 §11)
        sq.add_measured(key, qty)
    if rate.primary.sq_rules:
        run_sq_rules(list(rate.primary.sq_rules), sq, ctx)
    for sub in rate.subs:                                # AMBIG-7: after the primary's rules
        if sub.sq_rules:
            run_sq_rules(list(sub.sq_rules), sq, ctx)
    if ctx.sqis:
        round_service_quantities(sq, ctx)
    return rows, sq


# -- rate versions ------------------------------------------------------------------------------
def _ignored(cs: CompiledSchedule, ctx: RatingContext) -> list[RateVersion]:
    out = list(cs.ignored)
    if ctx.billing:
        out += [v.version for v in cs.versions
                if v.version.status is not RateVersionStatus.FINISHED]
    return out


def _ignored_message(cs: CompiledSchedule, ctx: RatingContext, day: date) -> str | None:
    later = [v for v in _ignored(cs, ctx) if v.effective <= day]
    if not later:
        return None
    v = max(later, key=lambda v: v.effective)
    return (f"rate version {v.effective.isoformat()} of {cs.code} is {v.status.label}: "
            f"set it to {'Finished' if ctx.billing else 'Validated or Finished'} to use it")


def calc_periods(rate: CompiledRate, cs: CompiledSchedule, ctx: RatingContext,
                 boundaries: Sequence[date] = ()) -> list[tuple[CompiledVersion, date, date]]:
    """spec/10 §3.3: one calculation period per usable rate version in effect (when the
    primary schedule prorates versions), else one period with the version in effect on the
    selection date. ``boundaries`` are extra cut dates (a sub-rate follows the primary's)."""
    versions = cs.versions
    if ctx.billing:
        versions = tuple(v for v in versions if v.version.status is RateVersionStatus.FINISHED)
    start, end = ctx.start, ctx.end
    primary = rate.primary.schedule
    if not primary.allow_rv_proration:
        assert primary.rv_selection_date is not None       # compile_rate requires it
        day = selection_day(primary.rv_selection_date, start=start, end=end,
                            accounting_date=ctx.accounting_date)
        chosen = [v for v in versions if v.effective <= day]
        if not chosen:
            raise _no_version(cs, ctx, day)
        _warn_ignored(cs, ctx, day, chosen[-1].effective)
        return [(chosen[-1], start, end)]
    cuts = {v.effective for v in versions if start < v.effective <= end}
    cuts.update(b for b in boundaries if start < b <= end)
    starts = [start, *sorted(cuts)]
    out: list[tuple[CompiledVersion, date, date]] = []
    for i, s in enumerate(starts):
        e = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else end
        in_effect = [v for v in versions if v.effective <= s]
        if in_effect:
            out.append((in_effect[-1], s, e))
    if not out:
        raise _no_version(cs, ctx, end)
    if out[0][1] > start:              # days before the first usable version
        gap = (f"rate schedule {cs.code} has no {'Finished' if ctx.billing else 'Validated or Finished'} "
               f"rate version for {start.isoformat()} to "
               f"{(out[0][1] - timedelta(days=1)).isoformat()}: its first starts "
               f"{out[0][1].isoformat()}")
        if cs is rate.primary:
            raise BillingError(gap)
        ctx.warnings.append(f"{gap}; its charges start then")
    _warn_ignored(cs, ctx, end, out[-1][0].effective)
    return out


def _no_version(cs: CompiledSchedule, ctx: RatingContext, day: date) -> BillingError:
    msg = _ignored_message(cs, ctx, day)
    if msg:
        return BillingError(msg)
    usable = "Finished" if ctx.billing else "Validated or Finished"
    return BillingError(f"rate schedule {cs.code} has no {usable} rate version "
                        f"effective on or before {day.isoformat()}")


def _warn_ignored(cs: CompiledSchedule, ctx: RatingContext, day: date, used: date) -> None:
    for v in _ignored(cs, ctx):
        if used < v.effective <= day:
            ctx.warnings.append(
                f"rate version {v.effective.isoformat()} of {cs.code} is {v.status.label} "
                f"and was not used; rate version {used.isoformat()} was")


# -- the main loop ------------------------------------------------------------------------------
def rate(rate: CompiledRate, ctx: RatingContext, quantities: Sequence[Quantity],
         items: tuple[ItemCount, ...] = (), *, describe: bool = True,
         bypass_register_rules: bool = False,
         estimated: dict[SqKey, Decimal] | None = None,
         intervals: tuple[IntervalQuantity, ...] = (), detail: bool = True) -> Rating:
    rows, sq = prepare_quantities(rate, ctx, quantities, bypass_register_rules, estimated)
    if not items and ctx.agreement is not None:
        items = ctx.agreement.items
    headers: list[CalcHeader] = []
    earlier: list[CalcLine] = []
    detail = detail or rate.reads_lines
    primary_periods = calc_periods(rate, rate.primary, ctx)
    cuts = [s for _, s, _ in primary_periods]
    for cs, periods in [(rate.primary, primary_periods),
                        *[(sub, None) for sub in rate.subs]]:
        if periods is None:
            periods = calc_periods(rate, cs, ctx, cuts)
        is_sub = cs is not rate.primary
        for cv, s, e in periods:
            header = apply_version(rate, cs, cv, s, e, ctx, sq, items, earlier,
                                   len(headers) + 1, describe, intervals, detail)
            if is_sub and not header.lines:
                continue                                  # a sub-rate that adds nothing
            headers.append(header)
            earlier.extend(header.lines)
    return Rating(headers, rows, sq)


def apply_version(rate: CompiledRate, cs: CompiledSchedule, cv: CompiledVersion, start: date,
                  end: date, ctx: RatingContext, sq: ServiceQuantities,
                  items: tuple[ItemCount, ...], earlier: list[CalcLine], header_seq: int,
                  describe: bool = True,
                  intervals: tuple[IntervalQuantity, ...] = (),
                  detail: bool = True) -> CalcHeader:
    """Apply one rate version over one calculation period. ``detail=False`` (amounts only)
    adds up the amounts without building calc lines; the caller allows it only when nothing
    reads earlier lines (no sub-rates, no calculation algorithms)."""
    factors = rate.period_factors(ctx.bill_days, days_in(start, end))
    calc = CalcState(rate, cs, cv, start, end, factors, sq, items, {}, earlier, [], intervals)
    results = calc.results
    inst = ctx.installation
    amount = ZERO
    for cc in cv.components:
        rc = cc.rc
        # characteristics are read as of the consumption period's start (spec/20 §7.3)
        if rc.eligibility and not is_eligible(rc, ctx, results, sq, ctx.start):
            results[rc.sequence] = _INELIGIBLE
            continue
        if rc.season is None:
            gate = ALWAYS
        elif inst is not None and inst.seasonal_override is not None:
            gate = overridden_season(inst, cc, ctx, calc)
        else:
            gate = season_gate(rc.season, start, end, consumption_start=ctx.start,
                               consumption_end=ctx.end, accounting_date=ctx.accounting_date)
        if not gate.applies:
            results[rc.sequence] = _OUT_OF_SEASON
            continue
        override = None
        if inst is not None and inst.proration_override is not None:
            override = overridden_factors(inst, cc, ctx, calc)
        if override is not None:    # spec/30 §3: the override's CPF and KPF (and season)
            calc.factors = override
            if not override.seasonal:
                gate = ALWAYS
        result, drafts = HANDLERS_BY_CODE[cc.type_code](cc, ctx, calc, gate)
        results[rc.sequence] = result
        if not drafts:
            pass
        elif not detail:
            if cc.in_total:
                for d in drafts:
                    if not cc.static_gl:
                        distribution_code(cc, calc, d, ctx)     # the same checks as a line
                    amount += d.amount
        elif not rc.fcpo or rc.create_bill_line:
            out = calc.lines
            for d in drafts:
                line = finish_line(rate, cc, calc, d, len(out) + 1, ctx, describe)
                out.append(line)
                if line.in_total:
                    amount += line.amount
        if override is not None:
            calc.factors = factors
    lines = tuple(calc.lines)
    prorated = factors.kpf is not ONE or factors.cpf is not ONE
    desc = cv.version.description_on_bill
    if describe and desc and "%" in desc:
        desc = render_version_description(desc, prorated=prorated, prorate_days=factors.days,
                                          normal_days=factors.normal_days,
                                          language=ctx.language)
    return CalcHeader(header_seq, cs.code, cv.effective, start, end, amount, desc, lines)


def finish_line(rate: CompiledRate, cc: CompiledComponent, calc: CalcState, d: LineDraft,
                seq: int, ctx: RatingContext, describe: bool) -> CalcLine:
    """spec/20 §6.9: FCPO retention, totals, GL code, print flags and the description."""
    rc = cc.rc
    amount = d.amount
    in_total = cc.in_total
    if rc.fcpo:
        amount = ZERO if rc.fcpo_retention is FcpoRetention.ZERO else \
            round_to(amount, rate.currency_unit)
    dist = cc.gl_code if cc.static_gl else distribution_code(cc, calc, d, ctx)
    key = d.sq_key or _NO_KEY
    f = calc.factors
    q_prorated, v_prorated = d.quantity_prorated, d.value_prorated
    desc = rc.description_on_bill
    if describe and (("%" in desc) or not rc.print):
        desc = render_component_description(desc, _line_text(rate, cc, calc, d, ctx))
    return CalcLine(
        seq, rc.sequence, desc, amount, rc.print, cc.in_summary, key[0], key[1], key[2],
        d.quantity, d.base_amount, cc.measures_peak, d.exempt_amount, dist, in_total,
        rc.print and amount == 0 and not rc.print_if_zero, rc.fcpo, d.start, d.end,
        d.item_count, d.value_defined, d.value_applied, d.step_low, d.step_high,
        f.cpf if q_prorated else ONE, f.kpf if (q_prorated or v_prorated) else ONE,
        d.bff, d.sf, d.msf, f.normal_days,
        d.quantity if rc.gl_statistical_qty else None, rc.characteristics)


def distribution_code(cc: CompiledComponent, calc: CalcState, d: LineDraft,
                      ctx: RatingContext) -> str | None:
    """The GL distribution code of a line: the bill factor characteristic's code for the
    revenue class, else the component's (spec/10 §2.11, spec/20 §2.2). A code kept by revenue
    class needs a revenue class that has one."""
    rc = cc.rc
    dist = None
    bf = cc.bill_factor
    if bf is not None and d.char_value is not None and ctx.revenue_class:
        bfc = bf.characteristic(d.char_value)
        if bfc is not None:
            dist = bfc.gl_distribution.get(ctx.revenue_class)
    if dist is None and rc.gl is not None:
        dist = rc.gl.code_for(ctx.revenue_class)
        if dist is None and rc.gl.by_revenue_class:
            label = (f"component {rc.sequence} of rate version "
                     f"{calc.version.effective.isoformat()} of {calc.schedule.code}")
            if ctx.revenue_class is None:
                raise BillingError(f"{label} takes its distribution code from the revenue "
                                   "class: give a revenue class")
            raise BillingError(f"{label} has no distribution code for revenue class "
                               f"{ctx.revenue_class}")
    return dist


def _line_text(rate: CompiledRate, cc: CompiledComponent, calc: CalcState, d: LineDraft,
               ctx: RatingContext) -> LineText:
    rc = cc.rc
    f = calc.factors
    factor = (f.cpf if d.quantity_prorated else 1) * \
        (f.kpf if (d.quantity_prorated or d.value_prorated) else 1) * d.bff
    if rc.season is not None:
        factor *= d.sf
    decimals = None
    if rc.uom and rc.uom in ctx.uoms:
        decimals = ctx.uoms[rc.uom].decimal_positions
    elif rc.sqi and rc.sqi in ctx.sqis:
        decimals = ctx.sqis[rc.sqi].decimal_positions
    tou = rate.library.tous.get(rc.tou) if rc.tou else None
    summed = d.base_amount if rc.type in (ComponentType.MIN, ComponentType.APPLY_TO,
                                          ComponentType.SUMMARY, ComponentType.MAX,
                                          ComponentType.EXACT) else None
    return LineText(
        amount=d.memory_value if d.memory_value is not None else d.amount,
        currency=rate.currency, fcpo=rc.fcpo, precision=cc.precision, start=d.start,
        end=d.end, item_count=d.item_count, prorated=factor != 1,
        prorate_days=days_in(d.start, d.end), normal_days=f.normal_days,
        prorate_factor=factor if factor != 1 else None, value_defined=d.value_defined,
        value_applied=d.value_applied, is_percent=rc.value_type is ValueType.PERCENT,
        tou_description=tou.description if tou else None, quantity=d.quantity,
        quantity_decimals=decimals, summed_amount=summed, exempt_percent=d.exempt_percent,
        print=rc.print, language=ctx.language)
