"""Where every tracked meter and item is and was (spec/50 §4.2): the location history written
when an asset is received, installed, removed or moved, the as-of inventory of a location
(INV-R5), an asset's timeline, and transfers between locations (INV-R6).

    move_in(session, asset, at, location="WH-A", source=INITIAL, by="ana")   # inside a service
    page = inventory(db, InventoryQuery("WH-A", as_of=None))                  # now
    transfer(db, actor, TransferRequest("WH-A", "TRUCK-7", badges, at))

Only assets whose type tracks its stock location get rows (INV-R1); an untracked asset is
simply not in any inventory. `asset_position` holds each tracked asset's latest row, so what is
at a location now is an index range; a past date reads the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.db import Database
from app.models import (
    AssetLocation,
    AssetPosition,
    Item,
    ItemType,
    Meter,
    MeterType,
    PostalCodeDefault,
    ServicePoint,
    StockLocation,
)
from app.models.enums import AssetKind, AssetLocationSource, DeviceStatus, UserRole
from app.services import context
from app.services.common import chunks, longest_prefix, optional_text
from app.services.context import Actor, read_only, transaction
from app.services.errors import ConcurrentChange, NotFound, ValidationError

#: Who moves stock (warehouse staff, and supervisors).
STOCK_STAFF = (UserRole.WAREHOUSE, UserRole.SUPERVISOR)
PAGE_SIZE = 200


# ----------------------------------------------------------------------------- assets


@dataclass(frozen=True)
class Asset:
    """A meter or an item, as the inventory needs it."""

    kind: AssetKind
    id: int
    badge_number: str
    type_code: str
    status: DeviceStatus

    @staticmethod
    def of(row: Meter | Item) -> Asset:
        if isinstance(row, Meter):
            return Asset(AssetKind.METER, row.id, row.badge_number, row.meter_type, row.status)
        return Asset(AssetKind.ITEM, row.id, row.badge_number, row.item_type, row.status)


def find_asset(session: Session, badge: str, *, lock: bool = False) -> Asset:
    """The meter or item with this badge number (meters first)."""
    value = badge.strip().upper()
    if not value:
        raise ValidationError("Enter a badge number.", "badge_number")
    meter_q = select(Meter).where(Meter.badge_number == value)
    meter = session.scalar(meter_q.with_for_update() if lock else meter_q)
    if meter is not None:
        return Asset.of(meter)
    item_q = select(Item).where(Item.badge_number == value)
    item = session.scalar(item_q.with_for_update() if lock else item_q)
    if item is not None:
        return Asset.of(item)
    raise NotFound(f"There is no meter or item with badge number {value}.")


def is_tracked(session: Session, kind: AssetKind, type_code: str) -> bool:
    """INV-R1: the asset's type tracks its stock location (an unknown type does not)."""
    model = MeterType if kind is AssetKind.METER else ItemType
    return bool(session.scalar(select(model.track_stock_location)
                               .where(model.code == type_code)))


def holding_location(session: Session, code: str, field: str = "location") -> StockLocation:
    """A location assets can be put in (INV-R4)."""
    # Shared-locked: it cannot stop holding inventory while assets are being put in it.
    location = (session.get(StockLocation, code.strip().upper(),
                            with_for_update={"read": True}) if code else None)
    if location is None:
        raise ValidationError(f"There is no stock location {code!r}. Choose one from the list.",
                              field)
    if not location.hold_inventory:
        raise ValidationError(f"{location.code} ({location.description}) groups other locations "
                              "and holds no stock itself; choose one of the locations under it.",
                              field)
    return location


