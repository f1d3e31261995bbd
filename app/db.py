"""Database engine and session factory, SQLite pragmas, and Alembic upgrade at start.

One code path serves both a local SQLite file and a shared PostgreSQL server. Every failure a
person can cause (a mistyped URL, a server that is down, a file that is not a database, a schema
written by a newer Switchboard) becomes a `DatabaseProblem` whose message says what to do.
"""

from __future__ import annotations

import sqlite3
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.services.errors import DatabaseProblem

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
URL_HELP = (
    "Use sqlite:///path/to/file.sqlite for a local file, or "
    "postgresql://user@host:5432/database for a shared server."
)

# SQLite stores NUMERIC as its own decimal-ish type; SQLAlchemy converts back to Decimal with the
# column's scale, which is exact for our two-decimal money. The warning says nothing we act on.
warnings.filterwarnings("ignore", message=r".*does \*not\* support Decimal objects natively.*")


def parse_database_url(raw: str) -> URL:
    """Accept sqlite:/// files and PostgreSQL URLs; anything else is refused with a hint."""
    text_url = (raw or "").strip()
    if not text_url:
        raise DatabaseProblem(f"No database URL was given. {URL_HELP}")
    try:
        url = make_url(text_url)
    except ArgumentError:
        raise DatabaseProblem(f"'{raw}' is not a database URL. {URL_HELP}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.drivername not in ("sqlite", "sqlite+pysqlite"):
            raise DatabaseProblem(f"The SQLite driver '{url.drivername}' is not supported. {URL_HELP}")
        return url
    if backend == "postgresql":
        if url.drivername not in ("postgresql", "postgresql+psycopg"):
            raise DatabaseProblem(
                f"The PostgreSQL driver '{url.drivername}' is not supported; "
                f"Switchboard uses psycopg 3. {URL_HELP}"
            )
        if not url.database:
            raise DatabaseProblem(f"The URL '{raw}' names no database. {URL_HELP}")
        return url.set(drivername="postgresql+psycopg")
    raise DatabaseProblem(f"'{backend}' databases are not supported. {URL_HELP}")


def url_has_password(raw: str) -> bool:
    """True when a URL carries a password (which must never be written to settings)."""
    try:
        return bool(make_url(raw.strip()).password)
    except (ArgumentError, ValueError):
        return False


def describe_url(url: URL) -> str:
    """A short, password-free name for the status bar and messages."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database or '(memory)'}"
    return f"PostgreSQL {url.username + '@' if url.username else ''}{url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy manage transactions; pysqlite's own BEGIN handling gets in the way of
    # SELECT ... then write inside one transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    # A service's write transaction takes SQLite's write lock up front (BEGIN IMMEDIATE) so that
    # two workstations checking a capacity rule queue behind each other instead of both reading
    # the old state; readers keep a plain deferred BEGIN.
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_db_engine(url: URL | str, **kwargs: Any) -> Engine:
    """An engine for a parsed URL; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = parse_database_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    connect_args = {"connect_timeout": 5, "application_name": "switchboard"}
    return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def check_connection(engine: Engine) -> None:
    """Open one connection and read from it; raise DatabaseProblem with the reason if it fails."""
    url = engine.url
    try:
        with engine.connect() as conn:
            if url.get_backend_name() == "sqlite":
                conn.exec_driver_sql("PRAGMA schema_version").scalar()
            else:
                conn.execute(text("SELECT 1"))
    except DatabaseError as exc:
        orig = getattr(exc, "orig", None)
        if url.get_backend_name() == "sqlite":
            if isinstance(orig, sqlite3.DatabaseError) and "not a database" in str(orig):
                raise DatabaseProblem(
                    f"The file {url.database} is not a Switchboard database (it is not SQLite at "
                    "all). Choose another file, or move this one away to start a new database."
                ) from None
            raise DatabaseProblem(f"Cannot open the SQLite file {url.database}: {orig}") from None
        if isinstance(exc, OperationalError):
            host, port = url.host or "localhost", url.port or 5432
            detail = str(orig).strip().splitlines()[0] if orig else str(exc)
            raise DatabaseProblem(
                f"Cannot reach the PostgreSQL server at {host}:{port} (database "
                f"'{url.database}'): {detail}. Check that the server is running and that the "
                "host, port and database name are right."
            ) from None
        raise DatabaseProblem(f"The database refused the connection: {orig or exc}") from None


# ---------------------------------------------------------------------------------- migrations


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_schema_not_newer(engine: Engine) -> None:
    """Refuse a database migrated by a newer Switchboard: never alter what we do not know."""
    revision = current_revision(engine)
    if revision is None:
        return
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise DatabaseProblem(
            f"This database was set up by a newer version of Switchboard (schema {revision}); "
            f"this program knows schemas up to {script.get_current_head()}. Install the newer "
            "Switchboard to open it. Nothing was changed."
        )


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it in an empty database)."""
    check_schema_not_newer(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


# ------------------------------------------------------------------------------------ database


@dataclass
class Database:
    """An open database: the engine, a session factory and a printable name."""

    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def url(self) -> URL:
        return self.engine.url

    @property
    def is_sqlite(self) -> bool:
        return self.engine.url.get_backend_name() == "sqlite"

    @property
    def is_networked(self) -> bool:
        return not self.is_sqlite

    @property
    def description(self) -> str:
        return describe_url(self.engine.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(raw_url: str | URL, *, migrate: bool = True) -> Database:
    """Parse, connect, check and (unless told not to) migrate. Raises DatabaseProblem."""
    url = parse_database_url(raw_url) if isinstance(raw_url, str) else raw_url
    engine = create_db_engine(url)
    try:
        check_connection(engine)
        if migrate:
            upgrade(engine)
        else:
            check_schema_not_newer(engine)
    except BaseException:
        engine.dispose()
        raise
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
