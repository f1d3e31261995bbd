"""The Quote pane (spec/40 §2, §7): find quotes, open one, and work it — Generate, Complete,
Close, Reopen, Cancel, Delete; Regenerate or delete its details; Accept, Decline or Cancel the
proposals of the ticked details — with the options compared in a chart, one detail at a time
on Quote Details, and its recipients on Quote Routings. Proposals are created and edited in
the proposal editor ("New proposal…", "Edit proposal…").

    pane = host.open_pane("quotes")
    pane.open_quote("123456789012")

Every button follows the §2.6 matrix (`services.quote_rules.button_states`); the services
refuse the same actions with a sentence, shown beside the field it names or in the banner.
Outcome messages (and each row an action skipped) are shown above the chart. Keys: Enter
opens a found quote, Ctrl+G generates, Ctrl+P prints, Space ticks a detail, Alt+1/2/3 switch
tabs, Ctrl+PgUp / Ctrl+PgDn step through the details.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import QuoteDetailStatus, QuoteStatus, SAStatus
from app.reports.formatting import money_text
from app.services import proposals, quotes
from app.services.errors import ConcurrentChange, DomainError, ValidationError
from app.services.installation import Module
from app.services.quote_choices import QuoteChoices, quote_choices
from app.services.quote_dto import (
    ProposalView,
    QuoteOutcome,
    QuoteSummary,
    QuoteView,
)
from app.services.quote_rules import ButtonStates, button_states, select_all
from app.services.quote_views import get_quote, search_quotes
from app.services.rate_check import RateCheckChoices, rate_check_choices
from app.views.current_context import CurrentAccount
from app.views.panes import PaneContext, PaneHost, PaneSpec, register
from app.views.proposal_editor import ProposalEditor
from app.views.quote_dialogs import (
    AcceptDialog,
    CloseDialog,
    DeclineDialog,
    GenerateDialog,
    QuoteActionDialog,
    RoutingDialog,
    RoutingsPage,
    ask_pdf_path,
    ask_yes_no,
    open_pdf,
)
from app.views.quote_pages import DetailPage, MainPage
from app.views.quote_printing import QuotePrinting
from app.views.quote_widgets import SearchPanel, option_name, when_text
from app.views.record import register_record_opener
from app.views.tree_dialogs import BANNER_STYLE
from app.views.widgets import label
from app.views.worker import run_task

QUOTES = "quotes"
TAB_NAMES = ("Main", "Quote Details", "Quote Routings")
MAIN, DETAILS, ROUTINGS = range(3)
NO_QUOTE = "No quote open: search on the left, or New quote for the current account."
#: What the header says while no quote is open.
ABOUT = ("A quote prices the account's proposal SAs (the options) over their billing "
         "scenarios. Generate (Ctrl+G) starts one for the current account when a proposal "
         "is quotable; New proposal… adds an option.")
NO_ACCOUNT = ("No quote open: search on the left. To start one, choose the account (Ctrl+F) "
              "— it becomes the current account — then New quote.")


class QuotesPane(QuotePrinting, QWidget):
    def __init__(self, ctx: PaneContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.quote: QuoteView | None = None
        self.results: list[QuoteSummary] = []
        #: Proposals of the account in focus (the open quote's, else the current account's).
        self.proposals: list[ProposalView] = []
        self.proposals_of = ""
        self.choices: QuoteChoices | None = None
        self.rate_choices: RateCheckChoices | None = None
        self.dialog: QDialog | None = None
        self.proposal_editor: ProposalEditor | None = None
        self.busy = False
        self._quiet = False
        self._serial = 0
        self._searched_account = ""
        #: Replaceable for tests: where to save a printed quote, how to show a PDF, and a
        #: yes/no question.
        self.ask_pdf_path: Callable[[str], str | None] = partial(ask_pdf_path, self)
        self.open_pdf: Callable[[Path], object] = open_pdf
        self.confirm: Callable[[str, str], bool] = partial(ask_yes_no, self)
        self._build()
        self._shortcuts()
        run_task(quote_choices, ctx.db, on_result=lambda c: setattr(self, "choices", c),
                 on_error=self._general_error)
        ctx.current.changed.connect(self.on_context_changed)
        ctx.current.saved.connect(self.on_saved)
        self.on_context_changed(ctx.current.account)

    # ---------------------------------------------------------------------------- layout

    def _build(self) -> None:
        self.search_panel = panel = SearchPanel()
        self.account, self.status = panel.account, panel.status
        self.expires_from, self.expires_to = panel.expires_from, panel.expires_to
        self.found, self.field_messages = panel.found, panel.messages
        for edit in (self.account, self.expires_from, self.expires_to):
            edit.returnPressed.connect(self.search)
        panel.search_button.clicked.connect(lambda _=False: self.search())
        self.found.row_activated.connect(self.open_quote)
        self.new_quote_button = panel.new_quote_button
        self.new_quote_button.clicked.connect(lambda _=False: self.new_quote())
        self.new_proposal_button = panel.new_proposal_button
        self.new_proposal_button.clicked.connect(
            lambda _=False: self.edit_proposal(None, self.current_account()))
        left = panel

        self.banner = label("", "", wrap=True)
        self.banner.setObjectName("quoteBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.tabs = QTabWidget()
        self.main = MainPage({
            "display": self.display_quote, "print": self.print_quote,
            "generate": self.generate, "complete": self.complete, "close": self.close_quote,
            "reopen": self.reopen, "cancel": self.cancel_quote, "delete": self.delete_quote,
            "regenerate": self.regenerate, "delete_details": self.delete_details,
            "accept": self.accept, "decline": self.decline,
            "cancel_proposals": self.cancel_proposals, "select_all": self.select_all,
            "clear_all": self.clear_all, "new_proposal": lambda: self.edit_proposal(None),
            "edit_proposal": lambda: self.edit_proposal(self.selected_proposal())}, NO_QUOTE)
        # what the pane works with, by name (tests and the screenshot read them too)
        m = self.main
        self.title, self.info, self.buttons, self.details = m.title, m.info, m.buttons, m.details
        self.empty, self.totals, self.message, self.chart = m.empty, m.totals, m.message, m.chart
        self.details.ticks_changed.connect(self._refresh_buttons)
        self.details.row_activated.connect(self._open_detail)
        self.details.selectionModel().currentRowChanged.connect(
            lambda *_a: self._refresh_buttons())
        self.tabs.addTab(self.main, TAB_NAMES[MAIN])
        self.detail_page = DetailPage()
        self.tabs.addTab(self.detail_page, TAB_NAMES[DETAILS])
        self.routings = RoutingsPage()
        self.routings.add_button.clicked.connect(lambda _=False: self.edit_routing(False))
        self.routings.edit_button.clicked.connect(lambda _=False: self.edit_routing(True))
        self.routings.grid.doubleClicked.connect(lambda _i: self.edit_routing(True))
        self.routings.print_button.clicked.connect(lambda _=False: self.print_copy())
        self.tabs.addTab(self.routings, TAB_NAMES[ROUTINGS])
        for i in range(len(TAB_NAMES)):
            self.tabs.setTabToolTip(i, f"Alt+{i + 1}")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.tabs, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([450, 950])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(splitter)
        self.show_quote(None)

    def _shortcuts(self) -> None:
        keys: list[tuple[str, Callable[[], object]]] = [
            ("Ctrl+G", self.generate), ("Ctrl+P", self.print_quote),
            ("Ctrl+PgUp", partial(self._step_detail, -1)),
            ("Ctrl+PgDown", partial(self._step_detail, 1))]
        keys += [(f"Alt+{i + 1}", partial(self.tabs.setCurrentIndex, i))
                 for i in range(len(TAB_NAMES))]
        for sequence, slot in keys:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # ---------------------------------------------------------------------- context, search

    def current_account(self) -> str:
        account = self.ctx.current.account
        return account.account_number if account is not None else ""

    def focus_account(self) -> str:
        """The account the buttons act for: the open quote's, else the current one."""
        return self.quote.account_number if self.quote else self.current_account()

    def on_context_changed(self, account: CurrentAccount | None) -> None:
        number = account.account_number if account is not None else ""
        typed = self.account.text().strip()
        if not typed or typed == self._searched_account:
            self.account.setText(number)
        self.search_panel.current_hint.setText(
            f"Current account: {account.label}" if account else
            "No current account: choose one (Ctrl+F) to start a quote or a proposal for it.")
        if self.quote is None:
            self.empty.setText(NO_QUOTE if account else NO_ACCOUNT)
            self._load_proposals(number)
        self.search()

    def on_saved(self, account: str | None) -> None:
        """Something of an account was saved (here or in another pane): re-read its
        proposals, and the open quote when it is that account's."""
        focus = self.focus_account()
        if self._quiet:                 # our own save: what it returned is shown already
            self._quiet = False
            return
        if focus and account in (None, focus):
            self._load_proposals(focus)
            self.reload()

    def search(self) -> None:
        try:
            criteria = self.search_panel.criteria()
        except ValidationError as exc:
            self._show_error(exc)
            return
        self._searched_account = str(criteria["account_number"] or "")
        self._serial += 1
        serial = self._serial
        run_task(search_quotes, self.ctx.db, **criteria,
                 on_result=lambda rows: self._found(serial, rows), on_error=self._show_error)

    def _found(self, serial: int, rows: list[QuoteSummary]) -> None:
        if serial == self._serial:
            self.results = rows
            self.search_panel.show_results(rows, self._searched_account)

    # --------------------------------------------------------------------------- loading

    def open_quote(self, number: str) -> None:
        self._clear_errors()
        self.message.clear_message()
        run_task(get_quote, self.ctx.db, number, on_result=self.show_quote,
                 on_error=self._general_error)

    def reload(self) -> None:
        if self.quote is not None:
            run_task(get_quote, self.ctx.db, self.quote.number, on_result=self.show_quote,
                     on_error=self._general_error)

    def _load_proposals(self, account: str) -> None:
        self.proposals_of = account
        if not account:
            self.proposals = []
            self._refresh_buttons()
            return
        run_task(proposals.proposals_of_account, self.ctx.db, account,
                 on_result=lambda rows: self._proposals_loaded(account, rows),
                 on_error=lambda _exc: self._proposals_loaded(account, []))

    def _proposals_loaded(self, account: str, rows: list[ProposalView]) -> None:
        if account == self.proposals_of:
            self.proposals = rows
            self._refresh_buttons()

    def show_quote(self, quote: QuoteView | None) -> None:
        """Show a quote as the service gave it (None: no quote open)."""
        self.quote = quote
        empty = NO_QUOTE if self.current_account() else NO_ACCOUNT
        if quote is None:
            self.title.setText("No quote open")
            self.info.setText(ABOUT)
            self.details.set_details([], "", False)
            self.main.grid_stack.setCurrentIndex(0)
            self.empty.setText(empty)
            self.totals.setText("")
        else:
            self.title.setText(f"Quote {quote.number}")
            self.info.setText(
                f"Account <b>{quote.account_number}</b> — {quote.account_name or '(no name)'}"
                f" &nbsp;·&nbsp; Status <b>{quote.status.label}</b> &nbsp;·&nbsp; Expires "
                f"<b>{when_text(quote.expires_at).replace(' ', '&nbsp;')}</b> &nbsp;·&nbsp; "
                f"created {when_text(quote.created_at)} by {quote.created_by}")
            self.details.set_details(quote.details, quote.currency,
                                     quote.status is not QuoteStatus.CLOSED)
            self.main.grid_stack.setCurrentIndex(1 if quote.details else 0)
            self.empty.setText("No details yet: Generate (Ctrl+G) prices every quotable "
                               "proposal of the account — or New proposal… adds an option.")
            n = len(quote.details)
            low = quote.lowest
            self.totals.setText(
                f"{n} option{'s' if n != 1 else ''}" + (
                    f" · lowest: <b>{option_name(low)} {money_text(low.total, quote.currency)}"
                    "</b>" if low is not None and n > 1 else "") if n else "")
            if self.proposals_of != quote.account_number:
                self._load_proposals(quote.account_number)
        self.totals.setTextFormat(Qt.TextFormat.RichText)
        self.chart.set_quote(quote)
        self.chart.setVisible(quote is not None)
        self.detail_page.set_quote(quote, empty)
        self.routings.set_quote(quote, self.states().add_routing, empty)
        self._refresh_buttons()

    # --------------------------------------------------------------------------- buttons

    def states(self) -> ButtonStates:
        quote = self.quote
        if quote is None:
            quotable = sum(p.status is SAStatus.QUOTABLE for p in self.proposals)
            return button_states(None, quotable=quotable if self.current_account() else 0)
        return button_states(quote.status,
                             details_ok=[d.status is QuoteDetailStatus.OK for d in quote.details],
                             selected=len(self.details.ticked_keys()),
                             quotable=len(quote.quotable))

    def _refresh_buttons(self) -> None:
        states = self.states()
        on = states.enabled()
        for name, button in self.buttons.items():
            button.setEnabled(name in on and not self.busy)
        has_quote = self.quote is not None
        m = self.main
        for widget in (m.display_button, m.print_button, m.detail_level):
            widget.setEnabled(has_quote and not self.busy)
        account = self.focus_account()
        self.new_quote_button.setEnabled(bool(self.current_account()) and not self.busy)
        self.new_proposal_button.setEnabled(bool(self.current_account()) and not self.busy)
        m.new_proposal_button.setEnabled(bool(account) and not self.busy)
        m.edit_proposal_button.setEnabled(bool(self.selected_proposal()) and not self.busy)
        ticked = len(self.details.ticked_keys())
        m.tick_count.setText(f"{ticked} ticked" if ticked else
                             "Space ticks a detail" if self.quote and self.quote.details
                             else "")
        self.routings.refresh(states.add_routing and not self.busy)

    def selected_proposal(self) -> str | None:
        if self.quote is None:
            return None
        key = self.details.current_key() or next(iter(self.details.ticked_keys()), "")
        found = [d.proposal.number for d in self.quote.details if d.number == key]
        return found[0] if found else None   # (a grid being refilled may name an old one)

    def select_all(self) -> None:
        count = self.details.source.rowCount()
        rows = select_all(count)
        self.details.tick_rows(rows)
        if count > len(rows):
            self.message.show_outcome(f"Ticked the first {len(rows)} of {count} details: act "
                                      "on them, then Select All again for the next ones.")

    def clear_all(self) -> None:
        self.details.tick_rows([])

    def _step_detail(self, delta: int) -> None:
        self.tabs.setCurrentIndex(DETAILS)
        self.detail_page.step(delta)

    def _open_detail(self, number: str) -> None:
        self.detail_page.show_detail(number)
        self.tabs.setCurrentIndex(DETAILS)

    # --------------------------------------------------------------------------- actions

    def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run one service call for the open quote; its QuoteOutcome is shown."""
        if self.busy:
            return
        self._clear_errors()
        self.busy = True
        self._refresh_buttons()
        run_task(fn, self.ctx.db, self.ctx.actor, *args, on_result=self._outcome,
                 on_error=self._failed, **kwargs)

    def _outcome(self, outcome: QuoteOutcome, notify: bool = True) -> None:
        self.busy = False
        self.message.show_outcome(outcome.message, outcome.skipped)
        self.ctx.host.show_status(outcome.message)
        account = outcome.quote.account_number if outcome.quote else self.focus_account()
        self.show_quote(outcome.quote)
        self._load_proposals(account)
        self.search()
        if notify:          # other panes showing the account (agreements, alerts) re-read it
            self._quiet = True
            self.ctx.current.notify_saved(account)
            self._quiet = False

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self._refresh_buttons()
        if isinstance(exc, ConcurrentChange):
            self.lost_race(exc.message)
        else:   # an action's refusal concerns the quote, not the search fields
            self._general_error(exc)

    def lost_race(self, message: str) -> None:
        self._show_banner(f"{message} The quote was reloaded: check it, then try again.")
        self.reload()

    def new_quote(self) -> None:
        account = self.current_account()
        if account:
            self._run(quotes.new_quote, account)

    def _act(self, name: str, fn: Callable[..., QuoteOutcome], *, ticked: bool = False,
             ask: tuple[str, str] | None = None) -> None:
        """A button of the matrix: when it is open (and the person says yes), call the
        service with the quote, the ticked details if it takes them, and its version."""
        quote = self.quote
        if quote is None or name not in self.states().enabled() or (ask and not
                                                                    self.confirm(*ask)):
            return
        details = (self.details.ticked_keys(),) if ticked else ()
        self._run(fn, quote.number, *details, quote.version)

    def complete(self) -> None:
        self._act("complete", quotes.complete)

    def reopen(self) -> None:
        self._act("reopen", quotes.reopen)

    def cancel_quote(self) -> None:
        number = self.quote.number if self.quote else ""
        self._act("cancel", quotes.cancel_quote, ask=(
            "Cancel the quote?", f"Quote {number} becomes Canceled (final). Its proposals stay "
            "as they are: to cancel them too, use Close instead, or tick the details and "
            "press Proposal SA ▸ Cancel."))

    def delete_quote(self) -> None:
        number = self.quote.number if self.quote else ""
        self._act("delete", quotes.delete_quote, ask=(
            "Delete the quote?", f"Quote {number} and its details are deleted."))

    def regenerate(self) -> None:
        self._act("regenerate", quotes.regenerate, ticked=True)

    def delete_details(self) -> None:
        self._act("delete_details", quotes.delete_details, ticked=True)

    def cancel_proposals(self) -> None:
        self._act("cancel_proposals", quotes.cancel_proposals, ticked=True, ask=(
            "Cancel the proposals?", "The ticked options' proposals become Canceled, which "
            "is final."))

    # ---------------------------------------------------------------------------- dialogs

    def _open_dialog(self, dialog: QuoteActionDialog) -> QuoteActionDialog:
        self._clear_errors()
        self.dialog = dialog
        dialog.saved.connect(lambda _text: self._dialog_done(dialog))
        dialog.lost_race.connect(self.lost_race)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def _dialog_done(self, dialog: QuoteActionDialog) -> None:
        result = dialog.result_value
        if isinstance(result, QuoteOutcome):
            self._quiet = True          # the dialog tells the other panes: not again here
            self._outcome(result, notify=False)
        elif isinstance(result, QuoteView):
            self.message.show_outcome(dialog.success_message(result))
            self.show_quote(result)

    def generate(self) -> QuoteActionDialog | None:
        if not self.states().generate or self.busy:
            return None
        account = self.focus_account()
        quotable = [p for p in self.proposals if p.status is SAStatus.QUOTABLE
                    and p.account_number == account]
        return self._open_dialog(GenerateDialog(self.ctx, self, account, self.quote, quotable))

    def close_quote(self) -> QuoteActionDialog | None:
        if not (self.quote and self.states().close and self.choices):
            return None
        return self._open_dialog(CloseDialog(self.ctx, self, self.quote, self.choices))

    def accept(self) -> QuoteActionDialog | None:
        if not (self.quote and self.states().accept):
            return None
        return self._open_dialog(AcceptDialog(self.ctx, self, self.quote, self.details.ticked_keys(),
                                              lambda title, text: self.confirm(title, text)))

    def decline(self) -> QuoteActionDialog | None:
        if not (self.quote and self.states().decline and self.choices):
            return None
        return self._open_dialog(DeclineDialog(self.ctx, self, self.quote, self.details.ticked_keys(),
                                               self.choices))

    def edit_routing(self, existing: bool) -> QuoteActionDialog | None:
        if not (self.quote and self.choices and self.states().add_routing):
            return None
        routing = self.routings.selected() if existing else None
        if existing and (routing is None or routing.extracted_at is not None):
            return None
        return self._open_dialog(RoutingDialog(self.ctx, self, self.quote, self.choices,
                                               routing))

    def edit_proposal(self, number: str | None, account: str | None = None
                      ) -> ProposalEditor | None:
        """Open the proposal editor: `number` to change one, None for a new proposal of
        `account` (default: the open quote's account, else the current one)."""
        account = account or self.focus_account()
        if not account:
            return None
        if self.rate_choices is None:
            run_task(rate_check_choices, self.ctx.db,
                     on_result=lambda c: setattr(self, "rate_choices", c), on_error=None)
        editor = ProposalEditor(self.ctx, self, account, number, rate_choices=self.rate_choices,
                                choices=self.choices,
                                confirm=lambda title, text: self.confirm(title, text))
        editor.changed.connect(self._proposal_changed)
        self.proposal_editor = editor
        editor.show()
        return editor

    def _proposal_changed(self, view: ProposalView, message: str) -> None:
        # the editor said "saved" first: on_saved has re-read the proposals and the quote
        self.message.show_outcome(message, warning="regenerate" in message)
        self.ctx.host.show_status(message)

    # ------------------------------------------------------------------------ print, show

    # ---------------------------------------------------------------------------- errors

    def _clear_errors(self) -> None:
        self.banner.hide()
        for message in self.field_messages.values():
            message.clear()

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()

    def _show_error(self, exc: BaseException) -> None:
        if not isinstance(exc, DomainError):
            self._general_error(exc)
        elif not self.search_panel.show_message(exc.field or "", exc.message):
            self._show_banner(exc.message)

    def _general_error(self, exc: BaseException) -> None:
        self._show_banner(exc.message if isinstance(exc, DomainError)
                          else f"Something went wrong: {exc}")

    def error_text(self, field: str = "") -> str:
        """The message shown for `field` ("" = the banner); "" when none."""
        if field in self.field_messages:
            shown = self.field_messages[field]
            return shown.text() if not shown.isHidden() else ""
        return self.banner.text() if not self.banner.isHidden() else ""

    # ---------------------------------------------------------------------- navigation

    def pane_state(self) -> object:
        return self.quote.number if self.quote else None

    def restore_state(self, state: object) -> None:
        if isinstance(state, str):
            self.open_quote(state)


def _make(ctx: PaneContext) -> QWidget:
    return QuotesPane(ctx)


QUOTES_SPEC = register(PaneSpec(QUOTES, "Quotes", "Ctrl+9", _make,
                                Module.CONTRACT_MANAGEMENT))


def open_quote(host: PaneHost, number: str) -> None:
    """Show quote `number` in the Quotes pane (Control Central's zone and alert, the account
    tree's quote nodes)."""
    pane = host.open_pane(QUOTES)
    if isinstance(pane, QuotesPane):
        pane.open_quote(number)


register_record_opener("Quote", open_quote)

__all__ = ["QUOTES", "QUOTES_SPEC", "QuotesPane", "open_quote"]
