"""The YAML shape of every rate library definition (docs/rate-files.md).

One :class:`Obj` per model class lists its YAML keys in the order the dumper writes them; the
loader and the dumper of :mod:`.rate_files` both read these specs, so the two cannot drift
apart. Loading works on composed YAML nodes rather than constructed Python values, so every
key and value keeps its line and its text exactly as written: ``0.10`` stays
``Decimal("0.10")``, a characteristic value ``NO`` or ``0100`` stays a string, and a key
given twice in one mapping is an error instead of silently winning.

Optional fields at their model default are omitted on dump; a key whose value is empty
(``null``, ``~`` or nothing) means the same as leaving the key out.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from enum import Enum, StrEnum
from typing import Any, NoReturn

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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
from .errors import RateDefinitionError
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

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
MERGE_TAG = "tag:yaml.org,2002:merge"


# ---------------------------------------------------------------------------------------------
# Where we are: file, dotted field path, and the line that stands for the current object
# ---------------------------------------------------------------------------------------------


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@dataclass(frozen=True)
class At:
    """Location of the thing being loaded. ``line`` is the line that stands for the object as a
    whole (the key that holds it, or its ``-`` list item); ``owner`` holds the values the
    enclosing object has loaded so far, for rules that depend on a parent field."""

    file: str
    path: str
    line: int
    owner: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def key(self, name: str, line: int) -> At:
        return At(self.file, join(self.path, name), line, self.owner)

    def item(self, label: str, line: int) -> At:
        return At(self.file, f"{self.path}[{label}]", line, self.owner)

    def fail(self, message: str, line: int | None = None, path: str | None = None) -> NoReturn:
        raise RateDefinitionError(message, where=f"{self.file}:{line or self.line}",
                                  field=(self.path if path is None else path) or None)


def _found(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if is_null(node):
        return "nothing"
    return repr(node.value)


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG


def closest(word: str, choices: list[str]) -> str | None:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not match:
        match = [c for c in choices if c.lower() == word.lower()]
    return match[0] if match else None


def pairs(node: MappingNode, at: At, _merging: frozenset[int] = frozenset(),
          ) -> list[tuple[str, Node, Node]]:
    """The (key, key node, value node) pairs of a mapping in file order, with YAML merge keys
    (``<<: *anchor``) flattened: keys written in the mapping win over merged ones. A key given
    twice, or a key that is not a plain name, is an error."""
    if id(node) in _merging:
        at.fail("'<<' merges a mapping into itself", line_of(node))
    explicit: list[tuple[str, Node, Node]] = []
    merged: list[tuple[str, Node, Node]] = []
    seen: dict[str, int] = {}
    for knode, vnode in node.value:
        if knode.tag == MERGE_TAG:
            sources = vnode.value if isinstance(vnode, SequenceNode) else [vnode]
            for source in sources:
                if not isinstance(source, MappingNode):
                    at.fail(f"'<<' merges mappings only, found {_found(source)}",
                            line_of(source))
                merged.extend(pairs(source, at, _merging | {id(node)}))
            continue
        if not isinstance(knode, ScalarNode) or is_null(knode) or knode.value == "":
            at.fail(f"a key must be a name or code, found {_found(knode)}", line_of(knode))
        key = knode.value
        if key in seen:
            at.fail(f"{key!r} is given twice in this mapping (first at line {seen[key]})",
                    line_of(knode), join(at.path, key))
        seen[key] = line_of(knode)
        explicit.append((key, knode, vnode))
    out = explicit
    for key, knode, vnode in merged:
        if key not in seen:
            seen[key] = line_of(knode)
            out.append((key, knode, vnode))
    return out


def expect_mapping(node: Node, at: At, what: str = "a mapping of fields") -> MappingNode:
    if not isinstance(node, MappingNode):
        at.fail(f"expected {what}, found {_found(node)}", line_of(node))
    return node


# ---------------------------------------------------------------------------------------------
# Kinds: how one value is read from a node and written back
# ---------------------------------------------------------------------------------------------


class Quoted(str):
    """A string the dumper writes in double quotes (decimals, month-days)."""


class Kind:
    def load(self, node: Node, at: At) -> Any:
        raise NotImplementedError

    def dump(self, value: Any) -> Any:
        raise NotImplementedError


class ScalarKind(Kind):
    what = "a value"

    def text(self, node: Node, at: At) -> str:
        if not isinstance(node, ScalarNode) or is_null(node):
            at.fail(f"expected {self.what}, found {_found(node)}", line_of(node))
        return str(node.value)

    def load(self, node: Node, at: At) -> Any:
        return self.convert(self.text(node, at), node, at)

    def convert(self, text: str, node: Node, at: At) -> Any:
        return text

    def bad(self, text: str, node: Node, at: At, why: str = "") -> NoReturn:
        at.fail(why or f"expected {self.what}, found {text!r}", line_of(node))


class Text(ScalarKind):
    """Free text, exactly as written (a plain ``123`` or ``yes`` is the text ``"123"``)."""

    what = "text"

    def dump(self, value: Any) -> Any:
        return str(value)


class Code(Text):
    """The code of something: non-empty text."""

    what = "a code"

    def convert(self, text: str, node: Node, at: At) -> Any:
        if not text.strip():
            self.bad(text, node, at, "a code must not be empty")
        return text


class OptText(Text):
    """A list entry that may be blank: ``null`` is None (rule parameters)."""

    def load(self, node: Node, at: At) -> Any:
        return None if is_null(node) else super().load(node, at)

    def dump(self, value: Any) -> Any:
        return None if value is None else str(value)


_INT = re.compile(r"[-+]?[0-9]+")


class Int(ScalarKind):
    what = "a whole number"

    def __init__(self, minimum: int | None = None) -> None:
        self.minimum = minimum

    def convert(self, text: str, node: Node, at: At) -> Any:
        if node.tag == BOOL_TAG or not _INT.fullmatch(text.strip()):
            self.bad(text, node, at)
        value = int(text)
        if self.minimum is not None and value < self.minimum:
            self.bad(text, node, at, f"must be at least {self.minimum}, found {value}")
        return value

    def dump(self, value: Any) -> Any:
        return int(value)


class Dec(ScalarKind):
    """A decimal number, from its text: ``0.10`` and ``"0.10"`` are both ``Decimal("0.10")``."""

    what = "a number"

    def convert(self, text: str, node: Node, at: At) -> Any:
        try:
            value = Decimal(text.strip()) if node.tag != BOOL_TAG else None
        except (InvalidOperation, ValueError):
            value = None
        if value is None or not value.is_finite():
            self.bad(text, node, at)
        return value

    def dump(self, value: Any) -> Any:
        return Quoted(str(value))


_BOOLS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


class Bool(ScalarKind):
    what = "true or false"

    def convert(self, text: str, node: Node, at: At) -> Any:
        if node.tag != BOOL_TAG:
            self.bad(text, node, at)
        return _BOOLS[text.lower()]

    def dump(self, value: Any) -> Any:
        return bool(value)


_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


class Date(ScalarKind):
    what = "a date (YYYY-MM-DD)"

    def convert(self, text: str, node: Node, at: At) -> Any:
        m = _DATE.fullmatch(text.strip())
        if not m:
            self.bad(text, node, at)
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            self.bad(text, node, at, f"{text!r} is not a valid date")

    def dump(self, value: Any) -> Any:
        return value


class DateTime(ScalarKind):
    what = "a date and time (YYYY-MM-DDTHH:MM:SS)"

    def convert(self, text: str, node: Node, at: At) -> Any:
        try:
            return datetime.fromisoformat(text.strip())
        except ValueError:
            self.bad(text, node, at)

    def dump(self, value: Any) -> Any:
        return Quoted(value.isoformat())


_MONTH_DAY = re.compile(r"([0-9]{1,2})-([0-9]{1,2})")


class MonthDay(ScalarKind):
    what = "a month and day (MM-DD, e.g. \"05-01\")"

    def convert(self, text: str, node: Node, at: At) -> Any:
        m = _MONTH_DAY.fullmatch(text.strip())
        if not m:
            self.bad(text, node, at)
        month, day = int(m[1]), int(m[2])
        try:
            date(2000, month, day)  # a leap year: 02-29 is a valid season bound
        except ValueError:
            self.bad(text, node, at, f"{text!r} is not a day of the year (MM-DD)")
        return (month, day)

    def dump(self, value: Any) -> Any:
        month, day = value
        return Quoted(f"{month:02d}-{day:02d}")


_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")


class TimeOfDay(ScalarKind):
    what = "a time of day (HH:MM, e.g. \"08:00\")"

    def convert(self, text: str, node: Node, at: At) -> Any:
        m = _TIME.fullmatch(text.strip())
        if not m or not (int(m[1]) < 24 and int(m[2]) < 60):
            self.bad(text, node, at)
        return time(int(m[1]), int(m[2]))

    def dump(self, value: Any) -> Any:
        return Quoted(f"{value.hour:02d}:{value.minute:02d}")


class EnumKind(ScalarKind):
    def __init__(self, cls: type[StrEnum]) -> None:
        self.cls = cls
        self.codes = [member.value for member in cls]
        self.what = "one of " + ", ".join(self.codes)

    def convert(self, text: str, node: Node, at: At) -> Any:
        if text in self.codes:
            return self.cls(text)
        hint = closest(text, self.codes)
        self.bad(text, node, at, f"unknown code {text!r}; allowed: {', '.join(self.codes)}"
                 + (f" (did you mean {hint}?)" if hint else ""))

    def dump(self, value: Any) -> Any:
        return value.value if isinstance(value, Enum) else str(value)


class ListKind(Kind):
    """A YAML list, loaded as a tuple. ``key`` names the fields that identify an item (its
    sequence, effective date…): they label the item in error paths
    (``components[20]``) and must be unique. ``unique`` asks the same of scalar items."""

    def __init__(self, item: Kind, *, key: tuple[str, ...] = (), unique: bool = False,
                 min_items: int = 0, what: str = "entry",
                 sort: Callable[[Any], Any] | None = None) -> None:
        self.item, self.key, self.unique, self.min_items = item, key, unique, min_items
        self.what, self.sort = what, sort

    def load(self, node: Node, at: At) -> Any:
        if not isinstance(node, SequenceNode):
            at.fail(f"expected a list, found {_found(node)}", line_of(node))
        if len(node.value) < self.min_items:
            at.fail(f"needs at least {self.min_items} {self.what}", line_of(node))
        items = []
        seen: dict[Any, int] = {}
        for index, child in enumerate(node.value):
            label, key_node = self._label(child, index)
            item_at = at.item(label, line_of(child))
            value = self.item.load(child, item_at)
            if self.key or self.unique:
                ident = (tuple(getattr(value, k) for k in self.key) if self.key else value)
                where = key_node if key_node is not None else child
                if ident in seen:
                    name = "/".join(self.key) if self.key else "value"
                    shown = label if self.key else repr(value)
                    at.fail(f"duplicate {name} {shown} (first at line {seen[ident]})",
                            line_of(where), join(item_at.path, self.key[0]) if self.key
                            else item_at.path)
                seen[ident] = line_of(where)
            items.append(value)
        if self.sort is not None:
            items.sort(key=self.sort)
        return tuple(items)

    def _label(self, child: Node, index: int) -> tuple[str, Node | None]:
        if not self.key or not isinstance(child, MappingNode):
            return str(index), None
        found = {k.value: (k, v) for k, v in child.value if isinstance(k, ScalarNode)}
        texts, first = [], None
        for name in self.key:
            if name not in found or not isinstance(found[name][1], ScalarNode):
                return str(index), None
            texts.append(str(found[name][1].value))
            first = first or found[name][0]
        return ",".join(texts), first

    def dump(self, value: Any) -> Any:
        return [self.item.dump(v) for v in value]


class MapKind(Kind):
    """A YAML mapping from codes to values, loaded as a dict in file order. When ``value`` is an
    :class:`Obj` with a ``code_attr`` the key becomes that attribute of the object."""

    def __init__(self, value: Kind, *, min_items: int = 0, what: str = "entry") -> None:
        self.value, self.min_items, self.what = value, min_items, what

    def load(self, node: Node, at: At) -> Any:
        node = expect_mapping(node, at, "a mapping")
        out: dict[str, Any] = {}
        for key, knode, vnode in pairs(node, at):
            child = at.key(key, line_of(knode))
            if isinstance(self.value, Obj):
                out[key] = self.value.load(vnode, child, code=key)
            else:
                out[key] = self.value.load(vnode, child)
        if len(out) < self.min_items:
            at.fail(f"needs at least {self.min_items} {self.what}", line_of(node))
        return out

    def dump(self, value: Any) -> Any:
        return {str(k): self.value.dump(v) for k, v in value.items()}


class PairsKind(MapKind):
    """A mapping written in YAML, held by the model as a tuple of (key, value) pairs."""

    def load(self, node: Node, at: At) -> Any:
        return tuple(super().load(node, at).items())

    def dump(self, value: Any) -> Any:
        return {str(k): self.value.dump(v) for k, v in value}


class Fields:
    """The keys an object was written with, for rules that check several fields together."""

    def __init__(self, at: At, found: Mapping[str, tuple[Node, Node]]) -> None:
        self.at, self.found = at, found

    @property
    def owner(self) -> Mapping[str, Any]:
        return self.at.owner

    def fail(self, key: str, message: str) -> NoReturn:
        line = line_of(self.found[key][0]) if key in self.found else self.at.line
        self.at.fail(message, line, join(self.at.path, key))


@dataclass(frozen=True)
class F:
    """One YAML key of an object; ``attr`` is the model attribute when it is spelt otherwise."""

    key: str
    kind: Kind
    attr: str = ""

    @property
    def name(self) -> str:
        return self.attr or self.key


_NO_DEFAULT = object()


def _defaults(cls: type) -> dict[str, Any]:
    if dataclasses.is_dataclass(cls):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.default is not dataclasses.MISSING:
                out[f.name] = f.default
            elif f.default_factory is not dataclasses.MISSING:
                out[f.name] = f.default_factory()
        return out
    return dict(getattr(cls, "_field_defaults", {}))  # a NamedTuple


class Obj(Kind):
    """A YAML mapping of named fields, loaded as an instance of ``cls``.

    ``code_attr`` is the attribute filled from the key that holds the object (``E-COM1:``);
    ``check`` enforces the rules between its fields; ``empty_ok`` accepts an empty value as an
    object with every field at its default."""

    def __init__(self, cls: type, fields: list[F], *, code_attr: str | None = None,
                 check: Callable[[Any, Fields], None] | None = None,
                 empty_ok: bool = False) -> None:
        self.cls, self.fields, self.code_attr, self.check = cls, fields, code_attr, check
        self.empty_ok = empty_ok
        self.by_key = {f.key: f for f in fields}
        self.defaults = _defaults(cls)
        names = {f.name for f in fields} | ({code_attr} if code_attr else set())
        model = ({f.name for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls)
                 else set(getattr(cls, "_fields", ())))
        assert names == model, f"{cls.__name__}: spec {sorted(names)} != model {sorted(model)}"

    def required(self, f: F) -> bool:
        return f.name not in self.defaults

    def load(self, node: Node, at: At, code: str | None = None) -> Any:
        if is_null(node) and self.empty_ok:
            found: dict[str, tuple[Node, Node]] = {}
        else:
            found = {}
            for key, knode, vnode in pairs(expect_mapping(node, at), at):
                if key not in self.by_key:
                    known = list(self.by_key)
                    hint = closest(key, known)
                    at.fail(f"unknown field {key!r}; "
                            + (f"did you mean {hint!r}?" if hint
                               else "known fields: " + ", ".join(known)),
                            line_of(knode), join(at.path, key))
                found[key] = (knode, vnode)
        values: dict[str, Any] = dict(self.defaults)
        if code is not None and self.code_attr:
            values[self.code_attr] = code
        for f in self.fields:
            if f.key in found and not is_null(found[f.key][1]):
                knode, vnode = found[f.key]
                child = At(at.file, join(at.path, f.key), line_of(knode), values)
                values[f.name] = f.kind.load(vnode, child)
            elif self.required(f):
                line = line_of(found[f.key][0]) if f.key in found else at.line
                at.fail(f"{f.key!r} needs a value" if f.key in found
                        else f"missing required field {f.key!r}", line, join(at.path, f.key))
        obj = self.cls(**values)
        if self.check is not None:
            self.check(obj, Fields(at, found))
        return obj

    def dump(self, value: Any) -> Any:
        out: dict[str, Any] = {}
        for f in self.fields:
            v = getattr(value, f.name)
            default = self.defaults.get(f.name, _NO_DEFAULT)
            if default is not _NO_DEFAULT and _same(v, default):
                continue
            out[f.key] = None if v is None else f.kind.dump(v)
        return out


def _same(value: Any, default: Any) -> bool:
    if type(value) is not type(default) and not (
            isinstance(value, Mapping) and isinstance(default, Mapping)):
        return False
    return bool(value == default)


class OneOf(Kind):
    """A value with a short scalar form and a full mapping form (``value_algorithm: X`` or
    ``value_algorithm: {code: X, params: {...}}``)."""

    def __init__(self, full: Obj, short: Callable[[str], Any],
                 shorten: Callable[[Any], Any | None]) -> None:
        self.full, self.short, self.shorten = full, short, shorten

    def load(self, node: Node, at: At) -> Any:
        if isinstance(node, ScalarNode):
            return self.short(Code().load(node, at))
        return self.full.load(node, at)

    def dump(self, value: Any) -> Any:
        short = self.shorten(value)
        return short if short is not None else self.full.dump(value)


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
