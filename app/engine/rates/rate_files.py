"""Rate files: a rate library written as human-editable YAML (docs/rate-files.md).

Each file is one mapping whose keys are sections named like the fields of
:class:`~.library.RateLibrary` (``currencies``, ``uoms``, ``bill_factors``,
``rate_schedules``…); within a section every definition is keyed by its code::

    rate_schedules:
      E-COM1:
        description: Commercial electric
        ...

:func:`load_library` reads files and directories into one library; a code defined in two
files is an error naming both. :func:`dump_library` writes a library back; the round trip
``loads(dump_library(lib)) == lib`` holds for every library that passes validation.

Every error is a :class:`~.errors.RateDefinitionError` with ``where="file:line"`` and the
dotted ``field`` (``rate_schedules.E-COM1.versions[2009-08-17].components[20].precision``).
Only what one definition says on its own is checked here; references between definitions
(an unknown bill factor, an xref to a later component) are checked when a rate is compiled.
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import Node

from .controls import SqKey
from .errors import RateDefinitionError
from .library import RateLibrary
from .plugins import CALCULATION, RC_VALUE, REGISTER_RULE, SQ_RULE, STEP, named_codes
from .rate_file_schema import SECTIONS
from .schedules import RateSchedule
from .yaml_kinds import (
    At,
    Quoted,
    closest,
    expect_mapping,
    is_null,
    line_of,
    pairs,
)

__all__ = ["dump_library", "dump_rate_schedule", "load_file", "load_library", "loads",
           "rate_file_paths", "rate_schedule_library"]

SUFFIXES = (".yaml", ".yml")

#: What one definition of each section is called in messages.
NOUNS = {
    "currencies": "currency", "frequencies": "frequency", "uoms": "unit of measure",
    "tous": "time of use", "tou_groups": "TOU group", "tou_maps": "TOU map",
    "sqis": "service quantity identifier",
    "register_rules": "register rule", "sq_rules": "SQ rule", "bill_factors": "bill factor",
    "rate_schedules": "rate schedule",
}

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# ---------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------

#: section -> code -> (definition, line of its code)
_Definitions = dict[str, dict[str, tuple[Any, int]]]


def _compose(text: str, name: str) -> Node | None:
    loader = _Loader(text)
    try:
        node: Node | None = loader.get_single_node()
        return node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"YAML syntax error: {exc.problem or exc.context}"
        if exc.problem and exc.context:
            message += f" ({exc.context}"
            if exc.context_mark is not None and exc.context_mark.line != mark.line:
                message += f" at line {exc.context_mark.line + 1}"
            message += ")"
        raise RateDefinitionError(message, where=f"{name}:{mark.line + 1}") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise RateDefinitionError(f"not a YAML text file: {exc.reason} (U+{char:04X})",
                                  where=f"{name}:{line}") from None
    finally:
        loader.dispose()


def _parse(text: str, name: str) -> _Definitions:
    node = _compose(text, name)
    found: _Definitions = {}
    if node is None or is_null(node):
        return found
    at = At(name, "", line_of(node))
    top = expect_mapping(node, at, "a mapping of sections (rate_schedules:, bill_factors:…)")
    for section, knode, vnode in pairs(top, at):
        if section not in SECTIONS:
            hint = closest(section, list(SECTIONS))
            at.fail(f"unknown section {section!r}; "
                    + (f"did you mean {hint!r}?" if hint
                       else "the sections are " + ", ".join(SECTIONS)),
                    line_of(knode), section)
        entries = found.setdefault(section, {})
        if is_null(vnode):
            continue
        section_at = at.key(section, line_of(knode))
        spec = SECTIONS[section]
        what = f"a mapping of {NOUNS[section]} codes to their definitions"
        for code, cknode, cvnode in pairs(expect_mapping(vnode, section_at, what), section_at):
            entry_at = section_at.key(code, line_of(cknode))
            entries[code] = (spec.load(cvnode, entry_at, code=code), line_of(cknode))
    return found


def _library(definitions: Iterable[tuple[str, _Definitions]]) -> RateLibrary:
    sections: dict[str, dict[str, Any]] = {name: {} for name in RateLibrary.SECTIONS}
    origin: dict[tuple[str, str], str] = {}
    for name, found in definitions:
        for section, entries in found.items():
            for code, (definition, line) in entries.items():
                first = origin.get((section, code))
                if first is not None:
                    raise RateDefinitionError(
                        f"{NOUNS[section]} {code!r} is already defined at {first}; "
                        "a library defines each code once",
                        where=f"{name}:{line}", field=f"{section}.{code}")
                origin[(section, code)] = f"{name}:{line}"
                sections[section][code] = definition
    return RateLibrary(**sections)


def loads(text: str, name: str = "<string>") -> RateLibrary:
    """The library one YAML text defines; ``name`` stands for the file in error messages."""
    return _library([(name, _parse(text, name))])


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RateDefinitionError(f"not a UTF-8 text file ({exc.reason} at byte "
                                  f"{exc.start})", where=str(path)) from None


def load_file(path: Path | str) -> RateLibrary:
    """The library one rate file defines."""
    path = Path(path)
    return loads(_read(path), str(path))


def rate_file_paths(*paths: Path | str) -> list[Path]:
    """The files :func:`load_library` reads for ``paths``: each file as given, and for each
    directory every ``*.yaml``/``*.yml`` file under it (recursively, skipping hidden files and
    directories), sorted by their path inside the directory. A file reached twice is read
    once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for given in map(Path, paths):
        if given.is_dir():
            found = sorted(
                (p for p in given.rglob("*")
                 if p.suffix.lower() in SUFFIXES and p.is_file()
                 and not any(part.startswith(".") for part in p.relative_to(given).parts)),
                key=lambda p: p.relative_to(given).as_posix())
        elif given.is_file():
            found = [given]
        else:
            raise FileNotFoundError(errno.ENOENT, "no such rate file or directory", str(given))
        for path in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                out.append(path)
    return out


