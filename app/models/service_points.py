"""Service points (the permanent physical point of delivery) and the devices on them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Identifier, Versioned, enum_column
from app.models.enums import ConsumerKind, DeviceStatus, ServiceType


class ServicePoint(Versioned, Base):
    __tablename__ = "service_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    premise_id: Mapped[int] = mapped_column(ForeignKey("premise.id"), nullable=False, index=True)
    service_type: Mapped[ServiceType] = mapped_column(enum_column(ServiceType), nullable=False)
    consumer_kind: Mapped[ConsumerKind] = mapped_column(
        enum_column(ConsumerKind), nullable=False, default=ConsumerKind.IMPORT
    )
    #: ICP / MPAN / MPRN or similar; unique when present (spec/60 R-A10).
    external_pod_ref: Mapped[str | None] = mapped_column(String(40), unique=True)


class Meter(Versioned, Base):
    __tablename__ = "meter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    badge_number: Mapped[str] = mapped_column(String(30), nullable=False, unique=True)
    meter_type: Mapped[str] = mapped_column(String(30), nullable=False)
    service_type: Mapped[ServiceType] = mapped_column(enum_column(ServiceType), nullable=False)
    serial_number: Mapped[str | None] = mapped_column(String(40))
    manufacturer: Mapped[str | None] = mapped_column(String(60))
    model: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[DeviceStatus] = mapped_column(
        enum_column(DeviceStatus), nullable=False, default=DeviceStatus.IN_STOCK
    )


class Register(Versioned, Base):
    """One dial or channel of a meter: what it measures (UOM, TOU) and how many digits it has."""

    __tablename__ = "register"
    __table_args__ = (
        UniqueConstraint("meter_id", "sequence"),
        CheckConstraint("digits BETWEEN 1 AND 12", name="digits"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meter.id"), nullable=False)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    uom: Mapped[str] = mapped_column(String(10), nullable=False)
    tou: Mapped[str | None] = mapped_column(String(10))
    digits: Mapped[int] = mapped_column(Integer, nullable=False)


class Item(Versioned, Base):
    """An unmetered device (street light, security light, load-control switch…)."""

    __tablename__ = "item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    badge_number: Mapped[str] = mapped_column(String(30), nullable=False, unique=True)
    item_type: Mapped[str] = mapped_column(String(30), nullable=False)
    status: Mapped[DeviceStatus] = mapped_column(
        enum_column(DeviceStatus), nullable=False, default=DeviceStatus.IN_STOCK
    )


class DeviceInstallation(Versioned, Base):
    """A meter or an item installed on a service point for a period (the SP's install history)."""

    __tablename__ = "device_installation"
    __table_args__ = (
        CheckConstraint(
            "(meter_id IS NULL) <> (item_id IS NULL)", name="meter_or_item"
        ),
        CheckConstraint("removed_on IS NULL OR removed_on >= installed_on", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_point_id: Mapped[int] = mapped_column(
        ForeignKey("service_point.id"), nullable=False, index=True
    )
    meter_id: Mapped[int | None] = mapped_column(ForeignKey("meter.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id"), index=True)
    installed_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    removed_on: Mapped[dt.date | None] = mapped_column(Date)
