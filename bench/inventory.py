"""Asset inventory with one location holding 100,000 assets (issue 10, "Performance").

    python -m bench.inventory [--database URL] [--assets 100000] [--runs 200]

Builds the database once (reused when it is there already; the default is a SQLite file in the
temporary directory): a demo utility of `--accounts` accounts with its stock (skipped when the
database holds customers; `app.demo.inventory`), then the regional distribution centre WH-DC
holding `--assets` meters and items: 70 % received there by shipments (REPLICATION) over two
years, 30 % received at a Springfield shelf and transferred to it, and a fifth as many more
that were received there and went on to trucks (so its history is longer than what it holds).
The rows are bulk-loaded like the demo (`app.demo.inventory.StockWriter`), then VACUUM ANALYZE
on PostgreSQL, as autovacuum would.

Then times, through the service layer:

* ``first page, now``: `asset_locations.inventory` of WH-DC, page 1 of 200 by badge number;
* ``first page, one type`` / ``badge prefix``: the same filtered;
* ``first page, as of a year ago``: the as-of inventory (history; no target);
* ``counts of every location``: `stock_locations.stock_locations()` (tree with counts by type);
* ``transfer 1,000 assets``: `asset_locations.transfer` of 1,000 of WH-DC's assets to a truck
  and back (each run another thousand; both directions timed);
* ``receive 10,000 from CSV``: `asset_receiving.receive_shipment` of a 10,000-line CSV file
  (`ShipmentFile`) of new meters at a Springfield bay.

Targets (p95): first page under 100 ms, counts under 200 ms, a 1,000-asset transfer under 1 s,
receiving 10,000 under 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import random
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import Database, open_database  # noqa: E402
from app.demo import generate  # noqa: E402
from app.demo.inventory import SHIPMENTS, TRUCKS, Step, StockWriter  # noqa: E402
from app.models.enums import UserRole  # noqa: E402
from app.services import asset_locations, stock_locations  # noqa: E402
from app.services.asset_locations import InventoryQuery, TransferRequest  # noqa: E402
from app.services.context import Actor, now  # noqa: E402
from bench.timing import database_size, report, timed  # noqa: E402

TARGETS_MS = {"page": 100.0, "counts": 200.0, "transfer": 1_000.0, "receive": 5_000.0}
AS_OF = dt.date(2025, 6, 1)
LOCATION = "WH-DC"
TRUCK = "TRUCK-05"
#: Where the CSV shipments go (not WH-DC, so a rerun finds it holding the same).
RECEIVING_BAY = "WH-SPR-A2"
WAREHOUSE = Actor("bench", "Bench warehouse clerk", frozenset({UserRole.WAREHOUSE}))


def _count(db: Database, sql: str) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def build(db: Database, assets: int, accounts: int, seed: int) -> None:
    """The demo (when the database has no customers) and the distribution centre's stock."""
    if not _count(db, "SELECT count(*) FROM customer"):
        started = time.perf_counter()
        summary = generate(db, accounts, seed=seed, as_of=AS_OF)
        print(f"demo: {summary.accounts:,} accounts, {summary.meters:,} meters in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    stock_locations.save_stock_location(db, Actor("bench", "Bench supervisor",
                                                                frozenset({UserRole.SUPERVISOR})),
                                        stock_locations.StockLocationForm(
        LOCATION, "Regional distribution centre, Springfield", _kind("WAREHOUSE"),
        address_line1="3300 Stevenson Dr", city="Springfield", postal_code="62703"))
    rng = random.Random(seed)
    end = dt.datetime.combine(AS_OF, dt.time())
    writer = StockWriter(db, end)
    weights = [w for _k, _t, w, _s in SHIPMENTS]
    passing = assets // 5
    made = 0
    while made < assets + passing:
        kind, type_code, _w, shelves = rng.choices(SHIPMENTS, weights)[0]
        size = min(assets + passing - made, rng.randint(100, 1_000))
        received = dt.datetime.combine(AS_OF - dt.timedelta(days=rng.randint(30, 730)),
                                       dt.time(rng.randint(7, 11)))
        moved = received + dt.timedelta(days=rng.randint(1, 25), hours=rng.randint(0, 6))
        for n in range(size):
            asset_id, badge = (writer.meter(type_code) if kind == "METER"
                               else writer.item(type_code))
            if made + n >= assets:        # received here, then loaded onto a truck
                steps = [Step(received, "REPLICATION", location=LOCATION),
                         Step(moved, "TRANSFER", location=rng.choice(TRUCKS))]
            elif rng.random() < 0.3:      # received at a shelf, then moved here
                steps = [Step(received, "REPLICATION", location=rng.choice(shelves)),
                         Step(moved, "TRANSFER", location=LOCATION)]
            else:
                steps = [Step(received, "REPLICATION", location=LOCATION)]
            writer.moves(kind, asset_id, type_code, badge, steps)
        made += size
        if made // 50_000 != (made - size) // 50_000:
            print(f"  {made:,} assets", flush=True)
    writer.finish()
    if not db.is_sqlite:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("asset_position", "asset_location", "meter", "item", "register"):
                conn.execute(text(f"VACUUM ANALYZE {table}"))
    print(f"built: {assets:,} assets at {LOCATION} (+{passing:,} passed through), "
          f"{writer.history:,} history rows in {time.perf_counter() - started:.1f} s",
          flush=True)


