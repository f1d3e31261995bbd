"""What the Transfer dialog asks before it moves anything (spec/50 §4.2 INV-R6), and what the
transfer manifest prints.

    checks = check_badges(db, "WH-A-S1", ["M00001", "X9"])      # each scan, in a worker
    found = assets_at(db, "WH-A-S1", type_code="E1", badge_prefix="M0")
    badges = badge_range("M", "00010", "00019")                  # pure
    view = manifest_view(db, transfer(db, actor, request))        # for the PDF

A check reads the current positions: the asset exists, its type tracks its stock location and
it is at the source now. `asset_locations.transfer` checks again under lock; these only spare
the warehouse user a refused transfer.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import AssetPosition, Item, ItemType, Meter, MeterType, StockLocation
from app.models.enums import AssetKind
from app.services.asset_locations import TransferResult
from app.services.asset_receiving import BadgeRange, ShipmentRejected, range_badges
from app.services.common import chunks
from app.services.context import now, read_only
from app.services.errors import NotFound, ValidationError

#: The most badges one range or filter adds to a transfer.
MOST_AT_ONCE = 10_000


@dataclass(frozen=True)
class BadgeCheck:
    """One badge of the list: `ok` when it can be transferred from the source now."""

    badge: str
    ok: bool
    message: str
    kind: AssetKind | None = None
    type_code: str | None = None


@dataclass(frozen=True)
class LocationChoice:
    code: str
    description: str
    hold_inventory: bool

    @property
    def label(self) -> str:
        return f"{self.code} — {self.description}"


def _normal(badge: str) -> str:
    return badge.strip().upper()


def _tracked_types(session: Session) -> set[tuple[AssetKind, str]]:
    meters = session.scalars(select(MeterType.code).where(MeterType.track_stock_location))
    items = session.scalars(select(ItemType.code).where(ItemType.track_stock_location))
    return ({(AssetKind.METER, c) for c in meters} | {(AssetKind.ITEM, c) for c in items})


def check_badges(db: Database, source: str, badges: Sequence[str]) -> list[BadgeCheck]:
    """Each badge (in the order given): can it be transferred from `source` now?"""
    wanted = [_normal(b) for b in badges]
    distinct = sorted({b for b in wanted if b})
    with read_only(db) as session:
        if session.get(StockLocation, source) is None:
            raise NotFound(f"There is no stock location {source!r}.")
        assets: dict[str, tuple[AssetKind, int, str]] = {}
        for chunk in chunks(distinct):
            for mid, badge, type_code in session.execute(
                    select(Meter.id, Meter.badge_number, Meter.meter_type)
                    .where(Meter.badge_number.in_(chunk))):
                assets[badge] = (AssetKind.METER, mid, type_code)
            for iid, badge, type_code in session.execute(
                    select(Item.id, Item.badge_number, Item.item_type)
                    .where(Item.badge_number.in_(chunk))):
                assets.setdefault(badge, (AssetKind.ITEM, iid, type_code))
        places: dict[tuple[AssetKind, int], tuple[str | None, object]] = {}
        for kind in AssetKind:
            ids = sorted(i for k, i, _t in assets.values() if k is kind)
            for chunk_ids in chunks(ids):
                for asset_id, place, sp in session.execute(
                        select(AssetPosition.asset_id, AssetPosition.stock_location_code,
                               AssetPosition.service_point_id)
                        .where(AssetPosition.asset_kind == kind,
                               AssetPosition.asset_id.in_(chunk_ids))):
                    places[(kind, asset_id)] = (place, sp)
        tracked = _tracked_types(session)
    return [_verdict(b, source, assets.get(b), places, tracked) for b in wanted]


def _verdict(badge: str, source: str, asset: tuple[AssetKind, int, str] | None,
             places: dict[tuple[AssetKind, int], tuple[str | None, object]],
             tracked: set[tuple[AssetKind, str]]) -> BadgeCheck:
    if not badge:
        return BadgeCheck(badge, False, "Empty badge number.")
    if asset is None:
        return BadgeCheck(badge, False, "No meter or item has this badge number.")
    kind, asset_id, type_code = asset
    word = "meter" if kind is AssetKind.METER else "item"
    if (kind, type_code) not in tracked:
        return BadgeCheck(badge, False, f"This {word}'s type ({type_code}) does not track its "
                          "stock location.", kind, type_code)
    place = places.get((kind, asset_id))
    if place is None:
        return BadgeCheck(badge, False, f"This {word} has no stock location yet.", kind,
                          type_code)
    code, _sp = place
    if code is None:
        return BadgeCheck(badge, False, f"This {word} is installed at a service point.", kind,
                          type_code)
    if code != source:
        return BadgeCheck(badge, False, f"This {word} is at {code}, not at {source}.", kind,
                          type_code)
    return BadgeCheck(badge, True, f"{word.capitalize()} {type_code} at {source}", kind,
                      type_code)


def assets_at(db: Database, source: str, *, type_code: str | None = None,
              kind: AssetKind | None = None, badge_prefix: str | None = None
              ) -> list[BadgeCheck]:
    """Every asset at `source` now, of a type and/or badge prefix (add by filter), by badge."""
    prefix = _normal(badge_prefix or "")
    p = AssetPosition
    query = select(p.badge_number, p.asset_kind, p.type_code).where(
        p.stock_location_code == source)
    if kind is not None:
        query = query.where(p.asset_kind == kind)
    if type_code:
        query = query.where(p.type_code == type_code)
    if prefix:
        query = query.where(p.badge_number.startswith(prefix))
    with read_only(db) as session:
        if session.get(StockLocation, source) is None:
            raise NotFound(f"There is no stock location {source!r}.")
        rows = session.execute(query.order_by(p.badge_number).limit(MOST_AT_ONCE + 1)).all()
        tracked = _tracked_types(session)
    if len(rows) > MOST_AT_ONCE:
        raise ValidationError(f"More than {MOST_AT_ONCE:,} assets match; narrow the filter "
                              "(a type, or the start of the badge numbers).", "filter")
    return [BadgeCheck(b, True, f"{'Meter' if k is AssetKind.METER else 'Item'} {t} at {source}",
                       k, t)
            if (k, t) in tracked else
            BadgeCheck(b, False, f"Its type ({t}) does not track its stock location.", k, t)
            for b, k, t in rows]


def badge_range(prefix: str, first: str, last: str) -> list[str]:
    """The badge numbers prefix+first … prefix+last, numbered with as many digits as `first`
    was typed with ("M", "0098", "0102" -> M0098 … M0102): receiving's range rule, with the
    transfer dialog's fields and at most MOST_AT_ONCE badges."""
    try:
        badges = range_badges(BadgeRange(first, last, prefix))
    except ShipmentRejected as exc:
        field = "range_from" if exc.field == "first_badge" else "range_to"
        raise ValidationError(exc.problems[0].message, field) from None
    if len(badges) > MOST_AT_ONCE:
        raise ValidationError(f"A range adds at most {MOST_AT_ONCE:,} badges; this one has "
                              f"{len(badges):,}.", "range_to")
    return badges


