"""Premise Management (spec/60 §B1.4–§B1.5, §B1.8): find premises by landlord, parent premise,
account and location, a page of 50 at a time, and change the parent premise or the landlord of
up to 50 chosen premises in one transaction.

    criteria = PremiseCriteria(parent=LinkFilter.LINKED_TO_THIS, parent_premise_number="…",
                               account=LinkFilter.NOT_LINKED_TO_ANY)
    page = find_premises(db, criteria)              # the condos of a complex nobody supplies
    assign_landlord(db, actor, [row.ref for row in page.rows], "…", include_children=True)

Starting and stopping service for many premises at once is `premise_start_stop`.

Rules:
* Filters are AND-ed; at least one must be positive ("Linked to …" or any location filter);
  a search of only "Not linked …" filters is refused (L10811–10812). A "This …" filter needs its
  number, and the number must exist.
* *Linked to an account*: an agreement of the account that is neither canceled nor closed
  supplies a service point at the premise. *Linked to a parent*: the direct parent.
* Results in postal code, address, premise order, 50 a page; the count is exact up to
  COUNT_LIMIT (20 pages) and "more than" beyond, so a broad filter never counts a million rows.
* A mass action takes the premises as the grid showed them (number and version): a premise
  someone changed since the search is reported and nothing is saved. Every failure lists the
  premises it concerns; nothing is half-saved.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from app.db import Database
from app.engine.search_keys import fold
from app.models import (
    Account,
    Customer,
    LandlordAgreement,
    Party,
    Premise,
    PremiseGeo,
    ServiceAgreement,
    ServiceAgreementServicePoint,
    ServicePoint,
)
from app.models.enums import PremiseType, SAStatus, StrEnum, UserRole
from app.services.common import get_by_number
from app.services.context import Actor, read_only, today, transaction
from app.services.errors import ConcurrentChange, ValidationError
from app.services.premises import (
    address_summary,
    assignable_landlord,
    descendants,
    set_landlord_in,
    set_parent_in,
)

EDITORS = (UserRole.CSR, UserRole.SUPERVISOR)
PAGE_SIZE = 50
#: At most this many premises are chosen for one mass action (L10877–10878).
MAX_SELECTION = 50
#: Results are counted exactly up to this many.
COUNT_LIMIT = 1_000
#: Agreements that link a premise to an account (the Account Information column, L10889–10891).
LINKING = (SAStatus.PENDING_START, SAStatus.ACTIVE, SAStatus.PENDING_STOP, SAStatus.STOPPED)


class LinkFilter(StrEnum):
    NOT_APPLICABLE = "NOT_APPLICABLE"
    LINKED_TO_THIS = "LINKED_TO_THIS"
    NOT_LINKED_TO_THIS = "NOT_LINKED_TO_THIS"
    LINKED_TO_ANY = "LINKED_TO_ANY"
    NOT_LINKED_TO_ANY = "NOT_LINKED_TO_ANY"

    @property
    def positive(self) -> bool:
        return self in (LinkFilter.LINKED_TO_THIS, LinkFilter.LINKED_TO_ANY)

    @property
    def needs_key(self) -> bool:
        return self in (LinkFilter.LINKED_TO_THIS, LinkFilter.NOT_LINKED_TO_THIS)

    def label_for(self, what: str) -> str:
        """"Linked to this landlord", "Not linked to any parent premise"…"""
        if self is LinkFilter.NOT_APPLICABLE:
            return "Not applicable"
        which = "this" if self.needs_key else "any"
        return f"{'Linked' if self.positive else 'Not linked'} to {which} {what}"


#: What each link filter of the criteria is about, as the pane and messages name it.
LANDLORD, PARENT, ACCOUNT = "landlord", "parent premise", "account"


class LocationFilter(StrEnum):
    NOT_APPLICABLE = "NOT_APPLICABLE"
    AT_ADDRESS = "AT_ADDRESS"
    AT_GEOGRAPHIC_VALUE = "AT_GEOGRAPHIC_VALUE"
    THIS_PREMISE = "THIS_PREMISE"


@dataclass(frozen=True)
class AddressCriteria:
    """Address constituents: the address line is matched anywhere in the first line, city and
    postal code by their beginning, region and country exactly; case and accents are ignored."""

    address_line: str = ""
    city: str = ""
    postal_code: str = ""
    region: str = ""
    country: str = ""

    def is_empty(self) -> bool:
        return not any(v.strip() for v in (self.address_line, self.city, self.postal_code,
                                           self.region, self.country))


@dataclass(frozen=True)
class PremiseCriteria:
    landlord: LinkFilter = LinkFilter.NOT_APPLICABLE
    landlord_agreement_number: str = ""
    parent: LinkFilter = LinkFilter.NOT_APPLICABLE
    parent_premise_number: str = ""
    account: LinkFilter = LinkFilter.NOT_APPLICABLE
    account_number: str = ""
    location: LocationFilter = LocationFilter.NOT_APPLICABLE
    address: AddressCriteria = field(default_factory=AddressCriteria)
    geo_type: str = ""
    geo_value: str = ""
    premise_number: str = ""


@dataclass(frozen=True)
class PremiseRef:
    """A premise as a result row showed it: a mass action refuses it if it changed since."""

    number: str
    version: int


@dataclass(frozen=True)
class AccountLink:
    """An account supplying the premise: its main party and its agreements' distinct statuses."""

    account_number: str
    party_name: str
    statuses: tuple[SAStatus, ...]

    @property
    def text(self) -> str:
        return f"{self.party_name} ({', '.join(s.label for s in self.statuses)})"