def move_in(session: Session, asset: Asset, at: dt.datetime, *, by: str,
            source: AssetLocationSource, location: str | None = None,
            service_point_id: int | None = None, reason: str | None = None,
            field: str = "location") -> None:
    """Add the asset's next location row (and move its position), after INV-R4's checks;
    nothing when its type is not tracked. `location` or `service_point_id`, not both."""
    if not is_tracked(session, asset.kind, asset.type_code):
        return
    if location is not None:
        location = holding_location(session, location, field).code
    if at > context.now() + dt.timedelta(minutes=1):
        raise ValidationError(f"{at:%Y-%m-%d %H:%M} is in the future; a location date is when "
                              "the asset got there.", "located_at")
    position = session.get(AssetPosition, (asset.kind, asset.id), with_for_update=True)
    if position is not None and at < position.located_at:
        raise ValidationError(
            f"{asset.badge_number} has been at its present place since "
            f"{position.located_at:%Y-%m-%d %H:%M}; a new location date must not be earlier.",
            "located_at")
    row = AssetLocation(asset_kind=asset.kind, asset_id=asset.id, located_at=at,
                        stock_location_code=location, service_point_id=service_point_id,
                        source=source, reason=reason, created_by=by,
                        created_at=context.now())
    session.add(row)
    if position is None:
        session.add(AssetPosition(asset_kind=asset.kind, asset_id=asset.id,
                                  type_code=asset.type_code, badge_number=asset.badge_number,
                                  stock_location_code=location,
                                  service_point_id=service_point_id, located_at=at))
    else:
        position.stock_location_code = location
        position.service_point_id = service_point_id
        position.located_at = at
    session.flush()


def removal_location(session: Session, postal_code: str) -> str | None:
    """Where assets removed at a premise of this postal code go: the longest matching prefix
    of `postal_code_default` (INV-R2)."""
    found = longest_prefix(session, PostalCodeDefault.postal_prefix,
                           PostalCodeDefault.removal_stock_location_code, postal_code)
    return str(found) if found is not None else None


# ----------------------------------------------------------------------------- by hand


def move_asset(db: Database, actor: Actor, badge: str, location: str, at: dt.datetime,
               reason: str | None = None) -> None:
    """Put an asset that is not installed somewhere by hand (INV-R3): its first location
    (INITIAL) or a move with a reason (MANUAL)."""
    actor.require("move stock", *STOCK_STAFF)
    why = optional_text(reason, "reason", "the reason", 254)
    with transaction(db, actor, reason=why) as session:
        asset = find_asset(session, badge, lock=True)
        if not is_tracked(session, asset.kind, asset.type_code):
            raise ValidationError(f"{asset.badge_number}'s type ({asset.type_code}) does not "
                                  "track its stock location; switch tracking on for the type "
                                  "first.", "badge_number")
        if asset.status is DeviceStatus.INSTALLED:
            raise ValidationError(f"{asset.badge_number} is installed at a service point; "
                                  "remove it there, and it goes to its removal location.",
                                  "badge_number")
        first = session.get(AssetPosition, (asset.kind, asset.id),
                            with_for_update=True) is None
        if not first and not why:
            raise ValidationError("Say why the asset is moved by hand (the reason is kept in "
                                  "its history).", "reason")
        move_in(session, asset, at, by=actor.username, location=location, reason=why,
                source=AssetLocationSource.INITIAL if first else AssetLocationSource.MANUAL)


# ----------------------------------------------------------------------------- transfers


@dataclass(frozen=True)
class TransferRequest:
    source: str
    target: str
    badges: tuple[str, ...]
    at: dt.datetime


@dataclass(frozen=True)
class TransferLine:
    badge_number: str
    kind: AssetKind
    type_code: str


@dataclass(frozen=True)
class TransferResult:
    source: str
    source_description: str
    target: str
    target_description: str
    at: dt.datetime
    lines: tuple[TransferLine, ...]
    by: str


class NotAtSource(ConcurrentChange):
    """Assets that are no longer at the source (someone moved them meanwhile)."""


def transfer(db: Database, actor: Actor, request: TransferRequest) -> TransferResult:
    """Move the assets from the source to the target in one transaction (INV-R6): each must
    still be at the source when the transaction holds it, or nothing moves and the message says
    who moved which asset where."""
    actor.require("transfer stock", *STOCK_STAFF)
    badges = sorted({b.strip().upper() for b in request.badges if b.strip()})
    if not badges:
        raise ValidationError("Add the assets to transfer (scan or type their badge numbers).",
                              "badges")
    with transaction(db, actor, reason=f"Transfer {request.source} → {request.target}") \
            as session:
        source = session.get(StockLocation, request.source)
        if source is None:
            raise ValidationError(f"There is no stock location {request.source!r}.", "source")
        target = holding_location(session, request.target, "target")
        if target.code == source.code:
            raise ValidationError("The target is the source; choose another location.",
                                  "target")
        positions = _locked_positions(session, badges)
        missing = [b for b in badges if b not in positions]
        if missing:
            raise ValidationError(_listed("not found, or not tracked", missing), "badges")
        elsewhere = [p for p in positions.values() if p.stock_location_code != source.code]
        if elsewhere:
            raise NotAtSource(_moved_message(session, elsewhere, source.code))
        moved = [positions[b] for b in badges]
        lines = tuple(TransferLine(p.badge_number, p.asset_kind, p.type_code) for p in moved)
        _move_positions(session, moved, request.at, by=actor.username, location=target.code,
                        source=AssetLocationSource.TRANSFER)
        return TransferResult(source.code, source.description, target.code,
                              target.description, request.at, lines, actor.username)


