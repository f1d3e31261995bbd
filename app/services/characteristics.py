"""Characteristic types and effective-dated values on premises, SPs, accounts and agreements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    Account,
    CharacteristicAllowedValue,
    CharacteristicType,
    CharacteristicValue,
    Premise,
    ServiceAgreement,
    ServicePoint,
)
from app.models.enums import CharacteristicEntity, CharacteristicValueKind, UserRole
from app.services.common import get_by_number, required_text
from app.services.context import Actor, read_only, transaction
from app.services.errors import NotFound, ValidationError

EDITORS = (UserRole.CSR, UserRole.SUPERVISOR, UserRole.RATE_ANALYST)

_ENTITIES: dict[CharacteristicEntity, tuple[type[Any], str, str, str]] = {
    CharacteristicEntity.PREMISE: (Premise, "premise", "premise_id", "for_premise"),
    CharacteristicEntity.SERVICE_POINT: (
        ServicePoint,
        "service point",
        "service_point_id",
        "for_service_point",
    ),
    CharacteristicEntity.ACCOUNT: (Account, "account", "account_id", "for_account"),
    CharacteristicEntity.SERVICE_AGREEMENT: (
        ServiceAgreement,
        "service agreement",
        "service_agreement_id",
        "for_service_agreement",
    ),
}


#: The flag of `CharacteristicType` that allows each kind of holder (stock locations are
#: keyed by code, not number: `app.services.stock_locations` sets theirs).
_HOLDER_FLAGS = {**{e: spec[3] for e, spec in _ENTITIES.items()},
                 CharacteristicEntity.STOCK_LOCATION: "for_stock_location"}


@dataclass(frozen=True)
class CharacteristicView:
    type_code: str
    description: str
    effective_from: dt.date
    value: str


def define_characteristic_type(
    db: Database,
    actor: Actor,
    code: str,
    description: str,
    value_kind: CharacteristicValueKind,
    entities: set[CharacteristicEntity],
    allowed_values: dict[str, str] | None = None,
) -> str:
    actor.require("define characteristic types", UserRole.SUPERVISOR, UserRole.RATE_ANALYST)
    type_code = required_text(code, "code", "a code", 8).upper()
    text = required_text(description, "description", "a description", 100)
    if not entities:
        raise ValidationError("Choose what the characteristic can be held on.", "entities")
    if value_kind is CharacteristicValueKind.PREDEFINED and not allowed_values:
        raise ValidationError("A predefined characteristic needs its list of values.", "values")
    with transaction(db, actor) as session:
        if session.get(CharacteristicType, type_code) is not None:
            raise ValidationError(f"Characteristic type {type_code} already exists.", "code")
        session.add(
            CharacteristicType(
                code=type_code,
                description=text,
                value_kind=value_kind,
                **{_HOLDER_FLAGS[e]: True for e in entities},
            )
        )
        session.flush()
        for value, label in (allowed_values or {}).items():
            session.add(
                CharacteristicAllowedValue(
                    characteristic_type_code=type_code,
                    value=required_text(value, "values", "each value", 16).upper(),
                    description=label,
                )
            )
    return type_code


def set_characteristic(
    db: Database,
    actor: Actor,
    entity: CharacteristicEntity,
    number: str,
    type_code: str,
    effective_from: dt.date,
    value: str,
) -> CharacteristicView:
    """From `effective_from` on, the characteristic has this value (a new effective-dated row)."""
    actor.require("change characteristics", *EDITORS)
    model, label, column, flag = _ENTITIES[entity]
    with transaction(db, actor) as session:
        char_type = session.get(CharacteristicType, type_code.strip().upper())
        if char_type is None:
            raise NotFound(f"There is no characteristic type {type_code}.")
        if not getattr(char_type, flag):
            raise ValidationError(
                f"{char_type.description} is not a characteristic of a {label}.", "type"
            )
        owner = get_by_number(session, model, number, label, "entity")
        text = checked_value(session, char_type, value)
        existing = session.scalar(
            select(CharacteristicValue).where(
                CharacteristicValue.characteristic_type_code == char_type.code,
                getattr(CharacteristicValue, column) == owner.id,
                CharacteristicValue.effective_from == effective_from,
            )
        )
        if existing is not None:
            existing.value = text
        else:
            row = CharacteristicValue(
                characteristic_type_code=char_type.code, effective_from=effective_from, value=text
            )
            setattr(row, column, owner.id)
            session.add(row)
        return CharacteristicView(char_type.code, char_type.description, effective_from, text)


def checked_value(session: Session, char_type: CharacteristicType, value: str) -> str:
    """The value as stored, after the type's own checks: one of its values (predefined), a
    number (numeric), or text."""
    text = required_text(value, "value", "a value", 254)
    if char_type.value_kind is CharacteristicValueKind.PREDEFINED:
        text = text.upper()
        allowed = set(
            session.scalars(
                select(CharacteristicAllowedValue.value).where(
                    CharacteristicAllowedValue.characteristic_type_code == char_type.code
                )
            )
        )
        if text not in allowed:
            raise ValidationError(
                f"{text} is not one of the values of {char_type.description}: "
                f"{', '.join(sorted(allowed))}.",
                "value",
            )
    elif char_type.value_kind is CharacteristicValueKind.NUMBER:
        try:
            text = str(Decimal(text))
        except InvalidOperation:
            raise ValidationError(
                f"{char_type.description} is a number; '{value}' is not.", "value"
            ) from None
    return text


def characteristics_on(
    db: Database, entity: CharacteristicEntity, number: str, day: dt.date
) -> list[CharacteristicView]:
    """The value of each characteristic in effect on a day."""
    model, label, column, _ = _ENTITIES[entity]
    with read_only(db) as session:
        owner = get_by_number(session, model, number, label, "entity")
        rows = session.execute(
            select(CharacteristicValue, CharacteristicType.description)
            .join(
                CharacteristicType,
                CharacteristicType.code == CharacteristicValue.characteristic_type_code,
            )
            .where(
                getattr(CharacteristicValue, column) == owner.id,
                CharacteristicValue.effective_from <= day,
            )
            .order_by(
                CharacteristicValue.characteristic_type_code, CharacteristicValue.effective_from
            )
        )
        current: dict[str, CharacteristicView] = {}
        for value, description in rows:
            current[value.characteristic_type_code] = CharacteristicView(
                value.characteristic_type_code, description, value.effective_from, value.value
            )
        return list(current.values())
