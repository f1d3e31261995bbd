"""Cases on a database holding 1,000,000 cases.

    python -m bench.cases [--database URL] [--cases 1000000] [--runs 300]

Builds the database once (reused when it is there already; the default is a SQLite file in the
temporary directory): a demo utility of `--accounts` accounts (skipped when the database holds
customers; the demo brings the case types, work groups and a few hundred demo cases), 40 case
workers, then the bench's cases bulk-loaded the way the demo is (`app.demo.sink`: executemany on
SQLite, COPY on PostgreSQL, then VACUUM ANALYZE as autovacuum would): opened over five years
before the bench's business day, spread over the demo's case types, 88 % closed in a final
status and the rest open in the type's other statuses, each with its CREATED log entry (and
a STATUS_TRANSITION for those that moved). One more case gets 500 log entries.

Then times, per call, through the service layer:

* ``search: …``: `services.case_search.search_cases` — open cases newest first, by account,
  by type and status, by responsible user, open cases older than 30 days, by type (all
  statuses), 200 rows a page;
* ``open a case with 500 log entries``: `services.cases.load_case`, and the Cases pane from
  asking for the case to its detail and log painted (offscreen, worker round trip included).

Targets (p95): search under 100 ms, opening the case under 150 ms.
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

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import Database, open_database  # noqa: E402
from app.demo import generate  # noqa: E402
from app.demo.sink import PostgresSink, Sink, SqliteSink  # noqa: E402
from app.engine.identifiers import from_sequence  # noqa: E402
from app.models.enums import UserRole  # noqa: E402
from app.services.context import SYSTEM  # noqa: E402
from app.services.users import create_user  # noqa: E402
from bench.timing import QuietHost, database_size, report, timed  # noqa: E402

TARGETS_MS = {"search": 100.0, "open": 150.0}
#: The bench's business day: every case was opened in the five years before it.
NOW = dt.datetime(2026, 6, 1, 9, 0)
HISTORY_DAYS = 5 * 365
WORKERS = tuple(f"bench.worker{n:02d}" for n in range(1, 41))
#: Case numbers are `from_sequence(NUMBER_BASE + n)`, apart from the demo's.
NUMBER_BASE = 6 * 10**8
CLOSED_SHARE = 0.88
LOG_ENTRIES = 500
CASE_COLUMNS = ("id", "number", "case_type_code", "status_code", "opened_at", "closed_at",
                "status_entered_at", "comments", "person_id", "account_id",
                "responsible_user_id", "contact_person_id", "version", "updated_by")
LOG_COLUMNS = ("case_id", "seq", "log_at", "log_type", "details", "user_name", "from_status",
               "to_status")
CHUNK = 100_000


class _Loader:
    """Hands out ids and numbers, formats values for the backend and writes in chunks."""

    def __init__(self, db: Database) -> None:
        self.db = db
        with db.engine.connect() as conn:
            self.case_id = int(conn.execute(text(
                "SELECT coalesce(max(id), 0) FROM case_record")).scalar_one())
            self.taken = set(conn.execute(text("SELECT number FROM case_record")).scalars())
        self.sequence = 0
        self.sink: Sink = SqliteSink(db) if db.is_sqlite else PostgresSink(db)
        self.cases: list[tuple[Any, ...]] = []
        self.logs: list[tuple[Any, ...]] = []
        self.written = 0

    def stamp(self, at: dt.datetime | None) -> Any:
        """SQLite keeps SQLAlchemy's text form (compared as text by the queries)."""
        if at is None:
            return None
        return f"{at:%Y-%m-%d %H:%M:%S}.000000" if self.db.is_sqlite else at

    def case(self, type_code: str, status: str, opened: dt.datetime,
             closed: dt.datetime | None, entered: dt.datetime, person: int, account: int,
             responsible: int | None) -> int:
        self.case_id += 1
        while True:
            self.sequence += 1
            number = from_sequence(NUMBER_BASE + self.sequence)
            if number not in self.taken:
                break
        self.cases.append((self.case_id, number, type_code, status, self.stamp(opened),
                           self.stamp(closed), self.stamp(entered), None, person, account,
                           responsible, person, 1, "bench"))
        return self.case_id

    def log(self, case_id: int, seq: int, at: dt.datetime, log_type: str, details: str,
            user: str, from_status: str | None = None, to_status: str | None = None) -> None:
        self.logs.append((case_id, seq, self.stamp(at), log_type, details, user, from_status,
                          to_status))
        if len(self.logs) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        self.sink.write("case_record", CASE_COLUMNS, self.cases)
        self.sink.write("case_log", LOG_COLUMNS, self.logs)
        self.written += len(self.cases)
        self.cases, self.logs = [], []
        self.sink.commit()
        print(f"  {self.written:,} cases", flush=True)

    def finish(self) -> None:
        self.flush()
        self.sink.finish({"case_record": self.case_id})
        self.sink.close()


