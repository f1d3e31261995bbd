"""Asset inventory (spec/50 §4.1): meter and item types (whether their stock location is
tracked), stock locations with their characteristics, the removal location by postal code, and
the location history of every tracked meter and item, with its current position.

`AssetLocation` is the history (append-only: a move adds a row). `AssetPosition` is the latest
row per asset, kept in step by the services, so "what is at a location now" and its counts are
one index range; "what was there on a date" reads the history (INV-R5).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned, enum_column
from app.models.enums import AssetKind, AssetLocationSource, ServiceType, StockLocationKind


class MeterType(Versioned, Base):
    __tablename__ = "meter_type"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    service_type: Mapped[ServiceType | None] = mapped_column(enum_column(ServiceType))
    #: Location history is written for meters of this type (INV-R1).
    track_stock_location: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True,
                                                       server_default=true())


class ItemType(Versioned, Base):
    __tablename__ = "item_type"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    track_stock_location: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True,
                                                       server_default=true())


class StockLocation(Versioned, Base):
    """A warehouse, truck, vendor, repair shop or scrap yard (or a grouping of them)."""

    __tablename__ = "stock_location"
    __table_args__ = (CheckConstraint("parent_code <> code", name="not_own_parent"),)

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    kind: Mapped[StockLocationKind] = mapped_column(enum_column(StockLocationKind),
                                                    nullable=False)
    #: False for a notional or grouping location: nothing can be put there (INV-R4).
    hold_inventory: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True,
                                                 server_default=true())
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("stock_location.code"),
                                                    index=True)
    address_line1: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(60))
    postal_code: Mapped[str | None] = mapped_column(String(12))
    comments: Mapped[str | None] = mapped_column(String(254))


class StockLocationCharacteristic(Versioned, Base):
    __tablename__ = "stock_location_characteristic"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stock_location_code: Mapped[str] = mapped_column(ForeignKey("stock_location.code"),
                                                     nullable=False, index=True)
    characteristic_type_code: Mapped[str] = mapped_column(
        ForeignKey("characteristic_type.code"), nullable=False)
    effective_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    value: Mapped[str] = mapped_column(String(254), nullable=False)


class PostalCodeDefault(Versioned, Base):
    """Where assets removed at premises of a postal code (prefix) go (INV-R2); the longest
    matching prefix wins."""

    __tablename__ = "postal_code_default"

    postal_prefix: Mapped[str] = mapped_column(String(12), primary_key=True)
    removal_stock_location_code: Mapped[str] = mapped_column(
        ForeignKey("stock_location.code"), nullable=False)


class AssetLocation(Base):
    """One row of an asset's location history: at a stock location, or installed at a service
    point, from `located_at` on."""

    __audited__ = True
    __tablename__ = "asset_location"
    __table_args__ = (
        CheckConstraint("(stock_location_code IS NULL) <> (service_point_id IS NULL)",
                        name="location_or_service_point"),
        Index("ix_asset_location_asset", "asset_kind", "asset_id", "located_at"),
        Index("ix_asset_location_place", "stock_location_code", "located_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asset_kind: Mapped[AssetKind] = mapped_column(enum_column(AssetKind), nullable=False)
    asset_id: Mapped[int] = mapped_column(Integer, nullable=False)
    located_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    stock_location_code: Mapped[str | None] = mapped_column(ForeignKey("stock_location.code"))
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_point.id"))
    source: Mapped[AssetLocationSource] = mapped_column(enum_column(AssetLocationSource),
                                                       nullable=False)
    reason: Mapped[str | None] = mapped_column(String(254))
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)


class AssetPosition(Versioned, Base):
    """Where a tracked asset is now: its latest `AssetLocation` row, kept in step by the
    services (the version makes two transfers of one asset collide, INV-T10). Not audited
    itself: it is derived from the history, whose every row is."""

    __audited__ = False
    __tablename__ = "asset_position"
    __table_args__ = (
        Index("ix_asset_position_place", "stock_location_code", "asset_kind", "type_code"),
        # A location's first page in badge order, and badges looked up for a transfer.
        Index("ix_asset_position_place_badge", "stock_location_code", "badge_number"),
        Index("ix_asset_position_badge", "badge_number"),
    )

    asset_kind: Mapped[AssetKind] = mapped_column(enum_column(AssetKind), primary_key=True)
    asset_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_code: Mapped[str] = mapped_column(String(30), nullable=False)
    badge_number: Mapped[str] = mapped_column(String(30), nullable=False)
    stock_location_code: Mapped[str | None] = mapped_column(ForeignKey("stock_location.code"))
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_point.id"))
    located_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
