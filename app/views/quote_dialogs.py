"""The Quote pane's dialogs (spec/40 §2.7, §7) and its Quote Routings tab: Generate (All /
Specific + proposal), Close (No action / Decline + reason / Cancel), Accept (start date; a
proposal changed since generation asks to confirm, then accepts anyway), Decline (reason) and
a quote recipient (routing) to add or edit; the routings of a complete quote.

Each is an `ActionDialog`: it reads the form, runs one service call in a worker, shows a
refusal beside the field the service names, and closes on success with the service's result
in `result_value`. A lost race closes it and tells the pane to reload (`lost_race`).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import QuoteStatus
from app.reports.formatting import DASH, flag_text
from app.services import quote_routings, quotes
from app.services.context import today
from app.services.errors import ConcurrentChange, ValidationError
from app.services.quote_choices import QuoteChoices
from app.services.quote_dto import (
    ProposalView,
    QuoteOutcome,
    QuoteView,
    RoutingForm,
    RoutingView,
)
from app.views.dashboard import Cell
from app.views.editable_grid import code_combo, combo_code, set_combo_code
from app.views.panes import PaneContext
from app.views.quote_widgets import empty_label, quote_info, stack_of, when_text
from app.views.rate_check_form import day_of, qdate
from app.views.rate_check_results import ResultGrid
from app.views.tree_dialogs import GENERAL_FIELD, ActionDialog
from app.views.widgets import label

#: Asks a yes/no question (title, text); the pane's is a message box, a test's a lambda.
Confirm = Callable[[str, str], bool]


def proposal_text(p: ProposalView) -> str:
    return (f"{p.number} — {p.rate_schedule or 'no rate'} · {p.sa_type} · from "
            f"{p.start_date.isoformat()} ({p.status.label.lower()})")


def date_edit(day: dt.date, name: str) -> QDateEdit:
    edit = QDateEdit(qdate(day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setAccessibleName(name)
    edit.setMaximumWidth(160)
    return edit


class QuoteActionDialog(ActionDialog):
    """An action on the open quote; a lost race closes it and asks the pane to reload."""

    lost_race = Signal(str)

    def __init__(self, ctx: PaneContext, parent: QWidget | None, quote: QuoteView | None,
                 title: str, submit_text: str, intro: str = "") -> None:
        super().__init__(ctx, parent, title, submit_text, intro)
        self.quote = quote
        self.account_number = quote.account_number if quote else ""

    @property
    def version(self) -> int | None:
        return self.quote.version if self.quote else None

    def success_message(self, result: Any) -> str:
        return result.message if isinstance(result, QuoteOutcome) else "Saved."

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ConcurrentChange):
            self.set_busy(False)
            self.lost_race.emit(exc.message)
            self.reject()
            return
        super()._failed(exc)


class GenerateDialog(QuoteActionDialog):
    """Generate (spec/40 §2.7.1): every Quotable proposal of the account, or one."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, account_number: str,
                 quote: QuoteView | None, quotable: Sequence[ProposalView]) -> None:
        intro = ("Prices every billing scenario of the proposals through the rating engine. "
                 + ("A new quote is saved first." if quote is None else
                    "Generating again replaces the details already priced for those "
                    "proposals on this quote."))
        super().__init__(ctx, parent, quote, "Generate quote…", "Generate", intro)
        self.account_number = account_number
        self.add_fixed("Quote", quote.number if quote else "New quote")
        self.add_fixed("Account", account_number)
        self.all_button = QRadioButton(f"All quotable proposals ({len(quotable)})")
        self.specific_button = QRadioButton("Specific proposal")
        self.scope = QButtonGroup(self)
        self.scope.addButton(self.all_button)
        self.scope.addButton(self.specific_button)
        self.all_button.setChecked(True)
        self.add_row("scope", "Scope", self.all_button)
        self.form.addRow("", self.specific_button)
        self.proposal = QComboBox()
        self.proposal.setAccessibleName("Proposal SA")
        for p in quotable:
            self.proposal.addItem(proposal_text(p), p.number)
        self.add_row("proposal", "Proposal SA", self.proposal)
        self.proposal.setEnabled(False)
        self.specific_button.toggled.connect(self.proposal.setEnabled)
        priced = {d.proposal.number for d in quote.details} if quote else set()
        again = [p.number for p in quotable if p.number in priced]
        if again:
            self.body.addWidget(label(
                f"⚠ Proposal {', '.join(again)} already has a detail on this quote: it will "
                "be replaced by a new one.", "hint", wrap=True))
        self.finish_layout()

    def choose(self, proposal: str | None) -> None:
        """All (None) or one proposal, as a person would tick it."""
        if proposal is None:
            self.all_button.setChecked(True)
            return
        self.specific_button.setChecked(True)
        self.proposal.setCurrentIndex(self.proposal.findData(proposal))

    def prepare(self) -> Callable[[], Any]:
        proposal = None
        if self.specific_button.isChecked():
            proposal = self.proposal.currentData()
            if not proposal:
                raise ValidationError("Pick the proposal to price.", "proposal")
        return partial(quotes.generate, self.ctx.db, self.ctx.actor, self.account_number,
                       quote_number=self.quote.number if self.quote else None,
                       proposal=proposal, expected_version=self.version)