def _move_positions(session: Session, positions: Sequence[AssetPosition], at: dt.datetime, *,
                    by: str, location: str, source: AssetLocationSource) -> None:
    """`move_in` for many locked positions at once (one flush: the history rows go in as one
    batch and the positions are updated as one), with the same INV-R1 and INV-R4 checks, all
    made before anything is written. `location` was checked with `holding_location`."""
    types = {(p.asset_kind, p.type_code) for p in positions}
    untracked = sorted(f"{t}" for k, t in types if not is_tracked(session, k, t))
    if untracked:
        raise ValidationError(
            f"Nothing was moved: the type(s) {', '.join(untracked)} no longer track their "
            "stock location; switch tracking on for them first.", "badges")
    if at > context.now() + dt.timedelta(minutes=1):
        raise ValidationError(f"{at:%Y-%m-%d %H:%M} is in the future; a location date is when "
                              "the asset got there.", "located_at")
    later = sorted((p for p in positions if at < p.located_at),
                   key=lambda p: (p.located_at, p.badge_number), reverse=True)
    if later:
        first = later[0]
        more = f" (and {len(later) - 1} more)" if len(later) > 1 else ""
        raise ValidationError(
            f"{first.badge_number}{more} has been at its present place since "
            f"{first.located_at:%Y-%m-%d %H:%M}; a new location date must not be earlier.",
            "located_at")
    created = context.now()
    session.add_all([AssetLocation(asset_kind=p.asset_kind, asset_id=p.asset_id,
                                   located_at=at, stock_location_code=location,
                                   service_point_id=None, source=source, created_by=by,
                                   created_at=created)
                     for p in positions])
    session.flush()                  # the history rows, in one batch (and their audit rows)
    # The positions are locked: one UPDATE per kind and chunk of ids (they all get the same
    # place and time) instead of one per asset, with their version moved on. (Positions are
    # derived from the history and not audited themselves.)
    stamp = dt.datetime.now(dt.UTC)
    for kind in AssetKind:
        keys = sorted(p.asset_id for p in positions if p.asset_kind is kind)
        for some in chunks(keys):
            session.execute(
                update(AssetPosition)
                .where(AssetPosition.asset_kind == kind, AssetPosition.asset_id.in_(some))
                .values(stock_location_code=location, service_point_id=None, located_at=at,
                        version=AssetPosition.version + 1, updated_by=by, updated_at=stamp)
                .execution_options(synchronize_session=False))
    for p in positions:
        session.expire(p)


def _locked_positions(session: Session, badges: Sequence[str]) -> dict[str, AssetPosition]:
    """The positions of the assets with these badge numbers, locked. The badges are looked up
    in the meter and item tables (unique indexes), the positions by key; every transfer locks
    in the same order (meters then items, by id), so two overlapping transfers queue up
    instead of deadlocking."""
    ids: dict[AssetKind, list[int]] = {AssetKind.METER: [], AssetKind.ITEM: []}
    for chunk in chunks(badges):
        ids[AssetKind.METER] += session.scalars(select(Meter.id)
                                                .where(Meter.badge_number.in_(chunk)))
        ids[AssetKind.ITEM] += session.scalars(select(Item.id)
                                               .where(Item.badge_number.in_(chunk)))
    found: dict[str, AssetPosition] = {}
    for kind, keys in ids.items():
        keys.sort()
        for some in chunks(keys):
            for position in session.scalars(
                    select(AssetPosition)
                    .where(AssetPosition.asset_kind == kind, AssetPosition.asset_id.in_(some))
                    .order_by(AssetPosition.asset_id).with_for_update()):
                found[position.badge_number] = position
    return found


def _listed(what: str, badges: Sequence[str], most: int = 10) -> str:
    shown = ", ".join(badges[:most]) + (f" and {len(badges) - most} more"
                                        if len(badges) > most else "")
    return f"Nothing was moved: {len(badges)} badge number(s) {what}: {shown}."


