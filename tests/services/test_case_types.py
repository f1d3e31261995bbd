"""Case type maintenance (spec/50 §5.1, §5.5): an administrator creates the sample HIGH-BILL
and LIT-REQ types and edits them; a broken definition is refused with every problem named in
one message; a status cases are in cannot be removed; only administrators may do any of it;
`lifecycle_of` gives the engine the lifecycle the rows hold."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.db import Database
from app.engine.cases import CaseStatusDef, CaseTransitionDef, lifecycle_problems
from app.models import Case
from app.models.enums import (
    CaseAlgorithmKind,
    CaseUsage,
    CharacteristicEntity,
    CharacteristicValueKind,
    UserRole,
)
from app.services import case_types, characteristics, todos
from app.services.case_types import CaseAlgorithmLine, CaseTypeDefinition, CaseTypeProblems
from app.services.context import transaction
from app.services.errors import ConcurrentChange, NotFound, PermissionDenied, ValidationError
from tests.conftest import ADMIN, CSR, SUPERVISOR

S, T = CaseStatusDef, CaseTransitionDef
ENTER, EXIT, AUTO = CaseAlgorithmKind.ENTER, CaseAlgorithmKind.EXIT, CaseAlgorithmKind.AUTO


def set_up_references(db: Database) -> None:
    """The characteristic types and To Do type the sample case types use."""
    for code, description in (("READ-CHK", "Meter read checked"), ("SENT-DT", "Date sent"),
                              ("BILL-AMT", "Disputed amount")):
        characteristics.define_characteristic_type(
            db, SUPERVISOR, code, description, CharacteristicValueKind.ADHOC,
            {CharacteristicEntity.ACCOUNT})
    todos.create_work_group(db, ADMIN, "BILLING", "Billing team")
    todos.create_todo_type(db, ADMIN, "HB-REVIEW", "Review high bill", "BILLING", 3)


def high_bill() -> CaseTypeDefinition:
    """spec/50 §5.5's HIGH-BILL, with a supervisor-only Resolve."""
    return CaseTypeDefinition(
        code="HIGH-BILL", description="High-bill complaint",
        person_usage=CaseUsage.REQUIRED, account_usage=CaseUsage.OPTIONAL,
        premise_usage=CaseUsage.NOT_ALLOWED, uses_characteristics=True,
        access_roles=frozenset({UserRole.CSR, UserRole.SUPERVISOR}),
        statuses=(S("LODGED", "Lodged", 10, True, False),
                  S("INVESTIGATING", "Investigating", 20, False, False, alertable=True,
                    script="Check the meter read, then call the customer."),
                  S("RESOLVED", "Resolved", 30, False, True),
                  S("REJECTED", "Rejected", 40, False, True)),
        transitions=(T("LODGED", "INVESTIGATING", "Investigate", 10, is_default=True),
                     T("LODGED", "REJECTED", "Reject", 20),
                     T("INVESTIGATING", "RESOLVED", "Resolve", 10, True, "SUPERVISOR"),
                     T("INVESTIGATING", "REJECTED", "Reject", 20)),
        algorithms=(CaseAlgorithmLine("INVESTIGATING", ENTER, 10, "CREATE-TODO", "HB-REVIEW"),
                    CaseAlgorithmLine("INVESTIGATING", EXIT, 10, "COMPLETE-TODOS")),
        required_chars=(("INVESTIGATING", "READ-CHK"),),
        allowed_chars=("BILL-AMT", "READ-CHK"))


def lit_req() -> CaseTypeDefinition:
    """spec/50 §5.5's LIT-REQ: REQUESTED moves on to SENT by itself once SENT-DT is there."""
    return CaseTypeDefinition(
        code="LIT-REQ", description="Literature request", uses_characteristics=True,
        statuses=(S("REQUESTED", "Requested", 10, True, False), S("SENT", "Sent", 20, False, True)),
        algorithms=(CaseAlgorithmLine("REQUESTED", AUTO, 10, "AUTO-IF-CHAR", "SENT-DT>SENT"),),
        allowed_chars=("SENT-DT",))


