"""Shared fixtures: a migrated database on SQLite always, and on PostgreSQL when
SWITCHBOARD_TEST_PG_URL names a server database (CI sets it). Service tests take `db` and run
once per backend. Under pytest-xdist each worker uses its own PostgreSQL database beside the
named one (`pg_test_url`)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.db import Database, open_database, parse_database_url
from app.models import Base
from app.models.enums import UserRole
from app.services.context import Actor

PG_URL = os.environ.get("SWITCHBOARD_TEST_PG_URL")

CSR = Actor("csr1", "Casey Reed", frozenset({UserRole.CSR}))
SUPERVISOR = Actor("sup1", "Sam Pike", frozenset({UserRole.SUPERVISOR}))
WAREHOUSE = Actor("wh1", "Wes Hale", frozenset({UserRole.WAREHOUSE}))
ADMIN = Actor("admin", "Ada Min", frozenset({UserRole.ADMIN}))


def pg_test_url() -> str | None:
    """The PostgreSQL database this test process may write to: SWITCHBOARD_TEST_PG_URL itself,
    or, in a pytest-xdist worker (PYTEST_XDIST_WORKER, e.g. "gw0"), its own database on the same
    server named after it (`<database>_gw0`), which `_pg_database` creates when missing. Workers
    truncate their database between tests, so they must never share one."""
    if not PG_URL:
        return None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return PG_URL
    url = parse_database_url(PG_URL)
    return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)


def _create_worker_database(url: str) -> bool:
    """Create the worker database `url` names unless it exists; True when it was created."""
    target = parse_database_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                            {"name": target.database}).first():
                return False
            quoted = admin.dialect.identifier_preparer.quote_identifier(target.database or "")
            conn.execute(text(f"CREATE DATABASE {quoted}"))
            return True
    finally:
        admin.dispose()


def _drop_worker_database(url: str) -> None:
    """Best effort: a database left behind is reused by the next run (and .ci/run drops it)."""
    target = parse_database_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        quoted = admin.dialect.identifier_preparer.quote_identifier(target.database or "")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
    except Exception as exc:  # never fail the run over clean-up
        print(f"could not drop the test database {target.database}: {exc}")
    finally:
        admin.dispose()


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or write the real user's settings or database."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))   # the log file (app.logs)
    monkeypatch.delenv("SWITCHBOARD_DATABASE_URL", raising=False)


@pytest.fixture(autouse=True)
def _fresh_rate_cache() -> Iterator[None]:
    """Compiled rates are cached per database URL; tests reuse URLs (the PostgreSQL database is
    truncated between tests), so each test starts and ends with an empty cache."""
    from app.services import rates

    rates.forget_cache()
    yield
    rates.forget_cache()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    db = open_database(f"sqlite:///{path}")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_database(_sqlite_template: Path) -> Iterator[Database]:
    url = pg_test_url()
    assert url
    created = url != PG_URL and _create_worker_database(url)
    fresh = open_database(f"sqlite:///{_sqlite_template}")   # the same migrations, just run
    _reference_rows.update(_read_reference(fresh))
    fresh.dispose()
    db = open_database(url, upgrade_shared=True)   # a test database left at an older schema
    yield db
    db.dispose()
    if created:
        _drop_worker_database(url)


#: The rows migrations seed (route types, decline reasons, batch controls …), read once from
#: a freshly migrated database and put back after every truncation.
_reference_rows: dict[str, list[dict[str, object]]] = {}


def _read_reference(db: Database) -> dict[str, list[dict[str, object]]]:
    """The reference data a freshly migrated database holds (TRUNCATE removes it with the
    rest, so it is copied once — from the fresh SQLite template, whatever state the
    PostgreSQL database was left in — and restored after each truncation)."""
    from app.migrations.reference import REFERENCE_TABLES

    with db.engine.connect() as conn:
        return {name: [dict(r._mapping) for r in conn.execute(
                    Base.metadata.tables[name].select())]
                for name in REFERENCE_TABLES}


def _truncate_all(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        for table in Base.metadata.sorted_tables:
            rows = _reference_rows.get(table.name)
            if rows:
                conn.execute(table.insert(), rows)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        path = tmp_path / "switchboard.sqlite"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        database = open_database(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    if not PG_URL:
        pytest.skip("PostgreSQL tests need SWITCHBOARD_TEST_PG_URL")
    database = request.getfixturevalue("_pg_database")
    _truncate_all(database)
    yield database


@contextmanager
def own_pg_database(prefix: str) -> Iterator[Database]:
    """A new, empty, migrated PostgreSQL database of the test's own (for what loads only into
    an empty database, like the demo), dropped afterwards."""
    raw = os.environ.get("SWITCHBOARD_TEST_PG_URL")
    assert raw, "PostgreSQL tests need SWITCHBOARD_TEST_PG_URL"
    url = make_url(raw).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db = open_database(url.set(database=name))
        try:
            yield db
        finally:
            db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---------------------------------------------------------------------------------- keyring


class MemoryKeyring(KeyringBackend):
    """The keyring's in-memory stand-in for the tests."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    store = MemoryKeyring()
    keyring.set_keyring(store)
    yield store
    keyring.set_keyring(previous)
