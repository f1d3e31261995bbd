"""The algorithms a case type plugs into its statuses (spec/50 §5.2): ENTER algorithms run when
a case enters a status, EXIT algorithms when it leaves one, AUTO algorithms are asked where the
case goes next by itself (auto-transition). A case type names them by code in
`case_type_algorithm`; this module keeps the registry of codes and the built-in ones:

* ENTER/EXIT ``CREATE-TODO`` (parameter: To Do type) — a To Do entry for the case, routed to the
  type's work group; a SYSTEM log row points to it (``("TODO", id)``).
* ENTER/EXIT ``COMPLETE-TODOS`` (parameter: optional To Do type) — completes the case's To Do
  entries still open or being worked on; a SYSTEM log row says how many.
* ENTER ``CUSTOMER-CONTACT`` (parameter: contact type) — records a customer contact with the
  case's person (and account); a SYSTEM log row points to it (``("CUSTOMER_CONTACT", number)``,
  CS-T13).
* AUTO ``AUTO-IF-CHAR``, ``AUTO-WHEN-TODOS-DONE``, ``AUTO-AFTER-DAYS`` — the engine's decisions
  (`app.engine.cases.auto_next_status`) on the case's facts.

Other features (and tests) add theirs with `register_case_algorithm`. An algorithm gets an
`AlgorithmCall`: the open session, the case row (locked by the caller), its parameter, who
acts, the business clock and `log` to append a SYSTEM row to the case log. Side-effect
algorithms return None; AUTO algorithms return the status to move to, or None to stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.engine import cases as engine
from app.models import (
    Case,
    CaseChar,
    CaseType,
    CaseTypeStatus,
    CustomerContact,
    TodoEntry,
    TodoType,
    WorkGroup,
)
from app.models.enums import CaseAlgorithmKind, TodoStatus
from app.services.common import new_number
from app.services.errors import DomainError
from app.services.todos import create_todo, todo_counts_for_case

ENTER = CaseAlgorithmKind.ENTER
EXIT = CaseAlgorithmKind.EXIT
AUTO = CaseAlgorithmKind.AUTO

CREATE_TODO = "CREATE-TODO"
COMPLETE_TODOS = "COMPLETE-TODOS"
CUSTOMER_CONTACT = "CUSTOMER-CONTACT"

#: To Do statuses that still wait for someone.
NOT_DONE = (TodoStatus.OPEN, TodoStatus.BEING_WORKED)


class LogWriter(Protocol):
    def __call__(self, details: str, related: tuple[str, str] | None = None) -> None: ...


@dataclass(frozen=True)
class AlgorithmCall:
    """What an algorithm is given. `log` appends a SYSTEM row to the case's log (with the
    algorithm's code, and `related` = (object type, object id) when given)."""

    session: Session
    case: Case
    algorithm_code: str
    parameter: str
    actor_name: str
    now: dt.datetime
    log: LogWriter


#: Side effects return None; AUTO algorithms return the next status (or None to stay).
AlgorithmFn = Callable[[AlgorithmCall], str | None]


@dataclass(frozen=True)
class CaseAlgorithm:
    code: str
    kinds: frozenset[CaseAlgorithmKind]
    fn: AlgorithmFn
    description: str = ""
    #: What the parameter holds, for the case type editor ("" = none).
    parameter_hint: str = ""


_REGISTRY: dict[str, CaseAlgorithm] = {}


def register_case_algorithm(code: str, kind_set: Iterable[CaseAlgorithmKind], fn: AlgorithmFn,
                            description: str = "", parameter_hint: str = "") -> None:
    """Make `code` available to case types for the given kinds (replacing an earlier one)."""
    kinds = frozenset(kind_set)
    if not kinds:
        raise ValueError(f"Case algorithm {code} needs at least one kind (ENTER, EXIT, AUTO).")
    _REGISTRY[code.strip().upper()] = CaseAlgorithm(code.strip().upper(), kinds, fn,
                                                    description, parameter_hint)


def unregister_case_algorithm(code: str) -> None:
    _REGISTRY.pop(code.strip().upper(), None)


def registered_algorithms(kind: CaseAlgorithmKind | None = None) -> tuple[CaseAlgorithm, ...]:
    """The registered algorithms (of one kind, when given), by code."""
    return tuple(a for _, a in sorted(_REGISTRY.items()) if kind is None or kind in a.kinds)


def case_algorithm(code: str, kind: CaseAlgorithmKind) -> CaseAlgorithm:
    """The algorithm registered as `code` for `kind`; DomainError naming it when there is none
    (a case type configured with an algorithm this installation does not have)."""
    found = _REGISTRY.get(code.strip().upper())
    if found is None:
        raise DomainError(f"The case type uses the algorithm {code}, which this installation "
                          "does not have. Ask an administrator to correct the case type.")
    if kind not in found.kinds:
        raise DomainError(f"The algorithm {code} cannot run as an {kind.value} algorithm. Ask "
                          "an administrator to correct the case type.")
    return found