def _problems(db: Database, definition: CaseTypeDefinition,
              version: int | None = None) -> tuple[str, ...]:
    with pytest.raises(CaseTypeProblems) as refused:
        case_types.save_case_type(db, ADMIN, definition, version)
    assert refused.value.message.splitlines()[1:] == list(refused.value.problems)
    return refused.value.problems


def _case_in(db: Database, case_type: str, status: str, number: str) -> None:
    at = dt.datetime(2026, 11, 2, 9, 30)
    with transaction(db, ADMIN) as session:
        session.add(Case(number=number, case_type_code=case_type, status_code=status,
                         opened_at=at, status_entered_at=at))


def test_create_and_load_the_sample_types(db: Database) -> None:
    set_up_references(db)
    assert case_types.save_case_type(db, ADMIN, high_bill(), None) == "HIGH-BILL"
    case_types.save_case_type(db, ADMIN, lit_req(), None)
    loaded = case_types.load_case_type(db, ADMIN, "high-bill")
    assert dataclasses.replace(loaded, version=None) == dataclasses.replace(
        high_bill(), transitions=(high_bill().transitions[2], high_bill().transitions[3],
                                  high_bill().transitions[0], high_bill().transitions[1]),
        algorithms=(high_bill().algorithms[0], high_bill().algorithms[1]))
    assert loaded.version == 1
    rows = case_types.case_type_list(db, ADMIN)
    assert [(r.code, r.statuses, r.cases, r.access_roles) for r in rows] == [
        ("HIGH-BILL", 4, 0, "CSR,SUPERVISOR"), ("LIT-REQ", 2, 0, "")]
    with transaction(db, ADMIN) as session:
        lc = case_types.lifecycle_of(session, "LIT-REQ")
        assert lc.initial().code == "REQUESTED" and lc.allowed_chars == ("SENT-DT",)
        assert lifecycle_problems(case_types.lifecycle_of(session, "HIGH-BILL")) == ()
        with pytest.raises(NotFound, match="no case type NOPE"):
            case_types.lifecycle_of(session, "NOPE")
    codes = {a.code: a for a in case_types.known_algorithms()}
    assert {"CREATE-TODO", "COMPLETE-TODOS", "CUSTOMER-CONTACT", "AUTO-IF-CHAR",
            "AUTO-WHEN-TODOS-DONE", "AUTO-AFTER-DAYS"} <= set(codes)
    assert codes["AUTO-IF-CHAR"].kinds == frozenset({AUTO})


def test_edit_adds_a_status_and_transition_and_moves_the_version(db: Database) -> None:
    set_up_references(db)
    case_types.save_case_type(db, ADMIN, high_bill(), None)
    before = case_types.load_case_type(db, ADMIN, "HIGH-BILL")
    edited = dataclasses.replace(
        before, description="High-bill complaint (reviewed)",
        statuses=(*before.statuses, S("ON-HOLD", "On hold", 25, False, False)),
        transitions=(*before.transitions, T("INVESTIGATING", "ON-HOLD", "Hold", 30),
                     T("ON-HOLD", "INVESTIGATING", "Resume", 10)),
        required_chars=(), allowed_chars=("READ-CHK",))
    case_types.save_case_type(db, ADMIN, edited, before.version)
    after = case_types.load_case_type(db, ADMIN, "HIGH-BILL")
    assert after.version == before.version + 1
    assert after.description == "High-bill complaint (reviewed)"
    assert [s.code for s in after.statuses] == [
        "LODGED", "INVESTIGATING", "ON-HOLD", "RESOLVED", "REJECTED"]
    assert ("ON-HOLD", "INVESTIGATING") in {(t.from_status, t.to_status)
                                            for t in after.transitions}
    assert after.required_chars == () and after.allowed_chars == ("READ-CHK",)
    # Saving what was loaded again changes nothing but the version.
    case_types.save_case_type(db, ADMIN, after, after.version)
    again = case_types.load_case_type(db, ADMIN, "HIGH-BILL")
    assert dataclasses.replace(again, version=None) == dataclasses.replace(after, version=None)
    # The editor that read the first version lost the race.
    with pytest.raises(ConcurrentChange, match="Case type HIGH-BILL was changed by admin"):
        case_types.save_case_type(db, ADMIN, edited, before.version)
    with pytest.raises(ValidationError, match="exists already") as refused:
        case_types.save_case_type(db, ADMIN, high_bill(), None)
    assert refused.value.field == "code"


