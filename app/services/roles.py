"""Party roles on accounts, premises and service agreements, with effective dates.

Rules (spec/60 §A3): a role only on the objects it makes sense for; the end on or after the
start; the same party never holds the same role on the same object twice at once (R-A4); an
account has one owner at any date and it is the customer's legal party (R-A2); an administrator
is granted by the party that owns the account on the day it starts (R-A3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Account, Customer, Party, PartyRole, Premise, ServiceAgreement
from app.models.enums import ROLE_TARGETS, RoleTarget, RoleType, UserRole
from app.services.authority import OnCall, audit_reason
from app.services.common import check_period, check_version, get_by_number, periods_overlap
from app.services.context import Actor, read_only, transaction
from app.services.errors import NotFound, ValidationError

EDITORS = (UserRole.CSR, UserRole.SUPERVISOR)

_TARGET_MODELS: dict[RoleTarget, tuple[type[Any], str, str]] = {
    RoleTarget.ACCOUNT: (Account, "account", "account_id"),
    RoleTarget.PREMISE: (Premise, "premise", "premise_id"),
    RoleTarget.SERVICE_AGREEMENT: (ServiceAgreement, "service agreement", "service_agreement_id"),
}


@dataclass(frozen=True)
class RoleForm:
    party_number: str
    role_type: RoleType
    target: RoleTarget
    target_number: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    granted_by_party_number: str | None = None
    is_main: bool = False
    comments: str = ""


@dataclass(frozen=True)
class RoleView:
    id: int
    party_number: str
    party_name: str
    role_type: RoleType
    target: RoleTarget
    target_number: str
    effective_from: dt.date
    effective_to: dt.date | None
    is_main: bool
    version: int

    def is_open_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


def _target_column(target: RoleTarget):
    return getattr(PartyRole, _TARGET_MODELS[target][2])


def _holders(
    session: Session, role_type: RoleType, target: RoleTarget, target_id: int
) -> list[PartyRole]:
    return list(
        session.scalars(
            select(PartyRole).where(
                PartyRole.role_type == role_type, _target_column(target) == target_id
            )
        )
    )


def add_role_in(
    session: Session,
    party: Party,
    role_type: RoleType,
    target: RoleTarget,
    target_obj: object,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    granted_by: Party | None = None,
    is_main: bool = False,
    comments: str | None = None,
) -> PartyRole:
    """Validate and add a role inside an open transaction (other services reuse this)."""
    label = _TARGET_MODELS[target][1]
    if target not in ROLE_TARGETS[role_type]:
        allowed = ", ".join(t.label.lower() for t in sorted(ROLE_TARGETS[role_type]))
        raise ValidationError(
            f"A {role_type.label.lower()} role is held on a {allowed}, not on a {label}.", "target"
        )
    check_period(effective_from, effective_to, "effective_to", "role's end date")
    target_id = target_obj.id  # type: ignore[attr-defined]
    number = target_obj.number  # type: ignore[attr-defined]
    existing = _holders(session, role_type, target, target_id)
    for other in existing:
        if other.party_id == party.id and periods_overlap(
            effective_from, effective_to, other.effective_from, other.effective_to
        ):
            raise ValidationError(
                f"{party.display_name} is already {role_type.label.lower()} of {label} {number} "
                f"from {other.effective_from:%Y-%m-%d}"
                f"{f' to {other.effective_to:%Y-%m-%d}' if other.effective_to else ''}. "
                "End that role first or choose dates that do not overlap.",
                "effective_from",
            )
    if role_type is RoleType.OWNER:
        assert isinstance(target_obj, Account)
        customer = session.get(Customer, target_obj.customer_id)
        assert customer is not None
        if customer.legal_party_id != party.id:
            raise ValidationError(
                f"The owner of account {number} is its customer's legal party; "
                f"{party.display_name} is not. Move the account to another customer instead.",
                "party",
            )
        for other in existing:
            if periods_overlap(
                effective_from, effective_to, other.effective_from, other.effective_to
            ):
                raise ValidationError(
                    f"Account {number} already has an owner from {other.effective_from:%Y-%m-%d}.",
                    "effective_from",
                )
    if role_type is RoleType.ADMINISTRATOR:
        assert isinstance(target_obj, Account)
        owners = [
            o
            for o in _holders(session, RoleType.OWNER, target, target_id)
            if o.effective_from <= effective_from
            and (o.effective_to is None or effective_from <= o.effective_to)
        ]
        if not owners:
            raise ValidationError(
                f"Account {number} has no owner on {effective_from:%Y-%m-%d}, so nobody can "
                "appoint an administrator then.",
                "effective_from",
            )
        owner_party_id = owners[0].party_id
        if granted_by is not None and granted_by.id != owner_party_id:
            raise ValidationError(
                f"Only the account's owner can appoint an administrator; {granted_by.display_name} "
                "does not own it.",
                "granted_by",
            )
        granted_by_id: int | None = owner_party_id
    else:
        granted_by_id = granted_by.id if granted_by else None
    role = PartyRole(
        party_id=party.id,
        role_type=role_type,
        effective_from=effective_from,
        effective_to=effective_to,
        granted_by_party_id=granted_by_id,
        is_main=is_main,
        comments=comments or None,
    )
    setattr(role, _TARGET_MODELS[target][2], target_id)
    session.add(role)
    session.flush()
    return role


def add_role(db: Database, actor: Actor, form: RoleForm, reason: str | None = None, *,
             on_call: OnCall | None = None) -> RoleView:
    """`reason` goes to the audit. With `on_call` (a CSR acting for a caller) a role on an
    account needs a caller with authority on it or an override reason (R-A8), which becomes
    the audit reason."""
    actor.require("add roles", *EDITORS)
    if on_call is not None and form.target is RoleTarget.ACCOUNT:
        reason = audit_reason(db, form.target_number, on_call, "add a role") or reason
    with transaction(db, actor, reason=reason or None) as session:
        party = get_by_number(session, Party, form.party_number, "person or organisation", "party")
        model, label, _ = _TARGET_MODELS[form.target]
        target_obj = get_by_number(session, model, form.target_number, label, "target")
        granted_by = (
            get_by_number(
                session, Party, form.granted_by_party_number, "person or organisation", "granted_by"
            )
            if form.granted_by_party_number
            else None
        )
        role = add_role_in(
            session,
            party,
            form.role_type,
            form.target,
            target_obj,
            form.effective_from,
            form.effective_to,
            granted_by,
            form.is_main,
            form.comments.strip(),
        )
        return _view(role, party, form.target, target_obj.number)


def end_role(
    db: Database, actor: Actor, role_id: int, expected_version: int, effective_to: dt.date
) -> RoleView:
    """Close a role on a date (roles are ended, never deleted: R-A7)."""
    actor.require("end roles", *EDITORS)
    with transaction(db, actor) as session:
        role = session.get(PartyRole, role_id)
        if role is None:
            raise NotFound("That role no longer exists; reload.")
        party = session.get(Party, role.party_id)
        assert party is not None
        check_version(
            role,
            expected_version,
            f"The {role.role_type.label.lower()} role of {party.display_name}",
        )
        check_period(role.effective_from, effective_to, "effective_to", "role's end date")
        if role.role_type is RoleType.OWNER:
            raise ValidationError(
                "An account's owner role ends only when the account moves to another customer.",
                "effective_to",
            )
        role.effective_to = effective_to
        target, number = _target_of(session, role)
        session.flush()
        return _view(role, party, target, number)


def _target_of(session: Session, role: PartyRole) -> tuple[RoleTarget, str]:
    for target, (model, _label, column) in _TARGET_MODELS.items():
        target_id = getattr(role, column)
        if target_id is not None:
            obj = session.get(model, target_id)
            return target, obj.number  # type: ignore[union-attr]
    raise AssertionError("role without target")


def _view(role: PartyRole, party: Party, target: RoleTarget, number: str) -> RoleView:
    return RoleView(
        role.id,
        party.number,
        party.display_name,
        role.role_type,
        target,
        number,
        role.effective_from,
        role.effective_to,
        role.is_main,
        role.version,
    )


def roles_on(db: Database, target: RoleTarget, number: str) -> list[RoleView]:
    """Every role ever held on one object, open and closed, oldest first."""
    model, label, _ = _TARGET_MODELS[target]
    with read_only(db) as session:
        obj = get_by_number(session, model, number, label, "target")
        rows = session.execute(
            select(PartyRole, Party)
            .join(Party, PartyRole.party_id == Party.id)
            .where(_target_column(target) == obj.id)
            .order_by(PartyRole.effective_from, PartyRole.id)
        )
        return [_view(role, party, target, number) for role, party in rows]


def roles_of_party(db: Database, party_number: str) -> list[RoleView]:
    """Every role a party ever held, on anything (the efluid customer file)."""
    with read_only(db) as session:
        party = get_by_number(session, Party, party_number, "person or organisation", "party")
        roles = session.scalars(
            select(PartyRole)
            .where(PartyRole.party_id == party.id)
            .order_by(PartyRole.effective_from, PartyRole.id)
        ).all()
        return [_view(r, party, *_target_of(session, r)) for r in roles]
