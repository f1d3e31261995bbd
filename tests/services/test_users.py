"""Users: Argon2 passwords, the first administrator, OS log-in on a local database only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AppUser
from app.models.enums import UserRole
from app.services import users
from app.services.errors import DomainError, PermissionDenied, ValidationError
from tests.conftest import ADMIN, CSR


def test_passwords_are_stored_as_argon2_and_checked(db) -> None:  # type: ignore[no-untyped-def]
    users.create_user(db, ADMIN, "jsmith", "Jo Smith", {UserRole.CSR}, "correct horse", "correct horse")
    with db.sessions() as s:
        stored = s.scalar(select(AppUser.password_hash).where(AppUser.username == "jsmith"))
    assert stored is not None and stored.startswith("$argon2") and "correct horse" not in stored
    actor = users.authenticate(db, "jsmith", "correct horse")
    assert actor.roles == frozenset({UserRole.CSR})
    with pytest.raises(DomainError, match="user name or password is not right"):
        users.authenticate(db, "jsmith", "wrong horse")
    with pytest.raises(DomainError, match="user name or password is not right"):
        users.authenticate(db, "nobody", "correct horse")


def test_user_input_is_checked(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match="at least 8"):
        users.create_user(db, ADMIN, "a", "A", {UserRole.CSR}, "short")
    with pytest.raises(ValidationError, match="not the same"):
        users.create_user(db, ADMIN, "a", "A", {UserRole.CSR}, "longenough1", "longenough2")
    with pytest.raises(PermissionDenied):
        users.create_user(db, CSR, "b", "B", {UserRole.CSR}, "longenough1")
    users.create_user(db, ADMIN, "a", "A", {UserRole.CSR}, "longenough1")
    with pytest.raises(ValidationError, match="already a user called 'A'"):
        users.create_user(db, ADMIN, "A", "A", {UserRole.CSR}, "longenough1")


def test_local_database_logs_the_os_user_in_as_first_admin(db) -> None:  # type: ignore[no-untyped-def]
    if db.is_networked:
        with pytest.raises(DomainError, match="needs you to log in"):
            users.login_os_user(db, "alice")
        return
    actor = users.login_os_user(db, "alice")
    assert actor.roles == frozenset({UserRole.ADMIN})
    assert users.login_os_user(db, "alice").username == "alice"
    with pytest.raises(DomainError, match="'bob' is not a user of this database"):
        users.login_os_user(db, "bob")


def test_networked_database_needs_passwords(db) -> None:  # type: ignore[no-untyped-def]
    if not db.is_networked:  # a local database may have password-less OS users
        view = users.create_user(db, ADMIN, "c", "C", {UserRole.CSR}, None)
        assert not view.has_password
        with pytest.raises(DomainError, match="not right"):
            users.authenticate(db, "c", None)
        return
    with pytest.raises(ValidationError, match="needs a password"):
        users.create_user(db, ADMIN, "c", "C", {UserRole.CSR}, None)
    actor = users.create_first_admin(db, "root1", "Root", "s3cret-pass", "s3cret-pass")
    assert UserRole.ADMIN in actor.roles
    with pytest.raises(DomainError, match="already has users"):
        users.create_first_admin(db, "root2", "Root", "s3cret-pass", "s3cret-pass")
