"""Control Central's 360° view of one account (spec/60 §A8.4) and the caller's authority (R-A8).

    view = account_dashboard(db, "2000000017")
    authority = caller_authority(db, "2000000017", caller_party_number="0000000010")

Views show these DTOs (defined in `app.services.dashboard_dto`, re-exported here); every amount
is already formatted or a Decimal computed here.
Later features (cases, appointments, quotes, loans) add their zones with `register_zone` and
their alerts with `app.services.alerts.register_alert`.

One read-only session, a fixed number of set-based queries (a dozen, whatever the size of the
account), each an index look-up or range on the account, its customer, its agreements (at most
MAX_AGREEMENTS) or their premises (at most MAX_PREMISES); every list is bounded. The queries for
the account, its financials, agreements and premises are in `app.services.dashboard_queries`;
the roles, callers and authority ones are here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.db import Database
from app.models import (
    Account,
    Bill,
    Party,
    PartyRole,
    ServiceAgreement,
    ServiceAgreementServicePoint,
)
from app.models.enums import AccountStatus, PartyStatus, RoleType, SAStatus
from app.services import context
from app.services.alerts import (
    Alert,
    AlertFacts,
    CallerFact,
    PremiseFact,
    collect_alerts,
    load_medical,
    load_recent_bills,
)
from app.services.dashboard_dto import (
    AccountDashboard,
    AccountSummary,
    AgreementRow,
    Authority,
    Caller,
    DashboardZone,
    MonthlyFinancials,
    PremiseRow,
    RoleRow,
    ServicePointRow,
)
from app.services.dashboard_queries import (
    CENT,
    FINANCIAL_MONTHS,
    MAX_AGREEMENTS,
    MAX_SERVICE_POINT_ROWS,
    MILLI,
    AccountHead,
    LoadedAgreement,
    add_months,
    as_date,
    load_agreements,
    load_financials,
    load_head,
    load_premises,
)
from app.services.errors import NotFound
from app.services.lookup import check_identifier

#: Bounds of the lists the view shows (current / newest first); see also MAX_AGREEMENTS and
#: MAX_SERVICE_POINT_ROWS in `app.services.dashboard_queries`.
MAX_PREMISES = 100
MAX_ROLES = 500
MAX_OTHER_ACCOUNTS = 50
#: With no current agreement, premises of agreements ended up to this many days ago are shown.
RECENT_PREMISE_DAYS = 365
#: showcase_account looks at this many accounts at most (per criterion).
SHOWCASE_CANDIDATES = 500
#: Role order in the roles zone and the caller list: owner first, then administrators, payers…
ROLE_ORDER = (RoleType.OWNER, RoleType.ADMINISTRATOR, RoleType.PAYER, RoleType.HOLDER,
              RoleType.TENANT, RoleType.APPLICANT, RoleType.CONTACT, RoleType.PROPERTY_OWNER)
AUTHORITY_ROLES = (RoleType.OWNER, RoleType.ADMINISTRATOR)
#: Made once: a new alias per call costs SQLAlchemy milliseconds of column adaptation.
_GRANTER = aliased(Party, name="granter")


#: A zone provider: (session, account id, today) -> zone, or None to show nothing.
ZoneProvider = Callable[[Session, int, dt.date], DashboardZone | None]

_ZONES: dict[str, ZoneProvider] = {}


def register_zone(key: str, provider: ZoneProvider) -> None:
    """Add (or replace) zone *key*; zones show in the order they were first registered."""
    _ZONES[key] = provider


def unregister_zone(key: str) -> None:
    _ZONES.pop(key, None)


# ------------------------------------------------------------------------------------ helpers


def _open_on(on: dt.date) -> ColumnElement[bool]:
    return and_(PartyRole.effective_from <= on,
                or_(PartyRole.effective_to.is_(None), PartyRole.effective_to >= on))


def _role_rank(role: RoleType) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)


def _account_id(session: Session, account_number: str) -> tuple[int, str]:
    digits = check_identifier(account_number, "account")
    found = session.scalar(select(Account.id).where(Account.number == digits))
    if found is None:
        raise NotFound(f"There is no account {digits}. Check the number.")
    return found, digits


# ------------------------------------------------------------------------------ the queries
# (the account, its financials, agreements and premises: `app.services.dashboard_queries`)


def _zone_premise_ids(agreements: list[LoadedAgreement], on: dt.date) -> list[int]:
    """Premises of the current agreements; with none, of those ended within the last year."""
    chosen = [a for a in agreements if a.is_current]
    if not chosen:
        since = on - dt.timedelta(days=RECENT_PREMISE_DAYS)
        chosen = [a for a in agreements if a.fact.end_date is None or a.fact.end_date >= since]
    ids: list[int] = []
    for agreement in chosen:
        ids.extend(p[0] for p in agreement.premises if p[0] not in ids)
    return ids[:MAX_PREMISES]


@dataclass(frozen=True)
class _Role:
    role_type: RoleType
    party_id: int
    party_number: str
    party_name: str
    on_account: bool
    sa_number: str
    effective_from: dt.date
    effective_to: dt.date | None
    granted_by: str


def _open_roles(session: Session, account_id: int, on: dt.date) -> list[_Role]:
    """Roles open on *on* on the account and its agreements (not canceled), of parties not
    merged away; bounded (account roles are read first); owner first, then administrators,
    payers, holders…"""
    granter = _GRANTER

    def roles(kind: int, sa_number: Any) -> Any:
        return (
            select(literal_column(str(kind)).label("kind"), PartyRole.id.label("role_id"),
                   PartyRole.role_type, Party.id, Party.number, Party.display_name,
                   sa_number.label("sa_number"), PartyRole.effective_from,
                   PartyRole.effective_to, granter.display_name.label("granted_by"))
            .join(Party, Party.id == PartyRole.party_id)
            .outerjoin(granter, granter.id == PartyRole.granted_by_party_id)
            .where(_open_on(on), Party.status != PartyStatus.MERGED)
        )

    on_agreements = (roles(1, ServiceAgreement.number)
                     .join(ServiceAgreement, ServiceAgreement.id == PartyRole.service_agreement_id)
                     .where(ServiceAgreement.account_id == account_id,
                            ServiceAgreement.is_proposal.is_(False),
                            ServiceAgreement.status != SAStatus.CANCELED))
    both = union_all(roles(0, null()).where(PartyRole.account_id == account_id),
                     on_agreements).subquery()
    found = [
        _Role(RoleType(role_type), party_id, number, name, kind == 0, sa_number or "",
              as_date(start), None if end is None else as_date(end), granted_by or "")
        for kind, _id, role_type, party_id, number, name, sa_number, start, end, granted_by
        in session.execute(select(both).order_by(both.c.kind, both.c.role_id).limit(MAX_ROLES))
    ]
    found.sort(key=lambda r: (_role_rank(r.role_type), not r.on_account, r.sa_number,
                              r.party_name, r.party_number))
    return found


def _authority_parties(roles: list[_Role]) -> set[int]:
    return {r.party_id for r in roles if r.on_account and r.role_type in AUTHORITY_ROLES}


def _other_accounts(session: Session, customer_id: int,
                    account_id: int) -> tuple[tuple[str, str], ...]:
    rows = session.execute(
        select(Account.number, Account.description, Account.status)
        .where(Account.customer_id == customer_id, Account.id != account_id)
        .order_by(Account.id).limit(MAX_OTHER_ACCOUNTS)
    )
    return tuple(
        (number, (description or "")
         + ("" if status is AccountStatus.ACTIVE else f" ({status.label.lower()})"))
        for number, description, status in rows
    )


def _role_list(roles: list[_Role]) -> str:
    labels: list[str] = []
    for role in sorted(roles, key=lambda r: _role_rank(r.role_type)):
        if role.role_type.label not in labels:
            labels.append(role.role_type.label)
    return ", ".join(labels)


def _callers(roles: list[_Role]) -> list[Caller]:
    authority = _authority_parties(roles)
    by_party: dict[int, list[_Role]] = {}
    for role in roles:
        by_party.setdefault(role.party_id, []).append(role)
    callers = [Caller(held[0].party_number, held[0].party_name, _role_list(held), pid in authority)
               for pid, held in by_party.items()]
    callers.sort(key=lambda c: (not c.has_authority, c.party_name, c.party_number))
    return callers


def _caller_party(session: Session, text: str) -> tuple[int, str, str]:
    """(id, number, name) of the caller's party; a malformed or unknown number is an error."""
    digits = check_identifier(text, "caller")
    row = session.execute(
        select(Party.id, Party.number, Party.display_name).where(Party.number == digits)
    ).one_or_none()
    if row is None:
        raise NotFound(f"There is no person or organisation {digits}. Check the caller's number.")
    return row[0], row[1], row[2]


