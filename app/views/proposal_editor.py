"""The proposal SA editor (spec/40 §1.7–§1.10, §2.3, §7 "SA maintenance, proposal mode" and
"SA – Billing Scenarios"): create a proposal for an account, or change one while it is Pending
or Quotable — its rate, contract quantities and values, riders, terms and conditions,
characteristics and its billing scenarios with their template consumption — then Make
Quotable, Reopen (a declined one) or Cancel it.

    editor = ProposalEditor(ctx, pane, "2000000017")              # a new proposal
    editor = ProposalEditor(ctx, pane, "2000000017", "3000000012")  # an existing one

The editor reads what is typed into the services' forms (dates and numbers as typed; a bad
one is named beside its grid) and the services check the rest. Saving an existing proposal
sends the terms and the scenarios with the version it loaded; a quote priced from the old
terms comes back as a non-blocking warning. `changed(ProposalView, message)` tells the pane.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import SAStatus, ServiceType
from app.services import proposals
from app.services.context import today
from app.services.errors import ConcurrentChange, DomainError, ValidationError
from app.services.quote_choices import QuoteChoices, quote_choices
from app.services.quote_dto import (
    BillingScenarioForm,
    CharacteristicTerm,
    ContractQuantityTerm,
    ContractValueTerm,
    PricingTerms,
    ProposalForm,
    ProposalSaved,
    ProposalView,
    RiderTerm,
    ScenarioQuantity,
    TermsTerm,
)
from app.services.rate_check import RateCheckChoices, rate_check_choices
from app.views.editable_grid import code_combo, combo_code, fill_combo, set_combo_code
from app.views.panes import PaneContext
from app.views.quote_dialogs import Confirm, date_edit
from app.views.quote_widgets import WARNING_STYLE, Column, EditGrid
from app.views.rate_check_form import day_of, qdate
from app.views.tree_dialogs import BANNER_STYLE
from app.views.widgets import label
from app.views.worker import run_task

SCENARIO_ROWS = 12
DEFAULT_UOM = {ServiceType.ELECTRIC: "KWH", ServiceType.GAS: "THERM", ServiceType.WATER: "GAL"}
TAB_TITLES = ("Billing scenarios", "Contract quantities", "Contract values", "Riders",
              "Terms && conditions", "Characteristics")
#: Service fields shown under a one-line input; grids show theirs under the grid.
LINE_FIELDS = ("sa_type", "service_type", "service_points", "start_date", "rate_schedule")


def _day(text: str, grid: str, row: int, what: str, default: dt.date | None = None
         ) -> dt.date:
    if not text and default is not None:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        shown = f"'{text}' is not a date" if text else f"enter the {what}"
        raise ValidationError(f"Row {row}: {shown} (YYYY-MM-DD).", grid) from None


def _end(text: str, grid: str, row: int) -> dt.date | None:
    return _day(text, grid, row, "end") if text else None


def _number(text: str, grid: str, row: int, what: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        shown = f"'{text}' is not a number" if text else f"enter the {what}"
        raise ValidationError(f"Row {row}: {shown}.", grid) from None
    if not value.is_finite():
        raise ValidationError(f"Row {row}: '{text}' is not a number.", grid)
    return value


def month_periods(start: dt.date, count: int = SCENARIO_ROWS) -> list[tuple[dt.date, dt.date]]:
    """`count` calendar months from the month of `start` (the grid's empty rows)."""
    first = start.replace(day=1)
    out = []
    for _ in range(count):
        following = (first + dt.timedelta(days=32)).replace(day=1)
        out.append((first, following - dt.timedelta(days=1)))
        first = following
    return out


def _save_existing(db: Any, actor: Any, number: str, version: int,
                   terms: PricingTerms | None,
                   scenarios: tuple[BillingScenarioForm, ...] | None) -> ProposalSaved:
    """Save what changed, terms and scenarios together (one transaction)."""
    if terms is None and scenarios is None:
        return ProposalSaved(proposals.get_proposal(db, number), None)
    return proposals.save_proposal(db, actor, number, terms, scenarios, version)


class ProposalEditor(QDialog):
    changed = Signal(object, str)

    def __init__(self, ctx: PaneContext, parent: QWidget | None, account_number: str,
                 proposal_number: str | None = None, *,
                 rate_choices: RateCheckChoices | None = None,
                 choices: QuoteChoices | None = None,
                 confirm: Confirm | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.account_number = account_number
        self.proposal: ProposalView | None = None
        self.confirm: Confirm = confirm or (lambda _title, _text: True)
        self.busy = False
        self.setWindowTitle("Proposal SA")
        self.setMinimumSize(980, 700)
        self._build()
        self._set_rate_choices(rate_choices)
        self._set_choices(choices)
        if rate_choices is None:
            run_task(rate_check_choices, ctx.db, on_result=self._set_rate_choices,
                     on_error=self._failed)
        if choices is None:
            run_task(quote_choices, ctx.db, on_result=self._set_choices, on_error=self._failed)
        if proposal_number:
            self.heading.setText(f"Proposal SA {proposal_number}")
            self._set_busy(True)
            run_task(proposals.get_proposal, ctx.db, proposal_number, on_result=self.load,
                     on_error=self._failed)
        else:
            self._new()

    # ---------------------------------------------------------------------------- layout

    def _build(self) -> None:
        self.heading = label("New proposal SA", "sectionHeading")
        self.state = label("", "hint", wrap=True)
        self.banner = label("", "", wrap=True)
        self.banner.setObjectName("proposalBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.warning = label("", "", wrap=True)
        self.warning.setObjectName("proposalWarning")
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        self.sa_type = QComboBox()
        self.sa_type.setEditable(True)
        self.service_type = QComboBox()
        for st in ServiceType:
            self.service_type.addItem(st.label, st.value)
        self.service_points = QLineEdit()
        self.service_points.setPlaceholderText("service point numbers, comma separated")
        self.start = date_edit(today(), "Start date")
        self.rate = code_combo((), blank=None, editable=True, long=True)
        self.rate.setMinimumWidth(300)
        edit = self.rate.lineEdit()
        if edit is not None:
            edit.setPlaceholderText("pick or type the rate schedule")
        self.errors: dict[str, QLabel] = {}
        self.inputs: dict[str, QWidget] = {
            "sa_type": self.sa_type, "service_type": self.service_type,
            "service_points": self.service_points, "start_date": self.start,
            "rate_schedule": self.rate}
        captions = {"sa_type": "SA type", "service_type": "Service type",
                    "service_points": "Service points", "start_date": "Start date",
                    "rate_schedule": "Rate"}
        form = QGridLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(2)
        for i, name in enumerate(LINE_FIELDS):
            row, col = (i % 3) * 2, (i // 3) * 2
            form.addWidget(label(captions[name]), row, col)
            form.addWidget(self.inputs[name], row, col + 1)
            error = label("", "inlineError", wrap=True)
            error.hide()
            self.errors[name] = error
            form.addWidget(error, row + 1, col + 1)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        self.service_type.currentIndexChanged.connect(lambda _i: self._default_uom())

        self.scenarios = EditGrid("Billing scenarios", (
            Column("Period start", width=110), Column("Period end", width=110),
            Column("UOM", "combo", 110), Column("TOU", "combo", 90), Column("SQI", "combo", 100),
            Column("Quantity", "number")), "scenarios",
            "One row per quantity; rows of the same period make one scenario (e.g. on- and "
            "off-peak kWh). A row with a unit but no quantity is left out.")
        self.history_button = QPushButton("Fill from history")
        self.history_button.setToolTip("The account's last twelve bills of this service: "
                                       "their periods and quantities")
        self.history_button.clicked.connect(lambda _=False: self.fill_from_history())
        self.scenarios.buttons.insertWidget(1, self.history_button)
        self.quantities = EditGrid("Contract quantities", (
            Column("Quantity type", "combo"), Column("Effective", width=120),
            Column("Value", "number", 140)), "contract_quantities",
            "E.g. SUBDEM 10 (subscribed demand). A blank date is the start date.")
        self.values = EditGrid("Contract values", (
            Column("Bill factor", "combo"), Column("Effective", width=120),
            Column("Value", "number", 140), Column("TOU", "combo", 100)), "contract_values",
            "Customer-specific prices: the rate uses them before the bill factor's value.")
        self.riders = EditGrid("Riders", (
            Column("Bill factor", "combo"), Column("Start", width=120),
            Column("End", width=120)), "riders", "Periods in which a rider applies.")
        self.terms = EditGrid("Terms and conditions", (
            Column("Terms", "combo"), Column("Start", width=120), Column("End", width=120)),
            "terms", "The terms that apply if the option is accepted.")
        self.characteristics = EditGrid("Characteristics", (
            Column("Type", "combo"), Column("Value"), Column("Effective", width=120)),
            "characteristics", "E.g. STATE = IL for the sales tax.")
        self.grids: dict[str, EditGrid] = {
            "scenarios": self.scenarios, "contract_quantities": self.quantities,
            "contract_values": self.values, "riders": self.riders, "terms": self.terms,
            "characteristics": self.characteristics}
        self.tabs = QTabWidget()
        for title, grid in zip(TAB_TITLES, self.grids.values(), strict=True):
            self.tabs.addTab(grid, title)

        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("primary")
        self.quotable_button = QPushButton("Make Quotable")
        self.reopen_button = QPushButton("Reopen")
        self.reopen_button.setToolTip("A declined proposal the customer wants after all")
        self.cancel_proposal_button = QPushButton("Cancel proposal")
        buttons = QDialogButtonBox()
        for b in (self.save_button, self.quotable_button, self.reopen_button,
                  self.cancel_proposal_button):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
            b.setAutoDefault(False)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(lambda _=False: self.save())
        self.quotable_button.clicked.connect(lambda _=False: self._move(
            proposals.make_quotable, "is quotable: generate a quote with it."))
        self.reopen_button.clicked.connect(lambda _=False: self._move(
            proposals.reopen_proposal, "is quotable again."))
        self.cancel_proposal_button.clicked.connect(lambda _=False: self.cancel_proposal())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 12)
        layout.setSpacing(8)
        layout.addWidget(self.heading)
        layout.addWidget(self.state)
        layout.addWidget(self.banner)
        layout.addWidget(self.warning)
        layout.addLayout(form)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

    # --------------------------------------------------------------------------- choices

    def _set_rate_choices(self, choices: RateCheckChoices | None) -> None:
        if choices is None:
            return
        keep = combo_code(self.rate)
        fill_combo(self.rate, choices.rate_schedules, blank=None, long=True)
        set_combo_code(self.rate, keep)
        self.scenarios.set_choices(2, choices.uoms)
        self.scenarios.set_choices(3, choices.tous)
        self.scenarios.set_choices(4, choices.sqis)
        self.values.set_choices(3, choices.tous)
        self.characteristics.set_choices(0, choices.characteristic_types)

    def _set_choices(self, choices: QuoteChoices | None) -> None:
        if choices is None:
            return
        keep = self.sa_type.currentText()
        self.sa_type.clear()
        self.sa_type.addItems(list(choices.sa_types))
        self.sa_type.setEditText(keep)
        self.terms.set_choices(0, choices.terms_and_conditions)

    # ------------------------------------------------------------------------- filling

    def _new(self) -> None:
        start = (today().replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        self.start.setDate(qdate(start))
        self.sa_type.setEditText("E-RES")
        self.state.setText(f"For account {self.account_number}. A proposal is priced in "
                           "quotes and never billed; with billing scenarios it is quotable "
                           "at once.")
        self._empty_scenarios()
        self._enable()

    def _empty_scenarios(self) -> None:
        uom = DEFAULT_UOM.get(self.service_type_value(), "")
        self.scenarios.set_rows([(s.isoformat(), e.isoformat(), uom, "", "", "")
                                 for s, e in month_periods(day_of(self.start.date()))])

    def _default_uom(self) -> None:
        if self.proposal is None and not any(v[5] for _r, v in self.scenarios.rows()):
            self._empty_scenarios()

    def load(self, view: ProposalView) -> None:
        """Show a proposal as the service gave it (after loading or saving)."""
        self._set_busy(False)
        self.proposal = view
        self.heading.setText(f"Proposal SA {view.number}")
        quoted = (f" Priced in quote {', '.join(view.quoted_in)}: saving new terms asks "
                  "for a regeneration." if view.quoted_in else "")
        reason = f" (reason {view.decline_reason})" if view.decline_reason else ""
        self.state.setText(f"Account {view.account_number} · {view.status.label}{reason} · "
                           f"version {view.version} · premise "
                           f"{view.premise_address or '—'}.{quoted}")
        self.sa_type.setEditText(view.sa_type)
        self.service_type.setCurrentIndex(self.service_type.findData(view.service_type.value))
        self.service_points.setText(", ".join(view.service_points))
        self.start.setDate(qdate(view.start_date))
        set_combo_code(self.rate, view.terms.rate_schedule)
        t = view.terms
        self.quantities.set_rows([(q.quantity_type, q.effective.isoformat(), f"{q.value}")
                                  for q in t.contract_quantities])
        self.values.set_rows([(v.bill_factor, v.effective.isoformat(), f"{v.value}",
                               v.tou or "") for v in t.contract_values])
        self.riders.set_rows([(r.bill_factor, r.start.isoformat(),
                               r.end.isoformat() if r.end else "") for r in t.riders])
        self.terms.set_rows([(x.code, x.start.isoformat(), x.end.isoformat() if x.end else "")
                             for x in t.terms])
        self.characteristics.set_rows([(c.char_type, c.value, c.effective.isoformat())
                                       for c in t.characteristics])
        self.set_scenarios(view.scenarios)
        self._enable()

    def set_scenarios(self, scenarios: Sequence[BillingScenarioForm]) -> None:
        rows = []
        for sc in scenarios:
            if not sc.quantities:
                rows.append((sc.start.isoformat(), sc.end.isoformat(), "", "", "", ""))
            for q in sc.quantities:
                rows.append((sc.start.isoformat(), sc.end.isoformat(), q.uom or "",
                             q.tou or "", q.sqi or "", f"{q.quantity:f}"))
        self.scenarios.set_rows(rows)

    def _enable(self) -> None:
        view = self.proposal
        new = view is None
        editable = new or (view is not None and view.editable)
        for name in ("sa_type", "service_type", "service_points", "start_date"):
            self.inputs[name].setEnabled(new and not self.busy)
        self.rate.setEnabled(editable and not self.busy)
        for grid in self.grids.values():
            grid.set_editable(editable and not self.busy)
        self.history_button.setEnabled(editable and not self.busy)
        self.save_button.setEnabled(editable and not self.busy)
        status = view.status if view else None
        self.quotable_button.setEnabled(status is SAStatus.PENDING and not self.busy)
        self.reopen_button.setEnabled(status is SAStatus.DECLINED and not self.busy)
        self.cancel_proposal_button.setEnabled(status in (SAStatus.PENDING, SAStatus.QUOTABLE)
                                               and not self.busy)
        if view is not None and not view.editable:
            hint = " Reopen it first." if view.status is SAStatus.DECLINED else ""
            self._show_banner(f"Proposal {view.number} is {view.status.label.lower()}: it is "
                              f"read-only.{hint}")

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._enable()

    # --------------------------------------------------------------------------- reading

    def service_type_value(self) -> ServiceType:
        return ServiceType(self.service_type.currentData() or ServiceType.ELECTRIC.value)

    def start_date(self) -> dt.date:
        return day_of(self.start.date())

    def read_scenarios(self) -> tuple[BillingScenarioForm, ...]:
        """Rows of one period make one scenario; a row with a unit but no quantity is left
        out, and a period with neither is priced without consumption (interval data)."""
        periods: dict[tuple[dt.date, dt.date], list[ScenarioQuantity]] = {}
        for row, (start, end, uom, tou, sqi, quantity) in self.scenarios.rows():
            if not quantity and (uom or tou or sqi):
                continue
            key = (_day(start, "scenarios", row, "period start"),
                   _day(end, "scenarios", row, "period end"))
            found = periods.setdefault(key, [])
            if quantity:
                found.append(ScenarioQuantity(uom or None, tou or None, sqi or None,
                                              _number(quantity, "scenarios", row, "quantity")))
        return tuple(BillingScenarioForm(s, e, tuple(q)) for (s, e), q in periods.items())

    def read_terms(self) -> PricingTerms:
        start = self.start_date()
        return PricingTerms(
            rate_schedule=combo_code(self.rate),
            contract_quantities=tuple(ContractQuantityTerm(
                v[0], _day(v[1], "contract_quantities", r, "date", start),
                _number(v[2], "contract_quantities", r, "value"))
                for r, v in self.quantities.rows()),
            contract_values=tuple(ContractValueTerm(
                v[0], _day(v[1], "contract_values", r, "date", start),
                _number(v[2], "contract_values", r, "value"), v[3] or None)
                for r, v in self.values.rows()),
            riders=tuple(RiderTerm(v[0], _day(v[1], "riders", r, "start", start),
                                   _end(v[2], "riders", r)) for r, v in self.riders.rows()),
            terms=tuple(TermsTerm(v[0], _day(v[1], "terms", r, "start", start),
                                  _end(v[2], "terms", r)) for r, v in self.terms.rows()),
            characteristics=tuple(CharacteristicTerm(
                v[0], v[1], _day(v[2], "characteristics", r, "date", start))
                for r, v in self.characteristics.rows()))

    def read_form(self) -> ProposalForm:
        points = tuple(p.strip() for p in self.service_points.text().replace(";", ",")
                       .split(",") if p.strip())
        return ProposalForm(self.account_number, self.sa_type.currentText().strip(),
                            self.service_type_value(), points, self.start_date(),
                            self.read_terms(), self.read_scenarios())

    # ---------------------------------------------------------------------------- actions

    def fill_from_history(self) -> None:
        self._clear_errors()
        run_task(proposals.scenarios_from_history, self.ctx.db, self.account_number,
                 self.service_type_value(), on_result=self._history_loaded,
                 on_error=self._failed)

    def _history_loaded(self, scenarios: tuple[BillingScenarioForm, ...]) -> None:
        self.set_scenarios(scenarios)
        self.scenarios.hint.setText(f"{len(scenarios)} periods from the account's bills. "
                                    "Change any quantity before saving.")

    def save(self) -> None:
        if self.busy:
            return
        self._clear_errors()
        view = self.proposal
        try:
            if view is None:
                call: Callable[[], Any] = partial(proposals.create_proposal, self.ctx.db,
                                                  self.ctx.actor, self.read_form())
            else:
                terms, scenarios = self.read_terms(), self.read_scenarios()
                call = partial(_save_existing, self.ctx.db, self.ctx.actor, view.number,
                               view.version, terms if terms != view.terms else None,
                               scenarios if scenarios != view.scenarios else None)
        except DomainError as exc:
            self._show_error(exc)
            return
        self._set_busy(True)
        run_task(call, on_result=self._saved, on_error=self._failed)

    def _saved(self, result: ProposalView | ProposalSaved) -> None:
        created = isinstance(result, ProposalView)
        view = result if isinstance(result, ProposalView) else result.proposal
        warning = None if isinstance(result, ProposalView) else result.warning
        self.load(view)
        if warning:
            self.warning.setText(f"⚠ {warning}")
            self.warning.show()
        verb = "created" if created else "saved"
        more = (" Add billing scenarios, then Make Quotable."
                if view.status is SAStatus.PENDING else "")
        message = f"Proposal {view.number} {verb} ({view.status.label.lower()}).{more}"
        self.ctx.current.notify_saved(self.account_number)
        self.changed.emit(view, message + (f" {warning}" if warning else ""))

    def _dirty(self) -> bool:
        view = self.proposal
        if view is None:
            return True
        try:
            return self.read_terms() != view.terms or self.read_scenarios() != view.scenarios
        except DomainError:
            return True

    def _move(self, service: Callable[..., ProposalView], done: str) -> None:
        view = self.proposal
        if view is None or self.busy:
            return
        self._clear_errors()
        if self._dirty():
            self._show_banner("Save your changes first, then try again.")
            return
        self._set_busy(True)
        run_task(service, self.ctx.db, self.ctx.actor, view.number, view.version,
                 on_result=lambda v: self._moved(v, f"Proposal {view.number} {done}"),
                 on_error=self._failed)

    def _moved(self, view: ProposalView, message: str) -> None:
        self.load(view)
        self.ctx.current.notify_saved(self.account_number)
        self.changed.emit(view, message)

    def cancel_proposal(self) -> None:
        view = self.proposal
        if view is None or not self.confirm(
                "Cancel the proposal?", f"Proposal {view.number} becomes Canceled, which is "
                "final: it can no longer be quoted or accepted."):
            return
        self._move(proposals.cancel_proposal, "is canceled.")

    # ---------------------------------------------------------------------------- errors

    def _clear_errors(self) -> None:
        for error in self.errors.values():
            error.hide()
        for grid in self.grids.values():
            grid.show_message("")
        self.banner.hide()
        self.warning.hide()

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def _show_error(self, exc: DomainError) -> None:
        field = exc.field or ""
        if field in self.errors:
            self.errors[field].setText(exc.message)
            self.errors[field].show()
        elif field in self.grids:
            self.tabs.setCurrentWidget(self.grids[field])
            self.grids[field].show_message(exc.message)
        else:
            self._show_banner(exc.message)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ConcurrentChange) and self.proposal is not None:
            self._show_banner(f"{exc.message} It was reloaded.")
            number = self.proposal.number
            run_task(proposals.get_proposal, self.ctx.db, number, on_result=self._reloaded,
                     on_error=self._failed)
        elif isinstance(exc, DomainError):
            self._show_error(exc)
        else:
            self._show_banner(f"Nothing was saved: {exc}")

    def _reloaded(self, view: ProposalView) -> None:
        banner = self.banner.text()
        self.load(view)
        self._show_banner(banner)

    def error_text(self, field: str) -> str:
        """What is shown for `field` ("" for none; "general" is the banner)."""
        if field in self.errors:
            error = self.errors[field]
            return error.text() if not error.isHidden() else ""
        if field in self.grids:
            return self.grids[field].message_text()
        return self.banner.text() if not self.banner.isHidden() else ""


__all__ = ["ProposalEditor", "month_periods"]
