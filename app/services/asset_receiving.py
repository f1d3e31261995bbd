"""Receiving a shipment (issue 10 item 2, spec/50 INV-R2/INV-R7): new meters or items put into
a stock location all at once, from a badge-number range, a list of scanned badges, or a CSV file.

    request = ShipmentRequest("WH-A", at, BadgeRange("AB000100", "AB000199"),
                              AssetKind.METER, "E1")
    result = receive_shipment(db, actor, request)      # 100 meters, 100 REPLICATION rows

Every line is checked before anything is written and every bad line is reported at once
(`ShipmentRejected.problems`): a badge twice in the shipment or already on a meter or item, an
unknown type, a meter type without a service type, a bad range, a missing badge, a value too
long. Nothing is saved unless every line is good. A new tracked asset gets its first location
row: REPLICATION for a range (the replicator's rows, INV-R2), INITIAL for scanned and CSV lines
(INV-R3); an asset whose type does not track its location gets none (INV-R1). A meter gets the
registers of the newest meter of its type (the type's template, INV-R7), else one default
register for its service type (`DEFAULT_REGISTERS`).

CSV format: a header line, then one asset per line; comma- or semicolon-separated, UTF-8 with or
without a BOM; spaces around values and blank lines ignored; column names case-insensitive, in
any order. Only `badge_number` is required; `type` may be left out (or empty) when the shipment
names a type; `kind` (METER or ITEM) is needed only for a code that is both. Serial number,
manufacturer and model are kept for meters (items have no such fields). Problems give the
file's line number (the header is line 1).

    badge_number,type,serial_number,manufacturer,model,kind
    AB000100,E1,SN-77812,Itron,C1SR,METER
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import String, any_, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    AssetLocation,
    AssetPosition,
    Item,
    ItemType,
    Meter,
    MeterType,
    Register,
)
from app.models.enums import AssetKind, AssetLocationSource, DeviceStatus, ServiceType
from app.services import audit, context
from app.services.asset_locations import STOCK_STAFF, holding_location
from app.services.context import Actor, read_only, transaction
from app.services.errors import ValidationError
from app.services.service_points import RegisterForm

#: The most a shipment may hold (a larger one is split).
MAX_SHIPMENT = 100_000
#: A meter type with no meter yet gets this register (unit, digits) for its service type.
DEFAULT_REGISTERS: dict[ServiceType, RegisterForm] = {
    ServiceType.ELECTRIC: RegisterForm("KWH", 5),
    ServiceType.GAS: RegisterForm("CCF", 5),
    ServiceType.WATER: RegisterForm("GAL", 7),
}
_LIMITS = {"badge_number": 30, "type_code": 30, "serial_number": 40, "manufacturer": 60, "model": 60}
_COLUMNS = {"badge_number": "badge_number", "badge": "badge_number", "badge_nbr": "badge_number",
            "type": "type", "type_code": "type", "meter_type": "type", "item_type": "type",
            "serial_number": "serial_number", "serial": "serial_number",
            "serial_nbr": "serial_number", "manufacturer": "manufacturer", "model": "model",
            "kind": "kind", "asset_kind": "kind"}
_IN_CHUNK = 900


# ----------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class BadgeRange:
    """First and last badge numbers of a run, e.g. "AB000100".."AB000199", or a prefix and
    the numbers ("AB", "000100".."000199"); the zero padding of the first is kept."""

    first: str
    last: str
    prefix: str = ""


@dataclass(frozen=True)
class ScannedBadges:
    """Badge numbers as scanned, one per line."""

    text: str


@dataclass(frozen=True)
class ShipmentFile:
    """A CSV file's text (see the module's docstring); `read_shipment_file` reads one."""

    text: str
    name: str = "the file"


ShipmentSource = BadgeRange | ScannedBadges | ShipmentFile


@dataclass(frozen=True)
class ShipmentRequest:
    location: str
    at: dt.datetime
    source: ShipmentSource
    #: The kind and type of every line that does not name its own.
    kind: AssetKind | None = None
    type_code: str = ""


@dataclass(frozen=True)
class ShipmentLine:
    badge_number: str
    #: Where the line came from: the file's or the list's line number (None for a range).
    line: int | None = None
    type_code: str = ""
    kind: AssetKind | None = None
    serial_number: str = ""
    manufacturer: str = ""
    model: str = ""


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one line (`line` for scanned and CSV lines; a range has none)."""

    line: int | None
    badge_number: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else self.badge_number or "range"
        return f"{where}: {self.message}"


