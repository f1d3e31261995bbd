"""Characteristic types and their effective-dated values on premises, SPs, accounts and SAs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned, enum_column
from app.models.enums import CharacteristicValueKind


class CharacteristicType(Versioned, Base):
    __tablename__ = "characteristic_type"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    value_kind: Mapped[CharacteristicValueKind] = mapped_column(
        enum_column(CharacteristicValueKind), nullable=False
    )
    for_premise: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    for_service_point: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    for_account: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    for_service_agreement: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    for_stock_location: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                     server_default=false())


class CharacteristicAllowedValue(Versioned, Base):
    """One value of a predefined characteristic type's list."""

    __tablename__ = "characteristic_allowed_value"

    characteristic_type_code: Mapped[str] = mapped_column(
        ForeignKey("characteristic_type.code"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(16), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)


class CharacteristicValue(Versioned, Base):
    """From `effective_from` on, the characteristic of this type on this object is `value`."""

    __tablename__ = "characteristic_value"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN premise_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN service_point_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN account_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN service_agreement_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    characteristic_type_code: Mapped[str] = mapped_column(
        ForeignKey("characteristic_type.code"), nullable=False
    )
    premise_id: Mapped[int | None] = mapped_column(ForeignKey("premise.id"), index=True)
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_point.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    service_agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_agreement.id"), index=True
    )
    effective_from: Mapped[dt.date] = mapped_column(Date, nullable=False)
    value: Mapped[str] = mapped_column(String(254), nullable=False)
