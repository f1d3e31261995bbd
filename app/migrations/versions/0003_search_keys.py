"""Search keys for Control Central: folded names and addresses, phone suffixes, merged parties.

Every search of Control Central is an index look-up or an index range scan on one of these:
`party.search_name` (names, case- and accent-insensitive), `premise.search_address` and
`search_street` (addresses with and without the house number), `premise.postal_code`,
`party_contact.phone_suffix` (the last seven digits), `subscription.email`. On PostgreSQL the
prefix indexes are in byte order ("C"), whatever the database's collation, so a prefix is a
range and the index also gives the order. The name index of 0002 is superseded.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from app.engine.search_keys import address_keys, name_key, phone_suffix

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 20_000

#: (index name, table, columns); the first column is a prefix key on PostgreSQL.
PREFIX_INDEXES = (
    ("ix_party_search_name", "party", ("search_name", "id")),
    ("ix_premise_search_address", "premise", ("search_address", "id")),
    ("ix_premise_search_street", "premise", ("search_street", "id")),
    # postal code prefix, results in (postal code, address) order straight from the index
    ("ix_premise_postal_address", "premise", ("postal_code", "search_address", "id")),
)


def _fill(table: str, source: str, targets: tuple[str, ...],
          derive: Callable[[str, str | None], tuple[str | None, ...]],
          extra: str | None = None) -> None:
    """Compute the keys of rows already there, in batches (a new database has none)."""
    conn = op.get_bind()
    cols = f"id, {source}" + (f", {extra}" if extra else "")
    update = sa.text(
        f"UPDATE {table} SET " + ", ".join(f"{t} = :{t}" for t in targets) + " WHERE id = :id"
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.text(f"SELECT {cols} FROM {table} WHERE id > :last ORDER BY id LIMIT {BATCH}"),
            {"last": last},
        ).all()
        if not rows:
            return
        params = []
        for row in rows:
            keys = derive(row[1], row[2] if extra else None)
            params.append({"id": row[0], **dict(zip(targets, keys, strict=True))})
        conn.execute(update, params)
        last = rows[-1][0]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("party", sa.Column("search_name", sa.String(254), nullable=False,
                                     server_default=""))
    if postgres:
        op.add_column("party", sa.Column("merged_into_party_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_party_merged_into_party_id_party", "party", "party",
                              ["merged_into_party_id"], ["id"])
    else:  # SQLite adds a column with its reference in place, without rebuilding the table
        op.execute("ALTER TABLE party ADD COLUMN merged_into_party_id INTEGER "
                   "CONSTRAINT fk_party_merged_into_party_id_party REFERENCES party (id)")
    op.add_column("premise", sa.Column("search_address", sa.String(100), nullable=False,
                                       server_default=""))
    op.add_column("premise", sa.Column("search_street", sa.String(100), nullable=False,
                                       server_default=""))
    op.add_column("party_contact", sa.Column("phone_suffix", sa.String(7), nullable=True))

    _fill("party", "display_name", ("search_name",), lambda name, _: (name_key(name),))
    _fill("premise", "address_line1", ("search_address", "search_street"),
          lambda line, _: address_keys(line))
    _fill("party_contact", "value", ("phone_suffix",),
          lambda value, kind: (phone_suffix(value) if kind == "PHONE" else None,), extra="kind")

    op.drop_index("ix_party_name_prefix", table_name="party")
    for name, table, columns in PREFIX_INDEXES:
        if postgres:  # every text key in byte order; the trailing id is an integer
            op.create_index(name, table, [sa.text(f'{c} COLLATE "C"') if c != "id" else c
                                          for c in columns])
        else:
            op.create_index(name, table, list(columns))
    op.create_index("ix_party_contact_phone_suffix", "party_contact", ["phone_suffix"])
    op.create_index("ix_subscription_email", "subscription", ["email"])
    op.create_index("ix_party_merged_into_party_id", "party", ["merged_into_party_id"])
    # A merge re-points the roles the duplicate granted (administrators, R-A3).
    op.create_index("ix_party_role_granted_by_party_id", "party_role", ["granted_by_party_id"])
    if postgres:  # statistics on the new columns, or the planner ignores their indexes
        op.execute("ANALYZE party")
        op.execute("ANALYZE premise")
        op.execute("ANALYZE party_contact")


def downgrade() -> None:
    op.drop_index("ix_party_role_granted_by_party_id", table_name="party_role")
    for name in ("ix_party_merged_into_party_id", "ix_subscription_email",
                 "ix_party_contact_phone_suffix"):
        op.drop_index(name)
    for name, table, _columns in PREFIX_INDEXES:
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("party_contact") as batch:
        batch.drop_column("phone_suffix")
    with op.batch_alter_table("premise") as batch:
        batch.drop_column("search_street")
        batch.drop_column("search_address")
    with op.batch_alter_table("party") as batch:
        batch.drop_column("merged_into_party_id")
        batch.drop_column("search_name")
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_party_name_prefix", "party",
                        [sa.text('lower(display_name) COLLATE "C"')])
    else:
        op.create_index("ix_party_name_prefix", "party", [sa.text("lower(display_name)")])
