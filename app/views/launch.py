"""`switchboard` with no command: open the database, log in, show the main window.

A brand-new local SQLite database is filled with a small demo utility first (unless --empty), so
that a first start shows something to explore.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import __version__
from app.config import Settings, os_username
from app.db import Database, create_db_engine, current_revision, open_database, parse_database_url
from app.services import users
from app.services.context import Actor
from app.services.errors import DomainError
from app.views import demo_loader
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
    db: Database = run_and_wait(open_database, raw_url)
    try:
        if new_local and fill_demo:
            fill_with_demo(db, parent)
        if db.is_networked:
            actor = log_in(db, parent)
            if actor is None:
                db.dispose()
                return None
        else:
            actor = run_and_wait(users.login_os_user, db, os_username())
    except BaseException:
        db.dispose()
        raise
    return Workstation(db, actor)


def report_startup_error(exc: DomainError, parent: QWidget | None = None) -> int:
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


def run_gui(database_url: str, empty: bool) -> int:
    app = ensure_application()
    apply_theme(app, Settings.load().theme)
    try:
        workstation = start_workstation(database_url, fill_demo=not empty)
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
