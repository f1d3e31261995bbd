"""`switchboard` with no command: open the database, log in, show the main window.

A brand-new local SQLite database is filled with a small demo utility first (unless --empty), so
that a first start shows something to explore. The very first start of an installed app (no
database anywhere yet) asks first: the demo, or the utility's own database (app.views.welcome).

A shared database at an older schema is upgraded only by an administrator who logs in and
confirms; anyone else is told to ask one. A SQLite file is backed up before it is migrated, and
the status bar says where the backup is. Uncaught errors show a crash dialog (app.views.crash);
everything is logged (app.logs).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import __version__
from app.config import Settings, default_database_url, os_username
from app.db import (
    Database,
    SchemaUpgradeNeeded,
    create_db_engine,
    current_revision,
    open_database,
    parse_database_url,
    upgrade_database,
)
from app.logs import setup_logging
from app.services import users
from app.services.context import Actor
from app.services.errors import DomainError
from app.services.schema_access import (
    authenticate_any_schema,
    require_schema_admin,
    user_count_any_schema,
)
from app.views import demo_loader
from app.views.crash import install_crash_handler
from app.views.gc_guard import collect_on_ui_thread
from app.views.login import log_in
from app.views.main_window import MainWindow
from app.views.theme import apply_theme
from app.views.worker import pending_tasks, run_and_wait, wait_for

EXIT_CANCELLED = 1
EXIT_USER_ERROR = 2
FIRST_START_ACCOUNTS = 300
#: Set by bench/startup.py: print the wall-clock time once the window is interactive (shown,
#: its first pane loaded, the event loop idle) and quit.
READY_ENV = "SWITCHBOARD_QUIT_WHEN_READY"
log = logging.getLogger(__name__)


def ensure_application() -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Switchboard")
    app.setApplicationDisplayName("Switchboard")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Switchboard")
    collect_on_ui_thread(app)
    return app


def is_offscreen() -> bool:
    platform = QGuiApplication.platformName() or os.environ.get("QT_QPA_PLATFORM", "")
    return platform in ("offscreen", "minimal")


def is_new_local_database(raw_url: str) -> bool:
    """True for a SQLite file that does not exist yet or has never been migrated."""
    try:
        url = parse_database_url(raw_url)
    except DomainError:
        return False  # open_database will explain what is wrong with the URL
    if url.get_backend_name() != "sqlite":
        return False
    if not url.database or url.database == ":memory:":
        return True
    if not Path(url.database).expanduser().exists():
        return True
    engine = create_db_engine(url)
    try:
        return current_revision(engine) is None
    except Exception:  # noqa: BLE001 - not a database: open_database says so properly
        return False
    finally:
        engine.dispose()


@dataclass
class Workstation:
    db: Database
    actor: Actor


def fill_with_demo(db: Database, parent: QWidget | None = None) -> None:
    """The first-start demo utility, with a progress dialog; a failure is reported, not fatal."""
    errors: list[BaseException] = []
    task = demo_loader.load_demo(
        db, FIRST_START_ACCOUNTS, parent,
        lambda _summary, exc: errors.append(exc) if exc is not None else None,
    )
    wait_for(task)
    if errors:
        message = demo_loader.describe_failure(errors[0])
        print(f"switchboard: {message}", file=sys.stderr)
        if not is_offscreen():
            QMessageBox.warning(parent, "Switchboard", message)


def start_workstation(raw_url: str, *, fill_demo: bool,
                      parent: QWidget | None = None) -> Workstation | None:
    """Open (and migrate) the database and log in; None when the user cancels the log-in."""
    new_local = is_new_local_database(raw_url)
    actor: Actor | None = None
    try:
        db: Database = run_and_wait(open_database, raw_url)
    except SchemaUpgradeNeeded as needed:
        outcome = upgrade_shared_database(raw_url, needed, parent)
        if outcome is None:
            return None
        db, actor = outcome
    try:
        if new_local and fill_demo:
            fill_with_demo(db, parent)
        if actor is None and db.is_networked:
            actor = log_in(db, parent)
            if actor is None:
                db.dispose()
                return None
        elif actor is None:
            actor = run_and_wait(users.login_os_user, db, os_username())
    except BaseException:
        db.dispose()
        raise
    log.info("%s logged in to %s", actor.username, db.description)
    return Workstation(db, actor)


def confirm_shared_upgrade(parent: QWidget | None, needed: SchemaUpgradeNeeded) -> bool:
    """Ask the administrator; Yes upgrades the shared database, No leaves it (and quits)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Upgrade the shared database")
    box.setText(f"The shared database is at schema {needed.current}; this version needs "
                f"{needed.head}. Upgrade now?")
    box.setInformativeText(
        f"{needed.description} is used by every workstation of your utility. After the upgrade, "
        "workstations with the previous version of Switchboard can no longer open it until "
        "they are updated. Make sure a recent backup of the database exists (pg_dump).")
    upgrade = box.addButton("Upgrade now", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(upgrade)
    box.exec()
    return box.clickedButton() is upgrade


def upgrade_shared_database(raw_url: str, needed: SchemaUpgradeNeeded,
                            parent: QWidget | None = None) -> tuple[Database, Actor | None] | None:
    """An older shared schema: an administrator logs in and confirms, then it is migrated.

    The log-in reads only what every schema has (app.services.schema_access). A user who is
    not an administrator gets PermissionDenied saying to ask one; None when cancelled. A
    database with no users yet (nobody to ask) is upgraded after the confirmation, and its
    first administrator is created afterwards as usual (the actor returned is then None)."""
    db: Database = run_and_wait(open_database, raw_url, migrate=False)
    try:
        actor: Actor | None = None
        if run_and_wait(user_count_any_schema, db):
            actor = log_in(db, parent, authenticate=authenticate_any_schema, note=(
                f"{db.description} needs an upgrade from schema {needed.current} to "
                f"{needed.head} before this version can use it. Log in as an administrator "
                "to upgrade it."))
            if actor is None:
                db.dispose()
                return None
            require_schema_admin(actor, needed.description, needed.current, needed.head)
        if not confirm_shared_upgrade(parent, needed):
            log.info("%s did not upgrade %s", actor.username if actor else "?", db.description)
            db.dispose()
            return None
        log.info("%s confirmed the upgrade of %s from %s to %s",
                 actor.username if actor else "(no users yet)", db.description,
                 needed.current, needed.head)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            db.upgrade_report = run_and_wait(upgrade_database, db.engine,
                                             shared_upgrade_allowed=True)
        finally:
            QApplication.restoreOverrideCursor()
    except BaseException:
        db.dispose()
        raise
    return db, actor


def report_startup_error(exc: DomainError, parent: QWidget | None = None) -> int:
    log.warning("Start refused: %s", exc.message)
    print(f"switchboard: {exc.message}", file=sys.stderr)
    if not is_offscreen():
        QMessageBox.critical(parent, "Switchboard", exc.message)
    return EXIT_USER_ERROR


class _Session:
    """Holds the open window; replaces it when the user switches database."""

    def __init__(self, workstation: Workstation) -> None:
        self.window = self._show(workstation)

    def _show(self, workstation: Workstation) -> MainWindow:
        window = MainWindow(workstation.db, workstation.actor)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        window.database_switch_requested.connect(self.switch)
        window.show()
        report = workstation.db.upgrade_report
        if report is not None and report.from_revision is not None:
            window.statusBar().showMessage(report.sentence, 30_000)
        return window

    def switch(self, raw_url: str) -> None:
        old = self.window
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            workstation = start_workstation(raw_url, fill_demo=False, parent=old)
        except DomainError as exc:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(old, "Switch database", exc.message)
            return
        QApplication.restoreOverrideCursor()
        if workstation is None:
            return
        self.window = self._show(workstation)
        self.window.setGeometry(old.geometry())
        old.close()
        old.db.dispose()
        old.deleteLater()


def _quit_when_ready(app: QApplication) -> None:
    def check() -> None:
        if pending_tasks():
            QTimer.singleShot(5, check)
            return
        print(f"ready {time.time():.6f}", flush=True)
        app.quit()

    QTimer.singleShot(0, check)


def show_welcome_first() -> bool:
    """The welcome dialog is for people: never offscreen, under tests or a start-up benchmark."""
    return not (is_offscreen() or os.environ.get("PYTEST_CURRENT_TEST")
                or os.environ.get(READY_ENV))


def welcome(parent: QWidget | None = None) -> tuple[str, bool] | None:
    """The first-run choice: (database URL, fill with the demo?), or None to quit."""
    from app.views.welcome import CONNECT, WelcomeDialog

    dialog = WelcomeDialog(parent)
    if dialog.exec() != WelcomeDialog.DialogCode.Accepted:
        return None
    if dialog.choice == CONNECT and dialog.saved_url:
        log.info("First start: connecting to a shared database")
        return dialog.saved_url, False
    log.info("First start: the demo utility")
    return default_database_url(), True


def run_gui(database_url: str, empty: bool, *, first_run: bool = False) -> int:
    """The window. `first_run` (app.config.is_first_run): offer the welcome dialog first."""
    app = ensure_application()
    log_file = setup_logging()        # cli.main has set it up and logged the start already
    uninstall = install_crash_handler(app)
    try:
        return _run_gui(app, database_url, empty, first_run)
    except BaseException:
        log.exception("The window stopped on an error")
        raise
    finally:
        log.info("Window closed%s", f" (log: {log_file})" if log_file else "")
        uninstall()


def _run_gui(app: QApplication, database_url: str, empty: bool, first_run: bool) -> int:
    apply_theme(app, Settings.load().theme)
    fill_demo = not empty
    if first_run and show_welcome_first():
        chosen = welcome()
        if chosen is None:
            return EXIT_CANCELLED
        database_url, fill_demo = chosen
    try:
        workstation = start_workstation(database_url, fill_demo=fill_demo)
    except DomainError as exc:
        return report_startup_error(exc)
    if workstation is None:
        return EXIT_CANCELLED
    session = _Session(workstation)
    if os.environ.get(READY_ENV):
        _quit_when_ready(app)
    try:
        return app.exec()
    finally:
        session.window.db.dispose()