class ShipmentRejected(ValidationError):
    """Nothing was received; `problems` lists every bad line."""

    def __init__(self, problems: Sequence[RowProblem], field: str | None = None) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(str(p) for p in self.problems[:3])
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        count = len(self.problems)
        super().__init__(f"Nothing was received: {count} problem{'s' if count != 1 else ''} — "
                         f"{shown}{more}.", field)


@dataclass(frozen=True)
class ParsedShipment:
    lines: tuple[ShipmentLine, ...]
    problems: tuple[RowProblem, ...]


@dataclass(frozen=True)
class ReceivingResult:
    location: str
    location_description: str
    at: dt.datetime
    source: AssetLocationSource
    meters: int
    items: int
    #: Received without a location row: their type does not track its location (INV-R1).
    untracked: int
    badges: tuple[str, ...]
    by: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def count(self) -> int:
        return self.meters + self.items


# ----------------------------------------------------------------------------- parsing


_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$")


def range_badges(badges: BadgeRange) -> list[str]:
    """The badge numbers of a range, first to last; ShipmentRejected (field first_badge or
    last_badge) when the range is not one."""
    prefix = badges.prefix.strip().upper()
    first = prefix + badges.first.strip().upper()
    last_text = badges.last.strip().upper()
    if not badges.first.strip():
        raise _range_problem("Enter the first badge number of the range.", "first_badge")
    if not last_text:
        raise _range_problem("Enter the last badge number of the range.", "last_badge")
    head = _TRAILING_DIGITS.match(first)
    if head is None:
        raise _range_problem(f"{first} does not end in a number, so it cannot start a range.",
                             "first_badge")
    start_prefix, start_digits = head.groups()
    if last_text.isdigit():
        last = start_prefix + last_text
    elif prefix and not last_text.startswith(prefix):
        last = prefix + last_text
    else:
        last = last_text
    tail = _TRAILING_DIGITS.match(last)
    if tail is None:
        raise _range_problem(f"{last} does not end in a number, so it cannot end a range.",
                             "last_badge")
    end_prefix, end_digits = tail.groups()
    if end_prefix != start_prefix:
        raise _range_problem(f"{first} and {last} do not start the same; a range changes "
                             "only the number at the end.", "last_badge")
    width = len(start_digits)
    if len(end_digits) != width and (start_digits.startswith("0") or end_digits.startswith("0")):
        raise _range_problem(f"{first} and {last} have numbers of different lengths "
                             f"({width} and {len(end_digits)} digits); pad both the same way.",
                             "last_badge")
    low, high = int(start_digits), int(end_digits)
    if high < low:
        raise _range_problem(f"The last badge number {last} comes before the first {first}.",
                             "last_badge")
    count = high - low + 1
    if count > MAX_SHIPMENT:
        raise _range_problem(f"{first}–{last} holds {count:,} badge numbers; receive at most "
                             f"{MAX_SHIPMENT:,} at a time (split the shipment).", "last_badge")
    pad = width if start_digits.startswith("0") or len(end_digits) == width else 0
    if len(start_prefix) + max(pad, len(str(high))) > _LIMITS["badge_number"]:
        raise _range_problem(f"Badge numbers of {first}–{last} would be longer than "
                             f"{_LIMITS['badge_number']} characters.", "last_badge")
    return [f"{start_prefix}{n:0{pad}d}" for n in range(low, high + 1)]


def _range_problem(message: str, field_name: str) -> ShipmentRejected:
    return ShipmentRejected((RowProblem(None, "", message),), field_name)


def parse_scanned(text: str) -> ParsedShipment:
    """One badge number per line; blank lines are skipped, line numbers kept."""
    lines = [ShipmentLine(value.strip().upper(), n)
             for n, value in enumerate(text.splitlines(), start=1) if value.strip()]
    return ParsedShipment(tuple(lines), ())


