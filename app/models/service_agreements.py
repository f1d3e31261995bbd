"""Service agreements: an account's time-bounded contract on service points (Flux "consumer")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Identifier, Versioned, enum_column
from app.models.enums import SAStatus, ServiceType


class ServiceAgreement(Versioned, Base):
    __tablename__ = "service_agreement"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), nullable=False, index=True)
    sa_type: Mapped[str] = mapped_column(String(30), nullable=False)
    service_type: Mapped[ServiceType] = mapped_column(enum_column(ServiceType), nullable=False)
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[SAStatus] = mapped_column(enum_column(SAStatus), nullable=False)
    #: A proposal SA (spec/40 §1.7): priced in quotes, never billed, never in collections.
    #: Set at creation and never changed; accepting one creates a new, real agreement.
    is_proposal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                              server_default=false())
    decline_reason_code: Mapped[str | None] = mapped_column(String(30))
    #: The terms of service (umbrella agreement) the agreement belongs to (spec/60 §B2).
    terms_of_service_id: Mapped[int | None] = mapped_column(Integer, index=True)


class ServiceAgreementServicePoint(Versioned, Base):
    """Which service points an agreement supplies, and when."""

    __tablename__ = "sa_service_point"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("service_agreement.id"), nullable=False, index=True
    )
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_point.id"), nullable=False, index=True
    )
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class ServiceAgreementRate(Versioned, Base):
    """The agreement's rate history: from each date on, this rate schedule applies."""

    __tablename__ = "sa_rate_history"
    __table_args__ = (UniqueConstraint("service_agreement_id", "effective_from"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("service_agreement.id"), nullable=False
    )
    effective_from: Mapped[dt.date] = mapped_column(Date, nullable=False)
    rate_schedule_code: Mapped[str] = mapped_column(String(30), nullable=False)
