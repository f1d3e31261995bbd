"""Receiving a shipment (issue 10 item 2): by range, by scanning, from a CSV file; every bad line
reported before anything is saved; history rows only for tracked types (INV-R1, INV-R2)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import AssetLocation, AssetPosition, AuditEvent, Item, Meter, Register
from app.models.enums import (
    AssetKind,
    AssetLocationSource,
    DeviceStatus,
    ServiceType,
    StockLocationKind,
)
from app.services import asset_locations, stock_locations
from app.services.asset_receiving import (
    BadgeRange,
    ScannedBadges,
    ShipmentFile,
    ShipmentRejected,
    ShipmentRequest,
    check_shipment,
    parse_csv,
    range_badges,
    read_shipment_file,
    receive_shipment,
)
from app.services.errors import PermissionDenied
from app.services.stock_locations import StockLocationForm
from tests.conftest import CSR, WAREHOUSE

AT = dt.datetime(2024, 1, 10, 9, 0)


@pytest.fixture
def stock(db: Database) -> Database:
    """WH-A (groups, holds nothing) with WH-A-S1 under it; meter types E1 (tracked, electric),
    G1 (tracked, gas), OLD (untracked, electric), NOSVC (no service type); item types SEAL
    (tracked), TAG (untracked)."""
    stock_locations.save_stock_location(db, WAREHOUSE, StockLocationForm(
        "WH-A", "Main warehouse", StockLocationKind.WAREHOUSE, hold_inventory=False))
    stock_locations.save_stock_location(db, WAREHOUSE, StockLocationForm(
        "WH-A-S1", "Main warehouse, shelf 1", StockLocationKind.WAREHOUSE, parent_code="WH-A"))
    for code, track, service in (("E1", True, ServiceType.ELECTRIC),
                                 ("G1", True, ServiceType.GAS),
                                 ("OLD", False, ServiceType.ELECTRIC),
                                 ("NOSVC", True, None)):
        stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.METER, code, f"Meter {code}",
                                        track, service)
    stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.ITEM, "SEAL", "Seal", True)
    stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.ITEM, "TAG", "Tag", False)
    return db


def _count(db: Database, model: type, *where: object) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_range_keeps_zero_padding() -> None:
    assert range_badges(BadgeRange("000098", "000102", "AB")) == [
        "AB000098", "AB000099", "AB000100", "AB000101", "AB000102"]
    assert range_badges(BadgeRange("ab000100", "AB000102")) == [
        "AB000100", "AB000101", "AB000102"]
    assert range_badges(BadgeRange("AB000100", "000101")) == ["AB000100", "AB000101"]
    assert range_badges(BadgeRange("X9", "X11")) == ["X9", "X10", "X11"]


@pytest.mark.parametrize(("first", "last", "words"), [
    ("AB000100", "AB000099", "comes before"),
    ("AB000100", "CD000199", "do not start the same"),
    ("AB", "AB9", "does not end in a number"),
    ("AB000001", "AB200001", "at most 100,000"),
    ("AB0100", "AB10000", "different lengths"),
])
def test_bad_ranges_are_refused(first: str, last: str, words: str) -> None:
    with pytest.raises(ShipmentRejected) as refused:
        range_badges(BadgeRange(first, last))
    assert words in refused.value.message
    assert refused.value.field == "last_badge" or "end in a number" in refused.value.message


def test_range_of_meters_gets_replication_rows(stock: Database) -> None:
    result = receive_shipment(stock, WAREHOUSE, ShipmentRequest(
        "WH-A-S1", AT, BadgeRange("000100", "000199", "AB"), AssetKind.METER, "E1"))
    assert (result.meters, result.items, result.untracked) == (100, 0, 0)
    assert result.badges[0] == "AB000100" and result.badges[-1] == "AB000199"
    assert result.source is AssetLocationSource.REPLICATION
    assert _count(stock, Meter, Meter.meter_type == "E1",
                  Meter.service_type == ServiceType.ELECTRIC,
                  Meter.status == DeviceStatus.IN_STOCK) == 100
    assert _count(stock, AssetLocation,
                  AssetLocation.source == AssetLocationSource.REPLICATION,
                  AssetLocation.stock_location_code == "WH-A-S1",
                  AssetLocation.located_at == AT,
                  AssetLocation.created_by == WAREHOUSE.username) == 100
    assert _count(stock, AssetPosition, AssetPosition.stock_location_code == "WH-A-S1") == 100
    with stock.sessions() as session:
        regs = session.execute(select(Register.uom, Register.digits, func.count())
                               .group_by(Register.uom, Register.digits)).all()
        assert [tuple(r) for r in regs] == [("KWH", 5, 100)]
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.entity_type == "Meter",
                                     AuditEvent.new_value == "created")) == 100
        # each value is audited as the ORM would: the badge, type and status of every meter,
        # and where and how each got its location
        badges = session.scalars(select(AuditEvent.new_value).where(
            AuditEvent.entity_type == "Meter", AuditEvent.field == "badge_number")).all()
        assert len(badges) == 100 and "AB000100" in badges
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity_type == "AssetLocation", AuditEvent.field == "source",
            AuditEvent.new_value == "REPLICATION")) == 100
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.entity_type == "AssetLocation", AuditEvent.field == "stock_location_code",
            AuditEvent.new_value == "WH-A-S1")) == 100
    # what the rest of the inventory reads
    page = asset_locations.inventory(stock, asset_locations.InventoryQuery("WH-A-S1"))
    assert page.total == 100 and page.rows[0].badge_number == "AB000100"
    timeline = asset_locations.asset_timeline(stock, "AB000150")
    assert [(r.place, r.source) for r in timeline.rows] == [
        ("WH-A-S1", AssetLocationSource.REPLICATION)]
    # the next meter of the type copies the newest one's registers (its template)
    receive_shipment(stock, WAREHOUSE, ShipmentRequest(
        "WH-A-S1", AT, BadgeRange("AB000200", "AB000201"), AssetKind.METER, "E1"))
    assert _count(stock, Register) == 102


def test_scanned_badges_get_initial_rows(stock: Database) -> None:
    result = receive_shipment(stock, WAREHOUSE, ShipmentRequest(
        "WH-A-S1", AT, ScannedBadges("s001\n\n  S002 \nS003\n"), AssetKind.ITEM, "SEAL"))
    assert result.badges == ("S001", "S002", "S003") and result.items == 3
    assert _count(stock, Item, Item.item_type == "SEAL") == 3
    assert _count(stock, AssetLocation,
                  AssetLocation.source == AssetLocationSource.INITIAL) == 3


def test_csv_with_bom_spaces_and_mixed_kinds(stock: Database) -> None:
    text = ("\ufeff Badge_Number , type , serial_number,manufacturer, model ,kind\n"
            " G000001 , G1 , SN1 , Elster , AC250 , \n"
            "\n"
            "SL000001,SEAL,,,,item\n"
            "E000001,,SN3,Itron,C1SR,\n"
            "X000001,OLD,,,,METER\n")
    result = receive_shipment(stock, WAREHOUSE, ShipmentRequest(
        "WH-A-S1", AT, ShipmentFile(text), AssetKind.METER, "E1"))
    assert (result.meters, result.items, result.untracked) == (3, 1, 1)
    assert result.source is AssetLocationSource.INITIAL
    assert any("no location history" in note for note in result.notes)
    with stock.sessions() as session:
        gas = session.scalar(select(Meter).where(Meter.badge_number == "G000001"))
        assert gas is not None
        assert (gas.meter_type, gas.service_type, gas.serial_number, gas.manufacturer,
                gas.model) == ("G1", ServiceType.GAS, "SN1", "Elster", "AC250")
        assert session.scalar(select(Register.uom).where(Register.meter_id == gas.id)) == "CCF"
        defaulted = session.scalar(select(Meter).where(Meter.badge_number == "E000001"))
        assert defaulted is not None and defaulted.meter_type == "E1"
    # the untracked meter is received, with no history row and no position (INV-R1)
    assert _count(stock, Meter, Meter.badge_number == "X000001") == 1
    assert _count(stock, AssetLocation) == 3
    assert _count(stock, AssetPosition) == 3
    assert not asset_locations.asset_timeline(stock, "X000001").tracked


def test_csv_file_read_from_disk_with_bom(stock: Database, tmp_path: object) -> None:
    from pathlib import Path
    path = Path(str(tmp_path)) / "shipment.csv"
    path.write_bytes("badge_number;type\r\nM1;E1\r\nM2;E1\r\n".encode("utf-8-sig"))
    result = receive_shipment(stock, WAREHOUSE, ShipmentRequest(
        "WH-A-S1", AT, read_shipment_file(path)))
    assert result.badges == ("M1", "M2")


def test_500_row_csv_with_one_duplicate_saves_nothing(stock: Database) -> None:
    rows = [f"AB{n:06d},E1" for n in range(1, 501)]
    rows[349] = "AB000017,E1"           # file line 351 repeats line 18
    text = "badge_number,type\n" + "\n".join(rows) + "\n"
    with pytest.raises(ShipmentRejected) as refused:
        receive_shipment(stock, WAREHOUSE, ShipmentRequest("WH-A-S1", AT, ShipmentFile(text)))
    problems = refused.value.problems
    assert [(p.line, p.badge_number) for p in problems] == [(351, "AB000017")]
    assert "twice (line 18)" in problems[0].message
    assert "line 351" in refused.value.message
    assert _count(stock, Meter) == 0 and _count(stock, AssetLocation) == 0
    assert _count(stock, AuditEvent, AuditEvent.entity_type == "Meter") == 0


def test_every_bad_line_is_reported(stock: Database) -> None:
    receive_shipment(stock, WAREHOUSE, ShipmentRequest(
        "WH-A-S1", AT, ScannedBadges("OLD1"), AssetKind.ITEM, "SEAL"))
    text = ("badge_number,type,kind\n"
            "N1,E1,\n"
            "OLD1,E1,\n"          # already an item
            "N2,NOPE,\n"          # unknown type
            ",E1,\n"              # missing badge
            "N3,NOSVC,\n"         # meter type with no service type
            "N4,SEAL,METER\n"     # SEAL is an item type
            "N5,E1,BOTH\n")       # bad kind
    with pytest.raises(ShipmentRejected) as refused:
        receive_shipment(stock, WAREHOUSE, ShipmentRequest("WH-A-S1", AT, ShipmentFile(text)))
    found = {p.line: p.message for p in refused.value.problems}
    assert sorted(found) == [3, 4, 5, 6, 7, 8]
    assert "already on an item" in found[3]
    assert "no meter or item type NOPE" in found[4]
    assert "badge number is missing" in found[5]
    assert "no service type" in found[6]
    assert "no meter type SEAL" in found[7]
    assert "not METER or ITEM" in found[8]
    assert _count(stock, Meter) == 0


def test_unknown_type_and_existing_badge(stock: Database) -> None:
    receive_shipment(stock, WAREHOUSE, ShipmentRequest(
        "WH-A-S1", AT, BadgeRange("AB000001", "AB000003"), AssetKind.METER, "E1"))
    with pytest.raises(ShipmentRejected) as refused:
        receive_shipment(stock, WAREHOUSE, ShipmentRequest(
            "WH-A-S1", AT, BadgeRange("AB000003", "AB000005"), AssetKind.METER, "E1"))
    assert [(p.badge_number, p.message) for p in refused.value.problems] == [
        ("AB000003", "badge number AB000003 is already on a meter.")]
    with pytest.raises(ShipmentRejected) as refused:
        receive_shipment(stock, WAREHOUSE, ShipmentRequest(
            "WH-A-S1", AT, ScannedBadges("Z1\nZ2"), AssetKind.METER, "ZZ"))
    assert [p.line for p in refused.value.problems] == [1, 2]
    assert "no meter type ZZ" in refused.value.problems[0].message
    assert _count(stock, Meter) == 3


def test_untracked_item_type_is_received_without_history(stock: Database) -> None:
    result = receive_shipment(stock, WAREHOUSE, ShipmentRequest(
        "WH-A-S1", AT, BadgeRange("T01", "T05"), AssetKind.ITEM, "TAG"))
    assert (result.items, result.untracked) == (5, 5)
    assert _count(stock, Item) == 5
    assert _count(stock, AssetLocation) == 0 and _count(stock, AssetPosition) == 0


def test_location_that_holds_no_inventory(stock: Database) -> None:
    request = ShipmentRequest("WH-A", AT, BadgeRange("AB1", "AB2"), AssetKind.METER, "E1")
    with pytest.raises(ShipmentRejected) as refused:
        receive_shipment(stock, WAREHOUSE, request)
    assert refused.value.field == "location"
    assert "holds no stock itself" in refused.value.message
    assert _count(stock, Meter) == 0
    check = check_shipment(stock, request)
    assert check.meters == 2 and "holds no stock" in check.problems[0].message


def test_future_date_and_permission(stock: Database) -> None:
    future = dt.datetime.now() + dt.timedelta(days=2)
    with pytest.raises(ShipmentRejected, match="in the future"):
        receive_shipment(stock, WAREHOUSE, ShipmentRequest(
            "WH-A-S1", future, BadgeRange("AB1", "AB2"), AssetKind.METER, "E1"))
    with pytest.raises(PermissionDenied):
        receive_shipment(stock, CSR, ShipmentRequest(
            "WH-A-S1", AT, BadgeRange("AB1", "AB2"), AssetKind.METER, "E1"))


def test_received_asset_can_be_transferred(stock: Database) -> None:
    stock_locations.save_stock_location(stock, WAREHOUSE, StockLocationForm(
        "TRUCK-7", "Truck 7", StockLocationKind.TRUCK))
    receive_shipment(stock, WAREHOUSE, ShipmentRequest(
        "WH-A-S1", AT, BadgeRange("AB1", "AB3"), AssetKind.METER, "E1"))
    asset_locations.transfer(stock, WAREHOUSE, asset_locations.TransferRequest(
        "WH-A-S1", "TRUCK-7", ("AB2",), AT + dt.timedelta(days=1)))
    timeline = asset_locations.asset_timeline(stock, "AB2")
    assert [r.source for r in timeline.rows] == [AssetLocationSource.TRANSFER,
                                                 AssetLocationSource.REPLICATION]


def test_a_quoted_line_break_does_not_shift_the_line_numbers() -> None:
    parsed = parse_csv(ShipmentFile(
        'badge_number,type,model\nA1,E1,"two\nlines"\n,E1,x\nA3,E1,y\n', "ship.csv"))
    assert [(line.badge_number, line.line) for line in parsed.lines] == [
        ("A1", 2), ("", 4), ("A3", 5)]
