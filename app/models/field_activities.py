"""Field work (spec/50 §1.2; the field-order spec owns these tables, appointments use them):
field activity types, the rules that give an activity its dispatch group, field orders, field
activities at a premise (and service point), and the adjustment that compensated a missed
appointment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Identifier, Money, Versioned, enum_column
from app.models.enums import (
    AppointmentBooking,
    FieldActivityStatus,
    FieldActivityTrigger,
    FieldOrderStatus,
    ServiceType,
)


class FieldActivityType(Versioned, Base):
    __tablename__ = "field_activity_type"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    dispatchable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    appointment_booking: Mapped[AppointmentBooking] = mapped_column(
        enum_column(AppointmentBooking), nullable=False, default=AppointmentBooking.OPTIONAL)
    #: The system creates one on each service point when service starts or stops there.
    created_on: Mapped[FieldActivityTrigger] = mapped_column(
        enum_column(FieldActivityTrigger), nullable=False, default=FieldActivityTrigger.NEVER)
    #: Only for service points of this service (None: any).
    service_type: Mapped[ServiceType | None] = mapped_column(enum_column(ServiceType))
    #: Credited to the account when the crew arrives after the booked period (AP-R16).
    missed_appointment_credit: Mapped[Decimal | None] = mapped_column(Money)


class DispatchGroupRule(Base):
    """Which dispatch group gets an activity: the rule matching most of (type, service, area)
    wins; a blank column matches anything."""

    __audited__ = True
    __tablename__ = "dispatch_group_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    field_activity_type_code: Mapped[str | None] = mapped_column(
        ForeignKey("field_activity_type.code"))
    service_type: Mapped[ServiceType | None] = mapped_column(enum_column(ServiceType))
    operations_area_code: Mapped[str | None] = mapped_column(ForeignKey("operations_area.code"))
    dispatch_group_code: Mapped[str] = mapped_column(ForeignKey("dispatch_group.code"),
                                                     nullable=False)


class FieldOrder(Versioned, Base):
    """Field activities at one premise sent to a crew together."""

    __tablename__ = "field_order"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    premise_id: Mapped[int] = mapped_column(ForeignKey("premise.id"), nullable=False, index=True)
    dispatch_group_code: Mapped[str | None] = mapped_column(ForeignKey("dispatch_group.code"))
    status: Mapped[FieldOrderStatus] = mapped_column(
        enum_column(FieldOrderStatus, 30), nullable=False, default=FieldOrderStatus.OPEN)
    scheduled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class FieldActivity(Versioned, Base):
    __tablename__ = "field_activity"
    __table_args__ = (
        # Capacity counts read only this index (period, status, premise).
        Index("ix_field_activity_period", "appointment_period_id", "status", "premise_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    premise_id: Mapped[int] = mapped_column(ForeignKey("premise.id"), nullable=False, index=True)
    service_point_id: Mapped[int | None] = mapped_column(ForeignKey("service_point.id"))
    service_agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_agreement.id"), index=True)
    field_activity_type_code: Mapped[str] = mapped_column(
        ForeignKey("field_activity_type.code"), nullable=False)
    status: Mapped[FieldActivityStatus] = mapped_column(
        enum_column(FieldActivityStatus), nullable=False, default=FieldActivityStatus.PENDING)
    scheduled_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    dispatch_group_code: Mapped[str | None] = mapped_column(ForeignKey("dispatch_group.code"))
    #: The booked appointment period; kept when the activity is canceled, for audit (§6 Q8).
    appointment_period_id: Mapped[int | None] = mapped_column(
        ForeignKey("appointment_period.id"))
    field_order_id: Mapped[int | None] = mapped_column(ForeignKey("field_order.id"), index=True)
    instructions: Mapped[str | None] = mapped_column(String(254))
    #: When the crew arrived (recorded on completion; AP-R16 compares it with the period).
    arrived_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class FieldActivityPenaltyAdjustment(Base):
    """The adjustment that compensated a missed appointment (AP-R16)."""

    __audited__ = True
    __tablename__ = "fa_penalty_adjustment"

    field_activity_id: Mapped[int] = mapped_column(ForeignKey("field_activity.id"),
                                                   primary_key=True)
    adjustment_id: Mapped[int] = mapped_column(ForeignKey("adjustment.id"), nullable=False)
