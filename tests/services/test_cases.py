"""Cases through the services (spec/50 §5.5 CS-T01…CS-T09, CS-T12, CS-T13; issue 11): the
sample HIGH-BILL and LIT-REQ types, defaults from the account, required characteristics,
To Dos raised and completed by the status algorithms, closing, who may see and work a type
and take a transition, two workstations moving the same case, edits and links, and the case
search by each criterion. SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.db import Database, open_database
from app.engine.identifiers import from_sequence
from app.models import Bill, Case, CaseLog, CustomerContact, TodoEntry
from app.models.enums import (
    BillStatus,
    CaseLinkKind,
    CaseLogType,
    CaseUsage,
    ContactMethod,
    TodoStatus,
)
from app.services import alerts, cases, control_central
from app.services.cases import (
    CaseChanges,
    CaseClosed,
    CaseSearch,
    MissingRequiredChar,
    NewCase,
    TransitionNotAllowed,
)
from app.services.context import transaction
from app.services.errors import ConcurrentChange, NotFound, PermissionDenied, ValidationError
from tests.conftest import ADMIN, CSR, SUPERVISOR
from tests.services.builders import household
from tests.services.case_fixtures import (
    DISPATCHER,
    INVESTIGATING,
    CaseWorld,
    case_row,
    case_world,
    log_of,
    log_types,
)

READ_OK = (("READ-CHK", "Y"),)


def _lodged(db: Database, w: CaseWorld, actor=CSR) -> str:
    return cases.create_case(db, actor, cases.new_case_defaults(db, actor, "HIGH-BILL",
                                                                w.account)).number


def _investigating(db: Database, w: CaseWorld) -> str:
    number = _lodged(db, w)
    cases.transition_case(db, CSR, number, INVESTIGATING, case_row(db, number).version,
                          READ_OK)
    return number


def _todos(db: Database, number: str) -> list[TodoEntry]:
    with transaction(db, ADMIN) as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        rows = list(session.scalars(select(TodoEntry).where(TodoEntry.case_id == case_id)))
        session.expunge_all()
        return rows


# ----------------------------------------------------------------------------- CS-T01…T13


def test_cs_t01_a_new_case_starts_lodged_with_exactly_one_created_row(db: Database) -> None:
    w = case_world(db)
    result = cases.create_case(db, CSR, NewCase("HIGH-BILL", person_number=w.person,
                                                comments="Bill doubled in May"))
    assert (result.status, result.auto_message) == ("LODGED", None)
    row = case_row(db, result.number)
    assert row.opened_at is not None and row.closed_at is None
    assert row.opened_at == row.status_entered_at
    log = log_of(db, result.number)
    assert [(r.seq, r.log_type, r.user_name, r.to_status) for r in log] == [
        (1, CaseLogType.CREATED, "csr1", "LODGED")]
    detail = cases.load_case(db, CSR, result.number)
    assert (detail.status_description, detail.comments, detail.is_final) == (
        "Lodged", "Bill doubled in May", False)
    assert detail.person is not None and detail.person.number == w.person
    assert detail.todo_summary == "" and detail.todo_counts == (0, 0, 0)


def test_cs_t02_defaults_come_from_the_account_and_the_premise_is_hidden(db: Database) -> None:
    w = case_world(db)
    choice = next(c for c in cases.case_type_choices(db, CSR) if c.code == "HIGH-BILL")
    assert (choice.person_usage, choice.account_usage, choice.premise_usage) == (
        CaseUsage.REQUIRED, CaseUsage.OPTIONAL, CaseUsage.NOT_ALLOWED)
    assert [(p.code, p.allowed_values) for p in choice.char_types] == [
        ("READ-CHK", (("N", "No"), ("Y", "Yes")))]
    new = cases.new_case_defaults(db, CSR, "HIGH-BILL", w.account)
    assert (new.person_number, new.account_number, new.premise_number,
            new.contact_person_number) == (w.person, w.account, None, w.person)
    assert cases.new_case_defaults(db, CSR, "HIGH-BILL", None) == NewCase("HIGH-BILL")
    with pytest.raises(ValidationError) as refused:       # hidden: it takes no premise
        cases.create_case(db, CSR, dataclasses.replace(new, premise_number=w.home.premise))
    assert refused.value.field == "premise"
    with pytest.raises(ValidationError) as refused:       # the person is required
        cases.create_case(db, CSR, dataclasses.replace(new, person_number=None))
    assert refused.value.field == "person"
    number = cases.create_case(db, CSR, new).number
    detail = cases.load_case(db, CSR, number)
    assert detail.usages.premise is CaseUsage.NOT_ALLOWED and detail.premise is None
    assert detail.contact_person is not None and detail.contact_person.number == w.person
    assert detail.account is not None and detail.account.number == w.account


def test_cs_t03_investigating_without_read_chk_asks_for_it(db: Database) -> None:
    w = case_world(db)
    number = _lodged(db, w)
    action = cases.load_case(db, CSR, number).actions[0]
    assert (action.to_status, action.label, action.is_default) == (INVESTIGATING,
                                                                   "Investigate", True)
    assert [p.code for p in action.needs] == ["READ-CHK"]       # the pop-up asks first
    with pytest.raises(MissingRequiredChar) as missing:
        cases.transition_case(db, CSR, number, INVESTIGATING, case_row(db, number).version)
    assert [(p.code, p.description) for p in missing.value.missing] == [
        ("READ-CHK", "Meter read checked")]
    assert missing.value.field == "characteristics"
    assert "Meter read checked" in missing.value.message
    assert case_row(db, number).status_code == "LODGED"
    assert log_types(db, number) == [CaseLogType.CREATED] and _todos(db, number) == []


def test_cs_t04_with_read_chk_the_case_investigates_with_one_open_todo(db: Database) -> None:
    w = case_world(db)
    number = _lodged(db, w)
    result = cases.transition_case(db, CSR, number, INVESTIGATING,
                                   case_row(db, number).version, (("read-chk", "y"),))
    assert (result.status, result.auto_message) == (INVESTIGATING, None)
    log = log_of(db, number)
    assert [r.log_type for r in log] == [CaseLogType.CREATED, CaseLogType.STATUS_TRANSITION,
                                         CaseLogType.SYSTEM]
    assert (log[1].from_status, log[1].to_status) == ("LODGED", INVESTIGATING)
    [todo] = _todos(db, number)
    assert todo.status is TodoStatus.OPEN and todo.todo_type_code == "HB-REVIEW"
    assert (todo.drill_entity_type, todo.drill_entity_id) == ("CASE", number)
    assert todo.work_group_code == "BILLING" and todo.account_id is not None
    assert (log[2].related_object_type, log[2].related_object_id) == ("TODO", str(todo.id))
    assert log[2].details == "To Do Review a high bill created for Billing team"
    detail = cases.load_case(db, CSR, number)
    assert detail.todo_summary == "1 To Do entry: 1 Open"
    assert [(c.code, c.value) for c in detail.characteristics] == [("READ-CHK", "Y")]
    assert detail.script == "Check the meter read against the history."


def test_cs_t05_an_alertable_status_flags_the_case_until_it_is_resolved(db: Database) -> None:
    w = case_world(db)
    number = _investigating(db, w)
    assert cases.load_case(db, CSR, number).alertable
    assert "AL-CASE" in alerts.registered_alerts()     # app.services.case_zone registers it

    def case_alerts() -> list[str]:
        return [a.text for a in control_central.account_dashboard(db, w.account).alerts
                if a.code == "AL-CASE"]

    assert case_alerts() == ["Open case: High-bill complaint — Investigating"]
    cases.transition_case(db, SUPERVISOR, number, "RESOLVED", case_row(db, number).version)
    assert not cases.load_case(db, CSR, number).alertable
    assert case_alerts() == []


def test_cs_t06_resolving_closes_the_case_and_its_details_lock(db: Database) -> None:
    w = case_world(db)
    number = _investigating(db, w)
    result = cases.transition_case(db, SUPERVISOR, number, "RESOLVED",
                                   case_row(db, number).version)
    assert result.status == "RESOLVED"
    row = case_row(db, number)
    assert row.closed_at is not None and row.closed_at >= row.opened_at
    [todo] = _todos(db, number)
    assert todo.status is TodoStatus.COMPLETE and todo.completed_by == "sup1"
    detail = cases.load_case(db, CSR, number)
    assert detail.is_final and not detail.may_work and detail.actions == ()
    assert detail.todo_summary == "1 To Do entry: 1 Complete"
    version = row.version
    for changes in (CaseChanges(person_number=w.person), CaseChanges(account_number=""),
                    CaseChanges(contact_instructions="Call after 5"),
                    CaseChanges(preferred_contact_method=ContactMethod.EMAIL),
                    CaseChanges(characteristics=(("READ-CHK", "N"),)),
                    CaseChanges(comments="Reopened?")):
        with pytest.raises(CaseClosed):
            cases.update_case(db, CSR, number, version, changes)
    with pytest.raises(CaseClosed):
        cases.link_object(db, CSR, number, CaseLinkKind.PREMISE, w.home.premise)
    cases.add_log_entry(db, CSR, number, "Customer thanked us")   # notes go on
    assert case_row(db, number).version == version
    assert log_types(db, number)[-1] is CaseLogType.USER_DETAILS


def test_cs_t07_an_unconfigured_transition_has_no_button_and_is_refused(db: Database) -> None:
    w = case_world(db)
    number = _lodged(db, w)
    assert [a.to_status for a in cases.load_case(db, ADMIN, number).actions] == [INVESTIGATING]
    for actor in (CSR, SUPERVISOR, ADMIN):
        with pytest.raises(TransitionNotAllowed) as refused:
            cases.transition_case(db, actor, number, "RESOLVED", case_row(db, number).version)
        assert "no such action" in refused.value.message
    with pytest.raises(TransitionNotAllowed):
        cases.transition_case(db, CSR, number, "NOWHERE", None)
    assert case_row(db, number).status_code == "LODGED"
    assert log_types(db, number) == [CaseLogType.CREATED]


def test_cs_t08_a_csr_sees_resolve_greyed_and_cannot_take_it(db: Database) -> None:
    w = case_world(db)
    number = _investigating(db, w)
    shown = {a.to_status: a for a in cases.load_case(db, CSR, number).actions}
    assert [a.label for a in shown.values()] == ["Resolve", "Reject"]
    assert not shown["RESOLVED"].enabled and "Supervisor" in shown["RESOLVED"].why_disabled
    assert shown["REJECTED"].enabled and shown["REJECTED"].why_disabled == ""
    for actor in (SUPERVISOR, ADMIN):
        assert all(a.enabled for a in cases.load_case(db, actor, number).actions)
    with pytest.raises(TransitionNotAllowed) as refused:
        cases.transition_case(db, CSR, number, "RESOLVED", case_row(db, number).version)
    assert "Supervisor" in refused.value.message
    assert case_row(db, number).status_code == INVESTIGATING
    assert cases.transition_case(db, CSR, number, "REJECTED",
                                 case_row(db, number).version).status == "REJECTED"


def test_cs_t09_lit_req_with_sent_dt_moves_on_by_itself_once(db: Database) -> None:
    w = case_world(db)
    result = cases.create_case(db, CSR, NewCase(
        "LIT-REQ", person_number=w.person, characteristics=(("SENT-DT", "2026-03-02"),)))
    assert result.status == "SENT"
    assert result.auto_message == "Moved on automatically to Sent (AUTO-IF-CHAR)."
    log = log_of(db, result.number)
    assert [r.log_type for r in log] == [CaseLogType.CREATED, CaseLogType.STATUS_TRANSITION]
    assert (log[1].from_status, log[1].to_status, log[1].algorithm_code) == (
        "REQUESTED", "SENT", "AUTO-IF-CHAR")
    assert case_row(db, result.number).closed_at is not None
    detail = cases.load_case(db, CSR, result.number)     # the pane reloads: no message
    assert detail.is_final and not hasattr(detail, "auto_message")

    waiting = cases.create_case(db, CSR, NewCase("LIT-REQ", person_number=w.person))
    assert (waiting.status, waiting.auto_message) == ("REQUESTED", None)
    message = cases.update_case(db, CSR, waiting.number, case_row(db, waiting.number).version,
                                CaseChanges(characteristics=(("SENT-DT", "2026-03-03"),)))
    assert message == "Moved on automatically to Sent (AUTO-IF-CHAR)."
    assert log_types(db, waiting.number) == [
        CaseLogType.CREATED, CaseLogType.USER_DETAILS, CaseLogType.STATUS_TRANSITION]


def test_cs_t12_the_case_type_cannot_change_after_add(db: Database) -> None:
    w = case_world(db)
    number = _lodged(db, w)
    assert "case_type" not in {f.name for f in dataclasses.fields(CaseChanges)}
    assert "case_type_code" not in {f.name for f in dataclasses.fields(CaseChanges)}
    cases.update_case(db, CSR, number, case_row(db, number).version,
                      CaseChanges(comments="Still HIGH-BILL"))
    assert case_row(db, number).case_type_code == "HIGH-BILL"
    assert cases.load_case(db, CSR, number).case_type == "HIGH-BILL"


def test_cs_t13_the_customer_contact_algorithm_logs_the_contact_it_made(db: Database) -> None:
    w = case_world(db)
    number = _investigating(db, w)
    cases.transition_case(db, SUPERVISOR, number, "RESOLVED", case_row(db, number).version)
    system = [r for r in log_of(db, number) if r.related_object_type == "CUSTOMER_CONTACT"]
    assert len(system) == 1 and system[0].log_type is CaseLogType.SYSTEM
    assert system[0].algorithm_code == "CUSTOMER-CONTACT"
    with transaction(db, ADMIN) as session:
        contact = session.scalar(select(CustomerContact).where(
            CustomerContact.number == system[0].related_object_id))
        assert contact is not None and contact.contact_type == "LETTER"
        assert contact.created_by == "sup1"
        case = session.scalar(select(Case).where(Case.number == number))
        assert case is not None
        assert (contact.party_id, contact.account_id) == (case.person_id, case.account_id)
    detail = cases.load_case(db, CSR, number)
    assert detail.log[0].related_type == "CUSTOMER_CONTACT"     # newest first


# ----------------------------------------------------------------------------- who may


def test_a_user_outside_the_types_roles_neither_sees_nor_opens_nor_works_it(
        db: Database) -> None:
    w = case_world(db)
    number = _investigating(db, w)
    assert [c.code for c in cases.case_type_choices(db, DISPATCHER)] == ["LIT-REQ"]
    assert {c.code for c in cases.case_type_choices(db, CSR)} == {"HIGH-BILL", "LIT-REQ"}
    new = NewCase("HIGH-BILL", person_number=w.person)
    for attempt in (lambda: cases.new_case_defaults(db, DISPATCHER, "HIGH-BILL", w.account),
                    lambda: cases.create_case(db, DISPATCHER, new),
                    lambda: cases.load_case(db, DISPATCHER, number),
                    lambda: cases.transition_case(db, DISPATCHER, number, "REJECTED", None),
                    lambda: cases.add_log_entry(db, DISPATCHER, number, "peek"),
                    lambda: cases.update_case(db, DISPATCHER, number, None,
                                              CaseChanges(comments="x")),
                    lambda: cases.link_object(db, DISPATCHER, number, CaseLinkKind.PREMISE,
                                              w.home.premise),
                    lambda: cases.search_cases(db, DISPATCHER, CaseSearch("HIGH-BILL"))):
        with pytest.raises(PermissionDenied):
            attempt()
    rows, _ = cases.search_cases(db, DISPATCHER, CaseSearch(open_only=False))
    assert rows == ()
    lit = cases.create_case(db, DISPATCHER, NewCase("LIT-REQ", person_number=w.person))
    rows, _ = cases.search_cases(db, DISPATCHER, CaseSearch(open_only=False))
    assert [r.number for r in rows] == [lit.number]
    rows, _ = cases.search_cases(db, ADMIN, CaseSearch(open_only=False))
    assert {r.number for r in rows} == {number, lit.number}
    assert case_row(db, number).status_code == INVESTIGATING
    assert len(log_of(db, number)) == 3


# ----------------------------------------------------------------------------- concurrency


def test_two_workstations_moving_the_same_case_one_wins_nothing_half_saved(
        db: Database) -> None:
    w = case_world(db)
    number = _lodged(db, w)
    version = case_row(db, number).version
    barrier = threading.Barrier(2)
    outcomes: list[object] = []
    lock = threading.Lock()

    def workstation() -> None:
        own = open_database(db.url, migrate=False)
        try:
            barrier.wait(30)
            outcome: object = cases.transition_case(own, CSR, number, INVESTIGATING, version,
                                                    READ_OK)
        except Exception as exc:  # noqa: BLE001 — the test reports what each got
            outcome = exc
        finally:
            own.dispose()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=workstation) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    won = [o for o in outcomes if isinstance(o, cases.CaseResult)]
    lost = [o for o in outcomes if not isinstance(o, cases.CaseResult)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], ConcurrentChange), lost
    assert log_types(db, number) == [CaseLogType.CREATED, CaseLogType.STATUS_TRANSITION,
                                     CaseLogType.SYSTEM]
    assert len(_todos(db, number)) == 1


def test_notes_written_at_once_each_take_their_own_seq(db: Database) -> None:
    w = case_world(db)
    number = _lodged(db, w)
    writers = 6
    barrier = threading.Barrier(writers)
    failures: list[Exception] = []

    def note(n: int) -> None:
        own = open_database(db.url, migrate=False)
        try:
            barrier.wait(30)
            cases.add_log_entry(own, CSR, number, f"note {n}")
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=note, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    log = log_of(db, number)
    assert [r.seq for r in log] == list(range(1, writers + 2))
    assert sorted(r.details for r in log[1:]) == [f"note {n}" for n in range(writers)]


# ----------------------------------------------------------------------------- edits, links


def test_changes_are_each_logged_and_checked(db: Database) -> None:
    w = case_world(db)
    number = _lodged(db, w)
    version = case_row(db, number).version
    message = cases.update_case(db, CSR, number, version, CaseChanges(
        comments="Customer away in June", responsible_username="SUP1",
        preferred_contact_method=ContactMethod.EMAIL, callback_phone="(555) 555-0199",
        callback_ext="12", characteristics=(("READ-CHK", "N"),)))
    assert message is None
    notes = [r.details for r in log_of(db, number) if r.log_type is CaseLogType.USER_DETAILS]
    assert notes == ["Comments changed", "Responsible user changed from nobody to sup1",
                     "Preferred contact method changed to Email",
                     "Callback phone changed to +15555550199", "Callback extension changed to 12",
                     "Characteristic Meter read checked set to N"]
    detail = cases.load_case(db, CSR, number)
    assert (detail.responsible_username, detail.responsible_name) == ("sup1", "Sam Pike")
    assert detail.contact_detail == "ngozi.okafor@example.com"
    with pytest.raises(ConcurrentChange):                     # the version moved on
        cases.update_case(db, CSR, number, version, CaseChanges(comments="late"))
    version = detail.version
    for changes, field in ((CaseChanges(premise_number=w.home.premise), "premise"),
                           (CaseChanges(person_number=""), "person"),
                           (CaseChanges(responsible_username="nobody"), "responsible_user"),
                           (CaseChanges(characteristics=(("SENT-DT", "x"),)), "characteristics"),
                           (CaseChanges(characteristics=(("READ-CHK", "maybe"),)),
                            "characteristics"),
                           (CaseChanges(callback_ext="12a"), "callback_ext")):
        with pytest.raises(ValidationError) as refused:
            cases.update_case(db, CSR, number, version, changes)
        assert refused.value.field == field
    assert cases.update_case(db, CSR, number, version, CaseChanges(comments="Customer away "
                                                                   "in June")) is None
    assert len(log_of(db, number)) == 7                       # nothing more was logged
    for method, shown in ((ContactMethod.PHONE, "+15555550101"),
                          (ContactMethod.POSTAL, "12 Elm St, Springfield, 62701"),
                          (ContactMethod.FAX, ""), (ContactMethod.NOT_APPLICABLE, "")):
        cases.update_case(db, CSR, number, case_row(db, number).version,
                          CaseChanges(preferred_contact_method=method))
        assert cases.load_case(db, CSR, number).contact_detail == shown


def test_a_required_characteristic_cannot_be_removed_while_the_status_needs_it(
        db: Database) -> None:
    w = case_world(db)
    number = _investigating(db, w)
    with pytest.raises(ValidationError) as refused:
        cases.update_case(db, CSR, number, case_row(db, number).version,
                          CaseChanges(characteristics=(("READ-CHK", ""),)))
    assert "Meter read checked" in refused.value.message
    cases.update_case(db, CSR, number, case_row(db, number).version,
                      CaseChanges(characteristics=(("READ-CHK", "N"),)))
    detail = cases.load_case(db, CSR, number)
    assert [(c.code, c.value) for c in detail.characteristics] == [("READ-CHK", "N")]


def test_links_point_to_objects_that_exist(db: Database) -> None:
    w = case_world(db)
    number = _lodged(db, w)
    with transaction(db, ADMIN) as session:
        account_id = session.scalar(select(Case.account_id).where(Case.number == number))
        assert account_id is not None
        bill = Bill(account_id=account_id, bill_date=dt.date(2026, 5, 3),
                    due_date=dt.date(2026, 5, 24), amount=Decimal("412.50"), status=BillStatus.COMPLETE)
        session.add(bill)
        session.flush()
        bill_id = bill.id
    cases.link_object(db, CSR, number, CaseLinkKind.BILL, str(bill_id))
    cases.link_object(db, CSR, number, CaseLinkKind.PREMISE, w.home.premise)
    with pytest.raises(ValidationError):
        cases.link_object(db, CSR, number, CaseLinkKind.PREMISE, w.home.premise)
    for kind, missing in ((CaseLinkKind.BILL, str(bill_id + 100)), (CaseLinkKind.BILL, "x"),
                          (CaseLinkKind.SERVICE_AGREEMENT, w.home.premise),
                          (CaseLinkKind.QUOTE, w.home.premise),
                          (CaseLinkKind.FIELD_ACTIVITY, w.home.premise)):
        with pytest.raises(NotFound):
            cases.link_object(db, CSR, number, kind, missing)
    detail = cases.load_case(db, CSR, number)
    assert [(link.kind, link.object_number) for link in detail.links] == [
        (CaseLinkKind.BILL, str(bill_id)), (CaseLinkKind.PREMISE, w.home.premise)]
    assert detail.links[0].label == f"Bill {bill_id} of 2026-05-03, 412.50"
    assert detail.links[1].label.startswith(f"Premise {w.home.premise} (12 Elm St")
    system = [r for r in log_of(db, number) if r.log_type is CaseLogType.SYSTEM]
    assert [(r.details, r.related_object_type, r.related_object_id) for r in system] == [
        (f"Linked to bill {bill_id}", "BILL", str(bill_id)),
        (f"Linked to premise {w.home.premise}", "PREMISE", w.home.premise)]


def test_the_portal_tab_pretty_prints_the_cases_data(db: Database) -> None:
    w = case_world(db)
    number = cases.create_case(db, CSR, NewCase(
        "HIGH-BILL", person_number=w.person,
        clob_data='{"channel":"web","reads":[512,940]}')).number
    assert cases.load_case(db, CSR, number).portal_text == (
        '{\n  "channel": "web",\n  "reads": [\n    512,\n    940\n  ]\n}')


# ----------------------------------------------------------------------------- search


def _age(db: Database, number: str, days: int) -> None:
    """Pretend the case was opened `days` earlier."""
    with transaction(db, ADMIN) as session:
        case = session.scalar(select(Case).where(Case.number == number))
        assert case is not None
        case.opened_at -= dt.timedelta(days=days)
        case.status_entered_at -= dt.timedelta(days=days)


def test_search_by_each_criterion_newest_first(db: Database) -> None:
    w = case_world(db)
    other = household(db, "Tanaka", "Yui", "4 Oak Ave")
    old = _lodged(db, w)                                   # opened 40 days ago
    _age(db, old, 40)
    investigating = _investigating(db, w)                  # opened 10 days ago
    _age(db, investigating, 10)
    theirs = cases.create_case(db, CSR, NewCase(
        "HIGH-BILL", person_number=other.party, account_number=other.account,
        responsible_username="sup1")).number
    sent = cases.create_case(db, CSR, NewCase(
        "LIT-REQ", person_number=w.person, characteristics=(("SENT-DT", "2026-01-01"),))).number

    def numbers(**criteria: object) -> list[str]:
        rows, more = cases.search_cases(db, CSR, CaseSearch(**criteria))  # type: ignore[arg-type]
        assert not more
        return [r.number for r in rows]

    assert numbers() == [theirs, investigating, old]                 # open only, newest first
    assert numbers(open_only=False) == [sent, theirs, investigating, old]
    assert numbers(case_type="LIT-REQ") == []
    assert numbers(case_type="lit-req", open_only=False) == [sent]
    assert numbers(case_type="HIGH-BILL", status=INVESTIGATING) == [investigating]
    assert numbers(status="LODGED") == [theirs, old]
    assert numbers(status="SENT") == []                               # closed
    assert numbers(status="SENT", open_only=False) == [sent]
    assert numbers(account_number=w.account) == [investigating, old]
    assert numbers(account_number=w.account, status="LODGED") == [old]
    assert numbers(account_number=other.account, open_only=False) == [theirs]
    assert numbers(responsible_username="SUP1") == [theirs]
    assert numbers(responsible_username="sup1", case_type="LIT-REQ") == []
    assert numbers(older_than_days=30) == [old]
    assert numbers(older_than_days=5) == [investigating, old]
    assert numbers(newer_than_days=30) == [theirs, investigating]
    assert numbers(newer_than_days=30, older_than_days=5) == [investigating]
    assert numbers(account_number=w.account, newer_than_days=30) == [investigating]

    rows, more = cases.search_cases(db, CSR, CaseSearch(limit=2))
    assert [r.number for r in rows] == [theirs, investigating] and more
    rows, more = cases.search_cases(db, CSR, CaseSearch(open_only=False, limit=2))
    assert [r.number for r in rows] == [sent, theirs] and more
    row = cases.search_cases(db, CSR, CaseSearch(status=INVESTIGATING))[0][0]
    assert (row.case_type, row.case_type_description, row.status_description,
            row.is_final, row.age_days, row.account_number, row.person_name,
            row.responsible_name) == ("HIGH-BILL", "High-bill complaint", "Investigating",
                                      False, 10, w.account, "Okafor, Ngozi", "")
    assert cases.search_cases(db, CSR, CaseSearch(responsible_username="sup1"))[0][0] \
        .responsible_name == "Sam Pike"
    for criteria, field in ((CaseSearch(case_type="NOPE"), "case_type"),
                            (CaseSearch(responsible_username="ghost"), "responsible_user"),
                            (CaseSearch(older_than_days=-1), "older_than_days")):
        with pytest.raises(ValidationError) as refused:
            cases.search_cases(db, CSR, criteria)
        assert refused.value.field == field
    with pytest.raises(NotFound):
        cases.search_cases(db, CSR, CaseSearch(account_number=from_sequence(999)))
    assert numbers(case_type="HIGH-BILL", status="SENT") == []


def test_the_log_of_a_case_reads_newest_first(db: Database) -> None:
    w = case_world(db)
    number = _investigating(db, w)
    cases.add_log_entry(db, CSR, number, "Called the customer")
    detail = cases.load_case(db, CSR, number)
    assert [r.seq for r in detail.log] == [4, 3, 2, 1]
    assert (detail.log[0].log_type, detail.log[0].details, detail.log[0].user_name) == (
        CaseLogType.USER_DETAILS, "Called the customer", "csr1")
    with transaction(db, ADMIN) as session:
        assert session.scalar(select(CaseLog.seq).where(CaseLog.details == "Called the "
                                                                           "customer")) == 4


def test_merging_a_duplicate_person_moves_their_cases_and_says_so_in_the_log(
        db: Database) -> None:
    from app.services import parties
    from app.services.duplicates import merge_parties
    from app.services.parties import PersonForm

    w = case_world(db)
    number = cases.create_case(db, CSR, NewCase("HIGH-BILL", person_number=w.person,
                                                contact_person_number=w.person)).number
    keep = parties.create_person(db, CSR, PersonForm(last_name="Okafor",
                                                     first_name="Ngozi A.")).number
    merge_parties(db, SUPERVISOR, keep, w.person, "Same person registered twice")
    detail = cases.load_case(db, CSR, number)
    assert detail.person is not None and detail.person.number == keep
    assert detail.contact_person is not None and detail.contact_person.number == keep
    merged = [r for r in log_of(db, number) if r.log_type is CaseLogType.SYSTEM]
    assert len(merged) == 1 and merged[0].related_object_id == keep
    assert f"Person {w.person} was merged into {keep}" in merged[0].details
