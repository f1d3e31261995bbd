"""Control Central's alerts (spec/60 §A10): an installation-level collection of alert algorithms.

Each algorithm gets the facts the 360° view has already loaded (`AlertFacts`) and returns zero or
more `Alert`s; later features add theirs with `register_alert`:

    def open_cases(facts: AlertFacts) -> list[Alert]:
        n = facts.session.scalar(...)             # bounded, index-driven
        return [Alert("AL-CASE", "medium", f"{n} open cases")] if n else []

    register_alert("AL-CASE", open_cases)

The built-in algorithms below run no query of their own: they read the facts, two of which are
loaded here (`load_recent_bills`, `load_medical`: one bounded query each). The view shows the
alerts high severity first, then medium, then info, in registration order within a severity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, or_, select, union_all
from sqlalchemy.orm import Session

from app.models import Bill, CharacteristicType, CharacteristicValue
from app.models.enums import BillStatus, SAStatus

#: The severities, most urgent first.
SEVERITIES = ("high", "medium", "info")

#: Agreement statuses that mean "the account is (or is about to be) supplied".
CURRENT_STATUSES = (SAStatus.PENDING_START, SAStatus.ACTIVE, SAStatus.PENDING_STOP)

#: How many agreements an alert names before it says "and n more".
NAMED_IN_ALERT = 3
#: Bills read (newest first) to find the bills not yet due and the oldest unpaid one.
RECENT_BILLS = 60
#: Characteristic types that raise AL-LIFESUPP: LIFESUPP = "Y", and any type whose code starts
#: with MED and whose value is not a "no".
LIFE_SUPPORT_TYPE = "LIFESUPP"
MEDICAL_PREFIX = "MED"
_NO_VALUES = frozenset({"", "N", "NO", "0", "FALSE"})


@dataclass(frozen=True)
class Alert:
    code: str          # "AL-DEBT", "AL-PENDING-START", "AL-LIFESUPP", "AL-CALLER"…
    severity: str      # "high" | "medium" | "info"
    text: str
    #: What a click opens: (record kind, number), e.g. ("Premise", "3000000013"); None for none.
    drill: tuple[str, str] | None = None


@dataclass(frozen=True)
class BillFact:
    bill_date: dt.date
    due_date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class AgreementFact:
    number: str
    sa_type: str
    service_type: str            # label, e.g. "Electric"
    status: SAStatus
    start_date: dt.date
    end_date: dt.date | None


@dataclass(frozen=True)
class PremiseFact:
    number: str
    address: str
    parent_number: str           # "" when no parent
    parent_address: str
    landlord: str                # landlord agreement description, "" when none
    child_count: int


@dataclass(frozen=True)
class CharacteristicFact:
    """A characteristic in effect today on the account, one of its agreements or premises."""

    type_code: str
    description: str
    value: str
    where: str                   # "the account", "agreement 5000000012", "premise 12 Elm St"
    drill: tuple[str, str]


@dataclass(frozen=True)
class CallerFact:
    label: str                   # the party's name, or the subscriber's e-mail
    has_authority: bool
    is_subscriber: bool = False


@dataclass(frozen=True)
class AlertFacts:
    """What the 360° view loaded, for the alert algorithms (and the session for later ones)."""

    session: Session
    account_id: int
    account_number: str
    customer_number: str
    today: dt.date
    currency: str
    balance: Decimal
    #: The account's most recent complete bills, newest first (bounded).
    recent_bills: tuple[BillFact, ...]
    #: The account's agreements (not canceled), current first, then most recent (bounded).
    agreements: tuple[AgreementFact, ...]
    premises: tuple[PremiseFact, ...]
    #: LIFESUPP and MED* characteristics in effect today.
    medical: tuple[CharacteristicFact, ...]
    open_accounts: int
    subscribers: int
    #: None when no caller was chosen.
    caller: CallerFact | None = None


AlertAlgorithm = Callable[[AlertFacts], Iterable[Alert]]

_ALGORITHMS: dict[str, AlertAlgorithm] = {}


def register_alert(code: str, algorithm: AlertAlgorithm) -> None:
    """Add (or replace) the alert algorithm registered under *code*."""
    _ALGORITHMS[code] = algorithm


def unregister_alert(code: str) -> None:
    _ALGORITHMS.pop(code, None)


def registered_alerts() -> tuple[str, ...]:
    return tuple(_ALGORITHMS)


def collect_alerts(facts: AlertFacts) -> tuple[Alert, ...]:
    """Every registered algorithm's alerts, high severity first (stable within a severity)."""
    found: list[Alert] = []
    for algorithm in list(_ALGORITHMS.values()):
        found.extend(algorithm(facts))
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return tuple(sorted(found, key=lambda a: rank.get(a.severity, len(SEVERITIES))))


