"""Stock locations and the set-up around them (spec/50 §4.1, P-INV1): locations with their
hierarchy, address and characteristics; meter and item types with their tracking switch; the
removal location by postal code; and the locations list with what each holds now.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    AssetPosition,
    CharacteristicType,
    ItemType,
    MeterType,
    PostalCodeDefault,
    StockLocation,
    StockLocationCharacteristic,
)
from app.models.enums import AssetKind, ServiceType, StockLocationKind, UserRole
from app.services.asset_locations import holding_location
from app.services.characteristics import checked_value
from app.services.common import (
    check_version,
    code_text,
    optional_text,
    postal_prefix,
    required_text,
)
from app.services.context import Actor, read_only, today, transaction
from app.services.errors import ValidationError

SETUP_ROLES = (UserRole.WAREHOUSE, UserRole.SUPERVISOR)


@dataclass(frozen=True)
class StockLocationForm:
    code: str
    description: str
    kind: StockLocationKind
    hold_inventory: bool = True
    parent_code: str | None = None
    address_line1: str | None = None
    city: str | None = None
    postal_code: str | None = None
    comments: str | None = None


@dataclass(frozen=True)
class TypeCount:
    kind: AssetKind
    type_code: str
    count: int


@dataclass(frozen=True)
class LocationRow:
    """A location of the list, with what it holds now (by asset kind and type)."""

    code: str
    description: str
    kind: StockLocationKind
    hold_inventory: bool
    parent_code: str | None
    depth: int
    counts: tuple[TypeCount, ...]
    address_line1: str | None
    city: str | None
    postal_code: str | None
    comments: str | None
    version: int

    @property
    def total(self) -> int:
        return sum(c.count for c in self.counts)

    @property
    def address(self) -> str:
        return ", ".join(x for x in (self.address_line1, self.city, self.postal_code) if x)


def _code(value: str, field: str = "code") -> str:
    return code_text(value, field, "the location code", 30, "WH-NORTH")


def _check_parent(session: Session, code: str, parent: str | None) -> None:
    """The parent exists and is not the location or one of its own descendants."""
    seen = {code}
    at = parent
    while at is not None:
        if at in seen:
            raise ValidationError(f"{parent} is {code} or one of the locations under it; a "
                                  "location cannot be inside itself.", "parent_code")
        seen.add(at)
        row = session.get(StockLocation, at)
        if row is None:
            raise ValidationError(f"There is no stock location {at!r} to put it under.",
                                  "parent_code")
        at = row.parent_code


def save_stock_location(db: Database, actor: Actor, form: StockLocationForm,
                        expected_version: int | None = None) -> str:
    """Create a stock location, or change it (with the version the caller read)."""
    actor.require("set up stock locations", *SETUP_ROLES)
    code = _code(form.code)
    description = required_text(form.description, "description", "a description", 100)
    parent = form.parent_code.strip().upper() if form.parent_code else None
    with transaction(db, actor) as session:
        _check_parent(session, code, parent)
        row = session.get(StockLocation, code, with_for_update=True)
        if row is None:
            if expected_version is not None:
                raise ValidationError(f"Stock location {code} no longer exists.", "code")
            row = StockLocation(code=code)
            session.add(row)
        else:
            if expected_version is None:
                raise ValidationError(f"Stock location {code} exists already.", "code")
            check_version(row, expected_version, f"Stock location {code}")
            if not form.hold_inventory and row.hold_inventory and session.scalar(
                    select(func.count()).select_from(AssetPosition)
                    .where(AssetPosition.stock_location_code == code)):
                raise ValidationError(f"{code} holds assets; move them before it stops "
                                      "holding inventory.", "hold_inventory")
        row.description = description
        row.kind = form.kind
        row.hold_inventory = form.hold_inventory
        row.parent_code = parent
        row.address_line1 = optional_text(form.address_line1, "address_line1", "the address",
                                          100)
        row.city = optional_text(form.city, "city", "the city", 60)
        row.postal_code = optional_text(form.postal_code, "postal_code", "the postal code", 12)
        row.comments = optional_text(form.comments, "comments", "the comments", 254)
        return code


@dataclass(frozen=True)
class LocationCharacteristic:
    type_code: str
    description: str
    effective_on: dt.date
    value: str


def set_characteristic(db: Database, actor: Actor, location: str, type_code: str,
                       value: str, effective_on: dt.date | None = None) -> None:
    """From `effective_on` (today by default) the location has this characteristic value,
    checked as the type says (e.g. a premise ID as its address, spec/50 §4.1)."""
    actor.require("set up stock locations", *SETUP_ROLES)
    on = effective_on or today()
    with transaction(db, actor) as session:
        if session.get(StockLocation, location) is None:
            raise ValidationError(f"There is no stock location {location!r}.", "location")
        char_type = session.get(CharacteristicType, type_code.strip().upper())
        if char_type is None or not char_type.for_stock_location:
            raise ValidationError(f"{type_code!r} is not a characteristic of stock locations.",
                                  "type_code")
        text = checked_value(session, char_type, value)
        same_day = session.scalar(select(StockLocationCharacteristic).where(
            StockLocationCharacteristic.stock_location_code == location,
            StockLocationCharacteristic.characteristic_type_code == char_type.code,
            StockLocationCharacteristic.effective_on == on))
        if same_day is not None:
            same_day.value = text
        else:
            session.add(StockLocationCharacteristic(
                stock_location_code=location, characteristic_type_code=char_type.code,
                effective_on=on, value=text))


def location_characteristics(db: Database, location: str,
                             on: dt.date | None = None) -> list[LocationCharacteristic]:
    """The value of each of the location's characteristics in effect on a day (today)."""
    day = on or today()
    with read_only(db) as session:
        current: dict[str, LocationCharacteristic] = {}
        for row, description in session.execute(
                select(StockLocationCharacteristic, CharacteristicType.description)
                .join(CharacteristicType, CharacteristicType.code
                      == StockLocationCharacteristic.characteristic_type_code)
                .where(StockLocationCharacteristic.stock_location_code == location,
                       StockLocationCharacteristic.effective_on <= day)
                .order_by(StockLocationCharacteristic.effective_on)):
            current[row.characteristic_type_code] = LocationCharacteristic(
                row.characteristic_type_code, description, row.effective_on, row.value)
        return sorted(current.values(), key=lambda c: c.type_code)


