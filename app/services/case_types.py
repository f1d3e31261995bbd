"""Case types (spec/50 §5.1), kept by administrators: what a case of the type asks for
(person, account, premise, responsible user, contact information), who may work it, and its
lifecycle — statuses, transitions (the action buttons), the algorithms run on entering or
leaving a status or asked for the next status, and the characteristics a status requires.

`save_case_type` writes a whole definition in one transaction after checking all of it
(`engine.cases.lifecycle_problems` plus what only the database knows: characteristic types,
To Do types, cases still in a status); every problem is named in one message. `lifecycle_of`
is the one place that turns a case type's rows into the engine's `CaseLifecycle`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine import cases as engine
from app.engine.cases import CaseLifecycle, CaseStatusDef, CaseTransitionDef
from app.models import (
    Case,
    CaseType,
    CaseTypeAlgorithm,
    CaseTypeCharType,
    CaseTypeRequiredChar,
    CaseTypeStatus,
    CaseTypeTransition,
    CharacteristicType,
    TodoType,
)
from app.models.enums import CaseAlgorithmKind, CaseUsage, UserRole
from app.services.case_algorithms import COMPLETE_TODOS, CREATE_TODO, registered_algorithms
from app.services.common import check_version
from app.services.context import Actor, read_only, transaction
from app.services.errors import NotFound, ValidationError

ENTER, EXIT, AUTO = CaseAlgorithmKind.ENTER, CaseAlgorithmKind.EXIT, CaseAlgorithmKind.AUTO
ACTION = "maintain case types"


def _width(column: object) -> int:
    """How many characters a String column holds (the model is the one place that says)."""
    length = getattr(getattr(column, "type", None), "length", None)
    assert isinstance(length, int)
    return length


TYPE_CODE_WIDTH = _width(CaseType.__table__.c.code)
STATUS_CODE_WIDTH = _width(CaseTypeStatus.__table__.c.status_code)
STATUS_DESCRIPTION_WIDTH = _width(CaseTypeStatus.__table__.c.description)
LABEL_WIDTH = _width(CaseTypeTransition.__table__.c.action_label)
PARAMETER_WIDTH = _width(CaseTypeAlgorithm.__table__.c.parameter)
#: Algorithms whose parameter is a To Do type (checked to exist).
TODO_TYPE_PARAMETER = (CREATE_TODO, COMPLETE_TODOS)


@dataclass(frozen=True)
class CaseAlgorithmLine:
    """An algorithm of a status: run on entering or leaving it, or asked for the next status
    (AUTO), in `seq` order; `parameter` is what the algorithm needs (e.g. a To Do type)."""

    status_code: str
    kind: CaseAlgorithmKind
    seq: int
    algorithm_code: str
    parameter: str = ""


@dataclass(frozen=True)
class CaseTypeDefinition:
    """Everything that defines a case type. `required_chars` are (status, characteristic
    type) pairs; `allowed_chars` the characteristic types its cases may carry; `access_roles`
    the roles that may see and work its cases (none: every user). `version` is the case
    type's version when loaded (None for a new one); `save_case_type` takes it separately."""

    code: str
    description: str
    person_usage: CaseUsage = CaseUsage.OPTIONAL
    account_usage: CaseUsage = CaseUsage.OPTIONAL
    premise_usage: CaseUsage = CaseUsage.OPTIONAL
    responsible_user_usage: CaseUsage = CaseUsage.OPTIONAL
    contact_info_usage: CaseUsage = CaseUsage.OPTIONAL
    uses_characteristics: bool = False
    access_roles: frozenset[UserRole] = frozenset()
    statuses: tuple[CaseStatusDef, ...] = ()
    transitions: tuple[CaseTransitionDef, ...] = ()
    algorithms: tuple[CaseAlgorithmLine, ...] = ()
    required_chars: tuple[tuple[str, str], ...] = ()
    allowed_chars: tuple[str, ...] = ()
    version: int | None = None

    def lifecycle(self) -> CaseLifecycle:
        return CaseLifecycle(self.statuses, self.transitions, self.required_chars,
                             self.allowed_chars)


