"""Proposal SAs (spec/40 §1.7–§1.10, §2.3): a service agreement flagged as a proposal, priced
in quotes and never billed. It carries its pricing terms (rate, contract quantities, contract
values, riders, terms and conditions, characteristics) and its billing scenarios with template
consumption, and moves INCOMPLETE → PENDING → QUOTABLE → ACCEPTED / DECLINED / CANCELED.

Every change to a proposal or to any of its children moves its row version, so a quote detail
knows when the proposal changed after it was generated (spec/40 §8 A-7). Orders are not built
yet, so the Quote pane creates proposals directly (docs/decisions.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.engine.rates import RateLibrary
from app.models import (
    Account,
    BillSegment,
    CharacteristicType,
    CharacteristicValue,
    Premise,
    ServiceAgreement,
    ServiceAgreementRate,
    ServiceAgreementServicePoint,
    ServicePoint,
)
from app.models.enums import SAStatus, ServiceType, UserRole
from app.models.quotes import (
    BillingScenario,
    Quote,
    QuoteDetail,
    SaTermsAndConditions,
    ScenarioConsumption,
    TermsAndConditions,
)
from app.models.rates import SaContractQuantity, SaContractRider, SaContractValue
from app.services.agreement_terms import rate_on
from app.services.common import check_version, get_by_number, new_number, required_text
from app.services.context import Actor, read_only, transaction
from app.services.errors import NotFound, ValidationError
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
    TermsView,
    stored_quantity,
)
from app.services.rates import rate_library

#: Who works quotes and proposals: CSRs, rate analysts and supervisors (and administrators).
QUOTE_ROLES = (UserRole.CSR, UserRole.RATE_ANALYST, UserRole.SUPERVISOR)
MAX_SCENARIOS = 60
#: Where each proposal status may go by an action on the proposal itself (Accept, Decline and
#: the quote's Close move it too, through services.quotes).
EDITABLE = frozenset({SAStatus.PENDING, SAStatus.QUOTABLE})
DELETABLE = frozenset({SAStatus.INCOMPLETE, SAStatus.PENDING, SAStatus.QUOTABLE})


# --- reading -----------------------------------------------------------------------------------


def premise_text(premise: Premise | None) -> str:
    if premise is None:
        return ""
    region = f", {premise.region}" if premise.region else ""
    return f"{premise.address_line1}, {premise.city}{region} {premise.postal_code}".strip()


def premise_of(session: Session, sa: ServiceAgreement) -> Premise | None:
    return session.scalar(
        select(Premise).join(ServicePoint, ServicePoint.premise_id == Premise.id)
        .join(ServiceAgreementServicePoint,
              ServiceAgreementServicePoint.service_point_id == ServicePoint.id)
        .where(ServiceAgreementServicePoint.service_agreement_id == sa.id)
        .order_by(ServiceAgreementServicePoint.id).limit(1))


def _scenarios(session: Session, sa_id: int) -> tuple[BillingScenarioForm, ...]:
    scenarios = list(session.scalars(select(BillingScenario).where(
        BillingScenario.service_agreement_id == sa_id).order_by(
        BillingScenario.start_date, BillingScenario.sequence)))
    quantities: dict[int, list[ScenarioQuantity]] = defaultdict(list)
    if scenarios:
        for q in session.scalars(select(ScenarioConsumption).where(
                ScenarioConsumption.billing_scenario_id.in_([s.id for s in scenarios]))
                .order_by(ScenarioConsumption.id)):
            quantities[q.billing_scenario_id].append(
                ScenarioQuantity(q.uom, q.tou, q.sqi, stored_quantity(q.quantity)))
    return tuple(BillingScenarioForm(s.start_date, s.end_date, tuple(quantities[s.id]))
                 for s in scenarios)


def pricing_terms(session: Session, sa: ServiceAgreement) -> PricingTerms:
    def rows(model: type) -> list:
        return list(session.scalars(select(model).where(
            model.service_agreement_id == sa.id).order_by(model.id)))  # type: ignore[attr-defined]

    history = [(r.effective_from, r.rate_schedule_code) for r in rows(ServiceAgreementRate)]
    return PricingTerms(
        rate_schedule=rate_on(sorted(history), sa.start_date) or "",
        contract_quantities=tuple(ContractQuantityTerm(r.contract_quantity_type, r.effective,
                                                       r.value)
                                  for r in rows(SaContractQuantity)),
        contract_values=tuple(ContractValueTerm(r.bill_factor, r.effective, r.value, r.tou)
                              for r in rows(SaContractValue)),
        riders=tuple(RiderTerm(r.bill_factor, r.start, r.end) for r in rows(SaContractRider)),
        terms=tuple(TermsTerm(r.terms_code, r.start_date, r.end_date)
                    for r in rows(SaTermsAndConditions)),
        characteristics=tuple(
            CharacteristicTerm(r.characteristic_type_code, r.value, r.effective_from)
            for r in session.scalars(select(CharacteristicValue).where(
                CharacteristicValue.service_agreement_id == sa.id).order_by(
                CharacteristicValue.effective_from, CharacteristicValue.id))))


def terms_text(session: Session, terms: tuple[TermsTerm, ...]) -> tuple[TermsView, ...]:
    """The agreement's terms and conditions with their titles and text, by title."""
    if not terms:
        return ()
    known = {t.code: t for t in session.scalars(select(TermsAndConditions).where(
        TermsAndConditions.code.in_([t.code for t in terms])))}
    out = [TermsView(t.code, known[t.code].description, known[t.code].text, t.start, t.end)
           for t in terms if t.code in known]
    return tuple(sorted(out, key=lambda t: (t.description, t.code)))


