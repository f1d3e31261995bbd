"""Quotes (spec/40 §2–§3): the quote lifecycle and its actions, one transaction each.

* Generate prices every billing scenario of the chosen proposal SAs through the engine
  (`engine.quotes.simulate`, the rate check's own call, as a bill would: Finished versions) and
  replaces this quote's details for them.
* Complete (every detail OK) builds the routings; Close, Reopen, Cancel, Delete move the quote.
* Accept, Decline and Cancel act on the proposal SAs of the selected details; Accept creates
  the real agreement in pending start, copying the proposal's pricing terms.
* `close_expired` is the CLOSEQTE batch.

Button rules (spec/40 §2.6) are `services.quote_rules.button_states`; the services refuse
what the buttons would not allow, with a sentence. Reading is `services.quote_views`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.quotes import PricedScenario, Scenario, SimulatedBill, simulate
from app.engine.rates import Quantity
from app.models import (
    Account,
    CharacteristicValue,
    Customer,
    ServiceAgreement,
    ServiceAgreementServicePoint,
    ServicePoint,
)
from app.models.enums import (
    CustomerClass,
    QuoteDetailStatus,
    QuoteStatus,
    SAStatus,
    SimulatedSegmentStatus,
)
from app.models.quotes import (
    BillingScenario,
    DeclineReason,
    Quote,
    QuoteDetail,
    QuoteRouting,
    SaTermsAndConditions,
    ScenarioConsumption,
    SimulatedHeader,
    SimulatedLine,
    SimulatedQuantity,
    SimulatedSegment,
)
from app.models.rates import SaContractQuantity, SaContractRider, SaContractValue, SaTaxExemption
from app.services import agreement_terms
from app.services.common import check_version, get_by_number, new_number
from app.services.context import Actor, transaction
from app.services.errors import DomainError, NotFound, ValidationError
from app.services.installation import option
from app.services.proposals import QUOTE_ROLES, pricing_terms
from app.services.quote_dto import QuoteOutcome
from app.services.quote_routings import build_routings, drop_unextracted_routings
from app.services.quote_views import quote_view
from app.services.rates import CachedRates, rate_library, rates_in_force
from app.services.service_agreements import ServiceAgreementForm, create_in

#: Close's action on the proposals of the quote (spec/40 §2.7.3).
NO_ACTION, DECLINE, CANCEL = "NO_ACTION", "DECLINE", "CANCEL"


class ProposalChanged(DomainError):
    """Accepting details whose proposal changed after they were generated needs a
    confirmation (spec/40 §2.7.6); ``details`` names them."""

    def __init__(self, details: Sequence[str]) -> None:
        self.details = tuple(details)
        super().__init__(
            f"The proposal of quote detail {', '.join(self.details)} changed after the quote "
            "was generated: the customer would accept terms that differ from the quote. "
            "Confirm to accept anyway, or regenerate first.", "details")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _quote(session: Session, number: str, expected_version: int | None) -> Quote:
    quote = get_by_number(session, Quote, number, "quote", "quote", lock=True)
    check_version(quote, expected_version, f"Quote {quote.number}")
    return quote


def _require(quote: Quote, *allowed: QuoteStatus, action: str) -> None:
    if quote.status not in allowed:
        raise ValidationError(f"Quote {quote.number} is {quote.status.label.lower()}: it "
                              f"cannot be {action}.", "status")


def _outcome(session: Session, db: Database, quote: Quote, message: str, **extra: object
             ) -> QuoteOutcome:
    session.flush()
    return QuoteOutcome(quote_view(session, quote, rate_library(db)), message,
                        **extra)  # type: ignore[arg-type]


# --- simulation ------------------------------------------------------------------------------


def _scenarios(session: Session, proposals: Sequence[ServiceAgreement]
               ) -> dict[int, list[Scenario]]:
    """Every proposal's billing scenarios with their template consumption, in two queries."""
    rows = list(session.execute(select(BillingScenario.id, BillingScenario.service_agreement_id,
                                       BillingScenario.start_date, BillingScenario.end_date)
                                .where(BillingScenario.service_agreement_id.in_(
                                    [sa.id for sa in proposals]))
                                .order_by(BillingScenario.start_date,
                                          BillingScenario.sequence)))
    quantities: dict[int, list[Quantity]] = {r.id: [] for r in rows}
    if rows:
        for key, uom, quantity, tou, sqi in session.execute(
                select(ScenarioConsumption.billing_scenario_id, ScenarioConsumption.uom,
                       ScenarioConsumption.quantity, ScenarioConsumption.tou,
                       ScenarioConsumption.sqi)
                .where(ScenarioConsumption.billing_scenario_id.in_(list(quantities)))
                .order_by(ScenarioConsumption.id)):
            quantities[key].append(Quantity(uom, quantity, tou, sqi))
    out: dict[int, list[Scenario]] = {sa.id: [] for sa in proposals}
    for r in rows:
        out[r.service_agreement_id].append(
            Scenario(r.id, r.start_date, r.end_date, tuple(quantities[r.id])))
    return out