def _lifecycles(db: Database) -> list[tuple[str, str, list[str], list[str]]]:
    """(type, initial status, other open statuses, final statuses) of each case type."""
    found: dict[str, tuple[str, list[str], list[str]]] = {}
    with db.engine.connect() as conn:
        for type_code, status, initial, final in conn.execute(text(
                "SELECT case_type_code, status_code, is_initial, is_final FROM case_type_status "
                "ORDER BY case_type_code, seq, status_code")):
            init, others, finals = found.setdefault(str(type_code), ("", [], []))
            if initial:
                found[str(type_code)] = (str(status), others, finals)
            elif final:
                finals.append(str(status))
            else:
                others.append(str(status))
    return [(t, i, o, f) for t, (i, o, f) in found.items() if i and f]


def _accounts(db: Database) -> list[tuple[int, int]]:
    """(account id, its customer's legal party id)."""
    with db.engine.connect() as conn:
        return [(int(a), int(p)) for a, p in conn.execute(text(
            "SELECT a.id, c.legal_party_id FROM account a JOIN customer c "
            "ON c.id = a.customer_id ORDER BY a.id"))]


def _workers(db: Database) -> list[int]:
    from app.models import AppUser
    from app.services.context import read_only

    with read_only(db) as session:
        known = {u.username: u.id for u in session.query(AppUser)}
    for name in WORKERS:
        if name not in known:
            create_user(db, SYSTEM, name, f"Case worker {name[-2:]}", {UserRole.CSR},
                        "bench-password-1", "bench-password-1")
    with read_only(db) as session:
        return [u.id for u in session.query(AppUser).filter(AppUser.username.in_(WORKERS))]