def test_a_broken_definition_names_every_problem(db: Database) -> None:
    set_up_references(db)
    broken = dataclasses.replace(
        high_bill(),
        statuses=(*high_bill().statuses[:3], S("REJECTED", "Rejected", 40, True, True)),
        transitions=(*high_bill().transitions, T("RESOLVED", "CLOSED", "Close"),
                     T("LODGED", "RESOLVED", "Investigate")),
        algorithms=(CaseAlgorithmLine("INVESTIGATING", ENTER, 10, "SEND-FLOWERS"),
                    CaseAlgorithmLine("LODGED", ENTER, 10, "AUTO-IF-CHAR", "READ-CHK>DONE"),
                    CaseAlgorithmLine("LODGED", AUTO, 20, "AUTO-AFTER-DAYS", "soon>REJECTED")),
        required_chars=(("INVESTIGATING", "READ-CHK"), ("RESOLVED", "FIX-DT")))
    problems = _problems(db, broken)
    assert problems == (
        "2 statuses are marked initial (LODGED, REJECTED); exactly one must be.",
        "The transition RESOLVED → CLOSED uses CLOSED, which is not a status of this case "
        "type.",
        "2 transitions from LODGED are labelled \"Investigate\"; each button of a status "
        "needs its own label.",
        "Characteristic FIX-DT is required to enter RESOLVED but is not one of the "
        "characteristic types the case type allows.",
        "The enter algorithm SEND-FLOWERS of INVESTIGATING is not a known algorithm; choose "
        "one of AUTO-AFTER-DAYS, AUTO-IF-CHAR, AUTO-WHEN-TODOS-DONE, COMPLETE-TODOS, "
        "CREATE-TODO, CUSTOMER-CONTACT.",
        "The enter algorithm AUTO-IF-CHAR of LODGED cannot run as enter; it is an auto "
        "algorithm.",
        "The auto algorithm AUTO-AFTER-DAYS of LODGED: AUTO-AFTER-DAYS needs a whole number of "
        "days before the '>', e.g. 14>CLOSED.")
    assert case_types.case_type_list(db, ADMIN) == ()    # nothing half-saved


def test_unknown_characteristic_and_todo_types_and_bad_fields(db: Database) -> None:
    set_up_references(db)
    bad = dataclasses.replace(
        lit_req(), allowed_chars=("SENT-DT", "NO-SUCH"),
        algorithms=(*lit_req().algorithms,
                    CaseAlgorithmLine("SENT", ENTER, 10, "CREATE-TODO", "GHOST")))
    assert _problems(db, bad) == ("There is no characteristic type NO-SUCH.",
                                  "CREATE-TODO names the To Do type GHOST, which does not "
                                  "exist.")
    fields = dataclasses.replace(
        lit_req(), code="LIT REQ", description=" ", uses_characteristics=False,
        required_chars=(("SENT", "SENT-DT"),),
        statuses=(S("REQUESTED", "", 10, True, False), S("SENT", "Sent", 20, False, True)),
        transitions=(T("REQUESTED", "SENT", "Send", access_role="WIZARD"),))
    assert _problems(db, fields) == (
        "The case type code 'LIT REQ' has spaces; use e.g. HIGH-BILL.",
        "Enter a description of the case type.",
        "Enter a description of status REQUESTED.",
        "The transition REQUESTED → SENT is for role WIZARD, which is not a user role.",
        "Characteristic SENT-DT is required for SENT, but the case type does not use "
        "characteristics; tick Uses characteristics or remove the requirement.")
    assert case_types.case_type_list(db, ADMIN) == ()


