"""How much of each meter and item type a stock location held, day by day (the Stock levels
chart of the Stock Locations pane, issue 10).

    levels = stock_levels(db, "WH-NORTH", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    levels.series[0].levels[-1]        # assets of the first type there at the end of the year

Read from the location history (`asset_location`): every row at the location is an arrival
(+1 for the asset's type on its day), and the asset's next row, wherever it is, is the
departure (−1 on that day). The level at the end of a day is everything that arrived before
the window minus what left before it, plus the day-by-day changes so far: one grouped query
(stays by type, arrival day and departure day), whatever the number of assets.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Date, and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.db import Database
from app.models import AssetLocation, AssetPosition, ItemType, MeterType, StockLocation
from app.models.enums import AssetKind
from app.services.context import read_only
from app.services.errors import NotFound, ValidationError

#: The longest window a chart covers (ten years of days).
MAX_DAYS = 3660


@dataclass(frozen=True)
class StockLevelSeries:
    kind: AssetKind
    type_code: str
    description: str
    #: The number at the location at the end of each day of `StockLevels.days`.
    levels: tuple[int, ...]

    @property
    def label(self) -> str:
        noun = "Meter" if self.kind is AssetKind.METER else "Item"
        return f"{noun} {self.type_code}"


@dataclass(frozen=True)
class StockLevels:
    location: str
    description: str
    first: dt.date
    last: dt.date
    days: tuple[dt.date, ...]
    #: One per type that was at the location at some time in the window, by kind and type.
    series: tuple[StockLevelSeries, ...]

    def level(self, kind: AssetKind, type_code: str, day: dt.date) -> int:
        """The number of `type_code` assets at the location at the end of `day`."""
        if not self.first <= day <= self.last:
            raise ValueError(f"{day} is outside {self.first} – {self.last}")
        found = next((s for s in self.series if s.kind is kind and s.type_code == type_code),
                     None)
        return 0 if found is None else found.levels[(day - self.first).days]

    @property
    def empty(self) -> bool:
        return not self.series


def _day(column: ColumnElement[dt.datetime]) -> ColumnElement[dt.date]:
    """The calendar day of a timestamp, on SQLite and PostgreSQL alike."""
    return func.date(column, type_=Date)


def _as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def stock_levels(db: Database, location: str, first: dt.date, last: dt.date) -> StockLevels:
    """The location's stock of each type at the end of every day from `first` to `last`."""
    if first > last:
        raise ValidationError(f"The chart starts ({first:%Y-%m-%d}) after it ends "
                              f"({last:%Y-%m-%d}); swap the dates.", "first")
    if (last - first).days >= MAX_DAYS:
        raise ValidationError(f"Chart at most {MAX_DAYS // 366} years at a time.", "first")
    with read_only(db) as session:
        place = session.get(StockLocation, location)
        if place is None:
            raise NotFound(f"There is no stock location {location!r}.")
        h, later = AssetLocation, aliased(AssetLocation)
        # each stay here with when the asset's next row began (its departure; None: still
        # here): the next row is the earliest after it (by time, then by id for a tie)
        left_at = (select(func.min(later.located_at))
                   .where(later.asset_kind == h.asset_kind, later.asset_id == h.asset_id,
                          later.located_at >= h.located_at,
                          or_(later.located_at > h.located_at, later.id > h.id))
                   .correlate(h).scalar_subquery())
        stays = (select(h.asset_kind, h.asset_id, h.located_at, left_at.label("left_at"))
                 .where(h.stock_location_code == location).subquery())
        arrived, left = _day(stays.c.located_at), _day(stays.c.left_at)
        changes: dict[tuple[AssetKind, str], dict[dt.date, int]] = defaultdict(
            lambda: defaultdict(int))
        before = first - dt.timedelta(days=1)
        for kind, type_code, on, off, n in session.execute(
                select(stays.c.asset_kind, AssetPosition.type_code, arrived, left, func.count())
                .join(AssetPosition, and_(AssetPosition.asset_kind == stays.c.asset_kind,
                                          AssetPosition.asset_id == stays.c.asset_id))
                .where(stays.c.located_at < dt.datetime.combine(last + dt.timedelta(days=1),
                                                                dt.time()))
                .group_by(stays.c.asset_kind, AssetPosition.type_code, arrived, left)):
            by_day = changes[(kind, type_code)]
            by_day[max(_as_date(on), before)] += n
            if off is not None and _as_date(off) <= last:
                by_day[max(_as_date(off), before)] -= n
        descriptions = {(AssetKind.METER, c): d for c, d in session.execute(
            select(MeterType.code, MeterType.description))}
        descriptions.update({(AssetKind.ITEM, c): d for c, d in session.execute(
            select(ItemType.code, ItemType.description))})
        days = tuple(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
        series = []
        for key in sorted(changes, key=lambda k: (k[0] is not AssetKind.METER, k[1])):
            by_day = changes[key]
            level = by_day.get(first - dt.timedelta(days=1), 0)
            levels = []
            for day_ in days:
                level += by_day.get(day_, 0)
                levels.append(level)
            if any(levels):
                series.append(StockLevelSeries(key[0], key[1], descriptions.get(key, key[1]),
                                               tuple(levels)))
        return StockLevels(place.code, place.description, first, last, days, tuple(series))


__all__ = ["MAX_DAYS", "StockLevelSeries", "StockLevels", "stock_levels"]
