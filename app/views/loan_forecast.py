"""The loan pane's Forecast tab (P-LN1 §5–§7): the forecasted schedule and its chart, the
Renegotiate Future Payments panel (LN-F10) and the what-if panel (planned extra payments).

Typing a term recalculates the forecast and the chart at once, as soon as the inputs are
valid (the engine runs in-process; no query): what is then shown is the *proposed* schedule,
until Save keeps it or Revert drops it. Calculate fills the blank one of the number of
payments and the payment, and arms Save; editing again disarms it. A payment that does not
cover the interest shows the negative-amortization message instead of the table and chart.
Extra payments are drawn beside the plan and the table shows the schedule with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.engine.loans import ExtraPayment
from app.reports.formatting import money_text, percent_text
from app.reports.loan_schedule import period_label, savings_sentence
from app.services import loans
from app.services.errors import DomainError
from app.services.loan_terms import RenegotiationInputs, calculate_renegotiation
from app.services.loans import Forecast, ForecastRow, LoanCalculation, LoanView, WhatIf
from app.views.loan_chart import LoanChart
from app.views.loan_inputs import parse_amount, parse_periods, parse_rate
from app.views.widgets import label, push_button

COLUMNS = ("#", "Loan period", "Amount", "Extra", "Interest", "Principal", "Cum. interest",
           "Cum. principal", "Balance")
COLUMN_WIDTHS = (36, 150, 84, 66, 72, 84, 96, 104, 96)
_ATTRS = ("amount", "extra", "interest", "principal", "cumulative_interest",
          "cumulative_principal", "balance")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
FIELDS = ("loan_amount", "rate", "periods", "payment")
Index = QModelIndex | QPersistentModelIndex


class ForecastModel(QAbstractTableModel):
    """The schedule rows, formatted when asked (a 360-row schedule costs nothing to swap)."""

    def __init__(self) -> None:
        super().__init__()
        self.forecast = Forecast()

    def set_forecast(self, forecast: Forecast) -> None:
        self.beginResetModel()
        self.forecast = forecast
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.forecast.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and \
                role == Qt.ItemDataRole.TextAlignmentRole and section >= 2:
            return RIGHT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.forecast.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return "" if row.number is None else str(row.number)
            if column == 1:
                return short_period(row)
            return money_text(getattr(row, _ATTRS[column - 2]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return RIGHT
        if role == Qt.ItemDataRole.ToolTipRole and column == 1:
            return period_label(row)
        if role == Qt.ItemDataRole.FontRole and row.number is None:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setItalic(True)
            return font
        return None


class ForecastTab(QWidget):
    """Renegotiate and what-if on the left; the schedule over its chart on the right."""

    #: The shown forecast changed (the pane's Print and Export follow it).
    shown_changed = Signal()
    #: Save pressed with a calculation: (inputs, calculation).
    save_requested = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.view: LoanView | None = None
        self.calculation: LoanCalculation | None = None
        #: The proposed (calculated as typed) terms, when the inputs differ from the loan's.
        self.proposed: LoanCalculation | None = None
        #: Planned extra payments; ``first`` is the loan period (payment #) shown in the table.
        self.extras: list[ExtraPayment] = []
        self.calculated_field: str | None = None
        self.shown: WhatIf = WhatIf(Forecast(), Forecast())
        self._filling = False
        self.can_edit = True
        self._build()

    # ---------------------------------------------------------------------------- building

    def _build(self) -> None:
        self.inputs = {name: QLineEdit() for name in FIELDS}
        self.errors = {name: label("", "inlineError", wrap=True) for name in FIELDS}
        names = {"loan_amount": "Loan amount", "rate": "Rate %",
                 "periods": "Payments", "payment": "Payment"}
        box = QGroupBox("Renegotiate future payments")
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        for n, (name, widget) in enumerate(self.inputs.items()):
            widget.setAccessibleName(names[name])
            widget.setMaximumWidth(120 if name != "rate" else 80)
            widget.textEdited.connect(lambda _t, field=name: self._edited(field))
            grid.addWidget(QLabel(names[name]), 0, 2 * n)
            grid.addWidget(widget, 0, 2 * n + 1)
            self.errors[name].hide()
            grid.addWidget(self.errors[name], 1, 2 * n, 1, 2)
        self.inputs["periods"].setPlaceholderText("blank: calculated")
        self.inputs["payment"].setPlaceholderText("blank: calculated")
        self.frequency = label("", "hint")
        grid.addWidget(self.frequency, 0, 8)
        self.calculate_button = push_button(
            "Calculate", "Fill the blank one of Payments and Payment for these terms (Ctrl+K)",
            self.calculate)
        self.calculate_button.setShortcut("Ctrl+K")
        self.save_button = push_button(
            "Save", "Keep the calculated terms from the next loan period", self.save, "primary")
        self.revert_button = push_button("Revert", "Back to the loan's saved terms",
                                         self.revert)
        buttons = QHBoxLayout()
        for button in (self.calculate_button, self.save_button, self.revert_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        grid.addLayout(buttons, 2, 0, 1, 9)
        grid.setColumnStretch(8, 1)
        self.reneg_message = label("", "inlineError", wrap=True)
        self.reneg_message.hide()
        grid.addWidget(self.reneg_message, 3, 0, 1, 9)

        what_if = QGroupBox("What if the customer pays extra?")
        extra_rows = QVBoxLayout(what_if)
        extra_rows.setSpacing(4)
        row = QHBoxLayout()
        extra_rows.addLayout(row)
        self.extra_amount = QLineEdit()
        self.extra_amount.setPlaceholderText("e.g. 100.00")
        self.extra_amount.setAccessibleName("Extra payment amount")
        self.extra_amount.setMaximumWidth(110)
        self.extra_amount.returnPressed.connect(self.add_extra)
        self.extra_from = QSpinBox()
        self.extra_from.setRange(1, 5000)
        self.extra_from.setAccessibleName("With payment number")
        self.extra_recurring = QCheckBox("and every payment after it")
        self.extra_recurring.setChecked(True)
        self.add_extra_button = push_button(
            "Add", "Add this extra payment to the what-if (Enter)", self.add_extra)
        self.remove_extra_button = push_button(
            "Remove", "Remove the selected extra payment (the last when none is selected)",
            self.remove_extra)
        self.extra_list = QListWidget()
        self.extra_list.setAccessibleName("Planned extra payments")
        self.extra_list.setFlow(QListWidget.Flow.LeftToRight)
        self.extra_list.setFixedHeight(30)
        self.extra_list.setSpacing(2)
        self.extra_list.hide()
        self.extra_error = label("", "inlineError", wrap=True)
        self.extra_error.hide()
        for widget in (QLabel("Extra"), self.extra_amount, QLabel("with payment #"),
                       self.extra_from, self.extra_recurring, self.add_extra_button,
                       self.remove_extra_button):
            row.addWidget(widget)
        row.addStretch(1)
        extra_rows.addWidget(self.extra_list)
        extra_rows.addWidget(self.extra_error)

        self.summary = label("", "pageSubtitle", wrap=True)
        self.savings = label("", "calcResult", wrap=True)
        self.savings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.proposed_banner = label("", "authorityBanner", wrap=True)
        self.proposed_banner.setStyleSheet(
            "QLabel { background: #e8f0fb; color: #1f3a5f; border: 1px solid #9bb8e0;"
            " border-radius: 4px; padding: 5px 9px; }")
        self.proposed_banner.hide()
        self.model = ForecastModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Forecasted schedule")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column_index, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column_index, width)
        period_width = self.table.fontMetrics().horizontalAdvance("30 Sep 27 – 29 Sep 27")
        self.table.setColumnWidth(1, period_width + 18)
        self.chart = LoanChart()
        self.negative = label("", "emptyHeading", wrap=True)
        self.negative.setStyleSheet("color: #b00020;")
        self.negative.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.negative.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        #: The table, or in its place the negative-amortization message.
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.negative)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        for widget in (box, what_if, self.proposed_banner, self.summary, self.savings):
            column.addWidget(widget)
        column.addWidget(self.stack, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.chart)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([840, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(split, 1)

    # ---------------------------------------------------------------------------- loading

    def show_loan(self, view: LoanView, can_edit: bool) -> None:
        """Show ``view`` with its saved terms; the what-if extras stay while it is the same
        loan (another loan starts without any)."""
        if self.view is None or self.view.sa_number != view.sa_number:
            self.set_extras([])
        self.view = view
        self.can_edit = can_edit
        self.frequency.setText(view.frequency.label)
        first = view.next_period.number
        self.extra_from.setRange(first, first + 5000)
        self.revert()

    def revert(self) -> None:
        view = self.view
        if view is None:
            return
        self._filling = True
        self.inputs["loan_amount"].setText(f"{view.loan_amount:.2f}")
        self.inputs["rate"].setText(percent_text(view.rate).removesuffix(" %"))
        self.inputs["periods"].setText("")
        self.inputs["payment"].setText(f"{view.next_payment:.2f}")
        self._filling = False
        self.calculation = None
        self.calculated_field: str | None = None
        self.proposed = None
        self._clear_errors()
        self._enable()
        self._redraw()

    def _enable(self) -> None:
        view = self.view
        open_loan = view is not None and view.status.value in ("PENDING_START", "ACTIVE")
        editable = open_loan and self.can_edit
        self.inputs["loan_amount"].setEnabled(editable and view is not None
                                              and view.loan_amount_editable)
        self.inputs["rate"].setEnabled(editable and view is not None
                                       and view.allow_rate_override)
        self.inputs["rate"].setToolTip("" if view is None or view.allow_rate_override else
                                       "This loan type keeps its standard rate")
        for name in ("periods", "payment"):
            self.inputs[name].setEnabled(editable)
        self.calculate_button.setEnabled(editable)
        self.save_button.setEnabled(editable and self.calculation is not None)
        self.revert_button.setEnabled(editable)

    def _clear_errors(self) -> None:
        for error in self.errors.values():
            error.hide()
        self.reneg_message.hide()

    def show_error(self, exc: DomainError) -> None:
        error = self.errors.get(exc.field or "")
        target = error if error is not None else self.reneg_message
        target.setText(exc.message)
        target.show()

    def error_text(self, field: str) -> str:
        error = self.errors.get(field, self.reneg_message)
        return error.text() if not error.isHidden() else ""

    # ---------------------------------------------------------------------------- inputs

    def read_inputs(self) -> RenegotiationInputs:
        view = self.view
        assert view is not None
        amount = parse_amount(self.inputs["loan_amount"].text(), "loan_amount", "loan amount") \
            if view.loan_amount_editable else None
        return RenegotiationInputs(
            parse_rate(self.inputs["rate"].text()),
            parse_periods(self.inputs["periods"].text(), blank=True),
            parse_amount(self.inputs["payment"].text(), "payment", "payment amount",
                         blank=True),
            amount)

    def _is_saved_terms(self, inputs: RenegotiationInputs) -> bool:
        view = self.view
        assert view is not None
        return (inputs.rate == view.rate and inputs.periods is None
                and inputs.payment == view.next_payment
                and inputs.loan_amount in (None, view.loan_amount))

    def _edited(self, field: str = "") -> None:
        """As the user types: recalculate once the inputs are valid (no Save until Calculate).
        The field the last Calculate filled is emptied again when another one is edited, so
        the next Calculate fills it anew."""
        if self._filling or self.view is None:
            return
        if self.calculated_field and field and field != self.calculated_field:
            self._filling = True
            self.inputs[self.calculated_field].setText("")
            self._filling = False
        self.calculated_field = None
        self.calculation = None
        self._clear_errors()
        self.proposed = None
        try:
            inputs = self.read_inputs()
            if not self._is_saved_terms(inputs):
                self.proposed = calculate_renegotiation(self.view, inputs)
        except DomainError as exc:
            if "negative amortization" in exc.message:
                self._show_negative(loans.FORECAST_REFUSED + exc.message[0].lower()
                                    + exc.message[1:])
                self._enable()
                return
            if (exc.field or "") in self.errors:
                self.show_error(exc)
        self._enable()
        self._redraw()

    def calculate(self) -> bool:
        """Calculate: fill the blank field and arm Save for exactly these inputs."""
        if self.view is None:
            return False
        self._clear_errors()
        try:
            inputs = self.read_inputs()
            calculation = calculate_renegotiation(self.view, inputs)
        except DomainError as exc:
            self.calculation = None
            self.show_error(exc)
            self._enable()
            return False
        self._filling = True
        self.inputs["payment"].setText(f"{calculation.payment:.2f}")
        self.inputs["periods"].setText(str(calculation.periods))
        self._filling = False
        self.calculated_field = "payment" if inputs.payment is None else "periods"
        self.calculation = calculation
        self.proposed = calculation
        self._enable()
        self._redraw()
        return True

    def save(self) -> None:
        if self.calculation is None:
            self.reneg_message.setText("Click Calculate before Save: it checks the terms and "
                                       "fills the blank field.")
            self.reneg_message.show()
            return
        self.save_button.setEnabled(False)          # one Save per Calculate
        self.save_requested.emit(self.calculation.inputs, self.calculation)

    # ---------------------------------------------------------------------------- what-if

    def add_extra(self) -> None:
        self.extra_error.hide()
        try:
            amount = parse_amount(self.extra_amount.text(), "extra", "extra payment")
        except DomainError as exc:
            self.extra_error.setText(exc.message)
            self.extra_error.show()
            return
        assert amount is not None
        extra = ExtraPayment(amount, self.extra_from.value(), self.extra_recurring.isChecked())
        self.extras.append(extra)
        self.extra_list.show()
        self.extra_list.addItem(
            f"{money_text(amount)} with payment #{extra.first}"
            + (" and every payment after" if extra.recurring else " only"))
        self.extra_amount.clear()
        self._redraw()

    def remove_extra(self) -> None:
        row = self.extra_list.currentRow()
        if row < 0:
            row = self.extra_list.count() - 1
        if row >= 0:
            self.extra_list.takeItem(row)
            del self.extras[row]
            self.extra_list.setVisible(bool(self.extras))
            self._redraw()

    def set_extras(self, extras: Sequence[ExtraPayment]) -> None:
        self.extras = []
        self.extra_list.clear()
        self.extra_list.hide()
        for extra in extras:
            self.extra_amount.setText(f"{extra.amount:.2f}")
            self.extra_from.setValue(extra.first)
            self.extra_recurring.setChecked(extra.recurring)
            self.add_extra()

    # ---------------------------------------------------------------------------- drawing

    def _show_negative(self, message: str) -> None:
        self.shown = WhatIf(Forecast(error=message), Forecast(error=message))
        self.negative.setText(message)
        self.stack.setCurrentIndex(1)
        self.chart.hide()
        self.summary.setText("")
        self.proposed_banner.hide()
        self.savings.setText("")
        self.chart.clear()
        self.model.set_forecast(Forecast())
        self.shown_changed.emit()

    def _redraw(self) -> None:
        view = self.view
        if view is None:
            return
        basis = self.proposed
        terms, position = (basis.terms, basis.position) if basis else (view.terms,
                                                                       view.position)
        if basis is None and view.status.value not in ("PENDING_START", "ACTIVE",
                                                         "PENDING_STOP"):
            self._show_negative(view.forecast.error or "")
            self.negative.setStyleSheet("")
            return
        self.negative.setStyleSheet("color: #b00020;")
        known = basis.forecast if basis is not None else view.forecast
        offset = position.next_period - 1       # the spin box counts loan periods
        extras = [ExtraPayment(e.amount, max(1, e.first - offset), e.recurring)
                  for e in self.extras]
        shown = loans.forecast(terms, position, extras, known if known.ok else None)
        if not shown.plan.ok:
            self._show_negative(shown.plan.error or "")
            return
        self.shown = shown
        self.stack.setCurrentIndex(0)
        self.chart.show()
        forecast = shown.with_extras if shown.with_extras.ok else shown.plan
        self.model.set_forecast(forecast)
        self.table.setColumnHidden(3, not any(r.extra for r in forecast.rows))
        self.chart.show_forecast(shown)
        self.summary.setText(summary_text(shown.plan, view.currency))
        self.savings.setText(savings_sentence(shown, view.currency) if self.extras else
                             "Add an extra payment to see how much interest and time it saves.")
        if basis is not None:
            self.proposed_banner.setText(
                f"Proposed: {money_text(basis.payment)} × {basis.periods} payments at "
                f"{percent_text(basis.rate)} from {basis.effective:%d %b %Y} — "
                + ("Save keeps it." if self.calculation is not None else
                   "Calculate, then Save to keep it.") + " Revert drops it.")
            self.proposed_banner.show()
        else:
            self.proposed_banner.hide()
        self.shown_changed.emit()

    @property
    def is_proposed(self) -> bool:
        return self.proposed is not None


def short_period(row: ForecastRow) -> str:
    """"10 Dec 26 – 09 Jan 27" (the whole dates are in the tooltip and on paper)."""
    if row.start is None or row.end is None:
        return "To date"
    return f"{row.start:%d %b %y} – {row.end:%d %b %y}"


def summary_text(forecast: Forecast, currency: str) -> str:
    if not forecast.rows or forecast.payments == 0:
        return "Nothing left to pay."
    last = forecast.rows[-1]
    when = f" on {last.start:%d %b %Y}" if last.start else ""
    return (f"{forecast.payments} payment{'s' if forecast.payments != 1 else ''} left · last "
            f"{money_text(last.amount, currency)}{when} · interest still to pay "
            f"{money_text(forecast.future_interest, currency)} · total interest "
            f"{money_text(forecast.total_interest, currency)}")


__all__ = ["ForecastModel", "ForecastTab", "summary_text"]