def _moved_message(session: Session, moved: Sequence[AssetPosition], source: str) -> str:
    parts = []
    for position in moved[:5]:
        last = session.scalar(
            select(AssetLocation).where(AssetLocation.asset_kind == position.asset_kind,
                                        AssetLocation.asset_id == position.asset_id)
            .order_by(AssetLocation.located_at.desc(), AssetLocation.id.desc()).limit(1))
        where = position.stock_location_code or "a service point"
        who = f" by {last.created_by} at {last.created_at:%Y-%m-%d %H:%M}" if last else ""
        parts.append(f"{position.badge_number} was moved to {where}{who}")
    more = f" (and {len(moved) - 5} more)" if len(moved) > 5 else ""
    return (f"Nothing was moved: {len(moved)} asset(s) are no longer at {source} — "
            + "; ".join(parts) + more + ". Reload the location and try again.")


# ----------------------------------------------------------------------------- inventory


@dataclass(frozen=True)
class InventoryQuery:
    location: str
    #: None: now (the current positions).
    as_of: dt.datetime | None = None
    kind: AssetKind | None = None
    type_code: str | None = None
    #: Badge numbers starting with this (INV-T11: "AB1" matches AB1, AB100, AB1X).
    badge_prefix: str | None = None
    page: int = 1
    page_size: int = PAGE_SIZE
    #: "badge", "type" or "located_at", with a leading "-" for descending.
    sort: str = "badge"


@dataclass(frozen=True)
class InventoryRow:
    kind: AssetKind
    badge_number: str
    type_code: str
    serial_number: str | None
    manufacturer: str | None
    model: str | None
    #: When it arrived here.
    located_at: dt.datetime
    #: Where it went next ("SP 1234567890", a location code), or None: still here.
    subsequent: str | None
    #: INV-R6: only assets still here now can be transferred.
    selectable: bool


@dataclass(frozen=True)
class InventoryPage:
    query: InventoryQuery
    rows: tuple[InventoryRow, ...]
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))


def inventory(db: Database, query: InventoryQuery) -> InventoryPage:
    """The assets at a location now or at `as_of` (INV-R5), filtered, sorted and paged."""
    with read_only(db) as session:
        location = session.get(StockLocation, query.location)
        if location is None:
            raise NotFound(f"There is no stock location {query.location!r}.")
        if query.as_of is None:
            return _current(session, query)
        return _as_of(session, query)


def _filters(query: InventoryQuery, kind: object, type_code: object,
             badge: object) -> list[object]:
    found: list[object] = []
    if query.kind is not None:
        found.append(kind == query.kind)
    if query.type_code:
        found.append(type_code == query.type_code)
    if query.badge_prefix:
        found.append(badge.startswith(query.badge_prefix.strip().upper()))  # type: ignore[attr-defined]
    return found


def _order(query: InventoryQuery, badge: object, type_code: object, at: object) -> list[object]:
    column = {"badge": badge, "type": type_code, "located_at": at}.get(
        query.sort.lstrip("-"), badge)
    first = column.desc() if query.sort.startswith("-") else column.asc()  # type: ignore[attr-defined]
    return [first, badge]


def _current(session: Session, query: InventoryQuery) -> InventoryPage:
    p = AssetPosition
    where = [p.stock_location_code == query.location,
             *_filters(query, p.asset_kind, p.type_code, p.badge_number)]
    total = session.scalar(select(func.count()).select_from(p).where(*where)) or 0  # type: ignore[arg-type]
    rows = session.execute(
        select(p.asset_kind, p.asset_id, p.badge_number, p.type_code, p.located_at)
        .where(*where)  # type: ignore[arg-type]
        .order_by(*_order(query, p.badge_number, p.type_code, p.located_at))  # type: ignore[arg-type]
        .offset((query.page - 1) * query.page_size).limit(query.page_size)).all()
    details = _details(session, [(r[0], r[1]) for r in rows])
    return InventoryPage(query, tuple(
        InventoryRow(kind, badge, type_code, *details.get((kind, asset_id), (None, None, None)),
                     located_at, None, True)
        for kind, asset_id, badge, type_code, located_at in rows), total)


