"""Quotes in Control Central (spec/40 §7): the account's quotes zone and two alerts — "account
has pending / complete quotes" and "account has pending / quotable proposal SAs". Registered
with Control Central when this module is imported (control_central imports it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Account, ServiceAgreement
from app.models.enums import QuoteStatus, SAStatus
from app.models.quotes import Quote
from app.services.alerts import Alert, AlertFacts, register_alert
from app.services.control_central import register_zone
from app.services.dashboard_dto import DashboardZone
from app.services.installation import Module, module_enabled_in
from app.services.quote_views import option_summary

#: Quotes the zone lists (the newest first); closed ones are history.
ZONE_STATUSES = (QuoteStatus.PENDING, QuoteStatus.COMPLETE, QuoteStatus.CANCELED)
ZONE_ROWS = 20


def quotes_zone(session: Session, account_id: int, _today: dt.date) -> DashboardZone | None:
    """The account's quotes, newest first; nothing when it has none (or quoting is off)."""
    if not module_enabled_in(session, Module.CONTRACT_MANAGEMENT):
        return None
    totals = option_summary()
    rows = session.execute(
        select(Quote.number, Quote.status, Quote.expires_at, totals.c.options, totals.c.lowest)
        .outerjoin(totals, totals.c.quote_id == Quote.id)
        .where(Quote.account_id == account_id, Quote.status.in_(ZONE_STATUSES))
        .order_by(Quote.created_at.desc(), Quote.id.desc()).limit(ZONE_ROWS)).all()
    if not rows:
        return None
    currency = session.scalar(select(Account.currency).where(Account.id == account_id)) or ""
    return DashboardZone(
        "quotes", "Quotes",
        ("Quote", "Status", "Expires", "Options", f"Lowest option {currency}"),
        tuple((number, status.label, f"{expires:%Y-%m-%d}", str(options or 0),
               "—" if low is None else f"{Decimal(str(low)).quantize(Decimal('0.01')):,}")
              for number, status, expires, options, low in rows),
        "No open quote.",
        link_kind="Quote")


def open_quotes(facts: AlertFacts) -> Iterable[Alert]:
    if not module_enabled_in(facts.session, Module.CONTRACT_MANAGEMENT):
        return []
    counts = dict(facts.session.execute(
        select(Quote.status, func.count()).where(
            Quote.account_id == facts.account_id,
            Quote.status.in_((QuoteStatus.PENDING, QuoteStatus.COMPLETE)))
        .group_by(Quote.status)).all())
    parts = [f"{n} {status.label.lower()}" for status in (QuoteStatus.PENDING,
                                                          QuoteStatus.COMPLETE)
             if (n := counts.get(status, 0))]
    if not parts:
        return []
    newest = facts.session.scalar(select(Quote.number).where(
        Quote.account_id == facts.account_id,
        Quote.status.in_((QuoteStatus.PENDING, QuoteStatus.COMPLETE)))
        .order_by(Quote.created_at.desc()).limit(1))
    total = sum(counts.values())
    return [Alert("AL-QUOTE", "info", f"Account has {' and '.join(parts)} "
                  f"quote{'s' if total != 1 else ''}", ("Quote", newest) if newest else None)]


def open_proposals(facts: AlertFacts) -> Iterable[Alert]:
    if not module_enabled_in(facts.session, Module.CONTRACT_MANAGEMENT):
        return []
    counts = dict(facts.session.execute(
        select(ServiceAgreement.status, func.count()).where(
            ServiceAgreement.account_id == facts.account_id,
            ServiceAgreement.is_proposal.is_(True),
            ServiceAgreement.status.in_((SAStatus.PENDING, SAStatus.QUOTABLE)))
        .group_by(ServiceAgreement.status)).all())
    parts = [f"{n} {status.label.lower()}" for status in (SAStatus.PENDING, SAStatus.QUOTABLE)
             if (n := counts.get(status, 0))]
    if not parts:
        return []
    total = sum(counts.values())
    return [Alert("AL-PROPOSAL", "info", f"Account has {' and '.join(parts)} proposal "
                  f"SA{'s' if total != 1 else ''}")]


register_zone("quotes", quotes_zone)
register_alert("AL-QUOTE", open_quotes)
register_alert("AL-PROPOSAL", open_proposals)

__all__ = ["open_proposals", "open_quotes", "quotes_zone"]
