"""Reading quotes (spec/40 §1, §7): a quote with its details, their simulated segments (calc
headers, lines, quantities), remarks and terms, and its routings — as one `QuoteView` built in
a handful of queries; quote search; the quotes of an account."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.rates import RateLibrary
from app.models import (
    Account,
    Customer,
    Party,
    Premise,
    ServiceAgreement,
    ServiceAgreementRate,
    ServiceAgreementServicePoint,
    ServicePoint,
)
from app.models.enums import (
    QuoteDetailStatus,
    QuoteRouteMethod,
    QuoteStatus,
    SAStatus,
    SimulatedSegmentStatus,
)
from app.models.quotes import (
    BillingScenario,
    Quote,
    QuoteDetail,
    QuoteRouteType,
    QuoteRouting,
    SaTermsAndConditions,
    SimulatedHeader,
    SimulatedLine,
    SimulatedQuantity,
    SimulatedSegment,
    TermsAndConditions,
)
from app.services.agreement_terms import rate_on
from app.services.common import get_by_number
from app.services.context import read_only
from app.services.errors import ValidationError
from app.services.proposals import premise_text
from app.services.quote_dto import (
    ProposalSummary,
    QuoteDetailView,
    QuoteSummary,
    QuoteView,
    RoutingView,
    SimulatedHeaderView,
    SimulatedLineView,
    SimulatedQuantityView,
    SimulatedSegmentView,
    TermsView,
    stored_quantity,
)
from app.services.rates import rate_library

CHANGED = "Proposal SA has been changed since the quote was created"
IN_ERROR = "Quote detail contains bill segments in error"
NOT_QUOTABLE = "Proposal SA is no longer quotable"
NO_SCENARIOS = "Proposal SA has no billing scenarios"
SEARCH_LIMIT = 500


def account_name(session: Session, account: Account) -> str:
    return session.scalar(select(Party.display_name).join(
        Customer, Customer.legal_party_id == Party.id).where(
        Customer.id == account.customer_id)) or ""


def _segments(session: Session, detail_ids: list[int]
              ) -> dict[int, tuple[SimulatedSegmentView, ...]]:
    if not detail_ids:
        return {}
    segments = list(session.scalars(select(SimulatedSegment).where(
        SimulatedSegment.quote_detail_id.in_(detail_ids)).order_by(
        SimulatedSegment.start_date, SimulatedSegment.id)))
    seg_ids = [s.id for s in segments]
    headers: dict[int, list[SimulatedHeader]] = defaultdict(list)
    lines: dict[int, list[SimulatedLineView]] = defaultdict(list)
    quantities: dict[int, list[SimulatedQuantityView]] = defaultdict(list)
    scenario_seq: dict[int, int] = {}
    if seg_ids:
        for h in session.scalars(select(SimulatedHeader).where(
                SimulatedHeader.segment_id.in_(seg_ids)).order_by(SimulatedHeader.sequence)):
            headers[h.segment_id].append(h)
        header_ids = [h.id for hs in headers.values() for h in hs]
        if header_ids:
            for ln in session.scalars(select(SimulatedLine).where(
                    SimulatedLine.header_id.in_(header_ids)).order_by(SimulatedLine.sequence)):
                lines[ln.header_id].append(SimulatedLineView(
                    ln.sequence, ln.description_on_bill, ln.amount, ln.print_line,
                    ln.app_in_summary, ln.in_total, ln.uom, ln.tou, ln.sqi,
                    stored_quantity(ln.billable_sq) if ln.billable_sq is not None else None,
                    ln.base_amount, ln.rc_sequence, ln.exempt_amount, ln.distribution_code))
        for q in session.scalars(select(SimulatedQuantity).where(
                SimulatedQuantity.segment_id.in_(seg_ids)).order_by(SimulatedQuantity.id)):
            quantities[q.segment_id].append(SimulatedQuantityView(
                q.uom, q.tou, q.sqi, stored_quantity(q.initial), stored_quantity(q.billable)))
        scenario_ids = {s.billing_scenario_id for s in segments if s.billing_scenario_id}
        if scenario_ids:
            scenario_seq = {key: seq for key, seq in session.execute(
                select(BillingScenario.id, BillingScenario.sequence).where(
                    BillingScenario.id.in_(scenario_ids)))}
    out: dict[int, list[SimulatedSegmentView]] = defaultdict(list)
    for s in segments:
        out[s.quote_detail_id].append(SimulatedSegmentView(
            s.start_date, s.end_date, s.status, s.error_message, s.amount, s.rate_schedule,
            scenario_seq.get(s.billing_scenario_id) if s.billing_scenario_id else None,
            tuple(SimulatedHeaderView(h.sequence, h.rate_schedule, h.rate_version, h.start_date,
                                      h.end_date, h.amount, h.description_on_bill,
                                      tuple(lines[h.id])) for h in headers[s.id]),
            tuple(quantities[s.id])))
    return {k: tuple(v) for k, v in out.items()}


def proposal_summary(session: Session, sa: ServiceAgreement, lib: RateLibrary
                     ) -> ProposalSummary:
    return _summaries(session, [sa], lib)[sa.id]


def _summaries(session: Session, proposals: list[ServiceAgreement], lib: RateLibrary
               ) -> dict[int, ProposalSummary]:
    """Each proposal's "SA Info" and "Premise Info": three queries for any number of them."""
    ids = [sa.id for sa in proposals]
    rates: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for sa_id, effective, code in session.execute(
            select(ServiceAgreementRate.service_agreement_id,
                   ServiceAgreementRate.effective_from, ServiceAgreementRate.rate_schedule_code)
            .where(ServiceAgreementRate.service_agreement_id.in_(ids))
            .order_by(ServiceAgreementRate.effective_from)):
        rates[sa_id].append((effective, code))
    premises: dict[int, Premise] = {}
    for sa_id, premise in session.execute(
            select(ServiceAgreementServicePoint.service_agreement_id, Premise)
            .join(ServicePoint, ServicePoint.id == ServiceAgreementServicePoint.service_point_id)
            .join(Premise, Premise.id == ServicePoint.premise_id)
            .where(ServiceAgreementServicePoint.service_agreement_id.in_(ids))
            .order_by(ServiceAgreementServicePoint.id.desc())):
        premises[sa_id] = premise                # the first link wins (ordered last)
    out = {}
    for sa in proposals:
        found = premises.get(sa.id)
        rate = rate_on(rates[sa.id], sa.start_date)
        schedule = lib.rate_schedules.get(rate) if rate else None
        out[sa.id] = ProposalSummary(
            sa.number, sa.sa_type, sa.service_type, sa.status, sa.start_date,
            found.number if found else None, premise_text(found), rate,
            schedule.description if schedule else "", sa.version)
    return out


