"""Loans (spec/50 §2.1): loan SA types and start options, the loan terms of an agreement, its
rate overrides and payment amounts by date, its loan bill segments, and its financial
transactions with their current and payoff amounts.

A loan is a service agreement whose type is a `LoanSAType`. Its current balance is Σ
``current_amount`` of its `LoanTransaction` rows (what has been billed and not paid), its
payoff balance Σ ``payoff_amount`` (what would settle it today); the unbilled principal is
payoff − current. The rows that touch what the account owes (bills, payments, the overpayment
adjustment) are also posted to the account's bill, payment and adjustment tables, and the
transaction points at them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.engine.loans import Frequency
from app.models.base import Base, Money, Versioned, enum_column
from app.models.enums import LoanSegmentStatus, LoanTransactionKind, ServiceType

#: An annual interest rate in percent, e.g. 6.000000 (spec/50 §0.1).
InterestRate = Numeric(9, 6, asdecimal=True)


class LoanSAType(Versioned, Base):
    """A service agreement type with special role LOAN."""

    __tablename__ = "loan_sa_type"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    #: The service the loan pays for (an agreement always has one).
    service_type: Mapped[ServiceType] = mapped_column(enum_column(ServiceType), nullable=False)
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency), nullable=False)
    standard_rate: Mapped[Decimal] = mapped_column(InterestRate, nullable=False)
    allow_rate_override: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                      server_default=false())
    total_amount_label: Mapped[str] = mapped_column(String(40), nullable=False,
                                                    default="Loan Amount")
    recurring_charge_label: Mapped[str] = mapped_column(String(40), nullable=False,
                                                        default="Payment Amount")
    #: Control Central shows a "loan exists" alert for accounts with such a loan.
    alert_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True,
                                                server_default=true())


class LoanStartOption(Versioned, Base):
    """Defaults for starting a loan of one type; its rate, when set, replaces the type's."""

    __tablename__ = "loan_start_option"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    sa_type_code: Mapped[str] = mapped_column(ForeignKey("loan_sa_type.code"), nullable=False,
                                              index=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    #: How the principal adjustment posted on activation is described.
    principal_adjustment_label: Mapped[str] = mapped_column(String(60), nullable=False,
                                                            default="Loan principal")
    loan_amount: Mapped[Decimal | None] = mapped_column(Money)
    payment_amount: Mapped[Decimal | None] = mapped_column(Money)
    payment_periods: Mapped[int | None] = mapped_column(Integer)
    interest_rate: Mapped[Decimal | None] = mapped_column(InterestRate)


class LoanAgreement(Versioned, Base):
    """The loan terms of one service agreement (1:1)."""

    __tablename__ = "loan_agreement"
    __table_args__ = (
        CheckConstraint("loan_amount > 0", name="amount"),
        CheckConstraint("original_payment_periods > 0", name="periods"),
    )

    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("service_agreement.id"), primary_key=True)
    sa_type_code: Mapped[str] = mapped_column(ForeignKey("loan_sa_type.code"), nullable=False)
    start_option_code: Mapped[str] = mapped_column(ForeignKey("loan_start_option.code"),
                                                   nullable=False)
    loan_amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    original_payment_periods: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The type's (or start option's) rate when the loan started.
    standard_rate: Mapped[Decimal] = mapped_column(InterestRate, nullable=False)
    frequency: Mapped[Frequency] = mapped_column(enum_column(Frequency), nullable=False)


class LoanRateOverride(Versioned, Base):
    """The rate in force from ``start_date`` to ``end_date`` (open when null)."""

    __tablename__ = "loan_rate_override"
    __table_args__ = (
        UniqueConstraint("service_agreement_id", "start_date"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
        CheckConstraint("rate >= 0 AND rate <= 100", name="rate"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("loan_agreement.service_agreement_id"), nullable=False)
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    rate: Mapped[Decimal] = mapped_column(InterestRate, nullable=False)


class LoanPaymentAmount(Versioned, Base):
    """The payment in force from ``effective_date`` on."""

    __tablename__ = "loan_payment_amount"
    __table_args__ = (
        UniqueConstraint("service_agreement_id", "effective_date"),
        CheckConstraint("amount > 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("loan_agreement.service_agreement_id"), nullable=False)
    effective_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)


class LoanBillSegment(Base):
    """One billing of a loan: the loan periods it covers and what it charged (LN-F1, LN-F5),
    or why it could not (status ERROR, e.g. negative amortization, LN-F7). An OK segment
    points at the account's bill segment."""

    __audited__ = True
    __tablename__ = "loan_bill_segment"
    __table_args__ = (Index("ix_loan_bill_segment_sa_period", "service_agreement_id",
                            "first_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("loan_agreement.service_agreement_id"), nullable=False)
    bill_segment_id: Mapped[int | None] = mapped_column(ForeignKey("bill_segment.id"))
    bill_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    first_period: Mapped[int] = mapped_column(Integer, nullable=False)
    periods_covered: Mapped[int] = mapped_column(Integer, nullable=False)
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    status: Mapped[LoanSegmentStatus] = mapped_column(enum_column(LoanSegmentStatus),
                                                      nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    interest: Mapped[Decimal] = mapped_column(Money, nullable=False)
    principal: Mapped[Decimal] = mapped_column(Money, nullable=False)
    is_closing: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_final: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    error_message: Mapped[str | None] = mapped_column(String(400))


class LoanTransaction(Base):
    """A financial transaction of a loan with what it does to the current and payoff
    balances (spec/50 §2.1 FT). Immutable once posted."""

    __audited__ = True
    __tablename__ = "loan_transaction"
    __table_args__ = (Index("ix_loan_transaction_sa", "service_agreement_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("loan_agreement.service_agreement_id"), nullable=False)
    kind: Mapped[LoanTransactionKind] = mapped_column(enum_column(LoanTransactionKind),
                                                      nullable=False)
    #: The arrears date: the bill date, payment date or adjustment date.
    transaction_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    description: Mapped[str] = mapped_column(String(120), nullable=False)
    current_amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    payoff_amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    loan_bill_segment_id: Mapped[int | None] = mapped_column(ForeignKey("loan_bill_segment.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("adjustment.id"))
