"""To Do entries and work groups (spec/60 §A7.5, issue 11 item 3): routing to the type's
default work group, the Mine / My groups / All lists, take / return / forward / complete and
who may do each, lost races, the case log rows a case's To Dos write, and a case moving on
when its last To Do is completed (AUTO-WHEN-TODOS-DONE). SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.db import Database, open_database
from app.models import (
    Case,
    CaseLog,
    CaseType,
    CaseTypeAlgorithm,
    CaseTypeStatus,
    CaseTypeTransition,
    TodoEntry,
)
from app.models.enums import CaseAlgorithmKind, CaseLogType, TodoStatus, UserRole, WorkGroupRole
from app.services import todos, users
from app.services.common import new_number
from app.services.context import Actor, now, transaction
from app.services.errors import ConcurrentChange, NotFound, PermissionDenied, ValidationError
from tests.conftest import ADMIN, CSR, SUPERVISOR, WAREHOUSE

#: A second CSR of the billing group, a CSR of the meter shop, and the billing group's lead
#: (a CSR who supervises the group, without the Supervisor role).
CSR2 = Actor("csr2", "Chris Nolan", frozenset({UserRole.CSR}))
METER_CSR = Actor("csr3", "Mo Tran", frozenset({UserRole.CSR}))
LEAD = Actor("lead1", "Lee Grant", frozenset({UserRole.CSR}))
PASSWORD = "correct horse"


def _organisation(db: Database) -> None:
    for actor in (CSR, CSR2, METER_CSR, LEAD, SUPERVISOR, WAREHOUSE):
        users.create_user(db, ADMIN, actor.username, actor.display_name, set(actor.roles),
                          PASSWORD, PASSWORD)
    todos.create_work_group(db, ADMIN, "billing", "Billing team")
    todos.create_work_group(db, ADMIN, "METER", "Meter shop")
    todos.add_member(db, ADMIN, "BILLING", CSR.username)
    todos.add_member(db, ADMIN, "BILLING", CSR2.username)
    todos.add_member(db, ADMIN, "BILLING", LEAD.username, WorkGroupRole.SUPERVISOR)
    todos.add_member(db, ADMIN, "METER", METER_CSR.username)
    todos.create_todo_type(db, ADMIN, "TD-HIBILL", "Review a high bill", "BILLING", 2)
    todos.create_todo_type(db, ADMIN, "TD-METER", "Check a meter", "METER", 5)


def _todo(db: Database, todo_type: str = "TD-HIBILL", message: str = "Look at it",
          case_id: int | None = None) -> int:
    with transaction(db, ADMIN) as session:
        return todos.create_todo(session, todo_type, message, case_id=case_id,
                                 actor_name="system").id


def _row(db: Database, todo_id: int) -> todos.TodoRow:
    return todos.load_todo(db, todo_id)


@pytest.fixture
def org(db: Database) -> Database:
    _organisation(db)
    return db


# ----------------------------------------------------------------------------- set-up


def test_a_todo_goes_to_its_types_default_group_with_its_priority(org: Database) -> None:
    first = _todo(org, message="Customer says the bill doubled")
    row = _row(org, first)
    assert (row.status, row.work_group, row.work_group_description, row.priority) == (
        TodoStatus.OPEN, "BILLING", "Billing team", 2)
    assert (row.todo_type, row.type_description) == ("TD-HIBILL", "Review a high bill")
    assert row.assigned_username is None and row.assigned_name == ""
    assert row.message == "Customer says the bill doubled" and row.age_days == 0
    assert row.case_number is None and row.account_number is None
    with transaction(org, ADMIN) as session:
        with pytest.raises(ValidationError, match="no To Do type 'TD-NOPE'"):
            todos.create_todo(session, "TD-NOPE", "x", actor_name="system")
        with pytest.raises(ValidationError, match="Enter the To Do's message"):
            todos.create_todo(session, "TD-METER", "  ", actor_name="system")
        entry = todos.create_todo(session, "td-meter", "Meter ticks backwards",
                                  drill=("PREMISE", "1234567890"), actor_name="csr1")
        assert (entry.work_group_code, entry.priority, entry.created_by) == ("METER", 5, "csr1")
        assert (entry.drill_entity_type, entry.drill_entity_id) == ("PREMISE", "1234567890")


def test_work_groups_and_types_are_set_up_by_an_administrator(org: Database) -> None:
    with pytest.raises(PermissionDenied, match="set up work groups: that needs the Admin"):
        todos.create_work_group(org, SUPERVISOR, "FIELD", "Field crews")
    with pytest.raises(PermissionDenied):
        todos.add_member(org, CSR, "BILLING", CSR.username)
    with pytest.raises(PermissionDenied):
        todos.create_todo_type(org, SUPERVISOR, "TD-X", "X", "BILLING")
    with pytest.raises(ValidationError, match="Work group BILLING exists already"):
        todos.create_work_group(org, ADMIN, "BILLING", "Again")
    with pytest.raises(ValidationError, match="no work group 'FIELD'"):
        todos.create_todo_type(org, ADMIN, "TD-X", "X", "FIELD")
    with pytest.raises(ValidationError, match="priority is 1 .* to 9, not 10"):
        todos.create_todo_type(org, ADMIN, "TD-X", "X", "BILLING", 10)
    with pytest.raises(ValidationError, match="no user called 'nobody'"):
        todos.add_member(org, ADMIN, "BILLING", "nobody")

    billing = {g.code: g for g in todos.work_groups(org)}["BILLING"]
    assert [(m.display_name, m.role) for m in billing.members] == [
        ("Lee Grant", WorkGroupRole.SUPERVISOR), ("Casey Reed", WorkGroupRole.MEMBER),
        ("Chris Nolan", WorkGroupRole.MEMBER)]
    todos.add_member(org, ADMIN, "BILLING", CSR2.username, WorkGroupRole.SUPERVISOR)
    todos.remove_member(org, ADMIN, "BILLING", CSR.username)
    with pytest.raises(ValidationError, match="csr1 is not a member of work group BILLING"):
        todos.remove_member(org, ADMIN, "BILLING", CSR.username)
    billing = {g.code: g for g in todos.work_groups(org)}["BILLING"]
    assert {m.username: m.role for m in billing.members} == {
        "lead1": WorkGroupRole.SUPERVISOR, "csr2": WorkGroupRole.SUPERVISOR}
    assert todos.my_work_groups(org, METER_CSR) == ("METER",)
    assert todos.my_work_groups(org, CSR) == ()
    assert [(t.code, t.default_work_group, t.priority) for t in todos.todo_types(org)] == [
        ("TD-HIBILL", "BILLING", 2), ("TD-METER", "METER", 5)]
    targets = todos.forward_targets(org)
    assert ("METER", "Meter shop") in targets.work_groups
    assert todos.UserChoice("csr3", "Mo Tran") in targets.users


# ----------------------------------------------------------------------------- the lists


def test_the_three_views_and_the_filters(org: Database) -> None:
    meter = _todo(org, "TD-METER", "Meter ticks backwards")
    billing_old = _todo(org, "TD-HIBILL", "First high bill")
    billing_new = _todo(org, "TD-HIBILL", "Second high bill")
    todos.take_todo(org, CSR, billing_new, _row(org, billing_new).version)

    def ids(rows: tuple[todos.TodoRow, ...]) -> list[int]:
        return [r.id for r in rows]

    assert ids(todos.todo_list(org, CSR, "MINE")) == [billing_new]
    assert ids(todos.todo_list(org, CSR, "MY_GROUPS")) == [billing_old, billing_new]
    assert ids(todos.todo_list(org, METER_CSR, "MY_GROUPS")) == [meter]
    assert ids(todos.todo_list(org, WAREHOUSE, "MY_GROUPS")) == []
    # Most urgent first (priority 2 before 5), then the oldest.
    assert ids(todos.todo_list(org, SUPERVISOR, "ALL")) == [billing_old, billing_new, meter]
    assert ids(todos.todo_list(org, SUPERVISOR, "ALL", todo_type="td-meter")) == [meter]
    with pytest.raises(PermissionDenied, match="every work group's To Dos: that needs the "
                                               "Supervisor role"):
        todos.todo_list(org, CSR, "ALL")
    with pytest.raises(ValidationError, match="no To Do view 'THEIRS'"):
        todos.todo_list(org, CSR, "THEIRS")  # type: ignore[arg-type]

    mine = todos.todo_list(org, CSR, "MINE")[0]
    assert (mine.status, mine.assigned_username, mine.assigned_name) == (
        TodoStatus.BEING_WORKED, "csr1", "Casey Reed")
    todos.complete_todo(org, CSR, billing_new, mine.version)
    assert todos.todo_list(org, CSR, "MINE") == ()
    done = todos.todo_list(org, CSR, "MINE", include_complete=True)
    assert ids(done) == [billing_new]
    assert (done[0].status, done[0].completed_by) == (TodoStatus.COMPLETE, "Casey Reed")
    assert done[0].completed_at is not None
    assert ids(todos.todo_list(org, CSR, "MY_GROUPS")) == [billing_old]


# ----------------------------------------------------------------------------- take / return


def test_take_needs_the_group_or_the_supervisor_role(org: Database) -> None:
    todo = _todo(org)
    version = _row(org, todo).version
    with pytest.raises(PermissionDenied, match=r"You cannot take To Do \d+: it is for work group "
                                               r"BILLING \(Billing team\) and you are not one of "
                                               "its members"):
        todos.take_todo(org, METER_CSR, todo, version)
    taken = todos.take_todo(org, CSR, todo, version)
    assert (taken.status, taken.assigned_name) == (TodoStatus.BEING_WORKED, "Casey Reed")
    assert taken.version == version + 1
    with pytest.raises(ValidationError, match="You are working on To Do .* already"):
        todos.take_todo(org, CSR, todo, taken.version)
    with pytest.raises(ValidationError, match="Casey Reed is working on To Do .* Ask them to "
                                              "return it"):
        todos.take_todo(org, CSR2, todo, taken.version)

    meter = _todo(org, "TD-METER")
    by_supervisor = todos.take_todo(org, SUPERVISOR, meter, _row(org, meter).version)
    assert by_supervisor.assigned_username == "sup1"
    with pytest.raises(NotFound, match="no To Do 999999"):
        todos.take_todo(org, CSR, 999999, 1)


def test_return_is_for_the_person_working_on_it_or_a_supervisor(org: Database) -> None:
    todo = _todo(org)
    with pytest.raises(ValidationError, match="open in work group BILLING already: nobody is "
                                              "working on it"):
        todos.return_todo(org, CSR, todo, _row(org, todo).version)
    taken = todos.take_todo(org, CSR, todo, _row(org, todo).version)
    with pytest.raises(PermissionDenied, match="Casey Reed is working on it. Ask them, or a "
                                               "supervisor of the work group"):
        todos.return_todo(org, CSR2, todo, taken.version)
    returned = todos.return_todo(org, CSR, todo, taken.version)
    assert (returned.status, returned.assigned_username) == (TodoStatus.OPEN, None)
    # The group's lead (supervisor in the group, not by role) may return a colleague's.
    taken = todos.take_todo(org, CSR2, todo, returned.version)
    assert todos.return_todo(org, LEAD, todo, taken.version).status is TodoStatus.OPEN


def test_a_user_who_is_not_in_the_database_cannot_take(org: Database) -> None:
    todo = _todo(org)
    stranger = Actor("ghost", "Ghost", frozenset({UserRole.SUPERVISOR}))
    with pytest.raises(PermissionDenied, match="'ghost' is not an active user"):
        todos.take_todo(org, stranger, todo, _row(org, todo).version)


# ----------------------------------------------------------------------------- forward


def test_forward_to_a_person_or_to_another_group(org: Database) -> None:
    todo = _todo(org)
    version = _row(org, todo).version
    with pytest.raises(ValidationError, match="either a person or a work group"):
        todos.forward_todo(org, CSR, todo, version)
    with pytest.raises(ValidationError, match="either a person or a work group"):
        todos.forward_todo(org, CSR, todo, version, username="csr2", work_group="METER")
    with pytest.raises(PermissionDenied, match="you are not one of its members"):
        todos.forward_todo(org, METER_CSR, todo, version, username="csr3")
    with pytest.raises(ValidationError, match="no active user called 'nobody'"):
        todos.forward_todo(org, CSR, todo, version, username="nobody")

    to_chris = todos.forward_todo(org, CSR, todo, version, username="csr2")
    assert (to_chris.status, to_chris.assigned_name, to_chris.work_group) == (
        TodoStatus.BEING_WORKED, "Chris Nolan", "BILLING")
    with pytest.raises(ValidationError, match="Chris Nolan is working on To Do .* already"):
        todos.forward_todo(org, CSR2, todo, to_chris.version, username="csr2")
    with pytest.raises(PermissionDenied, match="Chris Nolan is working on it"):
        todos.forward_todo(org, CSR, todo, to_chris.version, work_group="METER")

    to_meter = todos.forward_todo(org, CSR2, todo, to_chris.version, work_group="meter")
    assert (to_meter.status, to_meter.assigned_username, to_meter.work_group) == (
        TodoStatus.OPEN, None, "METER")
    with pytest.raises(ValidationError, match="open in work group METER already"):
        todos.forward_todo(org, METER_CSR, todo, to_meter.version, work_group="METER")
    assert [r.id for r in todos.todo_list(org, METER_CSR, "MY_GROUPS")] == [todo]
    assert todos.todo_list(org, CSR2, "MY_GROUPS") == ()


# ----------------------------------------------------------------------------- complete


def test_complete_by_the_worker_a_group_supervisor_or_the_supervisor_role(
        org: Database) -> None:
    first, second, third = _todo(org), _todo(org), _todo(org)
    with pytest.raises(PermissionDenied, match="while it is open in work group BILLING: take "
                                               "it first"):
        todos.complete_todo(org, CSR, first, _row(org, first).version)
    with pytest.raises(PermissionDenied, match="not one of its members"):
        todos.complete_todo(org, METER_CSR, first, _row(org, first).version)
    taken = todos.take_todo(org, CSR, first, _row(org, first).version)
    with pytest.raises(PermissionDenied, match="Casey Reed is working on it"):
        todos.complete_todo(org, CSR2, first, taken.version)
    with pytest.raises(ValidationError, match="comment is too long"):
        todos.complete_todo(org, CSR, first, taken.version, "x" * 255)
    assert todos.complete_todo(org, CSR, first, taken.version, "Read was right") is None
    done = _row(org, first)
    assert (done.status, done.completed_by) == (TodoStatus.COMPLETE, "Casey Reed")
    with pytest.raises(ValidationError, match="complete already; there is nothing to complete"):
        todos.complete_todo(org, CSR, first, done.version)
    with pytest.raises(ValidationError, match="complete already; there is nothing to take"):
        todos.take_todo(org, CSR, first, done.version)
    # An open one: the group's lead and anyone with the Supervisor role may complete it.
    todos.complete_todo(org, LEAD, second, _row(org, second).version)
    todos.complete_todo(org, SUPERVISOR, third, _row(org, third).version)
    assert {_row(org, t).completed_by for t in (second, third)} == {"Lee Grant", "Sam Pike"}


# ----------------------------------------------------------------------------- lost races


def test_a_stale_version_says_who_got_there_first(org: Database) -> None:
    todo = _todo(org)
    seen = _row(org, todo).version
    todos.take_todo(org, CSR, todo, seen)
    with pytest.raises(ConcurrentChange, match="Casey Reed took this To Do meanwhile. Nothing "
                                               "was changed"):
        todos.take_todo(org, CSR2, todo, seen)
    seen = _row(org, todo).version
    todos.forward_todo(org, CSR, todo, seen, username="csr2")
    with pytest.raises(ConcurrentChange, match="Casey Reed forwarded this To Do to Chris "
                                               "Nolan meanwhile"):
        todos.return_todo(org, CSR, todo, seen)
    seen = _row(org, todo).version
    todos.complete_todo(org, CSR2, todo, seen)
    with pytest.raises(ConcurrentChange, match="Chris Nolan completed this To Do meanwhile"):
        todos.return_todo(org, CSR2, todo, seen)
    assert _row(org, todo).status is TodoStatus.COMPLETE


def test_two_workstations_take_the_same_todo_and_one_wins(org: Database) -> None:
    todo = _todo(org)
    version = _row(org, todo).version
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def take(actor: Actor) -> None:
        own = open_database(org.url, migrate=False)         # a workstation of its own
        try:
            barrier.wait(30)
            outcomes[actor.username] = todos.take_todo(own, actor, todo, version)
        except Exception as exc:  # noqa: BLE001 — the test looks at what each one got
            outcomes[actor.username] = exc
        finally:
            own.dispose()

    threads = [threading.Thread(target=take, args=(a,)) for a in (CSR, CSR2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    won = {name for name, got in outcomes.items() if isinstance(got, todos.TodoRow)}
    lost = [got for got in outcomes.values() if isinstance(got, ConcurrentChange)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    winner = {"csr1": "Casey Reed", "csr2": "Chris Nolan"}[won.pop()]
    assert lost[0].message.startswith(f"{winner} took this To Do meanwhile")
    assert _row(org, todo).assigned_name == winner


# ----------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class _Case:
    id: int
    number: str


def _case(db: Database, auto_when_done: bool) -> _Case:
    """A minimal case type (OPEN → DONE, with AUTO-WHEN-TODOS-DONE on OPEN when asked) and a
    case of it, made with the ORM."""
    with transaction(db, ADMIN) as session:
        if session.get(CaseType, "TEST") is None:
            session.add(CaseType(code="TEST", description="Test case"))
            session.flush()
            session.add_all([
                CaseTypeStatus(case_type_code="TEST", status_code="OPEN", description="Open",
                               seq=1, is_initial=True),
                CaseTypeStatus(case_type_code="TEST", status_code="DONE", description="Done",
                               seq=2, is_final=True)])
            session.flush()
            session.add(CaseTypeTransition(case_type_code="TEST", from_status="OPEN",
                                           to_status="DONE", action_label="Close", seq=1))
            if auto_when_done:
                session.add(CaseTypeAlgorithm(case_type_code="TEST", status_code="OPEN",
                                              kind=CaseAlgorithmKind.AUTO, seq=1,
                                              algorithm_code="AUTO-WHEN-TODOS-DONE",
                                              parameter="DONE"))
        at = now()
        case = Case(number=new_number(session, Case), case_type_code="TEST", status_code="OPEN",
                    opened_at=at, status_entered_at=at)
        session.add(case)
        session.flush()
        return _Case(case.id, case.number)


def _log(db: Database, case_id: int) -> list[CaseLog]:
    with db.sessions() as session:
        rows = list(session.scalars(select(CaseLog).where(CaseLog.case_id == case_id)
                                    .order_by(CaseLog.seq)))
        session.expunge_all()
        return rows


def test_a_cases_todo_writes_the_case_log(org: Database) -> None:
    case = _case(org, auto_when_done=False)
    todo = _todo(org, case_id=case.id)
    assert _row(org, todo).case_number == case.number
    row = todos.take_todo(org, CSR, todo, _row(org, todo).version)
    row = todos.forward_todo(org, CSR, todo, row.version, username="csr2")
    row = todos.return_todo(org, CSR2, todo, row.version)
    row = todos.forward_todo(org, CSR2, todo, row.version, work_group="METER")
    assert todos.complete_todo(org, SUPERVISOR, todo, row.version, "Meter replaced") is None
    log = _log(org, case.id)
    assert [r.seq for r in log] == [1, 2, 3, 4, 5]
    assert {(r.log_type, r.related_object_type, r.related_object_id) for r in log} == {
        (CaseLogType.SYSTEM, "TODO", str(todo))}
    label = f"To Do {todo} (Review a high bill)"
    assert [(r.details, r.user_name) for r in log] == [
        (f"{label} taken by Casey Reed", "csr1"),
        (f"{label} forwarded to Chris Nolan by Casey Reed", "csr1"),
        (f"{label} returned to work group BILLING (Billing team) by Chris Nolan", "csr2"),
        (f"{label} forwarded to work group METER (Meter shop) by Chris Nolan", "csr2"),
        (f"{label} completed by Sam Pike: Meter replaced", "sup1")]
    # A refused action writes nothing.
    with pytest.raises(ValidationError):
        todos.take_todo(org, CSR, todo, _row(org, todo).version)
    assert len(_log(org, case.id)) == 5
    with org.sessions() as session:
        counts = todos.todo_counts_for_case(session, case.id)
    assert counts == todos.TodoCounts(open=0, being_worked=0, complete=1)
    other = _todo(org, "TD-METER", case_id=case.id)
    _todo(org)                                  # not the case's
    listed = todos.case_todo_list(org, CSR, case.number)
    assert [(r.id, r.status) for r in listed] == [(todo, TodoStatus.COMPLETE),
                                                  (other, TodoStatus.OPEN)]
    assert [r.id for r in todos.todos_of_case(org, case.id)] == [todo, other]
    with pytest.raises(ValidationError, match="check digit"):
        todos.case_todo_list(org, CSR, case.number[:9] + str((int(case.number[9]) + 1) % 10))


def test_completing_the_last_todo_moves_the_case_on(org: Database) -> None:
    case = _case(org, auto_when_done=True)
    first = _todo(org, case_id=case.id, message="Check the read")
    second = _todo(org, "TD-METER", case_id=case.id, message="Test the meter")
    assert todos.complete_todo(org, SUPERVISOR, first, _row(org, first).version) is None
    with org.sessions() as session:
        assert session.get(Case, case.id).status_code == "OPEN"  # type: ignore[union-attr]
    moved = todos.complete_todo(org, SUPERVISOR, second, _row(org, second).version)
    assert moved == "Moved on automatically to Done (AUTO-WHEN-TODOS-DONE)."
    with org.sessions() as session:
        stored = session.get(Case, case.id)
        assert stored is not None and stored.status_code == "DONE"
        assert stored.closed_at is not None
        assert session.scalar(select(TodoEntry.status).where(TodoEntry.id == second)) \
            is TodoStatus.COMPLETE
    log = _log(org, case.id)
    assert [r.seq for r in log] == list(range(1, len(log) + 1))
    assert [(r.log_type, r.details) for r in log] == [
        (CaseLogType.SYSTEM, f"To Do {first} (Review a high bill) completed by Sam Pike"),
        (CaseLogType.SYSTEM, f"To Do {second} (Check a meter) completed by Sam Pike"),
        (CaseLogType.STATUS_TRANSITION,
         "Status changed from Open to Done automatically (AUTO-WHEN-TODOS-DONE)")]
    assert (log[-1].from_status, log[-1].to_status, log[-1].algorithm_code) == (
        "OPEN", "DONE", "AUTO-WHEN-TODOS-DONE")
