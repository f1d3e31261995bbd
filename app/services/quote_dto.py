"""What the quote services hand to panes, reports and the command line (spec/40): plain frozen
dataclasses, no ORM objects. A view of a quote carries everything the Quote pane's three tabs
and the printed quote show, so what a rate analyst sees and what prints agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from app.models.enums import (
    QuoteDetailStatus,
    QuoteRouteMethod,
    QuoteStatus,
    SAStatus,
    ServiceType,
    SimulatedSegmentStatus,
)


def stored_quantity(value: Decimal) -> Decimal:
    """A quantity as it was given, without the zeros its 6-decimal column pads it with
    (500.000000 → 500, 12.500000 → 12.5)."""
    v = value.normalize()
    return v.quantize(Decimal(1)) if v.as_tuple().exponent > 0 else v  # type: ignore[operator]


# --- proposal SAs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioQuantity:
    """Template consumption: one service quantity priced in place of meter reads."""

    uom: str | None
    tou: str | None
    sqi: str | None
    quantity: Decimal


@dataclass(frozen=True)
class BillingScenarioForm:
    """One simulated bill period of a proposal (spec/40 §1.8)."""

    start: dt.date
    end: dt.date
    quantities: tuple[ScenarioQuantity, ...] = ()


@dataclass(frozen=True)
class ContractQuantityTerm:
    quantity_type: str
    effective: dt.date
    value: Decimal


@dataclass(frozen=True)
class ContractValueTerm:
    bill_factor: str
    effective: dt.date
    value: Decimal
    tou: str | None = None


@dataclass(frozen=True)
class RiderTerm:
    bill_factor: str
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class TermsTerm:
    """A term or condition on the proposal: its code and period (text in `TermsView`)."""

    code: str
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class CharacteristicTerm:
    char_type: str
    value: str
    effective: dt.date


@dataclass(frozen=True)
class PricingTerms:
    """Everything a proposal is priced with besides its consumption (spec/40 §1.10)."""

    rate_schedule: str
    contract_quantities: tuple[ContractQuantityTerm, ...] = ()
    contract_values: tuple[ContractValueTerm, ...] = ()
    riders: tuple[RiderTerm, ...] = ()
    terms: tuple[TermsTerm, ...] = ()
    characteristics: tuple[CharacteristicTerm, ...] = ()


@dataclass(frozen=True)
class ProposalForm:
    """A new proposal SA on an account: what it would supply, where, from when, at what rate."""

    account_number: str
    sa_type: str
    service_type: ServiceType
    service_points: tuple[str, ...]
    start_date: dt.date
    terms: PricingTerms
    scenarios: tuple[BillingScenarioForm, ...] = ()


@dataclass(frozen=True)
class TermsView:
    code: str
    description: str
    text: str
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class ProposalView:
    number: str
    account_number: str
    sa_type: str
    service_type: ServiceType
    status: SAStatus
    start_date: dt.date
    service_points: tuple[str, ...]
    premise_number: str | None
    premise_address: str
    rate_schedule: str | None
    rate_description: str
    terms: PricingTerms
    terms_text: tuple[TermsView, ...]
    scenarios: tuple[BillingScenarioForm, ...]
    #: The row version: every change to the proposal or its children moves it.
    version: int
    decline_reason: str | None
    #: Quotes holding a detail generated from this proposal.
    quoted_in: tuple[str, ...]
    terms_of_service: str | None = None

    @property
    def editable(self) -> bool:
        """Proposals change while Pending or Quotable (spec/40 §2.3)."""
        return self.status in (SAStatus.PENDING, SAStatus.QUOTABLE)


@dataclass(frozen=True)
class ProposalSaved:
    proposal: ProposalView
    #: Non-blocking: "Quote 1234567890 was generated from the earlier terms: regenerate it."
    warning: str | None = None


# --- quotes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimulatedLineView:
    sequence: int
    description_on_bill: str
    amount: Decimal
    print_line: bool
    app_in_summary: bool
    in_total: bool
    uom: str | None
    tou: str | None
    sqi: str | None
    billable_sq: Decimal | None
    base_amount: Decimal | None
    rc_sequence: int
    exempt_amount: Decimal | None
    distribution_code: str | None


@dataclass(frozen=True)
class SimulatedHeaderView:
    sequence: int
    rate_schedule: str
    rate_version: dt.date
    start: dt.date
    end: dt.date
    amount: Decimal
    description_on_bill: str
    lines: tuple[SimulatedLineView, ...]


@dataclass(frozen=True)
class SimulatedQuantityView:
    uom: str | None
    tou: str | None
    sqi: str | None
    initial: Decimal
    billable: Decimal


@dataclass(frozen=True)
class SimulatedSegmentView:
    """A simulated bill segment (spec/40 §1.3): OK with its calc lines, or ERROR with why."""

    start: dt.date
    end: dt.date
    status: SimulatedSegmentStatus
    error_message: str | None
    amount: Decimal
    rate_schedule: str | None
    #: The billing scenario it was priced from (its sequence on the proposal), if it remains.
    scenario: int | None
    headers: tuple[SimulatedHeaderView, ...] = ()
    quantities: tuple[SimulatedQuantityView, ...] = ()


@dataclass(frozen=True)
class ProposalSummary:
    """What a quote detail shows of its proposal SA (the "SA Info" and "Premise Info")."""

    number: str
    sa_type: str
    service_type: ServiceType
    status: SAStatus
    start_date: dt.date
    premise_number: str | None
    premise_address: str
    rate_schedule: str | None
    rate_description: str
    #: The proposal's current row version.
    version: int


@dataclass(frozen=True)
class QuoteDetailView:
    number: str
    proposal: ProposalSummary
    #: The proposal's row version when the detail was generated.
    sa_version: int
    status: QuoteDetailStatus
    created_at: dt.datetime
    total: Decimal
    remarks: tuple[str, ...]
    segments: tuple[SimulatedSegmentView, ...]
    terms: tuple[TermsView, ...]

    @property
    def proposal_changed(self) -> bool:
        return self.proposal.version != self.sa_version


@dataclass(frozen=True)
class RoutingView:
    sequence: int
    party_number: str | None
    route_type: str
    route_method: QuoteRouteMethod
    batch_code: str
    batch_run: int
    do_not_extract: bool
    reprint: bool
    extracted_at: dt.datetime | None
    names: tuple[str, ...]
    address_lines: tuple[str, ...]
    city: str | None
    region: str | None
    postal_code: str | None
    country: str | None
    email: str | None
    fax: str | None
    version: int


@dataclass(frozen=True)
class RoutingForm:
    """A recipient typed on the Quote Routings tab (a reprint, or someone new)."""

    route_type: str
    names: tuple[str, ...]
    party_number: str | None = None
    address_lines: tuple[str, ...] = ()
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    email: str | None = None
    fax: str | None = None
    do_not_extract: bool = False


@dataclass(frozen=True)
class QuoteView:
    number: str
    account_number: str
    account_name: str
    status: QuoteStatus
    expires_at: dt.datetime
    created_at: dt.datetime
    created_by: str
    currency: str
    version: int
    details: tuple[QuoteDetailView, ...]
    routings: tuple[RoutingView, ...] = ()
    #: Proposal SAs of the account that Generate could price now.
    quotable: tuple[str, ...] = ()

    @property
    def lowest(self) -> QuoteDetailView | None:
        """The cheapest option whose every period was priced (the options are alternatives:
        a quote has no total)."""
        ok = [d for d in self.details if d.status is QuoteDetailStatus.OK]
        return min(ok, key=lambda d: (d.total, d.number)) if ok else None

    def detail(self, number: str) -> QuoteDetailView:
        for d in self.details:
            if d.number == number:
                return d
        raise KeyError(number)


@dataclass(frozen=True)
class QuoteSummary:
    """A row of quote search."""

    number: str
    account_number: str
    account_name: str
    status: QuoteStatus
    expires_at: dt.datetime
    details: int
    #: The lowest total among its OK options (None: none priced yet).
    lowest: Decimal | None


@dataclass(frozen=True)
class QuoteOutcome:
    """A quote after an action, with what the action wants the person to know."""

    quote: QuoteView | None
    message: str
    #: Per-row refusals of a mass action ("Proposal 123… is Declined: skipped").
    skipped: tuple[str, ...] = field(default_factory=tuple)
    #: Real agreements created by Accept.
    created: tuple[str, ...] = field(default_factory=tuple)


__all__ = [
    "stored_quantity", "BillingScenarioForm", "CharacteristicTerm", "ContractQuantityTerm", "ContractValueTerm",
    "PricingTerms", "ProposalForm", "ProposalSaved", "ProposalSummary", "ProposalView",
    "QuoteDetailView", "QuoteOutcome", "QuoteSummary", "QuoteView", "RiderTerm",
    "RoutingForm", "RoutingView", "ScenarioQuantity", "SimulatedHeaderView",
    "SimulatedLineView", "SimulatedQuantityView", "SimulatedSegmentView", "TermsTerm",
    "TermsView",
]
