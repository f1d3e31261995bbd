"""The demo utility: a believable customer base of any size, loaded fast and deterministically.

`generate(db, accounts)` fills an empty database with parties, customers, accounts, premises
(houses, apartment buildings with landlords, shopping centres), service points with meters,
agreements with rate history, characteristics and 24 months of bills and payments. The same
(seed, accounts, as_of) always gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text

from app.db import Database
from app.demo.appointments import add_demo_appointments
from app.demo.builder import Builder
from app.demo.cases import add_demo_cases
from app.demo.inventory import add_demo_inventory
from app.demo.loans import add_demo_loans
from app.demo.quotes import add_demo_quotes
from app.demo.sink import PostgresSink, Sink, SqliteSink
from app.demo.tables import CHARACTERISTIC_TYPES, REFERENCE_COLUMNS, TABLE_COLUMNS
from app.services.context import SYSTEM
from app.services.errors import DomainError
from app.services.rates import load_shipped_rates

__all__ = ["CHUNK_ACCOUNTS", "DemoSummary", "generate"]

#: Accounts per chunk (one transaction each). Part of the data's definition: changing it changes
#: which unit falls where, so it is a constant, not a parameter.
CHUNK_ACCOUNTS = 5_000


@dataclass(frozen=True)
class DemoSummary:
    accounts: int
    customers: int
    parties: int
    premises: int
    service_points: int
    service_agreements: int
    meters: int
    bills: int
    payments: int
    seconds: float
    #: Rows written in all tables together.
    rows: int = 0


def _stamp(db: Database, as_of: dt.date) -> str:
    return f"{as_of.isoformat()} 00:00:00" + (".000000" if db.is_sqlite else "+00")


def _check_empty(db: Database) -> dict[str, int]:
    """Raise when the database holds customers; return each table's highest id."""
    with db.engine.connect() as conn:
        if conn.execute(text("SELECT count(*) FROM customer")).scalar_one():
            accounts = conn.execute(text("SELECT count(*) FROM account")).scalar_one()
            raise DomainError(
                f"This database already holds {accounts} accounts; demo data can only be "
                "loaded into an empty database."
            )
        return {
            table: int(conn.execute(text(f'SELECT coalesce(max(id), 0) FROM "{table}"'))
                       .scalar_one())
            for table, columns in TABLE_COLUMNS.items() if columns[0] == "id"
        }


def _reference_rows(db: Database, stamp: str) -> dict[str, list[tuple[object, ...]]]:
    with db.engine.connect() as conn:
        known = {row[0] for row in conn.execute(text("SELECT code FROM characteristic_type"))}
    types: list[tuple[object, ...]] = []
    values: list[tuple[object, ...]] = []
    for code, description, kind, prem, sp, acct, sa, allowed in CHARACTERISTIC_TYPES:
        if code in known:
            continue
        types.append((code, description, kind, prem, sp, acct, sa, False, 1, stamp, "demo"))
        values.extend((code, value, text_, 1, stamp, "demo") for value, text_ in allowed)
    return {"characteristic_type": types, "characteristic_allowed_value": values}


def generate(
    db: Database,
    accounts: int,
    *,
    seed: int = 1,
    as_of: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Load `accounts` demo accounts (and everything around them) into an empty database."""
    if accounts < 1:
        raise DomainError("Say how many accounts the demo should have (at least 1).", "accounts")
    started = time.perf_counter()
    as_of = as_of or dt.date.today().replace(day=1)
    first_ids = _check_empty(db)
    # The rates come first, as in a real utility: bills are rated with Finished versions, and
    # a Finished version may not be backdated into periods already billed.
    load_shipped_rates(db, SYSTEM)
    stamp = _stamp(db, as_of)
    builder = Builder(random.Random(seed), as_of, stamp)
    builder.ids.update(first_ids)
    counts = dict.fromkeys(TABLE_COLUMNS, 0)
    sink: Sink = SqliteSink(db) if db.is_sqlite else PostgresSink(db)
    try:
        for table, rows in _reference_rows(db, stamp).items():
            sink.write(table, REFERENCE_COLUMNS[table], rows)
        done = 0
        while done < accounts:
            quota = min(CHUNK_ACCOUNTS, accounts - done)
            builder.build_chunk(quota)
            for table, rows in builder.take_rows().items():
                sink.write(table, TABLE_COLUMNS[table], rows)
                counts[table] += len(rows)
            sink.commit()
            done += quota
            if progress is not None:
                progress(done, accounts)
        sink.finish(builder.ids)
    finally:
        sink.close()
    add_demo_quotes(db)
    loans = add_demo_loans(db, as_of)
    add_demo_appointments(db, as_of)
    add_demo_inventory(db, as_of, seed=seed)
    add_demo_cases(db, as_of)
    return DemoSummary(
        accounts=counts["account"],
        customers=counts["customer"],
        parties=counts["party"],
        premises=counts["premise"],
        service_points=counts["service_point"],
        service_agreements=counts["service_agreement"],
        meters=counts["meter"],
        bills=counts["bill"] + loans.bills,
        payments=counts["payment"] + loans.payments,
        seconds=round(time.perf_counter() - started, 3),
        rows=sum(counts.values()),
    )
