"""Who may upgrade a shared database's schema: log-in at any schema, the admin check.

Before a PostgreSQL database is migrated, the person at the workstation logs in. The ORM's
`AppUser` mirrors the newest schema, so this log-in reads only the columns `app_user` and
`app_user_role` have had since the first migration (username, display name, password hash,
active, roles): it works on every older schema this program can upgrade.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from app.db import Database
from app.models.enums import UserRole
from app.models.users import AppUser, AppUserRole
from app.services.context import Actor
from app.services.errors import DomainError, PermissionDenied

_HASHER = PasswordHasher()
WRONG = "The user name or password is not right. Check Caps Lock and try again."


def user_count_any_schema(db: Database) -> int:
    with db.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(AppUser.__table__)) or 0


def authenticate_any_schema(db: Database, username: str, password: str | None) -> Actor:
    """Check a user name and password reading only the columns every schema has."""
    users, roles = AppUser.__table__, AppUserRole.__table__
    with db.engine.connect() as conn:
        row = conn.execute(
            select(users.c.id, users.c.username, users.c.display_name, users.c.password_hash,
                   users.c.is_active).where(users.c.username == username.strip())
        ).first()
        if row is None or not row.is_active or row.password_hash is None or password is None:
            raise DomainError(WRONG)
        try:
            _HASHER.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise DomainError(WRONG) from None
        granted = conn.scalars(select(roles.c.role).where(roles.c.user_id == row.id)).all()
    known = {r.value: r for r in UserRole} | {r.name: r for r in UserRole}
    return Actor(row.username, row.display_name,
                 frozenset(known[str(g)] for g in granted if str(g) in known))


def require_schema_admin(actor: Actor, description: str, current: str, head: str) -> None:
    """Only an administrator upgrades a shared database; anyone else is told whom to ask."""
    if UserRole.ADMIN in actor.roles:
        return
    raise PermissionDenied(
        f"The shared database {description} is at schema {current}; this version of "
        f"Switchboard needs schema {head}, and only an administrator can upgrade it. Ask your "
        "administrator to upgrade the database (or keep using the previous version until then)."
    )
