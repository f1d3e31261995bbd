"""Appointments on a database holding 1,000,000 historical appointments.

    python -m bench.appointments [--database URL] [--appointments 1000000] [--runs 200]

Builds the database once (reused when it is there already; the default is a SQLite file in the
temporary directory): a demo utility of `--accounts` accounts (skipped when the database holds
customers), an operations area with 20 dispatch groups, four two-hour periods on every weekday
of three years before the bench's business day and of 120 days after it, the historical
appointments (one field activity each, at random premises, 97 % completed on time, 3 %
canceled), future bookings (0 to the maximum per period; one period in twenty full) and ten
activities per group waiting for an appointment. The rows are bulk-loaded the way the demo is
(`app.demo.sink`: executemany on SQLite, COPY on PostgreSQL, then VACUUM ANALYZE as autovacuum
would, so index-only scans need not visit the heap).

Then times, per call, through the service layer:

* ``availability, 60 days``: `services.appointments.find_availability` for one waiting
  activity of one group over 60 days (about 170 periods and their bookings);
* ``week view, coming weeks`` / ``past weeks``: `services.appointment_week.week_view` of a
  group's 7 days (periods, how full, each appointment with its premise, customer and phone);
* ``period slots, 7 days``: `services.appointments.period_slots` (periods and counts only).

Targets (p95): availability under 50 ms, the week view under 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import Database, open_database  # noqa: E402
from app.demo import generate  # noqa: E402
from app.demo.sink import PostgresSink, Sink, SqliteSink  # noqa: E402
from app.engine.appointments import bands  # noqa: E402
from app.engine.identifiers import from_sequence  # noqa: E402
from app.models import AppointmentPeriod, DispatchGroup, FieldActivity  # noqa: E402
from app.services import appointments, dispatch_groups  # noqa: E402
from app.services.context import SYSTEM, read_only  # noqa: E402
from bench.timing import QuietHost, database_size, report, timed  # noqa: E402

TARGETS_MS = {"availability": 50.0, "week": 200.0}
#: The bench's business day: history before it, bookable periods after it.
NOW = dt.datetime(2025, 6, 2, 7, 0)
HISTORY_DAYS = 3 * 365
FUTURE_DAYS = 120
GROUPS = tuple(f"CREW-{n:02d}" for n in range(1, 21))
AREA = "BENCH"
WAITING_PER_GROUP = 10
#: Field activity numbers are `from_sequence(NUMBER_BASE + n)`, apart from the demo's.
NUMBER_BASE = 7 * 10**8
TYPES = ("METER-EXCH", "METER-INSTALL", "INVESTIGATE", "CONNECT", "DISCONNECT", "GAS-LIGHT")
PERIOD_COLUMNS = ("id", "dispatch_group_code", "start_at", "end_at", "max_appointments",
                  "created_by_external", "version", "updated_by")
ACTIVITY_COLUMNS = ("id", "number", "premise_id", "field_activity_type_code", "status",
                    "scheduled_on", "dispatch_group_code", "appointment_period_id", "arrived_at",
                    "version", "updated_by")
CHUNK = 100_000


def _weekdays(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)
            if (first + dt.timedelta(days=n)).weekday() < 5]


def _day_bands(day: dt.date) -> list[tuple[dt.datetime, dt.datetime, int]]:
    return bands(day, dt.time(8), dt.time(17), 2, 0, ((dt.time(12), dt.time(13)),))


class _Loader:
    """Hands out ids and numbers, formats values for the backend and writes in chunks."""

    def __init__(self, db: Database) -> None:
        self.db = db
        with db.engine.connect() as conn:
            self.period_id = int(conn.execute(text(
                "SELECT coalesce(max(id), 0) FROM appointment_period")).scalar_one())
            self.activity_id = int(conn.execute(text(
                "SELECT coalesce(max(id), 0) FROM field_activity")).scalar_one())
            self.taken = set(conn.execute(text("SELECT number FROM field_activity")).scalars())
        self.sequence = 0
        self.sink: Sink = SqliteSink(db) if db.is_sqlite else PostgresSink(db)
        self.periods: list[tuple[Any, ...]] = []
        self.activities: list[tuple[Any, ...]] = []
        self.written = 0

    def stamp(self, at: dt.datetime) -> Any:
        """SQLite keeps SQLAlchemy's text form (compared as text by the queries)."""
        return f"{at:%Y-%m-%d %H:%M:%S}.000000" if self.db.is_sqlite else at

    def day(self, on: dt.date) -> Any:
        return on.isoformat() if self.db.is_sqlite else on

    def period(self, group: str, start: dt.datetime, end: dt.datetime, most: int) -> int:
        self.period_id += 1
        self.periods.append((self.period_id, group, self.stamp(start), self.stamp(end), most,
                             False, 1, "bench"))
        return self.period_id

    def activity(self, premise: int, type_code: str, status: str, on: dt.date, group: str,
                 period: int | None, arrived: dt.datetime | None) -> None:
        self.activity_id += 1
        while True:
            self.sequence += 1
            number = from_sequence(NUMBER_BASE + self.sequence)
            if number not in self.taken:
                break
        self.activities.append((self.activity_id, number, premise, type_code, status,
                                self.day(on), group, period,
                                None if arrived is None else self.stamp(arrived), 1, "bench"))
        if len(self.activities) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        self.sink.write("appointment_period", PERIOD_COLUMNS, self.periods)
        self.sink.write("field_activity", ACTIVITY_COLUMNS, self.activities)
        self.written += len(self.activities)
        self.periods, self.activities = [], []
        self.sink.commit()
        print(f"  {self.written:,} field activities", flush=True)

    def finish(self) -> None:
        self.flush()
        self.sink.finish({"appointment_period": self.period_id,
                          "field_activity": self.activity_id})
        self.sink.close()


