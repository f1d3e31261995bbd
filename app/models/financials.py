"""A minimal financial history: bills (with one segment per agreement), payments, adjustments.

Balance of an account = Σ bills − Σ payments + Σ adjustments (adjustments carry their sign).
Financial rows are immutable once posted: a mistake is corrected by a new adjustment, so they
carry no version column.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Money, enum_column
from app.models.enums import AdjustmentType, BillStatus, PaymentMethod


class Bill(Base):
    __audited__ = True
    __tablename__ = "bill"
    __table_args__ = (Index("ix_bill_account_date", "account_id", "bill_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), nullable=False)
    bill_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    due_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    status: Mapped[BillStatus] = mapped_column(
        enum_column(BillStatus), nullable=False, default=BillStatus.COMPLETE
    )


class BillSegment(Base):
    """What one agreement contributed to a bill: the period, the quantity and the amount."""

    __audited__ = True
    __tablename__ = "bill_segment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bill.id"), nullable=False, index=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("service_agreement.id"), nullable=False, index=True
    )
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3), nullable=False)
    uom: Mapped[str] = mapped_column(String(10), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)


class Payment(Base):
    __audited__ = True
    __tablename__ = "payment"
    __table_args__ = (Index("ix_payment_account_date", "account_id", "payment_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), nullable=False)
    payment_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod), nullable=False)


class Adjustment(Base):
    __audited__ = True
    __tablename__ = "adjustment"
    __table_args__ = (Index("ix_adjustment_account_date", "account_id", "adjustment_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), nullable=False)
    service_agreement_id: Mapped[int | None] = mapped_column(ForeignKey("service_agreement.id"))
    adjustment_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    adjustment_type: Mapped[AdjustmentType] = mapped_column(
        enum_column(AdjustmentType), nullable=False
    )
    #: Positive raises what the customer owes, negative lowers it.
    amount: Mapped[Decimal] = mapped_column(Money, nullable=False)
    reason: Mapped[str] = mapped_column(String(254), nullable=False)
