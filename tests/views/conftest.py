"""Fixtures for the window tests: offscreen Qt, private settings folders, real databases."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before pytest-qt creates the QApplication

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

from app.db import Database, open_database  # noqa: E402
from app.services import users  # noqa: E402
from app.views.gc_guard import collect_on_ui_thread  # noqa: E402
from app.views.main_window import MainWindow  # noqa: E402
from app.views.worker import pending_tasks  # noqa: E402
from tests.services.builders import company, household  # noqa: E402

#: Names the small test utility is built with (through the real services).
PEOPLE = (("Okafor", "Ngozi", "12 Elm St"), ("Okonkwo", "Chidi", "3 Oak Ave"),
          ("Lindqvist", "Maja", "77 Birch Rd"))
COMPANY = "Acme Bakery Ltd"


class RecordingHost:
    """A pane host that records status messages and refuses to open other panes."""

    def __init__(self) -> None:
        self.statuses: list[str] = []

    def open_pane(self, name: str) -> QWidget:
        raise AssertionError(name)

    def open_settings(self) -> object:
        return None

    def show_status(self, text: str) -> None:
        self.statuses.append(text)

    def record_visit(self, name: str) -> None:
        pass


@pytest.fixture(autouse=True, scope="session")
def _collect_garbage_on_the_ui_thread(qapp: QApplication) -> None:
    """As the application does (app.views.gc_guard): a collection started in a worker thread
    must never destroy Qt objects."""
    collect_on_ui_thread(qapp)


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """platformdirs reads these: settings and the default database stay in tmp_path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("SWITCHBOARD_DATABASE_URL", raising=False)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/t.sqlite"


@pytest.fixture
def empty_db(db_url: str) -> Iterator[Database]:
    db = open_database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def small_db(empty_db: Database) -> Database:
    """A few households and a company, made by the same services the CSRs use."""
    for last, first, street in PEOPLE:
        household(empty_db, last, first, street)
    company(empty_db, COMPANY)
    return empty_db


def activate(qtbot: QtBot, window: QWidget, focus: QWidget | None = None) -> None:
    """Make `window` the active window with the keyboard focus inside it (on `focus` when
    given). Shortcuts reach only the active window, and a pane's own shortcuts only while the
    focus is in the pane; under pytest-xdist a window another test of the worker left behind
    may hold either."""
    window.activateWindow()
    if QApplication.activeWindow() is not window and window.windowHandle() is not None:
        window.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    target = focus or window.focusWidget() or window.nextInFocusChain()
    target.setFocus()

    def focus_inside() -> bool:
        widget = QApplication.focusWidget()
        return widget is not None and (widget is window or window.isAncestorOf(widget))
    qtbot.waitUntil(focus_inside, timeout=5_000)


def settle(qtbot: QtBot, timeout: int = 20_000) -> None:
    """Wait until every background task has handed its result to the window."""
    qtbot.waitUntil(lambda: pending_tasks() == 0, timeout=timeout)


@pytest.fixture
def open_window(qtbot: QtBot) -> Callable[[Database], MainWindow]:
    def make(db: Database) -> MainWindow:
        actor = users.login_os_user(db, "tester")
        window = MainWindow(db, actor)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        activate(qtbot, window)
        settle(qtbot)
        return window

    return make