@dataclass(frozen=True)
class CaseTypeRow:
    """A case type of the administrator's list."""

    code: str
    description: str
    statuses: int
    open_cases: int
    cases: int
    access_roles: str
    version: int


@dataclass(frozen=True)
class AlgorithmInfo:
    """An algorithm a case type may use: when it may run and what its parameter is."""

    code: str
    kinds: frozenset[CaseAlgorithmKind]
    description: str
    parameter_hint: str = ""


class CaseTypeProblems(ValidationError):
    """A definition that cannot be saved; `problems` are its sentences, one each (the message
    names the type and lists them, one a line)."""

    def __init__(self, code: str, problems: Iterable[str]) -> None:
        self.problems = tuple(dict.fromkeys(problems))   # each once, in order
        super().__init__(f"{code or 'The case type'} was not saved:\n"
                         + "\n".join(self.problems))


def known_algorithms() -> tuple[AlgorithmInfo, ...]:
    """The algorithms a case type may use, by code: those registered with
    `app.services.case_algorithms` (the built-in ones and any a feature adds)."""
    return tuple(AlgorithmInfo(a.code, a.kinds, a.description or a.code, a.parameter_hint)
                 for a in registered_algorithms())


# ------------------------------------------------------------------------------- reading

def lifecycle_of(session: Session, case_type_code: str) -> CaseLifecycle:
    """The engine's lifecycle of a case type, from its rows (statuses by seq); NotFound when
    there is no such case type."""
    if session.get(CaseType, case_type_code) is None:
        raise NotFound(f"There is no case type {case_type_code}.", "case_type")
    return _lifecycle(session, case_type_code)


def _lifecycle(session: Session, code: str) -> CaseLifecycle:
    statuses = tuple(
        CaseStatusDef(s.status_code, s.description, s.seq, s.is_initial, s.is_final,
                      s.alertable, s.script)
        for s in session.scalars(select(CaseTypeStatus)
                                 .where(CaseTypeStatus.case_type_code == code)
                                 .order_by(CaseTypeStatus.seq, CaseTypeStatus.status_code)))
    transitions = tuple(
        CaseTransitionDef(t.from_status, t.to_status, t.action_label, t.seq, t.is_default,
                          t.access_role.value if t.access_role is not None else None)
        for t in session.scalars(select(CaseTypeTransition)
                                 .where(CaseTypeTransition.case_type_code == code)
                                 .order_by(CaseTypeTransition.from_status,
                                           CaseTypeTransition.seq, CaseTypeTransition.id)))
    required = tuple((status, char) for status, char in session.execute(
        select(CaseTypeRequiredChar.status_code, CaseTypeRequiredChar.char_type_code)
        .where(CaseTypeRequiredChar.case_type_code == code)
        .order_by(CaseTypeRequiredChar.status_code, CaseTypeRequiredChar.char_type_code)))
    allowed = tuple(session.scalars(
        select(CaseTypeCharType.char_type_code).where(CaseTypeCharType.case_type_code == code)
        .order_by(CaseTypeCharType.char_type_code)))
    return CaseLifecycle(statuses, transitions, required, allowed)


def _definition(session: Session, code: str) -> CaseTypeDefinition:
    row = session.get(CaseType, code)
    if row is None:
        raise NotFound(f"There is no case type {code}.", "code")
    lc = _lifecycle(session, code)
    algorithms = tuple(
        CaseAlgorithmLine(a.status_code, a.kind, a.seq, a.algorithm_code, a.parameter)
        for a in session.scalars(select(CaseTypeAlgorithm)
                                 .where(CaseTypeAlgorithm.case_type_code == code)
                                 .order_by(CaseTypeAlgorithm.status_code, CaseTypeAlgorithm.kind,
                                           CaseTypeAlgorithm.seq, CaseTypeAlgorithm.id)))
    return CaseTypeDefinition(
        code=row.code, description=row.description, person_usage=row.person_usage,
        account_usage=row.account_usage, premise_usage=row.premise_usage,
        responsible_user_usage=row.responsible_user_usage,
        contact_info_usage=row.contact_info_usage,
        uses_characteristics=row.uses_characteristics,
        access_roles=frozenset(UserRole(r) for r in engine.parse_roles(row.access_roles)
                               if r in UserRole.__members__),
        statuses=lc.statuses, transitions=lc.transitions, algorithms=algorithms,
        required_chars=lc.required_chars, allowed_chars=lc.allowed_chars, version=row.version)


