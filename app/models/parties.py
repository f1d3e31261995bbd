"""Parties: every person and organisation exists once (efluid stakeholders, Flux parties)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.engine.search_keys import name_key, phone_suffix
from app.models.base import Base, Identifier, Versioned, enum_column
from app.models.enums import (
    Channel,
    ContactKind,
    CorrespondenceType,
    IdentifierKind,
    OrgCategory,
    PartyKind,
    PartyStatus,
)


class Party(Versioned, Base):
    __tablename__ = "party"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'PERSON' AND last_name IS NOT NULL) OR "
            "(kind = 'ORGANISATION' AND legal_name IS NOT NULL)",
            name="name_for_kind",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    kind: Mapped[PartyKind] = mapped_column(enum_column(PartyKind), nullable=False)
    #: "Last, First" for a person, the legal name for an organisation.
    display_name: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    legal_name: Mapped[str | None] = mapped_column(String(254))
    org_category: Mapped[OrgCategory | None] = mapped_column(enum_column(OrgCategory))
    status: Mapped[PartyStatus] = mapped_column(
        enum_column(PartyStatus), nullable=False, default=PartyStatus.ACTIVE
    )
    mailing_line1: Mapped[str | None] = mapped_column(String(100))
    mailing_line2: Mapped[str | None] = mapped_column(String(100))
    mailing_city: Mapped[str | None] = mapped_column(String(60))
    mailing_region: Mapped[str | None] = mapped_column(String(60))
    mailing_postal_code: Mapped[str | None] = mapped_column(String(12))
    mailing_country: Mapped[str | None] = mapped_column(String(2))
    #: `display_name` folded (app.engine.search_keys.name_key), kept in step by a mapper event;
    #: the name search range-scans it.
    search_name: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    #: Set only when status is MERGED: the party that took over this one's roles (R-A1).
    merged_into_party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))

    contacts: Mapped[list[PartyContact]] = relationship(
        back_populates="party", cascade="all, delete-orphan", order_by="PartyContact.id"
    )
    identifiers: Mapped[list[PartyIdentifier]] = relationship(
        back_populates="party", cascade="all, delete-orphan", order_by="PartyIdentifier.id"
    )


class PartyContact(Versioned, Base):
    """A phone number or e-mail address of a party."""

    __tablename__ = "party_contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), nullable=False, index=True)
    kind: Mapped[ContactKind] = mapped_column(enum_column(ContactKind), nullable=False)
    #: E.164 for phones ("+15551234567"), lower case for e-mail.
    value: Mapped[str] = mapped_column(String(254), nullable=False, index=True)
    label: Mapped[str | None] = mapped_column(String(30))
    is_primary: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: The last seven digits of a phone (app.engine.search_keys.phone_suffix); null for e-mail.
    phone_suffix: Mapped[str | None] = mapped_column(String(7))

    party: Mapped[Party] = relationship(back_populates="contacts")


@event.listens_for(Party, "before_insert")
@event.listens_for(Party, "before_update")
def _party_keys(_mapper: object, _connection: object, party: Party) -> None:
    party.search_name = name_key(party.display_name)


@event.listens_for(PartyContact, "before_insert")
@event.listens_for(PartyContact, "before_update")
def _contact_keys(_mapper: object, _connection: object, contact: PartyContact) -> None:
    contact.phone_suffix = phone_suffix(contact.value) if contact.kind is ContactKind.PHONE else None


class PartyIdentifier(Versioned, Base):
    """An official identifier (licence, passport, tax or company registration number)."""

    __tablename__ = "party_identifier"
    # One registration / tax / licence number names one party (spec/60 R-A1).
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), nullable=False, index=True)
    kind: Mapped[IdentifierKind] = mapped_column(enum_column(IdentifierKind), nullable=False)
    value: Mapped[str] = mapped_column(String(60), nullable=False)

    party: Mapped[Party] = relationship(back_populates="identifiers")


class CommunicationPreference(Versioned, Base):
    """How a party wants a kind of correspondence; the most specific row wins (spec/60 §A6)."""

    __tablename__ = "communication_preference"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), nullable=False, index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    premise_id: Mapped[int | None] = mapped_column(ForeignKey("premise.id"))
    correspondence_type: Mapped[CorrespondenceType] = mapped_column(
        enum_column(CorrespondenceType), nullable=False
    )
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), nullable=False)
    address_override: Mapped[str | None] = mapped_column(String(254))
