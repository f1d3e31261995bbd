"""Help → About Switchboard: versions and the open database."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from app import __version__
from app.views.widgets import label


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None, database: str, schema: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Switchboard")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(10)
        layout.addWidget(label(f"Switchboard {__version__}", "sectionHeading"))
        layout.addWidget(label("A customer information workstation for utilities.", wrap=True))
        form = QFormLayout()
        form.setVerticalSpacing(6)
        self.rows = {
            "Version": __version__,
            "Database": database,
            "Schema": schema or "(none)",
            "Qt": f"{qVersion()} (PySide6 {PySide6.__version__})",
            "Python": platform.python_version(),
        }
        for name, value in self.rows.items():
            shown = label(value, wrap=True)
            shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(f"{name}:", shown)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
