"""Quotes (spec/40 §1): quotes and their details, simulated bill segments with their calc
headers, lines and service quantities, quote routings and route types; the proposal side of a
service agreement (billing scenarios with template consumption, terms and conditions, decline
reasons); and the batch controls that number print runs.

A proposal SA is a `service_agreement` row with `is_proposal` (app.models.service_agreements).
Simulated segments live in their own tables, not in `bill_segment`: a bill segment here is a
posted financial summary of one agreement on one bill, while a simulated segment carries the
engine's whole result and never touches money owed (spec/40 §1.3, docs/decisions.md).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Identifier, Money, Versioned, enum_column
from app.models.enums import (
    QuoteDetailStatus,
    QuoteRouteMethod,
    QuoteStatus,
    SimulatedSegmentStatus,
)

Code = String(30)
#: Quantities of template consumption and simulated segments: 6 decimal places (spec/40 §0).
Quantity = Numeric(18, 6, asdecimal=True)


# --- control tables ------------------------------------------------------------------------------


class DeclineReason(Versioned, Base):
    __tablename__ = "decline_reason"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)


class TermsAndConditions(Versioned, Base):
    """A term or condition a proposal (and the agreement it becomes) carries (spec/40 §1.9)."""

    __tablename__ = "terms_and_conditions"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(60), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)


class QuoteRouteType(Versioned, Base):
    """How a copy of a quote reaches its recipient (spec/40 §1.5)."""

    __tablename__ = "quote_route_type"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    route_method: Mapped[QuoteRouteMethod] = mapped_column(enum_column(QuoteRouteMethod),
                                                           nullable=False)
    batch_code: Mapped[str] = mapped_column(ForeignKey("batch_control.code"), nullable=False)


class BatchControl(Versioned, Base):
    """A batch process and the number of its next run (QUOTROUT prints the run's routings)."""

    __tablename__ = "batch_control"

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    next_run: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class AccountQuoteSetting(Versioned, Base):
    """Whether a person on an account receives its quotes, and how (spec/40 §1.6). Without a
    row, the account's main holder receives them by the installation's default route."""

    __tablename__ = "account_quote_setting"
    __table_args__ = (UniqueConstraint("account_id", "party_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), nullable=False)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), nullable=False, index=True)
    receives_quotes: Mapped[bool] = mapped_column(Boolean, nullable=False)
    route_type_code: Mapped[str] = mapped_column(ForeignKey("quote_route_type.code"),
                                                 nullable=False)


# --- the proposal side of an agreement ----------------------------------------------------------


class SaTermsAndConditions(Versioned, Base):
    __tablename__ = "sa_terms_and_conditions"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("service_agreement.id"), nullable=False, index=True)
    terms_code: Mapped[str] = mapped_column(ForeignKey("terms_and_conditions.code"),
                                            nullable=False)
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class BillingScenario(Versioned, Base):
    """One simulated bill period of a proposal SA (spec/40 §1.8)."""

    __tablename__ = "billing_scenario"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("service_agreement.id"), nullable=False, index=True)
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)


class ScenarioConsumption(Versioned, Base):
    """Template consumption of a billing scenario: the usage priced in place of meter reads."""

    __tablename__ = "scenario_consumption"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    billing_scenario_id: Mapped[int] = mapped_column(
        ForeignKey("billing_scenario.id", ondelete="CASCADE"), nullable=False, index=True)
    uom: Mapped[str | None] = mapped_column(Code)
    tou: Mapped[str | None] = mapped_column(Code)
    sqi: Mapped[str | None] = mapped_column(Code)
    quantity: Mapped[Decimal] = mapped_column(Quantity, nullable=False)


# --- quotes ------------------------------------------------------------------------------------


class Quote(Versioned, Base):
    __tablename__ = "quote"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), nullable=False,
                                            index=True)
    status: Mapped[QuoteStatus] = mapped_column(enum_column(QuoteStatus), nullable=False,
                                                index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False,
                                                    index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)


