"""The command line front: users, and errors as one sentence with exit status 2."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.cli import main
from app.db import open_database
from app.services import users


def test_user_add_and_list_on_a_local_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'u.sqlite'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("first-password\n"))
    assert main(["user", "add", "ops", "--name", "Ops Lead", "--role", "ADMIN",
                 "--password-stdin", "--database", url]) == 0
    assert "added ops (ADMIN)" in capsys.readouterr().out
    db = open_database(url)
    try:
        assert users.authenticate(db, "ops", "first-password").display_name == "Ops Lead"
    finally:
        db.dispose()
    assert main(["user", "list", "--database", url]) == 0
    assert "Ops Lead" in capsys.readouterr().out


def test_short_password_is_refused_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'u.sqlite'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "ops", "--role", "CSR", "--password-stdin", "--database", url]) == 2
    assert "at least 8 characters" in capsys.readouterr().err


def test_database_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", "oracle://scott@db/orcl")
    assert main(["db", "current"]) == 2
    assert "'oracle' databases are not supported" in capsys.readouterr().err
