"""Settings (database URL, test, theme), log-in dialog, first-run demo loading."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QDialog, QLabel
from pytestqt.qtbot import QtBot

from app.config import Settings
from app.db import Database, head_revision
from app.models.enums import UserRole
from app.services import users
from app.services.installation import Module, module_enabled
from app.views import demo_loader
from app.views.home import HomePane
from app.views.login import LoginDialog
from app.views.main_window import MainWindow
from app.views.settings_dialog import PASSWORD_REFUSED, SettingsDialog
from tests.conftest import CSR
from tests.views.conftest import activate, settle

Opener = Callable[[Database], MainWindow]


def _settings_dialog(qtbot: QtBot, current: str = "") -> SettingsDialog:
    dialog = SettingsDialog(None, current_url=current)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _type_url(qtbot: QtBot, dialog: SettingsDialog, url: str) -> None:
    dialog.url_field.clear()
    qtbot.keyClicks(dialog.url_field, url)


def test_settings_refuse_a_url_with_a_password(qtbot: QtBot) -> None:
    dialog = _settings_dialog(qtbot)
    _type_url(qtbot, dialog, "postgresql://csr:s3cret@db.example:5432/cis")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.url_message.isVisible()
    assert dialog.url_message.text() == PASSWORD_REFUSED
    assert "~/.pgpass" in dialog.url_message.text() and "PGPASSWORD" in dialog.url_message.text()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert not Settings.path().exists()  # nothing saved, least of all the password
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.url_message.text() == PASSWORD_REFUSED  # not even tried


def test_settings_save_a_valid_url_and_theme(qtbot: QtBot, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/other.sqlite"
    dialog = _settings_dialog(qtbot, current=url)
    _type_url(qtbot, dialog, url)
    dialog.theme_box.setCurrentIndex(dialog.theme_box.findData("dark"))
    with qtbot.assertNotEmitted(dialog.switch_requested):
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = Settings.load()
    assert saved.database_url == url
    assert saved.theme == "dark"
    assert saved.recent_databases == [url]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
    Settings(theme="light").save()
    SettingsDialog(None).save()  # back to light for the other tests
    assert app.palette().color(QPalette.ColorRole.Window).lightness() > 200


def test_settings_ask_to_switch_when_the_url_changes(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = _settings_dialog(qtbot, current=f"sqlite:///{tmp_path}/a.sqlite")
    _type_url(qtbot, dialog, f"sqlite:///{tmp_path}/b.sqlite")
    with qtbot.waitSignal(dialog.switch_requested) as switched:
        dialog.save()
    assert switched.args == [f"sqlite:///{tmp_path}/b.sqlite"]


def test_settings_test_button_reports_inline(qtbot: QtBot, empty_db: Database,
                                            db_url: str, tmp_path: Path) -> None:
    dialog = _settings_dialog(qtbot)
    _type_url(qtbot, dialog, db_url)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert dialog.url_message.objectName() == "inlineOk"
    assert f"schema {head_revision()}" in dialog.url_message.text()

    not_a_db = tmp_path / "notes.sqlite"
    not_a_db.write_text("shopping list: milk, eggs, bread " * 200)
    _type_url(qtbot, dialog, f"sqlite:///{not_a_db}")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    settle(qtbot)
    assert dialog.url_message.objectName() == "inlineError"
    assert "not a Switchboard database" in dialog.url_message.text()

    _type_url(qtbot, dialog, "mysql://somewhere/db")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert "not supported" in dialog.url_message.text()


def test_an_administrator_switches_premise_management_off_for_the_next_window(
        qtbot: QtBot, open_window: Opener, empty_db: Database) -> None:
    window = open_window(empty_db)  # the first local user is an administrator
    dialog = window.open_settings()
    qtbot.addWidget(dialog)
    settle(qtbot)
    box = dialog.module_box
    assert box is not None and box.isChecked() and box.isEnabled()
    assert "next time the window opens" in " ".join(
        w.text() for w in dialog.findChildren(QLabel))
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    settle(qtbot)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not module_enabled(empty_db, Module.PREMISE_MANAGEMENT)
    assert "premise-management" in window.view_actions  # this window keeps it
    csr = MainWindow(empty_db, CSR)
    qtbot.addWidget(csr)
    assert "premise-management" not in csr.view_actions
    other = csr.open_settings()
    qtbot.addWidget(other)
    assert other.module_box is None  # not an administrator: no module switch


def test_switch_database_button_opens_settings(qtbot: QtBot, open_window: Opener,
                                              empty_db: Database) -> None:
    window = open_window(empty_db)
    home = window.tabs.currentWidget()
    assert isinstance(home, HomePane)
    qtbot.mouseClick(home.switch_button, Qt.MouseButton.LeftButton)
    dialogs = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, SettingsDialog) and w.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].reject()


def test_load_demo_utility_fills_and_refreshes(qtbot: QtBot, open_window: Opener,
                                              empty_db: Database,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_loader, "ask_account_count", lambda parent: 60)
    window = open_window(empty_db)
    home = window.tabs.currentWidget()
    assert isinstance(home, HomePane)
    qtbot.mouseClick(home.load_demo_button, Qt.MouseButton.LeftButton)
    # The whole demo (customers, bills, loans, appointments, stock, cases) is built here: give
    # a busy CI machine time.
    settle(qtbot, timeout=90_000)
    qtbot.waitUntil(lambda: home.stack.currentWidget() is home.counts_page, timeout=20_000)
    assert home.tiles["accounts"].value.text() == "60"
    assert "Demo utility loaded: 60 accounts" in window.statusBar().currentMessage()


def _show_dialog(qtbot: QtBot, dialog: QDialog) -> None:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    activate(qtbot, dialog)


def test_login_dialog_wrong_password_inline_then_success(qtbot: QtBot, db: Database) -> None:
    """On SQLite and on PostgreSQL (the shared database always asks for a log-in)."""
    empty_db = db
    users.create_user(empty_db, users.SYSTEM, "csr1", "Casey Reed", {UserRole.CSR},
                      "correct horse", "correct horse")
    dialog = LoginDialog(empty_db, first_admin=False)
    _show_dialog(qtbot, dialog)
    qtbot.keyClicks(dialog.username, "csr1")
    qtbot.keyClicks(dialog.password, "wrong password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    settle(qtbot)
    assert dialog.message.isVisible()
    assert "not right" in dialog.message.text()
    assert dialog.result() != QDialog.DialogCode.Accepted

    dialog.password.clear()
    qtbot.keyClicks(dialog.password, "correct horse")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    settle(qtbot)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.actor is not None and dialog.actor.display_name == "Casey Reed"


def test_login_dialog_escape_cancels(qtbot: QtBot, empty_db: Database) -> None:
    dialog = LoginDialog(empty_db, first_admin=False)
    _show_dialog(qtbot, dialog)
    qtbot.keyClick(dialog.username, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected and dialog.actor is None


def test_first_administrator_is_created_from_the_dialog(qtbot: QtBot,
                                                       empty_db: Database) -> None:
    dialog = LoginDialog(empty_db, first_admin=True)
    _show_dialog(qtbot, dialog)
    qtbot.keyClicks(dialog.username, "ada")
    qtbot.keyClicks(dialog.display_name, "Ada Min")
    qtbot.keyClicks(dialog.password, "long enough")
    qtbot.keyClicks(dialog.confirm, "long enougx")
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    settle(qtbot)
    assert "not the same" in dialog.message.text()
    assert users.user_count(empty_db) == 0
    dialog.confirm.clear()
    qtbot.keyClicks(dialog.confirm, "long enough")
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    settle(qtbot)
    assert dialog.actor is not None and UserRole.ADMIN in dialog.actor.roles
    assert [u.username for u in users.list_users(empty_db)] == ["ada"]
