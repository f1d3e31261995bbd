"""Who is acting, and the transaction every service function runs in.

`transaction(db, actor)` opens a session whose flushes write audit rows and stamp
`updated_by`; it commits on success and rolls everything back on any error, so nothing is
half-saved. A version clash with another user's save becomes `ConcurrentChange`.
`read_only(db)` reads and writes nothing; `snapshot(db)` reads, statement after statement, one
committed state of the whole database (for reads that must agree with each other).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.db import Database
from app.models.enums import UserRole
from app.services import audit
from app.services.errors import ConcurrentChange, DomainError, PermissionDenied


@dataclass(frozen=True)
class Actor:
    """The logged-in user on whose behalf a service acts."""

    username: str
    display_name: str
    roles: frozenset[UserRole]

    def has_any(self, *roles: UserRole) -> bool:
        return UserRole.ADMIN in self.roles or any(r in self.roles for r in roles)

    def require(self, action: str, *roles: UserRole) -> None:
        if not self.has_any(*roles):
            needed = " or ".join(r.label for r in roles) or "Admin"
            raise PermissionDenied(
                f"You cannot {action}: that needs the {needed} role. Ask an administrator."
            )


#: The actor used by batch jobs and first-start set-up.
SYSTEM = Actor("system", "System", frozenset({UserRole.ADMIN}))


def today() -> dt.date:
    return dt.date.today()


def now() -> dt.datetime:
    """The business clock: naive local time in the utility's zone (spec/50 §0.1)."""
    return dt.datetime.now().replace(microsecond=0)


@contextmanager
def transaction(db: Database, actor: Actor, reason: str | None = None) -> Iterator[Session]:
    session = db.sessions()
    session.info["actor"] = actor.username
    session.info["reason"] = reason
    audit.attach(session)
    try:
        session.connection(execution_options={"sqlite_immediate": True})
        yield session
        session.commit()
    except StaleDataError:
        session.rollback()
        raise ConcurrentChange(
            "Someone else saved this record while you were working on it. Nothing of yours was "
            "saved; reload to see their change, then make yours again."
        ) from None
    except IntegrityError as exc:
        session.rollback()
        raise DomainError(
            "The database refused the change because it conflicts with existing data "
            f"({_constraint_hint(exc)}). Nothing was saved; reload and try again."
        ) from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_only(db: Database) -> Iterator[Session]:
    with db.sessions() as session:
        try:
            yield session
        finally:
            session.rollback()


@contextmanager
def snapshot(db: Database) -> Iterator[Session]:
    """A read-only session in which every statement sees the same committed state, whatever
    other workstations commit meanwhile. PostgreSQL's default READ COMMITTED gives each
    statement its own snapshot, so this asks for REPEATABLE READ, READ ONLY (which never
    fails with a serialization error: it writes nothing). On SQLite a read transaction
    already is one snapshot (WAL, deferred BEGIN: taken at the first read)."""
    with db.sessions() as session:
        try:
            if not db.is_sqlite:
                session.connection(execution_options={"isolation_level": "REPEATABLE READ",
                                                      "postgresql_readonly": True})
            yield session
        finally:
            session.rollback()


def _constraint_hint(exc: IntegrityError) -> str:
    text = str(exc.orig).strip().splitlines()[0] if exc.orig else "constraint"
    return text[:160]
