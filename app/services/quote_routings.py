"""Quote routings (spec/40 §1.4, §2.7.2, §4.1–§4.3): one printed copy per recipient.

Complete builds a routing for every person on the account who receives quotes (without a
setting, the account's main person, by the installation's default route); a person may add a
routing to a complete quote (a reprint, or a new recipient); the print run (QUOTROUT) takes the
routings stamped with its run, the caller renders them, and the run is marked extracted and the
batch control moves on. A run can be printed again from current data (§4.3).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Account, Party, PartyContact, PartyRole, Premise, ServiceAgreement
from app.models.enums import ContactKind, PartyKind, QuoteRouteMethod, QuoteStatus
from app.models.quotes import (
    AccountQuoteSetting,
    BatchControl,
    Quote,
    QuoteRouteType,
    QuoteRouting,
)
from app.services.common import check_version, get_by_number, required_text
from app.services.context import Actor, read_only, transaction
from app.services.errors import NotFound, ValidationError
from app.services.installation import option
from app.services.proposals import QUOTE_ROLES, premise_of
from app.services.quote_dto import QuoteView, RoutingForm, RoutingView
from app.services.quote_views import quote_view, routings_of
from app.services.rates import rate_library

PRINT_RUN = "QUOTROUT"


@dataclass(frozen=True)
class _Recipient:
    party: Party
    route: QuoteRouteType


def _route(session: Session, code: str) -> QuoteRouteType:
    route = session.get(QuoteRouteType, code)
    if route is None:
        raise NotFound(f"There is no quote route type {code}. Pick one from the list.",
                       "route_type")
    return route


def _recipients(session: Session, account: Account) -> list[_Recipient]:
    """The persons on the account who receive its quotes, and by which route (§1.6)."""
    settings = list(session.scalars(select(AccountQuoteSetting).where(
        AccountQuoteSetting.account_id == account.id).order_by(AccountQuoteSetting.id)))
    if settings:
        return [_Recipient(p, _route(session, s.route_type_code)) for s in settings
                if s.receives_quotes and (p := session.get(Party, s.party_id)) is not None]
    main = session.scalar(select(Party).join(PartyRole, PartyRole.party_id == Party.id).where(
        PartyRole.account_id == account.id, PartyRole.is_main.is_(True),
        PartyRole.effective_to.is_(None)).order_by(PartyRole.id).limit(1))
    if main is None:
        return []
    return [_Recipient(main, _route(session, option(session, "quote.default_route_type")))]


def _name(party: Party) -> str:
    if party.kind is PartyKind.PERSON and party.first_name:
        return f"{party.first_name} {party.last_name}"[:64]
    return (party.legal_name or party.display_name)[:64]


def _contact(session: Session, party: Party, kind: ContactKind, label: str | None = None
             ) -> str | None:
    stmt = select(PartyContact.value).where(PartyContact.party_id == party.id,
                                            PartyContact.kind == kind)
    if label is not None:
        stmt = stmt.where(func.lower(PartyContact.label) == label)
    return session.scalar(stmt.order_by(PartyContact.is_primary.desc(), PartyContact.id)
                          .limit(1))


def _postal(session: Session, party: Party, account: Account) -> dict[str, str | None]:
    """The party's mailing address; without one, the premise of the account's first
    agreement (proposals included: a prospect's quote goes to the quoted premise)."""
    if party.mailing_line1:
        return {"address_line1": party.mailing_line1, "address_line2": party.mailing_line2,
                "city": party.mailing_city, "region": party.mailing_region,
                "postal_code": party.mailing_postal_code, "country": party.mailing_country}
    sa = session.scalar(select(ServiceAgreement).where(
        ServiceAgreement.account_id == account.id).order_by(ServiceAgreement.id).limit(1))
    premise: Premise | None = premise_of(session, sa) if sa is not None else None
    if premise is None:
        return {}
    return {"address_line1": premise.address_line1, "address_line2": premise.address_line2,
            "city": premise.city, "region": premise.region,
            "postal_code": premise.postal_code, "country": premise.country}


def _contact_fields(session: Session, party: Party, account: Account,
                    route: QuoteRouteType) -> dict[str, str | None]:
    if route.route_method is QuoteRouteMethod.EMAIL:
        email = _contact(session, party, ContactKind.EMAIL)
        if not email:
            raise ValidationError(f"{_name(party)} receives quotes by e-mail but has no e-mail "
                                  "address: add one, or change how they receive quotes.",
                                  "routings")
        return {"email": email}
    if route.route_method is QuoteRouteMethod.FAX:
        fax = _contact(session, party, ContactKind.PHONE, "fax")
        if not fax:
            raise ValidationError(f"{_name(party)} receives quotes by fax but has no fax "
                                  "number: add a phone labelled 'fax'.", "routings")
        return {"fax": fax}
    return _postal(session, party, account)


def _next_sequence(session: Session, quote: Quote) -> int:
    return (session.scalar(select(func.max(QuoteRouting.sequence)).where(
        QuoteRouting.quote_id == quote.id)) or 0) + 1


def _batch(session: Session, code: str) -> BatchControl:
    batch = session.scalar(select(BatchControl).where(BatchControl.code == code)
                           .with_for_update())
    if batch is None:
        raise NotFound(f"There is no batch control {code}.", "batch")
    return batch


def drop_unextracted_routings(session: Session, quote: Quote) -> None:
    """On a re-completion the routings Complete built and nobody printed are built again;
    printed ones and those a person added stay (spec/40 §8 A-5)."""
    session.execute(delete(QuoteRouting).where(
        QuoteRouting.quote_id == quote.id, QuoteRouting.extracted_at.is_(None),
        QuoteRouting.reprint.is_(False)))


def build_routings(session: Session, quote: Quote) -> list[QuoteRouting]:
    account = session.get(Account, quote.account_id)
    assert account is not None
    recipients = _recipients(session, account)
    if not recipients:
        raise ValidationError(f"Nobody on account {account.number} receives quotes: add a "
                              "recipient (Account quote settings) before completing.",
                              "routings")
    made = []
    for r in recipients:
        batch = _batch(session, r.route.batch_code)
        routing = QuoteRouting(quote_id=quote.id, sequence=_next_sequence(session, quote),
                               party_id=r.party.id, route_type_code=r.route.code,
                               batch_code=batch.code, batch_run=batch.next_run, reprint=False,
                               name1=_name(r.party),
                               **_contact_fields(session, r.party, account, r.route))
        session.add(routing)
        session.flush()
        made.append(routing)
    return made


def _apply(routing: QuoteRouting, form: RoutingForm, route: QuoteRouteType) -> None:
    names = [n.strip() for n in form.names if n and n.strip()]
    if not names:
        raise ValidationError("Enter the recipient's name.", "names")
    padded: list[str | None] = [*names, None, None]
    routing.name1 = padded[0] or ""
    routing.name2, routing.name3 = padded[1], padded[2]
    lines: list[str | None] = [a.strip() for a in form.address_lines if a and a.strip()]
    lines += [None, None]
    routing.address_line1, routing.address_line2 = lines[0], lines[1]
    routing.city, routing.region = form.city or None, form.region or None
    routing.postal_code, routing.country = form.postal_code or None, form.country or None
    routing.email, routing.fax = form.email or None, form.fax or None
    routing.do_not_extract = form.do_not_extract
    if route.route_method is QuoteRouteMethod.EMAIL and not routing.email:
        raise ValidationError("An e-mail route needs the e-mail address.", "email")
    if route.route_method is QuoteRouteMethod.FAX and not routing.fax:
        raise ValidationError("A fax route needs the fax number.", "fax")
    if route.route_method is QuoteRouteMethod.POSTAL and not (routing.address_line1 and
                                                            routing.city):
        raise ValidationError("A postal route needs the address and the city.", "address")


def add_routing(db: Database, actor: Actor, quote_number: str, form: RoutingForm,
                expected_version: int | None = None) -> QuoteView:
    """A copy for someone (again): only on a complete quote; printed by the next run
    (spec/40 §4.2, T-PRT-04)."""
    actor.require("add a quote recipient", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        quote = get_by_number(session, Quote, quote_number, "quote", "quote", lock=True)
        check_version(quote, expected_version, f"Quote {quote.number}")
        if quote.status is not QuoteStatus.COMPLETE:
            raise ValidationError(f"Quote {quote.number} is {quote.status.label.lower()}: "
                                  "recipients are added to a complete quote.", "status")
        route = _route(session, required_text(form.route_type, "route_type", "the route", 30))
        party_id = None
        if form.party_number:
            party_id = get_by_number(session, Party, form.party_number, "person",
                                     "party").id
        batch = _batch(session, route.batch_code)
        routing = QuoteRouting(quote_id=quote.id, sequence=_next_sequence(session, quote),
                               party_id=party_id, route_type_code=route.code,
                               batch_code=batch.code, batch_run=batch.next_run, reprint=True,
                               name1="")
        _apply(routing, form, route)
        session.add(routing)
        session.flush()
        return quote_view(session, quote, rate_library(db))


def update_routing(db: Database, actor: Actor, quote_number: str, sequence: int,
                   form: RoutingForm, expected_version: int) -> QuoteView:
    """Edit a copy not printed yet, while the quote is complete (spec/40 §1.4)."""
    actor.require("change a quote recipient", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        quote = get_by_number(session, Quote, quote_number, "quote", "quote", lock=True)
        routing = session.scalar(select(QuoteRouting).where(
            QuoteRouting.quote_id == quote.id, QuoteRouting.sequence == sequence))
        if routing is None:
            raise NotFound(f"Quote {quote.number} has no routing {sequence}.", "routing")
        check_version(routing, expected_version, f"Routing {sequence} of quote {quote.number}")
        if quote.status is not QuoteStatus.COMPLETE or routing.extracted_at is not None:
            raise ValidationError("Only a copy that has not printed yet, of a complete quote, "
                                  "can change.", "routing")
        route = _route(session, required_text(form.route_type, "route_type", "the route", 30))
        routing.route_type_code = route.code
        _apply(routing, form, route)
        session.flush()
        return quote_view(session, quote, rate_library(db))


# --- the print run -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PrintRun:
    batch_code: str
    run: int
    #: Every copy of the run, ordered by postal code, quote, sequence (§4.1).
    copies: tuple[tuple[QuoteView, RoutingView], ...]
    rerun: bool


def print_run(db: Database, run: int | None = None, batch_code: str = PRINT_RUN) -> PrintRun:
    """The copies a run prints (default: the next run); a past run is rebuilt from current
    data, already printed copies included (§4.3)."""
    lib = rate_library(db)
    with read_only(db) as session:
        batch = session.get(BatchControl, batch_code)
        if batch is None:
            raise NotFound(f"There is no batch control {batch_code}.", "batch")
        number = batch.next_run if run is None else run
        if number < 1 or number > batch.next_run:
            raise ValidationError(f"Run {number} of {batch_code} has not happened: the next "
                                  f"run is {batch.next_run}.", "run")
        rerun = number < batch.next_run
        stmt = select(QuoteRouting).where(QuoteRouting.batch_code == batch_code,
                                          QuoteRouting.batch_run == number,
                                          QuoteRouting.do_not_extract.is_(False))
        if not rerun:
            stmt = stmt.where(QuoteRouting.extracted_at.is_(None))
        rows = list(session.scalars(stmt))
        quotes: dict[int, QuoteView] = {}
        copies = []
        for r in sorted(rows, key=lambda r: (r.postal_code or "", r.quote_id, r.sequence)):
            if r.quote_id not in quotes:
                quote = session.get(Quote, r.quote_id)
                assert quote is not None
                quotes[r.quote_id] = quote_view(session, quote, lib)
            view = quotes[r.quote_id]
            copies.append((view, next(x for x in view.routings if x.sequence == r.sequence)))
        return PrintRun(batch_code, number, tuple(copies), rerun)


def finish_run(db: Database, actor: Actor, run: PrintRun,
               at: dt.datetime | None = None) -> None:
    """After the copies were written: stamp them extracted and open the next run (a rerun
    changes nothing)."""
    actor.require("run quote printing", *QUOTE_ROLES)
    if run.rerun or not run.copies:     # nothing printed: the run stays open
        return
    when = at or dt.datetime.now(dt.UTC)
    with transaction(db, actor) as session:
        batch = _batch(session, run.batch_code)
        if batch.next_run != run.run:
            raise ValidationError(f"Run {run.run} of {run.batch_code} was finished by someone "
                                  "else meanwhile.", "run")
        for quote, routing in run.copies:
            row = session.scalar(select(QuoteRouting).join(Quote, Quote.id ==
                                                           QuoteRouting.quote_id).where(
                Quote.number == quote.number, QuoteRouting.sequence == routing.sequence))
            if row is not None and row.extracted_at is None:
                row.extracted_at = when
        batch.next_run = run.run + 1


__all__ = ["PRINT_RUN", "PrintRun", "add_routing", "build_routings",
           "drop_unextracted_routings", "finish_run", "print_run", "routings_of",
           "update_routing"]
