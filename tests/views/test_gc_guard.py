"""Garbage is collected on the UI thread only (app.views.gc_guard)."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from app.views.gc_guard import collect_due


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_a_worker_thread_never_starts_a_collection(qtbot: QtBot) -> None:
    assert not gc.isenabled()  # switched off for the session, as the application does
    collected: list[int] = []
    gc.callbacks.append(lambda phase, info: collected.append(threading.get_ident())
                        if phase == "start" else None)
    try:
        worker = threading.Thread(target=lambda: [_Cycle() for _ in range(50_000)])
        worker.start()
        worker.join()
        assert collected == []  # thresholds crossed many times over, nothing collected there
        qtbot.waitUntil(lambda: bool(collected), timeout=5_000)  # the UI thread's timer does
        assert set(collected) == {threading.get_ident()}
    finally:
        gc.callbacks.pop()


def test_collect_due_follows_the_thresholds() -> None:
    gc.collect()
    assert collect_due() == -1
    garbage = [_Cycle() for _ in range(gc.get_threshold()[0] + 10)]
    assert collect_due() == 0
    del garbage
