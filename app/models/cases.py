"""Cases (spec/50 §5): case types as data — their statuses, transitions (the action
buttons), algorithms, required and allowed characteristics — and the cases themselves, with
characteristics, links to other objects and the append-only case log.

The case table is `case_record` because CASE is a reserved word in SQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Identifier, Versioned, enum_column
from app.models.enums import (
    CaseAlgorithmKind,
    CaseLinkKind,
    CaseLogType,
    CaseUsage,
    ContactMethod,
    UserRole,
)


def _usage() -> Mapped[CaseUsage]:
    return mapped_column(enum_column(CaseUsage), nullable=False, default=CaseUsage.OPTIONAL)


class CaseType(Versioned, Base):
    """What a case is and how it moves: the type controls almost everything."""

    __tablename__ = "case_type"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    description: Mapped[str] = mapped_column(String(100), nullable=False)
    person_usage: Mapped[CaseUsage] = _usage()
    account_usage: Mapped[CaseUsage] = _usage()
    premise_usage: Mapped[CaseUsage] = _usage()
    responsible_user_usage: Mapped[CaseUsage] = _usage()
    contact_info_usage: Mapped[CaseUsage] = _usage()
    uses_characteristics: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Comma-separated user roles that may see, open and work cases of this type ("" = all).
    access_roles: Mapped[str] = mapped_column(String(120), nullable=False, default="")


class CaseTypeStatus(Versioned, Base):
    """One state of a case type's lifecycle: exactly one initial, one or more final."""

    __tablename__ = "case_type_status"

    case_type_code: Mapped[str] = mapped_column(ForeignKey("case_type.code"), primary_key=True)
    status_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    description: Mapped[str] = mapped_column(String(60), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_initial: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_final: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: Control Central raises an alert while a case of the account is in this status.
    alertable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: What to do while the case is in this status (shown on the case).
    script: Mapped[str | None] = mapped_column(String(254))


class CaseTypeTransition(Versioned, Base):
    """An action button: from one status to another, for the users holding `access_role`."""

    __tablename__ = "case_type_transition"
    __table_args__ = (
        UniqueConstraint("case_type_code", "from_status", "to_status"),
        ForeignKeyConstraint(["case_type_code", "from_status"],
                             ["case_type_status.case_type_code", "case_type_status.status_code"],
                             name="fk_case_type_transition_from_status"),
        ForeignKeyConstraint(["case_type_code", "to_status"],
                             ["case_type_status.case_type_code", "case_type_status.status_code"],
                             name="fk_case_type_transition_to_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_type_code: Mapped[str] = mapped_column(String(12), nullable=False)
    from_status: Mapped[str] = mapped_column(String(20), nullable=False)
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    action_label: Mapped[str] = mapped_column(String(40), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: None: anyone who may work cases of the type.
    access_role: Mapped[UserRole | None] = mapped_column(enum_column(UserRole))


class CaseTypeAlgorithm(Versioned, Base):
    """An algorithm run on entering or leaving a status, or asked for the next status."""

    __tablename__ = "case_type_algorithm"
    __table_args__ = (
        ForeignKeyConstraint(["case_type_code", "status_code"],
                             ["case_type_status.case_type_code", "case_type_status.status_code"]),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_type_code: Mapped[str] = mapped_column(String(12), nullable=False)
    status_code: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[CaseAlgorithmKind] = mapped_column(enum_column(CaseAlgorithmKind),
                                                    nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    algorithm_code: Mapped[str] = mapped_column(String(30), nullable=False)
    parameter: Mapped[str] = mapped_column(String(100), nullable=False, default="")


class CaseTypeRequiredChar(Base):
    """A characteristic a case must have before it enters the status."""

    __audited__ = True
    __tablename__ = "case_type_required_char"
    __table_args__ = (
        ForeignKeyConstraint(["case_type_code", "status_code"],
                             ["case_type_status.case_type_code", "case_type_status.status_code"]),
    )

    case_type_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    status_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    char_type_code: Mapped[str] = mapped_column(ForeignKey("characteristic_type.code"),
                                                primary_key=True)


class CaseTypeCharType(Base):
    """A characteristic type cases of the type may carry."""

    __audited__ = True
    __tablename__ = "case_type_char_type"

    case_type_code: Mapped[str] = mapped_column(ForeignKey("case_type.code"), primary_key=True)
    char_type_code: Mapped[str] = mapped_column(ForeignKey("characteristic_type.code"),
                                                primary_key=True)


class Case(Versioned, Base):
    __tablename__ = "case_record"
    __table_args__ = (
        ForeignKeyConstraint(["case_type_code", "status_code"],
                             ["case_type_status.case_type_code", "case_type_status.status_code"]),
        Index("ix_case_record_account_opened", "account_id", "opened_at"),
        Index("ix_case_record_responsible_opened", "responsible_user_id", "opened_at"),
        Index("ix_case_record_type_status_opened", "case_type_code", "status_code", "opened_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(Identifier, nullable=False, unique=True)
    #: Fixed once the case is added.
    case_type_code: Mapped[str] = mapped_column(String(12), nullable=False)
    status_code: Mapped[str] = mapped_column(String(20), nullable=False)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False, index=True)
    #: Set on entering a final status.
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    #: When the case entered its current status (for "n days in status" algorithms).
    status_entered_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    comments: Mapped[str | None] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    premise_id: Mapped[int | None] = mapped_column(ForeignKey("premise.id"), index=True)
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    contact_person_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    preferred_contact_method: Mapped[ContactMethod | None] = mapped_column(
        enum_column(ContactMethod))
    contact_instructions: Mapped[str | None] = mapped_column(String(254))
    callback_phone_type: Mapped[str | None] = mapped_column(String(20))
    callback_phone: Mapped[str | None] = mapped_column(String(24))
    callback_ext: Mapped[str | None] = mapped_column(String(8))
    #: Data a process attached to the case (JSON text), shown read-only on the portal tab.
    clob_data: Mapped[str | None] = mapped_column(Text)


class CaseChar(Versioned, Base):
    __tablename__ = "case_char"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), primary_key=True)
    char_type_code: Mapped[str] = mapped_column(ForeignKey("characteristic_type.code"),
                                                primary_key=True)
    value: Mapped[str] = mapped_column(String(254), nullable=False)


class CaseLog(Base):
    """The story of a case. Insert-only: the database refuses UPDATE and DELETE (triggers,
    migration 0010), and no service offers either."""

    __tablename__ = "case_log"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    log_type: Mapped[CaseLogType] = mapped_column(enum_column(CaseLogType), nullable=False)
    details: Mapped[str] = mapped_column(Text, nullable=False)
    user_name: Mapped[str] = mapped_column(String(64), nullable=False)
    #: What the entry points to, e.g. ("CUSTOMER_CONTACT", "1234567890"), ("TODO", "42").
    related_object_type: Mapped[str | None] = mapped_column(String(30))
    related_object_id: Mapped[str | None] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    algorithm_code: Mapped[str | None] = mapped_column(String(30))


class CaseLink(Base):
    """A bill, agreement, field activity, quote or premise the case is about."""

    __audited__ = True
    __tablename__ = "case_link"
    __table_args__ = (UniqueConstraint("case_id", "kind", "object_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), nullable=False,
                                         index=True)
    kind: Mapped[CaseLinkKind] = mapped_column(enum_column(CaseLinkKind), nullable=False)
    object_number: Mapped[str] = mapped_column(String(30), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
