"""Run slow calls (database, demo data) off the UI thread and hand the outcome back to it.

    task = run_task(search, db, text, on_result=show, on_error=complain)

The callable runs in `QThreadPool.globalInstance()`. Its result or exception is delivered to the
callbacks on the UI thread (the `Task` object lives there, so its slots are queued). A callable
that takes a `progress` keyword gets a throttled `progress(done, total)` that is safe to call
from the worker thread.
"""

from __future__ import annotations

import functools
import time
import traceback
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QObject,
    QRunnable,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]
ProgressCallback = Callable[[int, int], None]

_live: set[Task] = set()
#: Delivered tasks are kept a little longer before Python may free them: never inside their own
#: slot, and never before the worker thread has let go of the runnable.
_retired: list[tuple[float, Task]] = []
RETIRE_AFTER_S = 2.0


class _Signals(QObject):
    result = Signal(object)
    error = Signal(object)
    progress = Signal(int, int)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                 signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._args, self._kwargs, self._signals = fn, args, kwargs, signals

    def run(self) -> None:
        signals = self._signals
        try:
            value = self._fn(*self._args, **self._kwargs)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI thread
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            signals.error.emit(exc)
        else:
            signals.result.emit(value)


class _Throttle:
    """Forward at most ~10 progress reports a second, and always the last one."""

    def __init__(self, emit: Callable[[int, int], None]) -> None:
        self._emit = emit
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= 0.1:
            self._last = now
            self._emit(int(done), int(total))


def _receiver_alive(callback: Callable[..., Any]) -> bool:
    """False when the callback belongs to a widget Qt has already deleted — a method (or a
    partial of one) of it, or a lambda that captured it: a dialog closed before its background
    read came back leaves nothing to show the result in."""
    while isinstance(callback, functools.partial):
        callback = callback.func
    owners: list[object] = [getattr(callback, "__self__", None)]
    for cell in getattr(callback, "__closure__", None) or ():
        try:
            owners.append(cell.cell_contents)
        except ValueError:          # a cell not filled yet
            continue
    return all(not isinstance(owner, QObject) or shiboken6.isValid(owner) for owner in owners)


class Task(QObject):
    """One call in the thread pool; created and owned on the UI thread."""

    finished = Signal()

    def __init__(self, on_result: ResultCallback | None, on_error: ErrorCallback | None,
                 on_progress: ProgressCallback | None) -> None:
        super().__init__()
        self.signals = _Signals()
        self.done = False
        self._on_result, self._on_error, self._on_progress = on_result, on_error, on_progress
        self.signals.result.connect(self._deliver_result)
        self.signals.error.connect(self._deliver_error)
        self.signals.progress.connect(self._deliver_progress)

    @Slot(object)
    def _deliver_result(self, value: object) -> None:
        self._finish()
        if self._on_result is not None and _receiver_alive(self._on_result):
            self._on_result(value)

    @Slot(object)
    def _deliver_error(self, exc: object) -> None:
        self._finish()
        assert isinstance(exc, BaseException)
        if self._on_error is not None:
            if _receiver_alive(self._on_error):
                self._on_error(exc)
        else:
            print(getattr(exc, "__traceback_text__", repr(exc)))

    @Slot(int, int)
    def _deliver_progress(self, done: int, total: int) -> None:
        if self._on_progress is not None and not self.done:
            self._on_progress(done, total)

    def _finish(self) -> None:
        self.done = True
        if self in _live:
            _live.discard(self)
            _retired.append((time.monotonic(), self))
            QTimer.singleShot(int(RETIRE_AFTER_S * 1000) + 100, _sweep_retired)
        self.finished.emit()


def _sweep_retired() -> None:
    cutoff = time.monotonic() - RETIRE_AFTER_S
    _retired[:] = [(at, task) for at, task in _retired if at > cutoff]


def run_task(
    fn: Callable[..., Any],
    *args: Any,
    on_result: ResultCallback | None = None,
    on_error: ErrorCallback | None = None,
    on_progress: ProgressCallback | None = None,
    **kwargs: Any,
) -> Task:
    """Start `fn(*args, **kwargs)` in the pool; pass `on_progress` to give it `progress=`."""
    task = Task(on_result, on_error, on_progress)
    if on_progress is not None:
        kwargs["progress"] = _Throttle(task.signals.progress.emit)
    _live.add(task)
    QThreadPool.globalInstance().start(_Runnable(fn, args, kwargs, task.signals))
    return task


def pending_tasks() -> int:
    """How many tasks have not yet delivered their outcome (tests and screenshots wait on it)."""
    return len(_live)


def wait_for(task: Task, timeout_ms: int = 600_000) -> None:
    """Run a local event loop (the UI still paints) until `task` has delivered its outcome."""
    if task.done:
        return
    loop = QEventLoop()
    task.finished.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def wait_for_all(timeout_ms: int = 60_000) -> bool:
    """Process events until every task has delivered; False if the time ran out."""
    deadline = time.monotonic() + timeout_ms / 1000
    while _live and time.monotonic() < deadline:
        wait_for(next(iter(_live)), max(1, int((deadline - time.monotonic()) * 1000)))
    QCoreApplication.processEvents()
    return not _live


def run_and_wait(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call `fn` in the pool while the UI keeps painting; return its value or raise its error."""
    outcome: dict[str, Any] = {}
    task = run_task(fn, *args, on_result=lambda v: outcome.setdefault("value", v),
                    on_error=lambda e: outcome.setdefault("error", e), **kwargs)
    wait_for(task)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
