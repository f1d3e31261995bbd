"""The rate schedule page of the rate editor (spec/10 §2.5, §9): the main fields, and grids of
SQ rules, register rules, sub-rates, bill messages and meter configuration types; and the New
Version dialog (an effective date, optionally the components of an existing version).

    page = SchedulePage(choices)
    page.set_schedule(schedule, creating=False, editable=True)
    page.changed.connect(...)        # page.schedule() is the edited copy
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.engine.rates.schedules import RateSchedule, RateVersion
from app.views.rate_editor_fields import (
    BILL_MESSAGE_COLUMNS,
    METER_CONFIG_COLUMNS,
    REGISTER_RULE_COLUMNS,
    SCHEDULE,
    SCHEDULE_COLUMNS,
    SQ_RULE_COLUMNS,
    SUB_RATE_COLUMNS,
    Column,
    new_bill_message,
    new_rule,
)
from app.views.rate_editor_widgets import Choices, CollectionBox, RecordForm
from app.views.widgets import label

#: The schedule's collections: (field of RateSchedule, title, columns, primary only).
COLLECTIONS: tuple[tuple[str, str, tuple[Column, ...], bool], ...] = (
    ("sq_rules", "SQ rules", SQ_RULE_COLUMNS, False),
    ("register_rules", "Register rules", REGISTER_RULE_COLUMNS, True),
    ("sub_rates", "Sub-rates", SUB_RATE_COLUMNS, True),
    ("bill_messages", "Bill messages", BILL_MESSAGE_COLUMNS, False),
    ("meter_config_types", "Meter configuration types", METER_CONFIG_COLUMNS, True),
)


def _new_row(name: str) -> Any:
    if name == "bill_messages":
        return lambda _rows: new_bill_message(dt.date.today())
    if name == "meter_config_types":
        return lambda _rows: ""
    return lambda rows: new_rule(rows)


class SchedulePage(QWidget):
    """The main form and the collection grids of one schedule; `changed()` after an edit."""

    changed = Signal()

    def __init__(self, choices: Choices) -> None:
        super().__init__()
        self._schedule: RateSchedule | None = None
        self.creating = False
        self.editable = True
        self.form = RecordForm(SCHEDULE_COLUMNS, choices, per_row=3)
        self.form.locked = lambda _rs, col: col.key == "code" and not self.creating
        self.form.changed.connect(self._form_changed)
        self.boxes: dict[str, CollectionBox] = {}
        self.note = label("", "hint", wrap=True)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(10)
        for i, (name, title, columns, _primary) in enumerate(COLLECTIONS):
            box = CollectionBox(title, columns, choices, _new_row(name))
            box.changed.connect(lambda rows, n=name: self._collection_changed(n, rows))
            self.boxes[name] = box
            box.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
            grid.addWidget(box, i // 3, i % 3)
        for column in range(3):
            grid.setColumnStretch(column, 1)
            grid.setColumnMinimumWidth(column, 220)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        self.heading = QHBoxLayout()
        self.heading.addWidget(label("Main", "sectionHeading"))
        self.heading.addStretch(1)
        layout.addLayout(self.heading)
        layout.addWidget(self.form)
        layout.addWidget(self.note)
        layout.addLayout(grid, 1)

    def schedule(self) -> RateSchedule | None:
        return self._schedule

    def set_schedule(self, schedule: RateSchedule | None, *, creating: bool,
                     editable: bool) -> None:
        self._schedule = schedule
        self.creating = creating
        self.editable = editable
        self.form.clear_errors()
        self.form.editable = editable
        self.form.set_record(schedule)
        for name, box in self.boxes.items():
            box.set_rows(getattr(schedule, name) if schedule is not None else ())
        self._enable()

    def _enable(self) -> None:
        schedule = self._schedule
        primary = schedule is not None and schedule.is_primary
        for name, _title, _columns, primary_only in COLLECTIONS:
            self.boxes[name].set_editable(self.editable and schedule is not None
                                          and (primary or not primary_only))
        self.note.setText("" if schedule is None or primary else
                          "A subsidiary schedule has no service type, frequency, currency, "
                          "estimates, register rules, sub-rates or meter configuration types: "
                          "primaries that list it as a sub-rate calculate its components.")
        self.note.setVisible(bool(self.note.text()))

    def _form_changed(self, schedule: object) -> None:
        assert isinstance(schedule, RateSchedule)
        self._schedule = schedule
        self._enable()
        self.changed.emit()

    def _collection_changed(self, name: str, rows: Sequence[Any]) -> None:
        if self._schedule is not None:
            self._schedule = replace(self._schedule, **{name: tuple(rows)})  # type: ignore[arg-type]
            self.changed.emit()

    def show_error(self, field: str | None, message: str) -> bool:
        """Say `message` under the field the service named; False when it is not on the page."""
        if field in SCHEDULE:
            self.form.show_error(field, message)
            return True
        for name, box in self.boxes.items():
            if field == name or (field and field.startswith(name)):
                box.error.setText(message)
                box.error.show()
                return True
        return False

    def commit_typing(self) -> None:
        self.form.commit_all()


class NewVersionDialog(QDialog):
    """New Version…: the effective date (fixed once added), optionally the components of an
    existing version (Duplicate), and the description on bill."""

    def __init__(self, code: str, versions: Sequence[RateVersion], parent: QWidget,
                 copy_from: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"New rate version of {code}")
        self.effective = QDateEdit()
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("yyyy-MM-dd")
        newest = max((v.effective for v in versions), default=None)
        start = dt.date.today().replace(day=1)
        if newest is not None and newest >= start:
            start = (newest.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        self.effective.setDate(QDate(start.year, start.month, start.day))
        self.effective.setAccessibleName("Effective date")
        self.copy_from = QComboBox()
        self.copy_from.setAccessibleName("Copy components from")
        self.copy_from.addItem("Nothing: start with no components", None)
        for v in sorted(versions, key=lambda v: v.effective, reverse=True):
            self.copy_from.addItem(f"{v.effective.isoformat()} · {v.status.label} · "
                                   f"{len(v.components)} components", v.effective)
        if copy_from is not None:
            self.copy_from.setCurrentIndex(max(0, self.copy_from.findData(copy_from)))
        self.description = QLineEdit()
        self.description.setAccessibleName("Description on bill")
        self.description.setPlaceholderText("Empty: as the copied version says (%D: the date)")
        self.error = label("", "inlineError", wrap=True)
        self.error.hide()
        form = QFormLayout()
        form.addRow("Effective date", self.effective)
        form.addRow("Copy components from", self.copy_from)
        form.addRow("Description on bill", self.description)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add Version")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label("The effective date cannot change once the version is added. "
                               "A new version starts In Progress.", "hint", wrap=True))
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def effective_date(self) -> dt.date:
        d = self.effective.date()
        return dt.date(d.year(), d.month(), d.day())

    def set_effective(self, day: dt.date) -> None:
        self.effective.setDate(QDate(day.year, day.month, day.day))

    def copy_from_date(self) -> dt.date | None:
        value = self.copy_from.currentData()
        return value if isinstance(value, dt.date) else None

    def set_copy_from(self, day: dt.date | None) -> None:
        self.copy_from.setCurrentIndex(max(0, self.copy_from.findData(day)) if day else 0)
