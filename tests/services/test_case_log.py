"""The case log and the automatic transitions (spec/50 §5.2, §5.5 CS-T10, CS-T11): notes are
USER_DETAILS rows; no row can be changed or deleted, by the services (they offer no way) or by
SQL on the connection (the database refuses, SQLite and PostgreSQL); an automatic step that
fails online is rolled back alone and reported; the background job logs TRANSITION_ERROR and
EXCEPTION rows and leaves the case, moves a case that sat long enough (AUTO-AFTER-DAYS), and
stops a chain that goes round in a circle; `switchboard cases transitions` runs it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from app.cli import main
from app.db import Database, open_database
from app.engine.cases import CaseStatusDef as S
from app.engine.cases import CaseTransitionDef as T
from app.models import Case, CaseLog
from app.models.enums import CaseLogType
from app.services import case_algorithms, case_log, case_rules, case_types, cases
from app.services.case_algorithms import AUTO, ENTER, AlgorithmCall
from app.services.case_types import CaseAlgorithmLine, CaseTypeDefinition
from app.services.cases import CaseChanges, NewCase
from app.services.context import SYSTEM, transaction
from app.services.errors import DomainError, PermissionDenied, ValidationError
from tests.conftest import ADMIN, CSR
from tests.services.case_fixtures import case_row, case_world, log_of, log_types

REASON = "the mail room is closed"


def _fail(call: AlgorithmCall) -> str | None:
    raise RuntimeError(REASON)


def _log_then_fail(call: AlgorithmCall) -> str | None:
    call.log("About to post the leaflet")
    raise RuntimeError(REASON)


@pytest.fixture
def failing() -> Iterator[None]:
    """FAIL-AUTO (an AUTO algorithm that raises) and FAIL-ENTER (an ENTER algorithm that logs
    a row, then raises), registered for the test only."""
    case_algorithms.register_case_algorithm("FAIL-AUTO", {AUTO}, _fail, "Always fails")
    case_algorithms.register_case_algorithm("FAIL-ENTER", {ENTER}, _log_then_fail)
    try:
        yield
    finally:
        case_algorithms.unregister_case_algorithm("FAIL-AUTO")
        case_algorithms.unregister_case_algorithm("FAIL-ENTER")


def _with_algorithm(db: Database, line: CaseAlgorithmLine) -> None:
    """LIT-REQ with one more algorithm."""
    loaded = case_types.load_case_type(db, ADMIN, "LIT-REQ")
    case_types.save_case_type(db, ADMIN, dataclasses.replace(
        loaded, algorithms=(*loaded.algorithms, line)), loaded.version)


# ----------------------------------------------------------------------------- CS-T11


def test_cs_t11_a_note_is_logged_and_no_log_row_can_be_changed(db: Database) -> None:
    w = case_world(db)
    number = cases.create_case(db, CSR, NewCase("HIGH-BILL", person_number=w.person)).number
    cases.add_log_entry(db, CSR, number, "  Customer called back: meter photo by e-mail  ")
    log = log_of(db, number)
    assert [(r.seq, r.log_type, r.details, r.user_name) for r in log][1:] == [
        (2, CaseLogType.USER_DETAILS, "Customer called back: meter photo by e-mail", "csr1")]
    with pytest.raises(ValidationError):
        cases.add_log_entry(db, CSR, number, "   ")

    case_id = log[0].case_id
    for statement in ("UPDATE case_log SET details = 'changed' WHERE case_id = :id",
                      "UPDATE case_log SET log_type = 'SYSTEM' WHERE case_id = :id AND seq = 2",
                      "DELETE FROM case_log WHERE case_id = :id AND seq = 2",
                      "DELETE FROM case_log"):
        with db.engine.connect() as conn, pytest.raises(DBAPIError) as refused:
            conn.execute(text(statement), {"id": case_id})
        assert "case_log is append-only" in str(refused.value)

    with db.sessions() as session:                 # through the ORM as well
        row = session.get(CaseLog, (case_id, 2))
        assert row is not None
        row.details = "rewritten"
        with pytest.raises(DBAPIError):
            session.flush()
        session.rollback()
        session.delete(session.get(CaseLog, (case_id, 1)))
        with pytest.raises(DBAPIError):
            session.flush()
        session.rollback()
    with pytest.raises((DomainError, DBAPIError)), transaction(db, ADMIN) as session:
        session.execute(text("DELETE FROM case_log WHERE case_id = :id"), {"id": case_id})
    assert [(r.seq, r.details) for r in log_of(db, number)] == [(r.seq, r.details) for r in log]


def test_the_services_offer_no_way_to_change_or_delete_the_log() -> None:
    words = ("update", "delete", "remove", "edit", "change", "replace", "set_")
    for module in (cases, case_rules, case_log, case_algorithms):
        offered = [name for name in dir(module) if not name.startswith("_")
                   and "log" in name.lower() and any(w in name.lower() for w in words)]
        assert offered == [], module.__name__


# ----------------------------------------------------------------------------- online errors


def test_a_failing_auto_step_online_is_reported_and_the_case_stays(
        db: Database, failing: None) -> None:
    w = case_world(db)
    _with_algorithm(db, CaseAlgorithmLine("REQUESTED", AUTO, 5, "FAIL-AUTO", "SENT"))
    result = cases.create_case(db, CSR, NewCase("LIT-REQ", person_number=w.person))
    assert result.status == "REQUESTED"
    assert result.auto_message == ("The automatic transition from Requested (FAIL-AUTO) did "
                                   f"not run: {REASON}. The case stays in Requested.")
    assert log_types(db, result.number) == [CaseLogType.CREATED]   # the case itself is saved


def test_a_failing_enter_algorithm_rolls_back_only_that_automatic_step(
        db: Database, failing: None) -> None:
    w = case_world(db)
    _with_algorithm(db, CaseAlgorithmLine("SENT", ENTER, 10, "FAIL-ENTER"))
    result = cases.create_case(db, CSR, NewCase(
        "LIT-REQ", person_number=w.person, characteristics=(("SENT-DT", "2026-02-01"),)))
    assert result.status == "REQUESTED"
    assert result.auto_message is not None and "FAIL-ENTER" in result.auto_message
    assert REASON in result.auto_message
    row = case_row(db, result.number)                # status, closing, log rows: all undone
    assert (row.status_code, row.closed_at) == ("REQUESTED", None)
    assert log_types(db, result.number) == [CaseLogType.CREATED]
    assert [c.code for c in cases.load_case(db, CSR, result.number).characteristics] == [
        "SENT-DT"]                                   # what came before the step stays


def test_a_failing_algorithm_of_a_manual_transition_saves_nothing(
        db: Database, failing: None) -> None:
    w = case_world(db)
    _with_algorithm(db, CaseAlgorithmLine("SENT", ENTER, 10, "FAIL-ENTER"))
    number = cases.create_case(db, CSR, NewCase("LIT-REQ", person_number=w.person)).number
    with pytest.raises(cases.AlgorithmFailed) as failed:
        cases.transition_case(db, CSR, number, "SENT", case_row(db, number).version)
    assert failed.value.algorithm_code == "FAIL-ENTER" and REASON in failed.value.message
    assert case_row(db, number).status_code == "REQUESTED"
    assert log_types(db, number) == [CaseLogType.CREATED]


# ----------------------------------------------------------------------------- the job


def test_cs_t10_a_failing_auto_algorithm_in_the_job_logs_and_leaves_the_case(
        db: Database, failing: None) -> None:
    w = case_world(db)
    number = cases.create_case(db, CSR, NewCase("LIT-REQ", person_number=w.person)).number
    _with_algorithm(db, CaseAlgorithmLine("REQUESTED", AUTO, 5, "FAIL-AUTO", "SENT"))
    result = cases.run_case_transitions(db)
    assert (result.examined, result.moved, result.transitions, result.failed) == (1, 0, 0, 1)
    assert result.lines == (f"Case {number}: stays in Requested — FAIL-AUTO: {REASON}.",)
    assert case_row(db, number).status_code == "REQUESTED"
    log = log_of(db, number)
    assert [r.log_type for r in log] == [CaseLogType.CREATED, CaseLogType.TRANSITION_ERROR,
                                         CaseLogType.EXCEPTION]
    error, exception = log[1], log[2]
    assert (error.from_status, error.algorithm_code, error.user_name) == (
        "REQUESTED", "FAIL-AUTO", "system")
    assert error.details == "Automatic transition from Requested to a next status failed " \
                            "(FAIL-AUTO)"
    assert (exception.details, exception.algorithm_code) == (f"{REASON}.", "FAIL-AUTO")
    # The next run fails the same way: said again, but the log keeps the one pair.
    again = cases.run_case_transitions(db)
    assert again.failed == 1
    assert again.lines == (f"Case {number}: still stays in Requested — FAIL-AUTO: {REASON}.",)
    assert len(log_of(db, number)) == 3
    with pytest.raises(PermissionDenied):
        cases.run_case_transitions(db, CSR)


def test_the_job_moves_a_case_that_sat_long_enough(db: Database) -> None:
    case_world(db)
    case_types.save_case_type(db, ADMIN, CaseTypeDefinition(
        "CALLBACK", "Call-back request",
        statuses=(S("WAITING", "Waiting", 10, True, False), S("CLOSED", "Closed", 20, False,
                                                               True)),
        transitions=(T("WAITING", "CLOSED", "Close", 10),),
        algorithms=(CaseAlgorithmLine("WAITING", AUTO, 10, "AUTO-AFTER-DAYS", "14>CLOSED"),)),
        None)
    old = cases.create_case(db, CSR, NewCase("CALLBACK")).number
    new = cases.create_case(db, CSR, NewCase("CALLBACK")).number
    with transaction(db, ADMIN) as session:
        case = session.scalar(select(Case).where(Case.number == old))
        assert case is not None
        case.status_entered_at -= dt.timedelta(days=20)
    result = cases.run_case_transitions(db, SYSTEM)
    assert (result.examined, result.moved, result.transitions, result.failed) == (2, 1, 1, 0)
    assert result.lines == (f"Case {old}: moved to Closed (AUTO-AFTER-DAYS)",)
    row = case_row(db, old)
    assert row.status_code == "CLOSED" and row.closed_at is not None
    moved = log_of(db, old)[-1]
    assert (moved.log_type, moved.from_status, moved.to_status, moved.algorithm_code,
            moved.user_name) == (CaseLogType.STATUS_TRANSITION, "WAITING", "CLOSED",
                                 "AUTO-AFTER-DAYS", "system")
    assert case_row(db, new).status_code == "WAITING"
    later = cases.run_case_transitions(db, now=dt.datetime.now() + dt.timedelta(days=15))
    assert (later.examined, later.moved) == (1, 1)            # only the one still waiting
    assert case_row(db, new).status_code == "CLOSED"
    assert cases.run_case_transitions(db).examined == 0


def test_a_chain_going_round_in_a_circle_stops(db: Database) -> None:
    case_world(db)
    case_types.save_case_type(db, ADMIN, CaseTypeDefinition(
        "LOOPY", "Badly configured",
        statuses=(S("A", "First", 10, True, False), S("B", "Second", 20, False, False),
                  S("DONE", "Done", 30, False, True)),
        transitions=(T("B", "DONE", "Finish", 10),),
        algorithms=(CaseAlgorithmLine("A", AUTO, 10, "AUTO-AFTER-DAYS", "0>B"),
                    CaseAlgorithmLine("B", AUTO, 10, "AUTO-AFTER-DAYS", "0>A"))), None)
    result = cases.create_case(db, CSR, NewCase("LOOPY"))
    assert result.status == "B"
    assert result.auto_message == (
        "Moved on automatically to Second (AUTO-AFTER-DAYS). The automatic transition from "
        "Second (AUTO-AFTER-DAYS) did not run: it would move the case back to First (the case "
        "type's automatic transitions go round in a circle). The case stays in Second.")
    assert log_types(db, result.number) == [CaseLogType.CREATED, CaseLogType.STATUS_TRANSITION]
    job = cases.run_case_transitions(db)         # a fresh chain: B → A, then stops at A → B
    assert (job.moved, job.failed) == (1, 1)
    assert case_row(db, result.number).status_code == "A"
    assert log_types(db, result.number)[-2:] == [CaseLogType.TRANSITION_ERROR,
                                                 CaseLogType.EXCEPTION]


def test_switchboard_cases_transitions_prints_what_it_did(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], failing: None) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    db = open_database(url)
    try:
        w = case_world(db)
        number = cases.create_case(db, CSR, NewCase("LIT-REQ", person_number=w.person)).number
        cases.update_case(db, CSR, number, case_row(db, number).version,
                          CaseChanges(comments="Posted today"))
    finally:
        db.dispose()
    assert main(["cases", "transitions", "--database", url]) == 0
    assert capsys.readouterr().out == (
        "Case transitions: 1 case examined, 0 moved (0 transitions), 0 could not move.\n")

    db = open_database(url)
    try:
        _with_algorithm(db, CaseAlgorithmLine("REQUESTED", AUTO, 5, "FAIL-AUTO", "SENT"))
    finally:
        db.dispose()
    assert main(["cases", "transitions", "--as-of", "2026-07-01", "--database", url]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"  Case {number}: stays in Requested — FAIL-AUTO: {REASON}.",
        "Case transitions: 1 case examined, 0 moved (0 transitions), 1 could not move."]
