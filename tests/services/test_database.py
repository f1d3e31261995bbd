"""Opening databases: bad URLs, servers that are down, foreign files, newer schemas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.db import Database, current_revision, head_revision, open_database
from app.models import Party
from app.services.errors import DatabaseProblem
from app.services.parties import PersonForm, create_person
from tests.conftest import CSR


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "No database URL"),
        ("not a url at all", "is not a database URL"),
        ("mysql://root@localhost/cis", "'mysql' databases are not supported"),
        ("postgresql+asyncpg://u@h/db", "not supported; Switchboard uses psycopg 3"),
        ("postgresql://u@localhost:5432", "names no database"),
    ],
)
def test_malformed_or_unknown_urls_are_refused_with_a_hint(url: str, words: str) -> None:
    with pytest.raises(DatabaseProblem) as caught:
        open_database(url)
    assert words in caught.value.message
    assert "sqlite:///" in caught.value.message  # says what to type instead


def test_unreachable_postgresql_names_host_and_port() -> None:
    with pytest.raises(DatabaseProblem) as caught:
        open_database("postgresql://nobody@127.0.0.1:1/cis")
    assert "127.0.0.1:1" in caught.value.message
    assert "Check that the server is running" in caught.value.message


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=60
    )


def test_cli_reports_unreachable_server_with_exit_2_and_no_traceback() -> None:
    result = _cli("db", "current", "--database", "postgresql://nobody@127.0.0.1:1/cis")
    assert result.returncode == 2
    assert "127.0.0.1:1" in result.stderr
    assert "Traceback" not in result.stderr


def test_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    content = b"These are my meeting notes, not a database.\n" * 40
    path.write_bytes(content)
    with pytest.raises(DatabaseProblem) as caught:
        open_database(f"sqlite:///{path}")
    assert "is not a Switchboard database" in caught.value.message
    assert path.read_bytes() == content
    result = _cli("db", "upgrade", "--database", f"sqlite:///{path}")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_new_file_is_created_and_migrated_to_head(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.sqlite"
    db = open_database(f"sqlite:///{path}")
    try:
        assert path.exists()
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.dispose()


def test_a_database_with_agreements_upgrades_in_place(tmp_path: Path) -> None:
    """A schema change to a table other rows reference (service_agreement, migration 0006)
    adds its columns in place: a SQLite batch copy would have to drop the referenced table."""
    from alembic import command

    from app.db import alembic_config, create_db_engine

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_db_engine(url)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
    with engine.begin() as conn:
        for statement in (
            "INSERT INTO party (id, number, kind, display_name, last_name, status, version, "
            "updated_by, search_name) VALUES (1, '1000000009', 'PERSON', 'Old, Ada', 'Old', "
            "'ACTIVE', 1, 'x', 'old ada')",
            "INSERT INTO customer (id, number, legal_party_id, customer_class, status, version, "
            "updated_by) VALUES (1, '2000000001', 1, 'RESIDENTIAL', 'ACTIVE', 1, 'x')",
            "INSERT INTO account (id, number, customer_id, billing_frequency, invoicing_mode, "
            "currency, status, setup_date, version, updated_by) VALUES (1, '3000000006', 1, "
            "'MONTHLY', 'CONSOLIDATED', 'USD', 'ACTIVE', '2020-01-01', 1, 'x')",
            "INSERT INTO service_agreement (id, number, account_id, sa_type, service_type, "
            "start_date, status, version, updated_by) VALUES (1, '4000000003', 1, 'E-RES', "
            "'ELECTRIC', '2020-01-01', 'ACTIVE', 1, 'x')",
            "INSERT INTO sa_rate_history (id, service_agreement_id, effective_from, "
            "rate_schedule_code, version, updated_by) VALUES (1, 1, '2020-01-01', 'E-RES-1', "
            "1, 'x')",
        ):
            conn.exec_driver_sql(statement)
    engine.dispose()
    db = open_database(url)                                  # upgrades to the head
    try:
        assert current_revision(db.engine) == head_revision()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT number, is_proposal FROM service_agreement")
                                ).all() == [("4000000003", False)]
            assert conn.execute(text("SELECT count(*) FROM sa_rate_history")).scalar() == 1
    finally:
        db.dispose()


def test_schema_newer_than_the_app_is_refused_and_not_altered(db) -> None:  # type: ignore[no-untyped-def]
    create_person(db, CSR, PersonForm(last_name="Keep"))
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseProblem) as caught:
        open_database(db.engine.url)
    assert "newer version of Switchboard" in caught.value.message
    assert "9999_future" in caught.value.message
    assert current_revision(db.engine) == "9999_future"
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Party)) == 1
    with db.engine.begin() as conn:  # put it back so the fixture can clean up
        conn.execute(text(f"UPDATE alembic_version SET version_num = '{head_revision()}'"))


def test_cli_db_current_and_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    upgraded = _cli("db", "upgrade", "--database", url)
    assert upgraded.returncode == 0, upgraded.stderr
    current = _cli("db", "current", "--database", url)
    assert f"schema {head_revision()} (up to date)" in current.stdout


def test_settings_never_write_a_password(tmp_path: Path) -> None:
    from app.config import Settings
    from app.services.errors import ValidationError

    with pytest.raises(ValidationError, match="never saves passwords"):
        Settings(database_url="postgresql://ops:s3cret@db.example:5432/cis").save()
    assert not Settings.path().exists()
    Settings(database_url="postgresql://ops@db.example:5432/cis").save()
    assert "s3cret" not in Settings.path().read_text()
    assert Settings.load().database_url == "postgresql://ops@db.example:5432/cis"


#: Search indexes 0003 creates on expressions or with a collation the models do not declare.
MIGRATION_ONLY_INDEXES = frozenset({
    "ix_party_merged_into_party_id", "ix_party_search_name", "ix_party_contact_phone_suffix",
    "ix_party_role_granted_by_party_id", "ix_premise_postal_address", "ix_premise_search_address",
    "ix_premise_search_street", "ix_subscription_email", "ix_premise_search_address_trgm",
})


def test_the_migrations_build_exactly_the_models_tables(db: Database) -> None:
    """A column or table added to a model without a migration (or the reverse) fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.models import Base

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    unexpected = [d for d in diff if not (
        isinstance(d, tuple) and d[0] == "remove_index" and d[1].name in MIGRATION_ONLY_INDEXES)
        and not (db.is_sqlite and _only_a_varchar_length(d))]
    assert unexpected == []


def _only_a_varchar_length(change: object) -> bool:
    """SQLite does not enforce a VARCHAR's length, so a migration widening one changes it on
    PostgreSQL only (a SQLite table copy would drop a table other rows reference)."""
    if not (isinstance(change, list) and len(change) == 1):
        return False
    op = change[0]
    if op[0] != "modify_type":
        return False
    from sqlalchemy import String

    return isinstance(op[5], String) and isinstance(op[6], String)
