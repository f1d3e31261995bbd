"""Parties: create persons and organisations, their contacts, identifiers and preferences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    Account,
    CommunicationPreference,
    Party,
    PartyContact,
    PartyIdentifier,
    Premise,
)
from app.models.enums import (
    Channel,
    ContactKind,
    CorrespondenceType,
    CustomerClass,
    IdentifierKind,
    OrgCategory,
    PartyKind,
    PartyStatus,
    UserRole,
)
from app.services import accounts
from app.services.common import (
    check_version,
    get_by_number,
    new_number,
    normalise_email,
    normalise_phone,
    optional_text,
    required_text,
)
from app.services.context import Actor, read_only, today, transaction
from app.services.errors import ValidationError

EDITORS = (UserRole.CSR, UserRole.SUPERVISOR)


@dataclass(frozen=True)
class MailingAddress:
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = "US"


@dataclass(frozen=True)
class PersonForm:
    last_name: str
    first_name: str = ""
    date_of_birth: dt.date | None = None
    phone: str = ""
    email: str = ""
    address: MailingAddress = field(default_factory=MailingAddress)


@dataclass(frozen=True)
class OrganisationForm:
    legal_name: str
    category: OrgCategory = OrgCategory.COMPANY
    registration_number: str = ""
    phone: str = ""
    email: str = ""
    address: MailingAddress = field(default_factory=MailingAddress)


@dataclass(frozen=True)
class ContactView:
    kind: ContactKind
    value: str
    label: str | None
    is_primary: bool


@dataclass(frozen=True)
class PartyView:
    number: str
    kind: PartyKind
    display_name: str
    status: PartyStatus
    date_of_birth: dt.date | None
    mailing_address: str
    contacts: tuple[ContactView, ...]
    identifiers: tuple[tuple[IdentifierKind, str], ...]
    version: int


def display_name_of(kind: PartyKind, first: str | None, last: str | None, legal: str | None) -> str:
    if kind is PartyKind.PERSON:
        return f"{last}, {first}" if first else str(last)
    return str(legal)


def party_view(party: Party) -> PartyView:
    address = ", ".join(
        x
        for x in (
            party.mailing_line1,
            party.mailing_line2,
            party.mailing_city,
            party.mailing_region,
            party.mailing_postal_code,
        )
        if x
    )
    return PartyView(
        number=party.number,
        kind=party.kind,
        display_name=party.display_name,
        status=party.status,
        date_of_birth=party.date_of_birth,
        mailing_address=address,
        contacts=tuple(ContactView(c.kind, c.value, c.label, c.is_primary) for c in party.contacts),
        identifiers=tuple((i.kind, i.value) for i in party.identifiers),
        version=party.version,
    )


@dataclass(frozen=True)
class _CleanAddress:
    line1: str | None
    line2: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None


def _clean_address(address: MailingAddress) -> _CleanAddress:
    country = (address.country or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise ValidationError("Use the two-letter country code, e.g. US or GB.", "address.country")
    return _CleanAddress(
        optional_text(address.line1, "address.line1", "the address", 100),
        optional_text(address.line2, "address.line2", "the address", 100),
        optional_text(address.city, "address.city", "the city", 60),
        optional_text(address.region, "address.region", "the region", 60),
        optional_text(address.postal_code, "address.postal_code", "the postal code", 12),
        country or None,
    )


def _apply_address(party: Party, address: MailingAddress) -> None:
    clean = _clean_address(address)
    party.mailing_line1, party.mailing_line2 = clean.line1, clean.line2
    party.mailing_city, party.mailing_region = clean.city, clean.region
    party.mailing_postal_code, party.mailing_country = clean.postal_code, clean.country


def _initial_contacts(party: Party, phone: str, email: str) -> None:
    if phone.strip():
        party.contacts.append(
            PartyContact(kind=ContactKind.PHONE, value=normalise_phone(phone), is_primary=True)
        )
    if email.strip():
        party.contacts.append(
            PartyContact(kind=ContactKind.EMAIL, value=normalise_email(email), is_primary=True)
        )


def normalise_registration(value: str | None) -> str | None:
    """A company registration number as stored and compared: trimmed, upper case; None if blank."""
    text = optional_text(value, "registration_number", "the registration number", 60)
    return text.upper() if text else None


def form_display_name(form: PersonForm | OrganisationForm) -> str:
    """The display name a party made from *form* gets ("Last, First" or the legal name)."""
    if isinstance(form, PersonForm):
        last = (form.last_name or "").strip()
        first = (form.first_name or "").strip() or None
        return display_name_of(PartyKind.PERSON, first, last, None)
    return display_name_of(PartyKind.ORGANISATION, None, None, (form.legal_name or "").strip())


def check_form(form: PersonForm | OrganisationForm) -> None:
    """Every check `create_person` / `create_organisation` makes without the database, so a
    dialog can point at a wrong field before it looks for duplicates or saves anything."""
    if isinstance(form, PersonForm):
        required_text(form.last_name, "last_name", "the last name", 100)
        optional_text(form.first_name, "first_name", "the first name", 100)
        if form.date_of_birth is not None and form.date_of_birth > today():
            raise ValidationError("The date of birth is in the future.", "date_of_birth")
    else:
        required_text(form.legal_name, "legal_name", "the legal name", 254)
        normalise_registration(form.registration_number)
    if form.phone.strip():
        normalise_phone(form.phone)
    if form.email.strip():
        normalise_email(form.email)
    _clean_address(form.address)


def create_person(db: Database, actor: Actor, form: PersonForm) -> PartyView:
    """A new person. Likely duplicates (`duplicates.likely_duplicates`) are shown to the CSR
    before this is called; a person has no identifier that blocks the save."""
    actor.require("add people", *EDITORS)
    with transaction(db, actor) as session:
        return party_view(create_party_in(session, form))


def create_organisation(db: Database, actor: Actor, form: OrganisationForm) -> PartyView:
    """A new organisation; refused when its registration number already names a party
    (spec/60 R-A1: the one blocking duplicate)."""
    actor.require("add organisations", *EDITORS)
    with transaction(db, actor) as session:
        return party_view(create_party_in(session, form))


def create_party_in(session: Session, form: PersonForm | OrganisationForm) -> Party:
    """A new person or organisation inside a transaction the caller holds."""
    check_form(form)
    if isinstance(form, PersonForm):
        last = required_text(form.last_name, "last_name", "the last name", 100)
        first = optional_text(form.first_name, "first_name", "the first name", 100)
        party = Party(
            number=new_number(session, Party),
            kind=PartyKind.PERSON,
            first_name=first,
            last_name=last,
            date_of_birth=form.date_of_birth,
            display_name=display_name_of(PartyKind.PERSON, first, last, None),
            status=PartyStatus.ACTIVE,
        )
    else:
        legal = required_text(form.legal_name, "legal_name", "the legal name", 254)
        registration = normalise_registration(form.registration_number)
        if registration:
            _check_identifier_free(
                session, IdentifierKind.COMPANY_REGISTRATION, registration, "registration_number"
            )
        party = Party(
            number=new_number(session, Party),
            kind=PartyKind.ORGANISATION,
            legal_name=legal,
            org_category=form.category,
            display_name=legal,
            status=PartyStatus.ACTIVE,
        )
        if registration:
            party.identifiers.append(
                PartyIdentifier(kind=IdentifierKind.COMPANY_REGISTRATION, value=registration)
            )
    _apply_address(party, form.address)
    _initial_contacts(party, form.phone, form.email)
    session.add(party)
    session.flush()
    return party


@dataclass(frozen=True)
class NewCustomer:
    party: PartyView
    customer_number: str
    account_number: str | None


def create_customer_party(
    db: Database,
    actor: Actor,
    form: PersonForm | OrganisationForm,
    customer_class: CustomerClass,
    open_first_account: bool = True,
    account_description: str = "",
    setup_date: dt.date | None = None,
) -> NewCustomer:
    """A new person or organisation, made a customer, with a first account when asked (the
    "New customer" dialog), in one transaction: all of it is saved or none of it."""
    actor.require("add customers", *EDITORS)
    with transaction(db, actor) as session:
        party = create_party_in(session, form)
        customer = accounts.create_customer_in(session, party, customer_class)
        account_number: str | None = None
        if open_first_account:
            account = accounts.open_account_in(session, customer, accounts.AccountForm(
                customer.number, setup_date or today(), account_description or ""))
            account_number = account.number
        return NewCustomer(party_view(party), customer.number, account_number)


def update_mailing_address(
    db: Database, actor: Actor, number: str, expected_version: int, address: MailingAddress
) -> PartyView:
    actor.require("change addresses", *EDITORS)
    with transaction(db, actor) as session:
        party = get_by_number(session, Party, number, "person or organisation", "party")
        check_version(party, expected_version, f"{party.display_name} ({party.number})")
        _apply_address(party, address)
        session.flush()
        return party_view(party)


def rename_person(
    db: Database, actor: Actor, number: str, expected_version: int, first_name: str, last_name: str
) -> PartyView:
    actor.require("rename people", *EDITORS)
    last = required_text(last_name, "last_name", "the last name", 100)
    first = optional_text(first_name, "first_name", "the first name", 100)
    with transaction(db, actor) as session:
        party = get_by_number(session, Party, number, "person", "party")
        if party.kind is not PartyKind.PERSON:
            raise ValidationError(
                f"{party.display_name} is an organisation, not a person.", "party"
            )
        check_version(party, expected_version, f"{party.display_name} ({party.number})")
        party.first_name, party.last_name = first, last
        party.display_name = display_name_of(PartyKind.PERSON, first, last, None)
        session.flush()
        return party_view(party)


def add_contact(
    db: Database,
    actor: Actor,
    number: str,
    kind: ContactKind,
    value: str,
    label: str = "",
    is_primary: bool = False,
) -> PartyView:
    actor.require("add contact details", *EDITORS)
    normalised = (
        normalise_phone(value, "value")
        if kind is ContactKind.PHONE
        else normalise_email(value, "value")
    )
    with transaction(db, actor) as session:
        party = get_by_number(session, Party, number, "person or organisation", "party")
        if any(c.kind is kind and c.value == normalised for c in party.contacts):
            raise ValidationError(f"{party.display_name} already has {normalised}.", "value")
        if is_primary:
            for contact in party.contacts:
                if contact.kind is kind:
                    contact.is_primary = False
        party.contacts.append(
            PartyContact(
                kind=kind,
                value=normalised,
                label=optional_text(label, "label", "the label", 30),
                is_primary=is_primary,
            )
        )
        session.flush()
        return party_view(party)


def identifier_owner(session: Session, kind: IdentifierKind, value: str) -> Party | None:
    """The party holding an official identifier (one look-up on the unique (kind, value))."""
    return session.scalar(
        select(Party)
        .join(PartyIdentifier, PartyIdentifier.party_id == Party.id)
        .where(PartyIdentifier.kind == kind, PartyIdentifier.value == value)
    )


def _check_identifier_free(
    session: Session, kind: IdentifierKind, value: str, field: str = "identifier"
) -> None:
    owner = identifier_owner(session, kind, value)
    if owner is not None:
        raise ValidationError(
            f"{kind.label} {value} already belongs to {owner.display_name} ({owner.number}). "
            "Each person or company exists once: use that record.",
            field,
        )


def add_identifier(
    db: Database, actor: Actor, number: str, kind: IdentifierKind, value: str
) -> PartyView:
    actor.require("add identifiers", *EDITORS)
    text = required_text(value, "identifier", "the identifier", 60).upper()
    with transaction(db, actor) as session:
        party = get_by_number(session, Party, number, "person or organisation", "party")
        _check_identifier_free(session, kind, text)
        party.identifiers.append(PartyIdentifier(kind=kind, value=text))
        session.flush()
        return party_view(party)


def set_communication_preference(
    db: Database,
    actor: Actor,
    party_number: str,
    correspondence_type: CorrespondenceType,
    channel: Channel,
    account_number: str | None = None,
    premise_number: str | None = None,
) -> None:
    """Set how a party wants one kind of correspondence, for everything or one account/premise."""
    actor.require("change communication preferences", *EDITORS)
    with transaction(db, actor) as session:
        party = get_by_number(session, Party, party_number, "person or organisation", "party")
        account_id = (
            get_by_number(session, Account, account_number, "account", "account").id
            if account_number
            else None
        )
        premise_id = (
            get_by_number(session, Premise, premise_number, "premise", "premise").id
            if premise_number
            else None
        )
        existing = session.scalar(
            select(CommunicationPreference).where(
                CommunicationPreference.party_id == party.id,
                CommunicationPreference.correspondence_type == correspondence_type,
                CommunicationPreference.account_id.is_(None)
                if account_id is None
                else CommunicationPreference.account_id == account_id,
                CommunicationPreference.premise_id.is_(None)
                if premise_id is None
                else CommunicationPreference.premise_id == premise_id,
            )
        )
        if existing is None:
            session.add(
                CommunicationPreference(
                    party_id=party.id,
                    account_id=account_id,
                    premise_id=premise_id,
                    correspondence_type=correspondence_type,
                    channel=channel,
                )
            )
        else:
            existing.channel = channel


def get_party(db: Database, number: str) -> PartyView:
    with read_only(db) as session:
        return party_view(get_by_number(session, Party, number, "person or organisation", "party"))