def proposal_view(session: Session, sa: ServiceAgreement, lib: RateLibrary) -> ProposalView:
    account = session.get(Account, sa.account_id)
    assert account is not None
    points = tuple(session.scalars(
        select(ServicePoint.number).join(
            ServiceAgreementServicePoint,
            ServiceAgreementServicePoint.service_point_id == ServicePoint.id)
        .where(ServiceAgreementServicePoint.service_agreement_id == sa.id)
        .order_by(ServicePoint.number)))
    premise = premise_of(session, sa)
    terms = pricing_terms(session, sa)
    quoted = tuple(session.scalars(
        select(Quote.number).join(QuoteDetail, QuoteDetail.quote_id == Quote.id)
        .where(QuoteDetail.service_agreement_id == sa.id).order_by(Quote.number)))
    tos = None
    if sa.terms_of_service_id is not None:
        from app.models.umbrella import TermsOfService

        found = session.get(TermsOfService, sa.terms_of_service_id)
        tos = found.number if found is not None else None
    schedule = lib.rate_schedules.get(terms.rate_schedule) if terms.rate_schedule else None
    return ProposalView(
        number=sa.number, account_number=account.number, sa_type=sa.sa_type,
        service_type=sa.service_type, status=sa.status, start_date=sa.start_date,
        service_points=points, premise_number=premise.number if premise else None,
        premise_address=premise_text(premise), rate_schedule=terms.rate_schedule or None,
        rate_description=schedule.description if schedule else "", terms=terms, terms_text=terms_text(session, terms.terms),
        scenarios=_scenarios(session, sa.id), version=sa.version,
        decline_reason=sa.decline_reason_code, quoted_in=quoted, terms_of_service=tos)


def _proposal(session: Session, number: str, *, lock: bool = False) -> ServiceAgreement:
    sa = get_by_number(session, ServiceAgreement, number, "proposal SA", "proposal", lock=lock)
    if not sa.is_proposal:
        raise ValidationError(f"Agreement {sa.number} is a real agreement, not a proposal.",
                              "proposal")
    return sa


def get_proposal(db: Database, number: str) -> ProposalView:
    with read_only(db) as session:
        return proposal_view(session, _proposal(session, number), rate_library(db))


def proposals_of_account(db: Database, account_number: str) -> list[ProposalView]:
    lib = rate_library(db)
    with read_only(db) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        return [proposal_view(session, sa, lib) for sa in session.scalars(
            select(ServiceAgreement).where(ServiceAgreement.account_id == account.id,
                                           ServiceAgreement.is_proposal.is_(True))
            .order_by(ServiceAgreement.id))]


# --- checking what is typed ------------------------------------------------------------------