def load_recent_bills(session: Session, account_id: int) -> tuple[BillFact, ...]:
    """The account's latest complete bills, newest first, from the (account_id, bill_date)
    index."""
    rows = session.execute(
        select(Bill.bill_date, Bill.due_date, Bill.amount)
        .where(Bill.account_id == account_id, Bill.status == BillStatus.COMPLETE)
        .order_by(Bill.bill_date.desc(), Bill.id.desc())
        .limit(RECENT_BILLS)
    )
    return tuple(
        BillFact(d, due, Decimal(str(amount)).quantize(Decimal("0.01"))) for d, due, amount in rows
    )


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load_medical(session: Session, on: dt.date, account: tuple[int, str],
                 agreements: dict[int, str],
                 premises: dict[int, tuple[str, str]]) -> tuple[CharacteristicFact, ...]:
    """LIFESUPP = "Y" and MED* characteristics in effect on *on* on the account (id, number),
    the agreements (id -> number) and the premises (id -> (number, address)): one UNION over
    the three owner indexes of characteristic_value; the latest value of each type wins."""
    wanted = or_(CharacteristicValue.characteristic_type_code == LIFE_SUPPORT_TYPE,
                 CharacteristicValue.characteristic_type_code.like(MEDICAL_PREFIX + "%"))

    def values(owner: ColumnElement[bool]) -> Any:
        return (
            select(CharacteristicValue.id, CharacteristicValue.characteristic_type_code,
                   CharacteristicType.description, CharacteristicValue.value,
                   CharacteristicValue.effective_from, CharacteristicValue.account_id,
                   CharacteristicValue.service_agreement_id, CharacteristicValue.premise_id)
            .join(CharacteristicType,
                  CharacteristicType.code == CharacteristicValue.characteristic_type_code)
            .where(owner, wanted, CharacteristicValue.effective_from <= on)
        )

    parts = [values(CharacteristicValue.account_id == account[0])]
    if agreements:
        parts.append(values(CharacteristicValue.service_agreement_id.in_(list(agreements))))
    if premises:
        parts.append(values(CharacteristicValue.premise_id.in_(list(premises))))
    latest: dict[tuple[str, int, str], tuple[dt.date, int, str, str]] = {}
    for cid, code, description, value, start, acct, sa, premise in session.execute(
        union_all(*parts)
    ):
        owner = ("A", acct) if acct is not None else ("S", sa) if sa is not None else ("P", premise)
        key = (owner[0], owner[1], code)
        if key not in latest or (_as_date(start), cid) > latest[key][:2]:
            latest[key] = (_as_date(start), cid, description, value)
    facts = []
    for (kind, owner_id, code), (_start, _cid, description, value) in sorted(latest.items()):
        text = (value or "").strip().upper()
        if not (text == "Y" if code == LIFE_SUPPORT_TYPE else text not in _NO_VALUES):
            continue
        if kind == "A":
            where, drill = "the account", ("Account", account[1])
        elif kind == "S":
            where = f"agreement {agreements[owner_id]}"
            drill = ("Service agreement", agreements[owner_id])
        else:
            where, drill = f"premise {premises[owner_id][1]}", ("Premise", premises[owner_id][0])
        facts.append(CharacteristicFact(code, description, value, where, drill))
    return tuple(facts)


def money_text(amount: Decimal, currency: str) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,.2f} {currency}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --------------------------------------------------------------------------- built-in alerts


def overdue_debt(facts: AlertFacts) -> list[Alert]:
    """AL-DEBT: a positive balance part of which is past due.

    Overdue = balance − Σ bills not yet due (due today or later). Payments settle the oldest
    bills first, so the oldest unpaid bill is the one where the newest bills, added up, first
    cover the balance (the oldest bill loaded when they never do)."""
    if facts.balance <= 0:
        return []
    not_yet_due = sum(
        (b.amount for b in facts.recent_bills if b.due_date >= facts.today), Decimal("0.00")
    )
    overdue = facts.balance - not_yet_due
    if overdue <= 0:
        return []
    oldest: BillFact | None = None
    covered = Decimal("0.00")
    for bill in facts.recent_bills:
        oldest = bill
        covered += bill.amount
        if covered >= facts.balance:
            break
    text = f"Debt overdue: {money_text(overdue, facts.currency)}"
    if oldest is not None:
        text += f" (oldest unpaid bill due {oldest.due_date.isoformat()})"
    return [Alert("AL-DEBT", "high", text, ("Account", facts.account_number))]


def _agreement_list(found: list[AgreementFact], date_of: Callable[[AgreementFact], dt.date | None],
                    verb: str) -> str:
    named = [
        f"{sa.service_type.lower()} agreement {sa.number} {verb} "
        f"{(date_of(sa) or sa.start_date).isoformat()}"
        for sa in found[:NAMED_IN_ALERT]
    ]
    more = len(found) - NAMED_IN_ALERT
    return "; ".join(named) + (f"; and {more} more" if more > 0 else "")


def pending_start(facts: AlertFacts) -> list[Alert]:
    """AL-PENDING-START: agreements waiting to start, with their start dates."""
    found = sorted(
        (sa for sa in facts.agreements if sa.status is SAStatus.PENDING_START),
        key=lambda sa: (sa.start_date, sa.number),
    )
    if not found:
        return []
    text = "Pending start: " + _agreement_list(found, lambda sa: sa.start_date, "starts")
    return [Alert("AL-PENDING-START", "medium", text, ("Service agreement", found[0].number))]


