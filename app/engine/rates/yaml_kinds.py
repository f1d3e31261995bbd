"""Generic YAML kinds: how one value of a rate file is read from a composed YAML node and
written back (docs/rate-files.md).

A :class:`Kind` loads a value from a node and dumps it back to plain Python for the dumper:
scalar kinds (:class:`Text`, :class:`Code`, :class:`Int`, :class:`Dec`, :class:`Date`,
:class:`EnumKind`…), containers (:class:`ListKind`, :class:`MapKind`, :class:`PairsKind`) and
objects (:class:`Obj`, a mapping of named fields :class:`F` loaded as a model class, and
:class:`OneOf` for a value with a short and a full form). Loading works on nodes rather than
constructed values, so every key and value keeps its line and its text exactly as written;
:class:`At` carries the file, dotted field path and line for error messages, and every error
is a :class:`~.errors.RateDefinitionError`. Nothing here knows about rate models: the
specs built from these kinds live in :mod:`.rate_file_schema`.
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

from .errors import RateDefinitionError

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