def read_shipment_file(path: str | Path) -> ShipmentFile:
    """A CSV file's text: UTF-8 (a BOM is dropped), or Windows-1252 when it is not UTF-8."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return ShipmentFile(text, Path(path).name)


def parse_csv(file: ShipmentFile) -> ParsedShipment:
    """The lines of a shipment file and what is wrong with them (see the module docstring)."""
    text = file.text.lstrip("\ufeff")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # Each record with the line it starts on: a quoted value may hold a line break.
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    starts = 1
    for record in reader:
        if any(v.strip() for v in record):
            rows.append((starts, record))
        starts = reader.line_num + 1
    if not rows:
        return ParsedShipment((), (RowProblem(1, "", f"{file.name} is empty; the first line "
                                              "names the columns (badge_number,type,…)."),))
    header_line = rows[0][0]
    records = [record for _, record in rows]
    header = [h.strip().lstrip("\ufeff").lower().replace(" ", "_") for h in records[0]]
    problems: list[RowProblem] = []
    columns: list[str | None] = []
    for name in header:
        column = _COLUMNS.get(name)
        if column is None and name:
            problems.append(RowProblem(header_line, "", f"unknown column {name!r}; the columns "
                                       "are badge_number, type, serial_number, manufacturer, "
                                       "model and kind."))
        columns.append(column)
    if "badge_number" not in columns:
        problems.append(RowProblem(header_line, "", "the first line must name the columns, "
                                   "with badge_number among them (e.g. badge_number,type)."))
        return ParsedShipment((), tuple(problems))
    lines: list[ShipmentLine] = []
    for number, record in rows[1:]:
        values = {c: v.strip() for c, v in zip(columns, record, strict=False) if c}
        badge = values.get("badge_number", "").upper()
        if len(record) > len(header) and any(v.strip() for v in record[len(header):]):
            problems.append(RowProblem(number, badge, f"has {len(record)} values but the "
                                       f"header names {len(header)} columns."))
            continue
        kind_text = values.get("kind", "").upper()
        kind = None
        if kind_text:
            try:
                kind = AssetKind(kind_text)
            except ValueError:
                problems.append(RowProblem(number, badge, f"kind {kind_text!r} is not METER "
                                           "or ITEM."))
                continue
        lines.append(ShipmentLine(badge, number, values.get("type", "").upper(), kind,
                                  values.get("serial_number", ""),
                                  values.get("manufacturer", ""), values.get("model", "")))
    return ParsedShipment(tuple(lines), tuple(problems))


def shipment_lines(request: ShipmentRequest) -> ParsedShipment:
    """The request's lines, before any look-up in the database."""
    source = request.source
    if isinstance(source, BadgeRange):
        return ParsedShipment(tuple(ShipmentLine(b) for b in range_badges(source)), ())
    if isinstance(source, ScannedBadges):
        return parse_scanned(source.text)
    return parse_csv(source)


def history_source(source: ShipmentSource) -> AssetLocationSource:
    """A range is the replicator's shipment (REPLICATION rows); the rest are INITIAL."""
    return AssetLocationSource.REPLICATION if isinstance(source, BadgeRange) \
        else AssetLocationSource.INITIAL


# ----------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class _TypeInfo:
    kind: AssetKind
    code: str
    tracked: bool
    service_type: ServiceType | None


@dataclass(frozen=True)
class _Good:
    line: ShipmentLine
    type: _TypeInfo


@dataclass(frozen=True)
class ShipmentCheck:
    """What a shipment would receive, and what stops it (read-only: for a preview)."""

    meters: int
    items: int
    untracked: int
    problems: tuple[RowProblem, ...]


def _types(session: Session) -> tuple[dict[str, _TypeInfo], dict[str, _TypeInfo]]:
    meters = {code: _TypeInfo(AssetKind.METER, code, tracked, service)
              for code, tracked, service in session.execute(
                  select(MeterType.code, MeterType.track_stock_location,
                         MeterType.service_type))}
    items = {code: _TypeInfo(AssetKind.ITEM, code, tracked, None)
             for code, tracked in session.execute(
                 select(ItemType.code, ItemType.track_stock_location))}
    return meters, items