def pending_stop(facts: AlertFacts) -> list[Alert]:
    """AL-PENDING-STOP: agreements about to stop, with their stop dates."""
    found = sorted(
        (sa for sa in facts.agreements if sa.status is SAStatus.PENDING_STOP),
        key=lambda sa: (sa.end_date or sa.start_date, sa.number),
    )
    if not found:
        return []
    text = "Pending stop: " + _agreement_list(found, lambda sa: sa.end_date, "stops")
    return [Alert("AL-PENDING-STOP", "medium", text, ("Service agreement", found[0].number))]


def no_service(facts: AlertFacts) -> list[Alert]:
    """AL-NO-SERVICE: no agreement active, pending stop or pending start."""
    if any(sa.status in CURRENT_STATUSES for sa in facts.agreements):
        return []
    return [Alert("AL-NO-SERVICE", "medium",
                  "No service: the account has no active, pending-start or pending-stop "
                  "agreement.")]


def multiple_accounts(facts: AlertFacts) -> list[Alert]:
    """AL-MULTI-ACCOUNT: the customer has more than one open account."""
    if facts.open_accounts < 2:
        return []
    return [Alert("AL-MULTI-ACCOUNT", "info",
                  f"Customer has {facts.open_accounts} open accounts",
                  ("Customer", facts.customer_number))]


def life_support(facts: AlertFacts) -> list[Alert]:
    """AL-LIFESUPP: life-support or medical equipment (LIFESUPP = Y, or any MED* type)."""
    by_type: dict[str, list[CharacteristicFact]] = {}
    for fact in facts.medical:
        by_type.setdefault(fact.type_code, []).append(fact)
    alerts = []
    for code, found in by_type.items():
        where = ", ".join(f.where for f in found[:NAMED_IN_ALERT])
        if len(found) > NAMED_IN_ALERT:
            where += f" and {len(found) - NAMED_IN_ALERT} more"
        label = "Life support" if code == "LIFESUPP" else "Medical"
        alerts.append(Alert("AL-LIFESUPP", "high",
                            f"{label}: {found[0].description} (on {where})", found[0].drill))
    return alerts


def premise_parent(facts: AlertFacts) -> list[Alert]:
    """AL-PREM-PARENT: a premise of the account has child premises (direct children)."""
    return [
        Alert("AL-PREM-PARENT", "info",
              f"Parent premise: {_plural(p.child_count, 'child premise')}", ("Premise", p.number))
        for p in facts.premises
        if p.child_count > 0
    ]


def premise_child(facts: AlertFacts) -> list[Alert]:
    """AL-PREM-CHILD: a premise of the account is linked to a parent premise."""
    seen: set[str] = set()
    alerts = []
    for p in facts.premises:
        if p.parent_number and p.parent_number not in seen:
            seen.add(p.parent_number)
            alerts.append(Alert("AL-PREM-CHILD", "info",
                                f"Linked to parent premise {p.parent_address}",
                                ("Premise", p.parent_number)))
    return alerts


def landlord(facts: AlertFacts) -> list[Alert]:
    """AL-LANDLORD: a premise of the account is under a landlord agreement."""
    seen: set[str] = set()
    alerts = []
    for p in facts.premises:
        if p.landlord and p.landlord not in seen:
            seen.add(p.landlord)
            alerts.append(Alert("AL-LANDLORD", "info", f"Landlord agreement: {p.landlord}",
                                ("Premise", p.number)))
    return alerts


def caller_without_authority(facts: AlertFacts) -> list[Alert]:
    """AL-CALLER: the chosen caller is neither owner nor administrator today (R-A8, R-A9)."""
    caller = facts.caller
    if caller is None or caller.has_authority:
        return []
    what = "a subscriber, not owner/administrator" if caller.is_subscriber \
        else "not owner/administrator"
    return [Alert("AL-CALLER", "high",
                  f"Caller {caller.label} is {what}: actions need an override reason")]


def subscribers(facts: AlertFacts) -> list[Alert]:
    """AL-SUBSCRIBERS: e-mail subscribers receive copies (and have no authority)."""
    if facts.subscribers == 0:
        return []
    return [Alert("AL-SUBSCRIBERS", "info",
                  f"{_plural(facts.subscribers, 'subscriber')} "
                  f"{'receives' if facts.subscribers == 1 else 'receive'} copies of "
                  "correspondence (no authority)")]


for _code, _algorithm in (
    ("AL-CALLER", caller_without_authority),
    ("AL-LIFESUPP", life_support),
    ("AL-DEBT", overdue_debt),
    ("AL-PENDING-STOP", pending_stop),
    ("AL-PENDING-START", pending_start),
    ("AL-NO-SERVICE", no_service),
    ("AL-PREM-PARENT", premise_parent),
    ("AL-PREM-CHILD", premise_child),
    ("AL-LANDLORD", landlord),
    ("AL-MULTI-ACCOUNT", multiple_accounts),
    ("AL-SUBSCRIBERS", subscribers),
):
    register_alert(_code, _algorithm)
