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
    IdentifierKind,
    OrgCategory,
    PartyKind,
    PartyStatus,
    UserRole,
)
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


def _apply_address(party: Party, address: MailingAddress) -> None:
    party.mailing_line1 = optional_text(address.line1, "address.line1", "the address", 100)
    party.mailing_line2 = optional_text(address.line2, "address.line2", "the address", 100)
    party.mailing_city = optional_text(address.city, "address.city", "the city", 60)
    party.mailing_region = optional_text(address.region, "address.region", "the region", 60)
    party.mailing_postal_code = optional_text(
        address.postal_code, "address.postal_code", "the postal code", 12
    )
    country = (address.country or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise ValidationError("Use the two-letter country code, e.g. US or GB.", "address.country")
    party.mailing_country = country or None


def _initial_contacts(party: Party, phone: str, email: str) -> None:
    if phone.strip():
        party.contacts.append(
            PartyContact(kind=ContactKind.PHONE, value=normalise_phone(phone), is_primary=True)
        )
    if email.strip():
        party.contacts.append(
            PartyContact(kind=ContactKind.EMAIL, value=normalise_email(email), is_primary=True)
        )


def create_person(db: Database, actor: Actor, form: PersonForm) -> PartyView:
    actor.require("add people", *EDITORS)
    last = required_text(form.last_name, "last_name", "the last name", 100)
    first = optional_text(form.first_name, "first_name", "the first name", 100)
    if form.date_of_birth is not None and form.date_of_birth > today():
        raise ValidationError("The date of birth is in the future.", "date_of_birth")
    with transaction(db, actor) as session:
        party = Party(
            number=new_number(session, Party),
            kind=PartyKind.PERSON,
            first_name=first,
            last_name=last,
            date_of_birth=form.date_of_birth,
            display_name=display_name_of(PartyKind.PERSON, first, last, None),
            status=PartyStatus.ACTIVE,
        )
        _apply_address(party, form.address)
        _initial_contacts(party, form.phone, form.email)
        session.add(party)
        session.flush()
        return party_view(party)


def create_organisation(db: Database, actor: Actor, form: OrganisationForm) -> PartyView:
    actor.require("add organisations", *EDITORS)
    legal = required_text(form.legal_name, "legal_name", "the legal name", 254)
    registration = optional_text(
        form.registration_number, "registration_number", "the registration number", 60
    )
    with transaction(db, actor) as session:
        party = Party(
            number=new_number(session, Party),
            kind=PartyKind.ORGANISATION,
            legal_name=legal,
            org_category=form.category,
            display_name=legal,
            status=PartyStatus.ACTIVE,
        )
        _apply_address(party, form.address)
        _initial_contacts(party, form.phone, form.email)
        if registration:
            _check_identifier_free(session, IdentifierKind.COMPANY_REGISTRATION, registration)
            party.identifiers.append(
                PartyIdentifier(kind=IdentifierKind.COMPANY_REGISTRATION, value=registration)
            )
        session.add(party)
        session.flush()
        return party_view(party)


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


def _check_identifier_free(session: Session, kind: IdentifierKind, value: str) -> None:
    owner = session.scalar(
        select(Party)
        .join(PartyIdentifier, PartyIdentifier.party_id == Party.id)
        .where(PartyIdentifier.kind == kind, PartyIdentifier.value == value)
    )
    if owner is not None:
        raise ValidationError(
            f"{kind.label} {value} already belongs to {owner.display_name} ({owner.number}). "
            "Each person or company exists once: use that record.",
            "identifier",
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
