"""The case configuration of spec/50 §5.5's tests, built through the administrator's services:
HIGH-BILL (LODGED → INVESTIGATING → RESOLVED or REJECTED; person required, account optional,
premise not allowed; INVESTIGATING alertable and requiring READ-CHK, raising a To Do on entry
and completing it on exit; Resolve for supervisors; a customer contact recorded on RESOLVED)
and LIT-REQ (REQUESTED → SENT, on its own once SENT-DT is there), with a household to open
cases for and the users who work them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.db import Database
from app.engine.cases import CaseStatusDef as S
from app.engine.cases import CaseTransitionDef as T
from app.models import Case, CaseLog, CharacteristicAllowedValue, CharacteristicType
from app.models.enums import (
    CaseAlgorithmKind,
    CaseLogType,
    CaseUsage,
    CharacteristicValueKind,
    UserRole,
)
from app.services import case_types, todos, users
from app.services.case_types import CaseAlgorithmLine, CaseTypeDefinition
from app.services.context import Actor, read_only, transaction
from tests.conftest import ADMIN, CSR, SUPERVISOR
from tests.services.builders import Household, household

ENTER, EXIT, AUTO = CaseAlgorithmKind.ENTER, CaseAlgorithmKind.EXIT, CaseAlgorithmKind.AUTO
REQUIRED, OPTIONAL, NOT_ALLOWED = CaseUsage.REQUIRED, CaseUsage.OPTIONAL, CaseUsage.NOT_ALLOWED
PASSWORD = "correct horse"
#: The spec's name of HIGH-BILL's second status.
INVESTIGATING = "INVESTIGATING"
#: A dispatcher: a user outside HIGH-BILL's access roles.
DISPATCHER = Actor("disp1", "Dee Spatch", frozenset({UserRole.DISPATCHER}))

HIGH_BILL = CaseTypeDefinition(
    code="HIGH-BILL", description="High-bill complaint",
    person_usage=REQUIRED, account_usage=OPTIONAL, premise_usage=NOT_ALLOWED,
    responsible_user_usage=OPTIONAL, contact_info_usage=OPTIONAL, uses_characteristics=True,
    access_roles=frozenset({UserRole.CSR, UserRole.SUPERVISOR}),
    statuses=(S("LODGED", "Lodged", 10, True, False),
              S(INVESTIGATING, "Investigating", 20, False, False, alertable=True,
                script="Check the meter read against the history."),
              S("RESOLVED", "Resolved", 30, False, True),
              S("REJECTED", "Rejected", 40, False, True)),
    transitions=(T("LODGED", INVESTIGATING, "Investigate", 10, is_default=True),
                 T(INVESTIGATING, "RESOLVED", "Resolve", 10, True, UserRole.SUPERVISOR.value),
                 T(INVESTIGATING, "REJECTED", "Reject", 20)),
    algorithms=(CaseAlgorithmLine(INVESTIGATING, ENTER, 10, "CREATE-TODO", "HB-REVIEW"),
                CaseAlgorithmLine(INVESTIGATING, EXIT, 10, "COMPLETE-TODOS"),
                CaseAlgorithmLine("RESOLVED", ENTER, 10, "CUSTOMER-CONTACT", "LETTER")),
    required_chars=((INVESTIGATING, "READ-CHK"),),
    allowed_chars=("READ-CHK",),
)

LIT_REQ = CaseTypeDefinition(
    code="LIT-REQ", description="Literature request",
    person_usage=REQUIRED, account_usage=OPTIONAL, premise_usage=NOT_ALLOWED,
    responsible_user_usage=NOT_ALLOWED, contact_info_usage=OPTIONAL, uses_characteristics=True,
    statuses=(S("REQUESTED", "Requested", 10, True, False), S("SENT", "Sent", 20, False, True)),
    transitions=(T("REQUESTED", "SENT", "Send", 10, is_default=True),),
    algorithms=(CaseAlgorithmLine("REQUESTED", AUTO, 10, "AUTO-IF-CHAR", "SENT-DT>SENT"),),
    allowed_chars=("SENT-DT",),
)


@dataclass(frozen=True)
class CaseWorld:
    """The household cases are opened for (person = its customer's party)."""

    home: Household

    @property
    def person(self) -> str:
        return self.home.party

    @property
    def account(self) -> str:
        return self.home.account


def add_char_types(db: Database) -> None:
    """READ-CHK (Y/N) and SENT-DT (free text): characteristic types only cases carry."""
    with transaction(db, ADMIN) as session:
        session.add(CharacteristicType(code="READ-CHK", description="Meter read checked",
                                       value_kind=CharacteristicValueKind.PREDEFINED))
        session.add(CharacteristicType(code="SENT-DT", description="Literature sent on",
                                       value_kind=CharacteristicValueKind.ADHOC))
        session.flush()
        session.add_all([
            CharacteristicAllowedValue(characteristic_type_code="READ-CHK", value="Y",
                                       description="Yes"),
            CharacteristicAllowedValue(characteristic_type_code="READ-CHK", value="N",
                                       description="No")])


def add_users(db: Database, *actors: Actor) -> None:
    for actor in actors:
        users.create_user(db, ADMIN, actor.username, actor.display_name, set(actor.roles),
                          PASSWORD, PASSWORD)


def case_world(db: Database) -> CaseWorld:
    """The spec's sample configuration, a billing work group with its To Do type, the users
    CSR, SUPERVISOR and DISPATCHER, and a household."""
    add_char_types(db)
    add_users(db, CSR, SUPERVISOR, DISPATCHER)
    todos.create_work_group(db, ADMIN, "BILLING", "Billing team")
    todos.add_member(db, ADMIN, "BILLING", CSR.username)
    todos.create_todo_type(db, ADMIN, "HB-REVIEW", "Review a high bill", "BILLING", 3)
    case_types.save_case_type(db, ADMIN, HIGH_BILL, None)
    case_types.save_case_type(db, ADMIN, LIT_REQ, None)
    return CaseWorld(household(db))


def log_of(db: Database, number: str) -> list[CaseLog]:
    """The case's log rows, oldest first."""
    with read_only(db) as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        rows = list(session.scalars(select(CaseLog).where(CaseLog.case_id == case_id)
                                    .order_by(CaseLog.seq)))
        session.expunge_all()
        return rows


def log_types(db: Database, number: str) -> list[CaseLogType]:
    return [r.log_type for r in log_of(db, number)]


def case_row(db: Database, number: str) -> Case:
    with read_only(db) as session:
        case = session.scalar(select(Case).where(Case.number == number))
        assert case is not None
        session.expunge(case)
        return case