class _ReasonMixin:
    def _reason_combo(self, choices: QuoteChoices) -> QComboBox:
        combo = code_combo(choices.decline_reasons, blank="— pick a reason —", long=True)
        combo.setAccessibleName("Decline reason")
        return combo


class CloseDialog(QuoteActionDialog, _ReasonMixin):
    """Close (spec/40 §2.7.3) with what to do with the quote's Quotable proposals."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, quote: QuoteView,
                 choices: QuoteChoices) -> None:
        super().__init__(ctx, parent, quote, "Close quote…", "Close quote",
                         "Closing is final. Only proposals that are still quotable change; "
                         "accepted, declined or canceled ones are left as they are.")
        self.add_fixed("Quote", f"{quote.number} · {quote.account_name}")
        self.no_action = QRadioButton("No action: leave the proposals as they are")
        self.decline_button = QRadioButton("Decline the proposals")
        self.cancel_button_ = QRadioButton("Cancel the proposals")
        self.action_group = QButtonGroup(self)
        for button in (self.no_action, self.decline_button, self.cancel_button_):
            self.action_group.addButton(button)
        self.no_action.setChecked(True)
        self.add_row("action", "Proposals", self.no_action)
        self.form.addRow("", self.decline_button)
        self.reason = self.add_row("decline_reason", "Decline reason",
                                   self._reason_combo(choices))
        self.form.addRow("", self.cancel_button_)
        self.reason.setEnabled(False)
        self.decline_button.toggled.connect(self.reason.setEnabled)
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        assert self.quote is not None
        action = (quotes.DECLINE if self.decline_button.isChecked() else
                  quotes.CANCEL if self.cancel_button_.isChecked() else quotes.NO_ACTION)
        reason = combo_code(self.reason) or None if action == quotes.DECLINE else None
        return partial(quotes.close, self.ctx.db, self.ctx.actor, self.quote.number, action,
                       reason, self.version)


class AcceptDialog(QuoteActionDialog):
    """Accept (spec/40 §2.7.6): one start date for the real agreements."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, quote: QuoteView,
                 details: Sequence[str], confirm: Confirm) -> None:
        super().__init__(ctx, parent, quote, "Accept proposals…", "Accept",
                         "Each selected option's proposal becomes Accepted and a real "
                         "agreement with its terms is created in pending start.")
        self.details = tuple(details)
        self.confirm = confirm
        self.confirmed = False
        self.add_fixed("Quote details", ", ".join(self.details))
        starts = [d.proposal.start_date for d in quote.details if d.number in self.details]
        self.start = self.add_row("start", "Start date",
                                  date_edit(max([today(), *starts]), "Start date"))
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        assert self.quote is not None
        return partial(quotes.accept, self.ctx.db, self.ctx.actor, self.quote.number,
                       self.details, day_of(self.start.date()),
                       confirm_changed=self.confirmed, expected_version=self.version)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, quotes.ProposalChanged) and not self.confirmed:
            self.set_busy(False)
            if self.confirm("Accept terms that changed?", exc.message):
                self.confirmed = True
                self.submit()
            else:
                self.show_error(GENERAL_FIELD, "Nothing was accepted: regenerate the quote "
                                               "detail to price the new terms first.")
            return
        super()._failed(exc)


