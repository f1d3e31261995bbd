"""Control Central search: find any customer by name, ID, address, postal code, phone, e-mail,
meter badge, service agreement or service point (spec/60 §A8.1).

    page = search(db, "okafor, ng")            # the kind is recognised from what was typed
    page = search(db, "62701", SearchKind.POSTAL_CODE, page=1)

Every kind is an index look-up or an index range scan on a search key (migration 0003); every
result is one page of at most `page_size` rows. `%`, `_` and quotes are literal characters.

A page takes a bounded number of set-based queries: the *anchors* the key matched (parties,
accounts, premises, service points, subscriptions) in result order, at most
`(page + 1) * page_size + 1` (one ordered, limited index scan per source); their *expansion*
into rows, one per (party, account), with one IN query per anchor kind (every anchor gives at
least one row, so they fill the page and tell whether there is more); and the *details* of the
page's rows only (parties, accounts, roles, main premises, addresses).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, null, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.db import Database
from app.engine.identifiers import ID_LENGTH
from app.engine.search_keys import PHONE_SUFFIX_DIGITS, fold, name_variants
from app.models.accounts import Account, Customer, Subscription
from app.models.enums import ContactKind, PartyStatus, RoleType, SAStatus, StrEnum
from app.models.parties import Party, PartyContact
from app.models.premises import Premise
from app.models.roles import PartyRole
from app.models.service_agreements import ServiceAgreement
from app.models.service_agreements import ServiceAgreementServicePoint as SaSp
from app.models.service_points import DeviceInstallation, Meter, ServicePoint
from app.services.common import normalise_email
from app.services.context import read_only, today
from app.services.errors import ValidationError
from app.services.lookup import check_identifier

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
#: How deep paging reaches into one result; beyond it the CSR is asked to narrow the search.
MAX_ROWS = 1000
MIN_NAME_CHARS = 2
MIN_ADDRESS_CHARS = 3
MIN_POSTAL_CHARS = 3
#: At most this many link rows (roles, agreements) are read to expand one page of matches: a
#: party with roles on thousands of accounts shows the first of them in number order.
MAX_LINK_ROWS = 5_000
#: Above every character: `key >= p AND key < p || TOP` is the prefix range of p.
TOP = "\U0010ffff"

CURRENT_SA = (SAStatus.PENDING_START, SAStatus.ACTIVE, SAStatus.PENDING_STOP)
HISTORY_SA = (*CURRENT_SA, SAStatus.STOPPED, SAStatus.CLOSED)
_Key = ColumnElement[str] | InstrumentedAttribute[str]
_IdColumn = ColumnElement[int] | InstrumentedAttribute[int]
_ROLE_ORDER = {role: n for n, role in enumerate(RoleType)}


class SearchKind(StrEnum):
    NAME = "NAME"
    ACCOUNT_ID = "ACCOUNT_ID"
    PERSON_ID = "PERSON_ID"          # a party's number (person or organisation)
    CUSTOMER_ID = "CUSTOMER_ID"
    PREMISE_ID = "PREMISE_ID"
    ADDRESS = "ADDRESS"
    POSTAL_CODE = "POSTAL_CODE"
    PHONE = "PHONE"
    EMAIL = "EMAIL"
    METER_BADGE = "METER_BADGE"
    SA_ID = "SA_ID"
    SP_ID = "SP_ID"
    ANY_ID = "ANY_ID"                # a valid 10-digit ID: every kind of ID is tried


@dataclass(frozen=True)
class SearchHit:
    """One row of the result grid: a party, the account it has a role on, and a premise."""

    party_number: str
    party_name: str
    party_kind: str                 # "Person" / "Organisation"
    role: str                       # e.g. "Owner", "Administrator, Payer"; "" when none
    customer_number: str | None
    account_number: str | None
    account_status: str             # e.g. "Active", "Closed"; "" when no account
    premise_number: str | None
    premise_address: str            # "12 Elm St, Springfield 62701"; "" when none
    #: What matched when it is not the name: "Phone +15555550101", "Meter 4711", "Subscriber —
    #: no authority"…
    matched: str = ""


@dataclass(frozen=True)
class SearchPage:
    query: str
    kind: SearchKind
    hits: tuple[SearchHit, ...]
    page: int
    page_size: int
    has_more: bool
    #: How the kind was chosen: "recognised as a phone number", "as chosen"…
    note: str = ""


# ----------------------------------------------------------------------------- the kind typed

_NOTES = {SearchKind.NAME: "recognised as a name", SearchKind.ADDRESS: "recognised as an address",
          SearchKind.POSTAL_CODE: "recognised as a postal code",
          SearchKind.PHONE: "recognised as a phone number",
          SearchKind.EMAIL: "recognised as an e-mail address", SearchKind.ANY_ID: "searched as an ID"}
_ID_TEXT = re.compile(r"[0-9][0-9 \-]*", re.ASCII)
_PHONE_TEXT = re.compile(r"[0-9 ().\-/]+", re.ASCII)
#: Ten digits grouped as a North American number is written: 3, 3 and 4 digits.
_PHONE_GROUPS = re.compile(r"[0-9]{3}[ .\-][0-9]{3}[ .\-][0-9]{4}", re.ASCII)
_POSTAL = (
    re.compile(r"[0-9]{5}(?:-[0-9]{4})?", re.ASCII),                       # 62701, 62701-1234
    re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", re.ASCII),       # SW1A 1AA
    re.compile(r"[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9]", re.ASCII),              # K1A 0B1
)
#: A house number ("12", "12B", "12-14") followed by a word.
_ADDRESS = re.compile(r"[0-9]+[^\W\d_]?(?:[-/][0-9]+[^\W\d_]?)?\s+[^\W\d_]")
#: Letters, with the punctuation names carry: "O'Brien", "Smith-Jones, J.", "Ames & Co".
_NAME = re.compile(r"[^\W\d_](?:[^\W\d_]|[\s,'’.&\-])*")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if "0" <= ch <= "9")


def _bad_id(text: str) -> str | None:
    """Why a 10-digit text is not an ID (its check digit), or None when it is one."""
    try:
        check_identifier(text)
    except ValidationError as exc:
        return exc.message
    return None


def _is_phone(text: str, *, plain_ten: bool = False) -> bool:
    """Looks like a phone number (see detect_kind); with *plain_ten*, 10 plain digits too."""
    digits = _digits(text)
    if not 1 <= len(digits) <= 15 or not _PHONE_TEXT.fullmatch(text.removeprefix("+")):
        return False
    return text[0] in "+(" or len(digits) >= PHONE_SUFFIX_DIGITS and (
        plain_ten or not text.isdigit() or len(digits) not in (5, ID_LENGTH))


def detect_kind(text: str) -> SearchKind | None:
    """The kind of key typed, when it can be told from the text alone; None when the CSR must
    pick (raises ValidationError for a malformed ID, e.g. a bad check digit)."""
    t = text.strip().rstrip("*").strip()
    if not t:
        return None
    if _ID_TEXT.fullmatch(t) and len(_digits(t)) == ID_LENGTH:
        problem = _bad_id(t)
        if problem is None:
            return SearchKind.ANY_ID
        if _PHONE_GROUPS.fullmatch(t):  # "555-555-0101", "555 555 0101": read out as a phone
            return SearchKind.PHONE
        raise ValidationError(f"{problem} If it is a phone number, search with the kind Phone.",
                              "search")
    if "@" in t:
        return SearchKind.EMAIL
    if any(p.fullmatch(t.upper()) for p in _POSTAL):
        return SearchKind.POSTAL_CODE
    if _is_phone(t):
        return SearchKind.PHONE
    if _ADDRESS.match(t):
        return SearchKind.ADDRESS
    if _NAME.fullmatch(t):
        return SearchKind.NAME
    return None


# ------------------------------------------------------------------------------------- search


@dataclass(frozen=True)
class _Anchor:
    """Something the key matched; it becomes one or more rows."""

    what: str                       # "party" | "account" | "premise" | "sp" | "subscription"
    id: int
    matched: str = ""
    ref: int | None = None          # an SP's premise; a subscription's account; a customer
    label: str = ""                 # a subscriber's name or address


@dataclass(frozen=True)
class _Row:
    party_id: int | None
    account_id: int | None
    premise_id: int | None          # the matched premise; None: the account's main premise
    matched: str
    subscriber: str = ""


@dataclass(frozen=True)
class _Ctx:
    session: Session
    pg: bool
    today: dt.date
    history: bool
    limit: int                      # anchors (and rows) to read
    #: party id -> {account id: role types} (see _party_links); account id -> (number, customer)
    links: dict[int, dict[int, set[RoleType]]] = field(default_factory=dict)
    accounts: dict[int, tuple[str, int]] = field(default_factory=dict)

    def key(self, column: _Key) -> ColumnElement[str]:
        """A search key compared and ordered in byte order (its index's order)."""
        return column.collate("C") if self.pg else column  # type: ignore[return-value]

    def prefix(self, column: _Key, value: str) -> ColumnElement[bool]:
        key = self.key(column)
        return and_(key >= value, key < value + TOP)

    def role_current(self) -> ColumnElement[bool]:
        """Roles in force today (as the 360° view counts them); every role with history."""
        if self.history:
            return true()
        return and_(PartyRole.effective_from <= self.today,
                    or_(PartyRole.effective_to.is_(None), PartyRole.effective_to >= self.today))

    @property
    def sa_statuses(self) -> tuple[SAStatus, ...]:
        return HISTORY_SA if self.history else CURRENT_SA


def search(db: Database, text: str, kind: SearchKind | None = None, *,
           include_history: bool = False, page: int = 0,
           page_size: int = PAGE_SIZE) -> SearchPage:
    query = (text or "").strip()
    _check_request(query, page, page_size)
    kind, note = (None, "") if kind is None else (SearchKind(kind), "as chosen")
    if kind is None:
        kind = detect_kind(query)
        if kind is None:
            raise ValidationError(f"Switchboard cannot tell what '{query}' is: pick what kind "
                                  "of key it is (name, address, phone, e-mail, meter badge…) "
                                  "and search again.", "kind")
        note = _NOTES[kind]
    with read_only(db) as session:
        ctx = _Ctx(session, not db.is_sqlite, today(), include_history,
                   (page + 1) * page_size + 1)
        anchors, extra = _anchors(ctx, kind, query)
        if not anchors and kind is SearchKind.ANY_ID and _is_phone(query, plain_ten=True):
            kind, note = SearchKind.PHONE, "no ID matched, so searched as a phone number"
            anchors, extra = _anchors(ctx, kind, query)
        if not anchors and note == _NOTES[SearchKind.PHONE] and len(_digits(query)) == ID_LENGTH:
            problem = _bad_id(query)  # "555-555-0102" with no such phone: perhaps a typed ID
            if problem is not None:
                raise ValidationError(f"No customer has the phone number {query}; read as an "
                                      f"ID, {problem}", "search")
        rows = _expand(ctx, anchors)
        start = page * page_size
        hits = _hits(ctx, rows[start:start + page_size])
    return SearchPage(query, kind, tuple(hits), page, page_size,
                      len(rows) > start + page_size, note + extra)


def _check_request(query: str, page: int, page_size: int) -> None:
    """Refuse a page that does not exist and a search that would match everything."""
    if page < 0:
        raise ValidationError("Pages are numbered from 0.", "page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValidationError(f"Show from 1 to {MAX_PAGE_SIZE} rows per page.", "page_size")
    if (page + 1) * page_size > MAX_ROWS:
        raise ValidationError(f"Only the first {MAX_ROWS:,} matches can be paged through. "
                              "Narrow the search, e.g. type more of the name, add the first "
                              "name or the city.", "page")
    if not query:
        raise ValidationError("Type what to look for: a name, an ID, an address, a postal code, "
                              "a phone number, an e-mail address or a meter badge.", "search")
    if not query.strip("*%?_ \t"):
        raise ValidationError(f"'{query}' would match every customer. Type at least "
                              f"{MIN_NAME_CHARS} letters of a name, or an ID, an address, a "
                              "postal code, a phone number or an e-mail address.", "search")


# ------------------------------------------------------------------------------------ anchors


def _anchors(ctx: _Ctx, kind: SearchKind, query: str) -> tuple[list[_Anchor], str]:
    """What the key matched, in result order, at most ctx.limit; and a note to add."""
    finder = {SearchKind.NAME: _name_anchors, SearchKind.ADDRESS: _address_anchors,
              SearchKind.POSTAL_CODE: _postal_anchors, SearchKind.PHONE: _phone_anchors,
              SearchKind.EMAIL: _email_anchors}.get(kind)
    if finder is not None:
        return finder(ctx, query), ""
    if kind is SearchKind.METER_BADGE:
        return _badge_anchors(ctx, query)
    return _id_anchors(ctx, kind, check_identifier(query, "search")), ""


def _name_anchors(ctx: _Ctx, query: str) -> list[_Anchor]:
    text = query.rstrip("*").strip()
    if sum(ch not in " ," for ch in fold(text)) < MIN_NAME_CHARS:
        raise ValidationError(f"Type at least {MIN_NAME_CHARS} letters of the name, e.g. "
                              "'Okafor' or 'Okafor, Ng'.", "search")
    found: dict[int, str] = {}
    for variant in name_variants(text):   # each one an ordered range scan of (search_name, id)
        rows = ctx.session.execute(
            select(Party.id, Party.search_name)
            .where(ctx.prefix(Party.search_name, variant), Party.status != PartyStatus.MERGED)
            .order_by(ctx.key(Party.search_name), Party.id)
            .limit(ctx.limit)
        )
        found.update((pid, name) for pid, name in rows)
    ordered = sorted(found.items(), key=lambda item: (item[1], item[0]))[:ctx.limit]
    return [_Anchor("party", pid) for pid, _ in ordered]


def _address_anchors(ctx: _Ctx, query: str) -> list[_Anchor]:
    street, _, city = query.rstrip("*").partition(",")
    key = fold(street)
    if len(key) < MIN_ADDRESS_CHARS:
        raise ValidationError(f"Type at least {MIN_ADDRESS_CHARS} characters of the address, "
                              "e.g. '12 Elm' or 'Elm St', and optionally ', city'.", "search")
    house = any(ch.isdigit() for ch in key.partition(" ")[0])
    column = Premise.search_address if house else Premise.search_street
    condition: ColumnElement[bool] = ctx.prefix(column, key)
    town = " ".join(city.split()).lower()
    if town:
        condition = condition & func.lower(Premise.city).like(_like_prefix(town), escape="\\")
    # In address order, read from the range's own index (search_address or search_street, id):
    # ordering a street's premises by postal code would sort the whole range first.
    return _premise_anchors(ctx, condition, ctx.key(column))


def _postal_anchors(ctx: _Ctx, query: str) -> list[_Anchor]:
    code = " ".join(query.rstrip("*").upper().split())
    if len(code.replace(" ", "")) < MIN_POSTAL_CHARS:
        raise ValidationError(f"Type at least {MIN_POSTAL_CHARS} characters of the postal "
                              "code, e.g. '627' or 'SW1A'.", "search")
    zip4 = re.fullmatch(r"([0-9]{5})-[0-9]{4}", code)
    if zip4:  # a ZIP+4 is searched by its ZIP (most premises are stored with the ZIP only)
        code = zip4.group(1)
    condition = ctx.prefix(Premise.postal_code, code)
    return _premise_anchors(ctx, condition, ctx.key(Premise.postal_code),
                            ctx.key(Premise.search_address))


def _premise_anchors(ctx: _Ctx, condition: ColumnElement[bool],
                     *order: ColumnElement[str]) -> list[_Anchor]:
    ids = ctx.session.scalars(
        select(Premise.id).where(condition).order_by(*order, Premise.id).limit(ctx.limit)
    )
    return [_Anchor("premise", pid) for pid in ids]


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _phone_anchors(ctx: _Ctx, query: str) -> list[_Anchor]:
    digits = _digits(query).lstrip("0")   # "00 44…" and a trunk "0…" are not stored
    if len(digits) < PHONE_SUFFIX_DIGITS:
        raise ValidationError(f"Type at least {PHONE_SUFFIX_DIGITS} digits of the phone number "
                              f"(the last {PHONE_SUFFIX_DIGITS} are enough).", "search")
    found = _party_contacts(ctx, PartyContact.phone_suffix == digits[-PHONE_SUFFIX_DIGITS:],
                            PartyContact.kind == ContactKind.PHONE,
                            PartyContact.value.endswith(digits, autoescape=True))
    return [_Anchor("party", pid, f"Phone {value}") for pid, value in found]


def _party_contacts(ctx: _Ctx, *conditions: ColumnElement[bool]) -> list[tuple[int, str]]:
    """Parties (not merged) with a contact meeting *conditions*, in name order, each with the
    (first) matching contact value."""
    stmt = (
        select(Party.id, func.min(PartyContact.value))
        .join(PartyContact, PartyContact.party_id == Party.id)
        .where(*conditions, Party.status != PartyStatus.MERGED)
        .group_by(Party.id, Party.search_name)
        .order_by(ctx.key(Party.search_name), Party.id)
        .limit(ctx.limit)
    )
    return [(pid, value) for pid, value in ctx.session.execute(stmt)]


def _email_anchors(ctx: _Ctx, query: str) -> list[_Anchor]:
    email = normalise_email(query, "search")
    found = [_Anchor("party", pid, f"E-mail {email}") for pid, _ in _party_contacts(
        ctx, PartyContact.value == email, PartyContact.kind == ContactKind.EMAIL)]
    active = true() if ctx.history else and_(
        Subscription.active_from <= ctx.today,
        or_(Subscription.active_to.is_(None), Subscription.active_to >= ctx.today))
    subscribers = ctx.session.execute(
        select(Subscription.id, Subscription.account_id, Subscription.display_name)
        .join(Account, Account.id == Subscription.account_id)
        .where(Subscription.email == email, active)
        .order_by(Account.number, Subscription.id)
        .limit(ctx.limit)
    )
    found += [_Anchor("subscription", sid, f"Subscriber {email} — no authority", account_id,
                      name or email) for sid, account_id, name in subscribers]
    return found[:ctx.limit]


def _badge_anchors(ctx: _Ctx, query: str) -> tuple[list[_Anchor], str]:
    """A meter badge (the service points it is installed on today, or ever with history), or
    else a service point's POD reference (spec/60 §A8.1)."""
    badge = query.strip().upper()
    meter_id = ctx.session.scalar(select(Meter.id).where(Meter.badge_number == badge))
    if meter_id is None:
        pod = ctx.session.execute(select(ServicePoint.id, ServicePoint.premise_id).where(
            ServicePoint.external_pod_ref.in_({badge, query.strip()}))).first()
        if pod is None:
            return [], ""
        return [_Anchor("sp", pod[0], f"POD {badge}", pod[1])], ""
    installed_now = true() if ctx.history else and_(
        DeviceInstallation.installed_on <= ctx.today,
        or_(DeviceInstallation.removed_on.is_(None), DeviceInstallation.removed_on > ctx.today))
    installed = ctx.session.execute(
        select(ServicePoint.id, ServicePoint.premise_id)
        .join(DeviceInstallation, DeviceInstallation.service_point_id == ServicePoint.id)
        .where(DeviceInstallation.meter_id == meter_id, installed_now)
        .order_by(ServicePoint.id)
        .limit(ctx.limit)
    ).all()
    if not installed:
        return [], f"; meter {badge} is not installed on any service point today"
    return [_Anchor("sp", sp, f"Meter {badge}", premise) for sp, premise in installed], ""


def _id_anchors(ctx: _Ctx, kind: SearchKind, number: str) -> list[_Anchor]:
    """Unique-index look-ups of a checked ID: one kind, or every kind for ANY_ID."""
    live = Party.status != PartyStatus.MERGED
    by_customer = (select(Customer.legal_party_id, Customer.id)
                   .join(Party, Party.id == Customer.legal_party_id)
                   .where(Customer.number == number, live))
    lookups: dict[SearchKind, tuple[str, str, Any]] = {
        SearchKind.PERSON_ID: ("party", "Party ID",
                               select(Party.id, null()).where(Party.number == number, live)),
        SearchKind.CUSTOMER_ID: ("party", "Customer ID", by_customer),
        SearchKind.ACCOUNT_ID: ("account", "Account ID",
                                select(Account.id, null()).where(Account.number == number)),
        SearchKind.PREMISE_ID: ("premise", "Premise ID",
                                select(Premise.id, null()).where(Premise.number == number)),
        SearchKind.SA_ID: ("account", "Service agreement", select(
            ServiceAgreement.account_id, null()).where(ServiceAgreement.number == number)),
        SearchKind.SP_ID: ("sp", "Service point", select(
            ServicePoint.id, ServicePoint.premise_id).where(ServicePoint.number == number)),
    }
    found = []
    for what, label, stmt in (lookups.values() if kind is SearchKind.ANY_ID
                              else (lookups[kind],)):
        row = ctx.session.execute(stmt).first()
        if row is not None:
            found.append(_Anchor(what, row[0], f"{label} {number}", row[1]))
    return found


# ---------------------------------------------------------------------------------- expansion


def _ids(anchors: Iterable[_Anchor], what: str) -> list[int]:
    return list(dict.fromkeys(a.id for a in anchors if a.what == what))


def _expand(ctx: _Ctx, anchors: Sequence[_Anchor]) -> list[_Row]:
    """Every anchor as its rows, in order, duplicates dropped (at most ctx.limit rows)."""
    links = _party_links(ctx, _ids(anchors, "party"))
    account_parties = _parties_of_accounts(ctx, _ids(anchors, "account"))
    at_premise = _accounts_at(ctx, ServicePoint.premise_id, _ids(anchors, "premise"))
    at_sp = _accounts_at(ctx, ServicePoint.id, _ids(anchors, "sp"))
    rows: dict[tuple[object, ...], _Row] = {}
    for a in anchors:
        if a.what == "party":
            found = [_Row(a.id, account, None, a.matched)   # a customer: only its accounts
                     for account in sorted(links[a.id], key=ctx.accounts.__getitem__)
                     if a.ref in (None, ctx.accounts[account][1])] or [
                _Row(a.id, None, None, a.matched)]
        elif a.what == "account":
            found = [_Row(party, a.id, None, a.matched) for party in account_parties[a.id]]
        elif a.what == "subscription":
            found = [_Row(None, a.ref, None, a.matched, a.label)]
        else:
            premise = a.id if a.what == "premise" else a.ref
            owners = (at_premise if a.what == "premise" else at_sp).get(a.id, ())
            found = [_Row(owner, account, premise, a.matched) for account, owner in owners] or [
                _Row(None, None, premise, a.matched)]
        for row in found:
            rows.setdefault((row.party_id, row.account_id, row.premise_id, row.subscriber), row)
        if len(rows) >= ctx.limit:
            break
    return list(rows.values())[:ctx.limit]


def _party_links(ctx: _Ctx, party_ids: Iterable[int]) -> dict[int, dict[int, set[RoleType]]]:
    """Each party's accounts — by a role on the account, or on one of its (current) agreements;
    never a premise role — with the role types held; read once per party (cached on ctx)."""
    missing = [pid for pid in dict.fromkeys(party_ids) if pid not in ctx.links]
    ctx.links.update((pid, {}) for pid in missing)
    if missing:
        for party_id, account_id, number, customer_id, role in ctx.session.execute(
            select(PartyRole.party_id, Account.id, Account.number, Account.customer_id,
                   PartyRole.role_type)
            .select_from(PartyRole)
            .outerjoin(ServiceAgreement, ServiceAgreement.id == PartyRole.service_agreement_id)
            .join(Account, Account.id == func.coalesce(PartyRole.account_id,
                                                      ServiceAgreement.account_id))
            .where(PartyRole.party_id.in_(missing), ctx.role_current(),
                   or_(PartyRole.account_id.is_not(None),
                       ServiceAgreement.status.in_(ctx.sa_statuses)))
            .distinct()
            .order_by(PartyRole.party_id, Account.number, PartyRole.role_type)
            .limit(MAX_LINK_ROWS)
        ):
            ctx.links[party_id].setdefault(account_id, set()).add(role)
            ctx.accounts[account_id] = (number, customer_id)
    return ctx.links


def _parties_of_accounts(ctx: _Ctx, account_ids: list[int]) -> dict[int, list[int | None]]:
    """Each account's parties (not merged) in name order; else its customer's legal party."""
    if not account_ids:
        return {}
    live = Party.status != PartyStatus.MERGED
    on_account = (
        select(PartyRole.account_id, Party.id, Party.search_name)
        .join(Party, Party.id == PartyRole.party_id)
        .where(PartyRole.account_id.in_(account_ids), ctx.role_current(), live)
    )
    on_agreement = (
        select(ServiceAgreement.account_id, Party.id, Party.search_name)
        .join(PartyRole, PartyRole.service_agreement_id == ServiceAgreement.id)
        .join(Party, Party.id == PartyRole.party_id)
        .where(ServiceAgreement.account_id.in_(account_ids),
               ServiceAgreement.status.in_(ctx.sa_statuses), ctx.role_current(), live)
    )
    found: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for stmt in (on_account, on_agreement):  # each account's parties once, not once per role
        cols = stmt.selected_columns
        for account_id, party_id, name in ctx.session.execute(
                stmt.distinct().order_by(cols[0], cols[2], cols[1]).limit(MAX_LINK_ROWS)):
            found[account_id or 0].add((name, party_id))
    legal: dict[int, int] = dict(ctx.session.execute(
        select(Account.id, Customer.legal_party_id)
        .join(Customer, Customer.id == Account.customer_id)
        .join(Party, Party.id == Customer.legal_party_id)
        .where(Account.id.in_(account_ids), live)).all())
    return {aid: [pid for _, pid in sorted(found[aid])] or [legal.get(aid)]
            for aid in account_ids}


def _accounts_at(ctx: _Ctx, column: _IdColumn,
                 ids: list[int]) -> dict[int, list[tuple[int, int]]]:
    """(account, owner party) of the agreements on each premise / service point, by number."""
    if not ids:
        return {}
    linked = true() if ctx.history else or_(SaSp.end_date.is_(None), SaSp.end_date >= ctx.today)
    rows = ctx.session.execute(
        select(column, Account.id, Account.number, Customer.legal_party_id)
        .select_from(ServicePoint)
        .join(SaSp, SaSp.service_point_id == ServicePoint.id)
        .join(ServiceAgreement, ServiceAgreement.id == SaSp.service_agreement_id)
        .join(Account, Account.id == ServiceAgreement.account_id)
        .join(Customer, Customer.id == Account.customer_id)
        .where(column.in_(ids), ServiceAgreement.status.in_(ctx.sa_statuses), linked)
        .distinct()
        .order_by(column, Account.number)
        .limit(MAX_LINK_ROWS)
    )
    found: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for key, account_id, number, owner in rows:
        found[key].append((number, account_id, owner))
    return {key: [(aid, owner) for _, aid, owner in sorted(accounts)]
            for key, accounts in found.items()}


# ------------------------------------------------------------------------------------ details


def _hits(ctx: _Ctx, rows: Sequence[_Row]) -> list[SearchHit]:
    """The page's rows with their names, numbers, statuses, roles and addresses."""
    party_ids = {r.party_id for r in rows if r.party_id is not None}
    account_ids = {r.account_id for r in rows if r.account_id is not None}
    parties = _by_id(ctx, party_ids, select(
        Party.id, Party.number, Party.display_name, Party.kind, Party.status, Customer.number)
        .outerjoin(Customer, Customer.legal_party_id == Party.id).where(Party.id.in_(party_ids)))
    accounts = _by_id(ctx, account_ids, select(
        Account.id, Account.number, Account.status, Customer.number)
        .join(Customer, Customer.id == Account.customer_id).where(Account.id.in_(account_ids)))
    links = _party_links(ctx, party_ids)
    main = _main_premises(ctx, account_ids)
    premise_of = {r: r.premise_id or main.get(r.account_id or 0) for r in rows}
    premise_ids = {pid for pid in premise_of.values() if pid is not None}
    premises = _by_id(ctx, premise_ids, select(
        Premise.id, Premise.number, Premise.address_line1, Premise.address_line2, Premise.city,
        Premise.postal_code).where(Premise.id.in_(premise_ids)))
    hits = []
    for r in rows:
        party = parties.get(r.party_id)
        if party is not None and party[3] is PartyStatus.MERGED:
            party = None
        account, premise = accounts.get(r.account_id), premises.get(premise_of[r])
        held = links[r.party_id].get(r.account_id or 0, ()) if party and r.party_id else ()
        hits.append(SearchHit(
            party_number=party[0] if party else "",
            party_name=party[1] if party else r.subscriber,
            party_kind=party[2].label if party else ("Subscriber" if r.subscriber else ""),
            role=", ".join(role.label for role in sorted(held, key=_ROLE_ORDER.__getitem__)),
            customer_number=account[2] if account else (party[4] if party else None),
            account_number=account[0] if account else None,
            account_status=account[1].label if account else "",
            premise_number=premise[0] if premise else None,
            premise_address=", ".join(x for x in (*premise[1:3], f"{premise[3]} {premise[4]}")
                                      if x) if premise else "",
            matched=r.matched,
        ))
    return hits


def _by_id(ctx: _Ctx, ids: set[int], stmt: Any) -> dict[int | None, Any]:
    """{first column: the other columns} of *stmt*'s rows; no query when there are no ids."""
    return {row[0]: tuple(row[1:]) for row in ctx.session.execute(stmt)} if ids else {}


def _main_premises(ctx: _Ctx, account_ids: set[int]) -> dict[int, int]:
    return main_premise_ids(ctx.session, account_ids, ctx.sa_statuses)


def main_premise_ids(session: Session, account_ids: set[int],
                     sa_statuses: Iterable[SAStatus]) -> dict[int, int]:
    """Each account's main premise: the premise of its earliest current agreement (among
    agreements in `sa_statuses`, of its earliest agreement when none is current). One row per
    account; search results, Control Central and a new case's default premise agree on it."""
    if not account_ids:
        return {}
    rank = func.row_number().over(
        partition_by=ServiceAgreement.account_id,
        order_by=(case((ServiceAgreement.status.in_(CURRENT_SA), 0), else_=1),
                  ServiceAgreement.start_date, ServiceAgreement.id, ServicePoint.premise_id))
    ranked = (
        select(ServiceAgreement.account_id, ServicePoint.premise_id, rank.label("rank"))
        .join(SaSp, SaSp.service_agreement_id == ServiceAgreement.id)
        .join(ServicePoint, ServicePoint.id == SaSp.service_point_id)
        .where(ServiceAgreement.account_id.in_(account_ids),
               ServiceAgreement.status.in_(tuple(sa_statuses)))
        .subquery()
    )
    return {aid: pid for aid, pid in session.execute(
        select(ranked.c.account_id, ranked.c.premise_id).where(ranked.c.rank == 1))}