def _resolve_caller(session: Session, caller_party_number: str,
                    roles: list[_Role]) -> tuple[Caller, CallerFact]:
    """The caller given by party number, or by a subscriber's e-mail (which grants nothing)."""
    text = caller_party_number.strip()
    if "@" in text:
        return Caller("", text, "Subscriber", False), CallerFact(text, False, is_subscriber=True)
    party_id, number, name = _caller_party(session, text)
    allowed = party_id in _authority_parties(roles)
    held = [r for r in roles if r.party_id == party_id]
    return Caller(number, name, _role_list(held), allowed), CallerFact(name, allowed)


def _next_bill_date(head: AccountHead, last_bill: dt.date | None,
                    agreements: list[LoadedAgreement]) -> dt.date | None:
    """Last bill + one billing period; with no bill yet, the earliest supplied agreement's start
    + one period; None when nothing is supplied (no active or pending-stop agreement)."""
    supplied = [a.fact.start_date for a in agreements
                if a.fact.status in (SAStatus.ACTIVE, SAStatus.PENDING_STOP)]
    if not supplied:
        return None
    return add_months(last_bill or min(supplied), head.frequency_months)


# ------------------------------------------------------------------------------ the services


def account_dashboard(db: Database, account_number: str,
                      caller_party_number: str | None = None, *,
                      on: dt.date | None = None) -> AccountDashboard:
    """Everything Control Central shows about one account, as of *on* (default: today)."""
    day = on or context.today()
    with context.read_only(db) as session:
        head = load_head(session, account_number, day)
        account_id, number = head.account_id, head.summary.account_number
        bills = load_recent_bills(session, account_id)
        financials = load_financials(session, account_id, day)
        agreements = load_agreements(session, account_id, day)
        premises = load_premises(session, _zone_premise_ids(agreements, day), day)
        roles = _open_roles(session, account_id, day)
        medical = load_medical(
            session, day, (account_id, number),
            {a.id: a.fact.number for a in agreements if a.is_current},
            {i: (p.number, p.address) for i, p in premises},
        )
        other_accounts = _other_accounts(session, head.customer_id, account_id)
        caller, caller_fact = None, None
        if caller_party_number is not None and caller_party_number.strip():
            caller, caller_fact = _resolve_caller(session, caller_party_number, roles)
        last = bills[0] if bills else None
        summary = replace(
            head.summary,
            last_bill_date=last.bill_date if last else None,
            last_bill_amount=last.amount if last else None,
            next_bill_date=_next_bill_date(head, last.bill_date if last else None, agreements),
        )
        alerts = collect_alerts(AlertFacts(
            session=session, account_id=account_id, account_number=number,
            customer_number=summary.customer_number, today=day, currency=summary.currency,
            balance=summary.balance, recent_bills=bills,
            agreements=tuple(a.fact for a in agreements),
            premises=tuple(PremiseFact(p.number, p.address, p.parent_number, p.parent_address,
                                       p.landlord, p.child_count) for _i, p in premises),
            medical=medical, open_accounts=head.open_accounts, subscribers=head.subscribers,
            caller=caller_fact,
        ))
        zones = tuple(zone for provider in list(_ZONES.values())
                      if (zone := provider(session, account_id, day)) is not None)
    authority = _authority_parties(roles)
    return AccountDashboard(
        summary=summary,
        alerts=alerts,
        roles=tuple(
            RoleRow(r.party_number, r.party_name, r.role_type.label,
                    "Account" if r.on_account else f"Service agreement {r.sa_number}",
                    r.effective_from, r.effective_to,
                    r.granted_by if r.role_type is RoleType.ADMINISTRATOR else "",
                    r.party_id in authority)
            for r in roles
        ),
        premises=tuple(p for _i, p in premises),
        agreements=tuple(
            AgreementRow(a.fact.number, a.fact.sa_type, a.fact.service_type,
                         a.fact.status.label, a.rate, a.fact.start_date, a.fact.end_date,
                         a.premises[0][2] if a.premises else "")
            for a in agreements
        ),
        financials=financials,
        other_accounts=other_accounts,
        zones=zones,
        caller=caller,
        agreement_count=head.agreement_count,
    )


