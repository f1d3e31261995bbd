"""Appointments (spec/50 §1.2): operations areas, dispatch groups and their alternates,
appointment periods, and the work calendars whose holidays period copies skip.

An appointment is not a row: it is the field activities at one premise linked to one
`AppointmentPeriod` (``field_activity.appointment_period_id``, see `app.models.field_activities`).
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
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Versioned, enum_column
from app.models.enums import CapacityUnit


class OperationsArea(Versioned, Base):
    """Where a group of crews works from; premises belong to one by postal code prefix."""

    __tablename__ = "operations_area"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)


class OperationsAreaPostalCode(Base):
    """A postal code prefix served by an operations area (the longest matching prefix wins)."""

    __tablename__ = "operations_area_postal_code"

    postal_prefix: Mapped[str] = mapped_column(String(12), primary_key=True)
    operations_area_code: Mapped[str] = mapped_column(ForeignKey("operations_area.code"),
                                                      nullable=False, index=True)


class DispatchGroup(Versioned, Base):
    """A logical group of crews at an operations area that appointments are booked with."""

    __tablename__ = "dispatch_group"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    operations_area_code: Mapped[str] = mapped_column(ForeignKey("operations_area.code"),
                                                      nullable=False, index=True)
    #: Appointments can be booked (the spec's "available appointments algorithm" is set).
    takes_appointments: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    capacity_unit: Mapped[CapacityUnit] = mapped_column(
        enum_column(CapacityUnit), nullable=False, default=CapacityUnit.PREMISES)
    #: A workforce-management system that owns this group's periods (AP-R14, AP-R15).
    external_system: Mapped[str | None] = mapped_column(String(30))
    #: Days the availability search shows at a time (AP-R12).
    window_days: Mapped[int] = mapped_column(Integer, nullable=False, default=7)


class DispatchGroupAlternate(Base):
    """A dispatch group that can take another's work (AP-R10); lower `sequence` preferred."""

    __tablename__ = "dispatch_group_alternate"
    __table_args__ = (CheckConstraint("alternate_code <> dispatch_group_code", name="not_self"),)

    dispatch_group_code: Mapped[str] = mapped_column(ForeignKey("dispatch_group.code"),
                                                     primary_key=True)
    alternate_code: Mapped[str] = mapped_column(ForeignKey("dispatch_group.code"),
                                                primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False, default=1)


class AppointmentPeriod(Versioned, Base):
    """A time band in which a dispatch group can be booked, with its maximum appointments."""

    __tablename__ = "appointment_period"
    __table_args__ = (
        CheckConstraint("end_at > start_at", name="ends_after_start"),
        CheckConstraint("max_appointments >= 0", name="max_not_negative"),
        UniqueConstraint("dispatch_group_code", "start_at", "end_at"),
        Index("ix_appointment_period_group_start", "dispatch_group_code", "start_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dispatch_group_code: Mapped[str] = mapped_column(ForeignKey("dispatch_group.code"),
                                                     nullable=False)
    start_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    end_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    max_appointments: Mapped[int] = mapped_column(Integer, nullable=False)
    created_by_external: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                      server_default=false())


class WorkCalendar(Versioned, Base):
    """A named list of holidays (public holidays of a region, a utility's own closures)."""

    __tablename__ = "work_calendar"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)


class WorkCalendarHoliday(Base):
    __audited__ = True
    __tablename__ = "work_calendar_holiday"

    calendar_code: Mapped[str] = mapped_column(ForeignKey("work_calendar.code"),
                                               primary_key=True)
    holiday: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
