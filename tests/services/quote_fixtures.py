"""A prospect with two quotable proposals, built through the real services, for the quote
tests (services, command line, panes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from app.db import Database
from app.models.enums import PremiseType, SAStatus, ServiceType
from app.services import premises, proposals
from app.services import rates as rate_service
from app.services import service_points as sp_service
from app.services.premises import PremiseForm
from app.services.quote_dto import (
    BillingScenarioForm,
    ContractQuantityTerm,
    PricingTerms,
    ProposalForm,
    ScenarioQuantity,
    TermsTerm,
)
from tests.conftest import ADMIN, CSR
from tests.services.builders import household

D = Decimal
JAN = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
FEB = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))


@dataclass
class Prospect:
    account: str
    premise_sp: str
    option_1: str        # E-RES-1
    option_2: str        # E-COM-1


def scenarios(kwh_jan: str, kwh_feb: str) -> tuple[BillingScenarioForm, ...]:
    return (BillingScenarioForm(*JAN, (ScenarioQuantity("KWH", None, None, D(kwh_jan)),)),
            BillingScenarioForm(*FEB, (ScenarioQuantity("KWH", None, None, D(kwh_feb)),)))


def _proposal(db: Database, account: str, sp: str, rate: str, **terms: object) -> str:
    view = proposals.create_proposal(db, CSR, ProposalForm(
        account, "E-RES", ServiceType.ELECTRIC, (sp,), dt.date(2026, 3, 1),
        PricingTerms(rate, **terms), scenarios("812", "640")))  # type: ignore[arg-type]
    assert view.status is SAStatus.QUOTABLE          # scenarios given: quotable at once
    return view.number


def make_prospect(db: Database) -> Prospect:
    """A household account with a second premise (in Illinois) and two quotable electric
    proposals on it: E-RES-1 (with a contract quantity and two T&Cs) and E-COM-1."""
    rate_service.load_shipped_rates(db, ADMIN)
    home = household(db)
    premise = premises.create_premise(db, CSR, PremiseForm(
        PremiseType.HOUSE, "72 Market St", "Springfield", "62704", region="IL"))
    sp = sp_service.create_service_point(db, CSR, premise.number, ServiceType.ELECTRIC)
    return Prospect(home.account, sp.number,
                   _proposal(db, home.account, sp.number, "E-RES-1",
                             contract_quantities=(ContractQuantityTerm("SUBDEM", JAN[0], D(10)),),
                             terms=(TermsTerm("MIN-6-MONTHS", JAN[0]),
                                    TermsTerm("MARKET-PRICES", JAN[0]))),
                   _proposal(db, home.account, sp.number, "E-COM-1"))