def _price(session: Session, rates: CachedRates, sa: ServiceAgreement,
           customer_class: CustomerClass | None, scenarios: list[Scenario]
           ) -> tuple[SimulatedBill, ...]:
    snapshot = agreement_terms.agreement_snapshot(session, sa, customer_class)
    history = agreement_terms.rate_history(session, sa)
    priced = []
    for sc in scenarios:
        code, _source = agreement_terms.effective_rate(session, sa, history, sc.end)
        if code is None:
            priced.append(PricedScenario(None, sc, f"proposal {sa.number} has no rate"))
            continue
        try:
            priced.append(PricedScenario(rates.rate(code), sc))
        except DomainError as exc:
            priced.append(PricedScenario(None, sc, exc.message))
    return simulate(priced, agreement=snapshot, revenue_class=snapshot.revenue_class)


def _ids(session: Session, table: type, rows: list[dict[str, object]]) -> list[int]:
    """Insert many rows in one statement and return their ids, in the rows' order."""
    if not rows:
        return []
    result = session.execute(
        insert(table).returning(table.id, sort_by_parameter_order=True),  # type: ignore[attr-defined]
        rows)
    return [row[0] for row in result]


def _write_details(session: Session, quote: Quote,
                   priced: list[tuple[ServiceAgreement, tuple[SimulatedBill, ...]]],
                   now: dt.datetime) -> list[QuoteDetail]:
    """The quote details and everything under them, in a few set-based inserts (a 20 × 12
    quote is about 3,000 rows)."""
    details = []
    for sa, bills in priced:
        ok = bool(bills) and all(b.ok for b in bills)
        details.append(QuoteDetail(
            number=new_number(session, QuoteDetail), quote_id=quote.id,
            service_agreement_id=sa.id, sa_version=sa.version,
            status=QuoteDetailStatus.OK if ok else QuoteDetailStatus.ERROR, created_at=now))
    session.add_all(details)
    session.flush()
    bills_in_order = [(d.id, b) for d, (_sa, bills) in zip(details, priced, strict=True)
                      for b in bills]
    segment_ids = _ids(session, SimulatedSegment, [dict(
        quote_detail_id=detail_id, billing_scenario_id=bill.scenario.key,
        start_date=bill.scenario.start, end_date=bill.scenario.end,
        status=SimulatedSegmentStatus.OK if bill.ok else SimulatedSegmentStatus.ERROR,
        error_message=_sentence(bill.error) if bill.error else None, amount=bill.amount,
        rate_schedule=bill.result.rate_schedule if bill.result else None)
        for detail_id, bill in bills_in_order])
    headers, quantities = [], []
    for segment_id, (_d, bill) in zip(segment_ids, bills_in_order, strict=True):
        if bill.result is None:
            continue
        quantities += [dict(segment_id=segment_id, uom=q.uom, tou=q.tou, sqi=q.sqi,
                            initial=q.initial, billable=q.billable)
                       for q in bill.result.sq_details]
        headers += [(segment_id, h) for h in bill.result.headers]
    header_ids = _ids(session, SimulatedHeader, [dict(
        segment_id=segment_id, sequence=h.seq, rate_schedule=h.rate_schedule,
        rate_version=h.rate_version, start_date=h.start_date, end_date=h.end_date,
        amount=h.amount, description_on_bill=h.description_on_bill or "")
        for segment_id, h in headers])
    lines = [dict(header_id=header_id, sequence=ln.seq,
                  description_on_bill=ln.description_on_bill[:254], amount=ln.amount,
                  print_line=ln.print, app_in_summary=ln.app_in_summary, in_total=ln.in_total,
                  uom=ln.uom, tou=ln.tou, sqi=ln.sqi, billable_sq=ln.billable_sq,
                  base_amount=ln.base_amount, rc_sequence=ln.rc_seq,
                  exempt_amount=ln.exempt_amount, distribution_code=ln.distribution_code)
             for header_id, (_s, h) in zip(header_ids, headers, strict=True) for ln in h.lines]
    # Core inserts (the tables, not the classes): one executemany each, where the ORM's bulk
    # path sends a statement per row to PostgreSQL when nothing is returned.
    if lines:
        session.execute(insert(SimulatedLine.__table__), lines)  # type: ignore[arg-type]
    if quantities:
        session.execute(insert(SimulatedQuantity.__table__), quantities)  # type: ignore[arg-type]
    return details