def _check_terms(db: Database, session: Session, terms: PricingTerms,
                 start: dt.date) -> PricingTerms:
    lib = rate_library(db)
    rate = required_text(terms.rate_schedule, "rate_schedule", "the rate", 30).upper()
    rs = lib.rate_schedules.get(rate)
    if rs is None:
        raise NotFound(f"There is no rate schedule {rate}. Pick one from the list.",
                       "rate_schedule")
    if not rs.is_primary:
        raise ValidationError(f"{rate} is a sub-rate: a proposal needs a primary rate.",
                              "rate_schedule")
    for i, cv in enumerate(terms.contract_values, 1):
        if cv.bill_factor not in lib.bill_factors:
            raise ValidationError(f"Contract value row {i}: there is no bill factor "
                                  f"{cv.bill_factor}.", "contract_values")
    for i, r in enumerate(terms.riders, 1):
        if r.bill_factor not in lib.bill_factors:
            raise ValidationError(f"Rider row {i}: there is no bill factor {r.bill_factor}.",
                                  "riders")
        if r.end is not None and r.end < r.start:
            raise ValidationError(f"Rider row {i}: it ends before it starts.", "riders")
    codes = set(session.scalars(select(TermsAndConditions.code)))
    for i, t in enumerate(terms.terms, 1):
        if t.code not in codes:
            raise ValidationError(f"Terms row {i}: there are no terms and conditions "
                                  f"{t.code}.", "terms")
        if t.end is not None and t.end < t.start:
            raise ValidationError(f"Terms row {i}: they end before they start.", "terms")
    char_types = set(session.scalars(select(CharacteristicType.code)))
    for i, c in enumerate(terms.characteristics, 1):
        if c.char_type not in char_types:
            raise ValidationError(f"Characteristic row {i}: there is no characteristic type "
                                  f"{c.char_type}.", "characteristics")
        if not c.value.strip():
            raise ValidationError(f"Characteristic row {i}: enter a value.", "characteristics")
    return PricingTerms(rate, terms.contract_quantities, terms.contract_values, terms.riders,
                        terms.terms, terms.characteristics)


def _check_scenarios(db: Database, scenarios: tuple[BillingScenarioForm, ...]) -> None:
    if len(scenarios) > MAX_SCENARIOS:
        raise ValidationError(f"A proposal has at most {MAX_SCENARIOS} billing scenarios.",
                              "scenarios")
    uoms = rate_library(db).uoms
    for i, sc in enumerate(scenarios, 1):
        if sc.end < sc.start:
            raise ValidationError(f"Scenario {i}: the period ends {sc.end.isoformat()}, before "
                                  f"it starts {sc.start.isoformat()}.", "scenarios")
        if (sc.end - sc.start).days > 366:
            raise ValidationError(f"Scenario {i}: a bill period is at most a year.",
                                  "scenarios")
        for q in sc.quantities:
            if not (q.uom or q.tou or q.sqi):
                raise ValidationError(f"Scenario {i}: pick a unit of measure for each "
                                      "quantity.", "scenarios")
            if q.uom and q.uom not in uoms:
                raise ValidationError(f"Scenario {i}: there is no unit of measure {q.uom}.",
                                      "scenarios")
            if q.quantity < 0 or abs(q.quantity) >= Decimal("1e12"):
                raise ValidationError(f"Scenario {i}: {q.quantity} is not a usable quantity.",
                                      "scenarios")


# --- writing -----------------------------------------------------------------------------------


def _touch(sa: ServiceAgreement) -> None:
    """A child changed: move the proposal's row version (spec/40 §8 A-7)."""
    sa.updated_at = dt.datetime.now(dt.UTC)


