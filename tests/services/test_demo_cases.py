"""The demo utility's cases (`app.demo.cases`): every shipped case type is sound by the
engine's rules and the administrator's service; the demo build opens cases in every status of
every type through the case services (one CREATED row each, real To Dos and customer
contacts), gives the showcase account an open high-bill case that Control Central alerts on,
and — once the database has users — makes them work-group members who take and complete the
cases' To Dos (completing MOVE-IN's last To Do resolves it by itself)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db import Database, open_database
from app.demo import generate
from app.demo.cases import (
    DEMO_CASE_TYPES,
    DEMO_CHAR_TYPES,
    DEMO_TODO_TYPES,
    DEMO_WORK_GROUPS,
    INVESTIGATING,
    STORIES,
    add_demo_cases,
    add_demo_members,
    create_demo_cases,
    install_case_configuration,
)
from app.engine.cases import auto_target, lifecycle_problems
from app.models.enums import CaseAlgorithmKind, UserRole, WorkGroupRole
from app.services import case_types, control_central, todos, users
from app.services.context import SYSTEM
from tests.conftest import own_pg_database

AS_OF = dt.date(2025, 6, 1)
N = 30
PG_URL = os.environ.get("SWITCHBOARD_TEST_PG_URL")


def _one(db: Database, sql: str, **params: object) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def _rows(db: Database, sql: str, **params: object) -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


# ------------------------------------------------------------------------------ the data


def test_every_shipped_type_is_sound() -> None:
    codes = {c.code for c in DEMO_CHAR_TYPES}
    todo_types = {t.code for t in DEMO_TODO_TYPES}
    assert {t.work_group for t in DEMO_TODO_TYPES} <= {g.code for g in DEMO_WORK_GROUPS}
    assert next(t for t in DEMO_TODO_TYPES if t.code == "TD-ESCAL").work_group == "SUPERVISORS"
    for d in DEMO_CASE_TYPES:
        moves = [(a.status_code, auto_target(a.algorithm_code, a.parameter))
                 for a in d.algorithms if a.kind is CaseAlgorithmKind.AUTO]
        assert lifecycle_problems(d.lifecycle(), moves) == (), d.code
        assert case_types._definition_problems(case_types._normalized(d)) == [], d.code
        assert set(d.allowed_chars) <= codes, d.code
        assert {a.parameter for a in d.algorithms if a.algorithm_code == "CREATE-TODO"} \
            <= todo_types, d.code
    assert [d.code for d in DEMO_CASE_TYPES] == [
        "HIGH-BILL", "LIT-REQ", "BILL-DISP", "METER-INV", "PAY-EXT", "MOVE-IN"]
    # every status of every type has a story ending in it
    wanted = {(d.code, s.code) for d in DEMO_CASE_TYPES for s in d.statuses}
    assert {(s.case_type, s.ends_in) for s in STORIES} == wanted
    assert [s.case_type for s in STORIES if s.showcase] == ["HIGH-BILL"]


def test_high_bill_is_the_spec_sample() -> None:
    """spec/50 §5.5: LODGED → INVESTIGATING → RESOLVED | REJECTED; person required, account
    optional, premise not allowed; INVESTIGATING alertable, needing READ-CHK, raising a To Do
    on entry and completing it on exit; Resolve is for supervisors."""
    d = DEMO_CASE_TYPES[0]
    lc = d.lifecycle()
    assert lc.initial().code == "LODGED"
    assert {s.code for s in d.statuses if s.is_final} == {"RESOLVED", "REJECTED"}
    assert lc.status(INVESTIGATING).alertable and lc.status(INVESTIGATING).description == \
        "Investigating"
    moves = {(t.from_status, t.to_status): t for t in d.transitions}
    assert ("LODGED", INVESTIGATING) in moves and (INVESTIGATING, "REJECTED") in moves
    assert moves[(INVESTIGATING, "RESOLVED")].access_role == "SUPERVISOR"
    assert (d.person_usage.value, d.account_usage.value, d.premise_usage.value) == (
        "REQUIRED", "OPTIONAL", "NOT_ALLOWED")
    assert d.required_chars == ((INVESTIGATING, "READ-CHK"),)
    on = {(a.status_code, a.kind.value, a.algorithm_code, a.parameter) for a in d.algorithms}
    assert {(INVESTIGATING, "ENTER", "CREATE-TODO", "TD-HIBILL"),
            (INVESTIGATING, "EXIT", "COMPLETE-TODOS", "")} <= on
    lit = DEMO_CASE_TYPES[1]
    assert [(a.status_code, a.algorithm_code, a.parameter) for a in lit.algorithms] == [
        ("REQUESTED", "AUTO-IF-CHAR", "SENT-DT>SENT")]


# ------------------------------------------------------------------------------ the build


def test_demo_cases_sqlite(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    try:
        generate(db, N, as_of=AS_OF)
        check_demo_cases(db)
    finally:
        db.dispose()


@pytest.mark.pg
@pytest.mark.skipif(not PG_URL, reason="PostgreSQL tests need SWITCHBOARD_TEST_PG_URL")
def test_demo_cases_postgresql() -> None:
    """In a database of its own: the demo loads only into an empty one."""
    with own_pg_database("switchboard_demo_cases") as db:
        generate(db, N, as_of=AS_OF)
        check_demo_cases(db)


def check_demo_cases(db: Database) -> None:
    # the configuration, through the services
    assert [r.code for r in case_types.case_type_list(db, SYSTEM)] == sorted(
        d.code for d in DEMO_CASE_TYPES)
    assert {g.code for g in todos.work_groups(db)} == {g.code for g in DEMO_WORK_GROUPS}
    assert {t.code: t.default_work_group for t in todos.todo_types(db)} == {
        t.code: t.work_group for t in DEMO_TODO_TYPES}
    assert _one(db, "SELECT count(*) FROM characteristic_type WHERE code = 'READ-CHK' "
                    "AND NOT for_account AND NOT for_premise") == 1

    # cases in every status of every type, each created once
    found = set(_rows(db, "SELECT case_type_code, status_code FROM case_record"))
    assert found == {(d.code, s.code) for d in DEMO_CASE_TYPES for s in d.statuses}
    assert _one(db, "SELECT count(*) FROM case_record") == len(STORIES)
    assert _one(db, "SELECT count(*) FROM case_log WHERE log_type = 'CREATED'") == len(STORIES)
    assert _one(db, "SELECT count(*) FROM case_record c WHERE (SELECT count(*) FROM case_log l "
                    "WHERE l.case_id = c.id AND l.log_type = 'CREATED') <> 1") == 0
    assert _one(db, "SELECT count(*) FROM case_log WHERE log_type = 'USER_DETAILS'") >= 15
    # closed exactly when final
    assert _one(db, "SELECT count(*) FROM case_record c JOIN case_type_status s ON "
                    "s.case_type_code = c.case_type_code AND s.status_code = c.status_code "
                    "WHERE (c.closed_at IS NULL) = s.is_final") == 0
    # LIT-REQ opened with SENT-DT moved on by itself
    assert _one(db, "SELECT count(*) FROM case_log l JOIN case_record c ON c.id = l.case_id "
                    "WHERE c.case_type_code = 'LIT-REQ' AND l.log_type = 'STATUS_TRANSITION' "
                    "AND l.algorithm_code = 'AUTO-IF-CHAR'") == 1
    # the To Dos: one open per case in a status that raises one, none left on closed cases
    assert _one(db, "SELECT count(*) FROM todo_entry t JOIN case_record c ON c.id = t.case_id "
                    "WHERE c.closed_at IS NOT NULL AND t.status <> 'COMPLETE'") == 0
    assert _one(db, "SELECT count(*) FROM todo_entry t JOIN case_record c ON c.id = t.case_id "
                    "WHERE c.status_code = :s AND t.status = 'OPEN' "
                    "AND t.todo_type_code = 'TD-HIBILL'", s=INVESTIGATING) == 2
    assert _one(db, "SELECT count(*) FROM todo_entry WHERE todo_type_code = 'TD-ESCAL' "
                    "AND work_group_code = 'SUPERVISORS' AND status = 'OPEN'") == 1
    # outcome letters and meter results were recorded as customer contacts (CS-T13)
    assert _one(db, "SELECT count(*) FROM case_log WHERE related_object_type = "
                    "'CUSTOMER_CONTACT'") == _one(db, "SELECT count(*) FROM customer_contact") == 3

    # the showcase account: an open high-bill case under investigation, alerted on
    showcase = control_central.showcase_account(db)
    assert showcase
    view = control_central.account_dashboard(db, showcase)
    texts = [a.text for a in view.alerts if a.code == "AL-CASE"]
    assert texts == ["Open case: High-bill complaint — Investigating"]
    zone = next(z for z in view.zones if z.key == "cases")
    assert any(row[1:3] == ("High-bill complaint", "Investigating") for row in zone.rows)

    # a second run adds nothing; with users, they join the groups and work the To Dos
    assert add_demo_cases(db, AS_OF).cases == []
    check_with_users(db)


def check_with_users(db: Database) -> None:
    password = "demo-pass-1" if db.is_networked else None
    for name, display, role in (("csr1", "Casey Reed", UserRole.CSR),
                                ("sup1", "Sam Pike", UserRole.SUPERVISOR),
                                ("shop1", "Wes Hale", UserRole.WAREHOUSE)):
        users.create_user(db, SYSTEM, name, display, {role}, password, password)
    assert install_case_configuration(db, SYSTEM).case_types == []
    groups = {g.code: {m.username: m.role for m in g.members} for g in todos.work_groups(db)}
    assert groups["BILLING"] == {"csr1": WorkGroupRole.MEMBER,
                                 "sup1": WorkGroupRole.SUPERVISOR}
    assert groups["METERSHOP"] == {"shop1": WorkGroupRole.MEMBER,
                                   "sup1": WorkGroupRole.SUPERVISOR}
    assert groups["SUPERVISORS"] == {"sup1": WorkGroupRole.SUPERVISOR}
    assert add_demo_members(db, SYSTEM) == []
    before = _one(db, "SELECT count(*) FROM case_record")
    made = create_demo_cases(db)
    assert made.skipped == 0 and len(made.cases) == len(STORIES)
    assert [(t, s) for _n, t, s in made.cases] == [(s.case_type, s.ends_in) for s in STORIES]
    assert _one(db, "SELECT count(*) FROM case_record") == before + len(STORIES)
    # To Dos taken by their groups' members
    assert _one(db, "SELECT count(*) FROM todo_entry WHERE status = 'BEING_WORKED'") == 3
    # MOVE-IN's To Do completed by a member: the case resolved itself
    resolved = next(n for n, t, s in made.cases if (t, s) == ("MOVE-IN", "RESOLVED"))
    assert _rows(db, "SELECT l.algorithm_code FROM case_log l JOIN case_record c "
                     "ON c.id = l.case_id WHERE c.number = :n AND l.to_status = 'RESOLVED'",
                 n=resolved) == [("AUTO-WHEN-TODOS-DONE",)]
    # responsible users were given where the type has one
    assert _one(db, "SELECT count(*) FROM case_record WHERE responsible_user_id IS NOT NULL") \
        >= len(STORIES) - 3