def build(db: Database, target: int, accounts: int, seed: int) -> None:
    """The bench's cases (on a demo, made first when the database has no customers)."""
    with db.engine.connect() as conn:
        customers = conn.execute(text("SELECT count(*) FROM customer")).scalar_one()
    if not customers:
        started = time.perf_counter()
        summary = generate(db, accounts, seed=seed, as_of=NOW.date().replace(day=1))
        print(f"demo: {summary.accounts:,} accounts, {summary.premises:,} premises in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    types = _lifecycles(db)
    if not types:
        raise SystemExit("The database has no case types; build it on an empty database so "
                         "the demo brings them.")
    owners = _accounts(db)
    workers = _workers(db)
    rng = random.Random(seed)
    loader = _Loader(db)
    first = NOW - dt.timedelta(days=HISTORY_DAYS)
    step = HISTORY_DAYS * 86400 / target
    for n in range(target):
        opened = first + dt.timedelta(seconds=int(n * step) + rng.randrange(60))
        type_code, initial, others, finals = types[rng.randrange(len(types))]
        account, person = owners[rng.randrange(len(owners))]
        responsible = workers[rng.randrange(len(workers))] if rng.random() < 0.7 else None
        age = (NOW - opened).days
        closed_case = rng.random() < CLOSED_SHARE and age > 2
        if closed_case:
            status = finals[rng.randrange(len(finals))]
            entered = opened + dt.timedelta(days=rng.randrange(1, min(age, 60) + 1))
            closed: dt.datetime | None = entered
        else:
            status = initial if not others or rng.random() < 0.4 else \
                others[rng.randrange(len(others))]
            entered = opened if status == initial else \
                opened + dt.timedelta(hours=rng.randrange(1, max(2, age * 24)))
            closed = None
        case_id = loader.case(type_code, status, opened, closed, entered, person, account,
                              responsible)
        loader.log(case_id, 1, opened, "CREATED", "Case created", "bench")
        if status != initial:
            loader.log(case_id, 2, entered, "STATUS_TRANSITION",
                       f"Moved from {initial} to {status}", "bench", initial, status)
    # The case a CSR opens: 500 entries of notes and moves.
    type_code, initial, _others, _finals = types[0]
    account, person = owners[0]
    long_case = loader.case(type_code, initial, NOW - dt.timedelta(days=400), None,
                            NOW - dt.timedelta(days=400), person, account, workers[0])
    for seq in range(1, LOG_ENTRIES + 1):
        at = NOW - dt.timedelta(days=400) + dt.timedelta(hours=seq * 19)
        if seq == 1:
            loader.log(long_case, seq, at, "CREATED", "Case created", "bench")
        else:
            loader.log(long_case, seq, at, "USER_DETAILS",
                       f"Called the customer back (call {seq}); they will send the meter "
                       "photo tomorrow and asked us to hold the disconnection notice.",
                       WORKERS[seq % len(WORKERS)])
    loader.finish()
    if not db.is_sqlite:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("case_record", "case_log"):
                conn.execute(text(f"VACUUM ANALYZE {table}"))
    else:
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    print(f"built: {target:,} cases in {time.perf_counter() - started:.1f} s", flush=True)


def _built(db: Database) -> int | None:
    """Bench cases in the database, or None when they are not built."""
    with db.engine.connect() as conn:
        found = conn.execute(text(
            "SELECT count(*) FROM case_record WHERE updated_by = 'bench'")).scalar_one()
    return int(found) or None


def _long_case(db: Database) -> str:
    with db.engine.connect() as conn:
        return str(conn.execute(text(
            "SELECT c.number FROM case_record c WHERE c.id = (SELECT case_id FROM case_log "
            f"WHERE seq = {LOG_ENTRIES} LIMIT 1)")).scalar_one())


def _times(fn: Callable[[int], object], runs: int, warm: int = 5) -> list[float]:
    for n in range(warm):
        fn(n)
    return [timed(partial(fn, n)) for n in range(runs)]


def measure(db: Database, runs: int, seed: int) -> None:
    from app.services.case_detail import load_case
    from app.services.case_search import CaseSearch, search_cases

    rng = random.Random(seed)
    owners = _accounts(db)
    types = _lifecycles(db)
    with db.engine.connect() as conn:
        numbers = {int(i): str(n) for i, n in conn.execute(text(
            "SELECT id, number FROM account"))}
        busy = [str(n) for n in conn.execute(text(
            "SELECT a.number FROM case_record c JOIN account a ON a.id = c.account_id "
            "GROUP BY a.number ORDER BY count(*) DESC LIMIT 50")).scalars()]

    def account_number(n: int) -> str:
        return numbers[owners[(n * 7919) % len(owners)][0]]

    searches: dict[str, Callable[[int], CaseSearch]] = {
        "search: open cases, newest first": lambda n: CaseSearch(),
        "search: one account, all cases": lambda n: CaseSearch(
            account_number=busy[n % len(busy)] if n % 2 else account_number(n),
            open_only=False),
        "search: type and status": lambda n: CaseSearch(
            case_type=types[n % len(types)][0],
            status=(types[n % len(types)][2] or types[n % len(types)][3])[0], open_only=False),
        "search: responsible user, open": lambda n: CaseSearch(
            responsible_username=WORKERS[n % len(WORKERS)]),
        "search: open, older than 30 days": lambda n: CaseSearch(older_than_days=30),
        "search: one type, all statuses": lambda n: CaseSearch(
            case_type=types[n % len(types)][0], open_only=False),
    }
    for label, criteria in searches.items():
        def run(n: int, criteria: Callable[[int], CaseSearch] = criteria) -> object:
            rows, _more = search_cases(db, SYSTEM, criteria(n))
            return rows
        report(label, _times(run, runs), TARGETS_MS["search"])
    del rng
    number = _long_case(db)
    detail = load_case(db, SYSTEM, number)
    assert len(detail.log) >= LOG_ENTRIES, len(detail.log)
    report("open a case, 500 log entries", _times(
        lambda n: load_case(db, SYSTEM, number), runs), TARGETS_MS["open"])
    report("Cases pane: case + log painted", _times(_pane_case(db, number), min(runs, 60)),
           TARGETS_MS["open"])


def _pane_case(db: Database, number: str) -> Callable[[int], object]:
    """The CSR's wait in the Cases pane (offscreen): from asking for the case to its detail
    and 500-entry log painted, the worker round trip included."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.views.cases import CasesPane
    from app.views.current_context import CurrentContext
    from app.views.launch import ensure_application
    from app.views.panes import PaneContext
    from app.views.worker import wait_for_all

    app = ensure_application()
    pane = CasesPane(PaneContext(db, SYSTEM, QuietHost(), CurrentContext()))  # type: ignore[arg-type]
    pane.resize(1400, 900)
    pane.show()
    wait_for_all()

    def open_it(n: int) -> object:
        pane.open_case(number)
        wait_for_all()
        app.processEvents()
        pane.repaint()
        return pane

    return open_it


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", metavar="URL",
                        default=f"sqlite:///{Path(tempfile.gettempdir()) / 'sb_bench_cases.sqlite'}")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=20_000,
                        help="demo accounts to make first when the database is empty")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    db = open_database(args.database)
    try:
        built = _built(db)
        if built is None:
            started = time.perf_counter()
            build(db, args.cases, args.accounts, args.seed)
            built = _built(db) or 0
            print(f"build: {time.perf_counter() - started:.1f} s in all", flush=True)
        elif built < args.cases:
            print(f"The database holds {built:,} bench cases, not {args.cases:,}; give a "
                  "fresh database to build another size.", file=sys.stderr)
        with db.engine.connect() as conn:
            total = int(conn.execute(text("SELECT count(*) FROM case_record")).scalar_one())
            logs = int(conn.execute(text("SELECT count(*) FROM case_log")).scalar_one())
        print(f"{db.description}: {total:,} cases, {logs:,} log entries, {database_size(db)}, "
              f"{args.runs} runs per call", flush=True)
        measure(db, args.runs, args.seed)
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
