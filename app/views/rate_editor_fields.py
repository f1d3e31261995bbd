"""The fields of the rate editor, described once: each `Column` says how a field of an engine
dataclass is shown as text, read back from what the analyst typed, and when it applies. The
component grid, the component form, the eligibility tables and the schedule's grids are all
built from these lists (spec/10 §2.5, spec/20 §2.1, §7.2, §7.3).

    rc = COMPONENT["value"].parse_into(rc, "0.1")      # ValueError with a sentence if wrong
    COMPONENT["value"].text(rc)                           # "0.1"

Nothing here computes money: a typed value becomes a `Decimal` exactly as typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from app.engine.rates.controls import SqKey
from app.engine.rates.enums import (
    CharEntity,
    Comparison,
    ComponentType,
    CriteriaField,
    CriterionAction,
    FcpoResultType,
    FcpoRetention,
    GroupAction,
    RateScheduleType,
    RoundingMethod,
    RvSelectionDate,
    SeasonalMethod,
    ValueSource,
    ValueType,
)
from app.engine.rates.schedules import (
    AlgorithmRef,
    BillMessageLink,
    EligibilityCriterion,
    EligibilityGroup,
    GlDistribution,
    RateComponent,
    RateSchedule,
    RuleLink,
    Season,
    Step,
)

#: Kinds of field: how a value becomes text and back.
TEXT, CODE, INT, OPT_INT, OPT_DEC, BOOL, ENUM, OPT_ENUM, INTS, ALG, SEASON, GL, CHARS, SQ, \
    TRISTATE, DATE, OPT_DATE, READ = ("text", "code", "int", "opt_int", "opt_dec", "bool", "enum",
                                      "opt_enum", "ints", "alg", "season", "gl", "chars", "sq",
                                      "tristate", "date", "opt_date", "read")
NUMERIC = frozenset({INT, OPT_INT, OPT_DEC})
TRISTATE_TEXT = {None: "From UOM", True: "Yes", False: "No"}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str
    get: Callable[[Any], Any] | None = None
    put: Callable[[Any, Any], Any] | None = None
    enum: type[StrEnum] | None = None
    #: The name of a list of codes offered while typing (uoms, tous, bill_factors, …).
    choices: str | None = None
    #: When the field applies to the record (otherwise shown greyed and not editable).
    applies: Callable[[Any], bool] | None = None
    width: int = 90
    tip: str = ""

    def value(self, obj: Any) -> Any:
        return self.get(obj) if self.get is not None else getattr(obj, self.key)

    def with_value(self, obj: Any, value: Any) -> Any:
        return self.put(obj, value) if self.put is not None else replace(obj, **{self.key: value})

    def applies_to(self, obj: Any) -> bool:
        return self.applies is None or bool(self.applies(obj))

    @property
    def read_only(self) -> bool:
        return self.kind == READ

    def text(self, obj: Any) -> str:
        return to_text(self.kind, self.value(obj))

    def parse(self, text: str) -> Any:
        try:
            return from_text(self.kind, text, self.enum)
        except ValueError as exc:
            raise ValueError(f"{self.header}: {exc}") from None

    def parse_into(self, obj: Any, text: str) -> Any:
        return self.with_value(obj, self.parse(text))

    def options(self) -> list[str]:
        """The texts a combo offers for an enum field ("" first when it may be empty)."""
        if self.kind == TRISTATE:
            return list(TRISTATE_TEXT.values())
        assert self.enum is not None
        values = [e.value for e in self.enum]
        return [""] + values if self.kind == OPT_ENUM else values

    def sort_key(self, obj: Any) -> Any:
        value = self.value(obj)
        if self.kind in NUMERIC:
            return float(value) if value is not None else float("-inf")  # ordering only
        if self.kind == BOOL:
            return int(bool(value))
        return self.text(obj).casefold()


# --- text <-> value --------------------------------------------------------------------------


def _params(params: Any) -> str:
    return ", ".join(f"{k}={v}" for k, v in dict(params).items())


def to_text(kind: str, value: Any) -> str:
    if value is None:
        return TRISTATE_TEXT[None] if kind == TRISTATE else ""
    if kind == TRISTATE:
        return TRISTATE_TEXT[bool(value)]
    if kind == BOOL:
        return "Yes" if value else "No"
    if isinstance(value, StrEnum):
        return value.value
    if kind == INTS:
        return ", ".join(str(v) for v in value)
    if kind == ALG:
        return f"{value.code} {{{_params(value.params)}}}" if value.params else value.code
    if kind == SEASON:
        (m1, d1), (m2, d2) = value.start, value.end
        return f"{m1:02d}-{d1:02d}..{m2:02d}-{d2:02d} {value.method.value}"
    if kind == GL:
        if value.by_revenue_class:
            return ", ".join(f"{k}={v}" for k, v in value.by_revenue_class.items())
        return value.code or ""
    if kind == CHARS:
        return ", ".join(f"{k}={v}" for k, v in value)
    if kind == SQ:
        return "/".join(p or "" for p in value).rstrip("/")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not a number (use a point for decimals, e.g. 0.105)"
                         ) from None
    if not value.is_finite():
        raise ValueError(f"“{text}” is not a number")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"“{text}” is not a whole number") from None


def _pairs(text: str, what: str) -> list[tuple[str, str]]:
    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"write {what} as KEY=VALUE, separated by commas")
        out.append((key.strip(), value.strip()))
    return out


SEASON_TEXT = re.compile(r"^(\d{1,2})-(\d{1,2})\s*\.\.\s*(\d{1,2})-(\d{1,2})\s+(\w+)$")


def from_text(kind: str, text: str, enum: type[StrEnum] | None = None) -> Any:
    t = text.strip()
    if kind == TEXT:
        return text
    if kind == CODE:
        return t or None
    if kind == INT:
        if not t:
            raise ValueError("enter a whole number")
        return _int(t)
    if kind == OPT_INT:
        return _int(t) if t else None
    if kind == OPT_DEC:
        return _decimal(t) if t else None
    if kind == BOOL:
        return t.casefold() in ("yes", "y", "true", "1", "x")
    if kind == TRISTATE:
        for value, label in TRISTATE_TEXT.items():
            if label.casefold() == t.casefold():
                return value
        raise ValueError(f"choose one of {', '.join(TRISTATE_TEXT.values())}")
    if kind in (ENUM, OPT_ENUM):
        assert enum is not None
        if not t and kind == OPT_ENUM:
            return None
        try:
            return enum(t.upper())
        except ValueError:
            raise ValueError(f"choose one of {', '.join(e.value for e in enum)}") from None
    if kind == INTS:
        return tuple(_int(p) for p in re.split(r"[,\s]+", t) if p)
    if kind == ALG:
        if not t:
            return None
        code, brace, rest = t.partition("{")
        if brace and not rest.rstrip().endswith("}"):
            raise ValueError("write parameters in braces: CODE {name=value, …}")
        params = dict(_pairs(rest.rstrip().rstrip("}"), "parameters")) if brace else {}
        if not code.strip():
            raise ValueError("name the algorithm before its parameters")
        return AlgorithmRef(code.strip(), params)
    if kind == SEASON:
        if not t:
            return None
        m = SEASON_TEXT.match(t)
        if m is None:
            raise ValueError("write a season as MM-DD..MM-DD METHOD, e.g. 06-01..09-30 "
                             "PRORATE")
        m1, d1, m2, d2 = (int(g) for g in m.groups()[:4])
        try:
            method = SeasonalMethod(m.group(5).upper())
            dt.date(2000, m1, d1), dt.date(2000, m2, d2)
        except ValueError:
            raise ValueError("the month-days or the method (one of "
                             f"{', '.join(s.value for s in SeasonalMethod)}) are wrong") from None
        return Season((m1, d1), (m2, d2), method)
    if kind == GL:
        if not t:
            return None
        if "=" in t:
            return GlDistribution(None, dict(_pairs(t, "revenue class codes")))
        return GlDistribution(t)
    if kind == CHARS:
        return tuple(_pairs(t, "characteristics"))
    if kind == SQ:
        if not t:
            return None
        parts = [p.strip() or None for p in t.split("/")]
        if len(parts) > 3:
            raise ValueError("write a quantity as UOM/TOU/SQI")
        return SqKey(*(parts + [None, None, None])[:3])
    if kind in (DATE, OPT_DATE):
        if not t and kind == OPT_DATE:
            return None
        try:
            return dt.date.fromisoformat(t)
        except ValueError:
            raise ValueError(f"“{t}” is not a date (YYYY-MM-DD)") from None
    raise ValueError("this field cannot be typed")


# --- rate component (spec/20 §2.1) -----------------------------------------------------------


def _step_low(rc: RateComponent) -> Decimal | None:
    return rc.step.low if rc.step else None


def _step_high(rc: RateComponent) -> Decimal | None:
    return rc.step.high if rc.step else None


def _put_step_low(rc: RateComponent, low: Decimal | None) -> RateComponent:
    high = rc.step.high if rc.step else None
    if low is None and high is None:
        return replace(rc, step=None)
    return replace(rc, step=Step(low if low is not None else Decimal(0), high))


def _put_step_high(rc: RateComponent, high: Decimal | None) -> RateComponent:
    if rc.step is None and high is None:
        return rc
    return replace(rc, step=Step(rc.step.low if rc.step else Decimal(0), high))


def _eligibility(rc: RateComponent) -> str:
    n = len(rc.eligibility)
    return f"{n} group{'s' if n != 1 else ''}" if n else ""


def _source(*sources: ValueSource) -> Callable[[RateComponent], bool]:
    return lambda rc: rc.type is not ComponentType.SUMMARY and rc.value_source in sources


_COMPONENT_FIELDS: tuple[Column, ...] = (
    Column("sequence", "Seq", INT, width=56,
           tip="Calculation and bill order; fixed once saved (renumber with Rate Version Merge)"),
    Column("type", "Type", ENUM, enum=ComponentType, width=120),
    Column("description", "Description", TEXT, width=120),
    Column("description_on_bill", "Description on bill", TEXT, width=220,
           tip="Bill-line text; %A %B %C %D %E %F %I %O %Q %R %S %T are substituted"),
    Column("print", "Print", BOOL, width=52),
    Column("print_if_zero", "Print if zero", BOOL, width=90, applies=lambda rc: rc.print,
           tip="Only when Print is on"),
    Column("rounding", "Rounding", ENUM, enum=RoundingMethod, width=90),
    Column("precision", "Precision", OPT_DEC, width=80,
           tip="Rounding increment, e.g. 0.01; empty: the currency unit"),
    Column("fcpo", "FCPO", BOOL, width=52, tip="For calculation purposes only"),
    Column("result_type", "Result type", OPT_ENUM, enum=FcpoResultType, width=120,
           applies=lambda rc: rc.fcpo),
    Column("create_bill_line", "FCPO bill line", BOOL, width=96, applies=lambda rc: rc.fcpo),
    Column("fcpo_retention", "FCPO retention", OPT_ENUM, enum=FcpoRetention, width=100,
           applies=lambda rc: rc.fcpo and rc.create_bill_line),
    Column("value_type", "Value type", OPT_ENUM, enum=ValueType, width=100,
           applies=lambda rc: rc.type is not ComponentType.SUMMARY),
    Column("value_source", "Value source", ENUM, enum=ValueSource, width=116,
           applies=lambda rc: rc.type is not ComponentType.SUMMARY),
    Column("value", "Value", OPT_DEC, width=90, applies=_source(ValueSource.VALUE),
           tip="Price, percent (6.191 means 6.191 %) or charge, exactly as typed"),
    Column("bill_factor", "Bill factor", CODE, choices="bill_factors", width=100,
           applies=_source(ValueSource.BILL_FACTOR)),
    Column("value_rc", "Value RC", OPT_INT, width=74, applies=_source(ValueSource.OTHER_RC),
           tip="An earlier FCPO component whose value this one uses"),
    Column("value_algorithm", "Value algorithm", ALG, width=130,
           applies=_source(ValueSource.VALUE_ALGORITHM),
           tip="CODE or CODE {name=value, …}"),
    Column("season", "Season", SEASON, width=150,
           tip="MM-DD..MM-DD METHOD, e.g. 06-01..09-30 PRORATE; empty: all year"),
    Column("uom", "UOM", CODE, choices="uoms", width=64),
    Column("tou", "TOU", CODE, choices="tous", width=80),
    Column("sqi", "SQI", CODE, choices="sqis", width=64),
    Column("error_if_no_value", "Error if no value", BOOL, width=110),
    Column("step_low", "Step low", OPT_DEC, get=_step_low, put=_put_step_low, width=72,
           tip="Lower tier bound; empty low and high: no steps"),
    Column("step_high", "Step high", OPT_DEC, get=_step_high, put=_put_step_high, width=72,
           tip="Upper tier bound; empty: no upper bound"),
    Column("step_rc", "Step RC", OPT_INT, width=66, applies=lambda rc: rc.step is not None,
           tip="An earlier FCPO component whose value multiplies both bounds"),
    Column("step_algorithm", "Step algorithm", ALG, width=120,
           applies=lambda rc: rc.step is not None),
    Column("gl_statistical_qty", "GL stat. qty", BOOL, width=84),
    Column("measures_peak", "Peak qty", TRISTATE, width=84,
           tip="A demand quantity: not prorated (From UOM: as the unit of measure says)"),
    Column("item_type", "Item type", CODE, width=90,
           applies=lambda rc: rc.type is ComponentType.ITEM),
    Column("tou_map", "TOU map", CODE, width=90,
           applies=lambda rc: rc.type is ComponentType.TOU_PRICING),
    Column("calc_algorithm", "Calc algorithm", ALG, width=120,
           applies=lambda rc: rc.type in (ComponentType.CALC_ALG,
                                          ComponentType.INTERVAL_PRICING,
                                          ComponentType.TOU_PRICING)),
    Column("audit_algorithm", "Audit algorithm", ALG, width=120,
           applies=lambda rc: rc.type is ComponentType.CALC_ALG),
    Column("derive_sq", "Derive SQ", BOOL, width=76,
           applies=lambda rc: rc.type is ComponentType.CALC_ALG),
    Column("xrefs", "Xrefs", INTS, width=120,
           tip="The components this one applies to (Apply To, Summary, Min, Max, Exact), "
               "e.g. 10, 20, 30"),
    Column("gl", "GL code", GL, width=110,
           tip="One distribution code, or REVCLASS=CODE, … per revenue class"),
    Column("characteristics", "Characteristics", CHARS, width=120, tip="TYPE=VALUE, …"),
    Column("eligibility", "Eligibility", READ, get=_eligibility, width=86,
           tip="Edited in the Eligibility tab below"),
)
COMPONENT = {c.key: c for c in _COMPONENT_FIELDS}
#: The grid's column order: what prices a line first (value, quantity, steps, references),
#: then the bill-print and rounding fields, then the rest.
GRID_ORDER = ("sequence", "type", "description", "description_on_bill", "value_type",
              "value_source", "value", "bill_factor", "uom", "tou", "sqi", "step_low",
              "step_high", "xrefs", "gl", "print", "print_if_zero", "rounding", "precision",
              "fcpo", "result_type", "create_bill_line", "fcpo_retention", "value_rc",
              "value_algorithm", "season", "error_if_no_value", "step_rc", "step_algorithm",
              "gl_statistical_qty", "measures_peak", "item_type", "tou_map", "calc_algorithm",
              "audit_algorithm", "derive_sq", "characteristics", "eligibility")
COMPONENT_COLUMNS: tuple[Column, ...] = tuple(COMPONENT[k] for k in GRID_ORDER)
assert len(COMPONENT_COLUMNS) == len(_COMPONENT_FIELDS)
#: How the services name a component field (exc.field) → the column that shows it.
FIELD_ALIASES = {"low": "step_low", "high": "step_high", "step": "step_low", "code": "gl",
                 "by_revenue_class": "gl", "params": "value_algorithm", "start": "season",
                 "end": "season", "method": "season", "criteria": "eligibility"}


def component_field(name: str | None) -> str | None:
    if not name:
        return None
    name = FIELD_ALIASES.get(name, name)
    return name if name in COMPONENT else None


# --- eligibility (spec/20 §7.2, §7.3) --------------------------------------------------------

def _criteria_count(group: EligibilityGroup) -> str:
    return str(len(group.criteria))


GROUP_COLUMNS: tuple[Column, ...] = (
    Column("sequence", "Seq", INT, width=50),
    Column("description", "Description", TEXT, width=220),
    Column("if_true", "If group true", ENUM, enum=GroupAction, width=140),
    Column("if_false", "If group false", ENUM, enum=GroupAction, width=140),
    Column("criteria", "Criteria", READ, get=_criteria_count, width=60),
)

CRITERION_COLUMNS: tuple[Column, ...] = (
    Column("sequence", "Seq", INT, width=50),
    Column("description", "Description", TEXT, width=120),
    Column("field", "Field", ENUM, enum=CriteriaField, width=120),
    Column("char_entity", "Char entity", OPT_ENUM, enum=CharEntity, width=110,
           applies=lambda c: c.field is CriteriaField.CHARACTERISTIC),
    Column("char_type", "Char type", CODE, width=90,
           applies=lambda c: c.field is CriteriaField.CHARACTERISTIC),
    Column("rc", "RC", OPT_INT, width=50, applies=lambda c: c.field is CriteriaField.RC_VALUE),
    Column("sq", "SQ", SQ, width=100, applies=lambda c: c.field is CriteriaField.SQ,
           tip="UOM/TOU/SQI, e.g. KW or KWH/PEAK"),
    Column("field_algorithm", "Field algorithm", ALG, width=110,
           applies=lambda c: c.field is CriteriaField.ALGORITHM),
    Column("comparison", "Comparison", ENUM, enum=Comparison, width=96),
    Column("value", "Value", TEXT, width=90,
           tip="IN: 1,3,9 · BETWEEN: low,high (inclusive) · decimals with a point"),
    Column("comparison_algorithm", "Comparison algorithm", ALG, width=130,
           applies=lambda c: c.comparison is Comparison.ALGORITHM),
    Column("if_true", "If true", ENUM, enum=CriterionAction, width=110),
    Column("if_false", "If false", ENUM, enum=CriterionAction, width=110),
    Column("if_insufficient", "If insufficient", ENUM, enum=CriterionAction, width=110),
)


def new_group(existing: Sequence[EligibilityGroup]) -> EligibilityGroup:
    seq = max((g.sequence for g in existing), default=0) + 10
    return EligibilityGroup(seq, GroupAction.APPLY_RC, GroupAction.SKIP_RC, ())


def new_criterion(existing: Sequence[EligibilityCriterion]) -> EligibilityCriterion:
    seq = max((c.sequence for c in existing), default=0) + 10
    return EligibilityCriterion(seq, CriteriaField.CHARACTERISTIC, Comparison.EQ,
                                char_entity=CharEntity.SA, if_true=CriterionAction.GROUP_TRUE)


# --- rate schedule (spec/10 §2.5) ------------------------------------------------------------


def _put_type(rs: RateSchedule, value: RateScheduleType) -> RateSchedule:
    if value is RateScheduleType.SUBSIDIARY:
        return replace(rs, type=value, service_type=None, frequency=None, currency=None,
                       allow_estimates=False)
    return replace(rs, type=value)


def _primary(rs: RateSchedule) -> bool:
    return rs.is_primary


SCHEDULE_COLUMNS: tuple[Column, ...] = (
    Column("code", "Code", CODE, put=lambda rs, v: replace(rs, code=(v or "").upper()),
           width=120, tip="The rate schedule ID (up to 8 characters); fixed once created"),
    Column("description", "Description", TEXT, width=320),
    Column("type", "Type", ENUM, enum=RateScheduleType, put=_put_type, width=130,
           tip="A subsidiary schedule holds components shared by several primaries"),
    Column("service_type", "Service type", CODE, choices="service_types", applies=_primary),
    Column("frequency", "Frequency", CODE, choices="frequencies", applies=_primary),
    Column("currency", "Currency", CODE, choices="currencies", applies=_primary),
    Column("allow_estimates", "Allow estimates", BOOL, applies=_primary),
    Column("allow_rv_proration", "Allow RV proration", BOOL,
           tip="Prorate between Finished versions effective within one bill period"),
    Column("rv_selection_date", "RV selection date", OPT_ENUM, enum=RvSelectionDate,
           applies=lambda rs: not rs.allow_rv_proration,
           tip="Which date picks the single version when versions are not prorated"),
)
SCHEDULE = {c.key: c for c in SCHEDULE_COLUMNS}


def rule_columns(what: str, choices: str) -> tuple[Column, ...]:
    return (Column("sequence", "Seq", INT, width=60),
            Column("rule", what, CODE, choices=choices, width=200,
                   put=lambda r, v: replace(r, rule=v or "")))


SQ_RULE_COLUMNS = rule_columns("SQ rule", "sq_rules")
REGISTER_RULE_COLUMNS = rule_columns("Register rule", "register_rules")
SUB_RATE_COLUMNS = rule_columns("Subsidiary schedule", "subsidiaries")
BILL_MESSAGE_COLUMNS: tuple[Column, ...] = (
    Column("message", "Bill message", CODE, width=110,
           put=lambda b, v: replace(b, message=v or "")),
    Column("start", "Start", DATE, width=90),
    Column("end", "End", OPT_DATE, width=90, tip="Empty: open-ended"),
)
METER_CONFIG_COLUMNS: tuple[Column, ...] = (
    Column("code", "Meter configuration type", CODE, get=lambda s: s,
           put=lambda _s, v: v or "", width=220),
)


def new_rule(existing: Sequence[RuleLink], rule: str = "") -> RuleLink:
    return RuleLink(max((r.sequence for r in existing), default=0) + 10, rule)


def new_bill_message(today: dt.date) -> BillMessageLink:
    return BillMessageLink("", today)
