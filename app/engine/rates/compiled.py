"""Compiling a rate: resolve every reference of a rate schedule once (sub-rates, rules, bill
factors, units), validate it, sort components and index bill factor values, so that applying
it to thousands of bill periods does no lookups by name."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from .bill_factors import BillFactor
from .controls import Currency, Frequency, RegisterRule, SqKey, SqRule
from .enums import (
    ALLOWED_VALUE_TYPES,
    UNIT_RATE_XREF_TARGETS,
    XREF_TYPES,
    BillFactorType,
    ComponentType,
    RateScheduleType,
    RateVersionStatus,
    SeasonalMethod,
    ValueSource,
    ValueType,
)
from .errors import RateDefinitionError
from .library import RateLibrary
from .plugins import CALCULATION, RC_VALUE, REGISTRY, STEP
from .proration import PeriodFactors, period_factors
from .rounding import ROUNDING_MODES
from .schedules import RateComponent, RateSchedule, RateVersion

T = TypeVar("T")

USABLE_FOR_CHECK = frozenset({RateVersionStatus.VALIDATED, RateVersionStatus.FINISHED})
USABLE_FOR_BILLING = frozenset({RateVersionStatus.FINISHED})
FCPO_MIN_PRECISION = Decimal("0.00001")


@dataclass(frozen=True)
class CompiledComponent:
    rc: RateComponent
    precision: Decimal
    measures_peak: bool
    bill_factor: BillFactor | None
    #: A SUMMARY component of the same version references this one.
    in_summary: bool
    #: decimal rounding mode of ``rc.rounding`` and whether ``precision`` is a power of ten
    #: (then rounding is one ``quantize``).
    rounding_mode: str = ROUND_HALF_UP
    power_of_ten: bool = True
    #: Lines count in the bill total (not FCPO, not SUMMARY).
    in_total: bool = True
    sq_key: SqKey = SqKey()
    #: The distribution code is the same for every line (no per-revenue-class or
    #: per-characteristic codes), so it is worked out once: ``gl_code``.
    static_gl: bool = True
    gl_code: str | None = None
    #: ``rc.type`` as a plain string: enum members hash in Python code, plain strings in C,
    #: and the handler is looked up by type for every component of every bill.
    type_code: str = ""
    #: The value is already prorated: from another component, or from a value algorithm that
    #: adds up prorated amounts (spec/30 §5.1 exception 3).
    value_prorated_at_source: bool = False


@dataclass(frozen=True)
class CompiledVersion:
    version: RateVersion
    components: tuple[CompiledComponent, ...]

    @property
    def effective(self) -> date:
        return self.version.effective


@dataclass(frozen=True)
class CompiledSchedule:
    schedule: RateSchedule
    versions: tuple[CompiledVersion, ...]           # usable ones (Validated or Finished), by date
    ignored: tuple[RateVersion, ...]                # In Progress versions, for messages
    register_rules: tuple[RegisterRule, ...]
    sq_rules: tuple[SqRule, ...]

    @property
    def code(self) -> str:
        return self.schedule.code


@dataclass(frozen=True)
class BillFactorIndex:
    """Effective dates and values of one bill factor characteristic, for bisect lookups."""

    dates: tuple[date, ...]
    values: tuple[Decimal, ...]

    def value_on(self, day: date) -> Decimal | None:
        i = bisect_right(self.dates, day)
        return self.values[i - 1] if i else None

    def changes_between(self, start: date, end: date) -> bool:
        """True when a value takes effect after ``start`` and on or before ``end``."""
        dates = self.dates
        return bisect_right(dates, start) != bisect_right(dates, end)

    def changes_within(self, start: date, end: date) -> list[date]:
        """Effective dates d with start < d <= end."""
        lo = bisect_right(self.dates, start)
        hi = bisect_right(self.dates, end)
        return list(self.dates[lo:hi])


@dataclass(frozen=True)
class CompiledRate:
    library: RateLibrary
    primary: CompiledSchedule
    subs: tuple[CompiledSchedule, ...]
    currency: Currency
    frequency: Frequency
    bill_factors: Mapping[str, BillFactor]
    #: The currency unit (0.01 for USD), kept so rating does not recompute it.
    currency_unit: Decimal
    #: (bill factor, characteristic value) -> value index
    bf_index: Mapping[tuple[str, str], BillFactorIndex] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    #: Something reads earlier calc lines (a sub-rate's C1-RC-CLAMT, any calculation
    #: algorithm), so lines are always built, even for an amounts-only batch.
    reads_lines: bool = False
    _factors: dict[tuple[int, int], PeriodFactors] = field(default_factory=dict, repr=False,
                                                           compare=False)

    @property
    def code(self) -> str:
        return self.primary.code

    @property
    def schedule(self) -> RateSchedule:
        return self.primary.schedule

    def period_factors(self, consumption_days: int, days: int) -> PeriodFactors:
        """CPF and KPF for a calculation period of ``days`` in a bill of ``consumption_days``
        (memoised: a rate sees the same few combinations over and over)."""
        key = (consumption_days, days)
        found = self._factors.get(key)
        if found is None:
            found = self._factors[key] = period_factors(self.frequency, consumption_days, days)
        return found

    def index(self, bf: str, char_value: str) -> BillFactorIndex | None:
        return self.bf_index.get((bf, char_value))


# --------------------------------------------------------------------------------------------
def compile_rate(library: RateLibrary, code: str) -> CompiledRate:
    schedule = library.schedule(code)
    if schedule.type is RateScheduleType.SUBSIDIARY:
        users = sorted(s.code for s in library.rate_schedules.values()
                       if any(link.rule == code for link in s.sub_rates))
        hint = f" (used by {', '.join(users)})" if users else ""
        raise RateDefinitionError(
            f"{code} is a subsidiary rate schedule: sub rates cannot be checked directly; "
            f"check a primary rate that uses it{hint}")
    where = f"rate schedule {code}"
    if not schedule.frequency:
        raise RateDefinitionError(f"{where} needs a frequency")
    if not schedule.currency:
        raise RateDefinitionError(f"{where} needs a currency")
    frequency = _lookup(library.frequencies, schedule.frequency, "frequency", where)
    currency = _lookup(library.currencies, schedule.currency, "currency", where)
    if not schedule.allow_rv_proration and schedule.rv_selection_date is None:
        raise RateDefinitionError(
            f"{where} does not prorate rate versions, so it needs an rv_selection_date")

    warnings: list[str] = []
    bill_factors: dict[str, BillFactor] = {}
    primary = _compile_schedule(library, schedule, currency, bill_factors, warnings)
    subs = []
    for link in sorted(schedule.sub_rates, key=lambda s: s.sequence):
        sub = _lookup(library.rate_schedules, link.rule, "sub-rate schedule", where)
        if sub.type is not RateScheduleType.SUBSIDIARY:
            raise RateDefinitionError(
                f"{where}: sub rate {sub.code} must be a SUBSIDIARY rate schedule")
        subs.append(_compile_schedule(library, sub, currency, bill_factors, warnings))

    for bf in list(bill_factors.values()):
        _check_tou_sets(library, bf)
    # Rules and algorithms name bill factors by code too, so the whole library is indexed.
    bill_factors.update(library.bill_factors)
    index: dict[tuple[str, str], BillFactorIndex] = {}
    for bf in bill_factors.values():
        for cv, bfc in bf.characteristics.items():
            values = sorted(bfc.values, key=lambda v: v.effective)
            index[(bf.code, cv)] = BillFactorIndex(tuple(v.effective for v in values),
                                                   tuple(v.value for v in values))
    reads_lines = bool(subs) or any(
        cc.rc.type is ComponentType.CALC_ALG
        for cs in (primary, *subs) for cv in cs.versions for cc in cv.components)
    return CompiledRate(library, primary, tuple(subs), currency, frequency, bill_factors,
                        currency.unit, index, tuple(warnings), reads_lines)


def _lookup(mapping: Mapping[str, T], code: str, what: str, where: str) -> T:
    try:
        return mapping[code]
    except KeyError:
        raise RateDefinitionError(f"{where} refers to {what} {code!r}, which is not defined") \
            from None


def _compile_schedule(library: RateLibrary, schedule: RateSchedule, currency: Currency,
                      bill_factors: dict[str, BillFactor],
                      warnings: list[str]) -> CompiledSchedule:
    where = f"rate schedule {schedule.code}"
    if schedule.type is RateScheduleType.SUBSIDIARY and schedule.register_rules:
        raise RateDefinitionError(f"{where} is subsidiary and cannot have register rules")
    register_rules = tuple(
        _lookup(library.register_rules, link.rule, "register rule", where)
        for link in sorted(schedule.register_rules, key=lambda r: r.sequence))
    sq_rules = tuple(
        _lookup(library.sq_rules, link.rule, "SQ rule", where)
        for link in sorted(schedule.sq_rules, key=lambda r: r.sequence))
    from .plugins import REGISTER_RULE, SQ_RULE
    for rr in register_rules:
        REGISTRY.get(REGISTER_RULE, rr.algorithm)
    for sr in sq_rules:
        REGISTRY.get(SQ_RULE, sr.algorithm)

    versions: list[CompiledVersion] = []
    ignored: list[RateVersion] = []
    for rv in sorted(schedule.versions, key=lambda v: v.effective):
        if rv.status in USABLE_FOR_CHECK:
            versions.append(_compile_version(library, schedule, rv, currency, bill_factors,
                                             warnings))
        else:
            ignored.append(rv)
    return CompiledSchedule(schedule, tuple(versions), tuple(ignored), register_rules,
                            sq_rules)


def _compile_version(library: RateLibrary, schedule: RateSchedule, rv: RateVersion,
                     currency: Currency, bill_factors: dict[str, BillFactor],
                     warnings: list[str]) -> CompiledVersion:
    problems = validate_version(library, schedule, rv, currency)
    errors = [p for p in problems if not p.warning]
    if errors:
        raise RateDefinitionError(errors[0].message)
    warnings.extend(p.message for p in problems if p.warning)
    summarised = {s for rc in rv.components if rc.type is ComponentType.SUMMARY
                  for s in rc.xrefs}
    out = []
    for rc in sorted(rv.components, key=lambda r: r.sequence):
        bf = None
        if rc.value_source is ValueSource.BILL_FACTOR and rc.bill_factor:
            bf = library.bill_factors[rc.bill_factor]
            bill_factors[bf.code] = bf
        if rc.measures_peak is not None:
            peak = rc.measures_peak
        else:
            uom = library.uoms.get(rc.uom) if rc.uom else None
            peak = bool(uom and uom.measures_peak)
        precision = rc.precision or currency.unit
        out.append(CompiledComponent(rc, precision, peak, bf, rc.sequence in summarised,
                                     ROUNDING_MODES[rc.rounding],
                                     precision.as_tuple().digits == (1,),
                                     not rc.fcpo and rc.type is not ComponentType.SUMMARY,
                                     rc.sq_key, *_static_gl(rc, bf), str(rc.type.value),
                                     _value_prorated_at_source(rc)))
    return CompiledVersion(rv, tuple(out))


def _value_prorated_at_source(rc: RateComponent) -> bool:
    if rc.value_source is ValueSource.OTHER_RC:
        return True
    if rc.value_source is ValueSource.VALUE_ALGORITHM and rc.value_algorithm is not None:
        return REGISTRY.get(RC_VALUE, rc.value_algorithm.code).prorated
    return False


def _check_tou_sets(library: RateLibrary, bf: BillFactor) -> None:
    """TOU values change as a complete set: each effective-dated set gives a value for every
    TOU of its group (spec/10 §2.12, EX-13)."""
    for bfc in bf.characteristics.values():
        for t in bfc.tou_values:
            group = library.tou_groups.get(t.tou_group)
            if group is None:
                raise RateDefinitionError(
                    f"bill factor {bf.code}, {bf.char_type}={bfc.char_value}: TOU group "
                    f"{t.tou_group!r} is not defined")
            missing = [m for m in group.members if m not in t.values]
            extra = [k for k in t.values if k not in group.members]
            if missing or extra:
                problem = (f"has no value for {', '.join(missing)}" if missing else
                           f"gives {', '.join(extra)}, which {'is' if len(extra) == 1 else 'are'}"
                           f" not in the group")
                raise RateDefinitionError(
                    f"bill factor {bf.code}, {bf.char_type}={bfc.char_value}: the TOU group "
                    f"{t.tou_group} values effective {t.effective.isoformat()} {problem}; a "
                    "TOU group's values change as a complete set")


def _static_gl(rc: RateComponent, bf: BillFactor | None) -> tuple[bool, str | None]:
    if rc.fcpo or rc.type is ComponentType.SUMMARY:
        return True, None
    if bf is not None and any(c.gl_distribution for c in bf.characteristics.values()):
        return False, None
    if rc.gl is not None and rc.gl.by_revenue_class:
        return False, None
    return True, rc.gl.code if rc.gl is not None else None


# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ValidationProblem:
    message: str
    sequence: int | None = None
    warning: bool = False


def validate_version(library: RateLibrary, schedule: RateSchedule, rv: RateVersion,
                     currency: Currency) -> list[ValidationProblem]:
    """Cross-validation of a rate version (spec/20 §2.3), run when it moves to Validated or
    Finished and whenever it is compiled for use."""
    label = f"rate version {rv.effective.isoformat()} of {schedule.code}"
    out: list[ValidationProblem] = []
    by_seq: dict[int, RateComponent] = {}
    for rc in rv.components:
        if rc.sequence in by_seq:
            out.append(ValidationProblem(
                f"{label}: sequence {rc.sequence} is used twice", rc.sequence))
        by_seq[rc.sequence] = rc
    cu = currency.unit

    def err(rc: RateComponent, text: str, warning: bool = False) -> None:
        out.append(ValidationProblem(f"{label}, component {rc.sequence}: {text}", rc.sequence,
                                     warning))

    def earlier(rc: RateComponent, ref: int, what: str, fcpo: bool = False) -> None:
        target = by_seq.get(ref)
        if target is None:
            err(rc, f"{what} {ref} does not exist in this rate version")
        elif ref >= rc.sequence:
            err(rc, f"{what} {ref} must come before it (a lower sequence)")
        elif fcpo and not target.fcpo:
            err(rc, f"{what} {ref} must be a calculation-only (FCPO) component")

    for rc in rv.components:
        t = rc.type
        precision = rc.precision if rc.precision is not None else cu
        if precision <= 0:
            err(rc, "precision must be greater than zero")
        elif rc.fcpo and precision < FCPO_MIN_PRECISION:
            err(rc, f"precision {precision} is finer than 0.00001, the finest a "
                    "calculation-only component may use")
        elif not rc.fcpo and (precision < cu or precision % cu != 0):
            err(rc, f"precision {precision} must be a multiple of the currency unit {cu} "
                    f"of {currency.code}")
        if rc.fcpo and rc.result_type is None:
            err(rc, "a calculation-only (FCPO) component needs a result type")
        if rc.fcpo_retention is not None and not rc.create_bill_line:
            err(rc, "FCPO retention applies only when the component creates a bill line")
        if rc.fcpo and rc.create_bill_line and rc.fcpo_retention is None:
            err(rc, "a calculation-only component that creates a bill line needs a retention "
                    "(ZERO or RETAIN)")
        for ref in rc.xrefs:
            earlier(rc, ref, "cross reference")
        if rc.xrefs and t not in XREF_TYPES:
            err(rc, f"a {t.value} component cannot have cross references")
        if t in XREF_TYPES and t is not ComponentType.CALC_ALG and not rc.xrefs:
            err(rc, f"a {t.value} component needs at least one cross reference")
        if t is ComponentType.APPLY_TO and rc.value_type is ValueType.UNIT_RATE:
            for ref in rc.xrefs:
                target = by_seq.get(ref)
                if target is not None and target.type not in UNIT_RATE_XREF_TARGETS:
                    err(rc, f"a unit-rate Apply To may reference only SQ, item, interval "
                            f"pricing or calculation algorithm components, not {ref} "
                            f"({target.type.value})")
        if t is not ComponentType.SUMMARY:
            if rc.value_type is None and t is not ComponentType.CALC_ALG:
                err(rc, "needs a value type")
            src = rc.value_source
            if src is ValueSource.VALUE and rc.value is None and t is not ComponentType.CALC_ALG:
                err(rc, "needs a value")
            elif src is ValueSource.BILL_FACTOR:
                if not rc.bill_factor:
                    err(rc, "needs a bill factor")
                elif rc.bill_factor not in library.bill_factors:
                    err(rc, f"refers to bill factor {rc.bill_factor!r}, which is not defined")
                else:
                    bf = library.bill_factors[rc.bill_factor]
                    if bf.currency != currency.code:
                        err(rc, f"bill factor {bf.code} is in {bf.currency}, the rate is in "
                                f"{currency.code}")
                    if bf.type is BillFactorType.INTERVAL and \
                            t is not ComponentType.INTERVAL_PRICING:
                        err(rc, f"bill factor {bf.code} holds interval values; price it with "
                                "an INTERVAL_PRICING component, a register rule (RT) or a "
                                "value algorithm")
                    if t is ComponentType.INTERVAL_PRICING and \
                            bf.type is not BillFactorType.INTERVAL:
                        err(rc, f"an interval pricing component needs an INTERVAL bill factor; "
                                f"{bf.code} is {bf.type.value}")
                    if t is ComponentType.TOU_PRICING and bf.type is not BillFactorType.TOU:
                        err(rc, f"a TOU pricing component needs a TOU bill factor; {bf.code} "
                                f"is {bf.type.value}")
            elif src is ValueSource.OTHER_RC:
                if rc.value_rc is None:
                    err(rc, "needs the component its value comes from (value_rc)")
                else:
                    earlier(rc, rc.value_rc, "value component", fcpo=True)
            elif src is ValueSource.VALUE_ALGORITHM:
                if rc.value_algorithm is None:
                    err(rc, "needs a value algorithm")
                elif not REGISTRY.has(RC_VALUE, rc.value_algorithm.code):
                    err(rc, f"there is no value algorithm {rc.value_algorithm.code!r}")
        allowed = ALLOWED_VALUE_TYPES.get(t)
        if allowed and rc.value_type is not None and rc.value_type not in allowed:
            err(rc, f"a {t.value} component's value type is "
                    f"{' or '.join(v.value for v in allowed)}, not {rc.value_type.value}")
        if rc.season is not None and rc.season.method is SeasonalMethod.PRORATE_SEASONAL_SQ \
                and t is not ComponentType.SQ:
            err(rc, "PRORATE_SEASONAL_SQ applies only to SQ components (spec/20 §6.10)")
        if t is ComponentType.SQ and not (rc.uom or rc.tou or rc.sqi):
            err(rc, "an SQ component needs a UOM, TOU or SQI")
        for code, table, what in ((rc.uom, library.uoms, "unit of measure"),
                                  (rc.tou, library.tous, "time of use"),
                                  (rc.sqi, library.sqis, "service quantity identifier")):
            if code and table and code not in table:
                err(rc, f"refers to {what} {code!r}, which is not defined")
        if rc.step is not None:
            if rc.step.low < 0:
                err(rc, "the step's low bound cannot be negative")
            if rc.step.high is not None and rc.step.high <= rc.step.low:
                err(rc, "the step's high bound must be above its low bound")
            if rc.step_rc is not None:
                earlier(rc, rc.step_rc, "step multiplier component", fcpo=True)
            if rc.step_algorithm and not REGISTRY.has(STEP, rc.step_algorithm.code):
                err(rc, f"there is no step algorithm {rc.step_algorithm.code!r}")
        elif rc.step_rc is not None or rc.step_algorithm is not None:
            err(rc, "a step multiplier or step algorithm needs a step")
        if t is ComponentType.ITEM and not rc.item_type:
            err(rc, "an item component needs an item type")
        if t is ComponentType.CALC_ALG:
            if rc.calc_algorithm is None:
                err(rc, "a calculation algorithm component needs its algorithm")
            elif not REGISTRY.has(CALCULATION, rc.calc_algorithm.code):
                err(rc, f"there is no calculation algorithm {rc.calc_algorithm.code!r}")
        if t in (ComponentType.INTERVAL_PRICING, ComponentType.TOU_PRICING):
            if not rc.uom:
                err(rc, f"a {t.value} component needs the UOM of its interval data")
            if rc.value_source is not ValueSource.BILL_FACTOR:
                err(rc, f"a {t.value} component takes its prices from a bill factor")
        if t is ComponentType.TOU_PRICING:
            if not rc.tou_map:
                err(rc, "a TOU pricing component needs a TOU map")
            elif rc.tou_map not in library.tou_maps:
                err(rc, f"refers to TOU map {rc.tou_map!r}, which is not defined")
        elif rc.tou_map:
            err(rc, "only a TOU pricing component uses a TOU map")
        for group in rc.eligibility:
            for c in group.criteria:
                if c.rc is not None:
                    earlier(rc, c.rc, "eligibility criterion component")
        if rc.gl is None and not rc.fcpo and t is not ComponentType.SUMMARY:
            err(rc, "has no GL distribution code; its lines will carry none", warning=True)
    return out
