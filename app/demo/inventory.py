"""The demo utility's stock (spec/50 §4): where every meter and item is and was.

* stock locations with addresses: two warehouses that group shelves and bays (they hold no
  stock themselves), a returns warehouse, a fleet of service trucks, a vendor, a repair shop and
  a scrap yard;
* a meter type and item type row for every type the demo's meters and items name, tracking on;
* the removal location of every postal code prefix of the demo's cities (north to the Peoria
  returns shelf, the rest to the returns warehouse);
* the location history of every installed (and retired) demo device: received (INITIAL) at a
  warehouse shelf some weeks before its install, INSTALL at its service point on the day of
  `device_installation.installed_on`, REMOVAL to its postal code's removal location on the day
  it came off (and, for most retired meters, a TRANSFER to the scrap yard some weeks later);
* meters and items in stock, `STOCK_PER_ACCOUNT` per demo account: received by shipments
  (REPLICATION, 1 to 730 days before `as_of`) at the warehouse shelves for their kind, some
  loaded onto trucks later, a few of those moved again (back to a shelf, to the repair shop or
  back to the vendor).

Rows are bulk-written like the rest of the demo (`app.demo.sink`): the history bypasses
`asset_locations.move_in`, so it writes exactly the rows that function would have written, with
each asset's `asset_position` as its last row. `StockWriter` is what the inventory benchmark
uses to build its own big location.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from app.db import Database
from app.demo import names as N
from app.demo.sink import PostgresSink, SqliteSink

__all__ = ["STOCK_PER_ACCOUNT", "DemoInventory", "Step", "StockWriter", "add_demo_inventory",
           "add_stock"]

#: In-stock meters and items per demo account (100,000 accounts: 300,000 in stock).
STOCK_PER_ACCOUNT = 3
#: Days of shipment history before `as_of`.
STOCK_DAYS = 730
BY = "demo"
VERSIONED = ("version", "updated_at", "updated_by")

#: (code, description, kind, holds stock, parent, address line 1, city, postal code, comments)
LOCATIONS: tuple[tuple[str, str, str, bool, str | None, str | None, str | None, str | None,
                       str | None], ...] = (
    ("WH-SPRING", "Springfield main warehouse", "WAREHOUSE", False, None, "2100 E Ash St",
     "Springfield", "62703", "Groups the Springfield aisles; receiving dock on the east side."),
    ("WH-SPR-A1", "Springfield aisle A bay 1 (electric meters)", "WAREHOUSE", True, "WH-SPRING",
     "2100 E Ash St", "Springfield", "62703", None),
    ("WH-SPR-A2", "Springfield aisle A bay 2 (electric meters)", "WAREHOUSE", True, "WH-SPRING",
     "2100 E Ash St", "Springfield", "62703", None),
    ("WH-SPR-B1", "Springfield aisle B bay 1 (gas and water meters)", "WAREHOUSE", True,
     "WH-SPRING", "2100 E Ash St", "Springfield", "62703", None),
    ("WH-SPR-C1", "Springfield aisle C (street lights)", "WAREHOUSE", True, "WH-SPRING",
     "2100 E Ash St", "Springfield", "62703", None),
    ("WH-PEORIA", "Peoria warehouse", "WAREHOUSE", False, None, "800 SW Adams St", "Peoria",
     "61602", "Serves the north crews."),
    ("WH-PEO-S1", "Peoria shelf 1 (meters)", "WAREHOUSE", True, "WH-PEORIA", "800 SW Adams St",
     "Peoria", "61602", None),
    ("WH-PEO-S2", "Peoria shelf 2 (returns from the north)", "WAREHOUSE", True, "WH-PEORIA",
     "800 SW Adams St", "Peoria", "61602", "Removed meters and items from the north prefixes."),
    ("WH-RET", "Returns warehouse, Decatur", "WAREHOUSE", True, None, "455 N Water St",
     "Decatur", "62523", "Removed meters and items are tested here before reuse or scrap."),
    ("TRUCKS", "Service truck fleet", "TRUCK", False, None, "2100 E Ash St", "Springfield",
     "62703", "Groups the trucks; each truck's yard is its address."),
    ("TRUCK-01", "Truck 01, meter crew north", "TRUCK", True, "TRUCKS", "800 SW Adams St",
     "Peoria", "61602", None),
    ("TRUCK-02", "Truck 02, meter crew north", "TRUCK", True, "TRUCKS", "800 SW Adams St",
     "Peoria", "61602", None),
    ("TRUCK-03", "Truck 03, meter crew south", "TRUCK", True, "TRUCKS", "2100 E Ash St",
     "Springfield", "62703", None),
    ("TRUCK-04", "Truck 04, meter crew south", "TRUCK", True, "TRUCKS", "2100 E Ash St",
     "Springfield", "62703", None),
    ("TRUCK-05", "Truck 05, new service", "TRUCK", True, "TRUCKS", "2100 E Ash St",
     "Springfield", "62703", None),
    ("TRUCK-06", "Truck 06, gas service", "TRUCK", True, "TRUCKS", "455 N Water St", "Decatur",
     "62523", None),
    ("VEND-ITRON", "Itron returns depot (vendor)", "VENDOR", True, None, "2111 N Molter Rd",
     "Liberty Lake", "99019", "Warranty returns; RMA number in the transfer reason."),
    ("REPAIR-MTR", "Prairie Meter Repair", "REPAIR_SHOP", True, None, "1401 W Bradley Ave",
     "Champaign", "61821", None),
    ("SCRAP-YARD", "Bloomington scrap and recycling", "SCRAP", True, None, "3 Rail Yard Rd",
     "Bloomington", "61701", None),
)
LOCATION_COLUMNS = ("code", "description", "kind", "hold_inventory", "parent_code",
                    "address_line1", "city", "postal_code", "comments", *VERSIONED)

#: The removal location of the northern prefixes (the rest go to WH-RET).
NORTH_PREFIXES = ("609", "613", "614", "615", "616", "617")
TRUCKS = ("TRUCK-01", "TRUCK-02", "TRUCK-03", "TRUCK-04", "TRUCK-05", "TRUCK-06")

#: Meter type: (description, service type, registers as (uom, tou, digits)).
METER_TYPES: dict[str, tuple[str, str, tuple[tuple[str, str | None, int], ...]]] = {
    "E-SMART-1PH": ("Electric smart meter, single phase", "ELECTRIC", (("KWH", None, 6),)),
    "E-TOU-1PH": ("Electric time-of-use meter, single phase", "ELECTRIC",
                  (("KWH", "ON", 6), ("KWH", "OFF", 6))),
    "E-DEM-3PH": ("Electric demand meter, polyphase", "ELECTRIC",
                  (("KWH", None, 6), ("KW", None, 5))),
    "E-ELECTROMECH": ("Electromechanical electric meter (legacy)", "ELECTRIC",
                      (("KWH", None, 5),)),
    "G-DIAPHRAGM": ("Gas diaphragm meter", "GAS", (("THERM", None, 5),)),
    "G-ROTARY": ("Gas rotary meter (commercial)", "GAS", (("CCF", None, 5),)),
    "W-POSITIVE-DISP": ("Water meter, positive displacement", "WATER", (("GAL", None, 7),)),
    "W-ULTRASONIC": ("Water meter, ultrasonic", "WATER", (("GAL", None, 7),)),
    "W-MAGNETIC": ("Water meter, electromagnetic", "WATER", (("GAL", None, 7),)),
}
ITEM_TYPES = {"STREET_LIGHT_LED": "Street light, LED", "STREET_LIGHT_HPS":
              "Street light, high-pressure sodium"}
#: (manufacturer, model, type, serial prefix) of every meter type.
METER_MODELS: dict[str, list[tuple[str, str, str, str]]] = {}
for _models in (N.ELECTRIC_METERS, N.ELECTRIC_TOU_METERS, N.ELECTRIC_DEMAND_METERS,
                N.ELECTRIC_LEGACY_METERS, N.GAS_METERS, N.GAS_COMMERCIAL_METERS,
                N.WATER_METERS):
    for _model in _models:
        METER_MODELS.setdefault(_model[2], []).append(_model)

#: What shipments bring: (kind, type, weight, shelves received at).
ELECTRIC_SHELVES = ("WH-SPR-A1", "WH-SPR-A2", "WH-PEO-S1")
OTHER_SHELVES = ("WH-SPR-B1", "WH-PEO-S1")
SHIPMENTS: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("METER", "E-SMART-1PH", 40, ELECTRIC_SHELVES),
    ("METER", "E-TOU-1PH", 8, ELECTRIC_SHELVES),
    ("METER", "E-DEM-3PH", 5, ELECTRIC_SHELVES),
    ("METER", "G-DIAPHRAGM", 15, OTHER_SHELVES),
    ("METER", "G-ROTARY", 3, OTHER_SHELVES),
    ("METER", "W-POSITIVE-DISP", 6, OTHER_SHELVES),
    ("METER", "W-ULTRASONIC", 6, OTHER_SHELVES),
    ("METER", "W-MAGNETIC", 4, OTHER_SHELVES),
    ("ITEM", "STREET_LIGHT_LED", 12, ("WH-SPR-C1",)),
    ("ITEM", "STREET_LIGHT_HPS", 1, ("WH-SPR-C1",)),
)

METER_COLUMNS = ("id", "badge_number", "meter_type", "service_type", "serial_number",
                 "manufacturer", "model", "status", *VERSIONED)
REGISTER_COLUMNS = ("id", "meter_id", "sequence", "uom", "tou", "digits", *VERSIONED)
ITEM_COLUMNS = ("id", "badge_number", "item_type", "status", *VERSIONED)
HISTORY_COLUMNS = ("id", "asset_kind", "asset_id", "located_at", "stock_location_code",
                   "service_point_id", "source", "reason", "created_by", "created_at")
POSITION_COLUMNS = ("asset_kind", "asset_id", "type_code", "badge_number",
                    "stock_location_code", "service_point_id", "located_at", *VERSIONED)
WRITE_ORDER = (("meter", METER_COLUMNS), ("register", REGISTER_COLUMNS), ("item", ITEM_COLUMNS),
               ("asset_location", HISTORY_COLUMNS), ("asset_position", POSITION_COLUMNS))


@dataclass(frozen=True)
class Step:
    """One row of an asset's history: at a stock location or installed at a service point."""

    at: dt.datetime
    source: str
    location: str | None = None
    service_point_id: int | None = None
    reason: str | None = None