def _write_terms(session: Session, sa: ServiceAgreement, terms: PricingTerms) -> None:
    for model in (ServiceAgreementRate, SaContractQuantity, SaContractValue, SaContractRider,
                  SaTermsAndConditions):
        session.execute(delete(model).where(model.service_agreement_id == sa.id))
    session.execute(delete(CharacteristicValue).where(
        CharacteristicValue.service_agreement_id == sa.id))
    session.add(ServiceAgreementRate(service_agreement_id=sa.id, effective_from=sa.start_date,
                                     rate_schedule_code=terms.rate_schedule))
    session.add_all([SaContractQuantity(service_agreement_id=sa.id,
                                        contract_quantity_type=q.quantity_type,
                                        effective=q.effective, value=q.value)
                     for q in terms.contract_quantities])
    session.add_all([SaContractValue(service_agreement_id=sa.id, bill_factor=v.bill_factor,
                                     effective=v.effective, value=v.value, tou=v.tou)
                     for v in terms.contract_values])
    session.add_all([SaContractRider(service_agreement_id=sa.id, bill_factor=r.bill_factor,
                                     start=r.start, end=r.end) for r in terms.riders])
    session.add_all([SaTermsAndConditions(service_agreement_id=sa.id, terms_code=t.code,
                                          start_date=t.start, end_date=t.end)
                     for t in terms.terms])
    session.add_all([CharacteristicValue(characteristic_type_code=c.char_type,
                                         service_agreement_id=sa.id,
                                         effective_from=c.effective, value=c.value.strip())
                     for c in terms.characteristics])


def _write_scenarios(session: Session, sa: ServiceAgreement,
                     scenarios: tuple[BillingScenarioForm, ...]) -> None:
    old = list(session.scalars(select(BillingScenario.id).where(
        BillingScenario.service_agreement_id == sa.id)))
    if old:
        session.execute(delete(ScenarioConsumption).where(
            ScenarioConsumption.billing_scenario_id.in_(old)))
        session.execute(delete(BillingScenario).where(BillingScenario.id.in_(old)))
    for seq, sc in enumerate(sorted(scenarios, key=lambda s: (s.start, s.end)), 1):
        row = BillingScenario(service_agreement_id=sa.id, start_date=sc.start,
                              end_date=sc.end, sequence=seq)
        session.add(row)
        session.flush()
        session.add_all([ScenarioConsumption(billing_scenario_id=row.id, uom=q.uom, tou=q.tou,
                                             sqi=q.sqi, quantity=q.quantity)
                         for q in sc.quantities])


def _require_editable(sa: ServiceAgreement) -> None:
    if sa.status not in EDITABLE:
        hint = " Reopen it first." if sa.status is SAStatus.DECLINED else ""
        raise ValidationError(f"Proposal {sa.number} is {sa.status.label.lower()}: it can no "
                              f"longer change.{hint}", "status")


def _quoted_warning(session: Session, sa: ServiceAgreement) -> str | None:
    quotes = list(session.scalars(
        select(Quote.number).join(QuoteDetail, QuoteDetail.quote_id == Quote.id)
        .where(QuoteDetail.service_agreement_id == sa.id).order_by(Quote.number)))
    if not quotes:
        return None
    which = ", ".join(quotes[:3]) + (f" and {len(quotes) - 3} more" if len(quotes) > 3 else "")
    return (f"Quote{'s' if len(quotes) > 1 else ''} {which} {'were' if len(quotes) > 1 else 'was'}"
            " generated from the earlier terms: regenerate to price the new ones.")


def create_proposal(db: Database, actor: Actor, form: ProposalForm) -> ProposalView:
    """A new proposal SA on the account's service points: INCOMPLETE, then PENDING in the same
    transaction (the creation step), and QUOTABLE at once when it comes with scenarios."""
    actor.require("create a proposal", *QUOTE_ROLES)
    sa_type = required_text(form.sa_type, "sa_type", "the agreement type", 30).upper()
    if not form.service_points:
        raise ValidationError("Choose at least one service point the proposal would supply.",
                              "service_points")
    _check_scenarios(db, form.scenarios)
    with transaction(db, actor) as session:
        account = get_by_number(session, Account, form.account_number, "account", "account")
        terms = _check_terms(db, session, form.terms, form.start_date)
        points = [get_by_number(session, ServicePoint, n, "service point", "service_points")
                  for n in sorted(set(form.service_points))]
        for sp in points:
            if sp.service_type is not form.service_type:
                raise ValidationError(
                    f"Service point {sp.number} is {sp.service_type.label.lower()}, but this "
                    f"is a {form.service_type.label.lower()} proposal.", "service_points")
        sa = ServiceAgreement(number=new_number(session, ServiceAgreement), account_id=account.id,
                              sa_type=sa_type, service_type=form.service_type,
                              start_date=form.start_date, status=SAStatus.INCOMPLETE,
                              is_proposal=True)
        session.add(sa)
        session.flush()
        session.add_all([ServiceAgreementServicePoint(service_agreement_id=sa.id,
                                                      service_point_id=sp.id,
                                                      start_date=form.start_date)
                         for sp in points])
        _write_terms(session, sa, terms)
        _write_scenarios(session, sa, form.scenarios)
        sa.status = SAStatus.QUOTABLE if form.scenarios else SAStatus.PENDING
        session.flush()
        return proposal_view(session, sa, rate_library(db))


