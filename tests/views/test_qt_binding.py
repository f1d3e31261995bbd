"""The Qt binding itself: PySide6 6.12.0 on Python 3.11 drops one reference to None every time
an empty QVariant comes back to Python (an item's missing data, a sort role a row does not
have), so a long session — or a sort of a large grid — ends in "Fatal Python error:
none_dealloc". pyproject.toml excludes that release; this test fails on any release like it."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QComboBox


def test_an_empty_qvariant_keeps_nones_reference_count(qapp: QApplication) -> None:
    model = QStandardItemModel(1, 1)
    model.setItem(0, 0, QStandardItem("no user data"))
    index = model.index(0, 0)
    combo = QComboBox()
    combo.addItem("no data")
    before = sys.getrefcount(None)
    for _ in range(500):
        assert index.data(Qt.ItemDataRole.UserRole) is None
        assert combo.itemData(0) is None
    # a few references may come and go with the interpreter's own work; 1,000 lost would not
    assert sys.getrefcount(None) - before > -50