def test_a_status_cases_are_in_cannot_be_removed(db: Database) -> None:
    set_up_references(db)
    case_types.save_case_type(db, ADMIN, high_bill(), None)
    _case_in(db, "HIGH-BILL", "INVESTIGATING", "1000000001")
    _case_in(db, "HIGH-BILL", "INVESTIGATING", "1000000002")
    _case_in(db, "HIGH-BILL", "REJECTED", "1000000003")
    loaded = case_types.load_case_type(db, ADMIN, "HIGH-BILL")
    fewer = dataclasses.replace(
        loaded, statuses=(loaded.statuses[0], loaded.statuses[2]),
        transitions=(T("LODGED", "RESOLVED", "Resolve"),), algorithms=(), required_chars=())
    assert _problems(db, fewer, loaded.version) == (
        "Status INVESTIGATING cannot be removed: 2 cases are in it. Move them on first.",
        "Status REJECTED cannot be removed: 1 case is in it. Move it on first.")
    assert case_types.load_case_type(db, ADMIN, "HIGH-BILL") == loaded   # untouched
    [row] = case_types.case_type_list(db, ADMIN)
    assert (row.cases, row.open_cases) == (3, 3)
    # Removing a status no case is in (and what hangs on it) is fine.
    without_rejected = dataclasses.replace(
        loaded, statuses=loaded.statuses[:3],
        transitions=tuple(t for t in loaded.transitions if t.to_status != "REJECTED"))
    assert _problems(db, without_rejected, loaded.version) == (
        "Status REJECTED cannot be removed: 1 case is in it. Move it on first.",)
    with transaction(db, ADMIN) as session:
        session.query(Case).filter(Case.status_code == "REJECTED").update(
            {Case.status_code: "RESOLVED"})
    case_types.save_case_type(db, ADMIN, without_rejected, loaded.version)
    assert [s.code for s in case_types.load_case_type(db, ADMIN, "HIGH-BILL").statuses] == [
        "LODGED", "INVESTIGATING", "RESOLVED"]


def test_only_administrators_maintain_case_types(db: Database) -> None:
    set_up_references(db)
    for actor in (CSR, SUPERVISOR):
        with pytest.raises(PermissionDenied, match="You cannot maintain case types"):
            case_types.save_case_type(db, actor, high_bill(), None)
        with pytest.raises(PermissionDenied):
            case_types.case_type_list(db, actor)
        with pytest.raises(PermissionDenied):
            case_types.load_case_type(db, actor, "HIGH-BILL")
    assert case_types.case_type_list(db, ADMIN) == ()


def test_a_status_cases_are_in_cannot_change_between_final_and_not_final(
        db: Database) -> None:
    set_up_references(db)
    case_types.save_case_type(db, ADMIN, high_bill(), None)
    _case_in(db, "HIGH-BILL", "REJECTED", "1000000003")
    loaded = case_types.load_case_type(db, ADMIN, "HIGH-BILL")
    reopened = dataclasses.replace(loaded, statuses=tuple(
        dataclasses.replace(s, is_final=False) if s.code == "REJECTED" else s
        for s in loaded.statuses), transitions=loaded.transitions + (
        T("REJECTED", "LODGED", "Reopen"),))
    assert _problems(db, reopened, loaded.version) == (
        "Status REJECTED cannot become not final while 1 case is in it. Move it on first.",)
    # RESOLVED holds no case: it may change (here it only gains a way back).
    back = dataclasses.replace(loaded, transitions=loaded.transitions + (
        T("RESOLVED", "LODGED", "Reopen"),))
    case_types.save_case_type(db, ADMIN, back, loaded.version)