class QuoteDetail(Versioned, Base):
    """One priced option: one proposal SA, as it was when generated (spec/40 §1.2)."""

    __tablename__ = "quote_detail"
    __table_args__ = (UniqueConstraint("quote_id", "service_agreement_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"),
                                          nullable=False)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("service_agreement.id"), nullable=False, index=True)
    #: The proposal SA's row version the details were generated from.
    sa_version: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[QuoteDetailStatus] = mapped_column(enum_column(QuoteDetailStatus),
                                                      nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class SimulatedSegment(Base):
    """A bill segment the engine produced from a billing scenario; never a financial
    transaction. Written once by Generate, replaced whole by a regeneration."""

    __tablename__ = "simulated_segment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_detail_id: Mapped[int] = mapped_column(
        ForeignKey("quote_detail.id", ondelete="CASCADE"), nullable=False, index=True)
    billing_scenario_id: Mapped[int | None] = mapped_column(
        ForeignKey("billing_scenario.id", ondelete="SET NULL"))
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[SimulatedSegmentStatus] = mapped_column(
        enum_column(SimulatedSegmentStatus), nullable=False)
    error_message: Mapped[str | None] = mapped_column(String(1000))
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    rate_schedule: Mapped[str | None] = mapped_column(Code)


class SimulatedHeader(Base):
    """A calc header of a simulated segment: one rate version over one calculation period."""

    __tablename__ = "simulated_header"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("simulated_segment.id", ondelete="CASCADE"), nullable=False, index=True)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    rate_schedule: Mapped[str] = mapped_column(Code, nullable=False)
    rate_version: Mapped[dt.date] = mapped_column(Date, nullable=False)
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    description_on_bill: Mapped[str] = mapped_column(String(254), nullable=False, default="")


class SimulatedLine(Base):
    """A calc line of a simulated header (spec/20 §9.3 columns)."""

    __tablename__ = "simulated_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    header_id: Mapped[int] = mapped_column(
        ForeignKey("simulated_header.id", ondelete="CASCADE"), nullable=False, index=True)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    description_on_bill: Mapped[str] = mapped_column(String(254), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    print_line: Mapped[bool] = mapped_column(Boolean, nullable=False)
    app_in_summary: Mapped[bool] = mapped_column(Boolean, nullable=False)
    in_total: Mapped[bool] = mapped_column(Boolean, nullable=False)
    uom: Mapped[str | None] = mapped_column(Code)
    tou: Mapped[str | None] = mapped_column(Code)
    sqi: Mapped[str | None] = mapped_column(Code)
    billable_sq: Mapped[Decimal | None] = mapped_column(Quantity)
    base_amount: Mapped[Decimal | None] = mapped_column(Money)
    rc_sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    exempt_amount: Mapped[Decimal | None] = mapped_column(Money)
    distribution_code: Mapped[str | None] = mapped_column(Code)


class SimulatedQuantity(Base):
    """A service quantity of a simulated segment: initial and billable (spec/20 §9.4)."""

    __tablename__ = "simulated_quantity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("simulated_segment.id", ondelete="CASCADE"), nullable=False, index=True)
    uom: Mapped[str | None] = mapped_column(Code)
    tou: Mapped[str | None] = mapped_column(Code)
    sqi: Mapped[str | None] = mapped_column(Code)
    initial: Mapped[Decimal] = mapped_column(Quantity, nullable=False)
    billable: Mapped[Decimal] = mapped_column(Quantity, nullable=False)


class QuoteRouting(Versioned, Base):
    """One recipient's copy of a completed quote (spec/40 §1.4)."""

    __tablename__ = "quote_routing"
    __table_args__ = (UniqueConstraint("quote_id", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"),
                                          nullable=False, index=True)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    route_type_code: Mapped[str] = mapped_column(ForeignKey("quote_route_type.code"),
                                                 nullable=False)
    batch_code: Mapped[str] = mapped_column(ForeignKey("batch_control.code"), nullable=False)
    batch_run: Mapped[int] = mapped_column(Integer, nullable=False)
    do_not_extract: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Added by a person (a reprint or a new recipient), not by Complete.
    reprint: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    extracted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    name1: Mapped[str] = mapped_column(String(64), nullable=False)
    name2: Mapped[str | None] = mapped_column(String(64))
    name3: Mapped[str | None] = mapped_column(String(64))
    address_line1: Mapped[str | None] = mapped_column(String(64))
    address_line2: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(30))
    region: Mapped[str | None] = mapped_column(String(6))
    postal_code: Mapped[str | None] = mapped_column(String(12))
    country: Mapped[str | None] = mapped_column(String(3))
    email: Mapped[str | None] = mapped_column(String(70))
    fax: Mapped[str | None] = mapped_column(String(64))
