"""One record described for display: an account, party, customer, premise, service point or
service agreement, as facts and tables. The search results open these; Control Central will
grow from them. Built from the other services' DTOs, so every rule lives in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from app.db import Database
from app.models import (
    Account,
    Customer,
    Party,
    Premise,
    ServiceAgreement,
    ServiceAgreementServicePoint,
    ServicePoint,
)
from app.models.enums import RoleTarget
from app.services import accounts, financials, parties, premises, roles, service_agreements
from app.services import service_points as sps
from app.services.common import get_by_number
from app.services.context import read_only, today
from app.services.errors import NotFound
from app.services.roles import RoleView

RECENT_FINANCIAL_ENTRIES = 12
MAX_CHILD_ROWS = 50

#: Kinds a record can be opened for (the same words the search results use).
KINDS = (
    "Person",
    "Organisation",
    "Customer",
    "Account",
    "Premise",
    "Service point",
    "Service agreement",
)


@dataclass(frozen=True)
class RecordSection:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: The kind of record the first column's number opens, if any.
    link_kind: str | None = None
    empty_text: str = "None."


@dataclass(frozen=True)
class RecordView:
    kind: str
    number: str
    title: str
    facts: tuple[tuple[str, str], ...]
    sections: tuple[RecordSection, ...]


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _money(amount: Decimal, currency: str = "USD") -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,.2f} {currency}"


def _roles_section(title: str, found: list[RoleView], by_party: bool) -> RecordSection:
    on = today()
    rows = tuple(
        ((r.party_number, r.party_name) if by_party else (r.target_number, r.target.label))
        + (
            r.role_type.label,
            _date(r.effective_from),
            _date(r.effective_to),
            "current"
            if r.is_open_on(on)
            else "ended"
            if r.effective_to and r.effective_to < on
            else "future",
        )
        for r in found
    )
    columns = (("Party", "Name") if by_party else ("Number", "Held on")) + (
        "Role",
        "From",
        "To",
        "Now",
    )
    return RecordSection(title, columns, rows, "Party" if by_party else None)


def describe(db: Database, kind: str, number: str) -> RecordView:
    if kind in ("Person", "Organisation"):
        return _party(db, number)
    handlers = {
        "Customer": _customer,
        "Account": _account,
        "Premise": _premise,
        "Service point": _service_point,
        "Service agreement": _service_agreement,
    }
    if kind not in handlers:
        raise NotFound(f"Switchboard cannot show a '{kind}' record.")
    return handlers[kind](db, number)


def _party(db: Database, number: str) -> RecordView:
    party = parties.get_party(db, number)
    kind = party.kind.label if party.kind.value == "PERSON" else "Organisation"
    facts = [("Status", party.status.label)]
    if party.date_of_birth:
        facts.append(("Date of birth", party.date_of_birth.isoformat()))
    facts.append(("Mailing address", party.mailing_address or "—"))
    for contact in party.contacts:
        facts.append(
            (contact.kind.label + (" (primary)" if contact.is_primary else ""), contact.value)
        )
    held = roles.roles_of_party(db, number)
    with read_only(db) as session:
        row = session.scalar(
            select(Customer.number)
            .join(Party, Customer.legal_party_id == Party.id)
            .where(Party.number == party.number)
        )
    if row:
        facts.append(("Customer", row))
    return RecordView(
        kind,
        party.number,
        party.display_name,
        tuple(facts),
        (
            _roles_section("Roles (every account, premise and agreement)", held, by_party=False),
            RecordSection(
                "Identifiers", ("Kind", "Value"), tuple((k.label, v) for k, v in party.identifiers)
            ),
        ),
    )


def _customer(db: Database, number: str) -> RecordView:
    with read_only(db) as session:
        customer = get_by_number(session, Customer, number, "customer", "customer")
        party = session.get(Party, customer.legal_party_id)
        assert party is not None
        account_rows = tuple(
            (
                a.number,
                a.description or "",
                a.invoicing_mode.label,
                a.status.label,
                _date(a.setup_date),
            )
            for a in session.scalars(
                select(Account)
                .where(Account.customer_id == customer.id)
                .order_by(Account.setup_date, Account.id)
            )
        )
        facts = (
            ("Legal party", f"{party.display_name} ({party.number})"),
            ("Class", customer.customer_class.label),
            ("Status", customer.status.label),
        )
        title = party.display_name
    return RecordView(
        "Customer",
        number,
        title,
        facts,
        (
            RecordSection(
                "Accounts",
                ("Account", "Description", "Invoicing", "Status", "Set up"),
                account_rows,
                "Account",
            ),
        ),
    )


def _account(db: Database, number: str) -> RecordView:
    account = accounts.get_account(db, number)
    balance = financials.account_balance(db, number)
    mode = account.invoicing_mode.label
    if account.statement_day:
        mode += f" (statement on day {account.statement_day})"
    facts = (
        ("Customer", f"{account.customer_name} ({account.customer_number})"),
        ("Description", account.description or "—"),
        ("Status", account.status.label),
        ("Balance", _money(balance, account.currency) + (" in credit" if balance < 0 else "")),
        ("Invoicing", mode),
        ("Billing frequency", account.billing_frequency.label),
        ("Set up", account.setup_date.isoformat()),
    )
    on = today()
    agreements = tuple(
        (
            sa.number,
            sa.sa_type,
            sa.service_type.label,
            sa.status.label,
            _date(sa.start_date),
            _date(sa.end_date),
            sa.rate_on(on) or "",
        )
        for sa in service_agreements.agreements_of_account(db, number)
    )
    history = financials.financial_history(db, number)[-RECENT_FINANCIAL_ENTRIES:]
    money_rows = tuple(
        (
            e.date.isoformat(),
            e.kind,
            e.description,
            _money(e.amount, account.currency),
            _money(e.balance, account.currency),
        )
        for e in reversed(history)
    )
    subs = tuple(
        (
            s.email,
            ", ".join(t.label for t in s.correspondence_types),
            _date(s.active_from),
            _date(s.active_to),
        )
        for s in accounts.subscriptions_of(db, number)
    )
    return RecordView(
        "Account",
        number,
        account.customer_name,
        facts,
        (
            _roles_section(
                "Parties and roles", roles.roles_on(db, RoleTarget.ACCOUNT, number), True
            ),
            RecordSection(
                "Service agreements",
                ("Agreement", "Type", "Service", "Status", "Start", "End", "Rate now"),
                agreements,
                "Service agreement",
            ),
            RecordSection(
                "Recent bills, payments and adjustments",
                ("Date", "Kind", "Description", "Amount", "Balance after"),
                money_rows,
            ),
            RecordSection(
                "Subscriptions (copies, no authority)", ("E-mail", "Copies of", "From", "To"), subs
            ),
        ),
    )


def _premise(db: Database, number: str) -> RecordView:
    premise = premises.get_premise(db, number)
    with read_only(db) as session:
        own = get_by_number(session, Premise, number, "premise", "premise")
        points = tuple(
            (sp.number, sp.service_type.label, sp.consumer_kind.label, sp.external_pod_ref or "")
            for sp in session.scalars(
                select(ServicePoint)
                .where(ServicePoint.premise_id == own.id)
                .order_by(ServicePoint.service_type, ServicePoint.id)
            )
        )
        children = tuple(
            (
                p.number,
                p.premise_type.label,
                ", ".join(x for x in (p.address_line1, p.address_line2) if x),
            )
            for p in session.scalars(
                select(Premise)
                .where(Premise.parent_premise_id == own.id)
                .order_by(Premise.address_line1, Premise.address_line2, Premise.id)
                .limit(MAX_CHILD_ROWS)
            )
        )
        child_count = (
            session.scalar(
                select(func.count()).select_from(Premise).where(Premise.parent_premise_id == own.id)
            )
            or 0
        )
    facts = [
        ("Type", premise.premise_type.label),
        ("Address", premise.address),
        ("Postal code", premise.postal_code),
    ]
    if premise.parent_premise_number:
        facts.append(("Parent premise", premise.parent_premise_number))
    if premise.landlord_agreement_number:
        facts.append(("Landlord agreement", premise.landlord_agreement_number))
    return RecordView(
        "Premise",
        number,
        premise.address,
        tuple(facts),
        (
            RecordSection(
                "Service points",
                ("Service point", "Service", "Kind", "Point of delivery"),
                points,
                "Service point",
            ),
            RecordSection(
                "Child premises"
                if child_count <= MAX_CHILD_ROWS
                else f"Child premises, first {MAX_CHILD_ROWS} of {child_count}",
                ("Premise", "Type", "Address"),
                children,
                "Premise",
            ),
            _roles_section(
                "Parties and roles", roles.roles_on(db, RoleTarget.PREMISE, number), True
            ),
        ),
    )


def _service_point(db: Database, number: str) -> RecordView:
    with read_only(db) as session:
        sp = get_by_number(session, ServicePoint, number, "service point", "service_point")
        premise = session.get(Premise, sp.premise_id)
        assert premise is not None
        occupants = tuple(
            (sa.number, account_number, sa.status.label, _date(sa.start_date), _date(sa.end_date))
            for sa, account_number in session.execute(
                select(ServiceAgreement, Account.number)
                .join(
                    ServiceAgreementServicePoint,
                    ServiceAgreementServicePoint.service_agreement_id == ServiceAgreement.id,
                )
                .join(Account, ServiceAgreement.account_id == Account.id)
                .where(ServiceAgreementServicePoint.service_point_id == sp.id,
                       ServiceAgreement.is_proposal.is_(False))
                .order_by(ServiceAgreement.start_date, ServiceAgreement.id)
            )
        )
        facts = (
            ("Premise", f"{premise.address_line1}, {premise.city} ({premise.number})"),
            ("Service", sp.service_type.label),
            ("Kind", sp.consumer_kind.label),
            ("Point of delivery", sp.external_pod_ref or "—"),
        )
        title = f"{sp.service_type.label} at {premise.address_line1}"
    installs = tuple(
        (i.badge_number, i.device_kind, _date(i.installed_on), _date(i.removed_on))
        for i in sps.installation_history(db, number)
    )
    return RecordView(
        "Service point",
        number,
        title,
        facts,
        (
            RecordSection(
                "Agreements, oldest first (who was supplied here)",
                ("Agreement", "Account", "Status", "Start", "End"),
                occupants,
                "Service agreement",
            ),
            RecordSection(
                "Meters and items installed", ("Badge", "Device", "Installed", "Removed"), installs
            ),
        ),
    )


def _service_agreement(db: Database, number: str) -> RecordView:
    sa = service_agreements.get_service_agreement(db, number)
    facts = (
        ("Account", sa.account_number),
        ("Type", sa.sa_type),
        ("Service", sa.service_type.label),
        ("Status", sa.status.label),
        ("Start", _date(sa.start_date)),
        ("End", _date(sa.end_date) or "—"),
        ("Rate now", sa.rate_on(today()) or "—"),
    )
    return RecordView(
        "Service agreement",
        number,
        f"{sa.sa_type} {sa.service_type.label}",
        facts,
        (
            RecordSection(
                "Service points",
                ("Service point",),
                tuple((n,) for n in sa.service_point_numbers),
                "Service point",
            ),
            RecordSection(
                "Rate history",
                ("From", "Rate schedule"),
                tuple((_date(r.effective_from), r.rate_schedule_code) for r in sa.rate_history),
            ),
            _roles_section(
                "Parties and roles", roles.roles_on(db, RoleTarget.SERVICE_AGREEMENT, number), True
            ),
        ),
    )