def load_library(*paths: Path | str) -> RateLibrary:
    """One library from rate files and directories of rate files (see
    :func:`rate_file_paths`). Defining a code already defined in another file is an error;
    to lay one file over a library on purpose use ``lib.merged(load_file(path))``."""
    return _library((str(path), _parse(_read(path), str(path)))
                    for path in rate_file_paths(*paths))


# ---------------------------------------------------------------------------------------------
# Dumping
# ---------------------------------------------------------------------------------------------


class _FlowMap(dict[str, Any]):
    pass


class _FlowList(list[Any]):
    pass


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent lists under their key

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def choose_scalar_style(self) -> str:
        style: str = super().choose_scalar_style()
        return '"' if style == "'" else style  # one quoting style throughout


_STR = "tag:yaml.org,2002:str"
_Dumper.add_representer(Quoted, lambda d, v: d.represent_scalar(_STR, str(v), style='"'))
_Dumper.add_representer(_FlowMap, lambda d, v: d.represent_mapping(
    "tag:yaml.org,2002:map", v, flow_style=True))
_Dumper.add_representer(_FlowList, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", v, flow_style=True))

#: Longest collection written on one line (``{sequence: 10, rule: SUM-KWH}``).
FLOW_WIDTH = 72


def _flow_len(value: Any) -> int | None:
    """Length of ``value`` written on one line, or None when it does not go on one line."""
    if isinstance(value, _FlowMap):
        parts = [len(str(k)) + 2 + n for k, v in value.items() if (n := _flow_len(v)) is not None]
        return sum(parts) + 2 * len(value) if len(parts) == len(value) else None
    if isinstance(value, _FlowList):
        parts = [n for v in value if (n := _flow_len(v)) is not None]
        return sum(parts) + 2 * len(value) if len(parts) == len(value) else None
    if isinstance(value, dict | list):
        return None
    text = str(value)
    if "\n" in text or "\r" in text:
        return None
    return len(text) + (2 if isinstance(value, str) else 0)


def _tidy(value: Any) -> Any:
    """Mark the short collections of scalars to be written on one line."""
    if isinstance(value, dict):
        out: dict[str, Any] = {k: _tidy(v) for k, v in value.items()}
        flow = _FlowMap(out)
        n = _flow_len(flow)
        return flow if n is not None and n <= FLOW_WIDTH else out
    if isinstance(value, list):
        items = [_tidy(v) for v in value]
        flow_list = _FlowList(items)
        n = _flow_len(flow_list)
        return flow_list if n is not None and n <= FLOW_WIDTH else items
    return value


def _emit(document: Mapping[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=1000, indent=2)


def dump_library(lib: RateLibrary) -> str:
    """The library as one rate file: sections in :attr:`RateLibrary.SECTIONS` order, empty
    sections and fields at their default left out, decimals as quoted strings."""
    document: dict[str, Any] = {}
    for section in RateLibrary.SECTIONS:
        entries: Mapping[str, Any] = getattr(lib, section)
        if entries:
            spec = SECTIONS[section]
            document[section] = {str(code): _tidy(spec.dump(definition))
                                 for code, definition in entries.items()}
    return _emit(document)


def dump_rate_schedule(lib: RateLibrary, code: str, *, dependencies: bool = True) -> str:
    """Rate schedule ``code`` as a rate file of its own. With ``dependencies`` the file also
    holds its sub-rates and every definition of ``lib`` they use (rules, bill factors,
    currency, frequency, units…), so it loads and compiles on its own."""
    if not dependencies:
        return dump_library(RateLibrary(rate_schedules={code: lib.schedule(code)}))
    return dump_library(rate_schedule_library(lib, code))


def rate_schedule_library(lib: RateLibrary, code: str) -> RateLibrary:
    """The part of ``lib`` rate schedule ``code`` needs: the schedule, its sub-rates, their
    SQ and register rules, the bill factors their components use, and the currencies,
    frequencies, units, TOUs, TOU groups and SQIs any of those name. Codes ``lib`` does not
    define are left for the compiler to report."""
    want: dict[str, dict[str, None]] = {section: {} for section in RateLibrary.SECTIONS}

    def add(section: str, ref: str | None) -> bool:
        if ref is None or ref in want[section] or ref not in getattr(lib, section):
            return False
        want[section][ref] = None
        return True

    def add_key(key: SqKey | None) -> None:
        if key is not None:
            add("uoms", key.uom)
            add("tous", key.tou)
            add("sqis", key.sqi)

    pending = [lib.schedule(code).code]
    while pending:
        if not add("rate_schedules", rs_code := pending.pop(0)):
            continue
        rs: RateSchedule = lib.rate_schedules[rs_code]
        pending.extend(link.rule for link in rs.sub_rates)
        add("currencies", rs.currency)
        add("frequencies", rs.frequency)
        for link in rs.sq_rules:
            if add("sq_rules", link.rule):
                rule = lib.sq_rules[link.rule]
                add_key(rule.output)
                _add_params(add, SQ_RULE, rule.algorithm, rule.params)
        for link in rs.register_rules:
            if add("register_rules", link.rule):
                reg = lib.register_rules[link.rule]
                _add_params(add, REGISTER_RULE, reg.algorithm, reg.params)
        for rv in rs.versions:
            for rc in rv.components:
                add("bill_factors", rc.bill_factor)
                add("tou_maps", rc.tou_map)
                add_key(rc.sq_key)
                for group in rc.eligibility:
                    for criterion in group.criteria:
                        add_key(criterion.sq)
                for kind, ref in ((RC_VALUE, rc.value_algorithm), (STEP, rc.step_algorithm),
                                  (CALCULATION, rc.calc_algorithm)):
                    if ref is not None:
                        _add_params(add, kind, ref.code, ref.params)
    for bf_code in list(want["bill_factors"]):
        bf = lib.bill_factors[bf_code]
        add("currencies", bf.currency)
        for bfc in bf.characteristics.values():
            for tv in bfc.tou_values:
                add("tou_groups", tv.tou_group)
                for tou in tv.values:
                    add("tous", tou)
    for map_code in want["tou_maps"]:
        for period in lib.tou_maps[map_code].periods:
            add("tous", period.tou)
    for group_code in want["tou_groups"]:
        for tou in lib.tou_groups[group_code].members:
            add("tous", tou)
    return RateLibrary(**{section: {c: getattr(lib, section)[c] for c in codes}
                          for section, codes in want.items()})


_PARAM_SECTIONS = {"bill_factor": "bill_factors", "uom": "uoms", "tou": "tous", "sqi": "sqis"}


def _add_params(add: Callable[[str, str | None], bool], kind: str, algorithm: str,
                params: tuple[str | None, ...] | Mapping[str, str]) -> None:
    """Add the codes an algorithm's parameters name, when its plug-in says what they are."""
    for param_kind, code in named_codes(kind, algorithm, params):
        section = _PARAM_SECTIONS.get(param_kind)
        if section is not None:
            add(section, code)