def _premise_ids(db: Database) -> list[int]:
    with db.engine.connect() as conn:
        return [int(i) for i in conn.execute(text(
            "SELECT p.id FROM premise p WHERE EXISTS (SELECT 1 FROM service_point sp "
            "WHERE sp.premise_id = p.id) ORDER BY p.id")).scalars()]


def build(db: Database, target: int, accounts: int, seed: int) -> None:
    """The bench's dispatch groups, periods and appointments (on a demo, made first when the
    database has no customers)."""
    with db.engine.connect() as conn:
        customers = conn.execute(text("SELECT count(*) FROM customer")).scalar_one()
    if not customers:
        started = time.perf_counter()
        summary = generate(db, accounts, seed=seed, as_of=NOW.date().replace(day=1))
        print(f"demo: {summary.accounts:,} accounts, {summary.premises:,} premises in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    dispatch_groups.create_operations_area(db, SYSTEM, AREA, "Benchmark area", ())
    for code in GROUPS:
        dispatch_groups.create_dispatch_group(db, SYSTEM, code, f"Bench crew {code[-2:]}", AREA)
    rng = random.Random(seed)
    premises = _premise_ids(db)
    first = NOW.date() - dt.timedelta(days=HISTORY_DAYS)
    past = _weekdays(first, NOW.date() - dt.timedelta(days=1))
    future = _weekdays(NOW.date(), NOW.date() + dt.timedelta(days=FUTURE_DAYS))
    slots = len(past) * len(GROUPS) * len(_day_bands(first))
    per_period = target / slots
    most = max(20, int(per_period) + 4)
    loader = _Loader(db)
    made = 0
    for n, (day, group, (start, end, _m)) in enumerate(
            (d, g, b) for d in past for g in GROUPS for b in _day_bands(d)):
        period = loader.period(group, start, end, most)
        count = round((n + 1) * per_period) - made
        for k in range(count):
            premise = premises[rng.randrange(len(premises))]
            if k % 33 == 32:
                loader.activity(premise, rng.choice(TYPES), "CANCELED", day, group, period,
                                None)
            else:
                loader.activity(premise, rng.choice(TYPES), "COMPLETE", day, group, period,
                                start + dt.timedelta(minutes=rng.randrange(110)))
        made += count
    future_bookings = 0
    for n, (day, group, (start, end, _m)) in enumerate(
            (d, g, b) for d in future for g in GROUPS for b in _day_bands(d)):
        period = loader.period(group, start, end, most)
        count = most if n % 20 == 7 else rng.randrange(most)
        for _ in range(count):
            loader.activity(premises[rng.randrange(len(premises))], rng.choice(TYPES),
                            "PENDING", day, group, period, None)
        future_bookings += count
    for group in GROUPS:
        for k in range(WAITING_PER_GROUP):
            loader.activity(premises[rng.randrange(len(premises))], "METER-EXCH", "PENDING",
                            NOW.date() + dt.timedelta(days=1 + k), group, None, None)
    loader.finish()
    if not db.is_sqlite:
        # What autovacuum does to a table in use: without the visibility map, the counts'
        # index-only scans visit the heap for every row of a freshly loaded table.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("field_activity", "appointment_period"):
                conn.execute(text(f"VACUUM ANALYZE {table}"))
    print(f"built: {made:,} historical appointments, {future_bookings:,} future bookings, "
          f"{loader.period_id:,} periods in {time.perf_counter() - started:.1f} s", flush=True)


def _built(db: Database) -> int | None:
    """Historical appointments of the bench's groups, or None when they are not built."""
    with read_only(db) as session:
        if session.get(DispatchGroup, GROUPS[-1]) is None:
            return None
        return session.scalar(
            select(func.count()).select_from(FieldActivity)
            .join(AppointmentPeriod, AppointmentPeriod.id == FieldActivity.appointment_period_id)
            .where(AppointmentPeriod.dispatch_group_code.in_(GROUPS),
                   AppointmentPeriod.start_at < NOW))


def _waiting(db: Database) -> dict[str, list[tuple[str, str]]]:
    """(premise, activity) numbers of the activities waiting for an appointment, by group."""
    with db.engine.connect() as conn:
        found: dict[str, list[tuple[str, str]]] = {}
        for group, premise, activity in conn.execute(text(
                "SELECT f.dispatch_group_code, p.number, f.number FROM field_activity f "
                "JOIN premise p ON p.id = f.premise_id WHERE f.appointment_period_id IS NULL "
                "AND f.status = 'PENDING' AND f.dispatch_group_code LIKE 'CREW-%' "
                "ORDER BY f.id")):
            found.setdefault(str(group), []).append((str(premise), str(activity)))
        return found


def _times(fn: Callable[[int], object], runs: int, warm: int = 5) -> list[float]:
    for n in range(warm):
        fn(n)
    return [timed(partial(fn, n)) for n in range(runs)]


def measure(db: Database, runs: int, seed: int) -> None:
    from app.services.appointment_week import week_view

    rng = random.Random(seed)
    waiting = _waiting(db)
    cases = [(g, *waiting[g][n % len(waiting[g])]) for n, g in
             enumerate(rng.choice(GROUPS) for _ in range(runs + 5)) if waiting.get(g)]

    def availability(n: int) -> object:
        group, premise, activity = cases[n % len(cases)]
        found = appointments.find_availability(db, premise, [activity], dispatch_group=group,
                                               days=60, now=NOW)
        assert found.slots, (group, premise)
        return found

    report("availability, 60 days", _times(availability, runs), TARGETS_MS["availability"])
    mondays_ahead = [NOW.date() + dt.timedelta(weeks=w) for w in range(FUTURE_DAYS // 7)]
    mondays_past = [NOW.date() - dt.timedelta(weeks=w) for w in range(1, HISTORY_DAYS // 7)]
    ahead = [(rng.choice(GROUPS), rng.choice(mondays_ahead)) for _ in range(runs + 5)]
    behind = [(rng.choice(GROUPS), rng.choice(mondays_past)) for _ in range(runs + 5)]
    report("week view, coming weeks", _times(
        lambda n: week_view(db, ahead[n][0], ahead[n][1], days=7, now=NOW), runs),
        TARGETS_MS["week"])
    report("week view, past weeks", _times(
        lambda n: week_view(db, behind[n][0], behind[n][1], days=7, now=NOW), runs),
        TARGETS_MS["week"])
    report("period slots, 7 days", _times(
        lambda n: appointments.period_slots(db, behind[n][0], behind[n][1],
                                            behind[n][1] + dt.timedelta(days=6)), runs))
    report("week view pane, past weeks", _times(_pane_week(db, behind), min(runs, 60)),
           TARGETS_MS["week"])


def _pane_week(db: Database, weeks: list[tuple[str, dt.date]]) -> Callable[[int], object]:
    """The dispatcher's wait in the Appointments pane (offscreen): from asking for a week to
    its blocks and the first day's appointments painted, the worker round trip included."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.views.appointments import AppointmentsPane
    from app.views.current_context import CurrentContext
    from app.views.launch import ensure_application
    from app.views.panes import PaneContext
    from app.views.worker import wait_for_all

    app = ensure_application()
    pane = AppointmentsPane(PaneContext(db, SYSTEM, QuietHost(), CurrentContext()))  # type: ignore[arg-type]
    pane.resize(1400, 900)
    pane.show()
    wait_for_all()

    def week(n: int) -> object:
        group, monday = weeks[n % len(weeks)]
        pane.open_week(group, monday)
        wait_for_all()
        app.processEvents()
        pane.repaint()
        return pane

    return week


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", metavar="URL",
                        default=f"sqlite:///{Path(tempfile.gettempdir()) / 'sb_bench_ap.sqlite'}")
    parser.add_argument("--appointments", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=20_000,
                        help="demo accounts to make first when the database is empty")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    db = open_database(args.database)
    try:
        built = _built(db)
        if built is None:
            started = time.perf_counter()
            build(db, args.appointments, args.accounts, args.seed)
            built = _built(db) or 0
            print(f"build: {time.perf_counter() - started:.1f} s in all", flush=True)
        elif built < args.appointments:
            print(f"The database holds {built:,} bench appointments, not "
                  f"{args.appointments:,}; give a fresh database to build another size.",
                  file=sys.stderr)
        print(f"{db.description}: {built:,} historical appointments, {database_size(db)}, "
              f"{args.runs} runs per call", flush=True)
        measure(db, args.runs, args.seed)
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
