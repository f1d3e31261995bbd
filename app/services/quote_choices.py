"""What the Quote pane's pickers offer (spec/40 §1.5, §1.9, §1.11): decline reasons, terms and
conditions, quote route types, and the SA types agreements already use. Read-only.

    choices = quote_choices(db)
    choices.decline_reasons     # (("PRICE", "Price too high"), …)
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.db import Database
from app.models import ServiceAgreement
from app.models.quotes import DeclineReason, QuoteRouteType, TermsAndConditions
from app.services.context import read_only

Choices = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class QuoteChoices:
    decline_reasons: Choices
    terms_and_conditions: Choices
    #: (code, description); the route method is in `route_methods`.
    route_types: Choices
    #: route type code → "POSTAL" / "FAX" / "EMAIL": which contact fields a routing needs.
    route_methods: tuple[tuple[str, str], ...]
    #: SA types of the agreements on file (proposal SA types are ordinary SA types).
    sa_types: tuple[str, ...]


def quote_choices(db: Database) -> QuoteChoices:
    with read_only(db) as session:
        reasons = tuple((r.code, r.description) for r in session.scalars(
            select(DeclineReason).order_by(DeclineReason.code)))
        terms = tuple((t.code, t.description) for t in session.scalars(
            select(TermsAndConditions).order_by(TermsAndConditions.code)))
        routes = list(session.scalars(select(QuoteRouteType).order_by(QuoteRouteType.code)))
        sa_types = tuple(session.scalars(select(ServiceAgreement.sa_type).distinct()
                                         .order_by(ServiceAgreement.sa_type)))
        return QuoteChoices(reasons, terms, tuple((r.code, r.description) for r in routes),
                            tuple((r.code, r.route_method.value) for r in routes), sa_types)


__all__ = ["QuoteChoices", "quote_choices"]
