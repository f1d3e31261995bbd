"""Umbrella agreements and their terms of service (spec/60 §B2): a negotiated contract whose
terms of service group agreements (real and proposal) and may name a template SA whose rate
replaces the agreements' own while the contract is in effect."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Identifier, Versioned, enum_column
from app.models.enums import TosStatus, UmbrellaStatus


class UmbrellaAgreement(Versioned, Base):
    __tablename__ = "umbrella_agreement"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    status: Mapped[UmbrellaStatus] = mapped_column(enum_column(UmbrellaStatus), nullable=False)
    start_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    end_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    comments: Mapped[str | None] = mapped_column(Text)


class TermsOfService(Versioned, Base):
    """Terms of one umbrella agreement; agreements join it through
    `service_agreement.terms_of_service_id`."""

    __tablename__ = "terms_of_service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    umbrella_agreement_id: Mapped[int] = mapped_column(
        ForeignKey("umbrella_agreement.id", ondelete="CASCADE"), nullable=False, index=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    status: Mapped[TosStatus] = mapped_column(enum_column(TosStatus), nullable=False)
    #: A non-billing agreement holding the negotiated rate, riders, contract values and
    #: exemptions; None: the terms only group agreements.
    template_sa_id: Mapped[int | None] = mapped_column(ForeignKey("service_agreement.id"))
    #: The template's rate replaces the covered agreements' own (spec/60 §B2.5
    #: `rate_source = TOS_TEMPLATE`; our SA types are not a table yet, so the terms say it).
    overrides_rate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