def check_range(db: Database, source: str, prefix: str, first: str,
                last: str) -> list[BadgeCheck]:
    """`badge_range` checked against `source` (add by range)."""
    return check_badges(db, source, badge_range(prefix, first, last))


def transfer_locations(db: Database) -> list[LocationChoice]:
    """Every stock location, by code (the dialog offers those that hold stock)."""
    with read_only(db) as session:
        return [LocationChoice(r.code, r.description, r.hold_inventory)
                for r in session.scalars(select(StockLocation).order_by(StockLocation.code))]


def types_at(db: Database, source: str) -> list[tuple[AssetKind, str, str]]:
    """(kind, type code, description) of the types of the assets at `source` now."""
    with read_only(db) as session:
        present = session.execute(
            select(AssetPosition.asset_kind, AssetPosition.type_code).distinct()
            .where(AssetPosition.stock_location_code == source)).all()
        names = _type_names(session)
    return sorted(((k, t, names.get((k, t), t)) for k, t in present),
                  key=lambda x: (x[0] is not AssetKind.METER, x[1]))


def _type_names(session: Session) -> dict[tuple[AssetKind, str], str]:
    names = {(AssetKind.METER, c): d for c, d in
             session.execute(select(MeterType.code, MeterType.description))}
    names.update({(AssetKind.ITEM, c): d for c, d in
                  session.execute(select(ItemType.code, ItemType.description))})
    return names


# ----------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class ManifestPlace:
    code: str
    description: str
    kind: str
    address: tuple[str, ...]


@dataclass(frozen=True)
class ManifestLine:
    badge_number: str
    kind: AssetKind
    type_code: str
    type_description: str
    serial_number: str | None
    manufacturer: str | None
    model: str | None


@dataclass(frozen=True)
class ManifestCount:
    kind: AssetKind
    type_code: str
    type_description: str
    count: int


@dataclass(frozen=True)
class ManifestView:
    """Everything the transfer manifest prints."""

    source: ManifestPlace
    target: ManifestPlace
    at: dt.datetime
    by: str
    by_name: str
    lines: tuple[ManifestLine, ...]
    counts: tuple[ManifestCount, ...]
    printed_at: dt.datetime


def _place(row: StockLocation | None, code: str, description: str) -> ManifestPlace:
    if row is None:
        return ManifestPlace(code, description, "", ())
    locality = " ".join(x for x in (row.city, row.postal_code) if x)
    return ManifestPlace(row.code, row.description, row.kind.value.replace("_", " ").title(),
                         tuple(x for x in (row.address_line1, locality) if x))


def manifest_view(db: Database, result: TransferResult, *, by_name: str = "",
                  printed_at: dt.datetime | None = None) -> ManifestView:
    """The manifest of a transfer just made: both places with their addresses, and every
    asset moved with its type, serial number, manufacturer and model."""
    with read_only(db) as session:
        source = _place(session.get(StockLocation, result.source), result.source,
                        result.source_description)
        target = _place(session.get(StockLocation, result.target), result.target,
                        result.target_description)
        names = _type_names(session)
        meters = [x.badge_number for x in result.lines if x.kind is AssetKind.METER]
        details: dict[str, tuple[str | None, str | None, str | None]] = {}
        for chunk in chunks(meters):
            for badge, serial, maker, model in session.execute(
                    select(Meter.badge_number, Meter.serial_number, Meter.manufacturer,
                           Meter.model).where(Meter.badge_number.in_(chunk))):
                details[badge] = (serial, maker, model)
    lines = tuple(ManifestLine(x.badge_number, x.kind, x.type_code,
                               names.get((x.kind, x.type_code), x.type_code),
                               *details.get(x.badge_number, (None, None, None)))
                  for x in sorted(result.lines, key=lambda x: (x.kind is not AssetKind.METER,
                                                                x.type_code, x.badge_number)))
    tally = Counter((x.kind, x.type_code) for x in result.lines)
    counts = tuple(ManifestCount(k, t, names.get((k, t), t), n)
                   for (k, t), n in sorted(tally.items(),
                                           key=lambda e: (e[0][0] is not AssetKind.METER,
                                                          e[0][1])))
    return ManifestView(source, target, result.at, result.by, by_name or result.by, lines,
                        counts, printed_at or now())
