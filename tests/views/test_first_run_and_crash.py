"""The first start (welcome dialog), the administrator's upgrade of a shared database, and the
crash dialog for an unexpected error."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.config import Settings, data_dir, default_database_url, is_first_run
from app.db import Database, SchemaUpgradeNeeded, create_db_engine, current_revision, head_revision
from app.logs import log_path, setup_logging
from app.services.errors import PermissionDenied
from app.services.schema_access import authenticate_any_schema
from app.views import crash, launch
from app.views.welcome import WelcomeDialog
from tests.conftest import MemoryKeyring
from tests.services.test_safe_upgrades import OLD, PASSWORD, old_pg_database
from tests.views.conftest import settle

PG_URL = os.environ.get("SWITCHBOARD_TEST_PG_URL")


def when_shown(kind: type[QWidget], act: Callable[[Any], None]) -> None:
    """Once a modal `kind` is on screen, do `act(widget)` (polls the event loop)."""
    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind) and widget.isVisible():
            try:
                act(widget)
            except BaseException:
                widget.close()      # fail the test instead of hanging in exec()
                raise
        else:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)


# --------------------------------------------------------------------------------- first run


def test_first_run_is_only_when_nothing_was_chosen_and_no_file_exists(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert is_first_run(None)
    assert not is_first_run("sqlite:///elsewhere.sqlite")
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", "sqlite:///x.sqlite")
    assert not is_first_run(None)
    monkeypatch.delenv("SWITCHBOARD_DATABASE_URL")
    Settings(database_url="postgresql://ops@db.example/cis").save()
    assert not is_first_run(None)
    Settings().save()
    data_dir().mkdir(parents=True)
    (data_dir() / "switchboard.sqlite").write_bytes(b"")
    assert not is_first_run(None)
    assert not launch.show_welcome_first()        # offscreen, under pytest: never in the way


def test_choosing_the_demo_creates_the_local_database(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.views import demo_loader
    from tests.services.builders import household

    filled: list[int] = []

    def fake_generate(db: Database, accounts: int, progress: object) -> object:
        filled.append(accounts)
        household(db, "Demo", "Pat")
        return None

    monkeypatch.setattr(demo_loader, "_generate", fake_generate)
    monkeypatch.setattr(launch, "show_welcome_first", lambda: True)
    monkeypatch.setattr(QApplication, "exec", lambda *_a: 0)    # do not wait for the user
    shown: list[WelcomeDialog] = []

    def pick_demo(dialog: WelcomeDialog) -> None:
        shown.append(dialog)
        assert dialog.focusWidget() is dialog.demo_button    # Enter or Space picks the demo
        qtbot.keyClick(dialog.demo_button, Qt.Key.Key_Space)

    when_shown(WelcomeDialog, pick_demo)
    assert launch.run_gui(default_database_url(), empty=False, first_run=True) == 0
    assert shown and filled == [launch.FIRST_START_ACCOUNTS]
    assert (data_dir() / "switchboard.sqlite").exists()
    assert Settings.load().database_url is None               # the local file is the default
    for widget in QApplication.topLevelWidgets():
        if type(widget).__name__ == "MainWindow":
            widget.close()
    settle(qtbot)


def test_quitting_the_welcome_creates_nothing(qtbot: QtBot,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(launch, "show_welcome_first", lambda: True)
    when_shown(WelcomeDialog, lambda d: qtbot.keyClick(d, Qt.Key.Key_Escape))
    assert launch.run_gui(default_database_url(), empty=False, first_run=True) \
        == launch.EXIT_CANCELLED
    assert not (data_dir() / "switchboard.sqlite").exists()


def _connect_page(qtbot: QtBot) -> WelcomeDialog:
    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog.connect_button, Qt.Key.Key_Space)
    assert dialog.pages.currentIndex() == 1 and dialog.focusWidget() is dialog.url_field
    return dialog


@pytest.mark.parametrize(("url", "user", "words", "field"), [
    ("mysql://root@db.example/cis", "", "PostgreSQL server", "url_field"),
    ("postgresql://ops@db.example", "", "names no database", "url_field"),
    ("sqlite:///somewhere.sqlite", "", "PostgreSQL server", "url_field"),
    ("postgresql://ops:pw@db.example/cis", "", "not in the address", "url_field"),
    ("postgresql://db.example:5432/cis", "", "user name", "user_field"),
    ("", "ops", "Type the database's address", "url_field"),
])
def test_a_bad_address_is_explained_inline_and_nothing_is_saved(
        qtbot: QtBot, memory_keyring: MemoryKeyring,
        url: str, user: str, words: str, field: str) -> None:
    dialog = _connect_page(qtbot)
    qtbot.keyClicks(dialog.url_field, url)
    qtbot.keyClicks(dialog.user_field, user)
    qtbot.keyClicks(dialog.password_field, "secret-pw")
    qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)   # Enter tests
    assert dialog.message.isVisible() and words in dialog.message.text()
    assert dialog.focusWidget() is getattr(dialog, field)
    assert not dialog.save_button.isEnabled()
    dialog.save()
    assert dialog.result() != WelcomeDialog.DialogCode.Accepted
    assert not Settings.path().exists() and memory_keyring.entries == {}


def test_an_unreachable_server_is_explained_and_nothing_is_saved(
        qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    dialog = _connect_page(qtbot)
    qtbot.keyClicks(dialog.url_field, "postgresql://127.0.0.1:1/cis")
    qtbot.keyClicks(dialog.user_field, "ops")
    qtbot.keyClicks(dialog.password_field, "secret-pw")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Cannot reach" in dialog.message.text(), timeout=20_000)
    assert "127.0.0.1:1" in dialog.message.text()
    assert not dialog.save_button.isEnabled() and dialog.test_button.isEnabled()
    assert not Settings.path().exists() and memory_keyring.entries == {}


@pytest.mark.pg
def test_connecting_to_the_test_server_saves_the_url_and_keyrings_the_password(
        qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    if not PG_URL:
        pytest.skip("needs SWITCHBOARD_TEST_PG_URL")
    from sqlalchemy.engine import make_url

    given = make_url(PG_URL)
    dialog = _connect_page(qtbot)
    qtbot.keyClicks(dialog.url_field, given.set(username=None).render_as_string(False))
    qtbot.keyClicks(dialog.user_field, given.username or "")
    qtbot.keyClicks(dialog.password_field, "Pa55-word-xyz")
    qtbot.keyClick(dialog.password_field, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=20_000)
    assert dialog.message.text().startswith("Connected to PostgreSQL")
    qtbot.keyClicks(dialog.user_field, "x")                    # an edit needs a new test
    assert not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog.user_field, Qt.Key.Key_Backspace)
    qtbot.keyClick(dialog.user_field, Qt.Key.Key_Return)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=20_000)
    assert dialog.focusWidget() is dialog.save_button
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    assert dialog.result() == WelcomeDialog.DialogCode.Accepted
    saved = Settings.load().database_url
    assert saved is not None and make_url(saved).password is None
    assert make_url(saved).database == given.database and make_url(saved).username == given.username
    assert "Pa55-word-xyz" not in Settings.path().read_text(encoding="utf-8")
    key = f"{given.username}@{given.host}/{given.database}"
    assert memory_keyring.entries == {("switchboard", key): "Pa55-word-xyz"}
    assert not is_first_run(None)                               # asked once


def test_without_a_keyring_the_connection_is_not_saved(qtbot: QtBot,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from keyring.backends.fail import Keyring as NoKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        dialog = _connect_page(qtbot)
        dialog._tested = ("postgresql+psycopg://ops@db.example:5432/cis", "secret-pw")
        dialog.save_button.setEnabled(True)
        dialog.save()
        assert "no password store" in dialog.message.text()
        assert dialog.focusWidget() is dialog.password_field
        assert not Settings.path().exists()
    finally:
        keyring.set_keyring(previous)


# ------------------------------------------------------------------- shared schema upgrades


def _revision(url: str) -> str | None:
    engine = create_db_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


def _log_in_as(username: str, calls: list[dict[str, Any]]) -> Callable[..., Any]:
    def fake(db: Database, parent: object = None, **kw: Any) -> Any:
        calls.append(kw)
        assert kw["authenticate"] is authenticate_any_schema
        return kw["authenticate"](db, username, PASSWORD)
    return fake


@pytest.mark.pg
def test_a_non_admin_is_told_to_ask_an_administrator(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    with old_pg_database() as url:
        calls: list[dict[str, Any]] = []
        monkeypatch.setattr(launch, "log_in", _log_in_as("cody", calls))
        monkeypatch.setattr(launch, "confirm_shared_upgrade",
                            lambda *_a: pytest.fail("a CSR is never asked to upgrade"))
        with pytest.raises(PermissionDenied) as caught:
            launch.start_workstation(url, fill_demo=False)
        assert "Ask your administrator" in caught.value.message
        assert f"schema {OLD}" in calls[0]["note"] and "administrator" in calls[0]["note"]
        assert _revision(url) == OLD


@pytest.mark.pg
def test_an_admin_is_asked_to_confirm_then_the_schema_is_upgraded(
        qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    with old_pg_database() as url:
        calls: list[dict[str, Any]] = []
        asked: list[SchemaUpgradeNeeded] = []
        monkeypatch.setattr(launch, "log_in", _log_in_as("ada", calls))
        monkeypatch.setattr(launch, "confirm_shared_upgrade",
                            lambda _parent, needed: asked.append(needed) or False)
        assert launch.start_workstation(url, fill_demo=False) is None   # "Not now"
        assert _revision(url) == OLD and asked[0].current == OLD
        monkeypatch.setattr(launch, "confirm_shared_upgrade", lambda _parent, needed: True)
        workstation = launch.start_workstation(url, fill_demo=False)
        assert workstation is not None
        try:
            assert workstation.actor.username == "ada"
            assert _revision(url) == head_revision()
            report = workstation.db.upgrade_report
            assert report is not None and report.from_revision == OLD and report.backup is None
        finally:
            workstation.db.dispose()


def test_the_confirmation_names_both_schemas(qtbot: QtBot) -> None:
    needed = SchemaUpgradeNeeded("PostgreSQL ops@db:5432/cis", "0009", "0010")
    seen: list[str] = []

    def answer(box: QMessageBox) -> None:
        seen.append(box.text())
        (not_now,) = [b for b in box.buttons() if b.text() == "Not now"]
        not_now.click()

    when_shown(QMessageBox, answer)
    assert launch.confirm_shared_upgrade(None, needed) is False
    assert seen == ["The shared database is at schema 0009; this version needs 0010. "
                    "Upgrade now?"]

    def accept(box: QMessageBox) -> None:
        assert box.defaultButton().text() == "Upgrade now"
        box.defaultButton().click()

    when_shown(QMessageBox, accept)
    assert launch.confirm_shared_upgrade(None, needed) is True


# ------------------------------------------------------------------------------------ crash


@pytest.fixture
def crash_handler(qapp: QApplication) -> Iterator[None]:
    setup_logging()
    uninstall = crash.install_crash_handler(qapp)
    yield
    uninstall()
    for dialog in crash.open_crash_dialogs():
        dialog.close()


def _boom() -> None:
    raise ZeroDivisionError("the bill total divided by zero meters")


def test_an_unexpected_error_shows_the_crash_dialog(qtbot: QtBot, crash_handler: None) -> None:
    QTimer.singleShot(0, _boom)            # an exception in a slot, as a worker callback's
    qtbot.waitUntil(lambda: len(crash.open_crash_dialogs()) == 1, timeout=5_000)
    (dialog,) = crash.open_crash_dialogs()
    assert dialog.sentence.text() == ("Switchboard ran into an unexpected error "
                                      "(ZeroDivisionError: the bill total divided by zero meters).")
    assert str(log_path()) in dialog.log_label.text()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert "Traceback (most recent call last)" in copied and "_boom" in copied
    assert "Switchboard " in copied and "Platform " in copied and "Python " in copied
    assert dialog.copy_button.text() == "Copied"
    logged = log_path().read_text(encoding="utf-8")
    assert "Unexpected error" in logged and "ZeroDivisionError" in logged
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)                 # Keep working
    qtbot.waitUntil(lambda: not crash.open_crash_dialogs(), timeout=5_000)
    assert QApplication.instance() is not None                # still running


def test_an_error_in_another_thread_reaches_the_dialog(qtbot: QtBot,
                                                       crash_handler: None) -> None:
    worker = threading.Thread(target=_boom, name="rate-loader")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(crash.open_crash_dialogs()) == 1, timeout=5_000)
    (dialog,) = crash.open_crash_dialogs()
    assert "Thread rate-loader" in dialog.details
    dialog.show_button.click()
    assert dialog.details_view.isVisible()


def test_the_log_file_is_in_the_user_log_folder(tmp_path: Path) -> None:
    path = setup_logging()
    assert path == log_path() and path.name == "switchboard.log"
    import logging

    logging.getLogger("app.test").warning("written %s", "here")
    for handler in logging.getLogger("app").handlers:
        handler.flush()
    assert "WARNING app.test: written here" in path.read_text(encoding="utf-8")
    assert setup_logging() == path
    assert sum(type(h).__name__ == "_FileHandler"
               for h in logging.getLogger("app").handlers) == 1
