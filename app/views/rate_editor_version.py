"""The version page's header (spec/10 §2.6, §6.1): the effective date (fixed once added), the
status with Set In Progress / Validate / Finish, the description on bill, and the list of
problems a refused validation found (each names its component; a problem with the effective
date itself is said right under that field); the component editor below."""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.engine.rates.compiled import ValidationProblem
from app.engine.rates.enums import RateVersionStatus
from app.services.rate_billing_guard import FieldProblem
from app.views.rate_component_editor import ComponentEditor
from app.views.widgets import label

_PREFIXES = (re.compile(r"^rate version \S+ of \S+, component \d+: "),
             re.compile(r"^rate version \S+ of \S+: "),
             re.compile(r"^(?:edit: )?rate_schedules\.[^:\s]*: "))


def problem_text(message: str) -> str:
    """A validation sentence without the path the engine puts in front of it."""
    for prefix in _PREFIXES:
        message = prefix.sub("", message, count=1)
    return message[:1].upper() + message[1:] if message else message


STATUS_BUTTONS = (
    (RateVersionStatus.IN_PROGRESS, "Set In Progress",
     "Edit without cross-checks; rate check and billing ignore it"),
    (RateVersionStatus.VALIDATED, "Validate",
     "Check every component together; rate check may use it"),
    (RateVersionStatus.FINISHED, "Finish", "Validate and release the version to billing"))


class VersionPage(QWidget):
    def __init__(self, components: ComponentEditor, buttons: Sequence[QPushButton]) -> None:
        super().__init__()
        self.effective_field = QLineEdit()
        self.effective_field.setReadOnly(True)
        self.effective_field.setEnabled(False)
        self.effective_field.setFixedWidth(110)
        self.effective_field.setAccessibleName("Effective date")
        self.effective_field.setToolTip("Fixed once the version is added")
        self.effective_error = label("", "inlineError", wrap=True)
        self.effective_error.setAccessibleName("Effective date problem")
        self.effective_error.hide()
        self.status_label = label("", "sectionHeading")
        self.status_label.setAccessibleName("Status")
        self.status_buttons: dict[RateVersionStatus, QPushButton] = {}
        for status, text, tip in STATUS_BUTTONS:
            button = QPushButton(text)
            button.setToolTip(tip)
            self.status_buttons[status] = button
        self.description_on_bill = QLineEdit()
        self.description_on_bill.setAccessibleName("Description on bill")
        self.description_on_bill.setPlaceholderText("Bill text of the version (%D: the date)")
        self.version_note = label("", "hint", wrap=True)
        self.problems = QListWidget()
        self.problems.setAccessibleName("Validation problems")
        self.problems.setMaximumHeight(96)
        self.problems.hide()
        # the pane clears the list whenever it shows a version: the field's problem goes too
        self.problems.model().modelReset.connect(self.clear_field_errors)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        line = QHBoxLayout()
        line.setSpacing(8)
        line.addWidget(label("Effective"))
        line.addWidget(self.effective_field)
        line.addSpacing(8)
        line.addWidget(label("Status"))
        line.addWidget(self.status_label)
        for b in self.status_buttons.values():
            b.setStyleSheet("QPushButton { padding: 3px 10px; }")
            line.addWidget(b)
        line.addStretch(1)
        for b in buttons:
            b.setStyleSheet("QPushButton { padding: 3px 10px; }")
            line.addWidget(b)
        layout.addLayout(line)
        layout.addWidget(self.effective_error)
        second = QHBoxLayout()
        second.setSpacing(8)
        second.addWidget(label("Description on bill"))
        second.addWidget(self.description_on_bill, 1)
        layout.addLayout(second)
        layout.addWidget(self.version_note)
        layout.addWidget(self.problems)
        layout.addWidget(components, 1)

    def show_problems(self, problems: Sequence[ValidationProblem]) -> dict[int, str]:
        """List every problem ("Component 20: …"); the first sentence per component."""
        self.problems.clear()
        by_sequence: dict[int, str] = {}
        for p in problems:
            text = problem_text(p.message)
            if isinstance(p, FieldProblem) and self.show_field_error(p.field, text):
                continue
            shown = f"Component {p.sequence}: {text}" if p.sequence is not None else text
            item = QListWidgetItem(shown)
            item.setData(Qt.ItemDataRole.UserRole, p.sequence)
            item.setToolTip(p.message)
            self.problems.addItem(item)
            if p.sequence is not None:
                by_sequence.setdefault(p.sequence, text)
        self.problems.setVisible(self.problems.count() > 0)
        return by_sequence

    def show_field_error(self, field: str | None, message: str) -> bool:
        """Say `message` right under the version field the service named; False when that
        field is not on this page."""
        if field != "effective":
            return False
        self.effective_error.setText(message)
        self.effective_error.show()
        return True

    def field_error(self, field: str) -> str:
        shown = self.effective_error
        return shown.text() if field == "effective" and not shown.isHidden() else ""

    def clear_field_errors(self) -> None:
        self.effective_error.clear()
        self.effective_error.hide()

    def problem_texts(self) -> list[str]:
        return [item.text() for item in (self.problems.item(i)
                                         for i in range(self.problems.count())) if item]
