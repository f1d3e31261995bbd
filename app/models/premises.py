"""Premises (supply locations), their hierarchy and landlords (spec/60 §B1)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.engine.search_keys import address_keys
from app.models.base import Base, Identifier, Versioned, enum_column
from app.models.enums import LandlordAgreementStatus, PremiseType


class LandlordAgreement(Versioned, Base):
    __tablename__ = "landlord_agreement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    landlord_party_id: Mapped[int] = mapped_column(
        ForeignKey("party.id"), nullable=False, index=True
    )
    #: The landlord's account, which pays for vacant units.
    landlord_account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), nullable=False)
    status: Mapped[LandlordAgreementStatus] = mapped_column(
        enum_column(LandlordAgreementStatus), nullable=False, default=LandlordAgreementStatus.ACTIVE
    )


class Premise(Versioned, Base):
    __tablename__ = "premise"
    __table_args__ = (CheckConstraint("parent_premise_id <> id", name="not_own_parent"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    premise_type: Mapped[PremiseType] = mapped_column(enum_column(PremiseType), nullable=False)
    address_line1: Mapped[str] = mapped_column(String(100), nullable=False)
    address_line2: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(60), nullable=False)
    region: Mapped[str | None] = mapped_column(String(60))
    postal_code: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    country: Mapped[str] = mapped_column(String(2), nullable=False, default="US")
    parent_premise_id: Mapped[int | None] = mapped_column(ForeignKey("premise.id"), index=True)
    landlord_agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("landlord_agreement.id"), index=True
    )
    #: `address_line1` folded, whole and without the house number (app.engine.search_keys),
    #: kept in step by a mapper event; the address search range-scans them.
    search_address: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    search_street: Mapped[str] = mapped_column(String(100), nullable=False, default="")


@event.listens_for(Premise, "before_insert")
@event.listens_for(Premise, "before_update")
def _premise_keys(_mapper: object, _connection: object, premise: Premise) -> None:
    premise.search_address, premise.search_street = address_keys(premise.address_line1)


class PremiseGeo(Base):
    """A geographic type / value pair of a premise (spec/60 §B1.2): `LATLONG`, `TAXDIST`,
    `GRIDREF`… One value per type; Premise Management finds premises by type and value."""

    __tablename__ = "premise_geo"
    __table_args__ = (Index("ix_premise_geo_type_value", "geo_type", "geo_value", "premise_id"),)
    __audited__ = True

    premise_id: Mapped[int] = mapped_column(ForeignKey("premise.id"), primary_key=True)
    geo_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    geo_value: Mapped[str] = mapped_column(String(50), nullable=False)
