"""Background tasks hand their result to the widget that asked — unless it is gone: a dialog a
CSR closed while its read was still running must not raise when the read comes back."""

from __future__ import annotations

from functools import partial

import shiboken6
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.views.worker import run_task
from tests.views.conftest import settle


class _Asker(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.shown = QLabel(self)

    def show_result(self, value: str) -> None:
        self.shown.setText(value)


def test_a_result_reaches_a_live_widget_by_method_partial_or_lambda(qtbot: QtBot) -> None:
    asker = _Asker()
    qtbot.addWidget(asker)
    run_task(str.upper, "method", on_result=asker.show_result)
    settle(qtbot)
    assert asker.shown.text() == "METHOD"
    run_task(str.upper, "partial", on_result=partial(asker.show_result))
    settle(qtbot)
    assert asker.shown.text() == "PARTIAL"
    run_task(str.upper, "lambda", on_result=lambda v: asker.shown.setText(v + "!"))
    settle(qtbot)
    assert asker.shown.text() == "LAMBDA!"


def test_a_result_for_a_deleted_widget_is_dropped(qtbot: QtBot) -> None:
    """pytest-qt fails the test on an exception raised in a callback (a RuntimeError on a
    deleted C++ object here)."""
    for make_callback in (lambda a: a.show_result, lambda a: partial(a.show_result),
                          lambda a: (lambda v: a.shown.setText(v))):
        asker = _Asker()
        run_task(str.upper, "late", on_result=make_callback(asker))
        shiboken6.delete(asker)            # the CSR closed the dialog meanwhile
        settle(qtbot)                      # the result arrives: nothing raises