# ----------------------------------------------------------------------------- facts


def case_facts(session: Session, case: Case, now: dt.datetime) -> engine.CaseFacts:
    """What the AUTO algorithms look at: status, characteristic types present, To Do counts,
    whole days in the status."""
    chars = frozenset(session.scalars(select(CaseChar.char_type_code)
                                      .where(CaseChar.case_id == case.id)))
    counts = todo_counts_for_case(session, case.id)
    days = (now.date() - case.status_entered_at.date()).days
    return engine.CaseFacts(case.status_code, chars, counts.unfinished, counts.total,
                            max(days, 0))


# ----------------------------------------------------------------------------- built-ins


def _create_todo(call: AlgorithmCall) -> None:
    code = call.parameter.strip().upper()
    todo_type = call.session.get(TodoType, code)
    if todo_type is None:
        raise DomainError(f"{CREATE_TODO} names the To Do type {code or '(none)'}, which does "
                          "not exist. Ask an administrator to correct the case type.")
    case = call.case
    status = call.session.get(CaseTypeStatus, (case.case_type_code, case.status_code))
    kind = call.session.get(CaseType, case.case_type_code)
    message = (f"{kind.description if kind else case.case_type_code} {case.number}: "
               f"{status.description if status else case.status_code}")
    entry = create_todo(call.session, code, message, case_id=case.id,
                              account_id=case.account_id, drill=("CASE", case.number),
                              actor_name=call.actor_name)
    call.session.flush()
    group = call.session.get(WorkGroup, entry.work_group_code)
    where = group.description if group is not None else entry.work_group_code
    call.log(f"To Do {todo_type.description} created for {where}", ("TODO", str(entry.id)))
    return None


def _complete_todos(call: AlgorithmCall) -> None:
    query = select(TodoEntry).where(TodoEntry.case_id == call.case.id,
                                    TodoEntry.status.in_(NOT_DONE))
    only = call.parameter.strip().upper()
    if only:
        query = query.where(TodoEntry.todo_type_code == only)
    entries = list(call.session.scalars(query.order_by(TodoEntry.id)))
    for entry in entries:
        entry.status = TodoStatus.COMPLETE
        entry.completed_at = call.now
        entry.completed_by = call.actor_name
    if entries:
        noun = "entry" if len(entries) == 1 else "entries"
        call.log(f"{len(entries)} To Do {noun} completed")
    return None


def _customer_contact(call: AlgorithmCall) -> None:
    case = call.case
    party_id = case.person_id or case.contact_person_id
    if party_id is None:
        raise DomainError(f"{CUSTOMER_CONTACT} records a contact with the case's person, and "
                          f"case {case.number} has none. Enter the person first.", "person")
    contact_type = call.parameter.strip().upper() or "CASE"
    contact = CustomerContact(
        number=new_number(call.session, CustomerContact), party_id=party_id,
        account_id=case.account_id, contact_type=contact_type[:30], contact_at=call.now,
        text=f"Case {case.number}: {case.status_code}", created_by=call.actor_name)
    call.session.add(contact)
    call.session.flush()
    call.log(f"Customer contact {contact_type} {contact.number} recorded",
             ("CUSTOMER_CONTACT", contact.number))
    return None


def _auto(call: AlgorithmCall) -> str | None:
    facts = case_facts(call.session, call.case, call.now)
    try:
        return engine.auto_next_status(call.algorithm_code, call.parameter, facts)
    except ValueError as exc:
        raise DomainError(f"{exc} Ask an administrator to correct the case type.") from None


register_case_algorithm(CREATE_TODO, {ENTER, EXIT}, _create_todo,
                        "Create a To Do entry for the case", "To Do type, e.g. HB-REVIEW")
register_case_algorithm(COMPLETE_TODOS, {ENTER, EXIT}, _complete_todos,
                        "Complete the case's open To Do entries",
                        "To Do type to complete (empty: all)")
register_case_algorithm(CUSTOMER_CONTACT, {ENTER}, _customer_contact,
                        "Record a customer contact with the case's person",
                        "contact type, e.g. LETTER")
register_case_algorithm(engine.AUTO_IF_CHAR, {AUTO}, _auto,
                        "Move on when the case has a characteristic", "SENT-DT>SENT")
register_case_algorithm(engine.AUTO_WHEN_TODOS_DONE, {AUTO}, _auto,
                        "Move on when all the case's To Do entries are complete", "RESOLVED")
register_case_algorithm(engine.AUTO_AFTER_DAYS, {AUTO}, _auto,
                        "Move on after a number of days in the status", "14>CLOSED")
