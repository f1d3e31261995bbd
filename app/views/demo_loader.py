"""Fill a database with the demo utility in a worker, with a progress dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QProgressDialog, QWidget

from app.db import Database
from app.views.worker import Task, run_task

DEFAULT_ACCOUNTS = 300
MAX_ACCOUNTS = 1_000_000
DEMO_SEED = 1

DoneCallback = Callable[[Any, BaseException | None], None]


def _generate(db: Database, accounts: int, progress: Callable[[int, int], None]) -> Any:
    from app.demo import generate  # imported here: the demo module is optional and heavy

    return generate(db, accounts, seed=DEMO_SEED, progress=progress)


def ask_account_count(parent: QWidget | None) -> int | None:
    """Ask how many demo accounts to create; None when the user cancels."""
    value, ok = QInputDialog.getInt(
        parent, "Load demo utility", "How many accounts should the demo utility have?",
        DEFAULT_ACCOUNTS, 1, MAX_ACCOUNTS, 50,
    )
    return value if ok else None


def load_demo(db: Database, accounts: int, parent: QWidget | None, on_done: DoneCallback) -> Task:
    """Start generating; `on_done(summary, None)` or `on_done(None, error)` on the UI thread."""
    dialog = QProgressDialog(
        f"Creating a demo utility with {accounts:,} accounts…", "", 0, accounts, parent
    )
    dialog.setWindowTitle("Switchboard")
    dialog.setCancelButton(None)  # generation cannot be interrupted
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(420)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)
    dialog.show()

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, total))
        dialog.setLabelText(f"Creating a demo utility: {done:,} of {total:,} accounts…")

    def finished(summary: Any) -> None:
        dialog.close()
        dialog.deleteLater()
        on_done(summary, None)

    def failed(exc: BaseException) -> None:
        dialog.close()
        dialog.deleteLater()
        on_done(None, exc)

    return run_task(_generate, db, accounts, on_result=finished, on_error=failed,
                    on_progress=progress)


def describe_failure(exc: BaseException) -> str:
    """A sentence for a demo run that failed."""
    if isinstance(exc, ImportError):
        return "The demo utility generator is not part of this Switchboard build."
    message = getattr(exc, "message", None)
    return str(message) if message else f"The demo utility could not be created: {exc}"
