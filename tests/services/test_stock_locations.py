"""Stock location set-up (spec/50 §4.1, P-INV1): a hierarchy without cycles, locations that
group others and hold nothing, characteristics checked as their type says and dated, meter and
item types with their tracking switch, and the removal location by postal code prefix."""

from __future__ import annotations

import datetime as dt

import pytest

from app.db import Database
from app.models.enums import (
    AssetKind,
    CharacteristicEntity,
    CharacteristicValueKind,
    ServiceType,
    StockLocationKind,
)
from app.services import asset_locations, characteristics, service_points, stock_locations
from app.services.errors import ConcurrentChange, PermissionDenied, ValidationError
from app.services.service_points import MeterForm, RegisterForm
from app.services.stock_locations import StockLocationForm
from tests.conftest import CSR, SUPERVISOR, WAREHOUSE

WH = StockLocationKind.WAREHOUSE


def _warehouse(db: Database) -> None:
    stock_locations.save_stock_location(db, WAREHOUSE, StockLocationForm(
        "wh-a", "Warehouse A", WH, hold_inventory=False, address_line1="1 Depot Rd",
        city="Springfield", postal_code="62701"))
    for shelf in ("S1", "S2"):
        stock_locations.save_stock_location(db, WAREHOUSE, StockLocationForm(
            f"WH-A-{shelf}", f"Shelf {shelf}", WH, parent_code="WH-A"))


def test_the_list_is_a_tree_in_order_with_addresses(db: Database) -> None:
    _warehouse(db)
    stock_locations.save_stock_location(db, WAREHOUSE, StockLocationForm(
        "TRUCK-7", "Truck 7", StockLocationKind.TRUCK))
    rows = stock_locations.stock_locations(db)
    assert [(r.code, r.depth, r.hold_inventory) for r in rows] == [
        ("TRUCK-7", 0, True), ("WH-A", 0, False), ("WH-A-S1", 1, True), ("WH-A-S2", 1, True)]
    assert rows[1].address == "1 Depot Rd, Springfield, 62701"


def test_a_location_cannot_sit_inside_itself(db: Database) -> None:
    _warehouse(db)
    [row] = [r for r in stock_locations.stock_locations(db) if r.code == "WH-A"]
    with pytest.raises(ValidationError) as refused:
        stock_locations.save_stock_location(db, WAREHOUSE, StockLocationForm(
            "WH-A", "Warehouse A", WH, hold_inventory=False, parent_code="WH-A-S1"),
            row.version)
    assert refused.value.field == "parent_code" and "inside itself" in refused.value.message
    with pytest.raises(ValidationError, match="exists already"):
        stock_locations.save_stock_location(db, WAREHOUSE, StockLocationForm(
            "WH-A", "Again", WH))
    with pytest.raises(ConcurrentChange):
        stock_locations.save_stock_location(db, WAREHOUSE, StockLocationForm(
            "WH-A", "Warehouse A (north)", WH, hold_inventory=False), row.version - 1)
    with pytest.raises(PermissionDenied):
        stock_locations.save_stock_location(db, CSR, StockLocationForm("X", "X", WH))


def test_a_location_holding_assets_keeps_holding_inventory(db: Database) -> None:
    _warehouse(db)
    stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.METER, "E1", "Electric 1ph",
                                    True, ServiceType.ELECTRIC)
    service_points.register_meter(db, WAREHOUSE, MeterForm(
        "M1", "E1", ServiceType.ELECTRIC, registers=(RegisterForm("KWH", 5),)))
    asset_locations.move_asset(db, WAREHOUSE, "M1", "WH-A-S1", dt.datetime(2024, 1, 10, 9))
    [row] = [r for r in stock_locations.stock_locations(db) if r.code == "WH-A-S1"]
    assert row.total == 1 and row.counts[0].type_code == "E1"
    with pytest.raises(ValidationError, match="holds assets"):
        stock_locations.save_stock_location(db, WAREHOUSE, StockLocationForm(
            "WH-A-S1", "Shelf S1", WH, hold_inventory=False, parent_code="WH-A"), row.version)


def test_characteristics_are_checked_and_dated(db: Database) -> None:
    _warehouse(db)
    characteristics.define_characteristic_type(
        db, SUPERVISOR, "BAYS", "Number of bays", CharacteristicValueKind.NUMBER,
        {CharacteristicEntity.STOCK_LOCATION})
    characteristics.define_characteristic_type(
        db, SUPERVISOR, "TAXDIST", "Tax district", CharacteristicValueKind.ADHOC,
        {CharacteristicEntity.PREMISE})
    stock_locations.set_characteristic(db, WAREHOUSE, "WH-A", "bays", "12",
                                       dt.date(2024, 1, 1))
    stock_locations.set_characteristic(db, WAREHOUSE, "WH-A", "BAYS", "14", dt.date(2024, 6, 1))
    with pytest.raises(ValidationError, match="is a number"):
        stock_locations.set_characteristic(db, WAREHOUSE, "WH-A", "BAYS", "many")
    with pytest.raises(ValidationError, match="not a characteristic of stock locations"):
        stock_locations.set_characteristic(db, WAREHOUSE, "WH-A", "TAXDIST", "7")
    [march] = stock_locations.location_characteristics(db, "WH-A", dt.date(2024, 3, 1))
    [july] = stock_locations.location_characteristics(db, "WH-A", dt.date(2024, 7, 1))
    assert (march.value, july.value, july.description) == ("12", "14", "Number of bays")


def test_removal_goes_to_the_longest_matching_postal_prefix(db: Database) -> None:
    _warehouse(db)
    stock_locations.set_removal_location(db, WAREHOUSE, "62", "WH-A-S1")
    stock_locations.set_removal_location(db, WAREHOUSE, "627", "WH-A-S2")
    with pytest.raises(ValidationError, match="holds no stock itself"):
        stock_locations.set_removal_location(db, WAREHOUSE, "61", "WH-A")
    with db.sessions() as session:
        assert asset_locations.removal_location(session, "62701") == "WH-A-S2"
        assert asset_locations.removal_location(session, "62999") == "WH-A-S1"
        assert asset_locations.removal_location(session, "10001") is None
