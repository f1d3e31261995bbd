"""The loan pane's Rates & Payments tab (LN-F11: the Override Interest Rate and Payment
Amount grids, saved together) and its History tab (the loan's financial transactions with
running current and payoff balances, newest first; a payoff cell equal to its current cell is
greyed, P-LN1 §4)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.reports.formatting import money_text, percent_text
from app.services.errors import ValidationError
from app.services.loans import LoanView, PaymentRow, RateRow
from app.views.editable_grid import EditableGrid
from app.views.loan_inputs import parse_amount, parse_rate
from app.views.tree_dialogs import parse_date
from app.views.widgets import label, push_button

HISTORY_COLUMNS = ("Arrears date", "Type", "Description", "Current amount", "Current balance",
                   "Payoff amount", "Payoff balance")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class _RowsGrid(EditableGrid):
    """An editable grid whose new rows are blank text cells."""

    def add_row(self) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column in range(self.table.columnCount()):
            self.table.setItem(row, column, QTableWidgetItem(""))
        self.table.setCurrentCell(row, 0)
        self.changed.emit()
        return row


class RateGrid(_RowsGrid):
    def __init__(self) -> None:
        super().__init__("Override interest rate", ("Start date", "End date", "Rate %"),
                         "rateOverrides", hint="Rows replace the standard rate for their "
                         "dates. End the current row, then add one.", title_above=True)

    def set_rows(self, rows: tuple[RateRow, ...]) -> None:
        self.clear_rows()
        for r in rows:
            n = self.add_row()
            self.table.item(n, 0).setText(f"{r.start:%Y-%m-%d}")
            self.table.item(n, 1).setText(f"{r.end:%Y-%m-%d}" if r.end else "")
            self.table.item(n, 2).setText(percent_text(r.rate).removesuffix(" %"))

    def read(self) -> list[RateRow]:
        rows = []
        for n in range(self.table.rowCount()):
            texts = [self._text(n, c) for c in range(3)]
            if not any(texts):
                continue
            where = f"Rate row {n + 1}: "
            try:
                start = parse_date(texts[0], "rate_overrides", "start date")
                end = parse_date(texts[1], "rate_overrides", "end date") if texts[1] else None
                rate = parse_rate(texts[2], "rate_overrides")
            except ValidationError as exc:
                raise ValidationError(where + exc.message, "rate_overrides") from None
            rows.append(RateRow(start, end, rate))
        return rows


class PaymentGrid(_RowsGrid):
    def __init__(self) -> None:
        super().__init__("Payment amount", ("Effective date", "Amount"), "paymentAmounts",
                         hint="Each row is the payment from its date on.", title_above=True)

    def set_rows(self, rows: tuple[PaymentRow, ...]) -> None:
        self.clear_rows()
        for r in rows:
            n = self.add_row()
            self.table.item(n, 0).setText(f"{r.effective:%Y-%m-%d}")
            self.table.item(n, 1).setText(f"{r.amount:.2f}")

    def read(self) -> list[PaymentRow]:
        rows = []
        for n in range(self.table.rowCount()):
            texts = [self._text(n, c) for c in range(2)]
            if not any(texts):
                continue
            try:
                effective = parse_date(texts[0], "payments", "effective date")
                amount = parse_amount(texts[1], "payments", "payment amount")
            except ValidationError as exc:
                raise ValidationError(f"Payment row {n + 1}: {exc.message}", "payments") \
                    from None
            assert amount is not None
            rows.append(PaymentRow(effective, amount))
        return rows


class RatesPaymentsTab(QWidget):
    """Both grids with Save / Revert; Save emits the rows for the pane to save."""

    save_requested = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.rates = RateGrid()
        self.payments = PaymentGrid()
        self.save_button = push_button(
            "Save Rows", "Save both grids; the changes take effect on their dates", self.save,
            "primary")
        self.revert_button = push_button("Revert", "Back to the saved rows", self.revert)
        self.note = label("", "hint", wrap=True)
        self.view: LoanView | None = None
        #: Rows typed since the loan was shown (a reload would lose them).
        self.dirty = False
        self._showing = False
        for grid in (self.rates, self.payments):
            grid.changed.connect(self._changed)
        grids = QHBoxLayout()
        grids.setSpacing(18)
        grids.addWidget(self.rates, 3)
        grids.addWidget(self.payments, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(grids, 1)
        layout.addLayout(buttons)

    def show_loan(self, view: LoanView, can_edit: bool) -> None:
        self.view = view
        self.can_edit = can_edit
        self.revert()

    def _changed(self) -> None:
        if not self._showing:
            self.dirty = True

    def revert(self) -> None:
        view = self.view
        if view is None:
            return
        self._showing = True
        self.rates.set_rows(view.rate_overrides)
        self.payments.set_rows(view.payment_amounts)
        self._showing = False
        self.dirty = False
        self.rates.show_message("")
        self.payments.show_message("")
        open_loan = view.status.value in ("PENDING_START", "ACTIVE", "PENDING_STOP")
        rates_editable = open_loan and self.can_edit and view.allow_rate_override
        payments_editable = open_loan and self.can_edit
        for grid, editable in ((self.rates, rates_editable), (self.payments, payments_editable)):
            grid.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers if editable
                                       else QAbstractItemView.EditTrigger.NoEditTriggers)
            grid.add_button.setEnabled(editable)
            grid.remove_button.setEnabled(editable)
        self.save_button.setEnabled(payments_editable)
        self.revert_button.setEnabled(payments_editable)
        billed = (f"Periods up to {view.next_period.start:%d %b %Y} (exclusive) are billed: "
                  "rows there cannot change. " if view.ever_billed else "")
        rate_note = ("" if view.allow_rate_override else
                     f"{view.sa_type} loans keep their standard rate "
                     f"({percent_text(view.standard_rate)}): the rate grid is read-only. ")
        self.note.setText(billed + rate_note + "A payment that does not cover the interest "
                          "can be saved: billing then fails until it is raised.")

    def save(self) -> None:
        for grid in (self.rates, self.payments):
            grid.commit_edits()
            grid.show_message("")
        try:
            rates = self.rates.read()
        except ValidationError as exc:
            self.rates.show_message(exc.message)
            return
        try:
            payments = self.payments.read()
        except ValidationError as exc:
            self.payments.show_message(exc.message)
            return
        self.save_requested.emit(rates, payments)

    def show_error(self, field: str | None, message: str) -> None:
        grid = self.rates if field == "rate_overrides" else self.payments
        grid.show_message(message)


class HistoryTab(QTableWidget):
    def __init__(self) -> None:
        super().__init__(0, len(HISTORY_COLUMNS))
        self.setHorizontalHeaderLabels(list(HISTORY_COLUMNS))
        self.setAccessibleName("Loan financial history")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    def show_loan(self, view: LoanView) -> None:
        self.setSortingEnabled(False)
        self.setRowCount(len(view.history))
        grey = QColor("#8b8f96")
        for n, h in enumerate(view.history):
            cells = (f"{h.date:%Y-%m-%d}", h.kind, h.description, money_text(h.current_amount),
                     money_text(h.current_balance), money_text(h.payoff_amount),
                     money_text(h.payoff_balance))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 3:
                    item.setTextAlignment(RIGHT)
                if (column == 5 and h.payoff_amount == h.current_amount) or \
                        (column == 6 and h.payoff_balance == h.current_balance):
                    item.setForeground(grey)
                self.setItem(n, column, item)
