"""The demo utility's stock (`app.demo.inventory`): locations, tracked types, removal
locations, and a location history that agrees with the devices' installations and with the
services that read and extend it."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db import Database, open_database
from app.demo import generate
from app.demo.inventory import LOCATIONS, STOCK_PER_ACCOUNT
from app.models.enums import AssetLocationSource
from app.services import asset_locations, service_points, stock_locations
from app.services.asset_locations import InventoryQuery, TransferRequest
from app.services.context import read_only
from tests.conftest import CSR, WAREHOUSE, own_pg_database

AS_OF = dt.date(2025, 6, 1)
N = 30
PG_URL = os.environ.get("SWITCHBOARD_TEST_PG_URL")


def _one(db: Database, sql: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def test_demo_stock_and_history_sqlite(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    try:
        generate(db, N, as_of=AS_OF)
        check_stock(db)
    finally:
        db.dispose()


@pytest.mark.pg
@pytest.mark.skipif(not PG_URL, reason="PostgreSQL tests need SWITCHBOARD_TEST_PG_URL")
def test_demo_stock_and_history_postgresql() -> None:
    """In a database of its own: the demo loads only into an empty one."""
    with own_pg_database("switchboard_demo_stock") as db:
        generate(db, N, as_of=AS_OF)
        check_stock(db)


def check_stock(db: Database) -> None:
    assert _one(db, "SELECT count(*) FROM stock_location") == len(LOCATIONS)
    assert _one(db, "SELECT count(*) FROM meter_type WHERE NOT track_stock_location") == 0
    assert _one(db, "SELECT count(*) FROM meter_type") == _one(
        db, "SELECT count(DISTINCT meter_type) FROM meter")
    # Every meter and item is tracked and has a position; the in-stock ones are 3 an account.
    assets = _one(db, "SELECT (SELECT count(*) FROM meter) + (SELECT count(*) FROM item)")
    assert _one(db, "SELECT count(*) FROM asset_position") == assets
    assert _one(db, "SELECT count(*) FROM meter WHERE status = 'IN_STOCK'") + _one(
        db, "SELECT count(*) FROM item WHERE status = 'IN_STOCK'") == STOCK_PER_ACCOUNT * N
    # The position is the latest history row, and no asset has two rows at one moment.
    assert _one(db, "SELECT count(*) FROM asset_position p WHERE NOT EXISTS (SELECT 1 FROM "
                    "asset_location h WHERE h.asset_kind = p.asset_kind AND h.asset_id = "
                    "p.asset_id AND h.located_at = p.located_at AND (h.stock_location_code = "
                    "p.stock_location_code OR h.service_point_id = p.service_point_id))") == 0
    assert _one(db, "SELECT count(*) FROM asset_location h JOIN asset_position p ON "
                    "p.asset_kind = h.asset_kind AND p.asset_id = h.asset_id "
                    "WHERE h.located_at > p.located_at") == 0
    assert _one(db, "SELECT count(*) FROM (SELECT asset_kind, asset_id, located_at FROM "
                    "asset_location GROUP BY asset_kind, asset_id, located_at "
                    "HAVING count(*) > 1) x") == 0
    assert _one(db, "SELECT count(*) FROM asset_location WHERE located_at >= '2025-06-01'") == 0
    # Installed devices are at their service point; nothing else is at one.
    assert _one(db, "SELECT count(*) FROM device_installation d JOIN asset_position p ON "
                    "p.asset_id = coalesce(d.meter_id, d.item_id) AND p.asset_kind = CASE WHEN "
                    "d.meter_id IS NULL THEN 'ITEM' ELSE 'METER' END WHERE d.removed_on IS NULL "
                    "AND p.service_point_id = d.service_point_id") == _one(
        db, "SELECT count(*) FROM device_installation WHERE removed_on IS NULL")
    assert _one(db, "SELECT count(*) FROM asset_position WHERE service_point_id IS NOT NULL") \
        == _one(db, "SELECT count(*) FROM device_installation WHERE removed_on IS NULL")
    # Each installed device was received (INITIAL) before its INSTALL row.
    assert _one(db, "SELECT count(*) FROM asset_location WHERE source = 'INSTALL'") == _one(
        db, "SELECT count(*) FROM device_installation") == _one(
        db, "SELECT count(*) FROM asset_location WHERE source = 'INITIAL'")
    sources = set(stock_source for stock_source in _sources(db))
    assert {"INITIAL", "INSTALL", "REMOVAL", "REPLICATION", "TRANSFER"} <= sources

    rows = stock_locations.stock_locations(db)
    assert sum(r.total for r in rows) == _one(
        db, "SELECT count(*) FROM asset_position WHERE stock_location_code IS NOT NULL")
    assert all(r.total == 0 for r in rows if not r.hold_inventory)
    with read_only(db) as session:
        postal_codes = [str(p) for p in session.execute(text(
            "SELECT DISTINCT postal_code FROM premise")).scalars()]
        assert all(asset_locations.removal_location(session, p) for p in postal_codes)

    # The services carry the demo's history on: a transfer, and a removal at a demo premise.
    fullest = max((r for r in rows if r.hold_inventory), key=lambda r: r.total)
    page = asset_locations.inventory(db, InventoryQuery(fullest.code, page_size=5))
    assert page.total == fullest.total and len(page.rows) == 5
    badges = tuple(r.badge_number for r in page.rows[:3])
    target = "TRUCK-06" if fullest.code != "TRUCK-06" else "TRUCK-05"
    asset_locations.transfer(db, WAREHOUSE, TransferRequest(fullest.code, target, badges,
                                                            dt.datetime(2025, 6, 2, 9, 0)))
    timeline = asset_locations.asset_timeline(db, badges[0])
    assert timeline.current is not None and timeline.current.place == target
    assert timeline.rows[-1].source in (AssetLocationSource.REPLICATION,
                                        AssetLocationSource.INITIAL)
    with db.engine.connect() as conn:
        sp, badge, postal = conn.execute(text(
            "SELECT sp.number, m.badge_number, p.postal_code FROM device_installation d "
            "JOIN meter m ON m.id = d.meter_id JOIN service_point sp ON sp.id = "
            "d.service_point_id JOIN premise p ON p.id = sp.premise_id "
            "WHERE d.removed_on IS NULL ORDER BY d.id LIMIT 1")).one()
    service_points.remove_device(db, CSR, str(sp), str(badge), dt.date(2025, 6, 2))
    removed = asset_locations.asset_timeline(db, str(badge))
    assert removed.current is not None
    assert removed.current.source is AssetLocationSource.REMOVAL
    assert removed.current.place == ("WH-PEO-S2" if str(postal)[:3] in (
        "609", "613", "614", "615", "616", "617") else "WH-RET")
    assert [r.source for r in removed.rows[1:]] == [AssetLocationSource.INSTALL,
                                                    AssetLocationSource.INITIAL]


def _sources(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [str(s) for s in conn.execute(text(
            "SELECT DISTINCT source FROM asset_location")).scalars()]
