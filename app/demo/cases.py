"""Demo cases (spec/50 §5, issue 11): the demo utility's case configuration as data, an
installer that sets it up through the services an administrator uses, and demo cases opened
and moved on through the case services as CSRs, billing staff and supervisors would.

The configuration:

* characteristic types cases carry (READ-CHK "Meter read checked", SENT-DT "Literature sent
  on", DISP-AMT "Disputed amount", EXT-DAYS "Extension days", METER-NO, TEST-RES, LIT-TYPE,
  MOVE-ISS); they belong to no account, premise or agreement, only to cases;
* work groups BILLING, METERSHOP, FIELD and SUPERVISORS, and the To Do types routed to them;
* six case types (`DEMO_CASE_TYPES`): HIGH-BILL (spec/50 §5.5's sample, with an escalation
  to a supervisor and a supervisor-only Resolve), LIT-REQ (the spec's sample: REQUESTED moves
  on to SENT by itself once SENT-DT is there), BILL-DISP, METER-INV, PAY-EXT and MOVE-IN.

    install_case_configuration(db, SYSTEM)      # what is there already is left alone
    made = create_demo_cases(db)                # cases in every status of every type

`add_demo_cases(db, as_of)` does both for the demo build (nothing when case types exist).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy import select, text

from app.db import Database
from app.engine.cases import CaseStatusDef as S
from app.engine.cases import CaseTransitionDef as T
from app.models import Case, CaseType, CharacteristicAllowedValue, CharacteristicType
from app.models.enums import (
    CaseAlgorithmKind,
    CaseUsage,
    CharacteristicValueKind,
    ContactMethod,
    TodoStatus,
    UserRole,
    WorkGroupRole,
)
from app.services import case_types, cases, todos, users
from app.services.case_types import CaseAlgorithmLine, CaseTypeDefinition
from app.services.context import SYSTEM, Actor, read_only, today, transaction
from app.services.control_central import showcase_account
from app.services.errors import DomainError

ENTER, EXIT, AUTO = CaseAlgorithmKind.ENTER, CaseAlgorithmKind.EXIT, CaseAlgorithmKind.AUTO
REQUIRED, OPTIONAL, NOT_ALLOWED = CaseUsage.REQUIRED, CaseUsage.OPTIONAL, CaseUsage.NOT_ALLOWED
SUPERVISOR = UserRole.SUPERVISOR.value

#: The high-bill complaint's interim status (spec/50 §5.5).
INVESTIGATING = "INVESTIGATING"


# ------------------------------------------------------------------------------ references


@dataclass(frozen=True)
class DemoCharType:
    """A characteristic type cases carry: `values` (value, description) for a predefined
    one."""

    code: str
    description: str
    kind: CharacteristicValueKind
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DemoWorkGroup:
    code: str
    description: str
    #: The user roles whose holders the demo makes members (supervisors lead every group).
    member_roles: tuple[UserRole, ...]


@dataclass(frozen=True)
class DemoTodoType:
    code: str
    description: str
    work_group: str
    #: 1 is the most urgent, 9 the least.
    priority: int


PREDEFINED, ADHOC, NUMBER = (CharacteristicValueKind.PREDEFINED, CharacteristicValueKind.ADHOC,
                             CharacteristicValueKind.NUMBER)

DEMO_CHAR_TYPES: tuple[DemoCharType, ...] = (
    DemoCharType("READ-CHK", "Meter read checked", PREDEFINED,
                 (("Y", "Yes: the read is right"), ("N", "No: the read was wrong"))),
    DemoCharType("SENT-DT", "Literature sent on", ADHOC),
    DemoCharType("DISP-AMT", "Disputed amount", NUMBER),
    DemoCharType("EXT-DAYS", "Extension days", NUMBER),
    DemoCharType("METER-NO", "Meter badge number", ADHOC),
    DemoCharType("TEST-RES", "Meter test result", PREDEFINED,
                 (("WITHIN", "Within tolerance"), ("FAST", "Running fast"),
                  ("SLOW", "Running slow"), ("STOPPED", "Stopped registering"))),
    DemoCharType("LIT-TYPE", "Literature requested", PREDEFINED,
                 (("SAVING", "Energy-saving guide"), ("BUDGET", "Budget billing brochure"),
                  ("SOLAR", "Solar interconnection guide"), ("RATES", "Rate schedule booklet"),
                  ("ASSIST", "Bill assistance programmes"))),
    DemoCharType("MOVE-ISS", "Move-in problem", PREDEFINED,
                 (("NO-POWER", "No power at move-in"), ("WRONG-RD", "Wrong opening read"),
                  ("PREV-DEBT", "Billed for the previous occupant"),
                  ("NO-GAS", "Gas not relit"))),
)

DEMO_WORK_GROUPS: tuple[DemoWorkGroup, ...] = (
    DemoWorkGroup("BILLING", "Billing team", (UserRole.CSR, UserRole.RATE_ANALYST)),
    DemoWorkGroup("METERSHOP", "Meter shop", (UserRole.WAREHOUSE,)),
    DemoWorkGroup("FIELD", "Field service", (UserRole.DISPATCHER,)),
    DemoWorkGroup("SUPERVISORS", "Customer service supervisors", ()),
)

DEMO_TODO_TYPES: tuple[DemoTodoType, ...] = (
    DemoTodoType("TD-HIBILL", "Investigate a high bill", "BILLING", 4),
    DemoTodoType("TD-DISPUTE", "Review a billing dispute", "BILLING", 3),
    DemoTodoType("TD-METER", "Test a meter", "METERSHOP", 5),
    DemoTodoType("TD-PAYEXT", "Decide on a payment extension", "BILLING", 4),
    DemoTodoType("TD-MOVEIN", "Fix a move-in problem", "FIELD", 2),
    DemoTodoType("TD-ESCAL", "Escalated case: supervisor decision", "SUPERVISORS", 2),
)


# ------------------------------------------------------------------------------ case types


def _todo_on(status: str, todo_type: str) -> tuple[CaseAlgorithmLine, CaseAlgorithmLine]:
    """A To Do raised on entering `status` and completed on leaving it."""
    return (CaseAlgorithmLine(status, ENTER, 10, "CREATE-TODO", todo_type),
            CaseAlgorithmLine(status, EXIT, 10, "COMPLETE-TODOS"))


HIGH_BILL = CaseTypeDefinition(
    code="HIGH-BILL", description="High-bill complaint",
    person_usage=REQUIRED, account_usage=OPTIONAL, premise_usage=NOT_ALLOWED,
    responsible_user_usage=OPTIONAL, contact_info_usage=OPTIONAL, uses_characteristics=True,
    access_roles=frozenset({UserRole.CSR, UserRole.SUPERVISOR}),
    statuses=(
        S("LODGED", "Lodged", 10, True, False,
          script="Note why the customer thinks the bill is too high (new appliances, "
                 "guests, a vacancy), then check the last reads before investigating."),
        S(INVESTIGATING, "Investigating", 20, False, False, alertable=True,
          script="Billing checks the meter read against the consumption history. Call "
                 "the customer back within five working days."),
        S("ESCALATED", "Escalated to a supervisor", 30, False, False, alertable=True,
          script="A supervisor decides: resolve (rebill or credit), reject, or send it "
                 "back to billing with instructions."),
        S("RESOLVED", "Resolved", 40, False, True,
          script="Tell the customer the outcome and any rebill or credit."),
        S("REJECTED", "Rejected", 50, False, True,
          script="The bill stands. Offer a payment arrangement if the customer needs one."),
    ),
    transitions=(
        T("LODGED", INVESTIGATING, "Investigate", 10, is_default=True),
        T("LODGED", "REJECTED", "Reject", 20),
        T(INVESTIGATING, "RESOLVED", "Resolve", 10, True, SUPERVISOR),
        T(INVESTIGATING, "ESCALATED", "Escalate", 20),
        T(INVESTIGATING, "REJECTED", "Reject", 30),
        T("ESCALATED", "RESOLVED", "Resolve", 10, True, SUPERVISOR),
        T("ESCALATED", "REJECTED", "Reject", 20, False, SUPERVISOR),
        T("ESCALATED", INVESTIGATING, "Back to billing", 30, False, SUPERVISOR),
    ),
    algorithms=(*_todo_on(INVESTIGATING, "TD-HIBILL"), *_todo_on("ESCALATED", "TD-ESCAL")),
    required_chars=((INVESTIGATING, "READ-CHK"),),
    allowed_chars=("DISP-AMT", "METER-NO", "READ-CHK"),
)

LIT_REQ = CaseTypeDefinition(
    code="LIT-REQ", description="Literature request",
    person_usage=REQUIRED, account_usage=OPTIONAL, premise_usage=NOT_ALLOWED,
    responsible_user_usage=NOT_ALLOWED, contact_info_usage=OPTIONAL, uses_characteristics=True,
    statuses=(
        S("REQUESTED", "Requested", 10, True, False,
          script="Post or e-mail the literature, then enter the date it went out (Literature "
                 "sent on): the case closes by itself."),
        S("SENT", "Sent", 20, False, True),
        S("WITHDRAWN", "Withdrawn", 30, False, True),
    ),
    transitions=(T("REQUESTED", "WITHDRAWN", "Withdraw", 20),),
    algorithms=(CaseAlgorithmLine("REQUESTED", AUTO, 10, "AUTO-IF-CHAR", "SENT-DT>SENT"),),
    allowed_chars=("LIT-TYPE", "SENT-DT"),
)

BILL_DISP = CaseTypeDefinition(
    code="BILL-DISP", description="Billing dispute",
    person_usage=REQUIRED, account_usage=REQUIRED, premise_usage=OPTIONAL,
    responsible_user_usage=OPTIONAL, contact_info_usage=OPTIONAL, uses_characteristics=True,
    access_roles=frozenset({UserRole.CSR, UserRole.SUPERVISOR, UserRole.RATE_ANALYST}),
    statuses=(
        S("LODGED", "Lodged", 10, True, False,
          script="Ask which bill and which charges are disputed and how much; the disputed "
                 "amount is held from collection while billing reviews it."),
        S("REVIEW", "Under review by billing", 20, False, False, alertable=True,
          script="Billing checks the rate, the reads and the adjustments of the bill."),
        S("ADJUSTED", "Bill adjusted", 30, False, True,
          script="The bill was corrected; the customer gets a letter with the new amount."),
        S("UPHELD", "Bill upheld", 40, False, True,
          script="The bill was right; the customer gets a letter explaining the charges."),
        S("WITHDRAWN", "Withdrawn by the customer", 50, False, True),
    ),
    transitions=(
        T("LODGED", "REVIEW", "Send to billing", 10, is_default=True),
        T("LODGED", "WITHDRAWN", "Withdraw", 20),
        T("REVIEW", "ADJUSTED", "Adjust bill", 10, False, SUPERVISOR),
        T("REVIEW", "UPHELD", "Uphold bill", 20, True),
        T("REVIEW", "WITHDRAWN", "Withdraw", 30),
    ),
    algorithms=(*_todo_on("REVIEW", "TD-DISPUTE"),
                CaseAlgorithmLine("ADJUSTED", ENTER, 10, "CUSTOMER-CONTACT", "LETTER"),
                CaseAlgorithmLine("UPHELD", ENTER, 10, "CUSTOMER-CONTACT", "LETTER")),
    required_chars=(("REVIEW", "DISP-AMT"),),
    allowed_chars=("DISP-AMT",),
)

METER_INV = CaseTypeDefinition(
    code="METER-INV", description="Meter investigation",
    person_usage=REQUIRED, account_usage=OPTIONAL, premise_usage=REQUIRED,
    responsible_user_usage=OPTIONAL, contact_info_usage=OPTIONAL, uses_characteristics=True,
    statuses=(
        S("REPORTED", "Reported", 10, True, False,
          script="Note what the customer sees (meter racing, stopped, display blank) and the "
                 "meter's badge number."),
        S("TESTING", "Meter test in progress", 20, False, False, alertable=True,
          script="The meter shop tests the meter on site or in the shop; reads taken "
                 "meanwhile are estimated."),
        S("CLOSED", "Closed with a test result", 30, False, True,
          script="The customer is told the test result; a faulty meter is exchanged."),
        S("CANCELED", "Canceled", 40, False, True),
    ),
    transitions=(
        T("REPORTED", "TESTING", "Send to meter shop", 10, is_default=True),
        T("REPORTED", "CANCELED", "Cancel", 20),
        T("TESTING", "CLOSED", "Close with result", 10, is_default=True),
    ),
    algorithms=(*_todo_on("TESTING", "TD-METER"),
                CaseAlgorithmLine("CLOSED", ENTER, 10, "CUSTOMER-CONTACT", "METER-TEST")),
    required_chars=(("TESTING", "METER-NO"), ("CLOSED", "TEST-RES")),
    allowed_chars=("METER-NO", "TEST-RES"),
)

PAY_EXT = CaseTypeDefinition(
    code="PAY-EXT", description="Payment extension request",
    person_usage=REQUIRED, account_usage=REQUIRED, premise_usage=NOT_ALLOWED,
    responsible_user_usage=OPTIONAL, contact_info_usage=OPTIONAL, uses_characteristics=True,
    access_roles=frozenset({UserRole.CSR, UserRole.SUPERVISOR}),
    statuses=(
        S("REQUESTED", "Requested", 10, True, False,
          script="Billing decides within two working days; collection waits meanwhile."),
        S("GRANTED", "Extension granted", 20, False, False, alertable=True,
          script="Do not start collection before the extension ends. The case lapses by "
                 "itself after 30 days."),
        S("PAID", "Paid within the extension", 30, False, True),
        S("LAPSED", "Extension lapsed", 40, False, True,
          script="The extension ended unpaid: normal collection applies again."),
        S("DECLINED", "Declined", 50, False, True),
    ),
    transitions=(
        T("REQUESTED", "GRANTED", "Grant", 10, is_default=True),
        T("REQUESTED", "DECLINED", "Decline", 20),
        T("GRANTED", "PAID", "Paid", 10, is_default=True),
        T("GRANTED", "LAPSED", "Lapse now", 20, False, SUPERVISOR),
    ),
    algorithms=(*_todo_on("REQUESTED", "TD-PAYEXT"),
                CaseAlgorithmLine("GRANTED", AUTO, 10, "AUTO-AFTER-DAYS", "30>LAPSED")),
    required_chars=(("GRANTED", "EXT-DAYS"),),
    allowed_chars=("EXT-DAYS",),
)

MOVE_IN = CaseTypeDefinition(
    code="MOVE-IN", description="Move-in problem",
    person_usage=REQUIRED, account_usage=REQUIRED, premise_usage=REQUIRED,
    responsible_user_usage=OPTIONAL, contact_info_usage=OPTIONAL, uses_characteristics=True,
    statuses=(
        S("REPORTED", "Reported", 10, True, False,
          script="Find out what is wrong at the new home (no power, gas off, wrong opening "
                 "read, billed for the previous occupant)."),
        S("FIXING", "Being fixed", 20, False, False, alertable=True,
          script="Field service works the To Do; the case resolves itself once it is "
                 "complete."),
        S("RESOLVED", "Resolved", 30, False, True),
        S("CANCELED", "Canceled", 40, False, True),
    ),
    transitions=(
        T("REPORTED", "FIXING", "Send to field service", 10, is_default=True),
        T("REPORTED", "CANCELED", "Cancel", 20),
        T("FIXING", "RESOLVED", "Resolve", 10),
    ),
    algorithms=(*_todo_on("FIXING", "TD-MOVEIN"),
                CaseAlgorithmLine("FIXING", AUTO, 10, "AUTO-WHEN-TODOS-DONE", "RESOLVED")),
    required_chars=(("FIXING", "MOVE-ISS"),),
    allowed_chars=("MOVE-ISS",),
)

#: The demo's case types, in the order they are installed.
DEMO_CASE_TYPES: tuple[CaseTypeDefinition, ...] = (
    HIGH_BILL, LIT_REQ, BILL_DISP, METER_INV, PAY_EXT, MOVE_IN)


# ------------------------------------------------------------------------------ installing


@dataclass
class CaseConfiguration:
    """What `install_case_configuration` added (codes; what existed already is left out)."""

    char_types: list[str] = field(default_factory=list)
    work_groups: list[str] = field(default_factory=list)
    todo_types: list[str] = field(default_factory=list)
    case_types: list[str] = field(default_factory=list)
    members: list[tuple[str, str]] = field(default_factory=list)   # (work group, username)


def _add_char_types(db: Database, actor: Actor, made: CaseConfiguration) -> None:
    """The characteristic types cases carry. `characteristics.define_characteristic_type`
    insists on a holder (premise, account…) and a case is none of them, so these rows are
    written here, in one audited transaction, with every holder flag off."""
    with transaction(db, actor) as session:
        known = set(session.scalars(select(CharacteristicType.code).where(
            CharacteristicType.code.in_([c.code for c in DEMO_CHAR_TYPES]))))
        for char in DEMO_CHAR_TYPES:
            if char.code in known:
                continue
            session.add(CharacteristicType(code=char.code, description=char.description,
                                           value_kind=char.kind))
            session.flush()
            session.add_all(CharacteristicAllowedValue(characteristic_type_code=char.code,
                                                       value=value, description=text)
                            for value, text in char.values)
            made.char_types.append(char.code)


def add_demo_members(db: Database, actor: Actor) -> list[tuple[str, str]]:
    """Make the database's active users members of the demo work groups by their roles
    (supervisors and administrators supervise every group); returns the (group, username)
    pairs added. The demo utility itself has no users (the first person to open a new local
    database becomes its administrator), so this runs again whenever users are there."""
    groups = {g.code: g for g in todos.work_groups(db)}
    added: list[tuple[str, str]] = []
    for user in users.list_users(db):
        if not user.is_active:
            continue
        roles = set(user.roles)
        leads = bool(roles & {UserRole.SUPERVISOR, UserRole.ADMIN})
        for wanted in DEMO_WORK_GROUPS:
            group = groups.get(wanted.code)
            if group is None or any(m.username == user.username for m in group.members):
                continue
            if leads:
                todos.add_member(db, actor, wanted.code, user.username,
                                 WorkGroupRole.SUPERVISOR)
            elif roles & set(wanted.member_roles):
                todos.add_member(db, actor, wanted.code, user.username, WorkGroupRole.MEMBER)
            else:
                continue
            added.append((wanted.code, user.username))
    return added


def install_case_configuration(db: Database, actor: Actor) -> CaseConfiguration:
    """Set up the demo's case configuration through the administrator's services: the
    characteristic types, work groups (with the database's users as members), To Do types
    and case types. What exists already (by code) is left as it is."""
    made = CaseConfiguration()
    _add_char_types(db, actor, made)
    groups = {g.code for g in todos.work_groups(db)}
    for group in DEMO_WORK_GROUPS:
        if group.code not in groups:
            made.work_groups.append(todos.create_work_group(db, actor, group.code,
                                                            group.description))
    types = {t.code for t in todos.todo_types(db)}
    for todo_type in DEMO_TODO_TYPES:
        if todo_type.code not in types:
            made.todo_types.append(todos.create_todo_type(
                db, actor, todo_type.code, todo_type.description, todo_type.work_group,
                todo_type.priority))
    existing = {row.code for row in case_types.case_type_list(db, actor)}
    for definition in DEMO_CASE_TYPES:
        if definition.code not in existing:
            made.case_types.append(case_types.save_case_type(db, actor, definition, None))
    made.members = add_demo_members(db, actor)
    return made


# ------------------------------------------------------------------------------ demo cases


@dataclass(frozen=True)
class Step:
    """One thing done to a demo case after it is opened: a transition (`to`, with the
    characteristics its pop-up asks for), a note on its log, or work on its open To Do
    ("take", "complete"; a database without users takes the `otherwise` transition instead
    of completing)."""

    to: str | None = None
    chars: tuple[tuple[str, str], ...] = ()
    note: str | None = None
    todo: str | None = None
    otherwise: str | None = None


@dataclass(frozen=True)
class Story:
    """A demo case: its type, what the CSR wrote when opening it, its characteristics then,
    how the customer wants to hear back, what happened next and the status it ends in."""

    case_type: str
    ends_in: str
    comments: str
    chars: tuple[tuple[str, str], ...] = ()
    contact: ContactMethod | None = None
    instructions: str = ""
    steps: tuple[Step, ...] = ()
    #: The showcase account's case (Control Central's alert shows it).
    showcase: bool = False


def _to(status: str, *chars: tuple[str, str]) -> Step:
    return Step(to=status, chars=tuple(chars))


def _note(text: str) -> Step:
    return Step(note=text)


PHONE, EMAIL, POSTAL = ContactMethod.PHONE, ContactMethod.EMAIL, ContactMethod.POSTAL

#: The demo's cases: every status of every demo case type at least once.
STORIES: tuple[Story, ...] = (
    # HIGH-BILL
    Story("HIGH-BILL", INVESTIGATING,
          "Says the last bill is twice the usual. No new appliances; the house was empty for "
          "two weeks of the period.", (("DISP-AMT", "212.40"),), PHONE,
          "Call back after 5 pm on weekdays.",
          (_note("Customer read the meter herself today: 48213. The last actual read was "
                 "47650 six weeks ago."),
           _to(INVESTIGATING, ("READ-CHK", "Y")),
           _note("Read history looks normal until this period; asked billing to check the "
                 "estimate.")), showcase=True),
    Story("HIGH-BILL", "LODGED",
          "The bill went up after the meter exchange; asks us to check the new meter's "
          "first read.", (("DISP-AMT", "96.10"),), EMAIL),
    Story("HIGH-BILL", "ESCALATED",
          "Disputes an estimated bill: access to the meter was possible all month.",
          (("DISP-AMT", "341.75"),), PHONE, "Prefers the mobile number.",
          (_to(INVESTIGATING, ("READ-CHK", "N")),
           _note("Billing found the read estimated twice in a row; re-estimate still "
                 "disputed by the customer."),
           Step(todo="take"),
           _to("ESCALATED"),
           _note("Customer asked for a supervisor; wants a goodwill credit for the "
                 "estimates."))),
    Story("HIGH-BILL", "RESOLVED",
          "Bill three times higher than last month.", (("DISP-AMT", "488.00"),), PHONE, "",
          (_to(INVESTIGATING, ("READ-CHK", "N")),
           _note("The read was keyed as 57213 instead of 47213; corrected and rebilled."),
           _to("RESOLVED"))),
    Story("HIGH-BILL", "REJECTED",
          "Thinks the winter bill is too high.", (("DISP-AMT", "150.00"),), POSTAL, "",
          (_to(INVESTIGATING, ("READ-CHK", "Y")),
           _note("Consumption matches last winter within 4%; a space heater is in use. "
                 "Offered budget billing."),
           _to("REJECTED"))),
    Story("HIGH-BILL", "REJECTED",
          "High bill: asks for a meter check.", (), PHONE, "",
          (_note("Customer called back: the pool heater had been left on. No further "
                 "action."), _to("REJECTED"))),
    Story("HIGH-BILL", INVESTIGATING,
          "Bill doubled since the tenant moved in upstairs; suspects the meters are "
          "crossed.", (("DISP-AMT", "205.90"),), PHONE, "",
          (_to(INVESTIGATING, ("READ-CHK", "Y")), _to("ESCALATED"),
           _note("Supervisor: check the meter numbers on site before any credit."),
           _to(INVESTIGATING))),
    # LIT-REQ
    Story("LIT-REQ", "REQUESTED", "Wants the energy-saving guide for a new home.",
          (("LIT-TYPE", "SAVING"),), EMAIL),
    Story("LIT-REQ", "SENT", "Asked how budget billing works; brochure posted the same day.",
          (("LIT-TYPE", "BUDGET"), ("SENT-DT", "today")), POSTAL),
    Story("LIT-REQ", "WITHDRAWN", "Wants the solar interconnection guide.",
          (("LIT-TYPE", "SOLAR"),), EMAIL, "",
          (_note("Customer found the guide on the website."), _to("WITHDRAWN"))),
    # BILL-DISP
    Story("BILL-DISP", "LODGED",
          "Disputes the late-payment charge: paid at the bank on the due date.", (), PHONE),
    Story("BILL-DISP", "REVIEW",
          "Charged the commercial rate on a residential service.", (), EMAIL, "",
          (_to("REVIEW", ("DISP-AMT", "64.18")), Step(todo="take"))),
    Story("BILL-DISP", "ADJUSTED",
          "Billed for 62 days instead of 31 after the account transfer.", (), POSTAL, "",
          (_to("REVIEW", ("DISP-AMT", "96.30")),
           Step(todo="take"),
           _note("Billing: the period overlapped the previous account's final bill."),
           _to("ADJUSTED"))),
    Story("BILL-DISP", "UPHELD",
          "Questions the new customer charge on the bill.", (), PHONE, "",
          (_to("REVIEW", ("DISP-AMT", "140.00")),
           _note("The charge is the approved rate change of this year; explained."),
           _to("UPHELD"))),
    Story("BILL-DISP", "WITHDRAWN", "Disputes a reconnection fee.", (), PHONE, "",
          (_note("Customer found the disconnection notice; withdraws the dispute."),
           _to("WITHDRAWN"))),
    # METER-INV
    Story("METER-INV", "REPORTED", "Meter display blank since Monday.", (), PHONE),
    Story("METER-INV", "TESTING", "Meter seems to race when nothing is switched on.", (),
          PHONE, "Dog in the yard: call before visiting.",
          (_to("TESTING", ("METER-NO", "badge")), Step(todo="take"))),
    Story("METER-INV", "CLOSED", "Consumption doubled with no change in use.", (), POSTAL, "",
          (_to("TESTING", ("METER-NO", "badge")),
           Step(todo="take"),
           _note("Meter shop: the meter runs 3.2% fast; exchanged, the customer is credited."),
           _to("CLOSED", ("TEST-RES", "FAST")))),
    Story("METER-INV", "CANCELED", "Asks for a meter test.", (), PHONE, "",
          (_note("Customer's own check showed a heater on a timer; canceled."),
           _to("CANCELED"))),
    # PAY-EXT
    Story("PAY-EXT", "REQUESTED", "Asks for three more weeks: pay day moved.", (), PHONE),
    Story("PAY-EXT", "GRANTED", "Asks to pay at the end of the month after a hospital stay.",
          (), PHONE, "",
          (Step(todo="take"), _to("GRANTED", ("EXT-DAYS", "21")))),
    Story("PAY-EXT", "PAID", "Short of money this month; asks for two weeks.", (), EMAIL, "",
          (_to("GRANTED", ("EXT-DAYS", "14")),
           _note("Payment received at the bank within the extension."), _to("PAID"))),
    Story("PAY-EXT", "LAPSED", "Asks for a month to pay the winter bill.", (), PHONE, "",
          (_to("GRANTED", ("EXT-DAYS", "30")),
           _note("No payment by the extended date; collection resumes."), _to("LAPSED"))),
    Story("PAY-EXT", "DECLINED", "Asks for another extension.", (), PHONE, "",
          (_note("Two extensions already this year; offered a payment arrangement instead."),
           _to("DECLINED"))),
    # MOVE-IN
    Story("MOVE-IN", "REPORTED", "The opening read on the first bill is too high.",
          (("MOVE-ISS", "WRONG-RD"),), PHONE),
    Story("MOVE-IN", "FIXING", "No power at the new home since the move-in yesterday.",
          (("MOVE-ISS", "NO-POWER"),), PHONE, "Customer is at the premise all day.",
          (_to("FIXING"), Step(todo="take"))),
    Story("MOVE-IN", "RESOLVED", "Gas was not relit at move-in.", (("MOVE-ISS", "NO-GAS"),),
          PHONE, "",
          (_to("FIXING"), _note("Field service booked for the morning."),
           Step(todo="complete", otherwise="RESOLVED"))),
    Story("MOVE-IN", "CANCELED", "Billed for the previous occupant's last month.",
          (("MOVE-ISS", "PREV-DEBT"),), EMAIL, "",
          (_note("The charge was already moved to the previous occupant's final bill."),
           _to("CANCELED"))),
)


@dataclass
class DemoCases:
    """What `create_demo_cases` made: case numbers with their type and status."""

    cases: list[tuple[str, str, str]] = field(default_factory=list)   # (number, type, status)
    #: The showcase account's open HIGH-BILL case, if it got one.
    showcase_case: str | None = None
    skipped: int = 0

    @property
    def statuses(self) -> set[tuple[str, str]]:
        return {(case_type, status) for _n, case_type, status in self.cases}


def _demo_accounts(db: Database, count: int) -> list[str]:
    """The showcase account first, then active accounts with bills and a premise of other
    customers (a case's person is the customer: the showcase's other accounts would show
    their cases' alerts on the showcase account too)."""
    first = showcase_account(db)
    with db.engine.connect() as conn:
        others = [str(n) for n in conn.execute(text(
            "SELECT a.number FROM account a WHERE a.status = 'ACTIVE' "
            "AND EXISTS (SELECT 1 FROM bill b WHERE b.account_id = a.id) "
            "AND EXISTS (SELECT 1 FROM service_agreement sa "
            "JOIN sa_service_point l ON l.service_agreement_id = sa.id "
            "WHERE sa.account_id = a.id AND sa.status = 'ACTIVE') "
            "AND a.customer_id NOT IN (SELECT s.customer_id FROM account s "
            "WHERE s.number = :first) "
            "ORDER BY a.id LIMIT :n"), {"n": count, "first": first or ""}).scalars()]
    return ([first] if first else []) + others


def _meter_badge(db: Database, premise_number: str | None) -> str:
    """A meter installed at the premise (for METER-NO), else "unknown"."""
    with db.engine.connect() as conn:
        badge = conn.execute(text(
            "SELECT m.badge_number FROM meter m "
            "JOIN device_installation d ON d.meter_id = m.id AND d.removed_on IS NULL "
            "JOIN service_point sp ON sp.id = d.service_point_id "
            "JOIN premise p ON p.id = sp.premise_id WHERE p.number = :p "
            "ORDER BY m.id LIMIT 1"), {"p": premise_number or ""}).scalar()
    return str(badge) if badge else "unknown"


@dataclass(frozen=True)
class _Workers:
    """The database's active users as actors (none in a fresh demo), for responsible users
    and To Do work."""

    actors: tuple[Actor, ...]

    @classmethod
    def load(cls, db: Database) -> _Workers:
        return cls(tuple(Actor(u.username, u.display_name, frozenset(u.roles))
                         for u in users.list_users(db) if u.is_active))

    def responsible(self, n: int) -> str | None:
        return self.actors[n % len(self.actors)].username if self.actors else None

    def for_group(self, db: Database, group: str) -> Actor | None:
        members = next((g.members for g in todos.work_groups(db) if g.code == group), ())
        names = {m.username for m in members}
        return next((a for a in self.actors if a.username in names
                     or a.has_any(UserRole.SUPERVISOR)), None)


def _chars(db: Database, pairs: tuple[tuple[str, str], ...],
           premise: str | None) -> tuple[tuple[str, str], ...]:
    """The story's characteristics with its placeholders filled: "today" (SENT-DT) and
    "badge" (the premise's meter)."""
    out = []
    for code, value in pairs:
        if value == "today":
            value = today().isoformat()
        elif value == "badge":
            value = _meter_badge(db, premise)
        out.append((code, value))
    return tuple(out)


def _work_todo(db: Database, actor: Actor, number: str, step: Step,
               workers: _Workers) -> bool:
    """Take or complete the case's unfinished To Do as a member of its group; False when
    there is none or nobody to do it."""
    del actor
    with read_only(db) as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
    rows = [r for r in todos.todos_of_case(db, case_id or 0)
            if r.status is not TodoStatus.COMPLETE]
    if not rows:
        return False
    row = rows[0]
    worker = workers.for_group(db, row.work_group)
    if worker is None:
        return False
    version = row.version
    if step.todo == "take" or row.status is TodoStatus.OPEN:
        version = todos.take_todo(db, worker, row.id, version).version
    if step.todo == "complete":
        todos.complete_todo(db, worker, row.id, version, "Done on site.")
    return True


def _open_story(db: Database, actor: Actor, story: Story, account: str,
                responsible: str | None) -> str:
    defaults = cases.new_case_defaults(db, actor, story.case_type, account)
    kind = next(d for d in DEMO_CASE_TYPES if d.code == story.case_type)
    contact = kind.contact_info_usage is not CaseUsage.NOT_ALLOWED
    new = replace(
        defaults, comments=story.comments,
        characteristics=_chars(db, story.chars, defaults.premise_number),
        preferred_contact_method=story.contact if contact else None,
        contact_instructions=story.instructions if contact else "",
        responsible_username=responsible
        if kind.responsible_user_usage is not CaseUsage.NOT_ALLOWED else None)
    return cases.create_case(db, actor, new).number


def _play(db: Database, actor: Actor, number: str, story: Story, workers: _Workers) -> str:
    """Take the story's steps on the case; returns its status after them."""
    premise = None
    for step in story.steps:
        detail = cases.load_case(db, actor, number)
        premise = detail.premise.number if detail.premise else None
        if step.note:
            cases.add_log_entry(db, actor, number, step.note)
        elif step.todo:
            if not _work_todo(db, actor, number, step, workers) and step.otherwise:
                cases.transition_case(db, actor, number, step.otherwise, detail.version)
        elif step.to:
            cases.transition_case(db, actor, number, step.to, detail.version,
                                  _chars(db, step.chars, premise))
    return cases.load_case(db, actor, number).status


def create_demo_cases(db: Database, actor: Actor = SYSTEM) -> DemoCases:
    """Open the demo's cases (`STORIES`) across demo accounts through the case services —
    the showcase account gets the open HIGH-BILL case in INVESTIGATING — and move each on
    as its story says, so their logs, To Dos and customer contacts are the real ones. A
    story an account cannot take (no premise for a case that needs one) moves on to the next
    account; one no account can take is skipped."""
    made = DemoCases()
    accounts = _demo_accounts(db, len(STORIES))
    if not accounts:
        return made
    workers = _Workers.load(db)
    others = accounts[1:] or accounts
    turn = 0
    for n, story in enumerate(STORIES):
        tries = [accounts[0]] if story.showcase else \
            [others[(turn + k) % len(others)] for k in range(min(3, len(others)))]
        turn += 0 if story.showcase else 1
        for account in tries:
            try:
                number = _open_story(db, actor, story, account, workers.responsible(n))
            except DomainError:
                continue
            status = _play(db, actor, number, story, workers)
            made.cases.append((number, story.case_type, status))
            if story.showcase:
                made.showcase_case = number
            break
        else:
            made.skipped += 1
    return made


def add_demo_cases(db: Database, as_of: dt.date | None = None) -> DemoCases:
    """The demo build's step: the case configuration and the demo cases (nothing when the
    database has case types already). `as_of` is the demo's month; cases are opened on the
    business clock's today, as a CSR opening them now would."""
    del as_of
    with read_only(db) as session:
        if session.scalar(select(CaseType.code).limit(1)) is not None:
            return DemoCases()
    install_case_configuration(db, SYSTEM)
    return create_demo_cases(db, SYSTEM)


__all__ = [
    "DEMO_CASE_TYPES", "DEMO_CHAR_TYPES", "DEMO_TODO_TYPES", "DEMO_WORK_GROUPS", "STORIES",
    "CaseConfiguration", "DemoCases", "DemoCharType", "DemoTodoType",
    "DemoWorkGroup", "Step", "Story", "add_demo_cases", "add_demo_members",
    "create_demo_cases", "install_case_configuration",
]
