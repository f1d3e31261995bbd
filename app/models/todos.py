"""Organisation and tasks (spec/60 §A7.5): work groups and their members, To Do types and
To Do entries, and the customer contacts that processes (case algorithms first) record."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Identifier, Versioned, enum_column
from app.models.enums import TodoStatus, WorkGroupRole


class WorkGroup(Versioned, Base):
    """A team that To Do entries are routed to (billing, meter shop, supervisors…)."""

    __tablename__ = "work_group"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)


class WorkGroupMember(Versioned, Base):
    __tablename__ = "work_group_member"
    __table_args__ = (UniqueConstraint("work_group_code", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    work_group_code: Mapped[str] = mapped_column(ForeignKey("work_group.code"), nullable=False)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False, index=True)
    role: Mapped[WorkGroupRole] = mapped_column(enum_column(WorkGroupRole), nullable=False,
                                                default=WorkGroupRole.MEMBER)


class TodoType(Versioned, Base):
    __tablename__ = "todo_type"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    default_work_group_code: Mapped[str] = mapped_column(ForeignKey("work_group.code"),
                                                         nullable=False)
    #: 1 is the most urgent, 9 the least.
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=5)


class TodoEntry(Versioned, Base):
    """A piece of work waiting for someone in a work group: OPEN → BEING_WORKED (taken) →
    COMPLETE; a taken entry can go back to its group."""

    __tablename__ = "todo_entry"
    __table_args__ = (
        Index("ix_todo_entry_status_group", "status", "work_group_code"),
        Index("ix_todo_entry_assigned_status", "assigned_user_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    todo_type_code: Mapped[str] = mapped_column(ForeignKey("todo_type.code"), nullable=False)
    status: Mapped[TodoStatus] = mapped_column(enum_column(TodoStatus), nullable=False,
                                               default=TodoStatus.OPEN)
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    work_group_code: Mapped[str] = mapped_column(ForeignKey("work_group.code"), nullable=False)
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    message: Mapped[str] = mapped_column(Text, nullable=False)
    #: What the entry is about, to drill to: ("CASE", "1234567890"), ("ACCOUNT", …)…
    drill_entity_type: Mapped[str | None] = mapped_column(String(30))
    drill_entity_id: Mapped[str | None] = mapped_column(String(30))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    completed_by: Mapped[str | None] = mapped_column(String(64))


class CustomerContact(Base):
    """A recorded contact with a customer (a call, a letter sent…); processes create them and
    point to them from their logs."""

    __audited__ = True
    __tablename__ = "customer_contact"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), nullable=False, index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    contact_type: Mapped[str] = mapped_column(String(30), nullable=False)
    contact_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