@dataclass(frozen=True)
class DemoInventory:
    locations: int
    #: Installed (or once installed) devices given their history.
    installed: int
    #: Meters and items added in stock.
    in_stock: int
    history_rows: int


class StockWriter:
    """Adds meters, items and their location history in bulk: ids after the highest there,
    rows written in chunks (executemany on SQLite, COPY on PostgreSQL), one transaction each."""

    CHUNK = 50_000

    def __init__(self, db: Database, stamp: dt.datetime) -> None:
        self.db = db
        self.stamp = self.moment(stamp)
        with db.engine.connect() as conn:
            self.ids = {table: int(conn.execute(text(
                f'SELECT coalesce(max(id), 0) FROM "{table}"')).scalar_one())
                for table in ("meter", "register", "item", "asset_location")}
        self.sink: SqliteSink | PostgresSink = (SqliteSink(db) if db.is_sqlite
                                                else PostgresSink(db))
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t, _ in WRITE_ORDER}
        self.assets = 0
        self.history = 0

    def moment(self, at: dt.datetime) -> Any:
        """SQLite keeps SQLAlchemy's text form of a timestamp; COPY takes the value."""
        return f"{at:%Y-%m-%d %H:%M:%S}.000000" if self.db.is_sqlite else at

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def meter(self, type_code: str, status: str = "IN_STOCK") -> tuple[int, str]:
        """A new meter of a demo type (with its registers); returns (id, badge number)."""
        mid = self._next("meter")
        _description, svc, registers = METER_TYPES[type_code]
        models = METER_MODELS[type_code]
        maker, model, _type, prefix = models[mid % len(models)]
        badge = f"{svc[0]}{mid:09d}"
        self.rows["meter"].append((mid, badge, type_code, svc,
                                   f"{prefix}{(mid * 2_654_435 + 7) % 10**9:09d}", maker, model,
                                   status, 1, self.stamp, BY))
        for sequence, (uom, tou, digits) in enumerate(registers, 1):
            self.rows["register"].append((self._next("register"), mid, sequence, uom, tou,
                                          digits, 1, self.stamp, BY))
        return mid, badge

    def item(self, type_code: str, status: str = "IN_STOCK") -> tuple[int, str]:
        iid = self._next("item")
        badge = f"SL{iid:08d}"
        self.rows["item"].append((iid, badge, type_code, status, 1, self.stamp, BY))
        return iid, badge

    def moves(self, kind: str, asset_id: int, type_code: str, badge: str,
              steps: Sequence[Step]) -> None:
        """The asset's history (oldest first, strictly later each step) and its position."""
        history = self.rows["asset_location"]
        for step in steps:
            at = self.moment(step.at)
            history.append((self._next("asset_location"), kind, asset_id, at, step.location,
                            step.service_point_id, step.source, step.reason, BY, at))
        last = steps[-1]
        self.rows["asset_position"].append((kind, asset_id, type_code, badge, last.location,
                                            last.service_point_id, self.moment(last.at), 1,
                                            self.stamp, BY))
        self.assets += 1
        self.history += len(steps)
        if self.assets % self.CHUNK == 0:
            self.flush()

    def flush(self) -> None:
        for table, columns in WRITE_ORDER:
            self.sink.write(table, columns, self.rows[table])
            self.rows[table] = []
        self.sink.commit()

    def finish(self) -> None:
        """Write what is left, move the id sequences on and refresh the planner's statistics of
        the tables written."""
        self.flush()
        sink = self.sink
        try:
            sink.tx.commit()
            conn = sink.conn
            if not self.db.is_sqlite:
                for table, top in self.ids.items():
                    if top:
                        conn.exec_driver_sql(
                            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f"{int(top)})")
                conn.exec_driver_sql("SET session_replication_role = DEFAULT")
            for table, _columns in WRITE_ORDER:
                conn.exec_driver_sql(f'ANALYZE "{table}"')
            conn.commit()
        finally:
            sink.close()


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _at(day: dt.date, rng: random.Random, first_hour: int = 7, last_hour: int = 16
        ) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(first_hour, last_hour),
                                            rng.choice((0, 15, 30, 45))))


