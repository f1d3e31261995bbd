"""Rate schedules, rate versions and rate components (spec/10 §2.5–§2.7, spec/20 §2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .controls import SqKey
from .enums import (
    CharEntity,
    Comparison,
    ComponentType,
    CriteriaField,
    CriterionAction,
    FcpoResultType,
    FcpoRetention,
    GroupAction,
    RateScheduleType,
    RateVersionStatus,
    RoundingMethod,
    RvSelectionDate,
    SeasonalMethod,
    ValueSource,
    ValueType,
)

MonthDay = tuple[int, int]


@dataclass(frozen=True)
class AlgorithmRef:
    """A plug-in algorithm named by code, with its parameters (spec/20 §6.12, spec/30 §12)."""

    code: str
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """A tier: the component prices only the quantity between ``low`` and ``high``.

    ``high`` None is an open top tier (infinity).
    """

    low: Decimal
    high: Decimal | None = None


@dataclass(frozen=True)
class Season:
    start: MonthDay
    end: MonthDay
    method: SeasonalMethod

    def contains(self, day: date) -> bool:
        """Both bounds inclusive; a season whose start is after its end wraps the year end."""
        md = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end


@dataclass(frozen=True)
class GlDistribution:
    """Distribution code of a component: one code, or one per revenue class (spec/20 §2.2)."""

    code: str | None = None
    by_revenue_class: Mapping[str, str] = field(default_factory=dict)

    def code_for(self, revenue_class: str | None) -> str | None:
        if self.by_revenue_class:
            if revenue_class is None:
                return None
            return self.by_revenue_class.get(revenue_class)
        return self.code


@dataclass(frozen=True)
class EligibilityCriterion:
    sequence: int
    field: CriteriaField
    comparison: Comparison
    value: str = ""
    if_true: CriterionAction = CriterionAction.CHECK_NEXT
    if_false: CriterionAction = CriterionAction.GROUP_FALSE
    if_insufficient: CriterionAction = CriterionAction.GROUP_FALSE
    char_entity: CharEntity | None = None
    char_type: str | None = None
    rc: int | None = None
    sq: SqKey | None = None
    field_algorithm: AlgorithmRef | None = None
    comparison_algorithm: AlgorithmRef | None = None
    description: str = ""


@dataclass(frozen=True)
class EligibilityGroup:
    sequence: int
    if_true: GroupAction
    if_false: GroupAction
    criteria: tuple[EligibilityCriterion, ...]
    description: str = ""


@dataclass(frozen=True)
class RateComponent:
    """One calculation step of a rate version; usually one bill line (spec/20 §2.1)."""

    sequence: int
    type: ComponentType
    description: str = ""
    description_on_bill: str = ""
    print: bool = True
    print_if_zero: bool = False
    rounding: RoundingMethod = RoundingMethod.NEAREST
    #: Rounding increment; None means the currency unit of the primary rate schedule.
    precision: Decimal | None = None
    fcpo: bool = False
    result_type: FcpoResultType | None = None
    create_bill_line: bool = False
    fcpo_retention: FcpoRetention | None = None
    value_type: ValueType | None = None
    value_source: ValueSource = ValueSource.VALUE
    value: Decimal | None = None
    bill_factor: str | None = None
    value_rc: int | None = None
    value_algorithm: AlgorithmRef | None = None
    season: Season | None = None
    uom: str | None = None
    tou: str | None = None
    sqi: str | None = None
    error_if_no_value: bool = False
    step: Step | None = None
    step_rc: int | None = None
    step_algorithm: AlgorithmRef | None = None
    gl_statistical_qty: bool = False
    #: None means "as the unit of measure says" (spec/20 §2.1 default from the UOM).
    measures_peak: bool | None = None
    item_type: str | None = None
    #: TOU_PRICING: the TOU map that assigns interval quantities to TOU periods.
    tou_map: str | None = None
    calc_algorithm: AlgorithmRef | None = None
    audit_algorithm: AlgorithmRef | None = None
    derive_sq: bool = False
    xrefs: tuple[int, ...] = ()
    gl: GlDistribution | None = None
    characteristics: tuple[tuple[str, str], ...] = ()
    eligibility: tuple[EligibilityGroup, ...] = ()

    @property
    def sq_key(self) -> SqKey:
        return SqKey(self.uom, self.tou, self.sqi)

    @property
    def stepped(self) -> bool:
        return self.step is not None


@dataclass(frozen=True)
class RateVersion:
    effective: date
    status: RateVersionStatus
    components: tuple[RateComponent, ...] = ()
    description_on_bill: str = ""

    def component(self, sequence: int) -> RateComponent | None:
        for rc in self.components:
            if rc.sequence == sequence:
                return rc
        return None


@dataclass(frozen=True)
class RuleLink:
    """A rule attached to a rate schedule; ``sequence`` sets the execution order."""

    sequence: int
    rule: str


@dataclass(frozen=True)
class BillMessageLink:
    message: str
    start: date
    end: date | None = None


@dataclass(frozen=True)
class RateSchedule:
    code: str
    description: str
    type: RateScheduleType = RateScheduleType.PRIMARY
    service_type: str | None = None
    frequency: str | None = None
    currency: str | None = None
    allow_estimates: bool = False
    allow_rv_proration: bool = True
    rv_selection_date: RvSelectionDate | None = None
    sq_rules: tuple[RuleLink, ...] = ()
    register_rules: tuple[RuleLink, ...] = ()
    bill_messages: tuple[BillMessageLink, ...] = ()
    meter_config_types: tuple[str, ...] = ()
    #: Subsidiary rate schedules, in invocation order.
    sub_rates: tuple[RuleLink, ...] = ()
    versions: tuple[RateVersion, ...] = ()

    @property
    def is_primary(self) -> bool:
        return self.type is RateScheduleType.PRIMARY

    def version(self, effective: date) -> RateVersion | None:
        for rv in self.versions:
            if rv.effective == effective:
                return rv
        return None
