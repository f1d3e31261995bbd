"""Users of the workstation: log-in, the first administrator, roles. Passwords are Argon2."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models.enums import UserRole
from app.models.users import AppUser, AppUserRole
from app.services.context import SYSTEM, Actor, transaction

__all__ = ["SYSTEM", "Actor", "UserView"]
from app.services.errors import DomainError, NotFound, ValidationError

_HASHER = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    roles: tuple[UserRole, ...]
    is_active: bool
    has_password: bool
    version: int


def _actor(user: AppUser) -> Actor:
    return Actor(user.username, user.display_name, frozenset(r.role for r in user.roles))


def _view(user: AppUser) -> UserView:
    return UserView(
        user.id,
        user.username,
        user.display_name,
        tuple(sorted((r.role for r in user.roles), key=lambda r: r.value)),
        user.is_active,
        user.password_hash is not None,
        user.version,
    )


def user_named(session: Session, username: str) -> AppUser | None:
    """The user with this user name, whatever its case (user names are unique that way)."""
    return session.scalar(select(AppUser).where(func.lower(AppUser.username)
                                                == username.strip().lower()))


def user_count(db: Database) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(AppUser)) or 0


def _check_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise ValidationError(
            "A user name is 1 to 64 characters without spaces, for example 'jsmith'.", "username"
        )
    return name


def _check_password(password: str, confirm: str | None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", "password"
        )
    if confirm is not None and confirm != password:
        raise ValidationError("The two passwords are not the same; type them again.", "confirm")


def create_user(
    db: Database,
    actor: Actor,
    username: str,
    display_name: str,
    roles: set[UserRole] | frozenset[UserRole],
    password: str | None,
    confirm: str | None = None,
) -> UserView:
    """Add a user. A password is required on a networked database."""
    actor.require("add users", UserRole.ADMIN)
    name = _check_username(username)
    if not display_name.strip():
        raise ValidationError("Enter the person's name as colleagues should see it.", "display_name")
    if not roles:
        raise ValidationError("Give the user at least one role.", "roles")
    if password is None and db.is_networked:
        raise ValidationError("A shared database needs a password for every user.", "password")
    if password is not None:
        _check_password(password, confirm)
    with transaction(db, actor) as session:
        if user_named(session, name) is not None:
            raise ValidationError(f"There is already a user called '{name}'.", "username")
        user = AppUser(
            username=name,
            display_name=display_name.strip(),
            password_hash=_HASHER.hash(password) if password is not None else None,
            is_active=True,
            roles=[AppUserRole(role=r) for r in sorted(roles, key=lambda r: r.value)],
        )
        session.add(user)
        session.flush()
        return _view(user)


def create_first_admin(
    db: Database, username: str, display_name: str, password: str | None, confirm: str | None = None
) -> Actor:
    """The very first user of a database becomes its administrator."""
    if user_count(db):
        raise DomainError("This database already has users; log in with one of them.")
    create_user(db, SYSTEM, username, display_name, {UserRole.ADMIN}, password, confirm)
    return authenticate(db, username, password) if password is not None else _load_actor(db, username)


def _load_actor(db: Database, username: str) -> Actor:
    with db.sessions() as session:
        user = session.scalar(select(AppUser).where(AppUser.username == username))
        if user is None:
            raise NotFound(f"There is no user called '{username}'.")
        return _actor(user)


def authenticate(db: Database, username: str, password: str | None) -> Actor:
    """Check a user name and password; the same message for either being wrong."""
    wrong = DomainError("The user name or password is not right. Check Caps Lock and try again.")
    with db.sessions() as session:
        user = session.scalar(select(AppUser).where(AppUser.username == username.strip()))
        if user is None or not user.is_active or user.password_hash is None or password is None:
            raise wrong
        try:
            _HASHER.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise wrong from None
        return _actor(user)


def login_os_user(db: Database, os_username: str) -> Actor:
    """On a local database, the operating-system user is logged in without a password.

    The first one to open an empty local database becomes its administrator. A networked
    database always asks for a password.
    """
    if db.is_networked:
        raise DomainError("A shared database needs you to log in with a user name and password.")
    with db.sessions() as session:
        user = session.scalar(select(AppUser).where(AppUser.username == os_username))
        if user is not None:
            if not user.is_active:
                raise DomainError(f"The user '{os_username}' has been deactivated.")
            return _actor(user)
        has_users = session.scalar(select(func.count()).select_from(AppUser))
    if has_users:
        raise DomainError(
            f"'{os_username}' is not a user of this database. Ask its administrator to add you."
        )
    return create_first_admin(db, os_username, os_username, None)


def list_users(db: Database) -> list[UserView]:
    with db.sessions() as session:
        return [_view(u) for u in session.scalars(select(AppUser).order_by(AppUser.username))]
