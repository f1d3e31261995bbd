"""Python's cyclic garbage collector runs on the UI thread only.

A collection starts in whichever thread happens to allocate when its thresholds are crossed. If
that is a worker thread (a service call building SQL) and the collection frees a Qt object that
sat in a reference cycle — a closed dialog, a finished `Task` — PySide destroys it from the
wrong thread, and that can deadlock with the UI thread: both wait, the window freezes. It was
seen as a view test that hung with the worker inside SQLAlchemy and the UI thread in its event
loop. So automatic collection is switched off and the UI thread collects on a timer, by the
same thresholds the automatic collector uses.

    app = QApplication(sys.argv)
    collect_on_ui_thread(app)
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QTimer

INTERVAL_MS = 250
_timer: QTimer | None = None


def collect_on_ui_thread(app: QCoreApplication, interval_ms: int = INTERVAL_MS) -> None:
    global _timer
    if _timer is not None:
        return
    gc.disable()
    _timer = QTimer(app)
    _timer.setInterval(interval_ms)
    _timer.timeout.connect(collect_due)
    _timer.start()


def collect_due() -> int:
    """Collect the generations the automatic collector would collect now; returns which
    generation was collected (-1: none was due)."""
    c0, c1, c2 = gc.get_count()
    t0, t1, t2 = gc.get_threshold()
    generation = 2 if c2 > t2 else 1 if c1 > t1 else 0 if c0 > t0 else -1
    if generation >= 0:
        gc.collect(generation)
    return generation
