"""The Rate Check pane's Main inputs (spec/20 §9.1): rate schedule, SA ID, bill period,
accounting date, revenue class, language, the quantities and characteristics grids, and the
Check Rate / Print buttons. The form holds what is typed and reads it into a
`RateCheckRequest`; the service checks it. `changed` is emitted on every edit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.reports.formatting import money_text
from app.services.rate_check import BilledSegment, RateCheckRequest
from app.services.service_agreements import ServiceAgreementView
from app.views.rate_check_inputs import (
    CharacteristicGrid,
    QuantityGrid,
    code_combo,
    combo_code,
    set_combo_code,
)
from app.views.widgets import label


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def day_of(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def sa_number_of(text: str) -> str:
    """The SA ID in what the field shows ("2000 0000 17 — Electric…" → "2000000017")."""
    head = text.split("—", 1)[0]
    return re.sub(r"[\s-]", "", head).strip()


def sa_item_text(sa: ServiceAgreementView) -> str:
    rate = sa.rate_on(dt.date.today()) or (sa.rate_history[-1].rate_schedule_code
                                           if sa.rate_history else "no rate")
    return f"{sa.number} — {sa.service_type.value.title()} {sa.sa_type}, {rate} " \
           f"({sa.status.value.replace('_', ' ').lower()})"


def segment_text(seg: BilledSegment) -> str:
    """How a bill segment reads in the list: period, quantity, amount, ID."""
    return (f"{seg.start:%Y-%m-%d} – {seg.end:%m-%d} · {seg.quantity.normalize():,f} "
            f"{seg.uom} · {money_text(seg.amount, 'USD')}")


def _date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setAccessibleName(name)
    edit.setMinimumWidth(120)
    return edit


def _line_edit(combo: QComboBox) -> QLineEdit:
    edit = combo.lineEdit()
    assert edit is not None
    return edit


class RateCheckForm(QWidget):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.acct_follows_end = True
        self.rate = code_combo((), blank=None, editable=True, long=True)
        self.rate.setAccessibleName("Rate schedule")
        self.rate.setPlaceholderText("Blank: the SA's current rate")
        _line_edit(self.rate).setPlaceholderText("Blank: the SA's current rate")
        completer = QCompleter(self.rate.model(), self.rate)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.rate.setCompleter(completer)
        self.sa = QComboBox()
        self.sa.setEditable(True)
        self.sa.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.sa.setAccessibleName("SA ID")
        self.sa_edit = _line_edit(self.sa)
        self.sa_edit.setPlaceholderText("Optional: an SA ID (10 digits)")
        self.sa_hint = label("", "hint", wrap=True)
        self.segment = QComboBox()
        self.segment.setEditable(True)
        self.segment.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.segment.setAccessibleName("Bill segment")
        self.segment.setToolTip("A bill of the SA: its period, accounting date and quantities "
                                "are filled in, and the result shows what it billed")
        self.segment_edit = _line_edit(self.segment)
        self.segment_edit.setPlaceholderText("Optional: one of the SA's bills, or its ID")
        self.start = _date_edit("Start date")
        self.end = _date_edit("End date")
        self.accounting = _date_edit("Accounting date")
        self.accounting.setToolTip("Drives accounting-date seasonal components; it follows the "
                                   "end date until you change it")
        self.end.dateChanged.connect(self._end_changed)
        self.accounting.dateChanged.connect(self._accounting_changed)
        self.revenue = code_combo((), blank="From the SA", long=True)
        self.revenue.setAccessibleName("Revenue class")
        self.language = code_combo((("ENG", "English"),), blank=None, long=True)
        self.language.setAccessibleName("Bill language")
        self.quantities = QuantityGrid()
        self.characteristics = CharacteristicGrid()
        self.check_button = QPushButton("Check Rate")
        self.check_button.setObjectName("primary")
        self.check_button.setToolTip("Rate the period; nothing is saved (Enter)")
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Save the result as a one-page PDF (Ctrl+P)")
        self.print_button.setEnabled(False)
        self._lay_out()
        for signal in (self.rate.editTextChanged, self.revenue.currentIndexChanged,
                       self.language.currentIndexChanged, self.start.dateChanged,
                       self.end.dateChanged, self.accounting.dateChanged,
                       self.quantities.changed, self.characteristics.changed,
                       self.sa.editTextChanged, self.segment.editTextChanged):
            signal.connect(lambda *_args: self.changed.emit())

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Rate schedule", self.rate)
        sa_box = QVBoxLayout()
        sa_box.setSpacing(1)
        sa_box.addWidget(self.sa)
        sa_box.addWidget(self.sa_hint)
        self.sa_hint.hide()
        form.addRow("SA ID", sa_box)
        form.addRow("Bill segment", self.segment)
        dates = QHBoxLayout()
        dates.setSpacing(6)
        dates.addWidget(self.start)
        dates.addWidget(label("to"))
        dates.addWidget(self.end)
        dates.addStretch(1)
        form.addRow("Bill period", dates)
        accounting = QHBoxLayout()
        accounting.addWidget(self.accounting)
        accounting.addStretch(1)
        form.addRow("Accounting date", accounting)
        form.addRow("Revenue class", self.revenue)
        form.addRow("Bill language", self.language)
        #: Print… and Check Rate: the pane keeps them in view under the scrolling inputs.
        self.buttons = buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addStretch(1)
        buttons.addWidget(self.check_button)
        self.setMinimumWidth(400)
        self.setMaximumWidth(560)
        left = QVBoxLayout(self)
        left.setContentsMargins(0, 0, 8, 0)
        left.addWidget(label("Rate Check", "pageTitle"))
        left.addWidget(label("Rate a bill period as billing would; nothing is saved.",
                             "pageSubtitle"))
        left.addLayout(form)
        left.addSpacing(4)
        left.addWidget(self.quantities, 3)
        left.addSpacing(4)
        left.addWidget(self.characteristics, 2)
        left.addStretch(1)

    # -------------------------------------------------------------------------- values

    def sa_number(self) -> str:
        index = self.sa.findText(self.sa.currentText())
        if index >= 0 and self.sa.itemData(index):
            return str(self.sa.itemData(index))
        return sa_number_of(self.sa.currentText())

    def segment_number(self) -> str:
        """The bill segment ID chosen or typed ("" when none)."""
        index = self.segment.findText(self.segment.currentText())
        if index >= 0:
            return str(self.segment.itemData(index) or "")
        return sa_number_of(self.segment.currentText())

    def set_segments(self, segments: Sequence[BilledSegment], chosen: str | None) -> None:
        """The SA's bills to choose from (newest first), `chosen` selected."""
        self.segment.blockSignals(True)
        self.segment.clear()
        self.segment.addItem("None: type the period and quantities", "")
        for seg in segments:
            self.segment.addItem(segment_text(seg), seg.number)
            self.segment.setItemData(self.segment.count() - 1,
                                     f"Bill segment {seg.number}, billed "
                                     f"{seg.bill_date.isoformat()}",
                                     Qt.ItemDataRole.ToolTipRole)
        index = self.segment.findData(chosen) if chosen else 0
        if index < 0:
            self.segment.setEditText(chosen or "")
        else:
            self.segment.setCurrentIndex(index)
        self.segment_edit.setCursorPosition(0)
        self.segment.blockSignals(False)

    def show_sa_hint(self, text: str) -> None:
        self.sa_hint.setText(text)
        self.sa_hint.setVisible(bool(text))

    def period(self) -> tuple[dt.date, dt.date]:
        return day_of(self.start.date()), day_of(self.end.date())

    def set_period(self, start: dt.date, end: dt.date,
                   accounting: dt.date | None = None) -> None:
        self.start.setDate(qdate(start))
        self.end.setDate(qdate(end))
        if accounting is not None:
            self.acct_follows_end = False
            self.accounting.blockSignals(True)
            self.accounting.setDate(qdate(accounting))
            self.accounting.blockSignals(False)
        elif self.acct_follows_end:
            self._end_changed(self.end.date())

    def _end_changed(self, value: QDate) -> None:
        if self.acct_follows_end:
            self.accounting.blockSignals(True)
            self.accounting.setDate(value)
            self.accounting.blockSignals(False)

    def _accounting_changed(self, _value: QDate) -> None:
        self.acct_follows_end = False

    def request(self, commit: bool = True) -> RateCheckRequest:
        """The form as the service reads it (text as typed; the service checks it); with
        `commit`, a cell being typed in is read too."""
        if commit:
            self.quantities.commit_edits()
            self.characteristics.commit_edits()
        start, end = self.period()
        return RateCheckRequest(
            rate_schedule=combo_code(self.rate) or None, sa_number=self.sa_number() or None,
            start=start, end=end, accounting_date=day_of(self.accounting.date()),
            quantities=self.quantities.rows(), characteristics=self.characteristics.rows(),
            revenue_class=combo_code(self.revenue) or None,
            language=combo_code(self.language) or "ENG",
            bill_segment=self.segment_number() or None)

    def fill(self, request: RateCheckRequest) -> None:
        """Put a request's values into the form (Back/Forward, a screenshot, a test)."""
        set_combo_code(self.rate, request.rate_schedule or "")
        self.sa.setEditText(request.sa_number or "")
        if request.start and request.end:
            self.set_period(request.start, request.end, request.accounting_date)
        self.quantities.set_rows(request.quantities)
        self.characteristics.set_rows(request.characteristics)
        set_combo_code(self.revenue, request.revenue_class or "")
        set_combo_code(self.language, request.language)
        if (request.bill_segment or "") != self.segment_number():
            index = self.segment.findData(request.bill_segment or "")
            self.segment.blockSignals(True)
            if index >= 0:
                self.segment.setCurrentIndex(index)
            else:
                self.segment.setEditText(request.bill_segment or "")
            self.segment.blockSignals(False)


__all__ = ["RateCheckForm", "day_of", "qdate", "sa_item_text", "sa_number_of", "segment_text"]
