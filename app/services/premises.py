"""Premises: addresses, the parent-premise hierarchy and landlord agreements (spec/60 §B1)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.db import Database
from app.models import Account, LandlordAgreement, Party, Premise
from app.models.enums import LandlordAgreementStatus, PremiseType, UserRole
from app.services.common import (
    check_version,
    get_by_number,
    new_number,
    optional_text,
    required_text,
)
from app.services.context import Actor, read_only, transaction
from app.services.errors import ValidationError

EDITORS = (UserRole.CSR, UserRole.SUPERVISOR)
MAX_DEPTH = 100


@dataclass(frozen=True)
class PremiseForm:
    premise_type: PremiseType
    address_line1: str
    city: str
    postal_code: str
    address_line2: str = ""
    region: str = ""
    country: str = "US"
    parent_premise_number: str | None = None


@dataclass(frozen=True)
class PremiseView:
    number: str
    premise_type: PremiseType
    address: str
    postal_code: str
    parent_premise_number: str | None
    landlord_agreement_number: str | None
    version: int


@dataclass(frozen=True)
class LandlordAgreementView:
    number: str
    description: str
    landlord_party_number: str
    landlord_account_number: str
    status: LandlordAgreementStatus


def _view(session: Session, p: Premise) -> PremiseView:
    parent = session.get(Premise, p.parent_premise_id) if p.parent_premise_id else None
    landlord = (
        session.get(LandlordAgreement, p.landlord_agreement_id) if p.landlord_agreement_id else None
    )
    address = ", ".join(x for x in (p.address_line1, p.address_line2, p.city, p.region) if x)
    return PremiseView(
        p.number,
        p.premise_type,
        address,
        p.postal_code,
        parent.number if parent else None,
        landlord.number if landlord else None,
        p.version,
    )


def _check_parent(session: Session, premise: Premise | None, parent: Premise) -> None:
    """No premise may be its own parent or ancestor (spec/60 §B1.1)."""
    if premise is None:
        return
    node: Premise | None = parent
    for _ in range(MAX_DEPTH):
        if node is None:
            return
        if node.id == premise.id:
            raise ValidationError(
                f"Premise {parent.number} is {premise.number} itself or lies under it, so it "
                "cannot be its parent.",
                "parent_premise",
            )
        node = session.get(Premise, node.parent_premise_id) if node.parent_premise_id else None
    raise ValidationError("The premise hierarchy is deeper than 100 levels.", "parent_premise")


def create_premise(db: Database, actor: Actor, form: PremiseForm) -> PremiseView:
    actor.require("add premises", *EDITORS)
    country = (form.country or "US").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ValidationError("Use the two-letter country code, e.g. US.", "country")
    with transaction(db, actor) as session:
        premise = Premise(
            number=new_number(session, Premise),
            premise_type=form.premise_type,
            address_line1=required_text(
                form.address_line1, "address_line1", "the street address", 100
            ),
            address_line2=optional_text(form.address_line2, "address_line2", "the address", 100),
            city=required_text(form.city, "city", "the city", 60),
            region=optional_text(form.region, "region", "the region", 60),
            postal_code=required_text(
                form.postal_code, "postal_code", "the postal code", 12
            ).upper(),
            country=country,
        )
        if form.parent_premise_number:
            parent = get_by_number(
                session, Premise, form.parent_premise_number, "premise", "parent_premise"
            )
            premise.parent_premise_id = parent.id
        session.add(premise)
        session.flush()
        return _view(session, premise)


def set_parent_premise(
    db: Database, actor: Actor, number: str, expected_version: int, parent_number: str | None
) -> PremiseView:
    actor.require("change premises", *EDITORS)
    with transaction(db, actor) as session:
        premise = get_by_number(session, Premise, number, "premise", "premise")
        check_version(premise, expected_version, f"Premise {premise.number}")
        if parent_number:
            parent = get_by_number(session, Premise, parent_number, "premise", "parent_premise")
            _check_parent(session, premise, parent)
            premise.parent_premise_id = parent.id
        else:
            premise.parent_premise_id = None
        session.flush()
        return _view(session, premise)


def create_landlord_agreement(
    db: Database,
    actor: Actor,
    landlord_party_number: str,
    landlord_account_number: str,
    description: str,
) -> LandlordAgreementView:
    actor.require("add landlord agreements", *EDITORS)
    text = required_text(description, "description", "a description", 100)
    with transaction(db, actor) as session:
        party = get_by_number(
            session, Party, landlord_party_number, "person or organisation", "landlord"
        )
        account = get_by_number(session, Account, landlord_account_number, "account", "account")
        agreement = LandlordAgreement(
            number=new_number(session, LandlordAgreement),
            description=text,
            landlord_party_id=party.id,
            landlord_account_id=account.id,
            status=LandlordAgreementStatus.ACTIVE,
        )
        session.add(agreement)
        session.flush()
        return LandlordAgreementView(
            agreement.number, text, party.number, account.number, agreement.status
        )


def assign_landlord(
    db: Database,
    actor: Actor,
    premise_number: str,
    expected_version: int,
    landlord_agreement_number: str | None,
) -> PremiseView:
    actor.require("change landlords", *EDITORS)
    with transaction(db, actor) as session:
        premise = get_by_number(session, Premise, premise_number, "premise", "premise")
        check_version(premise, expected_version, f"Premise {premise.number}")
        if landlord_agreement_number:
            agreement = get_by_number(
                session,
                LandlordAgreement,
                landlord_agreement_number,
                "landlord agreement",
                "landlord",
            )
            if agreement.status is not LandlordAgreementStatus.ACTIVE:
                raise ValidationError(
                    f"Landlord agreement {agreement.number} is inactive; only an active one can "
                    "be assigned.",
                    "landlord",
                )
            premise.landlord_agreement_id = agreement.id
        else:
            premise.landlord_agreement_id = None
        session.flush()
        return _view(session, premise)


def get_premise(db: Database, number: str) -> PremiseView:
    with read_only(db) as session:
        return _view(session, get_by_number(session, Premise, number, "premise", "premise"))
