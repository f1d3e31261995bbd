"""The YAML shape of every rate library definition (docs/rate-files.md).

One :class:`Obj` per model class lists its YAML keys in the order the dumper writes them; the
loader and the dumper of :mod:`.rate_files` both read these specs, so the two cannot drift
apart. Loading works on composed YAML nodes rather than constructed Python values, so every
key and value keeps its line and its text exactly as written: ``0.10`` stays
``Decimal("0.10")``, a characteristic value ``NO`` or ``0100`` stays a string, and a key
given twice in one mapping is an error instead of silently winning.

Optional fields at their model default are omitted on dump; a key whose value is empty
(``null``, ``~`` or nothing) means the same as leaving the key out.

The generic node helpers and kinds these specs are built from live in :mod:`.yaml_kinds`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from yaml.nodes import Node, SequenceNode

from .bill_factors import (
    BillFactor,
    BillFactorCharacteristic,
    BillFactorTouValue,
    BillFactorValue,
    IntervalValue,
    IntervalValueSet,
)
from .controls import (
    Currency,
    Frequency,
    RegisterRule,
    ServiceQuantityIdentifier,
    SqKey,
    SqRule,
    TimeOfUse,
    TouGroup,
    TouMap,
    TouMapPeriod,
    UnitOfMeasure,
)
from .enums import (
    ALLOWED_VALUE_TYPES,
    XREF_TYPES,
    BillFactorType,
    CharEntity,
    CharSource,
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
    SqQtyToUse,
    SqRuleProcessing,
    TosUsage,
    ValueSource,
    ValueType,
)
from .schedules import (
    AlgorithmRef,
    BillMessageLink,
    EligibilityCriterion,
    EligibilityGroup,
    GlDistribution,
    RateComponent,
    RateSchedule,
    RateVersion,
    RuleLink,
    Season,
    Step,
)
from .yaml_kinds import (
    At,
    Bool,
    Code,
    Date,
    DateTime,
    Dec,
    EnumKind,
    F,
    Fields,
    Int,
    Kind,
    ListKind,
    MapKind,
    MonthDay,
    Obj,
    OneOf,
    OptText,
    PairsKind,
    Text,
    TimeOfDay,
    expect_mapping,
    join,
    line_of,
    pairs,
)

# ---------------------------------------------------------------------------------------------
# Control tables (spec/10 §2.1–§2.4)
# ---------------------------------------------------------------------------------------------

TEXT, CODE, DEC, BOOL, DATE = Text(), Code(), Dec(), Bool(), Date()
SEQUENCE = Int(minimum=0)
DESCRIPTION = F("description", TEXT)


def _e(cls: type[StrEnum]) -> EnumKind:
    return EnumKind(cls)


CURRENCY = Obj(Currency, [F("decimals", Int(minimum=0)), F("symbol", TEXT)],
               code_attr="code", empty_ok=True)
FREQUENCY = Obj(Frequency, [DESCRIPTION, F("periods_per_year", Int(minimum=1)),
                            F("min_days_offset", Int(minimum=0)),
                            F("max_days_offset", Int(minimum=0))], code_attr="code")
UOM = Obj(UnitOfMeasure, [DESCRIPTION, F("decimal_positions", Int(minimum=0)),
                          F("measures_peak", BOOL)], code_attr="code")
TOU = Obj(TimeOfUse, [DESCRIPTION], code_attr="code")
TOU_GROUP = Obj(TouGroup, [DESCRIPTION, F("members", ListKind(CODE, unique=True, min_items=1,
                                                               what="member TOU"))],
                code_attr="code")
TOU_MAP_PERIOD = Obj(TouMapPeriod, [F("start", TimeOfDay()), F("end", TimeOfDay()),
                                    F("tou", CODE)])
TOU_MAP = Obj(TouMap, [DESCRIPTION, F("periods", ListKind(TOU_MAP_PERIOD, min_items=1,
                                                          what="period"))],
              code_attr="code")
SQI = Obj(ServiceQuantityIdentifier, [DESCRIPTION, F("decimal_positions", Int(minimum=0))],
          code_attr="code")
PARAMS = ListKind(OptText())
REGISTER_RULE = Obj(RegisterRule, [DESCRIPTION, F("algorithm", CODE), F("params", PARAMS),
                                   F("comments", TEXT)], code_attr="code")
SQ_KEY = Obj(SqKey, [F("uom", CODE), F("tou", CODE), F("sqi", CODE)], empty_ok=True)
SQ_RULE = Obj(SqRule, [DESCRIPTION, F("algorithm", CODE), F("params", PARAMS),
                       F("output", SQ_KEY), F("qty_to_use", _e(SqQtyToUse)),
                       F("create_billing_error", BOOL), F("processing", _e(SqRuleProcessing)),
                       F("long_description", TEXT)], code_attr="code")

# ---------------------------------------------------------------------------------------------
# Rate components (spec/20 §2)
# ---------------------------------------------------------------------------------------------

ALGORITHM = OneOf(
    Obj(AlgorithmRef, [F("code", CODE), F("params", MapKind(TEXT))]),
    short=AlgorithmRef,
    shorten=lambda ref: None if ref.params else ref.code,
)


def _check_step(step: Step, f: Fields) -> None:
    if step.low < 0:
        f.fail("low", f"a step's low bound must not be negative, found {step.low}")
    if step.high is not None and step.high <= step.low:
        f.fail("high", f"a step's high bound must be greater than its low bound "
                       f"({step.high} <= {step.low}); leave high out for an open top step")


def _check_gl(gl: GlDistribution, f: Fields) -> None:
    if (gl.code is None) == (not gl.by_revenue_class):
        f.fail("code", "a GL distribution has either 'code' or 'by_revenue_class', "
                       "exactly one of the two")


STEP = Obj(Step, [F("low", DEC), F("high", DEC)], check=_check_step)
SEASON = Obj(Season, [F("start", MonthDay()), F("end", MonthDay()),
                      F("method", _e(SeasonalMethod))])
GL = Obj(GlDistribution, [F("code", CODE), F("by_revenue_class", MapKind(CODE, min_items=1,
                                                                          what="revenue class"))],
         check=_check_gl)

_CRITERION_NEEDS = {
    CriteriaField.CHARACTERISTIC: ("char_entity", "char_type"),
    CriteriaField.RC_VALUE: ("rc",),
    CriteriaField.SQ: ("sq",),
    CriteriaField.ALGORITHM: ("field_algorithm",),
}


def _check_criterion(c: EligibilityCriterion, f: Fields) -> None:
    needs = _CRITERION_NEEDS[c.field]
    for fld, keys in _CRITERION_NEEDS.items():
        for key in keys:
            given = getattr(c, key) is not None
            if fld is c.field and not given:
                f.fail(key, f"a {c.field} criterion needs {key!r}")
            if fld is not c.field and given and key not in needs:
                f.fail(key, f"{key!r} is used only by a {fld} criterion; this one's field "
                            f"is {c.field}")
    if c.sq is not None and not any(c.sq):
        f.fail("sq", "an SQ criterion needs at least one of uom, tou or sqi in 'sq'")
    is_algorithm = c.comparison is Comparison.ALGORITHM
    if is_algorithm and c.comparison_algorithm is None:
        f.fail("comparison_algorithm", "comparison ALGORITHM needs 'comparison_algorithm'")
    if not is_algorithm and c.comparison_algorithm is not None:
        f.fail("comparison_algorithm",
               "'comparison_algorithm' is used only with comparison: ALGORITHM")
    if c.comparison is Comparison.BETWEEN and (
            len(parts := c.value.split(",")) != 2 or not all(p.strip() for p in parts)):
        f.fail("value", f"BETWEEN compares with 'low,high', found {c.value!r}")
    if c.comparison is Comparison.IN and not c.value.strip():
        f.fail("value", "IN compares with a comma-separated list of values, found nothing")


CRITERION = Obj(EligibilityCriterion, [
    F("sequence", SEQUENCE), F("field", _e(CriteriaField)), F("char_entity", _e(CharEntity)),
    F("char_type", CODE), F("rc", SEQUENCE), F("sq", SQ_KEY), F("field_algorithm", ALGORITHM),
    F("comparison", _e(Comparison)), F("value", TEXT),
    F("comparison_algorithm", ALGORITHM), F("if_true", _e(CriterionAction)),
    F("if_false", _e(CriterionAction)), F("if_insufficient", _e(CriterionAction)),
    DESCRIPTION], check=_check_criterion)
GROUP = Obj(EligibilityGroup, [
    F("sequence", SEQUENCE), F("description", TEXT), F("if_true", _e(GroupAction)),
    F("if_false", _e(GroupAction)),
    F("criteria", ListKind(CRITERION, key=("sequence",), min_items=1, what="criterion"))])

#: Value types each component type accepts (spec/20 §1.1); absent = any.
#: Component types that price a number of their own, so need a value type and a value.
PRICED_TYPES = frozenset(ALLOWED_VALUE_TYPES)
#: Component types that add up other components and are useless without xrefs.
NEEDS_XREFS = XREF_TYPES - {ComponentType.CALC_ALG}
_SOURCE_FIELD = {
    ValueSource.VALUE: "value",
    ValueSource.BILL_FACTOR: "bill_factor",
    ValueSource.OTHER_RC: "value_rc",
    ValueSource.VALUE_ALGORITHM: "value_algorithm",
}
_ONLY_FOR = {
    "step": ComponentType.SQ, "step_rc": ComponentType.SQ, "step_algorithm": ComponentType.SQ,
    "item_type": ComponentType.ITEM, "calc_algorithm": ComponentType.CALC_ALG,
    "audit_algorithm": ComponentType.CALC_ALG, "derive_sq": ComponentType.CALC_ALG,
    "tou_map": ComponentType.TOU_PRICING,
}
MIN_FCPO_PRECISION = Decimal("0.00001")


def _given(value: Any) -> bool:
    return value is not None and value is not False


def _check_component(rc: RateComponent, f: Fields) -> None:
    t = rc.type
    # what the type needs
    if t is ComponentType.SQ and rc.uom is None and rc.tou is None and rc.sqi is None:
        f.fail("uom", "an SQ component needs at least one of uom, tou or sqi")
    if t is ComponentType.ITEM and rc.item_type is None:
        f.fail("item_type", "an ITEM component needs 'item_type'")
    if t is ComponentType.CALC_ALG and rc.calc_algorithm is None:
        f.fail("calc_algorithm", "a CALC_ALG component needs 'calc_algorithm'")
    if t in NEEDS_XREFS and not rc.xrefs:
        f.fail("xrefs", f"a {t} component needs 'xrefs' (the sequences it applies to)")
    # fields other types do not use
    for key, only in _ONLY_FOR.items():
        if _given(getattr(rc, key)) and t is not only:
            f.fail(key, f"{key!r} is used only by {only} components; this one is {t}")
    if rc.xrefs and t not in XREF_TYPES:
        f.fail("xrefs", f"'xrefs' is used only by {', '.join(sorted(XREF_TYPES))} components; "
                        f"this one is {t}")
    if (rc.step_rc is not None or rc.step_algorithm is not None) and rc.step is None:
        f.fail("step_rc" if rc.step_rc is not None else "step_algorithm",
               "'step_rc' and 'step_algorithm' adjust a step: add 'step'")
    for key in ("value_rc", "step_rc"):
        if getattr(rc, key) == rc.sequence:
            f.fail(key, f"a component cannot refer to itself ({key} {rc.sequence})")
    if rc.sequence in rc.xrefs:
        f.fail("xrefs", f"a component cannot refer to itself (xref {rc.sequence})")
    _check_value(rc, f)
    # rounding and FCPO
    if rc.precision is not None:
        if rc.precision <= 0:
            f.fail("precision", f"precision is a rounding increment such as 0.01 and must be "
                                f"greater than 0, found {rc.precision}")
        if rc.fcpo and rc.precision < MIN_FCPO_PRECISION:
            f.fail("precision", f"an FCPO component's precision must be at least "
                                f"{MIN_FCPO_PRECISION}, found {rc.precision}")
    if rc.fcpo and rc.result_type is None:
        f.fail("result_type", "an FCPO component needs 'result_type' "
                              f"({', '.join(m.value for m in FcpoResultType)})")
    if not rc.fcpo:
        for key in ("result_type", "create_bill_line"):
            if _given(getattr(rc, key)):
                f.fail(key, f"{key!r} is used only by FCPO components (fcpo: true)")
    if rc.create_bill_line and rc.fcpo_retention is None:
        f.fail("fcpo_retention", "an FCPO component with create_bill_line needs "
                                 "'fcpo_retention' (ZERO or RETAIN)")
    if rc.fcpo_retention is not None and not rc.create_bill_line:
        f.fail("fcpo_retention", "'fcpo_retention' is used only with create_bill_line: true")
    if rc.print_if_zero and not rc.print:
        f.fail("print_if_zero", "'print_if_zero' needs print: true")


def _check_value(rc: RateComponent, f: Fields) -> None:
    t = rc.type
    if t is ComponentType.SUMMARY:
        for key in ("value_type", *_SOURCE_FIELD.values()):
            if getattr(rc, key) is not None:
                f.fail(key, f"a SUMMARY component has no value; remove {key!r}")
        if rc.value_source is not ValueSource.VALUE:
            f.fail("value_source", "a SUMMARY component has no value; remove 'value_source'")
        return
    allowed = ALLOWED_VALUE_TYPES.get(t)
    if allowed is not None:
        names = " or ".join(v.value for v in allowed)
        if rc.value_type is None:
            f.fail("value_type", f"a {t} component needs 'value_type' ({names})")
        if rc.value_type not in allowed:
            f.fail("value_type", f"a {t} component's value_type is {names}, "
                                 f"found {rc.value_type}")
    for source, key in _SOURCE_FIELD.items():
        if source is not rc.value_source and getattr(rc, key) is not None:
            f.fail(key, f"{key!r} is used only with value_source: {source}, "
                        f"and this component's value_source is {rc.value_source}")
    key = _SOURCE_FIELD[rc.value_source]
    if getattr(rc, key) is None and (rc.value_source is not ValueSource.VALUE
                                     or t in PRICED_TYPES):
        f.fail(key, f"value_source {rc.value_source} needs {key!r}")


COMPONENT = Obj(RateComponent, [
    F("sequence", SEQUENCE), F("type", _e(ComponentType)), DESCRIPTION,
    F("description_on_bill", TEXT), F("print", BOOL), F("print_if_zero", BOOL),
    F("value_type", _e(ValueType)), F("value_source", _e(ValueSource)), F("value", DEC),
    F("bill_factor", CODE), F("value_rc", SEQUENCE), F("value_algorithm", ALGORITHM),
    F("uom", CODE), F("tou", CODE), F("sqi", CODE), F("measures_peak", BOOL),
    F("gl_statistical_qty", BOOL), F("error_if_no_value", BOOL), F("item_type", CODE),
    F("tou_map", CODE), F("step", STEP), F("step_rc", SEQUENCE), F("step_algorithm", ALGORITHM),
    F("calc_algorithm", ALGORITHM), F("audit_algorithm", ALGORITHM), F("derive_sq", BOOL),
    F("xrefs", ListKind(SEQUENCE, unique=True)), F("rounding", _e(RoundingMethod)),
    F("precision", DEC), F("fcpo", BOOL), F("result_type", _e(FcpoResultType)),
    F("create_bill_line", BOOL), F("fcpo_retention", _e(FcpoRetention)),
    F("season", SEASON), F("gl", GL), F("characteristics", PairsKind(TEXT)),
    F("eligibility", ListKind(GROUP, key=("sequence",))),
], check=_check_component)

# ---------------------------------------------------------------------------------------------
# Rate versions and rate schedules (spec/10 §2.5–§2.6)
# ---------------------------------------------------------------------------------------------

VERSION = Obj(RateVersion, [
    F("effective", DATE), F("status", _e(RateVersionStatus)), F("description_on_bill", TEXT),
    F("components", ListKind(COMPONENT, key=("sequence",))),
])
RULE_LINK = Obj(RuleLink, [F("sequence", SEQUENCE), F("rule", CODE)])


def _check_bill_message(link: BillMessageLink, f: Fields) -> None:
    if link.end is not None and link.end < link.start:
        f.fail("end", f"a bill message's end ({link.end}) is before its start ({link.start})")


BILL_MESSAGE = Obj(BillMessageLink, [F("message", CODE), F("start", DATE), F("end", DATE)],
                   check=_check_bill_message)
_PRIMARY_ONLY = ("service_type", "frequency", "currency", "allow_estimates", "register_rules",
                 "meter_config_types", "sub_rates")


def _check_schedule(rs: RateSchedule, f: Fields) -> None:
    if rs.type is RateScheduleType.PRIMARY:
        for key in ("service_type", "frequency", "currency"):
            if getattr(rs, key) is None:
                f.fail(key, f"a PRIMARY rate schedule needs {key!r}")
    else:
        for key in _PRIMARY_ONLY:
            if getattr(rs, key):
                f.fail(key, f"{key!r} is not allowed on a SUBSIDIARY rate schedule "
                            "(it uses its primary's)")
    if not rs.allow_rv_proration and rs.rv_selection_date is None:
        f.fail("rv_selection_date", "with allow_rv_proration: false a rate schedule needs "
                                    "'rv_selection_date' to pick one version ("
                                    + ", ".join(m.value for m in RvSelectionDate) + ")")


SCHEDULE = Obj(RateSchedule, [
    DESCRIPTION, F("type", _e(RateScheduleType)), F("service_type", CODE),
    F("frequency", CODE), F("currency", CODE), F("allow_estimates", BOOL),
    F("allow_rv_proration", BOOL), F("rv_selection_date", _e(RvSelectionDate)),
    F("sq_rules", ListKind(RULE_LINK, key=("sequence",))),
    F("register_rules", ListKind(RULE_LINK, key=("sequence",))),
    F("sub_rates", ListKind(RULE_LINK, key=("sequence",))),
    F("bill_messages", ListKind(BILL_MESSAGE, key=("message", "start"))),
    F("meter_config_types", ListKind(CODE, unique=True)),
    F("versions", ListKind(VERSION, key=("effective",))),
], code_attr="code", check=_check_schedule)

# ---------------------------------------------------------------------------------------------
# Bill factors (spec/10 §2.8–§2.13)
# ---------------------------------------------------------------------------------------------


class IntervalValues(Kind):
    """Interval values as a mapping ``timestamp: value`` in time order."""

    at_kind, value_kind = DateTime(), Dec()

    def load(self, node: Node, at: At) -> Any:
        node = expect_mapping(node, at, "a mapping of timestamp: value")
        out: list[IntervalValue] = []
        seen: dict[datetime, int] = {}
        for key, knode, vnode in pairs(node, at):
            moment = self.at_kind.convert(key, knode, at.key(key, line_of(knode)))
            if moment in seen:
                at.fail(f"duplicate interval {key} (first at line {seen[moment]})",
                        line_of(knode), join(at.path, key))
            seen[moment] = line_of(knode)
            out.append(IntervalValue(moment, self.value_kind.load(
                vnode, at.key(key, line_of(knode)))))
        if not out:
            at.fail("an interval value set needs at least one value", line_of(node))
        return tuple(out)

    def dump(self, value: Any) -> Any:
        return {self.at_kind.dump(v.at): self.value_kind.dump(v.value) for v in value}


BF_VALUE = Obj(BillFactorValue, [F("effective", DATE), F("value", DEC)])
BF_VALUES = ListKind(BF_VALUE, key=("effective",), sort=lambda v: v.effective)
TOU_VALUE = Obj(BillFactorTouValue, [
    F("tou_group", CODE), F("effective", DATE),
    F("values", MapKind(DEC, min_items=1, what="TOU value"))])
INTERVAL_SET = Obj(IntervalValueSet, [
    F("set_id", CODE), F("set_at", DateTime()), F("complete", BOOL),
    F("values", IntervalValues())])
_BF_TYPE_FIELDS = {
    "values": BillFactorType.REGULAR,
    "tou_values": BillFactorType.TOU,
    "interval_sets": BillFactorType.INTERVAL,
    "minutes_per_interval": BillFactorType.INTERVAL,
}


def _check_characteristic(bfc: BillFactorCharacteristic, f: Fields) -> None:
    bf_type = f.owner.get("type", BillFactorType.REGULAR)
    for key, wanted in _BF_TYPE_FIELDS.items():
        if getattr(bfc, key) and bf_type is not wanted:
            f.fail(key, f"{key!r} is for {wanted} bill factors and this one is {bf_type}")


class CharacteristicKind(Obj):
    """A bill factor characteristic: a list of values (the short form, for REGULAR factors), or
    a mapping with ``values``, ``tou_values``, ``interval_sets``, ``gl_distribution``…"""

    def load(self, node: Node, at: At, code: str | None = None) -> Any:
        if isinstance(node, SequenceNode):
            bf_type = at.owner.get("type", BillFactorType.REGULAR)
            if bf_type is not BillFactorType.REGULAR and node.value:
                at.fail(f"a list of values is for REGULAR bill factors and this one is "
                        f"{bf_type}; write {code}: {{{_TYPE_KEY[bf_type]}: [...]}}")
            return BillFactorCharacteristic(str(code), values=BF_VALUES.load(node, at))
        return super().load(node, at, code)

    def dump(self, value: Any) -> Any:
        out = super().dump(value)
        return out.get("values", []) if set(out) <= {"values"} else out


_TYPE_KEY = {BillFactorType.TOU: "tou_values", BillFactorType.INTERVAL: "interval_sets"}


CHARACTERISTIC = CharacteristicKind(BillFactorCharacteristic, [
    F("values", BF_VALUES), F("tou_values", ListKind(TOU_VALUE, key=("tou_group", "effective"))),
    F("interval_sets", ListKind(INTERVAL_SET, key=("set_id",))),
    F("gl_distribution", MapKind(CODE)), F("minutes_per_interval", Int(minimum=1)),
    F("external_id", CODE),
], code_attr="char_value", check=_check_characteristic, empty_ok=True)


def _check_bill_factor(bf: BillFactor, f: Fields) -> None:
    if bf.tos_usage is not None and not (
            bf.tax_exemption or bf.value_in_contract_term or bf.contract_rider_applicability):
        f.fail("tos_usage", "'tos_usage' applies only with tax_exemption, "
                            "value_in_contract_term or contract_rider_applicability")


BILL_FACTOR = Obj(BillFactor, [
    DESCRIPTION, F("type", _e(BillFactorType)), F("char_type", CODE),
    F("char_source", _e(CharSource)), F("currency", CODE), F("value_type", _e(ValueType)),
    F("error_if_no_value", BOOL), F("tax_exemption", BOOL),
    F("value_in_contract_term", BOOL), F("contract_rider_applicability", BOOL),
    F("allow_proration", BOOL), F("rate_selection_date", CODE),
    F("use_sub_sa_contract_terms", BOOL), F("tos_usage", _e(TosUsage)),
    F("values", MapKind(CHARACTERISTIC), attr="characteristics"),
], code_attr="code", check=_check_bill_factor)

#: The definition of each library section, by section name (RateLibrary.SECTIONS).
SECTIONS: dict[str, Obj] = {
    "currencies": CURRENCY,
    "frequencies": FREQUENCY,
    "uoms": UOM,
    "tous": TOU,
    "tou_groups": TOU_GROUP,
    "tou_maps": TOU_MAP,
    "sqis": SQI,
    "register_rules": REGISTER_RULE,
    "sq_rules": SQ_RULE,
    "bill_factors": BILL_FACTOR,
    "rate_schedules": SCHEDULE,
}