def _existing(session: Session, badges: Sequence[str]) -> dict[str, str]:
    """Badge number → "a meter" or "an item" for the badges already in the database."""
    found: dict[str, str] = {}
    postgresql = session.get_bind().dialect.name == "postgresql"
    size = 20_000 if postgresql else _IN_CHUNK
    for start in range(0, len(badges), size):
        chunk = list(badges[start:start + size])
        for model, word in ((Meter, "a meter"), (Item, "an item")):
            # PostgreSQL: one array parameter (= ANY) rather than thousands in an IN list,
            # which psycopg spends a second splitting per 10,000
            match = model.badge_number == any_(bindparam("badges", chunk, ARRAY(String))) \
                if postgresql else model.badge_number.in_(chunk)
            for badge in session.scalars(select(model.badge_number).where(match)):
                found.setdefault(badge, word)
    return found


def _check(session: Session, request: ShipmentRequest, parsed: ParsedShipment
           ) -> tuple[list[_Good], list[RowProblem]]:
    problems = list(parsed.problems)
    if len(parsed.lines) > MAX_SHIPMENT:
        problems.append(RowProblem(None, "", f"the shipment has {len(parsed.lines):,} lines; "
                                   f"receive at most {MAX_SHIPMENT:,} at a time."))
        return [], problems
    meter_types, item_types = _types(session)
    default_type = request.type_code.strip().upper()
    seen: dict[str, int | None] = {}
    existing = _existing(session, sorted({ln.badge_number for ln in parsed.lines
                                          if ln.badge_number}))
    good: list[_Good] = []
    for ln in parsed.lines:
        trouble = _line_trouble(ln, seen, existing)
        info: _TypeInfo | None = None
        if trouble is None:
            info, trouble = _line_type(ln, request.kind, default_type, meter_types, item_types)
        if ln.badge_number and ln.badge_number not in seen:
            seen[ln.badge_number] = ln.line
        if trouble is not None:
            problems.append(RowProblem(ln.line, ln.badge_number, trouble))
        elif info is not None:
            good.append(_Good(ln, info))
    if not parsed.lines and not problems:
        problems.append(RowProblem(None, "", "the shipment has no badge numbers."))
    problems.sort(key=lambda p: (p.line is not None, p.line or 0))
    return good, problems


def _line_trouble(ln: ShipmentLine, seen: dict[str, int | None],
                  existing: dict[str, str]) -> str | None:
    if not ln.badge_number:
        return "the badge number is missing."
    for name, limit in _LIMITS.items():
        if len(value := getattr(ln, name)) > limit:
            return f"the {name.replace('_code', '').replace('_', ' ')} is too long " \
                   f"({len(value)} characters; at most {limit})."
    if ln.badge_number in seen:
        other = seen[ln.badge_number]
        where = f" (line {other})" if other is not None else ""
        return f"badge number {ln.badge_number} is in the shipment twice{where}."
    if ln.badge_number in existing:
        return f"badge number {ln.badge_number} is already on {existing[ln.badge_number]}."
    return None


def _line_type(ln: ShipmentLine, default_kind: AssetKind | None, default_type: str,
               meter_types: dict[str, _TypeInfo], item_types: dict[str, _TypeInfo]
               ) -> tuple[_TypeInfo | None, str | None]:
    code = ln.type_code or default_type
    kind = ln.kind or (default_kind if not ln.type_code else None)
    if not code:
        return None, "the type is missing (name it on the line, or choose one for the shipment)."
    if kind is AssetKind.METER:
        info = meter_types.get(code)
    elif kind is AssetKind.ITEM:
        info = item_types.get(code)
    elif code in meter_types and code in item_types:
        return None, (f"{code} is both a meter type and an item type; say which (kind METER "
                      "or ITEM).")
    else:
        info = meter_types.get(code) or item_types.get(code)
    if info is None:
        what = {AssetKind.METER: "meter type", AssetKind.ITEM: "item type"}.get(
            kind, "meter or item type")  # type: ignore[arg-type]
        return None, f"there is no {what} {code}."
    if info.kind is AssetKind.METER and info.service_type is None:
        return None, (f"meter type {code} has no service type (electric, gas or water); set "
                      "it on the type first.")
    return info, None


