"""The Quote pane (spec/40 §2, §7) driven as a rate analyst and a CSR would: build two options
for a prospect (one in the proposal editor), generate them, read their totals (the
service's), complete, print; open the quote from the search, tick a detail and accept it (the
pending-start agreement is named and exists); the buttons follow the §2.6 matrix through
pending → complete → closed; a decline without a reason is refused beside the reason; a lost
race says so and reloads. Every tab is rendered to PNG at 1400×900."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.db import Database
from app.models.enums import PremiseType, QuoteStatus, SAStatus, ServiceType, UserRole
from app.reports.formatting import money_text
from app.services import premises, proposals, quote_views, quotes
from app.services import rates as rate_service
from app.services import service_points as sp_service
from app.services.context import Actor
from app.services.installation import Module
from app.services.premises import PremiseForm
from app.services.quote_dto import (
    BillingScenarioForm,
    ContractQuantityTerm,
    PricingTerms,
    ProposalForm,
    ScenarioQuantity,
    TermsTerm,
)
from app.services.quote_rules import button_states
from app.services.service_agreements import agreements_of_account
from app.views import quotes as quotes_view
from app.views.current_context import CurrentAccount, CurrentContext
from app.views.editable_grid import set_combo_code
from app.views.panes import PaneContext, pane_spec
from app.views.proposal_editor import ProposalEditor
from app.views.quote_dialogs import (
    AcceptDialog,
    CloseDialog,
    DeclineDialog,
    GenerateDialog,
    RoutingDialog,
)
from app.views.quote_widgets import TOTAL_COLUMN
from app.views.quotes import DETAILS, MAIN, NO_ACCOUNT, NO_QUOTE, ROUTINGS, QuotesPane
from app.views.theme import apply_theme
from tests.conftest import ADMIN, CSR
from tests.services.builders import household
from tests.views.conftest import RecordingHost, activate, settle

D = Decimal
ANALYST = Actor("ra1", "Rae Analyst", frozenset({UserRole.RATE_ANALYST}))
JAN = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
FEB = (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
START = dt.date(2026, 3, 1)


@dataclass
class Prospect:
    db: Database
    account: str
    sp: str


@pytest.fixture
def prospect(empty_db: Database) -> Prospect:
    """A household with no agreement yet and a premise in Illinois with an electric point."""
    rate_service.load_shipped_rates(empty_db, ADMIN)
    home = household(empty_db)
    premise = premises.create_premise(empty_db, CSR, PremiseForm(
        PremiseType.HOUSE, "72 Market St", "Springfield", "62704", region="IL"))
    sp = sp_service.create_service_point(empty_db, CSR, premise.number, ServiceType.ELECTRIC)
    return Prospect(empty_db, home.account, sp.number)


def _scenarios(jan: str, feb: str) -> tuple[BillingScenarioForm, ...]:
    return (BillingScenarioForm(*JAN, (ScenarioQuantity("KWH", None, None, D(jan)),)),
            BillingScenarioForm(*FEB, (ScenarioQuantity("KWH", None, None, D(feb)),)))


def _proposal(p: Prospect, rate: str) -> str:
    return proposals.create_proposal(p.db, CSR, ProposalForm(
        p.account, "E-RES", ServiceType.ELECTRIC, (p.sp,), START, PricingTerms(rate),
        _scenarios("812", "640"))).number


def _quote(p: Prospect) -> quotes.QuoteOutcome:
    _proposal(p, "E-RES-1")
    _proposal(p, "E-COM-1")
    return quotes.generate(p.db, CSR, p.account)


def _pane(qtbot: QtBot, db: Database, account: str | None = None,
          actor: Actor = CSR) -> QuotesPane:
    current = CurrentContext()
    if account:
        current.set_account(CurrentAccount(account, f"Okafor, Ngozi · account {account}"))
    pane = QuotesPane(PaneContext(db, actor, RecordingHost(), current))
    qtbot.addWidget(pane)
    pane.confirm = lambda title, text: True      # "Yes" to every question (no message box)
    pane.resize(1400, 900)
    pane.show()
    qtbot.waitExposed(pane)
    activate(qtbot, pane)
    settle(qtbot)
    return pane


def _click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot)


def _tick(qtbot: QtBot, pane: QuotesPane, row: int) -> None:
    """Move to a detail row and press Space, as a CSR ticks it."""
    grid = pane.details
    grid.setFocus()
    grid.setCurrentIndex(grid.source.index(row, 1))
    qtbot.keyClick(grid, Qt.Key.Key_Space)


def _enabled(pane: QuotesPane) -> set[str]:
    return {name for name, b in pane.buttons.items() if b.isEnabled()}


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _shots(tmp_path: Path) -> Path:
    """Where the PNGs go: $SWITCHBOARD_SHOTS when set (to look at them), else tmp_path."""
    folder = Path(os.environ.get("SWITCHBOARD_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ------------------------------------------------------------------------------------ tests

def test_the_pane_is_registered_in_contract_management() -> None:
    spec = pane_spec("quotes")
    assert spec is not None and spec.title == "Quotes"
    assert spec.module is Module.CONTRACT_MANAGEMENT


def test_without_a_quote_every_tab_says_what_to_do(qtbot: QtBot, prospect: Prospect) -> None:
    pane = _pane(qtbot, prospect.db)
    assert pane.quote is None and pane.empty.text() == NO_ACCOUNT
    assert pane.main.grid_stack.currentIndex() == 0
    assert pane.detail_page.stack.currentIndex() == 0
    assert "search on the left" in pane.detail_page.empty.text()
    assert pane.routings.stack.currentIndex() == 0
    assert not pane.new_quote_button.isEnabled()     # no current account to start one for
    assert _enabled(pane) == set()
    # the account becomes current: the pane follows it (search, New quote, New proposal)
    pane.ctx.current.set_account(CurrentAccount(prospect.account, "Okafor, Ngozi"))
    settle(qtbot)
    assert pane.account.text() == prospect.account and pane.empty.text() == NO_QUOTE
    assert pane.new_quote_button.isEnabled() and pane.new_proposal_button.isEnabled()
    assert "No quotes for account" in pane.search_panel.found_hint.text()
    # no proposal yet: nothing to generate, and a new quote is refused with the reason
    assert not pane.buttons["generate"].isEnabled()
    _click(qtbot, pane.new_quote_button)
    assert "no proposal SA" in pane.error_text()


def test_a_rate_analyst_builds_generates_completes_and_prints_a_two_option_quote(
        qtbot: QtBot, prospect: Prospect, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    pane = _pane(qtbot, prospect.db, prospect.account, ANALYST)
    # option 1 through the proposal editor: rate, a contract quantity, terms, 2 scenarios
    _click(qtbot, pane.new_proposal_button)
    editor = pane.proposal_editor
    assert isinstance(editor, ProposalEditor) and editor.isVisible()
    assert editor.scenarios.row_count() == 12        # a year of empty months to fill
    editor.service_points.setText(prospect.sp)
    editor.start.setDate(QDate(2026, 3, 1))
    editor.rate.setEditText("E-RES-1")
    editor.quantities.set_rows([("SUBDEM", "2026-01-01", "10")])
    editor.terms.set_rows([("MIN-6-MONTHS", "2026-01-01", "")])
    editor.scenarios.set_rows([
        ("2026-01-01", "2026-01-31", "KWH", "", "", "812"),
        ("2026-02-01", "2026-02-28", "KWH", "", "", "640"),
        ("2026-03-01", "2026-03-31", "KWH", "", "", "")])      # no quantity: left out
    _click(qtbot, editor.save_button)
    assert editor.error_text("general") == "", editor.error_text("general")
    option_1 = editor.proposal
    assert option_1 is not None and option_1.status is SAStatus.QUOTABLE
    assert len(option_1.scenarios) == 2 and option_1.terms.terms[0].code == "MIN-6-MONTHS"
    assert f"Proposal {option_1.number} created (quotable)" in pane.message.shown_text()
    editor.close()
    # option 2 through the service
    option_2 = _proposal(prospect, "E-COM-1")
    pane.ctx.current.notify_saved(prospect.account)    # "saved" elsewhere: the pane re-reads
    settle(qtbot)
    assert pane.buttons["generate"].isEnabled()

    activate(qtbot, pane)
    pane.account.setFocus()                             # the search field has the focus
    qtbot.keyClick(pane.account, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    dialog = pane.dialog
    assert isinstance(dialog, GenerateDialog) and dialog.all_button.isChecked()
    _click(qtbot, dialog.submit_button)
    quote = pane.quote
    assert quote is not None and quote.status is QuoteStatus.PENDING
    assert "Generated 2 quote details" in pane.message.shown_text()
    expected = quote_views.get_quote(prospect.db, quote.number)
    by_rate = {d.proposal.rate_schedule: d for d in expected.details}
    assert set(by_rate) == {"E-RES-1", "E-COM-1"}
    assert {d.proposal.number for d in expected.details} == {option_1.number, option_2}
    assert [pane.details.cell_text(r, TOTAL_COLUMN) for r in range(2)] == [
        money_text(d.total, "USD") for d in expected.details]
    assert by_rate["E-RES-1"].segments[0].amount == D("129.82")   # as the rate check gives
    lowest = expected.lowest                          # the options are alternatives
    assert lowest is not None and money_text(lowest.total, "USD") in pane.totals.text()
    assert f"lowest: <b>{lowest.proposal.rate_schedule}" in pane.totals.text()
    assert pane.chart.option_count() == 2 and len(pane.chart.periods) == 2
    assert pane.found.source.rowCount() == 1          # the search shows the new quote

    _click(qtbot, pane.buttons["complete"])
    assert pane.quote is not None and pane.quote.status is QuoteStatus.COMPLETE
    activate(qtbot, pane)            # the offscreen platform leaves no window active
    pane.details.setFocus()
    qtbot.keyClick(pane.details, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert pane.tabs.currentIndex() == ROUTINGS
    assert pane.routings.grid.row_count() == 1
    assert pane.routings.grid.cell_text(0, 7) == "Ngozi Okafor"
    assert pane.routings.add_button.isEnabled()
    # a copy for someone new: a postal copy needs the address, said beside it
    recipient = pane.edit_routing(False)
    assert isinstance(recipient, RoutingDialog)
    recipient.inputs["name1"].setText("Ada Lovelace")
    _click(qtbot, recipient.submit_button)
    assert "postal route needs the address" in recipient.error_text("address1")
    recipient.inputs["address1"].setText("1 Analytical Way")
    recipient.inputs["city"].setText("Springfield")
    recipient.inputs["postal_code"].setText("62701")
    _click(qtbot, recipient.submit_button)
    assert pane.routings.grid.row_count() == 2
    assert pane.routings.grid.cell_text(1, 5) == "✓"          # a reprint
    assert "Recipient added" in pane.message.shown_text()

    # Display Quote renders the printed image to a temporary file and opens it
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    shown: list[Path] = []
    pane.open_pdf = shown.append
    _click(qtbot, pane.main.display_button)
    assert len(shown) == 1 and shown[0].exists() and shown[0].parent.parent == tmp_path

    activate(qtbot, pane)
    pane.routings.grid.setFocus()
    target = tmp_path / "quote"
    pane.ask_pdf_path = lambda suggested: str(target)
    qtbot.keyClick(pane.routings.grid, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    pdf = tmp_path / "quote.pdf"
    assert pdf.exists()
    text = _pdf_text(pdf)
    for detail in expected.details:
        assert money_text(detail.total, "USD") in text
    assert str(pdf) in pane.message.shown_text()
    # a reprint of the second recipient's copy, from the Routings tab
    pane.routings.grid.selectRow(1)
    assert pane.routings.print_button.isEnabled()
    pane.ask_pdf_path = lambda suggested: str(tmp_path / "copy-2")
    _click(qtbot, pane.routings.print_button)
    settle(qtbot)
    copy = _pdf_text(tmp_path / "copy-2.pdf")
    assert "Ada Lovelace" in copy and "1 Analytical Way" in copy
    assert "Ngozi Okafor" not in copy            # the first recipient's name block is not there


def test_a_csr_opens_the_quote_ticks_a_detail_and_accepts_it(
        qtbot: QtBot, prospect: Prospect) -> None:
    made = _quote(prospect).quote
    assert made is not None
    pane = _pane(qtbot, prospect.db)
    pane.account.setText(prospect.account)
    qtbot.keyClick(pane.account, Qt.Key.Key_Return)          # Enter searches
    settle(qtbot)
    assert pane.found.source.rowCount() == 1
    pane.found.setFocus()
    pane.found.setCurrentIndex(pane.found.source.index(0, 0))
    qtbot.keyClick(pane.found, Qt.Key.Key_Return)            # Enter opens
    settle(qtbot)
    assert pane.quote is not None and pane.quote.number == made.number
    assert made.account_number in pane.info.text()
    assert "Okafor, Ngozi" in pane.info.text()

    row = next(i for i, d in enumerate(pane.quote.details)
               if d.proposal.rate_schedule == "E-RES-1")
    detail = pane.quote.details[row]
    _tick(qtbot, pane, row)
    assert pane.details.ticked_keys() == [detail.number]
    assert pane.buttons["accept"].isEnabled()
    _click(qtbot, pane.buttons["accept"])
    dialog = pane.dialog
    assert isinstance(dialog, AcceptDialog) and dialog.details == (detail.number,)
    dialog.start.setDate(QDate(2026, 4, 1))
    _click(qtbot, dialog.submit_button)

    real = [sa for sa in agreements_of_account(prospect.db, prospect.account)
            if sa.status is SAStatus.PENDING_START]
    assert len(real) == 1 and real[0].start_date == dt.date(2026, 4, 1)
    shown = pane.message.shown_text()
    assert f"agreement {real[0].number}" in shown and "pending start" in shown
    accepted = pane.quote.detail(detail.number)
    assert accepted.proposal.status is SAStatus.ACCEPTED
    assert pane.details.cell_text(row, 4).startswith("Accepted")
    assert proposals.get_proposal(prospect.db, detail.proposal.number).status \
        is SAStatus.ACCEPTED
    # accepting it again is skipped, row by row, and said so
    _tick(qtbot, pane, row)
    _click(qtbot, pane.buttons["accept"])
    _click(qtbot, pane.dialog.submit_button)          # type: ignore[union-attr]
    assert "Nothing was accepted" in pane.message.shown_text()
    assert "accepted, skipped" in pane.message.shown_text()


def test_accepting_a_proposal_changed_since_generation_asks_first(
        qtbot: QtBot, prospect: Prospect) -> None:
    made = _quote(prospect).quote
    assert made is not None
    detail = made.details[0]
    view = proposals.get_proposal(prospect.db, detail.proposal.number)
    proposals.save_terms(prospect.db, CSR, view.number, PricingTerms(
        view.terms.rate_schedule, contract_quantities=(
            ContractQuantityTerm("SUBDEM", JAN[0], D(12)),)), view.version)
    pane = _pane(qtbot, prospect.db, prospect.account)
    pane.open_quote(made.number)
    settle(qtbot)
    assert quote_views.CHANGED in pane.details.cell_text(0, 6)
    asked: list[str] = []

    def yes(title: str, text: str) -> bool:
        asked.append(text)
        return True

    pane.confirm = yes
    _tick(qtbot, pane, 0)
    _click(qtbot, pane.buttons["accept"])
    _click(qtbot, pane.dialog.submit_button)          # type: ignore[union-attr]
    assert len(asked) == 1 and detail.number in asked[0]
    assert "Accepted: agreement" in pane.message.shown_text()


def test_the_buttons_follow_the_matrix_from_pending_to_closed(
        qtbot: QtBot, prospect: Prospect, monkeypatch: pytest.MonkeyPatch) -> None:
    made = _quote(prospect).quote
    assert made is not None
    pane = _pane(qtbot, prospect.db, prospect.account)
    pane.open_quote(made.number)
    settle(qtbot)

    def matrix(selected: int) -> set[str]:
        q = pane.quote
        assert q is not None
        states = button_states(q.status, details_ok=[True] * len(q.details),
                               selected=selected, quotable=len(q.quotable))
        return set(states.enabled()) & set(pane.buttons)

    pending = {"generate", "complete", "cancel", "delete", "select_all"}
    assert _enabled(pane) == pending == matrix(0)
    _tick(qtbot, pane, 0)
    assert _enabled(pane) == pending | {"regenerate", "delete_details", "accept", "decline",
                                        "cancel_proposals", "clear_all"} == matrix(1)
    # Select All ticks the first 100 (both rows here); Clear All unticks them
    _click(qtbot, pane.buttons["select_all"])
    assert len(pane.details.ticked_keys()) == 2
    _click(qtbot, pane.buttons["clear_all"])
    assert pane.details.ticked_keys() == []
    # the rule decides how many: with a limit of one, one row is ticked and it says so
    monkeypatch.setattr(quotes_view, "select_all", lambda count: list(range(min(count, 1))))
    _click(qtbot, pane.buttons["select_all"])
    assert pane.details.ticked_keys() == [pane.details.keys[0]]
    assert "first 1 of 2" in pane.message.shown_text()
    _click(qtbot, pane.buttons["clear_all"])
    # Regenerate the ticked detail: a new detail number; Generate one proposal again
    first = pane.details.keys[0]
    _tick(qtbot, pane, 0)
    _click(qtbot, pane.buttons["regenerate"])
    assert "Regenerated 1 quote detail" in pane.message.shown_text()
    assert pane.quote is not None and first not in [d.number for d in pane.quote.details]
    assert len(pane.quote.details) == 2
    generating = pane.generate()
    assert isinstance(generating, GenerateDialog)
    proposal = pane.quote.details[1].proposal.number
    generating.choose(proposal)
    assert generating.proposal.isEnabled()
    _click(qtbot, generating.submit_button)
    assert "Generated 1 quote detail" in pane.message.shown_text()
    assert len(pane.quote.details) == 2

    _click(qtbot, pane.buttons["complete"])
    assert pane.quote is not None and pane.quote.status is QuoteStatus.COMPLETE
    complete = {"close", "reopen", "select_all"}
    assert _enabled(pane) == complete == matrix(0)
    _tick(qtbot, pane, 0)
    assert _enabled(pane) == complete | {"accept", "decline", "cancel_proposals",
                                         "clear_all"} == matrix(1)

    # Decline without a reason is refused beside the reason
    _click(qtbot, pane.buttons["decline"])
    dialog = pane.dialog
    assert isinstance(dialog, DeclineDialog)
    _click(qtbot, dialog.submit_button)
    assert dialog.error_text("decline_reason") == "Pick a decline reason."
    assert dialog.isVisible()
    set_combo_code(dialog.reason, "PRICE")
    _click(qtbot, dialog.submit_button)
    assert not dialog.isVisible() and "Declined 1 proposal" in pane.message.shown_text()

    # Close with no action: final; nothing is enabled and the rows cannot be ticked
    _click(qtbot, pane.buttons["close"])
    closing = pane.dialog
    assert isinstance(closing, CloseDialog) and closing.no_action.isChecked()
    _click(qtbot, closing.submit_button)
    assert pane.quote is not None and pane.quote.status is QuoteStatus.CLOSED
    assert _enabled(pane) == set() == matrix(0)
    assert not pane.details.source.item(0, 0).isCheckable()
    assert not pane.routings.add_button.isEnabled()


def test_a_lost_race_says_so_and_reloads(qtbot: QtBot, prospect: Prospect) -> None:
    made = _quote(prospect).quote
    assert made is not None
    pane = _pane(qtbot, prospect.db, prospect.account)
    pane.open_quote(made.number)
    settle(qtbot)
    quotes.complete(prospect.db, CSR, made.number, made.version)    # someone else, meanwhile
    _click(qtbot, pane.buttons["cancel"])
    assert "was changed by csr1" in pane.error_text()
    assert "reloaded" in pane.error_text()
    assert pane.quote is not None and pane.quote.status is QuoteStatus.COMPLETE


def test_the_proposal_editor_shows_refusals_beside_their_fields(
        qtbot: QtBot, prospect: Prospect) -> None:
    pane = _pane(qtbot, prospect.db, prospect.account)
    editor = pane.edit_proposal(None)
    assert editor is not None
    settle(qtbot)
    editor.rate.setEditText("E-RES-1")
    _click(qtbot, editor.save_button)
    assert "service point" in editor.error_text("service_points")
    editor.service_points.setText(prospect.sp)
    editor.scenarios.set_rows([("2026-01-01", "2026-13-01", "KWH", "", "", "5")])
    _click(qtbot, editor.save_button)
    assert "'2026-13-01' is not a date" in editor.error_text("scenarios")
    _click(qtbot, editor.history_button)               # the prospect has no bills yet
    assert "no electric bills" in editor.error_text("scenarios")
    editor.scenarios.set_rows([])
    _click(qtbot, editor.save_button)                  # no scenario: pending
    view = editor.proposal
    assert view is not None and view.status is SAStatus.PENDING
    assert editor.quotable_button.isEnabled()
    editor.scenarios.set_rows([("2026-01-01", "2026-01-31", "KWH", "", "", "700")])
    _click(qtbot, editor.quotable_button)              # unsaved scenarios: save first
    assert "Save your changes first" in editor.error_text("general")
    _click(qtbot, editor.save_button)
    _click(qtbot, editor.quotable_button)
    assert editor.proposal is not None and editor.proposal.status is SAStatus.QUOTABLE
    assert pane.buttons["generate"].isEnabled()         # the pane knows: Generate is open


def test_keys_step_through_the_details_and_switch_tabs(qtbot: QtBot,
                                                       prospect: Prospect) -> None:
    made = _quote(prospect).quote
    assert made is not None
    pane = _pane(qtbot, prospect.db, prospect.account)
    pane.open_quote(made.number)
    settle(qtbot)
    pane.details.setFocus()
    qtbot.keyClick(pane.details, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert pane.tabs.currentIndex() == DETAILS
    page = pane.detail_page

    def shown() -> str:
        current = page.current()
        return current.number if current else ""

    assert shown() == made.details[0].number
    page.segments.setFocus()
    qtbot.keyClick(page.segments, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert shown() == made.details[1].number
    assert not page.next_button.isEnabled() and page.prev_button.isEnabled()
    assert page.segments.row_count() == 2
    assert page.lines.row_count() > 1 and page.lines.is_bold(page.lines.row_count() - 1)
    assert page.sq.cell_text(0, 0) == "KWH"
    qtbot.keyClick(page.segments, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert shown() == made.details[0].number
    qtbot.keyClick(page.segments, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert pane.tabs.currentIndex() == MAIN


def test_every_tab_renders_at_1400_by_900(qtbot: QtBot, prospect: Prospect,
                                         tmp_path: Path) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "light")
    folder = _shots(tmp_path)
    empty = _pane(qtbot, prospect.db)
    empty.grab().save(str(folder / "quotes-empty.png"))
    _proposal(prospect, "E-RES-1")
    proposals.create_proposal(prospect.db, CSR, ProposalForm(
        prospect.account, "E-RES", ServiceType.ELECTRIC, (prospect.sp,), START,
        PricingTerms("E-RES-TOU", terms=(TermsTerm("MIN-6-MONTHS", JAN[0]),)),
        tuple(BillingScenarioForm(s, e, (ScenarioQuantity("KWH", "ON", None, D(on)),
                                         ScenarioQuantity("KWH", "OFF", None, D(off))))
              for (s, e), on, off in ((JAN, "244", "568"), (FEB, "192", "448")))))
    made = quotes.generate(prospect.db, CSR, prospect.account).quote
    assert made is not None
    quotes.complete(prospect.db, CSR, made.number, made.version)
    pane = _pane(qtbot, prospect.db, prospect.account)
    pane.open_quote(made.number)
    settle(qtbot)
    assert pane.size().width() == 1400 and pane.size().height() == 900
    for index, name in ((MAIN, "main"), (DETAILS, "details"), (ROUTINGS, "routings")):
        pane.tabs.setCurrentIndex(index)
        qtbot.wait(50)
        image = pane.grab()
        assert (image.width(), image.height()) == (1400, 900)
        image.save(str(folder / f"quotes-{name}.png"))
    pane.tabs.setCurrentIndex(MAIN)
    editor = pane.edit_proposal(pane.quote.details[0].proposal.number)  # type: ignore[union-attr]
    assert editor is not None
    settle(qtbot)
    editor.grab().save(str(folder / "quotes-proposal-editor.png"))
    activate(qtbot, pane)
    _tick(qtbot, pane, 0)
    dialog = pane.accept()
    assert dialog is not None
    dialog.grab().save(str(folder / "quotes-accept.png"))
    assert all((folder / f"quotes-{n}.png").stat().st_size > 10_000
               for n in ("empty", "main", "details", "routings"))


def test_a_quote_record_opens_in_the_quotes_pane_from_control_central_and_the_tree(
        qtbot: QtBot, prospect: Prospect) -> None:
    """Control Central's quotes zone, its alert and the account tree's quote nodes name a
    "Quote" record: it opens in this pane, with that quote."""
    from app.services import control_central
    from app.views.main_window import MainWindow
    from app.views.record import open_record

    made = _quote(prospect).quote
    assert made is not None
    view = control_central.account_dashboard(prospect.db, prospect.account)
    (zone,) = [z for z in view.zones if z.key == "quotes"]
    assert zone.link_kind == "Quote" and zone.rows[0][0] == made.number
    window = MainWindow(prospect.db, CSR)
    qtbot.addWidget(window)
    window.show()
    open_record(window, zone.link_kind, zone.rows[0][0])
    settle(qtbot)
    pane = window.tabs.currentWidget()
    assert isinstance(pane, QuotesPane)
    assert pane.quote is not None and pane.quote.number == made.number
