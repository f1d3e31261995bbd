"""Quotes through the services, on SQLite and PostgreSQL (spec/40 §2, §3, §6): a two-option
quote priced exactly as a rate check of the same inputs, the quote, detail and proposal
lifecycles (T-QTE-02, T-PSA-02/03, T-QTE-05), acceptance creating the real agreement with the
proposal's terms (T-PSA-01), routings (T-QTE-06, T-PRT-04) and CLOSEQTE (T-QTE-03)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.db import Database
from app.engine.rates import Quantity, check_rate
from app.models import ServiceAgreement
from app.models.enums import (
    ContactKind,
    QuoteDetailStatus,
    QuoteRouteMethod,
    QuoteStatus,
    SAStatus,
    ServiceType,
    SimulatedSegmentStatus,
)
from app.models.quotes import AccountQuoteSetting
from app.services import financials, proposals, quote_routings, quote_views, quotes
from app.services import rates as rate_service
from app.services.agreement_terms import agreement_snapshot, find_agreement
from app.services.errors import DomainError, ValidationError
from app.services.financials import BillSegmentForm
from app.services.quote_dto import (
    BillingScenarioForm,
    ContractQuantityTerm,
    PricingTerms,
    ProposalForm,
    RoutingForm,
    ScenarioQuantity,
    TermsTerm,
)
from app.services.quote_rules import button_states, select_all
from tests.conftest import CSR, SUPERVISOR
from tests.services.builders import household
from tests.services.quote_fixtures import FEB, JAN, Prospect, make_prospect, scenarios

D = Decimal


@pytest.fixture
def prospect(db: Database) -> Iterator[Prospect]:
    yield make_prospect(db)


def _generate(db: Database, p: Prospect) -> quotes.QuoteOutcome:
    return quotes.generate(db, CSR, p.account)


# --- T-QTE-01: two options, priced as a bill would ---------------------------------------------


def test_a_two_option_quote_prices_each_scenario_as_a_rate_check(db: Database,
                                                                 prospect: Prospect) -> None:
    outcome = _generate(db, prospect)
    quote = outcome.quote
    assert quote is not None and quote.status is QuoteStatus.PENDING
    assert len(quote.details) == 2 and all(len(d.segments) == 2 for d in quote.details)
    assert all(d.status is QuoteDetailStatus.OK and not d.remarks for d in quote.details)
    by_rate = {d.proposal.rate_schedule: d for d in quote.details}
    lib = rate_service.rate_library(db)
    with db.sessions() as session:
        sa, cls = find_agreement(session, prospect.option_1)
        snapshot = agreement_snapshot(session, sa, cls)
    for detail in quote.details:
        for seg, (start, end), kwh in zip(detail.segments, (JAN, FEB), ("812", "640"),
                                          strict=True):
            assert (seg.start, seg.end) == (start, end)   # Feb ends on the 28th: no error
            expected = check_rate(lib.compile(detail.proposal.rate_schedule or ""),
                                  start=start, end=end, quantities=[Quantity("KWH", D(kwh))],
                                  agreement=replace(snapshot, id=detail.proposal.number),
                                  revenue_class="RES", billing=True)
            lines = [(ln.description_on_bill, ln.amount) for h in seg.headers for ln in h.lines]
            assert lines == [(ln.description_on_bill, ln.amount) for ln in expected.lines]
            assert seg.amount == expected.total and seg.status is SimulatedSegmentStatus.OK
            assert [(q.uom, q.billable) for q in seg.quantities] == [("KWH", D(kwh))]
        assert detail.total == sum(s.amount for s in detail.segments)
    # E-RES-1 in January (whole month, IL): 12.75 + 500 × 0.1243 = 62.15 + 312 × 0.1491 =
    # 46.52 → 121.42, state tax 6.25 % = 7.59, county 812 × 0.001 = 0.81 → 129.82
    assert by_rate["E-RES-1"].segments[0].amount == D("129.82")
    # no bill, no financial transaction: the account's balance and bills are untouched
    assert financials.account_balance(db, prospect.account) == D("0.00")


def test_generate_replaces_the_detail_of_a_proposal(db: Database, prospect: Prospect) -> None:
    """T-QTE-05: generating again for one proposal gives one detail with a new number."""
    quote = _generate(db, prospect).quote
    assert quote is not None
    old = next(d for d in quote.details if d.proposal.number == prospect.option_1)
    again = quotes.generate(db, CSR, prospect.account, quote_number=quote.number,
                            proposal=prospect.option_1, expected_version=quote.version).quote
    assert again is not None
    mine = [d for d in again.details if d.proposal.number == prospect.option_1]
    assert len(mine) == 1 and mine[0].number != old.number
    assert len(again.details) == 2


def test_a_scenario_that_cannot_be_priced_makes_its_detail_error(db: Database,
                                                                  prospect: Prospect) -> None:
    view = proposals.get_proposal(db, prospect.option_2)
    # March 2010: no version of E-COM-1 was in effect yet
    bad = (*view.scenarios, BillingScenarioForm(dt.date(2010, 3, 1), dt.date(2010, 3, 31),
                                                (ScenarioQuantity("KWH", None, None, D(5)),)))
    proposals.save_scenarios(db, CSR, prospect.option_2, bad, view.version)
    quote = _generate(db, prospect).quote
    assert quote is not None
    detail = next(d for d in quote.details if d.proposal.number == prospect.option_2)
    assert detail.status is QuoteDetailStatus.ERROR
    assert quote_views.IN_ERROR in detail.remarks
    error = [s for s in detail.segments if s.status is SimulatedSegmentStatus.ERROR]
    assert len(error) == 1 and error[0].amount == 0 and error[0].error_message
    assert error[0].start == dt.date(2010, 3, 1)                 # segments oldest first
    assert detail.total == sum(s.amount for s in detail.segments[1:])
    with pytest.raises(ValidationError, match="is in error"):
        quotes.complete(db, CSR, quote.number, quote.version)


# --- T-QTE-02: the quote's lifecycle -----------------------------------------------------------


def test_the_quote_lifecycle(db: Database, prospect: Prospect) -> None:
    quote = _generate(db, prospect).quote
    assert quote is not None
    done = quotes.complete(db, CSR, quote.number, quote.version)
    q = done.quote
    assert q is not None and q.status is QuoteStatus.COMPLETE
    assert [(r.sequence, r.reprint, r.batch_code, r.batch_run) for r in q.routings] == [
        (1, False, "QUOTROUT", 1)]
    assert q.routings[0].names == ("Ngozi Okafor",)
    with pytest.raises(ValidationError, match="complete: it cannot be regenerated"):
        quotes.regenerate(db, CSR, q.number, [q.details[0].number])
    with pytest.raises(ValidationError, match="complete: it cannot be changed"):
        quotes.delete_details(db, CSR, q.number, [q.details[0].number])
    reopened = quotes.reopen(db, CSR, q.number, q.version).quote
    assert reopened is not None and reopened.status is QuoteStatus.PENDING
    again = quotes.complete(db, CSR, q.number, reopened.version).quote
    assert again is not None and len(again.routings) == 1   # rebuilt, not doubled
    closed = quotes.close(db, CSR, q.number, quotes.DECLINE, "PRICE", again.version).quote
    assert closed is not None and closed.status is QuoteStatus.CLOSED
    for number in (prospect.option_1, prospect.option_2):
        psa = proposals.get_proposal(db, number)
        assert psa.status is SAStatus.DECLINED and psa.decline_reason == "PRICE"
    for action in (quotes.reopen, quotes.cancel_quote, quotes.delete_quote):
        with pytest.raises(ValidationError, match="is closed"):
            action(db, CSR, q.number)


def test_cancel_leaves_the_proposals_and_delete_removes_everything(
        db: Database, prospect: Prospect) -> None:
    quote = _generate(db, prospect).quote
    assert quote is not None
    canceled = quotes.cancel_quote(db, CSR, quote.number, quote.version).quote
    assert canceled is not None and canceled.status is QuoteStatus.CANCELED
    assert proposals.get_proposal(db, prospect.option_1).status is SAStatus.QUOTABLE
    other = _generate(db, prospect).quote
    assert other is not None
    quotes.delete_quote(db, CSR, other.number, other.version)
    with pytest.raises(DomainError, match="no quote"):
        quote_views.get_quote(db, other.number)
    with db.sessions() as session:
        from app.models.quotes import SimulatedLine, SimulatedSegment
        assert session.scalar(select(func.count()).select_from(SimulatedSegment)) == 4
        assert session.scalar(select(func.count()).select_from(SimulatedLine)) > 0


def test_close_changes_only_quotable_proposals(db: Database, prospect: Prospect) -> None:
    """T-QTE-02: PSA-1 accepted, PSA-2 quotable, Close with CANCEL."""
    quote = _generate(db, prospect).quote
    assert quote is not None
    first = next(d for d in quote.details if d.proposal.number == prospect.option_1)
    quote = quotes.accept(db, CSR, quote.number, [first.number], dt.date(2026, 3, 1)).quote
    assert quote is not None
    quote = quotes.complete(db, CSR, quote.number, quote.version).quote
    assert quote is not None
    outcome = quotes.close(db, CSR, quote.number, quotes.CANCEL, None, quote.version)
    assert proposals.get_proposal(db, prospect.option_1).status is SAStatus.ACCEPTED
    assert proposals.get_proposal(db, prospect.option_2).status is SAStatus.CANCELED
    assert any("accepted: left as it is" in s for s in outcome.skipped)


# --- proposals: T-PSA-01/02/03 -----------------------------------------------------------------


def test_accept_creates_the_real_agreement_with_the_proposals_terms(
        db: Database, prospect: Prospect) -> None:
    quote = _generate(db, prospect).quote
    assert quote is not None
    detail = next(d for d in quote.details if d.proposal.number == prospect.option_1)
    assert [t.description for t in detail.terms] == ["Prices from historical market prices",
                                                     "Six-month commitment"]
    outcome = quotes.accept(db, CSR, quote.number, [detail.number], dt.date(2026, 3, 1))
    (real,) = outcome.created
    assert proposals.get_proposal(db, prospect.option_1).status is SAStatus.ACCEPTED
    with db.sessions() as session:
        sa = session.scalar(select(ServiceAgreement).where(ServiceAgreement.number == real))
        assert sa is not None and not sa.is_proposal
        assert (sa.status, sa.start_date) == (SAStatus.PENDING_START, dt.date(2026, 3, 1))
        terms = proposals.pricing_terms(session, sa)
    assert terms.rate_schedule == "E-RES-1"
    assert [t.code for t in terms.terms] == ["MIN-6-MONTHS", "MARKET-PRICES"]
    assert terms.contract_quantities == (ContractQuantityTerm("SUBDEM", JAN[0], D(10)),)
    assert outcome.quote is not None and outcome.quote.status is QuoteStatus.PENDING
    # the proposal is accepted: accepting it again is skipped, not done twice
    again = quotes.accept(db, CSR, quote.number, [detail.number], dt.date(2026, 3, 1))
    assert again.created == () and "accepted, skipped" in again.skipped[0]


def test_a_proposal_changed_after_generation_warns_and_needs_a_confirmation(
        db: Database, prospect: Prospect) -> None:
    """T-PSA-03."""
    quote = _generate(db, prospect).quote
    assert quote is not None
    detail = next(d for d in quote.details if d.proposal.number == prospect.option_1)
    version = detail.sa_version
    view = proposals.get_proposal(db, prospect.option_1)
    assert view.version == version
    saved = proposals.save_terms(db, CSR, prospect.option_1, replace(
        view.terms, contract_quantities=(ContractQuantityTerm("SUBDEM", JAN[0], D(12)),)),
        view.version)
    assert saved.proposal.version == version + 1
    assert saved.warning and quote.number in saved.warning
    detail = quote_views.get_quote(db, quote.number).detail(detail.number)
    assert quote_views.CHANGED in detail.remarks and detail.proposal_changed
    with pytest.raises(quotes.ProposalChanged) as caught:
        quotes.accept(db, CSR, quote.number, [detail.number], dt.date(2026, 3, 1))
    assert caught.value.details == (detail.number,)
    regenerated = quotes.regenerate(db, CSR, quote.number, [detail.number]).quote
    assert regenerated is not None
    fresh = next(d for d in regenerated.details if d.proposal.number == prospect.option_1)
    assert fresh.sa_version == version + 1 and quote_views.CHANGED not in fresh.remarks
    done = quotes.accept(db, CSR, quote.number, [fresh.number], dt.date(2026, 3, 1))
    assert len(done.created) == 1


def test_the_proposal_lifecycle(db: Database, prospect: Prospect) -> None:
    """T-PSA-02, as a table of actions from each state."""
    view = proposals.create_proposal(db, CSR, ProposalForm(
        prospect.account, "E-RES", ServiceType.ELECTRIC, (prospect.premise_sp,),
        dt.date(2026, 3, 1), PricingTerms("E-RES-1")))
    number = view.number
    assert view.status is SAStatus.PENDING
    with pytest.raises(ValidationError, match="no billing scenario"):
        proposals.make_quotable(db, CSR, number)
    proposals.save_scenarios(db, CSR, number, scenarios("1", "2"), view.version)
    assert proposals.make_quotable(db, CSR, number).status is SAStatus.QUOTABLE
    quote = quotes.generate(db, CSR, prospect.account, proposal=number).quote
    assert quote is not None
    detail = quote.details[0]
    with pytest.raises(ValidationError, match="Pick a decline reason"):
        quotes.decline(db, CSR, quote.number, [detail.number], None)
    quotes.decline(db, CSR, quote.number, [detail.number], "PRICE")
    assert proposals.get_proposal(db, number).status is SAStatus.DECLINED
    with pytest.raises(ValidationError, match="Reopen it first"):
        current = proposals.get_proposal(db, number)
        proposals.save_terms(db, CSR, number, current.terms, current.version)
    assert proposals.reopen_proposal(db, CSR, number).status is SAStatus.QUOTABLE
    quotes.cancel_proposals(db, CSR, quote.number, [detail.number])
    assert proposals.get_proposal(db, number).status is SAStatus.CANCELED
    with pytest.raises(ValidationError, match="canceled: it cannot be quotable"):
        proposals.reopen_proposal(db, CSR, number)
    # delete: refused while a detail references it, and for an accepted proposal
    with pytest.raises(ValidationError, match="cannot be deleted"):
        proposals.delete_proposal(db, CSR, number, proposals.get_proposal(db, number).version)
    spare = proposals.create_proposal(db, CSR, ProposalForm(
        prospect.account, "E-RES", ServiceType.ELECTRIC, (prospect.premise_sp,),
        dt.date(2026, 3, 1), PricingTerms("E-RES-1"), scenarios("1", "2")))
    proposals.delete_proposal(db, CSR, spare.number, spare.version)
    with pytest.raises(DomainError, match="no proposal SA"):
        proposals.get_proposal(db, spare.number)


def test_a_proposal_is_never_billed(db: Database, prospect: Prospect) -> None:
    with pytest.raises(ValidationError, match="is a proposal"):
        financials.post_bill(db, SUPERVISOR, prospect.account, dt.date(2026, 2, 3),
                             dt.date(2026, 2, 24), [BillSegmentForm(
                                 prospect.option_1, *JAN, D(812), "KWH", D("129.82"))])
    # and it is not among the account's agreements (zones, trees, start/stop)
    from app.services.service_agreements import agreements_of_account
    assert all(sa.number not in (prospect.option_1, prospect.option_2)
               for sa in agreements_of_account(db, prospect.account))


def test_proposal_input_is_checked_field_by_field(db: Database, prospect: Prospect) -> None:
    base = ProposalForm(prospect.account, "E-RES", ServiceType.ELECTRIC,
                        (prospect.premise_sp,), dt.date(2026, 3, 1), PricingTerms("E-RES-1"))
    cases = [
        (replace(base, terms=PricingTerms("NOPE")), "rate_schedule", "no rate schedule NOPE"),
        (replace(base, terms=PricingTerms("ERES-TAX")), "rate_schedule", "sub-rate"),
        (replace(base, service_points=()), "service_points", "at least one service point"),
        (replace(base, scenarios=(BillingScenarioForm(FEB[1], FEB[0]),)), "scenarios",
         "before it starts"),
        (replace(base, scenarios=(BillingScenarioForm(*JAN, (
            ScenarioQuantity("LITRES", None, None, D(1)),)),)), "scenarios",
         "no unit of measure LITRES"),
        (replace(base, terms=PricingTerms("E-RES-1", terms=(TermsTerm("NOPE", JAN[0]),))),
         "terms", "no terms and conditions NOPE"),
    ]
    for form, field, words in cases:
        with pytest.raises(DomainError) as caught:
            proposals.create_proposal(db, CSR, form)
        assert caught.value.field == field and words in caught.value.message, form


def test_scenarios_from_the_accounts_history(db: Database, prospect: Prospect) -> None:
    from app.services import service_agreements as sas
    home_sa = sas.create_service_agreement(db, CSR, sas.ServiceAgreementForm(
        prospect.account, "E-RES", ServiceType.ELECTRIC, (prospect.premise_sp,),
        dt.date(2025, 1, 1), "E-RES-1"))
    for month in range(1, 15):
        start = dt.date(2025, 1, 1) + dt.timedelta(days=31 * (month - 1))
        start = start.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        financials.post_bill(db, SUPERVISOR, prospect.account, end + dt.timedelta(days=2),
                             end + dt.timedelta(days=23), [BillSegmentForm(
                                 home_sa.number, start, end, D(500 + month), "KWH", D("70"))])
    scenarios = proposals.scenarios_from_history(db, prospect.account, ServiceType.ELECTRIC)
    assert len(scenarios) == 12
    assert [s.start for s in scenarios] == sorted(s.start for s in scenarios)
    assert scenarios[-1].quantities == (ScenarioQuantity("KWH", None, None, D(514)),)
    with pytest.raises(ValidationError, match="no gas bills"):
        proposals.scenarios_from_history(db, prospect.account, ServiceType.GAS)


# --- routings: T-QTE-06, T-PRT-04 ------------------------------------------------------------


def test_routing_derivation_and_a_reprint_for_a_new_recipient(db: Database,
                                                              prospect: Prospect) -> None:
    quote = _generate(db, prospect).quote
    assert quote is not None
    with db.sessions() as session:       # the main person now wants quotes by e-mail
        from app.models import Account, Party
        account = session.scalar(select(Account).where(Account.number == prospect.account))
        party = session.scalar(select(Party).where(Party.display_name.like("Okafor%")))
        assert account is not None and party is not None
        session.add(AccountQuoteSetting(account_id=account.id, party_id=party.id,
                                        receives_quotes=True, route_type_code="EMAIL"))
        session.commit()
    done = quotes.complete(db, CSR, quote.number, quote.version).quote
    assert done is not None
    (routing,) = done.routings
    assert routing.email == "ngozi.okafor@example.com" and not routing.address_lines
    run = quote_routings.print_run(db)
    assert run.run == 1 and [(q.number, r.sequence) for q, r in run.copies] == [
        (done.number, 1)]
    quote_routings.finish_run(db, CSR, run)
    with pytest.raises(ValidationError, match="pending: recipients are added"):
        pending = _generate(db, prospect).quote
        assert pending is not None
        quote_routings.add_routing(db, CSR, pending.number, RoutingForm("POSTAL", ("X",)))
    added = quote_routings.add_routing(db, CSR, done.number, RoutingForm(
        "POSTAL", ("Ada Lovelace", "Finance"), address_lines=("1 Analytical Way",),
        city="Springfield", region="IL", postal_code="62701"))
    new = added.routings[-1]
    assert (new.sequence, new.reprint, new.batch_run) == (2, True, 2)
    assert [r.sequence for _q, r in quote_routings.print_run(db).copies] == [2]
    rerun = quote_routings.print_run(db, run=1)
    assert rerun.rerun and [r.sequence for _q, r in rerun.copies] == [1]
    with pytest.raises(ValidationError, match="postal route needs the address"):
        quote_routings.add_routing(db, CSR, done.number, RoutingForm("POSTAL", ("Bob",)))


# --- CLOSEQTE: T-QTE-03 ------------------------------------------------------------------------


def test_closeqte_closes_the_expired_complete_quotes(db: Database, prospect: Prospect) -> None:
    a = quotes.generate(db, CSR, prospect.account, proposal=prospect.option_1,
                        expires_at=dt.datetime(2030, 4, 30, 23, 59, tzinfo=dt.UTC)).quote
    b = quotes.generate(db, CSR, prospect.account, proposal=prospect.option_2,
                        expires_at=dt.datetime(2030, 5, 2, tzinfo=dt.UTC)).quote
    assert a is not None and b is not None
    quotes.complete(db, CSR, a.number)
    quotes.complete(db, CSR, b.number)
    closed = quotes.close_expired(db, CSR, dt.datetime(2030, 5, 1, tzinfo=dt.UTC))
    assert closed == [a.number]
    assert quote_views.get_quote(db, a.number).status is QuoteStatus.CLOSED
    assert quote_views.get_quote(db, b.number).status is QuoteStatus.COMPLETE
    assert proposals.get_proposal(db, prospect.option_1).status is SAStatus.CANCELED
    assert proposals.get_proposal(db, prospect.option_2).status is SAStatus.QUOTABLE


def test_quote_search_by_account_status_and_expiry(db: Database, prospect: Prospect) -> None:
    a = quotes.generate(db, CSR, prospect.account,
                        expires_at=dt.datetime(2030, 4, 30, tzinfo=dt.UTC)).quote
    assert a is not None
    quotes.new_quote(db, CSR, prospect.account, dt.datetime(2031, 1, 1, tzinfo=dt.UTC))
    rows = quote_views.search_quotes(db, account_number=prospect.account)
    assert [r.number for r in rows][0] == a.number and len(rows) == 2
    assert rows[0].details == 2
    assert rows[0].lowest == min(d.total for d in a.details)   # options are alternatives
    assert [r.number for r in quote_views.search_quotes(
        db, expires_to=dt.date(2030, 12, 31))] == [a.number]
    assert quote_views.search_quotes(db, status=QuoteStatus.COMPLETE) == []


def test_a_quote_needs_a_proposal_and_a_quote_role(db: Database) -> None:
    home = household(db)
    with pytest.raises(ValidationError, match="has no proposal SA"):
        quotes.new_quote(db, CSR, home.account)
    from app.models.enums import UserRole
    from app.services.context import Actor
    warehouse = Actor("wh", "W", frozenset({UserRole.WAREHOUSE}))
    with pytest.raises(DomainError, match="needs the"):
        quotes.generate(db, warehouse, home.account)


# --- the button matrix (spec/40 §2.6) ------------------------------------------------------


@pytest.mark.parametrize(("status", "ok", "selected", "quotable", "enabled"), [
    (None, (), 0, 1, {"generate", "save"}),
    (None, (), 0, 0, {"save"}),
    (QuoteStatus.PENDING, (True, True), 0, 1,
     {"generate", "complete", "cancel", "delete", "select_all", "save"}),
    (QuoteStatus.PENDING, (True, False), 1, 1,
     {"generate", "cancel", "delete", "regenerate", "delete_details", "accept", "decline",
      "cancel_proposals", "select_all", "clear_all", "save"}),
    (QuoteStatus.PENDING, (), 0, 0, {"cancel", "delete", "save"}),
    (QuoteStatus.COMPLETE, (True,), 1, 1,
     {"close", "reopen", "accept", "decline", "cancel_proposals", "select_all", "clear_all",
      "add_routing"}),
    (QuoteStatus.COMPLETE, (True,), 0, 1, {"close", "reopen", "select_all", "add_routing"}),
    (QuoteStatus.CLOSED, (True,), 1, 1, set()),
    (QuoteStatus.CANCELED, (True,), 1, 1, {"select_all", "clear_all"}),
])
def test_button_matrix(status: QuoteStatus | None, ok: tuple[bool, ...], selected: int,
                       quotable: int, enabled: set[str]) -> None:
    states = button_states(status, details_ok=ok, selected=selected, quotable=quotable)
    assert states.enabled() == enabled


def test_select_all_takes_the_first_hundred() -> None:
    assert select_all(150) == list(range(100)) and select_all(3) == [0, 1, 2]



# --- every quote action from every state (T-QTE-02, table-driven) -------------------------------


def _quote_in(db: Database, prospect: Prospect, status: QuoteStatus) -> quote_views.QuoteView:
    quote = _generate(db, prospect).quote
    assert quote is not None
    if status is QuoteStatus.CANCELED:
        quote = quotes.cancel_quote(db, CSR, quote.number).quote
    elif status in (QuoteStatus.COMPLETE, QuoteStatus.CLOSED):
        quote = quotes.complete(db, CSR, quote.number).quote
        if status is QuoteStatus.CLOSED:
            quote = quotes.close(db, CSR, quote.number).quote
    assert quote is not None and quote.status is status
    return quote


ACTIONS = {
    "complete": lambda db, q: quotes.complete(db, CSR, q.number),
    "reopen": lambda db, q: quotes.reopen(db, CSR, q.number),
    "cancel": lambda db, q: quotes.cancel_quote(db, CSR, q.number),
    "delete": lambda db, q: quotes.delete_quote(db, CSR, q.number),
    "close": lambda db, q: quotes.close(db, CSR, q.number),
    "generate": lambda db, q: quotes.generate(db, CSR, q.account_number, quote_number=q.number),
    "regenerate": lambda db, q: quotes.regenerate(db, CSR, q.number, [q.details[0].number]),
    "delete_details": lambda db, q: quotes.delete_details(db, CSR, q.number,
                                                          [q.details[0].number]),
    "decline": lambda db, q: quotes.decline(db, CSR, q.number, [q.details[0].number], "PRICE"),
    "add_routing": lambda db, q: quote_routings.add_routing(db, CSR, q.number, RoutingForm(
        "EMAIL", ("Copy",), email="copy@example.com")),
}
ALLOWED = {
    QuoteStatus.PENDING: {"complete", "cancel", "delete", "generate", "regenerate",
                          "delete_details", "decline"},
    QuoteStatus.COMPLETE: {"reopen", "close", "decline", "add_routing"},
    QuoteStatus.CLOSED: set(),
    QuoteStatus.CANCELED: set(),
}


@pytest.mark.parametrize("status", list(ALLOWED))
def test_every_quote_action_is_allowed_or_refused_by_the_quotes_status(
        db: Database, prospect: Prospect, status: QuoteStatus) -> None:
    for action, run in ACTIONS.items():
        quote = _quote_in(db, prospect, status)
        if action in ALLOWED[status]:
            run(db, quote)                   # no error
        else:
            with pytest.raises(ValidationError) as caught:
                run(db, quote)
            assert caught.value.field in ("status", "details", "proposal"), (action,
                                                                             caught.value)
        for number in (prospect.option_1, prospect.option_2):   # the next round starts afresh
            if proposals.get_proposal(db, number).status is SAStatus.DECLINED:
                proposals.reopen_proposal(db, CSR, number)


def test_a_fax_recipient_gets_the_phone_labelled_fax_and_a_missing_one_stops_complete(
        db: Database, prospect: Prospect) -> None:
    """T-QTE-06, person B: phones BUSINESS 555-0100 and FAX 555-0199 → the fax number."""
    from app.models import Account, Party, PartyContact
    from app.services import parties
    from app.services.parties import PersonForm

    bee = parties.create_person(db, CSR, PersonForm(last_name="Bee", first_name="Person",
                                                    phone="(555) 555-0100"))
    with db.sessions() as session:
        party = session.scalar(select(Party).where(Party.number == bee.number))
        account = session.scalar(select(Account).where(Account.number == prospect.account))
        assert party is not None and account is not None
        session.add(AccountQuoteSetting(account_id=account.id, party_id=party.id,
                                        receives_quotes=True, route_type_code="FAX"))
        session.commit()
        party_id = party.id
    quote = _generate(db, prospect).quote
    assert quote is not None
    with pytest.raises(ValidationError, match="receives quotes by fax but has no fax number"):
        quotes.complete(db, CSR, quote.number)
    with db.sessions() as session:
        session.add(PartyContact(party_id=party_id, kind=ContactKind.PHONE,
                                 value="+15555550199", label="Fax"))
        session.commit()
    done = quotes.complete(db, CSR, quote.number).quote
    assert done is not None
    assert [(r.route_method, r.fax, r.names) for r in done.routings] == [
        (QuoteRouteMethod.FAX, "+15555550199", ("Person Bee",))]