def load_case_type(db: Database, actor: Actor, code: str) -> CaseTypeDefinition:
    """A case type's whole definition, with its version (for `save_case_type`)."""
    actor.require(ACTION)
    with read_only(db) as session:
        return _definition(session, code.strip().upper())


def case_type_list(db: Database, actor: Actor) -> tuple[CaseTypeRow, ...]:
    """Every case type by code, with how many statuses it has and how many cases use it."""
    actor.require(ACTION)
    with read_only(db) as session:
        status_counts = {code: count for code, count in session.execute(
            select(CaseTypeStatus.case_type_code, func.count())
            .group_by(CaseTypeStatus.case_type_code))}
        case_counts = {code: (total, open_) for code, total, open_ in session.execute(
            select(Case.case_type_code, func.count(),
                   func.count().filter(Case.closed_at.is_(None)))
            .group_by(Case.case_type_code))}
        return tuple(
            CaseTypeRow(t.code, t.description, status_counts.get(t.code, 0),
                        case_counts.get(t.code, (0, 0))[1], case_counts.get(t.code, (0, 0))[0],
                        t.access_roles, t.version)
            for t in session.scalars(select(CaseType).order_by(CaseType.code)))


def characteristic_type_choices(db: Database) -> tuple[tuple[str, str], ...]:
    """(code, description) of every characteristic type, for the editor's grids."""
    with read_only(db) as session:
        return tuple((code, text) for code, text in session.execute(
            select(CharacteristicType.code, CharacteristicType.description)
            .order_by(CharacteristicType.code)))


def todo_type_choices(db: Database) -> tuple[tuple[str, str], ...]:
    """(code, description) of every To Do type (CREATE-TODO's parameter)."""
    with read_only(db) as session:
        return tuple((code, text) for code, text in session.execute(
            select(TodoType.code, TodoType.description).order_by(TodoType.code)))


# ------------------------------------------------------------------------------- checking

def _code_problem(code: str, what: str, length: int) -> str | None:
    if not code:
        return f"Enter {what}."
    if len(code) > length:
        return f"{what[0].upper()}{what[1:]} {code} is too long (at most {length} characters)."
    if any(c.isspace() for c in code):
        return f"{what[0].upper()}{what[1:]} {code!r} has spaces; use e.g. HIGH-BILL."
    return None


def _text_problem(text: str | None, what: str, length: int, required: bool = True
                  ) -> str | None:
    if required and not (text or "").strip():
        return f"Enter {what}."
    if text is not None and len(text.strip()) > length:
        return f"{what[0].upper()}{what[1:]} is too long ({len(text.strip())} characters; " \
               f"at most {length})."
    return None


def _normalized(d: CaseTypeDefinition) -> CaseTypeDefinition:
    """The definition as it will be stored: codes trimmed and upper-case, texts trimmed."""
    def up(text: str | None) -> str:
        return (text or "").strip().upper()

    return CaseTypeDefinition(
        code=up(d.code), description=d.description.strip(), person_usage=d.person_usage,
        account_usage=d.account_usage, premise_usage=d.premise_usage,
        responsible_user_usage=d.responsible_user_usage,
        contact_info_usage=d.contact_info_usage, uses_characteristics=d.uses_characteristics,
        access_roles=d.access_roles,
        statuses=tuple(CaseStatusDef(up(s.code), s.description.strip(), s.seq, s.is_initial,
                                     s.is_final, s.alertable, (s.script or "").strip() or None)
                       for s in d.statuses),
        transitions=tuple(CaseTransitionDef(up(t.from_status), up(t.to_status),
                                            t.action_label.strip(), t.seq, t.is_default,
                                            up(t.access_role) or None)
                          for t in d.transitions),
        algorithms=tuple(CaseAlgorithmLine(up(a.status_code), a.kind, a.seq,
                                           up(a.algorithm_code), a.parameter.strip())
                         for a in d.algorithms),
        required_chars=tuple((up(s), up(c)) for s, c in d.required_chars),
        allowed_chars=tuple(up(c) for c in d.allowed_chars),
        version=d.version)


