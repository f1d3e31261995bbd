"""Declarative base, naming convention, shared column types and mixins."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import DateTime, Dialect, Enum, Integer, MetaData, Numeric, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Money: exact decimal with two places (spec/60 §0.3). Never float.
Money = Numeric(14, 2, asdecimal=True)

#: A people-facing identifier: 10 digits with a Damm check digit (app.engine.identifiers).
Identifier = String(10)


class ExactDecimal(TypeDecorator[Decimal]):
    """A decimal kept exactly as given, digits and exponent (a price of 0.012340 stays so).

    Stored as text: SQLite has no decimal type and would round through a float; a rate's
    precision is part of its definition. Nothing sorts or sums these in SQL."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            value = Decimal(str(value))
        return str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum_cls: type[enum.Enum], length: int = 20) -> Enum:
    """Enumerations are stored as their upper-case names in a plain string column."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=length,
        validate_strings=True,
        create_constraint=False,
        values_callable=lambda members: [m.value for m in members],
    )


class Versioned:
    """An editable row: optimistic locking plus who touched it last (for lost-race messages)."""

    __audited__: ClassVar[bool] = True

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.current_timestamp()
    )
    updated_by: Mapped[str] = mapped_column(String(64), nullable=False, default="system")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.version}
