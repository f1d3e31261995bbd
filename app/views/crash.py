"""Unexpected errors in the window: logged, then shown in a dialog instead of vanishing.

`install_crash_handler(app)` replaces sys.excepthook and threading.excepthook. An exception
nobody caught — in a slot, a worker callback, a timer, another thread — is written to the log
with its traceback, and a dialog says what happened in one sentence, where the log is, and
offers "Copy details" (traceback, version, platform) for a support request. The event loop
keeps running: the window stays usable whenever the error left it so.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.logs import log_path, platform_summary
from app.views.widgets import label

log = logging.getLogger(__name__)
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
#: At most this many crash dialogs at once; later errors in a burst are only logged.
MAX_OPEN_DIALOGS = 3


def one_sentence(exc: BaseException) -> str:
    """What happened, for a person: the error's kind and its first line."""
    text = str(getattr(exc, "message", None) or exc).strip().splitlines()
    first = text[0] if text else ""
    kind = type(exc).__name__
    what = f"{kind}: {first}" if first else kind
    if len(what) > 200:
        what = what[:197] + "…"
    return f"Switchboard ran into an unexpected error ({what.rstrip('.')})."


def crash_details(exc_type: type[BaseException], exc: BaseException,
                  tb: TracebackType | None, where: str = "") -> str:
    """The text "Copy details" puts on the clipboard."""
    lines = [
        f"Time {dt.datetime.now().isoformat(timespec='seconds')}",
        platform_summary(),
        f"Log {log_path()}",
    ]
    if where:
        lines.append(f"Thread {where}")
    lines.append("")
    lines.append("".join(traceback.format_exception(exc_type, exc, tb)).rstrip())
    return "\n".join(lines) + "\n"


class CrashDialog(QDialog):
    """One unexpected error: a sentence, the log's place, Copy details, Close (or Quit)."""

    def __init__(self, exc: BaseException, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.details = details
        self.setWindowTitle("Switchboard — unexpected error")
        self.setMinimumWidth(560)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        self.heading = label("Something went wrong", "sectionHeading")
        self.sentence = label(one_sentence(exc), wrap=True)
        self.advice = label(
            "What you were doing may not have been saved. Switchboard keeps running: check the "
            "last change you made, and restart Switchboard if something looks wrong.",
            wrap=True,
        )
        self.log_label = label(f"The details are written to the log file {log_path()}",
                               "hint", wrap=True)
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details_view = QPlainTextEdit(details)
        self.details_view.setReadOnly(True)
        self.details_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details_view.setMinimumHeight(140)
        self.details_view.setAccessibleName("Error details")
        self.details_view.hide()
        self.show_button = QPushButton("Show details")
        self.show_button.setCheckable(True)
        self.show_button.setAutoDefault(False)
        self.show_button.toggled.connect(self._toggle_details)
        self.copy_button = QPushButton("Copy details")
        self.copy_button.setToolTip("Copy the error, the version and the platform, to paste "
                                    "into a message to support")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy_details)
        self.quit_button = QPushButton("Quit Switchboard")
        self.quit_button.setAutoDefault(False)
        self.quit_button.clicked.connect(self._quit)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("Keep working")
        close.setDefault(True)
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.show_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.quit_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(self.heading)
        layout.addWidget(self.sentence)
        layout.addWidget(self.advice)
        layout.addWidget(self.log_label)
        layout.addWidget(self.details_view, 1)
        layout.addWidget(self.buttons)
        close.setFocus()

    def copy_details(self) -> None:
        QApplication.clipboard().setText(self.details)
        self.copy_button.setText("Copied")

    def _toggle_details(self, shown: bool) -> None:
        self.details_view.setVisible(shown)
        self.show_button.setText("Hide details" if shown else "Show details")
        self.adjustSize()

    def _quit(self) -> None:
        self.reject()
        app = QApplication.instance()
        if app is not None:
            app.exit(1)


class _CrashReporter(QObject):
    """Lives on the UI thread; errors from other threads reach it through a queued signal."""

    reported = Signal(object, str)

    def __init__(self) -> None:
        super().__init__()
        self.dialogs: list[CrashDialog] = []
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def report(self, info: ExcInfo, where: str = "") -> None:
        exc_type, exc, tb = info
        log.critical("Unexpected error%s", f" in thread {where}" if where else "",
                     exc_info=(exc_type, exc, tb))
        details = crash_details(exc_type, exc, tb, where)
        if QThread.currentThread() is self.thread():
            self._show(exc, details)
        else:
            self.reported.emit(exc, details)

    @Slot(object, str)
    def _show(self, exc: BaseException, details: str) -> None:
        self.dialogs = [d for d in self.dialogs if _alive(d) and d.isVisible()]
        if len(self.dialogs) >= MAX_OPEN_DIALOGS:
            return
        parent = QApplication.activeWindow()
        dialog = CrashDialog(exc, details, parent if not isinstance(parent, CrashDialog) else None)
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.dialogs.append(dialog)
        dialog.show()   # not exec(): the hook returns and the event loop carries on
        dialog.raise_()
        dialog.activateWindow()


def _alive(widget: QObject) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


_reporter: _CrashReporter | None = None


def open_crash_dialogs() -> list[CrashDialog]:
    """The crash dialogs on screen (tests look at them)."""
    if _reporter is None:
        return []
    return [d for d in _reporter.dialogs if _alive(d) and d.isVisible()]


def install_crash_handler(app: QApplication) -> Callable[[], None]:
    """Route uncaught exceptions to the log and a crash dialog; returns the undo."""
    global _reporter
    if _reporter is None or not _alive(_reporter):
        _reporter = _CrashReporter()
        _reporter.moveToThread(app.thread())
    reporter = _reporter
    previous_sys, previous_thread = sys.excepthook, threading.excepthook

    def sys_hook(exc_type: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt | SystemExit):
            previous_sys(exc_type, exc, tb)
            return
        try:
            reporter.report((exc_type, exc, tb))
        except Exception:  # noqa: BLE001 - never let the reporter itself take the app down
            previous_sys(exc_type, exc, tb)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            previous_thread(args)
            return
        name = args.thread.name if args.thread is not None else "?"
        try:
            reporter.report((args.exc_type, args.exc_value, args.exc_traceback), name)
        except Exception:  # noqa: BLE001
            previous_thread(args)

    sys.excepthook = sys_hook
    threading.excepthook = thread_hook

    def uninstall() -> None:
        if sys.excepthook is sys_hook:
            sys.excepthook = previous_sys
        if threading.excepthook is thread_hook:
            threading.excepthook = previous_thread

    return uninstall
