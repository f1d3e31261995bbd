"""Where the demo rows go: executemany inside big transactions on SQLite, COPY on PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, cast

from sqlalchemy import Connection

from app.db import Database


class Sink(Protocol):
    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None: ...

    def commit(self) -> None: ...

    def finish(self, max_ids: dict[str, int]) -> None: ...

    def close(self) -> None: ...


def _column_list(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


class SqliteSink:
    """One transaction per chunk; durability is relaxed for the load only (synchronous=OFF)."""

    def __init__(self, db: Database) -> None:
        self.conn: Connection = db.engine.connect()
        # Outside any transaction: SQLite refuses to change the safety level inside one.
        self.raw: Any = cast(Any, self.conn.connection.driver_connection)
        for pragma in ("synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY"):
            self.raw.execute(f"PRAGMA {pragma}")
        self.sql: dict[str, str] = {}
        self.tx = self.conn.begin()

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        sql = self.sql.get(table)
        if sql is None:
            marks = ", ".join("?" * len(columns))
            sql = self.sql[table] = (
                f'INSERT INTO "{table}" ({_column_list(columns)}) VALUES ({marks})'
            )
        self.conn.exec_driver_sql(sql, rows)

    def commit(self) -> None:
        self.tx.commit()
        self.tx = self.conn.begin()

    def finish(self, max_ids: dict[str, int]) -> None:
        self.tx.commit()
        self.conn.exec_driver_sql("PRAGMA analysis_limit=1000")
        self.conn.exec_driver_sql("ANALYZE")
        self.conn.commit()
        self.raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        if self.tx.is_active:
            self.tx.rollback()
        # The pooled connection goes back with the settings app.db gave it.
        for pragma in ("synchronous=NORMAL", "cache_size=-2000", "temp_store=DEFAULT"):
            self.raw.execute(f"PRAGMA {pragma}")
        self.conn.close()


class PostgresSink:
    """COPY through psycopg 3's raw connection; one transaction per chunk."""

    def __init__(self, db: Database) -> None:
        self.conn: Connection = db.engine.connect()
        self.tx = self.conn.begin()
        self.conn.exec_driver_sql("SET synchronous_commit = off")
        # Every key is assigned consistently by the builder, so a superuser load skips the
        # per-row foreign-key triggers (they double the cost of COPY); others keep them.
        superuser = self.conn.exec_driver_sql(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").scalar()
        if superuser:
            self.conn.exec_driver_sql("SET session_replication_role = replica")
        self.raw: Any = cast(Any, self.conn.connection.driver_connection)
        self.sql: dict[str, str] = {}

    def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        sql = self.sql.get(table)
        if sql is None:
            sql = self.sql[table] = f'COPY "{table}" ({_column_list(columns)}) FROM STDIN'
        with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def commit(self) -> None:
        self.tx.commit()
        self.tx = self.conn.begin()

    def finish(self, max_ids: dict[str, int]) -> None:
        for table, top in max_ids.items():
            if top:
                self.conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), {int(top)})"
                )
        self.tx.commit()
        self.conn.exec_driver_sql("SET session_replication_role = DEFAULT")
        self.conn.exec_driver_sql("ANALYZE")
        self.conn.commit()

    def close(self) -> None:
        if self.tx.is_active:
            self.tx.rollback()
        # Never hand a connection that skips foreign-key triggers back to the pool.
        self.conn.exec_driver_sql("RESET session_replication_role")
        self.conn.commit()
        self.conn.close()