def _definition_problems(d: CaseTypeDefinition) -> list[str]:
    """What is wrong with a (normalized) definition, without asking the database."""
    problems = [p for p in (_code_problem(d.code, "the case type code", TYPE_CODE_WIDTH),
                            _text_problem(d.description, "a description of the case type", 100))
                if p]
    for s in d.statuses:
        name = s.code or "a status"
        problems += [p for p in (
            _code_problem(s.code, "the status code", STATUS_CODE_WIDTH) if s.code else
            "A status has no code; give each status a code.",
            _text_problem(s.description, f"a description of status {name}",
                          STATUS_DESCRIPTION_WIDTH),
            _text_problem(s.script, f"the script of status {name}", 254, required=False)) if p]
    roles = set(UserRole.__members__)
    for t in d.transitions:
        if len(t.action_label) > LABEL_WIDTH:
            problems.append(f"The action label \"{t.action_label}\" is too long (at most "
                            f"{LABEL_WIDTH} characters).")
        if t.access_role is not None and t.access_role not in roles:
            problems.append(f"The transition {t.from_status} → {t.to_status} is for role "
                            f"{t.access_role}, which is not a user role.")
    problems += engine.lifecycle_problems(d.lifecycle(), _auto_moves(d))
    status_codes = {s.code for s in d.statuses}
    algorithms = {a.code: a for a in known_algorithms()}
    for a in d.algorithms:
        where = f"The {a.kind.value.lower()} algorithm {a.algorithm_code or '(no code)'} of " \
                f"{a.status_code or '(no status)'}"
        info = algorithms.get(a.algorithm_code)
        if info is None:
            problems.append(f"{where} is not a known algorithm; choose one of "
                            f"{', '.join(algorithms)}.")
            continue
        if a.kind not in info.kinds:
            kinds = " or ".join(sorted(k.value.lower() for k in info.kinds))
            problems.append(f"{where} cannot run as {a.kind.value.lower()}; it is an "
                            f"{kinds} algorithm.")
        if a.status_code not in status_codes:
            problems.append(f"{where} is on {a.status_code or 'no status'}, which is not a "
                            "status of this case type.")
        if len(a.parameter) > PARAMETER_WIDTH:
            problems.append(f"{where} has a parameter longer than {PARAMETER_WIDTH} "
                            "characters.")
        if a.kind is AUTO and a.algorithm_code in engine.AUTO_ALGORITHMS:
            try:
                target = engine.auto_target(a.algorithm_code, a.parameter)
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
            else:
                if target not in status_codes:
                    problems.append(f"{where} moves cases to {target}, which is not a status "
                                    "of this case type.")
        if a.algorithm_code == CREATE_TODO and not a.parameter:
            problems.append(f"{where} needs the To Do type to create as its parameter.")
    for status_code, char in d.required_chars:
        if not d.uses_characteristics:
            problems.append(f"Characteristic {char} is required for {status_code}, but the "
                            "case type does not use characteristics; tick Uses "
                            "characteristics or remove the requirement.")
            break
    for char, count in sorted(Counter(d.allowed_chars).items()):
        if count > 1:
            problems.append(f"Characteristic type {char} is allowed {count} times; list it "
                            "once.")
    for pair, count in sorted(Counter(d.required_chars).items()):
        if count > 1:
            problems.append(f"Characteristic {pair[1]} is required for {pair[0]} {count} "
                            "times; list it once.")
    return problems


