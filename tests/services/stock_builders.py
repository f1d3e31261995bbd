"""A small stock set-up for the transfer tests: tracked meter and item types, a warehouse with
two shelves (the warehouse itself holds no stock), a returns bay and a truck, and as many
meters and items as a test asks for, received at a shelf through `asset_locations.move_in`
(the one way history rows are written)."""

from __future__ import annotations

import datetime as dt

from app.db import Database
from app.models import Item, Meter
from app.models.enums import (
    AssetKind,
    AssetLocationSource,
    DeviceStatus,
    ServiceType,
    StockLocationKind,
)
from app.services import stock_locations
from app.services.asset_locations import Asset, move_in
from app.services.context import transaction
from app.services.stock_locations import StockLocationForm
from tests.conftest import WAREHOUSE

RECEIVED = dt.datetime(2024, 1, 10, 9, 0)
LOCATIONS = (
    StockLocationForm("WH-A", "Main warehouse", StockLocationKind.WAREHOUSE, False,
                      address_line1="400 Depot Rd", city="Springfield", postal_code="62702"),
    StockLocationForm("WH-A-S1", "Main warehouse shelf 1", StockLocationKind.WAREHOUSE,
                      parent_code="WH-A", address_line1="400 Depot Rd", city="Springfield",
                      postal_code="62702"),
    StockLocationForm("WH-A-S2", "Main warehouse shelf 2", StockLocationKind.WAREHOUSE,
                      parent_code="WH-A", address_line1="400 Depot Rd", city="Springfield",
                      postal_code="62702"),
    StockLocationForm("WH-RET", "Returns bay", StockLocationKind.WAREHOUSE,
                      address_line1="12 Dock St", city="Springfield", postal_code="62703"),
    StockLocationForm("TRUCK-7", "Meter truck 7", StockLocationKind.TRUCK),
)


def stock_setup(db: Database) -> None:
    """Types E1 (electric meter) and SEAL (item), both tracked, and the locations."""
    stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.METER, "E1",
                                    "Electric meter 1-phase", True, ServiceType.ELECTRIC)
    stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.ITEM, "SEAL", "Meter seal", True)
    for form in LOCATIONS:
        stock_locations.save_stock_location(db, WAREHOUSE, form)


def receive(db: Database, location: str, meters: int = 0, items: int = 0, *,
            prefix: str = "M", item_prefix: str = "S", first: int = 1,
            at: dt.datetime = RECEIVED) -> list[str]:
    """Meters `{prefix}{n:05d}` and items `{item_prefix}{n:05d}` in stock at `location`;
    returns their badge numbers (meters first)."""
    badges: list[str] = []
    with transaction(db, WAREHOUSE) as session:
        rows: list[Meter | Item] = []
        for n in range(first, first + meters):
            rows.append(Meter(badge_number=f"{prefix}{n:05d}", meter_type="E1",
                              service_type=ServiceType.ELECTRIC, serial_number=f"SN-{n:07d}",
                              manufacturer="Itron", model="C2SOD",
                              status=DeviceStatus.IN_STOCK))
        for n in range(first, first + items):
            rows.append(Item(badge_number=f"{item_prefix}{n:05d}", item_type="SEAL",
                             status=DeviceStatus.IN_STOCK))
        session.add_all(rows)
        session.flush()
        for row in rows:
            move_in(session, Asset.of(row), at, by=WAREHOUSE.username, location=location,
                    source=AssetLocationSource.INITIAL)
            badges.append(row.badge_number)
    return badges