def _sentence(message: str) -> str:
    text = message.strip()
    text = text[:1].upper() + text[1:]
    return (text if text.endswith(".") else text + ".")[:1000]


def _drop_details(session: Session, details: Sequence[QuoteDetail]) -> None:
    """Remove quote details with their simulated segments, headers, lines and quantities."""
    if not details:
        return
    segments = select(SimulatedSegment.id).where(
        SimulatedSegment.quote_detail_id.in_([d.id for d in details]))
    headers = select(SimulatedHeader.id).where(SimulatedHeader.segment_id.in_(segments))
    session.execute(delete(SimulatedLine).where(SimulatedLine.header_id.in_(headers)))
    session.execute(delete(SimulatedHeader).where(SimulatedHeader.segment_id.in_(segments)))
    session.execute(delete(SimulatedQuantity).where(SimulatedQuantity.segment_id.in_(segments)))
    session.execute(delete(SimulatedSegment).where(SimulatedSegment.id.in_(segments)))
    for d in details:
        session.delete(d)
    session.flush()


def _generate_for(session: Session, rates: CachedRates, quote: Quote,
                  proposals: Sequence[ServiceAgreement]) -> list[QuoteDetail]:
    old = list(session.scalars(select(QuoteDetail).where(
        QuoteDetail.quote_id == quote.id,
        QuoteDetail.service_agreement_id.in_([sa.id for sa in proposals]))))
    _drop_details(session, old)                  # Generate replaces (spec/40 §2.7.1, T-QTE-05)
    if not proposals:
        return []
    customer_class = session.scalar(
        select(Customer.customer_class).join(Account, Account.customer_id == Customer.id)
        .where(Account.id == quote.account_id))     # a quote's proposals share its account
    scenarios = _scenarios(session, proposals)
    priced = [(sa, _price(session, rates, sa, customer_class, scenarios[sa.id]))
              for sa in proposals]
    return _write_details(session, quote, priced, _now())


# --- the quote ---------------------------------------------------------------------------------


def _proposals_of(session: Session, account: Account, *statuses: SAStatus
                  ) -> list[ServiceAgreement]:
    stmt = select(ServiceAgreement).where(ServiceAgreement.account_id == account.id,
                                          ServiceAgreement.is_proposal.is_(True))
    if statuses:
        stmt = stmt.where(ServiceAgreement.status.in_(statuses))
    return list(session.scalars(stmt.order_by(ServiceAgreement.id)))


def _new_quote(session: Session, actor: Actor, account: Account,
               expires_at: dt.datetime | None) -> Quote:
    if not _proposals_of(session, account):
        raise ValidationError(f"Account {account.number} has no proposal SA: create one (the "
                              "option to price) before starting a quote.", "account")
    now = _now()
    if expires_at is None:
        days = int(option(session, "quote.validity_days"))
        expires_at = dt.datetime.combine(now.date() + dt.timedelta(days=days),
                                         dt.time(23, 59), dt.UTC)
    elif expires_at <= now:
        raise ValidationError("The quote would already have expired: choose a later expiry.",
                              "expires_at")
    quote = Quote(number=new_number(session, Quote), account_id=account.id,
                  status=QuoteStatus.PENDING, expires_at=expires_at, created_at=now,
                  created_by=actor.username)
    session.add(quote)
    session.flush()
    return quote