def check_shipment(db: Database, request: ShipmentRequest) -> ShipmentCheck:
    """What `receive_shipment` would do, and its problems, without saving anything."""
    with read_only(db) as session:
        try:
            parsed = shipment_lines(request)
        except ShipmentRejected as exc:
            return ShipmentCheck(0, 0, 0, exc.problems)
        good, problems = _check(session, request, parsed)
        problems.extend(p for p, _ in _location_problems(session, request))
        return ShipmentCheck(sum(g.type.kind is AssetKind.METER for g in good),
                             sum(g.type.kind is AssetKind.ITEM for g in good),
                             sum(not g.type.tracked for g in good), tuple(problems))


def _location_problems(session: Session, request: ShipmentRequest
                       ) -> list[tuple[RowProblem, str]]:
    """What is wrong with the location (INV-R4) and the received date, with the field."""
    found = []
    try:
        holding_location(session, request.location)
    except ValidationError as exc:
        found.append((RowProblem(None, "", exc.message), "location"))
    if request.at > context.now() + dt.timedelta(minutes=1):
        found.append((RowProblem(None, "", f"{request.at:%Y-%m-%d %H:%M} is in the future; the "
                                 "received date is when the shipment arrived."), "located_at"))
    return found


# ----------------------------------------------------------------------------- receiving


def receive_shipment(db: Database, actor: Actor, request: ShipmentRequest) -> ReceivingResult:
    """Create every meter and item of the shipment at the location, with its first location
    row when its type is tracked — all of them, or none and `ShipmentRejected`."""
    actor.require("receive shipments", *STOCK_STAFF)
    parsed = shipment_lines(request)        # a bad range is refused before any look-up
    source = history_source(request.source)
    with transaction(db, actor, reason=f"Shipment received at {request.location}") as session:
        wrong = _location_problems(session, request)
        if wrong:
            raise ShipmentRejected([p for p, _ in wrong], wrong[0][1])
        location = holding_location(session, request.location)
        good, problems = _check(session, request, parsed)
        if problems:
            raise ShipmentRejected(problems)
        try:
            notes = _write(session, actor, good, location.code, request.at, source)
        except IntegrityError:
            raise ShipmentRejected((RowProblem(None, "", "another user received some of these "
                                               "badge numbers at the same time; check the "
                                               "shipment again."),)) from None
        meters = sum(g.type.kind is AssetKind.METER for g in good)
        return ReceivingResult(location.code, location.description, request.at, source,
                               meters, len(good) - meters, sum(not g.type.tracked for g in good),
                               tuple(g.line.badge_number for g in good), actor.username,
                               tuple(notes))


def _template_registers(session: Session, codes: Iterable[str],
                        types: dict[str, _TypeInfo]) -> dict[str, list[RegisterForm]]:
    """Per meter type: the registers of its newest meter (its template), else the default."""
    found: dict[str, list[RegisterForm]] = {}
    for code in codes:
        newest = session.scalar(select(func.max(Meter.id)).where(Meter.meter_type == code))
        registers = [] if newest is None else [
            RegisterForm(r.uom, r.digits, r.tou or "")
            for r in session.scalars(select(Register).where(Register.meter_id == newest)
                                     .order_by(Register.sequence))]
        service = types[code].service_type
        assert service is not None
        found[code] = registers or [DEFAULT_REGISTERS[service]]
    return found


