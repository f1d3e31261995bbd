"""Fixtures shared by the service tests: a small demo utility for rating (SQLite and
PostgreSQL, by the `db` fixture)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from app.db import Database
from app.demo import generate
from app.services.rate_check import QuantityInput

JULY = (dt.date(2026, 7, 1), dt.date(2026, 7, 31))
KWH_750 = (QuantityInput("KWH", None, None, "750"),)


@pytest.fixture
def rate_demo(db: Database) -> Iterator[Database]:
    """Twelve demo accounts billed up to 2026-11-01, with the shipped rate library."""
    generate(db, 12, seed=3, as_of=dt.date(2026, 11, 1))
    yield db


def active_sa(db: Database, sa_type: str) -> str:
    with db.engine.connect() as conn:
        number = conn.execute(text(
            "SELECT sa.number FROM service_agreement sa WHERE sa.sa_type = :t AND sa.status = "
            "'ACTIVE' AND EXISTS (SELECT 1 FROM bill_segment b WHERE b.service_agreement_id "
            "= sa.id) ORDER BY sa.id"), {"t": sa_type}).scalar()
    assert number, f"the demo has an active {sa_type} agreement with bills"
    return str(number)