def _kind(name: str) -> Any:
    from app.models.enums import StockLocationKind

    return StockLocationKind(name)


def _times(fn: Callable[[int], object], runs: int, warm: int = 3) -> list[float]:
    for n in range(warm):
        fn(n)
    return [timed(partial(fn, warm + n)) for n in range(runs)]


def _badges(db: Database) -> list[str]:
    with db.engine.connect() as conn:
        return [str(b) for b in conn.execute(text(
            "SELECT badge_number FROM asset_position WHERE stock_location_code = :l "
            "ORDER BY badge_number"), {"l": LOCATION}).scalars()]


def measure(db: Database, runs: int, transfers: int, receipts: int) -> None:
    def page(query: InventoryQuery) -> Callable[[int], object]:
        def run(_n: int) -> object:
            found = asset_locations.inventory(db, query)
            assert found.rows and found.total, query
            return found
        return run

    badges = _badges(db)
    print(f"{LOCATION} holds {len(badges):,} assets now", flush=True)
    prefix = badges[len(badges) // 2][:6]
    report("first page, now", _times(page(InventoryQuery(LOCATION)), runs), TARGETS_MS["page"])
    report("first page, now, one type", _times(page(InventoryQuery(
        LOCATION, type_code="E-SMART-1PH")), runs), TARGETS_MS["page"])
    report(f"first page, now, badge {prefix}…", _times(page(InventoryQuery(
        LOCATION, badge_prefix=prefix)), runs), TARGETS_MS["page"])
    report("first page, now, newest first", _times(page(InventoryQuery(
        LOCATION, sort="-located_at")), runs), TARGETS_MS["page"])
    report("first page, as of a year ago", _times(page(InventoryQuery(
        LOCATION, as_of=dt.datetime.combine(AS_OF - dt.timedelta(days=365), dt.time()))),
        max(5, runs // 20)))
    report("counts of every location", _times(
        lambda _n: stock_locations.stock_locations(db), runs), TARGETS_MS["counts"])

    step = max(1, len(badges) // 1_000 // max(1, transfers + 2))

    def transfer(n: int) -> list[float]:
        chunk = tuple(badges[(n * step) * 1_000:(n * step + 1) * 1_000])
        there = timed(lambda: asset_locations.transfer(db, WAREHOUSE, TransferRequest(
            LOCATION, TRUCK, chunk, now())))
        back = timed(lambda: asset_locations.transfer(db, WAREHOUSE, TransferRequest(
            TRUCK, LOCATION, chunk, now())))
        return [there, back]

    transfer(0)
    report("transfer 1,000 assets (both ways)",
           [t for n in range(1, transfers + 1) for t in transfer(n)], TARGETS_MS["transfer"])
    _receive(db, receipts)


def _receive(db: Database, receipts: int) -> None:
    try:
        receiving: Any = importlib.import_module("app.services.asset_receiving")
    except ImportError:
        print("receive 10,000 from CSV: app.services.asset_receiving is not there yet",
              flush=True)
        return
    first = _count(db, "SELECT count(*) FROM meter WHERE badge_number LIKE 'RCV%'")
    times: list[float] = []
    for run in range(receipts):
        base = first + run * 10_000
        csv = "badge_number,type,serial_number,manufacturer,model\n" + "".join(
            f"RCV{base + n:08d},E-SMART-1PH,SN{base + n:09d},Itron,OpenWay Riva\n"
            for n in range(10_000))
        request = receiving.ShipmentRequest(RECEIVING_BAY, now(),
                                            receiving.ShipmentFile(csv, f"bench-{run}.csv"))
        times.append(timed(lambda request=request: receiving.receive_shipment(  # type: ignore[misc]
            db, WAREHOUSE, request)))
    report("receive 10,000 from CSV", times, TARGETS_MS["receive"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", metavar="URL",
                        default=f"sqlite:///{Path(tempfile.gettempdir()) / 'sb_bench_inv.sqlite'}")
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=2_000,
                        help="demo accounts to make first when the database is empty")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--transfers", type=int, default=10,
                        help="1,000-asset transfers, each there and back")
    parser.add_argument("--receipts", type=int, default=3, help="10,000-meter CSV receipts")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    db = open_database(args.database)
    try:
        if not _count(db, f"SELECT count(*) FROM stock_location WHERE code = '{LOCATION}'"):
            started = time.perf_counter()
            build(db, args.assets, args.accounts, args.seed)
            print(f"build: {time.perf_counter() - started:.1f} s in all", flush=True)
        held = _count(db, "SELECT count(*) FROM asset_position WHERE stock_location_code = "
                          f"'{LOCATION}'")
        history = _count(db, "SELECT count(*) FROM asset_location")
        print(f"{db.description}: {held:,} assets at {LOCATION}, "
              f"{_count(db, 'SELECT count(*) FROM asset_position'):,} tracked assets, "
              f"{history:,} history rows, {database_size(db)}", flush=True)
        measure(db, args.runs, args.transfers, args.receipts)
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
