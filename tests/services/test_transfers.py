"""Transfers between stock locations (spec/50 §4.2 INV-R4, INV-R6; §4.4 INV-T03, T04, T10)
and the checks the Transfer dialog makes before it moves anything, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from app.db import Database, open_database
from app.models import AssetLocation, AssetPosition, AuditEvent
from app.models.enums import AssetKind, AssetLocationSource, ServiceType
from app.services import asset_locations, service_points, stock_locations, transfer_checks
from app.services.asset_locations import (
    InventoryQuery,
    NotAtSource,
    TransferRequest,
    TransferResult,
    inventory,
    transfer,
)
from app.services.errors import DomainError, PermissionDenied, ValidationError
from app.services.transfer_checks import badge_range, check_badges
from tests.conftest import CSR, WAREHOUSE
from tests.services.stock_builders import receive, stock_setup

REMOVED = dt.datetime(2024, 5, 1, 11, 0)
MOVED = dt.datetime(2024, 5, 2, 8, 0)


def _history(db: Database, badge: str) -> list[tuple[str | None, AssetLocationSource]]:
    timeline = asset_locations.asset_timeline(db, badge)
    return [(r.place, r.source) for r in reversed(timeline.rows)]


def _rows(db: Database, source: AssetLocationSource | None = None) -> int:
    with db.engine.connect() as conn:
        query = select(func.count()).select_from(AssetLocation)
        if source is not None:
            query = query.where(AssetLocation.source == source)
        return conn.execute(query).scalar_one()


def _here(db: Database, location: str, as_of: dt.datetime | None = None
          ) -> dict[str, tuple[str | None, bool]]:
    page = inventory(db, InventoryQuery(location, as_of=as_of))
    return {r.badge_number: (r.subsequent, r.selectable) for r in page.rows}


# ----------------------------------------------------------------------------- INV-T03


def test_inv_t03_transfer_writes_one_transfer_row_and_moves_the_as_of_inventory(
        db: Database) -> None:
    stock_setup(db)
    (m1,) = receive(db, "WH-RET", meters=1, at=REMOVED)
    result = transfer(db, WAREHOUSE, TransferRequest("WH-RET", "WH-A-S2", (m1.lower(),), MOVED))
    assert isinstance(result, TransferResult)
    assert (result.source, result.target, result.at, result.by) == ("WH-RET", "WH-A-S2", MOVED,
                                                                    "wh1")
    assert [(x.badge_number, x.kind, x.type_code) for x in result.lines] == [
        (m1, AssetKind.METER, "E1")]
    assert _history(db, m1) == [("WH-RET", AssetLocationSource.INITIAL),
                                ("WH-A-S2", AssetLocationSource.TRANSFER)]
    # As of just after it arrived at the returns bay: listed, gone next to WH-A-S2, not
    # selectable; now: not at the returns bay, at shelf 2 and selectable.
    assert _here(db, "WH-RET", dt.datetime(2024, 5, 1, 12, 0)) == {m1: ("WH-A-S2", False)}
    assert _here(db, "WH-RET") == {}
    assert _here(db, "WH-A-S2") == {m1: (None, True)}
    with db.engine.connect() as conn:
        position = conn.execute(select(AssetPosition)).one()
        assert (position.stock_location_code, position.located_at, position.version) == (
            "WH-A-S2", MOVED, 2)
        # the move is audited as its history row (the position is derived from the history)
        written = {r.field: r.new_value for r in conn.execute(
            select(AuditEvent).where(AuditEvent.entity_type == "AssetLocation",
                                     AuditEvent.changed_by == "wh1")).all()}
    assert (written["stock_location_code"], written["source"], written["located_at"]) == (
        "WH-A-S2", "TRANSFER", str(MOVED))


def test_inv_t03_tracked_items_move_with_meters_and_nothing_else_moves(db: Database) -> None:
    stock_setup(db)
    badges = receive(db, "WH-A-S1", meters=3, items=2)
    transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "TRUCK-7", tuple(badges[1:4]), MOVED))
    assert sorted(_here(db, "TRUCK-7")) == ["M00002", "M00003", "S00001"]
    assert sorted(_here(db, "WH-A-S1")) == ["M00001", "S00002"]
    assert _rows(db, AssetLocationSource.TRANSFER) == 3


# ----------------------------------------------------------------------------- INV-T04


def test_inv_t04_target_that_holds_no_inventory_is_refused(db: Database) -> None:
    stock_setup(db)
    (m1,) = receive(db, "WH-RET", meters=1, at=REMOVED)
    with pytest.raises(ValidationError) as refused:
        transfer(db, WAREHOUSE, TransferRequest("WH-RET", "WH-A", (m1,), MOVED))
    assert refused.value.field == "target"
    assert "holds no stock itself" in refused.value.message
    assert _rows(db, AssetLocationSource.TRANSFER) == 0
    assert _here(db, "WH-RET") == {m1: (None, True)}


def test_inv_t04_date_before_the_latest_row_is_refused(db: Database) -> None:
    stock_setup(db)
    (m1,) = receive(db, "WH-RET", meters=1, at=REMOVED)
    with pytest.raises(ValidationError) as refused:
        transfer(db, WAREHOUSE, TransferRequest("WH-RET", "WH-A-S2", (m1,),
                                                dt.datetime(2024, 4, 30, 9, 0)))
    assert refused.value.field == "located_at"
    assert refused.value.message == (
        "M00001 has been at its present place since 2024-05-01 11:00; a new location date "
        "must not be earlier.")
    assert _rows(db, AssetLocationSource.TRANSFER) == 0
    # On the minute of the latest row is allowed (≥).
    transfer(db, WAREHOUSE, TransferRequest("WH-RET", "WH-A-S2", (m1,), REMOVED))
    assert _here(db, "WH-A-S2") == {m1: (None, True)}


def test_target_equal_to_source_future_date_and_roles_are_refused(db: Database) -> None:
    stock_setup(db)
    (m1,) = receive(db, "WH-A-S1", meters=1)
    with pytest.raises(ValidationError) as same:
        transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "WH-A-S1", (m1,), MOVED))
    assert same.value.field == "target"
    assert same.value.message == "The target is the source; choose another location."
    with pytest.raises(ValidationError) as future:
        transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "TRUCK-7", (m1,),
                                                dt.datetime.now() + dt.timedelta(days=2)))
    assert future.value.field == "located_at"
    with pytest.raises(PermissionDenied):
        transfer(db, CSR, TransferRequest("WH-A-S1", "TRUCK-7", (m1,), MOVED))
    with pytest.raises(ValidationError) as empty:
        transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "TRUCK-7", (" ",), MOVED))
    assert empty.value.field == "badges"
    assert _rows(db, AssetLocationSource.TRANSFER) == 0


# ----------------------------------------------------------------------------- all or nothing


def test_500_asset_transfer_with_one_bad_badge_saves_nothing(db: Database) -> None:
    stock_setup(db)
    badges = receive(db, "WH-A-S1", meters=400, items=100)
    before = _rows(db)
    with db.engine.connect() as conn:
        audits = conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    with pytest.raises(ValidationError) as refused:
        transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "TRUCK-7",
                                                (*badges[:250], "NOPE-1", *badges[250:]),
                                                MOVED))
    assert refused.value.field == "badges"
    assert refused.value.message == ("Nothing was moved: 1 badge number(s) not found, or not "
                                     "tracked: NOPE-1.")
    assert _rows(db) == before == 500
    with db.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == audits
    page = inventory(db, InventoryQuery("WH-A-S1"))
    assert page.total == 500
    assert inventory(db, InventoryQuery("TRUCK-7")).total == 0
    # Without the bad badge the 500 move together, one TRANSFER row each.
    result = transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "TRUCK-7", tuple(badges),
                                                     MOVED))
    assert len(result.lines) == 500
    assert _rows(db, AssetLocationSource.TRANSFER) == 500
    assert inventory(db, InventoryQuery("TRUCK-7")).total == 500
    assert inventory(db, InventoryQuery("WH-A-S1")).total == 0


def test_an_asset_installed_meanwhile_is_not_at_the_source(db: Database) -> None:
    stock_setup(db)
    from tests.services.builders import household

    home = household(db)
    badges = receive(db, "WH-A-S1", meters=3)
    service_points.install_device(db, CSR, home.electric_sp, badges[1], dt.date(2024, 3, 1),
                                  at=dt.datetime(2024, 3, 1, 10, 0))
    with pytest.raises(NotAtSource) as refused:
        transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "TRUCK-7", tuple(badges), MOVED))
    assert refused.value.message.startswith(
        "Nothing was moved: 1 asset(s) are no longer at WH-A-S1 — M00002 was moved to a "
        "service point by csr1 at ")
    assert _rows(db, AssetLocationSource.TRANSFER) == 0


# ----------------------------------------------------------------------------- INV-T10


def _race(db: Database, sets: dict[str, tuple[str, ...]], at: dt.datetime
          ) -> dict[str, TransferResult | Exception]:
    """Each target's transfer out of WH-A-S1 from its own workstation (its own connection),
    all started at the same moment; what each one got."""
    barrier = threading.Barrier(len(sets))
    outcomes: dict[str, TransferResult | Exception] = {}

    def run(target: str) -> None:
        own = open_database(db.url, migrate=False)
        try:
            barrier.wait(30)
            outcomes[target] = transfer(own, WAREHOUSE, TransferRequest(
                "WH-A-S1", target, sets[target], at))
        except Exception as exc:  # noqa: BLE001 — the test looks at what each one got
            outcomes[target] = exc
        finally:
            own.dispose()

    threads = [threading.Thread(target=run, args=(t,)) for t in sets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.parametrize("rounds", [3])
def test_inv_t10_two_workstations_transfer_overlapping_sets_one_wins(db: Database,
                                                                     rounds: int) -> None:
    """Two warehouse users at two workstations (two connections) move overlapping sets out of
    the same shelf at the same moment: exactly one transfer commits; the other is told who
    moved which asset where, and moves nothing. Repeated so the race is really run."""
    stock_setup(db)
    for n in range(rounds):
        badges = receive(db, "WH-A-S1", meters=60, items=20, prefix=f"R{n}M",
                         item_prefix=f"R{n}S")
        sets = {"TRUCK-7": tuple(badges[:50]), "WH-RET": tuple(badges[30:])}
        overlap = set(sets["TRUCK-7"]) & set(sets["WH-RET"])
        outcomes = _race(db, sets, MOVED + dt.timedelta(minutes=n))
        won = [t for t, o in outcomes.items() if isinstance(o, TransferResult)]
        lost = [t for t, o in outcomes.items() if isinstance(o, NotAtSource)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        winner, loser = won[0], lost[0]
        message = str(outcomes[loser])
        assert message.startswith(f"Nothing was moved: {len(overlap)} asset(s) are no longer "
                                  "at WH-A-S1 — ")
        first = min(overlap)
        assert f"{first} was moved to {winner} by wh1 at " in message
        assert message.endswith(f"(and {len(overlap) - 5} more). Reload the location and try "
                                "again.")
        with db.engine.connect() as conn:
            per_asset = conn.execute(
                select(AssetLocation.asset_kind, AssetLocation.asset_id, func.count())
                .join(AssetPosition, (AssetPosition.asset_kind == AssetLocation.asset_kind)
                      & (AssetPosition.asset_id == AssetLocation.asset_id))
                .where(AssetLocation.source == AssetLocationSource.TRANSFER,
                       AssetPosition.badge_number.startswith(f"R{n}"))
                .group_by(AssetLocation.asset_kind, AssetLocation.asset_id)).all()
        assert len(per_asset) == len(sets[winner])
        assert {c for _k, _i, c in per_asset} == {1}
        at_winner = inventory(db, InventoryQuery(winner, badge_prefix=f"R{n}", page_size=500))
        assert sorted(r.badge_number for r in at_winner.rows) == sorted(sets[winner])
        at_loser = inventory(db, InventoryQuery(loser, badge_prefix=f"R{n}", page_size=500))
        assert at_loser.total == 0
        left = inventory(db, InventoryQuery("WH-A-S1", badge_prefix=f"R{n}", page_size=500))
        assert left.total == len(badges) - len(sets[winner])


# ----------------------------------------------------------------------------- dialog checks


def test_check_badges_says_why_each_badge_cannot_be_moved(db: Database) -> None:
    stock_setup(db)
    from tests.services.builders import household

    home = household(db)
    here = receive(db, "WH-A-S1", meters=2, items=1)
    (away,) = receive(db, "WH-RET", meters=1, prefix="X")
    service_points.install_device(db, CSR, home.electric_sp, here[1], dt.date(2024, 3, 1),
                                  at=dt.datetime(2024, 3, 1, 10, 0))
    stock_locations.save_asset_type(db, WAREHOUSE, AssetKind.METER, "G1", "Gas meter", False,
                                    ServiceType.GAS)
    service_points.register_meter(db, WAREHOUSE, service_points.MeterForm(
        "G0001", "G1", ServiceType.GAS, (service_points.RegisterForm("CCF", 5),)))
    service_points.register_item(db, WAREHOUSE, "S09999", "SEAL")
    checks = check_badges(db, "WH-A-S1", [" m00001 ", here[1], here[2], away, "NOPE",
                                          "G0001", "S09999"])
    assert [(c.badge, c.ok, c.message) for c in checks] == [
        ("M00001", True, "Meter E1 at WH-A-S1"),
        ("M00002", False, "This meter is installed at a service point."),
        ("S00001", True, "Item SEAL at WH-A-S1"),
        ("X00001", False, "This meter is at WH-RET, not at WH-A-S1."),
        ("NOPE", False, "No meter or item has this badge number."),
        ("G0001", False, "This meter's type (G1) does not track its stock location."),
        ("S09999", False, "This item has no stock location yet."),
    ]
    assert (checks[0].kind, checks[0].type_code) == (AssetKind.METER, "E1")
    assert (checks[2].kind, checks[2].type_code) == (AssetKind.ITEM, "SEAL")


def test_add_by_filter_and_by_range(db: Database) -> None:
    stock_setup(db)
    receive(db, "WH-A-S1", meters=12, items=3)
    receive(db, "WH-RET", meters=2, first=13)
    meters = transfer_checks.assets_at(db, "WH-A-S1", type_code="E1")
    assert [c.badge for c in meters] == [f"M{n:05d}" for n in range(1, 13)]
    assert all(c.ok for c in meters)
    assert [c.badge for c in transfer_checks.assets_at(db, "WH-A-S1", badge_prefix="m0001")
            ] == ["M00010", "M00011", "M00012"]
    assert [c.badge for c in transfer_checks.assets_at(db, "WH-A-S1", kind=AssetKind.ITEM)
            ] == ["S00001", "S00002", "S00003"]
    assert badge_range("m", "00011", "00014") == ["M00011", "M00012", "M00013", "M00014"]
    checks = transfer_checks.check_range(db, "WH-A-S1", "M", "00011", "00014")
    assert [(c.badge, c.ok) for c in checks] == [("M00011", True), ("M00012", True),
                                                 ("M00013", False), ("M00014", False)]
    assert checks[2].message == "This meter is at WH-RET, not at WH-A-S1."
    for first, last, field in (("x", "3", "range_from"), ("5", "2", "range_to"),
                               ("1", "20000", "range_to")):
        with pytest.raises(DomainError) as refused:
            badge_range("M", first, last)
        assert refused.value.field == field
    assert [(k, t, d) for k, t, d in transfer_checks.types_at(db, "WH-A-S1")] == [
        (AssetKind.METER, "E1", "Electric meter 1-phase"), (AssetKind.ITEM, "SEAL", "Meter seal")]
    holding = [c.code for c in transfer_checks.transfer_locations(db) if c.hold_inventory]
    assert holding == ["TRUCK-7", "WH-A-S1", "WH-A-S2", "WH-RET"]


def test_manifest_view_lists_every_asset_with_its_details(db: Database) -> None:
    stock_setup(db)
    badges = receive(db, "WH-A-S1", meters=3, items=2)
    result = transfer(db, WAREHOUSE, TransferRequest("WH-A-S1", "WH-RET", tuple(badges), MOVED))
    view = transfer_checks.manifest_view(db, result, by_name="Wes Hale")
    assert view.source.address == ("400 Depot Rd", "Springfield 62702")
    assert (view.target.code, view.target.description, view.target.kind) == (
        "WH-RET", "Returns bay", "Warehouse")
    assert [(x.badge_number, x.serial_number, x.manufacturer, x.model, x.type_description)
            for x in view.lines] == [
        ("M00001", "SN-0000001", "Itron", "C2SOD", "Electric meter 1-phase"),
        ("M00002", "SN-0000002", "Itron", "C2SOD", "Electric meter 1-phase"),
        ("M00003", "SN-0000003", "Itron", "C2SOD", "Electric meter 1-phase"),
        ("S00001", None, None, None, "Meter seal"),
        ("S00002", None, None, None, "Meter seal")]
    assert [(c.type_code, c.count) for c in view.counts] == [("E1", 3), ("SEAL", 2)]
    assert (view.by, view.by_name, view.at) == ("wh1", "Wes Hale", MOVED)
