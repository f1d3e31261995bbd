"""The log file: one rotating file in the user log folder (platformdirs), set up at start.

    switchboard.log (1 MB) + switchboard.log.1 … .5

Every module logs through `logging.getLogger(__name__)` (loggers under "app"). Start, the
database opened, migrations and backups, and errors are recorded; a crash report points at the
file. A record logged with `extra={"notice": True}` is also printed to the terminal by the
command line ("switchboard: …"), so that a backup made before a migration is never silent.
"""

from __future__ import annotations

import contextlib
import logging
import platform
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

from app import __version__

APP_LOGGER = "app"
LOG_FILE = "switchboard.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"

log = logging.getLogger(APP_LOGGER)


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir("switchboard", appauthor=False))


def log_path() -> Path:
    return log_dir() / LOG_FILE


class _FileHandler(RotatingFileHandler):
    """Marks the handler this module installed (so a second set-up replaces, not adds)."""


class _Notices(logging.Handler):
    """Prints records marked as notices to the current stderr (looked up at each record)."""

    def emit(self, record: logging.LogRecord) -> None:
        if not getattr(record, "notice", False):
            return
        with contextlib.suppress(OSError, ValueError):   # stderr closed (a pipe gone)
            print(f"switchboard: {record.getMessage()}", file=sys.stderr)


def setup_logging(*, console_notices: bool = False) -> Path | None:
    """Send the app's records to the rotating log file; its path, or None when the folder
    cannot be written (the app then runs without a log file rather than not at all).

    Calling it again (each CLI call in one process, a test) points the handler at the current
    log folder instead of adding a second one."""
    path = log_path()
    log.setLevel(logging.INFO)
    existing = [h for h in log.handlers if isinstance(h, _FileHandler)]
    if existing and Path(existing[0].baseFilename) == path.resolve():
        handler_ok = True
    else:
        for old in existing:
            log.removeHandler(old)
            old.close()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = _FileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT,
                                   encoding="utf-8", delay=True)
        except OSError:
            handler_ok = False
        else:
            handler.setFormatter(logging.Formatter(FORMAT))
            log.addHandler(handler)
            handler_ok = True
    notices = [h for h in log.handlers if isinstance(h, _Notices)]
    if console_notices and not notices:
        log.addHandler(_Notices(logging.INFO))
    elif not console_notices:
        for h in notices:
            log.removeHandler(h)
    return path if handler_ok else None


def log_start(what: str) -> None:
    log.info("Switchboard %s starting (%s) on %s, Python %s", __version__, what,
             platform.platform(), platform.python_version())


def platform_summary() -> str:
    """Version, Python, Qt (when loaded) and the operating system, for a crash report."""
    lines = [f"Switchboard {__version__}",
             f"Python {platform.python_version()} ({sys.executable})",
             f"Platform {platform.platform()}"]
    qt = sys.modules.get("PySide6.QtCore")
    if qt is not None:
        lines.append(f"Qt {qt.qVersion()}, PySide6 {getattr(sys.modules.get('PySide6'), '__version__', '?')}")
    return "\n".join(lines)
