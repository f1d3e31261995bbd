"""Safe upgrades: a SQLite file is backed up before a migration and restored byte for byte when
it fails; a shared PostgreSQL schema is upgraded only by an administrator; database passwords
go to the keyring, never to the settings file; the log file records what happened."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import textwrap
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import keyring
import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import db as db_module
from app.cli import main
from app.config import Settings, keyring_username, save_password, saved_password
from app.db import (
    MIGRATIONS_DIR,
    Database,
    SchemaUpgradeNeeded,
    alembic_config,
    create_db_engine,
    current_revision,
    head_revision,
    open_database,
    parse_database_url,
    with_saved_password,
)
from app.logs import log_path
from app.models.enums import UserRole
from app.services import users
from app.services.errors import DatabaseProblem, DomainError, PermissionDenied
from app.services.schema_access import authenticate_any_schema
from tests.conftest import MemoryKeyring

OLD = "0009"
BACKUP_NAME = re.compile(r"^(?P<name>.+\.sqlite)\.backup-\d{8}-\d{4}-rev(?P<rev>\w+)(-\d+)?$")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _old_sqlite(path: Path, revision: str = OLD) -> str:
    """A SQLite file migrated only up to `revision`, with a row in it, closed cleanly."""
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO party (id, number, kind, display_name, last_name, status, version, "
            "updated_by, search_name) VALUES (1, '1000000009', 'PERSON', 'Old, Ada', 'Old', "
            "'ACTIVE', 1, 'x', 'old ada')")
    engine.dispose()
    assert not path.with_name(path.name + "-wal").exists()  # checkpointed on close
    return url


def _backups(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ".backup-" in p.name)


# ------------------------------------------------------------------------------------ SQLite


def test_upgrade_from_an_older_schema_leaves_a_dated_backup(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "switchboard.sqlite"
    url = _old_sqlite(path)
    before = path.read_bytes()
    assert main(["db", "upgrade", "--database", url]) == 0
    (backup,) = _backups(tmp_path)
    match = BACKUP_NAME.match(backup.name)
    assert match and match["name"] == "switchboard.sqlite" and match["rev"] == OLD
    assert backup.read_bytes() == before                       # the database as it was
    out, err = capsys.readouterr()
    assert f"Backed up {path} to {backup}" in err              # said on the terminal
    assert f"from schema {OLD} to {head_revision()}" in out
    db = open_database(url)
    try:
        assert current_revision(db.engine) == head_revision()
        assert db.upgrade_report is None                       # nothing more to do
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT display_name FROM party")).scalar() == "Old, Ada"
    finally:
        db.dispose()
    assert len(_backups(tmp_path)) == 1                        # only when migrating
    log = log_path().read_text(encoding="utf-8")
    assert "Backed up" in log and f"Upgraded SQLite {path} from schema {OLD}" in log


def test_open_database_reports_the_backup(tmp_path: Path) -> None:
    url = _old_sqlite(tmp_path / "a.sqlite")
    db = open_database(url)
    try:
        report = db.upgrade_report
        assert report is not None and report.from_revision == OLD
        assert report.backup is not None and report.backup.exists()
        assert str(report.backup) in report.sentence
    finally:
        db.dispose()


def test_a_fresh_file_needs_no_backup(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'new.sqlite'}")
    db.dispose()
    assert _backups(tmp_path) == []
    assert db.upgrade_report is not None and db.upgrade_report.from_revision is None


def test_backup_of_a_database_with_unsaved_wal_pages_is_consistent(tmp_path: Path) -> None:
    """Pages still in the write-ahead log (another connection open) are in the backup."""
    import sqlite3

    path = tmp_path / "busy.sqlite"
    _old_sqlite(path)
    other = sqlite3.connect(str(path))
    other.execute("PRAGMA journal_mode=WAL")
    other.execute("PRAGMA wal_autocheckpoint=0")
    other.execute("UPDATE party SET display_name = 'In the WAL' WHERE id = 1")
    other.commit()
    try:
        backup = db_module.backup_sqlite(path, OLD)
        copy = sqlite3.connect(str(backup))
        try:
            assert copy.execute("SELECT display_name FROM party").fetchone() == ("In the WAL",)
            assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            copy.close()
    finally:
        other.close()


def _failing_migrations(tmp_path: Path) -> Path:
    """A copy of the migrations with one more revision that fails half-way."""
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    head = head_revision()
    (folder / "versions" / "9000_fails.py").write_text(textwrap.dedent(f'''
        """A migration that fails after its first step."""
        import sqlalchemy as sa
        from alembic import op

        revision = "9000"
        down_revision = "{head}"
        branch_labels = None
        depends_on = None


        def upgrade() -> None:
            op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
            op.execute("INSERT INTO half_done (id) VALUES (1)")
            raise RuntimeError("the new column clashes with an old one")


        def downgrade() -> None:
            pass
    '''), encoding="utf-8")
    return folder


def test_a_failing_revision_restores_the_file_byte_for_byte(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "data" / "switchboard.sqlite"
    open_database(f"sqlite:///{path}").dispose()             # at this program's head
    before = _digest(path)
    real_head = head_revision()
    monkeypatch.setattr(db_module, "MIGRATIONS_DIR", _failing_migrations(tmp_path))
    assert head_revision() == "9000"
    with pytest.raises(DatabaseProblem) as caught:
        open_database(f"sqlite:///{path}")
    (backup,) = _backups(path.parent)
    match = BACKUP_NAME.match(backup.name)
    assert match and match["rev"] == real_head
    assert _digest(path) == before and _digest(backup) == before
    message = caught.value.message
    assert "the new column clashes with an old one" in message
    assert "was restored" in message and str(backup) in message
    monkeypatch.undo()
    db = open_database(f"sqlite:///{path}")                   # the old program opens it again
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").scalar() == 0
    finally:
        db.dispose()


def test_a_step_that_commits_half_a_change_is_undone_by_the_restore(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An Alembic step that wrote and committed part of its change outside the migration's
    transaction, then failed: only the backup brings the file back."""
    import sqlite3

    path = tmp_path / "switchboard.sqlite"
    url = _old_sqlite(path)
    original = path.read_bytes()

    def half_upgrade(cfg: Any, revision: str) -> None:
        side = sqlite3.connect(str(path), isolation_level=None)
        side.execute("CREATE TABLE committed_too_soon (id INTEGER)")
        side.execute("UPDATE party SET display_name = 'Half, Done'")
        side.close()
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(db_module.command, "upgrade", half_upgrade)
    with pytest.raises(DatabaseProblem) as caught:
        open_database(url)
    assert "was restored" in caught.value.message and "disk I/O error" in caught.value.message
    assert path.read_bytes() == original
    (backup,) = _backups(tmp_path)
    assert backup.read_bytes() == original
    assert not path.with_name(path.name + "-wal").exists()
    result = main(["db", "current", "--database", url])
    assert result == 0