def _set_up(db: Database, stamp: str) -> int:
    """Locations, types (tracking on) and removal locations; returns the locations added."""
    with db.engine.begin() as conn:
        have = set(conn.execute(text("SELECT code FROM stock_location")).scalars())
        rows = [(*row, 1, stamp, BY) for row in LOCATIONS if row[0] not in have]
        for row in rows:
            conn.execute(text(
                "INSERT INTO stock_location (code, description, kind, hold_inventory, "
                "parent_code, address_line1, city, postal_code, comments, version, updated_at, "
                "updated_by) VALUES (:c, :d, :k, :h, :p, :a, :ci, :pc, :co, :v, :u, :b)"),
                dict(zip(("c", "d", "k", "h", "p", "a", "ci", "pc", "co", "v", "u", "b"), row,
                         strict=True)))
        meter_types = {str(code): str(svc) for code, svc in conn.execute(text(
            "SELECT meter_type, min(service_type) FROM meter GROUP BY meter_type"))}
        item_types = set(conn.execute(text("SELECT DISTINCT item_type FROM item")).scalars())
        known_meters = set(conn.execute(text("SELECT code FROM meter_type")).scalars())
        known_items = set(conn.execute(text("SELECT code FROM item_type")).scalars())
        for code in sorted(set(METER_TYPES) | set(meter_types)):
            description, svc, _registers = (METER_TYPES[code] if code in METER_TYPES
                                            else (code, meter_types[code], ()))
            if code in known_meters:
                conn.execute(text("UPDATE meter_type SET track_stock_location = :t "
                                  "WHERE code = :c"), {"t": True, "c": code})
            else:
                conn.execute(text(
                    "INSERT INTO meter_type (code, description, service_type, "
                    "track_stock_location, version, updated_at, updated_by) "
                    "VALUES (:c, :d, :s, :t, 1, :u, :b)"),
                    {"c": code, "d": description, "s": svc, "t": True, "u": stamp, "b": BY})
        for code in sorted(set(ITEM_TYPES) | item_types):
            if code in known_items:
                conn.execute(text("UPDATE item_type SET track_stock_location = :t "
                                  "WHERE code = :c"), {"t": True, "c": code})
            else:
                conn.execute(text(
                    "INSERT INTO item_type (code, description, track_stock_location, version, "
                    "updated_at, updated_by) VALUES (:c, :d, :t, 1, :u, :b)"),
                    {"c": code, "d": ITEM_TYPES.get(code, code), "t": True, "u": stamp,
                     "b": BY})
        prefixes = sorted({f"{postal // 100:03d}" for _c, _r, postal, _a in N.CITIES})
        known_prefixes = set(conn.execute(text(
            "SELECT postal_prefix FROM postal_code_default")).scalars())
        for prefix in prefixes:
            if prefix not in known_prefixes:
                conn.execute(text(
                    "INSERT INTO postal_code_default (postal_prefix, "
                    "removal_stock_location_code, version, updated_at, updated_by) "
                    "VALUES (:p, :l, 1, :u, :b)"),
                    {"p": prefix, "l": "WH-PEO-S2" if prefix in NORTH_PREFIXES else "WH-RET",
                     "u": stamp, "b": BY})
        return len(rows)


