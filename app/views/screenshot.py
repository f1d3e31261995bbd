"""`switchboard screenshot PANE --out FILE.png`: render the window or one pane to a PNG file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.config import Settings, os_username
from app.db import open_database
from app.services import users
from app.services.context import SYSTEM, Actor
from app.services.errors import DomainError
from app.views.panes import DEFAULT_PANE, pane_names
from app.views.worker import wait_for_all

EXIT_USER_ERROR = 2
WINDOW_SIZE = (1400, 900)


def _use_offscreen_without_display() -> None:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def take_screenshot(pane: str, out: Path, database_url: str,
                    size: tuple[int, int] = WINDOW_SIZE) -> int:
    """'main' is the whole window with its default pane; any other name is that pane alone."""
    known = pane_names()
    if pane != "main" and pane not in known:
        names = ", ".join(["main", *known])
        print(f"switchboard: there is no pane called '{pane}'. Known panes: {names}.",
              file=sys.stderr)
        return EXIT_USER_ERROR
    _use_offscreen_without_display()

    from app.views.launch import ensure_application
    from app.views.main_window import MainWindow
    from app.views.theme import apply_theme

    app = ensure_application()
    apply_theme(app, Settings.load().theme)
    db = open_database(database_url)
    try:
        actor: Actor = SYSTEM if db.is_networked else users.login_os_user(db, os_username())
        window = MainWindow(db, actor)
        window.resize(*size)
        window.show()
        widget: QWidget = window if pane == "main" else window.open_pane(pane)
        if pane == "main":
            window.open_pane(DEFAULT_PANE)
        wait_for_all()
        app.processEvents()
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not widget.grab().save(str(out), "PNG"):
            raise DomainError(f"Could not write the PNG file {out}.")
        window.close()
        window.deleteLater()
        app.processEvents()
    finally:
        db.dispose()
    return 0