@dataclass(frozen=True)
class PremiseRow:
    number: str
    version: int
    premise_type: PremiseType
    address: str
    postal_code: str
    accounts: tuple[AccountLink, ...]
    parent_number: str
    parent_address: str
    landlord_agreement_number: str
    landlord_description: str
    child_count: int

    @property
    def ref(self) -> PremiseRef:
        return PremiseRef(self.number, self.version)

    @property
    def account_information(self) -> str:
        return ", ".join(link.text for link in self.accounts)


@dataclass(frozen=True)
class PremisePage:
    rows: tuple[PremiseRow, ...]
    page: int
    #: Matching premises, exact up to COUNT_LIMIT; `count_is_exact` False means "more than"
    #: (paging goes on past it: `has_next`).
    total: int
    count_is_exact: bool
    has_next: bool
    page_size: int = PAGE_SIZE

    @property
    def page_count(self) -> int:
        """Pages of the counted premises (more follow when the count is not exact)."""
        return max(1, -(-self.total // self.page_size), self.page)


@dataclass(frozen=True)
class MassResult:
    premise_count: int
    message: str


# ------------------------------------------------------------------------------ search


def check_criteria(criteria: PremiseCriteria) -> None:
    """Refuse criteria that cannot run, naming the filter (before any query)."""
    links = ((criteria.landlord, criteria.landlord_agreement_number, "landlord", LANDLORD,
              "the landlord agreement number"),
             (criteria.parent, criteria.parent_premise_number, "parent", PARENT,
              "the parent premise number"),
             (criteria.account, criteria.account_number, "account", ACCOUNT,
              "the account number"))
    positive = criteria.location is not LocationFilter.NOT_APPLICABLE
    for choice, key, name, about, what in links:
        positive = positive or choice.positive
        if choice.needs_key and not key.strip():
            raise ValidationError(f"Type {what} for “{choice.label_for(about)}”.", name)
    if not positive:
        raise ValidationError(
            "Specify at least one positive search criterion: a “Linked to …” filter or a "
            "location.", "criteria")
    if criteria.location is LocationFilter.AT_ADDRESS and criteria.address.is_empty():
        raise ValidationError("Type at least one part of the address (street, city, postal "
                              "code, region or country).", "address")
    if criteria.location is LocationFilter.AT_GEOGRAPHIC_VALUE and not (
            criteria.geo_type.strip() and criteria.geo_value.strip()):
        raise ValidationError("Type both the geographic type (e.g. LATLONG) and its value.",
                              "geo")
    if criteria.location is LocationFilter.THIS_PREMISE and not criteria.premise_number.strip():
        raise ValidationError("Type the premise number.", "premise")


def _linked_to_account(account_id: int | None) -> ColumnElement[bool]:
    conditions = [ServiceAgreementServicePoint.service_point_id == ServicePoint.id,
                  ServiceAgreement.id == ServiceAgreementServicePoint.service_agreement_id,
                  ServicePoint.premise_id == Premise.id,
                  ServiceAgreement.status.in_(LINKING)]
    if account_id is not None:
        conditions.append(ServiceAgreement.account_id == account_id)
    return exists(select(ServiceAgreementServicePoint.service_agreement_id)
                  .select_from(ServiceAgreementServicePoint)
                  .join(ServicePoint, ServicePoint.id == ServiceAgreementServicePoint
                        .service_point_id)
                  .join(ServiceAgreement, ServiceAgreement.id == ServiceAgreementServicePoint
                        .service_agreement_id)
                  .where(and_(*conditions)))


def _link_condition(choice: LinkFilter, column: Any,
                    key_id: int | None, linked: ColumnElement[bool] | None = None
                    ) -> ColumnElement[bool] | None:
    """The SQL of one link filter: on a foreign key column, or on an `exists` for accounts."""
    if choice is LinkFilter.NOT_APPLICABLE:
        return None
    if linked is not None:  # accounts: `linked` is the exists() for the key (or any account)
        return linked if choice.positive else ~linked
    assert column is not None
    if choice is LinkFilter.LINKED_TO_THIS:
        return column == key_id
    if choice is LinkFilter.NOT_LINKED_TO_THIS:
        return (column.is_(None)) | (column != key_id)
    if choice is LinkFilter.LINKED_TO_ANY:
        return column.is_not(None)
    return column.is_(None)


def _address_condition(address: AddressCriteria) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    line = fold(address.address_line)
    if line:
        conditions.append(Premise.search_address.contains(line, autoescape=True))
    if address.city.strip():
        conditions.append(func.lower(Premise.city).startswith(
            address.city.strip().lower(), autoescape=True))
    if address.postal_code.strip():
        conditions.append(Premise.postal_code.startswith(
            address.postal_code.strip().upper(), autoescape=True))
    if address.region.strip():
        conditions.append(func.lower(Premise.region) == address.region.strip().lower())
    if address.country.strip():
        conditions.append(Premise.country == address.country.strip().upper())
    return conditions


def _conditions(session: Session, criteria: PremiseCriteria) -> list[ColumnElement[bool]]:
    check_criteria(criteria)
    found: list[ColumnElement[bool] | None] = []
    landlord_id = (get_by_number(session, LandlordAgreement, criteria.landlord_agreement_number,
                                 "landlord agreement", "landlord").id
                   if criteria.landlord.needs_key else None)
    found.append(_link_condition(criteria.landlord, Premise.landlord_agreement_id, landlord_id))
    parent_id = (get_by_number(session, Premise, criteria.parent_premise_number, "premise",
                               "parent").id
                 if criteria.parent.needs_key else None)
    found.append(_link_condition(criteria.parent, Premise.parent_premise_id, parent_id))
    if criteria.account is not LinkFilter.NOT_APPLICABLE:
        account_id = (get_by_number(session, Account, criteria.account_number, "account",
                                    "account").id
                      if criteria.account.needs_key else None)
        found.append(_link_condition(criteria.account, None, None,
                                     _linked_to_account(account_id)))
    if criteria.location is LocationFilter.AT_ADDRESS:
        found.extend(_address_condition(criteria.address))
    elif criteria.location is LocationFilter.AT_GEOGRAPHIC_VALUE:
        found.append(exists(select(PremiseGeo.premise_id).where(
            PremiseGeo.premise_id == Premise.id,
            PremiseGeo.geo_type == criteria.geo_type.strip().upper(),
            PremiseGeo.geo_value == criteria.geo_value.strip())))
    elif criteria.location is LocationFilter.THIS_PREMISE:
        premise = get_by_number(session, Premise, criteria.premise_number, "premise", "premise")
        found.append(Premise.id == premise.id)
    return [c for c in found if c is not None]


def find_premises(db: Database, criteria: PremiseCriteria, page: int = 1) -> PremisePage:
    """One page of the premises that match every filter (spec/60 §B1.4), with the grid's
    columns (§B1.5)."""
    if page < 1:
        raise ValidationError("Pages are numbered from 1.", "page")
    with read_only(db) as session:
        conditions = _conditions(session, criteria)
        matching = select(Premise.id).where(*conditions)
        total = session.scalar(select(func.count()).select_from(
            matching.limit(COUNT_LIMIT + 1).subquery())) or 0
        ids = list(session.scalars(
            matching.order_by(Premise.postal_code, Premise.search_address, Premise.id)
            .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
        return PremisePage(tuple(premise_rows(session, ids[:PAGE_SIZE])), page,
                           min(total, COUNT_LIMIT), total <= COUNT_LIMIT,
                           len(ids) > PAGE_SIZE)


def premise_rows(session: Session, ids: Sequence[int]) -> list[PremiseRow]:
    """The grid's columns for the given premises, in the given order (three queries)."""
    if not ids:
        return []
    parent = aliased(Premise)
    child = aliased(Premise)
    children = (select(func.count()).where(child.parent_premise_id == Premise.id)
                .correlate(Premise).scalar_subquery())
    heads = {row[0].id: row for row in session.execute(
        select(Premise, parent, LandlordAgreement.number, LandlordAgreement.description,
               children)
        .outerjoin(parent, parent.id == Premise.parent_premise_id)
        .outerjoin(LandlordAgreement, LandlordAgreement.id == Premise.landlord_agreement_id)
        .where(Premise.id.in_(ids)))}
    links = _account_links(session, ids)
    rows = []
    for pid in ids:
        premise, up, landlord_number, landlord_description, count = heads[pid]
        rows.append(PremiseRow(
            premise.number, premise.version, premise.premise_type, address_summary(premise),
            premise.postal_code, tuple(links.get(pid, ())),
            up.number if up is not None else "", address_summary(up) if up is not None else "",
            landlord_number or "", landlord_description or "", int(count or 0)))
    return rows


_STATUS_ORDER = {status: i for i, status in enumerate(SAStatus)}


def _account_links(session: Session, ids: Sequence[int]) -> dict[int, list[AccountLink]]:
    """Per premise: every account whose live or stopped agreement supplies a point there, with
    the account's main party and the distinct statuses of those agreements."""
    found: dict[int, dict[int, set[SAStatus]]] = defaultdict(lambda: defaultdict(set))
    for premise_id, account_id, status in session.execute(
        select(ServicePoint.premise_id, ServiceAgreement.account_id, ServiceAgreement.status)
        .join(ServiceAgreementServicePoint,
              ServiceAgreementServicePoint.service_point_id == ServicePoint.id)
        .join(ServiceAgreement,
              ServiceAgreement.id == ServiceAgreementServicePoint.service_agreement_id)
        .where(ServicePoint.premise_id.in_(ids), ServiceAgreement.status.in_(LINKING))
        .distinct()
    ):
        found[premise_id][account_id].add(status)
    account_ids = {a for per in found.values() for a in per}
    names = {aid: (number, name) for aid, number, name in session.execute(
        select(Account.id, Account.number, Party.display_name)
        .join(Customer, Customer.id == Account.customer_id)
        .join(Party, Party.id == Customer.legal_party_id)
        .where(Account.id.in_(account_ids)))} if account_ids else {}
    links: dict[int, list[AccountLink]] = {}
    for premise_id, per_account in found.items():
        links[premise_id] = sorted(
            (AccountLink(names[aid][0], names[aid][1],
                         tuple(sorted(statuses, key=_STATUS_ORDER.__getitem__)))
             for aid, statuses in per_account.items()),
            key=lambda link: (link.party_name, link.account_number))
    return links


# ------------------------------------------------------------------------------ mass actions


def chosen_premises(session: Session, chosen: Sequence[PremiseRef], *,
                    include_children: bool = False, lock: bool = True) -> list[Premise]:
    """The chosen premises, locked and checked against the versions the grid showed, then
    (when asked) every premise below them; refused beyond MAX_SELECTION chosen."""
    if not chosen:
        raise ValidationError("Tick at least one premise first.", "selection")
    numbers = sorted({ref.number for ref in chosen})
    if len(numbers) > MAX_SELECTION:
        raise ValidationError(
            f"{len(numbers)} premises are ticked; a mass action takes at most {MAX_SELECTION}. "
            "Work page by page.", "selection")
    query = select(Premise).where(Premise.number.in_(numbers)).order_by(Premise.number)
    premises = list(session.scalars(query.with_for_update() if lock else query))
    by_number = {p.number: p for p in premises}
    missing = [n for n in numbers if n not in by_number]
    if missing:
        raise ValidationError(f"Premise {', '.join(missing)} no longer exists; search again. "
                              "Nothing was changed.", "selection")
    changed = [by_number[ref.number] for ref in chosen
               if by_number[ref.number].version != ref.version]
    if changed:
        who = "; ".join(f"{p.number} by {p.updated_by} at {p.updated_at:%Y-%m-%d %H:%M}"
                        for p in changed)
        raise ConcurrentChange(
            f"Premises were changed since your search ({who}). Nothing was changed; search "
            "again to see their changes, then repeat the action.")
    if include_children:
        below = descendants(session, [p.id for p in premises])
        for start in range(0, len(below), 500):
            extra = session.scalars(
                select(Premise).where(Premise.id.in_(below[start:start + 500]))
                .order_by(Premise.id))
            premises.extend(extra)
    return premises


def _refuse(problems: Iterable[tuple[str, str]], field: str) -> None:
    listed = list(problems)
    if listed:
        raise ValidationError(
            "Nothing was changed: " + "; ".join(f"premise {n}: {why}" for n, why in listed)
            + ".", field)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def assign_parent(db: Database, actor: Actor, chosen: Sequence[PremiseRef],
                  parent_number: str) -> MassResult:
    """Give every chosen premise the same parent (§B1.8): the parent may not be one of them,
    and no premise may end up below itself."""
    actor.require("change premises", *EDITORS)
    with transaction(db, actor) as session:
        parent = get_by_number(session, Premise, parent_number, "premise", "parent")
        premises = chosen_premises(session, chosen)
        if any(p.id == parent.id for p in premises):
            raise ValidationError(
                f"Premise {parent.number} is ticked itself; untick it or choose another parent. "
                "Nothing was changed.", "parent")
        problems = []
        for premise in premises:
            try:
                set_parent_in(session, premise, parent)
            except ValidationError as exc:
                problems.append((premise.number, exc.message.rstrip(".")))
        _refuse(problems, "parent")
        return MassResult(len(premises), f"{_plural(len(premises), 'premise')} now under "
                                         f"{address_summary(parent)} ({parent.number}).")


def remove_parent(db: Database, actor: Actor, chosen: Sequence[PremiseRef]) -> MassResult:
    actor.require("change premises", *EDITORS)
    with transaction(db, actor) as session:
        premises = chosen_premises(session, chosen)
        for premise in premises:
            set_parent_in(session, premise, None)
        return MassResult(len(premises),
                          f"{_plural(len(premises), 'premise')} no longer under a parent.")


def assign_landlord(db: Database, actor: Actor, chosen: Sequence[PremiseRef],
                    landlord_agreement_number: str, *, include_children: bool = False,
                    effective: dt.date | None = None) -> MassResult:
    """Link the premises (and, when asked, every premise below them) to one landlord agreement,
    replacing any other: this is how a landlord changes (§B1.8, portfolio sale of §B1.3)."""
    actor.require("change landlords", *EDITORS)
    day = effective or today()
    with transaction(db, actor) as session:
        agreement = assignable_landlord(session, landlord_agreement_number)
        premises = chosen_premises(session, chosen, include_children=include_children)
        for premise in premises:
            set_landlord_in(session, premise, agreement, day)
        return MassResult(len(premises), f"{_plural(len(premises), 'premise')} now linked to "
                                         f"landlord agreement {agreement.number} "
                                         f"({agreement.description}).")


def remove_landlord(db: Database, actor: Actor, chosen: Sequence[PremiseRef], *,
                    include_children: bool = False,
                    effective: dt.date | None = None) -> MassResult:
    actor.require("change landlords", *EDITORS)
    day = effective or today()
    with transaction(db, actor) as session:
        premises = chosen_premises(session, chosen, include_children=include_children)
        for premise in premises:
            set_landlord_in(session, premise, None, day)
        return MassResult(len(premises),
                          f"{_plural(len(premises), 'premise')} no longer linked to a landlord.")


def describe_criteria(criteria: PremiseCriteria) -> str:
    """A one-line summary of the filters, for the pane's status line and history."""
    parts = []
    for choice, key, what in ((criteria.landlord, criteria.landlord_agreement_number, LANDLORD),
                              (criteria.parent, criteria.parent_premise_number, PARENT),
                              (criteria.account, criteria.account_number, ACCOUNT)):
        if choice is not LinkFilter.NOT_APPLICABLE:
            label = choice.label_for(what)
            parts.append(f"{label} {key.strip()}" if choice.needs_key else label)
    if criteria.location is LocationFilter.AT_ADDRESS:
        a = criteria.address
        parts.append("at " + ", ".join(x for x in (a.address_line, a.city, a.postal_code,
                                                    a.region, a.country) if x.strip()))
    elif criteria.location is LocationFilter.AT_GEOGRAPHIC_VALUE:
        parts.append(f"at {criteria.geo_type.upper()} {criteria.geo_value}")
    elif criteria.location is LocationFilter.THIS_PREMISE:
        parts.append(f"premise {criteria.premise_number}")
    return "; ".join(parts)

