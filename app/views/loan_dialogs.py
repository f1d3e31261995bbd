"""The loan pane's dialogs: Start Loan (the Start Confirmation, LN-F13: Calculate, then Start),
Bill Next Period, Take Payment, Early Payoff (with the final bill as you type) and Stop SA.

Each is an `ActionDialog`: a form whose errors show beside the field the service names, one
service call off the UI thread on submit, and nothing saved when anything is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox, QWidget

from app.models.enums import PaymentMethod
from app.reports.formatting import money_text, percent_text
from app.services import loan_billing, loans
from app.services.context import today
from app.services.errors import DomainError
from app.services.loans import LoanCalculation, LoanTypeChoice, LoanView, StartLoanForm
from app.views.loan_inputs import parse_amount, parse_periods
from app.views.panes import PaneContext
from app.views.tree_dialogs import ActionDialog, date_field, parse_date
from app.views.widgets import label, push_button


def _plain(amount: Any) -> str:
    return "" if amount is None else f"{amount:.2f}"


class StartLoanDialog(ActionDialog):
    """Start a loan on an account: type, start option (defaults), start date, amount and
    either the number of payments or the payment; Calculate fills the other and shows the
    forecast's totals; Start is offered only for the inputs just calculated."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, account_number: str,
                 account_label: str, types: Sequence[LoanTypeChoice]) -> None:
        super().__init__(ctx, parent, "Start Loan…", "Start Loan",
                         "The loan starts pending; Activate SA books its principal. Enter the "
                         "loan amount and either the number of payments or the payment "
                         "amount, then Calculate.")
        self.account_number = account_number
        self.types = list(types)
        self.calculation: LoanCalculation | None = None
        #: The field the last Calculate filled in.
        self.calculated: QLineEdit | None = None
        self._filling = False
        self.add_fixed("Account", account_label)
        self.type_combo = self.add_row("sa_type", "Loan type", QComboBox())
        for t in self.types:
            self.type_combo.addItem(t.description, t.code)
        self.option_combo = self.add_row("start_option", "Start option", QComboBox())
        self.start_date = self.add_row("start_date", "Start date", date_field(today()))
        self.amount = self.add_row("loan_amount", "Loan amount", QLineEdit())
        self.amount.setPlaceholderText("e.g. 10000.00")
        self.periods = self.add_row("periods", "Number of payments", QLineEdit())
        self.periods.setPlaceholderText("blank: calculated from the payment")
        self.payment = self.add_row("payment", "Payment amount", QLineEdit())
        self.payment.setPlaceholderText("blank: calculated from the number of payments")
        self.rate = self.add_fixed("Interest rate", "")
        self.frequency = self.add_fixed("Frequency", "")
        self.calculate_button = push_button(
            "Calculate", "Fill the blank field and forecast the loan (Ctrl+K)", self.calculate)
        self.calculate_button.setShortcut("Ctrl+K")
        self.body.addWidget(self.calculate_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.result = label("", "calcResult", wrap=True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.result)
        self.finish_layout()
        self.type_combo.currentIndexChanged.connect(lambda _i: self._type_chosen())
        self.option_combo.currentIndexChanged.connect(lambda _i: self._option_chosen())
        for edit in (self.start_date, self.amount, self.periods, self.payment):
            edit.textEdited.connect(lambda _t, e=edit: self._edited(e))
        self._type_chosen()

    def _type(self) -> LoanTypeChoice:
        return self.types[max(0, self.type_combo.currentIndex())]

    def _type_chosen(self) -> None:
        sa_type = self._type()
        self.option_combo.blockSignals(True)
        self.option_combo.clear()
        for option in sa_type.options:
            self.option_combo.addItem(option.description, option.code)
        self.option_combo.blockSignals(False)
        self.frequency.setText(sa_type.frequency.label)
        self._option_chosen()

    def _option_chosen(self) -> None:
        option = self._type().options[max(0, self.option_combo.currentIndex())] \
            if self._type().options else None
        if option is not None:
            self._filling = True
            self.amount.setText(_plain(option.loan_amount))
            self.periods.setText("" if option.payment_periods is None
                                 else str(option.payment_periods))
            self.payment.setText(_plain(option.payment_amount)
                                 if option.payment_periods is None else "")
            self._filling = False
            self.rate.setText(percent_text(option.rate) + " a year")
        self._edited()

    def _edited(self, edit: QLineEdit | None = None) -> None:
        """Any edit asks for Calculate again; the field Calculate filled is emptied when
        another one changes, so the next Calculate fills it anew."""
        if self._filling:
            return
        if self.calculated is not None and edit is not None and edit is not self.calculated:
            self._filling = True
            self.calculated.setText("")
            self._filling = False
        self.calculated = None
        self.calculation = None
        self.result.setText("Click Calculate to see the payment and the forecast.")
        self.refresh_submit()

    def read_form(self) -> StartLoanForm:
        return StartLoanForm(
            self.account_number, self._type().code, str(self.option_combo.currentData() or ""),
            parse_date(self.start_date.text(), "start_date", "start date"),
            parse_amount(self.amount.text(), "loan_amount", "loan amount"),
            parse_amount(self.payment.text(), "payment", "payment amount", blank=True),
            parse_periods(self.periods.text(), "periods", blank=True))

    def calculate(self) -> bool:
        self.clear_errors()
        try:
            form = self.read_form()
            calculation = loans.calculate_start(self.types, form)
        except DomainError as exc:
            self.calculation = None
            self.result.setText("")
            self.show_error(exc.field, exc.message)
            self.refresh_submit()
            return False
        self._filling = True
        self.payment.setText(f"{calculation.payment:.2f}")
        self.periods.setText(str(calculation.periods))
        self._filling = False
        self.calculated = self.payment if form.payment_amount is None else self.periods
        self.calculation = calculation
        plan = calculation.forecast
        last = plan.rows[-1] if plan.rows else None
        self.result.setText(
            f"{calculation.periods} payments of {money_text(calculation.payment)}"
            + (f", the last {money_text(last.amount)} on {last.start:%d %b %Y}"
               if last is not None and last.start else "")
            + f". Total interest {money_text(plan.total_interest)}.")
        self.refresh_submit()
        return True

    def can_submit(self) -> bool:
        return self.calculation is not None

    def prepare(self) -> Callable[[], Any]:
        calculation = self.calculation
        assert calculation is not None
        form = calculation.inputs
        assert isinstance(form, StartLoanForm)
        return partial(loans.start_loan, self.ctx.db, self.ctx.actor, form, calculation)

    def success_message(self, result: Any) -> str:
        return f"Loan {result} started (pending start). Activate it to book its principal."


class BillLoanDialog(ActionDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None, view: LoanView) -> None:
        period = view.next_period
        super().__init__(ctx, parent, "Bill Next Period…", "Bill",
                         f"Loan {view.sa_number}: period {period.number} is "
                         f"{period.start:%d %b %Y} – {period.end:%d %b %Y}. Loans are billed "
                         "in advance, on or after the period's first day.")
        self.view = view
        self.account_number = view.account_number
        default = period.start if period.start <= today() else today()
        self.bill_date = self.add_row("bill_date", "Bill date", date_field(default))
        self.periods = self.add_row("periods", "Periods on this bill", QSpinBox())
        self.periods.setRange(1, loan_billing.MAX_PERIODS_PER_BILL)
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        day = parse_date(self.bill_date.text(), "bill_date", "bill date")
        return partial(loan_billing.bill_loan, self.ctx.db, self.ctx.actor,
                       self.view.sa_number, day, self.periods.value(), self.view.version)

    def success_message(self, result: Any) -> str:
        if not result.ok:
            return f"Loan {self.view.sa_number} billed in error: {result.error}"
        closing = " — the closing bill: the loan is paid off with it" if result.closing else ""
        return (f"Billed {money_text(result.amount, self.view.currency)} (interest "
                f"{money_text(result.interest, self.view.currency)}){closing}.")


class LoanPaymentDialog(ActionDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None, view: LoanView) -> None:
        super().__init__(ctx, parent, "Take Payment…", "Take Payment",
                         f"Loan {view.sa_number}: current balance "
                         f"{money_text(view.current_balance, view.currency)}, payoff balance "
                         f"{money_text(view.payoff_balance, view.currency)}. More than the "
                         "current balance is an overpayment: it goes to the principal, so the "
                         "payments stay the same and the loan ends sooner.")
        self.view = view
        self.account_number = view.account_number
        self.day = self.add_row("payment_date", "Payment date", date_field(today()))
        self.amount = self.add_row("amount", "Amount", QLineEdit(
            _plain(view.current_balance) if view.current_balance > 0 else ""))
        self.method = self.add_row("method", "Method", QComboBox())
        for method in PaymentMethod:
            self.method.addItem(method.label, method.value)
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        day = parse_date(self.day.text(), "payment_date", "payment date")
        amount = parse_amount(self.amount.text(), "amount", "amount")
        return partial(loan_billing.pay_loan, self.ctx.db, self.ctx.actor,
                       self.view.sa_number, day, amount,
                       PaymentMethod(self.method.currentData()))

    def success_message(self, result: Any) -> str:
        return (f"Payment taken. Current balance {money_text(result.current_balance)}, "
                f"principal {money_text(result.principal_balance)}.")


class EarlyPayoffDialog(ActionDialog):
    """Set the loan's end date (LN-F12) and see the final bill for it as you type."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, view: LoanView) -> None:
        super().__init__(ctx, parent, "Early Payoff…", "Set End Date",
                         "The loan stays pending stop until its end date; Stop SA then bills "
                         "the principal left plus the interest accrued since the last billed "
                         "period.")
        self.view = view
        self.account_number = view.account_number
        self.end_date = self.add_row("end_date", "End date", date_field(today()))
        self.final = self.add_fixed("Final bill", "")
        self.end_date.textEdited.connect(lambda _t: self._quote())
        self.finish_layout()
        self._quote()

    def _quote(self) -> None:
        try:
            day = parse_date(self.end_date.text(), "end_date", "end date")
        except DomainError as exc:
            self.final.setText(exc.message)
            return
        amount, accrued = loan_billing.payoff_amount(self.view, day)
        self.final.setText(f"{money_text(amount, self.view.currency)} (principal "
                           f"{money_text(self.view.principal_balance)} + accrued interest "
                           f"{money_text(accrued)})")

    def final_text(self) -> str:
        return self.final.text()

    def prepare(self) -> Callable[[], Any]:
        day = parse_date(self.end_date.text(), "end_date", "end date")
        return partial(loan_billing.request_payoff, self.ctx.db, self.ctx.actor,
                       self.view.sa_number, day, self.view.version)

    def success_message(self, result: Any) -> str:
        return f"Loan {result.sa_number} ends {result.end_date:%d %b %Y}; Stop SA then."


class AdjustLoanDialog(ActionDialog):
    """An ad hoc adjustment (LN-F9, supervisors): payoff only, current only, or both."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, view: LoanView) -> None:
        super().__init__(ctx, parent, "Adjust Loan…", "Adjust",
                         "Positive raises the balance, negative lowers it. Payoff only changes "
                         "the principal (e.g. a waiver); current only changes what is due now.")
        self.view = view
        self.account_number = view.account_number
        self.day = self.add_row("adjustment_date", "Date", date_field(today()))
        self.effect = self.add_row("effect", "Changes", QComboBox())
        for effect in loan_billing.AdjustmentEffect:
            self.effect.addItem(effect.label, effect.value)
        self.amount = self.add_row("amount", "Amount", QLineEdit())
        self.amount.setPlaceholderText("e.g. -250.00")
        self.reason = self.add_row("reason", "Reason", QLineEdit())
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        day = parse_date(self.day.text(), "adjustment_date", "adjustment date")
        text = self.amount.text().strip().replace(",", "")
        return partial(loan_billing.adjust_loan, self.ctx.db, self.ctx.actor,
                       self.view.sa_number, day,
                       loan_billing.AdjustmentEffect(self.effect.currentData()), text,
                       self.reason.text(), self.view.version)

    def success_message(self, result: Any) -> str:
        return (f"Loan {result.sa_number} adjusted: current {money_text(result.current_balance)},"
                f" payoff {money_text(result.payoff_balance)}.")


class StopLoanDialog(ActionDialog):
    def __init__(self, ctx: PaneContext, parent: QWidget | None, view: LoanView) -> None:
        ends = f"{view.end_date:%d %b %Y}" if view.end_date else "—"
        super().__init__(ctx, parent, "Stop SA…", "Stop SA",
                         f"Loan {view.sa_number} ends {ends}. Stopping it bills any principal "
                         "left with its accrued interest; a loan with nothing left closes.")
        self.view = view
        self.account_number = view.account_number
        self.on = self.add_row("status", "Stop on", date_field(today()))
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        day = parse_date(self.on.text(), "status", "stop date")
        return partial(loan_billing.stop_loan, self.ctx.db, self.ctx.actor,
                       self.view.sa_number, day)

    def success_message(self, result: Any) -> str:
        return f"Loan {result.sa_number} is {result.status.label.lower()}."


__all__ = ["AdjustLoanDialog", "BillLoanDialog", "EarlyPayoffDialog", "LoanPaymentDialog", "StartLoanDialog",
           "StopLoanDialog"]