def callers_of(db: Database, account_number: str, *,
               on: dt.date | None = None) -> list[Caller]:
    """Parties with an open role on the account or its agreements, authority holders first."""
    with context.read_only(db) as session:
        account_id, _digits = _account_id(session, account_number)
        return _callers(_open_roles(session, account_id, on or context.today()))


def caller_authority(db: Database, account_number: str,
                     caller_party_number: str | None, *,
                     on: dt.date | None = None) -> Authority:
    """R-A8: owner or administrator on the account today; None means "unknown caller"; a
    subscriber's e-mail is never a party and never has authority (R-A9)."""
    with context.read_only(db) as session:
        account_id, digits = _account_id(session, account_number)
        text = (caller_party_number or "").strip()
        if not text:
            return Authority(False, "Unknown caller: only the account's owner or an "
                                    "administrator may ask for changes, so actions need an "
                                    "override reason.")
        if "@" in text:
            return Authority(False, f"{text} is a subscriber: subscribers receive copies of "
                                    "correspondence but have no authority on the account, so "
                                    "actions need an override reason.")
        party_id, _number, name = _caller_party(session, text)
        allowed = session.scalar(select(exists().where(
            PartyRole.party_id == party_id, PartyRole.account_id == account_id,
            PartyRole.role_type.in_(AUTHORITY_ROLES), _open_on(on or context.today()),
        )))
    if allowed:
        return Authority(True, "")
    return Authority(False, f"{name} is not owner or administrator of account {digits} today: "
                            "actions need an override reason.")


