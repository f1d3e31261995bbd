"""Database engine and session factory, SQLite pragmas, and Alembic upgrade at start.

One code path serves both a local SQLite file and a shared PostgreSQL server. Every failure a
person can cause (a mistyped URL, a server that is down, a file that is not a database, a schema
written by a newer Switchboard) becomes a `DatabaseProblem` whose message says what to do.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
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
log = logging.getLogger(__name__)
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
        log.warning("Refused %s: schema %s is newer than this version's %s",
                    describe_url(engine.url), revision, script.get_current_head())
        raise DatabaseProblem(
            f"This database was set up by a newer version of Switchboard (schema {revision}); "
            f"this program knows schemas up to {script.get_current_head()}. Install the newer "
            "Switchboard on this computer to open it (ask your administrator for it). "
            "Nothing was changed."
        )


class SchemaUpgradeNeeded(DatabaseProblem):
    """A shared (PostgreSQL) database is at an older schema than this version needs.

    It is never migrated silently: an administrator upgrades it, after a confirmation (the
    window) or with `switchboard db upgrade`."""

    def __init__(self, description: str, current: str, head: str) -> None:
        super().__init__(
            f"The shared database {description} is at schema {current}; this version of "
            f"Switchboard needs schema {head}. Ask an administrator to upgrade it (they open it "
            "with this version and confirm, or run 'switchboard db upgrade'). Nothing was changed."
        )
        self.description, self.current, self.head = description, current, head


@dataclass(frozen=True)
class UpgradeReport:
    """What a migration at start did: from which schema, to which, and the backup made."""

    database: str
    from_revision: str | None
    to_revision: str
    backup: Path | None = None

    @property
    def sentence(self) -> str:
        if self.from_revision is None:
            return f"Created the Switchboard tables in {self.database} (schema {self.to_revision})."
        saved = f" A copy from before is at {self.backup}." if self.backup else ""
        return (f"Upgraded {self.database} from schema {self.from_revision} to "
                f"{self.to_revision}.{saved}")


def sqlite_file(url: URL) -> Path | None:
    """The file a SQLite URL names (None for an in-memory database or another backend)."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser()


def backup_path(path: Path, revision: str, now: dt.datetime | None = None) -> Path:
    """`name.sqlite.backup-20261207-1530-rev0009` beside the file (`-2`, `-3` … if taken)."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M")
    base = path.with_name(f"{path.name}.backup-{stamp}-rev{revision}")
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def backup_sqlite(path: Path, revision: str) -> Path:
    """A consistent copy of the SQLite file beside it, taken before a migration.

    The write-ahead log is checkpointed into the file first, and the copy is made while this
    connection holds the write lock, so the backup is the database byte for byte as it was
    (with a WAL another writer filled in between, SQLite's backup API copies instead)."""
    target = backup_path(path, revision)
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("BEGIN IMMEDIATE")
        try:
            wal = path.with_name(path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                dest = sqlite3.connect(str(target))
                try:
                    conn.backup(dest)
                finally:
                    dest.close()
            else:
                shutil.copyfile(path, target)
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()
    return target


def restore_sqlite(path: Path, backup: Path) -> None:
    """Put the backup back in place of the file (its WAL and shared-memory files removed)."""
    for suffix in ("-wal", "-shm", "-journal"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.unlink()
    tmp = path.with_name(path.name + ".restoring")
    shutil.copyfile(backup, tmp)
    os.replace(tmp, path)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it in an empty database).

    The bare Alembic step, without a backup; `upgrade_database` is what the app calls."""
    check_schema_not_newer(engine)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def upgrade_database(engine: Engine, *, shared_upgrade_allowed: bool = False) -> UpgradeReport | None:
    """Migrate to the head the safe way; a report of what was done, None when up to date.

    * SQLite file at an older schema: a dated backup beside it first; if the migration fails,
      the backup is put back byte for byte and DatabaseProblem says so and where it is.
    * PostgreSQL at an older schema: SchemaUpgradeNeeded unless `shared_upgrade_allowed` (the
      caller has checked that an administrator confirmed). An empty database is set up.
    * A schema newer than this program: refused (check_schema_not_newer)."""
    check_schema_not_newer(engine)
    before = current_revision(engine)
    head = head_revision()
    if before == head:
        return None
    description = describe_url(engine.url)
    if before is not None and engine.url.get_backend_name() != "sqlite" \
            and not shared_upgrade_allowed:
        raise SchemaUpgradeNeeded(description, before, head)
    path = sqlite_file(engine.url)
    backup: Path | None = None
    if before is not None and path is not None:
        try:
            backup = backup_sqlite(path, before)
        except (OSError, sqlite3.Error) as exc:
            log.error("Could not back up %s before upgrading it: %s", path, exc)
            raise DatabaseProblem(
                f"Switchboard needs to upgrade {path} from schema {before} to {head}, but could "
                f"not make a backup copy beside it first ({exc}). Nothing was changed; free some "
                "disk space or make the folder writable and start again."
            ) from None
        log.info("Backed up %s to %s before upgrading it from schema %s to %s",
                 path, backup, before, head, extra={"notice": True})
    log.info("Migrating %s from schema %s to %s", description, before or "(empty)", head)
    try:
        upgrade(engine)
    except Exception as exc:
        log.exception("The migration of %s from schema %s failed", description, before)
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        reason = detail[0] if detail else type(exc).__name__
        if backup is not None and path is not None:
            engine.dispose()
            restore_sqlite(path, backup)
            log.info("Restored %s from %s", path, backup)
            raise DatabaseProblem(
                f"Upgrading {path} from schema {before} to {head} failed ({reason}); the database "
                f"was restored as it was from the backup {backup}, so nothing was lost. Keep "
                "using the previous version of Switchboard and send the log to support."
            ) from exc
        raise DatabaseProblem(
            f"Setting up {description} at schema {head} failed ({reason}). The change was rolled "
            "back; send the log to support."
        ) from exc
    report = UpgradeReport(description, before, head, backup)
    log.info("%s", report.sentence)
    return report


# ------------------------------------------------------------------------------------ database


@dataclass
class Database:
    """An open database: the engine, a session factory and a printable name."""

    engine: Engine
    sessions: sessionmaker[Session]
    #: What opening it migrated (None: nothing); the window and the CLI say so.
    upgrade_report: UpgradeReport | None = None

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


def open_database(raw_url: str | URL, *, migrate: bool = True,
                  upgrade_shared: bool = False) -> Database:
    """Parse, connect, check and (unless told not to) migrate. Raises DatabaseProblem.

    A PostgreSQL URL without a password gets the one saved in the keyring for it, if any.
    A shared database at an older schema raises SchemaUpgradeNeeded unless `upgrade_shared`
    (an administrator's confirmed upgrade); a SQLite file is backed up before it is migrated."""
    url = parse_database_url(raw_url) if isinstance(raw_url, str) else raw_url
    url = with_saved_password(url)
    engine = create_db_engine(url)
    report: UpgradeReport | None = None
    try:
        check_connection(engine)
        if migrate:
            report = upgrade_database(engine, shared_upgrade_allowed=upgrade_shared)
        else:
            check_schema_not_newer(engine)
    except BaseException:
        engine.dispose()
        raise
    log.info("Opened %s", describe_url(url))
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False),
                    upgrade_report=report)


def with_saved_password(url: URL) -> URL:
    """A PostgreSQL URL with a user and no password: the password from the keyring, if saved."""
    if url.get_backend_name() == "sqlite" or url.password or not url.username:
        return url
    from app.config import saved_password

    password = saved_password(url)
    return url.set(password=password) if password else url
