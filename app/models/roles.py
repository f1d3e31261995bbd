"""Party roles: the only link between people and the objects they act on (spec/60 §A2.4)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Versioned, enum_column
from app.models.enums import RoleType
from app.models.parties import Party


class PartyRole(Versioned, Base):
    __tablename__ = "party_role"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN account_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN premise_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN service_agreement_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), nullable=False, index=True)
    role_type: Mapped[RoleType] = mapped_column(enum_column(RoleType), nullable=False)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    premise_id: Mapped[int | None] = mapped_column(ForeignKey("premise.id"), index=True)
    service_agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_agreement.id"), index=True
    )
    effective_from: Mapped[dt.date] = mapped_column(Date, nullable=False)
    effective_to: Mapped[dt.date | None] = mapped_column(Date)
    granted_by_party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    is_main: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    comments: Mapped[str | None] = mapped_column(String(254))

    party: Mapped[Party] = relationship(foreign_keys=[party_id])