def _removal_location(postal_code: str | None) -> str:
    prefix = (postal_code or "")[:3]
    return "WH-PEO-S2" if prefix in NORTH_PREFIXES else "WH-RET"


def _installed_history(db: Database, writer: StockWriter, rng: random.Random,
                       as_of: dt.datetime) -> int:
    """INITIAL, INSTALL (and REMOVAL, and the retired meters' way to the scrap yard) rows of
    every device the demo installed; returns the devices."""
    done = 0
    last_id = 0
    while True:
        with db.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT d.id, d.meter_id, d.item_id, d.service_point_id, d.installed_on, "
                "d.removed_on, coalesce(m.meter_type, i.item_type), "
                "coalesce(m.badge_number, i.badge_number), coalesce(m.status, i.status), "
                "m.service_type, p.postal_code FROM device_installation d "
                "LEFT JOIN meter m ON m.id = d.meter_id LEFT JOIN item i ON i.id = d.item_id "
                "JOIN service_point sp ON sp.id = d.service_point_id "
                "JOIN premise p ON p.id = sp.premise_id "
                "WHERE d.id > :last ORDER BY d.id LIMIT 100000"), {"last": last_id}).all()
        if not rows:
            return done
        last_id = rows[-1][0]
        for (_id, meter_id, item_id, spid, installed_on, removed_on, type_code, badge, status,
             svc, postal) in rows:
            kind = "METER" if meter_id is not None else "ITEM"
            installed = _as_date(installed_on)
            shelf = ("WH-SPR-C1" if kind == "ITEM" else
                     rng.choice(ELECTRIC_SHELVES if svc == "ELECTRIC" else OTHER_SHELVES))
            received = _at(installed - dt.timedelta(days=rng.randint(5, 90)), rng, 7, 11)
            install_at = _at(installed, rng, 8, 15)
            steps = [Step(received, "INITIAL", location=shelf),
                     Step(install_at, "INSTALL", service_point_id=spid)]
            if removed_on is not None:
                removed = max(_at(_as_date(removed_on), rng, 8, 16),
                              install_at + dt.timedelta(minutes=30))
                steps.append(Step(removed, "REMOVAL", location=_removal_location(postal)))
                scrapped = _at(removed.date() + dt.timedelta(days=rng.randint(14, 60)), rng)
                if status == "RETIRED" and scrapped < as_of and rng.random() < 0.7:
                    steps.append(Step(scrapped, "TRANSFER", location="SCRAP-YARD"))
            steps = [s for s in steps if s.at < as_of] or steps[:1]
            writer.moves(kind, meter_id if meter_id is not None else item_id, str(type_code),
                         str(badge), steps)
            done += 1