class DeclineDialog(QuoteActionDialog, _ReasonMixin):
    """Decline (spec/40 §2.7.7): the reason is required."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, quote: QuoteView,
                 details: Sequence[str], choices: QuoteChoices) -> None:
        super().__init__(ctx, parent, quote, "Decline proposals…", "Decline",
                         "The selected options' proposals become Declined. To reject the "
                         "whole quote, use Close with Decline instead.")
        self.details = tuple(details)
        self.add_fixed("Quote details", ", ".join(self.details))
        self.reason = self.add_row("decline_reason", "Decline reason",
                                   self._reason_combo(choices), "reason")
        self.finish_layout()

    def prepare(self) -> Callable[[], Any]:
        assert self.quote is not None
        return partial(quotes.decline, self.ctx.db, self.ctx.actor, self.quote.number,
                       self.details, combo_code(self.reason) or None, self.version)


ROUTING_FIELDS = ("name1", "name2", "name3", "address1", "address2", "city", "region",
                  "postal_code", "country", "email", "fax")


class RoutingDialog(QuoteActionDialog):
    """A recipient of a complete quote: a new one (a reprint) or one not printed yet."""

    def __init__(self, ctx: PaneContext, parent: QWidget | None, quote: QuoteView,
                 choices: QuoteChoices, routing: RoutingView | None = None) -> None:
        title = "Add recipient…" if routing is None else f"Recipient {routing.sequence}…"
        super().__init__(ctx, parent, quote, title, "Add" if routing is None else "Save",
                         "The copy prints in the next print run. Postal copies need the "
                         "address and city; e-mail and fax copies their address or number.")
        self.routing = routing
        self.methods = dict(choices.route_methods)
        self.route_type = self.add_row("route_type", "Route type",
                                       code_combo(choices.route_types, blank=None, long=True))
        self.party = self.add_row("party", "Person (optional)", QLineEdit(), "party_number")
        self.party.setPlaceholderText("party number: only defaults the name")
        self.inputs: dict[str, QLineEdit] = {}
        captions = {"name1": "Name", "name2": "Name line 2", "name3": "Name line 3",
                    "address1": "Address", "address2": "Address line 2", "city": "City",
                    "region": "State / region", "postal_code": "Postal code",
                    "country": "Country", "email": "E-mail", "fax": "Fax"}
        aliases = {"name1": ("names",), "address1": ("address",)}
        for name in ROUTING_FIELDS:
            self.inputs[name] = self.add_row(name, captions[name], QLineEdit(),
                                             *aliases.get(name, ()))
        self.do_not_extract = QCheckBox("Do not extract (suppress this copy)")
        self.add_row("do_not_extract", "", self.do_not_extract)
        if routing is not None:
            self._fill(routing)
        else:   # like the quote's first copy, else by post
            first = next(iter(quote.routings), None)
            postal = [c for c, m in choices.route_methods if m == "POSTAL"]
            set_combo_code(self.route_type, first.route_type if first else
                           next(iter(postal), ""))
            self.inputs["country"].setText(first.country or "" if first else "")
        self.route_type.currentIndexChanged.connect(lambda _i: self._method_changed())
        self._method_changed()
        self.finish_layout()

    def _fill(self, r: RoutingView) -> None:
        set_combo_code(self.route_type, r.route_type)
        self.route_type.setEnabled(True)
        self.party.setText(r.party_number or "")
        self.party.setEnabled(False)
        names = [*r.names, "", "", ""]
        lines = [*r.address_lines, "", ""]
        values = {"name1": names[0], "name2": names[1], "name3": names[2],
                  "address1": lines[0], "address2": lines[1], "city": r.city or "",
                  "region": r.region or "", "postal_code": r.postal_code or "",
                  "country": r.country or "", "email": r.email or "", "fax": r.fax or ""}
        for name, text in values.items():
            self.inputs[name].setText(text)
        self.do_not_extract.setChecked(r.do_not_extract)

    def _method_changed(self) -> None:
        method = self.methods.get(combo_code(self.route_type), "POSTAL")
        for name in ("address1", "address2", "city", "region", "postal_code", "country"):
            self.inputs[name].setEnabled(method == "POSTAL")
        self.inputs["email"].setEnabled(method == "EMAIL")
        self.inputs["fax"].setEnabled(method == "FAX")

    def text(self, name: str) -> str:
        return self.inputs[name].text().strip()

    def form_value(self) -> RoutingForm:
        method = self.methods.get(combo_code(self.route_type), "POSTAL")
        postal = method == "POSTAL"
        return RoutingForm(
            route_type=combo_code(self.route_type),
            names=tuple(n for n in (self.text("name1"), self.text("name2"),
                                    self.text("name3")) if n),
            party_number=self.party.text().strip() or None if self.routing is None else None,
            address_lines=tuple(a for a in (self.text("address1"), self.text("address2"))
                                if a) if postal else (),
            city=(self.text("city") or None) if postal else None,
            region=(self.text("region") or None) if postal else None,
            postal_code=(self.text("postal_code") or None) if postal else None,
            country=(self.text("country") or None) if postal else None,
            email=(self.text("email") or None) if method == "EMAIL" else None,
            fax=(self.text("fax") or None) if method == "FAX" else None,
            do_not_extract=self.do_not_extract.isChecked())

    def prepare(self) -> Callable[[], Any]:
        assert self.quote is not None
        form = self.form_value()
        if self.routing is None:
            return partial(quote_routings.add_routing, self.ctx.db, self.ctx.actor,
                           self.quote.number, form, self.version)
        return partial(quote_routings.update_routing, self.ctx.db, self.ctx.actor,
                       self.quote.number, self.routing.sequence, form, self.routing.version)

    def success_message(self, result: Any) -> str:
        if self.routing is None:
            return "Recipient added: the copy prints in the next print run."
        return f"Recipient {self.routing.sequence} saved."


# -------------------------------------------------------------------------- routings tab

ROUTING_COLUMNS = ("Seq", "Person", "Route\ntype", "Batch / run", "Do not\nextract", "Reprint",
                   "Extracted", "Names", "Address, e-mail or fax")


def routing_cells(r: RoutingView) -> list[Cell]:
    if r.email:
        contact = f"e-mail {r.email}"
    elif r.fax:
        contact = f"fax {r.fax}"
    else:
        place = " ".join(x for x in (r.region, r.postal_code) if x)
        contact = ", ".join(x for x in (*r.address_lines, r.city, place, r.country) if x)
    return [Cell(str(r.sequence), r.sequence, right=True), Cell(r.party_number or DASH),
            Cell(r.route_type if r.route_type.lower() == r.route_method.value.lower()
                 else f"{r.route_type} ({r.route_method.label.lower()})"),
            Cell(f"{r.batch_code} / {r.batch_run}"), Cell(flag_text(r.do_not_extract)),
            Cell(flag_text(r.reprint)), Cell(when_text(r.extracted_at)),
            Cell(" / ".join(r.names)), Cell(contact or DASH)]


class RoutingsPage(QWidget):
    """The copies of a complete quote, one per recipient (spec/40 §7 "Quote Routings")."""

    def __init__(self) -> None:
        super().__init__()
        self.quote: QuoteView | None = None
        self.info = label("", "hint", wrap=True)
        self.add_button = QPushButton("Add recipient…")
        self.add_button.setToolTip("A copy for someone else (or again): only while the quote "
                                   "is complete")
        self.edit_button = QPushButton("Edit recipient…")
        self.edit_button.setToolTip("Change a copy that has not printed yet")
        self.print_button = QPushButton("Print this copy…")
        self.print_button.setToolTip("The selected recipient's copy as a PDF (a reprint)")
        bar = QHBoxLayout()
        bar.addWidget(self.info, 1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.add_button)
        bar.addWidget(self.edit_button)
        self.grid = ResultGrid(ROUTING_COLUMNS, stretch=8, name="Quote routings",
                               centre=(4, 5))
        self.can_add = False
        self.grid.selectionModel().currentRowChanged.connect(lambda *_a: self.refresh(
            self.can_add))
        self.empty = empty_label("")
        self.stack = stack_of(self.empty, self.grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

    def set_quote(self, quote: QuoteView | None, can_add: bool, empty_text: str) -> None:
        self.quote = quote
        routings = quote.routings if quote else ()
        self.grid.set_rows([routing_cells(r) for r in routings],
                           muted=[i for i, r in enumerate(routings) if r.do_not_extract])
        if quote is None:
            self.empty.setText(empty_text)
            self.info.setText("")
        else:
            self.info.setText(f"Quote {quote.number} · {quote_info(quote)}")
            self.empty.setText(
                "No recipients yet: Complete the quote (Main tab) to build a copy for every "
                "person on the account who receives quotes." if quote.status in
                (QuoteStatus.PENDING,) else "This quote has no recipients.")
        self.stack.setCurrentIndex(1 if routings else 0)
        if routings:
            self.grid.selectRow(0)
        self.refresh(can_add)

    def selected(self) -> RoutingView | None:
        index = self.grid.currentIndex()
        if self.quote is None or not index.isValid():
            return None
        row = self.grid.proxy.mapToSource(index).row()
        return self.quote.routings[row] if row < len(self.quote.routings) else None

    def refresh(self, can_add: bool) -> None:
        self.can_add = can_add
        chosen = self.selected()
        self.add_button.setEnabled(can_add)
        self.edit_button.setEnabled(can_add and chosen is not None
                                    and chosen.extracted_at is None)
        self.print_button.setEnabled(chosen is not None)


# ----------------------------------------------------------------------- questions, files

def ask_yes_no(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


def ask_pdf_path(parent: QWidget, suggested: str) -> str | None:
    """Where to save a printed quote (None: the person cancelled)."""
    path, _filter = QFileDialog.getSaveFileName(parent, "Print the quote", suggested,
                                                "PDF documents (*.pdf)")
    return path or None


def display_path(quote_number: str) -> Path:
    """Display Quote's file: a temporary one, replaced on each display."""
    folder = Path(tempfile.gettempdir()) / "switchboard-quotes"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"quote-{quote_number}.pdf"


def open_pdf(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


__all__ = ["AcceptDialog", "CloseDialog", "Confirm", "DeclineDialog", "GenerateDialog",
           "QuoteActionDialog", "RoutingDialog", "RoutingsPage", "ask_pdf_path", "ask_yes_no",
           "date_edit", "display_path", "open_pdf", "proposal_text", "routing_cells"]