def _auto_moves(d: CaseTypeDefinition) -> tuple[tuple[str, str], ...]:
    moves = []
    for a in d.algorithms:
        if a.kind is AUTO and a.algorithm_code in engine.AUTO_ALGORITHMS:
            try:
                moves.append((a.status_code, engine.auto_target(a.algorithm_code, a.parameter)))
            except ValueError:
                continue  # named among the problems
    return tuple(moves)


def _database_problems(session: Session, d: CaseTypeDefinition) -> list[str]:
    """What only the database knows: characteristic and To Do types that do not exist, and
    statuses being removed that cases are in."""
    problems: list[str] = []
    chars = set(d.allowed_chars) | {c for _s, c in d.required_chars}
    if chars:
        known = set(session.scalars(select(CharacteristicType.code)
                                    .where(CharacteristicType.code.in_(chars))))
        for char in sorted(chars - known):
            problems.append(f"There is no characteristic type {char}.")
    todo_types = {(a.parameter.upper(), a.algorithm_code) for a in d.algorithms
                  if a.algorithm_code in TODO_TYPE_PARAMETER and a.parameter}
    if todo_types:
        known = set(session.scalars(select(TodoType.code).where(
            TodoType.code.in_({t for t, _a in todo_types}))))
        for todo, algorithm in sorted(todo_types):
            if todo not in known:
                problems.append(f"{algorithm} names the To Do type {todo}, which does not "
                                "exist.")
    kept = {s.code: s for s in d.statuses}
    final_now = {code: final for code, final in session.execute(
        select(CaseTypeStatus.status_code, CaseTypeStatus.is_final)
        .where(CaseTypeStatus.case_type_code == d.code))}
    for status, count in session.execute(
            select(Case.status_code, func.count()).where(Case.case_type_code == d.code)
            .group_by(Case.status_code).order_by(Case.status_code)):
        cases = "1 case is" if count == 1 else f"{count} cases are"
        them = "it" if count == 1 else "them"
        if status not in kept:
            problems.append(f"Status {status} cannot be removed: {cases} in it. Move "
                            f"{them} on first.")
        elif kept[status].is_final != final_now.get(status, kept[status].is_final):
            # A case is closed exactly while its status is final (closed_at, read-only fields).
            becomes = "final" if kept[status].is_final else "not final"
            problems.append(f"Status {status} cannot become {becomes} while {cases} in it. "
                            f"Move {them} on first.")
    return problems


def _refuse(code: str, problems: Iterable[str]) -> None:
    found = list(problems)
    if found:
        raise CaseTypeProblems(code, found)


# ------------------------------------------------------------------------------- saving

def save_case_type(db: Database, actor: Actor, definition: CaseTypeDefinition,
                   version: int | None) -> str:
    """Create a case type (version None) or replace the definition of one (with the version
    the caller loaded): header, statuses, transitions, algorithms, required and allowed
    characteristics, all in one transaction. Everything wrong is named in one
    `CaseTypeProblems`; a save that lost a race raises ConcurrentChange. Returns the code."""
    actor.require(ACTION)
    d = _normalized(definition)
    _refuse(d.code, _definition_problems(d))
    with transaction(db, actor) as session:
        row = session.get(CaseType, d.code, with_for_update=True)
        if row is None:
            if version is not None:
                raise ValidationError(f"Case type {d.code} no longer exists; someone removed "
                                      "it while you were editing.", "code")
        elif version is None:
            raise ValidationError(f"Case type {d.code} exists already; open it to change it.",
                                  "code")
        else:
            check_version(row, version, f"Case type {d.code}")
        _refuse(d.code, _database_problems(session, d))
        if row is None:
            row = CaseType(code=d.code)
            session.add(row)
        row.description = d.description
        row.person_usage = d.person_usage
        row.account_usage = d.account_usage
        row.premise_usage = d.premise_usage
        row.responsible_user_usage = d.responsible_user_usage
        row.contact_info_usage = d.contact_info_usage
        row.uses_characteristics = d.uses_characteristics
        row.access_roles = engine.format_roles(r.value for r in d.access_roles)
        row.updated_by = actor.username
        row.updated_at = dt.datetime.now(dt.UTC)   # the version moves on even if only rows did
        session.flush()
        _replace_rows(session, d)
        return d.code