def _terms(session: Session, ids: list[int]) -> dict[int, tuple[TermsView, ...]]:
    """Each agreement's terms and conditions with their text, by title."""
    found: dict[int, list[TermsView]] = defaultdict(list)
    for sa_id, row, tc in session.execute(
            select(SaTermsAndConditions.service_agreement_id, SaTermsAndConditions,
                   TermsAndConditions)
            .join(TermsAndConditions, TermsAndConditions.code == SaTermsAndConditions.terms_code)
            .where(SaTermsAndConditions.service_agreement_id.in_(ids))):
        found[sa_id].append(TermsView(tc.code, tc.description, tc.text, row.start_date,
                                      row.end_date))
    return {k: tuple(sorted(v, key=lambda t: (t.description, t.code))) for k, v in found.items()}


def detail_remarks(detail: QuoteDetail, proposal: ProposalSummary,
                   segments: tuple[SimulatedSegmentView, ...]) -> tuple[str, ...]:
    """The remarks a quote detail shows (spec/40 §1.2)."""
    remarks = []
    if proposal.version != detail.sa_version:
        remarks.append(CHANGED)
    if not segments:
        remarks.append(NO_SCENARIOS)
    if any(s.status is SimulatedSegmentStatus.ERROR for s in segments):
        remarks.append(IN_ERROR)
    if proposal.status is not SAStatus.QUOTABLE:
        remarks.append(f"{NOT_QUOTABLE} ({proposal.status.label.lower()})")
    return tuple(remarks)


def _routing_view(r: QuoteRouting, method: dict[str, QuoteRouteMethod],
                  parties: dict[int, str]) -> RoutingView:
    return RoutingView(
        r.sequence, parties.get(r.party_id) if r.party_id else None, r.route_type_code,
        method[r.route_type_code], r.batch_code, r.batch_run, r.do_not_extract, r.reprint, r.extracted_at,
        tuple(n for n in (r.name1, r.name2, r.name3) if n),
        tuple(a for a in (r.address_line1, r.address_line2) if a), r.city, r.region,
        r.postal_code, r.country, r.email, r.fax, r.version)


def routings_of(session: Session, quote_id: int) -> tuple[RoutingView, ...]:
    rows = list(session.scalars(select(QuoteRouting).where(
        QuoteRouting.quote_id == quote_id).order_by(QuoteRouting.sequence)))
    method = {code: m for code, m in session.execute(
        select(QuoteRouteType.code, QuoteRouteType.route_method))}
    party_ids = {r.party_id for r in rows if r.party_id}
    parties = {pid: n for pid, n in session.execute(select(Party.id, Party.number).where(
        Party.id.in_(party_ids)))} if party_ids else {}
    return tuple(_routing_view(r, method, parties) for r in rows)


