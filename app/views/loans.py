"""The Loans pane (spec/50 P-LN1, Loan Maintenance): a loan's terms and balances, its
forecasted schedule with a chart, renegotiation, the rate and payment grids, its financial
history, and the loan's actions.

    pane = host.open_pane("loans")
    pane.open_loan("4887607456")

It opens on the current account's newest open loan (the Loan list names the others; a typed
SA ID opens any loan). Actions: Start Loan (Calculate, then Start), Activate SA, Bill Next
Period, Take Payment, Early Payoff, Stop SA, Cancel Loan; Print Schedule writes the forecast
on screen as a PDF for the customer, Export CSV its rows. Every call to the database runs in
a worker; a refused step says why beside the field it concerns and saves nothing; a lost
race says who won and reloads. The pane belongs to the Loans module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import SAStatus, UserRole
from app.reports.formatting import money_text, percent_text
from app.reports.loan_schedule import render_loan_schedule, write_schedule_csv
from app.services import loan_terms, loans
from app.services.context import today
from app.services.errors import ConcurrentChange, DomainError
from app.services.installation import Module
from app.services.loans import LoanCalculation, LoanSummary, LoanView
from app.services.lookup import check_identifier
from app.views.loan_dialogs import (
    AdjustLoanDialog,
    BillLoanDialog,
    EarlyPayoffDialog,
    LoanPaymentDialog,
    StartLoanDialog,
    StopLoanDialog,
)
from app.views.loan_forecast import ForecastTab
from app.views.loan_grids import HistoryTab, RatesPaymentsTab
from app.views.panes import PaneContext, PaneHost, PaneSpec, register
from app.views.record import register_record_opener
from app.views.tree_dialogs import BANNER_STYLE
from app.views.widgets import (
    EmptyCard,
    error_label,
    label,
    pane_message,
    pane_shortcuts,
    push_button,
    say,
)
from app.views.worker import run_and_wait, run_task

LOANS = "loans"
HEADER_FIELDS = (
    ("payoff", "Payoff balance"), ("current", "Current balance"),
    ("principal", "Principal balance"), ("amount", "Loan amount"),
    ("standard_rate", "Standard interest rate"), ("rate", "Rate in force"),
    ("next_payment", "Next payment amount"), ("payments", "Payment(s)"),
    ("frequency", "Frequency"), ("next_period", "Next loan period"),
    ("started", "Started"), ("ends", "Ends"),
)


class LoansPane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.view: LoanView | None = None
        self.summaries: list[LoanSummary] = []
        self.busy = False
        self.can_edit = ctx.actor.has_any(UserRole.CSR, UserRole.SUPERVISOR)
        self.can_bill = ctx.actor.has_any(UserRole.SUPERVISOR)
        self.types: list[loans.LoanTypeChoice] | None = None
        self._build()
        pane_shortcuts(self, (("F5", self.reload), ("Ctrl+P", self.print_dialog),
                              ("Ctrl+E", self.export_dialog), ("Ctrl+N", self.start_loan_dialog)))
        ctx.current.changed.connect(lambda _a: self.refresh_account())
        ctx.current.saved.connect(lambda _n: self.refresh_account(keep=True))
        self.refresh_account()

    # ---------------------------------------------------------------------------- building

    def _build(self) -> None:
        self.title = label("Loans", "pageTitle")
        self.subtitle = label("", "pageSubtitle", wrap=True)
        self.loan_combo = QComboBox()
        self.loan_combo.setAccessibleName("Loans of the account")
        self.loan_combo.setMinimumWidth(470)
        self.loan_combo.activated.connect(self._loan_chosen)
        self.sa_field = QLineEdit()
        self.sa_field.setPlaceholderText("Loan SA ID")
        self.sa_field.setAccessibleName("Loan SA ID")
        self.sa_field.setMaximumWidth(150)
        self.sa_field.returnPressed.connect(self._open_typed)
        self.sa_error = error_label()
        top = QHBoxLayout()
        top.addWidget(QLabel("Loan"))
        top.addWidget(self.loan_combo)
        top.addWidget(self.sa_field)
        top.addWidget(push_button("Open", "Open the loan with this SA ID", self._open_typed))
        top.addStretch(1)
        self.start_button = push_button("Start Loan…", "Start a loan on the current account "
                                        "(Ctrl+N)", self.start_loan_dialog, "primary")
        top.addWidget(self.start_button)
        actions = QHBoxLayout()
        self.activate_button = push_button("Activate SA", "Activate the loan: its principal "
                                           "is booked", self.activate)
        self.bill_button = push_button("Bill Next Period…", "Bill the next loan period "
                                       "(supervisors)", self.bill_dialog)
        self.pay_button = push_button("Take Payment…", "Take a payment on the loan",
                                      self.payment_dialog)
        self.payoff_button = push_button("Early Payoff…", "Set an end date and see the final "
                                         "bill", self.payoff_dialog)
        self.stop_button = push_button("Stop SA…", "Stop the loan on its end date",
                                       self.stop_dialog)
        self.cancel_button = push_button("Cancel Loan", "Cancel a loan started by mistake",
                                         self.cancel)
        self.adjust_button = push_button("Adjust…", "An ad hoc adjustment of the current or "
                                         "payoff balance (supervisors)", self.adjust_dialog)
        self.print_button = push_button("Print Schedule…", "The schedule on screen as a PDF "
                                        "for the customer (Ctrl+P)", self.print_dialog)
        self.export_button = push_button("Export CSV…", "The schedule's rows as CSV (Ctrl+E)",
                                         self.export_dialog)
        for button in (self.activate_button, self.bill_button, self.pay_button,
                       self.payoff_button, self.stop_button, self.cancel_button,
                       self.adjust_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.print_button)
        actions.addWidget(self.export_button)

        self.header = QGroupBox("Loan")
        grid = QGridLayout(self.header)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        self.fields: dict[str, QLabel] = {}
        for n, (key, caption) in enumerate(HEADER_FIELDS):
            row, column = divmod(n, 6)
            value = label("—", "fieldValue")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(caption)
            grid.addWidget(label(caption, "hint"), row * 2, column)
            grid.addWidget(value, row * 2 + 1, column)
            self.fields[key] = value
        for column in range(6):
            grid.setColumnStretch(column, 1)
        self.billing_error = label("", "authorityBanner", wrap=True)
        self.billing_error.setStyleSheet(BANNER_STYLE)
        self.billing_error.hide()

        self.forecast_tab = ForecastTab()
        self.forecast_tab.save_requested.connect(self.save_renegotiation)
        self.grids_tab = RatesPaymentsTab()
        self.grids_tab.save_requested.connect(self.save_grids)
        self.history_tab = HistoryTab()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.forecast_tab, "Forecast")
        self.tabs.addTab(self.grids_tab, "Rates && Payments")
        self.tabs.addTab(self.history_tab, "History")

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(actions)
        body.addWidget(self.header)
        body.addWidget(self.billing_error)
        body.addWidget(self.tabs, 1)
        self.empty = EmptyCard("No loan open")
        self.empty_heading, self.empty_text = self.empty.heading, self.empty.text
        self.filler = QWidget()
        self.message = pane_message()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 12)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(top)
        layout.addWidget(self.sa_error)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.empty)
        layout.addWidget(self.filler, 1)
        layout.addWidget(self.message)
        self._show_empty()

    # ---------------------------------------------------------------------------- loading

    def _account(self) -> str | None:
        account = self.ctx.current.account
        return account.account_number if account is not None else None

    def refresh_account(self, keep: bool = False) -> None:
        """List the current account's loans and open the newest open one (or keep the one
        shown when it is still the account's)."""
        number = self._account()
        if number is None:
            self.summaries = []
            self._fill_combo()
            if not keep or self.view is None:
                self._show_empty()
            return
        run_task(loans.loans_of_account, self.ctx.db, number,
                 on_result=lambda found: self._listed(found, keep), on_error=self._failed)

    def _listed(self, found: list[LoanSummary], keep: bool) -> None:
        self.summaries = found
        self._fill_combo()
        shown = self.view.sa_number if self.view else None
        if keep and shown and (self.forecast_tab.is_proposed or self.grids_tab.dirty):
            return      # the user is changing this loan's terms: keep what they typed
        if keep and shown:
            self.open_loan(shown)
        elif found:
            self.open_loan(found[0].sa_number)
        else:
            self.view = None
            self._show_empty()

    def _fill_combo(self) -> None:
        self.loan_combo.blockSignals(True)
        self.loan_combo.clear()
        for s in self.summaries:
            self.loan_combo.addItem(
                f"{s.sa_number} · {s.sa_type} · {s.status.label} · payoff "
                f"{money_text(s.payoff_balance)}", s.sa_number)
        if not self.summaries:
            self.loan_combo.addItem("No loans on this account" if self._account()
                                    else "No account chosen")
        self.loan_combo.setEnabled(bool(self.summaries))
        self.loan_combo.blockSignals(False)

    def _loan_chosen(self, index: int) -> None:
        number = self.loan_combo.itemData(index)
        if number:
            self.open_loan(str(number))

    def _open_typed(self) -> None:
        self.sa_error.hide()
        try:
            number = check_identifier(self.sa_field.text(), "sa_number")
        except DomainError as exc:
            say(self.sa_error, exc.message, False)
            return
        self.open_loan(number)

    def open_loan(self, number: str) -> None:
        run_task(loans.open_loan, self.ctx.db, number, on_result=self.show_loan,
                 on_error=self._open_failed)

    def _open_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError):
            say(self.sa_error, exc.message, False)
        else:
            self._failed(exc)

    def reload(self) -> None:
        if self.view is not None:
            self.open_loan(self.view.sa_number)
        else:
            self.refresh_account()

    def show_loan(self, view: LoanView) -> None:
        self.view = view
        self.sa_error.hide()
        self.body.show()
        self.empty.hide()
        self.filler.hide()
        self.subtitle.setText(f"{view.customer_name} · account {view.account_number} · "
                              f"{view.sa_type} {view.sa_number} ({view.start_option}) · "
                              f"{view.status.label}")
        index = self.loan_combo.findData(view.sa_number)
        if index >= 0:
            self.loan_combo.setCurrentIndex(index)
        c = view.currency
        values = {
            "payoff": money_text(view.payoff_balance, c),
            "current": money_text(view.current_balance, c),
            "principal": money_text(view.principal_balance, c),
            "amount": money_text(view.loan_amount, c),
            "standard_rate": percent_text(view.standard_rate),
            "rate": percent_text(view.rate),
            "next_payment": money_text(view.next_payment, c),
            "payments": str(view.original_payment_periods),
            "frequency": view.frequency.label,
            "next_period": f"#{view.next_period.number}: {view.next_period}",
            "started": f"{view.start_date:%d %b %Y}",
            "ends": f"{view.end_date:%d %b %Y}" if view.end_date else "—",
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        self.billing_error.setText(f"The last billing failed: {view.billing_error}"
                                   if view.billing_error else "")
        self.billing_error.setVisible(bool(view.billing_error))
        self.forecast_tab.show_loan(view, self.can_edit)
        self.grids_tab.show_loan(view, self.can_edit)
        self.history_tab.show_loan(view)
        self._set_enabled()

    def _show_empty(self) -> None:
        self.view = None
        self.body.hide()
        self.empty.show()
        self.filler.show()
        account = self._account()
        self.subtitle.setText("")
        if account is None:
            self.empty_text.setText(
                "Choose a customer in Control Central (Ctrl+2) to see their loans, or type a "
                "loan's SA ID above. A loan is started for an account with Start Loan.")
        else:
            self.empty_text.setText(
                f"Account {account} has no loans. Start Loan (Ctrl+N) offers the loan types "
                "and their start options; Calculate shows the payment and the forecast before "
                "anything is saved.")
        self._set_enabled()

    def _set_enabled(self) -> None:
        view = self.view
        status = view.status if view else None
        idle = not self.busy
        self.start_button.setEnabled(idle and self.can_edit and self._account() is not None)
        self.activate_button.setEnabled(idle and self.can_edit
                                        and status is SAStatus.PENDING_START)
        refused = view.why_not_billable(today()) if view is not None else None
        self.bill_button.setEnabled(idle and self.can_bill and view is not None
                                    and refused is None)
        self.bill_button.setToolTip(refused[0] if refused else
                                    "Bill the next loan period (supervisors)")
        self.pay_button.setEnabled(idle and self.can_edit and status in (
            SAStatus.ACTIVE, SAStatus.PENDING_STOP, SAStatus.STOPPED))
        self.payoff_button.setEnabled(idle and self.can_edit and status is SAStatus.ACTIVE)
        self.stop_button.setEnabled(idle and self.can_edit and status is SAStatus.PENDING_STOP)
        self.cancel_button.setEnabled(idle and self.can_edit and status in (
            SAStatus.PENDING_START, SAStatus.ACTIVE))
        self.adjust_button.setEnabled(idle and self.can_bill and status in (
            SAStatus.ACTIVE, SAStatus.PENDING_STOP, SAStatus.STOPPED))
        self.print_button.setEnabled(view is not None)
        self.export_button.setEnabled(view is not None)

    # ---------------------------------------------------------------------------- actions

    def _after(self, text: str) -> None:
        say(self.message, text, True)
        self.ctx.host.show_status(text)
        self.refresh_account(keep=True)

    def _run(self, fn: Any, *args: Any, done: str) -> None:
        if self.busy:
            return
        self.busy = True
        self._set_enabled()
        say(self.message, "", True)

        def finished(view: Any) -> None:
            self.busy = False
            if isinstance(view, LoanView):
                self.show_loan(view)
            self._after(done)

        run_task(fn, *args, on_result=finished, on_error=self._action_failed)

    def _action_failed(self, exc: BaseException) -> None:
        self.busy = False
        self._set_enabled()
        self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ConcurrentChange):
            say(self.message, exc.message, False)
            self.reload()
        elif isinstance(exc, DomainError):
            say(self.message, exc.message, False)
        else:
            say(self.message, f"Something went wrong: {exc}. The loan was not changed.", False)

    def _dialog(self, dialog: Any) -> Any:
        dialog.saved.connect(self._after)
        dialog.concurrent_change.connect(self.reload)
        dialog.open()
        return dialog

    def start_loan_dialog(self) -> StartLoanDialog | None:
        account = self.ctx.current.account
        if account is None or not self.can_edit:
            return None
        types = self._loan_types()
        if not types:
            say(self.message, "No loan types are set up, so no loan can start. Ask an "
                "administrator to add one.", False)
            return None
        dialog = StartLoanDialog(self.ctx, self, account.account_number, account.label, types)

        def started(_text: str) -> None:
            number = dialog.result_value
            if isinstance(number, str):
                self.open_loan(number)

        dialog.saved.connect(started)
        return self._dialog(dialog)

    def _loan_types(self) -> list[loans.LoanTypeChoice]:
        """The loan types, read once per pane in a worker (the UI keeps painting)."""
        if self.types is None:
            self.types = run_and_wait(loans.loan_types, self.ctx.db)
        return self.types

    def activate(self) -> None:
        if self.view is not None:
            self._run(loans.activate_loan, self.ctx.db, self.ctx.actor, self.view.sa_number,
                      self.view.version, done=f"Loan {self.view.sa_number} is active; its "
                      "principal is booked.")

    def cancel(self) -> None:
        view = self.view
        if view is None:
            return
        answer = QMessageBox.question(
            self, "Cancel loan", f"Cancel loan {view.sa_number}? This is for a loan started by "
            "mistake: it is never billed.")
        if answer == QMessageBox.StandardButton.Yes:
            self._run(loans.cancel_loan, self.ctx.db, self.ctx.actor, view.sa_number,
                      view.version, done=f"Loan {view.sa_number} canceled.")

    def bill_dialog(self) -> BillLoanDialog | None:
        return self._dialog(BillLoanDialog(self.ctx, self, self.view)) if self.view else None

    def payment_dialog(self) -> LoanPaymentDialog | None:
        return self._dialog(LoanPaymentDialog(self.ctx, self, self.view)) if self.view else None

    def payoff_dialog(self) -> EarlyPayoffDialog | None:
        return self._dialog(EarlyPayoffDialog(self.ctx, self, self.view)) if self.view else None

    def adjust_dialog(self) -> AdjustLoanDialog | None:
        return self._dialog(AdjustLoanDialog(self.ctx, self, self.view)) if self.view else None

    def stop_dialog(self) -> StopLoanDialog | None:
        return self._dialog(StopLoanDialog(self.ctx, self, self.view)) if self.view else None

    def save_renegotiation(self, inputs: object, calculation: LoanCalculation) -> None:
        view = self.view
        if view is None or not isinstance(inputs, loan_terms.RenegotiationInputs):
            return
        self.busy = True

        def saved(new: LoanView) -> None:
            self.busy = False
            self.show_loan(new)
            self._after(f"Loan {new.sa_number} renegotiated: {money_text(new.next_payment)} "
                        f"from {calculation.effective:%d %b %Y}.")

        def refused(exc: BaseException) -> None:
            self.busy = False
            self.forecast_tab.save_button.setEnabled(True)
            if isinstance(exc, DomainError) and not isinstance(exc, ConcurrentChange):
                self.forecast_tab.show_error(exc)
            else:
                self._failed(exc)

        run_task(loan_terms.save_renegotiation, self.ctx.db, self.ctx.actor, view.sa_number,
                 inputs, calculation, view.version, on_result=saved, on_error=refused)

    def save_grids(self, rates: object, payments: object) -> None:
        view = self.view
        if view is None:
            return

        self.grids_tab.save_button.setEnabled(False)

        def saved(new: LoanView) -> None:
            self.show_loan(new)
            self._after(f"Rate and payment rows of loan {new.sa_number} saved.")

        def refused(exc: BaseException) -> None:
            self.grids_tab.save_button.setEnabled(True)
            if isinstance(exc, DomainError) and not isinstance(exc, ConcurrentChange):
                self.grids_tab.show_error(exc.field, exc.message)
            else:
                self._failed(exc)

        run_task(loan_terms.save_grids, self.ctx.db, self.ctx.actor, view.sa_number, rates,
                 payments, view.version, on_result=saved, on_error=refused)

    # ---------------------------------------------------------------------------- output

    def print_schedule(self, path: Path) -> None:
        """Write the schedule on screen (proposed terms and extras included) as a PDF."""
        view = self.view
        if view is None:
            return
        shown = self.forecast_tab.shown
        proposed = self.forecast_tab.is_proposed
        run_task(render_loan_schedule, view, shown, path, proposed=proposed,
                 on_result=lambda p: self._after(f"Schedule printed to {p}."),
                 on_error=self._failed)

    def export_csv(self, path: Path) -> None:
        forecast = self.forecast_tab.shown.with_extras
        if not forecast.ok:
            forecast = self.forecast_tab.shown.plan
        run_task(write_schedule_csv, forecast, path,
                 on_result=lambda n: self._after(f"{n} rows exported to {path}."),
                 on_error=self._failed)

    def print_dialog(self) -> None:
        if self.view is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Print schedule to PDF",
                                              f"loan-{self.view.sa_number}.pdf", "PDF (*.pdf)")
        if name:
            self.print_schedule(Path(name))

    def export_dialog(self) -> None:
        if self.view is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Export schedule",
                                              f"loan-{self.view.sa_number}.csv", "CSV (*.csv)")
        if name:
            self.export_csv(Path(name))

    # ---------------------------------------------------------------------------- history

    def pane_state(self) -> object:
        return self.view.sa_number if self.view else None

    def restore_state(self, state: object) -> None:
        if isinstance(state, str):
            self.open_loan(state)


def _make(ctx: PaneContext) -> QWidget:
    return LoansPane(ctx)


LOANS_SPEC = register(PaneSpec(LOANS, "Loans", "Ctrl+Shift+L", _make, Module.LOANS))


def open_loan(host: PaneHost, number: str) -> None:
    """Show loan ``number`` in the Loans pane (Control Central's zone and alert, the account
    tree's loan nodes)."""
    pane = host.open_pane(LOANS)
    if isinstance(pane, LoansPane):
        pane.open_loan(number)


register_record_opener("Loan", open_loan)

__all__ = ["LOANS", "LOANS_SPEC", "LoansPane", "open_loan"]