def test_no_backup_possible_means_no_migration(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "switchboard.sqlite"
    url = _old_sqlite(path)
    original = path.read_bytes()

    def full_disk(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(db_module.shutil, "copyfile", full_disk)
    with pytest.raises(DatabaseProblem, match="could not make a backup copy") as caught:
        open_database(url)
    assert "Nothing was changed" in caught.value.message
    assert path.read_bytes() == original
    monkeypatch.undo()
    engine = create_db_engine(url)
    try:
        assert current_revision(engine) == OLD
    finally:
        engine.dispose()


def test_the_log_records_start_and_refusals(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'l.sqlite'}"
    assert main(["db", "upgrade", "--database", url]) == 0
    assert main(["db", "current", "--database", "postgresql://nobody@127.0.0.1:1/cis"]) == 2
    capsys.readouterr()
    log = log_path().read_text(encoding="utf-8")
    assert "starting (db upgrade)" in log and "starting (db current)" in log
    assert f"Opened SQLite {tmp_path / 'l.sqlite'}" in log
    assert "Refused: Cannot reach the PostgreSQL server at 127.0.0.1:1" in log
    assert str(log_path()).startswith(os.environ["XDG_STATE_HOME"])   # never the real home


# ---------------------------------------------------------------------------------- keyring


def test_the_password_goes_to_the_keyring_never_to_settings(memory_keyring: MemoryKeyring) -> None:
    url = parse_database_url("postgresql://ops@db.example:5432/cis")
    save_password(url, "s3cret-Pw")
    assert memory_keyring.entries == {("switchboard", "ops@db.example/cis"): "s3cret-Pw"}
    assert keyring_username(url) == "ops@db.example/cis"
    Settings(database_url="postgresql://ops@db.example:5432/cis").save()
    assert "s3cret" not in Settings.path().read_text(encoding="utf-8")
    assert saved_password(url) == "s3cret-Pw"
    assert with_saved_password(url).password == "s3cret-Pw"        # used when connecting
    other = parse_database_url("postgresql://ops@db.example:5432/other")
    assert with_saved_password(other).password is None
    typed = parse_database_url("postgresql://ops:typed@db.example:5432/cis")
    assert with_saved_password(typed).password == "typed"


def test_without_a_keyring_the_password_is_simply_not_found() -> None:
    from keyring.backends.fail import Keyring as NoKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        url = parse_database_url("postgresql://ops@db.example:5432/cis")
        assert saved_password(url) is None
        from app.config import KeyringUnavailable

        with pytest.raises(KeyringUnavailable):
            save_password(url, "x")
    finally:
        keyring.set_keyring(previous)


@pytest.mark.pg
def test_the_saved_password_is_used_to_connect(memory_keyring: MemoryKeyring) -> None:
    """The server is asked with the keyring's password (a wrong one is refused by a server
    that checks passwords; with trust authentication the connection simply works)."""
    raw = os.environ.get("SWITCHBOARD_TEST_PG_URL")
    if not raw:
        pytest.skip("needs SWITCHBOARD_TEST_PG_URL")
    url = parse_database_url(raw)
    seen: list[str | None] = []
    real = db_module.create_db_engine

    def spy(u: Any, **kw: Any) -> Any:
        seen.append(u.password)
        return real(u, **kw)

    save_password(url, "from-the-keyring")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(db_module, "create_db_engine", spy)
        open_database(url.set(password=None), migrate=False).dispose()
    assert seen == ["from-the-keyring"]


# ------------------------------------------------------------------------------- PostgreSQL


@contextmanager
def old_pg_database(revision: str = OLD) -> Iterator[str]:
    """A PostgreSQL database of the test's own, migrated only up to `revision`, with an
    administrator 'ada' and a CSR 'cody' (password 'correct-horse-1'); dropped afterwards."""
    raw = os.environ.get("SWITCHBOARD_TEST_PG_URL")
    if not raw:
        pytest.skip("PostgreSQL tests need SWITCHBOARD_TEST_PG_URL")
    url = make_url(raw).set(drivername="postgresql+psycopg")
    name = f"sb_old_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    target = url.set(database=name)
    try:
        engine = create_db_engine(target)
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        engine.dispose()
        db = open_database(target, migrate=False)
        try:
            users.create_user(db, users.SYSTEM, "ada", "Ada Admin", {UserRole.ADMIN},
                              PASSWORD, PASSWORD)
            users.create_user(db, users.SYSTEM, "cody", "Cody Csr", {UserRole.CSR},
                              PASSWORD, PASSWORD)
        finally:
            db.dispose()
        yield target.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


PASSWORD = "correct-horse-1"


def _revision(url: str) -> str | None:
    engine = create_db_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


@pytest.mark.pg
def test_an_older_shared_schema_is_never_migrated_silently(capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    with old_pg_database() as url:
        with pytest.raises(SchemaUpgradeNeeded) as caught:
            open_database(url)
        message = caught.value.message
        assert f"is at schema {OLD}" in message and f"needs schema {head_revision()}" in message
        assert "Ask an administrator" in message and "Nothing was changed" in message
        assert main(["search", "okafor", "--database", url]) == 2   # any command: refused
        assert "Ask an administrator" in capsys.readouterr().err
        assert main(["db", "current", "--database", url]) == 0
        assert "an administrator runs 'switchboard db upgrade'" in capsys.readouterr().out
        assert _revision(url) == OLD


@pytest.mark.pg
def test_log_in_works_at_the_older_schema_and_only_admins_may_upgrade() -> None:
    with old_pg_database() as url:
        db = open_database(url, migrate=False)
        try:
            ada = authenticate_any_schema(db, "ada", PASSWORD)
            assert ada.roles == frozenset({UserRole.ADMIN}) and ada.display_name == "Ada Admin"
            with pytest.raises(DomainError, match="not right"):
                authenticate_any_schema(db, "ada", "wrong-password")
            cody = authenticate_any_schema(db, "cody", PASSWORD)
            from app.services.schema_access import require_schema_admin

            require_schema_admin(ada, db.description, OLD, head_revision())
            with pytest.raises(PermissionDenied, match="only an administrator can upgrade"):
                require_schema_admin(cody, db.description, OLD, head_revision())
        finally:
            db.dispose()


@pytest.mark.pg
def test_cli_db_upgrade_of_a_shared_database_is_for_administrators(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import getpass

    with old_pg_database() as url:
        monkeypatch.setattr("builtins.input", lambda _prompt="": "cody")
        monkeypatch.setattr(getpass, "getpass", lambda _prompt="": PASSWORD)
        assert main(["db", "upgrade", "--database", url]) == 2
        err = capsys.readouterr().err
        assert "only an administrator can upgrade it" in err and "Log in as an administrator" in err
        assert _revision(url) == OLD
        monkeypatch.setattr("builtins.input", lambda _prompt="": "ada")
        assert main(["db", "upgrade", "--database", url]) == 0
        out = capsys.readouterr().out
        assert f"schema {head_revision()} (up to date)" in out
        assert f"from schema {OLD} to {head_revision()}" in out
        assert _revision(url) == head_revision()
        assert "ada upgrades PostgreSQL" in log_path().read_text(encoding="utf-8")
        db: Database = open_database(url)                   # now simply opens
        db.dispose()


@pytest.mark.pg
def test_a_shared_schema_newer_than_the_workstation_is_refused_clearly() -> None:
    with old_pg_database() as url:
        engine = create_db_engine(url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        engine.dispose()
        for migrate in (True, False):
            with pytest.raises(DatabaseProblem) as caught:
                open_database(url, migrate=migrate)
            assert "newer version of Switchboard (schema 9999_future)" in caught.value.message
            assert "Install the newer Switchboard" in caught.value.message
        assert _revision(url) == "9999_future"