def quote_view(session: Session, quote: Quote, lib: RateLibrary) -> QuoteView:
    account = session.get(Account, quote.account_id)
    assert account is not None
    details = list(session.scalars(select(QuoteDetail).where(
        QuoteDetail.quote_id == quote.id).order_by(QuoteDetail.id)))
    segments = _segments(session, [d.id for d in details])
    proposals = {sa.id: sa for sa in session.scalars(select(ServiceAgreement).where(
        ServiceAgreement.id.in_([d.service_agreement_id for d in details])))}
    summaries = _summaries(session, list(proposals.values()), lib)
    terms = _terms(session, list(proposals))
    views = []
    for d in details:
        proposal = summaries[d.service_agreement_id]
        segs = segments.get(d.id, ())
        views.append(QuoteDetailView(
            d.number, proposal, d.sa_version, d.status, d.created_at,
            sum((s.amount for s in segs if s.status is SimulatedSegmentStatus.OK),
                Decimal("0.00")),
            detail_remarks(d, proposal, segs), segs, terms.get(d.service_agreement_id, ())))
    quotable = tuple(session.scalars(select(ServiceAgreement.number).where(
        ServiceAgreement.account_id == account.id, ServiceAgreement.is_proposal.is_(True),
        ServiceAgreement.status == SAStatus.QUOTABLE).order_by(ServiceAgreement.number)))
    return QuoteView(quote.number, account.number, account_name(session, account),
                     quote.status, quote.expires_at, quote.created_at, quote.created_by,
                     account.currency, quote.version, tuple(views),
                     routings_of(session, quote.id), quotable)


def get_quote(db: Database, number: str) -> QuoteView:
    lib = rate_library(db)
    with read_only(db) as session:
        return quote_view(session, get_by_number(session, Quote, number, "quote", "quote"), lib)


def quotes_of_account(db: Database, account_number: str) -> list[QuoteSummary]:
    return search_quotes(db, account_number=account_number)


def search_quotes(db: Database, *, account_number: str | None = None,
                  status: QuoteStatus | None = None, expires_from: dt.date | None = None,
                  expires_to: dt.date | None = None,
                  limit: int = SEARCH_LIMIT) -> list[QuoteSummary]:
    """Quotes by account, status and expiry range, the soonest to expire first."""
    if expires_from and expires_to and expires_to < expires_from:
        raise ValidationError("The expiry range ends before it starts.", "expires_to")
    with read_only(db) as session:
        totals = option_summary()
        name = (select(Party.display_name).join(Customer, Customer.legal_party_id == Party.id)
                .where(Customer.id == Account.customer_id).scalar_subquery())
        stmt = (select(Quote, Account.number, name, totals.c.options, totals.c.lowest)
                .join(Account, Account.id == Quote.account_id)
                .outerjoin(totals, totals.c.quote_id == Quote.id))
        if account_number:
            account = get_by_number(session, Account, account_number, "account", "account")
            stmt = stmt.where(Quote.account_id == account.id)
        if status is not None:
            stmt = stmt.where(Quote.status == status)
        if expires_from is not None:
            stmt = stmt.where(Quote.expires_at >= dt.datetime.combine(expires_from, dt.time(),
                                                                      dt.UTC))
        if expires_to is not None:
            stmt = stmt.where(Quote.expires_at < dt.datetime.combine(
                expires_to + dt.timedelta(days=1), dt.time(), dt.UTC))
        rows = session.execute(stmt.order_by(Quote.expires_at, Quote.id).limit(limit)).all()
        return [QuoteSummary(q.number, acct, nm or "", q.status, q.expires_at, int(n or 0),
                             _money(low))
                for q, acct, nm, n, low in rows]


def _money(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def option_summary() -> Any:
    """Per quote: how many options (details) it has, and the lowest total among its OK ones
    (a quote's options are alternatives: their sum means nothing)."""
    per_detail = (select(QuoteDetail.quote_id.label("quote_id"),
                         QuoteDetail.status.label("status"),
                         func.coalesce(func.sum(SimulatedSegment.amount), 0).label("amount"))
                  .outerjoin(SimulatedSegment,
                             (SimulatedSegment.quote_detail_id == QuoteDetail.id)
                             & (SimulatedSegment.status == SimulatedSegmentStatus.OK))
                  .group_by(QuoteDetail.quote_id, QuoteDetail.id, QuoteDetail.status)
                  .subquery())
    return (select(per_detail.c.quote_id, func.count().label("options"),
                   func.min(case((per_detail.c.status == QuoteDetailStatus.OK,
                                  per_detail.c.amount))).label("lowest"))
            .group_by(per_detail.c.quote_id).subquery())


__all__ = ["CHANGED", "IN_ERROR", "NOT_QUOTABLE", "account_name", "detail_remarks",
           "option_summary",
           "get_quote", "proposal_summary", "quote_view", "quotes_of_account", "routings_of",
           "search_quotes"]