def add_stock(writer: StockWriter, count: int, as_of: dt.datetime, rng: random.Random,
              days: int = STOCK_DAYS) -> int:
    """`count` meters and items received by shipments over the `days` before `as_of`, some
    moved on to trucks and beyond; returns how many were added."""
    weights = [w for _k, _t, w, _s in SHIPMENTS]
    high = max(10, min(400, count // 10))
    made = 0
    while made < count:
        kind, type_code, _w, shelves = rng.choices(SHIPMENTS, weights)[0]
        size = min(count - made, rng.randint(high // 4, high))
        received = _at(as_of.date() - dt.timedelta(days=rng.randint(1, days)), rng, 7, 11)
        shelf = rng.choice(shelves)
        # Loads onto trucks after the shipment came in, and later moves of some of those.
        loads = [(_at(received.date() + dt.timedelta(days=rng.randint(1, 90)), rng),
                  rng.choice(TRUCKS)) for _ in range(rng.randint(0, 3))]
        for _ in range(size):
            asset_id, badge = (writer.meter(type_code) if kind == "METER"
                               else writer.item(type_code))
            steps = [Step(received, "REPLICATION", location=shelf)]
            if loads and rng.random() < 0.35:
                at, truck = rng.choice(loads)
                if at < as_of:
                    steps.append(Step(at, "TRANSFER", location=truck))
                    again = _at(at.date() + dt.timedelta(days=rng.randint(1, 60)), rng)
                    r = rng.random()
                    if again < as_of and r < 0.3:
                        where, reason = (
                            ("REPAIR-MTR", "Failed the shop test") if r < 0.03 else
                            ("VEND-ITRON", "Warranty return") if r < 0.05 else
                            (rng.choice([t for t in TRUCKS if t != truck]), None) if r < 0.12
                            else (rng.choice(shelves), None))
                        steps.append(Step(again, "MANUAL" if reason else "TRANSFER",
                                          location=where, reason=reason))
            writer.moves(kind, asset_id, type_code, badge, steps)
        made += size
    return made


def add_demo_inventory(db: Database, as_of: dt.date, *, seed: int = 1,
                       stock: int | None = None) -> DemoInventory:
    """The demo's stock locations, tracked types, removal locations and location history;
    `stock` in-stock assets (default `STOCK_PER_ACCOUNT` per account)."""
    moment = dt.datetime.combine(as_of, dt.time())
    stamp = f"{as_of.isoformat()} 00:00:00" + (".000000" if db.is_sqlite else "+00")
    locations = _set_up(db, stamp)
    if stock is None:
        with db.engine.connect() as conn:
            stock = STOCK_PER_ACCOUNT * int(conn.execute(text(
                "SELECT count(*) FROM account")).scalar_one())
    rng = random.Random(seed * 7_919 + 10)
    writer = StockWriter(db, moment)
    try:
        installed = _installed_history(db, writer, rng, moment)
        in_stock = add_stock(writer, stock, moment, rng)
    except BaseException:
        writer.sink.close()
        raise
    writer.finish()
    return DemoInventory(locations, installed, in_stock, writer.history)
