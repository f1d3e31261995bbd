"""Each stakeholder is unique (spec/60 R-A1): likely duplicates before a party is saved, and
merging two parties into one.

    matches = likely_duplicates(db, person_form)     # shown before saving
    merge_parties(db, supervisor, survivor="…", duplicate="…", reason="same person")

A likely duplicate is an active party of the same kind with the same folded name
(`party.search_name`, one indexed equality) that also shares a phone, an e-mail address, the
mailing address or postal code, or the date of birth. A party holding the same company
registration number is a duplicate whatever its name: that one blocks the save.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.search_keys import fold, name_key, phone_suffix
from app.models import (
    Account,
    CommunicationPreference,
    Customer,
    LandlordAgreement,
    Party,
    PartyContact,
    PartyRole,
    Premise,
    ServiceAgreement,
)
from app.models.enums import (
    ContactKind,
    CustomerStatus,
    IdentifierKind,
    PartyKind,
    PartyStatus,
    UserRole,
)
from app.services.common import check_version, normalise_email, normalise_phone, required_text
from app.services.context import Actor, read_only, transaction
from app.services.errors import NotFound, ValidationError
from app.services.lookup import check_identifier
from app.services.merge_steps import merge_steps
from app.services.parties import (
    OrganisationForm,
    PartyView,
    PersonForm,
    check_form,
    form_display_name,
    identifier_owner,
    normalise_registration,
    party_view,
)

#: Same-name parties compared at most (a name shared by more is not a useful warning anyway).
NAME_SCAN_LIMIT = 500
#: Account numbers shown per candidate.
MAX_ACCOUNTS = 5
#: Roles shown per party in the merge dialog.
MAX_SIDE_ROLES = 40
#: Identifiers that name one party: two parties holding different ones are not the same.
EXCLUSIVE_IDENTIFIERS = (IdentifierKind.COMPANY_REGISTRATION, IdentifierKind.TAX_ID)

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class DuplicateCandidate:
    party_number: str
    display_name: str
    party_kind: str
    #: What matches besides the name, e.g. ("phone +15555550101", "address 12 Elm St 62701").
    reasons: tuple[str, ...]
    #: True when an identifier (registration, tax, licence number) is the same: saving is blocked.
    blocking: bool
    accounts: tuple[str, ...]    # account numbers the party has a role on (for the CSR to check)
    #: How many accounts the party has a role on (`accounts` shows the first MAX_ACCOUNTS).
    account_count: int = 0


def _kind_label(kind: PartyKind) -> str:
    return "Person" if kind is PartyKind.PERSON else "Organisation"


def _postal(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def _name_column(db: Database) -> ColumnElement[str]:
    """`party.search_name` as its index is built: byte order ("C") on PostgreSQL."""
    column: ColumnElement[str] = Party.search_name.expression
    return column if db.is_sqlite else column.collate("C")


@dataclass
class _Match:
    party_id: int
    number: str
    name: str
    kind: PartyKind
    reasons: list[str] = field(default_factory=list)
    blocking: bool = False

    def add(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)

    @property
    def score(self) -> int:
        """How much points at the same party: a postal code alone counts half."""
        return sum(1 if r.startswith("same postal code") else 2 for r in self.reasons)


def likely_duplicates(db: Database, form: PersonForm | OrganisationForm,
                      limit: int = 10) -> list[DuplicateCandidate]:
    """Parties the form probably describes again, blocking ones first, then those with most in
    common (a same postal code alone weighs least). Raises ValidationError (with the field) for input `create_*` would refuse."""
    check_form(form)
    person = isinstance(form, PersonForm)
    kind = PartyKind.PERSON if person else PartyKind.ORGANISATION
    key = name_key(form_display_name(form))
    phone = normalise_phone(form.phone) if form.phone.strip() else None
    suffix = phone_suffix(phone) if phone else None
    email = normalise_email(form.email) if form.email.strip() else None
    line1 = fold(form.address.line1) if form.address.line1.strip() else ""
    postal = _postal(form.address.postal_code)
    born = form.date_of_birth if isinstance(form, PersonForm) else None
    registration = (
        normalise_registration(form.registration_number)
        if isinstance(form, OrganisationForm) else None
    )
    found: dict[int, _Match] = {}
    with read_only(db) as session:
        if registration:
            owner = identifier_owner(session, IdentifierKind.COMPANY_REGISTRATION, registration)
            if owner is not None:
                match = found.setdefault(
                    owner.id, _Match(owner.id, owner.number, owner.display_name, owner.kind))
                match.blocking = True
                match.add(f"same registration number {registration}")
        if key and (phone or email or postal or born):
            _same_name_matches(session, _name_column(db) == key, kind, found,
                               phone=phone, suffix=suffix, email=email, line1=line1,
                               postal=postal, born=born)
        chosen = sorted(found.values(),
                        key=lambda m: (not m.blocking, -m.score, fold(m.name), m.number))
        chosen = [m for m in chosen if m.reasons][:limit]
        accounts = _accounts_of(session, [m.party_id for m in chosen])
    none: tuple[list[str], int] = ([], 0)
    return [
        DuplicateCandidate(
            m.number, m.name, _kind_label(m.kind), tuple(m.reasons), m.blocking,
            tuple(accounts.get(m.party_id, none)[0]), accounts.get(m.party_id, none)[1],
        )
        for m in chosen
    ]


def _same_name_matches(session: Session, same_name: ColumnElement[bool], kind: PartyKind,
                       found: dict[int, _Match], *, phone: str | None, suffix: str | None,
                       email: str | None, line1: str, postal: str,
                       born: dt.date | None) -> None:
    """Active parties of *kind* with the same name key, and what else they share (2 queries:
    the name index, then the contacts of those parties by the contact's party index)."""
    rows = session.execute(
        select(Party.id, Party.number, Party.display_name, Party.kind, Party.date_of_birth,
               Party.mailing_line1, Party.mailing_postal_code)
        .where(same_name, Party.kind == kind, Party.status == PartyStatus.ACTIVE)
        .order_by(Party.id)
        .limit(NAME_SCAN_LIMIT)
    ).all()
    if not rows:
        return
    shared: dict[int, list[str]] = {row.id: [] for row in rows}
    if phone or email:
        # by the contact's party index: a party has a handful of contacts, so this stays small
        # whatever the phone suffix or e-mail (a suffix may be shared by many parties)
        contacts = session.execute(
            select(PartyContact.party_id, PartyContact.kind, PartyContact.value,
                   PartyContact.phone_suffix)
            .where(PartyContact.party_id.in_(list(shared)))
            .order_by(PartyContact.id)
        ).all()
        for contact in contacts:
            if contact.kind is ContactKind.PHONE and phone and (
                contact.value == phone or (suffix and contact.phone_suffix == suffix)
            ):
                shared[contact.party_id].append(f"same phone {contact.value}")
            elif contact.kind is ContactKind.EMAIL and contact.value == email:
                shared[contact.party_id].append(f"same e-mail {contact.value}")
    for row in rows:
        reasons = shared[row.id]
        row_postal = _postal(row.mailing_postal_code)
        if postal and row_postal == postal:
            if line1 and row.mailing_line1 and fold(row.mailing_line1) == line1:
                reasons.append(f"same address {row.mailing_line1} {row.mailing_postal_code}")
            else:
                reasons.append(f"same postal code {row.mailing_postal_code}")
        if born is not None and row.date_of_birth == born:
            reasons.append(f"same date of birth {born:%Y-%m-%d}")
        if reasons:
            match = found.setdefault(row.id, _Match(row.id, row.number, row.display_name,
                                                    row.kind))
            for reason in reasons:
                match.add(reason)


def _accounts_of(session: Session, party_ids: list[int]) -> dict[int, tuple[list[str], int]]:
    """(first MAX_ACCOUNTS account numbers, how many) each party has a role on, directly or
    through a service agreement of the account; one query."""
    if not party_ids:
        return {}
    account_id = func.coalesce(PartyRole.account_id, ServiceAgreement.account_id)
    pairs = (
        select(PartyRole.party_id.label("party_id"), account_id.label("account_id"))
        .outerjoin(ServiceAgreement, ServiceAgreement.id == PartyRole.service_agreement_id)
        .where(PartyRole.party_id.in_(party_ids), account_id.is_not(None))
        .distinct()
        .subquery()
    )
    ranked = (
        select(
            pairs.c.party_id,
            Account.number,
            func.row_number()
            .over(partition_by=pairs.c.party_id, order_by=Account.number)
            .label("position"),
            func.count().over(partition_by=pairs.c.party_id).label("total"),
        )
        .join(Account, Account.id == pairs.c.account_id)
        .subquery()
    )
    result: dict[int, tuple[list[str], int]] = {}
    for party_id, number, total in session.execute(
        select(ranked.c.party_id, ranked.c.number, ranked.c.total)
        .where(ranked.c.position <= MAX_ACCOUNTS)
        .order_by(ranked.c.party_id, ranked.c.position)
    ):
        result.setdefault(party_id, ([], int(total)))[0].append(number)
    return result


# ----------------------------------------------------------------------------------- merging


@dataclass(frozen=True)
class MergeSide:
    """One party as the merge dialog shows it, side by side with the other."""

    party: PartyView
    customer_number: str | None
    #: The party this one was merged into, when it was.
    merged_into: str | None
    #: (role, held on, from, to), newest first, at most MAX_SIDE_ROLES.
    roles: tuple[tuple[str, str, str, str], ...]
    role_count: int


def merge_side(db: Database, number: str, field_name: str = "party") -> MergeSide:
    """A party's name, contacts, customer and roles for the merge dialog (4 bounded queries)."""
    digits = check_identifier(number, field_name)
    with read_only(db) as session:
        party = session.scalar(select(Party).where(Party.number == digits))
        if party is None:
            raise NotFound(f"There is no person or organisation {digits}. Check the number.",
                           field_name)
        customer = session.scalar(select(Customer.number)
                                  .where(Customer.legal_party_id == party.id))
        merged_into = (
            session.scalar(select(Party.number).where(Party.id == party.merged_into_party_id))
            if party.merged_into_party_id else None
        )
        rows = session.execute(
            select(PartyRole, Account.number, Premise.number, Premise.address_line1,
                   ServiceAgreement.number)
            .outerjoin(Account, Account.id == PartyRole.account_id)
            .outerjoin(Premise, Premise.id == PartyRole.premise_id)
            .outerjoin(ServiceAgreement, ServiceAgreement.id == PartyRole.service_agreement_id)
            .where(PartyRole.party_id == party.id)
            .order_by(PartyRole.effective_from.desc(), PartyRole.id.desc())
            .limit(MAX_SIDE_ROLES)
        ).all()
        count = session.scalar(select(func.count()).select_from(PartyRole)
                               .where(PartyRole.party_id == party.id)) or 0
        roles = tuple(
            (
                role.role_type.label,
                f"Account {account}" if account else
                f"Premise {premise} ({street})" if premise else f"Service agreement {sa}",
                role.effective_from.isoformat(),
                role.effective_to.isoformat() if role.effective_to else "",
            )
            for role, account, premise, street, sa in rows
        )
        return MergeSide(party_view(party), customer, merged_into, roles, count)




def merge_parties(db: Database, actor: Actor, survivor_number: str, duplicate_number: str,
                  reason: str, *, survivor_version: int | None = None,
                  duplicate_version: int | None = None) -> PartyView:
    """Merge the duplicate into the survivor (supervisors only), in one transaction whose audit
    rows all carry *reason*:

    * the customer whose legal party is the duplicate gets the survivor as its legal party;
      when both are customers, the duplicate's customer must have no account left (it is then
      marked inactive and stays with the merged party, for the record);
    * every role (as holder, and as the party that granted a role), communication preference,
      landlord agreement, contact and identifier moves to the survivor; a contact or a
      preference (same correspondence type, account and premise) the survivor already has is
      dropped, the survivor's own is kept; blank date of birth and mailing address of the
      survivor are filled from the duplicate;
    * R-A4 (no overlapping identical roles): a moved role keeps only the part of its period
      the survivor does not already hold the same role on the same object. Covered entirely →
      the moved role is dropped (its "main" flag goes to the survivor's role). It started
      earlier → it is end-dated the day before the survivor's starts. It runs on after the
      survivor's ends → it starts the day after. The survivor's role lies inside it → it is
      end-dated before and a copy covers the time after. The survivor's roles never change.
    * the duplicate becomes MERGED and points at the survivor, as do parties merged into it.

    Refused: a blank reason, one party twice, a party already merged, a person with an
    organisation, two different registration (or tax) numbers. `survivor_version` and
    `duplicate_version` (from the parties the supervisor looked at) catch a change made since.
    """
    actor.require("merge parties", UserRole.SUPERVISOR)
    why = required_text(reason, "reason", "the reason for the merge", 254)
    keep_number = check_identifier(survivor_number, "survivor")
    dup_number = check_identifier(duplicate_number, "duplicate")
    if keep_number == dup_number:
        raise ValidationError(
            f"{dup_number} is the party that is kept: a party cannot be merged into itself. "
            "Enter the number of the duplicate record.", "duplicate")
    with transaction(db, actor, reason=why) as session:
        locked = {
            p.number: p
            for p in session.scalars(
                select(Party).where(Party.number.in_([keep_number, dup_number]))
                .order_by(Party.id).with_for_update())
        }
        keep, dup = locked.get(keep_number), locked.get(dup_number)
        for number, party, where in ((keep_number, keep, "survivor"),
                                     (dup_number, dup, "duplicate")):
            if party is None:
                raise NotFound(f"There is no person or organisation {number}. Check the number.",
                               where)
        assert keep is not None and dup is not None
        check_version(keep, survivor_version, f"{keep.display_name} ({keep.number})")
        check_version(dup, duplicate_version, f"{dup.display_name} ({dup.number})")
        _check_mergeable(session, keep, dup)
        _move_customer(session, keep, dup)
        _move_grants(session, keep, dup)
        _move_roles(session, keep, dup)
        _move_contacts_and_identifiers(session, keep, dup)
        _move_preferences(session, keep, dup)
        for agreement in session.scalars(select(LandlordAgreement)
                                         .where(LandlordAgreement.landlord_party_id == dup.id)):
            agreement.landlord_party_id = keep.id
        for earlier in session.scalars(select(Party).where(Party.merged_into_party_id == dup.id)):
            earlier.merged_into_party_id = keep.id
        for step in merge_steps():
            step(session, keep, dup)
        _fill_gaps(keep, dup)
        dup.status = PartyStatus.MERGED
        dup.merged_into_party_id = keep.id
        session.flush()
        return party_view(keep)


def _label(party: Party) -> str:
    return f"{party.display_name} ({party.number})"


def _check_mergeable(session: Session, keep: Party, dup: Party) -> None:
    if dup.status is PartyStatus.MERGED:
        into = session.get(Party, dup.merged_into_party_id) if dup.merged_into_party_id else None
        raise ValidationError(
            f"{_label(dup)} was already merged"
            f"{f' into {_label(into)}' if into else ''}: there is nothing left to merge.",
            "duplicate")
    if keep.status is PartyStatus.MERGED:
        into = session.get(Party, keep.merged_into_party_id) if keep.merged_into_party_id else None
        raise ValidationError(
            f"{_label(keep)} was itself merged"
            f"{f' into {_label(into)}; merge into {into.number} instead' if into else ''}.",
            "survivor")
    if keep.kind is not dup.kind:
        raise ValidationError(
            f"{_label(keep)} is {'a person' if keep.kind is PartyKind.PERSON else 'an organisation'}"
            f" and {_label(dup)} is "
            f"{'a person' if dup.kind is PartyKind.PERSON else 'an organisation'}: only two "
            "persons or two organisations can be merged.", "duplicate")
    for kind in EXCLUSIVE_IDENTIFIERS:
        kept = {i.value for i in keep.identifiers if i.kind is kind}
        other = {i.value for i in dup.identifiers if i.kind is kind}
        if kept and other and kept != other:
            raise ValidationError(
                f"{_label(keep)} has {kind.label.lower()} {', '.join(sorted(kept))} and "
                f"{_label(dup)} has {', '.join(sorted(other))}: they are different "
                f"{'companies' if keep.kind is PartyKind.ORGANISATION else 'people'}, not "
                "duplicates. Correct the wrong number first if one is a typo.", "duplicate")


def _move_customer(session: Session, keep: Party, dup: Party) -> None:
    customers = {c.legal_party_id: c for c in session.scalars(
        select(Customer).where(Customer.legal_party_id.in_([keep.id, dup.id])))}
    theirs = customers.get(dup.id)
    if theirs is None:
        return
    ours = customers.get(keep.id)
    if ours is None:
        theirs.legal_party_id = keep.id
        return
    if session.scalar(select(Account.id).where(Account.customer_id == theirs.id).limit(1)):
        raise ValidationError(
            f"Both are customers: {_label(keep)} is customer {ours.number} and {_label(dup)} "
            f"is customer {theirs.number}. Move the accounts of customer {theirs.number} to "
            f"customer {ours.number} first, then merge.", "duplicate")
    theirs.status = CustomerStatus.INACTIVE


def _move_grants(session: Session, keep: Party, dup: Party) -> None:
    """Roles the duplicate granted (an owner appoints administrators) are granted by the
    survivor. Uses `party_role.granted_by_party_id` (see the report: it wants an index)."""
    for role in session.scalars(select(PartyRole)
                                .where(PartyRole.granted_by_party_id == dup.id)):
        role.granted_by_party_id = keep.id


Period = tuple[dt.date, dt.date | None]


def _subtract(period: Period, covers: Iterable[Period]) -> list[Period]:
    """The parts of *period* outside every period of *covers* (inclusive dates, None = open)."""
    parts = [period]
    for c_from, c_to in covers:
        rest: list[Period] = []
        for p_from, p_to in parts:
            overlaps = (c_to is None or p_from <= c_to) and (p_to is None or c_from <= p_to)
            if not overlaps:
                rest.append((p_from, p_to))
                continue
            if p_from < c_from:
                rest.append((p_from, c_from - ONE_DAY))
            if c_to is not None and (p_to is None or p_to > c_to):
                rest.append((c_to + ONE_DAY, p_to))
        parts = rest
    return sorted(parts, key=lambda p: p[0])


def _role_key(role: PartyRole) -> tuple[object, ...]:
    return (role.role_type, role.account_id, role.premise_id, role.service_agreement_id)


def _move_roles(session: Session, keep: Party, dup: Party) -> None:
    """Every role of the duplicate becomes the survivor's, trimmed by the R-A4 rule of
    `merge_parties`."""
    held: dict[tuple[object, ...], list[PartyRole]] = {}
    for role in session.scalars(select(PartyRole).where(PartyRole.party_id == keep.id)):
        held.setdefault(_role_key(role), []).append(role)
    moving = session.scalars(select(PartyRole).where(PartyRole.party_id == dup.id)
                             .order_by(PartyRole.effective_from, PartyRole.id)).all()
    for role in moving:
        same = held.setdefault(_role_key(role), [])
        parts = _subtract((role.effective_from, role.effective_to),
                          [(r.effective_from, r.effective_to) for r in same])
        if not parts:
            if role.is_main:
                covering = [r for r in same if (r.effective_to is None
                                                or role.effective_from <= r.effective_to)
                            and (role.effective_to is None
                                 or r.effective_from <= role.effective_to)]
                covering[0].is_main = True
            session.delete(role)
            continue
        role.party_id = keep.id
        role.effective_from, role.effective_to = parts[0]
        same.append(role)
        for start, end in parts[1:]:
            copy = PartyRole(
                party_id=keep.id, role_type=role.role_type, account_id=role.account_id,
                premise_id=role.premise_id, service_agreement_id=role.service_agreement_id,
                effective_from=start, effective_to=end,
                granted_by_party_id=role.granted_by_party_id, is_main=role.is_main,
                comments=role.comments)
            session.add(copy)
            same.append(copy)
    session.flush()


def _move_contacts_and_identifiers(session: Session, keep: Party, dup: Party) -> None:
    """Dropped rows are deleted explicitly (not as orphans), so the audit trail lists them."""
    have = {(c.kind, c.value) for c in keep.contacts}
    primary = {c.kind for c in keep.contacts if c.is_primary}
    for contact in list(dup.contacts):
        if (contact.kind, contact.value) in have:
            dup.contacts.remove(contact)          # the same number or address: dropped
            session.delete(contact)
            continue
        if contact.is_primary and contact.kind in primary:
            contact.is_primary = False
        have.add((contact.kind, contact.value))
        keep.contacts.append(contact)
    known = {(i.kind, i.value) for i in keep.identifiers}
    for identifier in list(dup.identifiers):
        if (identifier.kind, identifier.value) in known:
            dup.identifiers.remove(identifier)
            session.delete(identifier)
        else:
            keep.identifiers.append(identifier)


def _move_preferences(session: Session, keep: Party, dup: Party) -> None:
    def key(p: CommunicationPreference) -> tuple[object, ...]:
        return (p.correspondence_type, p.account_id, p.premise_id)

    have = {key(p) for p in session.scalars(select(CommunicationPreference)
                                            .where(CommunicationPreference.party_id == keep.id))}
    for pref in session.scalars(select(CommunicationPreference)
                                .where(CommunicationPreference.party_id == dup.id)):
        if key(pref) in have:
            session.delete(pref)                  # the survivor's own choice wins
        else:
            pref.party_id = keep.id


def _fill_gaps(keep: Party, dup: Party) -> None:
    if keep.date_of_birth is None and dup.date_of_birth is not None:
        keep.date_of_birth = dup.date_of_birth
    if not keep.mailing_line1 and dup.mailing_line1:
        keep.mailing_line1, keep.mailing_line2 = dup.mailing_line1, dup.mailing_line2
        keep.mailing_city, keep.mailing_region = dup.mailing_city, dup.mailing_region
        keep.mailing_postal_code = dup.mailing_postal_code
        keep.mailing_country = dup.mailing_country
