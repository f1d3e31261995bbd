"""Index for finding parties by the start of their name, case-insensitively.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_party_name_prefix"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Byte order ("C"): LIKE 'smi%' can range-scan it and ORDER BY can read it in order,
        # whatever the database's own collation.
        op.create_index(INDEX, "party", [sa.text('lower(display_name) COLLATE "C"')])
        # Statistics on the new expression, or the planner keeps walking the plain name index.
        op.execute("ANALYZE party")
    else:
        op.create_index(INDEX, "party", [sa.text("lower(display_name)")])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="party")
