"""Customers (Flux "User": the legal authority), accounts and subscriptions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Identifier, Versioned, enum_column
from app.models.enums import (
    AccountStatus,
    BillingFrequency,
    CustomerClass,
    CustomerStatus,
    InvoicingMode,
)
from app.models.parties import Party


class Customer(Versioned, Base):
    """The legal party behind a set of accounts."""

    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    legal_party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), nullable=False, unique=True)
    customer_class: Mapped[CustomerClass] = mapped_column(
        enum_column(CustomerClass), nullable=False
    )
    status: Mapped[CustomerStatus] = mapped_column(
        enum_column(CustomerStatus), nullable=False, default=CustomerStatus.ACTIVE
    )

    legal_party: Mapped[Party] = relationship()
    accounts: Mapped[list[Account]] = relationship(back_populates="customer", order_by="Account.id")


class Account(Versioned, Base):
    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint(
            "invoicing_mode <> 'STATEMENT' OR statement_day BETWEEN 1 AND 28",
            name="statement_day",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), nullable=False, index=True)
    description: Mapped[str | None] = mapped_column(String(100))
    billing_frequency: Mapped[BillingFrequency] = mapped_column(
        enum_column(BillingFrequency), nullable=False, default=BillingFrequency.MONTHLY
    )
    invoicing_mode: Mapped[InvoicingMode] = mapped_column(
        enum_column(InvoicingMode), nullable=False, default=InvoicingMode.CONSOLIDATED
    )
    statement_day: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="USD")
    status: Mapped[AccountStatus] = mapped_column(
        enum_column(AccountStatus), nullable=False, default=AccountStatus.ACTIVE
    )
    setup_date: Mapped[dt.date] = mapped_column(Date, nullable=False)

    customer: Mapped[Customer] = relationship(back_populates="accounts")


class Subscription(Versioned, Base):
    """An e-mail address that receives copies of an account's correspondence; no authority."""

    __tablename__ = "subscription"
    __table_args__ = (
        CheckConstraint("active_to IS NULL OR active_to >= active_from", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    display_name: Mapped[str | None] = mapped_column(String(100))
    premise_id: Mapped[int | None] = mapped_column(ForeignKey("premise.id"))
    #: Comma-separated CorrespondenceType values.
    correspondence_types: Mapped[str] = mapped_column(String(100), nullable=False)
    active_from: Mapped[dt.date] = mapped_column(Date, nullable=False)
    active_to: Mapped[dt.date | None] = mapped_column(Date)
