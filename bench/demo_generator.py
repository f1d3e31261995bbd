"""Benchmark of the demo utility generator on SQLite and PostgreSQL.

    python bench/demo_generator.py --accounts 100000 [--pg-url URL] [--sqlite-dir DIR]

Loads N accounts into a fresh SQLite file and into a fresh PostgreSQL database (created and
dropped here) and prints accounts/second, rows, seconds and the database size for each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import open_database  # noqa: E402
from app.demo import DemoSummary, generate  # noqa: E402

AS_OF = dt.date(2025, 6, 1)


def _report(label: str, summary: DemoSummary, wall: float, size: int) -> None:
    print(
        f"{label:<10} accounts={summary.accounts:,} rows={summary.rows:,} "
        f"bills={summary.bills:,} payments={summary.payments:,} "
        f"seconds={wall:.1f} accounts/s={summary.accounts / wall:,.0f} "
        f"rows/s={summary.rows / wall:,.0f} size={size / 2**20:,.0f} MiB",
        flush=True,
    )


def _progress(label: str, every: int) -> Callable[[int, int], None]:
    started = time.perf_counter()

    def report(done: int, total: int) -> None:
        if done % every == 0 or done == total:
            rate = done / (time.perf_counter() - started)
            print(f"  {label}: {done:,}/{total:,} accounts ({rate:,.0f}/s)", flush=True)

    return report


def run_sqlite(accounts: int, directory: Path, keep: bool, seed: int) -> None:
    path = directory / f"demo_{accounts}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db = open_database(f"sqlite:///{path}")
    started = time.perf_counter()
    summary = generate(db, accounts, seed=seed, as_of=AS_OF,
                       progress=_progress("sqlite", max(accounts // 10, 5000)))
    wall = time.perf_counter() - started
    db.dispose()
    size = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal")
               if Path(f"{path}{s}").exists())
    _report("SQLite", summary, wall, size)
    if not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def run_postgres(accounts: int, pg_url: str, keep: bool, seed: int) -> None:
    url = make_url(pg_url).set(drivername="postgresql+psycopg")
    name = f"switchboard_demo_bench_{accounts}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db = open_database(url.set(database=name))
        started = time.perf_counter()
        summary = generate(db, accounts, seed=seed, as_of=AS_OF,
                           progress=_progress("postgres", max(accounts // 10, 5000)))
        wall = time.perf_counter() - started
        with db.engine.connect() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        db.dispose()
        _report("PostgreSQL", summary, wall, size)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", help="a PostgreSQL server URL (any database on it)")
    parser.add_argument("--sqlite-dir", type=Path, help="where the SQLite file goes")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    if not args.skip_sqlite:
        directory = args.sqlite_dir or Path(tempfile.gettempdir())
        directory.mkdir(parents=True, exist_ok=True)
        run_sqlite(args.accounts, directory, args.keep, args.seed)
    if args.pg_url:
        run_postgres(args.accounts, args.pg_url, args.keep, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