def save_asset_type(db: Database, actor: Actor, kind: AssetKind, code: str, description: str,
                    track_stock_location: bool, service_type: ServiceType | None = None) -> str:
    """Create or change a meter or item type. Switching tracking off and on again loses the
    moves made in between: nothing is backfilled (INV-R1)."""
    actor.require("set up meter and item types", *SETUP_ROLES)
    key = required_text(code, "code", "the type code", 30).upper()
    text = required_text(description, "description", "a description", 100)
    with transaction(db, actor) as session:
        if kind is AssetKind.METER:
            meter_type = session.get(MeterType, key) or MeterType(code=key)
            was_tracked = bool(meter_type.track_stock_location)
            meter_type.description, meter_type.service_type = text, service_type
            meter_type.track_stock_location = track_stock_location
            session.add(meter_type)
        else:
            item_type = session.get(ItemType, key) or ItemType(code=key)
            was_tracked = bool(item_type.track_stock_location)
            item_type.description = text
            item_type.track_stock_location = track_stock_location
            session.add(item_type)
        if was_tracked and not track_stock_location:
            # No longer tracked: its assets leave every inventory now (their history stays);
            # tracked again, each gets its place anew — nothing is backfilled (INV-R1, INV-T06).
            session.execute(delete(AssetPosition).where(AssetPosition.asset_kind == kind,
                                                        AssetPosition.type_code == key))
        return key


def set_removal_location(db: Database, actor: Actor, text_prefix: str,
                         location: str) -> None:
    """Assets removed at premises whose postal code starts with the prefix go to `location`."""
    actor.require("set up stock locations", *SETUP_ROLES)
    prefix = postal_prefix(required_text(text_prefix, "postal_prefix",
                                         "the postal code (or its start)", 12))
    with transaction(db, actor) as session:
        target = holding_location(session, location)
        row = session.get(PostalCodeDefault, prefix)
        if row is None:
            session.add(PostalCodeDefault(postal_prefix=prefix,
                                          removal_stock_location_code=target.code))
        else:
            row.removal_stock_location_code = target.code


def stock_locations(db: Database) -> list[LocationRow]:
    """Every location in tree order (parents before children, by code), with the counts of
    what it holds now by kind and type (INV-T09)."""
    with read_only(db) as session:
        counts: dict[str, list[TypeCount]] = {}
        for place, kind, type_code, n in session.execute(
                select(AssetPosition.stock_location_code, AssetPosition.asset_kind,
                       AssetPosition.type_code, func.count())
                .where(AssetPosition.stock_location_code.is_not(None))
                .group_by(AssetPosition.stock_location_code, AssetPosition.asset_kind,
                          AssetPosition.type_code)):
            if place is not None:
                counts.setdefault(place, []).append(TypeCount(kind, type_code, n))
        rows = list(session.scalars(select(StockLocation).order_by(StockLocation.code)))
        children: dict[str | None, list[StockLocation]] = {}
        for row in rows:
            children.setdefault(row.parent_code, []).append(row)
        ordered: list[LocationRow] = []

        def walk(parent: str | None, depth: int) -> None:
            for row in children.get(parent, []):
                ordered.append(LocationRow(
                    row.code, row.description, row.kind, row.hold_inventory, row.parent_code,
                    depth, tuple(sorted(counts.get(row.code, []),
                                        key=lambda c: (c.kind, c.type_code))),
                    row.address_line1, row.city, row.postal_code, row.comments, row.version))
                walk(row.code, depth + 1)

        walk(None, 0)
        return ordered


@dataclass(frozen=True)
class AssetTypeRow:
    kind: AssetKind
    code: str
    description: str
    track_stock_location: bool


def asset_types(db: Database) -> list[AssetTypeRow]:
    with read_only(db) as session:
        meters = [AssetTypeRow(AssetKind.METER, t.code, t.description, t.track_stock_location)
                  for t in session.scalars(select(MeterType).order_by(MeterType.code))]
        items = [AssetTypeRow(AssetKind.ITEM, t.code, t.description, t.track_stock_location)
                 for t in session.scalars(select(ItemType).order_by(ItemType.code))]
        return meters + items
