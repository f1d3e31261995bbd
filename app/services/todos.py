"""To Do entries and the work groups that work them (spec/60 §A7.5, spec/50 §5.3, issue 11).

A To Do is a piece of work a process raises — a case entering a status, later billing and
meter exceptions — for a work group. It is created OPEN in its type's default work group with
its type's priority (1 = most urgent); a member takes it (BEING_WORKED, assigned to them),
returns it to the group (OPEN again), forwards it to a person (who then has it BEING_WORKED)
or to another work group (OPEN there), and completes it.

    todo = create_todo(session, "TD-HIBILL", "Check the meter read", case_id=case.id,
                       actor_name="csr1")                    # inside a case algorithm
    rows = todo_list(db, actor, "MY_GROUPS")
    take_todo(db, actor, rows[0].id, rows[0].version)
    complete_todo(db, actor, rows[0].id, rows[0].version + 1, "Read was right")

Who may do what: any user with the To Do's work group among theirs (member or supervisor),
and anyone with the Supervisor (or Admin) role, may take or forward it; the person working on
it may return, forward or complete it; a supervisor of its group (or the Supervisor role) may
also return, forward or complete a To Do someone else is working on. Work groups, their
members and To Do types are set up by an administrator.

A To Do raised by a case writes a SYSTEM row to that case's log for each of these actions,
and completing the case's last open To Do runs the case's auto-transitions
(AUTO-WHEN-TODOS-DONE) in the same transaction. Every change checks the version the caller
read: a lost race says who got there first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from app.db import Database
from app.models import Account, AppUser, Case, TodoEntry, TodoType, WorkGroup, WorkGroupMember
from app.models.enums import CaseLogType, TodoStatus, UserRole, WorkGroupRole
from app.services.case_log import append_case_log
from app.services.common import code_text, required_text
from app.services.context import Actor, now, read_only, today, transaction
from app.services.errors import ConcurrentChange, NotFound, PermissionDenied, ValidationError
from app.services.lookup import check_identifier
from app.services.users import user_named

TodoView = Literal["MINE", "MY_GROUPS", "ALL"]
VIEWS: tuple[TodoView, ...] = ("MINE", "MY_GROUPS", "ALL")
VIEW_LABELS: dict[str, str] = {"MINE": "Mine", "MY_GROUPS": "My groups", "ALL": "All"}
#: Roles that see every To Do and may work any of them.
OVERSEERS = (UserRole.SUPERVISOR,)
#: To Dos still to be done.
UNFINISHED = (TodoStatus.OPEN, TodoStatus.BEING_WORKED)
#: The most rows one list returns (the oldest, most urgent first).
LIST_LIMIT = 1000
MAX_MESSAGE = 4000
MAX_COMMENT = 254
CODE_LENGTH = 12


# ----------------------------------------------------------------------------- DTOs


@dataclass(frozen=True)
class TodoRow:
    """One To Do as the list shows it."""

    id: int
    todo_type: str
    type_description: str
    status: TodoStatus
    priority: int
    work_group: str
    work_group_description: str
    assigned_username: str | None
    assigned_name: str
    message: str
    drill_entity_type: str | None
    drill_entity_id: str | None
    case_number: str | None
    account_number: str | None
    created_at: dt.datetime
    age_days: int
    version: int
    completed_at: dt.datetime | None = None
    completed_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in UNFINISHED


@dataclass(frozen=True)
class WorkGroupMemberRow:
    username: str
    display_name: str
    role: WorkGroupRole


@dataclass(frozen=True)
class WorkGroupRow:
    code: str
    description: str
    members: tuple[WorkGroupMemberRow, ...]
    version: int


@dataclass(frozen=True)
class TodoTypeRow:
    code: str
    description: str
    default_work_group: str
    priority: int
    version: int


@dataclass(frozen=True)
class UserChoice:
    username: str
    display_name: str


@dataclass(frozen=True)
class ForwardTargets:
    """Whom a To Do can be forwarded to: active users and work groups."""

    users: tuple[UserChoice, ...]
    work_groups: tuple[tuple[str, str], ...]          # (code, description)


@dataclass(frozen=True)
class TodoCounts:
    open: int = 0
    being_worked: int = 0
    complete: int = 0

    @property
    def unfinished(self) -> int:
        return self.open + self.being_worked

    @property
    def total(self) -> int:
        return self.open + self.being_worked + self.complete


# ----------------------------------------------------------------------------- small look-ups


def _code(value: str, field: str, what: str) -> str:
    return code_text(value, field, what, CODE_LENGTH, f"{what.split()[-1].upper()}-1")


_user = user_named


def _display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    return dict(session.execute(select(AppUser.username, AppUser.display_name)
                                .where(AppUser.username.in_(usernames))).all())


def _display_name(session: Session, username: str | None) -> str:
    if not username:
        return "someone"
    return _display_names(session, {username}).get(username, username)


def _acting_user(session: Session, actor: Actor, action: str) -> AppUser:
    user = _user(session, actor.username)
    if user is None or not user.is_active:
        raise PermissionDenied(f"You cannot {action}: '{actor.username}' is not an active user "
                               "of this database.")
    return user


def _group_role(session: Session, group: str, user_id: int) -> WorkGroupRole | None:
    return session.scalar(select(WorkGroupMember.role).where(
        WorkGroupMember.work_group_code == group, WorkGroupMember.user_id == user_id))


def _group(session: Session, code: str, field: str = "work_group") -> WorkGroup:
    group = session.get(WorkGroup, code.strip().upper())
    if group is None:
        raise ValidationError(f"There is no work group {code.strip()!r}.", field)
    return group


def _group_label(group: WorkGroup) -> str:
    return f"{group.code} ({group.description})"


# ----------------------------------------------------------------------------- set-up (ADMIN)


def create_work_group(db: Database, actor: Actor, code: str, description: str) -> str:
    actor.require("set up work groups", UserRole.ADMIN)
    key = _code(code, "code", "the work group code")
    text = required_text(description, "description", "a description", 100)
    with transaction(db, actor) as session:
        if session.get(WorkGroup, key) is not None:
            raise ValidationError(f"Work group {key} exists already.", "code")
        session.add(WorkGroup(code=key, description=text))
        return key


def add_member(db: Database, actor: Actor, work_group: str, username: str,
               role: WorkGroupRole = WorkGroupRole.MEMBER) -> None:
    """Make `username` a member (or supervisor) of the group; a member already there gets
    the role given."""
    actor.require("change work group members", UserRole.ADMIN)
    with transaction(db, actor) as session:
        group = _group(session, work_group)
        user = _user(session, username.strip())
        if user is None:
            raise ValidationError(f"There is no user called {username.strip()!r}.", "username")
        member = session.scalar(select(WorkGroupMember).where(
            WorkGroupMember.work_group_code == group.code, WorkGroupMember.user_id == user.id))
        if member is None:
            session.add(WorkGroupMember(work_group_code=group.code, user_id=user.id, role=role))
        else:
            member.role = role


def remove_member(db: Database, actor: Actor, work_group: str, username: str) -> None:
    """Take `username` out of the group. To Dos they are working on stay theirs (a
    supervisor can return or forward them)."""
    actor.require("change work group members", UserRole.ADMIN)
    with transaction(db, actor) as session:
        group = _group(session, work_group)
        user = _user(session, username.strip())
        member = None if user is None else session.scalar(select(WorkGroupMember).where(
            WorkGroupMember.work_group_code == group.code, WorkGroupMember.user_id == user.id))
        if member is None:
            raise ValidationError(f"{username.strip()} is not a member of work group "
                                  f"{group.code}.", "username")
        session.delete(member)


def work_groups(db: Database) -> tuple[WorkGroupRow, ...]:
    """Every work group with its members (supervisors first), by code."""
    with read_only(db) as session:
        members: dict[str, list[WorkGroupMemberRow]] = {}
        for code, username, name, role in session.execute(
                select(WorkGroupMember.work_group_code, AppUser.username, AppUser.display_name,
                       WorkGroupMember.role)
                .join(AppUser, AppUser.id == WorkGroupMember.user_id)
                .order_by(AppUser.display_name)):
            members.setdefault(code, []).append(WorkGroupMemberRow(username, name, role))
        return tuple(
            WorkGroupRow(g.code, g.description, tuple(sorted(
                members.get(g.code, []), key=lambda m: m.role is not WorkGroupRole.SUPERVISOR)),
                g.version)
            for g in session.scalars(select(WorkGroup).order_by(WorkGroup.code)))


def my_work_groups(db: Database, actor: Actor) -> tuple[str, ...]:
    """The codes of the work groups the actor belongs to (as member or supervisor)."""
    with read_only(db) as session:
        return tuple(session.scalars(
            select(WorkGroupMember.work_group_code)
            .join(AppUser, AppUser.id == WorkGroupMember.user_id)
            .where(AppUser.username == actor.username)
            .order_by(WorkGroupMember.work_group_code)))


def create_todo_type(db: Database, actor: Actor, code: str, description: str,
                     default_work_group: str, priority: int = 5) -> str:
    actor.require("set up To Do types", UserRole.ADMIN)
    key = _code(code, "code", "the To Do type code")
    text = required_text(description, "description", "a description", 100)
    if not 1 <= priority <= 9:
        raise ValidationError(f"The priority is 1 (most urgent) to 9, not {priority}.",
                              "priority")
    with transaction(db, actor) as session:
        group = _group(session, default_work_group, "default_work_group")
        if session.get(TodoType, key) is not None:
            raise ValidationError(f"To Do type {key} exists already.", "code")
        session.add(TodoType(code=key, description=text, default_work_group_code=group.code,
                             priority=priority))
        return key


def todo_types(db: Database) -> tuple[TodoTypeRow, ...]:
    with read_only(db) as session:
        return tuple(TodoTypeRow(t.code, t.description, t.default_work_group_code, t.priority,
                                 t.version)
                     for t in session.scalars(select(TodoType).order_by(TodoType.code)))


def forward_targets(db: Database) -> ForwardTargets:
    """The active users (by name) and the work groups (by code) a To Do can go to."""
    with read_only(db) as session:
        users = tuple(UserChoice(u, n) for u, n in session.execute(
            select(AppUser.username, AppUser.display_name).where(AppUser.is_active.is_(True))
            .order_by(AppUser.display_name, AppUser.username)))
        groups = tuple((code, description) for code, description in session.execute(
            select(WorkGroup.code, WorkGroup.description).order_by(WorkGroup.code)))
        return ForwardTargets(users, groups)


# ----------------------------------------------------------------------------- session helpers


def create_todo(session: Session, todo_type_code: str, message: str, *,
                case_id: int | None = None, account_id: int | None = None,
                drill: tuple[str | None, str | None] = (None, None),
                actor_name: str) -> TodoEntry:
    """A new OPEN To Do of the type, in the type's default work group with its priority
    (inside the caller's transaction; flushed, so it has its id)."""
    todo_type = session.get(TodoType, todo_type_code.strip().upper())
    if todo_type is None:
        raise ValidationError(f"There is no To Do type {todo_type_code.strip()!r}.",
                              "todo_type")
    text = required_text(message, "message", "the To Do's message", MAX_MESSAGE)
    entity_type, entity_id = drill
    todo = TodoEntry(todo_type_code=todo_type.code, status=TodoStatus.OPEN,
                     priority=todo_type.priority,
                     work_group_code=todo_type.default_work_group_code, assigned_user_id=None,
                     message=text, drill_entity_type=entity_type,
                     drill_entity_id=None if entity_id is None else str(entity_id),
                     case_id=case_id, account_id=account_id, created_at=now(),
                     created_by=actor_name)
    session.add(todo)
    session.flush()
    return todo


def todo_counts_for_case(session: Session, case_id: int) -> TodoCounts:
    """How many of the case's To Dos are open, being worked on and complete."""
    counts = dict(session.execute(
        select(TodoEntry.status, func.count()).where(TodoEntry.case_id == case_id)
        .group_by(TodoEntry.status)).all())
    return TodoCounts(counts.get(TodoStatus.OPEN, 0), counts.get(TodoStatus.BEING_WORKED, 0),
                      counts.get(TodoStatus.COMPLETE, 0))


# ----------------------------------------------------------------------------- the list


#: A To Do with its type and group descriptions, assigned user name and display name, case
#: number and account number.
RowQuery = Select[TodoEntry, str, str, str, str, str, str]


def _row_query() -> RowQuery:
    assigned = aliased(AppUser)
    return (select(TodoEntry, TodoType.description, WorkGroup.description, assigned.username,
                   assigned.display_name, Case.number, Account.number)
            .join(TodoType, TodoType.code == TodoEntry.todo_type_code)
            .join(WorkGroup, WorkGroup.code == TodoEntry.work_group_code)
            .outerjoin(assigned, assigned.id == TodoEntry.assigned_user_id)
            .outerjoin(Case, Case.id == TodoEntry.case_id)
            .outerjoin(Account, Account.id == TodoEntry.account_id))


def _rows(session: Session, query: RowQuery) -> tuple[TodoRow, ...]:
    found = session.execute(query).all()
    completers = _display_names(session, {t.completed_by for t, *_ in found if t.completed_by})
    day = today()
    return tuple(
        TodoRow(id=t.id, todo_type=t.todo_type_code, type_description=type_description,
                status=t.status, priority=t.priority, work_group=t.work_group_code,
                work_group_description=group_description, assigned_username=username,
                assigned_name=name or "", message=t.message,
                drill_entity_type=t.drill_entity_type, drill_entity_id=t.drill_entity_id,
                case_number=case_number, account_number=account_number,
                created_at=t.created_at, age_days=max(0, (day - t.created_at.date()).days),
                version=t.version, completed_at=t.completed_at,
                completed_by=None if t.completed_by is None
                else completers.get(t.completed_by, t.completed_by))
        for t, type_description, group_description, username, name, case_number,
        account_number in found)


def todo_list(db: Database, actor: Actor, view: TodoView, todo_type: str | None = None,
              include_complete: bool = False, limit: int = LIST_LIMIT) -> tuple[TodoRow, ...]:
    """The To Dos of a view, most urgent and oldest first: MINE = assigned to the actor,
    MY_GROUPS = in the work groups the actor belongs to, ALL = every one (Supervisor role).
    Completed To Dos only with `include_complete`."""
    if view not in VIEWS:
        raise ValidationError(f"There is no To Do view {view!r}; choose Mine, My groups or "
                              "All.", "view")
    if view == "ALL":
        actor.require("see every work group's To Dos", *OVERSEERS)
    query = _row_query()
    with read_only(db) as session:
        user_id = session.scalar(select(AppUser.id).where(AppUser.username == actor.username))
        if view != "ALL" and user_id is None:
            return ()
        if view == "MINE":
            query = query.where(TodoEntry.assigned_user_id == user_id)
        elif view == "MY_GROUPS":
            query = query.where(TodoEntry.work_group_code.in_(
                select(WorkGroupMember.work_group_code)
                .where(WorkGroupMember.user_id == user_id)))
        if not include_complete:
            query = query.where(TodoEntry.status.in_(UNFINISHED))
        if todo_type:
            query = query.where(TodoEntry.todo_type_code == todo_type.strip().upper())
        return _rows(session, query.order_by(TodoEntry.priority, TodoEntry.created_at,
                                             TodoEntry.id).limit(limit))


def load_todo(db: Database, todo_id: int) -> TodoRow:
    """One To Do as the list shows it (whatever its status)."""
    with read_only(db) as session:
        rows = _rows(session, _row_query().where(TodoEntry.id == todo_id))
    if not rows:
        raise NotFound(f"There is no To Do {todo_id}; reload the list.")
    return rows[0]


def case_todo_list(db: Database, actor: Actor, case_number: str) -> tuple[TodoRow, ...]:
    """Every To Do of a case, complete ones too, oldest first (the To Do list opened from
    the case's To Do link)."""
    number = check_identifier(case_number, "case_number")
    with read_only(db) as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        if case_id is None:
            raise NotFound(f"There is no case {number}. Check the number.")
        return _rows(session, _row_query().where(TodoEntry.case_id == case_id)
                     .order_by(TodoEntry.created_at, TodoEntry.id))


def todos_of_case(db: Database, case_id: int) -> tuple[TodoRow, ...]:
    """Every To Do of a case, oldest first (the case pane's To Do link)."""
    with read_only(db) as session:
        return _rows(session, _row_query().where(TodoEntry.case_id == case_id)
                     .order_by(TodoEntry.created_at, TodoEntry.id))


# ----------------------------------------------------------------------------- working a To Do


@dataclass
class _Work:
    """A To Do locked for a change, with its case (locked first) and what the actor is."""

    todo: TodoEntry
    case: Case | None
    user: AppUser
    group: WorkGroup
    group_role: WorkGroupRole | None
    overseer: bool

    @property
    def may_work_group(self) -> bool:
        return self.overseer or self.group_role is not None

    @property
    def supervises(self) -> bool:
        return self.overseer or self.group_role is WorkGroupRole.SUPERVISOR

    @property
    def mine(self) -> bool:
        return self.todo.assigned_user_id == self.user.id


def _lock(session: Session, actor: Actor, todo_id: int, version: int | None,
          action: str) -> _Work:
    """The To Do, its case locked first (the order a case transition locks them in), the
    version the caller read checked."""
    case_id = session.execute(select(TodoEntry.case_id).where(TodoEntry.id == todo_id)).first()
    if case_id is None:
        raise NotFound(f"There is no To Do {todo_id}; reload the list.")
    case = None if case_id[0] is None else session.get(Case, case_id[0], with_for_update=True)
    todo = session.get(TodoEntry, todo_id, with_for_update=True, populate_existing=True)
    assert todo is not None
    _check_todo_version(session, todo, version)
    user = _acting_user(session, actor, action)
    group = session.get(WorkGroup, todo.work_group_code)
    assert group is not None
    return _Work(todo, case, user, group, _group_role(session, group.code, user.id),
                 actor.has_any(*OVERSEERS))


def _check_todo_version(session: Session, todo: TodoEntry, version: int | None) -> None:
    """A lost race names who got there first and what they did."""
    if version is None or todo.version == version:
        return
    who = _display_name(session, todo.updated_by)
    assigned = None if todo.assigned_user_id is None else session.get(AppUser,
                                                                       todo.assigned_user_id)
    if todo.status is TodoStatus.COMPLETE:
        did = "completed this To Do"
    elif todo.status is TodoStatus.BEING_WORKED and assigned is not None:
        did = ("took this To Do" if assigned.username == todo.updated_by
               else f"forwarded this To Do to {assigned.display_name}")
    else:
        did = f"put this To Do back in work group {todo.work_group_code}"
    raise ConcurrentChange(f"{who} {did} meanwhile. Nothing was changed; the list now shows "
                           "it as it is.")


def _log(session: Session, work: _Work, details: str) -> None:
    if work.case is not None:
        append_case_log(session, work.case, CaseLogType.SYSTEM, details,
                        related_object_type="TODO", related_object_id=str(work.todo.id))


def _label(session: Session, todo: TodoEntry) -> str:
    todo_type = session.get(TodoType, todo.todo_type_code)
    return f"To Do {todo.id} ({todo_type.description if todo_type else todo.todo_type_code})"


def _refuse_complete(work: _Work, action: str) -> None:
    if work.todo.status is TodoStatus.COMPLETE:
        raise ValidationError(f"To Do {work.todo.id} is complete already; there is nothing to "
                              f"{action}.", "status")


def _worker_name(session: Session, todo: TodoEntry) -> str:
    user = None if todo.assigned_user_id is None else session.get(AppUser,
                                                                  todo.assigned_user_id)
    return "someone" if user is None else user.display_name


def _refuse_unless_allowed(session: Session, work: _Work, action: str) -> None:
    """Who may act on a To Do: the person working on it; anyone of its work group (or the
    Supervisor role) while it is open; a supervisor of the group (or the Supervisor role)
    while someone else works on it."""
    todo = work.todo
    if work.mine:
        return
    if todo.status is TodoStatus.OPEN and not work.may_work_group:
        raise PermissionDenied(
            f"You cannot {action} To Do {todo.id}: it is for work group "
            f"{_group_label(work.group)} and you are not one of its members. Ask its "
            "supervisor to forward it to you.")
    if todo.status is TodoStatus.BEING_WORKED and not work.supervises:
        raise PermissionDenied(
            f"You cannot {action} To Do {todo.id}: {_worker_name(session, todo)} is working "
            "on it. Ask them, or a supervisor of the work group.")


def take_todo(db: Database, actor: Actor, todo_id: int, version: int | None) -> TodoRow:
    """OPEN -> BEING_WORKED, assigned to the actor (a member of its work group, or the
    Supervisor role)."""
    with transaction(db, actor) as session:
        work = _lock(session, actor, todo_id, version, "take a To Do")
        _refuse_complete(work, "take")
        todo = work.todo
        if todo.status is TodoStatus.BEING_WORKED:
            if work.mine:
                raise ValidationError(f"You are working on To Do {todo.id} already.", "status")
            raise ValidationError(f"{_worker_name(session, todo)} is working on To Do "
                                  f"{todo.id}. Ask them to return it, or a supervisor to "
                                  "forward it to you.", "status")
        _refuse_unless_allowed(session, work, "take")
        todo.status = TodoStatus.BEING_WORKED
        todo.assigned_user_id = work.user.id
        _log(session, work, f"{_label(session, todo)} taken by {work.user.display_name}")
    return load_todo(db, todo_id)


def return_todo(db: Database, actor: Actor, todo_id: int, version: int | None) -> TodoRow:
    """BEING_WORKED -> OPEN: back to its work group, assigned to nobody."""
    with transaction(db, actor) as session:
        work = _lock(session, actor, todo_id, version, "return a To Do")
        _refuse_complete(work, "return")
        todo = work.todo
        if todo.status is TodoStatus.OPEN:
            raise ValidationError(f"To Do {todo.id} is open in work group {todo.work_group_code} "
                                  "already: nobody is working on it.", "status")
        _refuse_unless_allowed(session, work, "return")
        todo.status = TodoStatus.OPEN
        todo.assigned_user_id = None
        _log(session, work, f"{_label(session, todo)} returned to work group "
             f"{_group_label(work.group)} by {work.user.display_name}")
    return load_todo(db, todo_id)


def forward_todo(db: Database, actor: Actor, todo_id: int, version: int | None, *,
                 username: str | None = None, work_group: str | None = None) -> TodoRow:
    """To a person (who then has it BEING_WORKED, in the same work group) or to another
    work group (OPEN there, assigned to nobody)."""
    person = (username or "").strip()
    group_code = (work_group or "").strip()
    if bool(person) == bool(group_code):
        raise ValidationError("Choose either a person or a work group to forward the To Do to.",
                              "username")
    with transaction(db, actor) as session:
        work = _lock(session, actor, todo_id, version, "forward a To Do")
        _refuse_complete(work, "forward")
        _refuse_unless_allowed(session, work, "forward")
        todo = work.todo
        label = _label(session, todo)
        if person:
            target = _user(session, person)
            if target is None or not target.is_active:
                raise ValidationError(f"There is no active user called {person!r}.", "username")
            if todo.status is TodoStatus.BEING_WORKED and todo.assigned_user_id == target.id:
                raise ValidationError(f"{target.display_name} is working on To Do {todo.id} "
                                      "already.", "username")
            todo.status = TodoStatus.BEING_WORKED
            todo.assigned_user_id = target.id
            details = f"{label} forwarded to {target.display_name} by {work.user.display_name}"
        else:
            group = _group(session, group_code)
            if group.code == todo.work_group_code and todo.status is TodoStatus.OPEN:
                raise ValidationError(f"To Do {todo.id} is open in work group {group.code} "
                                      "already.", "work_group")
            todo.work_group_code = group.code
            todo.status = TodoStatus.OPEN
            todo.assigned_user_id = None
            details = (f"{label} forwarded to work group {_group_label(group)} by "
                       f"{work.user.display_name}")
        _log(session, work, details)
    return load_todo(db, todo_id)


def complete_todo(db: Database, actor: Actor, todo_id: int, version: int | None,
                  comment: str = "") -> str | None:
    """OPEN | BEING_WORKED -> COMPLETE, by the person working on it, a supervisor of its
    group or the Supervisor role. Completing the last unfinished To Do of a case runs the
    case's auto-transitions in the same transaction; returns what they did (the case
    service's message, e.g. "Moved on automatically to Resolved …") or None."""
    note = comment.strip()
    if len(note) > MAX_COMMENT:
        raise ValidationError(f"The comment is too long ({len(note)} characters; at most "
                              f"{MAX_COMMENT}).", "comment")
    with transaction(db, actor, reason=note or None) as session:
        work = _lock(session, actor, todo_id, version, "complete a To Do")
        _refuse_complete(work, "complete")
        todo = work.todo
        if not (work.mine or work.supervises):
            _refuse_unless_allowed(session, work, "complete")
            raise PermissionDenied(f"You cannot complete To Do {todo.id} while it is open in "
                                   f"work group {todo.work_group_code}: take it first.")
        todo.status = TodoStatus.COMPLETE
        todo.completed_at = now()
        todo.completed_by = actor.username
        details = f"{_label(session, todo)} completed by {work.user.display_name}"
        _log(session, work, f"{details}: {note}" if note else details)
        session.flush()
        if work.case is None or todo_counts_for_case(session, work.case.id).unfinished:
            return None
        return _run_auto_chain(session, work.case, actor)


def _run_auto_chain(session: Session, case: Case, actor: Actor) -> str | None:
    """The case's auto-transition chain, in this transaction (the case row is locked)."""
    from app.services.cases import run_auto_chain  # the case services import this module

    return run_auto_chain(session, case, actor)


__all__ = [
    "VIEWS", "VIEW_LABELS", "ForwardTargets", "TodoCounts", "TodoRow", "TodoTypeRow",
    "UserChoice", "WorkGroupMemberRow", "WorkGroupRow", "add_member", "case_todo_list",
    "complete_todo", "create_todo", "create_todo_type", "create_work_group", "forward_targets",
    "forward_todo", "load_todo", "my_work_groups", "remove_member", "return_todo", "take_todo",
    "todo_counts_for_case", "todo_list", "todo_types", "todos_of_case", "work_groups",
]