def new_quote(db: Database, actor: Actor, account_number: str,
              expires_at: dt.datetime | None = None) -> QuoteOutcome:
    """Save a new, empty quote (PENDING) for an account that holds a proposal SA."""
    actor.require("start a quote", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        quote = _new_quote(session, actor, account, expires_at)
        return _outcome(session, db, quote, f"Quote {quote.number} saved.")


def generate(db: Database, actor: Actor, account_number: str, *, quote_number: str | None = None,
             proposal: str | None = None, expected_version: int | None = None,
             expires_at: dt.datetime | None = None) -> QuoteOutcome:
    """Generate (spec/40 §2.7.1): price every Quotable proposal SA of the account (or the one
    named), replacing this quote's details for them; a new quote is saved first."""
    actor.require("generate a quote", *QUOTE_ROLES)
    rates = rates_in_force(db)
    with transaction(db, actor) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        if quote_number:
            quote = _quote(session, quote_number, expected_version)
            if quote.account_id != account.id:
                raise ValidationError(f"Quote {quote.number} is of another account.", "quote")
            _require(quote, QuoteStatus.PENDING, action="generated again")
        else:
            quote = _new_quote(session, actor, account, expires_at)
        if proposal:
            sa = get_by_number(session, ServiceAgreement, proposal, "proposal SA", "proposal")
            if not sa.is_proposal or sa.account_id != account.id:
                raise ValidationError(f"Agreement {sa.number} is not a proposal of account "
                                      f"{account.number}.", "proposal")
            if sa.status is not SAStatus.QUOTABLE:
                raise ValidationError(f"Proposal {sa.number} is {sa.status.label.lower()}: "
                                      "only a quotable proposal is priced.", "proposal")
            targets = [sa]
        else:
            targets = _proposals_of(session, account, SAStatus.QUOTABLE)
            if not targets:
                raise ValidationError(f"Account {account.number} has no quotable proposal SA: "
                                      "give a proposal its billing scenarios and make it "
                                      "quotable.", "proposal")
        made = _generate_for(session, rates, quote, targets)
        errors = sum(d.status is QuoteDetailStatus.ERROR for d in made)
        message = (f"Generated {len(made)} quote detail{'s' if len(made) != 1 else ''}"
                   + (f"; {errors} in error." if errors else "."))
        return _outcome(session, db, quote, message)


def _details(session: Session, quote: Quote, numbers: Sequence[str]) -> list[QuoteDetail]:
    if not numbers:
        raise ValidationError("Select at least one quote detail.", "details")
    found = []
    for n in numbers:
        d = get_by_number(session, QuoteDetail, n, "quote detail", "details")
        if d.quote_id != quote.id:
            raise ValidationError(f"Quote detail {d.number} is not on quote {quote.number}.",
                                  "details")
        found.append(d)
    return found


def regenerate(db: Database, actor: Actor, quote_number: str, details: Sequence[str],
               expected_version: int | None = None) -> QuoteOutcome:
    """Regenerate the selected details from their proposals' current terms; a proposal that
    is no longer quotable is reported and skipped (spec/40 §8 A-9)."""
    actor.require("regenerate quote details", *QUOTE_ROLES)
    rates = rates_in_force(db)
    with transaction(db, actor) as session:
        quote = _quote(session, quote_number, expected_version)
        _require(quote, QuoteStatus.PENDING, action="regenerated")
        targets, skipped = [], []
        for d in _details(session, quote, details):
            sa = session.get(ServiceAgreement, d.service_agreement_id)
            assert sa is not None
            if sa.status is SAStatus.QUOTABLE:
                targets.append(sa)
            else:
                skipped.append(f"Quote detail {d.number}: proposal {sa.number} is "
                               f"{sa.status.label.lower()}, skipped.")
        made = _generate_for(session, rates, quote, targets)
        return _outcome(session, db, quote, f"Regenerated {len(made)} quote detail"
                        f"{'s' if len(made) != 1 else ''}.", skipped=tuple(skipped))


def delete_details(db: Database, actor: Actor, quote_number: str, details: Sequence[str],
                   expected_version: int | None = None) -> QuoteOutcome:
    actor.require("delete quote details", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        quote = _quote(session, quote_number, expected_version)
        _require(quote, QuoteStatus.PENDING, action="changed")
        gone = _details(session, quote, details)
        _drop_details(session, gone)
        return _outcome(session, db, quote, f"Deleted {len(gone)} quote detail"
                        f"{'s' if len(gone) != 1 else ''}.")


def complete(db: Database, actor: Actor, quote_number: str,
             expected_version: int | None = None) -> QuoteOutcome:
    """Complete (spec/40 §2.7.2): every detail OK (and at least one); routings are built for
    every person on the account who receives quotes."""
    actor.require("complete a quote", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        quote = _quote(session, quote_number, expected_version)
        _require(quote, QuoteStatus.PENDING, action="completed")
        details = list(session.scalars(select(QuoteDetail).where(
            QuoteDetail.quote_id == quote.id)))
        if not details:
            raise ValidationError(f"Quote {quote.number} has no quote detail: generate it "
                                  "first.", "details")
        bad = [d.number for d in details if d.status is QuoteDetailStatus.ERROR]
        if bad:
            raise ValidationError(f"Quote detail {', '.join(bad)} is in error: fix its "
                                  "proposal and regenerate, or delete it, before completing.",
                                  "details")
        drop_unextracted_routings(session, quote)      # a re-completion rebuilds them
        made = build_routings(session, quote)
        quote.status = QuoteStatus.COMPLETE
        return _outcome(session, db, quote, f"Quote {quote.number} is complete: {len(made)} "
                        f"cop{'ies' if len(made) != 1 else 'y'} will print in the next run.")


def reopen(db: Database, actor: Actor, quote_number: str,
           expected_version: int | None = None) -> QuoteOutcome:
    actor.require("reopen a quote", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        quote = _quote(session, quote_number, expected_version)
        _require(quote, QuoteStatus.COMPLETE, action="reopened")
        quote.status = QuoteStatus.PENDING
        return _outcome(session, db, quote, f"Quote {quote.number} is pending again: fix it, "
                        "then complete it.")


def cancel_quote(db: Database, actor: Actor, quote_number: str,
                 expected_version: int | None = None) -> QuoteOutcome:
    """Cancel a pending quote; its proposals are not touched (spec/40 §2.7.5)."""
    actor.require("cancel a quote", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        quote = _quote(session, quote_number, expected_version)
        _require(quote, QuoteStatus.PENDING, action="canceled")
        quote.status = QuoteStatus.CANCELED
        return _outcome(session, db, quote, f"Quote {quote.number} is canceled; its proposals "
                        "are unchanged (use Close, or the Proposal SA buttons, to cancel "
                        "them too).")


def delete_quote(db: Database, actor: Actor, quote_number: str,
                 expected_version: int | None = None) -> QuoteOutcome:
    actor.require("delete a quote", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        quote = _quote(session, quote_number, expected_version)
        _require(quote, QuoteStatus.PENDING, action="deleted")
        _drop_details(session, list(session.scalars(select(QuoteDetail).where(
            QuoteDetail.quote_id == quote.id))))
        session.execute(delete(QuoteRouting).where(QuoteRouting.quote_id == quote.id))
        number = quote.number
        session.delete(quote)
        return QuoteOutcome(None, f"Quote {number} deleted.")


def _decline_reason(session: Session, code: str | None) -> str:
    if not code or not code.strip():
        raise ValidationError("Pick a decline reason.", "decline_reason")
    reason = session.get(DeclineReason, code.strip().upper())
    if reason is None:
        raise NotFound(f"There is no decline reason {code}. Pick one from the list.",
                       "decline_reason")
    return reason.code


def _settle_proposals(session: Session, proposals: Sequence[ServiceAgreement], to: SAStatus,
                      reason: str | None) -> tuple[list[str], list[str]]:
    """Move Quotable proposals to DECLINED or CANCELED; others are reported (A-6)."""
    moved, skipped = [], []
    for sa in proposals:
        if sa.status is not SAStatus.QUOTABLE:
            skipped.append(f"Proposal {sa.number} is {sa.status.label.lower()}: left as it is.")
            continue
        sa.status = to
        sa.decline_reason_code = reason if to is SAStatus.DECLINED else None
        moved.append(sa.number)
    return moved, skipped


def _proposals_on(session: Session, quote: Quote,
                  details: Sequence[QuoteDetail] | None = None) -> list[ServiceAgreement]:
    rows = details if details is not None else list(session.scalars(
        select(QuoteDetail).where(QuoteDetail.quote_id == quote.id)))
    out = []
    for d in rows:
        sa = session.scalar(select(ServiceAgreement).where(
            ServiceAgreement.id == d.service_agreement_id).with_for_update())
        assert sa is not None
        out.append(sa)
    return out


def close(db: Database, actor: Actor, quote_number: str, action: str = NO_ACTION,
          decline_reason: str | None = None,
          expected_version: int | None = None) -> QuoteOutcome:
    """Close a complete quote (spec/40 §2.7.3); DECLINE or CANCEL also moves its Quotable
    proposals."""
    actor.require("close a quote", *QUOTE_ROLES)
    if action not in (NO_ACTION, DECLINE, CANCEL):
        raise ValidationError(f"'{action}' is no closing action.", "action")
    with transaction(db, actor) as session:
        quote = _quote(session, quote_number, expected_version)
        _require(quote, QuoteStatus.COMPLETE, action="closed")
        reason = _decline_reason(session, decline_reason) if action == DECLINE else None
        skipped: list[str] = []
        moved: list[str] = []
        if action != NO_ACTION:
            moved, skipped = _settle_proposals(
                session, _proposals_on(session, quote),
                SAStatus.DECLINED if action == DECLINE else SAStatus.CANCELED, reason)
        quote.status = QuoteStatus.CLOSED
        what = {NO_ACTION: "", DECLINE: f"; {len(moved)} proposal(s) declined",
                CANCEL: f"; {len(moved)} proposal(s) canceled"}[action]
        return _outcome(session, db, quote, f"Quote {quote.number} is closed{what}.",
                        skipped=tuple(skipped))


def close_expired(db: Database, actor: Actor, now: dt.datetime, action: str = CANCEL,
                  decline_reason: str | None = None) -> list[str]:
    """CLOSEQTE (spec/40 T-QTE-03): close every complete quote expired at ``now``; pending
    quotes are left alone (A-2). Returns the quotes closed."""
    actor.require("close expired quotes", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        reason = _decline_reason(session, decline_reason) if action == DECLINE else None
        quotes = list(session.scalars(select(Quote).where(
            Quote.status == QuoteStatus.COMPLETE, Quote.expires_at < now)
            .order_by(Quote.expires_at).with_for_update()))
        for quote in quotes:
            if action != NO_ACTION:
                _settle_proposals(session, _proposals_on(session, quote),
                                  SAStatus.DECLINED if action == DECLINE else SAStatus.CANCELED,
                                  reason)
            quote.status = QuoteStatus.CLOSED
        return [q.number for q in quotes]


# --- proposal actions on selected details ------------------------------------------------------


def _proposal_action_allowed(quote: Quote) -> None:
    _require(quote, QuoteStatus.PENDING, QuoteStatus.COMPLETE, action="acted on")


def decline(db: Database, actor: Actor, quote_number: str, details: Sequence[str],
            reason: str | None, expected_version: int | None = None) -> QuoteOutcome:
    actor.require("decline a proposal", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        quote = _quote(session, quote_number, expected_version)
        _proposal_action_allowed(quote)
        code = _decline_reason(session, reason)
        moved, skipped = _settle_proposals(
            session, _proposals_on(session, quote, _details(session, quote, details)),
            SAStatus.DECLINED, code)
        return _outcome(session, db, quote, f"Declined {len(moved)} proposal"
                        f"{'s' if len(moved) != 1 else ''}.", skipped=tuple(skipped))


def cancel_proposals(db: Database, actor: Actor, quote_number: str, details: Sequence[str],
                     expected_version: int | None = None) -> QuoteOutcome:
    actor.require("cancel a proposal", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        quote = _quote(session, quote_number, expected_version)
        _proposal_action_allowed(quote)
        moved, skipped = _settle_proposals(
            session, _proposals_on(session, quote, _details(session, quote, details)),
            SAStatus.CANCELED, None)
        return _outcome(session, db, quote, f"Canceled {len(moved)} proposal"
                        f"{'s' if len(moved) != 1 else ''}.", skipped=tuple(skipped))


def _copy_terms(session: Session, psa: ServiceAgreement, real: ServiceAgreement,
                start: dt.date) -> None:
    """What acceptance copies (spec/40 §2.7.6): contract quantities, contract values,
    riders, tax exemptions, terms and conditions, characteristics and the TOS link — not
    the billing scenarios."""
    def rows(model: type) -> list:
        return list(session.scalars(select(model).where(
            model.service_agreement_id == psa.id).order_by(model.id)))  # type: ignore[attr-defined]

    for q in rows(SaContractQuantity):
        session.add(SaContractQuantity(service_agreement_id=real.id,
                                       contract_quantity_type=q.contract_quantity_type,
                                       effective=q.effective, value=q.value))
    for v in rows(SaContractValue):
        session.add(SaContractValue(service_agreement_id=real.id, bill_factor=v.bill_factor,
                                    effective=v.effective, value=v.value, tou=v.tou))
    for r in rows(SaContractRider):
        session.add(SaContractRider(service_agreement_id=real.id, bill_factor=r.bill_factor,
                                    start=r.start, end=r.end))
    for t in rows(SaTaxExemption):
        session.add(SaTaxExemption(service_agreement_id=real.id, bill_factor=t.bill_factor,
                                   effective=t.effective, exempt_percent=t.exempt_percent))
    for t in rows(SaTermsAndConditions):
        session.add(SaTermsAndConditions(service_agreement_id=real.id,
                                         terms_code=t.terms_code, start_date=t.start_date,
                                         end_date=t.end_date))
    for c in session.scalars(select(CharacteristicValue).where(
            CharacteristicValue.service_agreement_id == psa.id)):
        session.add(CharacteristicValue(characteristic_type_code=c.characteristic_type_code,
                                        service_agreement_id=real.id,
                                        effective_from=c.effective_from, value=c.value))
    real.terms_of_service_id = psa.terms_of_service_id


def accept(db: Database, actor: Actor, quote_number: str, details: Sequence[str],
           start: dt.date, *, confirm_changed: bool = False,
           expected_version: int | None = None) -> QuoteOutcome:
    """Accept (spec/40 §2.7.6): each selected detail's Quotable proposal becomes ACCEPTED and a
    real agreement in pending start from ``start`` is created with its terms. A proposal that
    changed since its detail was generated needs ``confirm_changed``."""
    actor.require("accept a proposal", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        quote = _quote(session, quote_number, expected_version)
        _proposal_action_allowed(quote)
        chosen = _details(session, quote, details)
        proposals = _proposals_on(session, quote, chosen)
        changed = [d.number for d, sa in zip(chosen, proposals, strict=True)
                   if sa.status is SAStatus.QUOTABLE and sa.version != d.sa_version]
        if changed and not confirm_changed:
            raise ProposalChanged(changed)
        account = session.get(Account, quote.account_id)
        assert account is not None
        created, skipped = [], []
        for detail, psa in zip(chosen, proposals, strict=True):
            if psa.status is not SAStatus.QUOTABLE:
                skipped.append(f"Quote detail {detail.number}: proposal {psa.number} is "
                               f"{psa.status.label.lower()}, skipped.")
                continue
            points = tuple(session.scalars(
                select(ServicePoint.number).join(
                    ServiceAgreementServicePoint,
                    ServiceAgreementServicePoint.service_point_id == ServicePoint.id)
                .where(ServiceAgreementServicePoint.service_agreement_id == psa.id)))
            rate = pricing_terms(session, psa).rate_schedule
            real = create_in(session, ServiceAgreementForm(
                account.number, psa.sa_type, psa.service_type, points, start, rate))
            _copy_terms(session, psa, real, start)
            psa.status = SAStatus.ACCEPTED
            created.append(real.number)
        return _outcome(session, db, quote,
                        f"Accepted: agreement {', '.join(created)} will start on "
                        f"{start.isoformat()} (pending start)." if created
                        else "Nothing was accepted.",
                        skipped=tuple(skipped), created=tuple(created))


__all__ = ["CANCEL", "DECLINE", "NO_ACTION", "ProposalChanged", "accept", "cancel_proposals",
           "cancel_quote", "close", "close_expired", "complete", "decline", "delete_details",
           "delete_quote", "generate", "new_quote", "regenerate", "reopen"]

