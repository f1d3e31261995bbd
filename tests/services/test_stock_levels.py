"""The Stock levels chart's numbers: each type's count at a location at the end of each day,
from the location history (arrivals +1, departures −1), checked against the as-of inventory."""

from __future__ import annotations

import datetime as dt

import pytest

from app.db import Database
from app.models.enums import AssetKind
from app.services.asset_locations import InventoryQuery, TransferRequest, inventory, transfer
from app.services.errors import NotFound, ValidationError
from app.services.stock_levels import stock_levels
from tests.conftest import WAREHOUSE
from tests.services.stock_builders import receive, stock_setup

JAN_10 = dt.datetime(2024, 1, 10, 9, 0)


def _build(db: Database) -> None:
    """Shelf 1 receives 4 meters and 2 seals on 10 Jan; 3 more meters on 12 Jan; 2 meters and
    a seal go to the truck on 15 Jan; one meter comes back on 20 Jan."""
    stock_setup(db)
    receive(db, "WH-A-S1", meters=4, items=2, at=JAN_10)
    receive(db, "WH-A-S1", meters=3, first=5, at=dt.datetime(2024, 1, 12, 14, 30))
    transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "TRUCK-7",
                                            ("M00001", "M00002", "S00001"),
                                            dt.datetime(2024, 1, 15, 7, 45)))
    transfer(db, WAREHOUSE, TransferRequest("TRUCK-7", "WH-A-S1", ("M00002",),
                                            dt.datetime(2024, 1, 20, 16, 0)))


def test_levels_follow_arrivals_and_departures_day_by_day(db: Database) -> None:
    _build(db)
    levels = stock_levels(db, "WH-A-S1", dt.date(2024, 1, 9), dt.date(2024, 1, 21))
    assert (levels.location, levels.description) == ("WH-A-S1", "Main warehouse shelf 1")
    assert len(levels.days) == 13
    assert [s.label for s in levels.series] == ["Meter E1", "Item SEAL"]
    meters, seals = levels.series
    assert meters.description == "Electric meter 1-phase"
    #                 9  10 11 12 13 14 15 16 17 18 19 20 21 January
    assert meters.levels == (0, 4, 4, 7, 7, 7, 5, 5, 5, 5, 5, 6, 6)
    assert seals.levels == (0, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1)
    truck = stock_levels(db, "TRUCK-7", dt.date(2024, 1, 14), dt.date(2024, 1, 20))
    assert [(s.label, s.levels) for s in truck.series] == [
        ("Meter E1", (0, 2, 2, 2, 2, 2, 1)), ("Item SEAL", (0, 1, 1, 1, 1, 1, 1))]


def test_a_window_after_the_moves_starts_from_what_was_there(db: Database) -> None:
    _build(db)
    levels = stock_levels(db, "WH-A-S1", dt.date(2024, 1, 16), dt.date(2024, 1, 17))
    assert [s.levels for s in levels.series] == [(5, 5), (1, 1)]
    assert levels.level(AssetKind.METER, "E1", dt.date(2024, 1, 17)) == 5
    assert levels.level(AssetKind.ITEM, "NONE", dt.date(2024, 1, 17)) == 0
    # a window before anything arrived: no series at all
    assert stock_levels(db, "WH-A-S1", dt.date(2023, 1, 1), dt.date(2023, 12, 31)).empty


def test_levels_agree_with_the_as_of_inventory_every_day(db: Database) -> None:
    _build(db)
    first, last = dt.date(2024, 1, 9), dt.date(2024, 1, 21)
    for place in ("WH-A-S1", "TRUCK-7"):
        levels = stock_levels(db, place, first, last)
        for day in levels.days:
            end = dt.datetime.combine(day, dt.time(23, 59, 59))
            for kind, type_code in ((AssetKind.METER, "E1"), (AssetKind.ITEM, "SEAL")):
                page = inventory(db, InventoryQuery(place, end, kind=kind,
                                                    type_code=type_code))
                assert levels.level(kind, type_code, day) == page.total, (place, day, type_code)


def test_bad_windows_and_locations_are_refused(db: Database) -> None:
    stock_setup(db)
    with pytest.raises(ValidationError, match="after it ends"):
        stock_levels(db, "WH-A-S1", dt.date(2024, 2, 1), dt.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="at most"):
        stock_levels(db, "WH-A-S1", dt.date(2000, 1, 1), dt.date(2024, 1, 1))
    with pytest.raises(NotFound):
        stock_levels(db, "NOWHERE", dt.date(2024, 1, 1), dt.date(2024, 1, 2))
    # a grouping location never holds anything
    assert stock_levels(db, "WH-A", dt.date(2024, 1, 1), dt.date(2024, 1, 2)).empty