def _replace_rows(session: Session, d: CaseTypeDefinition) -> None:
    """Bring the type's rows to the definition: rows that stay are updated in place (cases
    point at statuses), removed ones deleted before the statuses they use, new ones added
    after the statuses they use."""
    code = d.code
    keep_transitions = {(t.from_status, t.to_status): t for t in d.transitions}
    old_transitions = {(t.from_status, t.to_status): t for t in session.scalars(
        select(CaseTypeTransition).where(CaseTypeTransition.case_type_code == code))}
    for key, old in old_transitions.items():
        if key not in keep_transitions:
            session.delete(old)
    old_algorithms = list(session.scalars(select(CaseTypeAlgorithm)
                                          .where(CaseTypeAlgorithm.case_type_code == code)
                                          .order_by(CaseTypeAlgorithm.id)))
    wanted_algorithms = sorted(d.algorithms, key=lambda a: (a.status_code, a.kind.value, a.seq))
    if sorted((CaseAlgorithmLine(a.status_code, a.kind, a.seq, a.algorithm_code, a.parameter)
               for a in old_algorithms), key=lambda a: (a.status_code, a.kind.value, a.seq,
                                                        a.algorithm_code, a.parameter)) != \
            sorted(wanted_algorithms, key=lambda a: (a.status_code, a.kind.value, a.seq,
                                                     a.algorithm_code, a.parameter)):
        for old_algorithm in old_algorithms:
            session.delete(old_algorithm)
    else:
        wanted_algorithms = []
    required = set(d.required_chars)
    old_required = {(r.status_code, r.char_type_code): r for r in session.scalars(
        select(CaseTypeRequiredChar).where(CaseTypeRequiredChar.case_type_code == code))}
    for key, old_req in old_required.items():
        if key not in required:
            session.delete(old_req)
    session.flush()

    wanted_statuses = {s.code: s for s in d.statuses}
    old_statuses = {s.status_code: s for s in session.scalars(
        select(CaseTypeStatus).where(CaseTypeStatus.case_type_code == code))}
    for s in d.statuses:
        status = old_statuses.get(s.code)
        if status is None:
            status = CaseTypeStatus(case_type_code=code, status_code=s.code)
            session.add(status)
        status.description, status.seq = s.description, s.seq
        status.is_initial, status.is_final = s.is_initial, s.is_final
        status.alertable, status.script = s.alertable, s.script
    session.flush()
    for status_code, old_status in old_statuses.items():
        if status_code not in wanted_statuses:
            session.delete(old_status)
    session.flush()

    for key, t in keep_transitions.items():
        transition = old_transitions.get(key)
        if transition is None:
            transition = CaseTypeTransition(case_type_code=code, from_status=t.from_status,
                                            to_status=t.to_status)
            session.add(transition)
        transition.action_label, transition.seq = t.action_label, t.seq
        transition.is_default = t.is_default
        transition.access_role = UserRole(t.access_role) if t.access_role else None
    for a in wanted_algorithms:
        session.add(CaseTypeAlgorithm(case_type_code=code, status_code=a.status_code,
                                      kind=a.kind, seq=a.seq, algorithm_code=a.algorithm_code,
                                      parameter=a.parameter))
    for status_code, char in sorted(required - set(old_required)):
        session.add(CaseTypeRequiredChar(case_type_code=code, status_code=status_code,
                                         char_type_code=char))
    allowed = set(d.allowed_chars)
    old_allowed = set(session.scalars(select(CaseTypeCharType.char_type_code)
                                      .where(CaseTypeCharType.case_type_code == code)))
    for old_char in session.scalars(select(CaseTypeCharType).where(
            CaseTypeCharType.case_type_code == code,
            CaseTypeCharType.char_type_code.in_(old_allowed - allowed))):
        session.delete(old_char)
    for char in sorted(allowed - old_allowed):
        session.add(CaseTypeCharType(case_type_code=code, char_type_code=char))
    session.flush()
