"""Demo quotes: a few residential customers offered their standard rate against the
time-of-use rate, priced from their last twelve bills — one quote complete and ready to print,
the others pending — through the same services a rate analyst uses."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import text

from app.db import Database
from app.models.enums import ServiceType
from app.services import proposals, quotes
from app.services.context import SYSTEM
from app.services.errors import DomainError
from app.services.quote_dto import (
    BillingScenarioForm,
    PricingTerms,
    ProposalForm,
    ScenarioQuantity,
    TermsTerm,
)

#: The on-peak share a customer is assumed to use on the time-of-use proposal.
ON_PEAK = Decimal("0.30")


def _candidates(db: Database, count: int) -> list[tuple[str, str, dt.date]]:
    """(account, electric service point, start) of active E-RES-1 agreements with a year of
    bills."""
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT a.number, sp.number, MAX(b.end_date) FROM service_agreement sa "
            "JOIN account a ON a.id = sa.account_id "
            "JOIN sa_service_point l ON l.service_agreement_id = sa.id "
            "JOIN service_point sp ON sp.id = l.service_point_id "
            "JOIN sa_rate_history r ON r.service_agreement_id = sa.id "
            "JOIN bill_segment b ON b.service_agreement_id = sa.id "
            "WHERE sa.status = 'ACTIVE' AND sa.is_proposal = :no "
            "AND r.rate_schedule_code = 'E-RES-1' "
            "GROUP BY a.number, sp.number HAVING COUNT(b.id) >= 12 "
            "ORDER BY a.number LIMIT :n"), {"no": False, "n": count}).all()
    return [(acct, sp, end if isinstance(end, dt.date) else dt.date.fromisoformat(str(end)))
            for acct, sp, end in rows]


def _time_of_use(scenarios: tuple[BillingScenarioForm, ...]) -> tuple[BillingScenarioForm, ...]:
    out = []
    for sc in scenarios:
        kwh = sum((q.quantity for q in sc.quantities if q.uom == "KWH"), Decimal(0))
        on = (kwh * ON_PEAK).quantize(Decimal(1), ROUND_HALF_UP)
        out.append(BillingScenarioForm(sc.start, sc.end, (
            ScenarioQuantity("KWH", "ON", None, on),
            ScenarioQuantity("KWH", "OFF", None, kwh - on))))
    return tuple(out)


def add_demo_quotes(db: Database, count: int = 3) -> int:
    """Quotes for up to ``count`` demo customers; returns how many were made."""
    made = 0
    for account, point, last_bill in _candidates(db, count):
        try:
            history = proposals.scenarios_from_history(db, account, ServiceType.ELECTRIC)
            start = last_bill + dt.timedelta(days=1)
            terms = (TermsTerm("RATE-CHANGES", start),)
            for rate, scenarios in (("E-RES-1", history), ("E-RES-TOU", _time_of_use(history))):
                proposals.create_proposal(db, SYSTEM, ProposalForm(
                    account, "E-RES", ServiceType.ELECTRIC, (point,), start,
                    PricingTerms(rate, terms=terms), scenarios))
            quote = quotes.generate(db, SYSTEM, account).quote
            if quote is not None and made == 0:
                quotes.complete(db, SYSTEM, quote.number, quote.version)
            made += 1
        except DomainError:
            continue          # a demo account the rates cannot price: leave it out
    return made


__all__ = ["add_demo_quotes"]
