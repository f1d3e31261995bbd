"""The Rate Check pane (spec/20 §9): rate a bill period with a rate schedule — optionally for a
service agreement — and see the calc lines, SQ details, register reads and final
characteristics, print them on one page, or compare what the same consumption costs on other
rates ("Am I on the best rate?").

    pane = host.open_pane("rate-check")
    pane.check_now(RateCheckRequest("E-RES-1", start=…, end=…, quantities=(…,), …))

Inputs are on the left; an SA ID (Enter, or leaving the field) fills the rate, revenue class,
characteristics, quantities and period from the agreement, and every filled value can be
overridden. Enter (or Ctrl+Enter) checks, Ctrl+P prints, Alt+1…5 switch the result tabs.
A message the service raises is shown beside the input it concerns (`err.field`); a general
one in a banner above the results. A failed check greys the previous results: nothing stale
looks current. The pane calls `services.rate_check` only (in a worker) and formats its DTOs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import SAStatus
from app.reports.formatting import billed_text
from app.reports.rate_check_pdf import render_rate_check
from app.services.agreement_terms import revenue_class_of
from app.services.errors import DomainError, ValidationError
from app.services.rate_check import (
    AgreementDefaults,
    BilledSegment,
    RateCheckChoices,
    RateCheckOutcome,
    RateCheckRequest,
    agreement_defaults,
    check,
    rate_check_choices,
    today_period,
)
from app.services.rate_compare import UsageMonth
from app.services.service_agreements import ServiceAgreementView, agreements_of_account
from app.views.current_context import CurrentAccount
from app.views.panes import PaneContext, PaneHost, PaneSpec, register
from app.views.rate_check_form import RateCheckForm, sa_item_text, sa_number_of
from app.views.rate_check_inputs import (
    combo_code,
    fill_combo,
    set_combo_code,
)
from app.views.rate_check_results import ResultTabs, header_text
from app.views.rate_compare import CompareInputs, CompareView
from app.views.tree_dialogs import BANNER_STYLE
from app.views.widgets import FieldMessage, label
from app.views.worker import run_task

RATE_CHECK = "rate-check"
TAB_NAMES = ("Calc Lines", "SQ Details", "Register Read", "Characteristics", "Compare Rates")
CALC_LINES, SQ_DETAILS, REGISTER_READ, CHARACTERISTICS, COMPARE = range(5)
#: Service fields shown beside a one-line input (the grids have their own message line).
LINE_FIELDS = ("rate_schedule", "sa_number", "bill_segment", "start", "end",
               "accounting_date", "revenue_class", "language")
NO_RATES = ("There are no rates in this database yet. A rate analyst loads them in the Rate "
            "Editor (Ctrl+7: Load Shipped Rates or Import Rate Files…) or with `switchboard "
            "rate import FILE…`; then check them here.")
WARNING_STYLE = ("QLabel { background: #fff8e6; color: #5c4300; border: 1px solid #ecd28f;"
                 " border-radius: 4px; padding: 5px 8px; }"
                 " QLabel:disabled { background: #f7f4ec; color: #a89a70; }")
BILLED_STYLE = ("QLabel { background: #eef4fb; color: #1d3557; border: 1px solid #c5d7ea;"
                " border-radius: 4px; padding: 4px 8px; }"
                " QLabel:disabled { color: #8a9bb0; }")
STALE_STYLE = "QLabel { color: #8a1c12; font-weight: 600; }"


class RateCheckPane(QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.outcome: RateCheckOutcome | None = None
        self.choices: RateCheckChoices | None = None
        self.defaults: AgreementDefaults | None = None
        self.busy = False
        #: What the form held when it was last filled from an SA or checked: a field still
        #: holding it may be refilled; one the user changed is kept.
        self._filled: dict[str, object] = {}
        self._loading = False
        self._loading_sa: str | None = None
        self._loading_sa_was: str | None = None
        self._pending_defaults: AgreementDefaults | None = None
        self._check_after_defaults = False
        self._swallow_return = False
        self._prefilled_sa: str | None = None
        #: Asks where to save the PDF (a test replaces it); returns None when cancelled.
        self.ask_pdf_path: Callable[[str], str | None] = self._ask_pdf_path
        self._build()
        self._shortcuts()
        start, end = today_period()
        self.form.set_period(start, end)
        self._filled = {"period": (start, end)}
        run_task(rate_check_choices, ctx.db, on_result=self._choices_loaded,
                 on_error=self._general_error)
        ctx.current.changed.connect(self.on_context_changed)
        self.on_context_changed(ctx.current.account)

    # ---------------------------------------------------------------------------- layout

    def _build(self) -> None:
        self.form = form = RateCheckForm()
        # the inputs by name, as a CSR sees them (tests and the screenshot read them too)
        self.rate, self.sa, self.sa_edit = form.rate, form.sa, form.sa_edit
        self.segment = form.segment
        self.start, self.end, self.accounting = form.start, form.end, form.accounting
        self.revenue, self.language = form.revenue, form.language
        self.quantities, self.characteristics = form.quantities, form.characteristics
        self.check_button, self.print_button = form.check_button, form.print_button
        self.sa_edit.returnPressed.connect(self._sa_return)
        self.sa_edit.editingFinished.connect(self._sa_left)
        self.sa.activated.connect(lambda _i: self._sa_left())
        self.segment.activated.connect(self._segment_picked)
        form.segment_edit.returnPressed.connect(self._segment_return)
        form.segment_edit.editingFinished.connect(self._segment_left)
        self.rate.editTextChanged.connect(lambda _t: self._default_revenue_class())
        self.check_button.clicked.connect(lambda _=False: self.check_rate())
        self.print_button.clicked.connect(lambda _=False: self.print_result())
        self.messages: dict[str, FieldMessage] = {
            "rate_schedule": FieldMessage(self.rate, self),
            "sa_number": FieldMessage(self.sa, self),
            "bill_segment": FieldMessage(self.segment, self),
            "start": FieldMessage(self.start, self),
            "end": FieldMessage(self.end, self),
            "accounting_date": FieldMessage(self.accounting, self),
            "revenue_class": FieldMessage(self.revenue, self),
            "language": FieldMessage(self.language, self)}

        self.banner = QLabel()
        self.banner.setObjectName("rateCheckBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.header = label("No rate checked yet.", "hint", wrap=True)
        self.header.setAccessibleName("Result header")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.billed = label("", "", wrap=True)
        self.billed.setAccessibleName("What the bill charged")
        self.billed.setTextFormat(Qt.TextFormat.RichText)
        self.billed.setStyleSheet(BILLED_STYLE)
        self.billed.hide()
        self.stale = label("", "")
        self.stale.setStyleSheet(STALE_STYLE)
        self.stale.hide()
        self.notes = label("", "", wrap=True)
        self.notes.setAccessibleName("Warnings and To Dos")
        self.notes.setStyleSheet(WARNING_STYLE)
        self.notes.hide()
        self.results = ResultTabs()
        self.compare = CompareView(self.ctx.db, self.compare_inputs, self._field_error,
                                   self._clear_errors)
        self.tabs = QTabWidget()
        for i, page in enumerate(self.results.pages):
            self.tabs.addTab(page, f"{TAB_NAMES[i]}")
            self.tabs.setTabToolTip(i, f"Alt+{i + 1}")
        self.tabs.addTab(self.compare, TAB_NAMES[COMPARE])
        self.tabs.setTabToolTip(COMPARE, f"Alt+{COMPARE + 1}: Am I on the best rate?")
        self.tabs.currentChanged.connect(self._tab_changed)
        self.result_head = QFrame()
        head = QVBoxLayout(self.result_head)
        head.setContentsMargins(0, 0, 0, 0)
        head.setSpacing(4)
        head.addWidget(self.stale)
        head.addWidget(self.header)
        head.addWidget(self.billed)
        head.addWidget(self.notes)
        outputs = QWidget()
        right = QVBoxLayout(outputs)
        right.setContentsMargins(8, 0, 0, 0)
        right.addWidget(self.banner)
        right.addWidget(self.result_head)
        right.addWidget(self.tabs, 1)

        inputs = QScrollArea()             # a short window scrolls the inputs, never squashes
        inputs.setWidget(form)
        inputs.setWidgetResizable(True)
        inputs.setFrameShape(QFrame.Shape.NoFrame)
        inputs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left = QWidget()
        left.setMinimumWidth(form.minimumWidth() + 16)
        left.setMaximumWidth(form.maximumWidth() + 16)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(inputs, 1)
        left_layout.addLayout(form.buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(outputs)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([440, 960])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(splitter)

        form.changed.connect(self._inputs_changed)
        self.rate.editTextChanged.connect(lambda _t: self.messages["rate_schedule"].clear())
        self.sa.editTextChanged.connect(lambda _t: self.messages["sa_number"].clear())
        self.segment.editTextChanged.connect(lambda _t: self.messages["bill_segment"].clear())
        self.end.dateChanged.connect(lambda _d: self.messages["end"].clear())
        self.start.dateChanged.connect(lambda _d: self.messages["start"].clear())
        self.accounting.dateChanged.connect(
            lambda _d: self.messages["accounting_date"].clear())

    def _shortcuts(self) -> None:
        keys: list[tuple[str, Callable[[], object]]] = [
            ("Ctrl+Return", self.check_rate), ("Ctrl+Enter", self.check_rate),
            ("Ctrl+P", self.print_result)]
        keys += [(f"Alt+{i + 1}", partial(self.tabs.setCurrentIndex, i))
                 for i in range(len(TAB_NAMES))]
        for sequence, slot in keys:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Enter that no field used (a grid cell editor commits with it) checks the rate;
        in the Compare tab it compares."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            if self._swallow_return:
                self._swallow_return = False
            elif self.compare.isAncestorOf(self.focusWidget()) if self.focusWidget() else False:
                self.compare.compare()
            else:
                self.check_rate()
            event.accept()
            return
        super().keyPressEvent(event)

    # ----------------------------------------------------------------------- choices, SA

    def _choices_loaded(self, choices: RateCheckChoices) -> None:
        self.choices = choices
        keep = combo_code(self.rate)
        fill_combo(self.rate, choices.rate_schedules, blank=None, long=True)
        set_combo_code(self.rate, keep)
        fill_combo(self.revenue, choices.revenue_classes, blank="From the SA", long=True)
        fill_combo(self.language, choices.languages, blank=None, long=True)
        self.quantities.set_choices(choices.uoms, choices.tous, choices.sqis)
        self.characteristics.set_types(choices.characteristic_types)
        self.results.char_descriptions = dict(choices.characteristic_types)
        self.compare.set_rates(choices.rate_schedules)
        pending, self._pending_defaults = self._pending_defaults, None
        if pending is not None:
            self._defaults_loaded(pending)
            return
        if not self.quantities.rows() and self.defaults is None:
            self.quantities.add_row()
        self._default_revenue_class()
        if not choices.rate_schedules:
            self.banner.setText(NO_RATES)
            self.banner.show()
        self._inputs_changed()

    def on_context_changed(self, account: CurrentAccount | None) -> None:
        """Offer the current account's SAs; prefill the first active one while the field is
        blank (or still holds the previous account's)."""
        if account is None:
            self.sa.blockSignals(True)
            keep = self.sa.currentText()
            self.sa.clear()
            self.sa.setEditText(keep)
            self.sa.blockSignals(False)
            return
        run_task(agreements_of_account, self.ctx.db, account.account_number,
                 on_result=self._agreements_loaded, on_error=lambda _exc: None)

    def _agreements_loaded(self, agreements: list[ServiceAgreementView]) -> None:
        typed = sa_number_of(self.sa.currentText())
        self.sa.blockSignals(True)
        self.sa.clear()
        for sa in agreements:
            self.sa.addItem(sa_item_text(sa), sa.number)
        self.sa.setCurrentIndex(-1)
        self.sa.setEditText(typed)
        self.sa.blockSignals(False)
        if typed and typed != self._prefilled_sa:
            return
        active = [sa for sa in agreements if sa.status is SAStatus.ACTIVE] or agreements
        if active:
            self._prefilled_sa = active[0].number
            self.sa.setEditText(active[0].number)
            self.load_agreement(active[0].number)

    def _sa_return(self) -> None:
        number = self.sa_number()
        if number and (self.defaults is None or self.defaults.sa_number != number):
            self._swallow_return = True
            QTimer.singleShot(0, self._stop_swallowing)
            self.load_agreement(number, then_check=True)

    def _stop_swallowing(self) -> None:
        self._swallow_return = False

    def _sa_left(self) -> None:
        number = self.sa_number()
        if number and (self.defaults is None or self.defaults.sa_number != number) \
                and not (self._loading and self._loading_sa == number):
            self.load_agreement(number)
        elif not number and self.defaults is not None:
            self._forget_agreement()
        self.compare.set_agreement(number or None)

    def _forget_agreement(self) -> None:
        """The SA was cleared: its hints, bills and defaults go; what was typed stays."""
        self.defaults = None
        self.form.show_sa_hint("")
        self.form.set_segments((), None)
        self.characteristics.set_inherited(())
        self.quantities.set_service_points(())
        self._default_revenue_class()
        self._inputs_changed()

    # ------------------------------------------------------------------ bill segments

    def _segment_picked(self, index: int) -> None:
        """A bill of the list: its period, accounting date and quantities are filled in."""
        number = str(self.segment.itemData(index) or "")
        found = [s for s in (self.defaults.bill_segments if self.defaults else ())
                 if s.number == number]
        if found:
            self._fill_from_segment(found[0])

    def _fill_from_segment(self, seg: BilledSegment) -> None:
        self.form.set_period(seg.start, seg.end, seg.bill_date)
        self.quantities.set_rows(seg.quantities)
        self._remember_filled()
        self._inputs_changed()

    def _segment_return(self) -> None:
        if self._segment_left():
            self._swallow_return = True
            QTimer.singleShot(0, self._stop_swallowing)
            self._check_after_defaults = True

    def _segment_left(self) -> bool:
        """A bill segment ID typed in that is not one of the list's: read it (and its SA)."""
        number = self.form.segment_number()
        known = {s.number for s in (self.defaults.bill_segments if self.defaults else ())}
        if not number or number in known or (self._loading and self._loading_sa == number):
            return False
        self.load_agreement(number, segment=True)
        return True

    def _default_revenue_class(self) -> None:
        """Without an SA the revenue class follows the rate's name (E-RES-1 → RES) until
        the CSR picks one."""
        if self.defaults is not None or self.sa_number():
            return
        current = combo_code(self.revenue)
        if current and current != self._filled.get("revenue"):
            return
        guess = revenue_class_of(combo_code(self.rate), None) or ""
        if self.choices is not None and guess not in dict(self.choices.revenue_classes):
            guess = ""
        set_combo_code(self.revenue, guess)
        self._filled["revenue"] = guess

    def load_agreement(self, number: str, then_check: bool = False,
                       segment: bool = False) -> None:
        """Fill the form from the agreement — or, with `segment`, from the bill segment
        `number` and its agreement (in a worker); with `then_check`, check after."""
        self.messages["sa_number"].clear()
        self.messages["bill_segment"].clear()
        if self._loading and self._loading_sa == number:  # Enter, then leaving the field
            self._check_after_defaults = self._check_after_defaults or then_check
            return
        self._check_after_defaults = then_check
        self._loading = True
        self._loading_sa = number
        self.form.show_sa_hint("Reading the bill…" if segment else "Reading the agreement…")
        sa_number, segment_number = (None, number) if segment else (number, None)
        run_task(agreement_defaults, self.ctx.db, sa_number, segment_number,
                 on_result=self._defaults_loaded, on_error=self._defaults_failed)

    def _defaults_loaded(self, defaults: AgreementDefaults) -> None:
        asked = {defaults.sa_number, defaults.bill_segment.number if defaults.bill_segment
                 else None}
        if self._loading_sa is not None and self._loading_sa not in asked:
            return  # another SA was asked for since
        if self.choices is None:  # the combos are not filled yet: apply it when they are
            self._pending_defaults = defaults
            return
        self._loading = False
        self._loading_sa_was, self._loading_sa = self._loading_sa, None
        previous = self._filled
        self.defaults = defaults
        self.sa.setEditText(defaults.sa_number)
        self.form.show_sa_hint(defaults.description)
        self.compare.set_agreement(defaults.sa_number)

        def free(name: str, now: object, blank: object) -> bool:
            return now == blank or now == previous.get(name, blank)

        if free("rate", combo_code(self.rate), ""):
            set_combo_code(self.rate, defaults.rate_schedule or "")
        if free("revenue", combo_code(self.revenue), ""):
            set_combo_code(self.revenue, defaults.revenue_class or "")
        chosen = defaults.bill_segment
        asked_for_bill = chosen is not None and self._loading_sa_was == chosen.number
        if asked_for_bill or free("period", self.form.period(), None):
            self.form.set_period(defaults.start, defaults.end, defaults.accounting_date)
            self.form.set_segments(defaults.bill_segments, chosen.number if chosen else None)
        else:
            self.form.set_segments(defaults.bill_segments, None)
        if asked_for_bill or free("quantities", self.quantities.rows(), ()) or \
                not any(q.quantity for q in self.quantities.rows()):
            self.quantities.set_rows(defaults.quantities)
            if not defaults.quantities:
                self.quantities.add_row()
        self.quantities.set_service_points(defaults.service_points)
        self.characteristics.set_inherited(defaults.characteristics)
        self._remember_filled()
        self._inputs_changed()
        if self._check_after_defaults:
            self._check_after_defaults = False
            self.check_rate()

    def _defaults_failed(self, exc: BaseException) -> None:
        self._loading = False
        self._loading_sa = None
        self._check_after_defaults = False
        self.defaults = None
        self.form.show_sa_hint("")
        if isinstance(exc, DomainError):
            self._show_error(exc)
        else:
            self._general_error(exc)

    def _remember_filled(self) -> None:
        self._filled = {"rate": combo_code(self.rate), "revenue": combo_code(self.revenue),
                        "period": self.form.period(), "quantities": self.quantities.rows(),
                        "characteristics": self.characteristics.rows()}

    # ---------------------------------------------------------------------------- check

    def check_rate(self) -> None:
        """Check Rate: run the service in a worker with the form as it is."""
        if self.busy:
            return
        if self._loading:
            self._check_after_defaults = True  # the agreement's values first
            return
        self.check_now(self.request())

    def check_now(self, request: RateCheckRequest) -> None:
        self._clear_errors()
        self.busy = True
        self.check_button.setEnabled(False)
        self.check_button.setText("Checking…")
        run_task(check, self.ctx.db, request, on_result=self._checked,
                 on_error=self._check_failed)

    def _checked(self, outcome: RateCheckOutcome) -> None:
        self._done()
        self.outcome = outcome
        self.results.show_outcome(outcome)
        self._show_current(True)
        self.header.setObjectName("")
        self.header.style().unpolish(self.header)
        self.header.style().polish(self.header)
        self.header.setText(header_text(outcome))
        billed = billed_text(outcome.billed, outcome.billed_difference,
                             outcome.result.currency)
        self.billed.setText(billed)
        self.billed.setVisible(bool(billed))
        result = outcome.result
        notes = [f"⚠ {w}" for w in result.warnings] + \
            [f"To Do ({t.todo_type}{', for ' + t.role if t.role else ''}): {t.message}"
             for t in result.todos]
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self.print_button.setEnabled(True)
        self.tabs.setCurrentIndex(CALC_LINES)
        self.ctx.host.show_status(
            f"{result.rate_schedule} checked: total {self.results.calc_lines.total.text()}.")

    def _check_failed(self, exc: BaseException) -> None:
        self._done()
        if isinstance(exc, DomainError):
            self._show_error(exc)
        else:
            self._general_error(exc)
        if self.outcome is not None:
            self._show_current(False, "Not current — the last check failed; the results "
                                      "below are from the check before it.")

    def _done(self) -> None:
        self.busy = False
        self.check_button.setEnabled(True)
        self.check_button.setText("Check Rate")

    def _show_current(self, current: bool, why: str = "") -> None:
        for page in self.results.pages:
            page.setEnabled(current)
        self.header.setEnabled(current)
        self.billed.setEnabled(current)
        self.notes.setEnabled(current)
        self.results.calc_lines.chart.plot.getPlotItem().setOpacity(1.0 if current else 0.35)
        self.print_button.setEnabled(current and self.outcome is not None)
        self.stale.setText(why)
        self.stale.setVisible(bool(why))

    def _inputs_changed(self, *_args: object) -> None:
        if self.outcome is None or not self.header.isEnabled():
            return
        changed = self.outcome.request != self.request(commit=False)
        self.stale.setText("Inputs changed since this check — press Enter to check again."
                           if changed else "")
        self.stale.setVisible(changed)

    # ------------------------------------------------------------------------- messages

    def _show_error(self, exc: DomainError) -> None:
        if not self._field_error(exc.field or "", exc.message):
            self.banner.setText(exc.message)
            self.banner.show()

    def _field_error(self, field: str, message: str) -> bool:
        if field in self.messages:
            self.messages[field].show_message(message)
            return True
        grid = {"quantities": self.quantities,
                "characteristics": self.characteristics}.get(field)
        if grid is not None:
            grid.show_message(message)
            return True
        return False

    def _general_error(self, exc: BaseException) -> None:
        self.banner.setText(exc.message if isinstance(exc, DomainError)
                            else f"The rate could not be checked: {exc}")
        self.banner.show()

    def _clear_errors(self) -> None:
        for message in self.messages.values():
            message.clear()
        self.quantities.show_message("")
        self.characteristics.show_message("")
        self.banner.hide()

    def error_text(self, field: str) -> str:
        """The message shown for `field` ("general" = the banner); "" when none."""
        if field in self.messages:
            shown = self.messages[field]
            return shown.text() if shown.isVisible() or not shown.isHidden() else ""
        if field == "quantities":
            return self.quantities.message_text()
        if field == "characteristics":
            return self.characteristics.message_text()
        return self.banner.text() if not self.banner.isHidden() else ""

    def _tab_changed(self, index: int) -> None:
        self.result_head.setVisible(index != COMPARE)

    # ---------------------------------------------------------------------- compare, print

    def compare_inputs(self, need_period: bool = True) -> CompareInputs:
        """The consumption for Compare Rates: the grid's quantities over the form's period."""
        request = self.request()
        start, end = self.form.period()
        if need_period and end < start:
            raise ValidationError(f"The end date {end.isoformat()} is before the start date "
                                  f"{start.isoformat()}: the period runs from start to end.",
                                  "end")
        months = (UsageMonth(start, end, request.quantities),) \
            if request.quantities and end >= start else ()
        return CompareInputs(months, request.sa_number, request.characteristics,
                             request.revenue_class, request.rate_schedule)

    def _ask_pdf_path(self, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(self, "Print the rate check", suggested,
                                                    "PDF documents (*.pdf)")
        return path or None

    def print_result(self) -> None:
        outcome = self.outcome
        if outcome is None or not self.print_button.isEnabled():
            self.ctx.host.show_status("Check a rate first: there is nothing current to print.")
            return
        result = outcome.result
        suggested = f"rate-check-{result.rate_schedule}-{result.start.isoformat()}.pdf"
        path = self.ask_pdf_path(suggested)
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        run_task(render_rate_check, outcome, Path(path),
                 on_result=lambda p: self.ctx.host.show_status(f"Rate check saved to {p}."),
                 on_error=lambda exc: self._general_error(
                     DomainError(f"The PDF could not be written: {exc}")))

    # ---------------------------------------------------------------------- navigation

    def pane_state(self) -> object:
        return self.outcome.request if self.outcome is not None else None

    def restore_state(self, state: object) -> None:
        if isinstance(state, RateCheckRequest):
            self.fill(state)
            self.check_now(state)

    def fill(self, request: RateCheckRequest) -> None:
        self.form.fill(request)
        self._default_revenue_class()

    def request(self, commit: bool = True) -> RateCheckRequest:
        return self.form.request(commit)

    def sa_number(self) -> str:
        return self.form.sa_number()


def open_rate_check(host: PaneHost, request: RateCheckRequest | None = None) -> None:
    """Open Rate Check, filled from `request` and checked when one is given."""
    pane = host.open_pane(RATE_CHECK)
    if isinstance(pane, RateCheckPane) and request is not None:
        pane.fill(request)
        pane.check_now(request)


def _make(ctx: PaneContext) -> QWidget:
    return RateCheckPane(ctx)


RATE_CHECK_SPEC = register(PaneSpec(RATE_CHECK, "Rate Check", "Ctrl+6", _make))

__all__ = ["RATE_CHECK", "RATE_CHECK_SPEC", "RateCheckPane", "open_rate_check",
           "sa_number_of"]
