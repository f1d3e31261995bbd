"""Inventory at its edges: two moves at the same minute (the later-written row wins, in the
grid, the subsequent location and the chart alike), and a type whose tracking is switched off
leaving every inventory and count (its history stays with the asset) — tracked again, nothing is backfilled and an installed
meter cannot be moved by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from app.db import Database
from app.models.enums import AssetKind, ServiceType
from app.services import asset_locations, stock_levels, stock_locations
from app.services.asset_locations import InventoryQuery, NotAtSource, TransferRequest
from app.services.errors import ValidationError
from tests.conftest import WAREHOUSE
from tests.services.stock_builders import RECEIVED, receive, stock_setup


def _badges(db: Database, location: str, as_of: dt.datetime | None = None) -> list[str]:
    page = asset_locations.inventory(db, InventoryQuery(location, as_of=as_of))
    return [r.badge_number for r in page.rows]


def test_a_transfer_at_the_minute_of_receipt_leaves_the_asset_in_one_place(db: Database) -> None:
    stock_setup(db)
    [meter] = receive(db, "WH-A-S1", meters=1)
    asset_locations.transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "WH-A-S2", (meter,),
                                                            RECEIVED))
    later = RECEIVED + dt.timedelta(hours=1)
    assert _badges(db, "WH-A-S1", RECEIVED) == [] and _badges(db, "WH-A-S2", RECEIVED) == [meter]
    assert _badges(db, "WH-A-S1", later) == [] and _badges(db, "WH-A-S2") == [meter]
    levels = stock_levels.stock_levels(db, "WH-A-S1", RECEIVED.date(), RECEIVED.date())
    assert levels.level(AssetKind.METER, "E1", RECEIVED.date()) == 0
    with pytest.raises(NotAtSource):
        asset_locations.transfer(db, WAREHOUSE, TransferRequest(
            "WH-A-S1", "TRUCK-7", (meter,), later))


def test_untracking_a_type_empties_its_inventory_and_nothing_is_backfilled(
        db: Database) -> None:
    stock_setup(db)
    meters = receive(db, "WH-A-S1", meters=3)
    stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.METER, "E1", "Electric 1ph",
                                    False, ServiceType.ELECTRIC)
    assert _badges(db, "WH-A-S1") == []
    [shelf] = [r for r in stock_locations.stock_locations(db) if r.code == "WH-A-S1"]
    assert shelf.total == 0
    with pytest.raises(ValidationError, match="not found, or not tracked"):
        asset_locations.transfer(db, WAREHOUSE, TransferRequest(
            "WH-A-S1", "TRUCK-7", (meters[0],), RECEIVED + dt.timedelta(days=1)))
    # out of every inventory, past ones too; the asset's own history stays
    assert _badges(db, "WH-A-S1", RECEIVED) == []
    assert [r.place for r in asset_locations.asset_timeline(db, meters[0]).rows] == ["WH-A-S1"]
    stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.METER, "E1", "Electric 1ph",
                                    True, ServiceType.ELECTRIC)
    assert _badges(db, "WH-A-S1") == []                  # no backfill: placed anew by hand
    asset_locations.move_asset(db, WAREHOUSE, meters[0], "WH-A-S2",
                               RECEIVED + dt.timedelta(days=2))
    [row] = asset_locations.asset_timeline(db, meters[0]).rows[:1]
    assert (row.place, row.source.value) == ("WH-A-S2", "INITIAL")