def _as_of(session: Session, query: InventoryQuery) -> InventoryPage:
    """INV-R5: an asset is at the location at T when its latest row at or before T is there;
    its subsequent location is its next row."""
    assert query.as_of is not None
    h = AssetLocation
    after = aliased(AssetLocation)
    # Rows at the location by T (the place index) with no later row of the asset by T (one
    # probe of the asset index each): the assets whose latest row at T is here.
    # Two rows at the same time are in the order they were written (id), everywhere.
    here = (select(h.asset_kind, h.asset_id, h.located_at, h.id)
            .where(h.stock_location_code == query.location, h.located_at <= query.as_of,
                   ~exists().where(after.asset_kind == h.asset_kind,
                                   after.asset_id == h.asset_id,
                                   or_(after.located_at > h.located_at,
                                       and_(after.located_at == h.located_at,
                                            after.id > h.id)),
                                   after.located_at <= query.as_of))
            .subquery())
    pos = aliased(AssetPosition)
    where = _filters(query, pos.asset_kind, pos.type_code, pos.badge_number)
    base = (select(here.c.asset_kind, here.c.asset_id, pos.badge_number, pos.type_code,
                   here.c.located_at, here.c.id)
            .join(pos, and_(pos.asset_kind == here.c.asset_kind,
                            pos.asset_id == here.c.asset_id))
            .where(*where))  # type: ignore[arg-type]
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(
        base.order_by(*_order(query, pos.badge_number, pos.type_code,  # type: ignore[arg-type]
                              here.c.located_at))
        .offset((query.page - 1) * query.page_size).limit(query.page_size)).all()
    details = _details(session, [(r[0], r[1]) for r in rows])
    result = []
    for kind, asset_id, badge, type_code, located_at, row_id in rows:
        later = session.execute(
            select(h.stock_location_code, ServicePoint.number)
            .outerjoin(ServicePoint, ServicePoint.id == h.service_point_id)
            .where(h.asset_kind == kind, h.asset_id == asset_id,
                   or_(h.located_at > located_at,
                       and_(h.located_at == located_at, h.id > row_id)))
            .order_by(h.located_at, h.id).limit(1)).first()
        subsequent = None if later is None else (later[0] or f"SP {later[1]}")
        result.append(InventoryRow(kind, badge, type_code,
                                   *details.get((kind, asset_id), (None, None, None)),
                                   located_at, subsequent, later is None))
    return InventoryPage(query, tuple(result), total)


def _details(session: Session, keys: Sequence[tuple[AssetKind, int]]
             ) -> dict[tuple[AssetKind, int], tuple[str | None, str | None, str | None]]:
    """Serial number, manufacturer and model of the page's meters."""
    meters = [i for k, i in keys if k is AssetKind.METER]
    found: dict[tuple[AssetKind, int], tuple[str | None, str | None, str | None]] = {}
    if meters:
        for mid, serial, maker, model in session.execute(
                select(Meter.id, Meter.serial_number, Meter.manufacturer, Meter.model)
                .where(Meter.id.in_(meters))):
            found[(AssetKind.METER, mid)] = (serial, maker, model)
    return found


# ----------------------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryRow:
    located_at: dt.datetime
    place: str
    description: str
    source: AssetLocationSource
    reason: str | None
    by: str


@dataclass(frozen=True)
class AssetTimeline:
    kind: AssetKind
    badge_number: str
    type_code: str
    tracked: bool
    status: DeviceStatus
    #: Newest first.
    rows: tuple[HistoryRow, ...]

    @property
    def current(self) -> HistoryRow | None:
        return self.rows[0] if self.rows else None


def asset_timeline(db: Database, badge: str) -> AssetTimeline:
    """Where the asset is and every place it has been, newest first."""
    with read_only(db) as session:
        asset = find_asset(session, badge)
        h = AssetLocation
        rows = session.execute(
            select(h, StockLocation.description, ServicePoint.number)
            .outerjoin(StockLocation, StockLocation.code == h.stock_location_code)
            .outerjoin(ServicePoint, ServicePoint.id == h.service_point_id)
            .where(h.asset_kind == asset.kind, h.asset_id == asset.id)
            .order_by(h.located_at.desc(), h.id.desc())).all()
        return AssetTimeline(asset.kind, asset.badge_number, asset.type_code,
                             is_tracked(session, asset.kind, asset.type_code), asset.status,
                             tuple(HistoryRow(r.located_at,
                                              r.stock_location_code or f"SP {sp}",
                                              description or "installed at the service point",
                                              r.source, r.reason, r.created_by)
                                   for r, description, sp in rows))