def showcase_account(db: Database) -> str | None:
    """An account worth a screenshot: active, with an administrator or payer, at least two
    service points and bills, among the first SHOWCASE_CANDIDATES accounts holding such a role;
    else an active account with bills among the first SHOWCASE_CANDIDATES; else the first."""
    with context.read_only(db) as session:
        delegated = (select(PartyRole.account_id)
                     .where(PartyRole.account_id.is_not(None),
                            PartyRole.role_type.in_((RoleType.ADMINISTRATOR, RoleType.PAYER)))
                     .order_by(PartyRole.account_id).limit(SHOWCASE_CANDIDATES))
        has_bills = exists().where(Bill.account_id == Account.id)
        link = ServiceAgreementServicePoint
        points = (select(func.count(func.distinct(link.service_point_id)))
                  .join(ServiceAgreement, ServiceAgreement.id == link.service_agreement_id)
                  .where(ServiceAgreement.account_id == Account.id).scalar_subquery())
        active = Account.status == AccountStatus.ACTIVE
        first = select(Account.id).order_by(Account.id).limit(SHOWCASE_CANDIDATES)
        for where in ((Account.id.in_(delegated), active, has_bills, points >= 2),
                      (Account.id.in_(first), active, has_bills),
                      ()):
            found = session.scalar(
                select(Account.number).where(*where).order_by(Account.id).limit(1))
            if found is not None:
                return found
    return None


__all__ = [
    "AUTHORITY_ROLES", "CENT", "FINANCIAL_MONTHS", "MAX_AGREEMENTS", "MAX_OTHER_ACCOUNTS",
    "MAX_PREMISES", "MAX_ROLES", "MAX_SERVICE_POINT_ROWS", "MILLI", "RECENT_PREMISE_DAYS",
    "ROLE_ORDER", "SHOWCASE_CANDIDATES",
    "AccountDashboard", "AccountSummary", "AgreementRow", "Alert", "Authority", "Caller",
    "DashboardZone", "MonthlyFinancials", "PremiseRow", "RoleRow", "ServicePointRow",
    "ZoneProvider",
    "account_dashboard", "add_months", "caller_authority", "callers_of", "register_zone",
    "showcase_account", "unregister_zone",
]


# Features that add zones and alerts register them when imported.
from app.services import (  # noqa: E402,F401  (their zones and alerts)
    appointment_zone,
    case_zone,
    loan_zone,
    quote_zone,
)
