"""Premises: addresses, the parent-premise hierarchy and landlord agreements (spec/60 §B1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Account, LandlordAgreement, Party, PartyRole, Premise, PremiseGeo
from app.models.enums import (
    LandlordAgreementStatus,
    PremiseType,
    RoleTarget,
    RoleType,
    UserRole,
)
from app.services.common import (
    check_version,
    get_by_number,
    new_number,
    optional_text,
    required_text,
)
from app.services.context import Actor, read_only, today, transaction
from app.services.errors import ValidationError
from app.services.roles import add_role_in

EDITORS = (UserRole.CSR, UserRole.SUPERVISOR)
MAX_DEPTH = 100
#: "Include child premises" walks at most this many descendants (a high-rise is a few hundred).
MAX_DESCENDANTS = 5_000


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
    #: Geographic type / value pairs (spec/60 §B1.2), by type.
    geo: tuple[tuple[str, str], ...] = ()


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
    geo = session.execute(
        select(PremiseGeo.geo_type, PremiseGeo.geo_value)
        .where(PremiseGeo.premise_id == p.id).order_by(PremiseGeo.geo_type)
    ).all()
    return PremiseView(
        p.number,
        p.premise_type,
        address_summary(p),
        p.postal_code,
        parent.number if parent else None,
        landlord.number if landlord else None,
        p.version,
        tuple((t, v) for t, v in geo),
    )


def address_summary(p: Premise) -> str:
    """"12 Elm St, Apt 3, Springfield, IL": the lines people recognise a premise by."""
    return ", ".join(x for x in (p.address_line1, p.address_line2, p.city, p.region) if x)


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
        parent = (get_by_number(session, Premise, parent_number, "premise", "parent_premise")
                  if parent_number else None)
        set_parent_in(session, premise, parent)
        return _view(session, premise)


def set_parent_in(session: Session, premise: Premise, parent: Premise | None) -> None:
    """Give `premise` a parent (or none) inside an open transaction, refusing a cycle."""
    if parent is not None:
        _check_parent(session, premise, parent)
    premise.parent_premise_id = parent.id if parent is not None else None
    session.flush()


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
    effective: dt.date | None = None,
) -> PremiseView:
    """Assign (or, with None, remove) the premise's landlord from `effective` (today)."""
    actor.require("change landlords", *EDITORS)
    with transaction(db, actor) as session:
        premise = get_by_number(session, Premise, premise_number, "premise", "premise")
        check_version(premise, expected_version, f"Premise {premise.number}")
        agreement = (assignable_landlord(session, landlord_agreement_number)
                     if landlord_agreement_number else None)
        set_landlord_in(session, premise, agreement, effective or today())
        return _view(session, premise)


def assignable_landlord(session: Session, number: str, field: str = "landlord"
                        ) -> LandlordAgreement:
    """The landlord agreement `number`, refused unless it is active (spec/60 §B1.2)."""
    agreement = get_by_number(session, LandlordAgreement, number, "landlord agreement", field)
    if agreement.status is not LandlordAgreementStatus.ACTIVE:
        raise ValidationError(
            f"Landlord agreement {agreement.number} is inactive; only an active one can be "
            "assigned.",
            field,
        )
    return agreement


def set_landlord_in(session: Session, premise: Premise, agreement: LandlordAgreement | None,
                    effective: dt.date) -> None:
    """Change the premise's landlord inside an open transaction. The landlord party's property
    owner role on the premise follows (spec/60 §B1.8): the old landlord's open role ends the
    day before `effective`, the new landlord's starts on `effective` unless it holds one."""
    old_party = None
    if premise.landlord_agreement_id is not None:
        old = session.get(LandlordAgreement, premise.landlord_agreement_id)
        assert old is not None
        old_party = old.landlord_party_id
    new_party = agreement.landlord_party_id if agreement is not None else None
    premise.landlord_agreement_id = agreement.id if agreement is not None else None
    if old_party != new_party:
        open_roles = list(session.scalars(select(PartyRole).where(
            PartyRole.premise_id == premise.id,
            PartyRole.role_type == RoleType.PROPERTY_OWNER,
            (PartyRole.effective_to.is_(None)) | (PartyRole.effective_to >= effective),
        )))
        for role in open_roles:
            if role.party_id == old_party:
                role.effective_to = max(effective - dt.timedelta(days=1), role.effective_from)
        if new_party is not None and not any(r.party_id == new_party for r in open_roles):
            party = session.get(Party, new_party)
            assert party is not None
            add_role_in(session, party, RoleType.PROPERTY_OWNER, RoleTarget.PREMISE, premise,
                        effective)
    session.flush()


def descendants(session: Session, premise_ids: Iterable[int]) -> list[int]:
    """Every premise below the given ones, level by level ("Include child premises" means all
    descendants, spec/60 §B1.1); refused beyond MAX_DESCENDANTS."""
    seen = set(premise_ids)
    level = list(seen)
    found: list[int] = []
    for _ in range(MAX_DEPTH):
        if not level:
            return found
        below = [pid for pid in session.scalars(
            select(Premise.id).where(Premise.parent_premise_id.in_(level)).order_by(Premise.id)
        ) if pid not in seen]
        seen.update(below)
        found.extend(below)
        if len(found) > MAX_DESCENDANTS:
            raise ValidationError(
                f"The chosen premises have more than {MAX_DESCENDANTS:,} child premises; choose "
                "fewer premises or leave out the child premises.",
                "include_children",
            )
        level = below
    return found


def set_geo_value(db: Database, actor: Actor, premise_number: str, geo_type: str,
                  value: str | None) -> PremiseView:
    """Set (or, with an empty value, remove) one geographic type / value of a premise."""
    actor.require("change premises", *EDITORS)
    kind = required_text(geo_type, "geo_type", "the geographic type", 8).upper()
    text = optional_text(value, "geo_value", "the geographic value", 50)
    with transaction(db, actor) as session:
        premise = get_by_number(session, Premise, premise_number, "premise", "premise")
        row = session.get(PremiseGeo, (premise.id, kind))
        if text is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(PremiseGeo(premise_id=premise.id, geo_type=kind, geo_value=text))
        else:
            row.geo_value = text
        session.flush()
        return _view(session, premise)


def get_premise(db: Database, number: str) -> PremiseView:
    with read_only(db) as session:
        return _view(session, get_by_number(session, Premise, number, "premise", "premise"))
