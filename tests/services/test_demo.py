"""The demo utility generator: shape, invariants and determinism of a small load."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, text

from app.db import Database, open_database
from app.demo import DemoSummary, generate
from app.demo.tables import REFERENCE_COLUMNS, TABLE_COLUMNS
from app.engine.identifiers import is_valid
from app.engine.rates import load_shipped_library
from app.models import Base, Bill, BillSegment
from app.services import rates
from app.services.errors import DomainError
from tests.conftest import own_pg_database

AS_OF = dt.date(2025, 6, 1)
N = 120
NUMBERED = ("party", "customer", "account", "premise", "service_point", "service_agreement",
            "landlord_agreement")


def _load(path: Path, seed: int = 1) -> tuple[Database, DemoSummary]:
    db = open_database(f"sqlite:///{path}")
    return db, generate(db, N, seed=seed, as_of=AS_OF)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    db, summary = _load(tmp_path_factory.mktemp("demo") / "d.sqlite")
    yield db, summary
    db.dispose()


def _scalar(conn: Connection, sql: str) -> int:
    return int(conn.execute(text(sql)).scalar_one())


def check_core(db: Database, summary: DemoSummary) -> None:
    """The invariants every load must satisfy, on either backend."""
    with db.engine.connect() as conn:
        assert _scalar(conn, "SELECT count(*) FROM account") == N == summary.accounts

        owners = conn.execute(text(
            "SELECT a.id, count(r.id), sum(CASE WHEN r.party_id = c.legal_party_id THEN 1 ELSE 0 END)"
            " FROM account a JOIN customer c ON c.id = a.customer_id"
            " LEFT JOIN party_role r ON r.account_id = a.id AND r.role_type = 'OWNER'"
            "  AND r.effective_to IS NULL GROUP BY a.id")).all()
        assert len(owners) == N
        assert all(count == 1 and same == 1 for _id, count, same in owners)

        # Flux set-ups: a company with several accounts, one account over several premises,
        # a person administering accounts of unrelated customers.
        assert _scalar(conn,
            "SELECT count(*) FROM (SELECT c.id FROM customer c JOIN party p ON p.id = c.legal_party_id"
            " JOIN account a ON a.customer_id = c.id WHERE p.kind = 'ORGANISATION'"
            " GROUP BY c.id HAVING count(a.id) >= 2) x") >= 1
        assert _scalar(conn,
            "SELECT count(*) FROM (SELECT sa.account_id FROM service_agreement sa"
            " JOIN sa_service_point l ON l.service_agreement_id = sa.id"
            " JOIN service_point sp ON sp.id = l.service_point_id"
            " GROUP BY sa.account_id HAVING count(DISTINCT sp.premise_id) >= 2) x") >= 1
        assert _scalar(conn,
            "SELECT count(*) FROM (SELECT r.party_id FROM party_role r JOIN party p ON p.id = r.party_id"
            " JOIN account a ON a.id = r.account_id"
            " WHERE r.role_type = 'ADMINISTRATOR' AND p.kind = 'PERSON'"
            " GROUP BY r.party_id HAVING count(DISTINCT a.customer_id) >= 2) x") >= 1
        assert _scalar(conn,
            "SELECT count(*) FROM party_role r JOIN account a ON a.id = r.account_id"
            " JOIN customer c ON c.id = a.customer_id"
            " WHERE r.role_type = 'ADMINISTRATOR' AND r.granted_by_party_id = c.legal_party_id") >= 2
        # Landlords and parent premises.
        parents = {row[0] for row in conn.execute(text(
            "SELECT DISTINCT p.premise_type FROM premise c JOIN premise p ON p.id = c.parent_premise_id"))}
        assert {"APARTMENT_BUILDING", "SHOPPING_CENTRE"} <= parents
        assert _scalar(conn,
            "SELECT count(*) FROM landlord_agreement la JOIN premise p"
            " ON p.landlord_agreement_id = la.id") >= 3
        assert _scalar(conn, "SELECT count(*) FROM party_role WHERE role_type = 'PROPERTY_OWNER'") > 0
        assert _scalar(conn, "SELECT count(*) FROM party_role WHERE role_type = 'TENANT'") > 0

        # Never two overlapping agreements (that are not canceled) on one service point.
        periods: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        for sp, start, end in conn.execute(text(
                "SELECT l.service_point_id, sa.start_date, sa.end_date FROM sa_service_point l"
                " JOIN service_agreement sa ON sa.id = l.service_agreement_id"
                " WHERE sa.status <> 'CANCELED' AND sa.is_proposal = :no"), {"no": False}):
            start = dt.date.fromisoformat(str(start))
            end = dt.date.fromisoformat(str(end)) if end is not None else dt.date.max
            periods[sp].append((start, end))
        assert any(len(p) > 1 for p in periods.values())
        for spans in periods.values():
            spans.sort()
            for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
                assert e1 < s2

        # A bill is exactly the sum of its segments.
        segment_sums: dict[int, Decimal] = defaultdict(Decimal)
        for bill_id, amount in conn.execute(select(BillSegment.bill_id, BillSegment.amount)):
            segment_sums[bill_id] += amount
        bills = conn.execute(select(Bill.id, Bill.amount)).all()
        assert len(bills) == summary.bills > N
        assert all(amount == segment_sums[bill_id] for bill_id, amount in bills)
        assert all(amount.as_tuple().exponent == -2 for _b, amount in bills)

        every_number: list[str] = []
        for table in NUMBERED:
            numbers = conn.execute(text(f"SELECT number FROM {table}")).scalars().all()
            assert numbers and all(is_valid(n) for n in numbers), table
            every_number.extend(numbers)
        # Unique within each table and even across tables: a number names one object.
        assert len(set(every_number)) == len(every_number)

        # Every foreign key points at a row (PostgreSQL loads skip the per-row triggers).
        for model_table in Base.metadata.sorted_tables:
            for fk in model_table.foreign_keys:
                parent = fk.column.table.name
                orphans = _scalar(conn,
                    f'SELECT count(*) FROM "{model_table.name}" c WHERE c."{fk.parent.name}" IS NOT NULL'
                    f' AND NOT EXISTS (SELECT 1 FROM "{parent}" p'
                    f' WHERE p."{fk.column.name}" = c."{fk.parent.name}")')
                assert orphans == 0, f"{model_table.name}.{fk.parent.name}"

        # Somebody owes money now; the history is 24 months before as_of.
        billed = _scalar(conn, "SELECT count(*) FROM bill WHERE bill_date > '2023-06-01'")
        assert billed == summary.bills
        assert _scalar(conn, "SELECT count(*) FROM bill WHERE bill_date > '2025-06-01'") == 0
        rate_codes = {code for (code,) in conn.execute(text(
            "SELECT DISTINCT rate_schedule_code FROM sa_rate_history"))}

    # The shipped rate library is stored, whole and exact, and has every rate the agreements
    # are on.
    rates.forget_cache()
    stored = rates.rate_library(db)
    assert stored == load_shipped_library()
    assert {"E-RES-1", "E-COM-1", "COM-TOU", "ERES1", "ERES-TAX"} <= set(stored.rate_schedules)
    assert rate_codes and rate_codes <= set(stored.rate_schedules)
    assert rates.rate_count(db) == len(stored.rate_schedules)


def test_columns_match_the_models() -> None:
    for table, columns in {**TABLE_COLUMNS, **REFERENCE_COLUMNS}.items():
        assert columns == tuple(c.name for c in Base.metadata.tables[table].columns), table


def test_sqlite_load_has_the_whole_utility(demo: tuple[Database, DemoSummary]) -> None:
    db, summary = demo
    check_core(db, summary)
    assert summary.customers < summary.accounts < summary.premises
    path = db.url.database
    assert path
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)

        def one(sql: str) -> int:
            return int(raw.execute(sql).fetchone()[0])

        statuses = {r[0] for r in raw.execute("SELECT DISTINCT status FROM service_agreement")}
        assert {"ACTIVE", "PENDING_START", "PENDING_STOP", "CLOSED"} <= statuses
        assert {r[0] for r in raw.execute("SELECT DISTINCT service_type FROM service_point")} == {
            "ELECTRIC", "GAS", "WATER"}
        assert one("SELECT count(*) FROM (SELECT service_agreement_id FROM sa_rate_history"
                   " GROUP BY service_agreement_id HAVING count(*) = 2) x") >= 1
        assert one("SELECT count(*) FROM device_installation WHERE removed_on IS NOT NULL") >= 1
        assert one("SELECT count(*) FROM register WHERE tou = 'ON'") >= 1
        assert one("SELECT count(*) FROM register WHERE uom = 'KW'") >= 1
        assert one("SELECT count(*) FROM item") >= 10
        assert one("SELECT count(*) FROM account WHERE invoicing_mode = 'STATEMENT'"
                   " OR description LIKE '%all sites'") >= 1
        assert one("SELECT count(DISTINCT characteristic_type_code) FROM characteristic_value") >= 3
        assert one("SELECT count(*) FROM party WHERE kind = 'ORGANISATION'") >= 10
        assert one("SELECT count(*) FROM party_identifier WHERE kind = 'COMPANY_REGISTRATION'") >= 5
        assert one("SELECT count(*) FROM party_contact WHERE kind = 'PHONE'"
                   " AND value NOT LIKE '+1__________'") == 0
        assert one("SELECT count(*) FROM party_contact WHERE value <> lower(value)") == 0
        assert one("SELECT count(*) FROM subscription") >= 1
        assert one("SELECT count(*) FROM customer WHERE customer_class = 'RESIDENTIAL'") > \
            one("SELECT count(*) FROM customer") // 2
        # Some accounts owe money: billed more than paid.
        assert one("SELECT count(*) FROM account a WHERE (SELECT coalesce(sum(amount), 0) FROM bill"
                   " WHERE account_id = a.id) > (SELECT coalesce(sum(amount), 0) + 1 FROM payment"
                   " WHERE account_id = a.id)") >= 1
        for table in ("party", "account", "party_role"):
            assert raw.execute(f"SELECT DISTINCT version, updated_by FROM {table}").fetchall() == [
                (1, "demo")]
        # the real agreements are the bulk load's; the proposals its demo quotes made, the
        # loans its demo loan officer started (through the services)
        assert raw.execute("SELECT DISTINCT version, updated_by FROM service_agreement WHERE "
                           "is_proposal = 0 AND id NOT IN (SELECT service_agreement_id FROM "
                           "loan_agreement)").fetchall() == [(1, "demo")]
        loan_statuses = {r[0] for r in raw.execute(
            "SELECT sa.status FROM service_agreement sa JOIN loan_agreement l "
            "ON l.service_agreement_id = sa.id")}
        assert {"ACTIVE", "PENDING_START", "CLOSED"} <= loan_statuses
        assert one("SELECT count(*) FROM quote") >= 1
        assert one("SELECT count(*) FROM quote WHERE status = 'COMPLETE'") == 1
        assert one("SELECT count(*) FROM service_agreement WHERE is_proposal = 1") == \
            2 * one("SELECT count(*) FROM quote")


def _digest(path: Path) -> str:
    """The bulk load's rows (`updated_by = 'demo'`): the demo quotes are made afterwards
    through the services, with fresh random numbers and timestamps."""
    digest = hashlib.sha256()
    with sqlite3.connect(path) as raw:
        for table in [*REFERENCE_COLUMNS, *TABLE_COLUMNS]:
            columns = {r[1] for r in raw.execute(f'PRAGMA table_info("{table}")')}
            where = " WHERE updated_by = 'demo'" if "updated_by" in columns else ""
            for row in raw.execute(f'SELECT * FROM "{table}"{where} ORDER BY 1, 2'):
                digest.update(repr(row).encode())
    return digest.hexdigest()


def test_same_seed_same_rows_other_seed_other_rows(
    demo: tuple[Database, DemoSummary], tmp_path: Path
) -> None:
    db, summary = demo
    again, summary2 = _load(tmp_path / "again.sqlite")
    other, _ = _load(tmp_path / "other.sqlite", seed=2)
    for database in (again, other):
        database.dispose()
    first = db.url.database
    assert first
    assert _digest(Path(first)) == _digest(tmp_path / "again.sqlite")
    assert _digest(tmp_path / "other.sqlite") != _digest(tmp_path / "again.sqlite")
    assert (summary2.accounts, summary2.bills, summary2.rows) == (
        summary.accounts, summary.bills, summary.rows)


def test_refuses_a_database_that_has_customers(demo: tuple[Database, DemoSummary]) -> None:
    db, _ = demo
    with pytest.raises(DomainError, match=f"already holds {N} accounts"):
        generate(db, 5, as_of=AS_OF)


def test_tiny_loads_and_progress(tmp_path: Path) -> None:
    for n in (1, 7):
        db = open_database(f"sqlite:///{tmp_path}/tiny{n}.sqlite")
        calls: list[tuple[int, int]] = []

        def record(done: int, total: int, calls: list[tuple[int, int]] = calls) -> None:
            calls.append((done, total))

        summary = generate(db, n, as_of=AS_OF, progress=record)
        assert summary.accounts == n
        assert calls[-1] == (n, n)
        with db.engine.connect() as conn:
            assert _scalar(conn, "SELECT count(*) FROM account") == n
        db.dispose()


PG_URL = os.environ.get("SWITCHBOARD_TEST_PG_URL")


@pytest.mark.pg
@pytest.mark.skipif(not PG_URL, reason="PostgreSQL tests need SWITCHBOARD_TEST_PG_URL")
def test_postgresql_load() -> None:
    with own_pg_database("switchboard_demo_test") as db:
        summary = generate(db, N, as_of=AS_OF)
        check_core(db, summary)
        with db.engine.connect() as conn:
            # The id sequences continue after the loaded rows.
            assert conn.execute(text(
                "SELECT nextval(pg_get_serial_sequence('party', 'id'))")).scalar_one() == \
                summary.parties + 1
        with pytest.raises(DomainError):
            generate(db, 1, as_of=AS_OF)