def _write(session: Session, actor: Actor, good: list[_Good], location: str, at: dt.datetime,
           source: AssetLocationSource) -> list[str]:
    """Insert the shipment with one executemany per table.

    Why not `move_in` per asset: 10,000 assets through the ORM is 10,000 × (meter, register,
    history, position, audit) round trips plus unit-of-work bookkeeping — far over the 5 s
    budget. `_check` has already made every check `move_in` makes (the location holds stock,
    the date is not in the future, the type is tracked; a new asset has no earlier row), so
    this writes exactly the rows `move_in` would: one `AssetLocation` and one `AssetPosition`
    per tracked asset. The ids are taken up front (`_new_ids`) so that no INSERT needs
    RETURNING (which psycopg sends as huge multi-row statements, three times slower). Bulk
    inserts skip the session's audit hooks, so the audit rows are written here: one "created"
    row per meter, item and location row (their registers and positions follow from them).
    """
    now, stamp = context.now(), dt.datetime.now(dt.UTC)
    who = {"version": 1, "updated_by": actor.username, "updated_at": stamp}
    meter_lines = [g for g in good if g.type.kind is AssetKind.METER]
    item_lines = [g for g in good if g.type.kind is AssetKind.ITEM]
    meter_ids = _new_ids(session, Meter, len(meter_lines))
    item_ids = _new_ids(session, Item, len(item_lines))
    ids = {(AssetKind.METER, g.line.badge_number): i for g, i in zip(meter_lines, meter_ids,
                                                                   strict=True)}
    ids.update({(AssetKind.ITEM, g.line.badge_number): i for g, i in zip(item_lines, item_ids,
                                                                       strict=True)})
    notes: list[str] = []
    if meter_lines:
        types = {g.type.code: g.type for g in meter_lines}
        registers = _template_registers(session, sorted(types), types)
        _insert(session, Meter, [
            {"id": i, "badge_number": g.line.badge_number, "meter_type": g.type.code,
             "service_type": g.type.service_type, "status": DeviceStatus.IN_STOCK,
             "serial_number": g.line.serial_number or None,
             "manufacturer": g.line.manufacturer or None, "model": g.line.model or None,
             **who} for g, i in zip(meter_lines, meter_ids, strict=True)])
        dials = [(i, n, reg) for g, i in zip(meter_lines, meter_ids, strict=True)
                 for n, reg in enumerate(registers[g.type.code], start=1)]
        _insert(session, Register, [
            {"id": r, "meter_id": i, "sequence": n, "uom": reg.uom, "tou": reg.tou or None,
             "digits": reg.digits, **who}
            for (i, n, reg), r in zip(dials, _new_ids(session, Register, len(dials)),
                                      strict=True)])
    if item_lines:
        _insert(session, Item, [
            {"id": i, "badge_number": g.line.badge_number, "item_type": g.type.code,
             "status": DeviceStatus.IN_STOCK, **who}
            for g, i in zip(item_lines, item_ids, strict=True)])
        if any(g.line.serial_number or g.line.manufacturer or g.line.model for g in item_lines):
            notes.append("Items have no serial number, manufacturer or model; those values "
                         "were not kept.")
    tracked = [g for g in good if g.type.tracked]
    history_ids = _new_ids(session, AssetLocation, len(tracked))
    _insert(session, AssetLocation, [
        {"id": h, "asset_kind": g.type.kind, "asset_id": ids[(g.type.kind, g.line.badge_number)],
         "located_at": at, "stock_location_code": location, "service_point_id": None,
         "source": source, "reason": None, "created_by": actor.username, "created_at": now}
        for g, h in zip(tracked, history_ids, strict=True)])
    _insert(session, AssetPosition, [
        {"asset_kind": g.type.kind, "asset_id": ids[(g.type.kind, g.line.badge_number)],
         "type_code": g.type.code, "badge_number": g.line.badge_number,
         "stock_location_code": location, "service_point_id": None, "located_at": at, **who}
        for g in tracked])
    untracked = len(good) - len(tracked)
    if untracked:
        notes.append(f"{untracked} asset{'s' if untracked != 1 else ''} of types that do not "
                     "track their stock location got no location history.")
    return notes


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany of plain Core INSERTs (psycopg pipelines them), with the audit rows
    the ORM would have written for them."""
    if rows:
        session.connection().execute(insert(model.__table__), rows)
        audit.record_inserts(session, model, rows)


def _new_ids(session: Session, model: Any, count: int) -> list[int]:
    """`count` fresh primary keys for the model's table: from its sequence on PostgreSQL;
    after the largest on SQLite, whose write transaction (BEGIN IMMEDIATE) no one else can
    write in meanwhile."""
    if count == 0:
        return []
    table = model.__table__.name
    if session.get_bind().dialect.name == "postgresql":
        return list(session.scalars(
            select(func.nextval(func.pg_get_serial_sequence(table, "id")))
            .select_from(func.generate_series(1, count))))
    largest = session.scalar(select(func.max(model.id))) or 0
    return list(range(largest + 1, largest + 1 + count))
