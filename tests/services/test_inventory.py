"""Spec/50 §4.4 asset inventory tests (INV-T01 … T06, T08, T09, T11) through the services a
warehouse user and a field crew use: a meter received on a shelf, installed at a service
point, removed to the postal code's returns bay, transferred, and the inventory of each place
read now and as of dates before, on and after the moves."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.models import AssetLocation
from app.models.enums import AssetKind, AssetLocationSource, ServiceType
from app.services import service_points, stock_locations
from app.services.asset_locations import (
    InventoryQuery,
    TransferRequest,
    asset_timeline,
    inventory,
    move_asset,
    transfer,
)
from app.services.errors import ValidationError
from app.services.service_points import MeterForm, RegisterForm
from tests.conftest import CSR, WAREHOUSE
from tests.services.builders import Household, household
from tests.services.stock_builders import receive, stock_setup

RECEIVED = dt.datetime(2024, 1, 10, 9, 0)
INSTALLED = dt.datetime(2024, 2, 1, 10, 0)
REMOVED = dt.datetime(2024, 5, 1, 11, 0)
TRANSFERRED = dt.datetime(2024, 5, 2, 8, 0)


def _meter(db: Database, badge: str, meter_type: str = "E1") -> str:
    service_points.register_meter(db, WAREHOUSE, MeterForm(
        badge, meter_type, ServiceType.ELECTRIC, (RegisterForm("KWH", 6),),
        manufacturer="Itron", model="C2SOD", serial_number=f"SN-{badge}"))
    return badge


def _history(db: Database, badge: str) -> list[tuple[str, AssetLocationSource]]:
    """Oldest first: (place, how)."""
    rows = asset_timeline(db, badge).rows
    return [(r.place, r.source) for r in reversed(rows)]


def _listed(db: Database, location: str, as_of: dt.datetime | None = None,
            **filters: object) -> dict[str, tuple[dt.datetime, str | None, bool]]:
    page = inventory(db, InventoryQuery(location, as_of, **filters))  # type: ignore[arg-type]
    return {r.badge_number: (r.located_at, r.subsequent, r.selectable) for r in page.rows}


@pytest.fixture
def m1(db: Database) -> tuple[Household, str]:
    """INV-T01's meter M1: received on WH-A-S1, installed at the household's electric SP,
    removed to WH-RET (the returns bay of postal code 62701)."""
    stock_setup(db)
    stock_locations.set_removal_location(db, WAREHOUSE, "62701", "WH-RET")
    home = household(db)
    _meter(db, "M1")
    move_asset(db, WAREHOUSE, "M1", "WH-A-S1", RECEIVED)
    service_points.install_device(db, CSR, home.electric_sp, "M1", INSTALLED.date(),
                                  at=INSTALLED)
    service_points.remove_device(db, CSR, home.electric_sp, "M1", REMOVED.date(), at=REMOVED)
    return home, "M1"


def test_inv_t01_install_and_removal_write_the_rows_the_spec_gives(
        db: Database, m1: tuple[Household, str]) -> None:
    home, badge = m1
    assert _history(db, badge) == [("WH-A-S1", AssetLocationSource.INITIAL),
                                   (f"SP {home.electric_sp}", AssetLocationSource.INSTALL),
                                   ("WH-RET", AssetLocationSource.REMOVAL)]
    timeline = asset_timeline(db, badge)
    assert [r.located_at for r in timeline.rows] == [REMOVED, INSTALLED, RECEIVED]
    assert timeline.rows[1].description == "installed at the service point"
    assert {r.by for r in timeline.rows} == {"wh1", "csr1"}


def test_inv_t02_as_of_inventory_names_the_subsequent_location(
        db: Database, m1: tuple[Household, str]) -> None:
    home, badge = m1
    # before the install: listed, arrived 09:00 on the 10th, went next to the SP, not movable
    assert _listed(db, "WH-A-S1", dt.datetime(2024, 1, 15)) == {
        badge: (RECEIVED, f"SP {home.electric_sp}", False)}
    # on the minute it arrived, and the minute before
    assert badge in _listed(db, "WH-A-S1", RECEIVED)
    assert _listed(db, "WH-A-S1", RECEIVED - dt.timedelta(minutes=1)) == {}
    # installed by then: not on the shelf
    assert _listed(db, "WH-A-S1", dt.datetime(2024, 3, 1)) == {}
    assert _listed(db, "WH-A-S1") == {}
    # the returns bay now: there since the removal, still there, movable
    assert _listed(db, "WH-RET") == {badge: (REMOVED, None, True)}
    assert _listed(db, "WH-RET", dt.datetime(2024, 6, 1)) == {badge: (REMOVED, None, True)}


def test_inv_t03_a_transfer_moves_the_meter_and_the_past_shows_where_it_went(
        db: Database, m1: tuple[Household, str]) -> None:
    _home, badge = m1
    result = transfer(db, WAREHOUSE, TransferRequest("WH-RET", "WH-A-S2", (badge,),
                                                     TRANSFERRED))
    assert [line.badge_number for line in result.lines] == [badge]
    assert _history(db, badge)[-1] == ("WH-A-S2", AssetLocationSource.TRANSFER)
    assert _listed(db, "WH-RET", dt.datetime(2024, 5, 1, 12, 0)) == {
        badge: (REMOVED, "WH-A-S2", False)}
    assert _listed(db, "WH-RET") == {}
    assert _listed(db, "WH-A-S2") == {badge: (TRANSFERRED, None, True)}


def test_inv_t04_a_grouping_location_or_an_earlier_date_is_refused(
        db: Database, m1: tuple[Household, str]) -> None:
    _home, badge = m1
    with pytest.raises(ValidationError) as grouping:
        move_asset(db, WAREHOUSE, badge, "WH-A", dt.datetime(2024, 5, 3), "re-shelved")
    assert grouping.value.field == "location"
    assert "holds no stock itself" in grouping.value.message
    with pytest.raises(ValidationError) as target:
        transfer(db, WAREHOUSE, TransferRequest("WH-RET", "WH-A", (badge,), TRANSFERRED))
    assert target.value.field == "target"
    with pytest.raises(ValidationError) as earlier:
        move_asset(db, WAREHOUSE, badge, "WH-A-S2", dt.datetime(2024, 4, 30), "re-shelved")
    assert earlier.value.field == "located_at"
    assert "since 2024-05-01 11:00" in earlier.value.message
    # nothing was written by the refusals
    assert len(_history(db, badge)) == 3


def test_inv_t05_an_untracked_item_type_gets_no_rows_and_is_in_no_inventory(
        db: Database) -> None:
    stock_setup(db)
    stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.ITEM, "LOCK", "Padlock", False)
    home = household(db)
    service_points.register_item(db, WAREHOUSE, "LK1", "LOCK")
    service_points.install_device(db, CSR, home.electric_sp, "LK1", INSTALLED.date())
    service_points.remove_device(db, CSR, home.electric_sp, "LK1", REMOVED.date())
    assert asset_timeline(db, "LK1").rows == ()
    assert not asset_timeline(db, "LK1").tracked
    with pytest.raises(ValidationError, match="does not track"):
        move_asset(db, WAREHOUSE, "LK1", "WH-A-S1", REMOVED)
    assert _listed(db, "WH-A-S1") == {}


def test_inv_t06_moves_while_tracking_was_off_are_not_backfilled(db: Database) -> None:
    stock_setup(db)
    home = household(db)
    _meter(db, "M9")
    move_asset(db, WAREHOUSE, "M9", "WH-A-S1", RECEIVED)
    stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.METER, "E1", "Electric meter",
                                    False, ServiceType.ELECTRIC)
    service_points.install_device(db, CSR, home.electric_sp, "M9", INSTALLED.date())
    service_points.remove_device(db, CSR, home.electric_sp, "M9", REMOVED.date(),
                                 to_location="WH-RET")
    stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.METER, "E1", "Electric meter",
                                    True, ServiceType.ELECTRIC)
    assert _history(db, "M9") == [("WH-A-S1", AssetLocationSource.INITIAL)]
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AssetLocation)) == 1


def test_inv_t08_a_manual_move_is_refused_while_installed(db: Database) -> None:
    stock_setup(db)
    home = household(db)
    _meter(db, "M2")
    move_asset(db, WAREHOUSE, "M2", "WH-A-S1", RECEIVED)
    service_points.install_device(db, CSR, home.electric_sp, "M2", INSTALLED.date(),
                                  at=INSTALLED)
    with pytest.raises(ValidationError, match="installed at a service point") as refused:
        move_asset(db, WAREHOUSE, "M2", "WH-A-S2", REMOVED, "found on the shelf")
    assert refused.value.field == "badge_number"
    assert len(_history(db, "M2")) == 2
    # a move of a meter in stock needs a reason; with one it is a MANUAL row
    _meter(db, "M3")
    move_asset(db, WAREHOUSE, "M3", "WH-A-S1", RECEIVED)
    with pytest.raises(ValidationError) as no_reason:
        move_asset(db, WAREHOUSE, "M3", "WH-A-S2", REMOVED)
    assert no_reason.value.field == "reason"
    move_asset(db, WAREHOUSE, "M3", "WH-A-S2", REMOVED, "re-shelved")
    assert _history(db, "M3")[-1] == ("WH-A-S2", AssetLocationSource.MANUAL)
    assert asset_timeline(db, "M3").rows[0].reason == "re-shelved"


def test_inv_t09_the_list_counts_by_kind_and_type_under_the_grouping_location(
        db: Database) -> None:
    stock_setup(db)
    receive(db, "WH-A-S1", meters=2, items=1)
    receive(db, "WH-A-S2", meters=1, first=3)
    rows = {r.code: r for r in stock_locations.stock_locations(db)}
    assert [(c.kind, c.type_code, c.count) for c in rows["WH-A-S1"].counts] == [
        (AssetKind.ITEM, "SEAL", 1), (AssetKind.METER, "E1", 2)]
    assert [(c.kind, c.type_code, c.count) for c in rows["WH-A-S2"].counts] == [
        (AssetKind.METER, "E1", 1)]
    assert rows["WH-A"].counts == () and not rows["WH-A"].hold_inventory
    assert (rows["WH-A-S1"].depth, rows["WH-A-S1"].parent_code) == (1, "WH-A")
    assert (rows["WH-A-S1"].total, rows["WH-A-S2"].total, rows["WH-RET"].total) == (3, 1, 0)


def test_inv_t11_the_badge_filter_is_a_prefix(db: Database) -> None:
    stock_setup(db)
    for badge in ("AB1", "AB100", "AB1X", "AB2", "XAB1"):
        _meter(db, badge)
        move_asset(db, WAREHOUSE, badge, "WH-A-S1", RECEIVED)
    assert sorted(_listed(db, "WH-A-S1", badge_prefix="AB1")) == ["AB1", "AB100", "AB1X"]
    assert sorted(_listed(db, "WH-A-S1", badge_prefix="ab1")) == ["AB1", "AB100", "AB1X"]
    assert sorted(_listed(db, "WH-A-S1", dt.datetime(2024, 2, 1), badge_prefix="AB1")) == [
        "AB1", "AB100", "AB1X"]
    assert sorted(_listed(db, "WH-A-S1", badge_prefix="AB100")) == ["AB100"]


def test_the_inventory_pages_and_sorts(db: Database) -> None:
    stock_setup(db)
    receive(db, "WH-A-S1", meters=5, items=3)
    later = dt.datetime(2024, 3, 1, 8, 0)
    transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "WH-A-S2", ("M00002", "S00001"),
                                            later))
    transfer(db, WAREHOUSE, TransferRequest("WH-A-S2", "WH-A-S1", ("M00002", "S00001"),
                                            later + dt.timedelta(hours=1)))
    first = inventory(db, InventoryQuery("WH-A-S1", page_size=3))
    assert (first.total, first.pages) == (8, 3)
    assert [r.badge_number for r in first.rows] == ["M00001", "M00002", "M00003"]
    last = inventory(db, InventoryQuery("WH-A-S1", page=3, page_size=3, sort="-badge"))
    assert [r.badge_number for r in last.rows] == ["M00002", "M00001"]
    newest = inventory(db, InventoryQuery("WH-A-S1", sort="-located_at"))
    assert [r.badge_number for r in newest.rows[:2]] == ["M00002", "S00001"]
    by_type = inventory(db, InventoryQuery("WH-A-S1", sort="type"))
    assert [r.type_code for r in by_type.rows] == ["E1"] * 5 + ["SEAL"] * 3
    items = inventory(db, InventoryQuery("WH-A-S1", kind=AssetKind.ITEM))
    assert [r.badge_number for r in items.rows] == ["S00001", "S00002", "S00003"]
    meters = inventory(db, InventoryQuery("WH-A-S1", type_code="E1"))
    assert meters.total == 5
    assert meters.rows[0].serial_number == "SN-0000001"
    assert (meters.rows[0].manufacturer, meters.rows[0].model) == ("Itron", "C2SOD")
    # in between the two transfers, the shelf held six; the two were on shelf 2
    between = inventory(db, InventoryQuery("WH-A-S1", later + dt.timedelta(minutes=30)))
    assert between.total == 6
    away = inventory(db, InventoryQuery("WH-A-S2", later + dt.timedelta(minutes=30)))
    assert {(r.badge_number, r.subsequent, r.selectable) for r in away.rows} == {
        ("M00002", "WH-A-S1", False), ("S00001", "WH-A-S1", False)}
