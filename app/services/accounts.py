"""Customers (the legal authority) and their accounts, subscriptions included."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Account, Customer, Party, Premise, Subscription
from app.models.enums import (
    AccountStatus,
    BillingFrequency,
    CorrespondenceType,
    CustomerClass,
    CustomerStatus,
    InvoicingMode,
    RoleTarget,
    RoleType,
    UserRole,
)
from app.services.authority import OnCall, audit_reason
from app.services.common import (
    check_period,
    check_version,
    get_by_number,
    new_number,
    normalise_email,
    optional_text,
)
from app.services.context import Actor, read_only, transaction
from app.services.errors import ValidationError
from app.services.roles import add_role_in

EDITORS = (UserRole.CSR, UserRole.SUPERVISOR)


@dataclass(frozen=True)
class CustomerView:
    number: str
    legal_party_number: str
    legal_party_name: str
    customer_class: CustomerClass
    status: CustomerStatus
    version: int


@dataclass(frozen=True)
class AccountForm:
    customer_number: str
    setup_date: dt.date
    description: str = ""
    billing_frequency: BillingFrequency = BillingFrequency.MONTHLY
    invoicing_mode: InvoicingMode = InvoicingMode.CONSOLIDATED
    statement_day: int | None = None
    currency: str = "USD"


@dataclass(frozen=True)
class AccountView:
    number: str
    customer_number: str
    customer_name: str
    description: str | None
    billing_frequency: BillingFrequency
    invoicing_mode: InvoicingMode
    statement_day: int | None
    currency: str
    status: AccountStatus
    setup_date: dt.date
    version: int


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    email: str
    display_name: str | None
    correspondence_types: tuple[CorrespondenceType, ...]
    active_from: dt.date
    active_to: dt.date | None


def create_customer(
    db: Database, actor: Actor, legal_party_number: str, customer_class: CustomerClass
) -> CustomerView:
    """Make a party the legal authority behind a set of accounts (Flux "User")."""
    actor.require("add customers", *EDITORS)
    with transaction(db, actor) as session:
        party = get_by_number(session, Party, legal_party_number, "person or organisation", "party")
        customer = create_customer_in(session, party, customer_class)
        return CustomerView(
            customer.number,
            party.number,
            party.display_name,
            customer.customer_class,
            customer.status,
            customer.version,
        )


def create_customer_in(session: Session, party: Party, customer_class: CustomerClass) -> Customer:
    """`create_customer` inside a transaction the caller holds."""
    existing = session.scalar(select(Customer).where(Customer.legal_party_id == party.id))
    if existing is not None:
        raise ValidationError(
            f"{party.display_name} is already customer {existing.number}; open another "
            "account under that customer instead.",
            "party",
        )
    customer = Customer(
        number=new_number(session, Customer),
        legal_party_id=party.id,
        customer_class=customer_class,
        status=CustomerStatus.ACTIVE,
    )
    session.add(customer)
    session.flush()
    return customer


def _check_account_terms(mode: InvoicingMode, statement_day: int | None, currency: str) -> str:
    if mode is InvoicingMode.STATEMENT and (statement_day is None or not 1 <= statement_day <= 28):
        raise ValidationError(
            "A monthly statement needs a statement day from 1 to 28.", "statement_day"
        )
    if mode is InvoicingMode.CONSOLIDATED and statement_day is not None:
        raise ValidationError(
            "Only accounts invoiced by monthly statement have a statement day.", "statement_day"
        )
    code = currency.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValidationError("Use a three-letter currency code such as USD.", "currency")
    return code


def _account_view(session: Session, account: Account) -> AccountView:
    customer = session.get(Customer, account.customer_id)
    assert customer is not None
    party = session.get(Party, customer.legal_party_id)
    assert party is not None
    return AccountView(
        account.number,
        customer.number,
        party.display_name,
        account.description,
        account.billing_frequency,
        account.invoicing_mode,
        account.statement_day,
        account.currency,
        account.status,
        account.setup_date,
        account.version,
    )


def open_account(db: Database, actor: Actor, form: AccountForm) -> AccountView:
    """A new account under a customer; its legal party becomes the owner from the setup date."""
    actor.require("open accounts", *EDITORS)
    with transaction(db, actor) as session:
        customer = get_by_number(session, Customer, form.customer_number, "customer", "customer")
        return _account_view(session, open_account_in(session, customer, form))


def open_account_in(session: Session, customer: Customer, form: AccountForm) -> Account:
    """`open_account` inside a transaction the caller holds (`form.customer_number` is not
    read: the account goes under `customer`)."""
    currency = _check_account_terms(form.invoicing_mode, form.statement_day, form.currency)
    description = optional_text(form.description, "description", "the description", 100)
    party = session.get(Party, customer.legal_party_id)
    assert party is not None
    account = Account(
        number=new_number(session, Account),
        customer_id=customer.id,
        description=description,
        billing_frequency=form.billing_frequency,
        invoicing_mode=form.invoicing_mode,
        statement_day=form.statement_day,
        currency=currency,
        status=AccountStatus.ACTIVE,
        setup_date=form.setup_date,
    )
    session.add(account)
    session.flush()
    add_role_in(
        session,
        party,
        RoleType.OWNER,
        RoleTarget.ACCOUNT,
        account,
        form.setup_date,
        is_main=True,
    )
    return account


def change_invoicing(
    db: Database,
    actor: Actor,
    number: str,
    expected_version: int,
    mode: InvoicingMode,
    statement_day: int | None,
    billing_frequency: BillingFrequency,
) -> AccountView:
    actor.require("change accounts", *EDITORS)
    with transaction(db, actor) as session:
        account = get_by_number(session, Account, number, "account", "account")
        check_version(account, expected_version, f"Account {account.number}")
        _check_account_terms(mode, statement_day, account.currency)
        account.invoicing_mode = mode
        account.statement_day = statement_day
        account.billing_frequency = billing_frequency
        session.flush()
        return _account_view(session, account)


def get_account(db: Database, number: str) -> AccountView:
    with read_only(db) as session:
        account = get_by_number(session, Account, number, "account", "account")
        return _account_view(session, account)


def add_subscription(
    db: Database,
    actor: Actor,
    account_number: str,
    email: str,
    correspondence_types: set[CorrespondenceType],
    active_from: dt.date,
    active_to: dt.date | None = None,
    display_name: str = "",
    premise_number: str | None = None,
    reason: str | None = None,
    *,
    on_call: OnCall | None = None,
) -> SubscriptionView:
    """An e-mail copy of the account's correspondence. A subscriber gains no authority (R-A9).
    `reason` goes to the audit; with `on_call` the caller needs authority on the account or
    the CSR an override reason (R-A8), which becomes the audit reason."""
    actor.require("add subscriptions", *EDITORS)
    if on_call is not None:
        reason = audit_reason(db, account_number, on_call, "add a subscription") or reason
    address = normalise_email(email)
    if not correspondence_types:
        raise ValidationError("Tick at least one kind of correspondence to copy.", "types")
    check_period(active_from, active_to, "active_to", "end date")
    with transaction(db, actor, reason=reason or None) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        premise_id = (
            get_by_number(session, Premise, premise_number, "premise", "premise").id
            if premise_number
            else None
        )
        types = tuple(sorted(correspondence_types, key=lambda t: t.value))
        sub = Subscription(
            account_id=account.id,
            email=address,
            display_name=optional_text(display_name, "display_name", "the name", 100),
            premise_id=premise_id,
            correspondence_types=",".join(t.value for t in types),
            active_from=active_from,
            active_to=active_to,
        )
        session.add(sub)
        session.flush()
        return SubscriptionView(sub.id, sub.email, sub.display_name, types, active_from, active_to)


def subscriptions_of(db: Database, account_number: str) -> list[SubscriptionView]:
    with read_only(db) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        subs = session.scalars(
            select(Subscription)
            .where(Subscription.account_id == account.id)
            .order_by(Subscription.id)
        )
        return [
            SubscriptionView(
                s.id,
                s.email,
                s.display_name,
                tuple(CorrespondenceType(t) for t in s.correspondence_types.split(",")),
                s.active_from,
                s.active_to,
            )
            for s in subs
        ]