def save_terms(db: Database, actor: Actor, number: str, terms: PricingTerms,
               expected_version: int) -> ProposalSaved:
    """Replace the proposal's pricing terms; a quote generated from the old ones is named in
    a warning (spec/40 §2.3), not refused."""
    actor.require("change a proposal", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        sa = _proposal(session, number, lock=True)
        check_version(sa, expected_version, f"Proposal {sa.number}")
        _require_editable(sa)
        checked = _check_terms(db, session, terms, sa.start_date)
        _write_terms(session, sa, checked)
        _touch(sa)
        session.flush()
        return ProposalSaved(proposal_view(session, sa, rate_library(db)),
                             _quoted_warning(session, sa))


def save_scenarios(db: Database, actor: Actor, number: str,
                   scenarios: tuple[BillingScenarioForm, ...],
                   expected_version: int) -> ProposalSaved:
    """Replace the billing scenarios and their template consumption. A Quotable proposal left
    with none goes back to Pending (it cannot be priced)."""
    actor.require("change a proposal", *QUOTE_ROLES)
    _check_scenarios(db, scenarios)
    with transaction(db, actor) as session:
        sa = _proposal(session, number, lock=True)
        check_version(sa, expected_version, f"Proposal {sa.number}")
        _require_editable(sa)
        _write_scenarios(session, sa, scenarios)
        if not scenarios and sa.status is SAStatus.QUOTABLE:
            sa.status = SAStatus.PENDING
        _touch(sa)
        session.flush()
        return ProposalSaved(proposal_view(session, sa, rate_library(db)),
                             _quoted_warning(session, sa))


def save_proposal(db: Database, actor: Actor, number: str, terms: PricingTerms | None,
                  scenarios: tuple[BillingScenarioForm, ...] | None,
                  expected_version: int) -> ProposalSaved:
    """Save what the editor changed — the pricing terms, the scenarios, or both — in one
    transaction: both or neither."""
    actor.require("change a proposal", *QUOTE_ROLES)
    if scenarios is not None:
        _check_scenarios(db, scenarios)
    with transaction(db, actor) as session:
        sa = _proposal(session, number, lock=True)
        check_version(sa, expected_version, f"Proposal {sa.number}")
        _require_editable(sa)
        if terms is not None:
            _write_terms(session, sa, _check_terms(db, session, terms, sa.start_date))
        if scenarios is not None:
            _write_scenarios(session, sa, scenarios)
            if not scenarios and sa.status is SAStatus.QUOTABLE:
                sa.status = SAStatus.PENDING
        _touch(sa)
        session.flush()
        changed = terms is not None or scenarios is not None
        return ProposalSaved(proposal_view(session, sa, rate_library(db)),
                             _quoted_warning(session, sa) if changed else None)


def _move(db: Database, actor: Actor, number: str, expected_version: int | None,
          allowed: frozenset[SAStatus], to: SAStatus, verb: str) -> ProposalView:
    actor.require(f"{verb} a proposal", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        sa = _proposal(session, number, lock=True)
        check_version(sa, expected_version, f"Proposal {sa.number}")
        if sa.status not in allowed:
            raise ValidationError(f"Proposal {sa.number} is {sa.status.label.lower()}: it "
                                  f"cannot be {to.label.lower()}.", "status")
        if to is SAStatus.QUOTABLE and not session.scalar(
                select(func.count()).select_from(BillingScenario).where(
                    BillingScenario.service_agreement_id == sa.id)):
            raise ValidationError(f"Proposal {sa.number} has no billing scenario: add at least "
                                  "one period to price before making it quotable.",
                                  "scenarios")
        sa.status = to
        if to is SAStatus.QUOTABLE:
            sa.decline_reason_code = None
        session.flush()
        return proposal_view(session, sa, rate_library(db))


def make_quotable(db: Database, actor: Actor, number: str,
                  expected_version: int | None = None) -> ProposalView:
    return _move(db, actor, number, expected_version, frozenset({SAStatus.PENDING}),
                 SAStatus.QUOTABLE, "make quotable")


def reopen_proposal(db: Database, actor: Actor, number: str,
                    expected_version: int | None = None) -> ProposalView:
    """A declined proposal the customer now wants after all (spec/40 §2.3)."""
    return _move(db, actor, number, expected_version, frozenset({SAStatus.DECLINED}),
                 SAStatus.QUOTABLE, "reopen")


def cancel_proposal(db: Database, actor: Actor, number: str,
                    expected_version: int | None = None) -> ProposalView:
    return _move(db, actor, number, expected_version, EDITABLE, SAStatus.CANCELED, "cancel")


def delete_proposal(db: Database, actor: Actor, number: str, expected_version: int) -> None:
    """Remove a proposal that no quote detail references (spec/40 §8 A-8)."""
    actor.require("delete a proposal", *QUOTE_ROLES)
    with transaction(db, actor) as session:
        sa = _proposal(session, number, lock=True)
        check_version(sa, expected_version, f"Proposal {sa.number}")
        if sa.status not in DELETABLE:
            raise ValidationError(f"Proposal {sa.number} is {sa.status.label.lower()}: it "
                                  "cannot be deleted.", "status")
        quotes = list(session.scalars(
            select(Quote.number).join(QuoteDetail, QuoteDetail.quote_id == Quote.id)
            .where(QuoteDetail.service_agreement_id == sa.id)))
        if quotes:
            raise ValidationError(f"Proposal {sa.number} is priced in quote "
                                  f"{', '.join(sorted(quotes))}: delete those quote details "
                                  "first.", "status")
        _write_scenarios(session, sa, ())
        for model in (ServiceAgreementRate, SaContractQuantity, SaContractValue,
                      SaContractRider, SaTermsAndConditions, ServiceAgreementServicePoint):
            session.execute(delete(model).where(model.service_agreement_id == sa.id))
        session.execute(delete(CharacteristicValue).where(
            CharacteristicValue.service_agreement_id == sa.id))
        session.delete(sa)


# --- scenarios from history ----------------------------------------------------------------


def scenarios_from_history(db: Database, account_number: str, service_type: ServiceType,
                           months: int = 12) -> tuple[BillingScenarioForm, ...]:
    """Twelve billing scenarios from the account's last bills of that service: each bill
    segment's period and quantity (spec/40 §1.8, "loads consumption" — here, one click)."""
    with read_only(db) as session:
        account = get_by_number(session, Account, account_number, "account", "account")
        rows = session.execute(
            select(BillSegment.start_date, BillSegment.end_date, BillSegment.uom,
                   BillSegment.quantity)
            .join(ServiceAgreement, ServiceAgreement.id == BillSegment.service_agreement_id)
            .where(ServiceAgreement.account_id == account.id,
                   ServiceAgreement.service_type == service_type,
                   ServiceAgreement.is_proposal.is_(False))
            .order_by(BillSegment.end_date.desc(), BillSegment.id.desc())).all()
    by_period: dict[tuple[dt.date, dt.date], dict[str, Decimal]] = defaultdict(dict)
    for start, end, uom, quantity in rows:      # one account may hold two agreements of a kind
        used = by_period[(start, end)]
        used[uom] = used.get(uom, Decimal(0)) + quantity
    newest = sorted(by_period, reverse=True)[:months]
    out = [BillingScenarioForm(start, end, tuple(
        ScenarioQuantity(uom, None, None, quantity)
        for uom, quantity in sorted(by_period[(start, end)].items())))
        for start, end in sorted(newest)]
    if not out:
        raise ValidationError(f"Account {account_number} has no {service_type.label.lower()} "
                              "bills yet: type the consumption in instead.", "scenarios")
    return tuple(out)


__all__ = ["QUOTE_ROLES", "cancel_proposal", "create_proposal", "delete_proposal",
           "get_proposal", "make_quotable", "pricing_terms", "proposal_view",
           "proposals_of_account", "reopen_proposal", "save_proposal", "save_scenarios",
           "save_terms",
           "scenarios_from_history", "terms_text"]
